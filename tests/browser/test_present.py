"""Presentation mode: the Voila dashboard of lesson explorers renders charts and answers a slider.

Served as ``iaptlab present`` serves it (offline template, 127.0.0.1, light theme), in Chromium
with every off-host request blocked: no request may even be attempted, every chart is drawn, no
code is shown, and moving lesson 02's PHQ-9 caseness slider redraws the chart and sentence with
the numbers a direct call gives.
"""

from __future__ import annotations

import harness
import pytest
from test_explorer import EXPLORER

PRESENT = "present/workshop.ipynb"


@pytest.fixture(scope="module")
def voila_server():
    server = harness.start_server("voila")
    yield server
    server.stop()


def test_dashboard_renders_and_answers_a_slider(voila_server, page, guard, artefacts):
    from iaptlab.explorers import REGISTRY

    page.goto(voila_server.voila_url(PRESENT), wait_until="commit")
    explorers = page.locator(".iaptlab-explorer")
    page.wait_for_function(f"() => document.querySelectorAll('.iaptlab-explorer').length >= {len(REGISTRY)}",
                           timeout=180_000)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.iaptlab-explorer .iaptlab-chart'))"
        ".every(c => c.querySelector('svg.marks, canvas.marks'))", timeout=60_000)
    shown_text = page.locator("body").inner_text()
    assert "import" not in shown_text and "build(" not in shown_text  # no code on screen
    assert page.locator("text=Traceback").count() == 0
    charts = page.locator(".iaptlab-chart")
    assert charts.count() == explorers.count() == len(REGISTRY)
    for explorer in REGISTRY.values():  # every title comes from the registry
        assert page.locator(".iaptlab-explorer h4", has_text=explorer.title).count() == 1

    direct = REGISTRY[harness.EXPLORER_KEY].bound()
    explorer = page.locator(EXPLORER)
    explorer.scroll_into_view_if_needed()
    explorer.locator(".iaptlab-control-phq9_caseness .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    want = direct(phq9_caseness=11)
    sentence = explorer.locator(".iaptlab-sentence")
    page.wait_for_function(
        "([el, text]) => el.innerText.trim() === text",
        arg=[sentence.element_handle(), want.sentence], timeout=20_000)
    label = explorer.locator(".iaptlab-chart .chart-wrapper").get_attribute("aria-label")
    assert label == want.chart.to_dict()["description"]
    font = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                         "'.iaptlab-explorer .widget-label')).fontSize)")
    assert font >= 20  # readable from the back of a lecture theatre
    page.screenshot(path=str(artefacts / "screenshots" / "present.png"), full_page=True)
    assert guard.blocked == []
