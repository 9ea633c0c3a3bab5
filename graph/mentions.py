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
from dataclasses import dataclass, field

from graph.articles import Article
from graph.datelines import credit_spans
from graph.dates import DateMention, find_dates
from graph.lexicon import FEMALE_PRONOUNS, NON_TITLES, TITLES
from graph.registry import Entity, Registry, name_pattern
from graph.sentences import Sentence, split_sentences
from graph.titles import grammar, patterns

TOKEN = re.compile(r"⟦([A-Z])(\d+)⟧")
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


@dataclass
class Role:
    """An office a person phrase gives its person ("Foreign Minister" of Russia).

    ``of`` is what the phrase itself says (a demonym, "Japan's", "of Japan", "at Temple
    University"); None when it says nothing, and the rules then ask the registry, looking
    first for a state or an organization as ``of_kind`` says.
    """

    title: str
    of: str | None = None
    former: bool = False
    office: str = ""
    of_kind: str = "state"
    leader: bool = False


@dataclass
class PersonPhrase:
    """The whole phrase around a person's name, which the masked text keeps as ONE token:
    "former Russian Deputy Prime Minister Ivan Petrov", "Jane Doe, Britain's ambassador to
    France," (offsets into the article; the closing comma of an apposition is inside)."""

    begin: int
    end: int
    roles: list[Role] = field(default_factory=list)


@dataclass
class Mention:
    """A stretch of an article that names an entity or a date (offsets into the article)."""

    begin: int
    end: int
    surface: str
    letter: str
    entity: str | None = None
    demonym: bool = False
    pronoun: bool = False
    date: DateMention | None = None
    phrase: PersonPhrase | None = None

    @property
    def extent(self) -> tuple[int, int]:
        """What the mention's token stands for in masked text: its phrase, else its name."""
        return (self.phrase.begin, self.phrase.end) if self.phrase else (self.begin, self.end)


@dataclass
class SentenceView:
    """A sentence with its mentions and its masked text, the unit the rules work on."""

    sentence: Sentence
    mentions: list[Mention]
    masked: str = ""
    unquoted: str = ""
    quoted: list[tuple[int, int]] = field(default_factory=list)

    def mention(self, token: str) -> Mention:
        """The mention behind a masked token such as ``⟦P3⟧``."""
        match = TOKEN.fullmatch(token)
        if not match:
            raise ValueError(f"not a mention token: {token!r}")
        return self.mentions[int(match.group(2))]

    def tokens(self, text: str) -> list[Mention]:
        """The mentions whose tokens appear in a piece of masked text, in order."""
        return [self.mentions[int(m.group(2))] for m in TOKEN.finditer(text)]

    def conjuncts(self, token: str) -> list[Mention]:
        """The people coordinated with a person token ("⟦P0⟧, ⟦P1⟧ and ⟦P2⟧"), itself included.

        News names the parties of one act as one noun phrase; a rule that finds one of them
        as subject or object reads the others from here.
        """
        at = self.masked.find(token)
        if at < 0 or not token.startswith("⟦P"):
            return [self.mention(token)]
        unit = re.compile(r"(?:⟦P\d+⟧, )*⟦P\d+⟧(?:,? and ⟦P\d+⟧)?")
        for m in unit.finditer(self.masked):
            if m.start() <= at < m.end():
                return self.tokens(m.group(0))
        return [self.mention(token)]


@dataclass
class ArticleMentions:
    article: Article
    views: list[SentenceView]


class MentionFinder:
    """Finds mentions with one registry; compiled once, used for every article."""

    def __init__(self, registry: Registry, first_names: frozenset[str]) -> None:
        self.registry = registry
        self.first_names = first_names
        self._forms = registry.surface_forms()
        self._apposed = _apposed()
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
            self._phrases(text, view)
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

    # -- person phrases -------------------------------------------------------------------
    def _phrases(self, text: str, view: SentenceView) -> None:
        """Give each titled person mention its whole phrase, its offices and their owners.

        The grammar (``graph.titles``) runs over the sentence with its mentions as tokens,
        whitespace kept, so that a match maps back to exact article offsets.
        """
        masked, starts = _unfolded(text, view)

        def at(pos: int) -> int:  # masked offset -> article offset
            return starts[pos]

        g, pats = grammar(), patterns()
        for m in pats.before.finditer(masked):
            person = view.mention(m.group("person"))
            info = g.info(m.group("title"))
            # "Japan's foreign minister, Taro Kono" and "chairman of the oil firm Rosneft, Igor
            # Sechin": a title in commas before the name needs its owner said first or after "of"
            if person.pronoun or info is None or (m.group("comma") and not m.group("det")
                                                  and (m.group("prep") or "").lower() != "of"):
                continue
            title = " ".join(m.group("title").split())
            plural = title.lower().endswith("s") and not title.lower().endswith(info.title.lower())
            if plural:
                title = title[:-1]
            role = Role(info.role or title, None, g.is_former((m.group("pre") or "") + " " + (m.group("pre2") or "")),
                        info.office, info.of_kind, info.leader and not g.ranked(title))
            owner = m.group("owner") or m.group("poss")
            if owner:
                self._own(view, role, view.mention(owner))
            if m.group("to"):
                target = view.mention(m.group("to"))
                if m.group("prep").lower() == "to":
                    role.title = f"{role.title} to {target.surface}"
                else:
                    self._own(view, role, target)
            end = m.end() if (m.group("comma") and m.group("close")) else m.end("person")
            of_state = re.match(r"\s+of\s+(⟦S\d+⟧)", masked[m.end("person"):])
            if of_state is not None and role.of is None and not m.group("close"):
                # "Prime Minister Ivan Petrov of Ruritania": the state after the name
                self._own(view, role, view.mention(of_state.group(1)))
                end = m.end("person") + of_state.end()
            person.phrase = PersonPhrase(at(m.start()), at(end), [role])
            if plural:  # "Presidents A and B": the title is each one's
                rest = re.match(r"(?:,\s+⟦P\d+⟧)*,?\s+and\s+⟦P\d+⟧", masked[m.end("person"):])
                for other in view.tokens(rest.group(0)) if rest else []:
                    if other.phrase is None:
                        other.phrase = PersonPhrase(other.begin, other.end,
                                                    [Role(role.title, None, role.former, role.office,
                                                          role.of_kind, role.leader)])
        for m in pats.after.finditer(masked):
            person = view.mention(m.group("person"))
            if person.pronoun:
                continue
            roles: list[Role] = []
            shared: str | None = None  # "a senior French diplomat and deputy foreign minister"
            for part in re.split(r"\s+and\s+(?=(?:a |an |the )?[a-z])", m.group("body")):
                lead = re.match(r"(?:(?:a|an|the)\s+)?(?:[a-z-]+\s+){0,2}(⟦S\d+⟧)\s", part.strip())
                if lead is not None:
                    shared = view.mention(lead.group(1)).entity
                found = self._apposition_role(view, part.strip())
                if found is not None:
                    if found.of is None and found.of_kind == "state":
                        found.of = shared
                    roles.append(found)
            if not roles:
                continue
            begin = person.phrase.begin if person.phrase else person.begin
            earlier = person.phrase.roles if person.phrase else []
            # the closing comma belongs to the phrase unless another apposition follows it
            chained = re.match(r",\s+(?:the|a|an)\s", masked[m.end("body"):], re.IGNORECASE)
            end = m.end("body") if chained else m.end()
            person.phrase = PersonPhrase(begin, at(end), earlier + roles)

    def _apposition_role(self, view: SentenceView, part: str) -> Role | None:
        """The office in one conjunct of an apposition ("a senior British trade minister")."""
        g = grammar()
        m = patterns().part.fullmatch(part)
        if m is None or any(word in part for word in NON_TITLES):
            return None
        info = g.info(m.group("title"))
        if info is None:
            return None
        title = " ".join(m.group("title").split())
        role = Role(info.role or title, None, g.is_former((m.group("pre") or "") + " " + (m.group("pre2") or "")),
                    info.office, info.of_kind, info.leader and not g.ranked(title))
        if m.group("owner"):
            self._own(view, role, view.mention(m.group("owner")))
        tail = m.group("tail") or ""
        owners = list(re.finditer(
            r"\s(at|of|in|for)\s+(?:the\s+)?(?:(?P<host>⟦S\d+⟧)\s+(?:embassy|consulate|mission|delegation)\b"
            r"|(?P<tok>⟦[OS]\d+⟧))", tail, re.IGNORECASE))
        at_owner = [o for o in owners if o.group(1).lower() == "at"]
        chosen = at_owner[-1] if at_owner else (owners[-1] if owners else None)
        kept = tail
        if chosen is not None:
            token = chosen.group("host") or chosen.group("tok")
            self._own(view, role, view.mention(token))
            prep = chosen.group(1).lower()
            if prep in ("at", "in") or chosen.group("host") or token.startswith("⟦S"):
                kept = tail[: chosen.start()]  # "prime minister of Japan": the role, and its state
        if kept.strip():
            words = TOKEN.sub(lambda t: view.mentions[int(t.group(2))].surface, kept)
            role.title = " ".join(f"{title}{words}".split())
        return role

    def _own(self, view: SentenceView, role: Role, owner: Mention) -> None:
        """Whose office: a state, an organization, or — for a ministry named with its state
        ("Chinese Defence Ministry spokesman") — the state, the ministry joining the role."""
        entity = self.registry.get(owner.entity)
        if entity is None or entity.letter not in "SO":
            return
        if entity.letter == "O" and owner.surface.split()[-1] in ("Ministry", "Department"):
            first, _, rest = owner.surface.partition(" ")
            form = self._forms.get(first)
            if form is not None and self.registry[form[0]].letter == "S" and rest:
                role.of = form[0]
                role.title = f"{rest} {role.title}"
                return
            if entity.discovered:
                # "Foreign Ministry spokesman X": a ministry whose state the text leaves to the
                # reader; the office is the state's, found from the person (or not at all)
                if role.office == "spokesperson":
                    role.title = f"{owner.surface} {role.title}"
                return
        role.of = entity.id

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


def _unfolded(text: str, view: SentenceView) -> tuple[str, list[int]]:
    """The sentence with mentions as tokens and white space as it is, and for each position
    of that text (and one past its end) the article offset it comes from."""
    s = view.sentence
    out: list[str] = []
    starts: list[int] = []
    cursor = s.begin
    for i, m in enumerate(view.mentions):
        if m.begin < cursor:
            continue
        out.append(text[cursor : m.begin])
        starts.extend(range(cursor, m.begin))
        token = f"⟦{m.letter}{i}⟧"
        out.append(token)
        starts.extend([m.begin] + [m.end] * (len(token) - 1))
        cursor = m.end
    out.append(text[cursor : s.end])
    starts.extend(range(cursor, s.end + 1))
    return "".join(out).replace("’", "'").replace("‘", "'"), starts


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
