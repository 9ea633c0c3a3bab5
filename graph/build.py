"""The whole pipeline, articles folder → validated, reasoned dataset on disk."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal
from rdflib.compare import to_canonical_graph

from dipkg.graph.articles import Article, PartialDate, load_articles
from dipkg.graph.discovery import ArticleDiscovery
from dipkg.graph.discovery import report as discovery_report
from dipkg.graph.errors import InputError
from dipkg.graph.facts import ArticleFacts
from dipkg.graph.mentions import MentionFinder
from dipkg.graph.metadata import input_time, metadata_graph
from dipkg.graph.namespace import DIP, INFERRED_GRAPH, METADATA_GRAPH, NIF, ONTOLOGY_GRAPH
from dipkg.graph.publish import nquads, publish_release, summary_json, trig, turtle
from dipkg.graph.rdf import ArticleGraphWriter, article_iri, entity_graph, harmonize_kinds
from dipkg.graph.reasoning import infer
from dipkg.graph.registry import Registry, load_first_names, load_registry
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


def extract_text(text: str, published: str = "2016-05-06", file_name: str = "example.txt"
                 ) -> tuple[ArticleFacts, Registry]:
    """The facts of one text, as ``build`` would extract them (for tests and exploration).

    Returns the facts and the registry (with any entity the text introduced)."""
    registry, finder = _finder()
    article = Article(file_name, text, PartialDate.parse(published, file_name))
    build_registry = registry.copy()
    mentions = finder.find(article, build_registry)
    return extract(article, mentions, build_registry), build_registry


def build(articles_dir: Path) -> BuildResult:
    started = time.perf_counter()
    registry, finder = _finder()
    articles = load_articles(articles_dir)
    build_registry = registry.copy()
    dataset = Dataset()
    ontology = Graph().parse(ontology_dir() / "dipkg.ttl", format="turtle")
    # the OWL lists' blank nodes get canonical labels, so dipkg.nq is the same on every build
    for triple in to_canonical_graph(ontology):
        dataset.graph(ONTOLOGY_GRAPH).add(triple)
    all_facts: list[ArticleFacts] = []
    by_kind: Counter[str] = Counter()
    discoveries: list[ArticleDiscovery] = []
    for i, article in enumerate(articles, 1):
        _progress(i, len(articles), article.file_name)
        known = set(build_registry.entities)
        mentions = finder.find(article, build_registry)
        facts = extract(article, mentions, build_registry)
        discoveries.append(discovery_report(mentions, build_registry, known))
        all_facts.append(facts)
        by_kind.update(facts.counts())
    harmonize_kinds(all_facts)
    for facts in all_facts:
        ArticleGraphWriter(dataset.graph(article_iri(facts.article)), facts.article).write(facts)
    used = set().union(*(f.entities for f in all_facts)) if all_facts else set()
    entity_graph(dataset, build_registry, used)
    check_spans(dataset)
    asserted = Graph()
    for ctx in dataset.graphs():
        for triple in ctx:
            asserted.add(triple)
    inferred = infer(asserted)
    inferred_graph = dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        inferred_graph.add(triple)
    report = check(with_class_closure(asserted))
    if not report.conforms:
        raise BuildError(f"SHACL validation failed with {report.violations} violation(s):\n"
                         + "\n".join(report.text.splitlines()[:60]))
    # described after reasoning and validation: it is about the dataset, not part of its facts
    metadata_graph(dataset.graph(METADATA_GRAPH), articles, input_time(articles_dir))
    return BuildResult(dataset, all_facts, len(asserted), len(inferred),
                       time.perf_counter() - started, by_kind, discoveries)


def publish(result: BuildResult, out: Path) -> None:
    union = Graph()
    for ctx in result.dataset.graphs():
        for triple in ctx:
            union.add(triple)
    publish_release(out, {
        "dipkg.trig": trig(result.dataset),
        "dipkg.nq": nquads(result.dataset),
        "dipkg.ttl": turtle(union),
        # the union without the articles' full texts: each fact keeps its sentences (nif:anchorOf)
        # while the publishers' texts stay out (graph/metadata.py on the licence)
        "dipkg-spans.ttl": turtle(union, leave_out=[str(NIF.isString)]),
        "build-info.json": summary_json(result.summary()),
    }, finish=write_store)


__all__ = ["DIP", "BuildError", "BuildResult", "InputError", "build", "publish"]
