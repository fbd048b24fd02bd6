"""Resolve pass: fill the symbol tables and check that every name is declared.

Declarations from all loaded files share one namespace per kind, compared in
NFKC form. References that fail get the nearest declared name as a hint.
"""

from __future__ import annotations

from compiler.syntax import nodes as n
from compiler.diagnostics import Reporter
from compiler.semantics.program import Program
from compiler.runtime import RECORD_KEYS

_RESERVED = {n.name_key(key): key for key in RECORD_KEYS}


def _declare(table: dict, key, decl, what: str, reporter: Reporter) -> None:
    if key in table:
        first = table[key]
        reporter.error("E210", f"{what}「{decl.name}」重复声明（与 {first.span} 的「{first.name}」相同）", decl.span,
                       "名称按全角半角统一后比较；请改用不同的名称")
    else:
        table[key] = decl


def collect(program: Program, reporter: Reporter) -> None:
    """Fill the symbol tables from every loaded file, reporting names declared twice
    (fields, parameters and measures share one namespace)."""
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
        for lst in doc.lists:
            _declare(s.lists, lst.key, lst, "列表", reporter)
            if lst.key in values:
                reporter.error("E216", f"列表「{lst.name}」与字段、参数或度量同名", lst.span, "改用不同的名称")
        for x in doc.externals:
            _declare(s.externals, x.key, x, "外部支持", reporter)
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


def collect_unit_bases(program: Program, reporter: Reporter) -> None:
    """单位「公顷」 = 10000平方米: each such unit is that many of a base unit (followed to the end of a chain)."""
    from decimal import Decimal

    s = program.symbols
    direct = {}
    for u in s.units.values():
        if u.base is None:
            continue
        value = getattr(u.base, "value", None)
        if not isinstance(u.base, n.Literal) or not hasattr(value, "unit") or value.value <= 0:
            reporter.error("E218", f"单位「{u.name}」的换算应写成一个正的数量，如 10000平方米", u.base.span)
            continue
        if n.name_key(value.unit) not in s.units:
            reporter.error("E215", f"计数单位「{value.unit}」未声明", u.base.span, f"先声明：单位「{value.unit}」")
            continue
        direct[u.name] = (value.unit, value.value)
    for name in direct:
        base, factor, seen = name, Decimal(1), {name}
        while base in direct:
            base, step = direct[base]
            factor *= step
            if base in seen:
                reporter.error("E218", f"单位「{name}」的换算绕回了自己", s.units[n.name_key(name)].span)
                break
            seen.add(base)
        else:
            s.unit_base[name] = (base, factor)


def collect_list_fields(program: Program, reporter: Reporter) -> None:
    """列表字段: each belongs to a declared list; its name is unique within that list."""
    s = program.symbols
    for doc in program.documents():
        for f in doc.list_fields:
            owner = n.name_key(f.list)
            if owner not in s.lists:
                near = s.suggest(owner, s.lists)
                reporter.error("E217", f"列表「{f.list}」未声明", f.span,
                               f"最接近的是「{near}」" if near else "先用“列表「名称」”声明列表")
                continue
            _declare(s.list_fields, (owner, f.key), f, f"列表「{f.list}」的字段", reporter)


MEASURE = object()  # resolving a measure's formula: project fields are allowed there


class Resolver:
    """Checks every name in expressions, clauses and cases against the symbol tables;
    an unknown name gets the nearest declared one as a hint."""
    def __init__(self, program: Program, reporter: Reporter):
        self.current_item = None
        self.program = program
        self.s = program.symbols
        self.report = reporter
        self.level_members = self.s.level_members()
        self.award_refs: dict = {}  # item key → the items whose amount it uses (金额（第N条「款」）)

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
            for g in doc.group_caps:
                for ref in g.members:
                    self.item_ref(ref)
                self.current_item = None
                self.expr(g.amount)
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

    def list_ref(self, ref: n.Ref) -> str | None:
        if ref.key not in self.s.lists:
            near = self.s.suggest(ref.key, self.s.lists)
            self.report.error("E229", f"未知列表「{ref.name}」", ref.span,
                              f"最接近的是「{near}」" if near else "列表用“列表「名称」”声明")
            return None
        return ref.key

    def recognition(self, ref: n.Ref) -> None:
        if ref.key not in self.s.recognitions:
            self.report.error("E221", f"未知认定「{ref.name}」", ref.span,
                              self._hint(ref.key, self.s.recognitions) or "认定在标准库「认定」中声明")

    def level(self, ref: n.Ref) -> None:
        if ref.key not in self.level_members:
            self.report.error("E222", f"未知等级「{ref.name}」", ref.span, self._hint(ref.key, self.level_members))

    def item_ref(self, ref: n.ItemRef) -> None:
        if ref.article == n.EXTERNAL:
            if ref.key[1] not in self.s.externals:
                near = self.s.suggest(ref.key[1], self.s.externals)
                self.report.error("E228", f"未声明的外部支持「{ref.item}」", ref.span,
                                  f"最接近的是「{near}」" if near else "先声明：外部支持「名称」，说明「…」")
            return
        if ref.article not in self.s.articles:
            self.report.error("E223", f"没有{n.ItemRef(ref.article, None, ref.span)}", ref.span,
                              "引用的条须在政策或细则中写出")
        elif ref.item is not None and ref.key not in self.s.items:
            names = {k[1] for k in self.s.items if k[0] == ref.article}
            self.report.error("E224", f"{n.ItemRef(ref.article, None, ref.span)}中没有款「{ref.item}」", ref.span,
                              self._hint(ref.key[1], names) or f"该条的款：{'、'.join(sorted(names)) or '（无）'}")

    def expr(self, root) -> None:
        scoped = {}  # id of a Ref inside an aggregate → the lists whose fields it may name
        texts = set()  # ids of text values: 「闵行区」 in 「所在区」为「闵行区」
        for e in n.walk(root):
            if isinstance(e, n.Compare) and e.op == "==" and isinstance(e.right, n.Ref) \
                    and self.s.value_decl(e.right.key) is None and e.right.key not in self.level_members \
                    and e.right.key not in self.s.recognitions \
                    and not any((o, e.right.key) in self.s.list_fields for o in scoped.get(id(e.right), ())):
                texts.add(id(e.right))
            if id(e) in texts:
                continue
            if isinstance(e, n.Aggregate):
                lists = scoped.get(id(e), ()) + (self.list_ref(e.list),)
                for part in n.children(e):
                    for inner in n.walk(part):
                        scoped[id(inner)] = lists  # pre-order: an inner aggregate widens its own parts
            if isinstance(e, n.Literal) and e.text.endswith("」") and self.s.units \
                    and n.name_key(getattr(e.value, "unit", "")) not in self.s.units:
                self.report.error("E215", f"计数单位「{e.value.unit}」未声明", e.span,
                                  f"先声明：单位「{e.value.unit}」")
            if isinstance(e, n.Ref):
                if any((owner, e.key) in self.s.list_fields for owner in scoped.get(id(e), ())):
                    continue
                for owner, _ in (k for k in self.s.list_fields if k[1] == e.key):
                    if self.s.value_decl(e.key) is None:
                        self.report.error("E228", f"「{e.name}」是列表「{self.s.lists[owner].name}」的字段，"
                                                  f"只能写在对该列表的汇总之中", e.span,
                                          f"如 合计（「{self.s.lists[owner].name}」的「{e.name}」）")
                        break
                else:
                    self.value_ref(e)
            elif isinstance(e, n.AwardOf):
                self.item_ref(e.item)
                if e.item.item is None:
                    self.report.error("E230", "“金额（…）”要写明是哪一款", e.span, "如 金额（第8条「市级配套」）")
                elif isinstance(self.current_item, n.Item):
                    self.award_refs.setdefault(self.current_item.key, []).append(e.item)
            elif isinstance(e, n.ByLevel):
                for level, _ in e.entries:
                    self.level(level)
            elif isinstance(e, n.Received):
                self.item_ref(e.source)
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
        for name, facts, span in case.rows:
            owner = self.list_ref(n.Ref(name, span))
            for fact in facts:
                if owner is not None and (fact.holds or (owner, n.name_key(fact.name)) not in self.s.list_fields):
                    names = [k[1] for k in self.s.list_fields if k[0] == owner]
                    near = self.s.suggest(n.name_key(fact.name), names)
                    self.report.error("E226", f"列表「{name}」没有字段「{fact.name}」", fact.span,
                                      f"最接近的是「{near}」" if near else f"该列表的字段：{'、'.join(names)}")
        for h in case.history:
            self.item_ref(h.item)
        for y in case.yearly:
            if n.name_key(y.name) not in self.s.fields:
                near = self.s.suggest(n.name_key(y.name), self.s.fields)
                self.report.error("E226", f"未知字段「{y.name}」", y.span,
                                  f"最接近的是「{near}」" if near else "字段在标准库「企业」中声明")
        for h in case.held_years:
            for name, level in h.held:
                if n.name_key(name) not in self.s.recognitions:
                    near = self.s.suggest(n.name_key(name), self.s.recognitions)
                    self.report.error("E226", f"未知认定「{name}」", h.span,
                                      f"最接近的是「{near}」" if near else "认定在标准库「认定」中声明")
        for b in case.bindings:
            self.binding(b)
        for e in case.expectations:
            self.item_ref(e.item)
        for a in case.assessments:
            self.item_ref(a.item)


def resolve(program: Program, reporter: Reporter) -> None:
    """The resolve pass: symbol tables, unit bases and list fields first, then every reference, then 金额（…） cycles."""
    collect(program, reporter)
    collect_unit_bases(program, reporter)
    collect_list_fields(program, reporter)
    resolver = Resolver(program, reporter)
    resolver.run()
    award_cycles(program, resolver.award_refs, reporter)


def award_cycles(program: Program, edges: dict, reporter: Reporter) -> None:
    """An item may use another item's amount, never its own, directly or through others."""
    items = program.symbols.items
    state: dict = {}
    for start in edges:
        if start in state:
            continue
        stack = [(start, iter(edges.get(start, ())))]
        state[start] = "open"
        while stack:
            key, refs = stack[-1]
            ref = next(refs, None)
            if ref is None:
                state[key] = "done"
                stack.pop()
                continue
            if ref.key not in items:
                continue
            if state.get(ref.key) == "open":
                path = [k for k, _ in stack]
                loop = path[path.index(ref.key):] + [ref.key]
                reporter.error("E231", "金额互相引用，无法计算：" + " → ".join(items[k].label for k in loop), ref.span,
                               "一款的金额不能直接或间接地取决于它自己")
            elif ref.key not in state:
                state[ref.key] = "open"
                stack.append((ref.key, iter(edges.get(ref.key, ()))))
