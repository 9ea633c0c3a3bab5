"""The SPARQL 1.1 Protocol at /sparql, checked over HTTP against the real server.

Three ways to send a query, content negotiation (q-values, wildcards, ``format=``), every result
format read back by a real parser, the union default graph and the inferred switch, the service
description, CORS, gzip, bad input (each a 4xx with a JSON message, never a 500), and
``dipkg query``'s rendering (through the command itself).  Everything goes over HTTP to a real
server, the way users reach the service, so the app's middleware is part of what is tested.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from .conftest import ROOT, RunningServer

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DIP = "https://w3id.org/dipkg/ontology#"
ENTITIES = "https://w3id.org/dipkg/graph/entities"
INFERRED = "https://w3id.org/dipkg/graph/inferred"
SRX = "{http://www.w3.org/2005/sparql-results#}"
PROFILE = 'application/sparql-results+json;profile="https://w3id.org/dipkg/provenance"'

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
MEETINGS = f"SELECT DISTINCT ?m WHERE {{ ?m a <{DIP}Meeting> }} ORDER BY ?m"
CONSTRUCT = f"CONSTRUCT {{ ?m a <{DIP}Meeting> ; ?p ?o }} WHERE {{ ?m a <{DIP}Meeting> ; ?p ?o }}"
TERMS = """SELECT ?iri ?lang ?int ?plain ?bnode ?triple ?unbound WHERE {
  BIND(<https://w3id.org/dipkg/id/Shinzo_Abe> AS ?iri)
  BIND("Tokyo, \\"Japan\\"\\tline\\nbreak"@en AS ?lang)
  BIND(42 AS ?int)
  BIND("plain" AS ?plain)
  BIND(BNODE("b") AS ?bnode)
  BIND(TRIPLE(<http://ex.org/s>, <http://ex.org/p>, "o"@ja) AS ?triple)
}"""


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def get(client: httpx.Client, query: str, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def assert_error(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    """A 4xx with the service's JSON error shape whose detail says something a person can act on."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "detail"}
    for word in words:
        assert word in body["detail"], body
    return body


# --- the three ways to send a query -----------------------------------------------------------
def test_get_post_form_and_post_direct_give_the_same_answer(client: httpx.Client) -> None:
    by_get = get(client, MEETINGS)
    by_form = client.post("/sparql", data={"query": MEETINGS})
    by_body = client.post("/sparql", content=MEETINGS.encode(),
                          headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert by_get.json() == by_form.json() == by_body.json()
    assert len(by_get.json()["results"]["bindings"]) > 10


def test_head_answers_with_headers_only(client: httpx.Client) -> None:
    response = client.head("/sparql", params={"query": MEETINGS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.content == b""


def test_parameters_in_the_url_go_with_a_direct_post(client: httpx.Client) -> None:
    response = client.post("/sparql", params={"default-graph-uri": ENTITIES, "format": "csv"},
                           content=COUNT_ALL, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


# --- formats ------------------------------------------------------------------------------------
def test_select_terms_in_sparql_json(client: httpx.Client) -> None:
    body = get(client, TERMS).json()
    assert body["head"]["vars"] == ["iri", "lang", "int", "plain", "bnode", "triple", "unbound"]
    row = body["results"]["bindings"][0]
    assert row["iri"] == {"type": "uri", "value": "https://w3id.org/dipkg/id/Shinzo_Abe"}
    assert row["lang"] == {"type": "literal", "value": 'Tokyo, "Japan"\tline\nbreak', "xml:lang": "en"}
    assert row["int"] == {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert row["plain"] == {"type": "literal", "value": "plain"}  # xsd:string is left implicit
    assert row["bnode"]["type"] == "bnode" and row["bnode"]["value"]
    assert row["triple"] == {"type": "triple", "value": {
        "subject": {"type": "uri", "value": "http://ex.org/s"},
        "predicate": {"type": "uri", "value": "http://ex.org/p"},
        "object": {"type": "literal", "value": "o", "xml:lang": "ja"}}}
    assert "unbound" not in row
    assert body["dipkg"] == {"truncated": False, "rowLimit": 10000}


def test_select_terms_in_sparql_xml(client: httpx.Client) -> None:
    response = get(client, TERMS, {"Accept": "application/sparql-results+xml"})
    assert response.headers["content-type"] == "application/sparql-results+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    names = [v.get("name") for v in root.iter(f"{SRX}variable")]
    assert names == ["iri", "lang", "int", "plain", "bnode", "triple", "unbound"]
    bindings = {b.get("name"): b[0] for b in root.iter(f"{SRX}binding")}
    assert bindings["iri"].tag == f"{SRX}uri"
    assert bindings["lang"].get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert bindings["lang"].text == 'Tokyo, "Japan"\tline\nbreak'
    assert bindings["int"].get("datatype") == "http://www.w3.org/2001/XMLSchema#integer"
    assert bindings["plain"].attrib == {}
    assert bindings["bnode"].tag == f"{SRX}bnode"
    assert [child.tag for child in bindings["triple"]] == [f"{SRX}subject", f"{SRX}predicate", f"{SRX}object"]
    assert "unbound" not in bindings


def test_select_terms_in_csv_and_tsv(client: httpx.Client) -> None:
    as_csv = get(client, TERMS, format="csv")
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert b"\r\n" in as_csv.content
    header, row = list(csv.reader(io.StringIO(as_csv.text)))
    assert header == ["iri", "lang", "int", "plain", "bnode", "triple", "unbound"]
    assert row[:4] == ["https://w3id.org/dipkg/id/Shinzo_Abe", 'Tokyo, "Japan"\tline\nbreak', "42", "plain"]
    assert row[4].startswith("_:") and row[6] == ""

    as_tsv = get(client, TERMS, format="tsv")
    assert as_tsv.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    header_line, row_line = as_tsv.text.rstrip("\n").split("\n")
    assert header_line.split("\t") == ["?iri", "?lang", "?int", "?plain", "?bnode", "?triple", "?unbound"]
    cells = row_line.split("\t")
    assert cells[:4] == ["<https://w3id.org/dipkg/id/Shinzo_Abe>", '"Tokyo, \\"Japan\\"\\tline\\nbreak"@en',
                         '"42"^^<http://www.w3.org/2001/XMLSchema#integer>', '"plain"']
    assert cells[4].startswith("_:")
    assert cells[5] == '<<( <http://ex.org/s> <http://ex.org/p> "o"@ja )>>'
    assert cells[6] == ""


@pytest.mark.parametrize(("fmt", "expected"), [
    ("json", b'"boolean":true'), ("xml", b"<boolean>true</boolean>"),
    ("csv", b"_askResult\r\ntrue\r\n"), ("tsv", b"?_askResult\ntrue\n")])
def test_ask_in_every_results_format(client: httpx.Client, fmt: str, expected: bytes) -> None:
    response = get(client, "ASK { ?s ?p ?o }", format=fmt)
    assert response.status_code == 200
    assert expected in response.content


RDF_PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/n-quads": "nquads",
               "application/trig": "trig", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_construct_in_every_rdf_format(client: httpx.Client, media_type: str) -> None:
    response = get(client, CONSTRUCT, {"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    parsed = Dataset()
    parsed.parse(data=response.content, format=RDF_PARSERS[media_type])
    triples = {(s, p, o) for s, p, o, _ in parsed.quads()}
    meetings = get(client, MEETINGS).json()["results"]["bindings"]
    assert {s for s, p, o in triples if p == RDF.type and o == URIRef(DIP + "Meeting")} == \
        {URIRef(b["m"]["value"]) for b in meetings}
    assert response.headers["x-dipkg-truncated"] == "false"


def test_construct_and_describe_default_to_turtle(client: httpx.Client) -> None:
    for query in (CONSTRUCT, "DESCRIBE <https://w3id.org/dipkg/id/Shinzo_Abe>"):
        response = get(client, query)
        assert response.headers["content-type"] == "text/turtle; charset=utf-8"
        assert len(Graph().parse(data=response.text, format="turtle")) > 0


# --- content negotiation --------------------------------------------------------------------------
@pytest.mark.parametrize(("accept", "media_type"), [
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv;q=0.9, text/tab-separated-values;q=1.0", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("application/*;q=0.2, text/tab-separated-values;q=0.1", "application/sparql-results+json"),
    ("text/turtle, */*;q=0.1", "application/sparql-results+json"),
    ("application/json", "application/json"),
    ("text/*, text/csv;q=0", "text/tab-separated-values"),
    ("", "application/sparql-results+json"),
])
def test_accept_with_q_values_and_wildcards(client: httpx.Client, accept: str, media_type: str) -> None:
    response = get(client, MEETINGS, {"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in response.headers["vary"]


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = get(client, MEETINGS, {"Accept": "application/sparql-results+xml"}, format="tsv")
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    graph = get(client, CONSTRUCT, {"Accept": "text/turtle"}, format="nt")
    assert graph.headers["content-type"].startswith("application/n-triples")
    # the same name means the natural format of each query form
    assert get(client, CONSTRUCT, format="xml").headers["content-type"].startswith("application/rdf+xml")
    assert get(client, CONSTRUCT, format="json").headers["content-type"].startswith("application/ld+json")
    by_media_type = get(client, MEETINGS, format="application/sparql-results+xml")
    assert by_media_type.headers["content-type"].startswith("application/sparql-results+xml")


def test_not_acceptable_lists_what_is_offered(client: httpx.Client) -> None:
    body = assert_error(get(client, MEETINGS, {"Accept": "text/turtle"}), 406, "text/csv")
    assert "application/sparql-results+json" in body["offered"]
    body = assert_error(get(client, CONSTRUCT, {"Accept": "text/csv"}), 406, "text/turtle")
    assert "application/rdf+xml" in body["offered"]
    assert_error(get(client, MEETINGS, {"Accept": "image/png"}), 406, "image/png")
    assert_error(get(client, MEETINGS, {"Accept": "garbage"}), 406, "could not read")
    assert_error(get(client, MEETINGS, format="turtle"), 406, "json, xml, csv, tsv")


# --- the dataset: union default graph, GRAPH, protocol datasets, the inferred switch ----------------
def test_default_graph_is_the_union_and_graph_reaches_each(client: httpx.Client, dataset: Dataset) -> None:
    graphs = get(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").json()["results"]["bindings"]
    expected = {str(g.identifier) for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)}
    assert {b["g"]["value"] for b in graphs} == expected
    # article facts and entity labels, both in the default graph without GRAPH
    union = f"ASK {{ ?m a <{DIP}Meeting> . ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    assert get(client, union).json()["boolean"] is True


def test_default_and_named_graph_uris(client: httpx.Client, entities: Graph) -> None:
    assert count(get(client, COUNT_ALL, **{"default-graph-uri": ENTITIES})) == len(entities)
    response = get(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": ENTITIES})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [ENTITIES]
    two = client.get("/sparql", params=[("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
                                        ("named-graph-uri", ENTITIES), ("named-graph-uri", INFERRED)])
    assert {b["g"]["value"] for b in two.json()["results"]["bindings"]} == {ENTITIES, INFERRED}
    assert_error(get(client, COUNT_ALL, **{"default-graph-uri": "http://example.org/elsewhere"}), 400,
                 "unknown graph")


INFERRED_ONLY = f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED}>) }} }} LIMIT 1"""


def _ask_for(row: dict[str, Any]) -> str:
    def term(t: dict[str, Any]) -> str:
        if t["type"] == "uri":
            return f"<{t['value']}>"
        value = json.dumps(t["value"])
        return value + (f"@{t['xml:lang']}" if "xml:lang" in t else f"^^<{t['datatype']}>" if "datatype" in t else "")
    return f"ASK {{ {term(row['s'])} {term(row['p'])} {term(row['o'])} }}"


def test_inferred_false_leaves_the_inferred_graph_out(client: httpx.Client) -> None:
    row = get(client, INFERRED_ONLY).json()["results"]["bindings"][0]
    assert get(client, _ask_for(row)).json()["boolean"] is True
    assert get(client, _ask_for(row), inferred="false").json()["boolean"] is False
    assert count(get(client, COUNT_ALL, inferred="false")) < count(get(client, COUNT_ALL))
    # GRAPH still reaches the inferred graph by name
    assert get(client, f"ASK {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}", inferred="false").json()["boolean"] is True


def test_no_inferred_is_a_server_wide_default(start_server: Callable[..., RunningServer], seed_build: Any,
                                              client: httpx.Client) -> None:
    row = get(client, INFERRED_ONLY).json()["results"]["bindings"][0]
    other = start_server(["--data", str(seed_build.out), "--no-inferred"], {"DIPKG_WORKERS": "1"})
    with httpx.Client(base_url=other.url, timeout=30) as c:
        assert get(c, _ask_for(row)).json()["boolean"] is False
        assert get(c, _ask_for(row), inferred="true").json()["boolean"] is True


# --- service description ---------------------------------------------------------------------------
def _description(client: httpx.Client, accept: str | None = None) -> tuple[httpx.Response, Graph]:
    response = client.get("/sparql", headers={"Accept": accept} if accept else None)
    assert response.status_code == 200, response.text
    fmt = RDF_PARSERS[response.headers["content-type"].split(";")[0]]
    return response, Graph().parse(data=response.content, format=fmt)


def test_service_description(client: httpx.Client, server: RunningServer, dataset: Dataset) -> None:
    response, sd = _description(client)
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    service = sd.value(predicate=RDF.type, object=SD.Service)
    assert sd.value(service, SD.endpoint) == URIRef(server.sparql)
    assert sd.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    formats = {str(f) for f in sd.objects(service, SD.resultFormat)}
    assert {"http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/Turtle",
            "http://www.w3.org/ns/formats/JSON-LD", "http://www.w3.org/ns/formats/RDF_XML"} <= formats
    assert len(formats) == 10
    assert SD.UnionDefaultGraph in set(sd.objects(service, SD.feature))
    described = sd.value(service, SD.defaultDataset)
    assert sd.value(described, SD.defaultGraph) is not None
    counts = {str(sd.value(n, SD.name)): int(sd.value(sd.value(n, SD.graph), VOID.triples))  # type: ignore[arg-type]
              for n in sd.objects(described, SD.namedGraph)}
    assert counts == {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert int(sd.value(described, VOID.triples)) == sum(counts.values())  # type: ignore[arg-type]
    classes = {sd.value(p, VOID["class"]): int(sd.value(p, VOID.entities))  # type: ignore[arg-type]
               for p in sd.objects(described, VOID.classPartition)}
    meetings = len(get(client, MEETINGS).json()["results"]["bindings"])
    assert classes[URIRef(DIP + "Meeting")] == meetings
    properties = {sd.value(p, VOID.property): sd.value(p, VOID.triples)
                  for p in sd.objects(described, VOID.propertyPartition)}
    assert properties[RDF.type] == Literal(count(get(client, "SELECT (COUNT(*) AS ?n) WHERE { "
                                                          "SELECT DISTINCT ?s ?o WHERE { ?s a ?o } }")))


@pytest.mark.parametrize("accept", ["application/ld+json", "application/n-triples", "application/rdf+xml"])
def test_service_description_by_content_negotiation(client: httpx.Client, accept: str) -> None:
    response, sd = _description(client, accept)
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert (None, RDF.type, SD.Service) in sd


def test_service_description_not_acceptable(client: httpx.Client) -> None:
    assert_error(client.get("/sparql", headers={"Accept": "text/csv"}), 406, "text/turtle")


# --- CORS and gzip ------------------------------------------------------------------------------
def test_cors_for_reads(client: httpx.Client) -> None:
    response = get(client, MEETINGS, {"Origin": "https://example.org"}, **{"max-rows": "2"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers.get("access-control-expose-headers", "")
    assert exposed == "*" or "x-dipkg-truncated" in exposed.lower()
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_gzip_when_accepted(client: httpx.Client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 2000"
    raw = client.get("/sparql", params={"query": query}, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert len(raw.json()["results"]["bindings"]) == 2000  # httpx decompresses
    plain = client.get("/sparql", params={"query": query}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(gzip.compress(plain.content)) < len(plain.content)


# --- bad input: a 4xx with a message, never a 500 ----------------------------------------------------
def test_syntax_error_names_line_and_column(client: httpx.Client) -> None:
    body = assert_error(get(client, "SELECT ?s WHERE {\n  ?s ?p \n}"), 400, "syntax error")
    assert "3:1" in body["detail"] or "2:" in body["detail"]


@pytest.mark.parametrize(("params", "words"), [
    ({"timeout": "soon"}, ["timeout", "seconds"]),
    ({"timeout": "-1"}, ["timeout", "positive"]),
    ({"timeout": "nan"}, ["timeout"]),
    ({"max-rows": "many"}, ["max-rows", "whole number"]),
    ({"max-rows": "0"}, ["max-rows", "at least 1"]),
    ({"inferred": "maybe"}, ["inferred", "true or false"]),
    ({"provenance": "perhaps"}, ["provenance"]),
    ({"format": "docx"}, ["unknown format", "turtle"]),
    ({"query": ""}, ["empty"]),
])
def test_bad_parameters(client: httpx.Client, params: dict[str, str], words: list[str]) -> None:
    assert_error(client.get("/sparql", params={"query": MEETINGS, **params}), 400, *words)


def test_bad_requests(client: httpx.Client) -> None:
    assert_error(client.post("/sparql"), 400, "without a query")
    assert_error(client.post("/sparql", data={"format": "json"}), 400, "query")
    assert_error(client.post("/sparql", content=b"", headers={"Content-Type": "application/sparql-query"}),
                 400, "empty")
    assert_error(client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}),
                 415, "application/sparql-query")
    assert_error(client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "once")
    assert_error(client.post("/sparql", params={"query": "ASK {}"}, content=b"ASK {}",
                             headers={"Content-Type": "application/sparql-query"}), 400, "once")
    assert_error(client.post("/sparql", content=b"ASK { ?s ?p \xff }",
                             headers={"Content-Type": "application/sparql-query"}), 400, "UTF-8")


# --- provenance hook -----------------------------------------------------------------------------
def test_provenance_is_for_select(client: httpx.Client) -> None:
    assert_error(get(client, "ASK { ?s ?p ?o }", provenance="true"), 400, "SELECT")
    assert_error(get(client, CONSTRUCT, {"Accept": PROFILE}), 400, "SELECT")


def test_provenance_has_one_entry_per_solution(client: httpx.Client) -> None:
    for response in (get(client, MEETINGS, provenance="true"), get(client, MEETINGS, {"Accept": PROFILE})):
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body["provenance"], list)
        assert len(body["provenance"]) == len(body["results"]["bindings"]) > 0


# --- dipkg query ------------------------------------------------------------------------------------
def dipkg_query(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dipkg", "query", "--data", str(data), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_dipkg_query_renders_each_query_form(seed_build: Any) -> None:
    out = seed_build.out
    select = dipkg_query(out, f"SELECT ?m WHERE {{ ?m a <{DIP}Meeting> }} LIMIT 3")
    assert select.returncode == 0, select.stderr
    lines = select.stdout.splitlines()
    assert lines[0] == "?m" and len(lines) == 4 and all(line.startswith("<https://") for line in lines[1:])
    as_json = dipkg_query(out, "ASK { ?s ?p ?o }", "--format", "json")
    assert json.loads(as_json.stdout)["boolean"] is True
    wrong = dipkg_query(out, "ASK { ?s ?p ?o }", "--format", "turtle")
    assert wrong.returncode != 0 and "turtle" in wrong.stderr and "Traceback" not in wrong.stderr


def test_routing_errors_have_the_one_error_shape(server: RunningServer) -> None:
    for response, status in ((httpx.get(server.url + "/no-such-page", timeout=10), 404),
                             (httpx.delete(server.url + "/sparql", timeout=10), 405)):
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"error", "detail"} and body["detail"]
