"""The service's own ASGI middleware: request ids, security headers, the URL check, the access log.

Written as plain ASGI callables rather than Starlette's ``BaseHTTPMiddleware`` (``@app.middleware
("http")``): that one runs the rest of the application in a task of its own and passes the
response through memory streams, which cost about a millisecond of event-loop work per request —
more than a point lookup takes in the engine (README "Benchmarks").  Here a request goes through
one ``await`` and the response start message is edited as it passes.

The access log goes to stderr: one JSON line per request (``ts``, ``id``, ``method``, ``path``,
``status``, ``ms``, ``bytes``, ``client``, and for queries ``query_ms`` and the first characters
of the query), or, when stderr is a terminal (or ``DIPKG_LOG_FORMAT=text``), a line a person
reads: ``GET /sparql 200 3.1 ms 1.2 kB``.  A query is never logged past ``QUERY_PREFIX`` characters:
it may hold what a user would not want in a log, and a 64 KB query would swamp it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from dipkg.server.negotiation import error_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("dipkg.access")

#: How much of a query the access log keeps (whitespace runs count as one space).
QUERY_PREFIX = 48

#: Sent with every response.  The pages load only what the service serves (YASGUI is vendored in
#: /static; its editor sets inline styles, hence 'unsafe-inline' for styles only — never scripts),
#: may not be framed (clickjacking), and nothing is sniffed into another type: a SPARQL answer
#: with a literal that looks like HTML stays text.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_SECURITY = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]


def bad_query_string(raw: bytes) -> str | None:
    """Why the URL's query string is not UTF-8 once percent-decoded, or None if it is.

    Starlette decodes it with replacement characters, so a query with a stray %FF would run as
    some other query; the client should hear instead exactly what is wrong.
    """
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            try:
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError as err:
                name = unquote_to_bytes(part.split(b"=", 1)[0]).decode("utf-8", "replace")
                return (f"the URL's query string is not UTF-8: the parameter {name!r} has {err.reason} at byte "
                        f"{err.start} once percent-decoded; percent-encode the UTF-8 bytes of the text")
    return None


def log_format(setting: str, stream: Any = None) -> str:
    """``json`` or ``text``: what ``DIPKG_LOG_FORMAT`` says, and for ``auto`` (the default) text
    when stderr is a terminal — a person is watching — and JSON lines otherwise (a log collector)."""
    value = setting.strip().lower()
    if value in ("json", "text"):
        return value
    stream = sys.stderr if stream is None else stream
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


def query_prefix(query: str) -> str:
    """The start of a query as the log keeps it: whitespace runs as one space, at most
    ``QUERY_PREFIX`` characters, with ``…`` when something was left out."""
    short = " ".join(query[: 4 * QUERY_PREFIX].split())
    return short if len(short) <= QUERY_PREFIX and len(query) <= 4 * QUERY_PREFIX else short[:QUERY_PREFIX] + "…"


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def text_line(record: dict[str, Any]) -> str:
    """``GET /sparql 200 3.1 ms 1.2 kB``, then the query time and the query's start when there is one."""
    line = f"{record['method']} {record['path']} {record['status']} {record['ms']:.1f} ms {human_size(record['bytes'])}"
    if "query_ms" in record:
        line += f" (engine {record['query_ms']:.1f} ms)"
    if "query" in record:
        line += f" {record['query']}"
    return line


class ServiceMiddleware:
    """Request id, security headers and the URL check on every HTTP response, and one access-log
    line per request.  It sits outermost (after ``add_middleware``'s others), so the log sees the
    bytes as sent (compressed, when they are) and the headers reach error responses too."""

    def __init__(self, app: ASGIApp, log_format: str = "json") -> None:
        self.app = app
        self.text = log_format == "text"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:12]
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500
        size = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in _SECURITY if item[0] not in present)
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            problem = bad_query_string(scope.get("query_string", b""))
            if problem:
                await error_response(400, problem)(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            self._log(scope, state, request_id, status, size, time.perf_counter() - started)

    def _log(self, scope: Scope, state: dict[str, Any], request_id: str, status: int, size: int,
             elapsed: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        record: dict[str, Any] = {
            "ts": round(time.time(), 3), "id": request_id, "method": scope.get("method", ""),
            "path": scope.get("path", ""), "status": status, "ms": round(1000 * elapsed, 1), "bytes": size,
            "client": client[0] if client else None,
        }
        if state.get("query_ms") is not None:
            record["query_ms"] = state["query_ms"]
        if isinstance(state.get("query"), str):
            record["query"] = query_prefix(state["query"])
        access_log.info(text_line(record) if self.text else json.dumps(record, ensure_ascii=False))


def configure_access_log() -> None:
    """The access log's handler: stderr, the message as it is (once, however many apps)."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
