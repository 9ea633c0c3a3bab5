"""``--allow-service ENDPOINT``: SERVICE to exactly the endpoints named, every other SERVICE still
refused — against a real ``oxigraph serve`` on 127.0.0.1 as the remote endpoint (the README's
Wikidata example is never contacted from tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.conftest import OxigraphServer
from tests.server.conftest import Listener, RunningServer

JSON = {"Accept": "application/sparql-results+json"}


def federated(endpoint: str) -> str:
    return f"SELECT ?o WHERE {{ SERVICE <{endpoint}> {{ <urn:x:leader> <urn:x:name> ?o }} }}"


def ask(server: RunningServer, query: str) -> httpx.Response:
    return httpx.post(server.sparql, data={"query": query}, headers=JSON, timeout=30)


def test_service_reaches_exactly_the_allowed_endpoint(seed_build: object, start_server: Any, oxigraph: OxigraphServer,
                                                      tcp_listener: Listener) -> None:
    put = httpx.put(oxigraph.store + "?default", content=b'<urn:x:leader> <urn:x:name> "Ada" .\n',
                    headers={"Content-Type": "application/n-triples"})
    assert put.status_code in (201, 204)
    out: Path = seed_build.out  # type: ignore[attr-defined]
    allowed = start_server(["--data", str(out), "--allow-service", oxigraph.query])
    answer = ask(allowed, federated(oxigraph.query))
    assert answer.status_code == 200, answer.text
    assert [b["o"]["value"] for b in answer.json()["results"]["bindings"]] == ["Ada"]
    # SILENT and a prefixed name that resolves to the same IRI are the same endpoint
    base, _, local = oxigraph.query.rpartition("/")
    spelled = f"PREFIX ep: <{base}/> SELECT ?o WHERE {{ SERVICE SILENT ep:{local} {{ ?s ?p ?o }} }}"
    assert ask(allowed, spelled).status_code == 200
    # any other endpoint, a variable endpoint, or a glued spelling: refused, never contacted
    for query in (federated(tcp_listener.url + "/sparql"),
                  federated(oxigraph.query + "/other"),
                  f"SELECT * WHERE {{ VALUES ?e {{ <{tcp_listener.url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE<{tcp_listener.url}>{{ ?s ?p ?o }} }}"):
        refused = ask(allowed, query)
        assert refused.status_code == 403, query
        assert "allowed only for" in refused.json()["detail"]
    assert tcp_listener.contacts == []
    assert httpx.get(allowed.url + "/health").json()["sandbox"] == "none"  # SERVICE needs sockets


def test_without_the_switch_every_service_is_refused(server: RunningServer, oxigraph: OxigraphServer) -> None:
    refused = ask(server, federated(oxigraph.query))
    assert refused.status_code == 403 and "disabled" in refused.json()["detail"]
    assert httpx.get(server.url + "/health").json()["sandbox"] == "seccomp"
