# Two commands after cloning: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Debian packages the test suite drives for real (installed when missing; CI runs as root).
TEST_DEBS ?= wget chromium jq redis-server postgresql
# The [scale] extra's scrapy-redis, beside pywb's redis==2.10.6 pin (see pyproject.toml).
SCRAPY_REDIS ?= scrapy-redis>=0.9,<0.10

.PHONY: demo test lint bench-crawl bench-extraction clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps '$(SCRAPY_REDIS)'
	touch $@ $(VENV)/.installed

# ReplayWeb.page (the browser replay tool) from the npm registry, for the WACZ browser test.
REPLAYWEBPAGE ?= replaywebpage@2.5.3
$(VENV)/replaywebpage/sw.js: | $(BIN)/python
	rm -rf $(VENV)/replaywebpage && mkdir -p $(VENV)/replaywebpage
	cd $(VENV)/replaywebpage && tar -xzf "$$(npm pack $(REPLAYWEBPAGE) --silent | tail -n 1)" \
	  --strip-components=1 package/ui.js package/sw.js

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/pip install --quiet --no-deps '$(SCRAPY_REDIS)'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

system-deps:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: $(VENV)/.installed
	$(BIN)/newsarchive demo

test: system-deps $(VENV)/.installed-test $(VENV)/replaywebpage/sw.js
	$(BIN)/ruff check crawler archive tests bench fuzz
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check crawler archive tests bench fuzz

bench-crawl: $(VENV)/.installed-bench
	$(BIN)/python bench/crawl.py

bench-extraction: $(VENV)/.installed-bench
	$(BIN)/python bench/extraction.py

clean:
	rm -rf $(VENV) data build *.egg-info
