"""Stage 2: sentence splitting with exact code-point offsets."""

from __future__ import annotations

import itertools

import pytest

from dipkg.graph.sentences import split_sentences


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_every_seed_sentence_is_the_text_between_its_offsets(seed_texts: dict[str, str]) -> None:
    for name, text in seed_texts.items():
        sentences = split_sentences(text)
        assert sentences, name
        for s in sentences:
            assert text[s.begin : s.end] == s.text, (name, s)


def test_seed_sentences_are_ordered_disjoint_trimmed_and_numbered(seed_texts: dict[str, str]) -> None:
    for name, text in seed_texts.items():
        sentences = split_sentences(text)
        assert [s.index for s in sentences] == list(range(len(sentences)))
        for a, b in itertools.pairwise(sentences):
            assert a.end <= b.begin, (name, a, b)
        for s in sentences:
            assert s.text and s.text == s.text.strip(), (name, s)
        # nothing but white space is left between sentences
        covered = "".join(text[s.begin : s.end] for s in sentences)
        assert "".join(covered.split()) == "".join(text.split()), name


def test_offsets_are_code_points_after_non_ascii_text() -> None:
    text = "Abe’s “aide” spoke — briefly.\u00a0Putin left. Shōwa-era ties were recalled."
    for s in split_sentences(text):
        assert text[s.begin : s.end] == s.text
    assert _texts(text) == ["Abe’s “aide” spoke — briefly.", "Putin left.",
                            "Shōwa-era ties were recalled."]


def test_honorific_abbreviations_do_not_end_a_sentence() -> None:
    assert _texts("Mr. Abe met Mrs. Clinton and Dr. Smith. Ms. Lee was absent.") == [
        "Mr. Abe met Mrs. Clinton and Dr. Smith.", "Ms. Lee was absent."]


def test_us_inside_a_sentence_does_not_end_it() -> None:
    assert _texts("The U.S. was not pleased with Tokyo. It said so.") == [
        "The U.S. was not pleased with Tokyo.", "It said so."]


def test_us_at_the_end_of_a_sentence_ends_it_before_a_sentence_opener() -> None:
    assert _texts("Officials in the U.S. were annoyed by the U.S. But Tokyo went ahead.") == [
        "Officials in the U.S. were annoyed by the U.S.", "But Tokyo went ahead."]


def test_a_middle_initial_does_not_end_a_sentence() -> None:
    assert _texts("George W. Bush met Putin in 2001. It went well.") == [
        "George W. Bush met Putin in 2001.", "It went well."]


def test_a_multi_sentence_quotation_stays_one_sentence() -> None:
    text = "“We met. We talked. We agreed on nothing,” the envoy said. Then he left."
    assert _texts(text) == ["“We met. We talked. We agreed on nothing,” the envoy said.", "Then he left."]


WRAPPED = (
    "Japanese Prime Minister Shinzo Abe said on Friday that he would keep talking to \n"
    "\n"
    "Russia about the islands, which the Soviet Union seized at the end of the war. \n"
    "\n"
    "Officials in Tokyo said the two leaders could meet again in Vladivostok later \n"
    "\n"
    "this year. The Kremlin has not confirmed the plan, and aides on both sides say \n"
    "\n"
    "Moscow is in no hurry. The dispute has kept the two countries from signing a \n"
    "\n"
    "peace treaty since 1945.\n"
)


def test_hard_wrapped_lines_are_joined_into_sentences() -> None:
    """A paragraph wrapped at ~80 columns (blank lines between) splits only at sentence ends."""
    flat = [" ".join(t.split()) for t in _texts(WRAPPED)]
    assert flat == [
        "Japanese Prime Minister Shinzo Abe said on Friday that he would keep talking to Russia "
        "about the islands, which the Soviet Union seized at the end of the war.",
        "Officials in Tokyo said the two leaders could meet again in Vladivostok later this year.",
        "The Kremlin has not confirmed the plan, and aides on both sides say Moscow is in no hurry.",
        "The dispute has kept the two countries from signing a peace treaty since 1945.",
    ]
    for s in split_sentences(WRAPPED):
        assert WRAPPED[s.begin : s.end] == s.text  # joined logically, kept as stored


@pytest.mark.parametrize("heading", ["Abe Heads To Sochi", "Caption: Abe and Putin in 2016", "Photo"])
def test_a_heading_without_punctuation_is_a_sentence_of_its_own(heading: str) -> None:
    text = f"{heading}\nThe prime minister arrived on Friday. Talks began at once."
    assert _texts(text) == [heading, "The prime minister arrived on Friday.", "Talks began at once."]


def test_a_short_line_ending_a_sentence_breaks_even_without_a_blank_line() -> None:
    assert _texts("Abe arrived.\nPutin waited.\n\nThey met.") == ["Abe arrived.", "Putin waited.", "They met."]


def test_sentence_ends_before_an_opening_quotation_mark() -> None:
    assert _texts("He paused. “It is over,” he said.") == ["He paused.", "“It is over,” he said."]
