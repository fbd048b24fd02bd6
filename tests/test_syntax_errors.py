"""Malformed programs at the parse/build level: each gives one stable diagnostic
at a position worked out by hand (line and column count characters from 1; a
CJK character is one column here, the renderer widens it for display)."""

from __future__ import annotations

import signal

import pytest

from compiler.syntax import nodes
from compiler.syntax.builder import MAX_DEPTH, MAX_NAME
from compiler.diagnostics import ERROR, WARNING

from frontend_util import HEADER, check_outcome, run

P = HEADER  # line 1
# lines 2 and 3 are the article and the item; a clause written on line 4 starts at
# column 5 (four spaces), so its first word's characters are columns 5, 6, …
A = P + "第1条「甲」\n  款「乙」\n"

CASES = [
    # id, text, code, line, column
    ("missing 」", P + "参数「外资：比例，待定\n", "E100", 2, 3),  # 参 数 「
    ("missing 」 at end of file", P + "第1条「甲\n", "E100", 2, 4),  # 第 1 条 「
    ("name not in 「」", P + "参数 外资：比例，待定\n", "E100", 2, 4),  # 参 数 _ 外
    ("near keyword 不底于", A + "    条件 「x」 不底于 200万元\n", "E100", 4, 12),  # 4 sp, 条件 _ 「x」 _ 不
    ("unknown character @", P + "参数「x」：比例，待定 @\n", "E100", 2, 13),
    ("unknown type word", P + "参数「x」：金钱，待定\n", "E100", 2, 7),  # 参数「x」： then 金
    ("unknown status word", A + "    给予 1元\n案例「c」\n  预期 第1条「乙」 合格\n", "E100", 6, 13),  # 2 sp, 预期 _ 第1条「乙」 _ 合
    ("bare number, no boundary word", A + "    条件 「x」 200万元\n    给予 1元\n", "E101", 5, 5),
    ("missing 给予 body", A + "    给予\n    频次 每年\n", "E101", 5, 5),
    ("给予 at end of file", A + "    给予\n", "E102", 5, 1),  # the empty line after the last newline
    ("dangling 且", A + "    条件 「x」 且\n    给予 1元\n", "E101", 5, 5),
    ("dangling 且 at end of file", A + "    条件 「x」 且", "E102", 4, 13),  # just past 且 (column 12)
    ("unclosed parenthesis", A + "    条件 (「x」\n    给予 1元\n", "E101", 5, 5),
    ("stray parenthesis", A + "    条件 「x」)\n", "E101", 4, 11),
    ("参数 without type", P + "参数「x」：待定\n", "E101", 2, 7),
    ("参数 without colon", P + "参数「x」 比例，待定\n", "E101", 2, 7),
    ("款 before any 条", P + "款「乙」\n", "E101", 2, 1),
    ("条件 directly under 条", P + "第1条「甲」 条件 「x」\n", "E101", 2, 8),  # 第1条「甲」 is 6 characters
    ("互斥 with one item", P + "互斥：第1条「甲」 就高\n", "E101", 2, 11),
    ("等级 with one member", P + "等级「级别」：「国家级」\n", "E102", 3, 1),
    ("参数 with 取值 and 待定", P + "参数「x」：比例，取值 5%，待定\n", "E141", 2, 1),
    ("参数 with neither 取值 nor 待定", P + "参数「x」：比例，范围 0% 至 5%\n", "E142", 2, 1),
    ("header not first", "参数「x」：比例，待定\n政策「p」\n", "E150", 2, 1),
    ("second header", P + "细则「q」\n", "E150", 2, 1),
    ("duplicate 发布单位", P + "发布单位「甲」\n发布单位「乙」\n", "E151", 3, 1),
    ("duplicate 发布日期", P + "发布日期 2024-10-14\n发布日期 2024-10-15\n", "E151", 3, 1),
    ("missing header", "参数「x」：比例，待定\n", "E152", 1, 1),
    ("empty name", P + "参数「」：比例，待定\n", "E111", 2, 3),
    ("blank name", P + "参数「　 」：比例，待定\n", "E111", 2, 3),
    ("empty name in a condition", A + "    条件 「」 且 「x」\n", "E111", 4, 8),
    ("newline in a name", P + "参数「外资\n支持」：比例，待定\n", "E112", 2, 3),
    ("over-long name", P + "参数「" + "长" * (MAX_NAME + 1) + "」：比例，待定\n", "E113", 2, 3),
    ("bad date", P + "发布日期 2024-13-45\n", "E120", 2, 6),
    ("bad Chinese date", P + "发布日期 2024年2月30日\n", "E120", 2, 6),
    ("ratio 1:0", P + "参数「x」：比例，取值 1:0\n", "E120", 2, 13),
    ("万元 alone", P + "参数「x」：金额，取值 万元\n", "E120", 2, 13),
    ("bad count in 频次", A + "    频次 最多 一万万次\n", "E120", 4, 5),
    ("over-long article number", P + "第" + "1" * 5000 + "条「甲」\n", "E120", 2, 1),
    ("over-long numeral", P + "参数「x」：数值，取值 " + "〇" * 5000 + "元\n", "E120", 2, 13),
    ("(含) alone", A + "    条件 「x」 2000平方米(含)\n", "E130", 4, 8),
    ("（含） alone, full width", A + "    条件 「x」 2000平方米（含）\n", "E130", 4, 8),
    ("opposite boundary words", A + "    条件 「x」 超过 2000平方米 以下\n", "E130", 4, 8),
    ("(含) and (不含)", A + "    条件 「x」 超过 2000平方米(含)(不含)\n", "E130", 4, 8),
    ("tier band with (含) alone", A + "    给予 分档「x」\n      档 1亿元(含)：1元\n", "E130", 5, 9),
    ("tier with two lower bounds", A + "    给予 分档「x」\n      档 达到 1亿元 且 超过 2亿元：1元\n", "E131", 5, 9),
    ("tier with two upper bounds", A + "    给予 分档「x」\n      档 低于 1亿元 且 不超过 2亿元：1元\n", "E131", 5, 9),
    ("上限 with 不低于", A + "    给予 1元\n    上限 不低于 500万元\n", "E132", 5, 5),
    ("上限 with 超过", A + "    给予 1元\n    上限 超过 500万元\n", "E132", 5, 5),
    ("下限 with 最高", A + "    给予 1元\n    下限 最高 500万元\n", "E132", 5, 5),
    ("频次 第2至3发", A + "    频次 第2至3发\n", "E133", 4, 5),
    ("频次 第二至三发", A + "    频次 第二至三发\n", "E133", 4, 5),
    ("two 给予 in one 款", A + "    给予 1元\n    给予 2元\n", "E140", 3, 3),  # the 款 is at line 3, column 3
    ("two 原文 in one 款", A + "    原文「a」\n    原文「b」\n", "E140", 3, 3),
    ("two 频次 in one 款", A + "    频次 每年\n    频次 一次性\n", "E140", 3, 3),
]


@pytest.mark.parametrize("text, code, line, column", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input(text, code, line, column):
    result = run(text)
    check_outcome(result)
    d = result.only(code)
    assert (d.span.line, d.span.column) == (line, column), result.describe()
    assert d.severity == ERROR
    assert d.message  # every diagnostic says something, in Chinese
    errors = [x for x in result.diagnostics if x.severity == ERROR]
    assert errors == [d], result.describe()  # one mistake, one error


def test_there_are_at_least_thirty_distinct_cases():
    assert len({c[1] for c in CASES}) >= 30
    assert len({c[2] for c in CASES}) >= 15


# ---- hints ----

def test_near_keyword_hint():
    d = run(A + "    条件 「x」 不底于 200万元\n").only("E100")
    assert "不低于" in d.hint


def test_unknown_word_hint_says_names_go_in_brackets():
    d = run(P + "参数 外资：比例，待定\n").only("E100")
    assert "「」" in d.hint


def test_unknown_word_is_named_alone_and_not_sent_to_brackets():
    # 早于 is no word of the language; a comparison word, not a name, belongs here
    d = run(A + "    条件 「成立日期」 早于 2024-01-01\n").only("E100")
    assert "“早于”" in d.message and "“早于 " not in d.message
    assert not d.hint.startswith("名称要写在「」中")
    assert "不是本语言的关键字" in d.hint
    # the list of what may come is given whole: every boundary word form and every value form is named
    for expected in ("边界词（如 不低于）", "“等于”", "“不等于”", "“为”", "日期（如 2024-10-14）", "“首次”"):
        assert expected in d.message


def test_postfix_boundary_word_before_the_value():
    # 之前 goes after the date: 「成立日期」 2024-01-01 之前
    d = run(A + "    条件 「成立日期」 之前 2024-01-01\n    给予 1元\n").only("E101")
    assert "名称" not in d.hint
    assert "“之前”写在数值之后" in d.hint


def test_prefix_boundary_word_after_the_value():
    d = run(A + "    条件 「营业收入」 1亿元 不低于\n    给予 1元\n").only("E101")
    assert "“不低于”写在数值之前" in d.hint


def test_keyword_out_of_place_says_what_it_means():
    # 等于 is a keyword of conditions, not an award
    d = run(A + "    给予 等于 50万元\n").only("E101")
    assert "名称要写在" not in d.hint
    assert "“等于”是本语言的关键字" in d.hint


def test_unbalanced_bracket_hint():
    d = run(P + "参数「外资：比例，待定\n").only("E100")
    assert "配对" in d.hint


def test_bare_number_message_asks_for_a_boundary_word():
    d = run(A + "    条件 「x」 200万元\n    给予 1元\n").only("E101")
    assert "边界词" in d.message


def test_unexpected_end_of_file_says_what_was_expected():
    d = run(A + "    给予\n").only("E102")
    assert "文件意外结束" in d.message


# ---- boundary words ----

@pytest.mark.parametrize("words", ["超过 2000平方米(含)以上", "超过 2000平方米（含）以上", "不低于 2000平方米(不含)"])
def test_contradictory_boundary_words_warn_and_the_mark_wins(words):
    result = run(A + f"    条件 「x」 {words}\n")
    w = result.only("W130")
    assert w.severity == WARNING
    assert (w.span.line, w.span.column) == (4, 8)
    assert not [d for d in result.diagnostics if d.severity == ERROR]
    compare = result.document.articles[0].items[0].conditions[0]
    assert compare.op == (">=" if "(含)" in words or "（含）" in words else ">")


@pytest.mark.parametrize("words, op", [
    ("不低于 5家", ">="), ("达到 5家", ">="), ("不少于 5家", ">="), ("5家 以上", ">="), ("5家 及以上", ">="),
    ("5家(含)以上", ">="), ("不超过 5家", "<="), ("不高于 5家", "<="), ("最高 5家", "<="), ("5家 以下", "<="),
    ("5家 以内", "<="), ("超过 5家", ">"), ("高于 5家", ">"), ("多于 5家", ">"), ("不满 5家", "<"),
    ("低于 5家", "<"), ("少于 5家", "<"), ("5家(不含)以下", "<"), ("超过 5家 以上", ">="),
])
def test_boundary_words_mean_what_civil_code_1259_says(words, op):
    result = run(A + f"    条件 「x」 {words}\n")
    assert not [d for d in result.diagnostics if d.severity == ERROR], result.describe()
    assert result.document.articles[0].items[0].conditions[0].op == op


# ---- deep nesting: a diagnostic, never a RecursionError or a hang ----

def _timed(text):
    """Check ``text`` under a hang guard: nesting must end in a diagnostic, never in a hang.

    The guard is generous (two minutes on a loaded machine); how fast deep nesting is
    checked is measured by bench/bench_frontend.py, not asserted here.
    """
    def hung(*_):
        raise AssertionError("检查没有在两分钟内结束")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        result = run(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    check_outcome(result)
    return result


def test_ten_thousand_nots():
    result = _timed(A + "    条件 " + "非 " * 10_000 + "「x」\n")
    d = result.only("E110")
    # reported where the nesting first passes the limit: the (MAX_DEPTH+1)-th 非 counted
    # from the innermost, i.e. the (10000 - MAX_DEPTH)-th from the left; 非 number k is at
    # column 8 + 2(k - 1) after "    条件 ".
    assert (d.span.line, d.span.column) == (4, 8 + 2 * (10_000 - MAX_DEPTH - 1))


def test_ten_thousand_nots_without_spaces():
    result = _timed(A + "    条件 " + "非" * 10_000 + "「x」\n")
    assert result.only("E110").span.column == 8 + (10_000 - MAX_DEPTH - 1)


def test_ten_thousand_parentheses_are_just_grouping():
    result = _timed(A + "    条件 " + "(" * 10_000 + "「x」" + ")" * 10_000 + "\n")
    assert result.diagnostics == ()
    condition = result.document.articles[0].items[0].conditions[0]
    assert isinstance(condition, nodes.Ref) and condition.name == "x"


def test_ten_thousand_unclosed_parentheses():
    result = _timed(A + "    条件 " + "(" * 10_000 + "「x」\n")
    assert result.codes == ["E102"]


def test_long_chain_of_且():
    result = _timed(A + "    条件 " + " 且 ".join(["「x」"] * 10_000) + "\n")
    d = result.only("E110")
    assert (d.span.line, d.span.column) == (4, 8)  # left-associative: the chain starts the node


def test_deep_sum_in_a_measure():
    result = _timed(P + "度量「m」 = " + "1元+(" * 5_000 + "1元" + ")" * 5_000 + "\n")
    assert result.codes == ["E110"]


def test_nesting_just_within_the_limit_is_fine():
    result = run(A + "    条件 " + "非 " * (MAX_DEPTH - 1) + "「x」\n")
    assert result.diagnostics == ()
    result = run(A + "    条件 " + "非 " * (MAX_DEPTH + 1) + "「x」\n")
    assert result.codes == ["E110"]


# ---- names that contain keywords are names ----

KEYWORD_NAMES = ["以上海市注册企业", "不超过", "且或非", "条件", "给予", "第8条", "200万元", "政策", "（含）", "是"]


@pytest.mark.parametrize("name", KEYWORD_NAMES)
def test_names_containing_keywords_are_names(name):
    text = P + f"字段「{name}」：布尔\n第1条「{name}」\n  款「{name}」\n    条件 「{name}」 且 非 「{name}」\n    给予 1元\n"
    result = run(text)
    assert result.diagnostics == (), result.describe()
    doc = result.document
    assert doc.fields[0].name == name
    assert doc.articles[0].title == name
    item = doc.articles[0].items[0]
    assert item.name == name
    condition = item.conditions[0]
    assert isinstance(condition, nodes.Logic) and condition.op == "且"
    assert condition.left.name == name and condition.right.operand.name == name


def test_keyword_names_in_a_comparison():
    text = P + "第1条「甲」\n  款「乙」\n    条件 「以上海市注册企业」 且 「不超过」 不超过 「且或非」\n"
    result = run(text)
    assert result.diagnostics == ()
    logic = result.document.articles[0].items[0].conditions[0]
    assert logic.left.name == "以上海市注册企业"
    assert (logic.right.left.name, logic.right.op, logic.right.right.name) == ("不超过", "<=", "且或非")


def test_keyword_where_a_name_goes_offers_the_brackets_second():
    # 等于 where a field's name goes: it is a keyword, and 「等于」 would make it a name
    d = run(P + "字段 等于：布尔\n").only("E101")
    assert d.hint.startswith("“等于”是本语言的关键字")
    assert "写成「等于」" in d.hint
