"""Measurement error in a questionnaire score: the band of plausible observed scores, and who is near a cut-off.

Classical test theory: an observed score is a true score plus error. The standard error of
measurement is SEM = SD·√(1 − r) (SD = spread of scores between people, r = reliability); about
95% of the scores one person with a fixed true score would give on different days lie within
± 1.96·SEM of it, and a change between two scores is "reliable" (Jacobson & Truax, 1991) when it
exceeds 1.96·√2·SEM (:func:`iaptlab.reliable_change.reliable_change_threshold`).

>>> row = band_of_observed_scores(12, reliability=0.89, sd=6)
>>> round(row["sem"], 2), round(row["band_low"], 1), round(row["band_high"], 1)
(1.99, 8.1, 15.9)
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import instruments
from .errors import ParameterError
from .reliable_change import reliable_change_threshold
from .schema import Validated

__all__ = ["OFFERED", "Z95", "band_of_observed_scores", "band_table", "first_score_counts", "offered_instrument",
           "share_near_cutoff"]


#: Two-sided 95% normal critical value, the convention of Jacobson & Truax (1991).
Z95 = 1.96


#: The two questionnaires this explorer offers (name -> column prefix in the episode table).
OFFERED = {"PHQ-9": "phq9", "GAD-7": "gad7"}


def offered_instrument(name: str) -> instruments.Instrument:
    """The instrument called ``name``, if it is one of :data:`OFFERED`.

    >>> offered_instrument("GAD-7").score_max
    21
    """
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
    inst = offered_instrument(instrument)
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


def first_score_counts(cohort: Validated | pd.DataFrame) -> pd.DataFrame:
    """How many referrals gave each first PHQ-9 and GAD-7 score (columns instrument, score, count).

    ``cohort``: a validated cohort, or an episode table already known to be valid (a simulated one).
    Missing first scores are left out (they have no score to be near a cut-off).

    >>> from iaptlab.lesson_cohort import lesson_cohort
    >>> counts = first_score_counts(lesson_cohort(2_000))
    >>> sorted(counts["instrument"].unique())
    ['GAD-7', 'PHQ-9']
    """
    table = cohort.table if isinstance(cohort, Validated) else cohort
    frames = []
    for name, key in OFFERED.items():
        scores = table[f"{key}_first"].dropna().round().astype(int)
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
    inst = offered_instrument(instrument)
    rows = score_counts[score_counts["instrument"] == inst.name]
    scores = rows["score"].to_numpy(dtype=float)
    counts = rows["count"].to_numpy(dtype=np.int64)
    near = (scores - Z95 * sem < inst.caseness) & (scores + Z95 * sem >= inst.caseness)
    return int(counts[near].sum()), int(counts.sum())


def band_table(row: dict, instrument: str, near: int, scored: int) -> pd.DataFrame:
    """One :func:`band_of_observed_scores` row as shown (quantity, value rounded as shown, unit),
    with IAPT's own reliable change threshold and the share of ``scored`` first scores that are
    ``near`` the caseness cut-off (:func:`share_near_cutoff`; NaN when none were scored).

    >>> t = band_table(band_of_observed_scores(12, reliability=0.89, sd=6), "PHQ-9", 30, 100)
    >>> float(t["value"].iloc[-1]), t["unit"].iloc[-1]
    (0.3, 'proportion')
    """
    inst = offered_instrument(instrument)
    op = "≥" if inst.caseness_comparison == ">=" else ">"
    return pd.DataFrame({
        "quantity": [
            "standard error of measurement (SEM)",
            "95% band: lowest likely score",
            "95% band: highest likely score",
            "reliable change threshold (1.96 × √2 × SEM)",
            f"IAPT's reliable change threshold for {inst.name}",
            f"chance of scoring at caseness ({op} {inst.caseness:g}) on a given day",
            "share of simulated first scores within 1.96 SEM of caseness",
        ],
        "value": [round(row["sem"], 2), round(row["band_low"], 1), round(row["band_high"], 1),
                  round(row["reliable_change"], 1), float(inst.reliable_change),
                  round(row["p_caseness"], 2), round(near / scored, 2) if scored else float("nan")],
        "unit": ["points", "points", "points", "points", "points", "proportion", "proportion"],
    })
