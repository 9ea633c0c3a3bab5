"""Provenance's engine calls: how many round trips an answer costs, and what the batched lookups
must not change (prefixed names in VALUES, premises worked out from the ontology, the caches).

The engine here is the real one (worker processes over the seed build); the subclass only counts
the queries it is given, so that the number of round trips — what made provenance cost 4–7× the
plain query — is checked by count, not by a timing threshold.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dipkg.server import provenance
from dipkg.server.app import Service
from dipkg.server.config import Settings
from dipkg.server.dataset import ServedDataset, load_dataset
from dipkg.server.engine import QueryEngine, QueryRequest, Result, Solutions
from dipkg.server.provenance import cache

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = """PREFIX dip: <https://w3id.org/dipkg/ontology#>
PREFIX id: <https://w3id.org/dipkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
JOIN = PREFIXES + "SELECT ?m ?p ?d WHERE { ?m a dip:Meeting ; dip:participant ?p ; prov:wasDerivedFrom ?d }"


class CountingEngine(QueryEngine):
    """The service's engine, keeping the text of every query it runs."""

    def __init__(self, dataset: ServedDataset, settings: Settings) -> None:
        super().__init__(dataset, settings)
        self.queries: list[str] = []

    def execute(self, request: QueryRequest) -> Result:
        self.queries.append(request.query)
        return super().execute(request)


@pytest.fixture(scope="module")
def local(seed_build: Any) -> Iterator[Service]:
    settings = Settings(data_dir=seed_build.out, workers=1)
    dataset = load_dataset(settings)
    engine = CountingEngine(dataset, settings)
    yield Service(settings, dataset, engine, time.time())
    engine.close()
    dataset.close()


def traced(service: Service, query: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The provenance of ``query``'s answer, and the queries provenance sent to get it (the
    dataset's caches warmed first, as on a service that has answered once)."""
    engine = service.engine
    assert isinstance(engine, CountingEngine)
    request = QueryRequest(query)
    result = engine.execute(request)
    assert isinstance(result, Solutions) and result.rows
    provenance.annotate(service, request, result)
    engine.queries.clear()
    entries = provenance.annotate(service, request, result)
    return entries, list(engine.queries)


def example(name: str) -> str:
    return next((ROOT / "examples").glob(f"{name}*.rq")).read_text(encoding="utf-8")


@pytest.mark.parametrize(("query", "calls"), [
    (JOIN, 1),                              # was 4: graphs, spans, sentences, articles
    (example("01"), 3),                     # was 6: + the WHERE clause again, the path's steps
    (example("02"), 3),                     # was 8: three paths, three queries
    (example("05"), 3),                     # was 7: + two levels of premises
])
def test_round_trips_do_not_grow_with_the_steps_of_the_work(local: Service, query: str, calls: int) -> None:
    entries, sent = traced(local, query)
    assert any(e["sources"] for e in entries)
    assert len(sent) == calls, "\n---\n".join(q[:300] for q in sent)


def test_a_users_prefix_named_like_ours_keeps_its_meaning(local: Service) -> None:
    """VALUES rows use prefixed names of our own; a query that declares one of those labels for
    something else must not have its IRIs read through our namespace, or the reverse."""
    theirs = """PREFIX dipkgpvi: <https://w3id.org/dipkg/ontology#>
    PREFIX id: <https://w3id.org/dipkg/id/>
    SELECT ?m WHERE { ?m a dipkgpvi:Meeting ; dipkgpvi:participant id:Shinzo_Abe ; dipkgpvi:date ?date }"""
    ours = PREFIXES + "SELECT ?m WHERE { ?m a dip:Meeting ; dip:participant id:Shinzo_Abe ; dip:date ?date }"
    clashing, sent = traced(local, theirs)
    plain, _ = traced(local, ours)
    assert clashing == plain
    assert all(entry["sources"] and not entry["untraced"] for entry in clashing)
    # the WHERE clause run again, joined with the answer's meetings: written in full, not as dipkgpvi:
    assert "<https://w3id.org/dipkg/id/meeting-" in sent[0] and "dipkgpvi:meeting-" not in sent[0]


def test_a_chain_of_inferences_is_explained_to_the_sentence(local: Service, seed_texts: dict[str, str]) -> None:
    """dip:involvedIn ← owl:inverseOf dip:involves ← rdfs:subPropertyOf dip:participant: the
    premises, worked out from the ontology's axioms, end in a triple an article states."""
    entries, _ = traced(local, PREFIXES + "SELECT ?m WHERE { id:Vladimir_Putin dip:involvedIn ?m }")
    for entry in entries:
        [item] = entry["untraced"]
        assert item["reason"] == "inferred" and item["rule"] == "owl:inverseOf"
        [step] = item["premises"]
        assert step["graphs"] == ["https://w3id.org/dipkg/graph/inferred"]
        assert step["rule"] == "rdfs:subPropertyOf"
        [stated] = step["premises"]
        assert stated["graphs"][0].startswith("https://w3id.org/dipkg/id/article-")
        [source] = [s for s in entry["sources"] if s["article"] == stated["graphs"][0]]
        assert stated["triple"] in source["triples"] and source["sentences"]
        text = seed_texts[source["file"]]
        assert all(text[s["begin"]:s["end"]] == s["text"] for s in source["sentences"])


def test_a_transitive_triple_has_both_links_as_premises(local: Service) -> None:
    entries, _ = traced(local, PREFIXES + "SELECT * WHERE { id:Shikotan dip:partOf id:Kuril_Islands }")
    [item] = entries[0]["untraced"]
    assert item["rule"] == "owl:TransitiveProperty"
    first, second = (p["triple"] for p in item["premises"])
    assert first[0] == "<https://w3id.org/dipkg/id/Shikotan>" and second[2] == "<https://w3id.org/dipkg/id/Kuril_Islands>"
    assert first[2] == second[0] not in (first[0], second[2])
    assert {p["graphs"][0] for p in item["premises"]} == {"https://w3id.org/dipkg/graph/entities"}


def test_each_dataset_object_has_its_own_cache(tmp_path: Path) -> None:
    """A new release is a new dataset object: it never sees the articles cached for the old one,
    even at the address of an old one that is gone."""
    settings = Settings(data_dir=tmp_path)
    first, second = ServedDataset(settings, tmp_path / "a"), ServedDataset(settings, tmp_path / "b")
    cache.dataset_cache(first).articles["x"] = {"title": "old"}
    assert cache.dataset_cache(first) is cache.dataset_cache(first)
    assert "x" not in cache.dataset_cache(second).articles
    del first
    gc.collect()
    for _ in range(50):  # new objects, some at the address the old one had
        assert "x" not in cache.dataset_cache(ServedDataset(settings, tmp_path / "c")).articles


def test_lookups_split_to_fit_a_small_query_size_limit(local: Service, seed_build: Any) -> None:
    """Under a query size limit that a lookup outgrows, it is sent in pieces, each under the
    limit, and the provenance is the same as in one piece."""
    settings = Settings(data_dir=seed_build.out, workers=1, max_query_bytes=4096)
    dataset = load_dataset(settings)
    engine = CountingEngine(dataset, settings)
    try:
        small = Service(settings, dataset, engine, time.time())
        for query in (JOIN, example("05")):
            pieces, sent = traced(small, query)
            whole, _ = traced(local, query)
            assert pieces == whole
            assert len(sent) > 3 and all(len(q.encode()) <= 4096 for q in sent)
    finally:
        engine.close()
        dataset.close()
