"""Publishing a release: atomic across every file, checked before the swap, and clean after kills.

The kills are injected at named points (``DIPKG_FAULT_POINT``), so every step between staging and
the final links is proven, not hit by luck of timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from dipkg.cli import main
from dipkg.graph.publish import PublishError, current_release, publish_release

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("build-info.json", "dipkg-spans.ttl", "dipkg.nq", "dipkg.trig", "dipkg.ttl")
TEXT = "Prime Minister Shinzo Abe met President Vladimir Putin in Moscow on Monday.\n"


def _dipkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    dipkg = Path(sys.executable).with_name("dipkg")
    command = [str(dipkg)] if dipkg.is_file() else [sys.executable, "-m", "dipkg"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300, check=False)


def _files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in NAMES}


def _litter(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\f", "\v", "\x1c"])
def test_line_separators_inside_an_article_publish_a_dataset_that_reads_back(
        tmp_path: Path, article_folder, separator: str) -> None:
    text = f"Japan and Russia talked.{separator}{TEXT}"
    folder = article_folder(tmp_path / "articles", {"a.txt": text})
    assert main(["build", "--articles", str(folder), "--out", str(tmp_path / "out")]) == 0
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "out" / "dipkg.nq"), format=ox.RdfFormat.N_QUADS)
    texts = [q.object.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"), None)]
    assert texts == [text]
    for fmt, name in ((ox.RdfFormat.TRIG, "dipkg.trig"), (ox.RdfFormat.TURTLE, "dipkg.ttl")):
        assert sum(1 for _ in ox.parse(path=str(tmp_path / "out" / name), format=fmt)) > 0


def test_a_release_that_does_not_read_back_is_not_published(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish_release(out, {"dipkg.nq": "<urn:a> <urn:b> <urn:c> <urn:g> .\n"})
    before = (out / "dipkg.nq").read_bytes()
    with pytest.raises(PublishError, match=r"dipkg\.nq"):
        publish_release(out, {"dipkg.nq": "<urn:a> <urn:b> \"split\n literal\" <urn:g> .\n"})
    assert (out / "dipkg.nq").read_bytes() == before
    assert _litter(out) == [] and len(list((out / "releases").iterdir())) == 1


def test_the_same_input_reuses_its_release_and_old_releases_are_swept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = publish_release(out, {"dipkg.nq": "<urn:a> <urn:b> <urn:c> <urn:g> .\n"})
    assert publish_release(out, {"dipkg.nq": "<urn:a> <urn:b> <urn:c> <urn:g> .\n"}) == first
    second = publish_release(out, {"dipkg.nq": "<urn:a> <urn:b> <urn:d> <urn:g> .\n"})
    third = publish_release(out, {"dipkg.nq": "<urn:a> <urn:b> <urn:e> <urn:g> .\n"})
    # the current release and the one before it (a running service may still read it) are kept
    assert sorted((out / "releases").iterdir()) == sorted([second, third])
    assert current_release(out) == third and current_release(out, "previous") == second


@pytest.mark.parametrize("point", ["staged", "before-swap", "swapped"])
def test_a_build_killed_at_any_step_leaves_one_whole_release_and_no_litter(
        tmp_path: Path, article_folder, previous_build: Path, snapshot, point: str) -> None:
    before = _files(previous_build)
    folder = article_folder(tmp_path / "articles", {"a.txt": TEXT})
    killed = _dipkg("build", "--articles", str(folder), "--out", str(previous_build),
                    env={"DIPKG_FAULT_POINT": point})
    assert killed.returncode == -9, killed.stderr
    after = _files(previous_build)
    if point == "swapped":  # the pointer moved: every name now reads the new release
        assert json.loads(after["build-info.json"])["articles"] == 1
        assert all(after[name] != before[name] for name in NAMES)
    else:
        assert after == before
    clean = _dipkg("build", "--articles", str(folder), "--out", str(previous_build))
    assert clean.returncode == 0, clean.stderr
    assert _litter(previous_build) == []
    assert json.loads((previous_build / "build-info.json").read_text(encoding="utf-8"))["articles"] == 1
    assert len(list((previous_build / "releases").iterdir())) <= 2


def test_an_output_path_that_is_not_a_folder_is_a_one_line_error(
        tmp_path: Path, article_folder, capsys: pytest.CaptureFixture[str]) -> None:
    folder = article_folder(tmp_path / "articles", {"a.txt": TEXT})
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    status = main(["build", "--articles", str(folder), "--out", str(tmp_path / "file" / "out")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and "cannot publish there" in err, err


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)],
                                           capture_output=True, check=False).returncode:
        pytest.skip("needs root and tmpfs mounts to make a full disk")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_is_a_one_line_error_and_leaves_no_partial_release(
        tmp_path: Path, article_folder, tiny_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = article_folder(tmp_path / "articles", {"a.txt": TEXT})
    status = main(["build", "--articles", str(folder), "--out", str(tiny_disk / "out")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and "No space left" in err, err
    assert _litter(tiny_disk / "out") == [] and not (tiny_disk / "out" / "current").exists()
