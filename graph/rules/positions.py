"""Positions held: a person, a formal title, and the state or organization it is of.

The offices come from the person phrases of the mentions stage ("Russian President Vladimir
Putin", "James Brown, an associate professor at Temple University", "then-Prime Minister X"):
this module only decides whose office each is when the phrase does not say — the host of "visit
Ukraine to meet with President X", the state of "Russian officials such as …", else the
person's state or organization from the registry, as the titles table says — and adds one
form the phrase cannot see: "his Russian counterpart, X" holds the paired person's office.
Former offices are positions too; descriptions ("a Putin confidant", "North Korean leader")
are not.
"""

from __future__ import annotations

import re

from dipkg.graph.facts import Position
from dipkg.graph.mentions import TOKEN, Role, SentenceView
from dipkg.graph.rules.common import Context, tok

# "his visiting Russian counterpart, Sergei Lavrov": the office of the person it pairs with
_COUNTERPART = re.compile(rf"(?:his|her|their|⟦P\d+⟧(?:'s)?) (?:\w+ )?(?P<state>{tok('S')}) "
                          rf"counterparts?,? (?P<person>{tok('P')})")
# "senior Russian officials such as deputy prime minister X": the state of a listed office
_OFFICIALS = re.compile(rf"(?P<state>{tok('S')}) (?:\w+ )?(?:officials|ministers|leaders|diplomats|"
                        rf"government members),? (?:such as|including) ")


def _of_from_registry(context: Context, person: str, role: Role) -> str | None:
    """Whose office, when the text does not say: the person's state for a state office, the
    person's organization for an office in one (as the titles table says)."""
    entity = context.registry.get(person)
    if entity is None:
        return None
    if role.of_kind == "state":
        return entity.citizen_of or entity.affiliation
    return entity.affiliation or entity.citizen_of


def _of_from_visit(view: SentenceView, masked: str, at: int) -> str | None:
    """"visit Ukraine to meet with President Petro Poroshenko": the host state."""
    before = masked[max(0, at - 60) : at]
    m = re.search(rf"visit(?:s|ed|ing)? (?:to )?({tok('S')}) to (?:meet|hold talks)(?: with)? $", before)
    return view.mention(m.group(1)).entity if m else None


def _of_from_list(view: SentenceView, masked: str, at: int, role: Role) -> str | None:
    """"Russian officials such as deputy prime minister X, speaker Y": the listed offices are
    the state's (only for state offices, and only within the list's clause)."""
    if role.of_kind != "state":
        return None
    found = None
    for m in _OFFICIALS.finditer(masked[:at]):
        if not re.search(r"[;:]| (?:said|says|was|were|is|are|has|have) ", masked[m.end() : at]):
            found = view.mention(m.group("state")).entity
    return found


def _add(context: Context, view: SentenceView, person: str | None, role: str, of: str | None) -> None:
    if not person or len(role) < 2:
        return
    role = " ".join(role.split())
    for known in context.facts.positions:
        if known.holder == person and known.role.lower() == role.lower() and (
            known.of == of or of is None or known.of is None
        ):
            known.of = known.of or of
            context.cite(known.spans, view)
            return
    context.facts.positions.append(Position(person, role, of, [context.span(view)]))


def extract(context: Context) -> None:
    for view in context.views:
        masked = view.unquoted
        for found in TOKEN.finditer(masked):
            mention = view.mention(found.group(0))
            if mention.phrase is None or mention.pronoun:
                continue
            for role in mention.phrase.roles:
                of = role.of or _of_from_visit(view, masked, found.start()) or \
                    _of_from_list(view, masked, found.start(), role)
                if of is None and mention.entity:
                    of = _of_from_registry(context, mention.entity, role)
                _add(context, view, mention.entity, role.title, of)
        for m in _COUNTERPART.finditer(masked):
            person = view.mention(m.group("person"))
            roles = [p.phrase.roles[0] for p in view.tokens(masked[: m.start()]) if p.phrase and p.phrase.roles]
            if person.entity and roles and (person.phrase is None or not person.phrase.roles):
                _add(context, view, person.entity, roles[-1].title, view.mention(m.group("state")).entity)
