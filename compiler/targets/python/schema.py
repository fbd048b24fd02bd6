"""The JSON Schema (2020-12) of the enterprise record a policy reads.

Every constraint here comes from the runtime's input contract (``runtime.input_form`` and
its limits), the table the evaluators validate records with, so the schema accepts a
record exactly when the evaluators do. One thing JSON Schema cannot say: its ``integer``
also admits 1.0 and 1e2, which a JSON reader gives as floats and polc refuses (money
stays exact); the descriptions say so.
"""

from __future__ import annotations

from compiler import runtime as rt
from compiler.plan.lower import PolicyPlan

_INTEGER_NOTE = "整数写成不带小数点和指数的形式"
def _names(known) -> dict:
    """Unknown names holding a byte-order mark (left from a file's start) are refused, not ignored."""
    return {"anyOf": [{"enum": sorted(known)}, {"pattern": "^[^\ufeff]*$"}]}


def _anchored(pattern: str) -> str:
    """A whole-string pattern that means the same to Python's re.search and to ECMA-262:
    ``$`` alone would let Python accept a trailing newline."""
    return f"^(?:{pattern})$(?!\\n)"


def value_schema(kind: tuple, levels: dict, signed: bool = False, whole: bool = False) -> dict:
    """The non-null JSON values a field of type ``kind`` takes, from the runtime's input contract."""
    form = rt.input_form(kind, signed, levels, whole)
    options = []
    if form.get("boolean"):
        options.append({"type": "boolean"})
    if "integer" in form:
        low, high = form["integer"]
        option = {"type": "integer"}
        if low is not None:
            option["minimum"] = low
        if high is not None:
            option["maximum"] = high
        options.append(option)
    if "pattern" in form:
        options.append({"type": "string", "pattern": _anchored(form["pattern"]), "maxLength": form["max_length"]})
    if form.get("text"):
        options.append({"type": "string"})
    if "enum" in form:
        options.append({"enum": form["enum"]})
    if form.get("strings"):
        options.append({"type": "array", "items": {"type": "string"}})
    return options[0] if len(options) == 1 else {"anyOf": options}


def field_schema(kind: tuple, levels: dict, description: str | None = None, signed: bool = False,
                 whole: bool = False) -> dict:
    """A field's schema: its values, or null for “not known”."""
    schema = {"anyOf": [value_schema(kind, levels, signed, whole), {"type": "null"}]}
    if kind[0] in rt.SIGNABLE:
        schema["x-polc-type"] = "".join(kind[:1]) + (f"（{kind[1]}）" if len(kind) > 1 else "")
        schema["x-polc-signed"] = bool(signed)
    words = [description] if description else []
    if kind[0] in ("金额", "数值", "数量", "汇率", "年度"):
        words.append(_INTEGER_NOTE)
    if words:
        schema["description"] = "；".join(words)
    return schema


def json_schema(plan: PolicyPlan, descriptions: dict | None = None) -> dict:
    """The JSON Schema of an enterprise record for this policy: the input contract that
    the service and the generated module publish."""
    descriptions = descriptions or {}
    signed = getattr(plan, "signed", frozenset())
    properties = {name: field_schema(kind, plan.levels, descriptions.get(name), name in signed,
                               rt.counted(kind, plan.fractional_units))
                  for name, kind in plan.fields.items()}
    # a project may also give an enterprise field for itself; its own fields come first
    project = {name: field_schema(kind, plan.levels, descriptions.get(name), name in signed,
                               rt.counted(kind, plan.fractional_units))
               for name, kind in {**plan.fields, **plan.project_fields}.items()}
    for key, last in rt.PERIOD_RANGES.items():
        if key in properties:
            properties[key] = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": last}, {"type": "null"}],
                               "description": f"{key}：1 至 {last} 的整数"}
    recognitions = {}
    for name, levels in plan.recognitions.items():
        held = list(plan.levels[levels]) if levels else [True]
        recognitions[name] = {"enum": [*held, False, None]}
    properties["已认定"] = {"type": "object", "properties": recognitions, "maxProperties": rt.MAX_KEYS,
                         "propertyNames": _names(recognitions), "description": "企业获得的认定：分级的写等级，不分级的写 true，未获得写 false"}
    properties["已获支持"] = {
        "type": "array", "maxItems": rt.MAX_HISTORY, "description": "企业已获得的本政策支持，用于频次、累计上限与补差",
        "items": {"type": "object", "required": ["条款", "年度", "金额"], "maxProperties": rt.MAX_KEYS,
                  "properties": {"条款": {"enum": [i.label for i in plan.items] + list(plan.externals)},
                                 "年度": value_schema(("年度",), plan.levels),
                                 "金额": value_schema(("金额", "元"), plan.levels),
                                 "项目": {"type": "string"}}}}
    properties["项目"] = {"type": "array", "maxItems": rt.MAX_PROJECTS, "description": "企业的项目，每个项目一个对象",
                        "items": {"type": "object", "properties": project, "maxProperties": rt.MAX_KEYS,
                                  "propertyNames": _names(project)}}
    properties["评定"] = {
        "type": "object", "description": "人工评定的结果：条款 → 通过、未通过或评定金额（不超过最多可得）",
        "propertyNames": {"enum": [i.label for i in plan.items]},
        "additionalProperties": {"anyOf": [{"enum": ["通过", "未通过"]}, value_schema(("金额", "元"), plan.levels)]}}
    for name, kinds in plan.lists.items():
        properties[name] = {"type": "array", "description": f"列表「{name}」，每项一个对象",
                            "items": {"type": "object", "maxProperties": rt.MAX_KEYS,
                                      "properties": {k: field_schema(t, plan.levels, whole=rt.counted(t, plan.fractional_units))
                                                     for k, t in kinds.items()}}}
    properties["历年"] = {
        "type": "object", "description": "字段以前各年度的值（用于“首次”）：字段名称 → {年度: 值}",
        "properties": {name: {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}(年度|年)?$"},
                              "additionalProperties": {"anyOf": [value_schema(kind, plan.levels, name in signed, rt.counted(kind, plan.fractional_units)), {"type": "null"}]}}
                       for name, kind in plan.fields.items()}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": plan.name,
        "type": "object",
        "maxProperties": rt.MAX_KEYS,
        "propertyNames": _names(properties),
        "properties": properties,
    }
