"""The polc command line: commands in English, help and messages in Chinese."""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .check import CheckResult, check
from .diagnostics import render


def _lines(result: CheckResult, path: str):
    if result.program is not None and path in result.program.sources:
        return list(result.program.sources[path].lines)
    return None


def _print_diagnostics(result: CheckResult, out) -> None:
    sources = result.program.sources if result.program else {}
    for d in result.diagnostics:
        src = sources.get(d.span.file)
        print(render(d, list(src.lines) if src else None), file=out)


def cmd_check(args) -> int:
    results = []
    for path in args.files:
        results.append((path, check(path, rules=args.rules)))
    failed = any(not r.ok or (args.strict and r.warnings) for _, r in results)
    if args.format == "json":
        payload = [{"file": path, "ok": r.ok, "diagnostics": [d.to_json() for d in r.diagnostics],
                    "summary": r.summary()} for path, r in results]
        json.dump(payload[0] if len(payload) == 1 else payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 1 if failed else 0
    for path, r in results:
        _print_diagnostics(r, sys.stdout)
        s = r.summary()
        print(f"{path}：{s.get('kind', '')}「{s.get('name', '')}」")
        print(f"  条 {s['articles']}，款 {s['items']}，参数 {s['parameters']}（待定 {s['pending_parameters']}），"
              f"案例 {s['cases']}")
        if s["coverage"] is not None:
            print(f"  原文覆盖率 {s['coverage']:.1%}")
            for piece in s["uncovered"][:args.show_uncovered]:
                print(f"    未引用：{piece[:60]}{'…' if len(piece) > 60 else ''}")
            more = len(s["uncovered"]) - args.show_uncovered
            if more > 0:
                print(f"    ……另有 {more} 处未引用（--show-uncovered N 显示更多）")
        print(f"  错误 {len(r.errors)}，警告 {len(r.warnings)}")
    return 1 if failed else 0


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


if __name__ == "__main__":
    sys.exit(main())
