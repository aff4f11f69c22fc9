# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
NODE_STAMP := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)

.PHONY: install node browser run test lint openapi compat fuzz bench bench-load bench-voters browser-check clean

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The contract's checks (linters, typed clients, the SPA example) run on Node.js 20 with the
# packages of package-lock.json, exactly.
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js 20 and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

# The browser tests drive Debian's Chromium (playwright-core downloads no browser).
browser:
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) \
	  >/dev/null; } || echo "no chromium: the browser tests will say so"

run: install  ## migrate, create the first admin (and the demo group), serve on HOST:PORT
	$(BIN)/python -m api.cli serve

test: install node browser  ## lint, type-check, then the whole suite on PostgreSQL (and the core flows on SQLite)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2

# mypy (configured in pyproject.toml) rather than pyright: it installs from PyPI with the
# rest of requirements.lock, while pyright's PyPI wrapper downloads node at first run.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

openapi: install  ## write openapi/openapi.json from the code
	$(BIN)/python -m api.cli openapi openapi/openapi.json

compat: install  ## what in openapi/openapi.json breaks a client of the newest release in openapi/releases/
	$(BIN)/python scripts/openapi_compat.py

# The long fuzzing run (the bounded one is part of `make test`): many examples per operation,
# stateful sequences through the document's links, a new seed each time.
FUZZ_EXAMPLES ?= 100
fuzz: install  ## Schemathesis against a live server as four roles, all checks, long
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_SEED= FUZZ_TIMEOUT=7200 $(BIN)/pytest -n 1 tests/contract/test_fuzz.py

bench-load: install  ## load the 1,000,000-resident province into database ds_bench (about 70 s)
	$(BIN)/python -m bench.population --fresh --database-url postgresql://postgres@127.0.0.1:5432/ds_bench --residents 1000000 --households 300000 --communes 20 --groups-per-commune 15

bench-voters: install  ## voter lists: import, reconciliation quality beside Splink, and speed (100k and 1M)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bench.lock
	$(BIN)/python -m bench.voter_lists
	$(BIN)/python -m bench.voters_quality
	$(BIN)/python -m bench.voters_job

bench: install  ## register, outreach and tickets benchmarks against ds_bench; tables in bench/out/
	@command -v wrk >/dev/null || { echo "make bench drives HTTP load with wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python -m bench.register
	$(BIN)/python -m bench.outreach
	$(BIN)/python -m bench.tickets

browser-check: install  ## render /docs in headless Chromium and check the operation list
	$(BIN)/python scripts/check_docs_browser.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache .mypy_cache
