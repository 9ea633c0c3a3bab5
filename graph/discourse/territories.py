"""Territory discourse: which territories a phrase such as "the islands", "these islets" or
"A, B and C islands" stands for.

The territory rules (``graph.rules.territories``) find *where* a claim, a control or a name is
stated; this module says *what* it is stated about, because news rarely repeats a territory's
name: it writes "the islands", "the isles", "the shoal", "them".  The readings:

* a phrase naming territories gives each of them: "Iturup, Kunashir and Shikotan islands" is
  three islands, "the Habomai islet group" one;
* a group before an apposition gives its members too: "A and B, two of the four X-held
  islands" states the holding of A, of B and of the four islands;
* an anaphoric noun ("the islands", "the island", "the shoal", "the territory", "them") means a
  territory of a compatible kind named in the same sentence, else the one the article named
  last before it, else the first it names after it (a headline's "disputed islands" named in
  the next sentence);  "the islands" after several islands of one group is the group, while
  "these islands" points back at the islands just listed;
* a name construction that gives two registry territories as names of one referent ("what A
  calls the Kurils and B calls the Northern Territories") makes the broader one stand for the
  narrower one for the rest of the article (``equate``).
"""

from __future__ import annotations

import re

from dipkg.graph.mentions import SentenceView
from dipkg.graph.registry import Entity, Registry

T_TOKEN = r"⟦T\d+⟧"
_HEAD_AFTER_T = (r"(?: (?:islands?|islets?|isles?|islet group|island group|island chain|group|"
                 r"archipelago|region|peninsula|Peninsula|shoal|reef|atoll))?")
# A list of named territories: "⟦T1⟧, ⟦T2⟧, ⟦T3⟧ islands and the ⟦T4⟧ islet group".  Later
# elements may be a short description ending in the name ("a number of small islands of the
# ridge called the ⟦T4⟧").
_ELEMENT_LEAD = r"(?:(?:the|a|an|of|[a-z-]+|[A-Z][a-z]+|⟦L\d+⟧) ){0,14}?"
# "the islands of Iturup and Kunashir" names the islands themselves.
_OF = r"(?:(?:islands?|islets?|isles?|region|peninsula|territory|territories|archipelago) of )?"
T_LIST = (rf"(?:the )?{_OF}{T_TOKEN}{_HEAD_AFTER_T}"
          rf"(?:(?:,| and|, and) {_ELEMENT_LEAD}{T_TOKEN}{_HEAD_AFTER_T})*")
_ISLAND_HEADS = ("islands", "isles", "islets", "islet chain", "island chain", "islet group",
                 "island group", "archipelago", "island", "islet", "isle")
_OTHER_HEADS = ("shoal", "reef", "atoll", "peninsula", "territory", "territories", "region")
_HEAD = "(?:" + "|".join(sorted(_ISLAND_HEADS + _OTHER_HEADS, key=len, reverse=True)) + ")"
# An anaphoric territory phrase: determiners and modifiers, then a head noun.
ANAPHOR = (r"(?:(?:the|these|those|all|a group of|a chain of|two|three|four|five|several|some|"
           r"all four|both) )*(?:(?:[a-z][\w-]*|⟦[LS]\d+⟧(?:-[a-z]+)?|[A-Z][a-z]+)(?:,)? ){0,3}?"
           rf"{_HEAD}\b(?!'s)(?: off (?:the coast of )?⟦[LCS]\d+⟧)?")
PHRASE = rf"(?:{T_LIST}|{ANAPHOR}|them|they|it)"
# "A and B, two of the four …": the members listed before an apposition.
_APPOSED = re.compile(rf"((?:{T_TOKEN}{_HEAD_AFTER_T}(?:,| and|, and) )*{T_TOKEN}{_HEAD_AFTER_T}),"
                      r" (?:one|two|three|four|both|all|each|some|part) of (?:the )?(?:[\w⟦⟧-]+ ){0,3}$")
_PLURAL = re.compile(r"\b(?:islands|isles|islets|territories|archipelago|islet group|island group|"
                     r"islet chain|island chain|them|they)\b")
_DEMONSTRATIVE = re.compile(r"^(?:these|those)\b")


class TerritoryDiscourse:
    """Reads the territories a phrase refers to, for the sentences of one article."""

    def __init__(self, registry: Registry, views: list[SentenceView]) -> None:
        self.registry = registry
        self.views = views
        self.equivalent: dict[str, str] = {}
        # (sentence index, territory) for every territory mention of the article, in order
        self.named: list[tuple[int, str]] = [
            (view.sentence.index, m.entity) for view in views for m in view.mentions
            if m.letter == "T" and m.entity]
        # the last sentence before each index that lists two or more territories
        self.lists: dict[int, list[str]] = {}
        for view in views:
            here = list(dict.fromkeys(m.entity for m in view.mentions if m.letter == "T" and m.entity))
            if len(here) >= 2:
                self.lists[view.sentence.index] = here

    # -- equivalence -------------------------------------------------------------------
    def equate(self, first: str, second: str) -> str:
        """Two names of one referent: the narrower territory stands for both from now on."""
        broad, narrow = (first, second) if self.part_of(second, first) else (second, first)
        if self.part_of(narrow, broad) and narrow != broad:
            self.equivalent[broad] = narrow
            return narrow
        return first

    def canonical(self, entity_id: str) -> str:
        return self.equivalent.get(entity_id, entity_id)

    def part_of(self, part: str, whole: str) -> bool:
        entity = self.registry.get(part)
        seen: set[str] = set()
        while entity is not None and entity.part_of and entity.id not in seen:
            seen.add(entity.id)
            if entity.part_of == whole:
                return True
            entity = self.registry.get(entity.part_of)
        return False

    # -- resolution --------------------------------------------------------------------
    def resolve(self, view: SentenceView, masked: str, begin: int, end: int) -> list[str]:
        """The territories that ``masked[begin:end]`` (a territory slot) refers to."""
        phrase = masked[begin:end]
        tokens = [m.entity for m in view.tokens(phrase) if m.letter == "T" and m.entity]
        if tokens and re.fullmatch(T_LIST, phrase):
            return self._unique(tokens)
        apposed = _APPOSED.search(masked[:begin])
        members = [m.entity for m in view.tokens(apposed.group(1))
                   if m.letter == "T" and m.entity] if apposed else []
        if tokens:  # a phrase that names one territory among modifiers ("the ⟦T1⟧ region of …")
            return self._unique(members + tokens[:1])
        found = self._anaphor(view, phrase.lower(), begin)
        return self._unique(members + found)

    def _unique(self, ids: list[str]) -> list[str]:
        return list(dict.fromkeys(self.canonical(i) for i in ids))

    def _anaphor(self, view: SentenceView, phrase: str, at: int) -> list[str]:
        index = view.sentence.index
        plural = bool(_PLURAL.search(phrase))
        if _DEMONSTRATIVE.match(phrase) and plural:
            listed = [i for i in sorted(self.lists) if i < index]
            fitting = [t for t in self.lists[listed[-1]] if self._fits(t, phrase, plural)] if listed else []
            if fitting:
                return fitting
        here = [m.entity for m in view.mentions if m.letter == "T" and m.entity
                and self._fits(m.entity, phrase, plural)]
        if here:
            groups = {self._group_of(t) for t in here}
            if plural and len(set(here)) >= 2 and len(groups) == 1 and None not in groups:
                return [groups.pop() or here[0]]  # "all four islands, A, B, C and D": their group
            return [here[0]]
        named = [(i, t) for i, t in self.named if self._fits(t, phrase, plural)]
        if not named:
            return []
        before = [t for i, t in named if i < index]
        target = before[-1] if before else named[0][1]
        return [self._group(target) if plural else target]

    def _group(self, entity_id: str) -> str:
        """"The islands" after "A, B, C and D" mean the group several named islands belong to."""
        parent = self._group_of(entity_id)
        if parent is None:
            return entity_id
        siblings = {t for _, t in self.named if self._group_of(t) == parent}
        return parent if len(siblings) >= 2 else entity_id

    def _group_of(self, entity_id: str | None) -> str | None:
        entity = self.registry.get(entity_id)
        parent = self.registry.get(entity.part_of) if entity is not None else None
        return parent.id if parent is not None and parent.island_group else None

    def _fits(self, entity_id: str, phrase: str, plural: bool) -> bool:
        """Whether a territory is of the kind the phrase's head noun names."""
        entity = self.registry.get(self.canonical(entity_id))
        if entity is None:
            return False
        if any(re.search(rf"\b{h}\b", phrase) for h in _ISLAND_HEADS):
            return self.is_island(entity)
        for head in ("shoal", "reef", "atoll", "peninsula"):
            if re.search(rf"\b{head}\b", phrase):
                return any(head in name.lower() for name in (entity.label, *entity.aliases))
        return True

    def is_island(self, entity: Entity) -> bool:
        if entity.island_group:
            return True
        parent = self.registry.get(entity.part_of)
        if parent is not None and parent.island_group:
            return True
        names = " ".join((entity.label, *entity.aliases)).lower()
        return any(re.search(rf"\b{h}\b", names) for h in ("island", "islands", "islets", "isles",
                                                             "atoll", "archipelago"))
