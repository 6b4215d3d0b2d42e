# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run    index seeds/ and serve the search page on http://127.0.0.1:5000
#   make test   install the test extras and run the whole suite
# Every install takes the exact versions in constraints.txt (make constraints refreshes it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CONSTRAINTS := constraints.txt
PIP_INSTALL := $(BIN)/pip install --quiet --constraint $(CONSTRAINTS)
# an editable install of a project laid out at the top level makes setuptools print a
# notice meant for packagers ("Editable installation ... folders in your working directory");
# nothing else is hidden
EDITABLE := PYTHONWARNINGS="ignore:Editable installation" $(PIP_INSTALL) -e
# test processes (pytest-xdist): one per core
WORKERS ?= auto

.PHONY: run test test-long lint bench install constraints clean opensearch opensearch-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(EDITABLE) .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(EDITABLE) '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsarchive index seeds
	$(BIN)/newsarchive serve

# the whole suite, the slow tests in their short versions
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

# the slow tests in their long versions (more kills, every fault, longer fuzzing); CI runs it
test-long: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --long -m long $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check archive web cli.py cli_output.py cli_research.py cli_research_output.py scripts tests bench
	$(BIN)/mypy archive

# pin what a fresh install of the project with its test and bench extras resolves to today
# (the newest versions setup's ranges allow); run the tests, then commit constraints.txt
constraints:
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/pip install --quiet --upgrade pip
	build/constraints-venv/bin/pip install --quiet '.[test,bench]'
	{ echo "# exact versions of every package a fresh install gets; make constraints refreshes"; \
	  echo "# this from the ranges in pyproject.toml, make install/run/test install with it"; \
	  build/constraints-venv/bin/pip freeze --all --exclude newsarchive \
	    --exclude setuptools --exclude wheel; } > $(CONSTRAINTS)
	rm -rf build/constraints-venv

# a local OpenSearch node on http://127.0.0.1:9200 for --engine opensearch (needs Maven and
# Java 11-21; the distribution is cached under ~/.cache/newsarchive/opensearch)
opensearch:
	bash scripts/opensearch.sh start

opensearch-stop:
	bash scripts/opensearch.sh stop

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .mypy_cache .ruff_cache
