"""Stage 8: write the dataset — atomically across all its files, and byte-for-byte reproducibly.

A build is published as one *release*: a folder ``releases/<content hash>/`` holding every file
(TriG, Turtle, N-Quads, build-info.json).  The release is written in full under a staging name,
fsynced, read back and checked (each serialization parses, and holds the number of statements it
was written with), and only then renamed into ``releases/``; the one pointer ``current`` (a
symbolic link) is then swapped with a single atomic ``rename``.  So a reader that resolves
``current`` once sees one whole release, never new TriG beside old N-Quads, and a build killed at
any point leaves the previous release served as it was.  The top-level names
(``build/dipkg.nq`` …) are fixed links through ``current``, so paths that users and scripts
know keep working.  Left-overs of killed builds (staging folders, stray links, releases no
pointer names) are swept at the start of the next publish.

Serializations are sorted so that the same input always gives the same bytes, and lines are
split on ``\n`` only: ``str.splitlines`` would also split inside a literal at U+2028, U+0085 or a
form feed, and publish a dataset that no parser reads back.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from dipkg.graph.namespace import PREFIXES
from dipkg.graph.oxterms import ox_quads, ox_triples


def _quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def _sorted_quads(dataset: Dataset) -> list[ox.Quad]:
    """Every quad of every non-empty graph, in one fixed order (graph, subject, predicate,
    object, each in its N-Triples form), so that the same dataset always gives the same bytes."""
    quads: list[ox.Quad] = []
    for context in dataset.graphs():
        if len(context):
            quads.extend(ox_quads(context, context.identifier))
    return sorted(quads, key=_quad_key)


def sort_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads in the order ``trig``/``nquads`` write them (for ``*_of`` below)."""
    return sorted(quads, key=_quad_key)


def _text(data: bytes | None) -> str:
    assert data is not None
    return data.decode("utf-8")


def turtle(graph: Graph, leave_out: Iterable[str] = ()) -> str:
    """Turtle with our prefixes, triples sorted (pyoxigraph's serializer: rdflib's took 4.5 s of
    a 200-article build); triples whose predicate is in ``leave_out`` are not written (the
    spans-only dump leaves out ``nif:isString``)."""
    skip = set(leave_out)
    return turtle_of(t for t in ox_triples(graph) if t.predicate.value not in skip)


def turtle_of(triples: Iterable[ox.Triple]) -> str:
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return _text(ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)))


def trig(dataset: Dataset) -> str:
    """TriG with graphs in IRI order and each graph's triples sorted."""
    return trig_of(_sorted_quads(dataset))


def trig_of(ordered: list[ox.Quad]) -> str:
    return _text(ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=dict(PREFIXES)))


def nquads(dataset: Dataset) -> str:
    """N-Quads, one statement a line, lines sorted (so that files diff well between builds)."""
    return nquads_of(_sorted_quads(dataset))


def nquads_of(ordered: list[ox.Quad]) -> str:
    lines = _text(ox.serialize(ordered, format=ox.RdfFormat.N_QUADS)).split("\n")
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


CURRENT = "current"
PREVIOUS = "previous"
RELEASES = "releases"
_STAGING = ".staging-"
_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE}


class PublishError(Exception):
    """The output folder cannot take the release (read-only, full, not a folder): one line."""


def fault_point(name: str) -> None:
    """Die here, as ``kill -9`` would, when ``DIPKG_FAULT_POINT`` names this point.

    Fault injection for the tests that prove publishing survives a kill at every step (not by
    luck of timing); without the variable this does nothing.
    """
    if os.environ.get("DIPKG_FAULT_POINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_files(out: Path, files: dict[str, str]) -> None:
    """Write all files to temporary names in ``out`` first, then rename each into place.

    For single files next to a release (and for tests); a dataset is published with
    ``publish_release``, which is atomic across its files.
    """
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


def _statements(name: str, content: str) -> int | None:
    """How many statements a serialization was written with, where that is cheap to know."""
    if name.endswith(".nq"):
        return sum(1 for line in content.split("\n") if line.strip())
    return None


def verify(folder: Path, files: dict[str, str]) -> None:
    """Read every serialization of a staged release back; refuse one that does not parse or
    holds fewer statements than were written (a truncated or split file)."""
    for name, content in files.items():
        fmt = _FORMATS.get(Path(name).suffix)
        if fmt is None:
            continue
        try:
            count = sum(1 for _ in ox.parse(path=str(folder / name), format=fmt))
        except (SyntaxError, ValueError, OSError) as err:
            raise PublishError(f"{name} does not read back, not published: {err}") from None
        expected = _statements(name, content)
        if expected is not None and count != expected:
            raise PublishError(f"{name} reads back {count} statements of {expected}, not published")


def current_release(out: Path, pointer_name: str = CURRENT) -> Path | None:
    """The folder ``current`` points to (resolved once, so every file comes from one release)."""
    pointer = out / pointer_name
    if not pointer.is_symlink():
        return None
    target = (out / os.readlink(pointer)).resolve()
    return target if target.is_dir() else None


def sweep(out: Path) -> None:
    """Remove what killed builds left: staging folders, stray temporary links and files, and
    releases that neither ``current`` nor ``previous`` names (a service started on the previous
    release keeps reading its files until it reloads)."""
    keep = {release for release in (current_release(out), current_release(out, PREVIOUS)) if release}
    for entry in out.iterdir():
        if entry.name.startswith(_STAGING) or (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    releases = out / RELEASES
    if releases.is_dir():
        for release in releases.iterdir():
            if release.resolve() not in keep and not in_use(release):
                shutil.rmtree(release, ignore_errors=True)


SERVING = ".serving-"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def in_use(release: Path) -> bool:
    """Whether a running service reads this release (its ``.serving-<pid>`` marker names a live
    process); markers of dead processes are removed on the way."""
    used = False
    for marker in release.glob(SERVING + "*"):
        pid = marker.name[len(SERVING):]
        if pid.isdigit() and process_alive(int(pid)):
            used = True
        else:
            marker.unlink(missing_ok=True)
    return used


def _link(out: Path, name: str, target: str) -> None:
    """Point ``out/name`` at ``target`` with one atomic rename (a link made aside first)."""
    path = out / name
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = out / f".{name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def publish_release(out: Path, files: dict[str, str], finish: Callable[[Path], object] | None = None) -> Path:
    """Publish ``files`` as one release of ``out`` and make it current; returns its folder.

    ``finish`` runs on the staged folder after the files are checked and before the release is
    renamed into place (the build writes the store there), so it is part of the same swap."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not out.is_dir():
            raise PublishError(f"{out}: not a folder")
        sweep(out)
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name].encode("utf-8", "surrogatepass") + b"\0")
        release_id = digest.hexdigest()[:16]
        releases = out / RELEASES
        releases.mkdir(exist_ok=True)
        final = releases / release_id
        if not final.is_dir():
            staging = out / f"{_STAGING}{release_id}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            try:
                write_files(staging, files)
                fault_point("staged")
                verify(staging, files)
                if finish is not None:
                    finish(staging)
                fault_point("finished")
                _fsync_dir(staging)
                os.rename(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            _fsync_dir(releases)
        fault_point("before-swap")
        old = out / CURRENT
        if old.is_symlink() and os.readlink(old) != f"{RELEASES}/{release_id}":
            _link(out, PREVIOUS, os.readlink(old))
        _link(out, CURRENT, f"{RELEASES}/{release_id}")
        _fsync_dir(out)
        fault_point("swapped")
        for name in files:
            _link(out, name, f"{CURRENT}/{name}")
        sweep(out)
        return final
    except OSError as err:
        where = err.filename or out
        raise PublishError(f"{where}: cannot publish there: {err.strerror or err}") from None


@contextmanager
def change_lock(out: Path) -> Iterator[None]:
    """Hold the output folder's change lock while a build, an ingest or a remove publishes:
    an ingest reads the current release and publishes it changed, so a release published in
    between (by another ingest, or a build) would be lost.  The lock is ``flock`` on the folder
    itself (no lock file to litter it; a killed holder frees it).  A folder that cannot be
    opened is not locked: publishing there fails anyway, with ``publish_release``'s message."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def summary_json(summary: dict[str, object]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"
