#!/usr/bin/env bash
# The W3C SPARQL 1.1/1.0 query test suite, twice side by side: pyoxigraph in-process (the
# reference) and over HTTP against `dipkg serve`, which the runner restarts with each test's
# data (--rdf for the default graph, --graph IRI=FILE for named graphs). ~5 minutes.
# usage: benchmarks/w3c_suite.sh [SHARED_DIR]   (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
runner="$shared/tools/w3c_sparql_http.py"
suite="$shared/w3c-sparql11/sparql"
out=${OUT:-build/w3c}
mkdir -p "$out"
.venv/bin/python "$runner" --engine pyoxigraph --suite "$suite" --out "$out/pyoxigraph.json" | tail -3
.venv/bin/python "$runner" --suite "$suite" --load cmd \
  --load-cmd ".venv/bin/dipkg serve --port {port} --workers 1 --lenient-from --rdf {data} --graph {graph_pairs}" \
  --endpoint "http://127.0.0.1:{port}/sparql" --out "$out/http.json" | tail -3
