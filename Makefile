# ZoneOps: `make demo` to try it, `make test` to check it. Needs Python >= 3.11, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo serve test test-sqlite test-pg bench clean

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/python manage.py migrate -v0
	$(BIN)/python manage.py demo_data --if-empty
	@bash scripts/serve.sh

test: install
	@bash scripts/test.sh

test-sqlite: install
	$(BIN)/pytest

test-pg: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

bench: install
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) var
