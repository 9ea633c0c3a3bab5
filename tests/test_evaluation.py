"""``dipkg evaluate``: the seed build against the gold facts, and parity with the shared scorer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dipkg.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "seeds-gold.json"
SHARED_SCORER = ROOT.parent / "shared" / "tools" / "evaluate.py"


@pytest.fixture(scope="module")
def report(seed_build, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("evaluation") / "report.json"
    status = main(["evaluate", "--gold", str(GOLD), "--data", str(seed_build.out),
                   "--articles", str(ROOT / "seeds"), "--json-out", str(out)])
    assert status == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_micro_strict_f1_is_at_least_0_95(report: dict) -> None:
    f1 = report["micro"]["strict_prf"][2]
    assert f1 >= 0.95, report["micro"]


def test_the_report_names_the_scorer_version(report: dict) -> None:
    assert report["scorer_version"] == 2


def test_every_article_of_the_gold_set_has_a_graph(report: dict) -> None:
    assert report["missing_articles"] == []


def test_every_fact_node_has_an_exact_span(report: dict) -> None:
    provenance = report["provenance"]
    assert provenance["fact_nodes"] > 0
    assert provenance["exact"] == provenance["fact_nodes"]
    assert provenance["wrong_spans"] == 0


def test_no_entity_is_linked_to_a_wrong_wikidata_item(report: dict) -> None:
    linking = report["linking"]
    assert linking["nodes"] > 0
    assert linking["wrong"] == 0


def _last_line(command: list[str]) -> str:
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the scorers' matching follows set order
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(not SHARED_SCORER.is_file(), reason="no ../shared/tools/evaluate.py here")
def test_dipkg_evaluate_prints_the_same_scores_as_the_shared_scorer(seed_build) -> None:
    common = ["--gold", str(GOLD), "--articles", str(ROOT / "seeds")]
    dipkg = Path(sys.executable).with_name("dipkg")
    entry = [str(dipkg)] if dipkg.is_file() else [sys.executable, "-m", "dipkg"]
    ours = _last_line([*entry, "evaluate", "--data", str(seed_build.out),
                       "--labels", str(DATA / "qid-labels.tsv"), *common])
    shared = _last_line([sys.executable, str(SHARED_SCORER), "--dataset",
                         str(seed_build.out / "dipkg.trig"), "--labels", str(DATA / "qid-labels.tsv"),
                         *common])
    assert ours.startswith("micro strict P")
    assert ours == shared




def test_diff_lists_a_gold_fact_the_build_does_not_have(seed_build, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    first = gold[0]
    invented = {"participants": ["label:Nobody Atall", "label:Somebody Else"], "location": None,
                "date": "1901", "kind": "summit", "status": "held", "evidence": "an invented sentence"}
    one = tmp_path / "gold.json"
    one.write_text(json.dumps([{**first, "meetings": [*first["meetings"], invented]}]), encoding="utf-8")
    status = main(["evaluate", "--gold", str(one), "--data", str(seed_build.out), "--articles",
                   str(ROOT / "seeds"), "--labels", str(DATA / "qid-labels.tsv"), "--diff"])
    assert status == 0
    misses = [line for line in capsys.readouterr().out.splitlines() if line.lstrip().startswith("MISS")]
    assert any("Nobody Atall" in line for line in misses)
