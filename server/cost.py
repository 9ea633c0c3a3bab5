"""A query's cost class from its shape, before it runs: which queries go straight to the slow lane.

Only one shape is certain enough to judge without running it: two or more triple patterns made of
variables alone (``?a ?b ?c``) that share no variable — a cartesian product of whole-store scans,
the shape of every time-limit attack (``{ ?a ?b ?c . ?d ?e ?f }`` is |store|² rows before any
filter).  Everything else is judged by what it does: a query that uses more than the fast budget
of CPU is demoted while it runs (``server.lanes``), and remembered.  A false "slow" costs a
well-formed query only the slow lane's lower priority, never its answer.

The query is read with the screen's lexer (``server.screen.tokens``), so variables inside strings,
IRIs and comments are not patterns.
"""

from __future__ import annotations

from dipkg.server.screen import tokens

#: Tokens after which a triple pattern can start, and after which one has ended.
_STARTS = {"{", ".", "}"}
_ENDS = {".", "}"}


def _all_variable_patterns(query: str) -> list[frozenset[str]]:
    toks = [t for t in tokens(query) if t.kind not in ("WS", "COMMENT")]
    patterns = []
    for i in range(1, len(toks) - 3):
        window = toks[i:i + 3]
        if toks[i - 1].text in _STARTS and all(t.kind == "VAR" for t in window) and toks[i + 3].text in _ENDS:
            patterns.append(frozenset(t.text[1:] for t in window))
    return patterns


def cartesian_product(query: str) -> bool:
    """Whether the query joins two whole-store scans that share no variable."""
    patterns = _all_variable_patterns(query)
    return any(not (a & b) for i, a in enumerate(patterns) for b in patterns[i + 1:])
