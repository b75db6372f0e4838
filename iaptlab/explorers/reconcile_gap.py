"""Lesson 07's explorer: how much of the gap between "about 50% recover" and "about 10% lost their
diagnosis" each assumption explains.

Glue over :mod:`iaptlab.reconcile_gap`: each control sets a mechanism's strength
(:data:`~iaptlab.reconcile_gap.LINKS`); ``compute`` splits the gap into five groups of mechanisms
and draws the waterfall (:mod:`iaptlab.charts.gap_split`). A live waterfall runs on
:data:`~iaptlab.reconcile_gap.EXPLORER_N` referrals (a few ms for a setting seen before, 20-40 ms when the
treatment, remission or finishing setting needs new courses) and reports how much each
figure moves from one random seed to another. Two starting points, named after what the interview
is assumed to measure: ``CohortModel.interview_sees_questionnaires()`` and ``interview_sees_more()``.

>>> defaults(CRITIC_CONTROLS) != defaults(CONTROLS)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..charts.gap_split import plain_label, waterfall_chart
from ..format import percent_text
from ..lesson_cohort import LESSON_SEED
from ..reconcile_gap import (
    EXPLORER_N,
    GROUP_WORDS,
    INTERVIEW_MORE,
    INTERVIEW_SAME,
    INTERVIEWED,
    five_group_waterfall,
    gap_table,
    link_values,
    model_for,
    sample_range,
    seed_spread,
)
from ..simulate import CohortModel
from ..widgets import Control, Result, defaults, settings

__all__ = ["CONTROLS", "CRITIC_CONTROLS", "compute", "prepare", "prepare_critic"]


def _controls(model: CohortModel) -> tuple[Control, ...]:
    """The explorer's controls, each starting at ``model``'s value."""
    v = link_values(model)
    return (
        Control("treatment_effect_d", "Real change: a full course lowers symptoms by (SDs)",
                "float", v["treatment_effect_d"], 0.0, 2.0, 0.05,
                help="0 = treatment does nothing; 0.85 is calibrated to 50.8% recovery"),
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
        Control("interview_measures", "What the interview measures", "choice",
                v["interview_measures"], options=((INTERVIEW_SAME, INTERVIEW_SAME),
                                                  (INTERVIEW_MORE, INTERVIEW_MORE)),
                help="an assumption, not a finding: the same = meets criteria when the true PHQ-9 "
                     "or GAD-7 is 10 or more, nothing else"),
        Control("unseen_disorder_pct", "Interview: referrals with a disorder the questionnaires "
                "miss (%)", "int", v["unseen_disorder_pct"], 0, 80,
                help="applies when the interview also sees such disorders (e.g. PTSD, a phobia, "
                     "an eating disorder)"),
        Control("unseen_remission_pct", "Interview: that disorder has gone by the interview (%)",
                "int", v["unseen_remission_pct"], 0, 100),
        Control("interviewed_odds_ratio", "Who is interviewed: someone still ill is this many "
                "times as likely", "float", v["interviewed_odds_ratio"], 1.0, 20.0, 0.5,
                help="1 = a random sample of finishers"),
        Control("months_to_interview", "When: months from the last session to the interview",
                "int", v["months_to_interview"], 0, 24),
        Control("relapse_pct", "When: people well at the end who relapse within a year (%)",
                "int", v["relapse_pct"], 0, 100),
    )


#: Controls starting from ``CohortModel.interview_sees_questionnaires()`` (the calibrated default).
CONTROLS = _controls(CohortModel.interview_sees_questionnaires())
#: The same controls starting from ``CohortModel.interview_sees_more()`` (the name says what it
#: starts from, not a side).
CRITIC_CONTROLS = _controls(CohortModel.interview_sees_more())


@dataclass(frozen=True)
class Precomputed:
    """What the explorer computes once: cohort size, seed, controls and seed-to-seed spread."""

    n: int
    seed: int
    controls: tuple[Control, ...]
    spread_points: pd.Series  # SD across seeds of each waterfall row, at the controls' defaults


def precompute(controls: Sequence[Control] = CONTROLS, *, n: int = EXPLORER_N,
               seed: int = LESSON_SEED) -> Precomputed:
    """Measure the Monte Carlo spread once, at the controls' defaults."""
    return Precomputed(n=n, seed=seed, controls=tuple(controls),
                       spread_points=seed_spread(defaults(controls), n=n, seed=seed))


def prepare() -> Precomputed:
    """The explorer's data, starting from ``CohortModel.interview_sees_questionnaires()``."""
    return precompute(CONTROLS)


def prepare_critic() -> Precomputed:
    """The explorer's data, starting from ``CohortModel.interview_sees_more()``."""
    return precompute(CRITIC_CONTROLS)


def compute(pre: Precomputed, **controls: Any) -> Result:
    """The five-group waterfall of the gap under the chosen assumptions: chart, table, sentence."""
    model = model_for(settings(pre.controls, controls), n=pre.n, seed=pre.seed)
    table_w = five_group_waterfall(model)
    component = table_w["component"].to_numpy(dtype=object)
    value = table_w["value"].to_numpy(dtype=float)
    recovery, lost = float(value[component == "recovered"][0]), float(value[component == "diagnosis_lost"][0])
    table = gap_table(table_w, pre.spread_points, label=plain_label)
    is_group = table_w["kind"].to_numpy(dtype=object) == "mechanism"
    contributions = table_w["contribution"].to_numpy(dtype=float)[is_group]
    at = int(np.argmax(np.abs(contributions)))  # the first of equally large ones, as idxmax
    biggest = {"component": component[is_group][at], "contribution": contributions[at]}
    low, high = sample_range(lost)
    typical = float(np.nanmax(pre.spread_points.to_numpy()))
    difference = 100 * (recovery - lost)
    gap_words = (f"a gap of {difference:.1f} points" if difference >= 0 else
                 f"loss of diagnosis is {-difference:.1f} points higher")
    sentence = (
        f"With these assumptions ({pre.n:,} simulated referrals), {_percent(recovery)} of finishers at "
        f"caseness recover on the questionnaires and {_percent(lost)} of those interviewed no longer "
        f"meet diagnostic criteria: {gap_words}. The largest contribution, "
        f"{100 * biggest['contribution']:+.1f} points, is {biggest['component']} "
        f"({GROUP_WORDS[biggest['component']]}); a positive contribution pushes questionnaire "
        f"recovery above loss of diagnosis. An interview study of {INTERVIEWED} people drawn this "
        f"way would find between {_percent(low)} and {_percent(high)} in 95 of 100 repetitions. Each "
        f"figure moves by up to about {typical:.1f} points with another random cohort of this size.")
    chart = waterfall_chart(table_w, title="From questionnaire recovery to loss of diagnosis",
                            source=f"simulated cohort of {pre.n:,} referrals under the "
                                   "assumptions set above", sentence=sentence)
    return Result(table=table, chart=chart, sentence=sentence,
                  extra={"recovery": recovery, "lost": lost, "waterfall": table_w,
                         "sample_range": (low, high), "model": model})


def _percent(rate: float) -> str:
    return percent_text(rate, missing="no one")
