# The two commands of the README: `make demo` and `make test`.
# Everything else here is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt pyproject.toml | sha1sum | cut -c1-12)
PORT ?= 8000

.PHONY: demo test test-postgres test-fast lint format system-deps install clean bench-intake

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): requirements/lock.txt pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/lock.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

demo: $(STAMP) system-deps
	PORT=$(PORT) $(BIN)/xinfang demo

# The suite runs in TEST_WORKERS processes (pytest-xdist), tests handed out in collection order (so the
# transactional ones, which empty the database, come last in each): each has its own test database,
# live server and temporary directories.
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist load

test: $(STAMP) system-deps
	$(BIN)/pytest $(XDIST)

test-fast: $(STAMP)
	$(BIN)/pytest $(XDIST) -m "not browser"

# The suite on PostgreSQL.  Three kinds of test check what the database does not change and run once,
# on SQLite, in `make test`: the browser tests (the UI), the API fuzzing (response shapes) and the
# walk of every declared action (page against API).
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/pytest $(XDIST) -m "not browser and not fuzz and not walk"

lint: $(STAMP)
	$(BIN)/ruff check xinfang bench
	$(BIN)/ruff format --check xinfang bench

format: $(STAMP)
	$(BIN)/ruff format xinfang bench
	$(BIN)/ruff check --fix xinfang bench

bench-intake: $(STAMP)
	$(BIN)/python bench/intake.py $(ARGS)

clean:
	rm -rf var screenshots
