# iaptlab — two commands: `make lab` (open the learner's workbook) and `make test` (check everything).
# Both create .venv and install the package with its dependencies first (once; again when
# pyproject.toml or the lock file changes), at the versions pinned in requirements/constraints.txt.

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
# The versions CI tested (refresh with `make lock`); every install below is constrained by it.
CONSTRAINTS := requirements/constraints.txt
# Where `make lab` / `make lab-instructor` put the learner's own copy of the lessons: git-ignored
# folders, so working through a lesson never changes a tracked file. `make clean` leaves them.
WORKBOOK ?= iaptlab-workbook
INSTRUCTOR_WORKBOOK ?= iaptlab-workbook-instructor
PRESENT_PORT ?= 8866

.PHONY: lab lab-instructor test lint unit notebooks browser wheel-path bench bench-browser bench-memory \
	present doctor student guide site clean setup lock

setup: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -n "$(PYTHON)" || { echo "iaptlab needs Python 3.11 or newer on PATH (python3.11, python3.12, ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test]"
	# rfc3987-syntax (pulled in via jupyter-events) costs ~2.3 s per import of jsonschema, i.e. per
	# kernel and per `import altair`; nothing here needs it. Keep this the last install step.
	-$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax
	touch $(STAMP)

# The browser extra (Playwright's Python driver, Voila). The browser itself is Debian's chromium
# (apt-get install chromium); `playwright install` is never run. Installing voila brings
# rfc3987-syntax back, so it is uninstalled again as the last step.
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test,browser]"
	-$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax
	touch $(BROWSER_STAMP)

# The learner edition (no answers, no instructor notes) written into $(WORKBOOK)/ (a notebook you
# changed is never overwritten), then JupyterLab on 127.0.0.1 with a token, on lesson 00.
lab: $(STAMP)
	$(BIN)/iaptlab lab $(WORKBOOK) --port $(PORT)

# The instructor edition (worked answers, teaching notes) in its own folder.
lab-instructor: $(STAMP)
	$(BIN)/iaptlab lab $(INSTRUCTOR_WORKBOOK) --instructor --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check iaptlab tests benchmarks tools

unit: $(STAMP)
	$(BIN)/pytest -q --doctest-modules --ignore=tests/browser iaptlab tests

notebooks: $(STAMP)
	IAPTLAB_RENDERER=svg $(BIN)/pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env notebooks/

# Every lesson in JupyterLab in headless Chromium, network blocked; screenshots in build/browser/.
# The offline site is built first (make site) and tested from build/ (screenshots in
# build/site-screenshots/).
browser: $(BROWSER_STAMP) site
	IAPTLAB_SITE=build $(BIN)/pytest -q -p no:cacheprovider tests/browser

# The browser extra is installed first so that every test, not only tests/browser, runs against it.
test: $(BROWSER_STAMP) lint unit notebooks browser wheel-path

# The path without make (Windows, macOS): build the wheel, install it into a fresh venv with the
# lock file, `iaptlab workbook` into a temporary folder, run every learner notebook there.
wheel-path: $(STAMP)
	PYTHON=$(BIN)/python tools/check_wheel_path.sh

# Refresh the lock file: a fresh venv with the runtime, test and browser dependencies at their
# newest versions, frozen (the package itself left out). Then run `make test` and commit both.
lock:
	@test -n "$(PYTHON)" || { echo "iaptlab needs Python 3.11 or newer on PATH"; exit 1; }
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet ".[test,browser]"
	mkdir -p requirements
	{ echo "# The versions CI tested: make setup, make lab, Binder and CI install with -c this file."; \
	  echo "# Refresh with 'make lock' (a fresh venv with .[test,browser], frozen), then make test."; \
	  echo "# Made with $$(build/lock-venv/bin/python -V) on $$(uname -sm)."; \
	  build/lock-venv/bin/python -m pip freeze --exclude iaptlab; } > $(CONSTRAINTS)
	rm -rf build/lock-venv

# Every benchmarks/bench_*.py, including bench_kernel: each lesson's kernel memory after Run All
# and the time from kernel start to its first chart.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# p50/p95 from a key press to the chart redrawn, for every explorer in the registry (30+ moves each).
bench-browser: $(BROWSER_STAMP)
	$(BIN)/python benchmarks/browser_latency.py

# Resident memory of a fresh kernel after Run All, per lesson (the README's hub guidance).
bench-memory: $(STAMP)
	$(BIN)/python benchmarks/bench_kernel.py

# Voila only (the `present` extra): presenting needs nothing test-only. Voila brings
# rfc3987-syntax back, so it is uninstalled again as the last step.
$(PRESENT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test,present]"
	-$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax
	touch $(PRESENT_STAMP)

# The lesson explorers as a Voila dashboard for a projector (contents bar, large type, no code),
# on http://127.0.0.1:$(PRESENT_PORT) (8866, Voila's usual port, as `iaptlab present` uses).
present: $(PRESENT_STAMP)
	$(BIN)/iaptlab present --port $(PRESENT_PORT)

# What to fix when a chart or a slider does not show.
doctor: $(STAMP)
	$(BIN)/iaptlab doctor

# The workbook as an offline website: build/site/ (learner: lessons run, charts, self-checks that
# work in the page; open build/site/index.html) and build/site-instructor/ (the guide and the
# instructor edition; publish it separately, never beside the learner site). SITE_REPO=OWNER/REPO
# fills the Binder links.
SITE_REPO ?= OWNER/REPO
site: $(STAMP)
	$(BIN)/iaptlab site build/site --repo $(SITE_REPO)
	$(BIN)/iaptlab site build/site-instructor --instructor --repo $(SITE_REPO)

student: $(STAMP)
	$(BIN)/python tools/build_notebooks.py --out build

guide: $(STAMP)
	$(BIN)/python tools/build_guide.py

clean:
	rm -rf build .pytest_cache .ruff_cache
