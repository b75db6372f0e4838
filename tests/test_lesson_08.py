"""Lesson 08: the change-and-cost explorer, its definitions, and the lesson's exercise answers.

Expected values are worked by hand in comments (a nine-referral table built here), or computed
independently of the module: the 20% rule as 5 × drop ≥ first in integers, counts by a pandas
group-by on the raw cohort, costs from the ``claims`` and ``national_annual`` CSVs.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import change_and_cost, datasets
from iaptlab.charts import lessons as lesson_charts
from iaptlab.errors import InputError, ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import change_and_cost as cc
from iaptlab.lesson_cohort import lesson_cohort
from iaptlab.widgets import defaults, sweep

KEYS = ["reliable_change", "mcid_5", "percent_20", "below_caseness"]


def by_hand(first: int, last: int) -> set[str]:
    """The four rules typed in from the sources nhsd_guide_v21, lowe_2004 and kounali_2022, with no reference to the module."""
    drop = first - last
    met = {"reliable_change": drop >= 6, "mcid_5": drop >= 5, "percent_20": 5 * drop >= first,
           "below_caseness": first >= 10 and last <= 9}
    return {key for key, ok in met.items() if ok}


# Nine fictional referrals. Finishers (2+ contacts): all but H (1 contact) = 8.
#   A 18→12: drop 6 → reliable change, MCID, 20% (6/18 = 33%); ends at 12, not below caseness
#   B 15→10: drop 5 → MCID, 20% (5/15 = 33%); not reliable change; ends at 10 (a case)
#   C 10→9:  drop 1 → below caseness only (10% < 20%)
#   D 25→20: drop 5 → MCID, 20% exactly (5 × 5 = 25 ≥ 25: the edge counts)
#   E 21→17: drop 4 → nothing (4/21 = 19%, just under 20%)
#   F 12→6:  drop 6 → all four (the reliable-change edge counts)
#   G 9→2:   starts below PHQ-9 caseness: a finisher, but outside the tabulation
#   H 20→5:  1 contact: not a finisher
#   I 16→?:  no last PHQ-9: a finisher, not tabulated
# Counted: reliable change {A, F} = 2; MCID {A, B, D, F} = 4; 20% {A, B, D, F} = 4;
# below caseness {C, F} = 2.
HAND = pd.DataFrame({
    "episode_id": list("ABCDEFGHI"),
    "treatment_contacts": [2, 3, 5, 2, 2, 2, 4, 1, 2],
    "phq9_first": [18, 15, 10, 25, 21, 12, 9, 20, 16],
    "phq9_last": [12, 10, 9, 20, 17, 6, 2, 5, np.nan],
})


@pytest.fixture(scope="module")
def cohort_counts():
    return change_and_cost.change_counts(lesson_cohort())


@pytest.fixture(scope="module")
def hand_counts():
    return change_and_cost.change_counts(HAND)


# ------------------------------------------------------------------ the explorer at every extreme


@pytest.mark.parametrize("params", list(sweep(cc.CONTROLS)), ids=str)
def test_sweep_gives_sane_outputs(cohort_counts, params):
    result = cc.compute(cohort_counts, **params)
    assert len(result.table) == len(change_and_cost.DEFINITIONS)
    for rate in result.extra["rates"].values():
        assert 0 <= rate <= 1
    percents = result.table.filter(like="%").to_numpy(dtype=float)
    assert np.all((percents >= 0) & (percents <= 100))
    annual = params["staff"] * params["cost_per_staff"] * params["overhead_factor"]
    assert result.extra["annual_cost"] == pytest.approx(annual)
    assert result.extra["cost_per_outcome"] == pytest.approx(annual / result.extra["national_count"])
    spec = result.chart.to_dict()
    assert spec["description"].startswith(f"Top: of the cohort's finishers who started at PHQ-9 {params['baseline_phq9']}")
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 2 * len(change_and_cost.DEFINITIONS)
    sentence = result.sentence
    assert change_and_cost.DEFINITIONS[params["definition"]].label in sentence
    assert f"starting at PHQ-9 {params['baseline_phq9']} must end at {result.extra['end_score']} or below" in sentence
    assert f"about {result.extra['national_count']:,} people" in sentence
    assert f"£{result.extra['cost_per_outcome']:,.0f} per person" in sentence
    assert f"£{annual:,.0f} a year" in sentence


def test_every_control_is_labelled_in_words():
    for control in cc.CONTROLS:
        assert len(control.label.split()) >= 3 and control.help


def test_defaults_reproduce_scotts_arithmetic_and_say_whose_it_is(cohort_counts):
    params = defaults(cc.CONTROLS)
    assert params["staff"] * params["cost_per_staff"] * params["overhead_factor"] == 455_000_000  # 13,000 × 35,000
    result = cc.compute(cohort_counts)
    assert "Scott's own estimate, not an official figure" in result.sentence
    assert "Scott's own estimate" in result.chart.to_dict()["description"]
    changed = cc.compute(cohort_counts, overhead_factor=1.25)
    assert "Scott" not in changed.sentence and "your assumptions" in changed.sentence


# ------------------------------------------------------------------ hand-checked values


def test_tabulation_matches_hand_working(hand_counts):
    assert hand_counts.finishers == 8 and hand_counts.referrals == 9
    assert hand_counts.matrix.sum() == 6  # A-F; G below caseness, H not finished, I unpaired
    assert hand_counts.matrix[18 - 10, 12] == 1 and hand_counts.matrix[25 - 10, 20] == 1


def test_counts_and_costs_match_hand_working(hand_counts):
    table = change_and_cost.definition_table(hand_counts, 18, 455e6).set_index("key")
    assert table["counted in cohort"].to_dict() == {
        "reliable_change": 2, "mcid_5": 4, "percent_20": 4, "below_caseness": 2}
    assert table.loc["reliable_change", "share of cohort finishers"] == pytest.approx(2 / 8)
    # 567,000 × 2/8 = 141,750 → nearest hundred 141,800; × 4/8 = 283,500.
    national = table["national-scale count (2016-17)"].to_dict()
    assert national == {"reliable_change": 141_800, "mcid_5": 283_500, "percent_20": 283_500,
                        "below_caseness": 141_800}
    assert table.loc["mcid_5", "cost per outcome (£)"] == pytest.approx(455e6 / 283_500)
    # Only A started at 18: it meets three definitions and ends at 12, not below caseness.
    assert table["finishers at baseline"].iloc[0] == 1
    assert table["counted at baseline"].to_dict() == {
        "reliable_change": 1, "mcid_5": 1, "percent_20": 1, "below_caseness": 0}
    assert table["end at or below"].to_dict() == {
        "reliable_change": 12, "mcid_5": 13, "percent_20": 14, "below_caseness": 9}


def test_cohort_tabulation_agrees_with_a_direct_group_by(cohort_counts):
    raw = lesson_cohort().table
    kept = raw[(raw["treatment_contacts"] >= 2) & raw["phq9_first"].notna() & raw["phq9_last"].notna()
               & (raw["phq9_first"] >= 10)]
    grouped = kept.groupby(["phq9_first", "phq9_last"]).size()
    for (first, last), n in grouped.sample(40, random_state=0).items():
        assert cohort_counts.matrix[int(first) - 10, int(last)] == n
    assert cohort_counts.matrix.sum() == len(kept)
    assert cohort_counts.finishers == int((raw["treatment_contacts"] >= 2).sum())
    counted = sum(n for (first, last), n in grouped.items() if by_hand(int(first), int(last)) >= {"mcid_5"})
    result = cc.compute(cohort_counts, definition="mcid_5")
    assert result.extra["rates"]["mcid_5"] == pytest.approx(counted / cohort_counts.finishers)


@pytest.mark.parametrize("first, last, expected", [
    (18, 12, {"reliable_change", "mcid_5", "percent_20"}),
    (18, 13, {"mcid_5", "percent_20"}),          # drop 5: one short of reliable change
    (15, 12, {"percent_20"}),                    # drop 3 = 20% of 15 exactly
    (15, 13, set()),                             # drop 2 = 13%
    (10, 9, {"below_caseness"}),                 # one point and "recovered" on the PHQ-9
    (10, 10, set()),                             # no change, still a case
    (27, 21, {"reliable_change", "mcid_5", "percent_20"}),   # 6/27 = 22%
    (27, 22, {"mcid_5"}),                        # 5/27 = 18.5%: below 20%
    (12, 6, set(KEYS)),
])
def test_definitions_met_edges(first, last, expected):
    assert change_and_cost.definitions_met(first, last) == expected == by_hand(first, last)


@given(st.integers(10, 27), st.integers(0, 27))
def test_definitions_agree_with_hand_rules_and_nest(first, last):
    met = change_and_cost.definitions_met(first, last)
    assert met == by_hand(first, last)
    if "reliable_change" in met:
        assert "mcid_5" in met  # a 6-point drop is always a 5-point drop
    if last > 0:
        assert change_and_cost.definitions_met(first, last - 1) >= met  # a lower end never counts for less


def test_required_end_score_is_vectorised():
    firsts = np.array([10, 15, 23, 27])
    assert change_and_cost.required_end_score(change_and_cost.DEFINITIONS["percent_20"], firsts).tolist() == [8, 12, 18, 21]
    assert change_and_cost.required_end_score(change_and_cost.DEFINITIONS["below_caseness"], firsts).tolist() == [9, 9, 9, 9]


# ------------------------------------------------------------------ edges and bad input


def test_no_starter_at_baseline_and_nothing_counted_are_said_in_words():
    only_c = change_and_cost.change_counts(HAND.iloc[[2]])  # C: 10 → 9
    result = cc.compute(only_c, baseline_phq9=27, definition="reliable_change")
    assert "no cohort finisher started there" in result.sentence
    assert "undefined (none counted)" in result.sentence
    assert math.isnan(result.extra["cost_per_outcome"])
    assert result.extra["national_count"] == 0
    assert "undefined" in result.chart.to_dict()["description"]


def test_unknown_control_and_bad_values_name_the_parameter(cohort_counts):
    with pytest.raises(ParameterError, match="baseline"):
        cc.compute(cohort_counts, baseline=12)
    with pytest.raises(ParameterError, match="definition"):
        cc.compute(cohort_counts, definition="vibes")
    with pytest.raises(ParameterError, match="baseline_phq9"):
        cc.compute(cohort_counts, baseline_phq9=9)
    with pytest.raises(ParameterError, match="overhead_factor"):
        cc.compute(cohort_counts, overhead_factor=0.5)


@pytest.mark.parametrize("first, last", [(9, 3), (12, 28), (12.5, 3), (True, 3), (12, None)])
def test_definitions_met_refuses_bad_scores(first, last):
    with pytest.raises(InputError):
        change_and_cost.definitions_met(first, last)


def test_fractional_scores_are_refused_not_truncated():
    bad = HAND.assign(phq9_last=HAND["phq9_last"].where(HAND["episode_id"] != "A", 11.5))
    with pytest.raises(InputError, match="whole numbers"):
        change_and_cost.change_counts(bad)


def test_a_definition_must_have_exactly_one_rule():
    with pytest.raises(ParameterError, match="exactly one"):
        change_and_cost.ChangeDefinition("x", "X", "", "", min_drop_points=5, end_below=10)


# ------------------------------------------------------------------ the lesson's exercise answers


def test_exercise_answers_checked_independently():
    claims = datasets.load("claims").set_index("claim_id")
    annual = claims.loc["scott_staff_cost", "value"]
    national = datasets.load("national_annual")
    recovered = national.loc[(national["year"] == "2016-17") & national["recovered"].notna(), "recovered"]
    assert annual == 13_000 * 35_000
    assert check("08.cost_per_recovered", annual / float(recovered.iloc[0])).correct
    assert check("08.cost_per_recovered", round(annual / 259_000)).correct
    assert check("08.change_18_to_12", sorted(by_hand(18, 12))).correct
    smallest = min(s for s in range(10, 28) if s - 9 > 6)  # ending at 9 needs a bigger drop than 6
    assert check("08.caseness_needs_more", smallest).correct
    assert check("08.data_can_settle", "a, b, d").correct


@pytest.mark.parametrize("question, wrong", [
    ("08.cost_per_recovered", 455e6 / 567_000),   # divided by all finishers
    ("08.cost_per_recovered", 455e6 / 525_000),   # divided by the denominator
    ("08.change_18_to_12", KEYS),                 # 12 is still at caseness
    ("08.change_18_to_12", ["reliable_change"]),
    ("08.caseness_needs_more", 15),               # 15 → 9 is exactly 6: the same, not more
    ("08.data_can_settle", "a, b, d, e"),         # worth is a value judgement
])
def test_likely_wrong_answers_get_a_hint(question, wrong):
    feedback = check(question, wrong)
    assert not feedback.correct and "hint:" in feedback.text


def test_sentence_numbers_appear_in_the_table(cohort_counts):
    result = cc.compute(cohort_counts, baseline_phq9=20, definition="percent_20")
    row = result.table.iloc[KEYS.index("percent_20")]
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", result.sentence)}
    assert int(row["counted in cohort"]) in numbers
    assert int(row["national-scale count (2016-17)"]) in numbers
    assert int(row["start 20: end at or below"]) in numbers


def test_each_result_keeps_its_own_chart_and_the_template_stays_clean(cohort_counts):
    first = cc.compute(cohort_counts, baseline_phq9=15)
    second = cc.compute(cohort_counts, baseline_phq9=20, staff=2_000)
    spec_first, spec_second = first.chart.to_dict(), second.chart.to_dict()
    assert "PHQ-9 15" in spec_first["vconcat"][0]["title"]["text"]
    assert "PHQ-9 20" in spec_second["vconcat"][0]["title"]["text"]
    assert "Scott's own estimate" in spec_first["vconcat"][1]["title"]["subtitle"]
    assert "2,000 staff" in spec_second["vconcat"][1]["title"]["subtitle"]
    template = lesson_charts._change_cost_template().to_dict()
    assert "title" not in template["vconcat"][0] and "description" not in template and "data" not in template


# ---------------------------------------------------------------- issue 16: bands, WSAS, function


def test_band_statements_of_section_3_match_the_package():
    from iaptlab import scoring

    assert list(scoring.band([27, 21], "PHQ-9")) == ["severe", "severe"]
    assert list(scoring.band([12, 6], "PHQ-9")) == ["moderate", "mild"]  # not "minimal"
    assert list(scoring.band([4, 5, 9, 10], "PHQ-9")) == ["minimal", "mild", "mild", "moderate"]


def test_wsas_scoring_facts_shown_in_lesson_08():
    wsas = datasets.load("wsas_scoring")
    items = wsas[wsas["part"] == "item"]
    assert len(items) == 5 and set(items["low"]) == {0} and set(items["high"]) == {8}
    assert wsas.loc[wsas["part"] == "total", "high"].item() == items["high"].sum() == 40
    bands = wsas[wsas["part"] == "band"].sort_values("low")
    assert set(bands["confidence"]) == {"S"}  # the lesson says the bands are secondary
    assert bands["low"].iloc[0] == 0 and bands["high"].iloc[-1] == 40
    assert (bands["low"].iloc[1:].to_numpy() == bands["high"].iloc[:-1].to_numpy() + 1).all()  # no gaps
    assert (wsas["part"] == "recording rule").sum() == 1


def test_wsas_effect_is_smaller_than_the_symptom_effects():
    harm = datasets.load("harm_and_function").set_index("fact_id")
    wsas = harm.loc["iapt_meta_analysis_wsas"]
    assert (wsas["value"], wsas["confidence"]) == (0.55, "C")
    assert wsas["ci_low"] <= wsas["value"] <= wsas["ci_high"]
    assert wsas["value"] < min(harm.loc["iapt_meta_analysis_depression", "value"],
                               harm.loc["iapt_meta_analysis_anxiety", "value"])
