"""What the service serves: a dipkg build, or arbitrary RDF files, loaded into pyoxigraph.

The data is bulk-loaded once into an on-disk pyoxigraph store in a private temporary folder;
every query worker process then opens that store read-only, so a worker that is killed for
running too long is replaced in milliseconds, and all workers share the operating system's page
cache instead of each holding a copy.

The default graph follows the mode: for a dipkg build it is the RDF merge of every graph
(articles, entities, ontology and, unless switched off, the inferred graph); for
``--rdf``/``--graph`` files it is the ``--rdf`` files only, as the SPARQL protocol's test suite
expects.

A merge is a *set*: a triple that two articles state is one triple of the default graph.  The
engine's own union (``use_default_graph_as_union``, and any ``default_graph`` list of several
graphs) is a bag instead — a triple counts once per graph holding it (oxigraph issue 1919), so
``COUNT(*)`` disagreed with VoID and ``LIMIT 8`` could return one meeting eight times.  So the
load materializes the merge: the store's real default graph holds every asserted triple once
(the named graphs stay as they are, for ``GRAPH ?g``), and the default graph with inference is
``[default graph, inferred graph]``, two graphs that are disjoint — a build writes into its
inferred graph only what is not asserted, and the load checks that in the store itself (whose
literal normalization could make two published terms one).  Should they overlap, the inferred
triples beyond the asserted ones go into a graph named by a blank node, which no ``FROM`` can
name and which every query's ``named_graphs`` leaves out.

Several graphs named at once by a request (``default-graph-uri`` repeated, or several ``FROM``)
are merged the same way, but per query: ``default_graph_plan`` tells the worker to copy them into an
in-memory store (bounded by the query's time limit) unless they are the disjoint pair above.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from itertools import islice
from pathlib import Path
from typing import Any, TypedDict

import pyoxigraph as ox

from graph.namespace import ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from server.config import Settings


class DatasetError(Exception):
    """The data to serve is missing or unreadable (a clear message for the operator)."""


#: What rdflib's ``Dataset(store=SPARQLStore(url))`` sends as ``default-graph-uri`` for its own
#: default graph: to this service it means the service's ordinary default graph.
DEFAULT_GRAPH_ALIASES = frozenset({"urn:x-rdflib:default"})
#: Quads handed to the bulk loader at a time: one ``bulk_extend`` of a whole build holds it all in
#: memory (725 MiB at 500k quads), chunks of this size keep the load near 100 MiB at any size
#: and take about as long (benchmarks/default_graph.py).
LOAD_CHUNK = 50_000
#: The label of the hidden graph used only when the inferred graph repeats asserted triples.
HIDDEN_INFERRED = "dipkg-inferred-beyond-asserted"


class GraphPlan(TypedDict):
    """The dataset of one query, as plain strings that cross the process boundary to a worker.

    A graph is written ``""`` for the store's default graph, ``_:label`` for a blank-node graph
    and its IRI otherwise.  ``default_graph``/``named_graphs`` None mean the store's own default
    graph / all its named graphs; ``merge`` asks the worker to merge ``default_graph`` itself,
    because the engine would count a triple held by two of those graphs twice.  The worker
    (``server.worker``) reads these strings back into graphs.
    """

    default_graph: list[str] | None
    named_graphs: list[str] | None
    merge: bool


def rdf_format(path: Path) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise DatasetError(f"{path}: unknown RDF file extension {path.suffix!r}")
    return fmt


@dataclass
class ServedDataset:
    settings: Settings
    store_dir: Path
    graphs: list[str] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""
    sources: list[Path] = field(default_factory=list)
    #: where the inferred triples that are not asserted are: the inferred graph itself (the
    #: usual case: disjoint from the asserted merge), ``_:label`` (the hidden graph), or None
    inferred_extra: str | None = None

    # -- what a query's default graph is -------------------------------------------------
    def _inferred(self, include_inferred: bool | None) -> bool:
        return self.settings.include_inferred if include_inferred is None else include_inferred

    def query_options(self, include_inferred: bool | None = None) -> dict[str, Any]:
        """Which named graphs the default graph is made of, as ``Store.query`` options over the
        named graphs: ``{}`` (files mode: the store's default graph), every graph, or
        ``default_graph`` listing them.  A description for callers that reason about graphs
        (provenance); queries go through ``default_graph_plan``, which gives the same triples
        as a set."""
        if self.settings.files_mode:
            return {}
        if self._inferred(include_inferred):
            return {"use_default_graph_as_union": True}
        return {"default_graph": [ox.NamedNode(g) for g in self.graphs if g != str(INFERRED_GRAPH)]}

    def service_default(self, include_inferred: bool | None = None) -> list[str]:
        """The store graphs whose union is the service's default graph; pairwise disjoint."""
        if not self.settings.files_mode and self.inferred_extra and self._inferred(include_inferred):
            return ["", self.inferred_extra]
        return [""]

    def default_graph_plan(self, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = (),
                           include_inferred: bool | None = None, aliases: bool = True) -> GraphPlan:
        """The dataset of a query, with set semantics: the service's (no graphs named), or the
        one the protocol's ``default-graph-uri``/``named-graph-uri`` (or a query's ``FROM``,
        ``FROM NAMED``: ``aliases=False``) describe — the RDF merge of the default graphs; with
        ``aliases``, an alias of the default graph stands for the service's."""
        service = self.service_default(include_inferred)
        if not aliases:
            return {"default_graph": list(dict.fromkeys(default_graph_uris)),
                    "named_graphs": list(dict.fromkeys(named_graph_uris)),
                    "merge": len(set(default_graph_uris)) > 1}
        hidden = self.inferred_extra is not None and self.inferred_extra.startswith("_:")
        all_named = list(self.graphs) if hidden else None
        named_only = list(named_graph_uris)
        if not named_only and all(iri in DEFAULT_GRAPH_ALIASES for iri in default_graph_uris):
            # nothing named, or only "the default graph": the service's own dataset
            return {"default_graph": service if service != [""] else None, "named_graphs": all_named, "merge": False}
        defaults: list[str] = []
        for iri in default_graph_uris:
            defaults.extend(service if iri in DEFAULT_GRAPH_ALIASES else [iri])
        defaults = list(dict.fromkeys(defaults))
        merge = len(defaults) > 1 and defaults != service
        return {"default_graph": defaults, "named_graphs": list(dict.fromkeys(named_only)), "merge": merge}

    @property
    def release_dir(self) -> Path | None:
        """The folder of the published files this service loaded (None in files mode)."""
        return None if self.settings.files_mode or not self.sources else self.sources[0].parent

    @property
    def article_graphs(self) -> list[str]:
        special = {str(ENTITY_GRAPH), str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH)}
        return [g for g in self.graphs if g not in special]

    def open(self) -> ox.Store:
        """A read-only handle on the loaded store (one per process)."""
        return ox.Store.read_only(str(self.store_dir))

    def close(self) -> None:
        shutil.rmtree(self.store_dir, ignore_errors=True)


def load_dataset(settings: Settings) -> ServedDataset:
    """Load what the settings name into a fresh on-disk store."""
    if settings.files_mode:
        sources = [*settings.rdf_files, *(path for _, path in settings.graph_files)]
    else:
        if settings.data_dir is None:
            raise DatasetError("no data: give --data DIR (a dipkg build) or --rdf/--graph files")
        # resolved once: a build publishes a new release folder and swaps the `current` link, so
        # everything this service reads (the store now, the download files later) comes from one
        # release even while a rebuild runs beside it
        nq = (settings.data_dir / "dipkg.nq").resolve()
        if not nq.is_file():
            raise DatasetError(f"{nq}: not found — run `dipkg build --out {settings.data_dir}` first")
        sources = [nq]
    for source in sources:
        if not source.is_file():
            raise DatasetError(f"{source}: not found")
    store_dir = Path(tempfile.mkdtemp(prefix="dipkg-store-"))
    try:
        store = ox.Store(str(store_dir))
        if settings.files_mode:
            for path in settings.rdf_files:
                store.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.DefaultGraph(),
                                base_iri=path.resolve().as_uri(), lenient=True)
            for iri, path in settings.graph_files:
                store.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.NamedNode(iri),
                                base_iri=path.resolve().as_uri(), lenient=True)
        else:
            quads = _with_asserted_merge(sources[0])
            while chunk := list(islice(quads, LOAD_CHUNK)):
                store.bulk_extend(chunk)
        store.flush()
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        inferred_extra = None if settings.files_mode else _place_inferred(store, graphs)
        store.flush()
        del store
    except (SyntaxError, OSError, ValueError) as err:
        shutil.rmtree(store_dir, ignore_errors=True)
        raise DatasetError(f"cannot load {', '.join(map(str, sources))}: {err}") from None
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    newest = max((source.stat().st_mtime for source in sources), default=0.0)
    return ServedDataset(settings, store_dir, graphs, f'"{digest.hexdigest()[:32]}"',
                         formatdate(newest, usegmt=True), sources, inferred_extra)


def _with_asserted_merge(nquads: Path) -> Iterator[ox.Quad]:
    """Each quad of a build, and each asserted triple again in the default graph: one pass over
    the file, and the store, a set of quads, keeps a triple stated by many graphs once."""
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    default = ox.DefaultGraph()
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        yield quad
        if quad.graph_name != inferred:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


def _place_inferred(store: ox.Store, graphs: list[str]) -> str | None:
    """Where the inferred triples that are not asserted are, so that the default graph with
    inference is two disjoint graphs: the inferred graph itself if no triple of it is asserted
    (checked, not assumed), else a hidden copy of the rest of it."""
    if str(INFERRED_GRAPH) not in graphs:
        return None
    overlap = f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} ?s ?p ?o }}"
    if not bool(store.query(overlap)):
        return str(INFERRED_GRAPH)
    hidden = ox.BlankNode(HIDDEN_INFERRED)
    beyond = f"SELECT ?s ?p ?o {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}"
    rows = [(r["s"], r["p"], r["o"]) for r in store.query(beyond)]  # type: ignore[union-attr]
    store.bulk_extend(ox.Quad(s, p, o, hidden) for s, p, o in rows)
    return f"_:{HIDDEN_INFERRED}"
