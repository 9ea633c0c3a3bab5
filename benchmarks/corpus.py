"""Benchmark corpora in dipkg's shape: a built dataset replicated to a target number of quads.

The entities and the ontology are kept once (they are shared, as in a real corpus); the article
graphs and the inferred graph are copied.  Most copies rename every article-local resource
(the article, its spans, its facts), so the graph grows as if new articles stated new facts;
every fourth copy renames only the article and its spans and keeps the fact IRIs, so the same
facts gain sources in several article graphs, as real corpora do — which is what makes the
union default graph differ from a set and exercises set semantics at scale.

usage: python benchmarks/corpus.py --from build/dipkg.nq --quads 1000000 --out /tmp/bench-1m.nq
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

ID = "https://w3id.org/dipkg/id/"
SHARED_GRAPHS = ("https://w3id.org/dipkg/graph/entities", "https://w3id.org/dipkg/graph/ontology")
INFERRED = "https://w3id.org/dipkg/graph/inferred"


def _local_resources(quads: list[ox.Quad]) -> tuple[set[str], set[str]]:
    """IRIs that belong to one article (not entities): all of them, and the article/span ones."""
    entities = {q.subject.value for q in quads
                if q.graph_name.value in SHARED_GRAPHS and isinstance(q.subject, ox.NamedNode)}
    local: set[str] = set()
    for q in quads:
        if q.graph_name.value in SHARED_GRAPHS:
            continue
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(ID) and term.value not in entities:
                local.add(term.value)
    sources = {iri for iri in local if iri.startswith((ID + "article-", ID + "span-"))}
    return local, sources


def _renamer(renamed: set[str], suffix: str):  # type: ignore[no-untyped-def]
    cache: dict[str, ox.NamedNode] = {}

    def term(t):  # type: ignore[no-untyped-def]
        if isinstance(t, ox.NamedNode) and t.value in renamed:
            node = cache.get(t.value)
            if node is None:
                node = cache[t.value] = ox.NamedNode(t.value + suffix)
            return node
        return t

    return term


def replicate(source: Path, target_quads: int, out: Path) -> int:
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS))
    shared = [q for q in quads if q.graph_name.value in SHARED_GRAPHS]
    varying = [q for q in quads if q.graph_name.value not in SHARED_GRAPHS]
    local, sources = _local_resources(quads)
    written = 0
    with out.open("wb") as handle:
        ox.serialize(shared, handle, format=ox.RdfFormat.N_QUADS)
        written += len(shared)
        copy = 0
        while written < target_quads:
            renamed = sources if copy % 4 == 3 else local
            term = _renamer(renamed, f"-c{copy}")
            batch = []
            for q in varying:
                subject, obj = q.subject, q.object
                if copy and q.graph_name.value == INFERRED and not (
                        subject.value in renamed or (isinstance(obj, ox.NamedNode) and obj.value in renamed)):
                    continue  # an inferred triple about entities only: the first copy has it
                batch.append(ox.Quad(term(subject), q.predicate, term(obj), term(q.graph_name)))
            ox.serialize(batch, handle, format=ox.RdfFormat.N_QUADS)
            written += len(batch)
            copy += 1
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, default=Path("build/dipkg.nq"))
    ap.add_argument("--quads", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    written = replicate(args.source, args.quads, args.out)
    print(f"{args.out}: {written} quads", file=sys.stderr)


if __name__ == "__main__":
    main()
