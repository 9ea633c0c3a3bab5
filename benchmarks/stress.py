"""Stress: well-formed clients on the README query mix while attackers send time-limit queries,
byte bombs and deep nesting — does the service hold?

Starts ``dipkg serve`` on a build (127.0.0.1 only), measures the mix with one client (p99), then
the same ``--clients`` well-formed clients for ``--seconds`` without attackers (the p99 the
clients cause themselves: 64 closed-loop clients on 2 cores queue whatever the service does), then
again while ``--attackers`` clients send hostile queries, sampling ``/health`` and the service's
memory (RSS of its process tree) once a second.  Reports: well-formed requests, errors (any
non-200), p50/p99 against both baselines, /health misses, memory after warm-up and at the end,
and what the attackers got.  Bounded in count and time; it stops by itself.

usage: python benchmarks/stress.py [--data build] [--clients 64] [--attackers 4] [--seconds 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from peers import QUERIES, _examples, request, tree_rss  # noqa: E402
from serving import start_dipkg, stop  # noqa: E402

HOSTILE = {
    "cross join to the limit": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "byte bomb": "SELECT ?t ?u WHERE { ?a <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?t"
                 " . ?b <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?u }",
    "deep nesting": "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000,
    "regex catastrophe": 'SELECT ?o WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "(a+)+$") }',
}


def client(port: int, queries: list[str], deadline: float, out: list[tuple[float, int]], lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    mine: list[tuple[float, int]] = []
    i = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            status, _ = request(port, "/sparql", queries[i % len(queries)], connection=conn)
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine.append((time.perf_counter() - started, status))
        i += 1
    conn.close()
    with lock:
        out.extend(mine)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "build")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--attackers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--limit", type=float, default=5, help="the service's query time limit (s)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "stress.json")
    args = ap.parse_args()
    process, base = start_dipkg(["--data", str(args.data), "--query-timeout", str(args.limit)])
    port = int(base.rsplit(":", 1)[1])
    try:
        mix = [*QUERIES.values(), *_examples().values()]
        lock = threading.Lock()
        unloaded: list[tuple[float, int]] = []
        client(port, mix, time.perf_counter() + min(10.0, args.seconds / 4), unloaded, lock)
        base_p99 = sorted(d for d, _ in unloaded)[int(0.99 * (len(unloaded) - 1))]
        alone: list[tuple[float, int]] = []
        deadline = time.perf_counter() + args.seconds
        threads = [threading.Thread(target=client, args=(port, mix, deadline, alone, lock))
                   for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        alone_p99 = sorted(d for d, _ in alone)[int(0.99 * (len(alone) - 1))]
        good: list[tuple[float, int]] = []
        bad: list[tuple[float, int]] = []
        deadline = time.perf_counter() + args.seconds
        threads = [threading.Thread(target=client, args=(port, mix, deadline, good, lock)) for _ in range(args.clients)]
        threads += [threading.Thread(target=client, args=(port, [list(HOSTILE.values())[i % len(HOSTILE)]],
                                                          deadline, bad, lock)) for i in range(args.attackers)]
        for t in threads:
            t.start()
        health_miss, rss = 0, []
        while time.perf_counter() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status != 200:
                    health_miss += 1
            except OSError:
                health_miss += 1
            rss.append(tree_rss(process.pid) / 2**20)
            time.sleep(1)
        for t in threads:
            t.join()
        durations = sorted(d for d, _ in good) or [0.0]
        errors = sum(1 for _, status in good if status != 200)
        report = {
            "clients": args.clients, "attackers": args.attackers, "seconds": args.seconds,
            "well_formed_requests": len(good), "well_formed_errors": errors,
            "error_statuses": sorted({s for _, s in good if s != 200}),
            "unloaded_p99_ms": 1000 * base_p99,
            "no_attackers_requests": len(alone), "no_attackers_errors": sum(1 for _, st in alone if st != 200),
            "no_attackers_p99_ms": 1000 * alone_p99, "p50_ms": 1000 * statistics.median(durations),
            "p99_ms": 1000 * durations[int(0.99 * (len(durations) - 1))],
            "health_misses": health_miss, "rss_mib_after_warmup": rss[min(5, len(rss) - 1)] if rss else 0,
            "rss_mib_end": rss[-1] if rss else 0,
            "attacker_requests": len(bad), "attacker_statuses": sorted({s for _, s in bad}),
        }
        report["p99_ratio"] = report["p99_ms"] / max(report["unloaded_p99_ms"], 1e-9)
        report["p99_ratio_vs_no_attackers"] = report["p99_ms"] / max(report["no_attackers_p99_ms"], 1e-9)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(report, indent=1))
    finally:
        stop(process)


if __name__ == "__main__":
    main()
