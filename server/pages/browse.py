"""Finding things without SPARQL: browse lists with facets, a meetings timeline, search, and
the dataset's home page.

Each list is one SPARQL query over the service's own engine (its time limit and row cap hold),
whose rows are then faceted, filtered and paged here: the lists are at most a few thousand rows,
and doing it in Python keeps every user-given value out of query text (no injection to guard
against).  Entity lists default to entities that take part in at least one fact — a registry
of 600 names is not what a reader wants to page through — with ``?all=1`` for every one.  Every
list is also CSV and JSON (``?format=csv|json``) with the same filters.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from dipkg.graph.resources import package_version
from dipkg.server.engine import QueryError
from dipkg.server.pages.reading import GraphReader, Row
from dipkg.server.pages.routes import page, root_of
from dipkg.server.pages.terms import local_href
from dipkg.server.versions import service_of

router = APIRouter()
PAGE_SIZE = 50
SEARCH_LIMIT = 20
SEP = "\u241f"  # a separator no label contains, for GROUP_CONCAT
PAIR = "\u241e"  # between an IRI and its label inside one GROUP_CONCAT item, so they stay paired


@dataclass(frozen=True)
class Column:
    name: str          # the query variable
    title: str
    link: str | None = None   # the variable holding the IRI the column links to (itself: the fact)
    many: bool = False        # GROUP_CONCAT of several values
    pairs: bool = False       # each value is "IRI<PAIR>label" (several linked values, kept paired)


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    query: str
    columns: tuple[Column, ...]
    facets: tuple[tuple[str, str], ...]    # (column name, facet title)
    entity: bool = False                   # an entity list: ?all=1 includes those in no fact


def _concat(var: str, out: str) -> str:
    return f'(GROUP_CONCAT(DISTINCT STR({var}); separator="{SEP}") AS ?{out})'


def _pairs(iri: str, label: str, out: str) -> str:
    return f'(GROUP_CONCAT(DISTINCT CONCAT(STR({iri}), "{PAIR}", STR({label})); separator="{SEP}") AS ?{out})'


_FACT_COUNT = "(COUNT(DISTINCT ?f) AS ?facts)"


def _entity_query(cls: str) -> str:
    return f"""SELECT ?e ?label {_FACT_COUNT} {_concat("?alt", "alt")} WHERE {{
        ?e a dip:{cls} ; rdfs:label ?label . OPTIONAL {{ ?e skos:altLabel ?alt }}
        OPTIONAL {{ ?f ?role ?e . ?f prov:wasDerivedFrom ?anySpan }} }}
        GROUP BY ?e ?label ORDER BY DESC(?facts) ?label"""


KINDS = {k.name: k for k in (
    Kind("meetings", "Meetings", f"""SELECT ?m (SAMPLE(?d) AS ?date) (SAMPLE(?st) AS ?status) (SAMPLE(?k) AS ?kind)
            {_pairs("?p", "?pl", "participants")} {_pairs("?place", "?placeLabel", "place")}
            {_concat("?country", "countries")}
            (SAMPLE(?y) AS ?year) WHERE {{
        ?m a dip:Meeting ; dip:participant ?p . ?p rdfs:label ?pl .
        OPTIONAL {{ ?m dip:date ?d BIND(SUBSTR(STR(?d), 1, 4) AS ?y) }}
        OPTIONAL {{ ?m dip:status ?s BIND(STRAFTER(STR(?s), "#") AS ?st) }}
        OPTIONAL {{ ?m dip:kind ?kk BIND(STRAFTER(STR(?kk), "#") AS ?k) }}
        OPTIONAL {{ ?m dip:location ?place . ?place rdfs:label ?placeLabel }}
        OPTIONAL {{ ?m dip:participant ?c . ?c a dip:State ; rdfs:label ?country }}
    }} GROUP BY ?m ORDER BY DESC(?date) ?m""",
         (Column("date", "Date"), Column("participants", "Participants", many=True, pairs=True),
          Column("place", "Place", many=True, pairs=True), Column("status", "Status"), Column("kind", "Kind"),
          Column("m", "Meeting", "m")),
         (("year", "Year"), ("status", "Status"), ("kind", "Kind"), ("countries", "Country"))),
    Kind("positions", "Positions", f"""SELECT ?f ?holder ?holderLabel ?role {_pairs("?of", "?ofLabel", "of")} WHERE {{
        ?f a dip:PositionHolding ; dip:holder ?holder ; dip:role ?role . ?holder rdfs:label ?holderLabel .
        OPTIONAL {{ ?f dip:of ?of . ?of rdfs:label ?ofLabel }} }} GROUP BY ?f ?holder ?holderLabel ?role
        ORDER BY ?holderLabel ?role""",
         (Column("holderLabel", "Person", "holder"), Column("role", "Role"), Column("of", "Of", many=True, pairs=True),
          Column("f", "Fact", "f")),
         (("of", "Of"), ("role", "Role"))),
    Kind("sanctions", "Sanctions", f"""SELECT ?f {_pairs("?by", "?byLabel", "imposers")}
            (SAMPLE(?tl) AS ?target) (SAMPLE(?t) AS ?target_iri) (SAMPLE(?r) AS ?reason) WHERE {{
        ?f a dip:Sanction . OPTIONAL {{ ?f dip:imposedBy ?by . ?by rdfs:label ?byLabel }}
        OPTIONAL {{ ?f dip:target ?t . ?t rdfs:label ?tl }} OPTIONAL {{ ?f dip:reason ?r }} }} GROUP BY ?f
        ORDER BY ?target""",
         (Column("imposers", "Imposed by", many=True, pairs=True), Column("target", "Target", "target_iri"),
          Column("reason", "Reason"), Column("f", "Fact", "f")),
         (("imposers", "Imposed by"), ("target", "Target"))),
    Kind("quotes", "Quotes", """SELECT ?f ?speaker ?speakerLabel ?text WHERE {
        ?f a dip:Quote ; dip:speaker ?speaker ; dip:text ?text . ?speaker rdfs:label ?speakerLabel }
        ORDER BY ?speakerLabel ?text""",
         (Column("speakerLabel", "Speaker", "speaker"), Column("text", "Words"), Column("f", "Fact", "f")),
         (("speakerLabel", "Speaker"),)),
    Kind("territories", "Territories", f"""SELECT ?e ?label {_pairs("?c", "?cl", "claimants")}
            {_pairs("?h", "?hl", "holders")} WHERE {{
        ?e a dip:Territory ; rdfs:label ?label .
        {{ ?e dip:claimedBy ?c . ?c rdfs:label ?cl }} UNION {{ ?e dip:controlledBy ?h . ?h rdfs:label ?hl }}
    }} GROUP BY ?e ?label ORDER BY ?label""",
         (Column("label", "Territory", "e"), Column("claimants", "Claimed by", many=True, pairs=True),
          Column("holders", "Held by", many=True, pairs=True)),
         (("claimants", "Claimed by"), ("holders", "Held by"))),
    Kind("people", "People", _entity_query("Person"),
         (Column("label", "Name", "e"), Column("facts", "Facts"), Column("alt", "Other names", many=True)), (),
         entity=True),
    Kind("states", "States", _entity_query("State"),
         (Column("label", "Name", "e"), Column("facts", "Facts"), Column("alt", "Other names", many=True)), (),
         entity=True),
    Kind("organizations", "Organizations", _entity_query("Organization"),
         (Column("label", "Name", "e"), Column("facts", "Facts"), Column("alt", "Other names", many=True)), (),
         entity=True),
    Kind("articles", "Articles", """SELECT ?a (SAMPLE(?t) AS ?title) (SAMPLE(?pub) AS ?publisher)
            (SAMPLE(?i) AS ?issued) (SAMPLE(?y) AS ?year) (SAMPLE(?u) AS ?url) (COUNT(DISTINCT ?f) AS ?facts) WHERE {
        ?a a dip:Article . OPTIONAL { ?a dct:title ?t } OPTIONAL { ?a dip:fileName ?file }
        OPTIONAL { ?a dct:publisher ?pub } OPTIONAL { ?a dct:issued ?i BIND(SUBSTR(STR(?i), 1, 4) AS ?y) }
        OPTIONAL { ?a dct:source ?u } OPTIONAL { GRAPH ?a { ?f prov:wasDerivedFrom ?span } }
    } GROUP BY ?a ORDER BY DESC(?issued) ?a""",
         (Column("title", "Title", "a"), Column("publisher", "Publisher"), Column("issued", "Published"),
          Column("facts", "Facts"), Column("url", "Source", "url")),
         (("year", "Year"), ("publisher", "Publisher"))),
)}


def _value(row: Row, name: str) -> str:
    term = row.get(name)
    return str(term[1]) if term is not None else ""


def _values(row: Row, name: str) -> list[str]:
    """The values of a column; for paired columns, the labels (sorted, so the order is stable)."""
    return [label for _, label in _linked(row, name)] if _is_paired(row, name) else _items(row, name)


def _items(row: Row, name: str) -> list[str]:
    text = _value(row, name)
    return sorted(v for v in text.split(SEP) if v) if text else []


def _is_paired(row: Row, name: str) -> bool:
    return PAIR in _value(row, name)


def _linked(row: Row, name: str) -> list[tuple[str, str]]:
    """(IRI, label) of a paired column, sorted by label."""
    pairs = [tuple(item.split(PAIR, 1)) for item in _items(row, name) if PAIR in item]
    return sorted(((iri, label) for iri, label in pairs), key=lambda p: (p[1], p[0]))


def _rows(reader: GraphReader, kind: Kind, include_all: bool) -> list[Row]:
    rows = reader.select(kind.query)
    if kind.entity and not include_all:
        rows = [r for r in rows if _value(r, "facts") not in ("", "0")]
    return rows


def _facet_values(row: Row, column: str) -> list[str]:
    return _values(row, column) or ([] if not _value(row, column) else [_value(row, column)])


@dataclass
class Cell:
    text: str
    links: list[tuple[str, str | None]]   # (text, href) when the column links


def _cells(kind: Kind, row: Row, root: str) -> list[Cell]:
    cells = []
    for column in kind.columns:
        if column.pairs:
            links = [(label, local_href(iri, root)) for iri, label in _linked(row, column.name)]
            cells.append(Cell(", ".join(label for label, _ in links), links))
            continue
        text = ", ".join(_values(row, column.name)) if column.many else _value(row, column.name)
        if column.link == column.name:  # the fact itself: a short "details" link
            cells.append(Cell(text, [("details", local_href(_value(row, column.name), root))]))
        elif column.link:
            iri = _value(row, column.link)
            cells.append(Cell(text, [(text, local_href(iri, root) or (iri if iri.startswith("http") else None))]))
        else:
            cells.append(Cell(text, []))
    return cells


def _reader(request: Request) -> GraphReader:
    service = service_of(request)
    return GraphReader(service.engine, service.dataset.etag)


@router.api_route("/browse", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
def browse_index(request: Request) -> Response:
    reader = _reader(request)
    try:
        counts = {name: len(_rows(reader, kind, False)) for name, kind in KINDS.items()}
    except QueryError as err:
        return page(request, "error.html", err.status, title="Browse", message=err.message)
    return page(request, "browse_index.html", title="Browse", kinds=list(KINDS.values()), counts=counts)


@router.api_route("/browse/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def browse(request: Request, name: str) -> Response:
    """One list: ``?<facet>=value`` filters (repeatable facets AND together), ``?page=N``,
    ``?all=1`` (entity lists), ``?format=csv|json``."""
    kind = KINDS.get(name)
    if kind is None:
        return JSONResponse({"error": "not found", "detail": f"no list called {name!r}; the lists are: "
                             + ", ".join(KINDS)}, status_code=404)
    params = request.query_params
    include_all = params.get("all") in ("1", "true")
    chosen = {column: params[column] for column, _ in kind.facets if params.get(column)}
    try:
        rows = _rows(_reader(request), kind, include_all)
    except QueryError as err:
        return JSONResponse({"error": "query failed", "detail": err.message}, status_code=err.status)
    selected = [r for r in rows if all(value in _facet_values(r, c) for c, value in chosen.items())]
    fmt = params.get("format")
    if fmt in ("csv", "json"):
        return _export(kind, selected, fmt)
    if fmt:
        return JSONResponse({"error": "bad parameter", "detail": f"format={fmt!r}: use csv or json (or none for HTML)"},
                            status_code=400)
    facets = []
    for column, title in kind.facets:
        counter: Counter[str] = Counter(v for r in selected for v in _facet_values(r, column))
        base = {k: v for k, v in params.items() if k not in (column, "page")}
        options = [(value, n, "?" + urlencode({**base, column: value}), chosen.get(column) == value)
                   for value, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:30]]
        clear = "?" + urlencode(base) if column in chosen else None
        facets.append((title, options, clear))
    try:
        page_number = max(1, int(params.get("page", "1")))
    except ValueError:
        page_number = 1
    pages = max(1, -(-len(selected) // PAGE_SIZE))
    page_number = min(page_number, pages)
    shown = selected[(page_number - 1) * PAGE_SIZE: page_number * PAGE_SIZE]
    root = root_of(request)
    base = {k: v for k, v in params.items() if k != "page"}

    def link(n: int) -> str:
        return "?" + urlencode({**base, "page": str(n)})

    return page(request, "browse.html", title=kind.title, kind=kind, total=len(rows), count=len(selected),
                rows=[_cells(kind, r, root) for r in shown], facets=facets, page_number=page_number, pages=pages,
                prev_href=link(page_number - 1) if page_number > 1 else None,
                next_href=link(page_number + 1) if page_number < pages else None,
                csv_href="?" + urlencode({**base, "format": "csv"}),
                json_href="?" + urlencode({**base, "format": "json"}),
                include_all=include_all, all_href="?" + urlencode({**base, "all": "1"}), chosen=chosen)


def _plain(kind: Kind, rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for column in kind.columns:
            if column.link == column.name:
                item["iri"] = _value(row, column.name)
                continue
            item[column.name] = _values(row, column.name) if column.many else _value(row, column.name)
            if column.pairs:
                item[column.name + "_iri"] = [iri for iri, _ in _linked(row, column.name)]
            elif column.link:
                item[column.name + "_iri"] = _values(row, column.link) if column.many else _value(row, column.link)
        out.append(item)
    return out


def _export(kind: Kind, rows: list[Row], fmt: str) -> Response:
    items = _plain(kind, rows)
    if fmt == "json":
        return JSONResponse({"list": kind.name, "count": len(items), "items": items})
    buffer = io.StringIO()
    fields = list(items[0]) if items else [c.name for c in kind.columns]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for item in items:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in item.items()})
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{kind.name}.csv"'})


@router.api_route("/timeline", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
def timeline(request: Request) -> Response:
    """Every dated meeting by year, newest first; undated ones at the end."""
    kind = KINDS["meetings"]
    try:
        rows = _rows(_reader(request), kind, True)
    except QueryError as err:
        return page(request, "error.html", err.status, title="Timeline", message=err.message)
    root = root_of(request)
    years: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: _value(r, "date"), reverse=True):
        year = _value(row, "year") or "Undated"
        years.setdefault(year, []).append({
            "date": _value(row, "date"), "status": _value(row, "status"), "kind": _value(row, "kind"),
            "who": ", ".join(_values(row, "participants")), "where": ", ".join(_values(row, "place")),
            "href": local_href(_value(row, "m"), root)})
    order = sorted((y for y in years if y != "Undated"), reverse=True) + (["Undated"] if "Undated" in years else [])
    return page(request, "timeline.html", title="Meetings timeline", years=[(y, years[y]) for y in order])


_SEARCH = """SELECT ?e ?name ?class WHERE {
    { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name } UNION { ?e a dip:Article ; dct:title ?name }
    OPTIONAL { ?e a ?class FILTER (?class IN (dip:Person, dip:State, dip:Organization, dip:City, dip:Territory,
                                              dip:Region, dip:Article)) }
    FILTER (STRSTARTS(STR(?e), "https://w3id.org/dipkg/id/")) }"""
_SEARCH_CACHE: dict[str, list[tuple[str, str, str]]] = {}


def _names(reader: GraphReader) -> list[tuple[str, str, str]]:
    """(name, iri, class) of everything with a name, read once per served dataset version."""
    cached = _SEARCH_CACHE.get(reader.etag)
    if cached is None:
        found = {(_value(r, "name"), _value(r, "e"), _value(r, "class").rsplit("#", 1)[-1]) for r in
                 reader.select(_SEARCH)}
        cached = sorted(found)
        _SEARCH_CACHE.clear()
        _SEARCH_CACHE[reader.etag] = cached
    return cached


def search_names(names: list[tuple[str, str, str]], q: str, limit: int = SEARCH_LIMIT) -> list[dict[str, str]]:
    """Names containing every word of ``q`` (case-insensitive), those starting with it first;
    one result per resource."""
    words = q.casefold().split()
    if not words:
        return []
    whole = q.casefold().strip()
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    kinds: dict[str, str] = {}
    for name, iri, cls in names:
        if cls:
            kinds.setdefault(iri, cls)
        folded = name.casefold()
        if all(w in folded for w in words):
            rank = (0 if folded.startswith(whole) else 1, len(name), name)
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, name)
    ranked = sorted(best.items(), key=lambda item: item[1][0])[:limit]
    return [{"label": name, "iri": iri, "kind": kinds.get(iri, "")} for iri, (_, name) in ranked]


@router.api_route("/search", methods=["GET", "HEAD"], include_in_schema=False)
def search(request: Request, q: str = "", format: str | None = None) -> Response:
    """``?q=`` over labels, other names and article titles: JSON for the search box's
    suggestions (``format=json`` or ``Accept: application/json``), a results page otherwise."""
    q = q[:200]
    try:
        results = search_names(_names(_reader(request)), q)
    except QueryError as err:
        return JSONResponse({"error": "query failed", "detail": err.message}, status_code=err.status)
    root = root_of(request)
    for item in results:
        item["href"] = local_href(item["iri"], root) or item["iri"]
    wants_json = format == "json" or (format is None and "application/json" in request.headers.get("accept", ""))
    if wants_json:
        return Response(json.dumps({"q": q, "results": results}), media_type="application/json")
    return page(request, "search.html", title=f"Search: {q}" if q else "Search", q=q, results=results)


@router.api_route("/about", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
def about(request: Request) -> Response:
    """The dataset's home: what is in the graph, where it comes from, how to get it."""
    service = service_of(request)
    reader = _reader(request)
    try:
        counts = {kind.title: len(_rows(reader, kind, False)) for kind in KINDS.values() if not kind.entity}
        articles = _rows(reader, KINDS["articles"], True)
    except QueryError as err:
        return page(request, "error.html", err.status, title="About", message=err.message)
    root = root_of(request)
    listed = [{"title": _value(r, "title") or _value(r, "a").rsplit("/", 1)[-1],
               "href": local_href(_value(r, "a"), root), "publisher": _value(r, "publisher"),
               "issued": _value(r, "issued"), "url": _value(r, "url"),
               "facts": _value(r, "facts")} for r in articles]
    from dipkg.server.downloads import DOWNLOADS, SPANS_DUMP  # the service's own list of dumps

    return page(request, "about.html", title="About this dataset", counts=counts, articles=listed,
                modified=service.dataset.last_modified, version=package_version(),
                downloads=[f"dipkg.{ext}" for ext in DOWNLOADS], spans=SPANS_DUMP)

