"""Seconds to ingest one article into a built graph, and to remove it again.

The data folder is copied first (the original is left as it was).  The article is a seed with a
line added under a new file name: a new text (so not "already there") whose facts are mostly
known, so they gain a source, as a follow-up report of the same events does.

usage: python benchmarks/ingest.py --data build [--runs 3]
       python benchmarks/corpus.py --from build/dipkg.nq --quads 100000 --out /tmp/c100k.nq
       dipkg load /tmp/c100k.nq --out /tmp/c100k && python benchmarks/ingest.py --data /tmp/c100k
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import tomllib
from pathlib import Path

from dipkg.graph.ingest import ArticleInput, ingest, remove
from dipkg.graph.resources import seeds_dir

SEED = "000_fb51a5ec027aa79b.txt"


def article(run: int) -> ArticleInput:
    seeds = seeds_dir()
    entry = {e["file"]: e for e in tomllib.loads((seeds / "articles.toml").read_text())["article"]}[SEED]
    text = (seeds / SEED).read_text(encoding="utf-8") + f"\nThis report was updated ({run}).\n"
    return ArticleInput(text, f"bench-{run}.txt", entry.get("title"), entry.get("publisher"),
                        str(entry["published"]), entry.get("url"))


def quads(folder: Path) -> int:
    info = json.loads((folder / "current" / "store-info.json").read_text())
    return int(info["quads"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a folder dipkg build or dipkg load wrote")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(args.data, data, symlinks=True)
        size = quads(data)
        added, removed = [], []
        stages: list[dict[str, float]] = []
        for run in range(args.runs):
            started = time.perf_counter()
            result = ingest(data, [article(run)])
            added.append(time.perf_counter() - started)
            assert result.added, result
            stages.append(result.stages)
            started = time.perf_counter()
            remove(data, f"bench-{run}.txt")
            removed.append(time.perf_counter() - started)
        print(f"{args.data}: {size} quads; ingest one article: median {statistics.median(added):.2f} s "
              f"(runs {', '.join(f'{s:.2f}' for s in added)}); remove it: median "
              f"{statistics.median(removed):.2f} s (runs {', '.join(f'{s:.2f}' for s in removed)})")
        steps = {name: statistics.median(run.get(name, 0.0) for run in stages) for name in stages[0]}
        print("  ingest by step (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))


if __name__ == "__main__":
    main()
