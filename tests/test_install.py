"""dipkg installs and runs like a Python tool: the wheel and the sdist build, the wheel installs into
a fresh venv outside the checkout with only ``dipkg/`` in site-packages, and from an empty folder
``dipkg build`` (the packaged sample seeds) and ``dipkg serve`` answer a real SPARQL client.

These are the Dockerfile's steps (``pip install .``, ``dipkg build``, ``dipkg serve``).  uv, when
installed, makes the build environment and the install fast (its cache); else pip does them.
And ``requirements.lock`` is checked to be current, where uv is installed.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.test_serve_signals import finish, group_outlives, start

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.install


def _uv() -> str | None:
    """uv, on PATH or beside this Python (``pip install uv`` into the project's venv)."""
    beside = Path(sys.executable).parent / "uv"
    return shutil.which("uv") or (str(beside) if beside.is_file() else None)


def run(args: list[str], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel python -m build makes FROM that sdist (its default), so the sdist
    is shown to build a wheel by itself."""
    out = tmp_path_factory.mktemp("dist")
    installer = ["--installer", "uv"] if _uv() else []
    env_path = os.environ.get("PATH", "")
    uv = _uv()
    if uv:  # python -m build --installer uv finds uv on PATH
        os.environ["PATH"] = f"{Path(uv).parent}{os.pathsep}{env_path}"
    try:
        run([sys.executable, "-m", "build", *installer, "--outdir", str(out), str(ROOT)], cwd=out, timeout=180)
    finally:
        os.environ["PATH"] = env_path
    return out


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def test_the_sdist_holds_real_files_and_the_wheel_only_dipkg(dist: Path) -> None:
    sdist, wheel = _one(dist, "dipkg-*.tar.gz"), _one(dist, "dipkg-*.whl")
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
    links = sorted(name for name, m in members.items() if m.issym() or m.islnk())
    assert links == []  # the links of the checkout (dipkg/graph -> ../graph …) are resolved
    for needed in ("dipkg/graph/build.py", "dipkg/server/app.py", "dipkg/ontology/dipkg.ttl",
                   "dipkg/ontology/shapes.ttl", "dipkg/seeds/articles.toml", "pyproject.toml", "README.md"):
        assert members[needed].isfile() and members[needed].size > 0, needed
    assert not any(name.startswith(("graph/", "server/", "tests/")) for name in members)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"dipkg", _dist_info(names)}
    in_sdist = {n for n in members if n.startswith("dipkg/") and members[n].isfile()}
    assert {n for n in names if n.startswith("dipkg/")} == in_sdist - {n for n in in_sdist if "egg-info" in n}
    # every file of the checkout's package folders is in the wheel: code, ontology, cue tables,
    # example queries, seeds, templates, vendored static files
    expected = {f"dipkg/{path.relative_to(ROOT).as_posix()}"
                for folder in ("graph", "server", "ontology", "examples", "seeds")
                for path in (ROOT / folder).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
                and path.suffix != ".pyc"}
    expected |= {f"dipkg/{p.name}" for p in (ROOT / "dipkg").iterdir() if p.is_file() and "pyc" not in p.name}
    assert sorted(expected - set(names)) == []


def _dist_info(names: list[str]) -> str:
    return next(n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info"))


def test_the_wheel_installs_alone_and_builds_and_serves_from_an_empty_folder(
        dist: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("installed")
    assert ROOT not in home.parents
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=_uv() is None, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    wheel = _one(dist, "dipkg-*.whl")
    uv = _uv()
    if uv:
        run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], cwd=home, timeout=180)
    else:
        run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=home, timeout=300)
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=home).strip())
    ours = {p.name for p in site.iterdir() if p.name.startswith("dipkg")}
    assert ours == {"dipkg", _dist_info([p + "/" for p in ours])}
    info = _dist_info([p + "/" for p in ours])
    record = (site / info / "RECORD").read_text(encoding="utf-8").splitlines()
    installed = {line.split(",", 1)[0] for line in record if line}
    outside = sorted(f for f in installed if not f.startswith(("dipkg/", f"{info}/", "../../../bin/")))
    assert outside == []  # what pip installed for dipkg: the package, its metadata, the script
    for stray in ("graph", "server", "ontology", "seeds", "examples", "tests", "benchmarks"):
        assert not (site / stray).exists(), stray
    assert not (site / "dipkg" / "graph").is_symlink() and (site / "dipkg" / "graph" / "build.py").is_file()

    empty = home / "work"
    empty.mkdir()
    dipkg = str(env_dir / "bin" / "dipkg")
    assert "built 5 articles" in run([dipkg, "build"], cwd=empty)  # no --articles: the packaged seeds
    assert (empty / "build" / "dipkg.trig").is_file()

    service, url = start(["--data", str(empty / "build")], empty, executable=[dipkg])  # the image's CMD
    try:
        client = SPARQLWrapper(f"{url}sparql")
        client.setQuery("PREFIX dip: <https://w3id.org/dipkg/ontology#>\n"
                        "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dip:Meeting }")
        client.setReturnFormat(JSON)
        answer = client.queryAndConvert()
        assert isinstance(answer, dict)
        assert int(answer["results"]["bindings"][0]["n"]["value"]) > 0
        fetch = f"import urllib.request; print(urllib.request.urlopen({url!r}).read().decode())"
        page = run([str(python), "-c", fetch], cwd=empty)
        titles = [e.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
                  for e in (ROOT / "examples").glob("*.rq")]
        assert titles and all(html.escape(t) in page for t in titles), titles  # the query page has the examples
        port = url.rsplit(":", 1)[1].strip("/")
        check = shlex.split(instructions()["HEALTHCHECK"][0].split("CMD", 1)[1].replace(":8000/", f":{port}/"))
        assert check[0] == "python"
        run([str(python), *check[1:]], cwd=empty, timeout=30)  # the image's health check passes
    finally:
        service.process.send_signal(signal.SIGTERM)
        status, log = finish(service)
    assert status == 0 and "Traceback" not in log, log
    assert not group_outlives(service.process.pid, 10)


def test_the_lock_is_current(tmp_path: Path) -> None:
    """requirements.lock compiled again (keeping its pins, as ``make lock`` does) comes out the same:
    a dependency changed in pyproject.toml without ``make lock`` fails here."""
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (pip install uv): requirements.lock cannot be checked")
    command = re.search(r"^LOCK_COMMAND := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert command is not None, "the Makefile names how the lock is made"
    again = tmp_path / "requirements.lock"
    shutil.copy(ROOT / "requirements.lock", again)
    run([uv, *command.group(1).split(), "--offline", "-q", "-o", str(again)], cwd=ROOT, timeout=120)
    assert again.read_text(encoding="utf-8") == (ROOT / "requirements.lock").read_text(encoding="utf-8")


def instructions() -> dict[str, list[str]]:
    """The Dockerfile's instructions, continuation lines joined: name -> arguments, in order."""
    found: dict[str, list[str]] = {}
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, rest = line.strip().partition(" ")
            found.setdefault(name.upper(), []).append(rest.strip())
    return found


def test_the_dockerfile_runs_what_this_file_tests() -> None:
    """Docker is not on the test machines: the image's steps are kept to the commands tested above."""
    steps = instructions()
    assert steps["FROM"] == ["python:3.11-slim"]
    assert steps["USER"] and steps["USER"][-1] not in ("root", "0")
    assert "pip install . && rm -rf /src" in steps["RUN"]
    assert "dipkg build" in steps["RUN"]  # from an empty WORKDIR, no --articles: the packaged seeds
    assert steps["WORKDIR"][-1] == "/data"
    assert json.loads(steps["CMD"][0]) == ["dipkg", "serve", "--host", "0.0.0.0", "--data", "/data/build"]
    assert "/health" in steps["HEALTHCHECK"][0]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "build", ".git"} <= set(ignored)
