"""Benchmark: the time limit is a real stop, and a slow query does not delay fast ones.

Starts ``dipkg serve`` on the built graph (``--data``, default build/) with a time limit, then,
side by side in one run: the latency of a fast query on an idle service; the same while a
query that would run for minutes (a triple cross join under COUNT) occupies a worker; when the
slow query is answered (503) against its limit; and that the service still answers afterwards.

usage: python benchmarks/service_limits.py [--data build] [--limit 5] [--fast 20]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

import httpx
from serving import start_dipkg, stop

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT ?l WHERE { <https://w3id.org/dipkg/id/Shinzo_Abe> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


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
    server, base = start_dipkg(["--data", str(args.data), "--query-timeout", str(args.limit), "--workers", "2"])
    url = f"{base}/sparql"
    try:
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
        stop(server)


if __name__ == "__main__":
    main()
