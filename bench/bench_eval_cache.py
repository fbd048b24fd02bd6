"""Start-up of a whole ``polc eval`` process on Minhang (with its example 细则), cold and warm cache.

Each run is a fresh process, timed from spawn to exit, entering polc as its console script does
(``from compiler.cli import entry``); the cache lives in a temporary folder. "cold" empties the
cache before each run, "warm" keeps it. Python may write bytecode, as it does for an installed
package. Two set-ups:

- the checkout, as the README installs it (editable: site-packages imports a finder for it);
- installed: a copy of the package in a fresh virtual environment, found through a plain .pth
  entry as a wheel install would be; it shares the cache, since the key is the same.

Prints the median and the minimum of N runs and, for scale, a bare ``python -c pass`` of each.
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
POLC = ["-c", "from compiler.cli import entry; entry()"]


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def report(label: str, times: list[float]) -> None:
    print(f"{label:<44} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def installed_python(folder: Path) -> str:
    """A fresh virtual environment whose site-packages finds a copy of polc (times kept, so the
    cache key is the checkout's)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")], check=True)
    python = folder / "venv" / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    for name in ("compiler", "grammar"):
        shutil.copytree(ROOT / name, folder / "site" / name, ignore=shutil.ignore_patterns("__pycache__"))
    Path(site, "polc.pth").write_text(str(folder / "site") + "\n", encoding="utf-8")
    return str(python)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    folder = Path(tempfile.mkdtemp(prefix="polc-bench-cache-"))
    cache = folder / "cache"
    # as installed: the modules' bytecode is cached (.pyc), which PYTHONDONTWRITEBYTECODE would forbid
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["POLC_CACHE_DIR"] = str(cache)
    checkout = [sys.executable] + POLC
    try:
        report("python -c pass (checkout's Python)", [timed([sys.executable, "-c", "pass"], env) for _ in range(runs)])
        cold = []
        for _ in range(max(1, runs // 3)):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(checkout + EVAL + ["--json"], env))
        report("checkout: polc eval --json, cold cache", cold)
        report("checkout: polc eval --json, warm cache", [timed(checkout + EVAL + ["--json"], env) for _ in range(runs)])
        report("checkout: polc eval (table), warm cache", [timed(checkout + EVAL, env) for _ in range(runs)])
        report("checkout: polc eval --no-cache", [timed(checkout + EVAL + ["--json", "--no-cache"], env)
                                                 for _ in range(max(1, runs // 3))])
        python = installed_python(folder)
        installed = [python] + POLC
        timed(installed + EVAL + ["--json"], env)  # writes the copy's bytecode; the cache entry is shared
        report("python -c pass (fresh environment)", [timed([python, "-c", "pass"], env) for _ in range(runs)])
        report("installed: polc eval --json, warm cache", [timed(installed + EVAL + ["--json"], env)
                                                          for _ in range(runs)])
        report("installed: polc eval (table), warm cache", [timed(installed + EVAL, env) for _ in range(runs)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
