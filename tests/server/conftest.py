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
import threading
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
        [sys.executable, "-m", "dipkg", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
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


class Listener:
    """A real TCP server on 127.0.0.1, in a thread, that records every connection made to it.

    The attack tests point ``SERVICE`` and ``FROM`` at it: the service must never connect.  It
    answers whatever arrives with a bare HTTP 500, so that an engine that did connect gets an
    answer rather than hanging until its time limit.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.contacts: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.contacts.append(peer)
            with conn:
                conn.settimeout(0.5)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def tcp_listener() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


def worker_pids(server: RunningServer) -> list[int]:
    """The query worker processes of a running service (its spawned children, not the resource tracker)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError):
            continue
        if int(fields[1]) == server.process.pid and b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            pids.append(int(stat.parent.name))
    return pids
