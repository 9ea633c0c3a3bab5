"""Reports: one solution's provenance, ``annotate`` for /sparql, and /provenance?iri= for one resource."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from dipkg.graph.namespace import DIP_IRI
from dipkg.server.engine import Boolean, QueryError, QueryRequest, Solutions
from dipkg.server.negotiation import browser_wants_html, error_response
from dipkg.server.openapi import PROVENANCE_RESPONSES
from dipkg.server.provenance import terms
from dipkg.server.provenance.derive import (
    Derivations,
    Fact,
    Unit,
    bind_units,
    derivations,
    resolve_witnesses,
    untraced,
)
from dipkg.server.provenance.evidence import Evidence, Explanation, SourceIndex, decide, explain
from dipkg.server.provenance.shape import Shape, analyse
from dipkg.server.provenance.terms import (
    ENTITIES,
    INFERRED,
    MAX_PREMISE_DEPTH,
    ONTOLOGY,
    PREFIXES,
    PROV_DERIVED,
    RDF_TYPE,
    REGISTRY_SOURCES,
    Context,
    Json,
    Triple,
    Unanalysable,
    _uri,
    log,
    nt_triple,
)
from dipkg.server.serializers import json_term
from dipkg.server.versions import service_of
from dipkg.server.worker import Term

if TYPE_CHECKING:
    from dipkg.server.app import Service

router = APIRouter()


# --- one solution's report ----------------------------------------------------------------------
class Report:
    """Collects one solution's sources, registry triples and untraced triples."""

    def __init__(self, articles: frozenset[str], index: SourceIndex,
                 explanations: dict[Triple, Explanation | None]) -> None:
        self.articles = articles
        self.index = index
        self.explanations = explanations
        self.by_article: dict[str, list[Triple]] = {}
        self.registry: dict[tuple[str, ...], Json] = {}
        self.untraced: list[Json] = []

    def add(self, triple: Triple, graphs: set[str] | frozenset[str]) -> None:
        """A triple where it is asserted; a triple only the reasoner asserts, with its premises."""
        if graphs and graphs <= {INFERRED}:
            found = self.explanations.get(triple)
            self.untraced.append({**untraced(nt_triple(triple), "inferred",
                                             "inferred by OWL-RL reasoning; not stated by any article"),
                                  **_rule(found), "premises": self.premises(triple, {triple}, 0)})
            return
        for graph in sorted(graphs - {INFERRED}):
            if graph in self.articles:
                self.by_article.setdefault(graph, []).append(triple)
            else:
                self.add_registry(triple, graph)

    def add_registry(self, triple: Triple, graph: str) -> None:
        shown = nt_triple(triple)
        self.registry.setdefault((*shown, graph), {"triple": shown, "graph": graph,
                                                   "source": REGISTRY_SOURCES.get(graph, "named graph")})

    def premises(self, triple: Triple, path: set[Triple], depth: int) -> list[Json]:
        """The premises of an inferred triple, each added to the sources where it is asserted."""
        explanation = self.explanations.get(triple)
        if explanation is None or depth >= MAX_PREMISE_DEPTH:
            return []
        self.add_registry(explanation.axiom, ONTOLOGY)
        out = []
        for premise, graphs in explanation.premises:
            item: Json = {"triple": nt_triple(premise), "graphs": sorted(graphs)}
            if not graphs <= {INFERRED}:
                self.add(premise, graphs)
            elif premise not in path:  # an inferred premise: its own premises (a cycle stops here)
                item.update({**_rule(self.explanations.get(premise)),
                             "premises": self.premises(premise, path | {premise}, depth + 1)})
            out.append(item)
        return out

    def json(self, marks: Iterable[Json]) -> Json:
        sources = [self.index.source(article, triples) for article, triples in sorted(self.by_article.items())]
        return {"sources": sources, "registry": list(self.registry.values()), "untraced": [*self.untraced, *marks]}


def _rule(explanation: Explanation | None) -> Json:
    """The rule and ontology axiom an inferred triple follows from (nulls when none was found)."""
    if explanation is None:
        return {"rule": None, "axiom": None}
    return {"rule": explanation.rule, "axiom": nt_triple(explanation.axiom)}


def _explanation_pairs(triple: Triple, explanations: dict[Triple, Explanation | None],
                       articles: frozenset[str], seen: set[Triple]) -> Iterator[tuple[Triple, str]]:
    """Every (premise, article graph) under an inferred triple: what the span query must cover."""
    explanation = explanations.get(triple)
    if explanation is None or triple in seen:
        return
    for premise, graphs in explanation.premises:
        yield from ((premise, g) for g in graphs if g in articles)
        yield from _explanation_pairs(premise, explanations, articles, seen | {triple})


# --- annotate ----------------------------------------------------------------------------------
def annotate(service: Service, request: QueryRequest, result: Solutions) -> list[Json]:
    """Provenance of each solution of ``result`` (the answer to ``request``), in row order."""
    ctx = Context(service, request)
    traced = min(len(result.rows), terms.MAX_SOLUTIONS)
    try:
        shape = analyse(request.query)
        found = derivations(ctx, result, shape)
        reports = trace(ctx, shape, found)
    except (Unanalysable, QueryError) as err:
        message = err.message if isinstance(err, QueryError) else str(err)
        reports = [_empty([untraced(None, "not traced", f"provenance could not be computed: {message}")])
                   for _ in range(traced)]
    except Exception:  # a bug here must not cost the user the answer itself
        log.exception("provenance failed for %r", request.query)
        reports = [_empty([untraced(None, "not traced", "provenance could not be computed: internal error "
                                                        "(logged by the service)")]) for _ in range(traced)]
    skipped = _empty([untraced(None, "not traced", f"provenance is given for the first {terms.MAX_SOLUTIONS} "
                                                   "solutions only")])
    return reports + [skipped] * (len(result.rows) - traced)


def _empty(untraced_items: list[Json]) -> Json:
    return {"sources": [], "registry": [], "untraced": untraced_items}


def trace(ctx: Context, shape: Shape, found: Derivations) -> list[Json]:
    """Bind, resolve, locate and source every derivation; one report per traced solution.  Where
    the triples are, their spans and sentences come in one lookup (:class:`Evidence`), the
    premises of inferred ones in one more per level, the articles from the dataset's cache."""
    units = bind_units(shape, found)
    resolve_witnesses(ctx, shape, units)
    evidence = Evidence(ctx)
    evidence.fetch(f.triple for u in units for _, f in u.facts)
    defaults = shape.from_graphs or ctx.default_graphs()

    def holds(fact: Fact) -> set[str]:
        graphs = evidence.holding(fact.triple)
        if fact.graph is not None:
            return graphs & {str(fact.graph[1])}
        return graphs if defaults is None else graphs & defaults

    decide(shape, units, holds)
    per_row = _row_facts(shape, units, holds, len(found.per_row))
    inferred = {t for facts, _ in per_row for t, g in facts.items() if g and g <= {INFERRED}}
    explanations = explain(ctx, evidence, inferred)
    articles = ctx.article_graphs
    pairs = {(t, g) for facts, _ in per_row for t, gs in facts.items() for g in gs if g in articles}
    pairs |= {p for t in inferred for p in _explanation_pairs(t, explanations, articles, set())}
    index = evidence.index(pairs)
    reports = []
    for (facts, marks), notes in zip(per_row, found.notes, strict=True):
        report = Report(articles, index, explanations)
        for triple, graphs in facts.items():
            report.add(triple, graphs)
        reports.append(report.json([*marks, *notes]))
    return reports


def _row_facts(shape: Shape, units: list[Unit], holds: Callable[[Fact], set[str]],
               rows: int) -> list[tuple[dict[Triple, set[str]], list[Json]]]:
    """Per solution: each triple of the blocks it came through with the graphs holding it, and
    what could not be traced (a required triple no graph holds is reported, not dropped)."""
    out: list[tuple[dict[Triple, set[str]], list[Json]]] = [({}, []) for _ in range(rows)]
    for unit in units:
        facts, marks = out[unit.row]
        for block, fact in unit.facts:
            if block in unit.missing:
                continue
            graphs = holds(fact)
            if graphs:
                facts.setdefault(fact.triple, set()).update(graphs)
            elif any(t[0] not in ("uri", "literal") for t in fact.triple):
                marks.append(untraced(nt_triple(fact.triple), "blank node", "a blank node cannot be looked up"))
            else:
                marks.append(untraced(nt_triple(fact.triple), "not found", "no graph of the dataset holds it"))
        for block, mark in unit.marks:
            if block not in unit.missing and mark not in marks:
                marks.append(mark)
    return out


# --- per resource: /provenance?iri= ---------------------------------------------------------------
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def valid_iri(iri: str) -> bool:
    return len(iri) <= 4096 and bool(_IRI.match(iri))


def describe(service: Service, iri: str) -> Json | None:
    """Every fact about a resource, with its sources; None if the dataset does not know it."""
    ctx = Context(service)
    node = f"<{iri}>"
    known = ctx.execute(f"ASK {{ GRAPH ?g {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} "
                        f"UNION {{ ?s {node} ?o }} }} }}")
    if not isinstance(known, Boolean) or not known.value:
        return None
    roles = _roles(ctx, iri)
    fact_triples = _fact_triples(ctx, sorted(roles))
    statements = _statements(ctx, iri)
    _, rows = ctx.select(f"SELECT ?p ?o ?g WHERE {{ VALUES ?g {{ <{ENTITIES}> <{ONTOLOGY}> }} "
                         f"GRAPH ?g {{ {node} ?p ?o }} }}")
    registry = [((_uri(iri), r["p"], r["o"]), str(r["g"][1])) for r in rows]
    pairs = {(t, g) for t, g in fact_triples + statements}
    index = SourceIndex.load(ctx, pairs)
    named = {iri} | {x[1] for t, _ in pairs for x in t if x[0] == "uri"} | {
        r[1] for rs in roles.values() for r, _ in rs}
    labels = _labels(ctx, named)
    facts = [_fact_json(fact, roles[fact], fact_triples, index, labels) for fact in roles]
    facts.sort(key=lambda f: (f["typeLabel"] or "", _date_of(f), f["fact"]))
    return {
        "iri": iri, "label": labels.get(iri),
        "facts": facts,
        "statements": [_statement_json(t, [g for u, g in statements if u == t], index, labels)
                       for t in dict.fromkeys(t for t, _ in statements)],
        "registry": [{"triple": nt_triple(t), "graph": g, "source": REGISTRY_SOURCES.get(g, "named graph")}
                     for t, g in registry],
    }


def _roles(ctx: Context, iri: str) -> dict[str, list[tuple[Term, bool]]]:
    """The fact nodes the resource takes part in, with the properties linking them (inverse when
    the resource points at the fact, as a territory at its name); a fact node itself is included."""
    _, rows = ctx.select(PREFIXES + f"""SELECT DISTINCT ?fact ?role ?inverse WHERE {{
      GRAPH ?g {{
        {{ ?fact ?role <{iri}> BIND(false AS ?inverse) }} UNION {{ <{iri}> ?role ?fact BIND(true AS ?inverse) }}
        UNION {{ BIND(<{iri}> AS ?fact) }}
        ?fact prov:wasDerivedFrom ?span .
        FILTER NOT EXISTS {{ ?fact a rdf:Statement }}
        FILTER(!BOUND(?role) || ?role != rdf:type)
      }} }}""")
    out: dict[str, list[tuple[Term, bool]]] = {}
    for row in rows:
        roles = out.setdefault(str(row["fact"][1]), [])
        if "role" in row and row["role"] != _uri(PROV_DERIVED):
            roles.append((row["role"], row["inverse"][1] == "true"))
    return out


def _fact_triples(ctx: Context, facts: list[str]) -> list[tuple[Triple, str]]:
    _, rows = ctx.select_values("SELECT ?f ?p ?o ?g WHERE { VALUES %VALUES% GRAPH ?g { ?f ?p ?o } }",
                                ["f"], [[_uri(f)] for f in facts])
    articles = ctx.article_graphs
    return sorted({((r["f"], r["p"], r["o"]), str(r["g"][1])) for r in rows if r["g"][1] in articles},
                  key=lambda x: (nt_triple(x[0]), x[1]))


def _statements(ctx: Context, iri: str) -> list[tuple[Triple, str]]:
    """The plain fact triples about the resource (claims, control, membership): the reified ones."""
    _, rows = ctx.select(PREFIXES + f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{
      ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
      FILTER(?s = <{iri}> || ?o = <{iri}>) }} }}""")
    return sorted({((r["s"], r["p"], r["o"]), str(r["g"][1])) for r in rows},
                  key=lambda x: (nt_triple(x[0]), x[1]))


def _labels(ctx: Context, iris: set[str]) -> dict[str, str]:
    """rdfs:label of each IRI, English or untagged first."""
    _, rows = ctx.select_values(PREFIXES + "SELECT ?x ?l WHERE { VALUES %VALUES% GRAPH ?g { ?x rdfs:label ?l } }",
                                ["x"], [[_uri(i)] for i in iris])
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        lang = row["l"][3]
        rank = 0 if lang in (None, "en") else 1
        if row["x"][1] not in best or (rank, row["l"][1]) < best[row["x"][1]]:
            best[row["x"][1]] = (rank, row["l"][1])
    return {iri: label for iri, (_, label) in best.items()}


def _labelled(term: Term, labels: dict[str, str]) -> Json:
    return {**json_term(term), **({"label": labels[term[1]]} if term[0] == "uri" and term[1] in labels else {})}


def _fact_json(fact: str, roles: list[tuple[Term, bool]], triples: list[tuple[Triple, str]],
               index: SourceIndex, labels: dict[str, str]) -> Json:
    own = [(t, g) for t, g in triples if t[0] == _uri(fact)]
    types = sorted({t[2][1] for t, _ in own if t[1] == _uri(RDF_TYPE)})
    properties = list(dict.fromkeys((t[1], t[2]) for t, _ in own if t[1] not in (_uri(RDF_TYPE), _uri(PROV_DERIVED))))
    by_article: dict[str, list[Triple]] = {}
    for t, g in own:
        by_article.setdefault(g, []).append(t)
    return {
        "fact": fact, "types": types,
        "typeLabel": labels.get(types[0]) if types else None,
        "roles": [{"property": _labelled(p, labels), "inverse": inverse} for p, inverse in roles],
        "properties": [{"property": _labelled(p, labels), "value": _labelled(o, labels)} for p, o in properties],
        "sources": [index.source(a, ts) for a, ts in sorted(by_article.items())],
    }


def _date_of(fact: Json) -> str:
    dates = [p["value"]["value"] for p in fact["properties"] if p["property"]["value"] == DIP_IRI + "date"]
    return min(dates) if dates else ""


def _statement_json(triple: Triple, graphs: list[str], index: SourceIndex, labels: dict[str, str]) -> Json:
    return {
        "triple": nt_triple(triple),
        "subject": _labelled(triple[0], labels), "predicate": _labelled(triple[1], labels),
        "object": _labelled(triple[2], labels),
        "sources": [index.source(g, [triple]) for g in sorted(set(graphs))],
    }


def _wants_html(request: Request) -> bool:
    """A browser (HTML rated highest) gets the page; JSON clients and ``*/*`` keep the JSON."""
    return browser_wants_html(request.headers.get("accept"))


def _page_links(described: Json, root: str) -> Json:
    """Each source of the report with the article page's address and each sentence's ``#span-``
    anchor there (as the article pages anchor their spans), so the page template stays plain."""
    from dipkg.server.pages.sources import span_anchor
    from dipkg.server.pages.terms import local_href

    def link(source: Json) -> Json:
        page = local_href(str(source["article"]), root) or ""
        return {**source, "href": page or None,
                "sentences": [{**s, "href": f"{page}#{span_anchor(str(s['span']))}" if page else None}
                              for s in source["sentences"]]}

    return {**described,
            "facts": [{**f, "sources": [link(s) for s in f["sources"]]} for f in described["facts"]],
            "statements": [{**st, "sources": [link(s) for s in st["sources"]]} for st in described["statements"]]}


def _error(request: Request, html: bool, status: int, message: str) -> Response:
    if html:
        from dipkg.server.pages.routes import page
        return page(request, "error.html", status, title="No provenance", message=message)
    return error_response(status, message)


@router.get("/provenance", responses=PROVENANCE_RESPONSES)
def provenance(request: Request, iri: str | None = None) -> Response:
    """Every fact about a resource (``?iri=``), with the articles and sentences that state it: JSON
    for programs, a page for browsers."""
    html = _wants_html(request)
    if iri is None or not iri.strip():
        return _error(request, html, 400, "missing parameter iri: ask /provenance?iri=<IRI of a resource>, "
                                          "such as https://w3id.org/dipkg/id/Shinzo_Abe")
    iri = iri.strip()
    if iri.startswith("<") and iri.endswith(">"):
        iri = iri[1:-1]
    if not valid_iri(iri):
        return _error(request, html, 400,
                      f"iri={iri!r} is not an absolute IRI (such as https://w3id.org/dipkg/id/Shinzo_Abe)")
    service = service_of(request)
    try:
        described = describe(service, iri)
    except QueryError as err:
        return _error(request, html, err.status, err.message)
    if described is None:
        return _error(request, html, 404, f"<{iri}> is not in this dataset: no triple has it as subject, "
                                          "predicate or object")
    if html:
        from dipkg.server.pages.routes import page, root_of
        root = root_of(request)
        return page(request, "provenance.html", title=f"Provenance of {described['label'] or iri}",
                    report=_page_links(described, root), resource_href=_local(iri, root))
    return JSONResponse(described, headers={"Vary": "Accept"})


def _local(iri: str, root: str) -> str | None:
    from dipkg.server.pages.terms import local_href
    return local_href(iri, root)
