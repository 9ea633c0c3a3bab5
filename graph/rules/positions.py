"""Positions held: a person, a formal title, and the state or organization it is of.

News introduces people in two ways:

* a title before the name, with the state as a demonym or the organization as a modifier:
  "Russian President Vladimir Putin", "Kremlin spokesman Dmitry Peskov", "Prime Minister
  Shinzo Abe" (the state then comes from who the person is);
* an apposition after the name: "Alexei Pushkov, head of the foreign affairs committee in
  Russia’s lower house of parliament", "James Brown, an associate professor at Temple
  University" — descriptions ("a Putin confidant", "an expert on …") are not titles.
"""

from __future__ import annotations

import re

from graph.facts import Position
from graph.lexicon import NON_TITLES, TITLES
from graph.mentions import SentenceView
from graph.rules.common import Context, tok

_TITLE = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_BEFORE_NAME = re.compile(
    rf"(?:(?P<former>former|ex-|then-) )?(?:(?P<owner>{tok('SO')})(?:'s)? )?(?:the )?(?P<title>(?:{_TITLE})"
    rf"(?: to (?:the )?{tok('SO')})?) (?P<person>{tok('P')})"
)
# "Russia's foreign minister, Sergei Lavrov, said": the title first, the name in commas
_TITLE_COMMA = re.compile(rf"(?:(?P<owner>{tok('SO')})'s |the (?P<demonym>{tok('S')}) )(?P<title>{_TITLE}), (?P<person>{tok('P')})(?=,)",
                          re.IGNORECASE)
_APPOSITION = re.compile(rf"(?P<person>{tok('P')}), (?P<body>[^,;]+?)(?=,|;|\.$|$| who | which )")
_STATE_TITLES = ("president", "prime minister", "premier", "chancellor", "minister", "king",
                 "emperor", "ambassador", "envoy", "secretary of state", "chief cabinet secretary")


def _of_from_registry(context: Context, person: str, title: str) -> str | None:
    entity = context.registry.get(person)
    if entity is None:
        return None
    if any(title.lower().endswith(t) or title.lower().startswith(t) for t in _STATE_TITLES):
        return entity.citizen_of or entity.affiliation
    return entity.affiliation or entity.citizen_of


def _of_from_visit(view: SentenceView, masked: str, at: int) -> str | None:
    """"visit Ukraine to meet with President Petro Poroshenko": the host state."""
    before = masked[max(0, at - 60) : at]
    m = re.search(rf"visit(?:s|ed|ing)? (?:to )?({tok('S')}) to (?:meet|hold talks)(?: with)? $", before)
    return view.mention(m.group(1)).entity if m else None


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


def _apposition_parts(context: Context, view: SentenceView, body: str) -> list[tuple[str, str | None]]:
    """(role, of) for each title in an apposition such as "a X confidant and speaker of the Y"."""
    out = []
    for part in re.split(r" and (?=(?:a |an |the )?[a-z])", body):
        part = re.sub(r"^(?:a|an|the) ", "", part.strip())
        if any(word in part for word in NON_TITLES):
            continue
        m = re.match(rf"(?:(?P<state>{tok('S')})(?:'s)? )?(?P<title>{_TITLE})\b", part, re.IGNORECASE)
        if not m:
            continue
        owner = None
        if m.group("state"):  # "Japan's foreign minister", "the Russian foreign minister"
            owner = view.mention(m.group("state")).entity
            part = part[m.start("title") :]
        owners = list(re.finditer(rf" (?:at|of|in|for) (?:the )?({tok('OS')})", part))
        at_owner = [o for o in owners if o.group(0).startswith(" at ")]
        chosen = at_owner[-1] if at_owner else (owners[-1] if owners else None)
        role_text = part
        if chosen is not None:
            owner = view.mention(chosen.group(1)).entity or owner
            state_of = chosen.group(0).startswith(" of ") and chosen.group(1).startswith("⟦S")
            if chosen.group(0).startswith((" at ", " in ")) or state_of:
                role_text = part[: chosen.start()]  # "prime minister of Japan": role, and state
        out.append((context.unmask(view, role_text).strip(), owner))
    return out


def extract(context: Context) -> None:
    for view in context.views:
        masked = view.unquoted
        for m in _BEFORE_NAME.finditer(masked):
            if m.group("former"):
                continue
            person = view.mention(m.group("person")).entity
            title = context.unmask(view, m.group("title"))  # "Ambassador to Japan"
            of = None
            if m.group("owner"):
                owner = view.mention(m.group("owner"))
                entity = context.entity(owner)
                if entity is not None and entity.letter in "SO":
                    of = entity.id
            of = of or _of_from_visit(view, masked, m.start()) or (
                _of_from_registry(context, person, title) if person else None)
            _add(context, view, person, title, of)
        for m in _TITLE_COMMA.finditer(masked):
            owner_token = m.group("owner") or m.group("demonym")
            _add(context, view, view.mention(m.group("person")).entity, m.group("title"),
                 view.mention(owner_token).entity if owner_token else None)
        for m in _APPOSITION.finditer(masked):
            person = view.mention(m.group("person")).entity
            for role, of in _apposition_parts(context, view, m.group("body")):
                if person and of is None:
                    of = _of_from_registry(context, person, role)
                _add(context, view, person, role, of)
