"""Start-up of a whole ``polc eval`` process on Minhang (with its example 细则), cold and warm cache.

Each run is a fresh process, ``python -m compiler.cli eval ... --json`` (and the text table), timed
from spawn to exit; the cache lives in a temporary folder. "cold" empties the cache before each
run, "warm" keeps it. Python may write bytecode, as it does for an installed package. Prints the median and the minimum of N runs, and, for scale, a bare
``python -c pass`` on the same machine.
Run: python bench/bench_eval_cache.py [N]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ["eval", "policies/minhang_2024.pol", "--rules", "policies/minhang_2024_示例细则.pol",
        "--input", "examples/manufacturer.json", "--date", "2025-06-01"]


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def report(label: str, times: list[float]) -> None:
    print(f"{label:<34} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    folder = Path(tempfile.mkdtemp(prefix="polc-bench-cache-"))
    # as installed: the modules' bytecode is cached (.pyc), which PYTHONDONTWRITEBYTECODE would forbid
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["POLC_CACHE_DIR"] = str(folder)
    python = [sys.executable, "-m", "compiler.cli"]
    try:
        report("python -c pass", [timed([sys.executable, "-c", "pass"], env) for _ in range(runs)])
        cold = []
        for _ in range(max(1, runs // 3)):
            shutil.rmtree(folder, ignore_errors=True)
            cold.append(timed(python + EVAL + ["--json"], env))
        report("polc eval --json, cold cache", cold)
        report("polc eval --json, warm cache", [timed(python + EVAL + ["--json"], env) for _ in range(runs)])
        report("polc eval (table), warm cache", [timed(python + EVAL, env) for _ in range(runs)])
        report("polc eval --no-cache", [timed(python + EVAL + ["--json", "--no-cache"], env)
                                       for _ in range(max(1, runs // 3))])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
