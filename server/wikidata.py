"""Giving facts back to Wikidata from the service: ``dipkg export wikidata`` as downloads.

``/download/wikidata.qs`` is the QuickStatements of the loaded data (``graph/wikidata_export.py``,
the same lines as ``dipkg export wikidata`` on that release), ``/download/wikidata-rejected.tsv``
the facts it leaves out with the reason, and ``/download/wikidata.qs?fact=IRI`` the lines of one
fact — what a fact page's "QuickStatements for this fact" shows.  A fact that cannot go to
Wikidata gets 404 with its reason as the one-line error, never an empty file that looks like
success.

The export runs on the data as served (the release's ``dipkg.nq`` loaded into a store of its own,
so literals are as published, or the ``--rdf``/``--graph`` files), once per service, on first
use.  The references' "retrieved" date (P813) is the
date of the dataset's ``dct:modified`` — when the articles were read into this release — rather
than the day of the download, so every download of one release gives the same bytes.
"""

from __future__ import annotations

import datetime
import re
import threading
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from dipkg.graph.namespace import DATASET_IRI, METADATA_GRAPH
from dipkg.graph.wikidata_export import Export, export_store
from dipkg.server.conditional import not_modified
from dipkg.server.conditional import validators as _validators
from dipkg.server.dataset import rdf_format
from dipkg.server.negotiation import error_response
from dipkg.server.openapi import WIKIDATA_RESPONSES
from dipkg.server.versions import Service, service_of

router = APIRouter()

QS_MEDIA = "text/plain; charset=utf-8"
TSV_MEDIA = "text/tab-separated-values; charset=utf-8"
DCT_MODIFIED = "http://purl.org/dc/terms/modified"
_LOCK = threading.Lock()


def retrieved_date(store: ox.Store, last_modified: str) -> datetime.date:
    """The dataset's ``dct:modified`` as a date; else the date of the served files."""
    quads = store.quads_for_pattern(ox.NamedNode(DATASET_IRI), ox.NamedNode(DCT_MODIFIED), None,
                                    ox.NamedNode(str(METADATA_GRAPH)))
    for quad in quads:
        if isinstance(quad.object, ox.Literal):
            try:
                return datetime.date.fromisoformat(quad.object.value[:10])
            except ValueError:
                break
    try:
        return parsedate_to_datetime(last_modified).date()
    except (TypeError, ValueError):
        return datetime.datetime.now(datetime.UTC).date()


def served_store(service: Service) -> ox.Store:
    """The served data in a store of its own, literals as published: the release's N-Quads (as
    ``dipkg export wikidata`` reads them), or the ``--rdf``/``--graph`` files in their graphs."""
    store = ox.Store()
    settings = service.settings
    if not settings.files_mode:
        store.bulk_load(path=str(service.dataset.sources[0]), format=ox.RdfFormat.N_QUADS)
        return store
    placed: list[tuple[Path, ox.NamedNode | ox.DefaultGraph]] = [
        *((path, ox.DefaultGraph()) for path in settings.rdf_files),
        *((path, ox.NamedNode(iri)) for iri, path in settings.graph_files)]
    for path, graph in placed:
        # as the service loads them: each file's own IRI as base, leniently
        store.bulk_load(path=str(path), format=rdf_format(path), base_iri=path.resolve().as_uri(),
                        to_graph=graph, lenient=True)
    return store


def wikidata_export(request: Request) -> Export:
    """The export of the served data, made once per served version and kept with it."""
    service = service_of(request)
    state = service.state
    with _LOCK:
        cached = getattr(state, "dipkg_wikidata", None)
        if cached is not None and cached[0] is service:
            return cast(Export, cached[1])
    store = served_store(service)
    result = export_store(store, retrieved_date(store, service.dataset.last_modified))
    with _LOCK:
        state.dipkg_wikidata = (service, result)
    return result


def fact_statements(request: Request, fact: str) -> tuple[list[str], list[str]]:
    """(QuickStatements lines, reasons it was not exported) of one fact."""
    result = wikidata_export(request)
    return result.by_fact.get(fact, []), result.reasons(fact)


def _text(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


@router.get("/download/wikidata.qs", response_class=Response, responses=WIKIDATA_RESPONSES,
            summary="QuickStatements for Wikidata: every fact it can take, or one (?fact=IRI)")
@router.head("/download/wikidata.qs", include_in_schema=False)
def quickstatements(request: Request, fact: str | None = None) -> Response:
    """Every QuickStatements line, or one fact's (``?fact=IRI``)."""
    dataset = service_of(request).dataset
    name = "wikidata.qs"
    if fact is not None:
        fact = fact.strip()
        if not fact:
            return error_response(400, "fact= needs a fact IRI, as in /download/wikidata.qs?fact="
                                       "https://w3id.org/dipkg/id/position-…")
        lines, reasons = fact_statements(request, fact)
        if not lines:
            why = "; ".join(reasons) if reasons else "it is not a fact of this dataset that the export knows"
            return error_response(404, f"no QuickStatements for <{fact}>: {why}")
        name = "wikidata-" + re.sub(r"[^A-Za-z0-9_-]", "_", fact.rstrip("/").rsplit("/", 1)[-1]) + ".qs"
    headers = {**_validators(dataset), "Content-Disposition": f'attachment; filename="{name}"'}
    if not_modified(request, dataset.etag, dataset.last_modified):
        return Response(status_code=304, headers=headers)
    body = _text(lines if fact is not None else wikidata_export(request).lines)
    return Response(body, media_type=QS_MEDIA, headers=headers)


@router.get("/download/wikidata-rejected.tsv", response_class=Response, responses=WIKIDATA_RESPONSES,
            summary="the facts the Wikidata export leaves out, each with its reason")
@router.head("/download/wikidata-rejected.tsv", include_in_schema=False)
def rejected(request: Request) -> Response:
    """The facts the export leaves out, each with its reason (kind, fact, reason)."""
    dataset = service_of(request).dataset
    headers = {**_validators(dataset), "Content-Disposition": 'attachment; filename="wikidata-rejected.tsv"'}
    if not_modified(request, dataset.etag, dataset.last_modified):
        return Response(status_code=304, headers=headers)
    rows = ["kind\tfact\treason", *(f"{r.kind}\t{r.fact}\t{r.reason}" for r in wikidata_export(request).rejected)]
    return Response(_text(rows), media_type=TSV_MEDIA, headers=headers)
