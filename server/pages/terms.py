"""Vocabulary, negotiation and the small term helpers every page module uses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from dipkg.graph.namespace import DIP_IRI, ENTITY_GRAPH, ID_IRI, INFERRED_GRAPH, PREFIXES
from dipkg.server.worker import Term

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
