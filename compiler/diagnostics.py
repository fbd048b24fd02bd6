"""Diagnostics: the one way any pass reports a problem.

Every message is Chinese, has a stable code, a position (file, line, column)
and, where one can be known, a hint. Passes collect diagnostics in a
``Reporter`` and go on, so that a run shows every semantic error of a file.
"""

from __future__ import annotations

from typing import Iterable

import attrs

from compiler.escape import display_width, terminal


@attrs.frozen
class Span:
    """A region of a source file; lines and columns count from 1."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NOWHERE = Span("<无>", 1, 1, 1, 1)

# 严重程度
ERROR = "错误"
WARNING = "警告"


@attrs.frozen
class Diagnostic:
    """One finding about a file: its code, 错误 or 警告, a Chinese message and fix, and the span it points at."""
    code: str
    severity: str
    message: str
    span: Span
    hint: str | None = None

    def to_json(self) -> dict:
        """The diagnostic with English keys, as polc check --format json prints it."""
        return {
            "code": self.code,
            "severity": "error" if self.severity == ERROR else "warning",
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
        }


class PolcError(Exception):
    """The one exception polc lets out: it carries the diagnostics."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(f"{d.span}: {d.code} {d.message}" for d in self.diagnostics))


@attrs.define
class Reporter:
    """Collects diagnostics for one run."""

    diagnostics: list[Diagnostic] = attrs.field(factory=list)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, ERROR, message, span, hint))

    def warn(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, WARNING, message, span, hint))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code))


def render(diagnostic: Diagnostic, lines: list[str] | None) -> str:
    """Render a diagnostic with its source line and a caret placed by display width.

    Control characters in the line, the file name, the message or the hint are shown escaped
    (``\\x1b``), never sent to the terminal; the caret counts the escaped form.
    """
    d = diagnostic
    out = [terminal(f"{d.span}: {d.severity}[{d.code}] {d.message}")]
    if lines is not None and 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1].replace("\t", " ")
        col = max(1, min(d.span.column, len(text) + 1))
        if d.span.end_line == d.span.line:
            length = max(1, min(d.span.end_column, len(text) + 1) - col)
        else:
            length = max(1, len(text) + 1 - col)
        shown = text if len(text) <= 200 else text[max(0, col - 80): col + 120]
        offset = col - 1 if len(text) <= 200 else col - 1 - max(0, col - 80)
        before, marked = terminal(shown[:offset]), terminal(shown[offset:offset + length])
        out.append(f"    {terminal(shown)}")
        caret = " " * display_width(before) + "^" * max(1, display_width(marked))
        out.append(f"    {caret}")
    if d.hint:
        out.append(terminal(f"    提示：{d.hint}"))
    return "\n".join(out)
