"""Lesson 03's demand model: shift the questionnaire scores, keep everyone's true state fixed.

The critic's claim (Scott, 2021, blog) is that IAPT's questionnaires are "often" completed in the
therapist's presence, so the last score may look better than the person feels (a *demand*
effect, after Orne, 1962); the *hello-goodbye* effect adds a first score that looks worse than it
is. How often this happens in IAPT, and by how many points, has not been measured (no study was
found; the idea is Orne's, orne_1962). The lesson therefore treats both as **assumptions you set** and shows
what they would do to the published rates.

How it works (every number is reproducible):

1. :func:`demand_inputs` simulates the lesson cohort's referrals (``CohortModel.interview_sees_questionnaires`` with
   the lesson's size and seed) with the simulation's own demand and hello-goodbye switched off, so
   its questionnaire scores hold measurement error but no demand. It also draws one seeded
   uniform number per referral that decides, for any share ``s``, who completed the last
   questionnaire with the therapist present (``u < s``; raising the share only adds people).
2. :func:`shifted_scores` is the whole model of demand: each affected last score moves by
   ``last_shift`` points, each first score by ``hello_points``, and every score stays within its
   scale (0-27 PHQ-9, 0-21 GAD-7). The same number of points is applied to both questionnaires.
3. :func:`demand_rates` re-applies the IAPT rules (:func:`iaptlab.outcomes.classify`) to the
   shifted scores and to the unshifted ones. Nobody's true severity, attendance or treatment
   changes between the two: only what they wrote on the form.

>>> inputs = demand_inputs(3_000)
>>> table = demand_rates(inputs, last_shift=-2, share_with_therapist=1.0)
>>> row = table.set_index(["group", "outcome"]).loc
>>> bool(row[WITH, "recovered"]["rate"] >= row[BASELINE, "recovered"]["rate"])
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from .errors import ParameterError
from .format import counts_of_texts
from .instruments import GAD7, PHQ9
from .lesson_cohort import LESSON_N, LESSON_SEED
from .outcomes import PRESETS, classify, flag_arrays, rate_counts, rates
from .schema import Validated, validate
from .simulate import CohortModel, course_of, draw, episode_columns, episode_id_column

__all__ = ["BASELINE", "KEPT_COLUMNS", "SCALE_MAX", "SHOWN", "THERAPIST_SEED_OFFSET", "WITH", "DemandInputs",
           "demand_inputs", "demand_rates", "shifted_scores", "trial_evidence", "demand_table"]


#: The score columns the explorer shifts, with each one's scale maximum.
SCALE_MAX = MappingProxyType({"phq9_first": PHQ9.score_max, "phq9_last": PHQ9.score_max,
                              "gad7_first": GAD7.score_max, "gad7_last": GAD7.score_max})


#: The columns kept from the simulated cohort (everything the outcome rules read).
KEPT_COLUMNS = ("episode_id", "treatment_contacts", *SCALE_MAX)


#: Outcomes shown, with the words used in the table, chart and sentence.
SHOWN = MappingProxyType({"recovered": "recovered", "reliable_improvement": "reliably improved"})


#: Group labels: the unshifted scores and the shifted ones.
BASELINE = "baseline (no demand)"  # sorts before WITH in the chart


WITH = "with demand"


#: Added to the lesson seed to seed the "with the therapist" draws (lesson 03).
THERAPIST_SEED_OFFSET = 3


@dataclass(frozen=True)
class DemandInputs:
    """What does not change when a slider moves (built once by :func:`demand_inputs`).

    ``episodes``: the referrals who finished a course with all four scores (the only ones any
    outcome rate counts), validated, with scores as written with no demand;
    ``with_therapist_u``: one uniform number per row (row order); ``model``: the simulation's
    parameters (``model.describe()`` lists them); ``baseline``: preset name -> unshifted rates.
    """

    episodes: pd.DataFrame
    with_therapist_u: np.ndarray
    model: CohortModel
    baseline: Mapping[str, pd.DataFrame]


def _rates(episodes: pd.DataFrame, rules_name: str) -> pd.DataFrame:
    if rules_name not in PRESETS:
        raise ParameterError(f"rules must be one of {', '.join(PRESETS)}, got {rules_name!r}")
    rules = PRESETS[rules_name]
    checked = Validated(episodes, episodes.iloc[:0], ())
    table = rates(classify(checked, rules), rules)
    return table[table["outcome"].isin(list(SHOWN))].reset_index(drop=True)


@lru_cache(maxsize=4)
def demand_inputs(n: int = LESSON_N, seed: int = LESSON_SEED) -> DemandInputs:
    """The lesson cohort's referrals without demand or hello-goodbye, plus the therapist draws.

    Cached: the same ``(n, seed)`` gives the same object every call.

    >>> demand_inputs(500).model.demand_shift_points
    0.0
    """
    model = CohortModel.interview_sees_questionnaires(n=n, seed=seed).without("demand", "hello_goodbye")
    draws = draw(model.n, model.seed)
    # simulate(model)'s score columns (the same numbers, tested), without its contact table of a
    # million rows and the truth and interview columns, which the explorer never reads
    columns = episode_columns(model, draws, course_of(model, draws), interview=False)
    # Only finished referrals with all four scores can enter a denominator under any preset, so
    # the rest are dropped once here: the rates are unchanged and each slider move is faster.
    finished = columns["treatment_contacts"] >= min(r.min_treatment_contacts for r in PRESETS.values())
    paired = ~np.isnan(np.stack([columns[c] for c in SCALE_MAX])).any(axis=0)
    kept = finished & paired
    ids = episode_id_column(model.n, kept)  # validate reads them without a Python string per referral
    table = pd.DataFrame({"episode_id": ids,
                          **{c: columns[c][kept] for c in KEPT_COLUMNS[1:]}}, copy=False)
    episodes = validate(table).raise_if_invalid().table[list(KEPT_COLUMNS)]
    # one draw per referral in the whole cohort, then kept alongside its referral
    u = np.random.default_rng(seed + THERAPIST_SEED_OFFSET).random(model.n)[kept]
    baseline = MappingProxyType({name: _rates(episodes, name) for name in PRESETS})
    return DemandInputs(episodes=episodes, with_therapist_u=u, model=model, baseline=baseline)


def shifted_scores(episodes: pd.DataFrame, with_therapist_u: np.ndarray, *, last_shift: float = 0,
                   share_with_therapist: float = 0.0, hello_points: float = 0) -> pd.DataFrame:
    """A copy of ``episodes`` with demand and hello-goodbye applied, every score kept on its scale.

    The last PHQ-9 and GAD-7 of rows with ``with_therapist_u < share_with_therapist`` move by
    ``last_shift`` points; every first score moves by ``hello_points``. Missing scores stay missing.

    >>> eps = pd.DataFrame({"phq9_first": [12.0, 26.0], "phq9_last": [1.0, float("nan")],
    ...                     "gad7_first": [9.0, 20.0], "gad7_last": [8.0, 7.0]})
    >>> out = shifted_scores(eps, np.array([0.1, 0.9]), last_shift=-2, share_with_therapist=0.5,
    ...                      hello_points=2)
    >>> out.to_numpy().tolist()
    [[14.0, 0.0, 11.0, 6.0], [27.0, nan, 21.0, 7.0]]
    """
    out = episodes.copy(deep=False)  # pandas copy-on-write: only the columns set below are new
    scores = {c: out[c].to_numpy() for c in SCALE_MAX if c in out.columns}
    for column, moved in _moved(scores, with_therapist_u, len(out), last_shift=last_shift,
                                share_with_therapist=share_with_therapist, hello_points=hello_points).items():
        out[column] = moved
    return out


def _moved(scores: Mapping[str, np.ndarray], with_therapist_u: np.ndarray, rows: int, *, last_shift: float,
           share_with_therapist: float, hello_points: float) -> dict[str, np.ndarray]:
    """:func:`shifted_scores`' arithmetic on score columns (of :data:`SCALE_MAX`) as arrays of ``rows`` values."""
    if not 0.0 <= share_with_therapist <= 1.0:
        raise ParameterError(f"share_with_therapist must be from 0 to 1, got {share_with_therapist!r}")
    u = np.asarray(with_therapist_u, dtype=float)
    if u.shape != (rows,):
        raise ParameterError(f"with_therapist_u has {u.size} values for {rows} episodes")
    moves = {"first": float(hello_points), "last": np.where(u < share_with_therapist, float(last_shift), 0.0)}
    return {column: np.clip(np.asarray(values, dtype=float) + moves[column.rsplit("_", 1)[1]], 0.0, SCALE_MAX[column])
            for column, values in scores.items()}  # NaN stays NaN


def _shifted_counts(columns: Mapping[str, np.ndarray], outcomes: list[str], rules_name: str
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numerators, denominators and rates of ``outcomes`` for a valid table's number ``columns`` (the
    inputs' episodes with their scores shifted), counted from :func:`iaptlab.outcomes.flag_arrays` as
    :func:`iaptlab.outcomes.rates` counts them, without building a table. A slider move's main cost,
    so it is kept lean."""
    rules = PRESETS[rules_name]
    flags = {**columns, **flag_arrays(columns, rules)}
    counts = [rate_counts(flags, outcome, rules) for outcome in outcomes]
    numerator, denominator = (np.array(c, dtype=np.int64) for c in zip(*counts, strict=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)
    return numerator, denominator, rate


def demand_rates(inputs: DemandInputs, *, last_shift: float = 0, share_with_therapist: float = 0.0,
                 hello_points: float = 0, rules: str = "iapt") -> pd.DataFrame:
    """Recovery and reliable improvement without and with demand (tidy, for ``charts.rates_bar``).

    Columns: ``group`` (:data:`BASELINE` or :data:`WITH`), ``outcome``, ``numerator``,
    ``denominator``, ``rate`` (0-1), ``denominator_description``.

    >>> t = demand_rates(demand_inputs(500))
    >>> t["group"].tolist()
    ['baseline (no demand)', 'baseline (no demand)', 'with demand', 'with demand']
    """
    baseline = _rates(inputs.episodes, rules) if rules not in inputs.baseline else inputs.baseline[rules]
    episodes = inputs.episodes
    columns = {name: episodes[name].to_numpy() for name, dtype in episodes.dtypes.items()
               if dtype.kind in "biuf"}  # numbers only: ids are never counted
    columns.update(_moved({c: columns[c] for c in SCALE_MAX if c in columns}, inputs.with_therapist_u,
                          len(episodes), last_shift=last_shift, share_with_therapist=share_with_therapist,
                          hello_points=hello_points))
    outcomes = baseline["outcome"].tolist()
    numerator, denominator, rate = _shifted_counts(columns, outcomes, rules)
    # one table built once (a slider move): the baseline's rows, then the shifted ones
    return pd.DataFrame({
        "group": [BASELINE] * len(outcomes) + [WITH] * len(outcomes),
        "outcome": outcomes * 2,
        "numerator": np.concatenate([baseline["numerator"].to_numpy(dtype=np.int64), numerator]),
        "denominator": np.concatenate([baseline["denominator"].to_numpy(dtype=np.int64), denominator]),
        "rate": np.concatenate([baseline["rate"].to_numpy(dtype=float), rate]),
        "denominator_description": baseline["denominator_description"].tolist() * 2,
    })


def trial_evidence(bias: pd.DataFrame) -> pd.DataFrame:
    """The self-report vs clinician-rated rows of dataset ``assessment_bias``, labelled by study.

    Adds ``study`` ("Cuijpers et al. (2010)") and ``label`` (study: subset).

    >>> from iaptlab import datasets
    >>> trial_evidence(datasets.load("assessment_bias"))["study"].unique().tolist()
    ['Cuijpers et al. (2010)', 'Miguel et al. (2025)']
    """
    from . import datasets

    missing = [c for c in ("comparison", "subset", "estimate", "ci_low", "ci_high", "source")
               if c not in bias.columns]
    if missing:
        raise ParameterError(f"assessment_bias table lacks column(s) {', '.join(missing)}")
    rows = bias[bias["comparison"] == "self-report vs clinician-rated"].reset_index(drop=True)
    known = datasets.sources()
    names = {key: f"{known[key]['authors'][0].split(',')[0]} et al. ({known[key]['year']})"
             for key in rows["source"].unique()}
    study = rows["source"].map(names)
    return rows.assign(study=study, label=study + ": " + rows["subset"])


def demand_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """A :func:`demand_rates` table as shown: each :data:`SHOWN` outcome's rate (%) without and
    with demand, the change in points (of the rates as shown, so it adds up), and the people counted.

    >>> t = demand_table(demand_rates(demand_inputs(2_000), last_shift=-2, share_with_therapist=0.5))
    >>> t["outcome"].tolist()
    ['recovered', 'reliably improved']
    """
    cells = {(g, o): (n, d, r) for g, o, n, d, r in zip(*(tidy[c].tolist() for c in (
        "group", "outcome", "numerator", "denominator", "rate")), strict=True)}
    pct = {g: np.round(100 * np.array([cells[g, o][2] for o in SHOWN], dtype=float), 1) for g in (BASELINE, WITH)}
    people = {g: counts_of_texts([cells[g, o][0] for o in SHOWN], [cells[g, o][1] for o in SHOWN])
              for g in (BASELINE, WITH)}
    return pd.DataFrame({
        "outcome": [SHOWN[o] for o in SHOWN],
        "baseline: no demand (%)": pct[BASELINE],
        "with demand (%)": pct[WITH],
        "change (percentage points)": np.round(pct[WITH] - pct[BASELINE], 1),
        "baseline: people": people[BASELINE],
        "with demand: people": people[WITH],
    })
