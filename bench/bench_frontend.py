"""Front-end throughput: parse and check the Minhang policy and a synthetic policy 100 times its size.

Prints time per kilobyte for both and their ratio; a ratio near 1 means the
front end grows linearly with the size of a policy. Run: python bench/bench_frontend.py
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from compiler.semantics.check import check
from compiler.syntax.parser import lark_parser

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "minhang_2024.pol"
SOURCE = ROOT / "policies" / "minhang_2024.txt"


def synthetic(articles: int) -> str:
    """A policy of ``articles`` articles, each item quoting a sentence of the Minhang text."""
    sentences = [s for s in re.split(r"(?<=[。;])", SOURCE.read_text(encoding="utf-8")) if 8 < len(s.strip()) < 200
                 and "「" not in s]
    out = ['政策「合成政策」', '原文文件「minhang_2024.txt」', '施行 自 2025-01-01 起，试行一年', '引用「企业」、「认定」',
           '参数「合成比例」：比例，范围 0% 至 100%，取值 10%', '参数「合成上限」：金额，取值 100万元']
    for k in range(1, articles + 1):
        quote = sentences[k % len(sentences)].strip()
        out += [f"第{k}条「合成条{k}」", f"  原文「{quote}」", f"  款「研发支持{k}」", f"    原文「{quote}」",
                "    条件 「符合产业导向」 且 「研发费用」 不低于 100万元 且 （「房地产企业」除外）",
                "    经综合评定", "    给予 按「研发费用」的「合成比例」", "    上限「合成上限」", "    频次 每年",
                f"  款「分档支持{k}」", f"    原文「{quote}」", "    给予 分档「工业总产值」",
                "      档 达到 1亿元 且 低于 5亿元：20万元", "      档 达到 5亿元：50万元"]
    return "\n".join(out) + "\n"


def measure(path: Path, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = check(path, text=text)
        best = min(best, time.perf_counter() - start)
    if not result.ok:
        sys.exit(f"{path} has errors: {result.errors[:3]}")
    return best


def main() -> None:
    lark_parser()  # build (or load the cached) parser outside the timings
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(SOURCE, Path(tmp) / SOURCE.name)
        per_article = len(synthetic(2)) - len(synthetic(1))
        rows = []
        if POLICY.exists() and check(POLICY).ok:
            text = POLICY.read_text(encoding="utf-8")
            rows.append(("minhang_2024.pol", text, measure(Path(tmp) / "minhang.pol", text, repeat=5)))
            size = len(text)
        else:
            size = 60 * per_article
        small = synthetic(max(1, round(size / per_article)))
        large = synthetic(max(1, round(100 * size / per_article)))
        rows.append(("synthetic, same size", small, measure(Path(tmp) / "small.pol", small, repeat=5)))
        rows.append(("synthetic, 100 times", large, measure(Path(tmp) / "large.pol", large, repeat=1)))
    for name, text, seconds in rows:
        kb = len(text.encode()) / 1024
        print(f"{name:22} {kb:>10,.0f} KB {seconds:>9.3f} s {seconds / kb * 1000:>7.2f} ms/KB")
    (_, small_text, small_s), (_, large_text, large_s) = rows[-2:]
    ratio = (large_s / len(large_text)) / (small_s / len(small_text))
    print(f"time per KB, 100 times larger / same size: {ratio:.2f} (1.00 is linear)")


if __name__ == "__main__":
    main()
