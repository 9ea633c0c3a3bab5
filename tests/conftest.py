"""Shared fixtures: the seed graph, built and published once per test session.

Every test that needs the built graph uses ``seed_build`` (the in-memory result and the
folder it was published to) or ``dataset`` (the published ``dipkg.trig``, parsed back — what
users of the graph actually get).  Rule tests use ``extract`` on short synthetic sentences.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from graph.build import BuildResult, build, extract_text, publish
from graph.facts import ArticleFacts
from graph.namespace import DIP_IRI, ENTITY_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from graph.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ONTOLOGY = ROOT / "ontology"
DATA = Path(__file__).resolve().parent / "data"
PUBLISHED_FILES = ("dipkg.trig", "dipkg.ttl", "dipkg.nq", "build-info.json")
FILE_NAME = URIRef(DIP_IRI + "fileName")


def pytest_configure(config: pytest.Config) -> None:
    # rdflib 7 deprecates the very Dataset methods its own TriG parser calls
    config.addinivalue_line("filterwarnings", r"ignore:.*(Dataset|ConjunctiveGraph).*deprecated")


@dataclass(frozen=True)
class SeedBuild:
    result: BuildResult
    out: Path


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> SeedBuild:
    """The seed articles, built and published ONCE for the whole session."""
    out = tmp_path_factory.mktemp("seed-build")
    result = build(SEEDS)
    publish(result, out)
    return SeedBuild(result, out)


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


Extract = Callable[..., ArticleFacts]


@pytest.fixture(scope="session")
def extract() -> Extract:
    """``extract(text, published="2016-05-06") -> ArticleFacts`` for a synthetic text."""

    def run(text: str, published: str = "2016-05-06") -> ArticleFacts:
        facts, _ = extract_text(text, published=published)
        return facts

    return run


@pytest.fixture(scope="session")
def extract_with_registry() -> Callable[..., tuple[ArticleFacts, Registry]]:
    def run(text: str, published: str = "2016-05-06") -> tuple[ArticleFacts, Registry]:
        return extract_text(text, published=published)

    return run


def _make_article_folder(folder: Path, articles: dict[str, str], manifest_text: str | None = None,
                         published: str = "2015-05-16") -> Path:
    """A tiny articles folder: ``articles`` maps file name -> text (or a seed file name to copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, text in articles.items():
        if (SEEDS / text).is_file():
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


@pytest.fixture
def previous_build(seed_build: SeedBuild, tmp_path: Path) -> Path:
    """An --out folder that already holds a good build (a copy of the session's seed build)."""
    out = tmp_path / "out"
    shutil.copytree(seed_build.out, out)
    return out
