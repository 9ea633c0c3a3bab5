"""The default graph is a set (RDF merge), however many graphs state a triple.

pyoxigraph's union default graph counts a triple once per graph that holds it, so these tests
ask what a user would — how many triples, which meetings, the first meetings by date — over
data where one triple is stated by several graphs: the seeds (their articles share entity and
ontology triples) and two articles written here that report the same meeting.  Each answer is
compared with the published dumps, read by rdflib (where a graph is a set of triples), and with
the service's own VoID numbers; through HTTP, rdflib's SPARQLStore, and ``dipkg query``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from dipkg.graph.build import build, publish

from .conftest import ROOT, RunningServer

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DIP = "https://w3id.org/dipkg/ontology#"
INFERRED = "https://w3id.org/dipkg/graph/inferred"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
MEETING_ROWS = f"SELECT ?m WHERE {{ ?m a <{DIP}Meeting> }}"
# one row per meeting in a merge; in a bag, a meeting reported by k articles comes k times
FIRST_MEETINGS = f"""SELECT ?m ?date WHERE {{ ?m a <{DIP}Meeting> . OPTIONAL {{ ?m <{DIP}date> ?date }} }}
ORDER BY ?date ?m LIMIT 8"""

# Two reports, in different words, of one meeting (made up for these tests).
SAME_MEETING = {
    "wire-a.txt": "Leaders meet in Sochi\n\nJapanese Prime Minister Shinzo Abe met Russian President "
                  "Vladimir Putin in Sochi on Friday. The two leaders discussed a peace treaty.\n",
    "wire-b.txt": "Abe and Putin hold talks\n\nShinzo Abe and Vladimir Putin met in Sochi on Friday, "
                  "officials said. They talked about fishing rights near the disputed islands.\n",
}


# --- helpers ---------------------------------------------------------------------------------------
def get(client: httpx.Client, query: str, params: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    response = client.get("/sparql", params=[("query", query), *(params or [])],
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def count(client: httpx.Client, query: str = COUNT_ALL, params: list[tuple[str, str]] | None = None) -> int:
    return int(get(client, query, params)["results"]["bindings"][0]["n"]["value"])


def column(client: httpx.Client, query: str, var: str, params: list[tuple[str, str]] | None = None) -> list[str]:
    return [b[var]["value"] for b in get(client, query, params)["results"]["bindings"]]


def merge(dataset: Dataset, leave_out: frozenset[str] | set[str] = frozenset(), only: set[str] | None = None) -> Graph:
    """The RDF merge of the dump's graphs (rdflib: a graph is a set of triples)."""
    g = Graph()
    for graph in dataset.graphs():
        name = str(graph.identifier)
        if name in leave_out or (only is not None and name not in only):
            continue
        for triple in graph:
            g.add(triple)
    return g


def default_graph_triples(client: httpx.Client) -> int:
    """``void:triples`` of the default graph in the service description."""
    sd = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    defaults = list(sd.objects(None, SD.defaultGraph))
    assert len(defaults) == 1
    value = sd.value(defaults[0], VOID.triples)
    assert isinstance(value, Literal), "the service description gives no void:triples for the default graph"
    return int(value)


def graphs_with_shared_triples(dataset: Dataset) -> tuple[str, str]:
    """Two graphs of the dump that hold a triple in common (so a bag would count it twice)."""
    seen: dict[tuple[Any, Any, Any], str] = {}
    for graph in dataset.graphs():
        for triple in graph:
            other = seen.setdefault(triple, str(graph.identifier))
            if other != str(graph.identifier):
                return other, str(graph.identifier)
    raise AssertionError("no triple is stated by two graphs: these tests would prove nothing")


# --- fixtures --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def two_reports(article_folder: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of two articles that report the same meeting."""
    root = tmp_path_factory.mktemp("two-reports")
    folder = article_folder(root / "articles", SAME_MEETING, published="2016-05-07")
    publish(build(folder), root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def two_reports_dump(two_reports: Path) -> Dataset:
    ds = Dataset()
    ds.parse(two_reports / "dipkg.trig", format="trig")
    return ds


@pytest.fixture
def two_reports_client(start_server: Callable[..., RunningServer], two_reports: Path) -> Iterator[httpx.Client]:
    running = start_server(["--data", str(two_reports)], {"DIPKG_WORKERS": "1"})
    with httpx.Client(base_url=running.url, timeout=30) as c:
        yield c


# --- counting triples ------------------------------------------------------------------------------
def test_count_of_the_default_graph_is_voids_and_the_turtle_dumps(client: httpx.Client, dataset: Dataset,
                                                                  seed_build: Any) -> None:
    graphs_with_shared_triples(dataset)
    n = count(client)
    assert n == default_graph_triples(client)
    assert n == len(Graph().parse(seed_build.out / "dipkg.ttl", format="turtle"))
    assert n == len(merge(dataset))
    # VoID's property partitions, counted with a plain COUNT(*) now, add up to the same set
    sd = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    per_property = {str(sd.value(part, VOID.property)): int(sd.value(part, VOID.triples))  # type: ignore[arg-type]
                    for part in sd.objects(None, VOID.propertyPartition)}
    expected: dict[str, int] = {}
    for _, p, _ in merge(dataset):
        expected[str(p)] = expected.get(str(p), 0) + 1
    assert per_property == expected


def test_inferred_false_is_the_merge_of_the_asserted_graphs(client: httpx.Client, dataset: Dataset) -> None:
    asserted = merge(dataset, leave_out={INFERRED})
    assert count(client, params=[("inferred", "false")]) == len(asserted)
    # every row a distinct triple, none of them only inferred
    rows = get(client, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", [("inferred", "false")])["results"]["bindings"]
    assert len({json.dumps(r, sort_keys=True) for r in rows}) == len(rows) == len(asserted)
    inferred_only = merge(dataset, only={INFERRED}) - asserted
    assert len(inferred_only) > 0
    assert not {(r["s"]["value"], r["p"]["value"], r["o"]["value"]) for r in rows} & {
        (str(s), str(p), str(o)) for s, p, o in inferred_only}


# --- rows of a fact stated by two articles ---------------------------------------------------------
def test_a_meeting_two_articles_report_is_one_row(two_reports_client: httpx.Client, two_reports_dump: Dataset) -> None:
    meeting = f"<{DIP}Meeting>"
    per_graph = column(two_reports_client, f"SELECT ?m ?g WHERE {{ GRAPH ?g {{ ?m a {meeting} }} }}", "m")
    assert len(per_graph) == 2 and len(set(per_graph)) == 1  # the same meeting, in both article graphs
    assert column(two_reports_client, MEETING_ROWS, "m") == per_graph[:1]
    assert column(two_reports_client, MEETING_ROWS, "m", [("inferred", "false")]) == per_graph[:1]
    assert count(two_reports_client) == len(merge(two_reports_dump))
    assert count(two_reports_client, params=[("inferred", "false")]) == len(merge(two_reports_dump, {INFERRED}))


def test_order_by_limit_gives_distinct_rows(client: httpx.Client, dataset: Dataset) -> None:
    union = merge(dataset)
    meetings = set(union.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(DIP + "Meeting")))
    for params in ([], [("inferred", "false")]):
        rows = column(client, FIRST_MEETINGS, "m", params)
        assert len(rows) == min(8, len(meetings)) and len(set(rows)) == len(rows), rows
    every = column(client, MEETING_ROWS, "m")
    assert sorted(every) == sorted(str(m) for m in meetings)


# --- graphs named by the request -------------------------------------------------------------------
def test_two_default_graph_uris_are_merged(client: httpx.Client, dataset: Dataset) -> None:
    first, second = graphs_with_shared_triples(dataset)
    params = [("default-graph-uri", first), ("default-graph-uri", second)]
    assert count(client, params=params) == len(merge(dataset, only={first, second}))
    # the same graph named twice is that graph once; named graphs are those the request names
    assert count(client, params=[("default-graph-uri", first)] * 2) == len(merge(dataset, only={first}))
    both = [*params, ("named-graph-uri", second)]
    assert column(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g", both) == [second]
    assert count(client, params=both) == len(merge(dataset, only={first, second}))
    # the protocol's graphs, not the query's FROM, make the dataset
    own = f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}"
    assert count(client, own, params) == len(merge(dataset, only={first, second}))


def test_several_from_graphs_are_merged(client: httpx.Client, dataset: Dataset) -> None:
    first, second = graphs_with_shared_triples(dataset)
    expected = len(merge(dataset, only={first, second}))
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{first}> FROM <{second}> WHERE {{ ?s ?p ?o }}") == expected
    prefixed = (f"PREFIX g: <{first[:first.rindex('/') + 1]}>\nSELECT (COUNT(*) AS ?n)\n"
                f"FROM g:{first[first.rindex('/') + 1:]}  # the first graph\nFROM <{second}>\n"
                f"FROM NAMED <{second}> WHERE {{ ?s ?p ?o }}")
    assert count(client, prefixed) == expected
    named = (f"SELECT DISTINCT ?g FROM <{first}> FROM <{second}> FROM NAMED <{first}> "
             "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert column(client, named, "g") == [first]
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{first}> FROM <{first}> WHERE {{ ?s ?p ?o }}") == len(
        merge(dataset, only={first}))


def test_the_articles_of_two_reports_merge_to_one_meeting(two_reports_client: httpx.Client,
                                                          two_reports_dump: Dataset) -> None:
    articles = [str(g.identifier) for g in two_reports_dump.graphs() if "/id/article-" in str(g.identifier)]
    assert len(articles) == 2
    params = [("default-graph-uri", a) for a in articles]
    assert len(column(two_reports_client, MEETING_ROWS, "m", params)) == 1
    assert count(two_reports_client, params=params) == len(merge(two_reports_dump, only=set(articles)))


# --- real clients: rdflib's SPARQLStore, and dipkg query --------------------------------------------
def _rows(result: Any) -> list[tuple[str, ...]]:
    return sorted(tuple(str(v) for v in row) for row in result)


def test_rdflib_sparqlstore_gives_the_dumps_answers(server: RunningServer, dataset: Dataset) -> None:
    local = merge(dataset)
    per_property = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?m a <{DIP}Meeting> ; ?p ?o }} GROUP BY ?p"
    queries = [COUNT_ALL, MEETING_ROWS, per_property]
    remote_graph = Graph(store=SPARQLStore(server.sparql, returnFormat="xml"))
    # rdflib's Dataset sends default-graph-uri=urn:x-rdflib:default: the service's default graph
    remote_dataset = Dataset(store=SPARQLStore(server.sparql, returnFormat="xml"))
    for query in queries:
        expected = _rows(local.query(query))
        assert _rows(remote_graph.query(query)) == expected, query
        assert _rows(remote_dataset.query(query)) == expected, query


def test_rdflib_default_graph_alias_over_http(client: httpx.Client, dataset: Dataset) -> None:
    alias = [("default-graph-uri", "urn:x-rdflib:default")]
    assert count(client, params=alias) == len(merge(dataset))
    assert count(client, params=[*alias, ("inferred", "false")]) == len(merge(dataset, leave_out={INFERRED}))
    graphs = column(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g", alias)
    assert sorted(graphs) == sorted(str(g.identifier) for g in dataset.graphs() if len(g))


def test_dipkg_query_counts_a_set(seed_build: Any, dataset: Dataset) -> None:
    done = subprocess.run([sys.executable, "-m", "dipkg", "query", "--data", str(seed_build.out),
                           "--format", "csv", COUNT_ALL], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", str(len(merge(dataset)))]


# --- a dataset whose inferred graph repeats asserted triples ---------------------------------------
OVERLAP_NQ = """\
<http://example.org/a> <http://example.org/p> "one" <https://w3id.org/dipkg/id/article-x> .
<http://example.org/a> <http://example.org/p> "one" <https://w3id.org/dipkg/id/article-y> .
<http://example.org/b> <http://example.org/p> "two" <https://w3id.org/dipkg/id/article-y> .
<http://example.org/a> <http://example.org/p> "one" <https://w3id.org/dipkg/graph/inferred> .
<http://example.org/c> <http://example.org/q> "three" <https://w3id.org/dipkg/graph/inferred> .
"""


def test_an_inferred_graph_that_repeats_asserted_triples_still_gives_a_set(
        start_server: Callable[..., RunningServer], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "dipkg.nq").write_text(OVERLAP_NQ, encoding="utf-8")
    running = start_server(["--data", str(data)], {"DIPKG_WORKERS": "1"})
    with httpx.Client(base_url=running.url, timeout=30) as c:
        assert count(c) == 3  # a-one, b-two, c-three
        assert count(c, params=[("inferred", "false")]) == 2
        assert column(c, "SELECT ?o WHERE { <http://example.org/a> ?p ?o }", "o") == ["one"]
        graphs = column(c, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g")
        assert sorted(graphs) == ["https://w3id.org/dipkg/graph/inferred", "https://w3id.org/dipkg/id/article-x",
                                  "https://w3id.org/dipkg/id/article-y"]
        assert count(c, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}") == 2
        assert count(c, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 5
        assert default_graph_triples(c) == 3
