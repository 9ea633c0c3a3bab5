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
