"""The ``dipkg`` command line: building, refusing bad input on one line, and not touching --out."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from dipkg.cli import main
from dipkg.graph.namespace import DIP_IRI, ID_IRI

SEED = "004_0ad484827421e4c7.txt"
GOOD_ENTRY = '[[article]]\nfile = "{name}"\ntitle = "T"\npublisher = "P"\npublished = "{published}"\n'


def _entry(name: str = "a.txt", published: str = "2015-05-16") -> str:
    return GOOD_ENTRY.format(name=name, published=published)


def _break_missing_file(folder: Path) -> None:
    (folder / "articles.toml").write_text(_entry() + _entry("gone.txt"), encoding="utf-8")


def _break_non_utf8(folder: Path) -> None:
    (folder / "a.txt").write_bytes(b"Abe met Putin in Moscow. \xff\xfe caf\xe9\n")


def _break_malformed_toml(folder: Path) -> None:
    (folder / "articles.toml").write_text(_entry() + '[[article]\nfile = "b.txt\n', encoding="utf-8")


def _break_unlisted_txt(folder: Path) -> None:
    (folder / "stray.txt").write_text("Abe met Putin in Moscow on Friday.\n", encoding="utf-8")


def _break_missing_published(folder: Path) -> None:
    (folder / "articles.toml").write_text('[[article]]\nfile = "a.txt"\ntitle = "T"\n', encoding="utf-8")


def _break_unknown_date(folder: Path) -> None:
    (folder / "articles.toml").write_text(_entry(published="May 2015"), encoding="utf-8")


def _break_empty_article(folder: Path) -> None:
    (folder / "a.txt").write_text("", encoding="utf-8")


def _break_blank_article(folder: Path) -> None:
    (folder / "a.txt").write_text(" \n\n\t\n", encoding="utf-8")


def _break_symlinked_article(folder: Path) -> None:
    (folder / "a.txt").unlink()
    (folder / "a.txt").symlink_to("/etc/hostname")


def _break_oversized_article(folder: Path) -> None:
    (folder / "a.txt").write_text("Abe met Putin in Moscow on Friday. " * 40_000, encoding="utf-8")


def _break_published_not_a_date(folder: Path) -> None:
    (folder / "articles.toml").write_text(_entry().replace('"2015-05-16"', "[2015]"), encoding="utf-8")


@pytest.mark.parametrize(
    ("breakage", "names", "problem"),
    [
        (_break_symlinked_article, "a.txt", "symbolic link"),
        (_break_oversized_article, "a.txt", "over the article size limit"),
        (_break_published_not_a_date, "articles.toml", "must be a date"),
        (_break_missing_file, "gone.txt", "not found"),
        (_break_non_utf8, "a.txt", "not UTF-8"),
        (_break_malformed_toml, "articles.toml", "malformed TOML"),
        (_break_unlisted_txt, "stray.txt", "no [[article]] entry"),
        (_break_missing_published, "articles.toml", "missing 'published'"),
        (_break_unknown_date, "articles.toml", "unknown date format 'May 2015'"),
        (_break_empty_article, "a.txt", "empty article"),
        (_break_blank_article, "a.txt", "empty article"),
    ],
    ids=["symlink", "oversized", "published-list", "missing-file", "non-utf8", "malformed-toml",
         "unlisted-txt", "no-published", "unknown-date", "empty", "blank"],
)
def test_bad_input_fails_with_one_line_naming_file_and_problem_and_keeps_previous_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], article_folder, previous_build: Path,
        snapshot, breakage, names: str, problem: str) -> None:
    folder = article_folder(tmp_path / "articles", {"a.txt": SEED},
                            manifest_text=_entry())
    breakage(folder)
    before = snapshot(previous_build)

    status = main(["build", "--articles", str(folder), "--out", str(previous_build)])

    out, err = capsys.readouterr()
    assert status != 0
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert names in lines[0] and problem in lines[0], lines[0]
    assert snapshot(previous_build) == before


def test_missing_articles_folder_is_a_one_line_error(tmp_path: Path, capsys, previous_build: Path,
                                                     snapshot) -> None:
    before = snapshot(previous_build)
    status = main(["build", "--articles", str(tmp_path / "nowhere"), "--out", str(previous_build)])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and "nowhere" in err and "not found" in err
    assert snapshot(previous_build) == before


def test_missing_manifest_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text("Abe met Putin.\n", encoding="utf-8")
    status = main(["build", "--articles", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and "articles.toml" in err and "manifest not found" in err
    assert not (tmp_path / "out").exists()


def test_an_article_with_no_facts_builds_fine(recipe_build) -> None:
    """A text that states no diplomacy (a recipe) is not an error: it builds, with no facts."""
    status, stdout, err = recipe_build.wait()
    assert status == 0, err
    assert stdout.startswith("built 1 articles")
    assert sorted(p.name for p in recipe_build.out.iterdir()) == [
        "build-info.json", "current", "dipkg-spans.ttl", "dipkg.nq", "dipkg.trig", "dipkg.ttl", "releases"]
    ds = Dataset()
    ds.parse(recipe_build.out / "dipkg.trig", format="trig")
    article = ds.graph(URIRef(ID_IRI + "article-soup"))
    assert (article.identifier, RDF.type, URIRef(DIP_IRI + "Article")) in article
    facts = [s for cls in ("Meeting", "PositionHolding", "Sanction", "Quote", "TerritoryName")
             for s in article.subjects(RDF.type, URIRef(DIP_IRI + cls))]
    assert facts == []
    assert list(article.subjects(RDF.type, RDF.Statement)) == []


def test_evaluate_with_a_missing_dataset_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    gold = Path(__file__).parent / "data" / "seeds-gold.json"
    status = main(["evaluate", "--gold", str(gold), "--data", str(tmp_path), "--articles", "seeds"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "dipkg.trig" in err


def test_unknown_subcommand_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve-coffee"])
    assert exit_.value.code == 2
    assert "usage: dipkg" in capsys.readouterr().err


def test_a_bare_toml_date_or_year_is_a_publication_date(tmp_path: Path, article_folder) -> None:
    for published, expected in (("2015-05-16", "2015-05-16"), ("2015", "2015")):
        folder = article_folder(tmp_path / published, {"a.txt": SEED},
                                manifest_text=_entry().replace('"2015-05-16"', published))
        assert main(["build", "--articles", str(folder), "--out", str(tmp_path / published / "out")]) == 0
        ds = Dataset()
        ds.parse(tmp_path / published / "out" / "dipkg.trig", format="trig")
        issued = {str(q[2]) for q in ds.quads((None, URIRef("http://purl.org/dc/terms/issued"), None, None))}
        assert issued == {expected}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("dipkg ")


def test_query_from_a_file_with_the_query_page_prefixes(seed_build, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    query = tmp_path / "abe.rq"
    query.write_text("SELECT ?l WHERE { id:Shinzo_Abe rdfs:label ?l }", encoding="utf-8")
    assert main(["query", "-f", str(query), "--data", str(seed_build.out)]) == 0
    assert '"Shinzo Abe"@en' in capsys.readouterr().out
    assert main(["query", "-f", str(query), "--no-prefixes", "--data", str(seed_build.out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown prefix id: — add PREFIX id: <https://w3id.org/dipkg/id/>" in err


def test_a_query_needs_text_or_a_file_not_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "ASK {}", "-f", str(tmp_path / "q.rq")]) == 2
    assert "not both" in capsys.readouterr().err
