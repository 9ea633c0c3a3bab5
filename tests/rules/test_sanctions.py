"""Sanctions: imposers, target (Russia when implied) and reason."""

from __future__ import annotations

import pytest


def _sanctions(facts) -> set[tuple[frozenset[str], str]]:
    return {(s.imposers, s.target) for s in facts.sanctions}


def test_sanctions_imposed_by_the_west(extract) -> None:
    facts = extract("Russia has been hit hard by sanctions imposed by the West.")
    assert _sanctions(facts) == {(frozenset({"Western_countries"}), "Russia")}


def test_joined_others_in_penalizing_for_annexing(extract) -> None:
    """The actors before a penalizing verb impose; its object is the target; "for …" the reason."""
    facts = extract("Japan joined the U.S. and the European Union in penalizing Russia for annexing "
                    "Ukraine’s Crimea.")
    [sanction] = facts.sanctions
    assert sanction.imposers == {"Japan", "United_States", "European_Union"}
    assert sanction.target == "Russia"
    assert sanction.reason is not None and "annexing" in sanction.reason


def test_sanctions_without_a_target_hit_the_state_the_text_is_about(extract) -> None:
    facts = extract("Russian officials say the EU sanctions have failed. "
                    "Moscow wants better ties with Tokyo and Beijing.")
    assert _sanctions(facts) == {(frozenset({"European_Union"}), "Russia")}


def test_imposed_sanctions_on_target_over_reason(extract) -> None:
    [sanction] = extract("Washington imposed sanctions on Russia over its annexation of Crimea.").sanctions
    assert sanction.imposers == {"United_States"}  # the capital stands for its state
    assert sanction.target == "Russia"
    assert sanction.reason == "its annexation of Crimea"


def test_possessive_imposer_and_against_target(extract) -> None:
    facts = extract("The G-7’s sanctions against Russia remain in place.")
    assert _sanctions(facts) == {(frozenset({"Group_of_Seven"}), "Russia")}


def test_unattributed_sanctions_have_no_imposer(extract) -> None:
    facts = extract("International sanctions on Russia have hurt its economy.")
    assert _sanctions(facts) == {(frozenset(), "Russia")}


def test_a_boycott_is_not_a_sanction(extract) -> None:
    assert extract("Western leaders boycotted the Sochi Olympics in 2014.").sanctions == []


def test_a_sanction_repeated_is_one_fact_with_both_sentences(extract) -> None:
    text = ("The European Union imposed sanctions on Russia in 2014. "
            "The European Union extended its sanctions on Russia on Friday.")
    [sanction] = extract(text).sanctions
    assert len(sanction.spans) == 2


def test_sanctions_on_named_people_target_each_person(extract) -> None:
    """"on Russian President X and Foreign Minister Y": the people, not the demonym's state."""
    facts = extract("The European Union on Thursday slapped sanctions on Russian President "
                    "Vladimir Putin and Foreign Minister Sergei Lavrov.", "2022-02-26")
    assert _sanctions(facts) == {(frozenset({"European_Union"}), "Vladimir_Putin"),
                                 (frozenset({"European_Union"}), "Sergei_Lavrov")}


def test_the_sanctions_refers_back_rather_than_adding_one(extract) -> None:
    facts = extract("Japan imposed sanctions on Russia. Moscow called the sanctions “unfriendly.”",
                    "2022-02-26")
    assert _sanctions(facts) == {(frozenset({"Japan"}), "Russia")}
    assert len(facts.sanctions[0].spans) == 2


def test_sanctions_against_a_capital_hit_its_state(extract) -> None:
    facts = extract("The United States imposed new sanctions against Moscow last week over election "
                    "interference.", "2019-01-14")
    [sanction] = facts.sanctions
    assert (sanction.imposers, sanction.target) == (frozenset({"United_States"}), "Russia")
    assert sanction.reason == "election interference"


def test_an_apposition_does_not_impose(extract) -> None:
    """"Japan, a member of the Group of Seven, has maintained sanctions": Japan, not the G7."""
    facts = extract("Japan, a member of the Group of Seven, has maintained sanctions on Russia since 2014 "
                    "over the annexation of Crimea.", "2017-10-13")
    [sanction] = facts.sanctions
    assert (sanction.imposers, sanction.target) == (frozenset({"Japan"}), "Russia")
    assert sanction.reason == "the annexation of Crimea"
    assert [(m.member, m.organization) for m in facts.memberships] == [("Japan", "Group_of_Seven")]


def test_western_sanctions_and_a_states_decision_to_impose(extract) -> None:
    """"joined Western sanctions": the West imposes too; "regretted Japan's decision to impose
    sanctions": only Japan does, and the regretting state is not an imposer."""
    facts = extract("Tokyo joined Western sanctions against Moscow over the crisis in Ukraine. Russia "
                    "regretted Japan's decision to impose sanctions.", "2014-09-03")
    assert _sanctions(facts) == {(frozenset({"Japan", "Western_countries"}), "Russia"),
                                 (frozenset({"Japan"}), "Russia")}


# -- scoping of imposer and target ---------------------------------------------------------------

def test_by_phrase_keeps_the_target_after_it(extract) -> None:
    """"sanctions by X and Y against Z": X and Y impose, Z is hit; the possessive before is not
    an imposer."""
    facts = extract("Ottawa’s role in sanctions by Britain and Australia against Belarus was debated.")
    assert _sanctions(facts) == {(frozenset({"United_Kingdom", "Australia"}), "Belarus")}


def test_actors_are_read_after_a_subordinating_word(extract) -> None:
    """"Belarus banned X after Norway joined sanctions": Norway joined the sanctions; Belarus banned."""
    facts = extract("Belarus said on Friday it had barred entry to Norwegian Foreign Minister Anniken "
                    "Huitfeldt after Oslo joined European sanctions against Minsk over the crackdown.",
                    "2022-04-01")
    assert _sanctions(facts) == {(frozenset({"Belarus"}), "Anniken_Huitfeldt"),
                                 (frozenset({"Norway", "European_Union"}), "Belarus")}


def test_a_target_stated_earlier_in_the_sentence_carries_over(extract) -> None:
    """"… against X, joining Y in imposing punitive measures": Y's measures hit X too; X, after
    "against", never acts."""
    facts = extract("The European Union on Monday extended sanctions against Belarus, joining Britain "
                    "in imposing punitive measures.", "2021-06-22")
    assert _sanctions(facts) == {(frozenset({"European_Union"}), "Belarus"),
                                 (frozenset({"European_Union", "United_Kingdom"}), "Belarus")}


@pytest.mark.parametrize("text", [
    "European leaders agreed on Friday to impose sanctions against Belarus.",
    "European countries have imposed an arms embargo on Belarus.",
    "European governments tightened sanctions on Belarus last month.",
])
def test_european_leaders_are_europe_as_written(extract, text: str) -> None:
    assert _sanctions(extract(text, "2021-06-22")) == {(frozenset({"Europe"}), "Belarus")}


def test_european_sanctions_stay_the_eus(extract) -> None:
    assert _sanctions(extract("Minsk condemned European sanctions against Belarus.", "2021-06-22")) \
        == {(frozenset({"European_Union"}), "Belarus")}


# -- bans on persons and lists of names -------------------------------------------------------------

@pytest.mark.parametrize(("text", "imposer", "people"), [
    ("Moscow has banned entry to British Prime Minister Boris Johnson, Foreign Secretary Liz Truss "
     "and several other ministers over London’s hostile stance.", "Russia", {"Boris_Johnson", "Liz_Truss"}),
    ("Belarus said on Monday it had barred entry to Canadian Foreign Minister Melanie Joly and 40 "
     "other officials.", "Belarus", {"Melanie_Joly"}),
    ("Iran refused visas to German lawmaker Anna Berger and Senator Tom Ellis.", "Iran",
     {"Anna_Berger", "Tom_Ellis"}),
])
def test_an_entry_ban_is_one_sanction_per_named_person(extract, text: str, imposer: str,
                                                        people: set[str]) -> None:
    facts = extract(text, "2022-04-01")
    assert _sanctions(facts) == {(frozenset({imposer}), person) for person in people}


def test_a_ban_names_its_reason(extract) -> None:
    facts = extract("Moscow has banned entry to British Prime Minister Boris Johnson over the "
                    "hostile stance of the British government.", "2022-04-01")
    assert [s.reason for s in facts.sanctions] == ["the hostile stance of the British government"]


def test_named_people_on_a_list_in_an_article_on_sanctions(extract) -> None:
    text = ("Britain imposed sanctions on Belarus on Monday. A British list includes more than 70 "
            "names, among them Belarusian Interior Minister Ivan Kubrakov and KGB chief Ivan Tertel.")
    assert _sanctions(extract(text, "2021-06-22")) == {
        (frozenset({"United_Kingdom"}), "Belarus"), (frozenset({"United_Kingdom"}), "Ivan_Kubrakov"),
        (frozenset({"United_Kingdom"}), "Ivan_Tertel")}


def test_a_list_is_no_sanction_outside_an_article_on_sanctions(extract) -> None:
    text = "A British list of the best novels includes more than 70 names, among them Tom Ellis."
    assert extract(text).sanctions == []


def test_a_list_that_names_nobody_is_the_sanctions_already_reported(extract) -> None:
    text = ("The European Union imposed sanctions on Belarus on Monday. The EU list contains 88 names, "
            "including senior security officials and four businessmen.")
    [sanction] = extract(text, "2021-06-22").sanctions
    assert (sanction.imposers, sanction.target, len(sanction.spans)) == \
        (frozenset({"European_Union"}), "Belarus", 2)


# -- people named only by number or nationality ------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Canada has placed 30 Belarusians and 12 Russians on its blacklist.",
    "Canada imposed travel bans on 25 Belarusian officials.",
    "Canada has decided to deny visas to 9 Belarusian citizens.",
])
def test_measures_on_unnamed_people_hit_their_state(extract, text: str) -> None:
    assert _sanctions(extract(text, "2021-06-22")) == {(frozenset({"Canada"}), "Belarus")}


def test_unnamed_people_of_a_conflict_hit_the_conflicts_state(extract) -> None:
    """Among "Ukrainians and Belarusians", the state the article's sanctions are against."""
    text = ("Australia imposed sanctions on Belarus in June. Australia later blacklisted 33 "
            "Ukrainians and Belarusians, including freezing assets and visa bans.")
    facts = extract(text, "2021-08-02")
    assert _sanctions(facts) == {(frozenset({"Australia"}), "Belarus")}
    assert len(facts.sanctions[0].spans) == 2


def test_unattributed_measures_on_unnamed_people_are_the_sanctions_reported(extract) -> None:
    text = ("Australia imposed sanctions on Belarus in June. Several dozen Belarusian figures have had "
            "their assets frozen or been denied visas.")
    [sanction] = extract(text, "2021-08-02").sanctions
    assert len(sanction.spans) == 2


# -- what is not a sanction ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The United States is considering new sanctions against Iran.",
    "Britain threatened to impose sanctions on Belarus.",
    "France warned Iran of further sanctions if the talks fail.",
    "The White House said it is planning additional sanctions against Iran.",
    "Sanctions on Iran are being considered in London. New sanctions against Iran are being "
    "considered.",
    "Iran halted trade with Britain and expelled its ambassador.",
    "Both Paris and Berlin warned Tehran there will be additional measures if it does not change course.",
])
def test_planned_threatened_or_unnamed_measures_are_not_sanctions(extract, text: str) -> None:
    assert extract(text, "2021-06-22").sanctions == []


@pytest.mark.parametrize(("text", "targets"), [
    ("The European Union on Monday extended sanctions against Belarus and pro-Russian separatists "
     "in eastern Ukraine.", {"Belarus", "pro-Russian_separatists_in_eastern_Ukraine"}),
    ("Britain punished the separatists in eastern Ukraine.", {"separatists_in_eastern_Ukraine"}),
    ("Washington imposed sanctions on Houthi rebels.", {"Houthi_rebels"}),
])
def test_groups_named_by_what_they_are_are_targets_of_their_own(extract_with_registry, text: str,
                                                                 targets: set[str]) -> None:
    facts, registry = extract_with_registry(text, "2021-06-22")
    assert {s.target for s in facts.sanctions} == targets
    for target in targets - {"Belarus"}:
        assert registry[target].discovered and registry[target].wikidata is None


def test_a_bare_group_noun_names_no_target(extract) -> None:
    assert {s.target for s in extract("Moscow joined sanctions against rebels.").sanctions} != {"rebels"}


def test_a_ban_described_again_cites_the_ban(extract) -> None:
    """"it was banning from Belarus 20 Norwegian citizens": the entry ban reported before, not
    the sanctions that prompted it."""
    text = ("Belarus said it had barred entry to Norwegian Foreign Minister Anniken Huitfeldt after Oslo "
            "joined sanctions against Minsk. The ministry said it was banning from Belarus 20 Norwegian "
            "citizens, including the foreign minister.")
    facts = extract(text, "2022-04-01")
    spans = {s.target: len(s.spans) for s in facts.sanctions}
    assert spans == {"Anniken_Huitfeldt": 2, "Belarus": 1}


@pytest.mark.parametrize("text", [
    "Washington imposed sanctions on three Iranian officials, including Interior Minister Ahmad "
    "Vahidi, over the crackdown.",
    "The United States sanctioned nine Iranian officials such as Interior Minister Ahmad Vahidi.",
])
def test_measures_on_officials_including_a_named_one_target_that_person(extract, text: str) -> None:
    assert _sanctions(extract(text, "2022-10-07")) == {(frozenset({"United_States"}), "Ahmad_Vahidi")}


@pytest.mark.parametrize("text", [
    "Seoul said on Tuesday it would join U.S.-led sanctions against North Korea.",
    "Canberra will impose sanctions on Iran next month.",
])
def test_sanctions_announced_for_later_are_planned(extract, text: str) -> None:
    assert extract(text, "2022-10-07").sanctions == []


@pytest.mark.parametrize(("text", "imposers", "target"), [
    ("The EU, which warned Minsk in March, imposed sanctions on Belarus on Friday.",
     {"European_Union"}, "Belarus"),
    ("Norway, whose fishermen depend on Russian waters, has joined the sanctions against Russia.",
     {"Norway"}, "Russia"),
    ("Moscow imposed counter-sanctions on Norway in 2014.", {"Russia"}, "Norway"),
])
def test_relative_clauses_and_earlier_warnings_do_not_hide_the_imposer(extract, text: str,
                                                                       imposers: set[str], target: str) -> None:
    assert _sanctions(extract(text, "2021-06-22")) == {(frozenset(imposers), target)}
