"""Stage 1: read a folder of articles and its ``articles.toml`` manifest.

The text is kept exactly as stored (no normalisation at all), because every provenance
offset downstream is a Python code-point offset into this very string.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dipkg.graph.errors import InputError

MANIFEST = "articles.toml"
# News articles are a few kilobytes; a file past this is not one (or is many), and it would
# hold the build for minutes: refuse it with a clear error.  DIPKG_MAX_ARTICLE_BYTES overrides.
MAX_ARTICLE_BYTES = 1_000_000
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day (``dip:date`` precisions)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: str, where: Path | str) -> PartialDate:
        match = _DATE.match(value.strip())
        if not match:
            raise InputError(where, f"unknown date format {value!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        try:
            if month is not None:
                import datetime

                datetime.date(year, month, day or 1)
        except ValueError as err:
            raise InputError(where, f"invalid date {value!r}: {err}") from None
        return cls(year, month, day)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        return "year" if self.month is None else "month" if self.day is None else "day"


@dataclass(frozen=True)
class Article:
    """One article: its text exactly as stored and what the manifest says of it."""

    file_name: str
    text: str
    published: PartialDate
    title: str | None = None
    publisher: str | None = None
    url: str | None = None

    @property
    def key(self) -> str:
        """The IRI-safe name of the article (its file name without the extension)."""
        stem = self.file_name.rsplit(".", 1)[0]
        return re.sub(r"[^A-Za-z0-9_-]+", "_", stem)


def _text_or_none(entry: dict[str, object], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(where, f"'{key}' must be a string, not {type(value).__name__}")
    return value.strip() or None


def read_manifest(folder: Path) -> dict[str, dict[str, object]]:
    """The manifest's entries by file name, checked for shape but not against the folder."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError(path, "manifest not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 ({err.reason} at byte {err.start})") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(path, f"malformed TOML: {err}") from None
    entries = data.get("article")
    if not isinstance(entries, list) or not entries:
        raise InputError(path, "no [[article]] tables")
    by_file: dict[str, dict[str, object]] = {}
    for number, entry in enumerate(entries, 1):
        where = f"{path} [[article]] #{number}"
        if not isinstance(entry, dict):
            raise InputError(where, "not a table")
        name = entry.get("file")
        if not isinstance(name, str) or not name.strip():
            raise InputError(where, "missing 'file'")
        if "/" in name or "\\" in name or name.startswith("."):
            raise InputError(where, f"'file' must be a plain file name, not {name!r}")
        if name in by_file:
            raise InputError(where, f"{name} is listed twice")
        published = entry.get("published")
        if published is None:
            raise InputError(where, f"missing 'published' for {name}")
        if isinstance(published, datetime.date) and not isinstance(published, datetime.datetime):
            entry = {**entry, "published": published.isoformat()}  # a bare TOML date
        elif isinstance(published, int) and not isinstance(published, bool):
            entry = {**entry, "published": str(published)}  # a bare year
        elif not isinstance(published, str):
            raise InputError(where, f"'published' for {name} must be a date like \"2015-05-16\", "
                                    f"not {type(published).__name__}")
        by_file[name] = entry
    return by_file


def max_article_bytes() -> int:
    value = os.environ.get("DIPKG_MAX_ARTICLE_BYTES", "")
    return int(value) if value.isdigit() else MAX_ARTICLE_BYTES


def load_article(folder: Path, name: str, entry: dict[str, object]) -> Article:
    path = folder / name
    if path.is_symlink():
        # a link can publish any file the builder may read (a system file, another user's)
        raise InputError(path, "is a symbolic link; articles must be regular files in the folder")
    if not path.is_file():
        raise InputError(path, "article listed in articles.toml but not found")
    size, limit = path.stat().st_size, max_article_bytes()
    if size > limit:
        raise InputError(path, f"{size:,} bytes is over the article size limit of {limit:,} bytes "
                               "(DIPKG_MAX_ARTICLE_BYTES)")
    try:
        # read_text, like the vocabulary's definition of offsets: universal newlines, so "\r\n"
        # and a lone "\r" are read as "\n" and offsets count the text as read, which
        # nif:isString holds
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 ({err.reason} at byte {err.start})") from None
    if not text.strip():
        raise InputError(path, "empty article")
    where = f"{folder / MANIFEST} ({name})"
    published = str(entry["published"])
    return Article(
        file_name=name,
        text=text,
        published=PartialDate.parse(published, where),
        title=_text_or_none(entry, "title", where),
        publisher=_text_or_none(entry, "publisher", where),
        url=_text_or_none(entry, "url", where),
    )


def load_articles(folder: Path) -> list[Article]:
    """Every ``*.txt`` of the folder, each of which the manifest must describe."""
    if not folder.is_dir():
        raise InputError(folder, "articles folder not found")
    manifest = read_manifest(folder)
    on_disk = sorted(p.name for p in folder.glob("*.txt"))
    unlisted = [n for n in on_disk if n not in manifest]
    if unlisted:
        raise InputError(folder / MANIFEST, f"no [[article]] entry for {', '.join(unlisted)}")
    return [load_article(folder, name, manifest[name]) for name in sorted(manifest)]
