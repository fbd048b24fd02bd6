"""The language reference's JSON input section: the record shown there is read by both evaluators.

The section (docs/reference.md, “企业记录（JSON 输入）”) declares a policy using every field type and
a record written with every JSON form the table lists; the record must be accepted as written and give
the amount worked out by hand on the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from compiler.semantics.check import check
from test_docs_examples import DOCS, blocks
from evalkit import Pair

PAGE = DOCS / "reference.md"


def _block(title: str) -> str:
    found = [body for _, t, body, _, _ in blocks(PAGE) if t == title]
    assert len(found) == 1, title
    return found[0]


def _pair(tmp_path: Path) -> Pair:
    for title in ("输入示例原文.txt", "输入示例.pol"):
        (tmp_path / title).write_text(_block(title), encoding="utf-8")
    return Pair(tmp_path / "输入示例.pol")


def test_every_field_type_is_in_the_input_example():
    policy = _block("输入示例.pol")
    declared = set(re.findall(r"^字段「[^」]+」：(\S+?)(?:（|「|$)", policy, re.M))
    assert declared >= {"金额", "比例", "数量", "数值", "日期", "文本", "等级", "集合", "布尔"}
    section = PAGE.read_text(encoding="utf-8").split("## 企业记录（JSON 输入）")[1].split("\n## ")[0]
    for kind in ("金额", "金额（美元）", "比例", "数量", "数值、汇率", "布尔", "日期", "年度", "文本", "等级", "集合",
                 "`已认定`", "`已获支持`", "`项目`", "`评定`"):
        assert f"| {kind} |" in section, kind


def test_the_documented_record_gives_the_documented_amount(tmp_path):
    pair = _pair(tmp_path)
    record = json.loads(_block("输入示例.json"))
    # (200万元 + 10万美元 × 7) × 10% = 27万元, under the 50万元 cap; the 2024 award does not block 2025
    pair.expect("第1条「研发支持」", record, "符合", "270000.00")
    result = pair.evaluate(record)
    assert result["输入提示"] == []  # every key of the record is understood


def test_each_documented_ratio_form_reads_as_written(tmp_path):
    pair = _pair(tmp_path)
    record = json.loads(_block("输入示例.json"))
    # the table's ratio forms: 3%, 百分之三, 30个基点 (0.3%), 5‰ (0.5%), 0.03, 1:1 (100%), 1.5倍 (150%)
    for text, holds in (("3%", True), ("百分之三", True), ("0.03", True), ("30个基点", False), ("5‰", False),
                        ("1:1", True), ("1.5倍", True), ("2.99%", False)):
        status = "符合" if holds else "不符合"
        pair.expect("第1条「研发支持」", {**record, "示例研发强度": text}, status, "270000.00" if holds else None)


def test_a_float_is_refused_with_its_json_path(tmp_path):
    pair = _pair(tmp_path)
    record = {**json.loads(_block("输入示例.json")), "示例研发费用": 2000000.5}
    problems = pair.problems(record)
    assert any(p["位置"] == "$.示例研发费用" and "浮点数" in p["问题"] for p in problems)


def test_the_documented_record_matches_the_generated_json_schema(tmp_path):
    """The module's SCHEMA accepts every documented JSON form, and rejects what the runtime rejects."""
    import jsonschema

    pair = _pair(tmp_path)
    schema = pair.module.SCHEMA
    record = json.loads(_block("输入示例.json"))
    jsonschema.validate(record, schema)
    for field, value in (("示例研发强度", "1:1"), ("示例研发强度", "1.5倍"), ("示例研发强度", "30个基点"),
                         ("示例成立日期", "2020-05-01"), ("申报年度", "2025年度"),
                         ("评定", {"第1条「研发支持」": "30万元"}), ("评定", {"第1条「研发支持」": "未通过"})):
        jsonschema.validate({**record, field: value}, schema)
        assert pair.outcomes({**record, field: value})[0] == "result"
    for field, value in (("示例研发强度", 0.03), ("示例成立日期", "2020/05/01"), ("评定", {"第9条「无」": "通过"})):
        try:
            jsonschema.validate({**record, field: value}, schema)
        except jsonschema.ValidationError:
            pass
        else:
            raise AssertionError(f"schema accepts {field}={value!r}")
        assert pair.outcomes({**record, field: value})[0] == "problems"
