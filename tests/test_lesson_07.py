"""Lesson 07: the gap explorer, the interview control, the scenarios and the exercise answers.

Expected values are computed independently in each test (by hand in the comments, or from the
public simulation API directly), never copied from the code under test.
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import reconcile_gap
from iaptlab.charts import gap_split as gap_charts
from iaptlab.cohort_model import INTERVIEW_SEES_MORE
from iaptlab.errors import ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import reconcile_gap as rg
from iaptlab.outcomes import classify
from iaptlab.reconcile import FIVE_GROUPS, outcome_rate, waterfall_table
from iaptlab.simulate import MECHANISMS, CohortModel, simulate
from iaptlab.widgets import defaults, sweep

SMALL = 1_500  # referrals per explorer call in the sweep tests (speed)


@pytest.fixture(scope="module")
def callbacks():
    return {name: partial(rg.compute, rg.precompute(controls, n=SMALL, seed=7))
            for name, controls in (("iapt", rg.CONTROLS), ("critic", rg.CRITIC_CONTROLS))}


# ---------------------------------------------------------------- controls and model mapping


def test_every_control_is_labelled_and_maps_to_a_model_parameter():
    assert all(c.label.strip() for c in rg.CONTROLS)
    assert [c.name for c in rg.CONTROLS] == [link.control for link in reconcile_gap.LINKS]
    names = {f.name for f in dataclasses.fields(CohortModel)}
    assert all(p in names for link in reconcile_gap.LINKS for p in link.parameters)
    # the one control without a parameter of its own decides share_with_unseen_disorder
    assert [link.control for link in reconcile_gap.LINKS if not link.parameters] == ["interview_measures"]


def test_defaults_reproduce_the_presets_exactly():
    # interview_sees_questionnaires(): the CohortModel defaults; interview_sees_more(): those
    # plus INTERVIEW_SEES_MORE.
    same = CohortModel.interview_sees_questionnaires(500, 3)
    assert reconcile_gap.model_for(defaults(rg.CONTROLS), n=500, seed=3) == same
    assert reconcile_gap.model_for(defaults(rg.CRITIC_CONTROLS), n=500, seed=3) == CohortModel.interview_sees_more(500, 3)
    more = dict(defaults(rg.CRITIC_CONTROLS))
    assert more["unseen_disorder_pct"] == round(100 * INTERVIEW_SEES_MORE["share_with_unseen_disorder"])
    assert more["interviewed_odds_ratio"] == INTERVIEW_SEES_MORE["interviewed_odds_ratio_still_ill"]
    assert defaults(rg.CONTROLS)["interview_measures"] == reconcile_gap.INTERVIEW_SAME
    assert more["interview_measures"] == reconcile_gap.INTERVIEW_MORE


def test_deprecated_preset_names_warn_and_give_the_same_models():
    with pytest.warns(DeprecationWarning, match="interview_sees_questionnaires"):
        assert CohortModel.iapt_like(50, 1) == CohortModel.interview_sees_questionnaires(50, 1)
    with pytest.warns(DeprecationWarning, match="interview_sees_more"):
        assert CohortModel.critic_like(50, 1) == CohortModel.interview_sees_more(50, 1)


# ---------------------------------------------------------------- what the interview measures


def test_interview_control_sets_the_unseen_share_both_ways():
    same, more = reconcile_gap.INTERVIEW_SAME, reconcile_gap.INTERVIEW_MORE
    # "the same": no unseen disorder whatever the slider says (at its extremes too)
    for pct in (0, 50, 80):
        m = reconcile_gap.model_for({"interview_measures": same, "unseen_disorder_pct": pct})
        assert m.share_with_unseen_disorder == 0 and not m.is_on("unseen_disorders")
    # "also ...": the slider's share; at 0% it is switched off again (the edge)
    assert reconcile_gap.model_for({"interview_measures": more, "unseen_disorder_pct": 80}
                                   ).share_with_unseen_disorder == pytest.approx(0.8)
    assert reconcile_gap.model_for({"interview_measures": more, "unseen_disorder_pct": 0}
                                   ).share_with_unseen_disorder == 0
    with pytest.raises(ParameterError, match="interview_measures"):
        reconcile_gap.model_for({"interview_measures": "everything"})


def test_link_values_round_trip_both_presets():
    for model in (CohortModel.interview_sees_questionnaires(100, 2), CohortModel.interview_sees_more(100, 2)):
        assert reconcile_gap.model_for(reconcile_gap.link_values(model), n=100, seed=2) == model


def test_interview_measures_moves_loss_of_diagnosis_only():
    # Computed from the public simulation, not from the explorer: the unseen disorders enter the
    # interview's verdict, never a questionnaire score.
    base = CohortModel.interview_sees_questionnaires(n=6_000, seed=11)
    more = dataclasses.replace(base, share_with_unseen_disorder=0.5, unseen_disorder_remission=0.2)
    a, b = classify(simulate(base)), classify(simulate(more))
    assert outcome_rate(a, "recovered") == outcome_rate(b, "recovered")
    assert outcome_rate(b, "diagnosis_lost") < outcome_rate(a, "diagnosis_lost") - 0.05
    assert check("07.interview_measures", "a").correct
    for wrong, phrase in (("b", "recovery cannot move"), ("c", "fewer, not more"), ("d", "questionnaire scores")):
        feedback = check("07.interview_measures", wrong)
        assert not feedback.correct and phrase in feedback.text


def test_remission_slider_keeps_whiteford_ratios():
    # 26.5% by 12 months is half of 53%, so 3- and 6-month shares halve too: 11.5% and 16%.
    m = reconcile_gap.model_for({"remission_12_months_pct": 26.5})
    assert m.remission_by_3_months == pytest.approx(0.115)
    assert m.remission_by_6_months == pytest.approx(0.16)
    assert reconcile_gap.model_for({"remission_12_months_pct": 0}).remission_by_3_months == 0


def test_percent_controls_scale_to_proportions_and_reliability_sets_both():
    m = reconcile_gap.model_for({"interview_sensitivity_pct": 73, "reliability": 0.61, "relapse_pct": 100})
    assert (m.interview_sensitivity, m.phq9_reliability, m.gad7_reliability,
            m.relapse_within_12_months) == (pytest.approx(0.73), 0.61, 0.61, pytest.approx(1.0))


def test_unknown_control_is_refused_by_name():
    with pytest.raises(ParameterError, match="bogus"):
        reconcile_gap.model_for({"bogus": 1})


# ---------------------------------------------------------------- explorer sweep


@pytest.mark.parametrize("which", ["iapt", "critic"])
def test_sweep_every_control_extreme(callbacks, which):
    controls = rg.CONTROLS if which == "iapt" else rg.CRITIC_CONTROLS
    for params in sweep(controls):
        result = callbacks[which](**params)
        w = result.extra["waterfall"]
        assert 0 <= result.extra["recovery"] <= 1 and 0 <= result.extra["lost"] <= 1
        # contributions plus the residual take recovery exactly to loss of diagnosis
        assert w["contribution"].sum() == pytest.approx(result.extra["recovery"] - result.extra["lost"])
        low, high = result.extra["sample_range"]
        assert 0 <= low <= high <= 1
        spec = result.chart.to_dict()
        assert spec["description"].startswith("From questionnaire recovery to loss of diagnosis")
        assert f"{100 * result.extra['recovery']:.1f}%" in result.sentence
        assert f"{100 * result.extra['lost']:.1f}%" in result.sentence
        table = result.table.set_index("part")
        assert table.loc["recovery (questionnaires)", "points"] == round(100 * result.extra["recovery"], 1)
        assert len(result.chart.data) <= 5000


def test_explorer_equals_the_public_waterfall(callbacks):
    # The explorer's numbers are reconcile.waterfall_table(..., groups=FIVE_GROUPS) on the same model.
    settings_ = {**defaults(rg.CRITIC_CONTROLS), "interviewed_odds_ratio": 3.0}
    result = callbacks["critic"](**settings_)
    model = dataclasses.replace(CohortModel.interview_sees_more(SMALL, 7),
                                interviewed_odds_ratio_still_ill=3.0)
    direct = waterfall_table(model, groups=FIVE_GROUPS)
    assert np.allclose(result.extra["waterfall"]["value"], direct["value"])


def test_chart_bars_run_from_recovery_to_loss_of_diagnosis():
    # Expected bars worked out from the reconcile table directly: totals stand on 0; each group
    # starts where the previous bar ended and moves by minus its contribution.
    w = reconcile_gap.five_group_waterfall(CohortModel.interview_sees_more(n=2_000, seed=1))
    chart = gap_charts.waterfall_chart(w, title="T", source="S")
    drawn = chart.data
    groups = w[w["kind"] == "mechanism"]
    recovery = float(w.loc[w["component"] == "recovered", "value"].iloc[0])
    lost = float(w.loc[w["component"] == "diagnosis_lost", "value"].iloc[0])
    ends = recovery - np.cumsum(groups["contribution"].to_numpy())
    assert drawn["label"].tolist() == [gap_charts.SHORT_LABELS[c] for c in
                                       ["recovered", *groups["component"], "diagnosis_lost"]]
    assert np.allclose(drawn["start"], [0.0, recovery, *ends[:-1], 0.0])
    assert np.allclose(drawn["end"], [recovery, *ends, lost])
    # the labels' "\n" become lines on the axis, not text turned on its side
    axis = chart.to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelAngle"] == 0 and "split(datum.label" in axis["labelExpr"]


def test_chart_rows_step_down_from_recovery_to_loss():
    w = reconcile_gap.five_group_waterfall(CohortModel.interview_sees_more(n=2_000, seed=1))
    rows = gap_charts.chart_rows(w)
    # first total + changes = last total (changes are minus the contributions)
    assert rows["value"].iloc[0] + rows["value"].iloc[1:-1].sum() == pytest.approx(rows["value"].iloc[-1])
    assert rows["kind"].iloc[0] == rows["kind"].iloc[-1] == "total"


def test_zero_residual_is_dropped_but_a_real_one_is_kept():
    w = reconcile_gap.five_group_waterfall(CohortModel.interview_sees_more(n=2_000, seed=1))
    assert "left with\nall off" not in gap_charts.chart_rows(w)["label"].tolist()
    fake = w.copy()
    fake.loc[fake["kind"] == "residual", "contribution"] = 0.01
    assert "left with\nall off" in gap_charts.chart_rows(fake)["label"].tolist()


# ---------------------------------------------------------------- gap, rates, sample range


def test_gap_is_recovery_minus_loss_from_the_public_api():
    model = CohortModel.interview_sees_more(n=3_000, seed=2)
    classified = classify(simulate(model))
    recovery = outcome_rate(classified, "recovered")
    lost = outcome_rate(classified, "diagnosis_lost", interviewed_odds_ratio_still_ill=6.0)
    assert reconcile_gap.gap(model) == pytest.approx(recovery - lost)


def test_with_every_mechanism_off_nothing_changes_and_the_gap_is_zero():
    assert reconcile_gap.gap(CohortModel(n=2_000, seed=4).without(*MECHANISMS)) == 0


def test_two_player_shapley_by_hand_matches_the_package():
    # Shapley for two players: average of A's marginal effect in both orders.
    model = CohortModel.interview_sees_more(n=3_000, seed=5)
    pair = ("unseen_disorders", "interview_sample_selection")
    g = {(a, b): reconcile_gap.gap(model.without(*[m for m, on in zip(pair, (a, b), strict=True) if not on]))
         for a in (False, True) for b in (False, True)}
    by_hand = ((g[True, False] - g[False, False]) + (g[True, True] - g[False, True])) / 2
    package = waterfall_table(model, mechanisms=pair).set_index("component")
    assert package.loc["unseen_disorders", "contribution"] == pytest.approx(by_hand, abs=1e-12)


def test_sample_range_by_hand():
    # k = 4, p = 0.5: counts 0..4 have chances 1, 4, 6, 4, 1 in 16. With 75% coverage each tail
    # may hold 12.5%: P(count < 1) = 1/16 <= 0.125, P(count < 2) = 5/16 > 0.125, so low = 1/4;
    # symmetric, high = 3/4.
    assert reconcile_gap.sample_range(0.5, k=4, coverage=0.75) == (0.25, 0.75)
    # p = 0: every study finds 0; p = 1: every study finds all.
    assert reconcile_gap.sample_range(0.0) == (0.0, 0.0) and reconcile_gap.sample_range(1.0) == (1.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(0, 1), k=st.integers(1, 200))
def test_sample_range_brackets_the_rate_and_holds_its_coverage(rate, k):
    low, high = reconcile_gap.sample_range(rate, k=k)
    assert low <= high
    counts = np.arange(k + 1)
    pmf = np.array([math.comb(k, j) * rate**j * (1 - rate) ** (k - j) for j in counts])
    inside = pmf[(counts >= round(low * k)) & (counts <= round(high * k))].sum()
    assert inside >= 0.95 - 1e-9


@pytest.mark.parametrize("bad", [(-0.1, 0.95), (1.1, 0.95), (0.5, 1.0), (0.5, 0.0)])
def test_sample_range_refuses_bad_input(bad):
    with pytest.raises(ParameterError):
        reconcile_gap.sample_range(bad[0], coverage=bad[1])


def test_points_table_has_one_column_per_waterfall():
    w = reconcile_gap.five_group_waterfall(CohortModel(n=2_000, seed=1))
    table = gap_charts.points_table({"a": w, "b": w})
    assert list(table.columns) == ["a", "b"]
    assert table.loc["recovery (questionnaires), %", "a"] == round(100 * w["value"].iloc[0], 1)


# ---------------------------------------------------------------- scenarios (exercise 2)


def _band(value: float, low: float, high: float) -> bool:
    return low <= value <= high


def test_both_true_answer_and_margins_recomputed_directly():
    # Each scenario's two rates, from the public API on the scenario's own model (20,000 referrals,
    # the lesson's seed). Qualifying = recovery 45-55% and loss 5-15%; every rate must sit at least
    # 1.5 points from any band edge it is judged against, so Monte Carlo noise cannot flip it.
    qualifying = set()
    for letter in reconcile_gap.SCENARIOS:
        model = reconcile_gap.scenario_model(letter)
        classified = classify(simulate(model))
        recovery = 100 * outcome_rate(classified, "recovered")
        lost = 100 * outcome_rate(classified, "diagnosis_lost", interviewed_odds_ratio_still_ill=(
            model.interviewed_odds_ratio_still_ill))
        in_recovery, in_lost = _band(recovery, 45, 55), _band(lost, 5, 15)
        if in_recovery and in_lost:
            qualifying.add(letter)
            edges = [recovery - 45, 55 - recovery, lost - 5, 15 - lost]
        else:  # the failing criterion must fail clearly
            edges = [max(45 - recovery, recovery - 55)] if not in_recovery else []
            edges += [max(5 - lost, lost - 15)] if not in_lost else []
        assert min(edges) >= 1.5, (letter, recovery, lost)
    assert check("07.both_true", qualifying).correct
    assert not check("07.both_true", qualifying | {"a"}).correct


def test_scenario_rates_table_and_unknown_scenario():
    table = reconcile_gap.scenario_rates(["c"], n=2_000)
    assert table["scenario"].tolist() == ["c"] and 0 <= table["recovery_pct"].iloc[0] <= 100
    with pytest.raises(ParameterError, match="z"):
        reconcile_gap.scenario_model("z")


def test_shapley_answer():
    # Fictional gaps 2 / 6 / 3 / 15: A first 6 - 2 = 4, A second 15 - 3 = 12, mean 8.
    assert check("07.shapley_by_hand", (4 + 12) / 2).correct
    assert not check("07.shapley_by_hand", 4).correct and not check("07.shapley_by_hand", 6.5).correct


def test_lesson_07_no_longer_asks_the_moved_questions():
    from iaptlab.exercises import question_ids
    assert question_ids("07") == ["07.shapley_by_hand", "07.both_true", "07.interview_measures"]


# ---------------------------------------------------------------- lesson 02's interview control


def test_definitions_explorer_interview_control_moves_only_loss_of_diagnosis():
    # The 02 definitions explorer shares the interview assumption with 07: "also disorders ..."
    # adds unseen disorders (the INTERVIEW_MEASURES values) and nothing else, so every
    # questionnaire row is identical and loss of diagnosis falls.
    from iaptlab.cohort_model import INTERVIEW_MEASURES
    from iaptlab.explorers import definitions as definitions_explorer

    same, more = INTERVIEW_MEASURES
    prepared = definitions_explorer.prepare(n=4_000, seed=5)
    assert set(prepared) == {same, more}
    tables = {choice: definitions_explorer.compute(prepared, interview_measures=choice).table
              .set_index("definition") for choice in (same, more)}
    questionnaire_rows = [d for d in tables[same].index if "diagnosis" not in d]
    assert len(questionnaire_rows) >= 4
    assert tables[same].loc[questionnaire_rows].equals(tables[more].loc[questionnaire_rows])
    lost = "loss of diagnosis (blind interview)"
    assert tables[more].loc[lost, "rate"] < tables[same].loc[lost, "rate"]
    # the "same" cohort is the lesson cohort's model: no one has an unseen disorder
    assert INTERVIEW_MEASURES[same] == {"share_with_unseen_disorder": 0.0}
    assert CohortModel.interview_sees_questionnaires().share_with_unseen_disorder == 0.0


def test_the_lessons_own_models_simulate_valid_tables_at_full_size():
    # the lesson's waterfalls do not check simulate()'s table at run time (waterfall_table's
    # check_table is off by default: they never read it); this checks it for the very models they use
    from iaptlab.lesson_cohort import LESSON_N, LESSON_SEED
    from iaptlab.schema import validate

    for preset in ("interview_sees_questionnaires", "interview_sees_more"):
        checked = validate(simulate(getattr(CohortModel, preset)(n=LESSON_N, seed=LESSON_SEED)))
        assert checked.ok and len(checked.excluded) == 0 and len(checked.table) == LESSON_N
