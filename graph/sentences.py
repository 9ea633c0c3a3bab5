"""Stage 2: split an article into sentences with exact code-point offsets.

News text as stored is messy: web boilerplate, headings without punctuation, hard line breaks
in the middle of sentences (some sources wrap at ~95 columns), quotations that run over
several sentences.  The splitter therefore works in two passes:

1. Line breaks are *soft* (inside a sentence) when the next line goes on in lower case, or when
   the text is hard-wrapped (most long lines stop mid-sentence) and the line before is long and
   does not end a sentence; otherwise they are *hard* and end a sentence (headings, captions).
2. Inside a block between hard breaks, a sentence ends at ``. ! ?`` (and any closing quote or
   bracket after it) followed by white space and a capital, a digit or an opening quote — unless
   the word before is an abbreviation, or an open quotation is still running (a quote is
   attributed as a whole, so it must not be cut in two).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A line at least this long that does not end a sentence is a hard-wrapped one.
_WRAPPED_LINE = 60
_SENTENCE_END = ".!?:\"”’)]"
_BREAK = re.compile(r"[ \t\u00a0]*\n[\s\u00a0]*")
_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_OPEN, _CLOSE = "“", "”"

ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "lt", "col",
    "capt", "adm", "sgt", "messrs", "mt", "no", "vs", "etc", "inc", "corp", "co", "ltd", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "p", "pp",
    "approx", "u.s", "u.k", "u.n", "d.c", "e.u", "a.m", "p.m", "i.e", "e.g", "ft", "rev", "fig",
})
# After these abbreviations a capitalised sentence opener still starts a new sentence.
_CAN_END = frozenset({"u.s", "u.k", "u.n", "d.c", "e.u", "etc", "inc", "co", "ltd", "a.m", "p.m"})
_OPENERS = frozenset({
    "The", "But", "It", "He", "She", "They", "We", "This", "That", "These", "Those", "In", "A",
    "An", "Its", "His", "Her", "Their", "Meanwhile", "However", "Still", "Yet", "And", "So", "Now",
    "Mr.", "Ms.", "Mrs.",
})


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: ``article.text[begin:end] == text``."""

    index: int
    begin: int
    end: int
    text: str


def _is_wrapped(text: str) -> bool:
    """Is the text hard-wrapped: do most long lines stop in the middle of a sentence?"""
    long_lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= _WRAPPED_LINE]
    cut = [line for line in long_lines if not line.endswith(tuple(_SENTENCE_END))]
    return len(long_lines) >= 4 and len(cut) >= len(long_lines) / 3


def _hard_breaks(text: str) -> Iterator[tuple[int, int]]:
    """(begin, end) of each block between hard line breaks."""
    start = 0
    wrapped = _is_wrapped(text)
    for match in _BREAK.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        line = text[line_start : match.start()].strip()
        following = text[match.end() : match.end() + 1]
        soft = wrapped and len(line) >= _WRAPPED_LINE and not line.endswith(tuple(_SENTENCE_END))
        soft = soft or line.endswith("—") or (following.islower() and not line.endswith(tuple(_SENTENCE_END)))
        if soft and match.end() < len(text):
            continue
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _is_abbreviation(block: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and not block[word_start - 1].isspace() and block[word_start - 1] not in "(“\"":
        word_start -= 1
    word = block[word_start:dot].lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "George W. Bush"
    if word not in ABBREVIATIONS:
        return False
    if word in _CAN_END:
        following = block[dot + 1 :].split(None, 1)
        return not (following and following[0] in _OPENERS)
    return True


def _ends(block: str) -> Iterator[int]:
    """Offsets (within the block) just after each sentence end."""
    depth_at = [0] * (len(block) + 1)
    depth = 0
    for i, ch in enumerate(block):
        if ch == _OPEN:
            depth += 1
        elif ch == _CLOSE:
            depth = max(0, depth - 1)
        depth_at[i + 1] = depth
    for match in _END.finditer(block):
        if block[match.start()] == "." and _is_abbreviation(block, match.start()):
            continue
        if depth_at[match.end()] > 0:
            continue
        yield match.end()


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences, in order, trimmed of surrounding white space."""
    sentences: list[Sentence] = []
    for block_begin, block_end in _hard_breaks(text):
        block = text[block_begin:block_end]
        cut = 0
        for end in [*_ends(block), len(block)]:
            piece = block[cut:end]
            stripped = piece.strip()
            if stripped:
                begin = block_begin + cut + (len(piece) - len(piece.lstrip()))
                sentences.append(Sentence(len(sentences), begin, begin + len(stripped), stripped))
            cut = end
    return sentences
