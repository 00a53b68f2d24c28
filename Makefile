# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WANGHUA := $(BIN)/wanghua

.PHONY: run test typecheck hooks install frontend messages compilemessages lint bench test-postgres clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

frontend: node_modules/.package-lock.json

compilemessages: $(STAMP)
	$(BIN)/pybabel compile -d src/wanghua/locale -D django --statistics 2>&1 | tail -1

install: $(STAMP) frontend compilemessages hooks

# The pre-commit hook (.pre-commit-config.yaml), in a git clone and outside CI; a worktree or branch
# without the config skips it (--allow-missing-config). Never fails the install.
hooks: $(STAMP)
	@if [ -z "$$CI" ] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(BIN)/pre-commit install --allow-missing-config >/dev/null 2>&1 \
	    && echo "pre-commit hook installed" || echo "pre-commit hook not installed (not fatal)"; \
	fi

run: install
	$(WANGHUA) migrate --no-input
	$(WANGHUA) demo
	$(WANGHUA) serve --simulate 127.0.0.1:8000

# The type check, then the suite with branch coverage: the report lists the least-covered modules first and
# fails under [tool.coverage.report] fail_under (pyproject.toml).
test: install
	$(BIN)/ruff check .
	$(WANGHUA) makemigrations --check --dry-run
	$(MAKE) --no-print-directory typecheck
	$(BIN)/pytest --cov --cov-report=term:skip-covered

# mypy with django-stubs ([tool.mypy] in pyproject.toml); its Django plugin loads the settings, which want var/.
typecheck: $(STAMP)
	@mkdir -p var
	$(BIN)/mypy

# The suite against PostgreSQL (WANGHUA_DATABASE_URL); .ci/run calls it after `make test`.
test-postgres: install
	WANGHUA_DATABASE_URL=$${WANGHUA_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wanghua} $(BIN)/pytest

# Refresh msgids in the Chinese catalogue (needs GNU gettext); translations then go into django.po.
messages: install
	cd src/wanghua && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=wanghua.settings -i "demo/*" --no-obsolete

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var
