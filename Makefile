# Two commands do all the set-up on a fresh machine:
#   make serve   — create .venv, install dipkg, build the graph from seeds/ into build/ and
#                  serve it on http://127.0.0.1:8000 (make build: the same without serving)
#   make test    — the same set-up (plus Debian's chromium for the browser test), then lint,
#                  type-check and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build serve test lint browser evaluate clean

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

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
