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
* validation runs on the graphs the change touched (with the ontology and entity graphs),
  which is what the shapes look at: every shape's focus node is a fact, a span, an article or
  an entity, and all of a node's triples are in those graphs.

The result is published through ``publish.publish_release`` (a new release and one pointer
swap), so a kill or a failure at any point leaves the current release as it was.  A lock file in
the data folder serializes concurrent changes: each one starts from the release the previous
one published, so none loses another's work.  The same text twice is found by its content hash
and changes nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
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
    publish_dataset,
    registry,
    validate,
)
from dipkg.graph.errors import InputError
from dipkg.graph.namespace import DIP, ENTITY_GRAPH, ID_IRI, INFERRED_GRAPH, NIF, ONTOLOGY_GRAPH
from dipkg.graph.oxterms import rdf_term
from dipkg.graph.publish import PublishError, current_release
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

LOCK = ".ingest.lock"
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
    """Hold the data folder's change lock (waits for a change under way to publish)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = (data_dir / LOCK).open("a")
    except OSError as err:
        raise InputError(data_dir, f"cannot use this data folder: {err.strerror or err}") from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class _State:
    """The current release, in memory: the dataset and what its build-info.json says."""

    dataset: Dataset
    info: dict[str, object]

    def articles(self) -> dict[URIRef, Graph]:
        return {URIRef(str(g.identifier)): g for g in self.dataset.graphs()
                if str(g.identifier).startswith(_ARTICLE_PREFIX) and len(g)}

    def discovered(self) -> dict[str, object]:
        found = self.info.get("discovered")
        return dict(found) if isinstance(found, dict) else {}


def _load(data_dir: Path) -> _State:
    release = current_release(data_dir)
    if release is None:  # nothing published yet: the ontology and the registry, reasoned
        dataset = base_dataset()
        inferred = dataset.graph(INFERRED_GRAPH)
        for triple in infer(asserted_union(dataset)):
            inferred.add(triple)
        return _State(dataset, {})
    dataset = Dataset()
    try:
        for quad in ox.parse(path=str(release / "dipkg.nq"), format=ox.RdfFormat.N_QUADS):
            graph = dataset.graph(rdf_term(quad.graph_name))  # type: ignore[arg-type]
            graph.add((rdf_term(quad.subject), rdf_term(quad.predicate), rdf_term(quad.object)))
        info = json.loads((release / "build-info.json").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError) as err:
        raise InputError(release, f"the current release cannot be read: {err}".splitlines()[0]) from None
    return _State(dataset, info if isinstance(info, dict) else {})


def _stored_article(graph: Graph, node: URIRef) -> Article:
    """An article as it was ingested, read back from its graph (to re-read its facts)."""
    def text(p: URIRef) -> str | None:
        value = graph.value(node, p)
        return str(value) if value is not None else None

    return Article(text(DIP.fileName) or "", text(NIF.isString) or "",
                   PartialDate.parse(text(DCTERMS.issued) or "", node), text(DCTERMS.title),
                   text(DCTERMS.publisher), text(DCTERMS.source))


def _kinds_elsewhere(dataset: Dataset, meeting: URIRef) -> dict[URIRef, Node]:
    """The article graphs that state a meeting, with the kind each holds."""
    found: dict[URIRef, Node] = {}
    for _, _, kind, ctx in dataset.quads((meeting, DIP.kind, None, None)):
        name = getattr(ctx, "identifier", ctx)
        found[URIRef(str(name))] = kind
    return found


def _set_kind(dataset: Dataset, graphs: Sequence[URIRef], meeting: URIRef, kind: str) -> None:
    for name in graphs:
        graph = dataset.graph(name)
        graph.remove((meeting, DIP.kind, None))
        graph.add((meeting, DIP.kind, kind_term(kind)))


def _sharers(dataset: Dataset, graph: Graph, articles: dict[URIRef, Graph]) -> set[URIRef]:
    """The other article graphs that say something about a fact node of ``graph``."""
    entities = dataset.graph(ENTITY_GRAPH)
    out: set[URIRef] = set()
    for node in set(graph.subjects()):
        if not str(node).startswith(ID_IRI) or (node, None, None) in entities:
            continue
        for name, other in articles.items():
            if other.identifier != graph.identifier and (node, None, None) in other:
                out.add(name)
    return out


def _validate_part(dataset: Dataset, graphs: set[URIRef]) -> None:
    part = Graph()
    for name in (ONTOLOGY_GRAPH, ENTITY_GRAPH, *sorted(graphs)):
        for triple in dataset.graph(name):
            part.add(triple)
    validate(part)


def _publish(data_dir: Path, state: _State, before: set[Triple], closed: Graph) -> tuple[Path, set[Triple]]:
    """Re-reason (semi-naively when the change only added), write the summary, publish."""
    dataset = state.dataset
    asserted = {t for t in asserted_union(dataset)}
    gone = before - asserted
    if gone:
        inferred = infer(asserted_union(dataset))
    else:
        schema = Graph()
        for name in (ONTOLOGY_GRAPH, ENTITY_GRAPH):
            for triple in dataset.graph(name):
                schema.add(triple)
        inferred = infer_more(schema, asserted, (*before, *closed), sorted(asserted - before, key=str))
    dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
    inferred_graph = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        inferred_graph.add(triple)
    by_kind: Counter[str] = Counter()
    for graph in state.articles().values():
        by_kind.update(graph_counts(graph))
    summary = {
        "articles": len(state.articles()),
        "discovered": dict(sorted(state.discovered().items())),
        "facts": dict(sorted(by_kind.items())),
        "triples_asserted": len(asserted),
        "triples_inferred": len(inferred),
    }
    try:
        return publish_dataset(dataset, summary, data_dir), asserted
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
    with locked(data_dir):
        state = _load(data_dir)
        dataset = state.dataset
        existing = state.articles()
        by_hash = {content_hash(str(g.value(n, NIF.isString))): n for n, g in existing.items()}
        result = IngestResult(current_release(data_dir) or data_dir)
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
        before = {t for t in asserted_union(dataset)}
        closed = dataset.graph(INFERRED_GRAPH)
        closed_copy = Graph()
        for triple in closed:
            closed_copy.add(triple)
        base = registry()
        touched: set[URIRef] = set()
        discovered = state.discovered()
        entities = dataset.graph(ENTITY_GRAPH)
        for article in new:
            extraction = extract_article(article)
            facts = extraction.facts
            harmonize_kinds([facts])
            for meeting in facts.meetings:
                node = meeting_iri(meeting)
                others = _kinds_elsewhere(dataset, node)
                best = strongest_kind([meeting.kind, *(k for k in map(kind_name, others.values()) if k)])
                meeting.kind = best
                weaker = [g for g, k in others.items() if k != kind_term(best)]
                _set_kind(dataset, weaker, node, best)
                touched.update(weaker)
            iri = article_iri(article)
            graph = dataset.graph(iri)
            ArticleGraphWriter(graph, article).write(facts)
            check_graph_spans(graph)
            for entity in extraction.discovered:
                if entity.id in facts.entities and (entity_iri(entity.id), RDF.type, None) not in entities:
                    describe_entity(entities, entity, base)
            report = extraction.discovery.as_json()
            if report:
                discovered[article.file_name] = report
            touched.add(iri)
            result.added.append(str(iri))
            counts = graph_counts(graph)
            result.facts = dict(sorted((Counter(result.facts) + counts).items()))
        state.info["discovered"] = discovered
        articles_now = state.articles()
        for name in list(touched):
            touched |= _sharers(dataset, dataset.graph(name), articles_now)
        _validate_part(dataset, touched)
        result.release, _ = _publish(data_dir, state, before, closed_copy)
        result.seconds = time.perf_counter() - started
        return result


def _find(state: _State, article: str) -> URIRef:
    """The article a user names by file name, IRI, ``article-<id>`` or ``<id>``."""
    wanted = article.strip()
    for node, graph in state.articles().items():
        local = str(node)[len(ID_IRI):]
        names = {str(node), local, local[len("article-"):], str(graph.value(node, DIP.fileName))}
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
    with locked(data_dir):
        state = _load(data_dir)
        dataset = state.dataset
        node = _find(state, article)
        graph = dataset.graph(node)
        file_name = str(graph.value(node, DIP.fileName))
        articles = state.articles()
        sharers = _sharers(dataset, graph, articles)
        counts = graph_counts(graph)
        meetings = set(graph.subjects(RDF.type, DIP.Meeting))
        used = {t for triple in graph for t in (triple[0], triple[2])
                if isinstance(t, URIRef) and str(t).startswith(ID_IRI)}
        before = {t for t in asserted_union(dataset)}
        dataset.remove_graph(graph)
        # the kinds of shared meetings, from what each remaining sharer says on its own
        own_kinds: dict[URIRef, list[str]] = {}
        for name in sorted(sharers):
            facts = extract_article(_stored_article(dataset.graph(name), name)).facts
            for meeting in facts.meetings:
                iri = meeting_iri(meeting)
                if iri in meetings:
                    own_kinds.setdefault(iri, []).append(meeting.kind)
        for iri, kinds in own_kinds.items():
            _set_kind(dataset, sorted(_kinds_elsewhere(dataset, iri)), iri, strongest_kind(kinds))
        entities = dataset.graph(ENTITY_GRAPH)
        known = {entity_iri(e) for e in registry().entities if not registry().entities[e].discovered}
        remaining = state.articles()
        for term in used - known:
            if (term, RDF.type, None) in entities and not any(
                    (term, None, None) in g or (None, None, term) in g for g in remaining.values()):
                entities.remove((term, None, None))
        state.info["discovered"] = {k: v for k, v in state.discovered().items() if k != file_name}
        if sharers:
            _validate_part(dataset, sharers)
        release, _ = _publish(data_dir, state, before, Graph())
        return IngestResult(release, removed=[str(node)], facts={k: v for k, v in sorted(counts.items()) if v},
                            seconds=time.perf_counter() - started)


__all__ = ["ArticleInput", "BuildError", "IngestResult", "InputError", "content_hash", "ingest", "locked",
           "remove"]
