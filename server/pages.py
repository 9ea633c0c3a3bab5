"""The pages people read: the query page at ``/`` and a page for every resource at ``/id/<name>``.

Every resource IRI ``https://w3id.org/dipkg/id/<name>`` is dereferenceable on the service at
``/id/<name>``.  A browser gets HTML: an entity's label, types, Wikidata link and its facts written
as plain sentences, each with the sentence it came from highlighted inside its paragraph and a
link to the article; a fact node gets the same for itself; an article gets its full text with every
fact span highlighted.  An RDF client gets the resource's triples (from every graph, plus the labels
of what it links to) as Turtle, JSON-LD, N-Triples or RDF/XML, chosen by ``Accept`` or forced with
``?format=``.

Negotiation, decided once here: ``?format=`` wins; otherwise the ``Accept`` header's q-values pick
among the formats, a media type named exactly beating ``type/*`` and ``*/*``; on a tie (which
includes a missing ``Accept`` and a bare ``*/*``) HTML wins, because these IRIs are what people
follow from query results and browsers — RDF clients name the format they want.  ``Accept`` that
names only types we do not serve gets 406.

The pages read the graph through the service's query engine (the same killable workers and time
limits as ``/sparql``), a few small queries per page; article texts are cached, since they never
change while the service runs.  Everything is rendered with Jinja2 autoescaping: text from the
articles and labels is never trusted as markup.

The query page embeds YASGUI, vendored under ``server/static/yasgui/`` (see its README.txt), so
the service works with no network.  Static files are served by a route here (not a mounted app)
because the application includes only this module's ``router``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.namespace import DIP_IRI, ENTITY_GRAPH, ID_IRI, INFERRED_GRAPH, PREFIXES
from server.engine import QueryEngine, QueryError, QueryRequest, Solutions, Triples
from server.worker import Term

router = APIRouter()

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"
EXAMPLES_DIR = HERE.parent / "examples"

# --- vocabulary ----------------------------------------------------------------------------
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = RDF + "type"
RDF_STATEMENT = RDF + "Statement"
RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = RDF + "subject", RDF + "predicate", RDF + "object"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
NIF_STRING, NIF_CONTEXT = NIF + "isString", NIF + "referenceContext"
DCT = "http://purl.org/dc/terms/"
WD_ENTITY = "http://www.wikidata.org/entity/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
ENTITIES = str(ENTITY_GRAPH)
INFERRED = str(INFERRED_GRAPH)


def dip(name: str) -> str:
    return DIP_IRI + name


MEETING, POSITION, SANCTION, QUOTE, NAME = (dip(n) for n in
                                            ("Meeting", "PositionHolding", "Sanction", "Quote", "TerritoryName"))
FACT_CLASSES = (MEETING, POSITION, SANCTION, QUOTE, NAME, RDF_STATEMENT)
ARTICLE, SPAN = dip("Article"), dip("Span")
# Section headings of the facts list, in the order they are shown.
SECTIONS = ("Meetings", "Positions", "Sanctions", "Territories", "Memberships", "Quotes", "Other facts")
# Types too general to show as "what this is" when a more specific one is there.
GENERIC_TYPES = {dip("Agent"), dip("Place"), dip("Fact"), "http://www.w3.org/ns/prov#Entity"}
# Persons' names never take "the"; only these kinds of things might ("the United States").
ARTICLE_TYPES = {dip(n) for n in ("State", "Organization", "Territory", "Region", "StateGroup", "HistoricalState")}
DEFINITE_FIRST_WORDS = {"United", "European", "Kremlin", "Soviet"}

QUERY_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
# The prefixes preset in the editor (and the YASR table's short forms): those of the brief.
EDITOR_PREFIXES = {p: PREFIXES[p] for p in
                   ("dip", "id", "rdf", "rdfs", "owl", "prov", "nif", "dct", "skos", "wd", "xsd")}
FACTS_SHOWN = 300          # facts listed on one entity page at most
LINKS_SHOWN = 200          # "linked from" entries at most
CONTEXT_CHARS = 700        # a paragraph longer than this is cut around the span
VALUES_CHUNK = 200         # IRIs per VALUES block (keeps each query far below the size limit)

# --- formats --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str          # what we send
    accepts: tuple[str, ...]  # the media types that ask for it
    rdflib: str | None       # rdflib serializer, None for HTML


FORMATS = (  # order = preference on ties
    Format("html", "text/html; charset=utf-8", ("text/html", "application/xhtml+xml"), None),
    Format("turtle", "text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle"), "turtle"),
    Format("jsonld", "application/ld+json", ("application/ld+json", "application/json"), "json-ld"),
    Format("ntriples", "application/n-triples", ("application/n-triples",), "nt"),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml",), "xml"),
)
FORMAT_NAMES = {f.name: f for f in FORMATS} | {
    "ttl": FORMATS[1], "json-ld": FORMATS[2], "json": FORMATS[2], "nt": FORMATS[3], "n-triples": FORMATS[3],
    "rdf": FORMATS[4], "xml": FORMATS[4],
}


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, _, params = item.partition(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value the client gives ``media_type``: from the most specific range that matches."""
    for pattern in (media_type, media_type.split("/")[0] + "/*", "*/*"):
        matches = [q for m, q in ranges if m == pattern]
        if matches:
            return max(matches)
    return 0.0


def negotiate(accept: str | None) -> Format | None:
    """The format to send for an ``Accept`` header (HTML on ties), or None: nothing acceptable."""
    ranges = _accept_ranges(accept or "")
    if not ranges:
        return FORMATS[0]
    best, best_q = None, 0.0
    for fmt in FORMATS:
        q = max(_quality(m, ranges) for m in fmt.accepts)
        if q > best_q:
            best, best_q = fmt, q
    return best


# --- terms and query text --------------------------------------------------------------------
_IRI_SAFE = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')
_NAME = re.compile(r'[^\x00-\x20\x7f/\\<>"{}|^`?#]+')


def ref(iri: str) -> str:
    """``<iri>`` for query text; refuses anything that could end the IRI early."""
    if not _IRI_SAFE.fullmatch(iri):
        raise ValueError(f"not a safe IRI: {iri!r}")
    return f"<{iri}>"


def refs(iris: Iterable[str]) -> str:
    return " ".join(ref(i) for i in iris if _IRI_SAFE.fullmatch(i))


def chunks(items: Sequence[str], size: int = VALUES_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def iri_of(term: Term | None) -> str | None:
    return str(term[1]) if term is not None and term[0] == "uri" else None


def lexical(term: Term | None) -> str | None:
    return str(term[1]) if term is not None and term[0] == "literal" else None


def local_href(iri: str, root: str = "") -> str | None:
    """The service path of one of our IRIs (``/id/<name>``), None for anyone else's."""
    if not iri.startswith(ID_IRI) or len(iri) == len(ID_IRI):
        return None
    return f"{root}/id/" + quote(iri[len(ID_IRI):], safe="!$&'()*+,;=:@-._~%")


def external_href(iri: str) -> str | None:
    return iri if iri.startswith(("http://", "https://")) else None


def wikidata_page(iri: str) -> str | None:
    if iri.startswith(WD_ENTITY) and re.fullmatch(r"Q\d+", iri[len(WD_ENTITY):]):
        return "https://www.wikidata.org/wiki/" + iri[len(WD_ENTITY):]
    return None


def short_name(iri: str) -> str:
    """``dip:claimedBy`` for a known namespace, else the IRI: a fallback when there is no label."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            return local.replace("_", " ") if prefix == "id" else f"{prefix}:{local}"
    return iri


# --- reading the graph ------------------------------------------------------------------------
Props = dict[str, list[Term]]
Row = dict[str, Term]


@dataclass(frozen=True)
class Info:
    """What a link needs to know about its target: the label, and the types ("the" or not)."""

    label: str
    types: frozenset[str] = frozenset()


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

    def __init__(self, engine: QueryEngine, etag: str) -> None:
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
        for chunk in chunks(wanted):
            rows = self.select(f"SELECT DISTINCT ?x ?p ?o WHERE {{ VALUES ?x {{ {refs(chunk)} }} "
                               "VALUES ?p { rdfs:label rdf:type } "
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
        return {x: Info(min(labels[x])[1] if x in labels else short_name(x), frozenset(types.get(x, ())))
                for x in wanted}

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


# --- plain sentences --------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A name in a sentence: a link to its page, or just emphasis on the page it is about."""

    text: str
    href: str | None
    current: bool = False


Part = str | Link


def join(items: list[list[Part]]) -> list[Part]:
    """``A``, ``A and B``, ``A, B and C``."""
    out: list[Part] = []
    for n, item in enumerate(items):
        if n:
            out.append(" and " if n == len(items) - 1 else ", ")
        out.extend(item)
    return out


def capitalized(parts: list[Part]) -> list[Part]:
    if parts and isinstance(parts[0], str) and parts[0]:
        return [parts[0][0].upper() + parts[0][1:], *parts[1:]]
    return parts


def _plural(label: str) -> bool:
    """A plural noun phrase such as "Northern Territories" or "Western countries"."""
    last = label.split()[-1] if label.split() else ""
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def needs_the(label: str, types: Iterable[str]) -> bool:
    """English puts "the" before "United States", "Northern Territories", "Group of Seven"."""
    if not ARTICLE_TYPES.intersection(types) or label.lower().startswith("the "):
        return False
    words = label.split()
    return bool(words) and (words[0] in DEFINITE_FIRST_WORDS or " of " in label or _plural(label))


def date_phrase(term: Term) -> str:
    value = str(term[1])
    return f" on {value}" if term[0] == "literal" and term[2] == XSD_DATE else f" in {value}"


class Writer:
    """Writes facts as plain sentences with links, from the labels and types it was given."""

    def __init__(self, infos: dict[str, Info], focus: str | None, root: str) -> None:
        self.infos = infos
        self.focus = focus
        self.root = root

    def info(self, iri: str) -> Info:
        return self.infos.get(iri) or Info(short_name(iri))

    def label(self, iri: str) -> str:
        return self.info(iri).label

    def link(self, iri: str) -> Link:
        info = self.info(iri)
        # ontology terms (dip:Held, dip:Summit) have no page here: their label is enough
        href = None if iri.startswith(DIP_IRI) else local_href(iri, self.root) or external_href(iri)
        return Link(info.label, href, current=iri == self.focus)

    def name(self, iri: str) -> list[Part]:
        info = self.info(iri)
        return ["the ", self.link(iri)] if needs_the(info.label, info.types) else [self.link(iri)]

    def names(self, iris: Iterable[str]) -> list[Part]:
        return join([self.name(i) for i in self.ordered(iris)])

    def is_person(self, iri: str) -> bool:
        return bool({dip("Person"), dip("Leader")} & self.info(iri).types)

    def ordered(self, iris: Iterable[str]) -> list[str]:
        """The page's own entity first, then people, then the rest, each by label."""
        return sorted(set(iris), key=lambda i: (i != self.focus, not self.is_person(i), self.label(i).lower(), i))

    def is_plural(self, iris: list[str]) -> bool:
        if len(iris) != 1:
            return True
        label = self.label(iris[0])
        return _plural(label) and label.split()[-1].islower()

    def value(self, term: Term) -> list[Part]:
        iri = iri_of(term)
        return [self.link(iri)] if iri else [str(term[1])]

    def sentence(self, fact: Fact) -> list[Part]:
        try:
            if MEETING in fact.types:
                return self.meeting(fact)
            if POSITION in fact.types:
                return self.position(fact)
            if SANCTION in fact.types:
                return self.sanction(fact)
            if QUOTE in fact.types:
                return self.quote(fact)
            if NAME in fact.types:
                return self.territory_name(fact)
            if RDF_STATEMENT in fact.types:
                return self.statement(fact)
        except (IndexError, StopIteration):
            pass  # a fact with a missing field: fall back to its type
        types = sorted(t for t in fact.types if t not in GENERIC_TYPES)
        return capitalized([f"a {self.label(types[0]) if types else 'fact'}"])

    def meeting(self, fact: Fact) -> list[Part]:
        participants = self.ordered(fact.iris(dip("participant")))
        places = fact.iris(dip("location"))
        place = places[0] if places else None
        parts: list[Part]
        also: list[str] = []
        hosts = [p for p in participants if dip("State") in self.info(p).types]
        kinds = fact.iris(dip("kind"))
        if kinds == [dip("Visit")] and len(hosts) == 1 and len(participants) > 1:
            host = hosts[0]
            guests = [p for p in participants if p != host]
            parts = [*self.names(guests), " visited "]
            if place and place != host:  # "visited Sochi, Russia, in 2014"
                parts += [*self.name(place), ", ", *self.name(host), ","]
            else:
                parts += self.name(host)
        else:
            # people meet people; states and organizations taking part too are named after
            people = [p for p in participants if self.is_person(p)]
            also = [p for p in participants if p not in people] if len(people) > 1 else []
            main = people if also else participants
            parts = list(self.name(main[0]))
            parts += [" met ", *self.names(main[1:])] if main[1:] else [" took part in a meeting"]
            if place:
                parts += [" in ", *self.name(place)]
        date = fact.first_literal(dip("date"))
        if date is not None:
            parts.append(date_phrase(date))
        elif parts[-1] == ",":
            parts.pop()
        notes: list[Part] = [", ".join(self.label(s) for s in fact.iris(dip("status")))]
        if also:
            notes += ["; also ", *self.names(also)] if notes[0] else ["also ", *self.names(also)]
        if notes != [""]:
            parts += [" (", *notes, ")"]
        return capitalized(parts)

    def position(self, fact: Fact) -> list[Part]:
        holder = fact.iris(dip("holder"))
        role = fact.first_literal(dip("role"))
        parts: list[Part] = [*self.names(holder), " is " if not self.is_plural(holder) else " are ",
                             str(role[1]) if role else "holder of a position"]
        if organs := fact.iris(dip("of")):
            parts += [" of ", *self.names(organs)]
        return capitalized(parts)

    def sanction(self, fact: Fact) -> list[Part]:
        imposers, targets = fact.iris(dip("imposedBy")), fact.iris(dip("target"))
        reason = fact.first_literal(dip("reason"))
        if imposers:
            verb = " sanction " if self.is_plural(imposers) else " sanctions "
            parts = [*self.names(imposers), verb, *self.names(targets)]
        else:
            parts = [*self.names(targets), " are" if self.is_plural(targets) else " is", " under sanctions"]
        if reason is not None:
            parts.append(f" over {reason[1]}")
        return capitalized(parts)

    def quote(self, fact: Fact) -> list[Part]:
        text = fact.first_literal(dip("text"))
        parts: list[Part] = [f"“{text[1] if text else '…'}”"]
        if speakers := fact.iris(dip("speaker")):
            parts += [" — said by ", *self.names(speakers)]
        return parts

    def territory_name(self, fact: Fact) -> list[Part]:
        users, name = fact.iris(dip("usedBy")), fact.first_literal(dip("name"))
        label = str(name[1]) if name else "…"
        parts: list[Part] = [*self.names(users), " call " if self.is_plural(users) else " calls "]
        territories = sorted(set(fact.territories))
        if territories and territories != [self.focus]:
            parts += self.names(territories)
        else:
            parts.append("it")
        parts.append(f" the {label}" if _plural(label) and not label.lower().startswith("the ") else f" {label}")
        return capitalized(parts)

    def statement(self, fact: Fact) -> list[Part]:
        subjects, objects = fact.iris(RDF_SUBJECT), fact.iris(RDF_OBJECT)
        predicate = fact.iris(RDF_PREDICATE)[0]
        plural = self.is_plural(objects)
        if predicate == dip("claimedBy"):
            return capitalized([*self.names(objects), " claim " if plural else " claims ", *self.names(subjects)])
        if predicate == dip("controlledBy"):
            return capitalized([*self.names(objects), " control " if plural else " controls ",
                                *self.names(subjects)])
        if predicate == dip("memberOf"):
            return capitalized([*self.names(subjects), " are members of " if self.is_plural(subjects)
                                else " is a member of ", *self.names(objects)])
        return capitalized([*self.names(subjects), f" {self.label(predicate)} ", *self.names(objects)])


# --- sources: the sentence in its paragraph ---------------------------------------------------
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True)
class Context:
    before: str
    marked: str
    after: str


def paragraph_context(text: str, begin: int, end: int, limit: int = CONTEXT_CHARS) -> Context:
    """The span inside its paragraph (the text between the nearest blank lines around it)."""
    start = 0
    for m in _BLANK_LINE.finditer(text, 0, begin):
        start = m.end()
    following = _BLANK_LINE.search(text, end)
    stop = following.start() if following else len(text)
    before, after = text[start:begin], text[end:stop]
    room = max(0, limit - (end - begin)) // 2
    if len(before) > room:
        cut = before[len(before) - room:]
        before = "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    if len(after) > room:
        cut = after[:room]
        after = (cut[:cut.rfind(" ")] if " " in cut else cut) + "…"
    return Context(before.lstrip(), text[begin:end], after.rstrip())


@dataclass(frozen=True)
class Source:
    span: Span
    article: Article | None
    href: str                  # the article page, at the sentence
    context: Context | None    # None when the article text is not there


@dataclass(frozen=True)
class FactView:
    iri: str
    href: str
    sentence: list[Part]
    kind: str                  # its type's label: "meeting", "quote", ...
    section: str
    sources: list[Source]
    sort_key: tuple[str, ...]


STATEMENT_KINDS = {dip("claimedBy"): "claim", dip("controlledBy"): "control", dip("memberOf"): "membership"}


def fact_kind(fact: Fact, writer: Writer) -> str:
    """What the fact is, in a word: its class's label, or for a reified triple what it states."""
    if RDF_STATEMENT in fact.types:
        return STATEMENT_KINDS.get(next(iter(fact.iris(RDF_PREDICATE)), ""), "statement")
    kinds = sorted(t for t in fact.types if t in FACT_CLASSES)
    return writer.label(kinds[0]) if kinds else "fact"


def span_anchor(span_iri: str) -> str:
    return span_iri[len(ID_IRI):] if span_iri.startswith(ID_IRI) else re.sub(r"\W", "-", span_iri)


def make_source(span: Span, article: Article | None, root: str) -> Source:
    href = (local_href(span.article, root) or "") + "#" + span_anchor(span.iri)
    context = None
    if article and 0 <= span.begin <= span.end <= len(article.text):
        context = paragraph_context(article.text, span.begin, span.end)
    return Source(span, article, href, context)


class PageData:
    """Loads facts with their spans, articles and labels in a handful of queries."""

    def __init__(self, reader: GraphReader, root: str) -> None:
        self.reader = reader
        self.root = root

    def views(self, facts: list[Fact], writer: Writer) -> list[FactView]:
        span_iris = sorted({s for f in facts for s in f.iris(PROV_DERIVED)})
        spans = self.reader.spans(span_iris)
        articles = {a: self.reader.article(a) for a in sorted({s.article for s in spans.values()})}
        views = []
        for fact in facts:
            sources = [make_source(spans[s], articles.get(spans[s].article), self.root)
                       for s in fact.iris(PROV_DERIVED) if s in spans]
            sources.sort(key=lambda s: (s.article.issued or "" if s.article else "", s.span.article, s.span.begin))
            date = fact.first_literal(dip("date"))
            first_issued = next((s.article.issued for s in sources if s.article and s.article.issued), "")
            sentence = writer.sentence(fact)
            plain = "".join(p if isinstance(p, str) else p.text for p in sentence)
            views.append(FactView(
                fact.iri, local_href(fact.iri, self.root) or "", sentence,
                fact_kind(fact, writer), fact.section, sources,
                (str(SECTIONS.index(fact.section)), str(date[1]) if date else first_issued or "", plain)))
        views.sort(key=lambda v: v.sort_key)
        return views

    def label_targets(self, facts: list[Fact]) -> set[str]:
        out: set[str] = set()
        for fact in facts:
            out.update(fact.territories)
            for predicate, values in fact.props.items():
                if predicate == PROV_DERIVED:
                    continue
                out.add(predicate)
                out.update(i for t in values if (i := iri_of(t)))
        return out


def sections(views: list[FactView]) -> list[tuple[str, list[FactView]]]:
    return [(name, [v for v in views if v.section == name]) for name in SECTIONS
            if any(v.section == name for v in views)]


# --- article text with every span highlighted -------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    ids: tuple[str, ...] = ()   # anchors of the spans that start here


def highlight(text: str, spans: Iterable[Span]) -> list[Segment]:
    """The text cut at every span boundary; covered pieces are marked, overlapping spans merged.

    Each span's anchor sits where it starts, so ``#span-…`` links land on the sentence; adjacent
    marked pieces are joined unless a span starts between them.
    """
    valid = [s for s in spans if 0 <= s.begin < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.begin for s in valid), *(s.end for s in valid)})
    starts: dict[int, list[str]] = {}
    for s in sorted(valid, key=lambda s: (s.begin, s.end)):
        starts.setdefault(s.begin, []).append(span_anchor(s.iri))
    segments: list[Segment] = []
    for a, b in pairwise(cuts):
        if a == b:
            continue
        marked = any(s.begin <= a and b <= s.end for s in valid)
        ids = tuple(starts.get(a, ()))
        if segments and not ids and segments[-1].marked == marked:
            last = segments.pop()
            segments.append(Segment(last.text + text[a:b], marked, last.ids))
        else:
            segments.append(Segment(text[a:b], marked, ids))
    return segments


# --- templates and responses ------------------------------------------------------------------


@cache
def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                             autoescape=jinja2.select_autoescape(["html"]),
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.tests["link"] = lambda value: isinstance(value, Link)
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
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
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
    service = request.app.state.service
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
    return page(request, "entity.html", title=info.label, iri=iri, label=info.label,
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
    return page(request, "fact.html", title=views[0].kind.capitalize(), iri=iri, view=views[0], rows=rows,
                alternates=alternates(request))


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
