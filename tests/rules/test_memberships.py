"""Memberships: stated or directly implied only."""

from __future__ import annotations

import pytest


def _memberships(facts) -> set[tuple[str, str]]:
    return {(m.member, m.organization) for m in facts.memberships}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Greek Prime Minister Alexis Tsipras has angered his colleagues in the European Union "
         "by courting Moscow.", ("Greece", "European_Union")),
        ("Japan hosts the G-7 summit in Ise-Shima this month.", ("Japan", "Group_of_Seven")),
        ("Italy is a member of the European Union.", ("Italy", "European_Union")),
        ("Germany and other G-7 members were irritated.", ("Germany", "Group_of_Seven")),
    ],
)
def test_stated_or_implied_membership(extract, text: str, expected: tuple[str, str]) -> None:
    assert _memberships(extract(text)) == {expected}


@pytest.mark.parametrize(
    "text",
    ["Japan joined the U.S. and the European Union in penalizing Russia.",
     "Japan has faithfully implemented the G-7 sanctions against Russia.",
     "Japan is cooperating with the G7’s sanctions."],
)
def test_taking_part_in_sanctions_is_not_membership(extract, text: str) -> None:
    assert _memberships(extract(text)) == set()


def test_the_only_asian_member_of_an_organization_is_a_member(extract) -> None:
    assert _memberships(extract("Japan is the only Asian member of the G-7.")) == {
        ("Japan", "Group_of_Seven")}


def test_organization_member_before_the_state(extract) -> None:
    facts = extract("NATO member Turkey bought Russian missiles.")
    assert [(m.member, m.organization) for m in facts.memberships] == [("Turkey", "NATO")]


def test_of_which_a_state_is_a_member(extract) -> None:
    facts = extract("The G-7, of which Japan is the only Asian member, met in Biarritz.")
    assert [(m.member, m.organization) for m in facts.memberships] == [("Japan", "Group_of_Seven")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moscow bristled at its suspension from the G8 over Crimea.", ("Russia", "Group_of_Eight")),
        ("Russia's expulsion from the G-8 ended a long experiment.", ("Russia", "Group_of_Eight")),
        ("Russia was ousted from the Group of Eight in 2014.", ("Russia", "Group_of_Eight")),
    ],
)
def test_a_former_membership_is_a_membership(extract, text: str, expected: tuple[str, str]) -> None:
    """Being ousted or suspended from an organization implies having belonged to it."""
    assert _memberships(extract(text)) == {expected}


def test_hosting_an_organizations_leader_makes_the_guest_a_members_leader(extract) -> None:
    facts = extract("Canadian Prime Minister Justin Trudeau flew to Beijing, where hosting a G7 leader "
                    "was seen as a coup.")
    assert ("Canada", "Group_of_Seven") in _memberships(facts)


def test_a_state_apposed_to_a_member(extract) -> None:
    assert _memberships(extract("Norway, a NATO member, shares a border with Russia.")) == {
        ("Norway", "NATO")}


def test_a_quoted_former_membership_is_the_speakers(extract) -> None:
    assert _memberships(extract("“Russia's expulsion from the G8 was a mistake,” he said.")) == set()


def test_members_listed_after_the_organization(extract) -> None:
    facts = extract("EU member states such as Greece, Cyprus and Hungary oppose new sanctions.")
    assert _memberships(facts) == {(s, "European_Union") for s in ("Greece", "Cyprus", "Hungary")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Japan, the G7's only Asian member, hesitated.", ("Japan", "Group_of_Seven")),
        ("Italy holds the rotating G7 presidency this year.", ("Italy", "Group_of_Seven")),
        ("Japan took over the presidency of the Group of Seven in January.", ("Japan", "Group_of_Seven")),
        ("Leaders met without the G8, from which Russia was suspended in 2014.", ("Russia", "Group_of_Eight")),
    ],
)
def test_apposition_presidency_and_relative_former_membership(extract, text: str,
                                                              expected: tuple[str, str]) -> None:
    assert _memberships(extract(text)) == {expected}


def test_every_membership_cue_row_names_a_form_the_rule_reads() -> None:
    from dipkg.graph import cues
    from dipkg.graph.rules.memberships import FORMS

    assert {row["form"] for row in cues.load("membership-implied").rows} <= FORMS
