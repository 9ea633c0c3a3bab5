"""Quotes: words inside quotation marks attributed to a speaker.

Attribution, in the order news uses it:

1. right after the quote: "“…,” Ushakov said." / "“…,” said Alexei Pushkov, head of …";
2. later in the sentence: "the “continued unity” of its partners is vital, Noel Clay said";
3. before the quote: "Putin has said that a compromise “can and will be found.”",
   "Abe pointed out to Obama: “…”", "Medvedev’s statement that officials “visited …”";
4. a sentence that is only a quotation continues the previous sentence's speaker.

"He said" names the last person who spoke (said, told, …) in the sentences before, which is
who news means by it far more often than the last person named.  Anonymous sources
("a senior official", "a U.S. government official") become speakers of their own, one per
article, qualified by the government the sentence names.
"""

from __future__ import annotations

import re

from graph.facts import Quote
from graph.lexicon import SPEECH_VERBS
from graph.mentions import Mention, SentenceView
from graph.rules.common import Context

_VERBS = "|".join(re.escape(v) for v in sorted(SPEECH_VERBS, key=len, reverse=True))
_SPEECH = re.compile(rf"(?<![\w])(?:{_VERBS})(?![\w])")
_STATEMENT = re.compile(r"[’']s? (?:statement|remarks?|comments?|words|pledge|promise|claim|assertion) that\b")
_ANONYMOUS = re.compile(
    r"(?<![\w])(?:(?:a|an|one|the|another) )?(?P<np>(?:(?:senior|top|high-ranking|unnamed|anonymous|"
    r"Russian|Japanese|American|Chinese|European|Western|Ukrainian|U\.S\.|Kremlin|government|"
    r"administration|foreign ministry|ministry|defense|military|Foreign Ministry) ){0,4}"
    r"(?:official|diplomat|source|spokesman|spokeswoman|aide|analyst|observer|expert|lawmaker))(?![\w])"
)
_GOVERNMENT = re.compile(r"(?:the )?((?:U\.S\.|Japanese|Russian|Chinese|[A-Z][a-z]+) government)")
_SPEAKER_LETTERS = ("P", "O", "S")


def _speaker_mention(view: SentenceView, begin: int, end: int) -> list[Mention]:
    return [m for m in view.mentions if begin <= m.begin and m.end <= end and m.letter in _SPEAKER_LETTERS]


def _outside_quotes(view: SentenceView, begin: int, end: int) -> list[re.Match[str]]:
    """Speech verbs between two sentence offsets, not inside a quotation."""
    s = view.sentence
    out = []
    for m in _SPEECH.finditer(s.text, begin - s.begin, end - s.begin):
        if not any(qb <= m.start() < qe for qb, qe in view.quoted):
            out.append(m)
    return out


class _Speakers:
    """Per article: who spoke in which sentence, for "he said" and quote continuations."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.by_sentence: dict[int, list[str]] = {}
        self.quoted_by: dict[int, str] = {}

    def subject_of(self, view: SentenceView, verb: re.Match[str]) -> Mention | None:
        """The speaker of a speech verb: the mention just before it, else just after it."""
        s = view.sentence
        vb, ve = s.begin + verb.start(), s.begin + verb.end()
        if verb.group(0) == "according to":
            anonymous = _ANONYMOUS.match(s.text, verb.end() + 1)
            if anonymous is not None:
                return None  # an anonymous source, named by _anonymous()
            after = _speaker_mention(view, ve, ve + 60)
            return after[0] if after else None
        before = [m for m in view.mentions if m.end <= vb and m.letter in _SPEAKER_LETTERS]
        if before:
            gap = self.context.text[before[-1].end : vb]
            if re.fullmatch(r"[\s,]*(?:[’']s?)?\s*(?:has|have|had|also|later|then|reportedly|\w+ly)?\s*", gap):
                return before[-1]
        after = _speaker_mention(view, ve, ve + 50)
        if after:
            gap = self.context.text[ve : after[0].begin]
            if len(gap.split()) <= 4 and "“" not in gap and '"' not in gap:
                return after[0]
        return None

    def record(self, view: SentenceView) -> None:
        s = view.sentence
        names = []
        for verb in _outside_quotes(view, s.begin, s.end):
            m = self.subject_of(view, verb)
            if m is not None and m.entity and not m.pronoun:
                names.append(m.entity)
        if names:
            self.by_sentence[s.index] = names

    def last_speaker(self, index: int) -> str | None:
        for back in range(index - 1, max(-1, index - 4), -1):
            if back in self.quoted_by:
                return self.quoted_by[back]
            if back in self.by_sentence:
                return self.by_sentence[back][-1]
        return None


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


def _speaker(context: Context, speakers: _Speakers, view: SentenceView,
             quote_begin: int, quote_end: int) -> str | None:
    s = view.sentence
    # 1-2: a speech verb after the quote (outside any quotation)
    for verb in _outside_quotes(view, quote_end, s.end):
        who = speakers.subject_of(view, verb)
        if who is None and verb.group(0) == "according to":
            return _anonymous(context, view, s.begin + verb.end())
        if who is None:
            anon = _anonymous(context, view, s.begin + verb.end())
            if anon:
                return anon
        if who is not None:
            return _resolve(speakers, view, who)
    # 3: a speech verb or "X's statement that" before the quote
    verbs = _outside_quotes(view, s.begin, quote_begin)
    statement = list(_STATEMENT.finditer(s.text, 0, quote_begin - s.begin))
    if statement and (not verbs or statement[-1].start() > verbs[-1].start()):
        owner = [m for m in view.mentions if m.end <= s.begin + statement[-1].start() + 1
                 and m.letter in _SPEAKER_LETTERS]
        if owner:
            return _resolve(speakers, view, owner[-1])
    for verb in reversed(verbs):
        who = speakers.subject_of(view, verb)
        if who is not None:
            return _resolve(speakers, view, who)
        # "Lavrov, speaking after talks with Kono in Moscow, said: …": the subject before the aside
        first = [m for m in view.mentions if m.letter in _SPEAKER_LETTERS and m.begin >= s.begin]
        if first and re.fullmatch(
                r", [^“”\"]+, ", context.text[first[0].end : s.begin + verb.start()]):
            return _resolve(speakers, view, first[0])
    # 4: a sentence that is only a quotation continues the previous speaker
    outside = s.text[: quote_begin - s.begin - 1] + s.text[quote_end - s.begin + 1 :]
    if not outside.strip(" “”\"'.,") and s.index - 1 in speakers.quoted_by:
        return speakers.quoted_by[s.index - 1]
    return None


def _resolve(speakers: _Speakers, view: SentenceView, who: Mention) -> str | None:
    if who.pronoun:
        return speakers.last_speaker(view.sentence.index) or who.entity
    return who.entity


def extract(context: Context) -> None:
    speakers = _Speakers(context)
    seen: dict[tuple[str, str], Quote] = {}
    for view in context.views:
        s = view.sentence
        for qb, qe in view.quoted:
            words = s.text[qb:qe].strip()
            words = re.sub(r"[,\s]+$", "", words)
            if not words:
                continue
            speaker = _speaker(context, speakers, view, s.begin + qb, s.begin + qe)
            if speaker is None:
                continue
            speakers.quoted_by[s.index] = speaker
            key = (speaker, " ".join(words.split()))
            if key in seen:
                context.cite(seen[key].spans, view)
                continue
            quote = Quote(speaker, " ".join(words.split()), [context.span(view)])
            seen[key] = quote
            context.facts.quotes.append(quote)
        speakers.record(view)
