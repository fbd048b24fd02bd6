"""Support for the property tests that ``propgen`` generates: strategies, an independent reading of the IR, checks.

A generated test module holds the plan's data (item IR, scopes, bound parameter
values) as constants and one hypothesis test per property; the work is done
here. The bounds a property checks (cap values, floors, the matching base, tier
tables) are computed by this module's own small evaluator of the lowered IR,
never by ``runtime``'s cap code: the evaluator under test and the checks agree
only if both follow the semantics.

The evaluator under test is a function ``evaluate(record, params, labels)``;
by default the Python module that ``polc build`` would write for the policy.
"""

from __future__ import annotations

import calendar
import datetime
import json
import math
import os
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from compiler.runtime import parse_money, plain

CENT = Decimal("0.01")


# ---- an independent evaluator of the IR --------------------------------------------

class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


UNK = _Sentinel("UNKNOWN")  # a fact the record does not give
PEND = _Sentinel("PENDING")  # a parameter still 待定
NA = _Sentinel("NOT_APPLICABLE")  # a per-level value for a level the table does not list
_STOPS = (UNK, PEND, NA)


def _stop(*values):
    if any(v is PEND for v in values):
        return PEND
    for v in values:
        if v is UNK or v is NA:
            return v
    return None


class Env:
    """What the property side knows about one enterprise (and one of its projects)."""

    def __init__(self, facts, held, params, project=None):
        self.facts = facts
        self.held = held  # None: the record does not say which recognitions are held
        self.params = params
        self.project = project
        self.rows = {}  # list name → the item an aggregate is looking at


def _kleene_and(values):
    return False if False in values else (None if None in values else True)


def _kleene_or(values):
    return True if True in values else (None if None in values else False)


def aggregate(ir, env: Env):
    """合计/最大值/最小值/计数/所有/任一 over a list in ``env.facts`` (absent: unknown)."""
    kind, name, value, where, test = ir[1:]
    rows = env.facts.get(name, UNK)
    if rows is UNK:
        return None if kind in ("all", "any") else UNK
    outer = env.rows.get(name)
    chosen, values, tests = [], [], []
    for row in rows:
        env.rows[name] = row
        c = True if where is None else ev(where, env)
        chosen.append(c)
        if kind in ("all", "any"):
            t = ev(test, env)
            tests.append(_kleene_or([None if c is None else not c, t]) if kind == "all" else _kleene_and([c, t]))
        elif c:
            values.append(Decimal(1) if value is None else ev(value, env))
    if outer is None:
        env.rows.pop(name, None)
    else:
        env.rows[name] = outer
    if kind == "all":
        return _kleene_and(tests)
    if kind == "any":
        return _kleene_or(tests)
    if None in chosen:
        return UNK
    stop = _stop(*values)
    if stop:
        return stop
    if kind == "count":
        return Decimal(len(values))
    if kind == "sum":
        return sum(values, Decimal(0))
    if not values:
        return UNK
    return max(values) if kind == "max" else min(values)


def ev(ir, env: Env):
    """The value of an IR expression: a value, or UNK / PEND / NA; conditions give True, False or None."""
    op = ir[0]
    if op == "const":
        return ir[1]
    if op == "field":
        if env.project is not None and ir[1] in env.project:
            return env.project[ir[1]]
        return env.facts.get(ir[1], UNK)
    if op == "pfield":
        return UNK if env.project is None else env.project.get(ir[1], UNK)
    if op == "param":
        return env.params.get(ir[1], PEND)
    if op in ("add", "sub", "mul", "div"):
        a, b = ev(ir[1], env), ev(ir[2], env)
        stop = _stop(a, b)
        if stop:
            return stop
        if op == "add":
            return a + b
        if op == "sub":
            return a - b
        if op == "mul":
            return a * b
        return UNK if b == 0 else a / b
    if op == "agg":
        return aggregate(ir, env)
    if op == "award_of":  # another item's amount: the property side does not evaluate other items
        return UNK
    if op == "steps":  # whole steps only, never below zero
        x, size, each = ev(ir[1], env), ev(ir[2], env), ev(ir[3], env)
        stop = _stop(x, size, each)
        if stop:
            return stop
        if size <= 0:
            return UNK
        return Decimal(int(x // size) if x > 0 else 0) * each
    if op == "marginal":  # 累进: the measure cut at the band bounds, each piece at its band's rate
        x = ev(ir[1], env)
        segs = [tuple(None if part is None else ev(part, env) for part in seg) for seg in ir[2]]
        stop = _stop(x, *[v for seg in segs for v in seg if v is not None])
        if stop:
            return stop
        total = Decimal(0)
        for lo, hi, rate in segs:
            piece = max(Decimal(0), (x if hi is None else min(x, hi)) - (lo or Decimal(0)))
            total += piece * rate
        return total
    if op == "add_months":  # the same day so many months on, or that month's last day
        start, months = ev(ir[1], env), ev(ir[2], env)
        stop = _stop(start, months)
        if stop:
            return stop
        index = start.year * 12 + start.month - 1 + int(months)
        year, month = divmod(index, 12)
        return datetime.date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))
    if op == "round":
        x, unit = ev(ir[2], env), ev(ir[3], env)
        stop = _stop(x, unit)
        if stop:
            return stop
        if unit <= 0:
            return UNK
        q = x / unit
        whole = {"floor": math.floor(q), "ceiling": math.ceil(q), "half_up": math.floor(q + Decimal("0.5"))}[ir[1]]
        return Decimal(whole) * unit
    if op == "lfield":
        return env.rows[ir[1]].get(ir[2], UNK)
    if op in ("least", "greatest"):
        values = [ev(x, env) for x in ir[1]]
        return _stop(*values) or (min(values) if op == "least" else max(values))
    if op == "cmp":
        a, b = ev(ir[2], env), ev(ir[3], env)
        if _stop(a, b):
            return None
        if a is None or b is None:  # a recognition not held has no level
            return False
        return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[ir[1]]
    if op == "and":
        values = [ev(x, env) for x in ir[1]]
        return False if False in values else (None if None in values else True)
    if op == "or":
        values = [ev(x, env) for x in ir[1]]
        return True if True in values else (None if None in values else False)
    if op == "not":
        v = ev(ir[1], env)
        return None if v is None else not v
    if op == "truth":
        v = ev(ir[1], env)
        return None if v in _STOPS or v is None else bool(v)
    if op == "holds":
        if env.held is None:
            return None
        names, rank, cmp = ir[1], ir[2], ir[3]
        for name in names:
            if name in env.held:
                level = env.held[name]
                if rank is None or {">=": level >= rank, "<=": level <= rank, ">": level > rank,
                                    "<": level < rank, "==": level == rank}[cmp]:
                    return True
        return False
    if op == "first_holds":  # the generated records carry no 历年.已认定: only “not held now” decides
        return False if ev(("holds", *ir[1:]), env) is False else None
    if op == "received":
        return ir[1] in getattr(env, "received", ())
    if op == "first":
        # 首次: the generated records carry no 历年; the 上年 twin field, when given, is the one earlier year.
        now = ev(("cmp", ir[1], ("field", ir[2]), ir[4]), env)
        if now is False:
            return False
        if ir[3] is None or ir[3] not in env.facts:
            return None
        before = ev(("cmp", ir[1], ("field", ir[3]), ir[4]), env)
        if before is True:
            return False
        return None if before is None or now is None else True
    if op == "member":
        v = ev(ir[1], env)
        return None if _stop(v) else v in ir[2]
    if op == "contains":
        v = ev(ir[1], env)
        return None if _stop(v) else any(e in v for e in ir[2])
    if op == "level_of":
        return UNK if env.held is None else env.held.get(ir[1])
    if op == "by_level":
        rank = ev(ir[1], env)
        entries = {k: ev(x, env) for k, x in ir[2].items()}
        if rank is UNK or rank is PEND:
            return rank
        if rank is None or rank not in entries:
            return NA
        return entries[rank]
    if op == "tiers":
        return tier_amount(ir, env)[0]
    if op == "when":  # a tier's own condition: its amount, none of the table's, or not known
        c = ev(ir[1], env)
        return ev(ir[2], env) if c is True else (NA if c is False else UNK)
    raise ValueError(f"unknown IR {op}")


def tier_table(ir, env):
    """The bands in ascending order of their lower bound, each as (low_op, low, high_op, high, amount IR).

    None when a bound is not known.
    """
    bands = [(lo_op, ev(lo, env) if lo else None, hi_op, ev(hi, env) if hi else None, amount)
             for lo_op, lo, hi_op, hi, amount in ir[2]]
    if _stop(*[b for band in bands for b in (band[1], band[3]) if b is not None]):
        return None
    return sorted(bands, key=lambda b: (b[1] is not None, b[1] if b[1] is not None else 0))


def tier_amount(ir, env):
    """(amount, index of the band) for the tier table ``ir``; amount may be a sentinel."""
    measure = ev(ir[1], env)
    bounds = [ev(b, env) for band in ir[2] for b in (band[1], band[3]) if (band[0] or band[2]) and b is not None]
    stop = _stop(measure, *bounds)
    if stop:
        return stop, None
    bands = tier_table(ir, env)
    for i, (lo_op, lo, hi_op, hi, amount) in enumerate(bands):
        if hi_op is None and i + 1 < len(bands) and bands[i + 1][0] is not None:
            hi_op, hi = ("<" if bands[i + 1][0] == ">=" else "<="), bands[i + 1][1]
        if lo_op is not None and not _holds(lo_op, measure, lo):
            continue
        if hi_op is not None and not _holds(hi_op, measure, hi):
            continue
        return ev(amount, env), i
    return NA, None


def _holds(op, a, b):
    return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[op]


def cents(value: Decimal) -> Decimal:
    """Half-up to the cent, as the evaluator rounds its results (rounding is monotone, so bounds round too)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def conditions_hold(item, env):
    """Three-valued 且 of an item's conditions: False if any fails, else None if any is unknown, else True."""
    values = [ev(c, env) for c in item["conditions"]]
    return False if False in values else (None if None in values else True)


def uplift_factor(item, env):
    """Π(1 + r) over the uplifts that apply; a sentinel when one cannot be decided."""
    factor = Decimal(1)
    for ratio, when in item["uplifts"]:
        applies = True if when is None else ev(when, env)
        if applies is None:
            return UNK
        if applies:
            r = ev(ratio, env)
            if _stop(r):
                return _stop(r)
            factor *= 1 + r
    return factor


# ---- the case a strategy draws ----------------------------------------------------

class Case:
    """One enterprise record with parameter values, plus the typed facts the checks read."""

    def __init__(self, record, params, facts, held, projects, history, year):
        self.record = record
        self.params = params  # name → value as given to the evaluator
        self.facts = facts
        self.held = held
        self.projects = projects  # typed project facts
        self.history = history  # [(label, year, Decimal, project name|None)]
        self.year = year
        self.typed_params = {}

    def env(self, project=None) -> Env:
        env = Env(self.facts, self.held, self.typed_params, project)
        env.received = {label for label, *_ in self.history}
        return env

    def used(self, labels, year=None) -> Decimal:
        """What the history says was received under ``labels`` (in ``year`` when given): caps, 补差, 互斥."""
        return sum((amount for label, y, amount, _ in self.history
                    if label in labels and (year is None or y == year)), Decimal(0))

    def show(self) -> str:
        """The drawn record and parameters as JSON: the counterexample a failure prints."""
        out = {"企业": self.record}
        if self.params:
            out["参数"] = {k: (v if isinstance(v, (str, bool, int)) else str(v)) for k, v in self.params.items()}
        return json.dumps(out, ensure_ascii=False, sort_keys=True, default=str)

    def __repr__(self) -> str:
        return self.show()


def json_value(kind, value, levels):
    """A drawn typed value as a record gives it in JSON (levels by name, numbers as plain text)."""
    name = kind[0]
    if name == "数量" and value != int(value):  # a fractional area or weight
        return plain(value)
    if name in ("金额", "比例", "数值", "汇率"):
        return plain(value)
    if name == "数量":
        return int(value) if value == value.to_integral_value() else plain(value)
    if name == "日期":
        return value.isoformat()
    if name == "等级":
        members = levels[kind[1]]
        return members[len(members) - value]
    if name == "集合":
        return sorted(value)
    return value


def param_value(kind, value, levels):
    """A parameter value as a caller passes it to ``evaluate``."""
    if kind[0] == "等级":
        members = levels[kind[1]]
        return members[len(members) - value]
    return value


# ---- strategies ------------------------------------------------------------------

NICE_MONEY = [Decimal(x) for x in ("0", "1", "5000", "10000", "100000", "500000", "1000000", "2000000",
                                   "5000000", "10000000", "50000000", "100000000", "1000000000")]
NICE_RATIO = [Decimal(x) for x in ("0", "0.01", "0.05", "0.1", "0.2", "0.3", "0.5", "1")]
STEPS = {"金额": (Decimal("0.01"), Decimal(1), Decimal(10000)), "比例": (Decimal("0.0001"), Decimal("0.01")),
         "数量": (Decimal(1),), "数值": (Decimal("0.01"), Decimal(1)), "汇率": (Decimal("0.01"),),
         "年度": (1,)}
YEARS = (2023, 2024, 2025, 2026)
SIGNED_LOW = {"金额": -Decimal(10) ** 9, "比例": Decimal(-1), "数量": Decimal(-200), "数值": -Decimal(10) ** 6}


def _numbers(kind, low=None, high=None):
    name = kind[0]
    if name == "金额":
        lo, hi = low if low is not None else Decimal(0), high if high is not None else Decimal(10) ** 9
        nice = [v for v in NICE_MONEY if lo <= v <= hi]
        return st.one_of(st.sampled_from(nice or [lo]),
                         st.decimals(min_value=lo, max_value=hi, places=2, allow_nan=False, allow_infinity=False))
    if name == "比例":
        lo, hi = low if low is not None else Decimal(0), high if high is not None else Decimal(1)
        nice = [v for v in NICE_RATIO if lo <= v <= hi] + [lo, hi]
        return st.one_of(st.sampled_from(nice),
                         st.decimals(min_value=lo, max_value=hi, places=4, allow_nan=False, allow_infinity=False))
    if name == "数量":  # whole counts; value_strategy adds decimals for a unit declared 可为小数 (1999.5平方米)
        lo, hi = Decimal(low if low is not None else 0), Decimal(high if high is not None else 200)
        first, last = int(lo.to_integral_value("ROUND_CEILING")), int(hi.to_integral_value("ROUND_FLOOR"))
        return st.integers(first, max(first, last)).map(Decimal)
    if name == "汇率":  # inside the declared range, as a caller must give it
        lo, hi = low if low is not None else Decimal("0.01"), high if high is not None else Decimal(20)
        nice = [v for v in (Decimal("7.1"), lo, hi) if lo <= v <= hi and v > 0] or [hi]
        return st.one_of(st.sampled_from(nice), st.decimals(min_value=lo, max_value=hi, places=4, allow_nan=False,
                                                            allow_infinity=False).filter(lambda v: v > 0))
    lo, hi = low if low is not None else Decimal(0), high if high is not None else Decimal(10) ** 6  # 数值 ≥ 0
    return st.decimals(min_value=lo, max_value=hi, places=4, allow_nan=False, allow_infinity=False)


def value_strategy(kind, policy, name, scope, low=None, high=None):
    """Values of one type; texts and sets come from the names the policy tests them against."""
    t = kind[0]
    if t == "数量" and kind[1] in policy.get("fractional_units", ()):  # 1999.5平方米 as well as 2000平方米
        return st.one_of(_numbers(kind, low, high),
                         st.decimals(min_value=0, max_value=10 ** 6, places=1, allow_nan=False, allow_infinity=False))
    if t in ("金额", "比例", "数量", "数值", "汇率"):
        if low is None and name in policy.get("signed", ()):  # 可为负: the record may say so, so draw it
            low = SIGNED_LOW.get(t)
        return _numbers(kind, low, high)
    if t == "布尔":
        return st.booleans()
    if t == "年度":
        return st.sampled_from(YEARS)
    if t == "日期":
        return st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))
    if t == "等级":
        return st.integers(1, len(policy["levels"][kind[1]]))
    texts = sorted(scope["texts"].get(name, ())) + ["其他"]
    if t == "集合":
        return st.frozensets(st.sampled_from(texts), max_size=3)
    return st.sampled_from(texts)


def _near(kind, value, fractional_units=()):
    """The value, 0.01 and one unit either side (the points a threshold or a cap turns on).

    A quantity in a count unit (not declared 可为小数) only takes whole values, as the record must."""
    t = kind[0]
    if t == "日期" and isinstance(value, datetime.date):
        return [value + datetime.timedelta(days=d) for d in (-1, 0, 1)]
    if t == "等级":
        return [v for v in (value - 1, value, value + 1) if isinstance(v, int) and 1 <= v <= 9] if \
            isinstance(value, int) and not isinstance(value, bool) else []
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        return []
    if t == "年度":  # years are whole numbers: the year itself and the one either side
        year = int(Decimal(value).to_integral_value(rounding="ROUND_CEILING"))
        return [year, year - 1, year + 1]
    out = [Decimal(value)]
    for step in STEPS.get(t, (Decimal("0.01"), Decimal(1))):
        out += [value + step, value - step]
    if t == "数量":  # the exact point (a quantity may be fractional) and the whole counts around it
        value = Decimal(value)
        out += [value.to_integral_value(rounding="ROUND_FLOOR"), value.to_integral_value(rounding="ROUND_CEILING")]
    if t in ("金额", "数量", "比例", "数值"):
        out = [v for v in out if v >= 0]
    if t == "数量" and kind[1] not in fractional_units:
        out = [v for v in out if v == v.to_integral_value()]
    if t == "汇率":
        out = [v for v in out if v > 0]
    return out


@st.composite
def cases(draw, policy, scope, per_project=None, projects=None):
    """An enterprise, parameter values and a history, concentrated on the points where the item's outcome turns."""
    fields, pfields, levels = policy["fields"], policy["project_fields"], policy["levels"]
    params, typed = {}, {}
    for name in scope["params"]:
        if name in policy["bound"]:
            typed[name] = policy["bound"][name]
            continue
        kind, low, high = policy["declared"][name]
        if draw(st.integers(0, 9)) == 0:
            continue  # left 待定
        if kind[0] == "日期":
            value = draw(st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)))
        else:
            value = draw(value_strategy(kind, policy, name, scope, low, high))
        typed[name] = value
        params[name] = param_value(kind, value, levels)
    held = None
    if draw(st.integers(0, 19)) != 0:
        held = {}
        for rec in scope["recognitions"]:
            if draw(st.booleans()):
                graded = policy["recognitions"][rec]
                held[rec] = draw(st.integers(1, len(levels[graded]))) if graded else 0
    facts = {}
    for name in scope["fields"]:
        if draw(st.integers(0, 11)) == 0:
            continue  # not given
        facts[name] = draw(value_strategy(fields[name], policy, name, scope))
    for name, used in scope.get("lists", {}).items():
        if draw(st.integers(0, 11)) == 0:
            continue  # not given
        kinds = policy["lists"][name]
        rows = []
        for _ in range(draw(st.integers(0, 4))):
            rows.append({f: draw(value_strategy(kinds[f], policy, f, scope)) for f in used
                         if draw(st.integers(0, 15)) != 0})
        facts[name] = rows
    year = facts.get("申报年度")
    env = Env(facts, held, typed)
    _refine(draw, facts, scope["pivots"], fields, env, policy.get("fractional_units", ()))
    per_project = scope["per_project"] if per_project is None else per_project
    typed_projects = []
    if per_project:
        count = draw(st.integers(0, 3)) if projects is None else projects
        for i in range(count):
            # Projects are named only where the policy declares 「项目名称」 (the stdlib 「项目」 module does)
            project = {"项目名称": f"项目{i + 1}"} if "项目名称" in pfields else {}
            for name in scope["project_fields"]:
                if name == "项目名称" or draw(st.integers(0, 11)) == 0:
                    continue
                project[name] = draw(value_strategy(pfields[name], policy, name, scope))
            _refine(draw, project, scope["ppivots"], pfields, Env(facts, held, typed, project),
                    policy.get("fractional_units", ()))
            typed_projects.append(project)
    history = []
    base_year = year if isinstance(year, int) else 2025
    amounts = [a for a in (ev(ir, Env(facts, held, typed, typed_projects[0] if typed_projects else None))
                           for ir in scope["amounts"]) if isinstance(a, Decimal) and not isinstance(a, bool)]
    amounts = [cents(a) for a in amounts if a >= 0]
    for label in scope["labels"]:
        for _ in range(draw(st.sampled_from((0, 0, 1, 2)))):
            amount = draw(st.one_of(st.sampled_from(amounts or [Decimal(0)]), _numbers(("金额", "元"))))
            y = draw(st.sampled_from((base_year, base_year - 1)))
            project = None
            if typed_projects and draw(st.booleans()):
                # an unnamed project is the runtime's 第N个项目
                project = draw(st.sampled_from([p.get("项目名称", f"第{i + 1}个项目")
                                                for i, p in enumerate(typed_projects)]))
            history.append((label, y, cents(amount), project))
    lists = policy.get("lists", {})
    record = {k: ([{f: json_value(lists[k][f], x, levels) for f, x in row.items()} for row in v] if k in lists
                  else json_value(fields[k], v, levels)) for k, v in facts.items()}
    if held is not None:
        record["已认定"] = {k: (True if not policy["recognitions"][k] else
                             json_value(("等级", policy["recognitions"][k]), v, levels)) for k, v in held.items()}
    if per_project:
        record["项目"] = [{k: json_value(pfields.get(k) or fields[k], v, levels) for k, v in p.items()}
                        for p in typed_projects]
    if history:
        record["已获支持"] = [{"条款": label, "年度": y, "金额": plain(a), **({"项目": p} if p else {})}
                          for label, y, a, p in history]
    case = Case(record, params, facts, held, typed_projects, history, year if isinstance(year, int) else None)
    case.typed_params = typed
    return case


def _refine(draw, facts, pivots, kinds, env, fractional_units=()):
    """Move some facts onto a threshold, a tier boundary or the point where a cap starts to bind."""
    for name in sorted(pivots):
        if name not in facts and draw(st.integers(0, 3)) != 0:
            continue
        points = []
        for ir in pivots[name]:
            saved = facts.pop(name, None)
            value = ev(ir, env)
            if saved is not None:
                facts[name] = saved
            if value not in _STOPS and value is not None and not isinstance(value, bool):
                points.append(_near(kinds[name], value, fractional_units))
        points = _interleave(points)
        if points and draw(st.integers(0, 2)) != 0:
            facts[name] = draw(st.sampled_from(points))


def _interleave(groups):
    """Each pivot's exact value first, then each one's neighbours: every pivot is as likely to be drawn."""
    out = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g) and g[i] not in out]
    return out


# ---- the evaluator under test --------------------------------------------------------

class Evaluator:
    """``evaluate(record, params, labels)`` over a generated module: only the named items are evaluated."""

    def __init__(self, module):
        self.module = module
        self.specs = {spec["label"]: spec for spec in module.ITEMS}

    def __call__(self, record, params, labels=None):
        m = self.module
        items = m.ITEMS if labels is None else [self.specs[label] for label in labels if label in self.specs]
        return m.evaluate_policy(m._POLICY_SPEC, items, record, params, None, m.ITEMS)


def module_from_source(source: str, name: str = "polc_generated"):
    """Load generated Python source as a module, without writing a file."""
    import types

    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


_LOADED: dict = {}
_BOUND: dict = {}


def use(policy_file, rules_file, evaluate) -> None:
    """Test ``evaluate`` (a function or a generated module) instead of the module polc builds."""
    if not callable(evaluate):
        evaluate = Evaluator(evaluate)
    _BOUND[(policy_file, rules_file)] = evaluate


def evaluator(policy_file, rules_file):
    """The evaluator under test for a policy: the one ``use`` set, else the module polc build would write
    (checked and built once per policy)."""
    key = (policy_file, rules_file)
    if key in _BOUND:
        return _BOUND[key]
    if key not in _LOADED:
        from compiler.targets.python.build import source_text
        from compiler.semantics.check import check

        result = check(policy_file, rules=rules_file)
        if not result.ok:
            raise RuntimeError(f"{policy_file} 有错误，无法测试：" + "；".join(d.message for d in result.errors))
        _LOADED[key] = Evaluator(module_from_source(source_text(result.program)))
    return _LOADED[key]


def examples() -> int:
    """Examples per property, from POLC_EXAMPLES (default 100), so a run can be made quicker or deeper."""
    try:
        return max(1, int(os.environ.get("POLC_EXAMPLES", "100")))
    except ValueError:
        return 100


def property_settings():
    """Deterministic runs: the same policy gives the same examples on every machine."""
    return settings(max_examples=examples(), derandomize=True, database=None, deadline=None, print_blob=False,
                    suppress_health_check=list(HealthCheck))


# ---- the properties --------------------------------------------------------------

class PropertyFailure(AssertionError):
    """A property that does not hold, with the enterprise that shows it."""

    def __init__(self, message: str, case: Case):
        self.message = message
        self.case = case
        super().__init__(f"{message}\n反例：{case.show()}")


def _result(policy, case, labels):
    # The properties sharing a drawn case (run_shared) ask for the same evaluation: done once per case.
    key = (policy["file"], policy["rules"], tuple(labels) if labels is not None else None)
    done = case.__dict__.setdefault("evaluated", {})
    if key not in done:
        done[key] = evaluator(policy["file"], policy["rules"])(case.record, case.params, labels)
    out = done[key]
    return out, {r["条款"]: r for r in out["条款"]}


def _amount(r):
    return Decimal(r["金额"]) if r["金额"] is not None else None


def check(policy, item, prop, index, case):
    """Evaluate the item for ``case`` and check one property; raise PropertyFailure when it fails."""
    label = item["label"]
    _, by_label = _result(policy, case, [label])
    r = by_label[label]
    amount = _amount(r)

    def fail(message):
        raise PropertyFailure(f"{label}：{message}", case)

    if prop == "pending":
        if r["状态"] not in ("符合", "待评定") and (r["金额"] is not None or r.get("分期") or r["上限"]):
            fail(f"状态为{r['状态']}，却带有金额 {r['金额']}")
        return
    if prop == "result":
        out, _ = _result(policy, case, [label])
        if r["金额"] is not None or r.get("分期") or label in out["汇总"]["计入合计"]:
            fail(f"核定的结果带有金额 {r['金额']} 或计入了合计")
        if (r["状态"] in ("符合", "待评定")) != ("核定" in r):
            fail(f"状态为{r['状态']}，核定的值为 {r.get('核定')}")
        return
    if prop == "up_to":
        if r["状态"] == "符合":
            fail("只给出最高额的支持却作为确定金额（符合）")
        if r["金额"] is not None and (r["状态"] != "待评定" or r.get("最多可得") != r["金额"]):
            fail(f"状态{r['状态']}、金额 {r['金额']}，却没有标明最多可得 {r.get('最多可得')}")
        return
    if prop == "nonneg":
        if amount is not None and amount < 0:
            fail(f"金额 {amount} 为负数")
        return
    if prop == "cap":
        kind, text, ir = item["limits"][index]
        bound = limit_room(item, kind, ir, case, project_level=kind == "上限")
        if bound is None:
            return
        if bound == "unlisted":  # 上限 分级 without this enterprise's level: nothing bounds what it is paid
            if amount is not None:
                fail(f"{text} 没有列出此企业（或项目）的等级，金额 {amount} 不受此上限约束（见检查器警告 W421）")
            return
        if bound == "unknown":
            if amount is not None:
                fail(f"{text} 的数额无法确定（缺少信息或参数待定），却给出了金额 {amount}")
            return
        if amount is not None and amount > cents(bound):
            fail(f"金额 {amount} 超过{text}（按此企业为 {cents(bound)}）")
        return
    if prop == "floor":
        if amount is None:
            return
        kind, text, ir = item["limits"][index]
        low = floor_bound(item, ir, case)
        if low is not None and amount < cents(low):
            fail(f"金额 {amount} 低于{text}（按此企业至少 {cents(low)}）")
        return
    if prop == "fixed":
        kind, text, ir = item["limits"][index]
        for env in _envs(item, case):
            if conditions_hold(item, env) is not True:
                continue
            award, cap = ev(item["award"], env), ev(ir, env)
            factor = uplift_factor(item, env)
            if _stop(award, cap, factor) or award is None or cap is None:
                continue
            if award * factor > cap:
                fail(f"给予的金额 {cents(award * factor)} 超过{text}（{cents(cap)}），不能足额给予")
        return
    if prop == "match":
        if amount is None:
            return
        total = Decimal(0)
        for env in _envs(item, case):
            base, factor = ev(item["award"], env), uplift_factor(item, env)
            if _stop(base, factor):
                continue
            total += max(Decimal(0), base * factor)
        if amount > cents(total):
            fail(f"配套金额 {amount} 超过配套比例 × 上级金额（{cents(total)}）")
        return
    raise ValueError(f"unknown property {prop}")


def _envs(item, case):
    if item["per_project"]:
        return [case.env(p) for p in case.projects]
    return [case.env()]


def limit_room(item, kind, ir, case, project_level):
    """The most the item may pay under one cap for this case: a Decimal, None (does not apply), "unknown",
    or "unlisted" (a per-level cap that lists no amount for the level held, so nothing bounds the payment)."""
    if kind == "上限":
        if not item["per_project"]:
            value = ev(ir, case.env())
            if value is NA:
                return "unlisted" if _level_unlisted(ir, case.env()) else None
            if _stop(value):
                return "unknown"
            return value
        total = Decimal(0)
        for p in case.projects:
            env = case.env(p)
            value = ev(ir, env)
            if value is NA:
                if _level_unlisted(ir, env) and conditions_hold(item, env) is True:
                    return "unlisted"
                if conditions_hold(item, env) is not False:
                    return None  # a project the cap does not speak to: it does not apply
                continue  # a project that does not qualify is paid nothing
            if not _stop(value):
                total += max(value, Decimal(0))  # a project that cannot be paid adds nothing
        return total
    if kind in ("项目年度上限", "项目累计上限"):
        # each project's own room: its cap less what that project (or an award naming no project) had
        if kind == "项目年度上限" and case.year is None:
            return "unknown"
        total = Decimal(0)
        for index, p in enumerate(case.projects):
            value = ev(ir, case.env(p))
            if value is NA:
                continue
            if _stop(value):
                return "unknown"
            name = p.get("项目名称", f"第{index + 1}个项目")
            used = sum((amount for label, y, amount, project in case.history
                        if label == item["label"] and project in (name, None)
                        and (kind == "项目累计上限" or y == case.year)), Decimal(0))
            total += max(Decimal(0), value - used)
        return total
    value = ev(ir, case.env())
    if value is NA:
        return "unlisted" if _level_unlisted(ir, case.env()) else None
    if _stop(value):
        return "unknown"
    labels = (item["label"],)
    if kind.startswith("期内累计上限/"):
        if case.year is None:
            return "unknown"
        first = case.year - int(kind.partition("/")[2]) + 1
        used = sum((amount for label, y, amount, _ in case.history
                    if label in labels and first <= y <= case.year), Decimal(0))
        return max(Decimal(0), value - used)
    if kind == "年度上限":
        if case.year is None:
            return "unknown"  # nothing may be paid without knowing the year
        used = case.used(labels, case.year)
    else:
        used = case.used(labels)
    return max(Decimal(0), value - used)


def _level_unlisted(ir, env) -> bool:
    """Whether a per-level amount is missing because the table leaves out the level held (not because
    no level is held: a cap by a recognition's level does not speak to an enterprise without it)."""
    if ir[0] != "by_level":
        return False
    rank = ev(ir[1], env)
    return isinstance(rank, int) and not isinstance(rank, bool) and rank > 0 and rank not in ir[2]


def floor_bound(item, ir, case):
    """The least the item must pay under a floor, after 补差 and the annual and cumulative caps."""
    values = [ev(ir, env) for env in _envs(item, case)]
    values = [v for v in values if not _stop(v)]
    if not values:
        return None
    low = min(values)
    if item["topup"] is not None:
        low = max(Decimal(0), low - case.used(item["topup"]))
    for kind, _, cap in item["limits"]:
        if kind in ("年度上限", "累计上限"):
            room = limit_room(item, kind, cap, case, False)
            if isinstance(room, Decimal):
                low = min(low, room)
    return low


def level_cases(measure, allowed):
    """One enterprise per level the item's conditions allow, holding just that level of ``measure``."""
    def case(entry):
        rank, name = entry
        if measure[0] == "level_of":
            c = Case({"已认定": {measure[1]: name}}, {}, {}, {measure[1]: rank}, [], [], None)
        elif measure[0] == "pfield":
            c = Case({"项目": [{measure[1]: name}]}, {}, {}, None, [{measure[1]: rank}], [], None)
        else:
            c = Case({measure[1]: name}, {}, {measure[1]: rank}, None, [], [], None)
        c.level = (rank, name)
        return c

    return st.sampled_from([tuple(entry) for entry in allowed]).map(case)


def check_levels(item, index, case):
    """A 上限 分级 lists every level the conditions allow: one it leaves out is bounded by nothing (W421)."""
    kind, text, ir = item["limits"][index]
    rank, name = case.level
    if rank not in ir[2]:
        raise PropertyFailure(f"{item['label']}：{text}没有列出「{name}」，条件允许这一级，其金额不受此上限约束"
                              "（见检查器警告 W421）", case)


def check_monotone(policy, item, pair):
    """A tier award never decreases as its measure grows.

    A table whose amounts decrease (a higher band paying less, or a band whose formula falls as the
    measure grows) fails this property with the pair that shows it: the checker's W412 names the band.
    """
    low_case, high_case = pair
    label = item["label"]
    a = _amount(_result(policy, low_case, [label])[1][label])
    b = _amount(_result(policy, high_case, [label])[1][label])
    if a is not None and b is not None and a > b:
        name = item["mono"]["field"]
        env = low_case.env(low_case.projects[0] if low_case.projects else None)
        table = tier_table(item["award"], env) if item["award"][0] == "tiers" else None
        amounts = [ev(band[4], env) for band in table or ()]
        table_falls = all(isinstance(x, Decimal) for x in amounts) and any(x > y for x, y in zip(amounts, amounts[1:]))
        if table_falls and item["mono"].get("free_amounts"):
            return  # the falling amounts were drawn for 待定 parameters: no 细则 of this policy set them so
        raise PropertyFailure(
            f"{label}：「{name}」从 {_show(low_case, item)} 增加到 {_show(high_case, item)}，金额却从 {a} 减少到 {b}"
            + ("（分档金额表本身递减，见检查器警告 W412）" if table_falls else ""), high_case)


def _show(case, item):
    m = item["mono"]
    source = case.projects[0] if m["project"] and case.projects else case.facts
    value = source.get(m["field"])
    return plain(value) if isinstance(value, Decimal) else str(value)


@st.composite
def monotone_pairs(draw, policy, item):
    """Two enterprises equal but for the measure's field, the second not smaller."""
    m = item["mono"]
    case = draw(cases(policy, item["scope"], projects=1 if item["per_project"] else None))
    kind = (policy["project_fields"] if m["project"] else policy["fields"])[m["field"]]
    env = case.env(case.projects[0] if case.projects else None)
    points = []
    for ir in item["scope"]["ppivots" if m["project"] else "pivots"].get(m["field"], ()):
        value = ev(ir, env)
        if isinstance(value, Decimal):
            points.append(_near(kind, value, policy.get("fractional_units", ())))
    # Neighbours across each boundary (just below it, on it): where a band that pays more ends.
    straddles = sorted({(a, b) for group in points for a, b in zip(sorted(group), sorted(group)[1:])})
    points = _interleave(points)
    values = st.one_of(st.sampled_from(points), _numbers(kind)) if points else _numbers(kind)
    if straddles and draw(st.booleans()):
        x, y = draw(st.sampled_from(straddles))
    else:
        x, y = sorted((draw(values), draw(values)))
    return _with(case, policy, m, x), _with(case, policy, m, y)


def _with(case, policy, m, value):
    import copy

    c = copy.deepcopy(case)
    if m["project"]:
        if not c.projects:
            return c
        c.projects[0][m["field"]] = value
        c.record["项目"][0][m["field"]] = json_value(policy["project_fields"][m["field"]], value, policy["levels"])
    else:
        c.facts[m["field"]] = value
        c.record[m["field"]] = json_value(policy["fields"][m["field"]], value, policy["levels"])
    return c


def check_group(policy, group, case):
    """A 互斥 group pays no more than its rule allows: one member, the largest (就高) or the first (优先)."""
    out, by_label = _result(policy, case, group["evaluate"])
    included = set(out["汇总"]["计入合计"])
    members = [m for m in group["members"] if m in by_label]
    with_amount = [m for m in members if by_label[m]["金额"] is not None]
    paid = [m for m in with_amount if m in included]

    def fail(message):
        raise PropertyFailure(f"互斥组「{group['name']}」：{message}", case)

    if group.get("per_project"):  # 同一项目不重复支持: no project is paid by two members
        owners = {}
        for m in paid:
            for project in by_label[m].get("项目金额", {}):
                if project in owners:
                    fail(f"项目「{project}」同时由 {owners[project]}、{m} 支持")
                owners[project] = m
        once = group.get("project_lifetime", ())
        for m in paid:
            if m not in once:
                continue
            for project, amount in by_label[m].get("项目金额", {}).items():
                before = [h for h, _, a, p in case.history if h in once and h != m and a > 0
                          and h not in group["topup"].get(m, ()) and p in (project, None)]
                if before and Decimal(amount) > 0:
                    fail(f"项目「{project}」已获 {before[0]}，又由 {m} 支持 {amount}：同一项目的一次性支持领了两次")
        return
    if len(paid) > 1:
        fail(f"同时计入了 {'、'.join(paid)}")
    if paid and group["rule"] == "就高":
        top = max(Decimal(by_label[m]["金额"]) for m in with_amount)
        if Decimal(by_label[paid[0]]["金额"]) < top:
            fail(f"就高却计入了较少的 {paid[0]}（{by_label[paid[0]]['金额']}，最高为 {top}）")
    if paid and group["rule"] == "优先" and paid[0] != with_amount[0]:
        fail(f"优先应计入 {with_amount[0]}，却计入了 {paid[0]}")
    for m in paid:
        if Decimal(by_label[m]["金额"]) <= 0 or m not in group["lifetime"]:
            continue
        for h in group["lifetime"]:
            if h != m and h not in group["topup"].get(m, ()) and case.used((h,)) > 0:
                fail(f"企业已获 {h}，又给予 {m} {by_label[m]['金额']}：一次性的互斥支持领了两次")


def check_group_cap(policy, cap, case):
    """组合上限: the total counts the group's members for no more than the limit allows
    (per project, or with this year's or all past awards of the members deducted)."""
    out, by_label = _result(policy, case, None)
    value = ev(cap["amount"], case.env())
    if _stop(value):
        return
    included = set(out["汇总"]["计入合计"])
    paid = {label: by_label[label] for label in included if by_label[label]["金额"] is not None}
    members = [r for label, r in paid.items() if label in cap["members"]]
    others = sum((Decimal(r["金额"]) for label, r in paid.items() if label not in cap["members"]), Decimal(0))
    if cap["scope"] == "项目":
        projects = {p for r in members for p in r.get("项目金额", {})}
        sums = [sum((Decimal(r["项目金额"][p]) for r in members if p in r.get("项目金额", {})), Decimal(0))
                for p in projects]
        # 项目金额 are each rounded to the fen for display, while an item's amount is rounded once from
        # the exact sum (LANGUAGE.md §7): a project the cap does not bind may differ by half a fen.
        allowed = sum((min(value, x) for x in sums), Decimal(0)) + Decimal("0.005") * sum(1 for x in sums if x < value)
    else:
        used = case.used(set(cap["members"]), case.year if cap["scope"] == "每年" else None) \
            if cap["scope"] != "每年" or case.year is not None else Decimal(0)
        allowed = min(sum((Decimal(r["金额"]) for r in members), Decimal(0)), max(Decimal(0), value - used))
    if Decimal(out["汇总"]["最高合计"]) > cents(others + allowed):
        raise PropertyFailure(f"{cap['text']}：最高合计 {out['汇总']['最高合计']} 超过 {cents(others + allowed)}", case)


def check_sum_cap(policy, cap, case):
    """The total respects 总额上限: this year's payments plus the new total stay within it."""
    out, _ = _result(policy, case, None)
    value = ev(cap["amount"], case.env())
    if _stop(value):
        return
    labels = {label for label, *_ in case.history}
    if not cap.get("yearly", True):  # 总额上限 over all years: every past award counts
        used = case.used(labels)
    else:
        used = case.used(labels, case.year) if case.year is not None else Decimal(0)
    room = cents(max(Decimal(0), value - used))
    for key in ("合计", "最高合计"):
        if Decimal(out["汇总"][key]) > room:
            raise PropertyFailure(f"{cap['text']}：{key} {out['汇总'][key]} 超过可用额度 {room}", case)


YEARS_IN_SEQUENCE = 4  # how many consecutive years the multi-year property evaluates


def _paid_entries(label, r, year, per_project):
    """The 已获支持 entries one result adds: per project where the trace gives each project's amount."""
    amount = _amount(r)
    if per_project:
        parts = [(s["项目"], parse_money(s["结果"])) for s in r["理由"] if s.get("检查") == "本项目金额" and "项目" in s]
        if parts and sum(a for _, a in parts) == amount:
            return [{"条款": label, "年度": year, "金额": plain(a), "项目": name} for name, a in parts]
    return [{"条款": label, "年度": year, "金额": plain(amount)}]


def check_years(policy, item, case):
    """Evaluating year after year, each year's award fed back as history (LANGUAGE.md §9): the sum never
    exceeds a cumulative cap (overall, within a window, per project) and a one-off or counted award is not
    paid more often than its frequency allows."""
    import copy

    label = item["label"]
    record = copy.deepcopy(case.record)
    record["已获支持"] = []
    start = case.year or 2025
    paid = []  # (year, amount, entries)
    for year in range(start, start + YEARS_IN_SEQUENCE):
        record["申报年度"] = year
        out = evaluator(policy["file"], policy["rules"])(copy.deepcopy(record), case.params, [label])
        r = next(x for x in out["条款"] if x["条款"] == label)
        if r["金额"] is None:
            continue
        entries = _paid_entries(label, r, year, item["per_project"])
        paid.append((year, _amount(r), entries))
        record["已获支持"].extend(entries)

    def fail(message):
        raise PropertyFailure(f"{label}：逐年求值（{start}—{start + YEARS_IN_SEQUENCE - 1}年度，已获支持回填）{message}", case)

    times = len(paid)
    for kind, count in item.get("frequency_parts", ()):
        if kind == "一次性" and not item["per_project"] and times > 1:
            fail(f"一次性支持给了{times}次")
        if kind in ("最多", "序数") and not item["per_project"] and times > count:
            fail(f"最多{count}次，给了{times}次")
        if kind == "一次性" and item["per_project"]:
            names = [e.get("项目") for _, _, entries in paid for e in entries]
            for name in set(names):
                if name is not None and names.count(name) > 1:
                    fail(f"项目「{name}」的一次性支持给了{names.count(name)}次")
        if kind in ("最多", "序数") and item["per_project"]:
            names = [e.get("项目") for _, _, entries in paid for e in entries]
            for name in set(names):
                if name is not None and names.count(name) > count:
                    fail(f"项目「{name}」最多{count}次，给了{names.count(name)}次")
    for kind, text, ir in item["limits"]:
        if kind not in ("累计上限", "项目累计上限") and not kind.startswith("期内累计上限/"):
            continue
        if kind == "项目累计上限":
            for index, p in enumerate(case.projects):
                value = ev(ir, case.env(p))
                if _stop(value) or value is NA:
                    continue
                name = p.get("项目名称", f"第{index + 1}个项目")
                total = sum((Decimal(e["金额"]) for _, _, entries in paid for e in entries if e.get("项目") == name),
                            Decimal(0))
                if total > cents(max(Decimal(0), value)):
                    fail(f"项目「{name}」共得 {total}，超过{text}")
            continue
        value = ev(ir, case.env())
        if _stop(value) or value is NA:
            continue
        cap = cents(max(Decimal(0), value))
        if kind == "累计上限":
            total = sum((a for _, a, _ in paid), Decimal(0))
            if total > cap:
                fail(f"共得 {total}，超过{text}")
        else:
            span = int(kind.partition("/")[2])
            for first in range(start, start + YEARS_IN_SEQUENCE):
                total = sum((a for y, a, _ in paid if first <= y < first + span), Decimal(0))
                if total > cap:
                    fail(f"{first}年度起{span}年共得 {total}，超过{text}")


# ---- running the properties of a generated module (polc test, the pytest plugin) ----------------

class Outcome:
    """One generated property's run: its name, item and description, and the failure if it failed."""
    def __init__(self, name, label, description, error=None):
        self.name = name
        self.label = label
        self.description = description
        self.error = error

    @property
    def passed(self) -> bool:
        return self.error is None


def run_property(module, name) -> Outcome:
    """Run one generated property; a failure carries hypothesis's smallest counterexample."""
    from hypothesis.reporting import with_reporter

    entry = next(p for p in module.PROPERTIES if p[0] == name)
    test = getattr(module, name)
    try:
        with with_reporter(lambda *_: None):
            test()
    except PropertyFailure as exc:
        return Outcome(name, entry[1], entry[2], exc)
    except Exception as exc:  # noqa: BLE001 - an evaluator crash is a failed property too
        return Outcome(name, entry[1], entry[2], exc)
    return Outcome(name, entry[1], entry[2])


# ---- shared draws: one drawn case checks every property that draws from the same strategy ----------

_SHARED_FAILED: set = set()  # the properties of the shared test now running that failed on some case


def each(case, names, namespace) -> None:
    """Check every property in ``names`` on one drawn case (the body of a generated shared test).

    A property that fails is only noted and left out for the remaining cases: it is run again on its
    own afterwards, so hypothesis shrinks its own counterexample and the report names it."""
    for name in names:
        if name in _SHARED_FAILED:
            continue
        try:
            namespace[name].hypothesis.inner_test(case)
        except Exception:  # noqa: BLE001 - a crash fails the property too; its own run reports it
            _SHARED_FAILED.add(name)


def run_shared(module, shared: str, names) -> dict:
    """Run one shared test; name → Outcome for each of its properties (failed ones run alone)."""
    from hypothesis.reporting import with_reporter

    _SHARED_FAILED.clear()
    try:
        with with_reporter(lambda *_: None):
            getattr(module, shared)()
        failed = set(_SHARED_FAILED)
    except Exception:  # noqa: BLE001 - the drawing itself broke: each property on its own says how
        failed = set(names)
    entries = {p[0]: p for p in module.PROPERTIES}
    return {name: run_property(module, name) if name in failed else Outcome(name, *entries[name][1:])
            for name in names}


def outcome_of(module, name) -> Outcome:
    """The outcome of one generated property, running it with the others that share its draws the
    first time any of them is asked for (``polc test`` and the pytest plugin both ask property by property)."""
    known = module.__dict__.setdefault("_outcomes", {})
    if name not in known:
        group = next(((shared, names) for shared, names in getattr(module, "SHARED", ()) if name in names), None)
        if group is None:
            known[name] = run_property(module, name)
        else:
            known.update(run_shared(module, *group))
    return known[name]
