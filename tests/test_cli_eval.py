"""The command line end to end: polc eval (table and --json), polc build (the module imports with
``python -I -S``), polc test (exit 0 when every case passes, 1 and a readable diff when one fails),
and clear messages with exit status 1 for bad input.

Policies: tests/policies/cases.pol (with 案例), rules_base.pol + rules_town.pol, inputs.pol.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit import POLICIES, REPO, pair


def polc(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd or REPO, timeout=300)


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


FIRM = {"年新增实到外资": "300万美元", "申报年度": 2025, "首次纳入规上": True}


def test_eval_table(tmp_path):
    record = write_json(tmp_path / "e.json", FIRM)
    run = polc("eval", POLICIES / "cases.pol", "--input", record, "--set", "外资支持比例=5%", "--date", "2025-06-01")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "案例测试（评估日期 2025-06-01）"
    # 300万美元 × 7.1 × 5% = 106.5万元; 规上 20万元 待评定
    row = next(line for line in lines if "第1条「外资」" in line)
    assert row.split()[1:3] == ["符合", "106.5万元"]
    row = next(line for line in lines if "第2条「规上」" in line)
    assert row.split()[1:3] == ["待评定", "20万元"]
    # 合计: 106.5万元 certain; with the 20万元 awaiting assessment, at most 126.5万元
    assert "合计：确定可得 106.5万元；含待评定的最多可得 126.5万元（精确到分：1065000.00 元、1265000.00 元）" in run.stdout


def test_eval_table_explains_pending_and_missing(tmp_path):
    record = write_json(tmp_path / "e.json", {"年新增实到外资": "300万美元"})
    run = polc("eval", POLICIES / "cases.pol", "--input", record)
    assert run.returncode == 0, run.stderr
    assert "未指定评估日期" in run.stdout
    row = next(line for line in run.stdout.splitlines() if "第1条「外资」" in line)
    assert "参数待定" in row and "外资支持比例" in row and "公式" in row
    row = next(line for line in run.stdout.splitlines() if "第2条「规上」" in line)
    assert "信息不足" in row and "首次纳入规上" in row


def test_eval_json_is_the_interpreters_result(tmp_path):
    record = write_json(tmp_path / "e.json", FIRM)
    run = polc("eval", POLICIES / "cases.pol", "--input", record, "--set", "外资支持比例=5%", "--json")
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    p = pair("cases.pol")
    want = p.evaluate(FIRM, {"外资支持比例": "5%"})
    # the CLI checks the relative path it was given; compare everything but the file in positions
    strip = lambda text: text.replace(str(POLICIES / "cases.pol"), "cases.pol")  # noqa: E731
    assert strip(json.dumps(got, ensure_ascii=False, sort_keys=True)) == \
        strip(json.dumps(want, ensure_ascii=False, sort_keys=True))


def test_eval_with_rules_and_dates(tmp_path):
    record = write_json(tmp_path / "e.json", {"研发费用": "200万元", "注册在本区": True})
    args = ("eval", POLICIES / "rules_base.pol", "--rules", POLICIES / "rules_town.pol", "--input", record, "--json")
    # 200万 × 10% = 20万 before 2025-07-01, × 15% = 30万 from then on; --set wins: × 5% = 10万
    for extra, amount in ((("--date", "2025-06-30"), "200000.00"), (("--date", "2025-07-01"), "300000.00"),
                          (("--date", "2025-07-01", "--set", "研发支持比例=5%"), "100000.00")):
        run = polc(*args, *extra)
        assert run.returncode == 0, run.stderr
        item = next(r for r in json.loads(run.stdout)["条款"] if r["条款"] == "第1条「研发」")
        assert (item["状态"], item["金额"]) == ("符合", amount)


@pytest.mark.parametrize("content,words", [
    ('{"年新增实到外资": "300万美元",', "不是有效的 JSON"),
    ("[1, 2]", "JSON 对象"),
    ('{"年新增实到外资": 300.5}', "浮点数"),
    ('{"年新增实到外资": NaN}', "浮点数"),
    ('{"申报年度": 1' + "0" * 5000 + "}", "位数过多"),       # regression: ValueError traceback
    # regression: RecursionError traceback (a short id: the test id goes into the child's environment)
    pytest.param("[" * 100000 + "]" * 100000, "嵌套过深", id="deep"),
])
def test_eval_bad_json(tmp_path, content, words):
    (tmp_path / "e.json").write_text(content, encoding="utf-8")
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "e.json")
    assert run.returncode == 1
    assert words in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_eval_unreadable_input(tmp_path):
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "missing.json")
    assert run.returncode == 1 and "找不到企业信息文件" in run.stderr
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path)  # regression: IsADirectoryError traceback
    assert run.returncode == 1 and "无法读取" in run.stderr and "Traceback" not in run.stderr
    (tmp_path / "latin1.json").write_bytes('{"企业名称": "é"}'.encode("gbk"))
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "latin1.json")
    assert run.returncode == 1 and "UTF-8" in run.stderr


def test_eval_reports_every_problem_with_its_path(tmp_path):
    record = write_json(tmp_path / "e.json", {"年新增实到外资": "-1", "申报年度": "去年", "已认定": []})
    run = polc("eval", POLICIES / "cases.pol", "--input", record)
    assert run.returncode == 1
    assert "企业信息有 3 处问题" in run.stderr
    for path in ("$.年新增实到外资", "$.申报年度", "$.已认定"):
        assert f"  {path}：" in run.stderr


@pytest.mark.parametrize("setting,words", [
    ("外资支持比列=5%", "没有参数「外资支持比列」；最接近的是「外资支持比例」"),
    ("外资支持比例=25%", "范围"),
    ("外资支持比例=五个点", "不是比例"),
    ("外资支持比例", "--set 的写法是 名称=值"),
])
def test_eval_bad_set(tmp_path, setting, words):
    record = write_json(tmp_path / "e.json", FIRM)
    run = polc("eval", POLICIES / "cases.pol", "--input", record, "--set", setting)
    assert run.returncode == 1
    assert words in run.stderr and "Traceback" not in run.stderr
    assert "企业信息" not in run.stderr  # a parameter problem is not blamed on the record


def test_eval_bad_date(tmp_path):
    record = write_json(tmp_path / "e.json", FIRM)
    run = polc("eval", POLICIES / "cases.pol", "--input", record, "--date", "2025-02-30")
    assert run.returncode == 1 and "评估日期" in run.stderr


def test_eval_policy_with_errors(tmp_path):
    shutil.copy(POLICIES / "cases.txt", tmp_path)
    bad = (POLICIES / "cases.pol").read_text(encoding="utf-8").replace("「美元汇率」的", "「未声明的汇率」的")
    (tmp_path / "cases.pol").write_text(bad, encoding="utf-8")
    record = write_json(tmp_path / "e.json", FIRM)
    run = polc("eval", tmp_path / "cases.pol", "--input", record)
    assert run.returncode == 1 and "E220" in run.stderr and "无法求值" in run.stderr


def test_build_and_import_isolated(tmp_path):
    out = tmp_path / "out"
    run = polc("build", POLICIES / "cases.pol", "-o", out)
    assert run.returncode == 0, run.stderr
    module = out / "cases.py"
    assert module.exists() and str(module) in run.stdout
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(out)!r})\n"
        "import cases\n"
        "assert 'lark' not in sys.modules and 'compiler' not in sys.modules\n"
        "record = json.loads(sys.stdin.read())\n"
        "print(json.dumps(cases.evaluate(record, {'外资支持比例': '5%'}, '2025-06-01'), ensure_ascii=False))\n"
    )
    run = subprocess.run([sys.executable, "-I", "-S", "-c", script], input=json.dumps(FIRM, ensure_ascii=False),
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    item = next(r for r in got["条款"] if r["条款"] == "第1条「外资」")
    assert (item["状态"], item["金额"]) == ("符合", "1065000.00")  # 300万美元 × 7.1 × 5%
    want = pair("cases.pol").interpreter.evaluate(FIRM, {"外资支持比例": "5%"}, "2025-06-01")
    strip = lambda text: text.replace(str(POLICIES / "cases.pol"), "cases.pol")  # noqa: E731
    assert strip(json.dumps(got, ensure_ascii=False, sort_keys=True)) == \
        strip(json.dumps(want, ensure_ascii=False, sort_keys=True))


def test_build_with_rules_and_names(tmp_path):
    run = polc("build", POLICIES / "rules_base.pol", "--rules", POLICIES / "rules_town.pol", "-o", tmp_path,
               "--name", "town")
    assert run.returncode == 0, run.stderr
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import town\n"
        "r = town.evaluate({'研发费用': '200万元', '注册在本区': True}, None, '2025-07-01')\n"
        "print(r['条款'][0]['金额'], town.PARAMETERS['研发支持比例']['取值'], town.POLICY['细则'])\n"
    )
    run = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True,
                         encoding="utf-8", timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["300000.00", "0.15", "某镇实施细则"]  # 200万 × 15%


def test_build_non_ascii_file_name(tmp_path):
    shutil.copy(POLICIES / "cases.txt", tmp_path)
    shutil.copy(POLICIES / "cases.pol", tmp_path / "案例政策.pol")
    run = polc("build", tmp_path / "案例政策.pol", "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "policy.py").exists()


def test_test_passing_cases():
    run = polc("test", POLICIES / "cases.pol", "--examples", "20")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "8 passed, 0 failed" in run.stdout
    assert "失败" not in run.stdout


def test_test_failing_case_shows_a_readable_diff(tmp_path):
    shutil.copy(POLICIES / "cases.txt", tmp_path)
    text = (POLICIES / "cases.pol").read_text(encoding="utf-8")
    text = text.replace("预期 第1条「外资」 符合，金额为 71万元", "预期 第1条「外资」 符合，金额为 70万元")
    text = text.replace("预期 第2条「规上」 信息不足", "预期 第2条「规上」 不符合")
    (tmp_path / "cases.pol").write_text(text, encoding="utf-8")
    run = polc("test", tmp_path / "cases.pol", "--no-properties", "-v")
    assert run.returncode == 1
    out = run.stdout
    assert "6 passed, 2 failed" in out
    assert "失败  刚好达到200万美元" in out
    assert "第1条「外资」：预期 符合，金额 700000.00，实际 符合，金额 710000.00" in out
    assert "失败  不知是否首次" in out
    assert "第2条「规上」：预期 不符合，实际 信息不足" in out
    assert "「首次纳入规上」" in out  # -v shows the trace of the failing item
