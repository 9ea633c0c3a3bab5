"""Sources: each fact's sentence in its paragraph, and an article's text with every span highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from dipkg.graph.namespace import ID_IRI
from dipkg.server.pages.reading import Article, Fact, GraphReader, Span
from dipkg.server.pages.terms import (
    CONTEXT_CHARS,
    FACT_CLASSES,
    PROV_DERIVED,
    RDF_PREDICATE,
    RDF_STATEMENT,
    SECTIONS,
    dip,
    iri_of,
    local_href,
)
from dipkg.server.pages.wording import Part, Writer

# --- sources: the sentence in its paragraph ---------------------------------------------------
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True)
class Context:
    before: str
    marked: str
    after: str


def paragraph_context(text: str, begin: int, end: int, limit: int = CONTEXT_CHARS) -> Context:
    """The span inside its paragraph (the text between the nearest blank lines around it)."""
    start = 0
    for m in _BLANK_LINE.finditer(text, 0, begin):
        start = m.end()
    following = _BLANK_LINE.search(text, end)
    stop = following.start() if following else len(text)
    before, after = text[start:begin], text[end:stop]
    room = max(0, limit - (end - begin)) // 2
    if len(before) > room:
        cut = before[len(before) - room:]
        before = "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    if len(after) > room:
        cut = after[:room]
        after = (cut[:cut.rfind(" ")] if " " in cut else cut) + "…"
    return Context(before.lstrip(), text[begin:end], after.rstrip())


@dataclass(frozen=True)
class Source:
    span: Span
    article: Article | None
    href: str                  # the article page, at the sentence
    context: Context | None    # None when the article text is not there


@dataclass(frozen=True)
class FactView:
    iri: str
    href: str
    sentence: list[Part]
    kind: str                  # its type's label: "meeting", "quote", ...
    section: str
    sources: list[Source]
    sort_key: tuple[str, ...]
    #: the year the fact is dated (its own date, else its first article's): the page's year filter
    year: str = ""


STATEMENT_KINDS = {dip("claimedBy"): "claim", dip("controlledBy"): "control", dip("memberOf"): "membership"}


def fact_kind(fact: Fact, writer: Writer) -> str:
    """What the fact is, in a word: its class's label, or for a reified triple what it states."""
    if RDF_STATEMENT in fact.types:
        return STATEMENT_KINDS.get(next(iter(fact.iris(RDF_PREDICATE)), ""), "statement")
    kinds = sorted(t for t in fact.types if t in FACT_CLASSES)
    return writer.label(kinds[0]) if kinds else "fact"


def span_anchor(span_iri: str) -> str:
    return span_iri[len(ID_IRI):] if span_iri.startswith(ID_IRI) else re.sub(r"\W", "-", span_iri)


def make_source(span: Span, article: Article | None, root: str) -> Source:
    href = (local_href(span.article, root) or "") + "#" + span_anchor(span.iri)
    context = None
    if article and 0 <= span.begin <= span.end <= len(article.text):
        context = paragraph_context(article.text, span.begin, span.end)
    return Source(span, article, href, context)


class PageData:
    """Loads facts with their spans, articles and labels in a handful of queries."""

    def __init__(self, reader: GraphReader, root: str) -> None:
        self.reader = reader
        self.root = root

    def views(self, facts: list[Fact], writer: Writer) -> list[FactView]:
        span_iris = sorted({s for f in facts for s in f.iris(PROV_DERIVED)})
        spans = self.reader.spans(span_iris)
        articles = {a: self.reader.article(a) for a in sorted({s.article for s in spans.values()})}
        views = []
        for fact in facts:
            sources = [make_source(spans[s], articles.get(spans[s].article), self.root)
                       for s in fact.iris(PROV_DERIVED) if s in spans]
            sources.sort(key=lambda s: (s.article.issued or "" if s.article else "", s.span.article, s.span.begin))
            date = fact.first_literal(dip("date"))
            first_issued = next((s.article.issued for s in sources if s.article and s.article.issued), "")
            sentence = writer.sentence(fact)
            plain = "".join(p if isinstance(p, str) else p.text for p in sentence)
            views.append(FactView(
                fact.iri, local_href(fact.iri, self.root) or "", sentence,
                fact_kind(fact, writer), fact.section, sources,
                (str(SECTIONS.index(fact.section)), str(date[1]) if date else first_issued or "", plain),
                year_of(str(date[1]) if date else first_issued or "")))
        views.sort(key=lambda v: v.sort_key)
        return views

    def label_targets(self, facts: list[Fact]) -> set[str]:
        out: set[str] = set()
        for fact in facts:
            out.update(fact.territories)
            for predicate, values in fact.props.items():
                if predicate == PROV_DERIVED:
                    continue
                out.add(predicate)
                out.update(i for t in values if (i := iri_of(t)))
        return out


def year_of(value: str) -> str:
    """``2019`` of ``2019-01-22``, ``2019-01`` or ``2019``; empty for anything else."""
    return value[:4] if re.match(r"\d{4}(?:-|$)", value) else ""


def sections(views: list[FactView]) -> list[tuple[str, list[FactView]]]:
    return [(name, [v for v in views if v.section == name]) for name in SECTIONS
            if any(v.section == name for v in views)]


# --- article text with every span highlighted -------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    ids: tuple[str, ...] = ()   # anchors of the spans that start here


def highlight(text: str, spans: Iterable[Span]) -> list[Segment]:
    """The text cut at every span boundary; covered pieces are marked, overlapping spans merged.

    Each span's anchor sits where it starts, so ``#span-…`` links land on the sentence; adjacent
    marked pieces are joined unless a span starts between them.
    """
    valid = [s for s in spans if 0 <= s.begin < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.begin for s in valid), *(s.end for s in valid)})
    starts: dict[int, list[str]] = {}
    for s in sorted(valid, key=lambda s: (s.begin, s.end)):
        starts.setdefault(s.begin, []).append(span_anchor(s.iri))
    segments: list[Segment] = []
    for a, b in pairwise(cuts):
        if a == b:
            continue
        marked = any(s.begin <= a and b <= s.end for s in valid)
        ids = tuple(starts.get(a, ()))
        if segments and not ids and segments[-1].marked == marked:
            last = segments.pop()
            segments.append(Segment(last.text + text[a:b], marked, last.ids))
        else:
            segments.append(Segment(text[a:b], marked, ids))
    return segments
