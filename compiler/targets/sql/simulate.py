"""The budget report of ``polc simulate``: what a policy costs over a population and who gets it.

Per item and per article: how many enterprises are 符合, 待评定, 参数待定, 信息不足; the total and
the largest amount and quantiles of the amounts paid; the totals after 互斥; with ``--vary``, the
cost over a parameter's values, as a table and a chart. The figures are aggregated in DuckDB over
the per-enterprise results (exact DECIMAL sums; quantiles are amounts actually paid, never
interpolated), and written as Markdown and JSON.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from compiler import runtime as rt
from compiler.escape import md
from compiler.plan.lower import PolicyPlan
from compiler.targets.sql import engine
from compiler.targets.sql.engine import EngineError

STATUSES = ("符合", "待评定", "参数待定", "信息不足", "不符合", "不在施行期", "一事一议")
QUANTILES = (0.5, 0.9, 0.99)


def unified(evaluation: engine.Evaluation) -> pa.Table:
    """One table: 状态{i} and 金额{i} for the plan's i-th item (whoever computed it), 合计, 最高合计."""
    table = evaluation.table.sort_by("_id")
    arrays, names = [table.column("_id")], ["_id"]
    for i, label in enumerate(evaluation.lowered.items):
        if label in evaluation.python_items:
            status, amount = table.column(f"py状态:{label}"), table.column(f"py金额:{label}")
        else:
            status = table.column(evaluation.lowered.status_columns[label])
            amount = table.column(evaluation.lowered.amount_columns[label])
        arrays += [status, amount.cast(pa.decimal128(38, 2))]
        names += [f"状态{i}", f"金额{i}"]
    arrays += [table.column("合计").cast(pa.decimal128(38, 2)), table.column("最高合计").cast(pa.decimal128(38, 2))]
    names += ["合计", "最高合计"]
    return pa.Table.from_arrays(arrays, names=names)


def aggregate_query(n_items: int, source, coded: bool = False):
    """The report's figures as one SELECT over ``source`` (columns 状态{i}, 金额{i}, 合计, 最高合计);
    returns (query, column names). ``coded``: the statuses are lower_sql's codes, not their text."""
    from sqlglot import exp

    from compiler.targets.sql.lower_sql import aliased, col, ident, intlit, s_lit, sel, status_lit
    status_value = status_lit if coded else s_lit
    columns = []
    for i in range(n_items):
        status, amount = col(f"状态{i}"), col(f"金额{i}")
        for s in STATUSES:
            columns.append(aliased(exp.func("COUNT_IF", exp.EQ(this=status.copy(), expression=status_value(s))), f"n{i}:{s}"))
        paid = exp.EQ(this=status.copy(), expression=status_value("符合"))
        may = exp.In(this=status.copy(), expressions=[status_value("符合"), status_value("待评定")])
        columns.append(aliased(exp.func("SUM", exp.Case(ifs=[exp.If(this=paid, true=amount.copy())])), f"sum{i}"))
        columns.append(aliased(exp.func("SUM", exp.Case(ifs=[exp.If(this=may, true=amount.copy())])), f"most{i}"))
        columns.append(aliased(exp.func("MAX", exp.Case(ifs=[exp.If(this=may.copy(), true=amount.copy())])), f"max{i}"))
        for q in QUANTILES:
            positive = exp.And(this=may.copy(), expression=exp.GT(this=amount.copy(), expression=intlit(0)))
            columns.append(aliased(exp.func("QUANTILE_DISC", exp.Case(ifs=[exp.If(this=positive, true=amount.copy())]),
                                            exp.Literal.number(str(q))), f"q{i}:{q}"))
    for name in ("合计", "最高合计"):
        columns.append(aliased(exp.func("SUM", col(name)), f"sum:{name}"))
        columns.append(aliased(exp.func("MAX", col(name)), f"max:{name}"))
        columns.append(aliased(exp.func("COUNT_IF", exp.GT(this=col(name), expression=intlit(0))), f"n:{name}"))
    columns.append(aliased(exp.func("COUNT", exp.Star()), "n"))
    return sel(*columns).from_(source, copy=False), [c.alias for c in columns]


def _aggregate(table: pa.Table, n_items: int) -> dict:
    """Counts, sums, maxima and quantiles per item and for the totals, computed in DuckDB."""
    import duckdb
    from sqlglot import exp

    from compiler.targets.sql.lower_sql import ident
    query, names = aggregate_query(n_items, exp.Table(this=ident("results")))
    con = duckdb.connect()
    try:
        con.register("results", table)
        row = con.execute(query.sql("duckdb")).fetchall()[0]
    finally:
        con.close()
    return dict(zip(names, row))


def _money(value) -> str | None:
    return None if value is None else str(rt.round_money(Decimal(value)))


def figures(evaluation: engine.Evaluation) -> dict:
    """The aggregates: in the engine over the query itself when SQL computed everything (no rows
    leave DuckDB), else over the unified per-enterprise table."""
    if evaluation.aggregates is not None:
        return evaluation.aggregates
    return _aggregate(unified(evaluation), len(evaluation.lowered.items))


def report(plan: PolicyPlan, evaluation: engine.Evaluation, params: dict, source: str) -> dict:
    """The report as JSON-ready data (amounts as exact decimal strings in 元)."""
    agg = figures(evaluation)
    items, articles = [], {}
    for i, item in enumerate(plan.items):
        counts = {s: int(agg[f"n{i}:{s}"]) for s in STATUSES}
        row = {"条款": item.label, "条": item.article, "款": item.name, "人数": counts,
               "金额合计": _money(agg[f"sum{i}"] or 0), "最多可得合计": _money(agg[f"most{i}"] or 0),
               "最高金额": _money(agg[f"max{i}"]),
               "分位数": {f"P{int(q * 100)}": _money(agg[f"q{i}:{q}"]) for q in QUANTILES},
               "计算方式": "Python" if item.label in evaluation.python_items else "SQL"}
        if item.label in evaluation.python_items:
            row["未写成SQL的原因"] = evaluation.lowered.unsupported[item.label]
        items.append(row)
        a = articles.setdefault(item.article, {"条": item.article, "款数": 0, "符合人次": 0, "待评定人次": 0,
                                               "金额合计": Decimal(0), "最多可得合计": Decimal(0)})
        a["款数"] += 1
        a["符合人次"] += counts["符合"]
        a["待评定人次"] += counts["待评定"]
        a["金额合计"] += Decimal(row["金额合计"])
        a["最多可得合计"] += Decimal(row["最多可得合计"])
    for a in articles.values():
        a["金额合计"], a["最多可得合计"] = _money(a["金额合计"]), _money(a["最多可得合计"])
    return {
        "政策": plan.name,
        "人口": source,
        "企业数": int(agg["n"]),
        "引擎": evaluation.engine,
        "参数": {k: (rt.plain(v) if isinstance(v, Decimal) else str(v)) for k, v in sorted(params.items())},
        "合计": {"金额合计": _money(agg["sum:合计"] or 0), "最多可得合计": _money(agg["sum:最高合计"] or 0),
               "获得支持的企业数": int(agg["n:合计"]), "单家最高": _money(agg["max:最高合计"])},
        "条款": items,
        "各条": list(articles.values()),
        "由Python计算的条款": {label: evaluation.lowered.unsupported[label] for label in evaluation.python_items},
        "合计由Python计算": list(evaluation.lowered.totals_unsupported) if evaluation.python_totals else [],
        "说明": "金额单位为元，精确到分；“金额合计”只计状态为符合的金额，“最多可得合计”另计待评定（评定前的最高额）；"
              "各条的金额是各款之和，未扣除互斥；“合计”按政策的互斥、例外与总额规则计算。",
    }


def parse_vary(plan: PolicyPlan, text: str):
    """--vary 名称=起:止:步长 → (name, [values]); at most 200 values, each within the declared range."""
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or len(parts) != 3:
        raise EngineError(f"--vary {text}：应写成 名称=起:止:步长，如 --vary 外资支持比例=1%:10%:1%")
    if name not in plan.declared_params:
        raise EngineError(f"--vary：没有参数「{rt.printable(name)}」")
    kind = plan.declared_params[name][0]
    if kind[0] not in ("金额", "比例", "数量", "数值", "汇率"):
        raise EngineError(f"--vary：参数「{name}」不是数值，无法按步长变化")
    try:
        low, high, step = (rt.convert(kind, rt.from_text(kind, p), plan.levels) for p in parts)
    except (ValueError, ArithmeticError) as exc:
        raise EngineError(f"--vary {name}：{exc}") from None
    if step <= 0 or high < low:
        raise EngineError(f"--vary {name}：步长应大于零，且止不小于起")
    count = int((high - low) / step) + 1
    if count > 200:
        raise EngineError(f"--vary {name}：取值 {count} 个，太多（最多 200 个）；请加大步长")
    return name, kind, [low + step * k for k in range(count)]


def shown(kind, value) -> str:
    if kind[0] == "比例":
        return rt.ratio_text(value)
    if kind[0] == "金额":
        return rt.money_text(value, kind[1])
    return rt.plain(value)


def vary(plan: PolicyPlan, table: pa.Table, params: dict, as_of, engine_name: str, name, kind, values, master=None,
         progress=None):
    """The totals for each value of one parameter, the other parameters as given; ``progress(k, total,
    shown value)`` is told before each evaluation."""
    rows = []
    for k, value in enumerate(values, 1):
        if progress is not None:
            progress(k, len(values), shown(kind, value))
        given = dict(params)
        given[name] = value
        evaluation = engine.evaluate(plan, table, given, as_of, engine_name, master, summary=True)
        agg = figures(evaluation)
        rows.append({"取值": shown(kind, value), "金额合计": _money(agg["sum:合计"] or 0),
                     "最多可得合计": _money(agg["sum:最高合计"] or 0), "获得支持的企业数": int(agg["n:合计"])})
    return rows


def chart(rows, name: str, path: Path) -> None:
    """The cost curve as a PNG. Plot coordinates are in 万元 and only drawn, never summed: the exact
    figures are the table's."""
    import logging

    import matplotlib
    matplotlib.use("Agg")
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # a CJK font without the weight asked for is fine
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    fonts = [f.name for f in font_manager.fontManager.ttflist
             if any(k in f.name for k in ("Noto Sans CJK", "WenQuanYi", "SimHei", "Source Han", "Noto Serif CJK"))]
    if fonts:
        plt.rcParams["font.family"] = fonts[0]
    labels = [r["取值"] for r in rows]
    certain = [float(Decimal(r["金额合计"]) / 10000) for r in rows]
    at_most = [float(Decimal(r["最多可得合计"]) / 10000) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(range(len(rows)), certain, marker="o", label="金额合计（符合）" if fonts else "paid")
    ax.plot(range(len(rows)), at_most, marker="s", label="最多可得合计（含待评定）" if fonts else "at most")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("万元" if fonts else "10k yuan")
    ax.set_xlabel(name if fonts else "parameter")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def markdown(data: dict, curve=None, image: str | None = None) -> str:
    """The report as a page the docs site can publish (预算测算); every policy text escaped."""
    out = [f"# 预算测算：{md(data['政策'])}", ""]
    out.append(f"人口：{md(data['人口'])}，企业 {data['企业数']} 家；引擎：{md(data['引擎'])}。")
    if data["参数"]:
        out.append("")
        out.append("参数取值：" + "；".join(f"{md(k)} = {md(v)}" for k, v in data["参数"].items()))
    if data["由Python计算的条款"] or data["合计由Python计算"]:
        out += ["", "**以下内容未写成 SQL，由 Python 求值器逐家计算：**", ""]
        for label, why in data["由Python计算的条款"].items():
            out.append(f"- {md(label)}：{md(why)}")
        for why in data["合计由Python计算"]:
            out.append(f"- 合计：{md(why)}")
    t = data["合计"]
    out += ["", "## 合计", "", "| 金额合计（元） | 最多可得合计（元） | 获得支持的企业数 | 单家最高（元） |",
            "| ---: | ---: | ---: | ---: |",
            f"| {t['金额合计']} | {t['最多可得合计']} | {t['获得支持的企业数']} | {t['单家最高'] or '—'} |"]
    out += ["", "## 各款", "",
            "| 条款 | 符合 | 待评定 | 参数待定 | 信息不足 | 不符合 | 金额合计（元） | 最多可得合计（元） | 最高（元） | P50 | P90 | P99 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in data["条款"]:
        c = r["人数"]
        q = r["分位数"]
        mark = "（Python）" if r["计算方式"] == "Python" else ""
        out.append(f"| {md(r['条款'])}{mark} | {c['符合']} | {c['待评定']} | {c['参数待定']} | {c['信息不足']} | "
                   f"{c['不符合'] + c['不在施行期'] + c['一事一议']} | {r['金额合计']} | {r['最多可得合计']} | "
                   f"{r['最高金额'] or '—'} | {q['P50'] or '—'} | {q['P90'] or '—'} | {q['P99'] or '—'} |")
    out += ["", "## 各条", "", "| 条 | 款数 | 符合人次 | 待评定人次 | 金额合计（元） | 最多可得合计（元） |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for a in data["各条"]:
        out.append(f"| 第{md(a['条'])}条 | {a['款数']} | {a['符合人次']} | {a['待评定人次']} | {a['金额合计']} | {a['最多可得合计']} |")
    if curve:
        name = curve["参数"]
        out += ["", f"## 成本曲线：{md(name)}", "", "| 取值 | 金额合计（元） | 最多可得合计（元） | 获得支持的企业数 |",
                "| --- | ---: | ---: | ---: |"]
        for r in curve["取值"]:
            out.append(f"| {md(r['取值'])} | {r['金额合计']} | {r['最多可得合计']} | {r['获得支持的企业数']} |")
        if image:
            out += ["", f"![成本曲线]({image})"]
    out += ["", md(data["说明"]), ""]
    return "\n".join(out)


def write(data: dict, curve, output: Path | None, out_text) -> list[Path]:
    """Writes REPORT.md and REPORT.json (and REPORT.png with a curve); without -o, Markdown to ``out_text``."""
    written = []
    if curve is not None:
        data = {**data, "成本曲线": curve}
    if output is None:
        out_text.write(markdown(data, curve))
        return written
    output = Path(output)
    base = output.with_suffix("") if output.suffix.lower() in (".md", ".json") else output
    image = None
    if curve is not None:
        image_path = base.with_suffix(".png")
        chart(curve["取值"], curve["参数"], image_path)
        written.append(image_path)
        image = image_path.name
    md_path, json_path = base.with_suffix(".md"), base.with_suffix(".json")
    md_path.write_text(markdown(data, curve, image), encoding="utf-8")
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return [md_path, json_path, *written]
