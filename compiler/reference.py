"""polc's own reference tables (keywords, commands), written into the hand-written pages of docs/.

Each generated table stands between ``<!-- polc:NAME -->`` and ``<!-- /polc:NAME -->`` in a page of
docs/, so the page reads whole as plain Markdown; ``python -m compiler.reference`` rewrites them,
the site refreshes them at build time, and tests/test_docs_tables.py fails when a page is stale.
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from compiler.escape import md
from compiler.targets.docs.docgen import table


def keyword_reference() -> str:
    """The keyword list of the language reference, from the keyword table (so it cannot drift)."""
    from compiler.syntax.keywords import BOUNDARY_WORDS, COUNT_UNITS, KEYWORDS, POSTFIX_BOUNDS, PREFIX_BOUNDS

    lines = []
    groups: dict[str, list] = {}
    for kw in KEYWORDS:
        groups.setdefault(kw.group, []).append(kw)
    for group, kws in groups.items():
        lines += [f"### {md(group)}", ""]
        lines += table(["关键字", "含义", "文法终结符"],
                       [["、".join(f"`{w}`" for w in kw.words), md(kw.meaning), f"`{kw.terminal}`"] for kw in kws])
    meaning = {">=": "≥（含本数）", "<=": "≤（含本数）", ">": "＞（不含本数）", "<": "＜（不含本数）",
               "incl": "含本数（写在数值之后，优先于其他边界词）", "excl": "不含本数（写在数值之后，优先于其他边界词）"}
    lines += ["### 边界词", "", "民法典第一千二百五十九条：以上、以下、以内，包括本数；不满、超过，不包括本数。"
              "日期与年度：以前、以后包括本日（本年度），之前、之后不包括。", ""]
    rows = []
    for word, op in BOUNDARY_WORDS.items():
        place = "数值之前" if word in PREFIX_BOUNDS else ("数值之后" if word in POSTFIX_BOUNDS else "数值之后（全角写法）")
        rows.append([f"`{word}`", meaning[op], place])
    lines += table(["边界词", "含义", "位置"], rows)
    lines += ["### 计数单位", "", "数量字面量的单位（如 `50场`、`2家`）；单位不同的数量不能比较：", "",
              "、".join(f"`{u}`" for u in COUNT_UNITS), ""]
    return "\n".join(lines)


def cli_reference() -> str:
    """The command reference, from the argument parser of ``polc`` itself."""
    from compiler.cli import build_parser

    parser = build_parser()
    lines = []
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # usage lines wrap at the terminal width: fix it so output is the same everywhere
    try:
        return _cli_reference(parser, lines)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _cli_reference(parser, lines) -> str:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, p in sub.choices.items():
        lines += [f"### polc {name}", "", md(helps.get(name) or ""), "", "```text", p.format_usage().strip(), "```", ""]
        rows = []
        for a in p._actions:
            if isinstance(a, argparse._HelpAction):
                continue
            flags = "、".join(f"`{s}`" for s in a.option_strings) or f"`{a.metavar or a.dest}`"
            shown = (a.help or "").replace("%%", "%")
            if a.choices:
                shown += "（可选：" + "、".join(str(c) for c in a.choices) + "）"
            rows.append([flags, md(shown)])
        lines += table(["参数", "说明"], rows)
        if p.epilog:  # the examples of ``polc NAME -h``
            lines += ["```text", p.epilog.strip(), "```", ""]
    return "\n".join(lines)


GENERATED_TABLES = {"keywords": keyword_reference, "cli": cli_reference}
_TABLE_BLOCK = re.compile(r"<!-- polc:(?P<name>[a-z]+) -->\n(?:.*?<!-- /polc:(?P=name) -->\n?)?", re.S)


def fill_tables(markdown: str) -> str:
    """The page with every generated table written out afresh between its markers (idempotent)."""
    def block(m):
        make = GENERATED_TABLES.get(m.group("name"))
        if make is None:
            return m.group(0)
        name = m.group("name")
        return f"<!-- polc:{name} -->\n{make().rstrip()}\n\n<!-- /polc:{name} -->\n"
    if markdown.endswith(tuple(f"<!-- polc:{name} -->" for name in GENERATED_TABLES)):
        markdown += "\n"  # a marker on the last line, without a newline
    return _TABLE_BLOCK.sub(block, markdown)


def write_tables(docs: Path) -> list[Path]:
    """Rewrite the generated tables of every page under ``docs``; the pages that changed."""
    changed = []
    for page in sorted(Path(docs).glob("*.md")):
        text = page.read_text(encoding="utf-8")
        fresh = fill_tables(text)
        if fresh != text:
            page.write_text(fresh, encoding="utf-8")
            changed.append(page)
    return changed


if __name__ == "__main__":  # python -m compiler.reference [DOCS]: rewrite the keyword and command tables
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs"
    for page in write_tables(target):
        print(f"已更新 {page}")
