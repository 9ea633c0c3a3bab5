"""Fixtures for the service tests: the real server, started with uvicorn on 127.0.0.1.

``server`` is one service for the whole session, serving the seed build (from the shared
``seed_build`` fixture) with a short query time limit so that the time-limit tests stay quick.
``start_server`` starts another one with other settings, for tests that need them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_TIMEOUT_S = 3.0


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(args: list[str], log: Path, env: dict[str, str] | None = None, wait: float = 60) -> RunningServer:
    """Start ``dipkg serve ARGS`` on a free port and wait until /health answers."""
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "graph.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=ROOT, env=full_env, stdout=handle, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return RunningServer(url, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start within {wait} s:\n{log.read_text()}")


def stop(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def server(seed_build: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    out = seed_build.out  # type: ignore[attr-defined]
    log = tmp_path_factory.mktemp("server") / "server.log"
    running = launch(["--data", str(out)], log, {"DIPKG_QUERY_TIMEOUT": str(TEST_TIMEOUT_S), "DIPKG_WORKERS": "2"})
    yield running
    stop(running)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    """Start another server with other arguments/environment; stopped after the test."""
    started: list[RunningServer] = []

    def start(args: list[str], env: dict[str, str] | None = None) -> RunningServer:
        running = launch(args, tmp_path / f"server-{len(started)}.log", env)
        started.append(running)
        return running

    yield start
    for running in started:
        stop(running)
