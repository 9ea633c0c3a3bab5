"""Answers written in the query worker by pyoxigraph's own serializers, sent to the service as bytes.

Encoding every term as tuples, pickling them across the pipe and writing SPARQL JSON from them in
Python cost the service about 25 ms for 1,352 rows where pyoxigraph writes the same JSON in the
worker in about 7 ms (README "Benchmarks").  So, when the service says which format the client
will get, the worker writes it here:

* **SELECT** in SPARQL JSON or XML: ``QuerySolutions.serialize`` into a ``_Sink`` that counts
  rows as the bytes go by (exactly: JSON strings are skipped, so a literal holding ``},{`` is not
  a row; XML escapes ``<`` in text, so ``<result>`` is one).  The row cap and the byte budget must
  still hold, and a cut answer must say so: when the rows pass the cap or the bytes the budget,
  the sink stops the serializer (``_Full``) and the worker answers the query again the exact
  way, row by row (``server.worker``).  Only answers past a limit pay that second run; the
  service's own members (``"dipkg"``) are added by the service to the bytes.
* **CONSTRUCT / DESCRIBE**: the triples are counted and cut in the worker as before, then
  written by ``pyoxigraph.serialize`` there; a graph a format cannot express comes back as
  plain tuples, and the service answers 406 as it always did.

Like ``server.worker`` this imports only pyoxigraph and the standard library: a replacement
worker must start fast.
"""

from __future__ import annotations

import re
from typing import IO, Any, cast

import pyoxigraph as ox

#: SELECT formats the worker writes (``server.negotiation`` names), and the writer for each.
RESULT_WRITERS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
#: Graph formats the worker writes.
GRAPH_WRITERS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
}

# one JSON string, from its opening quote; and what follows an opening quote up to its end
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_STRING_REST = re.compile(rb'(?:[^"\\]++|\\.)*+')
# the longest run of whole tokens: text outside strings, and complete strings
_WHOLE = re.compile(rb'(?:[^"]++|"(?:[^"\\]++|\\.)*+")*+')


class _Full(Exception):
    """The answer passed the row cap or the byte budget: stop writing it."""


class JsonRows:
    """Counts the rows of SPARQL JSON as pyoxigraph writes it, chunk by chunk.

    With every string taken out, what remains is ``{:{:[,]},:{:[{:{:,:}},{}]}}``: a row starts
    at ``[{`` (the first) or ``,{`` (each next one), and nowhere else.  A string may run over a
    chunk boundary (then the next chunk starts inside it), and so may an escape (one byte kept).
    """

    def __init__(self) -> None:
        self.rows = 0
        self._in_string = False
        self._carry = b""
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        pos = 0
        if self._in_string:
            pos = _STRING_REST.match(data).end()  # type: ignore[union-attr]
            if pos == len(data):
                return
            if data[pos:pos + 1] == b"\\":  # a backslash whose escaped byte is in the next chunk
                self._carry = data[pos:]
                return
            pos += 1
            self._in_string = False
        end = _WHOLE.match(data, pos).end()  # type: ignore[union-attr]
        skeleton = _STRING.sub(b"", data[pos:end])
        if skeleton:
            joined = self._last + skeleton
            self.rows += joined.count(b",{") + joined.count(b"[{")
            self._last = skeleton[-1:]
        if end < len(data):  # a string opens here and goes on in the next chunk
            self._in_string = True
            inside = _STRING_REST.match(data, end + 1).end()  # type: ignore[union-attr]
            if inside < len(data):
                self._carry = data[inside:]


class XmlRows:
    """Counts ``<result>`` elements of SPARQL XML as it is written (text escapes ``<``)."""

    def __init__(self) -> None:
        self.rows = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        self.rows += data.count(b"<result>")
        self._tail = data[-7:]


class _Sink:
    """A file for ``serialize``: keeps the bytes, counts rows, and stops past a limit."""

    def __init__(self, counter: JsonRows | XmlRows, cap: int, budget: int) -> None:
        self.counter = counter
        self.cap = cap
        self.budget = budget
        self.size = 0
        self.chunks: list[bytes] = []

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        self.counter.feed(chunk)
        if self.counter.rows > self.cap or (self.budget and self.size > self.budget):
            raise _Full
        self.chunks.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        return None


def native_solutions(result: ox.QuerySolutions, name: str, cap: int, budget: int) -> dict[str, Any] | None:
    """The solutions written in format ``name`` (a ``RESULT_WRITERS`` key), or None when they
    pass the row cap or the byte budget (the caller answers again, cutting row by row)."""
    counter: JsonRows | XmlRows = JsonRows() if name == "json" else XmlRows()
    sink = _Sink(counter, cap, budget)
    try:
        result.serialize(cast(IO[bytes], sink), format=RESULT_WRITERS[name])
    except _Full:
        return None
    return {"kind": "body", "form": "solutions", "format": name, "body": b"".join(sink.chunks),
            "count": counter.rows, "truncated": False}


def write_graph(triples: list[ox.Triple], rdf_format: ox.RdfFormat, prefixes: dict[str, str]) -> bytes | None:
    """The triples in ``rdf_format`` (in the default graph, for a dataset format); None when the
    format cannot express them (JSON-LD has no triple terms; RDF/XML needs predicates it can
    split), so that the service writes its 406."""
    data: list[Any] = triples
    if rdf_format.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    try:
        out = ox.serialize(data, format=rdf_format, prefixes=prefixes)
    except (ValueError, TypeError, OSError):  # pyoxigraph says "JSON-LD does not support RDF 1.2" as OSError
        return None
    return out
