"""Conditional GET for whatever is one version of the served data (downloads, Graph Store,
QuickStatements): the dataset's ``ETag`` and ``Last-Modified`` on every answer, and 304 when the
client already has that version.  A module of its own so that every route module can use it
without importing another's routes (no import circles)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from dipkg.server.dataset import ServedDataset


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(request: Request, etag: str, last_modified: str) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison), else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return any(t.strip() == "*" or _opaque(t) == _opaque(etag) for t in if_none_match.split(","))
    since = request.headers.get("if-modified-since")
    if since and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False  # an unreadable date is ignored, as the RFC says
    return False


def validators(dataset: ServedDataset, etag: str | None = None) -> dict[str, str]:
    """The headers that name the data's version (revalidated on every use: ``no-cache``)."""
    return {"ETag": etag or dataset.etag, "Last-Modified": dataset.last_modified,
            "Cache-Control": "public, no-cache"}
