"""Benchmark: rdflib's SPARQL engine against pyoxigraph, side by side on the same data.

The data is synthetic but shaped like dipkg's: meetings with participants, dates and spans,
entities with labels.  Three queries: a 3-pattern join, an aggregate, and a regex filter.
Each is run ``--repeat`` times per engine after one warm-up; the median is reported with the
ratio rdflib / pyoxigraph.

usage: python benchmarks/query_engines.py [--triples 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS, XSD

DIP = Namespace("https://w3id.org/dipkg/ontology#")
ID = Namespace("https://w3id.org/dipkg/id/")
PROV = Namespace("http://www.w3.org/ns/prov#")

QUERIES = {
    "3-pattern join": """
        PREFIX dip: <https://w3id.org/dipkg/ontology#> PREFIX id: <https://w3id.org/dipkg/id/>
        SELECT ?m ?d WHERE { ?m dip:participant id:person-7 ; dip:participant id:person-11 ; dip:date ?d }""",
    "aggregate": """
        PREFIX dip: <https://w3id.org/dipkg/ontology#>
        SELECT ?p (COUNT(?m) AS ?n) WHERE { ?m dip:participant ?p } GROUP BY ?p ORDER BY DESC(?n) LIMIT 10""",
    "regex filter": """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?e ?l WHERE { ?e rdfs:label ?l FILTER(REGEX(?l, "^Person 7[0-9]*3$")) }""",
}


def synthetic(triples: int) -> Graph:
    g = Graph()
    people = 1000
    for i in range(people):
        g.add((ID[f"person-{i}"], RDFS.label, Literal(f"Person {i}")))
    i = 0
    while len(g) < triples:
        m = ID[f"meeting-{i}"]
        g.add((m, RDF.type, DIP.Meeting))
        for k in range(2):
            g.add((m, DIP.participant, ID[f"person-{(i * 7 + k * 4 + i // people) % people}"]))
        g.add((m, DIP.date, Literal(f"{2010 + i % 10}-0{1 + i % 9}-1{i % 9}", datatype=XSD.date)))
        g.add((m, PROV.wasDerivedFrom, ID[f"span-{i}"]))
        g.add((ID[f"span-{i}"], RDFS.label, Literal(f"sentence {i} of some article")))
        i += 1
    return g


def timed(run: object, repeat: int) -> float:
    assert callable(run)
    run()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    graph = synthetic(args.triples)
    store = ox.Store()
    store.bulk_extend(ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)),
                              ox.Literal(str(o), datatype=ox.NamedNode(str(o.datatype))) if isinstance(o, Literal)
                              and o.datatype else ox.Literal(str(o)) if isinstance(o, Literal)
                              else ox.NamedNode(str(o))) for s, p, o in graph)
    print(f"{len(graph)} triples; median of {args.repeat} runs after a warm-up")
    print(f"{'query':<16}{'rdflib':>12}{'pyoxigraph':>14}{'ratio':>10}")
    for name, query in QUERIES.items():
        slow = timed(lambda q=query: list(graph.query(q)), args.repeat)
        fast = timed(lambda q=query: list(store.query(q)), args.repeat)
        print(f"{name:<16}{1000 * slow:>10.1f}ms{1000 * fast:>12.1f}ms{slow / fast:>9.0f}x")


if __name__ == "__main__":
    main()
