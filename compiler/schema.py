"""The JSON Schema (2020-12) of the enterprise record a policy reads."""

from __future__ import annotations

from .lower import PolicyPlan

_MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$|^([0-9.]+[十百千万亿]*|[零〇一二两三四五六七八九十百千万亿点]+)(美元|元)$"


def field_schema(kind: tuple, levels: dict, description: str | None = None) -> dict:
    name = kind[0]
    if name == "金额":
        schema = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": _MONEY_PATTERN}],
                  "x-polc-type": f"金额（{kind[1]}）"}
    elif name == "比例":
        schema = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?(%|‰|个基点)?$", "x-polc-type": "比例"}
    elif name == "数量":
        schema = {"type": "integer", "minimum": 0, "x-polc-type": f"数量（{kind[1]}）"}
    elif name in ("数值", "汇率"):
        schema = {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}],
                  "x-polc-type": name}
    elif name == "布尔":
        schema = {"type": "boolean"}
    elif name == "日期":
        schema = {"type": "string", "format": "date"}
    elif name == "年度":
        schema = {"type": "integer", "minimum": 1900, "maximum": 2200}
    elif name == "等级":
        schema = {"enum": [*levels[kind[1]], "无"]}
    elif name == "集合":
        schema = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    else:
        schema = {"type": "string"}
    if description:
        schema["description"] = description
    return schema


def json_schema(plan: PolicyPlan, descriptions: dict | None = None) -> dict:
    descriptions = descriptions or {}
    properties = {name: field_schema(kind, plan.levels, descriptions.get(name)) for name, kind in plan.fields.items()}
    project = {name: field_schema(kind, plan.levels, descriptions.get(name))
               for name, kind in plan.project_fields.items()}
    recognitions = {}
    for name, levels in plan.recognitions.items():
        recognitions[name] = {"enum": list(plan.levels[levels])} if levels else {"const": True}
    properties["已认定"] = {"type": "object", "properties": recognitions, "additionalProperties": False,
                         "description": "企业获得的认定：分级的写等级，不分级的写 true"}
    properties["已获支持"] = {
        "type": "array", "description": "企业已获得的本政策支持，用于频次、累计上限与补差",
        "items": {"type": "object", "required": ["条款", "年度", "金额"],
                  "properties": {"条款": {"enum": [i.label for i in plan.items] + list(plan.externals)},
                                 "年度": {"type": "integer"},
                                 "金额": field_schema(("金额", "元"), plan.levels)}}}
    properties["历年"] = {
        "type": "object", "description": "字段以前各年度的值（用于“首次”）：字段名称 → {年度: 值}",
        "properties": {name: {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}(年度|年)?$"},
                              "additionalProperties": {"anyOf": [field_schema(kind, plan.levels), {"type": "null"}]}}
                       for name, kind in plan.fields.items()}}
    properties["项目"] = {"type": "array", "description": "企业的项目，每个项目一个对象",
                        "items": {"type": "object", "properties": project}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": plan.name,
        "type": "object",
        "properties": properties,
    }
