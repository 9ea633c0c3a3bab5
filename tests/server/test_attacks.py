"""Attacks on the running service (127.0.0.1 only): SSRF through SERVICE, hidden FROM, a query
that freezes the screen, a query of death, a worker that dies.

Every query in the corpus points at a real TCP listener in the test; whatever the service says,
the listener must never be contacted.  The screen must answer a 64 KB adversarial query fast,
refuse over-deep nesting with a 400 before any worker runs it, and a worker that dies mid-query
is the service's failure (5xx), replaced, while the service goes on answering.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dipkg.server.screen import MAX_DEPTH

from .conftest import Listener, RunningServer, worker_pids

ONTOLOGY = "https://w3id.org/dipkg/ontology#"
ENTITIES = "https://w3id.org/dipkg/graph/entities"
FAST = "ASK { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def service_attacks(url: str) -> list[str]:
    """SERVICE spelled every way the engine reads it.  ``BIND``/``VALUES`` first give the join a
    solution, so that an engine that was let through really calls the endpoint."""
    one = "BIND(1 AS ?one)"
    return [
        # the everyday one-line prologue: '#' in the namespace IRI hid the rest of the line
        f"PREFIX dip: <{ONTOLOGY}> SELECT * WHERE {{ {one} SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX dip: <{ONTOLOGY}> SELECT * WHERE {{ {one} SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {one} service <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {one} SeRvIcE\tSiLeNt\r\n<{url}/sparql>\n{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {one} SERVICESILENT<{url}/sparql>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?where {{ <{url}/sparql> }} SERVICE ?where {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <{url}/> SELECT * WHERE {{ {one} SERVICE remote:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}/> SELECT * WHERE {{ {one} SERVICE:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{url}/> SELECT * WHERE {{ {one} SERVICE <sparql> {{ ?s ?p ?o }} }}",
        # an apostrophe, a quote or a hash in an earlier IRI, string or comment on the same line
        f"SELECT * WHERE {{ BIND(<http://example.org/o'hara> AS ?who) SERVICE <{url}/q> {{ ?s ?p 'x' }} }}",
        f"SELECT * WHERE {{ BIND(<http://example.org/ns#x> AS ?x) SERVICE <{url}/q> {{ ?s ?p ?o }} }} # x",
        f"SELECT * WHERE {{ BIND(\"say \\\"#\\\" twice\" AS ?x) SERVICE <{url}/q> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND('''a ' and a \" and a #''' AS ?x) SERVICE <{url}/q> {{ ?s ?p ?o }} }}",
        f"# a comment with a <\nSELECT * WHERE {{ {one} SERVICE <{url}/q> {{ ?s ?p ?o }} }}",
        # '<' after a value is a less-than to the engine, though it looks like an IRI here
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}/q> }} {one} FILTER(?one<2)SERVICE?e#>\n{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {one} FILTER(?one<'x>')SERVICE<{url}/q>{{ ?s ?p ?o }}#'\n}}",
        # an escape the engine does not decode outside strings and IRIs: a syntax error, not a call
        f"SELECT * WHERE {{ {one} \\u0053ERVICE <{url}/q> {{ ?s ?p ?o }} }}",
        # and the address itself written with escapes
        f"SELECT * WHERE {{ {one} SERVICE <http:\\u002F\\u002F127.0.0.1:{url.rsplit(':', 1)[1]}/q> {{ ?s ?p ?o }} }}",
    ]


def from_attacks(url: str) -> list[str]:
    return [
        f"PREFIX dip: <{ONTOLOGY}> SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"PREFIX dip: <{ONTOLOGY}> SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT*FROMNAMED<{url}/data.ttl>WHERE{{GRAPH ?g{{?s ?p ?o}}}}",
        f"PREFIX : <{url}/> SELECT * FROM:data WHERE {{ ?s ?p ?o }}",
        f"PREFIX ex: <http://example.org/#> PREFIX r: <{url}/> SELECT * FROM r:data WHERE {{ ?s ?p ?o }}",
        f"BASE <{url}/> SELECT * FROM <data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM <http:\\u002F\\u002F127.0.0.1:{url.rsplit(':', 1)[1]}/data.ttl> WHERE {{ ?s ?p ?o }}",
    ]


@pytest.fixture(scope="module")
def client(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def test_no_spelling_of_service_reaches_the_network(client: httpx.Client, tcp_listener: Listener) -> None:
    answers = {}
    for query in service_attacks(tcp_listener.url):
        response = client.get("/sparql", params={"query": query})
        answers[query] = response.status_code
        assert response.status_code in (400, 403), (query, response.text)
    assert tcp_listener.contacts == [], f"the service connected to the listener; answers: {answers}"
    refused = [q for q, status in answers.items() if status == 403]
    assert len(refused) >= len(answers) - 1, answers  # all but the undecoded escape get the clear 403
    assert client.get("/sparql", params={"query": FAST}).json()["boolean"] is True


def test_service_refusal_says_where(client: httpx.Client, tcp_listener: Listener) -> None:
    query = f"PREFIX dip: <{ONTOLOGY}>\nSELECT * WHERE {{\n  SERVICE <{tcp_listener.url}/sparql> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE (line 3, column 3) is disabled" in response.json()["detail"]


def test_no_spelling_of_a_remote_from_is_answered(client: httpx.Client, tcp_listener: Listener) -> None:
    for query in from_attacks(tcp_listener.url):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 403, (query, response.text)
        assert "not a graph of this dataset" in response.json()["detail"]
    assert tcp_listener.contacts == []


def test_from_behind_a_hash_still_defines_the_dataset(client: httpx.Client) -> None:
    """The query's own FROM is its dataset even when the line before it holds a '#'."""
    query = f"PREFIX dip: <{ONTOLOGY}> SELECT (COUNT(*) AS ?n) FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}"
    plain = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}"
    counted = client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"]["value"]
    expected = client.get("/sparql", params={"query": plain}).json()["results"]["bindings"][0]["n"]["value"]
    assert counted == expected


def test_words_in_strings_comments_and_names_are_not_service(client: httpx.Client) -> None:
    query = ("PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>\n"
             "SELECT ?service ('SERVICE <http://example.org/> { }' AS ?text) WHERE {\n"
             "  VALUES ?service { sd:Service <http://example.org/service#from> }  # SERVICE <x> { }\n"
             "  FILTER(?service != <http://example.org/from>) }")
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 2


def test_the_workers_have_no_network(client: httpx.Client) -> None:
    assert client.get("/health").json()["sandbox"] == "seccomp"


# --- the screen is linear -----------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["BASE<", "PREFIX a:<", "BASE <"])
def test_a_64_kb_adversarial_query_is_answered_at_once(client: httpx.Client, unit: str) -> None:
    query = (unit * (65536 // len(unit) + 1))[:65536]
    started = time.monotonic()
    response = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    seconds = time.monotonic() - started
    assert response.status_code == 400, response.text
    assert seconds < 1.5, f"{seconds:.2f} s for 64 KB of {unit!r}"
    fast_started = time.monotonic()
    assert client.get("/sparql", params={"query": FAST}).status_code == 200
    assert time.monotonic() - fast_started < 1.0


# --- the query of death ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [
    lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{}" + "}" * n,
    lambda n: "ASK { FILTER(" + "(" * n + "true" + ")" * n + ") }",
])
def test_over_deep_nesting_is_refused_before_the_engine(client: httpx.Client, shape: Callable[[int], str]) -> None:
    replaced = client.get("/health").json()["workers_replaced"]
    started = time.monotonic()
    response = client.post("/sparql", content=shape(3000), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400, response.text
    assert f"at most {MAX_DEPTH} levels" in response.json()["detail"]
    assert time.monotonic() - started < 1.0
    assert client.get("/health").json()["workers_replaced"] == replaced, "the query reached a worker"
    within = client.get("/sparql", params={"query": shape(MAX_DEPTH - 2)})
    assert within.status_code == 200, within.text


# --- a worker that dies ----------------------------------------------------------------------------------
def test_a_dead_worker_is_a_5xx_and_the_service_goes_on(seed_build: object,
                                                        start_server: Callable[..., RunningServer]) -> None:
    running = start_server(["--data", str(seed_build.out)],  # type: ignore[attr-defined]
                           {"DIPKG_WORKERS": "2", "DIPKG_QUERY_TIMEOUT": "20"})
    with httpx.Client(base_url=running.url, timeout=60) as c, ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(c.get, "/sparql", params={"query": SLOW})
        time.sleep(1.0)  # the slow query has its worker
        pids = worker_pids(running)
        assert len(pids) == 4, pids  # two in the fast lane, one in the slow lane, the spare
        for pid in pids:  # all: the one running the query, and the idle ones the next query would get
            os.kill(pid, signal.SIGKILL)
        response = slow.result()
        assert 500 <= response.status_code < 600, response.text
        assert "worker" in response.json()["detail"] and "SIGKILL" in response.json()["detail"]
        after = c.get("/sparql", params={"query": FAST})  # its worker is dead too: taken by a fresh one
        assert after.status_code == 200, after.text
        assert after.json()["boolean"] is True
        assert c.get("/health").json()["workers_replaced"] >= 2


# --- the switch keeps its meaning ------------------------------------------------------------------------
def test_allow_service_lets_workers_connect(seed_build: object, start_server: Callable[..., RunningServer],
                                            tcp_listener: Listener) -> None:
    running = start_server(["--data", str(seed_build.out)],  # type: ignore[attr-defined]
                           {"DIPKG_WORKERS": "1", "DIPKG_ALLOW_SERVICE": "1"})
    with httpx.Client(base_url=running.url, timeout=30) as c:
        assert c.get("/health").json()["sandbox"] == "none"
        query = f"SELECT * WHERE {{ BIND(1 AS ?one) SERVICE SILENT <{tcp_listener.url}/sparql> {{ ?s ?p ?o }} }}"
        assert c.get("/sparql", params={"query": query}).status_code == 200
    assert len(tcp_listener.contacts) == 1


# --- headers and the URL ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/sparql?query=ASK%7B%7D", "/id/Shinzo_Abe", "/static/query.js", "/nowhere"])
def test_security_headers_on_every_response(client: httpx.Client, path: str) -> None:
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("raw", ["query=ASK%7B%7D%FF", "query=ASK%7B%7D&format=js%C3", "query=%E2%82ASK%7B%7D"])
def test_malformed_utf8_in_the_url_is_a_400_naming_it(client: httpx.Client, raw: str) -> None:
    response = client.get(f"/sparql?{raw}")
    assert response.status_code == 400, response.text
    assert "not UTF-8" in response.json()["detail"]
    assert client.get("/sparql?query=ASK%7B%7D%20%23%20%C3%A9t%C3%A9").json()["boolean"] is True
