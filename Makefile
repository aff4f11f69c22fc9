# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)

.PHONY: install run test lint openapi bench browser-check clean

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install  ## migrate, create the first admin (and the demo group), serve on HOST:PORT
	$(BIN)/python -m api.cli serve

test: install  ## lint, then the whole suite on PostgreSQL (and the core flows on SQLite)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .

openapi: install  ## write openapi/openapi.json from the code
	$(BIN)/python -m api.cli openapi openapi/openapi.json

browser-check: install  ## render /docs in headless Chromium and check the operation list
	$(BIN)/python scripts/check_docs_browser.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
