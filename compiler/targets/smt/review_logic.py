"""Conditions as solver formulas, for the review: which conditions can never hold, which always
hold, and which two items an enterprise can meet at once.

The formulas are built from the lowered IR (``lower.py``), so measures are already inlined and
levels are ranks. Facts and parameters are variables: numbers are reals, levels, years, dates
and text values are integers (one id per text value), booleans are booleans. A parameter with a
value is that value; a 待定 one is a variable within its declared range. Anything the encoding
cannot express becomes an opaque boolean (the same expression, the same boolean), so the solver
can miss a contradiction but never invent one. Every query has a resource limit (the solver's
deterministic count, not time) and the review a budget of them; an unknown answer, or a query
left unasked once the budget is spent, counts as "cannot tell" and produces no finding.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import z3

from compiler.plan.lower import PolicyPlan

RLIMIT = 2_000_000  # solver resource units per query
BUDGET = 100_000_000  # units per review, QUERY_COST counted for building each query (the Minhang policy: 54M)
QUERY_COST = 100_000
NUMERIC = ("金额", "比例", "数量", "数值", "汇率")


class Encoder:
    def __init__(self, plan: PolicyPlan, values: dict | None = None):
        self.plan = plan
        self.values = values or {}  # parameter name → runtime value (bound parameters)
        self.vars: dict[str, z3.ExprRef] = {}
        self.domain: list[tuple[z3.BoolRef, str]] = []  # (constraint, what it bounds)
        self.text_ids: dict[str, int] = {}
        self.recognition_levels = {}
        self.used = 0  # resource units spent, QUERY_COST included
        self.budget = BUDGET
        self.unasked = 0  # queries not run because the budget was spent
        for name, levels in plan.recognitions.items():
            if levels is not None and levels in plan.levels:
                self.recognition_levels[name] = len(plan.levels[levels])

    # ---- variables ----
    def _var(self, key: str, sort: str, low=None, high=None, what: str = "value") -> z3.ExprRef:
        if key in self.vars:
            return self.vars[key]
        v = {"real": z3.Real, "int": z3.Int, "bool": z3.Bool}[sort](key)
        self.vars[key] = v
        if low is not None:
            self.domain.append((v >= low, what))
        if high is not None:
            self.domain.append((v <= high, what))
        return v

    def _typed(self, key: str, t, low=None, high=None):
        kind = t[0] if t else None
        if kind == "布尔":
            return self._var(key, "bool")
        if kind in NUMERIC:
            if kind == "数量" and low is None:
                low = 0  # counts are never negative
            return self._var(key, "real", _num(low), _num(high))
        if kind == "等级":
            size = len(self.plan.levels.get(t[1], ())) or None
            return self._var(key, "int", 1 if size else None, size, "level")
        if kind in ("日期", "年度", "文本"):
            return self._var(key, "int")
        return None

    def text_id(self, value: str) -> int:
        return self.text_ids.setdefault(value, len(self.text_ids) + 1)

    def const(self, v):
        if isinstance(v, bool):
            return z3.BoolVal(v)
        if isinstance(v, Decimal):
            return z3.RealVal(str(v))
        if isinstance(v, int):
            return z3.IntVal(v)
        if isinstance(v, datetime.date):
            return z3.IntVal(v.toordinal())
        if isinstance(v, str):
            return z3.IntVal(self.text_id(v))
        return None

    def opaque(self, ir) -> z3.BoolRef:
        return self._var(f"?{ir!r}", "bool")

    # ---- terms ----
    def term(self, ir):
        tag = ir[0]
        if tag == "const":
            return self.const(ir[1])
        if tag == "field":
            return self._typed(f"f:{ir[1]}", self.plan.fields.get(ir[1]))
        if tag == "pfield":
            return self._typed(f"p:{ir[1]}", self.plan.project_fields.get(ir[1]))
        if tag == "param":
            name = ir[1]
            if name in self.values:
                return self.const(self.values[name])
            t, low, high = self.plan.declared_params.get(name, (None, None, None))
            return self._typed(f"k:{name}", t, low, high)
        if tag in ("add", "sub", "mul", "div"):
            a, b = self.term(ir[1]), self.term(ir[2])
            if not (_arith(a) and _arith(b)):
                return None
            a, b = _same(a, b)
            return {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
                    "div": lambda: a / b}[tag]()
        if tag == "level_of":
            size = self.recognition_levels.get(ir[1])
            return self._var(f"lv:{ir[1]}", "int", 1 if size else None, size, "level")
        if tag == "by_level":
            measure = self.term(ir[1])
            entries = [(rank, self.term(a)) for rank, a in ir[2].items()]
            if measure is None or not entries or any(e is None or not _arith(e) for _, e in entries):
                return None
            out = self._var(f"?{ir!r}", "real")  # the value when no level matches: unknown
            for rank, e in reversed(entries):
                out = z3.If(measure == rank, z3.ToReal(e) if e.sort() == z3.IntSort() else e, out)
            return out
        if tag in ("cmp", "and", "or", "not", "truth", "holds", "member", "contains"):
            return self.formula(ir)
        return None

    # ---- formulas ----
    def formula(self, ir) -> z3.BoolRef:
        tag = ir[0]
        if tag == "and":
            return z3.And(*[self.formula(x) for x in ir[1]]) if ir[1] else z3.BoolVal(True)
        if tag == "or":
            return z3.Or(*[self.formula(x) for x in ir[1]]) if ir[1] else z3.BoolVal(False)
        if tag == "not":
            return z3.Not(self.formula(ir[1]))
        if tag == "truth":
            v = self.term(ir[1])
            return v if v is not None and z3.is_bool(v) else self.opaque(ir)
        if tag == "cmp":
            a, b = self.term(ir[2]), self.term(ir[3])
            if not (_arith(a) and _arith(b)):
                return self.opaque(ir)
            a, b = _same(a, b)
            op = {">=": lambda: a >= b, "<=": lambda: a <= b, ">": lambda: a > b, "<": lambda: a < b,
                  "==": lambda: a == b}.get(ir[1])
            return op() if op else self.opaque(ir)
        if tag == "holds":
            names, rank, op = ir[1], ir[2], ir[3]
            alternatives = []
            for name in names:
                held = self._var(f"rec:{name}", "bool")
                if rank is None:
                    alternatives.append(held)
                    continue
                level = self.term(("level_of", name))
                test = {">=": level >= rank, "<=": level <= rank, ">": level > rank, "<": level < rank,
                        "==": level == rank, "=": level == rank}.get(op)
                alternatives.append(z3.And(held, test) if test is not None else self.opaque(ir))
            return z3.Or(*alternatives) if alternatives else z3.BoolVal(False)
        if tag == "member":
            a = self.term(ir[1])
            if a is None or not _arith(a):
                return self.opaque(ir)
            options = [a == self.const(v) for v in sorted(ir[2], key=str)]
            return z3.Or(*options) if options else z3.BoolVal(False)
        if tag == "contains":
            options = [self._var(f"in:{ir[1]!r}:{v}", "bool") for v in sorted(ir[2], key=str)]
            return z3.Or(*options) if options else z3.BoolVal(False)
        return self.opaque(ir)

    def conjunction(self, irs) -> z3.BoolRef:
        return z3.And(*[self.formula(x) for x in irs]) if irs else z3.BoolVal(True)

    # ---- queries ----
    def satisfiable(self, *formulas, levels: bool = True) -> bool | None:
        """True if some enterprise (and parameter values) meets all the formulas; None: cannot tell.

        Without ``levels`` a level may lie outside the declared members: 「区级」及以上 is then not
        trivially true, as it is not in reality (镇级, 街道级 recognitions exist but are not modelled).
        """
        if self.used >= self.budget:
            self.unasked += 1
            return None
        solver = z3.Solver()
        solver.set("rlimit", RLIMIT)
        solver.add(*[c for c, what in self.domain if levels or what != "level"], *formulas)
        before = _count(solver)
        result = solver.check()
        self.used += QUERY_COST + _count(solver) - before
        if result == z3.sat:
            return True
        if result == z3.unsat:
            return False
        return None

    def valid(self, formula, *given) -> bool | None:
        """True if the formula holds for every enterprise meeting ``given``; None: cannot tell.
        Levels are not confined to the declared members here (see ``satisfiable``)."""
        answer = self.satisfiable(*given, z3.Not(formula), levels=False)
        return None if answer is None else not answer


def _count(solver) -> int:
    """The context's resource counter (it only grows; a query's use is the difference)."""
    stats = solver.statistics()
    return int(stats.get_key_value("rlimit count")) if "rlimit count" in stats.keys() else 0


class Box:
    """What an item's conditions say about single facts compared with numbers or sets: for each
    fact an interval (low, low inclusive, high, high inclusive) or a set of allowed values. It
    contains every enterprise meeting the conditions (parts it cannot read are left out), and
    equals that set when ``exact``. Two items whose boxes do not meet can never both apply; two
    exact boxes that meet always can: neither needs the solver."""

    def __init__(self, conditions, fields: dict):
        self.fields = fields  # field → its type, as the plan gives it
        self.ranges: dict = {}
        self.sets: dict = {}
        self.exact = True
        self.empty = False
        for ir in conditions:
            self.read(ir)

    def read(self, ir) -> None:
        tag = ir[0]
        if tag == "and":
            for x in ir[1]:
                self.read(x)
            return
        if tag == "cmp" and ir[1] in (">=", "<=", ">", "<", "==") and ir[2][0] == "field" and ir[3][0] == "const" \
                and isinstance(ir[3][1], (Decimal, int)) and not isinstance(ir[3][1], bool) \
                and (self.fields.get(ir[2][1]) or (None,))[0] in NUMERIC:
            if ir[2][1] not in self.ranges and self.fields[ir[2][1]][0] == "数量":
                self.narrow(ir[2][1], ">=", Decimal(0))  # as the encoder bounds counts
            self.narrow(ir[2][1], ir[1], Decimal(ir[3][1]))
            return
        if tag == "member" and ir[1][0] == "field" and all(isinstance(v, str) for v in ir[2]) \
                and (self.fields.get(ir[1][1]) or (None,))[0] == "文本":
            allowed = set(ir[2]) & self.sets.get(ir[1][1], set(ir[2]))
            self.sets[ir[1][1]] = allowed
            self.empty = self.empty or not allowed
            return
        self.exact = False

    def narrow(self, fact, op, value) -> None:
        low, low_in, high, high_in = self.ranges.get(fact, (None, False, None, False))
        if op in (">=", ">", "=="):
            strict = op == ">"
            if low is None or value > low or (value == low and strict):
                low, low_in = value, not strict
        if op in ("<=", "<", "=="):
            strict = op == "<"
            if high is None or value < high or (value == high and strict):
                high, high_in = value, not strict
        self.ranges[fact] = (low, low_in, high, high_in)
        if low is not None and high is not None and (low > high or (low == high and not (low_in and high_in))):
            self.empty = True

    def meets(self, other: "Box") -> bool:
        """Whether some values lie in both boxes (over the reals, as the encoding reads numbers)."""
        if self.empty or other.empty:
            return False
        for fact, values in self.sets.items():
            if fact in other.sets and not values & other.sets[fact]:
                return False
        for fact, (low, low_in, high, high_in) in self.ranges.items():
            if fact not in other.ranges:
                continue
            o_low, o_low_in, o_high, o_high_in = other.ranges[fact]
            if o_low is not None and (low is None or o_low > low or (o_low == low and not o_low_in)):
                low, low_in = o_low, o_low_in
            if o_high is not None and (high is None or o_high < high or (o_high == high and not o_high_in)):
                high, high_in = o_high, o_high_in
            if low is not None and high is not None and (low > high or (low == high and not (low_in and high_in))):
                return False
        return True


def band_formula(encoder: Encoder, measure_ir, tier) -> z3.BoolRef:
    """The formula of one band of a lowered tier table: (low_op, low, high_op, high, amount)."""
    low_op, low, high_op, high, _ = tier
    parts = []
    if low_op is not None:
        parts.append(encoder.formula(("cmp", low_op, measure_ir, low)))
    if high_op is not None:
        parts.append(encoder.formula(("cmp", high_op, measure_ir, high)))
    return z3.And(*parts) if parts else z3.BoolVal(True)


def positive_recognitions(ir, positive: bool = True) -> set[str]:
    """Recognitions a condition asks for (not under a 非 / 除外)."""
    tag = ir[0]
    if tag == "holds":
        return set(ir[1]) if positive else set()
    if tag in ("and", "or"):
        return set().union(*[positive_recognitions(x, positive) for x in ir[1]]) if ir[1] else set()
    if tag == "not":
        return positive_recognitions(ir[1], not positive)
    return set()


def facts_in(ir) -> set[str]:
    """Enterprise and project fields an expression reads (recognition levels as 「认定」的级别)."""
    out: set[str] = set()
    stack = [ir]
    while stack:
        x = stack.pop()
        if isinstance(x, tuple) and x:
            if x[0] in ("field", "pfield") and len(x) == 2:
                out.add(x[1])
                continue
            if x[0] == "level_of" and len(x) == 2:
                out.add(f"{x[1]}的级别")
                continue
            if x[0] == "const":
                continue
            stack.extend(x[1:])
        elif isinstance(x, (list, frozenset, set)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    return out


def _num(v):
    if v is None:
        return None
    if isinstance(v, Decimal):
        return z3.RealVal(str(v))
    if isinstance(v, int):
        return z3.IntVal(v)
    return None


def _arith(v) -> bool:
    return v is not None and (z3.is_int(v) or z3.is_real(v))


def _same(a, b):
    if a.sort() != b.sort():
        a = z3.ToReal(a) if a.sort() == z3.IntSort() else a
        b = z3.ToReal(b) if b.sort() == z3.IntSort() else b
    return a, b
