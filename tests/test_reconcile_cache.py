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
