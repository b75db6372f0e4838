"""Who is counted in a simulated cohort: selection at the start, and who is interviewed.

Two of the simulator's mechanisms act when a rate is computed from a table, not when the table is
made; both apply :mod:`iaptlab.outcomes`' rules unchanged and only choose *who* they are applied to.

* *Selection at the start* (``CohortModel.select_on_first_measurement``). IAPT admits to a
  recovery denominator people whose first questionnaire is at caseness, and loss of diagnosis
  counts people who met criteria at the first interview. :func:`classify_selected` classifies a
  simulated table that way (``True``) or with the start judged on the true state at referral
  (``False``: no selection on an error-laden first measurement).
* *Who is interviewed* (``CohortModel.interviewed_odds_ratio_still_ill``). An interview study may
  not see a random sample of finishers: someone still meeting criteria at the final interview may
  be ``odds_ratio_still_ill`` times as likely to be included. :func:`diagnosis_lost_rate` is the
  loss-of-diagnosis rate expected in such a sample (1 = the rate among all eligible finishers,
  as :func:`iaptlab.outcomes.rates` gives it); :func:`interviewed_sample` draws one sample of
  ``k`` people (e.g. Scott's 90) and gives its rate with a 95% Wilson interval.

>>> import pandas as pd
>>> table = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [6, 6],
...     "phq9_first": [9, 9], "phq9_last": [3, 3], "gad7_first": [5, 5], "gad7_last": [2, 2],
...     "true_phq9_first": [12.0, 8.0], "true_gad7_first": [5.0, 5.0]})
>>> classify_selected(table)["recovered"].tolist()  # first scores below caseness: no one enters
[False, False]
>>> classify_selected(table, select_on_first_measurement=False)["recovered"].tolist()
[True, False]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .accuracy import wilson_interval
from .errors import ParameterError
from .outcomes import FLAGS, IAPT, Rules, classify, flag_arrays, rate_counts
from .schema import (
    EXCLUDED_REASON,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ROW,
    TRUE_STATE_PREFIX,
    Validated,
    validate,
)

__all__ = ["SampleEstimate", "classify_selected", "diagnosis_lost_rate", "interviewed_sample",
           "selected_flags"]


def _floats(table: pd.DataFrame | Mapping[str, Any], name: str) -> np.ndarray:
    if name not in (table.columns if isinstance(table, pd.DataFrame) else table):
        raise ParameterError(f"the table has no {name!r} column: judging the start on the true "
                             "state needs a simulated table (iaptlab.simulate)")
    if isinstance(table, pd.DataFrame):
        return table[name].to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(table[name], dtype=float)


def _checked(episodes: pd.DataFrame | Validated) -> Validated:
    """The valid rows: validated here, or taken as they are from a Validated or a classified table."""
    if isinstance(episodes, Validated):
        return episodes
    if set(FLAGS) <= set(episodes.columns):  # already classified (so already validated)
        kept = episodes
        if EXCLUDED_REASON in episodes.columns:
            kept = episodes[episodes[EXCLUDED_REASON].fillna("").astype(str) == ""]
        columns = [c for c in kept.columns if c == ROW or c in REQUIRED_COLUMNS
                   or c in OPTIONAL_COLUMNS or c.startswith(TRUE_STATE_PREFIX)]
        table = kept[columns].reset_index(drop=True)
        return Validated(table=table, excluded=table.iloc[:0], problems=())
    return validate(episodes)


def _start_on_truth(table: pd.DataFrame | Mapping[str, Any], rules: Rules
                    ) -> tuple[pd.DataFrame | dict[str, Any], np.ndarray]:
    """The table with the first interview replaced by the truth, and caseness at referral."""
    at_start = (rules.caseness["phq9"].met(_floats(table, "true_phq9_first"))
                | rules.caseness["gad7"].met(_floats(table, "true_gad7_first")))
    if "diagnosis_first" in (table.columns if isinstance(table, pd.DataFrame) else table):
        # a shallow copy: the caller's table is left as it is
        table = table.copy(deep=False) if isinstance(table, pd.DataFrame) else dict(table)
        table["diagnosis_first"] = _floats(table, "true_diagnosis_first") == 1.0
    return table, at_start


def classify_selected(episodes: pd.DataFrame | Validated, rules: Rules = IAPT, *,
                      select_on_first_measurement: bool = True) -> pd.DataFrame:
    """:func:`iaptlab.outcomes.classify` with the start judged on the first measurements or the truth.

    ``True`` (IAPT): at caseness at the start = the first questionnaires meet ``rules``' caseness;
    met criteria at the start = the first blind interview says so. ``False``: the same thresholds
    applied to the true scores at referral (``true_phq9_first``, ``true_gad7_first``), and the
    true diagnosis at referral (``true_diagnosis_first``). Every other flag is ``classify``'s.
    ``episodes`` is an episode table, a :class:`~iaptlab.schema.Validated`, or a table
    ``classify`` already flagged (its flags are computed again). Invalid rows raise.
    """
    checked = _checked(episodes)
    checked.raise_if_invalid()
    if select_on_first_measurement:
        return classify(checked, rules)
    table, at_start = _start_on_truth(checked.table, rules)
    return classify(Validated(table=table, excluded=checked.excluded, problems=checked.problems),
                    rules, caseness_first=at_start)


#: Columns of the table that :func:`selected_flags` passes on with the flags (what the rates read).
_PASSED_ON = ("phq9_first", "gad7_first", "adsm_first", "true_diagnosis_last")


def selected_flags(table: pd.DataFrame | Mapping[str, Any], rules: Rules = IAPT, *,
                   select_on_first_measurement: bool = True) -> dict[str, np.ndarray]:
    """:func:`classify_selected`'s flags of an already valid table, as arrays (no table is built).

    :func:`iaptlab.outcomes.flag_arrays` with the start chosen as in ``classify_selected``, plus
    the first scores and ``true_diagnosis_last`` (what :func:`iaptlab.outcomes.rate_counts` and
    :func:`diagnosis_lost_rate` read): for code that classifies thousands of small simulated
    tables, like the Shapley waterfall. ``table`` may be a mapping of columns (see
    :func:`iaptlab.outcomes.flag_arrays`).

    >>> import pandas as pd
    >>> valid = pd.DataFrame({"treatment_contacts": [6], "phq9_first": [9.0], "phq9_last": [3.0],
    ...     "gad7_first": [5.0], "gad7_last": [2.0], "true_phq9_first": [12.0], "true_gad7_first": [5.0]})
    >>> bool(selected_flags(valid, select_on_first_measurement=False)["recovered"][0])
    True
    """
    if select_on_first_measurement:
        flags = flag_arrays(table, rules)
    else:
        on_truth, at_start = _start_on_truth(table, rules)
        flags = flag_arrays(on_truth, rules, caseness_first=at_start)
    for name in _PASSED_ON:
        if name in (table.columns if isinstance(table, pd.DataFrame) else table):
            flags[name] = _floats(table, name)
    return flags


def _check_odds(odds_ratio_still_ill: float) -> None:
    if not 0 < odds_ratio_still_ill < math.inf:
        raise ParameterError(f"odds_ratio_still_ill = {odds_ratio_still_ill!r} must be a positive "
                             "number")


def diagnosis_lost_rate(classified: pd.DataFrame | Mapping[str, np.ndarray], *,
                        odds_ratio_still_ill: float = 1.0, rules: Rules = IAPT) -> float:
    """Loss of diagnosis expected in an interviewed sample selected by ``odds_ratio_still_ill``.

    Who is eligible and who lost their diagnosis are ``classify``'s ``interviewed`` and
    ``diagnosis_lost`` flags (``classified`` is its table or :func:`selected_flags`' arrays).
    With an odds ratio of 1 this is :func:`iaptlab.outcomes.rates`' ``diagnosis_lost`` rate;
    otherwise each eligible person counts ``odds_ratio_still_ill`` times if they still truly meet
    criteria at the final interview (``true_diagnosis_last``), once if not: the rate an endless
    sample drawn that way would show. NaN when no one is eligible.

    >>> flags = {"interviewed": [True, True], "diagnosis_lost": [True, False],
    ...          "true_diagnosis_last": [0.0, 1.0]}
    >>> diagnosis_lost_rate(flags, odds_ratio_still_ill=3.0)  # 1 / (1 + 3)
    0.25
    """
    _check_odds(odds_ratio_still_ill)
    if "diagnosis_lost" not in classified:
        raise ParameterError("no 'diagnosis_lost' flag: classify a table with diagnosis_first and "
                             "diagnosis_last (a blind interview at the start and the end)")
    kept = classified
    if isinstance(classified, pd.DataFrame) and EXCLUDED_REASON in classified.columns:
        kept = classified[classified[EXCLUDED_REASON].fillna("").astype(str) == ""]
    if odds_ratio_still_ill == 1.0:
        numerator, denominator = rate_counts(kept, "diagnosis_lost", rules)
    else:
        eligible = np.asarray(kept["interviewed"], dtype=bool)
        lost = np.asarray(kept["diagnosis_lost"], dtype=bool) & eligible
        still_ill = np.asarray(kept["true_diagnosis_last"], dtype=float) == 1.0
        weight = np.where(still_ill, odds_ratio_still_ill, 1.0)
        numerator, denominator = float(weight[lost].sum()), float(weight[eligible].sum())
    return numerator / denominator if denominator else float("nan")


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


def interviewed_sample(table: pd.DataFrame, k: int = 90, *, odds_ratio_still_ill: float = 1.0,
                       seed: int = 0, select_on_first_measurement: bool = True,
                       rules: Rules = IAPT) -> SampleEstimate:
    """Interview ``k`` eligible finishers drawn with the given selection; their loss-of-diagnosis rate.

    Eligible: ``classify``'s ``interviewed`` flag (finished, met criteria at the first interview
    (or truly, with selection off) and interviewed again). Each is drawn without replacement
    with weight ``odds_ratio_still_ill`` if they still truly meet criteria at the final interview,
    else 1 (Efraimidis-Spirakis keys, seeded). The interval is Wilson's; it ignores the finite
    population, which is right when ``k`` is a small share of those eligible (90 of hundreds of
    thousands nationally).

    >>> from iaptlab.simulate import CohortModel, simulate
    >>> s = interviewed_sample(simulate(CohortModel(n=3000)), k=90, seed=1)
    >>> s.k, s.ci_low <= s.rate <= s.ci_high
    (90, True)
    """
    _check_odds(odds_ratio_still_ill)
    classified = classify_selected(table, rules, select_on_first_measurement=select_on_first_measurement)
    if "interviewed" not in classified.columns:
        raise ParameterError("the table has no blind interview (diagnosis_first, diagnosis_last)")
    eligible = np.flatnonzero(classified["interviewed"].to_numpy(dtype=bool))
    if not (isinstance(k, int | np.integer) and 1 <= k <= len(eligible)):
        raise ParameterError(f"k = {k!r} must be a whole number from 1 to the {len(eligible)} "
                             "eligible finishers")
    still_ill = _floats(classified, "true_diagnosis_last")[eligible] == 1.0
    weight = np.where(still_ill, odds_ratio_still_ill, 1.0)
    keys = np.log(np.random.default_rng(seed).random(len(eligible))) / weight
    chosen = eligible[np.argpartition(-keys, k - 1)[:k]]
    lost = int(classified["diagnosis_lost"].to_numpy(dtype=bool)[chosen].sum())
    low, high = wilson_interval(lost, k)
    population = diagnosis_lost_rate(classified, odds_ratio_still_ill=odds_ratio_still_ill,
                                     rules=rules)
    return SampleEstimate(k=int(k), lost=lost, rate=lost / k, ci_low=low, ci_high=high,
                          population_rate=population, eligible=len(eligible))
