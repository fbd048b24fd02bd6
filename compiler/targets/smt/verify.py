"""``polc verify``: prove with z3 that no award exceeds its caps, or find an enterprise that shows it does.

Each item's amount is encoded, over exact rationals, as a function of the
enterprise's facts, its recognitions, its award history and the parameters
still 待定, following the runtime's order: frequency, conditions (three-valued),
award, 上浮, 下限 then 上限, then 补差, 年度上限 and 累计上限. A
value carries a state besides its number: known, unknown (a missing fact, or a
division by zero) or not applicable (a per-level table without the level held),
propagated as ``runtime.blocked`` does. A 待定 parameter is a variable within
its declared range: a run where it is left unbound pays nothing, so every paying
run is one of these. History is encoded by what the runtime reads of it (counts
and sums of this item's entries, in the 申报年度 and overall), which any list of
entries realises.

The properties are those of ``propgen`` (amount not negative, each cap, floor,
fixed amount under an absolute cap, tier monotonicity, matching, 互斥 and
总额上限), each stated with bounds computed from the plan. Per-project items are
proved for any number of projects: the per-project part on one arbitrary
project, the rest for an arbitrary total; counterexamples use one or two
projects. Every counterexample is turned into an enterprise record and run
through the interpreter; it is reported only if the interpreter reproduces it.
Whatever cannot be encoded is listed by item.

With ``--module`` the amounts are read back from a module ``polc build`` wrote
(its item specs and their Python functions), so the shipped artifact is checked
against caps stated by the policy.
"""

from __future__ import annotations

import ast
import datetime
import time
from decimal import Decimal
from fractions import Fraction

import z3

from compiler.limits import BUDGET, QUERY_COST, RLIMIT
from compiler.plan.lower import ItemPlan, PolicyPlan, lower
from compiler.targets.properties.propgen import (LIFETIME, PROPERTY_TEXT, absolute, amounts_only, award_params, conditional_tiers,
                      increasing_in, monetary, refs, walk)

OK, UNK, NA, NONE = 0, 1, 2, 3  # value states; NONE: the level of a recognition not held
PROJECT_CAPS = ("项目年度上限", "项目累计上限")  # caps each project counts against its own past awards
YEARS_UNROLLED, YEARS_MAX = 3, 5  # how many years the multi-year property unrolls
MAX_SYMBOLIC_BANDS = 16  # a table whose lower bounds are 待定 is encoded with every order of its bands
BUDGET_NOTE = ("已达到验证的总资源上限（{budget} 单位，--budget）：这条性质未求解；"
               "可调高 --budget，或拆分政策文件后分别验证")


class Unencodable(Exception):
    """An expression outside what the encoder handles; the property is listed, not proved."""


class Val:
    """A z3 value with its state (OK, UNK, NA, NONE), so unknown and not-applicable propagate as in the runtime."""
    __slots__ = ("v", "s")

    def __init__(self, v, s):
        self.v = v
        self.s = s  # z3 Int: OK / UNK / NA / NONE


def _block(*vals):
    state = z3.IntVal(OK)
    for x in reversed(vals):
        state = z3.If(x.s != OK, x.s, state)
    return state


def real(value) -> z3.ArithRef:
    """A constant as an exact z3 rational (a date as its ordinal); anything else raises Unencodable."""
    if isinstance(value, bool):
        raise Unencodable("布尔值用作数")
    if isinstance(value, (int, Decimal)):
        f = Fraction(value)
        return z3.RealVal(f"{f.numerator}/{f.denominator}")
    if isinstance(value, datetime.date):
        return z3.RealVal(value.toordinal())
    raise Unencodable(f"常量 {type(value).__name__}")


class World:
    """The free variables: one enterprise, its projects, its history and the 待定 parameters."""

    def __init__(self, plan: PolicyPlan, bound: dict, texts: dict, facts_known: bool = False):
        self.plan = plan
        self.bound = bound
        self.texts = texts  # field → [text values], index 0 is "any other text"
        self.facts_known = facts_known  # the review asks about enterprises whose facts are all given
        self.vars: dict = {}
        self.constraints: list = []
        self.level_constraints: list = []  # a level within its declared members (the review may drop these)
        self.kinds: dict = {}
        self.text_vars: dict = {}

    def closed(self, levels: bool = True) -> list:
        """The constraints, with each text variable bounded by its table as it finally stands: a
        value named by a later 属于 must stay reachable (a bound fixed earlier made 属于 unsatisfiable,
        so every property of an item with one was 'proved'). Without ``levels`` a level may lie
        outside its declared members."""
        bounds = [x < len(self.texts.get(key[-1], [None])) for key, x in self.text_vars.items()]
        return self.constraints + (self.level_constraints if levels else []) + bounds

    def known(self, key):
        """Whether a fact is given: a free boolean, or true when every fact is taken as given."""
        return z3.BoolVal(True) if self.facts_known else self.var(key, "Bool")

    def var(self, key, sort, kind=None):
        """The z3 variable for ``key``, made on first use so that one fact is one variable."""
        if key not in self.vars:
            name = "|" + "/".join(str(k) for k in key) + "|"
            self.vars[key] = {"Real": z3.Real, "Int": z3.Int, "Bool": z3.Bool}[sort](name)
            if kind is not None:
                self.kinds[key] = kind
        return self.vars[key]

    def typed(self, key, kind):
        """A variable for a fact or parameter of type ``kind``, constrained to the values a record may give."""
        t = kind[0]
        # a field declared 可为负 takes any sign; every other number a record gives is ≥ 0 (runtime.input_form)
        signed = key[0] in ("f", "p") and key[-1] in self.plan.signed
        if t in ("金额", "比例", "数值", "汇率"):
            x = self.var(key, "Real", kind)
            if t in ("金额", "比例", "数值") and not signed:
                self.constraints.append(x >= 0)
            if t == "汇率":
                self.constraints.append(x > 0)
            return x
        if t == "数量":  # fractional quantities (1999.5平方米) are valid input: a real, not an integer
            x = self.var(key, "Real", kind)
            if not signed:
                self.constraints.append(x >= 0)
            return x
        if t == "年度":
            x = self.var(key, "Int", kind)
            self.constraints += [x >= 1900, x <= 2200]
            return z3.ToReal(x)
        if t == "日期":
            x = self.var(key, "Int", kind)
            self.constraints += [x >= 700000, x <= 800000]
            return z3.ToReal(x)
        if t == "等级":
            x = self.var(key, "Int", kind)
            self.level_constraints += [x >= 1, x <= len(self.plan.levels[kind[1]])]
            return z3.ToReal(x)
        if t == "布尔":
            return self.var(key, "Bool", kind)
        if t == "文本":
            x = self.var(key, "Int", kind)
            self.constraints.append(x >= 0)
            self.text_vars[key] = x  # its upper bound waits for the table to be complete (see ``closed``)
            return x
        raise Unencodable(f"类型{t}")

    def fact(self, name, project=None) -> Val:
        """An enterprise field that may be unknown; inside a project, the project's own value where it gives one."""
        plan = self.plan
        if name not in plan.fields:
            raise Unencodable(f"字段「{name}」")
        kind = plan.fields[name]
        if kind[0] == "集合":
            raise Unencodable(f"集合字段「{name}」")
        value = self.typed(("f", name), kind)
        known = self.known(("known", name))
        v = Val(value, z3.If(known, z3.IntVal(OK), z3.IntVal(UNK)))
        if project is None:
            return v
        shadow = self.var(("p", project, "has", name), "Bool")
        pv = self.typed(("p", project, name), kind)
        return Val(z3.If(shadow, pv, value), z3.If(shadow, z3.IntVal(OK), v.s))

    def pfact(self, name, project) -> Val:
        if project is None:
            return Val(z3.RealVal(0), z3.IntVal(UNK))  # a project field outside a project: unknown
        kind = self.plan.project_fields.get(name) or self.plan.fields.get(name)
        if kind is None or kind[0] == "集合":
            raise Unencodable(f"项目字段「{name}」")
        value = self.typed(("p", project, name), kind)
        known = self.known(("p", project, "known", name))
        return Val(value, z3.If(known, z3.IntVal(OK), z3.IntVal(UNK)))

    def param(self, name) -> Val:
        """A parameter: its bound value as a constant, or, while 待定, a variable within its declared range."""
        kind, low, high = self.plan.declared_params[name]
        if name in self.bound:
            value = self.bound[name]
            if kind[0] == "文本":
                values = self.texts.setdefault(("param", name), [None])
                if value not in values:
                    values.append(value)
                return Val(z3.IntVal(values.index(value)), z3.IntVal(OK))
            if isinstance(value, bool):
                return Val(z3.BoolVal(value), z3.IntVal(OK))
            return Val(real(value), z3.IntVal(OK))
        if kind[0] == "文本":
            raise Unencodable(f"待定的文本参数「{name}」")
        x = self.typed(("param", name), kind)
        if low is not None and high is not None and kind[0] not in ("日期", "等级", "布尔"):
            self.constraints += [x >= real(low), x <= real(high)]
        return Val(x, z3.IntVal(OK))

    def held_known(self):
        return self.known(("held?",))

    def held(self, rec):
        return self.var(("held", rec), "Bool")

    def rank(self, rec):
        levels = self.plan.recognitions[rec]
        if not levels:
            return z3.RealVal(0)
        x = self.var(("rank", rec), "Int")
        self.level_constraints += [x >= 1, x <= len(self.plan.levels[levels])]
        return z3.ToReal(x)

    def history(self, label, project=None):
        """(count, sum, count in the year, sum in the year) of ``label``'s entries (for one project if given)."""
        key = ("h", label) if project is None else ("h", label, project)
        n, s = self.var(key + ("n",), "Int"), self.var(key + ("sum",), "Real")
        ny, sy = self.var(key + ("ny",), "Int"), self.var(key + ("sumy",), "Real")
        self.constraints += [n >= 0, ny >= 0, ny <= n, s >= 0, sy >= 0, sy <= s,
                             z3.Implies(n == 0, s == 0), z3.Implies(ny == 0, sy == 0), z3.Implies(n == ny, s == sy)]
        if project is not None:
            total = self.history(label)
            self.constraints += [n <= total[0], ny <= total[2], s <= total[1], sy <= total[3]]
        return n, s, ny, sy

    def year(self) -> Val:
        return self.fact("申报年度")

    def window(self, label, kind):
        """The sum of ``label``'s awards within a window of years (期内累计上限/N): at least this year's, at most all."""
        _, total, _, in_year = self.history(label)
        used = self.var(("h", label, kind, "sum"), "Real")
        self.constraints += [used >= in_year, used <= total]
        return used


class YearWorld(World):
    """One year of a sequence of yearly evaluations: its own facts and history (names carry the year),
    the 待定 parameters shared with the other years (a parameter has one value)."""

    def __init__(self, plan: PolicyPlan, bound: dict, texts: dict, index: int):
        super().__init__(plan, bound, texts)
        self.index = index

    def var(self, key, sort, kind=None):
        if key not in self.vars and key[0] != "param":
            name = f"|y{self.index}/" + "/".join(str(k) for k in key) + "|"
            self.vars[key] = {"Real": z3.Real, "Int": z3.Int, "Bool": z3.Bool}[sort](name)
            if kind is not None:
                self.kinds[key] = kind
        return super().var(key, sort, kind)


class Encoder:
    """IR → z3 terms for one world; ``project`` names the project copy a per-project item reads."""

    def __init__(self, world: World, project=None):
        self.w = world
        self.project = project

    def value(self, ir) -> Val:
        """The z3 value of an IR expression with its state; what cannot be encoded raises Unencodable."""
        op = ir[0]
        w = self.w
        if op == "const":
            v = ir[1]
            if isinstance(v, bool):
                return Val(z3.BoolVal(v), z3.IntVal(OK))
            if isinstance(v, str):
                raise Unencodable("文本常量参与运算")
            return Val(real(v), z3.IntVal(OK))
        if op == "field":
            return w.fact(ir[1], self.project)
        if op == "pfield":
            return w.pfact(ir[1], self.project)
        if op == "param":
            return w.param(ir[1])
        if op in ("add", "sub", "mul", "div"):
            a, b = self.value(ir[1]), self.value(ir[2])
            if op == "add":
                return Val(a.v + b.v, _block(a, b))
            if op == "sub":
                return Val(a.v - b.v, _block(a, b))
            if op == "mul":
                return Val(a.v * b.v, _block(a, b))
            state = _block(a, b)
            return Val(a.v / b.v, z3.If(state != OK, state, z3.If(b.v == 0, z3.IntVal(UNK), z3.IntVal(OK))))
        if op == "agg":
            return self.aggregate(ir)
        if op == "award_of":
            model = getattr(w, "models", {}).get(ir[1])
            if model is None or model.per_project or model.award is None:
                raise Unencodable(f"引用{ir[1]}的金额")
            pays, amount = Amount(w, model).final()
            return Val(amount, z3.If(pays, z3.IntVal(OK), z3.IntVal(NA)))
        if op == "steps":
            x, size, each = self.value(ir[1]), self.value(ir[2]), self.value(ir[3])
            whole = z3.If(x.v > 0, z3.ToReal(z3.ToInt(x.v / size.v)), z3.RealVal(0))
            state = _block(x, size, each)
            return Val(whole * each.v, z3.If(state != OK, state, z3.If(size.v <= 0, z3.IntVal(UNK), z3.IntVal(OK))))
        if op == "round":
            x, unit = self.value(ir[2]), self.value(ir[3])
            q = x.v / unit.v
            whole = {"floor": z3.ToInt(q), "ceiling": -z3.ToInt(-q), "half_up": z3.ToInt(q + z3.RealVal("1/2"))}[ir[1]]
            state = _block(x, unit)
            return Val(z3.ToReal(whole) * unit.v,
                       z3.If(state != OK, state, z3.If(unit.v <= 0, z3.IntVal(UNK), z3.IntVal(OK))))
        if op == "marginal":  # 累进: each band's part of the measure at its rate
            x = self.value(ir[1])
            total, parts = z3.RealVal(0), [x]
            for lo, hi, rate in ir[2]:
                low = self.value(lo) if lo is not None else Val(z3.RealVal(0), z3.IntVal(OK))
                r = self.value(rate)
                top = x.v if hi is None else z3.If(x.v < self.value(hi).v, x.v, self.value(hi).v)
                parts += [low, r] + ([self.value(hi)] if hi is not None else [])
                total = total + z3.If(top > low.v, (top - low.v) * r.v, z3.RealVal(0))
            return Val(total, _block(*parts))
        if op == "add_months":
            # The day a period of m months ends: the solver is given only that it lies 28m to 31m days on
            # (every month has 28 to 31 days; a missing day falls back to the month's end). Anything proved
            # over that range holds for the true day.
            start, months = self.value(ir[1]), ir[2]
            if months[0] != "const":
                raise Unencodable("日期加期限")
            m = int(months[1])
            end = w.var(("add_months", self.project, repr(ir)), "Int")
            w.constraints += [z3.ToReal(end) >= start.v + 28 * m, z3.ToReal(end) <= start.v + 31 * m]
            return Val(z3.ToReal(end), start.s)
        if op in ("least", "greatest"):
            values = [self.value(x) for x in ir[1]]
            if any(not isinstance(x.v, z3.ArithRef) for x in values):
                raise Unencodable(op)
            best = values[0].v
            for x in values[1:]:
                best = z3.If(x.v < best, x.v, best) if op == "least" else z3.If(x.v > best, x.v, best)
            return Val(best, _block(*values))
        if op == "level_of":
            rec = ir[1]
            return Val(w.rank(rec), z3.If(z3.Not(w.held_known()), z3.IntVal(UNK),
                                          z3.If(w.held(rec), z3.IntVal(OK), z3.IntVal(NONE))))
        if op == "by_level":
            rank = self.value(ir[1])
            entries = {k: self.value(x) for k, x in ir[2].items()}
            v, s = z3.RealVal(0), z3.IntVal(NA)
            for k, e in entries.items():
                hit = z3.And(rank.s == OK, rank.v == k)
                v, s = z3.If(hit, e.v, v), z3.If(hit, e.s, s)
            s = z3.If(rank.s == UNK, z3.IntVal(UNK), s)
            return Val(v, s)
        if op == "tiers":
            return self.tiers(ir)
        if op == "when":  # runtime.tier_if: the amount if the condition holds, NA if it fails, else UNK
            t, f = self.cond(ir[1])
            a = self.value(ir[2])
            return Val(a.v, z3.If(t, a.s, z3.If(f, z3.IntVal(NA), z3.IntVal(UNK))))
        raise Unencodable(f"算式 {op}")

    def aggregate(self, ir) -> Val:
        """A list's 合计/计数/最大值/最小值/所有/任一 as a free value of its type (known or not).

        The record's lists are not modelled item by item: any value the aggregate could take is allowed,
        so a proof covers every list; a counterexample that needs a particular list is not reproduced.
        """
        kind, value = ir[1], ir[3]
        key = ("agg", self.project, repr(ir))
        known = self.w.known(key + ("known",))
        state = z3.If(known, z3.IntVal(OK), z3.IntVal(UNK))
        if kind in ("all", "any"):
            return Val(self.w.var(key, "Bool"), state)
        if kind == "count":
            x = self.w.var(key, "Int")
            self.w.constraints.append(x >= 0)
            return Val(z3.ToReal(x), state)
        x = self.w.var(key, "Real")
        if value[0] == "lfield":  # every value a record gives is ≥ 0, so their sum and extremes are too
            self.w.constraints.append(x >= 0)
        return Val(x, state)

    def tiers(self, ir) -> Val:
        """select_tier: bands sorted by lower bound (stably), an open band ending at the next band's lower bound."""
        measure = self.value(ir[1])
        bands = []
        for lo_op, lo, hi_op, hi, amount in ir[2]:
            bands.append((lo_op, self.value(lo) if lo else None, hi_op, self.value(hi) if hi else None,
                          self.value(amount)))
        bounds = [b for band in bands for b in (band[1], band[3]) if (band[0] or band[2]) and b is not None]
        state = _block(measure, *bounds)
        n = len(bands)
        if all(lo is None or z3.is_rational_value(lo.v) for _, lo, _, _, _ in bands):
            return self.fixed_tiers(measure, bands, state)
        if n > MAX_SYMBOLIC_BANDS:
            raise Unencodable(f"分档多于{MAX_SYMBOLIC_BANDS}档且下界待定")

        def before(i, j):  # band i sorts before band j
            li, lj = bands[i][1], bands[j][1]
            if li is None and lj is None:
                return z3.BoolVal(i < j)
            if li is None:
                return z3.BoolVal(True)
            if lj is None:
                return z3.BoolVal(False)
            return z3.Or(li.v < lj.v, z3.And(li.v == lj.v, z3.BoolVal(i < j)))

        def cmp(op_, a, b):
            return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[op_]

        matches = []
        for i, (lo_op, lo, hi_op, hi, _) in enumerate(bands):
            m = []
            if lo_op is not None:
                m.append(cmp(lo_op, measure.v, lo.v))
            if hi_op is not None:
                m.append(cmp(hi_op, measure.v, hi.v))
            else:
                for j in range(n):
                    if j == i or bands[j][0] is None:
                        continue
                    succ = z3.And(before(i, j), *[z3.Not(z3.And(before(i, k), before(k, j)))
                                                  for k in range(n) if k not in (i, j)])
                    implied = "<" if bands[j][0] == ">=" else "<="
                    m.append(z3.Implies(succ, cmp(implied, measure.v, bands[j][1].v)))
            matches.append(z3.And(*m) if m else z3.BoolVal(True))
        v, s = z3.RealVal(0), z3.IntVal(NA)
        for i in range(n):
            first = z3.And(matches[i], *[z3.Not(z3.And(before(j, i), matches[j])) for j in range(n) if j != i])
            v, s = z3.If(first, bands[i][4].v, v), z3.If(first, bands[i][4].s, s)
        return Val(v, z3.If(state != OK, state, s))

    def fixed_tiers(self, measure, bands, state) -> Val:
        """select_tier when every lower bound is a number: the order is known here, so the
        encoding is one nested choice, linear in the bands (the general one is cubic)."""
        def key(i):
            lo = bands[i][1]
            if lo is None:
                return (0, Fraction(0), i)
            value = lo.v
            return (1, Fraction(value.numerator_as_long(), value.denominator_as_long()), i)

        def cmp(op_, a, b):
            return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[op_]

        order = sorted(range(len(bands)), key=key)
        v, s = z3.RealVal(0), z3.IntVal(NA)
        for place in reversed(range(len(order))):
            lo_op, lo, hi_op, hi, amount = bands[order[place]]
            m = []
            if lo_op is not None:
                m.append(cmp(lo_op, measure.v, lo.v))
            if hi_op is not None:
                m.append(cmp(hi_op, measure.v, hi.v))
            elif place + 1 < len(order) and bands[order[place + 1]][0] is not None:
                after = bands[order[place + 1]]
                m.append(cmp("<" if after[0] == ">=" else "<=", measure.v, after[1].v))
            hit = z3.And(*m) if m else z3.BoolVal(True)
            v, s = z3.If(hit, amount.v, v), z3.If(hit, amount.s, s)
        return Val(v, z3.If(state != OK, state, s))

    def cond(self, ir):
        """(certainly true, certainly false) for a condition, Kleene style."""
        op = ir[0]
        w = self.w
        if op == "cmp":
            a, b = self.value(ir[2]), self.value(ir[3])
            state = _block(a, b)
            if z3.is_bool(a.v) or z3.is_bool(b.v):
                raise Unencodable("布尔值比较")
            if isinstance(a.v, z3.ArithRef) and isinstance(b.v, z3.ArithRef):
                r = {">=": a.v >= b.v, "<=": a.v <= b.v, ">": a.v > b.v, "<": a.v < b.v, "==": a.v == b.v}[ir[1]]
            else:
                raise Unencodable("比较")
            known = z3.And(a.s != UNK, a.s != NA, b.s != UNK, b.s != NA)
            none = z3.Or(a.s == NONE, b.s == NONE)
            return z3.And(known, z3.Not(none), r), z3.And(known, z3.Or(none, z3.Not(r)))
        if op in ("and", "or"):
            parts = [self.cond(x) for x in ir[1]]
            if op == "and":
                return z3.And(*[t for t, _ in parts]), z3.Or(*[f for _, f in parts])
            return z3.Or(*[t for t, _ in parts]), z3.And(*[f for _, f in parts])
        if op == "not":
            t, f = self.cond(ir[1])
            return f, t
        if op == "truth":
            v = self.value(ir[1])
            if not z3.is_bool(v.v):
                raise Unencodable("数值当作条件")
            return z3.And(v.s == OK, v.v), z3.And(v.s == OK, z3.Not(v.v))
        if op == "holds":
            names, rank, cmp_op = ir[1], ir[2], ir[3]
            anyone = []
            for name in names:
                level = w.rank(name)
                ok = w.held(name)
                if rank is not None:
                    ok = z3.And(ok, {">=": level >= rank, "<=": level <= rank, ">": level > rank,
                                     "<": level < rank, "==": level == rank}[cmp_op])
                anyone.append(ok)
            hit = z3.Or(*anyone)
            return z3.And(w.held_known(), hit), z3.And(w.held_known(), z3.Not(hit))
        if op == "member":
            inner = ir[1]
            if inner[0] in ("field", "pfield", "param") and self.text(inner):
                key, values = self.text(inner)
                for x in sorted(ir[2], key=str):
                    if isinstance(x, str) and x not in values:
                        values.append(x)
                v = self.value(inner) if inner[0] != "param" else self.w.param(inner[1])
                hit = z3.Or(*[v.v == values.index(x) for x in ir[2] if x in values]) if ir[2] else z3.BoolVal(False)
                return z3.And(v.s == OK, hit), z3.And(v.s == OK, z3.Not(hit))
            v = self.value(inner)
            if not isinstance(v.v, z3.ArithRef) or any(not isinstance(x, int) for x in ir[2]):
                raise Unencodable("属于")
            hit = z3.Or(*[v.v == x for x in ir[2]]) if ir[2] else z3.BoolVal(False)
            known = z3.And(v.s != UNK, v.s != NA)
            return z3.And(known, v.s == OK, hit), z3.And(known, z3.Or(v.s == NONE, z3.Not(hit)))
        if op == "contains":
            inner = ir[1]
            kinds = self.w.plan.project_fields if inner[0] == "pfield" else self.w.plan.fields
            kind = kinds.get(inner[1]) or self.w.plan.fields.get(inner[1])
            if inner[0] not in ("field", "pfield") or kind is None or kind[0] != "集合":
                raise Unencodable("包含")
            where = ("p", self.project) if inner[0] == "pfield" or (self.project and inner[1] not in w.plan.fields) \
                else ("f",)
            known = w.known(where + ("known", inner[1]))
            hit = z3.Or(*[w.var(where + ("has", inner[1], x), "Bool") for x in sorted(ir[2])]) if ir[2] \
                else z3.BoolVal(False)
            w.kinds[where + ("set", inner[1])] = (kind, sorted(ir[2]))
            return z3.And(known, hit), z3.And(known, z3.Not(hit))
        if op == "first_holds":
            # 首次认定: held now, and not in an earlier year; the earlier years are free
            now_true, now_false = self.cond(("holds", ir[1], ir[2], ir[3]))
            known = w.known(("f", "held_history_known"))
            before = w.var(("f", "held_before", ir[1], ir[2], ir[3]), "Bool")
            return z3.And(now_true, known, z3.Not(before)), z3.Or(now_false, z3.And(known, before))
        if op == "received":
            got = w.history(ir[1])[0] > 0  # 已获「X」: any award of X in the record
            return got, z3.Not(got)
        if op == "first":
            # 首次: reached now, and not in any earlier year. The earlier years are free: any history the
            # record may give (known and reached before, known and not, or not given at all).
            now_true, now_false = self.cond(("cmp", ir[1], ("field", ir[2]), ir[4]))
            known = w.known(("f", "history_known", ir[2]))
            before = w.var(("f", "reached_before", ir[2]), "Bool")
            return z3.And(now_true, known, z3.Not(before)), z3.Or(now_false, z3.And(known, before))
        if op == "const" and isinstance(ir[1], bool):
            return z3.BoolVal(ir[1]), z3.BoolVal(not ir[1])
        raise Unencodable(f"条件 {op}")

    def text(self, ir):
        """For a text field: its key and value table (index 0 stands for any other text)."""
        if ir[0] == "param":
            kind = self.w.plan.declared_params[ir[1]][0]
            return (("param", ir[1]), self.w.texts.setdefault(("param", ir[1]), [None])) if kind[0] == "文本" else None
        kinds = self.w.plan.project_fields if ir[0] == "pfield" else self.w.plan.fields
        kind = kinds.get(ir[1]) or self.w.plan.fields.get(ir[1])
        if kind is None or kind[0] != "文本":
            return None
        return ir[1], self.w.texts.setdefault(ir[1], [None])


# ---- one item's amount, as the runtime computes it ------------------------------------------------

class ItemModel:
    """What the encoder needs of an item: from the plan, or read back from a generated module."""

    def __init__(self, label, kind, per_project, frequency, conditions, award, uplifts, limits, topup):
        self.label = label
        self.kind = kind
        self.per_project = per_project
        self.frequency = frequency  # (kind, count) or None
        self.conditions = conditions
        self.award = award
        self.uplifts = uplifts  # [(ratio ir, when ir | None)]
        self.limits = limits  # [(kind, text, ir)] in the order written
        self.topup = topup

    @classmethod
    def of(cls, item: ItemPlan) -> "ItemModel":
        """The model of an item read from the plan (``models_from_module`` reads one from a generated module)."""
        model = cls(item.label, item.kind, item.per_project,
                    (item.frequency[0], item.frequency[1]) if item.frequency else None,
                    [c.test for c in item.conditions], item.award, [(r, w) for r, w, _, _ in item.uplifts],
                    [(lim.kind, lim.text, lim.amount) for lim in item.limits], item.topup)
        model.frequency_also = [(f[0], f[1]) for f in item.frequency_also]
        return model


def verified(item: ItemPlan) -> bool:
    """The items the solver models: those paying money, and 核定 values (their 上限 and 下限 hold too)."""
    return monetary(item) or (item.kind == "核定" and item.award is not None)


def _max(a, b):
    return z3.If(a >= b, a, b)


def _min(a, b):
    return z3.If(a <= b, a, b)


class Amount:
    """The encoded pipeline of one item."""

    def __init__(self, world: World, item: ItemModel):
        self.w = world
        self.item = item

    def frequency_ok(self, project=None):
        """Whether every frequency part allows a payment, given the item's encoded history (one project's if given)."""
        freq = self.item.frequency
        if freq is None:
            return z3.BoolVal(True)
        n, _, ny, _ = self.w.history(self.item.label, project)
        parts = []
        for kind, count in (freq, *getattr(self.item, "frequency_also", ())):
            if kind == "一次性":
                parts.append(n == 0)
            elif kind == "每年":
                parts.append(z3.And(self.w.year().s == OK, ny == 0))
            elif kind in ("每季度", "每月"):
                # the awards of this quarter or month: some of the year's, any number of them
                key = ("h", self.item.label, kind) if project is None else ("h", self.item.label, project, kind)
                nq = self.w.var(key, "Int")
                self.w.constraints += [nq >= 0, nq <= ny]
                period = self.w.fact("申报季度" if kind == "每季度" else "申报月份")
                parts.append(z3.And(self.w.year().s == OK, period.s == OK, nq == 0))
            elif kind == "每次":
                parts.append(z3.BoolVal(True))
            else:
                parts.append(n < count)
        return z3.And(*parts)

    def gross(self, project=None):
        """(pays, amount) after the award, 上浮 and 上限/下限: per project for a 每个项目 item."""
        e = Encoder(self.w, project)
        item = self.item
        pays = [self.frequency_ok(project)]
        for c in item.conditions:
            pays.append(e.cond(c)[0])
        award = e.value(item.award)
        pays.append(award.s == OK)
        amount = award.v
        for ratio, when in item.uplifts:
            r = e.value(ratio)
            t, f = e.cond(when) if when is not None else (z3.BoolVal(True), z3.BoolVal(False))
            pays += [z3.Or(t, f), z3.Implies(t, r.s == OK)]
            amount = z3.If(t, amount * (1 + r.v), amount)
        # floors first, then caps, as the runtime applies them
        limits = [x for x in item.limits if x[0] == "下限"] + [x for x in item.limits if x[0] == "上限"]
        for kind, _, ir in limits:
            lim = e.value(ir)
            pays.append(z3.Or(lim.s == OK, lim.s == NA))
            applies = lim.s == OK
            if kind == "上限":
                amount = z3.If(z3.And(applies, amount > lim.v), lim.v, amount)
            else:
                amount = z3.If(z3.And(applies, amount < lim.v), lim.v, amount)
        if project is not None:
            amount = self.project_caps(e, project, pays, amount)
        return z3.And(*pays), amount

    def project_caps(self, e, project, pays, amount):
        """项目年度上限, 项目累计上限: what this project already received (entries naming it, or no
        project) comes off the cap, as ``runtime.project_caps`` does; adds to ``pays`` what must hold."""
        for kind, _, ir in self.item.limits:
            if kind not in PROJECT_CAPS:
                continue
            lim = e.value(ir)
            pays.append(z3.Or(lim.s == OK, lim.s == NA))
            _, total, _, in_year = self.w.history(self.item.label, project)
            used = total
            if kind == "项目年度上限":
                pays.append(z3.Or(lim.s != OK, self.w.year().s == OK))
                used = in_year
            room = _max(z3.RealVal(0), lim.v - used)
            amount = z3.If(z3.And(lim.s == OK, amount > room), room, amount)
        return amount

    def settle(self, amount):
        """(pays, final) from a total: 补差, 年度上限, 累计上限 (evaluated outside any project)."""
        e = Encoder(self.w, None)
        item = self.item
        pays = []
        if item.topup is not None:
            paid = sum((self.w.history(label)[1] for label in item.topup), z3.RealVal(0))
            amount = _max(z3.RealVal(0), amount - paid)
        _, total, _, in_year = self.w.history(item.label)
        for kind, _, ir in item.limits:
            if kind not in ("年度上限", "累计上限") and not kind.startswith("期内累计上限/"):
                continue  # 项目年度上限, 项目累计上限 apply in ``gross``, project by project
            lim = e.value(ir)
            pays.append(z3.Or(lim.s == OK, lim.s == NA))
            used = total
            if kind == "年度上限":
                pays.append(z3.Or(lim.s != OK, self.w.year().s == OK))
                used = in_year
            elif kind != "累计上限":  # 期内累计上限/N: what the window holds, between this year's and all
                pays.append(z3.Or(lim.s != OK, self.w.year().s == OK))
                used = self.w.window(item.label, kind)
            room = _max(z3.RealVal(0), lim.v - used)
            amount = z3.If(z3.And(lim.s == OK, amount > room), room, amount)
        return z3.And(*pays) if pays else z3.BoolVal(True), amount

    def final(self, projects=()):
        """(pays, amount) for the whole item; a 每个项目 item over the named project copies."""
        if not self.item.per_project:
            pays, gross = self.gross()
            ok, amount = self.settle(gross)
            return z3.And(pays, ok), amount
        total, anyone = z3.RealVal(0), []
        for p in projects:
            pays, gross = self.gross(p)
            total = total + z3.If(pays, gross, z3.RealVal(0))
            anyone.append(pays)
        ok, amount = self.settle(total)
        return z3.And(z3.Or(*anyone) if anyone else z3.BoolVal(False), ok), amount


# ---- properties ---------------------------------------------------------------------------

class Property:
    """One property of one item and its verdict: proved, counterexample (with the record), unknown or unencodable."""
    def __init__(self, label, name, text):
        self.label = label
        self.name = name
        self.text = text
        self.status = None  # proved / counterexample / unknown / unencodable
        self.detail = ""
        self.example = None
        self.seconds = 0.0


class Query:
    """A solver query in a fresh z3 context, its variables renamed in the order they occur.

    The answer of a resource-limited query depends on the context's history (ids of terms, names
    of variables) as well as on the formulas; copied into a fresh context under canonical names,
    two items written alike give the very same query, hence the same verdict on every run.
    Expressions of the caller's context are translated on the way in (``add``, ``eval``).
    """

    def __init__(self, formulas, rlimit: int, variables=()):
        self.ctx = z3.Context()
        # the world's variables, in the order the encoding made them (the same for items written
        # alike); other constants have fixed names already
        self.pairs = [(var, z3.Const(f"v{k}", var.sort())) for k, var in enumerate(variables)]
        self.solver = z3.Solver(ctx=self.ctx)
        self.solver.set("rlimit", rlimit)
        for f in formulas:
            self.add(f)
        self._model = None

    def _translate(self, expr):
        renamed = z3.substitute(expr, *self.pairs) if self.pairs else expr
        return renamed.translate(self.ctx)

    def add(self, expr):
        self.solver.add(self._translate(expr))

    def check(self):
        self._model = None
        return self.solver.check()

    def push(self):
        self.solver.push()

    def pop(self):
        self.solver.pop()

    def statistics(self):
        return self.solver.statistics()

    def model(self):
        return self

    def eval(self, expr, model_completion=False):
        if self._model is None:
            self._model = self.solver.model()
        return self._model.eval(self._translate(expr), model_completion=model_completion)


def _solver_count(solver) -> int:
    """The context's resource counter, as a solver's statistics report it (it only grows)."""
    stats = solver.statistics()
    return int(stats.get_key_value("rlimit count")) if "rlimit count" in stats.keys() else 0


class Verifier:
    """Proves each item's properties with z3 within a resource budget; a counterexample is reported
    only if the interpreter reproduces it."""
    def __init__(self, program, plan: PolicyPlan, models: dict, policy_file, rules_file, rlimit=RLIMIT,
                 budget=BUDGET):
        self.program = program
        self.plan = plan
        self.models = models  # label → ItemModel (the amounts' source)
        self.policy_file = policy_file
        self.rules_file = rules_file
        self.rlimit = rlimit  # solver resource units per query: the same query gets the same answer
        self.budget = budget  # units for the whole run, counting QUERY_COST for each query's encoding
        self.queries = 0
        self.used = 0  # solver resource units, summed over the queries' fresh contexts
        self.exhausted = False
        self.bound = {name: values[-1][1] for name, values in plan.param_values.items() if values}
        self.by_label = {i.label: i for i in plan.items}
        self._interpreter = None
        self.module_source = None

    # ---- building worlds and queries ----
    def world(self):
        w = World(self.plan, self.bound, {})
        w.models = self.models  # for 金额（第N条「款」）
        return w

    def check(self, w: World, violation, extra=()):
        """Ask z3 whether the world's constraints allow ``violation``; the query's cost counts against the budget."""
        s = Query([*w.closed(), *extra, violation], self.rlimit, list(w.vars.values()))
        answer = s.check()
        self.queries += 1
        self.used += _solver_count(s)
        return s, answer

    def spent(self) -> int:
        """The resource units used so far, each query's encoding charged QUERY_COST."""
        return self.used + QUERY_COST * self.queries

    def out_of_budget(self, prop: Property) -> bool:
        """Whether the run's budget is used up; the property is then listed as not attempted."""
        if self.spent() < self.budget:
            return False
        self.exhausted = True
        prop.status, prop.detail = "unknown", BUDGET_NOTE.format(budget=self.budget)
        return True

    def prove(self, prop: Property, build, counter_builds, confirm):
        """``build()`` → (world, violation) for the proof; ``counter_builds`` give concrete queries to show it."""
        start = time.perf_counter()
        if self.out_of_budget(prop):
            return
        try:
            w, violation = build()
            _, answer = self.check(w, violation)
            if answer == z3.unsat:
                prop.status = "proved"
            else:
                prop.status = "unknown" if answer == z3.unknown else "counterexample"
                for make in counter_builds:
                    if self.spent() >= self.budget:
                        break
                    w2, violation2, projects, bound = make()
                    quiet = [v == 0 for k, v in w2.vars.items() if k[0] == "h" and k[-1] == "n"]
                    solver, answer2 = self.check(w2, violation2, quiet)
                    if answer2 != z3.sat:
                        solver, answer2 = self.check(w2, violation2)
                    if answer2 != z3.sat:
                        continue
                    before = _solver_count(solver)
                    example = self.concretise(w2, solver, projects)
                    self.used += _solver_count(solver) - before
                    if example is None:
                        continue
                    value = solver.model().eval(bound, model_completion=True) if bound is not None else None
                    if value is not None and z3.is_rational_value(value):
                        value = Decimal(value.numerator_as_long()) / Decimal(value.denominator_as_long())
                    got = confirm(example, value)
                    if got:
                        prop.status, prop.example, prop.detail = "counterexample", example, got
                        break
                else:
                    if prop.status == "counterexample":
                        prop.status = "unknown"
                        prop.detail = "求解器找到的反例在求值器中无法复现（可能因舍入或编码的近似）"
                    elif not prop.detail:
                        prop.detail = f"求解器在资源上限（每个查询 {self.rlimit} 单位，--rlimit）内未能判定"
        except Unencodable as exc:
            prop.status, prop.detail = "unencodable", f"无法编码：{exc}"
        prop.seconds = time.perf_counter() - start

    # ---- turning a model into an enterprise ----
    def concretise(self, w: World, solver, projects):
        """Fix each variable to a short decimal the model allows, then read off the record and the parameters."""
        model = solver.model()
        fixed = []
        for key, var in sorted(w.vars.items(), key=lambda kv: str(kv[0])):
            value = model.eval(var, model_completion=True)
            if z3.is_rational_value(value):
                f = Fraction(value.numerator_as_long(), value.denominator_as_long())
                for digits in (0, 2, 4, 6, 8):
                    candidate = Fraction(round(f * 10 ** digits), 10 ** digits)
                    solver.push()
                    solver.add(var == z3.RealVal(f"{candidate.numerator}/{candidate.denominator}"))
                    self.queries += 1
                    if solver.check() == z3.sat:
                        fixed.append((var, candidate))
                        break
                    solver.pop()
                else:
                    return None
                model = solver.model()
        model = solver.model()
        return self.record(w, model, projects)

    def record(self, w: World, model, projects):
        """The enterprise record a model describes, so the interpreter can replay the counterexample."""
        def get(key):
            var = w.vars.get(key)
            if var is None:
                return None
            value = model.eval(var, model_completion=True)
            if z3.is_true(value) or z3.is_false(value):
                return z3.is_true(value)
            if z3.is_int_value(value):
                return value.as_long()
            return Fraction(value.numerator_as_long(), value.denominator_as_long())

        plan = self.plan
        record, params = {}, {}

        def shown(kind, value, key):
            t = kind[0]
            if t in ("金额", "比例", "数值", "汇率"):
                return _decimal_text(value)
            if t == "日期":
                return datetime.date.fromordinal(int(value)).isoformat()
            if t == "等级":
                members = plan.levels[kind[1]]
                return members[len(members) - int(value)]
            if t == "文本":
                values = w.texts.get(key, [None])
                return values[int(value)] if 0 < int(value) < len(values) else "其他"
            if t == "数量" and kind[1] in plan.fractional_units:
                return _decimal_text(value)
            if t == "数量":
                return int(value) if value == int(value) else _decimal_text(value)
            return value

        for key, kind in w.kinds.items():
            if key[0] == "f" and key[1] == "set" and len(key) == 2:
                continue
            if key[-2:-1] == ("set",) and key[0] == "f":
                name = key[-1]
                if get(("f", "known", name)):
                    record[name] = [x for x in kind[1] if get(("f", "has", name, x))]
                continue
            if key[0] == "f" and get(("known", key[1])):
                record[key[1]] = shown(kind, get(key), key[1])
            elif key[0] == "param":
                params[key[1]] = shown(kind, get(key), key)
        if any(k[0] in ("held?", "held", "rank") for k in w.vars):
            if get(("held?",)):
                held = {}
                for rec, levels in plan.recognitions.items():
                    if get(("held", rec)):
                        held[rec] = True if not levels else shown(("等级", levels), get(("rank", rec)) or 1, None)
                record["已认定"] = held
        else:
            record["已认定"] = {}
        year = record.get("申报年度")
        year = year if isinstance(year, int) else 2025
        history = []
        names = [f"项目{i + 1}" for i in range(len(projects))]
        for key in list(w.vars):
            if key[0] != "h" or key[-1] != "n" or len(key) != 3:
                continue
            label = key[1]
            n, s, ny, sy = (get(("h", label, x)) or 0 for x in ("n", "sum", "ny", "sumy"))
            per_project = {p: (get(("h", label, p, "n")) or 0, get(("h", label, p, "ny")) or 0) for p in projects}
            entries = []
            for p, (pn, pny) in per_project.items():
                entries += [(year, names[projects.index(p)])] * pny + [(year - 1, names[projects.index(p)])] * (pn - pny)
            rest_y = ny - sum(v[1] for v in per_project.values())
            rest_o = (n - ny) - sum(v[0] - v[1] for v in per_project.values())
            # The rest went to projects the model does not show: name one, since an award naming no
            # project would count against every project of a per-project item.
            other = "其他项目"
            entries += [(year, other)] * max(0, rest_y) + [(year - 1, other)] * max(0, rest_o)
            amounts_y, amounts_o = Fraction(sy), Fraction(s) - Fraction(sy)
            if any(("h", label, p, "sum") in w.vars for p in projects):
                history += self.project_entries(label, get, projects, names, year, entries, amounts_y, amounts_o)
                continue
            first_y = first_o = True
            for y, p in entries:
                if y == year:
                    amount, first_y = (amounts_y if first_y else 0), False
                else:
                    amount, first_o = (amounts_o if first_o else 0), False
                history.append({"条款": label, "年度": y, "金额": _decimal_text(amount), **({"项目": p} if p else {})})
        if history:
            record["已获支持"] = history
        if projects:
            out = []
            for i, p in enumerate(projects):
                project = {"项目名称": names[i]}
                for key, kind in w.kinds.items():
                    if key[0] == "p" and key[1] == p and len(key) == 3:
                        name = key[2]
                        given = get(("p", p, "known", name)) if name in plan.project_fields or \
                            name not in plan.fields else get(("p", p, "has", name))
                        if given and name != "项目名称":
                            project[name] = shown(kind, get(key), name)
                out.append(project)
            record["项目"] = out
        return {"企业": record, "参数": params}

    @staticmethod
    def project_entries(label, get, projects, names, year, entries, amounts_y, amounts_o):
        """The entries of a per-project history: each project's own sums on its first entry of the
        year and of the year before, what is left on the first entry that names another project."""
        sums = {}
        for p in projects:
            sum_p, sum_py = Fraction(get(("h", label, p, "sum")) or 0), Fraction(get(("h", label, p, "sumy")) or 0)
            sums[names[projects.index(p)]] = (sum_py, sum_p - sum_py)
        left_y = amounts_y - sum(v[0] for v in sums.values())
        left_o = amounts_o - sum(v[1] for v in sums.values())
        out, seen = [], set()
        for y, p in entries:
            key = (y == year, p)
            if key in seen:
                amount = 0
            elif p in sums:
                amount = sums[p][0] if y == year else sums[p][1]
            else:
                amount = left_y if y == year else left_o
            seen.add(key)
            out.append({"条款": label, "年度": y, "金额": _decimal_text(max(Fraction(0), amount)), "项目": p})
        return out

    # ---- running the interpreter on a counterexample ----
    def evaluate(self, example, labels=None):
        """The evaluator under test on a counterexample: the interpreter, or the generated module."""
        from compiler import runtime as rt
        from compiler.targets.python.interpreter import Interpreter

        if self._interpreter is None:
            if self.module_source is not None:
                from compiler.targets.properties.propcheck import module_from_source

                self._interpreter = module_from_source(self.module_source, "polc_verified")
            else:
                self._interpreter = Interpreter(self.program)
        params = dict(example["参数"])
        self.queries += max(1, len(self.plan.items) // 25)  # a whole evaluation, charged to the budget
        try:
            return self._interpreter.evaluate(example["企业"], params)
        except (rt.InputError, ValueError) as exc:
            return {"error": str(exc)}

    def amount_of(self, example, label):
        out = self.evaluate(example)
        if "error" in out:
            return "error", out["error"]
        r = next(r for r in out["条款"] if r["条款"] == label)
        return r, out

    # ---- the properties of one item ----
    def item_properties(self, label) -> list[Property]:
        item = self.models[label]
        plan_item = self.by_label[label]
        props = []
        pp = item.per_project

        def final(w, projects):
            return Amount(w, item).final(projects)

        def counters(violation_of_final, bound_of=None):
            """Concrete queries with one, then two projects (or none for an enterprise-level item)."""
            sizes = (["p1"], ["p1", "p2"]) if pp else ([],)
            builds = []
            for names in sizes:
                def make(names=names):
                    w = self.world()
                    pays, amount = final(w, names)
                    bound = bound_of(w, names) if bound_of else None
                    return w, z3.And(pays, violation_of_final(w, amount, names)), names, bound
                builds.append(make)
            return builds

        def confirm_with(test):
            def confirm(example, bound):
                r, out = self.amount_of(example, label)
                if r == "error":
                    return None
                return test(r, bound)
            return confirm

        def money(r):
            if r and r.get("核定"):  # a value that is not money: its exact 值
                return Decimal(r["核定"]["值"])
            return Decimal(r["金额"]) if r and r["金额"] is not None else None

        # amount never negative
        p = Property(label, "nonneg", "金额不为负")

        def build_nonneg():
            w = self.world()
            if pp:
                total = z3.Real("|total|")
                w.constraints.append(total >= 0)  # a sum of per-project amounts, each proved not negative below
                pays, gross = Amount(w, item).gross("p1")
                ok, amount = Amount(w, item).settle(total)
                return w, z3.Or(z3.And(pays, gross < 0), z3.And(ok, amount < 0))
            pays, amount = final(w, [])
            return w, z3.And(pays, amount <= -Decimal("0.005"))
        self.prove(p, build_nonneg, counters(lambda w, a, names: a <= -Decimal("0.005")),
                   confirm_with(lambda r, b: f"金额为 {r['金额']}" if money(r) is not None and money(r) < 0 else None))
        props.append(p)

        # each cap and floor
        for k, (kind, text, ir) in enumerate(item.limits):
            plan_ir = plan_item.limits[k].amount if k < len(plan_item.limits) else ir
            props.append(self.limit_property(item, k, kind, text, plan_ir, final, counters, confirm_with, money))
        # limits the plan has that the model lost (a mutated module)
        for k in range(len(item.limits), len(plan_item.limits)):
            lim = plan_item.limits[k]
            props.append(self.limit_property(item, k, lim.kind, lim.text, lim.amount, final, counters,
                                             confirm_with, money))
        # fixed amounts under absolute caps
        for k, lim in enumerate(plan_item.limits):
            if lim.kind != "上限" or not absolute(plan_item.award) or not absolute(lim.amount):
                continue
            if plan_item.kind == "核定":
                continue  # the cap property above covers it: a 核定 value has no promise to keep
            if any(x not in self.bound for x in refs(lim.amount, "param") | award_params(plan_item)):
                continue  # propgen lists it as waiting for parameter values
            p = Property(label, f"fixed_{k}", f"给予的固定金额不超过{lim.text}")

            def build_fixed(lim=lim, names=("p1",) if pp else (None,)):
                w = self.world()
                e = Encoder(w, names[0])
                conds = [e.cond(c)[0] for c in item.conditions]
                award, cap = e.value(plan_item.award), e.value(lim.amount)
                factor = z3.RealVal(1)
                for ratio, when in item.uplifts:
                    r = e.value(ratio)
                    t, _ = e.cond(when) if when is not None else (z3.BoolVal(True), None)
                    factor = z3.If(z3.And(t, r.s == OK), factor * (1 + r.v), factor)
                return w, z3.And(*conds, award.s == OK, cap.s == OK, award.v * factor > cap.v)

            def counter_fixed(build_fixed=build_fixed):
                w, v = build_fixed()
                return w, v, ["p1"] if pp else [], None

            def confirm_fixed(example, bound, lim=lim):
                r, out = self.amount_of(example, label)
                if r == "error" or money(r) is None:
                    return "条件满足时给予的金额超过该上限，不能足额给予"
                return f"条件满足时给予的金额超过该上限：求值结果只有 {r['金额']}（{r['上限'] or lim.text}）"
            self.prove(p, build_fixed, [counter_fixed], confirm_fixed)
            props.append(p)
        # tiers never decrease as the measure grows
        if item.award is not None and item.award[0] == "tiers" and plan_item.award[0] == "tiers" \
                and not conditional_tiers(plan_item.award):
            f = increasing_in(plan_item.award[1])
            if f is not None:
                props.append(self.monotone_property(item, plan_item, f))
        # 累进 with fixed, non-negative rates and bounds that do not move with the measure never decreases either
        if item.award is not None and plan_item.award[0] == "marginal":
            f = increasing_in(plan_item.award[1])
            segments = plan_item.award[2]
            if f is not None and all(r[0] == "const" and r[1] >= 0 for *_, r in segments) \
                    and all(x is None or f not in list(walk(x)) for seg in segments for x in seg[:2]):
                props.append(self.monotone_property(item, plan_item, f, "marginal_mono", "累进金额随量增长而不减少"))
        # matching
        if item.kind == "配套":
            p = Property(label, "match", "配套金额不超过配套比例 × 上级金额")

            def base(w, names):
                total = z3.RealVal(0)
                for name in names:
                    e = Encoder(w, name)
                    b = e.value(plan_item.award)
                    factor = z3.RealVal(1)
                    for ratio, when in item.uplifts:
                        r = e.value(ratio)
                        t, _ = e.cond(when) if when is not None else (z3.BoolVal(True), None)
                        factor = z3.If(z3.And(t, r.s == OK), factor * (1 + r.v), factor)
                    total = total + z3.If(b.s == OK, _max(z3.RealVal(0), b.v * factor), z3.RealVal(0))
                return total

            def build_match():
                w = self.world()
                if pp:
                    pays, gross = Amount(w, item).gross("p1")
                    return w, z3.And(pays, gross > base(w, ["p1"]))
                pays, amount = final(w, [])
                return w, z3.And(pays, amount > base(w, [None]))
            self.prove(p, build_match,
                       counters(lambda w, a, names: a >= base(w, names or [None]) + Decimal("0.01"),
                                lambda w, names: base(w, names or [None])),
                       confirm_with(lambda r, b: f"配套金额 {r['金额']} 超过 {_cents(b)}"
                                    if money(r) is not None and b is not None and money(r) > _cents(b) else None))
            props.append(p)
        return props

    def limit_property(self, item, k, kind, text, ir, final, counters, confirm_with, money):
        if kind in PROJECT_CAPS:
            return self.project_cap_property(item, k, kind, text, ir, final, counters, money)
        label = item.label
        pp = item.per_project
        name = f"floor_{k}" if kind == "下限" else f"cap_{k}"
        p = Property(label, name, f"遵守{text}")

        def bound(w, names):
            """(applies, must be unknown → no amount, value) of the limit for a query."""
            if kind in ("上限", "下限") and pp:
                values = [Encoder(w, n).value(ir) for n in names]
                return values
            return [Encoder(w, None).value(ir)]

        def room(w, v):
            if kind.startswith("期内累计上限/"):
                return _max(z3.RealVal(0), v.v - w.window(label, kind))
            if kind == "年度上限":
                return _max(z3.RealVal(0), v.v - w.history(label)[3])
            if kind == "累计上限":
                return _max(z3.RealVal(0), v.v - w.history(label)[1])
            return v.v

        def violation(w, amount, names, margin):
            values = bound(w, names)
            if kind == "下限":
                low = self.floor_low(w, item, values)
                if low is None:
                    return z3.BoolVal(False)
                applies, value = low
                return z3.And(applies, amount <= value - margin) if margin else z3.And(applies, amount < value)
            if kind == "上限" and pp:
                total = sum((z3.If(v.s == OK, _max(z3.RealVal(0), v.v), z3.RealVal(0)) for v in values), z3.RealVal(0))
                na = z3.Or(*[v.s == NA for v in values])
                return z3.And(z3.Not(na), amount >= total + margin if margin else amount > total)
            v = values[0]
            unknown = z3.Or(v.s == UNK, v.s == NONE)
            if kind == "年度上限" or kind.startswith("期内累计上限/"):
                unknown = z3.Or(unknown, z3.And(v.s == OK, w.year().s != OK))
            over = amount >= room(w, v) + margin if margin else amount > room(w, v)
            return z3.Or(unknown, z3.And(v.s == OK, over))

        def build():
            w = self.world()
            if kind in ("项目年度上限", "项目累计上限"):
                raise Unencodable("按项目计的年度或累计上限")
            if pp and kind in ("上限", "下限"):
                pays, gross = Amount(w, item).gross("p1")
                return w, z3.And(pays, violation(w, gross, ["p1"], 0))
            if pp:
                total = z3.Real("|total|")
                ok, amount = Amount(w, item).settle(total)
                return w, z3.And(ok, violation(w, amount, [], 0))
            pays, amount = final(w, [])
            return w, z3.And(pays, violation(w, amount, [], 0))

        def bound_of(w, names):
            values = bound(w, names)
            if kind == "下限":
                low = self.floor_low(w, item, values)
                return low[1] if low else None
            if kind == "上限" and pp:
                return sum((z3.If(v.s == OK, _max(z3.RealVal(0), v.v), z3.RealVal(0)) for v in values), z3.RealVal(0))
            return z3.If(values[0].s == OK, room(w, values[0]), z3.RealVal(-1))

        def confirm(example, value):
            r, out = self.amount_of(example, label)
            if r == "error" or money(r) is None or value is None:
                return None
            if value < 0 and kind != "下限":
                return f"{text}的数额无法确定，却给出了金额 {money(r)}"
            if kind == "下限" and money(r) < _cents(value):
                return f"金额 {money(r)} 低于 {_cents(value)}"
            if kind != "下限" and money(r) > _cents(value):
                return f"金额 {money(r)} 超过 {_cents(value)}"
            return None
        self.prove(p, build, counters(lambda w, a, names: violation(w, a, names, Decimal("0.01")), bound_of), confirm)
        return p

    def project_cap_property(self, item, k, kind, text, ir, final, counters, money):
        """项目年度上限 / 项目累计上限: each project's amount stays within the cap less what that project
        already received, for any number of projects (proved on one arbitrary project: the item's later
        steps, 补差 and the enterprise's caps, only lower the total)."""
        label = item.label
        p = Property(label, f"cap_{k}", f"遵守{text}")
        yearly = kind == "项目年度上限"

        def room(w, name):
            cap = Encoder(w, name).value(ir)
            _, total, _, in_year = w.history(label, name)
            return cap, _max(z3.RealVal(0), cap.v - (in_year if yearly else total))

        def build():
            if not item.per_project:
                raise Unencodable(f"{text}用于不按项目计算的款")
            w = self.world()
            pays, gross = Amount(w, item).gross("p1")
            cap, left = room(w, "p1")
            over = z3.And(cap.s == OK, gross > left)
            if yearly:
                over = z3.Or(over, z3.And(cap.s == OK, w.year().s != OK))
            return w, z3.And(pays, over)

        def bound_of(w, names):
            rooms = [room(w, n) for n in names]
            return z3.If(z3.And(*[c.s == OK for c, _ in rooms]), sum((r for _, r in rooms), z3.RealVal(0)),
                         z3.RealVal(10 ** 15))

        def violation(w, amount, names):
            return amount >= bound_of(w, names) + Decimal("0.01")

        def confirm(example, bound):
            r, out = self.amount_of(example, label)
            if r == "error" or money(r) is None or bound is None:
                return None
            return f"金额 {money(r)} 超过各项目可用额度之和 {_cents(bound)}" if money(r) > _cents(bound) else None
        self.prove(p, build, counters(violation, bound_of), confirm)
        return p

    def floor_low(self, w, item, values):
        vals = [v for v in values]
        if not vals:
            return None
        applies = z3.Or(*[v.s == OK for v in vals])
        low = None
        for v in vals:
            cand = z3.If(v.s == OK, v.v, z3.RealVal(10 ** 15))
            low = cand if low is None else _min(low, cand)
        floor = low
        if item.topup is not None:
            paid = sum((w.history(label)[1] for label in item.topup), z3.RealVal(0))
            low = _max(z3.RealVal(0), low - paid)
        for kind, _, ir in item.limits:
            if kind in ("年度上限", "累计上限"):
                cap = Encoder(w, None).value(ir)
                used = w.history(item.label)[3 if kind == "年度上限" else 1]
                # what was already paid may leave less room than the floor; a cap below the floor
                # itself is a conflict of the text, not history (the first award already breaks it)
                low = z3.If(z3.And(cap.s == OK, cap.v >= floor), _min(low, _max(z3.RealVal(0), cap.v - used)), low)
        return applies, low

    def monotone_property(self, item, plan_item, field, kind="tier_mono", text="分档金额随度量增长而不减少"):
        label = item.label
        p = Property(label, kind, text)
        op, name = field
        pp = item.per_project

        def twin(w, project):
            """A second world equal to ``w`` but for the measure's field."""
            key = ("p", project, name) if op == "pfield" or (pp and name not in self.plan.fields) else ("f", name)
            return key

        def build(settled):
            w = self.world()
            a1 = Amount(w, item)
            project = "p1" if pp else None
            pays1, g1 = a1.gross(project)
            key = twin(w, project)
            if key not in w.vars:
                raise Unencodable("分档度量")
            x1 = w.vars[key]
            x2 = z3.Const(str(x1) + "'", x1.sort())
            sub = [(x1, x2)]
            pays2, g2 = z3.substitute(pays1, *sub), z3.substitute(g1, *sub)
            w.constraints += [z3.substitute(c, *sub) for c in w.constraints + w.level_constraints if any(
                z3.eq(x1, v) for v in _vars(c))]
            table = self.table_increasing(w, plan_item, project) if plan_item.award[0] == "tiers" else z3.BoolVal(True)
            less = x1 <= x2
            if not settled:
                return w, z3.And(table, less, pays1, pays2, g1 > g2)
            ok1, f1 = a1.settle(g1)
            ok2, f2 = z3.substitute(ok1, *sub), z3.substitute(f1, *sub)
            if pp:  # settle is monotone in the total
                t1, t2 = z3.Reals("|t1| |t2|")
                ok1, f1 = a1.settle(t1)
                ok2, f2 = z3.substitute(ok1, (t1, t2)), z3.substitute(f1, (t1, t2))
                return w, z3.And(t1 <= t2, ok1, ok2, f1 > f2)
            return w, z3.And(table, less, pays1, pays2, ok1, ok2, f1 >= f2 + Decimal("0.01"))

        start = time.perf_counter()
        if self.out_of_budget(p):
            return p
        try:
            parts = [build(False), build(True)]
            answers = [self.check(w, v) for w, v in parts]
            if all(a == z3.unsat for _, a in answers):
                p.status = "proved"
            else:
                p.status = "unknown"
                p.detail = "金额可能随度量增长而减少（未能构造可复现的反例）"
                w, v = build(True) if not pp else build(False)
                solver, answer = self.check(w, v)
                if answer == z3.sat:
                    model = solver.model()
                    x1 = w.vars[twin(w, "p1" if pp else None)]
                    x2 = z3.Const(str(x1) + "'", x1.sort())
                    low = self.record(w, model, ["p1"] if pp else [])
                    high_value = model.eval(x2, model_completion=True)
                    example = {"低": low, "高": _decimal_text(Fraction(high_value.numerator_as_long(),
                                                                       high_value.denominator_as_long()))
                               if z3.is_rational_value(high_value) else str(high_value)}
                    p.status, p.example = "counterexample", example
                    p.detail = f"「{name}」增大时金额减少"
        except Unencodable as exc:
            p.status, p.detail = "unencodable", f"无法编码：{exc}"
        p.seconds = time.perf_counter() - start
        return p

    def table_increasing(self, w, plan_item, project):
        """For amounts still 待定: assume the table, sorted by lower bound, does not decrease (the
        values a 细则 will give are checked then). Amounts known now assume nothing: a table that
        decreases must give a counterexample, not a vacuous proof."""
        e = Encoder(w, project)
        tiers = plan_item.award[2]
        pending = [any(x not in self.bound for x in refs(amount, "param")) for *_, amount in tiers]
        bands = [(e.value(lo) if lo else None, e.value(amount)) for _, lo, _, _, amount in tiers]
        out = []
        for i, (li, ai) in enumerate(bands):
            for j, (lj, aj) in enumerate(bands):
                if i == j or li is None or lj is None or not (pending[i] or pending[j]):
                    continue
                out.append(z3.Implies(z3.Or(li.v < lj.v, z3.And(li.v == lj.v, z3.BoolVal(i < j))), ai.v <= aj.v))
        return z3.And(*out) if out else z3.BoolVal(True)

    # ---- year after year, each year's award fed back as history ----
    def years_property(self, label) -> Property | None:
        """LANGUAGE.md §9: evaluating year after year with each year's award fed back as history never
        pays a one-off award twice, a counted award more often than allowed, or more than a cumulative
        cap (overall, per project, within a window). Unrolled over YEARS_UNROLLED to YEARS_MAX years
        from no award of this item; the facts may change from year to year, the parameters do not. A
        per-project item is unrolled with one project (other projects only lower what the enterprise's
        caps leave to it)."""
        item = self.models[label]
        plan_item = self.by_label[label]  # what the policy says; the amounts come from the model
        parts = [(f[0], f[1]) for f in (plan_item.frequency, *plan_item.frequency_also) if f]
        once = any(kind == "一次性" for kind, _ in parts)
        counted = [count for kind, count in parts if kind in ("最多", "序数")]
        caps = [(lim.kind, lim.text, lim.amount) for lim in plan_item.limits
                if lim.kind in ("累计上限", "项目累计上限") or lim.kind.startswith("期内累计上限/")]
        if not (once or counted or caps):
            return None
        windows = [int(kind.partition("/")[2]) for kind, _, _ in caps if kind.startswith("期内累计上限/")]
        years = min(YEARS_MAX, max([YEARS_UNROLLED] + [c + 1 for c in counted] + [n + 1 for n in windows]))
        p = Property(label, "years", PROPERTY_TEXT["years"])
        pp = item.per_project
        projects = ["p1"] if pp else []
        skipped = [f"最多{c}次（只展开{years}年，未检查）" for c in counted if c >= years]
        margin = Decimal("0.01")

        def build(tied):
            texts = {}
            worlds = [YearWorld(self.plan, self.bound, texts, t) for t in range(years)]
            pays, amounts, limits = [], [], []
            for t, w in enumerate(worlds):
                w.models = self.models
                ok, amount = Amount(w, item).final(projects)
                pays.append(ok)
                amounts.append(z3.If(ok, amount, z3.RealVal(0)))
                year = w.year()
                w.constraints.append(year.s == OK)
                if t:
                    w.constraints.append(year.v == worlds[0].year().v + t)
                # the history of this item: exactly the awards of the years before, none yet this year
                count = sum((z3.If(pays[k], 1, 0) for k in range(t)), z3.IntVal(0))
                paid = sum(amounts[:t], z3.RealVal(0))
                for scope in [None] + projects:
                    n, s, ny, sy = w.history(label, scope)
                    w.constraints += [n == count, s == paid, ny == 0, sy == 0]
                for kind, _, ir in caps:
                    e = Encoder(w, "p1" if kind == "项目累计上限" else None)
                    limits.append((t, kind, e.value(ir)))
                    if kind.startswith("期内累计上限/"):
                        span = int(kind.partition("/")[2])
                        w.constraints.append(w.window(label, kind) == sum(amounts[max(0, t - span + 1):t],
                                                                          z3.RealVal(0)))
            violations = []
            if once:
                violations += [z3.And(pays[i], pays[j]) for i in range(years) for j in range(i + 1, years)]
            for c in counted:
                if c < years:
                    violations.append(sum((z3.If(x, 1, 0) for x in pays), z3.IntVal(0)) > c)
            for t, kind, lim in limits:
                first = t - int(kind.partition("/")[2]) + 1 if kind.startswith("期内累计上限/") else 0
                total = sum(amounts[max(0, first):t + 1], z3.RealVal(0))
                violations.append(z3.And(pays[t], lim.s == OK, total >= lim.v + margin * (t + 1)))
            extra = []
            if tied:  # one record evaluated year after year: the same facts every year
                for w in worlds[1:]:
                    for key, var in w.vars.items():
                        if key in worlds[0].vars and key[0] != "param" and key not in (("f", "申报年度"),) \
                                and not (key[0] == "h" and key[1] == label) and key != ("known", "申报年度"):
                            extra.append(var == worlds[0].vars[key])
                if tied == "quiet":
                    extra += [v == 0 for k, v in worlds[0].vars.items() if k[0] == "h" and k[1] != label
                              and k[-1] == "n"]
            return worlds, z3.Or(*violations) if violations else z3.BoolVal(False), extra, limits

        start = time.perf_counter()
        if self.out_of_budget(p):
            return p
        try:
            worlds, violation, _, _ = build(False)
            solver, answer = self.check_worlds(worlds, violation)
            if answer == z3.unsat:
                p.status = "proved"
            else:
                p.status = "unknown"
                p.detail = ("求解器找到的逐年反例在求值器中无法复现（反例可能要求各年度的企业情况不同）"
                            if answer == z3.sat else f"求解器在资源上限（每个查询 {self.rlimit} 单位，--rlimit）内未能判定")
                for tied in ("quiet", "same"):
                    if answer != z3.sat or self.spent() >= self.budget:
                        break
                    worlds, violation, extra, limits = build(tied)
                    solver, found = self.check_worlds(worlds, violation, extra)
                    if found != z3.sat:
                        continue
                    example = self.concretise_worlds(worlds, solver, projects)
                    if example is None:
                        continue
                    caps_by_year = [(t, kind, text, self.decimal_of(solver, lim))
                                    for (t, kind, lim), (_, text, _) in zip(limits, caps * years)]
                    got = self.replay_years(example, item, years, once, counted, caps_by_year)
                    if got:
                        p.status, p.example, p.detail = "counterexample", example, got
                        break
        except Unencodable as exc:
            p.status, p.detail = "unencodable", f"无法编码：{exc}"
        if skipped and p.status == "proved":
            p.detail = "；".join(skipped)
        p.seconds = time.perf_counter() - start
        return p

    def check_worlds(self, worlds, violation, extra=()):
        """One query over several worlds: their constraints together, their variables renamed in order."""
        constraints, variables, seen = [], [], set()
        for w in worlds:
            constraints += w.closed()
            for var in w.vars.values():
                if var.get_id() not in seen:
                    seen.add(var.get_id())
                    variables.append(var)
        s = Query([*constraints, *extra, violation], self.rlimit, variables)
        answer = s.check()
        self.queries += 1
        self.used += _solver_count(s)
        return s, answer

    @staticmethod
    def decimal_of(solver, term):
        value = solver.model().eval(term.v, model_completion=True)
        if not z3.is_rational_value(value):
            return None
        return Decimal(value.numerator_as_long()) / Decimal(value.denominator_as_long())

    def concretise_worlds(self, worlds, solver, projects):
        """Short decimals for every variable of every year, then the first year's record and parameters."""
        variables, seen = [], set()
        for w in worlds:
            for key, var in sorted(w.vars.items(), key=lambda kv: str(kv[0])):
                if var.get_id() not in seen:
                    seen.add(var.get_id())
                    variables.append(var)
        for var in variables:
            value = solver.model().eval(var, model_completion=True)
            if not z3.is_rational_value(value):
                continue
            f = Fraction(value.numerator_as_long(), value.denominator_as_long())
            for digits in (0, 2, 4, 6, 8):
                candidate = Fraction(round(f * 10 ** digits), 10 ** digits)
                solver.push()
                solver.add(var == z3.RealVal(f"{candidate.numerator}/{candidate.denominator}"))
                self.queries += 1
                if solver.check() == z3.sat:
                    break
                solver.pop()
            else:
                return None
        return self.record(worlds[0], solver.model(), projects)

    def replay_years(self, example, item, years, once, counted, caps_by_year):
        """Run the evaluator on the example year after year, each award fed back; what breaks, if anything."""
        import copy

        label = item.label
        record = copy.deepcopy(example["企业"])
        record["已获支持"] = [h for h in record.get("已获支持", []) if h["条款"] != label]
        first = record.get("申报年度") if isinstance(record.get("申报年度"), int) else 2025
        paid = []
        for t in range(years):
            record["申报年度"] = first + t
            out = self.evaluate({"企业": copy.deepcopy(record), "参数": example["参数"]})
            if "error" in out:
                return None
            r = next(x for x in out["条款"] if x["条款"] == label)
            if r["金额"] is None:
                paid.append(None)
                continue
            amount = Decimal(r["金额"])
            paid.append(amount)
            parts = r.get("项目金额") or {}
            if parts and sum(Decimal(a) for a in parts.values()) == amount:
                record["已获支持"] += [{"条款": label, "年度": first + t, "金额": a, "项目": name}
                                    for name, a in parts.items()]
            else:
                record["已获支持"].append({"条款": label, "年度": first + t, "金额": r["金额"]})
        example["逐年"] = [{"申报年度": first + t, "金额": None if a is None else str(a)} for t, a in enumerate(paid)]
        times = sum(1 for a in paid if a is not None)
        shown = f"{first}—{first + years - 1}年度逐年求值、已获支持回填："
        if once and times > 1:
            return shown + f"一次性支持给了{times}次"
        for c in counted:
            if times > c:
                return shown + f"最多{c}次，给了{times}次"
        for t, kind, text, value in caps_by_year:
            if value is None or paid[t] is None:
                continue
            start = t - int(kind.partition("/")[2]) + 1 if kind.startswith("期内累计上限/") else 0
            total = sum((a for a in paid[max(0, start):t + 1] if a is not None), Decimal(0))
            if total > _cents(value):
                return shown + f"到{first + t}年度共得 {total}，超过{text}（{_cents(value)}）"
        return None

    # ---- the policy's combinations ----
    def group_property(self, group) -> Property:
        p = Property(f"互斥组「{group['name']}」", "mutex", f"{group['rule']}：同组只给予规则允许的一款")
        if group.get("per_project"):
            p.status = "unencodable"
            p.detail = ("无法编码：按项目的互斥（同一项目不重复支持，含以前年度已获的支持）在合并各款结果时逐个项目处理，"
                        "求解器只对各款金额编码，不对合并步骤编码，这条未证明；polc test 的生成性质逐例检查它")
            return p
        members = [m for m in group["members"] if m in self.models]
        lifetime = [m for m in members if self.by_label[m].frequency and self.by_label[m].frequency[0] in LIFETIME
                    and not self.by_label[m].per_project]

        def build():
            w = self.world()
            violations = []
            amounts = {m: Amount(w, self.models[m]).final(["p1"] if self.models[m].per_project else []) for m in members}
            for m in lifetime:
                pays, amount = amounts[m]
                topup = set(self.by_label[m].topup or ())
                for h in lifetime:
                    if h != m and h not in topup:
                        violations.append(z3.And(pays, amount >= Decimal("0.005"), w.history(h)[0] > 0,
                                                 w.history(h)[1] > 0,
                                                 *[z3.Not(amounts[o][0]) for o in members if o != m]))
            return w, z3.Or(*violations) if violations else z3.BoolVal(False)

        def counter():
            w, v = build()
            return w, v, ["p1"] if any(self.models[m].per_project for m in members) else [], None

        def confirm(example, bound):
            out = self.evaluate(example)
            if "error" in out:
                return None
            included = set(out["汇总"]["计入合计"])
            by = {r["条款"]: r for r in out["条款"]}
            for m in lifetime:
                if m in included and by[m]["金额"] and Decimal(by[m]["金额"]) > 0:
                    return f"企业已获同组的一次性支持，又给予 {m} {by[m]['金额']}"
            return None
        self.prove(p, build, [counter], confirm)
        if p.status == "unknown" and not p.detail.startswith("已达到"):
            p.detail = ("未证明：已获同组一次性支持的企业，其他款在合并各款结果时才排除，求解器不对合并步骤编码；"
                        "求解器找到的候选企业在求值器中都没有重复计入（polc test 的生成性质逐例检查它）")
        p.detail = p.detail or "同次求值中至多计入一款由合并规则保证；已获一次性支持的同组其他款不再给予"
        return p

    def group_cap_property(self, group) -> Property:
        """组合上限 is applied to the totals when the items are combined; the solver does not encode that
        step, so the property is listed as not proved, never passed in silence."""
        p = Property(f"组合上限「{group['name']}」", "group_cap", f"合计不超过{group['text']}")
        p.status = "unencodable"
        p.detail = ("无法编码：组合上限只调整汇总的合计（各款金额不变），在合并各款结果时计算，"
                    "求解器只对各款金额编码，不对合并步骤编码，这条未证明；polc test 的生成性质逐例检查它")
        return p

    def sum_cap_property(self, text, ir) -> Property:
        p = Property("合计", "sum_cap", f"合计不超过{text}")

        def build():
            w = self.world()
            certain, at_most, used = z3.Reals("|certain| |at_most| |used|")
            limit = Encoder(w, None).value(ir)
            room = _max(z3.RealVal(0), limit.v - used)
            c2, m2 = _min(certain, room), _min(at_most, room)
            w.constraints += [certain >= 0, at_most >= certain, used >= 0]
            return w, z3.And(limit.s == OK, z3.Or(c2 > room, m2 > room))
        self.prove(p, build, [], lambda example, bound: None)
        return p

    def run(self) -> list[Property]:
        """The properties of every item the solver models, then of each 互斥 group (not 累加) and each 总额上限."""
        out = []
        progress = getattr(self, "progress", None)  # told of each item: the progress line of a terminal
        total = sum(1 for item in self.plan.items if verified(item) and item.label in self.models)
        done = 0
        for item in self.plan.items:
            if not verified(item) or item.label not in self.models:
                continue
            done += 1
            if progress is not None:
                progress(done, total, item.label)
            out += self.item_properties(item.label)
            years = self.years_property(item.label)
            if years is not None:
                out.append(years)
        for group in self.plan.exclusives:
            if group["rule"] != "累加":
                out.append(self.group_property(group))
        for group, _ in self.plan.group_caps:
            out.append(self.group_cap_property(group))
        for text, ir in self.plan.sum_caps:
            out.append(self.sum_cap_property(text, ir))
        return out


def _vars(expr):
    seen, stack, out = set(), [expr], []
    while stack:
        e = stack.pop()
        if e.get_id() in seen:
            continue
        seen.add(e.get_id())
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.append(e)
        stack += e.children()
    return out


def _cents(value: Decimal) -> Decimal:
    from compiler.runtime import round_money

    return round_money(value)


def _decimal_text(value) -> str:
    f = Fraction(value)
    for digits in range(0, 13):
        scaled = f * 10 ** digits
        if scaled.denominator == 1:
            d = Decimal(scaled.numerator).scaleb(-digits)
            text = format(d, "f")
            return text.rstrip("0").rstrip(".") if "." in text else text
    return format(Decimal(f.numerator) / Decimal(f.denominator), "f")


# ---- reading a generated module back -------------------------------------------------------

_CALLS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div"}


def _ir(node) -> tuple:
    """The IR a generated function's expression was printed from (the inverse of ``codegen.expr``)."""
    if isinstance(node, ast.Call):
        f = node.func
        args = node.args
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "ctx":
            name = ast.literal_eval(args[0]) if args else None
            if f.attr == "list_field":
                return ("lfield", name, ast.literal_eval(args[1]))
            return {"field": ("field", name), "param": ("param", name), "project_field": ("pfield", name),
                    "award_of": ("award_of", name),
                    "level_of": ("level_of", name), "received": ("received", name)}[f.attr]
        if isinstance(f, ast.Name):
            fn = f.id
            if fn == "Decimal":
                return ("const", Decimal(ast.literal_eval(args[0])))
            if fn in _CALLS:
                return (_CALLS[fn], _ir(args[0]), _ir(args[1]))
            if fn in ("least", "greatest"):
                return (fn, [_ir(a) for a in args])
            if fn == "steps":
                return ("steps", _ir(args[0]), _ir(args[1]), _ir(args[2]))
            if fn == "round_to":
                return ("round", ast.literal_eval(args[0]), _ir(args[1]), _ir(args[2]))
            if fn == "marginal":
                return ("marginal", _ir(args[0]),
                        [tuple(None if _is_none(x) else _ir(x) for x in seg.elts) for seg in args[1].elts])
            if fn == "add_months":
                return ("add_months", _ir(args[0]), _ir(args[1]))
            if fn == "aggregate":
                parts = tuple(None if _is_none(a) else _ir(a.body) for a in args[3:6])
                return ("agg", ast.literal_eval(args[1]), ast.literal_eval(args[2]), *parts)
            if fn == "compare":
                return ("cmp", ast.literal_eval(args[0]), _ir(args[1]), _ir(args[2]))
            if fn in ("and_", "or_"):
                return (fn[:-1], [_ir(a) for a in args])
            if fn in ("not_", "truth"):
                return (fn.rstrip("_"), _ir(args[0]))
            if fn == "holds":
                return ("holds", _const(args[1]), _const(args[2]), _const(args[3]))
            if fn in ("member", "contains"):
                return (fn, _ir(args[0]), _const(args[1]))
            if fn == "first_held":
                return ("first_holds", _const(args[1]), _const(args[2]), _const(args[3]))
            if fn == "first_reached":
                earlier = args[3].args  # ctx.earlier(name, last_year_field)
                return ("first", ast.literal_eval(args[0]), ast.literal_eval(earlier[0]),
                        ast.literal_eval(earlier[1]), _ir(args[2]))
            if fn == "by_level":
                return ("by_level", _ir(args[0]), {_const(k): _ir(v) for k, v in zip(args[1].keys, args[1].values)})
            if fn == "tier_if":
                return ("when", _ir(args[0]), _ir(args[1].body))
            if fn == "select_tier":
                bands = []
                for t in args[1].elts:
                    lo_op, lo, hi_op, hi, amount = t.elts
                    bands.append((_const(lo_op), None if _is_none(lo) else _ir(lo), _const(hi_op),
                                  None if _is_none(hi) else _ir(hi), _ir(amount.body)))
                return ("tiers", _ir(args[0]), bands)
            if fn == "frozenset":
                return ("const", _const(node))
    if isinstance(node, ast.Name) and node.id == "NOT_APPLICABLE":
        raise Unencodable("模块中没有给予")
    return ("const", _const(node))


def _is_none(node):
    return isinstance(node, ast.Constant) and node.value is None


def _const(node):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "Decimal":
            return Decimal(ast.literal_eval(node.args[0]))
        if node.func.id == "frozenset":
            return frozenset(_const(node.args[0])) if node.args else frozenset()
        if node.func.id == "datetime.date":
            return datetime.date(*[ast.literal_eval(a) for a in node.args])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return datetime.date(*[ast.literal_eval(a) for a in node.args])
    if isinstance(node, ast.Tuple):
        return tuple(_const(e) for e in node.elts)
    if isinstance(node, ast.List):
        return [_const(e) for e in node.elts]
    return ast.literal_eval(node)


def models_from_module(source: str) -> dict:
    """Item models read from a generated module's item specs and their functions."""
    tree = ast.parse(source)
    functions = {}
    specs = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and len(node.body) == 1 and isinstance(node.body[0], ast.Return):
            functions[node.name] = node.body[0].value
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper():
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.value.keys]
            if "label" in keys and "caps" in keys:
                specs.append(dict(zip(keys, node.value.values)))

    def fn(node):
        if isinstance(node, ast.Name) and node.id in functions:
            return _ir(functions[node.id])
        if _is_none(node):
            return None
        raise Unencodable("模块中的函数")

    models = {}
    for spec in specs:
        label = _const(spec["label"])
        freq = _const(spec["frequency"])
        conditions = [fn(c.elts[2]) for c in spec["conditions"].elts]
        uplifts = [(fn(u.elts[0]), fn(u.elts[1])) for u in spec["uplifts"].elts]
        limits = [(_const(c.elts[0]), _const(c.elts[1]), fn(c.elts[3])) for c in spec["caps"].elts]
        try:
            award = fn(spec["award"])
        except Unencodable:
            award = None
        models[label] = ItemModel(label, _const(spec["kind"]), _const(spec["per_project"]),
                                  (freq[0], freq[1]) if freq else None, conditions, award, uplifts, limits,
                                  _const(spec["topup"]))
        also = _const(spec["frequency_also"]) if "frequency_also" in spec else ()
        models[label].frequency_also = [(f[0], f[1]) for f in also]
    return models


# ---- the command ------------------------------------------------------------------------------

def verify_program(program, policy_file, rules_file=None, module_source=None, rlimit=RLIMIT,
                   budget=BUDGET, progress=None) -> list[Property]:
    """polc verify on a checked program; with ``module_source`` the amounts come from the module polc build wrote.
    ``progress(done, total, label)`` is told of each item."""
    plan = lower(program)
    if module_source is not None:
        models = models_from_module(module_source)
    else:
        models = {item.label: ItemModel.of(item) for item in plan.items if verified(item)}
    verifier = Verifier(program, plan, models, policy_file, rules_file, rlimit, budget)
    verifier.module_source = module_source
    verifier.progress = progress
    return verifier.run()


STATUS_WORDS = {"proved": "已证明", "counterexample": "反例", "unknown": "未定", "unencodable": "无法编码"}
