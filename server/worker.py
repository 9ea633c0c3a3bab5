"""The query worker: a separate process that runs one query at a time on a read-only store.

It is deliberately small (it imports only pyoxigraph and the standard library) so that a
replacement starts fast after the service kills a worker that ran past its time limit — killing
the process is the only way to stop pyoxigraph's ``Store.query`` mid-evaluation.

Unless the service allows ``SERVICE``, the worker confines itself before it opens the store
(``server.sandbox``): from then on no thread of it can open a socket, so no query can make it
connect anywhere.  A query that tries (``SERVICE``) fails with EPERM, reported as a "network"
error that the service turns into a 403.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import resource
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from dipkg.server.native import GRAPH_WRITERS, RESULT_WRITERS, native_solutions, write_graph
from dipkg.server.sandbox import SandboxUnavailable, confine

Term = tuple[Any, ...]


def encode(term: object) -> Term | None:
    """A pyoxigraph term as plain tuples, so it can cross the process boundary."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    if isinstance(term, ox.Triple):
        return ("triple", encode(term.subject), encode(term.predicate), encode(term.object))
    raise TypeError(f"unexpected term {term!r}")


def _graph(spec: str) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
    """The store graph a plan names: ``""`` the default graph, ``_:label`` a blank-node graph.
    (``server.dataset.GraphPlan`` writes them.)"""
    if spec == "":
        return ox.DefaultGraph()
    if spec.startswith("_:"):
        return ox.BlankNode(spec[2:])
    return ox.NamedNode(spec)


def merged(store: ox.Store, default_graph: list[str], named_graphs: list[str]) -> ox.Store:
    """An in-memory store whose default graph is the RDF merge of ``default_graph`` (each
    triple once) and whose named graphs are ``named_graphs``: the dataset a protocol request
    describes, as a set, which the engine's own list of default graphs is not (oxigraph issue
    1919).  Its cost is a copy of those graphs, paid inside the query's time limit."""
    memory = ox.Store()
    default = ox.DefaultGraph()
    memory.extend(ox.Quad(q.subject, q.predicate, q.object, default)
                  for spec in default_graph for q in store.quads_for_pattern(None, None, None, _graph(spec)))
    memory.extend(q for spec in named_graphs for q in store.quads_for_pattern(None, None, None, _graph(spec)))
    return memory


_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")


def _unbound(*_args: object) -> None:
    return None


def _query(store: ox.Store, query: str, options: dict[str, Any]) -> Any:
    """``Store.query``, with SPARQL's reading of a function the engine does not know: calling
    it is an expression error (the value is unbound, a FILTER on it is false), not a failed
    query — pyoxigraph refuses the whole query instead."""
    unknown: dict[ox.NamedNode, Any] = {}
    for _ in range(16):
        try:
            return store.query(query, custom_functions=unknown or None, **options)
        except RuntimeError as err:
            m = _UNKNOWN_FUNCTION.search(str(err))
            if m is None or ox.NamedNode(m.group(1)) in unknown:
                raise
            unknown[ox.NamedNode(m.group(1))] = _unbound
    return store.query(query, custom_functions=unknown, **options)


def run(store: ox.Store, job: dict[str, Any]) -> dict[str, Any]:
    """Answer one job; ``job["graphs"]`` is its dataset (``server.dataset.GraphPlan``), or None
    for the query's own (``FROM``).  ``job["native"]`` (when given) names the formats the
    client will get, so that the answer can be written here by pyoxigraph and sent as bytes."""
    options: dict[str, Any] = {}
    plan = job["graphs"]
    if plan is not None and plan["merge"]:
        store = merged(store, plan["default_graph"], plan["named_graphs"] or [])
        # the options, not a FROM in the query, say what the dataset is (as the protocol wants)
        options["default_graph"] = [ox.DefaultGraph()]
        options["named_graphs"] = [_graph(g) for g in plan["named_graphs"] or []]
    elif plan is not None:
        if plan["default_graph"] is not None:
            options["default_graph"] = [_graph(g) for g in plan["default_graph"]]
        if plan["named_graphs"] is not None:
            options["named_graphs"] = [_graph(g) for g in plan["named_graphs"]]
    if job.get("base_iri"):
        options["base_iri"] = job["base_iri"]
    result = _query(store, job["query"], options)
    cap = job["max_rows"]
    budget = job.get("max_bytes") or 0
    native = job.get("native") or {}
    if isinstance(result, ox.QueryBoolean):
        return {"kind": "boolean", "value": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        if native.get("results") in RESULT_WRITERS:
            body = native_solutions(result, native["results"], cap, budget)
            if body is not None:
                return body
            result = _query(store, job["query"], options)  # past a limit: again, cut row by row
        return _solutions(result, cap, budget)
    return _graph_result(result, cap, budget, native)


def capped_rows(result: ox.QuerySolutions, cap: int, budget: int) -> tuple[list[str], list[list[Term | None]], bool]:
    """(variables, rows as plain tuples, truncated): at most ``cap`` rows and about ``budget``
    bytes (0: no byte budget) — the one cut both the workers and ``--backend`` apply."""
    variables = [v.value for v in result.variables]
    rows: list[list[Term | None]] = []
    used = 0
    for solution in result:
        if len(rows) >= cap or (budget and used > budget):
            return variables, rows, True
        row = [encode(solution[v]) for v in variables]
        used += sum(term_size(term) for term in row)
        rows.append(row)
    return variables, rows, False


def _solutions(result: ox.QuerySolutions, cap: int, budget: int) -> dict[str, Any]:
    """The solutions as plain tuples, at most ``cap`` rows and about ``budget`` bytes."""
    variables, rows, truncated = capped_rows(result, cap, budget)
    return {"kind": "solutions", "variables": variables, "rows": rows, "truncated": truncated}


def _graph_result(result: ox.QueryTriples, cap: int, budget: int, native: dict[str, Any]) -> dict[str, Any]:
    """The triples, cut at ``cap`` and ``budget``: written here when the client's format is
    known and pyoxigraph can write it, else as plain tuples for the service to write."""
    triples: list[ox.Triple] = []
    truncated = False
    used = 0
    for triple in result:
        if len(triples) >= cap or (budget and used > budget):
            truncated = True
            break
        used += _ox_size(triple.subject) + _ox_size(triple.predicate) + _ox_size(triple.object)
        triples.append(triple)
    rdf_format = GRAPH_WRITERS.get(native.get("graph") or "")
    if rdf_format is not None:
        body = write_graph(triples, rdf_format, native.get("prefixes") or {})
        if body is not None:
            return {"kind": "body", "form": "graph", "format": native["graph"], "body": body,
                    "count": len(triples), "truncated": truncated}
    encoded = [(encode(t.subject), encode(t.predicate), encode(t.object)) for t in triples]
    return {"kind": "graph", "triples": encoded, "truncated": truncated}


def term_size(term: Term | None) -> int:
    """About how many bytes a term takes in a result (its text; the markup around it is less)."""
    if term is None:
        return 0
    return sum(len(part) for part in term if isinstance(part, str)) + 8


def _ox_size(term: Any) -> int:
    """``term_size`` of a pyoxigraph term, without encoding it first (within a few bytes)."""
    if isinstance(term, ox.Triple):
        return _ox_size(term.subject) + _ox_size(term.predicate) + _ox_size(term.object) + 8
    if isinstance(term, ox.Literal):
        return len(term.value) + len(term.datatype.value) + len(term.language or "") + 8
    return len(term.value) + 8


def limit_memory(megabytes: int) -> None:
    """Cap this worker's heap (RLIMIT_DATA: brk and private mappings, not the store's mapped
    files): an allocation past it fails, and the worker reports it or dies and is replaced."""
    if megabytes > 0:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _refused_by_sandbox(err: Exception) -> bool:
    """The engine's error for a socket the sandbox refused (pyoxigraph raises PermissionError
    "Operation not permitted (os error 1)" from SERVICE)."""
    return isinstance(err, OSError) and (err.errno == errno.EPERM or "(os error 1)" in str(err))


def serve(store_dir: str, conn: Connection, no_network: bool = True, memory_mb: int = 0, nice: int = 0) -> None:
    """Worker main loop: answer jobs until the pipe closes.  With ``no_network`` the worker first
    confines itself (before the store starts any thread); the ready message says whether it could.
    ``nice`` lowers its priority before any thread starts (the slow lane's workers, which must not
    take the CPU the fast lane needs)."""
    if nice:
        with contextlib.suppress(OSError):  # refused: the lane still caps how many slow queries run
            os.nice(nice)
    ready: dict[str, Any] = {"kind": "ready", "sandbox": "none"}
    if no_network:
        try:
            confine()
            ready["sandbox"] = "seccomp"
        except SandboxUnavailable as err:
            ready["sandbox_error"] = str(err)
    sandboxed = ready["sandbox"] == "seccomp"
    store = ox.Store.read_only(store_dir)
    limit_memory(memory_mb)
    try:
        conn.send(ready)
    except OSError:  # the service stopped while this worker started (BrokenPipeError): nothing to say
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run(store, job)
        except SyntaxError as err:
            reply = {"kind": "error", "error": "syntax", "message": str(err)}
        except MemoryError:
            reply = {"kind": "error", "error": "memory", "message": "out of memory"}
        except Exception as err:  # a query that fails while evaluating: report, keep serving
            kind = "network" if sandboxed and _refused_by_sandbox(err) else "evaluation"
            reply = {"kind": "error", "error": kind, "message": f"{type(err).__name__}: {err}"}
        try:
            conn.send(reply)
        except OSError:  # the service gave up on this answer (a time-out, a stop): it is killed anyway
            return
