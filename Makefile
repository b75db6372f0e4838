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
BROWSER_STAMP := $(VENV)/.iaptlab-browser-installed
PRESENT_STAMP := $(VENV)/.iaptlab-present-installed
# JupyterLab (`make lab`) listens on PORT, the dashboard (`make present`, `iaptlab present`) on
# PRESENT_PORT; both on 127.0.0.1. Override either: `make present PRESENT_PORT=9000`.
PORT ?= 8888
PRESENT_PORT ?= 8866

.PHONY: lab test lint unit notebooks browser bench bench-browser present doctor student guide clean setup

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

# The browser extra (Playwright's Python driver, Voila). The browser itself is Debian's chromium
# (apt-get install chromium); `playwright install` is never run. Installing voila brings
# rfc3987-syntax back, so it is uninstalled again as the last step.
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	-$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax
	touch $(BROWSER_STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip 127.0.0.1 --port $(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check iaptlab tests benchmarks tools

unit: $(STAMP)
	$(BIN)/pytest -q --doctest-modules --ignore=tests/browser iaptlab tests

notebooks: $(STAMP)
	IAPTLAB_RENDERER=svg $(BIN)/pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env notebooks/

# Every lesson in JupyterLab in headless Chromium, network blocked; screenshots in build/browser/.
browser: $(BROWSER_STAMP)
	$(BIN)/pytest -q -p no:cacheprovider tests/browser

# The browser extra is installed first so that every test, not only tests/browser, runs against it.
test: $(BROWSER_STAMP) lint unit notebooks browser

# Every benchmarks/bench_*.py, including bench_kernel: each lesson's kernel memory after Run All
# and the time from kernel start to its first chart.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# p50/p95 from a key press to the chart redrawn, for every explorer in the registry (30+ moves each).
bench-browser: $(BROWSER_STAMP)
	$(BIN)/python benchmarks/browser_latency.py

# Voila only (the `present` extra): presenting needs nothing test-only. Voila brings
# rfc3987-syntax back, so it is uninstalled again as the last step.
$(PRESENT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,present]"
	-$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax
	touch $(PRESENT_STAMP)

# The lesson explorers as a Voila dashboard for a projector (contents bar, large type, no code),
# on http://127.0.0.1:$(PRESENT_PORT) (8866, Voila's usual port, as `iaptlab present` uses).
present: $(PRESENT_STAMP)
	$(BIN)/iaptlab present --port $(PRESENT_PORT)

# What to fix when a chart or a slider does not show.
doctor: $(STAMP)
	$(BIN)/iaptlab doctor

student: $(STAMP)
	$(BIN)/python tools/build_notebooks.py --out build

guide: $(STAMP)
	$(BIN)/python tools/build_guide.py

clean:
	rm -rf build .pytest_cache .ruff_cache
