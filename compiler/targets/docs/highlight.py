"""A Pygments lexer for .pol files, built from the keyword table.

The words come from ``compiler/syntax/keywords.py`` (``KEYWORDS``, ``BOUNDARY_WORDS``),
so the highlighter cannot drift from the grammar. Registered under the name
``pol`` through the ``pygments.lexers`` entry point, so ```` ```pol ```` blocks
in the documentation site are highlighted.

Because every name is written in 「」, a keyword found outside 「」 is a keyword:
the lexer matches quoted names first and keywords only between them.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

from compiler.syntax.keywords import BOUNDARY_WORDS, COUNT_UNITS, KEYWORDS

# Keyword groups of the table → token types.
_GROUP_TOKEN = {
    "声明": Keyword.Declaration,
    "类型": Keyword.Type,
    "子句": Keyword,
    "给予": Keyword,
    "频次": Keyword,
    "评定": Keyword,
    "条件": Operator.Word,
    "组合": Keyword,
    "细则": Keyword,
    "案例": Keyword.Namespace,
}
# Words whose meaning is a value or an outcome rather than a construct.
_CONSTANT_TERMINALS = {"TRUE", "FALSE", "STATUS", "ONCE", "YEARLY"}
# Keywords whose 「…」 is quoted text (official wording, notes, descriptions), not a name.
_TEXT_TERMINALS = {"QUOTE", "NOTE", "DESC"}

_NUM = r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿点]+)"
_UNITS = "|".join(sorted((re.escape(u) for u in COUNT_UNITS), key=len, reverse=True))


def _token_words() -> list[tuple[tuple[str, ...], object]]:
    """(words, token) pairs, every word of the table exactly once."""
    seen: set[str] = set()
    out = []
    for kw in KEYWORDS:
        token = Keyword.Constant if kw.terminal in _CONSTANT_TERMINALS else _GROUP_TOKEN.get(kw.group, Keyword)
        ws = tuple(w for w in kw.words if w not in seen)
        seen.update(ws)
        if ws:
            out.append((ws, token))
    bounds = tuple(w for w in BOUNDARY_WORDS if w not in seen)
    out.append((bounds, Operator.Word))
    return out


def _longest_first(pairs):
    """One rule per word, longest words first, so 年度上限 wins over 年度 and 上限."""
    flat = [(w, token) for ws, token in pairs for w in ws]
    flat.sort(key=lambda p: (-len(p[0]), p[0]))
    return [(words((w,)), token) for w, token in flat]


def _text_keywords() -> str:
    ws = [w for kw in KEYWORDS if kw.terminal in _TEXT_TERMINALS for w in kw.words]
    return "|".join(sorted((re.escape(w) for w in ws), key=len, reverse=True))


class PolLexer(RegexLexer):
    """polc 政策语言（.pol）."""

    name = "Pol"
    aliases = ["pol", "polc"]
    filenames = ["*.pol"]
    mimetypes = ["text/x-pol"]
    flags = re.UNICODE

    tokens = {
        "root": [
            (r"[ \t\f\r\n\u3000\u00a0\ufeff]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            # 原文「…」 备注「…」 说明「…」: quoted text, not a name
            (rf"({_text_keywords()})(\s*)(「[^」]*」)", bygroups(Keyword.Declaration, Whitespace, String)),
            (r"「[^」]*」", Name.Variable),
            *_longest_first(_token_words()),
            (r"(附则)?第([0-9]+|[零〇一二两三四五六七八九十百]+)条", Name.Label),
            (r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日|[0-9]{4}年度", Number.Other),
            (rf"第{_NUM}至{_NUM}(?:{_UNITS})", Number),
            (rf"{_NUM}[十百千万亿]*(?:美元|元)", Number),
            (rf"[0-9]+(?:\.[0-9]+)?[%‰]|百分之{_NUM}|千分之{_NUM}|{_NUM}个基点", Number),
            (rf"[0-9]+(?:\.[0-9]+)?:[0-9]+(?:\.[0-9]+)?|{_NUM}倍", Number),
            (rf"{_NUM}(?:个月|年)(?!度)", Number),
            (rf"{_NUM}[十百千万]*(?:{_UNITS})(?!月)", Number),
            (r"[0-9]+(?:\.[0-9]+)?", Number),
            (rf"美元|元|{_UNITS}", Keyword.Type),  # currencies and units in types: 金额（美元）, 数量（家）
            (r"[+\-*×÷/=>＋－＊／＝＞]", Operator),
            (r"[:,、;。(){}：，；（）｛｝]", Punctuation),
            (r".", Text),
        ],
    }
