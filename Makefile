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
	@echo "==> creating the virtualenv $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> installing Rabta and its dependencies (a few minutes on a fresh machine; one line per package)"
	$(BIN)/python -m pip install --progress-bar off -e '.[dev]'
	touch $(STAMP)
	@echo "==> installed: $(BIN)/rabta --help lists the commands"

install: $(STAMP)

dev: $(STAMP)
	@echo "==> applying database migrations"
	$(BIN)/rabta db upgrade
	@echo "==> loading the demo data (rabta seed --demo --reset puts it back later)"
	$(BIN)/rabta seed --demo
	@echo "==> starting Rabta on port $(PORT) (Ctrl-C stops everything)"
	PORT=$(PORT) $(BIN)/rabta dev --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app ussd sms payments sandbox_wallet simulator analytics console tests bench migrations
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance
