"""Three-valued logic, 评定 gates, 待定 parameters, non-monetary and case-by-case items.

Policy: tests/policies/logic.pol. A fact the record does not give (absent or
null) makes a condition unknown, not false: 且 with a false side is false, 或
with a true side is true, anything else undecided is 信息不足 naming the
missing fields.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from evalkit import label, pair

P = "logic.pol"


def test_and():
    p = pair(P)
    both = label(1, "且")
    p.expect(both, {"外资企业": True, "符合产业导向": True}, "符合", "100000.00")  # 给予 10万元
    # false 且 unknown = false
    p.expect(both, {"外资企业": False}, "不符合")
    # true 且 unknown = unknown
    r = p.expect(both, {"外资企业": True}, "信息不足")
    assert r["缺少信息"] == ["符合产业导向"]
    r = p.expect(both, {}, "信息不足")
    assert r["缺少信息"] == sorted(["外资企业", "符合产业导向"])
    # null means "not known", exactly like an absent key
    r = p.expect(both, {"外资企业": True, "符合产业导向": None}, "信息不足")
    assert r["缺少信息"] == ["符合产业导向"]


def test_or():
    p = pair(P)
    either = label(1, "或")
    p.expect(either, {"外资企业": True}, "符合", "200000.00")  # true 或 unknown = true; 给予 20万元
    p.expect(either, {"民营企业": True}, "符合", "200000.00")
    r = p.expect(either, {"外资企业": False}, "信息不足")  # false 或 unknown = unknown
    assert r["缺少信息"] == ["民营企业"]
    p.expect(either, {"外资企业": False, "民营企业": False}, "不符合")


def test_not_and_except():
    p = pair(P)
    p.expect(label(1, "非"), {"上市企业": False}, "符合", "300000.00")
    p.expect(label(1, "非"), {"上市企业": True}, "不符合")
    assert p.expect(label(1, "非"), {}, "信息不足")["缺少信息"] == ["上市企业"]
    exc = label(1, "除外")
    p.expect(exc, {"规上企业": True, "房地产企业": False}, "符合", "400000.00")
    p.expect(exc, {"规上企业": True, "房地产企业": True}, "不符合")
    assert p.expect(exc, {"规上企业": True}, "信息不足")["缺少信息"] == ["房地产企业"]
    # one false condition decides, whatever else is unknown
    p.expect(exc, {"规上企业": False}, "不符合")


def test_recognitions():
    p = pair(P)
    high_tech = label(2, "高新")
    # no 已认定 at all: recognitions are unknown
    r = p.expect(high_tech, {}, "信息不足")
    assert r["缺少信息"] == ["已认定"]
    # an 已认定 object that does not list it: not held
    p.expect(high_tech, {"已认定": {}}, "不符合")
    p.expect(high_tech, {"已认定": {"高新技术企业": True}}, "符合", "50000.00")
    p.expect(high_tech, {"已认定": {"高新技术企业": False}}, "不符合")
    centre = label(2, "技术中心")
    for level in ("区级", "市级", "国家级"):  # 区级及以上
        p.expect(centre, {"已认定": {"企业技术中心": level}}, "符合", "60000.00")
    p.expect(centre, {"已认定": {"高新技术企业": True}}, "不符合")
    either = label(2, "专精特新")
    p.expect(either, {"已认定": {"专精特新小巨人": True}}, "符合", "70000.00")
    p.expect(either, {"已认定": {"专精特新中小企业": True}}, "符合", "70000.00")
    p.expect(either, {"已认定": {"高新技术企业": True}}, "不符合")


def test_text_and_set_membership():
    p = pair(P)
    industry = label(2, "行业")
    p.expect(industry, {"所属行业": "批发业"}, "符合", "80000.00")
    p.expect(industry, {"所属行业": "零售业"}, "符合", "80000.00")
    p.expect(industry, {"所属行业": "制造业"}, "不符合")
    assert p.expect(industry, {}, "信息不足")["缺少信息"] == ["所属行业"]
    honours = label(2, "荣誉")
    p.expect(honours, {"年度荣誉": ["中国专利奖", "上海知识产权创新奖"]}, "符合", "90000.00")
    p.expect(honours, {"年度荣誉": []}, "不符合")
    assert p.expect(honours, {}, "信息不足")["缺少信息"] == ["年度荣誉"]


def test_assessment_gate_gives_the_most_it_could_be():
    p = pair(P)
    item = label(3, "研发")
    # 经综合评定: 待评定 with the amount. 300万元 × 20%（取值）= 60万元, under 最高100万元
    r = p.expect(item, {"研发投入重点企业": True, "研发费用": "300万元"}, "待评定", "600000.00")
    assert r["上限"] is None
    # 800万元 × 20% = 160万元 → capped at 100万元
    r = p.expect(item, {"研发投入重点企业": True, "研发费用": "800万元"}, "待评定", "1000000.00")
    assert r["上限"] == "上限最高100万元"
    # the gate does not make a failed condition pass
    p.expect(item, {"研发投入重点企业": False, "研发费用": "800万元"}, "不符合")
    # a --set value replaces the policy's 取值: 300万元 × 10% = 30万元
    p.expect(item, {"研发投入重点企业": True, "研发费用": "300万元"}, "待评定", "300000.00",
             params={"研发支持比例": "10%"})


def test_result_shows_gate_amount_only_in_the_at_most_total():
    p = pair(P)
    result = p.evaluate({"研发投入重点企业": True, "研发费用": "300万元", "上市企业": False})
    # 符合: 第1条「非」 30万元; 待评定: 第3条「研发」 60万元
    assert result["汇总"]["合计"] == "300000.00"
    assert result["汇总"]["最高合计"] == "900000.00"


def test_pending_fixed_amount():
    p = pair(P)
    item = label(4, "固定金额待定")
    r = p.expect(item, {"外资企业": True}, "参数待定", None)
    assert r["待定参数"] == ["外资企业支持金额"]
    assert r["公式"] and "外资企业支持金额" in r["公式"]
    assert r["缺少信息"] == []
    # conditions still decide first
    p.expect(item, {"外资企业": False}, "不符合")
    # bound by the caller: 50万元
    p.expect(item, {"外资企业": True}, "符合", "500000.00", params={"外资企业支持金额": "50万元"})
    p.expect(item, {"外资企业": True}, "符合", "500000.00", params={"外资企业支持金额": Decimal("500000")})


def test_pending_ratio_and_cap():
    p = pair(P)
    item = label(4, "比例待定")
    facts = {"符合产业导向": True, "营业收入": "1000万元"}
    r = p.expect(item, facts, "参数待定")
    assert set(r["待定参数"]) == {"营收支持比例", "营收支持上限"}
    assert "「营收支持比例」" in r["公式"] and "「营收支持上限」" in r["公式"]
    # the ratio bound, the cap still 待定: 1000万元 × 5% = 50万元 cannot be checked against the cap
    r = p.expect(item, facts, "参数待定", params={"营收支持比例": "5%"})
    assert r["待定参数"] == ["营收支持上限"]
    # both bound: 50万元 capped at 30万元
    r = p.expect(item, facts, "符合", "300000.00", params={"营收支持比例": "5%", "营收支持上限": "30万元"})
    assert r["上限"] == "上限「营收支持上限」"
    # under the cap: 50万元 ≤ 80万元
    p.expect(item, facts, "符合", "500000.00", params={"营收支持比例": "5%", "营收支持上限": "80万元"})


def test_missing_fact_in_the_amount():
    p = pair(P)
    item = label(5, "研发")
    r = p.expect(item, {"规上企业": True}, "信息不足")
    assert r["缺少信息"] == ["研发费用"]
    # 600万元 × 10% = 60万元 → 最高50万元
    p.expect(item, {"规上企业": True, "研发费用": "600万元"}, "符合", "500000.00")
    # 123456.78 × 10% = 12345.678 → 12345.68
    p.expect(item, {"规上企业": True, "研发费用": "123456.78"}, "符合", "12345.68")


def test_non_monetary_and_case_by_case():
    p = pair(P)
    p.expect(label(6, "用地"), {"符合产业导向": True}, "符合", None)
    p.expect(label(6, "用地"), {"符合产业导向": False}, "不符合", None)
    p.expect(label(6, "一事一议"), {"重大项目": True}, "一事一议", None)
    assert p.expect(label(6, "一事一议"), {}, "信息不足")["缺少信息"] == ["重大项目"]


@pytest.mark.parametrize("status", ["参数待定", "信息不足", "不符合", "一事一议"])
def test_statuses_without_amount_have_no_cap(status):
    p = pair(P)
    records = {"参数待定": (label(4, "固定金额待定"), {"外资企业": True}),
               "信息不足": (label(5, "研发"), {"规上企业": True}),
               "不符合": (label(5, "研发"), {"规上企业": False}),
               "一事一议": (label(6, "一事一议"), {"重大项目": True})}
    item, record = records[status]
    r = p.expect(item, record, status, None)
    assert r["上限"] is None and "分期" not in r
