"""``dipkg serve`` says where it listens and what it serves, and stops cleanly on Ctrl-C and SIGTERM.

Ctrl-C at a terminal signals the whole foreground process group, the query workers included:
the test starts the service as its own process group and signals the group, as a terminal does.
Before the fix each worker printed a KeyboardInterrupt traceback, and so did the parent (uvicorn
raises the signal again after its shutdown).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
BANNER = re.compile(r"listening on (http://127\.0\.0\.1:(\d+)/)")


@dataclass
class Service:
    """A ``dipkg serve`` process and what it wrote to stderr (read by a thread, so that no read
    blocks the test)."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)


def start(args: list[str], cwd: Path, timeout: float = 60, executable: list[str] | None = None) -> tuple[Service, str]:
    """``dipkg serve --port 0 ARGS`` in its own process group, and its URL, read from the banner;
    ``executable`` is how to run dipkg (default: this Python's ``-m dipkg``)."""
    command = executable or [sys.executable, "-m", "dipkg"]
    process = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", "0", *args],
                               cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    service = Service(process)
    service.reader = threading.Thread(target=service.read, daemon=True)
    service.reader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = BANNER.search(service.text)
        if found and service.text.count("\n") >= 2:
            return service, found.group(1)
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError(f"no banner from dipkg serve within {timeout} s:\n{service.text}")


def finish(service: Service) -> tuple[int, str]:
    """The exit status and what the service wrote, once it has stopped (killed after 30 s)."""
    try:
        status = service.process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(service.process.pid, signal.SIGKILL)
        raise
    assert service.reader is not None
    service.reader.join(10)
    return status, service.text


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_announces_itself_and_stops_cleanly(seed_build: Any, signum: signal.Signals) -> None:
    service, url = start(["--data", str(seed_build.out), "--workers", "2"], ROOT)
    process, text = service.process, service.text
    assert "5 articles" in text and "triples" in text and "query workers: 2" in text
    release = Path(os.path.realpath(seed_build.out / "current")).name
    assert f"release {release}" in text
    answer = httpx.get(f"{url}sparql", params={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.json()["boolean"] is True
    # Ctrl-C reaches the process group (the workers too); SIGTERM (docker stop) only the service
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    status, rest = finish(service)
    assert status == 0, rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest
    assert not group_outlives(process.pid, 10), "a query worker outlived the service"


def group_outlives(group: int, seconds: float) -> bool:
    """Whether a process of the group is still there after ``seconds`` (the resource tracker
    of multiprocessing leaves a moment after the service)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def test_a_port_in_use_is_one_clear_error(seed_build: Any) -> None:
    service, url = start(["--data", str(seed_build.out), "--workers", "1"], ROOT)
    try:
        port = url.rsplit(":", 1)[1].strip("/")
        second = subprocess.run([sys.executable, "-m", "dipkg", "serve", "--data", str(seed_build.out),
                                 "--host", "127.0.0.1", "--port", port, "--workers", "1"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"dipkg serve: error: could not serve on 127.0.0.1:{port}" in second.stderr
        assert "Traceback" not in second.stderr
        assert httpx.get(f"{url}health", timeout=10).status_code == 200  # the first one serves on
    finally:
        service.process.send_signal(signal.SIGTERM)
        finish(service)
