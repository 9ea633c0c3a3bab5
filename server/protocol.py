"""Content negotiation and result serialization for the SPARQL endpoint and the downloads.

The engine hands back plain tuples (``("uri", iri)``, ``("bnode", id)``, ``("literal", lexical,
datatype, lang)``, ``("triple", s, p, o)``) because they cross a process boundary; this module
turns them into the W3C formats.  Results (SELECT, ASK) are written here by hand — SPARQL JSON,
SPARQL XML, CSV and TSV — because the service adds its own members (the ``"dipkg"`` truncation
signal, per-answer provenance) that no library writer knows about; graphs (CONSTRUCT, DESCRIBE,
downloads) are written by pyoxigraph, which is fast and already loaded.

Format choice, in order: a ``format=`` request parameter (a short name such as ``json`` or
``ttl``, or a media type) overrides everything; otherwise the ``Accept`` header, read with
q-values and wildcards (``RFC 9110 §12.5.1``: the most specific range that matches an offered
type gives its quality; ties go to the server's order, i.e. the first format listed below).

Errors are JSON everywhere in the service's routes: ``{"error": <HTTP reason phrase>, "detail":
<what went wrong and what to do about it>}`` (406 adds ``"offered"``, the media types that would
have worked), with ``Content-Type: application/json``.  JSON was chosen over plain text because
browsers' JavaScript clients (CORS is open) can read it without guessing, and FastAPI's own
errors already use ``detail``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from starlette.responses import JSONResponse

from dipkg.server.engine import Boolean, QueryError, Result, Solutions, Triples
from dipkg.server.worker import Term

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


# --- terms ----------------------------------------------------------------------------------
def _escape_string(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def nt_term(term: Term) -> str:
    """A term in N-Triples syntax (RDF 1.2 ``<<( s p o )>>`` for triple terms): TSV's syntax."""
    kind = term[0]
    if kind == "uri":
        return f"<{term[1]}>"
    if kind == "bnode":
        return f"_:{term[1]}"
    if kind == "literal":
        _, lexical, datatype, lang = term
        if lang:
            return f'"{_escape_string(lexical)}"@{lang}'
        if datatype in (XSD_STRING, None):
            return f'"{_escape_string(lexical)}"'
        return f'"{_escape_string(lexical)}"^^<{datatype}>'
    if kind == "triple":
        return f"<<( {nt_term(term[1])} {nt_term(term[2])} {nt_term(term[3])} )>>"
    raise ValueError(f"unknown term {term!r}")


def json_term(term: Term) -> dict[str, Any]:
    """A term in SPARQL JSON (1.1, plus the SPARQL 1.2 ``"triple"`` type)."""
    kind = term[0]
    if kind == "uri":
        return {"type": "uri", "value": term[1]}
    if kind == "bnode":
        return {"type": "bnode", "value": term[1]}
    if kind == "literal":
        _, lexical, datatype, lang = term
        out: dict[str, Any] = {"type": "literal", "value": lexical}
        if lang:
            out["xml:lang"] = lang
        elif datatype and datatype != XSD_STRING:
            out["datatype"] = datatype
        return out
    if kind == "triple":
        return {"type": "triple", "value": {
            "subject": json_term(term[1]), "predicate": json_term(term[2]), "object": json_term(term[3])}}
    raise ValueError(f"unknown term {term!r}")


def xml_term(term: Term) -> str:
    """A term in SPARQL XML (1.1, plus the SPARQL 1.2 ``<triple>`` element)."""
    kind = term[0]
    if kind == "uri":
        return f"<uri>{escape(term[1])}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(term[1])}</bnode>"
    if kind == "literal":
        _, lexical, datatype, lang = term
        if lang:
            return f"<literal xml:lang={quoteattr(lang)}>{escape(lexical)}</literal>"
        if datatype and datatype != XSD_STRING:
            return f"<literal datatype={quoteattr(datatype)}>{escape(lexical)}</literal>"
        return f"<literal>{escape(lexical)}</literal>"
    if kind == "triple":
        return (f"<triple><subject>{xml_term(term[1])}</subject><predicate>{xml_term(term[2])}</predicate>"
                f"<object>{xml_term(term[3])}</object></triple>")
    raise ValueError(f"unknown term {term!r}")


def csv_term(term: Term) -> str:
    """A term in CSV: IRIs and literals as plain strings (the format is lossy by design)."""
    kind = term[0]
    if kind in ("uri", "literal"):
        return str(term[1])
    if kind == "bnode":
        return f"_:{term[1]}"
    return nt_term(term)


def ox_term(term: Term) -> Any:
    """A term as a pyoxigraph object, to hand to pyoxigraph's writers."""
    kind = term[0]
    if kind == "uri":
        return ox.NamedNode(term[1])
    if kind == "bnode":
        return ox.BlankNode(term[1])
    if kind == "literal":
        _, lexical, datatype, lang = term
        if lang:
            return ox.Literal(lexical, language=lang)
        return ox.Literal(lexical, datatype=ox.NamedNode(datatype or XSD_STRING))
    if kind == "triple":
        return ox.Triple(ox_term(term[1]), ox_term(term[2]), ox_term(term[3]))
    raise ValueError(f"unknown term {term!r}")


# --- results --------------------------------------------------------------------------------
def results_json(result: Solutions | Boolean, row_limit: int | None = None,
                 extra: Mapping[str, Any] | None = None) -> bytes:
    """SPARQL JSON; for SELECT with the ``"dipkg"`` member saying whether the row cap cut it."""
    doc: dict[str, Any]
    if isinstance(result, Boolean):
        doc = {"head": {}, "boolean": result.value}
    else:
        bindings = [{var: json_term(value) for var, value in zip(result.variables, row, strict=True)
                     if value is not None} for row in result.rows]
        doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
        dipkg: dict[str, Any] = {"truncated": result.truncated}
        if row_limit is not None:
            dipkg["rowLimit"] = row_limit
        doc["dipkg"] = dipkg
    doc.update(extra or {})
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def results_xml(result: Solutions | Boolean) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if isinstance(result, Boolean):
        out.append(f"<head/>\n<boolean>{'true' if result.value else 'false'}</boolean>\n")
    else:
        out.append("<head>")
        out.extend(f"<variable name={quoteattr(v)}/>" for v in result.variables)
        out.append("</head>\n<results>\n")
        for row in result.rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(var)}>{xml_term(value)}</binding>"
                       for var, value in zip(result.variables, row, strict=True) if value is not None)
            out.append("</result>\n")
        out.append("</results>\n")
    out.append("</sparql>\n")
    return "".join(out).encode("utf-8")


def results_csv(result: Solutions | Boolean) -> bytes:
    """CSV per the W3C note (CRLF line ends, RFC 4180 quoting); ASK as ``_askResult`` (as Jena does)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(result, Boolean):
        writer.writerows([["_askResult"], ["true" if result.value else "false"]])
    else:
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else csv_term(v) for v in row] for row in result.rows])
    return buffer.getvalue().encode("utf-8")


def results_tsv(result: Solutions | Boolean) -> bytes:
    """TSV per the W3C note: ``?var`` headers, N-Triples terms, empty for unbound."""
    if isinstance(result, Boolean):
        return f"?_askResult\n{'true' if result.value else 'false'}\n".encode()
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join("" if v is None else nt_term(v) for v in row) for row in result.rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_results(result: Solutions | Boolean, fmt: Format, row_limit: int | None = None,
                      extra: Mapping[str, Any] | None = None) -> bytes:
    if fmt.name == "json":
        return results_json(result, row_limit, extra)
    if fmt.name == "xml":
        return results_xml(result)
    if fmt.name == "csv":
        return results_csv(result)
    if fmt.name == "tsv":
        return results_tsv(result)
    raise FormatError(f"{fmt.name} is not a format for SELECT or ASK results")


# --- graphs ---------------------------------------------------------------------------------
def serialize_rdf(items: Iterable[Any], fmt: Format, prefixes: Mapping[str, str] | None = None) -> bytes:
    """pyoxigraph triples (or quads, for N-Quads/TriG/JSON-LD) in a graph format.

    Triples given to a dataset format go into its default graph.  A format that cannot express
    the data (JSON-LD has no RDF 1.2 triple terms; RDF/XML needs predicates it can split into a
    namespace and a local name) is a 406 that names a format that can, not a server error.
    """
    if fmt.rdf_format is None:
        raise FormatError(f"{fmt.name} is not an RDF format")
    data: Iterable[Any] = items
    if fmt.rdf_format.supports_datasets:
        data = (ox.Quad(i.subject, i.predicate, i.object, ox.DefaultGraph()) if isinstance(i, ox.Triple) else i
                for i in items)
    try:
        out = ox.serialize(data, format=fmt.rdf_format, prefixes=dict(prefixes or PREFIXES))
    except (ValueError, TypeError) as err:
        raise NotAcceptable(f"this graph cannot be written as {fmt.name}: {err}; ask for Turtle or N-Triples",
                            [GRAPH_FORMATS[0].media_type, GRAPH_FORMATS[1].media_type]) from None
    assert out is not None  # no output file given: pyoxigraph returns the bytes
    return out


def serialize_graph(result: Triples, fmt: Format) -> bytes:
    try:
        triples = [ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in result.triples]
    except (TypeError, ValueError) as err:
        raise NotAcceptable(f"this graph cannot be written in an RDF format: {err}", []) from None
    return serialize_rdf(triples, fmt)


# --- the command line -------------------------------------------------------------------------
def render_result(result: Result, fmt: str | None) -> tuple[bytes, str]:
    """A result for ``dipkg query``: (body, media type).

    With no format: SELECT as TSV (one row a line, readable and pipeable into ``cut``), ASK as
    ``true``/``false``, graphs as Turtle.  A format that does not fit the query form is a
    FormatError (status 400), which the command reports as a usage error.
    """
    kind: Kind = "graph" if isinstance(result, Triples) else "results"
    if fmt is None:
        if isinstance(result, Boolean):
            return (b"true\n" if result.value else b"false\n"), content_type("text/plain")
        chosen = formats_of(kind)[3 if kind == "results" else 0]
    else:
        try:
            chosen = format_by_name([fmt], kind)
        except NotAcceptable as err:
            raise FormatError(err.message) from None
    if isinstance(result, Triples):
        return serialize_graph(result, chosen), content_type(chosen.media_type)
    return serialize_results(result, chosen), content_type(chosen.media_type)
