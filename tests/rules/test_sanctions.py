"""Sanctions: imposers, target (Russia when implied) and reason."""

from __future__ import annotations


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
