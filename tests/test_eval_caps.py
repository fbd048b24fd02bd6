"""Caps and floors: absolute, relative, several (the least applies), per level, per unit,
annual and cumulative caps reading the 已获支持 history, floors.

Policy: tests/policies/caps.pol.
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "caps.pol"
RD = label(1, "研发")


def test_no_cap_binds():
    # 300万元 × 10% = 30万元; 最高50万元 and 1000万元 × 30% = 300万元 do not bind
    r = pair(P).expect(RD, {"研发费用": "300万元", "总投入": "1000万元"}, "符合", "300000.00")
    assert r["上限"] is None


def test_absolute_cap_binds():
    # 800万元 × 10% = 80万元 → 最高50万元; 1000万元 × 30% = 300万元 does not bind
    r = pair(P).expect(RD, {"研发费用": "800万元", "总投入": "1000万元"}, "符合", "500000.00")
    assert r["上限"] == "上限最高50万元"


def test_relative_cap_binds_and_the_least_applies():
    # 800万元 × 10% = 80万元; caps 50万元 and 100万元 × 30% = 30万元: the least, 30万元
    r = pair(P).expect(RD, {"研发费用": "800万元", "总投入": "100万元"}, "符合", "300000.00")
    assert "总投入" in r["上限"]
    # 200万元 × 10% = 20万元; caps 50万元 and 50万元 × 30% = 15万元: the least, 15万元
    pair(P).expect(RD, {"研发费用": "200万元", "总投入": "50万元"}, "符合", "150000.00")


def test_unknown_cap_base_is_missing_information():
    # the relative cap cannot be checked without 总投入
    r = pair(P).expect(RD, {"研发费用": "1万元"}, "信息不足")
    assert r["缺少信息"] == ["总投入"]


@pytest.mark.parametrize("level,rd,amount,capped", [
    ("国家级", "400万元", "800000.00", False),   # 400万 × 20% = 80万 ≤ 国家级 100万
    ("国家级", "600万元", "1000000.00", True),   # 120万 → 100万
    ("市级", "400万元", "500000.00", True),      # 80万 → 市级 50万
    ("市级", "200万元", "400000.00", False),     # 40万 ≤ 50万
])
def test_cap_per_level(level, rd, amount, capped):
    r = pair(P).expect(label(2, "技术中心"), {"研发费用": rd, "已认定": {"企业技术中心": level}}, "符合", amount)
    assert (r["上限"] is not None) == capped


def test_cap_per_level_below_the_condition():
    pair(P).expect(label(2, "技术中心"), {"研发费用": "400万元", "已认定": {"企业技术中心": "区级"}}, "不符合")


@pytest.mark.parametrize("fee,booths,amount", [
    ("30000", 2, "10000.00"),   # 3万 × 50% = 1.5万 → 2个 × 5000元 = 1万
    ("15000", 2, "7500.00"),    # 1.5万 × 50% = 7500 ≤ 1万
    ("15000", 0, "0.00"),       # no booth: the cap is 0
    ("12345.67", 3, "6172.84"),  # 6172.835 → 6172.84 (half-up), under 1.5万
])
def test_cap_per_unit(fee, booths, amount):
    pair(P).expect(label(3, "展位"), {"展位费": fee, "展位数": booths}, "符合", amount)


def test_cap_per_unit_missing_count():
    r = pair(P).expect(label(3, "展位"), {"展位费": "15000"}, "信息不足")
    assert r["缺少信息"] == ["展位数"]


DIGITAL = label(4, "改造")


def hist(*entries):
    return [{"条款": label_, "年度": year, "金额": amount} for label_, year, amount in entries]


@pytest.mark.parametrize("history,amount", [
    ([], "600000.00"),                                          # 300万 × 20% = 60万
    (hist((DIGITAL, 2025, "70万元")), "300000.00"),             # 年度上限 100万 − 2025年已获 70万 = 30万
    (hist((DIGITAL, 2024, "90万元"), (DIGITAL, 2023, "90万元")), "200000.00"),  # 累计 200万 − 180万 = 20万
    (hist((DIGITAL, 2024, "90万元")), "600000.00"),             # 2024 does not count for 2025; 累计 110万 left
    (hist((DIGITAL, 2024, "150万元"), (DIGITAL, 2025, "50万元")), "0.00"),  # 累计 200万 used up
    (hist((label(3, "展位"), 2025, "100万元")), "600000.00"),   # another item's history does not count
])
def test_annual_and_cumulative_caps(history, amount):
    record = {"改造投入": "300万元", "申报年度": 2025, "已获支持": history}
    pair(P).expect(DIGITAL, record, "符合", amount)


def test_annual_cap_needs_the_year():
    r = pair(P).expect(DIGITAL, {"改造投入": "300万元"}, "信息不足")
    assert r["缺少信息"] == ["申报年度"]


@pytest.mark.parametrize("price,valuation,amount,bound", [
    ("1000万元", "1000万元", "1000000.00", None),        # 100万 ≥ 下限 1000万 × 5% = 50万
    ("1000万元", "3000万元", "1500000.00", "下限"),       # 100万 < 下限 150万 → 150万
    ("5000万元", "1000万元", "3000000.00", "上限"),       # 500万 → 最高300万元
])
def test_floor_relative(price, valuation, amount, bound):
    r = pair(P).expect(label(5, "购置"), {"购置价": price, "评估价": valuation}, "符合", amount)
    assert (r["上限"] or "")[:2] == (bound or "")


@pytest.mark.parametrize("interest,amount", [
    ("10万元", "50000.00"),      # 10万 × 50% = 5万
    ("1万元", "10000.00"),       # 5000元 → 下限 1万元
    ("100万元", "200000.00"),    # 50万 → 最高20万元
])
def test_interest_subsidy_floor_and_cap(interest, amount):
    pair(P).expect(label(6, "贴息"), {"小微企业": True, "贷款利息": interest}, "符合", amount)


def test_cap_binds_over_a_floor_whatever_the_clause_order():
    # 2000万 × 10% = 200万; 下限 8000万 × 5% = 400万 raises it; 最高300万元 binds → 300万元
    record = {"购置价": "2000万元", "评估价": "8000万元"}
    r = pair(P).expect(label(5, "购置"), record, "符合", "3000000.00")
    assert r["上限"] == "上限最高300万元"
    from compiler.targets.python.build import source_text
    from compiler.semantics.check import check
    from compiler.targets.python.interpreter import Interpreter
    from evalkit import POLICIES, import_source

    text = (POLICIES / P).read_text(encoding="utf-8").replace(
        "    下限 按「评估价」的 5%\n    上限 最高 300万元\n", "    上限 最高 300万元\n    下限 按「评估价」的 5%\n")
    assert text != (POLICIES / P).read_text(encoding="utf-8")
    program = check(str(POLICIES / P), text=text).program
    for evaluate in (Interpreter(program).evaluate, import_source(source_text(program), "caps_swapped").evaluate):
        item = next(i for i in evaluate(record)["条款"] if i["条款"] == label(5, "购置"))
        assert (item["状态"], item["金额"]) == ("符合", "3000000.00")
