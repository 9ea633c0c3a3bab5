"""Stage 5: facts → RDF, with provenance, in one named graph per article.

IRIs are content-derived so that rebuilding the same input gives the same IRIs and the same
fact stated by two articles is one node (with a span in each article's graph):

* entities: ``id/<registry id>`` (``id/Shinzo_Abe``);
* facts: ``id/<kind>-<hash of what the fact says>`` (``id/meeting-3f9c…``);
* spans: ``id/span-<article>-<begin>-<end>``; reified triples: ``id/statement-<hash>``.

No blank nodes: everything a user may want to link to has an IRI.
"""

from __future__ import annotations

import hashlib

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from dipkg.graph.articles import Article, PartialDate
from dipkg.graph.facts import ArticleFacts, Meeting, Span
from dipkg.graph.lexicon import TITLES
from dipkg.graph.namespace import DIP, ENTITY_GRAPH, ID, NIF, PROV, WD
from dipkg.graph.registry import Entity, Registry

_STATUS = {"held": "Held", "planned": "Planned", "proposed": "Proposed", "cancelled": "Cancelled"}
_KIND = {"summit": "Summit", "visit": "Visit", "talks": "Talks", "ministerial": "MinisterialMeeting",
         "other": "OtherMeeting"}


def digest(*parts: object) -> str:
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def meeting_iri(m: Meeting) -> URIRef:
    """What the meeting is (who, where, when, whether), not how an article words it."""
    date = m.date.iso() if m.date else ""
    return ID[f"meeting-{digest(*sorted(m.participants), m.location, date, m.status)}"]


_KIND_STRENGTH = {"summit": 4, "ministerial": 3, "talks": 2, "visit": 1, "other": 0}


def harmonize_kinds(all_facts: list[ArticleFacts]) -> None:
    """One meeting stated by two articles is one node: give it the most specific kind either
    article supports ("talks" in one, "ministerial" where the other names the ministers)."""
    best: dict[URIRef, str] = {}
    for facts in all_facts:
        for m in facts.meetings:
            iri = meeting_iri(m)
            if _KIND_STRENGTH[m.kind] > _KIND_STRENGTH[best.get(iri, "other")]:
                best[iri] = m.kind
    for facts in all_facts:
        for m in facts.meetings:
            m.kind = best.get(meeting_iri(m), m.kind)


def kind_term(kind: str) -> URIRef:
    """The ``dip:kind`` value of a meeting kind ("summit" -> ``dip:Summit``)."""
    return DIP[_KIND[kind]]


def kind_name(term: object) -> str | None:
    """The meeting kind a ``dip:kind`` value stands for, or None for a term that is none."""
    for name, local in _KIND.items():
        if term == DIP[local]:
            return name
    return None


def strongest_kind(kinds: list[str]) -> str:
    """The most specific of the kinds the articles stating one meeting give it."""
    return max(kinds, key=lambda k: _KIND_STRENGTH[k], default="other")


def canonical_role(role: str) -> str:
    """One spelling per role, whatever the article's capitalisation ("president" ->
    "President"), since the position node is shared by every article that states it."""
    for title in TITLES:
        if title.lower() == role.lower() and title[0].isupper():
            return title
    return role[:1].upper() + role[1:]


def entity_iri(entity_id: str) -> URIRef:
    return ID[entity_id]


def article_iri(article: Article) -> URIRef:
    return ID[f"article-{article.key}"]


def date_literal(date: PartialDate) -> Literal:
    datatype = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}[date.precision]
    return Literal(date.iso(), datatype=datatype)


def describe_article(graph: Graph, article: Article) -> URIRef:
    a = article_iri(article)
    graph.add((a, RDF.type, DIP.Article))
    graph.add((a, RDF.type, NIF.Context))
    graph.add((a, DIP.fileName, Literal(article.file_name)))
    graph.add((a, NIF.isString, Literal(article.text)))
    graph.add((a, DCTERMS.issued, date_literal(article.published)))
    if article.title:
        graph.add((a, DCTERMS.title, Literal(article.title)))
    if article.publisher:
        graph.add((a, DCTERMS.publisher, Literal(article.publisher)))
    if article.url:
        graph.add((a, DCTERMS.source, URIRef(article.url)))
    return a


class ArticleGraphWriter:
    """Writes one article's facts into its named graph."""

    def __init__(self, graph: Graph, article: Article) -> None:
        self.graph = graph
        self.article = article
        self.node = describe_article(graph, article)

    def span(self, span: Span) -> URIRef:
        begin, end = span
        iri = ID[f"span-{self.article.key}-{begin}-{end}"]
        g = self.graph
        g.add((iri, RDF.type, DIP.Span))
        g.add((iri, NIF.referenceContext, self.node))
        g.add((iri, NIF.beginIndex, Literal(begin, datatype=XSD.nonNegativeInteger)))
        g.add((iri, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
        g.add((iri, NIF.anchorOf, Literal(self.article.text[begin:end])))
        return iri

    def derive(self, node: URIRef, spans: list[Span]) -> None:
        for span in spans:
            self.graph.add((node, PROV.wasDerivedFrom, self.span(span)))

    def statement(self, s: URIRef, p: URIRef, o: URIRef, spans: list[Span]) -> None:
        """A plain fact triple plus the ``rdf:Statement`` that carries its provenance."""
        g = self.graph
        g.add((s, p, o))
        st = ID[f"statement-{digest(s, p, o)}"]
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, o))
        self.derive(st, spans)

    def write(self, facts: ArticleFacts) -> None:
        g, e = self.graph, entity_iri
        for m in facts.meetings:
            node = meeting_iri(m)
            g.add((node, RDF.type, DIP.Meeting))
            for p in sorted(m.participants):
                g.add((node, DIP.participant, e(p)))
            if m.location:
                g.add((node, DIP.location, e(m.location)))
            if m.date:
                g.add((node, DIP.date, date_literal(m.date)))
            g.add((node, DIP.status, DIP[_STATUS[m.status]]))
            g.add((node, DIP.kind, DIP[_KIND[m.kind]]))
            self.derive(node, m.spans)
        for pos in facts.positions:
            node = ID[f"position-{digest(pos.holder, pos.role.lower(), pos.of)}"]
            g.add((node, RDF.type, DIP.PositionHolding))
            g.add((node, DIP.holder, e(pos.holder)))
            g.add((node, DIP.role, Literal(canonical_role(pos.role))))
            if pos.of:
                g.add((node, DIP.of, e(pos.of)))
            self.derive(node, pos.spans)
        for s in facts.sanctions:
            node = ID[f"sanction-{digest(*sorted(s.imposers), s.target)}"]
            g.add((node, RDF.type, DIP.Sanction))
            for imposer in sorted(s.imposers):
                g.add((node, DIP.imposedBy, e(imposer)))
            g.add((node, DIP.target, e(s.target)))
            if s.reason:
                g.add((node, DIP.reason, Literal(s.reason)))
            self.derive(node, s.spans)
        for q in facts.quotes:
            node = ID[f"quote-{digest(q.speaker, q.text)}"]
            g.add((node, RDF.type, DIP.Quote))
            g.add((node, DIP.speaker, e(q.speaker)))
            g.add((node, DIP.text, Literal(q.text)))
            self.derive(node, q.spans)
        for t in facts.territory_statements:
            self.statement(e(t.territory), DIP[t.predicate], e(t.state), t.spans)
        for n in facts.territory_names:
            node = ID[f"name-{digest(n.territory, n.state, n.name)}"]
            g.add((e(n.territory), DIP.hasName, node))
            g.add((node, RDF.type, DIP.TerritoryName))
            g.add((node, DIP.name, Literal(n.name)))
            g.add((node, DIP.usedBy, e(n.state)))
            self.derive(node, n.spans)
        for mb in facts.memberships:
            self.statement(e(mb.member), DIP.memberOf, e(mb.organization), mb.spans)


_REFERENCES = (
    ("capital", "capitalOf", True), ("citizen_of", "citizenOf", False),
    ("affiliation", "affiliatedWith", False), ("state", "locatedIn", False),
    ("located_in", "locatedIn", False), ("part_of", "partOf", False),
)


def describe_entity(graph: Graph, entity: Entity, registry: Registry) -> None:
    """Labels, class, Wikidata link and registry facts of one entity, in the entity graph."""
    node = entity_iri(entity.id)
    graph.add((node, RDF.type, DIP[entity.cls]))
    if entity.kind == "continent":
        # news makes continents act ("the U.S. and Europe punished Russia"): its states, as a group
        graph.add((node, RDF.type, DIP.StateGroup))
    graph.add((node, RDFS.label, Literal(entity.label, lang="en")))
    for alias in sorted(set(entity.aliases) - {entity.label}):
        graph.add((node, SKOS.altLabel, Literal(alias, lang="en")))
    for demonym in entity.demonyms:
        graph.add((node, DIP.demonym, Literal(demonym, lang="en")))
    for title in entity.leader_titles:
        graph.add((node, DIP.leaderTitle, Literal(title)))
    if entity.wikidata:
        graph.add((node, OWL.sameAs, WD[entity.wikidata]))
    for attribute, prop, reverse in _REFERENCES:
        target = getattr(entity, attribute)
        if target and target in registry.entities:
            if reverse:
                graph.add((entity_iri(target), DIP[prop], node))
            else:
                graph.add((node, DIP[prop], entity_iri(target)))
    for state in entity.disputed_by:
        if state in registry.entities:
            graph.add((node, DIP.disputedBy, entity_iri(state)))


def entity_graph(dataset: Dataset, registry: Registry, used: set[str]) -> Graph:
    """The registry (every entry) plus the entities discovered in the articles."""
    graph = dataset.graph(ENTITY_GRAPH)
    for entity_id in sorted(registry.entities):
        entity = registry.entities[entity_id]
        if entity.discovered and entity_id not in used:
            continue
        describe_entity(graph, entity, registry)
    return graph
