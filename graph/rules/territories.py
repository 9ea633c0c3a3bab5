"""Territories: who claims them, who holds them, and the name each state uses.

Cues, read from what the text says (never from the registry alone):

* control — "Russia-held islands", "under Russian control", "belong to Russia", "occupied by
  the Soviet Union and then Russia" (the last holder), "Russia's annexation of Crimea";
* claim — "claimed by Japan", "Ukraine's Crimea" (possessive, unless that state holds it),
  "Japan's lost Northern Territories", "Japan, in its efforts to regain the islands",
  "Japan's position on the Senkaku Islands issue", "Japan is dealing with a dispute over …";
* an unattributed dispute ("the dispute over the Kuril Islands", "the four disputed islands")
  names a claim without its claimant: when the text says who holds the territory, the
  claimants are the other parties the registry knows for that dispute;
* names — "known to Tokyo as the Northern Territories", "Moscow calls them the Southern
  Kurils", "which Japan calls …", "known as … in Japan", "…, where they are known as …".

"The islands", "the four disputed islands", "a group of islands off Hokkaido" refer to a
named territory of the same sentence, else to the island territory the article names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.facts import Span, TerritoryName, TerritoryStatement
from graph.mentions import SentenceView
from graph.rules.common import Context, tok

_T = tok("T")
_S = tok("SCO")
_ISLANDS = r"(?:a group of |the |all |four |two |three |these )*(?:(?:disputed|contested|four|two|Russian-held|Russia-held|Japanese-held|southern|northern) )*islands(?: off ⟦L\d+⟧)?"
_TERR = rf"(?:(?:the )?{_T}(?: islands?| region| peninsula| Peninsula)?|{_ISLANDS}|{tok('S')}-held {_ISLANDS}|the territory|them|they|it)"

CONTROL = [
    rf"(?P<state>{tok('S')})-(?:held|controlled|occupied) (?P<terr>{_ISLANDS}|{_T})",
    rf"(?P<terr>{_TERR}),? (?:that are |which are |which is |are |is )?(?:currently |now )?(?:held|controlled|administered) by (?:the )?(?P<state>{_S})",
    rf"(?P<terr>{_TERR}),? (?:that |which )?(?:currently |now )?belongs? to (?P<state>{_S})",
    rf"(?P<terr>{_TERR}).{{0,60}}?occupied by (?:the )?(?:{_S} and (?:then |later )?)?(?:the )?(?P<state>{_S})",
    rf"(?P<state>{_S})'s (?:seizure and )?annexation of (?:{tok('S')}'s )?(?P<terr>{_TERR})",
    rf"(?P<state>{_S}) (?:for )?annex(?:ed|ing|es) (?:{tok('S')}'s )?(?P<terr>{_TERR})",
    rf"annexation of (?:{tok('S')}'s )?(?P<terr>{_TERR}) by (?P<state>{_S})",
    rf"(?P<state>{_S})'s (?:control|hold|grip) (?:over|on|of) (?P<terr>{_TERR})",
    rf"(?P<state>{_S}) (?:has |have |had |still )?(?:controlled|controls|held|holds|occupied|occupies|administered|administers) (?P<terr>{_TERR})",
]
# "under Russian control" applies to every territory named before it in the sentence.
UNDER = re.compile(rf"under (?P<state>{tok('S')}) (?:control|rule|administration)", re.IGNORECASE)
CLAIM = [
    rf"(?P<terr>{_TERR}),? (?:that are |which are |which is |are |is )?claimed by (?P<state>{_S})",
    rf"(?P<state>{_S}) (?:still )?claims (?P<terr>{_TERR})",
    rf"(?P<state>{_S})'s claims? (?:to|over|on) (?P<terr>{_TERR})",
    rf"(?P<state>{tok('S')})'s (?:lost |disputed |occupied )?(?P<terr>{_T})",
    rf"(?P<state>{_S}),? (?:in its (?:efforts?|bid|attempts?|push) to |(?:seeks?|wants?|hopes?|tries|tried) to )?(?:regain|recover|reclaim|retake|get back) (?P<terr>{_TERR})",
    rf"annex(?:ed|ing|ation of) (?:the )?(?P<terr>{_T}) from (?P<state>{_S})",
    rf"(?P<state>{_S})'s position on (?:the )?(?P<terr>{_T}) (?:issue|dispute|question)",
    rf"(?P<state>{_S}) (?:is |has been |was )?(?:dealing|locked|embroiled|involved) (?:with|in) (?:a |an |the )?(?:\w+ ){{0,3}}dispute (?:with {tok('S')} )?over (?P<terr>{_TERR})",
]
DISPUTE = [
    rf"dispute (?:with {tok('S')} )?over (?P<terr>{_TERR})",
    rf"(?:disputed|contested) (?P<terr>{_TERR})",
    rf"(?P<terr>{_T}) (?:dispute|issue|question|row)",
    rf"(?:recover|regain|reclaim|return of|get back) (?P<terr>{_TERR})",
]
NAMES = [
    rf"(?P<terr>{_TERR}),? known to (?P<state>{_S}) as (?:the )?(?P<name>{_T})",
    rf"known to (?P<state>{_S}) as (?:the )?(?P<name>{_T})",
    rf"known as (?:the )?(?P<name>{_T}) in (?P<state>{_S})",
    rf"known in (?P<state>{_S}) as (?:the )?(?P<name>{_T})",
    rf"known in {_S} as (?:the )?{_T},? and in (?P<state>{_S}) as (?:the )?(?P<name>{_T})",
    rf"(?:which|that|what) (?P<state>{_S}) calls? (?:the )?(?P<name>{_T})",
    rf"(?P<state>{_S}),? which calls? (?:them|it|the islands) (?:the )?(?P<name>{_T})",
    rf"(?P<state>{_S}) calls? (?:them|it|the islands|the territory) (?:the )?(?P<name>{_T})",
    rf"(?P<state>{_S}), where (?:they|it) (?:are|is) (?:known|called) (?:as )?(?:the )?(?P<name>{_T})",
    rf"called (?:the )?(?P<name>{_T}) by (?P<state>{_S})",
    rf"called (?:the )?{_T} by {_S},? and (?:the )?(?P<name>{_T}) by (?P<state>{_S})",
]
# Case-insensitive: a cue may open the sentence ("Known as the Northern Territories in Japan, …").
_COMPILED = {kind: [re.compile(p, re.IGNORECASE) for p in pats]
             for kind, pats in (("control", CONTROL), ("claim", CLAIM), ("dispute", DISPUTE),
                                ("name", NAMES))}


@dataclass
class _Territory:
    controllers: dict[str, list[Span]] = field(default_factory=dict)
    claimants: dict[str, list[Span]] = field(default_factory=dict)
    disputes: list[Span] = field(default_factory=list)
    names: dict[tuple[str, str], list[Span]] = field(default_factory=dict)


class _Resolver:
    """Which territory "the islands", "them", "it" mean in a sentence."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.named: list[tuple[int, str]] = []
        for view in context.views:
            for m in view.mentions:
                entity = context.entity(m)
                if entity is not None and entity.letter == "T":
                    self.named.append((view.sentence.index, entity.id))

    def resolve(self, view: SentenceView, text: str) -> str | None:
        own = re.search(_T, text)
        if own:
            return view.mention(own.group(0)).entity
        islands = "island" in text
        here = [m.entity for m in view.mentions if m.letter == "T" and m.entity
                and (not islands or self._island(m.entity))]
        if islands and len(set(here)) >= 2:
            parents = {self._parent(t) for t in here}
            if len(parents) == 1 and None not in parents:
                return parents.pop()  # "all four islands, Etorofu, Kunashiri, …": their group
        if here:
            return here[0]
        named = [(i, self._group(t) if islands else t) for i, t in self.named
                 if not islands or self._island(t)]
        if not named:
            return None
        index = view.sentence.index
        before = [t for i, t in named if i <= index]
        return before[-1] if before else named[0][1]

    def _group(self, entity_id: str) -> str:
        """"The islands" after "Iturup, Kunashir, Shikotan and Habomai" mean the group that
        several of the named islands are part of."""
        registry = self.context.registry
        entity = registry.get(entity_id)
        parent = registry.get(entity.part_of) if entity is not None else None
        if parent is None:
            return entity_id
        siblings = {t for _, t in self.named if (e := registry.get(t)) is not None and e.part_of == parent.id}
        return parent.id if len(siblings) >= 2 else entity_id

    def _parent(self, entity_id: str | None) -> str | None:
        entity = self.context.registry.get(entity_id)
        parent = self.context.registry.get(entity.part_of) if entity is not None else None
        return parent.id if parent is not None and parent.island_group else None

    def _island(self, entity_id: str) -> bool:
        entity = self.context.registry.get(entity_id)
        if entity is None:
            return False
        parent = self.context.registry.get(entity.part_of)
        return entity.island_group or (parent is not None and parent.island_group)


def _state(context: Context, view: SentenceView, token: str) -> str | None:
    return context.as_state(view.mention(token))


def extract(context: Context) -> None:
    resolver = _Resolver(context)
    found: dict[str, _Territory] = {}

    def slot(terr: str | None) -> _Territory | None:
        return found.setdefault(terr, _Territory()) if terr else None

    for view in context.views:
        masked, span = view.unquoted, context.span(view)
        for pattern in _COMPILED["control"]:
            for m in pattern.finditer(masked):
                state, record = _state(context, view, m.group("state")), slot(resolver.resolve(view, m.group("terr")))
                if state and record is not None:
                    record.controllers.setdefault(state, []).append(span)
        for m in UNDER.finditer(masked):
            state = _state(context, view, m.group("state"))
            targets = [x.entity for x in view.tokens(masked[: m.start()]) if x.letter == "T"]
            if not targets and re.search(_ISLANDS, masked[: m.start()]):
                targets = [resolver.resolve(view, "islands")]
            for terr in targets:
                record = slot(terr)
                if state and record is not None:
                    record.controllers.setdefault(state, []).append(span)
        for pattern in _COMPILED["claim"]:
            for m in pattern.finditer(masked):
                state, record = _state(context, view, m.group("state")), slot(resolver.resolve(view, m.group("terr")))
                if state and record is not None:
                    record.claimants.setdefault(state, []).append(span)
        for pattern in _COMPILED["dispute"]:
            for m in pattern.finditer(masked):
                record = slot(resolver.resolve(view, m.group("terr")))
                if record is not None:
                    record.disputes.append(span)
        for pattern in _COMPILED["name"]:
            for m in pattern.finditer(masked):
                name_mention = view.mention(m.group("name"))
                state = _state(context, view, m.group("state"))
                terr = name_mention.entity
                record = slot(terr)
                if state and record is not None:
                    record.names.setdefault((state, name_mention.surface), []).append(span)
    _emit(context, found)


def _emit(context: Context, found: dict[str, _Territory]) -> None:
    facts = context.facts
    for terr, record in found.items():
        entity = context.registry.get(terr)
        for state, spans in record.controllers.items():
            facts.territory_statements.append(TerritoryStatement(terr, "controlledBy", state, _unique(spans)))
        claimants = {s: v for s, v in record.claimants.items() if s not in record.controllers}
        if not claimants and record.disputes and record.controllers and entity is not None:
            for party in entity.disputed_by:
                if party not in record.controllers:
                    claimants[party] = record.disputes
        for state, spans in claimants.items():
            facts.territory_statements.append(TerritoryStatement(terr, "claimedBy", state, _unique(spans)))
        for (state, name), spans in record.names.items():
            facts.territory_names.append(TerritoryName(terr, state, name, _unique(spans)))


def _unique(spans: list[Span]) -> list[Span]:
    return sorted(set(spans))
