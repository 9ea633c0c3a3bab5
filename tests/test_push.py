"""``dipkg push``: the release into a real ``oxigraph serve`` over the Graph Store Protocol."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from dipkg.graph.push import default_state_file, graph_url, graphs_of
from tests.conftest import ROOT, OxigraphServer


def dipkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dipkg", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def count(server: OxigraphServer, query: str) -> int:
    response = httpx.post(server.query, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def release_counts(out: Path) -> tuple[dict[str, int], int]:
    """Triples per named graph, and in the merge of all graphs (a set), read from the release."""
    per_graph: dict[str, set[str]] = {}
    merge: set[str] = set()
    for quad in ox.parse(path=str(out / "dipkg.nq"), format=ox.RdfFormat.N_QUADS):
        line = f"{quad.subject} {quad.predicate} {quad.object}"
        per_graph.setdefault(str(quad.graph_name.value), set()).add(line)  # type: ignore[union-attr]
        merge.add(line)
    return {g: len(t) for g, t in per_graph.items()}, len(merge)


def test_push_loads_every_graph_and_the_merge_then_resumes(seed_build: object, oxigraph: OxigraphServer,
                                                            tmp_path: Path) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    state = tmp_path / "state.json"
    first = dipkg("push", "--to", oxigraph.store, "--data", str(out), "--state", str(state), "--batch", "1000")
    assert first.returncode == 0, first.stderr
    per_graph, merged = release_counts(out)
    # every named graph holds exactly what the release holds, and the default graph is the merge
    for iri, n in per_graph.items():
        assert count(oxigraph, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}") == n, iri
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == merged
    assert "[1/" in first.stderr and "triples" in first.stderr  # progress on stderr
    assert "triples/s" in first.stdout
    recorded = json.loads(state.read_text())["graphs"]
    assert set(recorded) == {*per_graph, ""}

    again = dipkg("push", "--to", oxigraph.store, "--data", str(out), "--state", str(state))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("pushed 0 graphs") and f"{len(per_graph) + 1} already there" in again.stdout
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == merged


def test_a_push_of_a_smaller_release_deletes_the_graphs_it_no_longer_has(seed_build: object, oxigraph: OxigraphServer,
                                                                          tmp_path: Path) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    state = tmp_path / "state.json"
    assert dipkg("push", "--to", oxigraph.store, "--data", str(out), "--state", str(state)).returncode == 0
    article = next(g.iri for g in graphs_of(out / "dipkg.nq") if "/id/article-" in g.iri)
    kept = [line for line in (out / "dipkg.nq").read_text(encoding="utf-8").splitlines()
            if not line.endswith(f"<{article}> .")]
    smaller = tmp_path / "smaller.nq"
    smaller.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert dipkg("load", str(smaller), "--out", str(tmp_path / "small")).returncode == 0
    second = dipkg("push", "--to", oxigraph.store, "--data", str(tmp_path / "small"), "--state", str(state))
    assert second.returncode == 0, second.stderr
    assert "1 deleted" in second.stdout
    assert count(oxigraph, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{article}> {{ ?s ?p ?o }} }}") == 0
    # the default graph was pushed again (its content changed): the merge of what is left
    _, merged = release_counts(tmp_path / "small")
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == merged


def test_a_merge_graph_instead_of_the_default_graph(seed_build: object, oxigraph: OxigraphServer,
                                                     tmp_path: Path) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    merge = "https://w3id.org/dipkg/graph/merge-test"
    done = dipkg("push", "--to", oxigraph.store, "--data", str(out), "--state", str(tmp_path / "s.json"),
                 "--merge-graph", merge)
    assert done.returncode == 0, done.stderr
    _, merged = release_counts(out)
    assert count(oxigraph, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{merge}> {{ ?s ?p ?o }} }}") == merged
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_errors_are_one_line(seed_build: object, oxigraph: OxigraphServer, tmp_path: Path) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    refused = dipkg("push", "--to", f"http://127.0.0.1:{_closed_port()}/store", "--data", str(out),
                    "--state", str(tmp_path / "s.json"))
    assert refused.returncode == 2
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("dipkg push: error: cannot connect to http://127.0.0.1:")
    # the query endpoint is not a Graph Store: the store's answer is named, with what to do
    wrong = dipkg("push", "--to", oxigraph.query, "--data", str(out), "--state", str(tmp_path / "s.json"))
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    last = wrong.stderr.strip().splitlines()[-1]
    assert last.startswith("dipkg push: error: PUT <") and "the store answered 4" in last
    missing = dipkg("push", "--to", oxigraph.store, "--data", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "dipkg.nq: not found" in missing.stderr
    assert dipkg("push", "--to", "ftp://x", "--data", str(out)).returncode == 2
    both = dipkg("push", "--to", oxigraph.store, "--data", str(out), "--auth", "a:b", "--token", "t")
    assert both.returncode == 2 and "not both" in both.stderr


def test_graph_addresses_and_the_default_state_file(tmp_path: Path) -> None:
    assert graph_url("http://h/store", "") == "http://h/store?default"
    assert graph_url("http://h/store", "https://w3id.org/dipkg/id/a#b") == \
        "http://h/store?graph=https%3A%2F%2Fw3id.org%2Fdipkg%2Fid%2Fa%23b"
    assert graph_url("http://h/sparql-graph-crud?x=1", "") == "http://h/sparql-graph-crud?x=1&default"
    assert default_state_file(tmp_path, "http://a/store") != default_state_file(tmp_path, "http://b/store")


@pytest.mark.parametrize("batch", ["0", "-5"])
def test_a_batch_below_one_is_refused(seed_build: object, oxigraph: OxigraphServer, tmp_path: Path,
                                      batch: str) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    done = dipkg("push", "--to", oxigraph.store, "--data", str(out), "--state", str(tmp_path / "s"), "--batch", batch)
    assert done.returncode == 2 and "--batch must be at least 1" in done.stderr


def test_ingest_and_remove_with_to_push_only_what_changed(seed_build: object, oxigraph: OxigraphServer,
                                                          tmp_path: Path) -> None:
    """``dipkg ingest --to URL`` / ``dipkg remove --to URL``: the change goes on to the store, and
    the graphs it did not touch (the other articles', the ontology) are not sent again."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seed_build.out, data, symlinks=True)  # type: ignore[attr-defined]
    state = tmp_path / "state.json"
    assert dipkg("push", "--to", oxigraph.store, "--data", str(data), "--state", str(state)).returncode == 0
    article = tmp_path / "vladivostok.txt"
    article.write_text("Japanese Prime Minister Shinzo Abe met Russian President Vladimir Putin in "
                       "Vladivostok on Thursday.\n", encoding="utf-8")
    added = dipkg("ingest", str(article), "--data", str(data), "--published", "2016-09-02", "--title", "A test",
                  "--to", oxigraph.store, "--state", str(state))
    assert added.returncode == 0, added.stderr
    pushed = next(line for line in added.stdout.splitlines() if line.startswith("pushed "))
    skipped = int(pushed.split(";")[1].split()[0])
    assert skipped >= 6  # the five seed articles' graphs and the ontology were already there
    per_graph, merged = release_counts(data)
    assert "https://w3id.org/dipkg/id/article-vladivostok" in per_graph
    for iri, n in per_graph.items():
        assert count(oxigraph, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}") == n, iri
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == merged

    removed = dipkg("remove", "vladivostok.txt", "--data", str(data), "--to", oxigraph.store, "--state", str(state))
    assert removed.returncode == 0, removed.stderr
    assert "1 deleted" in removed.stdout
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { GRAPH <https://w3id.org/dipkg/id/article-vladivostok> "
                           "{ ?s ?p ?o } }") == 0
    assert count(oxigraph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == release_counts(data)[1]
