"""Whole-dataset downloads, one article's graph, and the Graph Store Protocol (read-only).

``/download/dipkg.{ttl,trig,nq,jsonld}`` is the whole dataset.  Serving a dipkg build, the
build's own files are sent as they are (streamed from disk, so a big build costs no memory) and
JSON-LD, which the build does not write, is produced once and kept; serving ``--rdf``/``--graph``
files, every format is produced.  ``dipkg.ttl`` is every triple of every graph merged (Turtle has
no named graphs); the other three keep the graphs.  What is produced comes from the served files
parsed again, not from the query store, which normalizes literals (see ``_Downloads``).

``/download/dipkg-spans.ttl`` is ``dipkg.ttl`` without the articles' full texts (``nif:isString``;
every source sentence is kept), for redistribution where the publishers' texts may not go
(``graph/metadata.py``); the build writes it, and for other data it is produced the same way.
QuickStatements (``/download/wikidata.qs``) are ``server/wikidata.py``'s.

``/download/article/{name}.{ttl,trig,nq,jsonld}`` is one article's named graph, ``{name}`` being
the article IRI after ``https://w3id.org/dipkg/id/`` (``article-<file stem>``); TriG, N-Quads and
JSON-LD keep the graph name, Turtle has the triples only.

``/graph-store?graph=IRI`` and ``/graph-store?default`` are the SPARQL 1.1 Graph Store Protocol's
indirect graph identification, for GET and HEAD only (writes get 405): the graph's triples, in
Turtle unless ``Accept`` or ``format=`` asks for another RDF format (a quad format puts them in
its default graph).  ``?default`` is the dataset's default graph — in data mode the union of every
graph, without the inferred graph if the server runs with ``--no-inferred`` or ``inferred=false``
is given.

Everything here is one version of the data, so every answer carries the dataset's ``ETag`` and
``Last-Modified`` and a conditional GET (``If-None-Match``, ``If-Modified-Since``) gets 304.
Compression is the app's GZip middleware.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from dipkg.graph.namespace import ID_IRI, INFERRED_GRAPH, NIF
from dipkg.server.conditional import not_modified, validators
from dipkg.server.dataset import rdf_format
from dipkg.server.description import DUMPS
from dipkg.server.description import SPANS_DUMP as SPANS_DUMP  # (the about page lists it)
from dipkg.server.engine import QueryError
from dipkg.server.negotiation import choose, content_type, error_response, graph_format, query_error_response
from dipkg.server.openapi import DOWNLOAD_RESPONSES, GRAPH_RESPONSES, GRAPH_STORE_GET
from dipkg.server.serializers import serialize_rdf as _serialize
from dipkg.server.sparql import BadParameter, Params
from dipkg.server.versions import service_of

if TYPE_CHECKING:
    from dipkg.server.app import Service
    from dipkg.server.dataset import ServedDataset

router = APIRouter()

ID_PREFIX = ID_IRI
#: download extension -> graph format name
DOWNLOADS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "jsonld"}
READ_ONLY = {"Allow": "GET, HEAD"}
#: Produced bodies kept in memory: at most this many, and none bigger than MAX_CACHED_BYTES.
MAX_CACHED = 64
MAX_CACHED_BYTES = 32 * 1024 * 1024


def _service(request: Request) -> Service:
    return service_of(request)  # the version this request is pinned to


class NotFound(QueryError):
    status = 404


class _Downloads:
    """Per-app state: the served data, parsed again from its files, and produced bodies by key.

    Not the query store: pyoxigraph's Store normalizes literals as it loads them (oxigraph issue
    526: ``"5"^^xsd:nonNegativeInteger`` comes back as ``"5"^^xsd:integer``, ``"1.50"`` as
    ``"1.5"``), and a download must be the data as published.  ``pyoxigraph.Dataset`` keeps
    literals as they are, so the source files are parsed into one, once, on first use.
    """

    def __init__(self, service: Service) -> None:
        self.settings = service.settings
        self.dataset = service.dataset
        self.lock = threading.Lock()
        self._data: ox.Dataset | None = None
        self._bodies: OrderedDict[tuple[str, ...], bytes] = OrderedDict()

    @property
    def data(self) -> ox.Dataset:
        with self.lock:
            if self._data is None:
                self._data = ox.Dataset(self._quads())
            return self._data

    def _quads(self) -> Iterator[ox.Quad]:
        """The quads exactly as ``server.dataset`` loads them into the store."""
        if not self.settings.files_mode:
            yield from ox.parse(path=str(self.dataset.sources[0]), format=ox.RdfFormat.N_QUADS)
            return
        placed: list[tuple[Path, ox.NamedNode | ox.DefaultGraph]] = [
            *((path, ox.DefaultGraph()) for path in self.settings.rdf_files),
            *((path, ox.NamedNode(iri)) for iri, path in self.settings.graph_files)]
        for path, graph in placed:
            for item in ox.parse(path=str(path), format=rdf_format(path)):
                yield ox.Quad(item.subject, item.predicate, item.object, graph)

    def body(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        with self.lock:
            if key in self._bodies:
                self._bodies.move_to_end(key)
                return self._bodies[key]
        body = make()  # outside the lock: two requests may both make it; both get the same bytes
        if len(body) <= MAX_CACHED_BYTES:
            with self.lock:
                self._bodies[key] = body
                while len(self._bodies) > MAX_CACHED:
                    self._bodies.popitem(last=False)
        return body


_STATE_LOCK = threading.Lock()


def _downloads(request: Request) -> _Downloads:
    state = _service(request).state  # per version: a new release is parsed and produced anew
    with _STATE_LOCK:
        downloads: _Downloads | None = getattr(state, "dipkg_downloads", None)
        if downloads is None:
            downloads = _Downloads(_service(request))
            state.dipkg_downloads = downloads
        return downloads


# --- conditional requests (server/conditional.py) -----------------------------------------------
_validators = validators


def _variant_etag(dataset: ServedDataset, *parts: str) -> str:
    """A distinct ETag per representation of a negotiated resource (same data version)."""
    return f'"{dataset.etag.strip(chr(34))}-{"-".join(parts)}"'


# --- producing RDF ----------------------------------------------------------------------------------
def _graph_quads(data: ox.Dataset, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    return list(data.quads_for_graph_name(graph))


def _union_triples(data: ox.Dataset, leave_out: Iterable[str] = ()) -> list[ox.Triple]:
    """Every triple of every graph, each once."""
    skip = {ox.NamedNode(g) for g in leave_out}
    return list(dict.fromkeys(q.triple for q in data if q.graph_name not in skip))


def _by_graph(data: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads grouped by graph (so that TriG writes each graph once), default graph first."""
    return sorted(data, key=lambda q: "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name))


def _dataset_body(downloads: _Downloads, ext: str) -> bytes:
    if ext == "spans":
        is_string = ox.NamedNode(str(NIF.isString))
        return _serialize([t for t in _union_triples(downloads.data) if t.predicate != is_string],
                          graph_format("turtle"))
    fmt = graph_format(DOWNLOADS[ext])
    if ext == "ttl":
        return _serialize(_union_triples(downloads.data), fmt)
    return _serialize(_by_graph(downloads.data), fmt)


# --- routes ------------------------------------------------------------------------------------
def _available() -> str:
    return ", ".join(f"/download/{name}" for name in (*DUMPS, SPANS_DUMP))


@router.get("/download/{filename}", response_class=Response, responses=DOWNLOAD_RESPONSES,
            summary="the whole dataset in one file")
@router.head("/download/{filename}", include_in_schema=False)
def download(request: Request, filename: str) -> Response:
    """The whole dataset in one file."""
    service = _service(request)
    dataset = service.dataset
    stem, _, ext = filename.rpartition(".")
    if filename == SPANS_DUMP:
        ext = "spans"  # Turtle, the union without nif:isString (the build writes it; else made here)
    elif stem != "dipkg" or ext not in DOWNLOADS:
        return error_response(404, f"no download called {filename!r}: the dataset is at {_available()}; "
                                   "one article's graph at /download/article/<name>.<ttl|trig|nq|jsonld>; "
                                   "QuickStatements at /download/wikidata.qs")
    headers = {**_validators(dataset), "Content-Disposition": f'attachment; filename="{filename}"'}
    if not_modified(request, dataset.etag, dataset.last_modified):
        return Response(status_code=304, headers=headers)
    media = content_type(graph_format(DOWNLOADS.get(ext, "turtle")).media_type)
    release = dataset.release_dir
    if release is not None and ext != "jsonld":
        # the file of the release that was loaded, never a newer one published since (its bytes
        # would not match this ETag); once swept, the body is produced from the store instead
        path = release / filename
        if path.is_file():
            return FileResponse(path, media_type=media, headers=headers)
    downloads = _downloads(request)
    body = downloads.body(("dataset", ext), lambda: _dataset_body(downloads, ext))
    return Response(body, media_type=media, headers=headers)


@router.get("/download/article/{filename}", response_class=Response, responses=DOWNLOAD_RESPONSES,
            summary="one article's graph")
@router.head("/download/article/{filename}", include_in_schema=False)
def download_article(request: Request, filename: str) -> Response:
    """One article's named graph."""
    dataset = _service(request).dataset
    name, _, ext = filename.rpartition(".")
    if ext not in DOWNLOADS or not name:
        return error_response(404, f"{filename!r}: name the article and a format, as in "
                                   "/download/article/article-<file stem>.ttl (ttl, trig, nq or jsonld)")
    iri = ID_PREFIX + name
    if iri not in dataset.article_graphs:
        names = [g[len(ID_PREFIX):] for g in dataset.article_graphs if g.startswith(ID_PREFIX)]
        shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        return error_response(404, f"no article graph <{iri}> in this dataset; the articles are: "
                                   f"{shown or 'none'} (GET /sparql lists every graph)")
    headers = {**_validators(dataset), "Content-Disposition": f'attachment; filename="{filename}"'}
    if not_modified(request, dataset.etag, dataset.last_modified):
        return Response(status_code=304, headers=headers)
    fmt = graph_format(DOWNLOADS[ext])
    downloads = _downloads(request)

    def make() -> bytes:
        quads = _graph_quads(downloads.data, ox.NamedNode(iri))
        return _serialize([q.triple for q in quads] if ext == "ttl" else quads, fmt)

    try:
        body = downloads.body(("article", name, ext), make)
    except QueryError as err:
        return query_error_response(err)
    return Response(body, media_type=content_type(fmt.media_type), headers=headers)


@router.get("/graph-store", response_class=Response, responses=GRAPH_RESPONSES, openapi_extra=GRAPH_STORE_GET,
            summary="Graph Store Protocol (read): one named graph, or the default graph")
@router.head("/graph-store", include_in_schema=False)
def graph_store(request: Request) -> Response:
    """Graph Store Protocol, read side: ``?graph=IRI`` or ``?default``."""
    service = _service(request)
    dataset = service.dataset
    params = Params(list(request.query_params.multi_items()))
    try:
        graphs = params.all("graph")
        if len(graphs) > 1 or (graphs and params.has("default")) or (not graphs and not params.has("default")):
            raise BadParameter("name one graph: /graph-store?graph=<IRI> for a named graph, or "
                               "/graph-store?default for the default graph")
        if graphs and not graphs[0].strip():
            raise BadParameter("graph= needs a graph IRI, as in /graph-store?graph=https://w3id.org/dipkg/graph/entities")
        inferred = params.flag("inferred")
        fmt, media = choose("graph", params.all("format"), request.headers.get("accept"))
        if graphs and graphs[0] not in dataset.graphs:
            raise NotFound(f"no graph <{graphs[0]}> in this dataset ({len(dataset.graphs)} named graphs; "
                           "GET /sparql lists them, and /graph-store?default is the default graph)")
    except QueryError as err:
        return query_error_response(err, {"Vary": "Accept"})
    leave_out: list[str] = []
    if not graphs and not service.settings.files_mode:
        keep_inferred = service.settings.include_inferred if inferred is None else inferred
        leave_out = [] if keep_inferred else [str(INFERRED_GRAPH)]
    which = graphs[0] if graphs else "default" + ("-no-inferred" if leave_out else "")
    etag = _variant_etag(dataset, fmt.name, hashlib.sha256(which.encode()).hexdigest()[:12])
    headers = {**_validators(dataset, etag), "Vary": "Accept"}
    if not_modified(request, etag, dataset.last_modified):
        return Response(status_code=304, headers=headers)
    downloads = _downloads(request)

    def make() -> bytes:
        data = downloads.data
        if graphs or service.settings.files_mode:
            graph = ox.NamedNode(graphs[0]) if graphs else ox.DefaultGraph()
            return _serialize([q.triple for q in _graph_quads(data, graph)], fmt)
        return _serialize(_union_triples(data, leave_out), fmt)

    try:
        body = downloads.body(("graph-store", which, fmt.name), make)
    except QueryError as err:
        return query_error_response(err, {"Vary": "Accept"})
    return Response(body, media_type=content_type(media), headers=headers)


def _read_only(what: str) -> Response:
    return error_response(405, f"{what} is read-only: only GET and HEAD are allowed (this service does not "
                               "change its data over HTTP; rebuild with `dipkg build` instead)", READ_ONLY)


@router.api_route("/graph-store", methods=["PUT", "POST", "DELETE", "PATCH"], include_in_schema=False)
def graph_store_write() -> Response:
    return _read_only("the graph store")


@router.api_route("/download/{filename}", methods=["PUT", "POST", "DELETE", "PATCH"], include_in_schema=False)
def download_write(filename: str) -> Response:
    return _read_only(f"/download/{filename}")


@router.api_route("/download/article/{filename}", methods=["PUT", "POST", "DELETE", "PATCH"], include_in_schema=False)
def download_article_write(filename: str) -> Response:
    return _read_only(f"/download/article/{filename}")
