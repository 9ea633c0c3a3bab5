"""Stage 5: facts → RDF — IRIs, provenance spans, article metadata, one node per fact."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef, namespace
from rdflib.namespace import DCTERMS, OWL, RDF

from dipkg.graph.build import extract_text
from dipkg.graph.namespace import DIP_IRI, ENTITY_GRAPH, ID_IRI, INFERRED_GRAPH, NIF, ONTOLOGY_GRAPH, PROV
from dipkg.graph.rdf import ArticleGraphWriter, harmonize_kinds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def dip(term: str) -> URIRef:
    return URIRef(DIP_IRI + term)


FACT_CLASSES = ("Meeting", "PositionHolding", "Sanction", "Quote", "TerritoryName")
PLAIN_FACTS = ("claimedBy", "controlledBy", "memberOf")


def _fact_nodes(graph: Graph) -> set[URIRef]:
    nodes = set()
    for cls in FACT_CLASSES:
        nodes |= set(graph.subjects(RDF.type, dip(cls)))  # type: ignore[arg-type]
    nodes |= set(graph.subjects(RDF.type, RDF.Statement))  # type: ignore[arg-type]
    return nodes


# -- IRIs ---------------------------------------------------------------------------------------

def test_resource_iris_are_id_slash_name_with_no_further_slash(dataset: Dataset) -> None:
    names = set()
    for quad in dataset.quads():
        for term in quad:
            if isinstance(term, URIRef) and str(term).startswith(ID_IRI):
                names.add(str(term)[len(ID_IRI):])
    assert "Shinzo_Abe" in names and "Vladimir_Putin" in names
    bad = sorted(n for n in names if not re.fullmatch(r"[A-Za-z0-9_-]+", n))
    assert bad == []


def test_fact_and_span_iris_have_their_kind_as_prefix(article_graphs) -> None:
    for _, (article, graph) in article_graphs.items():
        assert str(article).startswith(ID_IRI + "article-")
        for node in graph.subjects(RDF.type, dip("Meeting")):
            assert str(node).startswith(ID_IRI + "meeting-")
        for node in graph.subjects(RDF.type, dip("Span")):
            assert str(node).startswith(ID_IRI + "span-")


def test_no_blank_nodes_in_article_entity_or_inferred_graphs(dataset: Dataset) -> None:
    for graph in dataset.graphs():
        if graph.identifier == ONTOLOGY_GRAPH:
            continue
        blank = [t for t in graph if any(isinstance(x, BNode) for x in t)]
        assert blank == [], graph.identifier


def test_ontology_blank_nodes_are_only_owl_list_and_axiom_structure(ontology_graph: Graph) -> None:
    """Whatever blank nodes the ontology has, none is a resource typed by or described with dip: terms."""
    allowed = {RDF.first, RDF.rest, OWL.unionOf, OWL.oneOf, OWL.members, RDF.type}
    for s, p, _ in ontology_graph:
        if isinstance(s, BNode):
            assert p in allowed, (s, p)


# -- provenance ------------------------------------------------------------------------------

def test_every_span_anchor_is_the_article_file_text_between_its_offsets(dataset: Dataset) -> None:
    spans = 0
    for graph in dataset.graphs():
        for span, _, article in graph.triples((None, NIF.referenceContext, None)):
            file_name = str(graph.value(article, dip("fileName")))
            text = (SEEDS / file_name).read_text(encoding="utf-8")
            begin = int(graph.value(span, NIF.beginIndex))  # type: ignore[arg-type]
            end = int(graph.value(span, NIF.endIndex))  # type: ignore[arg-type]
            assert text[begin:end] == str(graph.value(span, NIF.anchorOf)), span
            spans += 1
    assert spans > 50


def test_every_fact_node_is_derived_from_a_span_in_its_own_graph(article_graphs) -> None:
    checked = 0
    for file_name, (article, graph) in article_graphs.items():
        for node in _fact_nodes(graph):
            spans = [s for s in graph.objects(node, PROV.wasDerivedFrom)
                     if (s, NIF.referenceContext, article) in graph]
            assert spans, (file_name, node)
            checked += 1
    assert checked > 100


def test_every_plain_fact_triple_is_reified_in_the_same_graph(article_graphs) -> None:
    for file_name, (_, graph) in article_graphs.items():
        for prop in PLAIN_FACTS:
            for s, p, o in graph.triples((None, dip(prop), None)):
                statements = set(graph.subjects(RDF.subject, s)) & set(graph.subjects(RDF.predicate, p)) \
                    & set(graph.subjects(RDF.object, o))
                assert statements, (file_name, s, p, o)
                assert all(list(graph.objects(st, PROV.wasDerivedFrom)) for st in statements)


def test_a_fact_stated_by_two_articles_is_one_node_with_spans_in_both(article_graphs) -> None:
    where: dict[URIRef, set[str]] = defaultdict(set)
    for file_name, (article, graph) in article_graphs.items():
        for node in _fact_nodes(graph):
            if any((s, NIF.referenceContext, article) in graph
                   for s in graph.objects(node, PROV.wasDerivedFrom)):
                where[node].add(file_name)
    shared = {node: files for node, files in where.items() if len(files) >= 2}
    assert shared, "no fact node is stated (with a span) in two article graphs"


def test_abes_2014_sochi_visit_is_one_node_in_000_and_002(article_graphs) -> None:
    abe, sochi = URIRef(ID_IRI + "Shinzo_Abe"), URIRef(ID_IRI + "Sochi")
    found = []
    for file_name in ("000_fb51a5ec027aa79b.txt", "002_364371207c980505.txt"):
        _, graph = article_graphs[file_name]
        found.append({m for m in graph.subjects(dip("participant"), abe)
                      if (m, dip("location"), sochi) in graph
                      and str(graph.value(m, dip("date"))).startswith("2014")})
    assert found[0] & found[1]


# -- articles -------------------------------------------------------------------------------------

def test_article_metadata_follows_the_manifest(article_graphs, manifest, seed_texts) -> None:
    assert sorted(article_graphs) == sorted(manifest)
    xsd = namespace.XSD  # not a module global: pytest would probe it and rdflib warn
    datatypes = {4: xsd.gYear, 7: xsd.gYearMonth, 10: xsd.date}
    for file_name, entry in manifest.items():
        article, graph = article_graphs[file_name]
        assert (article, RDF.type, dip("Article")) in graph
        assert (article, RDF.type, NIF.Context) in graph
        assert (article, dip("fileName"), Literal(file_name)) in graph
        assert str(graph.value(article, NIF.isString)) == seed_texts[file_name]
        published = str(entry["published"])
        assert (article, DCTERMS.issued, Literal(published, datatype=datatypes[len(published)])) in graph
        for key, prop in (("title", DCTERMS.title), ("publisher", DCTERMS.publisher)):
            values = [str(v) for v in graph.objects(article, prop)]
            assert values == ([entry[key]] if entry.get(key) else []), (file_name, key)


def test_every_article_graph_holds_only_its_own_spans(article_graphs) -> None:
    for file_name, (article, graph) in article_graphs.items():
        contexts = set(graph.objects(None, NIF.referenceContext))
        assert contexts == {article}, file_name


# -- entities ---------------------------------------------------------------------------------------

def _checked_qids() -> dict[str, str]:
    rows = (ROOT / "ontology" / "wikidata-ids.tsv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    out = {}
    for row in rows[1:]:
        cells = dict(zip(header, row.split("\t"), strict=False))
        out[cells["qid"]] = cells["kind"]
    return out


def test_every_owl_same_as_is_a_checked_wikidata_entity(dataset: Dataset) -> None:
    kinds = _checked_qids()
    links = [(s, o) for s, _, o, _ in dataset.quads((None, OWL.sameAs, None, None))]
    assert len(links) > 10
    for s, o in links:
        assert str(s).startswith(ID_IRI), s
        assert str(o).startswith("http://www.wikidata.org/entity/Q"), (s, o)
        assert kinds.get(str(o).rsplit("/", 1)[-1]) == "entity", (s, o)


def test_entity_graph_links_abe_and_putin(entities: Graph) -> None:
    assert (URIRef(ID_IRI + "Shinzo_Abe"), OWL.sameAs,
            URIRef("http://www.wikidata.org/entity/Q132345")) in entities
    assert (URIRef(ID_IRI + "Vladimir_Putin"), OWL.sameAs,
            URIRef("http://www.wikidata.org/entity/Q7747")) in entities


def test_inferred_and_entity_graphs_are_named_graphs_of_their_own(dataset: Dataset) -> None:
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert {ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH} <= names


# -- one node per fact -------------------------------------------------------------------------------

def _write_two_articles(first: str, second: str) -> Dataset:
    """Two articles through the build's own steps: extract both, harmonize, then write."""
    ds = Dataset()
    extracted = [extract_text(text, published="2016-05-06", file_name=name)[0]
                 for name, text in (("a.txt", first), ("b.txt", second))]
    harmonize_kinds(extracted)
    for facts in extracted:
        writer = ArticleGraphWriter(ds.graph(URIRef(ID_IRI + f"article-{facts.article.file_name[0]}")), facts.article)
        writer.write(facts)
    return ds


def test_one_meeting_worded_differently_by_two_articles_has_one_kind() -> None:
    ds = _write_two_articles("Kishida met Lavrov in Moscow on Friday.",
                             "Foreign Minister Fumio Kishida met Sergei Lavrov in Moscow on Friday.")
    union = Graph()
    for graph in ds.graphs():
        for t in graph:
            union.add(t)
    meetings = set(union.subjects(RDF.type, dip("Meeting")))
    assert len(meetings) == 1
    [meeting] = meetings
    assert len(set(union.objects(meeting, dip("kind")))) == 1


def test_one_position_capitalised_differently_by_two_articles_has_one_role() -> None:
    ds = _write_two_articles("Russian President Vladimir Putin arrived on Friday.",
                             "Russian president Vladimir Putin arrived on Friday.")
    union = Graph()
    for graph in ds.graphs():
        for t in graph:
            union.add(t)
    for node in set(union.subjects(RDF.type, dip("PositionHolding"))):
        assert len(set(union.objects(node, dip("role")))) == 1, node
