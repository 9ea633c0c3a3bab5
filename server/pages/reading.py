"""Reading the graph for a page: a resource's triples, its facts, their spans and articles, through the query engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dipkg.server.engine import Engine, QueryError, QueryRequest, Solutions, Triples
from dipkg.server.pages.terms import (
    ARTICLE,
    DCT,
    ENTITIES,
    FACT_CLASSES,
    FACTS_SHOWN,
    INFERRED,
    LINKS_SHOWN,
    MEETING,
    NAME,
    NIF_STRING,
    POSITION,
    QUERY_PREFIXES,
    QUOTE,
    RDF_PREDICATE,
    RDF_TYPE,
    RDFS_LABEL,
    SANCTION,
    chunks,
    dip,
    iri_of,
    lexical,
    ref,
    refs,
    short_name,
)
from dipkg.server.worker import Term

# --- reading the graph ------------------------------------------------------------------------
Props = dict[str, list[Term]]
Row = dict[str, Term]


@dataclass(frozen=True)
class Info:
    """What a link needs to know about its target: the label, and the types ("the" or not)."""

    label: str
    types: frozenset[str] = frozenset()
    #: the states the registry says a person is a citizen of (who visited whom)
    citizen_of: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Article:
    iri: str
    title: str
    publisher: str | None
    issued: str | None
    url: str | None
    file_name: str | None
    text: str


@dataclass(frozen=True)
class Span:
    iri: str
    article: str
    begin: int
    end: int
    anchor: str | None


@dataclass
class Fact:
    iri: str
    types: set[str]
    props: Props
    territories: list[str] = field(default_factory=list)   # for a territory name: whose name it is

    def values(self, predicate: str) -> list[Term]:
        return self.props.get(predicate, [])

    def iris(self, predicate: str) -> list[str]:
        return sorted({i for t in self.values(predicate) if (i := iri_of(t))})

    def first_literal(self, predicate: str) -> Term | None:
        return next((t for t in self.values(predicate) if t[0] == "literal"), None)

    @property
    def section(self) -> str:
        if MEETING in self.types:
            return "Meetings"
        if POSITION in self.types:
            return "Positions"
        if SANCTION in self.types:
            return "Sanctions"
        if QUOTE in self.types:
            return "Quotes"
        if NAME in self.types:
            return "Territories"
        predicate = next(iter(self.iris(RDF_PREDICATE)), "")
        if predicate in (dip("claimedBy"), dip("controlledBy")):
            return "Territories"
        if predicate == dip("memberOf"):
            return "Memberships"
        return "Other facts"


_ARTICLE_CACHE: dict[tuple[str, str], Article | None] = {}


class GraphReader:
    """The few SELECT queries the pages need, run by the service's engine (limits included)."""

    def __init__(self, engine: Engine, etag: str) -> None:
        self.engine = engine
        self.etag = etag

    def select(self, query: str) -> list[Row]:
        result = self.engine.execute(QueryRequest(QUERY_PREFIXES + query))
        if not isinstance(result, Solutions):
            raise QueryError("internal page query did not return solutions")
        return [{v: t for v, t in zip(result.variables, row, strict=True) if t is not None}
                for row in result.rows]

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]:
        result = self.engine.execute(QueryRequest(QUERY_PREFIXES + query))
        if not isinstance(result, Triples):
            raise QueryError("internal page query did not return triples")
        return result.triples

    def own_triples(self, iri: str) -> list[tuple[str, str, Term]]:
        """(graph, predicate, object) of every triple about ``iri``, in every named graph."""
        rows = self.select(f"SELECT DISTINCT ?g ?p ?o WHERE {{ GRAPH ?g {{ {ref(iri)} ?p ?o }} }}")
        return [(iri_of(r["g"]) or "", iri_of(r["p"]) or "", r["o"]) for r in rows if "o" in r]

    def describe(self, iris: Sequence[str]) -> dict[str, Props]:
        """Asserted (not inferred) properties of each IRI, from all graphs."""
        out: dict[str, Props] = {i: {} for i in iris}
        for chunk in chunks(iris):
            rows = self.select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {refs(chunk)} }} "
                               f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {ref(INFERRED)}) }}")
            for r in rows:
                s, p = iri_of(r.get("s")), iri_of(r.get("p"))
                if s in out and p and "o" in r:
                    out[s].setdefault(p, []).append(r["o"])
        for props in out.values():
            for values in props.values():
                values.sort(key=lambda t: [str(x) for x in t])
        return out

    def infos(self, iris: Iterable[str]) -> dict[str, Info]:
        """Label and asserted types of each IRI; the label falls back to a short form of the IRI."""
        wanted = sorted(set(iris))
        labels: dict[str, list[tuple[int, str]]] = {}
        types: dict[str, set[str]] = {}
        citizen: dict[str, set[str]] = {}
        for chunk in chunks(wanted):
            rows = self.select(f"SELECT DISTINCT ?x ?p ?o WHERE {{ VALUES ?x {{ {refs(chunk)} }} "
                               "VALUES ?p { rdfs:label rdf:type dip:citizenOf } "
                               f"GRAPH ?g {{ ?x ?p ?o }} FILTER(?g != {ref(INFERRED)}) }}")
            for r in rows:
                x, p, o = iri_of(r.get("x")), iri_of(r.get("p")), r.get("o")
                if not x or not o:
                    continue
                if p == RDFS_LABEL and o[0] == "literal":
                    lang = (o[3] or "").lower()
                    rank = 0 if lang.startswith("en") else 1 if not lang else 2
                    labels.setdefault(x, []).append((rank, str(o[1])))
                elif p == RDF_TYPE and (t := iri_of(o)):
                    types.setdefault(x, set()).add(t)
                elif p == dip("citizenOf") and (c := iri_of(o)):
                    citizen.setdefault(x, set()).add(c)
        return {x: Info(min(labels[x])[1] if x in labels else short_name(x), frozenset(types.get(x, ())),
                        frozenset(citizen.get(x, ()))) for x in wanted}

    def article(self, iri: str) -> Article | None:
        """An article's metadata and text (cached: it cannot change while the service runs)."""
        key = (self.etag, iri)
        if key in _ARTICLE_CACHE:
            return _ARTICLE_CACHE[key]
        rows = self.select(f"SELECT ?p ?o WHERE {{ GRAPH {ref(iri)} {{ {ref(iri)} ?p ?o }} }}")
        props: dict[str, str] = {}
        is_article = False
        for r in rows:
            p, o = iri_of(r.get("p")), r.get("o")
            if p == RDF_TYPE and iri_of(o) == ARTICLE:
                is_article = True
            elif p and o is not None and o[0] in ("literal", "uri"):
                props.setdefault(p, str(o[1]))
        found = None
        if is_article or NIF_STRING in props:
            found = Article(iri, props.get(DCT + "title") or props.get(dip("fileName")) or short_name(iri),
                            props.get(DCT + "publisher"), props.get(DCT + "issued"), props.get(DCT + "source"),
                            props.get(dip("fileName")), props.get(NIF_STRING, ""))
        if len(_ARTICLE_CACHE) > 256:
            _ARTICLE_CACHE.clear()
        _ARTICLE_CACHE[key] = found
        return found

    def spans(self, iris: Sequence[str]) -> dict[str, Span]:
        out: dict[str, Span] = {}
        for chunk in chunks(sorted(set(iris))):
            rows = self.select(f"SELECT ?s ?a ?b ?e ?t WHERE {{ VALUES ?s {{ {refs(chunk)} }} "
                               "?s nif:referenceContext ?a ; nif:beginIndex ?b ; nif:endIndex ?e . "
                               "OPTIONAL { ?s nif:anchorOf ?t } }")
            for r in rows:
                s, a = iri_of(r.get("s")), iri_of(r.get("a"))
                try:
                    begin, end = int(lexical(r.get("b")) or ""), int(lexical(r.get("e")) or "")
                except ValueError:
                    continue
                if s and a:
                    out[s] = Span(s, a, begin, end, lexical(r.get("t")))
        return out

    def facts_about(self, iri: str) -> tuple[list[str], bool]:
        """Fact nodes that name ``iri`` (as participant, holder, target, territory, ...); capped."""
        rows = self.select(
            "SELECT DISTINCT ?f WHERE { GRAPH ?g { { ?f ?p " + ref(iri) + " } UNION { "
            + ref(iri) + " dip:hasName ?f } ?f a ?c } VALUES ?c { " + refs(FACT_CLASSES) + " } } "
            f"ORDER BY ?f LIMIT {FACTS_SHOWN + 1}")
        found = [f for r in rows if (f := iri_of(r.get("f")))]
        return found[:FACTS_SHOWN], len(found) > FACTS_SHOWN

    def facts_in(self, article: str) -> list[str]:
        rows = self.select("SELECT DISTINCT ?f WHERE { GRAPH " + ref(article) + " { ?f a ?c } VALUES ?c { "
                           + refs(FACT_CLASSES) + " } } ORDER BY ?f")
        return [f for r in rows if (f := iri_of(r.get("f")))]

    def spans_in(self, article: str) -> list[str]:
        rows = self.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH {ref(article)} {{ ?s nif:referenceContext "
                           f"{ref(article)} }} }}")
        return [s for r in rows if (s := iri_of(r.get("s")))]

    def facts(self, iris: Sequence[str]) -> list[Fact]:
        props = self.describe(iris)
        facts = {i: Fact(i, set(filter(None, map(iri_of, p.get(RDF_TYPE, [])))), p) for i, p in props.items()}
        for chunk in chunks(list(iris)):
            rows = self.select(f"SELECT DISTINCT ?t ?f WHERE {{ VALUES ?f {{ {refs(chunk)} }} "
                               f"GRAPH ?g {{ ?t dip:hasName ?f }} FILTER(?g != {ref(INFERRED)}) }}")
            for r in rows:
                f, t = iri_of(r.get("f")), iri_of(r.get("t"))
                if f in facts and t:
                    facts[f].territories.append(t)
        return [facts[i] for i in iris if facts[i].props]

    def linked_from(self, iri: str) -> list[tuple[str, str]]:
        """(predicate, subject) of the entity graph's links to ``iri`` (citizens, capitals, ...)."""
        rows = self.select(f"SELECT DISTINCT ?p ?s WHERE {{ GRAPH {ref(ENTITIES)} {{ ?s ?p {ref(iri)} }} }} "
                           f"ORDER BY ?p ?s LIMIT {LINKS_SHOWN}")
        return [(p, s) for r in rows if (p := iri_of(r.get("p"))) and (s := iri_of(r.get("s")))]

    def rdf(self, iri: str) -> list[tuple[Term, Term, Term]]:
        """The resource's triples in all graphs, the labels of what it links to, and its spans' text."""
        x = ref(iri)
        return self.construct(
            f"CONSTRUCT {{ {x} ?p ?o . ?o rdfs:label ?label . ?o nif:anchorOf ?text ; "
            "nif:beginIndex ?b ; nif:endIndex ?e ; nif:referenceContext ?context } "
            f"WHERE {{ {x} ?p ?o . OPTIONAL {{ ?o rdfs:label ?label }} "
            "OPTIONAL { ?o nif:anchorOf ?text ; nif:beginIndex ?b ; nif:endIndex ?e ; "
            "nif:referenceContext ?context } }")
