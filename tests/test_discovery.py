"""The build's discovery report: what each article taught the registry, what it left unresolved."""

from __future__ import annotations

import pytest

from dipkg.graph.articles import Article, PartialDate
from dipkg.graph.build import _finder
from dipkg.graph.discovery import ArticleDiscovery, report
from dipkg.graph.mentions import ArticleMentions
from dipkg.graph.registry import Registry


def _report(text: str, registry: Registry | None = None) -> ArticleDiscovery:
    base, finder = _finder()
    registry = registry or base.copy()
    before = set(registry.entities)
    mentions: ArticleMentions = finder.find(Article("a.txt", text, PartialDate.parse("2022-04-01", "a.txt")),
                                            registry)
    return report(mentions, registry, before)


def test_new_people_and_organizations_are_reported_by_section() -> None:
    found = _report("Deputy Minister Olga Petrova of the Ministry of Digital Affairs met envoys "
                    "from the Baltic Shipping Agency in Oslo.")
    assert found.as_json() == {"organizations": ["Baltic Shipping Agency", "Ministry of Digital Affairs"],
                               "people": ["Olga Petrova"]}


def test_an_entity_already_discovered_by_an_earlier_article_is_not_new() -> None:
    base, _ = _finder()
    registry = base.copy()
    _report("Deputy Minister Olga Petrova spoke.", registry)
    assert _report("Deputy Minister Olga Petrova spoke again.", registry).as_json() == {}


@pytest.mark.parametrize(("text", "unresolved"), [
    ("The ministers met in Tromsø on Monday.", ["Tromsø"]),
    ("The ministers met in Kirkenes on Monday.", ["Kirkenes"]),
    ("Envoys will travel to Lower Vardø next week.", ["Lower Vardø"]),
    ("The talks in Oslo ended in March.", []),  # a known city and a month
    ("Shares fell in Asian markets.", []),  # an adjective, not a place
    ("Norway And Belarus Hold Talks In Kirkenes", []),  # a Title Case heading
    ("The foreign ministry said on Monday that its defence ministry agreed.", ["defence ministry",
                                                                              "foreign ministry"]),
    ("The Ministry of Digital Affairs said the agency agreed.", ["agency"]),
])
def test_place_names_no_mention_covers_are_unresolved(text: str, unresolved: list[str]) -> None:
    assert _report(text).unresolved == unresolved


def test_the_stderr_line_is_compact_and_absent_when_empty() -> None:
    found = ArticleDiscovery("a.txt", {"people": ["E", "D", "C", "B", "A"]}, ["Kirkenes"])
    assert found.line() == "a.txt: people 5 (A, B, C, D, …); unresolved 1 (Kirkenes)"
    assert ArticleDiscovery("b.txt").line() is None


@pytest.mark.parametrize(("text", "label"), [
    ("The Ministry of Foreign Affairs said it regretted the decision.", "Ministry of Foreign Affairs"),
    ("A spokesman for the Committee on Foreign Relations declined to comment.",
     "Committee on Foreign Relations"),
    ("The Norwegian Coastal Authority issued a warning.", "Norwegian Coastal Authority"),
    ("Oslo’s Polar Research Bureau published the data.", "Polar Research Bureau"),
])
def test_organizations_are_discovered_with_their_head_noun_and_no_determiner(text: str, label: str) -> None:
    assert label in _report(text).found.get("organizations", [])
