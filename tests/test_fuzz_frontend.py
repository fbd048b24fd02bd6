"""Fuzzing the front end: grammar-generated programs, random text and bytes, and
mutated valid programs. Whatever goes in, only a Document or diagnostics may
come out of read → parse → build: never an exception."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark, Token

from compiler.syntax import parser
from compiler.diagnostics import render
from compiler.syntax.keywords import all_words

from frontend_util import HEADER, check_outcome, run

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = (Path(__file__).parent / "data" / "valid_frontend.pol").read_text(encoding="utf-8")


def must_not_raise(text: str | bytes):
    result = run(text)
    check_outcome(result)
    if result.source is not None:
        for d in result.diagnostics:
            render(d, list(result.source.lines))  # showing a diagnostic must not fail either
    return result


def test_the_seed_program_is_valid():
    result = run(VALID)
    assert result.diagnostics == (), result.describe()
    assert len(list(result.document.items())) == 3


# ---- (a) programs generated from the grammar ----

@functools.cache
def grammar() -> Lark:
    # ``parser.lark_parser()`` is built with cache=True; a Lark loaded from the cache
    # has no ``.grammar``, which from_lark needs, so build an uncached twin here.
    options = parser.lark_parser().options
    return Lark(parser.grammar_text(), parser=options.parser, lexer=options.lexer, propagate_positions=True,
                maybe_placeholders=False)


# Names: 「」 around short text without 」, drawn mostly from characters that also
# spell keywords, so that names containing keywords are generated often.
NAME_CHARS = "以上海市注册企业且或非不超过低于条件给予第条元万场家研发外资比例金额 12ab"
names = st.text(alphabet=NAME_CHARS, min_size=0, max_size=8).map(lambda s: f"「{s}」")


@functools.cache
def explicit_strategies() -> dict:
    lark = grammar()
    terminals, _, ignore = lark.grammar.compile(lark.options.start, ())
    present = {t.name for t in terminals}
    explicit = {}
    if "NAME" in present:
        explicit["NAME"] = names
    for name in ignore:
        if name == "COMMENT":  # a comment must end its line, or it swallows the next token
            explicit[name] = st.text(alphabet="注释 「」#：", max_size=6).map(lambda s: f"#{s}\n")
        else:  # the whitespace terminal
            explicit[name] = st.sampled_from([" ", "\n", "  ", "\t", "\u3000", "\n    ", "\r\n"])
    return explicit


@functools.cache
def programs(start: str | None = None):
    # cached: with an ``explicit`` dict from_lark cannot cache itself, and building
    # the strategy compiles the grammar again
    return from_lark(grammar(), start=start, explicit=explicit_strategies())


@settings(FUZZ, max_examples=300)
@given(st.data())
def test_grammar_generated_programs(data):
    must_not_raise(data.draw(programs()))


@pytest.mark.parametrize("start", ["article", "param", "case", "exclusive"])
@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_grammar_generated_statements_after_a_header(start, data):
    text = data.draw(programs(start))
    result = must_not_raise(HEADER + text + "\n")
    assert "E152" not in result.codes


def test_generated_programs_mostly_parse():
    """The generator must really produce programs, or (a) only tests the error path."""
    outcomes = []

    @settings(max_examples=100, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(programs("article"))
    def collect(text):
        outcomes.append(run(HEADER + text).document is not None)

    collect()
    assert sum(outcomes) >= 0.6 * len(outcomes)


# ---- (b) random text and bytes ----

@FUZZ
@given(st.text())
def test_random_text(text):
    must_not_raise(text)


@FUZZ
@given(st.text())
def test_random_text_after_a_header(text):
    must_not_raise(HEADER + text)


@FUZZ
@given(st.binary())
def test_random_bytes(data):
    must_not_raise(data)


LITERAL_SAMPLES = ["200万元", "1.5亿元", "二百万元", "万元", "10%", "百分之十", "5‰", "30个基点", "1:1", "1:0",
                   "50场", "两家", "一万万次", "2024-10-14", "2024-13-45", "2025年度", "一年", "3个月", "1.5倍",
                   "第8条", "第二至三发", "第1至3发", "7.1", "9" * 45, "(含)", "（不含）"]
PUNCTUATION = ["「", "」", "：", "，", "、", "（", "）", "(", ")", "{", "}", ">", "=", "+", "-", "×", "÷", "#", "。"]
vocabulary = st.sampled_from(all_words() + LITERAL_SAMPLES + PUNCTUATION) | names
separators = st.sampled_from(["", " ", "\n", "\r", "\u2028", "\t", "　"])


@FUZZ
@given(st.lists(st.tuples(vocabulary, separators), max_size=40))
def test_token_soup(words):
    must_not_raise(HEADER + "".join(w + s for w, s in words))


# ---- (c) mutations of a valid program ----

@functools.cache
def valid_tokens() -> tuple[tuple[str, str], ...]:
    """The valid program as (token, the text after it up to the next token)."""
    normalized = run(VALID).source.normalized
    tokens = [t for t in parser.lark_parser().parse_interactive(normalized).iter_parse()
              if isinstance(t, Token) and t.type != "$END"]
    pieces = []
    for token, following in zip(tokens, tokens[1:] + [None]):
        end = following.start_pos if following is not None else len(normalized)
        pieces.append((VALID[token.start_pos:token.end_pos], VALID[token.end_pos:end]))
    return tuple(pieces)


def test_valid_tokens_rebuild_the_program():
    pieces = valid_tokens()
    assert len(pieces) > 200
    assert "".join(t + gap for t, gap in pieces).strip() == VALID.strip()


def mutate(pieces: list, op: str, i: int, j: int) -> list:
    n = len(pieces)
    if n == 0:
        return pieces
    i, j = i % n, j % n
    token, gap = pieces[i]
    if op == "drop":
        del pieces[i]
    elif op == "duplicate":
        pieces.insert(i, (token, " "))
    elif op == "swap":
        pieces[i], pieces[j] = (pieces[j][0], gap), (token, pieces[j][1])
    elif op == "replace":
        pieces[i] = (pieces[j][0], gap)
    elif op == "glue":  # remove the separator after a token
        pieces[i] = (token, "")
    elif op == "newline":
        pieces[i] = (token, "\n")
    elif op == "cut":  # keep only the first part of a token: 「名称 without 」, 200万 without 元
        pieces[i] = (token[: max(1, j % max(1, len(token)))], gap)
    return pieces


operations = st.lists(st.tuples(st.sampled_from(["drop", "duplicate", "swap", "replace", "glue", "newline", "cut"]),
                                st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=6)


@FUZZ
@given(operations)
def test_mutated_tokens(ops):
    pieces = list(valid_tokens())
    for op, i, j in ops:
        pieces = mutate(pieces, op, i, j)
    must_not_raise("".join(t + gap for t, gap in pieces))


@FUZZ
@given(operations, st.sampled_from([" ", "\n", ""]))
def test_mutated_words_split_on_whitespace(ops, joiner):
    pieces = [(w, joiner) for w in VALID.split()]
    for op, i, j in ops:
        pieces = mutate(pieces, op, i, j)
    must_not_raise("".join(t + gap for t, gap in pieces))


@FUZZ
@given(st.integers(0, len(VALID)), st.integers(0, len(VALID)), st.text(max_size=5))
def test_spliced_text(start, end, insert):
    start, end = min(start, end), max(start, end)
    must_not_raise(VALID[:start] + insert + VALID[end:])


@FUZZ
@given(st.integers(0, len(VALID.encode())), st.binary(min_size=1, max_size=3))
def test_corrupted_bytes(at, junk):
    data = VALID.encode()
    must_not_raise(data[:at] + junk + data[at:])
