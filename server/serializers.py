"""Result serialization: the engine's terms in the W3C formats.

The engine hands back plain tuples (``("uri", iri)``, ``("bnode", id)``, ``("literal", lexical,
datatype, lang)``, ``("triple", s, p, o)``) because they cross a process boundary; this module
turns them into the W3C formats.  Results (SELECT, ASK) that need the rows — provenance, CSV and
TSV, the pages, ``dipkg query`` — are written here by hand, because the service adds its own
members (the ``"dipkg"`` truncation signal, per-answer provenance) that no library writer knows
about; graphs (CONSTRUCT, DESCRIBE, downloads) are written by pyoxigraph, which is fast and
already loaded.  The answers of ``/sparql`` in SPARQL JSON/XML and every graph format are
written by pyoxigraph in the query worker instead (``server.native``); ``native_body`` adds the
service's members to those bytes.

Which format to write is ``server.negotiation``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from dipkg.server.engine import Body, Boolean, Result, Solutions, Triples
from dipkg.server.negotiation import (
    GRAPH_FORMATS,
    PREFIXES,
    XSD_STRING,
    Format,
    FormatError,
    Kind,
    NotAcceptable,
    content_type,
    format_by_name,
    formats_of,
)
from dipkg.server.worker import Term


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
    except (ValueError, TypeError, OSError) as err:
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
    if isinstance(result, Body):  # written by the worker (the command line does not ask for that)
        written = next(f for f in formats_of("results" if result.form == "solutions" else "graph")
                       if f.name == result.format)
        return native_body(result, None), content_type(written.media_type)
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


# --- answers the worker wrote -------------------------------------------------------------------
def native_body(result: Body, row_limit: int | None) -> bytes:
    """The worker's bytes as the client gets them: SPARQL JSON gains the ``"dipkg"`` member (the
    truncation signal) before its last brace; every other format is sent as written."""
    if result.form != "solutions" or result.format != "json":
        return result.body
    dipkg: dict[str, Any] = {"truncated": result.truncated}
    if row_limit is not None:
        dipkg["rowLimit"] = row_limit
    body = result.body.rstrip()
    if not body.endswith(b"}"):
        raise ValueError("the worker's SPARQL JSON does not end with '}'")
    return body[:-1] + b',"dipkg":' + json.dumps(dipkg, separators=(",", ":")).encode("ascii") + b"}"


def native_formats(results: Format | None, graph: Format | None) -> dict[str, Any]:
    """What ``QueryRequest.native`` says for these formats: those the worker can write itself."""
    return {"results": results.name if results and results.name in ("json", "xml") else None,
            "graph": graph.name if graph else None, "prefixes": dict(PREFIXES)}
