# Two commands do all the set-up on a machine with Python 3.11+ and make:
#   make run    start the product on the embedded PostgreSQL with demo data
#   make test   install what the tests need and run them
# Both install the exact versions in requirements-dev.lock (hashes checked), then the
# package itself without dependencies. `make lock` regenerates the lock files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements-dev.lock
# The locking tool, installed only by `make lock`: run and test need nothing but pip.
UV     := uv==0.13.9
# Universal: one lock holds the versions for every Python from 3.11 and every platform.
COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes

.PHONY: run test lint format schema bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the locked versions or the package's metadata change.
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/market serve --demo

test: $(STAMP)
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests migrations
	$(BIN)/ruff format src tests migrations

# The search benchmark (tests/bench/; `make test` runs it once at a tiny scale): seeds 100,000
# courses into .bench/ once (reused while fresh), serves them, prints the figures, writes
# bench-results.json.
bench: $(STAMP)
	$(BIN)/python -m tests.bench.search_bench

schema: $(STAMP)
	$(BIN)/market schema
	$(BIN)/market errors

# After changing the dependencies in pyproject.toml: the versions resolved afresh, the
# product's alone (requirements.lock, for the image) and with the dev extra.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet $(UV)
	$(COMPILE) -o requirements.lock
	$(COMPILE) --extra dev -o $(LOCK)

clean:
	rm -rf $(VENV) .data
