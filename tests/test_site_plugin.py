"""The polc MkDocs plugin as a drafter installs it: one line in mkdocs.yml gives the pages, styles and search.

A site in a temporary folder, with only ``plugins: [search, polc]`` and a policy of its own
(tests/data/docgen/a.pol), is built with ``mkdocs build --strict``: its pages carry the stylesheet and
the filter script shipped inside the package, and its search index is cut into words. The old
``hooks:`` configuration still builds the same pages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason='需要文档依赖：pip install ".[docs]"')

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "docgen"


def drafter_site(folder: Path, config: str) -> Path:
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# 某区政策\n\n本站由 polc 生成。\n", encoding="utf-8")
    (folder / "policies").mkdir()
    for name in ("a.pol", "a.txt"):
        shutil.copy(DATA / name, folder / "policies" / name)
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def build(folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("POLC_DOCS_POLICIES", None)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(folder / "site")],
                          capture_output=True, text=True, cwd=folder, env=env, timeout=300)


PLUGIN_SITE = """site_name: 某区政策
theme:
  name: material
  language: zh
plugins:
  - search
  - polc
markdown_extensions: [tables, attr_list, md_in_html, admonition]
"""


def test_the_plugin_is_registered_by_entry_point():
    found = [e for e in entry_points(group="mkdocs.plugins") if e.name == "polc"]
    assert [e.value for e in found] == ["compiler.mkdocs_plugin:PolcPlugin"]
    from compiler.mkdocs_plugin import PolcPlugin
    assert found[0].load() is PolcPlugin


def test_one_line_gives_a_drafter_the_pages_styles_and_word_search(tmp_path):
    from compiler.mkdocs_plugin import SEARCH_SEPARATOR

    folder = drafter_site(tmp_path / "mysite", PLUGIN_SITE)
    done = build(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    site = folder / "site"
    css = (site / "assets" / "polc" / "polc.css").read_text(encoding="utf-8")
    assert ".polc-item" in css and "grid-template-columns" in css
    assert ".polc-params-filter" in (site / "assets" / "polc" / "polc.js").read_text(encoding="utf-8")
    page = (site / "policies" / "a" / "article-8" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link[^>]+href="[./]*assets/polc/polc\.css"', page)
    assert re.search(r'<script[^>]+src="[./]*assets/polc/polc\.js"', page)
    assert 'class="polc-item"' in page and 'class="polc-quote"' in page
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == SEARCH_SEPARATOR
    parameters = (site / "policies" / "a" / "parameters" / "index.html").read_text(encoding="utf-8")
    assert 'id="p-外资支持比例"' in parameters and 'class="polc-params"' in parameters


def test_a_separator_set_by_the_drafter_is_kept(tmp_path):
    config = PLUGIN_SITE.replace("  - search\n", "  - search:\n      separator: '[\\s\\-]+'\n")
    folder = drafter_site(tmp_path / "mysite", config)
    done = build(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    index = json.loads((folder / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == "[\\s\\-]+"


def test_the_old_hooks_configuration_still_builds_the_pages_and_styles(tmp_path):
    config = PLUGIN_SITE.replace("  - polc\n", "") + f"hooks:\n  - {ROOT / 'compiler' / 'mkdocs_hooks.py'}\n"
    folder = drafter_site(tmp_path / "mysite", config)
    done = build(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    site = folder / "site"
    assert (site / "policies" / "a" / "article-8" / "index.html").exists()
    assert (site / "assets" / "polc" / "polc.css").exists()


def test_jieba_learns_the_short_terms_it_would_cut_into_characters():
    from compiler.semantics.check import check
    from compiler.mkdocs_plugin import dictionary_words

    minhang = ROOT / "policies" / "minhang_2024.pol"
    words = dictionary_words([(minhang, check(minhang))])
    # 仿制药 and 微短剧 are names in 「」 that jieba cuts into 仿制/药 and 微/短剧
    assert "仿制药" in words and "微短剧" in words
    # 亚洲首店 is cut into the words 亚洲/首店 already: kept out, so 首店 stays a word the search can find
    assert "亚洲首店" not in words and "首店" not in words
    assert all(2 <= len(w) <= 4 for w in words)


def test_mkdocs_own_search_keeps_its_separator(tmp_path):
    # without Material nothing cuts the index into words: a separator that keeps Chinese runs whole
    # would make each run one word, so the plugin leaves mkdocs' search as it is
    from compiler.mkdocs_plugin import SEARCH_SEPARATOR

    config = PLUGIN_SITE.replace("  name: material\n  language: zh\n", "  name: mkdocs\n")
    folder = drafter_site(tmp_path / "mysite", config)
    done = build(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    index = json.loads((folder / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] != SEARCH_SEPARATOR
    assert (folder / "site" / "assets" / "polc" / "polc.css").exists()
