"""Query execution with real limits: killable worker processes, a row cap, a size cap.

pyoxigraph's ``Store.query`` cannot be interrupted (oxigraph issue 1926), and checking a deadline
between result rows does not stop an aggregate over a huge join.  So every query runs in a worker
process; a query that passes its time limit gets its worker killed and replaced, the client gets a
503 that names the limit, and other queries go on in the other workers meanwhile.  pyoxigraph
releases the GIL and each worker is its own process, so a slow query never delays a fast one.

Before a query reaches a worker it is checked for what this endpoint refuses: updates (403),
``SERVICE`` and ``FROM`` graphs that are not in the dataset (403: the service never fetches
remote data because of a query).
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any
from urllib.parse import urljoin

from server.config import Settings
from server.dataset import DEFAULT_GRAPH_ALIASES, GraphPlan, ServedDataset
from server.worker import Term, serve

_CONTEXT = multiprocessing.get_context("spawn")


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


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    include_inferred: bool | None = None
    timeout: float | None = None
    max_rows: int | None = None
    base_iri: str | None = None


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


Result = Solutions | Boolean | Triples

# --- screening ---------------------------------------------------------------------------
_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|#[^\n]*",
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b", re.IGNORECASE)
_FROM = re.compile(r"(?<![?$:\w])FROM\s+(?:NAMED\s+)?(<[^>]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)", re.IGNORECASE)
_BASE = re.compile(r"\bBASE\s*<([^>]*)>", re.IGNORECASE)
_PREFIX = re.compile(r"\bPREFIX\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)


def _code_only(query: str) -> str:
    """The query without strings and comments (IRIs kept), for keyword checks."""
    return _STRIP.sub(" ", query)


def screen(query: str, graphs: set[str], allow_service: bool, lenient_from: bool = False) -> None:
    """Refuse what this read-only, never-fetching endpoint does not do."""
    code = _code_only(query)
    if _UPDATE.match(code):
        raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only")
    no_iris = _IRI.sub(" ", code)
    if not allow_service and _SERVICE.search(no_iris):
        raise QueryRefused("SERVICE is disabled: this endpoint does not send queries to other endpoints")
    prefixes = {p: iri for p, iri in _PREFIX.findall(code)}
    base = _BASE.search(code)
    for m in _FROM.finditer(code):
        ref = m.group(1)
        if ref.startswith("<"):
            iri = urljoin(base.group(1), ref[1:-1]) if base else ref[1:-1]
        else:
            prefix, _, local = ref.partition(":")
            iri = prefixes.get(prefix, "") + local
        # A graph name the store does not hold is an empty graph to pyoxigraph, which never
        # dereferences it; a web address there, though, asks for a fetch: refuse it, say why.
        if iri not in graphs and iri.lower().startswith(("http://", "https://")) and not lenient_from:
            raise QueryRefused(
                f"FROM <{iri}>: not a graph of this dataset; this endpoint does not fetch remote data "
                "(list the graphs with GET /sparql)")


# --- the query's own dataset ------------------------------------------------------------------
_DATASET_CLAUSE = re.compile(r"(?<![?$:\w])FROM\s+(NAMED\s+)?(<[^<>\"{}|^`\\\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)"
                             r"(?=[\s{#]|$)", re.IGNORECASE)
_FROM_WORD = re.compile(r"(?<![?$:\w])FROM\b", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def dataset_clauses(query: str, base_iri: str | None = None) -> tuple[list[str], list[str]] | None:
    """The graphs a query's ``FROM`` and ``FROM NAMED`` clauses name, as absolute IRIs, so that
    several ``FROM`` graphs can be merged as a set rather than summed by the engine.  None when
    there are none — or when any clause cannot be read with certainty (an undeclared or twice
    declared prefix, several BASEs, a relative IRI without a base): the engine then takes the
    query's dataset as it is."""
    code = _code_only(query)
    clauses = list(_DATASET_CLAUSE.finditer(code))
    if not clauses or len(clauses) != len(_FROM_WORD.findall(_IRI.sub(" ", code))):
        return None
    bases = _BASE.findall(code)
    if len(bases) > 1:
        return None
    base = urljoin(base_iri or "", bases[0]) if bases else base_iri
    prefixes: dict[str, str] = {}
    for prefix, iri in _PREFIX.findall(code):
        if prefixes.setdefault(prefix, iri) != iri:
            return None
    defaults: list[str] = []
    named: list[str] = []
    for m in clauses:
        ref = m.group(2)
        if ref.startswith("<"):
            iri = ref[1:-1]
        else:
            prefix, _, local = ref.partition(":")
            if prefix not in prefixes:
                return None
            iri = prefixes[prefix] + local
        if not _SCHEME.match(iri):
            if not base or not _SCHEME.match(base):
                return None
            iri = urljoin(base, iri)
        (named if m.group(1) else defaults).append(iri)
    return defaults, named


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
        for _ in range(max(1, settings.workers)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=serve, args=(str(self.dataset.store_dir), child), daemon=True)
        process.start()
        child.close()
        if not parent.poll(60) or parent.recv().get("kind") != "ready":
            process.kill()
            raise RuntimeError("a query worker did not start")
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

    def job(self, request: QueryRequest) -> dict[str, Any]:
        graphs: GraphPlan | None = self.dataset.default_graph_plan(
            request.default_graph_uris, request.named_graph_uris, request.include_inferred)
        if not request.default_graph_uris and not request.named_graph_uris and _FROM.search(_code_only(request.query)):
            # the query's own FROM / FROM NAMED define its dataset; several FROM graphs are merged
            clauses = dataset_clauses(request.query, request.base_iri)
            graphs = None
            if clauses is not None and len(clauses[0]) > 1:
                graphs = self.dataset.default_graph_plan(*clauses, aliases=False)
        cap = min(request.max_rows or self.settings.max_rows, self.settings.max_rows)
        return {
            "query": request.query,
            "graphs": graphs,
            "max_rows": cap,
            "base_iri": request.base_iri,
        }

    def limit(self, request: QueryRequest) -> float:
        """The time limit of a request: the server's, or less if the client asks for less."""
        if request.timeout is not None and request.timeout > 0:
            return min(request.timeout, self.settings.query_timeout)
        return self.settings.query_timeout

    def execute(self, request: QueryRequest) -> Result:
        if len(request.query.encode("utf-8")) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"query is larger than the limit of {self.settings.max_query_bytes} bytes")
        screen(request.query, self._graphs, self.settings.allow_service, self.settings.lenient_from)
        for iri in (*request.default_graph_uris, *request.named_graph_uris):
            if iri not in self._graphs and not (iri in DEFAULT_GRAPH_ALIASES and iri in request.default_graph_uris):
                raise QueryError(f"unknown graph <{iri}> (list the graphs with GET /sparql)")
        limit = self.limit(request)
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise QueryTimeout(f"the service is busy: no query worker became free within the "
                               f"{limit:g} s time limit") from None
        remaining = max(0.01, limit - (time.monotonic() - started))
        try:
            worker.conn.send(self.job(request))
            if not worker.conn.poll(remaining):
                self._replace(worker)
                raise QueryTimeout(f"query stopped: it ran longer than the {limit:g} s time limit")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise QueryError("the query worker failed; please retry") from None
        self._idle.put(worker)
        seconds = time.monotonic() - started
        kind = reply["kind"]
        if kind == "error":
            if reply["error"] == "syntax":
                raise QuerySyntaxError(f"SPARQL syntax error: {reply['message']}")
            raise QueryError(f"query failed: {reply['message']}")
        if kind == "boolean":
            return Boolean(reply["value"], seconds)
        if kind == "solutions":
            return Solutions(reply["variables"], reply["rows"], reply["truncated"], seconds)
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
