"""Every literal form of LANGUAGE.md §2, and the Chinese numerals under them.

Expected values below are worked out by hand from the literal's text (the
arithmetic is written next to each case), never computed by the code under
test, and always built as ``Decimal`` from strings or ints: no float anywhere.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from compiler.syntax import literals

from compiler.syntax import source
from compiler.syntax.literals import Count, Duration, LiteralError, Money, Ratio, Year, chinese_integer, number, parse_literal

from frontend_util import HEADER, run


def D(text: str) -> Decimal:
    return Decimal(text)


# (terminal, text, expected value) — expected values worked out by hand.
LITERALS = [
    # 金额
    ("MONEY", "200万元", Money(D("2000000"), "元")),  # 200 × 10 000
    ("MONEY", "1亿元", Money(D("100000000"), "元")),  # 1 × 100 000 000
    ("MONEY", "300亿元", Money(D("30000000000"), "元")),  # 300 × 100 000 000
    ("MONEY", "5000元", Money(D("5000"), "元")),
    ("MONEY", "200万美元", Money(D("2000000"), "美元")),  # currency kept apart from 元
    ("MONEY", "二百万元", Money(D("2000000"), "元")),  # 二百 = 200, × 万
    ("MONEY", "1.5亿元", Money(D("150000000"), "元")),  # 1.5 × 100 000 000
    ("MONEY", "一亿二千万元", Money(D("120000000"), "元")),  # 1亿 + 2000万
    ("MONEY", "两万元", Money(D("20000"), "元")),
    ("MONEY", "0.5万元", Money(D("5000"), "元")),
    # 比例
    ("PERCENT", "10%", Ratio(D("0.1"))),  # 10 / 100
    ("PERCENT", "百分之十", Ratio(D("0.1"))),  # 十 = 10, / 100
    ("PERCENT", "百分之十二点五", Ratio(D("0.125"))),  # 12.5 / 100
    ("PERCENT", "12.5%", Ratio(D("0.125"))),
    ("PERMILLE", "5‰", Ratio(D("0.005"))),  # 5 / 1000
    ("PERMILLE", "千分之五", Ratio(D("0.005"))),
    ("BPS", "30个基点", Ratio(D("0.003"))),  # 30 / 10 000 = 0.30%
    ("BPS", "三十个基点", Ratio(D("0.003"))),
    ("RATIO_PAIR", "1:1", Ratio(D("1"))),  # 配套比 1 ÷ 1
    ("RATIO_PAIR", "1:2", Ratio(D("0.5"))),  # 1 ÷ 2
    ("MULTIPLE", "1.5倍", Ratio(D("1.5"))),
    # 数量
    ("COUNT", "50场", Count(D("50"), "场")),
    ("COUNT", "2家", Count(D("2"), "家")),
    ("COUNT", "3发", Count(D("3"), "发")),
    ("COUNT", "10件", Count(D("10"), "件")),
    ("COUNT", "两家", Count(D("2"), "家")),  # 两 = 2
    ("COUNT", "2000平方米", Count(D("2000"), "平方米")),  # longest unit wins over 米-less units
    # 日期 / 年度 / 期限
    ("DATE", "2024-10-14", datetime.date(2024, 10, 14)),
    ("DATE", "2024年10月14日", datetime.date(2024, 10, 14)),
    ("DATE", "2024-1-5", datetime.date(2024, 1, 5)),
    ("YEAR_LIT", "2025年度", Year(2025)),
    ("DURATION", "一年", Duration(12)),  # 1 × 12 months
    ("DURATION", "3个月", Duration(3)),
    ("DURATION", "两年", Duration(24)),
    # 数字、布尔
    ("NUMBER", "7.1", D("7.1")),
    ("TRUE", "是", True),
    ("FALSE", "否", False),
]


@pytest.mark.parametrize("kind, text, expected", LITERALS, ids=[t for _, t, _ in LITERALS])
def test_parse_literal(kind, text, expected):
    value = parse_literal(kind, text)
    assert value == expected
    assert type(value) is type(expected)
    for part in ("amount", "value"):
        if hasattr(value, part):
            assert type(getattr(value, part)) is Decimal  # never a float


@pytest.mark.parametrize("kind, text, expected", LITERALS, ids=[t for _, t, _ in LITERALS])
def test_literal_through_the_pipeline(kind, text, expected):
    """The lexer gives the literal the intended terminal in a value position."""
    result = run(HEADER + f"参数「x」：数值，取值 {text}\n")
    assert result.diagnostics == (), result.describe()
    literal = result.document.params[0].value
    assert literal.text == text
    assert literal.value == expected


def test_thirty_basis_points_is_thirty_hundredths_of_a_percent():
    assert parse_literal("BPS", "30个基点") == parse_literal("PERCENT", "0.30%")


def test_money_amounts_are_exact():
    # 1.5亿 computed in Decimal is exactly 150 000 000; a float path would still be equal
    # here, so check the representation carries no binary-fraction noise either.
    amount = parse_literal("MONEY", "1.5亿元").amount
    assert amount == D("150000000")
    assert amount.as_tuple().exponent >= -1


def test_currency_is_part_of_the_value():
    assert parse_literal("MONEY", "200万元") != parse_literal("MONEY", "200万美元")


def test_count_unit_is_part_of_the_value():
    assert parse_literal("COUNT", "2场") != parse_literal("COUNT", "2家")


# Chinese numerals: expected values by hand.
CHINESE = [
    ("两", 2),
    ("〇", 0),
    ("零", 0),
    ("十", 10),
    ("十二", 12),  # 十 alone means 一十
    ("一十二", 12),
    ("一百二十", 120),  # 1×100 + 2×10
    ("一百零五", 105),  # 零 marks the empty tens place
    ("一千零五", 1005),
    ("一千零十", 1010),  # 零 then 十: the 十 still counts as 一十
    ("两千", 2000),
    ("二百万", 2_000_000),  # (2×100) × 10 000
    ("三千五百万", 35_000_000),  # (3×1000 + 5×100) × 10 000
    ("一亿二千万", 120_000_000),  # 1 × 10^8 + 2000 × 10^4
    ("一亿零五百万", 105_000_000),  # 1 × 10^8 + 500 × 10^4
    ("一万亿", 1_000_000_000_000),  # 10^4 × 10^8
    ("九千九百九十九万九千九百九十九", 99_999_999),
    ("一〇五", 105),  # digit by digit
    ("二〇二四", 2024),
]


@pytest.mark.parametrize("text, expected", CHINESE, ids=[t for t, _ in CHINESE])
def test_chinese_integer(text, expected):
    assert chinese_integer(text) == expected


@pytest.mark.parametrize("text, expected", CHINESE, ids=[t for t, _ in CHINESE])
def test_number_agrees_with_chinese_integer(text, expected):
    assert number(text) == Decimal(expected)


@pytest.mark.parametrize("text, expected", [
    ("200万", D("2000000")),
    ("1.5亿", D("150000000")),
    ("2.5", D("2.5")),
    ("十二点五", D("12.5")),
    ("点五", D("0.5")),
    ("3千", D("3000")),
])
def test_number(text, expected):
    assert number(text) == expected


@pytest.mark.parametrize("text", [
    "",  # nothing at all
    "万",  # was silently 0: 万元 alone meant 0元
    "亿",
    "〇万",
    "三五万",  # was silently 5万: the 三 was dropped
    "一〇〇万",  # was silently 0
    "十十",  # was silently 20
    "二十百",
    "一万万",
    "一" * 41,  # over-long numerals are refused, not fed to int()
    "十二点",  # no fraction after 点
    "十二点五点五",
    "壹",  # financial numerals are not in the language (yet)
])
def test_bad_chinese_numerals_raise_literal_error(text):
    with pytest.raises(LiteralError):
        number(text)


def test_huge_arabic_numerals_refuse_to_round():
    # 30 nines × 10^8 needs 38 significant digits; the default context holds 28.
    with pytest.raises(LiteralError):
        number("9" * 30 + "亿")
    with pytest.raises(LiteralError):
        number("1" * (literals.MAX_NUMERAL + 1))


@pytest.mark.parametrize("kind, text", [
    ("DATE", "2024-13-45"),
    ("DATE", "2024年2月30日"),
    ("RATIO_PAIR", "1:0"),
    ("PERCENT", "百分之十点"),
    ("MONEY", "万元"),
    ("COUNT", "三五万家"),  # 三五家 alone reads digit by digit (35), like 一〇五
    ("WHATEVER", "x"),
])
def test_bad_literals_raise_literal_error(kind, text):
    with pytest.raises(LiteralError):
        parse_literal(kind, text)


def test_bad_literal_in_a_program_is_e120():
    result = run(HEADER + "参数「x」：金额，取值 万元\n")
    d = result.only("E120")
    assert (d.span.line, d.span.column) == (2, 13)


# ---- full-width digits and punctuation, through the whole pipeline ----

def test_full_width_digits_fold_to_ascii():
    assert source.fold_width("２００万元") == "200万元"
    assert source.fold_width("１０％") == "10%"
    assert source.fold_width("１：１") == "1:1"
    # one character for one: positions still point into what the drafter wrote
    assert len(source.fold_width("２０２４－１０－１４")) == len("２０２４－１０－１４")


@pytest.mark.parametrize("written, expected", [
    ("２００万元", Money(D("2000000"), "元")),
    ("１.５亿元", Money(D("150000000"), "元")),
    ("１．５亿元", Money(D("150000000"), "元")),  # full-width full stop
    ("１０％", Ratio(D("0.1"))),
    ("１：１", Ratio(D("1"))),
    ("５０场", Count(D("50"), "场")),
    ("２０２４－１０－１４", datetime.date(2024, 10, 14)),
    ("２０２４年１０月１４日", datetime.date(2024, 10, 14)),
    ("２０２５年度", Year(2025)),
    ("７.１", D("7.1")),
])
def test_full_width_literals_through_the_pipeline(written, expected):
    result = run(HEADER + f"参数「x」：数值，取值 {written}\n")
    assert result.diagnostics == (), result.describe()
    literal = result.document.params[0].value
    assert literal.value == expected
    # the span covers the literal as written (full-width characters are one column each)
    assert literal.span.column == len("参数「x」：数值，取值 ") + 1
    assert literal.span.end_column == literal.span.column + len(written)


def test_full_width_digits_inside_names_are_kept():
    result = run(HEADER + "参数「２０２４年补贴」：金额，取值 ２００万元\n")
    assert result.diagnostics == ()
    assert result.document.params[0].name == "２０２４年补贴"


# ---- formatting, used in messages and documentation ----

@pytest.mark.parametrize("amount, expected", [
    (D("2000000"), "200万元"),
    (D("150000000"), "1.5亿元"),
    (D("5000"), "5000元"),
    (D("30000000000"), "300亿元"),
])
def test_format_money(amount, expected):
    assert literals.money_text(amount) == expected


def test_format_ratio():
    assert literals.ratio_text(D("0.003")) == "0.3%"
    assert str(Ratio(D("0.1"))) == "10%"
