"""The pages people read: the query page at ``/`` and a page for every resource at ``/id/<name>``.

Every resource IRI ``https://w3id.org/dipkg/id/<name>`` is dereferenceable on the service at
``/id/<name>``.  A browser gets HTML: an entity's label, types, Wikidata link and its facts written
as plain sentences, each with the sentence it came from highlighted inside its paragraph and a
link to the article; a fact node gets the same for itself; an article gets its full text with every
fact span highlighted.  An RDF client gets the resource's triples (from every graph, plus the labels
of what it links to) as Turtle, JSON-LD, N-Triples or RDF/XML, chosen by ``Accept`` or forced with
``?format=``.

Negotiation, decided once here: ``?format=`` wins; otherwise the ``Accept`` header's q-values pick
among the formats, a media type named exactly beating ``type/*`` and ``*/*``; on a tie (which
includes a missing ``Accept`` and a bare ``*/*``) HTML wins, because these IRIs are what people
follow from query results and browsers — RDF clients name the format they want.  ``Accept`` that
names only types we do not serve gets 406.

The pages read the graph through the service's query engine (the same killable workers and time
limits as ``/sparql``), a few small queries per page; article texts are cached, since they never
change while the service runs.  Everything is rendered with Jinja2 autoescaping: text from the
articles and labels is never trusted as markup.

The query page embeds YASGUI, vendored under ``server/static/yasgui/`` (see its README.txt), so
the service works with no network.  Static files are served by a route here (not a mounted app)
because the application includes only this module's ``router``.
The package follows the page's data flow: ``terms`` (vocabulary, negotiation), ``reading`` (the
graph through the query engine), ``wording`` (facts as sentences), ``sources`` (sentences in their
paragraphs, highlighted articles), ``routes`` and ``browse`` (lists, timeline, search, home).
"""

from __future__ import annotations

from dipkg.server.pages.browse import router as _browse
from dipkg.server.pages.reading import Span
from dipkg.server.pages.routes import router, templates
from dipkg.server.pages.sources import highlight, paragraph_context
from dipkg.server.pages.terms import negotiate
from dipkg.server.pages.wording import Link

router.include_router(_browse)

__all__ = ["Link", "Span", "highlight", "negotiate", "paragraph_context", "router", "templates"]
