"""Finding things without SPARQL: browse lists with facets and downloads, the timeline, search and
the dataset's home page, read from the real service serving the seed build."""

from __future__ import annotations

import csv
import io
import re

import httpx

from dipkg.server.pages.browse import search_names
from tests.server.conftest import RunningServer


def get(server: RunningServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url + path, headers=headers, timeout=30)


def test_the_browse_index_counts_every_list(server: RunningServer) -> None:
    response = get(server, "/browse")
    assert response.status_code == 200
    for name in ("meetings", "positions", "sanctions", "quotes", "territories", "people", "states", "articles"):
        assert f'href="/browse/{name}"' in response.text


def test_a_facet_filters_the_list_and_counts_what_is_left(server: RunningServer) -> None:
    everything = get(server, "/browse/meetings?format=json").json()
    held = get(server, "/browse/meetings?status=Held&format=json").json()
    assert 0 < held["count"] < everything["count"]
    assert {item["status"] for item in held["items"]} == {"Held"}
    page = get(server, "/browse/meetings?status=Held").text
    assert "<strong>Held</strong>" in page and f"{held['count']} of {everything['count']}" in page


def test_paired_columns_link_each_label_to_its_own_page(server: RunningServer) -> None:
    items = get(server, "/browse/meetings?format=json").json()["items"]
    for item in items:
        assert len(item["participants"]) == len(item["participants_iri"])
        for label, iri in zip(item["participants"], item["participants_iri"], strict=True):
            if label == "Shinzo Abe":
                assert iri.endswith("/id/Shinzo_Abe")


def test_lists_page_and_download_as_csv(server: RunningServer) -> None:
    body = get(server, "/browse/quotes?format=csv").text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and {"speakerLabel", "text", "iri"} <= set(rows[0])
    assert "page 1 of" in get(server, "/browse/quotes").text


def test_entity_lists_default_to_those_in_facts(server: RunningServer) -> None:
    some = get(server, "/browse/people?format=json").json()["count"]
    every = get(server, "/browse/people?all=1&format=json").json()["count"]
    assert 0 < some < every


def test_an_unknown_list_is_a_json_404_naming_the_lists(server: RunningServer) -> None:
    response = get(server, "/browse/dragons")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail"} and "meetings" in response.json()["detail"]


def test_the_timeline_lists_dated_meetings_by_year_newest_first(server: RunningServer) -> None:
    text = get(server, "/timeline").text
    years = [int(y) for y in re.findall(r'<h2 id="y(\d{4})">', text)]
    assert years and years == sorted(years, reverse=True)


def test_search_suggests_names_and_other_names(server: RunningServer) -> None:
    found = get(server, "/search?q=putin&format=json").json()["results"]
    assert found[0]["iri"].endswith("/id/Vladimir_Putin") and found[0]["href"] == "/id/Vladimir_Putin"
    html = get(server, "/search?q=kuril").text
    assert "Kuril" in html
    assert get(server, "/search?q=zzzqqq").text.count("Nothing is called") == 1


def test_search_ranks_names_that_start_with_the_query_first() -> None:
    names = [("Kunashir Island", "id:k", "Territory"), ("South Kuril Islands", "id:s", "Territory"),
             ("Kuril Islands", "id:ku", "Territory"), ("Kurils", "id:ku", "")]
    assert [r["iri"] for r in search_names(names, "kuril")] == ["id:ku", "id:s"]
    assert search_names(names, "  ") == []


def test_every_page_has_the_search_box_and_the_home_lists_articles(server: RunningServer) -> None:
    about = get(server, "/about").text
    assert 'id="site-search"' in about and "/static/search.js" in about
    assert about.count('href="/id/article-') == 5 and "/download/dipkg.trig" in about
    assert get(server, "/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")
