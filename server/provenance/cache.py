"""What provenance reads once per served dataset: the articles' metadata and the ontology's axioms.

A release is read-only while it is served, so these never change for one ``ServedDataset``; a
new release (a reload, another build) is another dataset object and gets its own entry.  Keeping
them saves a round trip to the engine per request (the articles) and lets the premises of an
inferred triple be worked out in Python and looked up as plain triples, instead of joining the
ontology graph with the data in every premise query.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dipkg.server.provenance.terms import OWL, PREFIXES, RDF_TYPE, RDFS, Context, Json, _uri
from dipkg.server.worker import Term

if TYPE_CHECKING:
    from dipkg.server.dataset import ServedDataset

ARTICLE_FIELDS = ("title", "publisher", "issued", "url", "file")
_ARTICLES = PREFIXES + """SELECT ?a ?title ?publisher ?issued ?url ?file WHERE {
  VALUES %VALUES%
  OPTIONAL { GRAPH ?a { ?a dct:title ?title } }
  OPTIONAL { GRAPH ?a { ?a dct:publisher ?publisher } }
  OPTIONAL { GRAPH ?a { ?a dct:issued ?issued } }
  OPTIONAL { GRAPH ?a { ?a dct:source ?url } }
  OPTIONAL { GRAPH ?a { ?a dip:fileName ?file } }
}"""
_AXIOMS = PREFIXES + """SELECT ?x ?kind ?y WHERE { GRAPH <%s> {
  { VALUES ?kind { owl:inverseOf rdfs:subPropertyOf rdfs:subClassOf rdfs:domain rdfs:range } ?x ?kind ?y }
  UNION { ?x a owl:TransitiveProperty BIND(rdf:type AS ?kind) BIND(owl:TransitiveProperty AS ?y) } } }"""

INVERSE_OF, SUBPROPERTY_OF, SUBCLASS_OF = OWL + "inverseOf", RDFS + "subPropertyOf", RDFS + "subClassOf"
DOMAIN, RANGE, TRANSITIVE = RDFS + "domain", RDFS + "range", OWL + "TransitiveProperty"


@dataclass
class Axioms:
    """The ontology triples the premise rules apply, indexed as the rules look them up."""

    inverse: list[tuple[Term, Term]] = field(default_factory=list)            # (p, q): p owl:inverseOf q
    sub_property: dict[Term, list[Term]] = field(default_factory=dict)        # super -> subs
    sub_class: dict[Term, list[Term]] = field(default_factory=dict)           # super -> subs
    domain: dict[Term, list[Term]] = field(default_factory=dict)              # class -> properties
    range: dict[Term, list[Term]] = field(default_factory=dict)               # class -> properties
    transitive: set[Term] = field(default_factory=set)


@dataclass
class DatasetCache:
    """One dataset's article metadata (filled as articles are asked for) and ontology axioms."""

    articles: dict[str, Json] = field(default_factory=dict)
    axioms: Axioms | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHES: dict[int, tuple[weakref.ref[ServedDataset], DatasetCache]] = {}
_CACHES_LOCK = threading.Lock()


def dataset_cache(dataset: ServedDataset) -> DatasetCache:
    """The cache of this dataset object (by identity: a dataset that is gone leaves no entry that
    a later object at the same address could inherit)."""
    with _CACHES_LOCK:
        entry = _CACHES.get(id(dataset))
        if entry is not None and entry[0]() is dataset:
            return entry[1]
        for key in [k for k, (ref, _) in _CACHES.items() if ref() is None]:
            del _CACHES[key]
        cache = DatasetCache()
        _CACHES[id(dataset)] = (weakref.ref(dataset), cache)
        return cache


def articles(ctx: Context, graphs: set[str]) -> dict[str, Json]:
    """The metadata of each article graph: from the cache, asking the engine only for new ones."""
    cache = dataset_cache(ctx.dataset)
    missing = sorted(graphs - set(cache.articles))
    if missing:
        found: dict[str, Json] = {g: dict.fromkeys(ARTICLE_FIELDS) for g in missing}
        _, rows = ctx.select_values(_ARTICLES, ["a"], [[_uri(g)] for g in missing])
        for row in rows:
            found[row["a"][1]] = {k: (row[k][1] or None) if k in row else None for k in ARTICLE_FIELDS}
        with cache.lock:
            cache.articles.update(found)
    return {g: cache.articles[g] for g in graphs}


def axioms(ctx: Context, ontology: str) -> Axioms:
    """The ontology's axioms of the premise rules, read once per dataset."""
    cache = dataset_cache(ctx.dataset)
    if cache.axioms is not None:
        return cache.axioms
    _, rows = ctx.select(_AXIOMS % ontology)
    out = Axioms()
    for row in rows:
        x, kind, y = row["x"], row["kind"][1], row["y"]
        if kind == INVERSE_OF:
            out.inverse.append((x, y))
        elif kind == SUBPROPERTY_OF:
            out.sub_property.setdefault(y, []).append(x)
        elif kind == SUBCLASS_OF:
            out.sub_class.setdefault(y, []).append(x)
        elif kind == DOMAIN:
            out.domain.setdefault(y, []).append(x)
        elif kind == RANGE:
            out.range.setdefault(y, []).append(x)
        elif kind == RDF_TYPE:
            out.transitive.add(x)
    for table in (out.sub_property, out.sub_class, out.domain, out.range):
        for key in table:
            table[key] = sorted(set(table[key]), key=repr)
    out.inverse = sorted(set(out.inverse), key=repr)
    with cache.lock:
        cache.axioms = out
    return out
