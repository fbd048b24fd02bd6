"""Structure pass: the checks that look at rules as a whole.

Quotes occur in the source text; tiers are ordered and do not overlap; money
that grows with an enterprise's figures has a cap; overrides form no cycle;
parameter values respect their ranges; tranches add up to the whole.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from . import nodes as n
from .diagnostics import Reporter
from .literals import Count, Money, Ratio
from .program import Program

MONETARY = ("金额", "配套", "贴息", "保费补贴", "全额", "分档")
NO_AMOUNT_STATUSES = ("不符合", "参数待定", "信息不足", "不在施行期")


def squeeze(text: str) -> str:
    """Quotes are compared with all whitespace removed."""
    return re.sub(r"\s+", "", text)


def magnitude(value) -> Decimal | None:
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, (Ratio, Count)):
        return value.value
    if isinstance(value, Decimal):
        return value
    return None


class Structure:
    def __init__(self, program: Program, reporter: Reporter):
        self.program = program
        self.s = program.symbols
        self.report = reporter
        self.source = squeeze(program.source_text) if program.source_text is not None else None
        # A 细则's latest binding of each parameter, so its values are checked like the policy's.
        self.bindings = {b.key: b.value for doc in program.documents() if doc.kind == "细则"
                         for b in sorted(doc.bindings, key=lambda b: b.since or datetime.date.min)}

    def constant(self, e):
        """The value of an expression known at compile time, else None."""
        if isinstance(e, n.Literal):
            return e.value
        if isinstance(e, n.Ref):
            bound = self.bindings.get(e.key)
            if bound is not None:
                return self.constant(bound)
            p = self.s.params.get(e.key)
            if p is not None and p.value is not None:
                return self.constant(p.value)
        return None

    def depends_on_facts(self, e, seen=None) -> bool:
        seen = seen or set()
        stack = [e]
        while stack:
            e = stack.pop()
            if isinstance(e, n.Ref):
                if e.key in self.s.fields:
                    return True
                m = self.s.measures.get(e.key)
                if m is not None and e.key not in seen:
                    seen.add(e.key)
                    stack.append(m.formula)
            elif isinstance(e, n.Binary):
                stack += [e.left, e.right]
            elif isinstance(e, n.ByLevel):
                stack += [a for _, a in e.entries]
        return False

    def run(self) -> None:
        for doc in self.program.documents():
            for a in doc.articles:
                self.article(a)
            for p in doc.params:
                self.param(p)
            for x in doc.exclusives:
                keys = [r.key for r in x.members]
                if len(set(keys)) != len(keys):
                    self.report.error("E440", "互斥组中同一款写了两次", x.span)
            for b in doc.bindings:
                self.binding(b)
            if doc.narrowings and doc.kind != "细则":
                self.report.error("E492", "“补充条件”只能写在细则中", doc.narrowings[0].span)
            for case in doc.cases:
                self.case(case)
        self.overrides()
        policy = self.program.policy
        if policy.kind == "政策" and policy.validity is None:
            self.report.warn("W480", "政策没有写施行期", policy.span, "写上：施行 自 2025-01-01 起，试行一年")

    def article(self, a: n.Article) -> None:
        if a.quote is None:
            self.report.error("E401", f"{a.label}没有“原文”", a.span, "写上：原文「该条原文的标题句」")
        else:
            self.quote(a.quote)
        if not a.items:
            self.report.error("E404", f"{a.label}没有任何一款", a.span,
                              "每条至少写一款；不涉及金额的写“给予 非资金支持”，个案写“给予 一事一议”")
        for item in a.items:
            self.item(item)

    def quote(self, q: n.Quote) -> None:
        if self.source is None:
            return
        text = squeeze(q.text)
        if not text:
            self.report.error("E403", "原文引文是空的", q.span)
        elif text not in self.source:
            prefix = 0
            lo, hi = 0, len(text)
            while lo < hi:  # longest prefix that does occur
                mid = (lo + hi + 1) // 2
                if text[:mid] in self.source:
                    lo = mid
                else:
                    hi = mid - 1
            prefix = lo
            where = f"前 {prefix} 个字与原文一致，从“{text[prefix:prefix + 8]}”起不一致" if prefix else "开头就与原文不一致"
            self.report.error("E403", "原文引文在原文文件中找不到", q.span,
                              f"{where}；引文须逐字照抄（空白除外）")

    def item(self, item: n.Item) -> None:
        if item.quote is None:
            self.report.error("E402", f"{item.label}没有“原文”", item.span, "每一款都要写出它所依据的原文句子")
        else:
            self.quote(item.quote)
        award = item.award
        if award is None:
            self.report.error("E470", f"{item.label}没有写“给予”", item.span,
                              "写出支持的形式，如“给予 按「研发费用」的「研发支持比例」”")
            return
        if award.kind == "分档":
            self.tiers(item, award)
        monetary = award.kind in MONETARY
        caps = [lim for lim in item.limits if lim.kind != "下限"]
        if monetary and not caps and self.unbounded(award):
            self.report.warn("W420", f"{item.label}的金额随企业数据增长，但没有上限", item.span,
                             "写上“上限 …”；原文未定的上限写成待定参数")
        if monetary and item.frequency is None:
            self.report.warn("W430", f"{item.label}没有写频次，按默认“每次符合条件均支持”计算，不看已获支持", item.span,
                             "写上原文的频次；原文未写时写出所取的理解并注明，如“频次 一次性，原文未写”")
        if not monetary and (item.limits or item.tranches or item.uplifts):
            self.report.error("E471", f"{item.label}不涉及金额，不能有上限、分期或上浮", item.span)
        if item.tranches:
            values = [self.constant(t) for t in item.tranches]
            if all(isinstance(v, Ratio) for v in values) and sum(v.value for v in values) != 1:
                total = sum(v.value for v in values) * 100
                self.report.error("E460", f"分期比例合计为 {total.normalize():f}%，应为 100%", item.span)
        if item.overrides is not None and item.overrides.key == item.key:
            self.report.error("E430", f"{item.label}不能取代它自己", item.overrides.span)

    def unbounded(self, award: n.Award) -> bool:
        if award.kind == "分档":
            return any(self.depends_on_facts(t.amount) for t in award.tiers)
        return award.amount is not None and self.depends_on_facts(award.amount)

    def tiers(self, item: n.Item, award: n.Award) -> None:
        value = lambda e: magnitude(self.constant(e))  # noqa: E731
        for code, tier, other in tier_problems(award, value):
            if code == "E411":
                self.report.error("E411", "每一档都要写出范围", tier.span, "如“档 达到 1亿元 且 低于 5亿元：20万元”")
            elif code == "E410" and other is None:
                self.report.error("E410", "分档重叠：有两档都没有下界", tier.span)
            elif code == "E410":
                self.report.error("E410", f"分档重叠：这一档与 {other.span} 的一档有共同的取值", tier.span,
                                  "上一档写“低于”，下一档写“达到”，边界只归一档")
            elif code == "W411":
                self.report.warn("W411", "分档之间有空档：有的取值不属于任何一档", tier.span,
                                 "检查相邻两档的边界词是否衔接")
            elif code == "W412":
                self.report.warn("W412", "分档金额不随档次递增", tier.span, "较高一档的金额少于较低一档，请确认")

    def param(self, p: n.Param) -> None:
        if p.range is None:
            return
        low, high = (magnitude(self.constant(e)) for e in p.range)
        if low is not None and high is not None and low > high:
            self.report.error("E451", f"参数「{p.name}」的范围下限大于上限", p.span)
        if p.value is not None:
            self.in_range(p, p.value, "E450")

    def in_range(self, p: n.Param, value_expr, code: str) -> None:
        if p.range is None:
            return
        value = magnitude(self.constant(value_expr))
        low, high = (magnitude(self.constant(e)) for e in p.range)
        if value is None or low is None or high is None:
            return
        if not low <= value <= high:
            self.report.error(code, f"参数「{p.name}」的值 {value_expr.text if isinstance(value_expr, n.Literal) else ''}"
                              f"超出范围 {p.range[0].text} 至 {p.range[1].text}", value_expr.span,
                              "细则和案例的设定值必须在政策声明的范围内")

    def binding(self, b: n.Binding) -> None:
        p = self.s.params.get(b.key)
        if p is not None:
            self.in_range(p, b.value, "E452")

    def case(self, case: n.Case) -> None:
        if not case.expectations:
            self.report.warn("W491", f"案例「{case.name}」没有写预期结果", case.span, "写上：预期 第N条「款」 符合，金额为 …")
        for e in case.expectations:
            if e.amount is not None and e.status in NO_AMOUNT_STATUSES:
                self.report.error("E490", f"状态为{e.status}的结果不能有金额", e.span)
            if e.item.item is None:
                self.report.error("E493", "预期结果要指明哪一款", e.item.span, "如：预期 第8条「实到外资支持」 符合")

    def overrides(self) -> None:
        edges = {item.key: item.overrides.key for item in self.s.items.values() if item.overrides is not None}
        reported = set()
        for start in edges:
            seen = [start]
            node = edges.get(start)
            while node is not None and node not in seen:
                seen.append(node)
                node = edges.get(node)
            if node is not None and node == start and start not in reported:
                reported.update(seen)
                item = self.s.items[start]
                names = " → ".join(str(self.s.items[k].label) for k in seen)
                self.report.error("E430", f"“例外”形成循环：{names} → {item.label}", item.overrides.span,
                                  "取代关系只能单向")


def tier_problems(award: n.Award, value, symbolic: bool = False) -> list[tuple[str, n.Tier, n.Tier | None]]:
    """Overlapping (E410), gapped (W411) and non-monotone (W412) bands of a tier table, and bands
    written without a range (E411), as (code, tier, the neighbouring tier it clashes with).

    ``value(expr)`` gives a bound's or an amount's number, or None while it waits for a parameter.
    Without ``symbolic`` a table with such a bound is not judged; with it, two bounds written with
    the same expression count as equal (「门槛」 ends one band and starts the next), the bands
    are taken in the order written, and pairs that cannot be compared are skipped.
    """
    from .render import text as render_text

    bands = []
    for tier in award.tiers:
        if tier.band is None or tier.band.low is None and tier.band.high is None:
            return [("E411", tier, None)]
        sides = []
        for bound in (tier.band.low, tier.band.high):
            if bound is None:
                sides.append(None)
                continue
            v = value(bound.right)
            if v is None:
                if not symbolic:
                    return []  # a bound waits for a parameter: checked once it is bound
                v = render_text(bound.right)
            sides.append((bound.op, v))
        bands.append((sides[0], sides[1], tier))
    numeric = all(isinstance(side[1], Decimal) for low, high, _ in bands for side in (low, high) if side)
    if numeric:
        bands.sort(key=lambda b: (b[0][1] if b[0] else Decimal("-Infinity")))
    problems = []
    for (low1, high1, t1), (low2, high2, t2) in zip(bands, bands[1:]):
        if low2 is None:
            problems.append(("E410", t2, None))
            continue
        if high1 is None:
            continue  # closed implicitly by the next tier's lower bound
        a, b = high1[1], low2[1]
        if isinstance(a, Decimal) and isinstance(b, Decimal):
            above, below, equal = a > b, a < b, a == b
        elif a == b:
            above = below = False
            equal = True
        else:
            continue  # two different parameters: decided once they are bound
        if above or (equal and high1[0] == "<=" and low2[0] == ">="):
            problems.append(("E410", t2, t1))
        elif below or (equal and high1[0] == "<" and low2[0] == ">"):
            problems.append(("W411", t2, t1))
    if numeric:
        amounts = [value(t.amount) for _, _, t in bands]
        if all(a is not None for a in amounts):
            for (_, _, t), (_, _, t0), prev, cur in zip(bands[1:], bands, amounts, amounts[1:]):
                if cur < prev:
                    problems.append(("W412", t, t0))
    return problems


def check_structure(program: Program, reporter: Reporter) -> None:
    Structure(program, reporter).run()
