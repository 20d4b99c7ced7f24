# Everything bootstraps from a bare Python >= 3.11: a private venv holds uv, uv installs the lock.
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint typecheck unit install clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --locked
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf demo-lake
	$(BIN)/broadsheet ingest --config examples/sources.yaml --lake demo-lake --date 2026-11-25
	$(BIN)/broadsheet sql --lake demo-lake \
	  "SELECT source, language, count(*) AS articles FROM articles GROUP BY ALL ORDER BY source, language"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint unit

clean:
	rm -rf $(VENV) $(TOOLS) demo-lake .mypy_cache .pytest_cache .ruff_cache
