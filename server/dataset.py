"""What the service serves: a dipkg build, or arbitrary RDF files, loaded into pyoxigraph.

A dipkg build carries its own store (``graph/store.py``: written by ``dipkg build`` or ``dipkg
load`` into the release folder), which the service opens read-only as it is: a start parses
nothing, whatever the size.  Without one (``--rdf``/``--graph`` files, or a folder holding only
``dipkg.nq``) the data is bulk-loaded once into a private temporary store.  Either way every
query worker process opens the store read-only, so a worker that is killed for running too long
is replaced in milliseconds, and all workers share the operating system's page cache instead of
each holding a copy.

The default graph follows the mode: for a dipkg build it is the RDF merge of every graph
(articles, entities, ontology and, unless switched off, the inferred graph); for
``--rdf``/``--graph`` files it is the ``--rdf`` files only, as the SPARQL protocol's test suite
expects.

A merge is a *set*: a triple that two articles state is one triple of the default graph.  The
engine's own union of named graphs is a bag (oxigraph issue 1919), so the store materializes the
merge as its real default graph, and the default graph with inference is ``[default graph,
inferred graph]``, two graphs checked to be disjoint (``graph/store.py`` says how).

Several graphs named at once by a request (``default-graph-uri`` repeated, or several ``FROM``)
are merged the same way, but per query: ``default_graph_plan`` tells the worker to copy them into an
in-memory store (bounded by the query's time limit) unless they are the disjoint pair above.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any, TypedDict

import pyoxigraph as ox

from dipkg.graph.namespace import ENTITY_GRAPH, INFERRED_GRAPH, METADATA_GRAPH, ONTOLOGY_GRAPH
from dipkg.graph.publish import RELEASES, SERVING, process_alive
from dipkg.graph.store import STORE, fill, read_info
from dipkg.server.config import Settings


class DatasetError(Exception):
    """The data to serve is missing or unreadable (a clear message for the operator)."""


#: What rdflib's ``Dataset(store=SPARQLStore(url))`` sends as ``default-graph-uri`` for its own
#: default graph: to this service it means the service's ordinary default graph.
DEFAULT_GRAPH_ALIASES = frozenset({"urn:x-rdflib:default"})
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
    #: whether ``store_dir`` is this service's own temporary copy (removed at close) or the
    #: store of a published release (opened read-only and left as it is)
    owns_store: bool = True

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
        special = {str(ENTITY_GRAPH), str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH), str(METADATA_GRAPH)}
        return [g for g in self.graphs if g not in special]

    def open(self) -> ox.Store:
        """A read-only handle on the loaded store (one per process)."""
        return ox.Store.read_only(str(self.store_dir))

    def close(self) -> None:
        if self.owns_store:
            shutil.rmtree(self.store_dir, ignore_errors=True)
        elif self.release_dir is not None:
            (self.release_dir / f"{SERVING}{os.getpid()}").unlink(missing_ok=True)


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
    if not settings.files_mode:
        served = _open_release(settings, sources[0])
        if served is not None:
            return served
    sweep_private_stores()
    store_dir = Path(tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-"))
    try:
        store = ox.Store(str(store_dir))
        inferred_extra = None
        if settings.files_mode:
            for path in settings.rdf_files:
                store.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.DefaultGraph(),
                                base_iri=path.resolve().as_uri(), lenient=True)
            for iri, path in settings.graph_files:
                store.bulk_load(path=str(path), format=rdf_format(path), to_graph=ox.NamedNode(iri),
                                base_iri=path.resolve().as_uri(), lenient=True)
            store.flush()
            graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        else:  # a dataset folder without a store (an older build): loaded here, once per start
            info = fill(store, sources[0])
            graphs, inferred_extra = info["graphs"], info["inferred_extra"]
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


PRIVATE_PREFIX = "dipkg-store-"


def sweep_private_stores() -> None:
    """Remove the private stores of services that died without cleaning up (``kill -9``): their
    folder names carry the owner's pid."""
    for folder in Path(tempfile.gettempdir()).glob(PRIVATE_PREFIX + "*"):
        pid = folder.name[len(PRIVATE_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def check_files(release: Path, info: dict[str, Any]) -> None:
    """The release's files are as published: each the size ``store-info.json`` recorded (a
    dump cut short by a full disk or a copy, or edited afterwards, is refused, not served)."""
    recorded = info.get("files")
    if not isinstance(recorded, dict):
        return  # a release published before sizes were recorded: nothing to check against
    for name, size in sorted(recorded.items()):
        path = release / name
        try:
            actual = path.stat().st_size
        except OSError:
            raise DatasetError(f"{path}: missing from the release (published with {size} bytes)") from None
        if actual != size:
            raise DatasetError(f"{path}: {actual} bytes, but the release was published with {size} "
                               "(cut short or changed since): rebuild or restore it") from None


def _open_release(settings: Settings, nq: Path) -> ServedDataset | None:
    """The store ``dipkg build`` wrote into the release, opened as it is: no parsing, no copy.

    A marker ``.serving-<pid>`` in the release keeps a rebuild from sweeping it while this
    service reads it (best effort: a read-only release folder just gets no marker)."""
    release = nq.parent
    info = read_info(release)
    if info is None:
        return None
    check_files(release, info)
    try:
        ox.Store.read_only(str(release / STORE))
    except (OSError, RuntimeError) as err:  # RuntimeError: a corrupt store ("Corruption: …")
        raise DatasetError(f"{release / STORE}: cannot open the store: {err}") from None
    with contextlib.suppress(OSError):
        (release / f"{SERVING}{os.getpid()}").touch()
    in_release = release.parent.name == RELEASES
    etag = f'"{release.name}"' if in_release else f'"{hashlib.sha256(nq.read_bytes()).hexdigest()[:32]}"'
    return ServedDataset(settings, release / STORE, list(info["graphs"]), etag,
                         formatdate(nq.stat().st_mtime, usegmt=True), [nq], info.get("inferred_extra"),
                         owns_store=False)
