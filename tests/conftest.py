"""Shared fixtures: the seed graph, built and published ONCE per test session.

Every test that needs the built graph uses ``seed_build`` (the in-memory result and the folder
it was published to) or ``dataset`` (the published ``dipkg.trig`` parsed back — what users of
the graph get).  Rule tests use ``extract`` on short synthetic texts.

Two other builds are needed by the determinism test (the seeds again) and by a CLI test (an
article with no facts).  A build is dominated by the OWL-RL closure (~10 s of one core), so when
the selected tests need them, they are started as ``dipkg build`` subprocesses *before* the
in-process seed build and run beside it on the second core; their tests wait for them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from dipkg.graph.build import BuildResult, build, extract_text, publish
from dipkg.graph.facts import ArticleFacts
from dipkg.graph.namespace import DIP_IRI, ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from dipkg.graph.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FILE_NAME = URIRef(DIP_IRI + "fileName")
RECIPE = ("Simple tomato soup\n\nChop two onions and fry them gently in butter until soft. "
          "Add a tin of tomatoes and a pinch of salt. Simmer for twenty minutes, then blend "
          "until smooth. Serve hot with crusty bread.\n")


def pytest_configure(config: pytest.Config) -> None:
    # rdflib 7 deprecates the very Dataset methods its own TriG parser calls
    config.addinivalue_line("filterwarnings", r"ignore:.*(Dataset|ConjunctiveGraph).*deprecated")


# -- tiny article folders ------------------------------------------------------------------------

def _make_article_folder(folder: Path, articles: dict[str, str], manifest_text: str | None = None,
                         published: str = "2015-05-16") -> Path:
    """``articles`` maps a file name to its text, or to the name of a seed article to copy."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, text in articles.items():
        if "\n" not in text and len(text) < 200 and (SEEDS / text).is_file():
            shutil.copyfile(SEEDS / text, folder / name)
        else:
            (folder / name).write_text(text, encoding="utf-8")
        entries.append(f'[[article]]\nfile = "{name}"\ntitle = "A test article"\n'
                       f'publisher = "Test Wire"\npublished = "{published}"\n')
    (folder / "articles.toml").write_text(
        manifest_text if manifest_text is not None else "\n".join(entries), encoding="utf-8")
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder (name -> bytes), to check that a failed build left it alone."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def article_folder() -> Callable[..., Path]:
    """``article_folder(folder, {name: text or seed file name}, manifest_text=None, published=...)``."""
    return _make_article_folder


@pytest.fixture(scope="session")
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    return _snapshot


# -- builds -----------------------------------------------------------------------------------------

@dataclass
class CliBuild:
    """A ``dipkg build`` run as a subprocess."""

    out: Path
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def wait(self) -> tuple[int, str, str]:
        status = self.process.wait()
        return (status, self.stdout.read_text(encoding="utf-8"),
                self.stderr.read_text(encoding="utf-8"))


def _start_cli_build(articles: Path, out: Path, logs: Path) -> CliBuild:
    dipkg = Path(sys.executable).with_name("dipkg")
    command = [str(dipkg)] if dipkg.is_file() else [sys.executable, "-m", "dipkg"]
    stdout, stderr = logs / "stdout.txt", logs / "stderr.txt"
    with stdout.open("wb") as o, stderr.open("wb") as e:
        process = subprocess.Popen([*command, "build", "--articles", str(articles), "--out", str(out)],
                                   stdout=o, stderr=e, cwd=ROOT)
    return CliBuild(out, process, stdout, stderr)


@pytest.fixture(scope="session")
def background_builds(request: pytest.FixtureRequest,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CliBuild]]:
    """Starts, once, the extra builds that the selected tests need (see the module docstring)."""
    wanted = {name for item in request.session.items
              for name in getattr(item, "fixturenames", ()) if name in {"rebuild", "recipe_build"}}
    builds: dict[str, CliBuild] = {}
    if "rebuild" in wanted:
        root = tmp_path_factory.mktemp("rebuild")
        builds["rebuild"] = _start_cli_build(SEEDS, root / "out", root)
    if "recipe_build" in wanted:
        root = tmp_path_factory.mktemp("recipe")
        folder = _make_article_folder(root / "articles", {"soup.txt": RECIPE}, published="2020-03-01")
        builds["recipe_build"] = _start_cli_build(folder, root / "out", root)
    yield builds
    for cli in builds.values():  # only if a test never waited for it
        if cli.process.poll() is None:
            cli.process.kill()
            cli.process.wait()


@dataclass(frozen=True)
class SeedBuild:
    result: BuildResult
    out: Path


@pytest.fixture(scope="session")
def seed_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SeedBuild:
    """The seed articles, built and published ONCE for the whole session."""
    request.getfixturevalue("background_builds")  # start them first, so they overlap this build
    out = tmp_path_factory.mktemp("seed-build")
    result = build(SEEDS)
    publish(result, out)
    return SeedBuild(result, out)


@pytest.fixture(scope="session")
def rebuild(background_builds: dict[str, CliBuild]) -> CliBuild:
    """A second, independent build of the seeds by ``dipkg build`` in another process."""
    return background_builds["rebuild"]


@pytest.fixture(scope="session")
def recipe_build(background_builds: dict[str, CliBuild]) -> CliBuild:
    """``dipkg build`` of one article that states no diplomacy at all (a soup recipe)."""
    return background_builds["recipe_build"]


@pytest.fixture
def previous_build(seed_build: SeedBuild, tmp_path: Path) -> Path:
    """An --out folder that already holds a good build (a copy of the session's seed build)."""
    out = tmp_path / "out"
    shutil.copytree(seed_build.out, out, symlinks=True)  # the release layout: links through current
    return out


# -- the built graph --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def dataset(seed_build: SeedBuild) -> Dataset:
    """The published dipkg.trig of the seed build, parsed."""
    ds = Dataset()
    ds.parse(seed_build.out / "dipkg.trig", format="trig")
    return ds


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """file name -> article text, read exactly as VOCABULARY.md defines it."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def manifest() -> dict[str, dict[str, object]]:
    data = tomllib.loads((SEEDS / "articles.toml").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in data["article"]}


@pytest.fixture(scope="session")
def article_graphs(dataset: Dataset) -> dict[str, tuple[URIRef, Graph]]:
    """file name -> (article IRI, the article's named graph)."""
    out: dict[str, tuple[URIRef, Graph]] = {}
    for graph in dataset.graphs():
        name = graph.identifier
        file_name = graph.value(name, FILE_NAME)  # type: ignore[arg-type]
        if isinstance(name, URIRef) and isinstance(file_name, Literal):
            out[str(file_name)] = (name, graph)
    return out


@pytest.fixture(scope="session")
def union(dataset: Dataset) -> Graph:
    """Every triple of every graph of the published dataset (what validation sees)."""
    g = Graph()
    for graph in dataset.graphs():
        for triple in graph:
            g.add(triple)
    return g


@pytest.fixture(scope="session")
def inferred(dataset: Dataset) -> Graph:
    return dataset.graph(INFERRED_GRAPH)


@pytest.fixture(scope="session")
def entities(dataset: Dataset) -> Graph:
    return dataset.graph(ENTITY_GRAPH)


@pytest.fixture(scope="session")
def ontology_graph(dataset: Dataset) -> Graph:
    return dataset.graph(ONTOLOGY_GRAPH)


# -- extraction of synthetic texts --------------------------------------------------------------------

@pytest.fixture(scope="session")
def extract() -> Callable[..., ArticleFacts]:
    """``extract(text, published="2016-05-06") -> ArticleFacts`` for a synthetic text."""

    def run(text: str, published: str = "2016-05-06") -> ArticleFacts:
        facts, _ = extract_text(text, published=published)
        return facts

    return run


@pytest.fixture(scope="session")
def extract_with_registry() -> Callable[..., tuple[ArticleFacts, Registry]]:
    """Like ``extract``, also returning the registry with the entities the text introduced."""

    def run(text: str, published: str = "2016-05-06") -> tuple[ArticleFacts, Registry]:
        return extract_text(text, published=published)

    return run


# -- a real triple store: oxigraph serve (the dev extra's `oxigraph` package) ----------------------

@dataclass
class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1: ``store`` is its Graph Store Protocol address, ``query``
    its SPARQL endpoint."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def store(self) -> str:
        return f"{self.url}/store"

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_oxigraph(location: Path, *extra: str) -> OxigraphServer:
    """Start ``oxigraph serve --location LOCATION`` on a free port; wait until it answers."""
    import socket
    import time

    import httpx

    exe = Path(sys.executable).parent / "oxigraph"
    if not exe.is_file():
        pytest.skip("oxigraph serve is not installed (pip install -e .[dev])")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([str(exe), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = OxigraphServer(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
        try:
            if httpx.post(server.query, data={"query": "ASK {}"}, timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("oxigraph serve did not start within 30 s")


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """An empty oxigraph serve, for one test."""
    server = start_oxigraph(tmp_path / "oxigraph")
    yield server
    server.stop()
