"""The plan as SQL: one sqlglot query that evaluates every item of a policy for every enterprise.

The query reads three tables (see ``population``): ``e`` (one row per enterprise: its fields,
whether it gave 已认定, one column per recognition), ``h`` (its past awards) and ``p`` (its
projects). It returns one row per enterprise with each item's status and amount and the totals,
following ``runtime`` step by step:

* numbers are DECIMAL(38, s) with the scale s known while lowering; products are exact up to
  scale 24, quotients are rounded half-up at 14 places (the runtime keeps 34 digits: the two agree
  to the fen unless a quotient's 15th decimal decides a rounding); money is rounded half-up to
  0.01 once, at the end, as ``runtime.round_money`` does;
* a value that cannot be computed carries its reason beside it as a small code (3 参数待定,
  2 信息不足, 1 不适用, 0 认定未获得), combined in the order ``runtime.blocked`` uses;
* conditions use SQL's three-valued logic, which is Kleene logic, as the runtime's;
* past awards and projects are grouped aggregates, tiers are CASE.

What this module cannot translate is reported per item (``unsupported``: label → reason in
Chinese); the caller evaluates those items with the Python evaluator and says so.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs
from sqlglot import exp

from compiler import runtime as rt
from compiler.lower import ItemPlan, PolicyPlan

PENDING, UNKNOWN, NOT_APPLICABLE, NOT_HELD = 3, 2, 1, 0
MAX_SCALE = 24  # products keep this many decimals (38 digits leave 14 before the point)
DIV_SCALE = 14  # quotients are rounded half-up here
INPUT_SCALE = 6  # numbers in the population tables: DECIMAL(38, 6)
NUMERIC = ("金额", "比例", "数量", "数值", "汇率")
ONE_OFF = ("一次性", "最多", "序数")


class Unsupported(Exception):
    """A construct this target does not translate; the message says which, in Chinese."""


def cast(value: exp.Expression, to) -> exp.Cast:
    """Always a CAST node (sqlglot's helper drops a cast to another DECIMAL scale as already done)."""
    return exp.Cast(this=value, to=to if isinstance(to, exp.DataType) else exp.DataType.build(to))


def parenthesize(tree: exp.Expression) -> exp.Expression:
    """Every operand that is itself an operator goes in parentheses: the tree's grouping is the SQL's."""
    for node in list(tree.walk()):
        if isinstance(node, (exp.Binary, exp.Not, exp.Neg)):
            for key in ("this", "expression"):
                child = node.args.get(key)
                if isinstance(child, (exp.Binary, exp.Not, exp.Neg, exp.In, exp.Between, exp.Is)):
                    node.set(key, exp.Paren(this=child))
    return tree


def ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table) if table else None)


def decimal_type(scale: int) -> exp.DataType:
    return exp.DataType.build(f"DECIMAL(38, {scale})")


def scale_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def dec(value: Decimal, scale: int | None = None) -> exp.Expression:
    """An exact decimal constant (from the plan or a bound parameter, never record text)."""
    value = Decimal(value)
    s = scale_of(value) if scale is None else scale
    if s > MAX_SCALE:
        value, s = value.quantize(Decimal(1).scaleb(-MAX_SCALE), rt.ROUND_HALF_UP), MAX_SCALE
    text = format(value, "f")
    return cast(exp.Literal.number(text) if not text.startswith("-") else
                    exp.Neg(this=exp.Literal.number(text[1:])), decimal_type(s))


def intlit(value: int) -> exp.Expression:
    return exp.Literal.number(str(int(value))) if value >= 0 else exp.Neg(this=exp.Literal.number(str(-int(value))))


def to_scale(value: exp.Expression, have: int, want: int) -> exp.Expression:
    """The value as DECIMAL(38, want), rounded half-up if it has more places."""
    if have > want:
        value = exp.func("ROUND", value, intlit(want))
    return cast(value, decimal_type(want))


def and_all(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return exp.true()
    out = parts[0]
    for p in parts[1:]:
        out = exp.And(this=out, expression=p)
    return exp.Paren(this=out)


def or_all(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return exp.false()
    out = parts[0]
    for p in parts[1:]:
        out = exp.Or(this=out, expression=p)
    return exp.Paren(this=out)


def case(pairs, default=None) -> exp.Case:
    c = exp.Case()
    for cond, value in pairs:
        c = c.when(cond, value)
    if default is not None:
        c = c.else_(default)
    return c


def coalesce(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return exp.Coalesce(this=parts[0], expressions=parts[1:])


def eq(a, b):
    return exp.EQ(this=a, expression=b)


def is_null(a):
    return exp.Is(this=a, expression=exp.Null())


def not_null(a):
    return exp.Not(this=is_null(a))


@attrs.frozen
class Val:
    """A lowered value: ``v`` its SQL value (NULL when blocked), ``k`` the blocking code or None when
    it can never be blocked, ``may`` the codes it may carry, ``s`` its decimal scale (None: not a number),
    ``reads`` the fields and facts whose absence it reports, ``pend`` the 待定 parameters it reads."""

    v: exp.Expression
    k: exp.Expression | None = None
    may: frozenset = frozenset()
    s: int | None = None
    reads: frozenset = frozenset()
    pend: frozenset = frozenset()


def combined_k(vals) -> tuple[exp.Expression | None, frozenset]:
    """runtime.blocked over several values: 参数待定 first, then the first other code in order."""
    ks = [x for x in vals if x.k is not None]
    may = frozenset().union(*(x.may for x in vals))
    if not ks:
        return None, may
    for x in ks:
        if isinstance(x.k, exp.Literal) and x.k.this == str(PENDING):
            return intlit(PENDING), frozenset({PENDING})
    first = coalesce([x.k for x in ks])
    if PENDING in may and len(ks) > 1:
        first = case([(or_all([eq(x.k, intlit(PENDING)) for x in ks if PENDING in x.may]), intlit(PENDING))], first)
    return first, may


class Features:
    """Grouped aggregates over past awards that the items need, each computed once."""

    def __init__(self):
        self.enterprise: dict = {}  # key → (alias, aggregate expression over h joined with e)
        self.project: dict = {}  # key → (alias, aggregate over h joined with p and e)

    def add(self, table: dict, key, prefix: str, build) -> exp.Column:
        if key not in table:
            table[key] = (f"{prefix}{len(table)}", build())
        return col(table[key][0])


@attrs.define
class ItemSQL:
    label: str
    per_project: bool
    status: str  # column names in the item layer
    amount: str
    lowered: bool = True


class SqlLowerer:
    """Translates one plan, with its parameter values fixed (bound or given; the rest 待定)."""

    def __init__(self, plan: PolicyPlan, params: dict):
        self.plan = plan
        self.params = params
        self.features = Features()
        self.unsupported: dict = {}  # label → reason
        self.policy_unsupported: list = []  # reasons the totals are left to the Python evaluator
        self.in_project = False
        self.recognition_cols = {name: f"认定:{name}" for name in plan.recognitions}
        self.read_tests: dict = {"已认定": exp.Not(this=col("已认定", "e"))}  # a fact's name → SQL: it is not given

    # ---- values ----
    def field_kind(self, name: str, project: bool):
        if project:
            return self.plan.project_fields.get(name) or self.plan.fields.get(name)
        return self.plan.fields.get(name)

    def read_field(self, name: str, project: bool) -> Val:
        """A field of the enterprise (table e) or of the current project (table p); NULL when not given."""
        kind = self.field_kind(name, project)
        if kind is None:
            raise Unsupported(f"字段「{name}」不在输入约定中")
        if project and not self.in_project:
            raise Unsupported(f"项目字段「{name}」出现在按项目计算之外")
        raw = col(name, "p" if project else "e")
        shown = f"项目.{name}" if project else name
        self.read_tests[shown] = is_null(raw)
        s = INPUT_SCALE if kind[0] in NUMERIC else None
        v = raw
        if kind[0] == "等级":
            members = self.plan.levels[kind[1]]
            v = case([(eq(raw, exp.Literal.string(rt.NO_LEVEL)), intlit(0))] +
                     [(eq(raw, exp.Literal.string(m)), intlit(len(members) - i)) for i, m in enumerate(members)])
        return Val(v, case([(is_null(raw), intlit(UNKNOWN))]), frozenset({UNKNOWN}), s, frozenset({shown}))

    def value(self, ir) -> Val:
        op = ir[0]
        if op == "const":
            return self.const(ir[1])
        if op == "field":
            return self.read_field(ir[1], False)
        if op == "pfield":
            return self.read_field(ir[1], True)
        if op == "param":
            name = ir[1]
            if name in self.params:
                return self.const(self.params[name])
            kind = self.plan.declared_params.get(name, (("数值",),))[0]
            s = 0 if kind[0] in NUMERIC else None
            null = cast(exp.Null(), decimal_type(0)) if s is not None else exp.Null()
            return Val(null, intlit(PENDING), frozenset({PENDING}), s, frozenset(), frozenset({name}))
        if op in ("add", "sub", "mul", "div"):
            return self.arith(op, self.value(ir[1]), self.value(ir[2]))
        if op in ("least", "greatest"):
            vals = [self.value(x) for x in ir[1]]
            s = max(v.s or 0 for v in vals)
            k, may = combined_k(vals)
            parts = [to_scale(v.v, v.s or 0, s) for v in vals]
            nulls = or_all([is_null(v.v) for v in vals if v.k is not None])
            fn = exp.Least if op == "least" else exp.Greatest
            v = fn(this=parts[0], expressions=parts[1:])
            if any(x.k is not None for x in vals):
                v = case([(nulls, cast(exp.Null(), decimal_type(s)))], v)
            return Val(v, k, may, s, union_reads(vals), union_pend(vals))
        if op == "level_of":
            given = col("已认定", "e")
            column = col(self.recognition_cols[ir[1]], "e")
            levels = self.plan.recognitions[ir[1]]
            rank = self.rank_of(column, levels)
            k = case([(exp.Not(this=given), intlit(UNKNOWN)), (is_null(column), intlit(NOT_HELD))])
            return Val(rank, k, frozenset({UNKNOWN, NOT_HELD}), None, frozenset({"已认定"}))
        if op == "by_level":
            rank = self.value(ir[1])
            entries = {r: self.value(x) for r, x in ir[2].items()}
            s = max([e.s or 0 for e in entries.values()] or [0])
            v = case([(eq(rank.v, intlit(r)), to_scale(e.v, e.s or 0, s)) for r, e in entries.items()])
            allv = [rank, *entries.values()]
            stop = [(exp.GT(this=rank.k, expression=intlit(0)), rank.k)] if rank.k is not None else []
            entry_k = [(eq(rank.v, intlit(r)), e.k if e.k is not None else exp.Null()) for r, e in entries.items()]
            k = case(stop + entry_k, intlit(NOT_APPLICABLE))
            may = frozenset({NOT_APPLICABLE}).union(*(x.may for x in allv)) - {NOT_HELD}
            return Val(v, k, may, s, union_reads(allv), union_pend(allv))
        if op == "tiers":
            return self.tiers(ir)
        if op == "when":
            cond = self.cond(ir[1])
            amount = self.value(ir[2])
            v = case([(cond.v, amount.v)])
            k = case([(cond.v, amount.k if amount.k is not None else exp.Null()),
                      (exp.Not(this=cond.v), intlit(NOT_APPLICABLE))], intlit(UNKNOWN))
            return Val(v, k, amount.may | {NOT_APPLICABLE, UNKNOWN}, amount.s, cond.reads | amount.reads,
                       cond.pend | amount.pend)
        if op == "steps":
            measure, size, each = (self.value(x) for x in ir[1:4])
            whole = self.floor_div(measure, size)
            k, may = combined_k([measure, size, each])
            zero = exp.LTE(this=size.v, expression=dec(Decimal(0)))
            k = coalesce([k, case([(zero, intlit(UNKNOWN))])])
            s = each.s or 0
            v = case([(zero, cast(exp.Null(), decimal_type(s))),
                      (exp.LTE(this=measure.v, expression=dec(Decimal(0))), dec(Decimal(0), s))],
                     to_scale(exp.Mul(this=cast(whole, decimal_type(0)), expression=each.v), s, s))
            return Val(v, k, may | {UNKNOWN}, s, union_reads([measure, size, each]), union_pend([measure, size, each]))
        if op == "round":
            mode, value, unit = ir[1], self.value(ir[2]), self.value(ir[3])
            k, may = combined_k([value, unit])
            zero = exp.LTE(this=unit.v, expression=dec(Decimal(0)))
            k = coalesce([k, case([(zero, intlit(UNKNOWN))])])
            whole = self.round_div(mode, value, unit)
            s = unit.s or 0
            v = case([(zero, cast(exp.Null(), decimal_type(s)))],
                     cast(exp.Mul(this=cast(whole, decimal_type(0)), expression=unit.v), decimal_type(s)))
            return Val(v, k, may | {UNKNOWN}, s, union_reads([value, unit]), union_pend([value, unit]))
        if op in ("award_of", "agg", "lfield"):
            what = {"award_of": "引用其他条款的金额", "agg": "清单汇总（合计、计数等）", "lfield": "清单字段"}[op]
            raise Unsupported(f"SQL 目标尚不支持{what}")
        return self.truth_val(self.cond(ir))

    def static(self, ir):
        """The value of an expression of constants and bound parameters, or None."""
        op = ir[0]
        if op == "const":
            return ir[1]
        if op == "param":
            return self.params.get(ir[1])
        if op in ("add", "sub", "mul", "div"):
            a, b = self.static(ir[1]), self.static(ir[2])
            if not isinstance(a, Decimal) or not isinstance(b, Decimal):
                return None
            return getattr(rt, op)(a, b)
        return None

    def rank_of(self, column, levels):
        if not levels:
            return case([(not_null(column), intlit(0))])
        members = self.plan.levels[levels]
        return case([(eq(column, exp.Literal.string(m)), intlit(len(members) - i)) for i, m in enumerate(members)])

    def truth_val(self, c: Val) -> Val:
        return Val(c.v, case([(is_null(c.v), intlit(UNKNOWN))]), frozenset({UNKNOWN}), None, c.reads, c.pend)

    def const(self, value) -> Val:
        if isinstance(value, bool):
            return Val(exp.true() if value else exp.false())
        if isinstance(value, Decimal):
            return Val(dec(value), s=min(scale_of(value), MAX_SCALE))
        if isinstance(value, int):
            return Val(intlit(value), s=0 if False else None)
        if isinstance(value, datetime.date):
            return Val(cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE")))
        if isinstance(value, str):
            return Val(exp.Literal.string(value))
        if isinstance(value, frozenset):
            return Val(exp.Array(expressions=[exp.Literal.string(x) for x in sorted(value)]))
        raise Unsupported(f"常量类型 {type(value).__name__} 无法写成 SQL")

    def arith(self, op: str, a: Val, b: Val) -> Val:
        k, may = combined_k([a, b])
        reads, pend = a.reads | b.reads, a.pend | b.pend
        sa, sb = a.s or 0, b.s or 0
        if op in ("add", "sub"):
            s = max(sa, sb)
            fn = exp.Add if op == "add" else exp.Sub
            v = cast(fn(this=to_scale(a.v, sa, s), expression=to_scale(b.v, sb, s)), decimal_type(s))
            return Val(v, k, may, s, reads, pend)
        if op == "mul":
            av, bv = a.v, b.v
            if sa + sb > MAX_SCALE:  # keep 24 places in all: round the operand with more
                if sa >= sb:
                    sa2 = max(0, MAX_SCALE - sb)
                    av, sa = to_scale(av, sa, sa2), sa2
                else:
                    sb2 = max(0, MAX_SCALE - sa)
                    bv, sb = to_scale(bv, sb, sb2), sb2
            s = sa + sb
            v = cast(exp.Mul(this=cast(av, decimal_type(sa)), expression=cast(bv, decimal_type(sb))),
                         decimal_type(s))
            return Val(v, k, may, s, reads, pend)
        # div: exact long division of scaled integers, rounded half-up at DIV_SCALE places; ÷0 is unknown
        zero = eq(b.v, dec(Decimal(0)))
        k = coalesce([k, case([(zero, intlit(UNKNOWN))])])
        v = case([(zero, cast(exp.Null(), decimal_type(DIV_SCALE)))], self.exact_div(a, b))
        return Val(v, k, may | {UNKNOWN}, DIV_SCALE, reads, pend)

    def scaled_ints(self, a: Val, b: Val):
        """Both operands as HUGEINT at a common scale (at most 12 places)."""
        c = min(max(a.s or 0, b.s or 0), 12)
        unit = dec(Decimal(10) ** c, 0)
        hugeint = exp.DataType.build("HUGEINT")
        ai = cast(exp.Mul(this=to_scale(a.v, a.s or 0, c), expression=unit), hugeint)
        bi = cast(exp.Mul(this=to_scale(b.v, b.s or 0, c), expression=unit), hugeint)
        return ai, bi

    def exact_div(self, a: Val, b: Val) -> exp.Expression:
        ai, bi = self.scaled_ints(a, b)
        na, nb = exp.Abs(this=ai), exp.Abs(this=bi)
        sign = exp.Mul(this=exp.func("SIGN", ai), expression=exp.func("SIGN", bi))
        whole = exp.IntDiv(this=na, expression=nb)
        rest = exp.Mod(this=na, expression=nb)
        ten = cast(exp.Literal.number(str(10 ** DIV_SCALE)), exp.DataType.build("HUGEINT"))
        frac = exp.IntDiv(this=exp.Add(this=exp.Mul(this=exp.Mul(this=intlit(2), expression=rest), expression=ten),
                                       expression=nb),
                          expression=exp.Mul(this=intlit(2), expression=nb))
        q = exp.Add(this=cast(whole, decimal_type(0)),
                    expression=exp.Mul(this=cast(frac, decimal_type(0)),
                                       expression=dec(Decimal(1).scaleb(-DIV_SCALE), DIV_SCALE)))
        return cast(exp.Mul(this=cast(sign, decimal_type(0)), expression=exp.Paren(this=q)),
                        decimal_type(DIV_SCALE))

    def floor_div(self, a: Val, b: Val) -> exp.Expression:
        """⌊a ÷ b⌋ exactly, for b > 0."""
        ai, bi = self.scaled_ints(a, b)
        q = exp.IntDiv(this=ai, expression=bi)  # truncates toward zero
        neg = exp.And(this=exp.LT(this=ai, expression=intlit(0)),
                      expression=exp.NEQ(this=exp.Mod(this=ai, expression=bi), expression=intlit(0)))
        return case([(neg, exp.Sub(this=q, expression=intlit(1)))], q)

    def round_div(self, mode: str, a: Val, b: Val) -> exp.Expression:
        ai, bi = self.scaled_ints(a, b)
        if mode == "floor":
            return self.floor_div(a, b)
        q = exp.IntDiv(this=ai, expression=bi)
        rest = exp.Mod(this=ai, expression=bi)
        if mode == "ceiling":
            return case([(exp.And(this=exp.GT(this=ai, expression=intlit(0)),
                                  expression=exp.NEQ(this=rest, expression=intlit(0))),
                          exp.Add(this=q, expression=intlit(1)))], q)
        na, nb = exp.Abs(this=ai), exp.Abs(this=bi)
        half = exp.IntDiv(this=exp.Add(this=exp.Mul(this=intlit(2), expression=na), expression=nb),
                          expression=exp.Mul(this=intlit(2), expression=nb))
        return exp.Mul(this=exp.func("SIGN", ai), expression=half)

    def tiers(self, ir) -> Val:
        measure = self.value(ir[1])
        bands = []
        for low_op, low, high_op, high, amount in ir[2]:
            bands.append((low_op, self.value(low) if low else None, high_op, self.value(high) if high else None,
                          self.value(amount), low))
        bounds = [x for band in bands for x in (band[1], band[3]) if x is not None and (band[0] or band[2])]
        k0, may0 = combined_k([measure, *bounds])
        # order as runtime.select_tier: bands without a lower bound first, then by lower bound (constants)
        pending = any(PENDING in x.may and isinstance(x.k, exp.Literal) for x in bounds)

        def key(band):
            low = band[5]
            if low is None:
                return (False, Decimal(0))
            if pending:  # the whole table is 参数待定: the order does not matter
                return (True, Decimal(0))
            value = self.static(low)
            if value is None:
                raise Unsupported("分档的下限取决于企业数据，SQL 目标无法排序各档")
            return (True, value)
        ordered = sorted(bands, key=key)
        s = max([b[4].s or 0 for b in bands] or [0])
        pairs_v, pairs_k = [], []
        for index, (low_op, low, high_op, high, amount, _) in enumerate(ordered):
            if high_op is None and index + 1 < len(ordered) and ordered[index + 1][0] is not None:
                nxt_op, nxt = ordered[index + 1][0], ordered[index + 1][1]
                high_op, high = ("<" if nxt_op == ">=" else "<="), nxt
            tests = []
            if low_op is not None:
                tests.append(compare_sql(low_op, measure, low))
            if high_op is not None:
                tests.append(compare_sql(high_op, measure, high))
            test = and_all(tests)
            pairs_v.append((test, to_scale(amount.v, amount.s or 0, s)))
            pairs_k.append((test, amount.k if amount.k is not None else exp.Null()))
        v = case(pairs_v)
        k_case = case(pairs_k, intlit(NOT_APPLICABLE))
        k = coalesce([k0, k_case]) if k0 is not None else k_case
        amounts = [b[4] for b in bands]
        may = may0 | {NOT_APPLICABLE}
        for a in amounts:
            may |= a.may
        return Val(v, k, may, s, measure.reads.union(*(x.reads for x in bounds + amounts)),
                   measure.pend.union(*(x.pend for x in bounds + amounts)))

    # ---- conditions: Val with v a three-valued BOOLEAN ----
    def cond(self, ir) -> Val:
        op = ir[0]
        if op == "cmp":
            a, b = self.value(ir[2]), self.value(ir[3])
            v = compare_sql(ir[1], a, b)
            if NOT_HELD in a.may or NOT_HELD in b.may:  # a level not held reaches no level: false, not unknown
                held_none = or_all([eq(x.k, intlit(NOT_HELD)) for x in (a, b) if NOT_HELD in x.may])
                blocked = or_all([exp.GT(this=x.k, expression=intlit(0)) for x in (a, b) if x.k is not None])
                v = case([(blocked, cast(exp.Null(), exp.DataType.build("BOOLEAN"))), (held_none, exp.false())], v)
            return Val(v, reads=a.reads | b.reads, pend=a.pend | b.pend)
        if op in ("and", "or"):
            parts = [self.cond(x) for x in ir[1]]
            v = (and_all if op == "and" else or_all)([p.v for p in parts])
            return Val(v, reads=union_reads(parts), pend=union_pend(parts))
        if op == "not":
            c = self.cond(ir[1])
            return Val(exp.Not(this=exp.Paren(this=c.v)), reads=c.reads, pend=c.pend)
        if op == "truth":
            x = self.value(ir[1])
            if x.s is not None:
                raise Unsupported("数值当作条件")
            v = x.v
            if NOT_HELD in x.may:
                v = case([(eq(x.k, intlit(NOT_HELD)), cast(exp.Null(), exp.DataType.build("BOOLEAN")))], v)
            return Val(v, reads=x.reads, pend=x.pend)
        if op == "holds":
            return self.holds(ir[1], ir[2], ir[3])
        if op in ("member", "contains"):
            x = self.value(ir[1])
            values = sorted(ir[2], key=str)
            if op == "member":
                items = [intlit(v) if isinstance(v, int) else exp.Literal.string(v) for v in values]
                v = exp.In(this=x.v, expressions=items)
                if NOT_HELD in x.may:
                    v = case([(eq(x.k, intlit(NOT_HELD)), exp.false())], v)
            else:
                v = exp.ArrayOverlaps(this=x.v, expression=exp.Array(expressions=[exp.Literal.string(s) for s in values]))
            return Val(v, reads=x.reads, pend=x.pend)
        if op == "received":
            has = self.features.add(self.features.enterprise, ("received", ir[1]), "hr",
                                    lambda: exp.func("SUM", case([(eq(col("条款", "h"), exp.Literal.string(ir[1])),
                                                                   intlit(1))], intlit(0))))
            return Val(exp.GT(this=exp.func("COALESCE", has, intlit(0)), expression=intlit(0)))
        if op == "first":
            _, cmp_op, name, last_field, threshold = ir
            now = self.read_field(name, False)
            t = self.value(threshold)
            reached_now = compare_sql(cmp_op, now, t)
            if last_field is None:
                v = case([(exp.Not(this=exp.func("COALESCE", reached_now, exp.true())), exp.false())],
                         cast(exp.Null(), exp.DataType.build("BOOLEAN")))
                self.read_tests[f"历年.{name}"] = exp.true()
                return Val(v, reads=now.reads | t.reads | {f"历年.{name}"}, pend=t.pend)
            self.read_tests[f"历年.{name}"] = is_null(col(last_field, "e"))
            before = self.read_field(last_field, False)
            reached_before = compare_sql(cmp_op, before, t)
            v = case([(exp.Not(this=exp.func("COALESCE", reached_now, exp.true())), exp.false()),
                      (is_null(before.v), cast(exp.Null(), exp.DataType.build("BOOLEAN")))],
                     exp.And(this=reached_now, expression=exp.Not(this=reached_before)))
            # the runtime reports 历年.X when neither 历年 nor the 上年 field is given
            return Val(v, reads=now.reads | t.reads | {f"历年.{name}"}, pend=t.pend)
        if op == "first_holds":
            now = self.holds(ir[1], ir[2], ir[3])
            v = case([(exp.Not(this=exp.func("COALESCE", now.v, exp.true())), exp.false())],
                     cast(exp.Null(), exp.DataType.build("BOOLEAN")))
            self.read_tests["历年.已认定"] = exp.true()
            return Val(v, reads=now.reads | {"历年.已认定"})
        if op == "within":
            raise Unsupported("期间条件")
        x = self.value(ir)
        if x.s is not None:
            raise Unsupported(f"条件形式 {op}")
        return Val(x.v, reads=x.reads, pend=x.pend)

    def holds(self, names, min_rank, op) -> Val:
        given = col("已认定", "e")
        parts = []
        for name in names:
            column = col(self.recognition_cols[name], "e")
            if min_rank is None:
                parts.append(not_null(column))
            else:
                rank = self.rank_of(column, self.plan.recognitions[name])
                parts.append(exp.And(this=not_null(column),
                                     expression=compare_plain(op, rank, intlit(min_rank))))
        v = case([(exp.Not(this=given), cast(exp.Null(), exp.DataType.build("BOOLEAN")))], or_all(parts))
        return Val(v, reads=frozenset({"已认定"}))


def union_reads(vals):
    return frozenset().union(*(x.reads for x in vals))


def union_pend(vals):
    return frozenset().union(*(x.pend for x in vals))


def compare_plain(op: str, a, b):
    cls = {">=": exp.GTE, "<=": exp.LTE, ">": exp.GT, "<": exp.LT, "==": exp.EQ}[op]
    return cls(this=a, expression=b)


def compare_sql(op: str, a: Val, b: Val):
    if a.s is not None and b.s is not None:
        s = max(a.s, b.s)
        return compare_plain(op, to_scale(a.v, a.s, s), to_scale(b.v, b.s, s))
    return compare_plain(op, a.v, b.v)


# ---- items and the policy ------------------------------------------------------------

STATUS_OK, STATUS_NO, STATUS_PENDING, STATUS_UNKNOWN = "符合", "不符合", "参数待定", "信息不足"
PERIOD_FIELD = {"每季度": "申报季度", "每月": "申报月份"}


def s_lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def null_bool():
    return cast(exp.Null(), exp.DataType.build("BOOLEAN"))


@attrs.frozen
class LoweredPolicy:
    """The query and what it says about each item; ``unsupported`` items are left to Python."""

    plan: PolicyPlan
    query: exp.Select
    items: tuple  # labels in plan order
    status_columns: dict  # label → output column of its status
    amount_columns: dict  # label → output column of its amount (DECIMAL(38, 2), NULL when none)
    unsupported: dict  # label → reason (Chinese)
    totals_unsupported: tuple  # reasons the totals must come from Python
    validity_status: str | None  # 不在施行期 / 参数待定 for every item, or None when in force

    def sql(self, dialect: str = "duckdb") -> str:
        return self.query.sql(dialect=dialect)


class PolicyLowerer(SqlLowerer):
    def __init__(self, plan: PolicyPlan, params: dict):
        super().__init__(plan, params)
        self.l1: list = []  # (alias, expression) computed from e, history features, project aggregates
        self.l2: list = []  # settled amounts and statuses, reading l1 columns
        self.pp: list = []  # per project row
        self.pagg: list = []  # per enterprise, from pp
        self.n = 0

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def missing_any(self, reads) -> exp.Expression:
        return or_all([self.read_tests[r] for r in sorted(reads) if r in self.read_tests])

    # history features
    def history_sum(self, labels, what: str, year_window: int | None, project: bool, extra=None) -> exp.Column:
        """SUM over the item's past awards (条款 in labels) of 金额 or 1, in a window of years ending at 申报年度."""
        table = self.features.project if project else self.features.enterprise
        key = (tuple(labels), what, year_window, project, extra)

        def build():
            conds = [exp.In(this=col("条款", "h"), expressions=[s_lit(x) for x in labels])]
            if year_window is not None:
                year = col("申报年度", "e")
                conds.append(exp.Between(this=col("年度", "h"),
                                         low=exp.Sub(this=year, expression=intlit(year_window - 1)), high=year))
            if extra == "quarter":
                quarter = coalesce([col("季度", "h"), exp.Add(this=exp.IntDiv(this=exp.Sub(this=col("月份", "h"), expression=intlit(1)),
                                                                             expression=intlit(3)), expression=intlit(1))])
                conds.append(exp.Paren(this=exp.Or(this=is_null(quarter), expression=eq(quarter, col("申报季度", "e")))))
            if extra == "month":
                month = col("申报月份", "e")
                quarter = exp.Add(this=exp.IntDiv(this=exp.Sub(this=month, expression=intlit(1)), expression=intlit(3)),
                                  expression=intlit(1))
                conds.append(exp.Paren(this=exp.Or(
                    this=eq(col("月份", "h"), month),
                    expression=exp.And(this=is_null(col("月份", "h")),
                                       expression=exp.Paren(this=exp.Or(this=is_null(col("季度", "h")),
                                                                        expression=eq(col("季度", "h"), quarter)))))))
            if extra == "positive":
                conds.append(exp.GT(this=col("金额", "h"), expression=dec(Decimal(0))))
            value = cast(col("金额", "h"), decimal_type(INPUT_SCALE)) if what == "amount" else intlit(1)
            zero = dec(Decimal(0), INPUT_SCALE) if what == "amount" else intlit(0)
            return exp.func("SUM", case([(and_all(conds), value)], zero))
        alias = self.features.add(table, key, "hp" if project else "he", build)
        zero = dec(Decimal(0), INPUT_SCALE) if what == "amount" else intlit(0)
        return exp.func("COALESCE", alias, zero)

    def frequency(self, item: ItemPlan, project: bool):
        """(allowed, period missing): runtime.frequency_allows."""
        oks, missing = [], []
        for kind, count, _text, _where in (item.frequency, *item.frequency_also) if item.frequency else ():
            if kind == "每次":
                continue
            if kind in ("每年", "每季度", "每月"):
                needed = [is_null(col("申报年度", "e"))]
                if kind in PERIOD_FIELD:
                    needed.append(is_null(col(PERIOD_FIELD[kind], "e")))
                need = or_all(needed)
                extra = {"每季度": "quarter", "每月": "month"}.get(kind)
                used = self.history_sum((item.label,), "count", 1, project, extra)
                oks.append(exp.Paren(this=exp.Or(this=need, expression=eq(used, intlit(0)))))
                missing.append(need)
                continue
            if kind in ONE_OFF:
                used = self.history_sum((item.label,), "count", None, project)
                oks.append(exp.LT(this=used, expression=intlit(count)))
                continue
            raise Unsupported(f"频次“{kind}”")
        return and_all(oks), or_all(missing)

    def conditions(self, item: ItemPlan):
        """(verdict, pending decides, a fact is missing) over the item's conditions."""
        conds = [self.cond(c.test) for c in item.conditions]
        verdict = and_all([c.v for c in conds]) if conds else exp.true()
        pend = or_all([is_null(c.v) for c in conds if c.pend])
        miss = or_all([exp.And(this=is_null(c.v), expression=self.missing_any(c.reads)) for c in conds if c.reads])
        return verdict, pend, miss

    def amount(self, item: ItemPlan) -> Val:
        """runtime.run_amount: award, uplifts, then floors and caps (下限 first, 上限 after)."""
        if item.award is None:
            raise Unsupported("没有给予金额")
        amount = self.value(item.award)
        if amount.s is None:
            raise Unsupported("给予的不是数值")
        reads, pend = set(amount.reads), set(amount.pend)
        for ratio_ir, when_ir, _text, _where in item.uplifts:
            ratio = self.value(ratio_ir)
            factor = self.arith("add", self.const(Decimal(1)), ratio)
            raised = self.arith("mul", amount, factor)
            if when_ir is None:
                amount = raised
                reads |= ratio.reads
                pend |= ratio.pend
                continue
            when = self.cond(when_ir)
            reads |= when.reads | ratio.reads
            pend |= when.pend | ratio.pend
            s = raised.s
            v = case([(is_null(when.v), cast(exp.Null(), decimal_type(s))), (when.v, raised.v)],
                     to_scale(amount.v, amount.s, s))
            keep_pending = eq(amount.k, intlit(PENDING)) if amount.k is not None else exp.false()
            k = case([(keep_pending, intlit(PENDING)), (is_null(when.v), intlit(UNKNOWN)),
                      (when.v, raised.k if raised.k is not None else exp.Null())],
                     amount.k if amount.k is not None else exp.Null())
            amount = Val(v, k, amount.may | raised.may | {UNKNOWN}, s, amount.reads, amount.pend)
        limits = [lim for lim in item.limits if lim.kind == "下限"] + [lim for lim in item.limits if lim.kind == "上限"]
        for lim in limits:
            limit = self.value(lim.amount)
            reads |= limit.reads
            pend |= limit.pend
            s = max(amount.s, limit.s or 0)
            a, lv = to_scale(amount.v, amount.s, s), to_scale(limit.v, limit.s or 0, s)
            better = exp.GT(this=a, expression=lv) if lim.kind == "上限" else exp.LT(this=a, expression=lv)
            v = case([(better, lv)], a)
            if limit.k is None:
                amount = Val(v, amount.k, amount.may, s)
                continue
            skip = eq(limit.k, intlit(NOT_APPLICABLE))
            k = case([(eq(amount.k, intlit(PENDING)) if amount.k is not None else exp.false(), intlit(PENDING)),
                      (skip, amount.k if amount.k is not None else exp.Null())],
                     coalesce([amount.k, limit.k]))
            v = case([(skip, a)], v)
            amount = Val(v, k, amount.may | (limit.may - {NOT_APPLICABLE}), s)
        return Val(amount.v, amount.k, amount.may, amount.s, frozenset(reads), frozenset(pend))

    def add1(self, layer: list, prefix: str, expression) -> exp.Column:
        alias = self.fresh(prefix)
        layer.append((alias, expression))
        return col(alias)

    def gate(self, item: ItemPlan) -> exp.Expression:
        return s_lit("待评定" if item.gate or item.up_to else STATUS_OK)

    def history_caps(self, item: ItemPlan, amount: exp.Expression, s: int, layer_in: list, project: bool):
        """Caps over earlier awards (年度上限, 累计上限, 期内累计上限/N, and the 项目 ones when ``project``):
        the amount after them, and the (test, status) pairs that stop the item first."""
        stops = []
        for lim in item.limits:
            kind = lim.kind
            if project != kind.startswith("项目"):
                continue
            base = kind.removeprefix("项目")
            if base not in ("年度上限", "累计上限") and not base.startswith("期内累计上限/"):
                continue
            limit = self.value(lim.amount)
            lv = self.add1(layer_in, "lv", to_scale(limit.v, limit.s or 0, max(s, limit.s or 0)))
            if limit.k is not None:
                lk = self.add1(layer_in, "lk", limit.k)
                stops.append((eq(lk, intlit(PENDING)), s_lit(STATUS_PENDING)))
                stops.append((eq(lk, intlit(UNKNOWN)), s_lit(STATUS_UNKNOWN)))
            window = None
            if base == "年度上限":
                window = 1
            elif base != "累计上限":
                window = int(base.partition("/")[2])
            if window is not None:
                stops.append((is_null(col("申报年度", "e")) if not layer_in is self.l1 else self.year_null(),
                              s_lit(STATUS_UNKNOWN)))
            used = self.add1(layer_in, "hu", self.history_sum((item.label,), "amount", window, project))
            room = exp.Greatest(this=dec(Decimal(0), s), expressions=[cast(exp.Sub(this=lv, expression=used),
                                                                               decimal_type(max(s, INPUT_SCALE)))])
            s = max(s, INPUT_SCALE, limit.s or 0)
            skip = eq(lk, intlit(NOT_APPLICABLE)) if limit.k is not None else exp.false()
            amount = case([(skip, to_scale(amount, s, s))],
                          exp.Least(this=to_scale(amount, s, s), expressions=[to_scale(room, s, s)]))
        return amount, s, stops

    def year_null(self):
        return is_null(col("申报年度", "e"))

    def item_columns(self, item: ItemPlan):
        """Status and amount columns for one item (raises Unsupported)."""
        if item.kind == "核定":
            raise Unsupported("核定（不是资金的计算结果）不进入预算，SQL 目标未实现")
        if item.topup and item.per_project:
            raise Unsupported("按项目计算的补差")
        if item.per_project:
            return self.project_item(item)
        fo, fy = self.frequency(item, False)
        verdict, cpend, cmiss = self.conditions(item)
        c = self.add1(self.l1, "c", verdict)
        cp = self.add1(self.l1, "cp", cpend)
        cm = self.add1(self.l1, "cm", cmiss)
        fo_c = self.add1(self.l1, "fo", fo)
        fy_c = self.add1(self.l1, "fy", fy)
        head = [(exp.Not(this=fo_c), s_lit(STATUS_NO)),
                (exp.Not(this=exp.func("COALESCE", c, exp.true())), s_lit(STATUS_NO)),
                (is_null(c), case([(exp.And(this=cp, expression=exp.Not(this=exp.Or(this=cm, expression=fy_c))),
                                    s_lit(STATUS_PENDING))], s_lit(STATUS_UNKNOWN)))]
        if item.kind == "一事一议":
            return case(head, s_lit("一事一议")), None
        if item.kind == "非资金支持":
            return case(head + [(fy_c, s_lit(STATUS_UNKNOWN))], self.gate(item)), None
        amount = self.amount(item)
        a = self.add1(self.l1, "a", amount.v)
        steps = list(head)
        if amount.k is not None:
            k = self.add1(self.l1, "k", amount.k)
            am = self.add1(self.l1, "am", self.missing_any(amount.reads))
            ap = exp.true() if amount.pend else exp.false()
            steps += [(eq(k, intlit(PENDING)), s_lit(STATUS_PENDING)),
                      (eq(k, intlit(UNKNOWN)), case([(exp.And(this=ap, expression=exp.Not(this=exp.Or(this=am, expression=fy_c))),
                                                      s_lit(STATUS_PENDING))], s_lit(STATUS_UNKNOWN))),
                      (eq(k, intlit(NOT_APPLICABLE)), s_lit(STATUS_NO))]
        value, s, stops = self.settle_amount(item, a, amount.s, False)
        steps += stops
        steps.append((fy_c, s_lit(STATUS_UNKNOWN)))
        return case(steps, self.gate(item)), (value, s)

    def settle_amount(self, item: ItemPlan, a, s: int, per_project: bool):
        """runtime.settle: 补差, caps over earlier awards, tranches; the amount before the final rounding."""
        stops = []
        value = a
        if item.topup:
            paid = self.add1(self.l1, "tu", self.history_sum(tuple(item.topup), "amount", None, False))
            s2 = max(s, INPUT_SCALE)
            value = exp.Greatest(this=dec(Decimal(0), s2), expressions=[
                cast(exp.Sub(this=to_scale(value, s, s2), expression=paid), decimal_type(s2))])
            s = s2
        value, s, cap_stops = self.history_caps(item, value, s, self.l1, False)
        stops += cap_stops
        for t in item.tranches:
            ratio = self.value(t)
            if ratio.pend:
                stops.append((exp.true(), s_lit(STATUS_PENDING)))
        return value, s, stops

    def project_item(self, item: ItemPlan):
        """runtime.evaluate_projects: each project in table p, then grouped per enterprise."""
        self.in_project = True
        try:
            fo, fy = self.frequency(item, True)
            verdict, cpend, cmiss = self.conditions(item)
            pv = self.add1(self.pp, "pc", verdict)
            pfo = self.add1(self.pp, "pfo", fo)
            pfy = self.add1(self.pp, "pfy", fy)
            pcp = self.add1(self.pp, "pcp", cpend)
            pcm = self.add1(self.pp, "pcm", cmiss)
            monetary = item.kind not in ("一事一议", "非资金支持")
            steps = [(exp.Not(this=pfo), s_lit(STATUS_NO)),
                     (is_null(pv), case([(exp.And(this=pcp, expression=exp.Not(this=exp.Or(this=pcm, expression=pfy))),
                                          s_lit(STATUS_PENDING))], s_lit(STATUS_UNKNOWN))),
                     (exp.Not(this=pv), s_lit(STATUS_NO))]
            amount_col, s = None, 0
            if monetary:
                amount = self.amount(item)
                pa = self.add1(self.pp, "pa", amount.v)
                if amount.k is not None:
                    pk = self.add1(self.pp, "pk", amount.k)
                    steps += [(eq(pk, intlit(PENDING)), s_lit(STATUS_PENDING)),
                              (eq(pk, intlit(UNKNOWN)), s_lit(STATUS_UNKNOWN)),
                              (eq(pk, intlit(NOT_APPLICABLE)), s_lit(STATUS_NO))]
                value, s, stops = self.history_caps(item, pa, amount.s, self.pp, True)
                steps += stops
                amount_col = self.add1(self.pp, "pv", value)
            pst = self.add1(self.pp, "pst", case(steps, s_lit("ok")))
        finally:
            self.in_project = False
        # what the enterprise-level rules read from its projects
        def agg(prefix, expression):
            return self.add1(self.pagg, prefix, expression)
        any_ok = agg("gok", exp.func("COALESCE", exp.func("BOOL_OR", eq(pst, s_lit("ok"))), exp.false()))
        any_pend = agg("gpd", exp.func("COALESCE", exp.func("BOOL_OR", eq(pst, s_lit(STATUS_PENDING))), exp.false()))
        any_unknown = agg("gun", exp.func("COALESCE", exp.func("BOOL_OR", eq(pst, s_lit(STATUS_UNKNOWN))), exp.false()))
        # 申报年度 missing reaches the item's facts from projects whose conditions were unknown, or whose amount ran
        merged = or_all([exp.And(this=pfy, expression=is_null(pv))] +
                        ([exp.And(this=pfy, expression=exp.And(this=exp.func("COALESCE", pv, exp.false()), expression=pfo))]
                         if monetary else []))
        any_fy = agg("gfy", exp.func("COALESCE", exp.func("BOOL_OR", merged), exp.false()))
        total = None
        if monetary:
            total = agg("gsum", exp.func("SUM", case([(eq(pst, s_lit("ok")), to_scale(amount_col, s, s))])))
        # per enterprise
        ok_c = col(any_ok.name)
        if item.kind == "一事一议":
            inner = s_lit("一事一议")
            value = None
        elif item.kind == "非资金支持":
            inner = case([(col(any_fy.name), s_lit(STATUS_UNKNOWN))], self.gate(item))
            value = None
        else:
            value, s2, stops = self.settle_amount(item, exp.func("COALESCE", col(total.name), dec(Decimal(0), s)), s, True)
            inner = case([(col(any_pend.name), s_lit(STATUS_PENDING)), (col(any_unknown.name), s_lit(STATUS_UNKNOWN))]
                         + stops + [(col(any_fy.name), s_lit(STATUS_UNKNOWN))], self.gate(item))
            value = (value, s2)
        status = case([(ok_c, inner), (col(any_pend.name), s_lit(STATUS_PENDING)),
                       (col(any_unknown.name), s_lit(STATUS_UNKNOWN))], s_lit(STATUS_NO))
        return status, value


def select(columns, source):
    return exp.select(*[exp.alias_(e, a, quoted=True) for a, e in columns]).from_(source)


def lower_policy(plan: PolicyPlan, params: dict, force=True) -> LoweredPolicy:
    """The query for ``plan`` with parameter values ``params`` (name → runtime value); ``force`` is
    True, False (不在施行期) or the runtime's PENDING for the policy's validity on the evaluation date."""
    lw = PolicyLowerer(plan, params)
    status_cols, amount_cols, unsupported = {}, {}, {}
    l2 = []
    per_project = {i.label for i in plan.items if i.per_project}
    by_project_rules = {}  # items whose amount a rule applied project by project changes: left to Python
    for winner, loser in plan.overrides:
        if winner in per_project and loser in per_project:
            by_project_rules.setdefault(loser, f"被{winner}按项目取代（例外），SQL 目标未实现按项目取代")
    for group in plan.exclusives:
        if group.get("per_project") and group["rule"] != "累加":
            for m in group["members"]:
                by_project_rules.setdefault(m, f"互斥组「{group['name']}」按项目互斥，SQL 目标未实现")
    for item in plan.items:
        if item.label in by_project_rules:
            unsupported[item.label] = by_project_rules[item.label]
            continue
        l1_mark, pp_mark, pagg_mark = len(lw.l1), len(lw.pp), len(lw.pagg)
        try:
            status, value = lw.item_columns(item)
        except Unsupported as exc:
            del lw.l1[l1_mark:], lw.pp[pp_mark:], lw.pagg[pagg_mark:]
            unsupported[item.label] = str(exc)
            continue
        index = len(status_cols)
        status_cols[item.label] = f"状态{index}"
        amount_cols[item.label] = f"金额{index}"
        if value is None:
            amount = cast(exp.Null(), decimal_type(2))
        else:
            v, s = value
            amount = exp.func("ROUND", to_scale(v, s, max(s, 2)), intlit(2))
        l2.append((f"st{index}", status))
        l2.append((f"raw{index}", cast(amount, decimal_type(2))))
    validity = None if force is True else ("参数待定" if force is rt.PENDING else "不在施行期")
    for alias, labels in taken_features(plan, status_cols).items():  # 互斥: one-off members received before
        lw.l1.append((alias, lw.history_sum(labels, "count", None, False, "positive")))
        l2.append((alias, col(alias)))

    # history features per enterprise and per project
    hist = None
    if lw.features.enterprise:
        hist = exp.select(exp.alias_(col("_id", "h"), "_id", quoted=True),
                          *[exp.alias_(e, a, quoted=True) for a, e in lw.features.enterprise.values()]) \
            .from_(exp.alias_(exp.Table(this=ident("h")), "h", quoted=True)) \
            .join(exp.alias_(exp.Table(this=ident("e")), "e", quoted=True), on=eq(col("_id", "h"), col("_id", "e"))) \
            .group_by(col("_id", "h"))
    proj = None
    if lw.pp:
        inner = exp.select(col("_id", "p"), col("_idx", "p"),
                           *[exp.alias_(e, a, quoted=True) for a, e in lw.features.project.values()]) \
            .from_(exp.alias_(exp.Table(this=ident("p")), "p", quoted=True)) \
            .join(exp.alias_(exp.Table(this=ident("e")), "e", quoted=True), on=eq(col("_id", "p"), col("_id", "e"))) \
            .join(exp.alias_(exp.Table(this=ident("h")), "h", quoted=True),
                  on=and_all([eq(col("_id", "h"), col("_id", "p")),
                              exp.Paren(this=exp.Or(this=eq(col("项目", "h"), col("_name", "p")),
                                                    expression=is_null(col("项目", "h"))))]), join_type="left") \
            .group_by(col("_id", "p"), col("_idx", "p")) if lw.features.project else None
        rows = exp.select(col("_id", "p"), *[exp.alias_(e, a, quoted=True) for a, e in lw.pp]) \
            .from_(exp.alias_(exp.Table(this=ident("p")), "p", quoted=True)) \
            .join(exp.alias_(exp.Table(this=ident("e")), "e", quoted=True), on=eq(col("_id", "p"), col("_id", "e")))
        if inner is not None:
            rows = rows.join(exp.alias_(exp.Subquery(this=inner), "hpf", quoted=True),
                             on=and_all([eq(col("_id", "hpf"), col("_id", "p")), eq(col("_idx", "hpf"), col("_idx", "p"))]),
                             join_type="left")
            rows = _qualify_features(rows, lw.features.project.values(), "hpf")
        proj = exp.select(col("_id"), *[exp.alias_(e, a, quoted=True) for a, e in lw.pagg]) \
            .from_(exp.alias_(exp.Subquery(this=rows), "pp", quoted=True)).group_by(col("_id"))
    # layer 1: per enterprise, everything the items compute from e, history features and project aggregates
    base = exp.select(col("_id", "e"), *[exp.alias_(e, a, quoted=True) for a, e in lw.l1],
                      *([exp.alias_(col(a, "pg"), a, quoted=True) for a, _ in lw.pagg] if lw.pp else [])) \
        .from_(exp.alias_(exp.Table(this=ident("e")), "e", quoted=True))
    if hist is not None:
        base = base.join(exp.alias_(exp.Subquery(this=hist), "hs", quoted=True), on=eq(col("_id", "hs"), col("_id", "e")),
                         join_type="left")
        base = _qualify_features(base, lw.features.enterprise.values(), "hs")
    if proj is not None:
        base = base.join(exp.alias_(exp.Subquery(this=proj), "pg", quoted=True), on=eq(col("_id", "pg"), col("_id", "e")),
                         join_type="left")
    # layer 2 needs e's columns too (the year), so it reads layer 1 joined with e again
    layer2 = exp.select(col("_id", "l1"), *[exp.alias_(_unqualify_to(e, "l1", lw, proj is not None), a, quoted=True)
                                            for a, e in l2]) \
        .from_(exp.alias_(exp.Subquery(this=base), "l1", quoted=True)) \
        .join(exp.alias_(exp.Table(this=ident("e")), "e", quoted=True), on=eq(col("_id", "l1"), col("_id", "e")))
    final = combine_layer(plan, status_cols, amount_cols, unsupported, validity)
    query = final.from_(exp.alias_(exp.Subquery(this=layer2), "l2", quoted=True))
    totals_unsupported = list(lw.policy_unsupported)
    if unsupported:
        totals_unsupported.append("有条款未能写成 SQL，合计由 Python 计算")
    for group in plan.exclusives:
        if group.get("per_project") and group["rule"] != "累加":
            totals_unsupported.append(f"互斥组「{group['name']}」按项目互斥，SQL 目标未实现")
    if plan.group_caps:
        totals_unsupported.append("组合上限，SQL 目标未实现")
    if plan.sum_caps:
        totals_unsupported.append("总额上限，SQL 目标未实现")
    labels_pp = {i.label for i in plan.items if i.per_project}
    for winner, loser in plan.overrides:
        if winner in labels_pp and loser in labels_pp:
            totals_unsupported.append(f"{winner}按项目取代{loser}（例外），SQL 目标未实现")
    return LoweredPolicy(plan, parenthesize(query), tuple(i.label for i in plan.items), status_cols, amount_cols, unsupported,
                         tuple(totals_unsupported), validity)


def _qualify_features(select_expr, features, table):
    """Feature columns are named in the grouped subquery: read them from it."""
    names = {a for a, _ in features}
    for column in select_expr.find_all(exp.Column):
        if column.table == "" and column.name in names:
            column.set("table", ident(table))
    return select_expr


def _unqualify_to(expression, table, lw, has_projects):
    """Layer-2 expressions read layer-1 and project-aggregate columns from the layer-1 subquery."""
    names = {a for a, _ in lw.l1} | ({a for a, _ in lw.pagg} if has_projects else set())
    expression = expression.copy()
    for column in expression.find_all(exp.Column):
        if column.table == "" and column.name in names:
            column.set("table", ident(table))
    return expression


def combine_layer(plan: PolicyPlan, status_cols, amount_cols, unsupported, validity) -> exp.Select:
    """runtime.combine: 例外, 互斥 (就高, 优先, and one-off members received before), then the totals."""
    labels = [l for l in status_cols]
    index = {label: i for i, label in enumerate(labels)}
    st = {label: col(f"st{index[label]}", "l2") for label in labels}
    raw = {label: col(f"raw{index[label]}", "l2") for label in labels}
    if validity is not None:
        cols = [col("_id", "l2")]
        for label in labels:
            cols.append(exp.alias_(s_lit(validity), status_cols[label], quoted=True))
            cols.append(exp.alias_(cast(exp.Null(), decimal_type(2)), amount_cols[label], quoted=True))
        cols += [exp.alias_(dec(Decimal("0.00"), 2), "合计", quoted=True),
                 exp.alias_(dec(Decimal("0.00"), 2), "最高合计", quoted=True)]
        return exp.select(*cols)
    # overrides: the loser pays nothing when both would pay
    status = dict(st)
    amount = {label: case([(exp.In(this=st[label], expressions=[s_lit("符合"), s_lit("待评定")]), raw[label])])
              for label in labels}
    paying = ("符合", "待评定")
    per_project = {i.label for i in plan.items if i.per_project}
    for winner, loser in plan.overrides:
        if winner not in index or loser not in index or (winner in per_project and loser in per_project):
            continue
        both = and_all([exp.In(this=status[x], expressions=[s_lit(p) for p in paying]) for x in (winner, loser)])
        status[loser] = case([(both, s_lit("不符合"))], status[loser])
        amount[loser] = case([(both, cast(exp.Null(), decimal_type(2)))], amount[loser])
    included = {label: not_null(amount[label]) for label in labels}
    specs = {i.label: i for i in plan.items}
    for group in plan.exclusives:
        if group["rule"] == "累加" or group.get("per_project"):
            continue
        members = [m for m in group["members"] if m in index]
        if not members:
            continue
        once = [m for m in members if specs[m].frequency and specs[m].frequency[0] in ONE_OFF
                and not specs[m].per_project]
        excluded = {}
        for m in once:
            others = [t for t in once if t != m and t not in (specs[m].topup or ())]
            if not others:
                continue
            taken = _taken(others)
            excluded[m] = exp.And(this=not_null(amount[m]), expression=taken)
        present = {m: and_all([not_null(amount[m])] + ([exp.Not(this=excluded[m])] if m in excluded else []))
                   for m in members}
        undecided = or_all([exp.In(this=status[m], expressions=[s_lit("参数待定"), s_lit("信息不足")]) for m in members])
        count = exp.Add(this=intlit(0), expression=intlit(0))
        for m in members:
            count = exp.Add(this=count, expression=case([(present[m], intlit(1))], intlit(0)))
        applies = exp.And(this=exp.GTE(this=exp.Paren(this=count), expression=intlit(1)),
                          expression=exp.Paren(this=exp.Or(this=undecided,
                                                           expression=exp.GTE(this=exp.Paren(this=count), expression=intlit(2)))))
        if group["rule"] == "就高":
            top = exp.Greatest(this=case([(present[members[0]], amount[members[0]])]),
                               expressions=[case([(present[m], amount[m])]) for m in members[1:]]) \
                if len(members) > 1 else case([(present[members[0]], amount[members[0]])])
            keep = case([(exp.And(this=present[m], expression=eq(amount[m], top)), intlit(i)) for i, m in enumerate(members)])
        else:
            keep = case([(present[m], intlit(i)) for i, m in enumerate(members)])
        for i, m in enumerate(members):
            survives = exp.Or(this=exp.Not(this=exp.Paren(this=applies)), expression=eq(keep, intlit(i)))
            parts = [included[m], exp.Paren(this=survives)]
            if m in excluded:
                parts.append(exp.Not(this=excluded[m]))
            included[m] = and_all(parts)
    cols = [col("_id", "l2")]
    certain, at_most = [], []
    for label in labels:
        cols.append(exp.alias_(status[label], status_cols[label], quoted=True))
        cols.append(exp.alias_(amount[label], amount_cols[label], quoted=True))
        inc = exp.func("COALESCE", included[label], exp.false())
        at_most.append(case([(inc, amount[label])], dec(Decimal("0.00"), 2)))
        certain.append(case([(exp.And(this=inc, expression=eq(status[label], s_lit("符合"))), amount[label])],
                            dec(Decimal("0.00"), 2)))
    cols.append(exp.alias_(cast(_sum(certain), decimal_type(2)), "合计", quoted=True))
    cols.append(exp.alias_(cast(_sum(at_most), decimal_type(2)), "最高合计", quoted=True))
    return exp.select(*cols)


def taken_features(plan: PolicyPlan, status_cols) -> dict:
    """Column name → labels, for each 互斥 member that an earlier award of another one-off member excludes."""
    specs = {i.label: i for i in plan.items}
    out = {}
    for group in plan.exclusives:
        if group["rule"] == "累加" or group.get("per_project"):
            continue
        once = [m for m in group["members"] if m in status_cols and specs[m].frequency
                and specs[m].frequency[0] in ONE_OFF and not specs[m].per_project]
        for m in once:
            others = [t for t in once if t != m and t not in (specs[m].topup or ())]
            if others:
                out["taken:" + "|".join(sorted(others))] = tuple(sorted(others))
    return out


def _taken(labels):
    """Whether the record lists an award (金额 > 0) of any of these one-off items: a column of layer 1."""
    return exp.GT(this=exp.func("COALESCE", col("taken:" + "|".join(sorted(labels)), "l2"), intlit(0)),
                  expression=intlit(0))


def _sum(parts):
    out = dec(Decimal("0.00"), 2)
    for p in parts:
        out = exp.Add(this=out, expression=p)
    return out
