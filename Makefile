# MiniMentors: two commands do everything on a fresh machine.
#   make run   virtualenv, install, migrate, seed demo accounts, serve with workers
#   make test  virtualenv, install, lint (ruff, mypy), every test (embedded, then PostgreSQL + Redis)

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test install lint format migrate bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet ".[test]"
	touch $(STAMP)

# The moderation engine compiled with mypyc (moderation/engine/native.py); a no-op when the
# build already matches the sources, and without it the engine runs as plain Python.
install: $(STAMP)
	$(PY) -m moderation.engine.build

migrate: install
	$(PY) manage.py migrate --noinput -v 0

run: migrate
	$(PY) manage.py seed_demo
	@echo "MiniMentors is starting on http://$(HOST):$(PORT)/  (Ctrl+C stops every process)"
	$(PY) -m minimentors.supervise -f Procfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	MINIMENTORS_ENV=test $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	MINIMENTORS_ENV=test $(VENV)/bin/pytest -m "not scale" -p no:cacheprovider
	MINIMENTORS_ENV=test $(PY) -m tests.services $(VENV)/bin/pytest -m scale -p no:cacheprovider

bench: install
	$(PY) bench/moderation.py

clean:
	rm -rf $(VENV) var .build .pytest_cache .ruff_cache
