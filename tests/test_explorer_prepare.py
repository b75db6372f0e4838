"""Explorers that count a simulated cohort without validating it (issue 15 item 7: lessons 01 and 08's
first chart sooner) give the counts of the validated cohort, the lessons' own path."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.change_and_cost import change_counts
from iaptlab.explorers import change_and_cost as cc_explorer
from iaptlab.explorers import measurement_error as me_explorer
from iaptlab.lesson_cohort import fresh_lesson_cohort, lesson_cohort
from iaptlab.measurement_error import first_score_counts
from iaptlab.simulate import CohortModel, simulate


def _same_counts(a, b) -> None:
    assert np.array_equal(a.matrix, b.matrix)
    assert (a.finishers, a.referrals, a.national_finishers, a.national_year) == (
        b.finishers, b.referrals, b.national_finishers, b.national_year)


@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 3_000), seed=st.integers(0, 2**31 - 1))
def test_counting_the_simulated_table_equals_counting_the_validated_cohort(n, seed):
    table = simulate(CohortModel.interview_sees_questionnaires(n=n, seed=seed))
    validated = fresh_lesson_cohort(n, seed)
    assert validated.excluded.empty  # nothing for validation to take out: why the shortcut is exact
    _same_counts(change_counts(table), change_counts(validated))
    pd.testing.assert_frame_equal(first_score_counts(table), first_score_counts(validated))


def test_first_score_counts_leave_out_missing_scores_in_a_plain_table():
    table = pd.DataFrame({"phq9_first": [10.0, np.nan, 10.0, 3.0], "gad7_first": [np.nan, 8.0, 8.0, 8.0]})
    counts = first_score_counts(table)
    phq9 = counts[counts["instrument"] == "PHQ-9"]
    assert dict(zip(phq9["score"], phq9["count"], strict=True)) == {3: 1, 10: 2}
    assert counts.loc[counts["instrument"] == "GAD-7", "count"].tolist() == [3]


def test_the_lesson_explorers_prepare_what_the_validated_lesson_cohort_gives():
    _same_counts(cc_explorer.prepare(), change_counts(fresh_lesson_cohort()))
    pd.testing.assert_frame_equal(me_explorer.prepare(), first_score_counts(lesson_cohort()))
