"""Coverage of the source text by the rules' quotes: what it lists agrees with its figure, the
heading named in 自「…」起 is not uncovered, and the work stays linear on hostile texts."""

from __future__ import annotations

import time

from compiler.semantics.check import check
from compiler.semantics.coverage import Budget, coverage, occurrences


def write(tmp_path, text: str, pol: str):
    (tmp_path / "原文.txt").write_text(text, encoding="utf-8")
    (tmp_path / "p.pol").write_text(pol, encoding="utf-8")
    result = check(tmp_path / "p.pol")
    assert result.program is not None and not result.errors, [d.message for d in result.errors]
    return coverage(result.program)


HEAD = "政策「覆盖测试政策」\n原文文件「原文.txt」 自「二、支持内容」起\n施行 自 2025-01-01 起\n引用「基础」、「企业」\n\n"


def article(k: int, title: str, quote: str) -> str:
    return (f"第{k}条「{title}」\n  原文「{title}。」\n  款「{title}」\n    原文「{quote}」\n"
            "    条件 「注册在本区」\n    给予 10万元\n")


def test_heading_of_the_start_and_numbering_are_not_uncovered(tmp_path):
    # The operative text starts at its heading 二、支持内容 (named in 自「…」起): it is the start, not
    # text a rule should quote. "1." and "2." between the quotes are numbering: nothing to list.
    text = ("覆盖测试政策\n\n一、总则\n\n为了测试。\n\n二、支持内容\n\n"
            "1.支持研发。对研发投入大的企业给予支持。\n2.支持投资。对投资大的企业给予支持。\n")
    cov = write(tmp_path, text, HEAD + article(1, "支持研发", "对研发投入大的企业给予支持。")
                + article(2, "支持投资", "对投资大的企业给予支持。"))
    assert cov.uncovered == ()
    assert cov.ratio == 1.0


def test_ratio_below_one_exactly_when_something_is_listed(tmp_path):
    text = ("覆盖测试政策\n\n二、支持内容\n\n1.支持研发。对研发投入大的企业给予支持。本政策自印发之日起施行。\n"
            "2.支持投资。对投资大的企业给予支持。\n")
    cov = write(tmp_path, text, HEAD + article(1, "支持研发", "对研发投入大的企业给予支持。")
                + article(2, "支持投资", "对投资大的企业给予支持。"))
    assert cov.uncovered == ("本政策自印发之日起施行。",)
    # covered: every squeezed character but the sentence above and the two "1." "2." (4 characters);
    # the total is the covered characters plus the 12 listed ones
    listed = len("本政策自印发之日起施行。")
    assert cov.total == cov.covered + listed and cov.ratio < 1.0


def test_overlapping_and_repeated_places_all_count():
    text = "甲乙丙丁戊己庚辛壬癸甲乙丙丁戊己庚辛"
    found = occurrences(text, ["甲乙丙丁戊己庚辛", "丁戊己庚辛壬癸甲乙", "庚辛"])
    assert found["甲乙丙丁戊己庚辛"] == [0, 10]
    assert found["丁戊己庚辛壬癸甲乙"] == [3]
    assert found["庚辛"] == [6, 16]


def test_repetitive_text_stops_at_the_work_limit_and_says_so():
    # 2,000 distinct quotes of 支持 repeated, in a text of 400,000 支持: every quote occurs at almost
    # every other place; marking them all is 2000 × 200000 × ~1000 characters.
    text = "支持" * 200_000
    quotes = ["支持" * k for k in range(8, 2008)]
    budget = Budget(len(text) + 100_000)
    start = time.perf_counter()
    occurrences(text, quotes, budget=budget)
    assert time.perf_counter() - start < 10
    assert budget.exhausted


def test_many_quotes_in_a_large_text_take_linear_time(tmp_path):
    # 6,000 articles each quoting its own sentence; twice as many should take about twice as long,
    # far from the four times a search per quote over the whole text takes.
    def run(count: int) -> float:
        sentences = [f"对第{k}类重点项目年度投资达到{k}万元的企业按投资额给予第{k}号支持。" for k in range(count)]
        text = "".join(sentences)
        start = time.perf_counter()
        found = occurrences(text, sentences)
        elapsed = time.perf_counter() - start
        assert all(found[s] for s in sentences)
        return elapsed

    run(1000)  # warm up
    small, large = min(run(3000) for _ in range(2)), min(run(12000) for _ in range(2))
    assert large < small * 8, (small, large)
