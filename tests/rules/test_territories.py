"""Territories: claims, control and the names states use, read from what the text says."""

from __future__ import annotations


def _statements(facts) -> set[tuple[str, str, str]]:
    return {(t.territory, t.predicate, t.state) for t in facts.territory_statements}


def _names(facts) -> set[tuple[str, str, str]]:
    return {(n.territory, n.state, n.name) for n in facts.territory_names}


def test_names_attributed_to_tokyo_and_moscow(extract) -> None:
    """"known to Tokyo as …" / "Moscow calls them …": a name per state, capitals standing for states."""
    facts = extract("The dispute concerns four islands known to Tokyo as the Northern Territories. "
                    "Moscow calls them the Southern Kurils.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories"),
                             ("Northern_Territories", "Russia", "Southern Kurils")}


def test_a_newspapers_own_name_is_not_attributed(extract) -> None:
    facts = extract("The islands, known as the Northern Territories, lie off Hokkaido.")
    assert _names(facts) == set()


def test_claimed_by_one_state_under_anothers_control(extract) -> None:
    facts = extract("The Northern Territories, claimed by Japan but under Russian control, "
                    "remain a thorny issue.")
    assert _statements(facts) == {("Northern_Territories", "claimedBy", "Japan"),
                                  ("Northern_Territories", "controlledBy", "Russia")}


def test_the_islands_refer_to_the_territory_named_in_the_article(extract) -> None:
    facts = extract("Talks on the Northern Territories stalled. "
                    "The islands, claimed by Japan but under Russian control, were seized in 1945.")
    assert _statements(facts) == {("Northern_Territories", "claimedBy", "Japan"),
                                  ("Northern_Territories", "controlledBy", "Russia")}


def test_annexation_of_ukraines_crimea(extract) -> None:
    """Controlled by the annexing state, claimed by the other (never by the controller)."""
    facts = extract("The West condemned Russia’s annexation of Ukraine’s Crimea.")
    assert _statements(facts) == {("Crimea", "controlledBy", "Russia"),
                                  ("Crimea", "claimedBy", "Ukraine")}


def test_regaining_islands_is_a_claim(extract) -> None:
    facts = extract("Japan wants to regain the Northern Territories.")
    assert _statements(facts) == {("Northern_Territories", "claimedBy", "Japan")}


def test_territory_statement_spans_are_the_stating_sentence(extract) -> None:
    text = "Relations are calm. The West condemned Russia’s annexation of Ukraine’s Crimea."
    facts = extract(text)
    assert facts.territory_statements
    for t in facts.territory_statements:
        assert [text[b:e] for b, e in t.spans] == ["The West condemned Russia’s annexation of Ukraine’s Crimea."]


def test_a_naming_cue_may_open_the_sentence(extract) -> None:
    """"Known as … in Japan, the islands …, where they are known as …": both names, any case."""
    facts = extract("Known as the Northern Territories in Japan, the four disputed islands belong to "
                    "Russia, where they are known as the Southern Kuriles.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories"),
                             ("Northern_Territories", "Russia", "Southern Kuriles")}


def test_names_in_two_states_in_one_phrase(extract) -> None:
    """"known in Japan as X and in Russia as Y"."""
    facts = extract("The islands, known in Japan as the Northern Territories and in Russia as the "
                    "Southern Kuriles, were seized at the end of the war.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories"),
                             ("Northern_Territories", "Russia", "Southern Kuriles")}


def test_annexed_from_names_the_claimant(extract) -> None:
    facts = extract("Russia annexed Crimea from Ukraine in 2014.")
    assert _statements(facts) == {("Crimea", "controlledBy", "Russia"), ("Crimea", "claimedBy", "Ukraine")}


def test_all_four_islands_listed_are_their_group(extract) -> None:
    facts = extract("Japan claims all four islands, Etorofu, Kunashiri, Shikotan and the Habomai islets.")
    assert _statements(facts) == {("Northern_Territories", "claimedBy", "Japan")}


def test_called_x_by_one_state_and_y_by_another(extract) -> None:
    facts = extract("The islands, called the Northern Territories by Japan and the Southern Kurils by "
                    "Russia, were seized in 1945.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories"),
                             ("Northern_Territories", "Russia", "Southern Kurils")}


def test_has_controlled_and_which_calls_them(extract) -> None:
    """Lower-case place names match too ("the southern Kuril islands")."""
    facts = extract("Russia has controlled the southern Kuril islands since 1945. Japan, which calls "
                    "them the Northern Territories, says they were illegally occupied.")
    assert ("Northern_Territories", "controlledBy", "Russia") in _statements(facts)
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories")}
