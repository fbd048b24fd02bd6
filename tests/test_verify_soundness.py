"""Soundness of polc verify: for random small policies and random enterprises, nothing verify
proves is ever violated by the evaluators (the interpreter and the generated module agree).

The policies mix the forms whose translation went wrong before: set membership on a text field,
caps that are an amount minus a ratio of a figure, floors, and tier tables whose amounts may
decrease. The bound a property states is worked out here from the item's own numbers.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.targets.smt import verify as v
from compiler.targets.python.build import source_text
from compiler.semantics.check import check
from compiler.targets.python.interpreter import Interpreter

from evalkit import import_source

WAN = Decimal(10000)
HEAD = ("政策「验证可靠性测试政策」\n原文文件「原文.txt」 自「一、支持内容」起\n施行 自 2025-01-01 起\n"
        "引用「基础」、「企业」\n\n章「一、支持内容」\n\n第1条「支持投资」\n  原文「支持投资。」\n")
TEXT = "验证可靠性测试政策\n\n一、支持内容\n\n1.支持投资。对投资给予支持。\n"
INDUSTRIES = ("制造业", "批发业", "零售业")


@st.composite
def items(draw):
    """(the item's .pol lines, what it means: a dict of its numbers)."""
    lines, meaning = [], {}
    conditions = []
    if draw(st.booleans()):
        chosen = draw(st.sets(st.sampled_from(INDUSTRIES[:2]), min_size=1))
        conditions.append("「所属行业」 属于 {" + "、".join(f"「{x}」" for x in sorted(chosen)) + "}")
    if draw(st.booleans()):
        conditions.append(f"「营业收入」 达到 {draw(st.integers(0, 2000))}万元")
    if conditions:
        lines.append("条件 " + " 且 ".join(conditions))
    form = draw(st.sampled_from(("ratio", "fixed", "tiers")))
    if form == "ratio":
        lines.append(f"给予 按「固定资产投资」的 {draw(st.integers(1, 30))}%")
    elif form == "fixed":
        lines.append(f"给予 {draw(st.integers(1, 500))}万元")
    else:
        amounts = draw(st.lists(st.integers(1, 100), min_size=2, max_size=4))
        edges = sorted(draw(st.sets(st.integers(1, 5000), min_size=len(amounts), max_size=len(amounts))))
        lines.append("给予 分档「固定资产投资」")
        for k, (edge, amount) in enumerate(zip(edges, amounts)):
            upper = f" 且 低于 {edges[k + 1]}万元" if k + 1 < len(edges) else ""
            lines.append(f"  档 达到 {edge}万元{upper}：{amount}万元")
    cap = draw(st.sampled_from((None, "fixed", "minus")))
    if cap == "fixed":
        meaning["cap"] = (draw(st.integers(1, 500)), 0)
        lines.append(f"上限 {meaning['cap'][0]}万元")
    elif cap == "minus":
        meaning["cap"] = (draw(st.integers(1, 500)), draw(st.integers(1, 20)))
        lines.append(f"上限 {meaning['cap'][0]}万元 - 「固定资产投资」× {meaning['cap'][1]}%")
    if draw(st.booleans()):
        meaning["floor"] = draw(st.integers(0, 600))
        lines.append(f"下限 {meaning['floor']}万元")
    return lines, meaning


enterprises = st.fixed_dictionaries({
    "固定资产投资": st.integers(0, 6000).map(lambda w: str(w * WAN)),
    "营业收入": st.sampled_from((0, 500, 3000)).map(lambda w: str(w * WAN)),
    "所属行业": st.sampled_from(INDUSTRIES),
})


def evaluate_both(interpreter, module, record):
    a = interpreter.evaluate(copy.deepcopy(record), {})
    b = module.evaluate(copy.deepcopy(record), {})
    assert a == b
    return {r["条款"]: r for r in a["条款"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(st.lists(items(), min_size=1, max_size=3), st.lists(enterprises, min_size=10, max_size=25))
def test_what_verify_proves_holds_in_the_evaluators(tmp_path, drawn, records):
    body = "".join(f"  款「款{k}」\n    原文「对投资给予支持。」\n" + "".join(f"    {x}\n" for x in lines)
                   for k, (lines, _) in enumerate(drawn))
    (tmp_path / "原文.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text(HEAD + body, encoding="utf-8")
    result = check(path)
    if not result.ok:  # e.g. a tier table the checker refuses; nothing to verify
        return
    program = result.program
    proved = {(p.label, p.name) for p in v.verify_program(program, str(path)) if p.status == "proved"}
    interpreter, module = Interpreter(program), import_source(source_text(program), "soundness")
    rows = []
    for record in records:
        record = {**record, "已认定": {}}
        rows.append((record, evaluate_both(interpreter, module, record)))
    for k, (_, meaning) in enumerate(drawn):
        label = f"第1条「款{k}」"
        paying = [(rec, Decimal(out[label]["金额"])) for rec, out in rows
                  if out[label]["状态"] == "符合" and out[label]["金额"] is not None]
        for rec, amount in paying:
            investment = Decimal(rec["固定资产投资"])
            if (label, "nonneg") in proved:
                assert amount >= 0, (label, rec, amount)
            if "floor" in meaning and (label, "floor_1" if "cap" in meaning else "floor_0") in proved:
                assert amount >= meaning["floor"] * WAN, (label, rec, amount)
            if "cap" in meaning and (label, "cap_0") in proved:
                fixed, percent = meaning["cap"]
                # the cap: fixed 万元 minus percent% of the investment, rounded to the cent like the amount
                assert amount <= (fixed * WAN - investment * percent / 100).quantize(Decimal("0.01")), \
                    (label, rec, amount)
        if (label, "tier_mono") in proved:
            # among enterprises alike but for the investment, more investment never pays less
            groups = {}
            for rec, amount in paying:
                groups.setdefault((rec["营业收入"], rec["所属行业"]), []).append((Decimal(rec["固定资产投资"]), amount))
            for same in groups.values():
                same.sort()
                for (x1, a1), (x2, a2) in zip(same, same[1:]):
                    assert x1 == x2 or a1 <= a2, (label, same)
