"""The simulated cohort the lessons share (lesson size and seed), built once per kernel.

>>> cohort = lesson_cohort(2_000)
>>> len(cohort.table) + len(cohort.excluded)
2000
"""

from __future__ import annotations

from functools import lru_cache

from .schema import Validated, validate
from .simulate import CohortModel, simulate

__all__ = ["LESSON_N", "LESSON_SEED", "fresh_lesson_cohort", "lesson_cohort"]

#: Size and seed of the cohort every lesson uses (a large service's year, not a national one).
LESSON_N = 100_000
LESSON_SEED = 2026


def fresh_lesson_cohort(n: int = LESSON_N, seed: int = LESSON_SEED) -> Validated:
    """``simulate(CohortModel.interview_sees_questionnaires(n, seed))``, validated, built anew and not
    kept: for a caller that keeps only what it derives from it (the cache would hold every column
    of 100,000 referrals in a learner's kernel for the rest of the lesson).

    >>> fresh_lesson_cohort(500).table.equals(lesson_cohort(500).table)
    True
    """
    return validate(simulate(CohortModel.interview_sees_questionnaires(n=n, seed=seed)))


@lru_cache(maxsize=4)
def lesson_cohort(n: int = LESSON_N, seed: int = LESSON_SEED) -> Validated:
    """:func:`fresh_lesson_cohort`, validated once and cached (same numbers every call)."""
    return fresh_lesson_cohort(n, seed)
