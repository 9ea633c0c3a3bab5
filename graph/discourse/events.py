"""Event anaphora: plural references back to meetings the article has just reported.

"Putin will meet Abe this week … He will also hold talks with Duterte. Both meetings will take
place at the summit in Lima."  The last sentence names no participant: it says where (and so
when) the meetings already read take place.  A plural meeting noun with a determiner that
points back ("both meetings", "the two meetings", "these talks", "the meetings") takes the
last meetings of the preceding sentences — two for "both"/"the two", else those of the
previous sentence — gives them the place the sentence names, and lets them share a date: a
set of meetings at one gathering happens at the same time, so one that the text dates dates
the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dipkg.graph.mentions import SentenceView
from dipkg.graph.rules.meeting_types import Candidate

_PLURAL = re.compile(
    r"\b(?P<det>[Bb]oth|[Tt]he two|[Tt]hese|[Tt]hose|[Tt]he) (?P<noun>meetings|talks|visits|summits)\b")
_WINDOW = 3  # sentences back that a plural reference reaches


def resolve_plural(view: SentenceView, earlier: list[Candidate],
                   place_after: Callable[[SentenceView, str], str | None]) -> list[Candidate]:
    """The earlier meetings a plural reference in ``view`` points to, completed with its place
    and a shared date; ``place_after`` reads the place of a stretch of masked text."""
    m = _PLURAL.search(view.unquoted)
    if m is None:
        return []
    index = view.sentence.index
    recent = [c for c in earlier if 0 < index - c.view.sentence.index <= _WINDOW and len(set(c.participants)) >= 2]
    if m.group("det").lower() in {"both", "the two"}:
        chosen = recent[-2:] if len(recent) >= 2 else []
    else:
        last = max((c.view.sentence.index for c in recent), default=None)
        chosen = [c for c in recent if c.view.sentence.index == last]
    if not chosen:
        return []
    place = place_after(view, view.unquoted[m.end() :])
    dated = next((c.date for c in chosen if c.date is not None), None)
    for cand in chosen:
        if cand.location is None and place is not None:
            cand.location = place
        if cand.date is None and dated is not None:
            cand.date = dated
    return chosen
