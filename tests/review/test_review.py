"""The review report (polc review): each kind of finding is found where a small draft has it,
and is not reported where the draft is clean. The drafts are tests/review/*.pol with their .txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import review as rv
from compiler.semantics.check import check
from compiler.cli import main

HERE = Path(__file__).parent


def findings(name: str, rules: str | None = None) -> list[rv.Finding]:
    result = check(HERE / name, rules=HERE / rules if rules else None)
    blocking = [d for d in result.errors if d.code not in rv.REVIEWABLE]
    assert result.program is not None and not blocking, [f"{d.code} {d.message}" for d in blocking]
    return rv.review(result.program)


def of(found, kind: str, *words: str) -> list[rv.Finding]:
    """Findings of a kind whose title, reason or quotes mention every word."""
    out = []
    for f in found:
        text = f.title + f.why + f.suggestion + "".join(q for _, q in f.quotes) + "".join("".join(r) for r in f.rows)
        if f.kind == kind and all(w in text for w in words):
            out.append(f)
    return out


def test_clean_draft_has_no_finding():
    assert findings("clean.pol") == []
    result = check(HERE / "clean.pol")
    text = rv.review_markdown(result.program)
    assert text.count("未发现此类问题。") == 3


# ---- 占位符与用语 ----

def test_placeholder_date():
    found = findings("wording.pol")
    hits = of(found, rv.PLACEHOLDER, "2024年XX月XX日")
    assert len(hits) == 1 and hits[0].severity == rv.SEVERE and hits[0].articles == ("附则1",)
    assert "施行期" in hits[0].why
    assert not any("CCER" in f.title or "MTT" in f.title for f in of(found, rv.PLACEHOLDER))


def test_self_reference_differs_from_title():
    hits = of(findings("wording.pol"), rv.TERMS, "本管理办法", "本政策意见")
    assert len(hits) == 1 and "统一改为“本政策意见”" in hits[0].suggestion


def test_assessment_wording_variant():
    hits = of(findings("wording.pol"), rv.TERMS, "经综合给予")
    assert len(hits) == 1 and hits[0].articles == ("3",)


def test_same_recognition_named_differently():
    hits = of(findings("wording.pol"), rv.TERMS, "市商务委认定的直播电商示范基地", "市级认定的直播电商示范基地")
    assert len(hits) == 1 and set(hits[0].articles) == {"1", "3"}


def test_ratio_support_written_without_ratio():
    hits = of(findings("wording.pol"), rv.TERMS, "一定比例", "按照研发投入给予一定资金支持")
    assert len(hits) == 1 and hits[0].articles == ("2",)
    assert [r[0] for r in hits[0].rows] == ["第2条「首台套」"]


def test_no_wording_finding_in_clean_draft():
    # clean.txt calls itself 本若干措施 like its title, and writes every 经综合评定 the same way
    assert of(findings("clean.pol"), rv.TERMS) == []


# ---- 可能重复资助 ----

def test_same_recognition_paid_twice():
    hits = of(findings("double.pol"), rv.DOUBLE, "测试示范企业")
    assert len(hits) == 1 and hits[0].severity == rv.SEVERE and hits[0].articles == ("1", "2")


def test_same_figure_paid_twice():
    hits = of(findings("double.pol"), rv.DOUBLE, "「研发费用」")
    assert len(hits) == 1 and hits[0].articles == ("3",)


def test_no_double_funding_when_conditions_exclude_each_other_or_text_decides():
    found = findings("double.pol")
    assert of(found, rv.DOUBLE, "测试标杆企业") == []  # 制造业 and 服务业 cannot both hold
    assert of(found, rv.DOUBLE, "测试专精特新") == []  # the recognition only opens the door
    assert of(found, rv.DOUBLE, "测试品牌") == []  # “两者不重复享受” is in the text
    assert of(found, rv.NO_DEDUP_RULE) == []  # the text has a 不重复 rule


def test_encoders_exclusive_group_is_not_the_drafts_decision():
    found = findings("wording.pol")
    hits = of(found, rv.DOUBLE, "直播电商示范基地")
    assert len(hits) == 1 and "编码时的理解" in hits[0].why
    assert len(of(found, rv.NO_DEDUP_RULE)) == 1


# ---- 条件 ----

def test_condition_that_never_holds():
    hits = of(findings("logic.pol"), rv.NEVER, "第1条")
    assert len(hits) == 1 and hits[0].severity == rv.SEVERE
    assert "达到1亿元" in hits[0].why and "低于5000万元" in hits[0].why


def test_condition_that_always_holds():
    hits = of(findings("logic.pol"), rv.ALWAYS)
    assert [h.articles for h in hits] == [("2",)]
    assert "0家以上" in hits[0].title  # and not 「区级」及以上: levels below 区级 exist in reality


def test_tier_never_reached_under_the_items_condition():
    hits = of(findings("logic.pol"), rv.NEVER, "第3条", "低于5000万元")
    assert len(hits) == 1


def test_pending_thresholds_are_not_contradictions():
    assert of(findings("logic.pol"), rv.NEVER, "第4条") == []


# ---- 分档 ----

def test_tiers_overlap_gap_and_order():
    found = findings("tiers.pol")
    assert [f.articles for f in of(found, rv.TIERS, "重叠")] == [("1",), ("5",)]
    assert [f.articles for f in of(found, rv.TIERS, "空档")] == [("2",)]
    assert [f.articles for f in of(found, rv.TIERS, "递增")] == [("3",)]
    assert of(found, rv.TIERS, "第4条") == []  # pending bounds that meet at the same parameter


def test_tier_problems_is_what_polc_check_uses():
    result = check(HERE / "tiers.pol")
    codes = sorted(d.code for d in result.diagnostics if d.code in ("E410", "W411", "W412"))
    assert codes == ["E410", "W411", "W412"]  # numeric tables only; symbolic ones are the review's


# ---- 边界词 ----

def test_contradictory_boundary_words_in_the_text():
    hits = of(findings("boundary.pol"), rv.BOUNDARY, "互相矛盾")
    assert sorted(h.articles for h in hits) == [("1",), ("2",)]
    assert all(h.severity == rv.SEVERE for h in hits)
    assert not of(findings("boundary.pol"), rv.BOUNDARY, "第3条「外资」")  # the text says 不低于: clear


def test_missing_and_ambiguous_boundary_words():
    found = findings("boundary.pol")
    missing = of(found, rv.BOUNDARY, "没有边界词")
    assert [m.articles for m in missing] == [("2",)] and "2家" in missing[0].title
    assert len(of(found, rv.BOUNDARY, "“突破”")) == 1
    assert not of(found, rv.BOUNDARY, "30个") and not of(found, rv.BOUNDARY, "3发")


# ---- 上限与待定事项 ----

def test_uncapped_items():
    hits = of(findings("caps.pol"), rv.UNCAPPED)
    assert len(hits) == 1
    assert [r[0] for r in hits[0].rows] == ["第1条「技改」", "第2条「研发」"]


def test_pending_parameters_by_article_and_bound_by_rules():
    hits = of(findings("caps.pol"), rv.PENDING)
    assert len(hits) == 1 and [r[0] for r in hits[0].rows] == ["第1条", "第2条", "第3条"]
    assert "新落户企业的支持金额" in hits[0].rows[2][1]  # the description, without its “第3条：”
    bound = findings("caps.pol", rules="caps_rules.pol")
    assert of(bound, rv.PENDING) == []
    assert [r[0] for f in of(bound, rv.UNCAPPED) for r in f.rows] == ["第1条「技改」"]


# ---- 原文覆盖与备注 ----

def test_uncovered_sentence():
    hits = of(findings("notes.pol"), rv.UNCOVERED)
    assert len(hits) == 1 and hits[0].articles == ("2",) and hits[0].quotes[0][1] == "支持企业打造示范场景,鼓励先行先试。"


def test_notes_become_findings_and_explanations_an_appendix():
    found = findings("notes.pol")
    assert len(of(found, rv.DOUBLE, "智能工厂")) == 1
    typos = of(found, rv.NOTE, "同—型号")
    assert len(typos) == 1 and typos[0].severity == rv.GENERAL and len(typos[0].rows) == 2
    assert len(of(found, rv.NOTE, "未写支持频次")) == 1
    ambiguous = of(found, rv.NOTE, "歧义")
    assert len(ambiguous) == 1 and "“按照项目年限给予”" in ambiguous[0].suggestion
    assert len(of(found, rv.NOTE, "未写支持金额的计算方法")) == 1
    text = rv.review_markdown(check(HERE / "notes.pol").program)
    appendix = text.split("## 附：编码说明")[1]
    assert "『智能项目投资』" in appendix and "『智能项目投资』" not in text.split("## 附：编码说明")[0]


# ---- the report and the command ----

def test_report_is_grouped_by_severity_and_deterministic(tmp_path):
    result = check(HERE / "wording.pol")
    text = rv.review_markdown(result.program)
    assert text == rv.review_markdown(check(HERE / "wording.pol").program)
    positions = [text.index(f"## {s}") for s in rv.SEVERITIES]
    assert positions == sorted(positions)
    assert "- **意见建议**：" in text and "> **附则第1条**：本管理办法自2024年XX月XX日起施行" in text


def test_cli_writes_the_report(tmp_path, capsys):
    out = tmp_path / "审查报告.md"
    assert main(["review", str(HERE / "boundary.pol"), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# 审查报告：某区边界词测试政策")
    assert "严重 2" in capsys.readouterr().err


def test_cli_refuses_a_file_with_errors(tmp_path, capsys):
    bad = tmp_path / "bad.pol"
    bad.write_text("政策「坏」\n第1条「缺」\n", encoding="utf-8")
    assert main(["review", str(bad)]) == 1
    assert "无法审查" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["clean.pol", "wording.pol", "double.pol", "logic.pol", "tiers.pol",
                                  "boundary.pol", "caps.pol", "notes.pol"])
def test_every_finding_is_complete(name):
    for f in findings(name):
        assert f.severity in rv.SEVERITIES and f.kind and f.title and f.why
        assert f.suggestion.startswith(("建议", "如", "请")), f.suggestion
        assert f.quotes or f.rows, f.title


def test_items_whose_frequency_the_text_does_not_state():
    # tests/policies/frequency_scopes.pol: 第5条 states its reading (频次 一次性，原文未写), 第6条 writes no 频次;
    # 第1至4条 take their frequency from the text and are not listed.
    result = check(HERE.parent / "policies" / "frequency_scopes.pol")
    found = of(rv.review(result.program), rv.FREQUENCY)
    assert len(found) == 1
    assert found[0].articles == ("5", "6")
    assert found[0].rows == (("第5条「总部奖励」", "一次性支持（原文未写，编码理解）"),
                             ("第6条「研发机构」", "默认：每次符合条件均支持，不看已获支持"))
