"""Running the lowered query: DuckDB in process (the default), or Spark through sqlglot's spark dialect.

Parameters are fixed before lowering (the policy's bindings on the evaluation date, then the
caller's ``--set`` values, each checked by the runtime's own reader). Items the SQL target does not
translate are evaluated by the Python interpreter, record by record, and the result says so.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pyarrow as pa

from compiler import runtime as rt
from compiler.plan.lower import PolicyPlan
from compiler.targets.sql import population
from compiler.targets.sql.lower_sql import LoweredPolicy, lower_policy


class EngineError(Exception):
    """An engine that is not available or a query it refused; the message is Chinese."""


@attrs.frozen
class Evaluation:
    """Per enterprise and item: status and amount; per enterprise: the totals."""

    lowered: LoweredPolicy
    table: pa.Table  # _id, one 状态/金额 column pair per item (named as in lowered), 合计, 最高合计
    python_items: tuple  # labels evaluated by the Python interpreter (with the reason in lowered.unsupported)
    python_totals: bool  # totals computed by the Python interpreter
    engine: str
    seconds: float
    aggregates: dict | None = None  # the report's figures, when computed inside the engine (summary=True)


def fixed_params(plan: PolicyPlan, given: dict | None, as_of) -> dict:
    """The policy's parameter values on ``as_of`` with the caller's values on top (runtime.read_params checks them)."""
    values = dict(rt.bound_params(plan.param_values, as_of))
    values.update(rt.read_params(plan.declared_params, given or {}, plan.levels))
    return values


def static_force(plan: PolicyPlan, params: dict, as_of):
    """runtime.in_force for the whole population: validity depends only on constants and parameters."""
    if as_of is None or plan.validity is None:
        return True
    start_ir, end_ir, months = plan.validity

    def value(ir):
        if ir is None:
            return None
        if ir[0] == "const":
            return ir[1]
        if ir[0] == "param":
            return params.get(ir[1], rt.PENDING)
        raise EngineError("施行期的起止日期只能是常量或参数")
    start, end = value(start_ir), value(end_ir)
    if start is rt.PENDING or end is rt.PENDING:
        return rt.PENDING
    return rt.within(as_of, start, end, months)


def _on_duckdb(sql: str, e: pa.Table, h: pa.Table, p: pa.Table, threads: int | None, fetch):
    """Run ``sql`` over the three tables in a fresh in-process DuckDB: ``fetch(con, sql)`` runs it and reads the result."""
    import duckdb
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads TO {int(threads)}")
        # one query with thousands of columns: this pass costs seconds of planning and saves nothing here
        con.execute("SET disabled_optimizers = 'projection_placement'")
        con.register("e", e)
        con.register("h", h)
        con.register("p", p)
        try:
            return fetch(con, sql)
        except duckdb.Error as exc:
            raise EngineError(f"DuckDB 执行失败：{str(exc).splitlines()[0][:300]}") from None
    finally:
        con.close()


def run_duckdb(lowered: LoweredPolicy, e: pa.Table, h: pa.Table, p: pa.Table, threads: int | None = None) -> pa.Table:
    # a relation: DuckDB hands its rows to Arrow without the copy an executed cursor makes
    return _on_duckdb(lowered.sql("duckdb"), e, h, p, threads, lambda con, sql: con.sql(sql).to_arrow_table())


def run_summary(lowered: LoweredPolicy, e, h, p, threads: int | None = None) -> dict:
    """The report's aggregates over the query, inside DuckDB: a million enterprises never become rows in Python."""
    from compiler.targets.sql.lower_sql import sub_as
    from compiler.targets.sql.simulate import aggregate_query
    query, names = aggregate_query(len(lowered.items), sub_as(lowered.coded.copy(), "r"), coded=True)
    # execute, not sql(): a relation binds the query once more before it runs (2–3 s for Minhang)
    row = _on_duckdb(query.sql("duckdb"), e, h, p, threads, lambda con, sql: con.execute(sql).fetchall()[0])
    return dict(zip(names, row))


def spark_available() -> str | None:
    """None when pyspark and a Java runtime are present, else the reason (Chinese)."""
    import shutil
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "未安装 pyspark（pip install 'polc[population]'）"
    if shutil.which("java") is None:
        return "没有 Java 运行环境（Spark 需要，如 apt-get install default-jre-headless）"
    return None


def run_spark(lowered: LoweredPolicy, e: pa.Table, h: pa.Table, p: pa.Table, master: str = "local[1]") -> pa.Table:
    reason = spark_available()
    if reason:
        raise EngineError(f"无法使用 Spark：{reason}")
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.master(master).appName("polc").config("spark.sql.ansi.enabled", "true") \
        .config("spark.sql.decimalOperations.allowPrecisionLoss", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    for name, table in (("e", e), ("h", h), ("p", p)):
        frame = spark.createDataFrame(table)  # Arrow in (Spark 4)
        frame.createOrReplaceTempView(name)
    try:
        return spark.sql(spark_sql(lowered)).toArrow()  # and Arrow out
    except Exception as exc:  # Spark raises its own exception family through py4j
        raise EngineError(f"Spark 执行失败：{str(exc).splitlines()[0][:300]}") from None


def spark_sql(lowered: LoweredPolicy) -> str:
    """The query in Spark's dialect: 128-bit integers become DECIMAL(38, 0), Spark's widest exact integer."""
    from sqlglot import exp
    query = lowered.query.copy()
    for node in list(query.find_all(exp.DataType)):
        if node.this == exp.DataType.Type.INT128:
            node.replace(exp.DataType.build("DECIMAL(38, 0)"))
    for node in list(query.find_all(exp.ArrayOverlaps)):
        node.replace(exp.Anonymous(this="ARRAYS_OVERLAP", expressions=[node.this, node.expression]))
    return query.sql(dialect="spark")


def evaluate(plan: PolicyPlan, table: pa.Table, params: dict | None = None, as_of=None,
             engine: str = "duckdb", master: str | None = None, threads: int | None = None,
             summary: bool = False) -> Evaluation:
    """Every item of ``plan`` for every enterprise of ``table`` (the columnar form of ``population``).

    With ``summary`` and every item in SQL on DuckDB, only the report's aggregates leave the engine."""
    import time
    if isinstance(as_of, str):
        as_of = rt.parse_date(as_of)
    fixed = fixed_params(plan, params, as_of)
    lowered = lower_policy(plan, fixed, static_force(plan, fixed, as_of))
    e, h, p = population.flatten(table)
    start = time.perf_counter()
    if summary and engine == "duckdb" and not lowered.unsupported and not lowered.totals_unsupported:
        aggregates = run_summary(lowered, e, h, p, threads)
        return Evaluation(lowered, pa.table({"_id": pa.array([], type=pa.int64())}), (), False, engine,
                          time.perf_counter() - start, aggregates)
    if engine == "duckdb":
        out = run_duckdb(lowered, e, h, p, threads)
    elif engine == "spark":
        out = run_spark(lowered, e, h, p, master or "local[1]")
    else:
        raise EngineError(f"未知引擎“{engine}”：应是 duckdb 或 spark")
    python_items = tuple(lowered.unsupported)
    python_totals = bool(lowered.totals_unsupported)
    if python_items or python_totals:
        out = _with_python(plan, lowered, table, out, params, as_of, python_items)
    return Evaluation(lowered, out, python_items, python_totals, engine, time.perf_counter() - start)


def _with_python(plan, lowered, table, out, params, as_of, labels) -> pa.Table:
    """The hybrid: items the SQL target does not translate, and then the totals, from the interpreter."""
    from compiler.targets.python.interpreter import Interpreter
    interpreter = Interpreter.from_plan(plan)
    statuses = {label: [] for label in labels}
    amounts = {label: [] for label in labels}
    certain, at_most = [], []
    for record in population.records(plan, table):
        result = interpreter.evaluate(record, params, as_of)
        by_label = {r["条款"]: r for r in result["条款"]}
        for label in labels:
            statuses[label].append(by_label[label]["状态"])
            amounts[label].append(Decimal(by_label[label]["金额"]) if by_label[label]["金额"] is not None else None)
        certain.append(Decimal(result["汇总"]["合计"]))
        at_most.append(Decimal(result["汇总"]["最高合计"]))
    out = out.sort_by("_id")
    for label in labels:
        out = out.append_column(f"py状态:{label}", pa.array(statuses[label], type=pa.string()))
        out = out.append_column(f"py金额:{label}", pa.array(amounts[label], type=pa.decimal128(38, 2)))
    out = out.set_column(out.column_names.index("合计"), "合计", pa.array(certain, type=pa.decimal128(38, 2)))
    out = out.set_column(out.column_names.index("最高合计"), "最高合计", pa.array(at_most, type=pa.decimal128(38, 2)))
    return out


def item_results(evaluation: Evaluation):
    """label → (statuses, amounts) as Python lists in enterprise order, whoever computed them."""
    table = evaluation.table.sort_by("_id")
    out = {}
    for label in evaluation.lowered.items:
        if label in evaluation.python_items:
            out[label] = (table.column(f"py状态:{label}").to_pylist(), table.column(f"py金额:{label}").to_pylist())
        else:
            out[label] = (table.column(evaluation.lowered.status_columns[label]).to_pylist(),
                          table.column(evaluation.lowered.amount_columns[label]).to_pylist())
    return out
