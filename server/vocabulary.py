"""``/api/terms``: the dataset's own classes and properties, with labels, for the query editor.

YASGUI's class and property autocompleters ask lov.linkeddata.es by default: a vocabulary
catalogue on the network, which knows nothing of ``dip:`` and does not answer offline.  The query
page's autocompleters ask this instead.  The terms are VoID's class and property partitions of
the service description (every class used with ``a``, every predicate used, with how often —
computed once through the engine, under its limits, and cached), each with its ``rdfs:label`` and
``rdfs:comment`` from the data (the ontology graph for ``dip:`` terms), most used first.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from dipkg.server.description import Statistics, statistics
from dipkg.server.engine import QueryError, QueryRequest, Solutions
from dipkg.server.negotiation import PREFIXES, query_error_response
from dipkg.server.versions import Service, service_of

router = APIRouter()

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LABELS = f"""SELECT ?t ?label ?comment WHERE {{
  {{ ?t <{RDFS}label> ?label OPTIONAL {{ ?t <{RDFS}comment> ?comment }} }}
  FILTER (!isLiteral(?label) || LANG(?label) IN ("en", ""))
  VALUES ?t {{ %s }}
}}"""
_LOCK = threading.Lock()


def prefixed(iri: str) -> str | None:
    """``dip:Meeting`` for a term of a known namespace (the longest namespace that fits)."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return None
    local = iri[len(best):]
    name = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{name}:{local}" if local and all(c.isalnum() or c in "_-" for c in local) else None


def labels(service: Service, iris: list[str]) -> dict[str, tuple[str, str]]:
    """IRI -> (label, comment) for those that have one (the first of each, in a fixed order)."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        result = service.engine.execute(QueryRequest(LABELS % " ".join(f"<{i}>" for i in chunk)))
        if not isinstance(result, Solutions):
            continue
        rows = sorted(tuple(str(t[1]) if t else "" for t in row) for row in result.rows)
        for iri, label, comment in rows:
            found.setdefault(iri, (label, comment))
    return found


def terms(service: Service, stats: Statistics) -> dict[str, Any]:
    iris = sorted({c for c, _ in stats.classes} | {p for p, _ in stats.properties})
    known = labels(service, iris)

    def entry(iri: str, key: str, count: int) -> dict[str, Any]:
        label, comment = known.get(iri, ("", ""))
        return {"iri": iri, "prefixed": prefixed(iri), "label": label, "comment": comment, key: count}

    return {"classes": [entry(c, "entities", n) for c, n in stats.classes],
            "properties": [entry(p, "triples", n) for p, n in stats.properties]}


def cached_terms(request: Request) -> dict[str, Any]:
    service = service_of(request)
    state = service.state  # one cache per served version
    stats = statistics(request)
    with _LOCK:
        cached = getattr(state, "dipkg_terms", None)
        if cached is not None and cached[0] is stats:
            return cast(dict[str, Any], cached[1])
    body = terms(service, stats)
    with _LOCK:
        state.dipkg_terms = (stats, body)
    return body


@router.api_route("/api/terms", methods=["GET", "HEAD"])
async def api_terms(request: Request) -> JSONResponse:
    """``{"classes": [{iri, prefixed, label, comment, entities}], "properties": [{…, triples}]}``."""
    try:
        body = await run_in_threadpool(cached_terms, request)
    except QueryError as err:
        return query_error_response(err)
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})
