"""Datelines, bylines and credit lines: their names never become mentions."""

from __future__ import annotations

import pytest

from dipkg.graph.articles import Article, PartialDate
from dipkg.graph.build import _finder
from dipkg.graph.datelines import credit_spans, dateline_place


def _credited(text: str) -> list[str]:
    return [text[b:e] for b, e in credit_spans(text, 0, len(text))]


@pytest.mark.parametrize(("text", "credit"), [
    ("OSLO (Reuters) - Norway imposed sanctions on Belarus.", "OSLO (Reuters) -"),
    ("TOKYO, May 3 (AP) — Japan protested.", "TOKYO, May 3 (AP) —"),
    ("NEW DELHI (The Hindu Times/ANN)- India protested.", "NEW DELHI (The Hindu Times/ANN)-"),
])
def test_a_dateline_before_the_story_is_a_credit(text: str, credit: str) -> None:
    assert _credited(text) == [credit]


@pytest.mark.parametrize("text", [
    "By Jane Doe, Staff Writer", "By Jane Doe", "By AFP/Jiji", "Reuters Staff", "1 Min Read",
    "Reporting by Olga Petrova; Writing by Tom Ellis; Editing by Anna Berger",
    "Additional reporting by Olga Petrova in Minsk",
])
def test_bylines_and_credit_lines_are_credits_whole(text: str) -> None:
    assert _credited(text) == [text]


def test_a_photo_credit_inside_a_caption() -> None:
    text = "Leaders meet in Oslo, May 6, 2021. Olga Petrova/Sputnik/Kremlin via Reuters/File Photo"
    assert _credited(text) == ["Olga Petrova/Sputnik/Kremlin via Reuters/File Photo"]


@pytest.mark.parametrize("text", [
    "By Friday, Norway and Belarus had agreed to talk.",
    "Norway (a NATO member) - unlike Sweden - joined the sanctions.",
    "The staff of the embassy left Minsk.",
])
def test_story_sentences_are_not_credits(text: str) -> None:
    assert _credited(text) == []


def test_credited_names_are_neither_mentions_nor_discoveries() -> None:
    registry, finder = _finder()
    text = ("OSLO (Reuters) - Norwegian Foreign Minister Anniken Huitfeldt said sanctions would stay.\n\n"
            "Reporting by Olga Petrova; Editing by Tom Ellis\n")
    build_registry = registry.copy()
    mentions = finder.find(Article("a.txt", text, PartialDate.parse("2022-04-01", "a.txt")), build_registry)
    surfaces = [m.surface for v in mentions.views for m in v.mentions]
    assert "Reuters" not in surfaces and "Olga Petrova" not in surfaces and "Tom Ellis" not in surfaces
    assert "Anniken Huitfeldt" in surfaces
    assert "Olga_Petrova" not in build_registry.entities


@pytest.mark.parametrize(("line", "place"), [
    ("OSLO (Reuters) - Norway's prime minister said", "OSLO"),
    ("BUENOS AIRES, March 3 (AP) — The talks", "BUENOS AIRES"),
    ("Seoul--South Korea's president said", "Seoul"),
    ("CANBERRA -- Australia's foreign minister", "CANBERRA"),
    ("Merkel - the chancellor - said", None),
    ("Putin said on Monday", None),
])
def test_the_place_a_dateline_names(line: str, place: str | None) -> None:
    assert dateline_place(line) == place
