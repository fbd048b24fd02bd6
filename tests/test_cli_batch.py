"""``polc eval --input FILE --output FILE`` for many enterprises, and the cache that keeps a repeated
``polc eval`` from checking again.

Policy: tests/policies/portal.pol (see test_results.py for its rules). Amounts, worked out by hand:
工业总产值 1.5亿 → 第3条 first tier 20万; 6亿 → 第1条 30万 (≥ 2亿) + 第3条 60万 = 90万.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from compiler import batch

from compiler import cache
from evalkit import POLICIES, REPO

PORTAL = POLICIES / "portal.pol"
SMALL = {"企业名称": "甲", "工业总产值": "1.5亿元"}  # 合计 20万
LARGE = {"企业名称": "乙", "工业总产值": "6亿元", "研发投入重点企业": False}  # 合计 90万


def polc(*args, cache_dir) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=REPO, timeout=600, env={**os.environ, "POLC_CACHE_DIR": str(cache_dir)})


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "cache"


def test_jsonl_in_jsonl_out_with_a_bad_line(tmp_path, cache_dir):
    source = tmp_path / "in.jsonl"
    lines = [json.dumps(SMALL, ensure_ascii=False), '{"工业总产值": 1.5}', "", "{oops", json.dumps(LARGE, ensure_ascii=False)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = polc("eval", PORTAL, "--input", source, "--output", out, cache_dir=cache_dir)
    assert run.returncode == 1  # two bad records, the rest written
    assert f"{source}：第2行：$.工业总产值：金额不能用浮点数" in run.stderr
    assert f"{source}：第4行：不是有效的 JSON" in run.stderr
    assert "已求值 4 条，其中 2 条有问题" in run.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["行"] for r in rows] == [1, 2, 4, 5]
    assert rows[0]["结果"]["汇总"]["合计"] == "200000.00"
    assert rows[3]["结果"]["汇总"]["合计"] == "900000.00"
    assert rows[1]["问题"][0]["位置"] == "$.工业总产值"


def test_csv_cells_are_read_by_the_declared_types(tmp_path, cache_dir):
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["企业名称", "工业总产值", "研发投入重点企业", "研发费用"])
        w.writerow(["甲", "1.5亿元", "", ""])
        w.writerow(["乙", "6亿元", "是", "800万元"])  # + 第2条: 800万 × 10% = 80万 → cap 50万
        w.writerow(["丙", "6亿元", "也许", ""])
    out = tmp_path / "out.csv"
    run = polc("eval", PORTAL, "--input", source, "--output", out, cache_dir=cache_dir)
    assert run.returncode == 1
    assert "第4行：列「研发投入重点企业」应是 是/否" in run.stderr
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["行"], r["企业名称"], r["合计"]) for r in rows] == [
        ("2", "甲", "200000.00"), ("3", "乙", "1400000.00"), ("4", "", "")]
    assert rows[0]["信息不足条款"] == "第1条「规模」、第2条「研发」"
    assert rows[2]["问题"].startswith("$：列「研发投入重点企业」")


def test_parquet_in_and_out(tmp_path, cache_dir):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"企业名称": ["甲", "乙"], "工业总产值": ["1.5亿元", "6亿元"],
                             "研发投入重点企业": [None, False]}), source)
    out = tmp_path / "out.parquet"
    run = polc("eval", PORTAL, "--input", source, "--output", out, cache_dir=cache_dir)
    assert run.returncode == 0, run.stderr
    table = pq.read_table(out).to_pylist()
    assert [(r["行"], r["企业名称"], r["合计"]) for r in table] == [(1, "甲", "200000.00"), (2, "乙", "900000.00")]
    assert json.loads(table[1]["结果"])["政策"] == "门户视图测试"


def test_json_array_in_json_out_equals_single_evaluations(tmp_path, cache_dir):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([SMALL, LARGE], ensure_ascii=False, indent=2), encoding="utf-8")
    out = tmp_path / "out.json"
    run = polc("eval", PORTAL, "--input", source, "--output", out, "--detail", "full", cache_dir=cache_dir)
    assert run.returncode == 0, run.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    for row, record in zip(rows, (SMALL, LARGE)):
        single = tmp_path / "one.json"
        single.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        alone = polc("eval", PORTAL, "--input", single, "--json", cache_dir=cache_dir)
        assert row["结果"] == json.loads(alone.stdout)


def test_json_array_reader_streams_elements_across_chunks(tmp_path):
    source = tmp_path / "many.json"
    records = [{"企业名称": f"企业{i}", "工业总产值": f"{i}万元"} for i in range(300)]
    source.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    read = list(batch._json_array(source, chunk_size=64))  # far smaller than one record
    assert read == list(enumerate(records, 1))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"a": 1},\n {"b": 2}\n {"c": 3}]', encoding="utf-8")
    read = list(batch._json_array(broken, chunk_size=8))
    assert read[:2] == [(1, {"a": 1}), (2, {"b": 2})]
    assert isinstance(read[2][1], batch.RecordError) and "第3行" in str(read[2][1])


def decided_rows(result: dict) -> dict:
    return {r["条款"]: (r["状态"], r["金额"]) for r in result["条款"]}


@pytest.mark.parametrize("no_cache", [False, True], ids=["generated-module", "interpreter"])
def test_results_detail_decides_without_a_trace(tmp_path, cache_dir, no_cache):
    """--detail results: the decide path (the cached generated module's, or the interpreter's with
    --no-cache): the totals of the module docstring, no trace, the same problems, and per item the
    same status and amount as --detail full."""
    source = tmp_path / "in.jsonl"
    lines = [json.dumps(SMALL, ensure_ascii=False), '{"工业总产值": 1.5}', json.dumps(LARGE, ensure_ascii=False)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    flags = ["--no-cache"] if no_cache else []
    out, full = tmp_path / "out.jsonl", tmp_path / "full.jsonl"
    run = polc("eval", PORTAL, "--input", source, "--output", out, "--detail", "results", *flags, cache_dir=cache_dir)
    assert run.returncode == 1 and f"{source}：第2行：$.工业总产值：金额不能用浮点数" in run.stderr
    assert polc("eval", PORTAL, "--input", source, "--output", full, "--detail", "full", cache_dir=cache_dir).returncode == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines()]
    assert [r["结果"]["汇总"]["合计"] for r in (rows[0], rows[2])] == ["200000.00", "900000.00"]
    assert rows[1] == expected[1]  # the same problems, in the same place
    for row, whole in zip((rows[0], rows[2]), (expected[0], expected[2])):
        assert all("理由" not in r and "原文" not in r for r in row["结果"]["条款"])
        assert decided_rows(row["结果"]) == decided_rows(whole["结果"])
        assert row["结果"]["汇总"]["最高合计"] == whole["结果"]["汇总"]["最高合计"]


def test_results_detail_for_one_enterprise_and_to_csv(tmp_path, cache_dir):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(LARGE, ensure_ascii=False), encoding="utf-8")
    run = polc("eval", PORTAL, "--input", one, "--detail", "results", "--format", "json", cache_dir=cache_dir)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["汇总"]["合计"] == "900000.00" and "理由" not in result["条款"][0]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(SMALL, ensure_ascii=False) + "\n" + json.dumps(LARGE, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    run = polc("eval", PORTAL, "--input", source, "--output", out, "--detail", "results", cache_dir=cache_dir)
    assert run.returncode == 0, run.stderr
    with open(out, encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    assert [(r["企业名称"], r["合计"]) for r in table] == [("甲", "200000.00"), ("乙", "900000.00")]
    assert json.loads(table[1]["结果"]) == result


def test_a_bad_date_or_parameter_is_said_once_before_any_record(tmp_path, cache_dir):
    source = tmp_path / "in.jsonl"
    source.write_text((json.dumps(SMALL, ensure_ascii=False) + "\n") * 3, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = polc("eval", PORTAL, "--input", source, "--output", out, "--date", "2025-13-01", "--set", "不存在=1",
               cache_dir=cache_dir)
    assert run.returncode == 1
    assert run.stderr.count("“2025-13-01”不是日期") == 1 and run.stderr.count("没有参数「不存在」") == 1
    assert "输入有 2 处问题" in run.stderr and "第1行" not in run.stderr
    assert not out.exists()


def test_unknown_output_format_is_refused(tmp_path, cache_dir):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(SMALL, ensure_ascii=False) + "\n", encoding="utf-8")
    run = polc("eval", PORTAL, "--input", source, "--output", tmp_path / "out.xlsx", cache_dir=cache_dir)
    assert run.returncode == 1 and "扩展名应是" in run.stderr


# ---- the cache ----------------------------------------------------------------------------

def test_warm_cache_does_not_check_again(tmp_path, monkeypatch):
    monkeypatch.setenv("POLC_CACHE_DIR", str(tmp_path / "cache"))
    from compiler.semantics.check import check

    entry = cache.load(PORTAL, None, lambda: check(str(PORTAL)).program)

    def must_not_check():
        raise AssertionError("checked again although nothing changed")

    again = cache.load(PORTAL, None, must_not_check)
    assert again.key == entry.key
    assert again.module().evaluate(LARGE)["汇总"]["合计"] == "900000.00"


def test_a_changed_policy_or_text_is_checked_again(tmp_path, monkeypatch):
    monkeypatch.setenv("POLC_CACHE_DIR", str(tmp_path / "cache"))
    from compiler.semantics.check import check

    for name in ("portal.pol", "portal.txt"):
        (tmp_path / name).write_bytes((POLICIES / name).read_bytes())
    copy = tmp_path / "portal.pol"
    cache.load(copy, None, lambda: check(str(copy)).program)
    assert cache.lookup(copy) is not None
    (tmp_path / "portal.txt").write_text((POLICIES / "portal.txt").read_text(encoding="utf-8") + "\n附注。",
                                         encoding="utf-8")
    assert cache.lookup(copy) is None  # the official text is a dependency too
    cache.load(copy, None, lambda: check(str(copy)).program)
    copy.write_text(copy.read_text(encoding="utf-8").replace("给予 30万元", "给予 40万元"), encoding="utf-8")
    assert cache.lookup(copy) is None
    entry = cache.load(copy, None, lambda: check(str(copy)).program)
    assert entry.module().evaluate(LARGE)["汇总"]["合计"] == "1000000.00"  # 40万 + 60万


def test_policy_with_errors_is_not_cached(tmp_path, cache_dir):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n第1条「x」\n  款「y」\n    给予 按\n", encoding="utf-8")
    record = tmp_path / "e.json"
    record.write_text("{}", encoding="utf-8")
    for _ in range(2):
        run = polc("eval", bad, "--input", record, cache_dir=cache_dir)
        assert run.returncode == 1 and "无法求值" in run.stderr
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_the_key_covers_every_package_of_the_compiler(tmp_path, monkeypatch):
    """A change to any module (here plan/lower.py, deep in the layout) makes a new key: the cache must
    never serve a plan that an older compiler lowered."""
    import shutil

    import compiler

    copy = tmp_path / "compiler"
    shutil.copytree(Path(compiler.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "cache.py"))
    before = cache._compiler_digest()
    lower = copy / "plan" / "lower.py"
    lower.write_text(lower.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert cache._compiler_digest() != before


@pytest.mark.parametrize("no_cache", [False, True], ids=["generated-module", "interpreter"])
def test_results_detail_in_text_is_the_table_without_formulas_and_gaps(tmp_path, cache_dir, no_cache):
    """As text, one enterprise's decided result is the same table as --detail full, with the notes a
    decided row cannot have left out (the gaps of the items not met, shown with --all; the formulas of
    参数待定 items). Worked from portal.pol: 营业收入 5000万 and 工业总产值 1.5亿 meet neither side of
    第1条 (each 还差5000万元); 第2条 is not met; 第3条's band 1亿–5亿 gives 20万, the whole total."""
    one = tmp_path / "one.json"
    record = {"企业名称": "丙", "营业收入": "5000万元", "工业总产值": "1.5亿元", "研发投入重点企业": False}
    one.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    flags = ["--no-cache"] if no_cache else []
    for extra in ([], ["--all"]):
        full = polc("eval", PORTAL, "--input", one, "--detail", "full", *extra, *flags, cache_dir=cache_dir)
        decided = polc("eval", PORTAL, "--input", one, "--detail", "results", *extra, *flags, cache_dir=cache_dir)
        assert full.returncode == decided.returncode == 0, decided.stderr
        assert "合计：确定可得 20万元" in decided.stdout
        full_lines, decided_lines = full.stdout.splitlines(), decided.stdout.splitlines()
        assert len(full_lines) == len(decided_lines)
        for a, b in zip(full_lines, decided_lines):
            assert a == b or ("不符合" in b and a.startswith(b) and "还差5000万元" in a), (a, b)
        assert ("  第1条「规模」  不符合" in decided_lines) == bool(extra)


def test_compact_detail_for_one_enterprise_is_a_table(tmp_path, cache_dir):
    """As text, one enterprise's compact result is the table with the portal's additions; --json gives the JSON.
    Worked from portal.pol (rules in test_results.py):
    - 营业收入 8000万 and 工业总产值 1.5亿: 第1条 fails both sides (1亿 − 8000万 = 2000万; 2亿 − 1.5亿 = 5000万);
      第2条 fails on a yes/no fact, out of reach, so only counted; 第3条 is in the first of two tiers, 20万,
      and the second starts at 5亿 (3.5亿 short) and pays 60万.
    - 研发费用 300万 only: 第1条 and 第2条 would each pay 30万 (a flat 30万; 300万 × 10%, under the 50万 cap)
      if their missing facts came out favourably; 工业总产值 settles two items, so it is asked first."""
    reach = tmp_path / "reach.json"
    reach.write_text(json.dumps({"营业收入": "8000万元", "工业总产值": "1.5亿元", "研发投入重点企业": False},
                                ensure_ascii=False), encoding="utf-8")
    run = polc("eval", PORTAL, "--input", reach, "--detail", "compact", cache_dir=cache_dir)
    assert run.returncode == 0, run.stderr
    lines = [line.split() for line in run.stdout.splitlines()]
    assert lines[1] == ["第1条「规模」", "不符合", "「营业收入」达到1亿元", "或", "「工业总产值」达到2亿元任一即可：「营业收入」还差2000万元；「工业总产值」还差5000万元"]
    assert lines[2] == ["第3条「产值」", "符合", "20万元", "工业总产值", "1.5亿元，第1档（共2档）；第2档门槛5亿元，还差3.5亿元，可得60万元"]
    assert lines[3] == ["（另有", "1", "款不符合，也没有可达的差距或档次；--detail", "full", "--all", "全部显示）"]
    assert "合计：确定可得 20万元" in run.stdout

    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"研发费用": "300万元"}, ensure_ascii=False), encoding="utf-8")
    run = polc("eval", PORTAL, "--input", unknown, "--detail", "compact", cache_dir=cache_dir)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert "第2条「研发」  信息不足" in text and "缺少：研发投入重点企业；若缺少的信息都有利：可得30万元（有条件，不计入合计）" in text
    asked = text.split("建议补充（先问能决定最多款的信息）：\n")[1].splitlines()[:3]
    assert asked == ["  工业总产值：决定 2 款，有条件金额共 30万元（第1条「规模」、第3条「产值」）",
                     "  研发投入重点企业：决定 1 款，有条件金额共 30万元（第2条「研发」）",
                     "  营业收入：决定 1 款，有条件金额共 30万元（第1条「规模」）"]
    assert "合计：确定可得 0元" in text and "说明：有条件金额是条件性估计" in text
    as_json = polc("eval", PORTAL, "--input", unknown, "--detail", "compact", "--json", cache_dir=cache_dir)
    result = json.loads(as_json.stdout)
    assert result["其余不符合"] == 0 and [a["信息"] for a in result["建议补充"]] == ["工业总产值", "研发投入重点企业", "营业收入"]
