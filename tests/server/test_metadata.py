"""The dataset's metadata as the service gives it: the service description and /.well-known/void
(VoID), every download, and /api/terms (the editor's autocompletion) — all read back with rdflib
and httpx from the real server."""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from dipkg.graph.resources import package_version
from tests.server.conftest import RunningServer

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = URIRef("https://w3id.org/dipkg/dataset")
IS_STRING = URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString")
DIP = "https://w3id.org/dipkg/ontology#"


def _get(server: RunningServer, path: str, **headers: str) -> httpx.Response:
    response = httpx.get(server.url + path, headers=headers, timeout=60)
    assert response.status_code == 200, response.text[:300]
    return response


def _check_metadata(g: Graph, dumped: Graph) -> None:
    """The description of the dataset in ``g`` says what the build wrote into ``dumped``."""
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.rights,
                      DCTERMS.modified, OWL.versionInfo):
        assert g.value(DATASET, predicate) == dumped.value(DATASET, predicate), predicate
        assert g.value(DATASET, predicate) is not None, predicate
    assert set(g.objects(DATASET, DCTERMS.source)) == set(dumped.objects(DATASET, DCTERMS.source))
    assert len(set(g.objects(DATASET, DCTERMS.source))) == 5
    assert g.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(DATASET, OWL.versionInfo) == Literal(package_version())
    modified = g.value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == XSD.dateTime


@pytest.fixture(scope="module")
def dumped(seed_build) -> Graph:
    return Graph().parse(seed_build.out / "dipkg.ttl", format="turtle")


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_the_service_description_and_void_describe_the_dataset(server: RunningServer, dumped: Graph,
                                                               path: str) -> None:
    response = _get(server, path, Accept="text/turtle")
    g = Graph().parse(data=response.text, format="turtle")
    service = g.value(predicate=RDF.type, object=SD.Service)
    assert g.value(service, SD.endpoint) == URIRef(server.sparql)  # also at /.well-known/void
    assert g.value(service, SD.defaultDataset) == DATASET
    assert {SD.Dataset, VOID.Dataset, URIRef("http://www.w3.org/ns/dcat#Dataset")} <= set(g.objects(DATASET, RDF.type))
    _check_metadata(g, dumped)
    dumps = {str(d) for d in g.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{server.url}/download/dipkg.{ext}" for ext in ("nq", "trig", "ttl", "jsonld")}
    subset = g.value(DATASET, VOID.subset)
    assert g.value(subset, VOID.dataDump) == URIRef(f"{server.url}/download/dipkg-spans.ttl")
    for dump in (*dumps, str(g.value(subset, VOID.dataDump))):  # every dump listed is there
        assert httpx.head(dump, timeout=60).status_code == 200, dump


def test_void_answers_a_browser_with_rdf_not_the_query_page(server: RunningServer) -> None:
    response = httpx.get(server.url + "/.well-known/void", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("name,fmt", [("dipkg.jsonld", "json-ld"), ("dipkg.trig", "trig"), ("dipkg.nq", "nquads"),
                                      ("dipkg.ttl", "turtle"), ("dipkg-spans.ttl", "turtle")])
def test_every_download_carries_the_metadata(server: RunningServer, dumped: Graph, name: str, fmt: str) -> None:
    body = _get(server, f"/download/{name}").content
    if fmt in ("turtle",):
        g = Graph().parse(data=body, format=fmt)
    else:
        ds = Dataset()
        ds.parse(data=body, format=fmt)
        g = Graph()
        for graph in ds.graphs():
            for triple in graph:
                g.add(triple)
    _check_metadata(g, dumped)
    texts = len(set(g.triples((None, IS_STRING, None))))
    assert texts == (0 if name == "dipkg-spans.ttl" else 5)


def test_the_spans_download_is_made_from_the_data_where_the_release_lacks_it(seed_build, tmp_path, start_server,
                                                                             dumped: Graph) -> None:
    """Serving files (no release), the spans variant is produced: the same triples as the build's."""
    running = start_server(["--rdf", str(seed_build.out / "dipkg.ttl")])
    made = Graph().parse(data=_get(running, "/download/dipkg-spans.ttl").content, format="turtle")
    built = Graph().parse(seed_build.out / "dipkg-spans.ttl", format="turtle")
    assert len(made) == len(built) and not set(made.triples((None, IS_STRING, None)))


def test_an_unknown_download_names_the_ones_there_are(server: RunningServer) -> None:
    response = httpx.get(server.url + "/download/dipkg-texts.ttl", timeout=30)
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "/download/dipkg-spans.ttl" in detail and "/download/wikidata.qs" in detail


def test_api_terms_lists_the_datasets_classes_and_properties_with_labels(server: RunningServer) -> None:
    terms = _get(server, "/api/terms").json()
    classes = {t["iri"]: t for t in terms["classes"]}
    properties = {t["iri"]: t for t in terms["properties"]}
    meeting = classes[DIP + "Meeting"]
    assert meeting["prefixed"] == "dip:Meeting" and meeting["label"] == "meeting" and meeting["comment"]
    count = f"SELECT (COUNT(DISTINCT ?m) AS ?n) {{ ?m a <{DIP}Meeting> }}"
    answer = httpx.get(server.sparql, params={"query": count}, timeout=30).json()
    meetings = answer["results"]["bindings"][0]["n"]["value"]
    assert meeting["entities"] == int(meetings)
    assert properties[DIP + "participant"]["label"] == "participant"
    assert properties[DIP + "participant"]["triples"] > 0
    # the same partitions as VoID's: nothing more, nothing less
    sd = Graph().parse(data=_get(server, "/sparql", Accept="text/turtle").text, format="turtle")
    assert set(classes) == {str(sd.value(p, VOID["class"])) for p in sd.objects(DATASET, VOID.classPartition)}
    assert set(properties) == {str(sd.value(p, VOID.property)) for p in sd.objects(DATASET, VOID.propertyPartition)}


def test_the_about_page_offers_every_download_and_says_the_licence(server: RunningServer) -> None:
    about = httpx.get(server.url + "/about", timeout=60).text
    links = set(re.findall(r'href="(/download/[^"]+|/\.well-known/void)"', about))
    assert {"/download/dipkg-spans.ttl", "/download/wikidata.qs", "/download/wikidata-rejected.tsv",
            "/.well-known/void", "/download/dipkg.nq"} <= links
    for link in links:
        assert httpx.head(server.url + link, timeout=60).status_code == 200, link
    assert "CC BY 4.0" in about and "stay their publishers'" in about
