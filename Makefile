# Two commands do all the set-up on a machine with Python 3.11+ and make:
#   make run    start the product on the embedded PostgreSQL with demo data
#   make test   install what the tests need and run them
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/market serve --demo

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

# The search benchmark (tests/bench/, not part of `make test`): seeds 100,000 courses into
# .bench/ once (reused while fresh), serves them, prints the figures, writes bench-results.json.
bench: $(STAMP)
	$(BIN)/python -m tests.bench.search_bench

schema: $(STAMP)
	$(BIN)/market schema
	$(BIN)/market errors

clean:
	rm -rf $(VENV) .data
