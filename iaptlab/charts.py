"""Altair chart builders with one accessible theme; pure functions, DataFrame in, chart out.

Every builder:

* validates its input columns and raises :class:`~iaptlab.errors.InputError` naming a missing or
  bad column (and the spreadsheet row, header = row 1);
* aggregates in pandas first, so no chart carries more than :data:`MAX_CHART_ROWS` rows;
* uses the Okabe–Ito colour-blind-safe palette and never colour alone: groups are also told apart
  by shape, dash pattern, facet or a text label;
* sets a Vega-Lite top-level ``description`` (read out as the chart's ARIA label) that states the
  numbers shown, so a screen-reader user gets the same facts.

Renderers: :func:`use_offline_renderer` makes charts render with the network unplugged;
:func:`save_chart` writes PNG/SVG for slides through vl-convert (offline).

Speed: each builder checks and aggregates its input in pandas on every call, but builds its
Altair layers (the slow part: schema checks of every encoding) once per layout and then
fills a copy of them with the new data, title and description (:func:`refill`), so a builder
call takes a few milliseconds. Explorers use :func:`refill` the same way for charts of their own.

>>> import pandas as pd
>>> chart = funnel(pd.DataFrame({"stage": ["referred", "finished"], "count": [100, 40]}))
>>> chart.to_dict()["description"]
'Attrition funnel. referred: 100 (100.0% of referred); finished: 40 (40.0% of referred)'
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ._chart_base import (  # noqa: F401 - re-exported: charts is the public module
    _FONT,
    _PAL,
    DASHES,
    MAX_CHART_ROWS,
    PALETTE,
    PRESENTATION_FONT_SCALE,
    SHAPES,
    THEME_NAME,
    _has,
    _joined,
    _numeric,
    _pct,
    _require,
    _title,
    check_rows,
    refill,
    save_chart,
    theme_config,
    use_offline_renderer,
    use_theme,
)
from ._chart_measurement import PV_NAMES, predictive_values_chart, sem_band  # noqa: F401
from .errors import InputError, ParameterError, Problem
from .instruments import Instrument, lookup

# ---------------------------------------------------------------- builders


@lru_cache(maxsize=4)
def _rates_bar_layout(grouped: bool) -> alt.LayerChart:
    label_expr = ("format(datum.numerator, ',') + '/' + format(datum.denominator, ',') + ' ('"
                  " + (isValid(datum.rate) ? format(datum.rate, '.1%') : 'no denominator') + ')'")
    if grouped:
        label_expr = "datum.group + ': ' + " + label_expr
    y = alt.Y("outcome:N", sort=None, title=None)
    base = alt.Chart().encode(y=y, tooltip=["outcome:N", "numerator:Q", "denominator:Q",
                                            alt.Tooltip("rate:Q", format=".1%")])
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("rate:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="rate"))
    text = base.mark_text(align="left", dx=4).transform_calculate(  # a 0/0 row keeps its label at 0
        _label=label_expr, _x="isValid(datum.rate) ? datum.rate : 0").encode(
        x="_x:Q", text="_label:N")
    if grouped:
        colour = alt.Color("group:N", scale=alt.Scale(range=_PAL), title="group")
        bars = bars.encode(color=colour, yOffset="group:N")
        text = text.encode(yOffset="group:N")
    return alt.layer(bars, text)


def rates_bar(rates_df: pd.DataFrame, *, title: str = "Outcome rates", source: str | None = None,
              description: str | None = None) -> alt.LayerChart:
    """Horizontal bars of outcome rates, each labelled "numerator/denominator (rate)".

    Columns: ``outcome``, ``numerator``, ``denominator``, ``rate`` (0-1, missing when the
    denominator is 0; must equal numerator/denominator); optional ``group`` (coloured, offset
    and named in the label, so colour is never the only cue).

    >>> df = pd.DataFrame({"outcome": ["recovered"], "numerator": [1], "denominator": [2],
    ...                    "rate": [0.5]})
    >>> rates_bar(df).to_dict()["description"]
    'Outcome rates. recovered: 1/2 = 50.0%'
    """
    df = _require(rates_df, ["outcome", "numerator", "denominator", "rate"], "rates_bar")
    num = _numeric(df, "numerator", low=0)
    den = _numeric(df, "denominator", low=0)
    rate = _numeric(df, "rate", low=0, high=1, allow_missing=True)
    expected = num / den.where(den > 0)
    mismatch = ~np.isclose(rate, expected, atol=1e-9, equal_nan=True)
    if mismatch.any():
        raise InputError([Problem(int(i) + 2, "rate", f"{rate[i]} is not numerator/denominator "
                                  f"= {num[i]:g}/{den[i]:g}") for i in np.flatnonzero(mismatch)])
    data = df.assign(numerator=num, denominator=den, rate=rate)
    grouped = "group" in df.columns
    if grouped:
        data["group"] = data["group"].astype(str)
    rate_text = _pct(rate).where(rate.notna(), "undefined (denominator 0)")
    who = (data["group"] + " " if grouped else "") + data["outcome"].astype(str)
    summary = _joined(who + ": " + num.astype(int).astype(str) + "/" + den.astype(int).astype(str)
                      + " = " + rate_text)
    return refill(_rates_bar_layout(grouped), data, title=_title(title, source),
                  description=description or f"{title}. {summary}")


@lru_cache(maxsize=16)
def _histogram_layout(inst: Instrument, bin_width: float) -> alt.FacetChart:
    occasions = ["First", "Last"]
    op = "≥" if inst.caseness_comparison == ">=" else ">"
    x_scale = alt.Scale(domain=[inst.score_min, inst.score_max + bin_width])
    bars = alt.Chart().mark_bar(stroke="white").encode(
        x=alt.X("bin_start:Q", scale=x_scale, title=f"{inst.name} score"), x2="bin_end:Q",
        y=alt.Y("count:Q", title="episodes"), y2=alt.datum(0),
        color=alt.Color("occasion:N", scale=alt.Scale(domain=occasions, range=_PAL[:2]), legend=None),
        tooltip=["occasion:N", "bin_start:Q", "bin_end:Q", "count:Q"])
    one_per_panel = alt.Chart().transform_aggregate(n="count()", groupby=["occasion"])
    rule = one_per_panel.mark_rule(strokeDash=[6, 3], color="black").encode(
        x=alt.datum(inst.caseness))
    text = one_per_panel.mark_text(align="left", dx=4, dy=2, baseline="top").encode(
        x=alt.datum(inst.caseness), y=alt.value(0), text=alt.value(f"caseness {op} {inst.caseness:g}"))
    no_rows = pd.DataFrame(columns=["occasion", "bin_start", "bin_end", "count"])  # facet wants data
    return alt.layer(bars, rule, text, data=no_rows).properties(height=160).facet(
        row=alt.Row("occasion:N", sort=occasions, title=None))


def score_histogram(scores_df: pd.DataFrame, instrument: Instrument | str = "PHQ-9", *,
                    first: str | None = None, last: str | None = None, bin_width: float = 1.0,
                    title: str | None = None, source: str | None = None,
                    description: str | None = None) -> alt.FacetChart:
    """First vs last score distributions (binned in pandas), one panel each, caseness marked.

    Reads ``{key}_first`` and ``{key}_last`` (e.g. ``phq9_first``) unless ``first``/``last``
    name other columns. Missing scores are counted and stated in the subtitle, never dropped
    silently; bins are half-open ``[start, start + bin_width)``.

    >>> df = pd.DataFrame({"phq9_first": [12, 15], "phq9_last": [4, None]})
    >>> score_histogram(df).to_dict()["description"][:60]
    'PHQ-9 scores, first vs last. First: n=2, mean 13.5, 2 at cas'
    """
    inst = lookup(instrument)
    first = first or f"{inst.key}_first"
    last = last or f"{inst.key}_last"
    if bin_width <= 0:
        raise ParameterError(f"bin_width must be > 0, got {bin_width}")
    # raw scores may be many rows: they are binned below, and the bins are checked instead
    df = _require(scores_df, [first, last], "score_histogram", limit_rows=False)
    occasions = {"First": first, "Last": last}
    long = pd.concat({name: _numeric(df, col, low=inst.score_min, high=inst.score_max,
                                     allow_missing=True) for name, col in occasions.items()},
                     names=["occasion", "row"]).rename("score").reset_index()
    n_missing = long["score"].isna().groupby(long["occasion"]).sum()
    scored = long.dropna(subset=["score"])
    start = inst.score_min + np.floor((scored["score"] - inst.score_min) / bin_width) * bin_width
    counts = (scored.assign(bin_start=start).groupby(["occasion", "bin_start"]).size()
              .rename("count").reset_index())
    counts["bin_end"] = counts["bin_start"] + bin_width
    check_rows(counts, "score_histogram")
    op = "≥" if inst.caseness_comparison == ">=" else ">"
    at_case = (scored["score"] >= inst.caseness) if op == "≥" else (scored["score"] > inst.caseness)
    stats = pd.DataFrame({"n": scored.groupby("occasion").size(),
                          "mean": scored.groupby("occasion")["score"].mean().round(1),
                          "case": at_case.groupby(scored["occasion"]).sum()}).reindex(list(occasions))
    stats = stats.fillna(0)
    summary = _joined(pd.Series(stats.index, index=stats.index) + ": n=" + stats["n"].astype(int)
                      .astype(str) + ", mean " + stats["mean"].astype(str) + ", "
                      + stats["case"].astype(int).astype(str) + f" at caseness ({op} {inst.caseness:g})"
                      + ", " + n_missing.reindex(list(occasions)).astype(int).astype(str) + " missing")
    name = title or f"{inst.name} scores, first vs last"
    subtitle = (f"{int(n_missing.sum())} missing scores not shown; dashed line: caseness "
                f"{op} {inst.caseness:g}" + (f". Source: {source}" if source else ""))
    return refill(_histogram_layout(inst, float(bin_width)), counts,
                  title=alt.Title(name, subtitle=subtitle),
                  description=description or f"{name}. {summary}")


@lru_cache(maxsize=16)
def _funnel_layout(first: str) -> alt.LayerChart:
    base = alt.Chart().encode(y=alt.Y("stage:N", sort=None, title=None),
                              tooltip=["stage:N", "count:Q", alt.Tooltip("share:Q", format=".1%")])
    bars = base.mark_bar(color=PALETTE[0]).encode(x=alt.X("count:Q", title="count"))
    label = f"format(datum.count, ',') + ' (' + format(datum.share, '.1%') + ' of {first})'"
    text = base.mark_text(align="left", dx=4).transform_calculate(_label=label).encode(
        x="count:Q", text="_label:N")
    return alt.layer(bars, text)


def funnel(stages_df: pd.DataFrame, *, title: str = "Attrition funnel", source: str | None = None,
           description: str | None = None) -> alt.LayerChart:
    """Attrition funnel: one bar per stage (in the given order), labelled count and % of stage 1.

    Columns: ``stage``, ``count`` (whole numbers >= 0; the first stage must be > 0).

    >>> funnel(pd.DataFrame({"stage": ["a", "b"], "count": [4, 1]})).to_dict()["description"]
    'Attrition funnel. a: 4 (100.0% of a); b: 1 (25.0% of a)'
    """
    df = _require(stages_df, ["stage", "count"], "funnel")
    count = _numeric(df, "count", low=0)
    if len(df) == 0 or count[0] <= 0:
        raise InputError(Problem(2, "count", "the first stage must have a count above 0"))
    first = str(df["stage"][0])
    data = df.assign(stage=df["stage"].astype(str), count=count, share=count / count[0])
    summary = _joined(data["stage"] + ": " + count.astype(int).astype(str) + " ("
                      + _pct(data["share"]) + f" of {first})")
    return refill(_funnel_layout(first), data, title=_title(title, source),
                  description=description or f"{title}. {summary}")


@lru_cache(maxsize=2)
def _waterfall_layout(multiline: bool) -> alt.LayerChart:
    label = ("datum.kind == 'total' ? format(datum.value, '.1%') : "
             "(datum.value >= 0 ? '+' : '') + format(datum.value * 100, '.1f') + ' points'")
    colour = alt.Color("direction:N", title=None, scale=alt.Scale(
        domain=["total", "increase", "decrease"], range=[PALETTE[0], PALETTE[2], PALETTE[3]]))
    # labels with a "\n" are set level, one line per part, instead of turned on their side
    axis = (alt.Axis(labelAngle=0, labelExpr="split(datum.label, '\\n')", labelLimit=0)
            if multiline else alt.Undefined)
    base = alt.Chart().encode(x=alt.X("label:N", sort=None, title=None, axis=axis))
    bars = base.mark_bar().encode(y=alt.Y("start:Q", axis=alt.Axis(format="%"), title="rate"),
                                  y2="end:Q", color=colour,
                                  tooltip=["label:N", "direction:N", alt.Tooltip("value:Q", format=".3f")])
    # totals are labelled above their top, changes below their lower end, so labels never collide
    # (a text mark's dy: a yOffset channel does not move marks on a continuous y scale)
    labels = [base.transform_filter(alt.datum.kind == kind).mark_text(baseline="middle", dy=dy)
              .transform_calculate(_label=label, _at=at).encode(y="_at:Q", text="_label:N")
              for kind, at, dy in (("total", "datum.end", -10),
                                   ("change", "min(datum.start, datum.end)", 10))]
    return alt.layer(bars, *labels).properties(width=alt.Step(90))


def waterfall(contrib_df: pd.DataFrame, *, title: str = "From one rate to another",
              source: str | None = None, description: str | None = None,
              tolerance: float = 1e-6) -> alt.LayerChart:
    """Waterfall: a starting rate, signed contributions, and the rate they add up to.

    Columns: ``label``, ``value`` (proportions), ``kind`` ("total" or "change"). The first row
    must be a total; every later total must equal the running sum (within ``tolerance``),
    otherwise the contributions do not add up and an InputError says where. A label with a
    ``"\\n"`` is drawn on the axis as several level lines (the description keeps it as given).

    >>> df = pd.DataFrame({"label": ["start", "bias", "end"], "value": [0.5, -0.2, 0.3],
    ...                    "kind": ["total", "change", "total"]})
    >>> waterfall(df).to_dict()["description"]
    'From one rate to another. start: 50.0%; bias: -20.0 points; end: 30.0%'
    """
    df = _require(contrib_df, ["label", "value", "kind"], "waterfall")
    value = _numeric(df, "value", low=-1, high=1)
    kind = df["kind"].astype(str).str.strip().str.lower()
    problems = [Problem(int(i) + 2, "kind", f"must be 'total' or 'change', got {df['kind'][i]!r}")
                for i in np.flatnonzero(~kind.isin(["total", "change"]))]
    if len(df) == 0 or kind[0] != "total":
        problems.append(Problem(2, "kind", "the first row must be the starting 'total'"))
    if problems:
        raise InputError(problems)
    is_total = kind == "total"
    segment = is_total.cumsum()
    level = value.groupby(segment).cumsum()
    running_before = level.shift(1)
    off = is_total & (np.arange(len(df)) > 0) & ((value - running_before).abs() > tolerance)
    if off.any():
        raise InputError([Problem(int(i) + 2, "value", f"total {value[i]:.4f} does not equal the "
                                  f"running sum {running_before[i]:.4f}")
                          for i in np.flatnonzero(off)])
    direction = np.select([is_total, value >= 0], ["total", "increase"], "decrease")
    data = df.assign(value=value, kind=kind, start=np.where(is_total, 0.0, level - value),
                     end=level, direction=direction)
    signed = np.where(value >= 0, "+", "") + (value * 100).round(1).astype(str) + " points"
    text = np.where(is_total, _pct(value), signed)
    summary = _joined(data["label"].astype(str) + ": " + pd.Series(text))
    multiline = bool(data["label"].astype(str).str.contains("\n", regex=False).any())
    return refill(_waterfall_layout(multiline), data, title=_title(title, source),
                  description=description or f"{title}. {summary}")


@lru_cache(maxsize=16)
def _line_layout(x: str, y: str, series: str | None, groups: tuple[str, ...], order: tuple[str, ...],
                 breaks: tuple[tuple[str, str], ...], percent: bool) -> alt.LayerChart:
    axis = alt.Axis(format="%") if percent else alt.Axis()
    enc = {"x": alt.X(f"{x}:O", sort=list(order), scale=alt.Scale(domain=list(order)), title=x),
           "y": alt.Y(f"{y}:Q", axis=axis, title=y),
           "tooltip": [f"{x}:O", alt.Tooltip(f"{y}:Q", format=".3f")]}
    if series:
        enc |= {"color": alt.Color(f"{series}:N", scale=alt.Scale(domain=list(groups), range=_PAL)),
                "shape": alt.Shape(f"{series}:N", scale=alt.Scale(domain=list(groups),
                                                                  range=list(SHAPES))),
                "strokeDash": alt.StrokeDash(f"{series}:N", scale=alt.Scale(
                    domain=list(groups), range=[list(d) for d in DASHES]))}
    base = alt.Chart().encode(**enc)
    layers = [base.mark_line(invalid="break-paths-show-domains", color=PALETTE[0]),
              base.mark_point(filled=True, size=60, color=PALETTE[0])]
    if breaks:  # the same for every refill, so these layers keep their own small data
        marks = pd.DataFrame(breaks, columns=[x, "label"])
        rule_base = alt.Chart(marks).encode(x=alt.X(f"{x}:O", sort=list(order)))
        layers += [rule_base.mark_rule(strokeDash=[4, 4], color="black"),
                   rule_base.mark_text(align="right", dx=-4, baseline="top").encode(
                       y=alt.value(2), text="label:N")]
    return alt.layer(*layers)


def line_by_year(df: pd.DataFrame, y: str, *, x: str = "year", series: str | None = None,
                 breaks: Mapping[str, str] | None = None, percent: bool = False,
                 title: str | None = None, source: str | None = None,
                 description: str | None = None) -> alt.LayerChart:
    """A yearly series (points and lines; gaps where missing) with labelled rules at breaks.

    ``breaks`` maps an ``x`` value to a label, e.g. ``{"2020-21": "dataset v2.0"}``; a rule is
    drawn at that year. With ``series``, each series gets its own colour, shape and dash.
    ``percent`` formats the y axis as percentages of proportions (0-1).

    >>> d = pd.DataFrame({"year": ["2019-20", "2020-21"], "recovery": [0.511, 0.514]})
    >>> line_by_year(d, "recovery", breaks={"2020-21": "new dataset"}).to_dict()["description"]
    'recovery by year. 2019-20: 0.511; 2020-21: 0.514. Breaks: 2020-21 (new dataset)'
    """
    df = _require(df, [x, y] + ([series] if series else []), "line_by_year")
    values = _numeric(df, y, allow_missing=True)
    data = df.assign(**{y: values, x: df[x].astype(str)})
    order = tuple(dict.fromkeys(data[x]))
    breaks = {str(k): str(v) for k, v in (breaks or {}).items()}
    unknown = [b for b in breaks if b not in order]
    if unknown:
        raise ParameterError(f"breaks: {unknown} not among the {x} values {list(order)}")
    who = (data[series].astype(str) + " " if series else "") + data[x]
    shown = values.round(3).astype(str).where(values.notna(), "missing")
    break_text = "; ".join(f"{k} ({v})" for k, v in breaks.items())
    name = title or f"{y} by {x}"
    summary = _joined(who + ": " + shown) + (f". Breaks: {break_text}" if breaks else "")
    groups = tuple(dict.fromkeys(data[series].astype(str))) if series else ()
    layout = _line_layout(x, y, series, groups, order, tuple(breaks.items()), bool(percent))
    return refill(layout, data, title=_title(name, source),
                  description=description or f"{name}. {summary}")

