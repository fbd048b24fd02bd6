"""Boundary words (LANGUAGE.md §3): each word at, just below and just above its number.

Policy: tests/policies/boundaries.pol. Each item gives a fixed amount when its
single condition holds, so the expected amount is the item's own 给予 and the
only question is whether the bound includes its number.
"""

from __future__ import annotations

import pytest

from evalkit import label, pair

P = "boundaries.pol"
AT, BELOW, ABOVE = "10000000", "9999999.99", "10000000.01"  # 1000万元 and one cent either side

# (article, item, amount when it applies, applies at / below / above 1000万元)
REVENUE = [
    (1, "以上", "10000.00", (True, False, True)),      # 以上 ≥
    (1, "达到", "20000.00", (True, False, True)),      # 达到 ≥
    (1, "不低于", "30000.00", (True, False, True)),    # 不低于 ≥
    (2, "以下", "10000.00", (True, True, False)),      # 以下 ≤
    (2, "以内", "20000.00", (True, True, False)),      # 以内 ≤
    (2, "不超过", "30000.00", (True, True, False)),    # 不超过 ≤
    (2, "不高于", "40000.00", (True, True, False)),    # 不高于 ≤
    (2, "最高", "50000.00", (True, True, False)),      # 最高 ≤
    (3, "超过", "10000.00", (False, False, True)),     # 超过 >
    (3, "高于", "20000.00", (False, False, True)),     # 高于 >
    (4, "不满", "10000.00", (False, True, False)),     # 不满 <
    (4, "低于", "20000.00", (False, True, False)),     # 低于 <
    (1, "不小于", "70000.00", (True, False, True)),    # 不小于 ≥
    (2, "不大于", "60000.00", (True, True, False)),    # 不大于 ≤
    (3, "大于", "40000.00", (False, False, True)),     # 大于 >
    (4, "小于", "40000.00", (False, True, False)),     # 小于 <
]


@pytest.mark.parametrize("article,item,amount,applies", REVENUE, ids=[r[1] for r in REVENUE])
def test_money_boundary_words(article, item, amount, applies):
    p = pair(P)
    for revenue, ok in zip((AT, BELOW, ABOVE), applies):
        if ok:
            p.expect(label(article, item), {"营业收入": revenue}, "符合", amount)
        else:
            r = p.expect(label(article, item), {"营业收入": revenue}, "不符合", None)
            assert r["差距"], "a failed threshold reports how far off it is"


# (article, item, field, bound, amount, applies at / below / above)
COUNTS = [
    (1, "不少于", "门店数", 5, "40000.00", (True, False, True)),   # 不少于 5家: ≥
    (1, "及以上", "门店数", 5, "50000.00", (True, False, True)),   # 5家及以上: ≥
    (1, "含", "赛事场次", 50, "60000.00", (True, False, True)),    # 达到 50场(含): ≥
    (3, "多于", "门店数", 5, "30000.00", (False, False, True)),    # 多于 5家: >
    (4, "少于", "门店数", 5, "30000.00", (False, True, False)),    # 少于 5家: <
    # 超过 2000平方米(含)以上: the explicit (含) wins over 超过 → ≥ (and the checker warns)
    (5, "超过但含", "建筑面积", 2000, "10000.00", (True, False, True)),
    # 50场(不含)以上: the explicit (不含) wins over 以上 → >
    (5, "以上但不含", "赛事场次", 50, "20000.00", (False, False, True)),
    # 大于 2000平方米(含): the explicit (含) wins over 大于 → ≥ (and the checker warns)
    (5, "大于但含", "建筑面积", 2000, "30000.00", (True, False, True)),
    # 小于 50场(含): the explicit (含) wins over 小于 → ≤
    (5, "小于但含", "赛事场次", 50, "40000.00", (True, True, False)),
]


@pytest.mark.parametrize("article,item,field,bound,amount,applies", COUNTS, ids=[c[1] for c in COUNTS])
def test_count_boundary_words(article, item, field, bound, amount, applies):
    p = pair(P)
    for value, ok in zip((bound, bound - 1, bound + 1), applies):
        p.expect(label(article, item), {field: value}, "符合" if ok else "不符合", amount if ok else None)


def test_contradictory_bounds_are_warned():
    codes = [d.code for d in pair(P).result.warnings]
    assert codes.count("W130") == 4  # 超过…(含)以上, (不含)以上, 大于…(含), 小于…(含)


def test_derived_ratio_boundary():
    p = pair(P)
    # 研发强度 = 研发费用 ÷ 营业收入; 达到 3% is ≥: 30万 ÷ 1000万 = 3% exactly → 1万元
    p.expect(label(6, "研发强度"), {"研发费用": "300000", "营业收入": "10000000"}, "符合", "10000.00")
    # 299999.99 ÷ 1000万 = 2.9999999% < 3%
    r = p.expect(label(6, "研发强度"), {"研发费用": "299999.99", "营业收入": "10000000"}, "不符合")
    assert r["差距"] == [{"条件": "「研发强度」达到3%", "差距": "还差0.0000001%"}]
    # 300000.01 ÷ 1000万 > 3%
    p.expect(label(6, "研发强度"), {"研发费用": "300000.01", "营业收入": "10000000"}, "符合", "10000.00")


def test_a_ratio_over_zero_decides_nothing_and_says_why():
    # 营业收入 0: 研发强度 = 30万 ÷ 0 has no value, so the condition is undecided; no fact is missing,
    # and the result says the division is the reason.
    r = pair(P).expect(label(6, "研发强度"), {"研发费用": "300000", "营业收入": "0"}, "信息不足")
    assert r["缺少信息"] == ["（算式的除数为零，无法计算）"]


def test_gap_names_the_shortfall():
    p = pair(P)
    r = p.expect(label(1, "不低于"), {"营业收入": "9999999.99"}, "不符合")
    # 1000万元 − 9999999.99元 = 0.01元
    assert r["差距"] == [{"条件": "「营业收入」不低于1000万元", "差距": "还差0.01元"}]
    r = p.expect(label(3, "超过"), {"营业收入": "10000000"}, "不符合")
    assert r["差距"][0]["差距"] == "还差0元（须严格超过）"
    r = p.expect(label(2, "不超过"), {"营业收入": "10000000.01"}, "不符合")
    assert r["差距"][0]["差距"] == "超出0.01元"


def test_chinese_and_literal_money_inputs_compare_exactly():
    p = pair(P)
    # "1000万元" in the record is exactly 10000000 元
    p.expect(label(1, "不低于"), {"营业收入": "1000万元"}, "符合", "30000.00")
    p.expect(label(1, "不低于"), {"营业收入": "一千万元"}, "符合", "30000.00")
    p.expect(label(1, "不低于"), {"营业收入": 10000000}, "符合", "30000.00")
    p.expect(label(3, "超过"), {"营业收入": "1,000万元"}, "不符合")


@pytest.mark.parametrize("item,text", [("大于", "「营业收入」大于1000万元"), ("不大于", "「营业收入」不大于1000万元")])
def test_new_boundary_words_read_back_in_the_drafters_order(item, text):
    # the trace writes the word before the number, as the drafter did (not “1000万元大于”)
    article = 3 if item == "大于" else 2
    r = pair(P).expect(label(article, item), {"营业收入": "2000万元" if item == "大于" else "500万元"}, "符合",
                       "40000.00" if item == "大于" else "60000.00")
    assert any(step["检查"].startswith(text) for step in r["理由"]), r["理由"]
