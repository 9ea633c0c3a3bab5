"""The screen's lexer and its decisions, without a server: many phrasings of each construct."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest

from dipkg.server.screen import MAX_DEPTH, Screened, ScreenInvalid, ScreenRefused, iri_value, screen, tokens

EX = "http://203.0.113.7:8890"  # an address the screen refuses to call (TEST-NET-3, never contacted)
GRAPHS = {"https://w3id.org/dipkg/graph/entities", "https://w3id.org/dipkg/id/article-x"}


def kinds(query: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens(query)]


def ok(query: str, allow_service: bool = False, lenient_from: bool = False) -> Screened:
    return screen(query, GRAPHS, allow_service, lenient_from)


# --- the lexer ----------------------------------------------------------------------------------------
def test_iris_keep_hashes_and_apostrophes() -> None:
    assert kinds("PREFIX ex: <http://example.org/ns#> SELECT") == [
        ("WORD", "PREFIX"), ("PNAME", "ex:"), ("IRI", "<http://example.org/ns#>"), ("WORD", "SELECT")]
    assert kinds("?x <http://example.org/o'brien> 'y'") == [
        ("VAR", "?x"), ("IRI", "<http://example.org/o'brien>"), ("STRING", "'y'")]


@pytest.mark.parametrize("literal", [
    "'a # b'", '"a # b"', "'''a ' '' # b\nc'''", '"""a " "" # b\nc"""', r"'it\'s'", r'"say \"hi\""',
    "'<not an iri>'", '"SERVICE <x> {}"',
])
def test_the_four_string_forms(literal: str) -> None:
    assert kinds(f"BIND({literal} AS ?v)") == [
        ("WORD", "BIND"), ("PUNCT", "("), ("STRING", literal), ("WORD", "AS"), ("VAR", "?v"), ("PUNCT", ")")]


@pytest.mark.parametrize("eol", ["\n", "\r", "\r\n"])
def test_a_comment_ends_at_any_line_end(eol: str) -> None:
    assert kinds(f"ASK # a comment's text <x>{eol}{{ }}") == [("WORD", "ASK"), ("PUNCT", "{"), ("PUNCT", "}")]


def test_prefixed_names_with_escapes_are_one_token() -> None:
    assert kinds(r"?s ex:o\'hara ex:tag\#1 ex:a\.b .") == [
        ("VAR", "?s"), ("PNAME", r"ex:o\'hara"), ("PNAME", r"ex:tag\#1"), ("PNAME", r"ex:a\.b"), ("PUNCT", ".")]


def test_what_is_not_an_iri_is_punctuation() -> None:
    assert kinds("?a <= 3")[1] == ("PUNCT", "<")
    assert kinds("<a b>")[0] == ("PUNCT", "<")
    assert kinds("<<( ?s ?p ?o )>>")[:3] == [("PUNCT", "<"), ("PUNCT", "<"), ("PUNCT", "(")]
    assert kinds("<" + "x" * 100)[0] == ("PUNCT", "<")


def test_iri_escapes_are_decoded_as_the_engine_decodes_them() -> None:
    assert iri_value(r"<http:\u002F\u002Fexample.org/\U0001F600>") == "http://example.org/\U0001F600"
    assert kinds(r"<http://example.org/\u0041>") == [("IRI", r"<http://example.org/\u0041>")]


# --- SERVICE ------------------------------------------------------------------------------------------
REFUSED_SERVICE = [
    f"SELECT * WHERE {{ SERVICE <{EX}/sparql> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{EX}/sparql> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SeRvIcE\n\t<{EX}/sparql>\r\n{{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICESILENT<{EX}/sparql>{{}} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE $endpoint { ?s ?p ?o } }",
    f"PREFIX far: <{EX}/> SELECT * WHERE {{ SERVICE far:sparql {{ ?s ?p ?o }} }}",
    f"PREFIX : <{EX}/> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
    f"BASE <{EX}/> SELECT * WHERE {{ SERVICE <sparql> {{ }} }}",
    f"SELECT * WHERE {{ SERVICE # the endpoint:\n <{EX}/> {{ }} }}",
    # something on the same line that a text search takes for a comment or a string
    f"PREFIX schema: <http://schema.org/#> SELECT * WHERE {{ SERVICE <{EX}/> {{ }} }}",
    f"SELECT * WHERE {{ ?who <http://example.org/knows#> <http://example.org/d'arcy> . "
    f"SERVICE <{EX}/> {{ ?a ?b 'c' }} }}",
    f"SELECT * WHERE {{ ?s ?p ex:o\\'neil . SERVICE <{EX}/> {{ }} }} # '",
    # '<' after a value: a less-than to the engine, an IRI to a plain lexer
    "SELECT * WHERE { FILTER(?n<10)SERVICE?where#>\n{ ?s ?p ?o } }",
    f"SELECT * WHERE {{ FILTER(?n<'k>')SERVICE<{EX}/>{{}}#'\n}}",
    "SELECT * WHERE { FILTER(\"b\"<'k>')SERVICE?e{}#'\n}",
    "SELECT * WHERE { FILTER(?n<=5)SERVICE?e#>\n{} }",
]


@pytest.mark.parametrize("query", REFUSED_SERVICE)
def test_service_is_refused_however_it_is_written(query: str) -> None:
    with pytest.raises(ScreenRefused, match=r"SERVICE \(line 1, column \d+\) is disabled|SERVICE \(line 2"):
        ok(query)
    ok(query, allow_service=True)  # the switch lets all of them through


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o ; ex:serviceLevel ?l }",
    "SELECT * WHERE { ?s ?p \"SERVICE <http://example.org/> { }\" }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/> { }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * WHERE { ?s a sd:Service }",
    "SELECT * WHERE { ?s <http://example.org/service#x> ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) FILTER(?o<4) }",
    "PREFIX service: <http://example.org/g/> SELECT * WHERE { GRAPH service:one { ?s ?p ?o } }",
])
def test_what_only_looks_like_service_is_fine(query: str) -> None:
    ok(query)


# --- FROM ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "graph"), [
    (f"SELECT * FROM <{EX}/data.ttl> WHERE {{ }}", f"{EX}/data.ttl"),
    (f"select * from named <{EX}/data.ttl> where {{ }}", f"{EX}/data.ttl"),
    (f"SELECT*FROMNAMED<{EX}/data.ttl>WHERE{{}}", f"{EX}/data.ttl"),
    (f"PREFIX far: <{EX}/> SELECT * FROM far:data WHERE {{ }}", f"{EX}/data"),
    (f"PREFIX : <{EX}/> SELECT * FROM:data WHERE {{ }}", f"{EX}/data"),
    (f"BASE <{EX}/a/> SELECT * FROM <../data.ttl> WHERE {{ }}", f"{EX}/data.ttl"),
    (f"BASE <{EX}/> PREFIX rel: <x/> SELECT * FROM rel:y WHERE {{ }}", f"{EX}/x/y"),
    (f"PREFIX ns: <http://example.org/ns#> SELECT * FROM <{EX}/d> WHERE {{ }}", f"{EX}/d"),
    (r"SELECT * FROM <http:\u002F\u002F203.0.113.7:8890/d> WHERE { }", f"{EX}/d"),
])
def test_every_from_is_found_and_resolved(query: str, graph: str) -> None:
    with pytest.raises(ScreenRefused, match="not a graph of this dataset"):
        ok(query)
    assert ok(query, lenient_from=True).from_graphs == [graph]


def test_from_a_graph_of_the_dataset_is_kept() -> None:
    query = ("PREFIX g: <https://w3id.org/dipkg/graph/> SELECT * FROM g:entities "
             "FROM NAMED <https://w3id.org/dipkg/id/article-x> WHERE { }")
    assert ok(query).from_graphs == ["https://w3id.org/dipkg/graph/entities", "https://w3id.org/dipkg/id/article-x"]
    assert not ok("SELECT ?from WHERE { ?from ?p <http://example.org/from> }").has_from


# --- updates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    "PREFIX ex: <http://example.org/#> delete where { ?s ?p ?o }",
    "PREFIX:<http://example.org/>WITH :g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "BASE <http://example.org/> # a comment\n CLEAR ALL",
    "LOAD <http://example.org/data.ttl>",
])
def test_updates_are_refused(query: str) -> None:
    with pytest.raises(ScreenRefused, match="read-only"):
        ok(query)


# --- depth --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [
    lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    lambda n: "ASK { FILTER(" + "(" * (n - 2) + "1" + ")" * (n - 2) + ") }",
    lambda n: "ASK { ?s ?p " + "[ ?p " * (n - 1) + "1" + " ]" * (n - 1) + " }",
    lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE " * (n - 2) + "{}" + "}" * (n - 1),
])
def test_nesting_is_limited(shape: Callable[[int], str]) -> None:
    assert ok(shape(MAX_DEPTH)).depth == MAX_DEPTH
    with pytest.raises(ScreenInvalid, match=f"at most {MAX_DEPTH} levels"):
        ok(shape(MAX_DEPTH + 1))


def test_nesting_hidden_in_the_other_reading_of_less_than_counts() -> None:
    """``?n<((((…1>`` is an IRI to a plain lexer and a comparison with deep parentheses to the engine."""
    deep = "(" * (MAX_DEPTH + 5)
    with pytest.raises(ScreenInvalid, match="nested too deeply"):
        ok(f"ASK {{ FILTER(?n<{deep}1>0{')' * (MAX_DEPTH + 5)}) }}")


# --- bounded work -------------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", [
    "<", "<a", "BASE<", "PREFIX a:<", "?a<'", "?a<#>", "?a<'''x> ", "'", "\"\"\"", "ex:x<#", "FROM <",
    "SERVICE ", "?a<1>", "(", "#<\n",
])
def test_64_kb_of_anything_is_screened_at_once(unit: str) -> None:
    query = (unit * (65536 // len(unit) + 1))[:65536]
    started = time.perf_counter()
    with contextlib.suppress(ScreenRefused, ScreenInvalid):
        ok(query)
    assert time.perf_counter() - started < 1.0, unit


def test_many_values_rows_and_collections_with_hash_iris_are_not_deep() -> None:
    """``(<a> <…#type>)`` in a VALUES block or a collection: the IRI is only an IRI there."""
    row = "(<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/ns#C>)\n"
    assert ok("SELECT * WHERE { VALUES (?s ?p ?o) {\n" + row * (3 * MAX_DEPTH) + "} }").depth == 3
    triple = "?s <http://example.org/ns#list> (<http://example.org/ns#a> <http://example.org/ns#b>) .\n"
    assert ok("SELECT * WHERE {\n" + triple * (3 * MAX_DEPTH) + "}").depth == 2


def test_less_than_is_still_read_both_ways_in_every_expression_place() -> None:
    for place in ("FILTER(?n<1)", "FILTER regex(?n<1)", "BIND(?n<1)", "FILTER(EXISTS { ?s ?p ?o } && ?n<1)"):
        with pytest.raises(ScreenRefused):
            ok(f"SELECT * WHERE {{ {place[:-1]})SERVICE?e#>\n{{ }} }}")


# --- --allow-service ENDPOINT --------------------------------------------------------------------
ALLOWED = "https://query.wikidata.org/sparql"


def with_endpoints(query: str) -> Screened:
    return screen(query, GRAPHS, False, endpoints=[ALLOWED])


@pytest.mark.parametrize("query", [
    f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ service silent <{ALLOWED}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ SERVICESILENT <{ALLOWED}> {{ ?s ?p ?o }} }}",
    "PREFIX wdq: <https://query.wikidata.org/> SELECT * { SERVICE wdq:sparql { ?s ?p ?o } }",
    "BASE <https://query.wikidata.org/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
    f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} SERVICE <{ALLOWED}> {{ ?o ?p ?s }} }}",
])
def test_an_allowed_endpoint_passes(query: str) -> None:
    with_endpoints(query)


@pytest.mark.parametrize("query", [
    f"SELECT * {{ SERVICE <{EX}/sparql> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} SERVICE <{EX}> {{ ?o ?p ?s }} }}",
    "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
    f"SELECT * {{ SERVICE <{ALLOWED}/x> {{ ?s ?p ?o }} }}",
    f"PREFIX SERVICE: <{ALLOWED}> SELECT * {{ SERVICE: {{ ?s ?p ?o }} }}",
    f"SELECT * {{ FILTER(?a<1) SERVICE <{EX}> {{ ?s ?p ?o }} }}",
])
def test_every_other_service_stays_refused(query: str) -> None:
    with pytest.raises(ScreenRefused, match="allowed only for"):
        with_endpoints(query)
