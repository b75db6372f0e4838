"""Tests for iaptlab.reliable_change.

Expected values are worked by hand in the comments (numbers chosen so the square roots are exact:
sd 5 and r .84 give SE = 5 * sqrt(.16) = 2; r .6 gives sqrt(1 - .36) = .8), or are recomputed here
with ``math`` from the published formula, never copied from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.clinical_significance import clinical_significance, cutoffs
from iaptlab.errors import InputError, ParameterError
from iaptlab.reliable_change import (
    REQUIRED_PARAMETERS,
    change_category,
    critical_value,
    difference_reliability,
    rci,
    reliable_change_threshold,
)

ALL_PARAMETERS = dict(m_pre=15, m_post=10, sd_post=5, r_prepost=0.5, reliability_post=None)


# ---------------------------------------------------------------- rci, each method by hand


def test_jt_by_hand():
    # SE = 5 * sqrt(1 - .84) = 2; S_diff = sqrt(2) * 2 = 2.828427; (12 - 20) / 2.828427
    assert rci(20, 12, sd_pre=5, reliability=0.84)[0] == pytest.approx(-8 / (2 * math.sqrt(2)))


def test_jt_sign_is_post_minus_pre():
    # 10 -> 18 is a rise: +8 / 2.828427 = +2.828427
    assert rci(10, 18, sd_pre=5, reliability=0.84)[0] == pytest.approx(2.828427, abs=1e-6)


def test_gln_by_hand():
    # SE_pred = 5 * sqrt(1 - .6^2) = 5 * .8 = 4; pre_adj = .6 * (20 - 15) = 3;
    # post_adj = 12 - 15 = -3; RC = (-3 - 3) / 4 = -1.5
    assert rci(20, 12, method="GLN", sd_pre=5, reliability=0.6, m_pre=15)[0] == pytest.approx(-1.5)


def test_hll_by_hand():
    # as GLN but post_adj = 12 - m_post(10) = 2; RC = (2 - 3) / 4 = -0.25
    got = rci(20, 12, method="HLL", sd_pre=5, reliability=0.6, m_pre=15, m_post=10)
    assert got[0] == pytest.approx(-0.25)


def test_en_by_hand():
    # pre_true = .84 * (20 - 15) + 15 = 19.2; SE = 2; RC = (12 - 19.2) / 2 = -3.6
    got = rci(20, 12, method="EN", sd_pre=5, reliability=0.84, m_pre=15)
    assert got[0] == pytest.approx(-3.6)


def test_nk_by_hand_equal_reliabilities():
    # denominator = sqrt(.84^2 * 25 * .16 + 25 * .16) = sqrt(2.8224 + 4) = sqrt(6.8224)
    # pre_true = 19.2 as in EN; RC = (12 - 19.2) / sqrt(6.8224)
    got = rci(20, 12, method="NK", sd_pre=5, reliability=0.84, m_pre=15)
    assert got[0] == pytest.approx(-7.2 / math.sqrt(6.8224))
    assert got[0] == pytest.approx(-2.75654, abs=1e-5)  # 7.2 / 2.611973


def test_nk_by_hand_unequal_reliabilities():
    # r_post = .64: second term 25 * .36 = 9; denominator sqrt(2.8224 + 9) = sqrt(11.8224)
    got = rci(20, 12, method="NK", sd_pre=5, reliability=0.84, m_pre=15, reliability_post=0.64)
    assert got[0] == pytest.approx(-7.2 / math.sqrt(11.8224))


def test_ha_by_hand():
    # r_post derived = (25 - 2^2) / 25 = .84; r_dd = (25*.84 + 25*.84 - 2*5*5*.5)
    # / (25 + 25 - 25) = 17 / 25 = .68. RC = (-8 * .68 + (10 - 15) * .32) / (sqrt(.68) * sqrt(2) * 2)
    # = (-5.44 - 1.6) / 2.332381 = -3.01837
    got = rci(20, 12, method="HA", sd_pre=5, reliability=0.84, **ALL_PARAMETERS)
    assert got[0] == pytest.approx(-7.04 / (math.sqrt(0.68) * 2 * math.sqrt(2)))
    assert got[0] == pytest.approx(-3.01837, abs=1e-5)


def test_ha_difference_reliability_by_hand_with_given_post_reliability():
    # sd_pre 4, sd_post 6, r_pre .8, r_post .9, r12 .3: numerator 16*.8 + 36*.9 - 2*4*6*.3
    # = 12.8 + 32.4 - 14.4 = 30.8; denominator 16 + 36 - 14.4 = 37.6
    got = difference_reliability(4, 0.8, 6, 0.3, reliability_post=0.9)
    assert got == pytest.approx(30.8 / 37.6)


def test_ha_undefined_when_difference_has_no_reliable_variance():
    with pytest.raises(ParameterError, match="r_prepost"):
        difference_reliability(5, 0.5, 5, 0.9)  # 12.5 + 12.5 - 45 < 0


def test_arrays_in_arrays_out_and_nan_propagates():
    got = rci(pd.Series([20, np.nan, 10]), [12, 12, np.nan], sd_pre=5, reliability=0.84)
    assert isinstance(got, np.ndarray) and got.shape == (3,)
    assert got[0] == pytest.approx(-2 * math.sqrt(2))
    assert np.isnan(got[1]) and np.isnan(got[2])


def test_nullable_integer_series_with_missing_is_accepted():
    pre = pd.Series([20, None], dtype="Int64")
    got = rci(pre, [12, 12], sd_pre=5, reliability=0.84)
    assert np.isnan(got[1])


@pytest.mark.parametrize("method", sorted(REQUIRED_PARAMETERS))
def test_each_required_parameter_is_named_when_missing(method):
    for missing in REQUIRED_PARAMETERS[method]:
        kwargs = {k: v for k, v in ALL_PARAMETERS.items() if k != missing}
        with pytest.raises(ParameterError, match=rf"{method}.*{missing}"):
            rci([20], [12], method=method, sd_pre=5, reliability=0.84, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(sd_pre=0, reliability=0.8), "sd_pre"),
        (dict(sd_pre=-1, reliability=0.8), "sd_pre"),
        (dict(sd_pre=5, reliability=1.0), "reliability"),
        (dict(sd_pre=5, reliability=-0.1), "reliability"),
        (dict(sd_pre=5, reliability=0.8, method="XX"), "method"),
    ],
)
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        rci([20], [12], **kwargs)


def test_bad_scores_raise_input_error_naming_column():
    with pytest.raises(InputError, match="post"):
        rci([20, 10], ["a", "b"], sd_pre=5, reliability=0.8)
    with pytest.raises(InputError, match="post"):
        rci([20, 10, 5], [1, 2], sd_pre=5, reliability=0.8)
    with pytest.raises(InputError, match=r"row 3, column pre"):
        rci([20, np.inf], [1, 2], sd_pre=5, reliability=0.8)


def test_all_methods_agree_when_no_regression_to_mean_applies():
    # Someone at the pre mean with means equal: EN's true score = pre, so EN = (post - pre) / SE,
    # which is JT times sqrt(2). A check that the methods are wired to the right formula.
    jt = rci(15, 9, sd_pre=5, reliability=0.84)[0]
    en = rci(15, 9, method="EN", sd_pre=5, reliability=0.84, m_pre=15)[0]
    assert en == pytest.approx(jt * math.sqrt(2))


# ---------------------------------------------------------------- change_category


def test_critical_value_matches_normal_quantiles():
    assert critical_value(0.05) == pytest.approx(1.959964, abs=1e-6)
    assert critical_value(0.05, sides=1) == pytest.approx(1.644854, abs=1e-6)
    assert critical_value(0.01) == pytest.approx(2.575829, abs=1e-6)


@pytest.mark.parametrize(
    ("inclusive", "expected"),
    [(False, ["unchanged", "unchanged"]), (True, ["improved", "deteriorated"])],
)
def test_rci_exactly_at_critical(inclusive, expected):
    got = change_category([-2.0, 2.0], critical=2.0, inclusive=inclusive, better="lower")
    assert got.tolist() == expected


def test_just_beyond_and_just_short_of_critical():
    got = change_category([-2.0001, -1.9999, 1.9999, 2.0001], critical=2.0)
    assert got.tolist() == ["improved", "unchanged", "unchanged", "deteriorated"]


def test_direction_higher_is_better_flips_labels():
    got = change_category([-3.0, 3.0, 0.0], better="higher")
    assert got.tolist() == ["deteriorated", "improved", "unchanged"]


def test_default_critical_is_1_96_two_sided():
    got = change_category([-1.95, -1.97], better="lower")
    assert got.tolist() == ["unchanged", "improved"]
    # alpha .10 -> 1.645: -1.7 is now reliable
    assert change_category([-1.7], alpha=0.10).tolist() == ["improved"]


def test_nan_rci_is_missing():
    assert change_category([np.nan]).tolist() == ["missing"]


def test_bad_direction_and_alpha():
    with pytest.raises(ParameterError, match="better"):
        change_category([1.0], better="down")
    with pytest.raises(ParameterError, match="alpha"):
        change_category([1.0], alpha=1.5)
    with pytest.raises(ParameterError, match="critical"):
        change_category([1.0], critical=0)


# ---------------------------------------------------------------- threshold


def test_threshold_reproduces_domain_worked_figures():
    # worked by hand (jacobson_truax_1991's formula): SD 6, r .89 -> 5.52; SD 5, r .92 -> 3.92
    assert reliable_change_threshold(6, 0.89) == pytest.approx(5.52, abs=0.005)
    assert reliable_change_threshold(5, 0.92) == pytest.approx(3.92, abs=0.005)


def test_threshold_vectorised_and_validated():
    got = reliable_change_threshold(np.array([6, 5]), np.array([0.89, 0.92]))
    assert got == pytest.approx([5.516, 3.920], abs=0.001)
    with pytest.raises(ParameterError, match="reliability"):
        reliable_change_threshold(6, 1.2)
    with pytest.raises(ParameterError, match="sd"):
        reliable_change_threshold(-6, 0.8)


@settings(max_examples=60, deadline=None)
@given(
    sd=st.floats(1, 10),
    r=st.floats(0.5, 0.95),
    change=st.floats(-30, 30),
)
def test_threshold_agrees_with_jt_category(sd, r, change):
    threshold = reliable_change_threshold(sd, r)
    if abs(abs(change) - threshold) < 1e-6:
        return  # too close to the edge for floating point to settle
    label = change_category(rci(20, 20 + change, sd_pre=sd, reliability=r),
                            critical=1.959964)[0]
    assert (label != "unchanged") == (abs(change) > threshold)


# ---------------------------------------------------------------- properties


score = st.integers(0, 27)


@settings(max_examples=80, deadline=None)
@given(pre=score, post=score, sd=st.floats(2, 8), r=st.floats(0.5, 0.95))
def test_jt_category_symmetric_under_swap_with_direction_flipped(pre, post, sd, r):
    forward = change_category(rci(pre, post, sd_pre=sd, reliability=r), better="lower")
    backward = change_category(rci(post, pre, sd_pre=sd, reliability=r), better="higher")
    assert forward.tolist() == backward.tolist()


@settings(max_examples=80, deadline=None)
@given(pre=score, post=score, sd=st.floats(2, 8), r1=st.floats(0.3, 0.95), r2=st.floats(0.3, 0.95))
def test_jt_reliable_change_monotone_in_reliability(pre, post, sd, r1, r2):
    low, high = sorted([r1, r2])
    at_low = abs(rci(pre, post, sd_pre=sd, reliability=low)[0])
    at_high = abs(rci(pre, post, sd_pre=sd, reliability=high)[0])
    assert at_high >= at_low - 1e-12
    if change_category([at_low])[0] != "unchanged":
        assert change_category([at_high])[0] != "unchanged"


# ---------------------------------------------------------------- cut-offs


def test_cutoffs_vignette_example():
    # the R package's vignette (clinicalsignificance_r_package): clinical M 32 SD 7, functional M 10 SD 7 -> a 18, b 24, c 21
    got = cutoffs(32, 7, 10, 7)
    assert (got.a, got.b, got.c) == (18, 24, 21)


def test_cutoff_b_differs_between_sd_sources_with_unequal_sds():
    # clinical M 20 SD 6, functional M 5 SD 4:
    # a = 20 - 2*6 = 8; b(functional SD) = 5 + 2*4 = 13; b(clinical SD) = 5 + 2*6 = 17;
    # c = (4*20 + 6*5) / (4 + 6) = 110 / 10 = 11
    functional = cutoffs(20, 6, 5, 4)
    clinical = cutoffs(20, 6, 5, 4, b_sd="clinical")
    assert (functional.a, functional.b, functional.c) == (8, 13, 11)
    assert (clinical.a, clinical.b, clinical.c) == (8, 17, 11)


def test_cutoffs_higher_is_better():
    # clinical M 40 SD 10, functional M 80 SD 5: a = 40 + 20 = 60; b = 80 - 10 = 70;
    # b(clinical) = 80 - 20 = 60; c = (5*40 + 10*80) / 15 = 1000 / 15
    got = cutoffs(40, 10, 80, 5, better="higher")
    assert (got.a, got.b) == (60, 70)
    assert got.c == pytest.approx(1000 / 15)
    assert cutoffs(40, 10, 80, 5, better="higher", b_sd="clinical").b == 60


def test_cutoffs_not_computable_are_none():
    only_clinical = cutoffs(32, 7)
    assert (only_clinical.a, only_clinical.b, only_clinical.c) == (18, None, None)
    # b from the clinical SD needs only the functional mean; c still needs its SD
    got = cutoffs(32, 7, 10, b_sd="clinical")
    assert (got.b, got.c) == (24, None)


def test_cutoffs_errors():
    with pytest.raises(ParameterError, match="m_func"):
        cutoffs(10, 7, 32, 7)  # functional mean above clinical on a lower-is-better scale
    with pytest.raises(ParameterError, match="sd_clin"):
        cutoffs(32, 0, 10, 7)
    with pytest.raises(ParameterError, match="b_sd"):
        cutoffs(32, 7, 10, 7, b_sd="pooled")


# ---------------------------------------------------------------- clinical significance

JT = dict(sd_pre=5, reliability=0.84)  # S_diff = 2.828427; reliable change needs |change| > 5.54


def categories(pre, post, **kwargs):
    return clinical_significance(pre, post, **{**JT, "cutoff": 10, **kwargs})["category"].tolist()


def test_five_categories_lower_is_better():
    pre = [20, 20, 15, 3, 12, np.nan]
    post = [8, 12, 14, 13, 20, 5]
    # 20->8: -4.24 reliable, crosses 10 -> recovered; 20->12: -2.83 reliable, stays >= 10 ->
    # improved; 15->14: -0.35 -> unchanged; 3->13: +3.54, crosses into >= 10 -> harmed;
    # 12->20: +2.83, already dysfunctional -> deteriorated; missing pre -> missing
    assert categories(pre, post) == [
        "recovered", "improved", "unchanged", "harmed", "deteriorated", "missing",
    ]


def test_score_at_cutoff_counts_as_dysfunctional_by_default():
    # 20 -> 10: -3.54 reliable; 10 is at the cut-off -> still dysfunctional -> improved only
    assert categories([20], [10]) == ["improved"]
    assert categories([20], [10], at_cutoff="functional") == ["recovered"]
    # start at 10, fall to 2: reliable; recovered only when 10 counts as dysfunctional
    assert categories([10], [2]) == ["recovered"]
    assert categories([10], [2], at_cutoff="functional") == ["improved"]


def test_higher_is_better_mirror():
    # mirror every score s -> 30 - s and the cut-off 10 -> 20: same categories
    pre = np.array([20, 20, 15, 3, 12])
    post = np.array([8, 12, 14, 13, 20])
    lower = categories(pre, post)
    higher = categories(30 - pre, 30 - post, better="higher", cutoff=20)
    assert higher == lower


def test_baseline_zero_rise_is_never_improvement():
    # 0 -> 2: +0.71 unchanged; 0 -> 6: +2.12 reliable worsening but stays < 10 -> deteriorated;
    # 0 -> 12: harmed
    assert categories([0, 0, 0], [2, 6, 12]) == ["unchanged", "deteriorated", "harmed"]


def test_baseline_zero_rise_with_rtm_method_is_not_improvement():
    # EN with a high population mean: pre_true = .5 * (0 - 20) + 20 = 10; SE = 2 * sqrt(.5) = 1.414;
    # 0 -> 1 gives RCI (1 - 10) / 1.414 = -6.4 (a reliable fall by EN's logic) but the observed
    # score rose, so the guard reports "unchanged", never "improved"
    table = clinical_significance([0], [1], sd_pre=2, reliability=0.5, cutoff=10, method="EN",
                                  m_pre=20)
    assert table["rci"].iloc[0] == pytest.approx(-9 / math.sqrt(2))
    assert table["category"].tolist() == ["unchanged"]


def test_inclusive_changes_category_at_the_edge():
    # sd 4, r .75: SE = 4 * sqrt(.25) = 2 exactly; a fall of 4 (12 -> 8) gives RCI = -4 / (2 sqrt 2)
    # = -1.414; set the critical value to exactly that magnitude so the RCI sits on the edge
    edge = 4 / (math.sqrt(2) * 2.0)
    kwargs = dict(sd_pre=4, reliability=0.75, cutoff=10, critical=edge)
    strict = clinical_significance([12], [8], **kwargs)
    loose = clinical_significance([12], [8], inclusive=True, **kwargs)
    assert strict["rci"].iloc[0] == -edge
    assert strict["category"].tolist() == ["unchanged"]
    assert loose["category"].tolist() == ["recovered"]


def test_returns_missing_flags_and_keeps_series_index():
    pre = pd.Series([20.0, np.nan], index=["a", "b"])
    table = clinical_significance(pre, [8, 8], cutoff=10, **JT)
    assert list(table.index) == ["a", "b"]
    assert table["dysfunctional_pre"].isna().tolist() == [False, True]
    assert table["category"].tolist() == ["recovered", "missing"]


def test_clinical_significance_passes_method_parameters_and_checks_them():
    with pytest.raises(ParameterError, match="GLN needs m_pre"):
        clinical_significance([20], [8], cutoff=10, method="GLN", **JT)
    with pytest.raises(ParameterError, match="cutoff"):
        clinical_significance([20], [8], cutoff=float("nan"), **JT)
