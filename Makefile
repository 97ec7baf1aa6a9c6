# Hotline: the two commands of the README.
#
#   make run    set up and run the service on SQLite with the local carrier
#   make test   set up and run the whole test suite, on SQLite then PostgreSQL
#
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-sqlite test-postgresql setup setup-dev translations messages lint bench probes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(MAKE) --no-print-directory translations

setup-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(MAKE) --no-print-directory translations
	scripts/ensure-chromium

# The console's catalogues (translations/*/LC_MESSAGES/messages.po), compiled to the .mo files it reads.
translations:
	$(BIN)/pybabel compile -d translations -D messages

# After changing the console's words: extract them and merge them into each catalogue, then translate.
messages:
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -o translations/messages.pot --no-location \
		--omit-header --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching \
		--width 120

run: setup
	$(BIN)/flask --app app init
	$(BIN)/flask --app app dev --host $(HOST) --port $(PORT)

# The two databases' runs side by side (the suite holds on a busy machine), each one's
# output printed whole when it ends; the exit status is non-zero if either failed.
test: setup-dev
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

test-sqlite:
	HOTLINE_TEST_DATABASE=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgresql:
	HOTLINE_TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: setup-dev
	$(BIN)/python bench/intake.py

# The security probes of docs/security.md, on both databases; each exits 1 on any finding.
# Not part of make test: the fuzzer alone sends 12,000 requests a database.
probes: setup-dev
	for db in sqlite postgresql; do \
		$(BIN)/python bench/fuzz.py --database $$db && \
		$(BIN)/python bench/privacy.py --database $$db && \
		$(BIN)/python bench/webhook_probe.py --database $$db || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache artifacts
