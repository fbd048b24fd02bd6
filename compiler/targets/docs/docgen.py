"""Documentation generator: a checked program becomes Markdown pages for people.

Like the Python generator (``codegen.py``) this is a generator over the one
checked tree: a dispatch table maps each node class to the handler that
writes it (``DocGenerator.HANDLERS``). Expressions are written by
``render.py``, the renderer the traces and formulas use too, with a name hook
that makes parameter names links to the parameters page and marks the ones
still 待定.

For a policy the pages are: ``index.md`` (overview), ``parameters.md``,
``notes.md`` (the encoding notes, 备注), one page per chapter
(``chapter-N.md``) and one per article (``article-N.md``, ``closing-N.md`` for
附则). Each article page shows, for every item, its 原文 beside the rule in plain
Chinese, and the article's 案例 as worked examples, evaluated by the reference
interpreter with their traces. A 细则 gets ``rules.md``: its bindings beside the
parent's parameters. The Markdown uses the ``tables``, ``attr_list`` and
``md_in_html`` extensions (as the MkDocs site does). The same program always
gives byte-identical pages: nothing depends on time, paths or hash order.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from compiler.syntax import nodes as n
from compiler.syntax import render
from compiler import runtime as rt
from compiler.plan.cases import run_case
from compiler.semantics.check import CheckResult
from compiler.diagnostics import PolcError
from compiler.escape import md
from compiler.files import write_inside
from compiler.semantics.program import Program

# ---- Markdown text ------------------------------------------------------------

# md: the one escaping function for policy text on a page or in the navigation (compiler/escape.py).


def _anchor(text: str) -> str:
    """An HTML id from a name: letters (any script), digits, - and _ only."""
    return "".join(c for c in text if c.isalnum() or c in "-_")


def page_of(article: str) -> str:
    """article-8.md, closing-3.md (附则第3条)."""
    return f"closing-{article[2:]}.md" if article.startswith("附则") else f"article-{article}.md"


def _where(where: str) -> str:
    """A trace position without the directory, so the pages do not depend on where the file lies."""
    file, _, rest = where.rpartition(":")
    file, _, line = file.rpartition(":")
    return f"{Path(file).name}:{line}" if file else where


def _value_text(e) -> str:
    if e is None:
        return ""
    return render.text(e)


def _money(amount: str | None) -> str:
    if amount is None:
        return ""
    from decimal import Decimal
    return f"{rt.money_text(Decimal(amount))}（{amount} 元）"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; the cells must be escaped already, this only lays them out."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return out + [""]


# ---- the site -----------------------------------------------------------------

@attrs.define
class Site:
    """Generated pages (path → Markdown, in reading order) and the navigation over them."""

    title: str
    pages: dict[str, str]
    nav: list  # MkDocs nav entries: {title: path} or {title: [entries]}

    def write(self, directory: str | Path) -> list[Path]:
        """Write every page under ``directory`` (write_inside keeps each one inside it); the paths written."""
        return [write_inside(directory, path, text) for path, text in self.pages.items()]


def generate(result: CheckResult, *, parent_docs: str | None = None, rules_docs: list | None = None) -> Site:
    """Pages for a checked policy or 细则; ``parent_docs`` is the relative URL of the parent policy's pages.

    ``rules_docs`` lists the 细则 published beside a policy, as (CheckResult, relative URL of their pages):
    the policy's parameters page and its tables show their values next to each 待定 parameter.
    """
    if not result.ok or result.program is None:
        raise PolcError(result.errors)
    return DocGenerator(result, parent_docs=parent_docs, rules_docs=rules_docs).run()


# ---- the generator ----------------------------------------------------------------

class DocGenerator:
    """Writes Markdown for the nodes of one checked program; ``gen(node)`` dispatches on the node's class."""

    def __init__(self, result: CheckResult, *, parent_docs: str | None = None, rules_docs: list | None = None):
        self.result = result
        self.program: Program = result.program
        self.s = self.program.symbols
        self.parent_docs = parent_docs
        self.main = self.program.main
        self.rules = self.program.rules
        self.rules_only = self.main.kind == "细则"
        # parameter key → the 细则's bindings
        self.bindings: dict[str, list[n.Binding]] = {}
        if self.rules is not None:
            for b in self.rules.bindings:
                self.bindings.setdefault(b.key, []).append(b)
        self.param_ids: dict[str, str] = {}
        for p in self.s.params.values():
            base = "p-" + (_anchor(p.key) or "x")
            pid, k = base, 1
            while pid in self.param_ids.values():
                k += 1
                pid = f"{base}-{k}"
            self.param_ids[p.key] = pid
        self.item_ids: dict[tuple, str] = {}
        for a in self.s.articles.values():
            for i, item in enumerate(a.items, 1):
                self.item_ids[item.key] = f"k{i}"
        self.usage = self._usage()
        self.exclusive_of = self._exclusives()
        self.overridden_by: dict[tuple, list[n.Item]] = {}
        for item in self.s.items.values():
            if item.overrides is not None:
                for target in self.targets(item.overrides):
                    self.overridden_by.setdefault(target.key, []).append(item)
        self.narrowed: dict[tuple, list[n.Narrowing]] = {}
        for doc in self.program.documents():
            for nar in doc.narrowings:
                for target in self.targets(nar.target):
                    self.narrowed.setdefault(target.key, []).append(nar)
        self.case_article, self.loose_cases = self._place_cases()
        # the 细则 published beside this policy: (name, URL of its pages, parameter key → its bindings)
        self.other_rules: list[tuple[str, str, dict]] = []
        for other, url in rules_docs or []:
            if other.program is None or other.program.rules is None or self.rules_only:
                continue
            values: dict[str, list[n.Binding]] = {}
            for b in other.program.rules.bindings:
                values.setdefault(b.key, []).append(b)
            self.other_rules.append((other.program.rules.name, url, values))
        self.chapter_numbers = self._chapter_numbers()
        self.param_pages = {key: self._param_home(key)[0] for key in self.s.params}
        self._interpreters: dict = {}
        self.case_ids: dict[int, str] = {}
        number = 0
        for doc in self.program.documents():
            for c in doc.cases:
                number += 1
                self.case_ids[id(c)] = f"case-{number}"
        self.page = "index.md"  # the page being written, for relative links

    HANDLERS: dict = {}  # filled below the class: node class → method

    def gen(self, node) -> list[str]:
        handler = self.HANDLERS.get(type(node))
        if handler is None:
            raise TypeError(f"no documentation handler for {type(node).__name__}")
        return handler(self, node)

    # ---- lookups ----
    def targets(self, ref: n.ItemRef) -> list[n.Item]:
        """The items an ItemRef names: the one item, or every item of the article."""
        if ref.item is not None:
            item = self.s.items.get(ref.key)
            return [item] if item is not None else []
        article = self.s.articles.get(ref.article)
        return list(article.items) if article is not None else []

    def pending(self, p: n.Param) -> bool:
        """Whether a parameter still has no value: none declared and none bound by a 细则."""
        return p.key not in self.bindings and p.value is None

    def own_article(self, article: str) -> bool:
        """Whether the article's page is part of this site (a 细则's site holds only the 细则's articles)."""
        if not self.rules_only:
            return True
        return any(a.number == article for a in self.rules.articles)

    def link(self, target: str, text: str) -> str:
        """A Markdown link; ``text`` must be escaped already."""
        return f"[{text}]({target})"

    def item_link(self, item: n.Item) -> str:
        """A link to an item's section, on this page, another page or (from a 细则's site) the policy's site;
        plain text when there is nowhere to link."""
        label = md(item.label)
        if not self.own_article(item.article):
            if self.parent_docs is None:
                return label
            return self.link(f"{self.parent_docs}{page_of(item.article)}#{self.item_ids[item.key]}", label)
        page = page_of(item.article)
        target = f"#{self.item_ids[item.key]}" if page == self.page else f"{page}#{self.item_ids[item.key]}"
        return self.link(target, label)

    def ref_link(self, ref: n.ItemRef) -> str:
        """A link for an ItemRef: to the item, or to the article's page; plain text when it leads nowhere."""
        items = self.targets(ref)
        if ref.item is not None and items:
            return self.item_link(items[0])
        if ref.item is None and ref.article in self.s.articles and self.own_article(ref.article):
            return self.link(page_of(ref.article), md(str(ref)))
        return md(str(ref))

    def param_target(self, p: n.Param) -> str | None:
        """Where a parameter's row is: its parameters page (one per chapter when the policy has chapters)."""
        pid = self.param_ids[p.key]
        page = self.param_pages.get(p.key, "parameters.md")
        if self.rules_only:
            return None if self.parent_docs is None else f"{self.parent_docs}{page}#{pid}"
        return f"{page}#{pid}" if self.page != page else f"#{pid}"

    def param_link(self, p: n.Param, mark: bool = True) -> str:
        """A link to a parameter's row, highlighted as 待定 while it has no value."""
        shown = f"「{md(p.name)}」"
        target = self.param_target(p)
        linked = self.link(target, shown) if target else shown
        return f"<mark>{linked}（待定）</mark>" if mark and self.pending(p) else linked

    def rules_values(self, p: n.Param) -> list[str]:
        """What each 细则 published beside the policy sets a parameter to, with a link to the 细则."""
        out = []
        for name, url, values in self.other_rules:
            bound = values.get(p.key)
            if bound:
                shown = "；".join(md(_value_text(b.value)) + (f"（自 {b.since.isoformat()} 起）" if b.since else "")
                                 for b in bound)
                named = f"（{self.link(f'{url}index.md', '细则「' + md(name) + '」')}）" if len(self.other_rules) > 1 else ""
                out.append(shown + named)
        return out

    def rules_intro(self) -> list[str]:
        """Which 细则 the 细则取值 column is from (named in each cell only when there are several)."""
        if not self.other_rules:
            return []
        names = "、".join(self.link(f"{url}index.md", f"细则「{md(name)}」") for name, url, _ in self.other_rules)
        return [f"“细则取值”一栏是{names}给待定参数的取值：评估时同时使用细则，才按这些取值计算。", ""]

    def value_name(self, ref: n.Ref) -> str:
        """A name as a value in a table (tiers, amounts by level): the value itself where one is known.

        A parameter shows its value (the policy's, or this site's 细则's), linked to its row; a 待定 one
        shows 待定 and the values the 细则 published beside the policy give it. Other names read as names.
        """
        p = self.s.params.get(ref.key)
        if p is None:
            return self.name(ref)
        target = self.param_target(p)
        bound = self.bindings.get(p.key)
        if bound:
            shown = "／".join(md(_value_text(b.value)) + (f"（自 {b.since.isoformat()} 起）" if b.since else "")
                             for b in bound)
        elif p.value is not None:
            shown = md(_value_text(p.value))
        else:
            shown = "待定"
        linked = self.link(target, shown) if target else shown
        if bound or p.value is not None:
            return linked
        others = []
        for _, _, values in self.other_rules:
            others += [md(_value_text(b.value)) for b in values.get(p.key, [])[:1]]
        return f"<mark>{linked}</mark>" + (f"（细则 {'／'.join(others)}）" if others else "")

    def _chapter_numbers(self) -> dict[str, int]:
        """Policy article number → the number of its chapter page (chapter-N.md, parameters-N.md), as run() counts."""
        out, number, current = {}, 0, None
        for a in self.program.policy.articles:
            if a.chapter is None:
                current = None
                continue
            if a.chapter != current:
                number += 1
                current = a.chapter
            out[a.number] = number
        return out

    def _param_home(self, key: str) -> tuple[str, str | None]:
        """(page, article number) where a parameter is listed: under the first article that uses it.

        Parameters used nowhere or only by the 施行期 stay on ``parameters.md``, as do all parameters of a
        policy without chapters.
        """
        article = next((use.article for use in self.usage.get(key, []) if use != "validity"
                        and any(a.number == use.article for a in self.program.policy.articles)), None)
        if article is None or article not in self.chapter_numbers:
            return "parameters.md", article
        return f"parameters-{self.chapter_numbers[article]}.md", article

    def name(self, ref: n.Ref) -> str:
        """How a name reads in the docs: parameters are links, and 待定 ones are marked."""
        p = self.s.params.get(ref.key)
        if p is not None:
            return self.param_link(p)
        return f"「{md(ref.name)}」"

    def text(self, e, **kw) -> str:
        """An expression as text, its names linked to where the site explains them."""
        return render.text(e, name=self.name, **kw)

    def value(self, e, **kw) -> str:
        """An expression in a table cell: parameters read as their values (``value_name``)."""
        return render.text(e, name=self.value_name, **kw)

    # ---- where parameters are used ----
    def _refs(self, node, seen=None):
        seen = set() if seen is None else seen
        stack = [node]
        while stack:
            x = stack.pop()
            if isinstance(x, n.Ref):
                if not x.name:
                    continue
                yield x
                m = self.s.measures.get(x.key)
                if m is not None and m.key not in seen:
                    seen.add(m.key)
                    stack.append(m.formula)
            elif isinstance(x, (tuple, list)):
                stack.extend(reversed(x))
            elif attrs.has(type(x)) and not isinstance(x, (n.Quote, n.Note, n.ItemRef)):
                stack.extend(reversed([getattr(x, f.name) for f in attrs.fields(type(x)) if f.name != "span"]))

    def _usage(self) -> dict[str, list]:
        usage: dict[str, list] = {}
        v = self.program.policy.validity
        if v is not None:
            for r in self._refs((v.start, v.end)):
                if r.key in self.s.params:
                    usage.setdefault(r.key, []).append("validity")
        for item in self.s.items.values():
            for r in self._refs(item):
                if r.key in self.s.params and item not in usage.get(r.key, []):
                    usage.setdefault(r.key, []).append(item)
        return usage

    def _exclusives(self) -> dict[tuple, list]:
        out: dict[tuple, list] = {}
        for doc in self.program.documents():
            for x in doc.exclusives:
                members = [i for r in x.members for i in self.targets(r)]
                for item in members:
                    out.setdefault(item.key, []).append((x, [m for m in members if m is not item]))
        return out

    def _place_cases(self):
        """Each 案例 goes to the article whose items it expects results of (most of them; the first on a tie).

        A case that names no item of a documented article goes to the article written just before it,
        so cases gathered at the end of a file still land on the pages of the articles they test.
        """
        placed: dict[str, list[n.Case]] = {}
        loose: list[n.Case] = []
        docs = [self.rules] if self.rules_only else [d for d in self.program.documents() if d.kind != "模块"]
        documented = {a.number for doc in docs for a in doc.articles}
        for doc in docs:
            for case in doc.cases:
                about: dict[str, int] = {}
                for e in case.expectations:
                    for item in self.targets(e.item):
                        if item.article in documented:
                            about[item.article] = about.get(item.article, 0) + 1
                if about:
                    placed.setdefault(max(about, key=lambda a: about[a]), []).append(case)  # max keeps the first
                    continue
                before = [a for a in doc.articles if a.span.line < case.span.line]
                if before:
                    placed.setdefault(before[-1].number, []).append(case)
                else:
                    loose.append(case)
        return placed, loose

    def interpreter_for(self, case: n.Case):
        """As ``polc test`` runs them: a 细则's cases with its bindings, a policy's cases on the policy alone."""
        from compiler.targets.python.interpreter import Interpreter

        alone = self.rules is not None and any(case is c for c in self.program.policy.cases)
        if alone not in self._interpreters:
            program = self.program
            if alone:
                from compiler.semantics.check import check
                program = check(self.program.policy.path).program
            self._interpreters[alone] = Interpreter(program)
        return self._interpreters[alone]

    # ---- pages ----
    def run(self) -> Site:
        """Every page of the site, in reading order, with the navigation over them."""
        pages: dict[str, str] = {}
        nav: list = []

        def add(path: str, lines: list[str], title: str | None = None, into: list | None = None):
            pages[path] = "\n".join(lines).rstrip("\n") + "\n"
            (nav if into is None else into).append({title: path} if title else path)

        if self.rules_only:
            self.page = "index.md"
            add("index.md", self.rules_overview(), "概览")
            articles = list(self.rules.articles)
        else:
            self.page = "index.md"
            add("index.md", self.overview(), "概览")
            pages_of_params = self.parameters_pages()
            if len(pages_of_params) == 1:
                self.page = "parameters.md"
                add("parameters.md", pages_of_params[0][2](), "参数")
            else:
                section = []
                nav.append({"参数": section})
                for path, title, write in pages_of_params:
                    self.page = path
                    add(path, write(), title, section)
            if self.rules is not None:
                self.page = "rules.md"
                add("rules.md", self.rules_page(), "细则")
            self.page = "notes.md"
            add("notes.md", self.notes_page(), "编码说明")
            articles = list(self.program.policy.articles)
        chapters: list[tuple[str, list[n.Article]]] = []
        for a in articles:
            if a.chapter is not None and (not chapters or chapters[-1][0] != a.chapter):
                chapters.append((a.chapter, []))
            if a.chapter is None:
                chapters.append(("", [a]))
            else:
                chapters[-1][1].append(a)
        number = 0
        for chapter, members in chapters:
            section = nav
            if chapter:
                number += 1
                section = []
                nav.append({md(chapter): section})
                self.page = f"chapter-{number}.md"
                add(self.page, self.chapter_page(chapter, members), None, section)
            for a in members:
                self.page = page_of(a.number)
                add(self.page, self.gen(a), f"{a.label} {md(a.title)}", section)
        if self.loose_cases:
            self.page = "cases.md"
            title = "案例" if self.rules_only else "其他案例"
            intro = "细则中的案例，按细则的参数取值求值。" if self.rules_only else "这些案例写在所有条之前，不属于某一条。"
            lines = [f"# {title}", "", intro, ""]
            for case in self.loose_cases:
                lines += self.gen(case)
            add("cases.md", lines, title)
        title = self.main.name
        return Site(title, pages, nav)

    def overview(self) -> list[str]:
        p = self.program.policy
        summary = self.result.summary()
        lines = [f"# {md(p.name)}", ""]
        rows = [["文件", md(Path(p.path).name)], ["类型", md(p.kind)]]
        if p.issuer:
            rows.append(["发布单位", md(p.issuer)])
        if p.issued:
            rows.append(["发布日期", md(p.issued.isoformat())])
        if p.stage:
            rows.append(["文本状态", md(p.stage)])
        if p.source_file:
            src, start = p.source_file
            rows.append(["原文", md(src) + (f"（自「{md(start)}」起为正文）" if start else "")])
        rows.append(["施行期", self.validity_text(p.validity)])
        if self.rules is not None:
            rows.append(["细则", self.link("rules.md", md(self.rules.name))])
        lines += table(["项目", "内容"], rows)
        cov = summary.get("coverage")
        lines += ["## 统计", ""]
        lines += table(["条", "款", "参数", "待定参数", "案例", "原文覆盖率"], [[
            str(summary["articles"]), str(summary["items"]), self.link("parameters.md", str(summary["parameters"])),
            f"<mark>{summary['pending_parameters']}</mark>" if summary["pending_parameters"] else "0",
            str(summary["cases"]), f"{cov:.1%}" if cov is not None else "未声明原文"]])
        uncovered = summary.get("uncovered") or []
        if uncovered:
            lines += [f"原文中有 {len(uncovered)} 处未被任何条款引用：", ""]
            lines += [f"- {md(piece)}" for piece in uncovered] + [""]
        if p.notes:
            lines += ["## 编码说明", ""] + [f"- {md(note.text)}" for note in p.notes] + [""]
        groups = [x for doc in self.program.documents() for x in doc.exclusives]
        caps = [c for doc in self.program.documents() for c in doc.sum_caps]
        group_caps = [g for doc in self.program.documents() for g in doc.group_caps]
        if groups or caps or group_caps:
            lines += ["## 组合规则", ""]
            for x in groups:
                lines += self.gen(x)
            for g in group_caps:
                scope = {"项目": "每个项目（每次活动）", "每年": "每年", "累计": "历年累计"}[g.scope]
                lines.append(f"- 组合上限「{md(g.name)}」：{'、'.join(md(str(r)) for r in g.members)}合计，"
                             f"{scope}不超过{self.text(g.amount)}")
            for c in caps:
                lines.append(f"- 总额上限：{'每年' if c.yearly else ''}{self.text(c.amount)}（每家企业各款合计"
                             f"{'' if c.yearly else '，历年已获支持都计入'}）")
            lines.append("")
        lines += ["## 目录", ""]
        chapter = None
        for a in p.articles:
            if a.chapter != chapter and a.chapter is not None:
                chapter = a.chapter
                lines += ["", f"**{md(chapter)}**", ""]
            lines.append(f"- {self.link(page_of(a.number), a.label + ' ' + md(a.title))}（{len(a.items)} 款）")
        return lines + [""]

    def validity_text(self, v: n.Validity | None) -> str:
        if v is None:
            return "未声明"
        parts = []
        if v.start is not None:
            parts.append(f"自{self.text(v.start)}起")
        if v.end is not None:
            parts.append(f"至{self.text(v.end)}")
        if v.trial is not None:
            parts.append(f"试行{v.trial}")
        return "，".join(parts)

    def chapter_page(self, chapter: str, articles: list[n.Article]) -> list[str]:
        lines = [f"# {md(chapter)}", ""]
        rows = []
        for a in articles:
            for item in a.items:
                pending = sorted({self.s.params[r.key].name for r in self._refs(item)
                                  if r.key in self.s.params and self.pending(self.s.params[r.key])})
                rows.append([self.link(page_of(a.number), a.label), self.item_link(item),
                             md(render.award_text(item.award)) if item.award else ("待编码" if item.unencoded else ""),
                             str(len(pending)) if pending else ""])
            if not a.items:
                rows.append([self.link(page_of(a.number), a.label), "", "", ""])
        return lines + table(["条", "款", "给予", "待定参数"], rows)

    def parameters_pages(self) -> list[tuple]:
        """The parameters, grouped by the article that first uses them: (path, nav title, writer) per page.

        A policy with chapters gets ``parameters.md`` (an overview by chapter, plus the parameters of no
        chapter) and one ``parameters-N.md`` per chapter, so no page holds hundreds of rows.
        """
        params = [p for doc in self.program.documents() for p in doc.params if p.key in self.s.params
                  and self.s.params[p.key] is p]
        groups: dict[str, dict[str | None, list[n.Param]]] = {}  # page → article number (None: no article) → params
        for p in params:
            page, article = self._param_home(p.key)
            groups.setdefault(page, {}).setdefault(article, []).append(p)
        chapter_titles: dict[int, str] = {}
        for a in self.program.policy.articles:
            if a.number in self.chapter_numbers:
                chapter_titles.setdefault(self.chapter_numbers[a.number], a.chapter)
        pending = sum(1 for p in params if self.pending(p))
        intro = ["# 参数", "",
                 "政策中未定或可调的数值。<mark>待定</mark> 的参数还没有取值：依赖它的结果状态为“参数待定”，"
                 "并显示含参数名称的公式，而不是一个编造的数字。", "",
                 f"共 {len(params)} 个参数，其中待定 {pending} 个。"
                 + (" 在下方的输入框中键入文字，可只显示含这些文字的行。" if params else ""), ""] + self.rules_intro()

        def overview() -> list[str]:
            lines = list(intro)
            if chapter_titles:
                rows = []
                for number, title in chapter_titles.items():
                    members = [p for ps in groups.get(f"parameters-{number}.md", {}).values() for p in ps]
                    if not members:
                        continue
                    set_by_rules = sum(1 for p in members if self.pending(p) and self.rules_values(p))
                    rows.append([self.link(f"parameters-{number}.md", md(title)), str(len(members)),
                                 str(sum(1 for p in members if self.pending(p))),
                                 *([str(set_by_rules)] if self.other_rules else [])])
                lines += ["## 各章的参数", ""]
                lines += table(["章", "参数", "待定", *(["细则已取值"] if self.other_rules else [])], rows)
            return lines + self.parameter_groups(groups.get("parameters.md", {}))

        def chapter(number: int, title: str):
            def write() -> list[str]:
                members = groups[f"parameters-{number}.md"]
                count = sum(len(ps) for ps in members.values())
                lines = [f"# 参数：{md(title)}", "",
                         f"本章的条款使用的参数 {count} 个（按首次使用的条列出），其中待定 "
                         f"{sum(1 for ps in members.values() for p in ps if self.pending(p))} 个。"
                         f"全部参数见{self.link('parameters.md', '参数概览')}。", ""] + self.rules_intro()
                return lines + self.parameter_groups(members)
            return write

        pages = [("parameters.md", "概览", overview)]
        for number, title in chapter_titles.items():
            if f"parameters-{number}.md" in groups:
                pages.append((f"parameters-{number}.md", md(title), chapter(number, title)))
        return pages

    def parameter_groups(self, groups: dict) -> list[str]:
        """One table per article (in the order of the policy), then the 施行期's and the unused parameters."""
        order = {a.number: k for k, a in enumerate(self.program.policy.articles)}
        lines = ['<div class="polc-params" markdown>', ""]
        for article in sorted(groups, key=lambda a: (a is None, order.get(a, len(order)))):
            members = groups[article]
            a = self.s.articles.get(article) if article is not None else None
            if a is not None:
                lines += [f"## {self.link(page_of(a.number), a.label + ' ' + md(a.title))}", ""]
            else:
                used = any(self.usage.get(p.key) for p in members)
                lines += ["## 施行期与其他" if used else "## 未使用的参数", ""]
            lines += self.parameter_table(members)
        return lines + ["</div>", ""]

    def parameter_table(self, params: list[n.Param]) -> list[str]:
        rows = []
        for p in params:
            row = [f'<span id="{self.param_ids[p.key]}"></span>' + self.param_link(p), self.value_text(p)]
            if self.other_rules:
                row.append("<br>".join(self.rules_values(p)))
            rows.append(row + [md(str(p.type)) + (f"，{self.range_text(p)}" if p.range else ""),
                               md(p.description or ""), self.used_text(p)])
        header = ["参数", "取值", *(["细则取值"] if self.other_rules else []), "类型与范围", "说明", "用于"]
        return table(header, rows)

    def range_text(self, p: n.Param) -> str:
        return f"{md(_value_text(p.range[0]))} 至 {md(_value_text(p.range[1]))}" if p.range else ""

    def value_text(self, p: n.Param) -> str:
        """A parameter's value as the docs show it: the 细则's bindings with their dates, the declared value, or 待定."""
        bound = self.bindings.get(p.key)
        if bound:
            return "；".join(md(_value_text(b.value)) + (f"（自 {b.since.isoformat()} 起）" if b.since else "")
                            + "（细则）" for b in bound)
        if p.value is not None:
            return md(_value_text(p.value))
        return "<mark>待定</mark>"

    def used_text(self, p: n.Param) -> str:
        """Where a parameter is used: links to the items that read it (and 施行期)."""
        out = []
        for use in self.usage.get(p.key, []):
            out.append("施行期" if use == "validity" else self.item_link(use))
        return "、".join(out) if out else "未使用"

    def notes_page(self) -> list[str]:
        lines = ["# 编码说明", "",
                 "编码时对原文的解读：原文有歧义、不一致或无法直接计算之处，以及选择的读法。", ""]
        for doc in self.program.documents():
            if doc.kind == "模块":
                continue
            if doc.notes:
                lines += [f"## {md(doc.name)}", ""] + [f"- {md(x.text)}" for x in doc.notes] + [""]
            for a in doc.articles:
                notes = [(None, x) for x in a.notes] + [(i, x) for i in a.items for x in i.notes]
                if not notes:
                    continue
                lines += [f"## {self.link(page_of(a.number), a.label + ' ' + md(a.title))}", ""]
                for item, note in notes:
                    lines.append(f"- {self.item_link(item) + '：' if item else ''}{md(note.text)}")
                lines.append("")
        return lines

    # ---- node handlers ----
    def article(self, a: n.Article) -> list[str]:
        lines = [f"# {a.label} {md(a.title)}", ""]
        if a.chapter:
            lines += [f"所属章节：{md(a.chapter)}", ""]
        if a.quote:
            lines += ['<div class="polc-article-quote" markdown>', "", f"> **原文** {md(a.quote.text)}", "", "</div>", ""]
        for note in a.notes:
            lines += self.gen(note)
        for item in a.items:
            lines += self.gen(item)
        cases = self.case_article.get(a.number, [])
        if cases:
            lines += ["## 案例", "", "起草者写的案例，由参考解释器求值；“一致”表示结果与预期相符。", ""]
            for case in cases:
                lines += self.gen(case)
        return lines

    def note(self, note: n.Note) -> list[str]:
        return [f'!!! note "编码说明"', "", f"    {md(note.text)}", ""]

    def item(self, item: n.Item) -> list[str]:
        lines = [f"## 款「{md(item.name)}」 {{ #{self.item_ids[item.key]} }}", ""]
        lines += ['<div class="polc-item" markdown>', "", '<div class="polc-quote" markdown>', ""]
        lines += ["**原文**", ""]
        lines += [f"> {md(item.quote.text)}" if item.quote else "（本款没有单独的原文引文，见本条原文）", ""]
        lines += ["</div>", "", '<div class="polc-rule" markdown>', ""]
        if item.unencoded:  # 待编码: saying 条件 无 or 给予 非资金支持 here would be a rule nobody wrote
            lines += ["**待编码**：本款只照抄了原文，规则尚未写出，求值时不参与计算。", "", "</div>", "", "</div>", ""]
            for note in item.notes:
                lines += self.gen(note)
            return lines
        lines += self.conditions(item)
        if item.assessment:
            lines += [f"**评定**：{md(item.assessment)}。需人工评定，不阻断计算：结果为“待评定”，金额为最多可得的数额。", ""]
        if item.award is not None:
            lines += self.gen(item.award)
        else:
            lines += ["**给予**：非资金支持", ""]
        lines += self.limits(item)
        if item.frequency is not None:
            lines += self.gen(item.frequency)
        for u in item.uplifts:
            lines += self.gen(u)
        if item.topup is not None:
            what = "、".join(self.ref_link(r) for r in item.topup) if item.topup else "本款"
            lines += [f"**补差**：扣除{what}已获的支持，只补差额（不低于 0）。", ""]
        if item.tranches:
            lines += [f"**分期**：分 {len(item.tranches)} 期拨付，各期 "
                      + "、".join(self.text(t) for t in item.tranches) + "。", ""]
        if item.per_project:
            lines += ["**每个项目**：对企业的每个项目分别计算，金额为各符合项目之和；上限、下限按项目适用。", ""]
        lines += self.relations(item)
        lines += ["</div>", "", "</div>", ""]
        for note in item.notes:
            lines += self.gen(note)
        return lines

    def conditions(self, item: n.Item) -> list[str]:
        parts = [p for c in item.conditions for p in n.operands(c, "且")]
        extra = [(nar, p) for nar in self.narrowed.get(item.key, []) for p in n.operands(nar.condition, "且")]
        if not parts and not extra:
            return ["**条件**：无（所有企业）", ""]
        lines = ["**条件**（须全部满足）：", ""]
        for p in parts:
            lines += self.condition(p, "- ")
        for nar, p in extra:
            lines += self.condition(p, "- ", suffix="（细则补充条件）")
        return lines + [""]

    def condition(self, e, bullet: str, suffix: str = "") -> list[str]:
        indent = " " * (len(bullet) + 2) if bullet.strip() else ""
        if isinstance(e, n.Logic) and e.op == "或":
            lines = [f"{bullet}满足下列之一{suffix}："]
            for alt in n.operands(e, "或"):
                lines += [indent + line for line in self.condition(alt, "- ")]
            return lines
        if isinstance(e, n.Compare) and e.op == "==":
            return [f"{bullet}{self.text(e)}（＝）{suffix}"]
        if isinstance(e, n.Compare):
            words = "".join(e.words)
            incl = "含本数" if e.op in (">=", "<=") else "不含本数"
            if "(含)" in words or "（含）" in words:
                incl = "含本数"
            elif "(不含)" in words or "（不含）" in words:
                incl = "不含本数"
            sign = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜"}[e.op]
            return [f"{bullet}{self.text(e)}（{sign}，{incl}）{suffix}"]
        if isinstance(e, n.Ref):
            return [f"{bullet}{self.text(e)}：是{suffix}"]
        return [f"{bullet}{self.text(e)}{suffix}"]

    def award(self, award: n.Award) -> list[str]:
        if award.kind == "一事一议":
            return ["**给予**：一事一议（个案研究确定，不计算金额）", ""]
        if award.kind == "非资金支持":
            return [f"**给予**：非资金支持（不涉及金额）：{md(award.description or '')}", ""]
        if award.kind == "核定":  # a value that is not money paid
            return [f"**核定**：「{md(award.result)}」为 {self.text(award.amount)}", "",
                    "核定的是一个计算结果（不是资金）：求值结果中显示在“核定”下，不计入金额合计。", ""]
        up_to = []
        if award.up_to is not None:  # 最多可得: the text gives only a maximum
            up_to = [f"**最多可得**：原文只给出最高额（“{md(award.up_to[0])}”），没有确定金额的规则。"
                     "结果为“待评定”，金额是企业最多可得的数额，具体金额经评定确定。", ""]
        if award.kind == "分档":
            lines = [f"**给予**：按{self.text(award.measure)}分档" + ("，各档为最高额" if award.up_to else ""), ""]
            return lines + self.tiers(award) + up_to
        shown = render.up_to_text(award, name=self.name) if award.up_to else self.text(award.amount)
        lines = [f"**给予**：{md(award.kind) + ' ' if award.kind != '金额' else ''}{shown}", ""] + up_to
        if isinstance(award.amount, n.ByLevel):
            return lines + self.by_level(award.amount, "金额")
        if isinstance(award.amount, n.Progressive):
            return lines + self.progressive(award.amount)
        formula = render.formula_text(award, name=self.name)
        if formula is not None and isinstance(award.amount, n.Binary):
            lines += [f"金额 = {formula}", ""]
        return lines

    def tiers(self, award: n.Award) -> list[str]:
        measure = self.text(award.measure)
        rows = []
        tiers = list(award.tiers)
        for k, tier in enumerate(tiers):
            if tier.band is None:
                band = "其余情形"
            else:
                band = render.band_text(tier.band, "", name=self.value_name)
                if tier.band.high is None and k + 1 < len(tiers) and tiers[k + 1].band is not None \
                        and tiers[k + 1].band.low is not None:
                    band += f"，至下一档起点（{self.value(tiers[k + 1].band.low.right)}）为止"
            rows.append([str(k + 1), band, self.value(tier.amount)])
        if any(t.when is not None for t in tiers):  # 档 … 若 …: a band with its own condition
            for row, tier in zip(rows, tiers):
                row.insert(2, self.text(tier.when) if tier.when is not None else "无")
            lines = table(["档", f"{measure}", "附加条件", "金额"], rows)
            return lines + ["低于最低一档的，不符合；落在某一档但不满足该档附加条件的，也不符合（不退到低一档）。", ""]
        lines = table(["档", f"{measure}", "金额"], rows)
        return lines + ["低于最低一档的，不符合。", ""]

    def progressive(self, e: n.Progressive) -> list[str]:
        """累进: one row per band, what part of the measure it takes and at what rate."""
        rows = []
        tiers = list(e.tiers)
        for k, tier in enumerate(tiers):
            band = render.band_text(tier.band, "", name=self.name) if tier.band is not None else "全部"
            if tier.band is not None and tier.band.high is None and k + 1 < len(tiers) \
                    and tiers[k + 1].band is not None and tiers[k + 1].band.low is not None:
                band += f"，至{self.text(tiers[k + 1].band.low.right)}为止"
            rows.append([str(k + 1), band, self.text(tier.amount)])
        lines = table(["段", f"{self.text(e.measure)}中的部分", "比例"], rows)
        return lines + ["累进计算：量落在每一段中的部分按该段的比例计算，各段相加。", ""]

    def by_level(self, e: n.ByLevel, what: str) -> list[str]:
        return table([f"{self.text(e.measure)}", what], [[self.name(lv), self.value(a)] for lv, a in e.entries])

    def limits(self, item: n.Item) -> list[str]:
        lines = []
        for lim in item.limits:
            lines += self.gen(lim)
        monetary = item.award is not None and item.award.kind not in ("一事一议", "非资金支持", "金额", "分档", "核定")
        if monetary and not any(lim.kind != "下限" for lim in item.limits):
            lines += ["**上限**：未设上限", ""]
        return lines

    def limit(self, lim: n.Limit) -> list[str]:
        meaning = {"上限": "取各上限中最小者", "年度上限": "同一款每年累计", "累计上限": "同一款历年累计",
                   "下限": "金额不低于此数"}[lim.kind]
        if lim.per_project:
            meaning = "每个项目各自" + meaning.replace("同一款", "")
        elif lim.window:
            meaning = f"同一款本年度及之前共{lim.window}年累计"
        words = "".join(lim.words)
        if isinstance(lim.amount, n.ByLevel):
            return [f"**{lim.kind}**（{meaning}）：按等级分别规定", ""] + self.by_level(lim.amount, lim.kind)
        return [f"**{lim.kind}**：{words}{self.text(lim.amount)}（{meaning}）", ""]

    def frequency(self, f: n.Frequency) -> list[str]:
        return [f"**频次**：{render.frequency_full(f)}", ""]

    def uplift(self, u: n.Uplift) -> list[str]:
        when = f"，若{self.text(u.when)}" if u.when is not None else ""
        return [f"**上浮**：金额上浮{self.text(u.ratio)}{when}", ""]

    def relations(self, item: n.Item) -> list[str]:
        lines = []
        for group, others in self.exclusive_of.get(item.key, []):
            rule = {"就高": "取金额最高者", "优先": "按所列顺序取第一个适用者", "累加": "可同时享受，金额累加"}[group.rule]
            name = f"「{md(group.name)}」" if group.name else ""
            lines += [f"**互斥**{name}：与 " + "、".join(self.item_link(o) for o in others)
                      + f" 不得同时享受，{group.rule}（{rule}）。", ""]
        if item.overrides is not None:
            lines += [f"**例外**：本款适用时，取代 {self.ref_link(item.overrides)}。", ""]
        for winner in self.overridden_by.get(item.key, []):
            lines += [f"**例外**：{self.item_link(winner)} 适用时取代本款。", ""]
        return lines

    def exclusive(self, x: n.Exclusive) -> list[str]:
        name = f"「{md(x.name)}」" if x.name else ""
        return [f"- 互斥{name}：" + "、".join(self.ref_link(r) for r in x.members) + f"，{x.rule}"]

    # ---- cases ----
    def case(self, case: n.Case) -> list[str]:
        lines = [f"### 案例「{md(case.name)}」 {{ #{self.case_ids[id(case)]} }}", ""]
        worked = self.hand_notes(case)
        if worked:
            lines += ["起草者的手算：", ""] + [f"- {md(w)}" for w in worked] + [""]
        rows = []
        for f in case.facts:
            if f.holds and not f.name:
                rows.append(["已认定", "无"])
            elif f.holds:
                rows.append([f"已认定「{md(f.name)}」", f"「{md(f.level.name)}」" if f.level is not None else "是"])
            else:
                rows.append([f"「{md(f.name)}」", md(_value_text(f.value))])
        for k, project in enumerate(case.projects, 1):
            rows.append([f"项目 {k}", "，".join(f"「{md(f.name)}」{md(_value_text(f.value))}" for f in project)])
        for name, facts, _ in case.rows:
            rows.append([f"列表「{md(name)}」", "，".join(f"「{md(f.name)}」{md(_value_text(f.value))}" for f in facts)])
        for y in case.yearly:
            rows.append([f"历年「{md(y.name)}」", "，".join(f"{year}年度 {md(_value_text(v))}" for year, v in y.values)])
        for h in case.held_years:  # 历年 已认定: what the enterprise held in an earlier year
            held = "、".join(f"「{md(name)}」" + (f"「{md(level)}」" if level else "") for name, level in h.held)
            rows.append([f"{h.year}年度已认定", held or "无"])
        for h in case.history:
            rows.append(["已获", f"{self.ref_link(h.item)} {h.year}年度 {md(_value_text(h.amount))}"])
        for b in case.bindings:
            p = self.s.params.get(b.key)
            rows.append(["设定", f"{self.param_link(p, mark=False) if p else md(b.name)} 为 {md(_value_text(b.value))}"])
        for a in case.assessments:
            decided = f"通过，评定金额 {md(_value_text(a.amount))}" if a.amount is not None else a.outcome
            rows.append(["评定", f"{self.ref_link(a.item)} {decided}"])
        if case.date is not None:
            rows.append(["评估日期", case.date.isoformat()])
        lines += table(["情况", "值"], rows) if rows else ["（没有写企业情况）", ""]
        outcome = run_case(case, self.program, self.interpreter_for(case).evaluate)
        if outcome.error:
            return lines + [f"输入有误：{md(outcome.error)}", ""]
        by_label = {r["条款"]: r for r in outcome.result["条款"]}
        rows, traces = [], []
        for e in case.expectations:
            item = self.s.items.get(e.item.key)
            if item is None:
                continue
            got = by_label[item.label]
            expected = e.status + (f"，金额 {md(_value_text(e.amount))}" if e.amount is not None else "")
            actual = md(got["状态"])
            if got["金额"] is not None:
                actual += f"，金额 {md(_money(got['金额']))}"
            if got.get("最多可得"):
                actual += f"（最多可得 {md(_money(got['最多可得']))}）"
            if got.get("上限"):
                actual += f"（受{md(got['上限'])}限制）"
            if e.result is not None:
                expected += f"，核定 {md(_value_text(e.result))}"
            if got.get("核定"):
                actual += f"，核定「{md(got['核定']['名称'])}」{md(got['核定']['文字'])}"
            if e.counted is not None:
                expected += "，计入合计" if e.counted else "，不计入合计"
                actual += "，计入合计" if item.label in outcome.result["汇总"]["计入合计"] else "，不计入合计"
            if e.tranches:
                expected += "，分期 " + "、".join(md(_value_text(t)) for t in e.tranches)
                actual += "，分期 " + "、".join(md(_money(x)) for x in got.get("分期") or []) if got.get("分期") else ""
            ok = not any(m.label == item.label for m in outcome.mismatches)
            rows.append([self.item_link(item), expected, actual, "一致" if ok else "**不一致**"])
            traces.append((item, got))
        for t in case.totals:
            key = "合计" if t.kind == "合计" else "最高合计"
            have = outcome.result["汇总"][key]
            rows.append([t.kind, md(_value_text(t.amount)), md(_money(have)),
                         "一致" if not any(m.label == t.kind for m in outcome.mismatches) else "**不一致**"])
        lines += table(["条款", "预期", "求值结果", "核对"], rows)
        for item, got in traces:
            lines += [f"求值过程（{md(item.label)}）：", ""]
            for k, st in enumerate(got["理由"], 1):
                lines.append(f"{k}. {md(st['检查'])} → {md(st['结果'])}（{md(_where(st['位置']))}）")
            extra = []
            if got["公式"]:
                extra.append(f"公式：{md(got['公式'])}")
            if got["待定参数"]:
                extra.append("待定参数：" + "、".join(f"「{md(x)}」" for x in got["待定参数"]))
            if got["缺少信息"]:
                extra.append("缺少信息：" + "、".join(f"「{md(x)}」" for x in got["缺少信息"]))
            for g in got["差距"]:
                extra.append(f"差距：{md(g['条件'])}，{md(g['差距'])}")
            if got.get("分期"):
                extra.append("分期：" + "、".join(f"{x} 元" for x in got["分期"]))
            lines += [""] + [f"- {x}" for x in extra] if extra else []
            lines.append("")
        return lines

    def hand_notes(self, case: n.Case) -> list[str]:
        """The ``#`` comments inside a case: where drafters work amounts out by hand."""
        source = self.program.sources.get(case.span.file)
        if source is None:
            return []
        lines = list(source.lines)
        out = []
        for line in lines[case.span.line:case.span.end_line]:
            stripped = line.strip()
            if stripped.startswith("#"):
                out.append(stripped.lstrip("#").strip())
        return out

    # ---- 细则 ----
    def rules_overview(self) -> list[str]:
        r = self.rules
        parent = self.program.policy
        lines = [f"# {md(r.name)}", ""]
        parent_name = f"「{md(parent.name)}」"
        if self.parent_docs is not None:
            parent_name = self.link(f"{self.parent_docs}index.md", parent_name)
        lines += table(["项目", "内容"], [["文件", md(Path(r.path).name)], ["类型", "细则"], ["扩展", parent_name]])
        lines += self.rules_body()
        return lines

    def rules_page(self) -> list[str]:
        return [f"# 细则「{md(self.rules.name)}」", ""] + self.rules_body()

    def rules_body(self) -> list[str]:
        r = self.rules
        lines = []
        for note in r.notes:
            lines += self.gen(note)
        lines += ["## 参数取值", "", "细则的取值与政策声明的参数并列；取值须在政策声明的范围之内（编译器已检查）。", ""]
        rows = []
        for b in r.bindings:
            lines_b = self.gen(b)
            rows.append(lines_b)
        lines += table(["参数", "类型", "政策中的范围", "政策中的取值", "细则取值", "自"], rows)
        still = [p for p in self.s.params.values() if self.pending(p)]
        if still:
            lines += [f"细则之后仍待定的参数 {len(still)} 个：" + "、".join(self.param_link(p) for p in still), ""]
        if r.narrowings:
            lines += ["## 补充条件", ""]
            for nar in r.narrowings:
                lines += self.gen(nar)
            lines.append("")
        if r.articles:
            lines += ["## 细则增加的条款", ""]
            lines += [f"- {self.link(page_of(a.number), a.label + ' ' + md(a.title))}" for a in r.articles] + [""]
        return lines

    def binding(self, b: n.Binding) -> list[str]:
        p = self.s.params.get(b.key)
        if p is None:
            return [md(b.name), "", "", "", md(_value_text(b.value)), ""]
        declared = md(_value_text(p.value)) if p.value is not None else "<mark>待定</mark>"
        return [self.param_link(p), md(str(p.type)), self.range_text(p), declared, md(_value_text(b.value)),
                b.since.isoformat() if b.since else ""]

    def narrowing(self, nar: n.Narrowing) -> list[str]:
        return [f"- {self.ref_link(nar.target)}：另须 {self.text(nar.condition)}"]


DocGenerator.HANDLERS = {
    n.Article: DocGenerator.article,
    n.Item: DocGenerator.item,
    n.Award: DocGenerator.award,
    n.Limit: DocGenerator.limit,
    n.Frequency: DocGenerator.frequency,
    n.Uplift: DocGenerator.uplift,
    n.Note: DocGenerator.note,
    n.Exclusive: DocGenerator.exclusive,
    n.Case: DocGenerator.case,
    n.Binding: DocGenerator.binding,
    n.Narrowing: DocGenerator.narrowing,
}


def generate_file(path: str | Path, rules: str | Path | None = None, *, parent_docs: str | None = None):
    """Check a file and generate its pages: (CheckResult, Site or None when it has errors)."""
    from compiler.semantics.check import check

    result = check(path, rules=rules)
    if not result.ok:
        return result, None
    return result, generate(result, parent_docs=parent_docs)
