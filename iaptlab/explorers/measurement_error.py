"""Lesson 01's measurement-error explorer: reliability and spread -> the band of plausible scores.

Classical test theory: an observed score is a true score plus error. The standard error of
measurement is SEM = SD·√(1 − r) (SD = spread of scores between people, r = reliability); about
95% of the scores one person with a fixed true score would give on different days lie within
± 1.96·SEM of it, and a change between two scores is "reliable" (Jacobson & Truax, 1991) when it
exceeds 1.96·√2·SEM (:func:`iaptlab.reliable_change.reliable_change_threshold`).

``compute(score_counts, **controls)`` is pure. ``score_counts`` (from :func:`first_score_counts`)
is the only thing taken from the simulated cohort: how many referrals gave each first score, so
the explorer can say how many people score close enough to the caseness cut-off for one day's
error to decide which side they fall. Every other number follows from the three sliders.

>>> row = band_of_observed_scores(12, reliability=0.89, sd=6)
>>> round(row["sem"], 2), round(row["band_low"], 1), round(row["band_high"], 1)
(1.99, 8.1, 15.9)
"""

from __future__ import annotations

import math
from functools import partial
from statistics import NormalDist

import numpy as np
import pandas as pd

from .. import instruments
from ..errors import ParameterError
from ..reliable_change import reliable_change_threshold
from ..schema import Validated
from ..widgets import Control, Result, defaults

#: Two-sided 95% normal critical value, the convention of Jacobson & Truax (1991).
Z95 = 1.96

#: The two questionnaires this explorer offers (name -> column prefix in the episode table).
OFFERED = {"PHQ-9": "phq9", "GAD-7": "gad7"}

CONTROLS = (
    Control("instrument", "Questionnaire", "choice", "PHQ-9",
            options=(("PHQ-9", "PHQ-9 (depression, 0-27)"), ("GAD-7", "GAD-7 (anxiety, 0-21)"))),
    Control("true_score", "The person's true score", "int", 12, 0, 27,
            help="The score they would get with no measurement error; clipped to the "
                 "questionnaire's range (GAD-7 stops at 21)."),
    Control("reliability", "Reliability of the questionnaire (0.5 noisy, 0.99 almost exact)",
            "float", 0.89, 0.5, 0.99, step=0.01,
            help="Illustrative default 0.89: Cronbach's alpha reported for the PHQ-9 by a "
                 "secondary source (domain.md §2.3 [S]), not a confirmed figure."),
    Control("sd", "Spread of scores between people (SD, points)", "float", 6.0, 2.0, 10.0,
            step=0.5, help="Illustrative default 6, as in the dossier's worked example (§7.1)."),
)


def _instrument(name: str) -> instruments.Instrument:
    if name not in OFFERED:
        raise ParameterError(f"instrument must be one of {sorted(OFFERED)}, got {name!r}")
    return instruments.lookup(name)


def band_of_observed_scores(true_score: float, *, reliability: float, sd: float,
                            instrument: str = "PHQ-9") -> dict[str, float | bool]:
    """SEM, the 95% band of observed scores around one true score, and the reliable change.

    Returns ``sem``, ``band_low``/``band_high`` (true ± 1.96·SEM, clipped to the instrument's
    range), ``clipped`` (True if either end was clipped), ``reliable_change`` (1.96·√2·SEM) and
    ``p_caseness``: the chance that one day's score is at or above the caseness cut-off, treating
    that score as the true score plus normal error with SD = SEM, rounded to a whole point (so a
    score reaches 10 when true + error ≥ 9.5).

    >>> row = band_of_observed_scores(9, reliability=0.84, sd=5)  # SEM = 5 x 0.4 = 2
    >>> row["sem"], row["band_low"], round(row["band_high"], 2), round(row["p_caseness"], 3)
    (2.0, 5.08, 12.92, 0.401)
    """
    inst = _instrument(instrument)
    if not inst.score_min <= true_score <= inst.score_max:
        raise ParameterError(f"true_score must be within {inst.name}'s range "
                             f"{inst.score_min:g}-{inst.score_max:g}, got {true_score}")
    if not 0 <= reliability < 1:
        raise ParameterError(f"reliability must be in [0, 1), got {reliability}")
    if not (sd > 0 and math.isfinite(sd)):
        raise ParameterError(f"sd must be a finite number > 0, got {sd}")
    sem = sd * math.sqrt(1 - reliability)
    raw_low, raw_high = true_score - Z95 * sem, true_score + Z95 * sem
    low, high = max(inst.score_min, raw_low), min(inst.score_max, raw_high)
    reaches = inst.caseness - 0.5 if inst.caseness_comparison == ">=" else inst.caseness + 0.5
    return {
        "sem": sem,
        "band_low": low,
        "band_high": high,
        "clipped": bool(low != raw_low or high != raw_high),
        "reliable_change": float(reliable_change_threshold(sd, reliability, critical=Z95)),
        "p_caseness": NormalDist().cdf((true_score - reaches) / sem),  # accurate in the tail
    }


def first_score_counts(cohort: Validated) -> pd.DataFrame:
    """How many referrals gave each first PHQ-9 and GAD-7 score (columns instrument, score, count).

    Missing first scores are left out (they have no score to be near a cut-off).

    >>> from iaptlab.explorers.cohort import lesson_cohort
    >>> counts = first_score_counts(lesson_cohort(2_000))
    >>> sorted(counts["instrument"].unique())
    ['GAD-7', 'PHQ-9']
    """
    frames = []
    for name, key in OFFERED.items():
        scores = cohort.table[f"{key}_first"].dropna().round().astype(int)
        counts = scores.value_counts().sort_index()
        frames.append(pd.DataFrame({"instrument": name, "score": counts.index.to_numpy(),
                                    "count": counts.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def share_near_cutoff(score_counts: pd.DataFrame, instrument: str, sem: float) -> tuple[int, int]:
    """(n whose 95% band crosses caseness, n with a score) among ``instrument``'s first scores.

    A score s is "near" when s − 1.96·SEM < caseness ≤ s + 1.96·SEM: its band holds true scores
    on both sides of the cut-off.

    >>> counts = pd.DataFrame({"instrument": "PHQ-9", "score": [5, 9, 10, 12], "count": [1, 2, 3, 4]})
    >>> share_near_cutoff(counts, "PHQ-9", sem=1.0)  # band ±1.96: 9 and 10 cross 10; 5 and 12 do not
    (5, 10)
    """
    inst = _instrument(instrument)
    rows = score_counts[score_counts["instrument"] == inst.name]
    scores = rows["score"].to_numpy(dtype=float)
    counts = rows["count"].to_numpy(dtype=np.int64)
    near = (scores - Z95 * sem < inst.caseness) & (scores + Z95 * sem >= inst.caseness)
    return int(counts[near].sum()), int(counts.sum())


def _chance(probability: float) -> str:
    """A model probability in words: a normal tail is never exactly 0 or 1, so never say so.

    >>> _chance(0.0), _chance(0.42), _chance(1.0)
    ('less than 1%', '42%', 'more than 99%')
    """
    if probability < 0.005:
        return "less than 1%"
    if probability >= 0.995:
        return "more than 99%"
    return f"{100 * probability:.0f}%"


def compute(score_counts: pd.DataFrame, **controls) -> Result:
    """The 95% band for the chosen settings: chart, table (values as shown) and one sentence."""
    from .. import charts

    params = {**defaults(CONTROLS), **controls}
    inst = _instrument(params["instrument"])
    asked = float(params["true_score"])
    true_score = float(min(max(asked, inst.score_min), inst.score_max))
    reliability, sd = float(params["reliability"]), float(params["sd"])
    row = band_of_observed_scores(true_score, reliability=reliability, sd=sd, instrument=inst.name)
    near, scored = share_near_cutoff(score_counts, inst.name, row["sem"])
    shown = {
        "sem": round(row["sem"], 2),
        "band_low": round(row["band_low"], 1),
        "band_high": round(row["band_high"], 1),
        "reliable_change": round(row["reliable_change"], 1),
        "p_caseness": round(row["p_caseness"], 2),
        "near": round(near / scored, 2) if scored else float("nan"),
    }
    op = "≥" if inst.caseness_comparison == ">=" else ">"
    table = pd.DataFrame({
        "quantity": [
            "standard error of measurement (SEM)",
            "95% band: lowest likely score",
            "95% band: highest likely score",
            "reliable change threshold (1.96 × √2 × SEM)",
            f"IAPT's reliable change threshold for {inst.name}",
            f"chance of scoring at caseness ({op} {inst.caseness:g}) on a given day",
            "share of simulated first scores within 1.96 SEM of caseness",
        ],
        "value": [shown["sem"], shown["band_low"], shown["band_high"], shown["reliable_change"],
                  float(inst.reliable_change), shown["p_caseness"], shown["near"]],
        "unit": ["points", "points", "points", "points", "points", "proportion", "proportion"],
    })
    sentence = (
        f"With reliability {reliability:.2f} and SD {sd:g}, a person whose true {inst.name} score is "
        f"{true_score:g} could score anywhere from {shown['band_low']:.1f} to {shown['band_high']:.1f} "
        f"on a given day (95%; SEM {shown['sem']:.2f} points)."
    )
    if asked != true_score:
        sentence += f" (The true score {asked:g} is outside {inst.name}'s range, so {true_score:g} is used.)"
    if row["clipped"]:
        sentence += (f" The band is cut off at the scale's ends ({inst.score_min:g} to "
                     f"{inst.score_max:g}): no one can score outside them.")
    sentence += (
        f" A change smaller than {shown['reliable_change']:.1f} points could be measurement error "
        f"alone (IAPT uses {inst.reliable_change:g}). On a given day this person has a "
        f"{_chance(row['p_caseness'])} chance of scoring at caseness ({op} {inst.caseness:g})."
    )
    if scored:
        sentence += (f" In the simulated cohort, {100 * near / scored:.0f}% of first {inst.name} scores "
                     f"lie within 1.96 SEM of the cut-off, where one day's error could put a "
                     f"person on either side of it.")
    title = f"Observed {inst.name} scores for a true score of {true_score:g} (SEM {shown['sem']:.2f})"
    chart = charts.sem_band(true_score, row["sem"], instrument=inst.name, z=Z95, title=title)
    return Result(table=table, chart=chart, sentence=sentence, extra={"row": row, "near": near,
                                                                       "scored": scored})


def explorer(cohort: Validated):
    """The compute function bound to the cohort's first-score counts, for :func:`widgets.show`."""
    return partial(compute, first_score_counts(cohort))
