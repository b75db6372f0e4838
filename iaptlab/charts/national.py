"""Charts of national and service figures: a yearly series with its breaks, an attrition funnel.

>>> chart = funnel(pd.DataFrame({"stage": ["referred", "finished"], "count": [100, 40]}))
>>> chart.to_dict()["description"]
'Attrition funnel. referred: 100 (100.0% of referred); finished: 40 (40.0% of referred)'
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import altair as alt
import pandas as pd

from ..errors import InputError, ParameterError, Problem
from ..format import percent_texts
from .inputs import numeric_column, required_columns
from .layout import chart_title, refill, summary_text
from .theme import DASHES, PALETTE, SHAPES

__all__ = ["funnel", "funnel_with_labels", "line_by_year"]


@lru_cache(maxsize=16)
def _funnel_layout(label_expression: str) -> alt.LayerChart:
    base = alt.Chart().encode(y=alt.Y("stage:N", sort=None, title=None),
                              tooltip=["stage:N", "count:Q", alt.Tooltip("share:Q", format=".1%")])
    bars = base.mark_bar(color=PALETTE[0]).encode(x=alt.X("count:Q", title="count"))
    text = base.mark_text(align="left", dx=4).transform_calculate(_label=label_expression).encode(
        x="count:Q", text="_label:N")
    return alt.layer(bars, text)


def funnel(stages_df: pd.DataFrame, *, title: str = "Attrition funnel", source: str | None = None,
           description: str | None = None) -> alt.LayerChart:
    """Attrition funnel: one bar per stage (in the given order), labelled count and % of stage 1.

    Columns: ``stage``, ``count`` (whole numbers >= 0; the first stage must be > 0).

    >>> funnel(pd.DataFrame({"stage": ["a", "b"], "count": [4, 1]})).to_dict()["description"]
    'Attrition funnel. a: 4 (100.0% of a); b: 1 (25.0% of a)'
    """
    df = required_columns(stages_df, ["stage", "count"], "funnel")
    count = numeric_column(df, "count", low=0)
    if len(df) == 0 or count[0] <= 0:
        raise InputError(Problem(2, "count", "the first stage must have a count above 0"))
    first = str(df["stage"][0])
    data = df.assign(stage=df["stage"].astype(str), count=count, share=count / count[0])
    share = pd.Series(percent_texts(data["share"]), index=data.index)
    summary = summary_text(data["stage"] + ": " + count.astype(int).astype(str) + " ("
                           + share + f" of {first})")
    label = f"format(datum.count, ',') + ' (' + format(datum.share, '.1%') + ' of {first})'"
    return refill(_funnel_layout(label), data, title=chart_title(title, source),
                  description=description or f"{title}. {summary}")


def funnel_with_labels(stages_df: pd.DataFrame, *, title: str = "Attrition funnel",
                       source: str | None = None, description: str | None = None
                       ) -> alt.LayerChart:
    """:func:`funnel` with each bar labelled by the given ``label`` text instead of its count.

    For counts that may not be shown as they are (the report's disclosure control): columns
    ``stage``, ``count`` (the bar length, >= 0), ``share`` (of the first stage, 0-1, for the
    tooltip; may be missing) and ``label``.

    >>> df = pd.DataFrame({"stage": ["referred", "finished"], "count": [100, 0],
    ...                    "share": [1.0, None], "label": ["100 (100.0%)", "* (*)"]})
    >>> funnel_with_labels(df).to_dict()["description"]
    'Attrition funnel. referred: 100 (100.0%); finished: * (*)'
    """
    df = required_columns(stages_df, ["stage", "count", "share", "label"], "funnel_with_labels")
    data = df.assign(stage=df["stage"].astype(str), count=numeric_column(df, "count", low=0),
                     share=numeric_column(df, "share", low=0, high=1, allow_missing=True))
    summary = summary_text(data["stage"] + ": " + data["label"].astype(str))
    return refill(_funnel_layout("datum.label"), data, title=chart_title(title, source),
                  description=description or f"{title}. {summary}")


@lru_cache(maxsize=16)
def _line_layout(x: str, y: str, series: str | None, groups: tuple[str, ...], order: tuple[str, ...],
                 breaks: tuple[tuple[str, str], ...], percent: bool) -> alt.LayerChart:
    axis = alt.Axis(format="%") if percent else alt.Axis()
    enc = {"x": alt.X(f"{x}:O", sort=list(order), scale=alt.Scale(domain=list(order)), title=x),
           "y": alt.Y(f"{y}:Q", axis=axis, title=y),
           "tooltip": [f"{x}:O", alt.Tooltip(f"{y}:Q", format=".3f")]}
    if series:
        enc |= {"color": alt.Color(f"{series}:N", scale=alt.Scale(domain=list(groups), range=list(PALETTE))),
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
    df = required_columns(df, [x, y] + ([series] if series else []), "line_by_year")
    values = numeric_column(df, y, allow_missing=True)
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
    summary = summary_text(who + ": " + shown) + (f". Breaks: {break_text}" if breaks else "")
    groups = tuple(dict.fromkeys(data[series].astype(str))) if series else ()
    layout = _line_layout(x, y, series, groups, order, tuple(breaks.items()), bool(percent))
    return refill(layout, data, title=chart_title(name, source),
                  description=description or f"{name}. {summary}")

