"""The SQL target (compiler/targets/sql): the same statuses, amounts and totals as the Python evaluators.

The differential tests draw enterprises from each policy's input contract, run the lowered query on
DuckDB, and compare every item's status and amount and the totals with the reference interpreter
(and, on a sample, the generated module) on the very same records. The issue's bar is 20,000
enterprises per policy: ``POLC_SQL_RECORDS=20000 pytest tests/test_sql_target.py``; the default
run draws fewer so the suite stays quick.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")
pytest.importorskip("pyarrow")

from compiler import runtime as rt  # noqa: E402
from compiler.cli import main  # noqa: E402
from compiler.targets.python.interpreter import Interpreter  # noqa: E402
from compiler.plan.lower import lower  # noqa: E402
from compiler.targets.sql import engine, population  # noqa: E402
from compiler.targets.sql.lower_sql import lower_policy  # noqa: E402

from evalkit import REPO, Pair, checked  # noqa: E402

RECORDS = int(os.environ.get("POLC_SQL_RECORDS", "600"))
POLICIES = [(REPO / "policies" / "minhang_2024.pol", None),
            (REPO / "policies" / "minhang_2024.pol", REPO / "policies" / "minhang_2024_示例细则.pol"),
            *[(p, None) for p in sorted((REPO / "policies" / "corpus").glob("*.pol"))]]


def plan_of(path, rules=None):
    return lower(checked(path, rules).program)


def amount(text):
    return Decimal(text) if text is not None else None


def compare(plan, table, params, as_of=None, module=None, module_sample=100):
    """Every record through SQL and through the interpreter; returns the number of records compared."""
    evaluation = engine.evaluate(plan, table, params, as_of)
    sql = engine.item_results(evaluation)
    totals = evaluation.table.sort_by("_id")
    certain, at_most = totals.column("合计").to_pylist(), totals.column("最高合计").to_pylist()
    interpreter = Interpreter.from_plan(plan)
    problems = []
    for i, record in enumerate(population.records(plan, table)):
        expected = interpreter.evaluate(record, params, as_of)
        if module is not None and i < module_sample:  # the generated module agrees with the interpreter
            assert module.evaluate(record, params, as_of) == expected
        for r in expected["条款"]:
            got = (sql[r["条款"]][0][i], sql[r["条款"]][1][i])
            if got != (r["状态"], amount(r["金额"])):
                problems.append(f"企业 {i} {r['条款']}: SQL {got}, Python {(r['状态'], r['金额'])}: {record}")
        got = (certain[i], at_most[i])
        want = (Decimal(expected["汇总"]["合计"]), Decimal(expected["汇总"]["最高合计"]))
        if got != want:
            problems.append(f"企业 {i} 合计: SQL {got}, Python {want}")
    assert not problems, f"{len(problems)} 处不一致，例如：\n" + "\n".join(problems[:5])
    return table.num_rows


HYBRID = {  # policy → the items the SQL target leaves to the Python interpreter, and why
    "温州_工业经济高质量发展若干政策意见.pol": {"第9条「一般技改奖励」"},  # 例外 per project
    "广州工信局_专项资金申报通知_2021.pol": {"第2条「股权融资奖励」"},  # a sum over a list
    "海沧_跨越发展奖励_2020.pol": {"第1条「2019年产值1亿至5亿元」", "第1条「2019年产值5亿至10亿元」",
                              "第1条「2019年产值10亿至20亿元」", "第1条「2019年产值20亿元以上」"},  # 累进
}


@pytest.mark.parametrize("path,rules", POLICIES, ids=lambda x: x.name if isinstance(x, Path) else str(x))
@pytest.mark.parametrize("bound", ["declared", "sampled"])
def test_sql_agrees_with_python(path, rules, bound):
    """Declared values leave most Minhang amounts 参数待定; sampled values for every 待定 parameter reach them."""
    plan = plan_of(path, rules)
    params = population.sample_params(plan, 11) if bound == "sampled" else {}
    fixed = engine.fixed_params(plan, params, None)
    table = population.draw(plan, RECORDS, 5 if bound == "sampled" else 6, fixed)
    lowered = lower_policy(plan, fixed)
    # What the SQL target leaves to the Python interpreter, by name, so that nothing moves there
    # unnoticed; the comparison below covers those items too.
    assert set(lowered.unsupported) == HYBRID.get(path.name, set()), lowered.unsupported
    assert compare(plan, table, params) == RECORDS


def test_generated_module_agrees_on_a_sample():
    """The generated module on the same records: interpreter, module and SQL all agree."""
    pair = Pair(REPO / "policies" / "corpus" / "海沧_跨越发展奖励_2020.pol")
    plan = lower(pair.program)
    table = population.draw(plan, 300, 9)
    compare(plan, table, {}, module=pair.module, module_sample=300)


def gd_records():
    """广东 2026: 达到30万元 of interest, 50% of it, 最高100万元, an up-to award (待评定)."""
    held = {"广东省级专精特新中小企业": True}
    return [
        {"期间贷款利息总额": "800000", "已获得专精特新企业贷款贴息": False, "已认定": held},  # 80万 × 50% = 40万
        {"期间贷款利息总额": "3000000", "已获得专精特新企业贷款贴息": False, "已认定": held},  # 150万 → 上限 100万
        {"期间贷款利息总额": "299999.99", "已获得专精特新企业贷款贴息": False, "已认定": held},  # below 30万: 不符合
        {"已获得专精特新企业贷款贴息": False, "已认定": held},  # interest not given: 信息不足
        {"期间贷款利息总额": "300001", "已获得专精特新企业贷款贴息": False},  # 已认定 not given: 信息不足
        {"期间贷款利息总额": "300001", "已获得专精特新企业贷款贴息": False,
         "已认定": {**held, "专精特新小巨人": True}},  # 小巨人 excluded: 不符合
    ]


def test_hand_worked_amounts():
    plan = plan_of(REPO / "policies" / "corpus" / "广东_专精特新贷款贴息_2026.pol")
    table = population.from_records(plan, list(enumerate(gd_records(), 1)), "手写记录")
    results = engine.item_results(engine.evaluate(plan, table))["第1条「贷款贴息」"]
    assert list(zip(*results)) == [
        ("待评定", Decimal("400000.00")),  # 800000 × 50%
        ("待评定", Decimal("1000000.00")),  # 3000000 × 50% = 1500000, capped at 100万元
        ("不符合", None),
        ("信息不足", None),
        ("信息不足", None),
        ("不符合", None),
    ]


def test_validity_on_a_date():
    """施行 自 2025-07-17 起: before that every item is 不在施行期, as in the runtime."""
    plan = plan_of(REPO / "policies" / "corpus" / "广东_专精特新贷款贴息_2026.pol")
    table = population.from_records(plan, list(enumerate(gd_records(), 1)), "手写记录")
    before = engine.item_results(engine.evaluate(plan, table, None, "2025-07-16"))["第1条「贷款贴息」"]
    assert set(before[0]) == {"不在施行期"}
    compare(plan, table, {}, "2025-07-16")
    compare(plan, table, {}, "2025-07-17")


def test_record_text_is_data_not_sql():
    """Text from a record reaches DuckDB as a column value: quotes and SQL in it change nothing."""
    plan = plan_of(REPO / "policies" / "minhang_2024.pol")
    hostile = "x'); DROP TABLE e; --\"「"
    table = population.draw(plan, 50, 3)
    column = table.schema.get_field_index("所属行业")
    import pyarrow as pa
    table = table.set_column(column, "所属行业", pa.array([hostile] * 50, type=pa.string()))
    lowered = lower_policy(plan, engine.fixed_params(plan, {}, None))
    assert hostile not in lowered.sql() and "DROP TABLE" not in lowered.sql()
    compare(plan, table, {})


def test_unsupported_items_are_named_and_left_to_python():
    """values.pol uses lists, 金额（…）, 核定, 组合上限 and 总额上限: each such item is reported with its
    reason in Chinese, evaluated by the interpreter, and the results still agree everywhere."""
    plan = plan_of(REPO / "tests" / "policies" / "values.pol")
    lowered = lower_policy(plan, engine.fixed_params(plan, {}, None))
    assert lowered.unsupported, "values.pol has constructs the SQL target leaves to Python"
    for label, reason in lowered.unsupported.items():
        assert label in {i.label for i in plan.items}
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reason), reason
    assert lowered.totals_unsupported
    table = population.draw(plan, 200, 4)
    evaluation = engine.evaluate(plan, table)
    assert set(evaluation.python_items) == set(lowered.unsupported) and evaluation.python_totals
    compare(plan, table, {})


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "tests" / "policies").glob("*.pol")))
def test_test_policies_agree(name):
    """The evaluator tests' own policies (caps, frequencies, projects, time, tiers …), a few hundred records each."""
    rules = {"rules_base.pol": None}.get(name)
    path = REPO / "tests" / "policies" / name
    if name == "rules_town.pol":
        pytest.skip("a 细则: checked with its base policy below")
    plan = plan_of(path, rules)
    params = population.sample_params(plan, 2)
    table = population.draw(plan, 200, 2, engine.fixed_params(plan, params, None))
    compare(plan, table, params)


def test_per_project_exclusion_in_sql():
    """tests/policies/per_project_combine.pol: 第3条's two supports compete project by project (就高), 第4条's
    two one-off supports also pay no project the other paid in an earlier year. Both groups are SQL now
    (第1条, overridden project by project, is still left to Python), and they agree with the interpreter
    on records where each rule decides: some projects go to the larger support, some are not paid again."""
    plan = plan_of(REPO / "tests" / "policies" / "per_project_combine.pol")
    lowered = lower_policy(plan, engine.fixed_params(plan, {}, None))
    assert set(lowered.unsupported) == {"第1条「技改」"}
    table = population.draw(plan, RECORDS, 7)
    interpreter = Interpreter.from_plan(plan)
    notes = " ".join(n for record in population.records(plan, table) for n in interpreter.evaluate(record)["汇总"]["互斥"])
    assert "同一项目不重复支持：项目「" in notes and "不再支持" in notes  # both rules decide somewhere
    compare(plan, table, {})


def test_rules_file_on_its_base():
    plan = plan_of(REPO / "tests" / "policies" / "rules_base.pol", REPO / "tests" / "policies" / "rules_town.pol")
    table = population.draw(plan, 200, 8)
    compare(plan, table, {})


def test_population_files_roundtrip(tmp_path):
    """A drawn population written as Parquet and as JSON Lines reads back to the same results."""
    plan = plan_of(REPO / "policies" / "corpus" / "温州_工业经济高质量发展若干政策意见.pol")
    table = population.draw(plan, 150, 12)
    population.write(table, tmp_path / "p.parquet")
    population.jsonl(plan, table, tmp_path / "p.jsonl")
    a = engine.item_results(engine.evaluate(plan, population.read(plan, tmp_path / "p.parquet")))
    b = engine.item_results(engine.evaluate(plan, population.read(plan, tmp_path / "p.jsonl")))
    assert a == b


def test_bad_population_files_say_where(tmp_path):
    plan = plan_of(REPO / "policies" / "corpus" / "广东_专精特新贷款贴息_2026.pol")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"期间贷款利息总额": "30万元"}\n{"期间贷款利息总额": 1.5}\n', encoding="utf-8")
    with pytest.raises(population.PopulationError) as info:
        population.read(plan, bad)
    assert "第2行" in str(info.value) and "期间贷款利息总额" in str(info.value) and "浮点" in str(info.value)
    fine = tmp_path / "x.txt"
    fine.write_text("", encoding="utf-8")
    with pytest.raises(population.PopulationError, match="parquet"):
        population.read(plan, fine)
    import pyarrow as pa
    table = population.draw(plan, 3, 1)
    index = table.schema.get_field_index("期间贷款利息总额")
    table = table.set_column(index, "期间贷款利息总额", pa.array([Decimal("-1"), None, None], type=population.DECIMAL))
    population.write(table, tmp_path / "neg.parquet")
    with pytest.raises(population.PopulationError, match="第1行.*期间贷款利息总额.*负数"):
        population.read(plan, tmp_path / "neg.parquet")


def test_cli_population_and_simulate(tmp_path, capsys):
    """The report's totals equal the sums of the interpreter's results on the same population."""
    policy = REPO / "policies" / "corpus" / "海沧_跨越发展奖励_2020.pol"
    pop = tmp_path / "pop.parquet"
    assert main(["population", str(policy), "--n", "300", "--seed", "2", "-o", str(pop)]) == 0
    out = tmp_path / "report"
    assert main(["simulate", str(policy), "--population", str(pop), "-o", str(out)]) == 0
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    plan = plan_of(policy)
    interpreter = Interpreter.from_plan(plan)
    certain = at_most = Decimal(0)
    per_item = {}
    for record in population.records(plan, population.read(plan, pop)):
        result = interpreter.evaluate(record)
        certain += Decimal(result["汇总"]["合计"])
        at_most += Decimal(result["汇总"]["最高合计"])
        for r in result["条款"]:
            per_item.setdefault(r["条款"], []).append(r["状态"])
    assert data["企业数"] == 300
    assert Decimal(data["合计"]["金额合计"]) == certain and Decimal(data["合计"]["最多可得合计"]) == at_most
    for row in data["条款"]:
        assert row["人数"]["符合"] == per_item[row["条款"]].count("符合")
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "# 预算测算" in text and "各款" in text


def vary_spec(plan, steps: int) -> tuple[str, str]:
    """--vary over the first declared parameter's range (0 to 10% where it has none), in ``steps`` steps:
    the parameter's name and the option's value."""
    from compiler.targets.sql.simulate import shown
    name = next(iter(plan.declared_params))
    kind, low, high = plan.declared_params[name]
    lo, hi = low if low is not None else Decimal(0), high if high is not None else Decimal("0.1")
    return name, f"{name}={shown(kind, lo)}:{shown(kind, hi)}:{shown(kind, (hi - lo) / steps)}"


def test_cli_simulate_vary_draws_a_curve(tmp_path):
    policy = REPO / "policies" / "corpus" / "苏州工业园区_服务业营收增长奖励_2025.pol"
    pop = tmp_path / "pop.parquet"
    assert main(["population", str(policy), "--n", "200", "-o", str(pop)]) == 0
    _name, spec = vary_spec(plan_of(policy), 4)
    assert main(["simulate", str(policy), "--population", str(pop), "--vary", spec, "-o", str(tmp_path / "r")]) == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(data["成本曲线"]["取值"]) == 5
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_simulate_shows_progress_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    """On a terminal, stderr's progress line names each step (the evaluation, each value of the curve) and
    is cleared after; elsewhere stderr stays empty. The report is the same either way."""
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    policy = REPO / "policies" / "corpus" / "苏州工业园区_服务业营收增长奖励_2025.pol"
    plan = plan_of(policy)
    name, spec = vary_spec(plan, 2)
    pop = tmp_path / "pop.parquet"
    assert main(["population", str(policy), "--n", "50", "-o", str(pop)]) == 0
    capsys.readouterr()
    assert main(["simulate", str(policy), "--population", str(pop), "--vary", spec, "-o", str(tmp_path / "plain")]) == 0
    assert capsys.readouterr().err == ""
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert main(["simulate", str(policy), "--population", str(pop), "--vary", spec, "-o", str(tmp_path / "tty")]) == 0
    shown_text = stderr.getvalue()
    assert f"在 duckdb 上为 50 家企业求值 {len(plan.items)} 款……" in shown_text
    assert all(f"成本曲线 {k}/3：{name}=" in shown_text for k in (1, 2, 3))
    assert shown_text.endswith("\r\x1b[K")  # cleared: the report's lines start on a clean line
    assert (tmp_path / "tty.json").read_text(encoding="utf-8").replace("tty", "") == \
        (tmp_path / "plain.json").read_text(encoding="utf-8").replace("plain", "")


def test_cli_simulate_errors_are_chinese(tmp_path, capsys):
    policy = REPO / "policies" / "corpus" / "广东_专精特新贷款贴息_2026.pol"
    assert main(["simulate", str(policy), "--population", str(tmp_path / "none.parquet")]) == 1
    assert "文件不存在" in capsys.readouterr().err
    pop = tmp_path / "p.parquet"
    assert main(["population", str(policy), "--n", "5", "-o", str(pop)]) == 0
    assert main(["simulate", str(policy), "--population", str(pop), "--vary", "没有这个=1:2:1"]) == 1
    assert "没有参数" in capsys.readouterr().err


def test_spark_dialect_or_skip():
    """--engine spark: the same query in Spark's dialect; run when pyspark and Java are present."""
    plan = plan_of(REPO / "policies" / "corpus" / "广东_专精特新贷款贴息_2026.pol")
    lowered = lower_policy(plan, engine.fixed_params(plan, {}, None))
    assert "SELECT" in lowered.sql("spark")
    reason = engine.spark_available()
    if reason:
        pytest.skip(f"Spark 不可用：{reason}")
    table = population.from_records(plan, list(enumerate(gd_records(), 1)), "手写记录")
    spark = engine.item_results(engine.evaluate(plan, table, engine="spark"))
    duck = engine.item_results(engine.evaluate(plan, table))
    assert spark == duck
    assert spark["第1条「贷款贴息」"][1][:2] == [Decimal("400000.00"), Decimal("1000000.00")]  # as worked by hand above
    for path in (REPO / "policies" / "corpus" / "海沧_跨越发展奖励_2020.pol",  # tiers, caps, history
                 REPO / "tests" / "policies" / "per_project_combine.pol"):  # 互斥 per project (named layers)
        plan = plan_of(path)
        table = population.draw(plan, 300, 21)
        assert engine.item_results(engine.evaluate(plan, table, engine="spark")) == \
            engine.item_results(engine.evaluate(plan, table))


def test_money_is_never_float():
    """Every number column of the population and every amount of the result is DECIMAL."""
    import pyarrow as pa
    plan = plan_of(REPO / "policies" / "corpus" / "海沧_跨越发展奖励_2020.pol")
    table = population.draw(plan, 20, 1)
    for field in table.schema:
        assert not pa.types.is_floating(field.type), field
    evaluation = engine.evaluate(plan, table)
    for field in evaluation.table.schema:
        assert not pa.types.is_floating(field.type), field
    assert "DOUBLE" not in evaluation.lowered.sql().upper() and "FLOAT" not in evaluation.lowered.sql().upper()
    assert rt  # the runtime module is what the SQL follows
