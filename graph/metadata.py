"""The dataset describes itself: a VoID/DCAT description in its own named graph.

Every dump (``dipkg.trig``, ``.nq``, ``.ttl``, the service's JSON-LD) carries the graph
``https://w3id.org/dipkg/graph/metadata``, which says of ``https://w3id.org/dipkg/dataset``
what a reader needs before reusing it: title, description, licence and rights, the articles it
was built from (``dct:source``), when its data last changed (``dct:modified``) and the dipkg
version that built it (``owl:versionInfo``, the annotation property ``ontology/dipkg.ttl`` uses
for the ontology's own version).  The service's VoID description repeats these triples.

**Licence.** dipkg's own contribution — the facts, their structure, the entity registry and the
ontology — is under CC BY 4.0, the ontology's licence (MIT is the code's licence; a software
licence says little about data).  The article texts are not ours: ``nif:isString`` holds each
article in full and ``nif:anchorOf`` the sentences facts come from, and both remain their
publishers' copyright; ``dct:rights`` says so, and ``dipkg-spans.ttl`` is the variant without the
full texts (only the quoted sentences, the evidence of each fact) for wider redistribution.

**Why dct:modified is not the wall clock.** A build is deterministic (the same input gives the
same bytes) and a release is named by the hash of its files, so a timestamp of the moment of the
build would make every rebuild a new release.  ``dct:modified`` is the time the input last changed
— the newest modification time of the articles, their manifest and the ontology folder (the
rules' cue tables, the registry) — which is when the data itself changed;
``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) overrides it.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from dipkg.graph.articles import Article
from dipkg.graph.errors import InputError
from dipkg.graph.namespace import DATASET_IRI, DCAT, DIP_IRI, VOID
from dipkg.graph.rdf import article_iri
from dipkg.graph.resources import ontology_dir, package_version

DATASET = URIRef(DATASET_IRI)
TITLE = "dipkg — a knowledge graph of diplomacy built from news articles"
DESCRIPTION = ("Meetings, offices held, sanctions, territorial claims and control, memberships and "
               "quotations extracted from news articles, each fact derived (prov:wasDerivedFrom) from a "
               "NIF span with exact character offsets into the article as stored; entities linked to "
               "Wikidata (owl:sameAs) where the item is verified.")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
RIGHTS = ("dipkg's facts, entity registry and ontology: CC BY 4.0. The article texts (nif:isString) and "
          "the source sentences (nif:anchorOf) remain the copyright of their publishers and are "
          "included as the evidence of each fact, not licensed by dipkg; dipkg-spans.ttl leaves the "
          "full article texts out.")


def source_date_epoch() -> datetime.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time; an unreadable value is an input error (one line from
    the CLI), not silently replaced by another time."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or not value.strip():
        return None
    try:
        return datetime.datetime.fromtimestamp(int(value), datetime.UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError("SOURCE_DATE_EPOCH", f"{value!r} is not a Unix time in seconds") from None


def input_time(articles_dir: Path) -> datetime.datetime:
    """When the build's input last changed: the newest of the articles, the manifest and the
    ontology folder (seconds, UTC), or ``SOURCE_DATE_EPOCH``."""
    fixed = source_date_epoch()
    if fixed is not None:
        return fixed
    paths = [*articles_dir.glob("*.txt"), articles_dir / "articles.toml", *ontology_dir().rglob("*")]
    newest = max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)
    return datetime.datetime.fromtimestamp(int(newest), datetime.UTC)


def sources(articles: Iterable[Article]) -> list[URIRef]:
    """What the dataset was built from: each article's URL, or its own IRI (title, publisher,
    date) where the manifest gives no URL — a source is never left out."""
    return sorted({URIRef(a.url) if a.url else article_iri(a) for a in articles})


def metadata_graph(graph: Graph, articles: Iterable[Article], modified: datetime.datetime,
                   version: str | None = None) -> Graph:
    """Fill ``graph`` (the metadata graph of a dataset) with the dataset's description."""
    d = DATASET
    graph.add((d, RDF.type, VOID.Dataset))
    graph.add((d, RDF.type, DCAT.Dataset))
    graph.add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    graph.add((d, DCTERMS.license, LICENSE))
    graph.add((d, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    stamp = modified.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    graph.add((d, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))
    graph.add((d, OWL.versionInfo, Literal(version or package_version())))
    graph.add((d, VOID.vocabulary, URIRef(DIP_IRI)))
    for source in sources(articles):
        graph.add((d, DCTERMS.source, source))
    return graph
