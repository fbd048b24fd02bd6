"""Coverage: how much of the source's operative text the rules quote.

Characters are counted with whitespace removed; a quote covers every place
it occurs. The uncovered stretches are returned so drafters see what no
rule encodes yet; stretches too short to name (numbering, punctuation between
two quotes) are not operative text and count neither way, so coverage is
below 100% exactly when some stretch is listed.

The work is linear in the size of the text and of the quotes: the text is
indexed once by the opening characters of the quotes (see ``occurrences``),
instead of being searched once per quote.
"""

from __future__ import annotations

import re
from collections import defaultdict

import attrs

from compiler.syntax import nodes as n
from compiler.semantics.program import Program

ANCHOR = 6  # characters of a quote's opening used to index the text


@attrs.frozen
class Coverage:
    """How much of the operative text the quotes cover, and the stretches no rule quotes yet."""
    ratio: float  # share of operative characters quoted, 0 to 1 (a report figure, not money)
    covered: int
    total: int
    uncovered: tuple[str, ...]
    uncovered_at: tuple[int, ...] = ()  # where each uncovered stretch starts, in the squeezed operative text
    limit: str | None = None  # set when the matching stopped at its work limit: the figures are partial
    open_items: tuple[str, ...] = ()  # labels of the 款 marked 待编码: quoted, but no rule written yet


class Budget:
    """Comparisons left for matching quotes; a repetitive text can make places match in bulk."""

    def __init__(self, steps: int):
        self.steps = steps
        self.exhausted = False

    def spend(self, steps: int = 1) -> bool:
        self.steps -= steps
        if self.steps < 0:
            self.exhausted = True
        return not self.exhausted


def occurrences(text: str, quotes, start: int = 0, budget: Budget | None = None) -> dict[str, list[int]]:
    """Every position at or after ``start`` where each quote occurs in ``text`` (overlapping
    places too), in increasing order.

    The text is indexed once by its windows of ``ANCHOR`` characters at every ``ANCHOR``-th
    position (only windows some quote contains are kept). An occurrence of a quote at least
    ``2 × ANCHOR - 1`` long covers one such window, so looking up the quote's first ``ANCHOR``
    windows (the rarest ``ANCHOR`` consecutive ones) gives every candidate place, each compared once. Short quotes (headings) are found by
    searching for each, or in one pass per length when there are many. The work is linear in the
    text and the quotes, plus one comparison per candidate; ``budget`` bounds the comparisons.
    """
    budget = budget or Budget(len(text) + 100_000)
    quotes = [q for q in dict.fromkeys(quotes) if q]
    found: dict[str, list[int]] = {q: [] for q in quotes}
    long = [q for q in quotes if len(q) >= 2 * ANCHOR - 1]
    short = [q for q in quotes if len(q) < 2 * ANCHOR - 1]
    wanted = {q[j:j + ANCHOR] for q in long for j in range(len(q) - ANCHOR + 1)}
    index: dict[str, list[int]] = defaultdict(list)
    first = start + (-start) % ANCHOR
    for pos in range(first, len(text) - ANCHOR + 1, ANCHOR):
        window = text[pos:pos + ANCHOR]
        if window in wanted:
            index[window].append(pos)
    for q in long:
        # the ANCHOR consecutive offsets whose windows occur least often in the index
        counts = [len(index.get(q[j:j + ANCHOR], ())) for j in range(len(q) - ANCHOR + 1)]
        run = sum(counts[:ANCHOR])
        best, best_run = 0, run
        for j0 in range(1, len(q) - 2 * ANCHOR + 2):
            run += counts[j0 + ANCHOR - 1] - counts[j0 - 1]
            if run < best_run:
                best, best_run = j0, run
        places = []
        for j in range(best, best + ANCHOR):
            for pos in index.get(q[j:j + ANCHOR], ()):
                if not budget.spend():
                    return found
                at = pos - j
                if at >= start and text.startswith(q, at):
                    places.append(at)
        found[q] = sorted(places)
    if len(short) <= 64:
        for q in short:
            pos = text.find(q, start)
            while pos >= 0:
                if not budget.spend():
                    return found
                found[q].append(pos)
                pos = text.find(q, pos + 1)
        return found
    by_length: dict[int, dict[str, str]] = defaultdict(dict)
    for q in short:
        by_length[len(q)][q] = q
    for width, table in sorted(by_length.items()):
        for pos in range(start, len(text) - width + 1):
            q = table.get(text[pos:pos + width])
            if q is not None:
                if not budget.spend():
                    return found
                found[q].append(pos)
    return found


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
    source = program.policy.source_file
    if source and source[1]:
        yield source[1]  # the heading the operative text starts from (自「…」起)


def coverage(program: Program, min_gap: int = 4) -> Coverage | None:
    """Coverage of the declared source text by the program's quotes; None when the policy declares no source."""
    if program.source_text is None:
        return None
    text = re.sub(r"\s+", "", program.source_text[program.operative_start:])
    squeezed = [re.sub(r"\s+", "", q) for q in _quotes(program)]
    budget = Budget(len(text) + 4 * len(squeezed) + 100_000)
    places = sorted((at, at + len(q)) for q, found in occurrences(text, squeezed, budget=budget).items()
                    for at in found)
    covered, total = 0, 0
    uncovered, uncovered_at = [], []
    gaps, end = [], 0
    for a, b in places:
        if a > end:
            gaps.append((end, a))
        if b > end:
            covered += b - max(a, end)
            end = b
    if end < len(text):
        gaps.append((end, len(text)))
    total = covered
    for a, b in gaps:
        piece = text[a:b]
        if len(re.sub(r"[\W_0-9]", "", piece)) >= min_gap:
            lead = re.match(r"\d+[.、]", piece)  # the number of the next paragraph is numbering
            a += lead.end() if lead else 0
            piece = re.sub(r"\d+[.、]$", "", piece[lead.end() if lead else 0:])
            uncovered.append(piece)
            uncovered_at.append(a)
            total += len(piece)
    limit = None
    if budget.exhausted:
        limit = ("原文与引文重复得过多，比较次数超过上限（原文的字数加引文条数的4倍，再加10万次），覆盖率只计算了一部分；"
                 "请检查原文文件是否正确，或缩短重复的引文")
    open_items = tuple(item.label for doc in program.documents() for item in doc.items() if item.unencoded)
    return Coverage(covered / total if total else 1.0, covered, total, tuple(uncovered), tuple(uncovered_at), limit,
                    open_items)
