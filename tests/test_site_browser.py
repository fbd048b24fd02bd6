"""The documentation site, built with MkDocs and read in a real (headless Debian) Chromium.

The site is built from the real ``policies/`` with ``mkdocs build --strict``, served on
127.0.0.1 by an ``http.server`` thread that stops by itself, and opened in Chromium through
selenium and ``/usr/bin/chromedriver``. The browser tests check what a reader sees on the Minhang
pages: an article's text, a tier table, a worked example, and that searching 研发 finds article 1.
Screenshots are kept in ``tests/artifacts/`` (ignored by git).

A second site is built from a hostile policy (``tests/hostile_site.py``) whose every text carries
a script payload: every built page and the search index are parsed for anything that could run,
and the browser opens its pages and searches it, checking that nothing ran. A policy whose
原文文件 lies outside its folder stops the build, so no such file is published.

Needs ``pip install ".[test,docs]"`` and ``apt-get install chromium chromium-driver`` (plus a CJK
font such as fonts-wqy-zenhei for readable screenshots). The browser tests are skipped only when
Chromium is absent and CI is not ``true``; under CI they always run.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from compiler.syntax import nodes as n
from compiler.semantics.check import check
from hostile_site import scan_html, write_hostile_policy

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
MINHANG = ROOT / "policies" / "minhang_2024.pol"
IN_CI = os.environ.get("CI") == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = bool(CHROMIUM) and Path(CHROMEDRIVER).exists()

needs_browser = pytest.mark.skipif(
    not HAVE_BROWSER and not IN_CI,
    reason="Chromium 未安装（apt-get install chromium chromium-driver）；CI=true 时此测试必须运行")

if not IN_CI:
    pytest.importorskip("mkdocs", reason='需要文档依赖：pip install ".[docs]"')

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000"]
SERVE_SECONDS = 600  # the server thread stops by itself after this, whatever happens to the test


def mkdocs_build(site_dir: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(site_dir)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site_dir = tmp_path_factory.mktemp("site")
    done = mkdocs_build(site_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    return site_dir


@pytest.fixture(scope="module")
def minhang():
    result = check(MINHANG)
    assert result.ok
    return result.program


def test_site_builds_with_the_policy_pages(site, minhang):
    base = site / "policies" / "minhang_2024"
    for a in minhang.policy.articles:
        page = f"closing-{a.number[2:]}" if a.number.startswith("附则") else f"article-{a.number}"
        assert (base / page / "index.html").exists(), page
    for page in ("index", "parameters", "notes"):
        assert (site / "policies" / "minhang_2024" / page / "index.html").exists() if page != "index" \
            else (base / "index.html").exists()
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    assert "<code>POLICY</code>" in reference and "polc:keywords" not in reference
    assert '<span class="kd">参数</span>' in reference  # pol blocks are highlighted by our lexer
    assert "polc docs" in (site / "cli" / "index.html").read_text(encoding="utf-8")


def test_a_pol_file_with_errors_fails_the_build_like_polc_check(tmp_path):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n原文文件「无.txt」\n第1条「x」\n  款「y」\n    给予 按「不存在」\n", encoding="utf-8")
    done = mkdocs_build(tmp_path / "site", {"POLC_DOCS_POLICIES": str(bad)})
    assert done.returncode != 0
    checked = subprocess.run([sys.executable, "-m", "compiler.cli", "check", str(bad)], capture_output=True,
                             text=True, cwd=ROOT)
    diagnostics = checked.stdout[:checked.stdout.index(f"{bad}：")]  # everything before the summary lines
    assert "错误[" in diagnostics
    assert diagnostics in done.stdout + done.stderr
    assert "polc：1 个 .pol 文件有错误" in done.stdout + done.stderr


def test_search_index_holds_chinese_words(site):
    import json

    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    assert separator.split("研发投入") == ["研发投入"]  # no cut between Chinese characters: jieba made the words

    def words(doc):
        return {w for w in separator.split(doc["title"] + " " + doc["text"]) if w}

    def plain(doc):  # the text without the zero-width spaces between the words
        return (doc["title"] + " " + doc["text"]).replace("\u200b", "")

    docs = index["docs"]
    article_1 = [d for d in docs if d["location"].startswith("policies/minhang_2024/article-1/")]
    assert any("研发" in words(d) for d in article_1)
    # the browser matches a query word as the start of an index word (trailing wildcard): 首店 finds
    # the sections that say 首店 and never one that only says 首台套
    hits = [d for d in docs if any(w.startswith("首店") for w in words(d))]
    assert hits and all("首店" in plain(d) for d in hits)
    only_首台套 = [d for d in docs if "首台套" in plain(d) and "首店" not in plain(d)]
    assert only_首台套 and not [d for d in only_首台套 if d in hits]
    # and 研发 is a word of the index, not two characters: no section is found by 研 or 发 alone
    研发 = [d for d in docs if any(w.startswith("研发") for w in words(d))]
    assert 研发 and all("研发" in plain(d) for d in 研发)


# ---- in the browser ----------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site):
    yield from _serve(site)


def _serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    stop = threading.Timer(SERVE_SECONDS, httpd.shutdown)
    stop.daemon = True
    stop.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    stop.cancel()
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver") if not IN_CI else __import__(
        "selenium.webdriver", fromlist=["webdriver"])
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="polc-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _page(article: str) -> str:
    return f"closing-{article[2:]}" if article.startswith("附则") else f"article-{article}"


def _visible_text(driver, selector: str):
    from selenium.webdriver.common.by import By
    return [e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]


def _shot(driver, element, name: str) -> Path:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


@needs_browser
def test_article_text_is_visible(server, browser, minhang):
    from selenium.webdriver.common.by import By

    article = minhang.symbols.articles["1"]
    browser.get(f"{server}/policies/minhang_2024/article-1/")
    h1 = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert h1.text.startswith(f"第1条 {article.title}")
    item = article.items[0]
    quotes = [e for e in _visible_text(browser, ".polc-quote blockquote") if e.text]
    assert any(re.sub(r"\s", "", item.quote.text)[:20] in re.sub(r"\s", "", q.text) for q in quotes)
    rules = _visible_text(browser, ".polc-rule")
    assert rules and "条件" in rules[0].text and "给予" in rules[0].text
    # the quote and the rule stand side by side on a wide screen
    quote_box = browser.find_element(By.CSS_SELECTOR, ".polc-quote").rect
    rule_box = browser.find_element(By.CSS_SELECTOR, ".polc-rule").rect
    assert rule_box["x"] > quote_box["x"] + quote_box["width"] - 1
    # pending parameters are highlighted and link to the parameters page
    marks = _visible_text(browser, ".polc-rule mark a")
    assert marks and re.search(r"/parameters-\d+/#p-", marks[0].get_attribute("href"))
    # the 原文 is at least as prominent as the rule: as wide, as large, as dark
    assert quote_box["width"] >= rule_box["width"] - 2
    quote_text = browser.find_element(By.CSS_SELECTOR, ".polc-quote blockquote")
    rule_text = browser.find_element(By.CSS_SELECTOR, ".polc-rule p")
    size = "return parseFloat(getComputedStyle(arguments[0]).fontSize)"
    assert browser.execute_script(size, quote_text) >= browser.execute_script(size, rule_text)
    colour = "return getComputedStyle(arguments[0]).color"
    assert browser.execute_script(colour, quote_text) == browser.execute_script(colour, rule_text)
    _shot(browser, h1, "minhang-article-1.png")


@needs_browser
def test_tier_table_is_visible(server, browser, minhang):
    from selenium.webdriver.common.by import By

    tiered = next(a for a in minhang.policy.articles
                  if any(i.award is not None and i.award.kind == "分档" for i in a.items))
    browser.get(f"{server}/policies/minhang_2024/{_page(tiered.number)}/")
    tables = [t for t in _visible_text(browser, ".polc-rule table")
              if t.find_element(By.CSS_SELECTOR, "th").text == "档"]
    assert tables, f"{tiered.label} 没有可见的分档表"
    rows = tables[0].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) >= 2 and rows[0].find_element(By.CSS_SELECTOR, "td").text == "1"
    # the bounds and amounts show as values: 待定 with the value the 示例细则 gives, not the long names
    # (示例细则: 「工业总产值突破第一档门槛」 1亿元, 第二档 5亿元, 第一档支持金额 20万元)
    first = rows[0].text
    assert "待定" in first and "1亿元" in first and "5亿元" in first and "20万元" in first, first
    assert "门槛" not in first
    height = rows[0].size["height"]
    assert height < 80, f"分档表的一行高 {height}px"
    _shot(browser, tables[0], "minhang-tiers.png")


@needs_browser
def test_parameters_page_per_chapter_with_the_rules_values(server, browser, minhang):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/policies/minhang_2024/parameters-1/")
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text.startswith("参数：")
    row = browser.find_element(By.ID, "p-研发投入支持比例").find_element(By.XPATH, "./ancestor::tr")
    # 研发投入支持比例 is 待定 in the policy; the 示例细则 sets it to 10%
    assert "待定" in row.text and "10%" in row.text
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height < 12000, f"参数页高 {height}px"
    # the filter box keeps the rows with the typed words only
    box = browser.find_element(By.CSS_SELECTOR, ".polc-params-filter")
    box.send_keys("首台套研发投入支持比例")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, ".polc-params tbody tr") if r.is_displayed()]
    assert len(shown) == 1 and "首台套研发投入支持比例" in shown[0].text, [r.text[:40] for r in shown]
    _shot(browser, box, "minhang-parameters-1.png")


@needs_browser
def test_worked_example_is_visible(server, browser, minhang):
    from selenium.webdriver.common.by import By

    first_case = minhang.policy.cases[0]
    article = [a for a in minhang.policy.articles if a.span.line < first_case.span.line][-1]
    browser.get(f"{server}/policies/minhang_2024/{_page(article.number)}/")
    heading = next(h for h in _visible_text(browser, "article h3") if first_case.name in h.text)
    tables = [t for t in _visible_text(browser, "article table")
              if "求值结果" in t.find_element(By.CSS_SELECTOR, "thead").text]
    assert tables and "一致" in tables[0].text
    body = browser.find_element(By.CSS_SELECTOR, "article").text
    assert "求值过程" in body and "→" in body
    _shot(browser, heading, "minhang-worked-example.png")


@needs_browser
def test_a_case_written_after_a_later_article_is_on_its_own_article_page(server, browser, minhang):
    from selenium.webdriver.common.by import By

    # 案例「第53条 未报培训费用」 is written after 第54条 and expects results of 第53条 only
    case = next(c for c in minhang.policy.cases if c.name == "第53条 未报培训费用")
    assert {e.item.article for e in case.expectations} == {"53"}
    browser.get(f"{server}/policies/minhang_2024/article-53/")
    assert any(case.name in h.text for h in _visible_text(browser, "article h3"))
    browser.get(f"{server}/policies/minhang_2024/article-54/")
    assert not any(case.name in h.text for h in browser.find_elements(By.CSS_SELECTOR, "article h3"))


@needs_browser
def test_search_for_研发_finds_article_1(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/?q=研发")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__link")]
    hits = [i for i, href in enumerate(links) if "/policies/minhang_2024/article-1/" in href]
    assert hits, links[:10]
    assert hits[0] == 0, f"第1条排在第 {hits[0] + 1} 位：{links[:10]}"  # before the chapter's summary page
    results = browser.find_element(By.CSS_SELECTOR, ".md-search-result")
    browser.save_screenshot(str(ARTIFACTS / "search-研发.png"))
    assert "第1条" in results.text
    # 研发 is highlighted as one word, not 研 and 发 apart
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".md-search-result mark") if m.is_displayed()]
    assert marks and all(m == "研发" for m in marks[:20]), [m for m in marks if m != "研发"][:20]


@needs_browser
def test_search_for_首店_ranks_first_stores_before_首台套(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/?q=首店")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    items = browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
    assert "首店" in items[0].text and "首台套" not in items[0].text, items[0].text
    assert not [i.text for i in items if "首台套" in i.text and "首店" not in i.text]
    browser.save_screenshot(str(ARTIFACTS / "search-首店.png"))




# ---- a hostile policy ----------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    policy, rules, payloads = write_hostile_policy(folder)
    site_dir = tmp_path_factory.mktemp("hostile-site")
    done = mkdocs_build(site_dir, {"POLC_DOCS_POLICIES": str(folder / "*.pol")})
    assert done.returncode == 0, done.stdout + done.stderr
    return site_dir, payloads, rules.stem


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def test_hostile_policy_puts_nothing_live_into_the_site(hostile_site):
    import json

    site_dir, payloads, rules_stem = hostile_site
    pages = sorted(site_dir.rglob("*.html"))
    generated = [p for p in pages if "policies/hostile" in p.as_posix()]
    assert len(generated) >= 10 and (site_dir / "policies" / "hostile" / "review" / "index.html") in generated
    assert (site_dir / "policies" / rules_stem / "article-9" / "index.html").exists()
    live, shown = {}, []
    for page in pages:
        found, text = scan_html(page.read_text(encoding="utf-8"))
        if found:
            live[page.relative_to(site_dir).as_posix()] = found
        shown.append(text)
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:  # the search shows titles and texts of the index as HTML
        for key in ("title", "text"):
            found, _ = scan_html(doc[key])
            if found:
                live[f"search_index.json {doc['location']} {key}"] = found
    assert live == {}
    # and the texts are there, as text: escaping kept every character
    visible = _squeeze("\n".join(shown))
    assert [p for p in payloads.shown if _squeeze(p) not in visible] == []
    # the navigation, with the policy's titles, is on every page, the hand-written ones too
    home = scan_html((site_dir / "index.html").read_text(encoding="utf-8"))[1]
    policy_name = next(p for p in payloads.shown if p.startswith("政策"))
    assert policy_name in home


@pytest.fixture(scope="module")
def hostile_server(hostile_site):
    yield from _serve(hostile_site[0])


_RECORD_CALLS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__ran.push(name + "(" + args.map(String).join(",") + ")"); };
}
"""

_LIVE_IN_DOM = """
const live = [];
for (const el of document.querySelectorAll("*")) {
  for (const a of el.attributes) {
    if (/^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)) live.push(el.tagName + " " + a.name + "=" + a.value);
  }
  if (el.tagName === "SCRIPT" && /PWN/.test(el.textContent)) live.push("SCRIPT " + el.textContent.slice(0, 60));
}
return live;
"""


@needs_browser
def test_hostile_pages_run_nothing_in_the_browser(hostile_server, browser, hostile_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from urllib.parse import quote

    _, payloads, rules_stem = hostile_site
    # before any script of a page: alert() and friends only record that they were called
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD_CALLS})
    policy_name = next(p for p in payloads.shown if p.startswith("政策"))
    article_title = next(p for p in payloads.shown if p.startswith("条"))
    for page in ("policies/hostile/", "policies/hostile/article-1/", "policies/hostile/article-2/",
                 "policies/hostile/chapter-1/", "policies/hostile/notes/", "policies/hostile/parameters/",
                 "policies/hostile/review/", f"policies/{quote(rules_stem)}/",
                 f"policies/{quote(rules_stem)}/article-9/", "policies/", ""):
        browser.get(f"{hostile_server}/{page}")
        WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert browser.find_elements(By.CSS_SELECTOR, "article h1"), f"{page} 没有打开"
        assert browser.execute_script("return window.__ran") == [], page
        assert browser.execute_script(_LIVE_IN_DOM) == [], page
        if page == "policies/hostile/":
            assert browser.find_element(By.CSS_SELECTOR, "article h1").text == policy_name
        if page == "policies/hostile/article-1/":
            # the tab title shows the article's title as written: "</title>" in it closed nothing
            assert browser.title == f"第1条 {article_title} - polc 政策编译器"
            _shot(browser, browser.find_element(By.CSS_SELECTOR, "article h1"), "hostile-article-1.png")
    # the search renders titles and texts from the index as HTML: search for the payloads
    browser.get(f"{hostile_server}/?q=PWN")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    assert browser.execute_script("return window.__ran") == []
    assert browser.execute_script(_LIVE_IN_DOM) == []
    browser.save_screenshot(str(ARTIFACTS / "hostile-search.png"))


@pytest.mark.parametrize("named", ["../secret.txt", "{outside}/secret.txt", "link.txt"])
def test_a_source_file_outside_the_policy_folder_stops_the_build(tmp_path, named):
    # /etc/passwd once went into the HTML and the search index: 原文文件 now stays in the folder
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("机密内容SECRET-7f3a\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("机密内容SECRET-7f3a\n", encoding="utf-8")
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    # a policy that builds when the file is read (as it did before): its 原文 quotes the file
    (folder / "p.pol").write_text(f"政策「外部原文」\n原文文件「{named.format(outside=outside)}」\n"
                                  "施行 自 2025-01-01 起\n第1条「甲」\n  原文「机密内容」\n  款「乙」\n"
                                  "    原文「机密内容」\n    给予 非资金支持「场地」\n", encoding="utf-8")
    site_dir = tmp_path / "site"
    done = mkdocs_build(site_dir, {"POLC_DOCS_POLICIES": str(folder / "p.pol")})
    assert done.returncode != 0
    assert "错误[E207]" in done.stdout + done.stderr and "不在政策所在的目录中" in done.stdout + done.stderr
    published = [p for p in site_dir.rglob("*") if p.is_file()] if site_dir.exists() else []
    assert not any("SECRET-7f3a" in p.read_text(encoding="utf-8", errors="replace") for p in published)
