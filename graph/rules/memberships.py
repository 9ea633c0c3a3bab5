"""Memberships: a state (or the state a person leads) belongs to an organization.

Stated or directly implied only: "X is a member of Y", "X, a member of Y", "X and other Y
members", "other G-7 members" (the clause's actor is one too), "the only member" (of the
organization the sentence names), "his colleagues in the European Union", "Japan hosts the G-7
summit", "the G-7 summit chaired by Japan".  Being party to an organization's sanctions is not
membership.
"""

from __future__ import annotations

import re

from graph.facts import Membership
from graph.mentions import Mention, SentenceView
from graph.rules.common import Context, clause_bounds, tok

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
        only = _ONLY_MEMBER.search(masked)
        if only:
            orgs = [o for o in (_organization(context, x) for x in view.tokens(masked)) if o]
            if orgs:
                _add(context, view, _actor_before(context, view, masked, only.start()), orgs[0])
