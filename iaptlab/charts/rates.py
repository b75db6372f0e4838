"""Outcome rates as horizontal bars, each labelled with its numerator and denominator.

>>> df = pd.DataFrame({"outcome": ["recovered"], "numerator": [1], "denominator": [2],
...                    "rate": [0.5]})
>>> rates_bar(df).to_dict()["description"]
'Outcome rates. recovered: 1/2 = 50.0%'
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..format import EMPTY_DENOMINATOR, percent_texts
from .inputs import numeric_column, required_columns
from .layout import chart_title, refill, summary_text, with_channels, wrapped_labels
from .theme import PALETTE

__all__ = ["rates_bar", "rates_bar_with_labels"]

#: The bar label of :func:`rates_bar`: "numerator/denominator (rate)", in Vega's expression language.
_COUNTS_LABEL = ("format(datum.numerator, ',') + '/' + format(datum.denominator, ',') + ' ('"
                 f" + (isValid(datum.rate) ? format(datum.rate, '.1%') : '{EMPTY_DENOMINATOR}') + ')'")


@lru_cache(maxsize=32)
def _rates_bar_layout(grouped: bool, label_expression: str, wrap: str | None = None) -> alt.LayerChart:
    """The bars' template; ``wrap`` (long outcomes wrap, never cut) only changes the y axis, so a
    new one (a cut-off in a label, moved by a slider) reuses the template built without it. Kept
    (it is never changed: :func:`refill` copies it): a move back to labels seen before gives the
    very same layers, which the live chart recognises without comparing them part by part."""
    layout = _rates_bar_template(grouped, label_expression)
    if wrap is None:
        return layout
    return with_channels(layout, y=alt.Y("outcome:N", sort=None, title=None,
                                          axis=alt.Axis(labelExpr=wrap, labelLimit=0)))


@lru_cache(maxsize=4)
def _rates_bar_template(grouped: bool, label_expression: str) -> alt.LayerChart:
    if grouped:
        label_expression = "datum.group + ': ' + " + label_expression
    y = alt.Y("outcome:N", sort=None, title=None)
    base = alt.Chart().encode(y=y, tooltip=["outcome:N", "numerator:Q", "denominator:Q",
                                            alt.Tooltip("rate:Q", format=".1%")])
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("rate:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="rate"))
    text = base.mark_text(align="left", dx=4).transform_calculate(  # a 0/0 row keeps its label at 0
        _label=label_expression, _x="isValid(datum.rate) ? datum.rate : 0").encode(
        x="_x:Q", text="_label:N")
    if grouped:
        colour = alt.Color("group:N", scale=alt.Scale(range=list(PALETTE)), title="group")
        bars = bars.encode(color=colour, yOffset="group:N")
        text = text.encode(yOffset="group:N")
    return alt.layer(bars, text)


def rates_bar(rates_df: pd.DataFrame, *, title: str = "Outcome rates", source: str | None = None,
              description: str | None = None) -> alt.LayerChart:
    """Horizontal bars of outcome rates, each labelled "numerator/denominator (rate)".

    Columns: ``outcome``, ``numerator``, ``denominator``, ``rate`` (0-1, missing when the
    denominator is 0; must equal numerator/denominator); optional ``group`` (coloured, offset
    and named in the label, so colour is never the only cue).

    >>> df = pd.DataFrame({"outcome": ["recovered"], "numerator": [0], "denominator": [0],
    ...                    "rate": [float("nan")]})
    >>> rates_bar(df).to_dict()["description"]
    'Outcome rates. recovered: 0/0 = no one in the denominator'
    """
    df = required_columns(rates_df, ["outcome", "numerator", "denominator", "rate"], "rates_bar")
    n = _numbers(df, "numerator", low=0)
    d = _numbers(df, "denominator", low=0)
    r = _numbers(df, "rate", low=0, high=1, allow_missing=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
    mismatch = ~np.isclose(r, expected, atol=1e-9, equal_nan=True)
    if mismatch.any():
        raise InputError([Problem(int(i) + 2, "rate", f"{r[i]} is not numerator/denominator "
                                  f"= {n[i]:g}/{d[i]:g}") for i in np.flatnonzero(mismatch)])
    # df.assign(numerator=..., denominator=..., rate=...) as floats, built from numpy (a move's cost)
    numbers = {"numerator": n, "denominator": d, "rate": r}
    data = pd.DataFrame({name: numbers[name] if name in numbers else df[name] for name in df.columns})
    grouped = "group" in df.columns
    outcomes, who = _bar_names(data, grouped)
    summary = summary_text([f"{name}: {a}/{b} = {p}" for name, a, b, p in zip(
        who, n.astype(int).tolist(), d.astype(int).tolist(), percent_texts(r), strict=True)])
    wrap = wrapped_labels(outcomes)
    return refill(_rates_bar_layout(grouped, _COUNTS_LABEL, wrap), data, title=chart_title(title, source),
                  description=description or f"{title}. {summary}")


def _numbers(df: pd.DataFrame, column: str, *, low: float, high: float | None = None,
             allow_missing: bool = False) -> np.ndarray:
    """``numeric_column(df, column, ...)``'s values, checked with numpy alone when the column holds
    numbers already (each move's case); any other column, or any problem, goes through
    :func:`~iaptlab.charts.inputs.numeric_column` (its errors name the rows)."""
    raw = df[column]
    if raw.dtype.kind in "iuf":
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        with np.errstate(invalid="ignore"):
            out = (values < low) | ((values > high) if high is not None else False)
        if not out.any() and (allow_missing or not missing.any()):
            return values
    return numeric_column(df, column, low=low, high=high, allow_missing=allow_missing).to_numpy()


def _bar_names(data: pd.DataFrame, grouped: bool, texts: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """Each bar's outcome as text, and its name in the description (its group first, if grouped);
    turns ``data``'s group column into text. A missing outcome, group or other ``texts`` column (a
    screen reader would hear "nan") is an InputError naming its row."""
    columns = ["outcome", *(["group"] if grouped else []), *texts]
    problems = [Problem(i + 2, column, "missing: every bar needs one")
                for column in columns for i, value in enumerate(data[column].tolist()) if _missing(value)]
    if problems:
        raise InputError(problems)
    outcomes = _texts(data["outcome"])
    if not grouped:
        return outcomes, outcomes
    group = data["group"]
    if not (isinstance(group.dtype, pd.StringDtype) and group.dtype == _TEXT_DTYPE):  # text already: as is
        data["group"] = group = group.astype(str)
    return outcomes, [f"{name} {outcome}" for name, outcome in zip(group.tolist(), outcomes, strict=True)]


def _missing(value: object) -> bool:
    """Whether one cell (as ``Series.tolist`` gives it) is missing, as ``pd.isna`` says (None, NaN, NA, NaT)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


#: pandas' text dtype, as ``Series.astype(str)`` makes it.
_TEXT_DTYPE = pd.Series([""]).astype(str).dtype


def _texts(column: pd.Series) -> list[str]:
    """``column.astype(str).tolist()``, without the copy when the column holds text already."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype == _TEXT_DTYPE:
        return column.tolist()
    return column.astype(str).tolist()


def rates_bar_with_labels(rates_df: pd.DataFrame, *, title: str = "Outcome rates",
                          source: str | None = None, description: str | None = None
                          ) -> alt.LayerChart:
    """:func:`rates_bar` with each bar labelled by the given ``label`` text instead of its counts.

    For counts that may not be shown as they are (the report's disclosure control): columns
    ``outcome``, ``numerator`` and ``denominator`` (for tooltips; may be missing), ``rate`` (0-1;
    missing draws no bar) and ``label``; optional ``group``. No check that the rate is the
    numerator over the denominator: the counts may be hidden or rounded.

    >>> df = pd.DataFrame({"outcome": ["recovered"], "numerator": [None], "denominator": [None],
    ...                    "rate": [0.4], "label": ["*/10 (40.0%)"]})
    >>> rates_bar_with_labels(df).to_dict()["description"]
    'Outcome rates. recovered: */10 (40.0%)'
    """
    df = required_columns(rates_df, ["outcome", "numerator", "denominator", "rate", "label"],
                          "rates_bar_with_labels")
    data = df.assign(**{c: numeric_column(df, c, low=0, allow_missing=True)
                        for c in ("numerator", "denominator")},
                     rate=numeric_column(df, "rate", low=0, high=1, allow_missing=True))
    grouped = "group" in df.columns
    outcomes, who = _bar_names(data, grouped, texts=("label",))
    summary = summary_text([f"{name}: {label}" for name, label in zip(who, data["label"].astype(str), strict=True)])
    wrap = wrapped_labels(outcomes)
    return refill(_rates_bar_layout(grouped, "datum.label", wrap), data, title=chart_title(title, source),
                  description=description or f"{title}. {summary}")
