"""Lesson 05: the regression-to-the-mean explorer, its helpers, and the lesson's exercise answers.

Expected values are worked out by hand in comments, or recomputed here from the explorer's raw
inputs (true scores and error draws) with plain arithmetic written independently of the module
(``_plain_rate``); the RCI rules are re-implemented from their formulas (jacobson_truax_1991, clinicalsignificance_r_package, jt_revisited_1992).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import datasets, regression_to_mean
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import regression_to_mean as rtm
from iaptlab.lesson_cohort import fresh_lesson_cohort
from iaptlab.reliable_change import REQUIRED_PARAMETERS, rci
from iaptlab.widgets import defaults, sweep

SCENARIO_ORDER = ("selection_only", "remission", "treatment")


@pytest.fixture(scope="module")
def inputs():
    return regression_to_mean.scenario_inputs()  # the lesson's own size and seed (cached; ~1 s)


@pytest.fixture(scope="module")
def small():
    return regression_to_mean.scenario_inputs(4_000, seed=11)


def _plain_rate(true_first, true_last, z_first, z_last, *, cutoff, reliability, sd=4.5):
    """Observed = true + SD·sqrt((1 - r)/r)·z rounded half up and kept in 0-27, then the rule."""
    error_sd = sd * math.sqrt((1 - reliability) / reliability)
    first = np.minimum(np.maximum(np.floor(true_first + error_sd * z_first + 0.5), 0), 27)
    last = np.minimum(np.maximum(np.floor(true_last + error_sd * z_last + 0.5), 0), 27)
    entered = first >= cutoff
    return int((entered & (last < cutoff)).sum()), int(entered.sum())


# ------------------------------------------------------------------ the explorer at every extreme


@pytest.mark.parametrize("params", list(sweep(rtm.CONTROLS)), ids=str)
def test_sweep_gives_sane_outputs(small, params):
    result = rtm.compute(small, **params)
    tidy = result.extra["rates"]
    assert len(tidy) == 6 and tidy["rate"].between(0, 1).all()
    for group in regression_to_mean.GROUPS:
        rows = tidy[tidy["group"] == group].set_index("scenario").loc[list(SCENARIO_ORDER)]
        assert rows["denominator"].nunique() == 1, "the same people enter in every scenario"
        # last scores only fall from scenario to scenario (same error draws), so recoveries nest
        assert rows["numerator"].is_monotonic_increasing
    description = result.chart.to_dict()["description"]
    assert description.startswith("Who '")
    for row in tidy.itertuples():
        assert f"{row.numerator:,}/{row.denominator:,}" in description
    shown = {float(x) for x in re.findall(r"(\d+\.\d)%", result.sentence)}
    for column in ("questionnaire (%)", "error-free (%)"):
        assert set(result.table[column].astype(float)) <= shown
    assert str(params["entry_cutoff"]) in result.sentence and f"{params['reliability']:.2f}" in result.sentence


def test_every_control_is_labelled_in_words():
    for control in rtm.CONTROLS:
        assert len(control.label.split()) >= 3 and control.help


def test_no_change_and_no_error_means_no_recovery(small):
    # True last = true first when treatment does nothing and no one remits, so an error-free
    # questionnaire gives the same score twice: nobody can go from >= cut-off to below it.
    for cutoff in (5, 10, 20):
        tidy = regression_to_mean.scenario_rates(small, entry_cutoff=cutoff, reliability=0.6)
        row = tidy[(tidy["group"] == regression_to_mean.EXACT) & (tidy["scenario"] == "selection_only")].iloc[0]
        assert row["numerator"] == 0 and row["denominator"] > 0
    assert np.array_equal(small.true_last["selection_only"], small.true_first)


def test_default_rates_match_an_independent_recomputation(inputs):
    tidy = rtm.compute(inputs).extra["rates"].set_index(["group", "scenario"])
    for key in SCENARIO_ORDER:
        expected = _plain_rate(inputs.true_first, inputs.true_last[key], inputs.error_z[0],
                               inputs.error_z[1], cutoff=10, reliability=0.9)
        assert (tidy.loc[(regression_to_mean.NOISY, key), "numerator"], tidy.loc[(regression_to_mean.NOISY, key), "denominator"]) == expected


def test_explorer_agrees_with_the_simulations_own_questionnaire(inputs):
    # At the simulation's reliability (0.9) the explorer's error draws and the simulation's are
    # different samples of the same distribution: rates agree within sampling error (SE ~0.3 pp).
    tidy = rtm.compute(inputs).extra["rates"].set_index(["group", "scenario"])
    for key in SCENARIO_ORDER:
        table = inputs.cohorts[key]
        finished = table[table["treatment_contacts"] >= 2].dropna(subset=["phq9_last"])
        entered = finished["phq9_first"] >= 10
        simulated = (entered & (finished["phq9_last"] < 10)).sum() / entered.sum()
        assert tidy.loc[(regression_to_mean.NOISY, key), "rate"] == pytest.approx(simulated, abs=0.012)


def test_rtm_grows_with_the_entry_cut_off_and_shrinks_with_reliability(inputs):
    def no_change_rate(**kw):
        tidy = rtm.compute(inputs, **kw).extra["rates"]
        return tidy[(tidy["group"] == regression_to_mean.NOISY) & (tidy["scenario"] == "selection_only")]["rate"].iloc[0]
    assert no_change_rate(entry_cutoff=20) > no_change_rate(entry_cutoff=15) > no_change_rate()
    assert no_change_rate(reliability=0.6) > no_change_rate() > no_change_rate(reliability=0.99)


def test_reliable_recovery_rule_removes_most_no_change_recoveries(inputs):
    tidy = rtm.compute(inputs, rule="reliable_recovery").extra["rates"]
    rate = tidy[(tidy["group"] == regression_to_mean.NOISY) & (tidy["scenario"] == "selection_only")]["rate"].iloc[0]
    assert rate < 0.01


# ------------------------------------------------------------------ helpers, edges and bad input


def test_observed_scores_by_hand():
    # error SD = 4 * sqrt(0.2 / 0.8) = 2: 9.6 -> 10; 26.8 + 4 -> 30.8 -> 27 (top); 3 - 4 -> 0 (bottom)
    out = regression_to_mean.observed_scores(np.array([9.6, 26.8, 3.0]), np.array([0.0, 2.0, -2.0]), reliability=0.8,
                              true_sd=4.0)
    assert out.tolist() == [10.0, 27.0, 0.0]
    assert regression_to_mean.observed_scores(np.array([9.4, 9.6]), np.array([5.0, -5.0]), reliability=1.0,
                               true_sd=4.0).tolist() == [9.0, 10.0]


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.01])
def test_observed_scores_rejects_impossible_reliability(bad):
    with pytest.raises(ParameterError, match="reliability"):
        regression_to_mean.observed_scores(np.array([10.0]), np.array([0.0]), reliability=bad, true_sd=4.5)


@pytest.mark.parametrize("first, last, counted, recovered", [
    (10, 9, True, True),    # at the cut-off enters (>=); one below it recovers
    (9, 0, False, False),   # one below the cut-off never enters
    (12, 10, True, False),  # ending exactly at the cut-off is still at caseness
])
def test_recovery_edges(first, last, counted, recovered):
    numerator, denominator = regression_to_mean.recovery_counts(np.array([first]), np.array([last]), entry_cutoff=10)
    assert (denominator, numerator) == (int(counted), int(recovered))


@pytest.mark.parametrize("last, reliable", [(9, False), (8, True)])
def test_reliable_recovery_needs_a_drop_of_at_least_six(last, reliable):
    # from 14: to 9 is a drop of 5 (not reliable), to 8 a drop of exactly 6 (reliable, >=)
    numerator, _ = regression_to_mean.recovery_counts(np.array([14]), np.array([last]), entry_cutoff=10,
                                       rule="reliable_recovery")
    assert numerator == int(reliable)


@given(st.lists(st.tuples(st.integers(0, 27), st.integers(0, 27)), min_size=1, max_size=40),
       st.integers(5, 20), st.sampled_from(list(regression_to_mean.RULES)))
def test_recovery_counts_match_a_plain_loop(pairs, cutoff, rule):
    first, last = (np.array(values) for values in zip(*pairs, strict=True))
    expected_den = sum(f >= cutoff for f, _ in pairs)
    expected_num = sum(f >= cutoff and e < cutoff and (rule == "recovery" or f - e >= 6) for f, e in pairs)
    assert regression_to_mean.recovery_counts(first, last, entry_cutoff=cutoff, rule=rule) == (expected_num, expected_den)


def test_unknown_rule_and_control_are_errors_naming_them(small):
    with pytest.raises(ParameterError, match="rule"):
        regression_to_mean.recovery_counts(np.array([10]), np.array([5]), entry_cutoff=10, rule="cured")
    with pytest.raises(ParameterError, match="cutoff"):
        rtm.compute(small, cutoff=12)


def test_defaults_are_iapts_cut_off_and_the_simulations_reliability(small):
    params = defaults(rtm.CONTROLS)
    assert params["entry_cutoff"] == 10
    assert params["reliability"] == small.models["treatment"].phq9_reliability


def test_scenarios_differ_only_in_treatment_and_remission(small):
    models = small.models
    assert not models["selection_only"].is_on("natural_remission")
    assert models["remission"].is_on("natural_remission") and not models["remission"].is_on("treatment_effect")
    assert models["treatment"].is_on("treatment_effect")
    for model in models.values():
        assert not any(model.is_on(m) for m in regression_to_mean.COMMON_OFF)


# ------------------------------------------------------------------ IAPT's rules and the RCI comparison


def test_iapt_rule_rates_nest_across_scenarios(small):
    table = regression_to_mean.iapt_rule_by_mechanism(small, lesson=fresh_lesson_cohort(4_000, seed=11))
    recovered = table[table["outcome"] == "recovered"]
    first_three = recovered.iloc[:3]
    assert first_three["denominator"].nunique() == 1
    assert first_three["numerator"].is_monotonic_increasing


def _hand_rci_flags(pre, post, r):
    """JT, EN and HLL 'improved' flags from the formulas (jacobson_truax_1991, clinicalsignificance_r_package), sample statistics."""
    m_pre, m_post, sd = pre.mean(), post.mean(), pre.std(ddof=1)
    se = sd * math.sqrt(1 - r)
    jt = (post - pre) / (math.sqrt(2) * se)
    en = (post - (r * (pre - m_pre) + m_pre)) / se
    hll = ((post - m_post) - r * (pre - m_pre)) / (sd * math.sqrt(1 - r * r))
    return {"JT": jt < -1.96, "EN": en < -1.96, "HLL": hll < -1.96}


def test_rci_comparison_against_hand_formulas():
    pre = np.array([10.0, 14, 20, 8, 16, 12])
    post = np.array([4.0, 13, 9, 8, 15, 12])
    table = pd.DataFrame({
        "treatment_contacts": [2, 5, 8, 3, 4, 6], "phq9_first": pre, "phq9_last": post,
        "true_phq9_first": [11.0, 13, 18, 8, 15, 12], "true_phq9_last": [5.0, 13, 10, 8, 15, 11]})
    out = regression_to_mean.rci_comparison(table, reliability=0.8).set_index("rule")
    selected = pre >= 10  # rows 0, 1, 2, 4, 5
    unchanged = np.array([False, True, False, True, True, False])
    hand = _hand_rci_flags(pre, post, 0.8)
    hand["IAPT"] = (pre - post) >= 6  # rows 0 (drop 6) and 2 (drop 11)
    for method, flags in hand.items():
        row = out[out.index.str.contains(f"({method})" if method != "IAPT" else "IAPT", regex=False)].iloc[0]
        assert row["improved"] == (flags & selected).sum(), method
        assert row["improved but no true change"] == (flags & selected & unchanged).sum(), method
    assert (out["at caseness"] == 5).all() and (out["no true change"] == 2).all()


def test_rci_comparison_in_a_cohort_where_no_one_changes(small):
    out = regression_to_mean.rci_comparison(small.cohorts["selection_only"], reliability=0.9)
    assert (out["no true change"] == out["at caseness"]).all()
    assert (out["improved"] == out["improved but no true change"]).all()
    assert out["false-positive share"].between(0, 0.2).all()


def test_pre_post_d_is_near_zero_without_change_and_positive_with_it(small):
    assert abs(regression_to_mean.pre_post_d(small.cohorts["selection_only"])) < 0.05
    d = [regression_to_mean.pre_post_d(small.cohorts[k]) for k in SCENARIO_ORDER]
    assert d[0] < d[1] < d[2]


# ------------------------------------------------------------------ the lesson's exercise answers


def test_exercise_answers_checked_independently(inputs):
    course = datasets.load("natural_course")
    three_months = course[(course["outcome"] == "remission") & (course["follow_up_months"] == 3)]
    assert check("05.whiteford_200", 200 * three_months["value_pct"].iloc[0] / 100).correct
    numerator, denominator = _plain_rate(inputs.true_first, inputs.true_last["selection_only"],
                                         inputs.error_z[0], inputs.error_z[1], cutoff=10, reliability=0.9)
    assert check("05.no_treatment_recovery", 100 * numerator / denominator).correct
    assert sorted(m for m in ("JT", "EN", "HLL") if "m_pre" in REQUIRED_PARAMETERS[m]) == ["EN", "HLL"]
    # first 9 below the mean 13, r 0.84: EN's true-first estimate 9.64 > 9, so for any last score
    # EN's change (last - 9.64) is a larger fall than the raw one (last - 9); at the mean, the same.
    for last in (3, 7, 9):
        en = float(rci(9, last, method="EN", sd_pre=5, reliability=0.84, m_pre=13)[0])
        raw = (last - 9) / (5 * math.sqrt(1 - 0.84))
        assert en < raw
    at_mean = float(rci(13, 9, method="EN", sd_pre=5, reliability=0.84, m_pre=13)[0])
    assert at_mean == pytest.approx((9 - 13) / (5 * math.sqrt(1 - 0.84)))
    assert check("05.rtm_below_mean", "larger").correct
    # person: first 16, last 11; mean 13, SD 5, r 0.84 -> SE 2; true-score estimate 15.52
    by_hand = (11 - (0.84 * (16 - 13) + 13)) / (5 * math.sqrt(1 - 0.84))
    assert by_hand == pytest.approx(-2.26, abs=0.001)
    assert check("05.en_by_hand", by_hand).correct
    assert float(rci(16, 11, method="EN", sd_pre=5, reliability=0.84, m_pre=13)[0]) == pytest.approx(by_hand)
    assert check("05.control_group", "b").correct


@pytest.mark.parametrize("question, wrong", [
    ("05.whiteford_200", 106),     # the 12-month share
    ("05.whiteford_200", 23),      # the percentage, not the people
    ("05.en_by_hand", -1.77),      # Jacobson-Truax on the same person
    ("05.en_by_hand", 2.26),       # sign flipped
    ("05.rtm_below_mean", "smaller"),      # the mirror image: a start above the mean
    ("05.control_group", "a"),
])
def test_likely_wrong_answers_get_a_hint(question, wrong):
    feedback = check(question, wrong)
    assert not feedback.correct and "hint:" in feedback.text


@settings(max_examples=10, deadline=None)
@given(st.integers(5, 20), st.floats(0.6, 0.99))
def test_any_setting_matches_the_plain_recomputation(cutoff, reliability):
    small = regression_to_mean.scenario_inputs(4_000, seed=11)
    tidy = regression_to_mean.scenario_rates(small, entry_cutoff=cutoff, reliability=reliability).set_index(["group", "scenario"])
    expected = _plain_rate(small.true_first, small.true_last["remission"], small.error_z[0], small.error_z[1],
                           cutoff=cutoff, reliability=reliability)
    assert (tidy.loc[(regression_to_mean.NOISY, "remission"), "numerator"], tidy.loc[(regression_to_mean.NOISY, "remission"), "denominator"]) \
        == expected


def _counts_one_by_one(inputs, *, cutoff, reliability, rule):
    """scenario_rates' counts from every finisher's observed scores (the module's own per-finisher path)."""
    out = {}
    for group in (regression_to_mean.NOISY, regression_to_mean.EXACT):
        noisy = group == regression_to_mean.NOISY
        r = reliability if noisy else 1.0
        first = regression_to_mean.observed_scores(inputs.true_first, inputs.error_z[0] if noisy else 0.0,
                                                   reliability=r, true_sd=inputs.true_sd)
        for key in SCENARIO_ORDER:
            last = regression_to_mean.observed_scores(inputs.true_last[key], inputs.error_z[1] if noisy else 0.0,
                                                      reliability=r, true_sd=inputs.true_sd)
            out[group, key] = regression_to_mean.recovery_counts(first, last, entry_cutoff=cutoff, rule=rule)
    return out


def _table_counts(tidy):
    return {(g, k): (n, d) for g, k, n, d in
            zip(tidy["group"], tidy["scenario"], tidy["numerator"], tidy["denominator"], strict=True)}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([0, 1, 5, 9.5, 10, 11, 20, 27, 28, -3]), st.sampled_from([0.5, 0.6, 0.9, 1.0, 0.77]),
       st.sampled_from(["recovery", "reliable_recovery"]))
def test_counts_from_score_pair_tables_equal_counting_every_finisher(small, cutoff, reliability, rule):
    # a reliability seen before is counted from its kept tables, a new one from new tables: both exact
    for _ in range(2):
        tidy = regression_to_mean.scenario_rates(small, entry_cutoff=cutoff, reliability=reliability, rule=rule)
        assert _table_counts(tidy) == _counts_one_by_one(small, cutoff=cutoff, reliability=reliability, rule=rule)


def test_scores_that_are_not_whole_totals_are_counted_one_by_one(small):
    import dataclasses

    true_first = small.true_first.copy()
    true_first[:3] = np.nan  # a missing true score: its observed score is missing, not a total from 0 to 27
    odd = dataclasses.replace(small, true_first=true_first)
    for rule in ("recovery", "reliable_recovery"):
        tidy = regression_to_mean.scenario_rates(odd, entry_cutoff=10, reliability=0.8, rule=rule)
        assert _table_counts(tidy) == _counts_one_by_one(odd, cutoff=10, reliability=0.8, rule=rule)
    with pytest.raises(ParameterError, match="rule"):
        regression_to_mean.scenario_rates(odd, rule="nonsense")
