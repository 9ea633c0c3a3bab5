"""Wikidata on the service: QuickStatements downloads (the same lines as ``dipkg export wikidata``
on the served release), one fact's lines or the reason it cannot go, the fact page's button, the
entity page's Wikidata link — and the entity page's summary and filter.  Against the real server."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from dipkg.cli import main
from tests.server.conftest import RunningServer
from tests.server.test_pages import BROWSER_ACCEPT, text_of

ID = "https://w3id.org/dipkg/id/"
DIP = "https://w3id.org/dipkg/ontology#"


def _get(server: RunningServer, path: str, **params: str) -> httpx.Response:
    return httpx.get(server.url + path, params=params, headers={"Accept": BROWSER_ACCEPT}, timeout=60)


def _one(server: RunningServer, query: str) -> str:
    rows = httpx.get(server.sparql, params={"query": query}, timeout=30).json()["results"]["bindings"]
    assert rows, query
    return str(rows[0]["f"]["value"])


def test_the_download_is_what_dipkg_export_wikidata_writes_for_the_release(
        server: RunningServer, seed_build, tmp_path: Path) -> None:
    response = _get(server, "/download/wikidata.qs")
    assert response.status_code == 200 and response.headers["content-type"] == "text/plain; charset=utf-8"
    assert 'filename="wikidata.qs"' in response.headers["content-disposition"]
    modified = Graph().parse(seed_build.out / "dipkg.ttl").value(URIRef("https://w3id.org/dipkg/dataset"),
                                                                 DCTERMS.modified)
    retrieved = datetime.date.fromisoformat(str(modified)[:10])
    out, rejected = tmp_path / "w.qs", tmp_path / "rejected.tsv"
    assert main(["export", "wikidata", "--data", str(seed_build.out), "-o", str(out), "--rejected", str(rejected),
                 "--retrieved", retrieved.isoformat()]) == 0
    assert response.text == out.read_text(encoding="utf-8")
    assert response.text.count("\tP39\t") >= 1
    assert f"S813\t+{retrieved.isoformat()}T00:00:00Z/11" in response.text
    listed = _get(server, "/download/wikidata-rejected.tsv")
    assert listed.status_code == 200 and listed.text == rejected.read_text(encoding="utf-8")
    # one version of the data: a conditional GET is answered 304
    again = httpx.get(server.url + "/download/wikidata.qs", headers={"If-None-Match": response.headers["etag"]},
                      timeout=30)
    assert again.status_code == 304


def test_one_facts_lines_or_the_reason_it_cannot_go(server: RunningServer) -> None:
    everything = _get(server, "/download/wikidata.qs").text.splitlines()
    position = _one(server, f"SELECT ?f WHERE {{ ?f a <{DIP}PositionHolding> ; <{DIP}holder> <{ID}Shinzo_Abe> }}")
    lines = _get(server, "/download/wikidata.qs", fact=position)
    assert lines.status_code == 200
    assert lines.text.splitlines() and set(lines.text.splitlines()) <= set(everything)
    assert all(line.startswith("Q132345\tP39\t") for line in lines.text.splitlines())
    meeting = _one(server, f"SELECT ?f WHERE {{ ?f a <{DIP}Meeting> }} ORDER BY ?f LIMIT 1")
    refused = _get(server, "/download/wikidata.qs", fact=meeting)
    assert refused.status_code == 404 and "P710" in refused.json()["detail"] and meeting in refused.json()["detail"]
    unknown = _get(server, "/download/wikidata.qs", fact=ID + "no-such-fact")
    assert unknown.status_code == 404 and "not a fact" in unknown.json()["detail"]
    assert _get(server, "/download/wikidata.qs", fact=" ").status_code == 400


def test_a_fact_page_offers_its_quickstatements_or_says_why_not(server: RunningServer) -> None:
    position = _one(server, f"SELECT ?f WHERE {{ ?f a <{DIP}PositionHolding> ; <{DIP}holder> <{ID}Shinzo_Abe> }}")
    page = _get(server, "/id/" + position[len(ID):]).text
    box = re.search(r'<details class="quickstatements">.*?</details>', page, re.S)
    assert box and "QuickStatements for this fact" in box.group(0)
    shown = text_of(re.search(r"<pre>(.*?)</pre>", box.group(0), re.S).group(1))  # type: ignore[union-attr]
    lines = _get(server, "/download/wikidata.qs", fact=position).text
    assert shown == " ".join(lines.split())
    href = re.search(r'<a href="([^"]+)" download>Download these lines', box.group(0)).group(1)  # type: ignore[union-attr]
    assert httpx.get(server.url + href.replace("&amp;", "&"), timeout=30).text == lines
    meeting = _one(server, f"SELECT ?f WHERE {{ ?f a <{DIP}Meeting> }} ORDER BY ?f LIMIT 1")
    page = _get(server, "/id/" + meeting[len(ID):]).text
    assert "This fact cannot go to Wikidata: P710 (participant) needs an item for the meeting" in text_of(page)


def test_an_entity_page_links_its_wikidata_item(server: RunningServer) -> None:
    page = _get(server, "/id/Shinzo_Abe").text
    assert '<a class="wikidata" href="https://www.wikidata.org/wiki/Q132345">Q132345</a>' in page


def _facts(page: str) -> list[tuple[str, str, bool]]:
    """(kind, year, hidden) of every fact listed on a page."""
    return [(m.group(1), m.group(2), bool(m.group(3))) for m in
            re.finditer(r'<li class="fact" data-kind="([^"]*)" data-year="([^"]*)"( hidden)?>', page)]


def test_a_long_entity_page_starts_with_a_summary_of_its_facts(server: RunningServer) -> None:
    page = _get(server, "/id/Shinzo_Abe").text
    facts = _facts(page)
    assert len(facts) >= 6 and not any(h for _, _, h in facts)
    summary = text_of(re.search(r'<section class="summary".*?</section>', page, re.S).group(0))  # type: ignore[union-attr]
    years = sorted(y for _, y, _ in facts if y)
    articles = len(set(re.findall(r'<figcaption><a href="(/id/article-[^"#]+)#', page)))
    assert f"{len(facts)} facts, {years[0]}–{years[-1]}, from {articles} articles" in summary
    for kind in {k for k, _, _ in facts}:
        assert f"{kind} {sum(1 for k, _, _ in facts if k == kind)}" in summary
    assert page.index('class="summary"') < page.index('id="facts"')
    assert '<script src="/static/facts-filter.js" defer></script>' in page
    assert _get(server, "/static/facts-filter.js").status_code == 200


def test_a_short_entity_page_has_no_summary(server: RunningServer) -> None:
    name = _one(server, f"""SELECT ?f WHERE {{ ?f a <{DIP}Person> . ?x <{DIP}speaker> ?f }}
                            GROUP BY ?f HAVING (COUNT(?x) = 1) ORDER BY ?f LIMIT 1""")
    page = _get(server, "/id/" + name[len(ID):]).text
    assert 0 < len(_facts(page)) < 6 and 'class="summary"' not in page and "facts-filter.js" not in page


@pytest.mark.parametrize("kind,year", [("Meetings", ""), ("", "2015"), ("Meetings", "2016")])
def test_the_filter_works_without_script_too(server: RunningServer, kind: str, year: str) -> None:
    everything = _facts(_get(server, "/id/Shinzo_Abe").text)
    page = _get(server, "/id/Shinzo_Abe", kind=kind, year=year).text
    facts = _facts(page)
    assert [(k, y) for k, y, _ in facts] == [(k, y) for k, y, _ in everything]  # all there, some hidden
    shown = [(k, y) for k, y, hidden in facts if not hidden]
    assert shown == [(k, y) for k, y, _ in everything if (not kind or k == kind) and (not year or y == year)]
    assert shown and len(shown) < len(facts)
    assert f"{len(shown)} of {len(facts)} facts shown" in text_of(page)


def test_an_unknown_filter_value_shows_everything(server: RunningServer) -> None:
    facts = _facts(_get(server, "/id/Shinzo_Abe", kind="Recipes", year="1066").text)
    assert facts and not any(hidden for _, _, hidden in facts)
