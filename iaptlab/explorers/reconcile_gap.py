"""Lesson 07: how much of the gap between "about 50% recover" and "about 10% lost their diagnosis"
each assumption explains.

The explorer's controls set each mechanism's strength in a :class:`~iaptlab.simulate.CohortModel`
(:func:`model_for`); ``compute`` splits the gap between questionnaire recovery and loss of
diagnosis on a blind interview into five groups of mechanisms with
:func:`iaptlab.reconcile.waterfall` (exact Shapley values over ``FIVE_GROUPS``) and draws it. A
live waterfall on the lesson's 100,000 referrals takes about a third of a second, so the explorer
runs on :data:`EXPLORER_N` referrals (about 35 ms a move) and reports how much each figure moves
from one random seed to another; the lesson's static waterfalls use 100,000.

The other functions are the lesson's logic: the gap of one model (:func:`gap`), the two rates
under named scenarios (:func:`scenario_rates`), and the range a 90-person interview study would
see (:func:`sample_range`). The waterfall charts and tables are drawn by
:mod:`iaptlab.explorers.gap_charts` (re-exported here).

>>> model = model_for({**defaults(CONTROLS), "treatment_effect_d": 0.0}, n=100)
>>> model.treatment_effect_d, model.n
(0.0, 100)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..outcomes import classify
from ..reconcile import FIVE_GROUPS, outcome_rate, waterfall
from ..simulate import CohortModel, simulate
from ..widgets import Control, Result, defaults
from .cohort import LESSON_SEED
from .gap_charts import (  # noqa: F401 - re-exported: notebook 07 and its tests use them from here
    SHORT_LABELS,
    chart_rows,
    plain_label,
    points_table,
    side_by_side,
    waterfall_chart,
)

#: Referrals simulated per explorer move (the static waterfalls use the lesson's 100,000).
EXPLORER_N = 4_000
#: People in the critic's interview study (Scott 2018, as reported on his blog; domain.md §4.1 [S]).
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
    Link("unseen_disorder_pct", ("share_with_unseen_disorder",), 100),
    Link("unseen_remission_pct", ("unseen_disorder_remission",), 100),
    Link("interviewed_odds_ratio", ("interviewed_odds_ratio_still_ill",)),
    Link("months_to_interview", ("months_from_end_to_interview",)),
    Link("relapse_pct", ("relapse_within_12_months",), 100),
)


def _controls(model: CohortModel) -> tuple[Control, ...]:
    """The explorer's controls, each starting at ``model``'s value."""
    v = {link.control: getattr(model, link.parameters[0]) * link.per for link in LINKS}
    pct = {name: round(value) for name, value in v.items() if name.endswith("_pct")}
    v |= pct
    return (
        Control("treatment_effect_d", "Real change: a full course lowers symptoms by (SDs)",
                "float", v["treatment_effect_d"], 0.0, 2.0, 0.05,
                help="0 = treatment does nothing; IAPT-like 0.85 (calibrated to 50.8% recovery)"),
        Control("remission_12_months_pct", "Real change: recover untreated within 12 months (%)",
                "int", v["remission_12_months_pct"], 0, 80,
                help="Whiteford et al. (2013): 53% (23% by 3 months, 32% by 6)"),
        Control("finishing_odds_ratio", "Who finishes: odds of finishing per SD of benefit",
                "float", v["finishing_odds_ratio"], 0.5, 4.0, 0.1,
                help="1 = dropping out is unrelated to how much treatment would help"),
        Control("reliability", "Questionnaires: reliability (1 = no measurement error)", "float",
                v["reliability"], 0.5, 1.0, 100),
        Control("hello_goodbye_points", "Questionnaires: points added to the first (hello)",
                "float", v["hello_goodbye_points"], 0.0, 5.0, 0.5),
        Control("demand_points", "Questionnaires: points taken off the last (demand)", "float",
                v["demand_points"], 0.0, 5.0, 0.5,
                help="Applies when the last questionnaire is completed with the therapist"),
        Control("select_on_first_measurement", "Denominators admit people on their first "
                "measurement (as IAPT does)", "bool", bool(v["select_on_first_measurement"])),
        Control("interview_sensitivity_pct", "Interview: finds criteria met when they are (%)",
                "int", v["interview_sensitivity_pct"], 50, 100),
        Control("interview_specificity_pct", "Interview: finds criteria not met when not (%)",
                "int", v["interview_specificity_pct"], 50, 100),
        Control("unseen_disorder_pct", "Interview: referrals with a disorder the questionnaires "
                "miss (%)", "int", v["unseen_disorder_pct"], 0, 80,
                help="e.g. PTSD, a phobia, an eating disorder; the interview finds it"),
        Control("unseen_remission_pct", "Interview: that disorder has gone by the interview (%)",
                "int", v["unseen_remission_pct"], 0, 100),
        Control("interviewed_odds_ratio", "Who is interviewed: someone still ill is this many "
                "times as likely", "float", v["interviewed_odds_ratio"], 1.0, 20.0, 0.5,
                help="1 = a random sample of finishers"),
        Control("months_to_interview", "When: months from the last session to the interview",
                "int", round(v["months_to_interview"]), 0, 24),
        Control("relapse_pct", "When: people well at the end who relapse within a year (%)",
                "int", v["relapse_pct"], 0, 100),
    )


#: Controls starting from ``CohortModel.iapt_like()`` (the calibrated default).
CONTROLS = _controls(CohortModel.iapt_like())
#: The same controls starting from ``CohortModel.critic_like()``.
CRITIC_CONTROLS = _controls(CohortModel.critic_like())


def model_for(settings: Mapping[str, Any], *, n: int = EXPLORER_N,
              seed: int = LESSON_SEED) -> CohortModel:
    """The :class:`CohortModel` the explorer's control values describe (other parameters default).

    >>> m = model_for({**defaults(CONTROLS), "remission_12_months_pct": 26.5})
    >>> round(m.remission_by_3_months, 4), round(m.remission_by_12_months, 3)
    (0.115, 0.265)
    """
    unknown = sorted(set(settings) - {link.control for link in LINKS})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: "
                             f"{', '.join(link.control for link in LINKS)}")
    values = {**defaults(CONTROLS), **settings}
    changes: dict[str, Any] = {}
    for link in LINKS:
        value = values[link.control]
        for parameter in link.parameters:
            changes[parameter] = bool(value) if isinstance(value, bool) else value / link.per
    factor = changes["remission_by_12_months"] / _BASE.remission_by_12_months
    changes["remission_by_3_months"] = _BASE.remission_by_3_months * factor
    changes["remission_by_6_months"] = _BASE.remission_by_6_months * factor
    return dataclasses.replace(_BASE, n=n, seed=seed, **changes)


def two_rates(model: CohortModel) -> tuple[float, float]:
    """(questionnaire recovery, loss of diagnosis in the interviewed sample) of one model.

    Both as :func:`iaptlab.reconcile.waterfall` defines them: recovery among finishers with
    paired scores at caseness; loss of diagnosis among finishers who met criteria at the first
    interview, weighted by how likely each is to be interviewed.

    >>> r, lost = two_rates(CohortModel.critic_like(n=4000))
    >>> r > lost
    True
    """
    classified = classify(simulate(model))
    select = model.select_on_first_measurement
    recovery = outcome_rate(classified, "recovered", select_on_first_measurement=select)
    lost = outcome_rate(classified, "diagnosis_lost", select_on_first_measurement=select,
                        interviewed_odds_ratio_still_ill=model.interviewed_odds_ratio_still_ill)
    return recovery, lost


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


@dataclass(frozen=True)
class Precomputed:
    """What the explorer computes once: cohort size, seed, controls and seed-to-seed spread."""

    n: int
    seed: int
    controls: tuple[Control, ...]
    spread_points: pd.Series  # SD across seeds of each waterfall row, at the controls' defaults


def five_group_waterfall(model: CohortModel, *, check_table: bool = True) -> pd.DataFrame:
    """``waterfall(model, groups=FIVE_GROUPS)`` (exact): the five-bar split of the gap.

    >>> w = five_group_waterfall(CohortModel(n=2000))
    >>> bool(abs(w.attrs["gap"] - w["contribution"].sum()) < 1e-12)
    True
    """
    return waterfall(model, groups=FIVE_GROUPS, method="exact", check_table=check_table)


def precompute(controls: Sequence[Control] = CONTROLS, *, n: int = EXPLORER_N,
               seed: int = LESSON_SEED, spread_seeds: int = SPREAD_SEEDS) -> Precomputed:
    """Measure the Monte Carlo spread once (``spread_seeds`` other seeds at the defaults)."""
    settings = defaults(controls)
    runs = [five_group_waterfall(model_for(settings, n=n, seed=seed + 1 + i))
            for i in range(spread_seeds)]  # a loop over a few seeds, not over rows
    points = pd.DataFrame([100 * run.set_index("component")["value"] for run in runs])
    return Precomputed(n=n, seed=seed, controls=tuple(controls),
                       spread_points=points.std(ddof=1))


def compute(pre: Precomputed, **controls: Any) -> Result:
    """The five-group waterfall of the gap under the chosen assumptions: chart, table, sentence."""
    settings = {**defaults(pre.controls), **controls}
    model = model_for(settings, n=pre.n, seed=pre.seed)
    table_w = five_group_waterfall(model, check_table=False)  # simulate() output: valid by construction
    rows = table_w.set_index("component")
    recovery, lost = float(rows.loc["recovered", "value"]), float(rows.loc["diagnosis_lost", "value"])
    is_rate = (table_w["kind"] == "rate").to_numpy()
    table = pd.DataFrame({
        "part": table_w["component"].map(plain_label).to_numpy(),
        "points": np.where(is_rate, 100 * table_w["value"], 100 * table_w["contribution"]).round(1),
        "± between seeds": pre.spread_points.reindex(table_w["component"]).round(1).to_numpy(),
        "what it stands for": table_w["component"].map({**_RATE_WORDS, **GROUP_WORDS})
        .fillna("gap left with every mechanism off").to_numpy(),
    })
    groups = table_w[table_w["kind"] == "mechanism"]
    biggest = groups.loc[groups["contribution"].abs().idxmax()]
    low, high = sample_range(lost)
    typical = float(np.nanmax(pre.spread_points.to_numpy()))
    difference = 100 * (recovery - lost)
    gap_words = (f"a gap of {difference:.1f} points" if difference >= 0 else
                 f"loss of diagnosis is {-difference:.1f} points higher")
    sentence = (
        f"With these assumptions ({pre.n:,} simulated referrals), {_pct(recovery)} of finishers at "
        f"caseness recover on the questionnaires and {_pct(lost)} of those interviewed no longer "
        f"meet diagnostic criteria: {gap_words}. The largest contribution, "
        f"{100 * biggest['contribution']:+.1f} points, is {biggest['component']} "
        f"({GROUP_WORDS[biggest['component']]}); a positive contribution pushes questionnaire "
        f"recovery above loss of diagnosis. An interview study of {INTERVIEWED} people drawn this "
        f"way would find between {_pct(low)} and {_pct(high)} in 95 of 100 repetitions. Each "
        f"figure moves by up to about {typical:.1f} points with another random cohort of this size.")
    chart = waterfall_chart(table_w, title="From questionnaire recovery to loss of diagnosis",
                            source=f"simulated cohort of {pre.n:,} referrals under the "
                                   "assumptions set above", sentence=sentence)
    return Result(table=table, chart=chart, sentence=sentence,
                  extra={"recovery": recovery, "lost": lost, "waterfall": table_w,
                         "sample_range": (low, high), "model": model})


_RATE_WORDS = {"recovered": "below caseness on both questionnaires at the end (IAPT's rule)",
               "diagnosis_lost": "no longer meets criteria on the blind interview"}


def _pct(rate: float) -> str:
    return "no one" if rate != rate else f"{100 * rate:.1f}%"


#: Named scenarios for the "both numbers true?" exercise: (start from, changes, description).
SCENARIOS: dict[str, tuple[str, dict[str, Any], str]] = {
    "a": ("iapt_like", {}, "IAPT-like, as calibrated"),
    "b": ("iapt_like", {"treatment_effect_d": 0.0}, "IAPT-like, but treatment does nothing"),
    "c": ("critic_like", {}, "critic-like, as set"),
    "d": ("critic_like", {"interviewed_odds_ratio_still_ill": 1.0},
          "critic-like, but the people interviewed are a random sample of finishers"),
    "e": ("iapt_like", {"interviewed_odds_ratio_still_ill": 50.0},
          "IAPT-like, but someone still ill is 50 times as likely to be interviewed"),
    "f": ("iapt_like", {"share_with_unseen_disorder": 0.7, "unseen_disorder_remission": 0.1,
                        "months_from_end_to_interview": 12.0, "relapse_within_12_months": 0.5},
          "IAPT-like, plus a disorder the questionnaires miss in 70% (gone by the interview for "
          "10%) and an interview a year after treatment, with half of those well relapsing"),
    "g": ("iapt_like", {"treatment_effect_d": 0.0, "remission_by_3_months": 0.0,
                        "remission_by_6_months": 0.0, "remission_by_12_months": 0.0,
                        "demand_shift_points": 5.5, "hello_goodbye_points": 5.5,
                        "share_last_with_therapist": 1.0},
          "no real change at all (treatment does nothing, no one remits), but 5.5 points of "
          "hello-goodbye and of demand, every last questionnaire with the therapist"),
    "h": ("iapt_like", {"demand_shift_points": 4.0, "hello_goodbye_points": 4.0},
          "IAPT-like, but 4 points of hello-goodbye and of demand"),
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


def explorer(controls: Sequence[Control] = CONTROLS, *, n: int = EXPLORER_N,
             seed: int = LESSON_SEED):
    """The compute function bound to its precomputed inputs, ready for :func:`widgets.show`."""
    return partial(compute, precompute(controls, n=n, seed=seed))
