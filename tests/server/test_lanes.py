"""Slow queries never starve fast ones; each client gets its turn; one time budget per request.

Each test starts its own real server on the seed build and sends real HTTP requests.  The
expensive queries are of two kinds: a cartesian product of whole-store scans (its shape sends it
straight to the slow lane) and a three-way self-join on a shared predicate, which no shape rule
catches and which must be demoted while it runs.  Assertions count what happened (every fast
answer arrived while every slow query was still running; how many queries each lane holds, as
``/health`` reports it); the only times checked are the time limits themselves, in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx
import pytest

from dipkg.server.app import Service
from dipkg.server.config import Settings
from dipkg.server.cost import cartesian_product
from dipkg.server.dataset import load_dataset
from dipkg.server.engine import QueryEngine, QueryRequest, QueryTimeout, Solutions
from dipkg.server.provenance import annotate

from .conftest import RunningServer

LIMIT_S = 8.0
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {}"
# not a cartesian product by shape (the patterns share ?p), but |p|³ rows for rdf:type
SELF_JOIN = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?p ?c . ?d ?p ?f . ?g ?p ?i }} # {}"
FAST = [
    "ASK { ?s ?p ?o }",
    "SELECT ?label WHERE { <https://w3id.org/dipkg/id/Shinzo_Abe> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/dipkg/ontology#Meeting> }",
]


def client_from(address: str, server: RunningServer) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z is loopback): the
    service tells clients apart by peer address."""
    return httpx.Client(base_url=server.url, timeout=60,
                        transport=httpx.HTTPTransport(local_address=address))


@pytest.fixture
def lanes_server(seed_build: Any, start_server: Callable[..., RunningServer]) -> RunningServer:
    return start_server(["--data", str(seed_build.out)],
                        {"DIPKG_QUERY_TIMEOUT": str(LIMIT_S), "DIPKG_WORKERS": "2", "DIPKG_SLOW_WORKERS": "1",
                         "DIPKG_SLOW_PER_CLIENT": "1", "DIPKG_FAST_BUDGET": "0.3"})


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


def lanes(server: RunningServer) -> dict[str, int]:
    return dict(httpx.get(f"{server.url}/health", timeout=10).json()["lanes"])


def wait_for(server: RunningServer, ok: Callable[[dict[str, int]], bool], seconds: float = 6.0) -> dict[str, int]:
    """Poll /health until its lane counts satisfy ``ok`` (or give up and return the last ones)."""
    end = time.monotonic() + seconds
    counts = lanes(server)
    while not ok(counts) and time.monotonic() < end:
        time.sleep(0.1)
        counts = lanes(server)
    return counts


def test_fast_queries_never_wait_behind_slow_ones(lanes_server: RunningServer, pool: ThreadPoolExecutor) -> None:
    """Four slow clients (more than there are workers) and one fast client: every fast answer
    comes back, 200, while all the slow queries are still running or waiting."""
    slow_clients = [client_from(f"127.0.0.{10 + i}", lanes_server) for i in range(4)]
    queries = [CARTESIAN.format(0), SELF_JOIN.format(1), SELF_JOIN.format(2), CARTESIAN.format(3)]
    slow: list[Future[httpx.Response]] = [
        pool.submit(c.get, "/sparql", params={"query": q}) for c, q in zip(slow_clients, queries, strict=True)]
    # the self-joins start in the fast lane and must be moved out of it (and the workers they
    # leave or lose there replaced)
    counts = wait_for(lanes_server, lambda c: c["fast_running"] == 0 and c["fast_idle"] == 2
                      and c["slow_running"] + c["slow_waiting"] == 4)
    assert (counts["fast_running"], counts["fast_idle"]) == (0, 2), counts
    with client_from("127.0.0.2", lanes_server) as fast:
        for i in range(30):
            response = fast.get("/sparql", params={"query": FAST[i % len(FAST)]})
            assert response.status_code == 200, response.text
            assert not any(f.done() for f in slow), f"fast answer {i} came after a slow query ended"
    statuses = [f.result().status_code for f in slow]
    assert statuses == [503] * 4, [f.result().text for f in slow]
    details = [f.result().json()["detail"] for f in slow]
    assert all(f"{LIMIT_S:g} s time limit" in d for d in details), details
    health = httpx.get(f"{lanes_server.url}/health", timeout=10).json()
    # both self-joins left the fast lane: moved with their worker, or stopped and queued
    assert health["lanes"]["demoted"] + health["workers_replaced"] >= 2, health
    for c in slow_clients:
        c.close()


def test_one_client_cannot_hold_the_slow_lane(seed_build: Any, start_server: Callable[..., RunningServer],
                                              pool: ThreadPoolExecutor) -> None:
    """A client with three slow queries runs one at a time in the slow lane; another client's slow
    query runs at once in the second slow worker rather than queueing behind them."""
    server = start_server(["--data", str(seed_build.out)],
                          {"DIPKG_QUERY_TIMEOUT": str(LIMIT_S), "DIPKG_WORKERS": "1", "DIPKG_SLOW_WORKERS": "2",
                           "DIPKG_SLOW_PER_CLIENT": "1"})
    greedy, other = client_from("127.0.0.20", server), client_from("127.0.0.21", server)
    futures = [pool.submit(greedy.get, "/sparql", params={"query": CARTESIAN.format(i)}) for i in range(3)]
    counts = wait_for(server, lambda c: c["slow_running"] == 1 and c["slow_waiting"] == 2)
    assert (counts["slow_running"], counts["slow_waiting"], counts["slow_idle"]) == (1, 2, 1), counts
    futures.append(pool.submit(other.get, "/sparql", params={"query": CARTESIAN.format("other")}))
    counts = wait_for(server, lambda c: c["slow_running"] == 2)
    assert (counts["slow_running"], counts["slow_waiting"]) == (2, 2), counts
    # and the fast lane is untouched by all of it
    assert other.get("/sparql", params={"query": FAST[0]}).status_code == 200
    assert not any(f.done() for f in futures)
    assert [f.result().status_code for f in futures] == [503] * 4
    greedy.close()
    other.close()


def test_a_request_never_answers_after_its_limit(seed_build: Any, start_server: Callable[..., RunningServer],
                                                 pool: ThreadPoolExecutor) -> None:
    """The time limit covers waiting for a worker as well as running: a request queued behind a
    slow one gets its 503 at its own limit, naming it; and a request whose time is used up gets
    a 503 before anything runs."""
    server = start_server(["--data", str(seed_build.out)],
                          {"DIPKG_QUERY_TIMEOUT": str(LIMIT_S), "DIPKG_WORKERS": "1", "DIPKG_SLOW_WORKERS": "1"})
    with client_from("127.0.0.30", server) as one:
        first = pool.submit(one.get, "/sparql", params={"query": CARTESIAN.format("a")})
        wait_for(server, lambda c: c["slow_running"] == 1)
        started = time.monotonic()
        queued = one.get("/sparql", params={"query": CARTESIAN.format("b"), "timeout": "2"})
        waited = time.monotonic() - started
        assert queued.status_code == 503
        assert "2 s time limit" in queued.json()["detail"]
        assert 1.5 <= waited <= 2 + 2.5, waited
        assert first.result().status_code == 503


@pytest.fixture
def service(seed_build: Any) -> Iterator[Service]:
    """The service's dataset and engine over the seed build, in this process."""
    settings = Settings(data_dir=seed_build.out, workers=1, query_timeout=LIMIT_S)
    dataset = load_dataset(settings)
    engine = QueryEngine(dataset, settings)
    yield Service(settings, dataset, engine, time.time())
    engine.close()
    dataset.close()


def test_the_deadline_bounds_a_query_below_its_limit(service: Service) -> None:
    """``QueryRequest.deadline`` is the request's: a query started with 1.5 s of it left is
    stopped then, not at the 8 s limit, and one with none left never runs."""
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=f"{LIMIT_S:g} s time limit"):
        service.engine.execute(QueryRequest(SELF_JOIN.format("d"), deadline=started + 1.5))
    assert time.monotonic() - started <= 1.5 + 2.5
    with pytest.raises(QueryTimeout, match="used up"):
        service.engine.execute(QueryRequest(FAST[0], deadline=time.monotonic() - 0.1))


def test_provenance_shares_the_requests_time_budget(service: Service) -> None:
    """provenance's follow-up queries carry the user's deadline: with the time used up they do
    not get a fresh limit each, and every solution says why it is not traced."""
    request = QueryRequest("SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 3")
    result = service.engine.execute(request)
    assert isinstance(result, Solutions) and len(result.rows) == 3
    traced = annotate(service, request, result)
    assert all(report["sources"] or report["registry"] for report in traced)
    late = annotate(service, replace(request, deadline=time.monotonic() - 0.1), result)
    assert len(late) == 3
    assert all("used up" in item["message"] for report in late for item in report["untraced"]), late


@pytest.mark.parametrize(("query", "slow"), [
    ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", True),
    ("SELECT * { { ?a ?b ?c } UNION { ?d ?e ?f } }", True),
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("SELECT * WHERE { ?s ?p ?o . ?s ?q ?r }", False),  # joined on ?s: a star, not a product
    ("SELECT ?a ?b ?c WHERE { ?a ?b ?c } GROUP BY ?a ?b ?c", False),  # the projection is no pattern
    ('SELECT * WHERE { ?s ?p "?a ?b ?c . ?d ?e ?f" }', False),  # nor is a string
    ("SELECT * WHERE { ?s ?p ?o # ?a ?b ?c . ?d ?e ?f }\n}", False),  # nor a comment
])
def test_a_cartesian_product_is_known_by_its_shape(query: str, slow: bool) -> None:
    assert cartesian_product(query) is slow
