# Empathy LMS. `make run` starts everything on the embedded default (`make dev`: with auto-reload); `make test`
# runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RALPH_VENV := tests/outside/ralph/.venv

.PHONY: run dev test bench lint install install-dev migrate demo schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

# Translations are compiled on every install (pure Python, only stale catalogues).
install: $(VENV)/.runtime
	$(BIN)/python manage.py compiletranslations
# npm packages, each folder pinned by its package-lock.json: axe-core for the browser tests' accessibility
# check (tests/browser) and the outside software our output is checked with (tests/outside/<tool>/).
NPM_DIRS := tests/browser $(patsubst %/package.json,%,$(wildcard tests/outside/*/package.json))
install-dev: $(VENV)/.dev $(addsuffix /node_modules/.installed,$(NPM_DIRS)) $(RALPH_VENV)/.installed
	$(BIN)/python manage.py compiletranslations

# The ralph LRS the xAPI tests send statements to, in a virtualenv of its own (RALPH_VENV), pinned by its
# requirements.txt.
$(RALPH_VENV)/.installed: tests/outside/ralph/requirements.txt
	@if $(PYTHON) -m venv $(RALPH_VENV) && $(RALPH_VENV)/bin/pip install -q -r tests/outside/ralph/requirements.txt; \
	then touch $@; else echo "could not install the ralph LRS: the xAPI tests that need it will be skipped"; fi

%/node_modules/.installed: %/package.json %/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $* --no-audit --no-fund -q && touch $@; \
	else echo "npm not found: the tests that need $* will be skipped"; fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# scripts/run.py locks VAR_DIR and checks the port before it migrates and loads the demo (one run per folder).
# `make run` serves with gunicorn (gunicorn.conf.py, as in production); `make dev` with Django's development
# server, which reloads on code changes.
run: install
	$(BIN)/python scripts/run.py

dev: install
	$(BIN)/python scripts/run.py --dev

# Tests keep their files (broker queue, mail, media) away from the demo's var/ unless told otherwise.
# Two processes by default (TEST_WORKERS=0 runs in one); the browser tests share one of them.
TEST_WORKERS ?= 2
test: install-dev
	VAR_DIR=$${VAR_DIR:-$(CURDIR)/var/test} $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

bench: install-dev
	$(BIN)/python -m bench.targets start
	$(BIN)/python -m bench
	$(BIN)/python -m bench.certificates
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.load --duration 30 --users 20
	$(BIN)/python -m bench.targets finish
	# The API against its schema, every schemathesis check, 100 generated requests per operation
	# (make test runs 8).
	FUZZ_EXAMPLES=100 VAR_DIR=$${VAR_DIR:-$(CURDIR)/var/test} $(BIN)/pytest tests/reliability/test_fuzz_api.py \
		-n $(TEST_WORKERS) -q -p no:cacheprovider

# ruff (style, and no import inside a function), import-linter (imports run one way: pyproject.toml),
# mypy (types of services and selectors, with the Django and DRF stubs), and no model change without its
# migration.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	VAR_DIR=$${VAR_DIR:-$(CURDIR)/var} $(BIN)/mypy
	VAR_DIR=$${VAR_DIR:-$(CURDIR)/var} $(BIN)/python manage.py makemigrations --check --dry-run

schema: install
	mkdir -p var && $(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

clean:
	rm -rf var/broker var/mail
