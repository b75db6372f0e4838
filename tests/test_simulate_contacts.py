"""The session-by-session simulator: contract, determinism, common random numbers, mechanisms.

The episode table every lesson uses (``simulate``) is ``from_contacts`` of the contact table
(``simulate_contacts``) joined to the truth; these tests check that identity, that switching a
mechanism off reshuffles nobody's random numbers, and each session-by-session mechanism.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.attrition import who_is_counted
from iaptlab.episodes import from_contacts, validate_contacts
from iaptlab.errors import ParameterError
from iaptlab.outcomes import classify
from iaptlab.simulate import CohortModel, contact_cohort, simulate, simulate_contacts

SHARED = ("episode_id", "treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last")


@pytest.mark.parametrize("model", [
    CohortModel.interview_sees_questionnaires(n=4_000, seed=11),
    CohortModel.interview_sees_more(n=3_000, seed=2),
    CohortModel(n=3_000, seed=5, dropout_mechanism="mar", dropout_odds_ratio_per_sd_better=3.0,
                share_scores_missing_per_contact=0.3, share_finishers_with_paired_scores=0.8),
], ids=["default", "sees_more", "mar_with_missing_scores"])
def test_simulate_is_from_contacts_of_the_contact_table(model):
    episodes = simulate(model)
    from_table = from_contacts(simulate_contacts(model))
    assert list(episodes.columns[: len(SHARED)]) == list(SHARED)
    paired = {m: from_table[f"{m}_last_contact"].to_numpy(dtype=float, na_value=np.nan) != from_table[
        f"{m}_first_contact"].to_numpy(dtype=float, na_value=np.nan) for m in ("phq9", "gad7")}
    for column in SHARED:
        ours, theirs = episodes[column].to_numpy(), from_table[column].to_numpy()
        if column.endswith("_last"):  # no pair: left empty here
            mask = paired[column[:4]]
            assert episodes[column].isna().to_numpy()[~mask].all()
            ours, theirs = ours[mask], theirs[mask]
        if column == "episode_id":
            np.testing.assert_array_equal(ours, theirs)
        else:
            np.testing.assert_array_equal(pd.array(ours).to_numpy(dtype=float, na_value=np.nan),
                                          pd.array(theirs).to_numpy(dtype=float, na_value=np.nan))
    # and reconcile's fast path (scores straight from the course) classifies the same way
    from iaptlab.simulate import draw, episode_columns

    fast = episode_columns(model, draw(model.n, model.seed))
    paired = paired["phq9"]
    np.testing.assert_array_equal(fast["treatment_contacts"], episodes["treatment_contacts"])
    np.testing.assert_array_equal(fast["phq9_first"], episodes["phq9_first"])
    np.testing.assert_array_equal(np.isnan(fast["phq9_last"]), ~paired)
    np.testing.assert_array_equal(fast["phq9_last"][paired], episodes["phq9_last"].to_numpy()[paired])
    np.testing.assert_array_equal(fast["gad7_last"][paired], episodes["gad7_last"].to_numpy()[paired])
    flags = ["finished", "paired", "caseness_first", "recovered", "reliable_improvement"]
    pd.testing.assert_frame_equal(classify(episodes)[flags], classify(from_table)[flags])


def test_contact_table_is_valid_ordered_and_ended():
    cohort = contact_cohort(CohortModel(n=3_000, seed=5))
    contacts = cohort.contacts
    assert validate_contacts(contacts).ok
    codes = contacts["referral_id"].cat.codes.to_numpy()
    assert (np.diff(codes) >= 0).all() and len(np.unique(codes)) == 3_000  # everyone has a row
    number = contacts["contact_number"].to_numpy()
    starts = np.r_[True, np.diff(codes) > 0]
    assert (number[starts] == 1).all() and (np.diff(number)[~starts[1:]] == 1).all()
    assert (contacts["contact_type"].astype(str).to_numpy()[starts] == "assessment").all()
    assert (contacts["contact_type"].astype(str).to_numpy()[~starts] == "treatment").all()
    assert contacts["referral_ended"].all()
    unattended = ~contacts["attended"].to_numpy()
    assert unattended.any() and contacts.loc[unattended, ["phq9", "gad7"]].isna().all().all()
    episodes = from_contacts(contacts)
    assert (episodes["treatment_contacts"].to_numpy()
            == cohort.referrals["attended_treatment_contacts"].to_numpy()).all()


def test_switching_demand_off_changes_no_first_score_and_no_attendance():
    model = CohortModel.interview_sees_questionnaires(n=5_000, seed=9)
    on, off = simulate_contacts(model), simulate_contacts(model.without("demand"))
    for column in ("referral_id", "contact_number", "attended", "week", "true_phq9", "true_gad7"):
        pd.testing.assert_series_equal(on[column], off[column])
    first = on["contact_number"] == 1
    pd.testing.assert_series_equal(on.loc[first, "phq9"], off.loc[first, "phq9"])
    assert not on["phq9"].equals(off["phq9"])  # demand did act on some last sessions


@pytest.mark.parametrize("mechanism", ["hello_goodbye", "measurement_error", "interview_error",
                                       "unseen_disorders", "interview_delay"])
def test_mechanisms_outside_the_course_leave_every_attendance_unchanged(mechanism):
    model = CohortModel.interview_sees_more(n=3_000, seed=21)
    on, off = contact_cohort(model), contact_cohort(model.without(mechanism))
    for column in ("contact_number", "attended", "true_phq9"):
        pd.testing.assert_series_equal(on.contacts[column], off.contacts[column])
    pd.testing.assert_series_equal(on.referrals["stopped_early"], off.referrals["stopped_early"])


def test_switching_the_treatment_effect_off_keeps_everyone_elses_appointment_numbers():
    # Without attrition bias or score-dependent dropout, who attends which appointment does not
    # depend on treatment at all: the per-(referral, slot) numbers are the same.
    model = CohortModel(n=4_000, seed=13).without("attrition_bias")
    on, off = simulate_contacts(model), simulate_contacts(model.without("treatment_effect"))
    pd.testing.assert_series_equal(on["attended"], off["attended"])
    assert (off["true_phq9"] >= on["true_phq9"]).all() or on["true_phq9"].isna().any()


def test_same_seed_same_contacts_other_seed_other_contacts():
    a = simulate_contacts(CohortModel(n=500, seed=3))
    pd.testing.assert_frame_equal(a, simulate_contacts(CohortModel(n=500, seed=3)))
    assert not a.equals(simulate_contacts(CohortModel(n=500, seed=4)))


def test_no_dropout_no_missed_appointments_means_everyone_completes():
    model = CohortModel(n=2_000, seed=1, share_of_entrants_finishing=1.0, dropout_per_session=0.0,
                        share_sessions_attended=1.0)
    cohort = contact_cohort(model)
    refs = cohort.referrals
    assert not refs["stopped_early"].any() and cohort.contacts["attended"].all()
    entered = refs["entered"].to_numpy()
    np.testing.assert_array_equal(refs["attended_treatment_contacts"].to_numpy()[entered],
                                  refs["planned_contacts"].to_numpy()[entered])


def test_nobody_returns_after_the_first_contact_when_finishing_share_is_zero():
    refs = contact_cohort(CohortModel(n=2_000, seed=1, share_of_entrants_finishing=0.0)).referrals
    assert refs["attended_treatment_contacts"].max() == 1


def test_without_error_or_shifts_each_score_is_the_rounded_true_score():
    model = CohortModel(n=1_000, seed=2, share_scores_missing_per_contact=0.0,
                        share_finishers_with_paired_scores=1.0).without(
        "measurement_error", "hello_goodbye", "demand")
    contacts = simulate_contacts(model)
    went = contacts["attended"].to_numpy()
    np.testing.assert_array_equal(contacts["phq9"].to_numpy()[went], np.rint(contacts["true_phq9"].to_numpy()[went]))
    assert not contacts.loc[went, ["phq9", "gad7"]].isna().any().any()


def test_treatment_effect_builds_up_session_by_session_without_remission():
    contacts = simulate_contacts(CohortModel(n=1_000, seed=2).without("natural_remission"))
    went = contacts[contacts["attended"]]
    step = went.groupby("referral_id", observed=True)["true_phq9"].diff().dropna()
    assert (step <= 1e-5).all() and (step < -1e-3).any()
    none = simulate_contacts(CohortModel(n=1_000, seed=2).without("natural_remission", "treatment_effect"))
    changes = none[none["attended"]].groupby("referral_id", observed=True)["true_phq9"].agg(np.ptp)
    assert (changes == 0).all()


def test_a_course_without_outcome_data_has_no_score_after_the_assessment():
    model = CohortModel(n=20_000, seed=7, share_finishers_with_paired_scores=0.9,
                        share_scores_missing_per_contact=0.0)
    episodes = from_contacts(simulate_contacts(model))
    finished = episodes["treatment_contacts"].to_numpy() >= 2
    unpaired = (episodes["phq9_last_contact"] == 1).to_numpy()[finished]  # last = the assessment
    se = (0.1 * 0.9 / finished.sum()) ** 0.5
    assert abs(unpaired.mean() - 0.1) <= 4 * se


@pytest.mark.parametrize("share, low, high", [(0.0, 0.0, 0.0), (0.5, 0.45, 0.55)])
def test_missing_scores_per_contact(share, low, high):
    contacts = simulate_contacts(CohortModel(n=2_000, seed=7, share_scores_missing_per_contact=share,
                                             share_finishers_with_paired_scores=1.0))
    went = contacts["attended"].to_numpy() & (contacts["contact_type"] == "treatment").to_numpy()
    missing = contacts["phq9"].isna().to_numpy()[went].mean()
    assert low <= missing <= high


def test_at_the_default_demand_acts_on_every_attended_treatment_session():
    base = CohortModel(n=3_000, seed=4, demand_shift_points=5.0, share_last_with_therapist=1.0)
    with_demand, without = simulate_contacts(base), simulate_contacts(base.without("demand"))
    treated = (with_demand["attended"] & (with_demand["contact_type"] == "treatment")).to_numpy()
    pd.testing.assert_series_equal(with_demand.loc[~treated, "phq9"], without.loc[~treated, "phq9"])
    shifted = with_demand.loc[treated, "phq9"].dropna()
    assert (shifted <= without.loc[shifted.index, "phq9"]).all()
    assert (shifted < without.loc[shifted.index, "phq9"]).mean() > 0.5


def test_demand_acts_only_on_the_last_planned_sessions():
    base = CohortModel(n=3_000, seed=4, demand_shift_points=5.0, share_last_with_therapist=1.0,
                       demand_last_sessions=2)
    with_demand = simulate_contacts(base)
    without = simulate_contacts(dataclasses.replace(base, demand_last_sessions=0))
    planned = contact_cohort(base).referrals["planned_contacts"].to_numpy()
    codes = with_demand["referral_id"].cat.codes.to_numpy()
    session = (with_demand["attended"] & (with_demand["contact_type"] == "treatment")).astype(int)
    session = session.groupby(codes).cumsum().to_numpy()
    near_end = (planned[codes] - session < 2) & with_demand["attended"].to_numpy() & (session > 0)
    pd.testing.assert_series_equal(with_demand.loc[~near_end, "phq9"], without.loc[~near_end, "phq9"])
    shifted = with_demand.loc[near_end, "phq9"].dropna()
    assert (shifted <= without.loc[shifted.index, "phq9"]).all()
    assert (shifted < without.loc[shifted.index, "phq9"]).mean() > 0.5


def test_odds_ratio_one_gives_the_same_cohort_under_every_mechanism():
    tables = [simulate_contacts(CohortModel(n=800, seed=8, dropout_mechanism=m,
                                            dropout_odds_ratio_per_sd_better=1.0))
              for m in ("mcar", "mar", "mnar")]
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


@pytest.mark.parametrize("mechanism", ["mar", "mnar"])
def test_who_stops_moves_recovery_among_finishers_both_ways(mechanism):
    finishers = {o: who_is_counted(mechanism, o, n=30_000).set_index("estimate").loc["finishers", "rate"]
                 for o in (0.25, 1.0, 4.0)}
    # People who feel better stopping leaves the worse-off to be counted, and the reverse.
    assert finishers[4.0] < finishers[1.0] - 0.03
    assert finishers[0.25] > finishers[1.0] + 0.03


def test_completely_random_dropout_leaves_the_truth_and_the_finishers_nearly_unchanged():
    weak = who_is_counted("mcar", 1.0, n=30_000).set_index("estimate")["rate"]
    strong = who_is_counted("mcar", 4.0, n=30_000).set_index("estimate")["rate"]
    assert abs(weak["truth"] - strong["truth"]) < 0.02
    assert abs(weak["finishers"] - strong["finishers"]) < 0.03


def test_dropout_parameters_are_checked():
    with pytest.raises(ParameterError, match="dropout_mechanism = 'random' must be one of mcar, mar, mnar"):
        CohortModel(dropout_mechanism="random")
    with pytest.raises(ParameterError, match="outside its allowed range"):
        CohortModel(dropout_odds_ratio_per_sd_better=0.0)
    with pytest.raises(ParameterError, match="whole number"):
        CohortModel(demand_last_sessions=1.5)
    described = CohortModel().describe().set_index("parameter")
    assert described.loc["dropout_mechanism", "range"] == "mcar / mar / mnar"
    assert "teaching default" in described.loc["dropout_per_session", "source"]


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 2**32), mechanism=st.sampled_from(["mcar", "mar", "mnar"]),
       odds=st.floats(0.1, 10), finishing=st.floats(0, 1), attended=st.floats(0.3, 1),
       missing=st.floats(0, 0.5), per_session=st.floats(0, 0.15))
def test_any_setting_gives_a_valid_contact_table(n, seed, mechanism, odds, finishing, attended, missing,
                                                 per_session):
    model = CohortModel(n=n, seed=seed, dropout_mechanism=mechanism, dropout_odds_ratio_per_sd_better=odds,
                        share_of_entrants_finishing=finishing, share_sessions_attended=attended,
                        share_scores_missing_per_contact=missing, dropout_per_session=per_session)
    cohort = contact_cohort(model)
    assert validate_contacts(cohort.contacts).ok
    episodes = from_contacts(cohort.contacts)
    assert len(episodes) == n
    refs = cohort.referrals
    assert (refs["attended_treatment_contacts"] <= refs["planned_contacts"]).all()
    assert (episodes["treatment_contacts"].to_numpy() == refs["attended_treatment_contacts"].to_numpy()).all()
