"""Shapes of real implementing rules: 累进 (a part-by-part rate schedule), 分级 with a multiple of an
amount (加倍), 贴息 at a ratio that is itself a maximum (按不高于50%), and a period counted from an
event's day (自获奖之日起1年内), in both evaluators.

Policy: tests/policies/real_rules.pol. Every expected amount is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "real_rules.pol"
SALES = label(1, "销售累进")


@pytest.mark.parametrize("sales,amount", [
    ("80万元", "40000.00"),      # 80万 × 5% = 4万
    ("999999", "49999.95"),      # just under the first bound: 999999 × 5% = 49999.95
    ("100万元", "50000.00"),     # at the first bound: 100万 × 5% = 5万
    ("1000001", "50000.03"),     # 5万 + 1元 × 3% = 50000.03
    ("500万元", "170000.00"),    # 5万 + (500万 − 100万) × 3% = 5万 + 12万 = 17万
    ("5000100", "170001.00"),    # 17万 + 100元 × 1% = 170001
    ("1800万元", "300000.00"),   # 17万 + (1800万 − 500万) × 1% = 17万 + 13万 = 30万, the cap
    ("1799.99万元", "299999.00"),  # 17万 + (17999900 − 5000000) × 1% = 170000 + 129999 = 299999
    ("2000万元", "300000.00"),   # 17万 + 15万 = 32万 → 最高 30万
])
def test_progressive_rates_band_by_band(sales, amount):
    pair(P).expect(SALES, {"新增应税销售额": sales, "申报年度": 2025}, "符合", amount)


def test_progressive_needs_its_measure():
    r = pair(P).expect(SALES, {"申报年度": 2025}, "信息不足")
    assert r["缺少信息"] == ["新增应税销售额"]


def test_progressive_reads_back_as_its_schedule():
    from compiler.syntax import render

    item = next(i for i in pair(P).program.symbols.items.values() if i.label == SALES)
    assert render.award_text(item.award) == "累进「新增应税销售额」（不超过100万元的部分按5%，超过100万元 且 不超过500万元的部分按3%，超过500万元的部分按1%）"


GROWTH = label(5, "增量奖励")


@pytest.mark.parametrize("now,amount", [
    ("1.5亿元", "500000.00"),    # increment 5000万, all below 60% × 1亿 = 6000万: 5000万 × 1% = 50万
    ("1.6亿元", "600000.00"),    # increment 6000万, exactly at the bound: 6000万 × 1% = 60万
    ("160000001", "600000.01"),  # 60万 + 1元 × 1.2% = 600000.012 → 600000.01
    ("1.7亿元", "720000.00"),    # 6000万 × 1% + 1000万 × 1.2% = 60万 + 12万 = 72万
])
def test_progressive_bounds_may_be_computed(now, amount):
    pair(P).expect(GROWTH, {"本年产值": now, "上年产值": "1亿元", "申报年度": 2025}, "符合", amount)


@pytest.mark.parametrize("level,amount", [("国家级", "1000000.00"), ("省级", "500000.00")])
def test_graded_amount_as_a_multiple(level, amount):
    # 国家级 按 50万元 的 2倍 = 100万; 省级 50万
    pair(P).expect(label(2, "绿色工厂"), {"绿色工厂级别": level}, "符合", amount)


@pytest.mark.parametrize("interest,amount", [
    ("100万元", "500000.00"),   # at most 100万 × 50% = 50万
    ("200万元", "1000000.00"),  # 200万 × 50% = 100万, the cap
    ("300万元", "1000000.00"),  # 150万 → 最高 100万
])
def test_interest_subsidy_at_an_up_to_ratio(interest, amount):
    r = pair(P).expect(label(3, "贴息"), {"贷款利息": interest, "申报年度": 2025}, "待评定", amount)
    assert r["最多可得"] == amount


EQUITY = label(4, "股权融资奖励")


def financing(*rows):
    return [{"入账日期": day, "融资额": amount} for day, amount in rows]


def test_period_from_an_event_includes_its_day_and_the_same_day_a_year_on():
    # 获奖 2024-09-10: 2024-09-10 (the day itself, 300万) and 2025-09-10 (the same day a year on, 200万) count;
    # 2024-09-09 (before) and 2025-09-11 (a day late) do not. (300万 + 200万) × 10% = 50万
    record = {"获奖日期": "2024-09-10", "股权融资": financing(
        ("2024-09-09", "50万元"), ("2024-09-10", "300万元"), ("2025-09-10", "200万元"), ("2025-09-11", "100万元"))}
    pair(P).expect(EQUITY, record, "符合", "500000.00")


def test_period_from_the_last_day_of_february_in_a_leap_year():
    # 获奖 2024-02-29: a year on has no 29 February, so the period ends on 2025-02-28 (民法典第二百零二条)
    # 2025-02-28 counts (100万), 2025-03-01 does not: 100万 × 10% = 10万
    record = {"获奖日期": "2024-02-29", "股权融资": financing(("2025-02-28", "100万元"), ("2025-03-01", "500万元"))}
    pair(P).expect(EQUITY, record, "符合", "100000.00")


def test_no_financing_in_the_period():
    record = {"获奖日期": "2024-09-10", "股权融资": financing(("2025-09-11", "100万元"))}
    pair(P).expect(EQUITY, record, "不符合", None)


def test_unknown_event_day_is_missing_information():
    r = pair(P).expect(EQUITY, {"股权融资": financing(("2025-01-01", "100万元"))}, "信息不足")
    assert "获奖日期" in r["缺少信息"]


@pytest.mark.parametrize("grant,amount", [
    ("200万元", "1000000.00"),  # at most 200万 × 50% = 100万
    ("600万元", "3000000.00"),  # 600万 × 50% = 300万, the cap
    ("700万元", "3000000.00"),  # 350万 → 最高 300万
])
def test_matching_at_an_up_to_ratio(grant, amount):
    r = pair(P).expect(label(6, "市级配套"), {"市级资助": grant}, "待评定", amount)
    assert r["最多可得"] == amount
