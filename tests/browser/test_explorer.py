"""Lesson 02's threshold explorer, driven like a lecturer would: a slider, then a number box.

After each change the sentence under the chart, the chart's own description (its ARIA label) and
every bar label drawn in the SVG must equal what a direct call of
``REGISTRY["02.thresholds"]`` computes for the same settings, on the same cohort. The
expected bar labels are formatted here, independently of the chart's Vega expression.
"""

from __future__ import annotations

import math

import harness
import pytest
from conftest import EXPLORER_NOTEBOOK, REPORT

LESSON_02 = sorted(harness.NOTEBOOKS.glob("02_*.ipynb"))
#: Lesson 02 when it exists; until then a one-cell notebook showing the same explorer.
TARGET = LESSON_02[0].name if LESSON_02 else EXPLORER_NOTEBOOK
#: Only lesson 02's threshold explorer has all of these controls.
EXPLORER = (".iaptlab-explorer:has(.iaptlab-control-phq9_caseness):has(.iaptlab-control-gad7_reliable_change)"
            ":has(.iaptlab-control-min_treatment_contacts):has(.iaptlab-control-denominator)")


@pytest.fixture(scope="module")
def direct():
    """``compute`` bound to the cohort the lesson uses (``lesson_cohort()``, 100,000 referrals)."""
    from iaptlab.explorers import REGISTRY

    return REGISTRY[harness.EXPLORER_KEY].bound()


def expected(direct, **settings) -> dict:
    result = direct(**settings)
    labels = [
        f"{int(row.numerator):,}/{int(row.denominator):,} "
        + ("(no denominator)" if math.isnan(row.rate) else f"({100 * row.rate:.1f}%)")
        for row in result.table.itertuples()]
    return {"sentence": result.sentence, "labels": labels,
            "description": result.chart.to_dict()["description"]}


def shown(explorer) -> dict:
    chart = explorer.locator(".iaptlab-chart")
    return {
        "sentence": explorer.locator(".iaptlab-sentence").inner_text().strip(),
        "labels": chart.locator("g.mark-text.role-mark text").all_text_contents(),
        "description": chart.locator(".vega-embed").first.get_attribute("aria-label") or "",
    }


def wait_until_shown(page, explorer, want: dict, timeout_s: float = 20) -> dict:
    """Poll the page until the explorer shows ``want`` (or time out and return what it shows)."""
    return harness.wait_until(page, lambda: shown(explorer), want, timeout_s=timeout_s, poll_ms=100)


def test_threshold_explorer_follows_slider_and_number_box(lab_server, page, guard, artefacts, direct):
    harness.open_notebook(page, lab_server, TARGET)
    _, summary = harness.run_all(page)
    assert harness.problems(summary) == []
    explorer = page.locator(EXPLORER)
    assert explorer.count() == 1, f"{TARGET} shows no threshold explorer"
    explorer.scroll_into_view_if_needed()

    at_default = expected(direct)
    assert wait_until_shown(page, explorer, at_default) == at_default  # same cohort as the lesson
    assert len(at_default["labels"]) == 5

    # 1. the PHQ-9 caseness slider, one step right with the keyboard (10 -> 11)
    explorer.locator(".iaptlab-control-phq9_caseness .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    moved = expected(direct, phq9_caseness=11)
    assert moved != at_default  # the move must change what is shown, or the test proves nothing
    assert wait_until_shown(page, explorer, moved) == moved
    assert explorer.locator(".iaptlab-number-phq9_caseness input").input_value() == "11"

    # 2. the GAD-7 caseness number box, typed (8 -> 10), as a presenter would for an exact value
    box = explorer.locator(".iaptlab-number-gad7_caseness input")
    box.fill("10")
    box.press("Enter")
    typed = expected(direct, phq9_caseness=11, gad7_caseness=10)
    assert typed != moved
    assert wait_until_shown(page, explorer, typed) == typed

    # 3. reset puts every rate back
    explorer.locator(".iaptlab-reset").click()
    assert wait_until_shown(page, explorer, at_default) == at_default

    explorer.screenshot(path=str(artefacts / "screenshots" / "explorer_thresholds.png"))
    REPORT["explorer"] = {"notebook": TARGET, "blocked": list(guard.blocked)}
    harness.shut_down_kernels(lab_server)
    assert guard.blocked == []
