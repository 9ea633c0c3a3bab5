"""``dipkg build`` reports per article what it discovered and what it could not resolve."""

from __future__ import annotations

import json
from pathlib import Path

from dipkg.cli import main

ARTICLE = ("OSLO (Reuters) - Deputy Minister Olga Petrova of the Ministry of Digital Affairs met "
           "Norwegian officials in Kirkenes on Monday. The fisheries agency said nothing.\n\n"
           "Reporting by Tom Ellis\n")


def test_build_reports_discoveries_on_stderr_and_in_build_info(tmp_path: Path, article_folder, capsys) -> None:
    folder = article_folder(tmp_path / "articles", {"a.txt": ARTICLE}, published="2022-04-04")
    assert main(["build", "--articles", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    # the meeting's place is discovered by the meetings rule; the agency named by its kind alone
    # stays unresolved
    assert "a.txt: organizations 1 (Ministry of Digital Affairs); people 1 (Olga Petrova); " \
           "places 1 (Kirkenes); unresolved 1 (fisheries agency)" in err
    assert "Tom Ellis" not in err and "Reuters" not in err  # credit lines are not discoveries
    info = json.loads((tmp_path / "out" / "build-info.json").read_text(encoding="utf-8"))
    assert info["discovered"] == {"a.txt": {"organizations": ["Ministry of Digital Affairs"],
                                            "people": ["Olga Petrova"], "places": ["Kirkenes"],
                                            "unresolved": ["fisheries agency"]}}


def test_an_article_with_nothing_new_is_left_out_of_the_report(seed_build) -> None:
    """The seed articles' people are in the registry: only what is new is listed, sorted."""
    report = seed_build.result.summary()["discovered"]
    assert isinstance(report, dict)
    assert list(report) == sorted(report)
    for sections in report.values():
        assert sections and all(labels == sorted(labels) for labels in sections.values())
