"""Hostile policies written to be slow, at growing sizes: every command must finish in seconds.

Each generated policy has many articles whose items all quote their own sentence (coverage
work grows with the number of quotes), all pay on the same figure under conditions any
enterprise can meet together (every pair of items is a candidate double payment for the
review), and compare products of figures (nonlinear arithmetic for the solver), with a long
tier table and a set membership in each item. The source text holds every quote.

For each size it runs check, eval, test --no-properties, docs, review and verify as a
drafter would (a fresh process each) and prints the wall time of each with its CPU time in
brackets, then the line where a command names a limit it hit (or its last line). Run: python bench/bench_adversarial.py
(``--sizes 50,200`` in kilobytes of .pol text, ``--timeout`` seconds per command).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("check", "eval", "test", "docs", "review", "verify")


def item_block(k: int) -> tuple[str, str]:
    """One article of the policy and its sentence of the source text."""
    sentence = (f"对第{k}类重点投资项目年度固定资产投资达到{k}万元(含)且研发费用不低于投资额的企业,"
                f"按固定资产投资的10%给予第{k}号支持,最高不超过100万元减去投资额的5%,不低于0元。")
    bands = "\n".join(f"      档 达到 {b * 10}万元 且 低于 {(b + 1) * 10}万元：{b + 1}万元" for b in range(12))
    pol = (f"第{k}条「第{k}号支持」\n"
           f"  原文「第{k}号支持条款。」\n"
           f"  款「投资{k}」\n"
           f"    原文「{sentence}」\n"
           f"    条件 「所属行业」 属于 {{「制造业」、「批发业」}} 且 「固定资产投资」 达到 {k}万元 "
           f"且 「研发费用」÷「营业收入」 达到 「固定资产投资」÷「营业收入」\n"
           f"    给予 按「固定资产投资」的 10%\n"
           f"    上限 100万元 - 「固定资产投资」× 5%\n"
           f"    下限 0元\n"
           f"  款「分档{k}」\n"
           f"    原文「第{k}号支持条款。」\n"
           f"    条件 「研发费用」÷「营业收入」×「固定资产投资」 达到 「营业收入」× 1%\n"
           f"    给予 分档「固定资产投资」\n{bands}\n")
    return pol, f"{k}.第{k}号支持条款。{sentence}\n"


def policy(kilobytes: int) -> tuple[str, str]:
    """A .pol text of about ``kilobytes`` KB and its source text."""
    head = ('政策「对抗性测试政策」\n原文文件「原文.txt」 自「一、支持内容」起\n施行 自 2025-01-01 起\n'
            '引用「基础」、「企业」\n\n章「一、支持内容」\n\n')
    pols, texts = [head], ["对抗性测试政策\n\n一、支持内容\n\n"]
    size, k = len(head.encode()), 0
    while size < kilobytes * 1000:
        k += 1
        pol, text = item_block(k)
        pols.append(pol)
        texts.append(text)
        size += len(pol.encode())
    return "".join(pols), "".join(texts)


ENTERPRISE = {"所属行业": "制造业", "固定资产投资": "3000万元", "营业收入": "1亿元", "研发费用": "2000万元",
              "已认定": {}}


def cpu() -> float:
    """CPU seconds used by finished child processes (the machine may be shared: wall time varies)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: str, folder: Path, timeout: float) -> tuple[float, float, str]:
    pol = str(folder / "policy.pol")
    args = {"check": ["check", pol], "eval": ["eval", pol, "--input", str(folder / "enterprise.json")],
            "test": ["test", pol, "--no-properties"], "docs": ["docs", pol, "-o", str(folder / "site")],
            "review": ["review", pol, "-o", str(folder / "review.md")], "verify": ["verify", pol]}[command]
    start, start_cpu = time.perf_counter(), cpu()
    try:
        done = subprocess.run([sys.executable, "-m", "compiler.cli", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, float("nan"), f"超过 {timeout:.0f} 秒，已终止"
    elapsed, used = time.perf_counter() - start, cpu() - start_cpu
    lines = [x for x in (done.stderr + done.stdout).splitlines() if x.strip()]
    limits = [x for x in lines if "上限" in x and ("达到" in x or "超过" in x) and ("审查" in x or "验证" in x or "覆盖" in x)]
    note = limits[0] if limits else (lines[-1] if lines else "")
    if done.returncode not in (0, 1):
        note = f"退出码 {done.returncode}：{note}"
    return elapsed, used, note[:100]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,600,1900", help="policy sizes in KB, comma separated")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a command is stopped")
    parser.add_argument("--commands", default=",".join(COMMANDS))
    args = parser.parse_args()
    commands = args.commands.split(",")
    print("| 大小 | 款 | " + " | ".join(commands) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in commands) + " |")
    notes = []
    for kb in (int(x) for x in args.sizes.split(",")):
        pol, text = policy(kb)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "policy.pol").write_text(pol, encoding="utf-8")
            (folder / "原文.txt").write_text(text, encoding="utf-8")
            (folder / "enterprise.json").write_text(json.dumps(ENTERPRISE, ensure_ascii=False), encoding="utf-8")
            cells = []
            for command in commands:
                seconds, used, note = run(command, folder, args.timeout)
                cells.append(f"{seconds:.1f} s ({used:.1f})")
                notes.append(f"{len(pol.encode()) // 1000} KB {command}: {note}")
            items = pol.count("  款「")
            print(f"| {len(pol.encode()) // 1000} KB | {items} | " + " | ".join(cells) + " |", flush=True)
    print()
    for line in notes:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
