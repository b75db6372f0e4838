"""Every lesson in a real browser: Run All in JupyterLab, then look at the page as a learner would.

For each ``notebooks/NN_*.ipynb`` (discovered, so new lessons are covered as they land): no
error or warning output, every cell ran, every chart drawn (an svg or canvas of non-zero size),
every explorer's static default has its live explorer beside it, nothing fell back to text, and
the page asked for nothing outside 127.0.0.1. A screenshot of each lesson is saved.

Then the explorers as a phone, a laptop and a projector see them (360, 1280 and 1920 px wide):
no label, control, value, button or chart text is clipped; and axe-core (WCAG 2.1 AA rules) on
every output area that holds an explorer finds no serious or critical violation.
"""

from __future__ import annotations

import harness
import pytest
from conftest import REPORT

LESSONS = harness.lesson_paths()
WIDTHS = (360, 1280, 1920)
#: The output areas holding an explorer (its static default sits in the same cell's outputs).
EXPLORER_OUTPUTS = ".jp-Notebook .jp-Cell-outputWrapper"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_clean_in_jupyterlab(lesson, lab_server, page, guard, artefacts):
    opened = harness.open_notebook(page, lab_server, lesson.name)
    ran, summary = harness.run_all(page)
    shots = harness.screenshot_whole_notebook(page, artefacts / "screenshots" / f"{lesson.stem}.png")
    clipped, axe = {}, []
    if summary["explorers"]:
        harness.collapse_side_panels(page)  # JupyterLab's file browser would leave a phone 40 px
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_timeout(400)
            clipped[width] = harness.clipped_parts(page)
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.evaluate("""() => document.querySelectorAll('.jp-Notebook .jp-Cell-outputWrapper').forEach(
            e => { if (!e.querySelector('.iaptlab-explorer')) e.classList.add('iaptlab-not-explorer'); })""")
        axe = harness.axe_violations(page, f"{EXPLORER_OUTPUTS}:not(.iaptlab-not-explorer)")
    harness.shut_down_kernels(lab_server)
    REPORT["lessons"][lesson.stem] = {
        "open_seconds": round(opened, 1), "run_all_seconds": round(ran, 1),
        "charts": len(summary["charts"]), "explorers": summary["explorers"],
        "clipped": {str(k): v for k, v in clipped.items()}, "axe_serious_or_critical": axe,
        "screenshots": [str(s) for s in shots], "blocked": list(guard.blocked)}
    assert harness.problems(summary) == []
    assert guard.blocked == [], "the page tried to reach the internet"
    assert guard.allowed > 0  # the guard saw the page's own requests, so it was really in the way
    assert {width: found for width, found in clipped.items() if found} == {}
    assert axe == []
