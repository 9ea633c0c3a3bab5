"""Facts written as plain sentences people read ("Angela Merkel visited Japan and met Shinzo Abe, 9 March 2015")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dipkg.graph.namespace import DIP_IRI
from dipkg.server.pages.reading import Fact, Info
from dipkg.server.pages.terms import (
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
    dip,
    external_href,
    iri_of,
    local_href,
    short_name,
)
from dipkg.server.worker import Term

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


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def human_date(value: str) -> str:
    """"2015-03-09" -> "9 March 2015", "2015-03" -> "March 2015", "2015" -> "2015" (pages show
    dates as people write them; the data keeps ISO)."""
    parts = value.split("-")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
        return value
    if len(parts) >= 2 and not 1 <= int(parts[1]) <= 12:
        return value
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def date_phrase(term: Term) -> str:
    return f", {human_date(str(term[1]))}"


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
        people = [p for p in participants if self.is_person(p)]
        # a state taking part that is also where it happened (or the only state, with no place) hosts
        host = place if place in hosts else (hosts[0] if len(hosts) == 1 and not place else None)
        locals_ = [p for p in people if host is not None and host in self.info(p).citizen_of]
        visitors = [p for p in people if p not in locals_ and self.info(p).citizen_of]
        if host is not None and people and (kinds == [dip("Visit")] or (visitors and locals_)):
            # "Angela Merkel visited Japan and met Shinzo Abe": the visitor is who is not the
            # host state's citizen; the rest are whom they met
            visitors = visitors or [p for p in people if p not in locals_] or people[:1]
            met = [p for p in participants if p not in visitors and p != host]
            parts = [*self.names(visitors), " visited "]
            parts += self.name(host)
            if met:
                parts += [" and met ", *self.names(met)]
        else:
            # people meet people; states and organizations taking part too are named after
            also = [p for p in participants if p not in people and p != place] if len(people) > 1 else []
            main = people if also else participants
            parts = list(self.name(main[0]))
            parts += [" met ", *self.names(main[1:])] if main[1:] else [" took part in a meeting"]
            if place:
                parts += [" in ", *self.name(place)]
            elif len(also) == 1 and also[0] in hosts:
                parts += [" in ", *self.name(also[0])]  # a state taking part, no place: where it was
                also = []
            if also:
                parts += [", with ", *self.names(also)]
        date = fact.first_literal(dip("date"))
        if date is not None:
            parts.append(date_phrase(date))
        status = ", ".join(self.label(s).lower() for s in fact.iris(dip("status")))
        if status:
            parts += [f" ({status})"]
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
