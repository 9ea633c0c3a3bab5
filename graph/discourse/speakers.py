"""Speakers: who the subject of a reporting clause is, and who "he", "it", "the ministry" mean.

News names a speaker once and then refers back to it: "the foreign ministry said in a
statement … the ministry added … It accused …", "Suga told reporters … he said".  This module
reads those references for the quote rule, article by article, in text order:

* a name (person, state, organization; a capital stands for its state) is the speaker itself,
  except a news medium named as the source ("according to Kyodo"): agencies and newspapers
  report what others said (``ontology/cues/quote-media.tsv`` and registry ``kind = "media"``);
  a paper that "said" something in its own editorial is the speaker of those words;
* "he"/"she" keep their own antecedent: a person of a compatible gender, looked for sentence by
  sentence backwards, the one who spoke in that sentence first, else its subject (the first
  person it names).  The previous quote's speaker is only the answer when it is that person;
* "it" is the institution or state that spoke last (a person is never "it"), else the state or
  body the sentence before is about;
* lower-case noun phrases (``ontology/cues/quote-referents.tsv``): "the ministry" is the body
  named last with that head noun, else the registry body of that kind for the state that spoke
  last; "the government" is the state that spoke last; "the statement" is whoever issued the
  statement last mentioned; "the two leaders", "they" are several speakers at once, which no
  quote has;
* a title for a person ("the Russian leader", "the premier", "the Kremlin spokesman") is the
  person named before who holds it, for the state the phrase names; nobody if none was named;
* an acronym in brackets after a speaker ("the department (DFA)") names it from then on.

Who spoke in which sentence is recorded as the rule goes (``note``), so that each reference is
resolved against what came before it only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from dipkg.graph.cues import load
from dipkg.graph.lexicon import FEMALE_PRONOUNS
from dipkg.graph.mentions import Mention, SentenceView
from dipkg.graph.registry import Entity
from dipkg.graph.rules.common import Context

SPEAKER_LETTERS = ("P", "O", "S", "C")
_PREPOSITIONS = frozenset({"of", "with", "to", "by", "in", "at", "on", "for", "from", "about",
                           "against", "over", "between", "among", "than", "like", "as"})
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Dr)\.? ([A-Z][\w-]+)$")


@dataclass(frozen=True)
class Referent:
    """What the subject of a reporting clause refers to.

    ``entity`` is the speaker when one is known; ``joint`` marks several speakers at once;
    ``document`` marks a statement or report standing in for whoever issued it (a weak
    attribution: a person named in the same sentence is the better speaker).
    """

    entity: str | None
    joint: bool = False
    document: bool = False


NOBODY = Referent(None)
JOINT = Referent(None, joint=True)


@cache
def _referent_cues() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    table = load("quote-referents")
    meaning = {row["cue"].lower(): (row["refers"], row.get("label", "")) for row in table.rows}
    words = "|".join(r"\s+".join(map(re.escape, cue.split())) for cue in table.cues())
    # "the (Russian) foreign ministry", "the department", "both leaders", "they"
    pattern = re.compile(rf"(?:(?:the|a|its|their)\s+)?(?:[a-z]+\s+)?(?P<cue>{words})\s*(?:\([A-Z]{{2,6}}\)\s*)?$",
                         re.IGNORECASE)
    return pattern, meaning


@cache
def _media() -> tuple[frozenset[str], tuple[str, ...]]:
    table = load("quote-media")
    names = frozenset(c.lower() for c in table.cues(kind="name"))
    return names, table.cues(kind="head")


def is_media(entity: Entity | None, surface: str = "") -> bool:
    """A news agency or newspaper: as a source ("according to Kyodo", a dateline's "(Reuters)")
    it reports what others said and is not their speaker."""
    names, heads = _media()
    if entity is not None and entity.kind == "media":
        return True
    forms = [surface] if entity is None else [surface, entity.label, *entity.aliases]
    for form in filter(None, forms):
        if form.lower() in names or ((entity is None or entity.letter == "O") and form.split()[-1] in heads):
            return True
    return False


@dataclass
class Speakers:
    """Per article: who spoke in each sentence, statements and acronyms, for later references."""

    context: Context
    spoke: dict[int, list[str]] = field(default_factory=dict)
    statements: list[tuple[int, str]] = field(default_factory=list)
    acronyms: dict[str, str] = field(default_factory=dict)

    # -- recording ------------------------------------------------------------------------
    def note(self, index: int, entity: str | None) -> None:
        """``entity`` spoke in sentence ``index`` (a reporting clause or a quote)."""
        if entity is not None and entity not in self.spoke.setdefault(index, []):
            self.spoke[index].append(entity)

    def note_statement(self, index: int, author: str) -> None:
        self.statements.append((index, author))

    def note_acronym(self, acronym: str, entity: str) -> None:
        self.acronyms.setdefault(acronym, entity)

    # -- entities -------------------------------------------------------------------------
    def entity(self, entity_id: str | None) -> Entity | None:
        return self.context.registry.get(entity_id)

    def speaker_of_mention(self, mention: Mention, source: bool = False) -> str | None:
        """The speaker a name stands for: a capital stands for its state.  As a ``source``
        ("according to Kyodo") a news medium is nobody: it reports what others said; as the
        subject of "said" it is a speaker (an editorial's words are the paper's own)."""
        entity = self.context.entity(mention)
        if entity is None or (source and is_media(entity, mention.surface)):
            return None
        if entity.letter == "C":
            return self.context.as_state(mention)
        return entity.id if entity.letter in SPEAKER_LETTERS else None

    def _is_person(self, entity_id: str | None) -> bool:
        entity = self.entity(entity_id)
        return entity is not None and entity.letter == "P"

    def _compatible(self, entity_id: str | None, female: bool) -> bool:
        entity = self.entity(entity_id)
        if entity is None or entity.letter != "P":
            return False
        if entity.gender is None:
            return not female or entity.label.split()[0].endswith("a")
        return (entity.gender == "female") == female

    def _state_of(self, entity_id: str | None) -> str | None:
        entity = self.entity(entity_id)
        if entity is None or entity.letter == "P":
            return None
        state = self.context.registry.state_of(entity)
        if state is not None:
            return state.id
        for candidate in self.context.registry.entities.values():  # "Ministry of X of Russia"
            if candidate.letter == "S" and entity.label.endswith(f" of {candidate.label}"):
                return candidate.id
        return None

    # -- references -----------------------------------------------------------------------
    def pronoun(self, index: int, mention: Mention | None, word: str, view: SentenceView) -> Referent:
        """"he"/"she" (``mention`` as mentions.py resolved it) or "it" in sentence ``index``."""
        word = word.lower()
        if word in ("it", "its"):
            for back in range(index, max(-1, index - 4), -1):
                for entity in reversed(self.spoke.get(back, [])):
                    if not self._is_person(entity):
                        return Referent(entity)
            if index > 0:  # else the state or body the sentence before is about (its subject)
                before = self.context.views[index - 1]
                for m in before.mentions:
                    if m.letter in ("S", "O", "C") and not m.demonym \
                            and not self.preceded_by_preposition(before, m.begin):
                        return Referent(self.speaker_of_mention(m))
            return NOBODY
        female = word in FEMALE_PRONOUNS
        for back in range(index - 1, max(-1, index - 4), -1):
            said = [e for e in self.spoke.get(back, []) if self._compatible(e, female)]
            if said:
                return Referent(said[0])
            people = [m.entity for m in self.context.views[back].mentions
                      if m.letter == "P" and self._compatible(m.entity, female)]
            if people:
                return Referent(people[0])
        if mention is not None and self._compatible(mention.entity, female):
            return Referent(mention.entity)
        return NOBODY

    def noun_phrase(self, index: int, before: int, phrase: str) -> Referent | None:
        """A lower-case reference ending a reporting clause's subject ("the ministry"), if any.

        ``before`` is the article offset the phrase ends at: only what came earlier counts.
        """
        pattern, meaning = _referent_cues()
        match = pattern.search(phrase)
        if match is None:
            return None
        start = match.start()
        if start > 0 and not phrase[start - 1].isspace() and phrase[start - 1] not in "(,—":
            return None
        modifier = phrase[match.start() : match.start("cue")].split()
        if modifier and modifier[0].lower() in ("the", "a", "its", "their"):
            modifier = modifier[1:]
        if modifier and modifier[0][:1].isupper():
            return None  # "the Russian ministry": a name the mention finder reads
        cue = " ".join(match.group("cue").lower().split())
        longer = " ".join([*(w.lower() for w in modifier), cue])
        if longer in meaning:  # "foreign" + "ministry" is the cue "foreign ministry"
            cue = longer
        refers, labels = meaning[cue]
        if refers == "person":
            return None  # a person's title: ``descriptor``
        acronym = re.search(r"\(([A-Z]{2,6})\)\s*$", phrase)
        referent = self._refer(index, before, cue, refers, labels)
        if acronym and referent.entity is not None:
            self.note_acronym(acronym.group(1), referent.entity)
        return referent

    def _refer(self, index: int, before: int, cue: str, refers: str, labels: str) -> Referent:
        if refers == "joint":
            return JOINT
        if refers == "document":
            earlier = [author for at, author in self.statements if at <= index]
            return Referent(earlier[-1] if earlier else None, document=True)
        if refers == "state":
            state = self.last_state(index)
            return Referent(state)
        # an institution: the body named last whose name has the cue's words
        words = cue.split()
        for view in reversed(self.context.views[: index + 1]):
            for said in reversed(self.spoke.get(view.sentence.index, [])):
                entity = self.entity(said)
                if entity is not None and entity.letter == "O" and all(
                        word in " ".join((entity.label, *entity.aliases)).lower() for word in words):
                    return Referent(entity.id)
            for m in reversed(view.mentions):
                if m.end > before or m.letter != "O":
                    continue
                entity = self.context.entity(m)
                if entity is None or is_media(entity, m.surface):
                    continue
                names = " ".join((m.surface, entity.label, *entity.aliases)).lower()
                if all(word in names for word in words):
                    return Referent(entity.id)
        state = self.last_state(index)
        state_entity = self.entity(state)
        if state_entity is not None and labels:
            by_label = {e.label.lower(): e.id for e in self.context.registry.entities.values()}
            for label in labels.split("|"):
                found = by_label.get(label.replace("{state}", state_entity.label).lower())
                if found is not None:
                    return Referent(found)
        return NOBODY

    def descriptor(self, view: SentenceView, index: int, stop: int, phrase: str) -> Referent | None:
        """"the Russian leader", "the premier", "the Kremlin spokesman": the person named before
        who holds that office (for the state the phrase names, if it names one)."""
        persons = [row["cue"] for row in load("quote-referents").rows if row["refers"] == "person"]
        titles = "|".join(r"\s+".join(map(re.escape, t.split())) for t in sorted(persons, key=len, reverse=True))
        match = re.search(rf"(?<![\w])(?:the|The)\s+(?P<qual>(?:[A-Z][\w’'-]*\s+){{0,2}})(?P<title>{titles})$", phrase)
        if match is None:
            return None
        title = " ".join(match.group("title").lower().split())
        qualifier = stop - len(phrase) + match.start("qual")
        states = [self.context.as_state(m) for m in view.mentions
                  if qualifier <= m.begin < stop - len(match.group("title"))]
        state = next((x for x in states if x), None)
        for back in range(index, max(-1, index - 6), -1):
            candidates = list(reversed(self.spoke.get(back, [])))
            candidates += [m.entity for m in reversed(self.context.views[back].mentions)
                           if m.letter == "P" and m.entity and (back < index or m.end <= stop)]
            for person in candidates:
                if self._holds(person, title, state):
                    return Referent(person)
        return NOBODY

    def _holds(self, person: str | None, title: str, state: str | None) -> bool:
        if person is None or not self._is_person(person):
            return False
        if state is not None and self.context.state_of_person(person) != state:
            return False
        roles = [p.role.lower() for p in self.context.facts.positions if p.holder == person]
        if title == "leader":
            return self.context.is_leader(person)
        if any(title in role for role in roles):
            return True
        return not roles and title in ("president", "prime minister", "premier", "chancellor") \
            and self.context.is_leader(person)

    def last_state(self, index: int) -> str | None:
        """The state that spoke last (itself or through one of its bodies), else the first state
        the nearest sentence names first."""
        for back in range(index, -1, -1):
            for entity in reversed(self.spoke.get(back, [])):
                found = self.entity(entity)
                if found is not None and found.letter == "S":
                    return found.id
                state = self._state_of(entity)
                if state is not None:
                    return state
        return None

    def acronym(self, name: str) -> Referent | None:
        found = self.acronyms.get(name)
        return Referent(found) if found is not None else None

    def honorific(self, index: int, phrase: str) -> Referent | None:
        """"Mr Kim" for a person the article named before whose name has that word; a bare
        "Moon" or "Xi" for one whose name starts with it (family name first, as East Asian
        names are written), which the surname rule of the mention finder does not know."""
        match = _HONORIFIC.search(phrase.rstrip())
        bare = re.search(r"(?:^|[\s,(“\"])([A-Z][a-z]+)$", phrase.rstrip()) if match is None else None
        found = match if match is not None else bare
        if found is None:
            return None
        name = found.group(1)
        for view in reversed(self.context.views[: index + 1]):
            for m in reversed(view.mentions):
                entity = self.context.entity(m)
                if entity is None or entity.letter != "P" or m.pronoun:
                    continue
                words = entity.label.split()
                if (match is not None and name in words) or (len(words) > 1 and words[0] == name):
                    return Referent(entity.id)
        return None

    def joint_before(self, view: SentenceView, subject_begin: int) -> bool:
        """Is the subject the last of a coordination ("Abe and Putin said")?"""
        text = self.context.text
        earlier = [m for m in view.mentions if m.end <= subject_begin and m.letter in SPEAKER_LETTERS]
        if not earlier:
            return False
        gap = text[earlier[-1].end : subject_begin]
        return re.fullmatch(r"\s*(?:,|and|&|,\s*and)\s+(?:[A-Z][\w.]*\s+){0,3}", gap) is not None

    def preceded_by_preposition(self, view: SentenceView, begin: int) -> bool:
        text = self.context.text[view.sentence.begin : begin].split()
        return bool(text) and text[-1].lower().strip("(") in _PREPOSITIONS
