"""Datelines, bylines and credit lines: names that state nothing about their bearers.

News pages carry "MOSCOW (Reuters) -", "TOKYO, May 3 (AP) —", "By Jane Doe, Staff Writer",
"Reporting by X; Editing by Y", "Reuters Staff", "1 Min Read" and photo credits such as
"Jane Doe/Agency via Reuters/File Photo".  The agency or writer they name is not an actor of the
story: a mention inside them would make Reuters a speaker or a reporter a discovered person.
The mention stage drops every mention inside these spans.  The words are data
(``ontology/cues/datelines.tsv``); the shapes (a capitalized place before a parenthesized credit,
a short line that starts or ends with a credit word, a slash-separated chain before "Photo") are
the rules here.
"""

from __future__ import annotations

import re
from functools import cache

from dipkg.graph import cues


def _cues(kind: str) -> str:
    return "(?:" + "|".join(r"\s+".join(map(re.escape, c.split()))
                            for c in cues.load("datelines").cues(kind=kind)) + ")"


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    line = re.compile(rf"^\W*{_cues('line')}(?![\w])")
    # "By Jane Doe", "By RFE/RL", "By Jane Doe, Staff Writer" — not "By Friday, they had met"
    byline = re.compile(r"^\W*By\s+[A-Z][\w./&-]*(?:\s+[A-Z][\w./&-]*){0,3}"
                        r"(?:,\s+[A-Z][\w]*(?:\s+[A-Z][\w]*)*)?\W*$")
    tail = re.compile(rf"(?<![\w]){_cues('tail')}\W*$")
    # "MOSCOW (Reuters) -", "TOKYO, May 3 (AP) —", "SINGAPORE (The Straits Times/ANN)-"
    dateline = re.compile(r"^\W*[A-Z][A-Z.'’ -]*[A-Z](?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\s*"
                          r"\([^()]{1,60}\)\s*[-–—]")
    segment = r"[A-Z][\w.'’-]*(?:\s(?:via\s)?[A-Z][\w.'’-]*){0,3}"
    photo = re.compile(rf"(?<![\w])(?:{segment}\s?/\s?)+{_cues('photo')}(?![\w])")
    return line, byline, tail, dateline, photo


def credit_spans(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """(begin, end) article offsets of the credit text in the sentence ``text[begin:end]``."""
    line, byline, tail, dateline, photo = _patterns()
    sentence = text[begin:end]
    words = len(sentence.split())
    credit_line = line.match(sentence) is not None and (
        byline.match(sentence) is not None if re.match(r"\W*By\s", sentence) else words <= 12)
    if credit_line or (tail.search(sentence) and words <= 8):
        return [(begin, end)]
    spans = []
    found = dateline.match(sentence)
    if found:
        spans.append((begin, begin + found.end()))
    spans += [(begin + m.start(), begin + m.end()) for m in photo.finditer(sentence)]
    return spans


# "MOSCOW (Reuters) -", "TOKYO, May 3 (AP) —", "Tokyo--", "MOSCOW --": the place a story is filed from
_PLACE_LINE = re.compile(
    r"^\W*(?P<place>[A-Z][A-Z.'’ -]*[A-Z]|[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?"
    r"\s*(?:\([^()]{1,60}\)\s*[-–—]{1,2}|(?<=[A-Z])\s*(?:--|—)|\s*--)")


def dateline_place(sentence: str) -> str | None:
    """The place a dateline names, as written ("MOSCOW", "Tokyo"), or None. A name in capitals
    needs a credit or a dash after it; a name in mixed case needs a double dash ("Tokyo--"), so
    that a sentence opening with a name and a dash is not read as a dateline."""
    found = _PLACE_LINE.match(sentence)
    return found.group("place").strip() if found else None
