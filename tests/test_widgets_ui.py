"""What the browser relies on: CSS hooks on every part, the chart updated in place, timings kept."""

from __future__ import annotations

import altair as alt
import IPython.display
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import widgets
from iaptlab.charts.live import LIVE_EMBED_OPTIONS
from iaptlab.widgets import (
    ChartSlot,
    Control,
    Result,
    build,
    show_static,
)

CONTROLS = (
    Control("cut_off", "Cut-off", "int", 10, 0, 27),
    Control("rule", "Rule", "choice", ">=", options=((">=", "at least"), (">", "more than"))),
    Control("strict", "Strict", "bool", False),
)


def compute(cut_off=10, rule=">=", strict=False) -> Result:
    data = pd.DataFrame({"x": ["cut"], "y": [cut_off]})
    chart = alt.Chart(data).mark_bar().encode(x="x:N", y="y:Q")
    return Result(data, chart=chart, sentence=f"cut {cut_off} {rule} {strict}")


@pytest.fixture
def renderer():
    """Switch Altair's renderer for one test and put the previous one back."""
    before, options = alt.renderers.active, dict(alt.renderers.options)

    def use(name: str, **kwargs) -> None:
        alt.renderers.enable(name, **kwargs)

    yield use
    alt.renderers.enable(before, **options)


def test_every_part_has_a_css_hook(renderer):
    renderer("svg")
    box = build(compute, CONTROLS)
    assert "iaptlab-explorer" in box._dom_classes
    assert "iaptlab-control-cut_off" in box.controls["cut_off"]._dom_classes
    assert "iaptlab-control-rule" in box.controls["rule"]._dom_classes
    assert "iaptlab-control-strict" in box.controls["strict"]._dom_classes
    slider = box.controls["cut_off"]
    row = next(c for c in box.children if slider in getattr(c, "children", ()))
    number = next(c for c in row.children if c is not slider)
    assert "iaptlab-number-cut_off" in number._dom_classes
    assert "iaptlab-sentence" in box.sentence._dom_classes
    assert "iaptlab-table" in box.table._dom_classes
    assert "iaptlab-chart" in box.chart_output._dom_classes
    reset = next(c for c in box.children if getattr(c, "description", "") == "Reset to defaults")
    assert "iaptlab-reset" in reset._dom_classes
    # no two controls share a hook, and only the numeric control has a number box
    hooks = [cls for w in box.controls.values() for cls in w._dom_classes]
    assert len(hooks) == len(set(hooks)) == len(CONTROLS)


def test_jupyter_renderer_updates_one_chart_widget_in_place(renderer):
    renderer("jupyter", offline=True)
    box = build(compute, CONTROLS)
    slot = box.chart_slot
    assert slot.mode == "widget"
    first = slot.chart_widget
    embedded = first.spec
    assert box.chart_output.children == (first,)
    assert first.embed_options == LIVE_EMBED_OPTIONS
    assert first.embed_options["actions"] is False  # no unlabelled <summary> menu
    assert first.update == {}
    box.controls["cut_off"].value = 17
    assert slot.chart_widget is first and first.spec is embedded  # same view: only the data moves
    name = next(iter(embedded["datasets"]))
    assert first.update["datasets"] == {name: [{"x": "cut", "y": 17}]}
    box.controls["cut_off"].value = 0  # the minimum is a real value, not "nothing"
    assert first.update["datasets"] == {name: [{"x": "cut", "y": 0}]}
    assert "cut 0" in box.sentence.value
    box.controls["rule"].value = ">"  # same chart data: no rows sent, only the new texts
    assert first.update["datasets"] == {} and first.update["description"] is None
    assert first.update["texts"] == [box.sentence.value, box.table.value]
    assert "cut 0 &gt; False" in first.update["texts"][0]


def test_a_new_chart_structure_is_embedded_afresh(renderer):
    renderer("jupyter", offline=True)

    def two_shapes(cut_off=10, rule=">=", strict=False) -> Result:
        data = pd.DataFrame({"x": ["cut"], "y": [cut_off]})
        mark = alt.Chart(data).mark_point() if strict else alt.Chart(data).mark_bar()
        return Result(data, chart=mark.encode(x="x:N", y="y:Q"), sentence="")

    box = build(two_shapes, CONTROLS)
    first = box.chart_slot.chart_widget
    box.controls["strict"].value = True
    assert box.chart_slot.chart_widget is first
    assert first.spec["mark"]["type"] == "point" and "datasets" not in first.update
    assert first.update["texts"] == [box.sentence.value, box.table.value]


def test_every_control_part_has_an_accessible_name(renderer):
    renderer("svg")
    box = build(compute, CONTROLS)
    slider = box.controls["cut_off"]
    row = next(c for c in box.children if slider in getattr(c, "children", ()))
    number = next(c for c in row.children if c is not slider)
    # the number box carries the label too (visually hidden by the explorer's stylesheet)
    assert slider.description == number.description == "Cut-off"
    assert "iaptlab-number" in number._dom_classes
    assert box.controls["rule"].description == "Rule"
    assert box.controls["rule"].__class__.__name__ == "RadioButtons"  # options wrap, never cut
    reset = next(c for c in box.children if getattr(c, "description", "") == "Reset to defaults")
    assert reset.layout.width == "auto"
    support = [c for c in box.children if "iaptlab-support" in getattr(c, "_dom_classes", ())]
    assert len(support) == 1 and ".noUi-handle" in support[0]._esm and "@media" not in support[0]._esm
    assert ".iaptlab-explorer" in support[0]._css


def test_other_renderers_redisplay_in_an_output(renderer):
    renderer("svg")
    box = build(compute, CONTROLS)
    assert box.chart_slot.mode == "output"
    assert box.chart_output.__class__.__name__ == "Output"


def test_chart_slot_ignores_no_chart(renderer):
    renderer("jupyter", offline=True)
    slot = ChartSlot()
    slot.update(None)
    assert slot.chart_widget is None and slot.widget.children == ()


def test_refresh_timings_one_per_update_and_bounded(renderer, monkeypatch):
    renderer("svg")
    monkeypatch.setattr(widgets, "TIMINGS_KEPT", 4)
    box = build(compute, CONTROLS)
    assert len(box.refresh_seconds) == 1  # the first draw
    box.controls["cut_off"].value = 11
    box.controls["rule"].value = ">"
    assert len(box.refresh_seconds) == 3
    assert all(0 <= t < 5 for t in box.refresh_seconds)
    for value in range(1, 7):
        box.controls["cut_off"].value = value
    assert len(box.refresh_seconds) == 4


def test_failed_update_records_no_timing(renderer):
    renderer("svg")

    def fails_at_13(cut_off=10, rule=">=", strict=False) -> Result:
        if cut_off == 13:
            raise ValueError("no")
        return compute(cut_off, rule, strict)

    box = build(fails_at_13, CONTROLS)
    box.controls["cut_off"].value = 13
    assert len(box.refresh_seconds) == 1


def test_static_default_is_marked(renderer, monkeypatch):
    renderer("svg")
    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    show_static(compute, CONTROLS)
    html_parts = [getattr(o, "data", "") for o in shown if isinstance(o, IPython.display.HTML)]
    marked = [h for h in html_parts if 'class="iaptlab-static-default"' in h]
    assert len(marked) == 1 and "cut 10 &gt;= False" in marked[0]
    assert len(shown) == 3  # chart, table, sentence


def _two_dataset_spec(names: tuple[str, str], first: list, second: list, description: str = "d") -> dict:
    return {"datasets": {names[0]: first, names[1]: second}, "description": description,
            "vconcat": [{"data": {"name": names[0]}, "mark": "bar"}, {"data": {"name": names[1]}, "mark": "bar"}]}


def test_data_update_sends_only_changed_datasets_under_the_embedded_names():
    from iaptlab.charts.live import data_update

    embedded = _two_dataset_spec(("a1", "b1"), [{"x": 1}], [{"y": 1}])
    later = _two_dataset_spec(("a2", "b2"), [{"x": 1}], [{"y": 2}], description="e")
    assert data_update(embedded, later) == {"datasets": {"b1": [{"y": 2}]}, "description": "e"}
    # compared with what the page shows now, not with the first spec
    shown = _two_dataset_spec(("a3", "b3"), [{"x": 1}], [{"y": 2}], description="e")
    assert data_update(embedded, later, shown=shown) == {"datasets": {}, "description": None}
    # a different structure, or a different number of datasets, needs a new embed
    assert data_update(embedded, {**later, "vconcat": later["vconcat"][::-1]}) is None
    one = {"datasets": {"a": [{"x": 1}]}, "data": {"name": "a"}, "mark": "bar"}
    assert data_update(embedded, one) is None and data_update(one, embedded) is None


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=4), st.lists(st.integers(-5, 5), min_size=1, max_size=4))
def test_data_update_then_applied_gives_the_new_rows(before, after):
    from iaptlab.charts.live import data_update

    old = {"datasets": {"old": [{"v": v} for v in before]}, "data": {"name": "old"}, "mark": "bar"}
    new = {"datasets": {"new": [{"v": v} for v in after]}, "data": {"name": "new"}, "mark": "bar"}
    update = data_update(old, new)
    applied = {**old["datasets"], **update["datasets"]}
    assert applied == {"old": new["datasets"]["new"]}
    assert bool(update["datasets"]) == (before != after)


def test_offline_bundle_is_made_once_per_machine_then_read_from_the_cache(tmp_path, monkeypatch):
    import vl_convert

    from iaptlab.charts.live import bundled_offline

    calls = []
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda snippet, vl_version=None: calls.append(snippet)
                        or f"bundle of {snippet}")
    assert bundled_offline("export default 1") == "bundle of export default 1"
    assert bundled_offline("export default 1") == "bundle of export default 1"
    assert calls == ["export default 1"]  # the second kernel reads the file
    assert bundled_offline("export default 2") == "bundle of export default 2"  # a new snippet: a new bundle
    assert len(calls) == 2 and len(list((tmp_path / "iaptlab").glob("bundle-*.js"))) == 2
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("")  # a cache that cannot be made: bundle each time, no error
    assert bundled_offline("export default 1") == "bundle of export default 1" and len(calls) == 3


def _browser_explorer():
    from iaptlab.explorers import REGISTRY

    explorer = REGISTRY["04.predictive_values"]
    return explorer, build(explorer.bound(), explorer.controls, browser=explorer.browser())


def test_browser_path_hands_the_page_the_script_controls_and_texts(renderer):
    renderer("jupyter", offline=True)
    explorer, box = _browser_explorer()
    view = box.chart_slot.chart_widget
    assert "function compute(" in view.compute_script and view.compute_data["specs"]
    # every value widget, the number boxes under their slider's name, and the sentence and table
    assert view.control_names == ["study", "prevalence_pct", "prevalence_pct", "own_sensitivity_pct",
                                  "own_sensitivity_pct", "own_specificity_pct", "own_specificity_pct"]
    assert view.controls[0] is box.controls["study"] and view.controls[1] is box.controls["prevalence_pct"]
    assert view.texts == [box.sentence, box.table]
    study = next(c for c in explorer.controls if c.name == "study")
    assert view.choice_options["study"] == [value for value, _ in study.options]
    assert box.path() == "kernel"  # until the page says it has loaded the script


def test_kernel_stays_quiet_while_the_page_answers_and_answers_again_when_it_gives_up(renderer):
    renderer("jupyter", offline=True)
    _, box = _browser_explorer()
    view = box.chart_slot.chart_widget
    sentence, update = box.sentence.value, view.update
    view.browser_ready = True  # as the page sets it
    assert box.path() == "browser"
    box.controls["prevalence_pct"].value = 33
    assert box.sentence.value == sentence and view.update == update  # no second update from the kernel
    assert len(box.refresh_seconds) == 1
    view.browser_ready = False  # the page's script failed: the kernel draws the current settings
    assert box.path() == "kernel" and "If 33 in 100" in box.sentence.value
    assert len(box.refresh_seconds) == 2
    (rows,) = view.update["datasets"].values()  # every row sent again, not a diff against stale rows
    assert len(rows) == 201 and view.update["description"]


def test_no_browser_path_without_a_live_chart(renderer):
    renderer("svg")
    _, box = _browser_explorer()
    assert box.chart_slot.browser is None and box.path() == "kernel"
    box.controls["prevalence_pct"].value = 33
    assert "If 33 in 100" in box.sentence.value


def test_the_page_copy_is_made_only_for_a_live_chart(renderer):
    made = []

    def factory():
        made.append(1)
        return None

    renderer("svg")
    build(compute, CONTROLS, browser=factory)
    assert made == []  # no live chart: nothing for the page to run, nothing made
    renderer("jupyter", offline=True)
    box = build(compute, CONTROLS, browser=factory)
    assert made == [1] and box.chart_slot.browser is None and box.path() == "kernel"


def _sent_messages(monkeypatch) -> list[tuple[object, dict]]:
    """Every widget message the kernel sends from now on, as (widget, message)."""
    import ipywidgets

    sent: list[tuple[object, dict]] = []
    original = ipywidgets.Widget._send

    def recording(self, msg, buffers=None):
        sent.append((self, msg))
        return original(self, msg, buffers=buffers)

    monkeypatch.setattr(ipywidgets.Widget, "_send", recording)
    return sent


def test_a_kernel_move_is_one_message_that_carries_chart_sentence_and_table(renderer, monkeypatch):
    renderer("jupyter", offline=True)
    box = build(compute, CONTROLS)
    view = box.chart_slot.chart_widget
    check_box = box.controls["strict"]  # no number box linked to it
    sent = _sent_messages(monkeypatch)
    check_box.set_state({"value": True})  # as a message from the page does
    assert [widget for widget, _ in sent if widget is not check_box] == [view]  # no sentence, no table
    (update,) = (msg["state"]["update"] for widget, msg in sent if widget is view)
    assert update["texts"] == [box.sentence.value, box.table.value]
    assert "cut 10 &gt;= True" in box.sentence.value  # the kernel's copies are current
    sent.clear()
    check_box.set_state({"value": False})
    check_box.set_state({"value": False})  # no change: nothing more
    assert [widget for widget, _ in sent if widget is not check_box] == [view]


def test_first_draw_and_other_renderers_send_the_texts_themselves(renderer, monkeypatch):
    renderer("svg")
    sent = _sent_messages(monkeypatch)
    box = build(compute, CONTROLS)
    sent.clear()
    box.controls["cut_off"].value = 12  # a new sentence and a new table
    assert {id(box.sentence), id(box.table)} <= {id(widget) for widget, _ in sent}


def _titled(cut_off=10, rule=">=", strict=False) -> Result:
    from iaptlab.charts.layout import chart_title, refill

    data = pd.DataFrame({"x": ["cut"], "y": [cut_off]})
    template = _titled_template()
    title = chart_title(f"cut {cut_off}", None if strict else f"rule {rule}")  # strict: an empty subtitle
    return Result(data, chart=refill(template, data, title=title, description=f"cut {cut_off}"),
                  sentence="")


_TEMPLATE: list = []


def _titled_template():
    if not _TEMPLATE:
        _TEMPLATE.append(alt.Chart().mark_bar().encode(x="x:N", y="y:Q"))
    return _TEMPLATE[0]


def test_a_new_title_of_the_same_shape_goes_through_the_title_signals(renderer):
    renderer("jupyter", offline=True)
    box = build(_titled, CONTROLS)
    view = box.chart_slot.chart_widget
    embedded = view.spec
    box.controls["cut_off"].value = 11
    assert view.spec is embedded  # no new embed for a new title text
    assert view.update["title"] == {"text": "cut 11", "subtitle": "Source: rule >="}
    assert view.update["description"] == "cut 11"
    box.controls["rule"].value = ">"
    assert view.spec is embedded and view.update["title"]["subtitle"] == "Source: rule >"
    assert view.update["datasets"] == {}  # same rows: none sent
    box.controls["strict"].value = True  # no subtitle now: the view has no subtitle signal to take it
    assert view.spec is not embedded and view.spec["title"] == {"text": "cut 11", "subtitle": ""}


@given(st.lists(st.tuples(st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                          st.one_of(st.none(), st.text(max_size=5)), st.booleans()), max_size=8))
def test_records_equal_altairs_own(rows):
    from altair.utils.core import sanitize_pandas_dataframe

    from iaptlab.charts.live import chart_records

    frame = pd.DataFrame(rows, columns=["n", "x", "s", "b"]).astype(
        {"n": "int64", "x": "float64", "s": "str", "b": "bool"})
    expected = sanitize_pandas_dataframe(frame).to_dict(orient="records")
    assert chart_records(frame) == expected
    assert chart_records(frame.astype({"s": "string"})) == expected  # missing text as pd.NA
    assert chart_records(frame.assign(c=pd.Categorical(frame["s"]))) == sanitize_pandas_dataframe(
        frame.assign(c=pd.Categorical(frame["s"]))).to_dict(orient="records")  # Altair's path


def test_a_slider_move_sends_the_chart_before_the_number_box(renderer, monkeypatch):
    renderer("jupyter", offline=True)
    box = build(compute, CONTROLS)
    view, slider = box.chart_slot.chart_widget, box.controls["cut_off"]
    row = next(c for c in box.children if slider in getattr(c, "children", ()))
    number = next(c for c in row.children if c is not slider)
    sent = _sent_messages(monkeypatch)
    slider.set_state({"value": 12})
    order = [widget for widget, _ in sent if widget is not slider]
    assert order == [view, number] and number.value == 12
    sent.clear()
    number.set_state({"value": 13})  # typed in the number box: the slider follows, then the chart
    assert slider.value == 13 and view in [widget for widget, _ in sent]


def _labelled(cut_off=10, rule=">=", strict=False) -> Result:
    """Bars whose long labels carry the cut-off, wrapped as the lessons' rate charts wrap them."""
    from iaptlab.charts.rates import rates_bar

    data = pd.DataFrame({"outcome": [f"recovered at a cut-off of {cut_off} points", "short"],
                         "numerator": [1, 2], "denominator": [4, 4], "rate": [0.25, 0.5]})
    return Result(data, chart=rates_bar(data, title="Rates"), sentence=f"cut {cut_off}")


def test_new_wrapped_labels_go_to_their_signals_not_a_new_embed(renderer):
    import json

    renderer("jupyter", offline=True)
    box = build(_labelled, CONTROLS)
    view = box.chart_slot.chart_widget
    embedded = view.spec
    lookup = json.dumps({"recovered at a cut-off of 10 points": ["recovered at a cut-off of", "10 points"]})
    lookups = {axis["labelExpr"] for layer in embedded["layer"] for axis in [layer["encoding"]["y"]["axis"]]}
    assert lookups == {f"({lookup})[datum.label] || datum.label"}  # the labels are wrapped by a lookup
    box.controls["cut_off"].value = 12
    assert view.spec is embedded
    maps = view.update["label_maps"]
    assert maps and all(old == lookup for old, _ in maps)
    assert all(new == {"recovered at a cut-off of 12 points": ["recovered at a cut-off of", "12 points"]}
               for _, new in maps)
    (rows,) = view.update["datasets"].values()
    assert rows[0]["outcome"] == "recovered at a cut-off of 12 points"
    box.controls["cut_off"].value = 13  # keyed by the lookup as embedded, not by the last one
    assert view.spec is embedded and view.update["label_maps"][0][0] == lookup
