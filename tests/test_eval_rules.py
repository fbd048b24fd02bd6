"""细则 that extend a policy: parameter bindings (some from a date), narrowed conditions, added items;
and parameters given by the caller (--set), which win over every binding.

Policies: tests/policies/rules_base.pol (everything 待定) and rules_town.pol (the 细则).
"""

from __future__ import annotations

import pytest

from compiler.semantics.check import check
from evalkit import POLICIES, Pair, label, pair

RD, SHOP, TOWN = label(1, "研发"), label(2, "首店"), label(3, "镇级奖励")
FIRM = {"研发费用": "200万元", "注册在本区": True}


def test_parent_alone_is_pending():
    r = pair("rules_base.pol").expect(RD, FIRM, "参数待定")
    assert set(r["待定参数"]) == {"研发支持比例", "研发支持上限"}


@pytest.mark.parametrize("as_of,amount", [
    ("2025-06-30", "200000.00"),   # 10% until 2025-07-01: 200万 × 10% = 20万
    ("2025-07-01", "300000.00"),   # 15% from 2025-07-01 起: 200万 × 15% = 30万
    ("2026-03-01", "300000.00"),
    (None, "300000.00"),           # no date: the latest binding
])
def test_dated_bindings(as_of, amount):
    pair("rules_town.pol").expect(RD, FIRM, "符合", amount, as_of=as_of)


def test_rules_given_beside_the_policy_are_the_same():
    a = pair("rules_town.pol")
    b = Pair(POLICIES / "rules_base.pol", POLICIES / "rules_town.pol")
    for as_of in ("2025-06-30", "2025-07-01"):
        assert a.evaluate(FIRM, as_of=as_of)["条款"] == b.evaluate(FIRM, as_of=as_of)["条款"]


def test_cap_bound_by_the_rules():
    # 500万 × 15% = 75万元 → 研发支持上限 50万元
    r = pair("rules_town.pol").expect(RD, {**FIRM, "研发费用": "500万元"}, "符合", "500000.00", as_of="2025-08-01")
    assert r["上限"] == "上限「研发支持上限」"


def test_caller_parameters_win_over_the_rules():
    p = pair("rules_town.pol")
    # --set 研发支持比例=5%: 200万 × 5% = 10万, whatever the date
    for as_of in ("2025-06-30", "2025-07-01", None):
        p.expect(RD, FIRM, "符合", "100000.00", params={"研发支持比例": "5%"}, as_of=as_of)
    # --set 研发支持上限=15万元: 30万 → 15万
    p.expect(RD, FIRM, "符合", "150000.00", params={"研发支持上限": "15万元"}, as_of="2025-07-01")


def test_parameter_left_pending_by_the_rules():
    p = pair("rules_town.pol")
    r = p.expect(SHOP, {"新开首店": True}, "参数待定")
    assert r["待定参数"] == ["首店奖励"]
    p.expect(SHOP, {"新开首店": True}, "符合", "200000.00", params={"首店奖励": "20万元"})


def test_narrowed_condition():
    p = pair("rules_town.pol")
    p.expect(RD, {**FIRM, "注册在本区": False}, "不符合")
    r = p.expect(RD, {"研发费用": "200万元"}, "信息不足")
    assert r["缺少信息"] == ["注册在本区"]
    # the parent alone has no such condition
    pair("rules_base.pol").expect(RD, {"研发费用": "200万元"}, "符合", "200000.00",
                                  params={"研发支持比例": "10%", "研发支持上限": "50万元"})


def test_item_added_by_the_rules():
    p = pair("rules_town.pol")
    p.expect(TOWN, {"镇级重点企业": True, "申报年度": 2025}, "符合", "50000.00")
    p.expect(TOWN, {"镇级重点企业": True, "申报年度": 2025,
                    "已获支持": [{"条款": TOWN, "年度": 2025, "金额": "5万元"}]}, "不符合")
    assert TOWN not in [r["条款"] for r in pair("rules_base.pol").evaluate({})["条款"]]


def test_validity_of_the_parent_applies():
    # 自 2025-01-01 起试行二年: 2026-12-31 is the last day
    p = pair("rules_town.pol")
    p.expect(RD, FIRM, "符合", "300000.00", as_of="2026-12-31")
    p.expect(RD, FIRM, "不在施行期", as_of="2027-01-01")
    p.expect(TOWN, {"镇级重点企业": True, "申报年度": 2027}, "不在施行期", as_of="2027-01-01")


def test_rules_must_respect_the_parents_ranges():
    text = (POLICIES / "rules_town.pol").read_text(encoding="utf-8").replace(
        "设定「研发支持比例」为 15% 自 2025-07-01 起", "设定「研发支持比例」为 25% 自 2025-07-01 起")
    result = check(str(POLICIES / "rules_town.pol"), text=text)
    assert "E452" in [d.code for d in result.errors]


def test_generated_module_carries_the_bindings():
    module = pair("rules_town.pol").module
    assert module.PARAMETERS["研发支持比例"]["取值"] == "0.15"
    assert module.PARAMETERS["首店奖励"]["取值"] == "待定"
    assert module.POLICY["细则"] == "某镇实施细则"
