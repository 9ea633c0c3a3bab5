"""Evidence: which graphs hold each triple, the premises of inferred ones, and the spans, sentences and articles."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from dipkg.server.provenance import cache
from dipkg.server.provenance.cache import (
    ARTICLE_FIELDS,
    DOMAIN,
    INVERSE_OF,
    RANGE,
    SUBCLASS_OF,
    SUBPROPERTY_OF,
    TRANSITIVE,
    Axioms,
)
from dipkg.server.provenance.derive import Fact, Unit
from dipkg.server.provenance.shape import CONDITIONAL, Shape
from dipkg.server.provenance.terms import (
    INFERRED,
    MAX_PREMISE_DEPTH,
    ONTOLOGY,
    PREFIXES,
    PROV_DERIVED,
    RDF_TYPE,
    RULES,
    Binding,
    Branch,
    Context,
    Json,
    Triple,
    _uri,
    nt_triple,
    sparql_term,
)
from dipkg.server.worker import Term

# --- where each triple is, and its spans ------------------------------------------------------
#: The routes from a triple in an article graph to its spans, most specific first: the
#: ``rdf:Statement`` that reifies it, the fact node that is its subject, the one that is its
#: object (``?territory dip:hasName ?name``), a span's own triples.
_ROUTES = """{ ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?span . BIND(1 AS ?rank) }
    UNION { ?s prov:wasDerivedFrom ?span . BIND(2 AS ?rank) }
    UNION { ?o prov:wasDerivedFrom ?span . BIND(3 AS ?rank) }
    UNION { ?s nif:referenceContext ?context . BIND(?s AS ?span) BIND(4 AS ?rank) }"""
#: The lookup, in three branches of one query (:meth:`Evidence.fetch`): each triple's graphs
#: and the statements reifying it there; each node's spans and whether it is a span itself (routes
#: 2-4 depend on one node, and a fact's node is shared by all its triples: asked once, not once per
#: triple, this is three times faster than the routes per triple); and each pattern's matches (the
#: premises of inferred triples), as the triples; the pattern's known ends are asked as nodes,
#: which is all a match between two known ends needs (others get their nodes in :meth:`index`).
#: Each span comes with its sentence (per node and span, so each sentence is read about once).
_SENTENCE = "OPTIONAL { GRAPH ?sg { ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?text } }"
_TRIPLES = f"""GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ GRAPH ?g {{ ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?span }}
             {_SENTENCE} }}
  BIND(1 AS ?rank) BIND("triple" AS ?part)"""
_NODES = f"""GRAPH ?g {{ {{ ?n prov:wasDerivedFrom ?span . BIND(2 AS ?rank) }}
    UNION {{ ?n nif:referenceContext ?context . BIND(?n AS ?span) BIND(4 AS ?rank) }} }}
  {_SENTENCE}
  BIND("node" AS ?part)"""
_PATTERNS = _TRIPLES.replace('"triple" AS ?part', '"pattern" AS ?part')
Pattern3 = tuple[Term | None, Term | None, Term | None]   # a triple with unknown parts (None)


def _nameable(triple: Pattern3) -> bool:
    return all(x is None or sparql_term(x) is not None for x in triple)


class Evidence:
    """What one request has learnt about triples: the graphs holding each, their spans, the
    spans' sentences.  Each :meth:`fetch` asks one query (in VALUES chunks) for whatever is not
    known yet, so a triple met again — a premise that is also a solution's triple — costs nothing."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.graphs: dict[Triple, set[str]] = {}
        self.matches: dict[Pattern3, list[Triple]] = {}
        self.sentences: dict[str, Json] = {}
        self._direct: set[Triple] = set()                                    # triples asked for as such
        self._statements: dict[tuple[Triple, str], set[str]] = {}
        self._nodes: set[Term] = set()
        self._node_spans: dict[tuple[Term, str], set[str]] = {}
        self._span_nodes: set[tuple[Term, str]] = set()                      # (span, graph): a span itself

    def fetch(self, triples: Iterable[Triple], patterns: Iterable[Pattern3] = ()) -> None:
        """Look up the triples not known yet, and every triple matching each new pattern."""
        wanted = sorted({t for t in triples if t not in self._direct and _nameable(t)}, key=repr)
        open_ = sorted({p for p in patterns if p not in self.matches and _nameable(p)}, key=repr)
        ends = [x for t in [*wanted, *open_] for x in (t[0], t[2]) if x is not None and x[0] == "uri"]
        nodes = sorted(set(ends) - self._nodes, key=repr)
        if not wanted and not open_:
            return
        rows = self.ctx.select_branches(PREFIXES, [
            Branch(("s", "p", "o"), list(wanted), _TRIPLES),
            Branch(("n",), [[n] for n in nodes], _NODES),
            *(Branch(names, [[x for x in p if x is not None] for p in group], _PATTERNS)
              for names, group in _by_shape(open_).items()),
        ])
        self._direct.update(wanted)
        self._nodes.update(nodes)
        for triple in wanted:
            self.graphs.setdefault(triple, set())
        found: set[Triple] = set()
        for row in rows:
            graph, part = str(row["g"][1]), row["part"][1]
            if "b" in row:
                self.sentences[str(row["span"][1])] = _sentence(row)
            if part == "node":
                if row["rank"][1] == "4":
                    self._span_nodes.add((row["n"], graph))
                else:
                    self._node_spans.setdefault((row["n"], graph), set()).add(str(row["span"][1]))
                continue
            triple = (row["s"], row["p"], row["o"])
            self.graphs.setdefault(triple, set()).add(graph)
            if "span" in row:
                self._statements.setdefault((triple, graph), set()).add(str(row["span"][1]))
            if part == "pattern":
                found.add(triple)
        # a match whose ends were both asked as nodes (or are literals) is known as fully as a triple
        self._direct.update(t for t in found if all(x[0] == "literal" or x in self._nodes for x in (t[0], t[2])))
        # every triple matching a pattern came back (a row may have found it for another pattern):
        # the found triples indexed by the positions each pattern shape knows
        by_shape: dict[tuple[int, ...], dict[tuple[Term, ...], list[Triple]]] = {}
        for pattern in open_:
            known = tuple(i for i, x in enumerate(pattern) if x is not None)
            if known not in by_shape:
                index = by_shape[known] = {}
                for t in found:
                    index.setdefault(tuple(t[i] for i in known), []).append(t)
            key = tuple(x for x in pattern if x is not None)
            self.matches[pattern] = sorted(by_shape[known].get(key, []), key=repr)

    def holding(self, triple: Triple) -> set[str]:
        return self.graphs.get(triple, set())

    def spans(self, triple: Triple, graph: str) -> list[str]:
        """The spans of a triple in an article graph, by the most specific route that has any."""
        if triple[1] == _uri(PROV_DERIVED) and triple[2][0] == "uri":
            return [triple[2][1]]  # the triple that names a fact's span gives that span
        s, _, o = triple
        for spans in (self._statements.get((triple, graph)), self._node_spans.get((s, graph)),
                      self._node_spans.get((o, graph)), {s[1]} if (s, graph) in self._span_nodes else None):
            if spans:
                return sorted(spans)
        return []

    def index(self, pairs: set[tuple[Triple, str]]) -> SourceIndex:
        """The sources of these (triple, article graph) pairs: fetched already, but for premises
        that only a pattern found (one more lookup, for their spans); the articles come from the
        dataset's cache.  A span whose sentence was not read with it is asked for here."""
        index = SourceIndex()
        if not pairs:
            return index
        self.fetch(t for t, _ in pairs)  # premises found by a pattern: their spans
        index.spans = {pair: spans for pair in pairs if (spans := self.spans(*pair))}
        wanted = {s for spans in index.spans.values() for s in spans}
        _sentences(self.ctx, wanted - set(self.sentences), self.sentences)
        index.sentences = {s: self.sentences[s] for s in wanted if s in self.sentences}
        index.articles = cache.articles(self.ctx, {g for _, g in pairs})
        return index


def _by_shape(patterns: list[Pattern3]) -> dict[tuple[str, ...], list[Pattern3]]:
    """Patterns grouped by their known positions, each group a VALUES block over just those: a
    VALUES row with UNDEF makes pyoxigraph scan every quad and join after, not look the row up."""
    out: dict[tuple[str, ...], list[Pattern3]] = {}
    for pattern in patterns:
        names = tuple(n for n, x in zip(("s", "p", "o"), pattern, strict=True) if x is not None)
        out.setdefault(names, []).append(pattern)
    return out


def _sentence(row: Binding) -> Json:
    return {"span": row["span"][1], "text": row["text"][1], "begin": int(row["b"][1]), "end": int(row["e"][1])}


def _sentences(ctx: Context, spans: set[str], into: dict[str, Json]) -> None:
    _, rows = ctx.select_values(_SENTENCES, ["span"], [[_uri(s)] for s in sorted(spans)])
    for row in rows:
        into[row["span"][1]] = _sentence(row)


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


#: What :func:`_rules` gives: a rule, its axiom, and the premises as triples or as patterns whose
#: matches are the premises (``None`` marks the unknown node; two patterns: a transitive chain).
Rule = tuple[str, Triple, tuple[Pattern3, ...]]
Candidates = dict[tuple[str, Triple, tuple[Triple, ...]], list[set[str]]]


def _rules(axioms: Axioms, triple: Triple) -> Iterator[Rule]:
    """The rules that could have inferred ``triple``, from the ontology's axioms (cached): each
    with its axiom and the premises it needs.  The same rules as the OWL-RL closure applies."""
    s, p, o = triple
    for a, b in axioms.inverse:
        if a == p:
            yield "owl:inverseOf", (a, _uri(INVERSE_OF), b), ((o, b, s),)
    for a, b in axioms.inverse:
        if b == p:
            yield "owl:inverseOf", (a, _uri(INVERSE_OF), p), ((o, a, s),)
    for q in axioms.sub_property.get(p, []):
        yield "rdfs:subPropertyOf", (q, _uri(SUBPROPERTY_OF), p), ((s, q, o),)
    if p == _uri(RDF_TYPE):
        for c in axioms.sub_class.get(o, []):
            yield "rdfs:subClassOf", (c, _uri(SUBCLASS_OF), o), ((s, p, c),)
        for q in axioms.domain.get(o, []):
            yield "rdfs:domain", (q, _uri(DOMAIN), o), ((s, q, None),)
        for q in axioms.range.get(o, []):
            yield "rdfs:range", (q, _uri(RANGE), o), ((None, q, s),)
    if p in axioms.transitive:
        yield "owl:TransitiveProperty", (p, _uri(RDF_TYPE), _uri(TRANSITIVE)), ((s, p, None), (None, p, o))


def explain(ctx: Context, evidence: Evidence, inferred: set[Triple]) -> dict[Triple, Explanation | None]:
    """The best explanation of each inferred triple, and of its inferred premises, a few levels
    deep: per level, one lookup of what the rules' premises could be (see :func:`_covering`)."""
    axioms = cache.axioms(ctx, ONTOLOGY)
    out: dict[Triple, Explanation | None] = {}
    todo = {t for t in inferred if _nameable(t)}
    for _ in range(MAX_PREMISE_DEPTH):
        if not todo:
            break
        rules = {t: list(_rules(axioms, t)) for t in todo}
        evidence.fetch((), {_covering(part) for found in rules.values() for _, _, parts in found for part in parts})
        for triple in todo:
            out[triple] = _best(_candidates(rules[triple], evidence), set(out) | {triple})
        todo = {p for e in out.values() if e for p, graphs in e.premises if graphs == {INFERRED}} - set(out)
    return out


def _covering(part: Pattern3) -> Pattern3:
    """The pattern whose matches include a rule's premise: for a plain premise, every triple
    between its two ends (``s ?p o`` holds the premises of ``owl:inverseOf`` and of every
    sub-property at once) or every type of its subject; a pattern is its own."""
    s, p, o = part
    if s is None or o is None:
        return part
    return (s, p, None) if p == _uri(RDF_TYPE) else (s, None, o)


def _candidates(rules: list[Rule], evidence: Evidence) -> Candidates:
    """Each rule's premises that hold, with the graphs holding each: (rule, axiom, premises) -> graphs."""
    out: Candidates = {}
    for rule, axiom, parts in rules:
        premises: list[tuple[Triple, ...]]
        if len(parts) == 2:  # a transitive chain (s p y) (y p o) through a third node y
            s, o = parts[0][0], parts[1][2]
            firsts = {t[2]: t for t in evidence.matches.get(parts[0], [])}
            premises = [(firsts[t[0]], t) for t in evidence.matches.get(parts[1], [])
                        if t[0] in firsts and t[0] != s and t[0] != o]
        elif None in parts[0]:
            premises = [(t,) for t in evidence.matches.get(parts[0], [])]
        else:
            premises = [(cast("Triple", parts[0]),)]
        for chain in premises:
            graphs = [set(evidence.holding(t)) for t in chain]
            if all(graphs):
                out[(rule, axiom, chain)] = graphs
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
_SPANS = PREFIXES + f"""SELECT ?s ?p ?o ?g ?rank ?span WHERE {{
  VALUES %VALUES%
  GRAPH ?g {{ {_ROUTES} }}
}}"""
_SENTENCES = PREFIXES + """SELECT DISTINCT ?span ?b ?e ?text WHERE {
  VALUES %VALUES%
  GRAPH ?g { ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?text }
}"""


@dataclass
class SourceIndex:
    """Spans of (triple, article graph) pairs, the spans' sentences, and the articles' metadata."""

    spans: dict[tuple[Triple, str], list[str]] = field(default_factory=dict)
    sentences: dict[str, Json] = field(default_factory=dict)
    articles: dict[str, Json] = field(default_factory=dict)

    @classmethod
    def load(cls, ctx: Context, pairs: set[tuple[Triple, str]]) -> SourceIndex:
        """The sources of (triple, graph) pairs whose triple need not be in that graph as such
        (a resource's reified statements): two queries, spans and then their sentences."""
        index = cls()
        if not pairs:
            return index
        index.spans = _spans(ctx, pairs)
        _sentences(ctx, {s for found in index.spans.values() for s in found}, index.sentences)
        index.articles = cache.articles(ctx, {g for _, g in pairs})
        return index

    def source(self, article: str, triples: Iterable[Triple]) -> Json:
        """One article as a source: its metadata, the sentences that state ``triples``, the triples."""
        listed = list(dict.fromkeys(triples))
        spans = {s for t in listed for s in self.spans.get((t, article), [])}
        sentences = sorted((self.sentences[s] for s in spans if s in self.sentences),
                           key=lambda x: (x["begin"], x["end"], x["span"]))
        meta = self.articles.get(article, dict.fromkeys(ARTICLE_FIELDS))
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
