"""Stage 3a: date expressions, resolved against the publication date at the text's precision."""

from __future__ import annotations

import pytest

from dipkg.graph.articles import PartialDate
from dipkg.graph.dates import find_dates


def _resolve(sentence: str, published: str) -> list[tuple[str, str | None]]:
    return [(d.surface, d.value.iso() if d.value else None)
            for d in find_dates(sentence, PartialDate.parse(published, "test"))]


@pytest.mark.parametrize(
    ("sentence", "published", "surface", "expected"),
    [
        # a weekday is the nearest such day up to the publication day
        ("Putin met Abe in Moscow on Tuesday.", "2019-01-22", "Tuesday", "2019-01-22"),
        ("Abe met Putin in Sochi on Friday.", "2016-05-06", "Friday", "2016-05-06"),
        ("The two met on Sunday.", "2019-01-22", "Sunday", "2019-01-20"),
        ("They spoke last Friday.", "2016-05-06", "last Friday", "2016-04-29"),
        # ... or the next one when the sentence is about the future
        ("Abe will meet Putin on Monday.", "2016-05-06", "Monday", "2016-05-09"),
        # named months, relative to the publication month
        ("The leaders met last November.", "2015-05-16", "last November", "2014-11"),
        ("The leaders met last November.", "2015-11-20", "last November", "2014-11"),
        ("Putin visited Tokyo in December.", "2017-01-10", "in December", "2016-12"),
        ("Abe will visit Russia next month.", "2016-05-06", "next month", "2016-06"),
        ("Abe will visit Russia next month.", "2016-12-10", "next month", "2017-01"),
        # month and day, the year from the publication date
        ("Abe made the announcement Aug. 10.", "2015-08", "Aug. 10", "2015-08-10"),
        ("The talks were held on Dec. 15.", "2016-01-05", "Dec. 15", "2015-12-15"),
        ("The talks will be held in Moscow on May 18.", "2015-05-16", "May 18", "2015-05-18"),
        ("He arrived on Sept. 3, 2015.", "2016-05-06", "Sept. 3, 2015", "2015-09-03"),
        # a multi-day event gets its first day
        ("The G-7 summit on June 7-8 will be held in Germany.", "2015-05-16", "June 7-8", "2015-06-07"),
        # a season gives the year only
        ("He told Putin last fall that no troops would come.", "2019-01-22", "last fall", "2018"),
        # explicit years and month-years
        ("The May 2015 talks failed.", "2016-05-06", "May 2015", "2015-05"),
        ("Relations grew strained in 2014.", "2016-05-06", "2014", "2014"),
        ("The plan was first floated two years ago.", "2016-05-06", "two years ago", "2014"),
        ("Abe may go later this year.", "2016-05-06", "later this year", "2016"),
    ],
)
def test_date_expression_is_resolved_against_publication(sentence: str, published: str,
                                                          surface: str, expected: str) -> None:
    assert (surface, expected) in _resolve(sentence, published)


def test_weekday_with_month_only_publication_gives_the_month() -> None:
    assert _resolve("They met on Friday.", "2016-05") == [("Friday", "2016-05")]


def test_named_month_with_year_only_publication_gives_that_year() -> None:
    assert _resolve("They met in May.", "2016") == [("in May", "2016-05")]


@pytest.mark.parametrize("sentence", [
    "His father, as foreign minister in the 1980s, courted Moscow.",
    "Ties froze in the 1990s.",
])
def test_a_decade_is_background_and_gives_no_date(sentence: str) -> None:
    assert _resolve(sentence, "2019-01-22") == []


def test_dollar_amounts_and_counts_are_not_years() -> None:
    assert _resolve("Japan pledged $2015 million and 2,016 jobs.", "2016-05-06") == []


@pytest.mark.parametrize(
    ("sentence", "role"),
    [("Relations have improved since 2013.", "since"),
     ("Talks will continue until 2020.", "until"),
     ("Abe visited Russia prior to the G-7 summit in 2014.", "before"),
     ("Abe visited Russia in 2014.", "point")],
)
def test_date_role_marks_bounds_and_before(sentence: str, role: str) -> None:
    [date] = find_dates(sentence, PartialDate(2016, 5, 6))
    assert date.role == role


def test_date_offsets_are_the_surface_in_the_sentence() -> None:
    sentence = "Abe, who met Putin on Tuesday, will return next month and again on Aug. 10."
    dates = find_dates(sentence, PartialDate(2019, 1, 22))
    assert [d.surface for d in dates] == ["Tuesday", "next month", "Aug. 10"]
    for d in dates:
        assert sentence[d.begin : d.end] == d.surface


def test_past_weekday_stays_past_when_another_clause_is_about_the_future() -> None:
    assert ("Monday", "2019-01-21") in _resolve(
        "Abe met Putin on Monday and will return next month.", "2019-01-22")
