"""The endpoint's bounds: time limit, row cap with its truncation signal, query size, refusals.

The session server runs with a 3 s time limit and two query workers.  A triple cross join with
COUNT over the seed data (~6,000 triples, so ~2·10¹¹ combinations) would run for a very long time;
it must come back as a 503 naming the limit soon after the limit, while a fast query sent at the
same time answers at once.  Bounds on elapsed time are generous (a loaded 2-core machine).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from rdflib import Graph

from .conftest import TEST_TIMEOUT_S, RunningServer, launch, stop

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "ASK { ?s ?p ?o }"
ALL = "SELECT * WHERE { ?s ?p ?o }"
ENTITIES = "https://w3id.org/dipkg/graph/entities"
SMALL_ROWS, SMALL_BYTES = 20, 2000


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def small(seed_build: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A server with a 20-row cap and a 2,000-byte query limit."""
    running = launch(["--data", str(seed_build.out)], tmp_path_factory.mktemp("small") / "server.log",
                     {"DIPKG_MAX_ROWS": str(SMALL_ROWS), "DIPKG_MAX_QUERY_BYTES": str(SMALL_BYTES),
                      "DIPKG_WORKERS": "1"})
    try:
        with httpx.Client(base_url=running.url, timeout=60) as c:
            yield c
    finally:
        stop(running)


def timed_get(client: httpx.Client, query: str, **params: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get("/sparql", params={"query": query, **params})
    return response, time.monotonic() - started


# --- time limit ---------------------------------------------------------------------------------
def test_a_slow_query_is_stopped_while_a_fast_one_answers(client: httpx.Client) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(timed_get, client, SLOW, timeout="60")  # asking for more than the limit: no effect
        time.sleep(0.5)  # ordering only: let the slow query take its worker first
        fast, fast_seconds = timed_get(client, FAST)
        assert fast.status_code == 200 and fast.json()["boolean"] is True
        assert not slow.done(), "the fast query should have answered while the slow one was still running"
        assert fast_seconds < 2.0
        response, seconds = slow.result()
    assert response.status_code == 503, response.text
    assert f"{TEST_TIMEOUT_S:g} s" in response.json()["detail"]
    assert TEST_TIMEOUT_S - 0.5 <= seconds <= TEST_TIMEOUT_S + 5
    # the service goes on: the killed worker is replaced
    after, _ = timed_get(client, FAST)
    assert after.status_code == 200
    assert client.get("/health").json()["workers_replaced"] >= 1


def test_a_client_may_ask_for_a_shorter_limit(client: httpx.Client) -> None:
    response, seconds = timed_get(client, SLOW, timeout="1")
    assert response.status_code == 503
    assert "1 s" in response.json()["detail"]
    assert seconds < TEST_TIMEOUT_S
    assert timed_get(client, FAST)[0].status_code == 200


# --- row cap -------------------------------------------------------------------------------------
def test_max_rows_truncates_with_a_signal(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": ALL, "max-rows": "5"})
    body = response.json()
    assert len(body["results"]["bindings"]) == 5
    assert body["dipkg"] == {"truncated": True, "rowLimit": 5}
    assert response.headers["x-dipkg-truncated"] == "true"
    assert response.headers["x-dipkg-row-limit"] == "5"
    as_csv = client.get("/sparql", params={"query": ALL, "max-rows": "5", "format": "csv"})
    assert as_csv.text.count("\r\n") == 6
    assert as_csv.headers["x-dipkg-truncated"] == "true" and as_csv.headers["x-dipkg-row-limit"] == "5"


def test_an_answer_under_the_cap_says_it_is_complete(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": ALL + " LIMIT 3", "max-rows": "5"})
    assert len(response.json()["results"]["bindings"]) == 3
    assert response.json()["dipkg"] == {"truncated": False, "rowLimit": 5}
    assert response.headers["x-dipkg-truncated"] == "false"


def test_max_rows_caps_a_graph(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "max-rows": "7",
                                             "format": "nt"})
    assert len(Graph().parse(data=response.text, format="nt")) == 7
    assert response.headers["x-dipkg-truncated"] == "true" and response.headers["x-dipkg-row-limit"] == "7"


def test_the_server_cap_cannot_be_raised(small: httpx.Client) -> None:
    for params in ({}, {"max-rows": "1000"}):
        response = small.get("/sparql", params={"query": ALL, **params})
        assert len(response.json()["results"]["bindings"]) == SMALL_ROWS
        assert response.json()["dipkg"] == {"truncated": True, "rowLimit": SMALL_ROWS}
        assert response.headers["x-dipkg-row-limit"] == str(SMALL_ROWS)


# --- query size ----------------------------------------------------------------------------------
def padded(size: int) -> str:
    query = "ASK { ?s ?p ?o }\n#"
    return query + "x" * (size - len(query))


def test_oversized_queries_get_413(small: httpx.Client) -> None:
    over = padded(SMALL_BYTES + 10)
    assert small.get("/sparql", params={"query": over}).status_code == 413
    assert small.post("/sparql", data={"query": over}).status_code == 413
    body = small.post("/sparql", content=over, headers={"Content-Type": "application/sparql-query"})
    assert body.status_code == 413
    assert str(SMALL_BYTES) in body.json()["detail"]
    assert small.get("/sparql", params={"query": padded(SMALL_BYTES - 10)}).status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(small: httpx.Client) -> None:
    huge = b"#" * (50 * SMALL_BYTES)
    declared = small.post("/sparql", content=huge, headers={"Content-Type": "application/sparql-query"})
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        for _ in range(50):
            yield b"#" * SMALL_BYTES

    streamed = small.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413


# --- refusals: read-only, no outbound fetches ---------------------------------------------------------
INSERT = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"


def test_updates_are_refused_every_way(client: httpx.Client) -> None:
    responses = [
        client.post("/sparql", content=INSERT, headers={"Content-Type": "application/sparql-update"}),
        client.post("/sparql", data={"update": INSERT}),
        client.get("/sparql", params={"update": INSERT}),
        client.get("/sparql", params={"query": INSERT}),
        client.post("/sparql", data={"query": "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }"}),
        client.post("/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in responses:
        assert response.status_code == 403, response.text
        assert "read-only" in response.json()["detail"]
    # and nothing changed
    ask = client.get("/sparql", params={"query": "ASK { <http://example.org/a> ?p ?o }"})
    assert ask.json()["boolean"] is False


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A local port that records any connection: the service must never open one."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.3)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", sock
    sock.close()


def test_no_outbound_fetches(client: httpx.Client, listener: tuple[str, socket.socket]) -> None:
    url, sock = listener
    refused = [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <{url}/>\nSELECT * FROM remote:data WHERE {{ ?s ?p ?o }}",
    ]
    for query in refused:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 403, (query, response.text)
    unknown = client.get("/sparql", params={"query": FAST, "default-graph-uri": f"{url}/data.ttl"})
    assert unknown.status_code == 400
    with pytest.raises(TimeoutError):
        sock.accept()


def test_from_a_graph_of_the_dataset_is_fine(client: httpx.Client, entities: Graph) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == len(entities)


def test_words_that_only_look_like_service_or_from_are_fine(client: httpx.Client) -> None:
    query = ("PREFIX schema: <http://schema.org/>\nSELECT ?service ?from WHERE {\n"
             "  VALUES ?service { schema:Service } ?s ?p ?from } LIMIT 1")
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["service"]["value"] == "http://schema.org/Service"



def test_a_result_past_its_byte_budget_is_cut_and_says_so(seed_build: Any, start_server: Any) -> None:
    """Rows are not bytes: five article texts are far under a 10,000-row cap but past 2,000 bytes."""
    running = start_server(["--data", str(seed_build.out)], {"DIPKG_MAX_RESULT_BYTES": "2000", "DIPKG_WORKERS": "1"})
    query = "SELECT ?t WHERE { ?a <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?t }"
    response = httpx.get(running.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 200 and response.headers["x-dipkg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 1


def test_a_query_past_the_worker_memory_limit_is_stopped_and_the_service_goes_on(
        seed_build: Any, start_server: Any) -> None:
    running = start_server(["--data", str(seed_build.out)],
                           {"DIPKG_WORKER_MEMORY_MB": "300", "DIPKG_WORKERS": "1", "DIPKG_QUERY_TIMEOUT": "30"})
    sort_everything = "SELECT ?a WHERE { ?a ?b ?o . ?c ?d ?e } ORDER BY ?o ?e LIMIT 1"  # materializes ~50M rows
    response = httpx.get(running.sparql, params={"query": sort_everything}, timeout=60)
    assert response.status_code == 503 and "memory" in response.json()["detail"], response.text
    assert httpx.get(running.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30).json()["boolean"] is True


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_connections_that_never_finish_their_headers_are_closed(seed_build: Any, start_server: Any,
                                                                parser: str) -> None:
    """Slowloris: 100 connections send half a request and wait; the service closes each after the
    header deadline and keeps answering everyone else (bounded: 100 sockets, a few seconds) —
    with either HTTP parser."""
    running = start_server(["--data", str(seed_build.out)],
                           {"DIPKG_HEADER_TIMEOUT": "1", "DIPKG_WORKERS": "1", "DIPKG_HTTP": parser})
    host, port = running.url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(100):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        sockets.append(sock)
    try:
        assert httpx.get(running.url + "/health", timeout=5).status_code == 200
        time.sleep(2.5)
        closed = sum(1 for sock in sockets if sock.recv(1024) == b"")
        assert closed == len(sockets)
        assert httpx.get(running.url + "/health", timeout=5).status_code == 200
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_a_kept_alive_connection_still_works_after_the_header_deadline(seed_build: Any, start_server: Any,
                                                                       parser: str) -> None:
    running = start_server(["--data", str(seed_build.out)],
                           {"DIPKG_HEADER_TIMEOUT": "1", "DIPKG_WORKERS": "1", "DIPKG_HTTP": parser})
    with httpx.Client(base_url=running.url, timeout=5) as client:
        assert client.get("/health").status_code == 200
        time.sleep(0.5)  # within the keep-alive timeout (5 s), longer than nothing
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_headers_past_64_kb_are_refused_and_the_service_goes_on(seed_build: Any, start_server: Any,
                                                                parser: str) -> None:
    """A request whose headers never end but keep coming (one 70 KB header) is refused, not
    buffered without bound, with either parser; a POST with a large body is not mistaken for it."""
    running = start_server(["--data", str(seed_build.out)], {"DIPKG_WORKERS": "1", "DIPKG_HTTP": parser})
    host, port = running.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 70_000)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    big_body = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 60_000
    response = httpx.post(running.sparql, content=big_body, timeout=10,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
