"""Evidence: which graphs hold each triple, the premises of inferred ones, and the spans, sentences and articles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dipkg.server.provenance.derive import Fact, Unit
from dipkg.server.provenance.shape import CONDITIONAL, Shape
from dipkg.server.provenance.terms import (
    INFERRED,
    MAX_PREMISE_DEPTH,
    ONTOLOGY,
    PREFIXES,
    PROV_DERIVED,
    RULES,
    Binding,
    Context,
    Json,
    Triple,
    _uri,
    nt_triple,
    sparql_term,
)

if TYPE_CHECKING:
    pass



# --- where each triple is -------------------------------------------------------------------------
def locate(ctx: Context, triples: Iterable[Triple]) -> dict[Triple, set[str]]:
    """The named graphs that hold each triple (one batched query)."""
    named = [t for t in set(triples) if all(sparql_term(x) is not None for x in t)]
    _, rows = ctx.select_values("SELECT ?s ?p ?o ?g WHERE { VALUES %VALUES% GRAPH ?g { ?s ?p ?o } }",
                                ["s", "p", "o"], named)
    out: dict[Triple, set[str]] = {}
    for row in rows:
        out.setdefault((row["s"], row["p"], row["o"]), set()).add(str(row["g"][1]))
    return out


def decide(shape: Shape, units: list[Unit], holds: Callable[[Fact], set[str]]) -> None:
    """A conditional block counts only if every triple it needs holds; its children follow it."""
    for unit in units:
        for index, block in enumerate(shape.blocks):
            parent_missing = block.parent is not None and block.parent in unit.missing
            if parent_missing or (block.kind in CONDITIONAL and any(b == index and not holds(f)
                                                                    for b, f in unit.facts)):
                unit.missing.add(index)


# --- premises of inferred triples -----------------------------------------------------------------
@dataclass(frozen=True)
class Explanation:
    rule: str
    axiom: Triple
    premises: tuple[tuple[Triple, frozenset[str]], ...]   # each premise and the graphs holding it


_PREMISES = PREFIXES + f"""SELECT * WHERE {{
  VALUES %VALUES%
  {{ {{ GRAPH <{ONTOLOGY}> {{ ?p owl:inverseOf ?q }} BIND(?p AS ?as) BIND(?q AS ?ao) }}
     UNION {{ GRAPH <{ONTOLOGY}> {{ ?q owl:inverseOf ?p }} BIND(?q AS ?as) BIND(?p AS ?ao) }}
     GRAPH ?g1 {{ ?o ?q ?s }}
     BIND("owl:inverseOf" AS ?rule) BIND(owl:inverseOf AS ?ap) BIND(?o AS ?s1) BIND(?q AS ?p1) BIND(?s AS ?o1) }}
  UNION {{ GRAPH <{ONTOLOGY}> {{ ?q rdfs:subPropertyOf ?p }} GRAPH ?g1 {{ ?s ?q ?o }}
     BIND("rdfs:subPropertyOf" AS ?rule) BIND(?q AS ?as) BIND(rdfs:subPropertyOf AS ?ap) BIND(?p AS ?ao)
     BIND(?s AS ?s1) BIND(?q AS ?p1) BIND(?o AS ?o1) }}
  UNION {{ GRAPH <{ONTOLOGY}> {{ ?c rdfs:subClassOf ?o }} GRAPH ?g1 {{ ?s a ?c }}
     BIND(rdf:type AS ?p) BIND("rdfs:subClassOf" AS ?rule) BIND(?c AS ?as) BIND(rdfs:subClassOf AS ?ap)
     BIND(?o AS ?ao) BIND(?s AS ?s1) BIND(rdf:type AS ?p1) BIND(?c AS ?o1) }}
  UNION {{ GRAPH <{ONTOLOGY}> {{ ?q rdfs:domain ?o }} GRAPH ?g1 {{ ?s ?q ?y }}
     BIND(rdf:type AS ?p) BIND("rdfs:domain" AS ?rule) BIND(?q AS ?as) BIND(rdfs:domain AS ?ap) BIND(?o AS ?ao)
     BIND(?s AS ?s1) BIND(?q AS ?p1) BIND(?y AS ?o1) }}
  UNION {{ GRAPH <{ONTOLOGY}> {{ ?q rdfs:range ?o }} GRAPH ?g1 {{ ?y ?q ?s }}
     BIND(rdf:type AS ?p) BIND("rdfs:range" AS ?rule) BIND(?q AS ?as) BIND(rdfs:range AS ?ap) BIND(?o AS ?ao)
     BIND(?y AS ?s1) BIND(?q AS ?p1) BIND(?s AS ?o1) }}
  UNION {{ GRAPH <{ONTOLOGY}> {{ ?p a owl:TransitiveProperty }} GRAPH ?g1 {{ ?s ?p ?y }} GRAPH ?g2 {{ ?y ?p ?o }}
     FILTER(?y != ?s && ?y != ?o)
     BIND("owl:TransitiveProperty" AS ?rule) BIND(?p AS ?as) BIND(rdf:type AS ?ap) BIND(owl:TransitiveProperty AS ?ao)
     BIND(?s AS ?s1) BIND(?p AS ?p1) BIND(?y AS ?o1) BIND(?y AS ?s2) BIND(?p AS ?p2) BIND(?o AS ?o2) }}
}}"""


def explain(ctx: Context, inferred: set[Triple]) -> dict[Triple, Explanation | None]:
    """The best explanation of each inferred triple, and of its inferred premises, a few levels deep."""
    out: dict[Triple, Explanation | None] = {}
    todo = {t for t in inferred if all(sparql_term(x) is not None for x in t)}
    for _ in range(MAX_PREMISE_DEPTH):
        if not todo:
            break
        _, rows = ctx.select_values(_PREMISES, ["s", "p", "o"], todo)
        candidates = _candidates(rows)
        for triple in todo:
            out[triple] = _best(candidates.get(triple, {}), set(out) | {triple})
        todo = {p for e in out.values() if e for p, graphs in e.premises if graphs == {INFERRED}} - set(out)
    return out


def _candidates(rows: list[Binding]) -> dict[Triple, dict[tuple[str, Triple, tuple[Triple, ...]], list[set[str]]]]:
    """Rows of the premise query grouped: triple -> (rule, axiom, premises) -> graphs of each premise."""
    out: dict[Triple, dict[tuple[str, Triple, tuple[Triple, ...]], list[set[str]]]] = {}
    for row in rows:
        premises = [(row["s1"], row["p1"], row["o1"])]
        graphs = [row["g1"][1]]
        if "s2" in row:
            premises.append((row["s2"], row["p2"], row["o2"]))
            graphs.append(row["g2"][1])
        key = (str(row["rule"][1]), (row["as"], row["ap"], row["ao"]), tuple(premises))
        slots = out.setdefault((row["s"], row["p"], row["o"]), {}).setdefault(key, [set() for _ in premises])
        for slot, graph in zip(slots, graphs, strict=True):
            slot.add(str(graph))
    return out


def _best(candidates: dict[tuple[str, Triple, tuple[Triple, ...]], list[set[str]]],
          avoid: set[Triple]) -> Explanation | None:
    """Prefer premises that are asserted, then premises not already being explained (no cycles),
    then the simpler rule."""
    def rank(item: tuple[tuple[str, Triple, tuple[Triple, ...]], list[set[str]]]) -> tuple[Any, ...]:
        (rule, _, premises), graphs = item
        inferred_only = sum(g == {INFERRED} for g in graphs)
        return (inferred_only, sum(p in avoid for p in premises), RULES.index(rule),
                [nt_triple(p) for p in premises])

    if not candidates:
        return None
    (rule, axiom, premises), graphs = min(candidates.items(), key=rank)
    return Explanation(rule, axiom, tuple((p, frozenset(g)) for p, g in zip(premises, graphs, strict=True)))


# --- spans, sentences and articles ----------------------------------------------------------------
_SPANS = PREFIXES + """SELECT ?s ?p ?o ?g ?rank ?span WHERE {
  VALUES %VALUES%
  GRAPH ?g {
    { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?span . BIND(1 AS ?rank) }
    UNION { ?s prov:wasDerivedFrom ?span . BIND(2 AS ?rank) }
    UNION { ?o prov:wasDerivedFrom ?span . BIND(3 AS ?rank) }
    UNION { ?s nif:referenceContext ?context . BIND(?s AS ?span) BIND(4 AS ?rank) }
  }
}"""
_SENTENCES = PREFIXES + """SELECT DISTINCT ?span ?b ?e ?text WHERE {
  VALUES %VALUES%
  GRAPH ?g { ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?text }
}"""
_ARTICLES = PREFIXES + """SELECT ?a ?title ?publisher ?issued ?url ?file WHERE {
  VALUES %VALUES%
  OPTIONAL { GRAPH ?a { ?a dct:title ?title } }
  OPTIONAL { GRAPH ?a { ?a dct:publisher ?publisher } }
  OPTIONAL { GRAPH ?a { ?a dct:issued ?issued } }
  OPTIONAL { GRAPH ?a { ?a dct:source ?url } }
  OPTIONAL { GRAPH ?a { ?a dip:fileName ?file } }
}"""


@dataclass
class SourceIndex:
    """Spans of (triple, article graph) pairs, the spans' sentences, and the articles' metadata."""

    spans: dict[tuple[Triple, str], list[str]] = field(default_factory=dict)
    sentences: dict[str, Json] = field(default_factory=dict)
    articles: dict[str, Json] = field(default_factory=dict)

    @classmethod
    def load(cls, ctx: Context, pairs: set[tuple[Triple, str]]) -> SourceIndex:
        index = cls()
        if not pairs:
            return index
        index.spans = _spans(ctx, pairs)
        spans = sorted({s for found in index.spans.values() for s in found})
        _, rows = ctx.select_values(_SENTENCES, ["span"], [[_uri(s)] for s in spans])
        for row in rows:
            index.sentences[row["span"][1]] = {"span": row["span"][1], "text": row["text"][1],
                                               "begin": int(row["b"][1]), "end": int(row["e"][1])}
        _, rows = ctx.select_values(_ARTICLES, ["a"], [[_uri(g)] for g in sorted({g for _, g in pairs})])
        for row in rows:
            index.articles[row["a"][1]] = {k: (row[k][1] or None) if k in row else None
                                           for k in ("title", "publisher", "issued", "url", "file")}
        return index

    def source(self, article: str, triples: Iterable[Triple]) -> Json:
        """One article as a source: its metadata, the sentences that state ``triples``, the triples."""
        listed = list(dict.fromkeys(triples))
        spans = {s for t in listed for s in self.spans.get((t, article), [])}
        sentences = sorted((self.sentences[s] for s in spans if s in self.sentences),
                           key=lambda x: (x["begin"], x["end"], x["span"]))
        meta = self.articles.get(article, dict.fromkeys(("title", "publisher", "issued", "url", "file")))
        return {"article": article, **meta, "sentences": sentences, "triples": [nt_triple(t) for t in listed]}


def _spans(ctx: Context, pairs: set[tuple[Triple, str]]) -> dict[tuple[Triple, str], list[str]]:
    """The spans of each pair, by the most specific route (see the module docstring)."""
    _, rows = ctx.select_values(_SPANS, ["s", "p", "o", "g"], [[*t, _uri(g)] for t, g in pairs])
    ranked: dict[tuple[Triple, str], tuple[int, set[str]]] = {}
    for row in rows:
        key = ((row["s"], row["p"], row["o"]), str(row["g"][1]))
        rank, span = int(row["rank"][1]), str(row["span"][1])
        best = ranked.get(key)
        if best is None or rank < best[0]:
            ranked[key] = (rank, {span})
        elif rank == best[0]:
            best[1].add(span)
    out = {key: sorted(spans) for key, (_, spans) in ranked.items()}
    for triple, graph in pairs:
        if triple[1] == _uri(PROV_DERIVED) and triple[2][0] == "uri":
            out[(triple, graph)] = [triple[2][1]]
    return out
