"""The review's questions of the solver: which conditions can never hold, which always hold, and
which two items an enterprise can meet at once.

They are asked of the one translation of the plan into z3 (``verify.World`` and ``verify.Encoder``),
the same reading of facts, parameters, levels, texts and history that ``polc verify`` proves caps
with, for an enterprise whose facts are all given. A part of a condition the translation cannot
express becomes an opaque boolean (the same expression, the same boolean), so the solver can miss a
contradiction but never invent one. Every query has a resource limit (the solver's deterministic
count, not time) and the review a budget of them; an unknown answer, or a query left unasked once
the budget is spent, counts as "cannot tell" and produces no finding.
"""

from __future__ import annotations

from decimal import Decimal

import z3

from compiler.plan.lower import PolicyPlan
from compiler.targets.smt.verify import Encoder as Translation
from compiler.targets.smt.verify import Unencodable, World

RLIMIT = 2_000_000  # solver resource units per query
BUDGET = 100_000_000  # units per review, QUERY_COST counted for building each query (the Minhang policy: 54M)
QUERY_COST = 100_000
NUMERIC = ("金额", "比例", "数量", "数值", "汇率")
PROJECT = "项目"  # the one project whose fields a per-project item's conditions read


class Encoder:
    """Conditions as formulas over one world of the shared translation, and the review's queries."""

    def __init__(self, plan: PolicyPlan, values: dict | None = None):
        self.plan = plan
        self.world = World(plan, dict(values or {}), {}, facts_known=True)
        self.translation = Translation(self.world, project=PROJECT)
        self.opaques: dict = {}
        self.used = 0  # resource units spent, QUERY_COST included
        self.budget = BUDGET
        self.unasked = 0  # queries not run because the budget was spent

    def opaque(self, ir) -> z3.BoolRef:
        key = repr(ir)
        if key not in self.opaques:
            self.opaques[key] = z3.Bool(f"?{len(self.opaques)}")
        return self.opaques[key]

    # ---- formulas ----
    def formula(self, ir) -> z3.BoolRef:
        """The condition holds. And, or and not are taken apart here, so that only the part the
        translation cannot express is opaque."""
        tag = ir[0]
        if tag == "and":
            return z3.And(*[self.formula(x) for x in ir[1]]) if ir[1] else z3.BoolVal(True)
        if tag == "or":
            return z3.Or(*[self.formula(x) for x in ir[1]]) if ir[1] else z3.BoolVal(False)
        if tag == "not":
            return z3.Not(self.formula(ir[1]))
        try:
            holds, _ = self.translation.cond(ir)
        except Unencodable:
            return self.opaque(ir)
        return holds

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
        solver.add(*self.world.closed(levels=levels), *formulas)
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
