"""Lowering pass: a checked Program becomes a plan that evaluators can run.

The plan is plain data: per item its label, trace texts and positions, and
each expression as a small tuple-based IR with names resolved (measures
inlined, levels turned into ranks, literals into exact values). The reference
interpreter walks this IR; the code generator prints it as Python. Both read
the same plan, so they can differ only in how they run it.

IR forms: ("const", v) ("field", name) ("pfield", name) ("param", name)
("add"|"sub"|"mul"|"div", a, b) ("cmp", op, a, b) ("and", [..]) ("or", [..])
("not", a) ("truth", a) ("holds", names, rank|None, op) ("member", a, values)
("contains", a, values) ("level_of", recognition) ("by_level", a, {rank: ir})
("tiers", measure, [(low_op, low, high_op, high, amount)]) ("when", condition, amount): a tier
with its own condition (the amount if it holds, none of the table's if it fails). ("least"|"greatest", [..])
("agg", kind, list, value|None, where|None, test|None) with kind sum/max/min/count/all/any, and inside it
("lfield", list, name) for a field of the list's current item; ("steps", measure, size, each);
("round", floor|ceiling|half_up, value, unit); ("award_of", label) for another item's amount.
("marginal", measure, [(low|None, high|None, rate)]): 累进, each band's part at its rate, added up.
("add_months", date, months): the day a period from a date ends on (自「日期」起 一年内).
("first", op, field, last_year_field|None, threshold): 首次, reached now and in no earlier year.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import attrs

from compiler.syntax import nodes as n
from compiler.syntax import render
from compiler.syntax.literals import Count, Duration, Money, Ratio, Year
from compiler.semantics.program import Program
from compiler.runtime import NO_LEVEL
from compiler.semantics.typecheck import TypeChecker, declared, is_text_value


def const_value(value):
    """A literal's runtime value: exact Decimal for every number."""
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, (Ratio, Count)):
        return value.value
    if isinstance(value, Year):
        return value.year
    if isinstance(value, Duration):
        return Decimal(value.months)
    return value


@attrs.frozen
class Condition:
    """One 且-part of an item's conditions: its trace text and position, its IR,
    and for a threshold the sides and unit that say how far off the enterprise is."""
    text: str
    where: str
    test: tuple
    sides: tuple | None  # (op, left, right) for a threshold, to report how far off
    unit: str


@attrs.frozen
class Limit:
    """A cap or floor in the plan: the runtime's kind (``limit_kind``), its trace text and place, its amount's IR."""
    kind: str
    text: str
    where: str
    amount: tuple


@attrs.frozen
class ItemPlan:
    """Everything an evaluator needs for one item, with names resolved: conditions, award, limits, frequency,
    and the texts and positions its trace shows."""
    label: str
    article: str
    name: str
    where: str
    quote: str | None
    kind: str
    gate: str | None
    per_project: bool
    frequency: tuple | None  # (kind, count, text, where)
    conditions: tuple[Condition, ...]
    award: tuple | None
    uplifts: tuple  # ((ratio, when|None, text, where), ...)
    limits: tuple[Limit, ...]
    topup: tuple | None  # labels whose history 补差 subtracts
    tranches: tuple
    formula: str
    up_to: str | None = None  # the word (最高, 不超过, 不高于) when the text gives only a maximum: 最多可得
    result: tuple | None = None  # 核定: (name, type tuple) of a computed value that is not money paid
    frequency_also: tuple = ()  # further frequency parts, each as ``frequency``; all must allow


@attrs.frozen
class PolicyPlan:
    """The whole policy as plain data: the input contract (fields, levels, parameters), the items,
    and the rules that combine them; every target reads this, not the tree."""
    name: str
    where: str
    fields: dict  # name → type tuple
    project_fields: dict
    levels: dict  # level type → members, highest first
    recognitions: dict  # name → level type or None
    declared_params: dict  # name → (type, low, high)
    param_values: dict  # name → [(since|None, value)], latest last
    validity: tuple | None  # (start ir|None, end ir|None, months|None)
    items: tuple[ItemPlan, ...]
    overrides: tuple  # ((winner, loser), ...)
    exclusives: tuple  # ({name, members, rule, where}, ...)
    sum_caps: tuple  # ((text, ir), ...)
    descriptions: dict = attrs.field(factory=dict)  # field name → 说明
    signed: frozenset = attrs.field(factory=frozenset)  # fields declared 可为负
    lists: dict = attrs.field(factory=dict)  # list name → {field name → type}
    fractional_units: tuple = ()  # units declared 可为小数: their quantities may have decimals
    last_year: dict = attrs.field(factory=dict)  # field → its 上年 twin field, filled from the record's 历年
    sum_cap_scopes: tuple = ()
    group_caps: tuple = ()  # ({name, members, scope, text, where}, amount ir) per 组合上限
    externals: tuple = ()  # 外部「X」 labels: awards under other policies the record's 已获支持 may list  # per 总额上限: 每年 (this year's awards count) or 累计 (all past awards count)


def limit_kind(lim: n.Limit) -> str:
    """The runtime's name of a limit: 上限 年度上限 累计上限 下限, and for scoped caps 项目年度上限,
    项目累计上限 (each project's own history) or 期内累计上限/N (this year and the N−1 before)."""
    if lim.per_project:
        return "项目" + lim.kind
    if lim.window is not None:
        return f"期内累计上限/{lim.window}"
    return lim.kind


def where(span) -> str:
    """A position in a trace: file name, line, column (no directory, so output does not depend on it)."""
    return f"{os.path.basename(span.file)}:{span.line}:{span.column}"


class Lowerer:
    """Turns the checked tree into the plan: measures inlined, levels into ranks, units into their base."""
    def __init__(self, program: Program):
        self.program = program
        self.s = program.symbols
        self.types = TypeChecker(program, _Quiet())
        self.members = self.s.level_members()

    # ---- expressions ----
    def rank(self, levels_name: str, member: str) -> int:
        return self.s.level_rank(levels_name, member)

    def in_base(self, count: Count):
        """A quantity's value in its base unit: 2「公顷」 is 20000 (平方米)."""
        base = self.s.unit_base.get(count.unit)
        return count.value * base[1] if base else count.value

    def expr(self, e) -> tuple:
        """The IR of a value expression (see the module docstring for the forms)."""
        if isinstance(e, n.Literal):
            if isinstance(e.value, Count):
                return ("const", self.in_base(e.value))
            return ("const", const_value(e.value))
        if isinstance(e, n.Ref):
            return self.ref(e)
        if isinstance(e, n.Binary):
            op = {"+": "add", "-": "sub", "×": "mul", "÷": "div", "的": "mul"}[e.op]
            return (op, self.expr(e.left), self.expr(e.right))
        if isinstance(e, n.ByLevel):
            levels = self.types.type_of(e.measure)[1]
            entries = {self.rank(levels, lv.name): self.expr(a) for lv, a in e.entries}
            return ("by_level", self.expr(e.measure), entries)
        if isinstance(e, n.Pick):
            return ("least" if e.op == "较小者" else "greatest", [self.expr(x) for x in e.operands])
        if isinstance(e, n.Aggregate):
            return self.aggregate(e)
        if isinstance(e, n.AwardOf):
            return ("award_of", self.s.items[e.item.key].label)
        if isinstance(e, n.Within) and self.types.type_of(e.start) == ("日期",):
            # from the event's day to the same day a period later, both included (民法典第二百零一、二百零二条)
            value, start = self.expr(e.value), self.expr(e.start)
            end = ("add_months", start, ("const", Decimal(e.period.months)))
            return ("and", [("cmp", ">=", value, start), ("cmp", "<=", value, end)])
        if isinstance(e, n.Within):  # the start year and the years after it, as many as the period has
            years = Decimal(e.period.months // 12 - 1)
            value, start = self.expr(e.value), self.expr(e.start)
            return ("and", [("cmp", ">=", value, start), ("cmp", "<=", value, ("add", start, ("const", years)))])
        if isinstance(e, n.Step):
            return ("steps", self.expr(e.measure), self.expr(e.size), self.expr(e.each))
        if isinstance(e, n.Progressive):
            return ("marginal", self.expr(e.measure), self.segments(e))
        if isinstance(e, n.Round):
            mode = {"向下取整": "floor", "向上取整": "ceiling", "四舍五入": "half_up"}[e.mode]
            return ("round", mode, self.expr(e.value), self.expr(e.unit))
        return self.cond(e)

    def segments(self, e: n.Progressive) -> list:
        """A 累进 table as (low, high, rate) IR, lowest band first: a band with no upper bound ends at the
        next band's lower bound (the last runs on); a band with no lower bound starts at 0."""
        out = []
        for i, t in enumerate(e.tiers):
            band = t.band
            low = band.low.right if band is not None and band.low is not None else None
            high = band.high.right if band is not None and band.high is not None else None
            if high is None and i + 1 < len(e.tiers):
                following = e.tiers[i + 1].band
                high = following.low.right if following is not None and following.low is not None else None
            out.append((None if low is None else self.expr(low), None if high is None else self.expr(high),
                        self.expr(t.amount)))
        return out

    def aggregate(self, e: n.Aggregate) -> tuple:
        kind = {"合计": "sum", "最大值": "max", "最小值": "min", "计数": "count", "所有": "all", "任一": "any"}[e.kind]
        name = self.s.lists[e.list.key].name
        self.types.scopes.append(e.list.key)
        try:
            value = self.expr(e.value) if e.value is not None else None
            where = self.cond(e.where) if e.where is not None else None
            test = self.cond(e.test) if e.test is not None else None
        finally:
            self.types.scopes.pop()
        return ("agg", kind, name, value, where, test)

    def list_field_named(self, e: n.Ref) -> bool:
        return any((owner, e.key) in self.s.list_fields for owner in self.types.scopes)

    def ref(self, e: n.Ref) -> tuple:
        for owner in reversed(self.types.scopes):
            f = self.s.list_fields.get((owner, e.key))
            if f is not None:
                read = ("lfield", self.s.lists[owner].name, f.name)
                if f.type.kind == "数量" and f.type.detail[0] in self.s.unit_base:
                    return ("mul", read, ("const", self.s.unit_base[f.type.detail[0]][1]))
                return read
        decl = self.s.value_decl(e.key)
        if isinstance(decl, (n.Field, n.Param)) and decl.type.kind == "数量" and decl.type.detail[0] in self.s.unit_base:
            read = ("param", decl.name) if isinstance(decl, n.Param) else \
                ("pfield" if decl.project else "field", decl.name)
            return ("mul", read, ("const", self.s.unit_base[decl.type.detail[0]][1]))  # given in 公顷, used in 平方米
        if isinstance(decl, n.Field):
            return ("pfield" if decl.project else "field", decl.name)
        if isinstance(decl, n.Param):
            return ("param", decl.name)
        if isinstance(decl, n.Measure):
            scopes, self.types.scopes = self.types.scopes, []  # a measure's formula names no list item
            try:
                return self.expr(decl.formula)
            finally:
                self.types.scopes = scopes
        rec = self.s.recognitions.get(e.key)
        if rec is not None:
            return ("level_of", rec.name)
        raise ValueError(f"unresolved name {e.name}")  # the resolver reports these first

    def level_side(self, e, other) -> tuple:
        """A level member written in a comparison becomes its rank in the other side's level type."""
        if isinstance(e, n.Ref) and self.s.value_decl(e.key) is None and e.key in self.members \
                and e.key not in self.s.recognitions:
            t = self.types.type_of(other)
            return ("const", self.rank(t[1], e.name))
        return self.expr(e)

    def cond(self, e) -> tuple:
        """The IR of a condition; a value used as a condition becomes ("truth", ir)."""
        if isinstance(e, n.Within):
            return self.expr(e)
        if isinstance(e, n.Compare):
            if e.op == "==" and is_text_value(self.s, e.right) and not self.list_field_named(e.right):
                return ("member", self.expr(e.left), frozenset({e.right.name}))  # a text equals one value
            return ("cmp", e.op, self.level_side(e.left, e.right), self.level_side(e.right, e.left))
        if isinstance(e, n.Logic):
            return ("and" if e.op == "且" else "or", [self.cond(e.left), self.cond(e.right)])
        if isinstance(e, n.Not):
            return ("not", self.cond(e.operand))
        if isinstance(e, n.Holds):
            names = tuple(self.s.recognitions[r.key].name for r in e.recognitions)
            rank = None
            if e.level is not None:
                rec = self.s.recognitions[e.recognitions[0].key]
                rank = self.rank(rec.levels, e.level.name)
            if e.first:
                return ("first_holds", names, rank, e.level_op or ">=")
            return ("holds", names, rank, e.level_op or ">=")
        if isinstance(e, n.Received):
            return ("received", self.labels(e.source)[0])
        if isinstance(e, n.First):
            name = self.s.value_decl(e.measure.key).name
            return ("first", e.op, name, self.last_year_fields().get(name), self.expr(e.threshold))
        if isinstance(e, n.Member):
            t = self.types.type_of(e.left)
            if t and t[0] == "等级":
                values = frozenset(self.rank(t[1], el.name) for el in e.elements)
            else:
                values = frozenset(el.name for el in e.elements)
            return ("member" if e.op == "属于" else "contains", self.expr(e.left), values)
        return ("truth", self.expr(e))

    def last_year_fields(self) -> dict:
        """Field → its 上年 twin (「上年工业总产值」 for 「工业总产值」): the year before, as the stdlib spells it."""
        if not hasattr(self, "_last_year"):
            fields = {f.name: f for f in self.s.fields.values() if not f.project}
            twins = {}
            for f in fields.values():
                for prefix in ("上年度", "上年"):
                    base = fields.get(f.name[len(prefix):]) if f.name.startswith(prefix) else None
                    if base is not None and declared(base.type) == declared(f.type):
                        twins.setdefault(base.name, f.name)
            self._last_year = twins
        return self._last_year

    def unit(self, e) -> str:
        t = self.types.type_of(e)
        if t is None:
            return ""
        if t[0] == "金额":
            return t[1]
        if t[0] == "比例":
            return "%"
        if t[0] == "数量":
            return t[1]
        return ""

    # ---- items ----
    def item(self, item: n.Item, narrowing: list) -> ItemPlan:
        conditions = []
        for c in (*item.conditions, *narrowing):
            for part in n.operands(c, "且"):
                sides = None
                unit = ""
                if isinstance(part, n.Compare) and part.op != "==":
                    sides = (part.op, self.level_side(part.left, part.right), self.level_side(part.right, part.left))
                    unit = self.unit(part.right)
                conditions.append(Condition(render.text(part), where(part.span), self.cond(part), sides, unit))
        award = item.award
        kind = award.kind if award else "非资金支持"
        amount = None
        if award is not None and award.kind == "分档":
            tiers = []
            for tier in award.tiers:
                band = tier.band
                low = (band.low.op, self.expr(band.low.right)) if band and band.low else (None, None)
                high = (band.high.op, self.expr(band.high.right)) if band and band.high else (None, None)
                amount = self.expr(tier.amount)
                if tier.when is not None:  # the band pays only if its own condition holds too
                    amount = ("when", self.cond(tier.when), amount)
                tiers.append((low[0], low[1], high[0], high[1], amount))
            amount = ("tiers", self.expr(award.measure), tiers)
        elif award is not None and award.amount is not None:
            amount = self.expr(award.amount)
        freq = None
        freq_also = ()
        if item.frequency is not None:
            f = item.frequency
            freq = (f.kind, f.count, render.frequency_text(f), where(f.span))
            freq_also = tuple((g.kind, g.count, render.frequency_text(g), where(g.span)) for g in f.also)
        uplifts = tuple((self.expr(u.ratio), self.cond(u.when) if u.when is not None else None,
                         f"上浮{render.text(u.ratio)}" + (f"，若{render.text(u.when)}" if u.when is not None else ""),
                         where(u.span)) for u in item.uplifts)
        limits = tuple(Limit(limit_kind(lim), render.limit_text(lim), where(lim.span), self.expr(lim.amount))
                       for lim in item.limits)
        topup = None
        if item.topup is not None:
            refs = item.topup or (n.ItemRef(item.article, item.name, item.span),)
            topup = tuple(self.labels(r) for r in refs)
            topup = tuple(label for group in topup for label in group)
        formula = render.award_text(award) if award else "非资金支持"
        for lim in item.limits:
            formula += f"，{render.limit_text(lim)}"
        return ItemPlan(
            label=item.label, article=item.article, name=item.name, where=where(item.span),
            quote=item.quote.text if item.quote else None, kind=kind, gate=item.assessment,
            per_project=item.per_project, frequency=freq, frequency_also=freq_also,
            conditions=tuple(conditions), award=amount,
            uplifts=uplifts, limits=limits, topup=topup,
            tranches=tuple(self.expr(t) for t in item.tranches), formula=formula,
            up_to=award.up_to[0] if award is not None and award.up_to else None,
            result=(award.result, self.types.type_of(award.amount)) if award is not None and award.kind == "核定"
            else None)

    def labels(self, ref: n.ItemRef) -> tuple[str, ...]:
        """The labels an ItemRef stands for: one item or every item of an article (none still 待编码),
        or the 外部 award it names."""
        if ref.article == n.EXTERNAL:
            return (str(n.ItemRef(n.EXTERNAL, self.s.externals[ref.key[1]].name, ref.span)),)
        if ref.item is not None:  # an item still 待编码 is not in the plan, so nothing refers to it
            return tuple(i.label for i in (self.s.items[ref.key],) if not i.unencoded)
        return tuple(i.label for i in self.s.articles[ref.article].items if not i.unencoded)

    # ---- the policy ----
    def run(self) -> PolicyPlan:
        """The program's PolicyPlan: items (not those 待编码), parameters with their bindings by date, combinations."""
        s = self.s
        docs = self.program.documents()
        narrowings: dict = {}
        for doc in docs:
            for nar in doc.narrowings:
                for label in self.labels(nar.target):
                    narrowings.setdefault(label, []).append(nar.condition)
        items = tuple(self.item(item, narrowings.get(item.label, [])) for item in s.items.values()
                      if not item.unencoded)  # 待编码: no rule yet, so nothing to evaluate
        declared_params = {}
        values: dict = {}
        for p in s.params.values():
            low = high = None
            if p.range:
                low, high = (const_value(x.value) if isinstance(x, n.Literal) else None for x in p.range)
            declared_params[p.name] = (declared(p.type), low, high)
            if p.value is not None:
                values[p.name] = [(None, self.value_of(p, p.value))]
        for doc in docs:
            for b in doc.bindings:
                p = s.params.get(b.key)
                if p is not None:
                    values.setdefault(p.name, []).append((b.since, self.value_of(p, b.value)))
        for name in values:
            values[name].sort(key=lambda pair: pair[0] or datetime.date.min)
        validity = None
        v = self.program.policy.validity
        if v is not None:
            validity = (self.expr(v.start) if v.start is not None else None,
                        self.expr(v.end) if v.end is not None else None,
                        v.trial.months if v.trial else None)
        overrides = tuple((item.label, label) for item in s.items.values()
                          if item.overrides is not None and not item.unencoded
                          for label in self.labels(item.overrides))
        exclusives = tuple({"name": x.name or "互斥组", "members": [l for r in x.members for l in self.labels(r)],
                            "rule": x.rule, "where": where(x.span), **({"per_project": True} if x.per_project else {})}
                           for doc in docs for x in doc.exclusives)
        sum_caps = tuple((f"总额上限{'' if c.yearly else '（累计）'}{render.text(c.amount)}", self.expr(c.amount))
                         for doc in docs for c in doc.sum_caps)
        sum_cap_scopes = tuple("每年" if c.yearly else "累计" for doc in docs for c in doc.sum_caps)
        return PolicyPlan(
            name=self.program.policy.name, where=where(self.program.policy.span),
            fields={f.name: declared(f.type) for f in s.fields.values() if not f.project},
            project_fields={f.name: declared(f.type) for f in s.fields.values() if f.project},
            levels={lv.name: [m.name for m in lv.members] for lv in s.levels.values()},
            recognitions={r.name: r.levels for r in s.recognitions.values()},
            declared_params=declared_params, param_values=values, validity=validity, items=items,
            overrides=overrides, exclusives=exclusives, sum_caps=sum_caps,
            descriptions={f.name: f.description for f in s.fields.values() if f.description},
            signed=frozenset(f.name for f in s.fields.values() if f.signed),
            fractional_units=tuple(sorted(u.name for u in s.units.values() if u.fractional)),
            lists={lst.name: {f.name: declared(f.type) for (owner, _), f in s.list_fields.items() if owner == lst.key}
                   for lst in s.lists.values()},
            last_year=self.last_year_fields(), sum_cap_scopes=sum_cap_scopes,
            group_caps=tuple(({"name": g.name, "members": [l for r in g.members for l in self.labels(r)],
                               "scope": g.scope, "where": where(g.span),
                               "text": f"组合上限「{g.name}」{'（每个项目）' if g.scope == '项目' else ('每年' if g.scope == '每年' else '')}"
                                       f"{render.text(g.amount)}"}, self.expr(g.amount))
                             for doc in docs for g in doc.group_caps),
            externals=tuple(str(n.ItemRef(n.EXTERNAL, x.name, x.span)) for x in s.externals.values()))

    def value_of(self, p: n.Param, e):
        if isinstance(e, n.Literal):
            if isinstance(e.value, Count) and p.type.kind == "数量":  # in the parameter's own unit
                base = self.s.unit_base.get(p.type.detail[0])
                return self.in_base(e.value) / (base[1] if base else 1)
            return const_value(e.value)
        if isinstance(e, n.Ref):
            t = declared(p.type)
            if t[0] == "等级":
                return 0 if e.name == NO_LEVEL else self.rank(t[1], e.name)
            return e.name  # a text value
        raise ValueError("parameter values are literals")


class _Quiet:
    """A reporter that drops messages: the type pass already reported them."""

    def error(self, *args, **kwargs):
        pass

    warn = error


def lower(program: Program) -> PolicyPlan:
    """Lower a checked program (no errors) into the plan that every target reads."""
    return Lowerer(program).run()
