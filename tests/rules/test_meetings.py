"""Meetings: participants, location, date and status, read from short news-style sentences."""

from __future__ import annotations

import pytest

from dipkg.graph.facts import ArticleFacts, Meeting


def _only(facts: ArticleFacts) -> Meeting:
    assert len(facts.meetings) == 1, [(m.participants, m.status) for m in facts.meetings]
    return facts.meetings[0]


def _iso(meeting: Meeting) -> str | None:
    return meeting.date.iso() if meeting.date else None


def test_met_with_in_city_on_weekday_is_a_held_meeting(extract) -> None:
    text = ("Russian President Vladimir Putin met with Japanese Prime Minister Shinzo Abe "
            "in Moscow on Tuesday.")
    m = _only(extract(text, "2019-01-22"))
    assert m.participants == {"Vladimir_Putin", "Shinzo_Abe"}
    assert m.location == "Moscow"
    assert _iso(m) == "2019-01-22"
    assert m.status == "held"
    assert m.kind == "summit"
    assert m.spans == [(0, len(text))]


def test_will_visit_next_month_is_a_planned_visit_to_the_state(extract) -> None:
    m = _only(extract("Abe will visit Russia next month.", "2016-05-06"))
    assert m.participants == {"Shinzo_Abe", "Russia"}
    assert _iso(m) == "2016-06"
    assert m.status == "planned"


def test_looking_into_the_possibility_of_meeting_is_proposed(extract) -> None:
    m = _only(extract("Foreign Minister Fumio Kishida is looking into the possibility of meeting "
                      "with Sergei Lavrov in August.", "2016-05-06"))
    assert m.participants == {"Fumio_Kishida", "Sergei_Lavrov"}
    assert _iso(m) == "2016-08"
    assert m.status == "proposed"


def test_wanted_to_attend_but_backed_out_is_cancelled(extract) -> None:
    m = _only(extract("Prime Minister Shinzo Abe wanted to attend the Victory Day parade in Moscow "
                      "next week. But Abe eventually backed out.", "2015-05-01"))
    assert "Shinzo_Abe" in m.participants and "Russia" in m.participants
    assert m.location == "Moscow"
    assert m.status == "cancelled"


def test_state_pair_summit_includes_the_states_and_their_titled_leaders(extract) -> None:
    facts = extract("Prime Minister Shinzo Abe and President Vladimir Putin discussed the islands "
                    "at the Japan-Russia summit last November.", "2015-05-16")
    m = _only(facts)
    assert m.participants == {"Japan", "Russia", "Shinzo_Abe", "Vladimir_Putin"}
    assert _iso(m) == "2014-11"
    assert m.status == "held"


def test_state_pair_summit_without_named_leaders_is_between_the_states(extract) -> None:
    m = _only(extract("The islands were discussed at the Japan-Russia summit last November.",
                      "2015-05-16"))
    assert m.participants == {"Japan", "Russia"}
    assert _iso(m) == "2014-11"


def test_agreeing_on_something_at_a_past_summit_keeps_it_held(extract) -> None:
    m = _only(extract("Prime Minister Shinzo Abe and President Vladimir Putin agreed on the matter "
                      "at the Japan-Russia summit last November.", "2015-05-16"))
    assert m.status == "held"


def test_coordinated_subject_met_is_a_meeting_of_both(extract) -> None:
    m = _only(extract("Abe and Putin met in Moscow on Saturday.", "2016-05-09"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert m.location == "Moscow"
    assert _iso(m) == "2016-05-07"


def test_visit_to_a_capital_adds_the_host_state(extract) -> None:
    m = _only(extract("Putin visited Tokyo in December.", "2017-01-10"))
    assert m.participants == {"Vladimir_Putin", "Japan"}
    assert m.location == "Tokyo"
    assert _iso(m) == "2016-12"
    assert m.status == "held"


@pytest.mark.parametrize(
    ("text", "status"),
    [("Putin is scheduled to visit Japan in December.", "planned"),
     ("Abe may visit Russia later this year.", "proposed"),
     ("Abe hopes to meet Putin in Vladivostok.", "proposed"),
     ("Abe cancelled his trip to Moscow.", "cancelled"),
     ("Abe met Putin in Sochi on Friday.", "held")],
)
def test_cue_words_set_the_status(extract, text: str, status: str) -> None:
    assert _only(extract(text, "2016-05-06")).status == status


def test_two_mentions_of_one_meeting_are_one_fact_with_both_sentences(extract) -> None:
    text = "Abe will visit Russia next month. During the trip, Abe will meet Putin in Sochi."
    m = _only(extract(text, "2016-05-06"))
    assert m.participants == {"Shinzo_Abe", "Russia", "Vladimir_Putin"}
    assert m.location == "Sochi"
    assert _iso(m) == "2016-06"
    assert [text[b:e] for b, e in m.spans] == ["Abe will visit Russia next month.",
                                               "During the trip, Abe will meet Putin in Sochi."]


def test_a_negated_visit_is_not_a_meeting(extract) -> None:
    assert extract("Abe decided not to visit Russia this year.").meetings == []


def test_a_domestic_trip_is_not_a_diplomatic_meeting(extract) -> None:
    assert extract("Abe visited Osaka on Friday.").meetings == []


def test_a_quoted_meeting_is_not_read_as_reported_fact(extract) -> None:
    assert extract("“Abe met Putin in Sochi on Friday,” the newspaper joked.").meetings == []


def test_told_someone_last_fall_dates_the_talks_to_that_year(extract) -> None:
    m = _only(extract("Abe told Mr. Putin last fall that no U.S. troops would be stationed there.",
                      "2019-01-22"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert _iso(m) == "2018"


def test_hosted_a_leader_is_a_meeting_where_it_was_held(extract) -> None:
    m = _only(extract("Abe hosted Putin at a hot spring resort in Nagato on Thursday.", "2016-12-16"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert m.location == "Nagato"
    assert _iso(m) == "2016-12-15"
    assert m.status == "held"


def test_visit_a_city_to_meet_someone_is_one_meeting_there(extract) -> None:
    """"X will visit Moscow next month to meet Y": one ministerial meeting, in Moscow, planned."""
    m = _only(extract("Foreign Minister Fumio Kishida will visit Moscow next month to meet "
                      "Russian Foreign Minister Sergei Lavrov.", "2016-12-15"))
    assert {"Fumio_Kishida", "Sergei_Lavrov"} <= m.participants
    assert m.location == "Moscow"
    assert _iso(m) == "2017-01"
    assert (m.status, m.kind) == ("planned", "ministerial")


def test_met_his_counterpart_names_the_counterpart(extract) -> None:
    m = _only(extract("Japanese Foreign Minister Taro Kono met his Russian counterpart Sergei Lavrov "
                      "in Moscow on Monday.", "2019-05-14"))
    assert m.participants == {"Taro_Kono", "Sergei_Lavrov"}
    assert _iso(m) == "2019-05-13"


def test_a_summit_between_two_leaders_has_exactly_them(extract) -> None:
    m = _only(extract("Officials prepared for a summit between Prime Minister Shinzo Abe and "
                      "President Vladimir Putin in Osaka in June.", "2019-05-14"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert (m.location, _iso(m), m.status) == ("Osaka", "2019-06", "planned")


def test_two_named_subjects_met(extract) -> None:
    m = _only(extract("Abe and Putin last met in Buenos Aires.", "2019-05-14"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert m.location == "Buenos_Aires"


def test_the_two_leaders_are_the_two_people_just_named(extract) -> None:
    """"The two leaders held talks on the sidelines of a summit in Singapore": where the summit is."""
    m = _only(extract("Japanese Prime Minister Shinzo Abe and Russian President Vladimir Putin agreed "
                      "Wednesday to speed up talks. The two leaders held talks on the sidelines of a "
                      "regional summit in Singapore.", "2018-11-15"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert m.location == "Singapore"
    assert m.status == "held"


def test_travel_for_talks_is_one_meeting(extract) -> None:
    m = _only(extract("Russian Foreign Minister Sergei Lavrov will travel to Tokyo in December for "
                      "talks with Foreign Minister Taro Kono.", "2018-11-15"))
    assert {"Sergei_Lavrov", "Taro_Kono"} <= m.participants
    assert (m.location, _iso(m), m.status, m.kind) == ("Tokyo", "2018-12", "planned", "ministerial")


def test_talks_with_a_possessive_title_name_the_person(extract) -> None:
    m = _only(extract("Lavrov, speaking after talks with Japan's Foreign Minister Taro Kono in Moscow, "
                      "said the two sides would meet again.", "2019-01-14"))
    assert {"Sergei_Lavrov", "Taro_Kono"} == m.participants
    assert m.location == "Moscow"


def test_a_person_and_his_counterpart_will_meet(extract) -> None:
    m = _only(extract("Russian Deputy Foreign Minister Igor Morgulov and his Japanese counterpart "
                      "Takeo Mori will meet in Tokyo next month.", "2019-01-14"))
    assert m.participants == {"Igor_Morgulov", "Takeo_Mori"}
    assert (m.location, _iso(m), m.status) == ("Tokyo", "2019-02", "planned")


def test_visit_to_a_disputed_island_is_hosted_by_the_visitors_state(extract) -> None:
    """No holder named: a Russian leader visiting an island Russia disputes is hosted by Russia."""
    m = _only(extract("Russian Prime Minister Dmitry Medvedev visited Iturup on Thursday.", "2017-10-13"))
    assert m.participants == {"Dmitry_Medvedev", "Russia"}
    assert (m.location, _iso(m), m.status) == ("Iturup", "2017-10-12", "held")


def test_meeting_at_an_organizations_summit_is_where_and_when_the_summit_is(extract) -> None:
    facts = extract("Prime Minister Shinzo Abe said he would raise the issue when he meets Putin at the "
                    "APEC summit in Da Nang, Vietnam, next month.", "2017-10-13")
    [m] = [m for m in facts.meetings if "Vladimir_Putin" in m.participants]
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert (m.location, _iso(m), m.status) == ("Da_Nang", "2017-11", "planned")


def test_a_planned_visit_that_has_been_postponed_is_cancelled(extract) -> None:
    m = _only(extract("A planned visit to Japan by Russian President Vladimir Putin this autumn has been "
                      "postponed, officials said Wednesday.", "2014-09-03"))
    assert m.participants == {"Vladimir_Putin", "Japan"}
    assert (m.location, _iso(m), m.status) == ("Japan", "2014", "cancelled")


def test_that_trip_was_called_off(extract) -> None:
    """A plan in the past ("had been due to … in April") keeps the past April, and is cancelled."""
    m = _only(extract("Kishida had been due to travel to Moscow in April, but that trip was also called off.",
                      "2014-09-03"))
    assert (m.location, _iso(m), m.status) == ("Moscow", "2014-04", "cancelled")


def test_most_recently_in_a_past_month(extract) -> None:
    m = _only(extract("Prime Minister Shinzo Abe and Putin have met five times since Abe took office in "
                      "December 2012, most recently during the Winter Olympics in Sochi in February.",
                      "2014-09-03"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert (m.location, _iso(m), m.status) == ("Sochi", "2014-02", "held")


def test_a_count_of_meetings_is_not_a_meeting(extract) -> None:
    """"the 13th time the two leaders have met since 2013": a tally; the visit after "when" is one."""
    facts = extract("Abe visited Putin in Sochi. It was the 13th time the two leaders have met since 2013, "
                    "when Abe made the first official visit by a Japanese premier to Russia in a decade.",
                    "2016-05-06")
    assert sorted((sorted(m.participants), _iso(m)) for m in facts.meetings) == [
        (["Russia", "Shinzo_Abe"], "2013"), (["Shinzo_Abe", "Vladimir_Putin"], "2016")]


def test_two_people_agreed_to_hold_a_summit(extract) -> None:
    m = _only(extract("Abe and Putin agreed to hold a summit in Vladivostok in September.", "2016-11-20"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert (m.location, _iso(m), m.status) == ("Vladivostok", "2017-09", "planned")


# -- clauses, cue tables, calls, ellipsis, "the two leaders" -------------------------------------


@pytest.mark.parametrize("text", [
    "Vladimir Putin will visit Tokyo in March, his aides said after the talks with Shinzo Abe in Lima.",
    "Vladimir Putin will visit Tokyo in March, officials said after talks with Shinzo Abe in Lima.",
])
def test_the_meeting_after_a_reporting_verb_keeps_its_own_clause(extract, text: str) -> None:
    facts = extract(text, "2016-11-20")
    talks = [m for m in facts.meetings if m.location == "Lima"]
    assert talks, [(m.participants, m.location) for m in facts.meetings]
    assert talks[0].status == "held"
    assert _iso(talks[0]) != "2017-03"


@pytest.mark.parametrize("text", [
    "Shinzo Abe and Vladimir Putin held a phone call on Monday.",
    "Shinzo Abe spoke by phone with Vladimir Putin on Monday.",
    "Shinzo Abe had telephone talks with Vladimir Putin on Monday.",
])
def test_a_phone_call_between_named_leaders_is_talks(extract, text: str) -> None:
    m = _only(extract(text, "2016-05-06"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert m.kind == "talks"
    assert m.status == "held"


@pytest.mark.parametrize("cue, status", [
    ("is slated to meet", "planned"),
    ("is scheduled to meet", "planned"),
    ("is set to meet", "planned"),
    ("has postponed his plan to meet", "cancelled"),
    ("called off a plan to meet", "cancelled"),
])
def test_status_cues_from_the_table(extract, cue: str, status: str) -> None:
    m = _only(extract(f"Shinzo Abe {cue} Vladimir Putin in Moscow.", "2016-05-06"))
    assert m.participants == {"Shinzo_Abe", "Vladimir_Putin"}
    assert m.status == status


def test_as_he_did_repeats_the_attend_of_the_first_clause(extract) -> None:
    facts = extract("Shinzo Abe will attend the Victory Day parade in Moscow, as he did the opening "
                    "ceremony of the Winter Olympics in Sochi in 2014.", "2015-05-01")
    places = {m.location for m in facts.meetings}
    assert {"Moscow", "Sochi"} <= places, [(m.participants, m.location) for m in facts.meetings]


def test_did_alone_is_not_a_meeting(extract) -> None:
    assert extract("Shinzo Abe did the opening ceremony himself.", "2015-05-01").meetings == []


def test_the_two_leaders_are_the_leaders_not_the_last_two_people(extract) -> None:
    text = ("Shinzo Abe met Vladimir Putin in Moscow on Monday. Aide Yuri Ushakov and spokesman "
            "Dmitry Peskov briefed reporters. The two leaders held talks again in Sochi on Tuesday.")
    facts = extract(text, "2016-05-06")
    sochi = [m for m in facts.meetings if m.location == "Sochi"]
    assert sochi and sochi[0].participants == {"Shinzo_Abe", "Vladimir_Putin"}


@pytest.mark.parametrize("anaphor", ["Both meetings", "The two meetings"])
def test_both_meetings_take_the_place_named_and_share_a_date(extract, anaphor: str) -> None:
    text = ("Vladimir Putin will meet Shinzo Abe next week. Putin will also hold talks with "
            f"Angela Merkel. {anaphor} will take place at a forum in Lima.")
    facts = extract(text, "2016-11-10")
    merkel = [m for m in facts.meetings if "Angela_Merkel" in m.participants]
    assert merkel, [(m.participants, m.location) for m in facts.meetings]
    assert merkel[0].location == "Lima"
    assert _iso(merkel[0]) == "2016-11"
    assert merkel[0].status == "planned"


def test_a_plural_anaphor_does_not_reach_meetings_long_before(extract) -> None:
    text = ("Vladimir Putin met Shinzo Abe on Monday. The weather was mild. Prices rose. "
            "Markets fell. Both meetings will take place in Lima.")
    m = _only(extract(text, "2016-05-06"))
    assert m.location is None


@pytest.mark.parametrize("qualifier", ["around", "about", "roughly"])
def test_an_approximate_day_gives_the_month(extract, qualifier: str) -> None:
    m = _only(extract(f"Shinzo Abe will meet Vladimir Putin in Moscow {qualifier} April 27.", "2017-03-30"))
    assert _iso(m) == "2017-04"


def test_an_exact_day_stays_a_day(extract) -> None:
    m = _only(extract("Shinzo Abe will meet Vladimir Putin in Moscow on April 27.", "2017-03-30"))
    assert _iso(m) == "2017-04-27"


@pytest.mark.parametrize("dash", ["-", "–"])
def test_a_pair_of_leaders_joined_by_a_dash_or_en_dash_met(extract, dash: str) -> None:
    m = _only(extract(f"Aides prepared the Abe{dash}Putin meeting in Sochi on Friday.", "2016-05-09"))
    assert {"Shinzo_Abe", "Vladimir_Putin"} <= m.participants


@pytest.mark.parametrize("place, iri", [("Lower Wexham", "Lower_Wexham"), ("Nova Ruritania", "Nova_Ruritania"),
                                        ("Ruritania", "Ruritania")])
def test_a_meeting_place_the_registry_lacks_is_discovered(extract_with_registry, place: str, iri: str) -> None:
    facts, registry = extract_with_registry(f"Shinzo Abe met Vladimir Putin in {place} on Monday.", "2016-05-09")
    m = _only(facts)
    assert m.location == iri
    entity = registry[iri]
    assert entity.cls == "City" and entity.discovered and entity.wikidata is None


@pytest.mark.parametrize("phrase", ["in May", "in Parliament", "in President Obama's office"])
def test_months_titles_and_institutions_are_not_places(extract, phrase: str) -> None:
    m = _only(extract(f"Shinzo Abe met Vladimir Putin {phrase}.", "2016-05-09"))
    assert m.location is None
