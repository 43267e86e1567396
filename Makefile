# The two commands of the README: `make run` (the assistant on embedded defaults) and `make test`.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/klimabot run

test: $(STAMP)
	bash scripts/test.sh

# the fast subset while working: no bot against the local Bot API, no Dovecot, SQLite only
test-fast: $(STAMP)
	$(VENV)/bin/pytest -q -n auto -m "not slow" -k "not postgresql"

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	bash scripts/bench.sh
