"""Lesson 00's twelve fictional example referrals, and who counts as "recovered" among them.

The file states no facts about the world: each case is made up to show one rule at work (its
``note`` column says which). :func:`case_table` shows each referral's flags in words and
:func:`stage_counts` the funnel from "referred" to "recovered".

>>> from iaptlab.outcomes import classify
>>> stage_counts(case_table(classify(example_episodes())))["count"].tolist()
[12, 10, 9, 8, 4]
"""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib.metadata import version

import numpy as np
import pandas as pd

from . import __version__
from .episode_files import read_episode_csv
from .outcomes import IAPT, Rules
from .schema import Validated, validate

__all__ = ["EXAMPLE_FILE", "STAGES", "case_table", "example_episodes", "lesson_rules", "render_checklist",
           "stage_counts"]


EXAMPLE_FILE = "example_episodes.csv"


#: Funnel stages, each a subset of the one before (words shown on the chart).
STAGES = ("referred", "finished a course", "…with paired first and last scores",
          "…at caseness at the start: the denominator", "recovered")


@lru_cache(maxsize=1)
def example_episodes() -> Validated:
    """The 12 fictional referrals in ``iaptlab/data/example_episodes.csv``, validated once.

    >>> example_episodes().table["episode_id"].tolist()[:3]
    ['EX01', 'EX02', 'EX03']
    """
    from importlib.resources import files

    checked = validate(read_episode_csv(files("iaptlab.data") / EXAMPLE_FILE))
    checked.raise_if_invalid()
    return checked


def lesson_rules(phq9_caseness: int = int(IAPT.caseness["phq9"].value),
                 min_treatment_contacts: int = IAPT.min_treatment_contacts) -> Rules:
    """The IAPT rules with the two explorer settings changed (everything else as IAPT).

    >>> lesson_rules(12, 3).caseness["phq9"].value, lesson_rules(12, 3).min_treatment_contacts
    (12, 3)
    """
    return IAPT.adjusted(name=f"IAPT, PHQ-9 caseness {phq9_caseness}, {min_treatment_contacts}+ contacts",
                         phq9_caseness=int(phq9_caseness),
                         min_treatment_contacts=int(min_treatment_contacts))


def _yes_no(flags: pd.Series | np.ndarray) -> np.ndarray:
    return np.where(np.asarray(flags, dtype=bool), "yes", "no")


def _first_to_last(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """'18 → 6' with '–' for a missing score (vectorised string building)."""
    def text(values: np.ndarray) -> pd.Series:
        shown = pd.Series(values).round().astype("Int64").astype(str)
        return shown.where(~np.isnan(values), "–")
    return (text(first) + " → " + text(last)).to_numpy()


def case_table(classified: pd.DataFrame) -> pd.DataFrame:
    """One row per referral: its scores and, in words, each flag the recovery rate rests on.

    ``in_denominator`` is finished ∧ paired ∧ at caseness at the start (the IAPT denominator).

    >>> from iaptlab.outcomes import classify
    >>> case_table(classify(example_episodes()))["in recovery denominator"].eq("yes").sum()
    np.int64(8)
    """
    uses_gad7 = classified["anxiety_measure"].astype(str).to_numpy() == "GAD-7"
    numbers = {name: classified[name].to_numpy(dtype=float, na_value=np.nan)
               for name in ("phq9_first", "phq9_last", "gad7_first", "gad7_last", "adsm_first", "adsm_last")}
    anxiety_first = np.where(uses_gad7, numbers["gad7_first"], numbers["adsm_first"])
    anxiety_last = np.where(uses_gad7, numbers["gad7_last"], numbers["adsm_last"])
    finished, paired, case_first = (classified[c].to_numpy(dtype=bool)
                                    for c in ("finished", "paired", "caseness_first"))
    return pd.DataFrame({
        "referral": classified["episode_id"].astype(str).to_numpy(),
        "treatment contacts": classified["treatment_contacts"].to_numpy(),
        "PHQ-9 first → last": _first_to_last(numbers["phq9_first"], numbers["phq9_last"]),
        "anxiety measure": classified["anxiety_measure"].astype(str).to_numpy(),
        "anxiety first → last": _first_to_last(anxiety_first, anxiety_last),
        "finished a course": _yes_no(finished),
        "paired scores": _yes_no(paired),
        "at caseness at start": _yes_no(case_first),
        "in recovery denominator": _yes_no(finished & paired & case_first),
        "recovered": _yes_no(classified["recovered"]),
    })


def stage_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Funnel counts from a :func:`case_table`: each stage a subset of the one before.

    >>> from iaptlab.outcomes import classify
    >>> stage_counts(case_table(classify(example_episodes())))["count"].tolist()
    [12, 10, 9, 8, 4]
    """
    yes = {column: table[column].to_numpy() == "yes" for column in
           ("finished a course", "paired scores", "in recovery denominator", "recovered")}
    finished = yes["finished a course"]
    counts = [len(table), int(finished.sum()), int((finished & yes["paired scores"]).sum()),
              int(yes["in recovery denominator"].sum()), int(yes["recovered"].sum())]
    return pd.DataFrame({"stage": STAGES, "count": counts})


def render_checklist(setup_status: str) -> str:
    """The plain-text checklist lesson 00's "does everything render?" cell prints.

    >>> print(render_checklist("iaptlab 0.1.0: charts render offline (svg renderer).").splitlines()[0])
    Checklist (copy this if you ask for help):
    """
    lines = [f"Python {platform.python_version()}", f"iaptlab {__version__}",
             f"pandas {pd.__version__}, altair {version('altair')}, ipywidgets {version('ipywidgets')}",
             f"setup(): {setup_status}"]
    return "\n".join(["Checklist (copy this if you ask for help):", *(f"  ✓ {line}" for line in lines)])
