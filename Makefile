# Council Graph: the two commands of the Quick start are `make run` and `make test`.
# Each sets up what it needs on a fresh clone (virtual environment, dependencies, Neo4j).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest prereqs neo4j-start neo4j-stop test-neo4j-stop bench clean-venv schema data-check data-refresh audit-http

run: $(STAMP)
	$(BIN)/councilgraph neo4j start
	$(BIN)/councilgraph load
	$(BIN)/councilgraph serve

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	@command -v chromium >/dev/null || { echo "make: browser tests need Debian's chromium package (apt-get install chromium)"; exit 2; }
	$(BIN)/pytest

prereqs:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { echo "make: Python 3.11+ is needed (set PYTHON=...)"; exit 2; }
	@command -v java >/dev/null || { echo "make: Java 17 or 21 is needed to run Neo4j 5.26 (apt-get install openjdk-17-jre-headless)"; exit 2; }
	@command -v mvn >/dev/null || { echo "make: Maven is needed to fetch Neo4j from Maven Central (apt-get install maven)"; exit 2; }

$(STAMP): pyproject.toml constraints.txt | prereqs
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

neo4j-start: $(STAMP)
	$(BIN)/councilgraph neo4j start

neo4j-stop: $(STAMP)
	$(BIN)/councilgraph neo4j stop

# The tests' own Neo4j (port 7688, .neo4j/test-7688) is left running between test runs to save start-up time.
test-neo4j-stop: $(STAMP)
	$(BIN)/python -m tests.neo4j_instance stop

schema: $(STAMP)
	$(BIN)/python -m api.sdl > docs/schema.graphql

# GraphQL over HTTP: the graphql-http package's server audits (npm, into the git-ignored .audit/)
# against a live server; the same as tests/api/test_http_audit.py.
audit-http: $(STAMP)
	$(BIN)/pytest -q tests/api/test_http_audit.py

bench: $(STAMP)
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean-venv:
	rm -rf $(VENV)

# The bundled data/ is a copy of ../shared/data: `data-check` says what differs, `data-refresh` copies it.
data-check:
	$(PYTHON) scripts/sync_data.py --check

data-refresh:
	$(PYTHON) scripts/sync_data.py
