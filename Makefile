# The two commands the README documents: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: run test install install-test browser fonts messages lint format check-deploy worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# A stamp, so that a second `make test` (.ci/run runs two at once) does not
# reinstall into the same virtualenv while the first one runs.
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"
	@touch $@

# The system packages: Debian's chromium for browser tests; Liberation Serif
# (Times New Roman's metrics) with its Vietnamese glyphs (fonts-liberation2: the
# older fonts-liberation has none) for both PDF engines, DejaVu for the pages'
# fallback, and Pango for WeasyPrint.
browser: fonts
	@command -v chromium >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium >/dev/null; }

fonts:
	@test -d /usr/share/fonts/truetype/liberation2 && fc-list | grep -qi dejavu || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      fonts-liberation2 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

# Install, migrate, load the demo, and serve it on http://localhost:$(PORT)/,
# with a db_worker beside it for the work done in the background.
# It also writes a git-ignored .env with DEBUG=1 (if there is none), so that
# `python manage.py …` works in this development checkout afterwards; without
# it the settings refuse to start with no SECRET_KEY, as production should.
run: install fonts
	@test -f .env || printf 'DEBUG=1\n' > .env
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@# the background worker (big imports and exports) beside the server, stopped with it
	DEBUG=1 $(BIN)/python manage.py db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
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

# Recompile the project's Vietnamese catalogue after editing locale/vi/…/django.po
messages:
	msgfmt --check -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po

lint:
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

worker:
	DEBUG=1 $(BIN)/python manage.py db_worker
