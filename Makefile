# Two commands do all the set-up on a fresh machine:
#   make serve   — create .venv, install dipkg, build the graph from seeds/ into build/ and
#                  serve it on http://127.0.0.1:8000 (make build: the same without serving)
#   make test    — the same set-up (plus Debian's chromium for the browser test), then lint,
#                  type-check and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build serve test lint browser evaluate evaluate-dev reliability bench lowest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# rebuilt only when an input changed: the articles, the ontology and registry, or the code
BUILD_INPUTS := $(wildcard seeds/*) dipkg/cli.py $(shell find graph ontology -type f -not -name '*.pyc' 2>/dev/null)
build: build/.built
build/.built: $(STAMP) $(BUILD_INPUTS)
	$(BIN)/dipkg build --articles seeds --out build
	touch $@

serve: build
	$(BIN)/dipkg serve --data build

browser:
	bash .ci/install-browser.sh

lint: $(STAMP)
	$(BIN)/ruff check dipkg graph server tests benchmarks
	$(BIN)/mypy

# the browser test needs Debian's chromium: CI installs it (and the test then must run); elsewhere
# a missing chromium skips that one test with the install command, so make test needs no root
test: lint $(if $(CI),browser)
	$(BIN)/pytest -q

evaluate: build
	$(BIN)/dipkg evaluate --gold tests/data/seeds-gold.json --data build --articles seeds

# The development set (../shared/dev, other publishers' texts: used in place, never copied here).
DEV ?= ../shared/dev
evaluate-dev: $(STAMP)
	@test -d $(DEV) || { echo "evaluate-dev: $(DEV) not found (set DEV=path/to/shared/dev)"; exit 2; }
	rm -rf build-dev && $(PYTHON) $(DEV)/make_corpus.py build-dev/corpus > /dev/null
	$(BIN)/dipkg build --articles build-dev/corpus --out build-dev/kg
	$(BIN)/dipkg evaluate --gold $(DEV)/gold.json --labels $(DEV)/qid-labels.tsv --data build-dev/kg --articles build-dev/corpus $(if $(DIFF),--diff)

# The proofs that the service holds (README "Reliability"): the attack, limit and fault tests,
# then the load run (64 well-formed clients beside 4 attackers for 60 s, 127.0.0.1 only).
reliability: build
	$(BIN)/pytest -q tests/server/test_attacks.py tests/server/test_screen.py tests/server/test_sandbox.py \
	    tests/server/test_limits.py tests/server/test_lanes.py tests/server/test_openapi.py tests/server/test_dataset.py \
	    tests/test_publish_release.py
	$(BIN)/python benchmarks/stress.py --data build --clients 64 --attackers 4 --seconds 60
	$(BIN)/python benchmarks/stress.py --data build --clients 64 --attackers 8 --seconds 20 --out benchmarks/results/stress-8.json

# dipkg serve against the peer servers (README "Benchmarks"); rdflib-endpoint comes with .[bench]
bench: build
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/build_stages.py seeds --skip-slow
	$(BIN)/python benchmarks/peers.py --sizes 100000 --seconds 3 --rounds 1 --out benchmarks/results/100k
	$(BIN)/python benchmarks/peers.py --sizes 1000000 --servers dipkg,oxigraph --seconds 3 --rounds 1 \
	    --out benchmarks/results/1m

# the tests at the lowest versions pyproject.toml allows (README "Install"; a throwaway venv)
# the hash-pinned lock of the dev install (README "Install"): run after changing a dependency
LOCK_COMMAND := pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 --no-header
lock: $(STAMP)
	$(BIN)/uv $(LOCK_COMMAND) -o requirements.lock

lowest: $(STAMP)
	UV=$(BIN)/uv bash tools/test-lowest.sh

clean:
	rm -rf build build-dev .pytest_cache .mypy_cache .ruff_cache
