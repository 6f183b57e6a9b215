# skyclass — every set-up step a fresh machine needs lives here.
#   make demo   train → bundle → registry → serve → deploy → failover → monitor, on embedded data
#   make test   lint + every test (installs Python, npm and Debian test tools first)
#   make bench  every benchmark in benchmarks/, each printing its `ratio=` line

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install deps test lint demo bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU build of torch on this machine's disk; an unpinned torch would download GBs
	$(PY) -m pip install --quiet torch==2.13.0 || echo "torch 2.13.0 not available: GPU/torch paths will be skipped"
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Test-only tools outside PyPI: Azurite (npm) and headless Chromium (Debian).
deps: $(STAMP)
	bash scripts/install-test-tools.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	# the package import rules of DESIGN.md, as contracts in .importlinter
	$(VENV)/bin/lint-imports --no-cache

test: deps lint
	PATH="$(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pytest -q

demo: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) scripts/demo.py

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .tools demo-out .pytest_cache .ruff_cache
