"""Answering queries from an external SPARQL 1.1 endpoint: ``dipkg serve --backend URL``.

A release too large for one machine's store is pushed to a large triple store (``dipkg push``,
``graph/push.py``) and the service answers from it, with the same API: ``/sparql``, provenance,
the pages and the service description all call :meth:`RemoteEngine.execute`, as they call the
worker pool's (``server.engine.Engine`` is the interface).  What stays local is what reads
files: downloads and the Graph Store answers come from the ``--data`` release, which must be the
one that was pushed (its graph list also drives the screen and ``named-graph-uri``).

The service's rules hold in front of the backend as they do in front of the workers: the screen
(``server.screen``: updates, SERVICE except the ``--allow-service`` endpoints, remote FROM,
nesting) runs first; the time limit bounds the whole exchange, connection and body included; the
row cap and the byte budget are applied while the answer is parsed, as it streams, and the
connection is dropped as soon as either is reached, so a backend that answers with a huge result
costs no more than a capped one.  The backend cannot be stopped from here (SPARQL has no cancel):
a query past the limit gets 504, and the operator should also give the store a timeout of its own
(``oxigraph serve --timeout-s``, Virtuoso's ``MaxQueryExecutionTime``).

Backend failures are the backend's, not the client's: 502 when it cannot be reached, answers with
an error status, or sends what is not a SPARQL answer; 504 when it does not answer in time.  Its
400 to a query is still the client's malformed query (400), with the backend's message.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from dipkg.graph.namespace import INFERRED_GRAPH
from dipkg.server.config import Settings
from dipkg.server.dataset import DEFAULT_GRAPH_ALIASES, ServedDataset
from dipkg.server.engine import (
    Boolean,
    QueryError,
    QueryRefused,
    QueryRequest,
    QuerySyntaxError,
    QueryTooLarge,
    Result,
    Solutions,
    Triples,
)
from dipkg.server.screen import Screened, ScreenInvalid, ScreenRefused, screen
from dipkg.server.worker import Term, capped_rows, encode, term_size

log = logging.getLogger("dipkg.backend")

#: Asked of the backend: SPARQL JSON for SELECT/ASK, N-Triples for graphs (both stream and both
#: are what every store writes), with the other standard formats as fallbacks.
ACCEPT = ("application/sparql-results+json, application/n-triples, text/turtle;q=0.9, "
          "application/sparql-results+xml;q=0.8, application/rdf+xml;q=0.5")
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": None,  # CSV loses term types: not an answer we can pass on faithfully
}
GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # Virtuoso's name for N-Triples
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
#: Bytes of a backend's error body quoted in our error message.
_ERROR_BODY = 2048


class BackendFailed(QueryError):
    """The backend cannot be reached, failed, or sent something that is not a SPARQL answer."""

    status = 502


class BackendTimeout(QueryError):
    """The backend did not answer within the query's time limit."""

    status = 504


class _Deadline(Exception):
    """Raised inside the body reader when the time limit passes while the answer streams in."""


class _Body(io.RawIOBase):
    """The response body as a file for pyoxigraph's streaming parsers, that stops at the deadline
    and after ``max_bytes`` (the parser then sees the end of input, and the caller knows why)."""

    def __init__(self, chunks: Iterator[bytes], deadline: float, max_bytes: int) -> None:
        self.chunks = chunks
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.read_bytes = 0
        self.late = False
        self.cut = False
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            if time.monotonic() > self.deadline:
                self.late = True
                raise _Deadline
            if self.read_bytes >= self.max_bytes:
                self.cut = True
                return 0
            self._pending = next(self.chunks, b"")
            self.read_bytes += len(self._pending)
            if not self._pending:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _first_line(text: str) -> str:
    line = " ".join(text.strip().split())
    return line[:300] + (" …" if len(line) > 300 else "")


class RemoteEngine:
    """The ``Engine`` over an external SPARQL 1.1 endpoint (httpx; one pooled client, thread-safe)."""

    def __init__(self, dataset: ServedDataset, settings: Settings) -> None:
        if not settings.backend:
            raise ValueError("RemoteEngine needs settings.backend")
        self.dataset = dataset
        self.settings = settings
        self.url = settings.backend
        self.killed = 0  # no workers to replace: the backend runs the queries
        self.sandbox = "backend"
        self._graphs = set(dataset.graphs)
        size = max(4, settings.workers * 4)
        self.client = httpx.Client(limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                                   headers={"Accept": ACCEPT})
        try:
            self.execute(QueryRequest("ASK {}", timeout=min(5.0, settings.query_timeout)))
        except QueryError as err:  # serve anyway: the backend may come up later; queries get 502 meanwhile
            log.warning("the backend %s does not answer yet: %s", self.url, err.message)

    # -- before the backend ----------------------------------------------------------------
    def limit(self, request: QueryRequest) -> float:
        if request.timeout is not None and request.timeout > 0:
            return min(request.timeout, self.settings.query_timeout)
        return self.settings.query_timeout

    def screen(self, request: QueryRequest) -> Screened:
        """The service's checks, exactly as in front of the workers (413, 403, 400)."""
        if len(request.query.encode("utf-8")) > self.settings.max_query_bytes:
            raise QueryTooLarge(f"query is larger than the limit of {self.settings.max_query_bytes} bytes")
        try:
            return screen(request.query, self._graphs, self.settings.allow_service, self.settings.lenient_from,
                          request.base_iri, endpoints=self.settings.service_endpoints)
        except ScreenRefused as err:
            raise QueryRefused(str(err)) from None
        except ScreenInvalid as err:
            raise QuerySyntaxError(str(err)) from None

    def dataset_params(self, request: QueryRequest, screened: Screened) -> list[tuple[str, str]]:
        """``default-graph-uri``/``named-graph-uri`` that give the backend the dataset the service
        would query: none for the service's default graph (the merge ``dipkg push`` put in the
        store's default graph), the merge graph and every release graph where the merge is a named
        graph, the asserted graphs where the inferred graph is left out (the SPARQL merge of
        several graphs — a set on stores that follow the spec, a bag on oxigraph), or the
        client's own graphs.  A query's FROM is left to the backend (the protocol's graphs would
        override it)."""
        inferred = self.settings.include_inferred if request.include_inferred is None else request.include_inferred
        named_all = sorted(self._graphs)
        users = [g for g in request.default_graph_uris if g not in DEFAULT_GRAPH_ALIASES]
        if request.default_graph_uris or request.named_graph_uris:
            if request.named_graph_uris or users:
                defaults = list(users)
                if len(users) != len(request.default_graph_uris):  # "the default graph" among others
                    defaults += [g for g in named_all if inferred or g != str(INFERRED_GRAPH)]
                return ([("default-graph-uri", g) for g in dict.fromkeys(defaults)]
                        + [("named-graph-uri", g) for g in dict.fromkeys(request.named_graph_uris)])
        elif screened.has_from:
            return []
        if not inferred and not self.settings.files_mode:
            asserted = [g for g in named_all if g != str(INFERRED_GRAPH)]
            return [("default-graph-uri", g) for g in asserted] + [("named-graph-uri", g) for g in named_all]
        if self.settings.backend_default_graph:
            return ([("default-graph-uri", self.settings.backend_default_graph)]
                    + [("named-graph-uri", g) for g in named_all])
        return []

    # -- the exchange ----------------------------------------------------------------------
    def execute(self, request: QueryRequest) -> Result:
        screened = self.screen(request)
        for iri in (*request.default_graph_uris, *request.named_graph_uris):
            if iri not in self._graphs and not (iri in DEFAULT_GRAPH_ALIASES and iri in request.default_graph_uris):
                raise QueryError(f"unknown graph <{iri}> (list the graphs with GET /sparql)")
        limit = self.limit(request)
        cap = min(request.max_rows or self.settings.max_rows, self.settings.max_rows)
        form = [("query", request.query), *self.dataset_params(request, screened)]
        started = time.monotonic()
        deadline = started + limit
        if request.deadline is not None:  # the request's one budget (waiting, provenance) as in the pool
            deadline = min(deadline, request.deadline)
        budget = max(0.001, deadline - started)
        timeout = httpx.Timeout(budget, connect=min(budget, 5.0))
        try:
            # a form body, not a URL: a release's graph list can be long (repeated named-graph-uri)
            with self.client.stream("POST", self.url, content=urlencode(form).encode("ascii"), headers=FORM,
                                    timeout=timeout) as response:
                result = self._read(response, request.query, deadline, cap, limit)
        except httpx.TimeoutException:
            raise BackendTimeout(f"the backend {self.url} did not answer within the {limit:g} s time limit") from None
        except httpx.HTTPError as err:
            raise BackendFailed(f"the backend {self.url} cannot be reached: {_reason(err)}") from None
        result.seconds = time.monotonic() - started
        return result

    def _read(self, response: httpx.Response, query: str, deadline: float, cap: int, limit: float) -> Result:
        if response.status_code >= 400:
            text = _first_line(b"".join(_take(response.iter_bytes(), _ERROR_BODY)).decode("utf-8", "replace"))
            if response.status_code == 400:
                raise QuerySyntaxError(f"the backend could not run this query: {text or 'no reason given'}")
            raise BackendFailed(f"the backend {self.url} answered {response.status_code} "
                                f"{response.reason_phrase}" + (f": {text}" if text else ""))
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = _Body(response.iter_bytes(), deadline, self.settings.max_result_bytes * 4 + 2**20)
        try:
            if media in GRAPH_TYPES:
                return self._triples(ox.parse(io.BufferedReader(body), format=GRAPH_TYPES[media]), body, cap)
            results_format = RESULT_TYPES.get(media)
            if results_format is None:
                raise BackendFailed(f"the backend {self.url} answered with {media or 'no content type'}, "
                                    "which is not a SPARQL answer this service reads")
            parsed = ox.parse_query_results(io.BufferedReader(body), results_format)
            if isinstance(parsed, ox.QueryBoolean):
                return Boolean(bool(parsed))
            return self._solutions(parsed, body, cap)
        except _Deadline:
            raise BackendTimeout(f"the backend {self.url} did not finish its answer within the {limit:g} s "
                                 "time limit") from None
        except QueryError:
            raise
        except Exception as err:  # the parsers' errors (SyntaxError, OSError, …), or ours from read()
            if body.late:
                raise BackendTimeout(f"the backend {self.url} did not finish its answer within the {limit:g} s "
                                     "time limit") from None
            raise BackendFailed(f"the backend {self.url} sent an answer that is not valid {media}: "
                                f"{_first_line(str(err))}") from None

    def _solutions(self, parsed: ox.QuerySolutions, body: _Body, cap: int) -> Solutions:
        """The answer cut as the workers cut theirs (``worker.capped_rows``)."""
        variables, rows, truncated = capped_rows(parsed, cap, self.settings.max_result_bytes)
        return Solutions(variables, rows, truncated or body.cut)

    def _triples(self, parsed: Iterator[Any], body: _Body, cap: int) -> Triples:
        triples: list[tuple[Term, Term, Term]] = []
        budget = self.settings.max_result_bytes
        used = 0
        truncated = False
        for item in parsed:
            if len(triples) >= cap or (budget and used > budget):
                truncated = True
                break
            terms = (encode(item.subject), encode(item.predicate), encode(item.object))
            used += sum(term_size(t) for t in terms)
            triples.append(terms)  # type: ignore[arg-type]  # (a parsed triple has no unbound term)
        return Triples(triples, truncated or body.cut)

    def close(self) -> None:
        self.client.close()


def _take(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    got = 0
    for chunk in chunks:
        yield chunk[: limit - got]
        got += len(chunk)
        if got >= limit:
            return


def _reason(err: httpx.HTTPError) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, httpx.ConnectError) and "refused" in text.lower():
        return "connection refused"
    return _first_line(text)
