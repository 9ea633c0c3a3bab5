"""Sanctions: who imposes them, on whom, and why.

The words come from cue tables (``ontology/cues/sanction-*.tsv``): triggers (measures such as
"sanctions" or "an embargo"; bans on persons such as "banned entry to", "refused visas to",
"a black list"; verbs of punishing; and "list", a list of names in an article on sanctions),
the verbs whose subject imposes a measure ("stepped up sanctions", "placed N on its black
list"), the hedges that make a mention of sanctions no sanction in force ("is planning
additional sanctions", "warned Russia of tougher sanctions"), the words that open a
subordinate clause, the nouns for people named only by number or nationality, and collective
actors as written ("European leaders" is Europe).

Imposers come from, in order: "imposed by X and Y"; a possessive or modifier ("the G7's
sanctions", "EU sanctions", "a US list"); "among the Group of Seven"; and, when the trigger is a
verb or the object of an imposing verb, the actors before it in its clause — after the last
subordinating word ("Russia banned entry to X after Tokyo joined sanctions": Tokyo joined), and
leaving out what stands after a preposition or is an earlier trigger's target.

The target is "on/against X", the object of a punishing verb, "X, whom … slapped with", or for
a ban or a list each named person after it (one record per person: "a ban on X and 40 other
officials" names only X).  A measure on people named only by number or nationality ("33
Ukrainians and Russians", "23 Russian citizens") targets the conflict's state: the state the
article's sanctions are against where it is among theirs.  A trigger that states no target takes
the one an earlier trigger of its sentence stated ("sanctions against X, following Y in imposing
punitive measures"), else the state the article is about (the gold rules: "the target is usually
Russia, which is directly implied where not repeated").  A measure with no imposer and no target
of its own, in an article that already reported sanctions, is those sanctions described again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dipkg.graph import cues
from dipkg.graph.facts import Sanction
from dipkg.graph.mentions import Mention, SentenceView
from dipkg.graph.registry import Registry
from dipkg.graph.rules.common import Context, clause_bounds, tok


def _alternation(table: str, stems: bool = False) -> str:
    """The cues of a table as an alternation; a ``match=stem`` row takes any word ending."""
    parts = []
    for cue in cues.load(table).cues():
        body = r"\s+".join(re.escape(word) for word in cue.split())
        if stems and cues.load(table).mapping("match").get(cue.lower()) == "stem":
            body += r"\w*"
        parts.append(body)
    return "(?:" + "|".join(parts) + ")"


_TRIGGERS = cues.load("sanction-triggers")
TRIGGER = re.compile(rf"(?<![\w]){_alternation('sanction-triggers')}(?![\w])")
_KIND = _TRIGGERS.mapping("kind")
_POS = _TRIGGERS.mapping("pos")
_IMPOSING = re.compile(rf"(?<![\w]){_alternation('sanction-imposing', stems=True)}(?![\w])")
_HEDGE_BEFORE = re.compile(
    r"(?<![\w])(?:" + "|".join(r"\s+".join(map(re.escape, c.split()))
                               for c in cues.load("sanction-hedges").cues(where="before")) + r")(?![\w])",
    re.IGNORECASE)
_HEDGE_AFTER = re.compile(
    r" (?:" + "|".join(r"\s+".join(map(re.escape, c.split()))
                        for c in cues.load("sanction-hedges").cues(where="after")) + r")(?![\w])",
    re.IGNORECASE)
_OPENER = re.compile(rf"(?<![\w])(?<!such )(?<!as well )(?:{_alternation('sanction-clause-openers')})"
                     r"(?![\w])(?! well as)", re.IGNORECASE)
_INDIVIDUAL_NOUNS = _alternation("sanction-individuals")
_ACTORS = cues.load("sanction-actors").mapping("entity")
# "pro-⟦C3⟧ separatists in ⟦S4⟧", "Houthi rebels", "separatists in eastern ⟦S1⟧"
_GROUP = (rf"(?:(?:pro-(?:{tok('SCOP')}|[A-Z][\w-]*)|{tok('S')}|[A-Z][\w-]*) )?"
          rf"{_alternation('sanction-target-groups')}(?: in (?:(?:eastern|western|northern|southern) )?{tok('SCLT')})?"
          r"(?![\w-])")
_GROUP_AFTER = re.compile(rf"^(?:,| and|, and) ({_GROUP})")
_GROUP_TARGET = re.compile(rf"^(?: \w+){{0,2}}? (?:on|against) ({_GROUP})")
_GROUP_OBJECT = re.compile(rf"^ (?:the )?({_GROUP})")

_AGENTS = rf"(?:the )?{tok('SOL')}(?:(?:,| and| or) (?:the )?{tok('SOL')})*"
_BY = re.compile(rf"^ (?:(?:imposed|levied|introduced) )?by ({_AGENTS})")
_MODIFIER = re.compile(rf"({tok('SOL')})(?:'s)? (?:(?:\w+|network of) ){{0,2}}$")
_AMONG = re.compile(rf"^(?: \w+){{0,3}} among (?:the )?({tok('O')})")
# A target: "Russian President ⟦P⟧" is the person, "⟦S⟧" the state; several may be coordinated.
_TITLED = r"(?:(?:⟦S\d+⟧ )?(?:[A-Z][\w.-]*(?: of)? ){1,4}⟦P\d+⟧)"
_PARTY = rf"(?:the )?(?:{_TITLED}|{tok('SOPC')})"
_PARTIES = rf"{_PARTY}(?:(?:,| and|, and) {_PARTY})*"
_TARGET = re.compile(rf"^(?: \w+){{0,2}}? (?:on|against) ({_PARTIES})")
_OBJECT = re.compile(rf"^ ({_PARTIES})")
_TARGET_ANYWHERE = re.compile(rf"(?:on|against) {_PARTIES}")
_WHOM = re.compile(rf"({tok('P')}), whom ({_AGENTS}) (?:have |has |had )?$")
_DECISION = re.compile(rf"({tok('SOC')})'s (?:decision|move|plan|efforts?|readiness|vote) to (?:impose|introduce|extend|tighten|maintain|join) (?:new |further |\w+ )?$")
_REASON = re.compile(r"^(?: (?:since |in |from )?⟦D\d+⟧)? (?:over|for|in retaliation for|because of|following|after) ([^,;.]{3,80})")
# After these words a place or state is where something happens or what is aimed at, not an actor.
_PLACE_PREPOSITION = re.compile(r"(?:in|at|from|to|near|into|a|an|against|on|over|toward|towards) $")
_STATE_PREPOSITION = re.compile(r"(?:in|at|from|near|into|against|on|over|toward|towards) $")
_QUANTITY = (r"(?i:(?:(?:more than|over|at least|some|about|nearly|almost|another) )?"
             r"(?:\d[\d,]*|several(?: dozen)?|dozens(?: of)?|hundreds(?: of)?|a dozen|scores of|a number of"
             r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty))")
_ONE_MEASURE = re.compile(r"^(?: (?:\w+ ){0,2}(?:with|on) (?:a |an |the )?(?:\w+ )?| )$")
# A reason later in the clause, after the named people: "banned X and Y over Z's stance".
_LATER_REASON = re.compile(r"^[^;]*? (?:over|in retaliation for|because of) ([^,;.]{3,80})")
_INCLUDING = re.compile(r"\b(?:including|such as|in the form of|namely)\b")


def _same_measure(between: str) -> bool:
    """Whether a trigger continues the one before it: "slapped X with a travel ban",
    "sanctions, including freezing assets and visa bans" — but not "banned X, including Y,
    after Tokyo joined sanctions", where a new clause begins."""
    if _ONE_MEASURE.match(between):
        return True
    including = _INCLUDING.search(between)
    return including is not None and not _OPENER.search(between, including.end()) \
        and not _IMPOSING.search(between, including.end())
_BACK_REFERENCE = re.compile(r"\b(?:the|these|those|such|existing|current|its|their) (?:\w+ )?sanctions\b")


def _plural_demonyms(registry: Registry) -> dict[str, str]:
    """"Russians" -> Russia: plural demonyms name people, never the state acting."""
    out: dict[str, str] = {}
    for entity in registry.entities.values():
        if entity.letter != "S":
            continue
        for demonym in entity.demonyms:
            if demonym[-1] in "ni":  # Russian(s), Israeli(s); not Japanese, Swiss, British
                out.setdefault(demonym + "s", entity.id)
    return out


@dataclass
class _Individuals:
    """People named only by number or nationality, and the states their demonyms name."""

    spans: list[tuple[int, int]]
    states_of: list[list[str]]  # for each span, the states its demonyms name


def _individuals(context: Context, view: SentenceView, masked: str, plurals: dict[str, str]) -> _Individuals:
    plural = "(?:" + "|".join(map(re.escape, sorted(plurals, key=len, reverse=True))) + ")" if plurals else "(?!)"
    head = rf"(?:{_INDIVIDUAL_NOUNS}|{plural})"
    phrase = re.compile(
        rf"(?<![\w]){_QUANTITY}(?: (?:and |or )?(?:pro-)?(?:{tok('S')}|[a-z][\w-]*)){{0,4}}? {head}(?![\w])"
        rf"(?:,? (?:and|or) (?:{_QUANTITY} )?(?:(?:pro-)?{tok('S')} )*{head}(?![\w]))*")
    spans: list[tuple[int, int]] = []
    states_of: list[list[str]] = []
    for found in phrase.finditer(masked):
        spans.append(found.span())
        states: list[str] = []
        states_of.append(states)
        for piece in re.finditer(rf"{tok('S')}|{plural}", found.group(0)):
            state = (context.as_state(view.mention(piece.group(0))) if piece.group(0).startswith("⟦")
                     else plurals.get(piece.group(0)))
            if state is not None and state not in states:
                states.append(state)
    return _Individuals(spans, states_of)


def _reason_text(context: Context, view: SentenceView, phrase: str) -> str | None:
    """A reason as the article words it, or None where the phrase runs into another sanction
    ("after Tokyo joined sanctions …" is an event, not a short reason) or is cut mid-name."""
    phrase = re.sub(r"\s*⟦[^⟧]*$", "", phrase)  # the length limit cut a token
    if TRIGGER.search(phrase) or not phrase.strip():
        return None
    return context.unmask(view, phrase).strip()


def _token_of(view: SentenceView, mention: Mention) -> str:
    return f"⟦{mention.letter}{view.mentions.index(mention)}⟧"


def _agents(context: Context, view: SentenceView, fragment: str,
            individuals: _Individuals | None = None) -> list[str]:
    """The collective actors a piece of masked text names, as written ("European leaders" is
    Europe), leaving out places after a preposition ("at a Tokyo hotel", "separatists in
    Ukraine") and demonyms of people named only by nationality ("63 Japanese citizens")."""
    out = []
    for token in re.finditer(r"⟦[A-Z]\d+⟧", fragment):
        m = view.mention(token.group(0))
        preceding = fragment[max(0, token.start() - 12) : token.start()]
        if (m.letter == "C" and _PLACE_PREPOSITION.search(preceding)) or \
                (m.letter in "SO" and _STATE_PREPOSITION.search(preceding)):
            continue
        if individuals and any(b <= token.start() < e for b, e in individuals.spans):
            continue
        at = view.unquoted.find(token.group(0))
        following = re.match(r" (\w+)", view.unquoted[at + len(token.group(0)) :]) if at >= 0 else None
        written = _ACTORS.get(f"{m.surface} {following.group(1)}".lower()) if following else None
        agent = written if written in context.registry.entities else context.as_agent(m)
        if agent is not None and agent not in out:
            out.append(agent)
    return out


def _actor_clause(masked: str, at: int) -> int:
    """Where the clause of the trigger at ``at`` begins, for finding who acts: after the last
    clause break or subordinating word before it that an actor follows ("Washington maintains
    that economic sanctions remain": Washington)."""
    begin, _ = clause_bounds(masked, at)
    for opener in _OPENER.finditer(masked, begin, at):
        if re.search(rf"{tok('SOCL')}", masked[opener.end() : at]):
            begin = opener.end()
    return begin


def _parties(view: SentenceView, text: str) -> list[Mention]:
    """The targets of a coordinated list: for "Russian President ⟦P⟧" the person, not the
    demonym; for a bare "⟦S⟧" the state."""
    out = []
    for party in re.finditer(_PARTY, text):
        tokens = view.tokens(party.group(0))
        people = [t for t in tokens if t.letter == "P"]
        out.append(people[-1] if people else tokens[-1])
    return out


def _named_people(view: SentenceView, masked: str, begin: int) -> list[Mention]:
    """The people a ban or a list names after the trigger, up to the end of its clause."""
    _, end = clause_bounds(masked, begin)
    opener = _OPENER.search(masked, begin, end)
    end = opener.start() if opener else end
    return [m for m in view.tokens(masked[begin:end]) if m.letter == "P" and not m.pronoun]


def _default_target(context: Context, imposers: set[str]) -> str | None:
    for sanction in context.facts.sanctions:
        if sanction.target not in imposers:
            return sanction.target
    for state in context.main_states():
        if state not in imposers and not context.registry[state].historical:
            return state
    return None


@dataclass
class _Pending:
    view: SentenceView
    parties: set[str]
    target: str | None  # the target the text states (or an earlier trigger of the sentence)
    reason: str | None
    individuals: list[str] | None = None  # states of people named only by nationality
    cite_only: bool = False  # describes sanctions already reported (a list naming nobody)
    kind: str = "measure"  # the trigger's kind: a ban described again cites the ban


def _trigger_targets(view: SentenceView, masked: str, m: re.Match[str], kind: str,
                     individuals: _Individuals) -> tuple[list[Mention], int | None]:
    """The mentions a trigger targets, and where in the text after it its target phrase ends
    (for the reason)."""
    after = masked[m.end() :]
    skip = by.end() if (by := _BY.match(after)) else 0  # "sanctions by X and Y against Z"
    whom = _WHOM.search(masked[: m.start()])
    if whom:
        return [view.mention(whom.group(1))], None
    if kind in {"ban", "list"}:
        people = _named_people(view, masked, m.end())
        if people:
            last = _token_of(view, people[-1])
            return people, after.find(last) + len(last)
    tm = _TARGET.match(after[skip:]) or (_OBJECT.match(after) if kind == "verb" and not skip else None)
    if tm:
        at = m.end() + (skip if tm.re is _TARGET else 0)
        found = [p for p in _parties(view, tm.group(1))
                 if not any(b <= at + tm.start(1) + tm.group(1).find(_token_of(view, p)) < e
                            for b, e in individuals.spans)]
        if found or not _included_people(view, masked, m.end()):
            return found, (skip if tm.re is _TARGET else 0) + tm.end()
    people = _included_people(view, masked, m.end())
    if people:  # "on three officials, including Interior Minister X": X, by name
        last = _token_of(view, people[-1])
        return people, after.find(last) + len(last)
    return [], skip or None


def _included_people(view: SentenceView, masked: str, begin: int) -> list[Mention]:
    """Named people after "including" or "such as" in the clause after ``begin``."""
    _, end = clause_bounds(masked, begin)
    including = _INCLUDING.search(masked, begin, end)
    return _named_people(view, masked, including.end()) if including else []


def extract(context: Context) -> None:
    pending: list[_Pending] = []
    plurals = _plural_demonyms(context.registry)
    for view in context.views:
        masked = view.unquoted
        previous_end: int | None = None
        sentence_target: str | None = None
        individuals = _individuals(context, view, masked, plurals)
        for m in TRIGGER.finditer(masked):
            between = masked[previous_end : m.start()] if previous_end is not None else None
            previous_end = m.end()
            if between is not None and _same_measure(between):
                continue  # "slapped X with a travel ban", "sanctions, including visa bans": one
            cue = " ".join(m.group(0).split()).lower()
            kind, is_verb = _KIND[cue], _POS[cue] == "verb"
            before, after = masked[: m.start()], masked[m.end() :]
            # "The EU, which warned Minsk in March, imposed sanctions": the relative clause is
            # set aside, so the clause of the trigger is "The EU … imposed"
            before = re.sub(r", (?:which|who|whose) [^,]*, (?=[^,]*$)", " ", before)
            c_begin = _actor_clause(before, len(before))
            # a hedge stands just before the trigger, in its phrase: "warned X of tougher sanctions",
            # not "the EU, which warned in March, imposed sanctions"
            window = " ".join(before[c_begin:].split(",")[-1].split()[-4:])
            if _HEDGE_BEFORE.search(window) or _HEDGE_AFTER.search(after[: clause_bounds(after, 0)[1]]):
                continue  # planned, threatened or proposed: no sanction in force
            if kind == "list" and not pending:
                continue  # a list is a sanction only among sanctions
            imposers: list[str] = []
            by = _BY.match(after)
            if by:
                imposers += _agents(context, view, by.group(1))
            mod = _MODIFIER.search(before[-60:])
            if mod and not is_verb and not by:
                imposers += _agents(context, view, mod.group(1))
            among = _AMONG.match(after)
            if among:
                imposers += _agents(context, view, among.group(1))
            whom = _WHOM.search(before)
            if whom:
                imposers += _agents(context, view, whom.group(2))
            elif (owner := _DECISION.search(before)) and not by:
                imposers += _agents(context, view, owner.group(1))  # "Japan's decision to impose sanctions"
            elif (is_verb or _IMPOSING.search(before[c_begin:])) and not by:
                # "Japan, a member of the Group of Seven, has maintained sanctions": not the G7
                clause = re.sub(r", (?:a|an|the|which|who) [^,]*,", ",", before[c_begin:])
                clause = _TARGET_ANYWHERE.sub("", clause)  # an earlier trigger's targets
                imposers += _agents(context, view, clause, individuals)
            targets, target_end = _trigger_targets(view, masked, m, kind, individuals)
            stated: list[str | None] = [s for s in (context.as_state(t) or t.entity for t in targets)
                                        if s is not None]
            rest = after[target_end:] if target_end is not None else after
            group = _GROUP_AFTER.match(rest) if stated else (
                _GROUP_TARGET.match(after) or (_GROUP_OBJECT.match(after) if kind == "verb" else None))
            label = context.unmask(view, group.group(1)) if group else ""
            if group and len(label.split()) > 1:  # "against Russia and pro-Moscow separatists in
                # Ukraine": the group too, named by what the text says of it ("rebels" alone is nobody)
                stated.append(context.registry.discover(label, "Organization").id)
                rest = rest[group.end() :] if stated[:-1] else after[group.end() :]
            reason_match = _REASON.match(rest) or _LATER_REASON.match(rest[: clause_bounds(rest, 0)[1]])
            reason = _reason_text(context, view, reason_match.group(1)) if reason_match else None
            if stated and stated[0] is not None and context.registry[stated[0]].letter == "S":
                sentence_target = stated[0]
            c_first, c_last = clause_bounds(masked, m.start())
            near = [state for (b, e), states in zip(individuals.spans, individuals.states_of, strict=True)
                    if c_first <= b and e <= c_last for state in states]
            if kind == "list" and not stated:
                pending.append(_Pending(view, set(imposers), None, reason, cite_only=True, kind=kind))
                continue
            for target in stated or [None]:
                inherited = target or (sentence_target if not near else None)
                pending.append(_Pending(view, {i for i in imposers if i != inherited}, inherited, reason,
                                        near if inherited is None and near else None, kind=kind))
    kinds: dict[int, str] = {}  # id of each sanction -> the kind of trigger that first stated it
    for item in pending:
        _resolve(context, item, kinds)


def _resolve(context: Context, item: _Pending, kinds: dict[int, str]) -> None:
    view, parties, reason = item.view, item.parties, item.reason
    if item.cite_only:
        known = [s for s in context.facts.sanctions if s.imposers == parties] or context.facts.sanctions
        if known:
            context.cite(known[-1].spans, view)
        return
    if not parties and item.target is None and context.facts.sanctions and (
            item.individuals is not None or reason is None
            or _BACK_REFERENCE.search(view.unquoted)):
        # "Moscow called the sanctions 'unfriendly'", "dozens of officials have had assets
        # frozen": the sanctions already reported (a ban: the last ban), described again
        alike = [s for s in context.facts.sanctions if kinds.get(id(s)) == item.kind]
        context.cite((alike or context.facts.sanctions)[-1].spans, view)
        return
    chosen = item.target
    if chosen is None:
        default = _default_target(context, parties)
        states = [s for s in item.individuals or [] if s not in parties]
        chosen = default if default in states or not states else states[0]
    if chosen is not None:
        sanction = _add(context, view, frozenset(parties - {chosen}), chosen, reason)
        kinds.setdefault(id(sanction), item.kind)


def _add(context: Context, view: SentenceView, imposers: frozenset[str], target: str,
         reason: str | None) -> Sanction:
    for known in context.facts.sanctions:
        if known.imposers == imposers and known.target == target:
            context.cite(known.spans, view)
            known.reason = known.reason or reason
            return known
    sanction = Sanction(imposers, target, [context.span(view)], reason)
    context.facts.sanctions.append(sanction)
    return sanction
