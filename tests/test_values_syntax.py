"""Syntax error messages for words the language does not know: the hint fits the mistake, and the list
of what may come next is given whole and only holds what the parser would accept there."""

from __future__ import annotations

from frontend_util import HEADER, run

A = HEADER + "第1条「甲」\n  款「乙」\n"


def test_unknown_word_after_a_value_is_not_called_a_name():
    d = run(A + "    条件 「x」 早于 2024年度\n").only("E100")
    assert d.hint.startswith("“早于”不是本语言的关键字")
    assert "名称要写在「」中" not in d.hint
    assert "……" not in d.message  # the list is whole
    # what may follow a value: a boundary word, an operator, 为/等于 — each listed
    for expected in ("边界词（如 不低于）", "“+”", "“等于”", "“为”", "“不等于”"):
        assert expected in d.message
    # a keyword that cannot come here is not offered
    assert "“已获”" not in d.message and "“评估日期”" not in d.message and "边界词（如 以上）" not in d.message


def test_misspelt_keyword_gets_the_nearest():
    d = run(A + "    条件 「x」 不底于 5家\n").only("E100")
    assert "不低于" in d.hint


def test_where_only_a_name_may_come_the_hint_is_the_brackets():
    d = run(HEADER + "参数 外资：比例，待定\n").only("E100")
    assert d.hint == "名称要写在「」中，如「外资」"


def test_new_words_parse():
    result = run(A + "    条件 「x」 2024-01-01 之前 且 「y」 为 「闵行区」 且 「z」 等于 2024年度\n")
    assert not [d for d in result.diagnostics if d.code.startswith("E1")], result.describe()
