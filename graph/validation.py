"""Stage 7: SHACL validation — an invalid graph is never published.

The shapes (``ontology/shapes.ttl``) say what a valid fact is: a meeting has two participants
and a status, every fact has a provenance span, every span's ``anchorOf`` is exactly the
article text between its offsets, and so on.  They run on the union of all graphs including
the superclasses of every asserted type, since class constraints rely on subclass reasoning (a
Leader is an Agent) — but not on the rest of the OWL-RL closure (see ``with_class_closure``).

pyshacl evaluates a SPARQL-based constraint once per focus node, which on this corpus means
about 1,500 SPARQL queries and a minute of work.  The SHACL core constraints therefore go to
pyshacl, and each SPARQL constraint runs *once* over the whole graph with ``$this`` free and
restricted to the shape's targets — the same results (the queries only use ``$this`` in
triple patterns).  Those queries run on pyoxigraph (the graph copied into an in-memory store),
not on rdflib's SPARQL engine, which took 6 s for them at 200 articles and grew faster than the
data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from dipkg.graph.oxterms import ox_quads
from dipkg.graph.resources import ontology_dir


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    text: str
    violations: int


def shapes_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return graph


def _prefixes(shapes: Graph, constraint: object) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):  # type: ignore[arg-type]
        for decl in shapes.objects(owner, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            namespace = shapes.value(decl, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines)


def _to_store(data: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox_quads(data))
    return store


def _sparql_violations(data: Graph, shapes: Graph) -> list[str]:
    messages: list[str] = []
    store = _to_store(data)
    for shape, _, constraint in shapes.triples((None, SH.sparql, None)):
        targets = [t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef)]
        if not targets:
            continue
        select = str(shapes.value(constraint, SH.select))
        values = " ".join(f"<{t}>" for t in targets)
        where = select.index("{") + 1
        query = (select[:where] + f"\n VALUES ?__class {{ {values} }} ?this a ?__class .\n"
                 + select[where:]).replace("$this", "?this")
        query = query.replace("SELECT ?this", "SELECT DISTINCT ?this", 1)
        template = str(shapes.value(constraint, SH.message) or "SPARQL constraint violated")
        solutions = store.query(_prefixes(shapes, constraint) + "\n" + query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            bound = {name: row[name] for name in names if row[name] is not None}
            text = template
            for name, value in bound.items():
                text = text.replace("{?" + name + "}", str(getattr(value, "value", value)))
            this = bound.get("this")
            messages.append(f"Focus node {getattr(this, 'value', this)}: {text}")
    return messages


def with_class_closure(asserted: Graph) -> Graph:
    """The asserted triples plus the superclasses of every asserted type (a Leader is a Person
    and an Agent).

    Validation runs on this rather than on the full OWL-RL closure: there, domain and range
    axioms would type every value as whatever a property expects (a city used as a meeting
    participant would become a ``dip:Agent``), and the shapes' class constraints could never
    fail.
    """
    supers: dict[object, set[object]] = {}
    for sub, _, sup in asserted.triples((None, RDFS.subClassOf, None)):
        supers.setdefault(sub, set()).add(sup)

    def ancestors(cls: object) -> set[object]:
        seen: set[object] = set()
        todo = [cls]
        while todo:
            for parent in supers.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    graph = Graph()
    for triple in asserted:
        graph.add(triple)
    for node, _, cls in asserted.triples((None, RDF.type, None)):
        for parent in ancestors(cls):
            if isinstance(parent, URIRef):
                graph.add((node, RDF.type, parent))
    return graph


def check(union: Graph) -> ValidationReport:
    shapes = shapes_graph()
    core = Graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    conforms, report_graph, text = validate(
        union, shacl_graph=core, inference="none", advanced=True, abort_on_first=False,
        allow_warnings=True,
    )
    violations = len(set(report_graph.subjects(SH.resultSeverity, SH.Violation)))
    sparql = _sparql_violations(union, shapes)
    if sparql:
        text = str(text) + "\nSPARQL constraints:\n" + "\n".join(sparql)
    return ValidationReport(bool(conforms) and not sparql, str(text), violations + len(sparql))


__all__ = ["RDF", "ValidationReport", "check", "shapes_graph"]
