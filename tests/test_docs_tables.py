"""The keyword table and the command reference are written into docs/reference.md and docs/cli.md.

They are generated from compiler/syntax/keywords.py and from polc's own argument parser; these tests fail when
a page is stale, so the pages read whole as plain Markdown and still cannot drift. Fix a failure with
``python -m compiler.reference``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from compiler import reference
from compiler.cli import build_parser
from compiler.syntax.keywords import BOUNDARY_WORDS, COUNT_UNITS, KEYWORDS

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("page,name", [("reference.md", "keywords"), ("cli.md", "cli")])
def test_generated_table_is_written_into_the_page_and_fresh(page, name):
    text = (DOCS / page).read_text(encoding="utf-8")
    assert f"<!-- polc:{name} -->" in text and f"<!-- /polc:{name} -->" in text, f"{page} 缺少生成的表格"
    assert reference.fill_tables(text) == text, f"{page} 中的表格已过时：运行 python -m compiler.reference"


def test_every_page_is_fresh():
    stale = [p.name for p in sorted(DOCS.glob("*.md")) if reference.fill_tables(p.read_text(encoding="utf-8"))
             != p.read_text(encoding="utf-8")]
    assert stale == [], f"表格已过时：{stale}；运行 python -m compiler.reference"


def test_the_markdown_itself_lists_every_keyword_boundary_word_and_unit():
    text = (DOCS / "reference.md").read_text(encoding="utf-8")
    table = text[text.index("<!-- polc:keywords -->"):text.index("<!-- /polc:keywords -->")]
    for kw in KEYWORDS:
        for word in kw.words:
            assert f"`{word}`" in table, word
        assert f"`{kw.terminal}`" in table
    for word in (*BOUNDARY_WORDS, *COUNT_UNITS):
        assert f"`{word}`" in table, word


def test_the_markdown_itself_lists_every_command_and_option():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        assert f"### polc {name}" in text, name
        for action in p._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}`" in text, (name, flag)


def test_a_stale_table_is_noticed_and_rewritten(tmp_path):
    page = tmp_path / "reference.md"
    fresh = (DOCS / "reference.md").read_text(encoding="utf-8")
    stale = fresh.replace("| `核定` |", "| `旧词` |", 1)
    assert stale != fresh
    page.write_text(stale, encoding="utf-8")
    assert reference.write_tables(tmp_path) == [page]
    assert page.read_text(encoding="utf-8") == fresh
    assert reference.write_tables(tmp_path) == []  # idempotent


def test_a_bare_marker_gets_its_table():
    out = reference.fill_tables("# 命令\n\n<!-- polc:cli -->")
    assert "### polc check" in out and out.rstrip().endswith("<!-- /polc:cli -->")
