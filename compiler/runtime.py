"""Evaluation runtime shared by the interpreter and every generated module.

This file imports only the standard library: ``polc build`` copies its source
into each generated module, so a service needs nothing but Python. It holds
what both evaluators must do identically: three-valued logic, exact money,
input validation, the order in which an item's clauses apply, and how results
are combined and reported.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext

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
    return f"{plain(value * 100)}%"


# ---- parsing input values ----------------------------------------------------

_CN = "零〇一二两三四五六七八九十百千万亿点"


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_MONEY_LITERAL = re.compile(rf"(-?)([0-9.]+[十百千万亿]*|[{_CN}]+)(美元|元)")


def parse_money(value, currency: str = "元") -> Decimal:
    """Money from JSON: an integer, an exact decimal string, or a literal such as 200万元."""
    if isinstance(value, str):  # the usual case first
        text = value.strip().replace(",", "")
        if _PLAIN_NUMBER.fullmatch(text):
            return Decimal(text)
        m = _MONEY_LITERAL.fullmatch(text)
        if not m:
            raise ValueError(f"“{value}”不是金额，应写成如 \"1234.56\" 或 \"200万{currency}\"")
        if m.group(3) != currency:
            raise ValueError(f"“{value}”的币种是{m.group(3)}，这里要求{currency}")
        amount = number(m.group(2))
        return -amount if m.group(1) else amount
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("金额不能用浮点数，请写成整数或字符串，如 \"1234.56\" 或 \"200万元\"")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("金额必须是有限的数")
        return value
    raise ValueError(f"金额应是整数或字符串，这里是{_json_kind(value)}")


def parse_ratio(value) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("比例不能用浮点数，请写成字符串，如 \"5%\" 或 \"0.05\"")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError(f"比例应是字符串，如 \"5%\"，这里是{_json_kind(value)}")
    text = value.strip()
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(%|‰|个基点|倍)?", text)
    if m:
        scale = {None: 1, "%": 100, "‰": 1000, "个基点": 10000, "倍": 1}[m.group(2)]
        return Decimal(m.group(1)) / scale
    m = re.fullmatch(r"百分之(.+)", text)
    if m:
        return number(m.group(1)) / 100
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?):([0-9]+(?:\.[0-9]+)?)", text)
    if m and Decimal(m.group(2)) != 0:
        return Decimal(m.group(1)) / Decimal(m.group(2))
    raise ValueError(f"“{value}”不是比例，应写成如 \"5%\"")


def parse_number(value) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("数值不能用浮点数，请写成整数或字符串，如 \"7.1\"")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value.strip()):
        return Decimal(value.strip())
    raise ValueError(f"“{value}”不是数值")


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()  # a datetime does not compare with the policy's dates
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"([0-9]{4})(?:-|年)([0-9]{1,2})(?:-|月)([0-9]{1,2})日?", value.strip())
        if m:
            try:
                return datetime.date(*(int(g) for g in m.groups()))
            except ValueError:
                pass
    raise ValueError(f"“{value}”不是日期，应写成如 \"2025-01-01\"")


def parse_year(value) -> int:
    if isinstance(value, bool):
        raise ValueError("年度应是整数，如 2025")
    if isinstance(value, int) and 1900 <= value <= 2200:
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"([0-9]{4})(年度|年)?", value.strip())
        if m:
            return int(m.group(1))
    raise ValueError(f"“{value}”不是年度，应写成如 2025")


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


def convert(kind: tuple, value, levels: dict):
    """A JSON value as the runtime value of a field of type ``kind``; ValueError says why not."""
    name = kind[0]
    if name == "布尔":  # the most common type first
        if not isinstance(value, bool):
            raise ValueError(f"应是 true 或 false，这里是{_json_kind(value)}")
        return value
    if name == "金额":
        amount = _finite(parse_money(value, kind[1]))
        if amount < 0:
            raise ValueError("金额不能为负数")
        return amount
    if name == "比例":
        return _finite(parse_ratio(value))
    if name == "数量":
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() and value >= 0:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str):
                raise ValueError(f"数量应是整数，不能写成字符串“{value}”")
            raise ValueError(f"数量应是整数，这里是{_json_kind(value)}")
        if value < 0:
            raise ValueError("数量不能为负数")
        return Decimal(value)
    if name in ("数值", "汇率"):
        number_value = _finite(parse_number(value))
        if name == "汇率" and number_value <= 0:
            raise ValueError("汇率必须大于0")
        if number_value < 0:  # facts and parameters are sizes (years, counts, rates); differences are measures
            raise ValueError("数值不能为负数")
        return number_value
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
        if value not in members:
            raise ValueError(f"应是{'、'.join(members)}之一（没有则写“{NO_LEVEL}”），这里是“{value}”")
        return len(members) - members.index(value)
    if name == "集合":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("应是字符串列表")
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

    __slots__ = ("status", "amount", "cap", "steps", "missing", "pending", "gaps", "formula", "tranches")

    def __init__(self):
        self.status = None
        self.amount = None
        self.cap = None
        self.steps = []
        self.missing = set()
        self.pending = set()
        self.gaps = []
        self.formula = None
        self.tranches = None


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
            if sides is not None:
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
        out.steps.append(step("不属于给予的任何一档或分级", False, spec["where"]))
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


def evaluate_item(spec, ctx) -> dict:
    """One item for one enterprise: status, amount, trace, as LANGUAGE.md section 7 says."""
    out = Outcome()
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
        return finish(spec, out, "待评定" if spec["gate"] else "符合")
    amount = run_amount(spec, ctx, out)
    return settle(spec, ctx, out, amount, past)


def evaluate_projects(spec, ctx, out: Outcome, past) -> dict:
    total = Decimal(0)
    statuses = []
    by_project = {}  # project name → its amount, for 例外 and 互斥 applied project by project
    if not ctx.projects:
        out.steps.append(step("企业没有申报项目", False, spec["where"]))
        return finish(spec, out, "不符合")
    for index, project in enumerate(ctx.projects):
        ctx.project = project
        sub = Outcome()
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
            return finish(spec, out, "待评定" if spec["gate"] else "符合")
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
        if kind == "项目年度上限":
            if ctx.year is None:
                sub.missing.add("申报年度")
                return UNKNOWN
            used = sum((h["金额"] for h in project_past if h["年度"] == ctx.year), Decimal(0))
        else:
            used = sum((h["金额"] for h in project_past), Decimal(0))
        room = max(Decimal(0), limit - used)
        if amount > room:
            amount = room
            sub.cap = text
            sub.steps.append(step(text, f"本项目已获{money_text(used)}，本次最多{money_text(room)}", where))
    return amount


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
        if kind == "年度上限" or kind.startswith("期内累计上限/"):
            if ctx.year is None:
                out.missing.add("申报年度")
                return finish(spec, out, "信息不足")
            first = ctx.year - (int(kind.partition("/")[2]) - 1 if kind != "年度上限" else 0)
            used = sum((h["金额"] for h in past if first <= h["年度"] <= ctx.year), Decimal(0))
        else:
            used = sum((h["金额"] for h in past), Decimal(0))
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
    return finish(spec, out, "待评定" if spec["gate"] else "符合")


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
    return result


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
        result["理由"].append(s)
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
            l["理由"].append(step(f"被{winner}取代（例外）", False, policy["where"]))
            l["金额"] = None
    included = {r["条款"]: r["金额"] is not None for r in results}
    notes = []
    for group in policy["exclusives"]:
        if group["rule"] == "累加":
            continue
        if group.get("per_project"):
            exclusive_by_project(group, by_label, notes)
            continue
        members = []
        for label in group["members"]:
            r = by_label.get(label)
            if r is not None and r["金额"] is not None:
                members.append(r)
        if len(members) < 2:
            continue
        if group["rule"] == "就高":
            keep = max(members, key=lambda r: Decimal(r["金额"]))
        else:
            keep = members[0]
        for r in members:
            if r is not keep:
                included[r["条款"]] = False
                r["理由"].append(step(f"与{keep['条款']}互斥（{group['rule']}），不计入合计", False, group["where"]))
        notes.append(f"{group['name']}：取{keep['条款']}")
    certain = at_most = Decimal(0)
    for r in results:
        if included[r["条款"]] and r["金额"] is not None:  # 互斥 per project may have taken all of an item
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
        "计入合计": [label for label, yes in included.items() if yes and by_label[label]["金额"] is not None],
        "互斥": notes,
        "总额上限": cap_note,
        **({"组合上限": group_notes} if group_notes else {}),
    }


# ---- reading the record ---------------------------------------------------------

def read_record(record, schema) -> tuple[Context, list, list]:
    """Validate a JSON record against the policy's fields; every problem at once."""
    problems, warnings = [], []
    if not isinstance(record, dict):
        raise InputError([{"位置": "$", "问题": f"企业记录应是 JSON 对象，这里是{_json_kind(record)}"}])
    fields, project_fields, levels = schema["fields"], schema["project_fields"], schema["levels"]
    values = {}
    for key, value in record.items():
        if key in ("已认定", "已获支持", "项目", "历年"):
            continue
        if key not in fields:
            near = _nearest(key, list(fields))
            warnings.append({"位置": f"$.{key}", "问题": f"未知字段「{key}」，已忽略" + (f"；最接近的是「{near}」" if near else "")})
            continue
        if value is None:
            continue  # null means not known
        try:
            values[key] = convert(fields[key], value, levels)
        except (ValueError, InvalidOperation, ArithmeticError) as exc:
            problems.append({"位置": f"$.{key}", "问题": str(exc)})
    held = {}
    raw = record.get("已认定", UNKNOWN)
    if raw is UNKNOWN:
        held = UNKNOWN  # not said: conditions on recognitions stay undecided
    elif not isinstance(raw, dict):
        problems.append({"位置": "$.已认定", "问题": "应是对象：认定名称 → 等级（不分等级的写 true）"})
    elif raw is not UNKNOWN:
        for name, level in raw.items():
            if name not in schema["recognitions"]:
                warnings.append({"位置": f"$.已认定.{name}", "问题": f"未知认定「{name}」，已忽略"})
                continue
            if level is False or level is None:
                continue
            rec = schema["recognitions"][name]
            if rec:
                members = levels[rec]
                if level not in members:
                    problems.append({"位置": f"$.已认定.{name}", "问题": f"应是{'、'.join(members)}之一"})
                    continue
                held[name] = len(members) - members.index(level)
            elif level is True:
                held[name] = 0
            else:
                problems.append({"位置": f"$.已认定.{name}", "问题": "不分等级的认定写 true"})
    history = []
    raw = record.get("已获支持", [])
    if not isinstance(raw, list):
        problems.append({"位置": "$.已获支持", "问题": "应是列表"})
        raw = []
    for i, h in enumerate(raw):
        where = f"$.已获支持[{i}]"
        if not isinstance(h, dict):
            problems.append({"位置": where, "问题": "应是对象，含 条款、年度、金额"})
            continue
        entry = {}
        label = h.get("条款")
        if label not in schema["items"]:
            near = _nearest(str(label), schema["items"])
            problems.append({"位置": f"{where}.条款", "问题": f"没有条款“{label}”" + (f"；最接近的是“{near}”" if near else "")})
        entry["条款"] = label
        if "项目" in h:
            if not isinstance(h["项目"], str):
                problems.append({"位置": f"{where}.项目", "问题": "应是项目名称（字符串）"})
            entry["项目"] = h["项目"]
        try:
            entry["年度"] = parse_year(h.get("年度"))
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
        try:
            entry["金额"] = _finite(parse_money(h.get("金额", 0)))
            if entry["金额"] < 0:
                raise ValueError("金额不能为负数")
        except (ValueError, InvalidOperation) as exc:
            problems.append({"位置": f"{where}.金额", "问题": str(exc)})
        history.append(entry)
    projects = []
    raw = record.get("项目", [])
    if not isinstance(raw, list):
        problems.append({"位置": "$.项目", "问题": "应是列表，每个项目一个对象"})
        raw = []
    for i, p in enumerate(raw):
        if not isinstance(p, dict):
            problems.append({"位置": f"$.项目[{i}]", "问题": "应是对象"})
            continue
        project = {}
        for key, value in p.items():
            kind = project_fields.get(key) or fields.get(key)
            if kind is None:
                warnings.append({"位置": f"$.项目[{i}].{key}", "问题": f"未知项目字段「{key}」，已忽略"})
                continue
            if value is None:
                continue
            try:
                project[key] = convert(kind, value, levels)
            except (ValueError, InvalidOperation, ArithmeticError) as exc:
                problems.append({"位置": f"$.项目[{i}].{key}", "问题": str(exc)})
        projects.append(project)
    for key, last in (("申报季度", 4), ("申报月份", 12)):
        value = values.get(key)
        if value is not None and (value != value.to_integral_value() or not 1 <= value <= last):
            problems.append({"位置": f"$.{key}", "问题": f"{key}应是 1 至 {last} 的整数"})
    year = values.get("申报年度")
    yearly = read_yearly(record.get("历年"), schema, values, year, problems, warnings)
    if problems:
        raise InputError(problems)
    ctx = Context(values, held, history, {}, year, projects)
    ctx.yearly = yearly
    ctx.yearly_held = read_yearly_held(record.get("历年"), schema, problems)
    if problems:
        raise InputError(problems)
    return ctx, warnings, problems


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
                found[when] = convert(fields[name], value, levels)
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
        m = re.fullmatch(rf"([0-9]+|[{_CN}]+)({re.escape(kind[1])})?", text)
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
            near = _nearest(name, declared)
            problems.append({"位置": f"参数 {name}", "问题": f"没有参数「{name}」" + (f"；最接近的是「{near}」" if near else "")})
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


def evaluate_policy(policy, items, record, params=None, as_of=None) -> dict:
    """Evaluate every item of a policy for one enterprise record.

    Decimal arithmetic runs in MONEY_CONTEXT whatever context the caller has set, so the
    same input gives the same output in any service; numbers too large to compute exactly
    are an input problem, not a traceback.
    """
    with localcontext(MONEY_CONTEXT):
        try:
            return _evaluate_policy(policy, items, record, params, as_of)
        except ArithmeticError:
            raise InputError([{"位置": "$", "问题": "数值过大或位数过多，无法精确计算到分"}]) from None


def _evaluate_policy(policy, items, record, params, as_of) -> dict:
    problems = []  # the record's, the date's and the parameters' problems, all reported at once
    try:
        ctx, warnings, _ = read_record(record, policy["schema"])
    except InputError as exc:
        problems += exc.problems
    if as_of is not None:
        try:
            as_of = parse_date(as_of)
        except ValueError as exc:
            problems.append({"位置": "评估日期", "问题": str(exc)})
    try:
        given = read_params(policy["declared_params"], params or {}, policy["schema"]["levels"])
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
    return {
        "政策": policy["name"],
        "评估日期": as_of.isoformat() if as_of else None,
        "条款": results,
        "汇总": summary,
        "输入提示": warnings,
    }
