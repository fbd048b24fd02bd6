"""Resolve pass: fill the symbol tables and check that every name is declared.

Declarations from all loaded files share one namespace per kind, compared in
NFKC form. References that fail get the nearest declared name as a hint.
"""

from __future__ import annotations

from . import nodes as n
from .diagnostics import Reporter
from .program import Program
from .runtime import RECORD_KEYS

_RESERVED = {n.name_key(key): key for key in RECORD_KEYS}


def _declare(table: dict, key, decl, what: str, reporter: Reporter) -> None:
    if key in table:
        first = table[key]
        reporter.error("E210", f"{what}「{decl.name}」重复声明（与 {first.span} 的「{first.name}」相同）", decl.span,
                       "名称按全角半角统一后比较；请改用不同的名称")
    else:
        table[key] = decl


def collect(program: Program, reporter: Reporter) -> None:
    s = program.symbols
    values: dict[str, object] = {}  # fields, params and measures share one namespace
    for doc in program.documents():
        for f in doc.fields:
            _declare(values, f.key, f, "字段", reporter)
            s.fields.setdefault(f.key, f)
            if not f.project and f.key in _RESERVED:
                key = _RESERVED[f.key]
                reporter.error("E216", f"字段不能叫「{f.name}」：企业记录中的“{key}”是{RECORD_KEYS[key]}，不是字段",
                               f.span, f"换一个名称，如「{f.name}情况」")
        for p in doc.params:
            _declare(values, p.key, p, "参数", reporter)
            s.params.setdefault(p.key, p)
        for m in doc.measures:
            _declare(values, m.key, m, "度量", reporter)
            s.measures.setdefault(m.key, m)
        for lv in doc.levels:
            _declare(s.levels, n.name_key(lv.name), lv, "等级", reporter)
            seen = set()
            for m in lv.members:
                if m.key in seen:
                    reporter.error("E211", f"等级「{lv.name}」中「{m.name}」重复", m.span)
                seen.add(m.key)
        for r in doc.recognitions:
            _declare(s.recognitions, r.key, r, "认定", reporter)
        for u in doc.units:
            _declare(s.units, n.name_key(u.name), u, "单位", reporter)
        for a in doc.articles:
            if a.number in s.articles:
                reporter.error("E212", f"{a.label}重复（已在 {s.articles[a.number].span} 出现）", a.span,
                               "每条只写一次；同一条的多项支持写成多个“款”")
                continue
            s.articles[a.number] = a
            for item in a.items:
                if item.key in s.items:
                    reporter.error("E213", f"{a.label}中款「{item.name}」重复", item.span, "同一条中款名不能相同")
                else:
                    s.items[item.key] = item


MEASURE = object()  # resolving a measure's formula: project fields are allowed there


class Resolver:
    def __init__(self, program: Program, reporter: Reporter):
        self.current_item = None
        self.program = program
        self.s = program.symbols
        self.report = reporter
        self.level_members = self.s.level_members()

    def run(self) -> None:
        s = self.s
        for doc in self.program.documents():
            self.current_item = MEASURE
            for m in doc.measures:
                self.expr(m.formula)
            self.current_item = None
            for r in doc.recognitions:
                if r.levels and n.name_key(r.levels) not in s.levels:
                    self.report.error("E214", f"认定「{r.name}」的等级「{r.levels}」未声明", r.span,
                                      self._hint(n.name_key(r.levels), s.levels))
            for f in doc.fields:
                self.type(f.type)
            for p in doc.params:
                self.type(p.type)
                if p.range:
                    self.expr(p.range[0]); self.expr(p.range[1])
                if p.value is not None:
                    self.value(p, p.value)
            for a in doc.articles:
                for item in a.items:
                    self.item(item)
            self.current_item = None
            for x in doc.exclusives:
                for ref in x.members:
                    self.item_ref(ref)
            for c in doc.sum_caps:
                self.expr(c.amount)
            for b in doc.bindings:
                self.binding(b)
            for nar in doc.narrowings:
                self.item_ref(nar.target)
                self.expr(nar.condition)
            if doc.validity:
                for e in (doc.validity.start, doc.validity.end):
                    if e is not None:
                        self.expr(e)
            for case in doc.cases:
                self.case(case)

    # ---- helpers ----
    def _hint(self, key, pool) -> str | None:
        near = self.s.suggest(key, pool)
        return f"最接近的是「{near}」" if near else None

    def type(self, t: n.Type) -> None:
        if t.kind == "等级" and n.name_key(t.detail[0]) not in self.s.levels:
            self.report.error("E214", f"等级类型「{t.detail[0]}」未声明", t.span,
                              self._hint(n.name_key(t.detail[0]), self.s.levels))
        if t.kind == "数量" and self.s.units and n.name_key(t.detail[0]) not in self.s.units:
            self.report.error("E215", f"计数单位「{t.detail[0]}」未声明", t.span, "在标准库「基础」中声明单位")

    def value_ref(self, ref: n.Ref) -> None:
        if not ref.name:
            return
        decl = self.s.fields.get(ref.key)
        if decl is not None and decl.project:
            item = self.current_item
            if item is not MEASURE and (item is None or not item.per_project):
                self.report.error("E227", f"项目字段「{ref.name}」只能用在写了“每个项目”的款中", ref.span,
                                  "在这一款加上“每个项目”，或改用企业字段")
        if self.s.value_decl(ref.key) is None and ref.key not in self.level_members \
                and ref.key not in self.s.recognitions:
            pool = [*self.s.fields, *self.s.params, *self.s.measures]
            near = self.s.suggest(ref.key, pool)
            self.report.error("E220", f"未知名称「{ref.name}」", ref.span,
                              f"最接近的是「{near}」" if near else "字段在标准库中声明，参数用“参数”声明")

    def recognition(self, ref: n.Ref) -> None:
        if ref.key not in self.s.recognitions:
            self.report.error("E221", f"未知认定「{ref.name}」", ref.span,
                              self._hint(ref.key, self.s.recognitions) or "认定在标准库「认定」中声明")

    def level(self, ref: n.Ref) -> None:
        if ref.key not in self.level_members:
            self.report.error("E222", f"未知等级「{ref.name}」", ref.span, self._hint(ref.key, self.level_members))

    def item_ref(self, ref: n.ItemRef) -> None:
        if ref.article not in self.s.articles:
            self.report.error("E223", f"没有{n.ItemRef(ref.article, None, ref.span)}", ref.span,
                              "引用的条须在政策或细则中写出")
        elif ref.item is not None and ref.key not in self.s.items:
            names = {k[1] for k in self.s.items if k[0] == ref.article}
            self.report.error("E224", f"{n.ItemRef(ref.article, None, ref.span)}中没有款「{ref.item}」", ref.span,
                              self._hint(ref.key[1], names) or f"该条的款：{'、'.join(sorted(names)) or '（无）'}")

    def expr(self, root) -> None:
        for e in n.walk(root):
            if isinstance(e, n.Ref):
                self.value_ref(e)
            elif isinstance(e, n.ByLevel):
                for level, _ in e.entries:
                    self.level(level)
            elif isinstance(e, n.Holds):
                for r in e.recognitions:
                    self.recognition(r)
                if e.level is not None:
                    self.level(e.level)

    def item(self, item: n.Item) -> None:
        self.current_item = item
        for e in item.expressions():
            self.expr(e)
        for ref in item.topup or ():
            self.item_ref(ref)
        if item.overrides is not None:
            self.item_ref(item.overrides)

    def binding(self, b: n.Binding) -> None:
        if b.key not in self.s.params:
            near = self.s.suggest(b.key, self.s.params)
            self.report.error("E225", f"设定的参数「{b.name}」未声明", b.span,
                              f"最接近的是「{near}」" if near else "先用“参数”声明")
        else:
            self.value(self.s.params[b.key], b.value)

    def value(self, p: n.Param, value) -> None:
        """A parameter's value: a text, set or level written in 「」 is a value, not a name to resolve."""
        if isinstance(value, n.Ref) and p.type.kind in ("文本", "集合", "等级"):
            return  # checked against the parameter's type by the type pass
        self.expr(value)

    def case(self, case: n.Case) -> None:
        for fact in (*case.facts, *(f for p in case.projects for f in p)):
            if fact.holds and not fact.name:
                continue  # 已认定 无
            if fact.holds:
                self.recognition(n.Ref(fact.name, fact.span))
                if fact.level is not None:
                    self.level(fact.level)
            elif n.name_key(fact.name) not in self.s.fields:
                near = self.s.suggest(n.name_key(fact.name), self.s.fields)
                self.report.error("E226", f"未知字段「{fact.name}」", fact.span,
                                  f"最接近的是「{near}」" if near else "字段在标准库「企业」中声明")
        for h in case.history:
            self.item_ref(h.item)
        for b in case.bindings:
            self.binding(b)
        for e in case.expectations:
            self.item_ref(e.item)
        for a in case.assessments:
            self.item_ref(a.item)


def resolve(program: Program, reporter: Reporter) -> None:
    collect(program, reporter)
    Resolver(program, reporter).run()
