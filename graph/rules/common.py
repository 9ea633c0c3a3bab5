"""What every rule needs: the article's sentences, entity look-ups, and metonymy."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from dipkg.graph.facts import ArticleFacts, Span
from dipkg.graph.lexicon import LEADER_TITLES
from dipkg.graph.mentions import TOKEN, ArticleMentions, Mention, SentenceView
from dipkg.graph.registry import Entity, Registry


# A token of a given type letter in masked text, e.g. tok("PS") matches ⟦P3⟧ or ⟦S0⟧.
def tok(letters: str) -> str:
    return rf"⟦[{letters}]\d+⟧"




@dataclass
class Context:
    registry: Registry
    mentions: ArticleMentions
    facts: ArticleFacts

    @property
    def views(self) -> list[SentenceView]:
        return self.mentions.views

    @property
    def text(self) -> str:
        return self.mentions.article.text

    @staticmethod
    def span(view: SentenceView) -> Span:
        return (view.sentence.begin, view.sentence.end)

    def entity(self, mention: Mention | None) -> Entity | None:
        if mention is None:
            return None
        return self.registry.get(mention.entity)

    def cite(self, spans: list[Span], view: SentenceView) -> None:
        """Add the sentence as one more source of a fact already found (once)."""
        span = self.span(view)
        if span not in spans:
            spans.append(span)

    def unmask(self, view: SentenceView, fragment: str) -> str:
        """Masked text back to what the article says (tokens become their surface forms)."""
        return TOKEN.sub(lambda m: view.mentions[int(m.group(2))].surface, fragment)

    # -- who acts -----------------------------------------------------------------------
    def as_state(self, mention: Mention) -> str | None:
        """The state a mention stands for when it acts: a capital ("Tokyo said") or a
        government body ("the Kremlin") stands for its state; a state stands for itself."""
        entity = self.entity(mention)
        if entity is None:
            return None
        if entity.letter == "S":
            return entity.id
        if entity.letter == "C":
            for state in self.registry.entities.values():
                if state.capital == entity.id:
                    return state.id
            return None
        if entity.letter == "O" and entity.government_of:
            return entity.government_of
        return None

    def as_agent(self, mention: Mention, people: bool = False) -> str | None:
        """A collective actor (state, organization, group of states, continent as in "Europe"),
        or with ``people`` also a person."""
        entity = self.entity(mention)
        if entity is None:
            return None
        state = self.as_state(mention)
        if state is not None:
            return state
        if entity.letter == "O" or (people and entity.letter == "P"):
            return entity.id
        if entity.letter == "L" and entity.kind == "continent":
            return entity.id
        return None

    def state_of_person(self, person_id: str) -> str | None:
        """The state a person serves, from this article's positions, else the registry."""
        for position in self.facts.positions:
            if position.holder == person_id and position.of:
                of = self.registry.get(position.of)
                if of is not None and of.letter == "S":
                    return of.id
        entity = self.registry.get(person_id)
        return entity.citizen_of if entity is not None else None

    def is_leader(self, person_id: str) -> bool:
        """A head of state or government, by the article's positions or else the registry's
        offices in the year the article was published (a former leader is not one)."""
        held = [p.role.lower() for p in self.facts.positions if p.holder == person_id]
        if held:  # what the article says the person is, not who they were at other times
            return any(role == t.lower() for role in held for t in LEADER_TITLES)
        entity = self.registry.get(person_id)
        return entity is not None and self.registry.leads_in(entity, self.facts.article.published.year)

    def leader_of(self, state_id: str) -> str | None:
        """The person the article names as the state's leader (for "Japan-Russia summit")."""
        state = self.registry.get(state_id)
        titles = state.leader_titles if state is not None and state.leader_titles else LEADER_TITLES
        for title in titles:
            for position in self.facts.positions:
                if position.of == state_id and position.role.lower() == title.lower():
                    return position.holder
        return None

    def leads(self, person_id: str, state_id: str) -> bool:
        return self.is_leader(person_id) and self.state_of_person(person_id) == state_id

    def main_states(self) -> list[str]:
        """States by how often the article names them (demonyms and capitals included)."""
        counts: Counter[str] = Counter()
        for view in self.views:
            for m in view.mentions:
                state = self.as_state(m)
                if state is not None:
                    counts[state] += 1
        return [s for s, _ in counts.most_common()]

    def collect_entities(self) -> None:
        f = self.facts
        ids: set[str] = set()
        for meeting in f.meetings:
            ids |= meeting.participants
            if meeting.location:
                ids.add(meeting.location)
        for p in f.positions:
            ids.add(p.holder)
            if p.of:
                ids.add(p.of)
        for s in f.sanctions:
            ids |= set(s.imposers) | {s.target}
        for q in f.quotes:
            ids.add(q.speaker)
        for t in f.territory_statements:
            ids |= {t.territory, t.state}
        for n in f.territory_names:
            ids |= {n.territory, n.state}
        for mb in f.memberships:
            ids |= {mb.member, mb.organization}
        f.entities = ids


def clause_bounds(masked: str, at: int) -> tuple[int, int]:
    """The clause of masked text around position ``at`` (for finding a trigger's actors)."""
    begin, end = 0, len(masked)
    for brk in (";", " but ", " while ", " although ", " though ", "—", " – ", ", when ", ", which ",
                ", whose ", ", who "):
        for m in re.finditer(re.escape(brk), masked):
            if m.end() <= at:
                begin = max(begin, m.end())
            elif m.start() >= at:
                end = min(end, m.start())
    return begin, end
