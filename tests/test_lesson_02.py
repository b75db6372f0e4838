"""Lesson 02 (what counts as recovery): explorers at every slider's ends, hand-checked
definitions and Jacobson–Truax numbers, and the exercise answers checked independently."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd
import pytest

from iaptlab import datasets, definitions
from iaptlab.clinical_significance import cutoffs
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import definitions as definitions_explorer
from iaptlab.explorers import thresholds
from iaptlab.lesson_cohort import lesson_cohort
from iaptlab.outcomes import IAPT, IAPT_STRICT, classify, rates
from iaptlab.schema import validate
from iaptlab.widgets import defaults, sweep

SMALL_N = 5_000


@pytest.fixture(scope="module")
def small_cohort():
    return lesson_cohort(SMALL_N)


# ---------------------------------------------------------------- explorers at their extremes


def _sane(result) -> None:
    table = result.table
    assert len(table) > 0
    assert (table["numerator"] <= table["denominator"]).all()
    rate = table["rate"].to_numpy(dtype=float)
    assert np.all(np.isnan(rate) | ((rate >= 0) & (rate <= 1)))
    expected = table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    assert np.allclose(rate, expected, equal_nan=True)
    spec = result.chart.to_dict()
    assert spec["description"]
    first = table.iloc[0]
    # the chart's description and the sentence both state the first row's numbers
    assert f"{first['numerator']}/{first['denominator']}" in spec["description"]
    assert f"{first['numerator']:,} of {first['denominator']:,}" in result.sentence


def test_threshold_explorer_sweep_is_sane(small_cohort):
    settings = list(sweep(thresholds.CONTROLS))
    # the defaults once, then every other extreme of every control
    assert len(settings) == 1 + sum(len(c.extremes()) - 1 for c in thresholds.CONTROLS)
    for params in settings:
        _sane(thresholds.compute(small_cohort, **params))


def test_threshold_controls_are_labelled_and_defaults_are_iapt():
    assert all(c.label.strip() for c in thresholds.CONTROLS)
    d = defaults(thresholds.CONTROLS)
    assert (d["phq9_caseness"], d["gad7_caseness"]) == (IAPT.caseness["phq9"].value, IAPT.caseness["gad7"].value)
    assert (d["phq9_reliable_change"], d["gad7_reliable_change"]) == (6, 4)
    assert (d["min_treatment_contacts"], d["denominator"]) == (2, "at_caseness")


def test_threshold_explorer_default_equals_the_iapt_engine(small_cohort):
    shown = thresholds.compute(small_cohort).table.set_index("outcome")
    engine = rates(classify(small_cohort, IAPT), IAPT).set_index("outcome")
    assert shown.loc["recovered", "numerator"] == engine.loc["recovered", "numerator"]
    assert shown.loc["reliably improved", "denominator"] == engine.loc["reliable_improvement", "denominator"]


def test_threshold_explorer_moves_the_right_things(small_cohort):
    def row(params, outcome):
        return thresholds.compute(small_cohort, **params).table.set_index("outcome").loc[outcome]

    low, mid, high = ({"phq9_caseness": k} for k in (5, 10, 20))
    # a higher caseness cut-off can only shrink "at caseness at the start"
    dens = [row(p, "recovered")["denominator"] for p in (low, mid, high)]
    assert dens[0] >= dens[1] >= dens[2]
    # more contacts needed to "finish" shrinks every questionnaire denominator
    assert row({"min_treatment_contacts": 6}, "reliably improved")["denominator"] < \
        row({"min_treatment_contacts": 1}, "reliably improved")["denominator"]
    # no questionnaire rule changes the blind interview's rate... (its denominator uses contacts)
    lost = "lost their diagnosis (blind interview)"
    for params in ({"phq9_caseness": 20}, {"gad7_reliable_change": 1}, {"reliable_change_comparison": ">"},
                   {"denominator": "finished_minus_not_at_caseness"}):
        assert row(params, lost)["numerator"] == row({}, lost)["numerator"]


def test_m192_denominator_is_never_smaller(small_cohort):
    at_caseness = thresholds.compute(small_cohort).table.set_index("outcome").loc["recovered"]
    m192 = thresholds.compute(small_cohort, denominator="finished_minus_not_at_caseness").table.set_index(
        "outcome").loc["recovered"]
    assert m192["numerator"] == at_caseness["numerator"]
    assert m192["denominator"] >= at_caseness["denominator"]


def test_definitions_explorer_sweep_is_sane(small_cohort):
    bound = partial(definitions_explorer.compute, definitions.prepare(small_cohort))
    for params in sweep(definitions_explorer.CONTROLS):
        result = bound(**params)
        _sane(result)
        jt = result.table.iloc[3]
        assert jt["definition"].startswith(f"JT recovered, cut-off {params['jt_cutoff']}")
        assert f"{jt['numerator']:,} of {jt['denominator']:,}" in result.sentence


def test_definitions_controls_are_labelled_and_assumptions_say_so():
    assert all(c.label.strip() for c in definitions_explorer.CONTROLS)
    assumed = [c for c in definitions_explorer.CONTROLS if c.name in ("functional_mean", "functional_sd", "reliability")]
    assert all("assumed" in c.label for c in assumed)


# ---------------------------------------------------------------- definitions by hand

# Five fictional referrals. By hand (IAPT: caseness PHQ-9 >= 10 or GAD-7 >= 8; RC 6 / 4):
#   e1 finished, 20->4 / 12->3, interview yes->no: recovered, reliably improved, lost diagnosis
#   e2 finished, 20->16 / 12->10, yes->yes: at caseness, not recovered, drops 4 and 2: no RI
#   e3 finished, 20->12 / 9->7, yes->no: PHQ-9 last 12 still a case; PHQ drop 8: RI; lost dx
#   e4 finished, 6->2 / 5->2, no->no: not at caseness at the start; drops 4, 3: no RI
#   e5 one contact only: not finished, in no denominator
HAND = pd.DataFrame({
    "episode_id": ["e1", "e2", "e3", "e4", "e5"],
    "treatment_contacts": [6, 6, 6, 6, 1],
    "phq9_first": [20, 20, 20, 6, 18], "phq9_last": [4, 16, 12, 2, 5],
    "gad7_first": [12, 12, 9, 5, 14], "gad7_last": [3, 10, 7, 2, 2],
    "diagnosis_first": [True, True, True, False, True],
    "diagnosis_last": [False, True, False, False, False],
})
# Finishers' first PHQ-9: 20, 20, 20, 6 -> mean 66/4 = 16.5; deviations 3.5 x3 and -10.5:
# squares 3 x 12.25 + 110.25 = 147, / (4 - 1) = 49 -> SD 7.
# Teaching inputs for the JT row: functional mean 2.5, functional SD 3.5, reliability 0.5.
#   a = 16.5 - 2 x 7 = 2.5; b (functional SD) = 2.5 + 2 x 3.5 = 9.5; b (clinical SD) = 2.5 + 14
#   = 16.5; c = (3.5 x 16.5 + 7 x 2.5) / (3.5 + 7) = 75.25 / 10.5 = 7.1667.
#   Reliable change: 1.96 x sqrt(2) x 7 x sqrt(0.5) = 1.96 x 7 = 13.72 points: only e1 (drop 16).
JT_INPUTS = {"functional_mean": 2.5, "functional_sd": 3.5, "reliability": 0.5}


def _hand_table(**kwargs) -> pd.DataFrame:
    return definitions.definitions_table(validate(HAND), **JT_INPUTS, **kwargs).set_index("definition")


def test_iapt_and_interview_rows_by_hand():
    t = _hand_table()
    assert t.loc["IAPT recovery", ["numerator", "denominator"]].tolist() == [1, 3]
    assert t.loc["IAPT reliable improvement", ["numerator", "denominator"]].tolist() == [2, 4]
    assert t.loc["IAPT reliable recovery", ["numerator", "denominator"]].tolist() == [1, 3]
    assert t.loc["loss of diagnosis (blind interview)", ["numerator", "denominator"]].tolist() == [2, 3]
    assert t.loc["IAPT recovery", "rate"] == pytest.approx(1 / 3)


def test_jt_parameters_by_hand():
    prepared = definitions.prepare(validate(HAND))
    assert prepared.n_paired == 4
    params = definitions.jt_parameters(prepared, **JT_INPUTS).set_index("quantity")["value"]
    assert params["clinical mean (first PHQ-9)"] == pytest.approx(16.5)
    assert params["clinical SD (first PHQ-9)"] == pytest.approx(7.0)
    assert params["cut-off a"] == pytest.approx(2.5)
    assert params["cut-off b (functional SD: Jacobson & Truax)"] == pytest.approx(9.5)
    assert params["cut-off b (clinical SD: R package)"] == pytest.approx(16.5)
    assert params["cut-off c"] == pytest.approx(75.25 / 10.5)
    assert params["reliable change (points)"] == pytest.approx(1.96 * 7, abs=0.01)


@pytest.mark.parametrize(("letter", "b_sd", "expected"), [
    # a = 2.5: every finisher starts at/above it; e1 ends at 4, still above: nobody crosses
    ("a", "functional", [0, 4]),
    # b = 9.5: e1, e2, e3 start above; only e1 changes reliably and ends below
    ("b", "functional", [1, 3]),
    # b = 16.5 with the clinical SD: the same three start at/above (20); e1 still the only one
    ("b", "clinical", [1, 3]),
    # c = 7.17: the same three start above; e1 ends below with a reliable drop
    ("c", "functional", [1, 3]),
])
def test_jt_row_by_hand(letter, b_sd, expected):
    t = _hand_table(jt_cutoff=letter, b_sd=b_sd)
    jt = t.iloc[3]
    assert t.index[3].startswith(f"JT recovered, cut-off {letter}")
    assert [jt["numerator"], jt["denominator"]] == expected


@pytest.mark.parametrize(("e3_last", "expected_numerator"), [(10, 1), (9, 2)])
def test_jt_score_exactly_at_the_cutoff_is_still_dysfunctional(e3_last, expected_numerator):
    # Functional mean 3.5 and SD 7 (= the clinical SD) put c half-way: (16.5 + 3.5) / 2 = 10.
    # Reliability 0.9: reliable change 1.96 x sqrt(2) x 7 x sqrt(0.1) = 6.14 points, so e3's drop
    # from 20 (to 10 or 9) is reliable. Ending exactly AT 10 is not below the cut-off: not recovered.
    episodes = HAND.assign(phq9_last=HAND["phq9_last"].where(HAND["episode_id"] != "e3", e3_last))
    t = definitions.definitions_table(validate(episodes), jt_cutoff="c", functional_mean=3.5,
                                      functional_sd=7, reliability=0.9)
    assert t.loc[3, "definition"] == "JT recovered, cut-off c = 10.0"
    assert [t.loc[3, "numerator"], t.loc[3, "denominator"]] == [expected_numerator, 3]


def test_bad_jt_choice_is_rejected_by_name(small_cohort):
    with pytest.raises(ParameterError, match="jt_cutoff"):
        definitions.definitions_table(small_cohort, jt_cutoff="d")


def test_too_few_finishers_for_a_clinical_sd():
    one = HAND.iloc[[0, 4]].reset_index(drop=True)
    with pytest.raises(ParameterError, match="clinical SD"):
        definitions.definitions_table(validate(one))


def test_no_interview_no_interview_row():
    t = definitions.definitions_table(validate(HAND.drop(columns=["diagnosis_first", "diagnosis_last"])),
                                      **JT_INPUTS)
    assert len(t) == 4 and "loss of diagnosis (blind interview)" not in t["definition"].tolist()


def test_pairs_grouping_keeps_every_person(small_cohort):
    classified = classify(small_cohort)
    finished_paired = int((classified["finished"] & classified["paired"]).sum())
    prepared = definitions.prepare(small_cohort)
    assert prepared.n_paired == finished_paired
    first = classified.loc[classified["finished"] & classified["paired"], "phq9_first"].astype(float)
    assert prepared.clinical_mean == pytest.approx(first.mean())
    assert prepared.clinical_sd == pytest.approx(first.std(ddof=1))


# ---------------------------------------------------------------- exercises, answered independently

THREE_CLIENTS = pd.DataFrame({
    "episode_id": ["A", "B", "C"], "treatment_contacts": [6, 8, 1],
    "phq9_first": [10, 19, 16], "phq9_last": [9, 9, 5],
    "gad7_first": [7, 12, 13], "gad7_last": [6, 8, 4],
})


def _by_hand(client) -> tuple[bool, bool]:
    """The guide's rules written out for one client (independent of iaptlab.outcomes)."""
    finished = client.treatment_contacts >= 2
    case_first = client.phq9_first >= 10 or client.gad7_first >= 8
    case_last = client.phq9_last >= 10 or client.gad7_last >= 8
    drop_phq, drop_gad = client.phq9_first - client.phq9_last, client.gad7_first - client.gad7_last
    improved = (drop_phq >= 6 or drop_gad >= 4) and not (-drop_phq >= 6 or -drop_gad >= 4)
    return finished and case_first and not case_last, finished and improved


def test_three_clients_by_hand_match_check_and_classify():
    judged = {row.episode_id: _by_hand(row) for row in THREE_CLIENTS.itertuples()}
    recovered = {k for k, (rec, _) in judged.items() if rec}
    improved = {k for k, (_, ri) in judged.items() if ri}
    assert check("02.recovered_by_hand", recovered).correct
    assert check("02.reliably_improved_by_hand", sorted(improved)).correct
    flags = classify(THREE_CLIENTS).set_index("episode_id")
    assert set(flags.index[flags["recovered"]]) == recovered
    assert set(flags.index[flags["reliable_improvement"]]) == improved
    # common slips are marked wrong: counting B (GAD-7 ends AT caseness) or C (one contact)
    assert not check("02.recovered_by_hand", recovered | {"B"}).correct
    assert not check("02.recovered_by_hand", recovered | {"C"}).correct
    assert not check("02.reliably_improved_by_hand", improved | {"C"}).correct


def test_strict_reading_answer():
    cohort = lesson_cohort()
    shown = ["recovered", "reliable_recovery", "reliable_improvement", "reliable_deterioration",
             "diagnosis_lost"]
    consensus = rates(classify(cohort, IAPT), IAPT).set_index("outcome")
    strict = rates(classify(cohort, IAPT_STRICT), IAPT_STRICT).set_index("outcome")
    changed = {o for o in shown if consensus.loc[o, "numerator"] != strict.loc[o, "numerator"]}
    assert check("02.strict_changes", changed).correct
    assert not check("02.strict_changes", set(shown)).correct


def test_denominator_exercise_from_the_dataset():
    table = datasets.load("national_2014_15_subgroup").set_index("subgroup")
    row = table.loc["heterosexual"]
    m192 = 100 * row["recovered"] / (row["finished_course"] - row["finished_not_at_caseness"])
    at_caseness = 100 * row["recovered"] / row["finished_at_caseness"]
    assert 126_891 / 239_551 * 100 == pytest.approx(m192)  # the card's note, by hand
    assert check("02.denominator_m192", round(m192, 2)).correct
    assert check("02.denominator_m192", f"{m192:.2f}%").correct
    assert not check("02.denominator_m192", round(at_caseness, 2)).correct
    assert row["confidence"] == "S"


def test_jt_cutoff_c_exercise():
    by_hand = (3 * 16 + 5 * 3) / (3 + 5)  # (SD_fun M_clin + SD_clin M_fun) / (SD_fun + SD_clin)
    assert by_hand == cutoffs(16, 5, 3, 3).c
    assert check("02.jt_cutoff_c", by_hand).correct
    assert not check("02.jt_cutoff_c", (16 + 3) / 2).correct  # the unweighted midpoint
    assert math.isclose(by_hand, 7.875)


def test_blank_answers_are_not_correct():
    for qid in ("02.recovered_by_hand", "02.reliably_improved_by_hand", "02.strict_changes",
                "02.denominator_m192", "02.jt_cutoff_c"):
        assert not check(qid, ...).correct


# ---------------------------------------------------------------- issue 16: harm and the model's interview


def test_reliable_deterioration_row_is_the_mirror_of_improvement_at_its_thresholds():
    # PHQ-9 rises by exactly 6 (>= 6 counts), by 5 (does not), or rises 6 while GAD-7 falls 4 (mixed).
    table = pd.DataFrame({"episode_id": ["up6", "up5", "mixed", "down6"], "treatment_contacts": [3] * 4,
                          "phq9_first": [10, 10, 10, 16], "phq9_last": [16, 15, 16, 10],
                          "gad7_first": [10, 10, 10, 10], "gad7_last": [10, 10, 6, 10]})
    flags = classify(table).set_index("episode_id")
    assert flags["reliable_deterioration"].to_dict() == {"up6": True, "up5": False, "mixed": False, "down6": False}
    assert flags["reliable_improvement"].to_dict() == {"up6": False, "up5": False, "mixed": False, "down6": True}
    assert bool(flags.loc["mixed", "mixed_change"])
    strict = classify(table, IAPT_STRICT).set_index("episode_id")
    assert not strict.loc["up6", "reliable_deterioration"]  # "greater than" 6 leaves out exactly 6


def test_year_one_harm_figure_shown_in_lesson_02_is_gyanis_and_confirmed():
    harm = datasets.load("harm_and_function").set_index("fact_id")
    row = harm.loc["year_one_reliable_deterioration"]
    assert (row["value"], row["confidence"], row["source"]) == (6.6, "C", "gyani_2013")
    improved = harm.loc["year_one_reliable_improvement", "value"]
    assert row["value"] < improved  # the lesson sets deterioration beside improvement


def test_subgroup_oddity_in_the_discussion_prompt_recomputes_from_the_data():
    table = datasets.load("national_2014_15_subgroup").set_index("subgroup")
    england, hetero = table.loc["England"], table.loc["heterosexual"]
    rest = (england["recovered"] - hetero["recovered"]) / (england["finished_at_caseness"]
                                                           - hetero["finished_at_caseness"])
    assert round(100 * rest, 1) == 33.9
    assert round(100 * hetero["recovered"] / hetero["finished_at_caseness"], 1) == 53.3
    assert hetero["confidence"] == "S" and england["confidence"] == "C"
