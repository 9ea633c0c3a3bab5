# Two commands do all the set-up on a fresh machine:
#   make build   — create .venv, install dipkg, build the graph from seeds/ into build/
#   make test    — the same set-up, then lint, type-check and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test lint evaluate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/dipkg build --articles seeds --out build

lint: $(STAMP)
	$(BIN)/ruff check graph server tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

evaluate: build
	$(BIN)/dipkg evaluate --gold tests/data/seeds-gold.json --data build --articles seeds

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
