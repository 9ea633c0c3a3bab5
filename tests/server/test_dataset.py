"""What the service serves: the release's own store, opened as it is, kept while in use; and no
private store left behind by a service that died."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from dipkg.cli import main
from dipkg.graph.publish import current_release
from dipkg.server.dataset import PRIVATE_PREFIX, sweep_private_stores
from tests.server.conftest import RunningServer, stop

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/dipkg/ontology#Article> }"


def _count(running: RunningServer) -> str:
    return httpx.get(running.sparql, params={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30).text


def test_the_service_reads_the_release_store_and_keeps_it_through_rebuilds(
        seed_build, tmp_path: Path, start_server, article_folder) -> None:
    from dipkg.graph.build import publish

    out = tmp_path / "out"
    publish(seed_build.result, out)
    release = current_release(out)
    assert release is not None
    # not following new releases (DIPKG_RELOAD_INTERVAL=0): the loaded release is read until the
    # end, and its marker keeps rebuilds from sweeping it (test_reload.py: following them)
    running = start_server(["--data", str(out)], {"DIPKG_WORKERS": "1", "DIPKG_RELOAD_INTERVAL": "0"})
    pid = running.process.pid
    assert (release / f".serving-{pid}").exists()
    assert not list(Path(tempfile.gettempdir()).glob(f"{PRIVATE_PREFIX}{pid}-*"))  # nothing copied
    before = _count(running)
    for n, text in enumerate(("Shinzo Abe met Vladimir Putin in Moscow.\n", "Shinzo Abe visited Sochi.\n")):
        folder = article_folder(tmp_path / f"articles-{n}", {"a.txt": text})
        assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    assert release.is_dir()  # two rebuilds later, still there: a live service reads it
    assert _count(running) == before
    stop(running)
    assert not (release / f".serving-{pid}").exists()


def test_private_stores_of_dead_services_are_swept(tmp_path: Path) -> None:
    dead = Path(tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{2**22 + 12345}-"))  # above any pid_max
    mine = Path(tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-"))
    try:
        sweep_private_stores()
        assert not dead.exists() and mine.exists()
    finally:
        for folder in (dead, mine):
            if folder.exists():
                os.rmdir(folder)


def _serve_fails(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dipkg", "serve", "--data", str(data), "--port", "0"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "DIPKG_WORKERS": "1"})


@pytest.mark.parametrize("damage", ["truncate", "append", "delete"])
def test_a_release_whose_files_changed_after_publishing_is_refused(previous_build: Path, damage: str) -> None:
    """Issue 7, 12: a dipkg.nq cut short (a full disk, a copy interrupted) was served as it was."""
    release = current_release(previous_build)
    assert release is not None
    nq = release / "dipkg.nq"
    if damage == "truncate":
        nq.write_bytes(nq.read_bytes()[: nq.stat().st_size // 2])
    elif damage == "append":
        with nq.open("ab") as file:
            file.write(b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    else:
        nq.unlink()
    done = _serve_fails(previous_build)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "dipkg.nq" in lines[0] and "Traceback" not in done.stderr, done.stderr


def test_an_intact_release_records_the_size_of_every_file(previous_build: Path) -> None:
    release = current_release(previous_build)
    assert release is not None
    info = json.loads((release / "store-info.json").read_text(encoding="utf-8"))
    served = {p.name for p in release.iterdir()
              if p.is_file() and p.name != "store-info.json" and not p.name.startswith(".")}
    assert set(info["files"]) == served and {"dipkg.nq", "dipkg.trig", "dipkg.ttl"} <= served
    assert all(info["files"][name] == (release / name).stat().st_size for name in served)
