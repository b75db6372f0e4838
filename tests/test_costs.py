"""Tests for iaptlab.costs. Expected values are worked by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.costs import (
    ZERO_COUNT_NOTE,
    StaffingModel,
    cost_per_outcome,
    count_outcomes,
)
from iaptlab.errors import InputError, ParameterError

# 2016-17 national figures, nhsd_2016_17_release [C] (NHS Digital news release): 567,000 finished a course,
# 525,000 of them at caseness, 259,000 recovered.
NATIONAL_2016_17 = {"finished": 567_000, "finished_at_caseness": 525_000, "recovered": 259_000}


def test_default_reproduces_scotts_455m_and_says_whose_estimate_it_is():
    model = StaffingModel()
    assert model.annual_cost() == 13_000 * 35_000 == 455_000_000
    assert "Scott" in model.label and "not an official figure" in model.label.lower()


def test_overhead_scales_cost_linearly():
    # 455m * 1.3 = 591.5m; doubling staff doubles cost
    assert StaffingModel(overhead_factor=1.3).annual_cost() == pytest.approx(591_500_000)
    assert StaffingModel(staff=26_000).annual_cost() == pytest.approx(910_000_000)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(staff=-1), "staff"),
        (dict(staff=float("nan")), "staff"),
        (dict(cost_per_staff=-5), "cost_per_staff"),
        (dict(overhead_factor=0.9), "overhead_factor"),
        (dict(overhead_factor=True), "overhead_factor"),
        (dict(label=""), "label"),
    ],
)
def test_staffing_model_rejects_out_of_range(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        StaffingModel(**kwargs)


def test_cost_per_outcome_from_national_counts_by_hand():
    # 455,000,000 / 567,000 = 802.47 per finisher; / 525,000 = 866.67; / 259,000 = 1,756.76
    table = cost_per_outcome(StaffingModel(), NATIONAL_2016_17)
    assert list(table.columns) == ["outcome", "count", "cost_per_outcome", "note"]
    assert table["outcome"].tolist() == ["finished", "finished_at_caseness", "recovered"]
    assert table["cost_per_outcome"].tolist() == pytest.approx([802.469, 866.667, 1756.757],
                                                               abs=0.001)
    assert table["count"].tolist() == [567_000, 525_000, 259_000]


def test_cost_per_outcome_select_outcomes_from_a_mapping():
    table = cost_per_outcome(1_000, NATIONAL_2016_17, outcomes=["recovered"])
    assert table["outcome"].tolist() == ["recovered"]


def test_cost_per_outcome_from_a_classified_table():
    # 4 finished, 1 recovered: 1,000 / 4 = 250; 1,000 / 1 = 1,000
    classified = pd.DataFrame({
        "finished": [True, True, True, True, False],
        "recovered": [True, False, False, False, False],
    })
    table = cost_per_outcome(1_000, classified, ["finished", "recovered"])
    assert table["count"].tolist() == [4, 1]
    assert table["cost_per_outcome"].tolist() == [250.0, 1_000.0]


def test_zero_count_gives_nan_with_a_note():
    table = cost_per_outcome(1_000, pd.Series({"recovered": 0, "finished": 5}))
    assert math.isnan(table["cost_per_outcome"].iloc[0])
    assert table["note"].tolist() == [ZERO_COUNT_NOTE, ""]
    assert table["cost_per_outcome"].iloc[1] == 200


def test_count_outcomes_refuses_missing_flags_and_absent_columns():
    table = pd.DataFrame({"recovered": pd.array([True, None, False], dtype="boolean")})
    with pytest.raises(InputError, match=r"row 3, column recovered"):
        count_outcomes(table, ["recovered"])
    with pytest.raises(InputError, match="reliable_recovery"):
        count_outcomes(table, ["reliable_recovery"])
    with pytest.raises(InputError, match="boolean"):
        count_outcomes(pd.DataFrame({"recovered": [1, 0]}), ["recovered"])


def test_cost_per_outcome_errors():
    with pytest.raises(ParameterError, match="annual_cost"):
        cost_per_outcome(-1, {"recovered": 5})
    with pytest.raises(ParameterError, match="outcomes"):
        cost_per_outcome(1, pd.DataFrame({"recovered": [True]}))
    with pytest.raises(InputError, match="recovered") as raised:
        cost_per_outcome(1, {"recovered": -3, "finished": "many", "ok": 4})
    assert len(raised.value.problems) == 2


@settings(max_examples=60, deadline=None)
@given(cost=st.floats(1, 1e10), count=st.integers(1, 10_000_000))
def test_cost_times_count_recovers_annual_cost(cost, count):
    table = cost_per_outcome(cost, {"x": count})
    assert table["cost_per_outcome"].iloc[0] * count == pytest.approx(cost)


@settings(max_examples=60, deadline=None)
@given(cost=st.floats(1, 1e9), low=st.integers(1, 10_000), extra=st.integers(0, 10_000))
def test_a_narrower_outcome_never_costs_less(cost, low, extra):
    # every recovered person is a finisher, so cost per recovery >= cost per finisher
    table = cost_per_outcome(cost, {"finished": low + extra, "recovered": low})
    per_finisher, per_recovery = table["cost_per_outcome"].to_numpy()
    assert per_recovery >= per_finisher
    assert np.isfinite(per_recovery)
