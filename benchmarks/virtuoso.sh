#!/bin/sh
# Virtuoso Open Source as dipkg's backend, end to end, on 127.0.0.1 only:
#   install Debian's virtuoso-opensource (apt-get, needs root) if it is missing, start a private
#   instance on free ports with its database in a temporary folder, push the release with
#   `dipkg push` (Graph Store Protocol, Digest auth as dba), serve it with `dipkg serve --backend`
#   and compare every README example and the counts with the embedded service.
#
#   sh benchmarks/virtuoso.sh [DATA]      (DATA: a dipkg build folder, default build/)
#
# Virtuoso's default graph is the union of all its graphs (a bag, and with its system graphs), so
# the merge goes into a named graph that the service names as each query's default graph.
set -eu
cd "$(dirname "$0")/.."
DATA=${1:-build}
PY=${PYTHON:-.venv/bin/python}
MERGE=https://w3id.org/dipkg/graph/merge
if ! command -v virtuoso-t >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource
fi
DIR=$(mktemp -d /tmp/dipkg-virtuoso-XXXXXX)
port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SQL_PORT=$(port); HTTP_PORT=$(port)
# the packaged configuration, with the database, the log and both ports moved to this run's own
sed -e "s|/var/lib/virtuoso-opensource-7/db|$DIR|g" \
    -e "/^\[Parameters\]/,/^\[/ s|^ServerPort .*|ServerPort = 127.0.0.1:$SQL_PORT|" \
    -e "/^\[HTTPServer\]/,/^\[/ s|^ServerPort .*|ServerPort = 127.0.0.1:$HTTP_PORT|" \
    -e "s|^MaxQueryExecutionTime .*|MaxQueryExecutionTime = 30|" \
    /etc/virtuoso-opensource-7/virtuoso.ini > "$DIR/virtuoso.ini"
virtuoso-t +foreground +configfile "$DIR/virtuoso.ini" > "$DIR/virtuoso.out" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null; wait $VPID 2>/dev/null; rm -rf "$DIR"' EXIT INT TERM
BASE=http://127.0.0.1:$HTTP_PORT
i=0
until curl -sf -o /dev/null "$BASE/sparql?query=ASK%7B%7D"; do
    i=$((i + 1)); [ $i -lt 120 ] || { echo "virtuoso did not start:"; cat "$DIR/virtuoso.out"; exit 1; }
    sleep 0.5
done
echo "virtuoso $(virtuoso-t -? 2>&1 | head -1 | tr -s ' ') on $BASE"
"$PY" -m dipkg push --to "$BASE/sparql-graph-crud-auth" --auth dba:dba --merge-graph "$MERGE" \
    --data "$DATA" --state "$DIR/push-state.json"
"$PY" benchmarks/compare_backends.py --data "$DATA" --backend "$BASE/sparql" --backend-default-graph "$MERGE"
