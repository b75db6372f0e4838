"""Lesson 01's measurement-error explorer: reliability and spread -> the band of plausible scores.

Glue over :mod:`iaptlab.measurement_error`. The only thing taken from the simulated cohort is how
many referrals gave each first score, so the explorer can say how many people score close enough
to the caseness cut-off for one day's error to decide which side they fall.

>>> from iaptlab.lesson_cohort import lesson_cohort
>>> compute(first_score_counts(lesson_cohort(2_000)), true_score=12).extra["row"]["band_low"] < 12
True
"""

from __future__ import annotations

import pandas as pd

from ..format import chance_text
from ..lesson_cohort import LESSON_N, LESSON_SEED
from ..measurement_error import (
    OFFERED,
    Z95,
    band_of_observed_scores,
    band_table,
    first_score_counts,
    offered_instrument,
    share_near_cutoff,
)
from ..simulate import CohortModel, simulate
from ..widgets import Control, Result, settings

__all__ = ["BROWSER_SCRIPT", "CONTROLS", "browser_data", "compute", "prepare"]

def prepare() -> pd.DataFrame:
    """How many of the lesson cohort gave each first PHQ-9 and GAD-7 score.

    Counted on the simulated table as :func:`~iaptlab.simulate.simulate` makes it, without
    :func:`~iaptlab.schema.validate` or ``lesson_cohort``'s cache (~0.07 s before lesson 01's first
    chart, and no 100,000-row cohort kept for a table of counts): a simulated cohort has no invalid
    row to exclude, so the counts are those of ``lesson_cohort()`` (tests/test_explorer_prepare.py).
    """
    return first_score_counts(simulate(CohortModel.interview_sees_questionnaires(n=LESSON_N, seed=LESSON_SEED)))

CONTROLS = (
    Control("instrument", "Questionnaire", "choice", "PHQ-9",
            options=(("PHQ-9", "PHQ-9 (depression, 0-27)"), ("GAD-7", "GAD-7 (anxiety, 0-21)"))),
    Control("true_score", "The person's true score", "int", 12, 0, 27,
            help="The score they would get with no measurement error; clipped to the "
                 "questionnaire's range (GAD-7 stops at 21)."),
    Control("reliability", "Reliability of the questionnaire (0.5 noisy, 0.99 almost exact)",
            "float", 0.89, 0.5, 0.99, step=0.01,
            help="Illustrative default 0.89: Cronbach's alpha reported for the PHQ-9 by a "
                 "secondary source (kroenke_2001 / spitzer_2006 reliability, [S]), not a confirmed figure."),
    Control("sd", "Spread of scores between people (SD, points)", "float", 6.0, 2.0, 10.0,
            step=0.5, help="Illustrative default 6, as in the dossier's worked example (§7.1)."),
)


def compute(score_counts: pd.DataFrame, **controls) -> Result:
    """The 95% band for the chosen settings: chart, table (values as shown) and one sentence."""
    from .. import charts

    params = settings(CONTROLS, controls)
    inst = offered_instrument(params["instrument"])
    asked = float(params["true_score"])
    true_score = float(min(max(asked, inst.score_min), inst.score_max))
    reliability, sd = float(params["reliability"]), float(params["sd"])
    row = band_of_observed_scores(true_score, reliability=reliability, sd=sd, instrument=inst.name)
    near, scored = share_near_cutoff(score_counts, inst.name, row["sem"])
    table = band_table(row, inst.name, near, scored)
    op = "≥" if inst.caseness_comparison == ">=" else ">"
    sentence = (
        f"With reliability {reliability:.2f} and SD {sd:g}, a person whose true {inst.name} score is "
        f"{true_score:g} could score anywhere from {row['band_low']:.1f} to {row['band_high']:.1f} "
        f"on a given day (95%; SEM {row['sem']:.2f} points)."
    )
    if asked != true_score:
        sentence += f" (The true score {asked:g} is outside {inst.name}'s range, so {true_score:g} is used.)"
    if row["clipped"]:
        sentence += (f" The band is cut off at the scale's ends ({inst.score_min:g} to "
                     f"{inst.score_max:g}): no one can score outside them.")
    sentence += (
        f" A change smaller than {row['reliable_change']:.1f} points could be measurement error "
        f"alone (IAPT uses {inst.reliable_change:g}). On a given day this person has a "
        f"{chance_text(row['p_caseness'])} chance of scoring at caseness ({op} {inst.caseness:g})."
    )
    if scored:
        sentence += (f" In the simulated cohort, {100 * near / scored:.0f}% of first {inst.name} scores "
                     f"lie within 1.96 SEM of the cut-off, where one day's error could put a "
                     f"person on either side of it.")
    title = f"Observed {inst.name} scores for a true score of {true_score:g} (SEM {row['sem']:.2f})"
    chart = charts.sem_band(true_score, row["sem"], instrument=inst.name, z=Z95, title=title)
    return Result(table=table, chart=chart, sentence=sentence, extra={"row": row, "near": near,
                                                                       "scored": scored})


#: The page's copy of :func:`compute` (``iaptlab/static/compute/measurement_error.js``).
BROWSER_SCRIPT = "measurement_error"


def browser_data(score_counts: pd.DataFrame) -> dict:
    """What the page's :data:`BROWSER_SCRIPT` needs (JSON): each offered questionnaire's range and
    thresholds, how many first scores each score has, and the chart's structure per questionnaire.

    >>> data = browser_data(pd.DataFrame({"instrument": ["PHQ-9"], "score": [10], "count": [3]}))
    >>> data["score_counts"]["PHQ-9"], data["score_counts"]["GAD-7"], sorted(data["specs"])
    ([[10, 3]], [], ['GAD-7', 'PHQ-9'])
    """
    import math

    from ..charts.live import chart_skeleton

    instruments = {}
    for name in OFFERED:
        inst = offered_instrument(name)
        instruments[name] = {"name": inst.name, "score_min": inst.score_min, "score_max": inst.score_max,
                             "caseness": inst.caseness, "caseness_comparison": inst.caseness_comparison,
                             "reliable_change": float(inst.reliable_change)}
    counts = {name: [[int(s), int(c)] for s, c in zip(rows["score"], rows["count"], strict=True)]
              for name in OFFERED for rows in [score_counts[score_counts["instrument"] == name]]}
    return {"instruments": instruments, "score_counts": counts, "z": Z95,
            "coverage_text": f"{math.erf(Z95 / math.sqrt(2)):.0%}",  # as sem_band words it; Z95 is fixed
            "defaults": {c.name: c.default for c in CONTROLS},
            "specs": {name: chart_skeleton(compute(score_counts, instrument=name).chart) for name in OFFERED}}
