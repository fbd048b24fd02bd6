"""Values the implementing rules write: the lesser and greater of values (较小者/较大者), lists of
records, steps and rounding, multiples and discounts, dates and equality, quantities and units.

Policy: tests/policies/values.pol. Every expected amount is worked out by hand in a comment.
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "values.pol"


# ---- 较小者 / 较大者 ----------------------------------------------------------------

@pytest.mark.parametrize("equipment,total,amount", [
    ("100万元", "1000万元", "200000.00"),   # 较小者(100万, 300万) = 100万 × 20% = 20万
    ("400万元", "1000万元", "600000.00"),   # 较小者(400万, 300万) = 300万 × 20% = 60万
    ("300万元", "1000万元", "600000.00"),   # equal: 300万 × 20% = 60万
    ("900万元", "9000万元", "1000000.00"),  # 较小者(900万, 2700万) = 900万 × 20% = 180万 → 最高100万
])
def test_lesser_of_two_bases(equipment, total, amount):
    pair(P).expect(label(1, "设备补贴"), {"设备投入": equipment, "总投入": total}, "符合", amount)


def test_lesser_with_one_side_unknown_is_undecided():
    r = pair(P).expect(label(1, "设备补贴"), {"设备投入": "100万元"}, "信息不足")
    assert r["缺少信息"] == ["总投入"]


@pytest.mark.parametrize("revenue,amount", [
    ("500万元", "100000.00"),     # 较大者(5万, 10万) = 10万
    ("1000万元", "100000.00"),    # 较大者(10万, 10万) = 10万
    ("1000.01万元", "100001.00"),  # 10000100元 × 1% = 100001 > 10万
    ("3000万元", "300000.00"),    # 较大者(30万, 10万) = 30万
])
def test_greater_of_formula_and_floor(revenue, amount):
    pair(P).expect(label(1, "营收奖励"), {"规上企业": True, "营业收入": revenue}, "符合", amount)
