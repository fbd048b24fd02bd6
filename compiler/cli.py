"""The polc command line: commands in English, help and messages in Chinese."""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal

from . import __version__
from .escape import terminal


def _print_diagnostics(result, out) -> None:
    from .diagnostics import render
    from .source import Source, read_source

    sources = dict(result.program.sources) if result.program else {}
    for d in result.diagnostics:
        if d.span.file not in sources:  # a file that did not load: read it again to show its lines
            src = read_source(d.span.file)
            sources[d.span.file] = src if isinstance(src, Source) else None
        src = sources[d.span.file]
        print(render(d, list(src.lines) if src else None), file=out)


def cmd_check(args) -> int:
    from .check import check

    results = []
    for path in args.files:
        results.append((path, check(path, rules=args.rules)))
    failed = any(not r.ok or (args.strict and r.warnings) for _, r in results)
    if args.format == "json":
        payload = [{"file": path, "ok": r.ok, "diagnostics": [d.to_json() for d in r.diagnostics],
                    "summary": r.summary()} for path, r in results]
        print(json_for_terminal(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)))
        return 1 if failed else 0
    for path, r in results:
        _print_diagnostics(r, sys.stdout)
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


def _load(args):
    """Check the policy (and 细则); print diagnostics and return the program, or None on errors."""
    from .check import CheckResult, check

    result = check(args.file, rules=getattr(args, "rules", None))
    if not result.ok:
        _print_diagnostics(CheckResult(result.program, result.errors), sys.stderr)
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


def _read_json(path: str):
    """The record in a JSON file, read bounded (files.read_bounded) and parsed as every service parses
    it (runtime.read_json): a BOM, a key given twice, nesting too deep are refused with their place.
    Fractions and NaN/Infinity load as floats; validation then rejects them with the field's path."""
    from . import runtime as rt
    from .files import ReadRefused, os_error_text, read_bounded

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
    if _is_batch(args):
        return cmd_eval_batch(args)
    if args.detail == "compact" or args.no_cache:
        from . import runtime as rt
        from .cache import load_interpreter

        if args.no_cache:
            from .interpreter import Interpreter

            program = _load(args)
            interpreter = Interpreter(program) if program is not None else None
        else:
            loaded = load_interpreter(args.file, args.rules, check_program=lambda: _load(args))
            interpreter = loaded.interpreter if loaded is not None else None
        if interpreter is None:
            return 1
        evaluate, input_error = interpreter.evaluate, rt.InputError
    else:  # the cached generated module: a repeated eval neither checks nor loads the front end
        from .cache import load

        entry = load(args.file, args.rules, lambda: _load(args))
        if entry is None:
            return 1
        module = entry.module()
        evaluate, input_error = module.evaluate, module.InputError
    record = _read_json(args.input)
    params = _parse_sets(args.set)
    try:
        result = evaluate(record, params, args.date)
    except input_error as exc:
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
        from .results import compact, explain

        result = compact(result, explain(interpreter, record, result, params, args.date))
    if args.json or args.detail == "compact":
        print(json_for_terminal(json.dumps(result, ensure_ascii=False, indent=2, default=str)))
        return 0
    print_result(result, show_all=args.all)
    return 0


def json_for_terminal(text: str) -> str:
    """JSON text with the control characters JSON itself leaves raw (DEL, C1, bidirectional
    overrides, line separators) written as \\u escapes: the same JSON value, inert on a terminal."""
    return re.sub(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _is_batch(args) -> bool:
    """Many enterprises: an output file, or a JSON Lines, CSV or Parquet input. Without --output a
    .json file (or any other name) is one enterprise, as before; with it, a JSON array is many."""
    from .batch import format_of

    if args.output is not None:
        return True
    try:
        return format_of(args.input) != ".json"
    except ValueError:
        return False


def cmd_eval_batch(args) -> int:
    """Evaluate every record of --input, writing each result (or its problems) as it comes."""
    import os

    from . import runtime as rt
    from .batch import RecordError, Writer, format_of, read_records, size_of
    from .cache import load_interpreter

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
    loaded = load_interpreter(args.file, args.rules, check_program=lambda: _load(args))
    if loaded is None:
        return 1
    interpreter = loaded.interpreter
    params = _parse_sets(args.set)
    unit = "条" if format_of(args.input) == ".json" else "行"
    writer = Writer(args.output, sys.stdout)
    bad = done = 0
    progress = _progress(size_of(args.input)) if args.output is not None and sys.stderr.isatty() else None

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
                result = interpreter.evaluate(record, params, args.date)
                if detail == "compact":
                    from .results import compact, explain

                    result = compact(result, explain(interpreter, record, result, params, args.date))
                outcome = {"行": number, "结果": result}
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
    import os

    from .cache import load_interpreter
    from .service import Limits, create_app, policy_ids, served_policy

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
        policies.append(served_policy(policy_id, loaded.interpreter, loaded.metadata))
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
    """The result for a person: each line printed with its control characters escaped."""
    import builtins

    def print(*parts):  # noqa: A001 - every line of the result goes through terminal()
        builtins.print(terminal(" ".join(str(x) for x in parts)))

    from .diagnostics import display_width

    def pad(text: str, width: int) -> str:
        return text + " " * max(0, width - display_width(text))

    rows = [r for r in result["条款"] if show_all or r["状态"] != "不符合"]
    hidden = len(result["条款"]) - len(rows)
    print(f"{result['政策']}" + (f"（评估日期 {result['评估日期']}）" if result["评估日期"] else "（未指定评估日期，未核对施行期）"))
    for w in result["输入提示"]:
        print(f"  提示 {w['位置']}：{w['问题']}")
    from .runtime import money_text

    def shown(amount: str) -> str:
        return money_text(Decimal(amount)) if amount is not None else ""

    width = max([display_width(r["条款"]) for r in rows] + [8])
    for r in rows:
        amount = shown(r["金额"])
        if r.get("核定"):  # a value that is not money: shown, never added to the totals
            amount = f"核定{r['核定']['名称']}：{r['核定']['文字']}"
        if not amount and r["状态"] in ("符合", "待评定"):
            amount = "（不涉及金额）"
        note = "最多可得，待人工评定" if r["状态"] == "待评定" and r["金额"] else ""
        if r["状态"] == "参数待定":
            note = f"公式：{r['公式']}；待定：{'、'.join(r['待定参数'])}"
        elif r["状态"] == "信息不足":
            note = "缺少：" + "、".join(r["缺少信息"])
        elif r["上限"]:
            note = "；".join(x for x in (note, f"受{r['上限']}限制") if x)
        elif r["差距"]:
            note = "；".join(g["条件"] + g["差距"] for g in r["差距"])
        print(f"  {pad(r['条款'], width)}  {pad(r['状态'], 8)}  {pad(amount, 14)}  {note}".rstrip())
    if hidden:
        print(f"  （另有 {hidden} 款不符合；--all 全部显示）")
    s = result["汇总"]
    print(f"合计：确定可得 {shown(s['合计'])}；含待评定的最多可得 {shown(s['最高合计'])}"
          f"（精确到分：{s['合计']} 元、{s['最高合计']} 元）")
    for note in s["互斥"]:
        print(f"  互斥：{note}")
    if s["总额上限"]:
        print(f"  {s['总额上限']}")


def cmd_test(args) -> int:
    from .cases import run_case
    from .check import check
    from .interpreter import Interpreter

    program = _load(args)
    if program is None:
        return 1
    # A policy's cases describe the policy alone; a 细则's cases run with its bindings.
    runs = [(program.policy.cases, Interpreter(program))]
    if program.rules is not None:
        alone = check(program.policy.path).program
        runs = [(program.policy.cases, Interpreter(alone)), (program.rules.cases, runs[0][1])]
    cases = [(case, interpreter) for group, interpreter in runs for case in group]
    failed = 0
    for case, interpreter in cases:
        outcome = run_case(case, program, interpreter.evaluate)
        if outcome.passed:
            print(terminal(f"通过  {case.name}"))
            continue
        failed += 1
        print(terminal(f"失败  {case.name}  （{case.span.file}:{case.span.line}）"))
        if outcome.error:
            print(terminal(f"      输入有误：{outcome.error}"))
        for m in outcome.mismatches:
            print(terminal(f"      {m.label}：预期 {m.expected}，实际 {m.actual}  （{m.where}）"))
            if args.verbose:
                got = next(r for r in outcome.result["条款"] if r["条款"] == m.label)
                for st in got["理由"]:
                    print(terminal(f"        · {st['检查']} → {st['结果']}  {st['位置']}"))
    print(f"{len(cases) - failed} passed, {failed} failed")
    if not args.no_properties:
        from .propgen import run_and_report

        failed += run_and_report(program, args.file, args.rules, args.examples)
    return 1 if failed else 0


def cmd_verify(args) -> int:
    from .verify import cmd_verify as run

    return run(args)


def cmd_docs(args) -> int:
    from .docgen import cmd_docs as run  # imported when used: a warm polc eval loads only what it runs

    return run(args)


def cmd_review(args) -> int:
    from .review import cmd_review as run

    return run(args)


def cmd_build(args) -> int:
    from pathlib import Path

    from .build import build_module, name_problem
    from .files import os_error_text

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


def _plan_for_population(args):
    """The checked, lowered plan for simulate and population (None after printing the diagnostics)."""
    from .lower import lower

    program = _load(args)
    return lower(program) if program is not None else None


def cmd_population(args) -> int:
    try:
        from .targets.sql import population
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
    from . import runtime as rt
    try:
        fixed = rt.bound_params(plan.param_values, None)
        fixed.update(rt.read_params(plan.declared_params, _parse_sets(args.set), plan.levels))
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
        from .targets.sql import engine, population, simulate
    except ImportError as exc:
        print(terminal(f"错误：缺少预算测算所需的库（{exc.name}）；请安装：pip install 'polc[population]'"), file=sys.stderr)
        return 1
    from . import runtime as rt
    plan = _plan_for_population(args)
    if plan is None:
        return 1
    params = _parse_sets(args.set)
    try:
        table = population.read(plan, args.population)
        evaluation = engine.evaluate(plan, table, params, args.date, args.engine, args.master, summary=True)
        data = simulate.report(plan, evaluation, engine.fixed_params(plan, params, rt.parse_date(args.date) if args.date else None),
                               args.population)
        curve = None
        if args.vary:
            name, kind, values = simulate.parse_vary(plan, args.vary)
            curve = {"参数": name, "取值": simulate.vary(plan, table, params, args.date, args.engine, name, kind, values,
                                                       args.master)}
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="polc", description="polc：中文政策语言（.pol）的编译器与求值器")
    parser.add_argument("--version", action="version", version=f"polc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    p = sub.add_parser("check", help="检查 .pol 文件：语法、名称、类型、分档、上限、原文引文与覆盖率")
    p.add_argument("files", nargs="+", metavar="FILE", help="要检查的 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="同时检查的细则文件")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")
    p.add_argument("--strict", action="store_true", help="有警告也以失败退出")
    p.add_argument("--show-uncovered", type=int, default=5, metavar="N", help="显示未被引用的原文片段数（默认 5）")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("eval", help="为一家企业求值：哪些条款适用、各得多少、为什么")
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--input", required=True, metavar="ENTERPRISE.json",
                   help="企业信息：一家企业的 JSON；多家企业用 .json 数组、.jsonl、.csv 或 .parquet")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件，为参数取值")
    p.add_argument("--set", action="append", metavar="名称=值", help="为参数取值，如 --set 外资支持比例=5%%；可多次使用")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="评估日期；不写则不核对施行期")
    p.add_argument("--json", action="store_true", help="以 JSON 输出完整结果")
    p.add_argument("--all", action="store_true", help="也列出不符合的条款")
    p.add_argument("-o", "--output", metavar="RESULTS", help="批量求值的结果文件（.json、.jsonl、.csv 或 .parquet）；"
                   "不写则以 JSON Lines 输出到标准输出")
    p.add_argument("--detail", choices=("compact", "full"),
                   help="compact：精简结果（档次、有条件金额、建议补充，批量默认）；full：含求值过程的完整结果")
    p.add_argument("--no-cache", action="store_true", help="不用缓存：重新检查政策，用参考解释器求值")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="以 HTTP 服务提供政策求值（JSON；OpenAPI 文档在 /docs）")
    p.add_argument("files", nargs="+", metavar="POLICY", help="政策或细则 .pol 文件，可多份")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件（只给一份政策时）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="工作进程数（默认 1）")
    p.add_argument("--timeout", type=float, default=30.0, metavar="秒", help="每次请求的时限（默认 30 秒）")
    p.add_argument("--max-records", type=int, default=10_000, metavar="N", help="每批最多记录数（默认 10000）")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("build", help="生成独立的 Python 求值模块（只依赖标准库）")
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件，其参数取值写入模块")
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="输出目录（默认当前目录）")
    p.add_argument("--name", metavar="MODULE", help="模块名：英文字母、数字和下划线，不以数字开头（默认取自文件名）")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("test", help="运行 .pol 文件中的案例，再运行生成的性质测试")
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件")
    p.add_argument("-v", "--verbose", action="store_true", help="失败时显示求值过程")
    p.add_argument("--examples", type=int, default=100, metavar="N", help="每条性质试验的例子数（默认 100）")
    p.add_argument("--no-properties", action="store_true", help="只运行案例，不运行生成的性质测试")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("verify", help="用求解器证明每款金额不超过其上限（或给出反例企业）")
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件")
    p.add_argument("--module", metavar="GENERATED.py", help="验证 polc build 生成的模块，而不是政策的求值语义")
    from .limits import BUDGET, RLIMIT
    p.add_argument("--rlimit", type=int, default=RLIMIT, metavar="单位",
                   help=f"每个求解查询的资源上限（求解器的确定性计数，不是时间；默认 {RLIMIT}）")
    p.add_argument("--budget", type=int, default=BUDGET, metavar="单位",
                   help=f"整次验证的资源上限，用完后其余性质不再求解（默认 {BUDGET}）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("docs", help="生成 Markdown 文档：逐条的原文与规则、参数、编码说明与案例算例")
    p.add_argument("file", metavar="FILE", help="政策或细则 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件：文档中显示其参数取值")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="输出目录")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("review", help="审查报告：为起草部门列出文稿的问题、原文与修改建议（Markdown）")
    p.add_argument("file", metavar="FILE", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件：已取值的参数不再列为待定")
    p.add_argument("-o", "--output", metavar="REPORT.md", help="报告文件（默认输出到标准输出）")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("simulate", help="预算测算：在一批企业上运行政策（SQL，默认 DuckDB），统计各款人数、金额与分位数")
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

    p = sub.add_parser("population", help="按政策的输入约定随机生成企业人口（Parquet），供预算测算与测试使用")
    p.add_argument("file", metavar="POLICY", help="政策 .pol 文件")
    p.add_argument("--rules", metavar="RULES.pol", help="细则文件")
    p.add_argument("--n", type=int, required=True, metavar="N", help="企业数")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="随机种子（默认 0；同一种子生成同样的人口）")
    p.add_argument("--set", action="append", metavar="名称=值", help="参数取值：生成的数值会靠近用到它的门槛")
    p.add_argument("-o", "--output", required=True, metavar="FILE.parquet", help="输出文件（.parquet，或 .jsonl 即一行一家企业的 JSON）")
    p.set_defaults(func=cmd_population)

    from .formatter import cmd_fmt
    p = sub.add_parser("fmt", help="排版：把 .pol 文件改写为统一的格式（不改变含义，注释与引文原样保留）")
    p.add_argument("files", nargs="+", metavar="FILE", help="要排版的 .pol 文件")
    p.add_argument("--check", action="store_true", help="只检查：列出格式不一致的文件并以失败退出，不改写")
    p.set_defaults(func=cmd_fmt)

    from .scaffold import cmd_new
    p = sub.add_parser("new", help="从原文起草：把原文文本分成章、条、款，照抄原文，每一款标为待编码")
    p.add_argument("--source", required=True, metavar="TEXT.txt", help="政策原文（UTF-8 文本）")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pol", help="要生成的 .pol 文件（与原文同目录）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.set_defaults(func=cmd_new)

    from .lsp import cmd_lsp
    p = sub.add_parser("lsp", help="语言服务器（经标准输入输出）：编辑器中的诊断、悬停说明、跳转到定义、补全与大纲")
    p.set_defaults(func=cmd_lsp)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
        from .files import os_error_text
        print(terminal(f"错误：{os_error_text(exc)}：{exc.filename or ''}"), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug in polc: one line, not a traceback
        print(f"polc 内部错误：{type(exc).__name__}: {exc}。这是 polc 的缺陷，请连同输入文件一起报告。", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
