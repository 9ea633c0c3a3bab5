"""The access log: JSON lines for a log collector, a readable line when a person watches (stderr
a terminal), and never more of a query than a short prefix."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from typing import Any

import httpx

from dipkg.server.middleware import QUERY_PREFIX

from .conftest import ROOT, RunningServer, free_port

SECRET = "the-tail-of-this-query-must-not-reach-the-log"
LONG_QUERY = "SELECT ?s WHERE { ?s ?p ?o }\n LIMIT 1 # " + "padding " * 20 + SECRET


def _records(server: RunningServer) -> list[dict[str, Any]]:
    out = []
    for line in server.log_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def test_json_lines_when_stderr_is_not_a_terminal(server: RunningServer) -> None:
    response = httpx.get(server.sparql, params={"query": LONG_QUERY}, timeout=30)
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    deadline = time.monotonic() + 5
    while not (mine := [r for r in _records(server) if r.get("id") == request_id]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mine) == 1, server.log_text()[-2000:]
    record = mine[0]
    assert record["method"] == "GET" and record["path"] == "/sparql" and record["status"] == 200
    assert record["bytes"] == len(response.content) and record["ms"] >= record["query_ms"] >= 0
    assert record["query"].startswith("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")  # whitespace runs as one
    assert len(record["query"]) <= QUERY_PREFIX + 1 and record["query"].endswith("…")
    assert SECRET not in server.log_text() and "padding padding padding padding" not in server.log_text()


def test_a_readable_line_when_stderr_is_a_terminal(seed_build: Any) -> None:
    """The server runs with a pseudo-terminal as stderr, as in a person's shell."""
    port = free_port()
    primary, secondary = pty.openpty()
    env = {**os.environ, "DIPKG_WORKERS": "1"}
    env.pop("DIPKG_LOG_FORMAT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "dipkg", "serve", "--data", str(seed_build.out), "--host", "127.0.0.1",
         "--port", str(port)], cwd=ROOT, env=env, stdout=secondary, stderr=secondary, stdin=subprocess.DEVNULL)
    os.close(secondary)
    url = f"http://127.0.0.1:{port}"
    seen = b""

    def read_for(seconds: float) -> None:
        nonlocal seen
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([primary], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(primary, 65536)
                except OSError:
                    return

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            read_for(0.2)
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
        response = httpx.get(f"{url}/sparql", params={"query": LONG_QUERY}, timeout=30)
        assert response.status_code == 200
        read_for(1.0)
    finally:
        process.terminate()
        process.wait(10)
        os.close(primary)
    text = seen.decode("utf-8", "replace")
    assert re.search(r"^GET /health 200 \d+\.\d ms \d+ B\r?$", text, re.M), text
    line = next(ln for ln in text.splitlines() if ln.startswith("GET /sparql "))
    assert re.match(r"GET /sparql 200 \d+\.\d ms \d+(\.\d)? k?B \(engine \d+\.\d ms\) SELECT \?s WHERE", line), line
    assert SECRET not in text and not line.lstrip().startswith("{")
