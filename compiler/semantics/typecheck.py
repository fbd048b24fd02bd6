"""Type pass: every expression gets a type; units and currencies must agree.

Types are small tuples: ("金额", "元"), ("比例",), ("数量", "场"), ("等级", "级别"),
("汇率", "元", "美元") and so on. 元 and 美元 meet only through a 汇率.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from compiler.syntax import nodes as n
from compiler.diagnostics import Reporter
from compiler.syntax.literals import Count, Duration, Money, Ratio, Year
from compiler.semantics.program import Program
from compiler.syntax.keywords import DATE_BOUNDS
from compiler.runtime import NO_LEVEL, SIGNABLE

BOOL = ("布尔",)
RATIO = ("比例",)
NUMBER = ("数值",)
TEXT = ("文本",)
LEVEL_VALUE = "等级值"
ORDERED = ("金额", "比例", "数量", "数值", "日期", "年度", "等级")


def show(t) -> str:
    """A type as a drafter reads it in a diagnostic (金额（美元）, 数量（场）); None is 未知."""
    if t is None:
        return "未知"
    kind = t[0]
    if kind == "金额":
        return "金额" if t[1] == "元" else f"金额（{t[1]}）"
    if kind == "数量":
        return f"数量（{t[1]}）"
    if kind == "汇率":
        return f"汇率（{t[1]}/{t[2]}）"
    if kind in ("等级", LEVEL_VALUE):
        return f"等级「{t[1]}」"
    return kind


def declared(t: n.Type):
    """A declared Type node as the tuple the checker compares, such as ("数量", "场")."""
    return (t.kind, *t.detail)


def literal_type(value):
    """The type of a literal's value; None for a value the language gives no type."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, Money):
        return ("金额", value.currency)
    if isinstance(value, Ratio):
        return RATIO
    if isinstance(value, Count):
        return ("数量", value.unit)
    if isinstance(value, Decimal):
        return NUMBER
    if isinstance(value, datetime.date):
        return ("日期",)
    if isinstance(value, Year):
        return ("年度",)
    if isinstance(value, Duration):
        return ("期限",)
    if isinstance(value, frozenset):
        return ("集合",)
    return None


class TypeChecker:
    """Gives every expression a type and reports mismatched units, currencies and kinds;
    lowering reuses it, quietly, for the types it needs."""
    def __init__(self, program: Program, reporter: Reporter):
        self.program = program
        self.s = program.symbols
        self.report = reporter
        self.measure_types: dict[str, object] = {}
        self.in_progress: set[str] = set()
        self.members = self.s.level_members()
        self.scopes: list[str] = []  # the lists whose fields names may denote, innermost last

    # ---- expressions ----
    def canon(self, t):
        """A quantity in a converted unit (公顷) has the type of its base unit (平方米)."""
        if t is not None and t[0] == "数量" and t[1] in self.s.unit_base:
            return ("数量", self.s.unit_base[t[1]][0])
        return t

    def type_of(self, e):
        """The type of an expression (None when unknown), reporting mismatches inside it on the way."""
        if isinstance(e, n.Literal):
            return self.canon(literal_type(e.value))
        if isinstance(e, n.Ref):
            return self.canon(self.ref_type(e))
        if isinstance(e, n.Binary):
            return self.binary(e)
        if isinstance(e, n.ByLevel):
            return self.by_level(e)
        if isinstance(e, n.Compare):
            self.compare(e)
            return BOOL
        if isinstance(e, n.Logic):
            for side in (e.left, e.right):
                self.expect(side, BOOL, f"“{e.op}”两边")
            return BOOL
        if isinstance(e, n.Not):
            self.expect(e.operand, BOOL, "“非”或“除外”")
            return BOOL
        if isinstance(e, n.Holds):
            self.holds(e)
            return BOOL
        if isinstance(e, n.Member):
            self.member(e)
            return BOOL
        if isinstance(e, n.Pick):
            return self.pick(e)
        if isinstance(e, n.Aggregate):
            return self.aggregate(e)
        if isinstance(e, n.AwardOf):
            return ("金额", "元")
        if isinstance(e, n.Within):
            vt, st = self.type_of(e.value), self.type_of(e.start)
            if vt == st == ("日期",):  # 「入账日期」自「获奖日期」起 一年内: any whole number of months
                return BOOL
            if vt is not None and st is not None and (vt != ("年度",) or st != ("年度",)):
                self.report.error("E322", f"“自…起…内”用于年度或日期，这里是{show(vt)}与{show(st)}", e.span,
                                  "如 「申报年度」自「认定年度」起 三年内，「入账日期」自「获奖日期」起 一年内")
            if e.period is not None and e.period.months % 12:
                self.report.error("E322", f"年度的期间应是整年，这里是“{e.text}”", e.span, "如 三年内")
            return BOOL
        if isinstance(e, n.Step):
            return self.step(e)
        if isinstance(e, n.Progressive):
            return self.progressive(e)
        if isinstance(e, n.Round):
            return self.round(e)
        if isinstance(e, n.First):
            self.first(e)
            return BOOL
        if isinstance(e, n.Received):
            return BOOL
        return None

    def step(self, e: n.Step):
        """量 每增加 步长 增加 数额: 量 and 步长 of one type; the result is 数额's type."""
        mt, st, et = self.type_of(e.measure), self.type_of(e.size), self.type_of(e.each)
        if mt is not None and st is not None:
            if mt[0] not in ("金额", "比例", "数量", "数值") or mt != st:
                self.report.error("E318", f"“{e.word}”前后应是同一单位的量，这里是{show(mt)}与{show(st)}", e.span,
                                  "如 「新增面积」每增加 1000平方米 增加 10万元")
        if et is not None and et[0] not in ("金额", "比例", "数量", "数值"):
            self.report.error("E318", f"每一步增加的应是金额、比例、数量或数值，这里是{show(et)}", e.each.span)
            return None
        return et

    def progressive(self, e: n.Progressive):
        """累进「量」: bounds of the measure's type, a ratio per band; the amount has the measure's type."""
        mt = self.type_of(e.measure)
        if mt is not None and mt[0] not in ("金额", "数量", "数值"):
            self.report.error("E318", f"累进的量应是金额、数量或数值，这里是{show(mt)}", e.measure.span,
                              "如 累进「应纳税所得额」")
            mt = None
        for t in e.tiers:
            for b in (t.band.low, t.band.high) if t.band is not None else ():
                if b is None:
                    continue
                bt = self.type_of(b.right)
                if mt is not None and bt is not None and bt != mt:
                    self.report.error("E301", f"累进的分界点应是{show(mt)}，这里是{show(bt)}", b.right.span)
            at = self.type_of(t.amount)
            if at is not None and at != RATIO:
                self.report.error("E318", f"累进每一段写的是比例，这里是{show(at)}", t.amount.span,
                                  "如 档 不超过 100万元：5%")
        return mt

    def round(self, e: n.Round):
        """向下取整（值，单位）: 单位 has the value's type (1万元 for money, 1平方米 for an area)."""
        vt, ut = self.type_of(e.value), self.type_of(e.unit)
        if vt is None or ut is None:
            return vt
        if vt[0] not in ("金额", "比例", "数量", "数值") or vt != ut:
            self.report.error("E319", f"“{e.mode}”的单位应与值同类，这里是{show(vt)}与{show(ut)}", e.unit.span,
                              "如 向下取整（「补贴」，1万元）")
            return None
        return vt

    def aggregate(self, e: n.Aggregate):
        """合计 and 最大值/最小值 keep the value's type; 计数 is a 数量 in the list's unit; 所有/任一 are 布尔."""
        lst = self.s.lists.get(e.list.key)
        if lst is None:
            return None
        self.scopes.append(e.list.key)
        try:
            if e.where is not None:
                self.expect(e.where, BOOL, "“凡”之后的条件")
            if e.test is not None:
                self.expect(e.test, BOOL, f"“{e.kind}”的条件")
            if e.kind == "计数":
                return ("数量", lst.unit)
            if e.kind in ("所有", "任一"):
                return BOOL
            t = self.type_of(e.value)
        finally:
            self.scopes.pop()
        if t is None:
            return None
        allowed = ("金额", "比例", "数量", "数值") if e.kind == "合计" else ("金额", "比例", "数量", "数值", "日期", "年度")
        if t[0] not in allowed:
            self.report.error("E317", f"“{e.kind}”的值应是{'、'.join(allowed)}之一，这里是{show(t)}", e.value.span)
            return None
        return t

    def pick(self, e: n.Pick):
        """较小者/较大者: every value of one ordered type; the result has that type."""
        result = None
        for operand in e.operands:
            t = self.type_of(operand)
            if t is None:
                continue
            if t[0] not in ORDERED or t[0] == "等级":
                self.report.error("E316", f"“{e.op}”只能比较金额、比例、数量、数值、日期或年度，这里是{show(t)}",
                                  operand.span)
                return None
            if result is None:
                result = t
            elif t != result:
                self.report.error("E304", f"“{e.op}”中的值类型不一致：{show(result)} 与 {show(t)}", operand.span,
                                  "各个值的单位须相同，如都是金额（元）")
                return None
        return result

    def ref_type(self, ref: n.Ref):
        key = ref.key
        for owner in reversed(self.scopes):
            f = self.s.list_fields.get((owner, key))
            if f is not None:
                return declared(f.type)
        decl = self.s.value_decl(key)
        if isinstance(decl, (n.Field, n.Param)):
            return declared(decl.type)
        if isinstance(decl, n.Measure):
            if key in self.measure_types:
                return self.measure_types[key]
            if key in self.in_progress:
                self.report.error("E330", f"度量「{decl.name}」的定义引用了它自己", decl.span, "度量不能循环定义")
                return None
            self.in_progress.add(key)
            scopes, self.scopes = self.scopes, []  # a measure's formula names no list item
            t = self.type_of(decl.formula)
            self.scopes = scopes
            self.in_progress.discard(key)
            self.measure_types[key] = t
            return t
        recognition = self.s.recognitions.get(key)
        if recognition is not None and recognition.levels:
            return ("等级", recognition.levels)
        if key in self.members:
            return (LEVEL_VALUE, self.members[key])
        return None

    def binary(self, e: n.Binary):
        lt, rt = self.type_of(e.left), self.type_of(e.right)
        if lt is None or rt is None:
            return None
        result = combine(e.op, lt, rt)
        if result is None:
            if e.op in "+-" and lt[0] == rt[0] == "金额":
                self.report.error("E305", f"{show(lt)}与{show(rt)}不能直接相加减", e.span,
                                  "元与美元之间要乘以一个“汇率”参数")
            elif e.op == "的":
                self.report.error("E303", f"“的”前面应是金额或数量，后面应是比例；这里是{show(lt)}的{show(rt)}", e.span,
                                  "如：按「项目总投资」的「支持比例」")
            else:
                self.report.error("E302", f"{show(lt)} {e.op} {show(rt)} 没有意义", e.span,
                                  "检查单位：金额×比例=金额，数量×单价=金额，金额÷金额=比例")
        return result

    def by_level(self, e: n.ByLevel):
        mt = self.type_of(e.measure)
        if mt is not None and mt[0] != "等级":
            self.report.error("E306", f"“分级”要按等级区分，这里是{show(mt)}", e.measure.span,
                              "分级后写一个带等级的认定或等级字段")
            mt = None
        result = None
        for level, amount in e.entries:
            if mt is not None and self.s.level_rank(mt[1], level.name) is None:
                self.report.error("E307", f"「{level.name}」不是等级「{mt[1]}」中的一级", level.span)
            at = self.type_of(amount)
            if result is None:
                result = at
            elif at is not None and at != result:
                self.report.error("E304", f"各级的值类型不一致：{show(result)} 与 {show(at)}", amount.span)
        return result

    def compare(self, e: n.Compare):
        if e.op == "==":
            return self.equality(e)
        lt = self.type_of(e.left)
        rt = self.type_of(e.right)
        dated = [w for w in e.words if w in DATE_BOUNDS]
        if dated and lt is not None and lt[0] not in ("日期", "年度"):
            self.report.error("E321", f"“{dated[0]}”只用于日期或年度，这里是{show(lt)}", e.span,
                              "数值用“以上”“以下”“超过”“低于”等")
        self.comparable(lt, rt, e)

    def equality(self, e: n.Compare):
        """为/等于: both sides of one type; a name in 「」 that is no field, parameter or level is a text value."""
        lt = self.type_of(e.left)
        if is_text_value(self.s, e.right) and not any((o, e.right.key) in self.s.list_fields for o in self.scopes):
            if lt is not None and lt != TEXT:
                self.report.error("E320", f"「{e.right.name}」不是已声明的名称，只能与文本比较；这里左边是{show(lt)}",
                                  e.right.span, "字段、参数在标准库或政策中声明；文本值写在「」中与文本字段比较")
            return
        rt = self.type_of(e.right)
        if lt is None or rt is None:
            return
        if LEVEL_VALUE in (lt[0], rt[0]):
            self.comparable(lt, rt, e)
            return
        if lt[0] not in (*ORDERED, "文本", "布尔") or lt != rt:
            self.report.error("E304", f"不能比较{show(lt)}与{show(rt)}是否相等", e.span)
    

    def comparable(self, lt, rt, e) -> None:
        """Report two types that cannot be ordered against each other: a level and a member of another,
        an unordered kind, different currencies or units."""
        if lt is None or rt is None:
            return
        if lt[0] == "等级" and rt[0] == LEVEL_VALUE or lt[0] == LEVEL_VALUE and rt[0] == "等级":
            level = lt if lt[0] == "等级" else rt
            value = rt if lt[0] == "等级" else lt
            name = e.right.name if isinstance(e.right, n.Ref) and value is rt else getattr(e.left, "name", "")
            if self.s.level_rank(level[1], name) is None:
                self.report.error("E307", f"「{name}」不是等级「{level[1]}」中的一级", e.span)
            return
        if lt[0] not in ORDERED:
            self.report.error("E308", f"{show(lt)}不能比较大小", e.span)
            return
        if lt != rt:
            if lt[0] == rt[0] == "金额":
                hint = "元与美元不能直接比较，请乘以“汇率”参数"
            elif lt[0] == rt[0] == "数量":
                hint = "计数单位不同的数量不能比较"
            else:
                hint = None
            self.report.error("E304", f"不能比较{show(lt)}与{show(rt)}", e.span, hint)

    def first(self, e: n.First):
        """首次: the left side must be an enterprise field, whose earlier years the record can give."""
        decl = self.s.value_decl(e.measure.key)
        if decl is not None and not (isinstance(decl, n.Field) and not decl.project):
            self.report.error("E316", f"“首次”前面应是企业字段，「{e.measure.name}」不是", e.measure.span,
                              "以前各年度的值按字段记录（记录中的“历年”）；度量、参数和项目字段没有历年值")
            return
        self.comparable(self.type_of(e.measure), self.type_of(e.threshold), e)

    def holds(self, e: n.Holds):
        for ref in e.recognitions:
            rec = self.s.recognitions.get(ref.key)
            if rec is None or e.level is None:
                continue
            if not rec.levels:
                self.report.error("E309", f"认定「{rec.name}」不分等级，不能要求“{e.level.name}”", e.level.span,
                                  "删去等级，或在标准库中把该认定声明为“分级”")
            elif self.s.level_rank(rec.levels, e.level.name) is None:
                self.report.error("E307", f"「{e.level.name}」不是等级「{rec.levels}」中的一级", e.level.span)

    def member(self, e: n.Member):
        lt = self.type_of(e.left)
        if lt is None:
            return
        if e.op == "属于":
            if lt[0] == "等级":
                for el in e.elements:
                    if self.s.level_rank(lt[1], el.name) is None:
                        self.report.error("E307", f"「{el.name}」不是等级「{lt[1]}」中的一级", el.span)
            elif lt != TEXT:
                self.report.error("E310", f"“属于”的左边应是文本或等级，这里是{show(lt)}", e.span)
        elif lt != ("集合",):
            self.report.error("E310", f"“包含”的左边应是集合，这里是{show(lt)}", e.span,
                              "认定用“已认定「…」”表示")

    def expect(self, e, want, where: str):
        """The type of ``e``, reported when it is not ``want``; ``where`` names the place in the message."""
        t = self.type_of(e)
        if t is not None and t != want:
            self.report.error("E301", f"{where}应是{show(want)}，这里是{show(t)}", e.span)
        return t

    def money(self, e, where: str) -> None:
        """Report an expression that is not money in 元: another currency needs an 汇率, any other type is wrong."""
        t = self.type_of(e)
        if t is None:
            return
        if t[0] == "金额" and t[1] != "元":
            self.report.error("E311", f"{where}以{t[1]}计，须换算为元", e.span,
                              "乘以一个汇率参数，如 ×「美元汇率」")
        elif t[0] != "金额":
            self.report.error("E312", f"{where}应是金额，这里是{show(t)}", e.span)

    def assignable(self, value, want, where: str) -> None:
        """Report a written value (a parameter's value or range, a binding, a case fact) that does not fit
        its declared type; a bare 「名称」 may be a text value or a level."""
        if want is None:
            return
        want = self.canon(want)
        if isinstance(value, n.Literal) and isinstance(value.value, Decimal) and want[0] in ("数值", "汇率"):
            return
        if isinstance(value, n.Ref) and want[0] in ("文本", "集合") and self.s.value_decl(value.key) is None:
            return  # a text value written in 「」
        if isinstance(value, n.Ref) and want[0] == "等级" and self.s.value_decl(value.key) is None:
            if value.name != NO_LEVEL and self.s.level_rank(want[1], value.name) is None:  # 「无」: no level at all
                self.report.error("E307", f"「{value.name}」不是等级「{want[1]}」中的一级", value.span)
            return
        t = self.type_of(value)
        if t is None:
            return
        if want[0] == "等级" and t[0] == LEVEL_VALUE:
            if self.s.level_rank(want[1], value.name) is None:
                self.report.error("E307", f"「{value.name}」不是等级「{want[1]}」中的一级", value.span)
            return
        if t != want:
            self.report.error("E313", f"{where}应是{show(want)}，这里是{show(t)}", value.span)

    # ---- declarations and rules ----
    def run(self) -> None:
        for doc in self.program.documents():
            for m in doc.measures:
                t = self.ref_type(n.Ref(m.name, m.span))
                if t is not None and t[0] not in ORDERED:
                    self.report.error("E314", f"度量「{m.name}」应是数值类的量，这里是{show(t)}", m.span)
            for f in doc.fields:
                if f.signed and f.type.kind not in SIGNABLE:
                    self.report.error("E331", f"字段「{f.name}」是{show(declared(f.type))}，不能声明“可为负”", f.span,
                                      "只有金额、比例、数量、数值类的字段可以声明“可为负”")
            for p in doc.params:
                want = declared(p.type)
                if p.value is not None:
                    self.assignable(p.value, want, f"参数「{p.name}」的取值")
                if p.range:
                    for end in p.range:
                        self.assignable(end, want, f"参数「{p.name}」的范围")
            if doc.validity:
                for end in (doc.validity.start, doc.validity.end):
                    if end is not None:
                        self.expect(end, ("日期",), "施行日期")
            for a in doc.articles:
                for item in a.items:
                    self.item(item)
            for c in doc.sum_caps:
                self.money(c.amount, "总额上限")
            for g in doc.group_caps:
                self.money(g.amount, "组合上限")
            for b in doc.bindings:
                self.binding(b)
            for nar in doc.narrowings:
                self.expect(nar.condition, BOOL, "补充条件")
            for case in doc.cases:
                self.case(case)

    def binding(self, b: n.Binding) -> None:
        p = self.s.params.get(b.key)
        if p is not None:
            self.assignable(b.value, declared(p.type), f"参数「{p.name}」的设定值")

    RESULT_KINDS = ("金额", "比例", "数量", "数值", "期限", "日期", "年度")

    def result(self, item: n.Item) -> None:
        """核定「名称」 算式: a typed value, not money paid; its 上限/下限 are of the same type."""
        t = self.type_of(item.award.amount)
        if t is not None and t[0] not in self.RESULT_KINDS:
            self.report.error("E575", f"核定的结果应是金额、比例、数量、数值、期限或日期，这里是{show(t)}", item.award.amount.span,
                              "条件写在“条件”中；文字说明写“非资金支持「…」”")
            return
        for lim in item.limits:
            lt = self.type_of(lim.amount)
            if t is not None and lt is not None and lt != t:
                self.report.error("E574", f"{lim.kind}应与核定的结果同为{show(t)}，这里是{show(lt)}", lim.amount.span)

    def item(self, item: n.Item) -> None:
        for c in item.conditions:
            self.expect(c, BOOL, "条件")
        a = item.award
        if a is not None and a.kind == "核定":
            self.result(item)
            a = None  # not money: none of the checks below applies
        if a is not None:
            if a.amount is not None:
                self.money(a.amount, "给予的金额")
            if a.kind == "分档":
                mt = self.type_of(a.measure)
                if mt is not None and mt[0] not in ORDERED:
                    self.report.error("E315", f"分档所依据的量应能比较大小，这里是{show(mt)}", a.measure.span)
                for tier in a.tiers:
                    self.money(tier.amount, "这一档的金额")
                    if tier.when is not None:
                        self.expect(tier.when, BOOL, "这一档的附加条件")
                    if tier.band:
                        for b in (tier.band.low, tier.band.high):
                            if b is not None:
                                self.comparable(mt, self.type_of(b.right), b)
        for lim in item.limits if a is not None or item.award is None else ():
            self.money(lim.amount, lim.kind)
        for u in item.uplifts:
            self.expect(u.ratio, RATIO, "上浮比例")
            if u.when is not None:
                self.expect(u.when, BOOL, "上浮条件")
        for t in item.tranches:
            self.expect(t, RATIO, "分期比例")

    def case(self, case: n.Case) -> None:
        for fact in (*case.facts, *(f for p in case.projects for f in p)):
            if fact.holds:
                rec = self.s.recognitions.get(n.name_key(fact.name))
                if rec and fact.level is not None:
                    if not rec.levels:
                        self.report.error("E309", f"认定「{rec.name}」不分等级", fact.level.span)
                    elif self.s.level_rank(rec.levels, fact.level.name) is None:
                        self.report.error("E307", f"「{fact.level.name}」不是等级「{rec.levels}」中的一级",
                                          fact.level.span)
                continue
            f = self.s.fields.get(n.name_key(fact.name))
            if f is not None:
                self.assignable(fact.value, declared(f.type), f"字段「{f.name}」")
        for name, facts, _ in case.rows:
            for fact in facts:
                f = self.s.list_fields.get((n.name_key(name), n.name_key(fact.name)))
                if f is not None and not fact.holds:
                    self.assignable(fact.value, declared(f.type), f"列表「{name}」的字段「{f.name}」")
        for h in case.history:
            self.money(h.amount, "已获金额")
        for y in case.yearly:
            f = self.s.fields.get(n.name_key(y.name))
            if f is None:
                continue
            if f.project:
                self.report.error("E316", f"项目字段「{f.name}」没有历年值", y.span, "历年值只对企业字段")
                continue
            for _, value in y.values:
                self.assignable(value, declared(f.type), f"字段「{f.name}」的历年值")
        for b in case.bindings:
            self.binding(b)
        for e in case.expectations:
            if e.amount is not None:
                self.money(e.amount, "预期金额")
            for t in e.tranches:
                self.money(t, "预期的分期金额")
        for t in case.totals:
            self.money(t.amount, f"预期{t.kind}")
        for a in case.assessments:
            if a.amount is not None:
                self.money(a.amount, "评定金额")


def is_text_value(s, e) -> bool:
    """A name in 「」 on the right of 为/等于 that names nothing declared: a text value such as 「闵行区」."""
    return isinstance(e, n.Ref) and s.value_decl(e.key) is None and e.key not in s.level_members() \
        and e.key not in s.recognitions


def combine(op: str, lt, rt):
    """The type of ``lt op rt``, or None if it means nothing."""
    lk, rk = lt[0], rt[0]
    if op in "+-":
        if lt == rt and lk in ("金额", "比例", "数量", "数值"):
            return lt
        if lk == "年度" and rk == "数值":  # 「认定年度」 + 2: a year counted on
            return lt
        if op == "-" and lk == rk == "年度":  # years between two years
            return NUMBER
        return None
    if op == "的":
        if lk in ("金额", "数量") and rk in ("比例", "数值"):
            return lt
        return None
    if op == "×":
        if lk == "数值":
            return rt
        if rk == "数值":
            return lt
        if lk == "金额" and rk == "比例" or lk == "比例" and rk == "金额":
            return lt if lk == "金额" else rt
        if lk == "金额" and rk == "汇率" and lt[1] == rt[2]:
            return ("金额", rt[1])
        if lk == "汇率" and rk == "金额" and rt[1] == lt[2]:
            return ("金额", lt[1])
        if lk == "数量" and rk == "金额":
            return rt
        if lk == "金额" and rk == "数量":
            return lt
        if lk == "数量" and rk == "比例" or lk == "比例" and rk == "数量":
            return lt if lk == "数量" else rt
        if lk == rk == "比例":
            return RATIO
        return None
    if op == "÷":
        if rk == "数值":
            return lt
        if lt == rt and lk in ("金额", "数量", "比例"):
            return RATIO
        if lk == "金额" and rk == "数量":
            return lt
        return None
    return None


def typecheck(program: Program, reporter: Reporter) -> TypeChecker:
    """The type pass over a resolved program; returns the checker so its types can be read afterwards."""
    checker = TypeChecker(program, reporter)
    checker.run()
    return checker
