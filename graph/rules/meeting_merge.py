"""Meetings, stage two: one fact per meeting, however many times the article mentions it.

A mention joins an earlier meeting when they share a participant, every other participant of
each is *covered* by the other (the same entity, or a state and the person who leads it:
"Tsipras visited Russia" + "his meetings with Tsipras, Putin …"), and their dates and places
agree (one may be vaguer: 2015 and 2015-05-09, Japan and Tokyo).  A mention with a single
participant ("Abe was to meet with the political outcast in Sochi") only completes a meeting of
the two sentences before it; one with no participant but an exact day completes the meeting of
that day ("the subcabinet talks to be held in Moscow on May 18").

The merged status is the strongest one a cue word gave (cancelled, held, planned, proposed, in
that order), else the one guessed from tense and date.  A summit between states ("the
Japan-Russia summit") is one of their leaders, when the article names them.
"""

from __future__ import annotations

from dipkg.graph.articles import PartialDate
from dipkg.graph.facts import Meeting
from dipkg.graph.rules.common import Context
from dipkg.graph.rules.meeting_types import Candidate

_STRENGTH = {"cancelled": 4, "held": 3, "planned": 2, "proposed": 1}


def _covered(context: Context, who: str, others: set[str]) -> bool:
    if who in others:
        return True
    entity = context.registry.get(who)
    if entity is not None and entity.letter == "S":
        return any(context.leads(p, who) for p in others)
    state = context.state_of_person(who)
    return bool(state and state in others and context.leads(who, state))


def _dates_agree(a: PartialDate | None, b: PartialDate | None) -> bool:
    if a is None or b is None:
        return True
    return a.iso().startswith(b.iso()) or b.iso().startswith(a.iso())


def _places_agree(context: Context, a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    for inner, outer in ((a, b), (b, a)):
        entity = context.registry.get(inner)
        state = context.registry.state_of(entity) if entity is not None else None
        if state is not None and state.id == outer:
            return True
        if entity is not None and entity.part_of == outer:
            return True
    return False


class _Draft:
    def __init__(self, cand: Candidate) -> None:
        self.participants = set(cand.participants)
        self.spans = [(cand.view.sentence.begin, cand.view.sentence.end)]
        self.sentences = [cand.view.sentence.index]
        self.location = cand.location
        self.date = cand.date.value if cand.date else None
        self.date_guess = cand.date_guess
        self.inherited = [cand.inherited_date] if cand.inherited_date else []
        # the publication year a statement ("Abe visited Putin in Sochi") is taken to be from;
        # a reference back ("the visit", "his trip") carries no year of its own
        self.stated_year = cand.date_guess if "anaphoric" not in cand.extra else None
        self.statuses = [cand.status] if cand.status else []
        self.guessed = [cand.guessed_status]
        self.hints = [cand.kind_hint]

    def absorb(self, context: Context, cand: Candidate) -> None:
        self.participants |= set(cand.participants)
        span = (cand.view.sentence.begin, cand.view.sentence.end)
        if span not in self.spans:
            self.spans.append(span)
            self.sentences.append(cand.view.sentence.index)
        if cand.location and (self.location is None or _more_specific(context, cand.location, self.location)):
            self.location = cand.location
        value = cand.date.value if cand.date else None
        if value is not None and (self.date is None or len(value.iso()) > len(self.date.iso())):
            self.date = value
        guess = cand.date_guess
        if self.date_guess is None or (guess is not None and guess.iso().startswith(self.date_guess.iso())):
            self.date_guess = guess  # "midway through the visit" dates a visit the headline gave a year
        if self.stated_year is None and "anaphoric" not in cand.extra:
            self.stated_year = cand.date_guess
        if cand.inherited_date:
            self.inherited.append(cand.inherited_date)
        if cand.status:
            self.statuses.append(cand.status)
        self.guessed.append(cand.guessed_status)
        self.hints.append(cand.kind_hint)

    def fits(self, context: Context, cand: Candidate) -> bool:
        mine, theirs = self.participants, set(cand.participants)
        if not theirs:
            return bool(cand.date and cand.date.value and cand.date.value.day is not None
                        and self.date == cand.date.value)
        if not mine & theirs:
            return False
        if len(theirs) == 1 and cand.view.sentence.index - max(self.sentences) > 2:
            return False
        if not all(_covered(context, p, mine) for p in theirs):
            return False
        if not all(_covered(context, p, theirs) for p in mine) and len(theirs) > 1:
            return False
        if ("ministerial" in self.hints) != (cand.kind_hint == "ministerial") and any(
                context.is_leader(p) for p in mine | theirs):
            return False  # ministers meeting is not the leaders' visit
        value = cand.date.value if cand.date else None
        if value is None and "anaphoric" not in cand.extra:
            value = cand.date_guess
        return _dates_agree(self.date or self.stated_year, value) and \
            _places_agree(context, self.location, cand.location)


_SPECIFICITY = {"C": 3, "T": 2, "L": 1, "S": 0}  # a city says more than a territory, a state least


def _more_specific(context: Context, new: str, old: str) -> bool:
    def rank(place: str) -> int:
        entity = context.registry.get(place)
        return _SPECIFICITY.get(entity.letter, 0) if entity is not None else 0

    return new != old and rank(new) > rank(old)


def _forum_summit(context: Context, cand: Candidate) -> bool:
    """A group's own summit ("G7 leaders agreed to hold their own summit in Brussels") is a
    meeting with the group alone as participant (gold convention 2), when the text says where."""
    if len(set(cand.participants)) != 1 or cand.kind_hint != "summit" or cand.location is None:
        return False
    entity = context.registry.get(cand.participants[0])
    return entity is not None and entity.letter == "O"


def merge(context: Context, candidates: list[Candidate]) -> None:
    drafts: list[_Draft] = []
    orphans: list[Candidate] = []
    for cand in candidates:
        best = None
        for draft in drafts:
            if draft.fits(context, cand):
                best = draft
                break
        if best is not None:
            best.absorb(context, cand)
        elif len(set(cand.participants)) >= 2 or _forum_summit(context, cand):
            drafts.append(_Draft(cand))
        else:
            orphans.append(cand)
    for cand in orphans:  # an exact day may name a meeting mentioned only later
        for draft in drafts:
            if not cand.participants and draft.fits(context, cand):
                draft.absorb(context, cand)
                break
    for draft in drafts:
        _finish(context, draft)


def _finish(context: Context, draft: _Draft) -> None:
    if any(h == "summit" for h in draft.hints):
        for p in list(draft.participants):
            entity = context.registry.get(p)
            if entity is not None and entity.letter == "S":
                leader = context.leader_of(p)
                if leader:
                    draft.participants.add(leader)
    status = max(draft.statuses, key=_STRENGTH.__getitem__) if draft.statuses else \
        max(draft.guessed, key=_STRENGTH.__getitem__)
    date = draft.date
    for inherited in draft.inherited:  # "attend the May ceremony" held on May 9
        if _dates_agree(date, inherited) and (date is None or len(inherited.iso()) > len(date.iso())):
            date = inherited
    date = date or draft.date_guess
    people = [p for p in draft.participants if (e := context.registry.get(p)) is not None and e.letter == "P"]
    leaders = [p for p in people if context.is_leader(p)]
    ministers = [p for p in people if any("minister" in pos.role.lower() and pos.holder == p
                                          for pos in context.facts.positions)]
    if "phone" in draft.hints and not {"summit", "visit", "attend"} & set(draft.hints):
        kind = "talks"  # a phone call between named people (gold rule 12)
    elif "ministerial" in draft.hints or (len(people) >= 2 and len(ministers) == len(people)):
        kind = "ministerial"
    elif len(leaders) >= 2 or "summit" in draft.hints:
        kind = "summit"
    elif len(people) >= 2:
        kind = "talks"
    elif "visit" in draft.hints or "attend" in draft.hints:
        kind = "visit"
    else:
        kind = "other"
    context.facts.meetings.append(Meeting(
        participants=draft.participants, spans=sorted(draft.spans), location=draft.location,
        date=date, status=status, kind=kind, sentence=min(draft.sentences),
    ))
