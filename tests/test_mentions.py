"""Stage 3: mentions — registry names, discovered people, surnames, metonymy and pronouns."""

from __future__ import annotations

from pathlib import Path

from graph.articles import Article, PartialDate, load_articles
from graph.build import _finder
from graph.mentions import ArticleMentions, Mention, SentenceView

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
