"""Stage 4: the facts the rules extract, before they become RDF.

Each fact carries the sentences that state it (``spans``: article offsets) so that provenance
is exact.  Entities are registry ids; the RDF stage turns them into IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dipkg.graph.articles import Article, PartialDate

Span = tuple[int, int]



@dataclass
class Meeting:
    participants: set[str]
    spans: list[Span]
    location: str | None = None
    date: PartialDate | None = None
    status: str = "held"
    kind: str = "other"
    sentence: int = 0


@dataclass
class Position:
    holder: str
    role: str
    of: str | None
    spans: list[Span]


@dataclass
class Sanction:
    imposers: frozenset[str]
    target: str
    spans: list[Span]
    reason: str | None = None


@dataclass
class Quote:
    speaker: str
    text: str
    spans: list[Span]


@dataclass
class TerritoryStatement:
    """A plain-triple fact: ``territory dip:claimedBy|dip:controlledBy state``."""

    territory: str
    predicate: str
    state: str
    spans: list[Span]


@dataclass
class TerritoryName:
    territory: str
    state: str
    name: str
    spans: list[Span]


@dataclass
class Membership:
    member: str
    organization: str
    spans: list[Span]


@dataclass
class ArticleFacts:
    article: Article
    meetings: list[Meeting] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    sanctions: list[Sanction] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    territory_statements: list[TerritoryStatement] = field(default_factory=list)
    territory_names: list[TerritoryName] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    # Entities the facts mention (registry ids), so the RDF stage can describe them.
    entities: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "meetings": len(self.meetings),
            "positions": len(self.positions),
            "sanctions": len(self.sanctions),
            "territories": len(self.territory_statements) + len(self.territory_names),
            "memberships": len(self.memberships),
            "quotes": len(self.quotes),
        }
