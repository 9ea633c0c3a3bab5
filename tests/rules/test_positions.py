"""Positions: formal titles before a name or in an apposition; descriptions are not positions."""

from __future__ import annotations

import pytest


def _positions(facts) -> set[tuple[str, str, str | None]]:
    return {(p.holder, p.role, p.of) for p in facts.positions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian President Vladimir Putin arrived in Tokyo on Thursday.",
         ("Vladimir_Putin", "President", "Russia")),
        ("German Chancellor Angela Merkel arrived in Tokyo on Sunday.",
         ("Angela_Merkel", "Chancellor", "Germany")),
        ("Chinese Foreign Minister Wang Yi spoke on Monday.", ("Wang_Yi", "Foreign Minister", "China")),
        ("Japanese Prime Minister Shinzo Abe spoke on Friday.",
         ("Shinzo_Abe", "Prime Minister", "Japan")),
    ],
)
def test_demonym_title_name_gives_role_of_the_state(extract, text: str, expected: tuple) -> None:
    assert _positions(extract(text)) == {expected}


def test_title_without_demonym_takes_the_state_from_the_registry(extract) -> None:
    assert _positions(extract("Prime Minister Shinzo Abe spoke on Friday.")) == {
        ("Shinzo_Abe", "Prime Minister", "Japan")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Kremlin spokesman Dmitry Peskov declined to comment.", ("Dmitry_Peskov", "spokesman", "Kremlin")),
     ("State Department spokesman John Kirby said so.",
      ("John_Kirby", "spokesman", "United_States_Department_of_State"))],
)
def test_organization_spokesman_name_gives_role_of_the_organization(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


def test_apposition_title_at_university_gives_role_of_the_university(extract) -> None:
    facts = extract("The deal is fragile, said James Brown, an associate professor at Temple University "
                    "in Tokyo.")
    assert _positions(facts) == {("James_Brown", "associate professor", "Temple_University")}


def test_apposition_head_of_committee_gives_a_position(extract) -> None:
    facts = extract("Alexei Pushkov, head of the foreign affairs committee of the State Duma, disagreed.")
    [(holder, role, of)] = _positions(facts)
    assert holder == "Alexei_Pushkov"
    assert role.startswith("head of the foreign affairs committee")
    assert of == "State_Duma"


@pytest.mark.parametrize(
    ("text", "person"),
    [("Sergei Karaganov, a Putin confidant, disagreed.", "Sergei_Karaganov"),
     ("Andrew Kuchins, an expert on Russia at Georgetown University, disagreed.", "Andrew_Kuchins"),
     ("Former Russian spy Sergei Skripal was poisoned in Britain.", "Sergei_Skripal"),
     ("Ivan Petrov, a close friend of the president, declined to comment.", "Ivan_Petrov")],
)
def test_descriptions_are_not_positions(extract_with_registry, text: str, person: str) -> None:
    facts, registry = extract_with_registry(text)
    assert person in registry.entities  # the person was recognised ...
    assert facts.positions == []  # ... but described, not given a title


def test_a_position_stated_twice_is_one_fact_with_both_sentences(extract) -> None:
    text = ("Kremlin spokesman Dmitry Peskov declined to comment on Monday. "
            "On Tuesday, Kremlin spokesman Dmitry Peskov said talks would continue.")
    [position] = extract(text).positions
    assert len(position.spans) == 2


def test_lowercase_apposition_title_of_state_is_a_position(extract) -> None:
    assert _positions(extract("Shinzo Abe, the prime minister of Japan, spoke on Friday.")) == {
        ("Shinzo_Abe", "prime minister", "Japan")}


def test_department_secretary_title(extract) -> None:
    facts = extract("Treasury Secretary Steven Mnuchin said so.", "2019-01-14")
    assert [(p.holder, p.role) for p in facts.positions] == [("Steven_Mnuchin", "Treasury Secretary")]


def test_ambassador_to_a_state(extract) -> None:
    facts = extract("Russian Ambassador to Japan Mikhail Galuzin was summoned on Friday.", "2017-10-13")
    assert [(p.holder, p.role, p.of) for p in facts.positions] == [
        ("Mikhail_Galuzin", "Ambassador to Japan", "Russia")]


@pytest.mark.parametrize("text", [
    "Taro Kono, Japan's foreign minister, said the talks were useful.",
    "Japan's foreign minister, Taro Kono, said the talks were useful.",
    "Kono, the Japanese foreign minister, said the talks were useful.",
])
def test_title_with_a_possessive_or_demonym_around_the_name(extract, text: str) -> None:
    facts = extract(text, "2018-11-20")
    assert [(p.holder, p.role.lower(), p.of) for p in facts.positions] == [("Taro_Kono", "foreign minister", "Japan")]


# -- offices read from the person phrase (graph.mentions, graph.titles) -----------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("John Smith, a senior British deputy trade minister, said the talks had stalled.",
     ("John_Smith", "deputy trade minister", "United_Kingdom")),
    ("Anna Weber, the German defence minister, arrived in Riga on Monday.",
     ("Anna_Weber", "defence minister", "Germany")),
    ("Pierre Martin, a senior French diplomat and deputy foreign minister, declined to comment.",
     ("Pierre_Martin", "deputy foreign minister", "France")),
])
def test_apposition_with_modifiers_and_a_demonym_gives_the_state_office(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


@pytest.mark.parametrize(("text", "expected"), [
    ("Britain's ambassador to France, Jane Doe, said so.", ("Jane_Doe", "ambassador to France", "United_Kingdom")),
    ("The Russian foreign minister, Sergei Lavrov, said so.", ("Sergei_Lavrov", "foreign minister", "Russia")),
    ("Japan's top trade negotiator met Canada's trade minister, John Miller, on Friday.",
     ("John_Miller", "trade minister", "Canada")),
])
def test_title_before_a_name_in_commas(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


@pytest.mark.parametrize(("text", "expected"), [
    ("Former president Barack Obama spoke in Chicago.", ("Barack_Obama", "president", "United_States")),
    ("Then-Prime Minister Shinzo Abe visited Moscow in 2016.", ("Shinzo_Abe", "Prime Minister", "Japan")),
    ("The talks were proposed by ex-Chancellor Angela Merkel.", ("Angela_Merkel", "Chancellor", "Germany")),
    ("Ivan Petrov, a former Russian deputy prime minister, said so.",
     ("Ivan_Petrov", "deputy prime minister", "Russia")),
])
def test_former_offices_are_positions(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


def test_pm_is_prime_minister_only_in_capitals(extract) -> None:
    assert _positions(extract("PM Abe will fly to Sochi on Friday.")) == {("Shinzo_Abe", "Prime Minister", "Japan")}
    assert _positions(extract("At 3 pm Abe flew to Sochi.")) == set()


def test_a_plural_title_is_each_coordinated_persons(extract) -> None:
    facts = extract("Presidents Emmanuel Macron and Vladimir Putin met in Paris on Monday.")
    assert _positions(facts) == {("Emmanuel_Macron", "President", "France"),
                                 ("Vladimir_Putin", "President", "Russia")}


def test_titled_coordinated_people_each_get_their_office(extract) -> None:
    facts = extract("German Chancellor Angela Merkel and French President Emmanuel Macron met in Berlin.")
    assert _positions(facts) == {("Angela_Merkel", "Chancellor", "Germany"),
                                 ("Emmanuel_Macron", "President", "France")}


@pytest.mark.parametrize(("text", "expected"), [
    ("Chinese Defence Ministry spokesman Li Wei said so.", ("Li_Wei", "Defence Ministry spokesman", "China")),
    ("Russian Foreign Ministry spokeswoman Maria Zakharova said so.",
     ("Maria_Zakharova", "Foreign Ministry spokeswoman", "Russia")),
])
def test_a_ministry_spokesperson_is_of_the_ministrys_state(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


@pytest.mark.parametrize(("text", "expected"), [
    ("Officials summoned Wang Lei, the deputy chief of mission at the Chinese embassy in Seoul, on Monday.",
     ("Wang_Lei", "deputy chief of mission", "China")),
    ("The protest was lodged with Kim Min, a minister at the South Korean embassy in Tokyo.",
     ("Kim_Min", "minister", "South_Korea")),
])
def test_an_office_at_a_states_embassy_is_of_that_state(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


@pytest.mark.parametrize("text", [
    "Japanese Foreign Minister Taro Kono and his visiting Russian counterpart, Sergei Lavrov, met in Tokyo.",
    "Japanese Foreign Minister Taro Kono met his Russian counterpart Sergei Lavrov in Moscow.",
])
def test_a_counterpart_holds_the_same_office_for_its_state(extract, text) -> None:
    assert ("Sergei_Lavrov", "Foreign Minister", "Russia") in _positions(extract(text, "2019-02-15"))


def test_offices_listed_after_officials_such_as_are_the_states(extract) -> None:
    facts = extract("The list names senior Russian officials such as deputy prime minister Ivan Petrov "
                    "and energy minister John Orlov.")
    assert _positions(facts) == {("Ivan_Petrov", "deputy prime minister", "Russia"),
                                 ("John_Orlov", "energy minister", "Russia")}


@pytest.mark.parametrize(("text", "person"), [
    ("North Korean leader Kim Jong Un arrived in Hanoi.", "Kim_Jong_Un"),
    ("The Republican nominee John Smith spoke in Ohio.", "John_Smith"),
])
def test_leader_and_nominee_are_descriptions(extract_with_registry, text, person) -> None:
    facts, registry = extract_with_registry(text)
    assert person in registry.entities
    assert facts.positions == []


def test_a_title_stated_only_inside_a_quotation_is_not_a_position(extract) -> None:
    facts = extract('"We told Deputy Foreign Minister Ivan Petrov so," said John Smith.')
    assert ("Ivan_Petrov", "Deputy Foreign Minister", None) not in _positions(facts)
    assert all(p.holder != "Ivan_Petrov" for p in facts.positions)


@pytest.mark.parametrize(("text", "expected"), [
    ("Sanctions hit Rosneft chairman Igor Sechin on Monday.", ("Igor_Sechin", "chairman", "Rosneft")),
    ("The visit was led by Harvard professor Jane Doe.", ("Jane_Doe", "professor", "Harvard")),
    ("The list names the chairman of the state-owned gas giant Gazprom, Alexei Miller.",
     ("Alexei_Miller", "chairman", "Gazprom")),
])
def test_a_capitalised_word_before_an_organization_office_is_the_organization(extract, text, expected) -> None:
    assert _positions(extract(text)) == {expected}


@pytest.mark.parametrize(("text", "expected"), [
    ("Prime Minister Ivan Petrov of Russia met Abe.", ("Ivan_Petrov", "Prime Minister", "Russia")),
    ("Talks with Foreign Minister John Carter of Canada ended.", ("John_Carter", "Foreign Minister", "Canada")),
])
def test_the_state_after_a_titled_name(extract, text, expected) -> None:
    assert expected in _positions(extract(text))


def test_a_ministry_spokesperson_with_no_state_said_gets_none_from_the_ministry(extract) -> None:
    facts = extract("Foreign Ministry spokesman John Carter said so.")
    assert _positions(facts) == {("John_Carter", "Foreign Ministry spokesman", None)}
