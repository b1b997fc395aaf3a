# One vocabulary for every task: make install | demo | test | lock | bench
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lock bench

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@bash scripts/ensure-system-packages.sh
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

demo: install
	$(BIN)/brokercrm demo --serve

test: install
	@bash scripts/ensure-system-packages.sh --tests
	$(BIN)/lint-imports --no-logo
	$(BIN)/pytest -q $(PYTEST_ARGS)

lock:
	$(BIN)/pip-compile -q --strip-extras --output-file requirements.lock requirements.in

bench: install
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
