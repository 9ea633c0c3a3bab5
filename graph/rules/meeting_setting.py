"""Where, when and whether: the setting of a meeting mention — its place, the host state, its date
and its status.

Read from the trigger's stretch of text (see :mod:`dipkg.graph.rules.meetings`):

* location — the place after "in/at" (the most specific of a chain: "the Black Sea resort of
  Sochi" is Sochi; a capitalized name the registry lacks, "in The Hague", is discovered as a
  city), a sentence-opening "In Tokyo,", or the destination of a visit;
* host — the state the place is in; for a disputed territory, the holder the article names,
  else the visitor's own state when it is a party to the dispute;
* date — a date of the stretch (a date before "prior to" gives only the year; "around April 27"
  only the month);
* status — the cue word nearest before the trigger (cancelled / planned / proposed, the table
  ``ontology/cues/meeting-status.tsv``), else the tense or the date against the publication date.
"""

from __future__ import annotations

import re

from dipkg.graph import cues
from dipkg.graph.articles import PartialDate
from dipkg.graph.dates import DateMention
from dipkg.graph.lexicon import TITLES
from dipkg.graph.mentions import Mention, SentenceView
from dipkg.graph.rules.common import Context
from dipkg.graph.rules.meeting_types import Candidate

MONTHS_AND_DAYS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
                   "Friday", "Saturday", "Sunday", "Parliament", "Congress", "Office", "House", "Palace")
# "in The Hague on Monday", "in San Marino.": a capitalized name closing an "in" phrase
_UNKNOWN_PLACE = re.compile(
    r"^(?:[^,;]{0,40}? )?in (?P<name>(?:The )?[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})(?=[,.;]|$| (?:on|for|to|with|during|"
    r"this|next|last|in|from|and|as|after|before)\b| ⟦D\d+⟧)")
_NOT_PLACES = frozenset({*(w for title in TITLES for w in title.split()), *MONTHS_AND_DAYS})
_STATUS = cues.load("meeting-status")
CANCELLED = _STATUS.pattern(status="cancelled")
PLANNED = _STATUS.pattern(status="planned")
PROPOSED = _STATUS.pattern(status="proposed")
_CUE = re.compile(rf"\b(?:(?P<cancelled>{CANCELLED})|(?P<planned>{PLANNED})|(?P<proposed>{PROPOSED}))\b")
_MODAL = re.compile(r"\b(will|would|may|might|could)\b")
_MODAL_USE = re.compile(r"^(?: \w+)? (?:be held|be|hold|visit|meet|attend|go|travel|take place|hold talks)\b")
_RIGHT_CUE = re.compile(r"^(?: to (?:the )?⟦[A-Z]\d+⟧)?(?: by [^,;]*?)?(?: ⟦D\d+⟧)? (?:(?P<cancelled>(?:has been|have been|was|were|had been) (?:also )?(?:postponed|put off|cancell?ed|called off|scrapped))|(?P<planned>will be held|is to be held|to be held|is scheduled|was scheduled|will take place)|(?P<proposed>(?:would|may|might|could) (?:be|take place|happen|go ahead)))\b")
_HISTORICAL = re.compile(r"\b(?:first (?:meeting|summit|talks|encounter)|ever|since|in the past|decades? ago|years ago|former|previous|last time)\b")
_REFERENCE = re.compile(rf"\b(?:{cues.load('meeting-date-reference').pattern()})\b")
_ONGOING = re.compile(rf"\b(?:{cues.load('meeting-ongoing').pattern()})\b", re.IGNORECASE)
_FUTURE_AT = re.compile(r"\b(?:will|is to|are to|is due to|are due to|is set to|are set to)(?: \S+){0,4}? "
                        r"(?:at|during|on the sidelines of) (?:the|a|an) [^,;]*$")
_FORWARD = re.compile(r"\b(?:next|later|end of|coming|upcoming)\b", re.IGNORECASE)


def _without_reference(right: str) -> str:
    """The trigger's stretch less its "since …" phrase, up to the next comma: "the first summit
    since Trump took office 18 months ago" has no date of its own, while "met five times since
    2012, most recently in February" keeps February."""
    reference = _REFERENCE.search(right)
    if reference is None:
        return right
    close = re.search(r"[,;]", right[reference.end() :])
    return right[: reference.start()] + (right[reference.end() + close.start() :] if close else "")


class SettingReader:
    """The place, host, date and status readers of one article's meeting mentions."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def location_after(self, view: SentenceView, right: str) -> str | None:
        """The place of the first "in/at" phrase that names one ("took office in December
        2012, most recently … in Sochi": Sochi)."""
        for m in re.finditer(r"(?:^| )(?:in|at) (?:a |an |the )?", right):
            chain = re.split(r" (?:on|to|for|with|during|since|after|before|prior|and)\b",
                             right[m.end() : m.end() + 70])[0]
            place = self.best_place([x for x in view.tokens(chain) if x.letter in "CTSL"])
            if place is not None:
                return place
            seat = self.seat_of(view, chain)
            if seat is not None:
                return seat
        return self.unknown_place(right)

    def seat_of(self, view: SentenceView, chain: str) -> str | None:
        """The city of a government building the phrase opens with ("in the Kremlin": Moscow;
        "at the White House": Washington) — news names the building for the place; its possessive
        ("in the Kremlin's efforts") names the government, not a place."""
        first = re.match(r"\s*(⟦O\d+⟧)(?![’']s\b)", chain)  # "the Kremlin's efforts" is the government
        body = self.context.entity(view.mention(first.group(1))) if first else None
        city = self.context.registry.get(body.seat) if body is not None else None
        return city.id if city is not None else None

    def unknown_place(self, right: str) -> str | None:
        """A place the registry does not know, named right after "in" ("in The Hague",
        "in San Marino"): discovered as a city of its own, with no Wikidata link, rather than
        leaving the meeting placeless.  Only a capitalized name that ends the phrase counts, so
        that a title or a weekday is never taken for a place."""
        m = _UNKNOWN_PLACE.search(right)
        if m is None or any(word in _NOT_PLACES for word in m.group("name").split()):
            return None
        return self.context.registry.discover(m.group("name"), "City").id

    def best_place(self, places: list[Mention]) -> str | None:
        for letter in "CTSL":
            for place in places:
                entity = self.context.entity(place)
                if place.letter == letter and entity is not None and entity.kind not in {"sea", "continent"}:
                    return entity.id
        return None

    def host_of(self, place_id: str | None, visitor: str | None = None) -> str | None:
        """The state a place is in; for a disputed territory, the holder the article names,
        else the visitor's own state when it is a party to the dispute ("Medvedev visited
        Iturup": Russia is the host)."""
        place = self.context.registry.get(place_id)
        if place is None:
            return None
        if place.letter == "T":
            for st in self.context.facts.territory_statements:
                if st.territory == place.id and st.predicate == "controlledBy":
                    return st.state
            own = self.context.state_of_person(visitor) if visitor else None
            return own if own in place.disputed_by else None
        state = self.context.registry.state_of(place)
        return state.id if state is not None else None

    def cue(self, left: str, right: str) -> str | None:
        if re.search(r"\b(?:at|during|on the sidelines of|after|before|since) (?:the|a|an|their|its) (?:⟦[A-Z]\d+⟧-⟦[A-Z]\d+⟧ |⟦[A-Z]\d+⟧ |[\w'-]+ ){0,3}$", left):
            # "agreed upon at the Japan-Russia summit": the cue is not the summit's; but what "will
            # take place at the APEC summit" puts the summit itself ahead
            return "planned" if _FUTURE_AT.search(left) else None
        rm = _RIGHT_CUE.match(right)
        if rm and rm.lastgroup == "cancelled":
            return "cancelled"  # "a planned visit … has been postponed"
        window = " ".join(left.split()[-7:])
        best: tuple[int, str] | None = None
        for m in _CUE.finditer(window):
            kind = m.lastgroup or ""
            if _MODAL.fullmatch(m.group(0)) and not _MODAL_USE.match(window[m.end() :] + " visit"):
                continue
            if m.group(0) == "will" and not _MODAL_USE.match(window[m.end() :] + " visit"):
                continue
            if best is not None and best[1] == "cancelled" and kind in {"planned", "proposed"}:
                continue  # "called off a plan to meet", "postponed the planned visit": the plan is undone
            best = (m.start(), kind)
        if best:
            return best[1]
        return rm.lastgroup if rm else None

    def date_in(self, view: SentenceView, piece: str) -> DateMention | None:
        for m in view.tokens(piece):
            if m.date is not None and m.date.value is not None and m.date.role in {"point", "before"}:
                return m.date
        return None

    def location_before(self, view: SentenceView, left: str) -> str | None:
        m = re.match(r"^(?:In|At) (?:the )?((?:⟦[CTLS]\d+⟧(?:, )?)+),", left)
        return self.best_place(view.tokens(m.group(1))) if m else None

    def nearest_territory(self, view: SentenceView) -> str | None:
        """The territory whose statement the article made last before this sentence."""
        at = view.sentence.begin
        stated = [(span[0], st.territory) for st in self.context.facts.territory_statements
                  for span in st.spans]
        before = [s for s in stated if s[0] < at]
        chosen = max(before) if before else (min(stated) if stated else None)
        return chosen[1] if chosen else None

    def location_in(self, view: SentenceView, piece: str) -> str | None:
        return self.best_place([x for x in view.tokens(piece) if x.letter in "CT"])

    def fill_date(self, view: SentenceView, masked: str, cand: Candidate, left: str, right: str) -> None:
        if cand.date is None and "no_sentence_date" not in cand.extra:
            own = _without_reference(right)
            cand.date = self.date_in(view, own) or self.date_in(view, left)
            when = re.search(r"(⟦D\d+⟧), when [^,;]*$", masked[: len(masked) - len(right)])
            if cand.date is None and when:
                cand.date = view.mention(when.group(1)).date
        if cand.date is not None and cand.date.role == "before" and cand.date.value is not None:
            # "prior to the G7 summit on June 7-8", "before the end of the year": the year only
            d, year = cand.date, cand.date.value.year
            cand.date = DateMention(d.begin, d.end, d.surface, PartialDate(year), d.role)
        value = cand.date.value if cand.date is not None else None
        if cand.date is not None and value is not None and value.day is not None:
            index = next((i for i, x in enumerate(view.mentions) if x.date is cand.date), None)
            if index is not None and re.search(rf"\b(?:around|about|approximately|roughly|circa) ⟦D{index}⟧", masked):
                # an approximate day says the month only ("around April 27 to 28")
                d = cand.date
                cand.date = DateMention(d.begin, d.end, d.surface, PartialDate(value.year, value.month), d.role)

    def guess(self, view: SentenceView, word: str, cand: Candidate) -> None:
        """The status when no cue word says it: tense, then the date against publication."""
        published = self.context.facts.article.published
        when = cand.date.value if cand.date else (cand.inherited_date or cand.date_guess)
        forward = (cand.date is not None and _FORWARD.search(cand.date.surface)) or "forward" in cand.extra
        if forward or (when is not None and after_publication(when, published)):
            cand.guessed_status = "planned"
        else:
            cand.guessed_status = "held"
        if cand.date is None and cand.date_guess is None and cand.inherited_date is None \
                and not _HISTORICAL.search(view.unquoted):
            # "midway through a three-day visit": the time of writing; else only its year
            cand.date_guess = published if _ONGOING.search(view.sentence.text) else PartialDate(published.year)


def after_publication(when: PartialDate, published: PartialDate) -> bool:
    """Is ``when`` after the publication date, at the precision both have?"""
    a = (when.year, when.month or 0, when.day or 0)
    b = (published.year, published.month or 0, published.day or 0)
    depth = 1 + (when.month is not None and published.month is not None) + (
        when.day is not None and published.day is not None)
    return a[:depth] > b[:depth]
