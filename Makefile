# Set-up lives here, so that a fresh machine needs only `make serve` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve build test lint chromium screenshot clean bench-peers fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the example school and serve it on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/mading serve --offline

build: $(STAMP)
	$(BIN)/mading build --offline

## Lint, type-check and run the whole test suite (browser tests included)
test: $(STAMP) chromium
	$(BIN)/ruff check generator tests docs fuzz
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check generator tests docs fuzz
	$(BIN)/mypy

## Debian's Chromium for the browser tests (Playwright cannot download its own here)
chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-core)

## The README's screenshot of the example portal
screenshot: $(STAMP) chromium
	$(BIN)/python docs/screenshot.py

## Fuzz site.yml, front matter and feed parsing with Hypothesis for 10 minutes (fuzz/)
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	FUZZ_SECONDS=600 $(BIN)/pytest fuzz -p no:cacheprovider

PEERS := bench/.venv-peers
PEERS_STAMP := $(PEERS)/.installed-stamp
BENCH_SIZE ?= school
BENCH_REPEAT ?= 3

$(PEERS_STAMP): bench/requirements-peers.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $(PEERS_STAMP)

## Build one corpus with Mading, Pelican, MkDocs-Material and Hugo (bench/README.md);
## make bench-peers BENCH_SIZE=district BENCH_REPEAT=1 for 90,000 posts
bench-peers: $(STAMP) $(PEERS_STAMP)
	@command -v hugo >/dev/null || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends hugo)
	$(PEERS)/bin/python bench/peers.py --size $(BENCH_SIZE) --repeat $(BENCH_REPEAT) --write-results

clean:
	rm -rf $(VENV) public .public.* .mading
