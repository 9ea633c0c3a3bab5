"""Where the project's data files live (the ontology folder beside the package)."""

from __future__ import annotations

import os
from pathlib import Path


def ontology_dir() -> Path:
    """``ontology/`` of the checkout; ``DIPKG_ONTOLOGY`` overrides it (for an installed copy)."""
    override = os.environ.get("DIPKG_ONTOLOGY")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "ontology"


def package_version() -> str:
    """The installed dipkg's version (pyproject.toml), for --version, the pages and the API."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dipkg")
    except PackageNotFoundError:
        return "(not installed)"
