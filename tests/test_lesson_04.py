"""Lesson 04: the predictive-value explorer, the agreement logic and the exercise answers.

Expected values are computed by hand in each test (the arithmetic is in the comments) or read
straight from the bundled CSV, never copied from the code under test.
"""

from __future__ import annotations

import csv
import math
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import instruments, predictive_values
from iaptlab.charts import lessons as lesson_charts
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import REGISTRY
from iaptlab.explorers import predictive_values as pv
from iaptlab.widgets import defaults, sweep


def _csv_rows() -> list[dict[str, str]]:
    text = (files("iaptlab.data") / "instrument_accuracy.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


# ---------------------------------------------------------------- published studies


def test_published_studies_are_the_confirmed_rows_with_both_values():
    rows = [r for r in _csv_rows() if r["confidence"] == "C" and r["sensitivity_pct"]
            and r["specificity_pct"] and r["cut_off"]]
    studies = predictive_values.published_studies()
    assert len(studies) == len(rows)
    assert studies["key"].is_unique
    # The secondary conventional meta-analysis (78% / 87%) must not be offered as fact.
    secondary = [r for r in _csv_rows() if r["confidence"] == "S"]
    assert secondary and not any(
        ((studies["sensitivity"] == float(r["sensitivity_pct"]) / 100)
         & (studies["specificity"] == float(r["specificity_pct"]) / 100)).any() for r in secondary)
    for r in rows:  # every confirmed row appears with its own values as proportions
        match = studies[(studies["source"] == r["source"]) & (studies["instrument"] == r["instrument"])
                        & (studies["cut_off"] == int(r["cut_off"]))]
        assert len(match) == 1
        assert match["sensitivity"].iloc[0] == pytest.approx(float(r["sensitivity_pct"]) / 100)
        assert match["specificity"].iloc[0] == pytest.approx(float(r["specificity_pct"]) / 100)


def test_every_control_is_labelled_and_offers_every_study():
    assert all(c.label.strip() for c in pv.CONTROLS)
    study = next(c for c in pv.CONTROLS if c.name == "study")
    offered = {value for value, _ in study.options}
    assert offered == set(predictive_values.published_studies()["key"]) | {pv.OWN_VALUES}
    assert all(label.strip() for _, label in study.options)


# ---------------------------------------------------------------- natural frequencies


def test_natural_frequencies_by_hand():
    # 1,000 people, 20% prevalence: 200 cases; 200 x 0.88 = 176 found, 24 missed;
    # 800 non-cases x 0.15 = 120 false alarms, 680 correctly cleared.
    assert predictive_values.natural_frequencies(0.88, 0.85, 0.20) == {
        "cases": 200, "true_positive": 176, "false_negative": 24, "false_positive": 120,
        "true_negative": 680}


@pytest.mark.parametrize("prevalence, cases", [(0.0, 0), (1.0, 1000)])
def test_natural_frequencies_at_prevalence_extremes(prevalence, cases):
    counts = predictive_values.natural_frequencies(0.9, 0.8, prevalence)
    assert counts["cases"] == cases
    assert counts["true_positive"] + counts["false_negative"] == cases
    assert counts["false_positive"] + counts["true_negative"] == 1000 - cases


@pytest.mark.parametrize("bad", [{"sensitivity": 1.1}, {"specificity": -0.1}, {"prevalence": 2}])
def test_natural_frequencies_reject_impossible_proportions(bad):
    args = {"sensitivity": 0.9, "specificity": 0.8, "prevalence": 0.2} | bad
    with pytest.raises(ParameterError, match=next(iter(bad))):
        predictive_values.natural_frequencies(**args)


proportions = st.floats(0, 1, allow_nan=False)


@given(proportions, proportions, proportions, st.integers(1, 100_000))
def test_natural_frequencies_always_add_up(sensitivity, specificity, prevalence, people):
    counts = predictive_values.natural_frequencies(sensitivity, specificity, prevalence, people)
    cells = [counts[k] for k in ("true_positive", "false_negative", "false_positive", "true_negative")]
    assert all(c >= 0 for c in cells)
    assert sum(cells) == people


# ---------------------------------------------------------------- explorer


def _spoken(rounded_percent: int, exact: float) -> str:
    """How the sentence should say a rounded percentage: never a rounded 0 or 100 as certain."""
    if exact in (0.0, 1.0):
        return str(rounded_percent)
    return {0: "fewer than 1", 100: "more than 99"}.get(rounded_percent, f"about {rounded_percent}")


def test_sweep_over_every_control_gives_sane_results():
    compute = REGISTRY["04.predictive_values"].bound()
    settings = list(sweep(pv.CONTROLS))
    assert len(settings) >= len(predictive_values.published_studies()) + 1 + 2 * 3
    for params in settings:
        result = compute(**params)
        assert 0 <= result.extra["ppv"] <= 1 and 0 <= result.extra["npv"] <= 1
        description = result.chart.to_dict()["description"]
        assert "Predictive values against prevalence" in description
        values = dict(zip(result.table["quantity"], result.table["value"], strict=True))
        ppv = values["right when it says 'case' (PPV, %)"]
        npv = values["right when it says 'not a case' (NPV, %)"]
        spoken = [_spoken(value, result.extra[key]) for value, key in ((ppv, "ppv"), (npv, "npv"))]
        assert (f"is right {spoken[0]} times in 100 when it says 'case' and {spoken[1]} times in 100 "
                f"when it says 'not a case'") in result.sentence
        assert f"If {params['prevalence_pct']} in 100 people" in result.sentence
        for key in ("cases found, per 1,000", "cases missed, per 1,000", "false alarms, per 1,000"):
            assert str(values[key]) in result.sentence
        rows = sum(len(d) for d in result.chart.to_dict()["datasets"].values())
        assert rows <= 5_000  # small, aggregated data only (Altair's limit)


def test_default_matches_a_hand_calculation():
    # Levis 2019, PHQ-9 >= 10 vs semi-structured interviews: sensitivity .88, specificity .85.
    # Prevalence 20%: PPV = .176 / (.176 + .12) = 0.5946; NPV = .68 / (.68 + .024) = 0.9659.
    result = REGISTRY["04.predictive_values"].bound()(**defaults(pv.CONTROLS))
    assert result.extra["ppv"] == pytest.approx(0.176 / 0.296)
    assert result.extra["npv"] == pytest.approx(0.68 / 0.704)
    assert "right about 59 times in 100" in result.sentence
    assert "and about 97 times in 100 when it says 'not a case'" in result.sentence


def test_rounded_extremes_are_not_spoken_as_certainties():
    # prevalence 1%, Levis: NPV = .99 x .85 / (.99 x .85 + .01 x .12) = 0.9986 -> not "100"
    result = REGISTRY["04.predictive_values"].bound()(prevalence_pct=1)
    assert "more than 99 times in 100 when it says 'not a case'" in result.sentence
    assert predictive_values.times_in_100(1.0) == "100" and predictive_values.times_in_100(0.0) == "0"
    assert "major depression" in result.sentence and "PHQ-9 score of 10 or more" in result.sentence


def test_own_values_use_the_sliders_and_other_studies_ignore_them():
    compute = REGISTRY["04.predictive_values"].bound()
    own = compute(study=pv.OWN_VALUES, prevalence_pct=50, own_sensitivity_pct=70,
                  own_specificity_pct=90)
    # prevalence 50%: PPV = .35 / (.35 + .05) = .875; NPV = .45 / (.45 + .15) = .75
    assert own.extra["ppv"] == pytest.approx(0.875) and own.extra["npv"] == pytest.approx(0.75)
    ignored = compute(prevalence_pct=50, own_sensitivity_pct=70, own_specificity_pct=90)
    assert ignored.extra["sensitivity"] == pytest.approx(0.88)


@pytest.mark.parametrize("sensitivity, specificity, which", [(100, 80, "npv"), (80, 100, "ppv")])
def test_a_perfect_side_makes_its_predictive_value_one(sensitivity, specificity, which):
    result = REGISTRY["04.predictive_values"].bound()(study=pv.OWN_VALUES, prevalence_pct=90, own_sensitivity_pct=sensitivity,
                           own_specificity_pct=specificity)
    assert result.extra[which] == pytest.approx(1.0)


def test_ppv_rises_and_npv_falls_with_prevalence():
    compute = REGISTRY["04.predictive_values"].bound()
    results = [compute(prevalence_pct=p) for p in (1, 10, 50, 90)]
    ppvs, npvs = [r.extra["ppv"] for r in results], [r.extra["npv"] for r in results]
    assert ppvs == sorted(ppvs) and npvs == sorted(npvs, reverse=True)


def test_unknown_study_is_a_parameter_error():
    with pytest.raises(ParameterError, match="study must be one of"):
        REGISTRY["04.predictive_values"].bound()(study="nobody_1999")


# ---------------------------------------------------------------- agreement at the end


def _flags(**columns) -> pd.DataFrame:
    base = {"finished": [True] * 6, "paired": [True] * 6}
    return pd.DataFrame(base | columns)


def test_agreement_at_end_counts_only_finished_and_paired():
    flags = _flags(caseness_last=[True, True, False, False, True, True],
                   diagnosis_last=pd.array([True, False, True, False, True, True], dtype="boolean"))
    flags.loc[4, "finished"] = False  # left out
    flags.loc[5, "paired"] = False  # left out
    result = predictive_values.agreement_at_end(flags)
    # used rows 0-3: (T,T) tp, (T,F) fp, (F,T) fn, (F,F) tn
    assert (result.tp, result.fp, result.fn, result.tn) == (1, 1, 1, 1)
    assert result.sensitivity == 0.5 and result.specificity == 0.5


def test_agreement_at_end_reads_a_float_true_state_and_skips_missing():
    flags = _flags(caseness_last=[True, True, True, False, False, False],
                   true_diagnosis_last=[1.0, 1.0, 0.0, 0.0, 0.0, np.nan])
    result = predictive_values.agreement_at_end(flags, reference="true_diagnosis_last")
    # tp 2 (rows 0, 1), fp 1 (row 2), tn 2 (rows 3, 4), row 5 missing
    assert (result.tp, result.fp, result.fn, result.tn, result.n_excluded) == (2, 1, 0, 2, 1)


def test_agreement_at_end_names_a_missing_column():
    with pytest.raises(ParameterError, match="diagnosis_last"):
        predictive_values.agreement_at_end(_flags(caseness_last=[True] * 6))


def test_agreement_summary_in_percent_and_kappa_by_hand():
    from iaptlab.accuracy import agreement

    # tp 8, fp 2, fn 2, tn 8: sensitivity .8; po = .8, pe = .5, kappa = (.8 - .5) / .5 = .6
    test = [1] * 8 + [1] * 2 + [0] * 2 + [0] * 8
    reference = [1] * 8 + [0] * 2 + [1] * 2 + [0] * 8
    summary = predictive_values.agreement_summary(agreement(test, reference)).set_index("statistic")["value"]
    assert summary["sensitivity (%)"] == 80.0
    assert summary["Cohen's kappa"] == pytest.approx(0.6)
    # Fleiss-Cohen-Everitt SE by hand: p = [[.4, .1], [.1, .4]], margins .5, pe = .5, k = .6;
    # diagonal 2 x .4 x (1 - 1 x .4)^2 = .288; off-diagonal .4^2 x 2 x .1 x 1^2 = .032;
    # minus (.6 - .5 x .4)^2 = .16; var = .16 / (20 x .25) = .032; CI = .6 -/+ 1.96 x .1789
    se = math.sqrt(0.032)
    assert summary["kappa 95% CI, low"] == round(0.6 - 1.959964 * se, 3)  # 0.249, not 0.2
    assert summary["kappa 95% CI, high"] == round(0.6 + 1.959964 * se, 3)


# ---------------------------------------------------------------- observer bias


def test_observer_bias_table_splits_within_and_between_trial_designs():
    table = predictive_values.observer_bias_table()
    text = (files("iaptlab.data") / "assessment_bias.csv").read_text(encoding="utf-8")
    rors = [r for r in csv.DictReader(text.splitlines()) if r["effect_measure"] == "ratio of odds ratios"]
    assert len(table) == len(rors)
    within = table[table["design"].str.startswith("within")]
    between = table[table["design"].str.startswith("between")]
    assert within["source"].tolist() == ["hrobjartsson_2012"]
    assert set(between["source"]) == {"moustgaard_2020"}
    # the lesson's claim: the within-trial interval excludes 1, the between-trial ones include it
    assert (within["ci_high"] < 1).all()
    assert ((between["ci_low"] < 1) & (between["ci_high"] > 1)).all()


def test_observer_bias_chart_describes_every_estimate():
    description = lesson_charts.observer_bias_chart().to_dict()["description"]
    assert "0.64 (0.43 to 0.96)" in description and "1.01 (0.84 to 1.19)" in description


# ---------------------------------------------------------------- exercises


def test_sensitivity_by_hand_answer():
    # notebook table: questionnaire + & interview + = 12, questionnaire - & interview + = 8
    assert check("04.sensitivity_by_hand", 100 * 12 / (12 + 8))
    assert check("04.sensitivity_by_hand", "60%")
    assert not check("04.sensitivity_by_hand", 12 / (12 + 8))  # a proportion, not a percentage
    assert not check("04.sensitivity_by_hand", 100 * 24 / (24 + 6))  # that is the specificity
    assert not check("04.sensitivity_by_hand", 100 * 12 / (12 + 6))  # that is the PPV


def test_ppv_answer_from_plummer_row_by_bayes():
    row = next(r for r in _csv_rows() if r["source"] == "plummer_2016" and r["instrument"] == "GAD-7")
    se, sp = float(row["sensitivity_pct"]) / 100, float(row["specificity_pct"]) / 100
    true_positive, false_positive = 1000 * 0.10 * se, 1000 * 0.90 * (1 - sp)
    expected = true_positive / (true_positive + false_positive)
    assert math.isclose(expected, 83 / 227)  # 83 found vs 144 false alarms
    assert check("04.ppv_gad7_at_10pct", 100 * expected)
    assert check("04.ppv_gad7_at_10pct", f"{100 * expected:.1f}%")
    assert not check("04.ppv_gad7_at_10pct", se)  # confusing PPV with sensitivity
    assert not check("04.ppv_gad7_at_10pct", 0.10)


def test_kappa_answer():
    assert check("04.kappa_meaning", "b") and check("04.kappa_meaning", " (B) ")
    assert not any(check("04.kappa_meaning", wrong) for wrong in ("a", "c", "d"))


def test_mr_x_answer_in_any_order_and_spelling():
    assert check("04.mr_x_missed", {"ptsd", "fire_phobia", "binge_eating"})
    assert check("04.mr_x_missed", "binge_eating, PTSD, fire_phobia")
    assert check("04.mr_x_missed", ["ptsd", "phobia", "binge eating"])
    assert not check("04.mr_x_missed", {"ptsd", "fire_phobia"})
    assert not check("04.mr_x_missed", {"depression", "ptsd", "fire_phobia", "binge_eating"})


@pytest.mark.parametrize("score, expected", [(31, False), (32, True), (33, True)])
def test_pcl5_caseness_edge(score, expected):
    # The official table prints ">= 32" for the PCL-5 (nhsd_guide_v21).
    assert instruments.PCL5.caseness == 32 and instruments.PCL5.caseness_comparison == ">="
    met = score >= 32
    assert met is expected


def test_mr_x_recovered_by_measure_from_the_rule_by_hand():
    # Last scores PHQ-9 8, GAD-7 6, PCL-5 33. Recovered = both last scores below caseness:
    # PHQ-9 8 < 10 and GAD-7 6 < 8 (below) -> recovered with the GAD-7; PCL-5 33 >= 32 (a case)
    # -> not recovered with the PCL-5. The thresholds come from the instrument table.
    below_phq9 = 8 < instruments.PHQ9.caseness
    below_gad7 = 6 < instruments.GAD7.caseness
    below_pcl5 = not 33 >= instruments.PCL5.caseness
    assert (below_phq9 and below_gad7, below_phq9 and below_pcl5) == (True, False)
    assert check("04.mr_x_recovered_by_measure", "gad7_only").correct
    for wrong in ("both", "pcl5_only", "neither"):
        assert not check("04.mr_x_recovered_by_measure", wrong).correct
    # at the PCL-5's edge: 31 would have made him recovered both ways
    assert not 31 >= instruments.PCL5.caseness


@pytest.mark.parametrize("sensitivity, specificity", [(0.74, 0.91), (1.0, 0.5)])
def test_chart_draws_the_curves_and_marks_the_values_it_states(sensitivity, specificity):
    # The curves are PPV and NPV from accuracy.predictive_values over the grid; the two marked
    # values are the explorer's own PPV and NPV at the chosen prevalence (its table's numbers).
    from iaptlab.accuracy import predictive_values

    result = REGISTRY["04.predictive_values"].bound()(study=pv.OWN_VALUES, prevalence_pct=30,
                           own_sensitivity_pct=round(100 * sensitivity),
                           own_specificity_pct=round(100 * specificity))
    rows = pd.DataFrame(next(iter(result.chart.to_dict()["datasets"].values())))
    curves = rows[rows["part"] == "curve"]
    expected = predictive_values(sensitivity, specificity, pv.PREVALENCE_GRID)
    ppv_curve = curves[curves["metric"].str.startswith("PPV")]
    np.testing.assert_allclose(ppv_curve["prevalence"], expected["prevalence"])
    np.testing.assert_allclose(ppv_curve["value"], expected["ppv"])
    marked = rows[rows["part"] == "value"]["value"]
    assert marked.tolist() == pytest.approx([result.extra["ppv"], result.extra["npv"]])


def test_chart_is_the_builder_refilled_not_a_private_copy():
    # The explorer calls charts.predictive_values_chart; a second call (refilled layout) gives
    # the same spec as a build from scratch after clearing the builder's layout cache.
    from iaptlab.charts import measurement

    compute = REGISTRY["04.predictive_values"].bound()
    compute(prevalence_pct=10)
    refilled = compute(prevalence_pct=40).chart.to_dict()
    measurement._pv_layout.cache_clear()
    assert compute(prevalence_pct=40).chart.to_dict() == refilled
