# iaptlab — two commands: `make lab` (open the workbook) and `make test` (check everything).
# Both create .venv and install the package with its dependencies first (once; again when
# pyproject.toml changes).

ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.iaptlab-installed
PORT ?= 8888

.PHONY: lab test lint unit notebooks bench student guide clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "iaptlab needs Python 3.11 or newer on PATH (python3.11, python3.12, ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# rfc3987-syntax (pulled in via jupyter-events) costs ~2.3 s per import of jsonschema, i.e. per
	# kernel and per `import altair`; nothing here needs it. Keep this the last install step.
	-$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip 127.0.0.1 --port $(PORT) notebooks/00_start_here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check iaptlab tests benchmarks tools

unit: $(STAMP)
	$(BIN)/pytest -q --doctest-modules iaptlab tests

notebooks: $(STAMP)
	IAPTLAB_RENDERER=svg $(BIN)/pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env notebooks/

test: lint unit notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

student: $(STAMP)
	$(BIN)/python tools/build_notebooks.py --out build

guide: $(STAMP)
	$(BIN)/python tools/build_guide.py

clean:
	rm -rf build .pytest_cache .ruff_cache
