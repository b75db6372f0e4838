"""Lesson 01 (the measures): the measurement-error explorer, its helpers and the exercise answers.

Expected values are worked out by hand in the comments (SEM = SD·√(1 − r), band = true ± 1.96 SEM,
reliable change = 1.96·√2·SEM) or worked by hand from Jacobson & Truax's formula (jacobson_truax_1991: 5.52 and 3.92),
never copied from the code under test. The exercise answers are recomputed from the notebook's own
fictional clients, read out of the notebook file so test and lesson cannot drift apart.
"""

from __future__ import annotations

import json
import math
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import datasets, measurement_error, widgets
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import measurement_error as me
from iaptlab.lesson_cohort import lesson_cohort

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_the_measures.ipynb"
RANGES = {"PHQ-9": (0, 27), "GAD-7": (0, 21)}


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return measurement_error.first_score_counts(lesson_cohort(3_000, 7))


# ---------------------------------------------------------------- the explorer over its sweep


@pytest.mark.parametrize("params", list(widgets.sweep(me.CONTROLS)), ids=str)
def test_sweep_gives_sane_outputs(counts, params):
    result = me.compute(counts, **params)
    table = result.table.set_index("quantity")["value"]
    low, high = RANGES[params["instrument"]]
    band_low, band_high = table.iloc[1], table.iloc[2]
    assert low <= band_low <= band_high <= high
    proportions = result.table[result.table["unit"] == "proportion"]["value"]
    assert ((proportions >= 0) & (proportions <= 1)).all()
    assert table.iloc[0] > 0 and table.iloc[3] > table.iloc[0]  # SEM > 0; RC = 2.77 SEM > SEM
    description = result.chart.to_dict()["description"]
    assert params["instrument"] in description and "caseness" in description
    # the sentence states the table's numbers as the table rounds them
    sem = table.iloc[0]
    for shown in (f"SEM {sem:.2f}", f"from {band_low:.1f} to {band_high:.1f}",
                  f"smaller than {table.iloc[3]:.1f} points"):
        assert shown in result.sentence
    assert "%" in result.sentence


def test_every_control_is_labelled_in_words():
    for control in me.CONTROLS:
        assert control.label != control.name and control.label[0].isupper()


def test_default_reproduces_the_dossier_example(counts):
    # worked by hand (jacobson_truax_1991): SD 6, r .89 -> SEM 1.99, threshold 5.52 (rounds to IAPT's 6)
    result = me.compute(counts)
    values = result.table["value"].tolist()
    assert values[0] == pytest.approx(1.99, abs=0.005)
    assert values[3] == pytest.approx(5.5, abs=0.05)
    assert values[4] == 6  # IAPT's PHQ-9 threshold (NHS Digital guide v2.1)
    # band 12 ± 1.96 × 1.98997 = 12 ± 3.90 -> 8.1 to 15.9
    assert (values[1], values[2]) == (8.1, 15.9)
    assert "true PHQ-9 score is 12" in result.sentence and "IAPT uses 6" in result.sentence


def test_gad7_example_and_iapt_threshold(counts):
    # worked by hand (jacobson_truax_1991): SD 5, r .92 -> 3.92 points; IAPT's GAD-7 threshold is 4
    result = me.compute(counts, instrument="GAD-7", sd=5.0, reliability=0.92)
    values = result.table["value"].tolist()
    assert values[3] == pytest.approx(3.9, abs=0.05)
    assert result.extra["row"]["reliable_change"] == pytest.approx(3.92, abs=0.005)
    assert values[4] == 4


def test_true_score_beyond_gad7_range_is_clipped_and_said(counts):
    result = me.compute(counts, instrument="GAD-7", true_score=27)
    assert "outside GAD-7's range, so 21 is used" in result.sentence
    assert "cut off at the scale's ends (0 to 21)" in result.sentence
    assert result.table["value"].iloc[2] == 21


def test_band_clipped_at_zero_and_said(counts):
    result = me.compute(counts, true_score=0)
    assert result.table["value"].iloc[1] == 0
    assert "cut off at the scale's ends" in result.sentence
    unclipped = me.compute(counts, true_score=12)
    assert "cut off" not in unclipped.sentence


def test_rare_chances_are_not_called_impossible(counts):
    # true 0, SEM 1.99: reaching 9.5 is a 4.8-SEM event (p ~ 1e-6), so not "0%"
    assert "less than 1% chance" in me.compute(counts, true_score=0).sentence
    assert "more than 99% chance" in me.compute(counts, true_score=27).sentence


# ---------------------------------------------------------------- hand-checked helpers


def test_band_of_observed_scores_by_hand():
    # SD 5, r .84: SEM = 5 × 0.4 = 2; band 9 ± 3.92; RC = 1.96 × √2 × 2 = 5.5437
    row = measurement_error.band_of_observed_scores(9, reliability=0.84, sd=5)
    assert row["sem"] == pytest.approx(2.0)
    assert (row["band_low"], row["band_high"]) == pytest.approx((5.08, 12.92))
    assert row["reliable_change"] == pytest.approx(5.5437, abs=1e-4)
    assert row["clipped"] is False
    # score reaches 10 when 9 + e >= 9.5: P(Z >= 0.25) = 0.40129 (normal table)
    assert row["p_caseness"] == pytest.approx(0.40129, abs=1e-4)


@pytest.mark.parametrize(("instrument", "true_score"), [("PHQ-9", 9.5), ("GAD-7", 7.5)])
def test_half_a_point_below_caseness_is_a_coin_toss(instrument, true_score):
    row = measurement_error.band_of_observed_scores(true_score, reliability=0.9, sd=4, instrument=instrument)
    assert row["p_caseness"] == pytest.approx(0.5)


@pytest.mark.parametrize(("instrument", "at", "below"), [("PHQ-9", 10, 9), ("GAD-7", 8, 7)])
def test_caseness_edge_both_directions_with_tiny_error(instrument, at, below):
    # SD 2, r .9999: SEM 0.02, so a true score at the cut-off almost surely scores at it
    sharp = {"reliability": 0.9999, "sd": 2, "instrument": instrument}
    assert measurement_error.band_of_observed_scores(at, **sharp)["p_caseness"] > 0.999
    assert measurement_error.band_of_observed_scores(below, **sharp)["p_caseness"] < 0.001


def test_share_near_cutoff_edges():
    # SEM 50/49 makes 1.96·SEM exactly 2: near means 8 <= s < 12 (inclusive at 8, strict at 12)
    scores = pd.DataFrame({"instrument": "PHQ-9", "score": [7, 8, 11, 12], "count": [1, 10, 100, 1000]})
    assert measurement_error.share_near_cutoff(scores, "PHQ-9", 50 / 49) == (110, 1111)
    gad = pd.DataFrame({"instrument": "GAD-7", "score": [6, 9, 10], "count": [1, 2, 4]})
    assert measurement_error.share_near_cutoff(gad, "GAD-7", 50 / 49) == (3, 7)  # 6 and 9 within 2 of 8; 10 not


def test_first_score_counts_match_the_cohort():
    cohort = lesson_cohort(3_000, 7)
    counts = measurement_error.first_score_counts(cohort)
    for name, column in (("PHQ-9", "phq9_first"), ("GAD-7", "gad7_first")):
        rows = counts[counts["instrument"] == name]
        scores = cohort.table[column]
        assert rows["count"].sum() == scores.notna().sum()
        assert rows.loc[rows["score"] == 10, "count"].sum() == (scores == 10).sum()


@pytest.mark.parametrize("bad", [
    {"instrument": "SPIN"}, {"reliability": 1.0}, {"reliability": -0.1}, {"sd": 0},
    {"sd": float("inf")}, {"true_score": 28}, {"true_score": -1},
])
def test_bad_parameters_name_the_parameter(bad):
    params = {"true_score": 12, "reliability": 0.89, "sd": 6, "instrument": "PHQ-9", **bad}
    true_score = params.pop("true_score")
    with pytest.raises(ParameterError, match=next(iter(bad))):
        measurement_error.band_of_observed_scores(true_score, **params)


@given(true_score=st.integers(0, 27), low_r=st.floats(0.5, 0.98), gap=st.floats(0.005, 0.01),
       sd=st.floats(2, 10))
def test_higher_reliability_never_widens_the_band(true_score, low_r, gap, sd):
    noisy = measurement_error.band_of_observed_scores(true_score, reliability=low_r, sd=sd)
    sharp = measurement_error.band_of_observed_scores(true_score, reliability=low_r + gap, sd=sd)
    assert sharp["band_high"] - sharp["band_low"] <= noisy["band_high"] - noisy["band_low"] + 1e-12
    assert noisy["band_low"] <= true_score <= noisy["band_high"]
    assert noisy["reliable_change"] == pytest.approx(1.96 * math.sqrt(2) * noisy["sem"])


@given(score=st.floats(0, 26), step=st.floats(0.1, 1), r=st.floats(0.5, 0.99), sd=st.floats(2, 10))
def test_chance_of_caseness_rises_with_the_true_score(score, step, r, sd):
    lower = measurement_error.band_of_observed_scores(score, reliability=r, sd=sd)["p_caseness"]
    higher = measurement_error.band_of_observed_scores(min(27, score + step), reliability=r, sd=sd)["p_caseness"]
    assert 0 <= lower <= higher <= 1


# ---------------------------------------------------------------- exercise answers


def _fictional_clients() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the notebook's '# Fictional clients' cell to get the same answers the learners see."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells
                  if c["cell_type"] == "code" and "".join(c["source"]).startswith("# Fictional clients"))
    from iaptlab import scoring

    namespace: dict = {"pd": pd, "scoring": scoring}
    exec(source, namespace)  # noqa: S102 - our own notebook's data cell
    return namespace["phq9"], namespace["gad7"]


def test_exercise_answers_recomputed_independently():
    phq9, gad7 = _fictional_clients()
    phq9_total = phq9.sum(axis=1, skipna=False)  # plain sums: no iaptlab scoring involved
    gad7_total = gad7.sum(axis=1, skipna=False)
    assert check("01.score_by_hand", phq9_total["B"]).correct
    # Kroenke et al. (2001) bands, typed from the paper's cut points 5/10/15/20
    kroenke = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"),
               (20, 27, "severe")]
    band_b = next(label for lo, hi, label in kroenke if lo <= phq9_total["B"] <= hi)
    assert check("01.band_choice", band_b).correct
    assert not check("01.band_choice", "moderate").correct
    # IAPT caseness: PHQ-9 >= 10 or GAD-7 >= 8 (NaN compares False, so a blank total is not a case)
    cases = sorted(phq9_total.index[(phq9_total >= 10) | (gad7_total >= 8)])
    assert check("01.caseness_set", cases).correct
    assert not check("01.caseness_set", [c for c in cases if c != "C"]).correct  # GAD-7 exactly 8
    # REEACT-2: one blank replaced by the mean of the other eight
    answered = phq9.loc["C"].dropna()
    assert len(answered) == 8
    assert check("01.prorated_total", answered.sum() * 9 / 8).correct
    assert check("01.prorated_total", math.floor(answered.sum() * 9 / 8 + 0.5)).correct
    assert not check("01.prorated_total", answered.sum()).correct
    assert check("01.rc_threshold_gad7", 1.96 * math.sqrt(2) * 5 * math.sqrt(0.08)).correct
    assert not check("01.rc_threshold_gad7", 4).correct
    change = datasets.load("meaningful_change")
    bischoff = float(change.loc[change["source"] == "bischoff_2020", "reduction"].iloc[0])
    drop = 15 - 10
    verdict = {(True, False): "IAPT only", (True, True): "both"}[(drop >= 4, drop >= bischoff)]
    assert check("01.bischoff_drop", verdict).correct
    assert not check("01.bischoff_drop", "both").correct


def test_fictional_clients_cover_the_lesson_cases():
    phq9, gad7 = _fictional_clients()
    assert phq9.isna().sum(axis=1).tolist().count(1) == 1  # exactly one client with one blank
    assert (phq9["phq9_9"] > 0).sum() == 1  # one item-9 flag
    assert set(np.unique(gad7.sum(axis=1))) >= {7, 8}  # GAD-7 either side of caseness


def test_explorer_binding_is_pure():
    bound = partial(me.compute, measurement_error.first_score_counts(lesson_cohort(2_000)))
    first, second = bound(), bound()
    assert first.sentence == second.sentence
    pd.testing.assert_frame_equal(first.table, second.table)
