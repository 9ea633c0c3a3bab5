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
    from dipkg.server.dataset import ServedDataset

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
#: Namespaces written as prefixed names in the VALUES rows of the queries provenance sends: the
#: rows are most of each query's text, and every byte of it is screened, sent and parsed again.
#: The prefix labels are ones a user's query is unlikely to declare; a template that declares one
#: of them keeps that namespace in full (see :func:`_compact_prefixes`).
VALUE_NAMESPACES = (
    ("dipkgpvi", "https://w3id.org/dipkg/id/"),
    ("dipkgpvo", DIP_IRI),
    ("dipkgpvg", "https://w3id.org/dipkg/graph/"),
    ("dipkgpvr", RDF),
    ("dipkgpvs", RDFS),
    ("dipkgpvx", "http://www.w3.org/2001/XMLSchema#"),
    ("dipkgpvp", "http://www.w3.org/ns/prov#"),
    ("dipkgpvn", NIF),
    ("dipkgpvw", OWL),
    ("dipkgpvd", "http://www.wikidata.org/entity/"),
)
#: A local name that needs no escaping in a prefixed name (PN_LOCAL without its rarer characters).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


@dataclass
class Context:
    """What one provenance request runs on: the service, and the user's request for its dataset.

    The dataset is the one the request started with (a reload swaps ``service.dataset``; one
    request's lookups stay on one version of its article graphs and caches)."""

    service: Service
    request: QueryRequest = field(default_factory=lambda: QueryRequest(""))
    dataset: ServedDataset = field(init=False)
    article_graphs: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.dataset = self.service.dataset
        self.article_graphs = frozenset(self.dataset.article_graphs)

    def default_graphs(self) -> set[str] | None:
        """The named graphs the user's default graph is made of (None: all of them)."""
        if self.request.default_graph_uris:
            return set(self.request.default_graph_uris)
        options = self.dataset.query_options(self.request.include_inferred)
        if "default_graph" in options:
            return {g.value for g in options["default_graph"]}
        return None

    def execute(self, query: str, users_dataset: bool = False) -> Solutions | Boolean:
        """Run a query of ours: on the user's dataset (patterns of their query) or the service's."""
        # one time budget for the user's whole request (``QueryRequest.deadline``)
        request = replace(self.request, query=query, max_rows=None) if users_dataset else QueryRequest(
            query, timeout=self.request.timeout, deadline=self.request.deadline, client=self.request.client)
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
        queries as the service's query size limit needs; the answers concatenated.  IRIs in the
        rows are written as prefixed names where they can be (declared before the template)."""
        prefixes = _compact_prefixes(template)
        lines = sorted({"(" + " ".join(_value(t, prefixes) for t in row) + ")" for row in rows})
        if not lines:
            return [], []
        template = _declare(prefixes, lines) + template
        head = "(" + " ".join(f"?{n}" for n in names) + ")"
        budget = max(1024, self.service.settings.max_query_bytes - len(template.encode()) - len(head) - 64)
        variables: list[str] = []
        out: list[Binding] = []
        for chunk in _chunks(lines, budget):
            variables, rows_ = self.select(template.replace("%VALUES%", f"{head} {{\n{chunk}\n}}"), users_dataset)
            out.extend(rows_)
        return variables, out

    def select_branches(self, prologue: str, branches: Sequence[Branch], users_dataset: bool = False) -> list[Binding]:
        """One query for several lookups, each its own VALUES block joined with its own pattern
        (``{ VALUES … body } UNION { VALUES … body } …``), split into as many queries as the
        service's query size limit needs; the answers concatenated.  An empty branch is left out."""
        prefixes = _compact_prefixes(prologue + "".join(b.body for b in branches))
        parts = [(b, sorted({"(" + " ".join(_value(t, prefixes) for t in row) + ")" for row in b.rows}))
                 for b in branches]
        declared = _declare(prefixes, [line for _, lines in parts for line in lines]) + prologue
        fixed = len(declared.encode()) + 32 + sum(len(b.body.encode()) + 64 for b in branches)
        budget = max(1024, self.service.settings.max_query_bytes - fixed)
        queries: list[list[str]] = []
        current: list[str] = []
        for branch, lines in parts:
            head = "(" + " ".join(f"?{n}" for n in branch.names) + ")"
            for chunk in _chunks(lines, budget):
                used = sum(len(c.encode()) for c in current)
                if current and used + len(chunk.encode()) > budget:
                    queries.append(current)
                    current = []
                current.append(f"{{ VALUES {head} {{\n{chunk}\n}}\n{branch.body} }}")
        if current:
            queries.append(current)
        out: list[Binding] = []
        for union in queries:
            _, rows = self.select(f"{declared}SELECT * WHERE {{\n" + "\nUNION ".join(union) + "\n}", users_dataset)
            out.extend(rows)
        return out


@dataclass(frozen=True)
class Branch:
    """One lookup of :meth:`Context.select_branches`: the VALUES variables, their rows, the pattern."""

    names: tuple[str, ...]
    rows: list[Sequence[Term | None]]
    body: str


def _declare(prefixes: Sequence[tuple[str, str]], lines: Sequence[str]) -> str:
    """PREFIX declarations for the labels the rows use (each declaration is screened and parsed too)."""
    text = "\n".join(lines)
    return "".join(f"PREFIX {label}: <{ns}>\n" for label, ns in prefixes
                   if f"({label}:" in text or f" {label}:" in text or f"^^{label}:" in text)


def _compact_prefixes(template: str) -> list[tuple[str, str]]:
    """The namespaces of :data:`VALUE_NAMESPACES` whose label the template does not use itself
    (a user's prologue could declare one: it would then mean what the user says)."""
    lowered = template.lower()
    return [(label, ns) for label, ns in VALUE_NAMESPACES if label not in lowered]


def _value(term: Term | None, prefixes: Sequence[tuple[str, str]] = ()) -> str:
    if term is not None and term[0] == "uri":
        return _iri_text(term[1], prefixes)
    if term is not None and term[0] == "literal" and not term[3] and term[2] not in (None, XSD_STRING):
        text = nt_term(("literal", term[1], XSD_STRING, None))
        return f"{text}^^{_iri_text(str(term[2]), prefixes)}"
    found = sparql_term(term) if term is not None else None
    return found if found is not None else "UNDEF"


def _iri_text(iri: str, prefixes: Sequence[tuple[str, str]]) -> str:
    """An IRI as a prefixed name when a namespace fits and the rest is a plain local name."""
    for label, ns in prefixes:
        if iri.startswith(ns) and _PLAIN_LOCAL.fullmatch(iri, len(ns)):
            return f"{label}:{iri[len(ns):]}"
    return nt_term(("uri", iri))


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
