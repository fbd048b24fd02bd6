"""The corpus of real clauses (policies/corpus): each policy keeps its source text, its row in SOURCES.md,
and the hand working of every expected amount; SOURCES.md's counts agree with its own clause table.

The cases themselves run through the pytest plugin (``testpaths`` includes ``policies``); this file checks
what the plugin cannot: that the corpus stays documented as the issue asks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.targets.python.build import source_text
from compiler.plan.cases import run_case
from compiler.semantics.check import check
from compiler.targets.python.interpreter import Interpreter

from evalkit import import_source

CORPUS = Path(__file__).resolve().parent.parent / "policies" / "corpus"
POLICIES = sorted(CORPUS.glob("*.pol"))
SOURCES = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")


def clause_rows() -> list[list[str]]:
    """Rows of the clause table: the table whose header starts with “| # |”."""
    table = SOURCES.split("| # |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_corpus_is_not_empty():
    assert len(POLICIES) >= 8


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_policy_has_its_source_text_and_a_sources_row(policy: Path):
    text = policy.with_suffix(".txt")
    assert text.is_file(), f"{policy.name} 旁边缺少原文 {text.name}"
    assert f"原文文件「{text.name}」" in policy.read_text(encoding="utf-8")
    assert f"| {policy.stem} |" in SOURCES, f"SOURCES.md 的来源表中没有 {policy.stem}"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_every_expected_amount_has_its_working(policy: Path):
    """A case that expects an amount carries a # comment with the hand working."""
    cases = re.split(r"^(?=案例「)", policy.read_text(encoding="utf-8"), flags=re.M)[1:]
    for case in cases:
        body = case.split("\n\n", 1)[0]
        if "金额为" in body:
            name = body.splitlines()[0]
            assert re.search(r"^\s*#", body, flags=re.M), f"{policy.name} {name}：预期金额没有手算说明"


def test_sources_counts_agree_with_the_clause_table():
    rows = clause_rows()
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))
    fully = [int(row[0]) for row in rows if row[3] == "完整"]
    assert all(row[3] in ("完整", "变通") for row in rows)
    assert f"{len(rows)} 条款" in SOURCES
    assert f"完整表达 {len(fully)} 条" in SOURCES
    listed = re.search(r"完整表达 \d+ 条\*\*（([^）]*)）", SOURCES).group(1)
    assert [int(n) for n in re.findall(r"\d+", listed)] == fully
    assert len(rows) >= 25


def test_clause_table_names_existing_files():
    stems = {policy.stem for policy in POLICIES}
    for row in clause_rows():
        stem = row[1].split(" · ")[0]
        assert stem == "同上" or stem in stems, f"条款表第 {row[0]} 行的文件 {stem} 不存在"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_cases_pass_in_both_evaluators(policy: Path):
    """The plugin runs the cases with the interpreter; here each also runs through the generated module."""
    result = check(policy)
    assert result.ok, [d.message for d in result.errors]
    module = import_source(source_text(result.program), "corpus_" + str(POLICIES.index(policy)))
    interpreter = Interpreter(result.program)
    cases = result.program.policy.cases
    assert cases
    for case in cases:
        for evaluate in (interpreter.evaluate, module.evaluate):
            outcome = run_case(case, result.program, evaluate)
            assert outcome.passed, (case.name, outcome.error, outcome.mismatches)
