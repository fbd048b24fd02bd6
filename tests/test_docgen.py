"""The documentation generator: pages, links, escaping, determinism, 细则 pages and polc docs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import reference
from compiler.targets.docs import docgen
from compiler.semantics.check import check
from compiler.diagnostics import PolcError
from compiler.syntax.keywords import BOUNDARY_WORDS, KEYWORDS

DATA = Path(__file__).resolve().parent / "data" / "docgen"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site():
    return docgen.generate(check(DATA / "a.pol"))


def test_pages_and_nav(site):
    assert list(site.pages) == ["index.md", "parameters.md", "notes.md", "article-8.md"]
    assert site.nav[0] == {"概览": "index.md"}
    assert {"第8条 鼓励外资企业扩大投资": "article-8.md"} in site.nav
    assert site.title == "示例政策"


def test_overview(site):
    page = site.pages["index.md"]
    assert page.startswith("# 示例政策\n")
    for text in ("某区经济委员会", "2024-10-14", "自2024-10-14起，试行1年", "原文覆盖率"):
        assert text in page
    # counts: 1 article, 2 items, 3 parameters of which 1 is 待定, 1 case
    assert "| 1 | 2 | [3](parameters.md) | <mark>1</mark> | 1 |" in page
    assert "[第8条 鼓励外资企业扩大投资](article-8.md)" in page
    assert "互斥「不重复」" in page and "总额上限：每年2000万元" in page


def test_article_shows_quote_beside_rule(site):
    page = site.pages["article-8.md"]
    assert page.startswith("# 第8条 鼓励外资企业扩大投资\n")
    quote = page.index("> 符合本区产业发展导向的外资项目")
    rule = page.index('<div class="polc-rule" markdown>')
    assert page.index('<div class="polc-quote" markdown>') < quote < rule
    # conditions one per line, with the boundary word and whether the number is included
    assert "- 「年新增实到外资」不低于200万美元（≥，含本数）" in page
    assert "- 「门店数」2家以上（≥，含本数）" in page
    assert "- 「房地产企业」除外" in page
    assert "- 已认定「企业技术中心」「区级」及以上" in page
    assert "**评定**：经综合评定" in page
    assert "**频次**：每年支持一次" in page and "**频次**：限第1至3发" in page
    assert "**分期**：分 2 期拨付，各期 50%、50%。" in page


def test_pending_parameters_are_marked_and_linked(site):
    page = site.pages["article-8.md"]
    pending = "<mark>[「外资支持比例」](parameters.md#p-外资支持比例)（待定）</mark>"
    assert f"金额 = 「年新增实到外资」 × [「美元汇率」](parameters.md#p-美元汇率) × {pending}" in page
    params = site.pages["parameters.md"]
    assert '<span id="p-外资支持比例"></span>' in params
    row = next(line for line in params.splitlines() if 'id="p-外资支持比例"' in line)
    assert "0% 至 20%" in row and "<mark>待定</mark>" in row and "[第8条「实到外资支持」](article-8.md#k1)" in row
    row = next(line for line in params.splitlines() if 'id="p-美元汇率"' in line)
    assert "| 7.1 |" in row and "汇率（元/美元）" in row


def test_tiers_and_caps_are_tables(site):
    page = site.pages["article-8.md"]
    assert "| 档 | 「工业总产值」 | 金额 |" in page
    assert "| 1 | 达到1亿元 且 低于5亿元 | 20万元 |" in page
    assert "| 2 | 达到5亿元 | 50万元 |" in page
    assert "**上限**：最高500万元（取各上限中最小者）" in page
    assert "| 「国家级」 | 500万元 |" in page and "| 「市级」 | 300万元 |" in page


def test_exclusive_items_link_each_other(site):
    page = site.pages["article-8.md"]
    assert "**互斥**「不重复」：与 [第8条「分档」](#k2) 不得同时享受，就高" in page
    assert "**互斥**「不重复」：与 [第8条「实到外资支持」](#k1) 不得同时享受，就高" in page


def test_worked_example(site):
    page = site.pages["article-8.md"]
    case = page[page.index("### 案例「刚好达到门槛」"):]
    assert "| 「年新增实到外资」 | 200万美元 |" in case
    assert "| 已认定「企业技术中心」 | 「市级」 |" in case
    assert "| 已获 | [第8条「分档」](#k2) 2024年度 20万元 |" in case
    assert "| 设定 | [「外资支持比例」](parameters.md#p-外资支持比例) 为 5% |" in case
    # result from the interpreter beside the expectation, and the trace
    assert "| 待评定，金额 71万元 | 待评定，金额 71万元（710000.00 元） | 一致 |" in case
    assert "1. 每年支持一次：2025年度已获0次 → 是（a.pol:24）" in case
    assert "「年新增实到外资」不低于200万美元 → 是（a.pol:18）" in case


def test_output_is_deterministic_and_independent_of_location(tmp_path, site):
    again = docgen.generate(check(DATA / "a.pol"))
    assert again.pages == site.pages
    copy = tmp_path / "elsewhere"
    shutil.copytree(DATA, copy)
    moved = docgen.generate(check(copy / "a.pol"))
    assert moved.pages == site.pages
    for text in site.pages.values():
        assert str(DATA) not in text


def test_errors_refuse_generation(tmp_path):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n第1条「x」 原文\n", encoding="utf-8")
    with pytest.raises(PolcError):
        docgen.generate(check(bad))


def _policy(tmp_path, body: str, source: str) -> Path:
    (tmp_path / "src.txt").write_text(source, encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text('政策「转义<b>测试</b>」\n原文文件「src.txt」\n引用「企业」\n' + body, encoding="utf-8")
    return path


def test_policy_text_is_escaped(tmp_path):
    quote = "1. 对*重点*企业|给予_支持_<script>alert(1)</script>[链接](x)"
    path = _policy(tmp_path, f"""
参数「比例|*a*」：比例，范围 0% 至 100%，待定
第1条「标题<i>」
  原文「{quote}」
  款「款[1]」
    原文「{quote}」
    给予 按「研发费用」的「比例|*a*」
    上限 10万元
    备注「注意 `代码` 与 <b>」
""", quote)
    result = check(path)
    assert result.ok, result.diagnostics
    site = docgen.generate(result)
    text = "\n".join(site.pages.values())
    assert "<script>" not in text and "<i>" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text
    # Markdown's own characters become character references (never backslashes, which the
    # navigation would show): | * [ ] . at the start of a line.
    assert "「比例&#124;&#42;a&#42;」" in text
    assert "款「款&#91;1&#93;」" in text
    assert "> 1&#46; 对&#42;重点&#42;企业" in site.pages["article-1.md"]


def test_rules_pages_show_bindings_beside_parent_parameters(tmp_path):
    shutil.copy(DATA / "a.pol", tmp_path / "a.pol")
    shutil.copy(DATA / "a.txt", tmp_path / "a.txt")
    (tmp_path / "r.pol").write_text(
        "细则「某镇细则」\n扩展「a.pol」\n设定「外资支持比例」为 5%\n设定「外资支持比例」为 8% 自 2025-07-01 起\n"
        "补充条件 第8条「实到外资支持」：「注册在本区」\n", encoding="utf-8")
    alone = docgen.generate(check(tmp_path / "r.pol"), parent_docs="../a/")
    assert list(alone.pages) == ["index.md"]
    page = alone.pages["index.md"]
    assert "| 扩展 | [「示例政策」](../a/index.md) |" in page
    assert ("| [「外资支持比例」](../a/parameters.md#p-外资支持比例) | 比例 | 0% 至 20% | <mark>待定</mark> | 5% |   |"
            in page)
    assert "| 8% | 2025-07-01 |" in page
    assert "- [第8条「实到外资支持」](../a/article-8.md#k1)：另须 「注册在本区」" in page
    # the policy documented with the 细则: values from the 细则, a rules page, narrowed conditions
    both = docgen.generate(check(tmp_path / "a.pol", rules=tmp_path / "r.pol"))
    assert "rules.md" in both.pages
    row = next(line for line in both.pages["parameters.md"].splitlines() if 'id="p-外资支持比例"' in line)
    assert "5%（细则）；8%（自 2025-07-01 起）（细则）" in row
    assert "- 「注册在本区」：是（细则补充条件）" in both.pages["article-8.md"]
    # as polc test runs them, the policy's own case is evaluated on the policy alone
    assert "| 待评定，金额 71万元 | 待评定，金额 71万元（710000.00 元） | 一致 |" in both.pages["article-8.md"]


def test_minhang_documents_every_article():
    result = check(ROOT / "policies" / "minhang_2024.pol")
    assert result.ok
    site = docgen.generate(result)
    articles = [p for p in site.pages if re.fullmatch(r"(article|closing)-\d+\.md", p)]
    assert len(articles) == len(result.program.symbols.articles)
    assert "原文覆盖率" in site.pages["index.md"]
    assert all("**不一致**" not in text for text in site.pages.values()), "a 案例 of the Minhang policy fails"


def test_minhang_parameters_per_chapter_with_the_rules_values_and_cases_on_their_articles():
    policy = check(ROOT / "policies" / "minhang_2024.pol")
    rules = check(ROOT / "policies" / "minhang_2024_示例细则.pol")
    site = docgen.generate(policy, rules_docs=[(rules, "../minhang_2024_示例细则/")])
    chapters = {a.chapter for a in policy.program.policy.articles if a.chapter}
    pages = [p for p in site.pages if re.fullmatch(r"parameters-\d+\.md", p)]
    # the Minhang text has ten chapters (一) to (十) and 三、附则, whose only parameter (施行日期) is the
    # 施行期's: it stays on parameters.md, so ten chapter pages
    assert len(chapters) == 11 and len(pages) == 10
    assert 'id="p-施行日期"' in site.pages["parameters.md"]
    # every parameter has exactly one row, on the page of the chapter of the article that first uses it
    rows = [line for p in ["parameters.md", *pages] for line in site.pages[p].splitlines() if '<span id="p-' in line]
    assert len(rows) == len(policy.program.symbols.params)
    first = site.pages["parameters-1.md"]
    assert first.index("## [第1条 支持企业加大研发投入](article-1.md)") < first.index('id="p-研发投入支持比例"')
    row = next(line for line in first.splitlines() if 'id="p-研发投入支持比例"' in line)
    assert "| <mark>待定</mark> | 10% |" in row  # 示例细则: 设定「研发投入支持比例」为 10%
    # links to a parameter go to its chapter's page
    assert "(parameters-1.md#p-研发投入支持比例)" in site.pages["article-1.md"]
    # 第13条's tiers show the values of the 示例细则 (lines 102-107): 1亿元, 5亿元, 10亿元; 20万元, 50万元, 100万元
    tiers = site.pages["article-13.md"]
    assert ("| 1 | 达到<mark>[待定](parameters-3.md#p-工业总产值突破第一档门槛)</mark>（细则 1亿元） 且 "
            "低于<mark>[待定](parameters-3.md#p-工业总产值突破第二档门槛)</mark>（细则 5亿元） | "
            "<mark>[待定](parameters-3.md#p-工业总产值突破第一档支持金额)</mark>（细则 20万元） |") in tiers
    # 案例「第53条 未报培训费用」 is written after 第54条 and expects only results of 第53条
    assert "### 案例「第53条 未报培训费用」" in site.pages["article-53.md"]
    assert "案例「第53条 未报培训费用」" not in site.pages["article-54.md"]


def test_keyword_reference_lists_the_whole_table():
    text = reference.keyword_reference()
    for kw in KEYWORDS:
        assert f"`{kw.terminal}`" in text
        for word in kw.words:
            assert f"`{word}`" in text
    for word in BOUNDARY_WORDS:
        assert f"`{word}`" in text


def test_cli_reference_lists_every_command():
    text = reference.cli_reference()
    for command in ("check", "eval", "build", "test", "docs"):
        assert f"### polc {command}" in text
    assert "`--rules`" in text and "`-o`、`--output`" in text


def test_polc_docs_command(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "compiler.cli", "docs", str(DATA / "a.pol"), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["article-8.md", "index.md", "notes.md", "parameters.md"]
    assert (out / "article-8.md").read_text(encoding="utf-8") == docgen.generate(check(DATA / "a.pol")).pages[
        "article-8.md"]


def test_polc_docs_reports_errors_like_check(tmp_path):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n原文文件「无.txt」\n第1条「x」\n  款「y」\n    给予 按「不存在」\n", encoding="utf-8")
    docs = subprocess.run([sys.executable, "-m", "compiler.cli", "docs", str(bad), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=ROOT)
    checked = subprocess.run([sys.executable, "-m", "compiler.cli", "check", str(bad)],
                             capture_output=True, text=True, cwd=ROOT)
    assert docs.returncode == 1 and checked.returncode == 1
    errors = [line for line in checked.stdout.splitlines() if "错误[" in line]
    assert errors and all(line in docs.stderr for line in errors)
    assert not (tmp_path / "o").exists()


def test_progressive_schedule_is_a_table_of_parts():
    page = docgen.generate(check(ROOT / "tests" / "policies" / "real_rules.pol")).pages["article-1.md"]
    assert "| 段 | 「新增应税销售额」中的部分 | 比例 |" in page
    assert "| 2 | 超过100万元 且 不超过500万元 | 3% |" in page
    assert "累进计算：量落在每一段中的部分按该段的比例计算，各段相加。" in page


def test_cases_show_lists_and_earlier_recognitions():
    site = docgen.generate(check(ROOT / "policies" / "corpus" / "广州_专精特新若干措施_2025.pol"))
    page = site.pages["article-1.md"]
    assert "| 2024年度已认定 | 「专精特新小巨人」 |" in page
    assert "| 2023年度已认定 | 无 |" in page
    site = docgen.generate(check(ROOT / "policies" / "corpus" / "广州工信局_专项资金申报通知_2021.pol"))
    assert "| 列表「股权融资」 | 「入账日期」2020-09-10，「融资额」600万元 |" in site.pages["article-2.md"]
