# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run    index seeds/ and serve the search page on http://127.0.0.1:5000
#   make test   install the test extras and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench install clean opensearch opensearch-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsarchive index seeds
	$(BIN)/newsarchive serve

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check archive web cli.py tests bench
	$(BIN)/mypy archive

# a local OpenSearch node on http://127.0.0.1:9200 for --engine opensearch (needs Maven and
# Java 11-21; the distribution is cached under ~/.cache/newsarchive/opensearch)
opensearch:
	bash scripts/opensearch.sh start

opensearch-stop:
	bash scripts/opensearch.sh stop

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .mypy_cache .ruff_cache
