"""Screening a query before it reaches the engine: a linear SPARQL lexer, with the ambiguity kept.

The service refuses SPARQL Update (403), ``SERVICE`` (403, unless ``DIPKG_ALLOW_SERVICE=1``),
``FROM`` graphs on the web that this dataset does not hold (403), and queries nested deeper than
:data:`MAX_DEPTH` (400: pyoxigraph's recursive-descent parser overflows its stack and the worker
dies with SIGSEGV at a few thousand nested groups).  It must decide this on what the engine will
read, not on a text search: a regex that strips comments and strings without knowing IRIs reads
``#`` inside ``<https://w3id.org/dipkg/ontology#>`` as a comment and misses a ``SERVICE`` later on
the line.  So this module lexes the query as SPARQL's grammar does (IRIREF, the four string forms,
comments, variables, prefixed names with their ``\\`` escapes, keywords), in one pass.

One place is lexically ambiguous: ``<``.  After an operand (``?a<1)SERVICE?s#>`` …) pyoxigraph, a
PEG parser, reads a less-than where a plain lexer reads the IRI ``<1)SERVICE?s#>`` — and then the
engine sees ``SERVICE ?s`` followed by a comment.  Rather than guess, the screen follows *both*
readings: the lexer's states form a graph whose nodes are (position, what the previous token
was), with two edges out of an IRI that follows an operand, and every token on any reading is
checked.  Nodes are visited in position order and merged, so the work stays linear in the query's
length (bounded by :data:`WORK_FACTOR`; beyond it the query is refused as too ambiguous to screen,
which only a deliberately adversarial query reaches).  Doubt always refuses, never admits.

Keywords are read as pyoxigraph reads them: case-insensitively and also glued to what follows
(``SERVICESILENT<…>``, ``FROMNAMED<…>``, ``SERVICE:x`` are all accepted by the engine).  The
worker processes also run under a seccomp filter that makes opening a socket impossible
(``server.sandbox``), so this screen gives the clear 403, and the kernel gives the guarantee.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin

#: Deepest nesting of ``{``, ``(`` and ``[`` (together) a query may have.  Real queries stay
#: far below it (a few levels of subqueries and expressions); pyoxigraph 0.5 crashes near 3,000.
MAX_DEPTH = 200
#: The screen lexes at most ``WORK_FACTOR × len(query) + WORK_SLACK`` characters over all readings.
WORK_FACTOR = 6
WORK_SLACK = 4096

_PN = r"\w\u00B7\u0300-\u036F\u203F\u2040"
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"(?P<WS>[ \t\r\n]+)"
    r"|(?P<COMMENT>#[^\r\n]*)"
    r"|(?P<IRI><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)"
    r"|(?P<STRING>'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'(?:[^'\\\r\n]|\\[^\r\n])*'"
    r'|"(?:[^"\\\r\n]|\\[^\r\n])*")'
    rf"|(?P<VAR>[?$][{_PN}]+)"
    rf"|(?P<BNODE>_:[{_PN}.\-]*)"
    rf"|(?P<PNAME>(?:[^\W\d_][{_PN}.\-]*)?:(?:[{_PN}.:\-%]|{_LOCAL_ESC})*)"
    rf"|(?P<WORD>[^\W\d][{_PN}]*)"
    r"|(?P<NUMBER>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<LANGTAG>@[A-Za-z]+(?:-+[A-Za-z0-9]+)*)"
    r"|(?P<PUNCT>[\s\S])"
)
_SKIP = frozenset({"WS", "COMMENT"})
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PN_ESC = re.compile(r"\\(.)")

# What the previous token was decides whether a following ``<`` may be a less-than.
_OPERAND, _OTHER, _AFTER_PREFIX, _AFTER_GRAPH = range(4)
#: Words after which ``<`` can only start an IRI (a less-than needs a value on its left).
_KEYWORDS = frozenset([
    "AS", "ASC", "ASK", "BASE", "BIND", "BY", "CONSTRUCT", "DATA", "DEFAULT", "DELETE", "DESC", "DESCRIBE",
    "DISTINCT", "EXISTS", "FILTER", "FROM", "GRAPH", "GROUP", "HAVING", "IN", "INSERT", "LIMIT", "MINUS",
    "NAMED", "NOT", "OFFSET", "OPTIONAL", "ORDER", "PREFIX", "REDUCED", "SELECT", "SERVICE", "SILENT",
    "UNDEF", "UNION", "USING", "VALUES", "WHERE", "WITH",
])
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_OPENERS, _CLOSERS = frozenset("{(["), frozenset("})]")
#: Punctuation after which ``<`` cannot be a less-than; any other character is treated as a value.
_NOT_VALUE_PUNCT = frozenset("{}([,;.!=+-*/|^&<")


class ScreenRefused(Exception):
    """The query asks for something this endpoint does not do (403)."""


class ScreenInvalid(Exception):
    """The query cannot be accepted as written (400): nested too deeply, or too ambiguous to screen."""


class Token(NamedTuple):
    kind: str
    text: str
    begin: int

    end: int


@dataclass
class Screened:
    """What the screen learnt: the ``FROM``/``FROM NAMED`` graphs (resolved IRIs) the query names."""

    from_graphs: list[str] = field(default_factory=list)
    depth: int = 0
    #: the FROM NAMED ones among them, and whether every clause was read for certain (a prefix
    #: the query does not declare leaves a clause unread)
    from_named: list[str] = field(default_factory=list)
    from_certain: bool = True

    @property
    def has_from(self) -> bool:
        return bool(self.from_graphs) or not self.from_certain

    @property
    def from_default(self) -> list[str]:
        """The FROM graphs (the query's default graph is their merge)."""
        named = list(self.from_named)
        out = []
        for iri in self.from_graphs:
            if iri in named:
                named.remove(iri)
            else:
                out.append(iri)
        return out


def _lex(text: str, pos: int) -> Token:
    m = _TOKEN.match(text, pos)
    assert m is not None and m.lastgroup is not None  # PUNCT matches any character
    return Token(m.lastgroup, m.group(), pos, m.end())


def _plain(text: str) -> list[Token]:
    out, pos = [], 0
    while pos < len(text):
        tok = _lex(text, pos)
        out.append(tok)
        pos = tok.end
    return out


def tokens(text: str) -> list[Token]:
    """The query's tokens in the plain reading (``<…>`` always an IRI), whitespace and comments
    left out: the reading of the prologue, and what the tests look at."""
    return [t for t in _plain(text) if t.kind not in _SKIP]


def _significant(text: str, pos: int, count: int) -> list[Token]:
    """Up to ``count`` tokens from ``pos`` in the plain reading, skipping whitespace and comments."""
    out: list[Token] = []
    while pos < len(text) and len(out) < count:
        tok = _lex(text, pos)
        if tok.kind not in _SKIP:
            out.append(tok)
        pos = tok.end
    return out


def iri_value(iriref: str) -> str:
    """The IRI an ``<…>`` token denotes (``\\u`` escapes decoded, as the engine decodes them)."""
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iriref[1:-1])


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line}, column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


@dataclass
class _Prologue:
    base: str | None
    prefixes: dict[str, str]
    first_word: str | None


def _resolve(base: str | None, iri: str) -> str:
    return urljoin(base, iri) if base else iri


def _prologue(plain: list[Token], base: str | None) -> _Prologue:
    """BASE and PREFIX declarations in order (each IRI resolved against the BASE before it), and
    the first word after them (the query form, or an update operation)."""
    prefixes: dict[str, str] = {}
    toks = iter(plain)
    for tok in toks:
        upper = tok.text.upper()
        if tok.kind == "WORD" and upper == "BASE":
            iri = next(toks, None)
            if iri is None or iri.kind != "IRI":
                return _Prologue(base, prefixes, None)
            base = _resolve(base, iri_value(iri.text))
        elif (tok.kind == "WORD" and upper == "PREFIX") or (
                tok.kind == "PNAME" and upper.startswith("PREFIX") and upper.endswith(":")):
            name = tok.text[6:-1] if tok.kind == "PNAME" else None  # "PREFIXex:" is PREFIX ex: to the engine
            if name is None:
                decl = next(toks, None)
                if decl is None or decl.kind != "PNAME" or not decl.text.endswith(":"):
                    return _Prologue(base, prefixes, None)
                name = decl.text[:-1]
            iri = next(toks, None)
            if iri is None or iri.kind != "IRI":
                return _Prologue(base, prefixes, None)
            prefixes[name] = _resolve(base, iri_value(iri.text))
        else:
            return _Prologue(base, prefixes, upper if tok.kind in ("WORD", "PNAME") else None)
    return _Prologue(base, prefixes, None)


def _pname_iri(pname: str, prefixes: dict[str, str]) -> str | None:
    prefix, _, local = pname.partition(":")
    if prefix not in prefixes:
        return None  # the engine refuses an undeclared prefix itself
    return prefixes[prefix] + _PN_ESC.sub(r"\1", local)


# Where a token is, in the plain reading: the innermost bracket around it.
_TOP, _PATTERN, _DATA, _EXPR, _LIST = range(5)


def expression_places(plain: list[Token]) -> dict[int, bool]:
    """For each token start of the plain reading: could a less-than stand there?

    A less-than only ever stands inside the parentheses of an expression (FILTER, BIND, a
    function's arguments, a projection, GROUP BY / ORDER BY / HAVING).  Inside a VALUES block,
    an RDF collection or a property path it cannot, and there an IRI is only an IRI: reading it
    both ways there would only find "readings" the engine never has (a VALUES row such as
    ``(<a> <http://…#type>)`` would seem to hide its closing parenthesis behind a comment).
    Only what is certainly not an expression is marked so; anything else counts as one.
    """
    places: dict[int, bool] = {}
    stack: list[int] = []
    prev: Token | None = None
    before: Token | None = None
    values = select = modifiers = False
    for tok in plain:
        where = stack[-1] if stack else _TOP
        places[tok.begin] = where in (_TOP, _EXPR)
        upper = tok.text.upper() if tok.kind == "WORD" else ""
        if upper == "VALUES":
            values = True
        elif upper == "SELECT":
            select = True
        elif upper in ("ORDER", "GROUP", "HAVING"):
            modifiers = True
        elif upper == "WHERE":
            select = False
        if tok.kind == "PUNCT" and tok.text == "{":
            stack.append(_DATA if values or where == _DATA else _PATTERN)
            values = select = modifiers = False
        elif tok.kind == "PUNCT" and tok.text == "[":
            stack.append(_PATTERN)
        elif tok.kind == "PUNCT" and tok.text == "(":
            if where == _DATA or values:
                kind = _LIST
            elif where in (_TOP, _EXPR) or select or modifiers:
                kind = _EXPR
            elif where == _LIST:
                kind = _LIST
            elif prev is not None and prev.kind == "WORD" and prev.text != "a":
                kind = _EXPR  # FILTER(, BIND(, a built-in's arguments
            elif (prev is not None and prev.kind in ("IRI", "PNAME") and before is not None
                  and before.kind == "WORD" and before.text != "a"):
                kind = _EXPR  # FILTER ex:function(
            else:
                kind = _LIST  # a collection or a path group in a triple pattern
            stack.append(kind)
        elif tok.kind == "PUNCT" and tok.text in _CLOSERS:
            if stack:
                stack.pop()
            if tok.text == "}":
                modifiers = False
        prev, before = tok, prev
    return places


def _next_class(tok: Token, cls: int) -> int:
    """What a token is, for the next ``<``: a value (after which ``<`` may compare) or not."""
    if tok.kind == "WORD":
        upper = tok.text.upper()
        if upper == "PREFIX":
            return _AFTER_PREFIX
        if upper == "GRAPH":
            return _AFTER_GRAPH
        return _OTHER if (upper in _KEYWORDS or tok.text == "a") and upper not in ("TRUE", "FALSE") else _OPERAND
    if tok.kind == "PNAME":
        upper = tok.text.upper()
        if cls == _AFTER_PREFIX or (upper.startswith("PREFIX") and upper.endswith(":")):
            return _OTHER  # the name being declared: an IRI follows
        return _OPERAND
    if tok.kind == "PUNCT":
        return _OTHER if tok.text in _NOT_VALUE_PUNCT else _OPERAND
    return _OPERAND  # IRI, STRING, VAR, BNODE, NUMBER, LANGTAG


class _Screen:
    def __init__(self, text: str, allow_service: bool, prologue: _Prologue, plain: list[Token],
                 endpoints: Collection[str] = ()) -> None:
        self.text = text
        self.plain = plain
        self.known = {t.begin: t for t in plain}  # the plain reading's tokens, lexed once
        self.allow_service = allow_service
        self.endpoints = frozenset(endpoints)
        self.prologue = prologue
        self.budget = WORK_FACTOR * len(text) + WORK_SLACK
        self.from_graphs: list[str] = []
        self.from_named: list[str] = []
        self.from_certain = True
        self.from_seen: set[int] = set()
        self.depth = 0
        # a comment ends at the next line end: found by bisection, so that many readings that
        # start a comment on one long line cost no more than one
        self.eols = [m.start() for m in re.finditer(r"[\r\n]", text)]

    def lex(self, pos: int) -> Token:
        known = self.known.get(pos)
        if known is not None:
            self.spend(len(known.text))
            return known
        if self.text.startswith("#", pos):
            i = bisect.bisect_left(self.eols, pos)
            end = self.eols[i] if i < len(self.eols) else len(self.text)
            self.spend(1)
            return Token("COMMENT", self.text[pos:end], pos, end)
        tok = _lex(self.text, pos)
        self.spend(len(tok.text))
        return tok

    def spend(self, chars: int) -> None:
        self.budget -= chars
        if self.budget < 0:
            raise ScreenInvalid(
                "the query could not be screened: too many places where '<' could be either an IRI or "
                "a less-than; put spaces around comparison operators (?a < 1)")

    def lookahead(self, pos: int, count: int) -> list[Token]:
        ahead = _significant(self.text, pos, count)
        self.spend(sum(len(t.text) for t in ahead) + count)
        return ahead

    def check(self, tok: Token, cls: int) -> None:
        """Refuse SERVICE, record FROM, on this reading's token."""
        if tok.kind not in ("WORD", "PNAME"):
            return
        upper = tok.text.upper()
        if not self.allow_service and "SERVICE" in upper:
            if tok.kind == "WORD":
                # SERVICE [SILENT] VarOrIri { … }: a group opens within the next three tokens
                service = any(t.text == "{" for t in self.lookahead(tok.end, 3))
            else:  # "SERVICE:x" is SERVICE with the IRI :x to the engine
                prefix = upper.partition(":")[0]
                service = ("SERVICE" in prefix and cls not in (_AFTER_PREFIX, _AFTER_GRAPH)
                           and any(t.text == "{" for t in self.lookahead(tok.end, 1)))
            if service and self.endpoints and self._allowed_endpoint(tok, upper):
                service = False
            if service:
                if self.endpoints:
                    raise ScreenRefused(
                        f"SERVICE ({_where(self.text, tok.begin)}) is allowed only for "
                        f"{', '.join(f'<{e}>' for e in sorted(self.endpoints))}, named by its IRI")
                raise ScreenRefused(
                    f"SERVICE ({_where(self.text, tok.begin)}) is disabled: this endpoint does not send "
                    "queries to other endpoints")
        if upper.startswith("FROM") and tok.begin not in self.from_seen:
            self.from_seen.add(tok.begin)
            self.record_from(tok, upper)

    def _allowed_endpoint(self, tok: Token, upper: str) -> bool:
        """Whether this SERVICE names, for certain, an endpoint of ``--allow-service``: the word
        ``SERVICE`` (or ``SERVICESILENT``), an optional ``SILENT``, then an IRI or a prefixed name
        that resolves to an allowed endpoint, then ``{``.  A variable, a glued prefixed name or
        anything else stays refused: doubt refuses."""
        if tok.kind != "WORD" or upper not in ("SERVICE", "SERVICESILENT"):
            return False
        ahead = self.lookahead(tok.end, 3)
        if upper == "SERVICE" and ahead and ahead[0].kind == "WORD" and ahead[0].text.upper() == "SILENT":
            ahead = ahead[1:]
        if len(ahead) < 2 or ahead[1].text != "{":
            return False
        target = ahead[0]
        if target.kind == "IRI":
            iri: str | None = _resolve(self.prologue.base, iri_value(target.text))
        elif target.kind == "PNAME":
            iri = _pname_iri(target.text, self.prologue.prefixes)
        else:
            return False
        return iri in self.endpoints

    def _add_from(self, iri: str | None, named: bool) -> None:
        if iri is None:
            self.from_certain = False
            return
        self.from_graphs.append(iri)
        if named:
            self.from_named.append(iri)

    def record_from(self, tok: Token, upper: str) -> None:
        prologue = self.prologue
        if tok.kind == "PNAME":  # FROM:g, FROMNAMED:g, FROMex:g — the keyword glued to a prefixed name
            rest = tok.text[4:]
            named = rest.upper().startswith("NAMED")
            if named:
                rest = rest[5:]
            self._add_from(_pname_iri(rest, prologue.prefixes), named)
            return
        named = upper.startswith("FROMNAMED")
        ahead = self.lookahead(tok.end, 2)
        if ahead and ahead[0].kind == "WORD" and ahead[0].text.upper() == "NAMED" and upper == "FROM":
            ahead = ahead[1:]
            named = True
        if not ahead:
            return
        target = ahead[0]
        if target.kind == "IRI":
            self._add_from(_resolve(prologue.base, iri_value(target.text)), named)
        elif target.kind == "PNAME":
            self._add_from(_pname_iri(target.text, prologue.prefixes), named)
        else:
            self.from_certain = False

    def run(self) -> None:
        text = self.text
        pending: dict[int, dict[int, int]] = {0: {_OTHER: 0}}
        heap = [0]
        expression = expression_places([t for t in self.plain if t.kind not in _SKIP])

        def reach(pos: int, cls: int, depth: int) -> None:
            if pos >= len(text):
                return
            states = pending.get(pos)
            if states is None:
                pending[pos] = {cls: depth}
                heapq.heappush(heap, pos)
            elif states.get(cls, -1) < depth:
                states[cls] = depth

        while heap:
            pos = heapq.heappop(heap)
            states = pending.pop(pos)
            tok = self.lex(pos)
            for cls, depth in states.items():
                if tok.kind in _SKIP:
                    reach(tok.end, cls, depth)
                    continue
                if tok.kind == "IRI" and cls == _OPERAND and expression.get(pos, True):
                    reach(pos + 1, _OTHER, depth)  # the other reading: '<' is a less-than
                self.check(tok, cls)
                if tok.kind == "PUNCT" and tok.text in _OPENERS:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise ScreenInvalid(
                            f"the query is nested too deeply ({_where(text, pos)}): at most {MAX_DEPTH} levels of "
                            "{ }, ( ) and [ ] together are accepted")
                    self.depth = max(self.depth, depth)
                elif tok.kind == "PUNCT" and tok.text in _CLOSERS:
                    depth = max(0, depth - 1)
                reach(tok.end, _next_class(tok, cls), depth)


def screen(query: str, graphs: set[str], allow_service: bool, lenient_from: bool = False,
           base_iri: str | None = None, endpoints: Collection[str] = ()) -> Screened:
    """Refuse what this read-only, never-fetching endpoint does not do; say what FROM names.

    Raises :class:`ScreenRefused` (403) for an update, ``SERVICE`` (unless allowed) or a ``FROM``
    web address that is not a graph of the dataset (unless ``lenient_from``), and
    :class:`ScreenInvalid` (400) for a query nested deeper than :data:`MAX_DEPTH`.  ``endpoints``
    (``--allow-service``) are the endpoint IRIs a ``SERVICE`` may name when SERVICE is not allowed
    in general; every other SERVICE is refused as before.
    """
    plain = _plain(query)
    prologue = _prologue([t for t in plain if t.kind not in _SKIP], base_iri)
    if prologue.first_word is not None and prologue.first_word.startswith(_UPDATE_WORDS):
        raise ScreenRefused("SPARQL Update is not allowed: this endpoint is read-only")
    state = _Screen(query, allow_service, prologue, plain, endpoints)
    state.run()
    for iri in state.from_graphs:
        # A graph name the store does not hold is an empty graph to pyoxigraph, which never
        # dereferences it; a web address there, though, asks for a fetch: refuse it, say why.
        if iri not in graphs and iri.lower().startswith(("http://", "https://")) and not lenient_from:
            raise ScreenRefused(
                f"FROM <{iri}>: not a graph of this dataset; this endpoint does not fetch remote data "
                "(list the graphs with GET /sparql)")
    return Screened(state.from_graphs, state.depth, state.from_named, state.from_certain)
