"""Semantic mistakes: each found by the resolve, type or structure pass, with its code, line and column.

Every case edits one clean policy (BASE below) and states where the diagnostic must point. Lines and
columns were counted by hand on the edited text: columns count characters from 1, so a CJK character
is one column (the caret, not the column, accounts for display width).
"""

from __future__ import annotations

import pytest

from compiler.semantics.check import check

SOURCE = "第1条 支持研发。对研发费用达到100万元的企业给予支持。\n"

BASE = [
    "政策「测试」",                                        # 1
    "原文文件「t.txt」",                                    # 2
    "引用「企业」、「认定」",                                # 3
    "施行 自 2025-01-01 起，试行一年",                      # 4
    "参数「比例」：比例，范围 0% 至 50%，取值 10%",          # 5
    "第1条「研发」",                                        # 6
    "  原文「第1条 支持研发。」",                            # 7
    "  款「研发支持」 频次 每年",                             # 8
    "    原文「对研发费用达到100万元的企业给予支持。」",       # 9
    "    条件 「研发费用」 达到 100万元",                     # 10
    "    给予 按「研发费用」的「比例」",                      # 11
    "    上限 100万元",                                      # 12
]


def run(tmp_path, replace=None, append=(), delete=(), rules=None):
    lines = list(BASE)
    for number, text in (replace or {}).items():
        lines[number - 1] = text
    for number in sorted(delete, reverse=True):
        del lines[number - 1]
    lines += list(append)
    (tmp_path / "t.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "p.pol").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if rules is not None:
        (tmp_path / "r.pol").write_text("\n".join(rules) + "\n", encoding="utf-8")
        return check(tmp_path / "r.pol")
    return check(tmp_path / "p.pol")


def found(result):
    return {(d.code, d.span.line, d.span.column) for d in result.diagnostics}


def test_the_base_policy_is_clean(tmp_path):
    assert run(tmp_path).diagnostics == []


CASES = [
    # (id, edits, code, line, column)
    ("unknown name, with the nearest as a hint", dict(replace={10: "    条件 「研发费」 达到 100万元"}), "E220", 10, 8),
    ("full-width look-alike names are one name",
     dict(append=["参数「比例１」：比例，取值 5%", "参数「比例1」：比例，取值 5%"]), "E210", 14, 1),
    ("设定 of an undeclared parameter", dict(append=["设定「比率」为 5%"]), "E225", 13, 3),
    ("互斥 names an article that does not exist",
     dict(append=["互斥「甲」：第1条「研发支持」、第9条 就高"]), "E223", 13, 17),
    ("互斥 names an item that does not exist",
     dict(append=["互斥「甲」：第1条「研发支持」、第1条「无此款」 就高"]), "E224", 13, 17),
    ("money compared with a count", dict(replace={10: "    条件 「研发费用」 达到 100家"}), "E304", 10, 8),
    ("元 compared with 美元", dict(replace={10: "    条件 「研发费用」 达到 100万美元"}), "E304", 10, 8),
    ("an award in 美元 without a rate", dict(replace={11: "    给予 按「年新增实到外资」的「比例」"}), "E311", 11, 8),
    ("an award that is not money", dict(replace={11: "    给予 「比例」"}), "E312", 11, 8),
    ("a condition that is not true or false", dict(replace={10: "    条件 「研发费用」"}), "E301", 10, 8),
    ("的 with the ratio first", dict(replace={11: "    给予 按「比例」的「研发费用」"}), "E303", 11, 8),
    ("money times money", dict(replace={11: "    给予 「研发费用」 × 「研发费用」"}), "E302", 11, 8),
    ("a quote that is not in the source",
     dict(replace={9: "    原文「对研发费用达到200万元的企业给予支持。」"}), "E403", 9, 7),
    ("an article without 原文", dict(delete=[7]), "E401", 6, 1),
    ("an item without 原文", dict(delete=[9]), "E402", 8, 3),
    ("an item without 给予", dict(delete=[11]), "E470", 8, 3),
    ("an award growing with the figures and no cap", dict(delete=[12]), "W420", 8, 3),
    ("a monetary item that does not say how often it pays", dict(replace={8: "  款「研发支持」"}), "W430", 8, 3),
    ("一次性 together with another frequency", dict(replace={8: "  款「研发支持」 频次 一次性、每年"}), "E135", 8, 11),
    ("the same frequency twice", dict(replace={8: "  款「研发支持」 频次 每年、每年"}), "E135", 8, 11),
    ("overlapping tiers", dict(replace={11: "    给予 分档「研发费用」", 12: "      档 达到 100万元 且 不超过 500万元：10万元"},
                               append=["      档 达到 500万元：20万元"]), "E410", 13, 7),
    ("a gap between tiers", dict(replace={11: "    给予 分档「研发费用」", 12: "      档 达到 100万元 且 低于 500万元：10万元"},
                                 append=["      档 超过 500万元：20万元"]), "W411", 13, 7),
    ("a higher tier paying less", dict(replace={11: "    给予 分档「研发费用」", 12: "      档 达到 100万元 且 低于 500万元：20万元"},
                                       append=["      档 达到 500万元：10万元"]), "W412", 13, 7),
    ("两款互相取代", dict(replace={12: "    上限 100万元  例外 第1条「乙」"},
                       append=["  款「乙」", "    原文「对研发费用达到100万元的企业给予支持。」", "    给予 10万元",
                               "    例外 第1条「研发支持」"]), "E430", 12, 18),
    ("a parameter's value outside its range", dict(replace={5: "参数「比例」：比例，范围 0% 至 50%，取值 60%"}), "E450", 5, 26),
    ("a range whose low end is above its high end", dict(replace={5: "参数「比例」：比例，范围 50% 至 0%，取值 10%"}),
     "E451", 5, 1),
    ("tranches that do not add up to the whole", dict(replace={12: "    上限 100万元 分期 50%、40%"}), "E460", 8, 3),
    ("non-monetary support with a cap", dict(replace={11: "    给予 非资金支持「场地」"}), "E471", 8, 3),
    ("a project field outside a per-project item",
     dict(replace={3: "引用「企业」、「认定」、「项目」", 11: "    给予 按「项目总投资」的「比例」"}), "E227", 11, 9),
    ("an unknown level", dict(replace={10: "    条件 已认定「企业技术中心」「省级」及以上"}), "E222", 10, 19),
    ("an unknown recognition", dict(replace={10: "    条件 已认定「高企」"}), "E221", 10, 11),
    ("a level asked of a recognition without levels", dict(replace={10: "    条件 已认定「高新技术企业」「市级」及以上"}),
     "E309", 10, 19),
    ("an unknown module", dict(replace={3: "引用「企业」、「认定」、「企页」"}), "E200", 3, 13),
    ("no source text declared", dict(delete=[2]), "E204", 1, 1),
    ("an operative start that is not in the source", dict(replace={2: "原文文件「t.txt」 自「第九条」起"}), "E206", 2, 1),
    ("two items with one name", dict(append=["  款「研发支持」", "    原文「对研发费用达到100万元的企业给予支持。」", "    给予 10万元"]),
     "E213", 13, 3),
    ("an article written twice",
     dict(append=["第1条「重复」 原文「第1条 支持研发。」 款「甲」 原文「对研发费用达到100万元的企业给予支持。」 给予 10万元"]),
     "E212", 13, 1),
    ("an amount expected of an item that does not qualify",
     dict(append=["案例「甲」", "  企业「研发费用」50万元", "  预期 第1条「研发支持」 不符合，金额为 5万元"]), "E490", 15, 3),
    ("a case fact of an unknown field", dict(append=["案例「甲」", "  企业「研发费」50万元", "  预期 第1条「研发支持」 不符合"]),
     "E226", 14, 5),
    ("a case fact of the wrong type", dict(append=["案例「甲」", "  企业「研发费用」50家", "  预期 第1条「研发支持」 不符合"]),
     "E313", 14, 11),
    ("a measure defined by itself", dict(append=["度量「甲」＝「甲」 + 1万元"]), "E330", 13, 1),
    ("补充条件 in a policy rather than a 细则", dict(append=["补充条件 第1条「研发支持」：「外资企业」"]), "E492", 13, 1),
    ("a case with no expectation", dict(append=["案例「空」", "  企业「研发费用」50万元"]), "W491", 13, 1),
    ("an expectation that names no item", dict(append=["案例「甲」", "  企业「研发费用」50万元", "  预期 第1条 符合"]), "E493", 15, 6),
    ("首次 on a parameter, which has no earlier years", dict(replace={10: "    条件 「比例」 首次达到 5%"}), "E316", 10, 8),
    ("首次 after an expression, not a field", dict(replace={10: "    条件 「研发费用」+1万元 首次达到 100万元"}),
     "E134", 10, 8),
    ("a case's 历年 of an unknown field", dict(append=["案例「甲」", "  历年「研发费」2024年度 50万元", "  预期 第1条「研发支持」 不符合"]),
     "E226", 14, 3),
    ("a case's 历年 value of the wrong type",
     dict(append=["案例「甲」", "  历年「研发费用」2024年度 50家", "  预期 第1条「研发支持」 不符合"]), "E313", 14, 18),
    ("补差 against an external award never declared", dict(append=["    补差：「市级奖励」"]), "E228", 13, 8),
    ("已获 of an external award never declared", dict(replace={10: "    条件 非 已获「市级奖励」"}), "E228", 10, 12),
    ("a 累进 band with its own condition",
     dict(replace={11: "    给予 累进「研发费用」", 12: "      档 不超过 500万元，若「外资企业」：10%"},
          append=["      档 超过 500万元：5%", "    上限 100万元"]), "E415", 12, 7),
    ("a 累进 band after the first with no lower bound",
     dict(replace={11: "    给予 累进「研发费用」", 12: "      档 不超过 500万元：10%"},
          append=["      档 不超过 800万元：5%", "    上限 100万元"]), "E411", 13, 7),
    ("a 累进 band that does not start where the one before ends",
     dict(replace={11: "    给予 累进「研发费用」", 12: "      档 不超过 500万元：10%"},
          append=["      档 超过 600万元：5%", "    上限 100万元"]), "E410", 13, 7),
    ("a 累进 whose last band has an upper bound",
     dict(replace={11: "    给予 累进「研发费用」", 12: "      档 不超过 500万元：10%"}, append=["    上限 100万元"]),
     "W413", 12, 7),
    ("a 累进 band paying an amount, not a rate",
     dict(replace={11: "    给予 累进「研发费用」", 12: "      档 不超过 500万元：10万元"},
          append=["      档 超过 500万元：5%", "    上限 100万元"]), "E318", 12, 19),
    ("自…起…内 of money", dict(replace={10: "    条件 「研发费用」 自 「研发费用」 起 一年内"}), "E322", 10, 8),
    ("a case's 历年 已认定 of an unknown recognition",
     dict(append=["案例「甲」", "  历年 已认定 2024年度「高企」", "  预期 第1条「研发支持」 不符合"]), "E226", 14, 10),
    ("a 细则 value outside the policy's range",
     dict(rules=["细则「示例」", "扩展「p.pol」", "设定「比例」为 80%"]), "E452", 3, 9),
]


@pytest.mark.parametrize("edits,code,line,column", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_semantic_mistake_is_reported_where_it_is(tmp_path, edits, code, line, column):
    result = run(tmp_path, **edits)
    assert (code, line, column) in found(result), sorted(found(result))
    assert not any(d.code == "E999" for d in result.diagnostics)


def test_all_semantic_errors_of_a_file_in_one_run(tmp_path):
    result = run(tmp_path, replace={10: "    条件 「研发费」 达到 100万元", 11: "    给予 「比例」"},
                 append=["设定「比率」为 5%"])
    codes = {d.code for d in result.errors}
    assert {"E220", "E312", "E225"} <= codes


def test_unknown_name_hint_names_the_nearest_field(tmp_path):
    result = run(tmp_path, replace={10: "    条件 「研发费」 达到 100万元"})
    [d] = [d for d in result.diagnostics if d.code == "E220"]
    assert "「研发费用」" in d.hint


def test_text_and_level_parameter_values_are_values_not_names(tmp_path):
    # 「制造业」 and 「市级」 are values of the parameters' types, not names to look up.
    result = run(tmp_path, append=["参数「行业」：文本，取值「制造业」", "参数「门槛级别」：等级「级别」，取值「市级」"])
    assert result.ok, [(d.code, d.message) for d in result.errors]
    result = run(tmp_path, append=["参数「门槛级别」：等级「级别」，取值「省级」"])
    assert ("E307", 13, 19) in found(result)  # 「省级」 is not a level of 「级别」


def test_a_count_limit_must_be_a_whole_number(tmp_path):
    # 频次 最多 1.5次 would silently become 1: it is an error instead, at the 频次 clause (line 13, column 5).
    result = run(tmp_path, replace={8: "  款「研发支持」"}, append=["    频次 最多 1.5次"])
    assert ("E133", 13, 5) in found(result)


# W420 only where the amount can grow without end: an upper bound in the conditions, or a tier's band
# (a band with no upper bound ends at the next band's lower bound), bounds what grows with it.
NO_CAP_BOUNDED = [
    # 研发费用 ≤ 500万元 by the condition: 按「研发费用」的 10% is at most 50万元
    ("condition bounds the base", dict(replace={10: "    条件 「研发费用」 达到 100万元 且 「研发费用」 不超过 500万元"},
                                       delete=[12])),
    ("大于…且小于 bounds it as well", dict(replace={10: "    条件 「研发费用」 大于 100万元 且 「研发费用」 小于 500万元"},
                                         delete=[12])),
    # the lower of 研发费用 (unbounded) and 300万元 is bounded
    ("较小者 with a constant", dict(replace={11: "    给予 按 较小者（「研发费用」，300万元）的「比例」"}, delete=[12])),
    # only the lower tier grows with the measure, and its band ends at 500万元
    ("a tier whose band has an upper end", dict(replace={11: "    给予 分档「研发费用」"}, delete=[12],
                                               append=["      档 达到 100万元 且 不超过 500万元：按「研发费用」的 10%",
                                                       "      档 超过 500万元：50万元"])),
    ("a tier that ends at the next band", dict(replace={11: "    给予 分档「研发费用」"}, delete=[12],
                                              append=["      档 达到 100万元：按「研发费用」的 10%",
                                                      "      档 达到 500万元：60万元"])),
]


@pytest.mark.parametrize("edits", [c[1] for c in NO_CAP_BOUNDED], ids=[c[0] for c in NO_CAP_BOUNDED])
def test_a_bounded_amount_with_no_cap_is_not_warned(tmp_path, edits):
    codes = {d.code for d in run(tmp_path, **edits).diagnostics}
    assert "W420" not in codes


STILL_UNBOUNDED = [
    # the bound is on another figure, not on the base
    ("bound on another figure", dict(replace={10: "    条件 「研发费用」 达到 100万元 且 「营业收入」 不超过 5亿元"}, delete=[12])),
    # 或: either side alone may hold, so neither bounds the base
    ("bound under 或", dict(replace={10: "    条件 「研发费用」 不超过 500万元 或 「营业收入」 达到 1亿元"}, delete=[12])),
    # the top tier has no upper end and grows with the measure
    ("the top tier grows", dict(replace={11: "    给予 分档「研发费用」"}, delete=[12],
                                append=["      档 达到 100万元 且 不超过 500万元：10万元",
                                        "      档 超过 500万元：按「研发费用」的 2%"])),
]


@pytest.mark.parametrize("edits", [c[1] for c in STILL_UNBOUNDED], ids=[c[0] for c in STILL_UNBOUNDED])
def test_an_unbounded_amount_with_no_cap_is_still_warned(tmp_path, edits):
    codes = {d.code for d in run(tmp_path, **edits).diagnostics}
    assert "W420" in codes
