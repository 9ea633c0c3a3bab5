"""Stage 9: the store — the published dataset as a pyoxigraph (RocksDB) store, written once by
``dipkg build`` (or ``dipkg load``) into the release folder, so a service opens it read-only in
milliseconds instead of parsing N-Quads at every start.

The store holds every quad of the dataset, plus each asserted triple once more in the store's
real default graph: the RDF merge of the graphs, a *set*.  pyoxigraph's own union of named graphs
is a bag — a triple stated by two articles counts twice (oxigraph issue 1919) — so set semantics
need the merge materialized.  The inferred graph stays a named graph of its own: with inference
on, a query's default graph is [merge, inferred graph], which is a set only if the two are
disjoint; that is checked here, in the store (whose literal normalization could make two
published terms one), and where they overlap the inferred triples beyond the asserted ones go
into a graph named by a blank node, which no ``FROM`` can name and ``GRAPH ?g`` never lists.

``store-info.json`` beside the store says what it holds (quads, graphs, where the inferred
triples are), so opening it needs no scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dipkg.graph.namespace import INFERRED_GRAPH

STORE = "store"
INFO = "store-info.json"
#: Quads handed to the bulk loader at a time: one ``bulk_extend`` of a whole build holds it all in
#: memory (725 MiB at 500k quads); chunks of this size keep the load near 100 MiB at any size
#: and take about as long (benchmarks/default_graph.py).
LOAD_CHUNK = 50_000
#: The label of the hidden graph used only when the inferred graph repeats asserted triples.
HIDDEN_INFERRED = "dipkg-inferred-beyond-asserted"


def with_asserted_merge(nquads: Path) -> Iterator[ox.Quad]:
    """Each quad of a build, and each asserted triple again in the default graph: one pass over
    the file, and the store, a set of quads, keeps a triple stated by many graphs once."""
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    default = ox.DefaultGraph()
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        yield quad
        if quad.graph_name != inferred:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


def place_inferred(store: ox.Store, graphs: list[str]) -> str | None:
    """Where the inferred triples that are not asserted are, so that the default graph with
    inference is two disjoint graphs: the inferred graph itself if no triple of it is asserted
    (checked, not assumed), else a hidden copy of the rest of it."""
    if str(INFERRED_GRAPH) not in graphs:
        return None
    overlap = f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} ?s ?p ?o }}"
    if not bool(store.query(overlap)):
        return str(INFERRED_GRAPH)
    hidden = ox.BlankNode(HIDDEN_INFERRED)
    beyond = f"SELECT ?s ?p ?o {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}"
    rows = [(r["s"], r["p"], r["o"]) for r in store.query(beyond)]  # type: ignore[union-attr]
    store.bulk_extend(ox.Quad(s, p, o, hidden) for s, p, o in rows)
    return f"_:{HIDDEN_INFERRED}"


def fill(store: ox.Store, nquads: Path) -> dict[str, Any]:
    """Load a build's N-Quads into ``store`` with the asserted merge; what it now holds."""
    quads = with_asserted_merge(nquads)
    while chunk := list(islice(quads, LOAD_CHUNK)):
        store.bulk_extend(chunk)
    store.flush()
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    inferred_extra = place_inferred(store, graphs)
    store.flush()
    return {"graphs": graphs, "inferred_extra": inferred_extra, "quads": len(store)}


def write_store(folder: Path) -> dict[str, Any]:
    """Write ``folder/store`` from ``folder/dipkg.nq`` and ``folder/store-info.json`` describing it."""
    store = ox.Store(str(folder / STORE))
    info = fill(store, folder / "dipkg.nq")
    store.optimize()
    del store  # closes the database before the folder is renamed into place
    # the size of every file the service hands out, so that it can refuse a release whose files
    # were cut short or changed after publishing (a stat each, at every open: no re-reading)
    info["files"] = {p.name: p.stat().st_size for p in sorted(folder.iterdir())
                     if p.is_file() and p.name != INFO and not p.name.startswith(".")}
    (folder / INFO).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return info


def read_info(folder: Path) -> dict[str, Any] | None:
    """What a release's store holds, or None when the release has no (complete) store."""
    try:
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not (folder / STORE).is_dir() or not isinstance(info.get("graphs"), list):
        return None
    return info
