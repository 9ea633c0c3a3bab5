"""The query's patterns: what a SELECT matches, read from its algebra (rdflib's parser)."""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib.plugins.sparql.algebra import translateGroupGraphPattern, translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from dipkg.server.provenance.terms import _PARSE_LOCK, Predicate, Slot, Unanalysable, _predicate, _slot

if TYPE_CHECKING:
    pass



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


_ANALYSED: OrderedDict[str, Shape] = OrderedDict()
ANALYSED_KEPT = 64  # queries whose shape is kept: the query page asks the same query twice


def analyse(query: str) -> Shape:
    """The blocks of triple patterns of a SELECT query.

    rdflib's pyparsing parser is the slowest step of tracing a small query (tens of ms, as much as
    all the engine's lookups), and the query page runs the same query plain and then with
    provenance, so recent shapes are kept; each caller gets its own copy, free to change it."""
    with _PARSE_LOCK:
        kept = _ANALYSED.get(query)
        if kept is not None:
            _ANALYSED.move_to_end(query)
            return copy.deepcopy(kept)
    shape = _analyse(query)
    with _PARSE_LOCK:
        _ANALYSED[query] = copy.deepcopy(shape)
        while len(_ANALYSED) > ANALYSED_KEPT:
            _ANALYSED.popitem(last=False)
    return shape


def _analyse(query: str) -> Shape:
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
