"""审查报告: a review of a draft policy, written for its drafters.

Each finding names the articles involved, quotes their 原文, says why it matters and proposes a
sentence that can be submitted as a comment on the draft (意见建议). Findings come from the
checked program (conditions, awards, caps and tiers, through the lowered IR and a solver), from
the official text itself (placeholders, wording) and from the encoders' 备注. The report is
Chinese Markdown grouped by severity: 严重, 一般, 提示.

``review(program)`` returns the findings; ``review_markdown(program)`` the report.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from pathlib import Path

import attrs

from compiler.syntax import nodes as n
from compiler.syntax.builder import relation
from compiler.semantics.coverage import coverage as measure_coverage
from compiler.semantics.coverage import occurrences
from compiler.diagnostics import Reporter
from compiler.escape import md
from compiler.syntax.keywords import BOUNDARY_WORDS
from compiler.plan.lower import lower
from compiler.semantics.program import Program
from compiler.syntax.render import text as render_text
from compiler.semantics.structure import MONETARY, Structure, magnitude, squeeze, tier_problems

SEVERE, GENERAL, HINT = "严重", "一般", "提示"

# Limits that keep a review of a hostile draft short: pairs of items compared for double payment,
# findings in the report, and characters of 原文 quoted per finding. Hitting one is said in the report.
MAX_PAIRS = 5000
MAX_FINDINGS = 300
MAX_QUOTE = 600
MAX_ROWS = 200
SEVERITIES = (SEVERE, GENERAL, HINT)

# 类别：报告中的小标题，也是测试按类别查找结果的键
PLACEHOLDER = "占位符"
DOUBLE = "可能重复资助"
NO_DEDUP_RULE = "缺少不重复享受的规定"
NEVER = "条件不可能成立"
ALWAYS = "条件必然成立"
TIERS = "分档"
BOUNDARY = "边界词"
TERMS = "用语不一致"
UNCAPPED = "无上限"
FREQUENCY = "频次未写明"
PENDING = "待定事项"
UNCOVERED = "未转化为规则的原文"
NOTE = "编码备注"
UP_TO = "只有最高额"
UNENCODED = "待编码的款"


@attrs.frozen
class Finding:
    """One comment for the drafters: severity, kind, the articles and quotes concerned,
    why it matters and the wording to suggest."""
    severity: str
    kind: str
    title: str
    articles: tuple[str, ...]  # article numbers: "8", "附则5"
    quotes: tuple[tuple[str, str], ...]  # (whose, 原文)
    why: str
    suggestion: str
    where: tuple[str, ...] = ()  # positions in the .pol files
    rows: tuple[tuple[str, ...], ...] = ()  # a table, for findings that span many articles
    header: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # the words of the text it is about (a 备注 naming them adds nothing)


def article_label(number: str) -> str:
    """第8条 or 附则第3条 for an article number as the plan writes it (8, 附则3)."""
    return f"附则第{number[2:]}条" if number.startswith("附则") else f"第{number}条"


def article_order(number: str) -> tuple[int, int]:
    """Sort key for article numbers: the main articles by number, then the 附则."""
    if number.startswith("附则"):
        return (1, int(number[2:]) if number[2:].isdigit() else 0)
    return (0, int(number) if number.isdigit() else 0)


def labels(numbers) -> str:
    """Several article numbers as one phrase, such as 第3、8条、附则第2条."""
    numbers = sorted(set(numbers), key=article_order)
    main = [x for x in numbers if not x.startswith("附则")]
    closing = [x for x in numbers if x.startswith("附则")]
    parts = []
    if main:
        parts.append("第" + "、".join(main) + "条")
    if closing:
        parts.append("附则第" + "、".join(x[2:] for x in closing) + "条")
    return "、".join(parts)


def short(text: str, limit: int = 60) -> str:
    """A text with its whitespace collapsed, cut to ``limit`` characters for the report's tables."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def where(span) -> str:
    """A span as the report shows it: file name and line."""
    return f"{Path(span.file).name}:{span.line}"


def short_where(text: str) -> str:
    """A lowered plan's position (path:line:column) as the report shows positions: file name and line."""
    path, _, rest = text.rpartition(":")
    path, _, line = path.rpartition(":")
    return f"{Path(path).name}:{line}" if line.isdigit() else text


# ---- 原文中的位置 ------------------------------------------------------------

class SourceMap:
    """The operative text without whitespace, and which article each stretch belongs to."""

    def __init__(self, program: Program):
        self.program = program
        text = program.source_text or ""
        self.full = squeeze(text)
        self.head = squeeze(text[:program.operative_start])
        self.text = self.full  # positions below are in ``full``
        self.headings = sorted({squeeze(name) for doc in program.documents() for name, _ in doc.chapters}, key=len,
                               reverse=True)
        self.starts: list[tuple[int, str]] = []
        self.quote_spans: list[tuple[int, int, str]] = []
        quoted = [(a, [squeeze(q) for q in ([a.quote.text] if a.quote else []) + [i.quote.text for i in a.items if i.quote]])
                  for a in program.symbols.articles.values()]
        found = occurrences(self.full, [q for _, qs in quoted for q in qs], len(self.head))  # one pass, not one per quote
        for a, quotes in quoted:
            positions = []
            for q in quotes:
                if not q or not found.get(q):
                    continue
                pos = found[q][0]
                positions.append(pos)
                self.quote_spans.append((pos, pos + len(q), a.number))
            if positions:
                self.starts.append((min(positions), a.number))
        self.starts.sort()
        # the quoted stretches as disjoint segments, each owned by the first quote that reaches it
        self.segments: list[tuple[int, int, str]] = []
        for start, end, number in sorted(self.quote_spans, key=lambda s: (s[0], -s[1])):
            last = self.segments[-1][1] if self.segments else 0
            if end > last:
                self.segments.append((max(start, last), end, number))
        self.segment_starts = [s for s, _, _ in self.segments]
        self.start_positions = [s for s, _ in self.starts]

    def article_at(self, pos: int) -> str | None:
        """The article a position of the text belongs to: the one quoting it, else the one before."""
        k = bisect.bisect_right(self.segment_starts, pos) - 1
        if k >= 0 and self.segments[k][0] <= pos < self.segments[k][1]:
            return self.segments[k][2]
        if pos < len(self.head):
            return None
        k = bisect.bisect_right(self.start_positions, pos) - 1
        return self.starts[k][1] if k >= 0 else None

    def sentence(self, pos: int, end: int | None = None, marks: str = "。；;") -> str:
        """The sentence around a stretch of the text; a clause of it when the sentence is long."""
        end = pos if end is None else end
        left = max(self.full.rfind(c, 0, pos) for c in marks) + 1
        rights = [r for r in (self.full.find(c, end) for c in marks) if r >= 0]
        right = min(rights) + 1 if rights else len(self.full)
        if right - left > 90 and marks == "。；;":
            return self.sentence(pos, end, "。；;，,:：")
        text = self.full[left:right]
        for heading in self.headings:  # a heading runs into the sentence after it once newlines are gone
            if text.startswith(heading) and len(text) > len(heading):
                text = text[len(heading):]
        return re.sub(r"^\d+\.", "", text)


# ---- the reviewer ------------------------------------------------------------

class Reviewer:
    """Reads a checked policy against its text (wording, bounds, caps, double funding, coverage)
    and collects the Findings of the review report."""
    def __init__(self, program: Program):
        self.program = program
        self.s = program.symbols
        self.plan = lower(program)
        self.structure = Structure(program, Reporter())
        self.items = [i for i in self.s.items.values() if not i.unencoded]  # 待编码: no rule to review yet
        self.plans = {p.label: p for p in self.plan.items}
        self.values = {name: pairs[-1][1] for name, pairs in self.plan.param_values.items() if pairs}
        self.map = SourceMap(program) if program.source_text is not None else None
        self.findings: list[Finding] = []
        self.explanations: list[tuple[str, str, str]] = []  # 备注 that only say how the text was encoded
        self.pairs: list[tuple[str, str]] = []
        self.notices: list[str] = []  # limits the review hit, said at the top of the report
        self._encoder = None

    # ---- helpers ----
    @property
    def encoder(self):
        """The solver-backed condition checks, made on first use so z3 loads only when one is asked."""
        if self._encoder is None:
            from compiler.targets.smt.review_logic import Encoder
            self._encoder = Encoder(self.plan, self.values)
        return self._encoder

    def article_of(self, item: n.Item) -> n.Article:
        return self.s.articles[item.article]

    def item_quote(self, item: n.Item) -> tuple[str, str]:
        """(label, 原文) of an item, its article's quote when it has none: how findings cite the text."""
        text = item.quote.text if item.quote else (self.article_of(item).quote.text if self.article_of(item).quote else "")
        return (item.label, text)

    def article_quote(self, number: str) -> tuple[str, str]:
        """(第N条, 原文) of an article, for findings about the article as a whole."""
        a = self.s.articles.get(number)
        return (article_label(number), a.quote.text if a and a.quote else "")

    def value(self, e):
        """A number known now: a literal, or a parameter with a value (declared or bound)."""
        v = self.structure.constant(e)
        if v is None and isinstance(e, n.Ref) and self.s.params.get(e.key) is not None:
            p = self.s.params[e.key]
            raw = self.values.get(p.name)
            return raw if raw is not None and not isinstance(raw, (str, bool)) else None
        return magnitude(v)

    def add(self, *args, **kwargs) -> None:
        """Record a finding, cutting over-long quotes and tables to the report's limits."""
        finding = Finding(*args, **kwargs)
        if any(len(q) > MAX_QUOTE for _, q in finding.quotes):
            finding = attrs.evolve(finding, quotes=tuple((w, q if len(q) <= MAX_QUOTE else q[:MAX_QUOTE] + "……")
                                                         for w, q in finding.quotes))
        if len(finding.rows) > MAX_ROWS:
            more = len(finding.rows) - MAX_ROWS
            filler = ("……",) + (f"另有 {more} 行未列出（报告篇幅上限）",) + ("",) * (len(finding.header) - 2)
            finding = attrs.evolve(finding, rows=finding.rows[:MAX_ROWS] + (filler[:max(2, len(finding.header))],))
        self.findings.append(finding)

    # ---- run ----
    def run(self) -> list[Finding]:
        """Every check in turn; the findings by severity, then article, at most MAX_FINDINGS of them."""
        if self.map is not None:
            self.placeholders()
            self.self_reference()
            self.assessment_wording()
            self.nonstandard_boundaries()
        self.recognition_names()
        self.ratio_wording()
        self.boundaries()
        self.tiers()
        self.conditions()
        self.uncapped()
        self.maximum_only()
        self.frequencies()
        self.double_funding()
        self.pending()
        self.uncovered()
        self.unencoded()
        self.notes()
        self.dedup_rule()
        order = {s: i for i, s in enumerate(SEVERITIES)}
        found = sorted(self.findings, key=lambda f: (
            order[f.severity], min((article_order(a) for a in f.articles), default=(2, 0)), f.kind, f.title))
        if self._encoder is not None and self._encoder.unasked:
            from compiler.targets.smt.review_logic import BUDGET
            self.notices.append(f"求解器达到审查的总资源上限（{BUDGET} 单位）：另有 {self._encoder.unasked} 项条件检查未完成，"
                                "其中的矛盾或重复支持可能未被发现。")
        if len(found) > MAX_FINDINGS:
            self.notices.append(f"意见过多：报告只列出按严重程度排在前面的 {MAX_FINDINGS} 条，另有 {len(found) - MAX_FINDINGS} 条未列出"
                                "（报告篇幅上限）。")
            found = found[:MAX_FINDINGS]
        return found

    # ---- 原文中的占位符 ----
    PLACEHOLDER_PATTERNS = (
        (re.compile(r"\d{2,4}年(?:[XxＸｘ×*＊○□]+|\d{1,2})月[XxＸｘ×*＊○□]+日|\d{2,4}年[XxＸｘ×*＊○□]+月(?:\d{1,2}日)?"), "日期"),
        (re.compile(r"(?<![A-Za-zＡ-Ｚａ-ｚ])[XxＸｘ]{2,}(?![A-Za-zＡ-Ｚａ-ｚ])|[×*＊○□]{2,}|某某|＿{2,}|_{2,}"), "内容"),
        (re.compile(r"【[^】]{0,8}】|待补充|待定"), "内容"),
    )

    def placeholders(self) -> None:
        """Unfilled placeholders in the text (2024年X月X日, XX, 【…】, 待定) that must be completed before issue."""
        text = self.map.full
        seen: list[tuple[int, int]] = []
        for pattern, what in self.PLACEHOLDER_PATTERNS:
            for m in pattern.finditer(text):
                if any(s <= m.start() < e for s, e in seen):
                    continue
                seen.append((m.start(), m.end()))
                number = self.map.article_at(m.start())
                sentence = self.map.sentence(m.start(), m.end())
                whose = article_label(number) if number else "标题与前言"
                dated = what == "日期"
                validity = dated and ("施行" in sentence or "实施" in sentence)
                why = (f"“{m.group()}”是未填写的占位符。" +
                       ("施行日期不确定，政策的施行期（试行一年）也就无从计算，企业无法判断何时可以申报。"
                        if validity else "正式印发前必须补全，否则条文无法执行。"))
                suggestion = (f"建议将{whose}“{short(sentence, 40)}”中的“{m.group()}”改为确定的日期"
                              + ("（或改为“自印发之日起施行”）" if validity else "") + "。") if dated else \
                    f"建议补全{whose}“{short(sentence, 40)}”中“{m.group()}”处的内容。"
                self.add(SEVERE, PLACEHOLDER, f"{whose}含占位符“{m.group()}”", (number,) if number else (),
                         ((whose, sentence),), why, suggestion, evidence=(m.group(),))

    # ---- 用语不一致：文件自称 ----
    SELF_NAMES = ("政策意见", "实施意见", "若干意见", "管理办法", "实施办法", "实施细则", "若干措施", "若干政策",
                  "办法", "意见", "措施", "规定", "细则", "方案", "通知", "政策")
    SELF_RE = re.compile("本(" + "|".join(SELF_NAMES) + ")")

    def self_reference(self) -> None:
        """The document naming itself in different ways (本意见, 本措施 …), measured against its title."""
        title = re.sub(r"[（(].*?[)）]", "", self.program.policy.name)
        kind = next((k for k in self.SELF_NAMES if title.endswith(k)), None)
        uses = defaultdict(list)
        for m in self.SELF_RE.finditer(self.map.full):
            uses[m.group(1)].append(m.start())
        # “本措施” is the usual short form of “本若干措施” (“本意见” of “本实施意见”): the same name
        if kind is not None:
            for k in list(uses):
                if k != kind and kind.endswith(k):
                    uses.pop(k)
        names = set(uses)
        if kind is not None:
            names.add(kind)
        if len(names) < 2:
            return
        odd = [k for k in uses if k != kind] if kind else sorted(uses, key=lambda k: len(uses[k]))[:-1]
        quotes, numbers, parts = [], [], []
        for k in sorted(uses, key=lambda k: uses[k][0]):
            for pos in uses[k]:
                number = self.map.article_at(pos)
                whose = article_label(number) if number else "前言"
                if number:
                    numbers.append(number)
                quotes.append((whose, self.map.sentence(pos)))
            parts.append(f"“本{k}”{len(uses[k])}处")
        right = kind or max(uses, key=lambda k: len(uses[k]))
        wrong = "、".join(f"“本{k}”" for k in odd)
        self.add(GENERAL, TERMS, f"文件自称不一致：{'、'.join(f'本{k}' for k in sorted(names))}", tuple(numbers),
                 tuple(quotes),
                 f"标题称“{title}”，正文中" + "，".join(parts) + "。同一文件前后自称不同，会让人误以为另有一份文件，"
                 "也影响“自…起施行”等条款指向哪份文件。",
                 f"建议将{wrong}统一改为“本{right}”，与标题一致。", evidence=tuple(f"本{k}" for k in odd))

    # ---- 用语不一致：评定环节的写法 ----
    def assessment_wording(self) -> None:
        """经综合评定 written short (综合评定, 经综合) where the text otherwise writes it in full."""
        text = self.map.full
        standard = len(re.findall("经综合评定", text))
        odd = []
        for m in re.finditer("综合评定|经综合", text):
            s = m.start()
            if text.startswith("经综合评定", s) or text.startswith("经综合评定", s - 1):
                continue
            word = text[s:s + 5] if m.group() == "经综合" else text[max(0, s - 1):s + 4]
            odd.append((s, m.group(), word))
        if not odd or standard < 2:
            return
        quotes, numbers, fixes = [], [], []
        for pos, found, word in odd:
            number = self.map.article_at(pos)
            whose = article_label(number) if number else "前言"
            if number:
                numbers.append(number)
            quotes.append((whose, self.map.sentence(pos)))
            if found == "经综合":
                fixes.append(f"{whose}“{word}”缺“评定”二字，应为“经综合评定，{word[3:]}”")
            else:
                fixes.append(f"{whose}“{word}”缺“经”字，应为“经综合评定”")
        self.add(GENERAL, TERMS, "“经综合评定”的写法不统一", tuple(numbers), tuple(quotes),
                 f"全文{standard}处写作“经综合评定”，以下{len(odd)}处写法不同。评定环节决定企业能否直接获得支持，"
                 "写法不一会让人怀疑这些条款是否另有程序。",
                 "建议统一写作“经综合评定”：" + "；".join(fixes) + "。", evidence=tuple(w for _, _, w in odd))

    # ---- 边界词：不在民法典规定之列、含义不明的词 ----
    AMBIGUOUS_BOUNDS = {"突破": "“突破”既可理解为“达到”（含本数），也可理解为“超过”（不含本数）"}

    def nonstandard_boundaries(self) -> None:
        """Boundary words the Civil Code does not define (突破) before a number: whether it is included is open."""
        text = self.map.full
        for word, meaning in self.AMBIGUOUS_BOUNDS.items():
            hits = [m.start() for m in re.finditer(word, text) if m.start() >= len(self.map.head)]
            hits = [p for p in hits if re.match(r"(一定|\d|[一二三四五六七八九十百千万亿两])", text[p + len(word):])]
            if not hits:
                continue
            numbers = sorted({self.map.article_at(p) for p in hits if self.map.article_at(p)}, key=article_order)
            quotes = tuple((article_label(self.map.article_at(p)) if self.map.article_at(p) else "前言",
                            self.map.sentence(p)) for p in hits)
            self.add(GENERAL, BOUNDARY, f"边界词“{word}”是否含本数不明确", tuple(numbers), quotes,
                     f"{meaning}。《民法典》第一千二百五十九条只规定了“以上、以下、以内、届满”含本数，"
                     f"“不满、超过、以外”不含本数，“{word}”不在其列，恰好达到门槛的企业能否获得支持会有争议。",
                     f"建议将{labels(numbers)}中的“{word}”改为“达到”（含本数）或“超过”（不含本数）。",
                     evidence=(f"“{word}”",))

    # ---- 用语不一致：同一认定的不同叫法 ----
    def recognition_names(self) -> None:
        """One recognition called by different names in the quotes of different articles."""
        uses: dict[str, list[n.Item]] = defaultdict(list)
        for item in self.items:
            plan = self.plans[item.label]
            from compiler.targets.smt.review_logic import positive_recognitions
            for c in plan.conditions:
                for rec in positive_recognitions(c.test):
                    if item not in uses[rec]:
                        uses[rec].append(item)
        for rec, items in sorted(uses.items()):
            if len({i.article for i in items}) < 2:
                continue
            wordings: dict[str, list[n.Item]] = defaultdict(list)
            for item in items:
                w = wording(rec, item.quote.text if item.quote else "")
                if w is None:
                    wordings = {}
                    break  # the quote does not name it: a generic clause, no comparison possible
                wordings[w].append(item)
            if len(wordings) < 2:
                continue
            numbers = sorted({i.article for i in items}, key=article_order)
            quotes = tuple(self.item_quote(i) for i in items)
            said = "；".join(f"{labels({i.article for i in its})}写作“{w}”" for w, its in
                            sorted(wordings.items(), key=lambda kv: article_order(kv[1][0].article)))
            self.add(GENERAL, TERMS, f"同一认定「{rec}」在各条中的叫法不同", tuple(numbers), quotes,
                     f"{said}。编码把它们当作同一项认定；若确是同一项，叫法不同会让企业以为是两项认定，"
                     "若不是同一项，两条的适用范围就需要分别写清。",
                     f"建议统一{labels(numbers)}中该认定的名称（采用认定文件中的正式名称）；如确为不同认定，请分别写明认定主体和级别。")

    # ---- 用语不一致：按比例计算的支持写成“一定资金支持” ----
    def ratio_wording(self) -> None:
        """Amounts computed as a ratio of the enterprise's figures whose text says 一定资金支持
        where the others say 一定比例."""
        ratio_items, plain = [], []
        for item in self.items:
            award = item.award
            if award is None or award.kind != "金额" or award.amount is None or not item.quote:
                continue
            if not _is_ratio_of_facts(award.amount, self):
                continue
            quote = item.quote.text
            if re.search(r"比例|%|％|倍|百分之", quote):
                ratio_items.append(item)
            elif re.search(r"(按|按照|根据)[^，,。；;]{1,24}给予(一定|相应)|对[^，,。；;]{1,16}(费用|投入|投资|支出)[^，,。；;]{0,4}"
                           r"给予(一定|相应)", quote):
                plain.append(item)  # names a base to compute from, but no ratio
        if not plain or len(ratio_items) < 2:
            return
        numbers = sorted({i.article for i in plain}, key=article_order)
        rows = tuple((i.label, _phrase(i.quote.text), f"按{render_text(i.award.amount)}")
                     for i in sorted(plain, key=lambda i: article_order(i.article)))
        self.add(GENERAL, TERMS, "按比例计算的支持，有的写“一定比例”，有的写“一定资金支持”", tuple(numbers),
                 tuple(self.item_quote(i) for i in plain),
                 f"全文{len(ratio_items)}款按某项数据的比例计算的支持写作“按……的一定比例给予资金支持”，"
                 f"下列{len(plain)}款同样写明了计算依据（投入、费用、规模等），却写作“按……给予一定（相应）资金支持”，"
                 "没有“比例”二字，读者无法判断是按比例计算还是给予定额（编码读作按比例）。",
                 f"建议将{labels(numbers)}的表述统一为“按……的一定比例给予资金支持”；如本意是定额支持，请删去“按……”的计算依据。",
                 rows=rows, header=("条款", "原文表述", "编码的计算依据"))

    # ---- 边界词：矛盾与缺失 ----
    def compares(self, item: n.Item):
        """Every comparison of an item: its conditions, tier bands and uplift conditions."""
        stack = list(item.conditions) + [u.when for u in item.uplifts if u.when is not None]
        if item.award is not None:
            for tier in item.award.tiers:
                if tier.band is not None:
                    stack += [b for b in (tier.band.low, tier.band.high) if b is not None]
                if tier.when is not None:  # 档 … 若 条件
                    stack.append(tier.when)
        while stack:
            e = stack.pop()
            if isinstance(e, n.Compare):
                yield e
            elif isinstance(e, n.Logic):
                stack += [e.left, e.right]
            elif isinstance(e, n.Not):
                stack.append(e.operand)

    def boundaries(self) -> None:
        """Each threshold as the text writes it: a number with no boundary word, or words that contradict each other."""
        seen = set()
        for item in self.items:
            quote = squeeze(item.quote.text) if item.quote else ""
            for c in self.compares(item):
                _, conflict = relation(c.words)
                found = _find_literal(quote, c.right.text) if isinstance(c.right, n.Literal) and quote else None
                if conflict and found is None:  # the text cannot be checked: the encoding's words stand for it
                    key = (item.label, c.span.line, c.span.column)
                    if key not in seen:
                        seen.add(key)
                        self.boundary_conflict(item, conflict, render_text(c.right), c)
                    continue
                if found is None:
                    continue  # (a contradiction only in the encoding, where the text is clear, is polc check's W130)
                start, end = found
                words = _words_near(quote, start, end)
                if words is None:  # 第1至3发: a range, inclusive by its nature
                    continue
                if not words:
                    self.add(GENERAL, BOUNDARY, f"{item.label}“{quote[start:end]}”没有边界词", (item.article,),
                             (self.item_quote(item),),
                             f"原文“{_around(quote, start, end)}”中的“{quote[start:end]}”前后没有“以上”“不低于”“超过”等边界词，"
                             f"恰好等于{quote[start:end]}时是否符合条件不明确；编码按“{''.join(c.words) or c.op}”理解。",
                             f"建议在{item.label.split('「')[0]}“{quote[start:end]}”前后写明边界词，如“不低于{quote[start:end]}”（含本数）"
                             f"或“超过{quote[start:end]}”（不含本数）。", (where(c.span),))
                    continue
                rel, text_conflict = relation(tuple(words))
                if all(BOUNDARY_WORDS.get(w) in ("incl", "excl") for w in words):
                    # only (含) or (不含): the direction is the encoding's; the text contradicts
                    # nothing, and a mark that disagrees with the encoding is polc check's to report
                    continue
                if text_conflict or rel is None:
                    key = (item.label, c.span.line, c.span.column)
                    if key not in seen:
                        seen.add(key)
                        self.boundary_conflict(item, text_conflict or f"边界词“{'、'.join(words)}”方向相反",
                                               quote[start:end], c, words)

    def boundary_conflict(self, item: n.Item, message: str, number: str, c: n.Compare, words=None) -> None:
        """Report contradicting boundary words on one threshold of an item."""
        words = words or list(c.words)
        self.add(SEVERE, BOUNDARY, f"{item.label}的边界词互相矛盾", (item.article,), (self.item_quote(item),),
                 f"{message}（涉及“{number}”）。依《民法典》第一千二百五十九条，“以上、以下、以内”含本数，"
                 "“超过、不满”不含本数；同一门槛同时写了含与不含本数的词，恰好达到门槛的企业能否获得支持会有争议。",
                 f"建议将{item.label.split('「')[0]}中关于“{number}”的表述改为只有一种读法，如“达到{number}（含）”或“超过{number}”。",
                 (where(c.span),))

    # ---- 分档 ----
    def tiers(self) -> None:
        for item in self.items:
            award = item.award
            if award is None or award.kind != "分档":
                continue
            measure = render_text(award.measure)
            for code, tier, other in tier_problems(award, self.value, symbolic=True):
                from compiler.syntax.render import band_text
                this = band_text(tier.band, measure) if tier.band else "（未写范围）"
                that = band_text(other.band, measure) if other is not None and other.band else ""
                if code == "E410":
                    self.add(SEVERE, TIERS, f"{item.label}的分档互相重叠", (item.article,), (self.item_quote(item),),
                             f"“{that or '另一档'}”与“{this}”有共同的取值，落在重叠处的企业同时属于两档，支持金额无法确定。",
                             f"建议调整{item.label.split('「')[0]}分档的边界：上一档写“低于X”，下一档写“达到X”，使每个取值只属于一档。",
                             (where(tier.span),))
                elif code == "W411":
                    self.add(GENERAL, TIERS, f"{item.label}的分档之间有空档", (item.article,), (self.item_quote(item),),
                             f"“{that}”与“{this}”之间有取值不属于任何一档，恰好落在空档的企业得不到支持，且不是有意为之。",
                             f"建议衔接{item.label.split('「')[0]}相邻两档的边界：上一档写“低于X”，下一档写“达到X”。",
                             (where(tier.span),))
                elif code == "W412":
                    self.add(GENERAL, TIERS, f"{item.label}的分档金额不随档次递增", (item.article,), (self.item_quote(item),),
                             f"较高一档“{this}”的支持金额少于较低一档“{that}”，企业规模越大支持越少，可能与政策本意相反。",
                             f"请确认{item.label.split('「')[0]}较高档次的支持金额是否有误。", (where(tier.span),))
                elif code == "E411":
                    self.add(GENERAL, TIERS, f"{item.label}有一档没有写范围", (item.article,), (self.item_quote(item),),
                             "分档支持的每一档都要有明确的范围，否则无法判断企业属于哪一档。",
                             f"建议写明{item.label.split('「')[0]}每一档的上下限。", (where(tier.span),))

    # ---- 条件：不可能成立、必然成立 ----
    def conditions(self) -> None:
        """Conditions the solver finds can never hold together or always hold, and tiers the conditions rule out."""
        from compiler.targets.smt.review_logic import band_formula
        enc = self.encoder
        for item in self.items:
            plan = self.plans[item.label]
            if not plan.conditions:
                continue
            if enc.used >= enc.budget // 2:  # half the budget is kept for double payments
                enc.unasked += 1
                continue
            parts = [enc.formula(c.test) for c in plan.conditions]
            whole = enc.conjunction([c.test for c in plan.conditions])
            if enc.satisfiable(whole) is False:
                conds = "；".join(c.text for c in plan.conditions)
                core = self.unsat_core(plan)
                self.add(SEVERE, NEVER, f"{item.label}的条件不可能同时成立", (item.article,), (self.item_quote(item),),
                         f"按现有文字，条件（{conds}）" + (f"中“{'”与“'.join(core)}”" if core else "") +
                         "互相排斥，没有任何企业能满足，这一款支持实际上无法兑现。",
                         f"建议核对{item.label.split('「')[0]}的适用条件，删去或改写互相矛盾的要求。", (short_where(plan.where),))
                continue
            for c, f in zip(plan.conditions, parts):
                if enc.valid(f) is True:
                    self.add(GENERAL, ALWAYS, f"{item.label}的条件“{c.text}”必然成立", (item.article,),
                             (self.item_quote(item),),
                             f"“{c.text}”对任何企业都成立，不起筛选作用；可能是门槛写错了方向或数额。",
                             f"建议核对{item.label.split('「')[0]}中“{c.text}”的门槛是否为本意，如无筛选作用可删去。",
                             (short_where(c.where),))
            if plan.award and plan.award[0] == "tiers":
                measure_ir, bands = plan.award[1], plan.award[2]
                for tier_ir, tier in zip(bands, item.award.tiers):
                    if enc.satisfiable(whole, band_formula(enc, measure_ir, tier_ir)) is False:
                        from compiler.syntax.render import band_text
                        band = band_text(tier.band, render_text(item.award.measure)) if tier.band else ""
                        self.add(GENERAL, NEVER, f"{item.label}的一档“{band}”永远用不上", (item.article,),
                                 (self.item_quote(item),),
                                 f"满足本款条件的企业不可能落在“{band}”这一档，这一档的支持金额永远不会兑现。",
                                 f"建议核对{item.label.split('「')[0]}的适用条件与分档范围是否衔接。", (where(tier.span),))

    def unsat_core(self, plan) -> list[str]:
        """A small set of conditions that already contradict one another."""
        enc = self.encoder
        conds = list(plan.conditions)
        needed = list(conds)
        for c in conds:
            trial = [x for x in needed if x is not c]
            if trial and enc.satisfiable(enc.conjunction([x.test for x in trial])) is False:
                needed = trial
        return [c.text for c in needed] if len(needed) < len(conds) else []

    # ---- 上限 ----
    CAP_WORDS = re.compile(r"最高|上限|封顶|限额|累计不超过|不超过[^,，。；;比例]{0,8}[万亿]?元")

    def uncapped(self) -> None:
        """Money that grows with the enterprise's figures with no maximum in the text, as one finding with a table."""
        rows, quotes, numbers, spans = [], [], [], []
        for item in self.items:
            award = item.award
            if award is None or award.kind not in MONETARY or not self.structure.unbounded(award, item.conditions):
                continue
            caps = [lim for lim in item.limits if lim.kind != "下限"]
            stated = [lim for lim in caps if self.value(lim.amount) is not None or _literal(lim.amount)]
            text = item.quote.text if item.quote else ""
            if stated or (caps and self.CAP_WORDS.search(text)):
                continue
            numbers.append(item.article)
            quotes.append(self.item_quote(item))
            spans.append(where(item.span))
            how = "编码中也没有上限" if not caps else "编码以待定参数" + "、".join(
                f"「{lim.amount.name}」" if isinstance(lim.amount, n.Ref) else render_text(lim.amount) for lim in caps) + "表示"
            rows.append((item.label, _phrase(text), render_text(award.amount) if award.kind != "分档" else
                         f"按{render_text(award.measure)}分档", how))
        if not rows:
            return
        self.add(GENERAL, UNCAPPED, f"{len(rows)}款随企业数据增长的资金支持没有最高额", tuple(numbers), tuple(quotes),
                 "这些支持按企业的投资额、费用或规模等数据计算，原文没有写单个企业（项目）的最高金额。数据越大支持越多、"
                 "没有封顶，财政资金的总量就无法预计，少数大项目可能占用大部分资金。",
                 f"建议在{labels(numbers)}中写明单个企业（项目）每年的最高支持金额（如“最高不超过X万元”），"
                 "或在附则中统一规定单个企业年度享受本政策扶持资金的总额上限。", tuple(spans),
                 rows=tuple(rows), header=("条款", "原文表述", "计算方式", "上限"))

    # ---- 只给出最高额的支持 ----
    # “最高给予50万元”“给予不超过50万元的奖励”“最高不超过50万元”: the amount itself is a maximum.
    MAXIMUM_WORDS = re.compile(r"最高(给予|奖励|补贴|资助|支持|补助|不超过)?[^,，。；;、]{0,4}?[0-9一二三四五六七八九十百千.]+[万亿]?元"
                               r"|(给予|奖励|补贴|资助)[^,，。；;]{0,2}不(超过|高于)[0-9一二三四五六七八九十百千.]+[万亿]?元"
                               r"|按不(超过|高于)[^,，。；;]{0,12}的比例")
    # “给予不超过总投入一定比例的资金支持”“按不高于5%的比例”: the ratio is a maximum.
    RATIO_MAXIMUM_WORDS = re.compile(r"不(超过|高于)[^,，。；;]{0,12}比例")

    def maximum_only(self) -> None:
        """Items whose text grants at most an amount, with no rule for the exact figure: 最多可得, 待评定.

        An item encoded as a fixed amount although its text says 最高 is listed too, since the
        enterprise would be promised the maximum as an entitlement."""
        rows, quotes, numbers, spans = [], [], [], []
        for item in self.items:
            award = item.award
            if award is None or award.kind not in MONETARY or not item.quote:
                continue
            text = item.quote.text
            if self.structure.unbounded(award):  # a ratio of the enterprise's figures: its 最高X元 is a cap (上限)
                m = self.RATIO_MAXIMUM_WORDS.search(squeeze(text))
            else:
                m = self.MAXIMUM_WORDS.search(squeeze(text))
            if m is None and award.up_to is None:
                continue
            numbers.append(item.article)
            quotes.append(self.item_quote(item))
            spans.append(where(item.span))
            if award.up_to is not None:
                encoded = f"最多可得（{award.up_to[0]}），待评定"
            elif item.assessment:
                encoded = f"{item.assessment}，待评定（未写作最高额）"
            else:
                encoded = "确定金额（请核对：原文只给出最高额）"
            rows.append((item.label, m.group(0) if m else _phrase(text), encoded))
        if not rows:
            return
        fixed = sum(1 for r in rows if r[2].startswith("确定"))
        self.add(HINT, UP_TO, f"{len(rows)}款支持只写了最高额，没有确定具体金额的办法", tuple(numbers), tuple(quotes),
                 "原文写“最高给予”“不超过……万元”，却没有说明在最高额以内按什么确定具体金额。企业只能知道最多可得多少，"
                 "具体金额要经评定才知道；同类企业可能得到不同的金额。"
                 + (f"其中{fixed}款的编码按确定金额计算，会把最高额当作确定可得的金额，请核对。" if fixed else ""),
                 f"建议在{labels(numbers)}中写明确定金额的办法（如按评审得分或投入规模分档），"
                 "或改为明确的定额（删去“最高”“不超过”）。", tuple(spans),
                 rows=tuple(rows), header=("条款", "原文表述", "编码"))

    # ---- 频次未写明 ----
    def frequencies(self) -> None:
        """Every monetary item whose frequency the text does not state (LANGUAGE.md §9): left to the
        default (no 频次: paid each time the conditions hold) or the encoder's reading (频次 …，原文未写)."""
        from compiler.syntax.render import frequency_full

        rows, quotes, numbers, spans = [], [], [], []
        for item in self.items:
            if item.award is None or item.award.kind not in MONETARY:
                continue
            f = item.frequency
            if f is not None and f.stated:
                continue
            numbers.append(item.article)
            quotes.append(self.item_quote(item))
            spans.append(where(item.span if f is None else f.span))
            rows.append((item.label, "默认：每次符合条件均支持，不看已获支持" if f is None else frequency_full(f)))
        if not rows:
            return
        self.add(GENERAL, FREQUENCY, f"{len(rows)}款资金支持的原文没有写频次", tuple(sorted(set(numbers), key=article_order)),
                 tuple(quotes),
                 "原文没有写这些支持是一次性、每年还是每个项目（认定、活动）一次。频次决定一家企业能获得几次支持，"
                 "也决定年度资金需求；编码按下表的理解计算。",
                 f"建议在{labels(numbers)}中写明支持频次（如“给予一次性资金支持”“每年支持一次”“每个项目支持一次”）。",
                 tuple(spans), rows=tuple(rows), header=("条款", "编码采用的频次"))

    # ---- 可能重复资助 ----
    def thresholds(self, plan) -> bool:
        """Whether an item's conditions compare a figure of the enterprise with a threshold."""
        numeric = ("金额", "比例", "数量", "数值")
        for c in plan.conditions:
            if c.sides is None:
                continue
            from compiler.targets.smt.review_logic import facts_in
            for fact in facts_in(c.test):
                t = self.plan.fields.get(fact) or self.plan.project_fields.get(fact)
                if t and t[0] in numeric:
                    return True
        return False

    def bases(self, plan) -> dict[str, str]:
        """What an item rewards. An amount computed from figures rewards those figures; a fixed
        amount given for holding recognitions, with no threshold on any figure, rewards the
        recognitions. (A recognition that only opens the door to support computed from other
        figures, or paid for reaching a threshold, is not what is paid for.)"""
        from compiler.targets.smt.review_logic import facts_in, positive_recognitions
        out = {}
        facts = facts_in(plan.award) if plan.award is not None else set()
        for fact in facts:
            if fact.endswith("的级别"):
                rec = fact[:-3]
                out[f"认定:{rec}"] = f"认定「{rec}」"
            else:
                out[f"数据:{fact}"] = f"数据「{fact}」"
        if not any(k.startswith("数据:") for k in out) and not self.thresholds(plan):
            for c in plan.conditions:
                for rec in positive_recognitions(c.test):
                    out[f"认定:{rec}"] = f"认定「{rec}」"
        return out

    DEDUP_WORDS = re.compile(r"不重复|不得重复|就高|从高|择优|择一|兼得|叠加|累加|不再(给予|重复)|不同时")

    def decisions(self):
        """Pairs of items whose combination the text decides, and 互斥 groups only the encoding decides."""
        decided, encoded = set(), {}
        closing = "".join(squeeze(a.quote.text) for a in self.s.articles.values()
                          if a.number.startswith("附则") and a.quote)
        by_label = {i.label: i for i in self.items}
        for x in self.plan.exclusives:
            quotes = "".join(squeeze(by_label[m].quote.text) for m in x["members"]
                             if m in by_label and by_label[m].quote)
            in_text = bool(self.DEDUP_WORDS.search(quotes + closing))
            for a in x["members"]:
                for b in x["members"]:
                    if in_text:
                        decided.add((a, b))
                    else:
                        encoded[(a, b)] = x
        for winner, loser in self.plan.overrides:
            decided.add((winner, loser))
            decided.add((loser, winner))
        for p in self.plan.items:
            for other in p.topup or ():
                decided.add((p.label, other))
                decided.add((other, p.label))
        return decided, encoded

    def double_funding(self) -> None:
        """Pairs of items paying on the same basis that one enterprise can meet together,
        where the text does not say whether both are paid."""
        enc = self.encoder
        decided, encoded = self.decisions()
        monetary = [p for p in self.plan.items if p.kind in MONETARY]
        bases = {p.label: self.bases(p) for p in monetary}
        formulas = {}
        by_label = {i.label: i for i in self.items}
        pairs = []
        from compiler.targets.smt.review_logic import Box
        boxes = {p.label: Box([c.test for c in p.conditions], self.plan.fields) for p in monetary}
        by_base = defaultdict(list)  # only items sharing a base can pay twice for it
        for i, p in enumerate(monetary):
            for key in bases[p.label]:
                by_base[key].append(i)
        candidates = set()
        for members in by_base.values():
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    candidates.add((i, j))
                if len(candidates) > MAX_PAIRS:
                    break
        candidates = sorted(candidates)
        if len(candidates) > MAX_PAIRS:
            candidates = candidates[:MAX_PAIRS]
            self.notices.append(f"可能重复资助的检查达到上限：只比较了依据相同的前 {MAX_PAIRS} 对条款，其余未比较。")
        for i, j in candidates:
            a, b = monetary[i], monetary[j]
            if (a.label, b.label) in decided:
                continue
            shared = sorted(set(bases[a.label]) & set(bases[b.label]))
            if not boxes[a.label].meets(boxes[b.label]):
                continue  # a threshold or set of one excludes the other's: no solver needed
            if not (boxes[a.label].exact and boxes[b.label].exact):
                if enc.used >= enc.budget:
                    enc.unasked += 1
                    continue
                for p in (a, b):
                    if p.label not in formulas:
                        formulas[p.label] = enc.conjunction([c.test for c in p.conditions])
                if enc.satisfiable(formulas[a.label], formulas[b.label]) is not True:
                    continue
            pairs.append((a, b, [bases[a.label][k] for k in shared], encoded.get((a.label, b.label))))
        for a, b, what, group in pairs:
            ia, ib = by_label[a.label], by_label[b.label]
            basis = "、".join(what)
            same_article = ia.article == ib.article
            encoding = (f"编码中暂按互斥组「{group['name']}」“{group['rule']}”处理，但这是编码时的理解，原文没有写。"
                        if group else "")
            self.add(SEVERE, DOUBLE, f"{a.label}与{b.label}可能重复支持（依据同为{basis}）",
                     tuple(dict.fromkeys((ia.article, ib.article))), (self.item_quote(ia), self.item_quote(ib)),
                     f"两款都以{basis}为依据给予资金支持，且一家企业可以同时满足两款的条件"
                     f"（{a.label}：{_conds(a)}；{b.label}：{_conds(b)}）。原文没有写两者能否同时享受，"
                     "同一事项可能获得两次资金支持。" + encoding,
                     f"建议明确{a.label}与{b.label}能否同时享受：如不可兼得，写明“同一企业（项目）符合"
                     f"{'本条' if same_article else labels((ia.article, ib.article))}多项支持的，按就高原则支持，不重复享受”；"
                     "如可叠加，写明“可叠加享受”。", (short_where(a.where), short_where(b.where)))
        self.pairs = [(by_label[a.label].article, by_label[b.label].article) for a, b, _, _ in pairs]

    def dedup_rule(self) -> None:
        """No general rule against paying twice, while the review found pairs that could be."""
        doubles = [f for f in self.findings if f.kind == DOUBLE]
        if not doubles or self.map is None or self.DEDUP_WORDS.search(self.map.full):
            return
        numbers = sorted({a for f in doubles for a in f.articles}, key=article_order)
        closing = [a.number for a in self.s.articles.values() if a.number.startswith("附则")]
        self.add(GENERAL, NO_DEDUP_RULE, "全文没有“不重复享受”的一般规定", tuple(numbers + closing[-1:]),
                 (self.article_quote(closing[-1]),) if closing else (),
                 f"审查发现{len(doubles)}处支持可能重复给予（见“严重”部分），而全文没有“同一事项不重复支持”“就高不重复”"
                 "之类的一般规定，各条之间能否叠加只能由执行部门个案判断。",
                 "建议在附则中增加：“同一企业的同一项目（事项）符合本政策多项支持条款的，按照就高原则给予支持，"
                 "不重复享受；另有规定的除外。”",
                 rows=tuple((labels(f.articles), f.title) for f in doubles), header=("条款", "可能重复的支持"))

    # ---- 待定事项 ----
    def pending(self) -> None:
        """Amounts and thresholds the text leaves open (parameters still 待定), article by article."""
        by_article: dict[str, dict[str, n.Param]] = defaultdict(dict)
        for item in self.items:
            for ref in _refs(item):
                p = self.s.params.get(ref.key)
                if p is not None and p.name not in self.values:
                    by_article[item.article][p.name] = p
        validity = self.program.policy.validity
        if validity is not None:
            for e in (validity.start, validity.end):
                if isinstance(e, n.Ref):
                    p = self.s.params.get(e.key)
                    if p is not None and p.name not in self.values:
                        closing = next((a.number for a in reversed(list(self.s.articles.values()))
                                        if a.quote and "施行" in a.quote.text), None)
                        by_article[closing or "附则"][p.name] = p
        if not by_article:
            return
        numbers = sorted(by_article, key=article_order)
        rows = []
        count = 0
        for number in numbers:
            params = by_article[number]
            count += len(params)
            rows.append((article_label(number), "；".join(
                f"「{p.name}」" + (f"（{_describe(p)}）" if _describe(p) else "") for p in params.values())))
        kinds = defaultdict(int)
        for params in by_article.values():
            for p in params.values():
                kinds[str(p.type)] += 1
        self.add(GENERAL, PENDING, f"{len(numbers)}条共{count}项数额或门槛未定", tuple(numbers), (),
                 "以下条款的支持比例、金额、门槛或上限原文写作“一定比例”“一定资金支持”“一定规模”或没有写，"
                 "编码为待定参数（" + "、".join(f"{k}{v}项" for k, v in sorted(kinds.items())) + "）。"
                 "在这些数额确定之前，企业无法据此估算可获支持，政策也无法直接兑现。",
                 "建议在正式稿中写明各项支持的比例、金额和门槛；确需由操作细则规定的，建议在附则中写明"
                 "“具体支持标准由区经委会同区财政局另行制定”，并明确细则的制定时限。",
                 rows=tuple(rows), header=("条款", "待定事项"))

    # ---- 未转化为规则的原文 ----
    def uncovered(self) -> None:
        """Stretches of the operative text that no rule quotes, headings and numbering left aside."""
        cov = measure_coverage(self.program)
        if cov is None or self.map is None:
            return
        headings = [squeeze(name) for doc in self.program.documents() for name, _ in doc.chapters]
        for index, piece in enumerate(cov.uncovered):
            rest = piece
            for h in headings:
                rest = rest.replace(h, "")
            rest = re.sub(r"^[一二三四五六七八九十]+、[^。]{0,12}?(?=$)", "", rest)
            rest = re.sub(r"(^|[。；;])\d+\.", r"\1", rest)
            rest = re.sub(r"\d+\.$", "", rest)
            if len(re.sub(r"[\W_0-9]", "", rest)) < 6:
                continue
            at = cov.uncovered_at[index] if len(cov.uncovered_at) == len(cov.uncovered) else -1
            pos = len(self.map.head) + at if at >= 0 else -1  # the operative text starts after the head
            number = self.map.article_at(pos) if pos >= 0 else None
            whose = article_label(number) if number else "总体"
            shown = re.sub(r"\d+\.$", "", piece)
            for h in headings:
                shown = shown.replace(h, "")
            self.add(HINT, UNCOVERED, f"{whose}有原文未转化为规则", (number,) if number else (), ((whose, shown),),
                     "这段原文没有对应任何可计算或可执行的支持规则：它可能只是导语或倡导性表述，"
                     "也可能是承诺了支持却没有写明对象、条件或方式。",
                     f"如这段文字承诺了支持，建议在{whose}写明支持对象、条件和方式；如仅为导语，可不作修改。")

    # ---- 待编码的款 ----
    def unencoded(self) -> None:
        """Items whose 原文 is quoted but whose rule is not written: open work, listed so none is forgotten."""
        open_items = [i for i in self.s.items.values() if i.unencoded]
        if not open_items:
            return
        numbers = tuple(dict.fromkeys(i.article for i in open_items))
        rows = tuple((i.label, (i.quote.text[:60] + ("……" if len(i.quote.text) > 60 else "")) if i.quote else "")
                     for i in open_items)
        self.add(HINT, UNENCODED, f"{len(numbers)}条共{len(open_items)}款尚待编码", numbers, (),
                 "这些款只照抄了原文，还没有写出条件与支持方式；审查报告中的其他检查不涉及它们，"
                 "求值时它们也不参与计算。",
                 "逐款写出条件与“给予”，再删去“待编码”。",
                 rows=rows, header=("条款", "原文"))

    # ---- 编码备注 ----
    TYPO = re.compile(r"句号|标点|引号|疑为|之误|应为“|疑漏|疑缺|缺谓语|笔误")
    DOUBLE_NOTE = re.compile(r"能否(同时|兼得)|重复支持|可能.{0,12}重复|重叠|内容重复")
    NOT_DOUBLE = re.compile(r"不与.{0,8}重复|对象不同")
    FREQUENCY = re.compile(r"频次")
    AMBIGUOUS = re.compile(r"矛盾|费解|歧义|也可能|不一致|不是民法典")

    def notes(self) -> None:
        """The encoders' 备注: what they say about the text becomes findings; how they encoded it,
        an appendix for the drafters to check the reading against their intent."""
        claimed = [e for f in self.findings for e in f.evidence]
        doubles = [set(f.articles) for f in self.findings if f.kind == DOUBLE]
        typos, frequency, open_items = [], [], []
        entries = []
        for a in self.s.articles.values():
            entries += [(note, a.number, article_label(a.number), self.article_quote(a.number)[1]) for note in a.notes]
            entries += [(note, a.number, item.label, self.item_quote(item)[1]) for item in a.items for note in item.notes]
        entries += [(note, None, "全文", "") for note in self.program.policy.notes]  # not a 细则's: not the draft
        for note, number, whose, quote in entries:
            text = " ".join(note.text.split())
            asks = [c for c in _clauses(text) if not any(e in c for e in claimed)]
            if not asks:
                if not any(e in text for e in claimed):
                    self.explanations.append((whose, text, where(note.span)))
                continue
            quotes = ((whose, quote),) if quote else ()
            head = whose.split("「")[0] if number else "全文"
            rest = []
            for clause in asks:
                mentioned = {number, *self.articles_named(clause)} - {None}
                if self.DOUBLE_NOTE.search(clause) and not self.NOT_DOUBLE.search(clause):
                    if any(mentioned <= d for d in doubles):
                        continue  # the same pair is already reported from the conditions
                    others = sorted(mentioned - {number}, key=article_order)
                    self.add(SEVERE, DOUBLE, f"{whose}可能与{labels(others) if others else '本条另一款'}重复支持",
                             tuple(sorted(mentioned, key=article_order)),
                             self.related_quotes(sorted(mentioned, key=article_order), clause, whose, quotes),
                             f"编码时发现：{clause}。原文没有写能否同时享受，同一事项可能获得两次资金支持。",
                             f"建议明确{head}" + (f"与{labels(others)}" if others else "各款") +
                             "的支持能否同时享受：如不可兼得，写明“不重复享受，按就高原则支持”；如可叠加，写明“可叠加享受”。",
                             (where(note.span),))
                    doubles.append(mentioned)
                elif self.TYPO.search(clause):
                    typos.append((number, whose, clause, where(note.span)))
                elif self.AMBIGUOUS.search(clause):
                    around = next((x for x in re.split(r"[。；;]", text) if clause.split("，")[0] in x), "")
                    only = set(re.findall(r"“([^”]{2,60})”", text))
                    phrase = re.search(r"“([^”]{2,60})”", clause) or re.search(r"“([^”]{2,60})”", around) or \
                        (re.search(r"“([^”]{2,60})”", text) if len(only) == 1 else None)
                    ask = (f"建议明确{head}中“{phrase.group(1)}”的含义，使其只有一种理解。" if phrase else
                           f"建议明确{head}的表述，使其只有一种理解（另一种理解：{clause}）。")
                    self.add(GENERAL, NOTE, f"{whose}的表述有歧义", (number,) if number else (), quotes,
                             f"编码备注：{text}", ask, (where(note.span),))
                elif self.FREQUENCY.search(clause):
                    frequency.append((number, whose, clause, where(note.span)))
                else:
                    rest.append(clause)
            if rest:
                open_items.append((number, whose, "；".join(rest), where(note.span)))
        self.note_table(typos, GENERAL, "文字与标点", "原文有{n}处笔误或标点缺漏",
                        "编码时逐句对照原文，发现以下笔误、漏字或标点缺漏。正式印发的文件有这类错误，会影响条文的严肃性，"
                        "个别处（如漏字）还会改变句意。", "建议校对{articles}中下表所列的文字和标点，改正笔误、补全漏字和标点。")
        self.note_table(frequency, GENERAL, "支持频次", "{k}条未写支持频次",
                        "以下条款没有写明是一次性支持、每年支持还是按项目支持。频次决定一家企业可以获得几次支持，"
                        "也决定年度资金需求。", "建议在{articles}中写明支持频次（如“给予一次性资金支持”“每年支持一次”）。")
        self.note_table(open_items, HINT, "其他未写明的事项", "{k}条有其他未写明的事项",
                        "编码时发现以下事项原文没有写明，编码只能按最合理的理解处理（见各条备注）。",
                        "建议在正式稿或操作细则中写明下表所列事项。")

    def articles_named(self, clause: str) -> list[str]:
        """Articles of this policy a note names (“第3条”); not an article of a law it cites
        (“民法典第1259条”, “《…办法》第5条”), nor a number that is no article here."""
        out = []
        for m in re.finditer(r"第(\d+)条", clause):
            cited = re.search(r"(《[^》]*》|[\u4e00-\u9fff]{0,8})$", clause[:m.start()]).group()
            if cited.startswith("《") or (re.search(r"(法|典|条例|办法|细则|规定|意见|通知)$", cited) and "本" not in cited):
                continue
            if m.group(1) in self.s.articles:
                out.append(m.group(1))
        return out

    def related_quotes(self, numbers, clause: str, whose: str, own) -> tuple:
        """Quotes of the items of these articles that a note's clause is about (sharing a term with it;
        an amount such as “3000万元” written in both is no shared term)."""
        out = list(own) if "「" in whose else []
        clause = _NUMBERS.sub("", clause)
        for number in numbers:
            a = self.s.articles.get(number)
            if a is None:
                continue
            named = [i for i in a.items if f"『{i.name}』" in clause]
            close = named or [i for i in a.items if i.quote and
                              _common(_NUMBERS.sub("", squeeze(i.quote.text))[:MAX_QUOTE], clause[:MAX_QUOTE]) >= 4]
            for item in close:
                q = self.item_quote(item)
                if q not in out:
                    out.append(q)
            if not close and not any(w.startswith(article_label(number)) for w, _ in out):
                out.append(self.article_quote(number))
        return tuple(out)

    def note_table(self, entries, severity, topic, title, why, suggestion) -> None:
        """One finding that tables the 备注 entries of one topic; nothing when there are none."""
        if not entries:
            return
        numbers = sorted({e[0] for e in entries if e[0]}, key=article_order)
        items = "；".join(f"{whose.split('「')[0]}：{clause}" for _, whose, clause, _ in entries)
        self.add(severity, NOTE, title.format(n=len(entries), k=len(numbers)), tuple(numbers), (), why,
                 suggestion.format(items=items, articles=labels(numbers)), tuple(w for *_, w in entries),
                 rows=tuple((whose, clause) for _, whose, clause, _ in entries), header=("条款", topic))


# ---- small helpers ---------------------------------------------------------

def _describe(p: n.Param) -> str:
    return re.sub(r"^(附则)?第[0-9一二三四五六七八九十]+条[：:，,]\s*", "", (p.description or "").strip())


def _common(a: str, b: str) -> int:
    """Length of the longest common substring of two short texts."""
    best = 0
    for i in range(len(a)):
        j = i + best + 1
        while j <= len(a) and a[i:j] in b:
            best = j - i
            j += 1
    return best


def _literal(e) -> bool:
    return isinstance(e, n.Literal)


def _conds(plan) -> str:
    return "，".join(c.text for c in plan.conditions) or "无条件"


def _refs(item: n.Item):
    return [x for e in item.expressions() for x in n.walk(e) if isinstance(x, n.Ref)]


def _is_ratio_of_facts(e, reviewer: Reviewer) -> bool:
    """按「数据」的「比例」: a product of something that depends on facts and a ratio parameter."""
    if not isinstance(e, n.Binary) or e.op not in ("的", "×"):
        return False
    sides = (e.left, e.right)
    facts = [x for x in sides if reviewer.structure.depends_on_facts(x)]
    ratios = [x for x in sides if isinstance(x, n.Ref) and (p := reviewer.s.params.get(x.key)) is not None
              and p.type.kind == "比例"]
    return bool(facts) and bool(ratios)


def _phrase(quote: str) -> str:
    """The part of a quote that says how the support is computed."""
    clauses = re.split(r"[,，;；。]", quote)
    hits = [c for c in clauses if re.search(r"给予|予以|支持|补贴", c)]
    return short(hits[-1] if hits else quote, 40)


_LEVEL_WORDS = re.compile(r"^(国家级|省市级|市级|区级|国家|上海市|闵行区|本市|本区|市|区)+(及以上|以上)?")


def wording(rec: str, quote: str) -> str | None:
    """How a quote names a recognition: the phrase around its name (level words dropped), with the
    body that grants it when the quote says so (“市商务委认定的…”). None when the quote does not
    name it recognisably: a clause such as “等各类资质认定” cannot be compared."""
    bare = squeeze(quote).replace("“", "").replace("”", "").replace("\"", "")
    core = _LEVEL_WORDS.sub("", re.sub(r"[“”\"]", "", rec)) or rec
    best = ""
    for i in range(len(core)):
        for j in range(len(core), i + len(best), -1):
            if core[i:j] in bare:
                best = core[i:j]
                break
    if len(best) < max(2, -(-len(core) * 3 // 4)):
        return None
    k = bare.find(best)
    left = max(bare.rfind(c, 0, k) for c in ",，、。;；的")
    rights = [r for r in (bare.find(c, k + len(best)) for c in ",，、。;；的等") if r >= 0]
    phrase = bare[left + 1:min(rights) if rights else len(bare)]
    phrase = re.sub(r"^(对于|对|获得|获评|经认定的|经|被|列入|入选|通过|认定为|认定|成功创建)+", "", phrase)
    phrase = _LEVEL_WORDS.sub("", phrase) or phrase
    body = re.search(r"(?:对于|对|由|经)?([^,，、。;；]{1,8}?)认定的?$", bare[:left + 1] if bare[left:left + 1] == "的" else "")
    if body and body.group(1) not in ("经", "已", "新"):
        return f"{body.group(1)}认定的{phrase}"
    return phrase or None


def _find_literal(quote: str, literal: str):
    """Where a number the encoding states occurs in the quote: (start, end) in the squeezed quote."""
    lit = squeeze(literal)
    pos = quote.find(lit)
    if pos < 0:
        return None
    return pos, pos + len(lit)


_WORDS = sorted(BOUNDARY_WORDS, key=len, reverse=True)


# One number of an enumeration (5000万元、1亿元、5亿元): digits, then a unit of a few characters.
_ITEM = r"[\d.,]+[^\d、，,。；;和及或与至到]{0,4}?(?:\(含\)|（含）|\(不含\)|（不含）)?"
_LIST_BEFORE = re.compile(rf"(?:{_ITEM}[、和及或与])+$")
_LIST_AFTER = re.compile(rf"^(?:[、和及或与]{_ITEM})+")
_FILLER = re.compile(r"(人民币|合计|累计|总计|共计|总额|金额|规模)$")


def _words_near(quote: str, start: int, end: int):
    """The boundary words written right before and right after a number; None for a range (1至3).

    A number inside an enumeration (“首次达到5000万元、1亿元、5亿元”) shares the words written before
    the first number and after the last; a filler such as “人民币” may stand between a word and its
    number."""
    listed = _LIST_BEFORE.search(quote[max(0, start - 80):start])
    if listed:
        start = start - len(listed.group())
    listed = _LIST_AFTER.match(quote[end:end + 80])
    if listed:
        end = end + len(listed.group())
    before = quote[max(0, start - 4):start]
    filler = _FILLER.search(quote[max(0, start - 4):start])
    if filler:
        before = quote[max(0, start - len(filler.group()) - 4):start - len(filler.group())]
    after = quote[end:end + 5]
    if re.search("至少|至多|最少|最多", quote[max(0, start - 6):start]):
        return None  # not words of the Civil Code, but with one reading only
    if before.endswith(("至", "到", "~", "－", "-", "—")) and re.search(r"\d", quote[max(0, start - 6):start]):
        return None
    found = []
    for w in _WORDS:
        if before.endswith(w):
            found.append(w)
            break
    rest = after
    while True:
        for w in _WORDS:
            if rest.startswith(w):
                found.append(w)
                rest = rest[len(w):]
                break
        else:
            break
    return found


def _around(quote: str, start: int, end: int) -> str:
    """The clause around a stretch of a quote, whole (a cut at a fixed width splits words)."""
    left = max(quote.rfind(c, 0, start) for c in "，,。；;：:") + 1
    rights = [r for r in (quote.find(c, end) for c in "，,。；;") if r >= 0]
    right = min(rights) if rights else len(quote)
    return quote[left:right]


_CUT = re.compile(r"(编码|读作|按|理解|取|以|作为|由|故|未编码|未设|拆为|不写|未用|本应|但|具体|为免|为|设|细则|即|指|见|"
                  r"照原文|求值|所以|因)")
_SAYS = re.compile(r"未写|未说明|未列明|未明确|未区分|列举未尽|未承诺|没有具体|不明|缺|疑|矛盾|不一致|重复|重叠|兼得|"
                   r"费解|歧义|也可能|不是民法典|应为|之误")


_NUMBERS = re.compile(r"[\d.,]+(?:[万亿千百]*[元%％倍]|[个家项件次场年月日号]|平方米)?")
_NEGATED = re.compile(r"(不|没有|并无|无|不存在|并不)(矛盾|歧义|冲突)")


def _clauses(note: str) -> list[str]:
    """From an encoder's note, the clauses that speak about the text, without how it was encoded."""
    keep = []
    for sentence in re.split(r"[。；;]", note):
        parts = []
        for part in re.split(r"[，,]", sentence):
            part = part.strip()
            m = re.search(r"(?<=[”』])(按|编码|读作|理解|作为|取)", part)
            if m:
                part = part[:m.start()]
                if parts or _SAYS.search(part):
                    parts.append(part)
                break
            if _CUT.match(part) or "编码" in part:
                break
            parts.append(part)
        clause = "，".join(p for p in parts if p)
        if clause and _SAYS.search(_NEGATED.sub("", clause)):  # “并不矛盾” says nothing is wrong
            keep.append(clause)
    return keep


# ---- Markdown ----------------------------------------------------------------

def _cell(text: str) -> str:
    return md(" ".join(str(text).split()))


def render_markdown(program: Program, findings: list[Finding], explanations=(), notices=()) -> str:
    """The review report as Chinese Markdown: an overview by severity, then each finding."""
    policy = program.policy
    out = [f"# 审查报告：{md(policy.name)}", ""]
    facts = []
    if policy.stage:
        facts.append(f"文本状态：{md(policy.stage)}")
    if policy.issuer:
        facts.append(f"发布单位：{md(policy.issuer)}")
    if policy.issued:
        facts.append(f"发布日期：{policy.issued}")
    if facts:
        out += ["　".join(facts), ""]
    out += ["本报告由 polc 根据政策的编码与原文自动生成，供起草部门修改文稿参考。每条意见列出涉及的条款、原文、"
            "问题所在和可直接提交的修改建议（意见建议）。“严重”指会导致条文无法执行、重复支持或适用范围有争议的问题，"
            "“一般”指影响准确理解和执行的问题，“提示”供核对。", ""]
    for notice in notices:  # polc's own words: which limit the review hit
        out += [f"> **审查未完成**：{notice}", ""]
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    out += ["## 概览", "", "| 严重程度 | 意见数 | 类别 |", "| --- | --- | --- |"]
    for s in SEVERITIES:
        kinds = defaultdict(int)
        for f in findings:
            if f.severity == s:
                kinds[f.kind] += 1
        out.append(f"| {s} | {counts[s]} | {'、'.join(f'{k} {v}' for k, v in kinds.items()) or '无'} |")
    out.append("")
    number = 0
    for s in SEVERITIES:
        group = [f for f in findings if f.severity == s]
        out += [f"## {s}", ""]
        if not group:
            out += ["未发现此类问题。", ""]
            continue
        for f in group:
            number += 1
            out += [f"### {number}. 【{f.kind}】{md(f.title)}", ""]
            if f.articles:
                out.append(f"- **涉及条款**：{labels(f.articles)}")
            if f.where:
                shown = "、".join(f"<code>{md(w)}</code>" for w in f.where[:6]) + ("等" if len(f.where) > 6 else "")
                out.append(f"- **编码位置**：{shown}")
            out += [f"- **问题**：{md(f.why)}", f"- **意见建议**：{md(f.suggestion)}", ""]
            if f.rows:
                out += ["| " + " | ".join(f.header) + " |", "| " + " | ".join("---" for _ in f.header) + " |"]
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in f.rows]
                out.append("")
            elif f.quotes:
                out.append("原文：")
                out.append("")
                for whose, quote in f.quotes:
                    out.append(f"> **{md(whose)}**：{md(' '.join(quote.split()))}")
                    out.append(">")
                out.pop()
                out.append("")
    if explanations:
        out += ["## 附：编码说明", "", "以下备注只说明编码如何理解原文，不是对文稿的意见；请起草部门核对这些理解是否符合本意。", "",
                "| 条款 | 编码说明 |", "| --- | --- |"]
        out += [f"| {_cell(whose)} | {_cell(text)} |" for whose, text, _ in explanations]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def review(program: Program) -> list[Finding]:
    """The findings of a review of a checked program."""
    return Reviewer(program).run()


def review_markdown(program: Program) -> str:
    """The review report of a checked program, as Chinese Markdown (also a page of the docs site)."""
    reviewer = Reviewer(program)
    findings = reviewer.run()
    return render_markdown(program, findings, reviewer.explanations, reviewer.notices)


# errors that the review reports as findings of the draft rather than refusing to run
REVIEWABLE = ("E410", "E411")


def finding_json(f: Finding) -> dict:
    """A finding as JSON for polc review --format json, keys in Chinese."""
    return {"级别": f.severity, "类别": f.kind, "标题": f.title, "条": [article_label(a) for a in f.articles],
            "原文": [{"出处": whose, "原文": text} for whose, text in f.quotes], "理由": f.why, "建议": f.suggestion,
            "位置": list(f.where), "表": {"表头": list(f.header), "行": [list(r) for r in f.rows]} if f.rows else None}
