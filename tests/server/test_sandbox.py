"""The workers' no-network sandbox: the kernel refuses sockets, whatever the query says.

The screen is bypassed on purpose here: the job goes straight to a real worker process
(``server.worker.serve``) over its pipe, as the engine sends it, so that what is tested is the
kernel's refusal, not the screen's.  A confined process cannot be unconfined, so every check
runs in a process of its own.
"""

from __future__ import annotations

import multiprocessing
import platform
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from dipkg.server.sandbox import _ARCHES
from dipkg.server.worker import serve

from .conftest import ROOT, Listener

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or platform.machine() not in _ARCHES,
                                reason="the seccomp sandbox is for Linux on x86_64 and aarch64")


def run_confined(code: str) -> str:
    script = "from server.sandbox import confine\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_socket_of_any_family_once_confined() -> None:
    out = run_confined("""
        import socket
        confine()
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            try:
                socket.socket(family, socket.SOCK_STREAM).close()
                print("opened", family.name)
            except PermissionError:
                print("refused", family.name)
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        except PermissionError:
            print("refused connect")
    """)
    assert out.split("\n")[:4] == ["refused AF_INET", "refused AF_INET6", "refused AF_UNIX", "refused connect"]


def test_threads_started_before_are_confined_and_the_pipe_still_works() -> None:
    out = run_confined("""
        import socket, threading, time
        a, b = socket.socketpair()
        seen = []
        def later():
            time.sleep(0.3)
            try:
                socket.socket()
                seen.append("opened")
            except PermissionError:
                seen.append("refused")
        thread = threading.Thread(target=later)
        thread.start()
        confine()
        thread.join()
        a.sendall(b"ping")
        print(seen[0], b.recv(4).decode())
    """)
    assert out.strip() == "refused ping"


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    path = tmp_path / "store"
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b"), ox.Literal("c")))
    store.flush()
    del store
    return str(path)


def ask_worker(store_dir: str, query: str, no_network: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(store_dir, child, no_network), daemon=True)
    process.start()
    child.close()
    try:
        assert parent.poll(60)
        ready = parent.recv()
        parent.send({"query": query, "graphs": None, "max_rows": 10, "base_iri": None})  # as QueryEngine.job
        assert parent.poll(30)
        return ready, parent.recv()
    finally:
        parent.close()
        process.join(10)
        if process.is_alive():
            process.kill()


def test_a_confined_worker_cannot_call_a_service(store_dir: str, tcp_listener: Listener) -> None:
    query = f"SELECT * WHERE {{ BIND(1 AS ?one) SERVICE <{tcp_listener.url}/sparql> {{ ?s ?p ?o }} }}"
    ready, reply = ask_worker(store_dir, query, no_network=True)
    assert ready["sandbox"] == "seccomp"
    assert reply["kind"] == "error" and reply["error"] == "network", reply
    assert tcp_listener.contacts == []
    # the same worker code, unconfined (DIPKG_ALLOW_SERVICE=1), does connect: the check above can fail
    ready, reply = ask_worker(store_dir, query, no_network=False)
    assert ready["sandbox"] == "none"
    assert len(tcp_listener.contacts) == 1


def test_a_confined_worker_still_answers(store_dir: str) -> None:
    ready, reply = ask_worker(store_dir, "SELECT ?o WHERE { ?s ?p ?o }", no_network=True)
    assert ready["sandbox"] == "seccomp"
    assert reply["kind"] == "solutions"
    assert reply["rows"] == [[("literal", "c", "http://www.w3.org/2001/XMLSchema#string", None)]]
