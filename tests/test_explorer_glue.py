"""What moved down from the explorers into the core (issue 14): each shown table and its wording.

The explorers' own outputs are checked at every control extreme by ``test_widgets_registry``;
these tests check the core functions directly, on hand-made inputs with known answers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.attrition import ESTIMATES, counted_table
from iaptlab.change_and_cost import shown_definition_table, staffing_model
from iaptlab.costs import SCOTT_ESTIMATE_LABEL, StaffingModel
from iaptlab.demand import BASELINE, SHOWN, WITH, demand_table
from iaptlab.measurement_error import band_of_observed_scores, band_table
from iaptlab.national import (
    OFFICIAL,
    STAGES,
    published_figures,
    stage_table,
    year_label,
    year_stages,
)
from iaptlab.predictive_values import PEOPLE, accuracy_table, natural_frequencies
from iaptlab.reconcile_gap import GROUP_WORDS, RATE_WORDS, gap_table
from iaptlab.regression_to_mean import GROUPS, SCENARIOS, scenario_table

FIGURES = published_figures()


# --- national: one year's chain as shown ---

def _chain(counts: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"measure": list(STAGES), "stage": list(STAGES.values()),
                         "count": np.array(counts, dtype=float),
                         "confidence": ["C"] * 5, "source": ["src"] * 5})


def test_stage_table_shares_are_recovered_over_each_stage():
    table = stage_table(_chain([1000, 800, 500, 400, 200]), OFFICIAL, (50.0, "C", "src"))
    shares = table["recovered as % of this stage"].tolist()
    assert shares == ["20.0%", "25.0%", "40.0%", "50.0%", "–", "50.0%"]
    assert table["number"].tolist()[:5] == ["1,000", "800", "500", "400", "200"]


def test_stage_table_never_estimates_a_stage_that_was_not_published():
    table = stage_table(_chain([1000, np.nan, np.nan, 400, 200]), "finished_course", (math.nan, "", ""))
    missing = table.iloc[[1, 2]]
    assert (missing["number"] == "not published").all()
    assert (missing["recovered as % of this stage"] == "cannot be worked out").all()
    assert (missing[["confidence", "source"]] == "–").all().all()
    assert table["recovered as % of this stage"].iloc[-1] == "not published"
    assert table["confidence"].iloc[-1] == "–"


@pytest.mark.parametrize("denominator", ["finished_at_caseness", "finished_course", "entered_treatment",
                                         "referrals_received"])
def test_stage_table_marks_only_the_chosen_denominator(denominator):
    table = stage_table(year_stages(FIGURES, "2016-17"), denominator, (49.3, "C", "x"))
    marked = table["stage"].str.endswith("← chosen denominator")
    assert marked.sum() == 1
    assert table.loc[marked, "stage"].iloc[0].startswith(STAGES[denominator])


def test_year_label_counts_the_published_stages():
    for year in ("2012-13", "2014-15", "2016-17"):
        published = int(year_stages(FIGURES, year)["count"].notna().sum())
        expected = "every stage" if published == len(STAGES) else f"{published} of {len(STAGES)} counts"
        assert year_label(FIGURES, year) == f"{year} ({expected} published)"


# --- reconcile_gap: the waterfall as shown ---

def test_gap_table_shows_rates_as_values_and_mechanisms_as_contributions():
    waterfall = pd.DataFrame({
        "component": ["recovered", "real change", "residual", "diagnosis_lost"],
        "kind": ["rate", "mechanism", "residual", "rate"],
        "value": [0.5, 0.9, 0.9, 0.1],
        "contribution": [np.nan, 0.3, 0.1, np.nan],
    })
    spread = pd.Series({"recovered": 0.44, "diagnosis_lost": 0.26})
    table = gap_table(waterfall, spread, label=str.upper)
    assert table["part"].tolist() == ["RECOVERED", "REAL CHANGE", "RESIDUAL", "DIAGNOSIS_LOST"]
    assert table["points"].tolist() == [50.0, 30.0, 10.0, 10.0]
    assert table["± between seeds"].iloc[0] == 0.4 and np.isnan(table["± between seeds"].iloc[1])
    assert table["what it stands for"].tolist() == [
        RATE_WORDS["recovered"], GROUP_WORDS["real change"], "gap left with every mechanism off",
        RATE_WORDS["diagnosis_lost"]]


# --- change_and_cost: whose staffing figures, and the table as shown ---

def test_staffing_model_names_scotts_estimate_only_at_his_figures():
    scott = StaffingModel()
    model, words = staffing_model(scott.staff, scott.cost_per_staff, scott.overhead_factor)
    assert model.label == SCOTT_ESTIMATE_LABEL and "not an official figure" in words
    assert model.annual_cost() == scott.annual_cost()


@pytest.mark.parametrize("change", [{"staff": 1}, {"cost_per_staff": -1}, {"overhead_factor": 0.05}])
def test_staffing_model_any_other_figure_is_the_users(change):
    scott = StaffingModel()
    values = {"staff": scott.staff, "cost_per_staff": scott.cost_per_staff,
              "overhead_factor": scott.overhead_factor}
    values = {k: v + change.get(k, 0) for k, v in values.items()}
    model, words = staffing_model(**values)
    assert model.label != SCOTT_ESTIMATE_LABEL and words.startswith("your assumptions")
    assert model.annual_cost() == pytest.approx(
        values["staff"] * values["cost_per_staff"] * values["overhead_factor"])


def test_shown_definition_table_names_columns_for_the_baseline_and_shows_percentages():
    table = pd.DataFrame({
        "definition": ["A", "B"], "key": ["a", "b"], "end at or below": [9, 7],
        "counted at baseline": [3, 0], "finishers at baseline": [1234, 1234],
        "share at baseline": [3 / 1234, 0.0], "counted in cohort": [10, 0],
        "share of cohort finishers": [0.12345, np.nan], "national-scale count (x)": [100, 0],
        "cost per outcome (£)": [1234.56, np.inf]})
    shown = shown_definition_table(table, 15)
    assert "key" not in shown and "finishers at baseline" not in shown
    assert "counted, of 1,234 who started at 15" in shown and "start 15: end at or below" in shown
    assert shown["% of cohort finishers"].iloc[0] == 12.3 and np.isnan(shown["% of cohort finishers"].iloc[1])
    assert shown["% of those who started at 15"].iloc[0] == round(300 / 1234, 1)
    assert shown["cost per outcome (£)"].tolist() == [1235.0, np.inf]


# --- demand, regression to the mean, attrition: tidy rates as shown ---

def test_demand_table_change_adds_up_as_displayed():
    rows = [(o, g, n, d) for o in SHOWN for g, n, d in ((BASELINE, 333, 1000), (WITH, 3335, 10000))]
    tidy = pd.DataFrame(rows, columns=["outcome", "group", "numerator", "denominator"])
    tidy["rate"] = tidy["numerator"] / tidy["denominator"]
    table = demand_table(tidy)
    assert table["outcome"].tolist() == list(SHOWN.values())
    assert (table["change (percentage points)"]
            == (table["with demand (%)"] - table["baseline: no demand (%)"]).round(1)).all()
    assert table["with demand: people"].iloc[0] == "3,335 of 10,000"


def test_scenario_table_orders_scenarios_and_keeps_empty_rates_missing():
    rows = [(s, g, n, d) for s in reversed(list(SCENARIOS)) for g, n, d in zip(GROUPS, (5, 0), (1500, 0), strict=True)]
    tidy = pd.DataFrame(rows, columns=["scenario", "group", "numerator", "denominator"])
    with np.errstate(invalid="ignore"):
        tidy["rate"] = tidy["numerator"] / tidy["denominator"]
    table = scenario_table(tidy)
    assert table["scenario"].tolist() == list(SCENARIOS.values())
    assert table["questionnaire: recovered"].tolist() == ["5 of 1,500"] * 3
    assert table["questionnaire (%)"].tolist() == [0.3] * 3
    assert table["error-free (%)"].isna().all()


@given(st.lists(st.integers(0, 2000), min_size=len(ESTIMATES), max_size=len(ESTIMATES)))
@settings(max_examples=30, deadline=None)
def test_counted_table_measures_from_the_truth_the_last_row(numerators):
    tidy = pd.DataFrame({"label": list(ESTIMATES.values()), "numerator": numerators, "denominator": 2000})
    tidy["rate"] = tidy["numerator"] / tidy["denominator"]
    table = counted_table(tidy)
    assert table["minus the truth (points)"].iloc[-1] == 0
    assert (table["minus the truth (points)"]
            == (table["recovered (%)"] - table["recovered (%)"].iloc[-1]).round(1)).all()
    assert table["people"].iloc[0] == f"{numerators[0]:,} of 2,000"


# --- predictive values and measurement error ---

def test_accuracy_table_rounds_percentages_and_keeps_whole_people():
    counts = natural_frequencies(0.885, 0.845, 0.2)
    table = accuracy_table(0.885, 0.845, 20, 0.5949, 0.9651, counts).set_index("quantity")["value"]
    assert table["sensitivity (%)"] == round(88.5) and table["specificity (%)"] == round(84.5)
    assert table["right when it says 'case' (PPV, %)"] == 59
    assert table[f"false alarms, per {PEOPLE:,}"] == counts["false_positive"]


@pytest.mark.parametrize(("near", "scored", "share"), [(0, 10, 0.0), (10, 10, 1.0), (1, 3, 0.33)])
def test_band_table_share_near_the_cutoff(near, scored, share):
    table = band_table(band_of_observed_scores(12, reliability=0.89, sd=6), "PHQ-9", near, scored)
    assert table["value"].iloc[-1] == share


def test_band_table_has_no_share_when_no_one_was_scored():
    table = band_table(band_of_observed_scores(12, reliability=0.89, sd=6), "GAD-7", 0, 0)
    assert np.isnan(table["value"].iloc[-1])
    assert "GAD-7" in table["quantity"].iloc[4]
