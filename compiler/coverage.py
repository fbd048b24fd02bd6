"""Coverage: how much of the source's operative text the rules quote.

Characters are counted with whitespace removed; a quote covers every place
it occurs. The uncovered stretches are returned so drafters see what no
rule encodes yet.
"""

from __future__ import annotations

import re

import attrs

from . import nodes as n
from .program import Program


@attrs.frozen
class Coverage:
    ratio: float  # share of operative characters quoted, 0 to 1 (a report figure, not money)
    covered: int
    total: int
    uncovered: tuple[str, ...]


def _quotes(program: Program):
    for doc in program.documents():
        for name, _ in doc.chapters:  # a heading written verbatim counts as quoted
            yield name
        for a in doc.articles:
            if a.quote:
                yield a.quote.text
            for item in a.items:
                if item.quote:
                    yield item.quote.text


def coverage(program: Program, min_gap: int = 4) -> Coverage | None:
    if program.source_text is None:
        return None
    text = re.sub(r"\s+", "", program.source_text[program.operative_start:])
    marks = bytearray(len(text))
    for quote in _quotes(program):
        q = re.sub(r"\s+", "", quote)
        if not q:
            continue
        start = text.find(q)
        while start >= 0:
            marks[start:start + len(q)] = b"\x01" * len(q)
            start = text.find(q, start + 1)
    covered = sum(marks)
    uncovered = []
    i = 0
    while i < len(text):
        if not marks[i]:
            j = i
            while j < len(text) and not marks[j]:
                j += 1
            piece = text[i:j]
            if len(re.sub(r"[\W_0-9]", "", piece)) >= min_gap:
                uncovered.append(piece)
            i = j
        else:
            i += 1
    total = len(text)
    return Coverage(covered / total if total else 1.0, covered, total, tuple(uncovered))
