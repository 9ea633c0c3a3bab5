"""What every rule shares: who leads a state, read in the year the article was published."""

from __future__ import annotations

from dipkg.graph.articles import Article, PartialDate
from dipkg.graph.build import _finder
from dipkg.graph.facts import ArticleFacts
from dipkg.graph.rules.common import Context


def _context(text: str, published: str) -> Context:
    registry, finder = _finder()
    article = Article("test.txt", text, PartialDate.parse(published, "test"))
    build_registry = registry.copy()
    return Context(build_registry, finder.find(article, build_registry), ArticleFacts(article))


def test_a_registry_leader_leads_only_in_the_years_of_a_head_office() -> None:
    text = "Fumio Kishida spoke with Sergei Lavrov by telephone."
    assert not _context(text, "2016-05-06").is_leader("Fumio_Kishida")  # Foreign Minister then
    assert _context(text, "2022-05-06").is_leader("Fumio_Kishida")
    assert not _context(text, "2022-05-06").is_leader("Sergei_Lavrov")


def test_a_former_leader_is_not_a_leader_in_a_later_article() -> None:
    text = "Junichiro Koizumi and Tony Blair were remembered at the dinner."
    later, then = _context(text, "2013-04-29"), _context(text, "2004-07-01")
    assert not later.is_leader("Junichiro_Koizumi") and not later.is_leader("Tony_Blair")
    assert then.is_leader("Junichiro_Koizumi") and then.is_leader("Tony_Blair")


def test_a_leader_of_two_offices_leads_through_both() -> None:
    text = "Vladimir Putin spoke."
    assert all(_context(text, f"{year}-01-01").is_leader("Vladimir_Putin") for year in (2005, 2010, 2020))


def test_two_people_meeting_are_leaders_talks_only_when_both_lead_that_year(extract) -> None:
    text = "Fumio Kishida met Vladimir Putin in Moscow on Tuesday."
    [as_minister] = extract(text, "2016-05-06").meetings
    [as_premier] = extract(text, "2022-01-20").meetings
    assert as_minister.kind == "talks" and as_premier.kind == "summit"
