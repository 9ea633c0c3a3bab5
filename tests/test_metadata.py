"""The dataset describes itself in every dump: title, description, licence, sources, date, version
(graph/metadata.py), and ``dipkg-spans.ttl`` is the union without the articles' full texts."""

from __future__ import annotations

import datetime
import os
import tomllib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from dipkg.cli import main
from dipkg.graph.metadata import input_time
from dipkg.graph.namespace import DATASET_IRI, DCAT, METADATA_GRAPH, NIF, VOID
from dipkg.graph.resources import package_version

ROOT = Path(__file__).resolve().parent.parent
DATASET = URIRef(DATASET_IRI)
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


def _dump(out: Path, name: str) -> Graph:
    """A dump as a reader gets it: parsed by rdflib, graphs merged (the metadata is in the union)."""
    path = out / name
    if name.endswith(".ttl"):
        return Graph().parse(path, format="turtle")
    ds = Dataset()
    ds.parse(path, format="trig" if name.endswith(".trig") else "nquads")
    union = Graph()
    for graph in ds.graphs():
        for triple in graph:
            union.add(triple)
    return union


def _expected_sources() -> set[URIRef]:
    manifest = tomllib.loads((ROOT / "seeds" / "articles.toml").read_text(encoding="utf-8"))["article"]
    out = set()
    for entry in manifest:
        if entry.get("url"):
            out.add(URIRef(entry["url"]))
        else:
            out.add(URIRef("https://w3id.org/dipkg/id/article-" + Path(entry["file"]).stem))
    return out


@pytest.mark.parametrize("name", ["dipkg.trig", "dipkg.nq", "dipkg.ttl", "dipkg-spans.ttl"])
def test_every_dump_carries_the_dataset_metadata(seed_build, name: str) -> None:
    g = _dump(seed_build.out, name)
    assert {VOID.Dataset, DCAT.Dataset} <= set(g.objects(DATASET, RDF.type))
    title = g.value(DATASET, DCTERMS.title)
    assert isinstance(title, Literal) and title.language == "en" and "diplomacy" in str(title)
    assert len(str(g.value(DATASET, DCTERMS.description))) > 80
    assert g.value(DATASET, DCTERMS.license) == CC_BY
    assert "copyright of their publishers" in str(g.value(DATASET, DCTERMS.rights))
    assert set(g.objects(DATASET, DCTERMS.source)) == _expected_sources()
    modified = g.value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == XSD.dateTime
    assert isinstance(modified.toPython(), datetime.datetime)
    assert g.value(DATASET, OWL.versionInfo) == Literal(package_version())


def test_the_metadata_is_a_named_graph_of_its_own_and_no_fact_is_about_the_dataset(seed_build) -> None:
    ds = Dataset()
    ds.parse(seed_build.out / "dipkg.trig", format="trig")
    metadata = ds.graph(METADATA_GRAPH)
    assert len(metadata) > 8 and set(metadata.subjects()) == {DATASET}
    elsewhere = [g.identifier for g in ds.graphs() if g.identifier != METADATA_GRAPH and (DATASET, None, None) in g]
    assert elsewhere == []


def test_the_spans_dump_is_the_union_without_the_article_texts(seed_build) -> None:
    full = _dump(seed_build.out, "dipkg.ttl")
    spans = _dump(seed_build.out, "dipkg-spans.ttl")
    texts = set(full.triples((None, NIF.isString, None)))
    assert len(texts) == 5 and not set(spans.triples((None, NIF.isString, None)))
    assert len(spans) == len(full) - len(texts)
    # every source sentence is still there, with its offsets
    assert set(spans.triples((None, NIF.anchorOf, None))) == set(full.triples((None, NIF.anchorOf, None)))
    assert len(set(spans.triples((None, NIF.anchorOf, None)))) > 50


def test_modified_is_when_the_input_last_changed_so_a_rebuild_keeps_its_bytes(tmp_path: Path,
                                                                               article_folder) -> None:
    folder = article_folder(tmp_path / "a", {"a.txt": "Abe met Putin in Moscow on Monday.\n"})
    stamp = 1_500_000_000
    for path in folder.iterdir():
        os.utime(path, (stamp, stamp))
    ontology_newest = input_time(tmp_path / "empty-folder")
    expected = max(datetime.datetime.fromtimestamp(stamp, datetime.UTC), ontology_newest)
    assert input_time(folder) == expected
    os.utime(folder / "a.txt", (stamp + 10**9, stamp + 10**9))  # an article edited later
    assert input_time(folder) == datetime.datetime.fromtimestamp(stamp + 10**9, datetime.UTC)


def test_source_date_epoch_sets_modified(tmp_path: Path, article_folder, monkeypatch) -> None:
    folder = article_folder(tmp_path / "a", {"a.txt": "Abe met Putin in Moscow on Monday.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert main(["build", "--articles", str(folder), "--out", str(tmp_path / "out")]) == 0
    g = _dump(tmp_path / "out", "dipkg.ttl")
    assert g.value(DATASET, DCTERMS.modified) == Literal("2023-11-14T22:13:20+00:00", datatype=XSD.dateTime)


def test_a_bad_source_date_epoch_is_a_one_line_error(tmp_path: Path, article_folder, monkeypatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = article_folder(tmp_path / "a", {"a.txt": "Abe met Putin in Moscow on Monday.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert main(["build", "--articles", str(folder), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SOURCE_DATE_EPOCH" in err and "'yesterday'" in err
    assert not (tmp_path / "out").exists()
