"""Lesson 07's charts of a split of the gap between two rates: waterfalls and their table.

Each function reads a :func:`iaptlab.reconcile.waterfall` table (``component``, ``kind``,
``value``, ``contribution``, ``contribution_points``): :func:`chart_rows` turns it into the rows
:func:`iaptlab.charts.waterfall` draws, :func:`waterfall_chart` draws one, :func:`side_by_side`
several on one rate scale, and :func:`points_table` puts several in one table.
They are charts, not an explorer: lesson 07 and its explorer call them.

>>> plain_label("who is interviewed, and when")
'who is interviewed, and when'
>>> SHORT_LABELS["who is interviewed, and when"]
'who is\\ninterviewed,\\nand when'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .gap import waterfall

__all__ = ["SHORT_LABELS", "ZERO_RESIDUAL", "chart_rows", "plain_label", "points_table", "side_by_side",
           "waterfall_chart"]

#: Short names of the five groups on the chart's axis, and the two rates at either end.
#: A "\n" breaks an axis label into lines (the description and table show a space instead).
SHORT_LABELS = {
    "recovered": "recovery\n(questionnaires)",
    "real change": "real\nchange",
    "who finishes": "who\nfinishes",
    "questionnaire artefacts": "questionnaire\nartefacts",
    "what the interview sees": "what the\ninterview sees",
    "who is interviewed, and when": "who is\ninterviewed,\nand when",
    "all mechanisms off": "left with\nall off",
    "diagnosis_lost": "loss of\ndiagnosis\n(interview)",
}
#: A residual ("all mechanisms off") smaller than this is left off the chart as zero.
ZERO_RESIDUAL = 5e-4


def plain_label(component: str) -> str:
    """A waterfall component's short name on one line (as the table and description show it).

    >>> plain_label("diagnosis_lost")
    'loss of diagnosis (interview)'
    """
    return SHORT_LABELS.get(component, component).replace("\n", " ")


def chart_rows(table_w: pd.DataFrame, *, drop_zero_residual: bool = True) -> pd.DataFrame:
    """A waterfall table as the rows ``charts.waterfall`` reads: label, value, kind.

    Contributions become negative steps (a mechanism that widens the gap takes the line down
    from recovery towards loss of diagnosis). The "all mechanisms off" step is left out when it
    is zero (it is whenever every mechanism is a player: with nothing happening, no one recovers
    and no one loses a diagnosis).

    >>> from iaptlab.reconcile_gap import five_group_waterfall
    >>> from iaptlab.simulate import CohortModel
    >>> w = five_group_waterfall(CohortModel(n=2000))
    >>> chart_rows(w)["kind"].tolist()
    ['total', 'change', 'change', 'change', 'change', 'change', 'total']
    """
    kind = table_w["kind"].to_numpy(dtype=object)
    contribution = table_w["contribution"].to_numpy(dtype=float)
    keep = ~((kind == "residual") & (np.abs(contribution) < ZERO_RESIDUAL) & drop_zero_residual)
    component = table_w["component"].to_numpy(dtype=object)[keep]
    is_rate = kind[keep] == "rate"
    return pd.DataFrame({  # from numpy: a few rows, where pandas' per-call overhead would dominate
        "label": np.select([component == name for name in SHORT_LABELS], list(SHORT_LABELS.values()), component),
        "value": np.where(is_rate, table_w["value"].to_numpy(dtype=float)[keep], -contribution[keep]),
        "kind": np.where(is_rate, "total", "change"),
    })


def waterfall_chart(table_w: pd.DataFrame, *, title: str, source: str, sentence: str = ""):
    """The waterfall of ``table_w`` (a :func:`iaptlab.reconcile.waterfall` table), drawn by
    :func:`iaptlab.charts.waterfall` with multi-line axis labels; ``sentence`` ends the description.

    >>> from iaptlab.reconcile_gap import five_group_waterfall
    >>> from iaptlab.simulate import CohortModel
    >>> chart = waterfall_chart(five_group_waterfall(CohortModel(n=2000)), title="T", source="S")
    >>> chart.to_dict()["description"][:30]
    'T. recovery (questionnaires): '
    """

    rows = chart_rows(table_w)
    steps = "; ".join(f"{label.replace(chr(10), ' ')}: {value * 100:+.1f} points"
                      if kind == "change" else
                      f"{label.replace(chr(10), ' ')}: {value:.1%}"
                      for label, value, kind in zip(rows["label"].tolist(), rows["value"].tolist(),
                                                    rows["kind"].tolist(), strict=True))
    description = f"{title}. {steps}. {sentence}".strip()
    # a dropped residual may leave the last total that far from the running sum
    return waterfall(rows, title=title, source=source, description=description,
                            tolerance=ZERO_RESIDUAL)


def side_by_side(tables: Mapping[str, pd.DataFrame], *, source: str, vertical: bool = True):
    """Several waterfalls together, one per named table, same rate scale, one description.

    Stacked by default: two seven-bar waterfalls in a row are about 1,300 pixels wide, wider than
    a notebook, and one above the other keeps the bars aligned for comparison.

    >>> import altair as alt
    >>> from iaptlab.reconcile_gap import five_group_waterfall
    >>> from iaptlab.simulate import CohortModel
    >>> w = five_group_waterfall(CohortModel(n=2000))
    >>> isinstance(side_by_side({"IAPT-like": w}, source="simulation"), alt.VConcatChart)
    True
    """
    import altair as alt

    charts = [waterfall_chart(t, title=name, source=source) for name, t in tables.items()]
    description = " | ".join(c.description for c in charts)
    joined = alt.vconcat(*charts) if vertical else alt.hconcat(*charts)
    return joined.properties(description=description).resolve_scale(y="shared")


def points_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Several waterfalls as one table: rates in percent, contributions in points, one column each.

    >>> from iaptlab.reconcile_gap import five_group_waterfall
    >>> from iaptlab.simulate import CohortModel
    >>> w = five_group_waterfall(CohortModel(n=2000))
    >>> points_table({"x": w}).index[0]
    'recovery (questionnaires), %'
    """
    columns = {}
    for name, table_w in tables.items():  # a loop over a few waterfalls, not over rows
        is_rate = table_w["kind"] == "rate"
        labels = table_w["component"].map(plain_label) + np.where(is_rate, ", %", ", points")
        values = np.where(is_rate, 100 * table_w["value"], table_w["contribution_points"])
        columns[name] = pd.Series(values, index=labels.to_numpy()).round(1)
    return pd.DataFrame(columns).rename_axis("part of the waterfall")
