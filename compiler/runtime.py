"""Evaluation runtime shared by the interpreter and every generated module.

This file imports only the standard library: ``polc build`` copies its source
into each generated module, so a service needs nothing but Python. It holds
what both evaluators must do identically: three-valued logic, exact money,
input validation, the order in which an item's clauses apply, and how results
are combined and reported.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext

MONEY_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)
CENT = Decimal("0.01")


# ---- sentinels -------------------------------------------------------------

class _Unknown:
    """A fact the record does not give: conditions on it are neither true nor false."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


class _Pending:
    """A value that needs a parameter still 待定."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


class _NotApplicable:
    """A per-level amount for a level the table does not list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


UNKNOWN = _Unknown()
PENDING = _Pending()
NOT_APPLICABLE = _NotApplicable()
_MISSING = (UNKNOWN, PENDING, NOT_APPLICABLE)


def blocked(*values):
    """The sentinel that stops a computation, pending first, or None."""
    for v in values:
        if v is PENDING:
            return PENDING
    for v in values:
        if v is UNKNOWN or v is NOT_APPLICABLE:
            return v
    return None


# ---- numerals --------------------------------------------------------------

class LiteralError(ValueError):
    """A numeral or literal that matched its pattern but means nothing."""


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}


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


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 2E+6 → 2000000, 0.50 → 0.5."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


_UNITS = (("亿", Decimal(100_000_000)), ("万", Decimal(10_000)))
_TEN_THOUSANDTH = Decimal("0.0001")


def money_text(amount: Decimal, currency: str = "元") -> str:
    """200万元, 1.5亿元, 5000元, 12345.67元: the reading a drafter would write."""
    for unit, size in _UNITS:
        if abs(amount) >= size:
            scaled = amount / size
            if scaled == scaled.quantize(_TEN_THOUSANDTH):
                return f"{plain(scaled)}{unit}{currency}"
    return f"{plain(amount)}{currency}"


def ratio_text(value: Decimal) -> str:
    """A ratio as a percentage for traces and docs: 0.05 → 5%."""
    return f"{plain(value * 100)}%"


# ---- the input contract ------------------------------------------------------------
#
# What a valid enterprise record is, said once. read_record() enforces this table and
# compiler/targets/python/schema.py turns the same table into the JSON Schema that ``polc build``
# publishes, so the schema accepts a value exactly when the evaluators do. The contract
# is over JSON as json.loads reads it: a number with a fraction or an exponent is a
# float, and no field takes a float (money stays exact).

MAX_KEYS = 500  # keys of the record, of 已认定 and of each project
MAX_PROJECTS = 500
MAX_HISTORY = 5000  # entries of 已获支持
MAX_DEPTH = 64  # nesting of JSON text read by read_json
MAX_SUGGESTIONS = 20  # unknown names per record that get a “最接近的是” hint; the rest are only listed
MAX_NUMBER_TEXT = 40  # characters of a number written as a string (Chinese numerals: runtime.MAX_NUMERAL)

# Arabic numbers: digits, or digits grouped by thousands with commas (1,000 but never 1,5).
_INTEGER = r"(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)"
NUMBER_FORM = rf"{_INTEGER}(?:\.[0-9]+)?"
POSITIVE_FORM = r"(?:(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]*[1-9][0-9]*)(?:\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)"


def _chinese_form() -> str:
    """Chinese integers as written in full (一千零五, 二百万, 一亿零五万); never the clipped 一千二,
    which a reader takes for 1200 and the digits say 1002."""
    d, z = "[一二两三四五六七八九]", "[零〇]"
    tens = f"{d}十{d}?"
    after_hundreds = f"(?:{tens}|{z}{d})?"
    after_thousands = f"(?:{d}百{after_hundreds}|{z}(?:{tens}|{d}))?"
    full = f"{d}千{after_thousands}"  # 1000–9999
    low = f"(?:{d}百{after_hundreds}|{d}?十{d}?|{d})"  # 1–999
    group = f"(?:{full}|{low})"
    after_wan = f"(?:{full}|{z}{low})?"
    wan = f"{group}万{after_wan}"
    after_yi = f"(?:{full}万{after_wan}|{z}(?:{low}万{after_wan}|{group}))?"
    return f"(?:{group}亿{after_yi}|{wan}|{group}|{z})"


CHINESE_INTEGER_FORM = _chinese_form()
CHINESE_FORM = f"{CHINESE_INTEGER_FORM}(?:点[零〇一二三四五六七八九]+)?"
YEAR_FORM = r"(?:19[0-9]{2}|2[01][0-9]{2}|2200)"
YEAR_RANGE = (1900, 2200)


def _date_form() -> str:
    """Calendar dates only (no 2月30日), years 1000–9999, written 2025-01-01 or 2025年1月1日."""
    day31, day30, day28 = "(?:0?[1-9]|[12][0-9]|3[01])", "(?:0?[1-9]|[12][0-9]|30)", "(?:0?[1-9]|1[0-9]|2[0-8])"
    leap = "(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)"
    forms = []
    for y_sep, m_sep, end in (("-", "-", ""), ("年", "月", "日")):
        month_day = (f"(?:(?:0?[13578]|1[02]){m_sep}{day31}|(?:0?[469]|11){m_sep}{day30}|0?2{m_sep}{day28})")
        forms.append(f"(?:[1-9][0-9]{{3}}{y_sep}{month_day}|{leap}{y_sep}0?2{m_sep}29){end}")
    return "|".join(forms)


DATE_FORM = _date_form()
_SCALE = "[十百千]?(?:万亿|万|亿)?"


def _string_form(kind: tuple, whole: bool = False) -> str | None:
    """The strings a numeric type accepts (signless), or None when it takes no strings."""
    name = kind[0]
    if name == "金额":
        return rf"{NUMBER_FORM}|(?:{NUMBER_FORM}{_SCALE}|{CHINESE_FORM}){re.escape(kind[1])}"
    if name == "比例":
        return (rf"{NUMBER_FORM}(?:%|‰|个基点|倍)?|百分之(?:{NUMBER_FORM}|{CHINESE_FORM})"
                rf"|{NUMBER_FORM}:{POSITIVE_FORM}|(?:[1-9](?:\.[0-9])?|0\.[1-9]|[1-9][0-9]|0[1-9]|[一二三四五六七八九]{{1,2}})折")
    if name == "数量" and whole:  # a count: 3, "3", "3家"
        return rf"{_INTEGER}|{_INTEGER}{re.escape(kind[1])}"
    if name == "数量" and len(kind) > 1:  # 3, "1999.5", or with its unit: "1999.5平方米", "1.5万平方米"
        return rf"{NUMBER_FORM}|{NUMBER_FORM}{_SCALE}{re.escape(kind[1])}"
    if name in ("数值", "数量"):
        return NUMBER_FORM
    if name == "汇率":
        return POSITIVE_FORM
    if name == "年度":
        return rf"{YEAR_FORM}(?:年度|年)?"
    if name == "日期":
        return DATE_FORM
    return None


SIGNABLE = ("金额", "比例", "数量", "数值")  # the types a field may declare 可为负


def input_form(kind: tuple, signed: bool = False, levels: dict | None = None, whole: bool = False) -> dict:
    """The JSON values a field of type ``kind`` accepts; read_record and the JSON Schema both follow it.

    Keys: ``integer`` (minimum, maximum), either None for no bound, when JSON integers are taken;
    ``pattern`` with ``max_length`` when strings are taken and must match (a leading “-” only
    where ``signed``); ``text`` for any string; ``boolean``; ``enum``; ``strings`` for a list of
    texts. null is accepted for every field and means “not known”. ``whole`` for a quantity in a
    count unit (家, 人: not declared 可为小数), which takes whole numbers only.
    """
    name = kind[0]
    signed = signed and name in SIGNABLE
    form: dict = {}
    if name == "布尔":
        form["boolean"] = True
    elif name in ("金额", "数值", "数量"):
        form["integer"] = (None if signed else 0, None)
    elif name == "汇率":
        form["integer"] = (1, None)
    elif name == "年度":
        form["integer"] = YEAR_RANGE
    elif name == "文本":
        form["text"] = True
    elif name == "等级":
        form["enum"] = [*(levels or {}).get(kind[1], ()), NO_LEVEL]
    elif name == "集合":
        form["strings"] = True
    pattern = _string_form(kind, whole)
    if pattern is not None:
        form["pattern"] = f"-?(?:{pattern})" if signed else pattern
        form["max_length"] = MAX_NUMBER_TEXT
    return form


_COMPILED: dict = {}
_PATTERNS: dict = {}


def _pattern(kind: tuple, signed: bool = False, whole: bool = False) -> str:
    """input_form(kind, signed, whole=whole)["pattern"], built once per type."""
    key = (kind[0], kind[1] if kind[0] in ("金额", "数量") and len(kind) > 1 else None, signed, whole)
    pattern = _PATTERNS.get(key)
    if pattern is None:
        pattern = _PATTERNS[key] = input_form(kind, signed, whole=whole)["pattern"]
    return pattern


def _matches(pattern: str, text: str) -> bool:
    """Whether ``text`` is in the contract's pattern. The Chinese-numeral part of a pattern takes tens
    of milliseconds to compile, so a text is first tried against the pattern without it (which accepts
    a subset: no lookaround or backreference in these forms) and the whole pattern is compiled only for
    a text the first one refuses: the answer is the same, and a process that reads only Arabic
    numerals never pays for the rest."""
    if len(text) > MAX_NUMBER_TEXT:
        return False
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        arabic = pattern.replace(CHINESE_FORM, "(?!)").replace(CHINESE_INTEGER_FORM, "(?!)")
        compiled = _COMPILED[pattern] = re.compile(arabic), (None if arabic == pattern else pattern)
    arabic, whole = compiled
    if arabic.fullmatch(text) is not None:
        return True
    if whole is None:
        return False
    if isinstance(whole, str):
        whole = re.compile(whole)
        _COMPILED[pattern] = arabic, whole
    return whole.fullmatch(text) is not None


_BAD_CHARS = re.compile("[\ud800-\udfff\ufeff]")


def printable(text, cut: bool = False) -> str:
    """A key or value for a message: lone surrogates and byte-order marks escaped; a value (``cut``)
    longer than 40 characters shortened, so a message stays readable."""
    text = str(text) if isinstance(text, (str, int)) else _json_kind(text)
    if cut and len(text) > 40:
        text = text[:40] + "…"
    return _BAD_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str, name: bool = False) -> str | None:
    """Why a text from a record cannot be read, if it cannot: a lone surrogate (not Unicode), or in an
    unknown name a byte-order mark (left over from a file's start, it would make a known field unknown)."""
    m = _SURROGATE.search(text)
    if m is not None:
        return f"含有孤立的代理字符（U+{ord(m.group()):04X}），不是有效的 Unicode 文本"
    if name and "\ufeff" in text:
        return "含有字节顺序标记（U+FEFF，常见于带 BOM 的文件开头），请删去"
    return None


def _normal(value: Decimal) -> Decimal:
    """-0 is 0: a negative zero must not print as “-0.00”."""
    return value.copy_abs() if value.is_zero() else value


_SCALED = re.compile(r"([0-9]+(?:\.[0-9]+)?)([十百千]?)(万亿|万|亿)?")
_EXPONENTS = {"": 0, "十": 1, "百": 2, "千": 3, None: 0, "万": 4, "亿": 8, "万亿": 12}
_WIDE = MONEY_CONTEXT.copy()
_WIDE.prec = MAX_NUMBER_TEXT + 20  # more digits than any admitted numeral has


def _numeral(text: str) -> Decimal:
    """An Arabic or Chinese numeral the contract has admitted (thousands commas dropped).

    Arabic digits are scaled by moving the exponent, never by multiplying, so a number of any
    admitted length stays exact whatever the precision of the decimal context.
    """
    text = text.replace(",", "")
    m = _SCALED.fullmatch(text)
    if m is None:
        return number(text)
    exponent = _EXPONENTS[m.group(2)] + _EXPONENTS[m.group(3)]
    value = Decimal(m.group(1))
    return Decimal(format(value.scaleb(exponent, _WIDE), "f")) if exponent else value


def parse_money(value, currency: str = "元", signed: bool = False) -> Decimal:
    """Money from JSON: an integer, an exact decimal string, or a literal such as 200万元."""
    if isinstance(value, str):
        if _matches(_pattern(("金额", currency), signed), value):
            negative = value.startswith("-")
            text = value.lstrip("-")
            if text.endswith(currency):
                text = text[: -len(currency)]
            amount = _numeral(text)
            return _normal(-amount if negative else amount)
        raise ValueError(_refused(("金额", currency), value, signed))
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("金额不能用浮点数，请写成整数或字符串，如 \"1234.56\" 或 \"200万元\"")
    if isinstance(value, int):
        return _signed(Decimal(value), "金额", signed)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("金额必须是有限的数")
        return _signed(value, "金额", signed)
    raise ValueError(f"金额应是整数或字符串，这里是{_json_kind(value)}")


def _signed(value: Decimal, what: str, signed: bool) -> Decimal:
    if value < 0 and not signed:
        raise ValueError(f"{what}不能为负数（本字段未声明“可为负”）")
    return _normal(value)


_DISCOUNT = re.compile(r"([0-9](?:\.[0-9])?|[0-9]{2}|[一二三四五六七八九]{1,2})折")


def discount(text: str) -> Decimal:
    """7折 → 0.7, 7.5折 → 0.75, 85折 and 八五折 → 0.85: the digits read after “0.”."""
    m = _DISCOUNT.fullmatch(text.strip())
    if not m:
        raise LiteralError(f"“{text}”不是折扣，应写成如 7折、7.5折、八五折")
    digits = "".join(str(_DIGITS[ch]) if ch in _DIGITS else ch for ch in m.group(1)).replace(".", "")
    if digits.strip("0") == "":
        raise LiteralError(f"“{text}”是零折，没有意义")
    return Decimal("0." + digits)


def parse_ratio(value, signed: bool = False) -> Decimal:
    """A ratio given in a record or a parameter: 5%, 0.05, 百分之五, 7折, 1:1 and the like as a string,
    never a float; negative only when ``signed``. Refusals are Chinese ValueErrors."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("比例不能用浮点数，请写成字符串，如 \"5%\" 或 \"0.05\"")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("比例必须是有限的数")
        return _signed(value, "比例", signed)
    if isinstance(value, int):
        raise ValueError(f"比例应写成字符串，如 \"5%\" 或 \"0.05\"，这里是数字 {value}")
    if not isinstance(value, str):
        raise ValueError(f"比例应是字符串，如 \"5%\"，这里是{_json_kind(value)}")
    if not _matches(_pattern(("比例",), signed), value):
        raise ValueError(_refused(("比例",), value, signed))
    negative = value.startswith("-")
    text = value.lstrip("-")
    if text.startswith("百分之"):
        ratio = _numeral(text[3:]) / 100
    elif text.endswith("折"):
        ratio = discount(text)
    elif ":" in text:
        left, right = text.split(":")
        ratio = _numeral(left) / _numeral(right)
    else:
        for suffix, scale in (("%", 100), ("‰", 1000), ("个基点", 10000), ("倍", 1)):
            if text.endswith(suffix):
                ratio = _numeral(text[: -len(suffix)]) / scale
                break
        else:
            ratio = _numeral(text)
    return _normal(-ratio if negative else ratio)


def parse_number(value, signed: bool = False, name: str = "数值") -> Decimal:
    """A number given in a record: an int or a numeric string, never a float; negative only when ``signed``."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"{name}不能用浮点数，请写成整数或字符串，如 \"7.1\"")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name}必须是有限的数")
        return _signed(value, name, signed)
    if isinstance(value, int):
        return _signed(Decimal(value), name, signed)
    if isinstance(value, str):
        if _matches(_pattern((name,), signed), value):
            negative = value.startswith("-")
            number_value = _numeral(value.lstrip("-"))
            return _normal(-number_value if negative else number_value)
        raise ValueError(_refused((name,), value, signed))
    raise ValueError(f"不是{name}：应是整数或字符串，这里是{_json_kind(value)}")


_DATE_PARTS = re.compile(r"([0-9]{4})[-年]([0-9]{1,2})[-月]([0-9]{1,2})日?")


def parse_date(value) -> datetime.date:
    """A date given as a date, or as text such as 2025-01-01 or 2025年1月1日; a datetime counts as its day."""
    if isinstance(value, datetime.datetime):
        return value.date()  # a datetime does not compare with the policy's dates
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _matches(DATE_FORM, value):
        return datetime.date(*(int(g) for g in _DATE_PARTS.fullmatch(value).groups()))
    shown = f"“{printable(value, True)}”" if isinstance(value, str) else _json_kind(value)
    raise ValueError(f"{shown}不是日期，应写成如 \"2025-01-01\" 或 \"2025年1月1日\"（须是日历上有的日子）")


def parse_year(value) -> int:
    """A 年度 given as an int within YEAR_RANGE or as text such as 2025年度."""
    if isinstance(value, bool):
        raise ValueError("年度应是整数，如 2025")
    low, high = YEAR_RANGE
    if isinstance(value, int) and low <= value <= high:
        return value
    if isinstance(value, str) and _matches(_string_form(("年度",)), value):
        return int(value[:4])
    shown = f"“{printable(value, True)}”" if isinstance(value, (str, int)) else _json_kind(value)
    raise ValueError(f"{shown}不是年度，应写成如 2025 或 \"2025年度\"（{low}至{high}年）")


def _refused(kind: tuple, text: str, signed: bool) -> str:
    """Why a string is not a value of ``kind``: the most specific reason first."""
    name = kind[0]
    shown = f"“{printable(text, True)}”"
    if len(text) > MAX_NUMBER_TEXT:
        return f"{shown}过长（{len(text)} 字）：数字连同单位不超过 {MAX_NUMBER_TEXT} 字"
    pattern = _pattern(kind, signed)
    if not signed and name in SIGNABLE and _matches(_pattern(kind, True), text):
        return f"{name}不能为负数（本字段未声明“可为负”）"
    if name == "金额":
        other = "美元" if kind[1] == "元" else "元"
        if _matches(_pattern(("金额", other), True), text) and text.endswith(other):
            return f"{shown}的币种是{other}，这里要求{kind[1]}"
    if "," in text and _matches(pattern, text.replace(",", "")):
        return f"{shown}中的逗号不是千位分隔符：逗号只能每三位一个，如 \"1,000万元\""
    examples = {"金额": f"\"1234.56\" 或 \"200万{kind[-1]}\"", "比例": "\"5%\" 或 \"0.05\"",
                "数值": "\"7.1\"", "汇率": "\"7.1\"（大于0）", "数量": "3 或 \"1999.5\""}
    what = {"金额": "金额", "比例": "比例", "数值": "数值", "汇率": "数值", "数量": "数量"}[name]
    return f"{shown}不是{what}，应写成如 {examples[name]}"


def _json_kind(value) -> str:
    if value is None:
        return "空值 null"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return type(value).__name__


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("必须是有限的数（不能是 NaN 或 Infinity）")
    return value


NO_LEVEL = "无"
# Keys of an enterprise record that are not fields: what each holds (a policy may not declare a field so named).
RECORD_KEYS = {"已认定": "企业获得的认定", "已获支持": "已获支持的记录", "项目": "企业的项目列表", "评定": "人工评定的结果", "历年": "字段以前各年度的值"}


# Digits with an optional fraction: inside the string form of every type named here, read by the
# full path as Decimal(text) (no sign, no scale word, no unit), so convert() takes it directly.
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PLAIN_KINDS = frozenset(("金额", "数值", "数量", "比例"))


def counted(kind: tuple, fractional_units) -> bool:
    """A quantity in a count unit (家, 人): whole numbers only, unless its unit is declared 可为小数."""
    return kind[0] == "数量" and len(kind) > 1 and kind[1] not in fractional_units


def convert_field(kind: tuple, value, schema: dict, signed: bool = False):
    """convert() as a record's schema reads a field, a project's or a list item's."""
    return convert(kind, value, schema["levels"], signed, counted(kind, schema.get("fractional_units", ())))


def plain_number(kind: tuple, value, whole: bool) -> Decimal | None:
    """The commonest numbers of a record, a digit string such as "1234.56" and a non-negative integer, as
    the full reading in convert() gives them, without its checks for every other form; None for anything else."""
    name = kind[0]
    if name not in _PLAIN_KINDS:
        return None
    if type(value) is str:
        if len(value) <= MAX_NUMBER_TEXT and _PLAIN.fullmatch(value) is not None and not (whole and "." in value):
            return Decimal(value)
    elif type(value) is int and value >= 0 and name != "比例":
        return Decimal(value)
    return None


def convert(kind: tuple, value, levels: dict, signed: bool = False, whole: bool = False):
    """A JSON value as the runtime value of a field of type ``kind``; ValueError says why not.

    ``signed`` for a field declared 可为负: a negative money, ratio, count or number is then a value;
    ``whole`` for a quantity in a count unit: whole numbers only.
    """
    name = kind[0]
    if name == "布尔":  # the most common type first
        if not isinstance(value, bool):
            raise ValueError(f"应是 true 或 false，这里是{_json_kind(value)}")
        return value
    number = plain_number(kind, value, whole)
    if number is not None:
        return number
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
    if name == "金额":
        return parse_money(value, kind[1], signed)
    if name == "比例":
        return parse_ratio(value, signed)
    if name == "数量":  # counts and measured quantities alike: 3家, 1999.5平方米, "1.5万平方米"
        if isinstance(value, str):
            if not _matches(_pattern(kind, signed, whole), value):
                if whole and _matches(_pattern(kind, signed), value):
                    raise ValueError(f"“{printable(value, True)}”不是整数：「{kind[1]}」是计数单位，数量应是整数")
                raise ValueError(_refused(kind, value, signed))
            text = value.lstrip("-")
            if len(kind) > 1 and text.endswith(kind[1]):
                text = text[: -len(kind[1])]
            amount = _numeral(text)
            return _normal(-amount if value.startswith("-") else amount)
        if isinstance(value, Decimal) and value.is_finite():
            value = _signed(value, "数量", signed)
            if whole and value != value.to_integral_value():
                raise ValueError(f"「{kind[1]}」是计数单位，数量应是整数")
            return value
        if isinstance(value, float):
            raise ValueError("数量不能用浮点数，请写成整数或字符串，如 \"1999.5\"")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"数量应是整数或小数字符串（如 \"1999.5\"），这里是{_json_kind(value)}")
        return _signed(Decimal(value), "数量", signed)
    if name == "数值":
        return parse_number(value, signed)
    if name == "汇率":
        rate = parse_number(value, False, "汇率")
        if rate <= 0:
            raise ValueError("汇率必须大于0")
        return rate
    if name == "日期":
        return parse_date(value)
    if name == "年度":
        return parse_year(value)
    if name == "文本":
        if not isinstance(value, str):
            raise ValueError(f"应是字符串，这里是{_json_kind(value)}")
        return value
    if name == "等级":
        members = levels[kind[1]]
        if value == NO_LEVEL:
            return 0  # below every level: “区级及以上” is false, not unknown
        if not isinstance(value, str) or value not in members:
            shown = f"“{printable(value, True)}”" if isinstance(value, str) else _json_kind(value)
            raise ValueError(f"应是{'、'.join(members)}之一（没有则写“{NO_LEVEL}”），这里是{shown}")
        return len(members) - members.index(value)
    if name == "集合":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("应是字符串列表")
        for v in value:
            problem = text_problem(v)
            if problem:
                raise ValueError(f"“{printable(v, True)}”{problem}")
        return frozenset(value)
    raise ValueError(f"未知类型 {name}")


# ---- arithmetic and logic ------------------------------------------------------

def add(a, b):
    if type(a) is Decimal and type(b) is Decimal:  # the usual case: no sentinel to stop at
        return a + b
    return blocked(a, b) or a + b


def sub(a, b):
    if type(a) is Decimal and type(b) is Decimal:
        return a - b
    return blocked(a, b) or a - b


def mul(a, b):
    if type(a) is Decimal and type(b) is Decimal:
        return a * b
    return blocked(a, b) or a * b


def div(a, b):
    stop = blocked(a, b)
    if stop:
        return stop
    if b == 0:
        return UNKNOWN  # undefined: a ratio over zero decides nothing
    return a / b


def least(*values):
    """较小者: the smallest value, or the sentinel that stops one of them."""
    return blocked(*values) or min(values)


def greatest(*values):
    """较大者: the largest value, or the sentinel that stops one of them."""
    return blocked(*values) or max(values)


def steps(measure, size, each):
    """每增加 size 增加 each: the whole steps in ``measure`` (a part step and anything below 0 count nothing)."""
    stop = blocked(measure, size, each)
    if stop:
        return stop
    if size <= 0:
        return UNKNOWN  # a step of nothing decides nothing
    if measure <= 0:
        return Decimal(0) * each
    return (measure / size).to_integral_value(ROUND_FLOOR) * each


def marginal(measure, segments):
    """累进: each band's part of ``measure`` at the band's rate, the parts added up.

    ``segments`` holds (low, high, rate) in order; low None is 0, high None runs on without end.
    A measure at or below a band's low contributes nothing from that band."""
    stop = blocked(measure, *[x for seg in segments for x in seg if x is not None])
    if stop:
        return stop
    total = Decimal(0)
    for low, high, rate in segments:
        low = Decimal(0) if low is None else low
        top = measure if high is None else min(measure, high)
        if top > low:
            total += (top - low) * rate
    return total


def add_months(start, months):
    """The day a period of ``months`` from ``start`` ends on (民法典第二百零二条): the same day of the month,
    or the month's last day when that month has no such day (2024-02-29 + 一年 is 2025-02-28)."""
    stop = blocked(start)
    if stop:
        return stop
    year, month = divmod(start.month - 1 + int(months), 12)
    year, month = start.year + year, month + 1
    nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
    return datetime.date(year, month, min(start.day, (nxt - datetime.timedelta(days=1)).day))


def round_to(mode: str, value, unit):
    """向下取整/向上取整/四舍五入 to a whole multiple of ``unit`` (1万元, 1元, 1平方米)."""
    stop = blocked(value, unit)
    if stop:
        return stop
    if unit <= 0:
        return UNKNOWN
    rounding = {"floor": ROUND_FLOOR, "ceiling": ROUND_CEILING, "half_up": ROUND_HALF_UP}[mode]
    return (value / unit).to_integral_value(rounding) * unit


def aggregate(ctx, kind: str, name: str, value_fn, where_fn, test_fn):
    """合计/最大值/最小值/计数 over the items of list ``name`` that pass ``where_fn``; 所有/任一 of ``test_fn``.

    A list the record does not give is unknown. An item whose filter is unknown makes a sum, count or
    extreme unknown; 所有 and 任一 follow three-valued logic over the items (所有 of none is true,
    任一 of none is false). 最大值 and 最小值 of no item have no value: unknown, and the trace says why.
    """
    rows = ctx.list_rows(name)
    if rows is UNKNOWN:
        return None if kind in ("all", "any") else UNKNOWN
    outer = ctx.current_rows.get(name)
    verdict = kind == "all"
    picked, undecided = [], False
    try:
        for index, row in enumerate(rows):
            ctx.current_rows[name] = (index, row)
            chosen = True if where_fn is None else where_fn(ctx)
            if kind == "all":
                verdict = and_(verdict, or_(not_(chosen), test_fn(ctx)))
            elif kind == "any":
                verdict = or_(verdict, and_(chosen, test_fn(ctx)))
            elif chosen is None:
                undecided = True
            elif chosen:
                picked.append(Decimal(1) if value_fn is None else value_fn(ctx))
    finally:
        if outer is None:
            ctx.current_rows.pop(name, None)
        else:
            ctx.current_rows[name] = outer
    if kind in ("all", "any"):
        return verdict
    if undecided:
        return UNKNOWN
    stop = blocked(*picked)
    if stop:
        return stop
    if kind == "count":
        return Decimal(len(picked))
    if kind == "sum":
        return sum(picked, Decimal(0))
    if not picked:
        ctx.missing.add(f"{name}（没有符合条件的一项，无{'最大值' if kind == 'max' else '最小值'}）")
        return UNKNOWN
    return max(picked) if kind == "max" else min(picked)


def compare(op: str, a, b):
    """True, False, or None when either side is not known."""
    if type(a) is not Decimal or type(b) is not Decimal:  # two Decimals are neither sentinels nor None
        if blocked(a, b):
            return None
        if a is None or b is None:  # the level of a recognition not held: it reaches no level
            return False
    if op == ">=":
        return a >= b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == "==":
        return a == b
    return a < b


def truth(value):
    """A boolean field or sub-condition as three-valued truth."""
    if value is UNKNOWN or value is PENDING or value is NOT_APPLICABLE or value is None:
        return None
    return bool(value)


def and_(*values):
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def or_(*values):
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def not_(value):
    return None if value is None else not value


def member(value, elements):
    if blocked(value):
        return None
    return value in elements


def contains(collection, elements):
    if blocked(collection):
        return None
    return any(e in collection for e in elements)


def by_level(rank, entries):
    """Pick the amount listed for the level held; entries map rank → value."""
    if rank is UNKNOWN or rank is PENDING:
        return rank
    if rank is None or rank not in entries:
        return NOT_APPLICABLE
    return entries[rank]


def select_tier(measure, bands):
    """The amount of the band holding ``measure``; a band with no upper bound ends at the next band's lower bound.

    ``bands`` holds (low_op, low, high_op, high, amount_fn); amounts are functions so
    only the chosen band's amount is computed.
    """
    bounds = [b for band in bands for b in (band[1], band[3]) if band[0] or band[2]]
    stop = blocked(measure, *[b for b in bounds if b is not None])
    if stop:
        return stop
    ordered = sorted(bands, key=lambda b: (b[1] is not None, b[1] if b[1] is not None else 0))
    for index, (low_op, low, high_op, high, amount_fn) in enumerate(ordered):
        if high_op is None and index + 1 < len(ordered) and ordered[index + 1][0] is not None:
            nxt_op, nxt = ordered[index + 1][0], ordered[index + 1][1]
            high_op, high = ("<" if nxt_op == ">=" else "<="), nxt
        if low_op is not None and not compare(low_op, measure, low):
            continue
        if high_op is not None and not compare(high_op, measure, high):
            continue
        return amount_fn()
    return NOT_APPLICABLE


def tier_if(condition, amount_fn):
    """A tier with its own condition (档 … 若 …): its amount if the condition holds.

    A failed condition leaves the enterprise in no tier (a lower band is not tried: bands do not
    overlap); an unknown one leaves the amount unknown."""
    if condition is True:
        return amount_fn()
    if condition is False:
        return NOT_APPLICABLE
    return UNKNOWN


def first_reached(op: str, now, threshold, earlier):
    """首次达到: reached this year and in none of the earlier years the record covers.

    ``earlier`` is the list of earlier years' values, or UNKNOWN when the record does not
    cover the field's history: then only a value not reached now decides (False).
    """
    reached_now = compare(op, now, threshold)
    if reached_now is False:
        return False
    if earlier is UNKNOWN:
        return None
    reached_before = or_(*[compare(op, value, threshold) for value in earlier])
    return and_(reached_now, not_(reached_before))


def first_held(held, names, min_rank, op, earlier):
    """首次认定: held now (at the level asked) and in none of the earlier years the record covers."""
    now = holds(held, names, min_rank, op)
    if now is False:
        return False
    if earlier is UNKNOWN:
        return None
    before = or_(*[holds(year_held, names, min_rank, op) for year_held in earlier])
    return and_(now, not_(before))


def holds(held: dict, names, min_rank=None, op=">="):
    """Whether any of ``names`` is held, at a level satisfying ``op min_rank`` if given."""
    if held is UNKNOWN:
        return None
    for name in names:
        if name in held:
            rank = held[name]
            if min_rank is None or compare(op, rank, min_rank):
                return True
    return False


def money(value: Decimal) -> str:
    """The one way money leaves the runtime: a string rounded half-up to 0.01."""
    return str(round_money(value))


def round_money(value: Decimal) -> Decimal:
    # MONEY_CONTEXT passed explicitly: cheaper than a localcontext, whatever context the caller has set.
    return value.quantize(CENT, ROUND_HALF_UP, MONEY_CONTEXT)


def split_tranches(total: Decimal, ratios) -> list[Decimal]:
    """Tranches to the cent that sum to the whole and are never negative.

    What has been paid after each tranche is the running share rounded half-up
    (so 0.02元 in four 25% tranches is 0.01, 0.00, 0.01, 0.00, not 0.01, 0.01, 0.01, −0.01);
    the last tranche takes the remainder.
    """
    parts, paid, share = [], Decimal(0), Decimal(0)
    for r in ratios[:-1]:
        share += r
        running = round_money(total * share)
        parts.append(running - paid)
        paid = running
    parts.append(total - paid)
    return parts


# ---- the evaluation context ---------------------------------------------------

class InputError(Exception):
    """An enterprise record or parameter value that cannot be evaluated; carries every problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(f"{p['位置']}: {p['问题']}" for p in self.problems))


class Context:
    """One enterprise (and, while a per-project item runs, one of its projects)."""

    def __init__(self, values: dict, held: dict, history: list, params: dict, year, projects: list):
        self.values = values
        self.held = held
        self.history = history
        self.history_by_label: dict = {}  # 条款 → its past awards, in record order
        for h in history:
            self.history_by_label.setdefault(h["条款"], []).append(h)
        self.params = params
        self.year = year
        self.projects = projects
        self.project = None
        self.yearly: dict = {}  # field → {year: value}: the record's 历年
        self.yearly_held = None  # year → {recognition: rank}: the record's 历年.已认定, None when not given
        self.missing: set = set()
        self.pending: set = set()
        self.assessed: dict = {}  # 条款 → 通过 / 未通过 / amount granted, from the record's 评定
        self.lists: dict = {}  # list name → its items, each a dict of converted values
        self.specs: dict = {}  # item label → its spec, for 金额（第N条「款」）
        self.current_rows: dict = {}  # list name → (index, item) while an aggregate walks it

    def field(self, name: str):
        if self.project is not None and name in self.project:
            return self.project[name]
        value = self.values.get(name, UNKNOWN)
        if value is UNKNOWN:
            self.missing.add(name)
        return value

    def project_field(self, name: str):
        if self.project is None or name not in self.project:
            self.missing.add(f"项目.{name}")
            return UNKNOWN
        return self.project[name]

    def list_rows(self, name: str):
        rows = self.lists.get(name, UNKNOWN)
        if rows is UNKNOWN:
            self.missing.add(name)
        return rows

    def list_field(self, name: str, field: str):
        index, row = self.current_rows[name]
        value = row.get(field, UNKNOWN)
        if value is UNKNOWN:
            self.missing.add(f"{name}[{index}].{field}")
        return value

    def award_of(self, label: str):
        """金额（第N条「款」）: that item's amount for this enterprise; what stops it stops this one too.

        The item is evaluated afresh (the checker rules out cycles), outside any project and with its own
        record of missing facts, so the item being computed keeps its own.
        """
        saved = (self.missing, self.pending, self.project)
        self.missing, self.pending, self.project = set(), set(), None
        try:
            result = evaluate_item(self.specs[label], self)
        finally:
            self.missing, self.pending, self.project = saved
        if result["金额"] is not None:
            return Decimal(result["金额"])
        if result["状态"] == "信息不足":
            self.missing |= {f"{label}：{m}" for m in result["缺少信息"]}
            return UNKNOWN
        if result["状态"] == "参数待定":
            self.pending |= set(result["待定参数"])
            return PENDING
        return NOT_APPLICABLE

    def param(self, name: str):
        value = self.params.get(name, PENDING)
        if value is PENDING:
            self.pending.add(name)
        return value

    def recognitions(self):
        if self.held is UNKNOWN:
            self.missing.add("已认定")
        return self.held

    def level_of(self, recognition: str):
        if self.held is UNKNOWN:
            self.missing.add("已认定")
            return UNKNOWN
        return self.held.get(recognition)

    def earlier(self, name: str, last_year_field):
        """The field's values in years before 申报年度 (from 历年 and its 上年 twin), or UNKNOWN.

        A record that gives 历年 for the field covers those years; an empty 历年 object says
        there was no earlier year (a newly founded enterprise). No history at all is unknown.
        """
        history = self.yearly.get(name)
        values = []
        if history:
            if self.year is None:
                self.missing.add("申报年度")
                return UNKNOWN
            values = [value for year, value in sorted(history.items()) if year < self.year]
        covered = history is not None
        if last_year_field is not None and last_year_field in self.values:
            values.append(self.values[last_year_field])
            covered = True
        if not covered:
            self.missing.add(f"历年.{name}")
            return UNKNOWN
        return values

    def earlier_held(self):
        """The recognitions held in each year before 申报年度 (the record's 历年.已认定), or UNKNOWN."""
        history = self.yearly_held
        if history is None:
            self.missing.add("历年.已认定")
            return UNKNOWN
        if history and self.year is None:
            self.missing.add("申报年度")
            return UNKNOWN
        return [held for year, held in sorted(history.items()) if year < self.year]

    def received(self, label: str) -> bool:
        """已获「X」: the record lists an award of X, in any year."""
        return label in self.history_by_label

    def past(self, labels) -> list:
        if len(labels) == 1:
            return list(self.history_by_label.get(labels[0], ()))
        return [h for h in self.history if h["条款"] in labels]


# ---- evaluating one item --------------------------------------------------------

_SHOWN = {True: "是", False: "否", None: "未知"}


def step(text: str, result, where: str) -> dict:
    if result is True or result is False or result is None:
        result = _SHOWN[result]
    return {"检查": text, "结果": result, "位置": where}


def gap_text(op: str, left, right, unit: str) -> str | None:
    """How far a failed threshold is: 差 0.01万美元, for instance."""
    if blocked(left, right) or not isinstance(left, Decimal) or not isinstance(right, Decimal):
        return None
    if op in (">=", ">"):
        missing = right - left + (0 if op == ">=" else 0)
        word = "还差"
    else:
        missing = left - right
        word = "超出"
    if unit in ("元", "美元"):
        shown = money_text(missing, unit)
    elif unit == "%":
        shown = ratio_text(missing)
    else:
        shown = f"{plain(missing)}{unit}"
    return f"{word}{shown}" + ("（须严格超过）" if op == ">" and missing == 0 else "")


class Outcome:
    """What the clauses of an item decide for one enterprise or one project."""

    __slots__ = ("status", "amount", "cap", "steps", "missing", "pending", "gaps", "formula", "tranches", "up_to",
                 "result", "quiet")

    def __init__(self, quiet: bool = False):
        self.quiet = quiet  # for the decide path: no trace, no gaps
        self.status = None
        self.amount = None
        self.cap = None
        self.steps = UNTRACED if quiet else []
        self.missing = set()
        self.pending = set()
        self.gaps = []
        self.formula = None
        self.tranches = None
        self.up_to = None  # the maximum, for an award whose text gives only a maximum
        self.result = None


def run_conditions(spec, ctx, out: Outcome) -> bool | None:
    """Every condition, each traced; their Kleene conjunction (False wins over unknown)."""
    verdict = True
    steps = out.steps
    for text, where, test, sides, unit in spec["conditions"]:
        if ctx.missing:
            ctx.missing = set()
        if ctx.pending:
            ctx.pending = set()
        value = test(ctx)
        steps.append(step(text, value, where))
        if value is None:
            out.missing |= ctx.missing
            out.pending |= ctx.pending
            if verdict is True:
                verdict = None
        elif value is False:
            verdict = False
            if sides is not None and not out.quiet:
                op, left, right = sides(ctx)
                gap = gap_text(op, left, right, unit)
                if gap:
                    out.gaps.append({"条件": text, "差距": gap})
    return verdict


def run_amount(spec, ctx, out: Outcome):
    """The amount before history-based limits: award, uplifts, per-unit caps and floors."""
    ctx.missing = set()
    ctx.pending = set()
    amount = spec["award"](ctx)
    if amount is NOT_APPLICABLE:
        out.steps.append(step("不属于给予的任何一档或分级（或所在一档的附加条件不满足）", False, spec["where"]))
        return NOT_APPLICABLE
    for ratio_fn, when_fn, text, where in spec["uplifts"]:
        applies = True if when_fn is None else when_fn(ctx)
        out.steps.append(step(text, applies, where))
        if applies is None:
            amount = UNKNOWN if amount is not PENDING else amount
        elif applies:
            amount = mul(amount, add(Decimal(1), ratio_fn(ctx)))
    bound = None
    # Floors first, then caps: where a floor and a cap disagree, the cap binds (no item pays above it).
    ordered = [c for c in spec["caps"] if c[0] == "下限"] + [c for c in spec["caps"] if c[0] == "上限"]
    for kind, text, where, limit_fn in ordered:
        limit = limit_fn(ctx)
        if limit is NOT_APPLICABLE:
            continue
        stop = blocked(amount, limit)
        if stop:
            amount = stop if amount is not PENDING else amount
            continue
        if kind == "上限" and amount > limit:
            amount, bound = limit, text
            out.steps.append(step(text, f"封顶为{money_text(limit)}", where))
        elif kind == "下限" and amount < limit:
            amount, bound = limit, text
            out.steps.append(step(text, f"保底为{money_text(limit)}", where))
    out.missing |= ctx.missing
    out.pending |= ctx.pending
    out.cap = bound
    return amount


def evaluate_item(spec, ctx, quiet: bool = False) -> dict:
    """One item for one enterprise: status, amount, trace, as LANGUAGE.md section 7 says (``quiet``:
    without the trace and the gaps, which the decide path does not give)."""
    out = Outcome(quiet)
    label = spec["label"]
    past = ctx.past(spec["history_labels"])
    if spec["per_project"]:  # counted per project: each project has its own history
        return evaluate_projects(spec, ctx, out, past)
    if not frequency_allows(spec, ctx, past, out):
        return finish(spec, out, "不符合")
    verdict = run_conditions(spec, ctx, out)
    if verdict is False:
        return finish(spec, out, "不符合")
    if verdict is None:
        return finish(spec, out, "参数待定" if out.pending and not out.missing else "信息不足")
    kind = spec["kind"]
    if kind == "一事一议":
        return finish(spec, out, "一事一议")
    if kind == "非资金支持":
        return finish(spec, out, gate_status(spec, ctx, out))
    if kind == "核定":
        return settle_result(spec, ctx, out)
    amount = run_amount(spec, ctx, out)
    return settle(spec, ctx, out, amount, past)


def result_text(kind: tuple, value) -> str:
    """A 核定 value as a drafter writes it: 140万元, 70%, 5000平方米, 20年."""
    name = kind[0] if kind else ""
    if name == "金额":
        return money_text(round_money(value), kind[1])
    if name == "比例":
        return ratio_text(value)
    if name == "数量":
        return f"{plain(value)}{kind[1]}"
    if name == "期限":  # months
        return f"{plain(value / 12)}年" if value % 12 == 0 else f"{plain(value)}个月"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def settle_result(spec, ctx, out: Outcome) -> dict:
    """核定: a value that is not money paid (a lowest land price, a term, an area), with its own 上限/下限.

    It is shown in the result under 核定 and never enters the money totals (金额 stays empty)."""
    name, kind = spec["result"]
    ctx.missing, ctx.pending = set(), set()
    value = spec["award"](ctx)
    ordered = [c for c in spec["caps"] if c[0] == "下限"] + [c for c in spec["caps"] if c[0] == "上限"]
    for limit_kind, text, where, limit_fn in ordered:
        limit = limit_fn(ctx)
        stop = blocked(value, limit)
        if stop:
            value = stop if value is not PENDING else value
            continue
        if (limit_kind == "上限" and value > limit) or (limit_kind == "下限" and value < limit):
            value = limit
            out.steps.append(step(text, f"核定为{result_text(kind, limit)}", where))
    out.missing |= ctx.missing
    out.pending |= ctx.pending
    if value is PENDING:
        return finish(spec, out, "参数待定")
    if value is UNKNOWN:
        return finish(spec, out, "信息不足")
    if value is NOT_APPLICABLE:
        out.steps.append(step("不属于核定的任何一档或分级", False, spec["where"]))
        return finish(spec, out, "不符合")
    if kind and kind[0] == "金额":
        value = round_money(value)
    out.result = (name, kind, value)
    out.steps.append(step(f"核定「{name}」（不是资金，不计入合计）", result_text(kind, value), spec["where"]))
    return finish(spec, out, gate_status(spec, ctx, out))


def evaluate_projects(spec, ctx, out: Outcome, past) -> dict:
    total = Decimal(0)
    statuses = []
    by_project = {}  # project name → its amount, for 例外 and 互斥 applied project by project
    if not ctx.projects:
        out.steps.append(step("企业没有申报项目", False, spec["where"]))
        return finish(spec, out, "不符合")
    for index, project in enumerate(ctx.projects):
        ctx.project = project
        sub = Outcome(out.quiet)
        name = project.get("项目名称", f"第{index + 1}个项目")
        # A past award that names no project may have gone to this one: it counts against every project.
        if not frequency_allows(spec, ctx, [h for h in past if h.get("项目") in (name, None)], sub):
            for s in sub.steps:
                s["项目"] = name
            out.steps += sub.steps
            statuses.append("不符合")
            continue
        verdict = run_conditions(spec, ctx, sub)
        for s in sub.steps:
            s["项目"] = name
        out.steps += sub.steps
        out.gaps += sub.gaps
        if verdict is None:
            out.missing |= sub.missing
            out.pending |= sub.pending
            statuses.append("参数待定" if sub.pending and not sub.missing else "信息不足")
            continue
        if verdict is False:
            statuses.append("不符合")
            continue
        if spec["kind"] in ("一事一议", "非资金支持"):
            statuses.append("ok")
            continue
        amount = run_amount(spec, ctx, sub)
        out.missing |= sub.missing
        out.pending |= sub.pending
        if amount is PENDING:
            statuses.append("参数待定")
        elif amount is UNKNOWN:
            statuses.append("信息不足")
        elif amount is NOT_APPLICABLE:
            statuses.append("不符合")
        else:
            before = len(sub.steps)
            amount = project_caps(spec, ctx, sub, amount, [h for h in past if h.get("项目") in (name, None)])
            out.missing |= sub.missing
            out.pending |= sub.pending
            for s in sub.steps[before:]:
                s["项目"] = name
                out.steps.append(s)
            if amount is PENDING or amount is UNKNOWN:
                statuses.append("参数待定" if amount is PENDING else "信息不足")
                continue
            statuses.append("ok")
            total += amount
            if not out.quiet:
                amount_step = step("本项目金额", money_text(round_money(amount)), spec["where"])
                amount_step["项目"] = name
                out.steps.append(amount_step)
            by_project[name] = by_project.get(name, Decimal(0)) + amount
            if sub.cap:
                out.cap = sub.cap
    ctx.project = None
    if "ok" in statuses:
        if spec["kind"] == "一事一议":
            return finish(spec, out, "一事一议")
        if spec["kind"] == "非资金支持":
            return finish(spec, out, gate_status(spec, ctx, out))
        for status in ("参数待定", "信息不足"):  # a project that cannot be decided leaves the total unknown
            if status in statuses:
                out.steps.append(step(f"已确定的项目合计{money_text(round_money(total))}；"
                                      f"另有 {statuses.count(status)} 个项目{status}，合计无法确定", None, spec["where"]))
                return finish(spec, out, status)
        result = settle(spec, ctx, out, total, past)
        if result["金额"] is not None:
            result["项目金额"] = {name: money(value) for name, value in by_project.items()}
        return result
    for status in ("参数待定", "信息不足"):
        if status in statuses:
            return finish(spec, out, status)
    return finish(spec, out, "不符合")


def project_caps(spec, ctx, sub: Outcome, amount, project_past):
    """Caps scoped to one project (项目年度上限, 项目累计上限): this project's own past awards count.

    A past award that names no project may have gone to this one, so it counts too.
    """
    for kind, text, where, limit_fn in spec["caps"]:
        if kind not in ("项目年度上限", "项目累计上限"):
            continue
        ctx.missing, ctx.pending = set(), set()
        limit = limit_fn(ctx)
        stop = blocked(limit)
        if stop is PENDING:
            sub.pending |= ctx.pending
            return PENDING
        if stop is UNKNOWN:
            sub.missing |= ctx.missing
            return UNKNOWN
        if stop is not None:
            continue
        used = used_in_scope(kind, project_past, ctx.year)
        if used is None:
            sub.missing.add("申报年度")
            return UNKNOWN
        room = max(Decimal(0), limit - used)
        if amount > room:
            amount = room
            sub.cap = text
            sub.steps.append(step(text, f"本项目已获{money_text(used)}，本次最多{money_text(room)}", where))
    return amount


def used_in_scope(kind: str, past: list, year):
    """What earlier awards already used of a cap: this year's (年度上限), the window's
    (期内累计上限/N: this year and the N−1 before) or all of them (累计上限); a 项目 cap reads
    one project's awards. None when the cap needs the year and the record gives none."""
    base = kind.removeprefix("项目")
    if base == "年度上限" or base.startswith("期内累计上限/"):
        if year is None:
            return None
        first = year - (int(base.partition("/")[2]) - 1 if base != "年度上限" else 0)
        return sum((h["金额"] for h in past if first <= h["年度"] <= year), Decimal(0))
    return sum((h["金额"] for h in past), Decimal(0))


def settle(spec, ctx, out: Outcome, amount, past) -> dict:
    """Apply 补差, annual and cumulative caps, then round once."""
    if amount is PENDING:
        return finish(spec, out, "参数待定")
    if amount is UNKNOWN:
        return finish(spec, out, "信息不足")
    if amount is NOT_APPLICABLE:
        return finish(spec, out, "不符合")
    if spec["topup"] is not None:
        paid = sum((h["金额"] for h in ctx.past(spec["topup"])), Decimal(0))
        out.steps.append(step("补差：扣除已获支持", money_text(paid), spec["where"]))
        amount = max(Decimal(0), amount - paid)
    for kind, text, where, limit_fn in spec["caps"]:
        if kind not in ("年度上限", "累计上限") and not kind.startswith("期内累计上限/"):
            continue
        ctx.missing, ctx.pending = set(), set()
        limit = limit_fn(ctx)
        stop = blocked(limit)
        if stop is PENDING:
            out.pending |= ctx.pending
            return finish(spec, out, "参数待定")
        if stop is UNKNOWN:  # a cap that cannot be computed still applies: the amount is not known
            out.missing |= ctx.missing
            return finish(spec, out, "信息不足")
        if stop is not None:
            continue
        used = used_in_scope(kind, past, ctx.year)
        if used is None:
            out.missing.add("申报年度")
            return finish(spec, out, "信息不足")
        room = max(Decimal(0), limit - used)
        if amount > room:
            amount = room
            out.cap = text
            out.steps.append(step(text, f"已获{money_text(used)}，本次最多{money_text(room)}", where))
    if spec["tranches"]:
        ratios = [fn(ctx) for fn in spec["tranches"]]
        if blocked(*ratios) is PENDING:
            return finish(spec, out, "参数待定")
        out.tranches = ratios
    out.amount = round_money(amount)
    if spec.get("up_to"):  # the text gives only a maximum: the enterprise may get at most this much
        out.up_to = out.amount
        out.steps.append(step(f"原文只给出最高额（{spec['up_to']}），具体金额经评定确定",
                              f"最多可得{money_text(out.amount)}", spec["where"]))
    return finish(spec, out, gate_status(spec, ctx, out))


def gate_status(spec, ctx, out: Outcome) -> str:
    """待评定 until the record says what the assessment decided (评定: 通过, 未通过, or the amount granted).

    An amount granted for an up-to award must lie within what the enterprise may get at most."""
    if not spec["gate"] and not spec.get("up_to"):
        return "符合"
    decided = ctx.assessed.get(spec["label"])
    if decided is None:
        return "待评定"
    if decided == "未通过":
        out.steps.append(step("评定", "未通过", spec["where"]))
        return "不符合"
    if isinstance(decided, Decimal):
        if out.amount is None:
            raise InputError([{"位置": f"$.评定.{spec['label']}", "问题": "这一款不涉及金额，评定写“通过”或“未通过”"}])
        if decided > out.amount:
            raise InputError([{"位置": f"$.评定.{spec['label']}",
                               "问题": f"评定金额{money_text(decided)}超过本款最多可得的{money_text(out.amount)}"}])
        out.amount = round_money(decided)
        out.steps.append(step("评定", f"通过，评定金额{money_text(out.amount)}", spec["where"]))
        return "符合"
    if out.up_to is not None:  # 通过 without an amount: the exact figure is still to be set
        out.steps.append(step("评定", "通过，但未写评定金额；金额仍为最多可得", spec["where"]))
        return "待评定"
    out.steps.append(step("评定", "通过", spec["where"]))
    return "符合"


def frequency_allows(spec, ctx, past, out: Outcome) -> bool:
    """Every part of the item's 频次 must allow (每年、最多 3次: once a year, three times in all)."""
    freq = spec["frequency"]
    if freq is None:
        return True
    ok = True
    for part in (freq, *spec.get("frequency_also", ())):
        if not frequency_part_allows(part, ctx, past, out):
            ok = False
    return ok


PERIOD_RANGES = {"申报季度": 4, "申报月份": 12}  # the record gives them as JSON integers in this range
_PERIOD = {"每年": (), "每季度": ("申报季度", "季度"), "每月": ("申报月份", "月份")}


def quarter_of(entry: dict):
    """The quarter a past award was for: its 季度, or the quarter of its 月份, or None."""
    if entry.get("季度") is not None:
        return entry["季度"]
    if entry.get("月份") is not None:
        return (entry["月份"] - 1) // 3 + 1
    return None


def frequency_part_allows(part, ctx, past, out: Outcome) -> bool:
    kind, count, text, where = part
    if kind == "每次":
        return True
    if kind in _PERIOD:
        needed = ["申报年度"] if ctx.year is None else []
        period = None
        if _PERIOD[kind]:
            period = ctx.values.get(_PERIOD[kind][0])
            if period is None:
                needed.append(_PERIOD[kind][0])
        if needed:
            out.steps.append(step(text, None, where))
            out.missing.update(needed)
            return True  # decided later: the period is missing
        used = [h for h in past if h["年度"] == ctx.year]
        shown = f"{ctx.year}年度"
        if kind == "每季度":  # an award that names no quarter may have been for this one: it counts
            used = [h for h in used if quarter_of(h) in (period, None)]
            shown += f"第{plain(period)}季度"
        elif kind == "每月":
            quarter = (period - 1) // 3 + 1
            used = [h for h in used if h.get("月份") == period
                    or (h.get("月份") is None and h.get("季度") in (quarter, None))]
            shown += f"{plain(period)}月"
        ok = not used
        out.steps.append(step(f"{text}：{shown}已获{len(used)}次", ok, where))
        return ok
    used = len(past)
    ok = used < count
    out.steps.append(step(f"{text}：已获{used}次", ok, where))
    return ok


def frequency_quiet(spec, ctx, past, missing: set) -> bool:
    """frequency_allows on the decide path: the same answer and missing facts, without the trace.

    With no past award of the item and its period known, every part allows (nothing was used in the
    period, and a count of at least one is left): most items of most enterprises end here."""
    if not past and ctx.year is not None:
        for kind, count, _text, _where in (spec["frequency"], *spec.get("frequency_also", ())):
            if kind in _PERIOD:
                if _PERIOD[kind] and ctx.values.get(_PERIOD[kind][0]) is None:
                    break
            elif kind != "每次" and not count > 0:
                break
        else:
            return True
    return frequency_allows(spec, ctx, past, Quiet(missing))


PERIOD_FIELDS = ("申报年度", "申报季度", "申报月份")


def finish(spec, out: Outcome, status: str) -> dict:
    if status == "信息不足" and out.missing == set() and out.pending:
        status = "参数待定"
    if status in ("符合", "待评定") and out.missing.intersection(PERIOD_FIELDS):
        status = "信息不足"
    amount = out.amount if status in ("符合", "待评定") else None
    result = {
        "条款": spec["label"],
        "状态": status,
        "金额": money(amount) if amount is not None else None,
        "上限": out.cap if amount is not None else None,
        "理由": out.steps,
        # Undecided with no fact missing: only a division by zero leaves a computation without a value.
        "缺少信息": (sorted(out.missing) or ["（算式的除数为零，无法计算）"]) if status == "信息不足" else [],
        "待定参数": sorted(out.pending) if status == "参数待定" else [],
        "差距": out.gaps if status == "不符合" else [],
        "公式": spec["formula"] if status == "参数待定" else None,
        "原文": spec["quote"],
    }
    if amount is not None and out.tranches:
        result["分期"] = [money(p) for p in split_tranches(amount, out.tranches)]
    if amount is not None and out.up_to is not None:
        result["最多可得"] = money(out.up_to)
    if out.result is not None and status in ("符合", "待评定"):
        name, kind, value = out.result
        result["核定"] = {"名称": name, "类型": _kind_text(kind),
                        "值": (money(value) if kind and kind[0] == "金额" else plain(value))
                        if isinstance(value, Decimal) else str(value),
                        "文字": result_text(kind, value)}
    return result


def _kind_text(kind) -> str:
    if not kind:
        return ""
    if kind[0] == "金额":
        return f"金额（{kind[1]}）"
    if kind[0] == "数量":
        return f"数量（{kind[1]}）"
    if kind[0] == "期限":
        return "期限（月）"
    return kind[0]


def within(as_of, start, end, months) -> bool:
    """Whether ``as_of`` falls in the validity period; 试行一年 from 1 Jan ends on 31 Dec."""
    if start is not None and as_of < start:
        return False
    if end is None and start is not None and months:
        year, month = divmod(start.month - 1 + int(months), 12)
        try:
            boundary = start.replace(year=start.year + year, month=month + 1)
        except ValueError:  # 29 Feb or the 31st: the boundary falls on the next month's first day
            boundary = datetime.date(start.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        return as_of < boundary
    return end is None or as_of <= end


# ---- combining the items of a policy ---------------------------------------------

def drop_projects(result: dict, projects: set, why: str, where: str) -> None:
    """Take the named projects' amounts out of a per-project result (例外 or 互斥 per project).

    The item's amount after its annual and cumulative caps may be below the sum of its projects:
    what is left is the smaller of that amount and the projects that remain.
    """
    gone = [p for p in result["项目金额"] if p in projects]
    if not gone:
        return
    kept = {p: a for p, a in result["项目金额"].items() if p not in projects}
    left = min(Decimal(result["金额"]), sum((Decimal(a) for a in kept.values()), Decimal(0)))
    result["项目金额"] = kept
    for p in gone:
        s = step(why, False, where)
        s["项目"] = p
        traced(result).append(s)
    if kept:
        result["金额"] = money(left)
    else:
        result["状态"] = "不符合"
        result["金额"] = None
        result["上限"] = None
        result.pop("项目金额")
        result.pop("分期", None)


def exclusive_by_project(group, by_label, notes) -> None:
    """互斥 … 按项目: for each project, only one member pays for it (the highest, or the first listed)."""
    members = [by_label[m] for m in group["members"] if m in by_label and "项目金额" in by_label[m]]
    projects = sorted({p for r in members for p in r["项目金额"]})
    for project in projects:
        paying = [r for r in members if project in r.get("项目金额", {})]
        if len(paying) < 2:
            continue
        if group["rule"] == "就高":
            keep = max(paying, key=lambda r: Decimal(r["项目金额"][project]))
        else:
            keep = paying[0]
        for r in paying:
            if r is not keep:
                drop_projects(r, {project}, f"与{keep['条款']}就同一项目互斥（{group['rule']}）", group["where"])
        notes.append(f"{group['name']}：项目「{project}」取{keep['条款']}")


def received_before_by_project(group, by_label, ctx, notes) -> None:
    """同一项目不重复支持 across years: a project that already received one of the group's one-off
    members is not paid by another one-off member (unless that one is a 补差 top-up of it). An
    earlier award naming no project may have been for any project, so it counts for each."""
    if not ctx.history:  # nothing received before: nothing to exclude
        return
    once = [label for label in group["members"] if (spec := ctx.specs.get(label)) is not None
            and spec["frequency"] and spec["frequency"][0] in ONE_OFF and spec["per_project"]]
    for label in once:
        r = by_label.get(label)
        if r is None or "项目金额" not in r:
            continue
        topup = ctx.specs[label].get("topup") or ()
        earlier = [h for h in ctx.history if h["条款"] in once and h["条款"] != label
                   and h["条款"] not in topup and h["金额"] > 0]
        for project in list(r["项目金额"]):
            before = next((h for h in earlier if h.get("项目") in (project, None)), None)
            if before is None or "项目金额" not in r:
                continue
            drop_projects(r, {project}, f"本项目已获{before['条款']}，与其互斥（{group['rule']}），不重复支持",
                          group["where"])
            notes.append(f"{group['name']}：项目「{project}」已获{before['条款']}，{label}不再支持")


def group_cap(group, limit_fn, by_label, included, ctx, certain, at_most, notes):
    """组合上限: the members' amounts together stay within the limit, per project (one event), per year
    or over all years; what is above it comes off the totals (the items keep their own amounts)."""
    limit = limit_fn(ctx)
    text = group["text"]
    if blocked(limit):
        notes.append(f"{text}（参数待定，未核对）")
        return certain, at_most
    members = [by_label[m] for m in group["members"]
               if m in by_label and included.get(m) and by_label[m]["金额"] is not None]
    over_certain = over_all = Decimal(0)
    if group["scope"] == "项目":
        projects = sorted({p for r in members for p in r.get("项目金额", {})})
        for project in projects:
            paid = [(r["状态"], Decimal(r["项目金额"][project])) for r in members if project in r.get("项目金额", {})]
            over_all += max(Decimal(0), sum((a for _, a in paid), Decimal(0)) - limit)
            over_certain += max(Decimal(0), sum((a for s, a in paid if s == "符合"), Decimal(0)) - limit)
    else:
        past = [h for h in ctx.history if h["条款"] in group["members"]]
        if group["scope"] == "每年":
            if ctx.year is None and past:
                notes.append(f"{text}（缺少申报年度，未扣除本年度已获支持）")
            past = [h for h in past if h["年度"] == ctx.year]
        room = max(Decimal(0), limit - sum((h["金额"] for h in past), Decimal(0)))
        over_all = max(Decimal(0), sum((Decimal(r["金额"]) for r in members), Decimal(0)) - room)
        over_certain = max(Decimal(0), sum((Decimal(r["金额"]) for r in members if r["状态"] == "符合"),
                                           Decimal(0)) - room)
    if over_all > 0 or over_certain > 0:
        notes.append(f"{text}：超出{money_text(round_money(over_all))}，不计入合计")
    return certain - over_certain, at_most - over_all


ONE_OFF = ("一次性", "最多", "序数")  # frequencies that pay an enterprise a bounded number of times in all


def received_before(group, by_label, included, ctx, notes) -> set:
    """同一事项不重复支持 across years: a one-off member already received in an earlier award
    excludes the group's other one-off members (unless one is a 补差 top-up of it); returns those excluded."""
    excluded = set()
    if not ctx.history:  # nothing received before: nothing to exclude
        return excluded
    once = [label for label in group["members"] if (spec := ctx.specs.get(label)) is not None
            and spec["frequency"] and spec["frequency"][0] in ONE_OFF and not spec["per_project"]]
    taken = {h["条款"] for h in ctx.history if h["条款"] in once and h["金额"] > 0}
    for label in once:
        r = by_label.get(label)
        spec = ctx.specs[label]
        earlier = [t for t in taken if t != label and t not in (spec.get("topup") or ())]
        if r is None or r["金额"] is None or not earlier:
            continue
        included[label] = False
        excluded.add(label)
        traced(r).append(step(f"企业已获{earlier[0]}，与其互斥（{group['rule']}），不重复支持，不计入合计",
                             False, group["where"]))
        notes.append(f"{group['name']}：已获{earlier[0]}，{label}不计入")
    return excluded


def combine(policy, results: list, ctx) -> dict:
    """Overrides, mutual exclusions and the total cap, applied after every item is known."""
    by_label = {r["条款"]: r for r in results}
    for winner, loser in policy["overrides"]:
        w, l = by_label.get(winner), by_label.get(loser)
        if w and l and "项目金额" in w and "项目金额" in l:  # both per project: the override holds project by project
            drop_projects(l, set(w["项目金额"]), f"被{winner}取代（例外）", policy["where"])
            continue
        if w and l and w["状态"] in ("符合", "待评定") and l["状态"] in ("符合", "待评定"):
            l["状态"] = "不符合"
            traced(l).append(step(f"被{winner}取代（例外）", False, policy["where"]))
            l["金额"] = None
    included = {r["条款"]: True for r in results if r["金额"] is not None}  # in the totals unless taken out
    notes = []
    for group in policy["exclusives"]:
        if group["rule"] == "累加":
            continue
        if group.get("per_project"):
            received_before_by_project(group, by_label, ctx, notes)
            exclusive_by_project(group, by_label, notes)
            continue
        taken = received_before(group, by_label, included, ctx, notes)
        members, undecided = [], []
        for label in group["members"]:
            r = by_label.get(label)
            if label in taken:
                continue
            if r is not None and r["金额"] is not None:
                members.append(r)
            elif r is not None and r["状态"] in ("参数待定", "信息不足"):
                undecided.append(r)  # may pay once decided: the choice below is provisional
        if undecided and members:
            keep = max(members, key=lambda r: Decimal(r["金额"])) if group["rule"] == "就高" else members[0]
            waiting = "、".join(f"{r['条款']}{r['状态']}" for r in undecided)
            for r in members:
                if r is not keep:
                    included[r["条款"]] = False
                    traced(r).append(step(f"与{keep['条款']}互斥（{group['rule']}），不计入合计", False, group["where"]))
            notes.append(f"{group['name']}：暂取{keep['条款']}；{waiting}，确定后按{group['rule']}重新比较")
            continue
        if len(members) < 2:
            continue
        if group["rule"] == "就高":
            keep = max(members, key=lambda r: Decimal(r["金额"]))
        else:
            keep = members[0]
        for r in members:
            if r is not keep:
                included[r["条款"]] = False
                traced(r).append(step(f"与{keep['条款']}互斥（{group['rule']}），不计入合计", False, group["where"]))
        notes.append(f"{group['name']}：取{keep['条款']}")
    certain = at_most = Decimal(0)
    counted = []
    for label, yes in included.items():
        r = by_label[label]
        if yes and r["金额"] is not None:  # 互斥 per project may have taken all of an item
            counted.append(label)
            amount = Decimal(r["金额"])
            at_most += amount
            if r["状态"] == "符合":
                certain += amount
    group_notes = []
    for group, limit_fn in policy.get("group_caps") or ():
        certain, at_most = group_cap(group, limit_fn, by_label, included, ctx, certain, at_most, group_notes)
    cap_note = None
    scopes = policy.get("sum_cap_scopes") or ()
    for index, (cap_text, limit_fn) in enumerate(policy["sum_caps"]):
        limit = limit_fn(ctx)
        if blocked(limit):
            cap_note = f"{cap_text}（参数待定，未核对）"
            continue
        if index < len(scopes) and scopes[index] == "累计":  # 总额上限 without 每年: every past award counts
            unknown_year = False
            used = sum((h["金额"] for h in ctx.history), Decimal(0))
        else:
            unknown_year = ctx.year is None and ctx.history
            used = sum((h["金额"] for h in ctx.history if h["年度"] == ctx.year), Decimal(0))
        room = max(Decimal(0), limit - used)
        if at_most > room or certain > room:
            cap_note = f"{cap_text}：合计封顶为{money_text(room)}"
            certain, at_most = min(certain, room), min(at_most, room)
        if unknown_year:  # the cap still binds; what this year already paid cannot be deducted
            cap_note = f"{cap_note or cap_text}（缺少申报年度，未扣除本年度已获支持）"
    return {
        "合计": money(certain),
        "最高合计": money(at_most),
        "计入合计": counted,
        "互斥": notes,
        "总额上限": cap_note,
        **({"组合上限": group_notes} if group_notes else {}),
    }


# ---- reading the record ---------------------------------------------------------

def read_record(record, schema) -> tuple[Context, list, list]:
    """Validate a JSON record against the policy's fields (the input contract above); every problem at once."""
    problems, warnings = [], []
    if not isinstance(record, dict):
        raise InputError([{"位置": "$", "问题": f"企业记录应是 JSON 对象，这里是{_json_kind(record)}"}])
    _check_size(record, MAX_KEYS, "$", "个键")
    fields, project_fields, levels = schema["fields"], schema["project_fields"], schema["levels"]
    signed = frozenset(schema.get("signed", ()))
    hints = _Hints()
    values = {}
    list_kinds = schema.get("lists", {})
    lists = read_lists(record, list_kinds, schema, problems, warnings)
    fractional = schema.get("fractional_units", ())
    for key, value in record.items():
        kind = fields.get(key)
        if kind is not None:  # a field (none is named as a record key or a list)
            if value is None:
                continue  # null means not known
            if (value is True or value is False) and kind[0] == "布尔":
                values[key] = value  # the commonest field: what convert() returns for it
                continue
            try:
                values[key] = convert(kind, value, levels, key in signed, counted(kind, fractional))
            except (ValueError, InvalidOperation, ArithmeticError) as exc:
                problems.append({"位置": f"$.{printable(key)}", "问题": str(exc)})
            continue
        if key in RECORD_KEYS or key in list_kinds:
            continue
        where = f"$.{printable(key)}"
        if isinstance(key, str) and text_problem(key, True):
            problems.append({"位置": where, "问题": f"名称{text_problem(key, True)}"})
            continue
        near = hints.nearest(key, fields)
        warnings.append({"位置": where, "问题": f"未知字段「{printable(key)}」，已忽略" + (f"；最接近的是「{near}」" if near else "")})
    held = {}
    raw = record.get("已认定", UNKNOWN)
    if raw is UNKNOWN:
        held = UNKNOWN  # not said: conditions on recognitions stay undecided
    elif not isinstance(raw, dict):
        problems.append({"位置": "$.已认定", "问题": "应是对象：认定名称 → 等级（不分等级的写 true）"})
    else:
        _check_size(raw, MAX_KEYS, "$.已认定", "项认定")
        for name, level in raw.items():
            where = f"$.已认定.{printable(name)}"
            if name not in schema["recognitions"] and isinstance(name, str) and text_problem(name, True):
                problems.append({"位置": where, "问题": f"名称{text_problem(name, True)}"})
                continue
            if name not in schema["recognitions"]:
                warnings.append({"位置": where, "问题": f"未知认定「{printable(name)}」，已忽略"})
                continue
            if level is False or level is None:
                continue
            rec = schema["recognitions"][name]
            if rec:
                members = levels[rec]
                if not isinstance(level, str) or level not in members:
                    problems.append({"位置": where, "问题": f"应是{'、'.join(members)}之一（未获得写 false）"})
                    continue
                held[name] = len(members) - members.index(level)
            elif level is True:
                held[name] = 0
            else:
                problems.append({"位置": where, "问题": "不分等级的认定写 true（未获得写 false）"})
    history = []
    raw = record.get("已获支持", [])
    if not isinstance(raw, list):
        problems.append({"位置": "$.已获支持", "问题": "应是列表"})
        raw = []
    _check_size(raw, MAX_HISTORY, "$.已获支持", "条记录")
    for i, h in enumerate(raw):
        where = f"$.已获支持[{i}]"
        if not isinstance(h, dict):
            problems.append({"位置": where, "问题": "应是对象，含 条款、年度、金额"})
            continue
        _check_size(h, MAX_KEYS, where, "个键")
        entry = {}
        label = h.get("条款")
        if not isinstance(label, str):
            problems.append({"位置": f"{where}.条款", "问题": f"没有条款：应是条款名称（字符串），这里是{_json_kind(label)}"})
        elif text_problem(label):
            problems.append({"位置": f"{where}.条款", "问题": text_problem(label)})
        elif label not in schema["items"]:
            near = hints.nearest(label, schema["items"])
            problems.append({"位置": f"{where}.条款", "问题": f"没有条款“{printable(label, True)}”" + (f"；最接近的是“{near}”" if near else "")})
        entry["条款"] = label
        if "项目" in h:
            if not isinstance(h["项目"], str):
                problems.append({"位置": f"{where}.项目", "问题": "应是项目名称（字符串）"})
            elif text_problem(h["项目"]):
                problems.append({"位置": f"{where}.项目", "问题": text_problem(h["项目"])})
            entry["项目"] = h["项目"]
        try:
            entry["年度"] = convert(("年度",), h.get("年度"), levels)
        except ValueError as exc:
            problems.append({"位置": f"{where}.年度", "问题": str(exc)})
        for key, last in (("季度", 4), ("月份", 12)):
            if h.get(key) is None:
                continue
            value = h[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= last:
                problems.append({"位置": f"{where}.{key}", "问题": f"{key}应是 1 至 {last} 的整数"})
                continue
            entry[key] = Decimal(value)
        if "金额" not in h or h["金额"] is None:
            problems.append({"位置": f"{where}.金额", "问题": "缺少金额：已获支持的每条记录须写明金额，如 \"50万元\""})
        else:
            try:
                entry["金额"] = convert(("金额", "元"), h["金额"], levels)
            except (ValueError, InvalidOperation, ArithmeticError) as exc:
                problems.append({"位置": f"{where}.金额", "问题": str(exc)})
        history.append(entry)
    projects = []
    raw = record.get("项目", [])
    if not isinstance(raw, list):
        problems.append({"位置": "$.项目", "问题": "应是列表，每个项目一个对象"})
        raw = []
    _check_size(raw, MAX_PROJECTS, "$.项目", "个项目")
    for i, p in enumerate(raw):
        if not isinstance(p, dict):
            problems.append({"位置": f"$.项目[{i}]", "问题": "应是对象"})
            continue
        _check_size(p, MAX_KEYS, f"$.项目[{i}]", "个键")
        project = {}
        for key, value in p.items():
            kind = project_fields.get(key) or fields.get(key)
            if kind is None:
                where = f"$.项目[{i}].{printable(key)}"
                if isinstance(key, str) and text_problem(key, True):
                    problems.append({"位置": where, "问题": f"名称{text_problem(key, True)}"})
                else:
                    warnings.append({"位置": where, "问题": f"未知项目字段「{printable(key)}」，已忽略"})
                continue
            if value is None:
                continue
            if (value is True or value is False) and kind[0] == "布尔":
                project[key] = value
                continue
            try:
                project[key] = convert(kind, value, levels, key in signed, counted(kind, fractional))
            except (ValueError, InvalidOperation, ArithmeticError) as exc:
                problems.append({"位置": f"$.项目[{i}].{printable(key)}", "问题": str(exc)})
        projects.append(project)
    named = {}
    for i, project in enumerate(projects):
        name = project.get("项目名称")
        if isinstance(name, str) and name in named:
            warnings.append({"位置": f"$.项目[{i}].项目名称", "问题": f"与 $.项目[{named[name]}] 同名（“{printable(name, True)}”）："
                             "已获支持按项目名称计次，项目金额按名称合计，两个项目当作同一个项目；不是同一项目请改用不同的名称"})
        elif isinstance(name, str):
            named[name] = i
    assessed = read_assessments(record.get("评定", {}), schema, problems)
    for key, last in PERIOD_RANGES.items():
        value, given = values.get(key), record.get(key)
        if value is not None and (isinstance(given, str) or not 1 <= value <= last):
            problems.append({"位置": f"$.{key}", "问题": f"{key}应是 1 至 {last} 的整数"})
    year = values.get("申报年度")
    yearly = read_yearly(record.get("历年"), schema, values, year, problems, warnings)
    if problems:
        raise InputError(problems)
    ctx = Context(values, held, history, {}, year, projects)
    ctx.assessed = assessed
    ctx.lists = lists
    ctx.yearly = yearly
    ctx.yearly_held = read_yearly_held(record.get("历年"), schema, problems)
    if problems:
        raise InputError(problems)
    return ctx, warnings, problems


def read_assessments(raw, schema, problems: list) -> dict:
    """评定: {条款: "通过" | "未通过" | amount granted}: what a human assessment decided, per item."""
    out = {}
    if not isinstance(raw, dict):
        problems.append({"位置": "$.评定", "问题": "应是对象：条款 → “通过”、“未通过”或评定金额（如 \"30万元\"）"})
        return out
    for label, value in raw.items():
        where = f"$.评定.{printable(label)}"
        if label not in schema["items"]:
            near = _nearest(str(label), schema["items"])
            problems.append({"位置": where, "问题": f"没有条款“{printable(label, True)}”" + (f"；最接近的是“{near}”" if near else "")})
        elif value in ("通过", "未通过"):
            out[label] = value
        else:
            try:
                amount = _finite(parse_money(value))
                if amount < 0:
                    raise ValueError("金额不能为负数")
                out[label] = amount
            except (ValueError, InvalidOperation) as exc:
                problems.append({"位置": where, "问题": f"应是“通过”、“未通过”或评定金额：{exc}"})
    return out


_JSON_MESSAGES = (
    ("Expecting value", "此处应有一个 JSON 值"),
    ("Expecting property name enclosed in double quotes", "此处应是用英文双引号括起的键名"),
    ("Expecting ':' delimiter", "此处应是冒号 :"),
    ("Expecting ',' delimiter", "此处应是逗号 ,"),
    ("Unterminated string", "字符串缺少结尾的引号"),
    ("Invalid control character", "字符串中有未转义的控制字符"),
    ("Invalid \\uXXXX escape", "无效的 \\u 转义"),
    ("Invalid \\escape", "无效的转义"),
    ("Extra data", "JSON 值之后还有多余的内容"),
    ("Illegal trailing comma", "多余的逗号"),
)


def json_constants(texts: dict):
    """A module's ``__getattr__`` (PEP 562) for constants kept as JSON text: each is read on first use,
    so loading a module does not pay for a large input contract that most callers never ask for."""
    values = {}

    def __getattr__(name):
        if name not in texts:
            raise AttributeError(f"module has no attribute {name!r}")
        if name not in values:
            values[name] = json.loads(texts[name])
        return values[name]

    return __getattr__


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def read_json(text) -> object:
    """An enterprise record from JSON text (str, or UTF-8 bytes), checked before anything reads it.

    Besides malformed JSON, these are problems, each reported in Chinese with its place: a
    byte-order mark, a key given twice in one object (json.loads would keep the last one
    silently), nesting deeper than MAX_DEPTH, numbers too long to read, lone surrogates.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError([{"位置": f"第 {exc.start + 1} 个字节", "问题": "不是 UTF-8 编码的文本"}]) from None
    if not isinstance(text, str):
        raise InputError([{"位置": "$", "问题": f"应是 JSON 文本，这里是{_json_kind(text)}"}])
    if text.startswith("\ufeff"):
        raise InputError([{"位置": "第 1 行第 1 列", "问题": "文本以字节顺序标记（BOM）开头；请另存为不带 BOM 的 UTF-8"}])
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise InputError([{"位置": "$", "问题": f"JSON 嵌套过深：{deepest} 层，上限 {MAX_DEPTH} 层"}])
    repeated = {}  # id of an object → the keys it gives more than once

    def pairs_to_object(pairs):
        obj = dict(pairs)
        if len(obj) < len(pairs):
            seen, twice = set(), []
            for key, _ in pairs:
                if key in seen and key not in twice:
                    twice.append(key)
                seen.add(key)
            repeated[id(obj)] = twice
        return obj

    try:
        record = json.loads(text, object_pairs_hook=pairs_to_object)
    except json.JSONDecodeError as exc:
        message = next((zh for en, zh in _JSON_MESSAGES if exc.msg.startswith(en)), "格式错误")
        raise InputError([{"位置": f"第 {exc.lineno} 行第 {exc.colno} 列", "问题": f"不是有效的 JSON：{message}"}]) from None
    except (ValueError, RecursionError):  # an integer of thousands of digits; nesting the scan above missed
        raise InputError([{"位置": "$", "问题": "JSON 中有位数过多的数字或过深的嵌套，无法读取"}]) from None
    problems = []
    stack = [("$", record)]
    while stack:  # iterative: depth is bounded above, but never trust the stack with input
        where, value = stack.pop()
        if isinstance(value, str):
            if text_problem(value):
                problems.append({"位置": where, "问题": f"字符串{text_problem(value)}"})
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            for key in repeated.get(id(value), ()):
                problems.append({"位置": f"{where}.{printable(key)}", "问题": f"键「{printable(key)}」在同一对象中出现了不止一次"})
            for key, v in reversed(list(value.items())):
                if text_problem(key):
                    problems.append({"位置": f"{where}.{printable(key)}", "问题": f"键名{text_problem(key)}"})
                stack.append((f"{where}.{printable(key)}", v))
    if problems:
        raise InputError(problems)
    return record


def _check_size(container, limit: int, where: str, unit: str) -> None:
    """Refuse a record too large to read in bounded time, before looking inside it."""
    if len(container) > limit:
        raise InputError([{"位置": where, "问题": f"有 {len(container)} {unit}，超过上限 {limit}；请拆分或删去多余的内容"}])


class _Hints:
    """Spelling hints for unknown names, at most MAX_SUGGESTIONS per record: each costs a fuzzy match."""

    def __init__(self):
        self.left = MAX_SUGGESTIONS

    def nearest(self, word, pool) -> str | None:
        if self.left <= 0 or not isinstance(word, str) or len(word) > 64:
            return None
        self.left -= 1
        return _nearest(word, pool)


def read_lists(record, list_kinds: dict, schema: dict, problems: list, warnings: list) -> dict:
    """Each declared list the record gives: a JSON array of objects, every value checked at its own path."""
    lists = {}
    for name, kinds in list_kinds.items():
        raw = record.get(name)
        if raw is None:
            continue  # absent or null: not known
        if not isinstance(raw, list):
            problems.append({"位置": f"$.{name}", "问题": f"应是列表，每项一个对象，这里是{_json_kind(raw)}"})
            continue
        rows = []
        for i, item in enumerate(raw):
            where = f"$.{name}[{i}]"
            if not isinstance(item, dict):
                problems.append({"位置": where, "问题": f"应是对象，这里是{_json_kind(item)}"})
                continue
            row = {}
            for key, value in item.items():
                if key not in kinds:
                    near = _nearest(key, list(kinds))
                    warnings.append({"位置": f"{where}.{key}", "问题": f"列表「{name}」没有字段「{key}」，已忽略"
                                     + (f"；最接近的是「{near}」" if near else "")})
                    continue
                if value is None:
                    continue
                try:
                    row[key] = convert_field(kinds[key], value, schema)
                except (ValueError, InvalidOperation, ArithmeticError) as exc:
                    problems.append({"位置": f"{where}.{key}", "问题": str(exc)})
            rows.append(row)
        lists[name] = rows
    return lists


def read_yearly_held(raw, schema, problems: list):
    """历年.已认定: {year: {recognition: level or true}}, each year read like 已认定; None when not given."""
    if not isinstance(raw, dict) or "已认定" not in raw:
        return None
    by_year = raw["已认定"]
    if not isinstance(by_year, dict):
        problems.append({"位置": "$.历年.已认定", "问题": "应是对象：年度 → {认定名称: 等级或 true}"})
        return None
    levels = schema["levels"]
    out = {}
    for key, held in by_year.items():
        where = f"$.历年.已认定.{key}"
        try:
            when = parse_year(key)
        except ValueError as exc:
            problems.append({"位置": where, "问题": str(exc)})
            continue
        if not isinstance(held, dict):
            problems.append({"位置": where, "问题": "应是对象：认定名称 → 等级（不分等级的写 true）"})
            continue
        ranks = {}
        for name, level in held.items():
            rec = schema["recognitions"].get(name, False)
            if rec is False:
                problems.append({"位置": f"{where}.{name}", "问题": f"未知认定「{name}」"})
            elif level is False or level is None:
                continue
            elif rec:
                if level not in levels[rec]:
                    problems.append({"位置": f"{where}.{name}", "问题": f"应是{'、'.join(levels[rec])}之一"})
                else:
                    ranks[name] = len(levels[rec]) - levels[rec].index(level)
            elif level is True:
                ranks[name] = 0
            else:
                problems.append({"位置": f"{where}.{name}", "问题": "不分等级的认定写 true"})
        out[when] = ranks
    return out


def read_yearly(raw, schema, values: dict, year, problems: list, warnings: list) -> dict:
    """The record's 历年: field → {year: value}; fills a 上年 field from it and checks the two agree."""
    fields, levels = schema["fields"], schema["levels"]
    yearly: dict = {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append({"位置": "$.历年", "问题": "应是对象：字段名称 → {年度: 值}"})
        raw = {}
    for name, by_year in raw.items():
        where = f"$.历年.{name}"
        if name == "已认定":
            continue  # the recognitions held in earlier years: read_yearly_held
        if name not in fields:
            near = _nearest(name, list(fields))
            warnings.append({"位置": where, "问题": f"未知字段「{name}」，已忽略" + (f"；最接近的是「{near}」" if near else "")})
            continue
        if not isinstance(by_year, dict):
            problems.append({"位置": where, "问题": "应是对象：年度 → 值，如 {\"2024\": \"8亿元\"}"})
            continue
        found = {}
        for key, value in by_year.items():
            try:
                when = parse_year(key)
            except ValueError as exc:
                problems.append({"位置": f"{where}.{key}", "问题": str(exc)})
                continue
            if value is None:
                found[when] = UNKNOWN  # that year is covered, its value not known
                continue
            try:
                found[when] = convert_field(fields[name], value, schema, name in schema.get("signed", ()))
            except (ValueError, InvalidOperation, ArithmeticError) as exc:
                problems.append({"位置": f"{where}.{key}", "问题": str(exc)})
        yearly[name] = found
    if year is not None:
        for name, twin in schema.get("last_year", {}).items():
            before = yearly.get(name, {}).get(year - 1, UNKNOWN)
            if before is UNKNOWN:
                continue
            if twin not in values:
                values[twin] = before  # 上年X is X in the year before 申报年度
            elif values[twin] != before:
                problems.append({"位置": f"$.历年.{name}.{year - 1}",
                                 "问题": f"与「{twin}」的值不一致；两处写的是同一年度，请只写一处或改成一致"})
    return yearly


def _nearest(word: str, pool) -> str | None:
    import difflib
    match = difflib.get_close_matches(str(word), [str(p) for p in pool], n=1, cutoff=0.5)
    return match[0] if match else None


def from_text(kind: tuple, text: str):
    """A parameter value typed on a command line (5%, 200万元, 50场, 是, 2025-01-01) as a runtime-ready value."""
    name = kind[0]
    text = text.strip()
    if name == "数量":
        m = re.fullmatch(rf"([0-9]+(?:\.[0-9]+)?|{CHINESE_INTEGER_FORM})({re.escape(kind[1])})?", text)
        if not m:
            raise ValueError(f"“{text}”不是数量，应写成如 “50{kind[1]}”")
        return Decimal(number(m.group(1)))
    if name in ("数值", "汇率"):
        return parse_number(text)
    if name == "布尔":
        if text in ("是", "true", "True"):
            return True
        if text in ("否", "false", "False"):
            return False
        raise ValueError(f"“{text}”应是 是 或 否")
    if name == "年度":
        return parse_year(text)
    return text


def _shown(kind: tuple, value) -> str:
    if kind[0] == "金额":
        return money_text(value, kind[1])
    if kind[0] == "比例":
        return ratio_text(value)
    if kind[0] == "数量":
        return f"{plain(value)}{kind[1]}"
    return plain(value) if isinstance(value, Decimal) else str(value)


def read_params(declared: dict, given: dict, levels: dict) -> dict:
    """Parameter values given by a caller (strings such as "5%" or "200万元") as runtime values."""
    out, problems = {}, []
    if not isinstance(given or {}, dict):
        raise InputError([{"位置": "参数", "问题": f"参数应是对象：参数名称 → 取值，这里是{_json_kind(given)}"}])
    for name, value in (given or {}).items():
        if name not in declared:
            near = _nearest(name, declared) if isinstance(name, str) and len(name) <= 64 else None
            problems.append({"位置": f"参数 {printable(name)}", "问题": f"没有参数「{printable(name)}」" + (f"；最接近的是「{near}」" if near else "")})
            continue
        kind, low, high = declared[name]
        try:
            v = convert(kind, from_text(kind, value) if isinstance(value, str) else value, levels)
        except (ValueError, InvalidOperation, ArithmeticError) as exc:
            problems.append({"位置": f"参数 {name}", "问题": str(exc)})
            continue
        if low is not None and high is not None and not (low <= v <= high):
            problems.append({"位置": f"参数 {name}", "问题": f"取值 {_shown(kind, v)} 超出允许范围 "
                                                         f"{_shown(kind, low)} 至 {_shown(kind, high)}"})
            continue
        out[name] = v
    if problems:
        raise InputError(problems)
    return out


def bound_params(param_values: dict, as_of) -> dict:
    """Each parameter's value on ``as_of``: the latest binding in force then (undated ones always)."""
    chosen = {}
    for name, values in param_values.items():
        for since, value in values:
            if since is None or as_of is None or since <= as_of:
                chosen[name] = value
    return chosen


def in_force(validity, ctx, as_of):
    """True, False, or PENDING when the start date is a parameter still 待定."""
    if as_of is None or validity is None:
        return True
    start_fn, end_fn, months = validity
    start = start_fn(ctx) if start_fn else None
    end = end_fn(ctx) if end_fn else None
    if start is PENDING or end is PENDING:
        return PENDING
    return within(as_of, start, end, months)


def evaluate_policy(policy, items, record, params=None, as_of=None, all_items=None) -> dict:
    """Evaluate every item of a policy for one enterprise record.

    Decimal arithmetic runs in MONEY_CONTEXT whatever context the caller has set, so the
    same input gives the same output in any service; numbers too large to compute exactly
    are an input problem, not a traceback.
    """
    with localcontext(MONEY_CONTEXT):
        try:
            return _evaluate_policy(policy, items, record, params, as_of, all_items)
        except ArithmeticError:
            raise InputError([{"位置": "$", "问题": "数值过大或位数过多，无法精确计算到分"}]) from None


def read_date_and_params(policy, params, as_of):
    """The evaluation date and the caller's parameter values, read: (date, values). They are the same for
    every record of a batch, which reads them once first; InputError lists the problems of both."""
    problems = []
    if as_of is not None:
        try:
            as_of = parse_date(as_of)
        except ValueError as exc:
            problems.append({"位置": "评估日期", "问题": str(exc)})
    given = {}
    try:
        given = read_params(policy["declared_params"], params or {}, policy["schema"]["levels"])
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    return as_of, given


def _prepared(policy, record, params, as_of):
    """The record, the date and the parameters read for either path: (context, warnings, date)."""
    problems = []  # the record's, the date's and the parameters' problems, all reported at once
    try:
        ctx, warnings, _ = read_record(record, policy["schema"])
    except InputError as exc:
        problems += exc.problems
    try:
        as_of, given = read_date_and_params(policy, params, as_of)
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    memo = policy.setdefault("bound_params", {})  # a service evaluates many enterprises on few dates
    if as_of not in memo:
        if len(memo) >= 32:
            memo.clear()
        memo[as_of] = bound_params(policy["param_values"], as_of)
    ctx.params = {**memo[as_of], **given} if given else memo[as_of]
    ctx.pending = set()
    return ctx, warnings, as_of


def _evaluate_policy(policy, items, record, params, as_of, all_items=None) -> dict:
    ctx, warnings, as_of = _prepared(policy, record, params, as_of)
    ctx.specs = {spec["label"]: spec for spec in (all_items or items)}  # evaluating some items may need others
    force = in_force(policy["validity"], ctx, as_of)
    results = []
    for spec in items:
        if force is not True:
            out = Outcome()
            if force is PENDING:
                out.pending |= ctx.pending
                out.steps.append(step("施行期", "施行日期待定", policy["where"]))
                results.append(finish(spec, out, "参数待定"))
            else:
                out.steps.append(step("施行期", f"{as_of}不在施行期内", policy["where"]))
                results.append(finish(spec, out, "不在施行期"))
            continue
        results.append(evaluate_item(spec, ctx))
    summary = combine(policy, results, ctx)
    return policy_result(policy, as_of, results, summary, warnings)


def policy_result(policy, as_of, results: list, summary: dict, warnings: list) -> dict:
    """What evaluating a policy returns, on both paths: its items' rows, the totals and the input hints."""
    return {
        "政策": policy["name"],
        "评估日期": as_of.isoformat() if as_of else None,
        "条款": results,
        "汇总": summary,
        "输入提示": warnings,
    }


# ---- the decide path: status, amount, maximum and missing facts, no trace ---------------------

DECIDED_KEYS = ("条款", "状态", "金额", "上限", "缺少信息", "待定参数", "最多可得", "分期", "项目金额", "核定")


class Quiet:
    """Stands in for an Outcome where the decide path needs only the missing facts: steps are dropped."""

    __slots__ = ("steps", "missing")

    def __init__(self, missing: set):
        self.steps = UNTRACED
        self.missing = missing


class _Dropped(list):
    """A trace nobody reads: appending or adding to it does nothing, so one serves every quiet outcome."""

    __slots__ = ()

    def append(self, _step) -> None:
        pass

    def extend(self, _steps) -> None:
        pass

    def __iadd__(self, _steps):
        return self


UNTRACED = _Dropped()


def traced(result: dict) -> list:
    """The trace of a result, for ``combine`` to append to; a decided row has none, and what is
    appended to it is dropped."""
    return result.get("理由", UNTRACED)


def refused(label: str) -> dict:
    """The decided row of an item that is 不符合."""
    return {"条款": label, "状态": "不符合", "金额": None, "上限": None, "缺少信息": [], "待定参数": []}


def undecided(label: str, missing: set, pending: set) -> dict:
    """The decided row of an item whose conditions are not known: 信息不足, or 参数待定 when only parameters are."""
    if pending and not missing:
        return {"条款": label, "状态": "参数待定", "金额": None, "上限": None, "缺少信息": [],
                "待定参数": sorted(pending)}
    return {"条款": label, "状态": "信息不足", "金额": None, "上限": None,
            "缺少信息": sorted(missing) or ["（算式的除数为零，无法计算）"], "待定参数": []}


def decided(result: dict) -> dict:
    """A full item result cut to the decide path's row."""
    return {key: result[key] for key in DECIDED_KEYS if key in result}


def decide_item(spec, ctx) -> dict:
    """The decide path for an item the generator does not write out (per project ones): the full
    evaluation, cut to the decided row. The same runtime code decides, so both paths agree."""
    return decided(evaluate_item(spec, ctx, quiet=True))


def decide_projects(spec, ctx, project_amount) -> dict:
    """The decide path of an item counted per project. ``project_amount`` (generated) reads the project
    in ``ctx.project``: None when it fails a condition, (amount, cap that bound it) when it qualifies
    (amount None for an item without money), UNKNOWN when the item must be decided in full
    (``decide_item``). The row is written here only when the item has no past award and its frequency
    needs no missing fact: then no project's frequency or caps have anything to count, and
    ``evaluate_projects`` would settle the same sum."""
    label = spec["label"]
    total, by_project, cap, quick, qualified = Decimal(0), {}, None, None, False
    for index, project in enumerate(ctx.projects):
        ctx.project = project
        got = project_amount(ctx)
        if got is None:
            continue
        if quick is None:
            past, missing = ctx.past(spec["history_labels"]), set()
            quick = not past and (spec["frequency"] is None or frequency_quiet(spec, ctx, past, missing) and not missing)
        if got is UNKNOWN or not quick:
            ctx.project = None
            return decide_item(spec, ctx)
        amount, bound = got
        qualified = True
        if amount is None:
            continue
        name = project.get("项目名称", f"第{index + 1}个项目")
        total += amount
        by_project[name] = by_project.get(name, Decimal(0)) + amount
        if bound:
            cap = bound
    ctx.project = None
    if not qualified:
        return refused(label)
    kind, waits = spec["kind"], spec["gate"] or spec.get("up_to")  # waits: 待评定 until the record says
    if kind == "一事一议":
        return granted(label, "一事一议", set())
    if waits and label in ctx.assessed:
        return decide_item(spec, ctx)
    if kind == "非资金支持":
        return granted(label, "待评定" if waits else "符合", set())
    row = paid(label, total, cap, set(), set(), "待评定" if waits else "符合", bool(spec.get("up_to")))
    row["项目金额"] = {name: money(value) for name, value in by_project.items()}
    return row


def decide_rest(spec, ctx, past, missing: set, pending: set) -> dict:
    """An item whose frequency and conditions hold, on from there exactly as ``evaluate_item`` goes on."""
    out = Outcome(quiet=True)
    out.missing, out.pending = missing, pending
    kind = spec["kind"]
    if kind == "一事一议":
        return decided(finish(spec, out, "一事一议"))
    if kind == "非资金支持":
        return decided(finish(spec, out, gate_status(spec, ctx, out)))
    if kind == "核定":
        return decided(settle_result(spec, ctx, out))
    amount = run_amount(spec, ctx, out)
    return decided(settle(spec, ctx, out, amount, past))


def decide_policy(policy, items, deciders, record, params=None, as_of=None) -> dict:
    """Decide every item of a policy for one record: what ``evaluate_policy`` returns without the traces,
    quotes, gaps and formulas (each row: 条款 状态 金额 上限 缺少信息 待定参数, and 最多可得 分期 项目金额 核定
    when the item has them); ``deciders`` holds one function per item of ``items``."""
    with localcontext(MONEY_CONTEXT):
        try:
            return _decide_policy(policy, items, deciders, record, params, as_of)
        except ArithmeticError:
            raise InputError([{"位置": "$", "问题": "数值过大或位数过多，无法精确计算到分"}]) from None


def _decide_policy(policy, items, deciders, record, params, as_of) -> dict:
    ctx, warnings, as_of = _prepared(policy, record, params, as_of)
    ctx.specs = {spec["label"]: spec for spec in items}
    force = in_force(policy["validity"], ctx, as_of)
    if force is True:
        results = [decide(ctx) for decide in deciders]
    elif force is PENDING:
        results = [{**refused(spec["label"]), "状态": "参数待定", "待定参数": sorted(ctx.pending)} for spec in items]
    else:
        results = [{**refused(spec["label"]), "状态": "不在施行期"} for spec in items]
    summary = combine(policy, results, ctx)
    return policy_result(policy, as_of, results, summary, warnings)


def paid(label: str, amount, bound, missing: set, pending: set, status: str = "符合", up_to: bool = False) -> dict:
    """The decided row of an item paid as computed: no 补差, no caps over years, no instalments, and no
    assessment recorded yet (``status`` 待评定 for an item that waits for one; ``up_to`` for an amount the
    text gives only as a maximum). ``settle`` and ``finish`` give the same row for such an item; the
    generator calls this only for one."""
    if amount is PENDING:
        return {"条款": label, "状态": "参数待定", "金额": None, "上限": None, "缺少信息": [],
                "待定参数": sorted(pending)}
    if amount is UNKNOWN:
        return undecided(label, missing, pending)
    if amount is NOT_APPLICABLE:
        return refused(label)
    if missing and not missing.isdisjoint(PERIOD_FIELDS):  # the frequency could not be checked
        return {"条款": label, "状态": "信息不足", "金额": None, "上限": None, "缺少信息": sorted(missing),
                "待定参数": []}
    shown = money(amount)
    if up_to:
        return {"条款": label, "状态": status, "金额": shown, "上限": bound, "缺少信息": [], "待定参数": [],
                "最多可得": shown}
    return {"条款": label, "状态": status, "金额": shown, "上限": bound, "缺少信息": [], "待定参数": []}


def granted(label: str, status: str, missing: set) -> dict:
    """The decided row of an item without money whose conditions hold: 一事一议, or 非资金支持 (符合, or
    待评定 before its assessment is recorded); ``finish`` gives the same row for it."""
    if status != "一事一议" and missing and not missing.isdisjoint(PERIOD_FIELDS):  # the frequency could not be checked
        return {"条款": label, "状态": "信息不足", "金额": None, "上限": None, "缺少信息": sorted(missing),
                "待定参数": []}
    return {"条款": label, "状态": status, "金额": None, "上限": None, "缺少信息": [], "待定参数": []}


def settle_rest(spec, ctx, amount, bound, past, missing: set, pending: set) -> dict:
    """An amount the generated code computed, settled by the runtime (补差, caps over years, instalments,
    assessment) exactly as ``evaluate_item`` settles it, then cut to the decided row."""
    out = Outcome(quiet=True)
    out.missing, out.pending, out.cap = missing, pending, bound
    return decided(settle(spec, ctx, out, amount, past))
