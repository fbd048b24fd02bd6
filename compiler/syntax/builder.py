"""Build pass: the lark parse tree becomes the attrs syntax tree of ``nodes``.

Runs without recursion (``Transformer_NonRecursive``), so deep nesting cannot
overflow the stack here; expressions nested deeper than ``MAX_DEPTH`` are
reported and cut, so the recursive passes after this one stay safe.
"""

from __future__ import annotations

import re

import attrs
from lark import Token, Transformer_NonRecursive, Tree, v_args

from compiler.syntax import nodes as n
from compiler.diagnostics import Reporter, Span
from compiler.syntax.keywords import BOUNDARY_WORDS, PREFIX_BOUNDS
from compiler.syntax.literals import Count, LiteralError, parse_literal, chinese_integer, number

MAX_DEPTH = 60
MAX_NAME = 200

_RELATION = {">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def article_number(token: str) -> str:
    """第8条 → "8", 第十二条 → "12", 附则第3条 → "附则3"."""
    m = re.fullmatch(r"(附则)?第(.+)条", token)
    value = int(number(m.group(2)))  # raises LiteralError, never a bare ValueError
    return f"{m.group(1) or ''}{value}"


def relation(words: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The relation the boundary words give, and a conflict message if they disagree.

    An explicit (含)/(不含) wins over the other words; a contradiction is returned
    so the checker can warn about it.
    """
    main = [BOUNDARY_WORDS[w] for w in words if BOUNDARY_WORDS.get(w) not in ("incl", "excl", None)]
    marks = [BOUNDARY_WORDS[w] for w in words if BOUNDARY_WORDS.get(w) in ("incl", "excl")]
    conflict = None
    direction = None
    for rel in main:
        d = rel[0]
        if direction and d != direction:
            return None, f"边界词“{'、'.join(words)}”方向相反"
        direction = d
    strict = {r for r in main if len(r) == 1}
    inclusive = {r for r in main if len(r) == 2}
    if strict and inclusive:
        conflict = f"边界词“{'、'.join(words)}”互相矛盾：有的包括本数，有的不包括"
    if marks:
        if len(set(marks)) > 1:
            return None, f"同时写了（含）和（不含）"
        if direction is None:
            return None, "只写了（含）或（不含），没有写方向，如“以上”“以下”"
        want_inclusive = marks[0] == "incl"
        if (want_inclusive and strict) or (not want_inclusive and inclusive):
            conflict = f"边界词“{'、'.join(words)}”互相矛盾，按{'（含）' if want_inclusive else '（不含）'}理解"
        return direction + ("=" if want_inclusive else ""), conflict
    if direction is None:
        return None, None
    if strict and inclusive:
        return direction + "=", conflict
    return main[0], conflict


@v_args(meta=True)
class Builder(Transformer_NonRecursive):
    """Builds the node of each grammar rule in the method of the same name (lark calls them bottom-up).
    Clauses and header statements come back as (tag, value) pairs that ``item`` and ``assemble`` sort."""
    def __init__(self, path: str, reporter: Reporter):
        super().__init__()
        self.path = path
        self.report = reporter
        self.depth: dict[int, int] = {}
        self.boundary_conflicts: list[tuple[str, Span]] = []

    # ---- helpers ----
    def span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, 1, 1, 1, 1)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def article_no(self, token: Token) -> str:
        try:
            return article_number(str(token))
        except LiteralError as exc:
            self.report.error("E120", f"条号“{token}”无法识别：{exc}", self.tspan(token))
            return str(token)

    def tspan(self, token: Token) -> Span:
        return Span(self.path, token.line or 1, token.column or 1,
                    token.end_line or token.line or 1, token.end_column or (token.column or 1) + 1)

    def name(self, token: Token) -> str:
        text = str(token)[1:-1]
        if not text.strip():
            self.report.error("E111", "名称不能为空", self.tspan(token), "在「」中写上名称")
        elif "\n" in text:
            self.report.error("E112", "名称中不能换行", self.tspan(token), "可能少写了一个“」”")
        elif len(text) > MAX_NAME:
            self.report.error("E113", f"名称过长（{len(text)} 字）", self.tspan(token), f"名称不超过 {MAX_NAME} 字")
        return text

    def text(self, token: Token) -> str:
        return " ".join(str(token)[1:-1].split())

    def deep(self, node, meta, *children):
        depth = 1 + max((self.depth.get(id(c), 0) for c in children), default=0)
        if depth > MAX_DEPTH:
            if not any(self.depth.get(id(c), 0) > MAX_DEPTH for c in children):
                self.report.error("E110", f"条件或算式嵌套过深（超过 {MAX_DEPTH} 层）", node.span,
                                  "把复杂的条件拆成几个“度量”或几个条件子句")
            depth = MAX_DEPTH + 1
            node = n.Literal(None, "", node.span)  # cut: later passes skip it
        self.depth[id(node)] = depth
        return node

    @staticmethod
    def tokens(children, *types):
        return [c for c in children if isinstance(c, Token) and c.type in types]

    @staticmethod
    def nodes(children, cls):
        return [c for c in children if isinstance(c, cls)]

    # ---- literals and references ----
    def literal(self, meta, children):
        token = children[0]
        if not isinstance(token, Token):
            return token  # a date already built
        try:
            value = parse_literal(token.type, str(token))
        except (LiteralError, ArithmeticError) as exc:
            self.report.error("E120", f"字面量“{token}”无法识别：{exc}", self.tspan(token))
            value = None
        return n.Literal(value, str(token), self.tspan(token))

    def DATE(self, token):
        try:
            value = parse_literal("DATE", str(token))
        except LiteralError as exc:
            self.report.error("E120", str(exc), self.tspan(token))
            value = None
        return n.Literal(value, str(token), self.tspan(token))

    def ref(self, meta, children):
        token = children[0]
        if isinstance(token, n.Literal):
            return token
        return n.Ref(self.name(token), self.tspan(token))

    def add(self, meta, c):
        return self.deep(n.Binary("+", c[0], c[2], self.span(meta)), meta, c[0], c[2])

    def sub(self, meta, c):
        return self.deep(n.Binary("-", c[0], c[2], self.span(meta)), meta, c[0], c[2])

    def mul(self, meta, c):
        return self.deep(n.Binary("×", c[0], c[2], self.span(meta)), meta, c[0], c[2])

    def div(self, meta, c):
        return self.deep(n.Binary("÷", c[0], c[2], self.span(meta)), meta, c[0], c[2])

    def of(self, meta, c):
        parts = [x for x in c if not isinstance(x, Token)]
        return self.deep(n.Binary("的", parts[0], parts[1], self.span(meta)), meta, *parts)

    def pick(self, meta, c):
        operands = tuple(x for x in c if not isinstance(x, Token))
        return self.deep(n.Pick(str(c[0]), operands, self.span(meta)), meta, *operands)

    def step(self, meta, c):
        measure, size, each = (x for x in c if not isinstance(x, Token))
        return self.deep(n.Step(measure, size, each, self.span(meta), str(c[1])), meta, measure, size, each)

    def round_to(self, meta, c):
        value, unit = (x for x in c if not isinstance(x, Token))
        return self.deep(n.Round(str(c[0]), value, unit, self.span(meta)), meta, value, unit)

    def award_of(self, meta, c):
        ref = next(x for x in c if isinstance(x, n.ItemRef))
        return n.AwardOf(ref, self.span(meta))

    def by_level(self, meta, c):
        measure = c[1]
        entries = tuple(x for x in c[2:] if isinstance(x, tuple))
        return n.ByLevel(measure, entries, self.span(meta))

    def level_amount(self, meta, c):
        return (n.Ref(self.name(c[0]), self.tspan(c[0])), c[1])

    def _compare(self, meta, left, right, words):
        rel, conflict = relation(words)
        span = self.span(meta)
        if rel is None:
            self.report.error("E130", conflict or "缺少边界词", span,
                              "用“不低于/以上”表示≥，“超过”表示>，“不超过/以下”表示≤，“低于/不满”表示<")
            rel = ">="
        elif conflict:
            self.boundary_conflicts.append((conflict, span))
        return self.deep(n.Compare(left, rel, right, words, span), meta, left, right)

    def compare(self, meta, c):
        words = tuple(str(t) for t in c if isinstance(t, Token))
        parts = [x for x in c if not isinstance(x, Token)]
        return self._compare(meta, parts[0], parts[1], words)

    def equals(self, meta, c):
        left, word, right = c
        return self.deep(n.Compare(left, "==", right, (str(word),), self.span(meta)), meta, left, right)

    def not_equals(self, meta, c):
        left, word, right = c
        span = self.span(meta)
        inner = n.Compare(left, "==", right, (str(word),), span)
        return self.deep(n.Not(inner, span), meta, left, right)

    def within(self, meta, c):
        value, start, token = c[0], c[2], c[4]
        try:
            period = parse_literal("DURATION", str(token))
        except LiteralError as exc:
            self.report.error("E120", f"期限“{token}”无法识别：{exc}", self.tspan(token))
            period = None
        return self.deep(n.Within(value, start, period, f"{token}内", self.span(meta)), meta, value, start)

    def compare_postfix(self, meta, c):
        return self.compare(meta, c)

    def first_compare(self, meta, c):
        words = tuple(str(t) for t in c if isinstance(t, Token) and t.type != "FIRST")
        parts = [x for x in c if not isinstance(x, Token)]
        compared = self._compare(meta, parts[0], parts[1], words)
        if not isinstance(parts[0], n.Ref):
            self.report.error("E134", "“首次”前面应是一个字段名称", parts[0].span if hasattr(parts[0], "span")
                              else self.span(meta), "如：「工业总产值」首次达到「门槛」；以前各年度的值写在记录的“历年”中")
            return compared
        if not isinstance(compared, n.Compare):
            return compared  # cut for depth
        return self.deep(n.First(parts[0], compared.op, parts[1], words, compared.span), meta, parts[0], parts[1])

    def and_(self, meta, c):
        return self.deep(n.Logic("且", c[0], c[2], self.span(meta)), meta, c[0], c[2])

    def or_(self, meta, c):
        return self.deep(n.Logic("或", c[0], c[2], self.span(meta)), meta, c[0], c[2])

    def not_(self, meta, c):
        return self.deep(n.Not(c[1], self.span(meta)), meta, c[1])

    def except_(self, meta, c):
        return self.deep(n.Not(c[0], self.span(meta), excluded=True), meta, c[0])

    def level_bound(self, meta, c):
        words = tuple(str(t) for t in c if isinstance(t, Token) and t.type != "NAME")
        level = next(t for t in c if isinstance(t, Token) and t.type == "NAME")
        if not words:  # 已认定「X」「市级」: exactly that level
            return ("==", n.Ref(self.name(level), self.tspan(level)))
        rel, conflict = relation(words)
        if rel is None:
            self.report.error("E130", conflict or "缺少边界词", self.span(meta), "如“「区级」及以上”")
            rel = ">="
        return (rel, n.Ref(self.name(level), self.tspan(level)))

    def set(self, meta, c):
        return tuple(n.Ref(self.name(t), self.tspan(t)) for t in c)

    def set_value(self, meta, c):
        names = c[0]
        return n.Literal(frozenset(r.name for r in names), "{" + "、".join(f"「{r.name}」" for r in names) + "}",
                         self.span(meta))

    def holds(self, meta, c):
        rel, level = c[2] if len(c) > 2 else (None, None)
        return n.Holds((n.Ref(self.name(c[1]), self.tspan(c[1])),), rel, level, self.span(meta))

    def first_holds(self, meta, c):
        rel, level = c[3] if len(c) > 3 else (None, None)
        return n.Holds((n.Ref(self.name(c[2]), self.tspan(c[2])),), rel, level, self.span(meta), first=True)

    def holds_any(self, meta, c):
        rel, level = c[3] if len(c) > 3 else (None, None)
        return n.Holds(c[1], rel, level, self.span(meta))

    def member(self, meta, c):
        return self.deep(n.Member(c[0], "属于", c[2], self.span(meta)), meta, c[0])

    def contains(self, meta, c):
        return self.deep(n.Member(c[0], "包含", (n.Ref(self.name(c[2]), self.tspan(c[2])),), self.span(meta)),
                         meta, c[0])

    def contains_any(self, meta, c):
        return self.deep(n.Member(c[0], "包含", c[2], self.span(meta)), meta, c[0])

    # ---- item clauses: returned as (tag, value) pairs, assembled in ``item`` ----
    def quote(self, meta, c):
        return ("quote", n.Quote(self.text(c[1]), self.tspan(c[1])))

    def note(self, meta, c):
        return ("note", n.Note(self.text(c[1]), self.span(meta)))

    def condition(self, meta, c):
        return ("condition", c[1])

    def assess(self, meta, c):
        return ("assess", str(c[-1]))

    def give(self, meta, c):
        award = c[-1]
        words = [str(t) for t in c[1:-1]]
        if words:  # 给予 最高 …, 给予 最高不超过 …: the text gives only a maximum
            award = self._up_to(award, "".join(words), "金额", meta)
        return ("give", award)

    def _up_to(self, award, word: str, place: str, meta):
        """An award whose text gives only a maximum (最高给予, 不超过, 按不高于5%的比例): 最多可得, 待评定."""
        if any(relation((w,))[0] != "<=" for w in re.findall("|".join(PREFIX_BOUNDS), word) or [word]):
            self.report.error("E571", f"“给予”的数额前不能用“{word}”", self.span(meta),
                              "原文只给出最高额时写“给予 最高 50万元”或“给予 不超过 50万元”，比例写“按「基数」的 不高于 5%”")
        if award.kind in ("非资金支持", "一事一议"):
            self.report.error("E572", f"“{award.kind}”没有金额，不能写“{word}”", self.span(meta), f"删去“{word}”")
            return award
        return n.attrs.evolve(award, up_to=(word, place))

    def give_ratio_up_to(self, meta, c):
        parts = [x for x in c if not isinstance(x, Token)]
        word = next(str(t) for t in c if isinstance(t, Token) and t.type == "PREFIX_BOUND")
        amount = self.deep(n.Binary("的", parts[0], parts[1], self.span(meta)), meta, *parts)
        return self._up_to(n.Award("金额", amount, self.span(meta)), word, "比例", meta)

    def give_kind_ratio_up_to(self, meta, c):
        """贴息 按「利息」的 不高于 50% (配套、保费补贴 alike): the form's kind, with the ratio as a maximum."""
        award = self.give_ratio_up_to(meta, c[1:])
        kind = {"MATCH": "配套", "INTEREST": "贴息", "PREMIUM": "保费补贴"}[c[0].type]
        return n.attrs.evolve(award, kind=kind)

    def give_amount(self, meta, c):
        return n.Award("金额", c[0], self.span(meta))

    def _tagged(kind):
        def build(self, meta, c):
            return n.Award(kind, c[1], self.span(meta))
        return build

    give_match = _tagged("配套")
    give_interest = _tagged("贴息")
    give_premium = _tagged("保费补贴")
    give_full = _tagged("全额")

    def give_tiered(self, meta, c):
        tiers = tuple(x for x in c[2:] if isinstance(x, n.Tier))
        return n.Award("分档", None, self.span(meta), measure=c[1], tiers=tiers)

    def give_progressive(self, meta, c):
        """累进「量」 档 …：比例: the amount is the measure's parts at their bands' rates, added up."""
        tiers = tuple(x for x in c[2:] if isinstance(x, n.Tier))
        for t in tiers:
            if t.when is not None:
                self.report.error("E415", "累进的档不能带附加条件（若 …）", t.span,
                                  "累进的每一段都计入；条件写在“条件”中，或改用“分档”")
        return n.Award("金额", n.Progressive(c[1], tiers, self.span(meta)), self.span(meta))

    def give_nonmonetary(self, meta, c):
        desc = self.text(c[1]) if len(c) > 1 else None
        return n.Award("非资金支持", None, self.span(meta), description=desc)

    def give_result(self, meta, c):
        return n.Award("核定", c[2], self.span(meta), result=self.name(c[1]))

    def give_case_by_case(self, meta, c):
        return n.Award("一事一议", None, self.span(meta))

    def tier(self, meta, c):
        band = next((x for x in c if isinstance(x, n.Band)), None)
        when = next((c[i + 1] for i, x in enumerate(c) if isinstance(x, Token) and x.type == "WHEN"), None)
        return n.Tier(band, c[-1], self.span(meta), when)

    def band(self, meta, c):
        bounds = [x for x in c if isinstance(x, n.Compare)]
        low = [b for b in bounds if b.op.startswith(">")]
        high = [b for b in bounds if b.op.startswith("<")]
        if len(low) > 1 or len(high) > 1:
            self.report.error("E131", "一档只能有一个下界和一个上界", self.span(meta),
                              "如“档 达到 1亿元 且 低于 5亿元”")
        return n.Band(low[0] if low else None, high[0] if high else None, self.span(meta))

    def bound(self, meta, c):
        words = tuple(str(t) for t in c if isinstance(t, Token))
        value = next(x for x in c if not isinstance(x, Token))
        return self._compare(meta, n.Ref("", self.span(meta)), value, words)

    def _limit(kind):
        def build(self, meta, c):
            body = c[1]
            words = ()
            if isinstance(body, Tree):  # PREFIX_BOUND amount
                words = (str(body.children[0]),)
                body = body.children[1]
                if relation(words)[0] not in ("<=",) and kind != "下限":
                    self.report.error("E132", f"上限不能用“{words[0]}”", self.span(meta),
                                      "上限用“最高”或“不超过”")
                if relation(words)[0] not in (">=",) and kind == "下限":
                    self.report.error("E132", f"下限不能用“{words[0]}”", self.span(meta), "下限用“不低于”")
            return ("limit", n.Limit(kind, body, words, self.span(meta)))
        return build

    cap = _limit("上限")
    floor = _limit("下限")

    def _scoped_limit(kind):
        def build(self, meta, c):
            scope = next((x for x in c if isinstance(x, tuple) and x[0] == "cap_scope"), None)
            rest = [x for x in c if not (isinstance(x, tuple) and x[0] == "cap_scope")]
            tag, limit = getattr(self, "_plain_" + ("year" if kind == "年度上限" else "total"))(meta, rest)
            if scope is None:
                return tag, limit
            if scope[1] == "项目":
                return tag, attrs.evolve(limit, per_project=True)
            if kind == "年度上限":
                self.report.error("E136", "年度上限不能写期限", limit.span, "期限内的累计写成“累计上限 三年内 …”")
                return tag, limit
            return tag, attrs.evolve(limit, window=scope[1])
        return build

    _plain_year = _limit("年度上限")
    _plain_total = _limit("累计上限")
    year_cap = _scoped_limit("年度上限")
    total_cap = _scoped_limit("累计上限")

    def scope_project(self, meta, c):
        return ("cap_scope", "项目")

    def scope_window(self, meta, c):
        try:
            duration = parse_literal("DURATION", str(c[0]))
        except LiteralError as exc:
            self.report.error("E120", f"期限“{c[0]}”无法识别：{exc}", self.span(meta))
            return ("cap_scope", 1)
        if duration.months % 12 or duration.months == 0:
            self.report.error("E136", f"累计上限的期限应是整年，这里是“{c[0]}”", self.span(meta), "如“累计上限 三年内 500万元”")
            return ("cap_scope", max(1, duration.months // 12))
        return ("cap_scope", duration.months // 12)

    def limit(self, meta, c):
        return Tree("limit", c, meta)

    def freq_part(self, meta, c):
        """One part of a 频次 clause: (Frequency or None, problems); ``freq`` reports the problems at the clause."""
        token = c[0]
        span = self.span(meta)
        simple = {"ONCE": ("一次性", 1), "YEARLY": ("每年", None), "QUARTERLY": ("每季度", None),
                  "MONTHLY": ("每月", None), "EACH_TIME": ("每次", None)}
        if token.type in simple:
            kind, count = simple[token.type]
            return ("freq_part", n.Frequency(kind, count, None, span), [])
        problems = []
        try:
            if token.type == "AT_MOST":
                count = parse_literal("COUNT", str(c[1]))
                if count.value != count.value.to_integral_value() or count.value < 1:
                    problems.append(("E133", f"“最多{c[1]}”的次数应是正整数", "如“频次 最多 3次”"))
                return ("freq_part", n.Frequency("最多", int(count.value), count.unit, span), problems)
            m = re.fullmatch(r"第(.+?)至(.+?)(\D+)", str(token))
            first, last = (int(number(x)) for x in m.group(1, 2))
        except LiteralError as exc:
            return ("freq_part", None, [("E120", f"频次“{c[-1]}”无法识别：{exc}", None)])
        if first != 1:
            problems.append(("E133", "序数范围应从第1开始", "如“第1至3发”"))
        return ("freq_part", n.Frequency("序数", last, m.group(3), span), problems)

    def freq(self, meta, c):
        span = self.span(meta)
        parts = []
        for x in c:
            if isinstance(x, tuple) and x[0] == "freq_part":
                for code, message, hint in x[2]:
                    self.report.error(code, message, span, hint)
                if x[1] is not None:
                    parts.append(x[1])
        if not parts:
            return None
        silent = any(isinstance(t, Token) and t.type == "SILENT" for t in c)
        kinds = [p.kind for p in parts]
        if len(parts) > 1:
            if len(set(kinds)) < len(kinds):
                self.report.error("E135", "同一频次写了两次", span, "删去重复的一项")
            elif "一次性" in kinds or "每次" in kinds:
                self.report.error("E135", f"“{'一次性' if '一次性' in kinds else '每次'}”不能与其他频次同用", span,
                                  "可以同用的如“频次 每年、最多 3次”（每年一次，累计最多3次）")
            elif sum(k in ("最多", "序数") for k in kinds) > 1:
                self.report.error("E135", "“最多”与“第1至N”只能写一个", span, "如“频次 每年、最多 3次”")
        return ("freq", attrs.evolve(parts[0], span=span, also=tuple(parts[1:]), stated=not silent))

    def uplift(self, meta, c):
        when = c[3] if len(c) > 3 else None
        return ("uplift", n.Uplift(c[1], when, self.span(meta)))

    def topup(self, meta, c):
        return ("topup", tuple(x for x in c if isinstance(x, n.ItemRef)))

    def external_ref(self, meta, c):
        return n.ItemRef(n.EXTERNAL, self.name(c[0]), self.tspan(c[0]))

    def received(self, meta, c):
        return n.Received(n.ItemRef(n.EXTERNAL, self.name(c[1]), self.tspan(c[1])), self.span(meta))

    def external_award(self, meta, c):
        return n.ItemRef(n.EXTERNAL, self.name(c[1]), self.tspan(c[1]))

    def external(self, meta, c):
        return n.External(self.name(c[1]), self._desc(c), self.span(meta))

    def tranches(self, meta, c):
        return ("tranches", tuple(x for x in c if not isinstance(x, Token)))

    def per_project(self, meta, c):
        return ("per_project", True)

    def overrides(self, meta, c):
        return ("overrides", c[1])

    def unencoded(self, meta, c):
        return ("unencoded", True)

    def item_ref(self, meta, c):
        item = self.name(c[1]) if len(c) > 1 else None
        return n.ItemRef(self.article_no(c[0]), item, self.span(meta))

    def item(self, meta, c):
        parts = [x for x in c[2:] if isinstance(x, tuple)]
        get = lambda tag: [v for t, v in parts if t == tag]
        span = self.span(meta)
        quotes, gives, freqs, asses = get("quote"), get("give"), get("freq"), get("assess")
        for tag, many in (("原文", quotes), ("给予", gives), ("频次", freqs), ("评定", asses)):
            if len(many) > 1:
                self.report.error("E140", f"一款只能有一个“{tag}”子句", span, f"把多个“{tag}”合并，或拆成几款")
        overrides = get("overrides")
        topups = get("topup")
        return n.Item(
            name=self.name(c[1]), article="", quote=quotes[0] if quotes else None,
            conditions=tuple(get("condition")), assessment=asses[0] if asses else None,
            award=gives[0] if gives else None, limits=tuple(get("limit")),
            frequency=freqs[0] if freqs else None, uplifts=tuple(get("uplift")),
            topup=topups[0] if topups else None, tranches=get("tranches")[0] if get("tranches") else (),
            per_project=bool(get("per_project")), overrides=overrides[0] if overrides else None,
            notes=tuple(get("note")), span=span, unencoded=bool(get("unencoded")))

    def article(self, meta, c):
        number = self.article_no(c[0])
        quote = next((v for t, v in (x for x in c if isinstance(x, tuple)) if t == "quote"), None)
        notes = tuple(v for t, v in (x for x in c if isinstance(x, tuple)) if t == "note")
        items = tuple(n.evolve_item(i, number) for i in c if isinstance(i, n.Item))
        return n.Article(number, self.name(c[1]), quote, items, notes, None, self.span(meta))

    # ---- declarations ----
    def t_money(self, meta, c):
        return n.Type("金额", (str(c[1]) if len(c) > 1 else "元",), self.span(meta))

    def t_count(self, meta, c):
        unit = self.name(c[1]) if c[1].type == "NAME" else str(c[1])
        return n.Type("数量", (unit,), self.span(meta))

    def t_rate(self, meta, c):
        return n.Type("汇率", (str(c[1]), str(c[3])), self.span(meta))

    def t_level(self, meta, c):
        return n.Type("等级", (self.name(c[1]),), self.span(meta))

    def _simple_type(kind):
        def build(self, meta, c):
            return n.Type(kind, (), self.span(meta))
        return build

    t_ratio = _simple_type("比例")
    t_bool = _simple_type("布尔")
    t_date = _simple_type("日期")
    t_year = _simple_type("年度")
    t_text = _simple_type("文本")
    t_number = _simple_type("数值")
    t_set = _simple_type("集合")

    def range(self, meta, c):
        return ("range", (c[1], c[3]))

    def value_opt(self, meta, c):
        return ("value", c[1])

    def pending(self, meta, c):
        return ("pending", True)

    def desc(self, meta, c):
        return ("desc", self.text(c[1]))

    def _desc(self, c):
        return next((v for t, v in (x for x in c if isinstance(x, tuple)) if t == "desc"), None)

    def param(self, meta, c):
        opts = [x for x in c[3:] if isinstance(x, tuple)]
        get = lambda tag: [v for t, v in opts if t == tag]
        span = self.span(meta)
        values, pendings = get("value"), get("pending")
        if values and pendings:
            self.report.error("E141", "参数不能既有取值又是待定", span, "删去“取值”或“待定”之一")
        if not values and not pendings:
            self.report.error("E142", "参数要么写“取值”，要么写“待定”", span, "原文未定的数写“待定”")
        return n.Param(self.name(c[1]), c[2], get("range")[0] if get("range") else None,
                       values[0] if values else None, bool(pendings), self._desc(c), span)

    def field(self, meta, c):
        return n.Field(self.name(c[1]), c[2], self._desc(c), False, self.span(meta), self._signed(c))

    def project_field(self, meta, c):
        return n.Field(self.name(c[1]), c[2], self._desc(c), True, self.span(meta), self._signed(c))

    @staticmethod
    def _signed(c) -> bool:
        """Whether a field declaration says 可为负."""
        return any(isinstance(x, Token) and x.type == "SIGNED" for x in c)

    def list_decl(self, meta, c):
        unit = next((str(t) for t in c if isinstance(t, Token) and t.type == "UNIT"), "项")
        return n.ListDecl(self.name(c[1]), unit, self._desc(c), self.span(meta))

    def list_field(self, meta, c):
        return n.Field(self.name(c[2]), c[3], self._desc(c), False, self.span(meta), list=self.name(c[1]))

    def aggregate(self, meta, c):
        kind = str(c[0])
        head = c[1]
        rest = c[2:]
        value = where = test = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "OF":
            value, rest = rest[1], rest[2:]
        if rest and isinstance(rest[0], Token) and rest[0].type == "WHERE":
            where, rest = rest[1], rest[2:]
        if rest:
            test = rest[0]
        parts = [x for x in (value, where, test) if x is not None]
        node = n.Aggregate(kind, n.Ref(self.name(head), self.tspan(head)), value, where, test, self.span(meta))
        return self.deep(node, meta, *parts)

    def measure(self, meta, c):
        return n.Measure(self.name(c[1]), c[2], self._desc(c), self.span(meta))

    def levels(self, meta, c):
        members = tuple(n.Ref(self.name(t), self.tspan(t)) for t in c[2:] if isinstance(t, Token) and t.type == "NAME")
        return n.Levels(self.name(c[1]), members, self._desc(c), self.span(meta))

    def recognition(self, meta, c):
        names = [t for t in c if isinstance(t, Token) and t.type == "NAME"]
        levels = self.name(names[1]) if len(names) > 1 else None
        return n.Recognition(self.name(names[0]), levels, self._desc(c), self.span(meta))

    def unit_decl(self, meta, c):
        fractional = any(isinstance(t, Token) and t.type == "FRACTIONAL" for t in c)
        base = next((x for x in c[2:] if not isinstance(x, (Token, tuple))), None)
        return n.Unit(self.name(c[1]), self._desc(c), self.span(meta), fractional, base)

    def named_count(self, meta, c):
        """5「吨」: a quantity in a unit declared with 单位「吨」."""
        unit = self.name(c[1])
        try:
            value = Count(number(str(c[0])), unit)
        except LiteralError as exc:
            self.report.error("E120", f"数量“{c[0]}「{unit}」”无法识别：{exc}", self.tspan(c[0]))
            value = None
        return n.Literal(value, f"{c[0]}「{unit}」", self.span(meta))

    def exclusive(self, meta, c):
        name = self.name(c[1]) if isinstance(c[1], Token) and c[1].type == "NAME" else None
        refs = tuple(x for x in c if isinstance(x, n.ItemRef))
        rule = next(t for t in c if isinstance(t, Token) and t.type in ("HIGHEST", "PRIORITY", "ACCUMULATE"))
        per_project = any(isinstance(t, Token) and t.type == "PER_PROJECT" for t in c)
        return n.Exclusive(name, refs, str(rule), self.span(meta), per_project)

    def group_cap(self, meta, c):
        refs = tuple(x for x in c if isinstance(x, n.ItemRef))
        kinds = {t.type for t in c if isinstance(t, Token)}
        scope = "项目" if "PER_PROJECT" in kinds else ("每年" if "YEARLY" in kinds else "累计")
        return n.GroupCap(self.name(c[1]), refs, scope, c[-1], self.span(meta))

    def sum_cap(self, meta, c):
        return n.SumCap(any(isinstance(t, Token) and t.type == "YEARLY" for t in c), c[-1], self.span(meta))

    def binding(self, meta, c):
        value = c[2] if isinstance(c[1], Token) and c[1].type == "AS" else c[1]
        dates = [x for x in c if isinstance(x, n.Literal) and x is not value]
        since = dates[-1].value if dates else None
        return n.Binding(self.name(c[0]), value, since, self.span(meta))

    def set_param(self, meta, c):
        return ("bindings", tuple(x for x in c if isinstance(x, n.Binding)))

    def narrow(self, meta, c):
        return n.Narrowing(c[1], c[-1], self.span(meta))

    def in_force(self, meta, c):
        start = end = trial = None
        for i, x in enumerate(c):
            if isinstance(x, Token) and x.type == "FROM":
                start = c[i + 1]
            elif isinstance(x, Token) and x.type == "UNTIL":
                end = c[i + 1]
            elif isinstance(x, Token) and x.type == "DURATION":
                try:
                    trial = parse_literal("DURATION", str(x))
                except LiteralError as exc:
                    self.report.error("E120", f"期限“{x}”无法识别：{exc}", self.tspan(x))
        return ("validity", n.Validity(start, end, trial, self.span(meta)))

    # ---- cases ----
    def fact_value(self, meta, c):
        return n.Fact(self.name(c[0]), c[1], False, None, self.span(meta))

    def fact_holds(self, meta, c):
        level = n.Ref(self.name(c[-1]), self.tspan(c[-1])) if len(c) > 2 else None
        return n.Fact(self.name(c[1]), None, True, level, self.span(meta))

    def fact_holds_none(self, meta, c):
        """企业 已认定 无: the enterprise holds no recognition (a Fact with no name)."""
        return n.Fact("", None, True, None, self.span(meta))

    def facts(self, meta, c):
        return ("facts", tuple(x for x in c if isinstance(x, n.Fact)))

    def project(self, meta, c):
        return ("project", tuple(x for x in c if isinstance(x, n.Fact)))

    def list_row(self, meta, c):
        return ("row", (self.name(c[1]), tuple(x for x in c if isinstance(x, n.Fact)), self.span(meta)))

    def on_date(self, meta, c):
        return ("date", c[1].value)

    def history(self, meta, c):
        project = self.name(c[2]) if len(c) > 4 else None
        year = parse_literal("YEAR_LIT", str(c[-2])).year
        return ("history", n.HistoryEntry(c[1], year, c[-1], self.span(meta), project))

    def year_value(self, meta, c):
        return (parse_literal("YEAR_LIT", str(c[0])).year, c[1])

    def yearly_values(self, meta, c):
        values = tuple(x for x in c if isinstance(x, tuple))
        return ("yearly", n.YearValues(self.name(c[1]), values, self.span(meta)))

    def held_name(self, meta, c):
        return (self.name(c[0]), self.name(c[-1]) if len(c) > 1 else None)

    def held_year(self, meta, c):
        year = parse_literal("YEAR_LIT", str(c[0])).year
        return n.HeldYear(year, tuple(x for x in c if isinstance(x, tuple)), self.span(meta))

    def held_history(self, meta, c):
        return ("held", tuple(x for x in c if isinstance(x, n.HeldYear)))

    def expect(self, meta, c):
        amount, result, counted, tranches = None, None, None, []
        for i, x in enumerate(c[3:], 3):
            if isinstance(x, Token) and x.type == "AMOUNT":
                amount = c[i + 1]
            elif isinstance(x, Token) and x.type == "TRANCHES":
                tranches = [y for y in c[i + 1:] if not isinstance(y, (Token, tuple))]
            elif isinstance(x, tuple) and x[0] == "result":
                result = x[1]
            elif isinstance(x, tuple) and x[0] == "counted":
                counted = x[1]
        return ("expect", n.Expectation(c[1], str(c[2]), amount, self.span(meta), result, counted, tuple(tranches)))

    def expect_result(self, meta, c):
        return ("result", c[1])

    def expect_counted(self, meta, c):
        return ("counted", True)

    def expect_not_counted(self, meta, c):
        return ("counted", False)

    def expect_total(self, meta, c):
        return ("total", n.TotalExpectation(str(c[1]), c[2], self.span(meta)))

    def assessed(self, meta, c):
        token = c[2]
        if token.type == "AMOUNT":
            return ("assessed", n.Assessment(c[1], "通过", c[3], self.span(meta)))
        return ("assessed", n.Assessment(c[1], str(token), None, self.span(meta)))

    def case(self, meta, c):
        parts = [x for x in c if isinstance(x, tuple)]
        get = lambda tag: [v for t, v in parts if t == tag]
        bindings = tuple(b for group in get("bindings") for b in group)
        facts = tuple(f for group in get("facts") for f in group)
        dates = get("date")
        return n.Case(self.name(c[1]), dates[-1] if dates else None, facts, tuple(get("project")),
                      tuple(get("history")), bindings, tuple(get("expect")), self.span(meta),
                      tuple(get("total")), tuple(get("assessed")), rows=tuple(get("row")), yearly=tuple(get("yearly")),
                      held_years=tuple(h for group in get("held") for h in group))

    # ---- header statements ----
    def _header(tag):
        def build(self, meta, c):
            value = c[1]
            return (tag, self.name(value) if isinstance(value, Token) and value.type == "NAME" else value,
                    self.span(meta))
        return build

    policy_decl = _header("政策")
    rules_decl = _header("细则")
    module_decl = _header("模块")
    extends = _header("extends")
    issuer = _header("issuer")
    stage = _header("stage")

    def source_file(self, meta, c):
        names = [t for t in c if isinstance(t, Token) and t.type == "NAME"]
        start = self.text(names[1]) if len(names) > 1 else None
        return ("source_file", (self.name(names[0]), start), self.span(meta))
    chapter = _header("chapter")

    def issued(self, meta, c):
        return ("issued", c[1].value, self.span(meta))

    def closing(self, meta, c):
        return ("chapter", self.name(c[1]) if len(c) > 1 else "附则", self.span(meta))

    def import_(self, meta, c):
        return ("imports", tuple(n.Ref(self.name(t), self.tspan(t)) for t in c[1:]), self.span(meta))

    def start(self, meta, statements):
        return statements


def build(tree: Tree, path: str, reporter: Reporter) -> n.Document:
    """Turn a parse tree into a Document, reporting structural mistakes."""
    builder = Builder(path, reporter)
    statements = builder.transform(tree)
    for message, span in builder.boundary_conflicts:
        reporter.warn("W130", message, span, "改写原文措辞，使边界只有一种读法")
    return assemble(statements, path, reporter)


def assemble(statements, path: str, reporter: Reporter) -> n.Document:
    """Gather the built statements into one Document: header facts once each, declarations by kind,
    articles under the chapter they follow."""
    head = dict(kind=None, name="", issuer=None, issued=None, stage=None, source_file=None, extends=None,
                validity=None)
    lists = {k: [] for k in ("imports", "params", "fields", "measures", "levels", "recognitions", "units",
                             "chapters", "articles", "exclusives", "sum_caps", "bindings", "narrowings",
                             "cases", "notes", "lists", "list_fields", "externals", "group_caps")}
    chapter = None
    first_span = Span(path, 1, 1, 1, 1)
    kinds = {n.Param: "params", n.Field: "fields", n.Measure: "measures", n.Levels: "levels",
             n.Recognition: "recognitions", n.Unit: "units", n.Exclusive: "exclusives", n.SumCap: "sum_caps",
             n.Binding: "bindings", n.Narrowing: "narrowings", n.Case: "cases", n.External: "externals",
             n.GroupCap: "group_caps"}
    for index, st in enumerate(statements):
        if isinstance(st, n.Article):
            lists["articles"].append(n.attrs.evolve(st, chapter=chapter))
        elif isinstance(st, n.Field) and st.list is not None:
            lists["list_fields"].append(st)
        elif isinstance(st, n.ListDecl):
            lists["lists"].append(st)
        elif type(st) in kinds:
            lists[kinds[type(st)]].append(st)
        elif isinstance(st, tuple):
            tag, value = st[0], st[1]
            if tag in ("政策", "细则", "模块"):
                if head["kind"] is not None or index != 0:
                    reporter.error("E150", f"“{tag}”声明只能写在文件开头，且只能写一次", st[2],
                                   "每个文件第一句写“政策「名称」”“细则「名称」”或“模块「名称」”")
                if head["kind"] is None:
                    head["kind"], head["name"] = tag, value
            elif tag == "chapter":
                chapter = value
                lists["chapters"].append((value, st[2]))
            elif tag == "imports":
                lists["imports"].extend(value)
            elif tag == "bindings":
                lists["bindings"].extend(value)
            elif tag == "note":
                lists["notes"].append(value)
            elif tag == "validity":
                head["validity"] = value
            else:
                if head.get(tag) is not None:
                    reporter.error("E151", "同一项文件信息写了两次", st[2], "删去重复的一句")
                head[tag] = value
    if head["kind"] is None:
        reporter.error("E152", "文件开头缺少“政策「名称」”“细则「名称」”或“模块「名称」”", first_span,
                       "在第一行写上，例如：政策「某区产业政策」")
        head["kind"] = "政策"
    return n.Document(path=path, span=first_span, **head, **{k: tuple(v) for k, v in lists.items()})
