"""Input validation: a bad enterprise record, parameter or date is rejected with every problem and its
path at once (runtime.InputError.problems); unknown names are warned about in 输入提示; nothing
ever ends in a traceback. Both evaluators must reject the same inputs with the same problems.

Policy: tests/policies/inputs.pol (fields of every type, recognitions, history, projects).
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit import POLICIES as POLICY_DIR
from evalkit import label, pair

P = "inputs.pol"


def paths(problems):
    return [p["位置"] for p in problems]


def only(problems, path):
    assert paths(problems) == [path], problems
    return problems[0]["问题"]


def test_every_problem_at_once_with_its_path():
    text = """{"营业收入": 1.5, "门店数": "三家", "外资企业": "是", "注册日期": "2025-02-30",
      "年度荣誉": "中国专利奖", "研发强度系数": NaN, "资助比例": Infinity, "首店级别": "宇宙首店",
      "申报年度": 1800, "所属行业": 5, "年新增实到外资": "200万元", "研发费用": "-5万元", "营收": 1,
      "已认定": {"企业技术中心": "省级", "高新技术企业": "国家级", "火星认定": true},
      "已获支持": [5, {"条款": "第1条「营收", "年度": "去年", "金额": -1},
                   {"条款": "第1条「营收」", "年度": 2024, "金额": 2.5, "项目": 3}],
      "项目": [1, {"核定投资额": "abc", "未知": 1}]}"""
    record = json.loads(text, parse_float=float)  # as a service would read it: 1.5 is a float
    problems = pair(P).problems(record, {"营收奖励比例": "9%", "外资汇律": "7", "门店门槛": "2.5场"}, "tomorrow")
    assert paths(problems) == [
        "$.营业收入", "$.门店数", "$.外资企业", "$.注册日期", "$.年度荣誉", "$.研发强度系数", "$.资助比例",
        "$.首店级别", "$.申报年度", "$.所属行业", "$.年新增实到外资", "$.研发费用",
        "$.已认定.企业技术中心", "$.已认定.高新技术企业",
        "$.已获支持[0]", "$.已获支持[1].条款", "$.已获支持[1].年度", "$.已获支持[1].金额",
        "$.已获支持[2].项目", "$.已获支持[2].金额",
        "$.项目[0]", "$.项目[1].核定投资额",
        "评估日期", "参数 营收奖励比例", "参数 外资汇律", "参数 门店门槛",
    ]
    messages = {p["位置"]: p["问题"] for p in problems}
    assert "浮点数" in messages["$.营业收入"]
    assert "不是数量" in messages["$.门店数"]
    assert "负数" in messages["$.研发费用"]
    assert "美元" in messages["$.年新增实到外资"]
    assert "最接近的是“第1条「营收」”" in messages["$.已获支持[1].条款"]
    assert "最接近的是「外资汇率」" in messages["参数 外资汇律"]


@pytest.mark.parametrize("field,value,words", [
    ("营业收入", True, "浮点数"),            # a boolean is not money (bool is an int in Python)
    ("营业收入", [1], "整数或字符串"),
    ("营业收入", {"金额": 1}, "整数或字符串"),
    ("营业收入", "1,2,3元x", "不是金额"),
    ("营业收入", "１２３", "不是金额"),        # full-width digits are not money in a record
    ("营业收入", "200万美元", "币种"),
    ("年新增实到外资", "200万元", "币种"),
    ("外资企业", 1, "true 或 false"),
    ("外资企业", "true", "true 或 false"),
    ("注册日期", "2025/01/01", "不是日期"),
    ("注册日期", 20250101, "不是日期"),
    ("申报年度", True, "年度"),
    ("申报年度", "二〇二五年", "不是年度"),
    ("所属行业", ["制造业"], "应是字符串"),
    ("年度荣誉", ["中国专利奖", 3], "字符串列表"),
    ("首店级别", "亚洲", "之一"),
    ("资助比例", "百分之", "不是比例"),
    ("资助比例", "-5%", "负数"),             # not declared 可为负
    ("研发强度系数", "1.5倍", "不是数值"),
    ("研发强度系数", [], "不是数值"),
])
def test_wrong_types(field, value, words):
    message = only(pair(P).problems({field: value}), f"$.{field}")
    assert words in message


@pytest.mark.parametrize("value", [
    -1, "-1", "-0.01", "-5万元",
])
def test_negative_money(value):
    assert "负数" in only(pair(P).problems({"营业收入": value}), "$.营业收入")


def test_zero_money_is_fine():
    # 0 元 is a valid amount (and below the 1000万元 threshold)
    pair(P).expect(label(1, "营收"), {"营业收入": 0, "门店数": 5, "申报年度": 2025}, "不符合")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["营业收入", "研发强度系数", "资助比例", "门店数"])
def test_nan_and_infinity_from_json(text, field):
    record = json.loads(f'{{"{field}": {text}}}', parse_float=float)
    only(pair(P).problems(record), f"$.{field}")


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN"),
                                   "NaN", "Infinity", "inf", "1e3"])
@pytest.mark.parametrize("field", ["营业收入", "研发强度系数", "资助比例", "门店数"])
def test_nan_and_infinity_from_python(value, field):
    only(pair(P).problems({field: value}), f"$.{field}")


@pytest.mark.parametrize("field", ["营业收入", "研发强度系数", "资助比例", "门店数", "年新增实到外资"])
@pytest.mark.parametrize("number", ["1.5", "0.0", "100.25", "1e2"])
def test_floats_are_rejected_for_every_number(field, number):
    record = json.loads(f'{{"{field}": {number}}}', parse_float=float)
    assert isinstance(record[field], float)
    only(pair(P).problems(record), f"$.{field}")


def test_exact_decimals_are_accepted():
    # the same numbers written as strings or Decimals are exact: 1000万元 × 1% = 10万元
    p = pair(P)
    record = {"营业收入": "10000000.00", "门店数": 2, "申报年度": 2025}
    p.expect(label(1, "营收"), record, "符合", "100000.00")
    p.expect(label(1, "营收"), {**record, "营业收入": Decimal("10000000.00")}, "符合", "100000.00")
    # json.loads with parse_float=Decimal keeps money exact too
    p.expect(label(1, "营收"), json.loads('{"营业收入": 10000000.00, "门店数": 2, "申报年度": 2025}',
                                         parse_float=Decimal), "符合", "100000.00")


@pytest.mark.parametrize("value,words", [
    ("3人", "不是数量"), ("2.5", "计数单位"), ("三", "不是数量"), ("-1", "负数"), ("1,5", "千位分隔符"), (-1, "负数"),
    (Decimal("-0.5"), "负数"), (True, "整数"), (2.0, "整数"),
])
def test_counts(value, words):
    assert words in only(pair(P).problems({"门店数": value}), "$.门店数")


def test_count_as_integral_decimal_is_fine():
    pair(P).expect(label(1, "营收"), {"营业收入": "1000万元", "门店数": Decimal("2"), "申报年度": 2025},
                   "符合", "100000.00")


def test_unknown_fields_are_warned_not_rejected():
    p = pair(P)
    result = p.evaluate({"营业收人": "1000万元", "门店数": 2, "火星字段": 1,
                         "已认定": {"高新技术企业认定": True}, "项目": [{"核定投资": "1万元"}]})
    warnings = {w["位置"]: w["问题"] for w in result["输入提示"]}
    assert set(warnings) == {"$.营业收人", "$.火星字段", "$.已认定.高新技术企业认定", "$.项目[0].核定投资"}
    assert "最接近的是「营业收入」" in warnings["$.营业收人"]
    # the misspelt field is ignored, so 营业收入 is missing
    item = next(r for r in result["条款"] if r["条款"] == label(1, "营收"))
    assert item["状态"] == "信息不足" and "营业收入" in item["缺少信息"]


def test_recognitions():
    p = pair(P)
    assert "之一" in only(p.problems({"已认定": {"企业技术中心": "省级"}}), "$.已认定.企业技术中心")
    assert "之一" in only(p.problems({"已认定": {"企业技术中心": True}}), "$.已认定.企业技术中心")
    assert "true" in only(p.problems({"已认定": {"高新技术企业": "国家级"}}), "$.已认定.高新技术企业")
    assert "true" in only(p.problems({"已认定": {"高新技术企业": 1}}), "$.已认定.高新技术企业")
    only(p.problems({"已认定": ["高新技术企业"]}), "$.已认定")
    only(p.problems({"已认定": "高新技术企业"}), "$.已认定")
    # false and null mean not held
    item = label(3, "技术中心")
    p.expect(item, {"研发费用": "100万元", "已认定": {"企业技术中心": None}}, "不符合")
    p.expect(item, {"研发费用": "100万元", "已认定": {"企业技术中心": False}}, "不符合")
    # 100万元 × 5% = 5万元, × 1.1 = 5.5万元
    p.expect(item, {"研发费用": "100万元", "已认定": {"企业技术中心": "区级", "高新技术企业": True}},
             "符合", "55000.00")


@pytest.mark.parametrize("history,path,words", [
    ("第1条「营收」", "$.已获支持", "列表"),
    ({"条款": "第1条「营收」"}, "$.已获支持", "列表"),
    (["第1条「营收」"], "$.已获支持[0]", "对象"),
    ([{"条款": "第9条「营收」", "年度": 2024, "金额": 1}], "$.已获支持[0].条款", "没有条款"),
    ([{"年度": 2024, "金额": 1}], "$.已获支持[0].条款", "没有条款"),
    ([{"条款": "第1条「营收」", "金额": 1}], "$.已获支持[0].年度", "年度"),
    ([{"条款": "第1条「营收」", "年度": 2024.0, "金额": 1}], "$.已获支持[0].年度", "年度"),
    ([{"条款": "第1条「营收」", "年度": 2024, "金额": "-1"}], "$.已获支持[0].金额", "负数"),
    ([{"条款": "第1条「营收」", "年度": 2024, "金额": 0.5}], "$.已获支持[0].金额", "浮点数"),
    ([{"条款": "第1条「营收」", "年度": 2024, "金额": "NaN"}], "$.已获支持[0].金额", "金额"),
    ([{"条款": "第1条「营收」", "年度": 2024, "金额": Decimal("Infinity")}], "$.已获支持[0].金额", "有限"),
    ([{"条款": "第5条「技改」", "年度": 2024, "金额": 1, "项目": ["A"]}], "$.已获支持[0].项目", "项目名称"),
])
def test_bad_history(history, path, words):
    assert words in only(pair(P).problems({"已获支持": history}), path)


@pytest.mark.parametrize("projects,path", [
    ({"项目类型": "区级技改项目"}, "$.项目"),
    ("区级技改项目", "$.项目"),
    ([["区级技改项目"]], "$.项目[0]"),
    ([{"核定投资额": 1.5}], "$.项目[0].核定投资额"),
    ([{}, {"核定投资额": "-1"}], "$.项目[1].核定投资额"),
    ([{"项目类型": 3}], "$.项目[0].项目类型"),
])
def test_bad_projects(projects, path):
    only(pair(P).problems({"项目": projects}), path)


@pytest.mark.parametrize("record", [[], ["营业收入"], "营业收入", None, 5, True])
def test_record_must_be_an_object(record):
    assert "JSON 对象" in only(pair(P).problems(record), "$")


@pytest.mark.parametrize("params,path,words", [
    ({"营收比例": "1%"}, "参数 营收比例", "最接近的是「营收奖励比例」"),
    ({"营收奖励比例": "6%"}, "参数 营收奖励比例", "范围"),
    ({"营收奖励比例": "abc"}, "参数 营收奖励比例", "不是比例"),
    ({"营收奖励比例": 0.01}, "参数 营收奖励比例", "浮点数"),
    ({"营收奖励上限": "-1万元"}, "参数 营收奖励上限", "负数"),
    ({"营收奖励上限": "200万元"}, "参数 营收奖励上限", "范围"),
    ({"外资汇率": "0"}, "参数 外资汇率", "大于0"),
    ({"外资汇率": "NaN"}, "参数 外资汇率", "数值"),
    ({"门店门槛": "两间"}, "参数 门店门槛", "数量"),
    ({3: "1%"}, "参数 3", "没有参数"),                 # regression: a non-text name raised TypeError
    (["营收奖励比例", "1%"], "参数", "对象"),         # regression: a list raised AttributeError
])
def test_bad_parameters(params, path, words):
    assert words in only(pair(P).problems({}, params), path)


def test_parameters_in_range_and_as_text():
    p = pair(P)
    record = {"营业收入": "2000万元", "门店数": 3, "申报年度": 2025}
    # --set style text values: 2000万元 × 2% = 40万元 ≤ 50万元; 门店门槛 3家 still met
    p.expect(label(1, "营收"), record, "符合", "400000.00", params={"营收奖励比例": "2%", "门店门槛": "3家"})
    # 门店门槛 4家: 3家 is below it
    p.expect(label(1, "营收"), record, "不符合", params={"门店门槛": "4家"})
    p.expect(label(1, "营收"), record, "符合", "400000.00", params={"营收奖励比例": "百分之二"})
    p.expect(label(1, "营收"), record, "符合", "400000.00", params={"营收奖励比例": Decimal("0.02")})


@pytest.mark.parametrize("as_of", ["2025-13-01", "tomorrow", 20250101, ["2025-01-01"]])
def test_bad_dates(as_of):
    only(pair(P).problems({}, None, as_of), "评估日期")


def test_datetime_is_taken_as_its_date():
    # regression: a datetime (a subclass of date) raised TypeError when compared with the policy's dates
    p = pair("validity.pol")
    p.expect(label(1, "奖励"), {"符合产业导向": True}, "符合", "100000.00", as_of=datetime.datetime(2025, 12, 31, 23, 59))
    p.expect(label(1, "奖励"), {"符合产业导向": True}, "不在施行期", as_of=datetime.datetime(2026, 1, 1, 0, 0))
    result = pair(P).evaluate({"注册日期": datetime.datetime(2020, 1, 1, 8), "所属行业": "制造业",
                               "年度荣誉": ["中国专利奖"], "研发强度系数": 2})
    item = next(r for r in result["条款"] if r["条款"] == label(4, "综合"))
    assert item["状态"] == "不符合"  # 2020-01-01 is not 超过 2020-01-01


def test_non_text_keys_are_warned_not_a_traceback():
    # regression: an int key (possible from Python, not from JSON) raised TypeError in the spelling hint
    result = pair(P).evaluate({1: 2, "已认定": {3: True}, "项目": [{4: 5}]})
    assert {w["位置"] for w in result["输入提示"]} == {"$.1", "$.已认定.3", "$.项目[0].4"}


# ---- never a traceback: random JSON in every place ------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "0", "1", "-1", "1.5", "200万元", "200万美元", "5%", "百分之五", "NaN", "Infinity",
                       "2025-01-01", "2025", "2025年度", "是", "否", "区级", "国家级", "全球首店", "无", "3家",
                       "区级技改项目", "第1条「营收」", "第5条「技改」", "１２", "1e5", "\x00", "‮"])
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
KEYS = ["营业收入", "门店数", "外资企业", "注册日期", "年度荣誉", "研发强度系数", "资助比例", "首店级别",
        "申报年度", "所属行业", "年新增实到外资", "研发费用", "已认定", "已获支持", "项目", "未知字段"]
HISTORY = st.lists(st.fixed_dictionaries({}, optional={"条款": st.sampled_from(["第1条「营收」", "第5条「技改」"]) | JSON,
                                                         "年度": st.integers(1890, 2210) | JSON,
                                                         "金额": JSON, "项目": JSON}), max_size=3)
RECORDS = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8) | st.builds(
    lambda base, history: {**base, "已获支持": history}, st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5),
    HISTORY) | JSON
PARAMS = st.none() | st.dictionaries(st.sampled_from(["营收奖励比例", "营收奖励上限", "外资汇率", "门店门槛", "未知"]),
                                     JSON, max_size=3) | JSON
DATES = st.none() | st.dates().map(str) | st.dates() | JSON


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, PARAMS, DATES)
def test_random_input_gives_a_result_or_problems(record, params, as_of):
    kind, value = pair(P).outcomes(record, params, as_of)
    if kind == "problems":
        assert all(set(p) == {"位置", "问题"} and p["问题"] for p in value)
    else:
        assert {r["状态"] for r in value["条款"]} <= {"符合", "待评定", "参数待定", "信息不足", "不符合", "不在施行期", "一事一议"}
        json.dumps(value, ensure_ascii=False)  # a result is plain JSON


def test_numbers_too_large_to_compute_are_problems_not_tracebacks():
    # regression: 10^40 × 50% quantized to the cent needs more digits than the context has: InvalidOperation
    problems = pair("caps.pol").problems({"展位费": 10**40, "展位数": 10**40})
    assert paths(problems) == ["$"]


def test_the_callers_decimal_context_does_not_matter():
    # regression: arithmetic ran in the caller's context, so prec=4 turned 123456.7 into 123500.00
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = 4
        ctx.rounding = decimal.ROUND_DOWN
        # 1234567 × 10% = 123456.7, under 最高50万元 and 1亿 × 30%
        pair("caps.pol").expect(label(1, "研发"), {"研发费用": "1234567", "总投入": "1亿元"}, "符合", "123456.70")
        # 0.87 × 10% × 1.5 = 0.1305 → 0.13 (half-up at the end only)
        pair("currency.pol").expect(label(2, "服务费"), {"服务费": "0.87"}, "符合", "0.13")


# ---- the input contract: signs, commas, duplicate keys, history amounts, odd text, limits ----------
# Policy: tests/policies/signed.pol declares 营收增长率 (比例), 利润变化 (金额), 指数变化 (数值) and the
# project field 产值变化 (金额) 可为负; 营业收入 is an ordinary 金额.

S = "signed.pol"


def test_a_signed_ratio_accepts_a_fall():
    p = pair(S)
    # 第1条: 营收增长率 低于 0% gives a fixed 10万元; a fall of 2% is below 0%
    p.expect(label(1, "纾困"), {"营收增长率": "-2%", "申报年度": 2025}, "符合", "100000.00")
    p.expect(label(1, "纾困"), {"营收增长率": "-百分之二", "申报年度": 2025}, "符合", "100000.00")
    # -0% is 0%, not below it
    p.expect(label(1, "纾困"), {"营收增长率": "-0%", "申报年度": 2025}, "不符合")
    # the other signed fields take negatives too, from strings, integers and in a project
    p.evaluate({"利润变化": "-30万元", "指数变化": -3, "项目": [{"产值变化": "-1,200万元"}]})


@pytest.mark.parametrize("record,path", [
    ({"营业收入": "-5"}, "$.营业收入"),
    ({"营业收入": -5}, "$.营业收入"),
    ({"营业收入": "-200万元"}, "$.营业收入"),
    ({"项目": [{"营业收入": "-1元"}]}, "$.项目[0].营业收入"),
])
def test_unsigned_money_refuses_negatives_with_the_path(record, path):
    assert "负数" in only(pair(S).problems(record), path)


@pytest.mark.parametrize("field,value,words", [
    ("资助比例", "-5%", "负数"),
    ("资助比例", "-0.05", "负数"),
    ("资助比例", -5, "字符串"),        # regression: a JSON integer was any ratio, -5 paid −3000万元
    ("资助比例", 5, "字符串"),         # 5 is neither 5% nor clearly 500%
    ("门店数", -1, "负数"),
    ("研发强度系数", -1, "负数"),
    ("研发强度系数", "-1.5", "负数"),
])
def test_unsigned_ratios_counts_and_numbers_refuse_negatives(field, value, words):
    assert words in only(pair(P).problems({field: value}), f"$.{field}")


def test_negative_zero_is_zero():
    from decimal import localcontext

    from compiler import runtime as rt

    schema = pair(S).interpreter.policy["schema"]
    with localcontext(rt.MONEY_CONTEXT):
        ctx, _, _ = rt.read_record({"利润变化": "-0.00", "营收增长率": "-0%", "营业收入": -0,
                                    "指数变化": Decimal("-0")}, schema)
    for name, value in ctx.values.items():
        assert value == 0 and not value.is_signed(), (name, value)  # never shown as “-0.00”


@pytest.mark.parametrize("kind", [("金额", "元"), ("数值",), ("数量", "家"), ("数量", "平方米"), ("比例",)])
def test_the_reader_takes_plain_numbers_as_the_full_reading_does(kind, monkeypatch):
    # convert() turns a plain digit string or a non-negative integer into a Decimal at once (plain_number);
    # for each numeric type, a count (家) and a measure (平方米, 可为小数), in a field and in a project's
    # field, a record must read the same with that shortcut and without it: the same value written the
    # same way, or the same problem
    from compiler import runtime as rt

    schema = {"fields": {"x": kind}, "project_fields": {"y": kind}, "levels": {}, "recognitions": {}, "items": {},
              "fractional_units": ("平方米",)}

    def read(record, pick):
        try:
            return "value", str(pick(rt.read_record(record, schema)[0]))
        except rt.InputError as exc:
            return "problem", exc.problems[0]["问题"]

    for value in ("0", "007", "12.50", "3.0", "1" * 40, "1" * 41, "1.", ".5", "-1", 0, 5, 10 ** 30, -1, True):
        for record, pick in (({"x": value}, lambda ctx: ctx.values["x"]),
                             ({"项目": [{"y": value}]}, lambda ctx: ctx.projects[0]["y"])):
            got = read(record, pick)
            with monkeypatch.context() as m:
                m.setattr(rt, "plain_number", lambda *args: None)  # every value by the full reading
                expected = read(record, pick)
            assert got == expected, (kind, value, record)


def test_commas_only_as_thousands_separators():
    p = pair(S)
    # 1,000万元 × 1% = 10万元, within 最高50万元
    p.expect(label(2, "增长"), {"营业收入": "1,000万元", "营收增长率": "10%", "申报年度": 2025}, "符合", "100000.00")
    p.expect(label(2, "增长"), {"营业收入": "10,000,000", "营收增长率": "10%", "申报年度": 2025}, "符合", "100000.00")
    for bad in ("1,5", "1,0000", ",100", "100,", "1,000,00", "1,,000"):  # regression: "1,5" was 15元
        assert "不是" in only(p.problems({"营业收入": bad}), "$.营业收入") or bad == "1,5"
    assert "千位分隔符" in only(p.problems({"营业收入": "1,5"}), "$.营业收入")


@pytest.mark.parametrize("text,path", [
    ('{"营业收入": "1万元", "营业收入": "2万元"}', "$.营业收入"),
    ('{"项目": [{"核定投资额": "1万元", "核定投资额": "2万元"}]}', "$.项目[0].核定投资额"),
    ('{"已认定": {"高新技术企业": true, "高新技术企业": false}}', "$.已认定.高新技术企业"),
])
def test_duplicate_json_keys_are_an_error(text, path):
    from compiler import runtime as rt

    p = pair(P)
    for evaluate_json, error in ((p.interpreter.evaluate_json, rt.InputError),
                                 (p.module.evaluate_json, p.module.InputError)):
        with pytest.raises(error) as exc:
            evaluate_json(text)
        assert [q["位置"] for q in exc.value.problems] == [path]
        assert "不止一次" in exc.value.problems[0]["问题"]


def test_polc_eval_refuses_duplicate_keys(tmp_path):
    import subprocess
    import sys

    record = tmp_path / "e.json"
    record.write_text('{"营业收入": "1万元", "门店数": 2, "营业收入": "2000万元"}', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "compiler.cli", "eval", str(POLICY_DIR / P), "--input", str(record)],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 1 and "$.营业收入" in run.stderr and "不止一次" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_a_history_entry_must_give_its_amount():
    # regression: a missing 金额 was read as 0元, though the schema requires it
    history = [{"条款": label(1, "营收"), "年度": 2024}]
    assert "缺少金额" in only(pair(P).problems({"已获支持": history}), "$.已获支持[0].金额")
    history = [{"条款": label(1, "营收"), "年度": 2024, "金额": None}]
    assert "缺少金额" in only(pair(P).problems({"已获支持": history}), "$.已获支持[0].金额")


CJK = re.compile("[\u4e00-\u9fff]")


def _chinese_problems(problems):
    for q in problems:
        assert CJK.search(q["问题"]), q
        json.dumps(q, ensure_ascii=False).encode("utf-8")  # printable: no lone surrogate left in it


@pytest.mark.parametrize("record,path", [
    ({"\ud800": 1}, "$.\\ud800"),
    ({"所属行业": "制造\udc00"}, "$.所属行业"),
    ({"年度荣誉": ["中国专利奖", "\ud83d"]}, "$.年度荣誉"),
    ({"\ufeff营业收入": "2000万元"}, "$.\\ufeff营业收入"),   # a BOM left in a key would hide the field
    ({"项目": [{"\ufeff核定投资额": "1万元"}]}, "$.项目[0].\\ufeff核定投资额"),
    ({"已获支持": [{"条款": "第1条「营收\ud800", "年度": 2024, "金额": 1}]}, "$.已获支持[0].条款"),
])
def test_lone_surrogates_and_byte_order_marks_are_input_errors(record, path):
    problems = pair(P).problems(record)
    assert paths(problems) == [path]
    _chinese_problems(problems)


def _deep(depth: int):
    value = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


@pytest.mark.parametrize("where", ["营业收入", "资助比例", "研发强度系数", "门店数", "注册日期", "申报年度", "年度荣誉",
                                   "首店级别", "所属行业", "外资企业", "已认定", "已获支持", "项目", "未知字段"])
def test_nesting_5000_deep_through_the_python_api(where):
    # regression: a deep 条款 in 已获支持 raised RecursionError while the message was formatted
    deep = _deep(5000)
    records = [{where: deep}]
    if where == "已认定":
        records = [{"已认定": {"高新技术企业": deep}}, {"已认定": deep}]
    elif where == "已获支持":
        records = [{"已获支持": [{"条款": deep, "年度": deep, "金额": deep, "项目": deep}]}, {"已获支持": [deep]}]
    elif where == "项目":
        records = [{"项目": [{"核定投资额": deep, "项目类型": deep}]}, {"项目": [deep]}]
    p = pair(P)
    for record in records:
        outcomes = []
        for evaluate in (p.interpreter.evaluate, p.module.evaluate):  # no deep copy: copying would recurse
            try:
                outcomes.append(("result", evaluate(record)))
            except Exception as exc:  # noqa: BLE001 - InputError is the only answer allowed
                assert type(exc).__name__ == "InputError", repr(exc)[:200]
                outcomes.append(("problems", exc.problems))
        assert outcomes[0] == outcomes[1]
        kind, value = outcomes[0]
        if kind == "problems":
            _chinese_problems(value)
        else:
            assert where == "未知字段"


@pytest.mark.parametrize("text,words", [
    ("\ufeff{}", "BOM"),
    (b"\xef\xbb\xbf{}", "BOM"),
    (b'{"\xff": 1}', "UTF-8"),
    ("[" * 5000 + "]" * 5000, "嵌套过深"),
    ('{"a": ' * 5000 + "1" + "}" * 5000, "嵌套过深"),
    ('{"营业收入": 1' + "0" * 5000 + "}", "位数过多"),
    ('{"营业收入": "\\ud800"}', "代理字符"),
    ('{"营业收入": }', "不是有效的 JSON"),
    ("{'营业收入': 1}", "不是有效的 JSON"),
    ('{"营业收入": 1,}', "不是有效的 JSON"),
    ("", "不是有效的 JSON"),
    (5, "JSON 文本"),
])
def test_json_text_problems_are_input_errors_in_chinese(text, words):
    p = pair(P)
    for evaluate_json, error in ((p.interpreter.evaluate_json, Exception), (p.module.evaluate_json, Exception)):
        with pytest.raises(error) as exc:
            evaluate_json(text)
        assert type(exc.value).__name__ == "InputError", repr(exc.value)
        assert words in exc.value.problems[0]["问题"] + exc.value.problems[0]["位置"], exc.value.problems
        _chinese_problems(exc.value.problems)


def test_json_text_that_is_fine_evaluates_like_the_record():
    p = pair(P)
    text = '{"营业收入": "2000万元", "门店数": 3, "申报年度": 2025}'
    assert p.interpreter.evaluate_json(text) == p.evaluate(json.loads(text))
    assert p.module.evaluate_json(text.encode("utf-8")) == p.evaluate(json.loads(text))


def test_limits_on_keys_projects_and_history_are_quick_and_clear():
    import time

    from compiler import runtime as rt

    p = pair(P)
    cases = [
        ({f"未知{i}": 1 for i in range(200_000)}, "$"),           # took 108 s suggesting names before
        ({"项目": [{}] * (rt.MAX_PROJECTS + 1)}, "$.项目"),
        ({"已获支持": [{}] * (rt.MAX_HISTORY + 1)}, "$.已获支持"),
        ({"项目": [{f"未知{i}": 1 for i in range(rt.MAX_KEYS + 1)}]}, "$.项目[0]"),
        ({"已认定": {f"未知{i}": True for i in range(rt.MAX_KEYS + 1)}}, "$.已认定"),
    ]
    for record, path in cases:
        start = time.perf_counter()
        problems = p.problems(record)
        assert time.perf_counter() - start < 10  # both evaluators, on a shared machine
        assert paths(problems) == [path] and "超过上限" in problems[0]["问题"]


def test_spelling_hints_are_bounded():
    import time

    from compiler import runtime as rt

    record = {f"营业收人{i}": 1 for i in range(rt.MAX_KEYS)}  # as many unknown keys as a record may have
    start = time.perf_counter()
    warnings = pair(P).evaluate(record)["输入提示"]
    assert time.perf_counter() - start < 10
    assert len(warnings) == rt.MAX_KEYS
    assert sum("最接近的是" in w["问题"] for w in warnings) == rt.MAX_SUGGESTIONS
