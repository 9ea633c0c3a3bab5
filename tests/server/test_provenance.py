"""Provenance: per answer (``/sparql?provenance=true`` and ``annotate``) and per resource (``/provenance``).

The per-answer tests run twice: over HTTP against the real server (``server`` fixture), and in
process through ``server.provenance.annotate`` on a real dataset and query engine built from the
seed build — so that provenance is tested even while the /sparql route is being changed.  The
HTTP variant is skipped only if /sparql answers 404.  Every sentence returned is checked against
the article file: its text must be exactly the file's text between its offsets.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from dipkg.server import provenance
from dipkg.server.app import Service
from dipkg.server.config import Settings
from dipkg.server.dataset import load_dataset
from dipkg.server.engine import QueryEngine, QueryRequest, Solutions
from dipkg.server.serializers import json_term

ID = "https://w3id.org/dipkg/id/"
DIP = "https://w3id.org/dipkg/ontology#"
ENTITIES = "https://w3id.org/dipkg/graph/entities"
PREFIXES = f"""PREFIX dip: <{DIP}>
PREFIX id: <{ID}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""
ABE_PUTIN = PREFIXES + """SELECT ?date ?status ?sentence WHERE {
  ?m a dip:Meeting ; dip:participant id:Shinzo_Abe, id:Vladimir_Putin ; prov:wasDerivedFrom ?span .
  OPTIONAL { ?m dip:date ?date }
  OPTIONAL { ?m dip:status ?status }
  ?span nif:anchorOf ?sentence .
}"""


@dataclass
class Answer:
    bindings: list[dict[str, Any]]
    provenance: list[dict[str, Any]]

    def value(self, row: int, var: str) -> str | None:
        term = self.bindings[row].get(var)
        return term["value"] if term else None

    def rows(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        assert len(self.bindings) == len(self.provenance), "one provenance entry per solution"
        return zip(self.bindings, self.provenance, strict=True)


Ask = Callable[[str], Answer]


@pytest.fixture(scope="module")
def local(seed_build: Any) -> Iterator[Service]:
    """The service's dataset and engine over the seed build, in this process (one worker)."""
    settings = Settings(data_dir=seed_build.out, workers=1)
    dataset = load_dataset(settings)
    engine = QueryEngine(dataset, settings)
    yield Service(settings, dataset, engine, time.time())
    engine.close()
    dataset.close()


def ask_local(service: Service, query: str) -> Answer:
    request = QueryRequest(query)
    result = service.engine.execute(request)
    assert isinstance(result, Solutions)
    bindings = [{v: json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
                for row in result.rows]
    return Answer(bindings, provenance.annotate(service, request, result))


def ask_http(url: str, query: str) -> Answer:
    response = httpx.get(f"{url}/sparql", params={"query": query, "provenance": "true"}, timeout=30)
    if response.status_code == 404:
        pytest.skip("/sparql answers 404: the SPARQL route is not there yet")
    assert response.status_code == 200, response.text
    body = response.json()
    return Answer(body["results"]["bindings"], body["provenance"])


@pytest.fixture(params=["in-process", "http"])
def ask(request: pytest.FixtureRequest, local: Service) -> Ask:
    if request.param == "http":
        url = request.getfixturevalue("server").url
        return lambda query: ask_http(url, query)
    return lambda query: ask_local(local, query)


def check_sentences(entry: dict[str, Any], texts: dict[str, str]) -> None:
    """Every sentence is the article's text between its offsets, and they come in text order."""
    for source in entry["sources"]:
        text = texts[source["file"]]
        offsets = [(s["begin"], s["end"]) for s in source["sentences"]]
        assert offsets == sorted(set(offsets))
        for sentence in source["sentences"]:
            assert text[sentence["begin"]:sentence["end"]] == sentence["text"], sentence


def triples_of(entry: dict[str, Any]) -> list[list[str]]:
    return [t for source in entry["sources"] for t in source["triples"]]


def untraced(entry: dict[str, Any], *reasons: str) -> list[dict[str, Any]]:
    return [u for u in entry["untraced"] if u["reason"] in reasons]


# --- per answer ---------------------------------------------------------------------------------
def test_bgp_every_abe_putin_meeting_has_its_sentences(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(ABE_PUTIN)
    assert len(answer.bindings) >= 10
    for binding, entry in answer.rows():
        assert entry["sources"], binding
        check_sentences(entry, seed_texts)
        sentences = {s["text"] for source in entry["sources"] for s in source["sentences"]}
        assert binding["sentence"]["value"] in sentences
        source = entry["sources"][0]
        assert source["article"].startswith(ID + "article-") and source["file"].endswith(".txt")
        assert {"title", "publisher", "issued", "url"} <= source.keys()
        predicates = {t[1] for t in triples_of(entry)}
        assert f"<{DIP}participant>" in predicates
        assert not untraced(entry, "not found", "not traced")


def test_optional_that_did_not_match_keeps_the_required_sources(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(PREFIXES + """SELECT ?m ?place WHERE {
      ?m a dip:Meeting ; dip:participant id:Shinzo_Abe .
      OPTIONAL { ?m dip:location ?where . ?where rdfs:label ?place } }""")
    without = [(b, e) for b, e in answer.rows() if "place" not in b]
    with_place = [(b, e) for b, e in answer.rows() if "place" in b]
    assert without and with_place
    for _, entry in without:
        assert entry["sources"]
        check_sentences(entry, seed_texts)
        assert all(t[1] != f"<{DIP}location>" for t in triples_of(entry))
        assert not untraced(entry, "not found")
    for binding, entry in with_place:
        assert any(t[1] == f"<{DIP}location>" for t in triples_of(entry))
        labels = [r for r in entry["registry"] if r["triple"][1].endswith("#label>")]
        assert labels and labels[0]["source"] == "entity registry"
        assert binding["place"]["value"] in labels[0]["triple"][2]


def test_union_traces_each_solution_through_its_own_branch(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(PREFIXES + """SELECT ?t ?x ?how WHERE {
      { ?t dip:claimedBy ?x BIND("claimedBy" AS ?how) }
      UNION { ?t dip:controlledBy ?x BIND("controlledBy" AS ?how) } }""")
    hows = {b["how"]["value"] for b, _ in answer.rows()}
    assert hows == {"claimedBy", "controlledBy"}
    for binding, entry in answer.rows():
        predicates = {t[1] for t in triples_of(entry)}
        assert predicates == {f"<{DIP}{binding['how']['value']}>"}, binding
        check_sentences(entry, seed_texts)
        assert not entry["untraced"]


def test_filter(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(PREFIXES + """SELECT ?text WHERE {
      ?q a dip:Quote ; dip:speaker id:Shinzo_Abe ; dip:text ?text FILTER(CONTAINS(?text, "peace treaty")) }""")
    assert answer.bindings
    for binding, entry in answer.rows():
        check_sentences(entry, seed_texts)
        folded = [re.sub(r"\s+", " ", s["text"]) for source in entry["sources"] for s in source["sentences"]]
        assert any(binding["text"]["value"] in sentence for sentence in folded)


def test_sequence_path_traces_each_step(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(PREFIXES + """SELECT ?m ?place WHERE {
      ?m dip:participant id:Vladimir_Putin ; dip:location/rdfs:label ?place }""")
    assert answer.bindings
    for binding, entry in answer.rows():
        located = [t for t in triples_of(entry) if t[1] == f"<{DIP}location>"]
        assert located and all(t[0] == f"<{binding['m']['value']}>" for t in located)
        place = located[0][2]
        assert any(r["triple"][0] == place and r["source"] == "entity registry" for r in entry["registry"])
        check_sentences(entry, seed_texts)


def test_inverse_path_is_the_triple_with_its_ends_swapped(ask: Ask) -> None:
    answer = ask(PREFIXES + "SELECT ?m WHERE { id:Shinzo_Abe ^dip:participant ?m }")
    assert answer.bindings
    for binding, entry in answer.rows():
        assert [f"<{binding['m']['value']}>", f"<{DIP}participant>", f"<{ID}Shinzo_Abe>"] in triples_of(entry)


def test_graph_variable_gives_that_article(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(PREFIXES + "SELECT ?g ?q WHERE { GRAPH ?g { ?q a dip:Quote ; dip:speaker id:Shinzo_Abe } }")
    assert answer.bindings
    for binding, entry in answer.rows():
        assert [s["article"] for s in entry["sources"]] == [binding["g"]["value"]]
        assert entry["sources"][0]["sentences"]
        check_sentences(entry, seed_texts)


def test_inferred_triple_is_untraced_with_its_premise(ask: Ask, seed_texts: dict[str, str]) -> None:
    answer = ask(PREFIXES + "SELECT ?x ?m WHERE { ?x dip:participatedIn ?m } LIMIT 5")
    assert answer.bindings
    for binding, entry in answer.rows():
        x, m = f"<{binding['x']['value']}>", f"<{binding['m']['value']}>"
        [item] = untraced(entry, "inferred")
        assert item["triple"] == [x, f"<{DIP}participatedIn>", m]
        assert item["rule"] == "owl:inverseOf"
        [premise] = item["premises"]
        assert premise["triple"] == [m, f"<{DIP}participant>", x]
        assert premise["triple"] in triples_of(entry)         # the premise's own sources are given
        check_sentences(entry, seed_texts)
        assert any(r["source"] == "ontology" and r["triple"][1].endswith("#inverseOf>") for r in entry["registry"])


def test_inferred_class_has_its_registry_premise(ask: Ask) -> None:
    [entry] = ask(PREFIXES + "SELECT * WHERE { id:Shinzo_Abe a dip:Person }").provenance
    [item] = untraced(entry, "inferred")
    assert item["rule"] == "rdfs:subClassOf"
    assert item["premises"][0]["triple"] == [f"<{ID}Shinzo_Abe>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                                             f"<{DIP}Leader>"]
    assert item["premises"][0]["graphs"] == [ENTITIES]


def test_registry_triples_are_labelled_as_such(ask: Ask) -> None:
    [entry] = ask(PREFIXES + "SELECT ?l ?wd WHERE { id:Shinzo_Abe rdfs:label ?l ; owl:sameAs ?wd }").provenance
    assert not entry["sources"] and not entry["untraced"]
    assert {r["source"] for r in entry["registry"]} == {"entity registry"}
    assert {r["graph"] for r in entry["registry"]} == {ENTITIES}
    assert {r["triple"][1] for r in entry["registry"]} == {"<http://www.w3.org/2000/01/rdf-schema#label>",
                                                           "<http://www.w3.org/2002/07/owl#sameAs>"}


def test_a_path_whose_steps_are_not_recovered_is_marked(ask: Ask) -> None:
    answer = ask(PREFIXES + "SELECT ?b WHERE { id:Iturup (dip:partOf|dip:locatedIn)+ ?b }")
    assert answer.bindings
    for binding, entry in answer.rows():
        [item] = untraced(entry, "path")
        assert item["triple"][0] == f"<{ID}Iturup>" and item["triple"][2] == f"<{binding['b']['value']}>"


# --- per answer, in process only ------------------------------------------------------------------
def test_exists_and_blank_nodes_get_a_witness(local: Service) -> None:
    answer = ask_local(local, PREFIXES + """SELECT ?m WHERE {
      ?m dip:participant id:Shinzo_Abe FILTER EXISTS { ?m dip:location [ rdfs:label "Sochi"@en ] } }""")
    assert answer.bindings
    for _, entry in answer.rows():
        assert [f"<{ID}Sochi>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"Sochi"@en'] in [
            r["triple"] for r in entry["registry"]]
        assert any(t[1] == f"<{DIP}location>" for t in triples_of(entry))


def test_solutions_over_the_cap_say_so(local: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance.terms, "MAX_SOLUTIONS", 3)  # read at call time
    answer = ask_local(local, PREFIXES + "SELECT ?x WHERE { ?x a dip:Leader } LIMIT 5")
    assert len(answer.provenance) == 5
    assert all(entry["registry"] for entry in answer.provenance[:3])
    for entry in answer.provenance[3:]:
        assert untraced(entry, "not traced") and "first 3" in entry["untraced"][0]["message"]


def test_an_unreadable_query_is_marked_not_dropped(local: Service) -> None:
    result = Solutions(["x"], [[("uri", ID + "Shinzo_Abe")]])
    [entry] = provenance.annotate(local, QueryRequest("SELECT ?x WHERE { ?x ?p ?o"), result)
    assert entry["sources"] == [] and untraced(entry, "not traced")


# --- per resource -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def abe(server: Any) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/provenance", params={"iri": ID + "Shinzo_Abe"}, timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_resource_lists_meetings_positions_and_quotes(abe: dict[str, Any], seed_texts: dict[str, str]) -> None:
    assert abe["label"] == "Shinzo Abe"
    kinds = {f["typeLabel"] for f in abe["facts"]}
    assert {"meeting", "position holding", "quote"} <= kinds
    for fact in abe["facts"]:
        assert fact["sources"] and all(s["sentences"] for s in fact["sources"])
        check_sentences(fact, seed_texts)
        assert fact["roles"]
    prime_minister = [f for f in abe["facts"] if f["typeLabel"] == "position holding"]
    assert any(p["value"]["value"] == "Prime Minister" for f in prime_minister for p in f["properties"])
    with_putin = [f for f in abe["facts"] if any(p["value"].get("label") == "Vladimir Putin" for p in f["properties"])]
    assert with_putin
    assert any(r["source"] == "entity registry" and r["triple"][1].endswith("#sameAs>") for r in abe["registry"])


def test_resource_statements_have_their_sources(server: Any, seed_texts: dict[str, str]) -> None:
    response = httpx.get(f"{server.url}/provenance", params={"iri": ID + "Northern_Territories"}, timeout=30)
    body = response.json()
    claims = [s for s in body["statements"] if s["predicate"]["value"] == DIP + "claimedBy"]
    assert claims and claims[0]["object"]["label"]
    for statement in body["statements"]:
        assert statement["sources"]
        check_sentences(statement, seed_texts)
    assert any(f["typeLabel"] == "territory name" for f in body["facts"])


@pytest.mark.parametrize(("params", "status"), [
    ({"iri": ID + "Nobody_At_All"}, 404),
    ({}, 400),
    ({"iri": ""}, 400),
    ({"iri": "not an iri"}, 400),
])
def test_resource_errors(server: Any, params: dict[str, str], status: int) -> None:
    response = httpx.get(f"{server.url}/provenance", params=params, timeout=30)
    assert response.status_code == status
    assert response.json()["detail"]


# --- the HTML view of /provenance?iri= and /sparql opened in a browser -----------------------------
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_resource_provenance_page_for_browsers(server: Any, abe: dict[str, Any]) -> None:
    response = httpx.get(f"{server.url}/provenance", params={"iri": ID + "Shinzo_Abe"},
                         headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "accept" in response.headers["vary"].lower()
    html = response.text
    assert "<h1><a href=\"/id/Shinzo_Abe\">Shinzo Abe</a></h1>" in html
    # every sentence of the JSON report is on the page, marked, linked to its anchor on the article page
    sentence = abe["facts"][0]["sources"][0]["sentences"][0]
    anchor = sentence["span"][len(ID):]
    article = abe["facts"][0]["sources"][0]["article"][len(ID):]
    assert f'<a href="/id/{article}#{anchor}"><mark>' in html
    assert html.count("<mark>") >= sum(len(s["sentences"]) for f in abe["facts"] for s in f["sources"])
    assert "<script>" not in html and " style=" not in html  # no inline code (CSP allows only 'self')


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html;q=0.5,application/json"])
def test_resource_provenance_stays_json_for_programs(server: Any, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(f"{server.url}/provenance", params={"iri": ID + "Shinzo_Abe"}, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["facts"]


def test_resource_provenance_errors_are_pages_for_browsers(server: Any) -> None:
    response = httpx.get(f"{server.url}/provenance", params={"iri": ID + "Nobody_At_All"},
                         headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Nobody_At_All" in response.text


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "text/html", "application/xhtml+xml, */*;q=0.1"])
def test_sparql_in_a_browser_goes_to_the_query_page(server: Any, accept: str) -> None:
    response = httpx.get(server.sparql, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = httpx.get(server.sparql, headers={"Accept": accept}, timeout=30, follow_redirects=True)
    assert page.status_code == 200 and 'id="yasgui"' in page.text


@pytest.mark.parametrize(("accept", "media"), [
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("text/turtle, text/html;q=0.5", "text/turtle"),
    (None, "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"),
])
def test_sparql_service_description_stays_for_rdf_clients(server: Any, accept: str | None, media: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(server.sparql, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "sd" in response.text.lower()


def test_a_query_asked_again_is_analysed_once_and_each_caller_gets_its_own_shape() -> None:
    from dipkg.server.provenance import shape as shapes

    query = PREFIXES + "SELECT ?m ?d WHERE { ?m a dip:Meeting OPTIONAL { ?m dip:date ?d } }"
    first = shapes.analyse(query)
    assert query in shapes._ANALYSED
    first.blocks.clear()  # a caller changing its shape does not change what the next one gets
    second = shapes.analyse(query)
    assert [b.kind for b in second.blocks] == ["required", "optional"]
    assert second is not shapes.analyse(query)
    for i in range(shapes.ANALYSED_KEPT + 1):  # bounded: the oldest goes first
        shapes.analyse(PREFIXES + f"SELECT ?x WHERE {{ ?x dip:date {i} }}")
    assert query not in shapes._ANALYSED
