"""``dipkg ingest`` / ``dipkg remove``: adding articles one at a time gives what ``dipkg build``
of all of them gives, in any order; removing one gives the build without it; the same text twice
changes nothing; a kill mid-way leaves the current release as it was; and two changes at once
both land.  Datasets are compared as RDF (isomorphism per named graph), never as text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from dipkg.graph.build import build, publish
from dipkg.graph.errors import InputError
from dipkg.graph.ingest import ArticleInput, ingest, remove
from dipkg.graph.namespace import METADATA_GRAPH
from dipkg.graph.publish import current_release
from tests.conftest import SEEDS, SeedBuild
from tests.server.conftest import launch, stop

MANIFEST = {e["file"]: e for e in tomllib.loads((SEEDS / "articles.toml").read_text(encoding="utf-8"))["article"]}
NAMES = sorted(MANIFEST)
#: shares two meetings (and facts) with other seeds, so removing it re-derives their kinds
REMOVED = "000_fb51a5ec027aa79b.txt"
ROOT = Path(__file__).resolve().parent.parent


def seed_input(name: str) -> ArticleInput:
    entry = MANIFEST[name]
    return ArticleInput((SEEDS / name).read_text(encoding="utf-8"), name, entry.get("title"),
                        entry.get("publisher"), str(entry["published"]), entry.get("url"))


def graphs(folder: Path) -> dict[str, Graph]:
    dataset = Dataset()
    dataset.parse(folder / "dipkg.nq", format="nquads")
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def _undated(graph: Graph) -> Graph:
    """The dataset's description less dct:modified: a build dates it by when its input files
    changed, an ingest by when it ran; everything else (sources, version, licence) must agree."""
    assert len(list(graph.objects(None, DCTERMS.modified))) == 1
    out = Graph()
    for triple in graph:
        if triple[1] != DCTERMS.modified:
            out.add(triple)
    return out


def assert_same_dataset(expected: Path, actual: Path) -> None:
    want, got = graphs(expected), graphs(actual)
    assert sorted(got) == sorted(want)
    for name, graph in want.items():
        if name == str(METADATA_GRAPH):
            graph, got[name] = _undated(graph), _undated(got[name])
        assert isomorphic(graph, got[name]), f"graph {name} differs"
    for info in ("build-info.json", "current/store-info.json"):
        # the files' sizes differ by the description's dct:modified (see _undated) and nothing else
        want_info, got_info = (json.loads((folder / info).read_text()) for folder in (expected, actual))
        for recorded in (want_info, got_info):
            recorded.pop("files", None)
        assert got_info == want_info, info


def copy_data(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dipkg", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def forward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ingest-forward") / "data"
    for name in NAMES:
        result = ingest(out, [seed_input(name)])
        assert [Path(a).name for a in result.added] == [f"article-{Path(name).stem}"]
    return out


@pytest.fixture(scope="module")
def without_removed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dipkg build`` of the seeds less REMOVED (their own metadata)."""
    root = tmp_path_factory.mktemp("build-without")
    folder = root / "articles"
    folder.mkdir()
    entries = []
    for name in NAMES:
        if name != REMOVED:
            shutil.copyfile(SEEDS / name, folder / name)
            entries.append("[[article]]\n" + "".join(f"{k} = {json.dumps(str(v))}\n"
                                                     for k, v in MANIFEST[name].items()))
    (folder / "articles.toml").write_text("\n".join(entries), encoding="utf-8")
    publish(build(folder), root / "out")
    return root / "out"


def test_ingest_one_by_one_equals_build(seed_build: SeedBuild, forward: Path) -> None:
    assert_same_dataset(seed_build.out, forward)


def test_ingest_in_another_order_equals_build(seed_build: SeedBuild, tmp_path: Path) -> None:
    out = tmp_path / "data"
    for name in reversed(NAMES):
        ingest(out, [seed_input(name)])
    assert_same_dataset(seed_build.out, out)


def test_remove_equals_build_without(forward: Path, without_removed: Path, tmp_path: Path) -> None:
    data = copy_data(forward, tmp_path / "data")
    result = remove(data, REMOVED)
    assert [Path(r).name for r in result.removed] == [f"article-{Path(REMOVED).stem}"]
    assert result.facts["quotes"] == 11
    assert_same_dataset(without_removed, data)


def test_removed_and_added_back_equals_build(seed_build: SeedBuild, forward: Path, tmp_path: Path) -> None:
    data = copy_data(forward, tmp_path / "data")
    remove(data, f"article-{Path(REMOVED).stem}")  # by id this time
    ingest(data, [seed_input(REMOVED)])
    assert_same_dataset(seed_build.out, data)


def test_ingest_twice_changes_nothing(forward: Path, tmp_path: Path) -> None:
    data = copy_data(forward, tmp_path / "data")
    before = current_release(data)
    result = ingest(data, [seed_input(NAMES[1])])
    assert result.added == [] and len(result.already_present) == 1
    assert current_release(data) == before
    run = cli("ingest", "--data", str(data), str(SEEDS / NAMES[2]))  # metadata from seeds/articles.toml
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("already there: https://w3id.org/dipkg/id/article-002")
    assert current_release(data) == before


def test_bad_input_is_one_line_and_changes_nothing(forward: Path, tmp_path: Path) -> None:
    data = copy_data(forward, tmp_path / "data")
    before = current_release(data)
    other_text = ArticleInput("Abe met Putin in Sochi on Friday.\n", NAMES[0], published="2016-05-06")
    bad = {
        "another text as": other_text,
        "empty article": ArticleInput("  \n", "new.txt", published="2016-05-06"),
        "no publication date": ArticleInput("Abe met Putin.\n", "new.txt"),
        "unknown date format": ArticleInput("Abe met Putin.\n", "new.txt", published="May 2016"),
        "plain file name": ArticleInput("Abe met Putin.\n", "../new.txt", published="2016"),
    }
    for problem, item in bad.items():
        with pytest.raises(InputError, match=problem) as caught:
            ingest(data, [item])
        assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match="no such article"):
        remove(data, "nothing.txt")
    run = cli("remove", "--data", str(data), "nothing.txt")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "no such article" in run.stderr
    assert current_release(data) == before


@pytest.mark.parametrize("point", ["staged", "before-swap"])
def test_kill_mid_ingest_leaves_current(without_removed: Path, tmp_path: Path, point: str) -> None:
    data = copy_data(without_removed, tmp_path / "data")
    before = current_release(data)
    snapshot = (data / "dipkg.nq").read_bytes()
    run = cli("ingest", "--data", str(data), str(SEEDS / REMOVED), env={"DIPKG_FAULT_POINT": point})
    assert run.returncode == -9, run.stderr
    assert current_release(data) == before and (data / "dipkg.nq").read_bytes() == snapshot
    # the lock died with the process: the next ingest goes through
    assert ingest(data, [seed_input(REMOVED)]).added


def test_concurrent_ingests_both_land(without_removed: Path, tmp_path: Path) -> None:
    data = copy_data(without_removed, tmp_path / "data")
    remove(data, NAMES[4])
    runs = [subprocess.Popen([sys.executable, "-m", "dipkg", "ingest", "--data", str(data), str(SEEDS / name)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in (REMOVED, NAMES[4])]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    info = json.loads((data / "build-info.json").read_text())
    assert info["articles"] == 5
    assert {name.split("/")[-1] for name in graphs(data)} >= {f"article-{Path(n).stem}" for n in NAMES}


def test_service_reads_the_ingested_release(forward: Path, seed_build: SeedBuild, tmp_path: Path) -> None:
    """What the service shows (VoID counts, the articles, per-graph sizes) after ingest is what
    it shows for the build."""
    answers = []
    for i, data in enumerate((seed_build.out, forward)):
        server = launch(["--data", str(data)], tmp_path / f"server-{i}.log", {"DIPKG_WORKERS": "1"})
        try:
            queries = [
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                "PREFIX dip: <https://w3id.org/dipkg/ontology#> "
                "SELECT ?a ?f WHERE { ?a a dip:Article ; dip:fileName ?f } ORDER BY ?a",
            ]
            rows = [httpx.get(server.sparql, params={"query": q}, timeout=30).json()["results"]["bindings"]
                    for q in queries]
            void = httpx.get(server.sparql, headers={"Accept": "application/n-triples"}, timeout=30).text
            counts = sorted(line.split(" ", 2)[2] for line in void.splitlines() if "void#triples" in line)
            answers.append((rows, counts))
        finally:
            stop(server)
    assert answers[0] == answers[1]
    assert len(answers[1][0][2]) == 5 and answers[1][1]


def test_validation_of_a_change_sees_the_facts_it_shares(forward: Path) -> None:
    """The part an ingest validates holds the other articles' triples about the facts the new
    one shares with them: a second kind on a shared meeting, stated in another graph, is refused."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from dipkg.graph.build import BuildError
    from dipkg.graph.ingest import _load, _validate_part
    from dipkg.graph.namespace import DIP

    state = _load(forward)
    index = state.subject_index()
    new = URIRef(f"https://w3id.org/dipkg/id/article-{Path(REMOVED).stem}")
    nodes = {s for s, _, _ in state.graphs[new]}
    _validate_part(state, index, {new}, nodes)  # as published: valid
    shared = next(s for s, p, o in state.graphs[new] if p == RDF.type and o == DIP.Meeting and len(index[s]) > 1)
    other = sorted(index[shared] - {new})[0]
    kinds = {o for s, p, o in state.graphs[other] if s == shared and p == DIP.kind}
    state.graphs[other].add((shared, DIP.kind, DIP.Summit if DIP.Visit in kinds else DIP.Visit))
    with pytest.raises(BuildError, match="SHACL"):
        _validate_part(state, index, {new}, nodes)


def test_cli_ingests_a_folder_and_removes_it_again(seed_build: SeedBuild, tmp_path: Path) -> None:
    data = copy_data(seed_build.out, tmp_path / "data")
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "vladivostok.txt").write_text(
        "Abe and Putin meet again\n\nJapanese Prime Minister Shinzo Abe met Russian President "
        "Vladimir Putin in Vladivostok on Thursday. \"We agreed to speed up the talks,\" Abe said.\n",
        encoding="utf-8")
    (folder / "articles.toml").write_text(
        '[[article]]\nfile = "vladivostok.txt"\npublished = "2016-09-02"\npublisher = "Test Wire"\n',
        encoding="utf-8")
    run = cli("ingest", "--data", str(data), str(folder))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ingested 1 article(s): meetings 1") and "quotes 1" in run.stdout
    info = json.loads((data / "build-info.json").read_text())
    assert info["articles"] == 6
    assert info["facts"]["meetings"] == json.loads((seed_build.out / "build-info.json").read_text())["facts"][
        "meetings"] + 1
    run = cli("remove", "--data", str(data), "vladivostok.txt")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("removed https://w3id.org/dipkg/id/article-vladivostok: meetings 1")
    assert_same_dataset(seed_build.out, data)
