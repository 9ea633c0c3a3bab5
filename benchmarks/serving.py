"""Starting and stopping a real ``dipkg serve`` on 127.0.0.1 for the benchmarks (one helper for
all of them, instead of a wait loop in each)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dipkg_command() -> list[str]:
    dipkg = Path(sys.executable).with_name("dipkg")
    return [str(dipkg)] if dipkg.is_file() else [sys.executable, "-m", "dipkg"]


def start_dipkg(args: list[str], env: dict[str, str] | None = None,
                timeout: float = 60) -> tuple[subprocess.Popen[bytes], str]:
    """``dipkg serve ARGS`` on a free port of 127.0.0.1, once ``/health`` answers: (process, base URL)."""
    port = free_port()
    process = subprocess.Popen([*dipkg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                               env={**os.environ, **(env or {})}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"dipkg serve exited with status {process.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop(process)
    raise SystemExit(f"dipkg serve did not answer within {timeout:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the service's process group (its workers too), SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
