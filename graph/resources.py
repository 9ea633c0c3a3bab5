"""Where dipkg's data files live: package data, read with :mod:`importlib.resources`.

The ontology (terms, shapes, registry, cue tables), the example queries and the sample seeds are
part of the installed package (``dipkg.ontology``, ``dipkg.examples``, ``dipkg.seeds``), so an
installed ``dipkg`` builds and serves from any folder. In a checkout these packages are symbolic
links to the top-level folders, so the same calls read the repository's files.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def _package_folder(name: str) -> Path:
    """The folder of a data package. dipkg is never installed zipped (it writes its stores beside
    the data and opens them with RocksDB), so the resource is a real folder on disk."""
    return Path(str(files("dipkg") / name))


def ontology_dir() -> Path:
    """The ontology folder; ``DIPKG_ONTOLOGY`` overrides it (a team's own registry and cue tables)."""
    override = os.environ.get("DIPKG_ONTOLOGY")
    if override:
        return Path(override)
    return _package_folder("ontology")


def examples_dir() -> Path:
    """The README's example queries (``*.rq``), shown on the query page."""
    return _package_folder("examples")


def seeds_dir() -> Path:
    """The five sample articles and their ``articles.toml``: what ``dipkg build`` reads when no
    ``--articles`` is given and the current folder has no ``seeds/``."""
    return _package_folder("seeds")


def package_version() -> str:
    """The installed dipkg's version (pyproject.toml), for --version, the pages and the API."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dipkg")
    except PackageNotFoundError:
        return "(not installed)"
