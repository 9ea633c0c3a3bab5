"""dipkg: a knowledge graph of diplomacy built from news articles, with sentence-level provenance.

The installed package keeps the repository's data flow: ``dipkg.graph`` (articles to a published
release), ``dipkg.server`` (the SPARQL service and its pages) and, above both, ``dipkg.cli``.
The ontology, cue tables, registry, example queries and sample seeds ship as package data
(``dipkg.ontology``, ``dipkg.examples``, ``dipkg.seeds``), read through :mod:`dipkg.graph.resources`.
In a checkout these are symbolic links to the top-level folders, so the layout stays the one the
project was designed with and an editable install runs the checkout's files.
"""
