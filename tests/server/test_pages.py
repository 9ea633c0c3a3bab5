"""The pages people read: the query page, resource pages by content negotiation, and their 404s.

Each check reads what a user gets from the real service (the ``server`` fixture, serving the seed
build): the HTML as sent, the RDF parsed back with rdflib, and every highlighted source sentence
compared with the seed article's own text at the span's offsets.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from dipkg.server.pages import Link, Span, highlight, negotiate, paragraph_context, templates
from tests.server.conftest import RunningServer

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/dipkg/id/"
ABE = URIRef(ID + "Shinzo_Abe")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
MARKED_SOURCE = re.compile(r'<blockquote>(?:(?!</blockquote>).)*?<mark>(.*?)</mark>.*?</blockquote>\s*'
                           r'<figcaption><a href="([^"]+)">', re.S)


def get(server: RunningServer, path: str, accept: str | None = BROWSER_ACCEPT, headers: dict[str, str] | None = None,
        follow_redirects: bool = False) -> httpx.Response:
    sent = {**({"Accept": accept} if accept else {}), **(headers or {})}
    return httpx.get(server.url + path, headers=sent, timeout=30, follow_redirects=follow_redirects)


def text_of(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@cache
def abe_page(url: str) -> str:
    response = httpx.get(url + "/id/Shinzo_Abe", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def article_file(href: str) -> str:
    """``/id/article-<stem>#…`` -> the seed file it was built from."""
    match = re.fullmatch(r"/id/article-([^#]+)#.*", href)
    assert match, href
    return match.group(1) + ".txt"


# --- the query page -----------------------------------------------------------------------------
def test_query_page_has_the_editor_the_prefixes_and_every_example(server: RunningServer) -> None:
    response = get(server, "/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'id="yasgui"' in page and "/static/yasgui/yasgui.min.js" in page
    # offline: every script and style sheet comes from this service
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert src.startswith("/"), src
    config = json.loads(html.unescape(re.search(r'id="dipkg-config"[^>]*>(.*?)</script>', page, re.S)[1]))  # type: ignore[index]
    assert config["endpoint"] == "/sparql"
    assert set(config["prefixes"]) >= {"dip", "id", "rdfs", "owl", "prov", "nif", "dct", "skos", "wd", "xsd"}
    assert "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>" in config["defaultQuery"]
    queries = [e["query"] for e in config["examples"]]
    for path in sorted((ROOT / "examples").glob("*.rq")):
        assert path.read_text(encoding="utf-8").strip() in queries, path.name
        title = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
        assert html.escape(title, quote=False) in page or html.escape(title) in page
    assert page.count("data-example=") == len(config["examples"])


def test_static_files_have_media_types_caching_and_no_way_out(server: RunningServer) -> None:
    js = get(server, "/static/yasgui/yasgui.min.js", accept=None)
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "max-age" in js.headers["cache-control"]
    again = get(server, "/static/yasgui/yasgui.min.js", accept=None, headers={"If-None-Match": js.headers["etag"]})
    assert again.status_code == 304
    assert get(server, "/static/yasgui/yasgui.min.css", accept=None).headers["content-type"].startswith("text/css")
    assert "MIT License" in get(server, "/static/yasgui/LICENSE.txt", accept=None).text
    assert "4.2.28" in get(server, "/static/yasgui/README.txt", accept=None).text
    assert get(server, "/static/prefixes.json", accept=None).json()["dip"] == "https://w3id.org/dipkg/ontology#"
    for path in ("/static/%2e%2e/pages.py", "/static/..%2Fpages.py", "/static/nothing.js"):
        assert get(server, path, accept=None).status_code == 404, path


# --- an entity page -------------------------------------------------------------------------------
def test_entity_page_shows_label_wikidata_and_facts_in_plain_words(server: RunningServer) -> None:
    page = abe_page(server.url)
    assert "<h1>Shinzo Abe</h1>" in page
    assert '<a class="wikidata" href="https://www.wikidata.org/wiki/Q132345">' in page
    sentences = [text_of(s) for s in re.findall(r'<p class="sentence">(.*?)</p>', page, re.S)]
    assert any(s.startswith("Shinzo Abe met Vladimir Putin in Moscow, 22 January 2019 (held)") for s in sentences)
    assert any(s.startswith("Shinzo Abe is Prime Minister of Japan") for s in sentences)
    assert any("— said by Shinzo Abe" in s for s in sentences)
    assert '<a href="/id/Vladimir_Putin">Vladimir Putin</a>' in page


def test_every_highlighted_sentence_is_the_article_text_at_its_offsets(
        server: RunningServer, seed_texts: dict[str, str]) -> None:
    sources = MARKED_SOURCE.findall(abe_page(server.url))
    assert len(sources) >= 20
    for marked, href in sources:
        match = re.fullmatch(r"/id/article-(.+)#span-\1-(\d+)-(\d+)", href)
        assert match, href
        text = seed_texts[article_file(href)]
        assert html.unescape(marked) == text[int(match[2]):int(match[3])]


def test_a_source_links_to_its_article_page_at_the_sentence(
        server: RunningServer, seed_texts: dict[str, str]) -> None:
    href = next(h for _, h in MARKED_SOURCE.findall(abe_page(server.url)) if "000_" in h)
    path, anchor = href.split("#")
    response = get(server, path)
    assert response.status_code == 200
    page = response.text
    assert f'<mark id="{anchor}">' in page or f'<span id="{anchor}">' in page
    assert "Abe breaks Putin&#39;s isolation" in page and "Bloomberg" in page and "2016-05-06" in page
    assert '<a href="https://www.japantimes.co.jp/' in page
    body = re.search(r'<div class="article-text">(.*?)</div>', page, re.S)
    assert body is not None
    # the full text, exactly as stored, with the marks merged in
    assert html.unescape(re.sub(r"<[^>]+>", "", body[1])) == seed_texts[article_file(href)]
    assert page.count("<mark") >= 20
    assert re.search(r'<a class="details" href="/id/meeting-[0-9a-f]+">meeting</a>', page)


def test_a_span_redirects_to_its_sentence_in_the_article(server: RunningServer) -> None:
    href = MARKED_SOURCE.findall(abe_page(server.url))[0][1]
    span = href.split("#")[1]
    response = get(server, f"/id/{span}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == href


def test_a_fact_has_its_own_page(server: RunningServer) -> None:
    meeting = re.search(r'22 January 2019 \(held\) <a class="details" href="(/id/meeting-[0-9a-f]+)"',
                        abe_page(server.url))
    assert meeting, "the Moscow meeting of 22 January 2019 is not on Shinzo Abe's page"
    response = get(server, meeting[1])
    assert response.status_code == 200
    assert text_of(re.search(r'<h1 class="sentence">(.*?)</h1>', response.text, re.S)[1]) == (  # type: ignore[index]
        "Shinzo Abe met Vladimir Putin in Moscow, 22 January 2019 (held)")
    assert "<mark>" in response.text and "/id/article-" in response.text
    turtle = Graph().parse(data=get(server, meeting[1] + "?format=turtle").text, format="turtle")
    assert (URIRef(ID + meeting[1][4:]), URIRef("https://w3id.org/dipkg/ontology#participant"), ABE) in turtle


# --- RDF by content negotiation ---------------------------------------------------------------------
LABEL = (ABE, RDFS.label, Literal("Shinzo Abe", lang="en"))


@pytest.mark.parametrize(("accept", "query", "media_type", "rdflib_format"), [
    ("text/turtle", "", "text/turtle", "turtle"),
    ("application/ld+json", "", "application/ld+json", "json-ld"),
    ("text/turtle;q=0.5, application/ld+json", "", "application/ld+json", "json-ld"),
    (BROWSER_ACCEPT, "?format=turtle", "text/turtle", "turtle"),
    (BROWSER_ACCEPT, "?format=jsonld", "application/ld+json", "json-ld"),
    ("text/turtle", "?format=ntriples", "application/n-triples", "nt"),
])
def test_rdf_of_an_entity(server: RunningServer, accept: str, query: str, media_type: str,
                          rdflib_format: str) -> None:
    response = get(server, "/id/Shinzo_Abe" + query, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers.get("vary", "")
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert LABEL in graph
    assert (ABE, URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://www.wikidata.org/entity/Q132345")) \
        in graph
    # the labels of what it links to come along
    assert (URIRef(ID + "Japan"), RDFS.label, Literal("Japan", lang="en")) in graph


def test_negotiation_rules() -> None:
    def name(accept: str | None) -> str | None:
        fmt = negotiate(accept)
        return fmt.name if fmt else None

    assert name(BROWSER_ACCEPT) == "html"
    assert name(None) == name("") == name("*/*") == name("text/*") == "html"
    assert name("text/turtle") == name("text/turtle, */*;q=0.1") == "turtle"
    assert name("application/json") == "jsonld"
    assert name("text/html;q=0.1, text/turtle") == "turtle"
    assert name("application/pdf") is None
    assert name("text/html;q=0") is None


# --- errors -----------------------------------------------------------------------------------------
def test_unknown_resource_is_a_404_page_with_a_way_back(server: RunningServer) -> None:
    response = get(server, "/id/No_Such_Thing")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert 'href="/"' in response.text
    plain = get(server, "/id/No_Such_Thing", accept="text/turtle")
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")
    assert get(server, "/id/Shinzo_Abe", accept="application/pdf").status_code == 406
    assert get(server, "/id/Shinzo_Abe?format=pdf").status_code == 400


@pytest.mark.parametrize("path", ["/id/%2F", "/id/..%2F..", "/id/%2e%2e", "/id/%00", "/id/a%20b", "/id/",
                                  "/id/%3Cscript%3E", "/id/x%3E%20%3Fs%20%3Fp%20%3Fo%20%3C", "/id/%E2%80%94"])
def test_odd_names_are_404_never_500(server: RunningServer, path: str) -> None:
    for accept in (BROWSER_ACCEPT, "text/turtle"):
        response = get(server, path, accept=accept, follow_redirects=True)
        assert response.status_code == 404, (path, accept, response.text[:300])
        if response.headers["content-type"].startswith("text/html"):
            assert "<script>" not in response.text


# --- the pieces, without the server -----------------------------------------------------------------
def test_overlapping_and_repeated_spans_are_merged_with_an_anchor_each() -> None:
    text = "One two three. Four five six. Seven."
    spans = [Span(ID + "span-a-0-14", "a", 0, 14, None), Span(ID + "span-a-4-29", "a", 4, 29, None),
             Span(ID + "span-a-0-14b", "a", 0, 14, None), Span(ID + "span-a-30-36", "a", 30, 36, None)]
    segments = highlight(text, spans)
    assert "".join(s.text for s in segments) == text
    marked = "".join(s.text if s.marked else "|" for s in segments)
    assert marked == "One two three. Four five six.|Seven."
    anchors = [a for s in segments for a in s.ids]
    assert sorted(anchors) == sorted(s.iri[len(ID):] for s in spans)


def test_context_is_the_paragraph_around_the_span() -> None:
    text = "Title\n\nFirst sentence. Second sentence.\nStill the paragraph.\n\nNext paragraph."
    begin = text.index("Second")
    context = paragraph_context(text, begin, begin + len("Second sentence."))
    assert (context.before, context.marked, context.after) == (
        "First sentence. ", "Second sentence.", "\nStill the paragraph.")


def test_labels_and_text_are_escaped() -> None:
    rendered = templates().from_string('{% from "_macros.html" import parts %}{{ parts(p) }}').render(
        p=[Link("<b>x</b>", "/id/x"), " & <i>", Link("y", None, current=True)])
    assert rendered == '<a href="/id/x">&lt;b&gt;x&lt;/b&gt;</a> &amp; &lt;i&gt;<strong>y</strong>'


def test_pages_write_dates_as_people_do() -> None:
    from dipkg.server.pages.wording import human_date

    assert human_date("2015-03-09") == "9 March 2015"
    assert human_date("2015-03") == "March 2015" and human_date("2015") == "2015"
    assert human_date("2015-13") == "2015-13" and human_date("soon") == "soon"


def test_a_visit_names_the_visitor_the_host_and_whom_they_met(server: RunningServer) -> None:
    text = text_of(get(server, "/id/Angela_Merkel").text)
    assert "Angela Merkel visited Japan and met Shinzo Abe, March 2015 (held)" in text, text[:2000]


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_no_api_pages_that_need_a_cdn(server: RunningServer, path: str) -> None:
    """/docs and /redoc are off (they load Swagger UI from a CDN, with an inline script the
    security policy forbids); the 404 names what there is instead."""
    answer = get(server, path)
    assert answer.status_code == 404
    assert "/openapi.json" in answer.text and "cdn" not in answer.text.lower()


def test_the_api_description_is_served(server: RunningServer) -> None:
    answer = get(server, "/openapi.json", accept="application/json")
    assert answer.status_code == 200
    spec = answer.json()
    assert spec["info"]["title"] == "dipkg" and "/sparql" in spec["paths"] and "/health" in spec["paths"]
