"""rates_bar and rates_bar_with_labels: a bar without a name is refused by row and column, and
the description names every bar as the chart's data does."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.charts.rates import rates_bar, rates_bar_with_labels
from iaptlab.errors import InputError


def _rates(**columns) -> pd.DataFrame:
    base = {"outcome": ["a", "b"], "numerator": [1, 2], "denominator": [2, 4], "rate": [0.5, 0.5]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(("columns", "where"), [
    ({"outcome": ["a", None]}, "row 3, column outcome"),
    ({"group": ["x", None]}, "row 3, column group"),
    ({"outcome": [None, "b"], "group": ["x", "y"]}, "row 2, column outcome"),
])
def test_a_bar_without_a_name_is_refused_by_row_and_column(columns, where):
    with pytest.raises(InputError, match=f"^{where}: missing"):
        rates_bar(_rates(**columns))


def test_a_missing_label_is_refused_and_a_present_one_is_stated():
    labelled = _rates(label=["*/2", None])
    with pytest.raises(InputError, match="label"):
        rates_bar_with_labels(labelled)
    chart = rates_bar_with_labels(labelled.assign(label=["*/2", "2/4 (50.0%)"]), title="T")
    assert chart.to_dict()["description"] == "T. a: */2; b: 2/4 (50.0%)"


def test_grouped_description_names_group_then_outcome():
    chart = rates_bar(_rates(group=[1, 2]), title="T")
    assert chart.to_dict()["description"] == "T. 1 a: 1/2 = 50.0%; 2 b: 2/4 = 50.0%"


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=8))
def test_description_states_each_bars_counts_and_rate(pairs):
    rows = [(min(n, d), d) for n, d in pairs]
    df = pd.DataFrame({"outcome": [f"o{i}" for i in range(len(rows))],
                       "numerator": [n for n, _ in rows], "denominator": [d for _, d in rows]})
    df["rate"] = df["numerator"] / df["denominator"].where(df["denominator"] > 0)
    description = rates_bar(df, title="T").to_dict()["description"]
    parts = description.removeprefix("T. ").split("; ")
    assert len(parts) == len(rows)
    for i, ((n, d), part) in enumerate(zip(rows, parts, strict=True)):
        assert part.startswith(f"o{i}: {n}/{d} = ")
        assert part.endswith("no one in the denominator" if d == 0 else "%")
