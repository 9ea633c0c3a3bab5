"""What per-answer provenance costs: each query timed with and without ``provenance=true``.

Starts ``dipkg serve`` on a build (``--data``, default build/; a folder holding the dipkg.nq of
benchmarks/corpus.py output works too), then times the README example queries (examples/*.rq)
and a three-pattern join over HTTP on 127.0.0.1, and prints the median time without and with
provenance and their ratio.  Issue 9's goal is a ratio of at most 2.

The two requests of a query are sent in turns (plain, with provenance, plain, …) so that both
meet the same load on a shared machine; ``ratio`` is the median of the N per-turn ratios, which
moves much less than a ratio of two medians taken seconds apart.  ``min ratio`` is the fastest
request with provenance over the fastest plain one: on a busy machine, the closest to the cost on
an idle one.
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


def timed(client: httpx.Client, url: str, query: str, provenance: bool) -> float:
    """Wall time of one request, checked to have succeeded."""
    data = {"query": query, **({"provenance": "true"} if provenance else {})}
    start = time.perf_counter()
    response = client.post(url, data=data, headers={"Accept": "application/sparql-results+json"})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed


def paired(client: httpx.Client, url: str, query: str, n: int) -> tuple[float, float, float, float]:
    """Median plain time, median time with provenance, median ratio of ``n`` turns (after one
    warm-up turn), the two requests of each turn sent one after the other; and the ratio of the
    fastest of each."""
    plain, traced, ratios = [], [], []
    for i in range(n + 1):
        a = timed(client, url, query, False)
        b = timed(client, url, query, True)
        if i:
            plain.append(a)
            traced.append(b)
            ratios.append(b / a)
    return statistics.median(plain), statistics.median(traced), statistics.median(ratios), min(traced) / min(plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "build")
    parser.add_argument("-n", type=int, default=5, help="turns per query (medians)")
    args = parser.parse_args()
    queries = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.rq"))]
    queries.append(("3-pattern join", JOIN))
    server, base = start_dipkg(["--data", str(args.data)])
    try:
        with httpx.Client(timeout=120) as client:
            print(f"{'query':32} {'plain ms':>9} {'prov ms':>9} {'ratio':>6} {'min ratio':>9}")
            for name, query in queries:
                plain, traced, ratio, fastest = paired(client, f"{base}/sparql", query, args.n)
                print(f"{name:32} {plain * 1000:9.1f} {traced * 1000:9.1f} {ratio:6.1f} {fastest:9.1f}")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
