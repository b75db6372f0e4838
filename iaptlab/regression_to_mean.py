"""Lesson 05: regression to the mean, natural remission and what a "recovery" rate needs to mean much.

IAPT counts someone as recovered when their *first* questionnaire is at caseness and their *last*
is below it. Selecting people on a high first score is the design in which regression to the mean
(Streiner, 2001) and natural remission (Whiteford et al., 2013) make "recovery" appear without any
treatment. This module builds three simulated cohorts of the *same* referrals that differ in one
thing only, the true change between their first and last questionnaire:

1. ``selection_only``: treatment does nothing and no one remits (true last = true first);
2. ``remission``: natural remission at Whiteford et al.'s rates, treatment still does nothing;
3. ``treatment``: remission and the calibrated treatment effect.

All three are ``CohortModel.interview_sees_questionnaires`` (the lesson cohort's size and seed) with demand,
hello-goodbye and attrition bias switched off (``COMMON_OFF``), so the same people finish and
the only artefact left in a score is measurement error (lesson 03 covers demand).

The lesson's explorer redraws the questionnaire for any reliability from each finisher's
true scores and one fixed pair of seeded standard-normal errors (error SD = SD_true·√((1 − r)/r),
the simulation's own formula), and applies the depression half of IAPT's rule with the chosen
entry cut-off. Every number it needs is precomputed once by :func:`scenario_inputs`.

>>> inputs = scenario_inputs(3_000)
>>> table = scenario_rates(inputs, entry_cutoff=10, reliability=0.9)
>>> table["group"].unique().tolist() == list(GROUPS)
True
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from .errors import ParameterError
from .format import counts_of_texts
from .instruments import PHQ9
from .lesson_cohort import LESSON_N, LESSON_SEED
from .outcomes import IAPT, flag_arrays, rate_counts
from .reliable_change import rci
from .schema import REQUIRED_COLUMNS, Validated, validate
from .simulate import CohortModel, Draws, course_of, draw, episode_columns, episode_id_column

__all__ = ["COHORT_COLUMNS", "COMMON_OFF", "EXACT", "GROUPS", "IAPT_PHQ9_DROP", "LESSON_COHORT", "NOISY", "RULES", "SCENARIOS",
           "SCENARIO_OFF", "ScenarioInputs", "iapt_rule_by_mechanism", "observed_scores", "pre_post_d",
           "rci_comparison", "recovery_counts", "scenario_inputs", "scenario_models", "scenario_rates", "scenario_table"]


#: The three cohorts, in the order they build on each other, with the words shown.
SCENARIOS = MappingProxyType({
    "selection_only": "no treatment, no remission",
    "remission": "natural remission only",
    "treatment": "remission and treatment",
})


#: Mechanisms switched off in each cohort (on top of ``COMMON_OFF``).
SCENARIO_OFF = MappingProxyType({"selection_only": ("treatment_effect", "natural_remission"),
                                 "remission": ("treatment_effect",), "treatment": ()})


#: Switched off in every cohort: the only artefact left is measurement error, and the same people
#: finish a course whatever the treatment does.
COMMON_OFF = ("demand", "hello_goodbye", "attrition_bias")


#: The lesson cohort's row in :func:`iapt_rule_by_mechanism` (adds demand, hello-goodbye, attrition bias).
LESSON_COHORT = "lesson cohort (all on)"


#: The two questionnaires compared in the explorer.
NOISY = "questionnaire with measurement error"


EXACT = "error-free questionnaire"


GROUPS = (NOISY, EXACT)


#: What the explorer can count as "recovered" (the depression half of IAPT's rules).
RULES = MappingProxyType({
    "recovery": "last PHQ-9 below the cut-off (recovery)",
    "reliable_recovery": f"below the cut-off and a drop of at least {PHQ9.reliable_change:g} points (reliable recovery)",
})


#: IAPT's PHQ-9 reliable-change threshold (a drop of at least this many points).
IAPT_PHQ9_DROP = int(PHQ9.reliable_change)


#: Added to the lesson seed for the explorer's own measurement-error draws (lesson 05).
ERROR_SEED_OFFSET = 5


@dataclass(frozen=True)
class ScenarioInputs:
    """What does not change when a slider moves (built once by :func:`scenario_inputs`).

    By scenario key: ``models``, and ``cohorts``: each model's finishers (at least 2 treatment
    contacts: the same people in every scenario, and the only referrals any of IAPT's outcome rates
    counts), validated and then cut to :data:`COHORT_COLUMNS` (a table, typed as ``validate`` types
    it). ``iapt_rates``: IAPT's full rules (PHQ-9 and GAD-7) on each validated cohort, as
    :func:`iapt_rule_by_mechanism` shows them (its first rows). For the finishers, in the same order:
    ``true_first``, ``true_last`` (by scenario) and ``error_z`` (2 × finishers: first, last);
    ``true_sd`` is the SD of true PHQ-9 scores at referral the simulation uses for its error SD.
    Each model's ``n`` is the number of referrals simulated.
    """

    models: Mapping[str, CohortModel]
    cohorts: Mapping[str, pd.DataFrame]
    iapt_rates: pd.DataFrame
    true_first: np.ndarray
    true_last: Mapping[str, np.ndarray]
    error_z: np.ndarray
    true_sd: float


#: The columns of each cohort the lesson reads after its IAPT rates are counted (:func:`rci_comparison`,
#: :func:`pre_post_d`, the remission check): three full 100,000-referral cohorts would hold about
#: 70 MB in every learner's kernel; these, shared where equal, hold about 3 MB.
COHORT_COLUMNS = ("treatment_contacts", "phq9_first", "phq9_last", "true_phq9_first", "true_phq9_last", "true_weeks")


#: The columns simulated for each scenario: :data:`COHORT_COLUMNS` and the GAD-7 scores IAPT's rules also read.
_SIMULATED_COLUMNS = ("treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last",
                      "true_phq9_first", "true_phq9_last", "true_weeks")


#: The score columns IAPT's rules read (what :func:`iapt_rule_by_mechanism` classifies).
_RULE_COLUMNS = ("treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last")


#: The outcomes :func:`iapt_rule_by_mechanism` reports, in :func:`iaptlab.outcomes.rates`' order.
_MECHANISM_OUTCOMES = ("recovered", "reliable_recovery")


#: The columns of :func:`iapt_rule_by_mechanism`'s table.
_MECHANISM_TABLE = ["cohort", "outcome", "numerator", "denominator", "rate"]


def _score_columns(model: CohortModel, draws: Draws) -> dict[str, np.ndarray]:
    """``treatment_contacts`` and the four scores of ``simulate(model, draws)`` (the same numbers,
    tested), without its contact table of a million rows, which costs time and leaves the heap fragmented."""
    return episode_columns(model, draws, course_of(model, draws), interview=False)


def _cohort_columns(model: CohortModel, draws: Draws) -> dict[str, np.ndarray]:
    """The :data:`_SIMULATED_COLUMNS` of ``simulate(model, draws)`` (the same numbers,
    tested): the scores and true state at referral, and the true last score and weeks as
    ``simulate`` takes them from the course (at the last attended contact; NaN without one)."""
    course = course_of(model, draws)
    columns = episode_columns(model, draws, course, interview=False)
    f32 = np.float32
    columns["true_phq9_last"] = np.where(course.attended_count > 0, course.last_true[0], np.nan).astype(f32)
    columns["true_weeks"] = course.last_week.astype(f32)
    return {c: columns[c] for c in _SIMULATED_COLUMNS}


def _validated(columns: Mapping[str, np.ndarray], ids: pd.api.extensions.ExtensionArray) -> pd.DataFrame:
    """``validate`` of a table of ``ids`` and ``columns`` (typed as ``validate`` types them); raises if a row is invalid."""
    table = pd.DataFrame({"episode_id": ids, **columns}, copy=False)
    return validate(table).raise_if_invalid().table


def _scenario_cohorts(columns: Mapping[str, dict[str, np.ndarray]], ids: pd.api.extensions.ExtensionArray, base: str
                      ) -> dict[str, pd.DataFrame]:
    """Each scenario's columns (``columns``: the finishers', by scenario) as a validated table, every
    column equal to scenario ``base``'s held once: the scenarios differ only in their last and true
    last scores, so the rest is neither validated nor kept three times (pandas copies a shared
    column on write)."""
    shared = _validated(columns[base], ids)
    cohorts = {base: shared}
    for key, own in columns.items():
        if key == base:
            continue
        differ = [c for c in own if not np.array_equal(own[c], columns[base][c], equal_nan=True)]
        # the columns validate requires, with this scenario's own values where they differ
        checked = _validated({c: (own if c in differ else columns[base])[c]
                              for c in dict.fromkeys([*REQUIRED_COLUMNS, *differ]) if c != "episode_id"}, ids)
        cohorts[key] = pd.DataFrame({c: checked[c] if c in differ else shared[c] for c in shared.columns},
                                    copy=False)
    return cohorts


def scenario_models(n: int = LESSON_N, seed: int = LESSON_SEED) -> dict[str, CohortModel]:
    """The three cohorts' models: ``interview_sees_questionnaires`` with ``COMMON_OFF`` and each scenario's switches.

    >>> scenario_models(100)["selection_only"].is_on("natural_remission")
    False
    """
    base = CohortModel.interview_sees_questionnaires(n=n, seed=seed).without(*COMMON_OFF)
    return {key: base.without(*off) for key, off in SCENARIO_OFF.items()}


@lru_cache(maxsize=2)
def scenario_inputs(n: int = LESSON_N, seed: int = LESSON_SEED) -> ScenarioInputs:
    """Simulate and validate the three cohorts once, count IAPT's rates on them, and keep the columns
    of their finishers the lesson reads later (cached).

    >>> inputs = scenario_inputs(500)
    >>> bool(np.array_equal(inputs.true_first, inputs.true_first))  # one array for all scenarios
    True
    """
    models = scenario_models(n, seed)
    draws = draw(n, seed)  # every scenario's random numbers: the same people, the same luck
    finished = None
    columns = {}
    for key in ("treatment", *(k for k in models if k != "treatment")):
        full = _cohort_columns(models[key], draws)
        finished_here = full["treatment_contacts"] >= IAPT.min_treatment_contacts
        if finished is None:
            finished = finished_here
        elif not np.array_equal(finished_here, finished):  # attrition bias is off, so the same people finish
            raise ParameterError(f"scenario {key} has different finishers; switch off attrition bias")
        columns[key] = {c: values[finished] for c, values in full.items()}
        del full
    del draws
    ids = episode_id_column(n, finished)  # validate reads them without a Python string per referral
    validated = _scenario_cohorts(columns, ids, "treatment")
    del columns, ids
    iapt_rates = pd.DataFrame([row for key, words in SCENARIOS.items() for row in _rule_rows(words, validated[key])],
                              columns=_MECHANISM_TABLE)
    # what the lesson reads from here on (the ids and GAD-7 scores were for validating and counting)
    cohorts = {key: validated[key][list(COHORT_COLUMNS)] for key in models}  # in SCENARIOS' order
    del validated
    true_first = cohorts["treatment"]["true_phq9_first"].to_numpy(dtype=float)
    true_last = {key: table["true_phq9_last"].to_numpy(dtype=float) for key, table in cohorts.items()}
    error_z = np.random.default_rng(seed + ERROR_SEED_OFFSET).standard_normal((2, len(true_first)))
    return ScenarioInputs(models=MappingProxyType(models), cohorts=MappingProxyType(cohorts), iapt_rates=iapt_rates,
                          true_first=true_first, true_last=MappingProxyType(true_last),
                          error_z=error_z, true_sd=models["treatment"].phq9_sd_at_referral)


def observed_scores(true: np.ndarray, error_z: np.ndarray, *, reliability: float,
                    true_sd: float) -> np.ndarray:
    """PHQ-9 totals a questionnaire of this reliability gives: round(true + error), kept in 0-27.

    Error SD = ``true_sd``·√((1 − r)/r), so that reliability = true variance / observed variance;
    ``reliability`` 1 means no error.

    >>> observed_scores(np.array([9.6, 26.8, 3.0]), np.array([0.0, 2.0, -2.0]), reliability=0.8,
    ...                 true_sd=4.0)  # error SD = 4 x 0.5 = 2
    array([10., 27.,  0.])
    """
    if not 0 < reliability <= 1:
        raise ParameterError(f"reliability must be in (0, 1], got {reliability!r}")
    error_sd = true_sd * np.sqrt((1.0 - reliability) / reliability)
    return np.clip(np.rint(np.asarray(true, dtype=float) + error_sd * error_z), 0.0, PHQ9.score_max)


def recovery_counts(first: np.ndarray, last: np.ndarray, *, entry_cutoff: float,
                    rule: str = "recovery") -> tuple[int, int]:
    """(recovered, denominator): first ≥ cut-off enters; recovered = last < cut-off (and, for
    ``reliable_recovery``, a drop of at least 6 points).

    >>> recovery_counts(np.array([10, 10, 9, 15]), np.array([9, 4, 2, 10]), entry_cutoff=10)
    (2, 3)
    >>> recovery_counts(np.array([10, 10, 9, 15]), np.array([9, 4, 2, 10]), entry_cutoff=10,
    ...                 rule="reliable_recovery")
    (1, 3)
    """
    if rule not in RULES:
        raise ParameterError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    entered = first >= entry_cutoff
    recovered = entered & (last < entry_cutoff)
    if rule == "reliable_recovery":
        recovered &= (first - last) >= IAPT_PHQ9_DROP
    return int(recovered.sum()), int(entered.sum())


def scenario_rates(inputs: ScenarioInputs, *, entry_cutoff: int = int(PHQ9.caseness), reliability: float = 0.9,
                   rule: str = "recovery") -> pd.DataFrame:
    """Tidy "recovery" of finishers in each scenario, measured noisily and without error.

    Columns ``group`` (:data:`NOISY` or :data:`EXACT`), ``outcome`` (the scenario in words),
    ``scenario``, ``numerator``, ``denominator``, ``rate`` (NaN when nobody enters).
    """
    if rule not in RULES:
        raise ParameterError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    pairs = _score_pairs(inputs, reliability)
    rows = []
    for group in (NOISY, EXACT):
        for key, words in SCENARIOS.items():
            first_last = pairs.get((group, key))
            if first_last is None:  # scores that are not whole numbers from 0 to 27: counted one by one
                numerator, denominator = recovery_counts(*_observed_pair(inputs, group, key, reliability),
                                                         entry_cutoff=entry_cutoff, rule=rule)
            else:
                numerator, denominator = _counts_of_pairs(first_last, entry_cutoff, rule)
            rate = numerator / denominator if denominator else float("nan")
            rows.append((group, words, key, numerator, denominator, rate))
    return pd.DataFrame(rows, columns=["group", "outcome", "scenario", "numerator", "denominator", "rate"])


#: PHQ-9 totals a finisher can have (0-27): the side of :func:`_score_pairs`' tables.
_TOTALS = np.arange(int(PHQ9.score_max) + 1, dtype=float)

#: :func:`_score_pairs`' tables by (id of the inputs, reliability), with a weak reference to the inputs
#: (an id may be reused once they are gone); the most recently used last.
_PAIRS_SEEN: dict[tuple[int, float], tuple[weakref.ref, dict]] = {}
_PAIRS_KEPT = 16


def _observed_pair(inputs: ScenarioInputs, group: str, key: str, reliability: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed first and last PHQ-9 totals of the finishers of scenario ``key``, measured with
    error (``group`` :data:`NOISY`, at ``reliability``) or without (:data:`EXACT`)."""
    noisy = group == NOISY
    r = reliability if noisy else 1.0
    first = observed_scores(inputs.true_first, inputs.error_z[0] if noisy else 0.0, reliability=r, true_sd=inputs.true_sd)
    last = observed_scores(inputs.true_last[key], inputs.error_z[1] if noisy else 0.0, reliability=r,
                           true_sd=inputs.true_sd)
    return first, last


def _score_pairs(inputs: ScenarioInputs, reliability: float) -> dict[tuple[str, str], np.ndarray]:
    """For each (group, scenario): how many finishers have each (first, last) pair of observed totals,
    a 28 x 28 table (first by row), or no entry where a score is not a whole number from 0 to 27.

    The scores depend on the reliability only, so a move of the entry cut-off or the rule counts from
    these tables (28 x 28 cells, not one score per finisher); the last few reliabilities are kept.
    """
    key = (id(inputs), float(reliability))
    seen = _PAIRS_SEEN.pop(key, None)
    if seen is not None and seen[0]() is inputs:
        _PAIRS_SEEN[key] = seen
        return seen[1]
    side = len(_TOTALS)
    pairs = {}
    for group in (NOISY, EXACT):
        for scenario in SCENARIOS:
            first, last = _observed_pair(inputs, group, scenario, reliability)
            if np.isin(first, _TOTALS).all() and np.isin(last, _TOTALS).all():
                cells = first.astype(np.int64) * side + last.astype(np.int64)
                pairs[group, scenario] = np.bincount(cells, minlength=side * side).reshape(side, side)
    _PAIRS_SEEN[key] = (weakref.ref(inputs), pairs)
    while len(_PAIRS_SEEN) > _PAIRS_KEPT:
        del _PAIRS_SEEN[next(iter(_PAIRS_SEEN))]
    return pairs


def _counts_of_pairs(first_last: np.ndarray, entry_cutoff: float, rule: str) -> tuple[int, int]:
    """:func:`recovery_counts` from a :func:`_score_pairs` table instead of one score per finisher."""
    first, last = _TOTALS[:, None], _TOTALS[None, :]
    entered = first >= entry_cutoff
    recovered = entered & (last < entry_cutoff)
    if rule == "reliable_recovery":
        recovered = recovered & ((first - last) >= IAPT_PHQ9_DROP)
    return int(first_last[recovered].sum()), int(first_last[entered[:, 0]].sum())


def _rule_rows(name: str, table: pd.DataFrame | Mapping[str, np.ndarray]) -> list[tuple[str, str, int, int, float]]:
    """``rates(classify(table))``'s rows of :data:`_MECHANISM_OUTCOMES` for a valid table (or its
    columns) under IAPT's rules, counted from the flags without building the classified table."""
    flags = flag_arrays({c: np.asarray(table[c]) for c in _RULE_COLUMNS}, IAPT)
    rows = []
    for outcome in _MECHANISM_OUTCOMES:
        numerator, denominator = rate_counts(flags, outcome, IAPT)
        rows.append((name, outcome, numerator, denominator, numerator / denominator if denominator else float("nan")))
    return rows


def iapt_rule_by_mechanism(inputs: ScenarioInputs, lesson: Validated | None = None) -> pd.DataFrame:
    """IAPT's full rules (PHQ-9 and GAD-7) on each cohort, adding one mechanism at a time.

    Rows: the three scenarios (``inputs.iapt_rates``), then the lesson cohort (the referrals of
    ``lesson_cohort()``, also with demand, hello-goodbye and attrition bias, unless ``lesson`` is
    given). Columns ``cohort``, ``outcome`` (recovered / reliable_recovery), ``numerator``,
    ``denominator``, ``rate``: as ``rates(classify(cohort))`` counts them. The lesson cohort is
    simulated for this table as columns, counted and let go (not kept, nor ``lesson_cohort``'s
    shared table built).

    >>> from iaptlab.lesson_cohort import fresh_lesson_cohort
    >>> iapt_rule_by_mechanism(scenario_inputs(500), lesson=fresh_lesson_cohort(500))["cohort"].tolist()[-1]
    'lesson cohort (all on)'
    """
    if lesson is None:
        model = CohortModel.interview_sees_questionnaires(n=LESSON_N, seed=LESSON_SEED)
        lesson_columns = _score_columns(model, draw(model.n, model.seed))
    else:
        lesson_columns = lesson.raise_if_invalid().table
    return pd.concat([inputs.iapt_rates, pd.DataFrame(_rule_rows(LESSON_COHORT, lesson_columns), columns=_MECHANISM_TABLE)],
                     ignore_index=True)


def rci_comparison(table: pd.DataFrame, *, reliability: float, caseness: float = PHQ9.caseness,
                   critical: float = 1.96) -> pd.DataFrame:
    """Who "reliably improved" on the PHQ-9 under four rules, and how many of them did not change.

    Sample: finishers (≥ 2 treatment contacts) with both PHQ-9 scores; ``m_pre``, ``m_post`` and
    ``sd_pre`` are that sample's means and SD (the population people are selected from); shares
    are among those whose first PHQ-9 is at ``caseness`` or above. "No true change" = true PHQ-9
    the same at first and last (to 0.001 points); any improvement counted among them is a false
    positive. Rules: IAPT's fixed drop of ≥ 6 points; JT, EN and HLL with |RCI| > ``critical``
    (:func:`iaptlab.reliable_change.rci`).
    """
    finished = (table["treatment_contacts"].to_numpy() >= IAPT.min_treatment_contacts) & table["phq9_first"].notna().to_numpy() \
        & table["phq9_last"].notna().to_numpy()
    pre, post = (table.loc[finished, c].to_numpy(dtype=float) for c in ("phq9_first", "phq9_last"))
    true_change = (table.loc[finished, "true_phq9_last"].to_numpy(dtype=float)
                   - table.loc[finished, "true_phq9_first"].to_numpy(dtype=float))
    selected, unchanged = pre >= caseness, np.abs(true_change) < 1e-3
    params = {"sd_pre": float(pre.std(ddof=1)), "reliability": reliability,
              "m_pre": float(pre.mean()), "m_post": float(post.mean())}
    improved = {f"IAPT: drop ≥ {IAPT_PHQ9_DROP} points": (pre - post) >= IAPT_PHQ9_DROP}
    words = {"JT": "Jacobson-Truax RCI", "EN": "Edwards-Nunnally RCI", "HLL": "Hsu-Linn-Lord RCI"}
    for method, name in words.items():
        improved[f"{name} ({method})"] = rci(pre, post, method=method, **params) < -critical
    rows = [(name, int((flag & selected).sum()), int(selected.sum()),
             int((flag & selected & unchanged).sum()), int((selected & unchanged).sum()))
            for name, flag in improved.items()]
    out = pd.DataFrame(rows, columns=["rule", "improved", "at caseness", "improved but no true change",
                                      "no true change"])
    out["share improved"] = out["improved"] / out["at caseness"]
    out["false-positive share"] = out["improved but no true change"] / out["no true change"]
    return out


def pre_post_d(table: pd.DataFrame) -> float:
    """Pre-post effect size on the PHQ-9: mean (first − last) / SD of first, finishers with both.

    >>> t = pd.DataFrame({"treatment_contacts": [2, 3, 0], "phq9_first": [12.0, 16.0, 20.0],
    ...                   "phq9_last": [10.0, 10.0, float("nan")]})
    >>> round(pre_post_d(t), 3)  # mean drop 4 / SD(12, 16) 2.828
    1.414
    """
    kept = (table["treatment_contacts"].to_numpy() >= IAPT.min_treatment_contacts) & table["phq9_last"].notna().to_numpy() \
        & table["phq9_first"].notna().to_numpy()
    first, last = (table.loc[kept, c].to_numpy(dtype=float) for c in ("phq9_first", "phq9_last"))
    return float((first - last).mean() / first.std(ddof=1))


def scenario_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """A :func:`scenario_rates` table as shown: one row per scenario, the questionnaire's count
    and rate (%) and the error-free rate (%).

    >>> scenario_table(scenario_rates(scenario_inputs(2_000)))["scenario"].tolist()[0]
    'no treatment, no remission'
    """
    cell = {(g, k): (n, d, r) for g, k, n, d, r in zip(*(tidy[c].tolist() for c in (  # lists: as iterating
        "group", "scenario", "numerator", "denominator", "rate")), strict=True)}  # gives, without pandas per cell
    noisy, exact = ([cell[g, k] for k in SCENARIOS] for g in GROUPS)
    return pd.DataFrame({
        "scenario": list(SCENARIOS.values()),
        "questionnaire: recovered": counts_of_texts([n for n, _, _ in noisy], [d for _, d, _ in noisy]),
        "questionnaire (%)": [round(100 * rate, 1) for _, _, rate in noisy],
        "error-free (%)": [round(100 * rate, 1) for _, _, rate in exact],
    })
