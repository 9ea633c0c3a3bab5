"""Provenance, the reason this service exists: for every answer, the sentences it came from.

Two entry points:

* :func:`annotate` — what ``/sparql?provenance=true`` adds as the top-level ``"provenance"``
  member: one entry per solution of a SELECT, in the order of the rows.
* ``GET /provenance?iri=IRI`` (:func:`describe`) — every fact about one resource, with its sources.

How a solution is traced
------------------------
1. **Patterns.**  rdflib parses the query (with its own prefixes) into SPARQL algebra, from which
   the triple patterns are collected in *blocks*: the required part, each OPTIONAL, each UNION
   branch, each ``FILTER EXISTS``, each sub-select; every pattern keeps the GRAPH it is in.  MINUS
   and NOT EXISTS give nothing to trace: an absence has no source.
2. **Full bindings.**  A solution carries only the projected variables, so the WHERE clause is run
   again as ``SELECT *``, joined (VALUES) with the answer's rows: each row gets the full bindings
   that produced it (its *derivations*: an aggregate row has one per grouped solution).  Skipped
   when the projection already holds every pattern variable.
3. **Binding the patterns.**  In an OPTIONAL or UNION block whose variables are not all bound the
   solution did not come through it (the OPTIONAL failed, the other branch matched): it is
   skipped, not reported.  Variables a derivation cannot bind (inside EXISTS, blank nodes,
   sub-select internals) get a *witness*, one UNION branch per block (FILTERs inside EXISTS are
   not re-checked on the witness).  Property paths: a sequence gets its intermediate nodes from
   one branch per path (the same query as the witnesses), an inverse swaps its ends, an
   alternative is traced through whichever branch holds, ``*``/``+``/``?`` through the single
   step when it holds; a longer ``*``/``+`` chain is
   reported as untraced (reason ``"path"``) with its endpoints.
4. **Where each triple is.**  Every concrete triple is looked up with ``GRAPH ?g`` (within the
   GRAPH its pattern named, or the graphs of the query's default graph).  An OPTIONAL, UNION or
   EXISTS block counts only if all its triples hold: when a solution binds both branches of a
   UNION, the branch whose triples do not hold is the one it did not come through.
5. **Sources.**  A triple in an article graph is traced to spans: those of the ``rdf:Statement``
   that reifies it, else those of the fact node that is its subject, else of the fact node that is
   its object (``?territory dip:hasName ?name``); a span's own triples give that span;
   ``?fact prov:wasDerivedFrom ?span`` gives that span; the article's metadata give the article.
   The entity graph is the entity registry, the ontology graph the ontology.  A triple found only
   in the inferred graph is *untraced* (reason ``"inferred"``), with the premises it follows from
   under the ontology's axioms (``owl:inverseOf``, ``rdfs:subPropertyOf``, ``rdfs:subClassOf``,
   ``rdfs:domain``, ``rdfs:range``, ``owl:TransitiveProperty``); premises are traced in turn (an
   inferred premise gets premises of its own, up to :data:`MAX_PREMISE_DEPTH` levels) and their
   sources join the solution's sources.

Every engine call is batched over all solutions (VALUES, split to stay under the query size
limit), so the number of calls depends on the query's shape, not on its number of rows, and the
calls are few: the WHERE clause again (when the answer does not show every variable), one query
for every witness and path step (a UNION branch each), one lookup of where the triples are with
their statements, their nodes' spans and the spans' sentences (``evidence.Evidence``), and one per
level of premises under inferred triples, worked out in Python from the ontology's axioms, which
are read once per dataset like the articles' metadata (``cache``).  IRIs in the VALUES rows are
written as prefixed names, since every byte of them is screened, sent and parsed again.  At most
:data:`MAX_SOLUTIONS` solutions and :data:`MAX_DERIVATIONS` derivations per solution are traced,
and what is left out says so.

Output, one object per solution
-------------------------------
::

    {"sources": [{"article": IRI, "title": str|null, "publisher": str|null, "issued": str|null,
                  "url": str|null, "file": str|null,
                  "sentences": [{"span": IRI, "text": str, "begin": int, "end": int}],  # text order
                  "triples": [[s, p, o], ...]}],      # the solution's triples this article states
     "registry": [{"triple": [s, p, o], "graph": IRI,
                   "source": "entity registry" | "ontology" | "named graph"}],
     "untraced": [{"triple": [s, p, o] | null, "reason": REASON, "message": str,
                   # for "inferred" only:
                   "rule": str|null, "axiom": [s, p, o]|null, "premises": [PREMISE, ...]}]}

Terms are N-Triples strings (``<iri>``, ``"text"@en``, ``"2016"^^<…#gYear>``); a path's predicate
is the path in SPARQL syntax.  ``begin``/``end`` are code-point offsets into the article, and
``text`` equals the article's text between them.  REASON is ``"inferred"``, ``"path"``,
``"not found"`` (a triple the solution needs that no graph holds), ``"blank node"`` (it cannot be
looked up by name) or ``"not traced"`` (``triple`` null: over a limit, the query could not be
analysed, or — for a query grouped by a variable it does not project — solutions that look alike
share their provenance).  ``rule`` is the axiom's kind (``"owl:inverseOf"``…), ``axiom`` the
ontology triple applied.  A PREMISE is ``{"triple", "graphs"}`` plus, when it is itself inferred,
``"rule"``, ``"axiom"`` and ``"premises"``; premises stated in an article or the registry also
appear under the solution's ``sources``/``registry``.

``describe`` (``/provenance?iri=``) answers ``{"iri", "label", "facts", "statements", "registry"}``:
each fact node the resource takes part in (``roles``: the linking properties, ``inverse`` when the
resource points at the fact, as a territory at its name) with its ``types``, its ``properties``
(SPARQL JSON terms with ``label``) and ``sources`` as above; each reified plain triple about it
(claims, control, membership) with its ``sources``; and its entity-registry / ontology triples.

The package follows the work's order: ``terms`` (constants, engine calls), ``shape`` (the query's
patterns), ``derive`` (full bindings, bound patterns, paths, witnesses), ``cache`` (what is read
once per dataset), ``evidence`` (graphs, premises, spans) and ``routes`` (reports, ``annotate``,
``/provenance``).
"""

from __future__ import annotations

from dipkg.server.provenance.routes import annotate, router

__all__ = ["annotate", "router"]
