"""POST /articles and DELETE /articles/{id}: a real service over a copy of the seed build, written
to with httpx, its answers checked against what it then serves.

The articles are short texts written for these tests (never a development-set text).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import RunningServer, launch, stop

TOKEN = "test-write-token-5f1d"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LIMIT = 20_000  # DIPKG_MAX_ARTICLE_BYTES for the writable service
DIP = "https://w3id.org/dipkg/ontology#"

SUMMIT = ("Leaders agree to resume talks\n\n"
          "VLADIVOSTOK, Sept. 2 — Japanese Prime Minister Shinzo Abe met Russian President Vladimir Putin "
          "in Vladivostok on Thursday, and the two leaders agreed to resume talks on a peace treaty.\n\n"
          "\"We have taken a step forward,\" Abe told reporters after the meeting.\n")
SECOND = ("Ministers meet in Moscow\n\n"
          "MOSCOW, Nov. 9 — Japanese Foreign Minister Fumio Kishida met Russian Foreign Minister Sergei Lavrov "
          "in Moscow on Monday.\n")
FIELDS = {"title": "Leaders agree to resume talks", "publisher": "Test Wire", "published": "2021-09-02",
          "url": "https://example.org/news/leaders-agree"}


@pytest.fixture(scope="module")
def writable(seed_build: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A service with writing on, over its own copy of the seed build."""
    folder = tmp_path_factory.mktemp("writable")
    out = folder / "out"
    shutil.copytree(seed_build.out, out, symlinks=True)
    for marker in out.glob("releases/*/.serving-*"):
        marker.unlink()
    running = launch(["--data", str(out)], folder / "server.log",
                     {"DIPKG_WRITE_TOKEN": TOKEN, "DIPKG_MAX_ARTICLE_BYTES": str(LIMIT), "DIPKG_WORKERS": "2"})
    yield running
    stop(running)


def post(server: RunningServer, headers: dict[str, str] | None = AUTH, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/articles", headers=headers, timeout=300, **kwargs)


def ask(server: RunningServer, query: str) -> bool:
    response = httpx.get(server.sparql, params={"query": query}, timeout=30)
    response.raise_for_status()
    return bool(response.json()["boolean"])


def triples(server: RunningServer) -> int:
    response = httpx.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}, timeout=30)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def is_error(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "detail"} and words in body["detail"], body


# --- who may write -----------------------------------------------------------------------------------
def test_writing_is_off_without_a_token(server: RunningServer) -> None:
    is_error(post(server, json={"text": SUMMIT, **FIELDS}), 403, "writing is off")
    is_error(httpx.delete(f"{server.url}/articles/article-x", headers=AUTH, timeout=30), 403, "writing is off")


def test_writes_need_the_token_in_the_header(writable: RunningServer) -> None:
    before = triples(writable)
    article = {"text": SUMMIT, **FIELDS}
    missing = post(writable, headers=None, json=article)
    is_error(missing, 401, "Authorization: Bearer")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    is_error(post(writable, headers={"Authorization": f"Basic {TOKEN}"}, json=article), 401, "not a bearer token")
    is_error(post(writable, headers={"Authorization": "Bearer not-the-token"}, json=article), 403, "wrong")
    is_error(post(writable, headers={"Authorization": f"Bearer {TOKEN}x"}, json=article), 403, "wrong")
    for params in ({"token": TOKEN}, {"access_token": "anything"}, {"t": TOKEN}):
        is_error(post(writable, headers=None, params=params, json=article), 400, "never in the URL")
    is_error(httpx.delete(f"{writable.url}/articles/article-x", timeout=30), 401, "Authorization")
    assert triples(writable) == before
    assert TOKEN not in writable.log_text()


# --- bad input --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "status", "words"), [
    ({"content": b"{not json", "headers": {**AUTH, "Content-Type": "application/json"}}, 400, "not JSON"),
    ({"content": b"\xff\xfe", "headers": {**AUTH, "Content-Type": "application/json"}}, 400, "not JSON"),
    ({"json": ["a list"]}, 422, "must be an object"),
    ({"json": {**FIELDS}}, 422, "no text"),
    ({"json": {"text": "   \n", **FIELDS}}, 422, "no text"),
    ({"json": {"text": SUMMIT, **FIELDS, "title": 7}}, 422, "'title' must be a string"),
    ({"json": {"text": SUMMIT, **FIELDS, "colour": "red"}}, 422, "unknown field 'colour'"),
    ({"json": {"text": SUMMIT, **FIELDS, "file_name": "../escape.txt"}}, 422, "plain file name"),
    ({"json": {"text": SUMMIT, **FIELDS, "file_name": ".hidden.txt"}}, 422, "plain file name"),
    ({"content": SUMMIT.encode(), "headers": {**AUTH, "Content-Type": "text/plain"}}, 415, "application/json"),
    ({"files": {"file": ("a.txt", b"\xffnot utf-8", "text/plain")}, "data": FIELDS}, 422, "not UTF-8"),
    ({"files": {"other": ("a.txt", SUMMIT.encode(), "text/plain")}, "data": FIELDS}, 422, "'file' part"),
])
def test_bad_input_is_refused_and_loses_nothing(writable: RunningServer, kwargs: dict[str, Any], status: int,
                                                words: str) -> None:
    before = triples(writable)
    is_error(post(writable, **({"headers": AUTH} | kwargs)), status, words)
    assert triples(writable) == before


def test_an_article_over_the_limit_is_413(writable: RunningServer) -> None:
    is_error(post(writable, json={"text": "Abe met Putin. " * (LIMIT // 10), **FIELDS}), 413,
             "DIPKG_MAX_ARTICLE_BYTES")
    big = "Abe met Putin. " * (LIMIT // 10)
    is_error(post(writable, data={"text": big, **FIELDS}), 413, "DIPKG_MAX_ARTICLE_BYTES")  # a form field
    is_error(post(writable, files={"file": ("big.txt", big.encode(), "text/plain")}, data=FIELDS), 413,
             "DIPKG_MAX_ARTICLE_BYTES")
    # a body far over the limit is refused by its declared length, before it is read
    huge = b'{"text": "' + b"x" * (LIMIT * 7 + 70_000) + b'"}'
    is_error(post(writable, content=huge, headers={**AUTH, "Content-Type": "application/json"}), 413,
             "larger than an article may be")


def test_an_article_the_ingest_refuses_is_422(writable: RunningServer) -> None:
    before = triples(writable)
    is_error(post(writable, json={"text": SUMMIT, **FIELDS, "published": "the day before yesterday"}), 422,
             "date")
    assert triples(writable) == before


# --- adding, and taking out ---------------------------------------------------------------------------
def test_an_added_article_is_served_when_the_answer_comes(writable: RunningServer) -> None:
    before = triples(writable)
    response = post(writable, json={"text": SUMMIT, "file_name": "leaders-agree.txt", **FIELDS})
    assert response.status_code == 201, response.text
    body = response.json()
    iri = body["article"]
    assert iri == "https://w3id.org/dipkg/id/article-leaders-agree"
    assert response.headers["location"] == "/id/article-leaders-agree"
    assert body["status"] == "added" and body["facts"]["meetings"] >= 1 and body["facts"]["quotes"] >= 1
    # no waiting: the answer came after the service serves the new release
    assert httpx.get(f"{writable.url}/health", timeout=10).json()["release"] == body["release"]
    assert response.headers["x-dipkg-release"] == body["release"]
    assert triples(writable) > before
    assert ask(writable, f"ASK {{ GRAPH <{iri}> {{ <{iri}> <http://purl.org/dc/terms/title> "
                         f"\"{FIELDS['title']}\" }} }}")
    meetings = [f for f in body["fact_iris"] if ask(writable, f"ASK {{ <{f}> a <{DIP}Meeting> }}")]
    assert len(meetings) == body["facts"]["meetings"]
    assert httpx.get(f"{writable.url}{response.headers['location']}", timeout=30).status_code == 200

    again = post(writable, json={"text": SUMMIT, "file_name": "leaders-agree.txt", **FIELDS})
    assert again.status_code == 200 and again.json()["status"] == "already present", again.text
    assert again.json()["release"] == body["release"]


def test_an_uploaded_file_is_added_and_can_be_deleted(writable: RunningServer) -> None:
    before = triples(writable)
    response = post(writable, files={"file": ("ministers-meet.txt", SECOND.encode(), "text/plain")},
                    data={**FIELDS, "title": "Ministers meet in Moscow", "published": "2015-11-09"})
    assert response.status_code == 201, response.text
    iri = response.json()["article"]
    assert iri.endswith("/article-ministers-meet")
    assert ask(writable, f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")

    removed = httpx.delete(f"{writable.url}/articles/ministers-meet.txt", headers=AUTH, timeout=300)
    assert removed.status_code == 200, removed.text
    assert removed.json()["article"] == iri and removed.json()["status"] == "removed"
    assert not ask(writable, f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    assert triples(writable) == before
    assert httpx.get(f"{writable.url}/id/article-ministers-meet", timeout=30).status_code == 404
    is_error(httpx.delete(f"{writable.url}/articles/ministers-meet.txt", headers=AUTH, timeout=30), 404,
             "no article")


def test_concurrent_writes_lose_nothing(writable: RunningServer) -> None:
    """Two POSTs at once: one writer at a time, both articles served in the end."""
    texts = {"concurrent-a.txt": SECOND.replace("Monday", "Tuesday"),
             "concurrent-b.txt": SECOND.replace("Moscow on Monday", "Tokyo on Friday")}
    answers: dict[str, httpx.Response] = {}

    def send(name: str) -> None:
        answers[name] = post(writable, json={"text": texts[name], "file_name": name, **FIELDS})

    threads = [threading.Thread(target=send, args=(name,)) for name in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert all(answer.status_code == 201 for answer in answers.values()), {k: v.text for k, v in answers.items()}
    for name in texts:
        iri = f"https://w3id.org/dipkg/id/article-{Path(name).stem}"
        assert ask(writable, f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"), name
