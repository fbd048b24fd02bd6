"""Population-scale evaluation: polc's SQL target on DuckDB against the generated module and hand-written columnar code.

One run, side by side, on the Minhang policy with the illustrative 细则 (every parameter bound):
  A. polc on DuckDB: all items over N enterprises (default 1,000,000), drawn from the input
     contract; the report's aggregates are computed inside DuckDB; exactness is checked against the
     reference interpreter on a sample of the same enterprises;
  B. the generated Python module on a sample (default 10,000) of the same enterprises, extrapolated to N;
  C. five representative items (ratio × exchange rate with cap, a tier table, matching funds, ratio with
     cap and a recognition, ratio with cap and an assessment) over N complete enterprises: polc's SQL for
     those five items (the report's aggregates, and status and amount per enterprise), numpy int64 fen,
     hand-written DuckDB SQL over int64 fen (the floor for an exact query on this engine), numpy float64,
     and OpenFisca-core (float32, its default; `pip install ".[bench]"`) when installed; each reference
     implementation is written here; the exact ones are compared enterprise by enterprise, the float ones
     with the exact amounts.
Peak memory is the process's peak resident set (it includes DuckDB's native memory); part A also gives the CPU time
of all threads, which says how far the engine is from the wall-clock target on this machine's cores.
Run: python bench/bench_population.py [--n N] [--sample S] [--threads T]
"""

from __future__ import annotations

import argparse
import resource
import time
from decimal import Decimal
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa

from compiler import runtime as rt
from compiler.targets.python.build import source_text
from compiler.semantics.check import check
from compiler.targets.python.interpreter import Interpreter
from compiler.plan.lower import lower
from compiler.targets.sql import engine, population
from compiler.targets.sql.lower_sql import lower_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "minhang_2024.pol"
RULES = ROOT / "policies" / "minhang_2024_示例细则.pol"
FIVE = ("第8条「实到外资支持」", "第13条「年度产值增量分档」", "第29条「商业发射保险配套支持」",
        "第49条「优质创新型中小企业融资支持」", "第1条「研发投入支持」")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """The process's CPU time so far, every thread's (DuckDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def part_a(plan, n: int, threads: int | None, check_sample: int):
    table = population.draw(plan, n, 1)
    start, cpu_start = time.perf_counter(), cpu_seconds()
    fixed = engine.fixed_params(plan, {}, None)
    lowered = lower_policy(plan, fixed)
    lowered_s = time.perf_counter() - start
    evaluation = engine.evaluate(plan, table, {}, None, threads=threads, summary=True)
    total, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    assert not lowered.unsupported
    agg = evaluation.aggregates
    # exactness: the first enterprises, row by row, against the reference interpreter
    sample = table.slice(0, check_sample)
    rows = engine.item_results(engine.evaluate(plan, sample, {}, None, threads=threads))
    interpreter = Interpreter.from_plan(plan)
    mismatches = 0
    for i, record in enumerate(population.records(plan, sample)):
        for r in interpreter.evaluate(record)["条款"]:
            got = (rows[r["条款"]][0][i], rows[r["条款"]][1][i])
            if got != (r["状态"], Decimal(r["金额"]) if r["金额"] is not None else None):
                mismatches += 1
    return table, {"n": n, "items": len(plan.items), "seconds": total, "cpu_seconds": cpu, "lowering_seconds": lowered_s,
                   "合计": agg["sum:合计"], "最高合计": agg["sum:最高合计"], "checked": check_sample,
                   "mismatches": mismatches, "peak_mb": peak_mb()}


def part_b(plan, program, table, sample: int, n: int):
    import importlib.util
    import sys
    import tempfile
    source = source_text(program)
    path = Path(tempfile.mkdtemp()) / "polc_bench_minhang.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("polc_bench_minhang", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["polc_bench_minhang"] = module
    spec.loader.exec_module(module)
    records = list(population.records(plan, table.slice(0, sample)))
    start = time.perf_counter()
    for record in records:
        module.evaluate(record)
    seconds = time.perf_counter() - start
    return {"sample": sample, "seconds": seconds, "per_enterprise_ms": seconds / sample * 1000,
            "extrapolated_seconds": seconds / sample * n}


# ---- C: five items over complete enterprises ------------------------------------------------

def complete_columns(n: int, seed: int) -> dict:
    """The five items' inputs, every one given: money in fen (int64), flags as bool."""
    rng = np.random.default_rng(seed)
    fen = lambda top: rng.integers(0, top * 100, n)  # noqa: E731
    return {
        "外资企业": rng.random(n) < 0.6, "符合产业导向": rng.random(n) < 0.7, "年新增实到外资": fen(5_000_000),
        "属于工业": rng.random(n) < 0.5, "工业总产值": fen(800_000_000), "上年工业总产值": fen(500_000_000),
        "从事星箭研发生产或发射经营": rng.random(n) < 0.3, "商业发射保险上级贴费": fen(8_000_000),
        "创新型中小企业": rng.random(n) < 0.3, "近两年融资额": fen(80_000_000),
        "研发投入重点企业": rng.random(n) < 0.4, "研发费用": fen(30_000_000),
    }


def five_table(plan, cols: dict, n: int) -> pa.Table:
    """The same enterprises in polc's columnar form (other fields unknown, no history, no projects)."""
    schema = population.schema(plan)
    arrays = []
    for field in schema:
        name = field.name
        if name in cols and field.type == pa.bool_():
            arrays.append(pa.array(cols[name]))
        elif name in cols:  # fen → DECIMAL(38, 6)
            arrays.append(population._decimal_array(cols[name].astype(np.int64) * 10 ** 4, np.ones(n, dtype=bool)))
        elif name == "申报年度":
            arrays.append(pa.array(np.full(n, 2025, dtype=np.int32)))
        elif name == "已认定":
            arrays.append(pa.array(np.ones(n, dtype=bool)))
        elif name == "认定:创新型中小企业":
            arrays.append(pa.array(np.where(cols["创新型中小企业"], "是", None), type=pa.string()))
        elif name in ("已获支持", "项目"):
            arrays.append(pa.array([[]] * n, type=field.type))
        else:
            arrays.append(pa.nulls(n, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def numpy_fen(c: dict, p: dict) -> dict:
    """Exact: int64 fen, each amount rounded half-up to the fen once (all inputs are non-negative)."""
    out = {}
    ok = c["外资企业"] & c["符合产业导向"] & (c["年新增实到外资"] >= 200_000_000)
    raw = (c["年新增实到外资"] * 355 + 500) // 1000  # × 7.1 × 5% = × 0.355
    out[FIVE[0]] = np.where(ok, np.minimum(raw, 1_000_000_000), 0)
    growth = c["工业总产值"] - c["上年工业总产值"]
    tier = np.select([growth >= 20_000_000_000, growth >= 10_000_000_000, growth >= 5_000_000_000],
                     [50_000_000, 30_000_000, 10_000_000], 0)
    out[FIVE[1]] = np.where(c["属于工业"], tier, 0)
    ok = c["从事星箭研发生产或发射经营"] & (c["商业发射保险上级贴费"] > 0)
    out[FIVE[2]] = np.where(ok, np.minimum((c["商业发射保险上级贴费"] * 5 + 5) // 10, 300_000_000), 0)
    out[FIVE[3]] = np.where(c["创新型中小企业"], np.minimum((c["近两年融资额"] * 2 + 50) // 100, 100_000_000), 0)
    ratio, cap = p["研发投入支持比例"], p["研发投入支持上限"]
    num, den = int(ratio * 10000), 10000
    out[FIVE[4]] = np.where(c["符合产业导向"] & c["研发投入重点企业"],
                            np.minimum((c["研发费用"] * num * 2 + den) // (2 * den), int(cap * 100)), 0)
    return out


def numpy_float(c: dict, p: dict, dtype=np.float64) -> dict:
    """The same five in floating point (yuan), rounded to the fen with numpy's round: a common shortcut."""
    y = {k: (v.astype(dtype) / dtype(100)) if v.dtype != bool else v for k, v in c.items()}
    out = {}
    ok = y["外资企业"] & y["符合产业导向"] & (y["年新增实到外资"] >= 2_000_000)
    out[FIVE[0]] = np.where(ok, np.minimum(np.round(y["年新增实到外资"] * dtype(7.1) * dtype(0.05), 2), 10_000_000), 0)
    growth = y["工业总产值"] - y["上年工业总产值"]
    tier = np.select([growth >= 200_000_000, growth >= 100_000_000, growth >= 50_000_000], [500_000, 300_000, 100_000], 0)
    out[FIVE[1]] = np.where(y["属于工业"], tier, 0)
    ok = y["从事星箭研发生产或发射经营"] & (y["商业发射保险上级贴费"] > 0)
    out[FIVE[2]] = np.where(ok, np.minimum(np.round(y["商业发射保险上级贴费"] * dtype(0.5), 2), 3_000_000), 0)
    out[FIVE[3]] = np.where(y["创新型中小企业"], np.minimum(np.round(y["近两年融资额"] * dtype(0.02), 2), 1_000_000), 0)
    out[FIVE[4]] = np.where(y["符合产业导向"] & y["研发投入重点企业"],
                            np.minimum(np.round(y["研发费用"] * dtype(float(p["研发投入支持比例"])), 2),
                                       float(p["研发投入支持上限"])), 0)
    return out


def duckdb_fen(c: dict, p: dict) -> dict:
    """The same five as hand-written DuckDB SQL over int64 fen, exact like ``numpy_fen``: the floor for any exact
    query on this engine. Timed from registering the columns to the amounts back as numpy arrays."""
    import duckdb
    ratio, cap = p["研发投入支持比例"], p["研发投入支持上限"]
    num, den, top = int(ratio * 10000), 10000, int(cap * 100)
    names = {k: f"c{i}" for i, k in enumerate(c)}
    v = names.__getitem__
    growth = f"({v('工业总产值')} - {v('上年工业总产值')})"
    query = f"""SELECT
      CASE WHEN {v('外资企业')} AND {v('符合产业导向')} AND {v('年新增实到外资')} >= 200000000
           THEN LEAST(({v('年新增实到外资')} * 355 + 500) // 1000, 1000000000) ELSE 0 END AS a0,
      CASE WHEN {v('属于工业')} THEN CASE WHEN {growth} >= 20000000000 THEN 50000000
           WHEN {growth} >= 10000000000 THEN 30000000 WHEN {growth} >= 5000000000 THEN 10000000 ELSE 0 END
           ELSE 0 END AS a1,
      CASE WHEN {v('从事星箭研发生产或发射经营')} AND {v('商业发射保险上级贴费')} > 0
           THEN LEAST(({v('商业发射保险上级贴费')} * 5 + 5) // 10, 300000000) ELSE 0 END AS a2,
      CASE WHEN {v('创新型中小企业')} THEN LEAST(({v('近两年融资额')} * 2 + 50) // 100, 100000000) ELSE 0 END AS a3,
      CASE WHEN {v('符合产业导向')} AND {v('研发投入重点企业')}
           THEN LEAST(({v('研发费用')} * {num * 2} + {den}) // {2 * den}, {top}) ELSE 0 END AS a4
    FROM t"""
    con = duckdb.connect()
    con.register("t", pa.table({names[k]: pa.array(col) for k, col in c.items()}))
    got = con.execute(query).fetchnumpy()
    con.close()
    return {label: np.asarray(got[f"a{i}"], dtype=np.int64) for i, label in enumerate(FIVE)}


def openfisca_five(c: dict, p: dict, n: int):
    """The five items as OpenFisca variables (value_type float: float32), on one simulation of n enterprises."""
    from openfisca_core import periods
    from openfisca_core.entities import build_entity
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)

    def var(name, kind, formula=None):
        attributes = {"value_type": kind, "entity": Enterprise, "definition_period": periods.DateUnit.YEAR,
                      "label": name}
        if formula is not None:
            attributes["formula"] = formula
        return type(name, (Variable,), attributes)

    inputs = {k: (bool if v.dtype == bool else float) for k, v in c.items()}
    ascii_names = {k: f"in_{i}" for i, k in enumerate(inputs)}
    classes = [var(ascii_names[k], t) for k, t in inputs.items()]
    a = lambda e, period, k: e(ascii_names[k], period)  # noqa: E731
    ratio, cap = float(p["研发投入支持比例"]), float(p["研发投入支持上限"])

    def f0(e, period):
        ok = a(e, period, "外资企业") * a(e, period, "符合产业导向") * (a(e, period, "年新增实到外资") >= 2_000_000)
        return ok * np.minimum(np.round(a(e, period, "年新增实到外资") * 7.1 * 0.05, 2), 10_000_000)

    def f1(e, period):
        growth = a(e, period, "工业总产值") - a(e, period, "上年工业总产值")
        tier = np.select([growth >= 200_000_000, growth >= 100_000_000, growth >= 50_000_000],
                         [500_000, 300_000, 100_000], 0)
        return a(e, period, "属于工业") * tier

    def f2(e, period):
        fee = a(e, period, "商业发射保险上级贴费")
        return a(e, period, "从事星箭研发生产或发射经营") * (fee > 0) * np.minimum(np.round(fee * 0.5, 2), 3_000_000)

    def f3(e, period):
        return a(e, period, "创新型中小企业") * np.minimum(np.round(a(e, period, "近两年融资额") * 0.02, 2), 1_000_000)

    def f4(e, period):
        ok = a(e, period, "符合产业导向") * a(e, period, "研发投入重点企业")
        return ok * np.minimum(np.round(a(e, period, "研发费用") * ratio, 2), cap)
    outputs = [var(f"item_{i}", float, f) for i, f in enumerate((f0, f1, f2, f3, f4))]

    system = TaxBenefitSystem([Enterprise])
    for cls in classes + outputs:
        system.add_variable(cls)
    simulation = SimulationBuilder().build_default_simulation(system, n)
    for k, v in c.items():
        simulation.set_input(ascii_names[k], "2025", v if v.dtype == bool else v.astype(np.float64) / 100)
    start = time.perf_counter()
    results = {FIVE[i]: simulation.calculate(f"item_{i}", "2025") for i in range(5)}
    return results, time.perf_counter() - start


def clocked(run):
    """``run`` made timed: a function that calls it and returns its result and the seconds it took."""
    def timed():
        start = time.perf_counter()
        result = run()
        return result, time.perf_counter() - start
    return timed


def least_of(timed, rounds: int = 3):
    """The least seconds of ``rounds`` calls of ``timed`` (each returns its result and its seconds), and a result."""
    runs = [timed() for _ in range(rounds)]
    return min(seconds for _, seconds in runs), runs[-1][0]


def part_c(plan, n: int, threads: int | None):
    """Each implementation timed the least of three runs (the machine's speed drifts)."""
    params = engine.fixed_params(plan, {}, None)
    c = complete_columns(n, 3)
    five = attrs.evolve(plan, items=tuple(i for i in plan.items if i.label in FIVE), exclusives=(), overrides=())
    table = five_table(five, c, n)
    out = {}
    out["polc DuckDB (DECIMAL), the report"], evaluation = least_of(
        clocked(lambda: engine.evaluate(five, table, {}, None, threads=threads, summary=True)))
    labels = [i.label for i in five.items]
    polc_totals = {label: Decimal(evaluation.aggregates[f"most{k}"] or 0) for k, label in enumerate(labels)}
    out["polc DuckDB (DECIMAL), status and amount per enterprise"], rows = least_of(
        clocked(lambda: engine.evaluate(five, table, {}, None, threads=threads)))
    out["numpy int64 fen"], exact = least_of(clocked(lambda: numpy_fen(c, params)))
    exact_totals = {label: Decimal(int(exact[label].sum())) / 100 for label in FIVE}
    same_rows = all(_fen(rows.table.sort_by("_id").column(rows.lowered.amount_columns[label])) == exact[label].tolist()
                    for label in FIVE)
    out["hand-written DuckDB, int64 fen"], by_hand = least_of(clocked(lambda: duckdb_fen(c, params)))
    same_rows = same_rows and all(np.array_equal(by_hand[label], exact[label]) for label in FIVE)
    out["numpy float64"], approx = least_of(clocked(lambda: numpy_float(c, params)))
    accuracy = {"numpy float64": _float_errors(exact, approx)}
    try:
        out["OpenFisca-core (float32)"], of = least_of(lambda: openfisca_five(c, params, n))  # it times its own calculation
        accuracy["OpenFisca-core (float32)"] = _float_errors(exact, of)
    except ImportError:
        out["OpenFisca-core (float32)"] = None
    return out, polc_totals, exact_totals, accuracy, same_rows


def _fen(column) -> list:
    """Amounts (None where nothing is paid) as int fen, 0 for None, as the references give them."""
    return [int(a * 100) if a is not None else 0 for a in column.to_pylist()]


def _float_errors(exact: dict, approx: dict) -> dict:
    """Share of enterprise amounts off by a fen or more, and each item total's error in yuan."""
    wrong = total = 0
    worst_total = Decimal(0)
    for label in FIVE:
        e = exact[label]
        a = approx[label]
        cents = np.rint(np.asarray(a, dtype=np.float64) * 100).astype(np.int64)
        wrong += int((cents != e).sum())
        total += len(e)
        exact_total = Decimal(int(e.sum())) / 100
        float_total = Decimal(repr(float(np.asarray(a, dtype=np.float64).sum()))).quantize(Decimal("0.01"))
        worst_total = max(worst_total, abs(float_total - exact_total))
    return {"off_by_a_fen_or_more": wrong / total, "worst_item_total_error_yuan": worst_total}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--check", type=int, default=2_000)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    result = check(str(POLICY), rules=str(RULES))
    plan = lower(result.program)
    table, a = part_a(plan, args.n, args.threads, args.check)
    print(f"A. polc SQL on DuckDB, all {a['items']} Minhang items, {a['n']:,} enterprises: {a['seconds']:.1f} s "
          f"(lowering and planning included; lowering {a['lowering_seconds']:.1f} s; "
          f"{a['cpu_seconds']:.1f} s of CPU over all threads); "
          f"合计 {a['合计']} 元, 最高合计 {a['最高合计']} 元; row-by-row check against the interpreter on "
          f"{a['checked']:,} enterprises: {a['mismatches']} mismatches; peak RSS {a['peak_mb']:.0f} MB")
    b = part_b(plan, result.program, table, min(args.sample, args.n), args.n)
    print(f"B. generated Python module: {b['per_enterprise_ms']:.3f} ms per enterprise on {b['sample']:,}; "
          f"{args.n:,} extrapolated: {b['extrapolated_seconds']:.0f} s")
    timings, polc_totals, exact_totals, accuracy, same_rows = part_c(plan, args.n, args.threads)
    print(f"C. five items over {args.n:,} complete enterprises ({5 * args.n:,} record-items):")
    print("   | implementation | seconds | ns per record-item |")
    print("   | --- | ---: | ---: |")
    for name, seconds in timings.items():
        if seconds is None:
            print(f"   | {name} | not installed | |")
            continue
        print(f"   | {name} | {seconds:.3f} | {seconds / (5 * args.n) * 1e9:.1f} |")
    same = all(polc_totals[label] == exact_totals[label] for label in FIVE)
    print(f"   polc's item totals equal the int64-fen totals: {same}; every enterprise's amounts equal, "
          f"polc and hand-written DuckDB against numpy int64 fen: {same_rows}")
    for name, acc in accuracy.items():
        print(f"   {name}: {acc['off_by_a_fen_or_more']:.2%} of amounts off by a fen or more; "
              f"worst item total off by {acc['worst_item_total_error_yuan']} 元")
    print(f"   peak RSS {peak_mb():.0f} MB")
    assert rt.CENT == Decimal("0.01")


if __name__ == "__main__":
    main()
