"""``dipkg serve``'s life: say where it listens and what it serves, and stop cleanly on a signal.

Why not ``uvicorn.run``: uvicorn catches SIGINT and SIGTERM itself and, once it has shut down,
raises the signal again (uvicorn 0.29 to 0.54 at least), so Ctrl-C ended in a KeyboardInterrupt
traceback and ``docker stop`` in death by SIGTERM.  And Ctrl-C at a terminal signals the whole process group:
each query worker (a spawned Python) got its own KeyboardInterrupt and printed a traceback
before the service could shut it down.

So the caller blocks SIGINT before the store or any thread starts (``dipkg.cli._serve``): the
mask is inherited by every thread and kept across fork and exec, so every query worker the
engine spawns — at start or as a replacement — has SIGINT blocked and never sees Ctrl-C; the
workers are stopped by the service (the engine kills them when the app shuts down).  Here, the
main thread takes SIGINT synchronously with ``sigtimedwait`` and SIGTERM with a handler (SIGTERM
stays deliverable in the workers, whose default action ends them quietly, as multiprocessing's
exit handler expects), and asks uvicorn, running in a thread where it installs no handlers of
its own, to shut down gracefully; a second signal forces it.  Exit status 0 after a signal.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from dipkg.graph.resources import package_version
from dipkg.server.config import Settings
from dipkg.server.dataset import ServedDataset

#: how often the main thread looks whether the server has started or stopped (seconds)
_TICK = 0.2


def _bound_address(server: uvicorn.Server, settings: Settings) -> tuple[str, int]:
    """The address the server listens on: with ``--port 0`` the system chose the port."""
    for listener in getattr(server, "servers", []) or []:
        for sock in listener.sockets or []:
            name = sock.getsockname()
            return str(name[0]), int(name[1])
    return settings.host, settings.port


def _what_is_served(settings: Settings, dataset: ServedDataset) -> str:
    """The release (or files), and the counts its build recorded, in one phrase."""
    graphs = f"{len(dataset.graphs)} named graphs"
    if settings.files_mode:
        names = ", ".join(p.name for p in dataset.sources) or "no files"
        return f"files {names}; {graphs}"
    release = Path(dataset.sources[0]).parent if dataset.sources else None
    info: dict[str, Any] = {}
    if release is not None:
        try:
            info = json.loads((release / "build-info.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
    label = f"release {dataset.etag.strip(chr(34))}"
    if release is not None:
        label += f" ({release})"
    counts: list[str] = []
    if "articles" in info:
        counts.append(f"{info['articles']} articles")
    if "triples_asserted" in info:
        asserted, inferred = int(info["triples_asserted"]), int(info.get("triples_inferred", 0))
        counts.append(f"{asserted + inferred} triples ({asserted} asserted, {inferred} inferred)")
    elif "quads" in info:
        counts.append(f"{info['quads']} quads")
    counts.append(graphs)
    return f"{label}: {', '.join(counts)}"


def banner(server: uvicorn.Server, app: FastAPI, settings: Settings, dataset: ServedDataset) -> list[str]:
    """The two lines ``dipkg serve`` prints once it listens: where, and what (with the workers)."""
    host, port = _bound_address(server, settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    service = getattr(app.state, "service", None)
    sandbox = getattr(getattr(service, "engine", None), "sandbox", "unknown")
    return [
        f"dipkg {package_version()} listening on {url} (SPARQL endpoint {url}sparql, health {url}health)",
        f"serving {_what_is_served(settings, dataset)}; query workers: {settings.workers} "
        f"(sandbox: {sandbox}); Ctrl-C or SIGTERM stops",
    ]


def run_until_stopped(server: uvicorn.Server, app: FastAPI, settings: Settings, dataset: ServedDataset) -> int:
    """Run ``server`` until it stops or a signal stops it; 0 after a signal, 2 if it never listened.

    The caller has blocked SIGINT in this thread before starting any other (see the module)."""
    stops = 0

    def stop(*_: object) -> None:
        nonlocal stops
        stops += 1
        server.should_exit = True
        if stops > 1:  # a second Ctrl-C: stop waiting for open connections
            server.force_exit = True

    def on_sigterm(_signum: int, _frame: FrameType | None) -> None:
        stop()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    thread = threading.Thread(target=server.run, name="dipkg-http", daemon=True)
    announced = False
    try:
        thread.start()
        while thread.is_alive():
            if signal.sigtimedwait({signal.SIGINT}, _TICK) is not None:
                stop()
            if not announced and server.started:
                announced = True
                for line in banner(server, app, settings, dataset):
                    print(line, file=sys.stderr, flush=True)
        thread.join()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not server.started and not stops:  # uvicorn said why (the port is taken, say)
        print(f"dipkg serve: error: could not serve on {settings.host}:{settings.port}", file=sys.stderr)
        return 2
    return 0
