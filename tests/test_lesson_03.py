"""Lesson 03 (demand characteristics): the demand explorer, its lesson logic and the exercise answers.

Expected values are worked out by hand in comments, or recomputed here with a separate numpy
implementation of the IAPT recovery rule (caseness PHQ-9 >= 10 or GAD-7 >= 8; NHS Digital guide
v2.1, nhsd_guide_v21), never copied from the code under test.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import datasets
from iaptlab.charts.lessons import trial_evidence_chart
from iaptlab.demand import (
    BASELINE,
    WITH,
    DemandInputs,
    demand_inputs,
    demand_rates,
    shifted_scores,
    trial_evidence,
)
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers.demand import CONTROLS, compute
from iaptlab.notebook import references
from iaptlab.outcomes import IAPT, classify
from iaptlab.widgets import sweep

SMALL_N = 3_000


@pytest.fixture(scope="module")
def lesson_inputs() -> DemandInputs:
    return demand_inputs()


def _frame(rows: list[tuple]) -> pd.DataFrame:
    cols = ["episode_id", "treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last"]
    return pd.DataFrame(rows, columns=cols).astype({c: float for c in cols[2:]})


def _hand_inputs(rows: list[tuple], u: list[float]) -> DemandInputs:
    episodes = _frame(rows)
    return DemandInputs(episodes=episodes, with_therapist_u=np.array(u), model=demand_inputs(200).model,
                        baseline=MappingProxyType({}))


def _recovery_by_numpy(episodes: pd.DataFrame) -> tuple[int, int]:
    """IAPT recovery, written independently of iaptlab.outcomes: (numerator, denominator)."""
    p1, p2, g1, g2 = (episodes[c].to_numpy(dtype=float) for c in
                      ("phq9_first", "phq9_last", "gad7_first", "gad7_last"))
    with np.errstate(invalid="ignore"):
        eligible = (episodes["treatment_contacts"].to_numpy() >= 2) & ~np.isnan(p1 + p2 + g1 + g2)
        at_case_first = (p1 >= 10) | (g1 >= 8)
        below_last = (p2 < 10) & (g2 < 8)
    denominator = eligible & at_case_first
    return int((denominator & below_last).sum()), int(denominator.sum())


# ---------------------------------------------------------------- the explorer at every extreme


def test_every_control_is_labelled_in_words():
    for control in CONTROLS:
        assert len(control.label.split()) >= 3, control.name


@pytest.mark.parametrize("params", list(sweep(CONTROLS)), ids=lambda p: repr(p))
def test_sweep_gives_sane_outputs(lesson_inputs, params):
    result = compute(lesson_inputs, **params)
    tidy = result.extra["rates"]
    assert tidy["rate"].between(0, 1).all()
    assert set(tidy["group"]) == {BASELINE, WITH}
    # the true state is fixed: reliable-improvement denominators never move; recovery's only
    # moves when hello-goodbye changes who is at caseness on the first scores
    paired = tidy[tidy["outcome"] == "reliable_improvement"]["denominator"]
    assert paired.nunique() == 1
    if params["hello_points"] == 0:
        assert tidy[tidy["outcome"] == "recovered"]["denominator"].nunique() == 1
    table = result.table
    assert len(table) == 2
    for column in ("baseline: no demand (%)", "with demand (%)"):
        assert table[column].between(0, 100).all()
    for _, row in table.iterrows():
        assert f"{row['baseline: no demand (%)']:.1f}%" in result.sentence
        assert f"{row['with demand (%)']:.1f}%" in result.sentence
        assert f"{row['change (percentage points)']:+.1f} points" in result.sentence
        assert math.isclose(row["with demand (%)"] - row["baseline: no demand (%)"],
                            row["change (percentage points)"], abs_tol=1e-9)
    description = result.chart.to_dict()["description"]
    assert "Same people" in description and "%" in description


def test_no_demand_settings_reproduce_the_baseline(lesson_inputs):
    for params in ({"last_shift": 0}, {"share_with_therapist_pct": 0}):
        tidy = compute(lesson_inputs, hello_points=0, **params).extra["rates"]
        base, shifted = (tidy[tidy["group"] == g].reset_index(drop=True) for g in (BASELINE, WITH))
        pd.testing.assert_frame_equal(base.drop(columns="group"), shifted.drop(columns="group"))


def test_baseline_matches_an_independent_recovery_count(lesson_inputs):
    numerator, denominator = _recovery_by_numpy(lesson_inputs.episodes)
    base = lesson_inputs.baseline["iapt"].set_index("outcome").loc["recovered"]
    assert (base["numerator"], base["denominator"]) == (numerator, denominator)


def test_inputs_hold_no_demand_and_are_deterministic():
    a, b = demand_inputs(SMALL_N, seed=5), demand_inputs.__wrapped__(SMALL_N, seed=5)
    assert a.model.demand_shift_points == 0 and a.model.hello_goodbye_points == 0
    pd.testing.assert_frame_equal(a.episodes, b.episodes)
    np.testing.assert_array_equal(a.with_therapist_u, b.with_therapist_u)
    assert ((a.with_therapist_u >= 0) & (a.with_therapist_u < 1)).all()


def test_positive_shift_lowers_and_strict_rules_never_raise_reliable_improvement(lesson_inputs):
    worse = compute(lesson_inputs, last_shift=3, share_with_therapist_pct=100).table
    assert (worse["change (percentage points)"] < 0).all()
    ri = {name: compute(lesson_inputs, rules=name).extra["rates"].set_index(["group", "outcome"])
          for name in ("iapt", "iapt-strict")}
    for group in (BASELINE, WITH):
        # ">" is harder to meet than ">=", so strictly fewer or equal reliable improvements
        assert ri["iapt-strict"].loc[(group, "reliable_improvement"), "numerator"] <= \
            ri["iapt"].loc[(group, "reliable_improvement"), "numerator"]


# ---------------------------------------------------------------- the lesson logic, by hand


def test_shifted_scores_by_hand():
    eps = _frame([("a", 6, 12, 1, 9, 8), ("b", 6, 26, 27, 20, 7), ("c", 6, 5, np.nan, 3, np.nan)])
    u = np.array([0.2, 0.5, 0.1])
    out = shifted_scores(eps, u, last_shift=-2, share_with_therapist=0.5, hello_points=2)
    # a: u 0.2 < 0.5 so last moves: 1-2 -> 0 (clipped), 8-2 = 6; first 12+2, 9+2
    # b: u 0.5 is not < 0.5, so last unchanged; first 26+2 -> 27 (clipped), 20+2 -> 21 (clipped)
    # c: missing last scores stay missing
    assert out["phq9_first"].tolist() == [14, 27, 7]
    assert out["gad7_first"].tolist() == [11, 21, 5]
    assert out["phq9_last"].tolist()[:2] == [0, 27] and np.isnan(out["phq9_last"][2])
    assert out["gad7_last"].tolist()[:2] == [6, 7] and np.isnan(out["gad7_last"][2])
    assert eps["phq9_first"].tolist() == [12, 26, 5]  # input untouched
    up = shifted_scores(eps, u, last_shift=3, share_with_therapist=1.0)
    assert up["phq9_last"].tolist()[:2] == [4, 27] and up["gad7_last"].tolist()[:2] == [11, 10]


@pytest.mark.parametrize("share, affected", [(0.0, 0), (0.2, 0), (0.2000001, 1), (1.0, 3)])
def test_share_boundary_is_strict(share, affected):
    eps = _frame([("a", 6, 12, 12, 9, 9), ("b", 6, 12, 12, 9, 9), ("c", 6, 12, 12, 9, 9)])
    out = shifted_scores(eps, np.array([0.2, 0.5, 0.99]), last_shift=-1, share_with_therapist=share)
    assert int((out["phq9_last"] == 11).sum()) == affected


def test_bad_parameters_name_the_parameter():
    eps = _frame([("a", 6, 12, 12, 9, 9)])
    with pytest.raises(ParameterError, match="share_with_therapist"):
        shifted_scores(eps, np.array([0.5]), share_with_therapist=1.5)
    with pytest.raises(ParameterError, match="with_therapist_u"):
        shifted_scores(eps, np.array([0.5, 0.1]))
    with pytest.raises(ParameterError, match="rules"):
        demand_rates(demand_inputs(200), rules="lenient")


def test_demand_rates_on_a_hand_made_cohort():
    # x: 14->11, 10->8: not recovered (11 >= 10); with -2: 9, 6 -> recovered; drops 5 and 4 -> RI
    # y: 12->10,  7->7: not recovered; u 0.9 is never "with therapist" at share 0.5 -> unchanged
    # z:  8->4,   6->3: not at caseness at first (8 < 10, 6 < 8): outside the recovery denominator
    #                   unless hello-goodbye lifts it; drop 4 and 3: no reliable change
    # w:  1 contact: not finished, in no denominator
    inputs = _hand_inputs([("x", 5, 14, 11, 10, 8), ("y", 5, 12, 10, 7, 7), ("z", 5, 8, 4, 6, 3),
                           ("w", 1, 20, 2, 15, 1)], [0.1, 0.9, 0.2, 0.1])
    got = demand_rates(inputs, last_shift=-2, share_with_therapist=0.5).set_index(["group", "outcome"])
    assert got.loc[(BASELINE, "recovered"), ["numerator", "denominator"]].tolist() == [0, 2]
    assert got.loc[(WITH, "recovered"), ["numerator", "denominator"]].tolist() == [1, 2]
    assert got.loc[(BASELINE, "reliable_improvement"), ["numerator", "denominator"]].tolist() == [0, 3]
    # z with -2: 8->2, 6->1: PHQ-9 drop 6 >= 6 -> reliably improved as well as x
    assert got.loc[(WITH, "reliable_improvement"), ["numerator", "denominator"]].tolist() == [2, 3]
    # hello-goodbye +2: z's first scores 10 and 8 reach caseness; last 4, 3 below -> recovered;
    # x first 16/12, last 11/8 -> not recovered; y 14/9 -> 10/7: PHQ-9 10 still at caseness
    hello = demand_rates(inputs, hello_points=2).set_index(["group", "outcome"])
    assert hello.loc[(WITH, "recovered"), ["numerator", "denominator"]].tolist() == [1, 3]


@settings(max_examples=25, deadline=None)
@given(shift=st.integers(-6, 0), share_low=st.floats(0, 1), share_high=st.floats(0, 1))
def test_more_demand_never_lowers_recovery(shift, share_low, share_high):
    inputs = demand_inputs(SMALL_N)
    low, high = sorted((share_low, share_high))

    def count(s: float, k: int) -> tuple[int, int, int]:
        r = demand_rates(inputs, last_shift=k, share_with_therapist=s).set_index(["group", "outcome"])
        return (int(r.loc[(WITH, "recovered"), "numerator"]),
                int(r.loc[(WITH, "reliable_improvement"), "numerator"]),
                int(r.loc[(WITH, "recovered"), "denominator"]))

    at_low, at_high, deeper = count(low, shift), count(high, shift), count(high, shift - 1)
    assert at_low[0] <= at_high[0] <= deeper[0]
    assert at_low[1] <= at_high[1] <= deeper[1]
    assert at_low[2] == at_high[2] == deeper[2]  # last-score demand never changes who is at caseness


@settings(max_examples=20, deadline=None)
@given(hello=st.integers(0, 4), shift=st.integers(-6, 3), share=st.floats(0, 1))
def test_recovery_matches_an_independent_implementation(hello, shift, share):
    inputs = demand_inputs(SMALL_N)
    eps = inputs.episodes.copy()
    hit = inputs.with_therapist_u < share
    for col, top in (("phq9", 27), ("gad7", 21)):
        eps[f"{col}_first"] = np.minimum(eps[f"{col}_first"] + hello, top)
        eps[f"{col}_last"] = np.clip(eps[f"{col}_last"] + np.where(hit, shift, 0), 0, top)
    r = demand_rates(inputs, last_shift=shift, share_with_therapist=share, hello_points=hello)
    row = r.set_index(["group", "outcome"]).loc[(WITH, "recovered")]
    assert (row["numerator"], row["denominator"]) == _recovery_by_numpy(eps)


# ---------------------------------------------------------------- the exercises


def test_exercise_hand_shift():
    person = _frame([("p", 6, 14, 11, 10, 8)])
    shifted = person.assign(phq9_last=9.0, gad7_last=6.0)
    before, after = classify(person, IAPT).iloc[0], classify(shifted, IAPT).iloc[0]
    gained = {f for f in ("recovered", "reliable_improvement", "reliable_recovery",
                          "reliable_deterioration") if after[f] and not before[f]}
    # by hand: after the shift 9 < 10 and 6 < 8 (recovered); GAD-7 drop 10 - 6 = 4 >= 4 and PHQ-9
    # drop 5 is not a rise (reliably improved); both -> reliable recovery
    assert gained == {"recovered", "reliable_improvement", "reliable_recovery"}
    assert check("03.hand_shift", gained).correct
    assert check("03.hand_shift", ["reliable_recovery", "recovered", "reliable_improvement"]).correct
    assert not check("03.hand_shift", {"recovered"}).correct
    assert not check("03.hand_shift", {"recovered", "reliable_improvement"}).correct


def test_exercise_recovery_shift_80(lesson_inputs):
    eps = lesson_inputs.episodes.copy()
    hit = lesson_inputs.with_therapist_u < 0.8
    for col in ("phq9_last", "gad7_last"):
        eps[col] = np.maximum(eps[col] - np.where(hit, 2, 0), 0)
    before = _recovery_by_numpy(lesson_inputs.episodes)
    after = _recovery_by_numpy(eps)
    change_points = 100 * (after[0] / after[1] - before[0] / before[1])
    assert check("03.recovery_shift_80", round(change_points, 1)).correct
    assert not check("03.recovery_shift_80", round(change_points, 1) + 1).correct
    explorer_change = compute(lesson_inputs, last_shift=-2, share_with_therapist_pct=80).table
    assert check("03.recovery_shift_80", explorer_change["change (percentage points)"].iloc[0]).correct


def test_exercise_trial_direction():
    bias = datasets.load("assessment_bias")
    rows = bias[bias["comparison"] == "self-report vs clinician-rated"]
    assert rows["interpretation"].str.startswith("positive = effect larger on the clinician").all()
    answer = "clinician-rated" if (rows["estimate"] > 0).all() else "self-report"
    assert check("03.trial_direction", answer).correct
    assert check("03.trial_direction", "b").correct
    assert not check("03.trial_direction", "self-report").correct


def test_exercise_why_trials_cannot_settle():
    # A true (no clinician rating in IAPT data: card caveat); B true (a between-arm difference
    # cancels a bias common to both arms); C true (Miguel 2025: unmasked clinicians' gap larger);
    # D false (no trial shows demand cannot inflate self-report); E true (card caveat: no study
    # is of IAPT); F false (the trial gap does not transfer to IAPT's single-group rates).
    assert check("03.why_trials_cannot_settle", {"A", "B", "C", "E"}).correct
    assert check("03.why_trials_cannot_settle", "e, c, b, a").correct
    assert not check("03.why_trials_cannot_settle", {"A", "B", "C", "E", "F"}).correct
    assert not check("03.why_trials_cannot_settle", {"A", "B", "C", "D", "E"}).correct


def test_lesson_references_resolve():
    text = references("orne_1962", "kihlstrom_2002", "jos_1998_interview_mode",
                      "hunt_bdi_underreporting", "hello_goodbye_definition", "scott_2021_blog",
                      datasets_used=["assessment_bias"])
    assert "Orne, M. T. (1962)" in text and "Miguel" in text
    assert "Hathaway" not in text  # the unconfirmed attribution is never made



def test_trial_evidence_rows_and_chart_description():
    bias = datasets.load("assessment_bias")
    evidence = trial_evidence(bias)
    # the six self-report vs clinician-rated rows of the CSV: 2 from Cuijpers 2010, 4 from Miguel 2025
    assert evidence["study"].value_counts().to_dict() == {"Miguel et al. (2025)": 4,
                                                          "Cuijpers et al. (2010)": 2}
    description = trial_evidence_chart(evidence).to_dict()["description"]
    # Cuijpers 2010 all trials: Δg 0.20 (0.10 to 0.30); Miguel 2025 unmasked: 0.20 (-0.03 to 0.43)
    assert "all trials with both kinds of measure: 0.20 (0.10 to 0.30)" in description
    assert "unmasked clinicians only: 0.20 (-0.03 to 0.43)" in description
    with pytest.raises(ParameterError, match="estimate"):
        trial_evidence(bias.drop(columns="estimate"))
