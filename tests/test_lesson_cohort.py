"""The shared lesson cohort (issue 15 item 7): one cohort while anyone holds it, freed when no one does,
and the explorer views of it that give the full cohort's numbers.

Every lean path is compared with the plain one (a freshly validated cohort, ``compute`` on the
whole table), never with numbers copied from an output.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iaptlab.lesson_cohort as lessons
from iaptlab.explorers import thresholds
from iaptlab.lesson_cohort import LESSON_N, LESSON_SEED, fresh_lesson_cohort, lesson_cohort
from iaptlab.schema import TRUE_STATE_PREFIX

SMALL_N = 2_500


@pytest.fixture
def builds(monkeypatch) -> list[tuple[int, int]]:
    """Each (n, seed) that :func:`lesson_cohort` builds, recorded (the build itself unchanged)."""
    built: list[tuple[int, int]] = []

    def recording(n: int = LESSON_N, seed: int = LESSON_SEED):
        built.append((n, seed))
        return fresh_lesson_cohort(n, seed)

    monkeypatch.setattr(lessons, "fresh_lesson_cohort", recording)
    return built


def test_one_cohort_while_it_is_held_however_its_size_and_seed_are_written(builds):
    held = lesson_cohort(SMALL_N, 11)
    assert lesson_cohort(SMALL_N, 11) is held
    assert lesson_cohort(n=SMALL_N, seed=11) is held
    assert lesson_cohort(np.int64(SMALL_N), 11) is held  # a numpy integer is the same size
    assert builds == [(SMALL_N, 11)]


def test_another_size_or_seed_is_another_cohort(builds):
    held = lesson_cohort(SMALL_N, 11)
    other_seed, other_size = lesson_cohort(SMALL_N, 12), lesson_cohort(SMALL_N + 1, 11)
    assert other_seed is not held and other_size is not held
    assert not other_seed.table["phq9_first"].equals(held.table["phq9_first"])
    assert len(other_size.table) + len(other_size.excluded) == SMALL_N + 1
    assert builds == [(SMALL_N, 11), (SMALL_N, 12), (SMALL_N + 1, 11)]


def test_the_defaults_and_the_lesson_size_and_seed_are_one_cohort(builds):
    # lesson 02 once held two 100,000-referral cohorts: lesson_cohort() and lesson_cohort(N, SEED)
    held = lesson_cohort()
    assert lesson_cohort(LESSON_N, LESSON_SEED) is held
    assert builds == [(LESSON_N, LESSON_SEED)]


def test_a_cohort_no_one_holds_is_freed_and_built_again_with_the_same_numbers(builds):
    first = lesson_cohort(SMALL_N, 13)
    table = first.table.copy()
    del first
    gc.collect()
    again = lesson_cohort(SMALL_N, 13)
    assert builds == [(SMALL_N, 13), (SMALL_N, 13)]
    pd.testing.assert_frame_equal(again.table, table)


def test_the_shared_cohort_equals_a_fresh_one_in_every_public_part():
    shared, fresh = lesson_cohort(SMALL_N, 17), fresh_lesson_cohort(SMALL_N, 17)
    pd.testing.assert_frame_equal(shared.table, fresh.table, check_dtype=False, check_exact=True)
    narrowed = {c: (fresh.table[c].dtype, shared.table[c].dtype) for c in shared.table.columns
                if shared.table[c].dtype != fresh.table[c].dtype}
    assert narrowed and set(narrowed.values()) == {(np.dtype("float64"), np.dtype("float32"))}
    assert {"phq9_first", "true_phq9_last"} <= set(narrowed)
    assert shared.table["row"].dtype == shared.table["treatment_contacts"].dtype == np.int64
    assert shared.table.memory_usage(deep=True).sum() < 0.7 * fresh.table.memory_usage(deep=True).sum()
    pd.testing.assert_frame_equal(shared.excluded, fresh.excluded)
    assert shared.problems == fresh.problems
    assert (shared.ok, shared.invalid_rows, shared.renamed) == (fresh.ok, fresh.invalid_rows, fresh.renamed)


# ------------------------------------------------------------------ lesson 02's threshold explorer


@pytest.fixture(scope="module")
def cohort():
    return lesson_cohort(SMALL_N, 19)


@pytest.fixture(scope="module")
def view(cohort):
    return thresholds.prepare(SMALL_N, 19)


def test_the_threshold_view_holds_only_the_rule_columns_and_shares_them(cohort, view):
    columns = list(view.table.columns)
    assert not any(c.startswith(TRUE_STATE_PREFIX) for c in columns)
    assert {"treatment_contacts", "phq9_first", "gad7_last", "diagnosis_last", "row"} <= set(columns)
    assert len(view.table) == len(cohort.table) and view.table.index.equals(cohort.table.index)
    for column in ("treatment_contacts", "phq9_first", "gad7_last"):
        assert np.shares_memory(view.table[column].to_numpy(), cohort.table[column].to_numpy()), column


def test_the_threshold_view_leaves_the_cohort_untouched(cohort, view):
    before = cohort.table.copy()
    thresholds.compute(view, phq9_caseness=5, min_treatment_contacts=1)
    pd.testing.assert_frame_equal(cohort.table, before)


def _same_result(a, b) -> None:
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.sentence == b.sentence
    assert a.chart.to_dict(validate=False) == b.chart.to_dict(validate=False)


_CONTROLS = {c.name: c for c in thresholds.CONTROLS}


def _int_control(name: str):
    control = _CONTROLS[name]
    return st.integers(int(control.minimum), int(control.maximum))


@settings(max_examples=20, deadline=None)
@given(phq9=_int_control("phq9_caseness"), gad7=_int_control("gad7_caseness"),
       phq9_rc=_int_control("phq9_reliable_change"), gad7_rc=_int_control("gad7_reliable_change"),
       contacts=_int_control("min_treatment_contacts"),
       comparison=st.sampled_from([v for v, _ in _CONTROLS["reliable_change_comparison"].options]),
       denominator=st.sampled_from([v for v, _ in _CONTROLS["denominator"].options]))
def test_the_threshold_view_gives_the_whole_cohorts_table_chart_and_sentence(
        cohort, view, phq9, gad7, phq9_rc, gad7_rc, contacts, comparison, denominator):
    params = dict(phq9_caseness=phq9, gad7_caseness=gad7, phq9_reliable_change=phq9_rc,
                  gad7_reliable_change=gad7_rc, min_treatment_contacts=contacts,
                  reliable_change_comparison=comparison, denominator=denominator)
    _same_result(thresholds.compute(view, **params), thresholds.compute(cohort, **params))


@pytest.mark.parametrize("edge", ["minimum", "maximum"])
def test_the_threshold_view_agrees_at_every_slider_end(cohort, view, edge):
    params = {name: int(getattr(c, edge)) for name, c in _CONTROLS.items() if c.kind == "int"}
    _same_result(thresholds.compute(view, **params), thresholds.compute(cohort, **params))


def test_the_page_data_of_the_view_equal_the_whole_cohorts(cohort, view):
    assert thresholds.browser_data(view) == thresholds.browser_data(cohort)


def test_calibration_reuses_a_cohort_built_already_with_the_same_numbers():
    from iaptlab.errors import ParameterError
    from iaptlab.simulate import CohortModel, calibration_table

    model = CohortModel.interview_sees_questionnaires(n=SMALL_N, seed=5)
    reused = calibration_table(model, lesson_cohort(SMALL_N, 5))
    assert reused.equals(calibration_table(model))
    with pytest.raises(ParameterError, match="referrals"):
        calibration_table(model, lesson_cohort(SMALL_N + 1, 5))  # another cohort's size is refused


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32),
                          st.floats(allow_nan=True, allow_infinity=True)), min_size=1, max_size=30))
def test_compact_keeps_every_value_and_narrows_only_where_nothing_is_lost(values):
    table = pd.DataFrame({"x": np.array(values, dtype=np.float64), "n": np.arange(len(values))})
    compact = lessons._compact(table)
    np.testing.assert_array_equal(compact["x"].to_numpy(dtype=np.float64), table["x"].to_numpy())
    with np.errstate(over="ignore"):
        exact = np.array_equal(table["x"].to_numpy().astype(np.float32), table["x"].to_numpy(), equal_nan=True)
    assert compact["x"].dtype == (np.float32 if exact else np.float64)
    assert compact["n"].dtype == np.int64 and (compact["n"].to_numpy() == table["n"].to_numpy()).all()
