"""What the service serves: a dipkg build, or arbitrary RDF files, loaded into pyoxigraph.

The data is bulk-loaded once into an on-disk pyoxigraph store in a private temporary folder;
every query worker process then opens that store read-only, so a worker that is killed for
running too long is replaced in milliseconds, and all workers share the operating system's page
cache instead of each holding a copy.

The default graph follows the mode: for a dipkg build it is the union of every graph (articles,
entities, ontology and, unless switched off, the inferred graph); for ``--rdf``/``--graph`` files
it is the ``--rdf`` files only, as the SPARQL protocol's test suite expects.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.namespace import ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from server.config import Settings


class DatasetError(Exception):
    """The data to serve is missing or unreadable (a clear message for the operator)."""


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

    # -- what a query's default graph is -------------------------------------------------
    def query_options(self, include_inferred: bool | None = None) -> dict[str, Any]:
        """Keyword arguments for ``Store.query`` that give this dataset's default graph."""
        if self.settings.files_mode:
            return {}
        inferred = self.settings.include_inferred if include_inferred is None else include_inferred
        if inferred:
            return {"use_default_graph_as_union": True}
        return {"default_graph": [ox.NamedNode(g) for g in self.graphs if g != str(INFERRED_GRAPH)]}

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
        nq = settings.data_dir / "dipkg.nq"
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
            store.bulk_load(path=str(sources[0]), format=ox.RdfFormat.N_QUADS)
        store.flush()
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        del store
    except (SyntaxError, OSError, ValueError) as err:
        shutil.rmtree(store_dir, ignore_errors=True)
        raise DatasetError(f"cannot load {', '.join(map(str, sources))}: {err}") from None
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    newest = max((source.stat().st_mtime for source in sources), default=0.0)
    return ServedDataset(settings, store_dir, graphs, f'"{digest.hexdigest()[:32]}"',
                         formatdate(newest, usegmt=True), sources)
