"""``dipkg push`` with authentication, and ``serve --backend``, against a real Virtuoso Open Source
(Debian's ``virtuoso-opensource``; ``benchmarks/virtuoso.sh`` installs it).  Skipped where it is
not installed: it needs apt and root, which ``make test`` does not assume."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.server.conftest import launch, stop
from tests.test_push import release_counts

INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
MERGE = "https://w3id.org/dipkg/graph/merge"
pytestmark = pytest.mark.skipif(shutil.which("virtuoso-t") is None or not INI.is_file(),
                                reason="Virtuoso is not installed (sh benchmarks/virtuoso.sh installs it)")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private Virtuoso on free ports of 127.0.0.1, its database in a temporary folder."""
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = _port()
    text = INI.read_text(encoding="utf-8").replace("/var/lib/virtuoso-opensource-7/db", str(folder))
    sections = re.split(r"(?m)^(?=\[)", text)
    for i, section in enumerate(sections):
        port = {"[Parameters]": _port(), "[HTTPServer]": http_port}.get(section.split("\n", 1)[0].strip())
        if port is not None:
            sections[i] = re.sub(r"(?m)^ServerPort\s*=.*$", f"ServerPort = 127.0.0.1:{port}", section)
    (folder / "virtuoso.ini").write_text("".join(sections), encoding="utf-8")
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("Virtuoso did not start")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def push(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dipkg", "push", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_push_with_digest_auth_then_serve_from_virtuoso(virtuoso: str, seed_build: object, tmp_path: Path) -> None:
    out: Path = seed_build.out  # type: ignore[attr-defined]
    gsp = f"{virtuoso}/sparql-graph-crud-auth"
    state = str(tmp_path / "state.json")
    wrong = push("--to", gsp, "--auth", "dba:wrong", "--merge-graph", MERGE, "--data", str(out), "--state", state)
    assert wrong.returncode == 2
    [line] = wrong.stderr.strip().splitlines()
    assert "the store answered 401 Unauthorized" in line and "--auth user:pass" in line
    none = push("--to", gsp, "--merge-graph", MERGE, "--data", str(out), "--state", state)
    assert none.returncode == 2 and "401" in none.stderr
    done = push("--to", gsp, "--auth", "dba:dba", "--merge-graph", MERGE, "--data", str(out), "--state", state)
    assert done.returncode == 0, done.stderr
    served = launch(["--data", str(out), "--backend", f"{virtuoso}/sparql", "--backend-default-graph", MERGE],
                    tmp_path / "serve.log")
    try:
        answer = httpx.post(served.sparql, data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, answer.text
        per_graph, merged = release_counts(out)
        # the default graph is the merge (a set), not Virtuoso's union of every graph it holds
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == merged
        graphs = httpx.post(served.sparql, headers={"Accept": "application/sparql-results+json"}, data={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}).json()
        assert {b["g"]["value"]: int(b["n"]["value"]) for b in graphs["results"]["bindings"]} == per_graph
    finally:
        stop(served)
