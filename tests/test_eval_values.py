"""Values the implementing rules write: the lesser and greater of values (较小者/较大者), lists of
records, steps and rounding, multiples and discounts, dates and equality, quantities and units.

Policy: tests/policies/values.pol. Every expected amount is worked out by hand in a comment.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from evalkit import label, pair

P = "values.pol"


# ---- 较小者 / 较大者 ----------------------------------------------------------------

@pytest.mark.parametrize("equipment,total,amount", [
    ("100万元", "1000万元", "200000.00"),   # 较小者(100万, 300万) = 100万 × 20% = 20万
    ("400万元", "1000万元", "600000.00"),   # 较小者(400万, 300万) = 300万 × 20% = 60万
    ("300万元", "1000万元", "600000.00"),   # equal: 300万 × 20% = 60万
    ("900万元", "9000万元", "1000000.00"),  # 较小者(900万, 2700万) = 900万 × 20% = 180万 → 最高100万
])
def test_lesser_of_two_bases(equipment, total, amount):
    pair(P).expect(label(1, "设备补贴"), {"设备投入": equipment, "总投入": total}, "符合", amount)


def test_lesser_with_one_side_unknown_is_undecided():
    r = pair(P).expect(label(1, "设备补贴"), {"设备投入": "100万元"}, "信息不足")
    assert r["缺少信息"] == ["总投入"]


@pytest.mark.parametrize("revenue,amount", [
    ("500万元", "100000.00"),     # 较大者(5万, 10万) = 10万
    ("1000万元", "100000.00"),    # 较大者(10万, 10万) = 10万
    ("1000.01万元", "100001.00"),  # 10000100元 × 1% = 100001 > 10万
    ("3000万元", "300000.00"),    # 较大者(30万, 10万) = 30万
])
def test_greater_of_formula_and_floor(revenue, amount):
    pair(P).expect(label(1, "营收奖励"), {"规上企业": True, "营业收入": revenue}, "符合", amount)


# ---- 列表：合计、计数、最大值、所有 ------------------------------------------------------

def purchase(amount, related, local):
    return {"采购金额": amount, "供应商为关联方": related, "供应商注册在本区": local}


def test_sum_over_a_filtered_list():
    record = {"采购": [purchase("100万元", False, True), purchase("200万元", True, True),
                     purchase("300万元", False, False), purchase("50万元", False, True)]}
    # 本区非关联：100万 + 50万 = 150万；× 5% = 7.5万
    pair(P).expect(label(2, "本区采购补贴"), record, "符合", "75000.00")


def test_sum_over_a_list_is_capped():
    record = {"采购": [purchase("1200万元", False, True)]}
    # 1200万 × 5% = 60万 → 最高50万
    pair(P).expect(label(2, "本区采购补贴"), record, "符合", "500000.00")


def test_an_item_whose_filter_is_decided_without_the_missing_fact_counts():
    # the second purchase does not say whether the supplier is related, but it is not local: left out either way
    record = {"采购": [purchase("100万元", False, True), {"采购金额": "900万元", "供应商注册在本区": False}]}
    pair(P).expect(label(2, "本区采购补贴"), record, "符合", "50000.00")  # 100万 × 5%


def test_an_item_whose_filter_is_unknown_leaves_the_sum_unknown():
    record = {"采购": [purchase("100万元", False, True), {"采购金额": "900万元", "供应商注册在本区": True}]}
    r = pair(P).expect(label(2, "本区采购补贴"), record, "信息不足")
    assert r["缺少信息"] == ["采购[1].供应商为关联方"]


def test_a_list_not_given_is_unknown_and_an_empty_list_sums_to_zero():
    r = pair(P).expect(label(2, "本区采购补贴"), {}, "信息不足")
    assert r["缺少信息"] == ["采购"]
    pair(P).expect(label(2, "本区采购补贴"), {"采购": []}, "符合", "0.00")


@pytest.mark.parametrize("booths,status,amount", [
    (1, "不符合", None),        # 1个 < 2个
    (2, "符合", "10000.00"),    # 2 × 5000元
    (3, "符合", "15000.00"),    # 3 × 5000元
])
def test_count_of_a_list(booths, status, amount):
    record = {"展位": [{"展会名称": f"展会{i}"} for i in range(booths)]}
    r = pair(P).expect(label(2, "展位补贴"), record, status, amount)
    if status == "不符合":
        assert r["差距"] == [{"条件": "计数（「展位」）不少于2个", "差距": "还差1个"}]


def years(*rows):
    return {"申报年度": 2025, "历年数据": [{"年度": y, "营收增长率": g} for y, g in rows]}


@pytest.mark.parametrize("record,status,amount", [
    (years((2023, "5%"), (2024, "20%"), (2025, "15%")), "符合", "200000.00"),  # 2024、2025 均 ≥ 15%
    (years((2024, "20%"), (2025, "14.99%")), "不符合", None),                # 2025 below 15%
    (years((2023, "50%"), (2025, "30%")), "不符合", None),                   # only one of the last two years
    (years((2024, "15%"), (2025, "15%"), (2026, "1%")), "不符合", None),      # 2026 counts as “不低于 2024”
])
def test_all_over_the_last_two_years(record, status, amount):
    pair(P).expect(label(2, "增长奖励"), record, status, amount)


def test_all_with_an_unknown_rate_is_undecided():
    record = {"申报年度": 2025, "历年数据": [{"年度": 2024}, {"年度": 2025, "营收增长率": "20%"}]}
    r = pair(P).expect(label(2, "增长奖励"), record, "信息不足")
    assert r["缺少信息"] == ["历年数据[0].营收增长率"]


@pytest.mark.parametrize("areas,status,amount", [
    ([20, 36], "符合", "20000.00"),   # 最大 36平方米 达到 36平方米
    ([35, 12], "不符合", None),       # 最大 35平方米
])
def test_greatest_value_in_a_list(areas, status, amount):
    pair(P).expect(label(2, "大展位奖励"), {"展位": [{"展位面积": a} for a in areas]}, status, amount)


def test_greatest_of_no_item_is_undecided_and_says_why():
    r = pair(P).expect(label(2, "大展位奖励"), {"展位": []}, "信息不足")
    assert r["缺少信息"] == ["展位（没有符合条件的一项，无最大值）"]


def test_list_input_is_checked_at_its_json_path():
    problems = pair(P).problems({"采购": [purchase("100万元", False, True), purchase("一百块", "否", True), 3],
                                 "展位": {"展位面积": 3}})
    places = sorted(p["位置"] for p in problems)
    assert places == ["$.展位", "$.采购[1].供应商为关联方", "$.采购[1].采购金额", "$.采购[2]"]


def test_unknown_list_field_is_a_warning_naming_the_nearest():
    result = pair(P).evaluate({"采购": [{"采购额": "1元"}]})
    assert {"位置": "$.采购[0].采购额", "问题": "列表「采购」没有字段「采购额」，已忽略；最接近的是「采购金额」"} \
        in result["输入提示"]


# ---- 步进与取整 --------------------------------------------------------------------

@pytest.mark.parametrize("area,status,amount", [
    (5000, "不符合", None),           # 须超过5000平方米
    (5001, "符合", "500000.00"),      # 超出1平方米：不足一步，50万
    (5999, "符合", "500000.00"),      # 超出999平方米：仍不足一步
    (6000, "符合", "600000.00"),      # 超出1000：一步，50万 + 10万
    (6999, "符合", "600000.00"),      # 超出1999：一步
    (20000, "符合", "2000000.00"),    # 超出15000：15步，50万 + 150万 = 200万
    (21000, "符合", "2000000.00"),    # 16步 = 210万 → 最高200万
])
def test_each_whole_step_adds_an_amount(area, status, amount):
    pair(P).expect(label(3, "厂房奖励"), {"新建厂房面积": area}, status, amount)


@pytest.mark.parametrize("spend,amount", [
    ("1234567", "90000.00"),      # 1234567 × 8% = 98765.36 → 向下取整到万元：9万
    ("1250000", "100000.00"),     # 125万 × 8% = 10万整
    ("124999.99", "0.00"),        # 9999.9992 → 0万
])
def test_round_down_to_ten_thousand(spend, amount):
    pair(P).expect(label(3, "研发补贴"), {"研发费用": spend}, "符合", amount)


@pytest.mark.parametrize("fee,amount", [
    ("1233.75", "494.00"),   # × 40% = 493.5 → 四舍五入 494
    ("1233.74", "493.00"),   # 493.496 → 493
    ("1234.56", "494.00"),   # 493.824 → 494
])
def test_round_half_up_to_a_yuan(fee, amount):
    pair(P).expect(label(3, "展位费补贴"), {"展位费合计": fee}, "符合", amount)


@pytest.mark.parametrize("people,amount", [
    (0, "0.00"),       # 0人：0组
    (1, "1000.00"),    # 不足10人按一组
    (10, "1000.00"),   # 10人一组
    (11, "2000.00"),   # 向上取整到20人：两组
    (23, "3000.00"),   # 30人：三组
])
def test_round_up_to_whole_groups(people, amount):
    pair(P).expect(label(3, "培训补贴"), {"培训人数": people}, "符合", amount)


# ---- 倍数与折扣 -----------------------------------------------------------------------

@pytest.mark.parametrize("city,amount", [
    ("100万元", "1500000.00"),   # 100万 × 1.5倍 = 150万
    ("200万元", "3000000.00"),   # 300万，正好等于上限
    ("250万元", "3000000.00"),   # 375万 → 最高300万
])
def test_multiple_of_a_base(city, amount):
    pair(P).expect(label(4, "配套奖励"), {"市级奖励金额": city}, "符合", amount)


def test_percentage_of_another_items_award():
    # 设备补贴：较小者(100万, 1000万×30%) × 20% = 20万；追加奖励 20万 × 150% = 30万
    record = {"区级品牌": True, "设备投入": "100万元", "总投入": "1000万元"}
    pair(P).expect(label(4, "追加奖励"), record, "符合", "300000.00")
    # 设备补贴 100万（封顶后）× 150% = 150万，正好等于上限
    record = {"区级品牌": True, "设备投入": "900万元", "总投入": "9000万元"}
    pair(P).expect(label(4, "追加奖励"), record, "符合", "1500000.00")


def test_another_items_award_that_is_undecided_leaves_this_one_undecided():
    r = pair(P).expect(label(4, "追加奖励"), {"区级品牌": True, "设备投入": "100万元"}, "信息不足")
    assert r["缺少信息"] == ["第1条「设备补贴」：总投入"]
    pair(P).expect(label(4, "追加奖励"), {"区级品牌": False, "设备投入": "100万元"}, "不符合")


@pytest.mark.parametrize("item,field,rent,amount", [
    ("场地租金补贴", "场地市场租金", "10万元", "70000.00"),    # 10万 × 7折(70%) = 7万
    ("厂房租金补贴", "厂房市场租金", "10万元", "85000.00"),    # 10万 × 八五折(85%) = 8.5万
    ("厂房租金补贴", "厂房市场租金", "100万元", "500000.00"),  # 85万 → 最高50万
])
def test_discount_literals(item, field, rent, amount):
    pair(P).expect(label(4, item), {field: rent}, "符合", amount)


@pytest.mark.parametrize("given,amount", [
    ("八五折", "85000.00"),   # 0.85
    ("7.5折", "75000.00"),    # 0.75
    ("85折", "85000.00"),     # 0.85
    ("9折", "90000.00"),      # 0.9
    ("1.5倍", "150000.00"),   # 倍 also reads as a ratio: 150%
    ("1:2", "50000.00"),      # 配套比 1:2 = 50%
])
def test_ratio_input_may_be_written_as_a_discount(given, amount):
    pair(P).expect(label(4, "约定折扣补贴"), {"场地市场租金": "10万元", "约定折扣": given}, "符合", amount)


def test_a_discount_of_nothing_is_rejected():
    problems = pair(P).problems({"约定折扣": "0折"})
    assert [p["位置"] for p in problems] == ["$.约定折扣"]


def test_items_whose_amounts_use_each_other_are_rejected(tmp_path):
    from compiler.semantics.check import check

    (tmp_path / "t.txt").write_text("甲。乙。\n", encoding="utf-8")
    (tmp_path / "t.pol").write_text(
        "政策「循环」\n原文文件「t.txt」\n"
        "第1条「甲」\n  原文「甲。」\n  款「甲」\n    给予 按 金额（第1条「乙」）的 50%\n"
        "  款「乙」\n    给予 按 金额（第1条「甲」）的 50%\n", encoding="utf-8")
    codes = [d.code for d in check(tmp_path / "t.pol").errors]
    assert "E231" in codes


@pytest.mark.parametrize("text,value", [
    ("7折", "0.7"), ("7.5折", "0.75"), ("85折", "0.85"), ("八五折", "0.85"), ("八折", "0.8"), ("九五折", "0.95"),
])
def test_discount_literal_values(text, value):
    from decimal import Decimal

    from compiler.syntax.literals import Ratio, parse_literal

    assert parse_literal("DISCOUNT", text) == Ratio(Decimal(value))


# ---- 日期与相等 -----------------------------------------------------------------------

@pytest.mark.parametrize("founded,status", [
    ("2019-12-31", "不符合"),   # 前一日
    ("2020-01-01", "符合"),     # 以后：含本日
    ("2020-01-02", "符合"),
])
def test_on_or_after_a_date(founded, status):
    pair(P).expect(label(5, "开办补贴"), {"成立日期": founded}, status, "50000.00" if status == "符合" else None)


@pytest.mark.parametrize("founded,status", [
    ("2023-12-31", "符合"),     # 之前一日
    ("2024-01-01", "不符合"),   # 之前：不含本日
])
def test_strictly_before_a_date(founded, status):
    pair(P).expect(label(5, "老企业补贴"), {"成立日期": founded}, status, "30000.00" if status == "符合" else None)


@pytest.mark.parametrize("place,level,status", [
    ("闵行区", "市级", "符合"),
    ("闵行区", "国家级", "不符合"),   # 等于「市级」：国家级不算
    ("徐汇区", "市级", "不符合"),
])
def test_equality_of_a_text_and_a_level(place, level, status):
    r = pair(P).expect(label(5, "本区市级"), {"注册地": place, "企业级别": level}, status,
                       "100000.00" if status == "符合" else None)
    assert r["差距"] == []  # equality has no distance to report


def test_not_equal_text():
    pair(P).expect(label(5, "区外企业"), {"注册地": "徐汇区"}, "符合", "10000.00")
    pair(P).expect(label(5, "区外企业"), {"注册地": "闵行区"}, "不符合")
    r = pair(P).expect(label(5, "区外企业"), {}, "信息不足")
    assert r["缺少信息"] == ["注册地"]


@pytest.mark.parametrize("year,status", [
    (2023, "不符合"),   # 认定之前
    (2024, "符合"),     # 认定当年：第一年
    (2026, "符合"),     # 第三年
    (2027, "不符合"),   # 第四年
])
def test_within_three_years_from_the_recognition_year(year, status):
    pair(P).expect(label(5, "认定三年内"), {"申报年度": year, "认定年度": 2024}, status,
                   "50000.00" if status == "符合" else None)


@pytest.mark.parametrize("size,status", [
    ("大型", "不符合"), ("中型", "符合"), ("小型", "符合"), ("微型", "符合"),
])
def test_level_at_or_below(size, status):
    pair(P).expect(label(5, "中型及以下"), {"企业规模": size}, status, "20000.00" if status == "符合" else None)


def test_trace_reads_as_written():
    r = pair(P).item(label(5, "本区市级"), {"注册地": "闵行区", "企业级别": "市级"})
    assert [s["检查"] for s in r["理由"]] == ["「注册地」为「闵行区」", "「企业级别」等于「市级」"]
    r = pair(P).item(label(5, "认定三年内"), {"申报年度": 2025, "认定年度": 2024})
    assert [s["检查"] for s in r["理由"]] == ["「申报年度」自「认定年度」起三年内"]
    r = pair(P).item(label(5, "区外企业"), {"注册地": "徐汇区"})
    assert [s["检查"] for s in r["理由"]] == ["「注册地」不等于「闵行区」"]


@pytest.mark.parametrize("condition,code", [
    ("「营业收入」 100万元 之后", "E321"),        # 之后 is for dates and years
    ("「申报年度」 为 「闵行区」", "E320"),       # a text value compared with a year
    ("「营业收入」 自 「申报年度」 起 三年内", "E322"),
    ("「申报年度」 自 「申报年度」 起 6个月内", "E322"),
])
def test_misused_date_and_equality_words_are_errors(tmp_path, condition, code):
    from compiler.semantics.check import check

    (tmp_path / "t.txt").write_text("甲。\n", encoding="utf-8")
    (tmp_path / "t.pol").write_text(
        "政策「误用」\n原文文件「t.txt」\n引用「企业」\n"
        f"第1条「甲」\n  原文「甲。」\n  款「甲」\n    条件 {condition}\n    给予 1万元\n", encoding="utf-8")
    assert code in [d.code for d in check(tmp_path / "t.pol").errors]


# ---- 数量与单位 -----------------------------------------------------------------------

@pytest.mark.parametrize("area,status", [
    ("1999.4", "不符合"),            # 差 0.1平方米
    ("1999.5", "符合"),              # 正好达到
    ("1999.5平方米", "符合"),         # with its unit
    ("0.2万平方米", "符合"),          # 2000平方米
    (2000, "符合"),                  # an integer as before
])
def test_fractional_area(area, status):
    r = pair(P).expect(label(6, "小厂房"), {"新建厂房面积": area}, status, "30000.00" if status == "符合" else None)
    if status == "不符合":
        assert r["差距"][0]["差距"] == "还差0.1平方米"


def test_fractional_area_in_steps():
    # 6000.5 − 5000 = 1000.5平方米：一整步，50万 + 10万
    pair(P).expect(label(3, "厂房奖励"), {"新建厂房面积": "6000.5"}, "符合", "600000.00")


@pytest.mark.parametrize("given,problem", [
    (1999.5, "数量不能用浮点数"),
    ("1999.5家", "不是数量"),
    ("-3", "不能为负数"),
])
def test_bad_fractional_quantities(given, problem):
    problems = pair(P).problems({"新建厂房面积": given})
    assert problems[0]["位置"] == "$.新建厂房面积" and problem in problems[0]["问题"]


def test_counts_stay_whole():
    problems = pair(P).problems({"培训人数": "2.5"})  # 人 is a count, not declared 可为小数
    assert problems[0]["位置"] == "$.培训人数"


@pytest.mark.parametrize("tons,status", [("99.9", "不符合"), ("100", "符合"), ("100.5吨", "符合")])
def test_unit_declared_by_the_policy(tons, status):
    pair(P).expect(label(6, "固废处理"), {"年处理固废量": tons}, status, "50000.00" if status == "符合" else None)


def test_a_quantity_in_an_undeclared_unit_is_an_error(tmp_path):
    from compiler.semantics.check import check

    (tmp_path / "t.txt").write_text("甲。\n", encoding="utf-8")
    (tmp_path / "t.pol").write_text(
        "政策「单位」\n原文文件「t.txt」\n引用「基础」\n字段「重量」：数量（「吨」）\n"
        "第1条「甲」\n  原文「甲。」\n  款「甲」\n    条件 「重量」 5「千克」以上\n    给予 1万元\n", encoding="utf-8")
    codes = [d.code for d in check(tmp_path / "t.pol").errors]
    assert codes.count("E215") == 2  # the type's 吨 and the literal's 千克


# ---- the JSON table of docs/reference.md: every value it shows is accepted as documented ----------

def _json_table():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "reference.md").read_text(encoding="utf-8")
    section = text[text.index("## 企业信息的写法（JSON）"):]
    section = section[:section.index("\n## ", 1)]
    rows = re.findall(r"^\| (\S+) \| (.+) \|$", section, re.M)
    return {kind: re.findall(r"`([^`]+)`", cell) for kind, cell in rows if kind not in ("类型", "---")}


@pytest.mark.parametrize("kind,schema_kind", [
    ("金额", ("金额", "元")), ("比例", ("比例",)), ("数值、汇率", ("数值",)), ("布尔", ("布尔",)),
    ("日期", ("日期",)), ("年度", ("年度",)), ("文本", ("文本",)), ("等级", ("等级", "级别")), ("集合", ("集合",)),
])
def test_every_json_value_the_reference_shows_is_accepted(kind, schema_kind):
    import json

    from compiler import runtime as rt

    values = [v for v in _json_table()[kind] if not v.startswith('"200万美元"')]
    assert values, kind
    levels = {"级别": ["国家级", "市级", "区级"]}
    for v in values:
        rt.convert(schema_kind, json.loads(v), levels)  # raises ValueError if the docs promise too much


def test_every_quantity_form_the_reference_shows_is_accepted():
    import json

    from compiler import runtime as rt

    values = [json.loads(v) for v in _json_table()["数量"]]
    schema = {"levels": {}, "fractional_units": ("平方米",)}
    assert [rt.convert_field(("数量", "平方米"), v, schema) for v in values] == \
        [3, Decimal("1999.5"), Decimal("1999.5"), Decimal("15000")]
    rt.convert(("数量", "家"), values[0], {})


def test_list_recognition_history_and_project_forms_of_the_reference_are_json():
    import json

    table = _json_table()
    for kind in ("列表", "认定", "已获支持", "项目"):
        for v in table[kind]:
            json.loads("{" + v + "}" if v.startswith('"') else v)


@pytest.mark.parametrize("land,building,status", [
    ("1.9999", 100, "不符合"),   # 19999平方米 < 20000平方米
    ("2", 100, "符合"),          # 2公顷 = 20000平方米
    ("2", "20000.5", "不符合"),  # 厂房 20000.5平方米 超过 用地 20000平方米
    ("3", 100, "符合"),          # 3公顷：不超过 3公顷
    ("3.01", 100, "不符合"),
])
def test_units_of_one_kind_convert(land, building, status):
    r = pair(P).expect(label(6, "用地"), {"用地面积": land, "新建厂房面积": building}, status,
                       "100000.00" if status == "符合" else None)
    if land == "1.9999":
        assert r["差距"][0]["差距"] == "还差1平方米"  # shown in the base unit


def test_a_unit_converted_to_an_undeclared_unit_is_an_error(tmp_path):
    from compiler.semantics.check import check

    (tmp_path / "t.txt").write_text("甲。\n", encoding="utf-8")
    (tmp_path / "t.pol").write_text("政策「单位」\n原文文件「t.txt」\n引用「基础」\n单位「公斤」 = 1000「克」\n",
                                    encoding="utf-8")
    assert "E215" in [d.code for d in check(tmp_path / "t.pol").errors]
