"""One input contract: the JSON Schema that ``polc build`` emits accepts a value exactly when the runtime does.

Both are derived from one table (runtime.input_form); these tests hold them to it from the outside.
For every policy under policies/ and every test policy, values are drawn from the schema itself
(hypothesis-jsonschema), mutated near the edges of each form (a sign, a comma, a unit, a currency, a
trailing newline, a float for an integer ...), and taken from a fixed list of probes; each is placed in
every slot a record has (field, project field, recognition, history entry) and the schema's verdict is
compared with the runtime's validation (runtime.read_record).

JSON Schema counts 1.0 as an integer, while a JSON reader gives a float and polc refuses floats (money
stays exact); the validator here therefore takes "integer" to mean a JSON number written without a
fraction or exponent, the way json.loads reads it. Lone surrogates are not Unicode and lie outside what
JSON Schema describes; they have their own tests below.
"""

from __future__ import annotations

import functools
import os
from decimal import localcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from jsonschema.validators import extend

from compiler import runtime as rt
from compiler.targets.python.interpreter import Interpreter
from compiler.targets.python.schema import json_schema
from evalkit import POLICIES, REPO, checked

RULES = {"rules_town.pol": "rules_base.pol"}  # a 细则 is checked with the policy it extends
CONTRACT_POLICIES = [(REPO / "policies" / "minhang_2024.pol", None),
                     (REPO / "policies" / "minhang_2024.pol", REPO / "policies" / "minhang_2024_示例细则.pol")]
CONTRACT_POLICIES += [(POLICIES / RULES[p.name], p) if p.name in RULES else (p, None)
                      for p in sorted(POLICIES.glob("*.pol"))]
EXAMPLES = int(os.environ.get("POLC_CONTRACT_EXAMPLES", "300"))

_JSON_TYPES = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool))
JsonValidator = extend(Draft202012Validator, type_checker=_JSON_TYPES)


class Contract:
    """One policy's emitted schema and its runtime validation, side by side."""

    def __init__(self, policy: Path, rules: Path | None):
        self.name = policy.name + (f" + {rules.name}" if rules else "")
        interpreter = Interpreter(checked(policy, rules).program)
        self.plan = interpreter.plan
        self.runtime_schema = interpreter.policy["schema"]
        self.schema = json_schema(self.plan, self.plan.descriptions)
        self.validator = JsonValidator(self.schema)
        props = self.schema["properties"]
        self.slots = [("field", name, props[name]) for name in self.plan.fields]
        self.slots += [("project", name, props["项目"]["items"]["properties"][name])
                       for name in {**self.plan.fields, **self.plan.project_fields}]
        self.slots += [("recognition", name, props["已认定"]["properties"][name]) for name in self.plan.recognitions]
        self.history = props["已获支持"]["items"]
        self.slots += [("history", key, self.history["properties"][key]) for key in ("条款", "年度", "金额", "项目")]
        self.valid_entry = {"条款": self.plan.items[0].label, "年度": 2024, "金额": "1万元"} if self.plan.items else None

    def record(self, slot, value) -> dict:
        where, name, _ = slot
        if where == "field":
            return {name: value}
        if where == "project":
            return {"项目": [{name: value}]}
        if where == "recognition":
            return {"已认定": {name: value}}
        return {"已获支持": [{**self.valid_entry, name: value}]}

    def schema_accepts(self, record) -> bool:
        return self.validator.is_valid(record)

    def runtime_accepts(self, record) -> bool:
        with localcontext(rt.MONEY_CONTEXT):
            try:
                rt.read_record(record, self.runtime_schema)
                return True
            except rt.InputError:
                return False

    def agree(self, record) -> None:
        schema, runtime = self.schema_accepts(record), self.runtime_accepts(record)
        assert schema == runtime, f"{self.name}: schema {'accepts' if schema else 'rejects'} and runtime " \
                                  f"{'accepts' if runtime else 'rejects'} {record!r}"


@functools.cache
def contract(index: int) -> Contract:
    return Contract(*CONTRACT_POLICIES[index])


def usable_slots(c: Contract):
    return [s for s in c.slots if s[0] != "history" or c.valid_entry is not None]


@functools.cache
def values_of(index: int, where: str, name: str):
    """The schema's own strategy for one slot, built once (hypothesis-jsonschema builds an object's
    member strategies again on every draw, so objects are put together here from cached members)."""
    c = contract(index)
    if where == "entry":
        members = {key: values_of(index, "history", key) for key in c.history["properties"]}
        return st.fixed_dictionaries({k: members.pop(k) for k in c.history["required"]}, optional=members)
    if where == "record":
        fields = {name: values_of(index, "field", name) for name in c.plan.fields}
        projects = st.lists(st.fixed_dictionaries({}, optional={
            name: values_of(index, "project", name) for name in {**c.plan.fields, **c.plan.project_fields}}),
            max_size=2)
        held = st.fixed_dictionaries({}, optional={name: values_of(index, "recognition", name)
                                                   for name in c.plan.recognitions})
        fields.update({"已认定": held, "项目": projects})
        if c.plan.items:
            fields["已获支持"] = st.lists(values_of(index, "entry", ""), max_size=2)
        return st.fixed_dictionaries({}, optional=fields)
    return from_schema(next(s[2] for s in c.slots if s[:2] == (where, name)))


# The probes an outside reader of the schema tried, and their neighbours.
PROBES = [
    "1,000万元", "2025", False, True, None, "100万美元", "-5", "1.2.3万元", -5, "-2%", "1,5", "-0", "-0.00", 0, -1,
    "0", "", "1e3", "NaN", "Infinity", 1.5, 1.0, [], {}, "二百万元", "一千二元", "一千零二元", "2024-02-29",
    "2025-02-29", "2025年1月1日", "2025/01/01", "2025年度", "二〇二五年", "百分之五", "1:0", "5:1", "30个基点",
    "1.5倍", "5%", "-5%", "200万元", "200万美元", "-200万元", "7.1", "0.00", "区级", "国家级", "无", ["a"],
    ["a", "a"], [1], "1,000", "1,0000", "10,000.5", ",100", " 5", "5 ", "5\n", "5万元\n", "１２", 2025, 1899,
    2201, "1899", 10 ** 30, -(10 ** 30), "1" * 41, "1" * 40, "第1条「营收」", "\ufeff5", "5%%", "--5", "+5",
]


def test_the_emitted_schema_is_a_valid_2020_12_schema():
    for i in range(len(CONTRACT_POLICIES)):
        Draft202012Validator.check_schema(contract(i).schema)


@pytest.mark.parametrize("index", range(len(CONTRACT_POLICIES)), ids=lambda i: CONTRACT_POLICIES[i][-1 if CONTRACT_POLICIES[i][1] else 0].name)
def test_schema_and_runtime_agree_on_every_probe_in_every_slot(index):
    c = contract(index)
    count = 0
    for slot in usable_slots(c):
        for value in PROBES:
            c.agree(c.record(slot, value))
            count += 1
    assert count >= len(PROBES)


def _mutations(value) -> list:
    """Values one edit away from a valid one, where the forms' edges are."""
    if isinstance(value, str):
        out = ["-" + value, value + "元", value + "美元", value.replace("元", "美元"), value.replace("美元", "元"),
               " " + value, value + "\n", value[:-1], value[1:], value + value, value + "%", "1," + value,
               value + ",000", value.replace(".", ".."), value + "0" * 40, value.replace("万", "万万"),
               value.replace("年", "-"), "\ufeff" + value, value.replace(",", "")]
        out += [value[:i] + "," + value[i:] for i in range(1, min(len(value), 8))]
        return out
    if isinstance(value, bool):
        return [int(value), str(value).lower(), None, not value]
    if isinstance(value, int):
        return [-value, -value - 1, value + 0.5, float(value), str(value), str(-value), [value], value * 10 ** 6]
    if isinstance(value, list):
        return [value + [1], [value], {}, value + value]
    if isinstance(value, dict):
        return [[value], {**value, "金额": -1}]
    return [False, 0, "", "null"]


@st.composite
def contract_cases(draw):
    index = draw(st.integers(0, len(CONTRACT_POLICIES) - 1))
    c = contract(index)
    slot = draw(st.sampled_from(usable_slots(c)))
    valid = draw(values_of(index, slot[0], slot[1]))
    how = draw(st.sampled_from(("valid", "mutated", "mutated", "probe")))
    if how == "mutated":
        value = draw(st.sampled_from(_mutations(valid)))
    elif how == "probe":
        value = draw(st.sampled_from(PROBES))
    else:
        value = valid
    return c, slot, value, how


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(contract_cases())
def test_schema_and_runtime_agree_on_generated_and_mutated_values(case):
    c, slot, value, how = case
    record = c.record(slot, value)
    if how == "valid":  # hypothesis-jsonschema drew it from the schema: the runtime must take it
        assert c.schema_accepts(record), record
    c.agree(record)


@st.composite
def history_entries(draw):
    index = draw(st.sampled_from([i for i in range(len(CONTRACT_POLICIES)) if contract(i).plan.items]))
    c = contract(index)
    entry = draw(values_of(index, "entry", ""))
    edit = draw(st.sampled_from(("none", "drop", "null", "extra")))
    key = draw(st.sampled_from(("条款", "年度", "金额", "项目")))
    if edit == "drop":
        entry.pop(key, None)
    elif edit == "null":
        entry[key] = None
    elif edit == "extra":
        entry["备注"] = "补记"
    return c, entry


@settings(max_examples=max(EXAMPLES // 3, 50), deadline=None, suppress_health_check=list(HealthCheck))
@given(history_entries())
def test_schema_and_runtime_agree_on_history_entries(case):
    c, entry = case
    c.agree({"已获支持": [entry]})


@settings(max_examples=max(EXAMPLES // 10, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["inputs.pol", "signed.pol"]).flatmap(
    lambda name: st.tuples(st.just(name), values_of(_index(name), "record", ""))))
def test_whole_records_drawn_from_the_schema_are_accepted(case):
    name, record = case
    c = contract(_index(name))
    assert c.schema_accepts(record), record
    assert c.runtime_accepts(record), record


def _index(name: str) -> int:
    return next(i for i, (p, r) in enumerate(CONTRACT_POLICIES) if p.name == name and r is None)


# ---- the generated properties and polc verify stay inside the contract ---------------------------

CHANGE_POLICY = """政策「利润变化测试」
原文文件「source.txt」
施行 自 2025-01-01 起
字段「利润变化」：金额{signed}，说明「利润比上年的变化」
字段「申报年度」：年度
第1条「利润」
  原文「第一条 按利润增加额的10%给予奖励,最高50万元。」
  款「利润」
    原文「按利润增加额的10%给予奖励,最高50万元。」
    给予 按「利润变化」的 10%
    上限 50万元
    频次 每年
"""


def _change_policy(tmp_path, signed: bool) -> Path:
    (tmp_path / "source.txt").write_text("第一条 按利润增加额的10%给予奖励,最高50万元。\n", encoding="utf-8")
    path = tmp_path / ("signed.pol" if signed else "unsigned.pol")
    path.write_text(CHANGE_POLICY.format(signed="，可为负" if signed else ""), encoding="utf-8")
    return path


@pytest.mark.parametrize("signed", [False, True])
def test_verify_assumes_negatives_exactly_where_the_contract_allows_them(tmp_path, signed):
    # 按「利润变化」的 10%: a negative award needs a negative 利润变化, which only 可为负 admits
    from compiler.targets.smt.verify import verify_program

    path = _change_policy(tmp_path, signed)
    program = checked(path).program
    nonneg = [p for p in verify_program(program, str(path)) if p.name == "nonneg"]
    assert len(nonneg) == 1
    if not signed:
        assert nonneg[0].status == "proved", nonneg[0].detail
        return
    assert nonneg[0].status == "counterexample", nonneg[0].detail
    # the counterexample is a record the runtime accepts, and it pays a negative amount
    result = Interpreter(program).evaluate(nonneg[0].example["企业"], nonneg[0].example["参数"])
    assert result["条款"][0]["金额"].startswith("-"), result["条款"][0]


@pytest.mark.parametrize("signed", [False, True])
def test_generated_properties_draw_negatives_exactly_where_the_contract_allows_them(tmp_path, monkeypatch, signed):
    from compiler.targets.properties import propcheck as pc
    from compiler.targets.properties.propgen import load_properties

    monkeypatch.setenv("POLC_EXAMPLES", "60")
    module = load_properties(str(_change_policy(tmp_path, signed)))
    names = [name for name, *_ in module.PROPERTIES if name.endswith("_nonneg")]
    assert len(names) == 1
    outcome = pc.run_property(module, names[0])
    pc._BOUND.pop((module.POLICY["file"], module.POLICY["rules"]), None)
    # unsigned: every drawn record is valid, so no evaluation error and no negative amount;
    # signed: the properties draw falls in profit too, and find the negative award
    assert outcome.passed is (not signed), outcome.error
    if signed:
        assert "为负数" in str(outcome.error)


# ---- Chinese numerals the contract admits mean what they say ---------------------------------------

_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def _reference_value(text: str) -> int:
    """An independent reading: split at 亿, then 万, then read 千百十 positions left to right."""
    if "亿" in text:
        high, _, low = text.partition("亿")
        return _reference_value(high) * 10 ** 8 + (_reference_value(low) if low else 0)
    if "万" in text:
        high, _, low = text.partition("万")
        return _reference_value(high) * 10 ** 4 + (_reference_value(low) if low else 0)
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]  # 十二, 一千零十: 十 alone is 一十
            digit = None
    return total + (digit or 0)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(rt.CHINESE_INTEGER_FORM, fullmatch=True))
def test_every_admitted_chinese_integer_reads_as_written(text):
    assert rt.chinese_integer(text) == _reference_value(text)


@pytest.mark.parametrize("text,value", [("一千零五", 1005), ("二百万", 2_000_000), ("一亿零五万", 100_050_000),
                                        ("十二", 12), ("两千零十", 2010), ("一万二千", 12_000), ("零", 0)])
def test_chinese_integers_by_hand(text, value):
    assert rt.chinese_integer(text) == value and _reference_value(text) == value


@pytest.mark.parametrize("text", ["一千二", "一万二", "一亿二", "五零", "一〇五", "二十百", "万"])
def test_clipped_or_malformed_chinese_numerals_are_not_admitted(text):
    # 一千二 is 1200 to a reader and 1002 to the digits: the record must say 一千二百 or 一千零二
    import re

    assert re.fullmatch(rt.CHINESE_INTEGER_FORM, text) is None


@pytest.mark.parametrize("declaration,ok", [
    ("字段「营收增长率」：比例，可为负", True),
    ("字段「利润变化」：金额，可为负，说明「比上年的变化」", True),
    ("项目字段「人数变化」：数量（人），可为负", True),
    ("字段「指数」：数值，可为负", True),
    ("字段「名称」：文本，可为负", False),
    ("字段「汇率变化」：汇率（元/美元），可为负", False),   # a rate is always above 0
    ("字段「注册日期」：日期，可为负", False),
])
def test_only_numeric_fields_may_be_declared_signed(tmp_path, declaration, ok):
    from compiler.semantics.check import check

    (tmp_path / "source.txt").write_text("第一条 示例。\n", encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text(f"政策「可为负声明」\n原文文件「source.txt」\n引用「基础」\n{declaration}\n", encoding="utf-8")
    result = check(str(path))
    codes = [d.code for d in result.errors]
    assert codes == ([] if ok else ["E331"]), [d.message for d in result.errors]
    if ok:
        plan = Interpreter(result.program).plan
        assert plan.signed == frozenset({declaration.split("「")[1].split("」")[0]})
