"""Writing over HTTP: ``POST /articles`` adds an article, ``DELETE /articles/{id}`` takes one out.

The service only carries the request to the ingest API (``dipkg.graph.ingest``: it extracts,
merges, reasons, validates and publishes a new release, atomically) and then serves what it
published: the answer comes after the service has swapped to the new version (``server.versions``),
so a client that gets 201 and then queries sees its article.

Writes are guarded, because they change what everybody reads:

* a bearer token (``DIPKG_WRITE_TOKEN``; without one writing is off, 403), compared in constant
  time, never logged, and refused in a URL's query string (400) — URLs end up in logs, histories
  and caches on the way;
* a size limit on the article (``DIPKG_MAX_ARTICLE_BYTES``, the build's, 1 MB; 413, read no
  further than the limit allows);
* one writer at a time in this service (the ingest API also locks the data folder against other
  processes), run off the event loop so that reads go on being answered meanwhile.

Bad input is a 400 (not JSON, not a form) or 422 (a field missing or of the wrong type, an article
the ingest API refuses) in the service's error shape ``{"error", "detail"}``; nothing already
served is lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.types import Message

from dipkg.graph.errors import InputError
from dipkg.graph.ingest import ArticleInput, IngestResult, ingest, remove
from dipkg.graph.namespace import ID_IRI
from dipkg.graph.publish import PublishError
from dipkg.server.engine import QueryError, QueryRequest, Solutions
from dipkg.server.negotiation import error_response
from dipkg.server.openapi import ARTICLE_DELETE_RESPONSES, ARTICLE_POST_RESPONSES
from dipkg.server.versions import RELEASE_HEADER, Service, Versions, service_of

router = APIRouter()

#: Query-string names under which a client might put the write token; any of them is refused.
TOKEN_PARAMETERS = frozenset({"token", "access_token", "write_token", "auth", "authorization", "bearer",
                              "key", "api_key", "apikey"})
#: The fields of an article besides its text (all optional strings).
FIELDS = ("file_name", "title", "publisher", "published", "url")
#: What a request body may hold beyond the article: JSON escapes (``\\u00e9`` is 6 bytes for 2)
#: and the multipart envelope; the article itself is held to the limit once decoded.
ENVELOPE_FACTOR, ENVELOPE_BYTES = 6, 64 * 1024
FACTS = "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT DISTINCT ?fact WHERE {{ GRAPH <{graph}> {{ " \
        "?fact prov:wasDerivedFrom ?span }} }} ORDER BY ?fact"


class Refused(Exception):
    """A write refused or failed (by this module or the ingest): an HTTP status and a one-line reason."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


# --- who may write --------------------------------------------------------------------------------
def check_writer(request: Request) -> None:
    """Raise ``Refused`` unless the request carries the write token in its Authorization header."""
    service = service_of(request)
    token = service.settings.write_token
    query = request.url.query
    names = {name.strip().lower() for name, _ in parse_qsl(query, keep_blank_values=True)}
    values = [value for _, value in parse_qsl(query, keep_blank_values=True)]
    if names & TOKEN_PARAMETERS or (token and any(hmac.compare_digest(v.encode(), token.encode()) for v in values)):
        raise Refused(400, "the write token goes in the Authorization header (Authorization: Bearer <token>), "
                           "never in the URL: URLs are logged and cached along the way")
    if not token:
        raise Refused(403, "writing is off: this service was started without DIPKG_WRITE_TOKEN")
    if service.settings.files_mode or service.settings.data_dir is None:
        raise Refused(403, "writing is off: this service serves RDF files (--rdf/--graph), not a dipkg build")
    header = request.headers.get("authorization")
    challenge = {"WWW-Authenticate": 'Bearer realm="dipkg"'}
    if header is None:
        raise Refused(401, "writing needs the write token: send Authorization: Bearer <token>", challenge)
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Refused(401, "the Authorization header is not a bearer token: send Authorization: Bearer <token>",
                      challenge)
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Refused(403, "the write token is wrong")


# --- what was sent --------------------------------------------------------------------------------
async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it is known to exceed ``limit``: by its declared length,
    else while it arrives."""
    declared = request.headers.get("content-length", "")
    too_large = Refused(413, f"the request is larger than an article may be ({limit_text(request)})")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def limit_text(request: Request) -> str:
    return f"{service_of(request).settings.max_article_bytes} bytes, DIPKG_MAX_ARTICLE_BYTES"


def _string(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Refused(422, f"{name!r} must be a string, not {type(value).__name__}")
    return value


def article_from(fields: dict[str, Any], text: Any, upload_name: str | None, request: Request) -> ArticleInput:
    """The article the fields describe, checked: text present and within the limit, a plain
    file name (one is made from the text's hash when none is given)."""
    unknown = sorted(set(fields) - {*FIELDS, "text", "file"})
    if unknown:
        raise Refused(422, f"unknown field {unknown[0]!r}: an article has text (or a file) and "
                           f"{', '.join(FIELDS)}")
    if not isinstance(text, str) or not text.strip():
        raise Refused(422, "the article has no text: send 'text' (JSON or a form field) or a 'file' part")
    if len(text.encode("utf-8", "surrogatepass")) > service_of(request).settings.max_article_bytes:
        raise Refused(413, f"the article is larger than the limit ({limit_text(request)})")
    values = {name: _string(fields, name) for name in FIELDS}
    name = values["file_name"] or upload_name or f"posted-{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
    if PurePosixPath(name).name != name or "\\" in name or "\0" in name or name.startswith("."):
        raise Refused(422, f"file_name {name!r} must be a plain file name (no folders, not hidden)")
    return ArticleInput(text=text, file_name=name, title=values["title"], publisher=values["publisher"],
                        published=values["published"], url=values["url"])


async def parse_article(request: Request) -> ArticleInput:
    """The article of a JSON body or of a form (multipart with a ``file`` part, or urlencoded)."""
    settings = service_of(request).settings
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in ("application/json", "multipart/form-data", "application/x-www-form-urlencoded"):
        raise Refused(415, "send the article as application/json ({\"text\": …, \"title\": …}) or as "
                           "multipart/form-data (a 'file' part and fields)")
    body = await read_body(request, settings.max_article_bytes * ENVELOPE_FACTOR + ENVELOPE_BYTES)
    if media == "application/json":
        try:
            fields = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise Refused(400, f"the body is not JSON: {err}") from None
        if not isinstance(fields, dict):
            raise Refused(422, "the JSON body must be an object: {\"text\": …, \"title\": …, …}")
        return article_from(fields, fields.get("text"), None, request)
    return await _parse_form(request, body)


async def _parse_form(request: Request, body: bytes) -> ArticleInput:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=len(FIELDS) + 2,
                                                         max_part_size=max(1, len(body)))  # text: 413 below
    except Exception as err:  # python-multipart's and Starlette's parse errors have no common base
        raise Refused(400, f"the form cannot be read: {err}") from None
    fields: dict[str, Any] = {}
    text: Any = None
    upload_name = None
    for name, value in form.multi_items():
        if name in fields or (name in ("text", "file") and text is not None):
            raise Refused(422, f"the field {name!r} is given twice (or both 'text' and 'file')")
        if isinstance(value, UploadFile):
            if name != "file":
                raise Refused(422, f"a file may only be sent as the 'file' part, not {name!r}")
            data = await value.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise Refused(422, f"the file is not UTF-8 text: {err.reason} at byte {err.start}") from None
            upload_name = PurePosixPath(value.filename).name if value.filename else None
        elif name == "text":
            text = value
        else:
            fields[name] = value
    await form.close()
    return article_from(fields, text, upload_name, request)


# --- writing, then serving what was written -------------------------------------------------------
async def write(request: Request, change: Callable[[], IngestResult]) -> tuple[IngestResult, Service]:
    """Run ``change`` (an ingest or a removal) in a thread, then serve the release it published;
    returns the result and the version now served."""
    versions: Versions = request.app.state.versions

    def run() -> tuple[IngestResult, Service, Service]:
        with versions.writing:  # one writer at a time in this service
            before = versions.current
            result = change()
            return result, before, versions.reload()

    try:
        result, before, served = await asyncio.to_thread(run)
    except InputError as err:
        raise Refused(422, str(err)) from None
    except PublishError as err:
        raise Refused(503, f"the new release could not be published: {err}") from None
    if served is before and served.dataset.release_dir != result.release.resolve():
        raise Refused(500, f"release {result.release.name} was published but the service could not serve it "
                           f"(see its log); it still serves release {served.release}")
    return result, served


def fact_iris(service: Service, article: str) -> list[str]:
    """The facts the article's graph derives from its sentences, as the new version serves them."""
    result = service.engine.execute(QueryRequest(FACTS.format(graph=article)))
    if not isinstance(result, Solutions):
        return []
    return [str(row[0][1]) for row in result.rows if row[0] is not None]


def answer(result: IngestResult, served: Service, article: str, status: str) -> dict[str, Any]:
    """What a write changed, as the served version has it."""
    return {"article": article, "status": status, "release": served.release,
            "facts": dict(sorted(result.facts.items())), "seconds": round(result.seconds, 3)}


def _refusal(err: Refused) -> Response:
    return error_response(err.status, err.detail, headers=err.headers)


@router.post("/articles", status_code=201, responses=ARTICLE_POST_RESPONSES)
async def add_article(request: Request) -> Response:
    """Add one article: extracted, merged, published, and served before the answer comes."""
    try:
        check_writer(request)
        article = await parse_article(request)
        data_dir = service_of(request).settings.data_dir
        assert data_dir is not None  # check_writer refused a service without one
        result, served = await write(request, lambda: ingest(data_dir, [article]))
        added = [*result.added, *result.already_present]
        if not added:
            raise Refused(500, "the ingest reported no article added and none already present")
        iri = str(added[0])
        body = answer(result, served, iri, "added" if result.added else "already present")
        body["fact_iris"] = await asyncio.to_thread(fact_iris, served, iri)
    except Refused as err:
        return _refusal(err)
    except QueryError as err:
        return error_response(500, f"the article was added but its facts could not be read back: {err.message}")
    root = str(request.scope.get("root_path", "")).rstrip("/")
    location = f"{root}/id/{iri[len(ID_IRI):]}" if iri.startswith(ID_IRI) else iri  # its page here
    return JSONResponse(body, status_code=201 if result.added else 200,
                        headers={"Location": location, RELEASE_HEADER: served.release})


def resolve_article(service: Service, given: str) -> str | None:
    """The served article an id names: its IRI, ``article-<stem>``, its stem or its file name."""
    stem = given.removeprefix(ID_IRI).removeprefix("article-").removesuffix(".txt")
    wanted = f"{ID_IRI}article-{stem}"
    return wanted if wanted in service.dataset.article_graphs else None


@router.delete("/articles/{article:path}", responses=ARTICLE_DELETE_RESPONSES)
async def delete_article(request: Request, article: str) -> Response:
    """Take one article out: its graph and every fact only it supported."""
    try:
        check_writer(request)
        service = service_of(request)
        iri = resolve_article(service, article)
        if iri is None:
            raise Refused(404, f"no article {article!r} is served (give its file name, id or IRI)")
        data_dir = service.settings.data_dir
        assert data_dir is not None
        result, served = await write(request, lambda: remove(data_dir, iri))
    except Refused as err:
        return _refusal(err)
    return JSONResponse(answer(result, served, iri, "removed"), headers={RELEASE_HEADER: served.release})
