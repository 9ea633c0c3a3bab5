#!/usr/bin/env bash
# The lowest versions pyproject.toml allows, tested once: every direct dependency (and the dev
# extra) at its lower bound (uv's --resolution lowest-direct) in a throwaway venv outside the
# checkout, then a subset of the suite that touches each of them — the build (rdflib, owlrl,
# pyshacl, pyoxigraph), the service (fastapi, starlette, uvicorn, jinja2, python-multipart) and
# its real clients (httpx, SPARQLWrapper). Needs uv (pip install uv); run it after changing a bound.
#   tools/test-lowest.sh [extra pytest args]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
uv="${UV:-$(command -v uv || echo "$root/.venv/bin/uv")}"
[ -x "$uv" ] || { echo "test-lowest: uv not found (pip install uv, or set UV=path)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$uv" venv --quiet --python "${PYTHON:-python3}" "$work/venv"
"$uv" pip install --quiet --python "$work/venv/bin/python" --resolution lowest-direct -e "$root[dev]"
echo "test-lowest: installed at the lower bounds:"
"$uv" pip list --python "$work/venv/bin/python" 2>/dev/null \
    | grep -i -E '^(rdflib|owlrl|pyshacl|fastapi|starlette|uvicorn|pyoxigraph|oxigraph|jinja2|python-multipart|pydantic|httpx|sparqlwrapper|pytest) ' \
    | sed 's/^/  /'
cd "$root"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider \
    tests/test_cli.py tests/test_publish.py tests/test_validation.py tests/test_reasoning.py \
    tests/test_store.py tests/rules tests/server/test_protocol.py tests/server/test_clients.py \
    tests/server/test_pages.py tests/server/test_limits.py tests/test_serve_signals.py "$@"
