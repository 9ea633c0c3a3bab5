"""The title grammar's cue tables: well-formed rows, and the words they let a phrase use."""

from __future__ import annotations

import re

import pytest

from dipkg.graph import cues
from dipkg.graph.titles import grammar


def test_every_title_says_whose_office_it_is_by_default() -> None:
    for row in cues.load("titles").rows:
        assert row["of"] in {"state", "organization"}, row
        assert row["leader"] in {"", "yes"}, row


def test_every_modifier_has_a_known_effect() -> None:
    effects = {row["effect"] for row in cues.load("title-modifiers").rows}
    assert effects == {"former", "drop", "rank", "portfolio"}


@pytest.mark.parametrize("title", ["First Deputy Foreign Minister", "vice foreign minister",
                                   "Defence Ministry spokesman", "chief cabinet secretary", "Presidents", "PM"])
def test_rank_and_portfolio_words_compose_with_a_title(title: str) -> None:
    assert re.fullmatch(grammar().title, title, re.IGNORECASE)


@pytest.mark.parametrize("words", ["leader", "nominee", "pm", "foreign", "deputy"])
def test_descriptions_lower_case_abbreviations_and_bare_modifiers_are_not_titles(words: str) -> None:
    assert not re.fullmatch(grammar().title, words, re.IGNORECASE)


def test_a_ranked_leader_title_is_not_a_leader() -> None:
    g = grammar()
    info = g.info("Vice President")
    assert info is not None and info.leader and g.ranked("Vice President")
    assert not g.ranked("President")
    assert g.is_former("then-") and g.is_former("former") and not g.is_former("senior")
