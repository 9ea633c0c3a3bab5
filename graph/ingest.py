"""Adding and removing articles without a rebuild: ``dipkg ingest`` and ``dipkg remove``.

A change starts from the current release of a data folder (or from nothing: the ontology and
the registry), extracts only the new articles, and merges their named graphs into the dataset.
The merge needs nothing but the published dataset, because everything a build does across
articles can be read back from it:

* each article is extracted against its own copy of the registry (``build.extract_article``),
  so its facts depend on its text alone, never on the order articles arrive in;
* entity and fact IRIs are content-derived, so a fact already known is the same node and
  simply gains the new article's span;
* a meeting two articles state gets the most specific kind either gives it
  (``rdf.harmonize_kinds`` in the build): on ingest the new kind is compared with the one the
  other graphs hold; on remove the remaining sharers are re-read from their stored text, the
  only place their own kind is kept;
* an entity discovered in the text (no registry entry) is described once in the entity graph
  while any article names it, and dropped with the last one;
* the inferred graph grows semi-naively (``reasoning.infer_more``: only joins with the new
  triples), and is recomputed only when a change also takes asserted triples away;
* validation runs on what the change touched (``_validate_part``): the new graphs, the ontology
  and entity graphs, and each other article's slice about the facts it shares with them, which
  is all the shapes look at for those focus nodes.

The result is published through ``publish.publish_release`` (a new release and one pointer
swap), so a kill or a failure at any point leaves the current release as it was.  A lock file in
the data folder serializes concurrent changes: each one starts from the release the previous
one published, so none loses another's work.  The same text twice is found by its content hash
and changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from dipkg.graph.articles import Article, PartialDate, max_article_bytes
from dipkg.graph.build import (
    BuildError,
    asserted_union,
    base_dataset,
    check_graph_spans,
    extract_article,
    graph_counts,
    publish_graphs,
    registry,
    validate,
)
from dipkg.graph.errors import InputError
from dipkg.graph.metadata import metadata_graph, source_date_epoch
from dipkg.graph.namespace import DIP, ENTITY_GRAPH, ID_IRI, INFERRED_GRAPH, METADATA_GRAPH, NIF, ONTOLOGY_GRAPH, PROV
from dipkg.graph.oxterms import rdf_term
from dipkg.graph.publish import PublishError, change_lock, current_release
from dipkg.graph.rdf import (
    ArticleGraphWriter,
    article_iri,
    describe_entity,
    entity_iri,
    harmonize_kinds,
    kind_name,
    kind_term,
    meeting_iri,
    strongest_kind,
)
from dipkg.graph.reasoning import infer, infer_more

_ARTICLE_PREFIX = ID_IRI + "article-"
Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ArticleInput:
    """One article to add: its text exactly as it should be stored, and its metadata."""

    text: str
    file_name: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None


@dataclass
class IngestResult:
    """What a change did: the release now current, the articles it added or removed (IRIs),
    the inputs that were already there (IRIs), the facts of the change by kind, and its time."""

    release: Path
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: seconds by step (read, extract, validate, reason, publish): where a change's time goes
    stages: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(stages: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = round(stages.get(name, 0.0) + time.perf_counter() - started, 3)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _article(item: ArticleInput) -> Article:
    """The input as the build would read it from a file, or a one-line ``InputError``."""
    name = item.file_name.strip()
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise InputError(name or "(no name)", "the file name must be a plain file name like 'article.txt'")
    if not re.search(r"[A-Za-z0-9]", name.rsplit(".", 1)[0]):
        raise InputError(name, "the file name needs a letter or digit before its extension")
    # what read_text gives for the same file: universal newlines
    text = item.text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(name, "empty article")
    size, limit = len(text.encode("utf-8", "surrogatepass")), max_article_bytes()
    if size > limit:
        raise InputError(name, f"{size:,} bytes is over the article size limit of {limit:,} bytes "
                               "(DIPKG_MAX_ARTICLE_BYTES)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(name, "the text holds a lone surrogate (not Unicode text)") from None
    if not item.published or not item.published.strip():
        raise InputError(name, "no publication date (published: YYYY, YYYY-MM or YYYY-MM-DD)")

    def optional(value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    return Article(name, text, PartialDate.parse(item.published, name), optional(item.title),
                   optional(item.publisher), optional(item.url))


@contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's change lock (``publish.change_lock``, which builds take too) from
    reading the current release to publishing the next, so concurrent changes never lose one
    another's work."""
    with change_lock(data_dir):
        yield


Graphs = dict[URIRef, set[Triple]]


@dataclass
class _State:
    """The current release, in memory: each named graph as a set of triples (rdflib terms; a
    set, not an rdflib ``Dataset``, whose context bookkeeping made a change at 100k quads cost
    most of a minute), and what its build-info.json says."""

    graphs: Graphs
    info: dict[str, object]

    def articles(self) -> dict[URIRef, set[Triple]]:
        return {name: triples for name, triples in self.graphs.items()
                if str(name).startswith(_ARTICLE_PREFIX) and triples}

    def discovered(self) -> dict[str, object]:
        found = self.info.get("discovered")
        return dict(found) if isinstance(found, dict) else {}

    def asserted(self) -> set[Triple]:
        """What the articles, registry and ontology state: not the inferred graph, and not the
        dataset's description (the build describes the dataset after reasoning, too)."""
        return {t for name, triples in self.graphs.items() if name not in (INFERRED_GRAPH, METADATA_GRAPH)
                for t in triples}

    def graph(self, *names: URIRef) -> Graph:
        """The named graphs merged into one rdflib graph (for the stages that need one)."""
        graph = Graph()
        for name in names:
            for triple in self.graphs.get(name, ()):
                graph.add(triple)
        return graph

    def subject_index(self) -> dict[Node, set[URIRef]]:
        """For each subject of an article graph, the article graphs that say something of it."""
        index: dict[Node, set[URIRef]] = {}
        for name, triples in self.articles().items():
            for s, _, _ in triples:
                index.setdefault(s, set()).add(name)
        return index


def _value(triples: set[Triple], s: Node, p: Node) -> Node | None:
    return next((o for s2, p2, o in triples if s2 == s and p2 == p), None)


def _load(data_dir: Path) -> _State:
    release = current_release(data_dir)
    if release is None:  # nothing published yet: the ontology and the registry, reasoned
        dataset = base_dataset()
        inferred = infer(asserted_union(dataset))
        graphs: Graphs = {URIRef(str(g.identifier)): set(g) for g in dataset.graphs() if len(g)}
        graphs[INFERRED_GRAPH] = set(inferred)
        return _State(graphs, {})
    graphs = {}
    terms: dict[object, Node] = {}

    def term(t: Any) -> Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = rdf_term(t)
        return found

    try:
        for quad in ox.parse(path=str(release / "dipkg.nq"), format=ox.RdfFormat.N_QUADS):
            name = term(quad.graph_name)
            graphs.setdefault(URIRef(str(name)), set()).add(
                (term(quad.subject), term(quad.predicate), term(quad.object)))
        info = json.loads((release / "build-info.json").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, TypeError) as err:
        raise InputError(release, f"the current release cannot be read: {err}".splitlines()[0]) from None
    return _State(graphs, info if isinstance(info, dict) else {})


def _stored_article(triples: set[Triple], node: URIRef) -> Article:
    """An article as it was ingested, read back from its graph (to re-read its facts)."""
    def text(p: URIRef) -> str | None:
        value = _value(triples, node, p)
        return str(value) if value is not None else None

    return Article(text(DIP.fileName) or "", text(NIF.isString) or "",
                   PartialDate.parse(text(DCTERMS.issued) or "", node), text(DCTERMS.title),
                   text(DCTERMS.publisher), text(DCTERMS.source))


def _kinds_elsewhere(state: _State, index: dict[Node, set[URIRef]], meeting: URIRef) -> dict[URIRef, Node]:
    """The article graphs that state a meeting, with the kind each holds."""
    found: dict[URIRef, Node] = {}
    for name in index.get(meeting, ()):
        kind = _value(state.graphs[name], meeting, DIP.kind)
        if kind is not None:
            found[name] = kind
    return found


def _set_kind(state: _State, names: Iterable[URIRef], meeting: URIRef, kind: str) -> None:
    for name in names:
        triples = state.graphs[name]
        triples -= {t for t in triples if t[0] == meeting and t[1] == DIP.kind}
        triples.add((meeting, DIP.kind, kind_term(kind)))


def _sharers(state: _State, index: dict[Node, set[URIRef]], name: URIRef) -> set[URIRef]:
    """The other article graphs that say something about a fact node of graph ``name``."""
    entities = {s for s, _, _ in state.graphs.get(ENTITY_GRAPH, ())}
    out: set[URIRef] = set()
    for node in {s for s, _, _ in state.graphs[name]}:
        if str(node).startswith(ID_IRI) and node not in entities:
            out |= index.get(node, set())
    return out - {name}


def _validate_part(state: _State, index: dict[Node, set[URIRef]], whole: set[URIRef], nodes: set[Node]) -> None:
    """Validate what a change touched: the ``whole`` graphs (the new articles), from every
    other article graph that states one of the fact ``nodes`` its slice about them — their
    triples, the spans they derive from, and that article's own description (spans point to it)
    — and the entities all these name, with their descriptions.
    A shape's focus node is a fact, span, article or entity and all its triples are in this
    part, so it gives the verdict validating the whole release would; the rest of the release
    is unchanged and was valid."""
    part = state.graph(ONTOLOGY_GRAPH, *sorted(whole))
    entities = {s for s, _, _ in state.graphs.get(ENTITY_GRAPH, ())}
    facts = {n for n in nodes if str(n).startswith(ID_IRI) and n not in entities}
    for name in sorted(set().union(*(index.get(n, set()) for n in facts)) - whole):
        triples = state.graphs[name]
        about = {t for t in triples if t[0] in facts}
        spans = {o for _, p, o in about if p == PROV.wasDerivedFrom}
        for triple in about | {t for t in triples if t[0] in spans or t[0] == name}:
            part.add(triple)
    # the entities the part names (the registry's others are unchanged, and were valid)
    named = {term for triple in part for term in triple if term in entities}
    for triple in state.graphs.get(ENTITY_GRAPH, ()):
        if triple[0] in named:
            part.add(triple)
    validate(part)


def _totals(state: _State, change: Counter[str], sign: int) -> Counter[str]:
    """The facts of the release after the change: the last summary's totals and the change, or
    (for a folder ``dipkg load`` made, which has none) counted from every article graph."""
    facts = state.info.get("facts")
    if isinstance(facts, dict) and "articles" in state.info:
        totals: Counter[str] = Counter({k: int(v) for k, v in facts.items()})
        for kind, n in change.items():
            totals[kind] = totals.get(kind, 0) + sign * n
        return totals
    totals = Counter()
    for name in state.articles():
        totals.update(graph_counts(state.graph(name)))
    return totals


def _description(state: _State) -> set[Triple]:
    """The dataset's description for the changed release: its sources are the articles now in
    it, and it was modified now (or at ``SOURCE_DATE_EPOCH``, as for a build)."""
    articles = [_stored_article(triples, name) for name, triples in state.articles().items()]
    modified = source_date_epoch() or datetime.datetime.now(datetime.UTC)
    return set(metadata_graph(Graph(), articles, modified))


def _publish(data_dir: Path, state: _State, before: set[Triple], closed: set[Triple],
             facts: Counter[str], stages: dict[str, float]) -> Path:
    """Re-reason (semi-naively when the change only added), write the summary, publish."""
    asserted = state.asserted()
    with _timed(stages, "reason"):
        schema = state.graph(ONTOLOGY_GRAPH, ENTITY_GRAPH)
        if before - asserted:  # something was taken away: the closure anew (from nothing, all new)
            inferred = set(infer_more(schema, asserted, (), asserted))
        else:  # the fixpoint does not depend on the order triples are joined in
            inferred = set(infer_more(schema, asserted, before | closed, asserted - before))
    state.graphs[INFERRED_GRAPH] = inferred
    state.graphs[METADATA_GRAPH] = _description(state)
    summary = {
        "articles": len(state.articles()),
        "discovered": dict(sorted(state.discovered().items())),
        "facts": dict(sorted(facts.items())),
        "triples_asserted": len(asserted),
        "triples_inferred": len(inferred),
    }
    try:
        with _timed(stages, "publish"):
            return publish_graphs(state.graphs.items(), summary, data_dir)
    except PublishError as err:
        raise InputError(data_dir, str(err)) from None


def ingest(data_dir: Path, articles: Sequence[ArticleInput]) -> IngestResult:
    """Add ``articles`` to the current release of ``data_dir`` and publish the result.

    Articles already there (the same text) are reported in ``already_present`` and change
    nothing; when all of them are, no release is made.  Raises ``InputError`` for bad input
    (and for a file name that another text already has), ``BuildError`` for a graph the shapes
    refuse; the current release stays as it was in every case."""
    started = time.perf_counter()
    parsed = [_article(item) for item in articles]
    if not parsed:
        raise InputError(data_dir, "no article given")
    stages: dict[str, float] = {}
    with locked(data_dir):
        with _timed(stages, "read"):
            state = _load(data_dir)
        existing = state.articles()
        by_hash = {content_hash(str(_value(t, n, NIF.isString))): n for n, t in existing.items()}
        result = IngestResult(current_release(data_dir) or data_dir, stages=stages)
        new: list[Article] = []
        for article in parsed:
            iri = article_iri(article)
            known = by_hash.get(content_hash(article.text))
            if known is not None:
                result.already_present.append(str(known))
                continue
            if iri in existing or any(article_iri(a) == iri for a in new):
                raise InputError(article.file_name, f"the data already holds another text as {iri}; "
                                                    "remove it first or give the file another name")
            by_hash[content_hash(article.text)] = iri
            new.append(article)
        if not new:
            result.seconds = time.perf_counter() - started
            return result
        before = state.asserted()
        closed = set(state.graphs.get(INFERRED_GRAPH, ()))
        index = state.subject_index()
        base = registry()
        entities = state.graphs.setdefault(ENTITY_GRAPH, set())
        described = {s for s, p, _ in entities if p == RDF.type}
        result_graphs: list[URIRef] = []
        discovered = state.discovered()
        change: Counter[str] = Counter()
        for article in new:
            with _timed(stages, "extract"):
                extraction = extract_article(article)
            facts = extraction.facts
            harmonize_kinds([facts])
            for meeting in facts.meetings:
                node = meeting_iri(meeting)
                others = _kinds_elsewhere(state, index, node)
                best = strongest_kind([meeting.kind, *(k for k in map(kind_name, others.values()) if k)])
                meeting.kind = best
                weaker = [g for g, k in others.items() if k != kind_term(best)]
                _set_kind(state, weaker, node, best)  # validated below: the slice about the meeting
            iri = article_iri(article)
            graph = Graph()
            ArticleGraphWriter(graph, article).write(facts)
            check_graph_spans(graph)
            state.graphs[iri] = set(graph)
            for s, _, _ in graph:
                index.setdefault(s, set()).add(iri)
            for entity in extraction.discovered:
                if entity.id in facts.entities and entity_iri(entity.id) not in described:
                    description = Graph()
                    describe_entity(description, entity, base)
                    entities.update(description)
                    described.add(entity_iri(entity.id))
            report = extraction.discovery.as_json()
            if report:
                discovered[article.file_name] = report
            result_graphs.append(iri)
            result.added.append(str(iri))
            change.update(graph_counts(graph))
        state.info["discovered"] = discovered
        with _timed(stages, "validate"):
            _validate_part(state, index, set(result_graphs),
                           {s for name in result_graphs for s, _, _ in state.graphs[name]})
        result.release = _publish(data_dir, state, before, closed, _totals(state, change, 1), stages)
        result.facts = {k: v for k, v in sorted(change.items()) if v}
        result.seconds = time.perf_counter() - started
        return result


def _find(state: _State, article: str) -> URIRef:
    """The article a user names by file name, IRI, ``article-<id>`` or ``<id>``."""
    wanted = article.strip()
    for node, triples in state.articles().items():
        local = str(node)[len(ID_IRI):]
        names = {str(node), local, local[len("article-"):], str(_value(triples, node, DIP.fileName))}
        if wanted in names:
            return node
    raise InputError(wanted or "(no article)", "no such article in this data folder")


def remove(data_dir: Path, article: str) -> IngestResult:
    """Take one article out of the current release: its graph, and every fact, entity and
    inferred triple that only it supported.  Raises ``InputError`` when no article has that
    name; the current release stays as it was on any failure."""
    started = time.perf_counter()
    if current_release(data_dir) is None:
        raise InputError(data_dir, "no release to remove from (run dipkg build or dipkg ingest first)")
    stages: dict[str, float] = {}
    with locked(data_dir):
        with _timed(stages, "read"):
            state = _load(data_dir)
        node = _find(state, article)
        triples = state.graphs[node]
        file_name = str(_value(triples, node, DIP.fileName))
        index = state.subject_index()
        sharers = _sharers(state, index, node)
        counts = graph_counts(state.graph(node))
        meetings = {s for s, p, o in triples if p == RDF.type and o == DIP.Meeting}
        used = {t for triple in triples for t in (triple[0], triple[2])
                if isinstance(t, URIRef) and str(t).startswith(ID_IRI)}
        before = state.asserted()
        del state.graphs[node]
        for names in index.values():
            names.discard(node)
        # the kinds of shared meetings, from what each remaining sharer says on its own
        own_kinds: dict[URIRef, list[str]] = {}
        for name in sorted(sharers):
            with _timed(stages, "extract"):
                facts = extract_article(_stored_article(state.graphs[name], name)).facts
            for meeting in facts.meetings:
                iri = meeting_iri(meeting)
                if iri in meetings:
                    own_kinds.setdefault(iri, []).append(meeting.kind)
        for iri, kinds in own_kinds.items():
            _set_kind(state, sorted(_kinds_elsewhere(state, index, iri)), iri, strongest_kind(kinds))
        entities = state.graphs.get(ENTITY_GRAPH, set())
        known = {entity_iri(e.id) for e in registry().entities.values() if not e.discovered}
        mentioned = {t for ts in state.articles().values() for s, _, o in ts for t in (s, o)}
        for term in used - known - mentioned:
            entities -= {t for t in entities if t[0] == term}
        state.info["discovered"] = {k: v for k, v in state.discovered().items() if k != file_name}
        with _timed(stages, "validate"):
            _validate_part(state, index, set(), {s for s, _, _ in triples})
        release = _publish(data_dir, state, before, set(), _totals(state, counts, -1), stages)
        return IngestResult(release, removed=[str(node)], facts={k: v for k, v in sorted(counts.items()) if v},
                            seconds=time.perf_counter() - started, stages=stages)


__all__ = ["ArticleInput", "BuildError", "IngestResult", "InputError", "content_hash", "ingest", "locked",
           "remove"]
