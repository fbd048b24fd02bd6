"""Populations of enterprises as columns: drawn from a policy's input contract, read from files, and
turned back into the JSON records the Python evaluator reads.

The columnar form (one Arrow table, written as Parquet by ``polc population``):

* one column per enterprise field: numbers (金额, 比例, 数量, 数值, 汇率) as DECIMAL(38, 6) in the
  runtime's units (元, a ratio as a fraction, a quantity in its own unit), 布尔 as BOOLEAN, 等级 and
  文本 as strings, 集合 as a list of strings, 日期 as DATE, 年度 as INTEGER; NULL when not known;
* ``已认定`` (BOOLEAN: whether the record says which recognitions it holds) and one column
  ``认定:名称`` per recognition (its level, 是 for one without levels, NULL when not held);
* ``已获支持``: a list of (条款, 年度, 金额, 项目, 季度, 月份); ``项目``: a list of the project fields.

Record text stays data: it reaches SQL only as column values, never as query text.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from compiler import runtime as rt
from compiler.plan.lower import PolicyPlan

SCALE = 6
MICRO = 10 ** SCALE
DECIMAL = pa.decimal128(38, SCALE)
NUMERIC = ("金额", "比例", "数量", "数值", "汇率")
HISTORY_TYPE = pa.struct([("条款", pa.string()), ("年度", pa.int32()), ("金额", DECIMAL), ("项目", pa.string()),
                          ("季度", pa.int32()), ("月份", pa.int32())])
RANGES = {"申报季度": (1, 4), "申报月份": (1, 12)}


class PopulationError(Exception):
    """A population file or request that cannot be used; the message is Chinese and names the place."""


def arrow_type(kind: tuple) -> pa.DataType:
    name = kind[0]
    if name in NUMERIC:
        return DECIMAL
    if name == "布尔":
        return pa.bool_()
    if name == "集合":
        return pa.list_(pa.string())
    if name == "日期":
        return pa.date32()
    if name == "年度":
        return pa.int32()
    return pa.string()  # 等级, 文本


def project_type(plan: PolicyPlan) -> pa.DataType:
    fields = [(name, arrow_type(kind)) for name, kind in plan.project_fields.items()]
    return pa.struct(fields or [("_", pa.bool_())])  # Parquet cannot store a struct without fields


def schema(plan: PolicyPlan) -> pa.Schema:
    fields = [(name, arrow_type(kind)) for name, kind in plan.fields.items()]
    fields.append(("已认定", pa.bool_()))
    fields += [(f"认定:{name}", pa.string()) for name in plan.recognitions]
    fields.append(("已获支持", pa.list_(HISTORY_TYPE)))
    fields.append(("项目", pa.list_(project_type(plan))))
    return pa.schema(fields)


# ---- drawing ---------------------------------------------------------------------------

def _walk(ir, out: list):
    if isinstance(ir, tuple) and ir and isinstance(ir[0], str):
        out.append(ir)
        for x in ir[1:]:
            _walk(x, out)
    elif isinstance(ir, (list, tuple)):
        for x in ir:
            _walk(x, out)
    elif isinstance(ir, dict):
        for x in ir.values():
            _walk(x, out)


def _read_of(ir):
    """(kind, name, scale) when ``ir`` reads one field, possibly times a unit's base."""
    if ir[0] in ("field", "pfield"):
        return ir[0], ir[1], Decimal(1)
    if ir[0] == "mul" and ir[1][0] in ("field", "pfield") and ir[2][0] == "const":
        return ir[1][0], ir[1][1], ir[2][1]
    return None


def pivots_and_texts(plan: PolicyPlan, params: dict):
    """The constants each field is compared with (so draws fall near thresholds) and the texts it is tested against."""
    pivots: dict = {}
    texts: dict = {}
    nodes: list = []
    for item in plan.items:
        _walk([c.test for c in item.conditions], nodes)
        _walk(item.award, nodes)
    for node in nodes:
        if node[0] == "cmp":
            for a, b in ((node[2], node[3]), (node[3], node[2])):
                read = _read_of(a)
                value = b[1] if b[0] == "const" else params.get(b[1]) if b[0] == "param" else None
                if read and isinstance(value, Decimal) and read[2] != 0:
                    pivots.setdefault(read[1], set()).add(value / read[2])
        elif node[0] == "tiers":
            read = _read_of(node[1])
            if read:
                for band in node[2]:
                    for bound in (band[1], band[3]):
                        if bound is not None and bound[0] == "const" and isinstance(bound[1], Decimal):
                            pivots.setdefault(read[1], set()).add(bound[1] / read[2])
        elif node[0] in ("member", "contains"):
            read = _read_of(node[1])
            if read:
                texts.setdefault(read[1], set()).update(v for v in node[2] if isinstance(v, str))
    return pivots, texts


def _decimal_array(micro: np.ndarray, valid: np.ndarray) -> pa.Array:
    """DECIMAL(38, 6) from integer millionths, built from the buffer (no float on the way)."""
    n = len(micro)
    data = np.empty((n, 2), dtype=np.int64)
    data[:, 0] = micro
    data[:, 1] = np.where(micro < 0, -1, 0)
    validity = pa.array(valid, type=pa.bool_())
    bitmap = validity.buffers()[1]
    return pa.Array.from_buffers(DECIMAL, n, [bitmap, pa.py_buffer(data.tobytes())], null_count=int(n - valid.sum()))


class Drawer:
    """Random enterprises for one policy, concentrated near the thresholds its conditions name."""

    def __init__(self, plan: PolicyPlan, params: dict, seed: int):
        self.plan = plan
        self.rng = np.random.default_rng(seed)
        self.pivots, self.texts = pivots_and_texts(plan, params)

    def numbers(self, name: str, kind: tuple, n: int, signed: bool) -> np.ndarray:
        """Values in millionths, as int64."""
        rng = self.rng
        t = kind[0]
        if name in RANGES:
            low, high = RANGES[name]
            return rng.integers(low, high + 1, n) * MICRO
        if t == "金额":
            base = rng.integers(0, 10 ** 9, n) * 10 ** 4  # up to 1000万元 at the fen
            base = np.where(rng.random(n) < 0.3, rng.integers(0, 10 ** 6, n) * 10 ** 4, base)
        elif t == "比例":
            base = rng.integers(0, 10 ** 4, n) * 100  # 0 to 100% in 0.01% steps
        elif t == "数量":
            base = rng.integers(0, 201, n) * MICRO
        elif t == "汇率":
            base = rng.integers(1, 2000, n) * 10 ** 4
        else:
            base = rng.integers(0, 10 ** 6, n) * 10 ** 4
        pivots = sorted(self.pivots.get(name, ()))
        if pivots:
            steps = {"金额": (0, 10 ** 4, MICRO, 10 ** 10), "比例": (0, 100, 10 ** 4), "数量": (0, MICRO),
                     "汇率": (0, 10 ** 4)}.get(t, (0, 10 ** 4, MICRO))
            micro = np.array([int(p * MICRO) for p in pivots if abs(p) < 10 ** 12], dtype=np.int64)
            if len(micro):
                chosen = micro[rng.integers(0, len(micro), n)]
                step = np.array(steps, dtype=np.int64)[rng.integers(0, len(steps), n)]
                sign = rng.choice(np.array([-1, 1], dtype=np.int64), n)
                near = chosen + sign * step
                base = np.where(rng.random(n) < 0.6, near, base)
        if t == "数量":
            base = (base // MICRO) * MICRO  # whole counts
        if t == "汇率":
            base = np.maximum(base, 10 ** 4)
        if not signed:
            base = np.abs(base)
        elif t in ("金额", "比例", "数值"):
            base = np.where(rng.random(n) < 0.1, -base, base)
        return base

    def column(self, name: str, kind: tuple, n: int, signed: bool = False) -> pa.Array:
        rng = self.rng
        valid = rng.random(n) >= 1 / 12
        t = kind[0]
        if t in NUMERIC:
            return _decimal_array(self.numbers(name, kind, n, signed), valid)
        if t == "布尔":
            return pa.array(rng.random(n) < 0.5, mask=~valid)
        if t == "年度":
            return pa.array(rng.integers(2023, 2027, n).astype(np.int32), mask=~valid)
        if t == "日期":
            start = datetime.date(2020, 1, 1).toordinal()
            days = rng.integers(0, 11 * 365, n)
            return pa.array([datetime.date.fromordinal(start + int(d)) for d in days], type=pa.date32(), mask=~valid)
        if t == "等级":
            choices = [rt.NO_LEVEL, *self.plan.levels[kind[1]]]
        else:
            choices = sorted(self.texts.get(name, ())) + ["其他"]
        if t == "集合":
            picks = [sorted({choices[i] for i in rng.integers(0, len(choices), int(k))})
                     for k in rng.integers(0, 4, n)]
            return pa.array(picks, type=pa.list_(pa.string()), mask=~valid)
        indexes = rng.integers(0, len(choices), n)
        return pa.array(np.array(choices, dtype=object)[indexes], type=pa.string(), mask=~valid)

    def table(self, n: int) -> pa.Table:
        plan, rng = self.plan, self.rng
        columns, names = [], []
        for name, kind in plan.fields.items():
            names.append(name)
            columns.append(self.column(name, kind, n, name in plan.signed))
        given = rng.random(n) >= 1 / 20
        names.append("已认定")
        columns.append(pa.array(given))
        for rec, levels in plan.recognitions.items():
            held = given & (rng.random(n) < 0.3)
            choices = plan.levels[levels] if levels else ["是"]
            values = np.array(choices, dtype=object)[rng.integers(0, len(choices), n)]
            names.append(f"认定:{rec}")
            columns.append(pa.array(values, type=pa.string(), mask=~held))
        projects, names_by_row = self.projects(n)
        names.append("已获支持")
        columns.append(self.history(n, columns[list(plan.fields).index("申报年度")] if "申报年度" in plan.fields else None,
                                    names_by_row))
        names.append("项目")
        columns.append(projects)
        return pa.Table.from_arrays(columns, schema=schema(plan))

    def projects(self, n: int):
        plan, rng = self.plan, self.rng
        ptype = project_type(plan)
        if not any(i.per_project for i in plan.items):
            return pa.array([[]] * n, type=pa.list_(ptype)), [[] for _ in range(n)]
        counts = rng.integers(0, 4, n)
        total = int(counts.sum())
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        children, child_names = [], []
        position = np.arange(total) - np.repeat(offsets[:-1], counts)
        for name, kind in plan.project_fields.items():
            if name == "项目名称":
                children.append(pa.array([f"项目{i + 1}" for i in position], type=pa.string()))
            else:
                children.append(self.column(name, kind, total, name in plan.signed))
            child_names.append(name)
        struct = pa.StructArray.from_arrays(children, fields=list(ptype)) if children else \
            pa.array([{"_": None}] * total, type=ptype)
        shown = [f"项目{i + 1}" if "项目名称" in plan.project_fields else f"第{i + 1}个项目" for i in position]
        by_row, start = [], 0
        for c in counts:
            by_row.append(shown[start:start + c])
            start += c
        return pa.ListArray.from_arrays(pa.array(offsets), struct), by_row

    def history(self, n: int, years, project_names) -> pa.Array:
        plan, rng = self.plan, self.rng
        labels = [i.label for i in plan.items if i.kind not in ("非资金支持", "一事一议")]
        if not labels:
            return pa.array([[]] * n, type=pa.list_(HISTORY_TYPE))
        counts = rng.choice(np.array([0, 0, 0, 1, 1, 2, 3]), n)
        total = int(counts.sum())
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        row = np.repeat(np.arange(n), counts)
        year_values = years.to_numpy(zero_copy_only=False) if years is not None else None
        out_years = []
        for r in row:
            y = year_values[r] if year_values is not None else None
            y = 2025 if y is None or (isinstance(y, float) and np.isnan(y)) else int(y)
            out_years.append(y - int(rng.integers(0, 3)))
        amounts = rng.choice(np.array([0, 10 ** 4, 10 ** 5, 5 * 10 ** 5, 10 ** 6, 3 * 10 ** 6, 10 ** 7]), total)
        amounts = amounts * MICRO + rng.integers(0, 100, total) * 10 ** 4 * (rng.random(total) < 0.3)
        projects = []
        for r in row:
            names = project_names[r]
            projects.append(names[int(rng.integers(0, len(names)))] if names and rng.random() < 0.5 else None)
        quarters = np.where(rng.random(total) < 0.2, rng.integers(1, 5, total), 0)
        struct = pa.StructArray.from_arrays([
            pa.array(np.array(labels, dtype=object)[rng.integers(0, len(labels), total)], type=pa.string()),
            pa.array(np.array(out_years, dtype=np.int32)),
            _decimal_array(amounts.astype(np.int64), np.ones(total, dtype=bool)),
            pa.array(projects, type=pa.string()),
            pa.array(quarters.astype(np.int32), mask=quarters == 0),
            pa.array(np.zeros(total, dtype=np.int32), mask=np.ones(total, dtype=bool)),
        ], fields=list(HISTORY_TYPE))
        return pa.ListArray.from_arrays(pa.array(offsets), struct)


def draw(plan: PolicyPlan, n: int, seed: int, params: dict | None = None) -> pa.Table:
    """``n`` enterprises that satisfy the input contract (the Python evaluator accepts each as it is)."""
    if n < 0:
        raise PopulationError(f"--n 应是非负整数，这里是 {n}")
    return Drawer(plan, params or {}, seed).table(n)


# ---- columns ↔ JSON records --------------------------------------------------------------

def _json(kind: tuple, value):
    if value is None:
        return None
    name = kind[0]
    if name in NUMERIC:
        value = Decimal(value)
        if name == "数量" and value == value.to_integral_value():
            return int(value)
        return rt.plain(value)
    if name == "日期":
        return value.isoformat()
    return value


def records(plan: PolicyPlan, table: pa.Table):
    """Each row as the JSON record the Python evaluator reads (numbers as exact decimal strings)."""
    fields, pfields = plan.fields, plan.project_fields
    for row in table.to_pylist():
        record = {}
        for name, kind in fields.items():
            value = row.get(name)
            if value is not None:
                record[name] = int(value) if name in RANGES else _json(kind, value)
        if row.get("已认定"):
            held = {}
            for rec, levels in plan.recognitions.items():
                value = row.get(f"认定:{rec}")
                if value is not None:
                    held[rec] = value if levels else True
            record["已认定"] = held
        history = []
        for h in row.get("已获支持") or ():
            entry = {"条款": h["条款"], "年度": h["年度"], "金额": rt.plain(Decimal(h["金额"]))}
            for key in ("项目", "季度", "月份"):
                if h.get(key) is not None:
                    entry[key] = h[key]
            history.append(entry)
        if history:
            record["已获支持"] = history
        projects = []
        for p in row.get("项目") or ():
            projects.append({k: _json(pfields[k], v) for k, v in p.items() if v is not None and k in pfields})
        if projects:
            record["项目"] = projects
        yield record


def _micro(value: Decimal, where: str) -> int:
    scaled = value * MICRO
    if scaled != scaled.to_integral_value():
        raise PopulationError(f"{where}：{rt.plain(value)} 的小数超过 {SCALE} 位，人口模拟按 DECIMAL(38, {SCALE}) 存储，无法精确表示")
    return int(scaled)


def from_records(plan: PolicyPlan, rows, source: str) -> pa.Table:
    """Records as JSON objects (a .jsonl file), each checked by the runtime's own reader."""
    schema_ = {"fields": plan.fields, "project_fields": plan.project_fields, "levels": plan.levels,
               "recognitions": plan.recognitions, "items": [i.label for i in plan.items] + list(plan.externals),
               "signed": sorted(plan.signed), "lists": plan.lists, "fractional_units": plan.fractional_units,
               "last_year": plan.last_year}
    out = {name: [] for name in schema(plan).names}
    for line_no, record in rows:
        where = f"{source} 第{line_no}行"
        for key in ("历年", "评定"):
            if record.get(key):
                raise PopulationError(f"{where}：人口模拟不读取「{key}」，请去掉这一项（预算测算按未评定、无历年数据计算）")
        for key in plan.lists:
            if key in record:
                raise PopulationError(f"{where}：人口模拟不读取清单「{key}」")
        try:
            ctx, _warnings, _ = rt.read_record(record, schema_)
        except rt.InputError as exc:
            first = exc.problems[0]
            raise PopulationError(f"{where}，{first['位置']}：{first['问题']}") from None
        for name, kind in plan.fields.items():
            value = ctx.values.get(name)
            if value is not None and kind[0] in NUMERIC:
                value = Decimal(_micro(value, f"{where}，{name}")) / MICRO
            if value is not None and kind[0] == "等级":
                members = plan.levels[kind[1]]
                value = rt.NO_LEVEL if value == 0 else members[len(members) - value]
            if value is not None and kind[0] == "集合":
                value = sorted(value)
            out[name].append(value)
        held = ctx.held
        out["已认定"].append(held is not rt.UNKNOWN)
        for rec, levels in plan.recognitions.items():
            rank = None if held is rt.UNKNOWN else held.get(rec)
            if rank is None:
                out[f"认定:{rec}"].append(None)
            elif levels:
                members = plan.levels[levels]
                out[f"认定:{rec}"].append(members[len(members) - rank])
            else:
                out[f"认定:{rec}"].append("是")
        out["已获支持"].append([{"条款": h["条款"], "年度": h["年度"],
                               "金额": Decimal(_micro(h["金额"], f"{where}，已获支持")) / MICRO,
                               "项目": h.get("项目"), "季度": int(h["季度"]) if h.get("季度") is not None else None,
                               "月份": int(h["月份"]) if h.get("月份") is not None else None} for h in ctx.history])
        projects = []
        for i, p in enumerate(ctx.projects):
            if any(k not in plan.project_fields for k in p):
                extra = next(k for k in p if k not in plan.project_fields)
                raise PopulationError(f"{where}，$.项目[{i}].{extra}：人口模拟的项目只读取项目字段")
            entry = {}
            for name, kind in plan.project_fields.items():
                value = p.get(name)
                if value is not None and kind[0] in NUMERIC:
                    value = Decimal(_micro(value, f"{where}，项目.{name}")) / MICRO
                if value is not None and kind[0] == "等级":
                    members = plan.levels[kind[1]]
                    value = rt.NO_LEVEL if value == 0 else members[len(members) - value]
                entry[name] = value
            projects.append(entry)
        out["项目"].append(projects)
    return pa.Table.from_pydict(out, schema=schema(plan))


def read(plan: PolicyPlan, path: str | Path) -> pa.Table:
    """A population file: .parquet (the columnar form above), .jsonl (one record per line) or .csv (fields only)."""
    path = Path(path)
    if not path.exists():
        raise PopulationError(f"{path}：文件不存在")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        rows = []
        with open(path, encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    rows.append((line_no, rt.read_json(line)))
                except rt.InputError as exc:
                    raise PopulationError(f"{path} 第{line_no}行：{exc.problems[0]['问题']}") from None
        return from_records(plan, rows, str(path))
    if suffix == ".csv":
        import csv
        rows = []
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for line_no, row in enumerate(reader, 2):
                record = {}
                for key, text in row.items():
                    if key is None or text is None or text == "":
                        continue
                    kind = plan.fields.get(key)
                    if kind is None:
                        raise PopulationError(f"{path} 第1行：没有字段「{rt.printable(key)}」")
                    if kind[0] in ("布尔", "年度"):
                        try:
                            record[key] = rt.from_text(kind, text)
                        except ValueError as exc:
                            raise PopulationError(f"{path} 第{line_no}行，{key}：{exc}") from None
                    elif kind[0] == "集合":
                        record[key] = [t for t in text.split("、") if t]
                    else:
                        record[key] = text
                rows.append((line_no, record))
        return from_records(plan, rows, str(path))
    if suffix == ".parquet":
        import pyarrow.parquet as pq
        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise PopulationError(f"{path}：无法读取 Parquet 文件（{type(exc).__name__}）") from None
        return conform(plan, table, str(path))
    raise PopulationError(f"{path}：人口文件应是 .parquet、.csv 或 .jsonl")


def conform(plan: PolicyPlan, table: pa.Table, source: str) -> pa.Table:
    """A Parquet population in the policy's columnar form: each column cast exactly, levels checked."""
    import pyarrow.compute as pc
    want = schema(plan)
    columns = []
    for f in want:
        if f.name not in table.column_names:
            if f.name in ("已获支持", "项目"):
                columns.append(pa.array([[]] * table.num_rows, type=f.type))
            elif f.name == "已认定":
                columns.append(pa.array([False] * table.num_rows))
            else:
                columns.append(pa.nulls(table.num_rows, type=f.type))
            continue
        try:
            column = table.column(f.name).cast(f.type, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise PopulationError(f"{source}，列「{f.name}」：类型应是 {f.type}，无法精确转换（{str(exc)[:80]}）") from None
        kind = plan.fields.get(f.name)
        if kind and kind[0] == "等级":
            allowed = pa.array([rt.NO_LEVEL, *plan.levels[kind[1]]])
            bad = pc.and_(pc.invert(pc.is_in(column, value_set=allowed)), pc.is_valid(column))
            if pc.any(bad).as_py():
                row = pc.index(bad, True).as_py()
                raise PopulationError(f"{source}，第{row + 1}行，列「{f.name}」：应是{'、'.join(plan.levels[kind[1]])}或{rt.NO_LEVEL}")
        if kind and kind[0] in NUMERIC and f.name not in plan.signed:
            negative = pc.less(column, pa.scalar(Decimal(0), type=DECIMAL))
            if pc.any(negative).as_py():
                row = pc.index(negative, True).as_py()
                raise PopulationError(f"{source}，第{row + 1}行，列「{f.name}」：不能为负数（本字段未声明“可为负”）")
        columns.append(column)
    for name in table.column_names:
        if name not in want.names:
            raise PopulationError(f"{source}：列「{rt.printable(name)}」不在政策的输入约定中")
    return pa.Table.from_arrays(columns, schema=want)


def write(table: pa.Table, path: str | Path) -> None:
    import pyarrow.parquet as pq
    pq.write_table(table, str(path))


def flatten(table: pa.Table):
    """The three tables the query reads: e (enterprises with _id), h (past awards), p (projects with _idx, _name)."""
    import pyarrow.compute as pc
    n = table.num_rows
    ids = pa.array(np.arange(n, dtype=np.int64))
    e = table.drop_columns(["已获支持", "项目"]).append_column("_id", ids)
    history = table.column("已获支持").combine_chunks()
    parents = pc.list_parent_indices(history)
    flat = pc.list_flatten(history)
    h = pa.Table.from_arrays([pa.array(parents.to_numpy(zero_copy_only=False).astype(np.int64))] +
                             [flat.field(i) for i in range(flat.type.num_fields)],
                             names=["_id"] + [f.name for f in HISTORY_TYPE])
    projects = table.column("项目").combine_chunks()
    parents = pc.list_parent_indices(projects).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(projects)
    offsets = projects.offsets.to_numpy()[:-1]
    idx = np.arange(len(parents)) - offsets[parents] if len(parents) else np.zeros(0, dtype=np.int64)
    names = [f"第{i + 1}个项目" for i in idx]
    arrays = [pa.array(parents), pa.array(idx.astype(np.int64))]
    fields = ["_id", "_idx"]
    for i in range(flat.type.num_fields):
        arrays.append(flat.field(i))
        fields.append(flat.type.field(i).name)
    if "项目名称" in fields:
        given = arrays[fields.index("项目名称")].to_pylist()
        names = [g if g is not None else d for g, d in zip(given, names)]
    arrays.append(pa.array(names, type=pa.string()))
    fields.append("_name")
    p = pa.Table.from_arrays(arrays, names=fields)
    return e, h, p


def jsonl(plan: PolicyPlan, table: pa.Table, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for record in records(plan, table):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def sample_params(plan: PolicyPlan, seed: int) -> dict:
    """A value for every parameter still 待定, inside its declared range: a what-if where the drafter has
    not decided yet (used by the tests and the benchmark to reach the amounts)."""
    rng = np.random.default_rng(seed)
    bound = rt.bound_params(plan.param_values, None)
    out = {}
    for name, (kind, low, high) in sorted(plan.declared_params.items()):
        if name in bound:
            continue
        t = kind[0]
        if t in ("金额", "比例", "数量", "数值", "汇率"):
            lo = low if low is not None else Decimal(0)
            default_high = {"金额": Decimal(5000000), "比例": Decimal(1), "数量": Decimal(100),
                            "数值": Decimal(100), "汇率": Decimal(10)}[t]
            hi = high if high is not None else max(default_high, lo)
            places = {"金额": 2, "比例": 4}.get(t, 0 if t == "数量" else 2)
            steps = int((hi - lo) * 10 ** places)
            value = lo + Decimal(int(rng.integers(0, steps + 1))) / 10 ** places if steps > 0 else lo
            if t == "汇率" and value <= 0:
                value = Decimal("7.1")
            out[name] = value
        elif t == "布尔":
            out[name] = bool(rng.integers(0, 2))
        elif t == "日期":
            out[name] = (datetime.date(2023, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 1460)))).isoformat()
        elif t == "年度":
            out[name] = int(rng.integers(2023, 2027))
        elif t == "等级":
            members = plan.levels[kind[1]]
            out[name] = members[int(rng.integers(0, len(members)))]
    return out
