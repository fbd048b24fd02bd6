"""Time ``polc verify`` on the Minhang policy with its example 细则 (target: under a minute).

Runs the command itself (a fresh process, as a drafter would), when both files
exist and check without errors; prints the time, the number of properties proved
and those not proved. Run: python bench/bench_verify.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from compiler.semantics.check import check

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "minhang_2024.pol"
RULES = ROOT / "policies" / "minhang_2024_示例细则.pol"
TARGET = 60.0


def main() -> int:
    if not POLICY.exists() or not RULES.exists():
        print(f"跳过：{POLICY.name} 或 {RULES.name} 不存在")
        return 0
    result = check(POLICY, rules=RULES)
    if not result.ok:
        print(f"跳过：{POLICY.name} 与细则有 {len(result.errors)} 个错误")
        return 0
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "compiler.cli", "verify", str(POLICY), "--rules", str(RULES), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    report = json.loads(run.stdout)
    print(f"polc verify {POLICY.name} --rules {RULES.name}：{elapsed:.1f} 秒（目标 {TARGET:.0f} 秒以内）")
    print(f"证明 {report['已证明']} / {report['性质数']} 条性质")
    for p in report["性质"]:
        if p["结果"] != "已证明":
            print(f"  {p['结果']}  {p['条款']}  {p['性质']}：{p['说明']}")
    return 0 if elapsed < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
