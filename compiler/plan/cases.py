"""Running the 案例 a drafter wrote: each case becomes an enterprise record and its expectations are compared."""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs

from compiler.syntax import nodes as n
from compiler import runtime as rt
from compiler.plan.lower import const_value
from compiler.syntax.literals import Count, Money, Ratio, Year
from compiler.semantics.program import Program


def json_value(expr):
    """A case fact as it would arrive in JSON."""
    if isinstance(expr, n.Ref):
        return expr.name
    value = expr.value
    if isinstance(value, Money):
        return rt.plain(value.amount)
    if isinstance(value, Ratio):
        return rt.plain(value.value)
    if isinstance(value, Count):
        return int(value.value) if value.value == value.value.to_integral_value() else rt.plain(value.value)
    if isinstance(value, Year):
        return value.year
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return rt.plain(value)
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def record_of(case: n.Case, program: Program) -> dict:
    """The JSON record ``polc eval`` would read for the case's enterprise.

    A case means what its record means: a fact it does not give is unknown, and so are the
    recognitions when it has no 已认定 line (written, they list every recognition held).
    """
    record: dict = {}
    for fact in case.facts:
        if fact.holds:
            held = record.setdefault("已认定", {})  # 企业 已认定 无: an empty list of recognitions
            if fact.name:
                held[fact.name] = fact.level.name if fact.level is not None else True
        else:
            value = json_value(fact.value)
            field = program.symbols.fields.get(n.name_key(fact.name))
            if field is not None and field.type.kind == "集合" and isinstance(value, str):
                value = [value]  # a set of one, written without braces
            record[fact.name] = value
    if case.projects:
        record["项目"] = [{f.name: json_value(f.value) for f in project if not f.holds} for project in case.projects]
    if case.assessments:
        s = program.symbols
        record["评定"] = {s.items[a.item.key].label if a.item.key in s.items else str(a.item):
                        a.outcome if a.amount is None else json_value(a.amount) for a in case.assessments}
    for name, facts, _ in case.rows:
        record.setdefault(name, []).append({f.name: json_value(f.value) for f in facts if not f.holds})
    if case.yearly:
        record["历年"] = {}
        for y in case.yearly:
            record["历年"].setdefault(y.name, {}).update({str(year): json_value(v) for year, v in y.values})
    for h in case.held_years:  # 历年 已认定: what was held in each earlier year
        by_year = record.setdefault("历年", {}).setdefault("已认定", {})
        by_year.setdefault(str(h.year), {}).update({name: level if level is not None else True for name, level in h.held})
    if case.history:
        s = program.symbols
        record["已获支持"] = [{"条款": s.items[h.item.key].label if h.item.key in s.items else
                           str(n.ItemRef(n.EXTERNAL, s.externals[h.item.key[1]].name, h.span))
                           if h.item.article == n.EXTERNAL and h.item.key[1] in s.externals else str(h.item),
                           "年度": h.year, "金额": json_value(h.amount),
                           **({"项目": h.project} if h.project else {})} for h in case.history]
    return record


def params_of(case: n.Case) -> dict:
    """The case's 设定 as runtime values: exact numbers, dates, level names."""
    return {b.name: b.value.name if isinstance(b.value, n.Ref) else const_value(b.value.value) for b in case.bindings}


@attrs.frozen
class Mismatch:
    """Where a case's result differs from what it expects: the item or total, both sides as text, the 预期's place."""
    label: str
    expected: str
    actual: str
    where: str


@attrs.frozen
class CaseOutcome:
    """One case run: its mismatches or the input error that stopped it, and the result the CLI and docs show."""
    case: n.Case
    mismatches: tuple[Mismatch, ...]
    error: str | None
    result: dict | None

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.error is None


def run_case(case: n.Case, program: Program, evaluate) -> CaseOutcome:
    """``evaluate(record, params, as_of)`` is the interpreter's or a generated module's."""
    record = record_of(case, program)
    try:
        result = evaluate(record, params_of(case), case.date)
    except rt.InputError as exc:
        return CaseOutcome(case, (), "；".join(f"{p['位置']}：{p['问题']}" for p in exc.problems), None)
    by_label = {r["条款"]: r for r in result["条款"]}
    s = program.symbols
    mismatches = []
    for e in case.expectations:
        if e.item.key not in s.items:
            continue
        label = s.items[e.item.key].label
        got = by_label.get(label)
        if got is None:  # a 款 marked 待编码 has no rule, so it has no result to compare
            mismatches.append(Mismatch(label, e.status, "待编码（本款规则未写，不参与计算）",
                                       f"{e.span.file}:{e.span.line}:{e.span.column}"))
            continue
        expected = e.status + (f"，金额 {rt.money(const_value(e.amount.value))}" if e.amount is not None
                               and isinstance(e.amount, n.Literal) else "")
        actual = got["状态"] + (f"，金额 {got['金额']}" if got["金额"] is not None and e.amount is not None else "")
        if got["状态"] != e.status or (e.amount is not None and got["金额"] != rt.money(const_value(e.amount.value))):
            mismatches.append(Mismatch(label, expected, actual, f"{e.span.file}:{e.span.line}:{e.span.column}"))
        mismatches += more_mismatches(e, label, got, result)
    for t in case.totals:
        want = rt.money(const_value(t.amount.value))
        key = "合计" if t.kind == "合计" else "最高合计"
        if result["汇总"][key] != want:
            mismatches.append(Mismatch(t.kind, f"{t.kind} {want}", f"{t.kind} {result['汇总'][key]}", _where(t.span)))
    return CaseOutcome(case, tuple(mismatches), None, result)


def _where(span) -> str:
    return f"{span.file}:{span.line}:{span.column}"


def result_value(expr) -> Decimal:
    """A 核定 value written in a case (1400万元, 20年, 4500平方米, 70%) as the runtime's 值."""
    value = const_value(expr.value)
    return rt.round_money(value) if isinstance(expr.value, Money) else value


def more_mismatches(e: n.Expectation, label: str, got: dict, result: dict) -> list:
    """核定 values, whether the item counts in the totals (互斥), and tranches."""
    out = []
    if e.result is not None and isinstance(e.result, n.Literal):
        want = result_value(e.result)
        have = got.get("核定")
        if have is None or Decimal(have["值"]) != want:
            out.append(Mismatch(label, f"核定 {e.result.text}", f"核定 {have['文字'] if have else '无'}", _where(e.span)))
    if e.counted is not None:
        counted = label in result["汇总"]["计入合计"]
        if counted != e.counted:
            word = lambda yes: "计入合计" if yes else "不计入合计"  # noqa: E731
            out.append(Mismatch(label, word(e.counted), word(counted), _where(e.span)))
    if e.tranches:
        want = [rt.money(const_value(t.value)) for t in e.tranches if isinstance(t, n.Literal)]
        have = got.get("分期") or []
        if want != have:
            out.append(Mismatch(label, "分期 " + "、".join(want), "分期 " + ("、".join(have) or "无"), _where(e.span)))
    return out
