"""Tests for iaptlab.simulate: determinism, parameter validation, and each mechanism recovering
its own parameter within 4 standard errors (SEs computed here from n, not from the code)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.errors import ParameterError
from iaptlab.outcomes import classify
from iaptlab.schema import validate
from iaptlab.simulate import (
    CALIBRATION_TARGETS,
    INTERVIEW_SEES_MORE,
    MECHANISMS,
    OFF_BY_DEFAULT,
    CohortModel,
    calibration_table,
    course_of,
    draw,
    episode_columns,
    episode_ids,
    not_in_course,
    simulate,
)

WEEKS_PER_MONTH = 365.25 / 7 / 12
#: Everything that blurs or shifts scores switched off, and dropout unrelated to improvement.
QUIET = ("measurement_error", "hello_goodbye", "demand", "attrition_bias", "interview_error")


def quiet(**changes) -> CohortModel:
    return dataclasses.replace(CohortModel().without(*QUIET), **changes)


def within_4_se(observed: float, expected: float, se: float) -> bool:
    return abs(observed - expected) <= 4 * se


# --- determinism -------------------------------------------------------------------------------

def test_same_seed_gives_identical_frame_and_different_seed_differs():
    a = simulate(CohortModel(n=3000, seed=7))
    b = simulate(CohortModel(n=3000, seed=7))
    c = simulate(CohortModel(n=3000, seed=8))
    pd.testing.assert_frame_equal(a, b)
    assert not a["phq9_first"].equals(c["phq9_first"])
    assert not a["treatment_contacts"].equals(c["treatment_contacts"])


def test_switching_one_mechanism_off_does_not_reshuffle_the_others():
    on = simulate(CohortModel(n=5000, seed=3))
    off = simulate(CohortModel(n=5000, seed=3).without("demand"))
    # Demand acts only on last scores: everything drawn for other mechanisms is identical.
    for column in ("phq9_first", "gad7_first", "treatment_contacts", "diagnosis_first",
                   "true_phq9_last", "assessed_with_therapist"):
        pd.testing.assert_series_equal(on[column], off[column])
    assert (off["phq9_last"] >= on["phq9_last"]).all() or on["phq9_last"].isna().any()
    assert (off["phq9_last"].fillna(-1) >= on["phq9_last"].fillna(-1)).all()
    assert (off["phq9_last"].fillna(-1) > on["phq9_last"].fillna(-1)).any()


# --- parameters --------------------------------------------------------------------------------

RANGED = [f for f in dataclasses.fields(CohortModel) if f.metadata["range"] is not None]


@pytest.mark.parametrize("field", RANGED, ids=lambda f: f.name)
def test_every_parameter_out_of_range_is_refused_by_name(field):
    low, high = field.metadata["range"]
    for bad in (low - 1, high + 1):
        with pytest.raises(ParameterError, match=field.name):
            CohortModel(**{field.name: bad})
    ends = (low,) if field.name in ("n", "seed") else (low, high)
    for end in ends:  # the ends themselves are allowed
        linked = MECHANISMS["natural_remission"] if field.name.startswith("remission_by") else {}
        CohortModel(**{**dict.fromkeys(linked, end), field.name: type(field.default)(end)})


@pytest.mark.parametrize("bad", ["3", None, float("nan"), True])
def test_non_numbers_are_refused(bad):
    with pytest.raises(ParameterError, match="phq9_reliability"):
        CohortModel(phq9_reliability=bad)


def test_n_and_seed_must_be_whole_numbers_and_selection_a_boolean():
    with pytest.raises(ParameterError, match="n = 10.5"):
        CohortModel(n=10.5)
    with pytest.raises(ParameterError, match="seed"):
        CohortModel(seed=1.0)
    with pytest.raises(ParameterError, match="select_on_first_measurement"):
        CohortModel(select_on_first_measurement=1)


def test_remission_shares_must_not_fall_with_time():
    with pytest.raises(ParameterError, match="remission_by_3_months <= remission_by_6_months"):
        CohortModel(remission_by_3_months=0.4, remission_by_6_months=0.3)
    CohortModel(remission_by_3_months=0.32, remission_by_6_months=0.32)  # equal is fine


def test_describe_lists_every_parameter_with_range_meaning_and_source():
    table = CohortModel().describe()
    assert table["parameter"].tolist() == [f.name for f in dataclasses.fields(CohortModel)]
    assert (table["meaning"].str.len() > 10).all() and (table["source"].str.len() > 3).all()
    whiteford = table[table["parameter"].str.startswith("remission_by")]
    assert whiteford["source"].str.contains("Whiteford").all()
    assert whiteford["value"].tolist() == [0.23, 0.32, 0.53]  # Whiteford et al. 2013 abstract


ORIGINAL = ("treatment_effect", "natural_remission", "measurement_error", "hello_goodbye",
            "demand", "attrition_bias", "interview_error", "selection")
NEW = ("unseen_disorders", "interview_sample_selection", "interview_delay")


def test_without_and_presets():
    assert set(MECHANISMS) == set(ORIGINAL) | set(NEW)
    assert set(OFF_BY_DEFAULT) == set(NEW)
    model = CohortModel()
    assert all(model.is_on(m) for m in ORIGINAL)
    assert not any(model.is_on(m) for m in NEW)  # the IAPT-side model: off unless asked for
    critic = CohortModel.interview_sees_more()
    assert all(critic.is_on(m) for m in MECHANISMS)
    for mechanism in MECHANISMS:
        off = critic.without(mechanism)
        assert not off.is_on(mechanism)
        assert all(off.is_on(m) for m in MECHANISMS if m != mechanism)
    with pytest.raises(ParameterError, match="unknown mechanism"):
        model.without("placebo")
    assert CohortModel.no_treatment_effect().treatment_effect_d == 0
    artefact_free = CohortModel.no_measurement_artefacts()
    assert not any(artefact_free.is_on(m) for m in ("demand", "hello_goodbye",
                                                    "measurement_error"))
    assert artefact_free.is_on("treatment_effect")


def test_interview_sees_more_changes_only_its_listed_values_and_documents_them():
    iapt, critic = CohortModel.interview_sees_questionnaires(n=100, seed=3), CohortModel.interview_sees_more(n=100, seed=3)
    changed = {f.name for f in dataclasses.fields(CohortModel)
               if getattr(iapt, f.name) != getattr(critic, f.name)}
    assert changed == set(INTERVIEW_SEES_MORE)
    described = critic.describe().set_index("parameter")
    for name in ("share_with_unseen_disorder", "unseen_disorder_remission",
                 "interviewed_odds_ratio_still_ill", "months_from_end_to_interview",
                 "relapse_within_12_months"):
        assert "teaching default" in described.loc[name, "source"]
        assert described.loc[name, "mechanism"] in NEW


def test_new_mechanisms_at_their_defaults_leave_the_calibrated_cohort_unchanged():
    # Off = prevalence 0, interview at the last session, random sample: the final diagnosis is
    # exactly the depression/anxiety rule applied to the true scores at the last contact.
    table = simulate(CohortModel.interview_sees_questionnaires(n=5000, seed=4))
    attended = table["treatment_contacts"] > 0
    seen = ((table["true_phq9_last"] >= 10) | (table["true_gad7_last"] >= 10))[attended]
    assert (table.loc[attended, "true_diagnosis_last"] == seen.astype(float)).all()
    assert (table["true_unseen_disorder_first"] == 0).all()
    assert (table["true_relapsed"].dropna() == 0).all()
    # and the critic's assumptions leave every questionnaire column as it was (common draws)
    critic = simulate(CohortModel.interview_sees_more(n=5000, seed=4))
    for column in ("phq9_first", "phq9_last", "gad7_first", "gad7_last", "treatment_contacts",
                   "true_phq9_last"):
        pd.testing.assert_series_equal(table[column], critic[column])


def test_episode_ids_are_unique_fixed_width_strings():
    ids = episode_ids(12_345)
    assert ids[0] == "R0000001" and ids[-1] == "R0012345"
    assert len(set(ids.tolist())) == 12_345
    assert episode_ids(12_345_678)[-1] == "R12345678"  # width grows past 7 digits


# --- the table is a valid episode table --------------------------------------------------------

def test_output_passes_schema_validation_and_classify():
    table = simulate(CohortModel(n=4000, seed=2))
    checked = validate(table)
    assert checked.ok and len(checked.excluded) == 0 and len(checked.table) == 4000
    classified = classify(table)
    assert classified["recovered"].any()


def test_never_attending_referrals_have_zero_contacts_and_no_last_measurements():
    table = simulate(CohortModel(n=4000, seed=4))
    never = table["treatment_contacts"] == 0
    assert never.any()
    assert table.loc[never, ["phq9_last", "gad7_last", "true_phq9_last"]].isna().all().all()
    assert table.loc[never, "diagnosis_last"].isna().all()
    assert table.loc[~never, "diagnosis_last"].notna().all()
    assert table["phq9_first"].notna().all()  # everyone has an assessment questionnaire


@settings(max_examples=25, deadline=None)
@given(reliability=st.floats(0.3, 1.0), hello=st.floats(0, 10), demand=st.floats(0, 10),
       d=st.floats(0, 3), mean_phq=st.floats(0, 27), mean_gad=st.floats(0, 21),
       finish=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_any_valid_model_gives_scores_on_the_scales(reliability, hello, demand, d, mean_phq,
                                                   mean_gad, finish, seed):
    model = CohortModel(n=300, seed=seed, phq9_reliability=reliability, hello_goodbye_points=hello,
                        demand_shift_points=demand, treatment_effect_d=d,
                        phq9_mean_at_referral=mean_phq, gad7_mean_at_referral=mean_gad,
                        share_of_entrants_finishing=finish)
    table = simulate(model)
    for column, top in (("phq9_first", 27), ("phq9_last", 27), ("gad7_first", 21),
                        ("gad7_last", 21)):
        scores = table[column].dropna().to_numpy()
        assert ((scores >= 0) & (scores <= top) & (scores == np.round(scores))).all()
    assert validate(table).ok
    # a true score never rises without treatment harm (there is none in this model)
    ended = table["treatment_contacts"] > 0
    assert (table.loc[ended, "true_phq9_last"] <= table.loc[ended, "true_phq9_first"] + 1e-4).all()


# --- each mechanism recovers its own parameter ---------------------------------------------------

@pytest.mark.parametrize(("months", "target"), [(3, 0.23), (6, 0.32), (12, 0.53)])
def test_natural_remission_matches_whiteford_at_3_6_and_12_months(months, target):
    # People with exactly one contact are measured wait + 1 interval weeks after their first score;
    # set that to the target time. Expected share = Whiteford's figure; SE = sqrt(p(1-p)/n).
    weeks = months * WEEKS_PER_MONTH
    model = quiet(n=60_000, treatment_effect_d=0.0, weeks_between_contacts=1.0,
                  weeks_waiting_before_treatment=weeks - 1.0, share_of_entrants_finishing=0.0,
                  share_sessions_attended=1.0)
    table = simulate(model)
    one = table["treatment_contacts"] == 1
    remitted = table.loc[one, "true_remitted"].to_numpy()
    assert within_4_se(remitted.mean(), target, math.sqrt(target * (1 - target) / one.sum()))


def test_no_remission_when_switched_off_and_remitted_keep_their_fraction():
    table = simulate(quiet(n=5000, treatment_effect_d=0.0).without("natural_remission"))
    assert (table["true_remitted"].dropna() == 0).all()
    table = simulate(quiet(n=5000, treatment_effect_d=0.0, remitted_severity_fraction=0.25))
    remitted = table["true_remitted"] == 1
    expected = 0.25 * table.loc[remitted, "true_phq9_first"]
    np.testing.assert_allclose(table.loc[remitted, "true_phq9_last"], expected, rtol=1e-5)


def test_treatment_effect_is_d_referral_sds_for_a_full_course():
    model = quiet(n=5000, treatment_effect_variation=0.0, treatment_effect_d=0.5,
                  contacts_for_full_effect=4.0).without("natural_remission")
    table = simulate(model)
    full = (table["treatment_contacts"] >= 4) & (table["true_phq9_first"] > 0.5 * 4.5)
    drop = table.loc[full, "true_phq9_first"] - table.loc[full, "true_phq9_last"]
    np.testing.assert_allclose(drop, 0.5 * model.phq9_sd_at_referral, atol=1e-4)
    three = (table["treatment_contacts"] == 3) & (table["true_gad7_first"] > 0.5 * 4.0)
    drop = table.loc[three, "true_gad7_first"] - table.loc[three, "true_gad7_last"]
    np.testing.assert_allclose(drop, 0.5 * model.gad7_sd_at_referral * 3 / 4, atol=1e-4)


def test_measurement_error_sd_follows_from_reliability():
    # error SD = SD_true * sqrt((1-r)/r); rounding to whole points adds about 1/12 to the variance.
    r, sd = 0.8, 4.5
    table = simulate(quiet(n=60_000, phq9_reliability=r).without("natural_remission"))
    middle = table["true_phq9_first"].between(6, 21)  # far from the clipped ends
    residual = (table.loc[middle, "phq9_first"] - table.loc[middle, "true_phq9_first"]).to_numpy()
    expected_var = sd**2 * (1 - r) / r + 1 / 12
    se = expected_var * math.sqrt(2 / (len(residual) - 1))
    assert within_4_se(residual.var(ddof=1), expected_var, se)
    exact = simulate(quiet(n=2000).without("natural_remission"))
    assert (exact["phq9_first"] == np.rint(exact["true_phq9_first"])).all()


def test_hello_goodbye_inflates_the_first_score_by_its_points():
    table = simulate(dataclasses.replace(quiet(n=40_000), hello_goodbye_points=2.0,
                                         phq9_reliability=0.9))
    middle = table["true_phq9_first"].between(4, 22)
    shift = (table.loc[middle, "phq9_first"] - table.loc[middle, "true_phq9_first"]).to_numpy()
    se = shift.std(ddof=1) / math.sqrt(len(shift))
    assert within_4_se(shift.mean(), 2.0, se)


def test_demand_lowers_the_last_score_only_when_the_therapist_is_present():
    # Everyone who enters attends their whole planned course and every score is recorded, so the
    # last score is the last session's, given with the end in view.
    model = dataclasses.replace(quiet(n=40_000, treatment_effect_d=0.0),
                                demand_shift_points=3.0, share_last_with_therapist=0.5,
                                share_of_entrants_finishing=1.0, dropout_per_session=0.0,
                                share_scores_missing_per_contact=0.0,
                                share_finishers_with_paired_scores=1.0
                                ).without("natural_remission")
    table = simulate(model)
    has_last = table["phq9_last"].notna() & table["true_phq9_last"].between(4, 22)
    present = table["assessed_with_therapist"].fillna(False).to_numpy(dtype=bool)
    shift = (table["phq9_last"] - table["true_phq9_last"]).to_numpy()
    with_t, without_t = shift[has_last & present], shift[has_last & ~present]
    se_share = math.sqrt(0.25 / has_last.sum())
    assert within_4_se((has_last & present).sum() / has_last.sum(), 0.5, se_share)
    assert abs(without_t.mean()) < 0.05  # rounding only
    assert abs(with_t.mean() + 3.0) < 0.05


def test_attendance_shares_and_course_length():
    model = quiet(n=60_000)
    contacts = simulate(model)["treatment_contacts"].to_numpy()
    n = len(contacts)
    entered = contacts > 0
    assert within_4_se(entered.mean(), 0.70, math.sqrt(0.70 * 0.30 / n))
    finished = contacts >= 2
    p = model.share_of_entrants_finishing
    assert within_4_se(finished[entered].mean(), p, math.sqrt(p * (1 - p) / entered.sum()))
    # finishers' contacts: 2 + geometric with mean m - 2, whose variance is (m-2)(m-1)
    m = model.mean_contacts_among_finishers
    se = math.sqrt((m - 2) * (m - 1) / finished.sum())
    assert within_4_se(contacts[finished].mean(), m, se)


def test_attrition_bias_keeps_improvers_and_is_neutral_at_odds_ratio_one():
    biased = simulate(dataclasses.replace(quiet(n=30_000),
                                          finishing_odds_ratio_per_sd_improvement=4.0))
    fair = simulate(quiet(n=30_000))

    def improvement_gap(t):
        done = t["treatment_contacts"] >= 2
        one = t["treatment_contacts"] == 1
        drop = t["true_phq9_first"] - t["true_phq9_last"]
        return drop[done].mean() - drop[one].mean()

    assert improvement_gap(biased) > improvement_gap(fair) + 0.5


def test_interview_sensitivity_and_specificity():
    model = dataclasses.replace(quiet(n=40_000), interview_sensitivity=0.8,
                                interview_specificity=0.7)
    table = simulate(model)
    truth = table["true_diagnosis_first"] == 1
    found = table["diagnosis_first"].to_numpy(dtype=bool)
    sens, spec = found[truth].mean(), (~found[~truth]).mean()
    assert within_4_se(sens, 0.8, math.sqrt(0.8 * 0.2 / truth.sum()))
    assert within_4_se(spec, 0.7, math.sqrt(0.7 * 0.3 / (~truth).sum()))
    # diagnosis from true severity: either true score at or above its threshold
    expected = (table["true_phq9_first"] >= 10) | (table["true_gad7_first"] >= 10)
    assert (truth == expected).all()


def test_paired_scores_share_among_finishers():
    model = dataclasses.replace(quiet(n=60_000), share_finishers_with_paired_scores=0.9)
    table = simulate(model)
    finished = table["treatment_contacts"] >= 2
    paired = table.loc[finished, "phq9_last"].notna()
    assert within_4_se(paired.mean(), 0.9, math.sqrt(0.09 / finished.sum()))
    # one treatment contact: a last score when that contact's scores were recorded
    one = table.loc[table["treatment_contacts"] == 1, "phq9_last"].notna()
    expected = 0.9 * (1 - model.share_scores_missing_per_contact)
    assert within_4_se(one.mean(), expected, math.sqrt(expected * (1 - expected) / len(one)))


# --- the mechanisms that can make loss of diagnosis low -------------------------------------------

def test_unseen_disorder_prevalence_and_remission_are_recovered():
    model = quiet(n=40_000, share_with_unseen_disorder=0.3, unseen_disorder_remission=0.4)
    table = simulate(model)
    unseen = table["true_unseen_disorder_first"].to_numpy()
    assert within_4_se(unseen.mean(), 0.3, math.sqrt(0.3 * 0.7 / len(unseen)))
    had = (unseen == 1) & (table["treatment_contacts"] > 0).to_numpy()
    gone = table["true_unseen_disorder_last"].to_numpy()[had] == 0
    assert within_4_se(gone.mean(), 0.4, math.sqrt(0.4 * 0.6 / had.sum()))
    # anyone with an unseen disorder meets criteria, whatever their questionnaire-type scores
    assert (table.loc[unseen == 1, "true_diagnosis_first"] == 1).all()
    still = table["true_unseen_disorder_last"] == 1
    assert (table.loc[still, "true_diagnosis_last"] == 1).all()
    # without one, the diagnosis is the depression/anxiety rule on the true scores
    clear = (unseen == 0)
    rule = (table["true_phq9_first"] >= 10) | (table["true_gad7_first"] >= 10)
    assert (table.loc[clear, "true_diagnosis_first"] == rule[clear].astype(float)).all()


def test_unseen_disorder_remission_at_its_ends():
    never = simulate(quiet(n=3000, share_with_unseen_disorder=0.5, unseen_disorder_remission=0.0))
    always = simulate(quiet(n=3000, share_with_unseen_disorder=0.5, unseen_disorder_remission=1.0))
    had = (never["true_unseen_disorder_first"] == 1) & (never["treatment_contacts"] > 0)
    assert (never.loc[had, "true_unseen_disorder_last"] == 1).all()
    assert (always["true_unseen_disorder_last"].dropna() == 0).all()


@pytest.mark.parametrize(("months", "relapse_12"), [(6.0, 0.3), (12.0, 0.3), (3.0, 0.8)])
def test_relapse_share_follows_a_constant_hazard(months, relapse_12):
    # Expected share relapsing among those below criteria at the last contact, computed here:
    # 1 - (1 - r12) ** (months / 12).
    table = simulate(quiet(n=30_000, months_from_end_to_interview=months,
                           relapse_within_12_months=relapse_12))
    below = ((table["true_phq9_last"] < 10) & (table["true_gad7_last"] < 10)).to_numpy()
    relapsed = table["true_relapsed"].to_numpy()[below]
    expected = 1 - (1 - relapse_12) ** (months / 12)
    assert within_4_se(relapsed.mean(), expected, math.sqrt(expected * (1 - expected) / below.sum()))
    assert (table.loc[table["true_relapsed"] == 1, "true_diagnosis_last"] == 1).all()
    above = table["treatment_contacts"].gt(0).to_numpy() & ~below
    assert (table["true_relapsed"].to_numpy()[above] == 0).all()  # only the well can relapse


def test_natural_remission_continues_until_a_later_interview():
    # Treatment off, remitted people keep nothing, no relapse: among people who met the
    # depression/anxiety criteria at referral, the share not meeting them at the interview is
    # Whiteford's 6-month figure (32%) when last contact + follow-up = 6 months.
    weeks_to_contact = 3 * WEEKS_PER_MONTH
    model = quiet(n=60_000, treatment_effect_d=0.0, remitted_severity_fraction=0.0,
                  weeks_between_contacts=1.0, weeks_waiting_before_treatment=weeks_to_contact - 1,
                  share_of_entrants_finishing=0.0, months_from_end_to_interview=3.0,
                  relapse_within_12_months=0.0, share_sessions_attended=1.0)
    table = simulate(model)
    one = (table["treatment_contacts"] == 1) & (table["true_diagnosis_first"] == 1)
    lost = (table.loc[one, "true_diagnosis_last"] == 0).to_numpy()
    assert within_4_se(lost.mean(), 0.32, math.sqrt(0.32 * 0.68 / one.sum()))
    at_end = (table.loc[one, "true_remitted"] == 1).to_numpy()  # 3 months: 23%
    assert within_4_se(at_end.mean(), 0.23, math.sqrt(0.23 * 0.77 / one.sum()))


def test_interview_at_the_last_session_is_the_same_cohort_whatever_the_relapse_rate():
    a = simulate(CohortModel(n=3000, seed=5, relapse_within_12_months=0.0))
    b = simulate(CohortModel(n=3000, seed=5, relapse_within_12_months=1.0))
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("dropout", ["mcar", "mar", "mnar"])
def test_the_course_ignores_the_mechanisms_said_not_to_touch_it(dropout):
    # reconcile reuses one course for every model differing only in these mechanisms
    model = dataclasses.replace(CohortModel.interview_sees_more(n=3000, seed=12), dropout_mechanism=dropout)
    draws = draw(3000, 12)
    ignored = not_in_course(model)
    assert ("demand" in ignored) == (dropout != "mar")  # under MAR, recorded scores move who stops
    reference = course_of(model.without(*ignored), draws)
    for mechanism in ignored:
        course = course_of(model.without(mechanism), draws)
        np.testing.assert_array_equal(course.attended_count, reference.attended_count)
        np.testing.assert_array_equal(course.last_true, reference.last_true)
        np.testing.assert_array_equal(course.scored_z, reference.scored_z)
    for mechanism in ("treatment_effect", "natural_remission", "attrition_bias"):
        moved = course_of(model.without(mechanism), draws)
        assert not np.array_equal(moved.last_true, reference.last_true)
    given = episode_columns(model, draws, reference)
    fresh = episode_columns(model, draws)
    assert given.keys() == fresh.keys()
    for name in fresh:
        np.testing.assert_array_equal(given[name], fresh[name])


def test_every_source_id_a_parameter_cites_is_in_the_sources_files():
    import re

    from iaptlab import datasets

    known = set(datasets.sources())
    described = CohortModel().describe()
    not_ids = {*described["parameter"], "interview_sees_questionnaires", "interview_sees_more", "iapt_like",
               "critic_like", "calibration_table"}
    cited = {token for text in described["source"]
             for token in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text)} - not_ids
    assert cited, "no parameter cites a source id"
    assert cited <= known, f"not in data/sources*.toml: {sorted(cited - known)}"
    assert not described["source"].str.contains("domain.md").any()


# --- calibration to the published national figures ---------------------------------------------

def test_calibrated_preset_is_within_its_stated_tolerances():
    table = calibration_table(CohortModel.interview_sees_questionnaires(n=100_000, seed=0))
    targets = table.iloc[: len(CALIBRATION_TARGETS)]
    assert targets["within_tolerance"].all(), targets[["quantity", "target", "simulated"]]
    assert table["target"].iloc[-1] != table["target"].iloc[-1]  # NaN: interview is not a target
    assert targets["source"].str.startswith("national_annual: ").all()
    assert "scott_2018_9_2_percent" in table["source"].iloc[-1]
    # the published numbers themselves, typed in from the NHS Digital 2016-17 and 2017-18 releases
    assert targets["target"].tolist() == pytest.approx(
        [0.508, 0.664, 555_000 / 1_440_000, 1_010_000 / 1_440_000, 525_000 / 567_000, 6.8], abs=1e-12)


def test_a_calibration_target_names_exactly_one_published_cell(monkeypatch):
    from iaptlab import simulate as simulate_module
    from iaptlab.errors import IaptlabError

    missing = simulate_module.CalibrationTarget("recovery", "2013-14", "recovery_rate_pct", None, 0.02)
    monkeypatch.setattr(simulate_module, "CALIBRATION_TARGETS", (missing,))
    with pytest.raises(IaptlabError, match="0 filled 'recovery_rate_pct' cells for 2013-14"):
        simulate_module.calibration_targets()


# --- the episode table is read from the contacts ------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 80), seed=st.integers(0, 2**32), mechanism=st.sampled_from(["mcar", "mar", "mnar"]),
       odds=st.floats(0.1, 10), bias=st.floats(0.1, 10), finishing=st.floats(0, 1),
       attended=st.floats(0.3, 1), missing=st.floats(0, 0.5), wait=st.floats(0, 20))
def test_simulated_episodes_obey_the_contact_rules(n, seed, mechanism, odds, bias, finishing, attended,
                                                   missing, wait):
    model = CohortModel(n=n, seed=seed, dropout_mechanism=mechanism, dropout_odds_ratio_per_sd_better=odds,
                        finishing_odds_ratio_per_sd_improvement=bias, share_of_entrants_finishing=finishing,
                        share_sessions_attended=attended, share_scores_missing_per_contact=missing,
                        weeks_waiting_before_treatment=wait)
    table = simulate(model)
    contacts = table["treatment_contacts"].to_numpy()
    finished = classify(table)["finished"].to_numpy(dtype=bool)
    np.testing.assert_array_equal(finished, contacts >= 2)  # every simulated referral has ended
    assert table["phq9_first"].notna().all()  # the assessment is always scored
    assert (contacts[table["phq9_last"].notna().to_numpy()] >= 1).all()  # a last score needs a treatment contact
    weeks = table["true_weeks"].to_numpy()
    assert (weeks[contacts == 0] == 0).all()
    # a missed appointment only pushes the last contact later
    treated = contacts > 0
    assert (weeks[treated] >= wait + contacts[treated] * model.weeks_between_contacts - 1e-3).all()
    pd.testing.assert_frame_equal(table, simulate(model))
