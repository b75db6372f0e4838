"""An explorer answered by the kernel (lesson 05's), driven with the keyboard in JupyterLab.

One message per move carries the chart's rows, title and description and the sentence and table:
after each move the page must show exactly what a direct call of the explorer computes for the
same settings (sentence, table, the chart's accessible description, title and subtitle), from the
same view (the title changes through its signals, never by a new embed).
"""

from __future__ import annotations

import json

import harness
import pytest

KEY = "05.regression_to_mean"
NOTEBOOK = "kernel_path_05.ipynb"


@pytest.fixture(scope="module")
def direct():
    from iaptlab.explorers import REGISTRY

    return REGISTRY[KEY].bound()


def _notebook() -> str:
    cells = [{"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {}, "outputs": [],
              "source": f"from iaptlab.notebook import setup\nsetup()\nfrom iaptlab.explorers import show\nshow({KEY!r})"}]
    return json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                       "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                   "name": "python3"}}})


def expected(direct, **settings) -> dict:
    result = direct(**settings)
    spec = result.chart.to_dict()
    return {"sentence": result.sentence, "description": spec["description"], "title": spec["title"]["text"],
            "subtitle": spec["title"]["subtitle"], "first_row": [str(v) for v in result.table.iloc[0]]}


def shown(explorer) -> dict:
    chart = explorer.locator(".iaptlab-chart")
    return {
        "sentence": explorer.locator(".iaptlab-sentence").inner_text().strip(),
        "description": chart.locator(".vega-embed").first.get_attribute("aria-label") or "",
        "title": "".join(chart.locator(".role-title-text text").all_text_contents()),
        "subtitle": "".join(chart.locator(".role-title-subtitle text").all_text_contents()),
        "first_row": [c.strip() for c in explorer.locator(".iaptlab-table tbody tr").first.locator("td").all_inner_texts()],
    }


def wait_until_shown(page, explorer, want: dict, timeout_s: float = 20) -> dict:
    deadline = page.evaluate("() => performance.now()") + 1000 * timeout_s
    seen = shown(explorer)
    while seen != want and page.evaluate("() => performance.now()") < deadline:
        page.wait_for_timeout(100)
        seen = shown(explorer)
    return seen


def test_kernel_path_shows_the_direct_result_after_each_move(lab_server, page, guard, direct):
    (lab_server.root / NOTEBOOK).write_text(_notebook())
    harness.open_notebook(page, lab_server, NOTEBOOK)
    _, summary = harness.run_all(page)
    assert harness.problems(summary) == []
    explorer = page.locator(".iaptlab-explorer")
    explorer.scroll_into_view_if_needed()
    at_default = expected(direct)
    assert wait_until_shown(page, explorer, at_default) == at_default
    chart = explorer.locator(".iaptlab-chart")
    chart.evaluate("el => { el.querySelector('svg').dataset.firstView = 'yes'; }")  # a new embed draws a new svg

    explorer.locator(".iaptlab-control-entry_cutoff .noUi-handle").focus()
    for cutoff in (11, 12):
        page.keyboard.press("ArrowRight")
        moved = expected(direct, entry_cutoff=cutoff)
        assert moved["subtitle"] != at_default["subtitle"]  # the title's text moves with the cut-off
        assert wait_until_shown(page, explorer, moved) == moved
    assert chart.locator("svg[data-first-view='yes']").count() == 1  # the same view throughout
    assert chart.locator("[data-iaptlab-path]").first.get_attribute("data-iaptlab-path") == "kernel"

    explorer.locator(".iaptlab-reset").click()
    assert wait_until_shown(page, explorer, at_default) == at_default
    harness.shut_down_kernels(lab_server)
    assert guard.blocked == []
