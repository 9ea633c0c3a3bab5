"""The top of a long entity page: what its facts are (counts by kind, years, articles), and the
filter by kind and year.

Shinzo Abe's page lists about a hundred facts; a reader wants the shape of them first and a way
to see only, say, the meetings of 2016.  The filter is a plain GET form (``?kind=Meetings&year=
2016``) that the server applies (the facts left out are ``hidden``), so it works without script;
``static/facts-filter.js`` applies the same choice in the page as it changes, without a reload
(each fact carries ``data-kind`` and ``data-year``; no inline script, which the
Content-Security-Policy forbids).
"""

from __future__ import annotations

from dataclasses import dataclass

from dipkg.server.pages.sources import FactView

#: below this many facts a page is short enough to read whole: no summary, no filter
SUMMARY_MIN_FACTS = 6


@dataclass(frozen=True)
class Summary:
    total: int
    kinds: list[tuple[str, int]]      # section ("Meetings") and its number of facts, page order
    years: list[tuple[str, int]]      # year and its number of facts, oldest first
    undated: int                      # facts with no year
    articles: int                     # distinct articles the facts come from
    kind: str                         # the chosen filter ("" = all)
    year: str

    @property
    def span(self) -> str:
        """``2013–2019``, ``2016``, or empty."""
        if not self.years:
            return ""
        first, last = self.years[0][0], self.years[-1][0]
        return first if first == last else f"{first}–{last}"


def summarize(views: list[FactView], kind: str = "", year: str = "") -> Summary | None:
    """The summary of a page's facts, or None when the page is short (or has no facts)."""
    if len(views) < SUMMARY_MIN_FACTS:
        return None
    kinds: dict[str, int] = {}
    years: dict[str, int] = {}
    for view in views:
        kinds[view.section] = kinds.get(view.section, 0) + 1
        if view.year:
            years[view.year] = years.get(view.year, 0) + 1
    articles = {s.span.article for view in views for s in view.sources}
    return Summary(len(views), list(kinds.items()), sorted(years.items()),
                   sum(1 for v in views if not v.year), len(articles),
                   kind if kind in kinds else "", year if year in years else "")


def hidden(views: list[FactView], summary: Summary | None) -> set[str]:
    """The facts the filter hides.  Every fact stays in the page (``hidden``), so that the
    script can show them again when the choice changes, with no request."""
    if summary is None:
        return set()
    return {v.iri for v in views if (summary.kind and v.section != summary.kind)
            or (summary.year and v.year != summary.year)}
