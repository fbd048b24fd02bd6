"""Combining items (LANGUAGE.md §5): 互斥 就高 / 优先 / 累加, overrides (例外), the yearly total cap.

Policy: tests/policies/combine.pol.
"""

from __future__ import annotations

from evalkit import label, pair

P = "combine.pol"
CENTRE, RD = label(1, "技术中心"), label(1, "研发费用")
DISTRICT, CITY = label(2, "区级总部"), label(2, "市级总部")
SME, GIANT = label(3, "中小企业"), label(3, "小巨人")
ABOVE, HIGH_TECH = label(4, "规上"), label(4, "高新规上")


def items(result):
    return {r["条款"]: (r["状态"], r["金额"]) for r in result["条款"]}


def test_highest_keeps_the_larger():
    p = pair(P)
    # 技术中心 50万元; 研发费用 300万 × 10% = 30万元 → 就高 keeps 技术中心
    result = p.evaluate({"研发费用": "300万元", "已认定": {"企业技术中心": "市级"}})
    assert items(result)[CENTRE] == ("符合", "500000.00")
    assert items(result)[RD] == ("符合", "300000.00")  # the item still shows what it would give
    assert CENTRE in result["汇总"]["计入合计"] and RD not in result["汇总"]["计入合计"]
    assert result["汇总"]["合计"] == "500000.00"
    assert result["汇总"]["互斥"] == [f"研发不重复：取{CENTRE}"]
    # 研发费用 800万 × 10% = 80万元 > 50万元 → 就高 keeps 研发费用
    result = p.evaluate({"研发费用": "800万元", "已认定": {"企业技术中心": "市级"}})
    assert result["汇总"]["计入合计"] == [RD] and result["汇总"]["合计"] == "800000.00"


def test_highest_tie_keeps_the_first_listed():
    # 500万 × 10% = 50万元 = 技术中心 50万元: the first member written wins the tie
    result = pair(P).evaluate({"研发费用": "500万元", "已认定": {"企业技术中心": "市级"}})
    assert result["汇总"]["计入合计"] == [CENTRE] and result["汇总"]["合计"] == "500000.00"


def test_exclusive_with_one_member_applying_changes_nothing():
    result = pair(P).evaluate({"研发费用": "300万元", "已认定": {}})
    assert result["汇总"]["计入合计"] == [RD] and result["汇总"]["互斥"] == []


def test_priority_keeps_the_first_listed_that_applies():
    p = pair(P)
    # 优先: 市级总部 is listed first; it is 待评定 (经认定) 80万元; 区级总部 30万元 is left out
    result = p.evaluate({"新认定区级总部": True, "新认定市级总部": True, "已认定": {}})
    assert items(result)[CITY] == ("待评定", "800000.00")
    assert result["汇总"]["计入合计"] == [CITY]
    assert result["汇总"]["合计"] == "0.00"          # nothing certain
    assert result["汇总"]["最高合计"] == "800000.00"  # at most 80万元
    # 市级 does not apply: 区级 counts
    result = p.evaluate({"新认定区级总部": True, "新认定市级总部": False, "已认定": {}})
    assert result["汇总"]["计入合计"] == [DISTRICT] and result["汇总"]["合计"] == "300000.00"


def test_accumulate():
    # 累加: 10万元 + 20万元 = 30万元
    result = pair(P).evaluate({"已认定": {"专精特新中小企业": True, "专精特新小巨人": True}})
    assert result["汇总"]["计入合计"] == [SME, GIANT]
    assert result["汇总"]["合计"] == "300000.00"
    assert result["汇总"]["互斥"] == []


def test_override():
    p = pair(P)
    held = {"高新技术企业": True}
    # 高新规上 applies (8万元) and replaces 规上
    p.expect(HIGH_TECH, {"规上企业": True, "已认定": held}, "符合", "80000.00")
    r = p.expect(ABOVE, {"规上企业": True, "已认定": held}, "不符合")
    assert any("例外" in s["检查"] for s in r["理由"])
    # without 高新技术企业 the general item stands: 5万元
    p.expect(ABOVE, {"规上企业": True, "已认定": {}}, "符合", "50000.00")
    p.expect(HIGH_TECH, {"规上企业": True, "已认定": {}}, "不符合")
    # an undecided specific rule does not displace the general one
    p.expect(HIGH_TECH, {"规上企业": True}, "信息不足")
    p.expect(ABOVE, {"规上企业": True}, "符合", "50000.00")


EVERYTHING = {
    "规上企业": True, "研发费用": "1000万元", "新认定区级总部": True, "新认定市级总部": False,
    "已认定": {"企业技术中心": "市级", "高新技术企业": True, "专精特新中小企业": True, "专精特新小巨人": True},
}


def test_total_cap():
    # 研发费用 100万 (1000万 × 10%, 就高 over 技术中心 50万) + 区级总部 30万 + 专精特新 10万 + 20万
    # + 高新规上 8万 (规上 overridden) = 168万元 → 总额上限 150万元
    result = pair(P).evaluate(EVERYTHING)
    assert result["汇总"]["计入合计"] == [RD, DISTRICT, SME, GIANT, HIGH_TECH]
    assert result["汇总"]["合计"] == "1500000.00"
    assert result["汇总"]["最高合计"] == "1500000.00"
    assert result["汇总"]["总额上限"] == "总额上限150万元：合计封顶为150万元"


def test_total_cap_reads_this_years_history():
    history = [{"条款": GIANT, "年度": 2025, "金额": "100万元"}, {"条款": SME, "年度": 2024, "金额": "100万元"}]
    # this year already 100万元 (2024 does not count) → room 150万 − 100万 = 50万元
    result = pair(P).evaluate({**EVERYTHING, "申报年度": 2025, "已获支持": history})
    assert result["汇总"]["合计"] == "500000.00"
    # under the cap: 专精特新 alone 30万元 ≤ 50万元 left
    result = pair(P).evaluate({"申报年度": 2025, "已获支持": history,
                               "已认定": {"专精特新中小企业": True, "专精特新小巨人": True}})
    assert result["汇总"]["合计"] == "300000.00" and result["汇总"]["总额上限"] is None


def test_total_cap_binds_even_when_the_year_is_unknown():
    # Same enterprise, with 20万元 received earlier but no 申报年度: what this year already paid cannot be
    # deducted, so the cap binds at its full 150万元 and the summary says the history was not deducted.
    record = dict(EVERYTHING, 已获支持=[{"条款": RD, "年度": 2024, "金额": "20万元"}])
    result = pair(P).evaluate(record)
    assert result["汇总"]["合计"] == "1500000.00"
    assert "缺少申报年度" in result["汇总"]["总额上限"]
