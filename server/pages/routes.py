"""Templates, responses and the routes of the pages: the query page, /id/<name>, static files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from dipkg.graph.namespace import ID_IRI, PREFIXES
from dipkg.graph.resources import examples_dir
from dipkg.server.engine import QueryError
from dipkg.server.pages.reading import GraphReader
from dipkg.server.pages.sources import PageData, highlight, sections, span_anchor
from dipkg.server.pages.summary import hidden, summarize
from dipkg.server.pages.terms import (
    _NAME,
    ARTICLE,
    EDITOR_PREFIXES,
    ENTITIES,
    FACT_CLASSES,
    FORMAT_NAMES,
    FORMATS,
    GENERIC_TYPES,
    INFERRED,
    OWL_SAME_AS,
    PROV_DERIVED,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    SPAN,
    WD_ENTITY,
    XSD_STRING,
    Format,
    external_href,
    iri_of,
    local_href,
    negotiate,
    wikidata_page,
)
from dipkg.server.pages.wording import Link, Writer, human_date
from dipkg.server.versions import service_of
from dipkg.server.wikidata import fact_statements
from dipkg.server.worker import Term

router = APIRouter()

HERE = Path(__file__).resolve().parent.parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"


# --- templates and responses ------------------------------------------------------------------


@cache
def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                             autoescape=jinja2.select_autoescape(["html"]),
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.tests["link"] = lambda value: isinstance(value, Link)
    env.filters["human_date"] = human_date
    return env


def root_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = templates().get_template(template).render(root=root_of(request), **context)
    return HTMLResponse(html, status_code=status, headers={"Vary": "Accept"})


def not_found(request: Request, fmt: Format | None, what: str) -> Response:
    """404: a page with a way back for people, one plain line for programs."""
    if fmt is not None and fmt.name == "html":
        return page(request, "error.html", 404, title="Not found", message=f"There is no resource {what} here.")
    return PlainTextResponse(f"404 not found: no resource {what}\n", status_code=404,
                             headers={"Vary": "Accept", "X-Content-Type-Options": "nosniff"})


def failure(request: Request, fmt: Format | None, err: QueryError) -> Response:
    if fmt is not None and fmt.name == "html":
        return page(request, "error.html", err.status, title="The page could not be made", message=err.message)
    return PlainTextResponse(err.message + "\n", status_code=err.status, headers={"Vary": "Accept"})


def to_rdflib(term: Term) -> Node:
    if term[0] == "uri":
        return URIRef(term[1])
    if term[0] == "bnode":
        return BNode(term[1])
    if term[0] == "literal":
        if term[3]:
            return Literal(term[1], lang=term[3])
        return Literal(term[1]) if term[2] == XSD_STRING else Literal(term[1], datatype=URIRef(term[2]))
    raise ValueError(f"cannot serialize term {term!r}")


def serialize(triples: list[tuple[Term, Term, Term]], fmt: Format) -> bytes:
    graph = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    for s, p, o in triples:
        if s[0] == "triple" or o[0] == "triple":
            continue  # RDF-star terms: none in a dipkg build, and not every format can carry them
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")
    assert fmt.rdflib is not None
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")


# --- routes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    query: str


LEADERS_TITLE = "Every leader in the graph, with a link to each one's page."
LEADERS_BODY = """SELECT ?leader ?name WHERE {
  ?leader a dip:Leader ; rdfs:label ?name .
}
ORDER BY ?name
LIMIT 100"""


def prefix_lines(names: Iterable[str]) -> str:
    return "".join(f"PREFIX {p}: <{EDITOR_PREFIXES[p]}>\n" for p in names)


@cache
def examples() -> tuple[Example, ...]:
    """The README's example queries (``examples/*.rq``), read once: they are part of the repository.

    A first, built-in example lists leaders: the README's queries return labels and text, and a
    query whose results link to entity pages shows what the table can do.
    """
    found = [Example("Leaders", LEADERS_TITLE,
                     f"# {LEADERS_TITLE}\n" + prefix_lines(("dip", "rdfs")) + LEADERS_BODY)]
    for path in sorted(examples_dir().glob("*.rq")):
        try:
            query = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        comments = [line.lstrip("#").strip() for line in query.splitlines() if line.startswith("#")]
        title = comments[0] if comments else path.stem
        # "01-abe-putin-meetings" -> "Abe Putin meetings": words keep the case the title gives them
        cased = {w.lower(): w for w in re.findall(r"[\w]+", title)}
        words = [cased.get(w, w) for w in re.sub(r"^\d+-", "", path.stem).split("-") if w]
        name = " ".join(words)
        found.append(Example(name[:1].upper() + name[1:], title, query))
    return tuple(found)


def default_query() -> str:
    """What a new editor tab holds: every preset prefix, and a first query to run."""
    return f"# {LEADERS_TITLE}\n" + prefix_lines(EDITOR_PREFIXES) + "\n" + LEADERS_BODY


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
def query_page(request: Request) -> HTMLResponse:
    """The query page: YASGUI on this service's /sparql, with the prefixes and the examples."""
    root = root_of(request)
    config = {
        "endpoint": f"{root}/sparql",
        "prefixesUrl": f"{root}/static/prefixes.json",
        "termsUrl": f"{root}/api/terms",
        "idBase": ID_IRI,
        "pagesBase": f"{root}/id/",
        "prefixes": EDITOR_PREFIXES,
        "defaultQuery": default_query(),
        "examples": [{"name": e.name, "title": e.title, "query": e.query} for e in examples()],
    }
    return page(request, "query.html", title="Query", examples=examples(), config=config,
                default_query=default_query())


@router.api_route("/id/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
def resource(request: Request, name: str, format: str | None = None) -> Response:
    """Any resource ``id:<name>``: HTML or RDF, negotiated (see the module docstring)."""
    fmt: Format | None
    if format is not None:
        fmt = FORMAT_NAMES.get(format.strip().lower())
        if fmt is None:
            return PlainTextResponse(f"unknown format {format!r}; use one of: {', '.join(f.name for f in FORMATS)}\n",
                                     status_code=400)
    else:
        fmt = negotiate(request.headers.get("accept"))
        if fmt is None:
            types = ", ".join(m for f in FORMATS for m in f.accepts)
            return PlainTextResponse(f"406 not acceptable: this resource is available as {types}\n",
                                     status_code=406, headers={"Vary": "Accept"})
    if not _NAME.fullmatch(name) or name in (".", ".."):
        return not_found(request, fmt, f"named {name!r}")
    iri = ID_IRI + name
    service = service_of(request)
    reader = GraphReader(service.engine, service.dataset.etag)
    try:
        if fmt.rdflib is not None:
            triples = reader.rdf(iri)
            if not triples:
                return not_found(request, fmt, f"<{iri}>")
            return Response(serialize(triples, fmt), media_type=fmt.media_type, headers={"Vary": "Accept"})
        return html_page(request, reader, iri, fmt)
    except QueryError as err:
        return failure(request, fmt, err)


def html_page(request: Request, reader: GraphReader, iri: str, fmt: Format) -> Response:
    own = reader.own_triples(iri)
    if not own:  # as for RDF: a resource is what the graph says about it
        return not_found(request, fmt, f"<{iri}>")
    asserted = [(g, p, o) for g, p, o in own if g != INFERRED]
    types = {t for _, p, o in asserted if p == RDF_TYPE and (t := iri_of(o))}
    root = root_of(request)
    if ARTICLE in types:
        return article_page(request, reader, iri)
    if SPAN in types:
        span = reader.spans([iri]).get(iri)
        if span is not None and (href := local_href(span.article, root)):
            return RedirectResponse(f"{href}#{span_anchor(iri)}", status_code=303, headers={"Vary": "Accept"})
    if types & set(FACT_CLASSES):
        return fact_page(request, reader, iri)
    return entity_page(request, reader, iri, own)


def casefold_unique(names: Iterable[str], label: str) -> list[str]:
    """Names differing only in case are listed once ("Southern Kurils", "southern Kurils")."""
    seen, out = {label.casefold()}, []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def alternates(request: Request) -> list[tuple[str, str, str]]:
    """(label, media type, href) of the RDF forms of this page."""
    path = request.url.path
    return [("Turtle", "text/turtle", f"{path}?format=turtle"),
            ("JSON-LD", "application/ld+json", f"{path}?format=jsonld"),
            ("N-Triples", "application/n-triples", f"{path}?format=ntriples")]


def entity_page(request: Request, reader: GraphReader, iri: str, own: list[tuple[str, str, Term]]) -> Response:
    root = root_of(request)
    fact_iris, more = reader.facts_about(iri)
    facts = reader.facts(fact_iris)
    data = PageData(reader, root)
    entity_props: dict[str, list[Term]] = {}
    for g, p, o in own:
        if g == ENTITIES and p not in (RDFS_LABEL, SKOS_ALT, RDF_TYPE, OWL_SAME_AS):
            entity_props.setdefault(p, []).append(o)
    incoming = reader.linked_from(iri)
    types = sorted({t for g, p, o in own if g != INFERRED and p == RDF_TYPE and (t := iri_of(o))})
    wanted = {iri, *types, *data.label_targets(facts), *entity_props, *(i for v in entity_props.values()
                                                                         for t in v if (i := iri_of(t)))}
    wanted.update(p for p, _ in incoming)
    wanted.update(s for _, s in incoming)
    infos = reader.infos(wanted)
    writer = Writer(infos, iri, root)
    info = writer.info(iri)
    alt_labels = casefold_unique(sorted(str(o[1]) for _, p, o in own if p == SKOS_ALT and o[0] == "literal"),
                                 info.label)
    same_as = sorted({i for _, p, o in own if p == OWL_SAME_AS and (i := iri_of(o))})
    wikidata = [(i[len(WD_ENTITY):], page_) for i in same_as if (page_ := wikidata_page(i))]
    shown_types = [t for t in types if t not in GENERIC_TYPES] or types
    about = [(writer.label(p), [writer.value(t) for t in sorted(v, key=lambda t: writer.label(str(t[1])))])
             for p, v in sorted(entity_props.items(), key=lambda kv: writer.label(kv[0]))]
    linked: dict[str, list[Link]] = {}
    for p, s in incoming:
        linked.setdefault(writer.label(p), []).append(writer.link(s))
    views = data.views(facts, writer)
    params = request.query_params
    summary = summarize(views, (params.get("kind") or "").strip(), (params.get("year") or "").strip())
    return page(request, "entity.html", title=info.label, iri=iri, label=info.label,
                summary=summary, hidden=hidden(views, summary),
                types=[writer.label(t) for t in shown_types], alt_labels=alt_labels, wikidata=wikidata,
                other_same_as=[i for i in same_as if not wikidata_page(i)], about=about,
                linked=sorted((k, sorted(v, key=lambda link: link.text)) for k, v in linked.items()),
                sections=sections(views), more=more, alternates=alternates(request))


def fact_page(request: Request, reader: GraphReader, iri: str) -> Response:
    root = root_of(request)
    facts = reader.facts([iri])
    data = PageData(reader, root)
    infos = reader.infos(data.label_targets(facts) | {iri})
    writer = Writer(infos, None, root)
    views = data.views(facts, writer)
    if not views:
        return not_found(request, FORMATS[0], f"<{iri}>")
    fact = facts[0]
    rows = []
    for predicate, values in sorted(fact.props.items(), key=lambda kv: writer.label(kv[0])):
        if predicate in (PROV_DERIVED, RDF_TYPE):
            continue
        rows.append((writer.label(predicate), [writer.value(t) for t in values]))
    if fact.territories:
        rows.append(("name of", [[writer.link(t)] for t in sorted(fact.territories)]))
    statements, reasons = fact_statements(request, iri)
    return page(request, "fact.html", title=views[0].kind.capitalize(), iri=iri, view=views[0], rows=rows,
                alternates=alternates(request), statements=statements,
                reasons=reasons or ["the Wikidata export does not cover this kind of fact"],
                qs_href=f"{root}/download/wikidata.qs?{urlencode({'fact': iri})}")


def article_page(request: Request, reader: GraphReader, iri: str) -> Response:
    root = root_of(request)
    article = reader.article(iri)
    if article is None:
        return not_found(request, FORMATS[0], f"<{iri}>")
    spans = reader.spans(reader.spans_in(iri))
    data = PageData(reader, root)
    facts = reader.facts(reader.facts_in(iri))
    # only this article's evidence: a fact stated by two articles keeps its other spans elsewhere
    for fact in facts:
        fact.props[PROV_DERIVED] = [t for t in fact.values(PROV_DERIVED) if iri_of(t) in spans]
    infos = reader.infos(data.label_targets(facts))
    views = data.views(facts, Writer(infos, None, root))
    views.sort(key=lambda v: (min((s.span.begin for s in v.sources), default=0), v.sort_key))
    url = article.url if article.url and external_href(article.url) else None
    return page(request, "article.html", title=article.title, iri=iri, article=article, url=url,
                segments=highlight(article.text, spans.values()), views=views, alternates=alternates(request))


@router.api_route("/static/prefixes.json", methods=["GET", "HEAD"], include_in_schema=False)
def prefixes_json() -> Response:
    """The prefixes in prefix.cc's format: YASQE's prefix autocompleter reads this, not prefix.cc."""
    return Response(json.dumps(EDITOR_PREFIXES, indent=1), media_type="application/json",
                    headers={"Cache-Control": "public, max-age=3600"})


STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
}


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def static_file(request: Request, path: str) -> Response:
    """A file of ``server/static`` with its media type, an ETag and an hour of caching."""
    target = (STATIC_DIR / path).resolve()
    if (not target.is_relative_to(STATIC_DIR) or not target.is_file() or target.suffix not in STATIC_TYPES):
        return PlainTextResponse("404 not found\n", status_code=404)
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = {"Cache-Control": "public, max-age=3600", "ETag": etag}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return FileResponse(target, media_type=STATIC_TYPES[target.suffix], headers=headers)
