"""The OpenAPI description of the protocol endpoints, which read their parameters themselves.

``/sparql`` and ``/graph-store`` take repeated parameters in order (``default-graph-uri`` …),
two request bodies and a dozen media types, so their handlers read the raw request rather than
FastAPI parameters — and FastAPI then describes nothing.  These are the declarations instead:
every parameter, both request bodies, each response with its media types, and the error shape
(``{"error", "detail"}``, ``server.protocol.error_response``).  Write methods, which always
answer 405, and ``HEAD`` (GET without a body) are left out of the description.
"""

from __future__ import annotations

from typing import Any

from dipkg.server.negotiation import GRAPH_FORMATS, RESULT_FORMATS

Json = dict[str, Any]

_ERROR_SCHEMA: Json = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "the HTTP reason phrase"},
        "detail": {"type": "string", "description": "what went wrong and what to do"},
        "offered": {"type": "array", "items": {"type": "string"}, "description": "406 only: the media types offered"},
    },
}
_STRING: Json = {"type": "string"}
_FLAG: Json = {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no", "on", "off"]}


def _error(description: str) -> Json:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_SCHEMA}}}


def _param(name: str, description: str, schema: Json, where: str = "query", example: str | None = None) -> Json:
    out: Json = {"name": name, "in": where, "required": False, "description": description, "schema": schema}
    if example is not None:
        out["example"] = example
    return out


def _repeated(name: str, description: str) -> Json:
    return {**_param(name, description, {"type": "array", "items": _STRING}), "style": "form", "explode": True}


_RESULT_MEDIA = [f.media_type for f in RESULT_FORMATS]
_GRAPH_MEDIA = [f.media_type for f in GRAPH_FORMATS]
_FORMAT_NAMES = sorted({name for f in (*RESULT_FORMATS, *GRAPH_FORMATS) for name in f.names})

#: the protocol's parameters besides ``query`` (which a POST of the bare query carries as its body)
_DATASET_AND_OPTIONS = [
    _repeated("default-graph-uri", "a graph of this dataset to make (part of) the default graph; repeatable"),
    _repeated("named-graph-uri", "a graph of this dataset to make a named graph; repeatable"),
    _param("format", "the answer's format by name or media type (overrides Accept): " + ", ".join(_FORMAT_NAMES),
           _STRING, example="json"),
    _param("inferred", "false: the default graph without the inferred graph (true puts it back)", _FLAG),
    _param("provenance", "true: a SELECT answered in SPARQL JSON with a provenance list, one entry per solution",
           _FLAG),
    _param("timeout", "seconds; lowers the server's time limit for this request (never raises it)",
           {"type": "number", "minimum": 0}),
    _param("max-rows", "at most this many rows or triples (never more than the server's cap)",
           {"type": "integer", "minimum": 1}),
]
_QUERY = _param("query", "the SPARQL query (without it, GET describes the service)", _STRING,
                example="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
_TEXT: Json = {"schema": _STRING}

#: the /sparql answers: results or graphs in every media type the endpoint writes, and the errors
SPARQL_RESPONSES: dict[int | str, Json] = {
    200: {"description": "the answer (SELECT/ASK as results, CONSTRUCT/DESCRIBE and the service description as "
                         "RDF); SELECT and graph answers carry X-Dipkg-Truncated and X-Dipkg-Row-Limit",
          "content": {media: _TEXT for media in (*_RESULT_MEDIA, *_GRAPH_MEDIA)}},
    303: {"description": "a browser asking /sparql without a query is sent to the query page"},
    400: _error("malformed SPARQL, a bad parameter, a missing or repeated query, an unknown graph or format"),
    403: _error("refused: SPARQL Update, SERVICE, a FROM graph this dataset does not have"),
    406: _error("nothing the client accepts is offered"),
    413: _error("the query or request body is larger than the limit"),
    415: _error("a POST whose body is neither a query nor a form"),
    500: _error("a query worker died while running the query (it is replaced)"),
    503: _error("the request's time limit or a query's memory limit was reached"),
}

SPARQL_GET: Json = {"parameters": [_QUERY, *_DATASET_AND_OPTIONS]}

_FORM_SCHEMA: Json = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": _STRING,
        "default-graph-uri": {"type": "array", "items": _STRING},
        "named-graph-uri": {"type": "array", "items": _STRING},
        "format": _STRING, "inferred": _FLAG, "provenance": _FLAG,
        "timeout": {"type": "number", "minimum": 0}, "max-rows": {"type": "integer", "minimum": 1},
    },
}
SPARQL_POST: Json = {
    "parameters": _DATASET_AND_OPTIONS,
    "requestBody": {
        "required": True,
        "content": {
            "application/sparql-query": {"schema": _STRING, "example": "ASK { ?s ?p ?o }"},
            "application/x-www-form-urlencoded": {
                "schema": _FORM_SCHEMA,
                "encoding": {"default-graph-uri": {"style": "form", "explode": True},
                             "named-graph-uri": {"style": "form", "explode": True}},
            },
        },
    },
}

GRAPH_STORE_GET: Json = {"parameters": [
    _param("graph", "the IRI of a named graph of this dataset (or give default)", _STRING,
           example="https://w3id.org/dipkg/graph/entities"),
    _param("default", "the default graph (give it without a value, or with any)", _STRING,
           ),
    _param("format", "the RDF format by name or media type (overrides Accept)", _STRING),
    _param("inferred", "false: the default graph without the inferred graph", _FLAG),
]}
GRAPH_RESPONSES: dict[int | str, Json] = {
    200: {"description": "the graph", "content": {media: _TEXT for media in _GRAPH_MEDIA}},
    304: {"description": "not modified (If-None-Match / If-Modified-Since)"},
    400: _error("no graph or both a graph and default, or a bad parameter"),
    404: _error("no such graph or file"),
    406: _error("nothing the client accepts is offered"),
}
DOWNLOAD_RESPONSES: dict[int | str, Json] = {
    200: {"description": "the file", "content": {media: _TEXT for media in _GRAPH_MEDIA}},
    304: {"description": "not modified (If-None-Match / If-Modified-Since)"},
    404: _error("no such download"),
}

WIKIDATA_RESPONSES: dict[int | str, Json] = {
    200: {"description": "QuickStatements lines (text/plain) or the facts left out (TSV)",
          "content": {"text/plain": _TEXT, "text/tab-separated-values": _TEXT}},
    304: {"description": "not modified (If-None-Match / If-Modified-Since)"},
    400: _error("an empty fact="),
    404: _error("no QuickStatements for that fact, with the reason"),
}

_WRITE_REFUSALS: dict[int | str, Json] = {
    400: _error("bad input, or the token sent in the query string (never put it in a URL)"),
    401: _error("no bearer token (Authorization: Bearer …)"),
    403: _error("a wrong token, or writing is off (no DIPKG_WRITE_TOKEN set)"),
}
ARTICLE_POST_RESPONSES: dict[int | str, Json] = {
    200: {"description": "the same text is already there: nothing changed", "content": {"application/json": {}}},
    201: {"description": "added and served: the article's IRI and what was extracted",
          "content": {"application/json": {}}},
    **_WRITE_REFUSALS,
    413: _error("the article is larger than DIPKG_MAX_ARTICLE_BYTES"),
    415: _error("neither JSON nor a form"),
    422: _error("an article the build refuses (a date it cannot read, no text)"),
}
ARTICLE_DELETE_RESPONSES: dict[int | str, Json] = {
    200: {"description": "removed: what the release no longer holds", "content": {"application/json": {}}},
    **_WRITE_REFUSALS,
    404: _error("no such article in the served release"),
}

PROVENANCE_RESPONSES: dict[int | str, Json] = {
    200: {"description": "every fact about the resource with its sources (JSON; a page for browsers)",
          "content": {"application/json": {"schema": {"type": "object"}}, "text/html": _TEXT}},
    400: _error("no iri, or not an absolute IRI"),
    404: _error("the dataset does not know the resource"),
    503: _error("the time limit was reached"),
}


def without_422(schema: Json) -> Json:
    """FastAPI declares 422 for requests its parameters reject; this service answers those with
    400 in its error shape (``server.app``), so the description says 400."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", _error("a bad parameter"))
    schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return schema
