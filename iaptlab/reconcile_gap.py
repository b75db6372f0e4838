"""Lesson 07's models of the gap between "about 50% recover" and "about 10% lost their diagnosis".

:data:`LINKS` says which :class:`~iaptlab.simulate.CohortModel` parameter(s) each of the
explorer's settings moves, and :func:`model_for` builds the model they describe. :func:`gap` is
questionnaire recovery minus loss of diagnosis of one model, :func:`five_group_waterfall` splits
it into five groups of mechanisms (:func:`iaptlab.reconcile.waterfall_table`, exact Shapley values),
:func:`scenario_rates` gives both rates under named scenarios and :func:`sample_range` the range a
90-person interview study would see.

>>> model = model_for({"treatment_effect_d": 0.0}, n=100)
>>> model.treatment_effect_d, model.n
(0.0, 100)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .cohort_model import INTERVIEW_SEES_MORE
from .errors import ParameterError
from .lesson_cohort import LESSON_SEED
from .reconcile import (
    FIVE_GROUPS,
    check_simulated_table,
    model_rates,
    sharing_courses,
    waterfall_table,
)
from .simulate import CohortModel

__all__ = ["EXPLORER_N", "GROUP_WORDS", "INTERVIEWED", "INTERVIEW_SAME", "INTERVIEW_MORE", "LINKS",
           "SCENARIOS", "SPREAD_SEEDS", "Link",
           "RATE_WORDS", "five_group_waterfall", "five_group_waterfalls", "gap", "gap_table", "link_values", "model_for", "sample_range", "scenario_model",
           "scenario_rates", "seed_spread", "two_rates"]


#: Referrals simulated per explorer move (the static waterfalls use the lesson's 100,000).
EXPLORER_N = 4_000


#: People in the critic's interview study (Scott 2018, as reported on his blog; source ids scott_2018, scott_2021_blog [S]).
INTERVIEWED = 90


#: Seeds used to measure how much the explorer's figures move from one random cohort to another.
SPREAD_SEEDS = 6


#: The five groups in a few words each (their mechanisms are in ``iaptlab.reconcile.FIVE_GROUPS``).
GROUP_WORDS = {
    "real change": "treatment effect and natural remission",
    "who finishes": "attrition bias",
    "questionnaire artefacts": "measurement error, hello-goodbye, demand and selection at caseness",
    "what the interview sees": "interview error and disorders the questionnaires miss",
    "who is interviewed, and when": "who is interviewed, and interview delay with relapse",
}


_BASE = CohortModel()

#: The two answers to "what does the interview measure?" (the explorer's choice control).
INTERVIEW_SAME = "the same as the questionnaires"
INTERVIEW_MORE = "also disorders the questionnaires don't see"
#: The share with an unseen disorder the slider shows while the interview sees only what the
#: questionnaires see (the value ``interview_sees_more()`` uses; it applies once switched on).
_UNSEEN_PCT_WHEN_OFF = round(100 * INTERVIEW_SEES_MORE["share_with_unseen_disorder"])


@dataclass(frozen=True)
class Link:
    """One control and the model parameter(s) it sets: parameter value = control value / per."""

    control: str
    parameters: tuple[str, ...]
    per: float = 1.0  # 100 for a percentage control


#: How each control maps onto the model. Natural remission moves the 3-, 6- and 12-month shares
#: together (their ratios stay Whiteford et al.'s); reliability sets both questionnaires.
LINKS = (
    Link("treatment_effect_d", ("treatment_effect_d",)),
    Link("remission_12_months_pct", ("remission_by_12_months",), 100),
    Link("finishing_odds_ratio", ("finishing_odds_ratio_per_sd_improvement",)),
    Link("reliability", ("phq9_reliability", "gad7_reliability")),
    Link("hello_goodbye_points", ("hello_goodbye_points",)),
    Link("demand_points", ("demand_shift_points",)),
    Link("select_on_first_measurement", ("select_on_first_measurement",)),
    Link("interview_sensitivity_pct", ("interview_sensitivity",), 100),
    Link("interview_specificity_pct", ("interview_specificity",), 100),
    Link("interview_measures", ()),  # INTERVIEW_SAME sets share_with_unseen_disorder to 0
    Link("unseen_disorder_pct", ("share_with_unseen_disorder",), 100),
    Link("unseen_remission_pct", ("unseen_disorder_remission",), 100),
    Link("interviewed_odds_ratio", ("interviewed_odds_ratio_still_ill",)),
    Link("months_to_interview", ("months_from_end_to_interview",)),
    Link("relapse_pct", ("relapse_within_12_months",), 100),
)


def link_values(model: CohortModel) -> dict[str, Any]:
    """Each setting of :data:`LINKS` as ``model`` has it (percentages and months as whole numbers).

    "What the interview measures" is :data:`INTERVIEW_MORE` when ``model`` gives some referrals a
    disorder the questionnaires miss; otherwise :data:`INTERVIEW_SAME`, and the share slider
    then shows the share that applies once the learner switches it on.

    >>> v = link_values(CohortModel.interview_sees_questionnaires())
    >>> v["treatment_effect_d"], v["interview_measures"], v["unseen_disorder_pct"]
    (0.85, 'the same as the questionnaires', 50)
    """
    raw = {link.control: (getattr(model, link.parameters[0]), link.per) for link in LINKS
           if link.parameters}
    values = {name: value if isinstance(value, bool) else value * per for name, (value, per) in raw.items()}
    values = values | {name: round(value) for name, value in values.items()
                       if name.endswith("_pct") or name == "months_to_interview"}
    sees_more = model.share_with_unseen_disorder > 0
    values["interview_measures"] = INTERVIEW_MORE if sees_more else INTERVIEW_SAME
    if not sees_more:
        values["unseen_disorder_pct"] = _UNSEEN_PCT_WHEN_OFF
    return values


def seed_spread(settings: Mapping[str, Any], *, n: int = EXPLORER_N, seed: int = LESSON_SEED,
                spread_seeds: int = SPREAD_SEEDS) -> pd.Series:
    """SD (points) of each waterfall row across ``spread_seeds`` other seeds: the Monte Carlo spread.


    >>> seed_spread({}, n=500, spread_seeds=2).index[0]
    'recovered'
    """
    runs = [five_group_waterfall(model_for(settings, n=n, seed=seed + 1 + i))
            for i in range(spread_seeds)]  # a loop over a few seeds, not over rows
    points = pd.DataFrame([100 * run.set_index("component")["value"] for run in runs])
    return points.std(ddof=1)


def model_for(settings: Mapping[str, Any], *, n: int = EXPLORER_N,
              seed: int = LESSON_SEED) -> CohortModel:
    """The :class:`CohortModel` the explorer's control values describe (other parameters default).

    Settings not given take their value in ``CohortModel.interview_sees_questionnaires()``
    (:func:`link_values`). With ``interview_measures`` = :data:`INTERVIEW_SAME` nobody has a
    disorder the questionnaires miss, whatever ``unseen_disorder_pct`` says.

    >>> m = model_for({"remission_12_months_pct": 26.5})
    >>> round(m.remission_by_3_months, 4), round(m.remission_by_12_months, 3)
    (0.115, 0.265)
    >>> model_for({"interview_measures": INTERVIEW_MORE}).share_with_unseen_disorder
    0.5
    """
    unknown = sorted(set(settings) - {link.control for link in LINKS})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: "
                             f"{', '.join(link.control for link in LINKS)}")
    values = {**link_values(CohortModel.interview_sees_questionnaires()), **settings}
    if values["interview_measures"] not in (INTERVIEW_SAME, INTERVIEW_MORE):
        raise ParameterError(f"interview_measures = {values['interview_measures']!r}: choose "
                             f"{INTERVIEW_SAME!r} or {INTERVIEW_MORE!r}")
    changes: dict[str, Any] = {}
    for link in LINKS:
        value = values[link.control]
        for parameter in link.parameters:
            changes[parameter] = bool(value) if isinstance(value, bool) else value / link.per
    if values["interview_measures"] == INTERVIEW_SAME:
        changes["share_with_unseen_disorder"] = 0.0
    factor = changes["remission_by_12_months"] / _BASE.remission_by_12_months
    changes["remission_by_3_months"] = _BASE.remission_by_3_months * factor
    changes["remission_by_6_months"] = _BASE.remission_by_6_months * factor
    return dataclasses.replace(_BASE, n=n, seed=seed, **changes)


def two_rates(model: CohortModel) -> tuple[float, float]:
    """(questionnaire recovery, loss of diagnosis in the interviewed sample) of one model.

    Both as :func:`iaptlab.reconcile.waterfall_table` defines them: recovery among finishers with
    paired scores at caseness; loss of diagnosis among finishers who met criteria at the first
    interview, weighted by how likely each is to be interviewed (:func:`iaptlab.reconcile.model_rates`:
    the rates of ``classify(simulate(model))`` without building the table).

    >>> r, lost = two_rates(CohortModel.interview_sees_more(n=4000))
    >>> r > lost
    True
    """
    rates = model_rates(model, ("recovered", "diagnosis_lost"))  # = outcome_rate of classify(simulate(model))
    return rates["recovered"], rates["diagnosis_lost"]


def gap(model: CohortModel) -> float:
    """Recovery minus loss of diagnosis (proportions): the value the waterfall splits.

    >>> from iaptlab.simulate import MECHANISMS
    >>> round(gap(CohortModel(n=3000).without(*MECHANISMS)), 6)  # nothing happens at all
    0.0
    """
    recovery, lost = two_rates(model)
    return recovery - lost


def sample_range(rate: float, k: int = INTERVIEWED, coverage: float = 0.95) -> tuple[float, float]:
    """The central ``coverage`` range of the rate a study of ``k`` people would find (binomial).

    The shortest equal-tailed range of whole counts: the largest count with at most
    (1 - coverage) / 2 of the probability below it, and the smallest with at most that above.

    >>> sample_range(0.5, k=4, coverage=0.75)   # counts 0..4 have chances 1,4,6,4,1 in 16
    (0.25, 0.75)
    """
    if not 0 <= rate <= 1 or not 0 < coverage < 1:
        raise ParameterError(f"rate must be 0-1 and coverage between 0 and 1; got {rate}, {coverage}")
    if rate in (0.0, 1.0):  # every study finds none, or all
        return rate, rate
    counts = np.arange(k + 1)
    log_comb = np.array([math.lgamma(k + 1) - math.lgamma(j + 1) - math.lgamma(k - j + 1)
                         for j in counts])  # a loop over k + 1 counts, not over rows
    pmf = np.exp(log_comb + counts * np.log(rate) + (k - counts) * np.log1p(-rate))
    tail = (1 - coverage) / 2
    below = np.cumsum(pmf) - pmf  # P(count < j)
    above = np.cumsum(pmf[::-1])[::-1] - pmf  # P(count > j)
    low = int(counts[below <= tail + 1e-12].max())
    high = int(counts[above <= tail + 1e-12].min())
    return low / k, high / k


def five_group_waterfall(model: CohortModel, *, check_table: bool = False) -> pd.DataFrame:
    """``waterfall_table(model, groups=FIVE_GROUPS)`` (exact): the five-bar split of the gap.

    >>> w = five_group_waterfall(CohortModel(n=2000))
    >>> bool(abs(w.attrs["gap"] - w["contribution"].sum()) < 1e-12)
    True
    """
    return waterfall_table(model, groups=FIVE_GROUPS, method="exact", check_table=check_table)


def five_group_waterfalls(*models: CohortModel, check_table: bool = False) -> list[pd.DataFrame]:
    """:func:`five_group_waterfall` of each model, computed together: models that differ only in what
    the interview sees (e.g. the two presets) share every simulated course, so the second costs about
    half the first. Same numbers as one at a time.

    >>> same, more = five_group_waterfalls(CohortModel.interview_sees_questionnaires(n=2000),
    ...                                    CohortModel.interview_sees_more(n=2000))
    >>> same.equals(five_group_waterfall(CohortModel.interview_sees_questionnaires(n=2000)))
    True
    """
    for model in models if check_table else ():  # each table checked before any course is shared (a lower peak)
        check_simulated_table(model)
    with sharing_courses():
        return [five_group_waterfall(model, check_table=check_table) for model in models]

#: What each waterfall rate stands for (the mechanisms' words are :data:`GROUP_WORDS`).
RATE_WORDS = {"recovered": "below caseness on both questionnaires at the end (IAPT's rule)",
              "diagnosis_lost": "no longer meets criteria on the blind interview"}


def gap_table(table_w: pd.DataFrame, spread_points: pd.Series,
              label: Callable[[str], str] = str) -> pd.DataFrame:
    """A :func:`five_group_waterfall` as shown: each part (named by ``label``) in percentage points,
    its spread between seeds (:func:`seed_spread`, matched by component) and what it stands for.

    >>> w = five_group_waterfall(CohortModel(n=2000))
    >>> gap_table(w, pd.Series(0.0, index=w["component"]))["part"].iloc[0]
    'recovered'
    """
    # from numpy and dicts: a waterfall has a few rows, where pandas' per-call overhead would dominate
    component = table_w["component"].to_numpy(dtype=object)
    is_rate = table_w["kind"].to_numpy(dtype=object) == "rate"
    spread = dict(zip(spread_points.index, spread_points.to_numpy(dtype=float), strict=True))
    words = {**RATE_WORDS, **GROUP_WORDS}
    return pd.DataFrame({
        "part": [label(name) for name in component],
        "points": np.where(is_rate, 100 * table_w["value"].to_numpy(dtype=float),
                           100 * table_w["contribution"].to_numpy(dtype=float)).round(1),
        "± between seeds": np.array([spread.get(name, np.nan) for name in component], dtype=float).round(1),
        "what it stands for": [words.get(name, "gap left with every mechanism off") for name in component],
    })


#: Named scenarios for the "both numbers true?" exercise: (start from, changes, description).
#: Each starts from a preset named after what its interview sees (``CohortModel``'s presets).
SCENARIOS: dict[str, tuple[str, dict[str, Any], str]] = {
    "a": ("interview_sees_questionnaires", {},
          "the interview sees what the questionnaires see, as calibrated"),
    "b": ("interview_sees_questionnaires", {"treatment_effect_d": 0.0},
          "the interview sees what the questionnaires see, but treatment does nothing"),
    "c": ("interview_sees_more", {}, "the interview sees more (other disorders, a selected sample, "
          "6 months later), as set"),
    "d": ("interview_sees_more", {"interviewed_odds_ratio_still_ill": 1.0},
          "the interview sees more, but the people interviewed are a random sample of finishers"),
    "e": ("interview_sees_questionnaires", {"interviewed_odds_ratio_still_ill": 50.0},
          "the interview sees what the questionnaires see, but someone still ill is 50 times as "
          "likely to be interviewed"),
    "f": ("interview_sees_questionnaires", {"share_with_unseen_disorder": 0.7,
                                            "unseen_disorder_remission": 0.1,
                                            "months_from_end_to_interview": 12.0,
                                            "relapse_within_12_months": 0.5},
          "the interview also sees a disorder the questionnaires miss in 70% (gone by the interview "
          "for 10%), a year after treatment, with half of those well relapsing"),
    "g": ("interview_sees_questionnaires", {"treatment_effect_d": 0.0, "remission_by_3_months": 0.0,
                                            "remission_by_6_months": 0.0, "remission_by_12_months": 0.0,
                                            "demand_shift_points": 5.5, "hello_goodbye_points": 5.5,
                                            "share_last_with_therapist": 1.0},
          "no real change at all (treatment does nothing, no one remits), but 5.5 points of "
          "hello-goodbye and of demand, every last questionnaire with the therapist"),
    "h": ("interview_sees_questionnaires", {"demand_shift_points": 4.0, "hello_goodbye_points": 4.0},
          "the interview sees what the questionnaires see, with 4 points of hello-goodbye and of "
          "demand"),
}


def scenario_model(letter: str, *, n: int = 20_000, seed: int = LESSON_SEED) -> CohortModel:
    """The model of one named scenario.

    >>> scenario_model("b", n=100).treatment_effect_d
    0.0
    """
    if letter not in SCENARIOS:
        raise ParameterError(f"unknown scenario {letter!r}; known: {', '.join(SCENARIOS)}")
    preset, changes, _ = SCENARIOS[letter]
    return dataclasses.replace(getattr(CohortModel, preset)(n=n, seed=seed), **changes)


def scenario_rates(letters: Sequence[str] | None = None, *, n: int = 20_000,
                   seed: int = LESSON_SEED) -> pd.DataFrame:
    """Recovery and loss of diagnosis (percent) under each scenario, with its description.

    >>> scenario_rates(["a"], n=2000).columns.tolist()
    ['scenario', 'assumptions', 'recovery_pct', 'lost_diagnosis_pct']
    """
    rows = []
    for letter in letters or list(SCENARIOS):  # a loop over a few scenarios, not over rows
        recovery, lost = two_rates(scenario_model(letter, n=n, seed=seed))
        rows.append((letter, SCENARIOS[letter][2], round(100 * recovery, 1), round(100 * lost, 1)))
    return pd.DataFrame(rows, columns=["scenario", "assumptions", "recovery_pct",
                                       "lost_diagnosis_pct"])
