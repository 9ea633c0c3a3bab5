"""Stage 8: write the dataset — atomically and byte-for-byte reproducibly.

Every file is first written in full to a temporary name in the output folder and only then
renamed over the old one (``os.replace`` is atomic on one file system), so an interrupted or
failed build leaves the previous output as it was.  Serializations are sorted so that the same
input always gives the same bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from graph.namespace import PREFIXES


def _bind(graph: Graph) -> None:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def turtle(graph: Graph) -> str:
    g = Graph()
    _bind(g)
    for triple in graph:
        g.add(triple)
    return g.serialize(format="turtle")


def trig(dataset: Dataset) -> str:
    """TriG with graphs in IRI order, each graph's body as rdflib's (sorted) Turtle."""
    prefixes = {f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()}
    bodies = []
    for name in sorted((c.identifier for c in dataset.graphs() if len(c)), key=str):
        assert isinstance(name, URIRef)
        lines = turtle(dataset.graph(name)).splitlines()
        prefixes |= {line.strip() for line in lines if line.startswith("@prefix")}
        body = "\n".join(line for line in lines if not line.startswith("@prefix"))
        bodies.append(f"\n<{name}> {{\n{body.strip()}\n}}\n")
    return "\n".join(sorted(prefixes)) + "\n" + "".join(bodies)


def nquads(dataset: Dataset) -> str:
    lines = set()
    for context in dataset.graphs():
        if not len(context):
            continue
        g = Graph()
        for triple in context:
            g.add(triple)
        for line in g.serialize(format="nt").splitlines():
            if line.strip():
                lines.add(line[: line.rstrip().rfind(".")].rstrip() + f" <{context.identifier}> .")
    return "\n".join(sorted(lines)) + "\n"


def write_files(out: Path, files: dict[str, str]) -> None:
    """Write all files to temporary names first, then rename each into place."""
    out.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    staged: list[tuple[str, Path]] = []
    try:
        for name, content in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            staged.append((name, Path(tmp)))  # before writing, so a failure cleans it up
            os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; published files follow the umask
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for _, path in staged:
            path.unlink(missing_ok=True)
        raise
    for name, path in staged:
        os.replace(path, out / name)


def summary_json(summary: dict[str, object]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"
