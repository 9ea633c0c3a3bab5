"""The one place Python names ontology terms.

``DIP.Meeting`` works only if ``ontology/dipkg.ttl`` declares ``dip:Meeting``: the ontology file
is the source of truth, and a term the code invents fails at once (and a test scans the code
for every ``DIP.x`` it uses).
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from dipkg.graph.resources import ontology_dir

DIP_IRI = "https://w3id.org/dipkg/ontology#"
ID_IRI = "https://w3id.org/dipkg/id/"
GRAPH_IRI = "https://w3id.org/dipkg/graph/"

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")
ID = Namespace(ID_IRI)

ONTOLOGY_GRAPH = URIRef(GRAPH_IRI + "ontology")
ENTITY_GRAPH = URIRef(GRAPH_IRI + "entities")
INFERRED_GRAPH = URIRef(GRAPH_IRI + "inferred")
#: The graph describing the dataset itself (title, licence, sources, version, date): VoID/DCAT.
METADATA_GRAPH = URIRef(GRAPH_IRI + "metadata")
#: The dataset as a resource: what the dumps, VoID and the service description describe.
DATASET_IRI = "https://w3id.org/dipkg/dataset"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

PREFIXES = {
    "dip": DIP_IRI, "id": ID_IRI, "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS),
    "xsd": str(XSD), "skos": str(SKOS), "prov": str(PROV), "nif": str(NIF), "dct": str(DCTERMS),
    "wd": str(WD), "void": str(VOID), "dcat": str(DCAT),
}


@cache
def declared_terms() -> frozenset[str]:
    """Local names of every dip: term the ontology declares (as a subject)."""
    graph = Graph()
    graph.parse(ontology_dir() / "dipkg.ttl", format="turtle")
    return frozenset(
        str(s)[len(DIP_IRI):] for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(DIP_IRI)
    )


class _Ontology:
    """``DIP.<term>``: an IRI of the dip: namespace, only for terms the ontology declares."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in declared_terms():
            raise AttributeError(f"dip:{name} is not declared in ontology/dipkg.ttl")
        return URIRef(DIP_IRI + name)

    def __getitem__(self, name: str) -> URIRef:
        return self.__getattr__(name)


DIP = _Ontology()
