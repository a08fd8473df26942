# Two commands do all the set-up on a machine with Python 3.11+ and make:
#   make run    start the product on the embedded PostgreSQL with demo data
#   make test   install what the tests need (as root, Chromium and fonts with apt) and run them
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

.PHONY: run test browser lint format schema bench lock clean

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

test: $(STAMP) browser
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2

# The browser tests (tests/web/) drive Debian's Chromium (Playwright never downloads a
# browser) and need fonts that draw Arabic (DejaVu) and Ge'ez (Abyssinica SIL). Installed
# with apt-get when one is missing (so a second run never touches apt); without root, the
# command to run is printed and make stops. MARKET_SKIP_BROWSER=1 skips both this and the
# browser tests, for a developer who cannot install them (.ci/run never skips).
BROWSER_PACKAGES := chromium fonts-dejavu-core fonts-sil-abyssinica
DPKG_QUERY ?= dpkg-query
APT_GET    ?= apt-get
USER_ID    ?= $$(id -u)

browser:
	@[ "$(MARKET_SKIP_BROWSER)" != 1 ] || { echo "MARKET_SKIP_BROWSER=1: the browser tests are skipped"; exit 0; }; \
	missing=$$(for package in $(BROWSER_PACKAGES); do \
		[ "$$($(DPKG_QUERY) -W -f='$${db:Status-Status}' $$package 2>/dev/null)" = installed ] \
			|| printf ' %s' $$package; done); \
	[ -n "$$missing" ] || exit 0; \
	command="$(APT_GET) update && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y --no-install-recommends" \
	&& if [ "$(USER_ID)" != 0 ]; then \
		echo "The browser tests need Debian packages that are missing:$$missing"; \
		echo "Install them as root:"; \
		echo "  sudo sh -c '$$command$$missing'"; \
		echo "or run the tests without them: MARKET_SKIP_BROWSER=1 make test"; \
		exit 1; \
	fi; \
	echo "installing the browser tests' packages:$$missing"; \
	sh -c "$$command$$missing"

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
