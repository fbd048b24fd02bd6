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


# ---- frequencies: 每年、最多 N次; 每季度; 每月; 每次 (tests/policies/frequency_scopes.pol) ----

F = "frequency_scopes.pol"
YEARLY_THRICE, QUARTER, MONTH, EACH = label(1, "研发达标"), label(2, "稳岗"), label(3, "实训租金"), label(4, "推介活动")


def paid(item, *periods):
    """History entries: a year, or (year, {"季度": q}) / (year, {"月份": m})."""
    out = []
    for p in periods:
        year, extra = p if isinstance(p, tuple) else (p, {})
        out.append({"条款": item, "年度": year, "金额": "1万元", **extra})
    return out


@pytest.mark.parametrize("years,status", [
    ((), "符合"),
    ((2023, 2024), "符合"),             # third year: still within 最多 3次
    ((2025,), "不符合"),                # already paid this year (每年)
    ((2022, 2023, 2024), "不符合"),     # three years paid (最多 3次), although not this year
])
def test_yearly_and_at_most(years, status):
    record = {"研发投入达标": True, "申报年度": 2025, "已获支持": paid(YEARLY_THRICE, *years)}
    r = pair(F).expect(YEARLY_THRICE, record, status, "100000.00" if status == "符合" else None)  # 给予 10万元
    assert sum("每年支持一次" in s["检查"] or "最多支持3次" in s["检查"] for s in r["理由"]) == 2


@pytest.mark.parametrize("history,status", [
    ((), "符合"),
    (((2025, {"季度": 1}),), "符合"),        # another quarter
    (((2024, {"季度": 2}),), "符合"),        # same quarter, another year
    (((2025, {"季度": 2}),), "不符合"),      # this quarter
    (((2025, {"月份": 5}),), "不符合"),      # May is in the second quarter
    (((2025, {"月份": 3}),), "符合"),        # March is in the first
    ((2025,), "不符合"),                     # names no quarter: may have been this one
])
def test_quarterly(history, status):
    record = {"稳岗企业": True, "申报年度": 2025, "申报季度": 2, "已获支持": paid(QUARTER, *history)}
    pair(F).expect(QUARTER, record, status, "10000.00" if status == "符合" else None)  # 给予 1万元


@pytest.mark.parametrize("history,status", [
    ((), "符合"),
    (((2025, {"月份": 4}),), "符合"),
    (((2025, {"月份": 5}),), "不符合"),
    (((2025, {"季度": 1}),), "符合"),        # a first-quarter award is not for May
    (((2025, {"季度": 2}),), "不符合"),      # a second-quarter award naming no month may be May's
])
def test_monthly(history, status):
    record = {"租用公共实训基地": True, "申报年度": 2025, "申报月份": 5, "已获支持": paid(MONTH, *history)}
    pair(F).expect(MONTH, record, status, "2000.00" if status == "符合" else None)  # 给予 2000元


def test_period_must_be_given():
    p = pair(F)
    r = p.expect(QUARTER, {"稳岗企业": True, "申报年度": 2025}, "信息不足")
    assert r["缺少信息"] == ["申报季度"]
    r = p.expect(MONTH, {"租用公共实训基地": True}, "信息不足")
    assert r["缺少信息"] == ["申报年度", "申报月份"]
    p.expect(MONTH, {"租用公共实训基地": False}, "不符合")  # a false condition still decides


@pytest.mark.parametrize("record,where", [
    ({"申报季度": 5}, "$.申报季度"),
    ({"申报月份": "1.5"}, "$.申报月份"),
    ({"已获支持": [{"条款": label(2, "稳岗"), "年度": 2025, "金额": 1, "季度": 0}]}, "$.已获支持[0].季度"),
    ({"已获支持": [{"条款": label(3, "实训租金"), "年度": 2025, "金额": 1, "月份": "5"}]}, "$.已获支持[0].月份"),
])
def test_bad_periods_are_reported(record, where):
    assert [p["位置"] for p in pair(F).problems(record)] == [where]


def test_each_time_reads_no_history():
    record = {"举办推介活动": True, "已获支持": paid(EACH, 2025, 2025, 2025)}
    pair(F).expect(EACH, record, "符合", "5000.00")  # 给予 5000元, every time


def test_default_frequency_is_warned():
    codes = [(d.code, d.span.line) for d in pair(F).result.warnings]
    assert codes == [("W430", 57)]  # only 第6条, which writes no 频次; 第5条 states its reading


# ---- scoped caps (tests/policies/scoped_caps.pol) ----

S = "scoped_caps.pol"
PER_PROJECT_CAP, WINDOW_CAP, ENTERPRISE_CAP = label(1, "项目累计"), label(2, "三年内累计"), label(3, "企业累计")


def projects(*investments):
    return [{"项目名称": name, "核定投资额": amount} for name, amount in investments]


def test_cumulative_cap_per_project():
    p = pair(S)
    # A: 800万 × 10% = 80万, already 60万 for A → room 40万; B: 500万 × 10% = 50万, nothing before → 50万.
    # Total 40 + 50 = 90万元. B is not limited by A's history.
    history = [{"条款": PER_PROJECT_CAP, "年度": 2024, "金额": "60万元", "项目": "A"}]
    record = {"项目": projects(("A", "800万元"), ("B", "500万元")), "已获支持": history}
    r = p.expect(PER_PROJECT_CAP, record, "符合", "900000.00")
    assert any(s.get("项目") == "A" and "本项目已获60万元" in s["结果"] for s in r["理由"])
    # A already has 100万: nothing more for A; B still 50万
    history = [{"条款": PER_PROJECT_CAP, "年度": 2024, "金额": "100万元", "项目": "A"}]
    p.expect(PER_PROJECT_CAP, {**record, "已获支持": history}, "符合", "500000.00")
    # an award naming no project may have gone to either: counts against both (60万 → rooms 40万 and 40万)
    history = [{"条款": PER_PROJECT_CAP, "年度": 2024, "金额": "60万元"}]
    p.expect(PER_PROJECT_CAP, {**record, "已获支持": history}, "符合", "800000.00")


def test_enterprise_cumulative_cap_is_one_pot():
    # the same figures under 累计上限 150万元 (每家企业): 80万 + 50万 = 130万, already 60万 → room 90万
    history = [{"条款": ENTERPRISE_CAP, "年度": 2024, "金额": "60万元", "项目": "A"}]
    record = {"项目": projects(("A", "800万元"), ("B", "500万元")), "已获支持": history}
    pair(S).expect(ENTERPRISE_CAP, record, "符合", "900000.00")
    history = [{"条款": ENTERPRISE_CAP, "年度": 2024, "金额": "140万元", "项目": "A"}]
    pair(S).expect(ENTERPRISE_CAP, {**record, "已获支持": history}, "符合", "100000.00")  # 150 − 140


@pytest.mark.parametrize("years,amount", [
    ((), "1000000.00"),                  # 1000万 × 10% = 100万, nothing in the window
    ((2023, 2024), "0.00"),              # 2023 and 2024 each 100万: 200万 used in 2023–2025
    ((2022, 2024), "1000000.00"),        # 2022 is outside 2023–2025: 100万 used, room 100万
    ((2021, 2022), "1000000.00"),        # both outside
])
def test_cap_within_three_years(years, amount):
    history = [{"条款": WINDOW_CAP, "年度": y, "金额": "100万元"} for y in years]
    record = {"研发投入达标": True, "研发费用": "1000万元", "申报年度": 2025, "已获支持": history}
    pair(S).expect(WINDOW_CAP, record, "符合", amount)


def test_cap_within_years_needs_the_year():
    r = pair(S).expect(WINDOW_CAP, {"研发投入达标": True, "研发费用": "1000万元"}, "信息不足")
    assert r["缺少信息"] == ["申报年度"]


# ---- 总额上限 without 每年: all past awards count (tests/policies/lifetime_total.pol) ----

@pytest.mark.parametrize("history,total", [
    ((), "1100000.00"),                            # 60万 + 50万 = 110万 ≤ 200万
    ((("第1条「技术中心」", 2023, "150万元"),), "500000.00"),  # 技术中心 paid (一次性); 总部 50万 ≤ 200 − 150
    ((("第2条「总部」", 2021, "180万元"),), "200000.00"),      # 技术中心 60万 → room 200 − 180 = 20万
    ((("第2条「总部」", 2024, "200万元"),), "0.00"),           # room 0
])
def test_total_cap_over_all_years(history, total):
    record = {"新认定市级企业技术中心": True, "新认定市级总部": True, "申报年度": 2025,
              "已获支持": [{"条款": item, "年度": year, "金额": amount} for item, year, amount in history]}
    result = pair("lifetime_total.pol").evaluate(record)
    assert result["汇总"]["合计"] == total


def test_total_cap_over_all_years_needs_no_year():
    # an earlier year's 150万 counts although 申报年度 is not given: 60 + 50 = 110万 → room 50万
    record = {"新认定市级企业技术中心": True, "新认定市级总部": True,
              "已获支持": [{"条款": "第1条「技术中心」", "年度": 2020, "金额": "150万元"}]}
    result = pair("lifetime_total.pol").evaluate(record)
    assert result["汇总"]["合计"] == "500000.00"  # 技术中心 already paid once; 总部 50万 within room 50万
    assert "缺少申报年度" not in (result["汇总"]["总额上限"] or "")


# ---- awards under other policies: 外部支持, 补差 and 已获 (tests/policies/external.pol) ----

GIANT, SPECIAL = label(1, "小巨人"), label(2, "专精特新")


def external(name, year, amount):
    return {"条款": f"外部「{name}」", "年度": year, "金额": amount}


@pytest.mark.parametrize("history,amount", [
    ((), "1000000.00"),                                              # 100万元, nothing received before
    ((("市级小巨人奖励", 2024, "40万元"),), "600000.00"),             # 100 − 40
    ((("市级小巨人奖励", 2023, "30万元"), ("市级小巨人奖励", 2024, "20万元")), "500000.00"),  # 100 − 50
    ((("市级小巨人奖励", 2024, "120万元"),), "0.00"),                 # already more: nothing to top up
    ((("市级专精特新奖励", 2024, "30万元"),), "1000000.00"),          # another external award: not deducted
])
def test_top_up_against_an_external_award(history, amount):
    record = {"国家级小巨人": True, "已获支持": [external(*h) for h in history]}
    pair("external.pol").expect(GIANT, record, "符合", amount)


def test_not_paid_twice_against_an_external_award():
    p = pair("external.pol")
    p.expect(SPECIAL, {"市级专精特新": True}, "符合", "300000.00")
    p.expect(SPECIAL, {"市级专精特新": True, "已获支持": [external("市级专精特新奖励", 2023, "30万元")]}, "不符合")
    p.expect(SPECIAL, {"市级专精特新": True, "已获支持": [external("市级小巨人奖励", 2023, "30万元")]},
             "符合", "300000.00")


def test_external_awards_are_not_results():
    # declared external awards are inputs only: they never appear among the items evaluated
    result = pair("external.pol").evaluate({"国家级小巨人": True})
    assert [r["条款"] for r in result["条款"]] == [GIANT, SPECIAL]


def test_an_undeclared_external_award_is_rejected_in_the_record():
    problems = pair("external.pol").problems({"已获支持": [external("区级奖励", 2024, "1万元")]})
    assert [p["位置"] for p in problems] == ["$.已获支持[0].条款"]


# ---- 例外 and 互斥 project by project (tests/policies/per_project_combine.pol) ----

TECH, SMART, GREEN, DIGITAL = label(1, "技改"), label(2, "智能工厂"), label(3, "绿色工厂"), label(3, "数字化")


def test_override_holds_project_by_project():
    # A is 技改 and 智能工厂: 智能工厂 pays A 500万 × 20% = 100万 and takes A out of 技改;
    # B is 技改 only: 技改 pays B 300万 × 10% = 30万 (before, 例外 dropped 技改 for every project).
    record = {"项目": [{"项目名称": "A", "技改项目": True, "智能工厂项目": True, "核定投资额": "500万元"},
                     {"项目名称": "B", "技改项目": True, "智能工厂项目": False, "核定投资额": "300万元"}]}
    result = pair("per_project_combine.pol").evaluate(record)
    got = {r["条款"]: (r["状态"], r["金额"], r.get("项目金额")) for r in result["条款"]}
    assert got[SMART] == ("符合", "1000000.00", {"A": "1000000.00"})
    assert got[TECH] == ("符合", "300000.00", {"B": "300000.00"})
    assert result["汇总"]["合计"] == "1300000.00"  # 100 + 30


def test_override_takes_all_when_every_project_is_overridden():
    record = {"项目": [{"项目名称": "A", "技改项目": True, "智能工厂项目": True, "核定投资额": "500万元"}]}
    result = pair("per_project_combine.pol").evaluate(record)
    r = next(x for x in result["条款"] if x["条款"] == TECH)
    assert (r["状态"], r["金额"]) == ("不符合", None)
    assert any("被第2条「智能工厂」取代" in s["检查"] and s.get("项目") == "A" for s in r["理由"])
    assert result["汇总"]["合计"] == "1000000.00"


def test_exclusion_keyed_by_project():
    # P is green and digital: 就高 keeps green 50万 for P; Q is digital only: 30万. Both items are paid.
    record = {"项目": [{"项目名称": "P", "绿色工厂项目": True, "数字化项目": True},
                     {"项目名称": "Q", "绿色工厂项目": False, "数字化项目": True}]}
    result = pair("per_project_combine.pol").evaluate(record)
    got = {r["条款"]: (r["状态"], r["金额"]) for r in result["条款"]}
    assert got[GREEN] == ("符合", "500000.00")
    assert got[DIGITAL] == ("符合", "300000.00")  # only Q's 30万 left (P's 30万 lost to green)
    assert result["汇总"]["合计"] == "800000.00"
    assert "同一项目不重复支持：项目「P」取第3条「绿色工厂」" in result["汇总"]["互斥"]
    # P alone: digital loses its only project
    result = pair("per_project_combine.pol").evaluate({"项目": record["项目"][:1]})
    got = {r["条款"]: (r["状态"], r["金额"]) for r in result["条款"]}
    assert got[DIGITAL] == ("不符合", None) and result["汇总"]["合计"] == "500000.00"


PARK, LOW_CARBON = label(4, "绿色园区"), label(4, "低碳园区")


def test_exclusion_keyed_by_project_holds_across_years():
    # 第4条: 绿色园区 40万元 and 低碳园区 20万元, each once per project, the same project once (就高).
    # P got 绿色园区 40万元 in 2024 and is now also 低碳园区: not paid again (before, 低碳园区 paid P 20万元);
    # Q is new and 低碳园区 only: 20万元. 绿色园区 itself: P already had it (一次性) → 不符合.
    record = {"申报年度": 2025,
              "项目": [{"项目名称": "P", "绿色园区项目": True, "低碳园区项目": True},
                     {"项目名称": "Q", "绿色园区项目": False, "低碳园区项目": True}],
              "已获支持": [{"条款": PARK, "年度": 2024, "金额": "40万元", "项目": "P"}]}
    result = pair("per_project_combine.pol").evaluate(record)
    got = {r["条款"]: (r["状态"], r["金额"], r.get("项目金额")) for r in result["条款"]}
    assert got[PARK] == ("不符合", None, None)
    assert got[LOW_CARBON] == ("符合", "200000.00", {"Q": "200000.00"})
    assert result["汇总"]["合计"] == "200000.00"
    assert "同一项目只支持一次：项目「P」已获第4条「绿色园区」，第4条「低碳园区」不再支持" in result["汇总"]["互斥"]
    # P alone: 低碳园区 loses its only project
    alone = {**record, "项目": record["项目"][:1]}
    result = pair("per_project_combine.pol").evaluate(alone)
    assert {r["条款"]: r["状态"] for r in result["条款"]}[LOW_CARBON] == "不符合"
    assert result["汇总"]["合计"] == "0.00"
    # an earlier award that names no project may have been for P or Q: neither is paid again
    unnamed = {**record, "已获支持": [{"条款": PARK, "年度": 2024, "金额": "40万元"}]}
    result = pair("per_project_combine.pol").evaluate(unnamed)
    assert {r["条款"]: r["状态"] for r in result["条款"]}[LOW_CARBON] == "不符合"
    # the other way round: P got 低碳园区 before; 绿色园区 does not pay P, nor does 低碳园区 again
    other = {**record, "已获支持": [{"条款": LOW_CARBON, "年度": 2024, "金额": "20万元", "项目": "P"}]}
    result = pair("per_project_combine.pol").evaluate(other)
    got = {r["条款"]: (r["状态"], r["金额"]) for r in result["条款"]}
    assert got[PARK] == ("不符合", None)
    assert got[LOW_CARBON] == ("符合", "200000.00")  # Q only


# ---- 首次认定 against 历年.已认定 (tests/policies/first_recognition.pol) ----

CENTRE = label(1, "首次认定")


@pytest.mark.parametrize("earlier,status,amount", [
    ({"2023": {}, "2024": {"企业技术中心": "区级"}}, "符合", "500000.00"),  # 区级 before: 市级 is new
    ({"2024": {"企业技术中心": "市级"}}, "不符合", None),                    # 市级 already last year
    ({"2022": {"企业技术中心": "国家级"}, "2024": {}}, "不符合", None),      # 国家级 in 2022 reached 市级及以上
    ({}, "符合", "500000.00"),                                              # no earlier year
    ({"2026": {"企业技术中心": "市级"}}, "符合", "500000.00"),               # a later year is not earlier
])
def test_first_recognition(earlier, status, amount):
    record = {"申报年度": 2025, "已认定": {"企业技术中心": "市级"}, "历年": {"已认定": earlier}}
    pair("first_recognition.pol").expect(CENTRE, record, status, amount)


def test_first_recognition_needs_history_and_level_now():
    p = pair("first_recognition.pol")
    r = p.expect(CENTRE, {"申报年度": 2025, "已认定": {"企业技术中心": "市级"}}, "信息不足")
    assert r["缺少信息"] == ["历年.已认定"]
    p.expect(CENTRE, {"申报年度": 2025, "已认定": {"企业技术中心": "区级"}}, "不符合")  # not 市级 now
    r = p.expect(CENTRE, {"已认定": {"企业技术中心": "市级"}, "历年": {"已认定": {"2024": {}}}}, "信息不足")
    assert r["缺少信息"] == ["申报年度"]


@pytest.mark.parametrize("earlier,where", [
    ([], "$.历年.已认定"),
    ({"去年": {}}, "$.历年.已认定.去年"),
    ({"2024": {"企业技术中心": "省级"}}, "$.历年.已认定.2024.企业技术中心"),
    ({"2024": {"技术中心": "市级"}}, "$.历年.已认定.2024.技术中心"),
])
def test_bad_recognition_history(earlier, where):
    record = {"申报年度": 2025, "已认定": {"企业技术中心": "市级"}, "历年": {"已认定": earlier}}
    assert [p["位置"] for p in pair("first_recognition.pol").problems(record)] == [where]


# ---- 组合上限 over a group of items (tests/policies/group_cap.pol) ----

def test_group_cap_per_event():
    # Fair A: booth 16万 × 50% = 8万, travel 10万 × 30% = 3万 → 11万 > 10万: 1万 off the total.
    # Fair B: booth 4万 × 50% = 2万, travel 5万 × 30% = 1.5万 → 3.5万, within. Total 11 + 3.5 − 1 = 13.5万元.
    record = {"项目": [{"项目名称": "A", "展位费": "16万元", "差旅费": "10万元"},
                     {"项目名称": "B", "展位费": "4万元", "差旅费": "5万元"}]}
    result = pair("group_cap.pol").evaluate(record)
    amounts = {r["条款"]: r["金额"] for r in result["条款"]}
    assert amounts[label(1, "展位费")] == "100000.00" and amounts[label(1, "差旅费")] == "45000.00"  # items keep theirs
    assert result["汇总"]["合计"] == "135000.00"
    assert result["汇总"]["组合上限"] == ["组合上限「同一展会」（每个项目）10万元：超出1万元，不计入合计"]


@pytest.mark.parametrize("history,total", [
    ((), "1000000.00"),                       # 研发 1000万 × 10% = 100万 (cap), 人才 200万 × 20% = 40万 → 140 > 100
    ((("第2条「人才」", 2025, "30万元"),), "700000.00"),   # 人才 paid this year (每年: not again); 研发 100万, room 70万
    ((("第2条「人才」", 2024, "90万元"),), "1000000.00"),  # last year does not count
])
def test_group_cap_per_year(history, total):
    record = {"研发费用": "1000万元", "人才引进费用": "200万元", "申报年度": 2025,
              "已获支持": [{"条款": i, "年度": y, "金额": a} for i, y, a in history]}
    result = pair("group_cap.pol").evaluate(record)
    assert result["汇总"]["合计"] == total
