"""Facts written as plain sentences people read ("Angela Merkel visited Japan and met Shinzo Abe, 9 March 2015")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.namespace import DIP_IRI
from server.pages.reading import Fact, Info
from server.pages.terms import (
    ARTICLE_TYPES,
    DEFINITE_FIRST_WORDS,
    GENERIC_TYPES,
    MEETING,
    NAME,
    POSITION,
    QUOTE,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    SANCTION,
    XSD_DATE,
    dip,
    external_href,
    iri_of,
    local_href,
    short_name,
)
from server.worker import Term

# --- plain sentences --------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A name in a sentence: a link to its page, or just emphasis on the page it is about."""

    text: str
    href: str | None
    current: bool = False


Part = str | Link


def join(items: list[list[Part]]) -> list[Part]:
    """``A``, ``A and B``, ``A, B and C``."""
    out: list[Part] = []
    for n, item in enumerate(items):
        if n:
            out.append(" and " if n == len(items) - 1 else ", ")
        out.extend(item)
    return out


def capitalized(parts: list[Part]) -> list[Part]:
    if parts and isinstance(parts[0], str) and parts[0]:
        return [parts[0][0].upper() + parts[0][1:], *parts[1:]]
    return parts


def _plural(label: str) -> bool:
    """A plural noun phrase such as "Northern Territories" or "Western countries"."""
    last = label.split()[-1] if label.split() else ""
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def needs_the(label: str, types: Iterable[str]) -> bool:
    """English puts "the" before "United States", "Northern Territories", "Group of Seven"."""
    if not ARTICLE_TYPES.intersection(types) or label.lower().startswith("the "):
        return False
    words = label.split()
    return bool(words) and (words[0] in DEFINITE_FIRST_WORDS or " of " in label or _plural(label))


def date_phrase(term: Term) -> str:
    value = str(term[1])
    return f" on {value}" if term[0] == "literal" and term[2] == XSD_DATE else f" in {value}"


class Writer:
    """Writes facts as plain sentences with links, from the labels and types it was given."""

    def __init__(self, infos: dict[str, Info], focus: str | None, root: str) -> None:
        self.infos = infos
        self.focus = focus
        self.root = root

    def info(self, iri: str) -> Info:
        return self.infos.get(iri) or Info(short_name(iri))

    def label(self, iri: str) -> str:
        return self.info(iri).label

    def link(self, iri: str) -> Link:
        info = self.info(iri)
        # ontology terms (dip:Held, dip:Summit) have no page here: their label is enough
        href = None if iri.startswith(DIP_IRI) else local_href(iri, self.root) or external_href(iri)
        return Link(info.label, href, current=iri == self.focus)

    def name(self, iri: str) -> list[Part]:
        info = self.info(iri)
        return ["the ", self.link(iri)] if needs_the(info.label, info.types) else [self.link(iri)]

    def names(self, iris: Iterable[str]) -> list[Part]:
        return join([self.name(i) for i in self.ordered(iris)])

    def is_person(self, iri: str) -> bool:
        return bool({dip("Person"), dip("Leader")} & self.info(iri).types)

    def ordered(self, iris: Iterable[str]) -> list[str]:
        """The page's own entity first, then people, then the rest, each by label."""
        return sorted(set(iris), key=lambda i: (i != self.focus, not self.is_person(i), self.label(i).lower(), i))

    def is_plural(self, iris: list[str]) -> bool:
        if len(iris) != 1:
            return True
        label = self.label(iris[0])
        return _plural(label) and label.split()[-1].islower()

    def value(self, term: Term) -> list[Part]:
        iri = iri_of(term)
        return [self.link(iri)] if iri else [str(term[1])]

    def sentence(self, fact: Fact) -> list[Part]:
        try:
            if MEETING in fact.types:
                return self.meeting(fact)
            if POSITION in fact.types:
                return self.position(fact)
            if SANCTION in fact.types:
                return self.sanction(fact)
            if QUOTE in fact.types:
                return self.quote(fact)
            if NAME in fact.types:
                return self.territory_name(fact)
            if RDF_STATEMENT in fact.types:
                return self.statement(fact)
        except (IndexError, StopIteration):
            pass  # a fact with a missing field: fall back to its type
        types = sorted(t for t in fact.types if t not in GENERIC_TYPES)
        return capitalized([f"a {self.label(types[0]) if types else 'fact'}"])

    def meeting(self, fact: Fact) -> list[Part]:
        participants = self.ordered(fact.iris(dip("participant")))
        places = fact.iris(dip("location"))
        place = places[0] if places else None
        parts: list[Part]
        also: list[str] = []
        hosts = [p for p in participants if dip("State") in self.info(p).types]
        kinds = fact.iris(dip("kind"))
        if kinds == [dip("Visit")] and len(hosts) == 1 and len(participants) > 1:
            host = hosts[0]
            guests = [p for p in participants if p != host]
            parts = [*self.names(guests), " visited "]
            if place and place != host:  # "visited Sochi, Russia, in 2014"
                parts += [*self.name(place), ", ", *self.name(host), ","]
            else:
                parts += self.name(host)
        else:
            # people meet people; states and organizations taking part too are named after
            people = [p for p in participants if self.is_person(p)]
            also = [p for p in participants if p not in people] if len(people) > 1 else []
            main = people if also else participants
            parts = list(self.name(main[0]))
            parts += [" met ", *self.names(main[1:])] if main[1:] else [" took part in a meeting"]
            if place:
                parts += [" in ", *self.name(place)]
        date = fact.first_literal(dip("date"))
        if date is not None:
            parts.append(date_phrase(date))
        elif parts[-1] == ",":
            parts.pop()
        notes: list[Part] = [", ".join(self.label(s) for s in fact.iris(dip("status")))]
        if also:
            notes += ["; also ", *self.names(also)] if notes[0] else ["also ", *self.names(also)]
        if notes != [""]:
            parts += [" (", *notes, ")"]
        return capitalized(parts)

    def position(self, fact: Fact) -> list[Part]:
        holder = fact.iris(dip("holder"))
        role = fact.first_literal(dip("role"))
        parts: list[Part] = [*self.names(holder), " is " if not self.is_plural(holder) else " are ",
                             str(role[1]) if role else "holder of a position"]
        if organs := fact.iris(dip("of")):
            parts += [" of ", *self.names(organs)]
        return capitalized(parts)

    def sanction(self, fact: Fact) -> list[Part]:
        imposers, targets = fact.iris(dip("imposedBy")), fact.iris(dip("target"))
        reason = fact.first_literal(dip("reason"))
        if imposers:
            verb = " sanction " if self.is_plural(imposers) else " sanctions "
            parts = [*self.names(imposers), verb, *self.names(targets)]
        else:
            parts = [*self.names(targets), " are" if self.is_plural(targets) else " is", " under sanctions"]
        if reason is not None:
            parts.append(f" over {reason[1]}")
        return capitalized(parts)

    def quote(self, fact: Fact) -> list[Part]:
        text = fact.first_literal(dip("text"))
        parts: list[Part] = [f"“{text[1] if text else '…'}”"]
        if speakers := fact.iris(dip("speaker")):
            parts += [" — said by ", *self.names(speakers)]
        return parts

    def territory_name(self, fact: Fact) -> list[Part]:
        users, name = fact.iris(dip("usedBy")), fact.first_literal(dip("name"))
        label = str(name[1]) if name else "…"
        parts: list[Part] = [*self.names(users), " call " if self.is_plural(users) else " calls "]
        territories = sorted(set(fact.territories))
        if territories and territories != [self.focus]:
            parts += self.names(territories)
        else:
            parts.append("it")
        parts.append(f" the {label}" if _plural(label) and not label.lower().startswith("the ") else f" {label}")
        return capitalized(parts)

    def statement(self, fact: Fact) -> list[Part]:
        subjects, objects = fact.iris(RDF_SUBJECT), fact.iris(RDF_OBJECT)
        predicate = fact.iris(RDF_PREDICATE)[0]
        plural = self.is_plural(objects)
        if predicate == dip("claimedBy"):
            return capitalized([*self.names(objects), " claim " if plural else " claims ", *self.names(subjects)])
        if predicate == dip("controlledBy"):
            return capitalized([*self.names(objects), " control " if plural else " controls ",
                                *self.names(subjects)])
        if predicate == dip("memberOf"):
            return capitalized([*self.names(subjects), " are members of " if self.is_plural(subjects)
                                else " is a member of ", *self.names(objects)])
        return capitalized([*self.names(subjects), f" {self.label(predicate)} ", *self.names(objects)])
