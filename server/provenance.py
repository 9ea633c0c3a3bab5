"""Provenance, the reason this service exists: for every answer, the sentences it came from.

Two entry points:

* :func:`annotate` — what ``/sparql?provenance=true`` adds as the top-level ``"provenance"``
  member: one entry per solution of a SELECT, in the order of the rows.
* ``GET /provenance?iri=IRI`` (:func:`describe`) — every fact about one resource, with its sources.

How a solution is traced
------------------------
1. **Patterns.**  rdflib parses the query (with its own prefixes) into SPARQL algebra, from which
   the triple patterns are collected in *blocks*: the required part, each OPTIONAL, each UNION
   branch, each ``FILTER EXISTS``, each sub-select; every pattern keeps the GRAPH it is in.  MINUS
   and NOT EXISTS give nothing to trace: an absence has no source.
2. **Full bindings.**  A solution carries only the projected variables, so the WHERE clause is run
   again as ``SELECT *``, joined (VALUES) with the answer's rows: each row gets the full bindings
   that produced it (its *derivations*: an aggregate row has one per grouped solution).  Skipped
   when the projection already holds every pattern variable.
3. **Binding the patterns.**  In an OPTIONAL or UNION block whose variables are not all bound the
   solution did not come through it (the OPTIONAL failed, the other branch matched): it is
   skipped, not reported.  Variables a derivation cannot bind (inside EXISTS, blank nodes,
   sub-select internals) get a *witness* from one query per block (FILTERs inside EXISTS are not
   re-checked on the witness).  Property paths: a sequence gets its intermediate nodes from one
   query per path, an inverse swaps its ends, an alternative is traced through whichever branch
   holds, ``*``/``+``/``?`` through the single step when it holds; a longer ``*``/``+`` chain is
   reported as untraced (reason ``"path"``) with its endpoints.
4. **Where each triple is.**  Every concrete triple is looked up with ``GRAPH ?g`` (within the
   GRAPH its pattern named, or the graphs of the query's default graph).  An OPTIONAL, UNION or
   EXISTS block counts only if all its triples hold: when a solution binds both branches of a
   UNION, the branch whose triples do not hold is the one it did not come through.
5. **Sources.**  A triple in an article graph is traced to spans: those of the ``rdf:Statement``
   that reifies it, else those of the fact node that is its subject, else of the fact node that is
   its object (``?territory dip:hasName ?name``); a span's own triples give that span;
   ``?fact prov:wasDerivedFrom ?span`` gives that span; the article's metadata give the article.
   The entity graph is the entity registry, the ontology graph the ontology.  A triple found only
   in the inferred graph is *untraced* (reason ``"inferred"``), with the premises it follows from
   under the ontology's axioms (``owl:inverseOf``, ``rdfs:subPropertyOf``, ``rdfs:subClassOf``,
   ``rdfs:domain``, ``rdfs:range``, ``owl:TransitiveProperty``); premises are traced in turn (an
   inferred premise gets premises of its own, up to :data:`MAX_PREMISE_DEPTH` levels) and their
   sources join the solution's sources.

Every engine call is batched over all solutions (VALUES, split to stay under the query size
limit), so the number of calls depends on the query's shape, not on its number of rows; at most
:data:`MAX_SOLUTIONS` solutions and :data:`MAX_DERIVATIONS` derivations per solution are traced,
and what is left out says so.

Output, one object per solution
-------------------------------
::

    {"sources": [{"article": IRI, "title": str|null, "publisher": str|null, "issued": str|null,
                  "url": str|null, "file": str|null,
                  "sentences": [{"span": IRI, "text": str, "begin": int, "end": int}],  # text order
                  "triples": [[s, p, o], ...]}],      # the solution's triples this article states
     "registry": [{"triple": [s, p, o], "graph": IRI,
                   "source": "entity registry" | "ontology" | "named graph"}],
     "untraced": [{"triple": [s, p, o] | null, "reason": REASON, "message": str,
                   # for "inferred" only:
                   "rule": str|null, "axiom": [s, p, o]|null, "premises": [PREMISE, ...]}]}

Terms are N-Triples strings (``<iri>``, ``"text"@en``, ``"2016"^^<…#gYear>``); a path's predicate
is the path in SPARQL syntax.  ``begin``/``end`` are code-point offsets into the article, and
``text`` equals the article's text between them.  REASON is ``"inferred"``, ``"path"``,
``"not found"`` (a triple the solution needs that no graph holds), ``"blank node"`` (it cannot be
looked up by name) or ``"not traced"`` (``triple`` null: over a limit, the query could not be
analysed, or — for a query grouped by a variable it does not project — solutions that look alike
share their provenance).  ``rule`` is the axiom's kind (``"owl:inverseOf"``…), ``axiom`` the
ontology triple applied.  A PREMISE is ``{"triple", "graphs"}`` plus, when it is itself inferred,
``"rule"``, ``"axiom"`` and ``"premises"``; premises stated in an article or the registry also
appear under the solution's ``sources``/``registry``.

``describe`` (``/provenance?iri=``) answers ``{"iri", "label", "facts", "statements", "registry"}``:
each fact node the resource takes part in (``roles``: the linking properties, ``inverse`` when the
resource points at the fact, as a territory at its name) with its ``types``, its ``properties``
(SPARQL JSON terms with ``label``) and ``sources`` as above; each reified plain triple about it
(claims, control, membership) with its ``sources``; and its entity-registry / ontology triples.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.algebra import translateGroupGraphPattern, translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Literal, URIRef, Variable

from graph.namespace import DIP_IRI, ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from server.engine import Boolean, QueryError, QueryRequest, Solutions
from server.protocol import error_response, json_term, nt_term
from server.worker import Term

if TYPE_CHECKING:
    from server.app import Service

router = APIRouter()
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


# --- the query's patterns ---------------------------------------------------------------------
@dataclass(frozen=True)
class Pattern:
    s: Slot
    p: Predicate
    o: Slot
    graph: Slot | None

    def variables(self) -> set[str]:
        slots = (self.s, self.p, self.o, self.graph)
        return {str(v) for v in slots if isinstance(v, Variable)}


#: Blocks whose triples need not hold for every solution: they count when all their triples hold.
CONDITIONAL = ("optional", "union", "exists")


@dataclass
class Block:
    """Patterns that match together: the required part, an OPTIONAL, a UNION branch, an EXISTS."""

    kind: str                       # "required", "optional", "union", "exists", "subquery"
    parent: int | None
    outer: bool                     # its variables are the query's own (not inside EXISTS/sub-select)
    visible: frozenset[str] | None  # the outer variables it sees (a sub-select's projection); None: all
    patterns: list[Pattern] = field(default_factory=list)

    def sees(self, name: str) -> bool:
        return self.visible is None or name in self.visible


@dataclass
class Shape:
    """The blocks of a query, parents before children."""

    blocks: list[Block]
    group_by: list[str] = field(default_factory=list)  # the query's GROUP BY variables
    from_graphs: set[str] = field(default_factory=set)  # its FROM graphs: its default graph, if any

    def add(self, kind: str, parent: int | None, visible: frozenset[str] | None = None) -> int:
        up = self.blocks[parent] if parent is not None else None
        outer = up is None or (up.outer and kind in ("optional", "union"))
        seen = visible if visible is not None else (up.visible if up else None)
        self.blocks.append(Block(kind, parent, outer, seen))
        return len(self.blocks) - 1

    def variables(self) -> set[str]:
        """The variables of the query's own patterns (what ``SELECT *`` would give)."""
        return {v for b in self.blocks if b.outer for p in b.patterns for v in p.variables()
                if not v.startswith("_prov_")}


_PASS_THROUGH = {"SelectQuery", "Project", "Distinct", "Reduced", "Slice", "OrderBy", "Extend", "AggregateJoin"}


class _Walker:
    """Collects the triple patterns of an algebra tree into the blocks of a :class:`Shape`."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def walk(self, node: Any, block: int, graph: Slot | None) -> None:
        name = node.name
        if name == "BGP":
            self.shape.blocks[block].patterns += [Pattern(_slot(s), _predicate(p), _slot(o), graph)
                                                  for s, p, o in node.triples]
        elif name in ("Join", "Minus"):       # MINUS: its right side removes, it does not provide
            self.walk(node.p1, block, graph)
            if name == "Join":
                self.walk(node.p2, block, graph)
        elif name == "LeftJoin":
            self.walk(node.p1, block, graph)
            optional = self.shape.add("optional", block)
            self.walk(node.p2, optional, graph)
            self.exists(node.expr, optional, graph)
        elif name == "Union":
            for side in (node.p1, node.p2):
                self.walk(side, self.shape.add("union", block), graph)
        elif name == "Filter":
            self.walk(node.p, block, graph)
            self.exists(node.expr, block, graph)
        elif name == "Graph":
            self.walk(node.p, block, _slot(node.term))
        elif name == "ToMultiSet":
            if node.p.name != "values":
                self.walk(node.p, self.shape.add("subquery", block, _projection(node.p)), graph)
        elif name == "Group":
            if block == 0:
                self.shape.group_by = [str(v) for v in node.expr or [] if isinstance(v, Variable)]
            self.walk(node.p, block, graph)
        elif name in _PASS_THROUGH:
            self.walk(node.p, block, graph)
        elif name in ("GroupGraphPatternSub", "SubSelect"):  # an EXISTS pattern rdflib left untranslated
            self.walk(translateGroupGraphPattern(node), block, graph)
        elif name not in ("values", "ServiceGraphPattern"):
            raise Unanalysable(f"unsupported algebra node {name}")

    def exists(self, expr: Any, block: int, graph: Slot | None) -> None:
        """Each ``EXISTS {…}`` of a filter becomes a block of its own (NOT EXISTS, ``!EXISTS``: none)."""
        if isinstance(expr, CompValue):
            if expr.name == "Builtin_EXISTS":
                self.walk(expr.graph, self.shape.add("exists", block), graph)
            elif expr.name not in ("Builtin_NOTEXISTS", "UnaryNot"):
                for value in expr.values():
                    self.exists(value, block, graph)
        elif isinstance(expr, list):
            for item in expr:
                self.exists(item, block, graph)


def _projection(node: Any) -> frozenset[str] | None:
    while isinstance(node, CompValue):
        if node.name == "Project":
            return frozenset(str(v) for v in node.PV)
        node = node.p
    return None


def analyse(query: str) -> Shape:
    """The blocks of triple patterns of a SELECT query."""
    try:
        with _PARSE_LOCK:
            algebra = translateQuery(parseQuery(query)).algebra
    except Exception as err:  # rdflib raises parse errors of several kinds
        raise Unanalysable(f"rdflib could not parse the query ({type(err).__name__}: {err})") from None
    if algebra.name != "SelectQuery":
        raise Unanalysable("only SELECT queries have solutions to trace")
    shape = Shape([], from_graphs={str(d.default) for d in algebra.datasetClause or [] if d.default})
    _Walker(shape).walk(algebra, shape.add("required", None), None)
    return shape


# --- full bindings of each solution -------------------------------------------------------------
_MASKED = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                     r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|#[^\n]*" r"|<[^<>\"{}|^`\\\s]*>")


def _keyword(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w?$:]){name}\b", re.IGNORECASE)


def where_clause(query: str) -> tuple[str, str, str, str]:
    """A SELECT query cut at its WHERE clause: (prologue, dataset clauses + ``WHERE``, the group
    ``{…}``, a trailing VALUES clause or "").  Strings, comments and IRIs are masked first so that
    braces and keywords inside them do not count."""
    masked = _MASKED.sub(lambda m: " " * len(m.group()), query)
    select = _keyword("SELECT").search(masked)
    if select is None:
        raise Unanalysable("no SELECT clause found")
    depth, open_at = 0, -1
    for i in range(select.end(), len(masked)):
        if masked[i] in "()":
            depth += 1 if masked[i] == "(" else -1
        elif masked[i] == "{" and depth == 0:
            open_at = i
            break
    if open_at < 0:
        raise Unanalysable("no WHERE clause found")
    dataset = re.compile(r"(?<![\w?$:])(FROM|WHERE)\b", re.IGNORECASE).search(masked, select.end(), open_at)
    depth, close_at = 0, -1
    for i in range(open_at, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[i], 0)
        if depth == 0:
            close_at = i
            break
    if close_at < 0:
        raise Unanalysable("unbalanced braces in the WHERE clause")
    values = _keyword("VALUES").search(masked, close_at + 1)
    return (query[:select.start()], query[dataset.start() if dataset else open_at:open_at],
            query[open_at:close_at + 1], query[values.start():] if values else "")


@dataclass
class Derivations:
    """The full bindings behind each traced solution, the variables they can bind, notes per row."""

    per_row: list[list[Binding]]
    scope: set[str]
    notes: list[list[Json]]


def derivations(ctx: Context, result: Solutions, shape: Shape) -> Derivations:
    """Each solution's full bindings: its own row when it already binds every pattern variable,
    else those of the WHERE clause run again (:func:`rerun`) that agree with it."""
    rows = result.rows[:MAX_SOLUTIONS]
    pattern_vars = shape.variables()
    own = [{v: t for v, t in zip(result.variables, row, strict=True) if t is not None} for row in rows]
    if pattern_vars <= set(result.variables):
        return Derivations([[b] for b in own], set(result.variables), [[] for _ in rows])
    keys = [v for v in result.variables if v in pattern_vars]
    variables, index = rerun(ctx, keys, own)
    per_row, notes = [], []
    hidden = [v for v in shape.group_by if v not in result.variables]
    for b in own:
        found = index.get(tuple(b.get(k) for k in keys), [])
        per_row.append(found[:MAX_DERIVATIONS])
        groups = len({tuple(d.get(v) for v in hidden) for d in found}) if hidden else 1
        notes.append(_derivation_notes(len(found), groups, hidden))
    return Derivations(per_row, set(variables) | set(result.variables), notes)


def rerun(ctx: Context, keys: list[str], own: list[Binding]) -> tuple[list[str], dict[tuple[Term | None, ...],
                                                                                      list[Binding]]]:
    """The user's WHERE clause as ``SELECT *`` (same prologue, FROM and trailing VALUES), joined
    with the answer's values of ``keys``: its variables, and its solutions indexed by those values."""
    prologue, dataset, group, trailing = where_clause(ctx.request.query)
    if keys:
        query = f"{prologue}SELECT * {dataset}{{ {group}\nVALUES %VALUES% }}\n{trailing}"
        variables, full = ctx.select_values(query, keys, [[b.get(k) for k in keys] for b in own], users_dataset=True)
    else:
        variables, full = ctx.select(f"{prologue}SELECT * {dataset}{group}\n{trailing}", users_dataset=True)
    index: dict[tuple[Term | None, ...], list[Binding]] = {}
    seen: set[tuple[tuple[str, Term], ...]] = set()
    for binding in full:  # chunks of VALUES with UNDEF can give a solution twice
        frozen = tuple(sorted(binding.items()))
        if frozen not in seen:
            seen.add(frozen)
            index.setdefault(tuple(binding.get(k) for k in keys), []).append(binding)
    return variables, index


def _derivation_notes(found: int, groups: int, hidden: list[str]) -> list[Json]:
    """What a solution's provenance leaves out, or may have too much of."""
    notes = []
    if found == 0:
        notes.append(untraced(None, "not traced", "the WHERE clause run again did not give this solution back "
                                                  "(a non-deterministic function, or over the row limit)"))
    if found > MAX_DERIVATIONS:
        notes.append(untraced(None, "not traced", f"this solution stands for {found} solutions of the WHERE "
                                                  f"clause; the first {MAX_DERIVATIONS} are traced"))
    if groups > 1:
        names = ", ".join(f"?{v}" for v in hidden)
        notes.append(untraced(None, "not traced", f"the query groups by {names}, which the answer does not show: "
                                                  f"the provenance of {groups} groups that look like this solution "
                                                  "is given together"))
    return notes


def untraced(triple: Sequence[str] | None, reason: str, message: str) -> Json:
    return {"triple": list(triple) if triple is not None else None, "reason": reason, "message": message}


# --- binding the patterns of each derivation --------------------------------------------------
@dataclass(frozen=True)
class Fact:
    """A concrete triple a solution depends on, and the GRAPH its pattern named (None: default)."""

    triple: Triple
    graph: Term | None


@dataclass(frozen=True)
class PathUse:
    """A property path between two bound nodes."""

    s: Term
    path: Path
    o: Term
    graph: Term | None


@dataclass
class Unit:
    """One derivation of one solution, and what each block of the query needs from it."""

    row: int
    binding: Binding
    missing: set[int] = field(default_factory=set)      # blocks it did not come through
    facts: list[tuple[int, Fact]] = field(default_factory=list)
    paths: list[tuple[int, PathUse]] = field(default_factory=list)
    pending: dict[int, list[Pattern]] = field(default_factory=dict)  # waiting for a witness
    marks: list[tuple[int, Json]] = field(default_factory=list)


def _bound(slot: Slot | None, value: Callable[[str], Term | None]) -> Term | None:
    if slot is None or not isinstance(slot, Variable):
        return slot
    return value(str(slot))


def use(s: Term, p: Term | Path, o: Term, graph: Term | None) -> Fact | PathUse:
    """A bound pattern: a fact, or a path (``^p`` is the fact with its ends swapped)."""
    if isinstance(p, InvPath) and isinstance(p.arg, URIRef):
        return Fact((o, _uri(str(p.arg)), s), graph)
    if isinstance(p, Path):
        return PathUse(s, p, o, graph)
    return Fact((s, p, o), graph)


def bind_pattern(pattern: Pattern, value: Callable[[str], Term | None]) -> Fact | PathUse | None:
    if isinstance(pattern.p, OpaquePath):
        return None
    s, o = _bound(pattern.s, value), _bound(pattern.o, value)
    p = pattern.p if isinstance(pattern.p, Path) else _bound(pattern.p, value)
    graph = _bound(pattern.graph, value)
    if s is None or p is None or o is None or (pattern.graph is not None and graph is None):
        return None
    return use(s, p, o, graph)


def bind_units(shape: Shape, found: Derivations) -> list[Unit]:
    units = [Unit(row, binding) for row, bindings in enumerate(found.per_row) for binding in bindings]
    for unit in units:
        for index, block in enumerate(shape.blocks):
            _bind_block(unit, index, block, found.scope)
    return units


def _bind_block(unit: Unit, index: int, block: Block, scope: set[str]) -> None:
    """Bind one block's patterns: facts and paths, or patterns left for a witness; an OPTIONAL or
    UNION branch with an unbound variable of the query's own is one the solution did not take."""
    if block.parent is not None and block.parent in unit.missing:
        unit.missing.add(index)
        return

    def value(name: str) -> Term | None:
        return unit.binding.get(name) if block.sees(name) else None

    if block.kind in ("optional", "union") and any(
            v in scope and block.sees(v) and value(v) is None for p in block.patterns for v in p.variables()):
        unit.missing.add(index)
        return
    for pattern in block.patterns:
        if isinstance(pattern.p, OpaquePath):
            ends = [_show(_bound(pattern.s, value) or pattern.s), pattern.p.text,
                    _show(_bound(pattern.o, value) or pattern.o)]
            unit.marks.append((index, untraced(ends, "path", "rdflib reads this negated property set without "
                                                             "its inverse members; it is not traced")))
            continue
        bound = bind_pattern(pattern, value)
        if isinstance(bound, Fact):
            unit.facts.append((index, bound))
        elif isinstance(bound, PathUse):
            unit.paths.append((index, bound))
        else:
            unit.pending.setdefault(index, []).append(pattern)


def _not_found(unit: Unit, block: int, kind: str, triple: Sequence[str], why: str) -> None:
    """A need that does not hold: in a conditional block, the block was not taken; else report it."""
    if kind in CONDITIONAL:
        unit.missing.add(block)
    else:
        unit.marks.append((block, untraced(triple, "not found", why)))


# --- witnesses for variables a derivation does not bind -----------------------------------------
def resolve_pending(ctx: Context, shape: Shape, units: list[Unit]) -> None:
    """One query per block (and set of known variables) finds a witness for its unbound variables."""
    groups: dict[tuple[int, tuple[Pattern, ...], tuple[str, ...]], list[Unit]] = {}
    for unit in units:
        for block, waiting in unit.pending.items():
            if block not in unit.missing:
                names = sorted({v for p in waiting for v in p.variables()
                                if shape.blocks[block].sees(v) and v in unit.binding})
                groups.setdefault((block, tuple(waiting), tuple(names)), []).append(unit)
    for (block, patterns, known), members in groups.items():
        body = " ".join(_pattern_text(p) for p in patterns)
        if known:
            _, witnesses = ctx.select_values(f"SELECT * WHERE {{ VALUES %VALUES% {body} }}", known,
                                             [[u.binding[k] for k in known] for u in members], users_dataset=True)
        else:
            _, witnesses = ctx.select(f"SELECT * WHERE {{ {body} }} LIMIT 1", users_dataset=True)
        first: dict[tuple[Term, ...], Binding] = {}
        for w in sorted(witnesses, key=lambda b: repr(sorted(b.items()))):
            first.setdefault(tuple(w[k] for k in known), w)
        for unit in members:
            _apply_witness(unit, block, shape.blocks[block], list(patterns),
                           first.get(tuple(unit.binding[k] for k in known)))


def _pattern_text(pattern: Pattern) -> str:
    text = f"{_slot_text(pattern.s)} {_slot_text(pattern.p)} {_slot_text(pattern.o)} ."
    return f"GRAPH {_slot_text(pattern.graph)} {{ {text} }}" if pattern.graph is not None else text


def _apply_witness(unit: Unit, index: int, block: Block, patterns: list[Pattern], witness: Binding | None) -> None:
    if witness is None:
        for p in patterns:
            _not_found(unit, index, block.kind, [_show(p.s), _show(p.p), _show(p.o)],
                       "no triples match this pattern for this solution")
        return
    binding = {**{k: v for k, v in unit.binding.items() if block.sees(k)}, **witness}
    for pattern in patterns:
        bound = bind_pattern(pattern, binding.get)
        if isinstance(bound, Fact):
            unit.facts.append((index, bound))
        elif isinstance(bound, PathUse):
            unit.paths.append((index, bound))


# --- property paths ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One step of a compiled path, over the witness query's variables."""

    s: str
    p: Term | str                   # the predicate, or the variable holding it (negated sets)
    o: str
    guards: tuple[str, ...]         # bound only when the alternative branches it is in hold
    path: MulPath | None = None     # a */+/? part left whole: untraced unless `direct` is bound
    direct: str | None = None


class PathCompiler:
    """Turns a path into a group pattern whose solutions name every step it went through."""

    def __init__(self) -> None:
        self.count = 0
        self.steps: list[Step] = []

    def fresh(self) -> str:
        self.count += 1
        return f"_prov_{self.count}"

    def compile(self, path: Path | URIRef, s: str, o: str, guards: tuple[str, ...] = ()) -> str:
        if isinstance(path, URIRef):
            self.steps.append(Step(s, _uri(str(path)), o, guards))
            return f"?{s} <{path}> ?{o} ."
        if isinstance(path, InvPath):
            return self.compile(path.arg, o, s, guards)
        if isinstance(path, SequencePath):
            ends = [s, *(self.fresh() for _ in path.args[1:]), o]
            return " ".join(self.compile(a, ends[i], ends[i + 1], guards) for i, a in enumerate(path.args))
        if isinstance(path, AlternativePath):
            return " UNION ".join(self._branch(a, s, o, guards) for a in path.args)
        if isinstance(path, MulPath):
            return self._repeated(path, s, o, guards)
        if isinstance(path, NegatedPath):
            return self._negated(path, s, o, guards)
        raise Unanalysable(f"unsupported property path {path!r}")

    def _branch(self, path: Path | URIRef, s: str, o: str, guards: tuple[str, ...]) -> str:
        guard = self.fresh()
        return f"{{ {self.compile(path, s, o, (*guards, guard))} BIND(true AS ?{guard}) }}"

    def _repeated(self, path: MulPath, s: str, o: str, guards: tuple[str, ...]) -> str:
        """``p*``, ``p+``, ``p?``: kept whole; when ``p`` is one predicate, the single step is
        checked with an OPTIONAL so that a one-step match is traced."""
        text = f"?{s} {render_path(path)} ?{o} ."
        inner, start, end = path.path, s, o
        if isinstance(inner, InvPath):
            inner, start, end = inner.arg, o, s
        if not isinstance(inner, URIRef):
            self.steps.append(Step(s, "", o, guards, path))
            return text
        direct = self.fresh()
        self.steps.append(Step(start, _uri(str(inner)), end, (*guards, direct)))
        self.steps.append(Step(s, "", o, guards, path, direct))
        return f"{text} OPTIONAL {{ ?{start} <{inner}> ?{end} . BIND(true AS ?{direct}) }}"

    def _negated(self, path: NegatedPath, s: str, o: str, guards: tuple[str, ...]) -> str:
        forward = [a for a in path.args if isinstance(a, URIRef)]
        backward = [a.arg for a in path.args if isinstance(a, InvPath)]
        branches = []
        # !(a|b) only walks forward, !(^a) only backward, !(a|^b) both ways
        for excluded, start, end, wanted in ((forward, s, o, bool(forward) or not backward),
                                             (backward, o, s, bool(backward))):
            if wanted:
                predicate, guard = self.fresh(), self.fresh()
                self.steps.append(Step(start, predicate, end, (*guards, guard)))
                names = ", ".join(f"<{x}>" for x in excluded)
                where = f"FILTER(?{predicate} NOT IN ({names}))" if excluded else ""
                branches.append(f"{{ ?{start} ?{predicate} ?{end} . {where} BIND(true AS ?{guard}) }}")
        return " UNION ".join(branches)


def resolve_paths(ctx: Context, shape: Shape, units: list[Unit]) -> None:
    """One query per distinct path finds the steps between each pair of bound endpoints."""
    by_path: dict[tuple[str, bool], list[tuple[Unit, int, PathUse]]] = {}
    for unit in units:
        for block, path_use in unit.paths:
            by_path.setdefault((render_path(path_use.path), path_use.graph is not None), []).append(
                (unit, block, path_use))
    for (_, in_graph), uses in by_path.items():
        compiler = PathCompiler()
        body = compiler.compile(uses[0][2].path, "_prov_s", "_prov_o")
        names = ["_prov_s", "_prov_o", *(["_prov_g"] if in_graph else [])]
        if in_graph:
            body = f"GRAPH ?_prov_g {{ {body} }}"
        ends = [[u.s, u.o, *([u.graph] if in_graph else [])] for _, _, u in uses]
        _, rows = ctx.select_values(f"SELECT * WHERE {{ VALUES %VALUES% {body} }}", names, ends, users_dataset=True)
        witnesses: dict[tuple[Term | None, ...], list[Binding]] = {}
        for row in sorted(rows, key=lambda b: repr(sorted(b.items()))):
            witnesses.setdefault(tuple(row.get(n) for n in names), []).append(row)
        for (unit, block, path_use), key in zip(uses, ends, strict=True):
            _expand(unit, block, shape.blocks[block].kind, path_use, compiler.steps,
                    witnesses.get(tuple(key), [])[:MAX_WITNESSES])


def _expand(unit: Unit, block: int, kind: str, path_use: PathUse, steps: list[Step], witnesses: list[Binding]) -> None:
    shown = [nt_term(path_use.s), render_path(path_use.path), nt_term(path_use.o)]
    if not witnesses:
        _not_found(unit, block, kind, shown, "the path does not hold between these nodes")
        return
    for witness in witnesses:
        for step in steps:
            if not all(g in witness for g in step.guards):
                continue
            s, o = witness.get(step.s), witness.get(step.o)
            p = step.p if isinstance(step.p, tuple) else witness.get(step.p)
            if step.path is None and s is not None and p is not None and o is not None:
                unit.facts.append((block, Fact((s, p, o), path_use.graph)))
            elif step.path is not None and step.direct not in witness and not (s == o and step.path.mod in "*?"):
                unit.marks.append((block, untraced(
                    shown, "path", f"{render_path(step.path)} joins {_show(s)} to {_show(o)} in more than one "
                                   "step; the steps in between are not traced")))


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


# --- one solution's report ----------------------------------------------------------------------
class Report:
    """Collects one solution's sources, registry triples and untraced triples."""

    def __init__(self, ctx: Context, index: SourceIndex, explanations: dict[Triple, Explanation | None]) -> None:
        self.articles = ctx.article_graphs
        self.index = index
        self.explanations = explanations
        self.by_article: dict[str, list[Triple]] = {}
        self.registry: dict[tuple[str, ...], Json] = {}
        self.untraced: list[Json] = []

    def add(self, triple: Triple, graphs: set[str] | frozenset[str]) -> None:
        """A triple where it is asserted; a triple only the reasoner asserts, with its premises."""
        if graphs and graphs <= {INFERRED}:
            found = self.explanations.get(triple)
            self.untraced.append({**untraced(nt_triple(triple), "inferred",
                                             "inferred by OWL-RL reasoning; not stated by any article"),
                                  **_rule(found), "premises": self.premises(triple, {triple}, 0)})
            return
        for graph in sorted(graphs - {INFERRED}):
            if graph in self.articles:
                self.by_article.setdefault(graph, []).append(triple)
            else:
                self.add_registry(triple, graph)

    def add_registry(self, triple: Triple, graph: str) -> None:
        shown = nt_triple(triple)
        self.registry.setdefault((*shown, graph), {"triple": shown, "graph": graph,
                                                   "source": REGISTRY_SOURCES.get(graph, "named graph")})

    def premises(self, triple: Triple, path: set[Triple], depth: int) -> list[Json]:
        """The premises of an inferred triple, each added to the sources where it is asserted."""
        explanation = self.explanations.get(triple)
        if explanation is None or depth >= MAX_PREMISE_DEPTH:
            return []
        self.add_registry(explanation.axiom, ONTOLOGY)
        out = []
        for premise, graphs in explanation.premises:
            item: Json = {"triple": nt_triple(premise), "graphs": sorted(graphs)}
            if not graphs <= {INFERRED}:
                self.add(premise, graphs)
            elif premise not in path:  # an inferred premise: its own premises (a cycle stops here)
                item.update({**_rule(self.explanations.get(premise)),
                             "premises": self.premises(premise, path | {premise}, depth + 1)})
            out.append(item)
        return out

    def json(self, marks: Iterable[Json]) -> Json:
        sources = [self.index.source(article, triples) for article, triples in sorted(self.by_article.items())]
        return {"sources": sources, "registry": list(self.registry.values()), "untraced": [*self.untraced, *marks]}


def _rule(explanation: Explanation | None) -> Json:
    """The rule and ontology axiom an inferred triple follows from (nulls when none was found)."""
    if explanation is None:
        return {"rule": None, "axiom": None}
    return {"rule": explanation.rule, "axiom": nt_triple(explanation.axiom)}


def _explanation_pairs(triple: Triple, explanations: dict[Triple, Explanation | None],
                       articles: set[str], seen: set[Triple]) -> Iterator[tuple[Triple, str]]:
    """Every (premise, article graph) under an inferred triple: what the span query must cover."""
    explanation = explanations.get(triple)
    if explanation is None or triple in seen:
        return
    for premise, graphs in explanation.premises:
        yield from ((premise, g) for g in graphs if g in articles)
        yield from _explanation_pairs(premise, explanations, articles, seen | {triple})


# --- annotate ----------------------------------------------------------------------------------
def annotate(service: Service, request: QueryRequest, result: Solutions) -> list[Json]:
    """Provenance of each solution of ``result`` (the answer to ``request``), in row order."""
    ctx = Context(service, request)
    traced = min(len(result.rows), MAX_SOLUTIONS)
    try:
        shape = analyse(request.query)
        found = derivations(ctx, result, shape)
        reports = trace(ctx, shape, found)
    except (Unanalysable, QueryError) as err:
        message = err.message if isinstance(err, QueryError) else str(err)
        reports = [_empty([untraced(None, "not traced", f"provenance could not be computed: {message}")])
                   for _ in range(traced)]
    except Exception:  # a bug here must not cost the user the answer itself
        log.exception("provenance failed for %r", request.query)
        reports = [_empty([untraced(None, "not traced", "provenance could not be computed: internal error "
                                                        "(logged by the service)")]) for _ in range(traced)]
    skipped = _empty([untraced(None, "not traced", f"provenance is given for the first {MAX_SOLUTIONS} "
                                                   "solutions only")])
    return reports + [skipped] * (len(result.rows) - traced)


def _empty(untraced_items: list[Json]) -> Json:
    return {"sources": [], "registry": [], "untraced": untraced_items}


def trace(ctx: Context, shape: Shape, found: Derivations) -> list[Json]:
    """Bind, resolve, locate and source every derivation; one report per traced solution."""
    units = bind_units(shape, found)
    resolve_pending(ctx, shape, units)
    resolve_paths(ctx, shape, units)
    located = locate(ctx, (f.triple for u in units for _, f in u.facts))
    defaults = shape.from_graphs or ctx.default_graphs()

    def holds(fact: Fact) -> set[str]:
        graphs = located.get(fact.triple, set())
        if fact.graph is not None:
            return graphs & {str(fact.graph[1])}
        return graphs if defaults is None else graphs & defaults

    decide(shape, units, holds)
    per_row = _row_facts(shape, units, holds, len(found.per_row))
    inferred = {t for facts, _ in per_row for t, g in facts.items() if g and g <= {INFERRED}}
    explanations = explain(ctx, inferred)
    articles = ctx.article_graphs
    pairs = {(t, g) for facts, _ in per_row for t, gs in facts.items() for g in gs if g in articles}
    pairs |= {p for t in inferred for p in _explanation_pairs(t, explanations, articles, set())}
    index = SourceIndex.load(ctx, pairs)
    reports = []
    for (facts, marks), notes in zip(per_row, found.notes, strict=True):
        report = Report(ctx, index, explanations)
        for triple, graphs in facts.items():
            report.add(triple, graphs)
        reports.append(report.json([*marks, *notes]))
    return reports


def _row_facts(shape: Shape, units: list[Unit], holds: Callable[[Fact], set[str]],
               rows: int) -> list[tuple[dict[Triple, set[str]], list[Json]]]:
    """Per solution: each triple of the blocks it came through with the graphs holding it, and
    what could not be traced (a required triple no graph holds is reported, not dropped)."""
    out: list[tuple[dict[Triple, set[str]], list[Json]]] = [({}, []) for _ in range(rows)]
    for unit in units:
        facts, marks = out[unit.row]
        for block, fact in unit.facts:
            if block in unit.missing:
                continue
            graphs = holds(fact)
            if graphs:
                facts.setdefault(fact.triple, set()).update(graphs)
            elif any(t[0] not in ("uri", "literal") for t in fact.triple):
                marks.append(untraced(nt_triple(fact.triple), "blank node", "a blank node cannot be looked up"))
            else:
                marks.append(untraced(nt_triple(fact.triple), "not found", "no graph of the dataset holds it"))
        for block, mark in unit.marks:
            if block not in unit.missing and mark not in marks:
                marks.append(mark)
    return out


# --- per resource: /provenance?iri= ---------------------------------------------------------------
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def valid_iri(iri: str) -> bool:
    return len(iri) <= 4096 and bool(_IRI.match(iri))


def describe(service: Service, iri: str) -> Json | None:
    """Every fact about a resource, with its sources; None if the dataset does not know it."""
    ctx = Context(service)
    node = f"<{iri}>"
    known = ctx.execute(f"ASK {{ GRAPH ?g {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} "
                        f"UNION {{ ?s {node} ?o }} }} }}")
    if not isinstance(known, Boolean) or not known.value:
        return None
    roles = _roles(ctx, iri)
    fact_triples = _fact_triples(ctx, sorted(roles))
    statements = _statements(ctx, iri)
    _, rows = ctx.select(f"SELECT ?p ?o ?g WHERE {{ VALUES ?g {{ <{ENTITIES}> <{ONTOLOGY}> }} "
                         f"GRAPH ?g {{ {node} ?p ?o }} }}")
    registry = [((_uri(iri), r["p"], r["o"]), str(r["g"][1])) for r in rows]
    pairs = {(t, g) for t, g in fact_triples + statements}
    index = SourceIndex.load(ctx, pairs)
    named = {iri} | {x[1] for t, _ in pairs for x in t if x[0] == "uri"} | {
        r[1] for rs in roles.values() for r, _ in rs}
    labels = _labels(ctx, named)
    facts = [_fact_json(fact, roles[fact], fact_triples, index, labels) for fact in roles]
    facts.sort(key=lambda f: (f["typeLabel"] or "", _date_of(f), f["fact"]))
    return {
        "iri": iri, "label": labels.get(iri),
        "facts": facts,
        "statements": [_statement_json(t, [g for u, g in statements if u == t], index, labels)
                       for t in dict.fromkeys(t for t, _ in statements)],
        "registry": [{"triple": nt_triple(t), "graph": g, "source": REGISTRY_SOURCES.get(g, "named graph")}
                     for t, g in registry],
    }


def _roles(ctx: Context, iri: str) -> dict[str, list[tuple[Term, bool]]]:
    """The fact nodes the resource takes part in, with the properties linking them (inverse when
    the resource points at the fact, as a territory at its name); a fact node itself is included."""
    _, rows = ctx.select(PREFIXES + f"""SELECT DISTINCT ?fact ?role ?inverse WHERE {{
      GRAPH ?g {{
        {{ ?fact ?role <{iri}> BIND(false AS ?inverse) }} UNION {{ <{iri}> ?role ?fact BIND(true AS ?inverse) }}
        UNION {{ BIND(<{iri}> AS ?fact) }}
        ?fact prov:wasDerivedFrom ?span .
        FILTER NOT EXISTS {{ ?fact a rdf:Statement }}
        FILTER(!BOUND(?role) || ?role != rdf:type)
      }} }}""")
    out: dict[str, list[tuple[Term, bool]]] = {}
    for row in rows:
        roles = out.setdefault(str(row["fact"][1]), [])
        if "role" in row and row["role"] != _uri(PROV_DERIVED):
            roles.append((row["role"], row["inverse"][1] == "true"))
    return out


def _fact_triples(ctx: Context, facts: list[str]) -> list[tuple[Triple, str]]:
    _, rows = ctx.select_values("SELECT ?f ?p ?o ?g WHERE { VALUES %VALUES% GRAPH ?g { ?f ?p ?o } }",
                                ["f"], [[_uri(f)] for f in facts])
    articles = ctx.article_graphs
    return sorted({((r["f"], r["p"], r["o"]), str(r["g"][1])) for r in rows if r["g"][1] in articles},
                  key=lambda x: (nt_triple(x[0]), x[1]))


def _statements(ctx: Context, iri: str) -> list[tuple[Triple, str]]:
    """The plain fact triples about the resource (claims, control, membership): the reified ones."""
    _, rows = ctx.select(PREFIXES + f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{
      ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
      FILTER(?s = <{iri}> || ?o = <{iri}>) }} }}""")
    return sorted({((r["s"], r["p"], r["o"]), str(r["g"][1])) for r in rows},
                  key=lambda x: (nt_triple(x[0]), x[1]))


def _labels(ctx: Context, iris: set[str]) -> dict[str, str]:
    """rdfs:label of each IRI, English or untagged first."""
    _, rows = ctx.select_values(PREFIXES + "SELECT ?x ?l WHERE { VALUES %VALUES% GRAPH ?g { ?x rdfs:label ?l } }",
                                ["x"], [[_uri(i)] for i in iris])
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        lang = row["l"][3]
        rank = 0 if lang in (None, "en") else 1
        if row["x"][1] not in best or (rank, row["l"][1]) < best[row["x"][1]]:
            best[row["x"][1]] = (rank, row["l"][1])
    return {iri: label for iri, (_, label) in best.items()}


def _labelled(term: Term, labels: dict[str, str]) -> Json:
    return {**json_term(term), **({"label": labels[term[1]]} if term[0] == "uri" and term[1] in labels else {})}


def _fact_json(fact: str, roles: list[tuple[Term, bool]], triples: list[tuple[Triple, str]],
               index: SourceIndex, labels: dict[str, str]) -> Json:
    own = [(t, g) for t, g in triples if t[0] == _uri(fact)]
    types = sorted({t[2][1] for t, _ in own if t[1] == _uri(RDF_TYPE)})
    properties = list(dict.fromkeys((t[1], t[2]) for t, _ in own if t[1] not in (_uri(RDF_TYPE), _uri(PROV_DERIVED))))
    by_article: dict[str, list[Triple]] = {}
    for t, g in own:
        by_article.setdefault(g, []).append(t)
    return {
        "fact": fact, "types": types,
        "typeLabel": labels.get(types[0]) if types else None,
        "roles": [{"property": _labelled(p, labels), "inverse": inverse} for p, inverse in roles],
        "properties": [{"property": _labelled(p, labels), "value": _labelled(o, labels)} for p, o in properties],
        "sources": [index.source(a, ts) for a, ts in sorted(by_article.items())],
    }


def _date_of(fact: Json) -> str:
    dates = [p["value"]["value"] for p in fact["properties"] if p["property"]["value"] == DIP_IRI + "date"]
    return min(dates) if dates else ""


def _statement_json(triple: Triple, graphs: list[str], index: SourceIndex, labels: dict[str, str]) -> Json:
    return {
        "triple": nt_triple(triple),
        "subject": _labelled(triple[0], labels), "predicate": _labelled(triple[1], labels),
        "object": _labelled(triple[2], labels),
        "sources": [index.source(g, [triple]) for g in sorted(set(graphs))],
    }


@router.get("/provenance")
def provenance(request: Request, iri: str | None = None) -> JSONResponse:
    """Every fact about a resource (``?iri=``), with the articles and sentences that state it."""
    if iri is None or not iri.strip():
        return error_response(400, "missing parameter iri: ask /provenance?iri=<IRI of a resource>, "
                                   "such as https://w3id.org/dipkg/id/Shinzo_Abe")
    iri = iri.strip()
    if iri.startswith("<") and iri.endswith(">"):
        iri = iri[1:-1]
    if not valid_iri(iri):
        return error_response(400, f"iri={iri!r} is not an absolute IRI (such as https://w3id.org/dipkg/id/Shinzo_Abe)")
    service = cast("Service", request.app.state.service)
    try:
        described = describe(service, iri)
    except QueryError as err:
        return error_response(err.status, err.message)
    if described is None:
        return error_response(404, f"<{iri}> is not in this dataset: no triple has it as subject, predicate "
                                   "or object")
    return JSONResponse(described)
