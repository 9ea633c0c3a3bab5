"""Shared terms and constants of provenance, and its calls to the query engine."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.term import BNode, Literal, URIRef, Variable

from dipkg.graph.namespace import DIP_IRI, ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from dipkg.server.engine import Boolean, QueryError, QueryRequest, Solutions
from dipkg.server.serializers import nt_term
from dipkg.server.worker import Term

if TYPE_CHECKING:
    from dipkg.server.app import Service

log = logging.getLogger("dipkg.provenance")

#: Solutions traced per answer; the rest get a "not traced" entry saying so.
MAX_SOLUTIONS = 500
#: Full bindings traced per solution (an aggregate row can stand for many).
MAX_DERIVATIONS = 50
#: Witnesses of a property path kept per pair of endpoints.
MAX_WITNESSES = 3
#: Levels of premises followed under an inferred triple.
MAX_PREMISE_DEPTH = 4

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = RDF + "langString"
RDF_TYPE = RDF + "type"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
DCT = "http://purl.org/dc/terms/"
ENTITIES, INFERRED, ONTOLOGY = str(ENTITY_GRAPH), str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH)
REGISTRY_SOURCES = {ENTITIES: "entity registry", ONTOLOGY: "ontology"}
#: A derivation rule's rank: the simplest explanation of an inferred triple is preferred.
RULES = ("owl:inverseOf", "rdfs:subPropertyOf", "rdfs:subClassOf", "rdfs:domain", "rdfs:range",
         "owl:TransitiveProperty")
PREFIXES = (f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"
            f"PREFIX prov: <http://www.w3.org/ns/prov#>\nPREFIX nif: <{NIF}>\nPREFIX dct: <{DCT}>\n"
            f"PREFIX dip: <{DIP_IRI}>\n")

Binding = dict[str, Term]
Triple = tuple[Term, Term, Term]
Slot = Term | Variable          # a position of a pattern: a term, or a variable
Json = dict[str, Any]

_PARSE_LOCK = threading.Lock()  # rdflib's pyparsing grammar is shared module state


class Unanalysable(Exception):
    """The query is beyond what provenance can analyse (the answer itself is not affected)."""


def _uri(iri: str) -> Term:
    return ("uri", iri)



# --- terms ------------------------------------------------------------------------------------
def sparql_term(term: Term) -> str | None:
    """A term as SPARQL writes it, or None for what a query cannot name (blank nodes, triples)."""
    return nt_term(term) if term[0] in ("uri", "literal") else None


def nt_triple(triple: Sequence[Term]) -> list[str]:
    return [nt_term(t) for t in triple]


def _slot(node: object) -> Slot:
    """An algebra node as a pattern slot; a blank node is a variable nobody projects."""
    if isinstance(node, Variable):
        return node
    if isinstance(node, BNode):
        return Variable("_prov_b_" + re.sub(r"\W", "_", str(node)))
    if isinstance(node, URIRef):
        return _uri(str(node))
    if isinstance(node, Literal):
        lang = node.language.lower() if node.language else None
        datatype = str(node.datatype) if node.datatype else (RDF_LANG_STRING if lang else XSD_STRING)
        return ("literal", str(node), datatype, lang)
    raise Unanalysable(f"unsupported term in a pattern: {node!r}")


@dataclass(frozen=True)
class OpaquePath:
    """A path rdflib parses without its IRIs (the inverse members of a negated set, ``!(^p)``)."""

    text: str


Predicate = Slot | Path | OpaquePath


def _predicate(node: object) -> Predicate:
    if not isinstance(node, Path):
        return _slot(node)
    try:
        render_path(node)
    except Unanalysable:
        if isinstance(node, NegatedPath):
            return OpaquePath("!(" + "|".join(render_path(a) if isinstance(a, URIRef | InvPath) else "^<?>"
                                              for a in node.args) + ")")
        return OpaquePath(str(node))
    return node


def render_path(path: Path | URIRef) -> str:
    """A property path in SPARQL syntax with full IRIs (rdflib's n3() loses needed brackets)."""
    def atom(part: Path | URIRef) -> str:
        return render_path(part) if isinstance(part, URIRef) else f"({render_path(part)})"

    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, InvPath):
        return "^" + atom(path.arg)
    if isinstance(path, SequencePath):
        return "/".join(atom(a) for a in path.args)
    if isinstance(path, AlternativePath):
        return "|".join(atom(a) for a in path.args)
    if isinstance(path, MulPath):
        return atom(path.path) + path.mod
    if isinstance(path, NegatedPath):
        return "!(" + "|".join(render_path(a) for a in path.args) + ")"
    raise Unanalysable(f"unsupported property path {path!r}")


def _slot_text(slot: Predicate) -> str:
    """A slot in a query we write (a path, a variable or a term)."""
    if isinstance(slot, OpaquePath):
        raise Unanalysable(f"rdflib cannot read the path {slot.text}")
    if isinstance(slot, Path):
        return render_path(slot)
    if isinstance(slot, Variable):
        return f"?{slot}"
    text = sparql_term(slot)
    if text is None:
        raise Unanalysable(f"a pattern names a term a query cannot name: {slot!r}")
    return text


def _show(slot: Predicate | None) -> str:
    """A slot for the output: N-Triples for terms, ``?v`` for variables, SPARQL for paths."""
    if slot is None:
        return ""
    if isinstance(slot, OpaquePath):
        return slot.text
    if isinstance(slot, Path):
        return render_path(slot)
    if isinstance(slot, Variable):
        return f"?{slot}"
    return nt_term(slot)


# --- calling the engine -----------------------------------------------------------------------
@dataclass
class Context:
    """What one provenance request runs on: the service, and the user's request for its dataset."""

    service: Service
    request: QueryRequest = field(default_factory=lambda: QueryRequest(""))

    @property
    def article_graphs(self) -> set[str]:
        return set(self.service.dataset.article_graphs)

    def default_graphs(self) -> set[str] | None:
        """The named graphs the user's default graph is made of (None: all of them)."""
        if self.request.default_graph_uris:
            return set(self.request.default_graph_uris)
        options = self.service.dataset.query_options(self.request.include_inferred)
        if "default_graph" in options:
            return {g.value for g in options["default_graph"]}
        return None

    def execute(self, query: str, users_dataset: bool = False) -> Solutions | Boolean:
        """Run a query of ours: on the user's dataset (patterns of their query) or the service's."""
        request = replace(self.request, query=query, max_rows=None) if users_dataset else QueryRequest(query)
        result = self.service.engine.execute(request)
        if isinstance(result, Solutions | Boolean):
            return result
        raise QueryError("internal provenance query returned a graph")

    def select(self, query: str, users_dataset: bool = False) -> tuple[list[str], list[Binding]]:
        result = self.execute(query, users_dataset)
        if not isinstance(result, Solutions):
            raise QueryError("internal provenance query returned a boolean")
        rows = [{v: t for v, t in zip(result.variables, row, strict=True) if t is not None} for row in result.rows]
        return result.variables, rows

    def select_values(self, template: str, names: Sequence[str], rows: Iterable[Sequence[Term | None]],
                      users_dataset: bool = False) -> tuple[list[str], list[Binding]]:
        """``template`` with ``%VALUES%`` replaced by a VALUES block over ``rows``, in as many
        queries as the service's query size limit needs; the answers concatenated."""
        lines = sorted({"(" + " ".join(_value(t) for t in row) + ")" for row in rows})
        if not lines:
            return [], []
        head = "(" + " ".join(f"?{n}" for n in names) + ")"
        budget = max(1024, self.service.settings.max_query_bytes - len(template.encode()) - len(head) - 64)
        variables: list[str] = []
        out: list[Binding] = []
        for chunk in _chunks(lines, budget):
            variables, rows_ = self.select(template.replace("%VALUES%", f"{head} {{\n{chunk}\n}}"), users_dataset)
            out.extend(rows_)
        return variables, out


def _value(term: Term | None) -> str:
    text = sparql_term(term) if term is not None else None
    return text if text is not None else "UNDEF"


def _chunks(lines: list[str], budget: int) -> Iterator[str]:
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line.encode()) + 1 > budget:
            yield "\n".join(chunk)
            chunk, size = [], 0
        chunk.append(line)
        size += len(line.encode()) + 1
    if chunk:
        yield "\n".join(chunk)
