"""Meetings: who meets whom, where, when, and whether it happened.

Each *trigger* (a verb or noun of meeting: "met", "talks", "summit", "visit", "trip",
"attend", "told") is read with its slots:

* participants — the actor before the trigger (the nearest person of the clause; the object
  of "inviting X to visit", "plans for X to visit", "begging X to visit"), and the
  counterpart after it ("with X", "met X", "between X and Y"), or a hyphenated pair
  ("the Japan-Russia summit"), or "their meeting" (the people of the sentence);
* the destination of a visit ("visit to Japan", "visited Russia", "visited President X"),
  whose state is the host and joins the participants;
* the setting — location, host, date and status — read by
  :mod:`dipkg.graph.rules.meeting_setting`.

Partial mentions ("Abe was to meet with the political outcast in Sochi") are completed by
``graph.rules.meeting_merge``, which also merges repeated mentions of one meeting.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import replace

from dipkg.graph import clauses, cues
from dipkg.graph.datelines import dateline_place
from dipkg.graph.discourse import events
from dipkg.graph.lexicon import EVENT_NOUNS
from dipkg.graph.mentions import SentenceView
from dipkg.graph.rules import meeting_merge
from dipkg.graph.rules.common import Context, clause_bounds, tok
from dipkg.graph.rules.meeting_setting import CANCELLED, SettingReader
from dipkg.graph.rules.meeting_types import Candidate, Event

_P, _AGENT, _PLACE = tok("P"), tok("PSO"), tok("CTLS")
_TITLE_WORDS = r"(?:(?:the |a |an |his |her )?(?:[A-Z][\w.-]*|of|for|and|vice|foreign|prime|deputy) ){0,4}"

_TRIGGERS = cues.load("meeting-triggers")
# trigger cue (lower-cased) -> the kind the cue settles ("phone" for calls), if any
TRIGGER_KINDS = {cue: kind for cue, kind in _TRIGGERS.mapping("kind").items() if kind}
# "met", "visited": the word itself says the meeting took place
_PAST = frozenset(cue for cue, tense in _TRIGGERS.mapping("tense").items() if tense == "past")
_TRIGGER = re.compile(
    r"(?<![\w'-])(?:" + "|".join(f"(?P<{kind}>{_TRIGGERS.pattern(trigger=kind)})"
                                  for kind in ("visit", "meet", "tell", "attend")) + r")(?![\w-])",
    re.IGNORECASE,
)
# "as he did the opening ceremony": "did" stands for the verb of an earlier trigger of the sentence
_ELLIPSIS = re.compile(r"\bas (?:⟦P\d+⟧|Mr\. ⟦P\d+⟧) (?P<did>did|had|has|does)(?![\w-])")
_NEGATED = re.compile(r"\b(?:not|never|no) (?:to )?$")
_CONTROLLER = re.compile(
    rf"(?:invit\w+|ask\w*|urg\w+|begging|begged|persuad\w+|plans? for|wants?|wanted|expects?|allow\w*) "
    rf"{_TITLE_WORDS}(?P<who>{_P})(?:(?:, [^,]*)+,)? (?:to|will|would)(?: \w+)? $"
)
# "a visit by Putin", "a planned visit to Japan by Russian President Vladimir Putin"
_BY_VISITOR = re.compile(rf"^(?: to (?:the )?⟦[A-Z]\d+⟧)? by (?:the )?(?:⟦S\d+⟧ )?(?:[A-Z][\w.-]* ){{0,3}}(?P<who>{_P})")
# A counterpart: "Russian President ⟦P⟧" names the person, "the ⟦S⟧" a state, "his Russian
# counterpart ⟦P⟧" the person after the description.
_COUNTERPART_OF = r"(?:⟦P\d+⟧ )?(?:⟦S\d+⟧ )?(?:counterparts?|opposite number|colleague),? "
_PARTY = rf"(?:(?:{_COUNTERPART_OF})?(?:the )?(?:⟦S\d+⟧(?:'s)? )?{_TITLE_WORDS}{_P}|(?:the )?{_AGENT})"
_WITH = re.compile(
    rf"^(?: (?:at|in) (?:a |an |the )?(?:\S+ ){{0,2}}?\S+)? (?:with|between) (?P<who>{_PARTY})"
    rf"(?: and (?P<who2>{_PARTY}))?"
)
_NAME_TITLES = r"(?:(?:[A-Z][\w.-]*|of|vice|foreign|prime|deputy) ){0,4}"
_DIRECT = re.compile(rf"^ (?P<who>(?:{_COUNTERPART_OF})?(?:the )?(?:⟦S\d+⟧(?:'s)? )?{_NAME_TITLES}{_P})")
_DEST = re.compile(rf"^(?: \S+){{0,5}}? to (?:the )?(?P<dest>{_PLACE}|{_P})")
_ALSO_TO = re.compile(rf"^ and (?:to )?(?:the )?(?P<dest>{tok('SC')})(?![’']s\b)")
_POSSESSIVE = re.compile(r"(⟦P\d+⟧) $")  # "his", "her", "their": a pronoun token
_VISITING_GUEST = re.compile(
    rf"^ (?:⟦S\d+⟧ )?(?:[\w-]+ )?(?:counterparts?|guests?|opposite number),? (?:the )?{_TITLE_WORDS}(?P<who>{_P})")
_DEST_DIRECT = re.compile(rf"^ (?:the )?(?P<dest>{_PLACE})")
_PAIR = re.compile(rf"(?P<a>{tok('SP')})[-–](?P<b>{tok('SP')}) (?:[\w']+ ){{0,3}}$")
_THEIR = re.compile(r"\btheir (?:\w+ ){0,2}$")
_GROUP_LEADERS = re.compile(rf"(?P<org>{tok('O')}) (?:leaders|heads of state|heads of government|members)\b")
_ORG_SUMMIT = re.compile(rf"(?P<org>{tok('O')}) (?:(?P<place>{tok('LC')}) )?$")
_HOSTED = re.compile(rf"(?P<host>{tok('S')}) (?:hosts|hosted|will host|is hosting|chairs|will chair) the $")
_CHAIRED = re.compile(rf"^ (?:\w+ )?(?:chaired|hosted) by (?P<host>{tok('S')})")
_GOVERNMENT = re.compile(rf"(?P<owner>{tok('SP')})(?:'s)? government")
_EVENT = re.compile(
    rf"(?P<host>{_P}) (?:held|hosted|hosts|will host|organized|staged) (?:a|an|the) (?:[\w-]+ ){{0,2}}"
    rf"(?P<noun>{'|'.join(EVENT_NOUNS)})"
)
_ATTEND_OBJECT = re.compile(
    rf"^ (?:(?:a|an|the) )?(?:(?P<owner>{tok('SP')})'s )?(?:[\w-]+ |⟦D\d+⟧ |⟦C\d+⟧ |of the ){{0,7}}"
    rf"(?P<noun>{'|'.join(EVENT_NOUNS)}|Olympics|Games)\b"
)
_INVITATION = re.compile(rf"(?P<host>{_P})'s invitation to $")
_THE_TWO = re.compile(r"\b(?:[Tt]he two|[Bb]oth) (?:leaders|men|presidents|prime ministers|ministers)(?: \w+)? $")
_FOLLOW_CANCEL = re.compile(rf"(?P<who>{_P}) (?:\w+ly )?(?:{CANCELLED})")
# "… but that trip was also called off", "agreed to put off the visit": the meeting just mentioned
_FOLLOW_CANCEL_NOUN = re.compile(
    rf"\b(?:(?:that|the|this) (?:trip|visit|meeting|summit|talks) (?:was|were|has been|have been|had been) "
    rf"(?:also )?(?:{CANCELLED})|(?:{CANCELLED}) (?:the|that|this|his|her) (?:planned )?(?:trip|visit|meeting|summit|talks))\b")
_COUNTERPART = re.compile(r"^ (?:⟦S\d+⟧ )?counterparts?\b")


class MeetingReader(SettingReader):
    """Reads each sentence's meeting triggers with their participants; the setting (place, host,
    date, status) is read by the methods it inherits."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.events: list[Event] = []

    # -- slots --------------------------------------------------------------------------
    def entity_of(self, view: SentenceView, token: str | None) -> str | None:
        return view.mention(token).entity if token else None

    def subject(self, view: SentenceView, masked: str, at: int) -> str | None:
        left = masked[:at]
        controller = _CONTROLLER.search(left)
        if controller:
            return self.entity_of(view, controller.group("who"))
        begin, _ = clause_bounds(masked, at)
        for piece in (left[begin:], left):
            people = [m for m in view.tokens(piece) if m.letter == "P"]
            if people:
                return people[-1].entity
        return None

    # -- reading one sentence -----------------------------------------------------------
    def read(self, view: SentenceView) -> list[Candidate]:
        masked = view.unquoted
        self.register_events(view, masked)
        triggers = [m for m in _TRIGGER.finditer(masked) if not _NEGATED.search(masked[: m.start()])
                    and not self.tally(masked, m)]
        triggers = sorted([*triggers, *self.ellipses(masked, triggers)], key=lambda m: m.start())
        out: list[Candidate] = []
        previous_end, previous_status = 0, None
        parts = clauses.split(masked)
        for i, m in enumerate(triggers):
            kind = m.lastgroup or "meet"
            clause = next(c for c in parts if c.begin <= m.start() < c.end or c is parts[-1])
            next_start = triggers[i + 1].start() if i + 1 < len(triggers) else len(masked)
            if re.search(r"sidelines of|\b(?:at|during) the (?:⟦[A-Z]\d+⟧ )+$", masked[m.end() : next_start]) \
                    and i + 2 <= len(triggers):
                # "talks on the sidelines of a summit in Singapore", "meets Putin at the APEC summit
                # in Da Nang next month": the summit's place and date
                next_start = triggers[i + 2].start() if i + 2 < len(triggers) else len(masked)
            # a trigger's slots end with its clause: ", aides said after …" starts another event
            next_start = max(m.end(), min(next_start, clauses.extent(parts, clause)[1]))
            left, right = masked[: m.start()], masked[m.end() : next_start]
            window = masked[max(previous_end, clause.begin) : m.start()]
            cand = self.candidate(view, masked, m, kind, left, right)
            if cand is not None and re.search(r"\b(?:to|for) $", masked[previous_end : m.start()]) and i > 0:
                cand.extra["purpose"] = "1"
            if cand is not None and re.search(r"(?:\b(?:the|this|that|his|her|their|its)(?: [\w-]+)?|'s) $", left):
                cand.extra["anaphoric"] = "1"  # "the visit", "his trip", "Abe's visit": refers back
            if cand is not None:
                status = self.cue(window, right)
                between = masked[previous_end : m.start()]
                if status is None and previous_status and (re.fullmatch(
                        r"(?: (?:the )?⟦[A-Z]\d+⟧)? (?:to|and for|and to|and)(?: \w+)? ?", between)
                        or re.search(r"\band (?:for|to)\b", between)):
                    status = previous_status  # "plans for X to visit A and for Y's visit to B"
                if status is None and (" ".join(m.group(0).lower().split()) in _PAST or "together" in cand.extra):
                    status = "held"  # "Abe met Putin": no guess from the date or the tense around it
                cand.status = status
                self.fill_date(view, masked, cand, left[clause.begin :], right)
                if cand.location is None and clause.kind == "relative" and re.match(r"where\b", clause.text(masked)):
                    # "Abe flew to Vladivostok, where he met Putin": the place the clause is about
                    places = [x for x in view.tokens(masked[: clause.begin]) if x.letter in "CTL"]
                    cand.location = self.best_place(places[-1:])
                self.guess(view, m.group(0), cand)
                out.append(cand)
                second = self.also_visited(view, cand) if "also_to" in cand.extra else None
                if second is not None:
                    out.append(second)
                previous_status = status or previous_status
            previous_end = m.end()
        for first, second in itertools.pairwise(out):
            if first.kind_hint != "visit" and second.kind_hint == "visit" and first.location is None \
                    and second.extra.get("during") == "1":
                first.location = second.location
                first.date = first.date or second.date
        return self.join_purpose(out)

    @staticmethod
    def ellipses(masked: str, triggers: list[re.Match[str]]) -> list[re.Match[str]]:
        """"…, as he did the opening ceremony": the elided verb repeats the kind of the last
        trigger before it, so the auxiliary is read as that trigger (attend/visit only: an
        elided "met" needs the counterpart the first clause named)."""
        found: list[re.Match[str]] = []
        for m in _ELLIPSIS.finditer(masked):
            before = [t for t in triggers if t.end() <= m.start("did")]
            if before and before[-1].lastgroup in {"attend", "visit"}:
                kind = before[-1].lastgroup or "attend"
                stand_in = re.compile(rf"(?P<{kind}>{m.group('did')})").match(masked, m.start("did"))
                if stand_in is not None:
                    found.append(stand_in)
        return found

    @staticmethod
    def join_purpose(found: list[Candidate]) -> list[Candidate]:
        """"X will visit Moscow to meet Y": one meeting with Y, where the visit goes."""
        out: list[Candidate] = []
        for cand in found:
            previous = out[-1] if out else None
            if previous is not None and previous.kind_hint == "visit" and cand.kind_hint != "visit" \
                    and cand.extra.get("purpose") == "1" and previous.visitor in cand.participants:
                cand.participants = list(dict.fromkeys([*cand.participants, *previous.participants]))
                cand.location = cand.location or previous.location
                cand.date = cand.date or previous.date
                cand.status = cand.status or previous.status
                out[-1] = cand
                continue
            out.append(cand)
        return out

    def candidate(self, view: SentenceView, masked: str, m: re.Match[str], kind: str,
                  left: str, right: str) -> Candidate | None:
        word = m.group(0).lower()
        if kind == "attend":
            return self.attend(view, masked, m, left, right)
        if kind == "tell":
            who = _DIRECT.match(right)
            subject = self.subject(view, masked, m.start())
            if not who or not subject:
                return None
            other = self.entity_of(view, _last_token(who.group("who")))
            if other == subject or other is None:
                return None
            cand = Candidate([subject, other], view, "talks")
            date = re.match(r"^ (⟦D\d+⟧)", right[who.end() :])
            cand.date = view.mention(date.group(1)).date if date else None
            cand.extra["no_sentence_date"] = "1"
            return cand
        if kind == "visit":
            return self.visit(view, masked, m, left, right)
        return self.meet(view, masked, m, word, left, right)

    def meet(self, view: SentenceView, masked: str, m: re.Match[str], word: str,
             left: str, right: str) -> Candidate | None:
        participants: list[str] = []
        hint = "summit" if word.startswith("summit") else "meet"
        if TRIGGER_KINDS.get(" ".join(word.split())) == "phone":
            hint = "phone"  # a call: talks, whoever the callers are
        if re.search(r"(?:minister|ministers|ministerial|subcabinet)'?(?: [\w']+)? $", left, re.IGNORECASE):
            hint = "ministerial"
        org = _ORG_SUMMIT.search(left) if word.startswith("summit") else None
        if org:
            cand = Candidate([self.entity_of(view, org.group("org")) or ""], view, "summit")
            cand.location = self.entity_of(view, org.group("place")) or self.location_after(view, right)
            hosted = _HOSTED.search(left[: org.start()])
            chaired = _CHAIRED.match(right)
            host = (self.entity_of(view, hosted.group("host")) if hosted else None) or (
                self.entity_of(view, chaired.group("host")) if chaired else None) or self.host_of(cand.location)
            if host:
                cand.participants.append(host)
            return cand
        two = _THE_TWO.search(left)
        if two:  # "the two leaders held talks": the last two people named before
            leaders_only = bool(re.search(r"leaders|presidents|prime ministers", two.group(0)))
            named = self.recent_people(view, 2, leaders_only)
            if len(named) == 2:
                cand = Candidate(named, view, hint)
                cand.location = self.location_after(view, right) or self.location_before(view, left)
                return cand
        pair = _PAIR.search(left)
        if pair:
            for token in (pair.group("a"), pair.group("b")):
                party = self.entity_of(view, token) or ""
                participants.append(party)
                leader = self.context.leader_of(party) if hint == "summit" else None
                if leader:
                    participants.append(leader)
        elif _THEIR.search(left):
            for x in view.tokens(masked):
                if x.letter == "P" and x.entity not in participants and x.entity:
                    participants.append(x.entity)
            leaders = _GROUP_LEADERS.search(left)
            if not participants and leaders:  # "G7 leaders agreed to hold their own summit": the group's
                participants.append(self.entity_of(view, leaders.group("org")) or "")
        else:
            subject = self.subject(view, masked, m.start())
            both = re.search(rf"({tok('PS')}) and (?:the )?(?:{_COUNTERPART_OF})?({tok('PS')})(?: [\w']+){{0,4}} $", left)
            direct_verbs = {"met", "meet", "meets", "meeting", "hosted", "hosts", "welcomed", "received"}
            with_ = _WITH.match(right) or (_DIRECT.match(right) if word in direct_verbs else None)
            if both and not with_:  # "Abe and Putin last met in …"
                return Candidate([self.entity_of(view, both.group(1)) or "", self.entity_of(view, both.group(2)) or ""],
                                 view, hint, location=self.location_after(view, right))
            if with_ is not None and " between " in with_.group(0):
                subject = None  # "a summit between X and Y" names both sides
            counterpart = []
            if with_:
                for group in ("who", "who2"):
                    token = _last_token(with_.groupdict().get(group))
                    if token and not (view.mention(token).pronoun and _COUNTERPART.match(right[with_.end(group):])):
                        counterpart.append(self.entity_of(view, token))
            if subject in counterpart or (subject is None and " between " not in (with_.group(0) if with_ else "")):
                others = [x.entity for x in view.tokens(masked) if x.letter == "P"
                          and x.entity not in counterpart and not x.pronoun]
                subject = others[-1] if others else subject
            opening = _GROUP_LEADERS.search(masked, m.end()) if not left.strip() else None
            if subject is None and not counterpart and opening:
                # "Meeting in The Hague on Monday, the G7 leaders suspended …": the group met
                return Candidate([self.entity_of(view, opening.group("org")) or ""], view, "summit",
                                 location=self.location_after(view, right))
            participants += [p for p in [subject, *counterpart] if p]
        cand = Candidate([p for p in participants if p], view, hint)
        cand.location = self.location_after(view, right) or self.location_before(view, left)
        return cand

    @staticmethod
    def tally(masked: str, m: re.Match[str]) -> bool:
        """"The 13th time the two leaders have met", "have met five times": a count of meetings,
        not one meeting — unless the sentence goes on to one of them ("most recently in …")."""
        around = masked[max(0, m.start() - 50) : m.end() + 30]
        # "met for the first time (since …)" is this one meeting, not a count of them
        counted = re.search(r"\b(?:\w+ times|(?<!for the )\w+(?:st|nd|rd|th) time|so often|regularly)\b", around)
        return bool(counted) and not re.search(r"\bmost recently\b|\blast (?:met|time)\b", masked)

    def recent_people(self, view: SentenceView, count: int, leaders_only: bool = False) -> list[str]:
        """The last ``count`` distinct people named in this and the two previous sentences;
        with ``leaders_only`` ("the two leaders") only heads of state or government count."""
        index = view.sentence.index
        views = [v for v in self.context.views if index - 2 <= v.sentence.index <= index]
        people: list[str] = []
        for v in reversed(views):
            for m in reversed(v.mentions):
                if m.letter == "P" and m.entity and m.entity not in people and not m.pronoun \
                        and (not leaders_only or self.context.is_leader(m.entity)):
                    people.append(m.entity)
        return people[:count]

    def visit(self, view: SentenceView, masked: str, m: re.Match[str], left: str, right: str) -> Candidate | None:
        possessor = _POSSESSIVE.search(left) if m.group(0).lower() == "visiting" else None
        guest = _VISITING_GUEST.match(right) if possessor and view.mention(possessor.group(1)).surface.lower() in {
            "his", "her", "their"} else None
        if possessor and guest:  # "Kono and his visiting Russian counterpart, Sergei Lavrov, agreed Friday": they met
            host = self.subject(view, masked, possessor.start())
            visitor = self.entity_of(view, guest.group("who"))
            if not host or not visitor or visitor == host:
                return None
            together = Candidate([host, visitor], view, "meet", visitor=visitor)
            together.extra["together"] = "1"  # the guest is there as the sentence is written
            return together
        by = _BY_VISITOR.match(right)
        visitor = self.entity_of(view, by.group("who")) if by else self.subject(view, masked, m.start())
        after_by = right[by.end() :] if by and not by.group(0).startswith(" to ") else right
        # "visit" is a noun after a determiner or a possessive ("a visit to", "Putin's visit",
        # "a Putin visit"); "visited", and "visits" after a name, are verbs
        base_form = m.group(0).lower() in {"visit", "trip", "trips", "tour of"}
        verb = not re.search(r"(?:\b(?:a|an|the|his|her|their|its|this|that|official|state|first|"
                             r"second|planned|proposed|rare|\d+\w*)|'s) $", left) and not (
            base_form and re.search(r"⟦P\d+⟧ $", left))
        dest_m = _DEST.match(after_by) or (
            (_DEST_DIRECT.match(after_by) or _DIRECT.match(after_by)) if verb else None)
        if dest_m is not None and view.mention(_last_token(dest_m.group(dest_m.lastgroup or "dest")) or "⟦X0⟧").demonym:
            dest_m = None
        if dest_m is None and re.match(r"^ (?:the )?(?:area|disputed islands|islands|territory)\b", after_by):
            dest_id = self.nearest_territory(view)
        else:
            dest_id = self.entity_of(view, _last_token(dest_m.group(dest_m.lastgroup or "dest"))) if dest_m else None
        dest = self.context.registry.get(dest_id)
        cand = Candidate([], view, "visit", visitor=visitor)
        if re.search(r"\bduring (?:⟦P\d+⟧|the|a) $", left):
            cand.extra["during"] = "1"
        if visitor:
            cand.participants.append(visitor)
        if dest is not None and dest.letter == "P":
            cand.participants.append(dest.id)
            cand.kind_hint = "meet"
            cand.location = self.location_after(view, after_by[dest_m.end() :] if dest_m else after_by)
        else:
            cand.location = dest_id or self.location_after(view, after_by)
            host = self.host_of(cand.location, visitor)
            if host is None and dest_id is None:
                gov = _GOVERNMENT.search(left) or _GOVERNMENT.search(right)
                if gov:
                    owner = view.mention(gov.group("owner"))
                    host = self.context.as_state(owner) or (
                        self.context.state_of_person(owner.entity) if owner.entity else None)
                    cand.extra["implicit_host"] = "1"
                    cand.location = host  # "a visit by Putin" that Abe's government arranges
            if host and visitor and host != visitor:
                if self.context.state_of_person(visitor) == host and (dest is None or dest.letter != "T"):
                    return None  # a domestic trip is not a diplomatic meeting
                cand.participants.append(host)
                cand.host = host
            also = _ALSO_TO.match(after_by[dest_m.end() :]) if dest_m is not None and dest_id else None
            if also:
                cand.extra["also_to"] = also.group("dest")
        return cand

    def also_visited(self, view: SentenceView, first: Candidate) -> Candidate | None:
        """The second destination of "a trip to Italy and the Vatican": a visit of its own, with
        the first one's status and date."""
        place = self.context.registry.get(self.entity_of(view, first.extra["also_to"]))
        if place is None or first.visitor is None:
            return None
        other = replace(first, participants=[first.visitor], location=place.id, host=None, extra={})
        host = self.host_of(place.id, first.visitor)
        if host is not None and host != first.visitor and host not in first.participants:
            other.participants.append(host)
            other.host = host
        return other

    def attend(self, view: SentenceView, masked: str, m: re.Match[str], left: str, right: str) -> Candidate | None:
        obj = _ATTEND_OBJECT.match(right)
        invitation = _INVITATION.search(left)
        subject = self.subject(view, masked, invitation.start() if invitation else m.start())
        if subject is None:
            return None
        cand = Candidate([subject], view, "attend")
        event = None
        if obj is not None:
            noun = obj.group("noun")
            if obj.group("owner"):
                owner = view.mention(obj.group("owner"))
                cand.participants.append(self.context.as_state(owner) or owner.entity or "")
            elif invitation:
                cand.participants.append(self.entity_of(view, invitation.group("host")) or "")
            elif right[: obj.start("noun")].strip() in {"the", "the " + noun} or noun == "event":
                event = next((e for e in reversed(self.events) if noun in {e.noun, "event"}), None)
            else:
                event = next((e for e in reversed(self.events) if e.noun == noun and noun != "summit"), None) \
                    if re.match(r"^ the ", right) else None
            cand.location = self.location_after(view, right[obj.end() :]) or self.location_in(view, right[: obj.end()])
        elif re.match(r"^ the event\b", right):
            event = self.events[-1] if self.events else None
        if event is not None:
            cand.participants.append(event.host)
            cand.location = cand.location or event.location
            cand.inherited_date = event.date
        if len(cand.participants) < 2 and cand.location:
            host = self.host_of(cand.location)
            if host and host != self.context.state_of_person(subject):
                cand.participants.append(host)
        inviter = self.entity_of(view, invitation.group("host")) if invitation else None
        if inviter and inviter not in cand.participants:
            cand.participants.append(inviter)
        cand.participants = [p for p in cand.participants if p]
        if inviter and obj is not None and obj.group("noun") != "summit":
            # "Xi's invitation to attend a ceremony": a later "the ceremony" is Xi's
            self.events.append(Event(inviter, obj.group("noun"), cand.location, None))
        return cand

    def register_events(self, view: SentenceView, masked: str) -> None:
        for m in _EVENT.finditer(masked):
            right = masked[m.end() :]
            dates = [x.date for x in view.mentions if x.date and x.date.value and x.date.role == "point"]
            self.events.append(Event(self.entity_of(view, m.group("host")) or "", m.group("noun"),
                                     self.location_after(view, right), dates[0].value if dates else None))

def _last_token(text: str | None) -> str | None:
    tokens = re.findall(r"⟦[A-Z]\d+⟧", text or "")
    return tokens[-1] if tokens else None


def extract(context: Context) -> None:
    reader = MeetingReader(context)
    candidates: list[Candidate] = []
    for view in context.views:
        found = reader.read(view)
        for follow in _FOLLOW_CANCEL.finditer(view.unquoted):
            who = view.mention(follow.group("who")).entity
            for cand in reversed(candidates):
                if who in cand.participants and view.sentence.index - cand.view.sentence.index <= 2:
                    cand.status = "cancelled"
                    break
        if _FOLLOW_CANCEL_NOUN.search(view.unquoted):
            recent = [c for c in [*candidates, *found] if view.sentence.index - c.view.sentence.index <= 2
                      and len(c.participants) >= 2]
            if recent:
                recent[-1].status = "cancelled"
        add_leaders_of_visited_states(context, found)
        events.resolve_plural(view, candidates, reader.location_after)
        candidates += found
    meeting_merge.merge(context, candidates)
    place_by_dateline(context)


def _dateline_city(context: Context) -> str | None:
    """The city (or state) the article's dateline names ("SINGAPORE (The Straits Times) -")."""
    names = {name.lower(): e.id for e in context.registry.entities.values() if e.letter in "CS"
             for name in (e.label, *e.aliases)}
    for view in context.views[:8]:
        place = dateline_place(view.sentence.text)
        if place is not None:
            return names.get(" ".join(place.split()).lower())
    return None


def place_by_dateline(context: Context) -> None:
    """A meeting held on the day the story is filed, with no place of its own, took place where
    the dateline says the reporter is ("SINGAPORE — Trump and Kim signed a document on Tuesday")."""
    published = context.facts.article.published
    if published.day is None:
        return
    today = datetime.date(published.year, published.month or 1, published.day)
    undated_here = [m for m in context.facts.meetings if m.location is None and m.status == "held"
                    and m.date is not None and m.date.day is not None
                    and 0 <= (today - datetime.date(m.date.year, m.date.month or 1, m.date.day)).days <= 1]
    city = _dateline_city(context) if undated_here else None
    for meeting in undated_here if city else ():
        meeting.location = city


def add_leaders_of_visited_states(context: Context, found: list[Candidate]) -> None:
    """A visit to a state whose leader the same sentence names meets that leader
    ("During her visit to Japan, Merkel tried to talk Abe out of …") — unless that person
    is travelling somewhere else in the sentence."""
    visitors = {c.visitor for c in found if c.kind_hint == "visit" and c.visitor}
    for cand in found:
        if cand.kind_hint != "visit" or not cand.host or "implicit_host" in cand.extra:
            continue
        for m in cand.view.mentions:
            if m.letter == "P" and m.entity and m.entity not in cand.participants and m.entity not in visitors \
                    and context.leads(m.entity, cand.host):
                cand.participants.append(m.entity)
                cand.kind_hint = "meet"
