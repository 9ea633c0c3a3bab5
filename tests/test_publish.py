"""Stage 8: publishing — atomic, byte-for-byte reproducible, and faithful in every format."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from dipkg.graph.publish import current_release, write_files

ROOT = Path(__file__).resolve().parent.parent
SERIALIZATIONS = ("dipkg.trig", "dipkg.ttl", "dipkg.nq")
SPANS = "dipkg-spans.ttl"  # the union without the article texts (tests/test_metadata.py)


def _iris(dataset: Dataset) -> set[URIRef]:
    return {t for q in dataset.quads() for t in q if isinstance(t, URIRef)}


def test_publish_writes_one_release_and_links_the_four_names_through_current(seed_build) -> None:
    out = seed_build.out
    assert sorted(p.name for p in out.iterdir()) == sorted(["build-info.json", *SERIALIZATIONS, SPANS,
                                                            "current", "releases"])
    release = current_release(out)
    assert release is not None and release.parent == out / "releases"
    # the four files, the store the service opens, and what it holds (a running service adds
    # a .serving-<pid> marker, which is not part of the release)
    assert sorted(p.name for p in release.iterdir() if not p.name.startswith(".")) == sorted(
        ["build-info.json", *SERIALIZATIONS, SPANS, "store", "store-info.json"])
    for name in ("build-info.json", *SERIALIZATIONS, SPANS):
        assert os.readlink(out / name) == f"current/{name}"


def test_build_info_is_the_build_summary(seed_build) -> None:
    info = json.loads((seed_build.out / "build-info.json").read_text(encoding="utf-8"))
    assert info == json.loads(json.dumps(seed_build.result.summary()))
    assert info["articles"] == 5
    assert info["facts"]["meetings"] > 0 and info["triples_inferred"] > 0


def _stage_failure(folder: Path) -> None:
    """A publish whose second file cannot be written (a lone surrogate is not UTF-8)."""
    with pytest.raises(UnicodeEncodeError):
        write_files(folder, {"dipkg.trig": "new content\n", "dipkg.ttl": "bad \ud800\n",
                             "dipkg.nq": "new content\n"})


def test_a_failure_while_staging_leaves_the_previous_files_untouched(previous_build: Path,
                                                                     snapshot) -> None:
    before = snapshot(previous_build)
    _stage_failure(previous_build)
    for name, content in before.items():
        assert (previous_build / name).read_bytes() == content, name


def test_a_failure_while_staging_leaves_no_temporary_files(previous_build: Path) -> None:
    before = sorted(os.listdir(previous_build))
    _stage_failure(previous_build)
    assert sorted(os.listdir(previous_build)) == before


def test_write_files_replaces_every_file_it_is_given(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.txt": "one\n", "b.txt": "two\n"})
    write_files(tmp_path, {"a.txt": "uno\n", "b.txt": "dos\n"})
    assert (tmp_path / "a.txt").read_text() == "uno\n" and (tmp_path / "b.txt").read_text() == "dos\n"
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.txt"]


def _nq_iris(path: Path) -> set[str]:
    return set(re.findall(r"<([^>]+)>", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", [
    "dipkg.trig", "dipkg.ttl",
    "dipkg.nq", "dipkg-spans.ttl",
])
def test_rebuilding_the_seeds_gives_byte_identical_files(seed_build, rebuild, name: str) -> None:
    """A second ``dipkg build`` (another process, another hash seed) writes the same bytes."""
    status, _, err = rebuild.wait()
    assert status == 0, err
    assert (rebuild.out / name).read_bytes() == (seed_build.out / name).read_bytes()


def test_rebuilding_the_seeds_gives_the_same_iris(seed_build, rebuild) -> None:
    status, _, err = rebuild.wait()
    assert status == 0, err
    iris = _nq_iris(rebuild.out / "dipkg.nq")
    assert "https://w3id.org/dipkg/id/Shinzo_Abe" in iris
    assert iris == _nq_iris(seed_build.out / "dipkg.nq")
    assert {str(i) for i in _iris(seed_build.result.dataset)} <= iris


def test_trig_and_nquads_hold_the_same_named_graphs(seed_build, dataset: Dataset) -> None:
    nq = Dataset()
    nq.parse(seed_build.out / "dipkg.nq", format="nquads")
    trig_graphs = {g.identifier: g for g in dataset.graphs() if len(g)}
    nq_graphs = {g.identifier: g for g in nq.graphs() if len(g)}
    assert set(trig_graphs) == set(nq_graphs)
    for name, graph in trig_graphs.items():
        assert isomorphic(graph, nq_graphs[name]), name


def test_turtle_is_the_union_of_all_graphs(seed_build, union: Graph) -> None:
    ttl = Graph()
    ttl.parse(seed_build.out / "dipkg.ttl", format="turtle")
    assert isomorphic(ttl, union)


def test_published_trig_is_the_built_dataset(seed_build, dataset: Dataset) -> None:
    built = {g.identifier: g for g in seed_build.result.dataset.graphs() if len(g)}
    published = {g.identifier: g for g in dataset.graphs() if len(g)}
    assert set(built) == set(published)
    for name, graph in built.items():
        assert isomorphic(graph, published[name]), name


def test_published_files_honour_the_umask(seed_build) -> None:
    umask = os.umask(0)
    os.umask(umask)
    expected = 0o666 & ~umask
    for name in (*SERIALIZATIONS, "build-info.json"):
        assert stat.S_IMODE((seed_build.out / name).stat().st_mode) == expected, name
