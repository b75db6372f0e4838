"""Fixtures for the browser tests: one JupyterLab per session, Debian's Chromium, offline guard.

The tests skip (with the reason) where Chromium or Playwright is missing, except under CI
(``CI`` set), where a missing browser is a failure: CI installs it (see ``.ci/run``).
Artefacts (screenshots, ``report.json``) go to ``build/browser/`` (or ``IAPTLAB_BROWSER_ARTEFACTS``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import harness  # noqa: E402

ARTEFACTS = Path(os.environ.get("IAPTLAB_BROWSER_ARTEFACTS", harness.REPO / "build" / "browser"))
EXPLORER_NOTEBOOK = "explorer_thresholds.ipynb"
REPORT: dict = {"lessons": {}, "blocked_requests": [], "allowed_requests": 0}


def pytest_collection_modifyitems(config, items):
    reason = harness.browser_missing()
    if not reason:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"browser tests cannot run under CI: {reason}")
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    shutil.rmtree(ARTEFACTS / "screenshots", ignore_errors=True)  # no stale pictures
    (ARTEFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    yield ARTEFACTS
    REPORT["blocked_count"] = len(REPORT["blocked_requests"])
    (ARTEFACTS / "report.json").write_text(json.dumps(REPORT, indent=2))


@pytest.fixture(scope="session")
def lab_server():
    server = harness.start_server("lab", extra_files={EXPLORER_NOTEBOOK: harness.explorer_notebook()})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = harness.launch_browser(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def guard():
    """Blocks every request not to 127.0.0.1; after the test, what was tried goes to the report."""
    offline = harness.OfflineGuard()
    yield offline
    REPORT["blocked_requests"] += offline.blocked
    REPORT["allowed_requests"] += offline.allowed


@pytest.fixture
def page(browser, guard):
    context = harness.new_context(browser, guard)
    tab = context.new_page()
    yield tab
    context.close()
