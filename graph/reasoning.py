"""Stage 6: the OWL-RL closure, kept apart from what the articles state.

owlrl expands a graph in place and adds much that nobody wants to query: ``x owl:sameAs x``
for every resource, ``owl:Thing`` types, triples with literal subjects, TBox bookkeeping, and
a copy of every triple about an entity onto each Wikidata IRI it is ``owl:sameAs`` (half of
what it adds, measured on this corpus).  Only new triples *about our own resources* are kept,
in the separate inferred graph, never in an article graph.
"""

from __future__ import annotations

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graph.namespace import ID_IRI

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


def infer(asserted: Graph) -> Graph:
    """The triples OWL-RL adds to ``asserted`` (ontology + entities + articles), filtered."""
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
