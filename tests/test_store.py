"""Stage 9: the store a release carries — the merge as a set, what it holds, and ``dipkg load``."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from dipkg.cli import main
from dipkg.graph.publish import current_release
from dipkg.graph.store import STORE, read_info


def test_a_build_publishes_its_store_with_the_merge_as_a_set(seed_build) -> None:
    release = current_release(seed_build.out)
    assert release is not None
    info = read_info(release)
    assert info is not None and "https://w3id.org/dipkg/graph/inferred" in info["graphs"]
    store = ox.Store.read_only(str(release / STORE))
    count = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    ttl = sum(1 for _ in ox.parse(path=str(seed_build.out / "dipkg.ttl"), format=ox.RdfFormat.TURTLE))
    inferred = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(
        "https://w3id.org/dipkg/graph/inferred"))))
    # the store's default graph is the merge of the asserted graphs: the Turtle union less inference
    assert isinstance(count, ox.QuerySolutions)
    assert int(next(iter(count))[0].value) == ttl - inferred


def test_dipkg_load_makes_a_servable_folder_from_any_nquads(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "made-elsewhere.nq"
    source.write_text("# a comment\n<urn:a> <urn:p> <urn:b> <urn:g1> .\n<urn:a> <urn:p> <urn:b> <urn:g2> .\n\n"
                      "<urn:a> <urn:p> <urn:b> <urn:g1> .\n", encoding="utf-8")
    assert main(["load", str(source), "--out", str(tmp_path / "out")]) == 0
    release = current_release(tmp_path / "out")
    assert release is not None
    info = read_info(release)
    assert info is not None and info["graphs"] == ["urn:g1", "urn:g2"]
    store = ox.Store.read_only(str(release / STORE))
    rows = store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert isinstance(rows, ox.QuerySolutions) and len(list(rows)) == 1  # a set, not one per graph
    assert json.loads((tmp_path / "out" / "build-info.json").read_text(encoding="utf-8"))["quads"] == 2
    assert "loaded 2 quads" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["<urn:a> <urn:p> .\n", "not rdf at all\n"])
def test_dipkg_load_refuses_malformed_nquads_in_one_line(tmp_path: Path, capsys, text: str) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "bad.nq"
    source.write_text(text, encoding="utf-8")
    assert main(["load", str(source), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.nq" in err
    assert not (tmp_path / "out").exists() or current_release(tmp_path / "out") is None
