"""The whole pipeline, articles folder → validated, reasoned dataset on disk."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF

from dipkg.graph.articles import Article, PartialDate, load_articles
from dipkg.graph.discovery import ArticleDiscovery
from dipkg.graph.discovery import report as discovery_report
from dipkg.graph.errors import InputError
from dipkg.graph.facts import ArticleFacts
from dipkg.graph.mentions import MentionFinder
from dipkg.graph.namespace import DIP, INFERRED_GRAPH, NIF, ONTOLOGY_GRAPH
from dipkg.graph.publish import nquads, publish_release, summary_json, trig, turtle
from dipkg.graph.rdf import ArticleGraphWriter, article_iri, entity_graph, harmonize_kinds
from dipkg.graph.reasoning import infer
from dipkg.graph.registry import Entity, Registry, load_first_names, load_registry
from dipkg.graph.resources import ontology_dir
from dipkg.graph.rules import extract
from dipkg.graph.store import write_store
from dipkg.graph.validation import check, with_class_closure


class BuildError(Exception):
    """The graph was built but is not fit to publish (SHACL violations, broken spans)."""


@dataclass
class BuildResult:
    dataset: Dataset
    facts: list[ArticleFacts]
    asserted: int
    inferred: int
    seconds: float
    by_kind: Counter[str] = field(default_factory=Counter)
    discoveries: list[ArticleDiscovery] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "articles": len(self.facts),
            "discovered": {d.file_name: d.as_json() for d in self.discoveries if d.as_json()},
            "facts": dict(sorted(self.by_kind.items())),
            "triples_asserted": self.asserted,
            "triples_inferred": self.inferred,
        }


def _progress(i: int, n: int, name: str) -> None:
    if n > 10 or sys.stderr.isatty():
        print(f"[{i}/{n}] {name}", file=sys.stderr, flush=True)


def check_spans(dataset: Dataset) -> None:
    """Every span's anchorOf is exactly the article text between its offsets."""
    for ctx in dataset.graphs():
        check_graph_spans(ctx)


def check_graph_spans(ctx: Graph) -> None:
    """``check_spans`` for one graph (an article ingested into a release)."""
    for span, _, article in ctx.triples((None, NIF.referenceContext, None)):
        text = str(ctx.value(article, NIF.isString))
        begin, end = ctx.value(span, NIF.beginIndex), ctx.value(span, NIF.endIndex)
        anchor = str(ctx.value(span, NIF.anchorOf))
        if not isinstance(begin, Literal) or not isinstance(end, Literal):
            raise BuildError(f"span {span} has no offsets")
        if text[int(begin) : int(end)] != anchor:
            raise BuildError(f"span {span} does not match its article text")


@cache
def _finder() -> tuple[Registry, MentionFinder]:
    registry = load_registry()
    return registry, MentionFinder(registry, load_first_names())


def registry() -> Registry:
    """The registry as loaded (shared: copy it before extending it)."""
    return _finder()[0]


def extract_text(text: str, published: str = "2016-05-06", file_name: str = "example.txt"
                 ) -> tuple[ArticleFacts, Registry]:
    """The facts of one text, as ``build`` would extract them (for tests and exploration).

    Returns the facts and the registry (with any entity the text introduced)."""
    registry, finder = _finder()
    article = Article(file_name, text, PartialDate.parse(published, file_name))
    build_registry = registry.copy()
    mentions = finder.find(article, build_registry)
    return extract(article, mentions, build_registry), build_registry


@dataclass
class Extraction:
    """One article's share of a build: its facts, the entities it discovered (unknown to the
    registry) and its discovery report.

    Each article is extracted against its own copy of the registry, so what one article
    discovered never changes how another is read: the facts of an article depend on its text
    alone, and ``dipkg ingest`` of articles one at a time, in any order, gives the same graph
    as ``dipkg build`` of all of them.
    """

    facts: ArticleFacts
    discovered: list[Entity]
    discovery: ArticleDiscovery


def extract_article(article: Article) -> Extraction:
    """The facts of one article, read with the registry as loaded (and nothing another article
    added to it)."""
    registry, finder = _finder()
    own = registry.copy()
    known = set(own.entities)
    mentions = finder.find(article, own)
    facts = extract(article, mentions, own)
    discovered = [own.entities[e] for e in sorted(set(own.entities) - known)]
    return Extraction(facts, discovered, discovery_report(mentions, own, known))


def base_dataset() -> Dataset:
    """The dataset before any article: the ontology and the registry's entities."""
    registry, _ = _finder()
    dataset = Dataset()
    ontology = Graph().parse(ontology_dir() / "dipkg.ttl", format="turtle")
    # the OWL lists' blank nodes get canonical labels, so dipkg.nq is the same on every build
    for triple in to_canonical_graph(ontology):
        dataset.graph(ONTOLOGY_GRAPH).add(triple)
    entity_graph(dataset, registry, set())
    return dataset


def asserted_union(dataset: Dataset) -> Graph:
    """The RDF merge of every graph but the inferred one: what the articles and registry state."""
    asserted = Graph()
    for ctx in dataset.graphs():
        if ctx.identifier != INFERRED_GRAPH:
            for triple in ctx:
                asserted.add(triple)
    return asserted


def validate(graph: Graph) -> None:
    """Refuse (``BuildError``) a graph that breaks the shapes."""
    report = check(with_class_closure(graph))
    if not report.conforms:
        raise BuildError(f"SHACL validation failed with {report.violations} violation(s):\n"
                         + "\n".join(report.text.splitlines()[:60]))


def graph_counts(graph: Graph) -> Counter[str]:
    """The facts one article graph states, by kind: what ``ArticleFacts.counts`` counts, read
    back from the graph, so that ingest and remove can keep the totals without re-extracting."""
    def subjects(cls: URIRef) -> int:
        return len(set(graph.subjects(RDF.type, cls)))

    def pairs(prop: URIRef) -> int:
        return len(set(graph.subject_objects(prop)))

    return Counter({
        "meetings": subjects(DIP.Meeting), "positions": subjects(DIP.PositionHolding),
        "sanctions": subjects(DIP.Sanction), "quotes": subjects(DIP.Quote),
        "territories": pairs(DIP.claimedBy) + pairs(DIP.controlledBy) + subjects(DIP.TerritoryName),
        "memberships": pairs(DIP.memberOf),
    })


def build(articles_dir: Path) -> BuildResult:
    started = time.perf_counter()
    registry, _ = _finder()
    articles = load_articles(articles_dir)
    dataset = base_dataset()
    extractions: list[Extraction] = []
    for i, article in enumerate(articles, 1):
        _progress(i, len(articles), article.file_name)
        extractions.append(extract_article(article))
    all_facts = [x.facts for x in extractions]
    harmonize_kinds(all_facts)
    by_kind: Counter[str] = Counter()
    for facts in all_facts:
        graph = dataset.graph(article_iri(facts.article))
        ArticleGraphWriter(graph, facts.article).write(facts)
        by_kind.update(graph_counts(graph))
    merged = registry.copy()
    for x in extractions:
        for entity in x.discovered:
            merged.entities.setdefault(entity.id, entity)
    used = set().union(*(f.entities for f in all_facts)) if all_facts else set()
    entity_graph(dataset, merged, used)
    check_spans(dataset)
    asserted = asserted_union(dataset)
    inferred = infer(asserted)
    inferred_graph = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        inferred_graph.add(triple)
    validate(asserted)
    return BuildResult(dataset, all_facts, len(asserted), len(inferred),
                       time.perf_counter() - started, by_kind, [x.discovery for x in extractions])


def publish(result: BuildResult, out: Path) -> Path:
    return publish_dataset(result.dataset, result.summary(), out)


def publish_dataset(dataset: Dataset, summary: dict[str, object], out: Path) -> Path:
    """Publish a dataset as a release of ``out`` (every serialization, build-info.json and the
    store), made current by one pointer swap: what ``dipkg build``, ``ingest`` and ``remove``
    all end with."""
    union = Graph()
    for ctx in dataset.graphs():
        for triple in ctx:
            union.add(triple)
    return publish_release(out, {
        "dipkg.trig": trig(dataset),
        "dipkg.nq": nquads(dataset),
        "dipkg.ttl": turtle(union),
        "build-info.json": summary_json(summary),
    }, finish=write_store)


__all__ = ["DIP", "BuildError", "BuildResult", "Extraction", "InputError", "build", "extract_article", "publish",
           "publish_dataset"]
