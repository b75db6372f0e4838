"""The gap between two rates as a waterfall: a starting rate, signed contributions, the end rate.

>>> df = pd.DataFrame({"label": ["start", "bias", "end"], "value": [0.5, -0.2, 0.3],
...                    "kind": ["total", "change", "total"]})
>>> waterfall(df).to_dict()["description"]
'From one rate to another. start: 50.0%; bias: -20.0 points; end: 30.0%'
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..format import percent_texts, points_text
from .inputs import numeric_column, required_columns
from .layout import chart_title, refill, summary_text
from .theme import PALETTE

__all__ = ["waterfall"]


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


def _running_sums(values: list[float], restarts: list[bool]) -> np.ndarray:
    """The running sum of ``values``, started afresh at each row where ``restarts`` is True:
    ``pd.Series(values).groupby(np.cumsum(restarts)).cumsum()``, bit for bit (the same Kahan-compensated
    sum pandas uses), for the few finite rows of a waterfall, without pandas' per-call cost.

    >>> _running_sums([0.5, -0.2, 0.3, 0.1], [True, False, True, False]).tolist()
    [0.5, 0.3, 0.3, 0.4]
    """
    out = []
    total = compensation = 0.0
    for value, restart in zip(values, restarts, strict=True):
        if restart:
            total = compensation = 0.0
        y = value - compensation
        t = total + y
        compensation = t - total - y
        if compensation != compensation:  # NaN from an infinity: pandas drops the compensation
            compensation = 0.0
        total = t
        out.append(t)
    return np.array(out, dtype=float)


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
    df = required_columns(contrib_df, ["label", "value", "kind"], "waterfall")
    value = numeric_column(df, "value", low=-1, high=1).to_numpy()
    raw_kind = df["kind"].to_numpy(dtype=object)
    kind = np.char.lower(np.char.strip(raw_kind.astype(str)))
    problems = [Problem(int(i) + 2, "kind", f"must be 'total' or 'change', got {raw_kind[i]!r}")
                for i in np.flatnonzero((kind != "total") & (kind != "change"))]
    if len(df) == 0 or kind[0] != "total":
        problems.append(Problem(2, "kind", "the first row must be the starting 'total'"))
    if problems:
        raise InputError(problems)
    is_total = kind == "total"
    # the running sum restarts at each total (compensated, as pandas' grouped cumsum, unlike numpy's)
    level = _running_sums(value.tolist(), is_total.tolist())
    running_before = np.concatenate([[np.nan], level[:-1]])
    off = is_total & (np.arange(len(df)) > 0) & (np.abs(value - running_before) > tolerance)
    if off.any():
        raise InputError([Problem(int(i) + 2, "value", f"total {value[i]:.4f} does not equal the "
                                  f"running sum {running_before[i]:.4f}")
                          for i in np.flatnonzero(off)])
    direction = np.select([is_total, value >= 0], ["total", "increase"], "decrease")
    # df.assign's result (same columns, order and types) built from numpy: a tenth of the time
    new = {"value": value, "kind": pd.Series(kind, dtype="str"), "start": np.where(is_total, 0.0, level - value),
           "end": level, "direction": direction}
    data = pd.DataFrame({**{c: new[c] if c in new else df[c] for c in df.columns},
                         **{c: v for c, v in new.items() if c not in df.columns}})
    labels = df["label"].to_numpy().astype(str)
    if not description:
        text = np.where(is_total, percent_texts(value), [points_text(v) for v in value])
        description = f"{title}. {summary_text(pd.Series(np.char.add(np.char.add(labels, ': '), text)))}"
    multiline = bool((np.char.find(labels, "\n") >= 0).any())
    return refill(_waterfall_layout(multiline), data, title=chart_title(title, source), description=description)
