"""The SPARQL 1.1 Protocol endpoint, ``/sparql``: queries, and the route to the service description.

A query comes as ``GET ?query=``, ``POST`` of a form (``application/x-www-form-urlencoded``) or
``POST`` of the bare query (``application/sparql-query``, other parameters in the URL).  The
endpoint is read-only: an update — ``POST application/sparql-update``, an ``update=`` parameter,
or an update sent as ``query=`` — is refused with 403 (the engine screens the last case).

Parameters besides the protocol's ``query``, ``default-graph-uri`` and ``named-graph-uri``:

``format``      json, xml, csv, tsv (SELECT/ASK); turtle/ttl, ntriples/nt, nquads/nq, trig,
                jsonld/json-ld, rdfxml/xml (graphs); or a media type.  Overrides ``Accept``.
``inferred``    ``false`` leaves the inferred graph out of the default graph (data mode).
``timeout``     seconds; lowers the server's time limit for this query (never raises it; 0 = the
                server's limit).
``max-rows``    at most this many rows/triples (never more than the server's cap).
``provenance``  ``true``: a SELECT answered in SPARQL JSON with a top-level ``"provenance"`` list,
                one entry per solution (also asked by ``Accept: application/sparql-results+json;
                profile="https://w3id.org/dipkg/provenance"``).

Every SELECT and graph answer carries ``X-Dipkg-Truncated: true|false`` and ``X-Dipkg-Row-Limit:
N``, and SPARQL JSON a top-level ``"dipkg": {"truncated": …, "rowLimit": N}``, because a capped
answer that looks complete is the worst kind of wrong answer.  Errors are JSON
``{"error", "detail"}`` (see ``server.negotiation``).

``GET /sparql`` without a query (and ``GET /.well-known/void``) returns the SPARQL Service
Description with VoID statistics (``server.description``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from dipkg.server.description import SD, VOID, description_triples, statistics
from dipkg.server.engine import (
    Body,
    Boolean,
    QueryError,
    QueryRefused,
    QueryRequest,
    QueryTimeout,
    QueryTooLarge,
    Result,
    Solutions,
    Triples,
)
from dipkg.server.negotiation import (
    ALL_FORMATS,
    GRAPH_FORMATS,
    PREFIXES,
    PROVENANCE_PROFILE,
    RESULT_FORMATS,
    Format,
    NotAcceptable,
    browser_wants_html,
    check_format_names,
    choose,
    content_type,
    error_response,
    negotiate,
    parse_accept,
    query_error_response,
    wants_provenance,
)
from dipkg.server.openapi import SPARQL_GET, SPARQL_POST, SPARQL_RESPONSES
from dipkg.server.provenance import annotate
from dipkg.server.serializers import native_body, native_formats, serialize_graph, serialize_rdf, serialize_results
from dipkg.server.versions import service_of

if TYPE_CHECKING:
    from dipkg.server.app import Service

log = logging.getLogger("dipkg.sparql")
router = APIRouter()

#: the whole dataset, one file per format (``/download/<name>``)
UPDATE_REFUSED = "SPARQL Update is not allowed: this endpoint is read-only"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
_TRUE = {"true", "1", "yes", "on", ""}
_FALSE = {"false", "0", "no", "off"}
#: How long a failed statistics computation is remembered before the next request retries it.


def _service(request: Request) -> Service:
    return service_of(request)  # the version this request is pinned to


class BadParameter(QueryError):
    status = 400


class UnsupportedMediaType(QueryError):
    status = 415


@dataclass
class Params:
    """The request's parameters, in order, repeats kept (the protocol repeats graph URIs)."""

    pairs: list[tuple[str, str]]

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self.pairs)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def one(self, name: str) -> str | None:
        values = self.all(name)
        if len(values) > 1:
            raise BadParameter(f"the parameter {name!r} is given {len(values)} times; give it once")
        return values[0] if values else None

    def flag(self, name: str) -> bool | None:
        value = self.one(name)
        if value is None:
            return None
        if value.strip().lower() in _TRUE:
            return True
        if value.strip().lower() in _FALSE:
            return False
        raise BadParameter(f"{name}={value!r}: expected true or false")

    def seconds(self, name: str) -> float | None:
        value = self.one(name)
        if value is None or not value.strip():
            return None
        try:
            seconds = float(value)
        except ValueError:
            raise BadParameter(f"{name}={value!r}: expected a number of seconds, such as {name}=2.5") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise BadParameter(f"{name}={value!r}: expected a positive number of seconds (0 = the server's limit)")
        return seconds or None

    def count(self, name: str) -> int | None:
        value = self.one(name)
        if value is None or not value.strip():
            return None
        try:
            count = int(value)
        except ValueError:
            raise BadParameter(f"{name}={value!r}: expected a whole number, such as {name}=100") from None
        if count < 1:
            raise BadParameter(f"{name}={value!r}: expected at least 1")
        return count


# --- routes ---------------------------------------------------------------------------------
@router.get("/sparql", response_class=Response, responses=SPARQL_RESPONSES, openapi_extra=SPARQL_GET,
            summary="SPARQL query in the URL, or the service description")
@router.head("/sparql", include_in_schema=False)
async def sparql_get(request: Request) -> Response:
    """A query in the URL, or (with no query) the service description."""
    request.state.arrived = time.monotonic()
    params = Params(list(request.query_params.multi_items()))
    if params.has("update"):
        return error_response(403, UPDATE_REFUSED)
    if not params.has("query"):
        if not params.has("format") and browser_wants_html(request.headers.get("accept")):
            root = str(request.scope.get("root_path", "")).rstrip("/")
            return RedirectResponse(f"{root}/", status_code=303, headers={"Vary": "Accept"})
        return await service_description(request, params)
    return await answer(request, params, params.all("query"))


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], include_in_schema=False)
async def well_known_void(request: Request) -> Response:
    """The VoID description where the VoID specification (§6.2) says to look for it: the same
    triples as the service description; a browser (which accepts ``*/*``) gets Turtle here
    rather than the redirect to the query page that ``/sparql`` gives it."""
    return await service_description(request, Params(list(request.query_params.multi_items())))


@router.post("/sparql", response_class=Response, responses=SPARQL_RESPONSES, openapi_extra=SPARQL_POST,
             summary="SPARQL query as the body (application/sparql-query) or as a form")
async def sparql_post(request: Request) -> Response:
    """A query sent as a form or as the request body."""
    request.state.arrived = time.monotonic()
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    url_params = list(request.query_params.multi_items())
    settings = _service(request).settings
    try:
        if media == UPDATE_BODY or any(k == "update" for k, _ in url_params):
            raise QueryRefused(UPDATE_REFUSED)
        if media == QUERY_BODY:
            body = await read_body(request, settings.max_query_bytes)
            params = Params(url_params)
            if params.has("query"):
                raise BadParameter("the query is both in the body and in the URL's query=; send it once")
            return await answer(request, params, [_decode(body)])
        if media == FORM:
            # percent-encoding can triple a query's size; the engine checks the decoded size exactly
            body = await read_body(request, 3 * settings.max_query_bytes + 8192)
            try:
                pairs = parse_qsl(_decode(body), keep_blank_values=True, max_num_fields=1000)
            except ValueError as err:
                raise BadParameter(f"the form could not be read: {err}") from None
            params = Params(url_params + pairs)
            if params.has("update"):
                raise QueryRefused(UPDATE_REFUSED)
            return await answer(request, params, params.all("query"))
        if not media and not await read_body(request, settings.max_query_bytes):
            raise BadParameter("POST /sparql without a query: send the query as the body with Content-Type "
                               f"{QUERY_BODY}, or as query=... with Content-Type {FORM}")
        raise UnsupportedMediaType(
            f"POST /sparql takes {QUERY_BODY} (the query as the body) or {FORM} (query=...), "
            f"not {media or 'a body without Content-Type'}; updates ({UPDATE_BODY}) are refused")
    except QueryError as err:
        return query_error_response(err)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadParameter(f"the request body is not UTF-8 ({err.reason} at byte {err.start})") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it passes ``limit`` bytes — before reading it all."""
    declared = request.headers.get("content-length", "")
    message = f"the request body is larger than the limit of {limit} bytes (queries may be at most " \
              f"{_service(request).settings.max_query_bytes} bytes)"
    if declared.isdigit() and int(declared) > limit:
        raise QueryTooLarge(message)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise QueryTooLarge(message)
        chunks.append(chunk)
    return b"".join(chunks)


# --- answering a query ----------------------------------------------------------------------
#: Threads for requests that wait on the query engine.  Not Starlette's shared pool (40): requests
#: waiting their turn for a worker would hold all of it, and /health and the pages would queue
#: behind them.  The engine's lanes, not this number, decide what runs.
_ENGINE_THREADS = 512
_T = TypeVar("_T")


async def _in_thread(request: Request, function: Callable[..., _T], *args: Any) -> _T:
    limiter = getattr(request.app.state, "dipkg_engine_threads", None)
    if limiter is None:
        limiter = request.app.state.dipkg_engine_threads = anyio.CapacityLimiter(_ENGINE_THREADS)
    return await anyio.to_thread.run_sync(partial(function, *args), limiter=limiter)


async def answer(request: Request, params: Params, queries: Sequence[str]) -> Response:
    """Run one query and write its result in the negotiated format."""
    service = _service(request)
    settings = service.settings
    try:
        if not queries:
            raise BadParameter("no query: send query=... (GET /sparql without any query describes the service)")
        if len(queries) > 1:
            raise BadParameter(f"the parameter 'query' is given {len(queries)} times; give it once")
        query = queries[0]
        if not query.strip():
            raise BadParameter("the query is empty: send a SPARQL query as query=... (GET /sparql without a "
                               "query describes the service)")
        format_values = params.all("format")
        check_format_names(format_values)
        accept = request.headers.get("accept")
        request.state.query = query
        provenance = bool(params.flag("provenance")) or wants_provenance(accept)
        formats: tuple[tuple[Format, str] | None, tuple[Format, str] | None] = (None, None)
        if provenance:
            if any(v.strip() and v.strip().lower() not in ("json", "application/sparql-results+json")
                   for v in format_values):
                raise BadParameter("provenance is returned in SPARQL JSON only: drop format= or use format=json")
        else:
            formats = _formats(format_values, accept)
        query_request = QueryRequest(
            query,
            default_graph_uris=tuple(params.all("default-graph-uri")),
            named_graph_uris=tuple(params.all("named-graph-uri")),
            include_inferred=params.flag("inferred"),
            timeout=params.seconds("timeout"),
            max_rows=params.count("max-rows"),
            client=request.client.host if request.client else "",
            native=None if provenance else native_formats(*(f[0] if f else None for f in formats)),
        )
        # one time budget for the whole request: waiting, running, and provenance's own queries
        arrived = float(getattr(request.state, "arrived", time.monotonic()))
        query_request = replace(query_request, deadline=arrived + service.engine.limit(query_request))
        result = await _in_thread(request, service.engine.execute, query_request)
        request.state.query_ms = round(result.seconds * 1000, 1)
        row_limit = min(query_request.max_rows or settings.max_rows, settings.max_rows)
        headers = {"Vary": "Accept"}
        if isinstance(result, Solutions | Triples | Body):
            headers["X-Dipkg-Truncated"] = "true" if result.truncated else "false"
            headers["X-Dipkg-Row-Limit"] = str(row_limit)
        if provenance:
            return await _with_provenance(request, query_request, result, row_limit, headers)
        body, media = _write(result, formats, format_values, accept, row_limit)
        return Response(body, headers=headers, media_type=content_type(media))
    except QueryError as err:
        return query_error_response(err)


def _formats(format_values: Sequence[str], accept: str | None
             ) -> tuple[tuple[Format, str] | None, tuple[Format, str] | None]:
    """The format (and media type) the answer will have if it is results, and if it is a graph —
    chosen before the query runs, so that the worker can write it; 406 at once when neither kind
    has one the client takes."""
    chosen: list[tuple[Format, str] | None] = []
    for kind in ("results", "graph"):
        try:
            chosen.append(choose(kind, format_values, accept))
        except NotAcceptable:
            chosen.append(None)
    if chosen[0] is None and chosen[1] is None:
        _check_acceptable(accept)
    return chosen[0], chosen[1]


def _write(result: Result, formats: tuple[tuple[Format, str] | None, tuple[Format, str] | None],
           format_values: Sequence[str], accept: str | None, row_limit: int) -> tuple[bytes, str]:
    """The body and media type of an answer: the worker's bytes where it wrote them, else written
    here (CSV, TSV, ASK; a graph its format cannot express gets the 406 that says so)."""
    if isinstance(result, Body):
        chosen = formats[0] if result.form == "solutions" else formats[1]
        assert chosen is not None and chosen[0].name == result.format
        return native_body(result, row_limit), chosen[1]
    if isinstance(result, Triples):
        fmt, media = formats[1] or choose("graph", format_values, accept)
        return serialize_graph(result, fmt), media
    fmt, media = formats[0] or choose("results", format_values, accept)
    return serialize_results(result, fmt, row_limit), media


def _check_acceptable(accept: str | None) -> None:
    """406 before running anything when the client accepts no format of either kind."""
    for offers in (RESULT_FORMATS, GRAPH_FORMATS):
        try:
            negotiate(accept, offers)
            return
        except NotAcceptable:
            pass
    offered = [f.media_type for f in ALL_FORMATS]
    reason = "nothing this endpoint writes matches" if parse_accept(accept or "") else "could not read"
    raise NotAcceptable(f"{reason} Accept: {accept!r}; SELECT and ASK come as "
                        f"{', '.join(offered[:4])}, graphs as {', '.join(offered[4:])} (or use format=)", offered)


async def _with_provenance(request: Request, query_request: QueryRequest, result: Result,
                           row_limit: int, headers: dict[str, str]) -> Response:
    service = _service(request)
    if not isinstance(result, Solutions):
        form = "an ASK" if isinstance(result, Boolean) else "a CONSTRUCT or DESCRIBE"
        raise BadParameter(f"provenance is for SELECT queries (one entry per solution); this is {form} query")
    annotations = await _in_thread(request, annotate, service, query_request, result)
    if query_request.deadline is not None and time.monotonic() > query_request.deadline:
        # provenance's queries ran out of the request's time (each reports it as untraced): the
        # request as a whole did not finish within its limit
        raise QueryTimeout(f"request stopped: the query and its provenance took longer than the "
                           f"{service.engine.limit(query_request):g} s time limit")
    body = serialize_results(result, RESULT_FORMATS[0], row_limit, {"provenance": annotations})
    media = f'{RESULT_FORMATS[0].media_type}; profile="{PROVENANCE_PROFILE}"'
    return Response(body, headers=headers, media_type=content_type(media))


async def service_description(request: Request, params: Params) -> Response:
    try:
        fmt, media = choose("graph", params.all("format"), request.headers.get("accept"))
        stats = await run_in_threadpool(statistics, request)
        endpoint = str(request.base_url) + "sparql"  # also when asked at /.well-known/void
        triples = description_triples(_service(request), stats, endpoint, str(request.base_url))
        prefixes = {**PREFIXES, "sd": SD, "void": VOID, "formats": "http://www.w3.org/ns/formats/"}
        body = serialize_rdf(triples, fmt, prefixes)
    except QueryError as err:
        return query_error_response(err)
    return Response(body, headers={"Vary": "Accept"}, media_type=content_type(media))
