"""The records of the mentions stage: a mention, the person phrase it may carry with its
offices, a sentence's view (masked text and mentions), and an article's mentions.

Kept apart from ``graph.mentions`` (which finds them) so that the stages that read mentions —
person phrases, discourse, rules — depend on the records, not on the finder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dipkg.graph.articles import Article
from dipkg.graph.dates import DateMention
from dipkg.graph.sentences import Sentence

TOKEN = re.compile(r"⟦([A-Z])(\d+)⟧")


@dataclass
class Role:
    """An office a person phrase gives its person ("Foreign Minister" of Russia).

    ``of`` is what the phrase itself says (a demonym, "Japan's", "of Japan", "at Temple
    University"); None when it says nothing, and the rules then ask the registry, looking
    first for a state or an organization as ``of_kind`` says.
    """

    title: str
    of: str | None = None
    former: bool = False
    office: str = ""
    of_kind: str = "state"
    leader: bool = False


@dataclass
class PersonPhrase:
    """The whole phrase around a person's name, which the masked text keeps as ONE token:
    "former Russian Deputy Prime Minister Ivan Petrov", "Jane Doe, Britain's ambassador to
    France," (offsets into the article; the closing comma of an apposition is inside)."""

    begin: int
    end: int
    roles: list[Role] = field(default_factory=list)


@dataclass
class Mention:
    """A stretch of an article that names an entity or a date (offsets into the article)."""

    begin: int
    end: int
    surface: str
    letter: str
    entity: str | None = None
    demonym: bool = False
    pronoun: bool = False
    date: DateMention | None = None
    phrase: PersonPhrase | None = None

    @property
    def extent(self) -> tuple[int, int]:
        """What the mention's token stands for in masked text: its phrase, else its name."""
        return (self.phrase.begin, self.phrase.end) if self.phrase else (self.begin, self.end)


@dataclass
class SentenceView:
    """A sentence with its mentions and its masked text, the unit the rules work on."""

    sentence: Sentence
    mentions: list[Mention]
    masked: str = ""
    unquoted: str = ""
    quoted: list[tuple[int, int]] = field(default_factory=list)

    def mention(self, token: str) -> Mention:
        """The mention behind a masked token such as ``⟦P3⟧``."""
        match = TOKEN.fullmatch(token)
        if not match:
            raise ValueError(f"not a mention token: {token!r}")
        return self.mentions[int(match.group(2))]

    def tokens(self, text: str) -> list[Mention]:
        """The mentions whose tokens appear in a piece of masked text, in order."""
        return [self.mentions[int(m.group(2))] for m in TOKEN.finditer(text)]

    def conjuncts(self, token: str) -> list[Mention]:
        """The people coordinated with a person token ("⟦P0⟧, ⟦P1⟧ and ⟦P2⟧"), itself included.

        News names the parties of one act as one noun phrase; a rule that finds one of them
        as subject or object reads the others from here.
        """
        at = self.masked.find(token)
        if at < 0 or not token.startswith("⟦P"):
            return [self.mention(token)]
        unit = re.compile(r"(?:⟦P\d+⟧, )*⟦P\d+⟧(?:,? and ⟦P\d+⟧)?")
        for m in unit.finditer(self.masked):
            if m.start() <= at < m.end():
                return self.tokens(m.group(0))
        return [self.mention(token)]


@dataclass
class ArticleMentions:
    article: Article
    views: list[SentenceView]
