"""The one escaping function for pages (``escape.md``) and the one for terminals (``escape.terminal``).

``md`` is checked the way the site uses it: its output is put where the generated pages put
policy text (a paragraph, the start of a line, a heading with an attr_list id, a link text, a
table cell, a list item, an admonition body, a quote), rendered with the Markdown extensions of
mkdocs.yml, and parsed back with ``html.parser``. The text a reader sees must be the input
(line breaks read as one space, control characters as their Control Pictures), and the only
elements must be the ones the page itself wrote. The same string is pasted into the navigation
as HTML: parsed as HTML it must read as the input too.
"""

from __future__ import annotations

import html.parser

import markdown
import pytest
from hypothesis import given, settings, strategies as st

from compiler.escape import md, terminal

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc", "pymdownx.highlight",
              "pymdownx.superfences", "pymdownx.details"]

# Where the generated pages put policy text; {} is the escaped text. The tags each one makes itself.
PLACES = {
    "paragraph": ("{}", {"p"}),
    "heading": ("## 款「{}」 { #k1 }", {"h2"}),
    "link": ("[{}](article-1.md#k1)", {"p", "a"}),
    "table": ("| 项目 | 内容 |\n| --- | --- |\n| 名称 | {} |", {"table", "thead", "tbody", "tr", "th", "td"}),
    "list": ("- {}", {"ul", "li"}),
    "quote": ("> **原文** {}", {"blockquote", "p", "strong"}),
    "note": ('!!! note "编码说明"\n\n    {}', {"div", "p"}),
    "mark": ("<mark>{}</mark>", {"p", "mark"}),
}

NASTY = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))',
         '{: onclick=alert(1) }', '</title><script>', '&lt;b&gt;', '&amp;', '*a* _b_ `c` ~~d~~',
         '# 标题', '1. 第一', '- 项', '+ 项', '    缩进', '!!! danger', '??? note', '```python', '~~~',
         '---', '===', '| a | b |', '\\', '[x]: javascript:alert(1)', '<javascript:alert(1)>',
         '![x](javascript:alert(1))', '"><svg onload=alert(1)>', "'", "{ #id .cls onclick=x }",
         "a\nb", "a\r\n{: onclick=x }", "\x02klzzwxh:0000\x03", "\x1b[31m红\x1b[0m", "<!-- x", "]]>"]


class _Reader(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(k, v or "") for k, v in attrs]

    def handle_data(self, data):
        self.text.append(data)


def read(html_text: str) -> _Reader:
    reader = _Reader()
    reader.feed(html_text)
    reader.close()
    return reader


def seen(text: str) -> str:
    """What a reader should see for ``text``: line breaks (and the blanks around them) as one space,
    a tab as a space, other control characters as their Control Pictures."""
    import re
    text = re.sub(r"[ \t]*[\r\n\u2028\u2029\x85]+[ \t]*", " ", text)
    return "".join(" " if c == "\t" else chr(0x2400 + ord(c)) if ord(c) < 0x20 else "\u2421" if c == "\x7f" else c
                   for c in text)


def squeeze(text: str) -> str:
    return " ".join(text.split())


def check_place(text: str, place: str) -> None:
    template, own_tags = PLACES[place]
    rendered = markdown.markdown(template.replace("{}", md(text), 1), extensions=EXTENSIONS)
    reader = read(rendered)
    assert reader.tags <= own_tags, (place, text, rendered)
    assert all(k in ("id", "href", "class") for k, _ in reader.attrs), (place, text, rendered)
    assert not any("javascript" in v.lower() for _, v in reader.attrs), (place, text, rendered)
    assert squeeze(seen(text)) in squeeze("".join(reader.text)), (place, text, rendered)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("text", NASTY)
def test_known_payloads_stay_text(text, place):
    check_place(text, place)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("<>&\"'`*_[](){}|!#~-+=?:. \t\n\\/;x1「」\x02\x1b") + ["javascript:", "on"]),
                max_size=30).map("".join), st.sampled_from(sorted(PLACES)))
def test_any_text_stays_text(text, place):
    check_place(text, place)


@pytest.mark.parametrize("text", NASTY)
def test_output_is_also_html_text(text):
    # the navigation pastes titles into the page as HTML, without Markdown
    reader = read(f"<span>{md(text)}</span>")
    assert reader.tags == {"span"} and not reader.attrs
    assert "".join(reader.text) == seen(text)


def test_no_backslash_escapes():
    # a backslash escape would show in the navigation, which is not Markdown
    assert "\\" not in md("a*b_c[d]{e}|f\\g`h")


@pytest.mark.parametrize("text, shown", [
    ("\x1b[31m红", "\\x1b[31m红"),
    ("a\rb", "a\\rb"),
    ("键\n合计：确定可得 1亿元", "键\\n合计：确定可得 1亿元"),
    ("a\u202eb", "a\\u202eb"),
    ("\x9b2J", "\\x9b2J"),
    ("\x07\x08\x7f", "\\x07\\x08\\x7f"),
    ("中文\t名称", "中文\t名称"),
])
def test_terminal_shows_control_characters_escaped(text, shown):
    assert terminal(text) == shown
