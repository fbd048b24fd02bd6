"""Time (LANGUAGE.md §9): 首次 against the record's 历年 and 上年 fields; frequencies over years.

Policy: tests/policies/first.pol. Amounts are the policy's fixed awards (50万元, 20万元).
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "first.pol"
REACH, EXCEED = label(1, "首次达到"), label(2, "首次超过")
YEAR = {"申报年度": 2025}


@pytest.mark.parametrize("earlier,status,amount", [
    ({"2023": "3亿元", "2024": "4.99亿元"}, "符合", "500000.00"),  # never 5亿 before: first time
    ({"2023": "5亿元", "2024": "4亿元"}, "不符合", None),            # reached 5亿 (含本数) in 2023
    ({"2024": "5.01亿元"}, "不符合", None),                          # last year already above
    ({}, "符合", "500000.00"),                                       # record covers no earlier year
    ({"2026": "9亿元"}, "符合", "500000.00"),                        # a later year is not earlier
    ({"2023": None, "2024": "1亿元"}, "信息不足", None),             # 2023 not known: may have reached
    ({"2023": "6亿元", "2024": None}, "不符合", None),               # 2023 known and reached decides
])
def test_first_reached_against_history(earlier, status, amount):
    record = {**YEAR, "工业总产值": "5亿元", "历年": {"工业总产值": earlier}}
    pair(P).expect(REACH, record, status, amount)


def test_not_reached_now_decides_without_history():
    # 4.99亿 < 5亿 this year: not 首次达到 whatever the history
    pair(P).expect(REACH, {**YEAR, "工业总产值": "4.99亿元"}, "不符合")


def test_missing_history_is_not_a_guess():
    r = pair(P).expect(REACH, {**YEAR, "工业总产值": "6亿元"}, "信息不足")
    assert r["缺少信息"] == ["历年.工业总产值"]


def test_history_needs_the_year():
    r = pair(P).expect(REACH, {"工业总产值": "6亿元", "历年": {"工业总产值": {"2024": "1亿元"}}}, "信息不足")
    assert r["缺少信息"] == ["申报年度"]


def test_last_year_field_is_history():
    p = pair(P)
    # 上年工业总产值 14.2亿 ≥ 5亿: reached before (the foreign_invested.json situation)
    p.expect(REACH, {**YEAR, "工业总产值": "15亿元", "上年工业总产值": "14.2亿元"}, "不符合")
    # 上年 4亿 < 5亿 and no other year: first time; the 上年 field needs no 申报年度 to be earlier
    p.expect(REACH, {"工业总产值": "5亿元", "上年工业总产值": "4亿元"}, "符合", "500000.00")


def test_strict_boundary():
    p = pair(P)
    # 首次超过 1亿元: exactly 1亿 is not above it
    p.expect(EXCEED, {**YEAR, "营业收入": "1亿元", "历年": {"营业收入": {}}}, "不符合")
    p.expect(EXCEED, {**YEAR, "营业收入": "1.0001亿元", "历年": {"营业收入": {"2024": "1亿元"}}}, "符合", "200000.00")
    p.expect(EXCEED, {**YEAR, "营业收入": "2亿元", "历年": {"营业收入": {"2024": "1.0001亿元"}}}, "不符合")


def test_history_fills_the_last_year_field():
    # 历年 gives 2024; 申报年度 2025: 「上年工业总产值」 is read from it (generalises the stdlib's 上年 fields)
    p = pair(P)
    result = p.evaluate({**YEAR, "工业总产值": "6亿元", "历年": {"工业总产值": {"2024": "5亿元"}}})
    assert [r["状态"] for r in result["条款"] if r["条款"] == REACH] == ["不符合"]


@pytest.mark.parametrize("record,where", [
    ({**YEAR, "工业总产值": "6亿元", "历年": []}, "$.历年"),
    ({**YEAR, "工业总产值": "6亿元", "历年": {"工业总产值": "5亿元"}}, "$.历年.工业总产值"),
    ({**YEAR, "工业总产值": "6亿元", "历年": {"工业总产值": {"去年": "5亿元"}}}, "$.历年.工业总产值.去年"),
    ({**YEAR, "工业总产值": "6亿元", "历年": {"工业总产值": {"2024": 5.5}}}, "$.历年.工业总产值.2024"),
    ({**YEAR, "上年工业总产值": "4亿元", "历年": {"工业总产值": {"2024": "5亿元"}}}, "$.历年.工业总产值.2024"),
])
def test_bad_history_is_reported_with_its_place(record, where):
    problems = pair(P).problems(record)
    assert [p["位置"] for p in problems] == [where]


def test_unknown_history_field_is_a_warning():
    result = pair(P).evaluate({**YEAR, "工业总产值": "6亿元", "历年": {"工业产值": {"2024": "1亿元"}}})
    assert any(w["位置"] == "$.历年.工业产值" for w in result["输入提示"])
