"""Stage 3: mentions — registry names, discovered people, surnames, metonymy and pronouns."""

from __future__ import annotations

from pathlib import Path

import pytest

from dipkg.graph.articles import Article, PartialDate, load_articles
from dipkg.graph.build import _finder
from dipkg.graph.mentions import ArticleMentions, Mention, SentenceView

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _find(text: str, published: str = "2016-05-06") -> ArticleMentions:
    registry, finder = _finder()
    article = Article("test.txt", text, PartialDate.parse(published, "test"))
    return finder.find(article, registry.copy())


def _named(view: SentenceView, surface: str) -> Mention:
    [mention] = [m for m in view.mentions if m.surface == surface]
    return mention


def test_every_seed_mention_is_the_article_text_between_its_offsets() -> None:
    for article in load_articles(SEEDS):
        registry, finder = _finder()
        for view in finder.find(article, registry.copy()).views:
            s = view.sentence
            for m in view.mentions:
                assert article.text[m.begin : m.end] == m.surface, (article.file_name, m)
                assert s.begin <= m.begin and m.end <= s.end


def test_registry_names_and_demonyms_are_found() -> None:
    [view] = _find("Russian President Vladimir Putin met Abe in Tokyo.").views
    assert _named(view, "Russian").entity == "Russia" and _named(view, "Russian").demonym
    assert _named(view, "Vladimir Putin").entity == "Vladimir_Putin"
    assert _named(view, "Abe").entity == "Shinzo_Abe"
    assert _named(view, "Tokyo").entity == "Tokyo"
    assert view.masked == "⟦P1⟧ met ⟦P2⟧ in ⟦C3⟧."  # the person phrase is one token


def test_people_and_organizations_unknown_to_the_registry_are_discovered() -> None:
    mentions = _find("James Brown, an associate professor at Temple University, disagreed.")
    [view] = mentions.views
    assert _named(view, "James Brown").entity == "James_Brown"
    assert _named(view, "James Brown").letter == "P"
    assert _named(view, "Temple University").entity == "Temple_University"
    assert _named(view, "Temple University").letter == "O"


def test_surname_and_mr_surname_refer_to_the_person_named_in_full() -> None:
    views = _find("James Brown, an associate professor at Temple University, disagreed. "
                  "Mr. Brown said the talks would fail. Brown added that Moscow would not budge.").views
    assert _named(views[1], "Brown").entity == "James_Brown"
    assert _named(views[2], "Brown").entity == "James_Brown"


def test_surname_refers_to_the_person_last_named_in_full() -> None:
    views = _find("Robert Brown, a lawmaker, visited Moscow in March. "
                  "James Brown, an associate professor at Temple University, disagreed with the trip. "
                  "Mr. Brown said the talks would fail.").views
    assert _named(views[2], "Brown").entity == "James_Brown"


def test_the_obama_administration_names_the_united_states() -> None:
    [view] = _find("The Obama administration objected to the visit.").views
    mention = _named(view, "Obama")
    assert (mention.entity, mention.letter) == ("United_States", "S")


def test_her_resolves_to_a_female_person_named_later_in_the_sentence() -> None:
    [view] = _find("During her visit to Japan, Chancellor Angela Merkel urged Abe to stand firm.").views
    her = _named(view, "her")
    assert her.pronoun and her.entity == "Angela_Merkel"


def test_he_resolves_to_the_subject_of_the_previous_sentence() -> None:
    views = _find("Putin met Abe in Sochi. He said the talks were useful.").views
    he = _named(views[1], "He")
    assert he.pronoun and he.entity == "Vladimir_Putin"


def test_he_does_not_resolve_to_a_woman() -> None:
    views = _find("Chancellor Angela Merkel met Abe in Tokyo. He said the talks were useful.").views
    assert _named(views[1], "He").entity == "Shinzo_Abe"


def test_quotations_are_blanked_in_the_unquoted_view() -> None:
    [view] = _find("“Putin will never give back the islands,” Abe said.").views
    assert view.unquoted == "“…” ⟦P1⟧ said."  # tokens keep the mention numbers
    assert "⟦P0⟧" in view.masked and "⟦P1⟧" in view.masked


def test_a_longer_place_name_that_contains_a_state_is_not_the_state() -> None:
    [view] = _find("Fishermen on Lake Chad and in the Niger Delta fear piracy in the Gulf of Guinea.").views
    assert {m.surface: m.entity for m in view.mentions} == {
        "Lake Chad": "Lake_Chad", "Niger Delta": "Niger_Delta", "Gulf of Guinea": "Gulf_of_Guinea"}
    [view] = _find("Chad and Niger closed their borders with Guinea and Papua New Guinea.").views
    assert [m.entity for m in view.mentions] == ["Chad", "Niger", "Guinea", "Papua_New_Guinea"]


def test_states_capitals_and_organizations_beyond_japan_and_russia_are_found() -> None:
    [view] = _find("Ivorian and Kenyan diplomats met in Nairobi before the African Union and "
                   "the Gulf Cooperation Council sent envoys to Abuja.").views
    found = {m.surface: (m.entity, m.letter, m.demonym) for m in view.mentions}
    assert found["Ivorian"] == ("Cote_dIvoire", "S", True) and found["Kenyan"] == ("Kenya", "S", True)
    assert found["Nairobi"] == ("Nairobi", "C", False) and found["Abuja"] == ("Abuja", "C", False)
    assert found["African Union"][0] == "African_Union" and found["Gulf Cooperation Council"][1] == "O"


def test_a_family_name_first_leader_is_named_by_the_family_name_alone() -> None:
    views = _find("Xi Jinping received Moon Jae-in and Nguyen Xuan Phuc in Beijing. "
                  "Xi told Moon the region needed calm, and Phuc agreed.").views
    assert _named(views[1], "Xi").entity == "Xi_Jinping"
    assert _named(views[1], "Moon").entity == "Moon_Jae-in"
    assert _named(views[1], "Phuc").entity == "Nguyen_Xuan_Phuc"


def test_a_name_with_no_short_form_is_not_named_by_its_last_word() -> None:
    views = _find("Mohammed bin Salman hosted the talks. Salman Rushdie was not invited.").views
    assert all(m.entity != "Mohammed_bin_Salman" for m in views[1].mentions)


def test_a_curly_quotation_closed_by_a_straight_mark_is_blanked_too() -> None:
    [view] = _find('“Putin will never give back the islands," Abe said.').views
    assert view.unquoted == '“…" ⟦P1⟧ said.'


# -- person phrases -----------------------------------------------------------------------------

def _phrase(text: str, surface: str) -> tuple[str, list[tuple[str, str | None, bool]]]:
    """The article text of a person's phrase and its (title, of, former) roles."""
    [view] = _find(text).views
    phrase = _named(view, surface).phrase
    assert phrase is not None
    return text[phrase.begin : phrase.end], [(r.title, r.of, r.former) for r in phrase.roles]


def test_titled_coordinated_people_are_one_token_each() -> None:
    [view] = _find("German Chancellor Angela Merkel and French President Emmanuel Macron met in Berlin "
                   "on Thursday.").views
    assert view.masked == "⟦P1⟧ and ⟦P3⟧ met in ⟦C4⟧ on ⟦D5⟧."
    assert [m.surface for m in view.conjuncts("⟦P3⟧")] == ["Angela Merkel", "Emmanuel Macron"]


@pytest.mark.parametrize(("text", "surface", "span", "roles"), [
    ("Russian President Vladimir Putin arrived.", "Vladimir Putin", "Russian President Vladimir Putin",
     [("President", "Russia", False)]),
    ("It was the former Japanese Prime Minister Shinzo Abe who spoke.", "Shinzo Abe",
     "the former Japanese Prime Minister Shinzo Abe", [("Prime Minister", "Japan", True)]),
    ("Talks with then-Foreign Minister Sergei Lavrov failed.", "Sergei Lavrov",
     "then-Foreign Minister Sergei Lavrov", [("Foreign Minister", None, True)]),
    ("Ties improved, Japan's ambassador to Russia, John Smith, said.", "John Smith",
     "Japan's ambassador to Russia, John Smith,", [("ambassador to Russia", "Japan", False)]),
    ("John Smith, a senior British deputy trade minister, said so.", "John Smith",
     "John Smith, a senior British deputy trade minister,", [("deputy trade minister", "United_Kingdom", False)]),
    ("The deal is off, said Jane Doe, an associate professor at Temple University.", "Jane Doe",
     "Jane Doe, an associate professor at Temple University", [("associate professor", "Temple_University", False)]),
])
def test_a_person_phrase_keeps_its_span_title_owner_and_former_flag(text, surface, span, roles) -> None:
    assert _phrase(text, surface) == (span, roles)


def test_an_apposition_is_part_of_the_token_with_its_closing_comma() -> None:
    [view] = _find("Anna Weber, the German defence minister, arrived in Riga.").views
    assert view.masked == "⟦P0⟧ arrived in ⟦C2⟧."


def test_a_chained_apposition_keeps_its_comma() -> None:
    [view] = _find("Abe invited Ivan Petrov, speaker of the State Duma, the lower house, to Tokyo.").views
    assert view.masked.startswith("⟦P0⟧ invited ⟦P1⟧, the lower house, to ⟦C")


def test_a_plural_title_is_shared_by_the_coordinated_names() -> None:
    [view] = _find("Presidents Emmanuel Macron and Vladimir Putin met.").views
    assert view.masked == "⟦P0⟧ and ⟦P1⟧ met."
    assert [r.title for m in view.mentions if m.phrase for r in m.phrase.roles] == ["President", "President"]


@pytest.mark.parametrize("text", [
    "North Korean leader Kim Jong Un arrived.",
    "Kim Jong Un, a close friend of the president, arrived.",
])
def test_descriptions_are_not_titles(text: str) -> None:
    [view] = _find(text).views
    assert _named(view, "Kim Jong Un").phrase is None


def test_people_introduced_by_a_titled_apposition_are_discovered() -> None:
    [view] = _find("In Hanoi, Tran Duc, the deputy chief of mission at the Chinese embassy, "
                   "met Han Wei, head of the consular section.").views
    assert _named(view, "Tran Duc").entity == "Tran_Duc"
    assert _named(view, "Han Wei").letter == "P"
    assert "On Monday" not in {m.surface for m in _find("On Monday, the minister spoke.").views[0].mentions}


def test_every_seed_phrase_is_the_article_text_around_its_name() -> None:
    for article in load_articles(SEEDS):
        registry, finder = _finder()
        for view in finder.find(article, registry.copy()).views:
            for m in view.mentions:
                if m.phrase is not None:
                    assert view.sentence.begin <= m.phrase.begin <= m.begin
                    assert m.end <= m.phrase.end <= view.sentence.end
