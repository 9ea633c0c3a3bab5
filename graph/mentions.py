"""Stage 3: find what each sentence names — entities, dates and resolved pronouns.

Mentions come from four sources, in order of trust:

1. the registry's names, aliases and demonyms ("Russian" names Russia);
2. people introduced by a known first name or a formal title ("Kremlin spokesman Dmitry
   Peskov", "Noel Clay"), and organizations named by their head noun ("Temple University");
3. within an article, a surname alone or "Mr. X" refers to the person last named in full;
4. pronouns (he, his, she, her) refer to a compatible person of the same or previous sentence.

A person's whole phrase — "former Russian Deputy Prime Minister Ivan Petrov", "Jane Doe, a
senior British trade minister," — becomes the mention's ``phrase``: its span and the offices it
states (title, whose office, former or not), read by the grammar of ``graph.titles``.

Each sentence also gets a *masked* text in which every mention is replaced by a token
``⟦P3⟧`` (type letter + index; a person phrase is ONE token, the mentions inside it have
none), so that the rules can be written as readable patterns over "⟦P0⟧ met with ⟦P1⟧ in
⟦C2⟧" rather than over raw names and titles.
"""

from __future__ import annotations

import re

from dipkg.graph.articles import Article
from dipkg.graph.datelines import credit_spans
from dipkg.graph.dates import find_dates
from dipkg.graph.lexicon import FEMALE_PRONOUNS, TITLES
from dipkg.graph.mention_types import TOKEN, ArticleMentions, Mention, PersonPhrase, Role, SentenceView
from dipkg.graph.phrases import PhraseReader
from dipkg.graph.registry import Entity, Registry, name_pattern
from dipkg.graph.sentences import Sentence, split_sentences
from dipkg.graph.titles import grammar

_ORG_HEADS = (
    "Department|Bureau|Authority|Directorate|Secretariat|Airlines|Airways|"
    "University|Center|Centre|Institute|Foundation|Council|Committee|Ministry|Agency|Bank|"
    "Fund|Program|Programme|Corporation|Company|Party|Forum|Association|School|College|"
    "Academy|Commission|Office|Service|Times|Post|Journal|Shimbun|Herald|Tribune|Gazette"
)
_CAP = r"[A-Z][\w&’'.-]*"
_ORG = re.compile(
    rf"(?<![\w])(?:{_CAP} ){{1,4}}(?:{_ORG_HEADS})(?: of (?:the )?{_CAP}(?: {_CAP}){{0,2}})?(?![\w])"
    # head first: "Ministry of Foreign Affairs", "Committee on Foreign Relations"
    rf"|(?<![\w])(?:Ministry|Department|Committee|Commission|Council|Bureau|Agency|Office|Directorate)"
    rf" (?:of|for|on) (?:the )?(?:{_CAP})(?: (?:and |of |for |the )*{_CAP}){{0,3}}(?![\w])"
)
# An unknown territory by its head noun ("Spratly Islands", "Thitu Reef"); a determiner that
# opens a sentence ("The Spratly Islands, claimed by …") is not part of the name.
_TERRITORY = re.compile(r"(?<![\w])(?:(?!(?:The|A|An|These|Those|This|That|Its|Their|Both|All)\b)"
                        r"[A-Z][a-z]+ ){1,2}(?:Islands|Island|Islets|Isles|Shoal|Reef|Atoll|Archipelago|Rocks)(?![\w])")
_NAME_TOKEN = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
_PERSON = re.compile(rf"(?<![\w.])({_NAME_TOKEN})((?: [A-Z]\.)? {_NAME_TOKEN})(?![\w])")
# "<title> [to <State>] <Name>": a title introduces the name after it ("Ambassador to Japan
# Cheng Yonghua"); the name is two or three capitalised words.
_TITLED = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
    + rf")(?: to (?:the )?{_CAP}(?: {_CAP})?)? ({_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,2}})(?![\w])"
)
# Words that start a sentence or a clause, and honorifics ("Mr Lavrov" is a known person by
# coreference, not a new one), and so look like the first word of a name.
_NOT_NAMES = frozenset(("Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Prof", "On", "In", "At", "The", "For", "By",
                        "But", "And", "After", "Before", "Last",
                        "Next", "This", "That", "When", "While", "Since", "Earlier", "Later", "Then"))


def _company() -> re.Pattern[str]:
    """"Rosneft chairman Igor Sechin", "chairman of the oil firm Rosneft, Igor Sechin": one
    capitalised word that owns a lower-case office held in an organization, itself before a
    name, is the organization (even one the registry lacks)."""
    titles = sorted((t.title for t in grammar().titles.values() if t.of_kind == "organization"
                     and t.title.islower()), key=len, reverse=True)
    alternation = "|".join(map(re.escape, titles))
    return re.compile(rf"(?<![\w’'-])([A-Z][a-z]+) (?:{alternation}) (?={_NAME_TOKEN} {_NAME_TOKEN})"
                      rf"|(?<![\w’'-])(?:{alternation}) of (?:the )?(?:[a-z][\w-]* ){{0,4}}([A-Z][a-z]+),"
                      rf" (?={_NAME_TOKEN} {_NAME_TOKEN})")


def _apposed() -> re.Pattern[str]:
    """"<Name>, a|the <title> …" and "<Name>, head of …": an apposition whose first words make
    a formal title introduces the name before it, known or not."""
    g = grammar()
    return re.compile(
        rf"(?<![\w.])({_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,2}}), (?:(?:(?:a|an|the) (?:{g.describe})*"
        rf"(?:[A-Z][\w'’-]* ){{0,3}}(?:{g.title})\b)|(?:(?:{g.describe})*(?:{g.title}) of\b))")
_PRONOUN = re.compile(r"(?<![\w])(he|He|his|His|him|she|She|her|Her)(?![\w])")
_ADMINISTRATION = re.compile(r"^ (administration|government)\b")


class MentionFinder:
    """Finds mentions with one registry; compiled once, used for every article."""

    def __init__(self, registry: Registry, first_names: frozenset[str]) -> None:
        self.registry = registry
        self.first_names = first_names
        self._forms = registry.surface_forms()
        self._apposed = _apposed()
        self._phrase_reader = PhraseReader(registry, self._forms)
        self._company = _company()
        names = sorted(self._forms, key=len, reverse=True)
        # one trie-shaped pattern: the longest name wins, at a cost that does not grow with
        # the number of names (see ``name_pattern``)
        self._gazetteer = re.compile(r"(?<![\w])(?:" + name_pattern(names) + r")(?![\w])")
        # Place names of several words also match in any case: news writes "the southern Kuril
        # islands" as often as "the Southern Kuril Islands".
        self._places = {n.lower(): self._forms[n][0] for n in names if " " in n
                        and not self._forms[n][1] and registry[self._forms[n][0]].letter in "TLC"}
        self._place_gazetteer = re.compile(
            r"(?<![\w])(?:" + name_pattern(self._places) + r")(?![\w])", re.IGNORECASE)

    # -- candidates --------------------------------------------------------------------
    def _candidates(self, text: str, begin: int, end: int) -> list[Mention]:
        found: list[tuple[int, Mention]] = []  # (priority, mention)
        chunk = text[begin:end]
        for m in self._gazetteer.finditer(chunk):
            entity_id, demonym = self._forms[m.group(0)]
            entity = self.registry[entity_id]
            found.append((0, Mention(begin + m.start(), begin + m.end(), m.group(0),
                                     entity.letter, entity_id, demonym=demonym)))
        for m in self._place_gazetteer.finditer(chunk):
            entity = self.registry[self._places[m.group(0).lower()]]
            found.append((1, Mention(begin + m.start(), begin + m.end(), m.group(0), entity.letter, entity.id)))
        for m in _ORG.finditer(chunk):
            # determiners and a possessive owner are not part of the name: "Nikkei's Research Bureau"
            label = re.sub(r"^(?:The|the|A|An) ", "", m.group(0))
            label = re.sub(r"^(?:\S+ )*?\S+[’']s ", "", label)
            start = begin + m.end() - len(label)
            found.append((1, Mention(start, begin + m.end(), label, "O")))
        for m in _TERRITORY.finditer(chunk):
            if m.group(0).rsplit(" ", 1)[0] in self._forms:
                continue  # "Hokkaido Island" is the known place, not a new territory
            found.append((1, Mention(begin + m.start(), begin + m.end(), m.group(0), "T")))
        for m in _TITLED.finditer(chunk):
            found.append((2, Mention(begin + m.start(1), begin + m.end(1), m.group(1), "P")))
        for m in self._company.finditer(chunk):
            group = 1 if m.group(1) else 2
            if m.group(group) not in _NOT_NAMES and m.group(group).lower() not in grammar().modifiers:
                found.append((3, Mention(begin + m.start(group), begin + m.end(group), m.group(group), "O")))
        for m in self._apposed.finditer(chunk):
            if m.group(1).split()[0] not in _NOT_NAMES:
                found.append((2, Mention(begin + m.start(1), begin + m.end(1), m.group(1), "P")))
        for m in _PERSON.finditer(chunk):
            if m.group(1) in self.first_names:
                found.append((2, Mention(begin + m.start(), begin + m.end(), m.group(0), "P")))
        # longest first; at equal length the registry wins over discoveries
        found.sort(key=lambda pm: (-(pm[1].end - pm[1].begin), pm[0], pm[1].begin))
        taken: list[Mention] = []
        for _, mention in found:
            if all(mention.end <= t.begin or mention.begin >= t.end for t in taken):
                taken.append(mention)
        return taken

    def _discover(self, mention: Mention) -> None:
        if mention.entity is None:
            cls = {"P": "Person", "O": "Organization", "T": "Territory"}[mention.letter]
            mention.entity = self.registry.discover(mention.surface, cls).id

    # -- article ----------------------------------------------------------------------
    def find(self, article: Article, registry: Registry | None = None) -> ArticleMentions:
        """Mentions of every sentence; discoveries go into ``registry`` (default: the finder's)."""
        saved = self.registry
        if registry is not None:
            self.registry = registry
        try:
            return self._find(article)
        finally:
            self.registry = saved

    def _find(self, article: Article) -> ArticleMentions:
        text = article.text
        sentences = split_sentences(text)
        per_sentence = [self._candidates(text, s.begin, s.end) for s in sentences]
        for sentence, mentions in zip(sentences, per_sentence, strict=True):
            credits = credit_spans(text, sentence.begin, sentence.end)  # "MOSCOW (Reuters) -"
            mentions[:] = [m for m in mentions if not any(b <= m.begin and m.end <= e for b, e in credits)]
        for mentions in per_sentence:
            for mention in mentions:
                self._discover(mention)
        self._surnames(text, sentences, per_sentence)
        views: list[SentenceView] = []
        for sentence, mentions in zip(sentences, per_sentence, strict=True):
            for date in find_dates(sentence.text, article.published):
                b, e = sentence.begin + date.begin, sentence.begin + date.end
                if all(e <= m.begin or b >= m.end for m in mentions):
                    mentions.append(Mention(b, e, date.surface, "D", date=date))
            self._administrations(text, mentions)
            mentions.sort(key=lambda m: m.begin)
            views.append(SentenceView(sentence, mentions))
        self._pronouns(text, views)
        for view in views:
            self._phrase_reader.read(text, view, self.registry)
            view.quoted = _quoted(view.sentence.text)
            view.masked = _mask(text, view, ())
            view.unquoted = _mask(text, view, view.quoted)
        return ArticleMentions(article, views)

    def _surnames(self, text: str, sentences: list[Sentence],
                  per_sentence: list[list[Mention]]) -> None:
        """A surname alone ("Brown", "Mr. Brown") names the person the article named in full."""
        named: dict[str, list[tuple[int, str]]] = {}  # surname -> (offset, person) in text order
        for mentions in per_sentence:
            for m in mentions:
                entity = self.registry.get(m.entity)
                if entity is not None and entity.letter == "P" and entity.surname:
                    named.setdefault(entity.surname, []).append((m.begin, entity.id))
        if not named:
            return
        pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, named)) + r")(?![\w])")
        for sentence, mentions in zip(sentences, per_sentence, strict=True):
            for found in pattern.finditer(text, sentence.begin, sentence.end):
                b, e = found.start(), found.end()
                if all(e <= x.begin or b >= x.end for x in mentions):
                    candidates = sorted(named[found.group(0)])
                    before = [person for at, person in candidates if at < b]
                    person = before[-1] if before else candidates[0][1]
                    mentions.append(Mention(b, e, found.group(0), "P", person))

    def _administrations(self, text: str, mentions: list[Mention]) -> None:
        """"the Obama administration" names the person's state, not the person."""
        for m in mentions:
            entity = self.registry.get(m.entity)
            if m.letter == "P" and entity is not None and _ADMINISTRATION.match(text[m.end : m.end + 16]):
                state = self.registry.state_of(entity)
                if state is not None:
                    m.letter, m.entity = "S", state.id

    def _pronouns(self, text: str, views: list[SentenceView]) -> None:
        """Resolve he/his/him and she/her to a person of this or the previous sentences.

        News prefers the subject: the first person of the sentence before the pronoun, else
        the first person of the nearest earlier sentence that names one; "she/her" wants a
        female person and may also look ahead in its own sentence ("During her visit ...,
        Chancellor Angela Merkel").
        """
        for index, view in enumerate(views):
            s = view.sentence
            for m in _PRONOUN.finditer(text, s.begin, s.end):
                b, e = m.start(), m.end()
                if any(not (e <= x.begin or b >= x.end) for x in view.mentions):
                    continue
                female = m.group(1).lower() in FEMALE_PRONOUNS
                target = self._antecedent(views, index, b, female)
                if target is not None:
                    view.mentions.append(Mention(b, e, m.group(0), "P", target, pronoun=True))
            view.mentions.sort(key=lambda x: x.begin)

    def _compatible(self, entity_id: str | None, female: bool) -> bool:
        entity = self.registry.get(entity_id)
        if entity is None or entity.letter != "P":
            return False
        if entity.gender is None:
            first = entity.label.split()[0]
            return not female or first.endswith("a")  # Angela, Maria, Yelena ...
        return (entity.gender == "female") == female

    def _antecedent(self, views: list[SentenceView], index: int, at: int, female: bool) -> str | None:
        here = sorted((m for m in views[index].mentions if m.letter == "P"), key=lambda m: m.begin)
        before = [m for m in here if m.end <= at and self._compatible(m.entity, female)]
        if before:
            return before[0].entity
        if female:
            after = [m for m in here if m.begin > at and self._compatible(m.entity, True)]
            if after:
                return after[0].entity
        for back in range(index - 1, max(-1, index - 4), -1):
            people = [m for m in views[back].mentions if m.letter == "P"
                      and self._compatible(m.entity, female)]
            if people:
                return people[0].entity
        return None


def _mask(text: str, view: SentenceView, drop: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    """The sentence with each mention replaced by ``⟦<letter><index>⟧``, white space folded.

    Spans in ``drop`` (sentence-relative, the inside of quotations) become "…": facts are
    read from what the article reports, not from what somebody is quoted as saying.
    """
    s = view.sentence
    cuts = [(s.begin + b, s.begin + e, "…") for b, e in drop]
    cuts += [(*_extent(m, cuts), f"⟦{m.letter}{i}⟧") for i, m in enumerate(view.mentions)
             if not any(b <= m.begin and m.end <= e for b, e, _ in cuts[: len(drop)])
             and not _inside_phrase(m, view.mentions)]
    cuts.sort()
    out: list[str] = []
    cursor = s.begin
    for begin, end, replacement in cuts:
        if begin < cursor:
            continue
        out.append(text[cursor:begin])
        out.append(replacement)
        cursor = end
    out.append(text[cursor : s.end])
    masked = "".join(out).replace("’", "'").replace("‘", "'")
    return " ".join(masked.split())


def _extent(mention: Mention, quoted: list[tuple[int, int, str]]) -> tuple[int, int]:
    """The phrase a token stands for, unless a quotation cuts through it (then the name)."""
    b, e = mention.extent
    if any(qb < e and b < qe and not (qb <= b and e <= qe) for qb, qe, _ in quoted):
        return mention.begin, mention.end
    return b, e


def _inside_phrase(mention: Mention, mentions: list[Mention]) -> bool:
    """A mention inside another's person phrase ("Russian" in "Russian President X") has no
    token of its own: the phrase's token stands for it."""
    return any(other is not mention and other.phrase is not None
               and other.phrase.begin <= mention.begin and mention.end <= other.phrase.end
               for other in mentions)


def _quoted(sentence: str) -> list[tuple[int, int]]:
    """(begin, end) of the text inside each pair of quotation marks of the sentence."""
    spans: list[tuple[int, int]] = []
    # a curly opening is closed by a curly or a straight mark (“…" is common in wire copy)
    for m in re.finditer(r"“([^”\"]*)[”\"]|\"([^\"]*)\"", sentence):
        group = 1 if m.group(1) is not None else 2
        spans.append((m.start(group), m.end(group)))
    return spans


def entity_of(registry: Registry, mention: Mention) -> Entity | None:
    return registry.get(mention.entity)


# the records live in graph.mention_types; the stages import them from here, as before
__all__ = ["TOKEN", "ArticleMentions", "Mention", "MentionFinder", "PersonPhrase", "Role", "SentenceView", "entity_of"]
