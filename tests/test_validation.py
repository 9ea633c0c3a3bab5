"""Stage 7: SHACL validation — the seed graph conforms, broken copies do not, and an invalid
graph is never published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from graph.cli import main
from graph.namespace import DIP_IRI, NIF, PROV
from graph.validation import check

ROOT = Path(__file__).resolve().parent.parent


def dip(term: str) -> URIRef:
    return URIRef(DIP_IRI + term)


def _copy(graph: Graph) -> Graph:
    g = Graph()
    for t in graph:
        g.add(t)
    return g


def test_the_seed_graph_conforms(union: Graph) -> None:
    report = check(union)
    assert report.conforms, report.text[:3000]
    assert report.violations == 0


def test_spans_whose_anchor_is_not_the_article_text_do_not_conform(union: Graph) -> None:
    broken = _copy(union)
    first, second = sorted(broken.subjects(NIF.anchorOf, None))[:2]
    same_length = str(broken.value(first, NIF.anchorOf)).swapcase()
    broken.set((first, NIF.anchorOf, Literal(same_length)))
    longer = str(broken.value(second, NIF.anchorOf)) + " (edited)"
    broken.set((second, NIF.anchorOf, Literal(longer)))
    report = check(broken)
    assert not report.conforms
    text_problem = [line for line in report.text.splitlines() if str(first) in line]
    assert any("is not the article text between" in line for line in text_problem), report.text
    length_problem = [line for line in report.text.splitlines() if str(second) in line]
    assert any("The length of nif:anchorOf" in line for line in length_problem), report.text


def test_a_meeting_with_one_participant_does_not_conform(union: Graph) -> None:
    broken = _copy(union)
    meeting = next(m for m in sorted(broken.subjects(RDF.type, dip("Meeting")))
                   if len(set(broken.objects(m, dip("participant")))) == 2)
    broken.remove((meeting, dip("participant"), sorted(broken.objects(meeting, dip("participant")))[0]))
    report = check(broken)
    assert not report.conforms
    assert report.violations == 1
    assert "A meeting needs at least two dip:participant values" in report.text
    assert str(meeting) in report.text


def test_facts_without_provenance_do_not_conform(union: Graph) -> None:
    """One fact of each kind, and one reified statement, lose their prov:wasDerivedFrom."""
    broken = _copy(union)
    stripped = [sorted(broken.subjects(RDF.type, cls))[0] for cls in (
        dip("Quote"), dip("PositionHolding"), dip("Sanction"), dip("Meeting"), dip("TerritoryName"),
        RDF.Statement)]
    for fact in stripped:
        broken.remove((fact, PROV.wasDerivedFrom, None))
    report = check(broken)
    assert not report.conforms
    assert report.violations == len(stripped)
    assert "A fact needs at least one prov:wasDerivedFrom" in report.text
    for fact in stripped:
        assert f"Focus Node: <{fact}>" in report.text or str(fact) in report.text, fact


STRICTER_SHAPE = """

# test only: every article must have a title
dipsh:TestArticleTitleShape
    a sh:NodeShape ;
    sh:targetClass dip:Article ;
    sh:property [
        sh:path dct:title ;
        sh:minCount 1 ;
        sh:message "TEST: an article needs a dct:title." ;
    ] .
"""


def test_build_refuses_to_publish_a_graph_that_violates_the_shapes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        article_folder, previous_build: Path, snapshot) -> None:
    """No natural input makes the pipeline emit an invalid graph, so the shapes in force are made
    stricter (an ontology folder of its own, via DIPKG_ONTOLOGY) than what the article gives."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    with (ontology / "shapes.ttl").open("a", encoding="utf-8") as shapes:
        shapes.write(STRICTER_SHAPE)
    monkeypatch.setenv("DIPKG_ONTOLOGY", str(ontology))
    folder = article_folder(tmp_path / "articles", {"004.txt": "004_0ad484827421e4c7.txt"},
                            manifest_text='[[article]]\nfile = "004.txt"\npublished = "2015-05-16"\n')
    before = snapshot(previous_build)

    status = main(["build", "--articles", str(folder), "--out", str(previous_build)])

    err = capsys.readouterr().err
    assert status == 1
    assert "refused to publish" in err
    assert "TEST: an article needs a dct:title." in err
    assert snapshot(previous_build) == before
