"""The polc MkDocs plugin: policy pages generated at build time, with their styles and word search.

A drafter's own site needs one line under ``plugins:`` in ``mkdocs.yml``::

    plugins:
      - search
      - polc:
          policies: policies/*.pol   # the default; a glob relative to mkdocs.yml

The plugin (registered as ``polc`` in the ``mkdocs.plugins`` entry point group) checks every
policy and 细则 exactly as ``polc check`` does and stops the build on errors, with the same
diagnostics; generates the pages of each (``compiler/targets/docs/docgen.py``) under ``policies/`` and a 政策
section of the navigation; publishes the stylesheet and the filter script shipped in the package
(``compiler/assets/``); refreshes the generated tables between ``<!-- polc:NAME -->`` markers of
the hand-written pages; and makes the search find Chinese words (see ``SEARCH_SEPARATOR``).
The environment variable ``POLC_DOCS_POLICIES`` overrides the glob (the tests build odd policies).
"""

from __future__ import annotations

import io
import logging
import os
import re
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from compiler import reference
from compiler.targets.docs import docgen
from compiler.semantics.check import check
from compiler.syntax.source import print_diagnostics

log = logging.getLogger("mkdocs.plugins.polc")

ASSETS = "assets/polc"  # where the stylesheet and script are published in the site
# The search index is segmented into words by jieba at build time (mkdocs-material does it when jieba
# is installed, joining the words with U+200B); the browser splits queries of Chinese into the words
# the index knows. So the separator must not cut between Chinese characters: only at spaces, U+200B
# and punctuation.
SEARCH_SEPARATOR = r'[\s\u200b\u3000\-、。，．？！；：,:;!=\[\]()"`/「」『』“”（）《》]+'
# pages that gather what the article pages say (a chapter's table, the parameters, notes, the review)
_SUMMARY_PAGE = re.compile(r"^(chapter-\d+|parameters(-\d+)?|notes|review)\.md$")
_HAN = re.compile(r"^[\u3400-\u9fff]{2,4}$")  # a term, not a phrase
_QUOTED = re.compile(r"「([^「」\n]{2,4})」")


class PolcConfig(Config):
    policies = c.Type(str, default="policies/*.pol")  # the .pol files to publish, relative to mkdocs.yml
    section = c.Type(str, default="政策")  # the navigation section that lists them
    search_separator = c.Type(bool, default=True)  # set the search plugin's separator to SEARCH_SEPARATOR
    search_words = c.Type(bool, default=True)  # teach jieba the 「」 names it would break into characters


class PolcPlugin(BasePlugin[PolcConfig]):
    def __init__(self):
        super().__init__()
        self.generated: list[tuple[str, docgen.Site]] = []  # (directory under docs, site), in nav order

    # ---- which files ----
    def policy_files(self, config) -> list[Path]:
        root = Path(config.config_file_path).parent
        pattern = (os.environ.get("POLC_DOCS_POLICIES")  # the tests build odd policies
                   or (config.extra.get("polc") or {}).get("policies")  # where the old hooks read it
                   or self.config.policies)
        return sorted(root.glob(pattern)) if not Path(pattern).is_absolute() else sorted(Path("/").glob(pattern[1:]))

    # ---- events ----
    @event_priority(50)  # before the search plugin reads its separator
    def on_config(self, config):
        if self.config.search_separator:
            for name in ("material/search", "search"):
                search = config.plugins.get(name)
                # only Material's search cuts the index into words with jieba; mkdocs' own would then
                # index whole runs of Chinese text as one word
                if search is not None and "jieba_dict" in search.config and not search.config.get("separator"):
                    search.config["separator"] = SEARCH_SEPARATOR
        results = self.check_all(config)
        if self.config.search_words:
            teach_jieba(results)
        self.generated = self.pages_for(results)
        self.add_nav(config)
        for kind, name in (("extra_css", "polc.css"), ("extra_javascript", "polc.js")):
            if f"{ASSETS}/{name}" not in [str(x) for x in config[kind]]:
                config[kind].append(f"{ASSETS}/{name}")
        return config

    def check_all(self, config) -> list:
        failures, results = [], []
        for path in self.policy_files(config):
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
        return results

    def pages_for(self, results) -> list[tuple[str, docgen.Site]]:
        main_stem = {str(p.resolve()): p.stem for p, _ in results}
        rules_of: dict[str, list] = {}  # a policy → the 细则 extending it, with the URL of their pages from the policy's
        for path, result in results:
            if result.program.main.kind == "细则":
                parent = str(Path(result.program.policy.path).resolve())
                rules_of.setdefault(parent, []).append((result, f"../{quote(path.stem)}/"))
        generated = []
        for path, result in results:
            parent_docs = None
            if result.program.main.kind == "细则":
                parent = str(Path(result.program.policy.path).resolve())
                if parent in main_stem:
                    parent_docs = f"../{quote(main_stem[parent])}/"
            site = docgen.generate(result, parent_docs=parent_docs,
                                   rules_docs=rules_of.get(str(path.resolve()), []))
            if result.program.main.kind == "政策":  # the review report for the drafters (polc review)
                from compiler.review import review_markdown
                site.pages["review.md"] = review_markdown(result.program)
                site.nav.append({"审查报告": "review.md"})
            generated.append((f"policies/{path.stem}", site))
        return generated

    def add_nav(self, config) -> None:
        entries = [{docgen.md(site.title): [_prefix(e, base) for e in site.nav]} for base, site in self.generated]
        section = [{"政策一览": "policies/index.md"}, *entries]
        nav = config.nav
        if nav is None:
            return
        for k, entry in enumerate(nav):
            if isinstance(entry, dict) and self.config.section in entry:
                nav[k] = {self.config.section: section}
                break
        else:
            nav.append({self.config.section: section})

    def on_files(self, files, config):
        lines = ["# 政策一览", "", "以下页面在构建文档时由 `policies/` 下的 .pol 文件生成。", ""]
        for base, site in self.generated:
            lines.append(f"- [{docgen.md(site.title)}]({quote(base.split('/', 1)[1])}/index.md)")
        files.append(File.generated(config, "policies/index.md", content="\n".join(lines) + "\n"))
        for base, site in self.generated:
            for path, text in site.pages.items():
                if _SUMMARY_PAGE.match(path):  # the search ranks the articles, where the rules are, first
                    text = "---\nsearch:\n  boost: 0.5\n---\n\n" + text
                files.append(File.generated(config, f"{base}/{path}", content=text))
        for name in ("polc.css", "polc.js"):
            if files.get_file_from_path(f"{ASSETS}/{name}") is None:
                content = resources.files("compiler").joinpath("assets", name).read_text(encoding="utf-8")
                files.append(File.generated(config, f"{ASSETS}/{name}", content=content))
        return files

    def on_post_build(self, config):
        if self.config.search_separator:
            fix_query_segmentation(Path(config.site_dir))

    def on_page_markdown(self, markdown, page, config, files):
        if "<!-- polc:" in markdown:  # the tables are in the page already; refreshed so a stale page cannot ship
            markdown = re.sub(r"<!-- /?polc:[a-z]+ -->\n?", "", reference.fill_tables(markdown))  # no markers in the site
        return markdown


def _prefix(entry, base: str):
    if isinstance(entry, str):
        return f"{base}/{entry}"
    return {title: _prefix(value, base) if isinstance(value, str) else [_prefix(v, base) for v in value]
            for title, value in entry.items()}


def dictionary_words(results) -> list[str]:
    """The short 「」 names (2 to 4 Chinese characters) that jieba would cut into single characters.

    Such a name (仿制药 → 仿制/药, 微短剧) is a term of art: it goes into jieba's dictionary whole, so the index holds it as one
    word. Names jieba already cuts into words (亚洲首店 → 亚洲/首店) are left alone: the browser matches
    a query word as the start of an index word, so 首店 must stay a word of its own.
    """
    import jieba

    names: set[str] = set()
    for _, result in results:
        for text in result.program.sources.values():
            names.update(m for m in _QUOTED.findall(text.text) if _HAN.match(m))
    return sorted(name for name in names if any(len(piece) == 1 for piece in jieba.lcut(name)))


def teach_jieba(results) -> None:
    try:
        import jieba
    except ImportError:  # without jieba mkdocs-material indexes characters: the search still works, less well
        log.info("polc：未安装 jieba，搜索不按词切分（pip install jieba）")
        return
    jieba.setLogLevel(logging.WARNING)
    for word in dictionary_words(results):
        jieba.add_word(word)


# mkdocs-material's search worker cuts each Chinese run of a query into the words of the index, but
# never tries the run up to its last character: 首店 is cut to 首 when 首 alone is a word somewhere, and
# then finds every 首台套 first. Trying every end, the last included, keeps 首店 whole.
_SEGMENT_LOOP = re.compile(r"for\(let (\w)=(\w)\+1;\1<(\w)\.length;\1\+\+\)\3\.slice\(\2,\1\)in \w")


def fix_query_segmentation(site_dir: Path) -> bool:
    """Let the search worker of the built site match a query's last word whole; whether it was changed."""
    changed = False
    for worker in sorted((site_dir / "assets" / "javascripts" / "workers").glob("search.*.js")):
        code = worker.read_text(encoding="utf-8")
        fixed, count = _SEGMENT_LOOP.subn(lambda m: m.group(0).replace(f"{m.group(1)}<", f"{m.group(1)}<=", 1), code,
                                          count=1)
        if count:
            worker.write_text(fixed, encoding="utf-8")
            changed = True
    if not changed:
        log.info("polc：搜索脚本与预期的 mkdocs-material 版本不同，查询的最后一个词可能被切开")
    return changed
