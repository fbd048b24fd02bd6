"""Escaping text that comes from a policy or a record, for where it is shown.

Two destinations, one function each:

- ``md``: pages of the site and the review report. Its output is inline Markdown that is at
  the same time plain HTML text, so the same string is right in a page body, a table cell, a
  heading, a link text and a navigation title (which the theme pastes into HTML as it is).
  Every character that means something to Markdown, to its extensions (tables, attr_list,
  md_in_html, admonition) or to HTML is written as a character reference, never with a
  backslash: a reader sees the text exactly, and nothing of it becomes a tag, an attribute,
  a link or a list.
- ``terminal``: lines printed to a terminal. Control characters (an ESC that starts a colour
  or moves the cursor, a carriage return that overwrites the line) are shown as ``\\x1b``.

Nothing here imports the rest of polc: every layer may use it.
"""

from __future__ import annotations

import re
import unicodedata

# Characters written as references wherever they stand.
_EVERYWHERE = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "[": "&#91;", "]": "&#93;",
    "{": "&#123;", "}": "&#125;", "|": "&#124;", "!": "&#33;", "#": "&#35;", "~": "&#126;",
}
# Characters that start a block (a list, a heading rule, a fence, a details block) only where a
# line starts: written as references there.
_LINE_START = {"-": "&#45;", "+": "&#43;", "=": "&#61;", "?": "&#63;", ":": "&#58;"}
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\u2028\u2029\x85]+[ \t]*")


def _visible_control(ch: str) -> str:
    """C0 controls and DEL as their Control Pictures (U+2400 block): visible, and inert in HTML."""
    code = ord(ch)
    return chr(0x2400 + code) if code < 0x20 else "\u2421"


def md(value) -> str:
    """Text from a policy as it goes into a page: one line of inline Markdown that is also HTML text."""
    s = _LINE_BREAKS.sub(" ", str(value))
    s = "".join(_EVERYWHERE.get(ch) or (_visible_control(ch) if (ch < " " and ch != "\t") or ch == "\x7f" else ch)
                for ch in s)
    s = s.replace("\t", " ")
    if s[:1] in _LINE_START:
        s = _LINE_START[s[0]] + s[1:]
    elif s[:1] == " ":
        s = "&#32;" + s[1:]  # four spaces at the start of a line would make a code block
    return re.sub(r"^(\d+)\.(?=\s|$)", r"\1&#46;", s)


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal(value) -> str:
    """One line for a terminal: control characters and bidirectional overrides shown escaped, never raw.

    Everything that moves the cursor, ends the line, changes colours or reorders the text is
    written as a Python escape (``\\x1b``, ``\\n``, ``\\u202e``); only a tab stays. Apply it to
    each line (or each piece of text from input), not to output that is meant to span lines.
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value))


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: CJK and full-width characters take two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
