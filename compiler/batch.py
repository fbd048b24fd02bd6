"""Many enterprises at once: read records from .json, .jsonl, .csv or .parquet, write results to the same.

Records stream through one at a time (a JSON array is decoded element by element, Parquet a row
batch at a time), so memory stays flat however many there are. A record that cannot be read or
evaluated is answered in its place with its line or row number and the rest go on.

CSV cells are text; they are read by the type the policy declares for the column (布尔 as
true/false/是/否, 数量 and 年度 as integers; 已认定, 已获支持 and 项目 as JSON text); an empty cell is a
fact not known. Parquet columns keep their own types, except that text in those three columns is
read as JSON.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator

TYPE_CHECKING = False  # typing and pathlib cost a warm eval 12 ms; the annotations need neither
if TYPE_CHECKING:
    from pathlib import Path

FORMATS = (".json", ".jsonl", ".csv", ".parquet")
NESTED = ("已认定", "已获支持", "项目")


class RecordError(Exception):
    """A record that cannot be read; the message names what is wrong with it."""


def format_of(path: str | Path) -> str:
    """A record file's format from its extension (.ndjson counts as .jsonl); any other raises a Chinese ValueError."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".ndjson":
        return ".jsonl"
    if suffix not in FORMATS:
        raise ValueError(f"「{path}」的格式无法识别：扩展名应是 {'、'.join(FORMATS)} 之一")
    return suffix


# ---- reading -----------------------------------------------------------------------------

def read_records(path: str | Path, fields: dict) -> Iterator[tuple[int, object]]:
    """(line or row number, record or RecordError) for each record of the file, in order."""
    kind = format_of(path)
    if kind == ".jsonl":
        return _jsonl(path)
    if kind == ".json":
        return _json_array(path)
    if kind == ".csv":
        return _csv(path, fields)
    return _parquet(path, fields)


def _loads(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return RecordError(f"不是有效的 JSON（第{exc.colno}列）：{exc.msg}")
    except (ValueError, RecursionError):
        return RecordError("JSON 中有位数过多的数字或嵌套过深")


def _jsonl(path) -> Iterator[tuple[int, object]]:
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, RecordError("不是 UTF-8 编码的文本")
                continue
            if number == 1:
                text = text.lstrip("\ufeff")
            if text.strip():
                yield number, _loads(text)


def _json_array(path, chunk_size: int = 1 << 16) -> Iterator[tuple[int, object]]:
    """A file holding one object (one record) or an array of objects, decoded one element at a time.

    Numbers are element positions counted from 1; a syntax error ends the file (what follows
    cannot be told apart) with a message that gives the line.
    """
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig") as f:
        buffer, eof, position, line = "", False, 0, 1

        def more() -> bool:
            nonlocal buffer, eof
            chunk = f.read(chunk_size)
            eof = not chunk
            buffer += chunk
            return bool(chunk)

        def skip_space() -> None:
            nonlocal position, line
            while True:
                while position < len(buffer) and buffer[position] in " \t\r\n":
                    line += buffer[position] == "\n"
                    position += 1
                if position < len(buffer) or not more():
                    return

        def decode():
            nonlocal position, line, buffer
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, position)
                except json.JSONDecodeError as exc:
                    if not eof and more():
                        continue
                    raise RecordError(f"第{line + buffer.count(chr(10), position, exc.pos)}行不是有效的 JSON：{exc.msg}") from None
                except (ValueError, RecursionError):
                    raise RecordError(f"第{line}行起的 JSON 有位数过多的数字或嵌套过深") from None
                if end == len(buffer) and not eof and more():  # a number may go on in the next chunk
                    continue
                line += buffer.count("\n", position, end)
                position = end
                if position > chunk_size:
                    buffer, position = buffer[position:], 0
                return value

        try:
            skip_space()
            if position >= len(buffer):
                return
            if buffer[position] != "[":
                yield 1, decode()
                return
            position += 1
            number = 0
            while True:
                skip_space()
                if position < len(buffer) and buffer[position] == "]":
                    return
                number += 1
                yield number, decode()
                skip_space()
                if position < len(buffer) and buffer[position] == ",":
                    position += 1
                elif position < len(buffer) and buffer[position] == "]":
                    return
                else:
                    raise RecordError(f"第{line}行：数组的元素之间应有逗号，或以 ] 结束")
        except RecordError as exc:
            yield -1, exc
        except UnicodeDecodeError:
            yield -1, RecordError("不是 UTF-8 编码的文本")


_TRUE = {"true", "是", "1", "yes"}
_FALSE = {"false", "否", "0", "no"}


def cell(kind: tuple | None, name: str, text: str):
    """A CSV cell as the JSON value the record would hold; None when the cell is empty."""
    text = text.strip()
    if text == "":
        return None
    if name in NESTED:
        value = _loads(text)
        if isinstance(value, RecordError):
            raise ValueError(f"列「{name}」应是 JSON：{value}")
        return value
    if kind is None:
        return text  # an unknown column: the runtime warns about it
    if kind[0] == "布尔":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"列「{name}」应是 是/否（或 true/false），这里是“{text}”")
    if kind[0] in ("数量", "年度") and text.lstrip("-").isdigit() and text.isascii():
        return int(text)
    if kind[0] == "集合":
        return [part.strip() for part in text.replace("，", "、").replace(",", "、").split("、") if part.strip()]
    return text


def _csv(path, fields: dict) -> Iterator[tuple[int, object]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        names = [h.strip() for h in header]
        for row in reader:
            number = reader.line_num  # the row's line in the file (the header is line 1)
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(names):
                yield number, RecordError(f"有 {len(row)} 列，表头只有 {len(names)} 列")
                continue
            record, problems = {}, []
            for name, text in zip(names, row):
                try:
                    value = cell(fields.get(name), name, text)
                except ValueError as exc:
                    problems.append(str(exc))
                    continue
                if value is not None:
                    record[name] = value
            yield number, RecordError("；".join(problems)) if problems else record


def _parquet(path, fields: dict) -> Iterator[tuple[int, object]]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            record = {}
            for name, value in row.items():
                if value is None:
                    continue
                if name in NESTED and isinstance(value, str):
                    value = _loads(value)
                    if isinstance(value, RecordError):
                        record = RecordError(f"列「{name}」应是 JSON：{value}")
                        break
                record[name] = value
            yield number, record


# ---- writing -----------------------------------------------------------------------------

SUMMARY_COLUMNS = ("行", "企业名称", "合计", "最高合计", "可得条款", "信息不足条款", "建议补充", "问题", "结果")


def summary_row(number: int, record, outcome: dict) -> dict:
    """One flat row for a table: totals, the items that pay, the items waiting on facts, and the whole result as JSON."""
    name = record.get("企业名称") if isinstance(record, dict) else None
    row = {"行": number, "企业名称": name if isinstance(name, str) else None}
    if "问题" in outcome:
        row["问题"] = "；".join(f"{p['位置']}：{p['问题']}" for p in outcome["问题"])
        return {c: row.get(c) for c in SUMMARY_COLUMNS}
    result = outcome["结果"]
    items = result["条款"]
    row.update(合计=result["汇总"]["合计"], 最高合计=result["汇总"]["最高合计"],
               可得条款="、".join(r["条款"] for r in items if r.get("金额") is not None),
               信息不足条款="、".join(r["条款"] for r in items if r["状态"] == "信息不足"),
               建议补充="、".join(f["信息"] for f in result.get("建议补充", [])[:5]),
               结果=json.dumps(result, ensure_ascii=False, default=str))
    return {c: row.get(c) for c in SUMMARY_COLUMNS}


class Writer:
    """Results written as they come, in the format the file name says; ``None`` path is stdout (JSON Lines)."""

    def __init__(self, path: str | Path | None, stdout):
        self.kind = format_of(path) if path is not None else ".jsonl"
        self.path = path
        self.count = 0
        self._rows: list[dict] = []
        self._parquet = None
        if path is None:
            self._file = stdout
        elif self.kind == ".parquet":
            self._file = None
        else:
            self._file = open(path, "w", encoding="utf-8", newline="")
        if self.kind == ".csv":
            self._csv = csv.DictWriter(self._file, fieldnames=SUMMARY_COLUMNS)
            self._csv.writeheader()
        elif self.kind == ".json":
            self._file.write("[")

    def write(self, number: int, record, outcome: dict) -> None:
        self.count += 1
        if self.kind == ".jsonl":
            self._file.write(json.dumps(outcome, ensure_ascii=False, default=str) + "\n")
        elif self.kind == ".json":
            self._file.write(("\n" if self.count == 1 else ",\n") + json.dumps(outcome, ensure_ascii=False, default=str))
        elif self.kind == ".csv":
            self._csv.writerow(summary_row(number, record, outcome))
        else:
            self._rows.append(summary_row(number, record, outcome))
            if len(self._rows) >= 1024:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("行", pa.int64())] + [(c, pa.string()) for c in SUMMARY_COLUMNS[1:]])
        table = pa.Table.from_pylist(self._rows, schema=schema)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, schema)
        self._parquet.write_table(table)
        self._rows = []

    def close(self) -> None:
        if self.kind == ".json":
            self._file.write("\n]\n" if self.count else "]\n")
        if self.kind == ".parquet":
            if self._rows or self._parquet is None:
                self._flush_parquet()
            self._parquet.close()
        elif self.path is not None:
            self._file.close()
        else:
            self._file.flush()


def size_of(path) -> int:
    """A file's size in bytes, 0 when it cannot be read: only for the progress display."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
