"""Loss of diagnosis on a blind interview, and one interviewed sample of k people (private).

Used by :mod:`iaptlab.reconcile`, which re-exports :func:`interviewed_sample`,
:class:`SampleEstimate` and :func:`wilson_interval`. Loss of diagnosis counts finishers who met
criteria at the first interview (or truly did, with selection off) and were interviewed again;
each is weighted by how likely they are to be among those interviewed: ``odds_ratio`` if they
still truly meet criteria at the final interview, 1 otherwise.

>>> wilson_interval(0, 10)[0]
0.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError
from .outcomes import IAPT, Rules

_Z95 = 1.959963984540054  # standard normal 97.5th percentile


class _InterviewView(dict):
    """Arrays for loss of diagnosis: present, last, first, finished, true_first, true_last."""


def _interview_view(table: pd.DataFrame | Mapping[str, np.ndarray], rules: Rules
                    ) -> _InterviewView:
    """The arrays loss of diagnosis needs, from an episode table or ``generate`` columns."""
    if isinstance(table, pd.DataFrame):
        last = table["diagnosis_last"].astype("boolean")
        columns = {"present": last.notna().to_numpy(dtype=bool),
                   "last": last.fillna(True).to_numpy(dtype=bool),
                   "first": table["diagnosis_first"].astype("boolean").fillna(False)
                   .to_numpy(dtype=bool)}
        get = lambda name: table[name].to_numpy(dtype=float, na_value=np.nan)  # noqa: E731
    else:
        columns = {"present": table["diagnosis_last_present"],
                   "last": table["diagnosis_last"] | ~table["diagnosis_last_present"],
                   "first": table["diagnosis_first"]}
        get = lambda name: np.asarray(table[name], dtype=float)  # noqa: E731
    columns["finished"] = get("treatment_contacts") >= rules.min_treatment_contacts
    columns["true_first"] = get("true_diagnosis_first") == 1.0
    columns["true_last"] = get("true_diagnosis_last") == 1.0
    return _InterviewView(columns)


def _eligible_for_interview(view: Mapping[str, np.ndarray], select: bool) -> np.ndarray:
    entry = view["first"] if select else view["true_first"]
    return view["finished"] & view["present"] & entry


def _diagnosis_lost(table: Any, select: bool, rules: Rules, odds_ratio: float
                    ) -> tuple[float, float]:
    view = table if isinstance(table, _InterviewView) else _interview_view(table, rules)
    eligible = _eligible_for_interview(view, select)
    lost = eligible & ~view["last"]
    if odds_ratio == 1.0:
        return float(lost.sum()), float(eligible.sum())
    weight = np.where(view["true_last"], odds_ratio, 1.0)
    return float(weight[lost].sum()), float(weight[eligible].sum())


@dataclass(frozen=True)
class SampleEstimate:
    """One interviewed sample: how many lost their diagnosis, and a 95% Wilson interval.

    ``population_rate`` is what the selection gives in expectation (an endless sample drawn the
    same way); ``eligible`` is how many finishers could have been drawn.
    """

    k: int
    lost: int
    rate: float
    ci_low: float
    ci_high: float
    population_rate: float
    eligible: int


def wilson_interval(successes: int, k: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default).

    >>> [round(x, 3) for x in wilson_interval(9, 90)]
    [0.054, 0.179]
    """
    p, z2 = successes / k, z * z
    centre = (p + z2 / (2 * k)) / (1 + z2 / k)
    half = z / (1 + z2 / k) * math.sqrt(p * (1 - p) / k + z2 / (4 * k * k))
    return max(0.0, centre - half), min(1.0, centre + half)


def interviewed_sample(table: pd.DataFrame, k: int = 90, *, odds_ratio_still_ill: float = 1.0,
                       seed: int = 0, select_on_first_measurement: bool = True,
                       rules: Rules = IAPT) -> SampleEstimate:
    """Interview ``k`` eligible finishers drawn with the given selection; their loss-of-diagnosis rate.

    Eligible: finished, met criteria at the first interview (or truly, with selection off) and
    interviewed again. Each is drawn without replacement with weight ``odds_ratio_still_ill`` if
    they still truly meet criteria at the final interview, else 1 (Efraimidis-Spirakis keys,
    seeded). The interval is Wilson's; it ignores the finite population, which is right when
    ``k`` is a small share of those eligible (90 of hundreds of thousands nationally).

    >>> from iaptlab.simulate import CohortModel, simulate
    >>> s = interviewed_sample(simulate(CohortModel(n=3000)), k=90, seed=1)
    >>> s.k, s.ci_low <= s.rate <= s.ci_high
    (90, True)
    """
    if not 0 < odds_ratio_still_ill < math.inf:
        raise ParameterError(f"odds_ratio_still_ill = {odds_ratio_still_ill!r} must be a positive "
                             "number")
    view = _interview_view(table, rules)
    eligible = np.flatnonzero(_eligible_for_interview(view, select_on_first_measurement))
    if not (isinstance(k, int | np.integer) and 1 <= k <= len(eligible)):
        raise ParameterError(f"k = {k!r} must be a whole number from 1 to the {len(eligible)} "
                             "eligible finishers")
    weight = np.where(view["true_last"][eligible], odds_ratio_still_ill, 1.0)
    keys = np.log(np.random.default_rng(seed).random(len(eligible))) / weight
    chosen = eligible[np.argpartition(-keys, k - 1)[:k]]
    lost = int((~view["last"][chosen]).sum())
    low, high = wilson_interval(lost, k)
    population = _diagnosis_lost(view, select_on_first_measurement, rules, odds_ratio_still_ill)
    return SampleEstimate(k=int(k), lost=lost, rate=lost / k, ci_low=low, ci_high=high,
                          population_rate=population[0] / population[1], eligible=len(eligible))
