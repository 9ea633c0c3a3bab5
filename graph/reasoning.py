"""Stage 6: the OWL-RL closure, kept apart from what the articles state.

The build computes it with ``infer``: a forward chainer over exactly the OWL-RL rules that our
ontology's axioms can fire (subclass and subproperty hierarchies, equivalences, inverses,
symmetric and transitive properties, domains and ranges, functional and inverse-functional
properties, ``owl:oneOf`` enumerations, and ``owl:sameAs`` with its replacement rules).  It is
worklist-driven with indexes, so each new triple is joined only with the triples it can combine
with: linear in the data for our axioms, where owlrl re-applies every rule to the whole graph
until nothing changes (about 2.5 s per 1,000 asserted triples, measured).  owlrl stays the
reference semantics: ``infer_owlrl`` computes the same filtered graph with owlrl, and a test
asserts the two are equal.

owlrl expands a graph in place and adds much that nobody wants to query: ``x owl:sameAs x``
for every resource, ``owl:Thing`` types, triples with literal subjects, TBox bookkeeping, and
a copy of every triple about an entity onto each Wikidata IRI it is ``owl:sameAs`` (half of
what it adds, measured on this corpus).  Only new triples *about our own resources* are kept,
in the separate inferred graph, never in an article graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from dipkg.graph.namespace import ID_IRI

_WIKIDATA = ("http://www.wikidata.org/",)
_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}


def _keep(s: object, p: object, o: object) -> bool:
    if not isinstance(s, URIRef) or not str(s).startswith(ID_IRI):
        return False  # literal subjects, TBox and external terms
    if isinstance(o, BNode) or (isinstance(o, URIRef) and str(o).startswith(_WIKIDATA)):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if p == RDF.type and o in _NOISE_TYPES:
        return False
    return not (isinstance(o, Literal) and p == RDF.type)


def infer_owlrl(asserted: Graph) -> Graph:
    """The reference: the triples owlrl's OWL-RL closure adds to ``asserted``, filtered."""
    closure = Graph()
    for s, p, o in asserted:
        # A link to Wikidata only makes owlrl copy every triple about the entity onto the
        # Wikidata IRI, all of which ``_keep`` drops: leaving the links out gives the same kept
        # triples, and with hundreds of linked entities it is most of the closure's time.
        if p == OWL.sameAs and isinstance(o, URIRef) and str(o).startswith(_WIKIDATA):
            continue
        closure.add((s, p, o))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) not in asserted and _keep(s, p, o):
            inferred.add((s, p, o))
    return inferred


Triple = tuple[Node, Node, Node]


def _closure(edges: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
    """Every node's strict ancestors along ``edges`` (child -> parents), cycles allowed."""
    result: dict[Node, set[Node]] = {}
    for start in edges:
        seen: set[Node] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        seen.discard(start)
        result[start] = seen
    return result


class _Axioms:
    """The schema part of the graph, read once: what each class and property entails."""

    def __init__(self, graph: Graph) -> None:
        sub_class: dict[Node, set[Node]] = defaultdict(set)
        sub_property: dict[Node, set[Node]] = defaultdict(set)
        for c, _, d in graph.triples((None, RDFS.subClassOf, None)):
            sub_class[c].add(d)
        for c, _, d in graph.triples((None, OWL.equivalentClass, None)):
            sub_class[c].add(d)
            sub_class[d].add(c)
        for union, _, members in graph.triples((None, OWL.unionOf, None)):
            for member in Collection(graph, members):
                sub_class[member].add(union)
        for p, _, q in graph.triples((None, RDFS.subPropertyOf, None)):
            sub_property[p].add(q)
        for p, _, q in graph.triples((None, OWL.equivalentProperty, None)):
            sub_property[p].add(q)
            sub_property[q].add(p)
        self.supers = _closure(sub_class)
        self.super_properties = _closure(sub_property)
        self.inverses: dict[Node, set[Node]] = defaultdict(set)
        for p, _, q in graph.triples((None, OWL.inverseOf, None)):
            self.inverses[p].add(q)
            self.inverses[q].add(p)
        self.domains: dict[Node, set[Node]] = defaultdict(set)
        for p, _, c in graph.triples((None, RDFS.domain, None)):
            self.domains[p].add(c)
        self.ranges: dict[Node, set[Node]] = defaultdict(set)
        for p, _, c in graph.triples((None, RDFS.range, None)):
            self.ranges[p].add(c)
        self.symmetric = set(graph.subjects(RDF.type, OWL.SymmetricProperty))
        self.transitive = set(graph.subjects(RDF.type, OWL.TransitiveProperty))
        self.functional = set(graph.subjects(RDF.type, OWL.FunctionalProperty))
        self.inverse_functional = set(graph.subjects(RDF.type, OWL.InverseFunctionalProperty))
        self.enumerations = [(c, list(Collection(graph, members)))
                             for c, _, members in graph.triples((None, OWL.oneOf, None))]


class _Chainer:
    """Forward chaining to a fixpoint: each triple, when first seen, is joined through the
    indexes with what is already known; whatever that yields is seen in its turn."""

    def __init__(self, axioms: _Axioms) -> None:
        self.axioms = axioms
        self.known: set[Triple] = set()
        self.by_sp: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_po: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_s: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self.by_o: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self.by_p: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self.queue: list[Triple] = []

    def add(self, triple: Triple) -> None:
        if triple in self.known:
            return
        s, p, o = triple
        self.known.add(triple)
        self.by_sp[(s, p)].add(o)
        self.by_po[(p, o)].add(s)
        self.by_s[s].add((p, o))
        self.by_o[o].add((s, p))
        self.by_p[p].add((s, o))
        self.queue.append(triple)

    def seed(self, triples: Iterable[Triple]) -> None:
        """Know ``triples`` as already closed: indexed for the joins of new triples, but not
        joined among themselves again."""
        for triple in triples:
            if triple not in self.known:
                self.add(triple)
        self.queue.clear()

    def run(self, triples: Iterable[Triple]) -> None:
        for triple in triples:
            self.add(triple)
        for c, members in self.axioms.enumerations:  # cls-oo
            for member in members:
                self.add((member, RDF.type, c))
        while self.queue:
            for consequence in self.consequences(*self.queue.pop()):
                self.add(consequence)

    def consequences(self, s: Node, p: Node, o: Node) -> Iterator[Triple]:
        ax = self.axioms
        if p == RDF.type:  # cax-sco, cax-eqc
            for d in ax.supers.get(o, ()):
                yield s, RDF.type, d
        for q in ax.super_properties.get(p, ()):  # prp-spo1, prp-eqp
            yield s, q, o
        for q in ax.inverses.get(p, ()):  # prp-inv
            yield o, q, s
        if p in ax.symmetric:  # prp-symp
            yield o, p, s
        for c in ax.domains.get(p, ()):  # prp-dom
            yield s, RDF.type, c
        for c in ax.ranges.get(p, ()):  # prp-rng
            yield o, RDF.type, c
        if p in ax.transitive:  # prp-trp, both ways round
            for x in list(self.by_sp.get((o, p), ())):
                yield s, p, x
            for y in list(self.by_po.get((p, s), ())):
                yield y, p, o
        if p in ax.functional:  # prp-fp
            for other in list(self.by_sp.get((s, p), ())):
                if other != o:
                    yield o, OWL.sameAs, other
        if p in ax.inverse_functional:  # prp-ifp
            for other in list(self.by_po.get((p, o), ())):
                if other != s:
                    yield s, OWL.sameAs, other
        if p == OWL.sameAs and s != o:  # eq-sym, eq-trans, eq-rep-s/o/p
            yield o, OWL.sameAs, s
            for x in list(self.by_sp.get((o, OWL.sameAs), ())):
                yield s, OWL.sameAs, x
            for q, x in list(self.by_s.get(s, ())):
                yield o, q, x
            for y, q in list(self.by_o.get(s, ())):
                yield y, q, o
            for y, x in list(self.by_p.get(s, ())):
                yield y, o, x
        # a new triple about a node already known to be the same as another: eq-rep on it
        for twin in list(self.by_sp.get((s, OWL.sameAs), ())):
            if twin != s:
                yield twin, p, o
        for twin in list(self.by_sp.get((o, OWL.sameAs), ())):
            if twin != o:
                yield s, p, twin


def _new_and_kept(chainer: _Chainer, asserted: Graph | set[Triple]) -> Graph:
    """What the closure adds to ``asserted``, less what ``_keep`` filters out as noise."""
    inferred = Graph()
    for s, p, o in chainer.known:
        if (s, p, o) not in asserted and _keep(s, p, o):
            inferred.add((s, p, o))
    return inferred


def infer(asserted: Graph) -> Graph:
    """The triples OWL-RL adds to ``asserted`` (ontology + entities + articles), filtered —
    the same graph as ``infer_owlrl``, computed by forward chaining in time linear in the data."""
    chainer = _Chainer(_Axioms(asserted))
    chainer.run(asserted)
    return _new_and_kept(chainer, asserted)


def infer_more(schema: Graph, asserted: set[Triple], closed: Iterable[Triple], delta: Iterable[Triple]) -> Graph:
    """``infer(asserted)`` semi-naively, where ``closed`` (the asserted triples before the change
    and what was inferred from them) is already closed and ``delta`` is what the change added:
    only joins that involve a new triple are made, so adding an article costs in proportion to
    the article and what it touches, not to the corpus.  Additions only: a change that also
    takes triples away needs ``infer`` (a removed triple may have supported others)."""
    chainer = _Chainer(_Axioms(schema))
    chainer.seed(closed)
    chainer.run(delta)
    return _new_and_kept(chainer, asserted)
