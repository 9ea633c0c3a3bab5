"""The service description: the SPARQL Service Description and VoID statistics of the served
version (``GET /sparql`` without a query, ``/.well-known/void``).

The numbers — triples per graph and in the default graph (a set), class and property partitions
— are computed through the engine, so they honour the same limits as any query, once per served
version, and kept with it (retried after a while where a query failed). For a dipkg build the
described dataset is ``https://w3id.org/dipkg/dataset`` with the build's own description of it
(title, licence, sources, date, version: the metadata graph ``graph/metadata.py`` writes), its
dumps and the spans-only subset.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from fastapi import Request

from dipkg.graph.namespace import DATASET_IRI, METADATA_GRAPH
from dipkg.server.engine import QueryError, QueryRequest, Solutions
from dipkg.server.negotiation import ALL_FORMATS
from dipkg.server.versions import Service, service_of

log = logging.getLogger("dipkg.sparql")

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
DCT = "http://purl.org/dc/terms/"
DUMPS = ("dipkg.nq", "dipkg.trig", "dipkg.ttl", "dipkg.jsonld")
#: the dataset without the articles' full texts (graph/metadata.py says why)
SPANS_DUMP = "dipkg-spans.ttl"
STATS_RETRY_S = 300.0


@dataclass
class Statistics:
    """VoID numbers for the service description (missing where a query failed)."""

    graph_triples: dict[str, int] = field(default_factory=dict)
    default_triples: int | None = None
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    #: (predicate, object) of the dataset's own description (the build's metadata graph)
    metadata: list[tuple[str, Any]] = field(default_factory=list)
    computed: float = 0.0
    complete: bool = True


_STATS_LOCK = threading.Lock()

STATS_QUERIES = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    # the default graph is a set (server.dataset), so a plain count is its number of triples
    "default": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
    "properties": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p",
    # title, licence, sources, version, date: what graph/metadata.py wrote into the release
    "metadata": f"SELECT ?p ?o WHERE {{ GRAPH <{METADATA_GRAPH}> {{ <{DATASET_IRI}> ?p ?o }} }} ORDER BY ?p ?o",
}


def _pairs(result: Any) -> list[tuple[str, int]]:
    out = []
    if isinstance(result, Solutions):
        for row in result.rows:
            if len(row) == 2 and row[0] is not None and row[0][0] == "uri" and row[1] is not None:
                out.append((str(row[0][1]), int(row[1][1])))
    return out


def compute_statistics(service: Service) -> Statistics:
    """Run the VoID queries through the engine (same limits as any query); failures leave gaps."""
    stats = Statistics(computed=time.monotonic())
    for name, query in STATS_QUERIES.items():
        try:
            result = service.engine.execute(QueryRequest(query))
        except QueryError as err:
            log.warning("service description: the %s statistics query failed: %s", name, err.message)
            stats.complete = False
            continue
        # (a partition list cut by the row cap is kept as it is: the cap is the operator's choice)
        if name == "graphs":
            stats.graph_triples = dict(_pairs(result))
        elif name == "default" and isinstance(result, Solutions) and result.rows and result.rows[0][0]:
            stats.default_triples = int(result.rows[0][0][1])
        elif name == "classes":
            stats.classes = _pairs(result)
        elif name == "properties":
            stats.properties = _pairs(result)
        elif name == "metadata" and isinstance(result, Solutions):
            stats.metadata = [(str(row[0][1]), row[1]) for row in result.rows
                              if row[0] is not None and row[1] is not None and row[1][0] in ("uri", "literal")]
    return stats


def ox_term(term: Any) -> ox.NamedNode | ox.Literal:
    """An IRI or literal of a result row as a pyoxigraph term."""
    if term[0] == "uri":
        return ox.NamedNode(term[1])
    if len(term) > 3 and term[3]:
        return ox.Literal(term[1], language=term[3])
    return ox.Literal(term[1], datatype=ox.NamedNode(term[2]) if len(term) > 2 and term[2] else None)


def statistics(request: Request) -> Statistics:
    """The cached statistics of this app's dataset (computed on first use; retried if incomplete)."""
    state = service_of(request).state  # per version: a new release has its own statistics
    with _STATS_LOCK:
        cached: Statistics | None = getattr(state, "dipkg_sd_statistics", None)
        if cached is not None and (cached.complete or time.monotonic() - cached.computed < STATS_RETRY_S):
            return cached
        stats = compute_statistics(service_of(request))
        state.dipkg_sd_statistics = stats
        return stats


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD_INTEGER))


def description_triples(service: Service, stats: Statistics, endpoint: str, base: str) -> list[ox.Triple]:
    """The service description as triples (blank nodes with readable labels)."""
    triples: list[ox.Triple] = []
    a = ox.NamedNode(RDF_TYPE)

    def add(s: Any, p: str, o: Any) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p) if p != "a" else a, o))

    def node(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    sd_service, default = ox.BlankNode("service"), ox.BlankNode("defaultGraph")
    # a dipkg build names and describes its dataset; other data gets an anonymous one
    dataset: ox.NamedNode | ox.BlankNode = ox.NamedNode(DATASET_IRI) if stats.metadata else ox.BlankNode("dataset")
    add(sd_service, "a", node(SD + "Service"))
    add(sd_service, SD + "endpoint", node(endpoint))
    add(sd_service, SD + "supportedLanguage", node(SD + "SPARQL11Query"))
    for fmt in ALL_FORMATS:
        add(sd_service, SD + "resultFormat", node(fmt.iri))
    if not service.settings.files_mode:
        add(sd_service, SD + "feature", node(SD + "UnionDefaultGraph"))
    if service.settings.allow_service:
        add(sd_service, SD + "feature", node(SD + "BasicFederatedQuery"))
    add(sd_service, SD + "defaultDataset", dataset)
    add(dataset, "a", node(SD + "Dataset"))
    add(dataset, "a", node(VOID + "Dataset"))
    add(dataset, VOID + "sparqlEndpoint", node(endpoint))
    for predicate, value in stats.metadata:
        if predicate != RDF_TYPE or value[1] not in (SD + "Dataset", VOID + "Dataset"):
            add(dataset, predicate, ox_term(value))
    for name in DUMPS:
        add(dataset, VOID + "dataDump", node(f"{base}download/{name}"))
    spans = ox.BlankNode("withoutTexts")
    add(dataset, VOID + "subset", spans)
    add(spans, "a", node(VOID + "Dataset"))
    add(spans, DCT + "description", ox.Literal("the dataset without the articles' full texts (nif:isString); "
                                               "every source sentence (nif:anchorOf) is kept", language="en"))
    add(spans, VOID + "dataDump", node(f"{base}download/{SPANS_DUMP}"))
    add(dataset, SD + "defaultGraph", default)
    add(default, "a", node(SD + "Graph"))
    if stats.default_triples is not None:
        add(default, VOID + "triples", _integer(stats.default_triples))
    for i, graph in enumerate(service.dataset.graphs):
        named, described = ox.BlankNode(f"namedGraph{i}"), ox.BlankNode(f"graph{i}")
        add(dataset, SD + "namedGraph", named)
        add(named, "a", node(SD + "NamedGraph"))
        add(named, SD + "name", node(graph))
        add(named, SD + "graph", described)
        add(described, "a", node(SD + "Graph"))
        if graph in stats.graph_triples:
            add(described, VOID + "triples", _integer(stats.graph_triples[graph]))
    graphs_known = set(service.dataset.graphs) <= set(stats.graph_triples)
    if graphs_known and (stats.default_triples is not None or not service.settings.files_mode):
        total = sum(stats.graph_triples.values())
        if service.settings.files_mode:
            total += stats.default_triples or 0  # the default graph holds data of its own in file mode
        add(dataset, VOID + "triples", _integer(total))
    for i, (cls, entities) in enumerate(stats.classes):
        part = ox.BlankNode(f"class{i}")
        add(dataset, VOID + "classPartition", part)
        add(part, VOID + "class", node(cls))
        add(part, VOID + "entities", _integer(entities))
    for i, (prop, count) in enumerate(stats.properties):
        part = ox.BlankNode(f"property{i}")
        add(dataset, VOID + "propertyPartition", part)
        add(part, VOID + "property", node(prop))
        add(part, VOID + "triples", _integer(count))
    # group each node's triples together, so that Turtle writes each node once (first-seen order)
    order: dict[Any, int] = {}
    return sorted(triples, key=lambda t: order.setdefault(t.subject, len(order)))
