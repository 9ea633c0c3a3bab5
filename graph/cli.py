"""``dipkg``: build the graph, score it, (later) serve it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph.errors import InputError


def _build(args: argparse.Namespace) -> int:
    from graph.build import BuildError, build, publish

    try:
        result = build(args.articles)
    except InputError as err:
        print(f"dipkg build: error: {err}", file=sys.stderr)
        return 2
    except BuildError as err:
        print(f"dipkg build: refused to publish: {err}", file=sys.stderr)
        return 1
    publish(result, args.out)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(result.by_kind.items()))
    print(f"built {len(result.facts)} articles: {kinds}; "
          f"{result.asserted} triples asserted, {result.inferred} inferred; "
          f"{result.seconds:.1f} s -> {args.out}/dipkg.trig, {args.out}/dipkg.ttl")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from graph.evaluation import main as evaluate_main

    labels = args.labels or args.gold.parent / "qid-labels.tsv"
    argv = ["--dataset", str(args.data / "dipkg.trig"), "--gold", str(args.gold),
            "--articles", str(args.articles), "--labels", str(labels)]
    if args.json_out:
        argv += ["--json-out", str(args.json_out)]
    try:
        return evaluate_main(argv)
    except FileNotFoundError as err:
        print(f"dipkg evaluate: error: {err}", file=sys.stderr)
        return 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dipkg", description="A knowledge graph of diplomacy built from news articles.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="extract, reason, validate and write the dataset")
    b.add_argument("--articles", type=Path, default=Path("seeds"), help="folder of *.txt and articles.toml")
    b.add_argument("--out", type=Path, default=Path("build"), help="output folder")
    b.set_defaults(func=_build)
    e = sub.add_parser("evaluate", help="score a built dataset against gold facts")
    e.add_argument("--gold", type=Path, required=True)
    e.add_argument("--data", type=Path, default=Path("build"), help="folder holding dipkg.trig")
    e.add_argument("--articles", type=Path, default=Path("seeds"))
    e.add_argument("--labels", type=Path, help="QID<TAB>names table (default: beside the gold file)")
    e.add_argument("--json-out", type=Path)
    e.set_defaults(func=_evaluate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
