"""Stage 1: reading the articles folder and its manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from dipkg.graph.articles import Article, PartialDate, load_articles, read_manifest
from dipkg.graph.errors import InputError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [("2015", PartialDate(2015), "year"), ("2015-08", PartialDate(2015, 8), "month"),
     ("2016-05-06", PartialDate(2016, 5, 6), "day"), (" 2019-01-22 ", PartialDate(2019, 1, 22), "day")],
)
def test_partial_date_parses_each_precision(value: str, expected: PartialDate, precision: str) -> None:
    date = PartialDate.parse(value, "here")
    assert date == expected
    assert date.precision == precision
    assert date.iso() == value.strip()


@pytest.mark.parametrize("value", ["May 2015", "2015/05/16", "16-05-2015", "2015-5-16", "", "2015-13",
                                   "2015-02-30"])
def test_partial_date_rejects_unknown_or_impossible_dates(value: str) -> None:
    with pytest.raises(InputError) as err:
        PartialDate.parse(value, "articles.toml (x.txt)")
    assert err.value.where == "articles.toml (x.txt)"
    assert repr(value) in str(err.value)


def test_seed_manifest_loads_every_article_with_its_metadata() -> None:
    articles = {a.file_name: a for a in load_articles(SEEDS)}
    assert sorted(articles) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert articles["000_fb51a5ec027aa79b.txt"].published == PartialDate(2016, 5, 6)
    assert articles["000_fb51a5ec027aa79b.txt"].publisher == "Bloomberg"
    assert articles["002_364371207c980505.txt"].published == PartialDate(2015, 8)
    assert articles["002_364371207c980505.txt"].url is not None
    # 003 has empty title and publisher strings: they are unknown, not empty
    assert articles["003_f025be6aa623a958.txt"].title is None
    assert articles["003_f025be6aa623a958.txt"].publisher is None


def test_article_text_is_the_file_exactly_as_read_text_gives_it() -> None:
    """Provenance offsets index this very string, so it must be the file's text unchanged."""
    for article in load_articles(SEEDS):
        assert article.text == (SEEDS / article.file_name).read_text(encoding="utf-8")


def test_crlf_article_text_matches_read_text(tmp_path: Path) -> None:
    """A CRLF article's text (and so its span offsets) follows Path.read_text(encoding='utf-8')."""
    (tmp_path / "a.txt").write_bytes(b"Abe met Putin in Sochi on Friday.\r\nThey talked for hours.\r\n")
    (tmp_path / "articles.toml").write_text('[[article]]\nfile = "a.txt"\npublished = "2016-05-06"\n',
                                            encoding="utf-8")
    [article] = load_articles(tmp_path)
    assert article.text == (tmp_path / "a.txt").read_text(encoding="utf-8")


def test_article_key_is_an_iri_safe_name() -> None:
    article = Article("my article (v2).final.txt", "x", PartialDate(2016))
    assert article.key == "my_article_v2_final"


@pytest.mark.parametrize("name", ["../secret.txt", "sub/a.txt", ".hidden.txt", "a\\b.txt"])
def test_manifest_rejects_file_names_that_are_not_plain(tmp_path: Path, name: str) -> None:
    (tmp_path / "articles.toml").write_text(
        f'[[article]]\nfile = "{name.replace(chr(92), chr(92) * 2)}"\npublished = "2016"\n',
        encoding="utf-8")
    with pytest.raises(InputError, match="plain file name"):
        read_manifest(tmp_path)


def test_manifest_rejects_an_article_listed_twice(tmp_path: Path) -> None:
    entry = '[[article]]\nfile = "a.txt"\npublished = "2016"\n'
    (tmp_path / "articles.toml").write_text(entry + entry, encoding="utf-8")
    with pytest.raises(InputError, match="listed twice"):
        read_manifest(tmp_path)


def test_manifest_without_article_tables_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "articles.toml").write_text('title = "nothing here"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"no \[\[article\]\] tables"):
        read_manifest(tmp_path)
