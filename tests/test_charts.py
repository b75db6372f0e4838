"""Tests for iaptlab.charts: descriptions, row limits, non-colour encodings, validation, export."""

from __future__ import annotations

import json
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import charts
from iaptlab.charts import gap, measurement, national, rates, theme
from iaptlab.errors import IaptlabError, InputError, ParameterError


def _rates(group: bool = False) -> pd.DataFrame:
    df = pd.DataFrame({"outcome": ["recovered", "improved", "deteriorated"],
                       "numerator": [5, 6, 0], "denominator": [10, 10, 0],
                       "rate": [0.5, 0.6, np.nan]})
    return df.assign(group="A") if group else df


def _scores(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"phq9_first": rng.integers(0, 28, n).astype(float),
                       "phq9_last": rng.integers(0, 28, n).astype(float)})
    df.loc[0, "phq9_last"] = np.nan
    return df


def _funnel() -> pd.DataFrame:
    return pd.DataFrame({"stage": ["referred", "entered", "finished"], "count": [200, 120, 50]})


def _waterfall() -> pd.DataFrame:
    return pd.DataFrame({"label": ["questionnaire", "demand", "remission", "interview"],
                         "value": [0.5, -0.25, -0.15, 0.1], "kind": ["total", "change", "change", "total"]})


def _years(series: bool = False) -> pd.DataFrame:
    df = pd.DataFrame({"year": ["2018-19", "2019-20", "2020-21", "2021-22"],
                       "recovery": [0.521, 0.511, np.nan, 0.502]})
    if series:
        df = pd.concat([df.assign(kind="a"), df.assign(kind="b")], ignore_index=True)
    return df


def _pv() -> pd.DataFrame:
    p = np.linspace(0.05, 0.95, 19)
    return pd.DataFrame({"prevalence": p, "ppv": p, "npv": 1 - p})


BUILDERS = {
    "rates_bar": lambda: charts.rates_bar(_rates()),
    "rates_bar_grouped": lambda: charts.rates_bar(_rates(group=True)),
    "score_histogram": lambda: charts.score_histogram(_scores()),
    "funnel": lambda: charts.funnel(_funnel()),
    "waterfall": lambda: charts.waterfall(_waterfall()),
    "line_by_year": lambda: charts.line_by_year(_years(), "recovery", breaks={"2020-21": "v2.0"}),
    "line_by_year_series": lambda: charts.line_by_year(_years(True), "recovery", series="kind"),
    "predictive_values_chart": lambda: charts.predictive_values_chart(_pv(), prevalence=0.3),
    "sem_band": lambda: charts.sem_band(12, 2.5),
    "rates_bar_with_labels": lambda: charts.rates_bar_with_labels(
        _rates().assign(numerator=np.nan, denominator=np.nan, label=["*/10 (*)", "10/10 (60.0%)", "0/0"])),
    "funnel_with_labels": lambda: charts.funnel_with_labels(
        _funnel().assign(count=[200, 120, 0], share=[1.0, 0.6, np.nan], label=["200", "120", "*"])),
    "score_histogram_from_counts": lambda: charts.score_histogram_from_counts(pd.DataFrame(
        {"occasion": ["First", "First", "Last"], "bin_start": [10.0, 12.0, 3.0], "bin_end": [11.0, 13.0, 4.0],
         "count": [10, 15, 25]}), subtitle="Counts rounded to 5"),
}


def _data_rows(spec: dict) -> list[int]:
    """Row counts of every inline dataset anywhere in a spec."""
    counts = [len(v) for v in spec.get("datasets", {}).values()]
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            values = node.get("data", {}).get("values") if isinstance(node.get("data"), dict) else None
            if isinstance(values, list):
                counts.append(len(values))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return counts


def _channels(spec: dict) -> set[str]:
    found: set[str] = set()
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("encoding"), dict):
                found |= set(node["encoding"])
            if "facet" in node:
                found.add("facet")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@pytest.mark.parametrize("name", BUILDERS)
def test_every_builder_has_description_and_small_data(name):
    spec = BUILDERS[name]().to_dict()
    assert isinstance(spec.get("description"), str) and len(spec["description"]) > 20
    rows = _data_rows(spec)
    assert rows and max(rows) <= charts.MAX_CHART_ROWS


@pytest.mark.parametrize("name, cue", [("rates_bar_grouped", "text"), ("score_histogram", "facet"),
                                       ("line_by_year_series", "shape"),
                                       ("line_by_year_series", "strokeDash"),
                                       ("predictive_values_chart", "strokeDash"),
                                       ("predictive_values_chart", "text"), ("waterfall", "text")])
def test_groups_are_not_told_apart_by_colour_alone(name, cue):
    assert cue in _channels(BUILDERS[name]().to_dict())


def test_palette_is_okabe_ito_in_theme_and_builders():
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert set(charts.PALETTE) == okabe_ito
    assert charts.theme_config()["config"]["range"]["category"] == list(charts.PALETTE)
    spec = json.dumps(BUILDERS["line_by_year_series"]().to_dict())
    assert charts.PALETTE[0] in spec and charts.PALETTE[1] in spec


def test_descriptions_state_the_numbers():
    # Written by hand from the inputs above.
    assert "recovered: 5/10 = 50.0%" in BUILDERS["rates_bar"]().to_dict()["description"]
    assert "deteriorated: 0/0 = no one in the denominator" in BUILDERS["rates_bar"]().to_dict()["description"]
    assert "finished: 50 (25.0% of referred)" in BUILDERS["funnel"]().to_dict()["description"]
    wf = BUILDERS["waterfall"]().to_dict()["description"]
    assert "demand: -25.0 points" in wf and "interview: 10.0%" in wf
    line = BUILDERS["line_by_year"]().to_dict()["description"]
    assert "2020-21: missing" in line and "Breaks: 2020-21 (v2.0)" in line


def test_score_histogram_bins_and_counts_missing():
    df = pd.DataFrame({"phq9_first": [10, 10, 11, 27], "phq9_last": [0, np.nan, np.nan, 9]})
    chart = charts.score_histogram(df)
    spec = chart.to_dict()
    (rows,) = [v for v in spec["datasets"].values() if v and "bin_start" in v[0]]
    got = {(r["occasion"], r["bin_start"]): r["count"] for r in rows}
    assert got == {("First", 10): 2, ("First", 11): 1, ("First", 27): 1, ("Last", 0): 1, ("Last", 9): 1}
    assert "2 missing" in json.dumps(spec["title"])
    # caseness is >= 10: all 4 first scores at caseness; last scores 0 and 9 are not (9 < 10)
    assert "First: n=4, mean 14.5, 4 at caseness" in spec["description"]
    assert "Last: n=2, mean 4.5, 0 at caseness" in spec["description"]


def test_score_histogram_bins_large_input_below_the_row_limit():
    n = 20_000
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"phq9_first": rng.integers(0, 28, n), "phq9_last": rng.integers(0, 28, n)})
    assert max(_data_rows(charts.score_histogram(df).to_dict())) <= 56  # 28 bins x 2 occasions


def test_score_histogram_rejects_out_of_range_with_row():
    df = pd.DataFrame({"phq9_first": [5, 28], "phq9_last": [1, 2]})
    with pytest.raises(InputError) as err:
        charts.score_histogram(df)
    assert err.value.problems[0].row == 3 and err.value.problems[0].column == "phq9_first"


@pytest.mark.parametrize("builder, df", [
    (charts.rates_bar, _rates().drop(columns="denominator")),
    (charts.funnel, _funnel().drop(columns="count")),
    (charts.waterfall, _waterfall().drop(columns="kind")),
    (charts.predictive_values_chart, _pv().drop(columns="npv")),
    (charts.score_histogram, _scores().drop(columns="phq9_last")),
])
def test_missing_column_is_named(builder, df):
    with pytest.raises(InputError) as err:
        builder(df)
    assert err.value.problems[0].row is None
    assert err.value.problems[0].column in {"denominator", "count", "kind", "npv", "phq9_last"}


def test_line_by_year_missing_y_column_named():
    with pytest.raises(InputError, match="recovery"):
        charts.line_by_year(_years().drop(columns="recovery"), "recovery")


def test_rates_bar_rejects_inconsistent_rate():
    bad = _rates().assign(rate=[0.5, 0.7, np.nan])
    with pytest.raises(InputError) as err:
        charts.rates_bar(bad)
    assert (err.value.problems[0].row, err.value.problems[0].column) == (3, "rate")


def test_rates_bar_rejects_rate_above_one():
    with pytest.raises(InputError, match="between 0 and 1"):
        charts.rates_bar(_rates().assign(numerator=[15, 6, 0], rate=[1.5, 0.6, np.nan]))


def test_waterfall_contributions_must_add_up():
    bad = _waterfall().assign(value=[0.5, -0.25, -0.15, 0.2])
    with pytest.raises(InputError, match="running sum") as err:
        charts.waterfall(bad)
    assert err.value.problems[0].row == 5
    # within tolerance passes
    charts.waterfall(_waterfall().assign(value=[0.5, -0.25, -0.15, 0.1 + 1e-9]))


def test_waterfall_needs_a_starting_total_and_known_kinds():
    with pytest.raises(InputError, match="first row"):
        charts.waterfall(_waterfall().assign(kind=["change", "change", "change", "total"]))
    with pytest.raises(InputError, match="'total' or 'change'"):
        charts.waterfall(_waterfall().assign(kind=["total", "delta", "change", "total"]))


def test_waterfall_bar_extents_are_running_totals():
    spec = BUILDERS["waterfall"]().to_dict()
    (rows,) = [v for v in spec["datasets"].values() if v and "start" in v[0]]
    # by hand: 0->0.5, 0.5->0.25, 0.25->0.10, 0->0.10
    assert [(round(r["start"], 9), round(r["end"], 9)) for r in rows] == [
        (0, 0.5), (0.5, 0.25), (0.25, 0.1), (0, 0.1)]


def test_funnel_first_stage_must_be_positive_and_counts_non_negative():
    with pytest.raises(InputError, match="first stage"):
        charts.funnel(_funnel().assign(count=[0, 0, 0]))
    with pytest.raises(InputError) as err:
        charts.funnel(_funnel().assign(count=[10, -1, 0]))
    assert err.value.problems[0].row == 3


def test_line_by_year_unknown_break_is_a_parameter_error():
    with pytest.raises(ParameterError, match="2030-31"):
        charts.line_by_year(_years(), "recovery", breaks={"2030-31": "future"})


def test_line_by_year_keeps_missing_year_as_gap():
    spec = BUILDERS["line_by_year"]().to_dict()
    rows = [r for v in spec["datasets"].values() for r in v if "recovery" in r]
    assert len(rows) == 4 and [r["recovery"] for r in rows if r["year"] == "2020-21"] == [None]


@pytest.mark.parametrize("kwargs, message", [
    ({"true_score": 12, "sem": 0}, "sem"), ({"true_score": 12, "sem": -1}, "sem"),
    ({"true_score": 28, "sem": 2}, "true_score"), ({"true_score": -0.1, "sem": 2}, "true_score"),
    ({"true_score": 12, "sem": 2, "z": 0}, "z"),
])
def test_sem_band_parameter_errors(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.sem_band(**kwargs)


def test_sem_band_edges_allowed_and_band_clipped():
    # true score 0 and 27 are the PHQ-9 range ends: allowed; band 0 +/- 1.96*2 clipped at 0.
    low = charts.sem_band(0, 2).to_dict()["description"]
    assert "between 0.0 and 3.9" in low  # 1.96 * 2 = 3.92, by hand
    assert "between 23.1 and 27.0" in charts.sem_band(27, 2).to_dict()["description"]


def test_predictive_values_rejects_out_of_range_prevalence():
    with pytest.raises(ParameterError):
        charts.predictive_values_chart(_pv(), prevalence=1.2)
    with pytest.raises(InputError):
        charts.predictive_values_chart(_pv().assign(ppv=2.0))


def test_check_rows_boundary():
    charts.check_rows(pd.DataFrame({"x": range(5000)}))
    with pytest.raises(IaptlabError, match="aggregate"):
        charts.check_rows(pd.DataFrame({"x": range(5001)}))
    with pytest.raises(IaptlabError):
        charts.funnel(pd.DataFrame({"stage": range(5001), "count": range(5001, 0, -1)}))


def test_theme_font_scale_and_presentation():
    assert charts.theme_config(1.0)["config"]["axis"]["labelFontSize"] == 12
    assert charts.theme_config(2.0)["config"]["title"]["fontSize"] == 32
    with pytest.raises(ParameterError):
        charts.theme_config(0)
    try:
        assert charts.use_theme(presentation=True) == "iaptlab"
        assert alt.theme.active == "iaptlab"
        size = charts.funnel(_funnel()).to_dict()["config"]["axis"]["labelFontSize"]
        assert size == pytest.approx(12 * charts.PRESENTATION_FONT_SCALE)
        charts.use_theme()  # re-registering replaces the presentation sizes
        assert charts.funnel(_funnel()).to_dict()["config"]["axis"]["labelFontSize"] == 12
    finally:
        alt.theme.enable("default")


def test_offline_renderer_modes(monkeypatch):
    original = alt.renderers.active
    try:
        assert charts.use_offline_renderer("svg") == "svg" and alt.renderers.active == "svg"
        monkeypatch.setenv("IAPTLAB_RENDERER", "svg")
        assert charts.use_offline_renderer() == "svg"
        # without anywidget, "jupyter" falls back to svg
        real = theme._has
        monkeypatch.setattr(theme, "_has", lambda m: m != "anywidget" and real(m))
        assert charts.use_offline_renderer("jupyter") == "svg"
        monkeypatch.setattr(theme, "_has", lambda m: False)
        with pytest.raises(IaptlabError, match="vl-convert"):
            charts.use_offline_renderer("svg")
        with pytest.raises(ParameterError):
            charts.use_offline_renderer("html")
    finally:
        alt.renderers.enable(original)


def test_save_chart_png_and_svg(tmp_path):
    chart = BUILDERS["rates_bar"]()
    png = charts.save_chart(chart, tmp_path / "r.png")
    svg = charts.save_chart(chart, tmp_path / "sub" / "r.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    assert b"<svg" in svg.read_bytes()[:500]
    with pytest.raises(ParameterError, match=".pdf"):
        charts.save_chart(chart, tmp_path / "r.pdf")


def test_png_scale_factor_doubles_pixels(tmp_path):
    chart = BUILDERS["funnel"]()

    def width(path):  # PNG IHDR: width is bytes 16-20, big-endian
        return int.from_bytes(path.read_bytes()[16:20], "big")

    one = width(charts.save_chart(chart, tmp_path / "a.png", scale_factor=1))
    two = width(charts.save_chart(chart, tmp_path / "b.png"))
    assert abs(two - 2 * one) <= 2


def test_jupyter_renderer_uses_a_local_bundle_not_a_cdn():
    pytest.importorskip("anywidget")
    original = alt.renderers.active
    try:
        assert charts.use_offline_renderer("jupyter") == "jupyter"
        data, _ = alt.renderers.get()(BUILDERS["funnel"]().to_dict())
        assert "application/vnd.jupyter.widget-view+json" in data
        assert alt.JupyterChart._is_offline
        assert "esm.sh" not in alt.JupyterChart._esm and "jsdelivr" not in alt.JupyterChart._esm
    finally:
        alt.JupyterChart.enable_offline(False)
        alt.renderers.enable(original)


def test_importing_exercises_does_not_import_altair():
    import subprocess
    import sys

    code = "import sys, iaptlab, iaptlab.exercises; sys.exit('altair' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ------------------------------------------------------------------ the fast path (refill)

# Each builder twice, with different data of the same layout (same columns, groups, instrument).
SECOND_DATA = {
    "rates_bar": lambda: charts.rates_bar(_rates().assign(numerator=[1, 9, 0], rate=[0.1, 0.9, np.nan]),
                                          title="Other", source="elsewhere"),
    "rates_bar_grouped": lambda: charts.rates_bar(pd.concat([_rates(True), _rates().assign(group="B")])),
    "score_histogram": lambda: charts.score_histogram(_scores(12), source="s"),
    "funnel": lambda: charts.funnel(_funnel().assign(count=[200, 20, 2]), description="mine"),
    "waterfall": lambda: charts.waterfall(_waterfall().assign(value=[0.4, -0.1, -0.1, 0.2])),
    "line_by_year": lambda: charts.line_by_year(_years().assign(recovery=[0.4, 0.5, 0.6, np.nan]),
                                                "recovery", breaks={"2020-21": "v2.0"}),
    "line_by_year_series": lambda: charts.line_by_year(_years(True).assign(recovery=0.3), "recovery",
                                                       series="kind"),
    "predictive_values_chart": lambda: charts.predictive_values_chart(
        _pv().assign(ppv=0.2), prevalence=0.6, mark_values=True),
    "sem_band": lambda: charts.sem_band(3, 0.8, z=1.0),
    "rates_bar_with_labels": lambda: charts.rates_bar_with_labels(
        _rates().assign(rate=[0.1, np.nan, np.nan], label=["a", "b", "c"])),
    "funnel_with_labels": lambda: charts.funnel_with_labels(
        _funnel().assign(count=[10, 5, 5], share=[1.0, 0.5, 0.5], label=["x", "y", "z"])),
    "score_histogram_from_counts": lambda: charts.score_histogram_from_counts(pd.DataFrame(
        {"occasion": ["Last"], "bin_start": [0.0], "bin_end": [1.0], "count": [40]})),
}


def _clear_layout_caches() -> None:
    for module in (rates, measurement, national, gap):
        for name in dir(module):
            if name.endswith("_layout") and hasattr(getattr(module, name), "cache_clear"):
                getattr(module, name).cache_clear()


@pytest.mark.parametrize("name", SECOND_DATA)
def test_refilled_chart_equals_a_chart_built_from_scratch(name):
    # First call builds the layout and caches it; the second refills it. Clearing the caches and
    # building the second chart again gives the from-scratch spec it must equal.
    _clear_layout_caches()
    (BUILDERS.get(name) or SECOND_DATA[name])()
    refilled = SECOND_DATA[name]().to_dict()
    _clear_layout_caches()
    fresh = SECOND_DATA[name]().to_dict()
    assert refilled == fresh
    assert refilled != BUILDERS[name]().to_dict()  # and the data really changed


def _two_layers():
    base = alt.Chart().encode(y=alt.Y("stage:N", sort=None), x="n:Q")
    return [base.mark_bar(), base.mark_text(dx=4).encode(text="n:Q")]


def test_refill_matches_the_same_chart_built_with_its_data():
    data = pd.DataFrame({"stage": ["a", "b"], "n": [3, 1]})
    template = alt.layer(*_two_layers()).properties(width=200)
    chart = charts.refill(template, data, title=alt.Title("T", subtitle="S"), description="a: 3; b: 1")
    built = alt.layer(*_two_layers(), data=data).properties(
        width=200, title=alt.Title("T", subtitle="S"), description="a: 3; b: 1")
    assert chart.to_dict() == built.to_dict()
    # the template is untouched, and a second refill does not see the first one's data
    assert "data" not in template.to_dict() and "description" not in template.to_dict()
    other = charts.refill(template, data.assign(n=[7, 8]))
    assert [r["n"] for r in next(iter(other.to_dict()["datasets"].values()))] == [7, 8]
    assert "description" not in other.to_dict()


def test_refill_rejects_what_it_cannot_draw():
    template = alt.Chart().mark_bar().encode(x="n:Q")
    with pytest.raises(ParameterError, match="Altair chart"):
        charts.refill({"mark": "bar"}, pd.DataFrame({"n": [1]}))
    with pytest.raises(IaptlabError, match="DataFrame"):
        charts.refill(template, [{"n": 1}])
    charts.refill(template, pd.DataFrame({"n": range(charts.MAX_CHART_ROWS)}))
    with pytest.raises(IaptlabError, match="aggregate"):
        charts.refill(template, pd.DataFrame({"n": range(charts.MAX_CHART_ROWS + 1)}))


def test_nullable_and_text_numbers_are_checked_alike():
    nullable = _rates().assign(numerator=pd.array([5, 6, 0], dtype="Int64"))
    assert "recovered: 5/10" in charts.rates_bar(nullable).to_dict()["description"]
    with pytest.raises(InputError) as err:
        charts.rates_bar(_rates().assign(numerator=pd.array([5, None, 0], dtype="Int64")))
    assert (err.value.problems[0].row, err.value.problems[0].reason) == (3, "missing")
    with pytest.raises(InputError, match="not a number"):
        charts.rates_bar(_rates().assign(numerator=["5", "six", "0"]))


# ------------------------------------------------------------------ sem_band and marked values


def _layer_with(spec: dict, key: str, value) -> dict:
    (found,) = [layer for layer in spec["layer"] if layer["encoding"].get(key, {}).get("field") == value]
    return found


def test_sem_band_axes_students_can_read():
    spec = charts.sem_band(9, 1.2, instrument="GAD-7").to_dict()
    curve = _layer_with(spec, "y", "relative")
    assert curve["encoding"]["y"]["title"] == "how often (relative)"
    assert curve["encoding"]["y"]["axis"]["labels"] is False  # no meaningless density numbers
    assert "density" not in json.dumps(spec)
    # GAD-7 runs 0-21: the axis must end at 21, not a "nice" 22
    assert curve["encoding"]["x"]["scale"] == {"domain": [0, 21], "nice": False}


@pytest.mark.parametrize("true_score, sem", [(10, 0.6), (12, 2.2), (0, 3), (27, 5)])
def test_sem_band_labels_sit_above_the_curve(true_score, sem):
    spec = charts.sem_band(true_score, sem).to_dict()
    rows = next(v for v in spec["datasets"].values() if any(r["part"] == "curve" for r in v))
    peak = max(r["relative"] for r in rows if r["part"] == "curve")
    assert peak == pytest.approx(1.0)  # the grid's middle point is the true score: exp(0)
    top = _layer_with(spec, "y", "relative")["encoding"]["y"]["scale"]["domain"][1]
    lowest_label_px = max(r["y_px"] for r in rows if r["part"] in ("rule", "end")) + 14  # 12 px font
    height_px = 300  # Vega-Lite's default continuous height (also the theme's)
    assert lowest_label_px < height_px * (1 - peak / top)


def test_sem_band_end_labels_point_outwards():
    rows = next(v for v in charts.sem_band(12, 2).to_dict()["datasets"].values() if len(v) > 100)
    ends = {r["label"]: r["side"] for r in rows if r["part"] == "end"}
    assert ends == {"8.1": "right", "15.9": "left"}  # 12 -/+ 1.96 * 2 = 8.08 / 15.92, by hand


def _marked_rows(chart) -> list[dict]:
    rows = next(iter(chart.to_dict()["datasets"].values()))
    return [r for r in rows if r.get("part") == "value"]


def test_predictive_values_marks_both_values_higher_above():
    # _pv(): ppv = prevalence, npv = 1 - prevalence. At 0.3: PPV 0.3 (lower), NPV 0.7 (higher).
    marked = _marked_rows(charts.predictive_values_chart(_pv(), prevalence=0.3, mark_values=True))
    assert [(r["label"], r["above"]) for r in marked] == [("PPV 30%", False), ("NPV 70%", True)]
    # at 0.5 both are 0.5: one label above, the other below, so they never overlap
    equal = _marked_rows(charts.predictive_values_chart(_pv(), prevalence=0.5, mark_values=True))
    assert sorted(r["above"] for r in equal) == [False, True]
    # at 0.7 the order flips
    flipped = _marked_rows(charts.predictive_values_chart(_pv(), prevalence=0.7, mark_values=True))
    assert [r["above"] for r in flipped] == [True, False]


def test_predictive_values_mark_values_needs_the_row_and_a_prevalence():
    with pytest.raises(ParameterError, match="no row at prevalence 0.33"):
        charts.predictive_values_chart(_pv(), prevalence=0.33, mark_values=True)
    with pytest.raises(ParameterError, match="needs a prevalence"):
        charts.predictive_values_chart(_pv(), mark_values=True)
    assert _marked_rows(charts.predictive_values_chart(_pv(), prevalence=0.33)) == []


def test_waterfall_labels_totals_above_and_changes_below():
    # dy moves a text mark on a continuous axis (a yOffset channel there is silently ignored)
    spec = BUILDERS["waterfall"]().to_dict()
    text_layers = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    placed = {layer["transform"][0]["filter"]: layer["mark"]["dy"] for layer in text_layers}
    assert placed == {"(datum.kind === 'total')": -10, "(datum.kind === 'change')": 10}


def test_waterfall_labels_with_line_breaks_stand_level_on_several_lines():
    def x_axes(chart):
        return [layer["encoding"]["x"].get("axis") for layer in chart.to_dict()["layer"]]

    plain = charts.waterfall(_waterfall())
    assert x_axes(plain) == [None] * 3  # Vega-Lite's default axis: long labels turn on their side
    broken = charts.waterfall(_waterfall().assign(label=["question-\nnaire", "demand", "re-\nmission",
                                                         "interview"]))
    for axis in x_axes(broken):
        assert axis == {"labelAngle": 0, "labelExpr": "split(datum.label, '\\n')", "labelLimit": 0}
    # the labels themselves keep their "\n" (the axis splits them), and so does the description
    assert broken.data["label"][0] == "question-\nnaire"
    assert "question-\nnaire: 50.0%" in broken.to_dict()["description"]
    # a plain chart after a broken one gets its own layout back, not the cached multi-line one
    assert x_axes(charts.waterfall(_waterfall())) == [None] * 3


def _two_panels(titles=(None, None)):
    base = alt.Chart().encode(y=alt.Y("stage:N", sort=None), x="n:Q")
    top, bottom = base.mark_bar(), base.mark_point()
    if titles[0] is not None:
        top, bottom = top.properties(title=titles[0]), bottom.properties(title=titles[1])
    return top, bottom


def test_refill_gives_each_concatenated_part_its_own_title():
    data = pd.DataFrame({"stage": ["a", "b"], "n": [3, 1]})
    titles = (alt.Title("Top", subtitle="first"), "Bottom")
    template = alt.vconcat(*_two_panels(), spacing=24).resolve_scale(x="independent")
    chart = charts.refill(template, data, description="d", part_titles=titles)
    built = alt.vconcat(*_two_panels(titles), spacing=24, data=data).resolve_scale(
        x="independent").properties(description="d")
    assert chart.to_dict() == built.to_dict()
    # the template and its parts are untouched, and a second refill keeps its own titles
    assert all("title" not in part for part in template.to_dict()["vconcat"])
    other = charts.refill(template, data, part_titles=["x", "y"])
    assert [part["title"] for part in other.to_dict()["vconcat"]] == ["x", "y"]
    assert chart.to_dict()["vconcat"][1]["title"] == "Bottom"
    with pytest.raises(ParameterError, match="2 concatenated parts"):
        charts.refill(template, data, part_titles=["only one"])
    with pytest.raises(ParameterError, match="0 concatenated parts"):
        charts.refill(alt.layer(*_two_layers()), data, part_titles=["a", "b"])


# ------------------------------------------------------------------ charts asked for by the report


def _text_layer(spec: dict) -> dict:
    (text,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    return text


def test_labelled_bars_differ_from_counted_bars_only_in_their_label():
    counted = BUILDERS["rates_bar"]().to_dict()
    labelled = charts.rates_bar_with_labels(_rates().assign(label=["l1", "l2", "l3"])).to_dict()
    assert labelled["layer"][0] == counted["layer"][0]  # the same bars, axes and tooltips
    label = {step["as"]: step["calculate"] for step in _text_layer(labelled)["transform"]}
    assert label["_label"] == "datum.label"
    assert _text_layer(labelled)["encoding"] == _text_layer(counted)["encoding"]
    assert labelled["description"] == "Outcome rates. recovered: l1; improved: l2; deteriorated: l3"
    # hidden counts: a missing rate draws no bar and its label sits at 0; no numerator check
    hidden = charts.rates_bar_with_labels(_rates().assign(numerator=np.nan, rate=np.nan, label="*"))
    rows = next(iter(hidden.to_dict()["datasets"].values()))
    assert [r["rate"] for r in rows] == [None] * 3 and [r["numerator"] for r in rows] == [None] * 3
    with pytest.raises(InputError, match="label"):
        charts.rates_bar_with_labels(_rates())
    with pytest.raises(InputError, match="between 0 and 1"):
        charts.rates_bar_with_labels(_rates().assign(rate=[1.5, 0.6, np.nan], label="x"))


def test_labelled_funnel_draws_the_given_counts_with_the_given_labels():
    spec = BUILDERS["funnel_with_labels"]().to_dict()
    label = {step["as"]: step["calculate"] for step in _text_layer(spec)["transform"]}
    assert label["_label"] == "datum.label"
    assert spec["layer"][0] == BUILDERS["funnel"]().to_dict()["layer"][0]
    assert spec["description"] == "Attrition funnel. referred: 200; entered: 120; finished: *"
    with pytest.raises(InputError, match="count"):
        charts.funnel_with_labels(_funnel().assign(count=[1, -1, 0], share=1.0, label="x"))


def test_histogram_from_counts_matches_the_histogram_of_the_scores():
    scores = pd.DataFrame({"phq9_first": [12.0, 12.0, 20.0], "phq9_last": [4.0, np.nan, 5.0]})
    from_scores = charts.score_histogram(scores).to_dict()
    counts = pd.DataFrame({"occasion": ["First", "First", "Last", "Last"],
                           "bin_start": [12.0, 20.0, 4.0, 5.0], "bin_end": [13.0, 21.0, 5.0, 6.0],
                           "count": [2, 1, 1, 1]})
    from_counts = charts.score_histogram_from_counts(counts, subtitle="s").to_dict()
    # the same chart, except that the count axis of the one from counts has whole-number ticks only
    bars_counts, bars_scores = from_counts["spec"]["layer"][0], from_scores["spec"]["layer"][0]
    assert bars_counts["encoding"]["y"].pop("axis") == {"tickMinStep": 1, "format": "d"}
    assert "axis" not in bars_scores["encoding"]["y"]
    assert from_counts["spec"] == from_scores["spec"] and from_counts["facet"] == from_scores["facet"]
    rows = sorted(map(sorted, (r.items() for r in next(iter(from_counts["datasets"].values())))))
    assert rows == sorted(map(sorted, (r.items() for r in next(iter(from_scores["datasets"].values())))))
    assert from_counts["title"] == {"text": "PHQ-9 scores, first vs last", "subtitle": "s"}
    assert from_counts["description"] == "PHQ-9 scores, first vs last. First: n=3; Last: n=2"
    with pytest.raises(ParameterError, match="'First' or 'Last'"):
        charts.score_histogram_from_counts(counts.assign(occasion="Middle"))


def test_inline_svg_is_labelled_themed_and_has_page_unique_ids():
    chart = BUILDERS["funnel"]()
    svg = charts.inline_svg(chart, "c7")
    description = chart.to_dict()["description"]
    assert svg.startswith(f'<svg role="img" aria-label="{description}"')
    assert f"<title>{description}</title>" in svg and "xmlns" not in svg
    assert all(i.startswith("c7-") for i in re.findall(r'\bid="([^"]+)"', svg))
    assert charts.FONT_FAMILY.split(",")[0] in svg  # drawn in the theme's font


def test_offline_chart_bundle_has_no_web_address():
    bundle = charts.offline_chart_bundle()
    try:
        assert len(bundle) > 100_000 and not re.search(r"""(?:from|import)\s*["']https?://""", bundle)
    finally:
        alt.JupyterChart.enable_offline(False)


def _rates_bar_built_whole(grouped: bool, label_expression: str, wrap: str) -> alt.LayerChart:
    """The bars' layout built in one go with the wrapped axis (as rates_bar built it before the axis
    was put into a template built once): the reference for ``with_channels``."""
    from iaptlab.charts.theme import PALETTE

    if grouped:
        label_expression = "datum.group + ': ' + " + label_expression
    y = alt.Y("outcome:N", sort=None, title=None, axis=alt.Axis(labelExpr=wrap, labelLimit=0))
    base = alt.Chart().encode(y=y, tooltip=["outcome:N", "numerator:Q", "denominator:Q",
                                            alt.Tooltip("rate:Q", format=".1%")])
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("rate:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="rate"))
    text = base.mark_text(align="left", dx=4).transform_calculate(
        _label=label_expression, _x="isValid(datum.rate) ? datum.rate : 0").encode(x="_x:Q", text="_label:N")
    if grouped:
        colour = alt.Color("group:N", scale=alt.Scale(range=list(PALETTE)), title="group")
        bars = bars.encode(color=colour, yOffset="group:N")
        text = text.encode(yOffset="group:N")
    return alt.layer(bars, text)


@settings(max_examples=25, deadline=None)
@given(st.booleans(), st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=4, unique=True))
def test_rates_bar_with_a_new_wrapped_axis_equals_the_chart_built_whole(grouped, outcomes):
    """A new wrapped axis (a label carrying a cut-off the learner moves) reuses the template: same
    spec as building the whole chart with that axis, and the template is left as it was."""
    from iaptlab.charts import rates
    from iaptlab.charts.layout import wrapped_labels

    wrap = wrapped_labels(outcomes + ["a label long enough that it has to wrap onto two lines at least"])
    template = rates._rates_bar_template(grouped, rates._COUNTS_LABEL).to_dict()
    fast = rates._rates_bar_layout(grouped, rates._COUNTS_LABEL, wrap)
    assert fast.to_dict() == _rates_bar_built_whole(grouped, rates._COUNTS_LABEL, wrap).to_dict()
    assert rates._rates_bar_template(grouped, rates._COUNTS_LABEL).to_dict() == template
