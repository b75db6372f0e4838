"""Every lesson in a real browser: Run All in JupyterLab, then look at the page as a learner would.

For each ``notebooks/NN_*.ipynb`` (discovered, so new lessons are covered as they land): no
error or warning output, every cell ran, every chart drawn (an svg or canvas of non-zero size),
every explorer's static default has its live explorer beside it, nothing fell back to text, and
the page asked for nothing outside 127.0.0.1. A screenshot of each lesson is saved.
"""

from __future__ import annotations

import harness
import pytest
from conftest import REPORT

LESSONS = harness.lesson_paths()


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_clean_in_jupyterlab(lesson, lab_server, page, guard, artefacts):
    opened = harness.open_notebook(page, lab_server, lesson.name)
    ran, summary = harness.run_all(page)
    shots = harness.screenshot_whole_notebook(page, artefacts / "screenshots" / f"{lesson.stem}.png")
    harness.shut_down_kernels(lab_server)
    REPORT["lessons"][lesson.stem] = {
        "open_seconds": round(opened, 1), "run_all_seconds": round(ran, 1),
        "charts": len(summary["charts"]), "explorers": summary["explorers"],
        "screenshots": [str(s) for s in shots], "blocked": list(guard.blocked)}
    assert harness.problems(summary) == []
    assert guard.blocked == [], "the page tried to reach the internet"
    assert guard.allowed > 0  # the guard saw the page's own requests, so it was really in the way
