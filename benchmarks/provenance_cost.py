"""What per-answer provenance costs: each query timed with and without ``provenance=true``.

Starts ``dipkg serve`` on a build (``--data``, default build/; a folder holding the dipkg.nq of
benchmarks/corpus.py output works too), then times the README example queries (examples/*.rq)
and a three-pattern join, each the median of N runs over HTTP on 127.0.0.1, and prints the time
with provenance over the time without it.  Issue 9's goal is a ratio of at most 2.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import httpx
from serving import start_dipkg, stop

ROOT = Path(__file__).resolve().parents[1]
JOIN = """PREFIX dip: <https://w3id.org/dipkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?m ?p ?d WHERE { ?m a dip:Meeting ; dip:participant ?p ; prov:wasDerivedFrom ?d }"""


def median_seconds(client: httpx.Client, url: str, query: str, provenance: bool, n: int) -> float:
    """Median wall time of ``n`` requests (after one warm-up), each checked to have succeeded."""
    data = {"query": query, **({"provenance": "true"} if provenance else {})}
    headers = {"Accept": "application/sparql-results+json"}
    times = []
    for i in range(n + 1):
        start = time.perf_counter()
        response = client.post(url, data=data, headers=headers)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        if i:
            times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "build")
    parser.add_argument("-n", type=int, default=5, help="runs per query and mode (median)")
    args = parser.parse_args()
    queries = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.rq"))]
    queries.append(("3-pattern join", JOIN))
    server, base = start_dipkg(["--data", str(args.data)])
    try:
        with httpx.Client(timeout=120) as client:
            print(f"{'query':32} {'plain ms':>9} {'prov ms':>9} {'ratio':>6}")
            for name, query in queries:
                plain = median_seconds(client, f"{base}/sparql", query, False, args.n)
                traced = median_seconds(client, f"{base}/sparql", query, True, args.n)
                print(f"{name:32} {plain * 1000:9.1f} {traced * 1000:9.1f} {traced / plain:6.1f}")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
