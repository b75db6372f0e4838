"""Presentation mode: the Voila dashboard of lesson explorers renders charts and answers a slider.

Served as ``iaptlab present`` serves it (offline template, 127.0.0.1, light theme), in Chromium
with every off-host request blocked: no request may even be attempted, every chart is drawn, no
code is shown, and moving lesson 02's PHQ-9 caseness slider redraws the chart and sentence with
the numbers a direct call gives. The contents bar reaches every explorer a delivery plan names
in one click; nothing is clipped at 360, 1280 or 1920 px; axe-core finds no serious or critical
violation on the whole page.
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
    label = explorer.locator(".iaptlab-chart .vega-embed").first.get_attribute("aria-label")
    assert label == want.chart.to_dict()["description"]
    font = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                         "'.iaptlab-explorer .widget-label')).fontSize)")
    assert font >= 20  # readable from the back of a lecture theatre
    page.screenshot(path=str(artefacts / "screenshots" / "present.png"), full_page=True)

    from iaptlab.explorers import PLANS, anchor

    nav = page.locator("nav.iaptlab-contents")
    assert nav.count() == 1
    for key in {key for keys in PLANS.values() for key in keys} | set(REGISTRY):
        link = nav.locator(f'a[href="#{anchor(key)}"]').first
        assert link.count() == 1, f"no link to {key}"
        link.click()  # one click brings the explorer's section to the top, just under the bar
        page.wait_for_timeout(150)
        top, bar = page.evaluate(f"""() => [document.getElementById('{anchor(key)}').getBoundingClientRect().top,
            document.querySelector('nav.iaptlab-contents').getBoundingClientRect().bottom]""")
        assert bar - 2 <= top < bar + 60, f"{key}: its section is at {top} px after the click (bar ends {bar})"
    clipped = {}
    for width in (360, 1280, 1920):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(400)
        clipped[width] = harness.clipped_parts(page)
        if width == 1920:
            page.screenshot(path=str(artefacts / "screenshots" / "present-1920.png"))
    assert {width: found for width, found in clipped.items() if found} == {}
    assert harness.axe_violations(page, "body") == []
    assert guard.blocked == []
