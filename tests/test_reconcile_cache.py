"""The waterfall's caches (rates and small courses kept between calls) change no number."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from iaptlab import reconcile
from iaptlab.reconcile import FIVE_GROUPS, NOT_READ_BY_COURSE, waterfall_table
from iaptlab.simulate import CohortModel, course_of, draw

#: A value for each interview-only parameter that differs from both presets'.
_OTHER = {"relapse_within_12_months": 0.9, "months_from_end_to_interview": 11.0,
          "unseen_disorder_remission": 0.05, "share_with_unseen_disorder": 0.7, "interview_sensitivity": 0.61,
          "interview_specificity": 0.62, "interviewed_odds_ratio_still_ill": 7.0}


def _same_course(a, b) -> bool:
    for f in dataclasses.fields(a):
        if not f.compare:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "steps":
            if len(x) != len(y) or any(not _same_course(s, t) for s, t in zip(x, y, strict=True)):
                return False
        elif isinstance(x, np.ndarray):
            if not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def test_every_interview_only_parameter_is_listed_once():
    assert set(_OTHER) == set(NOT_READ_BY_COURSE)


@pytest.mark.parametrize("preset", ["interview_sees_questionnaires", "interview_sees_more"])
@pytest.mark.parametrize("dropout", ["mcar", "mar"])
@pytest.mark.parametrize("name", NOT_READ_BY_COURSE)
def test_the_course_never_reads_an_interview_only_parameter(preset, dropout, name):
    model = dataclasses.replace(getattr(CohortModel, preset)(n=600, seed=3), dropout_mechanism=dropout)
    moved = dataclasses.replace(model, **{name: _OTHER[name]})
    assert getattr(moved, name) != getattr(model, name)
    draws = draw(model.n, model.seed)
    assert _same_course(course_of(model, draws), course_of(moved, draws))


def _clear(monkeypatch) -> None:
    reconcile.forget_computed()


@pytest.mark.parametrize("change", [{"treatment_effect_d": 0.4}, {"relapse_within_12_months": 0.1},
                                    {"interview_sensitivity": 0.7}, {"demand_shift_points": 3.0}])
def test_a_waterfall_after_another_equals_one_computed_afresh(monkeypatch, change):
    _clear(monkeypatch)
    base = CohortModel.interview_sees_more(n=1500, seed=5)
    moved = dataclasses.replace(base, **change)
    waterfall_table(base, groups=FIVE_GROUPS, method="exact")  # fills the caches
    warm = waterfall_table(moved, groups=FIVE_GROUPS, method="exact")
    _clear(monkeypatch)
    cold = waterfall_table(moved, groups=FIVE_GROUPS, method="exact")
    assert warm.equals(cold) and warm.attrs == cold.attrs


def test_an_interview_setting_reuses_every_course(monkeypatch):
    _clear(monkeypatch)
    made = []
    monkeypatch.setattr(reconcile, "course_of", lambda model, draws: made.append(1) or course_of(model, draws))
    base = CohortModel.interview_sees_more(n=800, seed=5)
    waterfall_table(base, groups=FIVE_GROUPS, method="exact")
    first = len(made)
    waterfall_table(dataclasses.replace(base, relapse_within_12_months=0.2), groups=FIVE_GROUPS, method="exact")
    assert first > 0 and len(made) == first


def test_caches_stay_bounded_and_big_cohorts_keep_no_course(monkeypatch):
    _clear(monkeypatch)
    monkeypatch.setattr(reconcile, "_RATES_KEPT", 5)
    monkeypatch.setattr(reconcile, "_COURSE_KEPT_UP_TO_N", 500)
    waterfall_table(CohortModel(n=501, seed=2), groups=FIVE_GROUPS, method="exact")
    assert len(reconcile._RATES) == 5 and reconcile._COURSES == {}  # the module's own stores, bounded


def _counting_courses(monkeypatch) -> list:
    made = []
    monkeypatch.setattr(reconcile, "course_of", lambda model, draws: made.append(model) or course_of(model, draws))
    return made


@pytest.mark.parametrize("method", ["exact", "sampled"])
def test_a_big_waterfall_makes_each_course_once_and_keeps_none(monkeypatch, method):
    # tables are made course by course: every distinct course once, none kept for the next call
    _clear(monkeypatch)
    monkeypatch.setattr(reconcile, "_COURSE_KEPT_UP_TO_N", 500)
    made = _counting_courses(monkeypatch)
    model = CohortModel.interview_sees_more(n=501, seed=4)
    table = waterfall_table(model, method=method, pairs=3, check_table=False)
    keys = [tuple(getattr(m, f.name) for f in dataclasses.fields(m) if f.name not in NOT_READ_BY_COURSE)
            for m in made]
    assert len(keys) == len(set(keys)) > 1 and reconcile._COURSES == {}
    reconcile.forget_computed()
    assert waterfall_table(model, method=method, pairs=3, check_table=False).equals(table)


@pytest.mark.parametrize(("k", "pairs", "seed"), [(2, 2, 0), (5, 3, 1), (11, 64, 2021)])
def test_the_coalitions_recorded_in_advance_are_those_a_sampled_run_values(k, pairs, seed):
    # the recording pass draws the very orders of the real one (values play no part in the draw)
    from iaptlab._shapley import sampled_shapley

    valued = set()
    sampled_shapley(lambda mask: valued.add(mask) or float(mask % 7), k, pairs, np.random.default_rng(seed))
    assert set(reconcile._coalitions(k, True, pairs, seed)) == valued
    assert reconcile._coalitions(k, False, pairs, seed) == list(range(2**k))


def test_waterfalls_sharing_courses_equal_separate_ones_and_share_every_course(monkeypatch):
    _clear(monkeypatch)
    monkeypatch.setattr(reconcile, "_COURSE_KEPT_UP_TO_N", 500)
    same = CohortModel.interview_sees_questionnaires(n=900, seed=6)
    more = CohortModel.interview_sees_more(n=900, seed=6)  # differs only in what the interview sees
    made = _counting_courses(monkeypatch)
    with reconcile.sharing_courses():
        together = [waterfall_table(m, groups=FIVE_GROUPS, method="exact", check_table=False) for m in (same, more)]
        after_first = len(made)
    assert after_first > 0 and len(made) == after_first  # nothing made for the second model
    assert reconcile._SHARED is None  # dropped at the end of the block
    reconcile.forget_computed()
    for model, table in zip((same, more), together, strict=True):
        assert waterfall_table(model, groups=FIVE_GROUPS, method="exact", check_table=False).equals(table)


def test_the_simulated_table_is_checked_once_per_model_and_a_bad_one_is_refused(monkeypatch):
    from iaptlab.errors import InputError
    from iaptlab.simulate import simulate

    _clear(monkeypatch)
    simulated = []
    monkeypatch.setattr(reconcile, "simulate", lambda model: simulated.append(model) or simulate(model))
    model = CohortModel(n=400, seed=3)
    reconcile.check_simulated_table(model)
    reconcile.check_simulated_table(model)
    reconcile.check_simulated_table(dataclasses.replace(model, seed=4))
    assert len(simulated) == 2
    monkeypatch.setattr(reconcile, "simulate", lambda model: simulate(model).drop(columns="phq9_first"))
    with pytest.raises(InputError):
        reconcile.check_simulated_table(dataclasses.replace(model, seed=5))
    with pytest.raises(InputError):  # a model refused is not remembered as checked
        reconcile.check_simulated_table(dataclasses.replace(model, seed=5))


@pytest.mark.parametrize("change", [{}, {"select_on_first_measurement": False}, {"dropout_mechanism": "mar"},
                                    {"interviewed_odds_ratio_still_ill": 1.0}, {"treatment_effect_d": 0.0},
                                    {"months_from_end_to_interview": 0.0, "share_with_unseen_disorder": 0.0}])
@pytest.mark.parametrize("preset", ["interview_sees_questionnaires", "interview_sees_more"])
def test_model_rates_are_exactly_the_rates_of_the_classified_simulated_table(preset, change):
    from iaptlab.outcomes import classify
    from iaptlab.reconcile import OUTCOMES, model_rates, outcome_rate
    from iaptlab.simulate import simulate

    model = dataclasses.replace(getattr(CohortModel, preset)(n=3000, seed=12), **change)
    classified = classify(simulate(model))
    expected = {o: outcome_rate(classified, o, select_on_first_measurement=model.select_on_first_measurement,
                                interviewed_odds_ratio_still_ill=model.interviewed_odds_ratio_still_ill
                                if OUTCOMES[o] == "interview" else 1.0) for o in OUTCOMES}
    assert model_rates(model, OUTCOMES) == expected  # bit for bit, not approximately
    assert list(model_rates(model, ("diagnosis_lost",))) == ["diagnosis_lost"]


def test_model_rates_refuse_an_unknown_outcome():
    from iaptlab.errors import ParameterError
    from iaptlab.reconcile import model_rates

    with pytest.raises(ParameterError, match="recovery"):
        model_rates(CohortModel(n=100), ("recovery",))


def test_a_waterfall_asked_again_is_an_independent_copy_of_the_first(monkeypatch):
    _clear(monkeypatch)
    model = CohortModel.interview_sees_more(n=700, seed=9)
    first = waterfall_table(model, groups=FIVE_GROUPS, method="exact")
    again = waterfall_table(model, groups=FIVE_GROUPS, method="exact")
    assert again.equals(first) and again.attrs == first.attrs and again is not first
    again.loc[0, "value"] = 2.0  # changing a returned table changes no later answer
    assert waterfall_table(model, groups=FIVE_GROUPS, method="exact").equals(first)
    # every argument is part of what was asked: another number of sampled pairs is computed afresh
    three = waterfall_table(model, method="sampled", pairs=3)
    four = waterfall_table(model, method="sampled", pairs=4)
    assert (three.attrs["pairs"], four.attrs["pairs"]) == (3, 4)
    assert not three["standard_error"].equals(four["standard_error"])


def test_the_table_check_runs_only_when_asked_for_and_refuses_a_bad_table(monkeypatch):
    from iaptlab.errors import InputError
    from iaptlab.simulate import simulate

    _clear(monkeypatch)
    simulated = []
    monkeypatch.setattr(reconcile, "simulate", lambda model: simulated.append(model) or simulate(model).iloc[:, 1:])
    model = CohortModel(n=400, seed=13)
    waterfall_table(model, mechanisms=("demand",))
    assert simulated == []  # off by default: the waterfall never reads simulate()'s table
    with pytest.raises(InputError):
        waterfall_table(model, mechanisms=("demand",), check_table=True)
    assert simulated == [model]


@pytest.mark.parametrize("dropout", ["mcar", "mar"])
@pytest.mark.parametrize("select", [True, False])
@pytest.mark.parametrize("name", NOT_READ_BY_COURSE)
def test_no_questionnaire_rate_reads_an_interview_only_parameter(name, select, dropout):
    # what lets the waterfall keep questionnaire tables under the interview-only defaults
    from iaptlab.reconcile import OUTCOMES, model_rates

    questionnaire = [o for o, side in OUTCOMES.items() if side == "questionnaire"]
    model = dataclasses.replace(CohortModel.interview_sees_more(n=1200, seed=7), select_on_first_measurement=select,
                                dropout_mechanism=dropout)
    moved = dataclasses.replace(model, **{name: _OTHER[name]})
    assert model_rates(moved, questionnaire) == model_rates(model, questionnaire)


def test_an_interview_setting_recomputes_no_questionnaire_table(monkeypatch):
    _clear(monkeypatch)
    sides = []
    real = reconcile.episode_columns
    monkeypatch.setattr(reconcile, "episode_columns",
                        lambda *a, **k: sides.append(k["questionnaires"]) or real(*a, **k))
    base = CohortModel.interview_sees_more(n=800, seed=5)
    waterfall_table(base, groups=FIVE_GROUPS, method="exact")
    assert True in sides
    sides.clear()
    for name, value in _OTHER.items():
        waterfall_table(dataclasses.replace(base, **{name: value}), groups=FIVE_GROUPS, method="exact")
    assert True not in sides and False in sides


def test_the_kept_draws_are_a_small_cohorts_own_and_cannot_be_changed(monkeypatch):
    _clear(monkeypatch)
    kept = reconcile._draws(900, 3)
    fresh = draw(900, 3)
    for f in dataclasses.fields(fresh):
        value = getattr(kept, f.name)
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, getattr(fresh, f.name)) and not value.flags.writeable
    assert reconcile._draws(900, 3) is kept and reconcile._draws(900, 4) is not kept
    assert reconcile._draws(5000, 3) is not reconcile._draws(5000, 3)  # big cohorts: none kept
    with pytest.raises(ValueError):
        kept.depression_z[0] = 0.0
