"""Parse pass: text to a lark tree, or diagnostics for the first syntax error.

The grammar file holds the structure; the keyword terminals are generated
from ``keywords.py`` and appended, so the keyword table stays the one source.
"""

from __future__ import annotations

import difflib
import functools
import re
from importlib import resources

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from compiler.diagnostics import Diagnostic, ERROR, Span
from compiler.syntax.keywords import BOUNDARY_WORDS, COUNT_UNITS, KEYWORDS, POSTFIX_BOUNDS, PREFIX_BOUNDS, all_words
from compiler.syntax.source import Source


def _alternatives(words) -> str:
    return " | ".join(f'"{w}"' for w in sorted(words, key=lambda w: (-len(w), w)))


def grammar_text() -> str:
    """The full grammar: grammar/polc.lark plus terminals made from the keyword table."""
    base = resources.files("compiler.grammar").joinpath("polc.lark").read_text(encoding="utf-8")
    units = "|".join(sorted(COUNT_UNITS, key=len, reverse=True))
    base = base.replace("@UNITS@", units)
    lines = [base, "", "// ---- 由 compiler/syntax/keywords.py 生成的关键字终结符 ----"]
    for kw in KEYWORDS:
        lines.append(f"{kw.terminal}.3: {_alternatives(kw.words)}")
    postfix = [w for w in BOUNDARY_WORDS if w.lstrip("(（") != w or w in POSTFIX_BOUNDS]
    postfix = sorted({w.replace("（", "(").replace("）", ")") for w in postfix})
    lines.append(f"PREFIX_BOUND.3: {_alternatives(PREFIX_BOUNDS)}")
    lines.append(f"POSTFIX_BOUND.3: {_alternatives(postfix)}")
    return "\n".join(lines) + "\n"


@functools.cache
def lark_parser() -> Lark:
    """The LALR parser, built once per process (and cached on disk by lark) because building it is slow."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, cache=True)


# 给人看的终结符名称
_READABLE = {
    "NAME": "「名称」", "MONEY": "金额（如 200万元）", "PERCENT": "比例（如 10%）", "PERMILLE": "千分比（如 5‰）",
    "BPS": "基点（如 30个基点）", "RATIO_PAIR": "配套比（如 1:1）", "MULTIPLE": "倍数（如 1.5倍）", "DISCOUNT": "折扣（如 7折、八五折）",
    "COUNT": "数量（如 50场）", "NUMBER": "数字", "DATE": "日期（如 2024-10-14）", "YEAR_LIT": "年度（如 2025年度）",
    "DURATION": "期限（如 一年）", "ARTICLE_NO": "条号（如 第8条）", "ORDINAL_RANGE": "序数范围（如 第1至3发）",
    "CURRENCY": "币种（元 或 美元）", "UNIT": "计数单位", "_COLON": "“：”", "_EQUALS": "“＝”", "_GT": "“>”",
    "_LPAR": "“（”", "_RPAR": "“）”", "_LBRACE": "“{”", "_RBRACE": "“}”", "_SEP": "“，”", "PLUS": "“+”",
    "MINUS": "“-”", "TIMES": "“×”", "DIVIDE": "“÷”", "PREFIX_BOUND": "边界词（如 不低于）",
    "POSTFIX_BOUND": "边界词（如 以上）", "$END": "文件结束",
}
_READABLE.update({kw.terminal: "“" + "”或“".join(kw.words) + "”" for kw in KEYWORDS})


_MEANING = {kw.terminal: kw.meaning for kw in KEYWORDS}


def readable(terminal: str) -> str:
    """How a grammar terminal is named to a drafter in a syntax error (NAME → 「名称」)."""
    return _READABLE.get(terminal, terminal)


def _expected(names) -> str:
    shown = sorted({readable(n) for n in names if not n.startswith("__ANON")})
    return "、".join(shown)  # all of them: a drafter should not have to guess the rest


def _near_keywords(fragment: str) -> list[str]:
    """The reserved words closest to ``fragment``; all of them when several tie
    (不底于 is as close to 不低于 as to 不高于, and picking one would be a coin toss)."""
    candidates = [w for w in all_words() if len(w) >= 2]
    for size in (4, 3, 2):
        part = fragment[:size]
        scored = [(difflib.SequenceMatcher(None, part, w).ratio(), w) for w in candidates]
        best = max(score for score, _ in scored)
        if best >= 0.6:
            return sorted(w for score, w in scored if score == best)[:3]
    return []


def _accepted_before(text: str, pos: int) -> set | None:
    """The terminals the parser accepts at ``pos``, read from the parser state the text before it leaves.

    The lexer's own list is too wide: it names every keyword it could match anywhere.
    """
    try:
        interactive = lark_parser().parse_interactive(text[:pos])
        interactive.exhaust_lexer()
        return {t for t in interactive.accepts() if t != "$END"} or None
    except Exception:  # noqa: BLE001 - only a better message is lost; the error itself is reported anyway
        return None


def _unknown_word_hint(text: str, allowed) -> str:
    """What to do about a word the language does not know.

    Where only a name may come, it is a name missing its 「」. Elsewhere it is a word the language
    does not have (早于, 之内): say so, suggest the nearest keywords, and mention 「」 only as the
    other possibility where a name may also come.
    """
    m = re.match(r"[\u3400-\u9fff]+", text)
    word = m.group(0)[:6] if m else text[:1]
    keywords = {a for a in allowed if not a.startswith("__ANON") and a != "NAME"}
    if "NAME" in allowed and not keywords - {"_LPAR", "_SEP", "_COLON"}:
        return f"名称要写在「」中，如「{word}」"
    near = _near_keywords(text)
    hint = f"“{word}”不是本语言的关键字，这里应写上面所列之一"
    if near:
        hint += f"；是不是想写“{'”或“'.join(near)}”？"
    if "NAME" in allowed:
        hint += f"；若“{word}”是名称，写成「{word}」"
    return hint


def _syntax_diagnostic(source: Source, exc: UnexpectedInput) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        line = len(source.lines)
        column = len(source.lines[-1]) + 1 if source.lines else 1
    line = max(1, min(line, len(source.lines) or 1))
    span = Span(source.path, line, column, line, column + 1)
    if isinstance(exc, UnexpectedCharacters):
        exc.allowed = _accepted_before(source.normalized, exc.pos_in_stream) or exc.allowed
        fragment = source.normalized[exc.pos_in_stream:exc.pos_in_stream + 6].split("\n")[0]
        ch = fragment[:1]
        if ch == "「" or (ch and source.normalized.count("「") != source.normalized.count("」")):
            hint = "「」没有配对：每个名称和原文都要用「」括起来"
        else:
            hint = _unknown_word_hint(source.normalized[exc.pos_in_stream:exc.pos_in_stream + 12], exc.allowed)
        word = re.match(r"[\u3400-\u9fff]+", fragment)  # the unknown word alone, not what follows it
        shown = word.group(0) if word else fragment
        return Diagnostic("E100", ERROR, f"无法识别的文字“{shown}”，这里应当是{_expected(exc.allowed)}",
                          span, hint)
    if isinstance(exc, UnexpectedToken):
        token: Token = exc.token
        if token.type == "$END":
            return Diagnostic("E102", ERROR, f"文件意外结束，这里应当是{_expected(exc.expected)}", span)
        end = Span(source.path, line, column, token.end_line or line, token.end_column or column + 1)
        hint = None
        prefix = source.normalized.split("\n")[line - 1][:column - 1] if line <= len(source.lines) else ""
        if prefix.count("「") > prefix.count("」"):
            hint = "「」中不能再套「」：引文或备注里的名称请改用『』或“”"
        elif token.type in ("MONEY", "COUNT", "NUMBER", "PERCENT") and "PREFIX_BOUND" in exc.expected:
            hint = "数值前后要写边界词，如“不低于”“以上”"
        elif "_COLON" in exc.expected and len(exc.expected) <= 2:
            hint = "名称后面要写“：”再写类型，如 参数「比例」：比例，待定"
        elif token.type == "POSTFIX_BOUND" and "PREFIX_BOUND" in exc.expected:
            hint = (f"“{token}”写在数值之后，如 「成立日期」 2024-01-01 {token}、「营业收入」 1亿元以上；"
                    "写在数值之前的是“不低于”“超过”“低于”等")
        elif token.type == "PREFIX_BOUND" and "POSTFIX_BOUND" in exc.expected:
            hint = f"“{token}”写在数值之前，如 「营业收入」 {token} 1亿元；写在数值之后的是“以上”“以下”等"
        elif "POSTFIX_BOUND" in exc.expected:
            hint = "比较时要写边界词：数值后写“以上”“以下”，或在数值前写“不低于”“超过”等"
        elif token.type in _MEANING:
            hint = f"“{token}”是本语言的关键字（{_MEANING[token.type]}），不能写在这里；这里应写上面所列之一"
            if "NAME" in exc.expected:
                hint += f"；若“{token}”是名称，写成「{token}」"
        return Diagnostic("E101", ERROR, f"这里不应出现“{token}”，应当是{_expected(exc.expected)}",
                          end, hint)
    return Diagnostic("E101", ERROR, f"语法错误：{exc}", span)


def parse(source: Source) -> Tree | Diagnostic:
    """The parse tree of the normalized text, or one Chinese diagnostic for the first syntax error."""
    try:
        return lark_parser().parse(source.normalized)
    except UnexpectedInput as exc:
        return _syntax_diagnostic(source, exc)


MAX_SYNTAX_ERRORS = 10

# Lines where a top-level statement begins: after a syntax error, parsing starts again at the next one.
_STATEMENT_START = re.compile(
    r"[ \t]*(?:(?:附则)?第[0-9零〇一二两三四五六七八九十百]+条|参数|案例|章|附则|互斥|总额上限|项目字段|字段|度量|等级|认定|单位"
    r"|设定|补充条件)")


def later_syntax_errors(source: Source, first: Diagnostic) -> list[Diagnostic]:
    """Syntax errors after the first: each search resumes at the next line that begins a statement.

    An error inside an article skips the rest of that article, so one mistake gives one message.
    """
    lines = source.normalized.split("\n")
    found: list[Diagnostic] = []
    after = first.span.line
    while len(found) < MAX_SYNTAX_ERRORS - 1:
        start = next((i for i in range(after, len(lines)) if _STATEMENT_START.match(lines[i])), None)
        if start is None:
            break
        chunk = "\n" * start + "\n".join(lines[start:])  # the same line numbers as the file
        try:
            lark_parser().parse(chunk)
            break
        except UnexpectedInput as exc:
            diagnostic = _syntax_diagnostic(attrs.evolve(source, normalized=chunk), exc)
        if diagnostic.span.line <= after:
            break
        found.append(diagnostic)
        after = diagnostic.span.line
    return found
