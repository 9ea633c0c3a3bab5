"""Downloads, one article's graph, and the Graph Store Protocol (read side), over HTTP.

In data mode the build's own files are served byte for byte; JSON-LD comes from the store.  With
``--rdf``/``--graph`` files everything comes from the store.  Every answer carries the dataset's
ETag and Last-Modified, and a conditional GET gets 304.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, URIRef

from .conftest import RunningServer

ENTITIES = "https://w3id.org/dipkg/graph/entities"
INFERRED = "https://w3id.org/dipkg/graph/inferred"
ID = "https://w3id.org/dipkg/id/"
PARSERS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}
MEDIA = {"ttl": "text/turtle", "trig": "application/trig", "nq": "application/n-quads",
         "jsonld": "application/ld+json"}


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def article(dataset: Dataset) -> str:
    """The name of one article graph (the part of its IRI after id/)."""
    names = sorted(str(g.identifier)[len(ID):] for g in dataset.graphs() if str(g.identifier).startswith(ID))
    return names[0]


def quads(data: bytes, fmt: str) -> set[tuple[Any, ...]]:
    parsed = Dataset()
    parsed.parse(data=data, format=fmt)
    return {(s, p, o, g) for s, p, o, g in parsed.quads() if g is not None}


def same(left: set[tuple[Any, ...]], right: set[tuple[Any, ...]]) -> None:
    """Equal up to blank node labels: the same size and the same ground statements."""
    def ground(items: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
        return {t for t in items if not any(isinstance(term, BNode) for term in t)}
    assert len(left) == len(right)
    assert ground(left) == ground(right)


def assert_error(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail


# --- the whole dataset ------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["ttl", "trig", "nq"])
def test_build_files_are_served_as_built(client: httpx.Client, seed_build: Any, ext: str) -> None:
    response = client.get(f"/download/dipkg.{ext}")
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{MEDIA[ext]}; charset=utf-8"
    assert response.content == (Path(seed_build.out) / f"dipkg.{ext}").read_bytes()
    assert response.headers["etag"].startswith('"') and response.headers["last-modified"].endswith("GMT")


def test_jsonld_is_the_whole_dataset(client: httpx.Client, seed_build: Any) -> None:
    response = client.get("/download/dipkg.jsonld")
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    expected = quads((Path(seed_build.out) / "dipkg.nq").read_bytes(), "nquads")
    same(quads(response.content, "json-ld"), expected)


def test_conditional_requests_get_304(client: httpx.Client) -> None:
    first = client.get("/download/dipkg.ttl")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": modified}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}):
        response = client.get("/download/dipkg.ttl", headers=headers)
        assert response.status_code == 304, headers
        assert response.content == b"" and response.headers["etag"] == etag
    for headers in ({"If-None-Match": '"other"'}, {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
                    {"If-None-Match": '"other"', "If-Modified-Since": modified}, {"If-Modified-Since": "whenever"}):
        assert client.get("/download/dipkg.ttl", headers=headers).status_code == 200, headers
    assert client.get("/download/dipkg.jsonld", headers={"If-None-Match": etag}).status_code == 304


def test_gzip_on_request(client: httpx.Client, seed_build: Any) -> None:
    with client.stream("GET", "/download/dipkg.nq", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        compressed = b"".join(response.iter_raw())
    original = (Path(seed_build.out) / "dipkg.nq").read_bytes()
    assert gzip.decompress(compressed) == original
    assert len(compressed) < len(original) / 3


def test_head_gives_headers_only(client: httpx.Client) -> None:
    for path in ("/download/dipkg.ttl", "/download/dipkg.jsonld", f"/graph-store?graph={ENTITIES}"):
        response = client.head(path)
        assert response.status_code == 200 and response.content == b""
        assert "etag" in response.headers and "content-type" in response.headers


def test_unknown_download_is_404(client: httpx.Client) -> None:
    assert_error(client.get("/download/dipkg.xlsx"), 404, "/download/dipkg.ttl")
    assert_error(client.get("/download/other.ttl"), 404, "/download/dipkg.nq")


# --- one article ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["ttl", "trig", "nq", "jsonld"])
def test_article_graph(client: httpx.Client, dataset: Dataset, article: str, ext: str) -> None:
    response = client.get(f"/download/article/{article}.{ext}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{MEDIA[ext]}; charset=utf-8"
    parsed = Dataset()
    parsed.parse(data=response.content, format=PARSERS[ext])
    expected = dataset.graph(URIRef(ID + article))
    triples = {(s, p, o) for s, p, o, _ in parsed.quads()}
    assert triples == set(expected)
    if ext != "ttl":  # the quad formats keep the graph name
        assert {g for *_, g in parsed.quads()} == {URIRef(ID + article)}
    assert client.get(f"/download/article/{article}.{ext}",
                      headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_unknown_article_is_404_with_the_names(client: httpx.Client, article: str) -> None:
    assert_error(client.get("/download/article/article-nothing.ttl"), 404, "article-nothing", article)
    assert_error(client.get(f"/download/article/{article}.docx"), 404, "ttl")


# --- Graph Store Protocol ---------------------------------------------------------------------------------
def test_gsp_named_graph(client: httpx.Client, entities: Graph) -> None:
    response = client.get("/graph-store", params={"graph": ENTITIES})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert set(Graph().parse(data=response.text, format="turtle")) == set(entities)
    nt = client.get("/graph-store", params={"graph": ENTITIES}, headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"] == "application/n-triples; charset=utf-8"
    assert len(Graph().parse(data=nt.text, format="nt")) == len(entities)
    assert nt.headers["etag"] != response.headers["etag"]  # one ETag per representation
    assert "Accept" in nt.headers["vary"]
    jsonld = client.get("/graph-store", params={"graph": ENTITIES, "format": "jsonld"})
    assert jsonld.headers["content-type"] == "application/ld+json; charset=utf-8"
    again = client.get("/graph-store", params={"graph": ENTITIES}, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_gsp_default_graph_is_the_union(client: httpx.Client, union: Graph, dataset: Dataset) -> None:
    response = client.get("/graph-store?default")
    assert response.status_code == 200
    same(set(Graph().parse(data=response.text, format="turtle")), set(union))
    without = client.get("/graph-store", params={"default": "", "inferred": "false"},
                         headers={"Accept": "application/n-triples"})
    asserted = {t for g in dataset.graphs() if str(g.identifier) != INFERRED for t in g}
    same(set(Graph().parse(data=without.text, format="nt")), asserted)
    assert len(asserted) < len(union)


def test_gsp_errors(client: httpx.Client) -> None:
    assert_error(client.get("/graph-store", params={"graph": "http://example.org/none"}), 404,
                 "http://example.org/none")
    assert_error(client.get("/graph-store"), 400, "?default")
    assert_error(client.get("/graph-store", params={"graph": ENTITIES, "default": ""}), 400, "one graph")
    assert_error(client.get("/graph-store", params={"graph": ""}), 400, "IRI")
    response = client.get("/graph-store", params={"graph": ENTITIES}, headers={"Accept": "text/csv"})
    assert response.status_code == 406 and "text/turtle" in response.json()["offered"]
    assert_error(client.get("/graph-store", params={"graph": ENTITIES, "format": "pdf"}), 400, "unknown format")


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_writes_are_405(client: httpx.Client, method: str) -> None:
    for path in (f"/graph-store?graph={ENTITIES}", "/graph-store?default", "/download/dipkg.ttl"):
        response = client.request(method, path, content=b"<a:b> <a:c> <a:d> .",
                                  headers={"Content-Type": "text/turtle"})
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == "GET, HEAD"
        assert "read-only" in response.json()["detail"]
    assert client.get("/graph-store", params={"graph": ENTITIES}).status_code == 200


# --- serving RDF files ---------------------------------------------------------------------------------
def test_file_mode_produces_every_download(start_server: Callable[..., RunningServer], tmp_path: Path) -> None:
    default = tmp_path / "default.ttl"
    default.write_text('<http://ex.org/a> <http://ex.org/p> "one"@en .\n', encoding="utf-8")
    named = tmp_path / "named.nt"
    named.write_text("<http://ex.org/b> <http://ex.org/p> <http://ex.org/c> .\n", encoding="utf-8")
    running = start_server(["--rdf", str(default), "--graph", f"http://ex.org/g={named}"], {"DIPKG_WORKERS": "1"})
    with httpx.Client(base_url=running.url, timeout=30) as c:
        for ext, fmt in PARSERS.items():
            response = c.get(f"/download/dipkg.{ext}")
            assert response.status_code == 200, (ext, response.text)
            parsed = Dataset()
            parsed.parse(data=response.content, format=fmt)
            subjects = {str(s) for s, *_ in parsed.quads()}
            assert subjects == {"http://ex.org/a", "http://ex.org/b"}, ext
        only_default = Graph().parse(data=c.get("/graph-store?default").text, format="turtle")
        assert {str(s) for s in only_default.subjects()} == {"http://ex.org/a"}
        graph = Graph().parse(data=c.get("/graph-store", params={"graph": "http://ex.org/g"}).text, format="turtle")
        assert {str(s) for s in graph.subjects()} == {"http://ex.org/b"}


def test_a_rebuild_beside_a_running_service_does_not_change_what_it_serves(
        seed_build, tmp_path: Path, start_server, article_folder) -> None:
    """One served version: the download is the release that was loaded, under its own ETag,
    and SPARQL answers from the same data, while a new release is published beside it."""
    from dipkg.cli import main
    from dipkg.graph.build import publish

    out = tmp_path / "out"
    publish(seed_build.result, out)
    running = start_server(["--data", str(out)], {"DIPKG_WORKERS": "1"})
    before = httpx.get(running.url + "/download/dipkg.nq", timeout=30)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/dipkg/ontology#Article> }"
    articles = httpx.get(running.sparql, params={"query": count}, headers={"Accept": "text/csv"}, timeout=30).text
    folder = article_folder(tmp_path / "articles", {"a.txt": "Shinzo Abe met Vladimir Putin in Moscow on Monday.\n"})
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    assert (out / "dipkg.nq").read_bytes() != before.content  # a new release is current on disk
    after = httpx.get(running.url + "/download/dipkg.nq", timeout=30)
    assert after.headers["etag"] == before.headers["etag"] and after.content == before.content
    again = httpx.get(running.sparql, params={"query": count}, headers={"Accept": "text/csv"}, timeout=30).text
    assert again == articles
