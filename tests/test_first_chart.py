"""Every lesson's first chart sooner (issue 15 item 7): charts are displayed without Altair's
parse-and-check round trip (``setup()``'s "jupyter" renderer, and :func:`iaptlab.charts.chart_output`
for an explorer's static default), and ``show`` computes the default result once; same output.

Each chart widget is compared with the one Altair's own ``jupyter`` renderer makes for the same
chart (every synced property: what the page draws from), never with copied values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import altair as alt
import IPython.display
import pandas as pd
import pytest

from iaptlab import datasets, widgets
from iaptlab.charts import chart_output, use_offline_renderer
from iaptlab.charts.lessons import observer_bias_chart, trial_evidence_chart
from iaptlab.demand import trial_evidence
from iaptlab.explorers import REGISTRY
from iaptlab.widgets import Control, Result

#: The widget properties the page receives (what it draws from).
SYNCED = ("spec", "embed_options", "_params", "_vl_selections", "_selection_types", "debounce_wait",
          "max_wait", "local_tz")


@pytest.fixture
def renderer():
    """Switch Altair's renderer for one test and put the previous one back."""
    before, options = alt.renderers.active, dict(alt.renderers.options)
    yield lambda name, **kwargs: alt.renderers.enable(name, **kwargs)
    alt.renderers.enable(before, **options)


def _widget_by_id(model_id: str):
    """The live widget with this model id (ipywidgets 8 keeps them in ``_instances``)."""
    from ipywidgets.widgets.widget import _instances

    return _instances[model_id]


def _displayed_widget(chart):
    """The chart widget that ``display(chart)`` makes with the active renderer."""
    bundle = chart._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle  # (data, metadata) or data
    return _widget_by_id(data["application/vnd.jupyter.widget-view+json"]["model_id"])


def _altairs_widget(chart):
    """The chart widget Altair's own ``jupyter`` renderer makes (altair/vegalite/v*/display.py):
    the dict, parsed back into a chart, handed to the widget with the renderer's options."""
    return alt.JupyterChart(chart=alt.Chart.from_dict(chart.to_dict()), embed_options={"actions": False})


def _synced(widget) -> dict:
    return {name: getattr(widget, name) for name in SYNCED}


def _lesson_charts() -> dict:
    charts = {key: REGISTRY[key].run().chart for key in REGISTRY}
    charts["04 observer bias"] = observer_bias_chart()
    charts["03 trial evidence"] = trial_evidence_chart(trial_evidence(datasets.load("assessment_bias")))
    return charts


@pytest.fixture(scope="module")
def lesson_charts():
    return _lesson_charts()


@pytest.fixture
def iaptlab_jupyter(renderer):
    """The renderer ``setup()`` enables in JupyterLab (asked for twice: registered once)."""
    assert use_offline_renderer("jupyter") == "jupyter"
    assert use_offline_renderer("jupyter") == "jupyter"


def test_displayed_charts_have_the_widget_altairs_renderer_makes(iaptlab_jupyter, lesson_charts):
    for name, chart in lesson_charts.items():
        shown = _displayed_widget(chart)
        assert shown.chart is None, name  # not parsed back into a chart
        assert _synced(shown) == _synced(_altairs_widget(chart)), name


def test_static_default_chart_widget_is_the_one_altairs_renderer_makes(iaptlab_jupyter, lesson_charts):
    for name, chart in lesson_charts.items():
        shown = chart_output(chart)
        assert isinstance(shown, alt.JupyterChart), name
        assert _synced(shown) == _synced(_altairs_widget(chart)), name


def test_a_chart_with_parameters_keeps_them_in_its_widget(iaptlab_jupyter):
    slider = alt.param(name="cut", value=3, bind=alt.binding_range(min=0, max=9))
    chart = alt.Chart(pd.DataFrame({"x": [1, 5]})).mark_point().encode(x="x:Q").add_params(slider)
    shown = _displayed_widget(chart)  # Altair's path: the widget syncs them from the chart
    assert shown._params == {"cut": 3} and shown.chart is not None
    assert _synced(shown) == _synced(_altairs_widget(chart))
    assert chart_output(chart) is chart  # displayed as usual
    layered = alt.layer(chart, alt.Chart(pd.DataFrame({"x": [2]})).mark_rule().encode(x="x:Q"))
    assert _displayed_widget(layered)._params == {"cut": 3} == _altairs_widget(layered)._params
    assert chart_output(layered) is layered


def test_any_other_renderer_displays_the_chart_itself(renderer):
    renderer("svg")
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    assert chart_output(chart) is chart


CONTROLS = (Control("k", "Cut-off", "int", 10, 0, 27), Control("strict", "Strict", "bool", False))


def _counting_compute(calls: list):
    def compute(k=10, strict=False) -> Result:
        calls.append((k, strict))
        chart = alt.Chart(pd.DataFrame({"x": ["k"], "y": [k]})).mark_bar().encode(x="x:N", y="y:Q")
        return Result(pd.DataFrame({"k": [k]}), chart=chart, sentence=f"k is {k}, strict {strict}")
    return compute


@pytest.mark.parametrize("mode", ["svg", "jupyter"])
def test_show_computes_the_default_once_and_the_live_view_starts_from_it(renderer, monkeypatch, mode):
    renderer(mode, **({"offline": True} if mode == "jupyter" else {}))
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    calls: list = []
    box = widgets.show(_counting_compute(calls), CONTROLS)
    assert calls == [(10, False)]
    assert "k is 10, strict False" in box.sentence.value
    box.controls["k"].value = 11  # a move computes
    box.controls["k"].value = 10  # and so does coming back to the default: the static result is used once
    assert calls == [(10, False), (11, False), (10, False)]
    assert "k is 10, strict False" in box.sentence.value and len(box.refresh_seconds) == 3


@pytest.mark.parametrize("key", list(REGISTRY))
def test_every_explorers_default_chart_is_the_same_built_without_altairs_checks(key):
    from iaptlab.charts import live

    explorer = REGISTRY[key]
    checked = explorer.run().chart.to_dict()
    with live.schema_checks(enabled=False):
        unchecked = explorer.run().chart
    assert unchecked.to_dict() == checked  # to_dict() checks it whole, as the live chart's first draw does


def test_show_still_refuses_a_chart_the_schema_rejects(renderer, monkeypatch):
    from altair.utils.schemapi import SchemaValidationError

    renderer("jupyter", offline=True)
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)

    def compute(k=10, strict=False) -> Result:
        chart = alt.Chart(pd.DataFrame({"x": ["k"], "y": [k]})).mark_bar().encode(
            x=alt.X("x", type="not-a-type"), y="y:Q")
        return Result(pd.DataFrame({"k": [k]}), chart=chart, sentence="")

    with pytest.raises(SchemaValidationError):
        widgets.show(compute, CONTROLS)


# ------------------------------------------------------------------ setup(): the imports out of the collector's way


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (this session imported everything long ago) and return the
    JSON it prints last."""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent, env={**os.environ,
                                                                  "IAPTLAB_RENDERER": "svg"})
    return json.loads(out.stdout.strip().splitlines()[-1])


_STATE = ("import gc, json, sys\nprint(json.dumps({'frozen': gc.get_freeze_count(), 'enabled': gc.isenabled(), "
          "'pandas': 'pandas' in sys.modules}))")


def test_setup_imports_the_libraries_and_freezes_them_out_of_the_collectors_scans():
    before = _fresh(f"from iaptlab.notebook import setup\n{_STATE}")
    assert before == {"frozen": 0, "enabled": True, "pandas": False}  # importing the module is light
    after = _fresh(f"from iaptlab.notebook import setup\nsetup()\nsetup()\n{_STATE}")
    assert after["enabled"] and after["pandas"]
    assert after["frozen"] > 50_000  # every object of the imports, frozen once


def test_setup_leaves_a_collector_turned_off_off():
    state = _fresh(f"import gc\ngc.disable()\nfrom iaptlab.notebook import setup\nsetup()\n{_STATE}")
    assert state["enabled"] is False and state["frozen"] > 50_000


def test_setup_freezes_nothing_when_the_libraries_were_imported_before():
    state = _fresh(f"import altair\nfrom iaptlab.notebook import setup\nsetup()\n{_STATE}")
    assert state == {"frozen": 0, "enabled": True, "pandas": True}


# ------------------------------------------------------------------ setup(): IPython's history written in batches


class _History:
    def __init__(self, size: int, enabled: bool = True) -> None:
        self.db_cache_size, self.enabled = size, enabled


class _Shell:
    def __init__(self, history: _History | None) -> None:
        self.history_manager = history


def test_history_is_written_in_batches_only_where_ipython_writes_after_every_cell():
    from iaptlab.notebook import HISTORY_BATCH, _history_in_batches

    default = _History(0)
    assert _history_in_batches(_Shell(default)) is True and default.db_cache_size == HISTORY_BATCH
    assert _history_in_batches(_Shell(default)) is False and default.db_cache_size == HISTORY_BATCH  # twice: once
    for configured in (1, 7, 1000):  # the learner's own setting stays
        history = _History(configured)
        assert _history_in_batches(_Shell(history)) is False and history.db_cache_size == configured
    off = _History(0, enabled=False)
    assert _history_in_batches(_Shell(off)) is False and off.db_cache_size == 0
    assert _history_in_batches(_Shell(None)) is False and _history_in_batches(None) is False


def test_setup_in_ipython_batches_the_history():
    # IPython's test shell keeps history in memory with a batch of its own: set back to the kernel's default
    state = _fresh("from IPython.testing.globalipapp import start_ipython\nshell = start_ipython()\n"
                   "shell.history_manager.db_cache_size = 0\n"
                   "from iaptlab.notebook import setup\nsetup()\nimport json\n"
                   "print(json.dumps({'size': shell.history_manager.db_cache_size}))")
    from iaptlab.notebook import HISTORY_BATCH

    assert state == {"size": HISTORY_BATCH}


# ------------------------------------------------------------------ datasets: bundled tables checked once


@pytest.mark.parametrize("name", ["claims", "national_annual", "instrument_accuracy"])
def test_a_bundled_dataset_is_the_same_table_every_call_and_each_caller_gets_its_own(name, tmp_path):
    import shutil

    first = datasets.load(name)
    first.iloc[0, 0] = "changed by a learner"
    first["added by a learner"] = 1
    again = datasets.load(name)
    assert again is not first and again.iloc[0, 0] != "changed by a learner"
    assert "added by a learner" not in again
    copy = tmp_path / "data"  # read from a folder: read and checked anew, the same table
    shutil.copytree(Path(str(resources.files("iaptlab.data"))), copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    pd.testing.assert_frame_equal(again, datasets.load(name, data_dir=copy))
