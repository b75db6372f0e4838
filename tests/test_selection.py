"""Tests for iaptlab.selection: the start judged on the first measurement or the truth, and the
loss-of-diagnosis rate expected in an interviewed sample, all on outcomes' own flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iaptlab.errors import ParameterError
from iaptlab.outcomes import classify, rates
from iaptlab.selection import classify_selected, diagnosis_lost_rate, selected_flags
from iaptlab.simulate import CohortModel, simulate


def _episodes(**columns) -> pd.DataFrame:
    base = {"episode_id": ["a", "b", "c"], "treatment_contacts": [6, 6, 1],
            "phq9_first": [9, 12, 15], "phq9_last": [3, 3, 15], "gad7_first": [5, 5, 5],
            "gad7_last": [2, 2, 5], "true_phq9_first": [10.0, 9.99, 15.0],
            "true_gad7_first": [5.0, 5.0, 5.0]}
    return pd.DataFrame({**base, **columns})


def test_selection_on_is_outcomes_classify_unchanged():
    table = simulate(CohortModel(n=2000, seed=4))
    pd.testing.assert_frame_equal(classify_selected(table), classify(table))


def test_selection_off_judges_the_start_on_the_true_score_at_the_caseness_threshold():
    # true PHQ-9 10.0 is at caseness (>= 10), 9.99 is not, whatever the first questionnaire said
    flags = classify_selected(_episodes(), select_on_first_measurement=False)
    assert flags["caseness_first"].tolist() == [True, False, True]
    assert flags["recovered"].tolist() == [True, False, False]  # the third did not finish
    counted = rates(flags).set_index("outcome").loc["recovered"]
    assert (counted["numerator"], counted["denominator"]) == (1, 1)


def test_selection_off_admits_on_the_true_diagnosis_at_referral():
    table = _episodes(diagnosis_first=[False, True, True], diagnosis_last=[False, False, True],
                      true_diagnosis_first=[1.0, 0.0, 1.0], true_diagnosis_last=[0.0, 0.0, 1.0])
    assert classify_selected(table)["interviewed"].tolist() == [False, True, False]
    off = classify_selected(table, select_on_first_measurement=False)
    assert off["interviewed"].tolist() == [True, False, False]
    assert off["diagnosis_lost"].tolist() == [True, False, False]


def test_selection_off_needs_a_simulated_table():
    with pytest.raises(ParameterError, match="true_phq9_first"):
        classify_selected(_episodes().drop(columns="true_phq9_first"),
                          select_on_first_measurement=False)


def test_a_classified_table_is_classified_again_not_doubled():
    table = simulate(CohortModel(n=500, seed=1))
    again = classify_selected(classify(table), select_on_first_measurement=False)
    direct = classify_selected(table, select_on_first_measurement=False)
    assert list(again.columns) == list(direct.columns)
    assert (again["recovered"].to_numpy() == direct["recovered"].to_numpy()).all()


@pytest.mark.parametrize("odds", [0.5, 1.0, 6.0])
def test_diagnosis_lost_rate_weights_the_still_ill_by_the_odds_ratio(odds):
    flags = pd.DataFrame({"finished": [True] * 4, "paired": [False] * 4,
                          "interviewed": [True, True, True, False],
                          "diagnosis_lost": [True, False, False, False],
                          "true_diagnosis_last": [0.0, 1.0, 0.0, 1.0]})
    assert diagnosis_lost_rate(flags, odds_ratio_still_ill=odds) == pytest.approx(1 / (2 + odds))


def test_diagnosis_lost_rate_with_odds_one_is_outcomes_rates():
    classified = classify(simulate(CohortModel.interview_sees_more(n=3000, seed=2)))
    official = rates(classified).set_index("outcome").loc["diagnosis_lost", "rate"]
    assert diagnosis_lost_rate(classified) == official


def test_diagnosis_lost_rate_edges():
    nobody = pd.DataFrame({"interviewed": [False], "diagnosis_lost": [False],
                           "true_diagnosis_last": [np.nan]})
    assert np.isnan(diagnosis_lost_rate(nobody, odds_ratio_still_ill=2.0))
    with pytest.raises(ParameterError, match="diagnosis_lost"):
        diagnosis_lost_rate(pd.DataFrame({"interviewed": [True]}))
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ParameterError, match="odds_ratio_still_ill"):
            diagnosis_lost_rate(nobody, odds_ratio_still_ill=bad)


def test_classify_refuses_a_caseness_first_of_the_wrong_shape_or_type():
    with pytest.raises(ParameterError, match="3 booleans"):
        classify(_episodes(), caseness_first=np.array([True, False]))
    with pytest.raises(ParameterError, match="3 booleans"):
        classify(_episodes(), caseness_first=np.array([1, 0, 1]))


@pytest.mark.parametrize("select", [True, False])
def test_selected_flags_of_the_columns_equal_those_of_the_table(select):
    from iaptlab.simulate import draw, episode_columns, to_frame

    model = CohortModel.interview_sees_more(n=3000, seed=5)
    columns = episode_columns(model, draw(model.n, model.seed))
    table = to_frame(columns, np.array([f"r{i}" for i in range(model.n)]))
    as_columns = {name: values for name, values in columns.items() if not name.endswith("_present")}
    as_columns["diagnosis_last"] = pd.arrays.BooleanArray(columns["diagnosis_last"],
                                                          ~columns["diagnosis_last_present"])
    from_table = selected_flags(table, select_on_first_measurement=select)
    from_columns = selected_flags(as_columns, select_on_first_measurement=select)
    assert from_table.keys() == from_columns.keys()
    for name, values in from_table.items():
        np.testing.assert_array_equal(np.asarray(values), np.asarray(from_columns[name]), err_msg=name)
    classified = classify_selected(table, select_on_first_measurement=select)
    for name in ("recovered", "interviewed", "diagnosis_lost"):
        np.testing.assert_array_equal(classified[name].to_numpy(), from_table[name], err_msg=name)
