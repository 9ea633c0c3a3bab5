"""A shallow clause splitter for masked sentences, so that a fact's slots come from its clause.

News packs several events into one sentence: "X will visit P in March, aides said after an
X-Y meeting on the sidelines of a summit in Q".  Read as one stretch of words, the meeting
gets the visit's month and its "will"; read clause by clause, the visit keeps "in March" and
"will", and the meeting keeps the summit's place.  This module finds those clauses from
punctuation and a few function words, without a parser:

* coordinate breaks: ";", dashes, ", but", ", while", ", whereas", ", although", ", though";
* relative clauses: ", which", ", who", ", whose", ", where";
* subordinate clauses opened by a conjunction of time or cause ("when", "after", "before",
  "while", "as", "since", "until", "because"), after a comma, after a reporting verb
  ("aides said after …") or at the start of the sentence (up to the first comma);
* reporting clauses: ", <speaker> said" / ", said <speaker>" / ", according to …" at the end
  of a statement (the speaker's own words hold no event of the statement).

Offsets are into the masked text the rules read (``SentenceView.unquoted``), and every
position of the text lies in exactly one clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dipkg.graph import cues

_TABLE = cues.load("clause-breaks")


def _words(kind: str) -> str:
    return _TABLE.pattern(kind=kind)


# The speaker of a reporting clause: a few words or mention tokens ("aides", "Kremlin aide ⟦P3⟧",
# "the ⟦O2⟧ newspaper ⟦O3⟧"), no clause punctuation.
_WORD = r"(?!(?:and|that|to|had|has|was|were)\b)(?:[\w'’.-]+|⟦[A-Z]\d+⟧)"
_SPEAKER = rf"{_WORD}(?: {_WORD}){{0,4}}?"
_REPORT = re.compile(
    rf", (?:(?:{_SPEAKER}) (?:{_words('report')})|(?:{_words('report')}) (?:{_SPEAKER})|"
    rf"(?:{_words('according')}))(?=[ ,.;]|$)",
)
_CONJUNCTION = _words("subordinate")
_BREAKS = re.compile(
    rf"(?P<coordinate>;|\s+[—–]\s*|—|\s--\s|,? (?:{_words('coordinate')}) )"
    rf"|(?P<relative>, (?={_words('relative')} ))"
    rf"|(?P<subordinate>, (?={_CONJUNCTION} ))",
)
_LEADING = re.compile(rf"^(?:{_CONJUNCTION}) [^,;]*, ", re.IGNORECASE)
_AFTER_REPORT = re.compile(rf" (?={_CONJUNCTION} )")


@dataclass(frozen=True)
class Clause:
    """A stretch ``[begin, end)`` of masked text; ``kind`` is how it was opened."""

    begin: int
    end: int
    kind: str

    def text(self, masked: str) -> str:
        return masked[self.begin : self.end]


def split(masked: str) -> list[Clause]:
    """The clauses of a masked sentence, in order, covering it without gaps."""
    starts: dict[int, str] = {0: "main"}
    leading = _LEADING.match(masked)
    if leading:
        starts[0] = "subordinate"
        starts.setdefault(leading.end(), "main")
    for m in _BREAKS.finditer(masked):
        kind = m.lastgroup or "coordinate"
        starts[m.end()] = kind
    for m in _BREAKS.finditer(masked):
        if m.lastgroup == "relative":  # ", which Japan calls X, as early as August": the outer clause resumes
            comma = masked.find(", ", m.end())
            later = [p for p in starts if p > m.end()]
            if comma != -1 and (not later or comma < min(later)) and not _REPORT.match(masked, comma):
                starts[comma + 2] = "resumed"
    for m in _REPORT.finditer(masked):
        starts[m.start()] = "reporting"
        follow = _AFTER_REPORT.match(masked, m.end())
        if follow:  # "aides said after the meeting …": the meeting's own clause
            starts[follow.end()] = "subordinate"
    positions = sorted(p for p in starts if p < len(masked)) or [0]
    clauses: list[Clause] = []
    for i, begin in enumerate(positions):
        end = positions[i + 1] if i + 1 < len(positions) else len(masked)
        if end > begin:
            clauses.append(Clause(begin, end, starts[begin]))
    return clauses or [Clause(0, len(masked), "main")]


def extent(found: list[Clause], clause: Clause) -> tuple[int, int]:
    """Where a clause's words may reach: its own stretch, and past an embedded relative clause
    to the part of it that resumes after ("may visit the islands, which …, in August")."""
    end = clause.end
    index = found.index(clause)
    if index + 2 < len(found) and found[index + 1].kind == "relative" and found[index + 2].kind == "resumed":
        end = found[index + 2].end
    return clause.begin, end


def clause_at(masked: str, at: int) -> Clause:
    """The clause that holds position ``at``."""
    found = split(masked)
    for clause in found:
        if clause.begin <= at < clause.end:
            return clause
    return found[-1]
