"""The explorer registry is lazy (issue 15 item 7, first chart sooner): importing it, reading titles and
questions, or building the dashboard's contents imports no explorer module and no widget code; an
explorer's module is imported when one of its parts is first asked for, and only that module.

Each check runs in a fresh interpreter, since this test session has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iaptlab.explorers import REGISTRY, Explorer

PACKAGE = "iaptlab.explorers"
MODULES = sorted({explorer.module for explorer in REGISTRY.values()})


def _imported_after(code: str) -> set[str]:
    """The ``iaptlab`` modules a fresh interpreter has imported after running ``code``."""
    probe = (f"{code}\nimport json, sys\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('iaptlab'))))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_registry_and_its_metadata_import_no_explorer_and_no_widgets():
    imported = _imported_after(
        "from iaptlab.explorers import REGISTRY, PLANS, anchor, contents_html\n"
        "[(e.key, e.lesson, e.title, e.question, anchor(k)) for k, e in REGISTRY.items()]\n"
        "contents_html()")
    assert not {f"{PACKAGE}.{m}" for m in MODULES} & imported
    assert "iaptlab.widgets" not in imported
    assert "iaptlab.charts.theme" not in imported  # nothing of the charts (Altair) either


@pytest.mark.parametrize("key", ["02.thresholds", "07.reconcile_gap_critic"])
def test_asking_for_an_explorers_controls_imports_its_module_only(key):
    module = REGISTRY[key].module
    imported = _imported_after(f"from iaptlab.explorers import REGISTRY\nREGISTRY[{key!r}].controls")
    explorers = {m for m in imported if m.startswith(f"{PACKAGE}.")}
    assert explorers == {f"{PACKAGE}.{module}"}


def test_every_entry_names_a_module_with_its_builder_controls_and_compute():
    for key, explorer in REGISTRY.items():
        parts = explorer.parts
        assert parts.__name__ == f"{PACKAGE}.{explorer.module}", key
        assert explorer.controls is getattr(parts, explorer.controls_name), key
        assert explorer.compute is parts.compute, key
        assert callable(getattr(parts, explorer.prepare_name)), key


def test_the_page_copy_is_read_from_the_module_where_it_has_one():
    for key, explorer in REGISTRY.items():
        script = getattr(explorer.parts, "BROWSER_SCRIPT", "")
        assert explorer.browser_script == script, key
        assert explorer.answers_in_page == bool(script and hasattr(explorer.parts, "browser_data")), key
    # the explorers whose sliders are answered in the page (a floor: more may join)
    assert {"00.example_cases", "02.thresholds", "04.predictive_values", "06.national"} <= {
        key for key, e in REGISTRY.items() if e.answers_in_page}


def test_explorers_on_the_same_builder_share_its_data_and_others_do_not():
    same = Explorer("07.reconcile_gap", "t", "q?", "reconcile_gap")
    assert same.prepare is REGISTRY["07.reconcile_gap"].prepare
    assert REGISTRY["07.reconcile_gap_critic"].prepare is not REGISTRY["07.reconcile_gap"].prepare


def test_an_unknown_module_fails_when_used_naming_it():
    ghost = Explorer("99.ghost", "t", "q?", "no_such_explorer")
    assert ghost.lesson == "99"  # metadata needs no module
    with pytest.raises(ModuleNotFoundError, match="no_such_explorer"):
        _ = ghost.controls
