"""Shared helpers for the front-end tests: run the read → parse → build passes."""

from __future__ import annotations

import attrs

from compiler.syntax import builder

from compiler.syntax import nodes

from compiler.syntax import parser

from compiler.syntax import source
from compiler.diagnostics import Diagnostic, Reporter

HEADER = "政策「测试政策」\n"


@attrs.frozen
class Result:
    document: nodes.Document | None  # None when reading or parsing failed
    diagnostics: tuple[Diagnostic, ...]
    source: source.Source | None

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def only(self, code: str) -> Diagnostic:
        """The one diagnostic with ``code``; fails if there is none or more than one."""
        found = [d for d in self.diagnostics if d.code == code]
        assert len(found) == 1, f"expected one {code}, got {self.describe()}"
        return found[0]

    def describe(self) -> str:
        return "; ".join(f"{d.code}@{d.span.line}:{d.span.column} {d.message}" for d in self.diagnostics) or "none"


def run(text: str | bytes, path: str = "t.pol") -> Result:
    """source.decode → parser.parse → builder.build; only diagnostics may come out."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    src = source.decode(path, data)
    if isinstance(src, Diagnostic):
        return Result(None, (src,), None)
    tree = parser.parse(src)
    if isinstance(tree, Diagnostic):
        return Result(None, (tree,), src)
    reporter = Reporter()
    document = builder.build(tree, path, reporter)
    assert isinstance(document, nodes.Document)
    return Result(document, tuple(reporter.sorted()), src)


def diagnostics(text: str | bytes) -> list[Diagnostic]:
    return list(run(text).diagnostics)


def check_outcome(result: Result) -> None:
    """What every run must satisfy: a Document or diagnostics, with sane positions."""
    if result.document is None:
        assert result.diagnostics, "no document and no diagnostic"
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.code[0] in "EW" and d.code[1:].isdigit(), d.code
        assert d.span.line >= 1 and d.span.column >= 1, d
        if result.source is not None:
            assert d.span.line <= len(result.source.lines), d
            assert d.span.column <= len(result.source.lines[d.span.line - 1]) + 1, d
            assert (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column), d
