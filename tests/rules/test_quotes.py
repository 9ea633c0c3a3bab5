"""Quotes: words inside quotation marks, attributed to a speaker."""

from __future__ import annotations


def _quotes(facts) -> list[tuple[str, str]]:
    return [(q.speaker, q.text) for q in facts.quotes]


PUSHKOV = ("“Japan has broken ranks with the West,” said Alexei Pushkov, head of the foreign affairs "
           "committee of the State Duma.")


def test_said_name_after_the_quote_attributes_it(extract) -> None:
    assert _quotes(extract(PUSHKOV)) == [("Alexei_Pushkov", "Japan has broken ranks with the West")]


def test_a_following_quote_only_sentence_keeps_the_speaker(extract) -> None:
    facts = extract(PUSHKOV + " “This is a victory for Moscow.”")
    assert _quotes(facts) == [("Alexei_Pushkov", "Japan has broken ranks with the West"),
                              ("Alexei_Pushkov", "This is a victory for Moscow")]


def test_he_said_names_the_last_speaker_when_nobody_else_came_between(extract) -> None:
    facts = extract("“We will not give up,” Abe said. The talks lasted two hours. "
                    "“The islands are ours,” he said.")
    assert _quotes(facts) == [("Shinzo_Abe", "We will not give up"), ("Shinzo_Abe", "The islands are ours")]


def test_each_pronoun_keeps_its_own_antecedent(extract) -> None:
    """"she" is the woman named since, not the previous quote's (male) speaker."""
    facts = extract("“We will wait,” Abe said. German Chancellor Angela Merkel arrived on Monday. "
                    "“We are ready to help,” she said.")
    assert _quotes(facts) == [("Shinzo_Abe", "We will wait"), ("Angela_Merkel", "We are ready to help")]


def test_a_person_named_between_two_quotes_is_he(extract) -> None:
    facts = extract("“We will wait,” Abe said. Putin told reporters the talks were over. "
                    "“Nothing has changed,” he added.")
    assert _quotes(facts)[1] == ("Vladimir_Putin", "Nothing has changed")


def test_he_said_after_a_titled_introduction(extract) -> None:
    facts = extract("Kremlin spokesman Dmitry Peskov spoke to reporters on Monday. "
                    "“The talks were constructive,” he said.")
    assert _quotes(facts) == [("Dmitry_Peskov", "The talks were constructive")]


def test_a_partial_quote_after_has_said_that(extract) -> None:
    facts = extract("Putin has said that a compromise “can and will be found.”")
    assert _quotes(facts) == [("Vladimir_Putin", "can and will be found")]


def test_according_to_an_anonymous_official(extract_with_registry) -> None:
    facts, registry = extract_with_registry(
        "The sanctions are “not working,” according to a senior official.")
    [(speaker, text)] = _quotes(facts)
    assert text == "not working"
    assert registry[speaker].label == "senior official"
    assert registry[speaker].cls == "Person"


def test_unattributed_scare_quotes_are_not_quotes(extract) -> None:
    assert extract("Critics call the policy “business as usual.”").quotes == []
    assert extract("Tokyo opposes “changing the status quo by force.”").quotes == []


def test_quote_span_is_the_sentence_with_the_quotation(extract) -> None:
    text = "Abe arrived on Friday. " + PUSHKOV
    [quote] = extract(text).quotes
    assert [text[b:e] for b, e in quote.spans] == [PUSHKOV]


def test_reported_speech_is_not_a_quote(extract) -> None:
    assert extract("Lavrov said Russia would never return the islands.").quotes == []


def test_called_something_in_quotes_is_a_quote(extract) -> None:
    facts = extract("Russian Foreign Ministry spokeswoman Maria Zakharova called the sanctions “unfriendly.”",
                    "2022-02-26")
    assert [(q.speaker, q.text) for q in facts.quotes] == [("Maria_Zakharova", "unfriendly")]


def test_speaker_before_an_aside(extract) -> None:
    """"X, speaking after talks with Y in Z, said: "…"": X, not the last name before "said"."""
    facts = extract('Lavrov, speaking after talks with Japan\'s Foreign Minister Taro Kono in Moscow, '
                    'said: "Our Japanese colleagues know our position very well."', "2019-01-14")
    assert _quotes(facts) == [("Sergei_Lavrov", "Our Japanese colleagues know our position very well")]
