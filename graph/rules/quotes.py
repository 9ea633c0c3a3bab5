"""Quotes: words inside quotation marks that the text attributes to one speaker.

Where the quotation marks are is :mod:`dipkg.graph.rules.quotations`; this module says who
spoke them.

A reporting clause says who spoke; its verbs and where their speaker stands are the table
``ontology/cues/quote-verbs.tsv``.  Attribution, in the order news uses it:

1. after the quote, in the same clause: "“…,” Ushakov said", "“…,” said Alexei Pushkov, head of
   …", "“…,” Olaf Scholz, the German chancellor, told reporters", "… “…”, according to the DFA";
   or in the next sentence when that is only the reporting clause ("“… .” X said.");
2. "X's statement that “…”";
3. before the quote: "Putin has said that a compromise “can and will be found”", "Abe pointed out
   to Obama: “…”", "X defended the plan, saying that “…”" — the nearest reporting verb not in a
   relative clause (", which China said …," is an aside);
   a headline's "Putin: ‘…’" is Putin's;
4. a statement standing in for its issuer ("…, the statement said") when nobody else is named;
5. a sentence that is only a quotation continues the speaker of the sentence before.

Who "he", "it", "the ministry", "the statement" are is ``graph.discourse.speakers``; "a statement
from <body> said" is the body's.  Not quotes: words credited to several speakers at once ("Abe and
Putin said", "the two leaders said"), words a speaker did not use ("stopped short of calling it
“…”", ``quote-negation.tsv``), marks the writer puts on ("the so-called “…”", ``quote-scare.tsv``),
quotation marks no reporting clause claims (scare quotes, slogans, titles).  The words are kept
without a trailing comma or period.  A fragment that lies
inside a longer quote of the same speaker is the same quote, recorded once; so is a headline's
quote repeated in the lead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import chain

from dipkg.graph.cues import load
from dipkg.graph.discourse.speakers import JOINT, NOBODY, SPEAKER_LETTERS, Referent, Speakers, is_media
from dipkg.graph.facts import Quote
from dipkg.graph.lexicon import TITLES
from dipkg.graph.mentions import Mention, SentenceView
from dipkg.graph.rules.common import Context
from dipkg.graph.rules.quotations import Quotation, quotations, words_of

_STATEMENT = re.compile(r"[’']s? (?:statement|remarks?|comments?|words|pledge|promise|claim|assertion) that\b")
_ANONYMOUS = re.compile(
    r"(?<![\w])(?:(?:a|an|one|the|another) )?(?P<np>(?:(?:senior|top|high-ranking|unnamed|anonymous|"
    r"Russian|Japanese|American|Chinese|European|Western|Ukrainian|U\.S\.|Kremlin|government|"
    r"administration|foreign ministry|ministry|defense|defence|foreign|Foreign|security|intelligence|"
    r"military|state|party|White House|State Department|Foreign Ministry|Defense Ministry) ){0,4}"
    r"(?:official|diplomat|source|spokesman|spokeswoman|aide|analyst|observer|expert|lawmaker))(?![\w])"
)
_GOVERNMENT = re.compile(r"(?:the )?((?:U\.S\.|Japanese|Russian|Chinese|[A-Z][a-z]+) government)")
# words between a subject and its verb that do not change who speaks ("Abe also said")
_FILLER = re.compile(r"(?:\s+(?:also|further|later|then|again|has|have|had|would|will|was|were|is|"
                     r"once|repeatedly|reportedly|[a-z]+ly))+\s*$")
_ASIDE = re.compile(r",\s*[^,“”\"‘]{1,120},\s*$")
_ISSUED = re.compile(r"\bstatement\s+(?:(?:issued|released|published)\s+)?(?:by|from)\s+", re.IGNORECASE)
_ISSUER = re.compile(r"\s+(?:issued|released|published|put\s+out)\s+a\s+(?:\w+\s+)?statement\b")
_STATEMENT_SUBJECT = re.compile(
    r"\s*(?:A|The|a|the)\s+(?:\w+\s+)?statement\s+(?:(?:issued|released|published)\s+)?(?:from|by)\s+"
    r"(?P<body>[^“”\"]+?)[\s,]*$")
_IN_STATEMENT = re.compile(r"^\s+in\s+a\s+(?:written\s+)?statement\b")
_RELATIVE = re.compile(r"(?:^|[,(—])\s*(?:which|who|whom|where|as)\b[^,(—]*$")


@cache
def _negation() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(cues anywhere in the clause before the verb, cues right before it)."""
    table = load("quote-negation")
    clause = re.compile(rf"(?<![\w’']){table.pattern(reach='clause')}(?![\w’'])", re.IGNORECASE)
    verb = re.compile(rf"(?<![\w’']){table.pattern(reach='verb')}(?:\s+\w+)?\s*$", re.IGNORECASE)
    return clause, verb


@cache
def _body() -> re.Pattern[str]:
    """A body described in lower case, headed by an institution noun of quote-referents.tsv."""
    heads = "|".join(re.escape(cue) for cue in load("quote-referents").cues(refers="institution") if " " not in cue)
    return re.compile(rf"(?:a|an|the)\s+(?P<name>(?:[a-z]+\s+){{0,3}}(?:{heads}))\b")


@cache
def _scare() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w’']){load('quote-scare').pattern()}\s*$", re.IGNORECASE)


@cache
def _verbs() -> tuple[re.Pattern[str], dict[str, str]]:
    table = load("quote-verbs")
    forms = {" ".join(cue.lower().split()): form for cue, form in table.mapping("form").items()}
    return re.compile(rf"(?<![\w’']){table.pattern()}(?![\w’'])", re.IGNORECASE), forms


class _Attribution:
    """The reporting clauses of one article, read in text order."""

    def __init__(self, context: Context, found: list[Quotation]) -> None:
        self.context = context
        self.quotes = found
        self.speakers = Speakers(context)
        self.pattern, self.forms = _verbs()

    # -- helpers --------------------------------------------------------------------------
    def inside(self, offset: int) -> bool:
        return any(q.open_mark <= offset <= q.close_mark for q in self.quotes)

    def verbs(self, begin: int, end: int) -> list[tuple[int, int, str]]:
        """(begin, end, form) of each reporting verb between two offsets, outside quotations."""
        out = []
        text = self.context.text
        for m in self.pattern.finditer(text, begin, end):
            form = self.forms[" ".join(m.group(0).lower().split())]
            if form == "none":
                continue
            if form == "participle" and re.search(r"(?<![\w])as\s+$", text[max(0, m.start() - 4) : m.start()]):
                continue  # "quoted X as saying": part of the object form before it
            if not self.inside(m.start()):
                out.append((m.start(), m.end(), form))
        return out

    def negated(self, clause: int, verb: int) -> bool:
        """"stopped short of saying", "declined to call": the words were not said."""
        in_clause, before_verb = _negation()
        window = self.context.text[max(clause, verb - 100) : verb]
        if before_verb.search(window):
            return True
        # "stopped short of calling it “…”", but not "an official, who declined to be named, said"
        return any(not self.inside(verb - len(window) + m.start()) and "," not in window[m.end() :]
                   for m in in_clause.finditer(window))

    def view(self, index: int) -> SentenceView:
        return self.context.views[index]

    # -- who a phrase names ---------------------------------------------------------------
    def _at_end(self, view: SentenceView, index: int, begin: int, end: int) -> Referent | None:
        """The speaker named by the words just before ``end`` (the subject of a verb there)."""
        text = self.context.text
        phrase = text[begin:end].rstrip()
        relative = re.search(r",\s*(?:who|which)$", phrase)
        if relative:  # "Abe, who once called the islands “…”": the relative pronoun's antecedent
            phrase = phrase[: relative.start()]
        stop = begin + len(phrase)
        dated = [m for m in view.mentions if m.letter == "D" and m.end == stop]
        if dated:  # "Abe on Monday said", "Yang said Saturday"
            phrase = re.sub(r"\s+(?:on|in|at|late|early|earlier|last|this)$", "", text[begin : dated[0].begin].rstrip())
            phrase = phrase.rstrip(" ,")
            stop = begin + len(phrase)
        for m in reversed(view.mentions):
            if m.end == stop and m.letter in SPEAKER_LETTERS:
                if self.speakers.joint_before(view, m.begin):
                    return JOINT
                return self._mention(view, index, m)
            if m.end < stop:
                break
        raw = re.search(r"(?<![\w])(he|she|it|He|She|It)$", phrase)
        if raw:
            mention = next((m for m in view.mentions if m.begin == stop - len(raw.group(1))), None)
            return self.speakers.pronoun(index, mention, raw.group(1), view)
        acronym = re.search(r"(?<![\w])([A-Z]{2,6})$", phrase)
        if acronym and (found := self.speakers.acronym(acronym.group(1))) is not None:
            return found
        described = self.speakers.descriptor(view, index, stop, phrase)
        if described is not None:
            return described
        honorific = self.speakers.honorific(index, phrase)
        if honorific is not None:
            return honorific
        referent = self.speakers.noun_phrase(index, stop, phrase)
        if referent is not None:
            return referent
        return self._bare_name(index, phrase)

    def _bare_name(self, index: int, phrase: str) -> Referent | None:
        """A surname the mention finder did not know, introduced in full earlier ("Junichi
        Ihara, head of …" … "Ihara said"): that person."""
        last = re.search(r"(?<![\w])([A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)$", phrase)
        if last is None:
            return None
        name = last.group(1)
        earlier = self.context.text[: self.view(index).sentence.begin]
        full = re.search(rf"(?<![\w])([A-Z][a-z]+) {re.escape(name)}(?=,\s+(?:the\s+|a\s+)?[a-z])", earlier)
        titles = {word for title in TITLES for word in title.split()}
        if full is None or full.group(1) in titles or full.group(1) in ("The", "In", "On", "At", "For", "And", "But"):
            return None  # "President Lee, who …" names a title, not a first name
        entity = self.context.registry.discover(full.group(0), "Person")
        return Referent(entity.id)

    def _mention(self, view: SentenceView, index: int, m: Mention, source: bool = False) -> Referent:
        if m.pronoun:
            return self.speakers.pronoun(index, m, m.surface, view)
        return Referent(self.speakers.speaker_of_mention(m, source))

    def _after(self, view: SentenceView, index: int, begin: int, words: int = 4,
               source: bool = False) -> Referent | None:
        """The speaker right after an inverted verb ("said Alexei Pushkov", "said the ministry")."""
        text = self.context.text
        end = min(view.sentence.end, begin + 80)
        if re.match(r"\s+" + _ANONYMOUS.pattern, text[begin:end]) is not None:
            # "said a senior official", "quoted a defence ministry official as saying"
            return Referent(_anonymous(self.context, view, begin))
        for m in view.mentions:
            if m.begin >= begin and m.letter in SPEAKER_LETTERS:
                gap = text[begin : m.begin]
                if len(gap.split()) <= words and not re.search(r"[“”\"‘,;.]", gap):
                    return self._mention(view, index, m, source)
                break
        tail = text[begin:end]
        np = re.match(r"\s+((?:the\s+)?[A-Z]{2,6}|(?:the|a)\s+(?:[a-z]+\s+){0,2}[a-z]+)(?![\w])", tail)
        if np:
            phrase = np.group(1)
            if phrase.split()[-1].isupper():
                return self.speakers.acronym(phrase.split()[-1])
            return self.speakers.noun_phrase(index, begin + np.end(), phrase)
        return None

    def subject(self, view: SentenceView, index: int, clause: int, verb: tuple[int, int, str]) -> Referent:
        """Who speaks with a reporting verb; ``clause`` is where its clause starts."""
        vb, ve, form = verb
        text = self.context.text
        if form == "source":
            return self._source(view, index, ve)
        if form == "object":
            return self._after(view, index, ve, words=2) or NOBODY
        if form == "participle":
            return self._main_subject(view, index, vb)
        issued = _STATEMENT_SUBJECT.match(text, clause, vb)
        if issued is not None:  # "A statement from the ministry said": the ministry
            author = self._author(view, index, issued.start("body"), issued.end("body"))
            return author if author.entity is not None else Referent(None, document=True)
        region_end = vb
        filler = _FILLER.search(text, clause, vb)
        if filler is not None and filler.end() == vb:
            region_end = filler.start()
        region = text[clause:region_end]
        acronym = re.search(r"\s*\(([A-Z]{2,6})\)\s*$", region)
        if acronym:
            region_end -= len(acronym.group(0))
            region = text[clause:region_end]
        aside = _ASIDE.search(region)
        if aside is not None and re.search(r"[\w)]$", region[: aside.start()]):
            # "Mr Kim, chairman of …, said": the subject stands before the aside
            found = self._at_end(view, index, clause, clause + aside.start())
            if found is None:
                found = self._anonymous_at_end(view, clause, clause + aside.start())
            return found if found is not None else NOBODY
        if region.strip(" ,:—–-“”\"'’") :
            found = self._at_end(view, index, clause, region_end)
            if found is not None:
                if acronym and found.entity is not None:
                    self.speakers.note_acronym(acronym.group(1), found.entity)
                return found
            anonymous = self._anonymous_at_end(view, clause, region_end)
            if anonymous is not None:
                return anonymous
            if form == "passive" or not re.search(r"[,:“”\"’]\s*$", region):
                return NOBODY
        if form == "finite":
            return self._after(view, index, ve) or NOBODY
        return NOBODY

    def _anonymous_at_end(self, view: SentenceView, begin: int, end: int) -> Referent | None:
        """"a senior government official said": an anonymous source of its own."""
        found = re.search(_ANONYMOUS.pattern + r"\s*$", self.context.text[begin:end])
        if found is None:
            return None
        return Referent(_anonymous(self.context, view, begin + found.start()))

    def _author(self, view: SentenceView, index: int, begin: int, end: int) -> Referent:
        """Who issued a statement: a name, a known body ("the ministry"), else a body the
        sentence describes in lower case ("a national security committee headed by the
        Pakistani prime minister"), named like the registry's bodies: "<Body> of <State>"."""
        text = self.context.text
        named = self._after(view, index, begin - 1, words=1)
        if named is not None and named.entity is not None:
            return named
        body = _body().match(text, begin, end)
        if body is None:
            return NOBODY
        known = self.speakers.noun_phrase(index, body.end(), text[begin : body.end()])
        if known is not None and known.entity is not None:
            return known
        states = [self.speakers.speaker_of_mention(m) for m in view.mentions
                  if begin <= m.begin < end and m.letter == "S"]
        state = self.speakers.entity(states[0] if states else self.speakers.last_state(index))
        if state is None:
            return NOBODY
        name = " ".join(word.capitalize() for word in body.group("name").split())
        entity = self.context.registry.discover(f"{name} of {state.label}", "Organization")
        return Referent(entity.id)

    def _source(self, view: SentenceView, index: int, at: int) -> Referent:
        """"according to X": X, a statement's issuer, an anonymous official; media are nobody."""
        text = self.context.text
        tail = text[at : view.sentence.end]
        issued = re.match(r"\s+(?:a|the)\s+(?:\w+\s+)?statement\s+(?:(?:issued|released)\s+)?(?:by|from)\s+", tail)
        if issued:
            return self._after(view, index, at + issued.end() - 1) or NOBODY
        anonymous = _ANONYMOUS.match(text, at + 1)
        if anonymous is not None and anonymous.end() <= view.sentence.end:
            return Referent(_anonymous(self.context, view, at))
        return self._after(view, index, at, words=3, source=True) or NOBODY

    def _main_subject(self, view: SentenceView, index: int, before: int) -> Referent:
        """The subject of the clause a participle hangs on: the first name not after a preposition."""
        text = self.context.text
        s = view.sentence
        lead = re.match(r"\s*(?:[A-Z][a-z]+,\s+)?(He|She|It)\b", text[s.begin : before])
        if lead:
            mention = next((m for m in view.mentions if m.begin == s.begin + lead.start(1)), None)
            return self.speakers.pronoun(index, mention, lead.group(1), view)
        for m in view.mentions:
            if m.begin >= before:
                break
            if m.letter in SPEAKER_LETTERS and not self.inside(m.begin) and not m.demonym \
                    and not self.speakers.preceded_by_preposition(view, m.begin) \
                    and not is_media(self.context.entity(m), m.surface):
                return self._mention(view, index, m)
        lead_np = re.match(r"\s*(?:The|the|A|a)\s+(?:[a-z]+\s+){0,2}[a-z]+(?=[\s,])", text[s.begin : before])
        np = self.speakers.noun_phrase(index, s.begin + lead_np.end(), lead_np.group(0)) if lead_np else None
        return np or NOBODY

    # -- quotes -----------------------------------------------------------------------------
    def speaker(self, quote: Quotation) -> tuple[str | None, int]:
        """The quote's speaker (or None) and the last sentence the attribution used.

        Rules 1–3 each offer candidate subjects in the order news uses them; one decision reads
        them all: several speakers at once (or words the speaker did not use) end the search
        with nobody, a statement standing in for its issuer is kept as a weak fallback, and the
        first named speaker wins."""
        first, last = self.view(quote.first), self.view(quote.last)
        text = self.context.text
        after_begin, after_end, last, used = self._after_clause(quote, last)
        clause = first.sentence.begin
        for sep in re.finditer(r";", text[first.sentence.begin : quote.open_mark]):
            clause = first.sentence.begin + sep.end()
        before = self.verbs(clause, quote.open_mark)
        weak: str | None = None
        candidates = chain(self._reported_after(quote, last, after_begin, after_end),
                           self._statement_owner(quote, first, clause, before),
                           self._reported_before(quote, first, clause, before))
        for who in candidates:
            if who.joint:
                return None, used
            if who.document:
                weak = weak or who.entity
                continue
            if who.entity is not None:
                return who.entity, used
        # a headline's "Putin: ‘No deal on the islands’"
        lead = text[first.sentence.begin : quote.open_mark]
        named = [m for m in first.mentions if m.letter in SPEAKER_LETTERS and m.end <= quote.open_mark]
        if named and re.fullmatch(r"\s*:\s*", text[named[-1].end : quote.open_mark]) \
                and lead[: named[-1].begin - first.sentence.begin].strip() == "":
            who = self._mention(first, quote.first, named[-1])
            if who.entity is not None:
                return who.entity, used
        # 4: "…, the statement said"
        if weak is not None:
            return weak, used
        # 5: a quotation alone continues the previous sentence's speaker
        outside = text[first.sentence.begin : quote.open_mark] + text[quote.close_mark + 1 : last.sentence.end]
        if not outside.strip(" “”\"'‘’.,") and quote.first > 0:
            said = self.speakers.spoke.get(quote.first - 1, [])
            if said:
                return said[-1], used
        return None, used


    def _after_clause(self, quote: Quotation, last: SentenceView) -> tuple[int, int, SentenceView, int]:
        """Where rule 1 looks: the rest of the quote's last clause, or the next sentence when the
        clause is empty and that sentence is only a short reporting clause ("“… .” X said.")."""
        text = self.context.text
        after_begin = min(quote.close_mark + 1, last.sentence.end)
        after_end = last.sentence.end
        used = quote.last
        cut = re.search(r";|\s+but\s+|\s+while\s+|^\W*\s*and\s+|,\s+and\s+", text[after_begin:after_end])
        if cut:
            after_end = after_begin + cut.start()
        if not text[after_begin:after_end].strip(" ,.:;!?”\"'’—–-") and quote.last + 1 < len(self.context.views):
            following = self.view(quote.last + 1)
            s = following.sentence
            if len(s.text.split()) <= 14 and not re.search(r"[“”\"]", s.text) \
                    and "\n\n" not in text[last.sentence.end : s.begin] and self.verbs(s.begin, s.end):
                after_begin, after_end, last, used = s.begin, s.end, following, s.index
        return after_begin, after_end, last, used

    def _reported_after(self, quote: Quotation, last: SentenceView, begin: int, end: int) -> Iterator[Referent]:
        """Rule 1: the subjects of the reporting verbs after the quote, in the same clause."""
        for verb in self.verbs(begin, end):
            if verb[2] == "participle":
                continue  # "“…” …, saying": the participle introduces what follows it
            who = self.subject(last, quote.first, begin, verb)
            yield who
            if not who.document and verb[2] in ("finite", "source") and verb[0] - begin < 4:
                return  # a verb right after the quote with no known subject closes the clause

    def _statement_owner(self, quote: Quotation, first: SentenceView, clause: int,
                         before: list[tuple[int, int, str]]) -> Iterator[Referent]:
        """Rule 2: "X's statement that “…”", when no reporting verb comes after the statement."""
        statement = list(_STATEMENT.finditer(self.context.text, clause, quote.open_mark))
        if statement and (not before or statement[-1].start() > before[-1][0]):
            owner = [m for m in first.mentions if m.end <= statement[-1].start() + 1 and m.letter in SPEAKER_LETTERS]
            if owner:
                who = self._mention(first, quote.first, owner[-1])
                if who.entity is not None:
                    yield Referent(who.entity)  # the owner's own words, however they are named

    def _reported_before(self, quote: Quotation, first: SentenceView, clause: int,
                         before: list[tuple[int, int, str]]) -> Iterator[Referent]:
        """Rule 3: the nearest reporting verb before the quote that is not in a relative clause."""
        text = self.context.text
        for verb in reversed(before):
            if _RELATIVE.search(text, clause, verb[0]) and verb[2] != "participle" \
                    and "," in text[verb[1] : quote.open_mark]:
                continue  # ", which China said …, was “…”": the aside's verb is not the quote's
            if self.negated(clause, verb[0]):
                yield JOINT  # words the speaker did not use: nobody is credited
                return
            yield self.subject(first, quote.first, clause, verb)

    def record(self, view: SentenceView) -> None:
        """Note who speaks in a sentence's reporting clauses and who issued a statement."""
        s = view.sentence
        text = self.context.text
        for verb in self.verbs(s.begin, s.end):
            clause = s.begin
            for sep in re.finditer(r"[;“”\"]", text[s.begin : verb[0]]):
                clause = s.begin + sep.end()
            if verb[2] != "participle" and _RELATIVE.search(text, clause, verb[0]):
                continue
            who = self.subject(view, s.index, clause, verb)
            if who.entity is not None and not who.document:
                self.speakers.note(s.index, who.entity)
                if _IN_STATEMENT.match(text, verb[1]):
                    self.speakers.note_statement(s.index, who.entity)
        for m in view.mentions:  # "the ministry issued a statement"
            if m.letter in SPEAKER_LETTERS and _ISSUER.match(text, m.end) and not self.inside(m.begin):
                author = self._mention(view, s.index, m)
                if author.entity is not None:
                    self.speakers.note_statement(s.index, author.entity)
        for issued in _ISSUED.finditer(text, s.begin, s.end):
            issuer = self._after(view, s.index, issued.end() - 1, words=3)
            if issuer is not None and issuer.entity is not None:
                self.speakers.note_statement(s.index, issuer.entity)


def _anonymous(context: Context, view: SentenceView, begin: int) -> str | None:
    """An anonymous source named after ``begin`` ("according to a senior official")."""
    s = view.sentence
    m = _ANONYMOUS.search(s.text, begin - s.begin)
    if m is None or m.start() - (begin - s.begin) > 40:
        return None
    label = m.group("np")
    has_affiliation = re.search(r"U\.S\.|Russian|Japanese|American|Chinese|European|Western|"
                                r"Ukrainian|Kremlin|government|ministry", label, re.IGNORECASE)
    if not has_affiliation:
        gov = _GOVERNMENT.search(s.text)
        if gov:
            words = label.split()
            label = " ".join([*words[:-1], gov.group(1), words[-1]])
    key = context.mentions.article.key
    entity = context.registry.discover(f"{label} ({key})", "Person")
    entity.label = label
    entity.aliases = (label,)
    return entity.id


def _norm(words: str) -> str:
    return " ".join(re.sub(r"[^\w’' ]+", " ", words.lower()).split())


def extract(context: Context) -> None:
    found = quotations(context)
    attribution = _Attribution(context, found)
    ending: dict[int, list[Quotation]] = {}
    for quote in found:
        ending.setdefault(quote.last, []).append(quote)
    records: list[Quote] = []
    seen: dict[tuple[str, str], Quote] = {}
    for view in context.views:
        for quote in ending.get(view.sentence.index, []):
            words = words_of(context, quote)
            if not words or _scare().search(context.text, max(0, quote.open_mark - 30), quote.open_mark):
                continue
            speaker, used = attribution.speaker(quote)
            if speaker is None:
                continue
            attribution.speakers.note(quote.first, speaker)
            attribution.speakers.note(quote.last, speaker)
            span = (context.views[quote.first].sentence.begin, context.views[used].sentence.end)
            key = (speaker, _norm(words))
            if key in seen:
                if span not in seen[key].spans:
                    seen[key].spans.append(span)
                continue
            record = Quote(speaker, words, [span])
            seen[key] = record
            records.append(record)
        attribution.record(view)
    # a fragment inside a longer quote of the same speaker is that quote again
    for record in records:
        words = _norm(record.text)
        longer = [other for other in records if other is not record and other.speaker == record.speaker
                  and len(words.split()) > 1 and f" {words} " in f" {_norm(other.text)} "
                  and len(other.text) > len(record.text)]
        if longer:
            for span in record.spans:
                if span not in longer[0].spans:
                    longer[0].spans.append(span)
        else:
            context.facts.quotes.append(record)
