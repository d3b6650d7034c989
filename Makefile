# Xinfang: `make demo` sets everything up and serves the app; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: help setup demo serve test test-pg lint format typecheck e2e bench messages catalog migrate seed clean

help:
	@echo "make demo    set up (venv, database, translations, demo data) and serve on 127.0.0.1:$(PORT)"
	@echo "make test    run the test suite (SQLite; set DATABASE_URL for PostgreSQL)"
	@echo "make lint    ruff and mypy"
	@echo "make e2e     browser tests with Debian chromium; writes docs/screenshots/"
	@echo "make bench   benchmarks, each against a baseline measured in the same run"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

# Refresh the zh_Hans catalog from the sources (then translate the new entries and run `make messages`).
catalog: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete --no-wrap

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput --verbosity 0

seed: migrate
	$(BIN)/python manage.py seed_demo

setup: $(STAMP) messages migrate seed

demo: setup
	@echo ""
	@echo "Xinfang is serving at http://127.0.0.1:$(PORT)/  (admin: /admin/, API: /api/v1/docs)"
	@echo "Demo logins (user name, password, who):"
	@$(BIN)/python -c "import django,os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); django.setup(); from xinfang.accounts.demo import demo_logins_text; print(demo_logins_text())"
	@echo ""
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) messages
	$(BIN)/pytest -q -n 2 --dist load xinfang

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy xinfang config

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

e2e: $(STAMP) messages
	scripts/browser-deps.sh
	$(BIN)/pytest -q tests/e2e -p no:xdist

bench: $(STAMP) messages
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
