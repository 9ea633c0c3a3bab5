"""Person phrases: the whole "[former] [demonym] [rank] title Name" or "Name, a … title of X,"
unit around a person mention, with its offices and their owners, read by the title grammar
(``graph.titles``, whose words are the cue tables ``ontology/cues/titles.tsv`` and
``title-modifiers.tsv``).  Rules then read a person's offices from the mention instead of
re-parsing the text around it.
"""

from __future__ import annotations

import re

from dipkg.graph.lexicon import NON_TITLES
from dipkg.graph.mention_types import TOKEN, Mention, PersonPhrase, Role, SentenceView
from dipkg.graph.registry import Registry
from dipkg.graph.titles import grammar, patterns


class PhraseReader:
    """Gives each titled person mention of a sentence its phrase; one per mention finder."""

    def __init__(self, registry: Registry, forms: dict[str, tuple[str, bool]]) -> None:
        self.registry = registry
        self._forms = forms

    def read(self, text: str, view: SentenceView, registry: Registry) -> None:
        """``registry`` is the one the finder is filling now (a build's copy, with what the
        articles so far discovered)."""
        self.registry = registry
        self._phrases(text, view)

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
