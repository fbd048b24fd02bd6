"""Differential testing (STYLE.md practice 7): the reference interpreter and the generated module
must give the very same result, the whole result dict (status, amount, trace, totals), or reject an
input with the very same problems, for random enterprises of every policy.

Records are generated from each policy's lowered plan: every declared field by its type, present,
null or missing; numbers concentrated on and one step either side of the thresholds the policy
compares them with; recognitions at every level; award history for the policy's own items;
projects; parameter bindings inside the declared ranges; evaluation dates around the validity period.

Policies: every .pol under tests/policies/ and under policies/ (each must check without errors).
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import runtime as rt
from compiler.plan.lower import lower
from evalkit import POLICIES, REPO, Pair

OPS = {"const", "field", "pfield", "param", "add", "sub", "mul", "div", "cmp", "and", "or", "not", "truth",
       "holds", "member", "contains", "level_of", "by_level", "tiers"}


def _candidates() -> list[str]:
    names = [f"tests/policies/{p.name}" for p in sorted(POLICIES.glob("*.pol"))]
    for p in sorted((REPO / "policies").glob("*.pol")):
        names.append(f"policies/{p.name}")
    return names


CANDIDATES = _candidates()


@functools.cache
def policy(relative: str) -> Pair:
    """The checked policy with both evaluators (Pair fails the test if the policy does not check)."""
    return Pair(REPO / relative)


# ---- what the plan says about interesting values ---------------------------------------------------

def walk(x):
    if isinstance(x, tuple) and x and isinstance(x[0], str) and x[0] in OPS:
        yield x
        for child in x[1:]:
            yield from walk(child)
    elif isinstance(x, (list, tuple, frozenset)):
        for child in x:
            yield from walk(child)
    elif isinstance(x, dict):
        for child in x.values():
            yield from walk(child)


def plan_irs(plan):
    for item in plan.items:
        for c in item.conditions:
            yield c.test
        yield item.award
        for ratio, when, _, _ in item.uplifts:
            yield ratio
            yield when
        for lim in item.limits:
            yield lim.amount
        yield from item.tranches
    if plan.validity:
        yield plan.validity[0]
        yield plan.validity[1]
    for _, ir in plan.sum_caps:
        yield ir


class Hints:
    """Numbers, texts and dates a policy compares its facts with."""

    def __init__(self, plan):
        self.plan = plan
        self.numbers: set[Decimal] = {Decimal(0), Decimal(1)}
        self.by_field: dict[str, set[Decimal]] = {}
        self.texts: set[str] = set()
        self.dates: set[datetime.date] = {datetime.date(2025, 1, 1)}
        param_values = {name: [v for _, v in values] for name, values in plan.param_values.items()}

        def values_of(side):
            if side[0] == "const":
                return [side[1]]
            if side[0] == "param":
                return param_values.get(side[1], [])
            return []

        for ir in plan_irs(plan):
            for node in walk(ir):
                op = node[0]
                if op == "const":
                    self.note(node[1])
                elif op == "cmp":
                    for a, b in ((node[2], node[3]), (node[3], node[2])):
                        if a[0] in ("field", "pfield"):
                            for v in values_of(b):
                                self.note(v, a[1])
                elif op == "tiers" and node[1][0] in ("field", "pfield"):
                    for band in node[2]:
                        for bound in (band[1], band[3]):
                            for v in values_of(bound) if bound else ():
                                self.note(v, node[1][1])
        for values in param_values.values():
            for v in values:
                self.note(v)
        for _, (kind, low, high) in plan.declared_params.items():
            for v in (low, high):
                self.note(v)

    def note(self, value, field: str | None = None):
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, Decimal):
            self.numbers.add(value)
            if field is not None:
                self.by_field.setdefault(field, set()).add(value)
        elif isinstance(value, datetime.date):
            self.dates.add(value)
        elif isinstance(value, str):
            self.texts.add(value)
        elif isinstance(value, frozenset):
            for v in value:
                self.note(v, field)


STEPS = [Decimal(0), Decimal("0.01"), Decimal("-0.01"), Decimal(1), Decimal(-1), Decimal("0.0001"), Decimal("-0.0001")]


def near(hints: Hints, field: str, scale: Decimal = Decimal(1)):
    """A number on, or one step either side of, a value the policy uses (preferably with this field)."""
    specific = sorted(hints.by_field.get(field, ()))
    general = sorted(hints.numbers)
    base = st.sampled_from(specific) if specific else st.sampled_from(general)
    if specific:
        base = st.one_of(base, st.sampled_from(general))
    return st.builds(lambda b, s, k: b * k + s * scale, base, st.sampled_from(STEPS),
                     st.sampled_from([Decimal(1), Decimal(1), Decimal(10), Decimal("0.5"), Decimal(3)]))


def money_value(hints, field, currency):
    def show(v, style):
        v = max(v, Decimal(0)).quantize(Decimal("0.0001")).normalize()
        if style == 0 and v == v.to_integral_value():
            return int(v)
        if style == 1:
            return rt.money_text(v, currency)
        return rt.plain(v)
    number = st.one_of(near(hints, field), st.integers(0, 10**10).map(Decimal),
                       st.decimals(0, 10**8, places=2, allow_nan=False, allow_infinity=False))
    return st.builds(show, number, st.integers(0, 2))


def ratio_value(hints, field):
    number = st.one_of(near(hints, field, Decimal("0.0001")),
                       st.decimals(0, 2, places=4, allow_nan=False, allow_infinity=False))
    return number.map(lambda v: rt.plain(max(v, Decimal(0)) * 100) + "%")


def count_value(hints, field):
    number = st.one_of(near(hints, field), st.integers(0, 200).map(Decimal))
    return number.map(lambda v: max(0, int(v)))


def number_value(hints, field, positive=False):
    number = st.one_of(near(hints, field), st.decimals(-100 if not positive else 0, 10**6, places=3,
                                                      allow_nan=False, allow_infinity=False))
    if positive:
        number = number.map(lambda v: v if v > 0 else Decimal("0.5"))
    return number.map(lambda v: rt.plain(v) if v != v.to_integral_value() else int(v))


def date_value(hints):
    return st.one_of(
        st.builds(lambda d, k: d + datetime.timedelta(days=k), st.sampled_from(sorted(hints.dates)),
                  st.sampled_from([0, -1, 1, 365, -365])),
        st.dates(datetime.date(2019, 1, 1), datetime.date(2028, 12, 31)))


def value_for(kind: tuple, field: str, hints: Hints, levels: dict):
    name = kind[0]
    texts = sorted(hints.texts) + ["其他"]
    if name == "金额":
        return money_value(hints, field, kind[1])
    if name == "比例":
        return ratio_value(hints, field)
    if name == "数量":
        return count_value(hints, field)
    if name in ("数值", "汇率"):
        return number_value(hints, field, positive=name == "汇率")
    if name == "布尔":
        return st.booleans()
    if name == "日期":
        return date_value(hints).map(str)
    if name == "年度":
        return st.integers(2022, 2027)
    if name == "文本":
        return st.sampled_from(texts)
    if name == "等级":
        return st.sampled_from([*levels[kind[1]], rt.NO_LEVEL])
    if name == "集合":
        return st.lists(st.sampled_from(texts), unique=True, max_size=3)
    return st.text(max_size=4)


ABSENT = object()


def facts(draw, fields: dict, hints: Hints, levels: dict, complete: bool) -> dict:
    out = {}
    for name in sorted(fields):
        state = "value" if complete else draw(st.sampled_from(["value", "value", "absent", "null"]))
        if state == "value":
            out[name] = draw(value_for(fields[name], name, hints, levels))
        elif state == "null":
            out[name] = None
    return out


@st.composite
def enterprise(draw, plan, hints: Hints):
    complete = draw(st.booleans())
    record = facts(draw, plan.fields, hints, plan.levels, complete)
    if draw(st.integers(0, 4)):
        held = {}
        for name in sorted(plan.recognitions):
            levels = plan.recognitions[name]
            choice = draw(st.sampled_from(["absent", "held", "false"]) if not complete else
                          st.sampled_from(["held", "held", "absent"]))
            if choice == "held":
                held[name] = draw(st.sampled_from(plan.levels[levels])) if levels else True
            elif choice == "false":
                held[name] = False
        record["已认定"] = held
    labels = [i.label for i in plan.items]
    names = ["A", "B", "C"]
    if labels and draw(st.booleans()):
        record["已获支持"] = draw(st.lists(st.builds(
            lambda label, year, amount, project: {"条款": label, "年度": year, "金额": amount,
                                                  **({"项目": project} if project else {})},
            st.sampled_from(labels), st.integers(2022, 2026), money_value(hints, "", "元"),
            st.sampled_from([None, *names])), max_size=4))
    if plan.project_fields and draw(st.booleans()):
        projects = []
        for index in range(draw(st.integers(0, 3))):
            project = facts(draw, plan.project_fields, hints, plan.levels, draw(st.integers(0, 2)) > 0)
            if "项目名称" in plan.project_fields and draw(st.booleans()):
                project["项目名称"] = names[index]
            projects.append(project)
        record["项目"] = projects
    assessed = [i.label for i in plan.items if i.gate or i.up_to]  # items that wait for an assessment
    if assessed and draw(st.booleans()):
        record["评定"] = {label: draw(st.sampled_from(["通过", "未通过"]) | money_value(hints, "", "元"))
                        for label in assessed if draw(st.booleans())}
    return record


def param_value(kind: tuple, low, high, hints: Hints, levels: dict):
    name = kind[0]
    if name in ("金额", "比例", "数值", "汇率", "数量") and low is not None and high is not None:
        inside = sorted({v for v in hints.numbers if low <= v <= high} | {low, high, (low + high) / 2})
        number = st.sampled_from(inside)
        if name == "汇率":
            number = number.filter(lambda v: v > 0)
    elif name == "比例":
        number = st.sampled_from([Decimal("0.01"), Decimal("0.05"), Decimal("0.1"), Decimal("0.3"), Decimal(1)])
    elif name == "汇率":
        number = st.sampled_from([Decimal("7.1"), Decimal("6.5"), Decimal(7)])
    elif name in ("金额", "数值", "数量"):
        number = st.one_of(st.sampled_from(sorted(v for v in hints.numbers if v >= 0)),
                           st.integers(0, 10**7).map(Decimal))
    elif name == "日期":
        return date_value(hints).map(str)
    elif name == "等级":
        return st.sampled_from(levels[kind[1]])
    elif name == "布尔":
        return st.sampled_from(["是", "否"])
    elif name == "年度":
        return st.integers(2022, 2027).map(str)
    else:
        return st.sampled_from(sorted(hints.texts) or ["其他"])
    if name == "比例":
        return number.map(lambda v: rt.plain(v * 100) + "%")
    if name == "数量":
        return number.map(lambda v: str(int(v)))
    return number.map(rt.plain)


@st.composite
def bindings(draw, plan, hints: Hints):
    if not draw(st.booleans()):
        return None
    out = {}
    for name in sorted(plan.declared_params):
        if draw(st.integers(0, 2)):
            kind, low, high = plan.declared_params[name]
            out[name] = draw(param_value(kind, low, high, hints, plan.levels))
    return out


def dates(hints: Hints):
    """No date, or one around a date the policy names (its validity), as a date or as text."""
    around = st.builds(lambda d, k: d + datetime.timedelta(days=k), st.sampled_from(sorted(hints.dates)),
                       st.sampled_from([0, 1, -1, 30, 180, 364, 365]))
    return st.none() | around | around.map(str) | date_value(hints)


@functools.cache
def strategies(relative: str):
    pair = policy(relative)
    plan = lower(pair.program)
    hints = Hints(plan)
    return enterprise(plan, hints), bindings(plan, hints), dates(hints)


@pytest.mark.parametrize("relative", CANDIDATES)
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
def test_interpreter_and_module_agree(relative, data):
    pair = policy(relative)
    records, params, as_of = strategies(relative)
    record, bound, day = data.draw(records), data.draw(params), data.draw(as_of)
    first = pair.outcomes(record, bound, day)
    assert pair.outcomes(record, bound, day) == first  # the same input always gives the same output


def test_the_corpus_is_the_expected_one():
    # every test policy takes part; a policy under policies/ that exists is included when it checks
    assert len([c for c in CANDIDATES if c.startswith("tests/")]) >= 15
    assert all(policy(c) is not None for c in CANDIDATES if c.startswith("tests/"))


# ---- the decide path ---------------------------------------------------------------------

CORPUS = [f"policies/corpus/{p.name}" for p in sorted((REPO / "policies" / "corpus").glob("*.pol"))]

# What a decision is: per item its status, amount, the cap that bound it, the maximum an up-to award
# allows, the missing facts and parameters, and its instalments, project amounts and 核定 value; the
# totals as they are. Everything else of a row (trace, quote, gaps, formula) is the explain path's.
DECISION = ("条款", "状态", "金额", "上限", "缺少信息", "待定参数", "最多可得", "分期", "项目金额", "核定")


def decision(outcome):
    kind, value = outcome
    if kind != "result":
        return outcome
    rows = [{key: row[key] for key in DECISION if key in row} for row in value["条款"]]
    return kind, {**value, "条款": rows}


@pytest.mark.parametrize("relative", CANDIDATES + CORPUS)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
def test_decide_path_agrees_with_the_interpreter(relative, data):
    # the module's decide() against the interpreter's full result cut to the decision, and (for the
    # corpus, which the test above leaves out) the module's explain path against the interpreter too
    pair = policy(relative)
    records, params, as_of = strategies(relative)
    record, bound, day = data.draw(records), data.draw(params), data.draw(as_of)
    full = pair.outcomes(record, bound, day)
    decided = pair.outcome(pair.module.decide, pair.module.InputError, record, bound, day)
    assert decided == decision(full)
    # the interpreter's own decide path (polc eval --detail results --no-cache) gives the same
    assert pair.outcome(pair.interpreter.decide, rt.InputError, record, bound, day) == decided


def test_the_decide_path_decides_without_a_trace():
    # logic.pol 第1条: 「且」 pays 10万元 for 外资企业 且 符合产业导向; 「或」 pays 20万元 for 外资企业 或 民营企业.
    # An enterprise that is 外资 but not 符合产业导向 fails 「且」 on its second fact and meets 「或」 on its first;
    # one that is not 外资 and says nothing of 民营 leaves 「或」 unknown, missing exactly 民营企业.
    pair = policy("tests/policies/logic.pol")
    rows = {row["条款"]: row for row in pair.module.decide({"外资企业": True, "符合产业导向": False})["条款"]}
    assert rows["第1条「且」"] == {"条款": "第1条「且」", "状态": "不符合", "金额": None, "上限": None,
                                 "缺少信息": [], "待定参数": []}
    assert (rows["第1条「或」"]["状态"], rows["第1条「或」"]["金额"]) == ("符合", "200000.00")
    assert all(set(row) <= set(DECISION) for row in rows.values())  # no trace, quote, gaps or formula
    row = next(r for r in pair.module.decide({"外资企业": False})["条款"] if r["条款"] == "第1条「或」")
    assert (row["状态"], row["缺少信息"]) == ("信息不足", ["民营企业"])
