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
