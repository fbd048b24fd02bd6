"""Tier tables (分档): band selection, lower-bound-only bands, parameters as bounds, derived measures.

Policy: tests/policies/tiers.pol.
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "tiers.pol"


@pytest.mark.parametrize("output,status,amount", [
    ("99999999.99", "不符合", None),          # below the first band (达到 1亿元)
    ("100000000", "符合", "200000.00"),       # 达到 1亿元 且 低于 5亿元 → 20万元
    ("499999999.99", "符合", "200000.00"),
    ("500000000", "符合", "500000.00"),       # 达到 5亿元 且 低于 10亿元 → 50万元
    ("999999999.99", "符合", "500000.00"),
    ("1000000000", "符合", "1000000.00"),     # 达到 10亿元 → 100万元
    ("30亿元", "符合", "1000000.00"),
])
def test_closed_bands(output, status, amount):
    pair(P).expect(label(1, "产值"), {"工业总产值": output}, status, amount)


def test_missing_measure():
    r = pair(P).expect(label(1, "产值"), {}, "信息不足")
    assert r["缺少信息"] == ["工业总产值"]


@pytest.mark.parametrize("revenue,status,amount", [
    ("9999999.99", "不符合", None),
    ("10000000", "符合", "100000.00"),        # 达到 1000万元 → 10万元 ...
    ("49999999.99", "符合", "100000.00"),     # ... which ends where the next band starts (低于 5000万元)
    ("50000000", "符合", "300000.00"),        # 达到 5000万元 → 30万元 ...
    ("100000000", "符合", "300000.00"),       # ... up to and including 1亿元, since the next band is 超过 1亿元
    ("100000000.01", "符合", "500000.00"),    # 超过 1亿元 → 50万元
])
def test_lower_bound_only_bands_close_at_the_next_band(revenue, status, amount):
    pair(P).expect(label(2, "营收"), {"营业收入": revenue}, status, amount)


STRENGTH = {"强度第一档门槛": "3%", "强度第二档门槛": "6%", "强度第一档奖励": "10万元", "强度第二档奖励": "20万元"}


def test_parameter_bounds_pending():
    p = pair(P)
    r = p.expect(label(3, "强度"), {"研发费用": "30万元", "营业收入": "1000万元"}, "参数待定")
    # the bounds decide the band, so they are what is missing; the amounts are not reached
    assert r["待定参数"] == sorted(["强度第一档门槛", "强度第二档门槛"])


def test_parameter_amount_pending_only_for_the_chosen_band():
    p = pair(P)
    bounds = {k: v for k, v in STRENGTH.items() if "门槛" in k}
    # 30万 ÷ 1000万 = 3%: the first band; only its amount is needed
    r = p.expect(label(3, "强度"), {"研发费用": "30万元", "营业收入": "1000万元"}, "参数待定", params=bounds)
    assert r["待定参数"] == ["强度第一档奖励"]
    # below every band: no amount is needed at all
    p.expect(label(3, "强度"), {"研发费用": "29.99万元", "营业收入": "1000万元"}, "不符合", params=bounds)


@pytest.mark.parametrize("rd,status,amount", [
    ("299999.99", "不符合", None),     # 2.9999999% < 3%
    ("300000", "符合", "100000.00"),   # 3%: 达到 第一档门槛 → 10万元
    ("599999.99", "符合", "100000.00"),
    ("600000", "符合", "200000.00"),   # 6%: 达到 第二档门槛 → 20万元
])
def test_derived_measure_with_bound_parameters(rd, status, amount):
    pair(P).expect(label(3, "强度"), {"研发费用": rd, "营业收入": "1000万元"}, status, amount, params=STRENGTH)


@pytest.mark.parametrize("first,second,rd,status,amount", [
    ("3%", "6%", "299999.99", "不符合", None),
    ("3%", "6%", "300000", "符合", "100000.00"),   # thresholds rising as written: 3% → 第一档 10万元
    ("3%", "6%", "600000", "符合", "200000.00"),   # 6% → 第二档 20万元
    # thresholds falling: the bands are taken by lower bound, so 第二档 (达到 3%) comes first and, open
    # above, ends where 第一档 starts (6%): 4% → 20万元; 7% is in neither (第一档 is 达到 6% 且 低于 3%)
    ("6%", "3%", "400000", "符合", "200000.00"),
    ("6%", "3%", "700000", "不符合", None),
])
def test_decide_path_reads_a_tier_table_whatever_the_order_of_its_bounds(first, second, rd, status, amount):
    # the decide path tries the bands in the order it expects and checks that order first
    params = {**STRENGTH, "强度第一档门槛": first, "强度第二档门槛": second}
    record = {"研发费用": rd, "营业收入": "1000万元"}
    pair(P).expect(label(3, "强度"), record, status, amount, params=params)
    row = next(r for r in pair(P).module.decide(record, params)["条款"] if r["条款"] == label(3, "强度"))
    assert (row["状态"], row["金额"]) == (status, amount)


@pytest.mark.parametrize("now,before,status,amount", [
    # 产值增量 = 工业总产值 − 上年工业总产值
    ("1.1亿元", "1亿元", "符合", "100000.00"),           # 1000万 × 1% = 10万
    # 增量 99999999.99 (still the first band) × 1% = 999999.9999 → rounded half-up once: 1000000.00
    ("199999999.99", "1亿元", "符合", "1000000.00"),
    ("2亿元", "1亿元", "符合", "1500000.00"),            # 1亿 × 1% + 50万 = 150万
    ("3亿元", "1亿元", "符合", "2000000.00"),            # 2亿 × 1% + 50万 = 250万 → 最高200万元
    ("1亿元", "2亿元", "不符合", None),                  # a fall is below every band
    ("10999999.99", "1000000", "不符合", None),          # 9999999.99 < 1000万
])
def test_tier_amounts_from_a_formula(now, before, status, amount):
    pair(P).expect(label(4, "增量"), {"工业总产值": now, "上年工业总产值": before}, status, amount)


def test_tier_formula_missing_fact():
    r = pair(P).expect(label(4, "增量"), {"工业总产值": "2亿元"}, "信息不足")
    assert r["缺少信息"] == ["上年工业总产值"]
