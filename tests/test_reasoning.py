"""Stage 6: the OWL-RL closure, in its own graph and filtered of noise."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from dipkg.graph.namespace import DIP_IRI, ID_IRI, INFERRED_GRAPH
from dipkg.graph.reasoning import infer, infer_owlrl

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


def _asserted(dataset: Dataset) -> Graph:
    graph = Graph()
    for context in dataset.graphs():
        if context.identifier != INFERRED_GRAPH:
            for triple in context:
                graph.add(triple)
    return graph


def test_the_forward_chainer_infers_exactly_what_owlrl_does_on_the_seeds(dataset: Dataset) -> None:
    """owlrl is the reference semantics; the build's chainer must add the same filtered graph."""
    asserted = _asserted(dataset)
    ours, reference = set(infer(asserted)), set(infer_owlrl(asserted))
    assert len(ours) > 1000
    assert ours == reference


def _tiny(extra: str) -> Graph:
    prefix = (f"@prefix dip: <{DIP_IRI}> . @prefix id: <{ID_IRI}> . "
              "@prefix owl: <http://www.w3.org/2002/07/owl#> . "
              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . ")
    return Graph().parse(data=prefix + extra, format="turtle")


def test_the_chainer_agrees_with_owlrl_on_sameas_functional_and_transitive_axioms() -> None:
    """Axioms our ontology does not use today (symmetric, inverse-functional, equivalent
    properties, sameAs between our own resources) still follow OWL-RL."""
    graph = _tiny("""
        dip:near a owl:SymmetricProperty . dip:in a owl:TransitiveProperty .
        dip:code a owl:InverseFunctionalProperty . dip:status a owl:FunctionalProperty .
        dip:at owl:equivalentProperty dip:in . dip:Town rdfs:subClassOf dip:Place .
        dip:in rdfs:domain dip:Town .
        id:a dip:near id:b ; dip:in id:c ; dip:code "x" ; dip:status id:held .
        id:c dip:at id:d . id:e dip:code "x" ; dip:status id:planned .
        id:f owl:sameAs id:a .
    """)
    ours, reference = set(infer(graph)), set(infer_owlrl(graph))
    assert (URIRef(ID_IRI + "a"), dip("in"), URIRef(ID_IRI + "d")) in ours
    assert (URIRef(ID_IRI + "e"), OWL.sameAs, URIRef(ID_IRI + "a")) in ours
    assert ours == reference


def test_links_to_wikidata_change_nothing_that_is_kept() -> None:
    """The closure is computed without the owl:sameAs links to Wikidata (they only make owlrl
    copy triples onto Wikidata IRIs, which are dropped): with or without them, the same."""
    from dipkg.graph.resources import ontology_dir

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
