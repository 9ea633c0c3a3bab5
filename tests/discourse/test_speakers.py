"""Speakers: which names can speak, read from the cue tables and the registry."""

from __future__ import annotations

from dipkg.graph.build import extract_text
from dipkg.graph.discourse.speakers import is_media
from dipkg.graph.registry import Entity


def test_registry_media_and_newspaper_names_are_media() -> None:
    _, registry = extract_text("Nothing happened.")
    assert is_media(registry["Agence_France-Presse"])
    assert is_media(Entity("Hokkaido_Times", "Hokkaido Times", "Organization"))
    assert is_media(None, "Kyodo")


def test_states_people_and_ministries_are_not_media() -> None:
    _, registry = extract_text("Nothing happened.")
    assert not is_media(registry["Japan"])
    assert not is_media(registry["Ministry_of_Foreign_Affairs_of_Russia"])
    assert not is_media(Entity("Post_Office_Minister", "Anna Post", "Person"))
