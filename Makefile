# Everything the project needs installs from here: a virtualenv from pyproject.toml, the
# JavaScript validators from package.json, and (tests only) Debian's Chromium for browser tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: setup run test test-tools benchmark clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

run: setup
	$(BIN)/subtitler build $(ARGS)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --ignore-scripts
	touch $@

test-tools: node_modules/.installed setup
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: browser tests will be skipped"; }
	@$(BIN)/python benchmarks/music.py >/dev/null \
	  || echo "real music could not be fetched (apt-get download): music tests will be skipped"

test: setup test-tools
	$(BIN)/python -m pytest -n 2 $(ARGS)

benchmark: setup
	$(BIN)/python benchmarks/run_alignment.py $(ARGS)

clean:
	rm -rf $(VENV) node_modules output .cache
