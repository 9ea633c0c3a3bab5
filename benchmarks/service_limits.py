"""Benchmark: the time limit is a real stop, and a slow query does not delay fast ones.

Starts ``dipkg serve`` on the built graph (``--data``, default build/) with a time limit, then,
side by side in one run: the latency of a fast query on an idle service; the same while a
query that would run for minutes (a triple cross join under COUNT) occupies a worker; when the
slow query is answered (503) against its limit; and that the service still answers afterwards.

usage: python benchmarks/service_limits.py [--data build] [--limit 5] [--fast 20]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT ?l WHERE { <https://w3id.org/dipkg/id/Shinzo_Abe> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fast_latencies(url: str, n: int) -> list[float]:
    out = []
    with httpx.Client(timeout=30) as client:
        for _ in range(n):
            started = time.perf_counter()
            client.get(url, params={"query": FAST}).raise_for_status()
            out.append(time.perf_counter() - started)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("build"))
    ap.add_argument("--limit", type=float, default=5.0)
    ap.add_argument("--fast", type=int, default=20)
    args = ap.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--data", str(args.data), "--port",
                               str(port), "--query-timeout", str(args.limit), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        idle = fast_latencies(url, args.fast)
        slow_result: dict[str, float | int] = {}

        def run_slow() -> None:
            started = time.perf_counter()
            response = httpx.get(url, params={"query": SLOW}, timeout=args.limit + 60)
            slow_result.update(status=response.status_code, seconds=time.perf_counter() - started)

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.5)
        busy = fast_latencies(url, args.fast)
        thread.join()
        after = fast_latencies(url, 3)
        print(f"fast query, idle service:          median {1000 * statistics.median(idle):.1f} ms")
        print(f"fast query, while a slow one runs: median {1000 * statistics.median(busy):.1f} ms "
              f"(ratio {statistics.median(busy) / statistics.median(idle):.2f})")
        print(f"slow query: HTTP {slow_result['status']} after {slow_result['seconds']:.2f} s "
              f"(limit {args.limit:g} s, overshoot {slow_result['seconds'] - args.limit:.2f} s)")
        print(f"after the stop: fast query median {1000 * statistics.median(after):.1f} ms")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
