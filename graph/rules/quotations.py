"""Quotations: where an article's quotation marks open and close, before anyone is credited.

Found over the whole article, not sentence by sentence, because news lets a quotation run over
several sentences and mixes its marks: “…”, "…", “…" (a curly opening closed by a straight mark),
‘…’ and '…' in headlines. A quotation still open at the end of a paragraph runs to the
paragraph's end (news leaves the mark open when the next paragraph goes on quoting). Who said the
words is :mod:`dipkg.graph.rules.quotes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dipkg.graph.mentions import SentenceView
from dipkg.graph.rules.common import Context

_OPENERS, _CLOSERS = "“", "”"


@dataclass(frozen=True)
class Quotation:
    """The words between a pair of quotation marks (article offsets) and the sentences they span."""

    begin: int
    end: int
    open_mark: int
    close_mark: int  # offset of the closing mark; ``end`` when the paragraph ended it
    first: int
    last: int


def _hard_wrapped(text: str) -> bool:
    """Do most long lines stop mid-sentence (a text wrapped at a fixed width)?"""
    long_lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 60]
    cut = [line for line in long_lines if not line.endswith(tuple(".!?:\"”’)]"))]
    return len(long_lines) >= 4 and len(cut) >= len(long_lines) / 3


def _paragraphs(context: Context) -> list[list[SentenceView]]:
    """Consecutive sentences with no line break between them (no blank line, in a hard-wrapped
    text, where a line break is only where the width ran out)."""
    out: list[list[SentenceView]] = []
    breaks = r"\n[ \t]*\n" if _hard_wrapped(context.text) else r"\n"
    for view in context.views:
        if out and not re.search(breaks, context.text[out[-1][-1].sentence.end : view.sentence.begin]):
            out[-1].append(view)
        else:
            out.append([view])
    return out


def _sentence_at(views: list[SentenceView], offset: int) -> int:
    for view in views:
        if view.sentence.begin <= offset < view.sentence.end:
            return view.sentence.index
    return views[-1].sentence.index


def quotations(context: Context) -> list[Quotation]:
    """Every quotation of the article, in text order."""
    text = context.text
    found: list[Quotation] = []
    for para in _paragraphs(context):
        begin, end = para[0].sentence.begin, para[-1].sentence.end
        opened: int | None = None
        spans: list[tuple[int, int, int, int]] = []
        for i in range(begin, end):
            ch = text[i]
            if ch in _OPENERS and opened is None:
                opened = i
            elif (ch in _CLOSERS or ch == '"') and opened is not None:
                spans.append((opened + 1, i, opened, i))
                opened = None
            elif ch == '"':
                opened = i
        if opened is not None and end - opened > 2:
            spans.append((opened + 1, end, opened, end))
        doubles = list(spans)
        for view in para:  # single marks: ‘…’ and '…' not inside double ones
            s = view.sentence
            for m in re.finditer(r"(?<![\w’'])[‘'](?=[A-Za-z])([^‘’'\"“”]{1,80}?[\w.!?,])['’](?![\w’'])", s.text):
                b, e = s.begin + m.start(1), s.begin + m.end(1)
                if not any(db <= b < de for db, de, _, _ in doubles):
                    spans.append((b, e, b - 1, e))
        for b, e, o, c in sorted(spans):
            words = text[b:e]
            lead = len(words) - len(words.lstrip())
            trail = len(words) - len(words.rstrip())
            b, e = b + lead, e - trail
            if e > b:
                found.append(Quotation(b, e, o, c, _sentence_at(para, o), _sentence_at(para, max(b, e - 1))))
    return found


def words_of(context: Context, quote: Quotation) -> str:
    """The quoted words, white space folded, without a trailing comma or period — unless the
    period ends an abbreviation ("… and the U.S.")."""
    words = re.sub(r"[\s,]+$", "", " ".join(context.text[quote.begin : quote.end].split()))
    if re.search(r"(?<![\w.])(?:[A-Za-z]\.){2,}$", words):
        return words
    return re.sub(r"[\s,.]+$", "", words)
