# carbonpeak — `make run` and `make test` install what they need themselves (README quick start).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A DuckDB 1.x CLI in a virtualenv of its own (never in the main lock, which has duckdb 2.0): the test that opens the
# published warehouse the way analysts' 1.x clients do (tests/duckdb1.py).
DUCKDB1 := .venv-duckdb1/bin/duckdb
# The machine's pip config may add local indexes; install from PyPI alone, as a fresh machine would.
export PIP_CONFIG_FILE := /dev/null
export UV_COMPILE_BYTECODE := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.DEFAULT_GOAL := help
.PHONY: help install run test lint bench docs clean duckdb1 deploy-test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# The venv is rebuilt only when the lock or pyproject changes (the stamp is older than them).
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==0.13.9
	$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create or refresh the virtualenv from requirements.lock

$(DUCKDB1): tests/duckdb1_client.txt $(STAMP)
	$(BIN)/uv venv -q --allow-existing -p $(BIN)/python .venv-duckdb1
	$(BIN)/uv pip install -q --python .venv-duckdb1/bin/python -r tests/duckdb1_client.txt
	@touch $(DUCKDB1)

duckdb1: $(DUCKDB1) ## a DuckDB 1.x CLI (duckdb-cli 1.5.6) in .venv-duckdb1, to check the published file opens in 1.x clients

run: $(STAMP) ## run the nightly Airflow DAG once against the offline mirror
	$(BIN)/python -m mirror dag-test

test: $(STAMP) $(DUCKDB1) ## run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The production stack for real (README "Deployment"): Debian's PostgreSQL and Redis, Airflow's services as
# separate processes, LocalExecutor then CeleryExecutor with two workers; logs in data/deploy-test/<time>/.
deploy-test: $(STAMP) ## Postgres + api-server, scheduler, dag-processor, triggerer: a green run and a refused bad load, Local then Celery
	tools/deploy_deps.sh
	$(BIN)/python tools/deploy_test.py

lint: $(STAMP) ## ruff and the import contracts (pyproject.toml [tool.importlinter])
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP) ## dev-gold score, extraction throughput, PDF text libraries, scrape over the mirror, dbt build at 1k/10k documents
	$(BIN)/python -m bench.score_dev_gold
	$(BIN)/python -m bench.score_project_labels
	$(BIN)/python -m bench.extract_throughput
	$(BIN)/python -m bench.pdf_text_layers
	$(BIN)/python -m bench.scrape_mirror
	$(BIN)/python -m bench.no_change_night
	@test -d data/landing || $(MAKE) run  # dbt_scale copies the shapes of real landing data
	$(BIN)/python -m bench.dbt_scale

# dbt is the writer of the build file, so the docs' catalog is read from it, never from the published copy.
docs: $(STAMP) ## dbt docs of the last build: lineage and every column (dbt_project/target/static_index.html)
	@test -f data/build/carbonpeak.duckdb || $(MAKE) run
	cd dbt_project && ../$(BIN)/dbt docs generate --static
	@echo "open dbt_project/target/static_index.html, or: cd dbt_project && ../$(BIN)/dbt docs serve --port 8080"

clean: ## remove generated data, the Airflow home and dbt artefacts (keeps the venv)
	rm -rf data .airflow dbt_project/target dbt_project/logs
