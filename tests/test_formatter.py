"""polc fmt: one layout, idempotent, and meaning-preserving on every policy in the repository.

Meaning is compared on the lowered plan (what both evaluators run) with positions
taken out, since the formatter moves text between lines and columns by design.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from compiler.semantics.check import check
from compiler.diagnostics import Diagnostic
from compiler.syntax.formatter import format_text
from compiler.plan.lower import lower
from test_fuzz_frontend import programs

REPO = Path(__file__).parent.parent
POLICY_DIRS = ("policies", "stdlib", "tests/policies", "tests/prop_policies", "tests/data", "tests/review")
ALL_POLICIES = sorted(p for d in POLICY_DIRS for p in (REPO / d).rglob("*.pol"))


def _without_positions(text: str) -> str:
    text = re.sub(r"Span\([^)]*\)", "Span", text)
    return re.sub(r"\.pol:\d+:\d+", ".pol", text)


def _meaning(path: Path, text: str | None):
    result = check(str(path), text=text)
    codes = sorted(d.code for d in result.diagnostics)
    plan = _without_positions(repr(lower(result.program))) if result.ok and result.program.main.kind != "模块" else None
    return codes, plan


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], capture_output=True, text=True, timeout=120)


def test_every_repository_policy_is_found():
    assert len(ALL_POLICIES) >= 30
    assert REPO / "policies" / "minhang_2024.pol" in ALL_POLICIES


@pytest.mark.parametrize("path", ALL_POLICIES, ids=lambda p: str(p.relative_to(REPO)))
def test_format_keeps_meaning_and_is_idempotent(path: Path):
    original = path.read_text(encoding="utf-8")
    formatted = format_text(original, str(path))
    assert isinstance(formatted, str), formatted
    assert format_text(formatted, str(path)) == formatted
    before, after = _meaning(path, None), _meaning(path, formatted)
    assert before == after
    # Every comment and every 「」 (names, 原文, 备注) is still there, byte for byte and in order.
    assert re.findall(r"「[^」]*」", formatted) == re.findall(r"「[^」]*」", original)
    comments = lambda t: [c.strip() for c in re.findall(r"#[^\n]*", re.sub(r"「[^」]*」", "", t))]  # noqa: E731
    assert comments(formatted) == comments(original)


def test_minhang_plan_is_compared_for_real():
    """The meaning check must see the plan, not only diagnostics: the Minhang policy checks."""
    codes, plan = _meaning(REPO / "policies" / "minhang_2024.pol", None)
    assert plan is not None and "研发投入支持" in plan


MESSY = """政策「排版」
  # 头注释
参数「比例」：比例，  范围 0%   至 100%,待定
参数「上限」 ： 金额 ，待定   # 行尾注释

第1条「标题」 原文「原文 照抄，  不动」
款「甲」
原文「句子」
条件 「企业规模」 不低于
    100万元 且
    「符合导向」
给予 按 「营业收入」 的 「比例」
      上限「上限」


# 两个空行之后
案例「一」
企业「企业规模」200万元,「符合导向」是
  设定「比例」为 10%
预期 第1条「甲」 符合,金额为 20万元
"""

# Worked by hand from the rules above: statements at column 0, 原文 and 款 under 条 at 2,
# clauses under 款 at 4, continuation lines two deeper than their clause, case parts at 2;
# once one clause of a block has its own line, so does every clause (原文 moves off the 第1条 line);
# one space where the author left any space between two tokens (「企业规模」 stays spaced), none where
# they wrote two tokens together (「上限」：) and none next to a separator; one blank line at most.
MESSY_FORMATTED = """政策「排版」
# 头注释
参数「比例」：比例，范围 0% 至 100%,待定
参数「上限」：金额，待定 # 行尾注释

第1条「标题」
  原文「原文 照抄，  不动」
  款「甲」
    原文「句子」
    条件 「企业规模」 不低于
      100万元 且
      「符合导向」
    给予 按 「营业收入」 的 「比例」
    上限「上限」

# 两个空行之后
案例「一」
  企业「企业规模」200万元,「符合导向」是
  设定「比例」为 10%
  预期 第1条「甲」 符合,金额为 20万元
"""


def test_canonical_layout_by_example():
    assert format_text(MESSY) == MESSY_FORMATTED
    assert format_text(MESSY_FORMATTED) == MESSY_FORMATTED


def test_spacing_next_to_names_is_the_authors():
    """Both styles the docs use stay as written; a run of spaces becomes one."""
    together = "政策「p」\n第1条「a」\n  款「b」\n    条件「甲」且「乙」\n"
    spaced = "政策「p」\n第1条「a」\n  款「b」\n    条件 「甲」 且 「乙」\n"
    assert format_text(together) == together
    assert format_text(spaced) == spaced
    assert format_text(spaced.replace(" 且 ", "   且\t")) == spaced


def test_shipped_policies_are_in_canonical_layout():
    """What the docs point drafters to is what polc fmt writes (polc fmt policies/*.pol --check)."""
    shipped = sorted(str(p) for p in (REPO / "policies").glob("*.pol"))
    result = run("fmt", *shipped, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_joining_that_would_change_the_tokens_keeps_a_space():
    # “100 ：50万元” joined as “100：50万元” would lex “100:50” as a ratio; the space after “：” stays.
    # Where nothing can merge (“100 ：「y」”) the spaces go as usual.
    text = "政策「p」\n第1条「a」\n  款「b」\n    给予 分档「x」\n      档 不低于 100 ：50万元\n      档 低于 100 ：「y」\n"
    formatted = format_text(text)
    assert formatted == ("政策「p」\n第1条「a」\n  款「b」\n    给予 分档「x」\n"
                         "      档 不低于 100： 50万元\n      档 低于 100：「y」\n")
    assert format_text(formatted) == formatted


def test_syntax_error_gives_the_diagnostic():
    result = format_text("政策「p」\n参数「x」比例\n", "p.pol")
    assert isinstance(result, Diagnostic) and result.code == "E101"
    assert result.span.line == 2


def test_cli_check_and_write(tmp_path):
    path = tmp_path / "m.pol"
    path.write_text(MESSY, encoding="utf-8")
    checked = run("fmt", str(path), "--check")
    assert checked.returncode == 1 and "m.pol" in checked.stdout
    assert path.read_text(encoding="utf-8") == MESSY  # --check writes nothing
    assert run("fmt", str(path)).returncode == 0
    assert path.read_text(encoding="utf-8") == MESSY_FORMATTED
    assert run("fmt", str(path), "--check").returncode == 0
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「p」\n参数「x」比例\n", encoding="utf-8")
    broken = run("fmt", str(bad))
    assert broken.returncode == 1 and "E101" in broken.stdout + broken.stderr
    assert bad.read_text(encoding="utf-8") == "政策「p」\n参数「x」比例\n"


# ---- programs generated from the grammar: the parse (tokens and tree shape) must not change ----

def _shape(tree):
    from lark import Token
    if isinstance(tree, Token):
        return (tree.type, str(tree))
    return (tree.data, tuple(_shape(c) for c in tree.children))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_generated_programs_keep_their_parse(data):
    from compiler.syntax import parser
    from compiler.syntax.source import decode

    text = data.draw(programs("article"))
    text = "政策「p」\n" + text + "\n"
    source = decode("g.pol", text.encode("utf-8"))
    try:
        tree = parser.lark_parser().parse(source.normalized)
    except Exception:  # noqa: BLE001 - only programs that parse are of interest here
        return
    formatted = format_text(text, "g.pol")
    assert isinstance(formatted, str)
    again = decode("g.pol", formatted.encode("utf-8"))
    assert _shape(parser.lark_parser().parse(again.normalized)) == _shape(tree)
    assert format_text(formatted, "g.pol") == formatted


def test_deep_nesting_gives_a_diagnostic_not_a_traceback():
    text = "政策「p」\n第1条「a」\n  款「b」\n    条件 " + "(" * 3000 + "「x」" + ")" * 3000 + "\n    给予 1元\n"
    result = format_text(text, "deep.pol")
    assert isinstance(result, Diagnostic) and result.code in ("E110", "E101", "E100")


def test_many_places_that_would_merge_still_keep_the_tokens():
    # Twelve tiers whose “100 ：50万元” would each lex as a ratio if joined: more than the formatter
    # fixes one at a time, so it keeps every space the author wrote; the tokens must still be the same.
    tiers = "".join(f"      档 不低于 {100 + i} ：50万元\n" for i in range(12))
    text = "政策「p」\n第1条「a」\n  款「b」\n    给予 分档「x」\n" + tiers
    formatted = format_text(text)
    assert isinstance(formatted, str)
    assert formatted.count(" ：50万元") == 12 and formatted.count("：50万元") == 12
    assert format_text(formatted) == formatted


def test_written_forms_are_kept_and_newlines_unified():
    # A BOM, CRLF newlines, a full-width ＃ comment and full-width ：（） are as the drafter wrote them;
    # only the layout changes (BOM dropped, LF newlines, the spaces around ： and ， gone).
    text = "\ufeff政策「p」\r\n＃ 全角注释：「不是名称」\r\n参数「x」 ： 金额（美元） ，待定\r\n"
    assert format_text(text) == "政策「p」\n＃ 全角注释：「不是名称」\n参数「x」：金额（美元），待定\n"
