"""polc verify: what it proves holds, what it cannot prove it says, and its limits are deterministic.

Each policy is verified twice: from the policy's own meaning and from the module ``polc build``
writes (``--module``), which must agree.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

from compiler.targets.smt import verify as v
from compiler.targets.python.build import source_text
from compiler.semantics.check import check

HEAD = ("政策「验证测试政策」\n原文文件「原文.txt」 自「一、支持内容」起\n施行 自 2025-01-01 起\n"
        "引用「基础」、「企业」\n\n章「一、支持内容」\n\n第1条「支持投资」\n  原文「支持投资。」\n")
TEXT = "验证测试政策\n\n一、支持内容\n\n1.支持投资。对投资给予支持。\n"


def item(name: str, *lines: str) -> str:
    return f"  款「{name}」\n    原文「对投资给予支持。」\n" + "".join(f"    {x}\n" for x in lines)


def program(tmp_path, *items: str):
    (tmp_path / "原文.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text(HEAD + "".join(items), encoding="utf-8")
    result = check(path)
    assert result.ok, [d.message for d in result.errors]
    return result.program, path


def verdicts(tmp_path, *items: str, **limits) -> list[dict]:
    """{(label, property): status} from the policy, then from its generated module."""
    prog, path = program(tmp_path, *items)
    out = []
    for module in (None, source_text(prog)):
        props = v.verify_program(prog, str(path), module_source=module, **limits)
        out.append({(p.label, p.text): p for p in props})
    return out


NEGATIVE = ("给予 按「固定资产投资」的 10%", "上限 100万元 - 「固定资产投资」× 10%", "下限 0元")


def test_set_membership_does_not_hide_a_negative_award(tmp_path):
    # 10% of an investment of 1,200万元 is 120万元; the cap 100万元 − 120万元 = −20万元 is applied after
    # the floor 0元, so the item pays −20万元 to a 制造业 enterprise. Before, 属于 on a text field
    # was encoded as never true, and both properties were "proved".
    for found in verdicts(tmp_path, item("投资", "条件 「所属行业」 属于 {「制造业」、「批发业」}", *NEGATIVE),
                          item("对照", *NEGATIVE)):
        for label in ("第1条「投资」", "第1条「对照」"):
            assert found[(label, "金额不为负")].status == "counterexample"
            assert found[(label, "遵守下限0元")].status == "counterexample"
        example = found[("第1条「投资」", "金额不为负")].example["企业"]
        assert example["所属行业"] in ("制造业", "批发业")


def test_membership_of_two_sets_on_one_field(tmp_path):
    # Two conditions on the same text field with different values: 制造业 satisfies both. The
    # second set's values must still be reachable after the first was encoded.
    for found in verdicts(tmp_path, item("投资", "条件 「所属行业」 属于 {「批发业」、「制造业」} 且 「所属行业」 属于 {「制造业」}",
                                         *NEGATIVE)):
        assert found[("第1条「投资」", "金额不为负")].status == "counterexample"


def test_a_cap_below_the_floor_is_not_proved(tmp_path):
    # 10% of the investment, at least 400万元 but at most 2% of the investment: the runtime applies the
    # floor and then the cap, so an investment of 1亿元 gets 200万元, below the floor. (Two fixed amounts,
    # 上限 300万元 with 下限 400万元, are already refused by polc check, E472.) Likewise with a 年度上限
    # of 300万元 and no earlier award: the first award is already capped to 300万元.
    for found in verdicts(tmp_path,
                          item("上限", "条件 「固定资产投资」 达到 1万元", "给予 按「固定资产投资」的 10%",
                               "上限 按「固定资产投资」的 2%", "下限 400万元"),
                          item("年度", "条件 「固定资产投资」 达到 1万元", "给予 按「固定资产投资」的 10%",
                               "年度上限 300万元", "下限 400万元")):
        assert found[("第1条「上限」", "遵守下限400万元")].status == "counterexample"
        assert found[("第1条「年度」", "遵守下限400万元")].status == "counterexample"


def test_a_floor_under_an_annual_cap_is_still_proved(tmp_path):
    # 下限 10万元 under a 年度上限 of 300万元: the floor gives way only to what history used up.
    for found in verdicts(tmp_path, item("年度", "条件 「固定资产投资」 达到 1万元", "给予 按「固定资产投资」的 10%",
                                         "年度上限 300万元", "下限 10万元")):
        assert found[("第1条「年度」", "遵守下限10万元")].status == "proved"


def test_a_decreasing_tier_table_is_not_proved_monotone(tmp_path):
    # 1000万元 up to 5000万元 gets 50万元, 5000万元 and more only 20万元: growing past 5000万元 loses 30万元.
    for found in verdicts(tmp_path, item("递减", "给予 分档「固定资产投资」",
                                         "  档 达到 1000万元 且 低于 5000万元：50万元", "  档 达到 5000万元：20万元")):
        assert found[("第1条「递减」", "分档金额随度量增长而不减少")].status == "counterexample"


def test_an_increasing_tier_table_is_proved_monotone(tmp_path):
    for found in verdicts(tmp_path, item("递增", "给予 分档「固定资产投资」",
                                         "  档 达到 1000万元 且 低于 5000万元：20万元", "  档 达到 5000万元：50万元")):
        assert found[("第1条「递增」", "分档金额随度量增长而不减少")].status == "proved"


HARD = ("条件 「研发费用」÷「营业收入」×「固定资产投资」 达到 「营业收入」× 1% 且 「研发费用」÷「固定资产投资」 达到 "
        "「营业收入」÷「研发费用」",
        "给予 按「固定资产投资」的 10%", "上限 100万元 - 「研发费用」÷「营业收入」×「固定资产投资」", "下限 0元")


def test_identical_items_get_identical_verdicts_under_a_resource_limit(tmp_path):
    # Five copies of one item with nonlinear conditions, under a small per-query resource limit:
    # whatever the solver answers, it answers the same for each copy, on every run.
    items = [item(f"同{k}", *HARD) for k in range(5)]
    runs = [verdicts(tmp_path, *items, rlimit=200_000)[0] for _ in range(2)]
    for found in runs:
        by_property = {}
        for (label, text), p in found.items():
            by_property.setdefault(text, set()).add(p.status)
        assert all(len(statuses) == 1 for statuses in by_property.values()), by_property
    assert {k: p.status for k, p in runs[0].items()} == {k: p.status for k, p in runs[1].items()}


def test_the_total_budget_stops_the_run_and_says_so(tmp_path):
    items = [item(f"同{k}", *HARD) for k in range(5)]
    found = verdicts(tmp_path, *items, budget=3 * v.QUERY_COST)[0]
    skipped = [p for p in found.values() if p.detail.startswith("已达到验证的总资源上限")]
    assert skipped and all(p.status == "unknown" for p in skipped)
    assert len(skipped) >= len(found) - 3  # at most three queries were run


def test_the_command_names_the_budget_it_hit(tmp_path):
    _, path = program(tmp_path, *[item(f"同{k}", *HARD) for k in range(3)])
    done = subprocess.run([sys.executable, "-m", "compiler.cli", "verify", str(path), "--budget", "1"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 1
    assert "已达到验证的总资源上限（1 单位，--budget）" in done.stderr
    assert "Traceback" not in done.stderr


def test_money_is_exact_in_counterexamples(tmp_path):
    found = verdicts(tmp_path, item("投资", *NEGATIVE))[0]
    example = found[("第1条「投资」", "金额不为负")].example["企业"]
    assert Decimal(example["固定资产投资"]) > Decimal("10000000")  # only above 1000万元 is the cap negative


PROGRESSIVE = ("给予 累进「固定资产投资」", "  档 不超过 1000万元：5%", "  档 超过 1000万元 且 不超过 5000万元：3%",
               "  档 超过 5000万元：1%")


def test_a_progressive_schedule_is_proved_monotone_and_capped(tmp_path):
    # 5% / 3% / 1% of the parts of 固定资产投资: never falls as the investment grows, and the cap holds
    for found in verdicts(tmp_path, item("累进", *PROGRESSIVE, "上限 最高 200万元")):
        assert found[("第1条「累进」", "累进金额随量增长而不减少")].status == "proved"
        assert found[("第1条「累进」", "遵守上限最高200万元")].status == "proved"
        assert found[("第1条「累进」", "金额不为负")].status == "proved"


def test_a_progressive_amount_under_a_falling_cap_is_not_proved_monotone(tmp_path):
    # The cap 300万元 − 10% of the investment falls as the investment grows: at 1000万元 the schedule gives
    # 50万元 and the cap is 200万元; at 2000万元 the schedule gives 80万元 but the cap is 100万元; at 2500万元
    # the cap is 50万元 < 95万元. So the paid amount falls, and verify must find such a pair.
    for found in verdicts(tmp_path, item("累进", *PROGRESSIVE, "上限 300万元 - 「固定资产投资」× 10%", "下限 0元")):
        assert found[("第1条「累进」", "累进金额随量增长而不减少")].status == "counterexample"


def test_a_period_from_an_event_day_is_encoded(tmp_path):
    # 「融资日期」自「获奖日期」起 一年内: the period's end is known to the solver only as 28 to 31 days a month on,
    # which is enough to prove the amount's sign and its cap (before, the item was reported as not encodable)
    (tmp_path / "原文.txt").write_text(TEXT, encoding="utf-8")
    policy = HEAD.replace("引用「基础」、「企业」\n", "引用「基础」、「企业」\n字段「获奖日期」：日期\n字段「融资日期」：日期\n")
    path = tmp_path / "p.pol"
    path.write_text(policy + item("期间", "条件 「融资日期」 自 「获奖日期」 起 一年内", "给予 按「固定资产投资」的 10%",
                                  "上限 最高 100万元"), encoding="utf-8")
    result = check(path)
    assert result.ok, [d.message for d in result.errors]
    for module in (None, source_text(result.program)):
        found = {p.text: p.status for p in v.verify_program(result.program, str(path), module_source=module)}
        assert found["金额不为负"] == "proved" and found["遵守上限最高100万元"] == "proved", found
