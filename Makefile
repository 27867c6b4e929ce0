# Rabta: two commands do everything on a fresh machine with Python 3.11+.
#   make dev    set up, migrate, seed the demo data and run the whole system on 127.0.0.1:$(PORT)
#   make test   run the whole test suite (DATABASE_URL / REDIS_URL pick PostgreSQL / Redis; default SQLite + embedded Redis)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: dev test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/rabta db upgrade
	$(BIN)/rabta seed --demo
	PORT=$(PORT) $(BIN)/rabta dev --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app ussd sms payments sandbox_wallet tests bench migrations
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance
