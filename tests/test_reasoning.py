"""Stage 6: the OWL-RL closure, in its own graph and filtered of noise."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graph.namespace import DIP_IRI, ID_IRI, INFERRED_GRAPH

ABE = URIRef(ID_IRI + "Shinzo_Abe")


def dip(term: str) -> URIRef:
    return URIRef(DIP_IRI + term)


def test_abe_participated_in_a_meeting_he_is_a_participant_of(inferred: Graph, article_graphs) -> None:
    asserted = {m for _, (_, g) in article_graphs.items() for m in g.subjects(dip("participant"), ABE)}
    entailed = set(inferred.objects(ABE, dip("participatedIn")))
    assert asserted and entailed == asserted


def test_every_participant_speaker_and_target_is_involved_in_its_fact(inferred: Graph,
                                                                       article_graphs) -> None:
    checked = 0
    for _, (_, graph) in article_graphs.items():
        for prop in ("participant", "speaker", "target", "imposedBy", "holder"):
            for fact, _, agent in graph.triples((None, dip(prop), None)):
                assert (agent, dip("involvedIn"), fact) in inferred, (prop, fact, agent)
                assert (fact, dip("involves"), agent) in inferred, (prop, fact, agent)
                checked += 1
    assert checked > 50


def test_every_leader_is_typed_person_in_the_inferred_graph(entities: Graph, inferred: Graph) -> None:
    leaders = set(entities.subjects(RDF.type, dip("Leader")))
    assert ABE in leaders
    for leader in leaders:
        assert (leader, RDF.type, dip("Person")) in inferred, leader


def test_claims_is_entailed_as_the_inverse_of_claimed_by(inferred: Graph, article_graphs) -> None:
    claimed = [(t, s) for _, (_, g) in article_graphs.items() for t, _, s in g.triples((None, dip("claimedBy"), None))]
    assert claimed
    for territory, state in claimed:
        assert (state, dip("claims"), territory) in inferred


def test_no_inferred_triple_is_also_in_another_graph(dataset: Dataset, inferred: Graph) -> None:
    """Asserted and inferred are never mixed: the inferred graph holds only what nothing states."""
    assert len(inferred) > 100
    for graph in dataset.graphs():
        if graph.identifier == INFERRED_GRAPH:
            continue
        overlap = [t for t in graph if t in inferred]
        assert overlap == [], graph.identifier


def test_inferred_graph_has_no_literal_subjects(inferred: Graph) -> None:
    assert [t for t in inferred if isinstance(t[0], Literal)] == []


def test_inferred_graph_has_no_reflexive_same_as(inferred: Graph) -> None:
    assert [(s, o) for s, _, o in inferred.triples((None, OWL.sameAs, None)) if s == o] == []


def test_inferred_graph_has_no_owl_thing_or_resource_types(inferred: Graph) -> None:
    for noise in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual):
        assert list(inferred.subjects(RDF.type, noise)) == []


def test_inferred_graph_never_mentions_wikidata_iris(inferred: Graph) -> None:
    wd = "http://www.wikidata.org/"
    assert [t for t in inferred if str(t[0]).startswith(wd) or str(t[2]).startswith(wd)] == []


def test_inferred_triples_are_about_our_own_resources(inferred: Graph) -> None:
    assert [t for t in inferred if not str(t[0]).startswith(ID_IRI)] == []


def test_links_to_wikidata_change_nothing_that_is_kept() -> None:
    """The closure is computed without the owl:sameAs links to Wikidata (they only make owlrl
    copy triples onto Wikidata IRIs, which are dropped): with or without them, the same."""
    from graph.reasoning import infer
    from graph.resources import ontology_dir

    ontology = Graph().parse(ontology_dir() / "dipkg.ttl", format="turtle")
    kenya, meeting = URIRef(ID_IRI + "Kenya"), URIRef(ID_IRI + "meeting-test")
    leader = URIRef(ID_IRI + "William_Ruto")
    facts = [(leader, RDF.type, dip("Leader")), (kenya, RDF.type, dip("State")),
             (meeting, dip("participant"), leader), (meeting, dip("participant"), kenya)]
    plain, linked = Graph(), Graph()
    for triple in [*ontology, *facts]:
        plain.add(triple)
        linked.add(triple)
    linked.add((kenya, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q114")))
    inferred = infer(linked)
    assert set(inferred) == set(infer(plain))
    assert (leader, RDF.type, dip("Person")) in inferred
    assert (kenya, dip("participatedIn"), meeting) in inferred
