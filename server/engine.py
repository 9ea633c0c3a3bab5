"""Query execution with real limits: killable worker processes, a row cap, a size cap.

pyoxigraph's ``Store.query`` cannot be interrupted (oxigraph issue 1926), and checking a deadline
between result rows does not stop an aggregate over a huge join.  So every query runs in a worker
process; a query that passes its time limit gets its worker killed and replaced, the client gets a
503 that names the limit, and other queries go on in the other workers meanwhile.  The workers
form a fast and a slow lane (``server.lanes``): a query starts in the slow lane when its shape
(``server.cost``) or its recent history says it is expensive, and is demoted there while it runs
when it uses up the fast lane's CPU budget, so expensive queries never hold the workers fast ones
need.  The limit is the request's (``QueryRequest.deadline``): waiting for a worker counts, and so
do the follow-up queries a request makes (provenance).

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
import re
import signal
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from dipkg.graph.namespace import PREFIXES
from dipkg.server.config import Settings
from dipkg.server.cost import cartesian_product
from dipkg.server.dataset import DEFAULT_GRAPH_ALIASES, GraphPlan, ServedDataset
from dipkg.server.lanes import FAST, SLOW, SLOW_NICE, Lanes, Worker, cpu_seconds, renice
from dipkg.server.screen import Screened, ScreenInvalid, ScreenRefused, screen
from dipkg.server.worker import Term, serve

_CONTEXT = multiprocessing.get_context("spawn")
log = logging.getLogger("dipkg.engine")
#: How many dead workers one query may meet before the service gives up on it (each is replaced).
_DEAD_WORKER_RETRIES = 3
#: How often a query in a fast worker is checked against the fast lane's CPU budget (s).
_DEMOTE_CHECK_S = 0.05
#: How many expensive queries are remembered, and for how long (s).
_SLOW_MEMORY_SIZE = 4096
_SLOW_MEMORY_S = 600.0


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
    #: ``time.monotonic()`` by which the whole request must be answered: queueing, running and
    #: every follow-up query (provenance) share one time budget.  None: the time limit from now.
    deadline: float | None = None
    #: who asks (the peer address): waiting requests are served per client in turn
    client: str = ""
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


class Engine(Protocol):
    """What the routes call to answer a query, whoever answers it: the worker pool below over
    the release's own store, or ``server.backend.RemoteEngine`` over an external SPARQL endpoint
    (``dipkg serve --backend URL``).  ``create_app`` picks one at start-up.

    ``execute`` screens the request (413, 403, 400), applies the time limit and the row and byte
    caps, and raises a ``QueryError`` whose ``status`` is the HTTP status to send; ``killed``
    (workers replaced) and ``sandbox`` (how queries are kept off the network) are for /health."""

    sandbox: str

    @property
    def killed(self) -> int: ...

    def limit(self, request: QueryRequest) -> float:
        """The request's time limit in seconds (the server's, or less if the client asks)."""
        ...

    def execute(self, request: QueryRequest) -> Result: ...

    def close(self) -> None: ...


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
class QueryEngine:
    """Worker processes over one read-only store, in a fast and a slow lane (``server.lanes``)."""

    def __init__(self, dataset: ServedDataset, settings: Settings, eager: bool = True) -> None:
        self.dataset = dataset
        self.settings = settings
        self._graphs = set(dataset.graphs)
        #: how the workers are kept off the network: "seccomp", or "none" (SERVICE allowed, or no support)
        self.sandbox = "unknown"
        #: queries (with their dataset) found expensive lately: they start in the slow lane
        self._slow: OrderedDict[str, float] = OrderedDict()
        self._slow_lock = threading.Lock()
        self.lanes = Lanes(self._spawn, settings.workers, settings.slow_workers, settings.slow_per_client, eager)

    @property
    def killed(self) -> int:
        """Workers stopped and replaced (time-outs, memory, crashes, demotions without a place)."""
        return self.lanes.killed

    def _spawn(self, lane: str) -> Worker:
        parent, child = _CONTEXT.Pipe()
        # SERVICE to an --allow-service endpoint needs sockets: those workers go unconfined and the
        # screen alone keeps every other SERVICE out
        confine = not (self.settings.allow_service or self.settings.service_endpoints)
        nice = SLOW_NICE if lane == SLOW else 0
        process = _CONTEXT.Process(target=serve, args=(str(self.dataset.store_dir), child, confine,
                                                       self.settings.worker_memory_mb, nice), daemon=True)
        process.start()
        if nice:
            renice(process.pid or 0, nice)  # at once, so that even its start runs at the low priority
        child.close()
        try:
            ready = parent.recv() if parent.poll(60) else {}
        except (EOFError, OSError):
            ready = {}  # it died while starting (or the service is stopping and killed it)
        if ready.get("kind") != "ready":
            process.kill()
            raise RuntimeError("a query worker did not start")
        sandbox = str(ready.get("sandbox", "none"))
        if confine and sandbox == "none" and self.sandbox != "none":
            log.warning("query workers run without the no-network sandbox (%s); SERVICE is refused by the "
                        "screen only", ready.get("sandbox_error"))
        self.sandbox = sandbox
        return Worker(process, parent, lane)

    # the memory of expensive queries: bounded, and forgotten after a while
    def _key(self, request: QueryRequest) -> str:
        return repr((request.query, request.default_graph_uris, request.named_graph_uris,
                     request.include_inferred, request.base_iri))

    def _known_slow(self, key: str) -> bool:
        with self._slow_lock:
            seen = self._slow.get(key)
            if seen is not None and time.monotonic() - seen > _SLOW_MEMORY_S:
                del self._slow[key]
                return False
            return seen is not None

    def _remember_slow(self, key: str) -> None:
        with self._slow_lock:
            self._slow[key] = time.monotonic()
            self._slow.move_to_end(key)
            while len(self._slow) > _SLOW_MEMORY_SIZE:
                self._slow.popitem(last=False)

    def lane_for(self, request: QueryRequest) -> str:
        """Where a query starts: the slow lane if its shape or its recent history says so."""
        if self._known_slow(self._key(request)) or cartesian_product(request.query):
            return SLOW
        return FAST

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
                          request.base_iri, endpoints=self.settings.service_endpoints)
        except ScreenRefused as err:
            raise QueryRefused(str(err)) from None
        except ScreenInvalid as err:
            raise QuerySyntaxError(str(err)) from None

    def _send(self, worker: Worker, job: dict[str, Any]) -> None:
        """Hand the job to a worker; a worker that is found dead here never saw the query."""
        if not worker.process.is_alive():
            raise _DeadWorker
        try:
            worker.conn.send(job)
        except (OSError, BrokenPipeError):
            raise _DeadWorker from None

    def _start(self, lane: str, client: str, job: dict[str, Any], deadline: float, limit: float) -> Worker:
        """A worker of ``lane`` running ``job``: waits for one in the client's turn, until the deadline."""
        for _ in range(_DEAD_WORKER_RETRIES + 1):
            worker = self.lanes.acquire(lane, client, deadline - time.monotonic())
            if worker is None:
                which = "query worker" if lane == FAST else "worker for expensive queries (the slow lane)"
                raise QueryTimeout(f"the service is busy: no {which} became free within the {limit:g} s time limit")
            try:
                self._send(worker, job)
                return worker
            except _DeadWorker:
                self.lanes.discard(worker, client)  # it died before this query reached it: try another
        raise WorkerFailed("no query worker could take the query (each one tried had stopped; they are being "
                           "replaced): please retry in a moment")

    def _wait(self, worker: Worker, request: QueryRequest, job: dict[str, Any], deadline: float,
              limit: float) -> tuple[Worker, dict[str, Any]]:
        """The worker's reply, by the deadline.  A query that uses up the fast budget of CPU in a
        fast worker is demoted to the slow lane (its worker moves there, or it is stopped and
        queued there) and remembered as expensive."""
        client, budget = request.client, self.settings.fast_budget
        began, cpu_began = time.monotonic(), cpu_seconds(worker.process.pid or 0)
        while True:
            now = time.monotonic()
            step = deadline - now if worker.lane == SLOW or budget <= 0 else min(deadline - now, _DEMOTE_CHECK_S)
            if worker.conn.poll(max(0.0, step)):
                return worker, worker.conn.recv()
            if time.monotonic() >= deadline:
                self.lanes.discard(worker, client)
                raise QueryTimeout(f"query stopped: it ran longer than the {limit:g} s time limit")
            if worker.lane == SLOW or budget <= 0:
                continue
            cpu = cpu_seconds(worker.process.pid or 0)
            used = cpu - cpu_began if cpu is not None and cpu_began is not None else time.monotonic() - began
            if used < budget:
                continue
            self._remember_slow(self._key(request))
            if not self.lanes.demote(worker, client):
                self.lanes.discard(worker, client)
                worker = self._start(SLOW, client, job, deadline, limit)

    def deadline(self, request: QueryRequest) -> float:
        """When the request's time is up: its own deadline (one budget for the whole request), or
        the time limit from now, whichever comes first."""
        own = time.monotonic() + self.limit(request)
        return own if request.deadline is None else min(own, request.deadline)

    def execute(self, request: QueryRequest) -> Result:
        screened = self.screen(request)
        for iri in (*request.default_graph_uris, *request.named_graph_uris):
            if iri not in self._graphs and not (iri in DEFAULT_GRAPH_ALIASES and iri in request.default_graph_uris):
                raise QueryError(f"unknown graph <{iri}> (list the graphs with GET /sparql)")
        limit = self.limit(request)
        deadline = self.deadline(request)
        if time.monotonic() >= deadline:
            raise QueryTimeout(f"request stopped: it used up its {limit:g} s time limit")
        job = self.job(request, screened)
        started = time.monotonic()
        worker = self._start(self.lane_for(request), request.client, job, deadline, limit)
        try:
            worker, reply = self._wait(worker, request, job, deadline, limit)
        except (EOFError, OSError):
            worker.process.join(2)  # reap it, to say how it ended
            code = worker.process.exitcode
            self.lanes.discard(worker, request.client)
            how = _how_it_ended(code)
            if code == -signal.SIGABRT and self.settings.worker_memory_mb > 0:
                # the allocator aborts when the worker's heap limit is reached
                raise QueryTimeout(f"query stopped: it needed more memory than a query may use "
                                   f"({self.settings.worker_memory_mb} MiB, DIPKG_WORKER_MEMORY_MB); "
                                   "its worker has been replaced") from None
            raise WorkerFailed(f"the query worker stopped while running this query ({how}); it has been replaced. "
                               "The query crashed the engine or the worker was killed: it was not answered") from None
        self.lanes.release(worker, request.client)
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
        self.lanes.close()
