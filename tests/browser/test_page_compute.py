"""Lesson 04's predictive-value explorer answers in the page: with the kernel busy (a cell
sleeping, so no widget message is handled), moving the prevalence slider, choosing another study,
typing "your own" sensitivity and pressing reset still redraw the chart and rewrite the sentence and
the table, each equal to what Python's ``compute`` gives for the same settings.
"""

from __future__ import annotations

import html
import json
import re
import time

import harness
import pytest

KEY = "04.predictive_values"
NOTEBOOK = "page_compute.ipynb"
EXPLORER = ".jp-Notebook .iaptlab-explorer:has(.iaptlab-control-prevalence_pct)"


def _notebook() -> str:
    cells = [{"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {}, "outputs": [],
              "source": "from iaptlab.notebook import setup\nprint(setup())\nfrom iaptlab.explorers import show\n"
                        f"show({KEY!r})"}]
    return json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                       "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                   "name": "python3"}, "language_info": {"name": "python"}}})


@pytest.fixture(scope="module")
def explorer_record():
    from iaptlab.explorers import REGISTRY

    return REGISTRY[KEY]


def _cells(table) -> str:
    """The table's cells as the notebook shows them (pandas' formatting), space-separated."""
    from iaptlab.widgets import table_html

    return " ".join(html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", table_html(table)))


def want_for(result) -> dict:
    """What the page must show for a Python ``Result``."""
    spec = result.chart.to_dict()
    return {"sentence": result.sentence, "description": spec["description"], "titles": harness.chart_titles(spec),
            "table": _cells(result.table)}


def expected(explorer_record, **settings) -> dict:
    return want_for(explorer_record.run(**settings))


def shown(explorer) -> dict:
    chart = explorer.locator(".iaptlab-chart")
    return {
        "sentence": explorer.locator(".iaptlab-sentence").inner_text().strip(),
        "description": chart.locator(".vega-embed").first.get_attribute("aria-label") or "",
        "titles": chart.evaluate(harness.CHART_TITLES_JS),
        "table": " ".join(explorer.locator(".iaptlab-table td").all_text_contents()),
    }


def wait_until_shown(page, explorer, want: dict, timeout_s: float = 10) -> dict:
    """Poll the page until the explorer shows ``want`` (or time out and return what it shows)."""
    return harness.wait_until(page, lambda: shown(explorer), want, timeout_s=timeout_s, poll_ms=50)


def test_moves_are_answered_in_the_page_while_the_kernel_is_busy(lab_server, page, guard, explorer_record):
    (lab_server.root / NOTEBOOK).write_text(_notebook())
    harness.open_notebook(page, lab_server, NOTEBOOK)
    _, summary = harness.run_all(page)
    assert harness.problems(summary) == []
    explorer = page.locator(EXPLORER)
    assert explorer.count() == 1
    explorer.scroll_into_view_if_needed()
    page.wait_for_selector(f"{EXPLORER} .iaptlab-chart [data-iaptlab-path='browser']", timeout=30_000)
    at_default = expected(explorer_record)
    assert wait_until_shown(page, explorer, at_default) == at_default

    client = harness.kernel_for(lab_server, NOTEBOOK)
    try:
        client.execute("import time; time.sleep(40)", store_history=False)  # the kernel is busy from now on
        busy_until = time.monotonic() + 35
        page.wait_for_timeout(500)

        # 1. the prevalence slider, one step right with the keyboard (20 -> 21): data and text change
        explorer.locator(".iaptlab-control-prevalence_pct .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        moved = expected(explorer_record, prevalence_pct=21)
        assert moved != at_default
        assert wait_until_shown(page, explorer, moved) == moved
        assert explorer.locator(".iaptlab-number-prevalence_pct input").input_value() == "21"

        # 2. "your own" values: the title changes too (a signal, not a new view)
        explorer.locator(".iaptlab-control-study input[type=radio]").last.check()
        own = expected(explorer_record, prevalence_pct=21, study="own")
        assert own["titles"][0] != moved["titles"][0]
        assert wait_until_shown(page, explorer, own) == own

        # 3. the number box of "your own sensitivity", typed
        box = explorer.locator(".iaptlab-number-own_sensitivity_pct input")
        box.fill("95")
        box.press("Enter")
        typed = expected(explorer_record, prevalence_pct=21, study="own", own_sensitivity_pct=95)
        assert typed != own
        assert wait_until_shown(page, explorer, typed) == typed

        # 4. reset puts every control, and so every number, back
        explorer.locator(".iaptlab-reset").click()
        assert wait_until_shown(page, explorer, at_default) == at_default
        assert explorer.locator(".iaptlab-number-prevalence_pct input").input_value() == "20"
        assert time.monotonic() < busy_until, "the kernel was free again before the checks ended"
    finally:
        client.stop_channels()
    harness.shut_down_kernels(lab_server)
    assert guard.blocked == []


#: Moves on the other explorers that answer in the page: (key, control, how, expected settings).
OTHER_MOVES = [
    ("00.example_cases", "phq9_caseness", "ArrowRight", {"phq9_caseness": 11}),
    ("00.example_cases", "min_treatment_contacts", "ArrowRight", {"phq9_caseness": 11, "min_treatment_contacts": 3}),
    ("01.measurement_error", "true_score", "ArrowRight", {"true_score": 13}),
    ("01.measurement_error", "instrument", 1, {"true_score": 13, "instrument": "GAD-7"}),  # a new chart structure
    ("02.thresholds", "phq9_caseness", "ArrowRight", {"phq9_caseness": 11}),
    ("02.thresholds", "reliable_change_comparison", 1, {"phq9_caseness": 11, "reliable_change_comparison": ">"}),
    ("02.thresholds", "denominator", 1, {"phq9_caseness": 11, "reliable_change_comparison": ">",
                                         "denominator": "finished_minus_not_at_caseness"}),
    ("06.national", "denominator", 3, {"denominator": "referrals_received"}),
    ("06.national", "year", 0, {"denominator": "referrals_received", "year": "2012-13"}),  # a year with gaps
    # two panels: the first one's title (the baseline) and the second one's subtitle (whose costs) change
    ("08.change_and_cost", "baseline_phq9", "ArrowRight", {"baseline_phq9": 16}),
    ("08.change_and_cost", "staff", "ArrowLeft", {"baseline_phq9": 16, "staff": 12_500}),
    ("08.change_and_cost", "definition", 2, {"baseline_phq9": 16, "staff": 12_500, "definition": "percent_20"}),
]


def _many_notebook(keys: list[str]) -> str:
    notebook = json.loads(_notebook())
    notebook["cells"][0]["source"] = notebook["cells"][0]["source"].rsplit("\n", 1)[0]
    notebook["cells"] += [{"cell_type": "code", "execution_count": None, "id": f"e{i}", "metadata": {}, "outputs": [],
                           "source": f"show({key!r})"} for i, key in enumerate(keys)]
    return json.dumps(notebook)


def test_the_other_page_explorers_answer_while_the_kernel_is_busy(lab_server, page, guard):
    from iaptlab.explorers import REGISTRY

    keys = list(dict.fromkeys(key for key, *_ in OTHER_MOVES))
    (lab_server.root / "page_compute_more.ipynb").write_text(_many_notebook(keys))
    harness.open_notebook(page, lab_server, "page_compute_more.ipynb")
    _, summary = harness.run_all(page)
    assert harness.problems(summary) == []
    page.wait_for_function("() => document.querySelectorAll(\".jp-Notebook .iaptlab-chart "
                           f"[data-iaptlab-path='browser']\").length >= {len(keys)}", timeout=60_000)
    explorers = page.locator(".jp-Notebook .iaptlab-explorer")
    assert explorers.count() == len(keys)
    client = harness.kernel_for(lab_server, "page_compute_more.ipynb")
    try:
        client.execute("import time; time.sleep(60)", store_history=False)
        busy_until = time.monotonic() + 55
        page.wait_for_timeout(500)
        for key, control, how, settings in OTHER_MOVES:
            explorer = explorers.nth(keys.index(key))
            explorer.scroll_into_view_if_needed()
            if isinstance(how, str):
                explorer.locator(f".iaptlab-control-{control} .noUi-handle").focus()
                page.keyboard.press(how)
            else:
                explorer.locator(f".iaptlab-control-{control} input[type=radio]").nth(how).check()
            want = want_for(REGISTRY[key].run(**settings))
            assert wait_until_shown(page, explorer, want) == want, (key, settings)
        assert time.monotonic() < busy_until, "the kernel was free again before the checks ended"
    finally:
        client.stop_channels()
    harness.shut_down_kernels(lab_server)
    assert guard.blocked == []


def test_a_page_script_that_fails_hands_the_move_to_the_kernel(lab_server, page, guard, explorer_record):
    """The page answers the first draw, then its script throws on a move: the kernel answers that
    move (and the next ones), with the same numbers."""
    source = (
        "from iaptlab.notebook import setup\nprint(setup())\n"
        "from iaptlab.explorers import REGISTRY\nfrom iaptlab.widgets import BrowserCompute, show\n"
        f"e = REGISTRY[{KEY!r}]\nb = e.browser()\n"
        "script = b.script.removesuffix('return compute;\\n') + (\n"
        "    'const real = compute;\\n'\n"
        "    'return (p, v) => { if (v.prevalence_pct !== 20) throw new Error(\"a test: the page gives up\"); '\n"
        "    'return real(p, v); };\\n')\n"
        "show(e.bound(), e.controls, browser=BrowserCompute(script, b.data, b.options))")
    notebook = json.loads(_notebook())
    notebook["cells"][0]["source"] = source
    (lab_server.root / "page_compute_fails.ipynb").write_text(json.dumps(notebook))
    harness.open_notebook(page, lab_server, "page_compute_fails.ipynb")
    _, summary = harness.run_all(page)
    assert harness.problems(summary) == []
    explorer = page.locator(EXPLORER)
    page.wait_for_selector(f"{EXPLORER} .iaptlab-chart [data-iaptlab-path='browser']", timeout=30_000)
    explorer.locator(".iaptlab-control-prevalence_pct .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    moved = expected(explorer_record, prevalence_pct=21)
    assert wait_until_shown(page, explorer, moved, timeout_s=20) == moved
    page.keyboard.press("ArrowRight")
    again = expected(explorer_record, prevalence_pct=22)
    assert wait_until_shown(page, explorer, again, timeout_s=20) == again
    assert page.locator(f"{EXPLORER} .iaptlab-chart [data-iaptlab-path='kernel']").count() == 1
    harness.shut_down_kernels(lab_server)
    assert guard.blocked == []
