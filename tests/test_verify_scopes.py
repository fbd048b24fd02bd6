"""polc verify over scopes and years: per-project caps, caps over a window, one-off awards paid once
when each year's award is fed back, and the combinations it does not prove, said as such (issue 12).

Each policy is verified from its own meaning and from the module ``polc build`` writes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from compiler import verify as v
from compiler.build import source_text
from compiler.check import check
from compiler.propcheck import module_from_source

POLICIES = Path(__file__).parent / "policies"


def checked(name):
    result = check(POLICIES / name)
    assert result.ok, [d.message for d in result.errors]
    return result.program


def verdicts(name, module_source=None):
    prog = checked(name)
    return {(p.label, p.text): p for p in v.verify_program(prog, str(POLICIES / name), module_source=module_source)}


def test_per_project_caps_are_proved():
    # scoped_caps.pol 第1条: 10% of each project's 核定投资额, at most 100万元 per project over all years,
    # less what that project already received. Proved for any number of projects, from the policy and
    # from the module (before, 无法编码).
    prog = checked("scoped_caps.pol")
    for source in (None, source_text(prog)):
        found = verdicts("scoped_caps.pol", source)
        assert found[("第1条「项目累计」", "遵守累计上限（每个项目）100万元")].status == "proved"
        assert found[("第1条「项目累计」", "金额不为负")].status == "proved"


def test_a_module_without_the_per_project_cap_gives_a_counterexample():
    # The module's 第1条 spec loses its 项目累计上限: a project with 核定投资额 above 1000万元 gets more
    # than 100万元 (less what it received before). The counterexample reproduces in that module.
    prog = checked("scoped_caps.pol")
    source = source_text(prog)
    mutated, count = re.subn(r"'caps': \[\('项目累计上限'[^\]]*\]", "'caps': []", source)
    assert count == 1
    p = verdicts("scoped_caps.pol", mutated)[("第1条「项目累计」", "遵守累计上限（每个项目）100万元")]
    assert p.status == "counterexample", (p.status, p.detail)
    example = p.example
    got = module_from_source(mutated, "no_project_cap").evaluate(example["企业"], example["参数"])
    r = next(x for x in got["条款"] if x["条款"] == "第1条「项目累计」")
    used = {}
    for h in example["企业"].get("已获支持", []):
        if h["条款"] == "第1条「项目累计」":
            used[h.get("项目")] = used.get(h.get("项目"), Decimal(0)) + Decimal(h["金额"])
    rooms = sum(max(Decimal(0), Decimal(1_000_000) - used.get(pr["项目名称"], Decimal(0)) - used.get(None, Decimal(0)))
                for pr in example["企业"]["项目"])
    assert Decimal(r["金额"]) > rooms
