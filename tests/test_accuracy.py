"""Tests for iaptlab.accuracy.

Expected values are worked by hand in the comments; kappa's standard error is checked both against
a scalar hand computation of the Fleiss–Cohen–Everitt formula and against the spread of kappa over
simulated tables (an independent check of the formula itself).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from iaptlab.accuracy import (
    agreement,
    predictive_values,
    published,
    published_accuracy,
    wilson_interval,
)
from iaptlab.errors import InputError, ParameterError


def from_counts(tp: int, fp: int, fn: int, tn: int) -> tuple[list[bool], list[bool]]:
    """Build (test, reference) lists holding exactly the given 2×2 counts."""
    test = [True] * (tp + fp) + [False] * (fn + tn)
    reference = [True] * tp + [False] * fp + [True] * fn + [False] * tn
    return test, reference


# table used below: tp 40, fp 10, fn 5, tn 45 (n = 100)
TABLE = from_counts(40, 10, 5, 45)


def test_two_by_two_by_hand():
    result = agreement(*TABLE)
    assert (result.tp, result.fp, result.fn, result.tn, result.n) == (40, 10, 5, 45, 100)
    assert result.sensitivity == pytest.approx(40 / 45)
    assert result.specificity == pytest.approx(45 / 55)
    assert result.ppv == pytest.approx(40 / 50)
    assert result.npv == pytest.approx(45 / 50)
    assert result.accuracy == pytest.approx(0.85)
    assert result.prevalence == pytest.approx(0.45)
    assert result.n_excluded == 0


def test_kappa_and_its_standard_error_by_hand():
    # p11 .40, p12 .10, p21 .05, p22 .45; test margins .50/.50, reference margins .45/.55
    # po = .85; pe = .5*.45 + .5*.55 = .5; kappa = (.85 - .5) / .5 = .7
    # A = .40 (1 - (.50+.45)(.3))^2 + .45 (1 - (.50+.55)(.3))^2 = .40*.715^2 + .45*.685^2 = .41564125
    # B = .3^2 [.10 (.45 + .50)^2 + .05 (.55 + .50)^2] = .09 * .145375 = .01308375
    # C = (.7 - .5*.3)^2 = .3025;  Var = (A + B - C) / (100 * .5^2) = .126225 / 25 = .005049
    result = agreement(*TABLE)
    assert result.cohen_kappa == pytest.approx(0.7)
    assert result.kappa_se == pytest.approx(math.sqrt(0.005049))
    z = 1.959964
    assert result.kappa_ci_low == pytest.approx(0.7 - z * math.sqrt(0.005049), abs=1e-6)
    assert result.kappa_ci_high == pytest.approx(0.7 + z * math.sqrt(0.005049), abs=1e-6)
    # and close to the simple SE sqrt(po(1 - po) / (n (1 - pe)^2)) = sqrt(.1275 / 25) = .0714
    assert result.kappa_se == pytest.approx(0.0714, abs=0.002)


def test_kappa_se_matches_spread_of_simulated_kappas():
    rng = np.random.default_rng(20240611)
    # an asymmetric table (fp 25% vs fn 5%), where transposing the off-diagonal weights of the
    # formula would change the SE by about 14%
    cells = np.array([0.30, 0.25, 0.05, 0.40])
    n, draws = 400, 20_000
    counts = rng.multinomial(n, cells, size=draws) / n
    p11, p12, p21, p22 = counts.T
    p_o = p11 + p22
    p_e = (p11 + p12) * (p11 + p21) + (p21 + p22) * (p12 + p22)
    kappas = (p_o - p_e) / (1 - p_e)
    expected_table = from_counts(120, 100, 20, 160)  # the same cell proportions at n = 400
    assert agreement(*expected_table).kappa_se == pytest.approx(kappas.std(), rel=0.04)


def test_missing_on_either_side_is_excluded_and_counted():
    test = [True, None, True, np.nan, False]
    reference = [True, True, pd.NA, False, False]
    result = agreement(test, reference)
    assert (result.tp, result.fp, result.fn, result.tn) == (1, 0, 0, 1)
    assert result.n_excluded == 3


def test_accepts_pandas_nullable_boolean_and_zero_one():
    test = pd.Series([True, False, pd.NA], dtype="boolean")
    result = agreement(test, np.array([1.0, 0.0, 1.0]))
    assert (result.tp, result.tn, result.n_excluded) == (1, 1, 1)


def test_all_test_positive():
    # tp 2, fp 2: sensitivity 1, specificity 0, npv 0/0 -> NaN; po = .5 = pe -> kappa 0
    result = agreement([True] * 4, [True, True, False, False])
    assert result.sensitivity == 1 and result.specificity == 0 and result.ppv == 0.5
    assert math.isnan(result.npv)
    assert result.cohen_kappa == pytest.approx(0.0)


def test_no_reference_positives():
    result = agreement([True, False, False], [False, False, False])
    assert math.isnan(result.sensitivity)
    assert result.prevalence == 0
    assert result.specificity == pytest.approx(2 / 3)


def test_perfect_agreement_on_a_single_class_gives_nan_kappa():
    # pe = 1, so kappa = 0/0
    result = agreement([True, True], [True, True])
    assert math.isnan(result.cohen_kappa) and math.isnan(result.kappa_se)


def test_everything_missing_gives_nan_not_an_exception():
    result = agreement([None, None], [True, False])
    assert result.n == 0 and result.n_excluded == 2
    assert math.isnan(result.accuracy)


def test_table_for_display():
    table = agreement(*from_counts(3, 1, 2, 4)).table()
    assert table.loc["test +", "reference +"] == 3
    assert table.loc["test -", "reference -"] == 4
    assert table.loc["total", "total"] == 10
    assert table.loc["total", "reference +"] == 5


def test_bad_values_name_row_and_column():
    with pytest.raises(InputError, match=r"row 3, column reference"):
        agreement([True, True], [True, "yes"])
    with pytest.raises(InputError, match=r"row 2, column test"):
        agreement([2, True], [True, True])
    with pytest.raises(InputError, match="reference"):
        agreement([True, True], [True])
    with pytest.raises(ParameterError, match="confidence"):
        agreement([True], [True], confidence=95)


# ---------------------------------------------------------------- predictive values


def test_predictive_values_by_hand():
    # se .88, sp .85, p .10: PPV = .088 / (.088 + .15*.9) = .088 / .223 = .39462
    # NPV = .85*.9 / (.765 + .12*.1) = .765 / .777 = .98456
    table = predictive_values(0.88, 0.85, [0.10])
    assert table["ppv"].iloc[0] == pytest.approx(0.088 / 0.223)
    assert table["npv"].iloc[0] == pytest.approx(0.765 / 0.777)
    assert list(table.columns) == ["prevalence", "ppv", "npv"]


def test_predictive_values_agree_with_a_table():
    result = agreement(*TABLE)
    implied = predictive_values(result.sensitivity, result.specificity, result.prevalence)
    assert implied["ppv"].iloc[0] == pytest.approx(result.ppv)
    assert implied["npv"].iloc[0] == pytest.approx(result.npv)


def test_predictive_values_zero_denominators_are_nan():
    # specificity 1 and prevalence 0: no positives at all -> PPV 0/0
    table = predictive_values(0.9, 1.0, [0.0, 1.0])
    assert math.isnan(table["ppv"].iloc[0])
    assert table["ppv"].iloc[1] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(sensitivity=1.2, specificity=0.8, prevalence=0.1), "sensitivity"),
        (dict(sensitivity=0.8, specificity=-0.1, prevalence=0.1), "specificity"),
        (dict(sensitivity=0.8, specificity=0.8, prevalence=[0.1, 1.5]), "prevalence"),
        (dict(sensitivity=0.8, specificity=0.8, prevalence="high"), "prevalence"),
    ],
)
def test_predictive_values_bad_parameters(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        predictive_values(**kwargs)


unit = st.floats(0.01, 0.99)


@settings(max_examples=100, deadline=None)
@given(se=unit, sp=unit, p1=unit, p2=unit)
def test_ppv_rises_and_npv_falls_with_prevalence(se, sp, p1, p2):
    assume(abs(p1 - p2) > 1e-9)
    low, high = sorted([p1, p2])
    table = predictive_values(se, sp, [low, high])
    assert table["ppv"].iloc[1] >= table["ppv"].iloc[0] - 1e-12
    assert table["npv"].iloc[1] <= table["npv"].iloc[0] + 1e-12


# ---------------------------------------------------------------- published figures


def test_published_figures_are_the_confirmed_rows_of_the_dataset():
    # typed in from the abstracts (sources in data/sources.toml), all confirmed [C]
    expected = {
        "levis_2019_phq9_10": (10, 0.88, 0.85),
        "kroenke_2001_phq9_10": (10, 0.88, 0.88),
        "spitzer_2006_gad7_10": (10, 0.89, 0.82),
        "plummer_2016_gad7_8": (8, 0.83, 0.84),
        "arroll_2010_phq9_10": (10, 0.74, 0.91),
        "negeri_2021_phq9_10": (10, 0.85, 0.85),
    }
    figures = published_accuracy()
    assert set(expected) <= set(figures)
    for name, (cutoff, sensitivity, specificity) in expected.items():
        figure = published(name)
        assert (figure.cutoff, figure.sensitivity, figure.specificity) == (
            cutoff, sensitivity, specificity)
        assert figure.source == name.rsplit("_", 2)[0]
    assert published("LEVIS_2019_PHQ9_10").sensitivity_ci == (0.83, 0.92)
    assert published("kroenke_2001_phq9_10").sensitivity_ci is None


def test_published_leaves_out_secondary_rows_and_rows_without_a_pooled_value():
    from iaptlab import datasets

    rows = datasets.load("instrument_accuracy")
    usable = rows[(rows["confidence"] == "C") & rows["sensitivity_pct"].notna()]
    assert len(published_accuracy()) == len(usable) < len(rows)
    assert all(figure.source in datasets.sources() for figure in published_accuracy().values())


def test_published_unknown_name():
    with pytest.raises(ParameterError, match="name"):
        published("made_up_2020")


def test_wilson_interval_by_hand():
    # 9 of 90 at 95%: centre (0.1 + z**2/180) / (1 + z**2/90), z the 97.5th normal percentile
    low, high = wilson_interval(9, 90)
    z = 1.959963984540054
    centre = (0.1 + z * z / 180) / (1 + z * z / 90)
    half = z / (1 + z * z / 90) * math.sqrt(0.1 * 0.9 / 90 + z * z / (4 * 90 * 90))
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-15)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    wide, narrow = wilson_interval(9, 90, confidence=0.99), wilson_interval(9, 90, confidence=0.9)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


@pytest.mark.parametrize(("successes", "k", "confidence"), [(1, 0, 0.95), (-1, 10, 0.95),
                                                            (11, 10, 0.95), (1, 10, 1.0)])
def test_wilson_interval_refuses_impossible_counts(successes, k, confidence):
    with pytest.raises(ParameterError):
        wilson_interval(successes, k, confidence=confidence)
