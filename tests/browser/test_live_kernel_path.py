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
    """Poll the page until the explorer shows ``want`` (or time out and return what it shows)."""
    return harness.wait_until(page, lambda: shown(explorer), want, timeout_s=timeout_s, poll_ms=100)


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


DEFINITIONS_NOTEBOOK = "kernel_path_02_definitions.ipynb"


def _axis_labels(explorer) -> set[str]:
    texts = explorer.locator(".iaptlab-chart .role-axis-label text").all_text_contents()
    joined = {"".join(text.split()) for text in texts}  # a wrapped label's lines, joined, no spaces
    return {text for text in joined if not text.endswith("%")}  # the y axis: the rate axis is in %


def test_labels_that_carry_a_number_change_in_the_same_view(lab_server, page, guard):
    """Lesson 02's definitions: the Jacobson-Truax row's label carries its cut-off, wrapped over two
    lines; moving the non-clinical mean changes that label through its signal, not a new embed."""
    from iaptlab.explorers import REGISTRY

    explorer_key = "02.definitions"
    direct = REGISTRY[explorer_key].bound()
    source = _notebook().replace(repr(KEY), repr(explorer_key))
    (lab_server.root / DEFINITIONS_NOTEBOOK).write_text(source)
    harness.open_notebook(page, lab_server, DEFINITIONS_NOTEBOOK)
    _, summary = harness.run_all(page)
    assert harness.problems(summary) == []
    explorer = page.locator(".iaptlab-explorer")
    explorer.scroll_into_view_if_needed()
    chart = explorer.locator(".iaptlab-chart")
    chart.locator("svg").first.wait_for()

    def want(**settings) -> tuple[set[str], str]:
        result = direct(**settings)
        return {"".join(label.split()) for label in result.table["definition"]}, result.sentence

    def seen() -> tuple[set[str], str]:
        return _axis_labels(explorer), explorer.locator(".iaptlab-sentence").inner_text().strip()

    def wait_for(expected) -> tuple[set[str], str]:
        for _ in range(200):
            if seen() == expected:
                break
            page.wait_for_timeout(100)
        return seen()

    start = want()
    assert wait_for(start) == start
    chart.evaluate("el => { el.querySelector('svg').dataset.firstView = 'yes'; }")
    explorer.locator(".iaptlab-control-functional_mean .noUi-handle").focus()
    mean = REGISTRY[explorer_key].controls[3]
    assert mean.name == "functional_mean"
    page.keyboard.press("ArrowRight")
    moved = want(functional_mean=mean.default + mean.step)
    assert moved[0] != start[0]  # the cut-off, and so a label, moved
    assert wait_for(moved) == moved
    assert chart.locator("svg[data-first-view='yes']").count() == 1  # the same view
    harness.shut_down_kernels(lab_server)
    assert guard.blocked == []


def test_the_dashboard_writes_the_kernels_sentence_and_table_too(page, guard):
    """In Voila (``iaptlab present``), the sentence and table that come with the chart's update are
    written by the page as in JupyterLab (lesson 05's explorer, one move)."""
    from iaptlab.explorers import REGISTRY

    server = harness.start_server("voila")
    try:
        page.goto(server.voila_url("present/workshop.ipynb"), wait_until="commit")
        explorer = page.locator(".iaptlab-explorer:has(.iaptlab-control-entry_cutoff)")
        explorer.wait_for(timeout=180_000)
        explorer.locator(".iaptlab-chart svg").first.wait_for(timeout=60_000)
        explorer.scroll_into_view_if_needed()
        explorer.locator(".iaptlab-control-entry_cutoff .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        want = expected(REGISTRY[KEY].bound(), entry_cutoff=11)
        assert wait_until_shown(page, explorer, want) == want
        assert guard.blocked == []
    finally:
        server.stop()
