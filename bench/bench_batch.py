"""Batch evaluation from the command line: ``polc eval --input FILE --output FILE`` over N Minhang enterprises.

Writes N enterprises (default 1,000, drawn as bench_eval draws them) to a JSON Lines file, warms the
cache once, then runs ``polc eval`` with each ``--detail`` (compact, the batch default; full; results,
the decide path) in turn, ROUNDS times (default 3), and prints the least time of each and its ratio to
compact. Each run is a fresh process: start-up and loading the policy from the cache are included.
Run: python bench/bench_batch.py [N] [ROUNDS] [--output-suffix .jsonl|.csv|.parquet]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_eval  # noqa: E402  the enterprises of the evaluation bench

POLICY = ["policies/minhang_2024.pol", "--rules", "policies/minhang_2024_示例细则.pol"]
DETAILS = ("compact", "full", "results")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("rounds", nargs="?", type=int, default=3)
    parser.add_argument("--output-suffix", default=".jsonl", choices=(".jsonl", ".csv", ".parquet"))
    args = parser.parse_args()
    from compiler.semantics.check import check
    from compiler.targets.python.interpreter import Interpreter

    plan = Interpreter(check(bench_eval.POLICY, rules=bench_eval.RULES).program).plan
    rng = random.Random(20241014)
    folder = Path(tempfile.mkdtemp(prefix="polc-bench-batch-"))
    source = folder / "enterprises.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for _ in range(args.n):
            f.write(json.dumps(bench_eval.enterprise(rng, plan), ensure_ascii=False) + "\n")
    env = {**os.environ, "POLC_CACHE_DIR": str(folder / "cache")}

    def run(detail: str) -> float:
        out = folder / f"out-{detail}{args.output_suffix}"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "compiler.cli", "eval", *POLICY, "--input", str(source),
                               "--output", str(out), "--detail", detail], cwd=ROOT, env=env,
                              capture_output=True, text=True, encoding="utf-8")
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"polc eval --detail {detail} failed: {done.stderr[-500:]}")
        return seconds

    run("results")  # fills the cache
    best = {d: float("inf") for d in DETAILS}
    for _ in range(args.rounds):  # in turn: the machine's speed drifts
        for detail in DETAILS:
            best[detail] = min(best[detail], run(detail))
    print(f"polc eval, {args.n:,} Minhang enterprises to {args.output_suffix}, least of {args.rounds} runs each")
    for detail in DETAILS:
        print(f"--detail {detail:8s} {best[detail]:7.2f} s  {best[detail] / args.n * 1e3:6.2f} ms per enterprise"
              f"  ({best['compact'] / best[detail]:.2f}× compact's speed)")


if __name__ == "__main__":
    main()
