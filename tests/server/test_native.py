"""Answers written in the query worker (``server.native``): rows counted exactly as the bytes go
by, whatever the literals hold, and the row cap, the byte budget and the truncation signal as on
the row-by-row path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest

from dipkg.server.native import JsonRows, XmlRows

from .conftest import RunningServer

# literals that look like row boundaries to a text search, escapes, quotes, a lone backslash
TRICKY = ['},{"', '"},{"', "[{", "a\\", '\\"', "{}", ",{}", "},{", "<result>", "x\ny", "é ∑ 🜁", ""]


def _values_query() -> str:
    rows = " ".join(f"({json.dumps(text, ensure_ascii=False)} UNDEF)" for text in TRICKY)
    return f"SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ {rows} (UNDEF UNDEF) }} }}"


def _solutions(store: ox.Store, query: str, fmt: ox.QueryResultsFormat) -> bytes:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    out = result.serialize(format=fmt)
    assert out is not None
    return out


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return ox.Store()


QUERIES = [
    "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF } }",  # two empty rows
    "SELECT * WHERE { }",  # one empty row, no variables
    "SELECT ?x WHERE { VALUES ?x { 1 } } LIMIT 0",  # no rows
    "SELECT ?t WHERE { BIND(<<( <http://a> <http://b> '},{\"' )>> AS ?t) }",  # a triple term
]


@pytest.mark.parametrize("query", [*QUERIES, "TRICKY"])
def test_json_rows_are_counted_exactly_at_every_chunk_size(store: ox.Store, query: str) -> None:
    text = _values_query() if query == "TRICKY" else query
    data = _solutions(store, text, ox.QueryResultsFormat.JSON)
    expected = len(json.loads(data)["results"]["bindings"])
    for size in (1, 2, 3, 5, 7, 8, 13, 64, len(data)):
        counter = JsonRows()
        for chunk in _chunks(data, size):
            counter.feed(chunk)
        assert counter.rows == expected, (size, data)


def test_xml_rows_are_counted_exactly_at_every_chunk_size(store: ox.Store) -> None:
    data = _solutions(store, _values_query(), ox.QueryResultsFormat.XML)
    expected = len(ElementTree.fromstring(data).findall(".//{http://www.w3.org/2005/sparql-results#}result"))
    assert expected == len(TRICKY) + 1
    for size in (1, 3, 7, 8, 9, len(data)):
        counter = XmlRows()
        for chunk in _chunks(data, size):
            counter.feed(chunk)
        assert counter.rows == expected


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_tricky_literals_come_back_whole_and_uncut(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": _values_query()})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert [b.get("x", {}).get("value") for b in doc["results"]["bindings"]] == [*TRICKY, None]
    assert doc["dipkg"] == {"truncated": False, "rowLimit": 10000}
    assert response.headers["x-dipkg-truncated"] == "false"


@pytest.mark.parametrize("cap", [1, 3, len(TRICKY)])
def test_the_row_cap_holds_for_answers_the_worker_writes(client: httpx.Client, cap: int) -> None:
    response = client.get("/sparql", params={"query": _values_query(), "max-rows": str(cap)})
    doc = response.json()
    assert [b.get("x", {}).get("value") for b in doc["results"]["bindings"]] == TRICKY[:cap]
    assert doc["dipkg"] == {"truncated": True, "rowLimit": cap}
    assert response.headers["x-dipkg-truncated"] == "true"
    as_xml = client.get("/sparql", params={"query": _values_query(), "max-rows": str(cap), "format": "xml"})
    results = ElementTree.fromstring(as_xml.content).findall(".//{http://www.w3.org/2005/sparql-results#}result")
    assert len(results) == cap and as_xml.headers["x-dipkg-truncated"] == "true"


def test_an_answer_exactly_at_the_cap_is_complete(client: httpx.Client) -> None:
    rows = len(TRICKY) + 1
    response = client.get("/sparql", params={"query": _values_query(), "max-rows": str(rows)})
    assert len(response.json()["results"]["bindings"]) == rows
    assert response.json()["dipkg"]["truncated"] is False


def test_graphs_are_written_in_the_worker_and_cut_at_the_cap(client: httpx.Client) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": query, "max-rows": "4", "format": "nt"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-triples")
    assert len([line for line in response.text.splitlines() if line.strip()]) == 4
    assert response.headers["x-dipkg-truncated"] == "true"
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) == 4


def test_a_graph_a_format_cannot_hold_is_still_a_406(client: httpx.Client) -> None:
    query = "CONSTRUCT { <http://a> <http://b> <<( <http://a> <http://b> <http://c> )>> } WHERE { }"
    response = client.get("/sparql", params={"query": query, "format": "jsonld"})
    assert response.status_code == 406, response.text
    assert "Turtle" in response.json()["detail"]
