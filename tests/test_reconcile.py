"""Tests for iaptlab.reconcile: the waterfall sums to the gap, does not depend on order, gives a
switched-off mechanism exactly zero, matches a hand-computed two-player Shapley value, and every
rate is outcomes.rates'; the names that moved still import, with a DeprecationWarning."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from iaptlab.errors import ParameterError
from iaptlab.outcomes import classify, rates
from iaptlab.reconcile import (
    EXACT_UP_TO,
    FIVE_GROUPS,
    SIDES,
    outcome_rate,
    shapley_weights,
    waterfall_table,
)
from iaptlab.selection import interviewed_sample
from iaptlab.simulate import (
    CALIBRATION_TARGETS,
    MECHANISMS,
    CohortModel,
    calibration_table,
    simulate,
)

WEEKS_PER_MONTH = 365.25 / 7 / 12


def test_contributions_sum_to_the_gap_and_the_chain_ends_at_the_second_rate():
    model = CohortModel.interview_sees_questionnaires(n=20_000, seed=5)
    table = waterfall_table(model)
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
    forward = waterfall_table(model, mechanisms=names).set_index("component")["contribution"]
    backward = waterfall_table(model, mechanisms=names[::-1]).set_index("component")["contribution"]
    for name in names:
        assert forward[name] == pytest.approx(backward[name], abs=1e-12)


@pytest.mark.parametrize("mechanism", list(MECHANISMS))
def test_a_mechanism_switched_off_contributes_exactly_zero(mechanism):
    model = CohortModel.interview_sees_more(n=6000, seed=1).without(mechanism)
    others = [m for m in ("demand", "treatment_effect", "selection") if m != mechanism][:2]
    table = waterfall_table(model, mechanisms=(mechanism, *others)).set_index("component")
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
    table = waterfall_table(model, mechanisms=("demand", "selection")).set_index("component")
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
    model = CohortModel.interview_sees_more(n=6000, seed=6)
    full = classify(simulate(model))
    interview_only = [m for m, side in SIDES.items() if side == "interview"]
    questionnaire_only = [m for m, side in SIDES.items() if side == "questionnaire"]
    assert set(interview_only) == {"interview_error", "unseen_disorders",
                                   "interview_sample_selection", "interview_delay"}
    assert set(questionnaire_only) == {"measurement_error", "hello_goodbye", "demand"}
    no_interview_side = classify(simulate(model.without(*interview_only)))
    no_artefacts = classify(simulate(model.without(*questionnaire_only)))
    for outcome in ("recovered", "reliable_improvement", "reliable_recovery"):
        assert outcome_rate(full, outcome) == outcome_rate(no_interview_side, outcome)
    for select in (True, False):
        for odds in (1.0, 6.0):
            assert outcome_rate(full, "diagnosis_lost", select_on_first_measurement=select,
                                interviewed_odds_ratio_still_ill=odds) == \
                outcome_rate(no_artefacts, "diagnosis_lost", select_on_first_measurement=select,
                             interviewed_odds_ratio_still_ill=odds)
    # and the mechanisms that do act on the interview side really move it
    for mechanism in interview_only:
        odds = 1.0 if mechanism == "interview_sample_selection" else 6.0
        moved = classify(simulate(model.without(mechanism)))
        assert outcome_rate(moved, "diagnosis_lost", interviewed_odds_ratio_still_ill=odds) != \
            outcome_rate(full, "diagnosis_lost", interviewed_odds_ratio_still_ill=6.0)


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
        waterfall_table(model, from_outcome="cured")
    with pytest.raises(ParameterError, match="mechanisms"):
        waterfall_table(model, mechanisms=("placebo",))
    with pytest.raises(ParameterError, match="mechanisms"):
        waterfall_table(model, mechanisms=("demand", "demand"))
    with pytest.raises(ParameterError, match="unknown outcome"):
        outcome_rate(classify(simulate(model)), "cured")


@pytest.mark.parametrize(("old", "module", "new"), [
    ("waterfall", "iaptlab.reconcile", "waterfall_table"),
    ("calibration_table", "iaptlab.simulate", "calibration_table"),
    ("CALIBRATION_TARGETS", "iaptlab.simulate", "CALIBRATION_TARGETS"),
    ("wilson_interval", "iaptlab.accuracy", "wilson_interval"),
    ("interviewed_sample", "iaptlab.selection", "interviewed_sample"),
    ("SampleEstimate", "iaptlab.selection", "SampleEstimate"),
])
def test_moved_names_still_import_from_reconcile_with_a_warning(old, module, new):
    import importlib

    import iaptlab.reconcile as reconcile

    with pytest.warns(DeprecationWarning, match=f"{module}.{new}"):
        moved = getattr(reconcile, old)
    assert moved is getattr(importlib.import_module(module), new)
    with pytest.raises(AttributeError):
        reconcile.no_such_name  # noqa: B018


# --- sampled Shapley values and groups -----------------------------------------------------------

def test_sampled_shapley_is_close_to_exact_and_still_sums_to_the_gap():
    model = CohortModel.interview_sees_more(n=6000, seed=3)
    names = ("treatment_effect", "unseen_disorders", "interview_sample_selection", "demand")
    exact = waterfall_table(model, mechanisms=names, method="exact").set_index("component")
    sampled = waterfall_table(model, mechanisms=names, method="sampled", pairs=20, seed=1)
    assert sampled.attrs["method"] == "sampled" and exact.attrs["method"] == "exact"
    assert sampled["contribution"].sum() == pytest.approx(sampled.attrs["gap"], abs=1e-12)
    assert sampled.attrs["gap"] == pytest.approx(exact.attrs["gap"], abs=1e-12)
    sampled = sampled.set_index("component")
    assert (sampled.loc[list(names), "standard_error"] > 0).any()
    for name in names:
        difference = abs(sampled.loc[name, "contribution"] - exact.loc[name, "contribution"])
        assert difference <= 4 * sampled.loc[name, "standard_error"] + 1e-12, name
    assert (exact["standard_error"] == 0).all()
    again = waterfall_table(model, mechanisms=names, method="sampled", pairs=20, seed=1)
    assert again.set_index("component")["contribution"].equals(sampled["contribution"])


def test_auto_method_is_exact_up_to_the_stated_number_of_players():
    model = CohortModel(n=1500, seed=2)
    assert waterfall_table(model, mechanisms=("demand", "selection")).attrs["method"] == "exact"
    assert len(MECHANISMS) <= EXACT_UP_TO  # every mechanism at once is still exact


def test_groups_act_as_single_players():
    model = CohortModel.interview_sees_more(n=5000, seed=4)
    grouped = waterfall_table(model, groups=FIVE_GROUPS)
    steps = grouped[grouped["kind"] == "mechanism"]
    assert steps["component"].tolist() == list(FIVE_GROUPS)
    assert grouped["contribution"].sum() == pytest.approx(grouped.attrs["gap"], abs=1e-12)
    # one group holding everything gets exactly the gap minus what is left with everything off
    everything = waterfall_table(model, groups={"all": tuple(MECHANISMS)}).set_index("component")
    assert everything.loc["all", "contribution"] == pytest.approx(
        everything.attrs["gap"] - everything.loc["all mechanisms off", "contribution"], abs=1e-12)
    # singleton groups give the ungrouped answer
    names = ("demand", "unseen_disorders", "interview_delay")
    plain = waterfall_table(model, mechanisms=names).set_index("component")
    singles = waterfall_table(model, mechanisms=(), groups={f"g {m}": (m,) for m in names})
    singles = singles.set_index("component")
    for name in names:
        assert singles.loc[f"g {name}", "contribution"] == pytest.approx(
            plain.loc[name, "contribution"], abs=1e-12)


@pytest.mark.parametrize("groups", [{"a": ("demand",), "b": ("demand",)}, {"a": ()},
                                    {"demand": ("demand",)}, {"a": ("placebo",)}])
def test_bad_groups_are_refused(groups):
    with pytest.raises(ParameterError):
        waterfall_table(CohortModel(n=500), mechanisms=(), groups=groups)


def test_bad_method_and_pairs_are_refused():
    with pytest.raises(ParameterError, match="method"):
        waterfall_table(CohortModel(n=500), mechanisms=("demand",), method="guess")
    with pytest.raises(ParameterError, match="pairs"):
        waterfall_table(CohortModel(n=500), mechanisms=("demand",), method="sampled", pairs=1)


# --- who is interviewed --------------------------------------------------------------------------

def _eligible(table):
    last = table["diagnosis_last"]
    return ((table["treatment_contacts"] >= 2) & last.notna() & table["diagnosis_first"]
            ).to_numpy(dtype=bool)


def test_random_interview_sample_gives_the_whole_finisher_rate_in_expectation():
    table = simulate(CohortModel.interview_sees_more(n=20_000, seed=7))
    eligible = _eligible(table)
    lost = ~table["diagnosis_last"].fillna(True).to_numpy(dtype=bool)
    whole = (eligible & lost).sum() / eligible.sum()  # counted here by hand
    reps = [interviewed_sample(table, 90, seed=s) for s in range(300)]
    assert reps[0].population_rate == pytest.approx(whole, abs=1e-12)
    assert reps[0].population_rate == pytest.approx(outcome_rate(classify(table), "diagnosis_lost"))
    mean = np.mean([r.rate for r in reps])
    se = math.sqrt(whole * (1 - whole) / 90 / len(reps))
    assert abs(mean - whole) <= 4 * se


def test_interview_selection_odds_ratio_is_recovered_from_a_sample():
    # OR estimate = (ill/well in the sample) / (ill/well among those eligible); its log has SE
    # about sqrt(1/ill + 1/well) when the sample is a small share of the eligible.
    table = simulate(CohortModel.interview_sees_more(n=100_000, seed=8))
    eligible = np.flatnonzero(_eligible(table))
    ill = table["true_diagnosis_last"].to_numpy()[eligible] == 1
    sample = interviewed_sample(table, 1000, odds_ratio_still_ill=4.0, seed=2)
    # the sample's rate moves towards the still-ill; redo the draw to count the ill in it
    weight = np.where(ill, 4.0, 1.0)
    keys = np.log(np.random.default_rng(2).random(len(eligible))) / weight
    chosen = np.argpartition(-keys, 999)[:1000]
    a, b = ill[chosen].sum(), (~ill[chosen]).sum()
    estimate = (a / b) / (ill.sum() / (~ill).sum())
    assert abs(math.log(estimate) - math.log(4.0)) <= 4 * math.sqrt(1 / a + 1 / b)
    lost = ~table["diagnosis_last"].fillna(True).to_numpy(dtype=bool)[eligible]
    assert sample.lost == lost[chosen].sum()  # the function drew the same people
    expected = (weight * lost).sum() / weight.sum()
    assert sample.population_rate == pytest.approx(expected)
    assert sample.population_rate < lost.mean()


@pytest.mark.parametrize("odds", [1.0, 6.0])
def test_wilson_interval_covers_the_population_rate_about_95_percent(odds):
    table = simulate(CohortModel.interview_sees_more(n=15_000, seed=9))
    reps = [interviewed_sample(table, 90, odds_ratio_still_ill=odds, seed=s) for s in range(200)]
    covered = np.mean([r.ci_low <= r.population_rate <= r.ci_high for r in reps])
    assert 0.90 <= covered <= 0.99


def test_interviewed_sample_refuses_bad_k_and_odds():
    table = simulate(CohortModel(n=500))
    with pytest.raises(ParameterError, match="k = 0"):
        interviewed_sample(table, 0)
    with pytest.raises(ParameterError, match="k = 100000"):
        interviewed_sample(table, 100_000)
    with pytest.raises(ParameterError, match="odds_ratio_still_ill"):
        interviewed_sample(table, 10, odds_ratio_still_ill=0.0)


# --- both numbers ------------------------------------------------------------------------------

def test_interview_sees_more_gives_about_50_percent_recovery_and_about_10_percent_loss_of_diagnosis():
    table = calibration_table(CohortModel.interview_sees_more(n=100_000, seed=0))
    targets = table.iloc[: len(CALIBRATION_TARGETS)]
    assert targets["within_tolerance"].all()  # questionnaire side as calibrated for interview_sees_questionnaires
    assert targets["simulated"].iloc[0] == pytest.approx(0.50, abs=0.02)
    # Scott (2018): 9.2%, "10%" (dataset claims: scott_2018_9_2_percent, scott_2018_10_percent)
    assert table["simulated"].iloc[-1] == pytest.approx(0.10, abs=0.02)
    iapt = calibration_table(CohortModel.interview_sees_questionnaires(n=100_000, seed=0))
    assert iapt["simulated"].iloc[-1] > 0.4  # the IAPT-side model: about half lose it


def test_skipping_the_table_check_changes_nothing_but_time():
    import pandas as pd

    from iaptlab.reconcile import FIVE_GROUPS

    model = CohortModel.interview_sees_more(n=3_000, seed=5)
    checked = waterfall_table(model, groups=FIVE_GROUPS, method="exact")
    unchecked = waterfall_table(model, groups=FIVE_GROUPS, method="exact", check_table=False)
    pd.testing.assert_frame_equal(checked, unchecked)
