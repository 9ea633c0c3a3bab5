"""Pushing a release into a large triple store, over the SPARQL 1.1 Graph Store Protocol.

``dipkg push --to URL`` sends every named graph of the release (``PUT URL?graph=IRI`` with the
first batch of N-Triples, ``POST`` for the rest, so a graph pushed again replaces what the store
had), and the RDF merge of all graphs — every triple once, inferred ones included — as the
store's default graph (``URL?default``), because that is what the service's default graph is
and the store's own union of named graphs counts a triple once per graph (oxigraph issue 1919;
Virtuoso's union default graph does the same).  A store whose default graph cannot be written,
or is always the union, gets the merge as a named graph instead (``merge_graph``), which
``dipkg serve --backend … --backend-default-graph IRI`` then names as each query's default graph.

It is resumable: a state file records each graph pushed with the hash of its content, so a run
after an interruption (or after a rebuild that changed two articles) sends only what the store
does not already have, and deletes the graphs of the previous push the release no longer has.
A graph cut short by an error is not recorded, so the next run sends it whole again (its first
batch is a PUT).  Every failure is one line (``PushError``): connection refused, 401, 413, …

This is the graph side: it reads the published files and speaks HTTP (httpx), nothing more.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

import httpx
import pyoxigraph as ox

#: Triples per request: large enough that the per-request cost is small, small enough for the
#: request-size limits of common stores (Virtuoso, Fuseki and nginx in front of them accept
#: 10 MB; 50,000 dipkg triples are 6-9 MB of N-Triples).
DEFAULT_BATCH = 50_000
STATE_VERSION = 1
#: The state file's name in the data folder when ``--state`` is not given (one per endpoint).
STATE_PREFIX = ".push-state-"
N_TRIPLES = "application/n-triples"
DEFAULT = ""  # the store's default graph, in the state file and in ``Graph.iri``


class PushError(Exception):
    """A push that cannot go on; the message is one line that names the problem."""


@dataclass
class Graph:
    """One graph to send: its IRI (``DEFAULT`` for the store's default graph) and its lines."""

    iri: str
    lines: list[str]

    @property
    def digest(self) -> str:
        return hashlib.sha256("\n".join(self.lines).encode("utf-8")).hexdigest()


@dataclass
class PushReport:
    graphs: int = 0
    pushed: int = 0
    skipped: int = 0
    deleted: int = 0
    triples: int = 0
    requests: int = 0
    seconds: float = 0.0
    names: list[str] = field(default_factory=list)

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else 0.0


def release_nquads(data: Path) -> Path:
    """The N-Quads of the release ``data`` points to (``build/`` or a release folder)."""
    nq = (data / "dipkg.nq").resolve()
    if not nq.is_file():
        raise PushError(f"{data / 'dipkg.nq'}: not found — run `dipkg build --out {data}` first")
    return nq


def graphs_of(nquads: Path, merge_graph: str | None = DEFAULT) -> list[Graph]:
    """The release's named graphs (sorted N-Triples lines each, sorted by IRI), then the merge
    of all of them as one set of triples — into ``merge_graph`` (``DEFAULT``: the default graph;
    None: no merge at all)."""
    by_graph: dict[str, set[str]] = {}
    merge: set[str] = set()
    try:
        for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
            line = f"{quad.subject} {quad.predicate} {quad.object} ."
            graph = quad.graph_name
            if isinstance(graph, ox.DefaultGraph):
                merge.add(line)
                continue
            if not isinstance(graph, ox.NamedNode):
                raise PushError(f"{nquads}: a graph named by a blank node ({graph}) cannot be pushed by name")
            by_graph.setdefault(graph.value, set()).add(line)
            merge.add(line)
    except (SyntaxError, OSError, ValueError) as err:
        raise PushError(f"{nquads}: cannot read: {str(err).splitlines()[0]}") from None
    if merge_graph is not None and merge_graph in by_graph:
        raise PushError(f"the merge graph <{merge_graph}> is a graph of the release; choose another IRI")
    out = [Graph(iri, sorted(lines)) for iri, lines in sorted(by_graph.items())]
    if merge_graph is not None:
        out.append(Graph(merge_graph, sorted(merge)))
    return out


def graph_url(url: str, iri: str) -> str:
    """The Graph Store Protocol address of one graph (indirect identification)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}default" if iri == DEFAULT else f"{url}{joiner}graph={quote(iri, safe='')}"


class BasicOrDigest(httpx.Auth):
    """``user:pass`` as the store asks for it: Basic first (Fuseki, GraphDB, oxigraph behind a
    proxy), Digest when the server's 401 asks for it (Virtuoso's ``/sparql-graph-crud-auth``)."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self.basic = httpx.BasicAuth(user, password)
        self.digest = httpx.DigestAuth(user, password)
        self.use_digest = False  # once a server asked for Digest, every later request uses it

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.use_digest:
            response = yield next(self.basic.auth_flow(request))
            challenge = response.headers.get("www-authenticate", "").lower()
            # (Virtuoso answers a Basic header with a bare 401: only its first challenge says Digest)
            if response.status_code != 401 or ("basic" in challenge and "digest" not in challenge):
                return
            self.use_digest = True
            request.headers.pop("Authorization", None)
        yield from self.digest.auth_flow(request)


def client_auth(auth: str | None, token: str | None) -> tuple[httpx.Auth | None, dict[str, str]]:
    """What ``--auth user:pass`` / ``--token T`` mean to httpx (an auth, or a header)."""
    if auth and token:
        raise PushError("give --auth or --token, not both")
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user:
            raise PushError("--auth expects user:password")
        return BasicOrDigest(user, password), {}
    if token:
        return None, {"Authorization": f"Bearer {token}"}
    return None, {}


def http_problem(what: str, response: httpx.Response) -> str:
    """One line that says why the store refused a request, and what to do where we know."""
    status = response.status_code
    hint = {401: "give --auth user:pass or --token T (or check them)",
            403: "the account may not write there",
            404: "is this the store's Graph Store Protocol address (e.g. http://HOST:7878/store)?",
            405: "this address does not take writes: give the Graph Store Protocol address, not the query one",
            413: "the store refused the request size: use a smaller --batch"}.get(status, "")
    body = " ".join(response.text.split())[:200] if response.content else ""
    parts = [f"{what}: the store answered {status} {response.reason_phrase}"]
    if body:
        parts.append(body)
    if hint:
        parts.append(hint)
    return " — ".join(parts)


def connection_problem(url: str, err: httpx.HTTPError) -> str:
    if isinstance(err, httpx.ConnectError):
        reason = str(err).split("] ")[-1] or "connection refused"
        return f"cannot connect to {url}: {reason}"
    if isinstance(err, httpx.TimeoutException):
        return f"{url}: no answer in time ({type(err).__name__}); the store may be busy — run the push again to resume"
    return f"{url}: {type(err).__name__}: {err}"


def default_state_file(data: Path, url: str) -> Path:
    return data / f"{STATE_PREFIX}{hashlib.sha256(url.encode()).hexdigest()[:16]}.json"


def read_state(path: Path, url: str) -> dict[str, str]:
    """Graph IRI → hash of what was pushed to ``url``; empty if there is no (usable) state."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise PushError(f"{path}: unreadable push state ({err}); delete it to push everything again") from None
    if not isinstance(state, dict) or state.get("endpoint") != url or not isinstance(state.get("graphs"), dict):
        return {}
    return {str(k): str(v) for k, v in state["graphs"].items()}


def write_state(path: Path, url: str, graphs: dict[str, str]) -> None:
    """Written after every graph, atomically (a kill leaves the previous state, never half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # litter a build's sweep removes
    try:
        tmp.write_text(json.dumps({"version": STATE_VERSION, "endpoint": url, "graphs": graphs},
                                  indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise PushError(f"{path}: cannot write the push state: {err}") from None


def batches(lines: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, max(len(lines), 1), size):
        yield lines[start:start + size]


def _label(iri: str) -> str:
    return "default graph" if iri == DEFAULT else f"<{iri}>"


@dataclass
class Pusher:
    """One push: the endpoint, how to authenticate, and where to say how it goes."""

    url: str
    batch: int = DEFAULT_BATCH
    auth: httpx.Auth | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 300.0
    progress: TextIO | None = None
    clock: Callable[[], float] = time.monotonic

    def _say(self, text: str) -> None:
        if self.progress is not None:
            print(f"dipkg push: {text}", file=self.progress, flush=True)

    def _send(self, client: httpx.Client, method: str, iri: str, body: bytes | None, report: PushReport) -> None:
        target = graph_url(self.url, iri)
        try:
            response = client.request(method, target, content=body,
                                      headers={"Content-Type": N_TRIPLES} if body is not None else {})
        except httpx.HTTPError as err:
            raise PushError(connection_problem(self.url, err)) from None
        report.requests += 1
        if method == "DELETE" and response.status_code == 404:
            return  # already gone
        if response.status_code >= 400:
            raise PushError(http_problem(f"{method} {_label(iri)}", response))

    def push(self, graphs: list[Graph], state_file: Path, fresh: bool = False) -> PushReport:
        """Send what the state file does not record as pushed (everything with ``fresh``)."""
        if self.batch < 1:
            raise PushError("--batch must be at least 1")
        done = {} if fresh else read_state(state_file, self.url)
        report = PushReport(graphs=len(graphs))
        started = self.clock()
        wanted = {g.iri for g in graphs}
        with httpx.Client(auth=self.auth, headers=self.headers, timeout=self.timeout) as client:
            for iri in sorted(set(done) - wanted):  # graphs of an earlier push this release lacks
                self._send(client, "DELETE", iri, None, report)
                del done[iri]
                write_state(state_file, self.url, done)
                report.deleted += 1
                self._say(f"deleted {_label(iri)} (not in this release)")
            for number, graph in enumerate(graphs, 1):
                digest = graph.digest
                if done.get(graph.iri) == digest:
                    report.skipped += 1
                    self._say(f"[{number}/{len(graphs)}] {_label(graph.iri)}: already pushed, skipped")
                    continue
                t0 = self.clock()
                for i, chunk in enumerate(batches(graph.lines, self.batch)):
                    body = ("\n".join(chunk) + "\n" if chunk else "").encode("utf-8")
                    self._send(client, "PUT" if i == 0 else "POST", graph.iri, body, report)
                done[graph.iri] = digest
                write_state(state_file, self.url, done)
                report.pushed += 1
                report.triples += len(graph.lines)
                report.names.append(graph.iri)
                self._say(f"[{number}/{len(graphs)}] {_label(graph.iri)}: {len(graph.lines)} triples "
                          f"in {self.clock() - t0:.2f} s")
        report.seconds = self.clock() - started
        return report


def push(data: Path, url: str, *, batch: int = DEFAULT_BATCH, auth: str | None = None, token: str | None = None,
         state_file: Path | None = None, merge_graph: str | None = DEFAULT, fresh: bool = False,
         progress: TextIO | None = sys.stderr) -> PushReport:
    """Push the release in ``data`` to the Graph Store Protocol endpoint ``url``."""
    if not url.startswith(("http://", "https://")):
        raise PushError(f"--to {url!r}: expected an http:// or https:// Graph Store Protocol address")
    client_auth_, headers = client_auth(auth, token)
    graphs = graphs_of(release_nquads(data), merge_graph)
    pusher = Pusher(url, batch, client_auth_, headers, progress=progress)
    return pusher.push(graphs, state_file or default_state_file(data, url), fresh)
