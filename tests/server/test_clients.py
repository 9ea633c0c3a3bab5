"""Real SPARQL clients against the real server: SPARQLWrapper and rdflib's SPARQLStore.

These clients have habits of their own (SPARQLWrapper repeats ``format=`` with a name and a media
type, sends ``output=`` and ``results=``, asks for ``application/turtle``; rdflib asks for SPARQL
XML and reads the Content-Type), so they catch what a hand-written request would not.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .conftest import RunningServer

DIP = "https://w3id.org/dipkg/ontology#"
MEETINGS = f"SELECT DISTINCT ?m WHERE {{ ?m a <{DIP}Meeting> }} ORDER BY ?m"
ENTITIES = "https://w3id.org/dipkg/graph/entities"


def wrapper(server: RunningServer, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.sparql)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    return sparql


@pytest.fixture(scope="module")
def meetings(server: RunningServer) -> list[str]:
    result: Any = wrapper(server, MEETINGS, JSON).queryAndConvert()
    return [b["m"]["value"] for b in result["results"]["bindings"]]


def test_sparqlwrapper_select_json(meetings: list[str]) -> None:
    assert len(meetings) > 10
    assert all(m.startswith("https://w3id.org/dipkg/id/meeting-") for m in meetings)


def test_sparqlwrapper_select_json_by_post(server: RunningServer, meetings: list[str]) -> None:
    result: Any = wrapper(server, MEETINGS, JSON, POST).queryAndConvert()
    assert [b["m"]["value"] for b in result["results"]["bindings"]] == meetings


def test_sparqlwrapper_select_xml(server: RunningServer, meetings: list[str]) -> None:
    document: Any = wrapper(server, MEETINGS, XML).queryAndConvert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris == meetings


def test_sparqlwrapper_select_csv_and_tsv(server: RunningServer, meetings: list[str]) -> None:
    as_csv: Any = wrapper(server, MEETINGS, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8"))))
    assert rows[0] == ["m"] and [r[0] for r in rows[1:]] == meetings
    # for TSV SPARQLWrapper sends format=tsv and format=text/tab-separated-values together
    as_tsv: Any = wrapper(server, MEETINGS, TSV).queryAndConvert()
    lines = as_tsv.decode("utf-8").splitlines()
    assert lines[0] == "?m" and lines[1:] == [f"<{m}>" for m in meetings]


def test_sparqlwrapper_ask(server: RunningServer) -> None:
    yes: Any = wrapper(server, f"ASK {{ ?m a <{DIP}Meeting> }}", JSON).queryAndConvert()
    no: Any = wrapper(server, "ASK { <http://example.org/nothing> ?p ?o }", JSON).queryAndConvert()
    assert yes["boolean"] is True and no["boolean"] is False


def test_sparqlwrapper_construct_turtle(server: RunningServer, meetings: list[str]) -> None:
    query = f"CONSTRUCT {{ ?m a <{DIP}Meeting> }} WHERE {{ ?m a <{DIP}Meeting> }}"
    sparql = wrapper(server, query, TURTLE)
    response = sparql.query()
    assert response._get_responseFormat() == TURTLE
    body: Any = response.convert()
    graph = Graph().parse(data=body, format="turtle")
    assert sorted(str(s) for s in graph.subjects()) == meetings


def test_sparqlwrapper_reports_a_bad_query(server: RunningServer) -> None:
    with pytest.raises(QueryBadFormed, match="syntax"):
        wrapper(server, "SELECT ?x WHERE { ?x ", JSON).queryAndConvert()


# --- rdflib's SPARQLStore -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def remote(server: RunningServer) -> Graph:
    return Graph(store=SPARQLStore(server.sparql, returnFormat="xml"))


def test_rdflib_sparqlstore_select(remote: Graph, meetings: list[str]) -> None:
    rows = list(remote.query(MEETINGS))
    assert [str(row[0]) for row in rows] == meetings  # type: ignore[index]


def test_rdflib_sparqlstore_graph_query(remote: Graph, entities: Graph) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    counts = {row[0]: row[1] for row in remote.query(query)}  # type: ignore[index]
    assert counts[URIRef(ENTITIES)] == Literal(len(entities))
    assert len(counts) >= 4  # articles, entities, ontology, inferred
