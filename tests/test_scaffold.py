"""polc new and the 待编码 form: a draft that quotes every sentence and encodes none yet."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from compiler.semantics.check import check
from compiler.syntax.formatter import format_text
from compiler.review import review_markdown
from compiler.scaffold import scaffold, split
from evalkit import Pair

REPO = Path(__file__).parent.parent
MINHANG_TEXT = REPO / "policies" / "minhang_2024.txt"


def polc(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_minhang_scaffold_checks_with_full_coverage_and_every_item_open(tmp_path):
    shutil.copy(MINHANG_TEXT, tmp_path / "minhang_2024.txt")
    out = tmp_path / "闵行.pol"
    run = polc("new", "--source", str(tmp_path / "minhang_2024.txt"), "-o", str(out))
    assert run.returncode == 0, run.stderr
    result = check(str(out))
    assert result.ok, [f"{d.code} {d.message}" for d in result.errors]
    assert result.coverage.ratio == 1.0, result.coverage.uncovered
    summary = result.summary()
    # The text numbers articles 1 to 54 under 二、支持的内容, and its 三、附则 has 5 paragraphs: 59 articles.
    assert summary["articles"] == 59
    items = list(result.program.symbols.items.values())
    assert items and all(i.unencoded for i in items)
    assert summary["open_items"] == len(items) == len(result.coverage.open_items)
    assert {d.code for d in result.warnings} >= {"W470"}
    assert sum(d.code == "W470" for d in result.warnings) == len(items)
    # Article 1 is “支持企业加大研发投入。” followed by two sentences: two 款.
    first = result.program.symbols.articles["1"]
    assert first.title == "支持企业加大研发投入" and len(first.items) == 2
    assert first.items[1].quote.text.startswith("对于符合我区产业导向")
    # The review lists every open 款, and `polc check` says how many there are.
    report = review_markdown(result.program)
    assert f"59条共{len(items)}款尚待编码" in report
    shown = polc("check", str(out))
    assert shown.returncode == 0 and f"待编码的款 {len(items)}" in shown.stdout and "原文覆盖率 100.0%" in shown.stdout
    # Written again, the file is refused unless --force.
    again = polc("new", "--source", str(tmp_path / "minhang_2024.txt"), "-o", str(out))
    assert again.returncode == 1 and "已存在" in again.stderr


SMALL = """某区关于支持外资企业的若干意见
一、支持内容
1. 鼓励外资企业扩大投资。符合本区产业发展导向的外资项目,可给予资金支持。对新设企业给予一次性奖励。
二、附则
本意见自2025年1月1日起施行,试行一年。
"""

# Written by hand from SMALL: the section heading before article 1 is where the operative text starts;
# article 1's first sentence is its title and 原文, each later sentence one 款; the 附则 paragraph is
# 附则第1条, its one sentence also its only 款.
SMALL_POL = """# 由 polc new 从「原文.txt」生成：每一款只照抄了原文，标为“待编码”。
# 逐款写出条件与“给予”后删去“待编码”；polc check 列出尚待编码的款。

政策「某区关于支持外资企业的若干意见」
原文文件「原文.txt」自「一、支持内容」起

第1条「鼓励外资企业扩大投资」
  原文「鼓励外资企业扩大投资。」
  款「第1款」
    原文「符合本区产业发展导向的外资项目,可给予资金支持。」
    待编码
  款「第2款」
    原文「对新设企业给予一次性奖励。」
    待编码

附则「二、附则」

附则第1条「本意见自2025年1月1日起施行」
  原文「本意见自2025年1月1日起施行,试行一年。」
  款「第1款」
    原文「本意见自2025年1月1日起施行,试行一年。」
    待编码
"""


def test_small_text_by_hand(tmp_path):
    assert scaffold(SMALL, "原文.txt") == SMALL_POL
    assert format_text(SMALL_POL) == SMALL_POL  # the scaffold is already in the formatter's layout
    name, start, chapters = split(SMALL)
    assert (name, start) == ("某区关于支持外资企业的若干意见", "一、支持内容")
    (tmp_path / "原文.txt").write_text(SMALL, encoding="utf-8")
    (tmp_path / "a.pol").write_text(SMALL_POL, encoding="utf-8")
    result = check(str(tmp_path / "a.pol"))
    assert result.ok and result.coverage.ratio == 1.0 and len(result.coverage.open_items) == 3


def test_unencoded_items_are_not_evaluated_in_either_evaluator(tmp_path):
    (tmp_path / "原文.txt").write_text(SMALL, encoding="utf-8")
    text = SMALL_POL.replace("""  款「第2款」
    原文「对新设企业给予一次性奖励。」
    待编码""", """  款「第2款」
    原文「对新设企业给予一次性奖励。」
    给予 10万元""")
    (tmp_path / "a.pol").write_text(text, encoding="utf-8")
    pair = Pair(tmp_path / "a.pol")
    result = pair.evaluate({})
    # Only the written 款 (a fixed 10万元 with no condition) is evaluated; the 待编码 ones are absent.
    assert [r["条款"] for r in result["条款"]] == ["第1条「第2款」"]
    pair.expect("第1条「第2款」", {}, "符合", "100000.00")


def test_unencoded_with_a_rule_is_an_error(tmp_path):
    (tmp_path / "原文.txt").write_text(SMALL, encoding="utf-8")
    text = SMALL_POL.replace("""    原文「对新设企业给予一次性奖励。」
    待编码""", """    原文「对新设企业给予一次性奖励。」
    给予 10万元
    待编码""")
    (tmp_path / "a.pol").write_text(text, encoding="utf-8")
    result = check(str(tmp_path / "a.pol"))
    errors = [d for d in result.errors if d.code == "E476"]
    assert len(errors) == 1 and "给予" in errors[0].message and errors[0].span.line == 12


def test_source_outside_the_output_folder_is_refused(tmp_path):
    (tmp_path / "t.txt").write_text(SMALL, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    run = polc("new", "--source", str(tmp_path / "t.txt"), "-o", str(tmp_path / "sub" / "a.pol"))
    assert run.returncode == 1 and "同一目录" in run.stderr and not (tmp_path / "sub" / "a.pol").exists()


def test_docs_page_says_unencoded_instead_of_inventing_a_rule(tmp_path):
    (tmp_path / "原文.txt").write_text(SMALL, encoding="utf-8")
    (tmp_path / "a.pol").write_text(SMALL_POL, encoding="utf-8")
    run = polc("docs", str(tmp_path / "a.pol"), "-o", str(tmp_path / "site"))
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "site" / "article-1.md").read_text(encoding="utf-8")
    assert page.count("**待编码**") == 2
    assert "非资金支持" not in page and "所有企业" not in page


def test_a_case_about_an_unencoded_item_fails_with_a_reason(tmp_path):
    (tmp_path / "原文.txt").write_text(SMALL, encoding="utf-8")
    (tmp_path / "a.pol").write_text(SMALL_POL + "\n案例「先写的案例」\n  预期 第1条「第1款」 符合\n", encoding="utf-8")
    run = polc("test", str(tmp_path / "a.pol"), "--no-properties")
    assert run.returncode == 1
    assert "预期 符合，实际 待编码" in run.stdout and "0 passed, 1 failed" in run.stdout
