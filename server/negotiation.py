"""Content negotiation for the SPARQL endpoint and the downloads: the formats offered, and errors.

Format choice, in order: a ``format=`` request parameter (a short name such as ``json`` or
``ttl``, or a media type) overrides everything; otherwise the ``Accept`` header, read with
q-values and wildcards (``RFC 9110 §12.5.1``: the most specific range that matches an offered
type gives its quality; ties go to the server's order, i.e. the first format listed below).

Errors are JSON everywhere in the service's routes: ``{"error": <HTTP reason phrase>, "detail":
<what went wrong and what to do about it>}`` (406 adds ``"offered"``, the media types that would
have worked), with ``Content-Type: application/json``.  JSON was chosen over plain text because
browsers' JavaScript clients (CORS is open) can read it without guessing, and FastAPI's own
errors already use ``detail``.

Writing the answers is ``server.serializers`` (and, in the query worker, ``server.native``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

import pyoxigraph as ox
from starlette.responses import JSONResponse

from dipkg.server.engine import QueryError

Kind = Literal["results", "graph"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PROVENANCE_PROFILE = "https://w3id.org/dipkg/provenance"
_FORMATS_NS = "http://www.w3.org/ns/formats/"

#: Prefixes written into Turtle, TriG and RDF/XML output: the project's own plus the vocabularies
#: the service description uses.  Kept here rather than imported from ``graph.namespace`` so that
#: this module (and ``dipkg query``) does not pull in rdflib.
PREFIXES: dict[str, str] = {
    "dip": "https://w3id.org/dipkg/ontology#",
    "id": "https://w3id.org/dipkg/id/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "dct": "http://purl.org/dc/terms/",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}


@dataclass(frozen=True)
class Format:
    """One serialization the service offers."""

    name: str
    kind: Kind
    media_type: str
    #: what ``format=`` and ``dipkg query --format`` accept for it
    names: tuple[str, ...]
    #: other media types that select it through ``Accept`` (answered with that media type)
    aliases: tuple[str, ...] = ()
    #: the W3C format IRI (for ``sd:resultFormat``)
    iri: str = ""
    rdf_format: ox.RdfFormat | None = field(default=None, compare=False)


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "results", "application/sparql-results+json", ("json", "srj"),
           ("application/json",), _FORMATS_NS + "SPARQL_Results_JSON"),
    Format("xml", "results", "application/sparql-results+xml", ("xml", "srx"),
           ("application/xml", "text/xml"), _FORMATS_NS + "SPARQL_Results_XML"),
    Format("csv", "results", "text/csv", ("csv",), (), _FORMATS_NS + "SPARQL_Results_CSV"),
    Format("tsv", "results", "text/tab-separated-values", ("tsv",), (), _FORMATS_NS + "SPARQL_Results_TSV"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "graph", "text/turtle", ("turtle", "ttl", "n3"),
           ("application/x-turtle", "application/turtle"), _FORMATS_NS + "Turtle", ox.RdfFormat.TURTLE),
    Format("ntriples", "graph", "application/n-triples", ("ntriples", "nt", "n-triples"), (),
           _FORMATS_NS + "N-Triples", ox.RdfFormat.N_TRIPLES),
    Format("nquads", "graph", "application/n-quads", ("nquads", "nq", "n-quads"), (),
           _FORMATS_NS + "N-Quads", ox.RdfFormat.N_QUADS),
    Format("trig", "graph", "application/trig", ("trig",), (), _FORMATS_NS + "TriG", ox.RdfFormat.TRIG),
    Format("jsonld", "graph", "application/ld+json", ("jsonld", "json-ld", "json"), ("application/json",),
           _FORMATS_NS + "JSON-LD", ox.RdfFormat.JSON_LD),
    Format("rdfxml", "graph", "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml"),
           ("application/xml", "text/xml"), _FORMATS_NS + "RDF_XML", ox.RdfFormat.RDF_XML),
)
ALL_FORMATS = RESULT_FORMATS + GRAPH_FORMATS


def formats_of(kind: Kind) -> tuple[Format, ...]:
    return RESULT_FORMATS if kind == "results" else GRAPH_FORMATS


def graph_format(name: str) -> Format:
    """A graph format by its canonical name (``turtle``, ``nquads``, …)."""
    return next(f for f in GRAPH_FORMATS if f.name == name)


def content_type(media_type: str) -> str:
    """The Content-Type to send: every format the service writes is UTF-8 text, so say so."""
    return f"{media_type}; charset=utf-8"


# --- errors ---------------------------------------------------------------------------------
class FormatError(QueryError):
    """A ``format=`` value (or ``--format``) that names no format at all, or none for this result."""

    status = 400


class NotAcceptable(QueryError):
    """Nothing the client accepts is offered for this kind of result."""

    status = 406

    def __init__(self, message: str, offered: Sequence[str]) -> None:
        super().__init__(message)
        self.offered = list(offered)


def error_response(status: int, detail: str, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    """The service's one error shape: ``{"error": reason phrase, "detail": message, ...}``."""
    body: dict[str, Any] = {"error": HTTPStatus(status).phrase, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def query_error_response(err: QueryError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    if isinstance(err, NotAcceptable):
        return error_response(err.status, err.message, headers, offered=err.offered)
    return error_response(err.status, err.message, headers)


# --- Accept ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediaRange:
    main: str
    sub: str
    q: float
    params: dict[str, str]

    def specificity(self, media_type: str) -> int | None:
        """How specifically this range matches ``media_type`` (2 exact, 1 ``type/*``, 0 ``*/*``)."""
        main, _, sub = media_type.partition("/")
        if self.main == "*":
            return 0
        if self.main != main:
            return None
        if self.sub == "*":
            return 1
        return 2 if self.sub == sub else None


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def parse_accept(header: str) -> list[MediaRange]:
    """The readable media ranges of an Accept header; unreadable items are skipped."""
    ranges = []
    for item in _split_outside_quotes(header, ","):
        media, *raw_params = _split_outside_quotes(item.strip(), ";")
        main, slash, sub = media.strip().lower().partition("/")
        if not slash or not _TOKEN.match(main) or not _TOKEN.match(sub) or (main == "*" and sub != "*"):
            continue
        q, params, ok = 1.0, {}, True
        for raw in raw_params:
            key, _, value = raw.strip().partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    ok = False
                ok = ok and 0.0 <= q <= 1.0
            elif key:
                params[key] = value
        if ok:
            ranges.append(MediaRange(main, sub, q, params))
    return ranges


def browser_wants_html(accept: str | None) -> bool:
    """True when the client names HTML explicitly and rates nothing above it: a browser opening
    /sparql, which should land on the query page rather than an RDF/XML download. A client that
    only sends ``*/*`` (most SPARQL clients) or rates RDF higher keeps the service description."""
    ranges = parse_accept(accept or "")
    html = [r.q for r in ranges if (r.main, r.sub) in (("text", "html"), ("application", "xhtml+xml"))]
    return bool(html) and max(html) > 0 and max(html) >= max(r.q for r in ranges)


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int] | None:
    """(q, specificity) from the most specific range matching ``media_type``; None if none does."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.specificity(media_type)
        if spec is not None and (best is None or spec > best[0]):
            best = (spec, r.q)
    return None if best is None else (best[1], best[0])


def negotiate(accept: str | None, offers: Sequence[Format]) -> tuple[Format, str]:
    """The offered format the client prefers, and the media type to answer with."""
    if accept is None or not accept.strip():
        return offers[0], offers[0].media_type
    ranges = parse_accept(accept)
    candidates = [(f, f.media_type) for f in offers] + [(f, alias) for f in offers for alias in f.aliases]
    best: tuple[tuple[float, int, int], Format, str] | None = None
    for index, (fmt, media_type) in enumerate(candidates):
        quality = _quality(ranges, media_type)
        if quality is None or quality[0] <= 0:
            continue
        key = (quality[0], quality[1], -index)
        if best is None or key > best[0]:
            best = (key, fmt, media_type)
    if best is None:
        offered = [f.media_type for f in offers]
        what = "results of this query" if offers[0].kind == "results" else "this RDF graph"
        reason = "none of the media types in Accept" if ranges else "the Accept header could not be read, and nothing"
        raise NotAcceptable(f"{reason} can be offered for {what} (Accept: {accept!r}); "
                            f"send one of {', '.join(offered)}, or use format=", offered)
    return best[1], best[2]


def wants_provenance(accept: str | None) -> bool:
    """Whether Accept asks for SPARQL JSON with the dipkg provenance profile."""
    return any(
        r.main == "application" and r.sub == "sparql-results+json" and r.q > 0
        and r.params.get("profile") == PROVENANCE_PROFILE
        for r in parse_accept(accept or "")
    )


def _lookup(value: str) -> list[Format]:
    value = value.strip().lower()
    if "/" in value:
        media = value.split(";", 1)[0].strip()
        return [f for f in ALL_FORMATS if media == f.media_type or media in f.aliases]
    return [f for f in ALL_FORMATS if value in f.names]


def check_format_names(values: Sequence[str]) -> None:
    """Reject ``format=`` values none of which names any format (before running the query)."""
    values = [v for v in values if v.strip()]
    if values and not any(_lookup(v) for v in values):
        names = sorted({n for f in ALL_FORMATS for n in f.names})
        raise FormatError(f"unknown format {values[0]!r}: use one of {', '.join(names)} (or a media type)")


def format_by_name(values: Sequence[str], kind: Kind) -> Format:
    """The format a ``format=`` override (possibly repeated, as SPARQLWrapper does) asks for.

    Names are read for the kind of result: ``json`` is SPARQL JSON for SELECT/ASK and JSON-LD
    for a graph, ``xml`` is SPARQL XML or RDF/XML.
    """
    values = [v for v in values if v.strip()]
    check_format_names(values)
    for value in values:
        for fmt in _lookup(value):
            if fmt.kind == kind:
                return fmt
    offered = formats_of(kind)
    what = "SELECT and ASK results" if kind == "results" else "graphs (CONSTRUCT, DESCRIBE)"
    raise NotAcceptable(f"format {values[0]!r} is not offered for {what}; use one of "
                        f"{', '.join(f.names[0] for f in offered)}", [f.media_type for f in offered])


def choose(kind: Kind, format_values: Sequence[str], accept: str | None) -> tuple[Format, str]:
    """``format=`` if given, else content negotiation."""
    if any(v.strip() for v in format_values):
        fmt = format_by_name(format_values, kind)
        return fmt, fmt.media_type
    return negotiate(accept, formats_of(kind))
