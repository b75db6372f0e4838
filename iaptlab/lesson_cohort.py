"""The simulated cohort the lessons share (lesson size and seed), built once and shared while in use.

:func:`lesson_cohort` hands every caller in a kernel the same cohort for as long as anyone (a
notebook variable, an explorer) still holds it, and forgets it once no one does: a lesson that
keeps only counts derived from the cohort does not carry its 100,000 referrals to the end.

>>> cohort = lesson_cohort(2_000)
>>> len(cohort.table) + len(cohort.excluded)
2000
>>> lesson_cohort(2_000) is cohort  # still held above: the same object, not built again
True
"""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd

from .schema import Validated, validate
from .simulate import CohortModel, simulate

__all__ = ["LESSON_N", "LESSON_SEED", "fresh_lesson_cohort", "lesson_cohort"]

#: Size and seed of the cohort every lesson uses (a large service's year, not a national one).
LESSON_N = 100_000
LESSON_SEED = 2026


def fresh_lesson_cohort(n: int = LESSON_N, seed: int = LESSON_SEED) -> Validated:
    """``simulate(CohortModel.interview_sees_questionnaires(n, seed))``, validated, built anew and not
    kept: for a caller that keeps only what it derives from it.

    >>> pd.testing.assert_frame_equal(fresh_lesson_cohort(500).table, lesson_cohort(500).table,
    ...                               check_dtype=False)  # the same numbers; lesson_cohort's narrower
    """
    return validate(simulate(CohortModel.interview_sees_questionnaires(n=n, seed=seed)))


#: The cohorts someone still holds, by (n, seed); an entry goes when its last holder lets go.
_HELD: weakref.WeakValueDictionary[tuple[int, int], Validated] = weakref.WeakValueDictionary()
_BUILDING = threading.Lock()


def _without_source(checked: Validated) -> Validated:
    """``checked`` with the same numbers, excluded rows, problems and renamings, without the copy of
    the input that :func:`~iaptlab.schema.validate` keeps to word problems on demand (a second
    8 MB table at 100,000 referrals; a simulated cohort has none to word), its table :func:`_compact`."""
    return Validated(_compact(checked.table), checked.excluded, checked.problems, renamed=checked.renamed)


def _compact(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with each float64 column whose every value is a float32 stored as float32: the same
    numbers in half the memory (the simulation draws scores and true states in float32;
    :func:`~iaptlab.schema.validate` widens them). 15 of the cohort's columns: 15 MB -> 9 MB at
    100,000 referrals, held for a whole lesson. Scores are whole numbers, so any sum of them is exact
    in float32 (below 2**24); a mean or SD a learner takes of them is float32, good to about seven
    digits. Integer columns (row numbers, contact counts) keep int64: a product of them cannot overflow.

    >>> table = _compact(pd.DataFrame({"score": [12.0, np.nan], "share": [0.1, 0.5], "n": [2, 3]}))
    >>> table.dtypes.astype(str).tolist()  # 0.1 is no float32: kept as float64
    ['float32', 'float64', 'int64']
    """
    narrowed = {}
    for name in table.columns:
        if table[name].dtype == np.float64:
            values = table[name].to_numpy()
            with np.errstate(over="ignore"):  # a value beyond float32's range: not equal, kept
                single = values.astype(np.float32)
            if np.array_equal(single, values, equal_nan=True):
                narrowed[name] = single
    return table.assign(**narrowed) if narrowed else table


def lesson_cohort(n: int = LESSON_N, seed: int = LESSON_SEED) -> Validated:
    """:func:`fresh_lesson_cohort`, shared: every call while the cohort is still held somewhere
    returns that same object (the same numbers, its float columns float32 where every value is one:
    :func:`_compact`; the same numbers every call; ``lesson_cohort()`` and
    ``lesson_cohort(LESSON_N, LESSON_SEED)`` are one cohort). Once nothing holds it, it is freed,
    and the next call builds it again (seeded: the same numbers).

    >>> a = lesson_cohort(300, 7)
    >>> lesson_cohort(n=300, seed=7) is a, lesson_cohort(300, 8) is a
    (True, False)
    """
    key = (int(n), int(seed))
    with _BUILDING:
        cohort = _HELD.get(key)
        if cohort is None:
            cohort = _without_source(fresh_lesson_cohort(*key))
            _HELD[key] = cohort
    return cohort
