"""Memberships: a state (or the state a person leads) belongs to an organization.

Stated or directly implied only ("its ousting from Y" is a former membership, "hosting a Y
leader" makes the guest named before a member's leader; ontology/cues/membership-implied.tsv):
"X is a member of Y", "X, a member of Y", "X and other Y
members", "other G-7 members" (the clause's actor is one too), "the only member" (of the
organization the sentence names), "his colleagues in the European Union", "Japan hosts the G-7
summit", "the G-7 summit chaired by Japan".  Being party to an organization's sanctions is not
membership.
"""

from __future__ import annotations

import re
from functools import cache

from dipkg.graph import cues
from dipkg.graph.facts import Membership
from dipkg.graph.mentions import Mention, SentenceView
from dipkg.graph.rules.common import Context, clause_bounds, tok

_O = tok("O")
PATTERNS = [
    rf"(?P<member>{tok('SP')}),? (?:is |was |as |became )?(?:a |an |the )?(?:(?:only|founding|full|fellow|[A-Z]\w+|[a-z]+|⟦[A-Z]\d+⟧) ){{0,2}}member (?:state |country |nation )?of (?:the )?(?P<org>{_O})",
    rf"(?P<member>{tok('SP')}) and (?:the )?other (?P<org>{_O}) (?:members|member states|nations|countries|states)",
    rf"(?P<member>{tok('P')}) (?:colleagues|counterparts|partners|fellow members|fellow leaders) in the (?P<org>{_O})",
    rf"(?P<member>{tok('S')}) (?:hosts|hosted|will host|is hosting|chairs|chaired|will chair) the (?P<org>{_O})",
    rf"(?P<org>{_O}) (?:summit|meeting) (?:\w+ )?(?:hosted|chaired) by (?P<member>{tok('S')})",
    rf"(?P<member>{tok('S')}) joined (?:the )?(?P<org>{_O})(?! and)(?! in \w+ing)",
    rf"(?P<org>{_O}) (?:member|members|member state|member states|member country|partner) (?P<member>{tok('S')})",
    rf"(?P<org>{_O}),? of which (?P<member>{tok('S')}) is (?:a |an |the )?(?:\w+ ){{0,2}}member",
]
_COMPILED = [re.compile(p) for p in PATTERNS]
_OTHER_MEMBERS = re.compile(rf"other (?P<org>{_O}) (?:members|member states|nations|countries)")
_ONLY_MEMBER = re.compile(r"\b(?:is|was) the only member\b")


# The forms rows of ontology/cues/membership-implied.tsv may name.
FORMS = frozenset({"former-noun", "former-passive", "person", "apposed", "presidency"})


@cache
def _implied() -> tuple[re.Pattern[str], ...]:
    """The forms of ``ontology/cues/membership-implied.tsv``."""
    table = cues.load("membership-implied")
    noun, passive, person = (table.pattern(form=f) for f in ("former-noun", "former-passive", "person"))
    return (re.compile(rf"(?:(?P<member>{tok('S')})'s|\b(?P<its>its)) (?:[\w-]+ )?{noun} from (?:the )?(?P<org>{_O})"),
            re.compile(rf"(?P<member>{tok('S')}),? (?:which |that )?(?:was|were|has been|had been|is|is being) "
                       rf"(?:[\w-]+ )?{passive} (?:from|of) (?:the )?(?P<org>{_O})"),
            re.compile(rf"\b(?:a|an|another|fellow) (?:fellow )?(?P<org>{_O}) {person}\b"),
            re.compile(rf"(?P<member>{tok('SP')}), (?:(?:a|an|another|the only|fellow) (?:fellow |founding |full )?"
                       rf"(?P<org>{_O})|the (?P<org2>{_O})'s(?: only| sole| newest| oldest)?(?: [A-Z]\w+)?) "
                       rf"{table.pattern(form='apposed')}\b"),
            re.compile(rf"(?P<member>{tok('S')}),? (?:which |that )?(?:holds|held|took over|takes over|assumed|assumes|"
                       rf"will take over|will hold|has taken over) (?:the )?(?:(?:rotating|annual|current) )?"
                       rf"(?:(?P<org>{_O}) {table.pattern(form='presidency')}|{table.pattern(form='presidency')} of "
                       rf"(?:the )?(?P<org2>{_O}))"),
            re.compile(rf"(?P<org>{_O}),? from which (?P<member>{tok('S')}) (?:was|were|has been|had been) "
                       rf"(?:[\w-]+ )?{passive}"))


# "the G7 countries, which include Japan and Italy", "EU members such as Greece": each one.
_INCLUDING = re.compile(
    rf"(?P<org>{_O}) (?:members|member states|member countries|countries|nations|states|economies),? "
    rf"(?:which include|including|such as|like|among them) (?P<members>{tok('S')}(?:(?:,|,? and) {tok('S')})*)")


def _state_before(context: Context, view: SentenceView, masked: str, at: int) -> str | None:
    """"its ousting": the state named last before (a capital standing for its state)."""
    for m in reversed(view.tokens(masked[:at])):
        state = context.as_state(m)
        if state is not None:
            return state
    return None


def _person_before(context: Context, view: SentenceView, masked: str, at: int) -> str | None:
    """"… Abe … hosting a G7 leader": the state of the person named last before."""
    for m in reversed(view.tokens(masked[:at])):
        entity = context.entity(m)
        if entity is not None and entity.letter == "P":
            return context.state_of_person(entity.id)
    return None


def _member(context: Context, mention: Mention) -> str | None:
    entity = context.entity(mention)
    if entity is None:
        return None
    if entity.letter == "P":
        return context.state_of_person(entity.id)
    return context.as_state(mention)


def _organization(context: Context, mention: Mention) -> str | None:
    entity = context.entity(mention)
    if entity is None or entity.letter != "O" or entity.government_of:
        return None
    return entity.id


def _add(context: Context, view: SentenceView, member: str | None, org: str | None) -> None:
    if not member or not org or member == org:
        return
    for known in context.facts.memberships:
        if known.member == member and known.organization == org:
            context.cite(known.spans, view)
            return
    context.facts.memberships.append(Membership(member, org, [context.span(view)]))


def _actor_before(context: Context, view: SentenceView, masked: str, at: int) -> str | None:
    begin, _ = clause_bounds(masked, at)
    for m in view.tokens(masked[begin:at]):
        member = _member(context, m)
        if member is not None:
            return member
    # the clause may start the sentence's second half ("because other G-7 members …")
    for m in view.tokens(masked[:at]):
        member = _member(context, m)
        if member is not None:
            return member
    return None


def extract(context: Context) -> None:
    for view in context.views:
        masked = view.masked  # memberships are often implied inside quotations too
        for pattern in _COMPILED:
            for m in pattern.finditer(masked):
                _add(context, view, _member(context, view.mention(m.group("member"))),
                     _organization(context, view.mention(m.group("org"))))
        for m in _OTHER_MEMBERS.finditer(masked):
            if re.search(r"and (?:the )?$", masked[: m.start()]):
                continue  # handled above: "X and other Y members"
            _add(context, view, _actor_before(context, view, masked, m.start()),
                 _organization(context, view.mention(m.group("org"))))
        _read_implied(context, view)
        only = _ONLY_MEMBER.search(masked)
        if only:
            orgs = [o for o in (_organization(context, x) for x in view.tokens(masked)) if o]
            if orgs:
                _add(context, view, _actor_before(context, view, masked, only.start()), orgs[0])


def _read_implied(context: Context, view: SentenceView) -> None:
    """Former and person-implied memberships, read outside quotations (gold convention 5)."""
    masked = view.unquoted
    former_noun, former_passive, person, *stated = _implied()
    for m in former_noun.finditer(masked):
        member = (_member(context, view.mention(m.group("member"))) if m.group("member")
                  else _state_before(context, view, masked, m.start()))
        _add(context, view, member, _organization(context, view.mention(m.group("org"))))
    for m in former_passive.finditer(masked):
        _add(context, view, _member(context, view.mention(m.group("member"))),
             _organization(context, view.mention(m.group("org"))))
    for m in _INCLUDING.finditer(masked):
        org = _organization(context, view.mention(m.group("org")))
        for listed in view.tokens(m.group("members")):
            _add(context, view, _member(context, listed), org)
    for pattern in stated:  # apposition, presidency, "from which"
        for m in pattern.finditer(masked):
            org = m.groupdict().get("org") or m.groupdict().get("org2") or ""
            _add(context, view, _member(context, view.mention(m.group("member"))),
                 _organization(context, view.mention(org)) if org else None)
    for m in person.finditer(masked):
        _add(context, view, _person_before(context, view, masked, m.start()),
             _organization(context, view.mention(m.group("org"))))
