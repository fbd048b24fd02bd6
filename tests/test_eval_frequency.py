"""Counted limits: 一次性, 每年, 最多 N次, 第1至N发, read from the 已获支持 history of the same item.

Policy: tests/policies/frequency.pol.
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "frequency.pol"
ONCE, YEARLY, AT_MOST, LAUNCH = label(1, "一次性"), label(2, "每年"), label(3, "最多"), label(4, "发射")


def hist(item, *years):
    return [{"条款": item, "年度": y, "金额": "1万元"} for y in years]


def test_once():
    p = pair(P)
    p.expect(ONCE, {"首次纳入规上": True}, "符合", "100000.00")   # 给予 10万元
    r = p.expect(ONCE, {"首次纳入规上": True, "已获支持": hist(ONCE, 2019)}, "不符合")
    assert any("一次性" in s["检查"] for s in r["理由"])
    # another item's history does not count
    p.expect(ONCE, {"首次纳入规上": True, "已获支持": hist(YEARLY, 2024)}, "符合", "100000.00")
    # the frequency is checked before the conditions: already paid decides even with facts missing
    p.expect(ONCE, {"已获支持": hist(ONCE, 2024)}, "不符合")


def test_yearly():
    p = pair(P)
    base = {"符合产业导向": True, "申报年度": 2025}
    p.expect(YEARLY, base, "符合", "50000.00")                                  # 给予 5万元
    p.expect(YEARLY, {**base, "已获支持": hist(YEARLY, 2024, 2023)}, "符合", "50000.00")  # other years
    p.expect(YEARLY, {**base, "已获支持": hist(YEARLY, 2025)}, "不符合")         # already this year
    p.expect(YEARLY, {**base, "申报年度": "2025年度"}, "符合", "50000.00")


def test_yearly_needs_the_year():
    p = pair(P)
    r = p.expect(YEARLY, {"符合产业导向": True}, "信息不足")
    assert r["缺少信息"] == ["申报年度"]
    # a false condition still decides
    p.expect(YEARLY, {"符合产业导向": False}, "不符合")
    r = p.expect(YEARLY, {}, "信息不足")
    assert r["缺少信息"] == sorted(["申报年度", "符合产业导向"])


@pytest.mark.parametrize("years,status", [
    ((), "符合"),
    ((2023,), "符合"),
    ((2023, 2024), "符合"),            # the third time is still allowed
    ((2023, 2024, 2024), "不符合"),    # 最多 3次: three already
    ((2020, 2021, 2022, 2023), "不符合"),
])
def test_at_most(years, status):
    pair(P).expect(AT_MOST, {"举办重大活动": True, "已获支持": hist(AT_MOST, *years)}, status,
                   "20000.00" if status == "符合" else None)


@pytest.mark.parametrize("launched,fee,status,amount", [
    ((), "500万元", "符合", "500000.00"),             # 1st launch: 500万 × 10% = 50万
    ((2024,), "500万元", "符合", "500000.00"),        # 2nd
    ((2024, 2025), "2000万元", "符合", "1000000.00"),  # 3rd: 200万 → 最高100万元
    ((2023, 2024, 2025), "500万元", "不符合", None),   # a 4th launch is not supported
])
def test_ordinal_range(launched, fee, status, amount):
    pair(P).expect(LAUNCH, {"发射服务费": fee, "已获支持": hist(LAUNCH, *launched)}, status, amount)
