"""polc lsp: a language server over stdio for editors (pygls, the `editor` extra).

Diagnostics are those of `polc check` (``compiler.semantics.check.check`` on the editor's
text, so unsaved edits count). Hover, go to definition, completion and document
symbols read the checked program; while the text does not parse, the last program
that did is used, so an editor keeps its answers during typing. The analysis
functions below take plain text and positions and are tested without a client.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from compiler.syntax import nodes as n
from compiler.semantics.check import CheckResult, check
from compiler.diagnostics import ERROR, Span
from compiler.syntax.keywords import BOUNDARY_WORDS, KEYWORDS, all_words


# ---- positions: polc counts columns in characters from 1; LSP in UTF-16 units from 0 ----

def to_utf16(line: str, column: int) -> int:
    """LSP character offset of 1-based character column ``column`` on ``line``."""
    prefix = line[:max(0, column - 1)]
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in prefix) + max(0, column - 1 - len(prefix))


def from_utf16(line: str, character: int) -> int:
    """0-based character index on ``line`` of LSP offset ``character``."""
    units = 0
    for index, ch in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def span_range(span: Span, lines: list[str] | None) -> tuple[tuple[int, int], tuple[int, int]]:
    """((line, character), (line, character)) of a span, 0-based, in UTF-16 units."""
    def point(line: int, column: int) -> tuple[int, int]:
        text = lines[line - 1] if lines and 0 < line <= len(lines) else ""
        return max(0, line - 1), to_utf16(text, column)
    start = point(span.line, span.column)
    end = point(span.end_line, span.end_column)
    return start, max(start, end)


# ---- what the cursor is on ----

@attrs.frozen
class NameAt:
    """The 「名称」 under the cursor, with the article written just before it (第8条「款」) to tell items apart."""
    name: str  # without 「」
    article: str | None  # the article number written just before it (第8条「…」), if any
    start: int  # character index of 「
    end: int  # character index after 」


_ARTICLE_BEFORE = re.compile(r"(附则)?第([0-9]+|[零〇一二两三四五六七八九十百]+)条\s*$")


def name_at(line: str, index: int) -> NameAt | None:
    """The 「name」 on ``line`` that contains character ``index``, or None."""
    for match in re.finditer(r"「([^」]*)」", line):
        if match.start() <= index < match.end():
            before = _ARTICLE_BEFORE.search(line[:match.start()])
            article = None
            if before:
                from compiler.syntax.builder import article_number
                try:
                    article = article_number(before.group(0).strip())
                except Exception:  # noqa: BLE001 - a number too odd to read names no article
                    article = None
            return NameAt(match.group(1), article, match.start(), match.end())
    return None


def open_name(line: str, index: int) -> str | None:
    """The text typed after an unclosed 「 before ``index`` (completion inside 「」), or None."""
    before = line[:index]
    opened = before.rfind("「")
    if opened < 0 or "」" in before[opened:] or "#" in before[:opened]:
        return None
    return before[opened + 1:]


# ---- looking names up ----

@attrs.frozen
class Found:
    """What a name denotes: its kind (参数, 字段, 款 …), the declaration, and where it is declared."""
    kind: str  # 参数 字段 项目字段 度量 等级 认定 单位 条 款
    node: object
    span: Span


def lookup(program, at: NameAt) -> Found | None:
    """The declaration a name under the cursor denotes, for hover and go to definition; None if none."""
    s = program.symbols
    key = n.name_key(at.name)
    if at.article is not None:
        item = s.items.get((at.article, key))
        if item is not None:
            return Found("款", item, item.span)
        article = s.articles.get(at.article)
        if article is not None:
            return Found("条", article, article.span)
    for kind, table in (("参数", s.params), ("度量", s.measures), ("等级", s.levels), ("认定", s.recognitions),
                        ("单位", s.units)):
        if key in table:
            return Found(kind, table[key], table[key].span)
    if key in s.fields:
        field = s.fields[key]
        return Found("项目字段" if field.project else "字段", field, field.span)
    for levels in s.levels.values():
        for member in levels.members:
            if member.key == key:
                return Found("等级", levels, levels.span)
    items = [i for i in s.items.values() if n.name_key(i.name) == key]
    if items:
        return Found("款", items[0], items[0].span)
    articles = [a for a in s.articles.values() if n.name_key(a.title) == key]
    if articles:
        return Found("条", articles[0], articles[0].span)
    return None


def _bound(program) -> set[str]:
    return {b.key for doc in program.documents() for b in doc.bindings}


def describe(program, found: Found) -> str:
    """Markdown for a hover: kind, type and unit, 原文, and whether a parameter is still 待定."""
    from compiler.syntax import render

    node = found.node
    lines: list[str] = []
    if found.kind == "参数":
        lines.append(f"**参数「{node.name}」**：{node.type}")
        pending = node.pending and node.key not in _bound(program)
        if pending:
            lines.append("**待定**：原文未写数额，须由细则或 --set 取值")
        elif node.value is not None:
            lines.append(f"取值：{render.text(node.value)}")
        elif node.key in _bound(program):
            lines.append("取值：由细则设定")
        if node.range:
            lines.append(f"范围：{render.text(node.range[0])} 至 {render.text(node.range[1])}")
        if node.description:
            lines.append(f"说明：{node.description}")
    elif found.kind in ("字段", "项目字段"):
        lines.append(f"**{found.kind}「{node.name}」**：{node.type}")
        if node.description:
            lines.append(f"说明：{node.description}")
    elif found.kind == "度量":
        lines.append(f"**度量「{node.name}」** ＝ {render.text(node.formula)}")
        if node.description:
            lines.append(f"说明：{node.description}")
    elif found.kind == "认定":
        lines.append(f"**认定「{node.name}」**" + (f"，分级「{node.levels}」" if node.levels else ""))
        if node.description:
            lines.append(f"说明：{node.description}")
    elif found.kind == "等级":
        lines.append(f"**等级「{node.name}」**：" + " > ".join(f"「{m.name}」" for m in node.members))
    elif found.kind == "单位":
        lines.append(f"**单位「{node.name}」**")
    elif found.kind == "款":
        lines.append(f"**款 {node.label}**" + ("（**待编码**：规则未写）" if node.unencoded else ""))
        if node.award is not None:
            lines.append(f"给予：{render.award_text(node.award)}")
        if node.quote:
            lines.append(f"原文：「{node.quote.text}」")
    elif found.kind == "条":
        lines.append(f"**{node.label}「{node.title}」**")
        if node.quote:
            lines.append(f"原文：「{node.quote.text}」")
    where = Path(found.span.file).name
    lines.append(f"声明于 {where}:{found.span.line}")
    return "\n\n".join(lines)


def completions(program, line: str, index: int) -> list[tuple[str, str, str]]:
    """(label, kind, detail): declared names inside 「」, keywords elsewhere."""
    typed = open_name(line, index)
    if typed is not None:
        if program is None:
            return []
        s = program.symbols
        out = []
        for kind, table in (("参数", s.params), ("字段", s.fields), ("度量", s.measures), ("认定", s.recognitions),
                            ("等级", s.levels), ("单位", s.units)):
            out += [(x.name, kind, str(getattr(x, "type", "")) or kind) for x in table.values()]
        out += [(m.name, "等级", f"等级「{lv.name}」") for lv in s.levels.values() for m in lv.members]
        out += [(i.name, "款", i.label) for i in s.items.values()]
        typed = typed.strip()
        seen, unique = set(), []
        for entry in out:
            if typed in entry[0] and entry[0] not in seen:
                seen.add(entry[0])
                unique.append(entry)
        return unique
    meanings = {w: k.meaning for k in KEYWORDS for w in k.words}
    meanings.update({w: f"边界词（{op}）" for w, op in BOUNDARY_WORDS.items()})
    return [(w, "关键字", meanings.get(w, "")) for w in all_words()]


def outline(program, path: str) -> list[dict]:
    """章 → 条 → 款 of the file at ``path``, as nested dicts with spans."""
    doc = next((d for d in program.documents() if d.path == path), None)
    if doc is None:
        return []
    chapters = [{"name": name, "kind": "章", "span": span, "children": []} for name, span in doc.chapters]
    top: list[dict] = []
    for article in doc.articles:
        entry = {"name": f"{article.label}「{article.title}」", "kind": "条", "span": article.span,
                 "children": [{"name": f"款「{i.name}」", "kind": "款", "span": i.span, "children": []}
                              for i in article.items]}
        owner = None
        for chapter in chapters:
            if chapter["span"].line <= article.span.line:
                owner = chapter
        (owner["children"] if owner else top).append(entry)
    return chapters + top


# ---- the server ----

def path_of(uri: str) -> str:
    """The file path of a document URI (the URI itself when it names no file), as diagnostics spell files."""
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def build_server():
    """The language server and its handlers: diagnostics on open, change and save; hover, definition,
    completion and document symbols."""
    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer

    from compiler import __version__

    server = LanguageServer("polc", __version__)
    last_good: dict[str, object] = {}

    def analyse(uri: str) -> tuple[CheckResult, list[str]]:
        document = server.workspace.get_text_document(uri)
        path = path_of(uri)
        result = check(path, text=document.source)
        if result.program is not None:
            last_good[uri] = result.program
        return result, document.source.split("\n")

    def position(p: tuple[int, int]):
        return t.Position(line=p[0], character=p[1])

    def lsp_range(span: Span, lines) -> "t.Range":
        start, end = span_range(span, lines)
        return t.Range(start=position(start), end=position(end))

    def publish(uri: str) -> None:
        result, lines = analyse(uri)
        path = path_of(uri)
        found = []
        for d in result.diagnostics:
            mine = d.span.file == path
            span = d.span if mine else Span(path, 1, 1, 1, 1)
            message = d.message + (f"\n提示：{d.hint}" if d.hint else "")
            if not mine:
                message = f"{d.span.file}:{d.span.line}:{d.span.column}: {message}"
            found.append(t.Diagnostic(
                range=lsp_range(span, lines), message=message, code=d.code, source="polc",
                severity=t.DiagnosticSeverity.Error if d.severity == ERROR else t.DiagnosticSeverity.Warning))
        server.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: t.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: t.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: t.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    def cursor(params) -> tuple[object, list[str], str, int]:
        uri = params.text_document.uri
        lines = server.workspace.get_text_document(uri).source.split("\n")
        line = lines[params.position.line] if params.position.line < len(lines) else ""
        return last_good.get(uri), lines, line, from_utf16(line, params.position.character)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def hover(params: t.HoverParams):
        program, lines, line, index = cursor(params)
        at = name_at(line, index)
        found = lookup(program, at) if program is not None and at else None
        if found is None:
            return None
        value = describe(program, found)
        row = params.position.line
        return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=value),
                       range=t.Range(start=t.Position(line=row, character=to_utf16(line, at.start + 1)),
                                     end=t.Position(line=row, character=to_utf16(line, at.end + 1))))

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def definition(params: t.DefinitionParams):
        from pygls.uris import from_fs_path

        program, lines, line, index = cursor(params)
        at = name_at(line, index)
        found = lookup(program, at) if program is not None and at else None
        if found is None:
            return None
        source = program.sources.get(found.span.file)
        target_lines = list(source.lines) if source else None
        uri = params.text_document.uri if found.span.file == path_of(params.text_document.uri) \
            else from_fs_path(str(Path(found.span.file).resolve()))
        return t.Location(uri=uri, range=lsp_range(found.span, target_lines))

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=["「"]))
    def completion(params: t.CompletionParams):
        program, lines, line, index = cursor(params)
        kinds = {"关键字": t.CompletionItemKind.Keyword, "款": t.CompletionItemKind.Reference,
                 "参数": t.CompletionItemKind.Constant, "字段": t.CompletionItemKind.Field}
        items = [t.CompletionItem(label=label, detail=detail, kind=kinds.get(kind, t.CompletionItemKind.Value))
                 for label, kind, detail in completions(program, line, index)]
        return t.CompletionList(is_incomplete=False, items=items)

    @server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(params: t.DocumentSymbolParams):
        uri = params.text_document.uri
        program = last_good.get(uri)
        if program is None:
            return []
        lines = server.workspace.get_text_document(uri).source.split("\n")
        kinds = {"章": t.SymbolKind.Namespace, "条": t.SymbolKind.Class, "款": t.SymbolKind.Method}

        def convert(entry):
            r = lsp_range(entry["span"], lines)
            return t.DocumentSymbol(name=entry["name"], kind=kinds[entry["kind"]], range=r, selection_range=r,
                                    children=[convert(c) for c in entry["children"]])
        return [convert(e) for e in outline(program, path_of(uri))]

    return server
