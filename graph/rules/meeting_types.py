"""The records meetings are read into, shared by the reader and the merger.

They live apart from both so that ``graph.rules.meetings`` (which reads sentences into
candidates) and ``graph.rules.meeting_merge`` (which folds candidates into meetings) depend on
this module and not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dipkg.graph.articles import PartialDate
from dipkg.graph.dates import DateMention
from dipkg.graph.mentions import SentenceView


@dataclass
class Event:
    """A ceremony or summit a person hosts, that a later "attend the event" refers to."""

    host: str
    noun: str
    location: str | None
    date: PartialDate | None


@dataclass
class Candidate:
    """One mention of a meeting, before merging.

    ``host`` is the state a visit goes to when it joined the participants only as the place
    visited: the gold conventions keep it only when the visit names no counterpart, so the
    merger drops it again once a leader of that state is among the participants.
    """

    participants: list[str]
    view: SentenceView
    kind_hint: str
    location: str | None = None
    date: DateMention | None = None
    status: str | None = None
    guessed_status: str = "held"
    date_guess: PartialDate | None = None
    inherited_date: PartialDate | None = None
    visitor: str | None = None
    host: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
