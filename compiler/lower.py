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
with its own condition (the amount if it holds, none of the table's if it fails).
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import attrs

from . import nodes as n
from . import render
from .literals import Count, Duration, Money, Ratio, Year
from .program import Program
from .runtime import NO_LEVEL
from .typecheck import TypeChecker, declared


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
    text: str
    where: str
    test: tuple
    sides: tuple | None  # (op, left, right) for a threshold, to report how far off
    unit: str


@attrs.frozen
class Limit:
    kind: str
    text: str
    where: str
    amount: tuple


@attrs.frozen
class ItemPlan:
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


@attrs.frozen
class PolicyPlan:
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


def where(span) -> str:
    """A position in a trace: file name, line, column (no directory, so output does not depend on it)."""
    return f"{os.path.basename(span.file)}:{span.line}:{span.column}"


class Lowerer:
    def __init__(self, program: Program):
        self.program = program
        self.s = program.symbols
        self.types = TypeChecker(program, _Quiet())
        self.members = self.s.level_members()

    # ---- expressions ----
    def rank(self, levels_name: str, member: str) -> int:
        return self.s.level_rank(levels_name, member)

    def expr(self, e) -> tuple:
        if isinstance(e, n.Literal):
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
        return self.cond(e)

    def ref(self, e: n.Ref) -> tuple:
        decl = self.s.value_decl(e.key)
        if isinstance(decl, n.Field):
            return ("pfield" if decl.project else "field", decl.name)
        if isinstance(decl, n.Param):
            return ("param", decl.name)
        if isinstance(decl, n.Measure):
            return self.expr(decl.formula)
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
        if isinstance(e, n.Compare):
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
            return ("holds", names, rank, e.level_op or ">=")
        if isinstance(e, n.Member):
            t = self.types.type_of(e.left)
            if t and t[0] == "等级":
                values = frozenset(self.rank(t[1], el.name) for el in e.elements)
            else:
                values = frozenset(el.name for el in e.elements)
            return ("member" if e.op == "属于" else "contains", self.expr(e.left), values)
        return ("truth", self.expr(e))

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
                if isinstance(part, n.Compare):
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
        if item.frequency is not None:
            f = item.frequency
            text = {"一次性": "一次性支持", "每年": "每年支持一次", "最多": f"最多支持{f.count}{f.unit or '次'}",
                    "序数": f"限第1至{f.count}{f.unit or '次'}"}[f.kind]
            freq = (f.kind, f.count, text, where(f.span))
        uplifts = tuple((self.expr(u.ratio), self.cond(u.when) if u.when is not None else None,
                         f"上浮{render.text(u.ratio)}" + (f"，若{render.text(u.when)}" if u.when is not None else ""),
                         where(u.span)) for u in item.uplifts)
        limits = tuple(Limit(lim.kind, f"{lim.kind}{''.join(lim.words)}{render.text(lim.amount)}", where(lim.span),
                             self.expr(lim.amount)) for lim in item.limits)
        topup = None
        if item.topup is not None:
            refs = item.topup or (n.ItemRef(item.article, item.name, item.span),)
            topup = tuple(self.labels(r) for r in refs)
            topup = tuple(label for group in topup for label in group)
        formula = render.award_text(award) if award else "非资金支持"
        for lim in item.limits:
            formula += f"，{lim.kind}{''.join(lim.words)}{render.text(lim.amount)}"
        return ItemPlan(
            label=item.label, article=item.article, name=item.name, where=where(item.span),
            quote=item.quote.text if item.quote else None, kind=kind, gate=item.assessment,
            per_project=item.per_project, frequency=freq, conditions=tuple(conditions), award=amount,
            uplifts=uplifts, limits=limits, topup=topup,
            tranches=tuple(self.expr(t) for t in item.tranches), formula=formula,
            up_to=award.up_to[0] if award is not None and award.up_to else None,
            result=(award.result, self.types.type_of(award.amount)) if award is not None and award.kind == "核定"
            else None)

    def labels(self, ref: n.ItemRef) -> tuple[str, ...]:
        if ref.item is not None:
            return (self.s.items[ref.key].label,)
        return tuple(i.label for i in self.s.articles[ref.article].items)

    # ---- the policy ----
    def run(self) -> PolicyPlan:
        s = self.s
        docs = self.program.documents()
        narrowings: dict = {}
        for doc in docs:
            for nar in doc.narrowings:
                for label in self.labels(nar.target):
                    narrowings.setdefault(label, []).append(nar.condition)
        items = tuple(self.item(item, narrowings.get(item.label, [])) for item in s.items.values())
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
        overrides = tuple((item.label, label) for item in s.items.values() if item.overrides is not None
                          for label in self.labels(item.overrides))
        exclusives = tuple({"name": x.name or "互斥组", "members": [l for r in x.members for l in self.labels(r)],
                            "rule": x.rule, "where": where(x.span)} for doc in docs for x in doc.exclusives)
        sum_caps = tuple((f"总额上限{render.text(c.amount)}", self.expr(c.amount)) for doc in docs for c in doc.sum_caps)
        return PolicyPlan(
            name=self.program.policy.name, where=where(self.program.policy.span),
            fields={f.name: declared(f.type) for f in s.fields.values() if not f.project},
            project_fields={f.name: declared(f.type) for f in s.fields.values() if f.project},
            levels={lv.name: [m.name for m in lv.members] for lv in s.levels.values()},
            recognitions={r.name: r.levels for r in s.recognitions.values()},
            declared_params=declared_params, param_values=values, validity=validity, items=items,
            overrides=overrides, exclusives=exclusives, sum_caps=sum_caps,
            descriptions={f.name: f.description for f in s.fields.values() if f.description},
            signed=frozenset(f.name for f in s.fields.values() if f.signed))

    def value_of(self, p: n.Param, e):
        if isinstance(e, n.Literal):
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
    return Lowerer(program).run()
