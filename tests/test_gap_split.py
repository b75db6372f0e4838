"""Lesson 07's waterfall charts, built from numpy on every explorer move, draw exactly what the plain
pandas formulation of the same rules draws (the rows, their types and the description)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.charts import waterfall
from iaptlab.charts.gap_split import SHORT_LABELS, ZERO_RESIDUAL, chart_rows, waterfall_chart
from iaptlab.errors import InputError
from iaptlab.format import percent_texts, points_text
from iaptlab.reconcile import FIVE_GROUPS, waterfall_table
from iaptlab.reconcile_gap import five_group_waterfall
from iaptlab.simulate import CohortModel


def _reference_rows(table_w: pd.DataFrame, drop_zero_residual: bool) -> pd.DataFrame:
    keep = ~((table_w["kind"] == "residual") & (table_w["contribution"].abs() < ZERO_RESIDUAL) & drop_zero_residual)
    used = table_w[keep]
    is_rate = used["kind"] == "rate"
    return pd.DataFrame({"label": used["component"].map(SHORT_LABELS).fillna(used["component"]).to_numpy(),
                         "value": np.where(is_rate, used["value"], -used["contribution"]),
                         "kind": np.where(is_rate, "total", "change")})


def _reference_data(df: pd.DataFrame) -> pd.DataFrame:
    value = df["value"].astype(float)
    kind = df["kind"].astype(str).str.strip().str.lower()
    is_total = kind == "total"
    level = value.groupby(is_total.cumsum()).cumsum()
    return df.assign(value=value, kind=kind, start=np.where(is_total, 0.0, level - value), end=level,
                     direction=np.select([is_total, value >= 0], ["total", "increase"], "decrease"))


@pytest.mark.parametrize("drop", [True, False])
@pytest.mark.parametrize("table_w", [
    five_group_waterfall(CohortModel.interview_sees_more(n=1500, seed=3)),
    waterfall_table(CohortModel(n=1500, seed=4), mechanisms=("demand", "selection")),  # residual not zero
    waterfall_table(CohortModel(n=1500).without("demand"), mechanisms=("demand",)),  # a zero contribution
    waterfall_table(CohortModel(n=1500, seed=5), groups={"x": FIVE_GROUPS["real change"]},
                    mechanisms=("treatment_effect", "natural_remission", "demand")),  # a name with no short label
])
def test_chart_rows_are_the_reference_rows(table_w, drop):
    pd.testing.assert_frame_equal(chart_rows(table_w, drop_zero_residual=drop), _reference_rows(table_w, drop))


_KINDS = st.sampled_from(["change", "change", " Change ", "total", "TOTAL"])


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.floats(-0.3, 0.3, allow_nan=False).map(lambda v: round(v, 4)), min_size=1, max_size=9),
       kinds=st.lists(_KINDS, min_size=8, max_size=8), totals_add_up=st.booleans(), extra=st.booleans(),
       described=st.booleans(), multiline=st.booleans())
def test_waterfall_draws_the_reference_rows_and_refuses_what_it_refused(values, kinds, totals_add_up, extra,
                                                                        described, multiline):
    kinds = ["total", *kinds[:len(values) - 1]]
    values = [abs(values[0]), *values[1:]]
    running = 0.0
    for i, kind in enumerate(kinds):  # a test building its own input row by row
        if kind.strip().lower() == "total":
            values[i] = running if i and totals_add_up else values[i]
            running = values[i]
        else:
            running += values[i]
    df = pd.DataFrame({"label": [f"part {i}" + ("\nmore" if multiline and i == 1 else "") for i in range(len(values))],
                       "value": values, "kind": kinds}, index=np.arange(len(values)) + 3)
    if extra:
        df["note"] = np.arange(len(values))
    if np.abs(df["value"]).max() > 1 or np.abs(_reference_data(df.reset_index(drop=True))["end"]).max() > 1:
        return  # out of the chart's range: refused by the column check both ways, tested elsewhere
    reference = _reference_data(df.reset_index(drop=True))
    is_total = reference["kind"] == "total"
    before = reference["end"].shift(1)
    adds_up = not (is_total & (np.arange(len(df)) > 0) & ((reference["value"] - before).abs() > 1e-6)).any()
    if not adds_up:
        with pytest.raises(InputError, match="does not equal the running sum"):
            waterfall(df)
        return
    chart = waterfall(df, title="T", description="given" if described else None)
    pd.testing.assert_frame_equal(chart.data, reference)
    text = np.where(is_total, percent_texts(reference["value"]), [points_text(v) for v in reference["value"]])
    expected = "given" if described else "T. " + "; ".join(reference["label"] + ": " + pd.Series(text))
    assert chart.description == expected


def test_waterfall_chart_of_a_lesson_table_has_every_row_and_its_description():
    table_w = five_group_waterfall(CohortModel.interview_sees_more(n=1500, seed=3))
    chart = waterfall_chart(table_w, title="T", source="S", sentence="End.")
    assert len(chart.data) == len(chart_rows(table_w))
    assert chart.description.startswith("T. recovery (questionnaires): ") and chart.description.endswith(" End.")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(-1, 1), st.booleans()), min_size=1, max_size=12),
       st.sampled_from([0.0, 1e-17, 0.1, 1 / 3]))
def test_running_sums_equal_pandas_grouped_cumsum_bit_for_bit(rows, nudge):
    from iaptlab.charts.gap import _running_sums

    values = [v + nudge for v, _ in rows]
    restarts = [True] + [r for _, r in rows[1:]]
    expected = pd.Series(values).groupby(np.cumsum(restarts)).cumsum().to_numpy()
    got = _running_sums(values, restarts)
    assert got.tobytes() == expected.tobytes()
