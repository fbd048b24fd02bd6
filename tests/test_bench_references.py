"""The population bench compares polc with reference implementations written in the bench: they must
compute the same five items, or its table compares unlike things. Checked on enterprises worked out by
hand from the Minhang text and the illustrative 细则 (美元汇率 7.1; 实到外资 5% up to 1000万元; output
increase tiers 5000万/1亿/2亿 → 10万/30万/50万; launch insurance matched 50% up to 300万元; financing 2% up
to 100万元; R&D 10% up to 500万元)."""

import importlib.util
from pathlib import Path

import attrs
import numpy as np
import pytest

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_population", ROOT / "bench" / "bench_population.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def plan(bench):
    from compiler.plan.lower import lower
    from compiler.semantics.check import check
    return lower(check(str(bench.POLICY), rules=str(bench.RULES)).program)


def columns() -> dict:
    """Two enterprises, every input given, money in fen."""
    return {
        "外资企业": np.array([True, True]), "符合产业导向": np.array([True, True]),
        "年新增实到外资": np.array([300_000_000, 199_999_999]),  # 300万美元; 1,999,999.99美元 (below 200万)
        "属于工业": np.array([True, True]),
        "工业总产值": np.array([35_000_000_000, 15_000_000_000]),  # increases 1.3亿 and exactly 5000万
        "上年工业总产值": np.array([22_000_000_000, 10_000_000_000]),
        "从事星箭研发生产或发射经营": np.array([True, True]),
        "商业发射保险上级贴费": np.array([100_000_001, 0]),  # 1,000,000.01元; 0 (not 高于0元)
        "创新型中小企业": np.array([True, False]), "近两年融资额": np.array([6_000_000_000, 6_000_000_000]),
        "研发投入重点企业": np.array([True, True]),
        "研发费用": np.array([1_234_567_890, 8_000_000_000]),  # 12,345,678.90元; 8000万元
    }


# fen per item, in the order of FIVE (第8条, 第13条, 第29条, 第49条, 第1条):
EXPECTED = [
    # 300万美元 × 7.1 × 5% = 106.5万元; 1.3亿 ≥ 1亿 → 30万; 1,000,000.01 × 50% = 500,000.005 → 500,000.01 (half up);
    # 6000万 × 2% = 120万 → capped at 100万; 12,345,678.90 × 10% = 1,234,567.89
    [106_500_000, 30_000_000, 50_000_001, 100_000_000, 123_456_789],
    # below 200万美元 → 0; exactly 5000万 (不低于) → 10万; fee 0 → 0; not recognised → 0; 800万 → capped at 500万
    [0, 10_000_000, 0, 0, 500_000_000],
]


def test_exact_references_give_the_hand_worked_amounts(bench, plan):
    from compiler.targets.sql import engine
    params = engine.fixed_params(plan, {}, None)
    c = columns()
    for name, got in (("numpy int64 fen", bench.numpy_fen(c, params)), ("DuckDB int64 fen", bench.duckdb_fen(c, params))):
        for row, expected in enumerate(EXPECTED):
            assert [int(got[label][row]) for label in bench.FIVE] == expected, name


def test_polc_sql_on_the_bench_table_gives_the_hand_worked_amounts(bench, plan):
    from compiler.targets.sql import engine
    five = attrs.evolve(plan, items=tuple(i for i in plan.items if i.label in bench.FIVE), exclusives=(), overrides=())
    evaluation = engine.evaluate(five, bench.five_table(five, columns(), 2), {}, None)
    table = evaluation.table.sort_by("_id")
    got = {label: bench._fen(table.column(evaluation.lowered.amount_columns[label])) for label in bench.FIVE}
    for row, expected in enumerate(EXPECTED):
        assert [got[label][row] for label in bench.FIVE] == expected


def test_openfisca_reference_computes_the_same_items(bench, plan):
    """float32 rounds, but within a yuan on these amounts (a wrong formula would be off by far more), except
    where rounding crosses a threshold: 1,999,999.99美元 is 2,000,000 in float32 (24-bit significand), so
    OpenFisca pays the second enterprise 200万 × 7.1 × 5% = 71万元 that the text does not give."""
    pytest.importorskip("openfisca_core")
    from compiler.targets.sql import engine
    results, _seconds = bench.openfisca_five(columns(), engine.fixed_params(plan, {}, None), 2)
    assert float(results[bench.FIVE[0]][1]) == 710_000, "OpenFisca's float no longer float32: update the bench's labels"
    for row, expected in enumerate(EXPECTED):
        for label, fen in zip(bench.FIVE, expected):
            if (row, label) != (1, bench.FIVE[0]):
                assert abs(float(results[label][row]) - fen / 100) < 1, (label, row)
