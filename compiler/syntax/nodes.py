"""The syntax tree: frozen attrs classes, each with the span it came from.

Names keep the text the drafter wrote (``name``) and are compared through
``key`` (NFKC), so that full-width look-alikes are the same name.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Union

import attrs

from compiler.diagnostics import Span


def name_key(name: str) -> str:
    """How names are compared: NFKC, so ｆｏｏ and foo, １ and 1 are one name."""
    return unicodedata.normalize("NFKC", name)


node = attrs.frozen(eq=False)  # identity equality: trees can be deep, never compare them structurally


class Named:
    """A node with a name; ``key`` is the name as names are compared."""

    @property
    def key(self) -> str:
        return name_key(self.name)


# ---- 算式与条件 -------------------------------------------------------------

@node
class Literal:
    """A literal as written (``text``) and its exact value (Money, Ratio, Count, Decimal, date, Year, …)."""
    value: Any  # Money, Ratio, Count, Decimal, date, Year, Duration, bool
    text: str
    span: Span


@node
class Ref(Named):
    """A 「名称」 in an expression; what it names (field, parameter, measure, level …) is found by the resolver."""
    name: str
    span: Span


@node
class Binary:
    """Arithmetic (+ − × ÷), or 的: the ratio of a base, as in 「基数」的「比例」."""
    op: str  # + - × ÷ 的
    left: "Expr"
    right: "Expr"
    span: Span


@node
class ByLevel:
    """Amounts that differ by level: 分级「级别字段」：「国家级」500万元，「市级」300万元."""
    measure: "Expr"
    entries: tuple[tuple[Ref, "Expr"], ...]
    span: Span


@node
class Compare:
    """A comparison written with boundary words: ``op`` is the relation they mean (LANGUAGE.md §3),
    ``words`` keeps them as written for traces and docs."""
    left: "Expr"
    op: str  # >= <= > <
    right: "Expr"
    words: tuple[str, ...]  # the boundary words as written
    span: Span


@node
class Logic:
    """且 / 或 of two conditions; ``operands`` reads a chain of one operator flat."""
    op: str  # 且 或
    left: "Expr"
    right: "Expr"
    span: Span


@node
class Not:
    """非 条件, or a condition written “…除外”; ``excluded`` only keeps how it was written."""
    operand: "Expr"
    span: Span
    excluded: bool = False  # written as “…除外”


@node
class Holds:
    """已认定「X」 or 已认定 {「X」、「Y」} 之一, optionally at a level."""
    recognitions: tuple[Ref, ...]
    level_op: str | None
    level: Ref | None
    span: Span
    first: bool = False  # 首次认定「X」: held now, and in no earlier year the record's 历年 covers


@node
class Member:
    """「行业」属于 {…}; 「认定」包含「X」; 「认定」包含 {…} 之一."""
    left: "Expr"
    op: str  # 属于 包含
    elements: tuple[Ref, ...]
    span: Span


@node
class Pick:
    """较小者（a，b，…） or 较大者（a，b，…）: the least or greatest of values of one type."""
    op: str  # 较小者 较大者
    operands: tuple["Expr", ...]
    span: Span


@node
class First:
    """「X」首次达到「T」: X reaches T this year and reached it in no earlier year the record covers (LANGUAGE.md §9)."""
    measure: Ref  # a field of the enterprise: its earlier years' values come from the record's 历年
    op: str  # >= <= > <
    threshold: "Expr"
    words: tuple[str, ...]
    span: Span


@node
class Aggregate:
    """合计/最大值/最小值（「列表」的 值，凡 条件）, 计数（「列表」，凡 条件）, 所有/任一（「列表」，凡 条件，条件）.

    Names inside ``value``, ``where`` and ``test`` may be the list's own fields (列表字段)."""
    kind: str  # 合计 最大值 最小值 计数 所有 任一
    list: Ref
    value: "Expr | None"
    where: "Expr | None"
    test: "Expr | None"
    span: Span


@node
class Step:
    """「量」每增加 步长 增加 数额: whole steps of ``size`` in ``measure`` (not below 0) times ``each``."""
    measure: "Expr"
    size: "Expr"
    each: "Expr"
    span: Span
    word: str = "每增加"


@node
class Round:
    """向下取整/向上取整/四舍五入（值，单位）: the value rounded to a whole multiple of the unit."""
    mode: str  # 向下取整 向上取整 四舍五入
    value: "Expr"
    unit: "Expr"
    span: Span


@node
class Within:
    """「申报年度」自「认定年度」起 三年内: from the start year (or date) for a period, the start included."""
    value: "Expr"
    start: "Expr"
    period: Any  # literals.Duration
    text: str
    span: Span


@node
class Progressive:
    """累进「量」 档 …：比例 …: each band's part of the measure at the band's rate, the parts added up
    (“100万元以下部分按5%，100万元至500万元部分按3%”). ``tiers`` are in the order written, lowest first;
    a band with no upper bound ends at the next band's lower bound, the last one runs on without end."""
    measure: "Expr"
    tiers: tuple["Tier", ...]
    span: Span


@node
class AwardOf:
    """金额（第8条「款」）: the amount another item gives the same enterprise."""
    item: "ItemRef"
    span: Span


@node
class Received:
    """已获「X」: the record shows an award of the declared 外部支持 X (any year)."""
    source: "ItemRef"  # article EXTERNAL
    span: Span


Expr = Union[Literal, Ref, Binary, ByLevel, Compare, Logic, Not, Holds, Member, Pick, Aggregate, Step, Round,
             AwardOf, Within, First, Received, Progressive]


def children(e) -> tuple:
    """The sub-expressions of an expression node."""
    if isinstance(e, (Binary, Logic, Compare)):
        return (e.left, e.right)
    if isinstance(e, Not):
        return (e.operand,)
    if isinstance(e, ByLevel):
        return (e.measure, *(amount for _, amount in e.entries))
    if isinstance(e, Member):
        return (e.left,)
    if isinstance(e, Pick):
        return e.operands
    if isinstance(e, Aggregate):
        return tuple(x for x in (e.value, e.where, e.test) if x is not None)
    if isinstance(e, Step):
        return (e.measure, e.size, e.each)
    if isinstance(e, Within):
        return (e.value, e.start)
    if isinstance(e, Round):
        return (e.value, e.unit)
    if isinstance(e, First):
        return (e.measure, e.threshold)
    if isinstance(e, Progressive):
        return (e.measure, *progressive_parts(e))
    return ()


def progressive_parts(e: "Progressive") -> tuple:
    """The band bounds and rates of a 累进 table, in order."""
    out = []
    for t in e.tiers:
        if t.band is not None:
            out += [b.right for b in (t.band.low, t.band.high) if b is not None]
        out.append(t.amount)
    return tuple(out)


def operands(e, op: str):
    """The parts of a chain of one logical operator: operands(a 且 (b 且 c), "且") gives a, b, c in order."""
    stack = [e]
    while stack:
        e = stack.pop()
        if isinstance(e, Logic) and e.op == op:
            stack += [e.right, e.left]
        else:
            yield e


def walk(e):
    """Every node of an expression, without recursion (trees may be deep)."""
    stack = [e]
    while stack:
        e = stack.pop()
        yield e
        stack.extend(reversed(children(e)))


# ---- 条款 ---------------------------------------------------------------

EXTERNAL = "外部"  # the article of an ItemRef that names a declared 外部支持, not an item of this policy


@node
class ItemRef:
    """第8条「款」, 附则第3条 or 外部「X」: an item (a whole article when ``item`` is None) by article and name."""
    article: str  # 8, 附则3
    item: str | None
    span: Span

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.article, name_key(self.item) if self.item else None)

    def __str__(self) -> str:
        if self.article == EXTERNAL:
            return f"外部「{self.item}」"
        head = f"附则第{self.article[2:]}条" if self.article.startswith("附则") else f"第{self.article}条"
        return head + (f"「{self.item}」" if self.item else "")


@node
class Band:
    """The bounds of one 档 of a tier table over its measure: a lower and/or an upper comparison."""
    low: Compare | None  # left side is a placeholder Ref("") for the measure
    high: Compare | None
    span: Span


@node
class Tier:
    """One 档 of a 分档 table: the amount paid when the measure falls in ``band`` (and ``when`` holds)."""
    band: Band | None
    amount: "Expr"
    span: Span
    when: "Expr | None" = None  # 档 … 若 条件：the band pays only if this also holds


@node
class Award:
    """The 给予 clause: how an item's amount is worked out; ``kind`` names the form (金额, 配套, 分档, 非资金支持 …)."""
    kind: str  # 金额 配套 贴息 保费补贴 全额 分档 非资金支持 一事一议
    amount: "Expr | None"
    span: Span
    measure: "Expr | None" = None  # for 分档
    tiers: tuple[Tier, ...] = ()
    description: str | None = None  # for 非资金支持
    # 最多可得: (boundary word, where it stands) when the text gives only a maximum:
    # ("最高", "金额") for 给予 最高 50万元, ("不高于", "比例") for 按「基数」的 不高于 5%.
    up_to: tuple[str, str] | None = None
    result: str | None = None  # 核定「名称」: the name of a computed value that is not money paid


@node
class Limit:
    """上限 / 年度上限 / 累计上限 / 下限 on an item's amount, for the item, each project or a window of years."""
    kind: str  # 上限 年度上限 累计上限 下限
    amount: "Expr"
    words: tuple[str, ...]
    span: Span
    per_project: bool = False  # 累计上限 每个项目 …: each project's own history, not one pot for all
    window: int | None = None  # 累计上限 三年内 …: the awards of this year and the N−1 before


@node
class Frequency:
    """The 频次 clause: how often an item may pay (一次性, 每年, counted …); ``also`` parts must all allow it."""
    kind: str  # 一次性 每年 每季度 每月 每次 最多 序数
    count: int | None
    unit: str | None
    span: Span
    also: tuple["Frequency", ...] = ()  # further parts that must all allow: 每年、最多 3次
    stated: bool = True  # False when written “原文未写”: the encoder's reading, listed by the review

    def parts(self) -> tuple["Frequency", ...]:
        """This part and the further ones in ``also``: a payment needs all of them to allow it."""
        return (self, *self.also)


@node
class Uplift:
    """上浮 比例（若 条件）: the item's amount raised by a ratio, only when the condition holds if one is given."""
    ratio: "Expr"
    when: "Expr | None"
    span: Span


@node
class Item:
    """One 款: who qualifies, what it pays and the limits on it; results are reported item by item."""
    name: str
    article: str
    quote: "Quote | None"
    conditions: tuple["Expr", ...]
    assessment: str | None
    award: Award | None
    limits: tuple[Limit, ...]
    frequency: Frequency | None
    uplifts: tuple[Uplift, ...]
    topup: tuple[ItemRef, ...] | None  # () means “this item”; None means no 补差
    tranches: tuple["Expr", ...]
    per_project: bool
    overrides: ItemRef | None
    notes: tuple["Note", ...]
    span: Span
    unencoded: bool = False  # 待编码: the 原文 is quoted, the rule not yet written

    @property
    def key(self) -> tuple[str, str]:
        return (self.article, name_key(self.name))

    @property
    def label(self) -> str:
        return str(ItemRef(self.article, self.name, self.span))

    def expressions(self):
        """Every expression the item holds: conditions, award, tier bounds, limits, uplifts, tranches."""
        yield from self.conditions
        if self.award is not None:
            for e in (self.award.amount, self.award.measure):
                if e is not None:
                    yield e
            for tier in self.award.tiers:
                yield tier.amount
                if tier.when is not None:
                    yield tier.when
                if tier.band is not None:
                    yield from (b.right for b in (tier.band.low, tier.band.high) if b is not None)
        yield from (lim.amount for lim in self.limits)
        for u in self.uplifts:
            yield u.ratio
            if u.when is not None:
                yield u.when
        yield from self.tranches


def evolve_item(item: Item, article: str) -> Item:
    """The item with its article number set: the builder makes items before it reaches the article's number."""
    return attrs.evolve(item, article=article)


@node
class Quote:
    """原文「…」: the official sentence a rule comes from; it must occur verbatim in the declared source text."""
    text: str
    span: Span


@node
class Note:
    """备注「…」: the encoder's remark on an ambiguity or inconsistency in the text, shown to readers."""
    text: str
    span: Span


@node
class Article:
    """One 条: its title, quote and items (款), and the chapter it sits in."""
    number: str  # “8” or “附则3”
    title: str
    quote: Quote | None
    items: tuple[Item, ...]
    notes: tuple[Note, ...]
    chapter: str | None
    span: Span

    @property
    def label(self) -> str:
        return f"附则第{self.number[2:]}条" if self.number.startswith("附则") else f"第{self.number}条"


# ---- 声明 ---------------------------------------------------------------

@node
class Type:
    """A declared type (金额, 比例, 数量（单位）, 等级「X」 …); ``detail`` carries its currency, unit, rate pair or levels."""
    kind: str  # 金额 比例 数量 布尔 日期 年度 文本 数值 汇率 等级
    detail: tuple[str, ...] = ()  # currency; unit; (from, to); level name
    span: Span | None = None

    def __str__(self) -> str:
        if self.kind == "金额" and self.detail and self.detail[0] != "元":
            return f"金额（{self.detail[0]}）"
        if self.kind == "数量":
            return f"数量（{self.detail[0]}）"
        if self.kind == "汇率":
            return f"汇率（{self.detail[0]}/{self.detail[1]}）"
        if self.kind == "等级":
            return f"等级「{self.detail[0]}」"
        return self.kind


@node
class Param(Named):
    """参数: a number the policy leaves open or adjustable, with its type, allowed range and value or 待定."""
    name: str
    type: Type
    range: tuple["Expr", "Expr"] | None
    value: "Expr | None"
    pending: bool
    description: str | None
    span: Span


@node
class Field(Named):
    """字段 / 项目字段 / 列表字段: an input read from the enterprise's record, each project or each list item."""
    name: str
    type: Type
    description: str | None
    project: bool
    span: Span
    signed: bool = False  # 可为负: the record may give a negative value
    list: str | None = None  # for 列表字段: the list it belongs to


@node
class ListDecl(Named):
    """列表「采购」（项）: a list of records in the enterprise's record; its fields are 列表字段."""
    name: str
    unit: str  # the unit of 计数 over it
    description: str | None
    span: Span


@node
class Measure(Named):
    """度量: a value computed from others (a growth rate, R&D intensity), named so rules can share it."""
    name: str
    formula: "Expr"
    description: str | None
    span: Span


@node
class Levels:
    """等级「X」：A > B > C: ordered levels, highest first, so that 区级及以上 can be compared."""
    name: str
    members: tuple[Ref, ...]  # highest first
    description: str | None
    span: Span


@node
class Recognition(Named):
    """认定「X」: a title an enterprise may hold (专精特新 …), graded by a 等级 when ``levels`` is set."""
    name: str
    levels: str | None
    description: str | None
    span: Span


@node
class Unit:
    """单位「X」: a unit the policy declares, usable in 数量（「X」） and 5「X」."""
    name: str
    description: str | None
    span: Span
    fractional: bool = False  # 可为小数: a measure (area, weight), not a count
    base: "Expr | None" = None  # 单位「公顷」 = 10000平方米: the same kind as another unit, this many of it

@node
class External(Named):
    """外部支持「X」: an award made under another policy, read from the record's 已获支持 as 外部「X」."""
    name: str
    description: str | None
    span: Span


@node
class Exclusive:
    """互斥: items that must not be paid together, and how the one paid is chosen (就高, 优先, 累加)."""
    name: str | None
    members: tuple[ItemRef, ...]
    rule: str  # 就高 优先 累加
    span: Span
    per_project: bool = False  # 同一项目不重复支持: members compete project by project, not as whole items


@node
class GroupCap:
    """组合上限「名」：第22条「甲」、第22条「乙」 每个项目 上限 50万元: the members' sum, per project, year or all time."""
    name: str
    members: tuple[ItemRef, ...]
    scope: str  # 项目 每年 累计
    amount: "Expr"
    span: Span


@node
class SumCap:
    """总额上限: the cap on the sum of every item paid to one enterprise, each year when ``yearly``, else in all."""
    yearly: bool
    amount: "Expr"
    span: Span


@node
class Binding(Named):
    """设定「参数」为 值（自 日期 起）: a parameter's value, from ``since`` on when a date is given."""
    name: str
    value: "Expr"
    since: Any  # datetime.date | None
    span: Span


@node
class Narrowing:
    """补充条件 第N条「款」：条件: a 细则's extra condition on an item of the policy it extends."""
    target: ItemRef
    condition: "Expr"
    span: Span


@node
class Validity:
    """施行: when the policy is in force (start, end, trial period); a date outside it gives 不在施行期."""
    start: "Expr | None"  # Literal(date) or Ref to a 日期 parameter
    end: "Expr | None"
    trial: Any  # Duration | None
    span: Span


# ---- 案例 ---------------------------------------------------------------

@node
class Fact:
    """One fact in a case: a field's value, or a recognition the enterprise holds (at a level)."""
    name: str  # "" with holds: 企业 已认定 无 (no recognition held)
    value: "Expr | None"  # None with holds
    holds: bool
    level: Ref | None
    span: Span


@node
class HistoryEntry:
    """已获 第N条「款」 年度 金额: an award the case's enterprise already received, read by caps and frequencies."""
    item: ItemRef
    year: int
    amount: "Expr"
    span: Span
    project: str | None = None  # for per-project items: which project received it


@node
class YearValues:
    """历年「X」2023年度 8亿元，2024年度 9亿元: a case's earlier years' values of one field."""
    name: str
    values: tuple[tuple[int, "Expr"], ...]
    span: Span


@node
class HeldYear:
    """历年 已认定 2024年度「X」为「市级」: the recognitions a case's enterprise held in one earlier year (none: empty)."""
    year: int
    held: tuple[tuple[str, str | None], ...]  # (recognition, level or None)
    span: Span


@node
class Expectation:
    """预期 第N条「款」 状态，金额 X: what a case says one item must give."""
    item: ItemRef
    status: str
    amount: "Expr | None"
    span: Span
    result: "Expr | None" = None  # 核定 X: the value of a result that is not money
    counted: bool | None = None  # 计入合计 / 不计入合计 (which member of a 互斥 group is paid)
    tranches: tuple = ()  # 分期 X、Y: the amount of each tranche


@node
class TotalExpectation:
    """预期 合计 X / 预期 最高合计 X: the policy's totals for the case."""
    kind: str  # 合计 最高合计
    amount: "Expr"
    span: Span


@node
class Assessment:
    """评定 第N条「款」 通过 / 未通过 / 金额为 X: what the human assessment decided, as a case states it."""
    item: ItemRef
    outcome: str  # 通过 未通过
    amount: "Expr | None"  # the amount decided, for an award whose text gives only a maximum
    span: Span


@node
class Case:
    """案例「X」: a drafter's worked example (facts, bindings, history, expected results), tested and shown in docs."""
    name: str
    date: Any
    facts: tuple[Fact, ...]
    projects: tuple[tuple[Fact, ...], ...]
    history: tuple[HistoryEntry, ...]
    bindings: tuple[Binding, ...]
    expectations: tuple[Expectation, ...]
    span: Span
    totals: tuple = ()  # TotalExpectation
    assessments: tuple = ()  # Assessment
    rows: tuple[tuple[str, tuple[Fact, ...], Span], ...] = ()  # 列表「采购」 …: one item of a list each
    yearly: tuple[YearValues, ...] = ()
    held_years: tuple[HeldYear, ...] = ()  # 历年 已认定 …: the record's 历年.已认定


# ---- 文件 ---------------------------------------------------------------

@node
class Document:
    """One .pol file: a policy, a 细则 or a stdlib module."""
    kind: str  # 政策 细则 模块
    name: str
    path: str
    issuer: str | None
    issued: Any
    stage: str | None
    source_file: tuple[str, str | None] | None  # file name, and where the operative text starts
    extends: str | None
    imports: tuple[Ref, ...]
    validity: Validity | None
    params: tuple[Param, ...]
    fields: tuple[Field, ...]
    measures: tuple[Measure, ...]
    levels: tuple[Levels, ...]
    recognitions: tuple[Recognition, ...]
    units: tuple[Unit, ...]
    chapters: tuple[tuple[str, Span], ...]
    articles: tuple[Article, ...]
    exclusives: tuple[Exclusive, ...]
    sum_caps: tuple[SumCap, ...]
    bindings: tuple[Binding, ...]
    narrowings: tuple[Narrowing, ...]
    cases: tuple[Case, ...]
    notes: tuple[Note, ...]
    span: Span
    lists: tuple[ListDecl, ...] = ()
    list_fields: tuple[Field, ...] = ()  # 列表字段: fields of one item of a list
    externals: tuple[External, ...] = ()
    group_caps: tuple[GroupCap, ...] = ()

    def items(self):
        """Every item of every article, in file order."""
        for article in self.articles:
            yield from article.items
