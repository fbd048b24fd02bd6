"""Forms of support: matching funds (配套), interest subsidy (贴息), premium subsidy, 全额,
uplifts (上浮 … 若 …), top-ups (补差) and tranches (分期).

Policy: tests/policies/forms.pol.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from compiler import runtime as rt
from evalkit import label, pair

P = "forms.pol"


@pytest.mark.parametrize("grant,amount", [
    ("300万元", "3000000.00"),   # 1:1 → 300万元
    ("600万元", "5000000.00"),   # 600万元 → 最高500万元
    ("123.45", "123.45"),
])
def test_matching_one_to_one(grant, amount):
    pair(P).expect(label(1, "市级配套"), {"市级资助金额": grant}, "符合", amount)


def test_matching_by_parameter():
    p = pair(P)
    # 200万元 × 50%（取值）= 100万元
    p.expect(label(1, "国家配套"), {"国家资助金额": "200万元"}, "符合", "1000000.00")
    # --set 30%: 200万元 × 30% = 60万元
    p.expect(label(1, "国家配套"), {"国家资助金额": "200万元"}, "符合", "600000.00", params={"国家资助配套比例": "30%"})


@pytest.mark.parametrize("principal,years,rate,amount", [
    ("1000万元", 3, "2%", "600000.00"),       # 1000万 × 3 × 2% = 60万
    ("2000万元", 3, "2%", "1000000.00"),      # 120万 → 最高100万元
    ("1000万元", "2.5", "1.5%", "375000.00"),  # 1000万 × 2.5 × 1.5% = 37.5万
    ("1000万元", 1, "50个基点", "50000.00"),   # 1000万 × 1 × 0.5% = 5万
    ("333.33", 1, "0.15%", "0.50"),            # 0.499995 → 0.50
])
def test_interest_subsidy(principal, years, rate, amount):
    pair(P).expect(label(2, "贴息"), {"贷款本金": principal, "贴息年限": years, "贴息年利率": rate}, "符合", amount)


@pytest.mark.parametrize("premium,amount", [("10万元", "60000.00"), ("100万元", "500000.00")])
def test_premium_subsidy(premium, amount):
    # 10万 × 60% = 6万; 100万 × 60% = 60万 → 最高50万元
    pair(P).expect(label(3, "保费"), {"出口信用保险保费": premium}, "符合", amount)


@pytest.mark.parametrize("fee,amount", [("8万元", "80000.00"), ("12万元", "100000.00"), ("0", "0.00")])
def test_full_reimbursement(fee, amount):
    pair(P).expect(label(4, "担保费"), {"担保费": fee}, "符合", amount)


@pytest.mark.parametrize("held,investment,amount", [
    ({}, "1000万元", "1000000.00"),                                             # 1000万 × 10% = 100万
    ({"高新技术企业": True}, "1000万元", "1300000.00"),                         # × 1.3 = 130万
    ({"智能工厂": "国家级"}, "1000万元", "1200000.00"),                         # × 1.2 = 120万
    ({"智能工厂": "区级"}, "1000万元", "1000000.00"),                           # 区级 is below 市级及以上
    ({"高新技术企业": True, "智能工厂": "市级"}, "1000万元", "1560000.00"),     # × 1.3 × 1.2 = 156万
    ({"高新技术企业": True, "智能工厂": "市级"}, "2000万元", "2000000.00"),     # 312万 → 最高200万元
])
def test_uplifts_compound_before_the_cap(held, investment, amount):
    pair(P).expect(label(5, "技改"), {"技改投资额": investment, "已认定": held}, "符合", amount)


def test_uplift_with_unknown_condition():
    r = pair(P).expect(label(5, "技改"), {"技改投资额": "1000万元"}, "信息不足")
    assert r["缺少信息"] == ["已认定"]


CENTRE = label(6, "技术中心")


def paid(item, *amounts):
    return [{"条款": item, "年度": 2020 + i, "金额": a} for i, a in enumerate(amounts)]


@pytest.mark.parametrize("level,history,amount", [
    ("国家级", [], "1000000.00"),                     # 国家级 100万元, nothing paid before
    ("市级", paid(CENTRE, "20万元"), "300000.00"),     # 市级 50万 − 区级时已获 20万 = 30万
    ("国家级", paid(CENTRE, "20万元", "30万元"), "500000.00"),  # 100万 − (20万 + 30万) = 50万
    ("市级", paid(CENTRE, "50万元"), "0.00"),          # same level again: nothing more
    ("区级", paid(CENTRE, "50万元"), "0.00"),          # paid more than this level: never below 0
])
def test_topup_own_history(level, history, amount):
    pair(P).expect(CENTRE, {"已认定": {"企业技术中心": level}, "已获支持": history}, "符合", amount)


def test_topup_named_items():
    p = pair(P)
    high, mid = label(6, "标准高级"), label(6, "标准中级")
    held = {"标准创新型企业": "高级"}
    p.expect(high, {"已认定": held}, "符合", "500000.00")                        # 50万元 in full
    p.expect(high, {"已认定": held, "已获支持": paid(mid, "20万元")}, "符合", "300000.00")  # 50万 − 中级 20万
    # 一次性 counts only this item's own history
    p.expect(high, {"已认定": held, "已获支持": paid(high, "30万元")}, "不符合")
    # 「中级」 without 及以上 is exactly that level
    p.expect(mid, {"已认定": held}, "不符合")
    p.expect(mid, {"已认定": {"标准创新型企业": "中级"}}, "符合", "200000.00")
    p.expect(high, {"已认定": {"标准创新型企业": "中级"}}, "不符合")


def test_tranches():
    p = pair(P)
    # 100万 × 1.5倍 = 150万; 30% / 30% / 40% = 45万 / 45万 / 60万
    r = p.expect(label(7, "重大项目"), {"重大项目投资额": "100万元"}, "符合", "1500000.00")
    assert r["分期"] == ["450000.00", "450000.00", "600000.00"]


@pytest.mark.parametrize("grant,parts", [
    # 100.01元 in 50% / 25% / 25%: paid after each tranche = half-up(100.01 × 50%) = 50.01,
    # half-up(100.01 × 75%) = half-up(75.0075) = 75.01, then 100.01 → 50.01, 25.00, 25.00
    ("100.01", ["50.01", "25.00", "25.00"]),
    # 0.01元: 0.005 → 0.01 after the first; 0.0075 → 0.01 after the second → 0.01, 0.00, 0.00
    ("0.01", ["0.01", "0.00", "0.00"]),
])
def test_tranches_sum_exactly_to_the_whole(grant, parts):
    r = pair(P).expect(label(7, "小额项目"), {"小额项目资助": grant}, "符合", grant)
    assert r["分期"] == parts
    assert sum(Decimal(x) for x in r["分期"]) == Decimal(grant)


def test_tranches_of_a_rounded_amount():
    # 66.67 × 1.5 = 100.005 → 100.01 (rounded once); 30% / 60% / 100% cumulative:
    # half-up(30.003) = 30.00, half-up(60.006) = 60.01, 100.01 → 30.00, 30.01, 40.00
    r = pair(P).expect(label(7, "重大项目"), {"重大项目投资额": "66.67"}, "符合", "100.01")
    assert r["分期"] == ["30.00", "30.01", "40.00"]


@pytest.mark.parametrize("grant,parts", [
    # four tranches of 25% of 0.02元: cumulative 0.005 → 0.01, 0.01, 0.015 → 0.02, 0.02
    ("0.02", ["0.01", "0.00", "0.01", "0.00"]),
    ("100", ["25.00", "25.00", "25.00", "25.00"]),
    ("0.05", ["0.01", "0.02", "0.01", "0.01"]),  # 0.0125 → 0.01, 0.025 → 0.03, 0.0375 → 0.04, 0.05
])
def test_tranches_are_never_negative(grant, parts):
    # regression: rounding every tranche but the last half-up once gave 0.01, 0.01, 0.01, −0.01
    r = pair(P).expect(label(7, "四期"), {"创业项目资助": grant}, "符合", rt.money(Decimal(grant)))
    assert r["分期"] == parts
    assert all(Decimal(x) >= 0 for x in r["分期"])
    assert sum(Decimal(x) for x in r["分期"]) == Decimal(grant)


def test_split_tranches_properties():
    ratios = [Decimal("0.1")] * 10
    for cents in range(0, 300):
        total = Decimal(cents) / 100
        parts = rt.split_tranches(total, ratios)
        assert sum(parts) == total and all(x >= 0 for x in parts), (total, parts)
