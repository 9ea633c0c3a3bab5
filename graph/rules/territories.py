"""Territories: who claims them, who holds them, and the name each state uses.

What English news says, read from four cue tables (``ontology/cues/territory-*.tsv``) placed in
a few general forms (each table's header lists them):

* control — "Russian-held islands", "islands seized by the Soviet Union", "Russia annexed
  Crimea", "Russia's annexation of Crimea", "under Beijing's (de facto) control", "became
  Chinese territory", a garrison ("has stationed marines on the islets", "where Philippine
  marines are stationed");
* claim — "Japanese-claimed islands", "claimed by A, B and C", "Syria, which also claims the
  heights", "Russia's sovereignty over the islands", "regards X as its territory", "wants X
  back", "lies within Hanoi's exclusive economic zone", "…, where A and B also have claims",
  "Ukraine's Crimea" (possessive), "annexed Crimea from|in Ukraine" (the state it was taken from);
* dispute — "a dispute (with B) over the islands", "A and B sparred over the shoal", "the
  disputed islands", "the issue of the ownership of …": a claim without its claimants.  When no
  claimant is stated, the claimants are the parties the text names for the dispute and, for a
  territory the registry knows, those of its disputing states the article mentions — leaving
  out the controller (gold convention 9).  A dispute a claim is stated through ("Japan is
  dealing with a dispute over …") adds no parties;
* names — templates such as "known as {name} in {state}", "which {state} calls {name}",
  continued by "and …" ("… and Y in B"); a capitalized name the registry does not know is kept
  as written.

The state slot also reads "it"/"its" and "the (Asian) country" (the state named last before),
"both countries" (the article's two present-day states), "The South" (its one "South …" state)
and "the central government" (the state whose government was named).  Which territory "the
islands", "these islets", "them" or a list of islands stands for is read by
``graph.discourse.territories``.  Quotations are left out: a quoted claim is the speaker's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from dipkg.graph import cues
from dipkg.graph.discourse.territories import PHRASE, T_LIST, TerritoryDiscourse
from dipkg.graph.facts import Span, TerritoryName, TerritoryStatement
from dipkg.graph.mentions import SentenceView
from dipkg.graph.rules.common import Context, clause_bounds

# A state as the rules see it: a state, its capital, its government ("the ⟦S0⟧ government").
_ONE_STATE = (r"(?:the )?(?:former )?⟦[SCO]\d+⟧(?: government| authorities| troops| forces| army| military|"
              r" navy| coast guard)?")
# Between "<state>-held" and its noun: other adjectives ("Russian-held, Japanese-claimed islands"),
# never a preposition (that would start another phrase: "Kremlin-backed media in the region").
_MODS = (r"(?P<mods>(?:,? (?:and )?(?:⟦[SCO]\d+⟧-)?(?!(?:in|of|on|at|to|for|with|by|from|and|the)\b)"
         r"[\w-]+?){0,3}?)")
# "occupied by the Soviet Union and then Russia": the last holder.
STATE = rf"(?:{_ONE_STATE},? and (?:then |later |now |subsequently )?)?(?P<state>{_ONE_STATE})"
# "claimed by (both) A, B and C", "A and B both claim …": every one of them.
# "both countries", "the two sides": the two states the article names most.
_BOTH = r"(?P<both>\b(?:[Bb]oth|[Tt]he two) (?:countries|nations|sides|governments|neighbou?rs|states))"
STATES = (rf"(?:(?:both |all |each )?(?P<states>{_ONE_STATE}(?:(?:,|,? and) {_ONE_STATE})*)(?: both| all| each)?"
          rf"|{_BOTH})")
# "The South has stationed …": a state named by its first word alone.
_ELLIPSIS = r"(?P<ellipsis>\b[Tt]he (?:South|North))\b(?! ⟦| [A-Z])"
# "after it annexed …", "the country": the state named last before.
_PRONOUN = r"(?P<pronoun>\b(?:it|It)\b)"
AUX = (r"(?:(?:that|which|who) )?(?:(?:is|are|was|were|has been|have been|had been|being|remain|"
       r"remains|remained|be|been|now|currently|still|also|later|effectively|since|then|has|have|had|"
       r"long|illegally|forcibly|eventually|formally|both|each|all|jointly) ){0,3}")
# "claims most of the sea, including the Spratly Islands"
_INCLUDING = (r"(?:(?:most|much|all|almost all|nearly all|parts?|some|large parts) of (?:the )?(?:[\w-]+|⟦L\d+⟧),? "
              r"(?:including|such as) )?")
# "annexation of Ukraine's Crimea": the owner is read by the possessive claim form.
_OWNER = r"(?:(?:the )?⟦S\d+⟧'s )?"
# A relative clause's verb says something of the phrase before it only when no object follows.
_NOT_OBJECT = rf"(?! (?:the |a |an |its |their )?(?:⟦T|{_OWNER}⟦T|(?:[\w-]+ )?(?:islands?|islets?|isles|territor)))"
# "under the control of the central government": the state whose government the article named.
_CENTRAL = r"(?P<central>the (?:central|federal|national) government)"
_PASSIVE_GAP = 40  # characters between a territory and the passive verb said of it
# "Japan, in its efforts to regain …", "Japan wants to recover …"
_AIM = (r"(?:in its (?:efforts?|bid|attempts?|push|quest|drive) to |(?:(?:still |also )?(?:seeks?|wants?|hopes?|"
        r"tries|tried|aims?|vowed|vows|pledged|is determined|is trying) to ))")
_FROM = rf"(?: (?:\w+ )?(?:from|in) (?P<lost>{_ONE_STATE}))?"


# The forms each table's rows may name; a row with any other form would never be read.
FORMS = {
    "territory-control": frozenset({"adjective", "passive", "active", "noun", "under", "became", "stationed"}),
    "territory-claim": frozenset({"adjective", "passive", "active", "noun", "within", "regard", "back"}),
    "territory-dispute": frozenset({"over", "of", "adjective", "after", "verb", "quarrel"}),
}
NAMING_USES = frozenset({"", "claim", "continuation"})


def _words(cue: str) -> str:
    return r"\s+".join(re.escape(word) for word in cue.split())


@cache
def _cue_pattern(table: str, form: str) -> str:
    return cues.load(table).pattern(form=form)


@cache
def _forms() -> dict[str, list[tuple[re.Pattern[str], bool]]]:
    """Each kind's compiled forms, with whether a "from <state>" after it names a claimant."""
    out: dict[str, list[tuple[re.Pattern[str], bool]]] = {"control": [], "claim": [], "dispute": []}
    control = cues.load("territory-control")
    for losing in (True, False):
        def c(form: str, losing: bool = losing) -> str:
            rows = [r["cue"] for r in control.rows if r["form"] == form and (r["from"] == "yes") == losing]
            rows.sort(key=lambda cue: (-len(cue), cue))
            return "(?:" + "|".join(_words(r) for r in rows) + ")" if rows else "(?!)"
        out["control"] += [(re.compile(p), losing) for p in (
            rf"(?P<passive>,? (?:which|that) (?:{STATE}|{_PRONOUN}) {AUX}{c('active')}\b){_NOT_OBJECT}{_FROM}",
            rf"(?P<passive>,? {AUX}{c('passive')}) {STATE}{_FROM}",
            rf"(?P<passive>,? where {STATE}(?: marines| soldiers| sailors| police| coastguards?)? {AUX}{c('stationed')})\b",
            rf"(?:{STATE}|{_PRONOUN}|{_ELLIPSIS}),? {AUX}{c('stationed')} (?:(?:[\w-]+|⟦[DL]\d+⟧) ){{0,8}}?(?:on|in) (?P<terr>{PHRASE})",
            rf"(?P<passive>,? {AUX}{c('became')}) (?:(?P<statetok>⟦[SC]\d+⟧) (?:territory|soil|land)|(?:a )?part of {STATE}(?!'))",
            rf"(?P<statetok>⟦[SCO]\d+⟧)-{c('adjective')}\b{_MODS} (?P<terr>{PHRASE}){_FROM}",
            rf"(?:{STATE}|{_PRONOUN}),? (?:(?P<participle>for|after|by|since|when|while|before) )?{AUX}{c('active')} {_OWNER}(?P<terr>{PHRASE}){_FROM}",
            rf"{STATE}'s (?:[\w-]+ )?{c('noun')} (?:of|over|on) {_OWNER}(?P<terr>{PHRASE}){_FROM}",
            rf"(?P<pronoun>\bits) (?:[\w-]+ )?{c('noun')} (?:of|over|on) {_OWNER}(?P<terr>{PHRASE}){_FROM}",
            rf"\b{c('noun')} of {_OWNER}(?P<terr>{PHRASE}) by {STATE}",
        )]
    out["claim"] = [(re.compile(p), False) for p in (
        rf"(?P<passive>,? (?:which|that) (?:{STATES}|{_PRONOUN}) {AUX}{_cue_pattern('territory-claim', 'active')}\b){_NOT_OBJECT}",
        rf"(?P<passive>,? {AUX}{_cue_pattern('territory-claim', 'passive')}) {STATES}",
        rf"(?P<passive>,? where {STATES} (?:also |all |each |both )?(?:have|has|hold|holds|lay|lays|maintain|maintains|press|presses) "
        rf"(?:competing |rival |overlapping |conflicting |territorial |their own |its own )*claims?)\b",
        rf"(?P<statetok>⟦[SCO]\d+⟧)-{_cue_pattern('territory-claim', 'adjective')}\b{_MODS} (?P<terr>{PHRASE})",
        rf"{STATES},? (?:{_AIM}|{AUX}){_cue_pattern('territory-claim', 'active')} {_INCLUDING}(?P<terr>{PHRASE})",
        rf"{STATES},? {AUX}{_cue_pattern('territory-claim', 'regard')} (?P<terr>{PHRASE}) (?:to be )?(?:as )?"
        rf"(?:(?:its own|its|their|their own|part of its|an? (?:integral|inherent|inseparable) part of its|⟦S\d+⟧)"
        rf"(?: own)?(?: inherent| sovereign| integral| national)? (?:territory|land|soil)|"
        rf"(?:an? )?(?:integral |inseparable |inherent )?part of (?:⟦S\d+⟧|its territory))",
        rf"{STATES},? {AUX}{_cue_pattern('territory-claim', 'back')} (?P<terr>{PHRASE}) back\b",
        rf"{STATE}'s (?:[\w-]+ )?{_cue_pattern('territory-claim', 'noun')} (?:to|over|on|of) (?P<terr>{PHRASE})",
        rf"(?P<statetok>⟦S\d+⟧)'s (?:lost |disputed |occupied |own )?(?P<terr>{T_LIST})",
        rf"{STATE} (?:is |has been |was |are |have been )?(?:dealing|locked|embroiled|involved|engaged) (?:with|in) (?:a |an |the )?(?:[\w-]+ ){{0,3}}?(?:dispute|row|conflict) (?:with ⟦[SCO]\d+⟧ )?over (?:the )?(?P<terr>{PHRASE})",
    )]
    dispute = "territory-dispute"
    over = _cue_pattern(dispute, "over")
    parties = rf"(?: (?:with|between) (?P<party1>{_ONE_STATE})(?:,? and (?P<party2>{_ONE_STATE}))?)?"
    out["dispute"] = [(re.compile(p), False) for p in (
        rf"\b{over}{parties} (?:[\w-]+ ){{0,2}}?over (?:the )?(?:(?:sovereignty|ownership|control) of )?(?P<terr>{PHRASE})",
        rf"(?P<terr>{PHRASE}),? (?:at the (?:centre|center|heart) of|central to|the subject of|the focus of) (?:a |an |the )?(?:[\w-]+ ){{0,3}}?{over}{parties}",
        rf"\b{_cue_pattern(dispute, 'of')} of (?:the )?(?P<terr>{PHRASE})",
        rf"\b{_cue_pattern(dispute, 'adjective')} (?:(?:⟦[SCO]\d+⟧-)?[a-z][\w-]* ){{0,2}}?(?P<terr>{PHRASE})",
        rf"(?P<terr>{T_LIST}) {_cue_pattern(dispute, 'after')}\b",
        rf"\b{_cue_pattern(dispute, 'verb')} (?P<terr>{PHRASE})",
        rf"{STATES},? {AUX}{_cue_pattern(dispute, 'quarrel')} (?:[\w-]+ ){{0,3}}?over (?:the )?(?:(?:sovereignty|ownership|control) of )?(?P<terr>{PHRASE})",
    )]
    return out


@cache
def _scoped() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Forms that apply to the territories named before them in the sentence."""
    under = _cue_pattern("territory-control", "under")
    within = _cue_pattern("territory-claim", "within")
    return (re.compile(rf"\bunder (?:(?:{STATE})(?:'s)? |(?:the )?(?:[\w-]+ )?)(?:[\w-]+ ){{0,2}}{under}(?: of (?:{STATE.replace('?P<state>', '?P<state2>')}|{_CENTRAL}))?"),
            re.compile(rf"\bwithin {STATE}'s (?:[\w-]+ ){{0,4}}?{within}\b"))


# -- names ---------------------------------------------------------------------------------
# A name the registry does not know is capitalized words ending the noun phrase: "Western
# aggression" is no name ("what Moscow calls Western aggression").
_NAME = (r"(?:the |its |their )?(?P<name>⟦T\d+⟧|[A-Z][\w'-]*(?: [A-Z][\w'-]*){0,3}"
         r"(?![\w'-]| [A-Z]| (?!(?:in|and|by|to|as|or|for|since|which|that|while|but|are|is|was|were|has|have|"
         r"had|will|would|lies|lie|remain|remains)\b)[a-z]))")
# A place the registry does not know ("in Ruritania") keeps a chain of names going but names
# no state: "known as X in Ruritania and Y in Japan" still gives Japan's name.
_NAME_STATE = rf"(?P<state>{_ONE_STATE}|the (?:[A-Za-z-]+ )?(?:country|nation)|(?:the )?[A-Z][a-z]+)"


def _template(template: str) -> str:
    """A naming template as a regular expression: slots become groups, words match any case."""
    parts = re.split(r"(\{name\}|\{state\}|\{terr\})", template)
    out = []
    for part in parts:
        if part == "{name}":
            out.append(_NAME)
        elif part == "{state}":
            out.append(_NAME_STATE)
        elif part == "{terr}":
            out.append(rf"(?P<terr>{PHRASE})")
        elif part:
            out.append("".join(f"(?i:{re.escape(ch)})" if ch.isalpha() else
                               (r"\s+" if ch == " " else re.escape(ch)) for ch in part))
    return "".join(out)


def _stems(template: str) -> list[str]:
    """The template without its first words, up to its first slot ("and B calls Y")."""
    words = template.split(" ")
    first_slot = next((i for i, w in enumerate(words) if "{" in w), 0)
    return [" ".join(words[k:]) for k in range(1, first_slot + 1)]


@cache
def _naming() -> tuple[list[tuple[re.Pattern[str], str]], re.Pattern[str]]:
    table = cues.load("territory-naming")
    main = [(re.compile(_template(row["cue"])), row["use"]) for row in table.rows
            if row["use"] != "continuation"]
    stems = {stem for row in table.rows for stem in ([row["cue"]] if row["use"] == "continuation"
                                                      else _stems(row["cue"]))}
    alternatives = sorted(stems, key=len, reverse=True)
    compiled = "|".join(f"(?P<alt{i}>{_rename(_template(s), i)})" for i, s in enumerate(alternatives))
    return main, re.compile(rf"^,? and (?:{compiled})")


def _rename(pattern: str, i: int) -> str:
    return re.sub(r"\?P<(\w+)>", lambda m: f"?P<{m.group(1)}_{i}>", pattern)


@dataclass
class _Territory:
    controllers: dict[str, list[Span]] = field(default_factory=dict)
    claimants: dict[str, list[Span]] = field(default_factory=dict)
    disputes: list[Span] = field(default_factory=list)
    parties: set[str] = field(default_factory=set)
    names: dict[tuple[str, str], list[Span]] = field(default_factory=dict)


class _Reader:
    """Reads one article's sentences into per-territory records."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.discourse = TerritoryDiscourse(context.registry, context.views)
        self.found: dict[str, _Territory] = {}

    def record(self, terr: str) -> _Territory:
        return self.found.setdefault(self.discourse.canonical(terr), _Territory())

    # -- slots ---------------------------------------------------------------------------
    def state_at(self, view: SentenceView, masked: str, m: re.Match[str], group: str = "state") -> str | None:
        """The state of a match: its token, or for "it" / "the country" the state named last before."""
        groups = m.groupdict()
        text = groups.get(group) or groups.get("statetok")
        if text:
            token = re.search(r"⟦[A-Z]\d+⟧", text)
            if token:
                return self.context.as_state(view.mention(token.group(0)))
            if re.match(r"the ", text):  # "the Asian country"
                return self.state_before(view, masked, m.start(group))
        if groups.get("pronoun"):
            return self.state_before(view, masked, m.start("pronoun"))
        if groups.get("ellipsis"):
            return self.elliptic(groups["ellipsis"])
        return None

    def elliptic(self, text: str) -> str | None:
        """"The South" for the one state "South …" the article names (South Korea, South Sudan)."""
        word = text.split()[-1]
        found = {s for s in self.context.main_states()
                 if (e := self.context.registry.get(s)) is not None and e.label.startswith(word + " ")}
        return found.pop() if len(found) == 1 else None

    def states_at(self, view: SentenceView, masked: str, m: re.Match[str]) -> list[str]:
        """Every state of "claimed by A, B and C"; else the one state of the match."""
        if m.groupdict().get("states"):
            found = (self.context.as_state(x) for x in view.tokens(m.group("states")))
            return list(dict.fromkeys(s for s in found if s))
        if m.groupdict().get("both"):  # today's states, not the Soviet Union of a history paragraph
            main = [s for s in self.context.main_states()
                    if (e := self.context.registry.get(s)) is not None and not e.historical]
            return main[:2] if len(main) >= 2 else []
        state = self.state_at(view, masked, m)
        return [state] if state else []

    def government_before(self, view: SentenceView) -> str | None:
        """The state of the last "<state> government" named up to this sentence."""
        for earlier in reversed(self.context.views[: view.sentence.index + 1]):
            named = re.findall(r"(⟦[SC]\d+⟧) government\b", earlier.unquoted)
            if named:
                return self.context.as_state(earlier.mention(named[-1]))
        return None

    def state_before(self, view: SentenceView, masked: str, at: int) -> str | None:
        for mention in reversed(view.tokens(masked[:at])):
            state = self.context.as_state(mention)
            if state is not None:
                return state
        index = view.sentence.index
        if index > 0:
            for mention in reversed(self.context.views[index - 1].mentions):
                state = self.context.as_state(mention)
                if state is not None:
                    return state
        return None

    def territories(self, view: SentenceView, masked: str, m: re.Match[str], group: str = "terr") -> list[str]:
        if m.groupdict().get("passive"):
            return self.subject(view, masked, m.start())
        return self.discourse.resolve(view, masked, m.start(group), m.end(group))

    def subject(self, view: SentenceView, masked: str, at: int) -> list[str]:
        """The territory a passive verb is said of: the phrase just before it ("islands, known
        as …, that were seized by …"), a few words back at most."""
        phrases = list(re.finditer(PHRASE, masked[:at]))
        if not phrases:
            return []
        last = phrases[-1]
        gap = masked[last.end():at]
        if len(gap) > _PASSIVE_GAP or "⟦P" in gap:
            return []
        return self.discourse.resolve(view, masked, last.start(), last.end())

    def before(self, view: SentenceView, masked: str, at: int) -> list[str]:
        """Every territory a phrase names before ``at`` in the sentence ("A, part of B under …")."""
        named = [m.entity for m in view.tokens(masked[:at]) if m.letter == "T" and m.entity]
        if named:
            return list(dict.fromkeys(self.discourse.canonical(t) for t in named))
        begin, _ = clause_bounds(masked, at)
        phrases = list(re.finditer(PHRASE, masked[begin:at]))
        if not phrases:
            phrases = list(re.finditer(PHRASE, masked[:at]))
            begin = 0
        if not phrases:
            return []
        last = phrases[-1]
        return self.discourse.resolve(view, masked, begin + last.start(), begin + last.end())

    # -- reading -------------------------------------------------------------------------
    def read(self) -> None:
        for view in self.context.views:
            self.names(view)
        for view in self.context.views:
            masked, span = view.unquoted, self.context.span(view)
            claimed: list[tuple[int, int]] = []
            for pattern, losing in _forms()["control"]:
                for m in pattern.finditer(masked):
                    state = self.state_at(view, masked, m)
                    if state is None and m.groupdict().get("participle"):
                        # "Russia, suspended from the G8 after annexing Crimea": the clause's subject
                        state = self.state_before(view, masked, m.start("participle"))
                    for terr in self.territories(view, masked, m):
                        if state:
                            self.record(terr).controllers.setdefault(state, []).append(span)
                        lost = self.state_at(view, masked, m, "lost") if losing and m.group("lost") else None
                        if lost and lost != state:
                            self.record(terr).claimants.setdefault(lost, []).append(span)
            under, within = _scoped()
            for m in under.finditer(masked):
                state = self.state_at(view, masked, m) if m.group("state") else (
                    self.state_at(view, masked, m, "state2") if m.group("state2") else
                    self.government_before(view) if m.group("central") else None)
                if state is not None:
                    for terr in self.before(view, masked, m.start()):
                        self.record(terr).controllers.setdefault(state, []).append(span)
            for pattern, _ in _forms()["claim"]:
                for m in pattern.finditer(masked):
                    claimed.append(m.span())
                    for state in self.states_at(view, masked, m):
                        for terr in self.territories(view, masked, m):
                            self.record(terr).claimants.setdefault(state, []).append(span)
            for m in within.finditer(masked):
                state = self.state_at(view, masked, m)
                if state is not None:
                    for terr in self.before(view, masked, m.start()):
                        self.record(terr).claimants.setdefault(state, []).append(span)
            for pattern, _ in _forms()["dispute"]:
                for m in pattern.finditer(masked):
                    if any(b < m.end() and m.start() < e for b, e in claimed):
                        continue  # the dispute a claim is stated through ("dealing with a dispute over")
                    parties = {p for g in ("party1", "party2") if m.groupdict().get(g)
                               and (p := self.state_at(view, masked, m, g))}
                    if m.groupdict().get("states") or m.groupdict().get("both"):
                        parties |= set(self.states_at(view, masked, m))
                    for terr in self.territories(view, masked, m):
                        record = self.record(terr)
                        record.disputes.append(span)
                        record.parties |= parties

    def names(self, view: SentenceView) -> None:
        masked, span = view.unquoted, self.context.span(view)
        main, continuation = _naming()
        for pattern, use in main:
            for m in pattern.finditer(masked):
                chain: list[tuple[re.Match[str], str, int]] = [(m, "", 0)]
                end = m.end()
                while (more := continuation.match(masked[end:])) is not None:
                    suffix = next(k[len("name"):] for k, v in more.groupdict().items()
                                  if k.startswith("name_") and v)
                    chain.append((more, suffix, end))
                    end += more.end()
                self.name_chain(view, masked, m.start(), chain, span, use)

    def name_chain(self, view: SentenceView, masked: str, begin: int,
                   chain: list[tuple[re.Match[str], str, int]], span: Span, use: str) -> None:
        """One naming construction and its "and …" continuations: names of one territory."""
        entries: list[tuple[str | None, str, str | None]] = []  # (state, name, territory from name)
        terr: list[str] = []
        for m, suffix, shift in chain:
            name_text = m.group("name" + suffix)
            state = self._state_of(view, masked, m, "state" + suffix, shift)
            named: str | None = None
            token = re.fullmatch(r"⟦T\d+⟧", name_text)
            if token:
                mention = view.mention(name_text)
                named, surface = mention.entity, mention.surface
            else:
                surface = name_text
            entries.append((state, surface, named))
            terr_group = "terr" + suffix
            if terr_group in m.groupdict() and m.group(terr_group):
                terr = self.discourse.resolve(view, masked, shift + m.start(terr_group), shift + m.end(terr_group))
        named_ids = [n for _, _, n in entries if n]
        target: str | None = None
        if named_ids:
            target = named_ids[0]
            for other in named_ids[1:]:
                target = self.discourse.equate(target, other)
            # "the Kuril Islands, which Japan calls the Northern Territories": one referent too
            antecedent = re.search(r"(⟦T\d+⟧),? (?:(?:which|that) )?$", masked[:begin])
            if antecedent and (known := view.mention(antecedent.group(1)).entity):
                target = self.discourse.equate(known, target)
            target = self.discourse.canonical(target)
        elif terr:
            target = terr[0]
        else:
            found = self.before(view, masked, begin)
            target = found[0] if found else None
        if target is None:
            return
        record = self.record(target)
        for state, surface, _ in entries:
            if state:
                record.names.setdefault((state, surface), []).append(span)
                if use == "claim":
                    record.claimants.setdefault(state, []).append(span)

    def _state_of(self, view: SentenceView, masked: str, m: re.Match[str], group: str, shift: int) -> str | None:
        text = m.group(group)
        if not text:
            return None
        token = re.search(r"⟦[A-Z]\d+⟧", text)
        if token:
            return self.context.as_state(view.mention(token.group(0)))
        if re.search(r"\b(?:country|nation)$", text):
            return self.state_before(view, masked, shift + m.start(group))
        return None


def extract(context: Context) -> None:
    reader = _Reader(context)
    reader.read()
    _emit(context, reader.found)


def _emit(context: Context, found: dict[str, _Territory]) -> None:
    facts = context.facts
    mentioned = set(context.main_states())
    for terr, record in found.items():
        entity = context.registry.get(terr)
        for state, spans in record.controllers.items():
            facts.territory_statements.append(TerritoryStatement(terr, "controlledBy", state, _unique(spans)))
        claimants = {s: v for s, v in record.claimants.items() if s not in record.controllers}
        if not claimants and record.disputes:
            parties = set(record.parties)
            if entity is not None:
                parties |= {p for p in entity.disputed_by if p in mentioned}
            for party in sorted(parties - set(record.controllers)):
                claimants[party] = record.disputes
        for state, spans in claimants.items():
            facts.territory_statements.append(TerritoryStatement(terr, "claimedBy", state, _unique(spans)))
        for (state, name), spans in record.names.items():
            facts.territory_names.append(TerritoryName(terr, state, name, _unique(spans)))


def _unique(spans: list[Span]) -> list[Span]:
    return sorted(set(spans))
