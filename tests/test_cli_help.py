"""The command line as a person meets it: help in Chinese, aligned columns, usage errors, --version,
JSON reports of one shape with Chinese keys, colour only where it belongs, progress on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import compiler
from compiler.cli import EXAMPLES, build_parser
from compiler.escape import display_width

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "policies" / "cases.pol"
CLEAN = REPO / "tests" / "prop_policies" / "clean.pol"
COMMANDS = [name for name in EXAMPLES if name != "polc"]


def polc(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=REPO, timeout=300, env=dict(os.environ, COLUMNS="100", **(env or {})))


def on_a_terminal(*args, env: dict | None = None) -> str:
    """What polc writes (stdout and stderr together) when both are a terminal."""
    main, child = pty.openpty()
    environ = dict(os.environ, COLUMNS="100", TERM="xterm")
    environ.pop("NO_COLOR", None)
    environ.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "compiler.cli", *map(str, args)], stdin=child, stdout=child,
                            stderr=child, cwd=REPO, env=environ)
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", errors="replace")


# ---- help ----------------------------------------------------------------------------------------

ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments", "show this help message",
           "show program's version", "error:")


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_chinese_with_examples(command):
    run = polc(*([command] if command else []), "-h")
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert [w for w in ENGLISH if w in text.lower()] == []
    assert text.startswith(f"用法：polc {command}".rstrip()) and "选项：" in text and "显示本帮助并退出" in text
    assert "示例：" in text and EXAMPLES[command or "polc"][0] in text


@pytest.mark.parametrize("command", COMMANDS)
def test_help_columns_line_up_by_display_width(command):
    text = polc(command, "-h").stdout
    starts = set()
    for line in text.splitlines():
        # an option with its help on the same line: "  --set 名称=值         为参数取值…"
        m = re.match(r"^(  \S.*?\S)( {2,})(\S.*)$", line)
        if m and m.group(1).lstrip().startswith(("-", "FILE", "POLICY")):
            starts.add(display_width(m.group(1) + m.group(2)))
    assert len(starts) == 1, (starts, text)


def test_columns_of_a_chinese_metavar_line_up():
    # --set 名称=值 is 11 characters but 13 columns wide: padded by len() it would stand 2 columns off
    text = polc("eval", "-h").stdout
    set_line = next(line for line in text.splitlines() if line.startswith("  --set 名称=值"))
    rules_line = next(line for line in text.splitlines() if line.startswith("  --rules RULES.pol"))
    help_at = lambda line: display_width(re.match(r"^(  \S.*?\S {2,})", line).group(1))  # noqa: E731
    assert help_at(set_line) == help_at(rules_line)


def test_usage_errors_are_chinese():
    run = polc("check")
    assert run.returncode == 2 and "用法：polc check" in run.stderr and "缺少必需的参数：FILE" in run.stderr
    run = polc("check", CASES, "--format", "xml")
    assert run.returncode == 2 and "参数 --format 的值 'xml' 无效（可选：'text', 'json'）" in run.stderr
    run = polc("verify", CASES, "--rlimit", "很多")
    assert run.returncode == 2 and "不是整数" in run.stderr
    run = polc("check", CASES, "--frobnicate")
    assert run.returncode == 2 and "无法识别的参数：--frobnicate" in run.stderr
    assert not [w for w in ENGLISH if w in run.stderr.lower()]


def test_version_has_one_source():
    run = polc("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"polc {compiler.__version__}"
    assert version("polc") == compiler.__version__  # pyproject reads it from compiler/__init__.py


def test_the_command_reference_lists_the_examples():
    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert EXAMPLES[command][0] in page, command


# ---- JSON ----------------------------------------------------------------------------------------

def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def chinese(keys_: set[str]) -> bool:
    return all(re.search(r"[\u4e00-\u9fff]", k) for k in keys_)


def test_check_json_is_a_list_for_one_file_and_for_two():
    one = json.loads(polc("check", CASES, "--format", "json").stdout)
    two = json.loads(polc("check", CASES, CLEAN, "--format", "json").stdout)
    assert isinstance(one, list) and len(one) == 1 and isinstance(two, list) and len(two) == 2
    assert one[0] == two[0]
    assert set(one[0]) == set(two[1]) and chinese(keys(two))
    # cases.pol: its 8 案例 lines (counted in the file), no errors
    assert one[0]["文件"] == str(CASES) and one[0]["通过"] is True and one[0]["统计"]["案例"] == 8


def test_check_json_diagnostics_in_chinese(tmp_path):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n第1条「x」\n  款「y」\n    给予 按「不存在」\n", encoding="utf-8")
    run = polc("check", bad, "--format", "json")
    report = json.loads(run.stdout)
    assert run.returncode == 1 and report[0]["通过"] is False and report[0]["错误数"] >= 1
    first = report[0]["诊断"][0]
    assert first["级别"] == "错误" and first["文件"] == str(bad) and first["行"] >= 1 and chinese(keys(report))


def test_eval_format_json_is_the_result_and_json_is_its_alias(tmp_path):
    record = tmp_path / "e.json"
    record.write_text(json.dumps({"年新增实到外资": "300万美元", "申报年度": 2025}, ensure_ascii=False),
                      encoding="utf-8")
    a = polc("eval", CASES, "--input", record, "--format", "json", "--set", "外资支持比例=5%")
    b = polc("eval", CASES, "--input", record, "--json", "--set", "外资支持比例=5%")
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout
    assert isinstance(json.loads(a.stdout), dict) and "条款" in json.loads(a.stdout)


def test_verify_json_keys_and_outcomes_are_chinese():
    run = polc("verify", CLEAN, "--format", "json")
    report = json.loads(run.stdout)
    assert isinstance(report, dict) and chinese(keys({k: v for k, v in report.items() if k != "性质"}))
    assert report["性质数"] == len(report["性质"]) and report["已证明"] <= report["性质数"]
    assert {p["结果"] for p in report["性质"]} <= {"已证明", "反例", "未定", "无法编码"}
    assert set(report["性质"][0]) == {"条款", "性质", "结果", "说明", "反例"}
    assert polc("verify", CLEAN, "--json").stdout.split('"用时秒"')[0] == run.stdout.split('"用时秒"')[0]


def test_test_json_counts_cases_and_properties():
    run = polc("test", CASES, "--format", "json", "--examples", "5")
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["通过"] is True and chinese(keys(report))
    assert report["案例"]["通过"] == 8 and report["案例"]["失败"] == 0 and len(report["案例"]["明细"]) == 8
    assert report["性质"]["失败"] == 0 and report["性质"]["通过"] == len(
        [p for p in report["性质"]["明细"] if p["结果"] == "通过"]) > 0
    alone = json.loads(polc("test", CASES, "--format", "json", "--no-properties").stdout)
    assert alone["性质"] is None and alone["案例"] == report["案例"]


def test_review_json():
    run = polc("review", CASES, "--format", "json")
    report = json.loads(run.stdout)
    assert run.returncode == 0 and chinese(keys(report))
    assert sum(report["统计"].values()) == len(report["意见"]) > 0
    assert {"级别", "标题", "理由", "建议"} <= set(report["意见"][0])


# ---- colour and progress ---------------------------------------------------------------------------

def test_colour_on_a_terminal_and_never_with_no_color(tmp_path):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n第1条「x」\n  款「y」\n    给予 按「不存在」\n", encoding="utf-8")
    coloured = on_a_terminal("check", bad)
    assert "\x1b[31m错误\x1b[0m[" in coloured
    plain = on_a_terminal("check", bad, env={"NO_COLOR": "1"})
    assert "错误[" in plain and "\x1b[" not in plain
    piped = polc("check", bad)
    assert "错误[" in piped.stdout and "\x1b[" not in piped.stdout + piped.stderr


def test_polc_test_shows_progress_on_a_terminal_and_every_line_in_a_log():
    shown = on_a_terminal("test", CASES, "--examples", "5", env={"NO_COLOR": "1"})
    assert "\r\x1b[K案例 1/8" in shown and "\r\x1b[K性质 1/" in shown
    assert "通过  " not in shown and "8 passed, 0 failed" in shown  # passes are on the progress line only
    log = polc("test", CASES, "--examples", "5")
    assert log.stdout.count("通过  ") >= 8 and "\r" not in log.stdout + log.stderr


def test_polc_verify_shows_progress_on_a_terminal_only():
    # clean.pol has five items with amounts (第1条 to 第4条), each verified in turn
    shown = on_a_terminal("verify", CLEAN, env={"NO_COLOR": "1"})
    assert "\r\x1b[K验证 1/5  第1条「研发支持」" in shown and "证明 " in shown
    log = polc("verify", CLEAN)
    assert "验证 1/" not in log.stdout + log.stderr and "\r" not in log.stdout + log.stderr
