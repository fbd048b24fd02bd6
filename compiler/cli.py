"""The polc command line: commands in English, help and messages in Chinese."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from decimal import Decimal

from compiler import __version__
from compiler.escape import terminal


def show_diagnostics(result, out) -> None:
    """Diagnostics with their source lines; 错误 and 警告 in colour on a terminal."""
    from compiler.syntax.source import print_diagnostics

    print_diagnostics(result, out, (lambda severity: paint(severity, out)) if use_colour(out) else None)


def cmd_check(args) -> int:
    """polc check FILE…: diagnostics and a summary per file (JSON with --format json);
    fails on errors, and on warnings with --strict."""
    from compiler.semantics.check import check

    results = []
    for path in args.files:
        results.append((path, check(path, rules=args.rules)))
    failed = any(not r.ok or (args.strict and r.warnings) for _, r in results)
    if args.format == "json":  # always a list, one report per file, however many files (docs/cli.md)
        payload = [check_report(path, r, args.strict) for path, r in results]
        print_json(payload)
        return 1 if failed else 0
    for path, r in results:
        show_diagnostics(r, sys.stdout)
        s = r.summary()
        print(terminal(f"{path}：{s['kind']}「{s['name']}」" if "kind" in s else f"{path}：未能读入（见上面的错误）"))
        print(f"  条 {s['articles']}，款 {s['items']}，参数 {s['parameters']}（待定 {s['pending_parameters']}），"
              f"案例 {s['cases']}")
        if s["coverage"] is not None:
            print(f"  原文覆盖率 {s['coverage']:.1%}")
            if s.get("coverage_limit"):
                print(f"    注意：{s['coverage_limit']}")
            for piece in s["uncovered"][:args.show_uncovered]:
                print(terminal(f"    未引用：{piece[:60]}{'…' if len(piece) > 60 else ''}"))
            more = len(s["uncovered"]) - args.show_uncovered
            if more > 0:
                print(f"    ……另有 {more} 处未引用（--show-uncovered N 显示更多）")
        if s.get("open_items"):
            print(f"  待编码的款 {s['open_items']}（已照抄原文，规则未写）")
        print(f"  错误 {len(r.errors)}，警告 {len(r.warnings)}")
    return 1 if failed else 0


def diagnostic_json(d) -> dict:
    """A diagnostic as JSON, with the keys in Chinese like every polc report."""
    from compiler.diagnostics import ERROR

    return {"代码": d.code, "级别": "错误" if d.severity == ERROR else "警告", "信息": d.message,
            "文件": d.span.file, "行": d.span.line, "列": d.span.column, "止行": d.span.end_line,
            "止列": d.span.end_column, "提示": d.hint}


def check_report(path: str, r, strict: bool = False) -> dict:
    """``polc check --format json`` for one file."""
    s = r.summary()
    return {
        "文件": path, "通过": r.ok and not (strict and r.warnings), "类型": s.get("kind"), "名称": s.get("name"),
        "错误数": len(r.errors), "警告数": len(r.warnings),
        "统计": {"条": s["articles"], "款": s["items"], "参数": s["parameters"], "待定参数": s["pending_parameters"],
               "案例": s["cases"], "待编码的款": s.get("open_items", 0), "原文覆盖率": s["coverage"],
               "未引用原文": s.get("uncovered", []), "覆盖率说明": s.get("coverage_limit")},
        "诊断": [diagnostic_json(d) for d in r.diagnostics],
    }


def use_colour(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb."""
    return (hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


COLOURS = {"错误": "31", "失败": "31", "警告": "33", "通过": "32", "未查": "33"}


def paint(word: str, stream) -> str:
    """A status word (通过, 失败, 错误, 警告) in its colour when ``stream`` is a colour terminal."""
    code = COLOURS.get(word)
    return f"\x1b[{code}m{word}\x1b[0m" if code and use_colour(stream) else word


class ProgressLine:
    """One line on stderr, rewritten in place, while a long command works; only on a terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.on = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.shown = False

    def show(self, text: str) -> None:
        if self.on:
            from compiler.escape import display_width
            import shutil

            room = shutil.get_terminal_size().columns - 1
            while display_width(text) > room and text:
                text = text[:-1]
            self.stream.write("\r\x1b[K" + terminal(text))
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


@contextlib.contextmanager
def ticking(line: ProgressLine, text: str):
    """``text`` on the progress line with the seconds spent, updated each second while the block runs
    (one engine call gives no progress of its own); the line is cleared after."""
    import threading
    import time

    if not line.on:
        yield
        return
    start, done = time.monotonic(), threading.Event()

    def tick():
        while not done.wait(1):
            line.show(f"{text}……{int(time.monotonic() - start)} 秒")
    line.show(f"{text}……")
    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        line.clear()


def _load(args):
    """Check the policy (and 细则); print diagnostics and return the program, or None on errors."""
    from compiler.semantics.check import CheckResult, check

    result = check(args.file, rules=getattr(args, "rules", None))
    if not result.ok:
        show_diagnostics(CheckResult(result.program, result.errors), sys.stderr)
        print(terminal(f"{args.file}：有 {len(result.errors)} 个错误，无法求值；请先修正（polc check {args.file}）"),
              file=sys.stderr)
        return None
    return result.program


def _parse_sets(pairs) -> dict:
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise SystemExit(terminal(f"--set 的写法是 名称=值，如 --set 外资支持比例=5%，这里是“{pair}”"))
        out[name.strip()] = value.strip()
    return out


MAX_RECORD_BYTES = 20_000_000  # one enterprise's record; a real one is a few kilobytes


def _read_json(path: str, rt):
    """The record in a JSON file, read bounded (files.read_bounded) and parsed as every service parses
    it (``rt``'s read_json: the runtime, or its copy in a generated module): a BOM, a key given twice,
    nesting too deep are refused with their place. Fractions and NaN/Infinity load as floats;
    validation then rejects them with the field's path."""
    from compiler.files import ReadRefused, os_error_text, read_bounded

    shown = terminal(path)
    try:
        data = read_bounded(path, MAX_RECORD_BYTES)
    except ReadRefused as exc:
        raise SystemExit(f"企业信息文件「{shown}」无法读取：{terminal(exc)}；请指向一个 JSON 文本文件"
                         + (f"（上限 {MAX_RECORD_BYTES:,} 字节）" if exc.too_large else ""))
    except FileNotFoundError:
        raise SystemExit(f"找不到企业信息文件「{shown}」")
    except IsADirectoryError:
        raise SystemExit(f"无法读取企业信息文件「{shown}」：这是目录；--input 应是企业信息的 JSON 文件")
    except OSError as exc:
        raise SystemExit(f"无法读取企业信息文件「{shown}」：{os_error_text(exc)}")
    try:
        return rt.read_json(data)
    except rt.InputError as exc:
        lines = [f"{shown}：不是可读取的企业信息（{len(exc.problems)} 处问题）："]
        lines += [f"  {terminal(p['位置'])}：{terminal(p['问题'])}" for p in exc.problems]
        raise SystemExit("\n".join(lines))


def cmd_eval(args) -> int:
    """polc eval: one enterprise's results, from the cached generated module (the interpreter with --no-cache
    or --detail compact); many records go to cmd_eval_batch."""
    global _end_at_once
    if _is_batch(args):
        return cmd_eval_batch(args)
    import gc

    collecting = gc.isenabled()
    gc.disable()  # loading a policy module makes many objects and few cycles: collecting them costs 10 ms
    try:
        code = _eval_one(args)
    finally:
        if collecting:
            gc.enable()
    _end_at_once = True
    return code


_end_at_once = False  # set by a one-shot evaluation: see entry()


def _eval_one(args) -> int:
    """One enterprise, as cmd_eval describes."""
    if args.detail == "compact" or args.no_cache:
        from compiler import runtime as rt
        from compiler.cache import load_interpreter

        if args.no_cache:
            from compiler.targets.python.interpreter import Interpreter

            program = _load(args)
            interpreter = Interpreter(program) if program is not None else None
        else:
            loaded = load_interpreter(args.file, args.rules, check_program=lambda: _load(args))
            interpreter = loaded.interpreter if loaded is not None else None
        if interpreter is None:
            return 1
        evaluate, runtime = (interpreter.decide if args.detail == "results" else interpreter.evaluate), rt
    else:  # the cached generated module: a repeated eval neither checks nor loads the front end
        from compiler.cache import load

        entry = load(args.file, args.rules, lambda: _load(args))
        if entry is None:
            return 1
        module = entry.module()
        evaluate = module.decide if args.detail == "results" else module.evaluate
        runtime = module  # its own copy of the runtime: nothing more to import
    record = _read_json(args.input, runtime)
    params = _parse_sets(args.set)
    try:
        result = evaluate(record, params, args.date)
    except runtime.InputError as exc:
        record_only = all(p["位置"].startswith("$") for p in exc.problems)
        print(f"{terminal(args.input)}：企业信息" if record_only else "输入", f"有 {len(exc.problems)} 处问题：",
              sep="", file=sys.stderr)
        for p in exc.problems:
            print(terminal(f"  {p['位置']}：{p['问题']}"), file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"错误：{terminal(exc)}", file=sys.stderr)
        return 1
    if args.detail == "compact":
        from compiler.targets.python.results import compact, explain

        result = compact(result, explain(interpreter, record, result, params, args.date))
    if args.format == "json":
        print_json(result)
        return 0
    print_result(result, show_all=args.all)
    return 0


def print_json(value) -> None:
    """A JSON report on stdout: indented for a reader at a terminal, on one line for a program reading
    a pipe or a file (the same value, written four times faster)."""
    indent = 2 if sys.stdout.isatty() else None
    print(json_for_terminal(json.dumps(value, ensure_ascii=False, indent=indent, default=str)))


def json_for_terminal(text: str) -> str:
    """JSON text with the control characters JSON itself leaves raw (DEL, C1, bidirectional
    overrides, line separators) written as \\u escapes: the same JSON value, inert on a terminal."""
    return re.sub(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _is_batch(args) -> bool:
    """Many enterprises: an output file, or a JSON Lines, CSV or Parquet input. Without --output a
    .json file (or any other name) is one enterprise, as before; with it, a JSON array is many."""
    from compiler.batch import format_of

    if args.output is not None:
        return True
    try:
        return format_of(args.input) != ".json"
    except ValueError:
        return False


def cmd_eval_batch(args) -> int:
    """Evaluate every record of --input, writing each result (or its problems) as it comes."""
    from compiler import runtime as rt
    from compiler.batch import RecordError, Writer, format_of, read_records, size_of
    from compiler.cache import load_interpreter

    detail = args.detail or "compact"
    for path in (args.input, args.output):
        if path is not None:
            try:
                format_of(path)
            except ValueError as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return 1
    if not os.path.isfile(args.input):
        print(f"找不到企业信息文件「{args.input}」", file=sys.stderr)
        return 1
    if args.no_cache:  # checked afresh; the reference interpreter evaluates, and decides for --detail results
        from compiler.cache import Loaded
        from compiler.targets.python.interpreter import Interpreter

        program = _load(args)
        loaded = Loaded(Interpreter(program), {}) if program is not None else None
    else:
        loaded = load_interpreter(args.file, args.rules, check_program=lambda: _load(args))
    if loaded is None:
        return 1
    interpreter = loaded.interpreter
    params = _parse_sets(args.set)
    try:  # the same for every record: a bad date or parameter is said once, before any is read
        rt.read_date_and_params(interpreter.policy, params, args.date)
    except rt.InputError as exc:
        print(f"输入有 {len(exc.problems)} 处问题：", file=sys.stderr)
        for p in exc.problems:
            print(terminal(f"  {p['位置']}：{p['问题']}"), file=sys.stderr)
        return 1
    unit = "条" if format_of(args.input) == ".json" else "行"
    writer = Writer(args.output, sys.stdout)
    bad = done = 0
    progress = _progress(size_of(args.input)) if args.output is not None and sys.stderr.isatty() else None

    def result_of(record) -> dict:
        if detail == "results":  # the generated module's decide path: no trace is built
            return loaded.decide(record, params, args.date)
        result = interpreter.evaluate(record, params, args.date)
        if detail == "compact":
            from compiler.targets.python.results import compact, explain

            result = compact(result, explain(interpreter, record, result, params, args.date))
        return result

    def report(number: int, message: str) -> None:
        where = f"第{number}{unit}：" if number > 0 else ""
        line = terminal(f"{args.input}：{where}{message}")
        if progress is not None:
            progress.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=sys.stderr)

    try:
        if progress is not None:
            progress.start()
            task = progress.add_task("求值", total=None)
        for number, record in read_records(args.input, interpreter.plan.fields):
            done += 1
            if isinstance(record, RecordError):
                bad += 1
                report(number, str(record))
                writer.write(number, None, {"行": number, "问题": [{"位置": "$", "问题": str(record)}]})
                continue
            try:
                outcome = {"行": number, "结果": result_of(record)}
            except rt.InputError as exc:
                bad += 1
                report(number, "；".join(f"{p['位置']}：{p['问题']}" for p in exc.problems))
                outcome = {"行": number, "问题": exc.problems}
            writer.write(number, record, outcome)
            if progress is not None:
                progress.update(task, completed=done)
    finally:
        if progress is not None:
            progress.stop()
        writer.close()
    target = f"，结果写入 {args.output}" if args.output else ""
    print(f"已求值 {done} 条，其中 {bad} 条有问题{target}", file=sys.stderr)
    return 1 if bad else 0


def _progress(total_bytes: int):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("求值"), BarColumn(), TextColumn("{task.completed} 条"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def cmd_serve(args) -> int:
    """polc serve FILE…: the HTTP service over one or more policies, each loaded through the cache."""
    from compiler.cache import load_interpreter
    from compiler.service import Limits, create_app, policy_ids, served_policy

    if args.rules and len(args.files) > 1:
        print("错误：--rules 只能配一份政策；多份政策时，直接给出各自的细则文件（细则写明了它扩展的政策）",
              file=sys.stderr)
        return 2
    pairs = [(path, args.rules) for path in args.files]
    policies = []
    for policy_id, (path, rules) in zip(policy_ids(args.files), pairs):
        each = argparse.Namespace(file=path, rules=rules)
        loaded = load_interpreter(path, rules, check_program=lambda each=each: _load(each))
        if loaded is None:
            return 1
        policies.append(served_policy(policy_id, loaded.interpreter, loaded.metadata, loaded.decide))
    limits = Limits(batch_records=args.max_records, seconds=args.timeout)
    import uvicorn

    print(f"polc serve：http://{args.host}:{args.port}/docs（政策：{'、'.join(p.id for p in policies)}）",
          file=sys.stderr)
    if args.workers > 1:  # each worker process builds the app again, from the cache
        os.environ["POLC_SERVE"] = json.dumps({"policies": pairs, "limits": {
            "batch_records": args.max_records, "seconds": args.timeout}})
        uvicorn.run("compiler.service:app_from_environment", factory=True, host=args.host, port=args.port,
                    workers=args.workers)
    else:
        uvicorn.run(create_app(policies, limits), host=args.host, port=args.port)
    return 0




def print_result(result: dict, show_all: bool = False) -> None:
    """The result for a person: each line printed with its control characters escaped. A decided result
    (--detail results) has no formulas or gaps to show; a compact one (--detail compact) adds tiers,
    conditional amounts and what to ask next, and has already left out the items out of reach."""
    import builtins

    def print(*parts):  # noqa: A001 - every line of the result goes through terminal()
        builtins.print(terminal(" ".join(str(x) for x in parts)))

    from compiler.escape import display_width

    def pad(text: str, width: int) -> str:
        return text + " " * max(0, width - display_width(text))

    compact = "其余不符合" in result  # its 不符合 rows are the ones within reach: all shown
    rows = [r for r in result["条款"] if show_all or compact or r["状态"] != "不符合"]
    hidden = result["其余不符合"] if compact else len(result["条款"]) - len(rows)
    print(f"{result['政策']}" + (f"（评估日期 {result['评估日期']}）" if result["评估日期"] else "（未指定评估日期，未核对施行期）"))
    for w in result["输入提示"]:
        print(f"  提示 {w['位置']}：{w['问题']}")
    width = max([display_width(r["条款"]) for r in rows] + [8])
    for r in rows:
        amount = yuan_text(r.get("金额"))
        if r.get("核定"):  # a value that is not money: shown, never added to the totals
            amount = f"核定{r['核定']['名称']}：{r['核定']['文字']}"
        if not amount and r["状态"] in ("符合", "待评定"):
            amount = "（不涉及金额）"
        note = "最多可得，待人工评定" if r["状态"] == "待评定" and r.get("金额") else ""
        if r["状态"] == "参数待定":
            note = (f"公式：{r['公式']}；" if r.get("公式") else "") + f"待定：{'、'.join(r.get('待定参数', []))}"
        elif r["状态"] == "信息不足":
            note = "缺少：" + "、".join(r.get("缺少信息", []))
        elif r.get("上限"):
            note = "；".join(x for x in (note, f"受{r['上限']}限制") if x)
        elif r.get("差距"):
            note = "；".join(g["条件"] + g["差距"] for g in r["差距"])
        extras = [tier_text(r["档次"]) if r.get("档次") else "",
                  conditional_text(r["有条件金额"]) if r.get("有条件金额") else ""]
        note = "；".join(x for x in (note, *extras) if x)
        print(f"  {pad(r['条款'], width)}  {pad(r['状态'], 8)}  {pad(amount, 14)}  {note}".rstrip())
    if hidden and compact:
        print(f"  （另有 {hidden} 款不符合，也没有可达的差距或档次；--detail full --all 全部显示）")
    elif hidden:
        print(f"  （另有 {hidden} 款不符合；--all 全部显示）")
    s = result["汇总"]
    print(f"合计：确定可得 {yuan_text(s['合计'])}；含待评定的最多可得 {yuan_text(s['最高合计'])}"
          f"（精确到分：{s['合计']} 元、{s['最高合计']} 元）")
    for note in s["互斥"]:
        print(f"  互斥：{note}")
    if s["总额上限"]:
        print(f"  {s['总额上限']}")
    if result.get("建议补充"):
        print("建议补充（先问能决定最多款的信息）：")
        for fact in result["建议补充"]:
            worth = f"，有条件金额共 {yuan_text(fact['涉及金额'])}" if Decimal(fact["涉及金额"]) else ""
            print(f"  {fact['信息']}：决定 {fact['条款数']} 款{worth}（{'、'.join(fact['涉及条款'])}）")
    if result.get("说明"):
        print(f"说明：{result['说明']}")


def tier_text(tier: dict) -> str:
    """A compact row's 档次 in words: where the enterprise stands, and what the next tier needs and pays."""
    at = f"第{tier['所在档']}档" if tier["所在档"] else "未达第1档"
    text = f"{tier['依据']} {tier['取值']}，{at}（共{tier['档数']}档）"
    following = tier["下一档"]
    if following:
        pays = f"，可得{yuan_text(following['金额'])}" if following["金额"] else ""
        text += f"；第{following['档']}档门槛{following['门槛']}，{following['差距']}{pays}"
    return text


def conditional_text(conditional: dict) -> str:
    """A compact row's 有条件金额 in words; it is never part of the totals, and says so."""
    if "金额" in conditional:
        return f"若缺少的信息都有利：可得{yuan_text(conditional['金额'])}（有条件，不计入合计）"
    return (f"若缺少的信息都有利：最多{yuan_text(conditional['最多'])}，金额还需"
            f"{'、'.join(conditional['金额还需'])}（有条件，不计入合计）")


def yuan_text(amount: str | None) -> str:
    """A result's money string as a person reads it (30万元); nothing for no amount."""
    from compiler.runtime import money_text
    return money_text(Decimal(amount)) if amount is not None else ""


def cmd_test(args) -> int:
    """polc test: the 案例 (a policy's alone, a 细则's with its bindings), then the generated properties
    unless --no-properties."""
    from compiler.plan.cases import run_case
    from compiler.semantics.check import check
    from compiler.targets.python.interpreter import Interpreter

    program = _load(args)
    if program is None:
        return 1
    # A policy's cases describe the policy alone; a 细则's cases run with its bindings.
    runs = [(program.policy.cases, Interpreter(program))]
    if program.rules is not None:
        alone = check(program.policy.path).program
        runs = [(program.policy.cases, Interpreter(alone)), (program.rules.cases, runs[0][1])]
    cases = [(case, interpreter) for group, interpreter in runs for case in group]
    as_json = args.format == "json"
    line = ProgressLine()
    quiet = line.on and not args.verbose and not as_json  # on a terminal the passes show on the progress line
    out = sys.stdout
    failed = 0
    case_rows = []
    for k, (case, interpreter) in enumerate(cases, 1):
        line.show(f"案例 {k}/{len(cases)}  {case.name}")
        outcome = run_case(case, program, interpreter.evaluate)
        case_rows.append({"名称": case.name, "结果": "通过" if outcome.passed else "失败",
                          "位置": f"{case.span.file}:{case.span.line}", "输入有误": outcome.error,
                          "不一致": [{"条款": m.label, "预期": m.expected, "实际": m.actual, "位置": m.where}
                                   for m in outcome.mismatches]})
        if outcome.passed:
            if not quiet and not as_json:
                print(f"{paint('通过', out)}  {terminal(case.name)}")
            continue
        failed += 1
        if as_json:
            continue
        line.clear()
        print(f"{paint('失败', out)}  " + terminal(f"{case.name}  （{case.span.file}:{case.span.line}）"))
        if outcome.error:
            print(terminal(f"      输入有误：{outcome.error}"))
        for m in outcome.mismatches:
            print(terminal(f"      {m.label}：预期 {m.expected}，实际 {m.actual}  （{m.where}）"))
            if args.verbose:
                got = next(r for r in outcome.result["条款"] if r["条款"] == m.label)
                for st in got["理由"]:
                    print(terminal(f"        · {st['检查']} → {st['结果']}  {st['位置']}"))
    line.clear()
    cases_failed = failed
    if not as_json:
        print(f"{len(cases) - failed} passed, {failed} failed")
    properties = None
    if not args.no_properties:
        from compiler.targets.properties.propgen import run_and_report

        def progress(k, total, label):
            line.show(f"性质 {k}/{total}  {label}")

        properties = [] if as_json else None
        failed += run_and_report(program, args.file, args.rules, args.examples, progress=progress,
                                 quiet_passes=quiet, collect=properties)
        line.clear()
    if as_json:  # one object for the one policy (docs/cli.md)
        print_json({
            "文件": args.file, "细则": args.rules, "通过": failed == 0,
            "案例": {"通过": len(cases) - cases_failed, "失败": cases_failed, "明细": case_rows},
            "性质": None if properties is None else {
                "通过": sum(1 for p in properties if p["结果"] == "通过"),
                "失败": sum(1 for p in properties if p["结果"] == "失败"), "明细": properties},
        })
    return 1 if failed else 0


def cmd_verify(args) -> int:
    """polc verify: the solver's verdict on every property, with a command that replays each counterexample."""
    import time

    from compiler.semantics.check import CheckResult, check
    from compiler.targets.smt.verify import STATUS_WORDS, verify_program

    start = time.perf_counter()
    result = check(args.file, rules=args.rules)
    if not result.ok:
        show_diagnostics(CheckResult(result.program, result.errors), sys.stderr)
        print(f"{args.file}：有 {len(result.errors)} 个错误，无法验证", file=sys.stderr)
        return 1
    source = None
    if args.module:
        with open(args.module, encoding="utf-8") as f:
            source = f.read()
    line = ProgressLine()
    props = verify_program(result.program, args.file, args.rules, source, args.rlimit, args.budget,
                           progress=lambda k, total, label: line.show(f"验证 {k}/{total}  {label}"))
    line.clear()
    elapsed = time.perf_counter() - start
    proved = sum(1 for p in props if p.status == "proved")
    if args.format == "json":  # keys and outcomes in Chinese, as in every polc report (docs/cli.md)
        print_json({"文件": args.file, "细则": args.rules, "已证明": proved, "性质数": len(props),
                    "用时秒": round(elapsed, 2),
                    "性质": [{"条款": p.label, "性质": p.text, "结果": STATUS_WORDS[p.status], "说明": p.detail,
                             "反例": p.example} for p in props]})
        return 0 if proved == len(props) else 1
    command = f"polc eval {args.file}" + (f" --rules {args.rules}" if args.rules else "")
    for p in props:
        if p.status == "proved":
            continue
        print(f"{STATUS_WORDS[p.status]}  {p.label}  {p.text}" + (f"：{p.detail}" if p.detail else ""))
        if p.example is not None and "企业" in p.example:
            print(f"      企业：{json.dumps(p.example['企业'], ensure_ascii=False, sort_keys=True)}")
            sets = " ".join(f"--set {k}={v}" for k, v in sorted(p.example["参数"].items()))
            print(f"      复现：把企业存为 ce.json，运行 {command} --input ce.json{(' ' + sets) if sets else ''}")
        if p.example is not None and "逐年" in p.example:
            shown = "，".join(f"{y['申报年度']}年度 {y['金额'] or '无'}" for y in p.example["逐年"])
            print(f"      逐年求值（已获支持回填）：{shown}")
        elif p.example is not None and "企业" not in p.example:
            print(f"      {json.dumps(p.example, ensure_ascii=False, sort_keys=True)}")
    skipped = sum(1 for p in props if p.detail.startswith("已达到验证的总资源上限"))
    if skipped:
        print(f"已达到验证的总资源上限（{args.budget} 单位，--budget）：{skipped} 条性质未求解", file=sys.stderr)
    print(f"证明 {proved} / {len(props)} 条性质，用时 {elapsed:.1f} 秒")
    return 0 if proved == len(props) else 1


def cmd_docs(args) -> int:
    """``polc docs FILE [--rules R] -o DIR``: check, then write the Markdown pages."""
    from pathlib import Path

    from compiler.semantics.check import CheckResult, check
    from compiler.targets.docs.docgen import generate  # imported when used: a warm polc eval loads only what it runs

    result = check(args.file, rules=args.rules)
    if not result.ok:
        show_diagnostics(CheckResult(result.program, result.errors), sys.stderr)
        print(f"{args.file}：有 {len(result.errors)} 个错误，无法生成文档；请先修正（polc check {args.file}）",
              file=sys.stderr)
        return 1
    site = generate(result)
    written = site.write(args.output)
    print(f"已生成 {len(written)} 个页面：{Path(args.output) / 'index.md'}")
    return 0


def cmd_review(args) -> int:
    """polc review FILE [--rules R] [-o REPORT.md] [--format json]."""
    from pathlib import Path

    from compiler.review import REVIEWABLE, SEVERITIES, Reviewer, finding_json, render_markdown
    from compiler.semantics.check import CheckResult, check

    result = check(args.file, rules=args.rules)
    blocking = [d for d in result.errors if d.code not in REVIEWABLE]
    if result.program is None or blocking:
        show_diagnostics(CheckResult(result.program, blocking or result.errors), sys.stderr)
        print(f"{args.file}：有 {len(blocking or result.errors)} 个错误，无法审查；请先修正（polc check {args.file}）",
              file=sys.stderr)
        return 1
    reviewer = Reviewer(result.program)
    findings = reviewer.run()
    if args.format == "json":  # one object for the one policy, keys in Chinese (docs/cli.md)
        report = {"文件": args.file, "细则": args.rules,
                  "统计": {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
                  "未完成": list(reviewer.notices), "意见": [finding_json(f) for f in findings]}
        if args.output:
            Path(args.output).write_text(json_for_terminal(json.dumps(report, ensure_ascii=False, indent=2)) + "\n",
                                         encoding="utf-8")
        else:
            print_json(report)
        return 0
    text = render_markdown(result.program, findings, reviewer.explanations, reviewer.notices)
    counts = "，".join(f"{s} {sum(1 for f in findings if f.severity == s)}" for s in SEVERITIES)
    for notice in reviewer.notices:
        print(f"审查未完成：{notice}", file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"已生成审查报告 {args.output}：{counts}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_build(args) -> int:
    """polc build -o DIR: write the generated module of a checked policy into DIR."""
    from pathlib import Path

    from compiler.targets.python.build import build_module, name_problem
    from compiler.files import os_error_text

    if args.name is not None and name_problem(args.name):
        print(terminal(f"--name「{args.name}」不能作模块名：{name_problem(args.name)}。"
                       "模块写在 -o 指定的目录中，名称如 --name minhang_2024"), file=sys.stderr)
        return 2
    program = _load(args)
    if program is None:
        return 1
    try:
        path = build_module(program, Path(args.output), name=args.name)
    except OSError as exc:
        print(terminal(f"无法在输出目录「{args.output}」中写入模块：{os_error_text(exc)}"
                       f"（{exc.filename or args.output}）；请换一个可写的目录（-o DIR）"), file=sys.stderr)
        return 1
    print(terminal(f"已生成 {path}"))
    return 0


def cmd_fmt(args) -> int:
    """polc fmt: rewrite each file in the canonical layout, or with --check only list those that differ."""
    from pathlib import Path

    from compiler.diagnostics import Diagnostic, render
    from compiler.syntax.formatter import format_source
    from compiler.syntax.source import read_source

    failed = False
    for path in args.files:
        source = read_source(path)
        if isinstance(source, Diagnostic):
            print(render(source, None), file=sys.stderr)
            failed = True
            continue
        result = format_source(source)
        if isinstance(result, Diagnostic):
            print(render(result, list(source.lines)), file=sys.stderr)
            print(terminal(f"{path}：有语法错误，未排版"), file=sys.stderr)
            failed = True
            continue
        original = Path(path).read_bytes().decode("utf-8")
        if result == original:
            continue
        if args.check:
            print(terminal(f"{path}：排版与规范不一致（polc fmt {path} 可改正）"))
            failed = True
        else:
            Path(path).write_text(result, encoding="utf-8", newline="\n")
            print(terminal(f"已排版 {path}"))
    return 1 if failed else 0


def cmd_new(args) -> int:
    """polc new: a first .pol file from a policy's text, every 款 quoted and marked 待编码."""
    from pathlib import Path

    from compiler.files import os_error_text
    from compiler.scaffold import scaffold
    from compiler.syntax.source import Source, read_source

    source = read_source(args.source, max_bytes=2_000_000)
    if not isinstance(source, Source):
        print(terminal(f"{source.span.file}：{source.message}"), file=sys.stderr)
        return 1
    output = Path(args.output)
    if output.exists() and not args.force:
        print(terminal(f"「{output}」已存在；换一个文件名，或加 --force 覆盖"), file=sys.stderr)
        return 1
    relative = os.path.relpath(Path(args.source).resolve(), output.resolve().parent).replace(os.sep, "/")
    if relative.startswith(".."):
        print(terminal(f"原文文件「{args.source}」须与「{output}」在同一目录或其子目录中"
                       "（.pol 文件中的原文文件名不能含“..”）；请把原文文件复制到输出目录"), file=sys.stderr)
        return 1
    if "」" in relative:
        print(terminal(f"原文文件名「{relative}」中有“」”，不能写进 .pol 文件；请改名"), file=sys.stderr)
        return 1
    try:
        output.write_text(scaffold(source.text, relative), encoding="utf-8", newline="\n")
    except OSError as exc:
        print(terminal(f"无法写入「{output}」：{os_error_text(exc)}"), file=sys.stderr)
        return 1
    print(terminal(f"已生成 {output}；运行 polc check {output} 查看覆盖率与待编码的款"))
    return 0


def cmd_lsp(args) -> int:
    """polc lsp: the language server over stdio, when pygls is installed."""
    try:
        from compiler.lsp import build_server

        server = build_server()
    except ImportError:
        print("polc lsp 需要 pygls：pip install 'polc[editor]'", file=sys.stderr)
        return 1
    server.start_io()
    return 0


EXAMPLES = {  # shown under each command's help (polc CMD -h), and in docs/cli.md
    "polc": ["polc check policies/minhang_2024.pol", "polc eval policies/minhang_2024.pol --input examples/manufacturer.json",
             "polc 命令 -h                # 某个命令的说明与示例"],
    "check": ["polc check policies/minhang_2024.pol", "polc check policies/*.pol --format json",
              "polc check 政策.pol --rules 细则.pol --strict"],
    "eval": ["polc eval 政策.pol --input 企业.json", "polc eval 政策.pol --input 企业.json --set 外资支持比例=5% --format json",
             "polc eval 政策.pol --input 企业.csv -o 结果.csv      # 批量"],
    "serve": ["polc serve 政策.pol --port 8000", "polc serve 政策甲.pol 细则乙.pol --workers 4"],
    "build": ["polc build 政策.pol -o 输出目录", "polc build 政策.pol --rules 细则.pol --name minhang_2024"],
    "test": ["polc test 政策.pol", "polc test 政策.pol --no-properties -v", "polc test 政策.pol --format json"],
    "verify": ["polc verify 政策.pol", "polc verify 政策.pol --rules 细则.pol --format json"],
    "docs": ["polc docs 政策.pol -o 文档目录", "polc docs 政策.pol --rules 细则.pol -o 文档目录"],
    "review": ["polc review 政策.pol -o 审查报告.md", "polc review 政策.pol --format json"],
    "fmt": ["polc fmt 政策.pol", "polc fmt policies/*.pol --check"],
    "new": ["polc new --source 原文.txt -o 政策.pol"],
    "lsp": ["polc lsp                     # 由编辑器启动，经标准输入输出通信"],
    "simulate": ["polc population 政策.pol --n 100000 --seed 1 -o 企业.parquet",
                 "polc simulate 政策.pol --population 企业.parquet -o 预算测算",
                 "polc simulate 政策.pol --population 企业.parquet --vary 外资支持比例=1%:10%:1% -o 预算测算"],
    "population": ["polc population 政策.pol --n 100000 --seed 1 -o 企业.parquet"],
}


def _examples(name: str) -> str:
    return "示例：\n" + "\n".join(f"  {line}" for line in EXAMPLES[name])


def _format_option(p) -> None:
    """--format text|json, the one way every reporting command is asked for JSON."""
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="输出格式（默认 text）；json 的形状见 docs/cli.md")


def _plan_for_population(args):
    """The checked, lowered plan for simulate and population (None after printing the diagnostics)."""
    from compiler.plan.lower import lower

    program = _load(args)
    return lower(program) if program is not None else None


def cmd_population(args) -> int:
    try:
        from compiler.targets.sql import population
    except ImportError as exc:
        print(terminal(f"错误：缺少人口模拟所需的库（{exc.name}）；请安装：pip install 'polc[population]'"), file=sys.stderr)
        return 1
    plan = _plan_for_population(args)
    if plan is None:
        return 1
    if args.n < 0 or args.n > 100_000_000:
        print(f"错误：--n 应在 0 至 100000000 之间，这里是 {args.n}", file=sys.stderr)
        return 1
    if not args.output.lower().endswith((".parquet", ".jsonl")):
        print(terminal(f"错误：输出文件“{args.output}”应以 .parquet 或 .jsonl 结尾"), file=sys.stderr)
        return 1
    from compiler import runtime as rt
    from compiler.targets.sql.engine import fixed_params
    try:
        fixed = fixed_params(plan, _parse_sets(args.set), None)
    except rt.InputError as exc:
        for p in exc.problems:
            print(terminal(f"错误：{p['位置']}：{p['问题']}"), file=sys.stderr)
        return 1
    table = population.draw(plan, args.n, args.seed, fixed)
    if args.output.lower().endswith(".jsonl"):
        population.jsonl(plan, table, args.output)
    else:
        population.write(table, args.output)
    print(terminal(f"已生成 {args.output}：{args.n} 家企业（种子 {args.seed}）"))
    return 0


def cmd_simulate(args) -> int:
    try:
        from compiler.targets.sql import engine, population, simulate
    except ImportError as exc:
        print(terminal(f"错误：缺少预算测算所需的库（{exc.name}）；请安装：pip install 'polc[population]'"), file=sys.stderr)
        return 1
    from compiler import runtime as rt
    plan = _plan_for_population(args)
    if plan is None:
        return 1
    params = _parse_sets(args.set)
    line = ProgressLine()  # a million enterprises take a minute or more for each evaluation
    try:
        with ticking(line, f"读取人口 {args.population}"):
            table = population.read(plan, args.population)
        with ticking(line, f"在 {args.engine} 上为 {table.num_rows:,} 家企业求值 {len(plan.items)} 款"):
            evaluation = engine.evaluate(plan, table, params, args.date, args.engine, args.master, summary=True)
        data = simulate.report(plan, evaluation, engine.fixed_params(plan, params, rt.parse_date(args.date) if args.date else None),
                               args.population)
        curve = None
        if args.vary:
            name, kind, values = simulate.parse_vary(plan, args.vary)

            def progress(k, total, value):
                line.show(f"成本曲线 {k}/{total}：{name}={value}")
            try:
                curve = {"参数": name, "取值": simulate.vary(plan, table, params, args.date, args.engine, name, kind,
                                                           values, args.master, progress)}
            finally:
                line.clear()  # an error is then printed on a line of its own
    except (population.PopulationError, engine.EngineError) as exc:
        print(terminal(f"错误：{exc}"), file=sys.stderr)
        return 1
    except rt.InputError as exc:
        for p in exc.problems:
            print(terminal(f"错误：{p['位置']}：{p['问题']}"), file=sys.stderr)
        return 1
    except ValueError as exc:
        print(terminal(f"错误：{exc}"), file=sys.stderr)
        return 1
    for label, why in evaluation.lowered.unsupported.items():
        print(terminal(f"注意：{label} 未写成 SQL（{why}），由 Python 求值器计算"), file=sys.stderr)
    written = simulate.write(data, curve, args.output, sys.stdout)
    for path in written:
        print(terminal(f"已生成 {path}"))
    return 0


def _check_arguments(p) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="要检查的 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="同时检查的细则文件")
    _format_option(p)
    p.add_argument("--strict", action="store_true", help="有警告也以失败退出")
    p.add_argument("--show-uncovered", type=int, default=5, metavar="N", help="显示未被引用的原文片段数（默认 5）")
    p.set_defaults(func=cmd_check)


def _eval_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--input", required=True, metavar="ENTERPRISE.json",
                   help="企业信息：一家企业的 JSON；多家企业用 .json 数组、.jsonl、.csv 或 .parquet")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件，为参数取值")
    p.add_argument("--set", action="append", metavar="名称=值", help="为参数取值，如 --set 外资支持比例=5%%；可多次使用")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="评估日期；不写则不核对施行期")
    _format_option(p)
    p.add_argument("--json", action="store_const", dest="format", const="json", help="同 --format json")
    p.add_argument("--all", action="store_true", help="也列出不符合的条款")
    p.add_argument("-o", "--output", metavar="RESULTS", help="批量求值的结果文件（.json、.jsonl、.csv 或 .parquet）；"
                   "不写则以 JSON Lines 输出到标准输出")
    p.add_argument("--detail", choices=("compact", "full", "results"),
                   help="compact：精简结果（档次、有条件金额、建议补充，批量默认）；full：含求值过程的完整结果；"
                   "results：只要结果（各条款的状态、金额与合计，不含求值过程），最快，适合免申即享批量")
    p.add_argument("--no-cache", action="store_true", help="不用缓存：重新检查政策，用参考解释器求值")
    p.set_defaults(func=cmd_eval)


def _serve_arguments(p) -> None:
    p.add_argument("files", nargs="+", metavar="POLICY", help="政策或细则 .pol 文件，可多份")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件（只给一份政策时）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="工作进程数（默认 1）")
    p.add_argument("--timeout", type=float, default=30.0, metavar="秒", help="每次请求的时限（默认 30 秒）")
    p.add_argument("--max-records", type=int, default=10_000, metavar="N", help="每批最多记录数（默认 10000）")
    p.set_defaults(func=cmd_serve)


def _build_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件，其参数取值写入模块")
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="输出目录（默认当前目录）")
    p.add_argument("--name", metavar="MODULE", help="模块名：英文字母、数字和下划线，不以数字开头（默认取自文件名）")
    p.set_defaults(func=cmd_build)


def _test_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件")
    p.add_argument("-v", "--verbose", action="store_true", help="失败时显示求值过程")
    p.add_argument("--examples", type=int, default=100, metavar="N", help="每条性质试验的例子数（默认 100）")
    p.add_argument("--no-properties", action="store_true", help="只运行案例，不运行生成的性质测试")
    _format_option(p)
    p.set_defaults(func=cmd_test)


def _verify_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件")
    from compiler.limits import BUDGET, RLIMIT

    p.add_argument("--module", metavar="GENERATED.py", help="验证 polc build 生成的模块，而不是政策的求值语义")
    p.add_argument("--rlimit", type=int, default=RLIMIT, metavar="单位",
                   help=f"每个求解查询的资源上限（求解器的确定性计数，不是时间；默认 {RLIMIT}）")
    p.add_argument("--budget", type=int, default=BUDGET, metavar="单位",
                   help=f"整次验证的资源上限，用完后其余性质不再求解（默认 {BUDGET}）")
    _format_option(p)
    p.add_argument("--json", action="store_const", dest="format", const="json", help="同 --format json")
    p.set_defaults(func=cmd_verify)


def _docs_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="政策或细则 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件：文档中显示其参数取值")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="输出目录")
    p.set_defaults(func=cmd_docs)


def _review_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件：已取值的参数不再列为待定")
    p.add_argument("-o", "--output", metavar="REPORT.md", help="报告文件（默认输出到标准输出）")
    _format_option(p)
    p.set_defaults(func=cmd_review)


def _simulate_arguments(p) -> None:
    p.add_argument("file", metavar="POLICY", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件，为参数取值")
    p.add_argument("--population", required=True, metavar="FILE", help="企业人口：.parquet（polc population 生成）、.jsonl 或 .csv")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb", help="执行引擎（默认 duckdb，进程内运行）")
    p.add_argument("--master", metavar="URL", help="Spark 主节点地址（默认 local[1]）")
    p.add_argument("--set", action="append", metavar="名称=值", help="为参数取值，如 --set 外资支持比例=5%%；可多次使用")
    p.add_argument("--vary", metavar="名称=起:止:步长", help="成本曲线：让一个参数按步长取值，如 --vary 外资支持比例=1%%:10%%:1%%")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="评估日期；不写则不核对施行期")
    p.add_argument("-o", "--output", metavar="REPORT", help="报告文件：写出 REPORT.md 与 REPORT.json（有 --vary 时另有 REPORT.png）；"
                   "不写则把 Markdown 输出到标准输出")
    p.set_defaults(func=cmd_simulate)


def _population_arguments(p) -> None:
    p.add_argument("file", metavar="POLICY", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件")
    p.add_argument("--n", type=int, required=True, metavar="N", help="企业数")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="随机种子（默认 0；同一种子生成同样的人口）")
    p.add_argument("--set", action="append", metavar="名称=值", help="参数取值：生成的数值会靠近用到它的门槛")
    p.add_argument("-o", "--output", required=True, metavar="FILE.parquet", help="输出文件（.parquet，或 .jsonl 即一行一家企业的 JSON）")
    p.set_defaults(func=cmd_population)


def _fmt_arguments(p) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="要排版的 .pol 文件")
    p.add_argument("--check", action="store_true", help="只检查：列出格式不一致的文件并以失败退出，不改写")
    p.set_defaults(func=cmd_fmt)


def _new_arguments(p) -> None:
    p.add_argument("--source", required=True, metavar="TEXT.txt", help="政策原文（UTF-8 文本）")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pol", help="要生成的 .pol 文件（与原文同目录）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.set_defaults(func=cmd_new)


def _lsp_arguments(p) -> None:
    p.set_defaults(func=cmd_lsp)


COMMANDS = {  # name: (help, the function that declares its arguments), in the order of polc -h
    "check": ("检查 .pol 文件：语法、名称、类型、分档、上限、原文引文与覆盖率", _check_arguments),
    "eval": ("为一家企业求值：哪些条款适用、各得多少、为什么", _eval_arguments),
    "serve": ("以 HTTP 服务提供政策求值（JSON；OpenAPI 文档在 /docs）", _serve_arguments),
    "build": ("生成独立的 Python 求值模块（只依赖标准库）", _build_arguments),
    "test": ("运行 .pol 文件中的案例，再运行生成的性质测试", _test_arguments),
    "verify": ("用求解器证明每款金额不超过其上限（或给出反例企业）", _verify_arguments),
    "docs": ("生成 Markdown 文档：逐条的原文与规则、参数、编码说明与案例算例", _docs_arguments),
    "review": ("审查报告：为起草部门列出文稿的问题、原文与修改建议（Markdown）", _review_arguments),
    "simulate": ("预算测算：在一批企业上运行政策（SQL，默认 DuckDB），统计各款人数、金额与分位数", _simulate_arguments),
    "population": ("按政策的输入约定随机生成企业人口（Parquet），供预算测算与测试使用", _population_arguments),
    "fmt": ("排版：把 .pol 文件改写为统一的格式（不改变含义，注释与引文原样保留）", _fmt_arguments),
    "new": ("从原文起草：把原文文本分成章、条、款，照抄原文，每一款标为待编码", _new_arguments),
    "lsp": ("语言服务器（经标准输入输出）：编辑器中的诊断、悬停说明、跳转到定义、补全与大纲", _lsp_arguments),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The polc command line: one subcommand per command, its handler set as ``func``. With
    ``command``, only that command is declared: a warm ``polc eval`` should not pay for the others."""
    from compiler.clihelp import PolcParser

    parser = PolcParser(prog="polc", description="polc：中文政策语言（.pol）的编译器与求值器", epilog=_examples("polc"))
    parser.add_argument("--version", action="version", version=f"polc {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name, (help_text, declare) in COMMANDS.items():
        if command in (None, name):  # every command's help ends with examples
            declare(sub.add_parser(name, help=help_text, epilog=_examples(name)))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run polc on ``argv`` and return the exit code; an interruption, an OS error or a bug in polc
    is one line on stderr, never a traceback."""
    words = sys.argv[1:] if argv is None else argv
    command = next((word for word in words if not word.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as exc:  # an output folder that cannot be made, a file that cannot be written
        from compiler.files import os_error_text
        print(terminal(f"错误：{os_error_text(exc)}：{exc.filename or ''}"), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug in polc: one line, not a traceback
        print(f"polc 内部错误：{type(exc).__name__}: {exc}。这是 polc 的缺陷，请连同输入文件一起报告。", file=sys.stderr)
        return 70


def entry() -> None:
    """The console script. After a one-shot evaluation the process ends at once, its output flushed:
    tearing down a loaded policy module takes longer (25 ms) than evaluating with it. Nothing else
    is left to finish then: files are closed, and no command registers exit handlers."""
    code = main()
    if _end_at_once:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # a reader that stopped early, like head
            code = code or 1
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
