"""Structure pass: the checks that look at rules as a whole.

Quotes occur in the source text; tiers are ordered and do not overlap; money
that grows with an enterprise's figures has a cap; overrides form no cycle;
parameter values respect their ranges; tranches add up to the whole.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from compiler.syntax import nodes as n
from compiler.diagnostics import Reporter
from compiler.syntax.literals import Count, Money, Ratio
from compiler.semantics.program import Program

MONETARY = ("金额", "配套", "贴息", "保费补贴", "全额", "分档")
NO_AMOUNT_STATUSES = ("不符合", "参数待定", "信息不足", "不在施行期")


def squeeze(text: str) -> str:
    """Quotes are compared with all whitespace removed."""
    return re.sub(r"\s+", "", text)


def magnitude(value) -> Decimal | None:
    """The bare number of a compile-time value (money, ratio, count, number) for range and tier checks, else None."""
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, (Ratio, Count)):
        return value.value
    if isinstance(value, Decimal):
        return value
    return None


class Structure:
    """The checks on rules as a whole; the review also asks it which values are constant and which awards unbounded."""
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
        """Whether an expression reads an enterprise field, directly or through measures."""
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
            elif isinstance(e, n.Pick):
                stack += list(e.operands)
            elif isinstance(e, (n.Progressive, n.Step, n.Round, n.Aggregate)):
                stack += list(n.children(e))
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

    def unencoded(self, item: n.Item) -> None:
        """待编码: the 原文 is quoted but no rule is written yet; allowed while drafting, never silently."""
        written = [word for word, present in (("条件", item.conditions), ("给予", item.award), ("上限", item.limits),
                                              ("频次", item.frequency), ("评定", item.assessment), ("例外", item.overrides)) if present]
        if written:
            self.report.error("E476", f"{item.label}标为“待编码”，却已写了“{'”“'.join(written)}”", item.span,
                              "规则写好后删去“待编码”；还没写好就先删去已写的子句")
        else:
            self.report.warn("W470", f"{item.label}待编码：只照抄了原文，还没有写规则", item.span,
                             "写出条件与“给予”后删去“待编码”；求值时本款不参与计算")

    def item(self, item: n.Item) -> None:
        if item.quote is None:
            self.report.error("E402", f"{item.label}没有“原文”", item.span, "每一款都要写出它所依据的原文句子")
        else:
            self.quote(item.quote)
        award = item.award
        if item.unencoded:
            self.unencoded(item)
            return
        if award is None:
            self.report.error("E470", f"{item.label}没有写“给予”", item.span,
                              "写出支持的形式，如“给予 按「研发费用」的「研发支持比例」”")
            return
        if award.kind == "分档":
            self.tiers(item, award)
        if isinstance(award.amount, n.Progressive):
            self.progressive(award.amount)
        monetary = award.kind in MONETARY
        caps = [lim for lim in item.limits if lim.kind != "下限"]
        for lim in caps:
            self.unlisted_levels(item, lim)
        self.floor_above_cap(item)
        if monetary and not caps and self.unbounded(award, item.conditions):
            self.report.warn("W420", f"{item.label}的金额随企业数据增长，但没有上限", item.span,
                             "写上“上限 …”；原文未定的上限写成待定参数")
        if monetary and item.frequency is None:
            self.report.warn("W430", f"{item.label}没有写频次，按默认“每次符合条件均支持”计算，不看已获支持", item.span,
                             "写上原文的频次；原文未写时写出所取的理解并注明，如“频次 一次性，原文未写”")
        if award.kind == "核定":  # a value, not money: only 上限 and 下限 of the same type apply to it
            extra = [w for w, present in (("年度上限或累计上限", any(lim.kind in ("年度上限", "累计上限") for lim in item.limits)),
                                          ("分期", item.tranches), ("上浮", item.uplifts),
                                          ("补差", item.topup is not None), ("每个项目", item.per_project)) if present]
            if extra:
                self.report.error("E573", f"{item.label}核定的不是资金，不能有{'、'.join(extra)}", item.span,
                                  "核定的结果只能写“上限”“下限”；需要按项目分别核定的，拆成几款")
        elif not monetary and (item.limits or item.tranches or item.uplifts):
            self.report.error("E471", f"{item.label}不涉及金额，不能有上限、分期或上浮", item.span)
        if item.tranches:
            values = [self.constant(t) for t in item.tranches]
            if all(isinstance(v, Ratio) for v in values) and sum(v.value for v in values) != 1:
                total = sum(v.value for v in values) * 100
                self.report.error("E460", f"分期比例合计为 {total.normalize():f}%，应为 100%", item.span)
        if item.overrides is not None and item.overrides.key == item.key:
            self.report.error("E430", f"{item.label}不能取代它自己", item.overrides.span)

    def progressive(self, e: n.Progressive) -> None:
        """累进: every band but the first has a lower bound, and the bands follow one another with no gap or overlap."""
        previous_high = previous_low = None
        for i, t in enumerate(e.tiers):
            band = t.band
            if band is None or (i > 0 and band.low is None):
                self.report.error("E411", "累进的每一段（第一段除外）都要写出下界", t.span,
                                  "如“档 超过 100万元 且 不超过 500万元：3%”")
                return
            low = magnitude(self.constant(band.low.right)) if band.low is not None else Decimal(0)
            high = magnitude(self.constant(band.high.right)) if band.high is not None else None
            if i > 0 and low is not None and previous_low is not None and low <= previous_low:
                self.report.error("E410", "累进的段要从低到高写：这一段的下界不高于上一段的下界", t.span)
            previous_low = low
            if i > 0 and low is not None and previous_high is not None and low != previous_high:
                from compiler.syntax.render import text as render_text

                self.report.error("E410", f"累进的段不相接：上一段止于 {render_text(e.tiers[i - 1].band.high.right)}，"
                                          f"这一段起于 {render_text(band.low.right)}", t.span, "每一段的下界写成上一段的上界")
            if low is not None and high is not None and high <= low:
                self.report.error("E410", "累进的这一段上界不高于下界", t.span)
            if i + 1 < len(e.tiers) and band.high is None:
                previous_high = None  # it ends where the next band starts
            else:
                previous_high = high
            if i + 1 == len(e.tiers) and band.high is not None:
                self.report.warn("W413", "累进的最后一段有上界：超出的部分不计", t.span,
                                 "原文超出部分另有比例的，再写一段；原文确实不计的，可忽略")

    def floor_above_cap(self, item: n.Item) -> None:
        """E472: a 下限 above a 上限, both known at compile time: no amount can satisfy both."""
        def known(kind):
            out = []
            for lim in item.limits:
                value = self.constant(lim.amount) if lim.kind == kind else None
                if isinstance(value, Money):
                    out.append((value.amount, lim, value, value.currency))
            return out

        caps, floors = known("上限"), known("下限")
        if not caps or not floors:
            return
        cap, cap_limit, cap_text, currency = min(caps, key=lambda c: c[0])
        for floor, floor_limit, floor_text, floor_currency in floors:
            if floor > cap and floor_currency == currency:
                self.report.error("E472", f"{item.label}的下限 {floor_text} 高于上限 {cap_text}："  # Money shows as 300万元
                                  "没有金额能同时满足两者", floor_limit.span,
                                  f"核对原文：下限应不高于上限（上限见第 {cap_limit.span.line} 行）")

    def level_type(self, ref) -> str | None:
        """The level type a recognition or a 等级 field is graded by."""
        if not isinstance(ref, n.Ref):
            return None
        rec = self.s.recognitions.get(ref.key)
        if rec is not None:
            return rec.levels
        decl = self.s.value_decl(ref.key)
        if isinstance(decl, (n.Field, n.Param)) and decl.type.kind == "等级" and decl.type.detail:
            return decl.type.detail[0]
        return None

    def allowed_ranks(self, item: n.Item, measure: n.Ref, levels_name: str) -> set[int]:
        """The levels of ``measure`` an enterprise meeting the item's conditions can hold.

        Only conditions joined by 且 that bound the level itself narrow them (已认定「X」「市级」及以上,
        「X」 达到「市级」); anything else leaves every level possible.
        """
        members = self.s.levels[n.name_key(levels_name)].members
        ranks = set(range(1, len(members) + 1))
        ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               "<": lambda a, b: a < b, "==": lambda a, b: a == b}
        flipped = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "=="}
        for condition in item.conditions:
            for part in n.operands(condition, "且"):
                op = bound = None
                if isinstance(part, n.Holds) and part.level is not None and \
                        [r.key for r in part.recognitions] == [measure.key]:
                    op, bound = part.level_op or ">=", part.level
                elif isinstance(part, n.Compare) and isinstance(part.left, n.Ref) and isinstance(part.right, n.Ref):
                    if part.left.key == measure.key:
                        op, bound = part.op, part.right
                    elif part.right.key == measure.key:
                        op, bound = flipped.get(part.op), part.left
                rank = self.s.level_rank(levels_name, bound.name) if bound is not None else None
                if op in ops and rank is not None:
                    ranks = {r for r in ranks if ops[op](r, rank)}
        return ranks

    def unlisted_levels(self, item: n.Item, lim: n.Limit) -> None:
        """W421: a 上限 分级 that leaves out a level the conditions allow leaves that level uncapped."""
        table = lim.amount
        if not isinstance(table, n.ByLevel):
            return
        levels_name = self.level_type(table.measure)
        if levels_name is None or n.name_key(levels_name) not in self.s.levels:
            return
        listed = {self.s.level_rank(levels_name, lv.name) for lv, _ in table.entries}
        missing = self.allowed_ranks(item, table.measure, levels_name) - listed
        if not missing:
            return
        members = self.s.levels[n.name_key(levels_name)].members
        names = "、".join(f"「{m.name}」" for m in members if len(members) - members.index(m) in missing)
        lowest = table.entries[-1][0].name
        example = (f"已认定「{table.measure.name}」「{lowest}」及以上" if table.measure.key in self.s.recognitions
                   else f"「{table.measure.name}」 达到「{lowest}」")
        self.report.warn("W421", f"{item.label}的分级上限没有列出{names}：条件允许这一级，它的金额不受此上限约束",
                         lim.span, f"补上{names}的上限，或在条件中排除这一级（如 {example}）")

    def unbounded(self, award: n.Award, conditions=()) -> bool:
        """Whether the amount can grow without end: it depends on the enterprise's figures and neither the
        item's conditions nor the tier's band put an upper bound on every figure it grows with
        (条件「投资」不超过 500万元 bounds 按「投资」的 10% at 50万元)."""
        bounded = self.upper_bounded(conditions)
        if award.kind == "分档":
            measure = award.measure.key if isinstance(award.measure, n.Ref) else None
            lows = sorted((lim for t in award.tiers if t.band is not None and t.band.low is not None
                           for lim in [magnitude(self.constant(t.band.low.right))] if lim is not None))
            for t in award.tiers:
                if not self.depends_on_facts(t.amount):
                    continue
                names = set(bounded)
                if measure is not None and t.band is not None:
                    low = t.band.low and magnitude(self.constant(t.band.low.right))
                    # a band with no upper bound ends at the next band's lower bound
                    if t.band.high is not None or (low is not None and any(x > low for x in lows)):
                        names.add(measure)
                if not self.bounded_by(t.amount, names):
                    return True
            return False
        return award.amount is not None and self.depends_on_facts(award.amount) and not self.bounded_by(award.amount, bounded)

    def upper_bounded(self, conditions) -> set:
        """Names an upper bound in the item's conditions holds to: 「X」 不超过 500万元, 「X」 低于 …, all joined by 且."""
        found: set = set()
        stack = list(conditions)
        while stack:
            e = stack.pop()
            if isinstance(e, n.Logic) and e.op == "且":
                stack += [e.left, e.right]
            elif isinstance(e, n.Compare) and isinstance(e.left, n.Ref) and e.op in ("<=", "<") \
                    and not self.depends_on_facts(e.right):
                found.add(e.left.key)
        return found

    def bounded_by(self, e, names: set, seen: frozenset = frozenset()) -> bool:
        """Whether ``e`` has a greatest value once the figures in ``names`` are bounded above (values are not negative)."""
        if isinstance(e, n.Literal):
            return True
        if isinstance(e, n.Ref):
            if e.key in names or e.key in self.s.params:
                return True
            m = self.s.measures.get(e.key)
            if m is not None and e.key not in seen:
                return self.bounded_by(m.formula, names, seen | {e.key})
            return not self.depends_on_facts(e)
        if isinstance(e, n.Binary):
            if e.op == "-":
                return self.bounded_by(e.left, names, seen)
            if e.op == "÷":
                return self.bounded_by(e.left, names, seen) and not self.depends_on_facts(e.right)
            return self.bounded_by(e.left, names, seen) and self.bounded_by(e.right, names, seen)
        if isinstance(e, n.Pick):
            parts = [self.bounded_by(x, names, seen) for x in e.operands]
            return any(parts) if e.op == "较小者" else all(parts)
        if isinstance(e, n.ByLevel):
            return all(self.bounded_by(a, names, seen) for _, a in e.entries)
        if isinstance(e, n.Step):
            return self.bounded_by(e.measure, names, seen) and self.bounded_by(e.each, names, seen) and not self.depends_on_facts(e.size)
        if isinstance(e, n.Round):
            return self.bounded_by(e.value, names, seen)
        if isinstance(e, n.Progressive):  # the rates are fixed; the last band runs on with the measure
            return self.bounded_by(e.measure, names, seen)
        return not self.depends_on_facts(e)

    def amount_at(self, measure, expr, x: Decimal) -> Decimal | None:
        """A tier amount's number when the tier's measure is ``x``; None if it depends on anything else."""
        from compiler.syntax.render import text as render_text

        if isinstance(expr, n.Ref) and isinstance(measure, n.Ref):
            if expr.key == measure.key:
                return x
        elif not isinstance(expr, n.Literal) and render_text(expr) == render_text(measure):
            return x
        if isinstance(expr, (n.Literal, n.Ref)):
            return magnitude(self.constant(expr))
        if isinstance(expr, n.Binary):
            left, right = self.amount_at(measure, expr.left, x), self.amount_at(measure, expr.right, x)
            if left is None or right is None:
                return None
            if expr.op in ("×", "的"):
                return left * right
            if expr.op == "÷":
                return left / right if right else None
            return left + right if expr.op == "+" else left - right
        return None

    def tiers(self, item: n.Item, award: n.Award) -> None:
        value = lambda e: magnitude(self.constant(e))  # noqa: E731
        amount_at = lambda e, x: self.amount_at(award.measure, e, x)  # noqa: E731
        for code, tier, other in tier_problems(award, value, amount_at=amount_at):
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
            elif code == "W412" and other is None:
                self.report.warn("W412", "这一档的金额随度量增长而减少", tier.span,
                                 "度量越大的企业得到的越少，请确认这一档的算式")
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
        """Report a parameter value outside the declared range; ``code`` tells a declared value from a 细则's binding."""
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
        """Report 例外 chains that come back to where they started: no item may override itself, even through others."""
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


def tier_problems(award: n.Award, value, symbolic: bool = False,
                  amount_at=None) -> list[tuple[str, n.Tier, n.Tier | None]]:
    """Overlapping (E410), gapped (W411) and non-monotone (W412) bands of a tier table, and bands
    written without a range (E411), as (code, tier, the neighbouring tier it clashes with).

    ``value(expr)`` gives a bound's or an amount's number, or None while it waits for a parameter.
    Without ``symbolic`` a table with such a bound is not judged; with it, two bounds written with
    the same expression count as equal (「门槛」 ends one band and starts the next), the bands
    are taken in the order written, and pairs that cannot be compared are skipped.
    ``amount_at(expr, x)``, if given, gives an amount's number when the measure is ``x``, so that
    formula amounts are judged too: at each band's ends, a band whose amount falls gives W412
    with no neighbour, a band that ends above where the next one starts gives W412 with it.
    """
    from compiler.syntax.render import text as render_text

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
        elif amount_at is not None:
            problems += falling_bands(bands, amount_at)
    return problems


def falling_bands(bands, amount_at) -> list[tuple[str, n.Tier, n.Tier | None]]:
    """W412 for tables with formula amounts: each band's amount at its two ends, and across each boundary.

    ``bands`` are sorted numeric (low, high, tier); a band with no upper bound ends where the next
    one starts, and the last band is judged between its lower bound and one unit above it.
    """
    ends = []
    for index, (low, high, tier) in enumerate(bands):
        end = high[1] if high else (bands[index + 1][0][1] if index + 1 < len(bands) and bands[index + 1][0] else None)
        start = low[1] if low else (end - 1 if end is not None else None)
        if start is None:
            ends.append((None, None))
            continue
        if end is None:
            end = start + 1
        ends.append((amount_at(tier.amount, start), amount_at(tier.amount, end)))
    problems = []
    for (_, _, tier), (first, last) in zip(bands, ends):
        if first is not None and last is not None and last < first:
            problems.append(("W412", tier, None))
    for (_, _, lower), (_, _, upper), (_, lower_end), (upper_start, _) in zip(bands, bands[1:], ends, ends[1:]):
        if lower_end is not None and upper_start is not None and upper_start < lower_end:
            problems.append(("W412", upper, lower))
    return problems


def check_structure(program: Program, reporter: Reporter) -> None:
    """Run the structure checks on a resolved, type-checked program, reporting into ``reporter``."""
    Structure(program, reporter).run()
