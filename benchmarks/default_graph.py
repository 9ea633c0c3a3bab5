"""Benchmark: what the set default graph costs, against the engine's union (a bag) it replaced.

``server.dataset`` stores the merge of the asserted graphs as the store's default graph, so that
a triple stated by several graphs is one triple (pyoxigraph's ``use_default_graph_as_union``
counts it once per graph).  This measures, on a build's ``dipkg.nq`` and on that file replicated
``--copies`` times (each copy's facts, spans and graphs renamed, entities shared, so the copies
repeat each other's entity and ontology triples), for both designs:

- load time, store size on disk, and the peak memory of the process that loads (each load runs
  in a fresh process; the peak of a process that only imports the same modules is subtracted);
- the median time of a few queries over the default graph, with and without inference;
- the per-query merge of several ``default-graph-uri`` graphs (a copy into memory).

"union" is the design before (bulk load, union default graph: wrong counts, shown for the cost);
"merge" is ``server.dataset.load_dataset``.

usage: python benchmarks/default_graph.py [--data build] [--copies 17] [--repeat 5]
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dipkg.graph.namespace import ID_IRI, INFERRED_GRAPH
from dipkg.server.config import Settings
from dipkg.server.dataset import load_dataset
from dipkg.server.worker import merged

DIP = "https://w3id.org/dipkg/ontology#"
QUERIES = {
    "COUNT(*)": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "meetings by date, LIMIT 8": f"SELECT ?m ?d WHERE {{ ?m a <{DIP}Meeting> OPTIONAL {{ ?m <{DIP}date> ?d }} }} "
                                 "ORDER BY ?d ?m LIMIT 8",
    "class partition": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "labels of participants": f"SELECT ?m ?l WHERE {{ ?m <{DIP}participant> ?p . ?p "
                              "<http://www.w3.org/2000/01/rdf-schema#label> ?l }",
}
_FACT = re.compile("^(article|meeting|name|position|quote|sanction|span|statement)-")


def replicate(source: Path, copies: int, out: Path) -> int:
    """``copies`` renamed copies of a build's N-Quads (the first as it is); the quad count."""
    inferred = str(INFERRED_GRAPH)

    def rename(term: Any, k: int) -> Any:
        if k and isinstance(term, ox.NamedNode) and term.value.startswith(ID_IRI) \
                and _FACT.match(term.value[len(ID_IRI):]):
            return ox.NamedNode(f"{term.value}-r{k}")
        return term

    def quads() -> Iterator[ox.Quad]:
        for k in range(copies):
            for q in ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS):
                graph = q.graph_name
                if k and isinstance(graph, ox.NamedNode) and graph.value != inferred:
                    graph = ox.NamedNode(f"{graph.value}-r{k}")
                yield ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k), graph)

    data = list(quads())
    out.mkdir(parents=True, exist_ok=True)
    ox.serialize(data, output=str(out / "dipkg.nq"), format=ox.RdfFormat.N_QUADS)
    return len(data)


def _peak_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _load(design: str, data: Path, conn: Connection) -> None:
    """In a fresh process: load one way; send back seconds, store bytes, peak memory, store dir."""
    baseline = _peak_kib()
    started = time.perf_counter()
    if design == "nothing":
        conn.send((0.0, 0, baseline, ""))
        return
    if design == "merge":
        store_dir = str(load_dataset(Settings(data_dir=data)).store_dir)
    else:
        store_dir = tempfile.mkdtemp(prefix="dipkg-bench-")
        store = ox.Store(store_dir)
        store.bulk_load(path=str(data / "dipkg.nq"), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in Path(store_dir).rglob("*") if p.is_file())
    conn.send((seconds, size, _peak_kib(), store_dir))


def load_in_child(design: str, data: Path) -> tuple[float, int, int, str]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_load, args=(design, data, child))
    process.start()
    result: tuple[float, int, int, str] = parent.recv()
    process.join()
    return result


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(label: str, data: Path, repeat: int) -> None:
    base = load_in_child("nothing", data)[2]
    loads = {design: load_in_child(design, data) for design in ("union", "merge")}
    quads = sum(1 for _ in ox.parse(path=str(data / "dipkg.nq"), format=ox.RdfFormat.N_QUADS))
    print(f"\n## {label}: {quads:,} quads")
    print("| design | load | store on disk | load peak memory (over imports) |\n|---|---|---|---|")
    for design, (seconds, size, peak, _) in loads.items():
        print(f"| {design} | {seconds:.2f} s | {size / 2**20:.1f} MiB | {(peak - base) / 1024:.0f} MiB |")
    compare_queries(loads["union"][3], loads["merge"][3], repeat)
    for _, _, _, store_dir in loads.values():
        shutil.rmtree(store_dir, ignore_errors=True)


def query_ms(store: ox.Store, query: str, repeat: int, **options: Any) -> float:
    def run() -> object:
        result = store.query(query, **options)
        return bool(result) if isinstance(result, ox.QueryBoolean) else list(result)
    return median_ms(run, repeat)


def compare_queries(union_dir: str, merge_dir: str, repeat: int) -> None:
    union, merge = ox.Store.read_only(union_dir), ox.Store.read_only(merge_dir)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    asserted = [g for g in union.named_graphs() if g != inferred]
    print("| query | union | merge | union, inferred=false | merge, inferred=false |\n|---|---|---|---|---|")
    for name, query in QUERIES.items():
        cells = [query_ms(union, query, repeat, use_default_graph_as_union=True),
                 query_ms(merge, query, repeat, default_graph=[ox.DefaultGraph(), inferred]),
                 query_ms(union, query, repeat, default_graph=asserted),
                 query_ms(merge, query, repeat)]
        print(f"| {name} | " + " | ".join(f"{c:.1f} ms" for c in cells) + " |")
    articles = [g.value for g in asserted if isinstance(g, ox.NamedNode) and "/id/article-" in g.value]
    for n in (2, len(articles)):
        ms = median_ms(lambda: merged(merge, articles[:n], []), repeat)  # noqa: B023 (run at once)
        print(f"per-query merge of {n} article graphs (default-graph-uri x{n}): {ms:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("build"), help="a dipkg build folder")
    parser.add_argument("--copies", type=int, default=17)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    measure(f"{args.data}/dipkg.nq", args.data, args.repeat)
    with tempfile.TemporaryDirectory(prefix="dipkg-bench-data-") as tmp:
        replicate(args.data / "dipkg.nq", args.copies, Path(tmp))
        measure(f"{args.data}/dipkg.nq x{args.copies}", Path(tmp), args.repeat)


if __name__ == "__main__":
    main()
