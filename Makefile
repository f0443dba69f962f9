# Svod — the two commands of the README (`make run`, `make test`) and the helpers behind them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := .make

.PHONY: run test test-fast lint format install install-dev frontend messages migrate seed bench clean

$(STAMP):
	@mkdir -p $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP)/install: pyproject.toml | $(PY) $(STAMP)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(STAMP)/install-dev: pyproject.toml | $(PY) $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP)/install

$(STAMP)/frontend: package.json package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMP)/install $(STAMP)/frontend messages
install-dev: $(STAMP)/install-dev $(STAMP)/frontend messages

messages: | $(PY)
	@$(PY) -m crm.core.compile_messages

migrate: install
	$(PY) manage.py migrate --noinput

## make run: install, migrate, load demo data into an empty database, start web + worker.
run: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py run_all --port $(PORT)

## make test: install what the tests need and run the whole suite (SQLite, or DATABASE_URL).
test: install-dev
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy crm config
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates crm --lint

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: build a database of SCALE clients and measure the named scenarios.
bench: install-dev
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(STAMP) staticfiles
