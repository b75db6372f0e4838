"""Tests for iaptlab.reconcile: the waterfall sums to the gap, does not depend on order, gives a
switched-off mechanism exactly zero, matches a hand-computed two-player Shapley value, and the
calibration of iapt_like() holds."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from iaptlab.errors import ParameterError
from iaptlab.outcomes import classify, rates
from iaptlab.reconcile import (
    CALIBRATION_TARGETS,
    calibration_table,
    outcome_rate,
    shapley_weights,
    waterfall,
)
from iaptlab.simulate import MECHANISMS, CohortModel, simulate

WEEKS_PER_MONTH = 365.25 / 7 / 12


def test_contributions_sum_to_the_gap_and_the_chain_ends_at_the_second_rate():
    model = CohortModel.iapt_like(n=20_000, seed=5)
    table = waterfall(model)
    classified = classify(simulate(model))
    rate_from = outcome_rate(classified, "recovered")
    rate_to = outcome_rate(classified, "diagnosis_lost")
    assert table["value"].iloc[0] == pytest.approx(rate_from, abs=1e-12)
    assert table["value"].iloc[-1] == pytest.approx(rate_to, abs=1e-12)
    assert table["contribution"].sum() == pytest.approx(rate_from - rate_to, abs=1e-12)
    assert table.attrs["gap"] == pytest.approx(rate_from - rate_to, abs=1e-12)
    steps = table.iloc[1:-1]
    np.testing.assert_allclose(steps["start"] - steps["end"], steps["contribution"], atol=1e-12)
    np.testing.assert_allclose(steps["start"].to_numpy()[1:], steps["end"].to_numpy()[:-1])
    assert steps["end"].iloc[-1] == pytest.approx(rate_to, abs=1e-12)
    assert set(steps["component"]) == set(MECHANISMS) | {"all mechanisms off"}


def test_attribution_does_not_depend_on_the_order_mechanisms_are_listed():
    model = CohortModel(n=8000, seed=2)
    names = ("demand", "measurement_error", "selection", "treatment_effect")
    forward = waterfall(model, mechanisms=names).set_index("component")["contribution"]
    backward = waterfall(model, mechanisms=names[::-1]).set_index("component")["contribution"]
    for name in names:
        assert forward[name] == pytest.approx(backward[name], abs=1e-12)


@pytest.mark.parametrize("mechanism", list(MECHANISMS))
def test_a_mechanism_switched_off_contributes_exactly_zero(mechanism):
    model = CohortModel(n=6000, seed=1).without(mechanism)
    others = [m for m in ("demand", "treatment_effect", "selection") if m != mechanism][:2]
    table = waterfall(model, mechanisms=(mechanism, *others)).set_index("component")
    assert table.loc[mechanism, "contribution"] == 0.0
    assert table["contribution"].sum() == pytest.approx(table.attrs["gap"], abs=1e-12)


def test_two_mechanism_shapley_value_matches_a_hand_computation():
    # phi_a = 1/2 [(v(a) - v(none)) + (v(ab) - v(b))], with v = recovered - diagnosis_lost,
    # each v computed here from its own simulated table.
    model = CohortModel(n=8000, seed=9)

    def v(*on):
        m = model.without(*[x for x in ("demand", "selection") if x not in on])
        c = classify(simulate(m))
        sel = m.select_on_first_measurement
        return (outcome_rate(c, "recovered", select_on_first_measurement=sel)
                - outcome_rate(c, "diagnosis_lost", select_on_first_measurement=sel))

    v0, va, vb, vab = v(), v("demand"), v("selection"), v("demand", "selection")
    table = waterfall(model, mechanisms=("demand", "selection")).set_index("component")
    assert table.loc["demand", "contribution"] == pytest.approx(0.5 * ((va - v0) + (vab - vb)))
    assert table.loc["selection", "contribution"] == pytest.approx(0.5 * ((vb - v0) + (vab - va)))
    assert table.loc["all mechanisms off", "contribution"] == pytest.approx(v0)


def test_shapley_weights_sum_to_one_over_all_coalitions():
    for k in range(1, 9):
        counts = [math.comb(k - 1, s) for s in range(k)]
        assert float(np.dot(counts, shapley_weights(k))) == pytest.approx(1.0)


def test_without_artefacts_or_treatment_recovery_falls_to_natural_remission():
    # Expected: the mean, over the recovery denominator, of P(remitted by that person's weeks)
    # from Whiteford et al. 2013 (23%/32%/53% at 3/6/12 months), log-survival linear in between.
    model = CohortModel(n=40_000, seed=11).without(
        "treatment_effect", "measurement_error", "hello_goodbye", "demand", "attrition_bias")
    table = simulate(model)
    classified = classify(table)
    denominator = (classified["finished"] & classified["paired"]
                   & classified["caseness_first"]).to_numpy()
    knots = np.array([0, 3, 6, 12]) * WEEKS_PER_MONTH
    log_survival = np.log([1.0, 0.77, 0.68, 0.47])
    weeks = table["true_weeks"].to_numpy(dtype=float)[denominator]
    slope = (log_survival[3] - log_survival[2]) / (knots[3] - knots[2])
    log_s = np.where(weeks > knots[3], log_survival[3] + slope * (weeks - knots[3]),
                     np.interp(weeks, knots, log_survival))
    p = 1 - np.exp(log_s)
    expected, se = p.mean(), math.sqrt(np.sum(p * (1 - p))) / len(p)
    observed = outcome_rate(classified, "recovered")
    assert abs(observed - expected) <= 4 * se
    assert 0.15 < observed < 0.25  # "about the natural-remission level" for a ~10-week episode
    # and with natural remission off as well, nobody recovers
    still = classify(simulate(model.without("natural_remission")))
    assert outcome_rate(still, "recovered") == 0.0


def test_rates_with_selection_on_agree_with_the_outcome_engine():
    classified = classify(simulate(CohortModel(n=10_000, seed=4)))
    official = rates(classified).set_index("outcome")
    for outcome in ("recovered", "reliable_recovery", "diagnosis_lost"):
        assert outcome_rate(classified, outcome) == pytest.approx(official.loc[outcome, "rate"])


def test_mechanisms_the_waterfall_treats_as_irrelevant_really_change_nothing():
    model = CohortModel(n=6000, seed=6)
    full = classify(simulate(model))
    no_interview_error = classify(simulate(model.without("interview_error")))
    no_artefacts = classify(simulate(model.without("measurement_error", "hello_goodbye",
                                                   "demand")))
    for outcome in ("recovered", "reliable_improvement", "reliable_recovery"):
        assert outcome_rate(full, outcome) == outcome_rate(no_interview_error, outcome)
    for select in (True, False):
        assert outcome_rate(full, "diagnosis_lost", select_on_first_measurement=select) == \
            outcome_rate(no_artefacts, "diagnosis_lost", select_on_first_measurement=select)


def test_selection_off_uses_the_true_state_at_referral():
    # with no measurement error and no hello-goodbye the first score is the rounded true score, so
    # selecting on it or on the truth differs only for true scores within 0.5 below a cut-off
    model = CohortModel(n=10_000, seed=8).without("measurement_error", "hello_goodbye")
    classified = classify(simulate(model))
    on = outcome_rate(classified, "recovered")
    off = outcome_rate(classified, "recovered", select_on_first_measurement=False)
    assert abs(on - off) < 0.02
    noisy = classify(simulate(dataclasses.replace(model, phq9_reliability=0.5,
                                                  gad7_reliability=0.5)))
    assert (outcome_rate(noisy, "recovered")
            > outcome_rate(noisy, "recovered", select_on_first_measurement=False))


def test_unknown_outcomes_and_mechanisms_are_refused():
    model = CohortModel(n=500)
    with pytest.raises(ParameterError, match="unknown outcome"):
        waterfall(model, from_outcome="cured")
    with pytest.raises(ParameterError, match="mechanisms"):
        waterfall(model, mechanisms=("placebo",))
    with pytest.raises(ParameterError, match="mechanisms"):
        waterfall(model, mechanisms=("demand", "demand"))
    with pytest.raises(ParameterError, match="unknown outcome"):
        outcome_rate(classify(simulate(model)), "cured")


def test_iapt_like_calibration_is_within_its_stated_tolerances():
    table = calibration_table(CohortModel.iapt_like(n=100_000, seed=0))
    targets = table.iloc[: len(CALIBRATION_TARGETS)]
    assert targets["within_tolerance"].all(), targets[["quantity", "target", "simulated"]]
    assert table["target"].iloc[-1] != table["target"].iloc[-1]  # NaN: interview is not a target
    assert (table["source"].str.contains("domain.md")).all()
    # the published numbers themselves, re-derived here from domain.md §3
    assert targets["target"].iloc[2] == pytest.approx(555_000 / 1_440_000, abs=0.001)
    assert targets["target"].iloc[3] == pytest.approx(1.01 / 1.44, abs=0.001)
    assert targets["target"].iloc[4] == pytest.approx(525_000 / 567_000, abs=0.001)
