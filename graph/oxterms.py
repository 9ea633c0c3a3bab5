"""rdflib terms as pyoxigraph terms, for the stages that hand a graph to pyoxigraph's fast
serializers and SPARQL engine (publishing, validation)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def ox_term(term: Node) -> OxTerm:
    """The same RDF term for pyoxigraph; literals keep their lexical form exactly."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def ox_triples(triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[ox.Triple]:
    for s, p, o in triples:
        yield ox.Triple(ox_term(s), ox_term(p), ox_term(o))  # type: ignore[arg-type]


def ox_quads(triples: Iterable[tuple[Node, Node, Node]], graph: Node | None = None) -> Iterator[ox.Quad]:
    name = ox_term(graph) if graph is not None else ox.DefaultGraph()
    for s, p, o in triples:
        yield ox.Quad(ox_term(s), ox_term(p), ox_term(o), name)  # type: ignore[arg-type]


def rdf_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple) -> Node:
    """The same term for rdflib (the way back, for the stages that read a published release):
    a blank node keeps its label, a literal its lexical form; ``xsd:string`` is a plain literal,
    as the build writes it."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term rdflib can hold here: {term!r}")
