"""``dipkg serve --backend URL``: the seed build pushed into a real ``oxigraph serve``, served from
it, and compared with the embedded service (the session's ``server``) answer for answer."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import OxigraphServer, start_oxigraph
from tests.server.conftest import ROOT, Listener, RunningServer, free_port, launch, stop

EXAMPLES = sorted((ROOT / "examples").glob("*.rq"))
JSON = {"Accept": "application/sparql-results+json"}
#: A query no store finishes in seconds: a count over a four-way cross join of the whole graph.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(seed_build: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """The seed build pushed by ``dipkg push`` into an oxigraph serve that stops its own queries
    after 5 s (so the time-limit test leaves no query running)."""
    out: Path = seed_build.out  # type: ignore[attr-defined]
    folder = tmp_path_factory.mktemp("backend")
    running = start_oxigraph(folder / "store", "--timeout-s", "5")
    pushed = subprocess.run([sys.executable, "-m", "dipkg", "push", "--to", running.store, "--data", str(out),
                             "--state", str(folder / "state.json")], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert pushed.returncode == 0, pushed.stderr
    yield running
    running.stop()


@pytest.fixture(scope="module")
def remote(seed_build: object, store: OxigraphServer,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    log = tmp_path_factory.mktemp("remote") / "server.log"
    running = launch(["--data", str(out), "--backend", store.query], log,
                     {"DIPKG_QUERY_TIMEOUT": "3", "DIPKG_WORKERS": "2"})
    yield running
    stop(running)


def ask(server: RunningServer, query: str, **params: str) -> httpx.Response:
    return httpx.post(server.sparql, data={"query": query, **params}, headers=JSON, timeout=30)


def rows(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return list(response.json()["results"]["bindings"])


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_readme_examples_answer_the_same(server: RunningServer, remote: RunningServer, example: Path) -> None:
    query = example.read_text(encoding="utf-8")
    embedded, pushed = rows(ask(server, query)), rows(ask(remote, query))
    assert pushed, "an example with no answer compares nothing"
    assert pushed == embedded


def test_counts_are_equal_with_set_semantics(server: RunningServer, remote: RunningServer) -> None:
    for query in ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                  "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                  "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"):
        assert rows(ask(remote, query)) == rows(ask(server, query)), query
    # the default graph is the merge: fewer triples than the named graphs hold together
    merged = int(rows(ask(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))[0]["n"]["value"])
    summed = int(rows(ask(remote, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))[0]["n"]["value"])
    assert 0 < merged < summed


def test_provenance_is_the_same(server: RunningServer, remote: RunningServer) -> None:
    query = EXAMPLES[0].read_text(encoding="utf-8")
    embedded = ask(server, query, provenance="true").json()
    pushed = ask(remote, query, provenance="true").json()
    assert pushed["provenance"] and pushed["provenance"] == embedded["provenance"]
    assert any(source["sentences"] for entry in pushed["provenance"] for source in entry["sources"])


def test_graphs_asks_formats_caps_and_the_inferred_switch(server: RunningServer, remote: RunningServer) -> None:
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/dipkg/ontology#Meeting> ; ?p ?o }"
    nt = {"Accept": "application/n-triples"}
    a = httpx.post(remote.sparql, data={"query": construct}, headers=nt, timeout=30)
    b = httpx.post(server.sparql, data={"query": construct}, headers=nt, timeout=30)
    assert a.status_code == 200 and sorted(a.text.splitlines()) == sorted(b.text.splitlines())
    assert ask(remote, "ASK { ?s a <https://w3id.org/dipkg/ontology#Meeting> }").json()["boolean"] is True
    capped = ask(remote, "SELECT * WHERE { ?s ?p ?o }", **{"max-rows": "3"})
    assert len(rows(capped)) == 3 and capped.headers["X-Dipkg-Truncated"] == "true"
    assert capped.json()["dipkg"] == {"truncated": True, "rowLimit": 3}
    # without the inferred graph: inferred-only triples are gone, as on the embedded service
    involved = "SELECT (COUNT(*) AS ?n) WHERE { ?p <https://w3id.org/dipkg/ontology#involvedIn> ?f }"
    assert rows(ask(remote, involved, inferred="false")) == rows(ask(server, involved, inferred="false"))
    assert rows(ask(remote, involved, inferred="false"))[0]["n"]["value"] == "0"


def test_the_screen_still_holds(remote: RunningServer, tcp_listener: Listener) -> None:
    refused = ask(remote, f"SELECT * WHERE {{ SERVICE <{tcp_listener.url}/sparql> {{ ?s ?p ?o }} }}")
    assert refused.status_code == 403 and "SERVICE" in refused.json()["detail"]
    remote_from = ask(remote, f"SELECT * FROM <{tcp_listener.url}/g> WHERE {{ ?s ?p ?o }}")
    assert remote_from.status_code == 403
    update = ask(remote, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert update.status_code == 403
    assert tcp_listener.contacts == []
    bad = ask(remote, "SELECT * WHERE { ?s ?p }")
    assert bad.status_code == 400 and bad.json()["error"] == "Bad Request"


def test_pages_and_downloads(server: RunningServer, remote: RunningServer) -> None:
    for path in ("/", "/browse", "/download/dipkg.nq", "/graph-store?graph=https://w3id.org/dipkg/graph/ontology"):
        a, b = httpx.get(remote.url + path, timeout=30), httpx.get(server.url + path, timeout=30)
        assert a.status_code == b.status_code == 200, path
    assert httpx.get(remote.url + "/download/dipkg.nq").content == httpx.get(server.url + "/download/dipkg.nq").content
    first = "SELECT ?m WHERE { ?m a <https://w3id.org/dipkg/ontology#Meeting> } ORDER BY ?m LIMIT 1"
    meeting = rows(ask(remote, first))
    page = meeting[0]["m"]["value"].replace("https://w3id.org/dipkg/", "/")
    a = httpx.get(remote.url + page, headers={"Accept": "text/html"}, timeout=30)
    b = httpx.get(server.url + page, headers={"Accept": "text/html"}, timeout=30)
    assert a.status_code == b.status_code == 200
    assert a.text.count("<li") == b.text.count("<li")
    description = httpx.get(remote.sparql, headers={"Accept": "application/n-triples"}, timeout=30)
    assert description.status_code == 200 and "void#triples" in description.text


def test_a_huge_answer_is_cut_as_it_streams(remote: RunningServer) -> None:
    """93 million rows on the backend; the service reads ten and drops the connection."""
    started = time.monotonic()
    cut = ask(remote, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", **{"max-rows": "10"})
    assert len(rows(cut)) == 10 and cut.json()["dipkg"]["truncated"] is True
    assert time.monotonic() - started < 3


def test_a_backend_timeout_is_504(remote: RunningServer) -> None:
    started = time.monotonic()
    late = ask(remote, SLOW, timeout="1")
    assert late.status_code == 504, late.text
    assert time.monotonic() - started < 4
    assert late.json()["error"] == "Gateway Timeout" and "1 s time limit" in late.json()["detail"]
    assert rows(ask(remote, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"))  # the service goes on


def test_a_backend_that_is_down_is_502(seed_build: object, start_server: Any) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    down = start_server(["--data", str(out), "--backend", f"http://127.0.0.1:{free_port()}/query"])
    response = ask(down, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert response.status_code == 502
    body = response.json()
    assert body["error"] == "Bad Gateway" and "cannot be reached: connection refused" in body["detail"]
    assert httpx.get(down.url + "/health").status_code == 200
    assert httpx.get(down.url + "/download/dipkg.ttl").status_code == 200  # the files are still served


def test_a_backend_that_fails_is_502(seed_build: object, start_server: Any, tcp_listener: Listener) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    failing = start_server(["--data", str(out), "--backend", tcp_listener.url + "/sparql"])
    response = ask(failing, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert response.status_code == 502 and "answered 500" in response.json()["detail"]


def test_backend_needs_a_release_and_a_web_address(tmp_path: Path) -> None:
    for args in (["--rdf", str(ROOT / "ontology" / "dipkg.ttl"), "--backend", "http://127.0.0.1:1/q"],
                 ["--backend", "127.0.0.1:7878/query"]):
        done = subprocess.run([sys.executable, "-m", "dipkg", "serve", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2 and done.stderr.startswith("dipkg serve: error:"), done.stderr
