"""Currencies with an explicit 汇率, and rounding: half-up (四舍五入) to 0.01元, once, at the end.

Policy: tests/policies/currency.pol.
"""

from __future__ import annotations

import pytest

from compiler.semantics.check import check
from evalkit import POLICIES, label, pair

P = "currency.pol"
FDI, FEE, ADVICE, FAIR = label(1, "外资"), label(2, "服务费"), label(2, "咨询费"), label(3, "展会")


@pytest.mark.parametrize("usd,status,amount", [
    ("200万美元", "符合", "710000.00"),      # 200万美元 × 7.1 × 5% = 71万元
    ("199.99万美元", "不符合", None),         # below 不低于 200万美元
    ("200.01万美元", "符合", "710035.50"),    # 2000100 × 7.1 × 5% = 710035.5
    ("2000万美元", "符合", "5000000.00"),    # 710万元 → 最高500万元
    (2000000, "符合", "710000.00"),          # an integer in a 美元 field is 美元
])
def test_usd_converted_by_the_rate(usd, status, amount):
    pair(P).expect(FDI, {"年新增实到外资": usd}, status, amount, params={"美元汇率": "7.1"})


def test_rate_pending():
    r = pair(P).expect(FDI, {"年新增实到外资": "200万美元"}, "参数待定")
    assert r["待定参数"] == ["美元汇率"]


@pytest.mark.parametrize("fee_usd,params,amount", [
    ("1万美元", None, "28400.00"),               # 1万 × 7.1（取值）× 40% = 28400
    ("1234.56", None, "3506.15"),                # 1234.56 × 7.1 × 0.4 = 3506.1504
    ("5万美元", None, "100000.00"),              # 142000 → 最高10万元
    ("1万美元", {"展会汇率": "7.2"}, "28800.00"),  # --set replaces 取值: 1万 × 7.2 × 40%
])
def test_rate_with_a_value(fee_usd, params, amount):
    pair(P).expect(FAIR, {"境外展位费": fee_usd}, "符合", amount, params=params)


@pytest.mark.parametrize("fee,amount", [
    ("0.25", "0.13"),     # 0.25 × 50% = 0.125 → 0.13 (half-up, not half-even 0.12)
    ("0.29", "0.15"),     # 0.145 → 0.15 (half-even would give 0.14)
    ("0.27", "0.14"),     # 0.135 → 0.14
    ("0.0099", "0.00"),   # 0.00495 → 0.00
    ("0.01", "0.01"),     # 0.005 → 0.01
    ("2万元", "10000.00"),  # 1万元 → 最高1万元
])
def test_rounding_half_up(fee, amount):
    pair(P).expect(ADVICE, {"服务费": fee}, "符合", amount)


@pytest.mark.parametrize("fee,amount", [
    # 0.87 × 10% = 0.087, × (1 + 50%) = 0.1305 → 0.13. Rounding after each step would give
    # 0.09 × 1.5 = 0.135 → 0.14.
    ("0.87", "0.13"),
    ("1", "0.15"),        # 0.1 × 1.5 = 0.15
    ("0.5", "0.08"),      # 0.05 × 1.5 = 0.075 → 0.08
])
def test_rounding_once_at_the_end(fee, amount):
    pair(P).expect(FEE, {"服务费": fee}, "符合", amount)


def test_mixing_currencies_without_a_rate_does_not_check():
    text = (POLICIES / P).read_text(encoding="utf-8").replace(
        "给予 按「境外展位费」×「展会汇率」的 40%", "给予 按「境外展位费」的 40%")
    result = check(str(POLICIES / P), text=text)
    assert "E311" in [d.code for d in result.errors]
    text = (POLICIES / P).read_text(encoding="utf-8").replace(
        "条件「年新增实到外资」 不低于 200万美元", "条件「年新增实到外资」 不低于 200万元")
    result = check(str(POLICIES / P), text=text)
    assert "E304" in [d.code for d in result.errors]
