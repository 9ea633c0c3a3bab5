"""Sanctions: who imposes them, on whom, and why.

Triggers are nouns ("sanctions", "a travel ban", "an embargo") and verbs ("penalizing",
"punishing", "slapped … with").  Imposers come from, in order: "imposed by X and Y"; a
possessive or modifier ("the G7's sanctions", "EU sanctions", "European sanctions"); "among the
Group of Seven"; and, when the trigger is a verb or the object of an imposing verb, the actors
before it in the clause ("Japan joined the U.S. and the European Union in penalizing Russia").
The target is "on/against X", the object of the verb, or "X, whom … slapped with"; when the
text does not repeat it, it is the state the article is about (the gold rules: "the target is
usually Russia, which is directly implied where not repeated").
"""

from __future__ import annotations

import re

from graph.facts import Sanction
from graph.mentions import Mention, SentenceView
from graph.rules.common import Context, clause_bounds, tok

_NOUN = r"(?:sanctions?|travel bans?|asset freezes?|embargo(?:es)?|punitive measures|penalties)"
_VERB = r"(?:penaliz\w*|penalis\w*|punish(?:ed|es|ing)?|sanction(?:ed|ing)|slapped|slap|imposed sanctions on)"
TRIGGER = re.compile(rf"(?<![\w])(?:{_NOUN}|{_VERB})(?![\w])")
_IMPOSING = re.compile(r"\b(?:impos\w+|implement\w*|introduc\w+|slapp\w+|levied|levy|maintain\w*|"
                       r"adopt\w*|extend\w*|tighten\w*|approv\w+|announc\w+|joined|gone along)\b")
_AGENTS = rf"(?:the )?{tok('SOL')}(?:(?:,| and| or) (?:the )?{tok('SOL')})*"
_BY = re.compile(rf"^ (?:(?:imposed|levied|introduced) )?by ({_AGENTS})")
_MODIFIER = re.compile(rf"({tok('SOL')})(?:'s)? (?:(?:\w+|network of) ){{0,2}}$")
_AMONG = re.compile(rf"^(?: \w+){{0,3}} among (?:the )?({tok('O')})")
# A target: "Russian President ⟦P⟧" is the person, "⟦S⟧" the state; several may be coordinated.
_TITLED = r"(?:(?:⟦S\d+⟧ )?(?:[A-Z][\w.-]*(?: of)? ){1,4}⟦P\d+⟧)"
_PARTY = rf"(?:the )?(?:{_TITLED}|{tok('SOPC')})"
_TARGET = re.compile(rf"^(?: \w+){{0,2}}? (?:on|against) ({_PARTY}(?:(?:,| and|, and) {_PARTY})*)")
_OBJECT = re.compile(rf"^ ({_PARTY}(?:(?:,| and|, and) {_PARTY})*)")
_WHOM = re.compile(rf"({tok('P')}), whom ({_AGENTS}) (?:have |has |had )?$")
_DECISION = re.compile(rf"({tok('SOC')})'s (?:decision|move|plan|efforts?|readiness|vote) to (?:impose|introduce|extend|tighten|maintain|join) (?:new |further |\w+ )?$")
_REASON = re.compile(r"^(?: (?:since |in |from )?⟦D\d+⟧)? (?:over|for|in retaliation for|because of|following|after) ([^,;.]{3,80})")


def _agents(context: Context, view: SentenceView, fragment: str) -> list[str]:
    out = []
    for m in view.tokens(fragment):
        if m.letter == "C" and re.search(rf"(?:in|at|from|to|near|a|an) {re.escape(_token_of(view, m))}", fragment):
            continue  # "at a Tokyo hotel" is a place, not the government in Tokyo
        agent = context.as_agent(m)
        if agent is not None and agent not in out:
            out.append(agent)
    return out


def _token_of(view: SentenceView, mention: Mention) -> str:
    return f"⟦{mention.letter}{view.mentions.index(mention)}⟧"


def _parties(view: SentenceView, text: str) -> list[Mention]:
    """The targets of a coordinated list: for "Russian President ⟦P⟧" the person, not the
    demonym; for a bare "⟦S⟧" the state."""
    out = []
    for party in re.finditer(_PARTY, text):
        tokens = view.tokens(party.group(0))
        people = [t for t in tokens if t.letter == "P"]
        out.append(people[-1] if people else tokens[-1])
    return out


def _default_target(context: Context, imposers: set[str]) -> str | None:
    for sanction in context.facts.sanctions:
        if sanction.target not in imposers:
            return sanction.target
    for state in context.main_states():
        if state not in imposers and not context.registry[state].historical:
            return state
    return None


def extract(context: Context) -> None:
    pending: list[tuple[SentenceView, set[str], str | None, str | None]] = []  # parties, target, reason
    for view in context.views:
        masked = view.unquoted
        previous_end: int | None = None
        for m in TRIGGER.finditer(masked):
            if (previous_end is not None and re.fullmatch(r" (?:\w+ ){0,2}(?:with|on) (?:a |an |the )?(?:\w+ )?", masked[previous_end : m.start()])) \
                    or (previous_end is not None and masked[previous_end : m.start()] == " "):
                previous_end = m.end()
                continue  # "slapped X with a travel ban", "imposed sanctions": one sanction
            previous_end = m.end()
            before, after = masked[: m.start()], masked[m.end() :]
            c_begin, _ = clause_bounds(masked, m.start())
            is_verb = not re.fullmatch(_NOUN, m.group(0))
            imposers: list[str] = []
            by = _BY.match(after)
            if by:
                imposers += _agents(context, view, by.group(1))
            mod = _MODIFIER.search(before[-60:])
            if mod and not is_verb:
                imposers += _agents(context, view, mod.group(1))
            among = _AMONG.match(after)
            if among:
                imposers += _agents(context, view, among.group(1))
            whom = _WHOM.search(before)
            targets: list[Mention] = []
            if whom:
                imposers += _agents(context, view, whom.group(2))
                targets = [view.mention(whom.group(1))]
            elif (owner := _DECISION.search(before)) and not by:
                imposers += _agents(context, view, owner.group(1))  # "Japan's decision to impose sanctions"
            elif (is_verb or _IMPOSING.search(before[c_begin:])) and not by:
                # "Japan, a member of the Group of Seven, has maintained sanctions": not the G7
                clause = re.sub(r", (?:a|an|the|which|who) [^,]*,", ",", before[c_begin:])
                imposers += _agents(context, view, clause)
            tm = _TARGET.match(after) or (_OBJECT.match(after) if is_verb else None)
            if not targets and tm:
                targets = _parties(view, tm.group(1))
            reason_at = after[tm.end() :] if tm else after
            reason_match = _REASON.match(reason_at)
            reason = context.unmask(view, reason_match.group(1)).strip() if reason_match else None
            for target in [context.as_state(t) or t.entity for t in targets] or [None]:
                pending.append((view, {i for i in imposers if i != target}, target, reason))
    for view, parties, stated_target, reason in pending:
        if not parties and stated_target is None and reason is None and context.facts.sanctions \
                and re.search(r"\b(?:the|these|those|such) (?:\w+ )?sanctions\b", view.unquoted):
            # "called the sanctions 'unfriendly'": the sanctions already reported, not new ones
            context.cite(context.facts.sanctions[-1].spans, view)
            continue
        chosen = stated_target or _default_target(context, parties)
        if chosen is not None:
            _add(context, view, frozenset(parties), chosen, reason)


def _add(context: Context, view: SentenceView, imposers: frozenset[str], target: str,
         reason: str | None) -> None:
    for known in context.facts.sanctions:
        if known.imposers == imposers and known.target == target:
            context.cite(known.spans, view)
            known.reason = known.reason or reason
            return
    context.facts.sanctions.append(Sanction(imposers, target, [context.span(view)], reason))
