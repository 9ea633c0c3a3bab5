"""The grammar of a person phrase: how English news wraps a name in its office.

Two shapes carry a title:

* before the name: ``[the|a|his|<State>'s] [former|senior …] [<demonym>|<organization>]
  [rank …] [portfolio …] <title>[s] [to|of <X>][,] <Name>`` — "former Russian First Deputy
  Foreign Minister Ivan Petrov", "Britain's ambassador to France, Jane Doe", "Presidents A and B";
* after it, in commas: ``<Name>, [a|the] [former …] [<State>'s|<demonym>] <title> [of|at|in X]
  [and <title> …],`` — "John Smith, a senior British deputy trade minister,".

The words come from two cue tables a team can extend: ``ontology/cues/titles.tsv`` (the head
title, the kind of office, whether it names a state's leader, and whose office it is by default)
and ``ontology/cues/title-modifiers.tsv`` (words that mark a past office, describe the holder,
or are part of the role).  The grammar works on masked text (mentions as ``⟦S1⟧`` tokens), so
it reads the same phrase whichever state or organization fills it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from dipkg.graph import cues


@dataclass(frozen=True)
class TitleInfo:
    """One row of the titles table."""

    title: str
    office: str
    leader: bool
    of_kind: str  # "state" or "organization": whose office it is when the text does not say
    role: str  # the spelling to record ("" = as written)


def _words(cue: str) -> str:
    """A cue as a regular expression: words whole, any white space between them."""
    if cue.endswith("-"):
        return re.escape(cue) + r"\s*"
    return r"\s+".join(re.escape(word) for word in cue.split())


@dataclass(frozen=True)
class Grammar:
    """The compiled title grammar (built once from the cue tables)."""

    titles: dict[str, TitleInfo]  # lower-cased cue -> row (upper-case-only cues as written)
    modifiers: dict[str, str]  # lower-cased modifier -> effect
    title: str  # regex: [rank …] [portfolio …] <title>
    describe: str  # regex: one former/drop modifier followed by white space

    def info(self, title: str) -> TitleInfo | None:
        """The table row of the head title that ends a matched title text."""
        words = " ".join(title.split())
        for cue, info in sorted(self.titles.items(), key=lambda kv: -len(kv[0])):
            if cue.isupper():
                if words == cue or words.endswith(" " + cue):
                    return info
            elif words.lower() == cue or words.lower().endswith(" " + cue):
                return info
        if words.lower().endswith("s"):
            return self.info(words[:-1])
        return None

    def ranked(self, title: str) -> bool:
        """Whether a rank word ("vice", "deputy") qualifies the title: not the leader then."""
        first = title.split()[0].lower() if title.split() else ""
        return self.modifiers.get(first) == "rank"

    def is_former(self, modifiers: str) -> bool:
        words = modifiers.lower().replace("-", "- ").split()
        return any(self.modifiers.get(w) == "former" or self.modifiers.get(w + "-") == "former"
                   or self.modifiers.get(w.rstrip("-")) == "former" for w in words)


@cache
def grammar() -> Grammar:
    """The grammar from ``titles.tsv`` and ``title-modifiers.tsv``."""
    table = cues.load("titles")
    titles: dict[str, TitleInfo] = {}
    exact: list[str] = []
    free: list[str] = []
    for row in table.rows:
        cue = row["title"]
        info = TitleInfo(cue, row.get("office", ""), row.get("leader", "") == "yes",
                         row.get("of", "") or "state", row.get("role", ""))
        titles[cue if cue.isupper() else cue.lower()] = info
        (exact if cue.isupper() else free).append(cue)
    mods = cues.load("title-modifiers")
    modifiers = {row["modifier"].lower(): row["effect"] for row in mods.rows}

    def alternation(cue_list: list[str] | tuple[str, ...]) -> str:
        ordered = sorted(cue_list, key=lambda c: (-len(c), c))
        return "(?:" + "|".join(_words(c) for c in ordered) + ")" if ordered else "(?!)"

    rank = alternation(mods.cues(effect="rank"))
    portfolio = alternation(mods.cues(effect="portfolio"))
    describe = alternation(mods.cues(effect="former") + mods.cues(effect="drop"))
    head = (r"(?:(?-i:" + alternation(exact) + r")|" + alternation(free) + r")") if exact else alternation(free)
    title = (rf"(?:{rank}(?:\s+|(?<=-)))*(?:{portfolio}\s+)*{head}s?")
    return Grammar(titles, modifiers, title,
                   rf"{describe}(?:\s+|(?<=-))")


@dataclass(frozen=True)
class Patterns:
    before: re.Pattern[str]
    after: re.Pattern[str]
    part: re.Pattern[str]


@cache
def patterns() -> Patterns:
    """The two phrase shapes over masked text (case-insensitive words, tokens as they are)."""
    g = grammar()
    tok = r"⟦[SO]\d+⟧"
    before = re.compile(
        rf"(?<![\w'⟧-])(?:(?P<det>the|a|an|his|her|its|their|(?P<poss>{tok})'s?)\s+)?"
        rf"(?P<pre>(?:{g.describe})*)(?:(?P<owner>{tok})\s+)?(?P<pre2>(?:{g.describe})*)"
        rf"(?P<title>{g.title})(?:\s+(?P<prep>to|of)\s+(?:the\s+)?(?:[a-z][\w-]*\s+){{0,4}}(?P<to>{tok}))?"
        rf"(?P<comma>,)?\s+(?P<person>⟦P\d+⟧)(?P<close>,)?",
        re.IGNORECASE)
    after = re.compile(r"(?P<person>⟦P\d+⟧),\s+(?P<body>[^,;()“”\"]+?)"
                       r"(?P<close>,|(?=;|\.\s*$|\s*$|\s+who\s|\s+which\s))")
    part = re.compile(
        rf"(?:(?:a|an|the)\s+)?(?P<pre>(?:{g.describe})*)(?:(?P<owner>{tok})(?:'s?)?\s+)?"
        rf"(?P<pre2>(?:{g.describe})*)(?P<title>{g.title})(?P<tail>(?:\s+(?:of|at|to|for|in)\s+.*)?)",
        re.IGNORECASE | re.DOTALL)
    return Patterns(before, after, part)
