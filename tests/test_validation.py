"""Stage 7: SHACL validation — the seed graph conforms, broken copies do not, and an invalid
graph is never published."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from dipkg.cli import main
from dipkg.graph.namespace import DIP_IRI, NIF, PROV
from dipkg.graph.validation import ValidationReport, check

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


@dataclass(frozen=True)
class Broken:
    """A copy of the seed graph with three independent kinds of damage, validated once."""

    same_length_anchor: URIRef
    longer_anchor: URIRef
    meeting_without_participants: URIRef
    without_provenance: list[URIRef]
    report: ValidationReport

    def lines_about(self, node: URIRef) -> list[str]:
        return [line for line in self.report.text.splitlines() if str(node) in line]


@pytest.fixture(scope="module")
def broken(union: Graph) -> Broken:
    g = _copy(union)
    # 1. two spans whose anchor is no longer the article text (same length / other length)
    first, second = sorted(g.subjects(NIF.anchorOf, None))[:2]
    g.set((first, NIF.anchorOf, Literal(str(g.value(first, NIF.anchorOf)).swapcase())))
    g.set((second, NIF.anchorOf, Literal(str(g.value(second, NIF.anchorOf)) + " (edited)")))
    # 2. a meeting loses its participants (a group's own summit has one: 1..n, as the vocabulary says)
    meeting = next(m for m in sorted(g.subjects(RDF.type, dip("Meeting")))
                   if len(set(g.objects(m, dip("participant")))) == 2)
    g.remove((meeting, dip("participant"), None))
    # 3. one fact of each kind, and one reified statement, lose their provenance
    stripped = [sorted(set(g.subjects(RDF.type, cls)) - {meeting})[0] for cls in (
        dip("Quote"), dip("PositionHolding"), dip("Sanction"), dip("Meeting"), dip("TerritoryName"),
        RDF.Statement)]
    for fact in stripped:
        g.remove((fact, PROV.wasDerivedFrom, None))
    return Broken(first, second, meeting, stripped, check(g))


def test_a_broken_copy_does_not_conform(broken: Broken) -> None:
    assert not broken.report.conforms
    assert broken.report.violations == 2 + 1 + len(broken.without_provenance)


def test_an_anchor_that_is_not_the_article_text_is_reported(broken: Broken) -> None:
    lines = broken.lines_about(broken.same_length_anchor)
    assert any("is not the article text between" in line for line in lines), broken.report.text


def test_an_anchor_of_the_wrong_length_is_reported(broken: Broken) -> None:
    lines = broken.lines_about(broken.longer_anchor)
    assert any("The length of nif:anchorOf" in line for line in lines), broken.report.text


def test_a_meeting_without_participants_is_reported(broken: Broken) -> None:
    assert broken.lines_about(broken.meeting_without_participants), broken.report.text
    assert "A meeting needs at least one dip:participant" in broken.report.text


def test_facts_without_provenance_are_reported(broken: Broken) -> None:
    assert "A fact needs at least one prov:wasDerivedFrom" in broken.report.text
    for fact in broken.without_provenance:
        assert broken.lines_about(fact), fact


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
    """The shapes in force are made stricter (an ontology folder of its own, via DIPKG_ONTOLOGY)
    than what a good article gives; the only natural inputs that yield an invalid graph are bugs
    (see the xfail tests of test_rdf.py), which a test must not rely on."""
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
    assert status == 2  # every error exits 2
    assert "refused to publish" in err
    assert "TEST: an article needs a dct:title." in err
    assert snapshot(previous_build) == before


def test_a_sparql_constraint_reports_only_nodes_of_its_target_classes() -> None:
    """An entity owl:sameAs two Wikidata items is reported; a node that is no entity is not."""
    wd = "http://www.wikidata.org/entity/"
    entity, other = URIRef("https://w3id.org/dipkg/id/Ruritania"), URIRef("https://w3id.org/dipkg/id/x")
    g = Graph()
    for node in (entity, other):
        g.add((node, OWL.sameAs, URIRef(wd + "Q1")))
        g.add((node, OWL.sameAs, URIRef(wd + "Q2")))
    g.add((entity, RDF.type, dip("Agent")))
    g.add((entity, RDFS.label, Literal("Ruritania", lang="en")))
    report = check(g)
    assert not report.conforms and report.violations == 1
    assert "two different Wikidata items" in report.text and f"Focus node {other}" not in report.text
