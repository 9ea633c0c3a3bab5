"""What a build learned from each article, and what it could not place.

A user who brings new articles needs to know what the registry lacked: the people,
organizations, places and territories the extractor discovered from the text (they get an IRI
of their own and no Wikidata link), and the mentions of a place or an organization it could not
resolve at all (a capitalized name after "in", "at", "to" … that no mention covers, such as a city
the registry does not know, or "the foreign ministry", which names no one ministry).  Those are
the rows a data team adds to ``ontology/entities.toml``.
The report is data (``build-info.json``) and a compact summary on stderr; it is sorted, so the
same input gives the same report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dipkg.graph.mentions import ArticleMentions
from dipkg.graph.registry import Registry

# Registry class -> report section.
SECTIONS = {"Person": "people", "Leader": "people", "Organization": "organizations",
            "StateGroup": "organizations", "Territory": "territories", "City": "places",
            "Region": "places", "State": "places", "HistoricalState": "places"}
_PLACE_CONTEXT = re.compile(
    r"(?<![\w])(?:in|at|to|from|near|outside|visit|visited|visiting|visits)\s+(?:the\s+)?"
    r"((?:[A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)?)(?:\s+(?:[A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)?|of|de|la)){0,3})"
    r"(?![\w])")
# Capitalized words after "in" that name no place: times, and words of a title case heading.
_NOT_PLACES = frozenset((
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "The", "A", "An", "This", "That", "His", "Her", "Their", "Its", "It",
    "He", "She", "They", "We", "I", "Mr", "Mrs", "Ms", "Dr", "Parliament", "Congress",
))

# An organization named only by its kind ("the foreign ministry said"): the build cannot tell
# which one it is, so it is reported rather than guessed.
_GENERIC_ORG = re.compile(r"(?<![\w])(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir)\s+((?:[a-z]+\s+){0,2}?(?:ministry|agency|"
                          r"committee|commission|council|bureau|department|directorate|secretariat))(?![\w])")
# One capitalized adjective ("in Asian markets", "at the Olympic village") is not a name.
_ADJECTIVE = re.compile(r"[A-Z][a-z]+(?:ic|ian|ean|ese|ish)")


@dataclass
class ArticleDiscovery:
    """One article's report: new entities by section, and unresolved place or organization names."""

    file_name: str
    found: dict[str, list[str]] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        out = {section: sorted(labels) for section, labels in sorted(self.found.items()) if labels}
        if self.unresolved:
            out["unresolved"] = sorted(self.unresolved)
        return out

    def line(self, limit: int = 4) -> str | None:
        """One compact stderr line, or None when there is nothing to report."""
        parts = []
        for section, labels in self.as_json().items():
            shown = ", ".join(labels[:limit]) + (", …" if len(labels) > limit else "")
            parts.append(f"{section} {len(labels)} ({shown})")
        return f"{self.file_name}: " + "; ".join(parts) if parts else None


def discovered_since(registry: Registry, before: set[str]) -> dict[str, list[str]]:
    """The entities the registry gained since it held the ids ``before``, by section."""
    found: dict[str, list[str]] = {}
    for entity_id, entity in registry.entities.items():
        if entity_id not in before and entity.discovered:
            found.setdefault(SECTIONS.get(entity.cls, "places"), []).append(entity.label)
    return found


def unresolved_names(mentions: ArticleMentions) -> list[str]:
    """Capitalized names in a place's position ("talks in Lima") that no mention covers, and
    organizations named only by their kind ("the foreign ministry")."""
    text = mentions.article.text
    out: set[str] = set()
    for view in mentions.views:
        s = view.sentence
        words = s.text.split()
        if len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words):
            continue  # a Title Case heading capitalizes every word
        for found in _PLACE_CONTEXT.finditer(text, s.begin, s.end):
            name = " ".join(found.group(1).split())
            name = re.sub(r"\s+(?:of|de|la)$", "", name)
            begin, end = found.start(1), found.start(1) + len(found.group(1))
            if name.split()[0] in _NOT_PLACES or _ADJECTIVE.fullmatch(name):
                continue
            if any(m.begin < end and begin < m.end for m in view.mentions):
                continue
            out.add(name)
        for found in _GENERIC_ORG.finditer(text, s.begin, s.end):
            if not any(m.begin < found.end(1) and found.start(1) < m.end for m in view.mentions):
                out.add(" ".join(found.group(1).split()))
    return sorted(out)


def report(mentions: ArticleMentions, registry: Registry, before: set[str]) -> ArticleDiscovery:
    """What the article added to the registry, and the names still unresolved — less those a
    rule discovered after the mentions were found (a meeting's place "in Kirkenes")."""
    found = discovered_since(registry, before)
    known = {label for labels in found.values() for label in labels}
    return ArticleDiscovery(mentions.article.file_name, found,
                            [name for name in unresolved_names(mentions) if name not in known])
