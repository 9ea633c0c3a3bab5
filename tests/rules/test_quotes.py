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


# -- where the quotation marks are ---------------------------------------------------------------

def test_a_straight_quote_over_two_sentences_is_one_quote(extract) -> None:
    facts = extract('Abe spoke to reporters on Friday. "We are patient. We will wait for an answer," '
                    "he told journalists.")
    assert _quotes(facts) == [("Shinzo_Abe", "We are patient. We will wait for an answer")]


def test_a_curly_quote_closed_by_a_straight_mark(extract) -> None:
    assert _quotes(extract('“We are ready to talk," Lavrov said.')) == [("Sergei_Lavrov", "We are ready to talk")]
    assert _quotes(extract('Kishida said it was “a grave mistake".')) == [("Fumio_Kishida", "a grave mistake")]


def test_a_quote_left_open_runs_to_the_end_of_its_paragraph(extract) -> None:
    facts = extract('Kono said the talks had been useful. "We agreed to meet again in the autumn.\n'
                    '"It was a frank exchange," he added.')
    assert _quotes(facts) == [("Taro_Kono", "We agreed to meet again in the autumn"),
                              ("Taro_Kono", "It was a frank exchange")]


def test_a_quote_spanning_sentences_is_attributed_by_the_next_bare_clause(extract) -> None:
    facts = extract("“We cancelled the summit. Nobody wanted it.” German Chancellor Angela Merkel said.")
    assert _quotes(facts) == [("Angela_Merkel", "We cancelled the summit. Nobody wanted it")]


def test_a_headline_quote_repeated_in_the_lead_is_one_quote(extract) -> None:
    text = ("Island patrols ‘very provocative’, Japan says\n\n"
            "The government called the patrols “very provocative” on Friday.")
    [quote] = extract(text).quotes
    assert (quote.speaker, quote.text) == ("Japan", "very provocative")
    assert [text[b:e] for b, e in quote.spans] == ["Island patrols ‘very provocative’, Japan says",
                                                   "The government called the patrols “very provocative” on Friday."]


def test_straight_single_quotes_in_a_headline(extract) -> None:
    assert _quotes(extract("Sanctions 'will not work', Lavrov says")) == [("Sergei_Lavrov", "will not work")]


# -- the reporting clause ------------------------------------------------------------------------

def test_speaker_after_the_quote_with_an_apposition(extract) -> None:
    for clause in ("Olaf Scholz, the German chancellor, told reporters",
                   "Olaf Scholz, who arrived on Tuesday, said", "said Olaf Scholz, the German chancellor"):
        assert _quotes(extract(f"“We need more time,” {clause}.")) == [("Olaf_Scholz", "We need more time")]


def test_speaker_with_a_title_after_the_name_before_the_quote(extract) -> None:
    facts = extract('Earlier on Monday, Mr Lavrov, the head of the Russian delegation, said: "The door is open."')
    assert _quotes(facts) == [("Sergei_Lavrov", "The door is open")]


def test_a_participle_speaks_for_the_clause_subject(extract) -> None:
    assert _quotes(extract("Lavrov defended the deal, saying it was “fair to both sides.”")) == [
        ("Sergei_Lavrov", "fair to both sides")]
    assert _quotes(extract("Kishida criticized Moscow, accusing it of “double standards.”")) == [
        ("Fumio_Kishida", "double standards")]


def test_was_quoted_as_saying(extract) -> None:
    assert _quotes(extract("Kono was quoted as saying that Japan would “never give up.”")) == [
        ("Taro_Kono", "never give up")]
    assert _quotes(extract("A newspaper quoted Kono as saying the talks were “useful.”")) == [
        ("Taro_Kono", "useful")]


def test_a_verb_in_a_relative_clause_is_not_the_speaker(extract) -> None:
    facts = extract("Peskov said that the plan, which Kishida said was final, was “not acceptable.”")
    assert _quotes(facts) == [("Dmitry_Peskov", "not acceptable")]


def test_a_surname_introduced_with_an_apposition_speaks(extract_with_registry) -> None:
    facts, registry = extract_with_registry(
        "Noriko Ikegami, head of the ministry's Europe bureau, met the envoy. "
        "Ikegami was quoted as telling him that Japan would “never accept” the plan.")
    [(speaker, text)] = _quotes(facts)
    assert registry[speaker].label == "Noriko Ikegami" and text == "never accept"


def test_a_quote_after_a_reporting_sentence_continues_its_speaker(extract) -> None:
    facts = extract("Abe said the talks had gone well. “We are closer than ever.”")
    assert _quotes(facts) == [("Shinzo_Abe", "We are closer than ever")]


# -- institutions, documents, media --------------------------------------------------------------

MINISTRY = ("Russia said on Monday it would expel two diplomats. "
            "“This is a hostile act,” the foreign ministry said in a statement. "
            "“Tokyo will regret it,” the ministry added. "
            "It accused Japan of “blind obedience” to Washington.")


def test_lower_case_ministry_and_it_are_the_state_s_ministry(extract) -> None:
    facts = extract(MINISTRY)
    assert _quotes(facts) == [("Ministry_of_Foreign_Affairs_of_Russia", "This is a hostile act"),
                              ("Ministry_of_Foreign_Affairs_of_Russia", "Tokyo will regret it"),
                              ("Ministry_of_Foreign_Affairs_of_Russia", "blind obedience")]


def test_the_ministry_is_the_one_named_before(extract) -> None:
    facts = extract("The Chinese Defence Ministry announced new patrols. "
                    "“The patrols are routine,” the ministry said.")
    assert _quotes(facts) == [("Ministry_of_National_Defense_of_China", "The patrols are routine")]


def test_an_acronym_in_brackets_names_the_speaker_later(extract) -> None:
    facts = extract("The Philippine Department of Foreign Affairs summoned the envoy. "
                    "“The vessels must leave,” the department (DFA) said. "
                    "Manila rejected the “unlawful presence” of the ships, according to the DFA.")
    assert _quotes(facts) == [("Department_of_Foreign_Affairs_of_the_Philippines", "The vessels must leave"),
                              ("Department_of_Foreign_Affairs_of_the_Philippines", "unlawful presence")]


def test_the_statement_is_whoever_issued_it(extract) -> None:
    facts = extract("The Chinese Foreign Ministry issued a statement on Friday. "
                    "The statement said the visit was “a serious provocation.”")
    assert _quotes(facts) == [("Ministry_of_Foreign_Affairs_of_China", "a serious provocation")]


def test_a_person_named_in_the_sentence_speaks_rather_than_the_statement(extract) -> None:
    facts = extract("Kono said the zone would “raise tensions,” the statement said.")
    assert _quotes(facts) == [("Taro_Kono", "raise tensions")]


def test_news_media_are_sources_not_speakers(extract) -> None:
    assert extract("The sanctions will be lifted “within weeks,” according to Kyodo.").quotes == []
    assert extract("The talks were “tense,” according to the Asahi Shimbun.").quotes == []
    assert _quotes(extract("“We will respond,” Peskov said, according to Interfax.")) == [
        ("Dmitry_Peskov", "We will respond")]


# -- not quotes ----------------------------------------------------------------------------------

def test_words_credited_to_several_speakers_are_not_quotes(extract) -> None:
    assert extract("Abe and Putin said the talks were “constructive.”").quotes == []
    assert extract("Presidents Abe and Putin say they took “first steps.”").quotes == []
    assert extract("The two leaders called the meeting “historic.”").quotes == []


def test_words_the_speaker_did_not_use_are_not_quotes(extract) -> None:
    assert extract("Kono stopped short of calling the islands “occupied.”").quotes == []
    assert extract("Abe did not say the islands were “returned.”").quotes == []
    assert extract("Lavrov declined to comment on the talks or call them “a failure.”").quotes == []


def test_a_fragment_of_a_longer_quote_is_not_recorded_again(extract) -> None:
    facts = extract("“We will not hand over the islands,” Putin said. "
                    "Putin said Russia would “not hand over” any territory.")
    [quote] = facts.quotes
    assert (quote.speaker, quote.text) == ("Vladimir_Putin", "We will not hand over the islands")
    assert len(quote.spans) == 2


def test_a_single_word_is_a_quote_of_its_own(extract) -> None:
    facts = extract("“It is difficult and will take time,” Putin said. "
                    "Putin said it was a “difficult” question.")
    assert [q.text for q in facts.quotes] == ["It is difficult and will take time", "difficult"]


def test_so_called_marks_are_the_writer_s_not_a_quote(extract) -> None:
    assert extract("Japan said the so-called “peace plan” was dead.").quotes == []
    assert extract("Lavrov said the self-proclaimed “government” had no mandate.").quotes == []
    assert _quotes(extract("Japan said the plan was “dead.”")) == [("Japan", "dead")]


def test_a_statement_from_a_body_is_the_body_s(extract_with_registry) -> None:
    facts, registry = extract_with_registry(
        "A statement from a national defence council chaired by the Indian prime minister said the "
        "tests were “a clear threat.”")
    [(speaker, text)] = _quotes(facts)
    assert registry[speaker].label == "National Defence Council of India" and text == "a clear threat"
    facts = extract_with_registry("A statement from the Chinese Foreign Ministry said the visit was "
                                  "“a provocation.”")[0]
    assert _quotes(facts) == [("Ministry_of_Foreign_Affairs_of_China", "a provocation")]


def test_an_anonymous_official_as_subject_or_object(extract_with_registry) -> None:
    for text in ("A senior government official, who declined to be named, said the plan was “a mistake.”",
                 "“It is a mistake,” said a senior government official.",
                 "Local media quoted a defence ministry official as saying the drills were “routine.”"):
        facts, registry = extract_with_registry(text)
        [(speaker, _)] = _quotes(facts)
        assert registry[speaker].cls == "Person" and "official" in registry[speaker].label


def test_a_dateline_agency_is_not_the_subject_of_a_participle(extract) -> None:
    facts = extract("MOSCOW (Reuters) - Russia condemned the drills on Friday, calling them “reckless.”")
    assert _quotes(facts) == [("Russia", "reckless")]


def test_a_quote_inside_a_relative_clause_is_its_subject_s(extract) -> None:
    facts = extract("Abe, who once called the islands “our inherent territory,” met Putin on Friday.")
    assert _quotes(facts) == [("Shinzo_Abe", "our inherent territory")]


def test_the_russian_leader_is_the_leader_named_before(extract) -> None:
    facts = extract("Abe met Russian President Vladimir Putin in Sochi. “We should not rush,” the Russian "
                    "leader said. “We are patient,” the Japanese premier told reporters.")
    assert _quotes(facts) == [("Vladimir_Putin", "We should not rush"), ("Shinzo_Abe", "We are patient")]


def test_a_title_for_someone_the_article_never_named_is_nobody(extract) -> None:
    facts = extract("Abe met Russian President Vladimir Putin in Sochi. "
                    "“The door is open,” the Chinese president said.")
    assert facts.quotes == []


def test_the_spokesman_named_before(extract) -> None:
    facts = extract("Kremlin spokesman Dmitry Peskov spoke on Monday. "
                    "The talks were “useful,” the Kremlin spokesman said.")
    assert _quotes(facts) == [("Dmitry_Peskov", "useful")]


def test_a_headline_name_and_colon_attributes_the_quote(extract) -> None:
    assert _quotes(extract("Putin: ‘No deal on the islands’\n\nThe talks ended.")) == [
        ("Vladimir_Putin", "No deal on the islands")]
    assert extract("Islands: the ‘last frontier’ of diplomacy").quotes == []


def test_a_reporting_verb_of_the_next_clause_is_not_the_quote_s(extract) -> None:
    assert extract("Japan rejected the “zone”, and China said it would respond.").quotes == []
    assert extract("Tokyo called off the “dialogue” with Moscow.").quotes == []
    assert extract("Putin is said to be “furious” about the visit.").quotes == []
    assert _quotes(extract("“The zone is illegal,” Japan said, and China rejected the claim.")) == [
        ("Japan", "The zone is illegal")]


def test_a_family_name_first_alone_is_the_person(extract) -> None:
    facts = extract("South Korean President Moon Jae-in met the envoy. “We cannot accept this,” Moon said.")
    assert _quotes(facts) == [("Moon_Jae-in", "We cannot accept this")]


def test_the_earlier_mr_form_with_a_family_name_first(extract) -> None:
    facts = extract("North Korean leader Kim Jong Un arrived. Later, Mr Kim, chairman of the party, "
                    "said: “The world will see a change.”")
    assert _quotes(facts) == [("Kim_Jong_Un", "The world will see a change")]


def test_it_is_the_state_the_sentence_before_is_about(extract) -> None:
    facts = extract("Russia banned entry to 60 Japanese officials on Wednesday. "
                    "It called the ban a response to “hostile actions.”")
    assert _quotes(facts) == [("Russia", "hostile actions")]
    assert extract("Abe met Putin in Moscow. It was “a breakthrough,” he said.").quotes[0].speaker == "Shinzo_Abe"


def test_a_quote_in_hard_wrapped_text_crosses_line_breaks(extract) -> None:
    text = ("Foreign Minister Taro Kono spoke to reporters in Tokyo on Friday after the talks with his\n"
            "Russian counterpart had ended. \"We have agreed to keep talking about the islands.\n"
            "Both sides want a treaty,\" he said after the meeting at the ministry in central Tokyo\n"
            "on Friday afternoon, adding that no date had been set for the next round of talks in\n"
            "the spring or later in the year, according to the officials present at the briefing.\n")
    assert _quotes(extract(text)) == [
        ("Taro_Kono", "We have agreed to keep talking about the islands. Both sides want a treaty")]


def test_the_trailing_period_goes_but_not_an_abbreviation_s(extract) -> None:
    assert _quotes(extract("“Japan will mediate between Russia and the U.S.,” Lavrov said.")) == [
        ("Sergei_Lavrov", "Japan will mediate between Russia and the U.S.")]
    assert _quotes(extract("Lavrov said the talks were “useful.”")) == [("Sergei_Lavrov", "useful")]


def test_more_reporting_verbs(extract) -> None:
    for verb in ("tweeted", "cautioned", "expressed"):
        assert _quotes(extract(f"Japan {verb} “deep concern” over the drills.")) == [("Japan", "deep concern")]


def test_a_title_before_a_surname_is_not_a_first_name(extract) -> None:
    """No person "Governor Tanabe" is made up; the surname alone names nobody known."""
    facts = extract("Governor Tanabe, who leads the prefecture, met the envoy. Tanabe said the plan was “unfair.”")
    assert facts.quotes == []
