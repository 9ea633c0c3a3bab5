"""Derivations: each solution re-run with its variables bound, its patterns bound to triples, paths, witnesses."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.term import URIRef, Variable

from dipkg.server.engine import Solutions
from dipkg.server.provenance import terms
from dipkg.server.provenance.shape import CONDITIONAL, Block, Pattern, Shape
from dipkg.server.provenance.terms import (
    MAX_DERIVATIONS,
    MAX_WITNESSES,
    Binding,
    Branch,
    Context,
    Json,
    OpaquePath,
    Slot,
    Triple,
    Unanalysable,
    _show,
    _slot_text,
    _uri,
    render_path,
)
from dipkg.server.serializers import nt_term
from dipkg.server.worker import Term

if TYPE_CHECKING:
    pass



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
    rows = result.rows[:terms.MAX_SOLUTIONS]
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
#: The variable that says which branch of a combined witness query a row comes from.
_PART = "_prov_part"
PendingKey = tuple[int, tuple[Pattern, ...], tuple[str, ...]]
PathKey = tuple[str, bool]


def resolve_witnesses(ctx: Context, shape: Shape, units: list[Unit]) -> None:
    """Witnesses for the variables each block leaves unbound and the steps of every property
    path, in one query: a branch per block (and set of known variables) and per distinct path.
    A witness that binds a path's ends adds a path use, looked up after (:func:`resolve_paths`)."""
    groups = _pending_groups(shape, units)
    paths = _path_groups(units)
    branches = [Branch(known, [[u.binding[k] for k in known] for u in members],
                       f'{_pending_body(patterns)} BIND("w{i}" AS ?{_PART})')
                for i, ((_, patterns, known), members) in enumerate(groups.items()) if known]
    compiled = {key: _compile_path(key, uses) for key, uses in paths.items()}
    branches += [Branch(tuple(names), [_ends(u, key[1]) for _, _, u in paths[key]],
                        f'{body} BIND("p{j}" AS ?{_PART})')
                 for j, (key, (_, body, names)) in enumerate(compiled.items())]
    parts: dict[str, list[Binding]] = {}
    for row in ctx.select_branches("", branches, users_dataset=True) if branches else []:
        parts.setdefault(str(row.pop(_PART)[1]), []).append(row)
    for i, ((block, patterns, known), members) in enumerate(groups.items()):
        if known:
            witnesses = parts.get(f"w{i}", [])
        else:
            _, witnesses = ctx.select(f"SELECT * WHERE {{ {_pending_body(patterns)} }} LIMIT 1", users_dataset=True)
        first: dict[tuple[Term, ...], Binding] = {}
        for w in sorted(witnesses, key=lambda b: repr(sorted(b.items()))):
            first.setdefault(tuple(w[k] for k in known), w)
        for unit in members:
            _apply_witness(unit, block, shape.blocks[block], list(patterns),
                           first.get(tuple(unit.binding[k] for k in known)))
    fetched = {key: ({tuple(_ends(u, key[1])) for _, _, u in paths[key]}, parts.get(f"p{j}", []))
               for j, key in enumerate(compiled)}
    resolve_paths(ctx, shape, units, fetched)


def _pending_groups(shape: Shape, units: list[Unit]) -> dict[PendingKey, list[Unit]]:
    """Units waiting for a witness, by block, patterns and the variables they know."""
    groups: dict[PendingKey, list[Unit]] = {}
    for unit in units:
        for block, waiting in unit.pending.items():
            if block not in unit.missing:
                names = sorted({v for p in waiting for v in p.variables()
                                if shape.blocks[block].sees(v) and v in unit.binding})
                groups.setdefault((block, tuple(waiting), tuple(names)), []).append(unit)
    return groups


def _pending_body(patterns: Sequence[Pattern]) -> str:
    return " ".join(_pattern_text(p) for p in patterns)


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


def _path_groups(units: list[Unit]) -> dict[PathKey, list[tuple[Unit, int, PathUse]]]:
    by_path: dict[PathKey, list[tuple[Unit, int, PathUse]]] = {}
    for unit in units:
        for block, path_use in unit.paths:
            by_path.setdefault((render_path(path_use.path), path_use.graph is not None), []).append(
                (unit, block, path_use))
    return by_path


def _compile_path(key: PathKey, uses: list[tuple[Unit, int, PathUse]]) -> tuple[PathCompiler, str, list[str]]:
    """A path's witness pattern over ``?_prov_s``, ``?_prov_o`` (and ``?_prov_g`` in a GRAPH)."""
    compiler = PathCompiler()
    body = compiler.compile(uses[0][2].path, "_prov_s", "_prov_o")
    names = ["_prov_s", "_prov_o", *(["_prov_g"] if key[1] else [])]
    if key[1]:
        body = f"GRAPH ?_prov_g {{ {body} }}"
    return compiler, body, names


def _ends(path_use: PathUse, in_graph: bool) -> list[Term | None]:
    return [path_use.s, path_use.o, *([path_use.graph] if in_graph else [])]


def resolve_paths(ctx: Context, shape: Shape, units: list[Unit],
                  fetched: dict[PathKey, tuple[set[tuple[Term | None, ...]], list[Binding]]] | None = None) -> None:
    """The steps between each pair of bound endpoints of each distinct path: from ``fetched``
    (the rows already asked for some ends), one query per path for ends not asked yet."""
    for key, uses in _path_groups(units).items():
        compiler, body, names = _compile_path(key, uses)
        ends = [_ends(u, key[1]) for _, _, u in uses]
        asked, rows = (fetched or {}).get(key, (set(), []))
        missing = [e for e in ends if tuple(e) not in asked]
        if missing:
            _, more = ctx.select_values(f"SELECT * WHERE {{ VALUES %VALUES% {body} }}", names, missing,
                                        users_dataset=True)
            rows = [*rows, *more]
        witnesses: dict[tuple[Term | None, ...], list[Binding]] = {}
        for row in sorted(rows, key=lambda b: repr(sorted(b.items()))):
            witnesses.setdefault(tuple(row.get(n) for n in names), []).append(row)
        for (unit, block, path_use), end in zip(uses, ends, strict=True):
            _expand(unit, block, shape.blocks[block].kind, path_use, compiler.steps,
                    witnesses.get(tuple(end), [])[:MAX_WITNESSES])


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
