"""Territories: claims, control and the names states use, read from what the text says."""

from __future__ import annotations

import pytest


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


# -- control and claim cues in their forms (ontology/cues/territory-control.tsv, -claim.tsv) ----

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fishing boats gathered near the Chinese-held, Vietnamese-claimed Paracel Islands.",
         {("Paracel_Islands", "controlledBy", "China"), ("Paracel_Islands", "claimedBy", "Vietnam")}),
        ("Tokyo raised the Northern Territories, which were seized by the Soviet Union from Japan.",
         {("Northern_Territories", "controlledBy", "Soviet_Union"),
          ("Northern_Territories", "claimedBy", "Japan")}),
        ("Syria, which also claims the Golan Heights, rejected the plan.",
         {("Golan_Heights", "claimedBy", "Syria")}),
        ("Moscow insists on Russia's sovereignty over the Kuril Islands.",
         {("Kuril_Islands", "claimedBy", "Russia")}),
        ("The Spratly Islands lie within Vietnam's exclusive economic zone, Hanoi says.",
         {("Spratly_Islands", "claimedBy", "Vietnam")}),
        ("Transnistria has been under Russia's de facto control since 1992.",
         {("Transnistria", "controlledBy", "Russia")}),
        ("Transnistria remains under Russian rule.", {("Transnistria", "controlledBy", "Russia")}),
        ("Moscow was shunned after it annexed Crimea in Ukraine.",
         {("Crimea", "controlledBy", "Russia"), ("Crimea", "claimedBy", "Ukraine")}),
        ("Western states punished Russia for annexing Ukraine's Crimea.",
         {("Crimea", "controlledBy", "Russia"), ("Crimea", "claimedBy", "Ukraine")}),
        ("After the war, the whole Kuril chain was incorporated into the Soviet Union.",
         {("Kuril_Islands", "controlledBy", "Soviet_Union")}),
        ("The Spratly Islands, claimed by China, Vietnam and the Philippines, are rich in fish.",
         {("Spratly_Islands", "claimedBy", s) for s in ("China", "Vietnam", "Philippines")}),
    ],
)
def test_control_and_claim_forms(extract, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _statements(extract(text)) == expected


def test_a_quoted_claim_is_the_speakers(extract) -> None:
    facts = extract("“The Kuril Islands belong to Japan,” a lawmaker said.")
    assert _statements(facts) == set()


# -- disputes: claimants from the named parties, or the registry's parties the article names ----

def test_dispute_between_named_states(extract) -> None:
    facts = extract("A dispute between Japan and China over the Senkaku Islands flared again.")
    assert _statements(facts) == {("Senkaku_Islands", "claimedBy", "Japan"),
                                  ("Senkaku_Islands", "claimedBy", "China")}


def test_dispute_claimants_are_the_disputing_states_the_article_names(extract) -> None:
    """Taiwan is a party to the Senkaku dispute in the registry, but this text never names it."""
    facts = extract("Japan and China traded barbs. The Senkaku Islands dispute is decades old.")
    assert _statements(facts) == {("Senkaku_Islands", "claimedBy", "Japan"),
                                  ("Senkaku_Islands", "claimedBy", "China")}


def test_a_dispute_with_a_holder_leaves_the_holder_out(extract) -> None:
    facts = extract("Japan and China traded barbs over the disputed Japan-administered Senkaku Islands.")
    assert _statements(facts) == {("Senkaku_Islands", "controlledBy", "Japan"),
                                  ("Senkaku_Islands", "claimedBy", "China")}


def test_a_stated_claimant_overrides_the_dispute(extract) -> None:
    """The dispute only says there are claimants; a sentence that names one is preferred."""
    facts = extract("Taiwan and Japan spoke. A row over the islets, which China claims as Diaoyu, grew.")
    assert ("Senkaku_Islands", "claimedBy", "China") in _statements(facts)
    assert ("Senkaku_Islands", "claimedBy", "Taiwan") not in _statements(facts)


# -- discourse: lists, appositions, anaphors (graph/discourse/territories.py) -------------------

def test_a_list_of_islands_gives_each_island(extract) -> None:
    facts = extract("Japan and Russia argue over the disputed Kunashir and Shikotan islands.")
    assert _statements(facts) == {(t, "claimedBy", s) for t in ("Kunashir", "Shikotan")
                                  for s in ("Japan", "Russia")}


def test_an_apposition_gives_the_members_and_the_group(extract) -> None:
    facts = extract("Shikotan and Habomai, two of the four Russian-held islands, were offered in 1956.")
    assert _statements(facts) == {(t, "controlledBy", "Russia")
                                  for t in ("Shikotan", "Habomai", "Northern_Territories")}


def test_these_islands_are_the_islands_just_listed(extract) -> None:
    facts = extract("Japan challenged the ownership of Iturup and Kunashir. "
                    "Russia's sovereignty over these islands is firm, Moscow says.")
    assert _statements(facts) == {(t, "claimedBy", s) for t in ("Iturup", "Kunashir")
                                  for s in ("Japan", "Russia")}


def test_the_island_is_the_single_island_named_before(extract) -> None:
    facts = extract("Kunashir lies closest to Hokkaido. The island is held by Russia.")
    assert _statements(facts) == {("Kunashir", "controlledBy", "Russia")}


def test_a_shoal_named_later_is_what_the_headline_means(extract) -> None:
    facts = extract("Manila protests near a disputed shoal\n\nChinese ships blocked boats near the "
                    "Ruby Shoal, claimed by the Philippines.")
    assert _statements(facts) == {("Ruby_Shoal", "claimedBy", "Philippines")}


def test_an_unknown_territory_is_discovered_without_its_determiner(extract_with_registry) -> None:
    facts, registry = extract_with_registry("The Ruby Shoal, claimed by Vietnam and Malaysia, lies far "
                                            "from shore.")
    assert _statements(facts) == {("Ruby_Shoal", "claimedBy", "Vietnam"),
                                  ("Ruby_Shoal", "claimedBy", "Malaysia")}
    entity = registry["Ruby_Shoal"]
    assert entity.label == "Ruby Shoal" and entity.wikidata is None


# -- names (ontology/cues/territory-naming.tsv) --------------------------------------------------

def test_known_as_in_one_state_and_in_another(extract) -> None:
    facts = extract("The Spratly Islands, known as Truong Sa in Vietnam and Nansha in China, are rich "
                    "in fish.")
    assert _names(facts) == {("Spratly_Islands", "Vietnam", "Truong Sa"),
                             ("Spratly_Islands", "China", "Nansha")}


def test_an_unknown_place_does_not_break_the_chain(extract) -> None:
    facts = extract("The Spratly Islands, known as Kalayaan in Palawan and Nansha in China, are far away.")
    assert _names(facts) == {("Spratly_Islands", "China", "Nansha")}


def test_what_one_calls_the_archipelago_and_the_other_the_group_is_one_referent(extract) -> None:
    """Two registry names of one referent: the narrower (the disputed group) is meant."""
    facts = extract("Putin spoke of what Russia calls the Kuril Islands and Japan calls the Northern "
                    "Territories.")
    assert _names(facts) == {("Northern_Territories", "Russia", "Kuril Islands"),
                             ("Northern_Territories", "Japan", "Northern Territories")}


def test_which_a_state_claims_as_a_name(extract) -> None:
    facts = extract("Japan administers the Senkakus, which China claims as Diaoyu.")
    assert _names(facts) == {("Senkaku_Islands", "China", "Diaoyu")}
    assert _statements(facts) == {("Senkaku_Islands", "controlledBy", "Japan"),
                                  ("Senkaku_Islands", "claimedBy", "China")}


def test_a_name_in_a_language(extract) -> None:
    facts = extract("Chinese ships sailed near the islands (Senkaku in Japanese) on Monday.")
    assert _names(facts) == {("Senkaku_Islands", "Japan", "Senkaku")}


def test_called_a_name_in_a_state(extract) -> None:
    facts = extract("Russia holds several small islets called the Habomai Islands in Japan.")
    assert ("Habomai", "Japan", "Habomai Islands") in _names(facts)


def test_the_country_is_the_state_named_last(extract) -> None:
    facts = extract("Japan protested again. The islands are known as the Northern Territories in the "
                    "Asian country.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fishermen still visit the islands, which Japan claims.",
         set()),  # no territory named: nothing to attach the claim to
        ("Tokyo raised the Kuril Islands, which Japan claims.", {("Kuril_Islands", "claimedBy", "Japan")}),
        ("Talks covered Shikotan, which the Soviet Union seized in 1945.",
         {("Shikotan", "controlledBy", "Soviet_Union")}),
        ("Soviet troops seized the Kuril Islands in 1945.", {("Kuril_Islands", "controlledBy", "Soviet_Union")}),
        ("China claims the Paracel Islands as its own.", {("Paracel_Islands", "claimedBy", "China")}),
    ],
)
def test_relative_clauses_and_armed_forces(extract, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _statements(extract(text)) == expected


def test_an_adjective_does_not_reach_across_a_preposition(extract) -> None:
    facts = extract("Crimea was tense. Kremlin-backed media in the region praised the vote.")
    assert _statements(facts) == set()


def test_the_central_government_is_the_state_whose_government_was_named(extract) -> None:
    facts = extract("The Moldovan government proposed a new law. "
                    "The plan would put Transnistria under direct control of the central government.")
    assert _statements(facts) == {("Transnistria", "controlledBy", "Moldova")}


def test_what_a_state_calls_its_territory(extract) -> None:
    facts = extract("Abe promised to recover what Japan calls its Northern Territories.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hanoi and Manila both claim the Spratly Islands.",
         {("Spratly_Islands", "claimedBy", "Vietnam"), ("Spratly_Islands", "claimedBy", "Philippines")}),
        ("Beijing regards the Paracel Islands as Chinese territory.", {("Paracel_Islands", "claimedBy", "China")}),
        ("The Paracel Islands are claimed in full by Vietnam.", {("Paracel_Islands", "claimedBy", "Vietnam")}),
        ("China has built a runway on Fiery Cross Reef, which it seized from Vietnam in 1988.",
         {("Fiery_Cross_Reef", "controlledBy", "China"), ("Fiery_Cross_Reef", "claimedBy", "Vietnam")}),
        ("Abe visited the Russian-held islands of Iturup and Kunashir.",
         {("Iturup", "controlledBy", "Russia"), ("Kunashir", "controlledBy", "Russia")}),
    ],
)
def test_several_claimants_regarding_and_islands_of(extract, text: str,
                                                     expected: set[tuple[str, str, str]]) -> None:
    assert _statements(extract(text)) == expected


def test_a_name_with_its_verb_left_out(extract) -> None:
    facts = extract("The dispute is over four islands, which Russia calls the Southern Kurils and "
                    "Japan the Northern Territories.")
    assert _names(facts) == {("Northern_Territories", "Russia", "Southern Kurils"),
                             ("Northern_Territories", "Japan", "Northern Territories")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks stalled again. The Paracel Islands became Chinese territory in 1974.",
         {("Paracel_Islands", "controlledBy", "China")}),
        ("Abkhazia became part of Russia's sphere, critics say; Georgia wants Abkhazia back.",
         {("Abkhazia", "claimedBy", "Georgia")}),
        ("Beijing considers the Spratly Islands part of China.", {("Spratly_Islands", "claimedBy", "China")}),
        ("Georgia wants the region back. South Ossetia has been quiet.",
         {("South_Ossetia", "claimedBy", "Georgia")}),
    ],
)
def test_becoming_territory_and_wanting_it_back(extract, text: str,
                                                 expected: set[tuple[str, str, str]]) -> None:
    assert _statements(extract(text)) == expected


def test_a_garrison_is_a_holding(extract) -> None:
    facts = extract("Russia has deployed new missile systems on the Kuril Islands.")
    assert _statements(facts) == {("Kuril_Islands", "controlledBy", "Russia")}


def test_the_south_is_the_south_state_the_article_names(extract) -> None:
    """"The South" alone names the one "South …" state of the article, here South Korea."""
    facts = extract("Seoul and Pyongyang traded threats. South Korea protested. "
                    "The South has stationed marines since 1970 on the Liancourt Rocks.")
    assert _statements(facts) == {("Liancourt_Rocks", "controlledBy", "South_Korea")}


def test_stationed_near_is_not_a_holding(extract) -> None:
    assert _statements(extract("China has stationed ships near the Senkaku Islands.")) == set()


def test_capitalized_words_before_a_noun_are_no_name(extract) -> None:
    facts = extract("Near the Spratly Islands, China protested what Vietnam calls Eastern Sea bullying "
                    "and what Manila calls Western aggression.")
    assert _names(facts) == set()


def test_its_annexation_is_the_state_named_before(extract) -> None:
    facts = extract("Moscow faced sanctions after its annexation of Crimea.")
    assert _statements(facts) == {("Crimea", "controlledBy", "Russia")}


def test_the_archipelago_a_state_gives_another_name_is_the_group(extract) -> None:
    """"The Kuril Islands, which Japan calls the Northern Territories": the disputed group."""
    facts = extract("Putin visited the Kuril Islands, which Japan calls the Northern Territories. "
                    "Japan claims the Kuril Islands.")
    assert _names(facts) == {("Northern_Territories", "Japan", "Northern Territories")}
    assert _statements(facts) == {("Northern_Territories", "claimedBy", "Japan")}


def test_the_archipelago_alone_stays_the_archipelago(extract) -> None:
    facts = extract("After the war, the Soviet Union seized the Kuril Islands.")
    assert _statements(facts) == {("Kuril_Islands", "controlledBy", "Soviet_Union")}


def test_both_countries_are_the_two_states_the_article_names(extract) -> None:
    facts = extract("Japan and Russia met again. Talks focused on the Northern Territories, which both "
                    "countries claim.")
    assert _statements(facts) == {("Northern_Territories", "claimedBy", "Japan"),
                                  ("Northern_Territories", "claimedBy", "Russia")}


def test_claims_where_several_states_have_claims(extract) -> None:
    facts = extract("Beijing claims most of the South China Sea, including the Spratly Islands, where "
                    "Vietnam and Malaysia also have competing claims.")
    assert _statements(facts) == {("Spratly_Islands", "claimedBy", s) for s in ("China", "Vietnam", "Malaysia")}


def test_states_that_spar_over_a_shoal_are_its_parties(extract) -> None:
    facts = extract("Manila and Beijing have sparred over Ruby Shoal, where Philippine marines are "
                    "stationed on an old ship.")
    assert _statements(facts) == {("Ruby_Shoal", "controlledBy", "Philippines"),
                                  ("Ruby_Shoal", "claimedBy", "China")}


def test_building_on_a_reef_is_holding_it(extract) -> None:
    facts = extract("China has built an airstrip on Fiery Cross Reef.")
    assert _statements(facts) == {("Fiery_Cross_Reef", "controlledBy", "China")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks covered the Southern Kurils, as Russia calls them.",
         {("Northern_Territories", "Russia", "Southern Kurils")}),
        ("Patrols neared Diaoyu, the Chinese name for the islets.", {("Senkaku_Islands", "China", "Diaoyu")}),
        ("Ships sailed near Etorofu, as the island is known in Japan.", {("Iturup", "Japan", "Etorofu")}),
    ],
)
def test_the_name_before_its_attribution(extract, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _names(extract(text)) == expected


def test_an_annexed_territory(extract) -> None:
    facts = extract("Tourism in Russia-annexed Crimea has collapsed.")
    assert _statements(facts) == {("Crimea", "controlledBy", "Russia")}


def test_every_cue_row_names_a_form_the_rules_read() -> None:
    """A typo in a table's form column would silently drop the row: the tables are checked."""
    from dipkg.graph import cues
    from dipkg.graph.rules.territories import FORMS, NAMING_USES

    for name, forms in FORMS.items():
        table = cues.load(name)
        assert {row["form"] for row in table.rows} <= forms, name
    naming = cues.load("territory-naming")
    assert {row["use"] for row in naming.rows} <= NAMING_USES
    assert all("{name}" in row["cue"] for row in naming.rows)


def test_a_participle_clause_takes_the_state_named_before(extract) -> None:
    facts = extract("Russia, which was expelled from the G8 after annexing Crimea, protested.")
    assert _statements(facts) == {("Crimea", "controlledBy", "Russia")}
