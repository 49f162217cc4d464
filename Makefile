# The two commands the README documents: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: run test install install-test browser lint format check-deploy worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"

# The system packages: Debian's chromium for browser tests, DejaVu fonts and
# Pango for WeasyPrint's PDFs, Liberation Serif with Vietnamese glyphs
# (fonts-liberation2: the older fonts-liberation has none) for Typst's PDFs.
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi dejavu && \
	  test -d /usr/share/fonts/truetype/liberation2 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-dejavu-core fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

# Install, migrate, load the demo, and serve it on http://localhost:$(PORT)/
# It also writes a git-ignored .env with DEBUG=1 (if there is none), so that
# `python manage.py …` works in this development checkout afterwards; without
# it the settings refuse to start with no SECRET_KEY, as production should.
run: install
	@test -f .env || printf 'DEBUG=1\n' > .env
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

# Install what the tests need and run lint, the layer contracts (pyproject's
# [tool.importlinter]) and the whole suite (SQLite unless DATABASE_URL says
# otherwise), browser tests included.
test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DEBUG=0 $(BIN)/python manage.py makemigrations --check --dry-run --settings=chibo.settings_test
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

worker:
	DEBUG=1 $(BIN)/python manage.py db_worker
