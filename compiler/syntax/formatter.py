"""The formatter: one layout for a .pol file, worked out from the parse tree.

Nothing here lists the language's constructs. The layout follows from the tree
that the grammar gives, so a new keyword or rule needs no change here:

- every top-level statement starts a line at column 0;
- a subtree that the author began on a new line stays on its own line, indented
  two spaces per enclosing subtree that also begins a line (款 under 条, 条件
  under 款); any other token the author put at a line start is a continuation
  line, two spaces deeper than its subtree;
- all other line breaks inside a statement are joined; between two tokens on a
  line there is one space, or none where the author wrote them together (「名称」
  next to a word, 试行一年) and always none next to a separator;
- runs of blank lines become one; no trailing whitespace; one final newline.

Every token, comment and 「」 is copied from the file as written (full-width
punctuation included), so quotes, 备注 and comments survive byte for byte. The
result is parsed again and its tokens compared with the original's; if joining
two tokens would have changed how they lex, the spaces are kept there.
"""

from __future__ import annotations

import functools

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from compiler.diagnostics import Diagnostic
from compiler.syntax.parser import _syntax_diagnostic, grammar_text
from compiler.syntax.keywords import KEYWORDS
from compiler.syntax.source import Source, decode

KEYWORD_TERMINALS = {kw.terminal for kw in KEYWORDS}

# Tokens that take no space on the side facing their neighbour.
_NO_SPACE_AFTER = {"_SEP", "_LPAR", "_RPAR", "_LBRACE", "_COLON", "_EQUALS", "_GT"}
_NO_SPACE_BEFORE = {"_SEP", "_LPAR", "_RPAR", "_RBRACE", "_COLON", "_EQUALS", "_GT"}
INDENT = "  "
MAX_ATTEMPTS = 8  # layouts tried, one more kept space each, before spacing every token apart


@attrs.frozen
class Comment:
    """Where a # comment runs in the normalized text, so the layout copies it back as written."""
    start: int
    end: int


@functools.cache
def _full_parser() -> Lark:
    """The language's grammar, keeping every token (separators and punctuation too)."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, keep_all_tokens=True)


def _parse(source: Source) -> tuple[Tree, list[Comment]]:
    return _full_parser().parse(source.normalized), _comment_positions(source.normalized)


def _comment_positions(text: str) -> list[Comment]:
    """Where each comment is: # outside 「」 runs to the end of its line (as the lexer reads it)."""
    found = []
    in_name = False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_name:
            in_name = ch != "」"
        elif ch == "「":
            in_name = True
        elif ch == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            found.append(Comment(i, end))
            i = end
            continue
        i += 1
    return found


def _tokens(tree: Tree) -> list[Token]:
    return list(tree.scan_values(lambda v: isinstance(v, Token)))


def _starts_line(text: str, pos: int) -> bool:
    """Whether only whitespace stands between the start of the line and ``pos``."""
    line_start = text.rfind("\n", 0, pos) + 1
    return text[line_start:pos].strip(" \t\f\r\u3000\u00a0\ufeff") == ""


def _blank_line_between(text: str, start: int, end: int) -> bool:
    """Whether the text between two positions holds an empty line."""
    between = text[start:end]
    lines = between.split("\n")
    return any(not line.strip() for line in lines[1:-1])


def _keyword_led(node) -> Token | None:
    """The first token of a subtree when it is a keyword (a clause such as 条件…, 给予…), else None."""
    if not isinstance(node, Tree):
        return None
    tokens = _tokens(node)
    return tokens[0] if tokens and tokens[0].type in KEYWORD_TERMINALS else None


def _levels(tree: Tree, text: str) -> tuple[dict[int, int], set[int]]:
    """Indent level for each token (by start position) that may begin an output line, and the
    positions of the tokens that do.

    A subtree begins a line where its author began one; and once one keyword-led subtree of a node
    (a clause of a 款, a part of a 案例) has a line of its own, each of its keyword-led siblings
    not written after punctuation gets one too, so a block is on one line or one clause per line.
    """
    levels: dict[int, int] = {}
    breaks: set[int] = set()

    def visit(node: Tree, level: int, parent_first: Token | None, top: bool, forced: bool) -> None:
        tokens = _tokens(node)
        if not tokens:
            return
        first = tokens[0]
        if not top and parent_first is not None and first.start_pos != parent_first.start_pos \
                and (forced or _starts_line(text, first.start_pos)):
            level += 1
            breaks.add(first.start_pos)
        levels.setdefault(first.start_pos, level)
        # A subtree after punctuation (the type after “：”, an option after “，”) continues its line.
        led = [(child, None if i and isinstance(node.children[i - 1], Token)
                and node.children[i - 1].type.startswith("_") else _keyword_led(child))
               for i, child in enumerate(node.children)]
        broken = any(head is not None and head.start_pos != first.start_pos and _starts_line(text, head.start_pos)
                     for _, head in led)
        for child, head in led:
            if isinstance(child, Tree):
                visit(child, level, first, False, broken and head is not None)
            elif child.start_pos != first.start_pos and _starts_line(text, child.start_pos):
                levels.setdefault(child.start_pos, level + 1)
                breaks.add(child.start_pos)

    for statement in tree.children:
        if isinstance(statement, Tree):
            visit(statement, 0, None, True, False)
        else:  # a statement rule inlined down to one token
            levels[statement.start_pos] = 0
    return levels, breaks


def _statement_starts(tree: Tree) -> set[int]:
    starts = set()
    for statement in tree.children:
        tokens = _tokens(statement) if isinstance(statement, Tree) else [statement]
        if tokens:
            starts.add(tokens[0].start_pos)
    return starts


def _gap(left: Token, right: Token, careful: set[int]) -> str:
    """The space between two tokens on one output line: the author's choice of none or some, as one."""
    if right.start_pos in careful:
        return " "
    if left.type in _NO_SPACE_AFTER or right.type in _NO_SPACE_BEFORE:
        return ""
    return "" if left.end_pos == right.start_pos else " "


def _layout(source: Source, tree: Tree, comments: list[Comment], careful: set[int]) -> str:
    text = source.normalized
    written = source.text  # the same positions: folding is one character for one
    tokens = _tokens(tree)
    levels, breaks = _levels(tree, text)
    statements = _statement_starts(tree)
    # Tokens and comments in file order.
    events: list[tuple[int, int, Token | Comment]] = [(t.start_pos, t.end_pos, t) for t in tokens]
    events += [(c.start, c.end, c) for c in comments]
    events.sort(key=lambda e: e[0])

    out: list[str] = []
    line: list[str] = []
    current_level = 0
    previous: Token | None = None  # the last token on the current output line
    previous_end = 0  # where the last emitted thing ended in the original

    def end_line() -> None:
        nonlocal line, previous
        if line:
            out.append("".join(line).rstrip())
        line = []
        previous = None

    def start_line(level: int, at: int) -> None:
        nonlocal current_level
        end_line()
        if out and _blank_line_between(text, previous_end, at) and out[-1] != "":
            out.append("")
        current_level = level
        line.append(INDENT * level)

    next_token: list[int | None] = [None] * len(events)
    upcoming = None
    for i in range(len(events) - 1, -1, -1):
        next_token[i] = upcoming
        if isinstance(events[i][2], Token):
            upcoming = events[i][0]

    for index, (start, end, item) in enumerate(events):
        if isinstance(item, Comment):
            if line and not _starts_line(text, start):
                line.append(" " + written[start:end])
            else:
                level = current_level
                following = next_token[index]
                if following is None or following in statements:
                    level = 0
                elif following in levels:
                    level = levels[following]
                start_line(level, start)
                line.append(written[start:end])
            end_line()
            previous_end = end
            continue
        token = item
        if start in statements:
            start_line(0, start)
        elif not line or start in breaks:
            start_line(levels.get(start, current_level + 1), start)
        elif previous is not None:
            line.append(_gap(previous, token, careful))
        line.append(written[start:end])
        previous = token
        previous_end = end
    end_line()
    while out and out[0] == "":
        out.pop(0)
    return "\n".join(out) + "\n" if out else ""


def _signature(tree: Tree) -> list[tuple[str, str]]:
    return [(t.type, str(t)) for t in _tokens(tree)]


def format_source(source: Source) -> str | Diagnostic:
    """The canonical layout of ``source``, or the diagnostic that stops it."""
    try:
        return _format(source)
    except RecursionError:
        from compiler.diagnostics import ERROR, Span
        return Diagnostic("E110", ERROR, "文件结构嵌套过深，无法排版", Span(source.path, 1, 1, 1, 1), "拆分过深的条件或算式")


def _format(source: Source) -> str | Diagnostic:
    try:
        tree, comments = _parse(source)
    except UnexpectedInput as exc:
        return _syntax_diagnostic(source, exc)
    want = _signature(tree)
    careful: set[int] = set()
    tokens = _tokens(tree)
    for attempt in range(MAX_ATTEMPTS + 1):
        if attempt == MAX_ATTEMPTS:  # many places would merge: keep a space between every two tokens
            careful = {right.start_pos for left, right in zip(tokens, tokens[1:]) if left.end_pos != right.start_pos}
        result = _layout(source, tree, comments, careful)
        again = decode(source.path, result.encode("utf-8"), max_bytes=len(result.encode("utf-8")) + 1)
        try:
            got_tree = _full_parser().parse(again.normalized)
        except UnexpectedInput as exc:
            got_tree, moved = None, exc
        if got_tree is not None and _signature(got_tree) == want:
            return result
        # Keep a space before the first token that lexed differently, then try again.
        got = _signature(got_tree) if got_tree is not None else []
        index = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        if got_tree is None:
            index = _index_at(tree, again, moved)
        index = min(index, len(tokens) - 1)
        if tokens[index].start_pos in careful:
            index = next((i for i in range(index, -1, -1) if tokens[i].start_pos not in careful), None)
            if index is None:
                break
        careful.add(tokens[index].start_pos)
    # No layout kept the tokens (not seen on any policy): leave the text as written.
    return source.text if source.text.endswith("\n") else source.text + "\n"


def _index_at(tree: Tree, formatted: Source, exc: UnexpectedInput) -> int:
    """Which original token the formatted text stopped parsing at (tokens keep their order)."""
    pos = getattr(exc, "pos_in_stream", None)
    if pos is None and getattr(exc, "token", None) is not None:
        pos = exc.token.start_pos
    if pos is None:
        return len(_tokens(tree)) - 1
    # Count the tokens that lexed before ``pos`` in the formatted text.
    text = formatted.normalized[:pos]
    count = 0
    for token in _tokens(tree):
        if str(token) and text.find(str(token)) >= 0:
            count += 1
            text = text[text.find(str(token)) + len(str(token)):]
        else:
            break
    return max(0, count)


def format_text(text: str, path: str = "<文本>") -> str | Diagnostic:
    """The canonical layout of .pol text held in memory rather than in a file, or the diagnostic that stops it."""
    source = decode(path, text.encode("utf-8"), max_bytes=len(text.encode("utf-8")) + 1)
    if isinstance(source, Diagnostic):
        return source
    return format_source(source)
