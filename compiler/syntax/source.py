"""Reading source files: bytes to text, and one convention for lines.

Every pass sees text prepared here: BOM stripped, newlines unified, and
full-width ASCII forms outside 「」 folded to ASCII one character for one
character, so positions still point into what the drafter wrote.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from compiler.diagnostics import Diagnostic, ERROR, Span, render
from compiler.escape import terminal
from compiler.files import ReadRefused, read_bounded

MAX_BYTES = 2_000_000  # a real policy is tens of kilobytes


@attrs.frozen
class Source:
    """A file's text read once: as written for display, and normalized for the lexer, with the same positions."""
    path: str
    text: str  # as written, newlines unified
    normalized: str  # full-width ASCII folded outside 「」
    lines: tuple[str, ...]


def split_lines(text: str) -> list[str]:
    """The one line-splitting rule for positions and error display."""
    return text.split("\n")


def _unify_newlines(text: str) -> str:
    return (text.replace("\r\n", "\n").replace("\r", "\n")
            .replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n"))


def fold_width(text: str) -> str:
    """Map full-width ASCII forms (Ａ, ：, （) to ASCII outside 「」, one char for one.

    Names are found exactly as the lexer finds them: 「 opens a name, the first 」
    closes it (a 「 inside a name does not nest), and outside a name # starts a
    comment that runs to the end of the line, where 「 opens nothing.
    """
    out = []
    in_name = in_comment = False
    for ch in text:
        if in_name:
            in_name = ch != "」"
        elif in_comment:
            in_comment = ch != "\n"
        elif ch == "「":
            in_name = True
        else:
            code = ord(ch)
            if 0xFF01 <= code <= 0xFF5E:
                ch = chr(code - 0xFEE0)
            elif ch == "\u3000":
                ch = " "
            elif ch in "“”":
                ch = '"'
            in_comment = ch == "#"
        out.append(ch)
    return "".join(out)


def keyword_span(source: Source, keyword: str) -> Span | None:
    """Where ``keyword`` is first written as a keyword (outside 「」 and comments), or None.

    For diagnostics about a file header statement (原文文件, 扩展), whose position the tree keeps only
    as the document's.
    """
    text = source.normalized
    in_name = in_comment = False
    for i, ch in enumerate(text):
        if in_name:
            in_name = ch != "」"
        elif in_comment:
            in_comment = ch != "\n"
        elif ch == "「":
            in_name = True
        elif ch == "#":
            in_comment = True
        elif text.startswith(keyword, i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            line = text.count("\n", 0, i) + 1
            column = i - (text.rfind("\n", 0, i) + 1) + 1
            return Span(source.path, line, column, line, column + (end - i))
    return None


def _position(data: bytes, index: int) -> tuple[int, int]:
    """Line and column of byte ``index``, counted as for decoded text (BOM, newlines)."""
    before = data[:index].decode("utf-8", "replace")
    if before.startswith("\ufeff"):
        before = before[1:]
    lines = split_lines(_unify_newlines(before))
    return len(lines), len(lines[-1]) + 1


def decode(path: str, data: bytes, max_bytes: int = MAX_BYTES) -> Source | Diagnostic:
    """Turn raw bytes into a Source, or a diagnostic saying why it cannot be read."""
    if len(data) > max_bytes:
        return Diagnostic("E001", ERROR, f"文件过大（{len(data):,} 字节），上限为 {max_bytes:,} 字节",
                          Span(path, 1, 1, 1, 1), "一份政策通常只有几十 KB；请检查是否选错了文件")
    if b"\x00" in data:
        line, col = _position(data, data.index(b"\x00"))
        return Diagnostic("E002", ERROR, "这是二进制文件，不是 .pol 文本", Span(path, line, col, line, col + 1),
                          "请用 UTF-8 编码的文本文件")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        return Diagnostic("E003", ERROR, f"不是有效的 UTF-8 编码（第 {exc.start + 1} 字节）",
                          Span(path, line, col, line, col + 1), "请把文件另存为 UTF-8 编码")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = _unify_newlines(text)
    return Source(path, text, fold_width(text), tuple(split_lines(text)))


def read_source(path: str | Path, max_bytes: int = MAX_BYTES) -> Source | Diagnostic:
    """Read a .pol file within the size limit; every reason it cannot be read becomes a diagnostic naming the file."""
    path = Path(path)
    try:
        data = read_bounded(path, max_bytes)
    except FileNotFoundError:
        return Diagnostic("E004", ERROR, f"找不到文件「{path}」", Span(str(path), 1, 1, 1, 1))
    except IsADirectoryError:
        return Diagnostic("E004", ERROR, f"「{path}」是目录，不是文件", Span(str(path), 1, 1, 1, 1))
    except ReadRefused as exc:
        if exc.too_large:
            return Diagnostic("E001", ERROR, str(exc), Span(str(path), 1, 1, 1, 1),
                              "一份政策通常只有几十 KB；请检查是否选错了文件")
        return Diagnostic("E004", ERROR, str(exc), Span(str(path), 1, 1, 1, 1), "请指向一个文本文件")
    except OSError as exc:
        return Diagnostic("E004", ERROR, f"无法读取文件「{path}」：{exc.strerror or exc}", Span(str(path), 1, 1, 1, 1))
    return decode(str(path), data, max_bytes)


def print_diagnostics(result, out, style=None) -> None:
    """Every diagnostic of a check result, with the lines of source it points at; ``style`` may
    dress the severity word (错误, 警告), as the command line does in colour on a terminal."""
    sources = dict(result.program.sources) if result.program else {}
    for d in result.diagnostics:
        if d.span.file not in sources:  # a file that did not load: read it again to show its lines
            src = read_source(d.span.file)
            sources[d.span.file] = src if isinstance(src, Source) else None
        src = sources[d.span.file]
        text = render(d, list(src.lines) if src else None)
        prefix = terminal(f"{d.span}: ")
        if style is not None and text.startswith(prefix + d.severity):
            text = prefix + style(d.severity) + text[len(prefix) + len(d.severity):]
        print(text, file=out)
