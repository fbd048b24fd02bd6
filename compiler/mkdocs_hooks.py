"""MkDocs hooks: the policy pages are generated at build time from ``policies/*.pol``.

Nothing generated is committed. Each policy (and each 细则) is checked exactly as
``polc check`` checks it; a file with errors stops the build with the same
diagnostics. Hand-written pages hold two generated tables between markers,
``<!-- polc:keywords -->`` (the keyword table) and ``<!-- polc:cli -->`` (the
command reference), each closed by ``<!-- /polc:NAME -->``: they are written into
the pages by ``python -m compiler.reference`` and refreshed again at build time.

mkdocs.yml: ``hooks: [compiler/mkdocs_hooks.py]``; which files are read is set
by ``extra.polc.policies`` (a glob relative to mkdocs.yml, default
``policies/*.pol``) or by the environment variable ``POLC_DOCS_POLICIES``.
"""

from __future__ import annotations

import io
import logging
import os
import re
from pathlib import Path
from urllib.parse import quote

from mkdocs.exceptions import Abort
from mkdocs.structure.files import File

from compiler import reference
from compiler.semantics.check import check
from compiler.syntax.source import print_diagnostics
from compiler.targets.docs import docgen

log = logging.getLogger("mkdocs.plugins.polc")

SECTION = "政策"
_generated: list[tuple[str, docgen.Site]] = []  # (directory under docs, site), in nav order


def _policy_files(config) -> list[Path]:
    root = Path(config.config_file_path).parent
    pattern = os.environ.get("POLC_DOCS_POLICIES") or (config.extra.get("polc") or {}).get("policies", "policies/*.pol")
    return sorted(root.glob(pattern)) if not Path(pattern).is_absolute() else sorted(Path("/").glob(pattern[1:]))


def on_config(config):
    """Check every policy file and generate its pages (and a policy's review report) before the build;
    any error aborts the build with what polc check prints."""
    _generated.clear()
    failures = []
    results = []
    for path in _policy_files(config):
        result = check(str(path))
        out = io.StringIO()
        print_diagnostics(result, out)
        if not result.ok:
            failures.append(out.getvalue())
            continue
        if out.getvalue():
            log.info("polc check %s:\n%s", path, out.getvalue().rstrip())
        results.append((path, result))
    if failures:
        for text in failures:
            print(text, end="")  # exactly what polc check prints
        raise Abort(f"polc：{len(failures)} 个 .pol 文件有错误，文档未生成（先运行 polc check 修正）")
    main_stem = {str(p.resolve()): p.stem for p, _ in results}
    nav_entries = []
    for path, result in results:
        parent_docs = None
        if result.program.main.kind == "细则":
            parent = str(Path(result.program.policy.path).resolve())
            if parent in main_stem:
                parent_docs = f"../{main_stem[parent]}/"
        site = docgen.generate(result, parent_docs=parent_docs)
        if result.program.main.kind == "政策":  # the review report for the drafters (polc review)
            from compiler.review import review_markdown
            site.pages["review.md"] = review_markdown(result.program)
            site.nav.append({"审查报告": "review.md"})
        base = f"policies/{path.stem}"
        _generated.append((base, site))
        nav_entries.append({docgen.md(site.title): [_prefix(e, base) for e in site.nav]})
    section = [{"政策一览": "policies/index.md"}, *nav_entries]
    nav = config.nav
    if nav is not None:
        for k, entry in enumerate(nav):
            if isinstance(entry, dict) and SECTION in entry:
                nav[k] = {SECTION: section}
                break
        else:
            nav.append({SECTION: section})
    return config


def _prefix(entry, base: str):
    if isinstance(entry, str):
        return f"{base}/{entry}"
    return {title: _prefix(value, base) if isinstance(value, str) else [_prefix(v, base) for v in value]
            for title, value in entry.items()}


def on_files(files, config):
    """Add the generated pages, and an index of the policies, to the build as in-memory files."""
    lines = ["# 政策一览", "", "以下页面在构建文档时由 `policies/` 下的 .pol 文件生成。", ""]
    for base, site in _generated:
        lines.append(f"- [{docgen.md(site.title)}]({quote(base.split('/', 1)[1])}/index.md)")
    files.append(File.generated(config, "policies/index.md", content="\n".join(lines) + "\n"))
    for base, site in _generated:
        for path, text in site.pages.items():
            files.append(File.generated(config, f"{base}/{path}", content=text))
    return files


def on_page_markdown(markdown, page, config, files):
    """Refresh the generated tables of a hand-written page and drop their markers."""
    if "<!-- polc:" in markdown:  # the tables are in the page already; refreshed here so a stale page cannot ship
        markdown = re.sub(r"<!-- /?polc:[a-z]+ -->\n?", "", reference.fill_tables(markdown))  # no markers in the site
    return markdown
