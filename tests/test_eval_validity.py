"""Validity periods (LANGUAGE.md §6): 施行 自 … 起, 试行 N, 至 …, and a start date still 待定.

Policies: tests/policies/validity.pol (2025-01-01, 试行一年), validity_end.pol
(2025-01-01 至 2025-06-30), validity_param.pol (自「施行日期」起, 试行6个月).
"""

from __future__ import annotations

import datetime

import pytest

from compiler import runtime as rt
from evalkit import label, pair

ITEM = label(1, "奖励")
OK = {"符合产业导向": True}


@pytest.mark.parametrize("as_of,status,amount", [
    ("2024-12-31", "不在施行期", None),   # the day before it starts
    ("2025-01-01", "符合", "100000.00"),  # the first day
    ("2025-06-15", "符合", "100000.00"),
    ("2025-12-31", "符合", "100000.00"),  # 试行一年 from 1 Jan: the last day is 31 Dec
    ("2026-01-01", "不在施行期", None),   # the day after
])
def test_trial_one_year(as_of, status, amount):
    p = pair("validity.pol")
    p.expect(ITEM, OK, status, amount, as_of=as_of)
    p.expect(ITEM, OK, status, amount, as_of=datetime.date.fromisoformat(as_of))


def test_out_of_force_wins_over_conditions_and_totals_are_zero():
    p = pair("validity.pol")
    p.expect(ITEM, {"符合产业导向": False}, "不在施行期", as_of="2026-01-01")
    p.expect(ITEM, {}, "不在施行期", as_of="2026-01-01")
    result = p.evaluate(OK, as_of="2026-01-01")
    assert result["汇总"]["合计"] == "0.00" and result["汇总"]["最高合计"] == "0.00"
    assert result["评估日期"] == "2026-01-01"


def test_no_date_means_not_checked():
    p = pair("validity.pol")
    result = p.evaluate(OK)
    assert result["评估日期"] is None
    p.expect(ITEM, OK, "符合", "100000.00")


def test_chinese_date_is_accepted():
    pair("validity.pol").expect(ITEM, OK, "不在施行期", as_of="2026年1月1日")


def test_bad_date_is_an_input_error():
    p = pair("validity.pol")
    for evaluate in (p.interpreter.evaluate, p.module.evaluate):
        with pytest.raises(evaluate.__globals__.get("InputError", rt.InputError)) as info:
            evaluate(OK, None, "2025-13-01")
        assert info.value.problems[0]["位置"] == "评估日期"


@pytest.mark.parametrize("as_of,status", [
    ("2024-12-31", "不在施行期"),
    ("2025-01-01", "符合"),
    ("2025-06-30", "符合"),   # 至 includes its date
    ("2025-07-01", "不在施行期"),
])
def test_explicit_end(as_of, status):
    pair("validity_end.pol").expect(ITEM, OK, status, "100000.00" if status == "符合" else None, as_of=as_of)


def test_pending_start_date():
    p = pair("validity_param.pol")
    r = p.expect(ITEM, OK, "参数待定", as_of="2025-01-01")
    assert r["待定参数"] == ["施行日期"]
    # without a date nothing is checked
    p.expect(ITEM, OK, "符合", "100000.00")


@pytest.mark.parametrize("start,as_of,status", [
    # 自 2024-02-29 起试行6个月: up to 2024-08-28, the day before 2024-08-29
    ("2024-02-29", "2024-02-28", "不在施行期"),
    ("2024-02-29", "2024-02-29", "符合"),
    ("2024-02-29", "2024-08-28", "符合"),
    ("2024-02-29", "2024-08-29", "不在施行期"),
    # 自 2024-08-31 起6个月: 2025-02-31 does not exist, so the period ends with February (2025-02-28)
    ("2024-08-31", "2025-02-28", "符合"),
    ("2024-08-31", "2025-03-01", "不在施行期"),
])
def test_start_date_bound_by_parameter(start, as_of, status):
    p = pair("validity_param.pol")
    p.expect(ITEM, OK, status, "100000.00" if status == "符合" else None, params={"施行日期": start}, as_of=as_of)
    p.expect(ITEM, OK, status, "100000.00" if status == "符合" else None,
             params={"施行日期": datetime.date.fromisoformat(start)}, as_of=as_of)
