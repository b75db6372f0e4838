"""What counts as a meaningful PHQ-9 change, and what each definition costs per person counted.

Four published answers to "did this client improve?", all applied to the PHQ-9 alone, are values
(:data:`DEFINITIONS`), not ``if`` chains: IAPT's reliable change (a drop of at least
``PHQ9.reliable_change`` points; NHS Digital guide v2.1), Löwe et al.'s (2004) minimal clinically
important difference (5 points), a 20% reduction (Kounali et al., 2022) and crossing below
caseness. :func:`change_counts` tabulates a cohort once (finishers at PHQ-9 caseness by first and
last score), so :func:`definition_table` only sums an 18 × 28 table.

Cost per outcome divides an annual staff cost (:class:`iaptlab.costs.StaffingModel`) by a
national-scale count: the cohort's share counted × the national number of finishers in
:data:`NATIONAL_YEAR` (read from ``national_annual``). Arithmetic for teaching, not an estimate.

>>> required_end_score(DEFINITIONS["reliable_change"], 18), required_end_score(DEFINITIONS["percent_20"], 18)
(12, 14)
>>> sorted(definitions_met(18, 12))
['mcid_5', 'percent_20', 'reliable_change']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .costs import SCOTT_ESTIMATE_LABEL, StaffingModel, cost_per_outcome
from .errors import InputError, ParameterError, Problem
from .instruments import PHQ9
from .national import national_finishers
from .outcomes import IAPT
from .schema import Validated

__all__ = ["DEFINITIONS", "FIRST_SCORES", "LAST_SCORES", "NATIONAL_ROUNDING", "NATIONAL_YEAR",
           "ChangeCounts", "ChangeDefinition", "change_counts", "definition_table", "definitions_met",
           "required_end_score", "shown_definition_table", "staffing_model"]


#: The national year whose number of finishers scales the cohort's counts.
NATIONAL_YEAR = "2016-17"


#: National-scale counts are projections: shown to the nearest hundred, not to the person.
NATIONAL_ROUNDING = 100


#: PHQ-9 scores a finisher at caseness can start at, and end at.
FIRST_SCORES = np.arange(int(PHQ9.caseness), int(PHQ9.score_max) + 1)


LAST_SCORES = np.arange(int(PHQ9.score_min), int(PHQ9.score_max) + 1)


@dataclass(frozen=True)
class ChangeDefinition:
    """One answer to "did this PHQ-9 change count?": exactly one of the three rule fields is set.

    ``min_drop_points``: first − last ≥ this; ``min_drop_percent``: first − last ≥ this % of
    first; ``end_below``: last < this (the start is at caseness for everyone counted here).

    >>> ChangeDefinition("x", "X", "test", "none", min_drop_points=3).rule_words()
    'a drop of 3 points or more'
    """

    key: str
    label: str
    source_words: str
    source_key: str
    min_drop_points: int | None = None
    min_drop_percent: int | None = None
    end_below: int | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.min_drop_points, self.min_drop_percent, self.end_below) if v is not None]
        if len(given) != 1:
            raise ParameterError(f"definition {self.key}: set exactly one rule field, got {len(given)}")

    def rule_words(self) -> str:
        """The rule in plain words."""
        if self.min_drop_points is not None:
            return f"a drop of {self.min_drop_points} points or more"
        if self.min_drop_percent is not None:
            return f"a drop of {self.min_drop_percent}% of the starting score or more"
        return f"ending below {self.end_below} (from {self.end_below} or more)"


DEFINITIONS: dict[str, ChangeDefinition] = {
    "reliable_change": ChangeDefinition(
        "reliable_change", f"IAPT reliable change ({PHQ9.reliable_change:g} points)", "NHS Digital guide v2.1 [C]", "nhsd_guide_v21",
        min_drop_points=int(PHQ9.reliable_change)),
    "mcid_5": ChangeDefinition(
        "mcid_5", "Löwe MCID (5 points)", "Löwe et al., 2004 [C]", "lowe_2004", min_drop_points=5),
    "percent_20": ChangeDefinition(
        "percent_20", "20% reduction", "Kounali et al., 2022, guide for moderately severe symptoms [C]",
        "kounali_2022", min_drop_percent=20),
    "below_caseness": ChangeDefinition(
        "below_caseness", f"crossing below caseness ({PHQ9.caseness:g} → {PHQ9.caseness - 1:g} or less)", "NHS Digital guide v2.1 [C]",
        "nhsd_guide_v21", end_below=int(PHQ9.caseness)),
}


def required_end_score(definition: ChangeDefinition, first: int | np.ndarray) -> int | np.ndarray:
    """The highest last PHQ-9 score that counts as improved for a client starting at ``first``.

    Integer arithmetic throughout, so "20% of 15" is exactly 3 points (last ≤ 12).

    >>> required_end_score(DEFINITIONS["percent_20"], 15), required_end_score(DEFINITIONS["below_caseness"], 27)
    (12, 9)
    """
    first = np.asarray(first, dtype=np.int64)
    if definition.min_drop_points is not None:
        end = first - definition.min_drop_points
    elif definition.min_drop_percent is not None:
        end = first * (100 - definition.min_drop_percent) // 100
    else:
        end = np.full_like(first, definition.end_below - 1)
    return int(end) if end.ndim == 0 else end


def definitions_met(first: int, last: int) -> set[str]:
    """Keys of the definitions a change from ``first`` to ``last`` (PHQ-9, first at caseness) meets.

    >>> sorted(definitions_met(12, 9))
    ['below_caseness', 'percent_20']
    """
    problems = [Problem(None, name, f"must be a whole PHQ-9 score {lo}-{hi}, got {value!r}")
                for name, value, lo, hi in (("first", first, FIRST_SCORES[0], FIRST_SCORES[-1]),
                                            ("last", last, LAST_SCORES[0], LAST_SCORES[-1]))
                if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi]
    if problems:
        raise InputError(problems)
    return {key for key, d in DEFINITIONS.items() if last <= required_end_score(d, first)}


@dataclass(frozen=True)
class ChangeCounts:
    """The cohort tabulated once: ``matrix[i, j]`` = finishers with first PHQ-9 FIRST_SCORES[i] and
    last LAST_SCORES[j]; ``finishers`` = all finishers; ``national_finishers`` = the scaling year's."""

    matrix: np.ndarray
    finishers: int
    referrals: int
    national_finishers: int
    national_year: str = NATIONAL_YEAR


def change_counts(cohort: Validated | pd.DataFrame, year: str = NATIONAL_YEAR) -> ChangeCounts:
    """Tabulate finishers (IAPT: 2+ treatment contacts) at PHQ-9 caseness with both PHQ-9 scores.

    >>> from iaptlab.lesson_cohort import lesson_cohort
    >>> counts = change_counts(lesson_cohort(2_000))
    >>> counts.matrix.shape, bool(counts.matrix.sum() <= counts.finishers)
    ((18, 28), True)
    """
    table = cohort.table if isinstance(cohort, Validated) else cohort
    contacts = table["treatment_contacts"].to_numpy(dtype=float, na_value=np.nan)
    first = table["phq9_first"].to_numpy(dtype=float, na_value=np.nan)
    last = table["phq9_last"].to_numpy(dtype=float, na_value=np.nan)
    finished = contacts >= IAPT.min_treatment_contacts
    keep = finished & np.isfinite(first) & np.isfinite(last) & (first >= FIRST_SCORES[0])
    if keep.any() and (np.any(first[keep] % 1) or np.any(last[keep] % 1)):
        raise InputError([Problem(None, "phq9_first/phq9_last", "PHQ-9 totals must be whole numbers")])
    rows = first[keep].astype(np.int64) - FIRST_SCORES[0]
    cols = last[keep].astype(np.int64) - LAST_SCORES[0]
    flat = np.bincount(rows * len(LAST_SCORES) + cols, minlength=len(FIRST_SCORES) * len(LAST_SCORES))
    return ChangeCounts(matrix=flat.reshape(len(FIRST_SCORES), len(LAST_SCORES)),
                        finishers=int(finished.sum()), referrals=len(table),
                        national_finishers=national_finishers(year), national_year=year)


def _met_matrix(definition: ChangeDefinition) -> np.ndarray:
    return LAST_SCORES[None, :] <= required_end_score(definition, FIRST_SCORES)[:, None]


_MET = {key: _met_matrix(d) for key, d in DEFINITIONS.items()}


def definition_table(counts: ChangeCounts, baseline_phq9: int, annual_cost: float) -> pd.DataFrame:
    """One row per definition: what it asks at the baseline, whom it counts, cost per outcome."""
    at_baseline = counts.matrix[baseline_phq9 - FIRST_SCORES[0]]
    starters = int(at_baseline.sum())
    keys = list(DEFINITIONS)
    counted_at_baseline = np.array([at_baseline[_MET[k][baseline_phq9 - FIRST_SCORES[0]]].sum() for k in keys])
    counted = np.array([counts.matrix[_MET[k]].sum() for k in keys])
    share = counted / counts.finishers if counts.finishers else np.full(len(keys), np.nan)
    national = (np.round(share * counts.national_finishers / NATIONAL_ROUNDING) * NATIONAL_ROUNDING).astype(np.int64)
    costs = cost_per_outcome(annual_cost, dict(zip(keys, national.tolist(), strict=True)))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_at_baseline = counted_at_baseline / starters if starters else np.full(len(keys), np.nan)
    return pd.DataFrame({
        "definition": [DEFINITIONS[k].label for k in keys],
        "key": keys,
        "end at or below": [required_end_score(DEFINITIONS[k], baseline_phq9) for k in keys],
        "counted at baseline": counted_at_baseline.astype(np.int64),
        "finishers at baseline": starters,
        "share at baseline": share_at_baseline,
        "counted in cohort": counted.astype(np.int64),
        "share of cohort finishers": share,
        f"national-scale count ({counts.national_year})": national,
        "cost per outcome (£)": costs["cost_per_outcome"].to_numpy(),
    })


def shown_definition_table(table: pd.DataFrame, baseline_phq9: int) -> pd.DataFrame:
    """A :func:`definition_table` as shown: columns named for ``baseline_phq9``, shares in percent
    (one decimal), cost per outcome in whole pounds; the ``key`` and starters columns dropped.

    >>> from iaptlab.lesson_cohort import lesson_cohort
    >>> t = definition_table(change_counts(lesson_cohort(2_000)), 15, 1e9)
    >>> shown_definition_table(t, 15).columns.tolist()[1]
    'start 15: end at or below'
    """
    starters = int(table["finishers at baseline"].iloc[0])
    shown = table.drop(columns=["key", "finishers at baseline"]).rename(columns={
        "end at or below": f"start {baseline_phq9}: end at or below",
        "counted at baseline": f"counted, of {starters:,} who started at {baseline_phq9}",
        "share at baseline": f"% of those who started at {baseline_phq9}",
        "share of cohort finishers": "% of cohort finishers"})
    for column in (f"% of those who started at {baseline_phq9}", "% of cohort finishers"):
        shown[column] = (100 * shown[column]).round(1)
    shown["cost per outcome (£)"] = shown["cost per outcome (£)"].round(0)
    return shown


def staffing_model(staff: float, cost_per_staff: float, overhead_factor: float) -> tuple[StaffingModel, str]:
    """The staffing model for these assumptions and how to word it: Scott's own estimate (the
    :class:`~iaptlab.costs.StaffingModel` defaults, **not an official figure**) or the user's.

    >>> staffing_model(13_000, 35_000, 1.0)[1]
    "Scott's own estimate, not an official figure"
    >>> staffing_model(10_000, 35_000, 1.2)[1]
    'your assumptions: 10,000 staff × £35,000 × 1.2 for overheads'
    """
    scott = StaffingModel()
    is_scott = (staff, cost_per_staff, overhead_factor) == (scott.staff, scott.cost_per_staff, scott.overhead_factor)
    label = SCOTT_ESTIMATE_LABEL if is_scott else "your assumptions (staff × cost per staff × overheads)"
    model = StaffingModel(staff=staff, cost_per_staff=cost_per_staff, overhead_factor=overhead_factor, label=label)
    words = ("Scott's own estimate, not an official figure" if is_scott
             else f"your assumptions: {staff:,.0f} staff × £{cost_per_staff:,.0f} × {overhead_factor:g} for overheads")
    return model, words
