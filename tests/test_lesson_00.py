"""Lesson 00: the example-cases explorer, its helpers, and the lesson's exercise answers.

Expected values come from a small reference implementation of the IAPT recovery rule written
here in plain Python over the raw CSV (``reference_flags``), independent of ``iaptlab.outcomes``,
and from hand working recorded in comments next to each case.
"""

from __future__ import annotations

import csv
import math
import re
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import datasets, example_cases
from iaptlab.charts import lessons as lesson_charts
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import example_cases as ec
from iaptlab.outcomes import classify, rates
from iaptlab.widgets import defaults, sweep

# Caseness cut-offs from the NHS Digital guide (nhsd_guide_v21) (all "score >= cut-off"), typed in by hand.
ANXIETY_CASENESS = {"GAD-7": 8, "SPIN": 19, "PCL-5": 32}


def _raw_rows() -> list[dict[str, str]]:
    with (files("iaptlab.data") / "example_episodes.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def reference_flags(phq9_caseness: int = 10, min_contacts: int = 2) -> dict[str, dict[str, bool]]:
    """IAPT rule, one referral at a time (fine for 12 rows in a test)."""
    flags = {}
    for row in _raw_rows():
        phq = (_number(row["phq9_first"]), _number(row["phq9_last"]))
        adsm = (_number(row["adsm_first"]), _number(row["adsm_last"]))
        use_adsm = row["adsm"] and None not in adsm
        measure = row["adsm"] if use_adsm else "GAD-7"
        anx = adsm if use_adsm else (_number(row["gad7_first"]), _number(row["gad7_last"]))
        finished = int(row["treatment_contacts"]) >= min_contacts
        paired = None not in phq and None not in anx
        case_first = ((phq[0] is not None and phq[0] >= phq9_caseness)
                      or (anx[0] is not None and anx[0] >= ANXIETY_CASENESS[measure]))
        in_denominator = finished and paired and case_first
        recovered = in_denominator and phq[1] < phq9_caseness and anx[1] < ANXIETY_CASENESS[measure]
        flags[row["episode_id"]] = {"finished": finished, "paired": paired,
                                    "in_denominator": in_denominator, "recovered": recovered}
    return flags


def _ids(flags: dict[str, dict[str, bool]], key: str) -> set[str]:
    return {episode for episode, f in flags.items() if f[key]}


@pytest.fixture(scope="module")
def episodes():
    return example_cases.example_episodes()


# ------------------------------------------------------------------ the explorer at every extreme


@pytest.mark.parametrize("params", list(sweep(ec.CONTROLS)), ids=str)
def test_sweep_gives_sane_outputs(episodes, params):
    result = ec.compute(episodes, **params)
    assert len(result.table) == 12
    counts = example_cases.stage_counts(result.table)["count"].tolist()
    assert counts == sorted(counts, reverse=True), "each funnel stage is a subset of the one before"
    rate = result.extra["rate"]
    assert (0 <= rate <= 1) if result.extra["denominator"] else math.isnan(rate)
    spec = result.chart.to_dict()
    assert spec["description"].startswith("Who counts as recovered")
    assert f"{result.extra['recovered']} of the {result.extra['denominator']}" in spec["description"]
    numbers = [int(n) for n in re.findall(r"\b\d+\b", result.sentence)]
    assert result.extra["denominator"] in numbers and result.extra["recovered"] in numbers
    assert params["phq9_caseness"] in numbers and params["min_treatment_contacts"] in numbers
    for episode in result.table.loc[result.table["recovered"] == "yes", "referral"]:
        assert episode in result.sentence


def test_every_control_is_labelled_in_words():
    for control in ec.CONTROLS:
        assert len(control.label.split()) >= 3 and control.help


# ------------------------------------------------------------------ hand-checked values


def test_default_matches_hand_working(episodes):
    # By hand: EX04 (1 contact) and EX05 (0) not finished; EX11 has no last PHQ-9 (not paired);
    # EX06 starts below caseness (PHQ-9 8 < 10, GAD-7 6 < 8). That leaves 8. Of those, EX03, EX07,
    # EX08 (last PHQ-9 14, 21, 11) and EX10 (last GAD-7 10) end at caseness: 4 recover.
    result = ec.compute(episodes)
    table = result.table.set_index("referral")
    assert set(table.index[table["in recovery denominator"] == "yes"]) == {
        "EX01", "EX02", "EX03", "EX07", "EX08", "EX09", "EX10", "EX12"}
    assert set(table.index[table["recovered"] == "yes"]) == {"EX01", "EX02", "EX09", "EX12"}
    assert result.extra == {"denominator": 8, "recovered": 4, "rate": 0.5}
    assert "(50%)" in result.sentence
    # EX10's SPIN last score is missing, so GAD-7 is its anxiety measure; EX09 uses SPIN.
    assert table.loc["EX10", "anxiety measure"] == "GAD-7" and table.loc["EX09", "anxiety measure"] == "SPIN"
    assert table.loc["EX04", "PHQ-9 first → last"] == "16 → –"
    assert table.loc["EX09", "anxiety first → last"] == "45 → 15"


def test_phq9_cutoff_at_8_changes_both_ends_of_the_rule(episodes):
    # EX06 (first PHQ-9 8) becomes a case and recovers (last 3, GAD-7 2); EX02 and EX12 (last
    # PHQ-9 9) are no longer below caseness: recovered {EX01, EX06, EX09} of 9.
    result = ec.compute(episodes, phq9_caseness=8)
    assert result.extra["denominator"] == 9 and result.extra["recovered"] == 3
    assert set(result.table.loc[result.table["recovered"] == "yes", "referral"]) == {"EX01", "EX06", "EX09"}


@pytest.mark.parametrize("cutoff, counted", [(8, True), (9, False)])
def test_caseness_edge_at_start_is_inclusive(episodes, cutoff, counted):
    # EX06 starts at PHQ-9 8 and GAD-7 6 (below 8): a case only when the PHQ-9 cut-off is <= 8.
    table = ec.compute(episodes, phq9_caseness=cutoff).table.set_index("referral")
    assert (table.loc["EX06", "in recovery denominator"] == "yes") is counted


@pytest.mark.parametrize("cutoff, recovered", [(9, False), (10, True)])
def test_caseness_edge_at_end_last_score_must_be_below(episodes, cutoff, recovered):
    # EX02 ends at PHQ-9 9: below a cut-off of 10, but at caseness when the cut-off is 9.
    table = ec.compute(episodes, phq9_caseness=cutoff).table.set_index("referral")
    assert (table.loc["EX02", "recovered"] == "yes") is recovered


@pytest.mark.parametrize("contacts, finished", [(6, True), (7, False)])
def test_contacts_edge_is_inclusive(episodes, contacts, finished):
    # EX02 attended 6 treatment contacts.
    table = ec.compute(episodes, min_treatment_contacts=contacts).table.set_index("referral")
    assert (table.loc["EX02", "finished a course"] == "yes") is finished


def test_more_contacts_required_raises_the_rate_without_changing_scores(episodes):
    # At 8+ contacts: EX01 (8), EX07 (9), EX09 (10), EX10 (8), EX12 (12) remain; 3 recover = 60%.
    result = ec.compute(episodes, min_treatment_contacts=8)
    assert (result.extra["denominator"], result.extra["recovered"]) == (5, 3)
    assert result.extra["rate"] == pytest.approx(0.6)


def test_one_referral_left_reads_in_the_singular(episodes):
    result = ec.compute(episodes, min_treatment_contacts=12)
    assert "1 of the 12 referrals is in the recovery denominator and 1 of them counts" in result.sentence


def test_no_denominator_says_there_is_no_rate():
    only_ex05 = classify(example_cases.example_episodes()).iloc[[4]]
    table = example_cases.case_table(only_ex05)
    assert "no rate" in ec._sentence(table, 10, 2)
    assert "no denominator" in lesson_charts.stages_chart(example_cases.stage_counts(table), "").to_dict()["description"]


@given(st.integers(5, 20), st.integers(1, 12))
def test_explorer_agrees_with_reference_rule_and_with_rates(phq9_caseness, contacts):
    result = ec.compute(example_cases.example_episodes(), phq9_caseness=phq9_caseness,
                        min_treatment_contacts=contacts)
    expected = reference_flags(phq9_caseness, contacts)
    table = result.table.set_index("referral")
    for column, key in (("finished a course", "finished"), ("paired scores", "paired"),
                        ("in recovery denominator", "in_denominator"), ("recovered", "recovered")):
        assert set(table.index[table[column] == "yes"]) == _ids(expected, key), column
    published = rates(classify(example_cases.example_episodes(), example_cases.lesson_rules(phq9_caseness, contacts)),
                      example_cases.lesson_rules(phq9_caseness, contacts)).set_index("outcome").loc["recovered"]
    assert (published["numerator"], published["denominator"]) == (
        result.extra["recovered"], result.extra["denominator"])


# ------------------------------------------------------------------ bad input and helpers


def test_unknown_control_is_an_error_naming_it(episodes):
    with pytest.raises(ParameterError, match="phq_cutoff"):
        ec.compute(episodes, phq_cutoff=12)


def test_defaults_are_the_iapt_rules():
    rules = example_cases.lesson_rules(**defaults(ec.CONTROLS))
    assert rules.caseness["phq9"].value == 10 and rules.min_treatment_contacts == 2


def test_render_checklist_names_versions_and_status():
    import ipywidgets

    text = example_cases.render_checklist("charts render offline (svg renderer).")
    assert "svg renderer" in text and ipywidgets.__version__ in text and "Python 3." in text


# ------------------------------------------------------------------ the lesson's exercise answers


def test_exercise_answers_checked_independently():
    annual = datasets.load("national_annual")
    referrals = annual.loc[annual["year"] == "2016-17", "referrals_received"].dropna()
    assert len(referrals) == 1 and check("00.half_of_referrals", referrals.iloc[0] / 2).correct
    # 9.2% to 1 dp: n/d in [9.15%, 9.25%). Exact integer test, no float rounding: 915 d <= 10000 n < 925 d.
    exact = {d for d in range(1, 91) for n in range(d + 1) if 915 * d <= 10_000 * n < 925 * d}
    assert 90 not in exact and check("00.denominators_9_2", exact).correct
    assert not check("00.denominators_9_2", exact | {90}).correct
    assert check("00.score_not_verdict", {"with_therapist", "hello_goodbye"}).correct
    assert check("00.score_not_verdict", {"demand", "hello_goodbye"}).correct  # the alias
    assert not check("00.score_not_verdict", {"with_therapist", "hello_goodbye", "ptsd"}).correct
    flags = reference_flags()
    assert check("00.example_denominator", len(_ids(flags, "in_denominator"))).correct
    assert check("00.cutoff_8_recovered", sorted(_ids(reference_flags(phq9_caseness=8), "recovered"))).correct


@pytest.mark.parametrize("question, wrong", [
    ("00.example_denominator", 9),    # counting EX11, which has no last PHQ-9
    ("00.example_denominator", 12),   # everyone referred
    ("00.cutoff_8_recovered", ["EX01", "EX02", "EX09", "EX12"]),  # the answer at cut-off 10
    ("00.cutoff_8_recovered", ["EX01", "EX02", "EX06", "EX09", "EX12"]),  # "more people"
])
def test_likely_wrong_answers_get_a_hint(question, wrong):
    feedback = check(question, wrong)
    assert not feedback.correct and "hint:" in feedback.text
