"""The benchmarks keep working: a smoke run of the corpus generator and of the peer harness.

Not a measurement (the numbers come from ``benchmarks/``, run by hand, into the README); this
only proves the harness still starts the real servers, queries them and writes its tables.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent


def test_the_corpus_generator_reaches_its_size_with_distinct_quads(seed_build, tmp_path: Path) -> None:
    out = tmp_path / "corpus.nq"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "corpus.py"), "--from",
                    str(seed_build.out / "dipkg.nq"), "--quads", "30000", "--out", str(out)], check=True)
    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    assert 30000 <= len(store) < 40000
    # some copies keep their fact IRIs, so a fact is stated in several article graphs
    shared = store.query("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?m WHERE { GRAPH ?g { ?m a "
                         "<https://w3id.org/dipkg/ontology#Meeting> } } GROUP BY ?m HAVING (COUNT(?g) > 1) } }")
    assert isinstance(shared, ox.QuerySolutions)
    assert int(next(iter(shared))[0].value) > 0


def test_the_peer_harness_runs_against_a_real_dipkg_serve(seed_build, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "peers.py"), "--smoke", "--servers",
                           "dipkg", "--seconds", "0.2", "--concurrency", "2", "--source",
                           str(seed_build.out / "dipkg.nq"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "peers.json").read_text(encoding="utf-8"))
    cells = report["sizes"]["20000"]["cells"]
    assert cells["point lookup"]["2"]["dipkg"][0]["requests"] > 0
    assert all(run["errors"] == 0 for by_c in cells.values() for runs in by_c["2"].values() for run in runs)
    assert "| point lookup | 2 |" in (tmp_path / "peers.md").read_text(encoding="utf-8")
