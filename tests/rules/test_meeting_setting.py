"""The setting of a meeting (graph/rules/meeting_setting.py): a government building names its
city, a date after "since" is not the meeting's, the past tense of the trigger settles "held",
and an undated meeting going on as the article is written takes the publication date."""

from __future__ import annotations

import pytest

from dipkg.graph.facts import ArticleFacts, Meeting


def _only(facts: ArticleFacts) -> Meeting:
    assert len(facts.meetings) == 1, [(m.participants, m.location, m.status) for m in facts.meetings]
    return facts.meetings[0]


@pytest.mark.parametrize(("text", "city"), [
    ("Shinzo Abe met Vladimir Putin in the Kremlin on Monday.", "Moscow"),
    ("Barack Obama received Angela Merkel at the White House on Friday.", "Washington_DC"),
    ("Theresa May held talks with Shinzo Abe at Downing Street on Thursday.", "London"),
])
def test_a_government_building_places_the_meeting_in_its_city(extract, text: str, city: str) -> None:
    assert _only(extract(text, "2017-01-10")).location == city


def test_the_buildings_possessive_names_the_government_not_a_place(extract) -> None:
    m = _only(extract("Abe was set to hold talks with Putin in Sochi, a success for the Kremlin’s "
                      "diplomacy in Asia.", "2016-05-06"))
    assert m.location == "Sochi"
    m = _only(extract("Abe will meet Putin, a step in the Kremlin's efforts to court Tokyo.", "2016-05-06"))
    assert m.location is None


@pytest.mark.parametrize("text", [
    "Donald Trump and Vladimir Putin held their first summit since Trump took office 18 months ago.",
    "Shinzo Abe and Vladimir Putin met for the first time since early 2015.",
    "Xi Jinping met Joe Biden, their first meeting in person since November 2022.",
])
def test_a_date_after_since_is_not_the_meetings_date(extract, text: str) -> None:
    m = _only(extract(text, "2023-11-16"))
    assert m.date is None or m.date.iso().startswith("2023"), m.date


def test_the_stated_date_before_since_still_counts(extract) -> None:
    m = _only(extract("Abe met Putin on June 3 for the first time since 2016.", "2017-06-05"))
    assert m.date is not None and m.date.iso() == "2017-06-03"


@pytest.mark.parametrize("text", [
    "Fumio Kishida met Sergey Lavrov in Moscow, the minister agreed to plan further talks.",
    "Vladimir Putin visited Japan, and both sides agreed to hold more talks.",
    "Shinzo Abe held talks with Vladimir Putin as the two sides agreed to plan a peace treaty.",
])
def test_a_past_tense_trigger_reads_held(extract, text: str) -> None:
    held = [m for m in extract(text, "2016-12-20").meetings if m.status == "held"]
    assert held, [(m.participants, m.status) for m in extract(text, "2016-12-20").meetings]


def test_a_future_trigger_is_not_read_as_held(extract) -> None:
    m = _only(extract("Abe will meet Putin in Vladivostok.", "2016-08-01"))
    assert m.status == "planned"


@pytest.mark.parametrize("text", [
    "Shinzo Abe met Vladimir Putin midway through a three-day visit to Russia.",
    "Abe met Putin today in Vladivostok.",
    "Fumio Kishida talked by phone with Volodymyr Zelensky on the second day of his tour of Europe.",
])
def test_an_ongoing_meeting_takes_the_publication_date(extract, text: str) -> None:
    dated = [m for m in extract(text, "2022-05-04").meetings if m.date is not None]
    assert any(m.date.iso() == "2022-05-04" for m in dated), [(m.participants, m.date) for m in dated]


def test_an_undated_meeting_not_going_on_keeps_only_the_year(extract) -> None:
    m = _only(extract("Shinzo Abe met Vladimir Putin in Moscow to discuss energy.", "2013-04-29"))
    assert m.date is not None and m.date.iso() == "2013"


def test_a_date_after_the_since_phrase_is_the_meetings_again(extract) -> None:
    m = _only(extract("Abe and Putin have met four times since 2013, most recently in Vladivostok in "
                      "September.", "2016-11-01"))
    assert m.date is not None and m.date.iso() == "2016-09"


def test_for_the_first_time_is_one_meeting_not_a_count(extract) -> None:
    m = _only(extract("Shinzo Abe met Moon Jae-in for the first time in Hamburg.", "2017-07-08"))
    assert m.location == "Hamburg"


@pytest.mark.parametrize(("text", "group", "city"), [
    ("G7 leaders agreed on Monday to hold their own summit in Brussels in June.", "Group_of_Seven", "Brussels"),
    ("EU leaders will hold their summit in Brussels next week.", "European_Union", "Brussels"),
])
def test_a_groups_own_summit_has_the_group_alone(extract, text: str, group: str, city: str) -> None:
    m = _only(extract(text, "2014-03-25"))
    assert (m.participants, m.location, m.kind) == ({group}, city, "summit")


def test_a_summit_nobody_is_named_for_is_not_a_meeting(extract) -> None:
    assert extract("The leaders praised their summit.", "2014-03-25").meetings == []


def test_reporters_accompanying_a_visitor_date_the_trip(extract) -> None:
    text = "Fumio Kishida defended the plan. “We act,” he told reporters accompanying him on a trip to Spain."
    m = _only(extract(text, "2022-05-04"))
    assert (m.location, m.date.iso() if m.date else None) == ("Spain", "2022-05-04")


@pytest.mark.parametrize(("text", "places"), [
    ("Fumio Kishida is on a trip to Italy and the Vatican.", {"Italy", "Vatican_City"}),
    ("Shinzo Abe will travel to Germany and France next week.", {"Germany", "France"}),
    ("Xi Jinping visited Russia and Kazakhstan in 2013.", {"Russia", "Kazakhstan"}),
])
def test_a_trip_to_two_places_is_two_visits(extract, text: str, places: set[str]) -> None:
    meetings = extract(text, "2014-03-25").meetings
    assert {m.location for m in meetings} == places
    assert len({m.status for m in meetings}) == 1  # the second takes the first one's status


def test_a_possessive_after_and_is_not_a_second_destination(extract) -> None:
    meetings = extract("Shinzo Abe visited Russia and China's leader welcomed the news.", "2014-03-25").meetings
    assert [m.location for m in meetings] == ["Russia"]


def test_a_meeting_held_the_day_the_story_is_filed_takes_the_datelines_place(extract) -> None:
    m = _only(extract("HELSINKI (Reuters) - Joe Biden and Sauli Niinisto held talks on Tuesday.", "2023-07-12"))
    assert m.location == "Helsinki"


def test_the_dateline_does_not_place_an_older_or_placed_meeting(extract) -> None:
    older = _only(extract("HELSINKI (Reuters) - Joe Biden met Sauli Niinisto on May 3.", "2023-07-12"))
    assert older.location is None
    placed = _only(extract("HELSINKI (Reuters) - Joe Biden met Xi Jinping in Bali on Tuesday.", "2023-07-12"))
    assert placed.location == "Bali"


@pytest.mark.parametrize(("text", "group", "city"), [
    ("Meeting in Brussels on Monday, EU leaders agreed to new sanctions.", "European_Union", "Brussels"),
    ("Meeting on the sidelines of a summit in Rome on Friday, the G7 leaders condemned the test.",
     "Group_of_Seven", "Rome"),
])
def test_a_participle_opening_is_the_groups_meeting(extract, text: str, group: str, city: str) -> None:
    m = _only(extract(text, "2021-10-30"))
    assert (m.participants, m.location, m.status) == ({group}, city, "held")


def test_a_participle_opening_with_a_person_keeps_the_person(extract) -> None:
    m = _only(extract("Meeting Vladimir Putin in Sochi, Shinzo Abe said he was hopeful.", "2016-05-07"))
    assert m.participants == {"Vladimir_Putin", "Shinzo_Abe"}


@pytest.mark.parametrize(("text", "pair"), [
    ("German Chancellor Olaf Scholz and his visiting French counterpart Emmanuel Macron agreed on Monday "
     "to deepen ties.", {"Olaf_Scholz", "Emmanuel_Macron"}),
    ("Foreign Minister Taro Kono and his visiting Russian counterpart, Sergei Lavrov, agreed Friday to "
     "meet again.", {"Taro_Kono", "Sergei_Lavrov"}),
])
def test_a_visiting_counterpart_is_a_meeting_with_the_host(extract, text: str, pair: set[str]) -> None:
    meetings = [m for m in extract(text, "2019-06-01").meetings if m.participants == pair]
    assert meetings and meetings[0].status == "held"


def test_visiting_without_a_possessive_is_still_a_visit(extract) -> None:
    m = _only(extract("Emmanuel Macron is visiting Germany this week.", "2019-06-01"))
    assert m.participants == {"Emmanuel_Macron", "Germany"}
