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
* an item's status is a small integer (``STATUS_CODES``) until the last layer writes its text, and
  the report's aggregates read the codes (``LoweredPolicy.coded``);
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
from compiler.plan.lower import ItemPlan, PolicyPlan

PENDING, UNKNOWN, NOT_APPLICABLE, NOT_HELD = 3, 2, 1, 0
MAX_SCALE = 24  # products keep this many decimals (38 digits leave 14 before the point)
DIV_SCALE = 14  # quotients are rounded half-up here
INPUT_SCALE = 6  # numbers in the population tables: DECIMAL(38, 6)
NUMERIC = ("金额", "比例", "数量", "数值", "汇率")
ONE_OFF = ("一次性", "最多", "序数")


# the IR kinds ``cond`` reads as conditions; any other kind is a value, read by ``value``
CONDITIONS = ("cmp", "and", "or", "not", "truth", "holds", "member", "contains", "received", "first",
              "first_holds", "within", "const")


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
    """DECIMAL(38, scale), built as the node DataType.build would parse (parsing it costs Minhang half a second)."""
    return exp.DataType(this=exp.DataType.Type.DECIMAL, nested=False,
                        expressions=[exp.DataTypeParam(this=exp.Literal.number(38)),
                                     exp.DataTypeParam(this=exp.Literal.number(scale))])


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


def balanced(cls, parts):
    """a op b op c … as a balanced tree, so long lists stay shallow."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return cls(this=balanced(cls, parts[:middle]), expression=balanced(cls, parts[middle:]))


def and_all(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return exp.true()
    return exp.Paren(this=balanced(exp.And, parts))


def or_all(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return exp.false()
    return exp.Paren(this=balanced(exp.Or, parts))


def case(pairs, default=None) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in pairs], default=default)


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
        if op not in CONDITIONS:  # a kind neither reading knows: say so rather than go round in circles
            raise Unsupported(f"SQL 目标尚不支持算式 {op}")
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
        if isinstance(value, int):  # a level's rank or a year
            return Val(intlit(value))
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


# Inside the query a status is a small integer (comparing and moving integers is cheaper than text);
# the last layer writes the text. "ok" marks a project that pays, before the item's status is known.
STATUS_CODES = {"不符合": 0, "符合": 1, "待评定": 2, "参数待定": 3, "信息不足": 4, "一事一议": 5, "不在施行期": 6, "ok": 7}


PROJECT_BITS = {"ok": 1, "参数待定": 2, "信息不足": 4}  # a project's status as a bit, to OR over the enterprise's projects


def status_lit(text: str) -> exp.Expression:
    return intlit(STATUS_CODES[text])


def status_text(code: exp.Expression) -> exp.Case:
    """A status code as its text (the column type the results and their readers keep)."""
    return exp.Case(this=code, ifs=[exp.If(this=intlit(c), true=s_lit(t)) for t, c in STATUS_CODES.items() if t != "ok"])


def null_bool():
    return cast(exp.Null(), exp.DataType.build("BOOLEAN"))


@attrs.frozen
class LoweredPolicy:
    """The query and what it says about each item; ``unsupported`` items are left to Python."""

    plan: PolicyPlan
    coded: exp.Select  # the query with each status as its code (STATUS_CODES): what the report aggregates
    items: tuple  # labels in plan order
    status_columns: dict  # label → output column of its status
    amount_columns: dict  # label → output column of its amount (DECIMAL(38, 2), NULL when none)
    unsupported: dict  # label → reason (Chinese)
    totals_unsupported: tuple  # reasons the totals must come from Python
    validity_status: str | None  # 不在施行期 / 参数待定 for every item, or None when in force

    @property
    def query(self) -> exp.Select:
        """The query with each status as its text: the rows the engines return (built on each call)."""
        coded = self.coded.copy()
        named = coded.args.pop("with_", None)
        status_names = set(self.status_columns.values())
        query = sel(*[aliased(status_text(col(c.alias_or_name, "cq")) if c.alias_or_name in status_names
                              else col(c.alias_or_name, "cq"), c.alias_or_name) for c in coded.expressions]) \
            .from_(sub_as(coded, "cq"), copy=False)
        if named is not None:
            query.set("with_", named)
        return query

    def sql(self, dialect: str = "duckdb") -> str:
        return self.query.sql(dialect=dialect)


class PolicyLowerer(SqlLowerer):
    """Items as columns of stacked layers, so that no expression is copied into another:

    l0 (per enterprise: conditions, raw amounts, limits, history features), l1 (verdicts, capped
    amounts), l2 (statuses and settled amounts); per project pp0, pp1, pp2, grouped into pg."""

    def __init__(self, plan: PolicyPlan, params: dict):
        super().__init__(plan, params)
        self.l0: list = []
        self.l1: list = []
        self.l2: list = []
        self.pp0: list = []
        self.pp1: list = []
        self.pp2: list = []
        self.pagg: list = []
        self.n = 0
        self.unknown_aliases: set = set()
        self.project_rows: dict = {}  # per-project item → (its project status column, amount column, scale)

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def inputs(self) -> list:
        return self.pp0 if self.in_project else self.l0

    def add1(self, layer: list, prefix: str, expression) -> exp.Column:
        alias = self.fresh(prefix)
        layer.append((alias, expression))
        return col(alias)

    def missing_any(self, reads) -> exp.Expression:
        """Whether any of these facts is not given: per project the tests themselves, per enterprise
        columns of l0 (computed once for all items, so later layers need not join e again)."""
        if self.in_project:
            return or_all([self.read_tests[r].copy() for r in sorted(reads) if r in self.read_tests])
        return or_all([self.unknown_column(r) for r in sorted(reads) if r in self.read_tests])

    def unknown_column(self, name: str) -> exp.Column:
        alias = f"unknown:{name}"
        if alias not in self.unknown_aliases:
            self.unknown_aliases.add(alias)
            self.l0.append((alias, self.read_tests[name].copy()))
        return col(alias)

    def year_unknown(self) -> exp.Expression:
        if self.in_project:
            return is_null(col("申报年度", "e"))
        self.read_tests.setdefault("申报年度", is_null(col("申报年度", "e")))
        return self.unknown_column("申报年度")

    # history features
    def history_sum(self, labels, what: str, year_window: int | None, project: bool, extra=None) -> exp.Expression:
        """SUM over the past awards (条款 in labels) of 金额 or 1, in a window of years ending at 申报年度."""
        table = self.features.project if project else self.features.enterprise
        key = (tuple(labels), what, year_window, project, extra)

        def build():
            conds = [exp.In(this=col("条款", "h"), expressions=[s_lit(x) for x in labels])]
            if year_window is not None:
                year = col("申报年度", "e")
                conds.append(exp.Between(this=col("年度", "h"),
                                         low=exp.Sub(this=year, expression=intlit(year_window - 1)), high=col("申报年度", "e")))
            if extra == "quarter":
                quarter = coalesce([col("季度", "h"), exp.Add(this=exp.IntDiv(this=exp.Sub(this=col("月份", "h"), expression=intlit(1)),
                                                                             expression=intlit(3)), expression=intlit(1))])
                conds.append(exp.Or(this=is_null(quarter), expression=eq(quarter.copy(), col("申报季度", "e"))))
            if extra == "month":
                quarter = exp.Add(this=exp.IntDiv(this=exp.Sub(this=col("申报月份", "e"), expression=intlit(1)),
                                                  expression=intlit(3)), expression=intlit(1))
                conds.append(exp.Or(
                    this=eq(col("月份", "h"), col("申报月份", "e")),
                    expression=exp.And(this=is_null(col("月份", "h")),
                                       expression=exp.Or(this=is_null(col("季度", "h")),
                                                         expression=eq(col("季度", "h"), quarter)))))
            if extra == "positive":
                # the same type as 金额: Spark compares DECIMAL(38, 6) with DECIMAL(38, 0) at scale 0, so 0.49 > 0 fails
                conds.append(exp.GT(this=col("金额", "h"), expression=dec(Decimal(0), INPUT_SCALE)))
            value = cast(col("金额", "h"), decimal_type(INPUT_SCALE)) if what == "amount" else intlit(1)
            zero = dec(Decimal(0), INPUT_SCALE) if what == "amount" else intlit(0)
            return exp.func("SUM", case([(and_all(conds), value)], zero))
        alias = self.features.add(table, key, "hp" if project else "he", build)
        zero = dec(Decimal(0), INPUT_SCALE) if what == "amount" else intlit(0)
        return exp.func("COALESCE", alias, zero)

    def frequency(self, item: ItemPlan, project: bool):
        """(allowed, period missing) as input columns: runtime.frequency_allows."""
        oks, missing = [], []
        for kind, count, _text, _where in (item.frequency, *item.frequency_also) if item.frequency else ():
            if kind == "每次":
                continue
            if kind in ("每年", "每季度", "每月"):
                needed = [is_null(col("申报年度", "e"))]
                if kind in PERIOD_FIELD:
                    needed.append(is_null(col(PERIOD_FIELD[kind], "e")))
                extra = {"每季度": "quarter", "每月": "month"}.get(kind)
                used = self.history_sum((item.label,), "count", 1, project, extra)
                oks.append(exp.Or(this=or_all(needed), expression=eq(used, intlit(0))))
                missing.append(or_all([x.copy() for x in needed]))
                continue
            if kind in ONE_OFF:
                used = self.history_sum((item.label,), "count", None, project)
                oks.append(exp.LT(this=used, expression=intlit(count)))
                continue
            raise Unsupported(f"频次“{kind}”")
        return (self.add1(self.inputs(), "fo", and_all(oks)), self.add1(self.inputs(), "fy", or_all(missing)))

    def conditions(self, item: ItemPlan):
        """(verdict, pending decides, a fact is missing) over the item's conditions, for the next layer."""
        conds = [self.cond(c.test) for c in item.conditions]
        refs = [self.add1(self.inputs(), "cv", c.v) for c in conds]
        verdict = and_all([r.copy() for r in refs]) if conds else exp.true()
        pend = or_all([is_null(r.copy()) for c, r in zip(conds, refs) if c.pend])
        miss = or_all([exp.And(this=is_null(r.copy()), expression=self.missing_any(c.reads))
                       for c, r in zip(conds, refs) if c.reads])
        return verdict, pend, miss

    def amount(self, item: ItemPlan) -> Val:
        """runtime.run_amount: award and uplifts as input columns, then floors and caps (下限 first)."""
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
            v = case([(is_null(when.v), cast(exp.Null(), decimal_type(s))), (when.v.copy(), raised.v)],
                     to_scale(amount.v, amount.s, s))
            keep_pending = eq(amount.k.copy(), intlit(PENDING)) if amount.k is not None else exp.false()
            k = case([(keep_pending, intlit(PENDING)), (is_null(when.v.copy()), intlit(UNKNOWN)),
                      (when.v.copy(), raised.k.copy() if raised.k is not None else exp.Null())],
                     amount.k.copy() if amount.k is not None else exp.Null())
            amount = Val(v, k, amount.may | raised.may | {UNKNOWN}, s, amount.reads, amount.pend)
        s = amount.s
        a = self.add1(self.inputs(), "av", amount.v)
        k = self.add1(self.inputs(), "ak", amount.k) if amount.k is not None else None
        may = amount.may
        value = a
        limits = [lim for lim in item.limits if lim.kind == "下限"] + [lim for lim in item.limits if lim.kind == "上限"]
        for lim in limits:
            limit = self.value(lim.amount)
            reads |= limit.reads
            pend |= limit.pend
            s2 = max(s, limit.s or 0)
            lv = self.add1(self.inputs(), "lv", to_scale(limit.v, limit.s or 0, s2))
            current = to_scale(value, s, s2)
            better = exp.GT(this=current, expression=lv) if lim.kind == "上限" else exp.LT(this=current.copy(), expression=lv)
            capped = case([(better, lv.copy())], current.copy())
            s = s2
            if limit.k is None:
                value = capped
                continue
            lk = self.add1(self.inputs(), "lk", limit.k)
            skip = eq(lk, intlit(NOT_APPLICABLE))
            value = case([(skip, current.copy())], capped)
            # runtime.blocked(amount, limit): 参数待定 first, else the amount's own reason, else the limit's
            new_k = coalesce([k.copy() if k is not None else None, lk.copy()])
            new_k = case([(eq(lk.copy(), intlit(PENDING)), intlit(PENDING))], new_k)
            if k is not None:
                new_k = case([(eq(k.copy(), intlit(PENDING)), intlit(PENDING)), (skip.copy(), k.copy())], new_k)
            else:
                new_k = case([(skip.copy(), exp.Null())], new_k)
            k = new_k
            may = may | (limit.may - {NOT_APPLICABLE})
        return Val(value, k, may, s, frozenset(reads), frozenset(pend))

    def gate(self, item: ItemPlan) -> exp.Expression:
        return status_lit("待评定" if item.gate or item.up_to else STATUS_OK)

    def history_caps(self, item: ItemPlan, amount: exp.Expression, s: int, project: bool):
        """Caps over earlier awards (年度上限, 累计上限, 期内累计上限/N, and the 项目 ones when ``project``):
        the amount after them, and the (test, status) pairs that stop the item first."""
        stops = []
        inputs = self.pp0 if project else self.l0
        for lim in item.limits:
            kind = lim.kind
            if project != kind.startswith("项目"):
                continue
            base = kind.removeprefix("项目")
            if base not in ("年度上限", "累计上限") and not base.startswith("期内累计上限/"):
                continue
            limit = self.value(lim.amount)
            s2 = max(s, INPUT_SCALE, limit.s or 0)
            lv = self.add1(inputs, "hl", to_scale(limit.v, limit.s or 0, s2))
            lk = None
            if limit.k is not None:
                lk = self.add1(inputs, "hk", limit.k)
                stops.append((eq(lk, intlit(PENDING)), status_lit(STATUS_PENDING)))
                stops.append((eq(lk.copy(), intlit(UNKNOWN)), status_lit(STATUS_UNKNOWN)))
            window = None
            if base == "年度上限":
                window = 1
            elif base != "累计上限":
                window = int(base.partition("/")[2])
            if window is not None:
                if project:
                    stops.append((is_null(col("申报年度", "e")), status_lit(STATUS_UNKNOWN)))
                else:
                    stops.append((self.year_unknown(), status_lit(STATUS_UNKNOWN)))
            used = self.add1(inputs, "hu", self.history_sum((item.label,), "amount", window, project))
            room = exp.Greatest(this=dec(Decimal(0), s2), expressions=[
                cast(exp.Sub(this=lv.copy(), expression=used), decimal_type(s2))])
            current = to_scale(amount, s, s2)
            capped = exp.Least(this=current, expressions=[room])
            amount = case([(eq(lk.copy(), intlit(NOT_APPLICABLE)), current.copy())], capped) if lk is not None else capped
            s = s2
        return amount, s, stops

    def item_columns(self, item: ItemPlan):
        """The status expression (layer l2) and the (amount, scale) before rounding, or None."""
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

        def head():
            return [(exp.Not(this=fo.copy()), status_lit(STATUS_NO)),
                    (exp.Not(this=exp.func("COALESCE", c.copy(), exp.true())), status_lit(STATUS_NO)),
                    (is_null(c.copy()), case([(exp.And(this=cp.copy(), expression=exp.Not(this=exp.Or(this=cm.copy(), expression=fy.copy()))),
                                               status_lit(STATUS_PENDING))], status_lit(STATUS_UNKNOWN)))]
        if item.kind == "一事一议":
            return case(head(), status_lit("一事一议")), None
        if item.kind == "非资金支持":
            return case(head() + [(fy.copy(), status_lit(STATUS_UNKNOWN))], self.gate(item)), None
        amount = self.amount(item)
        a = self.add1(self.l1, "a", amount.v)
        steps = head()
        if amount.k is not None:
            k = self.add1(self.l1, "k", amount.k)
            am = self.add1(self.l1, "am", self.missing_any(amount.reads))
            ap = exp.true() if amount.pend else exp.false()
            steps += [(eq(k, intlit(PENDING)), status_lit(STATUS_PENDING)),
                      (eq(k.copy(), intlit(UNKNOWN)), case([(exp.And(this=ap, expression=exp.Not(this=exp.Or(this=am, expression=fy.copy()))),
                                                             status_lit(STATUS_PENDING))], status_lit(STATUS_UNKNOWN))),
                      (eq(k.copy(), intlit(NOT_APPLICABLE)), status_lit(STATUS_NO))]
        value, s, stops = self.settle_amount(item, a, amount.s)
        steps += stops
        steps.append((fy.copy(), status_lit(STATUS_UNKNOWN)))
        return case(steps, self.gate(item)), (value, s)

    def settle_amount(self, item: ItemPlan, a, s: int):
        """runtime.settle: 补差, caps over earlier awards, tranches; the amount before the final rounding."""
        stops = []
        value = a
        if item.topup:
            paid = self.add1(self.l0, "tu", self.history_sum(tuple(item.topup), "amount", None, False))
            s2 = max(s, INPUT_SCALE)
            value = exp.Greatest(this=dec(Decimal(0), s2), expressions=[
                cast(exp.Sub(this=to_scale(value, s, s2), expression=paid), decimal_type(s2))])
            s = s2
        value, s, cap_stops = self.history_caps(item, value, s, False)
        stops += cap_stops
        for t in item.tranches:
            ratio = self.value(t)
            if ratio.pend:
                stops.append((exp.true(), status_lit(STATUS_PENDING)))
        return value, s, stops

    def project_item(self, item: ItemPlan):
        """runtime.evaluate_projects: each project a row (pp0 → pp2), then grouped per enterprise (pg)."""
        self.in_project = True
        try:
            fo, fy = self.frequency(item, True)
            verdict, cpend, cmiss = self.conditions(item)
            pv = self.add1(self.pp1, "pc", verdict)
            pcp = self.add1(self.pp1, "pcp", cpend)
            pcm = self.add1(self.pp1, "pcm", cmiss)
            monetary = item.kind not in ("一事一议", "非资金支持")
            steps = [(exp.Not(this=fo.copy()), status_lit(STATUS_NO)),
                     (is_null(pv.copy()), case([(exp.And(this=pcp.copy(), expression=exp.Not(this=exp.Or(this=pcm.copy(), expression=fy.copy()))),
                                                 status_lit(STATUS_PENDING))], status_lit(STATUS_UNKNOWN))),
                     (exp.Not(this=pv.copy()), status_lit(STATUS_NO))]
            amount_col, s = None, 0
            if monetary:
                amount = self.amount(item)
                pa_ = self.add1(self.pp1, "pa", amount.v)
                if amount.k is not None:
                    pk = self.add1(self.pp1, "pk", amount.k)
                    steps += [(eq(pk, intlit(PENDING)), status_lit(STATUS_PENDING)),
                              (eq(pk.copy(), intlit(UNKNOWN)), status_lit(STATUS_UNKNOWN)),
                              (eq(pk.copy(), intlit(NOT_APPLICABLE)), status_lit(STATUS_NO))]
                value, s, stops = self.history_caps(item, pa_, amount.s, True)
                steps += stops
                amount_col = self.add1(self.pp2, "pv", value)
            pst = self.add1(self.pp2, "pst", case(steps, status_lit("ok")))
            self.project_rows[item.label] = (pst.name, amount_col.name if amount_col is not None else None, s)
        finally:
            self.in_project = False

        def agg(prefix, expression):
            return self.add1(self.pagg, prefix, expression)

        def any_of(test):
            return exp.func("COALESCE", exp.func("BOOL_OR", test), exp.false())
        # which of pays / 参数待定 / 信息不足 some project of the enterprise is: one aggregate of three bits
        flags = case([(eq(pst.copy(), status_lit(code)), intlit(bit)) for code, bit in PROJECT_BITS.items()], intlit(0))
        bits = agg("gbit", exp.func("COALESCE", exp.func("BIT_OR", flags), intlit(0)))

        def has(code):
            return exp.NEQ(this=exp.BitwiseAnd(this=bits.copy(), expression=intlit(PROJECT_BITS[code])), expression=intlit(0))
        any_ok, any_pend, any_unknown = has("ok"), has(STATUS_PENDING), has(STATUS_UNKNOWN)
        # 申报年度 missing reaches the item's facts from projects whose conditions were unknown, or whose amount ran
        merged = [exp.And(this=fy.copy(), expression=is_null(pv.copy()))]
        if monetary:
            merged.append(and_all([fy.copy(), exp.func("COALESCE", pv.copy(), exp.false()), fo.copy()]))
        any_fy = agg("gfy", any_of(or_all(merged)))
        total = agg("gsum", exp.func("SUM", case([(eq(pst.copy(), status_lit("ok")), to_scale(amount_col.copy(), s, s))]))) \
            if monetary else None
        if item.kind == "一事一议":
            inner, value = status_lit("一事一议"), None
        elif item.kind == "非资金支持":
            inner, value = case([(any_fy.copy(), status_lit(STATUS_UNKNOWN))], self.gate(item)), None
        else:
            value, s2, stops = self.settle_amount(item, exp.func("COALESCE", total, dec(Decimal(0), s)), s)
            inner = case([(any_pend.copy(), status_lit(STATUS_PENDING)), (any_unknown.copy(), status_lit(STATUS_UNKNOWN))]
                         + stops + [(any_fy.copy(), status_lit(STATUS_UNKNOWN))], self.gate(item))
            value = (value, s2)
        status = case([(any_ok, inner), (any_pend, status_lit(STATUS_PENDING)), (any_unknown, status_lit(STATUS_UNKNOWN))],
                      status_lit(STATUS_NO))
        return status, value


def qualify(expression: exp.Expression, names: set, table: str) -> exp.Expression:
    """Unqualified references to ``names`` read them from ``table``."""
    for column in expression.find_all(exp.Column):
        if not column.table and column.name in names:
            column.set("table", ident(table))
    return expression


def sel(*columns) -> exp.Select:
    return exp.Select(expressions=list(columns))


def aliased_(expression, name, quoted=True):
    return exp.Alias(this=expression, alias=ident(name))


def aliased(expression, name):
    return exp.Alias(this=expression, alias=ident(name))


def table_as(name: str, alias: str | None = None):
    return exp.Table(this=ident(name), alias=exp.TableAlias(this=ident(alias or name)))


def sub_as(select: exp.Select, alias: str):
    return exp.Subquery(this=select, alias=exp.TableAlias(this=ident(alias)))


def on_id(a: str, b: str, idx: bool = False):
    parts = [eq(col("_id", a), col("_id", b))]
    if idx:
        parts.append(eq(col("_idx", a), col("_idx", b)))
    return and_all(parts)


def lower_policy(plan: PolicyPlan, params: dict, force=True, to_python: dict | None = None) -> LoweredPolicy:
    """The query for ``plan`` with parameter values ``params`` (name → runtime value); ``force`` is
    True, False (不在施行期) or the runtime's PENDING for the policy's validity on the evaluation date.
    ``to_python``: items to leave to the Python evaluator whatever this target could do (label → why)."""
    lw = PolicyLowerer(plan, params)
    status_cols, amount_cols, unsupported = {}, {}, {}
    per_project = {i.label for i in plan.items if i.per_project}
    specs = {i.label: i for i in plan.items}
    left_to_python = dict(to_python or {})  # label → why: rules applied project by project, mostly
    for winner, loser in plan.overrides:
        if winner in per_project and loser in per_project:
            left_to_python.setdefault(loser, f"被{winner}按项目取代（例外），SQL 目标未实现按项目取代")
    groups_of = {}  # item → the 互斥 groups (not 累加) it belongs to
    for group in plan.exclusives:
        if group["rule"] != "累加":
            for m in group["members"]:
                groups_of.setdefault(m, []).append(group["name"])
    project_groups = [g for g in plan.exclusives if g.get("per_project") and g["rule"] != "累加"]
    for group in project_groups:
        for m in group["members"]:
            if m in per_project and len(groups_of[m]) > 1:
                left_to_python.setdefault(m, f"同属互斥组{'、'.join(f'「{n}」' for n in groups_of[m])}，"
                                               "其中有按项目互斥，各组的先后 SQL 目标未实现")
    layers = ("l0", "l1", "l2", "pp0", "pp1", "pp2", "pagg")
    for item in plan.items:
        if item.label in left_to_python:
            unsupported[item.label] = left_to_python[item.label]
            continue
        marks = {name: len(getattr(lw, name)) for name in layers}
        features = (dict(lw.features.enterprise), dict(lw.features.project))
        try:
            status, value = lw.item_columns(item)
        except Unsupported as exc:
            for name, mark in marks.items():
                del getattr(lw, name)[mark:]
            lw.features.enterprise, lw.features.project = features
            lw.unknown_aliases = {a for a, _ in lw.l0 if a.startswith("unknown:")}
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
        lw.l2.append((f"st{index}", status))
        lw.l2.append((f"raw{index}", cast(amount, decimal_type(2))))
    # a per-project 互斥 group compares its members project by project: all in SQL, or all in Python
    more = {}
    for group in project_groups:
        members = [m for m in group["members"] if m in per_project]
        gone = [m for m in members if m in unsupported]
        for m in members:
            if gone and m not in unsupported:
                more[m] = f"与{gone[0]}同属按项目互斥组「{group['name']}」，后者由 Python 计算"
    if more:
        return lower_policy(plan, params, force, {**left_to_python, **more})
    groups = []  # (group, [(label, project status column, amount column, scale, received-before column)])
    for group in project_groups:
        members = [m for m in group["members"]  # those paid by project: the others take no part (runtime)
                   if m in status_cols and m in lw.project_rows and lw.project_rows[m][1] is not None]
        once = [m for m in members if specs[m].frequency and specs[m].frequency[0] in ONE_OFF]
        rows = []
        for m in members:
            pst, pv, scale = lw.project_rows[m]
            others = [t for t in once if t != m and t not in (specs[m].topup or ())] if m in once else []
            before = None
            if others:  # runtime.received_before_by_project: another one-off member paid this project before
                earlier = lw.history_sum(tuple(sorted(others)), "count", None, True, "positive")
                before = lw.add1(lw.pp0, "prb", exp.GT(this=earlier, expression=intlit(0))).name
            rows.append((m, pst, pv, scale, before))
        if rows:
            groups.append((group, rows))
    validity = None if force is True else ("参数待定" if force is rt.PENDING else "不在施行期")
    for alias, labels in taken_features(plan, status_cols).items():  # 互斥: one-off members received before
        lw.l0.append((alias, lw.history_sum(labels, "count", None, False, "positive")))
        lw.l2.append((alias, col(alias)))

    names = lambda layer: {a for a, _ in layer}  # noqa: E731
    ctes = []  # (name, select): read more than once
    # per project
    pg = None
    if lw.pagg:
        pp0 = sel(col("_id", "p"), col("_idx", "p"), aliased(col("_name", "p"), "_name"),
                  *[aliased(e, a) for a, e in lw.pp0]) \
            .from_(table_as("p"), copy=False).join(table_as("e"), on=on_id("p", "e"), copy=False)
        if lw.features.project:
            hpf = sel(col("_id", "p"), col("_idx", "p"),
                             *[aliased(e, a) for a, e in lw.features.project.values()]) \
                .from_(table_as("p"), copy=False).join(table_as("e"), on=on_id("p", "e"), copy=False) \
                .join(table_as("h"), on=and_all([eq(col("_id", "h"), col("_id", "p")),
                                                 exp.Or(this=eq(col("项目", "h"), col("_name", "p")),
                                                        expression=is_null(col("项目", "h")))]), join_type="left", copy=False) \
                .group_by(col("_id", "p"), col("_idx", "p"), copy=False)
            pp0 = pp0.join(sub_as(hpf, "hpf"), on=on_id("hpf", "p", True), join_type="left", copy=False)
            qualify(pp0, {a for a, _ in lw.features.project.values()}, "hpf")
        pp1 = sel(exp.Column(this=exp.Star(), table=ident("pp0")), *[aliased(e, a) for a, e in lw.pp1]) \
            .from_(sub_as(pp0, "pp0"), copy=False).join(table_as("p"), on=on_id("pp0", "p", True), copy=False) \
            .join(table_as("e"), on=on_id("pp0", "e"), copy=False)
        qualify(pp1, names(lw.pp0), "pp0")
        pp2 = sel(exp.Column(this=exp.Star(), table=ident("pp1")), *[aliased(e, a) for a, e in lw.pp2]) \
            .from_(sub_as(pp1, "pp1"), copy=False).join(table_as("p"), on=on_id("pp1", "p", True), copy=False) \
            .join(table_as("e"), on=on_id("pp1", "e"), copy=False)
        qualify(pp2, names(lw.pp0) | names(lw.pp1), "pp1")
        if groups:  # the project rows are read twice: by the items and by the groups
            ctes.append(("pp", pp2))
        pg = sel(col("_id", "pp2"), *[aliased(e, a) for a, e in lw.pagg]) \
            .from_(table_as("pp", "pp2") if groups else sub_as(pp2, "pp2"), copy=False) \
            .group_by(col("_id", "pp2"), copy=False)
        qualify(pg, names(lw.pp0) | names(lw.pp1) | names(lw.pp2), "pp2")
    # per enterprise
    feature_names = {a for a, _ in lw.features.enterprise.values()}
    l0 = sel(col("_id", "e"), *[aliased(col(a, "pg"), a) for a, _ in lw.pagg],
                    *[aliased(e, a) for a, e in lw.l0]).from_(table_as("e"), copy=False)
    if lw.features.enterprise:
        hs = sel(aliased(col("_id", "h"), "_id"), *[aliased(e, a) for a, e in lw.features.enterprise.values()]) \
            .from_(table_as("h"), copy=False).join(table_as("e"), on=on_id("h", "e"), copy=False).group_by(col("_id", "h"), copy=False)
        l0 = l0.join(sub_as(hs, "hs"), on=on_id("hs", "e"), join_type="left", copy=False)
        qualify(l0, feature_names, "hs")
    if pg is not None:
        l0 = l0.join(sub_as(pg, "pg"), on=on_id("pg", "e"), join_type="left", copy=False)
    reads_e = lambda layer: any(c.table == "e" for _, x in layer for c in x.find_all(exp.Column))  # noqa: E731
    l1 = sel(exp.Column(this=exp.Star(), table=ident("l0")), *[aliased(e, a) for a, e in lw.l1]) \
        .from_(sub_as(l0, "l0"), copy=False)
    if reads_e(lw.l1):
        l1 = l1.join(table_as("e"), on=on_id("l0", "e"), copy=False)
    qualify(l1, names(lw.l0) | names(lw.pagg), "l0")
    l2 = sel(col("_id", "l1"), *[aliased(e, a) for a, e in lw.l2]).from_(sub_as(l1, "l1"), copy=False)
    if reads_e(lw.l2):
        l2 = l2.join(table_as("e"), on=on_id("l1", "e"), copy=False)
    qualify(l2, names(lw.l0) | names(lw.pagg) | names(lw.l1), "l1")
    coded, more = combine_layer(plan, status_cols, amount_cols, unsupported, validity, sub_as(l2, "l2"), groups)
    for name, select in ctes + more:
        coded = coded.with_(name, as_=select, copy=False)
    totals_unsupported = []
    if unsupported:
        totals_unsupported.append("有条款未能写成 SQL，合计由 Python 计算")
    if plan.group_caps:
        totals_unsupported.append("组合上限，SQL 目标未实现")
    if plan.sum_caps:
        totals_unsupported.append("总额上限，SQL 目标未实现")
    return LoweredPolicy(plan, parenthesize(coded), tuple(i.label for i in plan.items), status_cols, amount_cols,
                         unsupported, tuple(totals_unsupported), validity)


def combine_layer(plan: PolicyPlan, status_cols, amount_cols, unsupported, validity, l2: exp.Expression,
                  project_groups=()) -> tuple[exp.Select, list]:
    """runtime.combine over the item layer ``l2``: 例外, 互斥 (per project, then 就高, 优先 and one-off
    members received before), then the totals; each step a layer of its own (c1 … c4) reading the one
    before by name. Returns the query and the named layers it reads more than once (CTEs)."""
    labels = list(status_cols)
    index = {label: i for i, label in enumerate(labels)}
    if validity is not None:
        cols = [col("_id", "l2")]
        for label in labels:
            cols.append(aliased(status_lit(validity), status_cols[label]))
            cols.append(aliased(cast(exp.Null(), decimal_type(2)), amount_cols[label]))
        cols += [aliased(dec(Decimal("0.00"), 2), "合计"), aliased(dec(Decimal("0.00"), 2), "最高合计")]
        return sel(*cols).from_(l2, copy=False), []
    paying = [status_lit("符合"), status_lit("待评定")]
    per_project = {i.label for i in plan.items if i.per_project}
    # c1: statuses and amounts after 例外 (the loser pays nothing when both would pay)
    c1 = [col("_id", "l2")]
    for label in labels:
        i = index[label]
        status = col(f"st{i}", "l2")
        amount = case([(exp.In(this=col(f"st{i}", "l2"), expressions=[x.copy() for x in paying]), col(f"raw{i}", "l2"))])
        for winner, loser in plan.overrides:
            if loser != label or winner not in index or (winner in per_project and loser in per_project):
                continue
            w = index[winner]
            both = and_all([exp.In(this=col(f"st{x}", "l2"), expressions=[y.copy() for y in paying]) for x in (w, i)])
            status = case([(both, status_lit("不符合"))], status)
            amount = case([(both.copy(), cast(exp.Null(), decimal_type(2)))], amount)
        c1 += [aliased(status, f"s{i}"), aliased(amount, f"m{i}")]
    taken = [a for a in taken_features(plan, status_cols)]
    c1 += [aliased(col(a, "l2"), a) for a in taken]
    layer1 = sel(*c1).from_(l2, copy=False)
    ctes = []
    if project_groups:
        ctes.append(("c0", layer1))
        layer1 = by_project(labels, index, taken, project_groups)

    def m(label):
        return col(f"m{index[label]}", "c1")

    def st(label):
        return col(f"s{index[label]}", "c1")
    # c2: per 互斥 group, which members are present (paid and not excluded by an earlier award)
    c2 = [exp.Column(this=exp.Star(), table=ident("c1"))]
    c3 = [exp.Column(this=exp.Star(), table=ident("c2"))]
    specs = {i.label: i for i in plan.items}
    survival = {label: [] for label in labels}
    for g, group in enumerate(plan.exclusives):
        if group["rule"] == "累加" or group.get("per_project"):
            continue
        members = [x for x in group["members"] if x in index]
        if not members:
            continue
        once = [x for x in members if specs[x].frequency and specs[x].frequency[0] in ONE_OFF and not specs[x].per_project]
        for j, x in enumerate(members):
            present = [not_null(m(x))]
            others = [t for t in once if t != x and t not in (specs[x].topup or ())] if x in once else []
            if others:
                excluded = exp.GT(this=exp.func("COALESCE", col("taken:" + "|".join(sorted(others)), "c1"), intlit(0)),
                                  expression=intlit(0))
                present.append(exp.Not(this=excluded))
                survival[x].append(exp.Not(this=exp.And(this=not_null(m(x)), expression=excluded.copy())))
            c2.append(aliased(and_all(present), f"x{g}_{j}"))
        undecided = or_all([exp.In(this=st(x), expressions=[status_lit("参数待定"), status_lit("信息不足")]) for x in members])
        c2.append(aliased(undecided, f"u{g}"))
        pres = [col(f"x{g}_{j}", "c2") for j in range(len(members))]
        count = balanced(exp.Add, [case([(p, intlit(1))], intlit(0)) for p in pres])
        applies = exp.And(this=exp.GTE(this=count, expression=intlit(1)),
                          expression=exp.Or(this=col(f"u{g}", "c2"), expression=exp.GTE(this=count.copy(), expression=intlit(2))))
        amounts = [case([(p.copy(), col(f"m{index[x]}", "c2"))]) for p, x in zip(pres, members)]
        if group["rule"] == "就高":
            top = amounts[0] if len(amounts) == 1 else \
                exp.Greatest(this=amounts[0], expressions=amounts[1:], ignore_nulls=True)  # the largest paid
            c2_top = aliased(top, f"t{g}")
            keep = case([(exp.And(this=p.copy(), expression=eq(col(f"m{index[x]}", "c2"), col(f"t{g}", "c2x"))), intlit(j))
                         for j, (p, x) in enumerate(zip(pres, members))])
        else:
            c2_top = None
            keep = case([(p.copy(), intlit(j)) for j, p in enumerate(pres)])
        c3.append(aliased(applies, f"a{g}"))
        c3.append(aliased(keep, f"k{g}"))
        if c2_top is not None:
            c3.append(c2_top)
        for j, x in enumerate(members):
            survival[x].append(exp.Or(this=exp.Not(this=col(f"a{g}", "c3")), expression=eq(col(f"k{g}", "c3"), intlit(j))))
    # the keep test compares with the group's top amount, computed beside it: read it from a lateral layer
    layer2 = sel(*c2).from_(sub_as(layer1, "c1"), copy=False)
    c3x = [exp.Column(this=exp.Star(), table=ident("c2"))] + [x for x in c3[1:] if x.alias.startswith("t")]
    layer2x = sel(*c3x).from_(sub_as(layer2, "c2"), copy=False)
    c3 = [exp.Column(this=exp.Star(), table=ident("c2x"))] + [x for x in c3[1:] if not x.alias.startswith("t")]
    for x in c3[1:]:
        for column in x.find_all(exp.Column):
            if column.table == "c2":
                column.set("table", ident("c2x"))
    layer3 = sel(*c3).from_(sub_as(layer2x, "c2x"), copy=False)
    cols = [col("_id", "c3")]
    certain, at_most = [], []
    for label in labels:
        i = index[label]
        cols.append(aliased(col(f"s{i}", "c3"), status_cols[label]))
        cols.append(aliased(col(f"m{i}", "c3"), amount_cols[label]))
        inc = and_all([not_null(col(f"m{i}", "c3"))] + survival[label])
        inc = exp.func("COALESCE", inc, exp.false())
        at_most.append(case([(inc, col(f"m{i}", "c3"))], dec(Decimal("0.00"), 2)))
        certain.append(case([(exp.And(this=inc.copy(), expression=eq(col(f"s{i}", "c3"), status_lit("符合"))), col(f"m{i}", "c3"))],
                            dec(Decimal("0.00"), 2)))
    cols.append(aliased(cast(_sum(certain), decimal_type(2)), "合计"))
    cols.append(aliased(cast(_sum(at_most), decimal_type(2)), "最高合计"))
    for x in cols:
        for column in x.find_all(exp.Column):
            if column.table in ("c1", "c2", "c2x"):
                column.set("table", ident("c3"))
    return sel(*cols).from_(sub_as(layer3, "c3"), copy=False), ctes


def by_project(labels, index, taken, groups) -> exp.Select:
    """runtime.received_before_by_project and exclusive_by_project over the layer c0 (statuses and
    amounts after 例外): per enterprise and project name, each member's amount for the project
    (rounded to the fen, as 项目金额 holds it); a member drops the project when another one-off member
    paid it before, or when another member present for it wins (就高: the largest, the first listed
    on a tie; 优先: the first listed). A member that drops a project keeps the smaller of its amount
    and the projects it keeps, and with none kept it is 不符合. The result has c0's columns."""
    per_name = [col("_id", "pp2"), col("_name", "pp2")]
    kept_sums, dropped = [], []
    for g, (group, rows) in enumerate(groups):
        candidates = []
        for j, (label, pst, pv, scale, before) in enumerate(rows):
            ok = eq(col(pst, "pp2"), status_lit("ok"))
            total = exp.func("SUM", case([(ok, to_scale(col(pv, "pp2"), scale, max(scale, 2)))]))
            per_name.append(aliased(exp.func("ROUND", total, intlit(2)), f"r{g}_{j}"))
            if before is not None:
                per_name.append(aliased(exp.func("BOOL_OR", col(before, "pp2")), f"b{g}_{j}"))
            paying = not_null(col(f"m{index[label]}", "c1"))
            amount = col(f"r{g}_{j}", "pj")
            present = and_all([paying.copy(), not_null(amount.copy())]
                              + ([exp.Not(this=exp.func("COALESCE", col(f"b{g}_{j}", "pj"), exp.false()))]
                                 if before is not None else []))
            candidates.append((label, present, amount, paying))
        if group["rule"] == "就高":
            bids = [case([(present.copy(), amount.copy())]) for _, present, amount, _ in candidates]
            top = bids[0] if len(bids) == 1 else exp.Greatest(this=bids[0], expressions=bids[1:], ignore_nulls=True)
            keep = case([(and_all([present.copy(), eq(amount.copy(), top.copy())]), intlit(j))
                         for j, (_, present, amount, _) in enumerate(candidates)])
        else:
            keep = case([(present.copy(), intlit(j)) for j, (_, present, _, _) in enumerate(candidates)])
        for j, (label, present, amount, paying) in enumerate(candidates):
            kept = exp.func("COALESCE", and_all([present.copy(), eq(keep.copy(), intlit(j))]), exp.false())
            kept_sums.append((label, exp.func("SUM", case([(kept.copy(), amount.copy())]))))
            dropped.append((label, exp.func("BOOL_OR", and_all([paying.copy(), not_null(amount.copy()),
                                                                exp.Not(this=kept.copy())]))))
    pj = sel(*per_name).from_(table_as("pp", "pp2"), copy=False) \
        .group_by(col("_id", "pp2"), col("_name", "pp2"), copy=False)
    outcome = sel(col("_id", "pj"),
                  *[aliased(x, f"kept{index[label]}") for label, x in kept_sums],
                  *[aliased(x, f"drop{index[label]}") for label, x in dropped]) \
        .from_(sub_as(pj, "pj"), copy=False).join(table_as("c0", "c1"), on=on_id("pj", "c1"), copy=False) \
        .group_by(col("_id", "pj"), copy=False)
    members = {label for label, _ in kept_sums}
    cols = [col("_id", "c1")]
    for label in labels:
        i = index[label]
        status, amount = col(f"s{i}", "c1"), col(f"m{i}", "c1")
        if label in members:
            drops = exp.func("COALESCE", col(f"drop{i}", "po"), exp.false())
            kept = col(f"kept{i}", "po")
            status = case([(and_all([drops, is_null(kept)]), status_lit(STATUS_NO))], status)
            smaller = case([(is_null(kept.copy()), cast(exp.Null(), decimal_type(2))),
                            (exp.LT(this=kept.copy(), expression=amount.copy()), cast(kept.copy(), decimal_type(2)))],
                           amount.copy())
            amount = case([(drops.copy(), smaller)], amount)
        cols += [aliased(status, f"s{i}"), aliased(amount, f"m{i}")]
    cols += [aliased(col(a, "c1"), a) for a in taken]
    return sel(*cols).from_(table_as("c0", "c1"), copy=False) \
        .join(sub_as(outcome, "po"), on=on_id("po", "c1"), join_type="left", copy=False)


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
    return balanced(exp.Add, [dec(Decimal("0.00"), 2), *parts])
