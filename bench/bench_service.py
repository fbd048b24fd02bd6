"""A bounded load against a local ``polc serve``: requests per second and p50/p99 latency.

Starts ``polc serve`` (Minhang with its example 细则) on 127.0.0.1 on a free port, sends N
requests (default 2,000) from C concurrent clients (default 8) to POST /policies/minhang_2024/evaluate
(compact result), then N to POST /match, then stops the server. The bodies cycle through
examples/*.json. Loopback only: nothing leaves the machine.
Run: python bench/bench_service.py [--requests N] [--concurrency C] [--workers W] [--detail full|results]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BODIES = [p.read_bytes() for p in sorted((ROOT / "examples").glob("*.json"))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, workers: int, cache: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "serve", "policies/minhang_2024.pol", "--rules",
         "policies/minhang_2024_示例细则.pol", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env={**os.environ, "POLC_CACHE_DIR": cache}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("polc serve did not start")


async def load(url: str, total: int, concurrency: int, params: dict) -> tuple[float, list[float]]:
    latencies: list[float] = []
    counter = iter(range(total))

    async def client(http: httpx.AsyncClient) -> None:
        for i in counter:
            start = time.perf_counter()
            response = await http.post(url, content=BODIES[i % len(BODIES)], params=params)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:200]}")

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        begin = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        return time.perf_counter() - begin, latencies


def report(label: str, elapsed: float, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    print(f"{label:<10} {len(latencies)} requests in {elapsed:6.1f} s: {len(latencies) / elapsed:7.1f} req/s, "
          f"p50 {p(0.50):6.1f} ms, p99 {p(0.99):6.1f} ms, mean {statistics.mean(latencies) * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--detail", choices=("compact", "full", "results"), default="compact")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="polc-bench-") as cache:
        server = start(port, args.workers, cache)
        try:
            base = f"http://127.0.0.1:{port}"
            params = {"date": "2025-06-01", "detail": args.detail}
            print(f"polc serve, {args.workers} worker(s), {args.concurrency} concurrent clients, detail={args.detail}")
            report("/evaluate", *asyncio.run(load(f"{base}/policies/minhang_2024/evaluate", args.requests,
                                                   args.concurrency, params)))
            report("/match", *asyncio.run(load(f"{base}/match", args.requests, args.concurrency, params)))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
