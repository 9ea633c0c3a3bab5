"""The shallow clause splitter: each event of a sentence keeps its own clause."""

from __future__ import annotations

import itertools

import pytest

from dipkg.graph.clauses import clause_at, extent, split


def _clauses(masked: str) -> list[tuple[str, str]]:
    return [(c.kind, c.text(masked)) for c in split(masked)]


def test_clauses_cover_the_sentence_without_gaps() -> None:
    masked = "⟦P0⟧ met ⟦P1⟧ in ⟦C2⟧; the talks ran late, officials said, when the deal was ready."
    found = split(masked)
    assert found[0].begin == 0 and found[-1].end == len(masked)
    assert all(a.end == b.begin for a, b in itertools.pairwise(found))


def test_a_reporting_verb_then_after_opens_the_meeting_clause() -> None:
    masked = "⟦P0⟧ will tour ⟦C1⟧ in ⟦D2⟧, his aides said after a ⟦P0⟧-⟦P3⟧ meeting at a forum in ⟦C4⟧."
    assert _clauses(masked) == [
        ("main", "⟦P0⟧ will tour ⟦C1⟧ in ⟦D2⟧"),
        ("reporting", ", his aides said "),
        ("subordinate", "after a ⟦P0⟧-⟦P3⟧ meeting at a forum in ⟦C4⟧."),
    ]


@pytest.mark.parametrize("masked, reporting", [
    ("⟦P0⟧ will hold talks with ⟦P1⟧, said ⟦P2⟧.", ", said ⟦P2⟧."),
    ("The two will meet ⟦D0⟧, according to diplomats.", ", according to diplomats."),
    ("⟦P0⟧ flew to ⟦C1⟧, the ⟦O2⟧ newspaper reported on ⟦D3⟧.", ", the ⟦O2⟧ newspaper reported on ⟦D3⟧."),
])
def test_reporting_clauses_at_the_end_are_their_own(masked: str, reporting: str) -> None:
    assert _clauses(masked)[-1] == ("reporting", reporting)


def test_a_verb_after_and_is_not_a_reporting_clause() -> None:
    masked = "⟦P0⟧ met ⟦P1⟧, then ⟦P0⟧ went home and said nothing."
    assert [kind for kind, _ in _clauses(masked)] == ["main"]


def test_a_sentence_initial_when_clause_ends_at_its_comma() -> None:
    masked = "When ⟦P0⟧ visited ⟦C1⟧ in ⟦D2⟧, ⟦P3⟧ stayed away."
    assert _clauses(masked) == [("subordinate", "When ⟦P0⟧ visited ⟦C1⟧ in ⟦D2⟧, "),
                                ("main", "⟦P3⟧ stayed away.")]


@pytest.mark.parametrize("separator", ["; ", " — ", ", but ", ", while "])
def test_coordinate_breaks_start_a_new_clause(separator: str) -> None:
    masked = f"⟦P0⟧ met ⟦P1⟧ in ⟦C2⟧{separator}⟦P3⟧ is to visit ⟦S4⟧ in ⟦D5⟧."
    assert clause_at(masked, masked.index("visit")).text(masked).strip().startswith("⟦P3⟧ is to visit")
    assert "⟦D5⟧" not in clause_at(masked, masked.index("met")).text(masked)


def test_an_embedded_relative_clause_lets_the_outer_clause_resume() -> None:
    masked = "⟦P0⟧ may tour the ⟦T1⟧, which ⟦S2⟧ calls the ⟦T3⟧, as soon as ⟦D4⟧."
    found = split(masked)
    assert [c.kind for c in found] == ["main", "relative", "resumed"]
    begin, end = extent(found, found[0])
    assert masked[begin:end].endswith("as soon as ⟦D4⟧.")


def test_a_relative_clause_closing_the_sentence_does_not_resume() -> None:
    masked = "⟦P0⟧ welcomed ⟦P1⟧, who had arrived in ⟦C2⟧ ⟦D3⟧."
    found = split(masked)
    assert [c.kind for c in found] == ["main", "relative"]
    assert extent(found, found[0]) == (found[0].begin, found[0].end)
