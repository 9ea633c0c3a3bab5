"""Giving facts back to Wikidata: QuickStatements for what Wikidata can take, with references,
and the list of what it cannot take and why.

A fact is exported only when Wikidata has a property for it and both ends are verified items:
position held (P39, the office as an item: ``ontology/wikidata-positions.tsv``), member of
(P463), territory claimed by (P1336).  Each source sentence becomes one reference: reference URL
(P854, the article's URL), publication date (P577), retrieved (P813), stated in (P248, where the
publisher is a linked organization) and the quotation (P1683, the sentence).  Everything else —
facts with an unlinked end, an article without a URL, meetings (P710 needs an item for the
meeting), facts Wikidata has no property for — is listed with its reason, never dropped
silently.  The export reads a published dataset (``dipkg.nq``), so it works on any build.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDFS

from dipkg.graph.cues import parse_table
from dipkg.graph.errors import InputError
from dipkg.graph.namespace import DIP_IRI, NIF, PROV
from dipkg.graph.resources import ontology_dir

WD = "http://www.wikidata.org/entity/"
PRECISION = {"year": 9, "month": 10, "day": 11}
_P = f"""PREFIX dip: <{DIP_IRI}> PREFIX prov: <{PROV}> PREFIX nif: <{NIF}> PREFIX dct: <{DCTERMS}>
PREFIX rdfs: <{RDFS}> PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@dataclass(frozen=True)
class Source:
    """One sentence of one article that states a fact."""

    article: str
    sentence: str
    url: str | None
    issued: str | None
    publisher: str | None


@dataclass(frozen=True)
class Rejected:
    fact: str
    kind: str
    reason: str


def open_dataset(nq: Path) -> ox.Store:
    if not nq.is_file():
        raise InputError(nq, "not found — run `dipkg build` first")
    store = ox.Store()
    try:
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError, OSError) as err:
        raise InputError(nq, f"cannot read the dataset: {err}") from None
    return store


def _rows(store: ox.Store, query: str) -> Iterator[dict[str, str]]:
    solutions = store.query(_P + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    for row in solutions:
        yield {name: row[name].value for name in names if row[name] is not None}


def positions_table() -> dict[tuple[str, str], str]:
    path = ontology_dir() / "wikidata-positions.tsv"
    table = parse_table("wikidata-positions", path.read_text(encoding="utf-8"), str(path))
    return {(row["role"].lower(), row["of"]): row["position"] for row in table.rows}


def qid(iri: str | None) -> str | None:
    return iri[len(WD):] if iri and iri.startswith(WD) else None


def _time(value: str | None) -> str | None:
    """A QuickStatements time value, at the precision of the date (``+2016-05-00T00:00:00Z/10``)."""
    if not value:
        return None
    parts = value.split("-")
    if len(parts) > 3 or not all(p.isdigit() for p in parts):
        return None
    year, month, day = [*parts, "00", "00"][:3]
    precision = PRECISION["year" if len(parts) == 1 else "month" if len(parts) == 2 else "day"]
    return f"+{int(year):04d}-{month}-{day}T00:00:00Z/{precision}"


def _string(text: str) -> str:
    """A QuickStatements string: one line (the format is line- and tab-separated), quotes escaped."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Exporter:
    def __init__(self, store: ox.Store, retrieved: datetime.date) -> None:
        self.store = store
        self.retrieved = retrieved
        self.links = {r["e"]: r["q"] for r in _rows(store, """
            SELECT ?e ?q WHERE { GRAPH ?g { ?e owl:sameAs ?q }
                                 FILTER STRSTARTS(STR(?q), "http://www.wikidata.org/entity/") }""")}
        self.labels = {r["e"]: r["l"] for r in _rows(store, "SELECT ?e ?l WHERE { GRAPH ?g { ?e rdfs:label ?l } }")}
        self.publishers: dict[str, str] = {}
        for r in _rows(store, """SELECT ?l ?q WHERE { GRAPH ?g { ?o a dip:Organization ; owl:sameAs ?q .
                { ?o rdfs:label ?l } UNION { ?o <http://www.w3.org/2004/02/skos/core#altLabel> ?l } } }"""):
            if r["q"].startswith(WD):
                self.publishers.setdefault(r["l"].lower(), r["q"][len(WD):])
        self.positions = positions_table()
        self.lines: list[str] = []
        self.rejected: list[Rejected] = []
        #: the lines of each exported fact (a fact page offers them on their own)
        self.by_fact: dict[str, list[str]] = {}

    def sources(self, node: str) -> list[Source]:
        rows = _rows(self.store, f"""SELECT ?a ?text ?url ?issued ?publisher WHERE {{ GRAPH ?a {{
            <{node}> prov:wasDerivedFrom ?span . ?span nif:anchorOf ?text ; nif:referenceContext ?a .
            OPTIONAL {{ ?a dct:source ?url }} OPTIONAL {{ ?a dct:issued ?issued }}
            OPTIONAL {{ ?a dct:publisher ?publisher }} }} }} ORDER BY ?a ?text""")
        return [Source(r["a"], r["text"], r.get("url"), r.get("issued"), r.get("publisher")) for r in rows]

    def reference(self, source: Source) -> str | None:
        """The reference columns for one source, or None when Wikidata would not take it."""
        if not source.url:
            return None
        parts = ["S854", _string(source.url)]
        issued = _time(source.issued)
        if issued:
            parts += ["S577", issued]
        parts += ["S813", f"+{self.retrieved.isoformat()}T00:00:00Z/11"]
        stated_in = self.publishers.get((source.publisher or "").lower())
        if stated_in:
            parts += ["S248", stated_in]
        parts += ["S1683", "en:" + _string(source.sentence)]
        return "\t".join(parts)

    def emit(self, node: str, kind: str, statement: list[str]) -> None:
        sources = self.sources(node)
        referenced = [ref for ref in map(self.reference, sources) if ref]
        if not referenced:
            self.rejected.append(Rejected(node, kind, "no source article has a URL (reference URL P854 needs one)"))
            return
        for ref in referenced:  # one line per reference: QuickStatements merges equal statements
            line = "\t".join([*statement, ref])
            self.lines.append(line)
            self.by_fact.setdefault(node, []).append(line)

    def unlinked(self, node: str, kind: str, ends: dict[str, str | None]) -> bool:
        missing = [f"{role} {self.labels.get(iri or '', iri or '?')}" for role, iri in ends.items()
                   if not qid(self.links.get(iri or ""))]
        if missing:
            self.rejected.append(Rejected(node, kind, "no verified Wikidata item for " + ", ".join(missing)))
        return bool(missing)

    def positions_(self) -> None:
        for r in _rows(self.store, """SELECT DISTINCT ?f ?holder ?role ?of WHERE { GRAPH ?g {
                ?f a dip:PositionHolding ; dip:holder ?holder ; dip:role ?role . OPTIONAL { ?f dip:of ?of } } }
                ORDER BY ?f"""):
            node, of = r["f"], r.get("of")
            if self.unlinked(node, "position", {"holder": r["holder"], "of": of}):
                continue
            office = self.positions.get((r["role"].lower(), qid(self.links[of or ""]) or ""))
            if office is None:
                self.rejected.append(Rejected(node, "position", f"no verified item for the office {r['role']!r} "
                                                                f"of {self.labels.get(of or '', of)} "
                                                                "(ontology/wikidata-positions.tsv)"))
                continue
            self.emit(node, "position", [qid(self.links[r["holder"]]) or "", "P39", office])

    def triples(self, predicate: str, kind: str, prop: str, subject_role: str, object_role: str) -> None:
        for r in _rows(self.store, f"""SELECT DISTINCT ?st ?s ?o WHERE {{ GRAPH ?g {{ ?st a rdf:Statement ;
                rdf:subject ?s ; rdf:predicate dip:{predicate} ; rdf:object ?o }} }} ORDER BY ?st"""):
            if self.unlinked(r["st"], kind, {subject_role: r["s"], object_role: r["o"]}):
                continue
            self.emit(r["st"], kind, [qid(self.links[r["s"]]) or "", prop, qid(self.links[r["o"]]) or ""])

    def not_for_wikidata(self) -> None:
        reasons = {
            "Meeting": "P710 (participant) needs an item for the meeting itself, and meetings have none",
            "Sanction": "no Wikidata property states a sanction between two items",
            "Quote": "a quotation (P1683) is a qualifier or reference, not a statement of its own",
            "TerritoryName": "a name one state uses is not an official name (P1448) of the territory",
        }
        for cls, reason in reasons.items():
            for r in _rows(self.store, f"SELECT DISTINCT ?f WHERE {{ GRAPH ?g {{ ?f a dip:{cls} }} }} ORDER BY ?f"):
                self.rejected.append(Rejected(r["f"], cls.lower(), reason))
        for r in _rows(self.store, """SELECT DISTINCT ?st WHERE { GRAPH ?g { ?st a rdf:Statement ;
                rdf:predicate dip:controlledBy } } ORDER BY ?st"""):
            self.rejected.append(Rejected(r["st"], "control", "Wikidata has no property for who holds a "
                                                              "disputed territory that this export maps to"))

    def run(self) -> None:
        self.positions_()
        self.triples("memberOf", "membership", "P463", "member", "organization")
        self.triples("claimedBy", "claim", "P1336", "territory", "claimant")
        self.not_for_wikidata()


@dataclass(frozen=True)
class Export:
    """What the export of one dataset gives: the lines, what was not exported and why, and both
    per fact (``fact IRI -> lines``, ``fact IRI -> reasons``)."""

    lines: list[str]
    rejected: list[Rejected]
    by_fact: dict[str, list[str]]

    def reasons(self, fact: str) -> list[str]:
        return [r.reason for r in self.rejected if r.fact == fact]


def export_store(store: ox.Store, retrieved: datetime.date) -> Export:
    """The export of a dataset already in a store (the service hands it the data it serves)."""
    exporter = Exporter(store, retrieved)
    exporter.run()
    return Export(sorted(set(exporter.lines)), sorted(set(exporter.rejected), key=lambda r: (r.kind, r.fact)),
                  {fact: sorted(set(lines)) for fact, lines in exporter.by_fact.items()})


def export(nq: Path, retrieved: datetime.date) -> tuple[list[str], list[Rejected]]:
    """QuickStatements lines (sorted, deduplicated) and the rejected facts with their reasons."""
    result = export_store(open_dataset(nq), retrieved)
    return result.lines, result.rejected


def unlinked_entities(nq: Path) -> list[dict[str, str]]:
    """Entities the articles' facts name that have no verified Wikidata item, most mentioned
    first, each with how many facts name it and one sentence: a work list for an editor."""
    store = open_dataset(nq)
    rows = _rows(store, """SELECT ?e ?label ?class (COUNT(DISTINCT ?f) AS ?facts) (COUNT(DISTINCT ?a) AS ?articles)
            (SAMPLE(?text) AS ?example) WHERE {
        GRAPH ?a { ?f ?p ?e ; prov:wasDerivedFrom ?span . ?span nif:anchorOf ?text . ?a a dip:Article }
        GRAPH <https://w3id.org/dipkg/graph/entities> { ?e a ?class ; rdfs:label ?label }
        FILTER (?class IN (dip:Person, dip:Leader, dip:State, dip:Organization, dip:City, dip:Territory, dip:Place,
                           dip:Region))
        FILTER NOT EXISTS { GRAPH ?h { ?e owl:sameAs ?q } FILTER STRSTARTS(STR(?q), "http://www.wikidata.org/entity/") }
    } GROUP BY ?e ?label ?class ORDER BY DESC(?facts) ?label""")
    out = []
    for r in rows:
        out.append({"entity": r["e"], "label": r["label"], "class": r["class"].rsplit("#", 1)[-1],
                    "facts": r["facts"], "articles": r["articles"], "example": " ".join(r["example"].split())})
    return out
