"""``dipkg export wikidata`` and ``dipkg export unlinked``: what Wikidata can take, with references,
and everything else with its reason."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dipkg.cli import main
from dipkg.graph.resources import ontology_dir
from dipkg.graph.wikidata_export import _time, export, positions_table

ARTICLE = ("Japan's Prime Minister Shinzo Abe held talks with Russian President Vladimir Putin in Moscow "
           "on Monday, the two leaders said.\n\nThe Kremlin said Japan, a member of the G7, would host the "
           "talks again. \u201cThe talks were useful,\u201d said Maria Quentin, a senior fellow at the "
           "Institute of Invented Studies.\n")
MANIFEST = ('[[article]]\nfile = "a.txt"\ntitle = "Talks"\npublisher = "Test Wire"\npublished = "2016-05-09"\n'
            'url = "https://news.example.org/2016/05/talks"\n')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, article_folder) -> Path:
    root = tmp_path_factory.mktemp("export")
    folder = article_folder(root / "articles", {"a.txt": ARTICLE}, manifest_text=MANIFEST)
    assert main(["build", "--articles", str(folder), "--out", str(root / "out")]) == 0
    return root / "out"


def test_a_position_with_a_verified_office_becomes_p39_with_its_references(built: Path) -> None:
    lines, _ = export(built / "dipkg.nq", datetime.date(2026, 1, 2))
    p39 = [line.split("\t") for line in lines if "\tP39\t" in line]
    abe = [cells for cells in p39 if cells[0] == "Q132345"]
    assert abe and abe[0][2] == "Q274948"  # Prime Minister of Japan, the office as an item
    refs = dict(zip(abe[0][3::2], abe[0][4::2], strict=True))
    assert refs["S854"] == '"https://news.example.org/2016/05/talks"'
    assert refs["S577"] == "+2016-05-09T00:00:00Z/11" and refs["S813"] == "+2026-01-02T00:00:00Z/11"
    assert refs["S1683"].startswith('en:"Japan') and "\n" not in refs["S1683"]


def test_facts_wikidata_cannot_take_are_listed_with_their_reason(built: Path) -> None:
    _, rejected = export(built / "dipkg.nq", datetime.date(2026, 1, 2))
    reasons = {(r.kind, r.reason.split(" (")[0]) for r in rejected}
    assert ("meeting", "P710") in reasons
    assert any(kind == "position" and "Maria Quentin" in reason for kind, reason in reasons)
    assert any(kind == "quote" for kind, _ in reasons)


def test_an_article_without_url_gives_no_statement_but_a_reason(tmp_path: Path, article_folder) -> None:
    folder = article_folder(tmp_path / "articles", {"a.txt": ARTICLE},
                            manifest_text=MANIFEST.replace('url = "https://news.example.org/2016/05/talks"\n', ""))
    assert main(["build", "--articles", str(folder), "--out", str(tmp_path / "out")]) == 0
    lines, rejected = export(tmp_path / "out" / "dipkg.nq", datetime.date(2026, 1, 2))
    assert lines == []
    assert any("URL" in r.reason for r in rejected if r.kind == "position")


def test_the_command_writes_statements_and_the_rejected_list(built: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out, rejected = tmp_path / "qs.tsv", tmp_path / "rejected.tsv"
    assert main(["export", "wikidata", "--data", str(built), "-o", str(out), "--rejected", str(rejected),
                 "--retrieved", "2026-01-02"]) == 0
    assert "\tP39\t" in out.read_text(encoding="utf-8")
    assert rejected.read_text(encoding="utf-8").startswith("kind\tfact\treason\n")
    assert "facts not exported" in capsys.readouterr().err


def test_unlinked_entities_are_listed_with_a_sentence(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "unlinked", "--data", str(built)]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert rows[0][:3] == ["entity", "label", "class"]
    names = {row[1] for row in rows[1:]}
    assert "Maria Quentin" in names and "Shinzo Abe" not in names


def test_a_missing_dataset_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "wikidata", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "dipkg.nq" in err


@pytest.mark.parametrize(("value", "expected"), [("2016", "+2016-00-00T00:00:00Z/9"),
                                                  ("2016-05", "+2016-05-00T00:00:00Z/10"),
                                                  ("2016-05-09", "+2016-05-09T00:00:00Z/11"), ("May", None)])
def test_dates_keep_their_precision(value: str, expected: str | None) -> None:
    assert _time(value) == expected


def test_every_office_item_is_a_verified_wikidata_id() -> None:
    verified = {line.split("\t")[1] for line in (ontology_dir() / "wikidata-ids.tsv").read_text(
        encoding="utf-8").splitlines()[1:] if "\t" in line}
    shared = ontology_dir().parent.parent / "shared" / "data" / "wikidata-ids.tsv"
    if shared.is_file():
        verified |= {line.split("\t")[1] for line in shared.read_text(encoding="utf-8").splitlines()[1:]
                     if "\t" in line}
    for (_, of), office in positions_table().items():
        assert office in verified and of in verified, (office, of)
