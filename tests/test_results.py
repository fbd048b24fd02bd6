"""The portal's view of a result (compiler/targets/python/results.py): tiers, gaps on 或, conditional amounts,
what to ask next, and the compact result. Policy: tests/policies/portal.pol; the amounts in the
comments are worked out by hand from its rule text:

  第1条 营业收入达到1亿元 或 工业总产值达到2亿元 → 30万元
  第2条 研发投入重点企业 → 研发费用 × 10%，最高 50万元
  第3条 工业总产值 [1亿, 5亿) → 20万元；≥ 5亿 → 60万元
"""

from __future__ import annotations

import functools

from compiler.targets.python import results
from evalkit import POLICIES, checked
from compiler.targets.python.interpreter import Interpreter


@functools.cache
def portal() -> Interpreter:
    return Interpreter(checked(POLICIES / "portal.pol").program)


def view(record: dict) -> dict:
    out = results.portal_view(portal(), record)
    return {"items": {r["条款"]: r for r in out["条款"]}, **out}


def test_tier_reached_and_distance_to_the_next():
    items = view({"工业总产值": "1.5亿元"})["items"]
    # 1.5亿 is in the first of two tiers (20万); the second starts at 5亿: 3.5亿 short, pays 60万
    assert items["第3条「产值」"]["金额"] == "200000.00"
    assert items["第3条「产值」"]["档次"] == {
        "依据": "工业总产值", "取值": "1.5亿元", "档数": 2, "所在档": 1,
        "下一档": {"档": 2, "门槛": "5亿元", "差距": "还差3.5亿元", "金额": "600000.00"}}


def test_below_every_tier_and_in_the_top_tier():
    below = view({"工业总产值": "5000万元"})["items"]["第3条「产值」"]
    assert below["状态"] == "不符合"
    assert below["档次"]["所在档"] is None
    assert below["档次"]["下一档"] == {"档": 1, "门槛": "1亿元", "差距": "还差5000万元", "金额": "200000.00"}
    top = view({"工业总产值": "6亿元"})["items"]["第3条「产值」"]
    assert (top["金额"], top["档次"]["所在档"], top["档次"]["下一档"]) == ("600000.00", 2, None)


def test_gap_on_each_alternative_of_a_failed_or():
    item = view({"营业收入": "8000万元", "工业总产值": "1.5亿元"})["items"]["第1条「规模」"]
    assert item["状态"] == "不符合"
    # 1亿 − 8000万 = 2000万; 2亿 − 1.5亿 = 5000万
    assert item["差距"] == [{"条件": "「营业收入」达到1亿元 或 「工业总产值」达到2亿元",
                           "差距": "任一即可：「营业收入」还差2000万元；「工业总产值」还差5000万元"}]


def test_conditional_amount_for_missing_facts():
    items = view({"研发费用": "300万元"})["items"]
    # 研发投入重点企业 unknown; if true: 300万 × 10% = 30万, under the 50万 cap
    assert items["第2条「研发」"]["状态"] == "信息不足"
    assert items["第2条「研发」"]["有条件金额"] == {"条件性": True, "金额": "300000.00"}
    # 营业收入 and 工业总产值 unknown; if either is enough: 30万
    assert items["第1条「规模」"]["有条件金额"] == {"条件性": True, "金额": "300000.00"}
    # the tier measure itself is unknown: nothing to promise, no cap either
    assert "有条件金额" not in items["第3条「产值」"]


def test_conditional_amount_is_the_cap_when_the_amount_needs_a_missing_fact():
    item = view({})["items"]["第2条「研发」"]
    assert item["有条件金额"] == {"条件性": True, "最多": "500000.00", "金额还需": ["研发费用"]}


def test_conditional_amounts_stay_out_of_the_totals():
    out = view({"研发费用": "300万元"})
    assert out["汇总"]["合计"] == "0.00" and out["汇总"]["最高合计"] == "0.00"
    assert "条件性估计" in out["说明"]


def test_what_to_ask_next_ranks_by_items_then_money():
    asked = view({"研发费用": "300万元"})["建议补充"]
    # 工业总产值 would settle 第1条 (30万) and 第3条 (no amount known): two items first.
    # Then one item each, both 30万: 研发投入重点企业 and 营业收入, in name order.
    assert [(a["信息"], a["条款数"], a["涉及金额"]) for a in asked] == [
        ("工业总产值", 2, "300000.00"), ("研发投入重点企业", 1, "300000.00"), ("营业收入", 1, "300000.00")]
    assert asked[0]["涉及条款"] == ["第1条「规模」", "第3条「产值」"]


def test_compact_leaves_out_traces_and_quotes():
    out = view({"工业总产值": "1.5亿元"})
    full = portal().evaluate({"工业总产值": "1.5亿元"})
    assert all("理由" not in r and "原文" not in r for r in out["条款"])
    assert out["汇总"] == full["汇总"]
    assert [r["状态"] for r in out["条款"]] == [r["状态"] for r in full["条款"]]
    assert out["其余不符合"] == 0  # every item applies or lacks a fact: all listed


def test_compact_counts_the_items_out_of_reach_instead_of_listing_them():
    record = {"营业收入": "8000万元", "工业总产值": "1.5亿元", "研发投入重点企业": False}
    out = view(record)
    full = portal().evaluate(record)
    # 第1条 fails but is within reach (差距 on each alternative): listed. 第2条 fails on a yes/no fact,
    # nothing to reach: counted. 第3条 pays 20万 at 1.5亿: listed.
    assert [r["状态"] for r in full["条款"]] == ["不符合", "不符合", "符合"]
    assert [(r["条款"], r["状态"]) for r in out["条款"]] == [("第1条「规模」", "不符合"), ("第3条「产值」", "符合")]
    assert out["其余不符合"] == 1
    assert len(out["条款"]) + out["其余不符合"] == len(full["条款"])
