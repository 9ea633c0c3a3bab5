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
    lines = [line for d in result.discoveries if (line := d.line()) is not None]
    if lines:  # what the registry lacked, for whoever extends it (the full lists: build-info.json)
        print("discovered (no Wikidata link) and unresolved names, per article:", file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
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


def _graph_file(value: str) -> tuple[str, Path]:
    iri, sep, path = value.partition("=")
    if not sep or not iri or not path:
        raise argparse.ArgumentTypeError(f"expected IRI=FILE, got {value!r}")
    return iri, Path(path)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.config import Settings
    from server.dataset import DatasetError, load_dataset

    settings = Settings()
    if args.data is not None:
        settings.data_dir = args.data
    settings.rdf_files = list(args.rdf or [])
    settings.graph_files = list(args.graph or [])
    settings.serve_files = args.rdf is not None or args.graph is not None
    for name in ("host", "port", "query_timeout", "max_rows", "workers"):
        value = getattr(args, name)
        if value is not None:
            setattr(settings, name, value)
    if args.no_inferred:
        settings.include_inferred = False
    if args.lenient_from:
        settings.lenient_from = True
    try:  # fail fast, with a clear message, before the server binds its port
        dataset = load_dataset(settings)
    except DatasetError as err:
        print(f"dipkg serve: error: {err}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings, dataset), host=settings.host, port=settings.port, log_level="warning")
    return 0


def _query(args: argparse.Namespace) -> int:
    from server.config import Settings
    from server.dataset import DatasetError, load_dataset
    from server.engine import QueryEngine, QueryError, QueryRequest
    from server.protocol import render_result

    settings = Settings(workers=1)
    settings.data_dir = args.data
    if args.timeout is not None:
        settings.query_timeout = args.timeout
    query = sys.stdin.read() if args.query == "-" else args.query
    try:
        dataset = load_dataset(settings)
    except DatasetError as err:
        print(f"dipkg query: error: {err}", file=sys.stderr)
        return 2
    engine = QueryEngine(dataset, settings)
    try:
        result = engine.execute(QueryRequest(query))
        body, _ = render_result(result, args.format)
        if getattr(result, "truncated", False):
            print(f"dipkg query: warning: result cut at {settings.max_rows} rows "
                  "(DIPKG_MAX_ROWS raises the cap)", file=sys.stderr)
        sys.stdout.write(body.decode("utf-8") if isinstance(body, bytes) else body)
        return 0
    except QueryError as err:
        print(f"dipkg query: error: {err.message}", file=sys.stderr)
        return 1 if err.status != 400 else 2
    finally:
        engine.close()
        dataset.close()


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
    s = sub.add_parser("serve", help="serve the graph over SPARQL (http://127.0.0.1:8000)")
    s.add_argument("--data", type=Path, help="a folder written by dipkg build (default build/, $DIPKG_DATA)")
    s.add_argument("--rdf", type=Path, action="extend", nargs="*", metavar="FILE",
                   help="serve these RDF files as the default graph instead of a build (repeatable)")
    s.add_argument("--graph", type=_graph_file, action="extend", nargs="*", metavar="IRI=FILE",
                   help="serve this RDF file as the named graph IRI (repeatable)")
    s.add_argument("--host", help="address to bind (default 127.0.0.1, $DIPKG_HOST)")
    s.add_argument("--port", type=int, help="port (default 8000, $DIPKG_PORT)")
    s.add_argument("--query-timeout", type=float, help="seconds a query may run (default 10, $DIPKG_QUERY_TIMEOUT)")
    s.add_argument("--max-rows", type=int, help="rows a result may have (default 10000, $DIPKG_MAX_ROWS)")
    s.add_argument("--workers", type=int, help="query worker processes (default: CPUs, at least 2; $DIPKG_WORKERS)")
    s.add_argument("--no-inferred", action="store_true",
                   help="leave the inferred graph out of the default graph ($DIPKG_INFERRED=0)")
    s.add_argument("--lenient-from", action="store_true",
                   help="treat FROM <http://…> graphs this dataset lacks as empty instead of refusing the query "
                        "(nothing is fetched either way; for test suites; $DIPKG_LENIENT_FROM=1)")
    s.set_defaults(func=_serve)
    q = sub.add_parser("query", help="run a SPARQL query against a built graph")
    q.add_argument("query", help="the query, or - to read it from standard input")
    q.add_argument("--data", type=Path, default=Path("build"))
    q.add_argument("--format", default=None, help="json, xml, csv, tsv (SELECT/ASK) or turtle, ntriples, nquads, "
                   "trig, jsonld, rdfxml (CONSTRUCT/DESCRIBE); default: tsv for SELECT, turtle for graphs")
    q.add_argument("--timeout", type=float)
    q.set_defaults(func=_query)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
