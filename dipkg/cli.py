"""``dipkg``: the command line, above both halves of the package — it builds and scores the graph
(:mod:`dipkg.graph`) and serves it (:mod:`dipkg.server`); neither half imports this module."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dipkg.graph.errors import InputError
from dipkg.graph.resources import package_version

if TYPE_CHECKING:
    from dipkg.graph.ingest import ArticleInput


def _articles(given: Path | None) -> Path:
    """The articles folder: the one given, else ``./seeds`` when there is one (a checkout), else the
    sample seeds installed with dipkg — so a fresh ``pip install dipkg`` can build something."""
    if given is not None:
        return given
    local = Path("seeds")
    if local.is_dir():
        return local
    from dipkg.graph.resources import seeds_dir

    return seeds_dir()


def _build(args: argparse.Namespace) -> int:
    from dipkg.graph.build import BuildError, build, publish
    from dipkg.graph.publish import PublishError

    try:
        result = build(_articles(args.articles))
    except InputError as err:
        print(f"dipkg build: error: {err}", file=sys.stderr)
        return 2
    except BuildError as err:
        print(f"dipkg build: refused to publish: {err}", file=sys.stderr)
        return 2
    try:
        publish(result, args.out)
    except PublishError as err:
        print(f"dipkg build: error: {err}", file=sys.stderr)
        return 2
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


def _inputs(args: argparse.Namespace) -> list[ArticleInput]:
    """What ``dipkg ingest`` was given: files (metadata from the options, else from an
    ``articles.toml`` beside them) or folders with their manifest."""
    from dipkg.graph.articles import MANIFEST, PartialDate, load_article, load_articles, read_manifest
    from dipkg.graph.ingest import ArticleInput

    given = {"title": args.title, "publisher": args.publisher, "published": args.published, "url": args.url}
    inputs: list[ArticleInput] = []
    for path in args.files:
        if path.is_dir():
            articles = load_articles(path)
        else:
            entry: dict[str, object] = {k: v for k, v in given.items() if v is not None}
            if "published" not in entry and (path.parent / MANIFEST).is_file():
                entry = {**read_manifest(path.parent).get(path.name, {}), **entry}
            if not path.exists() and not path.is_symlink():
                raise InputError(path, "article not found")
            if "published" not in entry:
                raise InputError(path, "no publication date: give --published YYYY-MM-DD "
                                       f"or list the file in {MANIFEST} beside it")
            PartialDate.parse(str(entry["published"]), path)  # named by the file, not a manifest
            articles = [load_article(path.parent, path.name, entry)]
        inputs.extend(ArticleInput(a.text, a.file_name, a.title, a.publisher, a.published.iso(), a.url)
                      for a in articles)
    return inputs


def _kinds(facts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(facts.items()) if v) or "no facts"


def _ingest(args: argparse.Namespace) -> int:
    from dipkg.graph.build import BuildError
    from dipkg.graph.ingest import ingest

    try:
        result = ingest(args.data, _inputs(args))
    except (InputError, BuildError) as err:
        print(f"dipkg ingest: error: {err}".splitlines()[0], file=sys.stderr)
        return 2
    for iri in result.already_present:
        print(f"already there: {iri}")
    if result.added:
        print(f"ingested {len(result.added)} article(s): {_kinds(result.facts)}; "
              f"{result.seconds:.1f} s -> {result.release}")
    return _push(args, "dipkg ingest") if args.to else 0


def _remove(args: argparse.Namespace) -> int:
    from dipkg.graph.build import BuildError
    from dipkg.graph.ingest import remove

    try:
        result = remove(args.data, args.article)
    except (InputError, BuildError) as err:
        print(f"dipkg remove: error: {err}".splitlines()[0], file=sys.stderr)
        return 2
    print(f"removed {', '.join(result.removed)}: {_kinds(result.facts)}; "
          f"{result.seconds:.1f} s -> {result.release}")
    return _push(args, "dipkg remove") if args.to else 0


def _evaluate(args: argparse.Namespace) -> int:
    from dipkg.graph.evaluation import main as evaluate_main

    labels = args.labels or args.gold.parent / "qid-labels.tsv"
    argv = ["--dataset", str(args.data / "dipkg.trig"), "--gold", str(args.gold),
            "--articles", str(_articles(args.articles)), "--labels", str(labels)]
    if args.json_out:
        argv += ["--json-out", str(args.json_out)]
    if args.diff:
        argv.append("--diff")
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

    from dipkg.server.app import create_app
    from dipkg.server.config import Settings
    from dipkg.server.dataset import DatasetError, load_dataset

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
    if args.allow_service:
        settings.service_endpoints = tuple(dict.fromkeys(args.allow_service))
    if args.backend is not None:
        if settings.files_mode:
            print("dipkg serve: error: --backend serves a pushed release: give --data DIR (the release that was "
                  "pushed), not --rdf/--graph", file=sys.stderr)
            return 2
        settings.backend = args.backend
    if args.backend_default_graph is not None:
        settings.backend_default_graph = args.backend_default_graph
    for name, value in (("--backend", settings.backend), *(("--allow-service", e) for e in settings.service_endpoints)):
        if value is not None and not value.startswith(("http://", "https://")):
            print(f"dipkg serve: error: {name} {value!r}: expected an http:// or https:// address", file=sys.stderr)
            return 2
    # SIGINT blocked before the store or any thread starts, so that every thread and every query
    # worker inherits the mask (see dipkg.serving); restored on return, for callers of main().
    # multiprocessing's resource tracker is started first: starting it unblocks SIGINT in the
    # thread that starts it, which would otherwise be the one that spawns the workers.
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        try:  # fail fast, with a clear message, before the server binds its port
            dataset = load_dataset(settings)
        except DatasetError as err:
            print(f"dipkg serve: error: {err}", file=sys.stderr)
            return 2
        from dipkg.server.http import uvicorn_options
        from dipkg.serving import run_until_stopped

        app = create_app(settings, dataset)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                **uvicorn_options(settings))
        return run_until_stopped(uvicorn.Server(config), app, settings, dataset)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _query(args: argparse.Namespace) -> int:
    from dipkg.server.config import Settings
    from dipkg.server.dataset import DatasetError, load_dataset
    from dipkg.server.engine import QueryEngine, QueryError, QueryRequest
    from dipkg.server.serializers import render_result

    settings = Settings(workers=1)
    settings.data_dir = args.data
    if args.timeout is not None:
        settings.query_timeout = args.timeout
    if args.file is not None:
        if args.query is not None:
            print("dipkg query: error: give the query or -f FILE, not both", file=sys.stderr)
            return 2
        try:
            query = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            print(f"dipkg query: error: {args.file}: cannot read: {err}", file=sys.stderr)
            return 2
    elif args.query is None:
        print("dipkg query: error: give a query, - to read it from standard input, or -f FILE", file=sys.stderr)
        return 2
    else:
        query = sys.stdin.read() if args.query == "-" else args.query
    if not args.no_prefixes:
        query = predeclared_prefixes() + query
    try:
        dataset = load_dataset(settings)
    except DatasetError as err:
        print(f"dipkg query: error: {err}", file=sys.stderr)
        return 2
    engine = QueryEngine(dataset, settings, eager=False)  # one query: the slow lane starts meanwhile
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
        return 2
    finally:
        engine.close()
        dataset.close()


def _load(args: argparse.Namespace) -> int:
    """Make a servable folder (a release with its store) from N-Quads made anywhere."""
    import pyoxigraph as ox

    from dipkg.graph.publish import PublishError, publish_release, summary_json
    from dipkg.graph.store import write_store

    try:
        quads = ox.parse(path=str(args.dataset), format=ox.RdfFormat.N_QUADS)
        text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        lines = sorted(set(text.decode("utf-8").split("\n")) - {""})
    except (OSError, SyntaxError, ValueError) as err:
        print(f"dipkg load: error: {args.dataset}: {err}".splitlines()[0], file=sys.stderr)
        return 2
    summary = {"loaded_from": args.dataset.name, "quads": len(lines)}
    try:
        release = publish_release(args.out, {"dipkg.nq": "\n".join(lines) + "\n",
                                             "build-info.json": summary_json(summary)}, finish=write_store)
    except PublishError as err:
        print(f"dipkg load: error: {err}", file=sys.stderr)
        return 2
    print(f"loaded {len(lines)} quads -> {release}")
    return 0


def _push(args: argparse.Namespace, command: str = "dipkg push") -> int:
    """Load the release into a triple store over the Graph Store Protocol (graph/push.py). After
    an ingest or a remove (``--to``) the resume file makes it send only the graphs the change made
    different, and delete the one a remove took out."""
    from dipkg.graph.push import DEFAULT, PushError, push

    merge = None if args.no_merge else (args.merge_graph or DEFAULT)
    try:
        report = push(args.data, args.to, batch=args.batch, auth=args.auth, token=args.token,
                      state_file=args.state, merge_graph=merge, fresh=args.fresh)
    except PushError as err:
        print(f"{command}: error: {err}", file=sys.stderr)
        return 2
    print(f"pushed {report.pushed} graphs ({report.triples} triples, {report.requests} requests) in "
          f"{report.seconds:.1f} s, {report.triples_per_second:,.0f} triples/s; {report.skipped} already there, "
          f"{report.deleted} deleted -> {args.to}")
    return 0


def _export(args: argparse.Namespace) -> int:
    import datetime

    from dipkg.graph.wikidata_export import export, unlinked_entities

    nq = args.data / "dipkg.nq"
    try:
        if args.target == "unlinked":
            rows = unlinked_entities(nq)
            lines = ["entity\tlabel\tclass\tfacts\tarticles\texample"]
            lines += ["\t".join(r[k] for k in ("entity", "label", "class", "facts", "articles", "example"))
                      for r in rows]
            rejected_lines: list[str] = []
        else:
            retrieved = args.retrieved or datetime.datetime.now(datetime.UTC).date()
            statements, rejected = export(nq, retrieved)
            lines = statements
            rejected_lines = [f"{r.kind}\t{r.fact}\t{r.reason}" for r in rejected]
    except InputError as err:
        print(f"dipkg export: error: {err}", file=sys.stderr)
        return 2
    text = "".join(line + "\n" for line in lines)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if rejected_lines:
        if args.rejected:
            args.rejected.write_text("kind\tfact\treason\n" + "".join(r + "\n" for r in rejected_lines),
                                     encoding="utf-8")
        print(f"dipkg export: {len(lines)} statements; {len(rejected_lines)} facts not exported "
              f"({'listed in ' + str(args.rejected) if args.rejected else 'use --rejected FILE for the list'})",
              file=sys.stderr)
    return 0


def _iso_date(value: str) -> object:
    import datetime

    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def predeclared_prefixes() -> str:
    """The query page's prefixes, declared before a shell query (a query that declares one
    itself wins: SPARQL takes the last declaration)."""
    from dipkg.graph.namespace import PREFIXES

    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def _push_options(p: argparse.ArgumentParser, required: bool) -> None:
    """The push options, for ``push`` and (to send a change on) ``ingest`` and ``remove``."""
    p.add_argument("--to", required=required, metavar="URL",
                   help="the store's Graph Store Protocol address, e.g. http://127.0.0.1:7878/store"
                        + ("" if required else " (after the change, push it there: only the graphs it changed)"))
    p.add_argument("--auth", metavar="USER:PASS", help="HTTP Basic, or Digest where the store asks for it")
    p.add_argument("--token", help="a bearer token (Authorization: Bearer T)")
    p.add_argument("--batch", type=int, default=50_000, metavar="N", help="triples per request (default 50000)")
    p.add_argument("--state", type=Path, help="the resume file (default DATA/.push-state-<endpoint hash>.json)")
    p.add_argument("--fresh", action="store_true", help="ignore the resume file: push every graph again")
    p.add_argument("--merge-graph", metavar="IRI",
                   help="put the merge of all graphs into this named graph instead of the store's default graph "
                        "(for stores whose default graph is the union of all graphs, e.g. Virtuoso)")
    p.add_argument("--no-merge", action="store_true", help="push the named graphs only")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dipkg", description="A knowledge graph of diplomacy built from news articles.")
    p.add_argument("--version", action="version", version=f"dipkg {package_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="extract, reason, validate and write the dataset")
    b.add_argument("--articles", type=Path, default=None,
                   help="folder of *.txt and articles.toml (default: ./seeds, else the sample seeds of dipkg)")
    b.add_argument("--out", type=Path, default=Path("build"), help="output folder")
    b.set_defaults(func=_build)
    i = sub.add_parser("ingest", help="add articles to a built graph without a rebuild (a new release)")
    i.add_argument("files", type=Path, nargs="+", metavar="FILE",
                   help="article files (*.txt), or folders with their articles.toml")
    i.add_argument("--data", type=Path, default=Path("build"), help="the folder dipkg build wrote (default build/)")
    i.add_argument("--title")
    i.add_argument("--publisher")
    i.add_argument("--published", help="YYYY-MM-DD, YYYY-MM or YYYY (else from articles.toml beside the file)")
    i.add_argument("--url")
    _push_options(i, required=False)
    i.set_defaults(func=_ingest)
    r = sub.add_parser("remove", help="take one article out of a built graph (a new release)")
    r.add_argument("article", help="its file name, IRI or id (article-<name>)")
    r.add_argument("--data", type=Path, default=Path("build"), help="the folder dipkg build wrote (default build/)")
    _push_options(r, required=False)
    r.set_defaults(func=_remove)
    e = sub.add_parser("evaluate", help="score a built dataset against gold facts")
    e.add_argument("--gold", type=Path, required=True)
    e.add_argument("--data", type=Path, default=Path("build"), help="folder holding dipkg.trig")
    e.add_argument("--articles", type=Path, default=None, help="the articles the gold refers to (default as for build)")
    e.add_argument("--labels", type=Path, help="QID<TAB>names table (default: beside the gold file)")
    e.add_argument("--json-out", type=Path)
    e.add_argument("--diff", action="store_true",
                   help="list each gold fact not matched strictly and each predicted fact that matched nothing")
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
    s.add_argument("--backend", metavar="URL",
                   help="answer queries from this SPARQL 1.1 endpoint (where `dipkg push` loaded the release), "
                        "e.g. http://127.0.0.1:7878/query; downloads still come from --data ($DIPKG_BACKEND)")
    s.add_argument("--backend-default-graph", metavar="IRI",
                   help="with --backend: the graph `dipkg push --merge-graph` put the merge in, for stores whose "
                        "default graph is the union of all graphs ($DIPKG_BACKEND_DEFAULT_GRAPH)")
    s.add_argument("--allow-service", action="append", metavar="ENDPOINT",
                   help="let SERVICE <ENDPOINT> through (repeatable; every other SERVICE stays refused; query "
                        "workers then run without the no-socket filter)")
    s.set_defaults(func=_serve)
    q = sub.add_parser("query", help="run a SPARQL query against a built graph")
    q.add_argument("query", nargs="?", help="the query, or - to read it from standard input")
    q.add_argument("-f", "--file", type=Path, help="read the query from this file (.rq)")
    q.add_argument("--no-prefixes", action="store_true",
                   help="do not predeclare the query page's prefixes (dip:, id:, rdfs:, prov:, nif:, …)")
    q.add_argument("--data", type=Path, default=Path("build"))
    q.add_argument("--format", default=None, help="json, xml, csv, tsv (SELECT/ASK) or turtle, ntriples, nquads, "
                   "trig, jsonld, rdfxml (CONSTRUCT/DESCRIBE); default: tsv for SELECT, turtle for graphs")
    q.add_argument("--timeout", type=float)
    q.set_defaults(func=_query)
    ld = sub.add_parser("load", help="make a servable folder (with its store) from an N-Quads dataset")
    ld.add_argument("dataset", type=Path, help="an N-Quads file")
    ld.add_argument("--out", type=Path, required=True, help="the folder to serve with dipkg serve --data")
    ld.set_defaults(func=_load)
    pu = sub.add_parser("push", help="load the release into a triple store (SPARQL 1.1 Graph Store Protocol)")
    pu.add_argument("--data", type=Path, default=Path("build"), help="a folder written by dipkg build")
    _push_options(pu, required=True)
    pu.set_defaults(func=_push)
    x = sub.add_parser("export", help="facts for Wikidata (QuickStatements), or the entities that lack an item")
    x.add_argument("target", choices=["wikidata", "unlinked"],
                   help="wikidata: QuickStatements with references; unlinked: entities with no verified item")
    x.add_argument("--data", type=Path, default=Path("build"), help="a folder written by dipkg build")
    x.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    x.add_argument("--rejected", type=Path, help="wikidata: write the facts not exported, with reasons (TSV)")
    x.add_argument("--retrieved", type=_iso_date, help="wikidata: the 'retrieved' date of references (default today)")
    x.set_defaults(func=_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
