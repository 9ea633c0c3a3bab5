"""Benchmark: dipkg serve against the peer servers, side by side in one run, on the same data.

For each size (quads of a corpus made by ``benchmarks/corpus.py`` from the seed build) it
starts each server on 127.0.0.1 — ``dipkg serve``, ``oxigraph serve-read-only
--union-default-graph`` (PyPI ``oxigraph``) and ``rdflib-endpoint`` (PyPI ``rdflib-endpoint``),
each where installed — measures its cold start (process start to first answer) and its memory
at rest (RSS of its process tree), then runs the query mix at each concurrency in interleaved
rounds (every server gets a slot of each round, so a noisy neighbour on the shared 2-core
machine hurts all alike).  The load is bounded: a fixed number of seconds per cell, 127.0.0.1 only.

Results: ``benchmarks/results/peers.json`` and a Markdown table ``benchmarks/results/peers.md``
(req/s, p50, p99, errors per query × concurrency × server, and dipkg's ratios to each peer).

usage: python benchmarks/peers.py [--sizes 100000,1000000] [--concurrency 1,8,32] [--seconds 5]
       [--rounds 2] [--servers dipkg,oxigraph,rdflib-endpoint] [--smoke]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "benchmarks"))
from serving import free_port  # noqa: E402

P = """PREFIX dip: <https://w3id.org/dipkg/ontology#> PREFIX id: <https://w3id.org/dipkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""
QUERIES = {
    "point lookup": P + "SELECT ?label WHERE { id:Shinzo_Abe rdfs:label ?label }",
    "3-pattern join": P + """SELECT ?m ?date ?sentence WHERE { ?m dip:participant id:Vladimir_Putin ;
        prov:wasDerivedFrom ?span . ?span nif:anchorOf ?sentence . OPTIONAL { ?m dip:date ?date } }""",
    "aggregate": P + "SELECT ?status (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a dip:Meeting ; dip:status ?status } "
                     "GROUP BY ?status",
    "property path": P + "SELECT ?place ?region WHERE { ?place dip:locatedIn+ ?region }",
    "DESCRIBE": P + "DESCRIBE id:Shinzo_Abe",
}


def _examples() -> dict[str, str]:
    return {f"example {p.stem[:2]}": p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.rq"))}


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(stat[1]), []).append(int(entry))
            except OSError:
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    path: str
    process: subprocess.Popen[bytes] | None = None
    cold_start: float = 0.0
    rss: int = 0
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="peer-", suffix=".log")[1]))

    def start(self, timeout: float = 600) -> None:
        started = time.perf_counter()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True, cwd=ROOT)
        probe = P + "ASK { ?s ?p ?o }"
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                status, _ = request(self.port, self.path, probe, timeout=5)
                if status == 200:
                    self.cold_start = time.perf_counter() - started
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(port: int, path: str, query: str, timeout: float = 60,
            connection: http.client.HTTPConnection | None = None) -> tuple[int, int]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    body = urllib.parse.urlencode({"query": query})
    accept = "text/turtle" if query.lstrip().split("\n")[-1].lstrip().upper().startswith("DESCRIBE") \
        else "application/sparql-results+json"
    conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                   "Accept": accept})
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response.status, len(data)


def run_cell(server: Server, query: str, concurrency: int, seconds: float) -> dict[str, float]:
    """``concurrency`` keep-alive clients send ``query`` for ``seconds``: req/s, p50, p99, errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _ = request(server.port, server.path, query, connection=conn)
                if status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": errors[0],
            "p50_ms": 1000 * statistics.median(ordered),
            "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]}


def make_servers(nq: Path, work: Path, wanted: list[str], baseline: Path | None = None) -> list[Server]:
    servers = []
    if "dipkg" in wanted:
        data = work / "dipkg-data"
        if not data.exists():  # a servable folder with its store, as dipkg build writes one
            subprocess.run([str(BIN / "dipkg"), "load", str(nq), "--out", str(data)], check=True,
                           capture_output=True)
        serve = ["serve", "--data", str(data), "--host", "127.0.0.1", "--query-timeout", "30"]
        port = free_port()
        servers.append(Server("dipkg", [str(BIN / "dipkg"), *serve, "--port", str(port)], port, "/sparql"))
        if baseline is not None:  # an older checkout's dipkg (its own code, this venv), for before/after
            port = free_port()
            servers.append(Server("dipkg-before", ["/usr/bin/env", "-C", str(baseline), sys.executable, "-m",
                                                   "dipkg", *serve, "--port", str(port)], port, "/sparql"))
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if "oxigraph" in wanted and oxigraph:
        location = work / "oxigraph-store"
        if not location.exists():
            subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(nq)],
                           check=True, capture_output=True)
        port = free_port()
        servers.append(Server("oxigraph", [oxigraph, "serve-read-only", "--location", str(location),
                                           "--union-default-graph", "--bind", f"127.0.0.1:{port}"],
                              port, "/query"))
    endpoint = shutil.which("rdflib-endpoint", path=str(BIN)) or shutil.which("rdflib-endpoint")
    if "rdflib-endpoint" in wanted and endpoint:
        port = free_port()
        servers.append(Server("rdflib-endpoint", [endpoint, "serve", str(nq), "--host", "127.0.0.1",
                                                  "--port", str(port)], port, "/"))
    return servers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--servers", default="dipkg,oxigraph,rdflib-endpoint")
    ap.add_argument("--source", type=Path, default=ROOT / "build" / "dipkg.nq")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes and cells: checks the harness works")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--queries", default="", help="only these queries (comma-separated names, e.g. "
                    "'point lookup,aggregate'); default all")
    ap.add_argument("--baseline", type=Path, default=None, help="also serve with the dipkg of this checkout "
                    "(e.g. one `git worktree add` or `git archive` made), as dipkg-before, for a before/after run")
    args = ap.parse_args()
    if args.smoke:  # tiny sizes and cells, unless given
        args.sizes, args.rounds = "20000", 1
        args.concurrency = args.concurrency if args.concurrency != "1,8,32" else "1,4"
        args.seconds = min(args.seconds, 0.5)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import replicate

    queries = {**QUERIES, **_examples()}
    if args.queries:
        wanted_queries = [q.strip() for q in args.queries.split(",")]
        unknown = [q for q in wanted_queries if q not in queries]
        if unknown:
            ap.error(f"unknown queries {unknown}; known: {', '.join(queries)}")
        queries = {q: queries[q] for q in wanted_queries}
    report: dict[str, object] = {"machine": {"cpus": os.cpu_count()}, "sizes": {}}
    work_root = Path(tempfile.mkdtemp(prefix="dipkg-peers-"))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            work = work_root / str(size)
            work.mkdir()
            nq = work / "corpus.nq"
            quads = replicate(args.source, size, nq)
            servers = make_servers(nq, work, args.servers.split(","), args.baseline)
            cells: dict[str, dict[str, dict[str, list[dict[str, float]]]]] = {}
            started_servers: dict[str, dict[str, float]] = {}
            try:
                for server in servers:
                    server.start()
                    time.sleep(0.5)
                    started_servers[server.name] = {"cold_start_s": server.cold_start}
                    print(f"[{size}] {server.name}: answered after {server.cold_start:.2f} s", file=sys.stderr)
                for query in queries.values():  # warm-up and RSS at rest (a peer too slow for a query
                    for server in servers:        # shows it as errors in its cells)
                        with contextlib.suppress(OSError, http.client.HTTPException):
                            request(server.port, server.path, query, timeout=30)
                for server in servers:
                    assert server.process is not None
                    started_servers[server.name]["rss_mib"] = tree_rss(server.process.pid) / 2**20
                for round_number in range(args.rounds):
                    for name, query in queries.items():
                        for c in (int(x) for x in args.concurrency.split(",")):
                            for server in servers:
                                cell = run_cell(server, query, c, args.seconds)
                                cells.setdefault(name, {}).setdefault(str(c), {}).setdefault(
                                    server.name, []).append(cell)
                                print(f"[{size} r{round_number}] {name} c={c} {server.name}: "
                                      f"{cell['rps']:.0f} req/s p99 {cell['p99_ms']:.1f} ms "
                                      f"errors {cell['errors']}", file=sys.stderr)
            finally:
                for server in servers:
                    server.stop()
            report["sizes"][str(size)] = {"quads": quads, "servers": started_servers,  # type: ignore[index]
                                          "cells": cells}
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "peers.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (args.out / "peers.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


def _merge(runs: list[dict[str, float]]) -> dict[str, float]:
    """Rounds of one cell combined: total requests over total time; the worse p50/p99."""
    return {"rps": statistics.mean(r["rps"] for r in runs), "p50_ms": max(r["p50_ms"] for r in runs),
            "p99_ms": max(r["p99_ms"] for r in runs), "errors": sum(r["errors"] for r in runs)}


def markdown(report: dict[str, object]) -> str:
    lines: list[str] = []
    for data in report["sizes"].values():  # type: ignore[attr-defined]
        lines.append(f"\n### {int(data['quads']):,} quads\n")
        lines.append("| server | cold start | RSS at rest |\n|---|---|---|")
        for name, facts in data["servers"].items():
            lines.append(f"| {name} | {facts['cold_start_s']:.2f} s | {facts.get('rss_mib', 0):.0f} MiB |")
        lines.append("")
        names = list(data["servers"])
        head = "| query | c | " + " | ".join(f"{n} req/s (p50 / p99 ms, errors)" for n in names)
        peers = [n for n in names if n != "dipkg"]
        head += "".join(f" | dipkg ÷ {p}" for p in peers) + " |"
        lines.append(head)
        lines.append("|" + "---|" * (2 + len(names) + len(peers)))
        for query, by_c in data["cells"].items():
            for c, by_server in by_c.items():
                merged = {n: _merge(runs) for n, runs in by_server.items()}
                row = f"| {query} | {c} | " + " | ".join(
                    f"{m['rps']:.0f} ({m['p50_ms']:.1f} / {m['p99_ms']:.1f}, {m['errors']:.0f})"
                    for m in merged.values())
                for p in peers:
                    ratio = merged["dipkg"]["rps"] / merged[p]["rps"] if "dipkg" in merged and merged[p]["rps"] else 0
                    row += f" | {ratio:.2f}"
                lines.append(row + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
