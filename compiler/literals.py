"""Literal values: Chinese and Arabic numerals, money, ratios, counts, dates.

All numbers become exact ``Decimal`` values built from strings; no float is
ever involved.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, Inexact, localcontext

import attrs

from .keywords import COUNT_UNITS

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}


class LiteralError(ValueError):
    """A literal that matched the lexer's pattern but means nothing."""


MAX_NUMERAL = 40  # characters; longer numerals cannot stay exact (and int() refuses > 4300 digits)


def _check_length(text: str) -> None:
    if len(text) > MAX_NUMERAL:
        raise LiteralError(f"数字「{text[:20]}…」过长（{len(text)} 字），不超过 {MAX_NUMERAL} 字")


def chinese_integer(text: str) -> int:
    """一百二十 → 120, 二百万 → 2000000, 两 → 2, 一〇五 → 105, 十二 → 12."""
    if not text:
        raise LiteralError("空的数字")
    _check_length(text)
    if all(ch in _DIGITS for ch in text):  # 一〇五: digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = 0  # finished 亿 groups
    section = 0  # finished 万 group within the current 亿
    current = 0  # below 万
    digit = None
    last_big = None
    last_small = None  # 十百千 must fall within a group: 二十百 means nothing
    for ch in text:
        if ch in _DIGITS:
            if digit:  # 三五万, 一〇〇万: two digits in a row would silently drop one
                raise LiteralError(f"数字「{text}」中“{ch}”前面已有数字")
            digit = _DIGITS[ch]
        elif ch in _SMALL:
            if last_small is not None and _SMALL[ch] >= last_small:
                raise LiteralError(f"数字「{text}」中“{ch}”的位置不对")
            current += (digit or 1) * _SMALL[ch]  # 十二, 一千零十: a missing or zero digit before 十 means 一
            digit = None
            last_small = _SMALL[ch]
        elif ch in _BIG:
            value = current + (digit or 0)
            if value == 0 and not (ch == "亿" and section):  # 万元 alone is not 0元; 一万亿 is fine
                raise LiteralError(f"数字「{text}」中“{ch}”前面缺少数字")
            last_small = None
            if ch == "亿":
                total = (total + section + value) * _BIG[ch]
                section = 0
            else:
                if last_big == "万" and section:
                    raise LiteralError(f"数字「{text}」中“万”重复")
                section = (section + value) * _BIG[ch]
            last_big = ch
            current, digit = 0, None
        else:
            raise LiteralError(f"「{ch}」不是数字")
    return total + section + current + (digit or 0)


def number(text: str) -> Decimal:
    """A numeral, Arabic (with optional 十/百/千/万/亿 scaling) or Chinese."""
    _check_length(text)
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([十百千万亿]*)", text)
    if m:
        value = Decimal(m.group(1))
        with localcontext() as ctx:
            ctx.traps[Inexact] = True  # scaling must never round
            try:
                for ch in m.group(2):
                    value *= _SMALL.get(ch) or _BIG[ch]
            except Inexact:
                raise LiteralError(f"数字「{text}」过大，无法精确表示") from None
        return value
    if "点" in text:  # 百分之十二点五
        whole, _, frac = text.partition("点")
        if not frac or any(ch not in _DIGITS for ch in frac):
            raise LiteralError(f"数字「{text}」的小数部分无法识别")
        return Decimal(f"{chinese_integer(whole) if whole else 0}.{''.join(str(_DIGITS[c]) for c in frac)}")
    return Decimal(chinese_integer(text))


@attrs.frozen
class Money:
    amount: Decimal  # in units of the currency
    currency: str  # 元 or 美元

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


@attrs.frozen
class Ratio:
    value: Decimal  # 10% is Decimal("0.1")

    def __str__(self) -> str:
        return format_ratio(self.value)


@attrs.frozen
class Count:
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{_plain(self.value)}{self.unit}"


@attrs.frozen
class Duration:
    months: int

    def __str__(self) -> str:
        return f"{self.months // 12}年" if self.months % 12 == 0 else f"{self.months}个月"


@attrs.frozen
class Year:
    year: int

    def __str__(self) -> str:
        return f"{self.year}年度"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def format_money(amount: Decimal, currency: str = "元") -> str:
    """Readable money: 2000000 → 200万元, 150000000 → 1.5亿元, 5000 → 5000元."""
    if amount != 0 and amount % 100_000_000 == 0 or (abs(amount) >= 100_000_000 and (amount / 100_000_000) == (amount / 100_000_000).quantize(Decimal("0.0001"))):
        return f"{_plain(amount / 100_000_000)}亿{currency}"
    if abs(amount) >= 10_000 and (amount / 10_000) == (amount / 10_000).quantize(Decimal("0.0001")):
        return f"{_plain(amount / 10_000)}万{currency}"
    return f"{_plain(amount)}{currency}"


def format_ratio(value: Decimal) -> str:
    return f"{_plain(value * 100)}%"


def parse_literal(kind: str, text: str):
    """Turn a literal token into its value; ``kind`` is the token's terminal name."""
    if kind == "MONEY":
        currency = "美元" if text.endswith("美元") else "元"
        return Money(number(text[: -len(currency)]), currency)
    if kind == "PERCENT":
        digits = text[3:] if text.startswith("百分之") else text[:-1]
        return Ratio(number(digits) / 100)
    if kind == "PERMILLE":
        digits = text[3:] if text.startswith("千分之") else text[:-1]
        return Ratio(number(digits) / 1000)
    if kind == "BPS":
        return Ratio(number(text[: -len("个基点")]) / 10_000)
    if kind == "RATIO_PAIR":
        left, right = (Decimal(p) for p in text.split(":"))
        if right == 0:
            raise LiteralError(f"配套比「{text}」的后项不能为0")
        return Ratio(left / right)
    if kind == "MULTIPLE":
        return Ratio(number(text[:-1]))
    if kind == "COUNT":
        for unit in sorted(COUNT_UNITS, key=len, reverse=True):
            if text.endswith(unit):
                return Count(number(text[: -len(unit)]), unit)
        raise LiteralError(f"数量「{text}」没有单位")
    if kind == "NUMBER":
        return Decimal(text)
    if kind == "DURATION":
        if text.endswith("个月"):
            return Duration(int(number(text[:-2])))
        return Duration(12 * int(number(text[:-1])))
    if kind == "YEAR_LIT":
        return Year(int(text[:4]))
    if kind == "DATE":
        parts = re.findall(r"[0-9]+", text)
        try:
            return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            raise LiteralError(f"「{text}」不是有效日期") from None
    if kind == "TRUE":
        return True
    if kind == "FALSE":
        return False
    raise LiteralError(f"未知的字面量「{text}」")
