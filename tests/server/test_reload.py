"""The running service follows new releases: every view moves together, readers see one version.

A real service serves a copy of the seed build; a real ``dipkg build`` of the seeds minus one
article publishes a new release into the same folder, and the service must then answer from it
(COUNT, the download's ETag, /about, the article's page) without a restart, while readers that
ask during the swap always get the numbers of the release their response names.  A release
whose store is corrupt is refused with one log line and the old one stays served.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from tests.server.conftest import ROOT, RunningServer

SEEDS = ROOT / "seeds"
DROPPED = "004_0ad484827421e4c7"  # the seed article the second release leaves out
DROPPED_PAGE = f"/id/article-{DROPPED}"
DROPPED_TITLE = "intends to continue dialogue with Russia"  # words of its title, for /search
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
SD_DEFAULT_GRAPH = "http://www.w3.org/ns/sparql-service-description#defaultGraph"
SWAP_WITHIN_S = 30.0  # a build of four articles plus the reload, on a busy 2-core machine


def copy_build(seed_build: Any, to: Path) -> Path:
    """A private copy of the session's seed build (links kept), which this test may publish into."""
    shutil.copytree(seed_build.out, to, symlinks=True)
    for marker in to.glob("releases/*/.serving-*"):
        marker.unlink()
    return to


def seeds_without(dropped: str, folder: Path) -> Path:
    """The seed folder minus one article (its file and its manifest table)."""
    folder.mkdir()
    for text in SEEDS.glob("*.txt"):
        if text.stem != dropped:
            shutil.copyfile(text, folder / text.name)
    head, *tables = (SEEDS / "articles.toml").read_text(encoding="utf-8").split("[[article]]")
    kept = [table for table in tables if dropped not in table]
    (folder / "articles.toml").write_text("[[article]]".join([head, *kept]), encoding="utf-8")
    return folder


def count(server: RunningServer) -> tuple[str, int]:
    """(release named by the response, COUNT(*) of the default graph)."""
    response = httpx.get(server.sparql, params={"query": COUNT}, timeout=30)
    response.raise_for_status()
    return response.headers["x-dipkg-release"], int(response.json()["results"]["bindings"][0]["n"]["value"])


def void_triples(server: RunningServer) -> tuple[str, int]:
    """(release named by the response, the service description's void:triples of the default graph)."""
    response = httpx.get(server.sparql, headers={"Accept": "application/n-triples"}, timeout=30)
    response.raise_for_status()
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    default = next(t.object for t in triples if t.predicate.value == SD_DEFAULT_GRAPH)
    value = next(t.object.value for t in triples if t.subject == default and t.predicate.value == VOID_TRIPLES)
    return response.headers["x-dipkg-release"], int(value)


def found_by_search(server: RunningServer) -> list[str]:
    response = httpx.get(f"{server.url}/search", params={"q": DROPPED_TITLE, "format": "json"}, timeout=30)
    response.raise_for_status()
    return [item["iri"] for item in response.json()["results"]]


def release_of(server: RunningServer) -> str:
    return str(httpx.get(f"{server.url}/health", timeout=10).json()["release"])


def wait_for(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


class Readers:
    """Threads asking COUNT and VoID in a loop until stopped (bounded: at most ``limit_s``)."""

    def __init__(self, server: RunningServer, threads: int = 3, limit_s: float = 60.0) -> None:
        self.server = server
        self.seen: dict[str, set[int]] = defaultdict(set)
        self.errors: list[str] = []
        self.answers = 0
        self._stop = threading.Event()
        self._deadline = time.monotonic() + limit_s
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self, i: int) -> None:
        ask = count if i % 2 == 0 else void_triples
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                release, value = ask(self.server)
            except (httpx.HTTPError, StopIteration, KeyError, ValueError) as err:
                with self._lock:
                    self.errors.append(f"{ask.__name__}: {err!r}")
                continue
            with self._lock:
                self.seen[release].add(value)
                self.answers += 1

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)


def test_a_new_release_is_served_whole_without_a_restart(seed_build: Any, tmp_path: Path,
                                                         start_server: Callable[..., RunningServer]) -> None:
    out = copy_build(seed_build, tmp_path / "out")
    server = start_server(["--data", str(out)], {"DIPKG_WORKERS": "2"})
    old = release_of(server)
    assert (out / "releases" / old / f".serving-{server.process.pid}").exists()
    old_count = count(server)
    assert old_count == (old, void_triples(server)[1])
    old_etag = httpx.get(f"{server.url}/download/dipkg.ttl", timeout=30).headers["etag"]
    assert old_etag == f'"{old}"'
    assert DROPPED in httpx.get(f"{server.url}/about", timeout=30).text
    assert httpx.get(f"{server.url}{DROPPED_PAGE}", timeout=30).status_code == 200
    assert found_by_search(server) == [f"https://w3id.org/dipkg/id/article-{DROPPED}"]

    readers = Readers(server)
    try:
        built = subprocess.run([sys.executable, "-m", "dipkg", "build", "--articles",
                                str(seeds_without(DROPPED, tmp_path / "four")), "--out", str(out)],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert built.returncode == 0, built.stderr
        new = (out / "current").resolve().name
        assert new != old
        assert wait_for(lambda: release_of(server) == new, SWAP_WITHIN_S), server.log_text()[-2000:]
        time.sleep(1.0)  # readers keep asking on the new release for a moment
    finally:
        readers.stop()

    # every view moved together
    new_count = count(server)
    assert new_count[0] == new and new_count[1] < old_count[1]
    assert void_triples(server) == new_count
    download = httpx.get(f"{server.url}/download/dipkg.ttl", timeout=30)
    assert download.headers["etag"] == f'"{new}"' and download.headers["x-dipkg-release"] == new
    assert download.content == (out / "releases" / new / "dipkg.ttl").read_bytes()
    assert httpx.get(f"{server.url}/download/dipkg.ttl", headers={"If-None-Match": old_etag},
                     timeout=30).status_code == 200  # the old ETag no longer matches
    assert DROPPED not in httpx.get(f"{server.url}/about", timeout=30).text
    assert httpx.get(f"{server.url}{DROPPED_PAGE}", timeout=30).status_code == 404
    assert found_by_search(server) == []

    # readers during the swap: only the two releases, each with its own numbers, COUNT = VoID
    assert not readers.errors, readers.errors[:5]
    assert set(readers.seen) == {old, new}, dict(readers.seen)
    assert readers.seen[new] == {new_count[1]}
    assert readers.seen[old] == {old_count[1]}

    # the old release is released once its last reader is done; the new one is marked
    marker = f".serving-{server.process.pid}"
    assert wait_for(lambda: not (out / "releases" / old / marker).exists(), 10)
    assert (out / "releases" / new / marker).exists()
    assert "now serving release " + new in server.log_text()


def corrupt_copy(release: Path, to: Path) -> Path:
    """A copy of a release whose store files are garbage (pyoxigraph: "Corruption: …")."""
    shutil.copytree(release, to, symlinks=True)
    for marker in to.glob(".serving-*"):
        marker.unlink()
    for part in (to / "store").iterdir():
        part.write_bytes(b"not a store\n")
    return to


def test_a_corrupt_store_at_start_is_one_line(seed_build: Any, tmp_path: Path) -> None:
    """Was a traceback: pyoxigraph reports a corrupt store as RuntimeError, not OSError."""
    out = copy_build(seed_build, tmp_path / "out")
    release = (out / "current").resolve()
    shutil.rmtree(release)
    corrupt_copy(seed_build.out / "current", release)
    started = subprocess.run([sys.executable, "-m", "dipkg", "serve", "--data", str(out), "--port", "0"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert started.returncode == 2
    assert started.stderr.strip().splitlines() == [
        f"dipkg serve: error: {release / 'store'}: cannot open the store: Corruption: CURRENT file corrupted"]


def test_a_broken_release_is_refused_and_the_old_one_stays_served(
        seed_build: Any, tmp_path: Path, start_server: Callable[..., RunningServer]) -> None:
    out = copy_build(seed_build, tmp_path / "out")
    server = start_server(["--data", str(out)], {"DIPKG_WORKERS": "1"})
    good = release_of(server)
    before = count(server)

    def point_current_at(name: str) -> None:
        link = out / ".current.test.tmp"
        link.symlink_to(f"releases/{name}")
        link.replace(out / "current")

    broken = corrupt_copy(out / "releases" / good, out / "releases" / "0000brokenstore0")
    point_current_at(broken.name)
    refused = f"not serving the new release {broken}"
    assert wait_for(lambda: refused in server.log_text(), 15), server.log_text()[-2000:]
    time.sleep(1.5)  # another look at the same broken release: refused once, not once a second
    assert server.log_text().count(refused) == 1
    assert next(line for line in server.log_text().splitlines() if refused in line).startswith(refused)
    assert count(server) == before
    assert httpx.get(f"{server.url}/download/dipkg.ttl", timeout=30).headers["etag"] == f'"{good}"'

    # a good release published after the broken one is served
    repaired = out / "releases" / "0000repairedcopy"
    shutil.copytree(out / "releases" / good, repaired, symlinks=True)
    for marker in repaired.glob(".serving-*"):
        marker.unlink()
    point_current_at(repaired.name)
    assert wait_for(lambda: release_of(server) == repaired.name, 15), server.log_text()[-2000:]
    assert count(server) == (repaired.name, before[1])


def test_following_can_be_switched_off(seed_build: Any, tmp_path: Path,
                                       start_server: Callable[..., RunningServer]) -> None:
    out = copy_build(seed_build, tmp_path / "out")
    server = start_server(["--data", str(out)], {"DIPKG_WORKERS": "1", "DIPKG_RELOAD_INTERVAL": "0"})
    served = release_of(server)
    copy = out / "releases" / "0000anothercopy0"
    shutil.copytree(out / "releases" / served, copy, symlinks=True)
    link = out / ".current.test.tmp"
    link.symlink_to(f"releases/{copy.name}")
    link.replace(out / "current")
    time.sleep(2.5)
    assert release_of(server) == served
