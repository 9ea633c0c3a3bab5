"""The served version of the data, followed as new releases are published, and swapped whole.

``dipkg build`` and ``dipkg ingest`` publish a release folder and swap the ``current`` link of
the data folder (``graph/publish.py``).  The service notices (a ``realpath``/``stat`` of the
published N-Quads once a second, and at once after its own writes), opens the new release and
starts query workers on its store, and only then makes it the served version.

Everything a request can see of the data hangs off one ``Service`` object per version: the
dataset (store, graphs, ETag, Last-Modified, source files), the query engine whose workers have
that store open, and ``state``, the caches built from it (VoID statistics, download bodies).
The swap is one reference assignment.  Each HTTP request is pinned to the version current when
it arrived (``PinVersion`` puts it in the ASGI scope; routes reach it through ``service_of``), so
a reader never sees half of two versions: its SPARQL answer, its ETag and its pages all come from
one release, and every response names that release in ``X-Dipkg-Release``.

A version that is no longer current stays open while requests pinned to it run (its workers
finish their queries on the old store, its release keeps its ``.serving-<pid>`` marker so that no
publish sweeps it); the last of them closes it.  A new release that cannot be opened or whose
workers cannot answer is refused with one log line, and the current version goes on being served.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dipkg.server.config import Settings
from dipkg.server.dataset import DatasetError, ServedDataset, load_dataset
from dipkg.server.engine import Engine, QueryEngine, QueryError, QueryRequest

log = logging.getLogger("dipkg.reload")

#: The ASGI scope key under which a request carries the version it is pinned to.
SCOPE_KEY = "dipkg.service"
#: The response header that names the release a response was made from.
RELEASE_HEADER = "X-Dipkg-Release"


def make_engine(dataset: ServedDataset, settings: Settings) -> Engine:
    """The query engine of a version: the worker pool over the release's store, or
    (``--backend URL``) the external SPARQL endpoint the release was pushed to."""
    if settings.backend:
        from dipkg.server.backend import RemoteEngine

        return RemoteEngine(dataset, settings)
    return QueryEngine(dataset, settings)


@dataclass(eq=False)
class Service:
    """One version of the served data with everything made from it; never changed once served
    (a new release gets a new ``Service``)."""

    settings: Settings
    dataset: ServedDataset
    engine: Engine
    #: when the service (not this version) started, for /health's uptime
    started: float
    #: caches made from this version (attributes set by the route modules), dropped with it
    state: SimpleNamespace = field(default_factory=SimpleNamespace)
    #: requests pinned to this version that have not finished yet
    readers: int = 0
    #: no longer current: closed when its last reader is done
    retired: bool = False
    #: the published file it was loaded from, as ``published_signature`` gives it
    signature: tuple[str, int, int] | None = None

    @property
    def release(self) -> str:
        """The version's name: its release folder's content hash (the ETag without quotes)."""
        return self.dataset.etag.strip('"')


def service_of(request: Request) -> Service:
    """The version this request is pinned to (the current one for a request ``PinVersion`` did
    not see, e.g. a test calling a route directly)."""
    pinned = request.scope.get(SCOPE_KEY)
    if isinstance(pinned, Service):
        return pinned
    current: Service = request.app.state.service
    return current


def file_signature(path: Path | str) -> tuple[str, int, int] | None:
    """A file as the follower compares it: its real path, inode and mtime (the inode and mtime
    catch a folder whose files are replaced in place rather than through ``current``)."""
    try:
        real = os.path.realpath(path)
        info = os.stat(real)
    except OSError:
        return None
    return real, info.st_ino, info.st_mtime_ns


def published_signature(data_dir: Path) -> tuple[str, int, int] | None:
    """What identifies the published release: the file ``dipkg.nq`` resolves to through
    ``current``.  A few system calls, cheap enough to run every second."""
    return file_signature(data_dir / "dipkg.nq")


class Versions:
    """The current version, the swap to a new one, and the readers of retired ones."""

    def __init__(self, settings: Settings, first: Service, app_state: Any) -> None:
        self.settings = settings
        self.current = first
        self._app_state = app_state
        app_state.service = first
        if first.dataset.sources and not settings.files_mode:
            first.signature = file_signature(first.dataset.sources[0])
        self._lock = threading.Lock()  # readers and the swap
        self._reloading = threading.Lock()  # one reload at a time
        #: one write (ingest or removal, then its reload) at a time; held by the writing thread,
        #: so a client that hangs up mid-write does not let a second writer in beside it
        self.writing = threading.Lock()
        self._seen = published_signature(settings.data_dir) if settings.data_dir else None
        self._refused: set[tuple[str, int, int] | None] = set()
        self.reloads = 0
        #: seconds the last reload took to open and check the new version (None before the first)
        self.last_reload_s: float | None = None
        self._closed = False

    @property
    def follows(self) -> bool:
        """Whether there is a published release to follow (not for ``--rdf``/``--graph`` files)."""
        return not self.settings.files_mode and self.settings.data_dir is not None

    # -- readers ------------------------------------------------------------------------------
    def acquire(self) -> Service:
        with self._lock:
            service = self.current
            service.readers += 1
            return service

    def release(self, service: Service) -> None:
        with self._lock:
            service.readers -= 1
            done = service.retired and service.readers == 0
        if done:
            self._close_later(service)

    # -- following the published release ------------------------------------------------------
    def moved(self) -> bool:
        """Whether the published release differs from the one last looked at."""
        return self.follows and published_signature(self.settings.data_dir) != self._seen  # type: ignore[arg-type]

    def reload(self) -> Service:
        """Serve the published release if it is not the served one; returns the current version.

        Blocking (opens a store, starts workers): call it off the event loop.  A release that
        cannot be served is logged once and left; the current version stays."""
        with self._reloading:
            if not self.follows or self._closed:
                return self.current
            assert self.settings.data_dir is not None
            self._seen = published_signature(self.settings.data_dir)
            published = self._seen[0] if self._seen else str(self.settings.data_dir / "dipkg.nq")
            if self._seen is not None and self._seen == self.current.signature:
                return self.current  # the release already served (a publish of the same content)
            opening = time.monotonic()
            try:
                fresh = self._open()
            except (DatasetError, QueryError, RuntimeError, OSError) as err:
                if self._seen not in self._refused:  # one line per release (a repaired one is new)
                    self._refused.add(self._seen)
                    message = err.message if isinstance(err, QueryError) else str(err)
                    log.warning("not serving the new release %s: %s; still serving release %s",
                                Path(published).parent, message, self.current.release)
                return self.current
            self._swap(fresh, time.monotonic() - opening)
            return fresh

    def _open(self) -> Service:
        """The published release as a new version, checked: its store opens, its workers start
        and answer a query.  Nothing is served from it yet."""
        dataset = load_dataset(self.settings)
        try:
            engine = make_engine(dataset, self.settings)
        except BaseException:
            self._discard(dataset)
            raise
        try:
            engine.execute(QueryRequest("ASK { ?s ?p ?o }"))
        except BaseException:
            engine.close()
            self._discard(dataset)
            raise
        fresh = Service(self.settings, dataset, engine, self.current.started)
        fresh.signature = file_signature(dataset.sources[0]) if dataset.sources else None
        return fresh

    def _discard(self, dataset: ServedDataset) -> None:
        """Close a dataset that will not be served; the marker of a release still served (files
        replaced in place: the same folder) stays."""
        if dataset.owns_store or dataset.release_dir != self.current.dataset.release_dir:
            dataset.close()

    def _swap(self, fresh: Service, seconds: float) -> None:
        with self._lock:
            old, self.current = self.current, fresh
            self._app_state.service = fresh  # the one reference every new request reads
            old.retired = True
            self.reloads += 1
            self.last_reload_s = round(seconds, 3)
            done = old.readers == 0
        log.warning("now serving release %s (was %s; opened and checked in %.2f s)", fresh.release, old.release,
                    seconds)
        if done:
            self._close_later(old)

    async def follow(self, interval: float) -> None:
        """Look at the published release every ``interval`` seconds; reload when it moved."""
        while True:
            await asyncio.sleep(interval)
            try:
                if self.moved():
                    await asyncio.to_thread(self.reload)
            except Exception:  # a bug must not stop the following for the rest of the service's life
                log.exception("following the published release failed; trying again in %g s", interval)

    # -- closing --------------------------------------------------------------------------------
    def _close_later(self, service: Service) -> None:
        """Close a retired version in a thread (its workers are joined; never on the event loop)."""
        threading.Thread(target=self._close, args=(service,), daemon=True).start()

    def _close(self, service: Service) -> None:
        service.engine.close()
        with self._lock:
            shared = self.current is not service and service.dataset.release_dir is not None and \
                not service.dataset.owns_store and service.dataset.release_dir == self.current.dataset.release_dir
        if not shared:  # the marker is per process and release: keep it while the release is served
            service.dataset.close()

    def close(self) -> None:
        """At shutdown: the current version and any retired one still open."""
        with self._reloading:
            self._closed = True
            with self._lock:
                current = self.current
                current.retired = True
            self._close(current)


class PinVersion:
    """ASGI middleware: pins each HTTP request to the version current when it arrived, for the
    whole request including its streamed body, and names the release in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versions: Versions | None = getattr(scope["app"].state, "versions", None) if "app" in scope else None
        if scope["type"] != "http" or versions is None:
            await self.app(scope, receive, send)
            return
        service = versions.acquire()
        scope[SCOPE_KEY] = service

        async def named(message: Message) -> None:
            headers = MutableHeaders(scope=message) if message["type"] == "http.response.start" else None
            if headers is not None and RELEASE_HEADER not in headers:  # a write names the release it made
                headers[RELEASE_HEADER] = service.release
            await send(message)

        try:
            await self.app(scope, receive, named)
        finally:
            versions.release(service)
