# Two commands do all the set-up on a fresh machine:
#   make serve   — create .venv, install dipkg, build the graph from seeds/ into build/ and
#                  serve it on http://127.0.0.1:8000 (make build: the same without serving)
#   make test    — the same set-up (plus Debian's chromium for the browser test), then lint,
#                  type-check and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build serve test lint browser evaluate evaluate-dev clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/dipkg build --articles seeds --out build

serve: build
	$(BIN)/dipkg serve --data build

browser:
	bash .ci/install-browser.sh

lint: $(STAMP)
	$(BIN)/ruff check graph server tests benchmarks
	$(BIN)/mypy

test: lint browser
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

clean:
	rm -rf build build-dev .pytest_cache .mypy_cache .ruff_cache
