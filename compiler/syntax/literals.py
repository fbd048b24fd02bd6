"""Literal values: Chinese and Arabic numerals, money, ratios, counts, dates.

All numbers become exact ``Decimal`` values built from strings; no float is
ever involved.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import attrs

from compiler.syntax.keywords import COUNT_UNITS

from compiler.runtime import (MAX_NUMERAL, LiteralError, chinese_integer, discount, money_text, number, plain,  # noqa: F401
                      ratio_text)


@attrs.frozen
class Money:
    """An exact amount in one currency; 元 and 美元 never mix without an 汇率."""
    amount: Decimal  # in units of the currency
    currency: str  # 元 or 美元

    def __str__(self) -> str:
        return money_text(self.amount, self.currency)


@attrs.frozen
class Ratio:
    """A proportion as an exact fraction; 10%, 5‰, 30个基点, 1:1, 7折 and 1.5倍 are all ratios."""
    value: Decimal  # 10% is Decimal("0.1")

    def __str__(self) -> str:
        return ratio_text(self.value)


@attrs.frozen
class Count:
    """A number of things in a unit (50场, 2家); counts in different units never compare."""
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{plain(self.value)}{self.unit}"


@attrs.frozen
class Duration:
    """A period in whole months (一年, 6个月), for 试行 and 三年内."""
    months: int

    def __str__(self) -> str:
        return f"{self.months // 12}年" if self.months % 12 == 0 else f"{self.months}个月"


@attrs.frozen
class Year:
    """A 年度 (2025年度), a type of its own so it is never taken for a plain number or a date."""
    year: int

    def __str__(self) -> str:
        return f"{self.year}年度"


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
    if kind == "DISCOUNT":
        return Ratio(discount(text))
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
