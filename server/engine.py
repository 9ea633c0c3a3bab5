"""Query execution with real limits: killable worker processes, a row cap, a size cap.

pyoxigraph's ``Store.query`` cannot be interrupted (oxigraph issue 1926), and checking a deadline
between result rows does not stop an aggregate over a huge join.  So every query runs in a worker
process; a query that passes its time limit gets its worker killed and replaced, the client gets a
503 that names the limit, and other queries go on in the other workers meanwhile.  pyoxigraph
releases the GIL and each worker is its own process, so a slow query never delays a fast one.

Before a query reaches a worker it is screened (``server.screen``, a linear lexer that follows
every reading of an ambiguous ``<``) for what this endpoint refuses: updates (403), ``SERVICE``
and ``FROM`` graphs that are not in the dataset (403: the service never fetches remote data
because of a query), and nesting deeper than the engine's parser survives (400).  Unless
``SERVICE`` is allowed, the workers also run under a seccomp filter that makes opening a socket
impossible (``server.sandbox``): a query the screen missed still cannot reach the network.

A worker that dies while running a query (a crash in the engine) costs that query a 500 and is
replaced; a worker found dead before a query was sent to it is replaced and the query goes to
another, so the client never sees it.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from dipkg.graph.namespace import PREFIXES
from dipkg.server.config import Settings
from dipkg.server.dataset import DEFAULT_GRAPH_ALIASES, GraphPlan, ServedDataset
from dipkg.server.screen import Screened, ScreenInvalid, ScreenRefused, screen
from dipkg.server.worker import Term, serve

_CONTEXT = multiprocessing.get_context("spawn")
log = logging.getLogger("dipkg.engine")
#: How many dead workers one query may meet before the service gives up on it (each is replaced).
_DEAD_WORKER_RETRIES = 3


class QueryError(Exception):
    """A query the service will not or cannot answer; ``status`` is the HTTP status to send."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuerySyntaxError(QueryError):
    status = 400


class QueryRefused(QueryError):
    status = 403


class QueryTimeout(QueryError):
    status = 503


class QueryTooLarge(QueryError):
    status = 413


class WorkerFailed(QueryError):
    """The worker running the query died: the service's failure, not the client's (500)."""

    status = 500


class _DeadWorker(Exception):
    """A worker that was already dead before the query was sent to it."""


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    include_inferred: bool | None = None
    timeout: float | None = None
    max_rows: int | None = None
    base_iri: str | None = None
    #: the formats the client gets, so the worker can write the answer itself (``server.native``):
    #: ``{"results": "json", "graph": "turtle", "prefixes": {...}}``; None for rows and triples
    native: dict[str, Any] | None = field(default=None, compare=False)


@dataclass
class Solutions:
    variables: list[str]
    rows: list[list[Term | None]]
    truncated: bool = False
    seconds: float = 0.0


@dataclass
class Boolean:
    value: bool
    seconds: float = 0.0


@dataclass
class Triples:
    triples: list[tuple[Term, Term, Term]]
    truncated: bool = False
    seconds: float = 0.0


@dataclass
class Body:
    """An answer the worker wrote itself: ``form`` "solutions" or "graph", in format ``format``
    (a ``server.negotiation`` name), ``count`` rows or triples."""

    body: bytes
    form: str
    format: str
    count: int
    truncated: bool = False
    seconds: float = 0.0


Result = Solutions | Boolean | Triples | Body

def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


# --- syntax errors people can act on --------------------------------------------------------
_AT = re.compile(r"error at (\d+):(\d+)")
_PNAME_BEFORE = re.compile(r"([A-Za-z][\w.-]*)?:[\w.-]*$")


def explain_syntax_error(query: str, message: str) -> str:
    """The engine's message, or for an undeclared prefix (which the engine reports as a list of
    expected character ranges) "unknown prefix dip: — add PREFIX dip: <…>"."""
    first = message.splitlines()[0] if message else "syntax error"
    at = _AT.search(first)
    if "Prefix not found" in message and at:
        line_no, column = int(at.group(1)), int(at.group(2))
        lines = query.splitlines()
        if 0 < line_no <= len(lines):
            found = _PNAME_BEFORE.search(lines[line_no - 1][: max(column - 1, 0)])
            if found is not None:
                prefix = found.group(1) or ""
                iri = PREFIXES.get(prefix)
                hint = f"add PREFIX {prefix}: <{iri}>" if iri else f"declare it with PREFIX {prefix}: <…>"
                return f"SPARQL syntax error at {line_no}:{column}: unknown prefix {prefix}: — {hint}"
    return f"SPARQL syntax error: {first}" + (" …" if "\n" in message else "")


# --- workers ------------------------------------------------------------------------------
@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    started: float = field(default_factory=time.monotonic)


class QueryEngine:
    """A pool of worker processes over one read-only store."""

    def __init__(self, dataset: ServedDataset, settings: Settings) -> None:
        self.dataset = dataset
        self.settings = settings
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0
        self._graphs = set(dataset.graphs)
        #: how the workers are kept off the network: "seccomp", or "none" (SERVICE allowed, or no support)
        self.sandbox = "unknown"
        for _ in range(max(1, settings.workers)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = _CONTEXT.Pipe()
        confine = not self.settings.allow_service
        process = _CONTEXT.Process(target=serve, args=(str(self.dataset.store_dir), child, confine,
                                                       self.settings.worker_memory_mb), daemon=True)
        process.start()
        child.close()
        ready = parent.recv() if parent.poll(60) else {}
        if ready.get("kind") != "ready":
            process.kill()
            raise RuntimeError("a query worker did not start")
        sandbox = str(ready.get("sandbox", "none"))
        if confine and sandbox == "none" and self.sandbox != "none":
            log.warning("query workers run without the no-network sandbox (%s); SERVICE is refused by the "
                        "screen only", ready.get("sandbox_error"))
        self.sandbox = sandbox
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self.killed += 1
        if not self._closed:
            threading.Thread(target=self._respawn, daemon=True).start()

    def _respawn(self) -> None:
        """Put a fresh worker in the pool; a start that fails is retried rather than letting the
        pool shrink for good."""
        for attempt in range(5):
            try:
                self._idle.put(self._spawn())
                return
            except (RuntimeError, OSError):
                time.sleep(0.5 * (attempt + 1))

    def job(self, request: QueryRequest, screened: Screened) -> dict[str, Any]:
        graphs: GraphPlan | None = self.dataset.default_graph_plan(
            request.default_graph_uris, request.named_graph_uris, request.include_inferred)
        if not request.default_graph_uris and not request.named_graph_uris and screened.has_from:
            # the query's own FROM / FROM NAMED define its dataset; several FROM graphs are merged,
            # when the screen read every clause for certain (else the engine takes them as they are)
            graphs = None
            if screened.from_certain and len(screened.from_default) > 1:
                graphs = self.dataset.default_graph_plan(screened.from_default, screened.from_named, aliases=False)
        cap = min(request.max_rows or self.settings.max_rows, self.settings.max_rows)
        return {
            "query": request.query,
            "graphs": graphs,
            "max_rows": cap,
            "max_bytes": self.settings.max_result_bytes,
            "base_iri": request.base_iri,
            "native": request.native,
        }

    def limit(self, request: QueryRequest) -> float:
        """The time limit of a request: the server's, or less if the client asks for less."""
        if request.timeout is not None and request.timeout > 0:
            return min(request.timeout, self.settings.query_timeout)
        return self.settings.query_timeout

    def screen(self, request: QueryRequest) -> Screened:
        """The checks that come before any worker: size (413), then the screen (403, 400)."""
        if len(request.query.encode("utf-8")) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"query is larger than the limit of {self.settings.max_query_bytes} bytes")
        try:
            return screen(request.query, self._graphs, self.settings.allow_service, self.settings.lenient_from,
                          request.base_iri)
        except ScreenRefused as err:
            raise QueryRefused(str(err)) from None
        except ScreenInvalid as err:
            raise QuerySyntaxError(str(err)) from None

    def _send(self, worker: _Worker, job: dict[str, Any]) -> None:
        """Hand the job to a worker; a worker that is found dead here never saw the query."""
        if not worker.process.is_alive():
            raise _DeadWorker
        try:
            worker.conn.send(job)
        except (OSError, BrokenPipeError):
            raise _DeadWorker from None

    def execute(self, request: QueryRequest) -> Result:
        screened = self.screen(request)
        for iri in (*request.default_graph_uris, *request.named_graph_uris):
            if iri not in self._graphs and not (iri in DEFAULT_GRAPH_ALIASES and iri in request.default_graph_uris):
                raise QueryError(f"unknown graph <{iri}> (list the graphs with GET /sparql)")
        limit = self.limit(request)
        job = self.job(request, screened)
        started = time.monotonic()
        for _ in range(_DEAD_WORKER_RETRIES + 1):
            remaining = limit - (time.monotonic() - started)
            try:
                worker = self._idle.get(timeout=max(0.01, remaining))
            except queue.Empty:
                raise QueryTimeout(f"the service is busy: no query worker became free within the "
                                   f"{limit:g} s time limit") from None
            try:
                self._send(worker, job)
                break
            except _DeadWorker:
                self._replace(worker)  # it died before this query reached it: try another
        else:
            raise WorkerFailed("no query worker could take the query (each one tried had stopped; they are being "
                               "replaced): please retry in a moment")
        remaining = max(0.01, limit - (time.monotonic() - started))
        try:
            if not worker.conn.poll(remaining):
                self._replace(worker)
                raise QueryTimeout(f"query stopped: it ran longer than the {limit:g} s time limit")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(2)  # reap it, to say how it ended
            code = worker.process.exitcode
            self._replace(worker)
            how = _how_it_ended(code)
            if code == -signal.SIGABRT and self.settings.worker_memory_mb > 0:
                # the allocator aborts when the worker's heap limit is reached
                raise QueryTimeout(f"query stopped: it needed more memory than a query may use "
                                   f"({self.settings.worker_memory_mb} MiB, DIPKG_WORKER_MEMORY_MB); "
                                   "its worker has been replaced") from None
            raise WorkerFailed(f"the query worker stopped while running this query ({how}); it has been replaced. "
                               "The query crashed the engine or the worker was killed: it was not answered") from None
        self._idle.put(worker)
        seconds = time.monotonic() - started
        kind = reply["kind"]
        if kind == "error":
            if reply["error"] == "syntax":
                raise QuerySyntaxError(explain_syntax_error(request.query, reply["message"]))
            if reply["error"] == "memory":
                raise QueryTimeout(f"query stopped: it needed more memory than a query may use "
                                   f"({self.settings.worker_memory_mb} MiB, DIPKG_WORKER_MEMORY_MB)")
            if reply["error"] == "network":
                raise QueryRefused("the query tried to open a network connection (SERVICE), which this endpoint "
                                   "does not do: its query workers cannot reach the network")
            raise QueryError(f"query failed: {reply['message']}")
        if kind == "boolean":
            return Boolean(reply["value"], seconds)
        if kind == "solutions":
            return Solutions(reply["variables"], reply["rows"], reply["truncated"], seconds)
        if kind == "body":
            return Body(reply["body"], reply["form"], reply["format"], reply["count"], reply["truncated"], seconds)
        return Triples(reply["triples"], reply["truncated"], seconds)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            worker.conn.close()
            worker.process.kill()
            worker.process.join(5)
