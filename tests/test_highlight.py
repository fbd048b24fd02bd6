"""The Pygments lexer: registered as “pol”, derived from the keyword table, no error tokens on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String, Text

from compiler.targets.docs.highlight import PolLexer
from compiler.syntax.keywords import BOUNDARY_WORDS, KEYWORDS

ROOT = Path(__file__).resolve().parent.parent


def tokens(text: str):
    return [(t, v) for t, v in PolLexer().get_tokens(text) if v.strip()]


def test_registered_through_the_entry_point():
    assert isinstance(get_lexer_by_name("pol"), PolLexer)
    assert isinstance(get_lexer_for_filename("minhang_2024.pol"), PolLexer)


@pytest.mark.parametrize("word", sorted({w for k in KEYWORDS for w in k.words} | set(BOUNDARY_WORDS)))
def test_every_word_of_the_table_is_one_keyword_token(word):
    (token, value), = tokens(word)
    assert value == word
    assert token in Keyword or token in Operator.Word


def test_names_hide_keywords():
    # 「以上海市注册企业」 is one name: the 以上 inside it is not a boundary word
    assert tokens("「以上海市注册企业」 以上") == [(Name.Variable, "「以上海市注册企业」"), (Operator.Word, "以上")]


def test_quotes_literals_and_comments():
    toks = tokens("原文「对工业总产值达到1亿元的」 # 注释\n条件「产值」 达到 1亿元(含) 且 「场次」 50场以上\n频次 第1至3发")
    assert (String, "「对工业总产值达到1亿元的」") in toks
    assert (Comment.Single, "# 注释") in toks
    assert (Number, "1亿元") in toks and (Number, "50场") in toks and (Number, "第1至3发") in toks
    assert (Operator.Word, "(含)") in toks and (Operator.Word, "以上") in toks
    # the longest keyword wins: 年度上限 is one word, not 年度 + 上限; 一次性 is not the count 一次
    assert tokens("年度上限 一次性") == [(Keyword, "年度上限"), (Keyword.Constant, "一次性")]


@pytest.mark.parametrize("path", sorted((ROOT / "policies").glob("*.pol")) + sorted((ROOT / "stdlib").glob("*.pol")),
                         ids=lambda p: p.name)
def test_real_files_lex_without_errors(path):
    bad = [v for t, v in PolLexer().get_tokens(path.read_text(encoding="utf-8")) if t in (Error, Text) and v.strip()]
    assert not bad


def test_html_output():
    html = highlight("参数「比例」：比例，待定", get_lexer_by_name("pol"), HtmlFormatter())
    assert '<span class="kd">参数</span>' in html and '<span class="nv">「比例」</span>' in html
