"""Who is counted: recovery among finishers against the truth among everyone who entered treatment.

Lesson 09's analyses of the session-by-session simulation (:func:`iaptlab.simulate.contact_cohort`).
Every number here is *model output*, computed from stated assumptions (``CohortModel.describe()``),
never evidence about IAPT. Each estimate applies the IAPT recovery rule
(:func:`iaptlab.outcomes.classify`, caseness at the first score) to a different group of people and
a different "last" score:

- ``finishers``: what is published. Referrals that ended with two or more attended treatment
  contacts, scored on their last *available* score (:func:`iaptlab.episodes.from_contacts`).
- ``completers``: a completer analysis. Only people who attended their whole planned course.
- ``itt_locf``: intention to treat with the last observation carried forward. Everyone who entered
  treatment (one or more attended treatment contacts); someone with one score keeps it as "last".
- ``truth``: everyone who entered treatment, scored (with the same measurement error, no demand)
  when their planned course was due to end: what complete follow-up would find.

>>> t = who_is_counted("mcar", 1.0, n=4_000)
>>> t["estimate"].tolist()
['finishers', 'completers', 'itt_locf', 'truth']
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from .episodes import from_contacts
from .errors import ParameterError
from .format import counts_of_texts
from .lesson_cohort import LESSON_SEED
from .outcomes import IAPT, classify, rates
from .simulate import CohortModel, contact_cohort, simulate

__all__ = ["ATTRITION_N", "ESTIMATES", "MECHANISM_WORDS", "dropout_model", "effect_sizes",
           "five_clients", "model_comparison", "who_is_counted", "counted_table"]

#: Referrals simulated per setting (enough for rates to about +/- 0.7 percentage points).
ATTRITION_N = 40_000

#: Each estimate, as the table and chart name it.
ESTIMATES = MappingProxyType({
    "finishers": "finishers, last available score (published)",
    "completers": "completers only (whole planned course)",
    "itt_locf": "everyone who entered, last score carried forward",
    "truth": "truth: everyone who entered, measured at the planned end",
})

#: How the sentence names each dropout mechanism.
MECHANISM_WORDS = MappingProxyType({
    "mcar": "completely at random (MCAR)",
    "mar": "by the last recorded scores (MAR)",
    "mnar": "by how people feel now, which nobody records (MNAR)",
})


def dropout_model(mechanism: str, odds_ratio: float, n: int = ATTRITION_N,
                  seed: int = LESSON_SEED) -> CohortModel:
    """``CohortModel.interview_sees_questionnaires(n, seed)`` with this dropout mechanism and strength.

    The calibrated model's attrition bias (people whose whole course would help them less stop
    sooner) is switched off, so that who stops depends only on the mechanism chosen here.

    >>> m = dropout_model("mnar", 2.0, n=10)
    >>> m.dropout_mechanism, m.is_on("attrition_bias")
    ('mnar', False)
    """
    base = CohortModel.interview_sees_questionnaires(n=n, seed=seed).without("attrition_bias")
    return dataclasses.replace(base, dropout_mechanism=mechanism,
                               dropout_odds_ratio_per_sd_better=float(odds_ratio))


def _recovered_row(episodes: pd.DataFrame, estimate: str) -> dict:
    classified = classify(episodes, IAPT)
    at_start = classified["caseness_first"].to_numpy(dtype=bool)
    row = rates(classified[at_start], IAPT).set_index("outcome").loc["recovered"]
    return {"estimate": estimate, "label": ESTIMATES[estimate], "numerator": int(row["numerator"]),
            "denominator": int(row["denominator"]), "rate": float(row["rate"])}


def _as_everyone_finished(episodes: pd.DataFrame) -> pd.DataFrame:
    """The same scores with every referral counted as finished (for the estimates that ignore it)."""
    kept = [c for c in episodes.columns if not c.endswith("_contact") and c != "referral_ended"]
    out = episodes[kept].copy()
    out["treatment_contacts"] = np.maximum(out["treatment_contacts"].to_numpy(), 2)
    return out


def who_is_counted(mechanism: str = "mcar", odds_ratio: float = 1.5, n: int = ATTRITION_N,
                   seed: int = LESSON_SEED) -> pd.DataFrame:
    """Recovery (IAPT rule, at caseness at the first score) under four ways of counting.

    One row per :data:`ESTIMATES` key: ``estimate``, ``label``, ``numerator``, ``denominator``,
    ``rate``; plus ``stopped_early_share`` (of those who entered, the share who stopped before
    their planned course ended) and ``finished_share`` (of those who entered) on every row.
    Cached: the same arguments give the same table object (do not change it). At an odds ratio of
    1 who stops depends on nothing, whatever the mechanism (the simulation's random numbers are
    the same for all three): the three settings share one simulation and one table.

    >>> t = who_is_counted("mcar", 1.0, n=4_000).set_index("estimate")
    >>> bool(t.loc["truth", "denominator"] >= t.loc["finishers", "denominator"])
    True
    >>> who_is_counted("mnar", 1.0, n=4_000) is who_is_counted("mar", 1.0, n=4_000)
    True
    """
    if mechanism not in MECHANISM_WORDS:
        raise ParameterError(f"mechanism must be one of {', '.join(MECHANISM_WORDS)}, got {mechanism!r}")
    if float(odds_ratio) == 1.0:
        mechanism = "mcar"
    return _counted(mechanism, float(odds_ratio), n, seed)


@lru_cache(maxsize=32)
def _counted(mechanism: str, odds_ratio: float, n: int, seed: int) -> pd.DataFrame:
    """:func:`who_is_counted`'s table, simulated (cached)."""
    cohort = contact_cohort(dropout_model(mechanism, odds_ratio, n, seed))
    episodes = from_contacts(cohort.contacts)
    referrals = cohort.referrals
    entered = episodes["treatment_contacts"].to_numpy() >= 1
    completed = entered & ~referrals["stopped_early"].to_numpy()
    everyone = _as_everyone_finished(episodes)
    measured = everyone.assign(phq9_last=referrals["phq9_if_measured"].to_numpy(dtype=float),
                               gad7_last=referrals["gad7_if_measured"].to_numpy(dtype=float))
    rows = [_recovered_row(episodes, "finishers"),
            _recovered_row(everyone[completed], "completers"),
            _recovered_row(everyone[entered], "itt_locf"),
            _recovered_row(measured[entered], "truth")]
    table = pd.DataFrame(rows)
    table["stopped_early_share"] = float(referrals["stopped_early"].to_numpy()[entered].mean())
    table["finished_share"] = float((episodes["treatment_contacts"].to_numpy()[entered] >= 2).mean())
    return table


def five_clients(seed: int = LESSON_SEED) -> pd.DataFrame:
    """Five simulated referrals' contacts, one of each kind a service sees, for lesson 09.

    In order: never entered treatment (assessment only); one treatment contact then stopped;
    stopped part-way through the planned course; finished the planned course; missed an
    appointment along the way. Columns: ``client`` (A-E), ``what_happened``, then the contact
    table's columns (``referral_id`` ... ``referral_ended``, ``week``, ``true_phq9``, ``true_gad7``).

    >>> five_clients()["client"].unique().tolist()
    ['A', 'B', 'C', 'D', 'E']
    """
    cohort = contact_cohort(CohortModel.interview_sees_questionnaires(n=2_000, seed=seed))
    contacts, referrals = cohort.contacts, cohort.referrals
    ids = referrals["episode_id"].to_numpy()
    attended_tc = referrals["attended_treatment_contacts"].to_numpy()
    stopped = referrals["stopped_early"].to_numpy()
    planned = referrals["planned_contacts"].to_numpy()
    missed = contacts.loc[~contacts["attended"], "referral_id"].astype(str).unique()
    has_missed = np.isin(ids, missed)
    kinds = (
        ("never entered treatment", ~referrals["entered"].to_numpy()),
        ("one treatment contact, then stopped", attended_tc == 1),
        ("stopped part-way through the planned course", stopped & (attended_tc >= 3)),
        ("finished the planned course", ~stopped & (planned >= 6) & (planned <= 10) & ~has_missed),
        ("missed an appointment, then carried on", ~stopped & has_missed & (planned <= 10)),
    )
    parts = []
    for letter, (words, mask) in zip("ABCDE", kinds, strict=True):
        chosen = ids[np.flatnonzero(mask)[0]]
        rows = contacts[contacts["referral_id"] == chosen]
        parts.append(rows.assign(client=letter, what_happened=words))
    out = pd.concat(parts, ignore_index=True)
    out["referral_id"] = out["referral_id"].astype(str)
    return out[["client", "what_happened", *[c for c in out.columns if c not in ("client", "what_happened")]]]


def effect_sizes(n: int = ATTRITION_N, seed: int = LESSON_SEED) -> pd.DataFrame:
    """Pre-post and controlled effect sizes (PHQ-9, finishers) in the simulated cohort.

    ``pre_post_d``: mean(first - last) / SD(first) among finishers with both scores, as an
    uncontrolled practice-based study reports it. ``controlled_d``: the same cohort's pre-post d
    minus the pre-post d of the same people (same random numbers) with a treatment that does
    nothing (``CohortModel.no_treatment_effect``): only the change treatment caused.

    >>> t = effect_sizes(n=4_000).set_index("cohort")
    >>> bool(t.loc["treatment as modelled", "pre_post_d"] > t.loc["treatment does nothing", "pre_post_d"])
    True
    """
    rows = []
    for name, model in (("treatment as modelled", CohortModel.interview_sees_questionnaires(n=n, seed=seed)),
                        ("treatment does nothing", CohortModel.no_treatment_effect(n=n, seed=seed))):
        episodes = from_contacts(contact_cohort(model).contacts)
        finished = classify(episodes, IAPT)["finished"].to_numpy(dtype=bool)
        first = episodes["phq9_first"].to_numpy(dtype=float)[finished]
        last = episodes["phq9_last"].to_numpy(dtype=float)[finished]
        both = ~np.isnan(first) & ~np.isnan(last)
        d = float(np.mean(first[both] - last[both]) / np.std(first[both], ddof=1))
        rows.append({"cohort": name, "finishers": int(both.sum()), "pre_post_d": d})
    table = pd.DataFrame(rows)
    table["controlled_d"] = table["pre_post_d"] - table["pre_post_d"].iloc[1]
    return table


def model_comparison(n: int = ATTRITION_N, seed: int = LESSON_SEED) -> pd.DataFrame:
    """Recovery among finishers at caseness: the explorer's default against the calibrated model.

    Both rows are the same session-by-session model (``CohortModel.interview_sees_questionnaires``).
    The explorer's default stops people completely at random (``dropout_model("mcar", 1.0)``:
    attrition bias off); the calibrated model of lessons 02-09 matches the published recovery rate
    by letting people whose whole course would help them less stop sooner
    (``finishing_odds_ratio_per_sd_improvement``, a teaching assumption). Columns ``model``,
    ``numerator``, ``denominator``, ``rate``.

    >>> model_comparison(n=4_000)["model"].tolist()[0]
    'dropout completely at random (the explorer at odds ratio 1)'
    """
    cohorts = (("dropout completely at random (the explorer at odds ratio 1)",
                simulate(dropout_model("mcar", 1.0, n, seed))),
               ("calibrated (lessons 02-08): people whose course would help them less stop sooner",
                simulate(CohortModel.interview_sees_questionnaires(n=n, seed=seed))))
    rows = []
    for name, episodes in cohorts:
        row = _recovered_row(episodes, "finishers")
        rows.append({"model": name, **{k: row[k] for k in ("numerator", "denominator", "rate")}})
    return pd.DataFrame(rows)


def counted_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """A :func:`who_is_counted` table as shown: recovery (%) among each group counted, its distance
    from the truth (the last row, everyone who entered treatment measured at the planned end) and
    the people counted.

    >>> counted_table(who_is_counted("mcar", 1.0, n=2_000))["minus the truth (points)"].iloc[-1]
    np.float64(0.0)
    """
    pct = (100 * tidy["rate"]).round(1)
    return pd.DataFrame({
        "who is counted": tidy["label"].to_numpy(),
        "recovered (%)": pct.to_numpy(),
        "minus the truth (points)": (pct - pct.iloc[-1]).round(1).to_numpy(),
        "people": counts_of_texts(tidy["numerator"], tidy["denominator"]),
    })
