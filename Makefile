# The two commands a new user needs: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: site site-zensical site-zensical-test test check browser-tools clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(INSTALLED)

## site: check the knowledge base, render the pages and build the static site into site/
site: $(INSTALLED)
	$(BIN)/kb check --fail-on never
	$(BIN)/kb render
	$(BIN)/mkdocs build --strict --quiet
	$(BIN)/kb fix-site site
	@echo "The site is in site/. Open site/index.html in a browser, or run .venv/bin/kb serve and visit http://127.0.0.1:8000/."

## site-zensical: the same site built with Zensical, Material's successor (reads mkdocs.yml; see README "Site builder")
site-zensical: $(INSTALLED)
	$(BIN)/pip install --quiet 'zensical>=0.0.73'
	$(BIN)/kb check --fail-on never
	$(BIN)/kb render
	$(BIN)/zensical build --clean
	$(BIN)/kb fix-site site

## site-zensical-test: the site and browser tests against a Zensical build; they report what differs from MkDocs
site-zensical-test: $(INSTALLED) browser-tools
	$(BIN)/pip install --quiet 'zensical>=0.0.73'
	SITE_BUILDER=zensical $(BIN)/pytest tests/test_site.py tests/test_browser.py -rA

## check: the CI gate on the knowledge base (fails on conflicts not yet reviewed)
check: $(INSTALLED)
	$(BIN)/kb check

## test: lint (ruff), types (mypy), then the full test suite, real-browser tests included
test: $(INSTALLED) browser-tools
	$(BIN)/ruff check scripts tests
	$(BIN)/mypy
	$(BIN)/pytest

browser-tools:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	  else \
	    echo "The browser tests need Chromium and its driver. Install them with: sudo apt-get install -y chromium chromium-driver" >&2; exit 1; \
	  fi; \
	fi
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless; \
	  else \
	    echo "The HTML validity test needs Java. Install it with: sudo apt-get install -y default-jre-headless" >&2; exit 1; \
	  fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund; \
	  else echo "The browser tests need npm (for axe-core and the HTML checker). Install Node.js and npm, e.g. sudo apt-get install -y npm" >&2; exit 1; fi; \
	fi

## clean: remove the built site and the generated pages (keeps .venv)
clean:
	rm -rf site .pytest_cache docs/index.md docs/conflicts.md docs/matrix.md docs/compare.md docs/timeline.md docs/reviews.md docs/data.md \
	  docs/topics docs/sources docs/data
