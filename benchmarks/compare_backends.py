"""Serve one release twice — embedded, and ``--backend`` an external SPARQL endpoint it was pushed
to — and compare the answers: the README examples and the counts (set semantics).

    python benchmarks/compare_backends.py --data build --backend http://127.0.0.1:8890/sparql \
        [--backend-default-graph IRI]

Prints one line per query (same; ORDER: the same rows in another order; DIFFERS), with the row
counts and the first differing row, and exits 1 unless every answer is the same.
``benchmarks/virtuoso.sh`` runs it against Virtuoso; any other store works the same way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import ROOT, start_dipkg, stop

COUNTS = {
    "COUNT(*) default graph": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "COUNT(*) named graphs": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "triples per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
}


def bindings(base: str, query: str) -> tuple[int, list[dict[str, Any]] | str]:
    response = httpx.post(f"{base}/sparql", data={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=120)
    if response.status_code != 200:
        return response.status_code, response.text[:300]
    return 200, list(response.json()["results"]["bindings"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=ROOT / "build")
    p.add_argument("--backend", required=True)
    p.add_argument("--backend-default-graph")
    args = p.parse_args(argv)
    queries = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").glob("*.rq"))}
    queries.update(COUNTS)
    extra = ["--backend-default-graph", args.backend_default_graph] if args.backend_default_graph else []
    embedded, base = start_dipkg(["--data", str(args.data)])
    try:
        remote, remote_base = start_dipkg(["--data", str(args.data), "--backend", args.backend, *extra])
        try:
            differ = 0
            for name, query in queries.items():
                (s1, a), (s2, b) = bindings(base, query), bindings(remote_base, query)
                same = s1 == s2 == 200 and a == b
                # the same rows in another order: ties, or the store's own collation of strings
                reordered = (not same and isinstance(a, list) and isinstance(b, list)
                             and sorted(map(repr, a)) == sorted(map(repr, b)))
                differ += not same
                size = (len(a) if isinstance(a, list) else a, len(b) if isinstance(b, list) else b)
                verdict = "same   " if same else "ORDER  " if reordered else "DIFFERS"
                print(f"{verdict} {name}: embedded {s1} {size[0]} rows, backend {s2} {size[1]} rows")
                if not same and isinstance(a, list) and isinstance(b, list):
                    for row_a, row_b in zip(a, b, strict=False):
                        if row_a != row_b:
                            print(f"    first difference: {row_a} | {row_b}")
                            break
            print(f"{len(queries) - differ}/{len(queries)} queries answer the same")
            return 1 if differ else 0
        finally:
            stop(remote)
    finally:
        stop(embedded)


if __name__ == "__main__":
    sys.exit(main())
