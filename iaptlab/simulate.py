"""A cohort of referrals simulated from explicit, switchable assumptions.

The workbook's central question is how "about 50% recover" (IAPT's questionnaire rule) and "about
10% lost their diagnosis" (an interview study of 90 former clients, Scott 2018: scott_2018 [S])
can both be reported. :class:`CohortModel` states every assumption as a named parameter with a
default, an allowed range, a one-line meaning and, where one exists, a source (an id in
``data/sources.toml``). :func:`simulate` turns a model into an episode table (one row per
referral) that :func:`iaptlab.outcomes.classify` reads unchanged, plus true-state columns
(``true_*``) and a blind diagnostic interview at the start and end (``diagnosis_first``/``_last``).

What happens to one simulated referral (the assumptions are in :mod:`iaptlab.cohort_model`; the
arithmetic is below, in two steps kept apart so that :mod:`iaptlab.reconcile` can switch
mechanisms on and off with *common random numbers*: :func:`draw` makes every random number once
per ``(seed, n)``, one independent stream per mechanism, and :func:`generate` turns a model's
parameters and those draws into numpy columns, vectorised over referrals):

1. *Severity at referral*: true PHQ-9-like and GAD-7-like scores, correlated normals clipped to
   each scale.
2. *Diagnosis*: meets diagnostic criteria when either true score is at or above its diagnostic
   threshold (a teaching simplification; defaults are the questionnaires' validation cut-offs).
3. *Attendance*: enters treatment or not; if so, comes back for a second contact (finishes) or not;
   finishers attend a planned course. With *attrition bias*, people whose course would help them
   more are more likely to come back.
4. *Natural remission* over the weeks between the first and last measurement (waiting time plus
   one interval per contact), with a piecewise-constant hazard that reproduces Whiteford et al.
   (2013) exactly; a remitted person keeps a fraction of their referral severity.
5. *Treatment effect*: the true score falls by ``treatment_effect_d`` referral SDs for a full
   course, pro rata for fewer contacts.
6. *Questionnaires*: observed total = round(true + shift + error), clipped to the scale. Error SD =
   SD_true * sqrt((1 - r) / r) from the reliability r; *hello-goodbye* adds points to the first
   score; *demand* takes points off the last score when it is completed with the therapist present.
7. *Interview*: a blind standardised interview at the start and at the end, with its own
   sensitivity and specificity.
8. *Disorders the questionnaires do not see* (off by default): a share of referrals also has a
   disorder such as PTSD, a phobia or an eating disorder; the interview diagnoses it, PHQ-9 and
   GAD-7 cannot see it, and it has gone by the final interview only with its own probability.
9. *When the interview happens* (off by default): the final interview can come months after the
   last session; meanwhile natural remission continues and people below criteria at the end
   relapse with a constant hazard.
10. *Who is interviewed* (off by default) is a property of the interview study, applied by
   :mod:`iaptlab.reconcile`: someone still meeting criteria at the final interview is
   ``interviewed_odds_ratio_still_ill`` times as likely to be in the interviewed sample.
11. *Selection at caseness* is a property of the outcome rule, not of the data: IAPT admits to the
   recovery denominator only people whose *first questionnaire* is at caseness, so their first
   score carries the selection's luck (regression to the mean). ``select_on_first_measurement``
   records that choice; :mod:`iaptlab.reconcile` uses it (off = denominators chosen on the true
   state at referral instead of the error-laden first measurement).

>>> table = simulate(CohortModel(n=200, seed=1))
>>> len(table), table["episode_id"].is_unique
(200, True)

:func:`calibration_table` compares the simulated cohort with the published national figures that
:meth:`CohortModel.iapt_like` was calibrated to; each target is read from the bundled dataset
``national_annual`` by year and column (:data:`CALIBRATION_TARGETS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import datasets
from .cohort_model import CRITIC_LIKE, MECHANISMS, OFF_BY_DEFAULT, CohortModel
from .errors import IaptlabError, ParameterError
from .instruments import GAD7, PHQ9
from .outcomes import classify, funnel, rates
from .selection import diagnosis_lost_rate

__all__ = ["CALIBRATION_TARGETS", "CRITIC_LIKE", "MECHANISMS", "NOT_IN_COURSE", "OFF_BY_DEFAULT",
           "QUESTIONNAIRE_COLUMNS", "STREAMS", "WEEKS_PER_MONTH", "CalibrationTarget",
           "CohortModel", "Draws", "calibration_table", "calibration_targets",
           "cumulative_remission_hazard", "draw", "episode_ids", "generate", "relapse_probability",
           "simulate", "to_frame", "true_course"]

#: Weeks in a calendar month (365.25 / 7 / 12), to put Whiteford et al.'s months on a week scale.
WEEKS_PER_MONTH = 365.25 / 7 / 12

#: The names of the independent random streams, one per mechanism (order fixes the spawn order).
#: New streams are only ever appended: a spawned child depends on its position alone, so adding
#: a stream leaves every earlier stream (and every earlier cohort) unchanged.
STREAMS = (
    "severity", "remission", "attendance", "paired", "measurement_error", "demand", "interview",
    "treatment", "unseen_disorder", "relapse",
)


@dataclass(frozen=True)
class Draws:
    """Every random number for ``n`` referrals; float32 to keep 1.8 million rows small."""

    n: int
    seed: int
    depression_z: np.ndarray  # standard normal: latent depression severity at referral
    anxiety_noise_z: np.ndarray  # standard normal: the part of anxiety not shared with depression
    remission_exposure: np.ndarray  # Exp(1): remission happens once cumulative hazard exceeds it
    enter_u: np.ndarray  # uniform: enters treatment (has a first treatment contact)
    return_u: np.ndarray  # uniform: comes back for a second contact (finishes a course)
    course_u: np.ndarray  # uniform in (0, 1]: planned course length (geometric by inversion)
    paired_u: np.ndarray  # uniform: a finisher's last scores are recorded
    error_z: np.ndarray  # (4, n) standard normal: PHQ-9 first, PHQ-9 last, GAD-7 first, last
    with_therapist_u: np.ndarray  # uniform: last questionnaire completed with the therapist
    interview_u: np.ndarray  # (2, n) uniform: interview at the start and at the end
    treatment_z: np.ndarray  # standard normal: how much more or less than average treatment helps
    unseen_u: np.ndarray  # (2, n) uniform: has an unseen disorder at referral; it has gone by the end
    relapse_u: np.ndarray  # uniform: relapses between the end of treatment and the final interview


def draw(n: int, seed: int) -> Draws:
    """All random numbers for a cohort of ``n`` referrals from ``seed`` (one stream each).

    >>> d = draw(3, seed=1)
    >>> d.error_z.shape
    (4, 3)
    """
    rng = dict(zip(STREAMS, (np.random.default_rng(s) for s in
                            np.random.SeedSequence(seed).spawn(len(STREAMS))), strict=True))
    f32 = np.float32
    severity = rng["severity"].standard_normal((2, n), dtype=f32)
    attendance = rng["attendance"].random((3, n), dtype=f32)
    return Draws(
        n=n,
        seed=seed,
        depression_z=severity[0],
        anxiety_noise_z=severity[1],
        remission_exposure=rng["remission"].standard_exponential(n, dtype=f32),
        enter_u=attendance[0],
        return_u=attendance[1],
        course_u=(f32(1.0) - attendance[2]),  # (0, 1], so its logarithm is finite
        paired_u=rng["paired"].random(n, dtype=f32),
        error_z=rng["measurement_error"].standard_normal((4, n), dtype=f32),
        with_therapist_u=rng["demand"].random(n, dtype=f32),
        interview_u=rng["interview"].random((2, n), dtype=f32),
        treatment_z=rng["treatment"].standard_normal(n, dtype=f32),
        unseen_u=rng["unseen_disorder"].random((2, n), dtype=f32),
        relapse_u=rng["relapse"].random(n, dtype=f32),
    )


def cumulative_remission_hazard(weeks: np.ndarray, model: CohortModel) -> np.ndarray:
    """Cumulative hazard of natural remission after ``weeks`` (piecewise-constant hazard).

    The hazard is constant within 0-3, 3-6 and 6-12 months and keeps its 6-12-month value after
    12 months, so P(remitted by t) = 1 - exp(-H(t)) reproduces the three calibration points
    exactly. ``H`` is zero everywhere when natural remission is switched off.

    >>> from iaptlab.simulate import CohortModel
    >>> m = CohortModel()
    >>> h = cumulative_remission_hazard(np.array([3 * WEEKS_PER_MONTH]), m)
    >>> round(float(1 - np.exp(-h[0])), 6)
    0.23
    """
    months = np.array([0.0, 3.0, 6.0, 12.0])
    remitted = np.array([0.0, model.remission_by_3_months, model.remission_by_6_months,
                         model.remission_by_12_months])
    knots_h = -np.log1p(-remitted)
    knots_w = months * WEEKS_PER_MONTH
    last_slope = (knots_h[3] - knots_h[2]) / (knots_w[3] - knots_w[2])
    weeks = np.asarray(weeks, dtype=np.float64)
    inside = np.interp(weeks, knots_w, knots_h)
    return np.where(weeks > knots_w[3], knots_h[3] + last_slope * (weeks - knots_w[3]), inside)


def _planned_contacts(model: CohortModel, course_u: np.ndarray) -> np.ndarray:
    """Treatment contacts planned for a finisher: 2 + a geometric count with the target mean."""
    extra_mean = model.mean_contacts_among_finishers - 2.0
    if extra_mean <= 0:
        return np.full(course_u.shape, 2, dtype=np.int16)
    log_stay = np.log1p(-1.0 / (extra_mean + 1.0))  # log P(one more contact)
    extra = np.floor(np.log(course_u) / log_stay)
    return (2 + np.minimum(extra, 500)).astype(np.int16)


def _true_last(model: CohortModel, draws: Draws, first: tuple[np.ndarray, np.ndarray],
               sds: tuple[float, float], contacts: np.ndarray, weeks_after_end: float = 0.0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """True severity ``weeks_after_end`` after the last of ``contacts``: remission, then treatment.

    Natural remission keeps its hazard after treatment ends (someone still ill at the last session
    may remit before a later interview); the treatment effect, once had, is kept. Returns PHQ-9,
    GAD-7, remitted, and the weeks from the first questionnaire to the last contact.
    """
    weeks = np.where(contacts > 0,
                     model.weeks_waiting_before_treatment
                     + contacts * model.weeks_between_contacts, 0.0)
    hazard_weeks = np.where(contacts > 0, weeks + weeks_after_end, 0.0) if weeks_after_end else weeks
    remitted = draws.remission_exposure < cumulative_remission_hazard(hazard_weeks, model)
    keep = np.where(remitted, model.remitted_severity_fraction, 1.0)
    dose = np.minimum(contacts / model.contacts_for_full_effect, 1.0)
    personal_d = np.maximum(model.treatment_effect_d * (
        1.0 + model.treatment_effect_variation * draws.treatment_z), 0.0)
    lasts = tuple(np.maximum(score * keep - personal_d * sd * dose, 0.0)
                  for score, sd in zip(first, sds, strict=True))
    return lasts[0], lasts[1], remitted, weeks


def relapse_probability(model: CohortModel) -> float:
    """Chance that someone below criteria at the end of treatment meets them at the interview.

    A constant hazard: ``1 - (1 - relapse_within_12_months) ** (months / 12)``; zero when the
    interview is at the last session.

    >>> from iaptlab.simulate import CohortModel
    >>> m = CohortModel(months_from_end_to_interview=6, relapse_within_12_months=0.75)
    >>> relapse_probability(m)  # 1 - 0.25 ** 0.5
    0.5
    """
    months = model.months_from_end_to_interview
    return float(1.0 - (1.0 - model.relapse_within_12_months) ** (months / 12.0)) if months else 0.0


def _diagnosed(phq: np.ndarray, gad: np.ndarray, model: CohortModel) -> np.ndarray:
    """Meets criteria for depression or an anxiety disorder the questionnaires measure."""
    return (phq >= model.diagnostic_threshold_phq9) | (gad >= model.diagnostic_threshold_gad7)


def _final_interview_state(model: CohortModel, draws: Draws, first: tuple[np.ndarray, np.ndarray],
                           sds: tuple[float, float], contacts: np.ndarray,
                           seen_at_end: np.ndarray) -> dict[str, np.ndarray]:
    """True state at the final interview: follow-up remission, relapse and unseen disorders."""
    follow_weeks = model.months_from_end_to_interview * WEEKS_PER_MONTH
    if follow_weeks > 0:
        phq, gad, _, _ = _true_last(model, draws, first, sds, contacts, follow_weeks)
        seen = _diagnosed(phq, gad, model)
    else:
        seen = seen_at_end
    relapsed = ~seen_at_end & (draws.relapse_u < relapse_probability(model))
    unseen_first = draws.unseen_u[0] < model.share_with_unseen_disorder
    unseen_last = unseen_first & (draws.unseen_u[1] >= model.unseen_disorder_remission)
    return {"seen": seen | relapsed, "relapsed": relapsed, "unseen_first": unseen_first,
            "unseen_last": unseen_last}


def _observe(true: np.ndarray, error_sd: float, error_z: np.ndarray, shift: np.ndarray | float,
             top: float) -> np.ndarray:
    """A questionnaire total: true score + shift + error, rounded and clipped to the scale."""
    return np.clip(np.rint(true + shift + error_sd * error_z), 0.0, top)


def _interview(true_dx: np.ndarray, u: np.ndarray, model: CohortModel) -> np.ndarray:
    """Interview verdict: a true case is found with the sensitivity, a non-case with the specificity."""
    return np.where(true_dx, u < model.interview_sensitivity,
                    u >= model.interview_specificity)


#: Mechanisms whose parameters :func:`true_course` never reads.
NOT_IN_COURSE = ("measurement_error", "hello_goodbye", "demand", "interview_error", "selection",
                 "unseen_disorders", "interview_sample_selection", "interview_delay")


def true_course(model: CohortModel, draws: Draws) -> dict[str, Any]:
    """True severity at referral, attendance, and true severity at the last contact.

    >>> from iaptlab.simulate import CohortModel
    >>> sorted(true_course(CohortModel(n=5), draw(5, seed=0)))
    ['contacts', 'first', 'last', 'remitted', 'sds', 'weeks']
    """
    sds = (model.phq9_sd_at_referral, model.gad7_sd_at_referral)
    rho = model.phq9_gad7_correlation
    anxiety_z = rho * draws.depression_z + np.sqrt(1.0 - rho**2) * draws.anxiety_noise_z
    true_phq_first = np.clip(model.phq9_mean_at_referral + sds[0] * draws.depression_z,
                             0.0, PHQ9.score_max)
    true_gad_first = np.clip(model.gad7_mean_at_referral + sds[1] * anxiety_z, 0.0, GAD7.score_max)
    first = (true_phq_first, true_gad_first)

    # Attendance: enter treatment? come back for a second contact (possibly more often if the
    # course would help)? Those who come back attend their planned course.
    entered = draws.enter_u < model.share_entering_treatment
    planned = _planned_contacts(model, draws.course_u)
    potential = _true_last(model, draws, first, sds, planned)
    improvement_sd = 0.5 * ((first[0] - potential[0]) / sds[0] + (first[1] - potential[1]) / sds[1])
    centre = improvement_sd[entered].mean() if entered.any() else 0.0
    base = model.share_of_entrants_finishing
    if base in (0.0, 1.0):
        finish_p = np.full(draws.n, base)
    else:
        logit = np.log(base / (1.0 - base)) + np.log(
            model.finishing_odds_ratio_per_sd_improvement) * (improvement_sd - centre)
        finish_p = 1.0 / (1.0 + np.exp(-np.clip(logit, -700.0, 700.0)))  # no overflow warning
    returns = draws.return_u < finish_p
    contacts = np.where(entered, np.where(returns, planned, 1), 0).astype(np.int16)

    true_phq_last, true_gad_last, remitted, weeks = _true_last(model, draws, first, sds, contacts)
    return {"first": first, "sds": sds, "contacts": contacts,
            "last": (true_phq_last, true_gad_last), "remitted": remitted, "weeks": weeks}


def generate(model: CohortModel, draws: Draws, *, questionnaires: bool = True,
             course: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Numpy columns of the episode table (without ``episode_id``) for ``model`` and ``draws``.

    Missing scores are NaN. ``diagnosis_last`` exists only for referrals with a treatment contact
    (mask ``diagnosis_last_present``) and ``assessed_with_therapist``
    only where a last questionnaire exists (mask ``assessed_with_therapist_present``): the table
    holds them as nullable booleans. ``questionnaires=False`` leaves out the four questionnaire
    columns and ``assessed_with_therapist`` (for callers that only need the interview).
    ``course`` is :func:`true_course` for ``model`` (or a model differing only in parameters of
    :data:`NOT_IN_COURSE` mechanisms), to reuse it.

    The final interview (``diagnosis_last``, ``true_diagnosis_last``) happens
    ``months_from_end_to_interview`` after the last contact; the last questionnaire
    (``phq9_last``, ``true_phq9_last``) at the last contact. A diagnosis is depression or anxiety
    (true PHQ-9/GAD-7 at or above the diagnostic thresholds) or an unseen disorder.

    >>> from iaptlab.simulate import CohortModel
    >>> cols = generate(CohortModel(n=5), draw(5, seed=0))
    >>> sorted(cols)[:3]
    ['assessed_with_therapist', 'assessed_with_therapist_present', 'diagnosis_first']
    """
    if course is None:
        course = true_course(model, draws)
    first, sds, contacts = course["first"], course["sds"], course["contacts"]
    (true_phq_first, true_gad_first), true_phq_last, true_gad_last = first, *course["last"]
    remitted, weeks = course["remitted"], course["weeks"]
    seen_at_end = _diagnosed(true_phq_last, true_gad_last, model)
    final = _final_interview_state(model, draws, first, sds, contacts, seen_at_end)
    true_dx_first = _diagnosed(true_phq_first, true_gad_first, model) | final["unseen_first"]
    true_dx_last = final["seen"] | final["unseen_last"]
    attended = contacts > 0
    f32 = np.float32
    nan = f32(np.nan)
    scores = _questionnaire_columns(model, draws, first, (true_phq_last, true_gad_last),
                                    contacts) if questionnaires else {}
    columns = {"treatment_contacts": contacts}
    columns.update({name: scores[name] for name in QUESTIONNAIRE_COLUMNS[:4] if scores})
    columns.update({
        "diagnosis_first": _interview(true_dx_first, draws.interview_u[0], model),
        "diagnosis_last": _interview(true_dx_last, draws.interview_u[1], model),
        "diagnosis_last_present": attended,
    })
    columns.update({name: scores[name] for name in QUESTIONNAIRE_COLUMNS[4:] if scores})
    columns.update({
        "true_phq9_first": true_phq_first.astype(f32),
        "true_phq9_last": np.where(attended, true_phq_last, nan).astype(f32),
        "true_gad7_first": true_gad_first.astype(f32),
        "true_gad7_last": np.where(attended, true_gad_last, nan).astype(f32),
        # True states are numbers (1 = yes, 0 = no, NaN = no last measurement): the episode-table
        # contract (DESIGN.md §3) types every true_* column as float.
        "true_diagnosis_first": true_dx_first.astype(f32),
        "true_diagnosis_last": np.where(attended, true_dx_last, nan).astype(f32),
        "true_remitted": np.where(attended, remitted, nan).astype(f32),
        "true_weeks": weeks.astype(f32),
        "true_unseen_disorder_first": final["unseen_first"].astype(f32),
        "true_unseen_disorder_last": np.where(attended, final["unseen_last"], nan).astype(f32),
        "true_relapsed": np.where(attended, final["relapsed"], nan).astype(f32),
    })
    return columns


#: The columns ``generate(..., questionnaires=False)`` leaves out.
QUESTIONNAIRE_COLUMNS = ("phq9_first", "phq9_last", "gad7_first", "gad7_last",
                         "assessed_with_therapist", "assessed_with_therapist_present")


def _questionnaire_columns(model: CohortModel, draws: Draws, first: tuple[np.ndarray, np.ndarray],
                           last: tuple[np.ndarray, np.ndarray], contacts: np.ndarray
                           ) -> dict[str, np.ndarray]:
    """Observed first and last PHQ-9/GAD-7 totals and who completed the last with the therapist."""
    sds = (model.phq9_sd_at_referral, model.gad7_sd_at_referral)
    recorded = draws.paired_u < model.share_finishers_with_paired_scores
    has_last = (contacts > 0) & ((contacts < 2) | recorded)
    error_sds = [sd * np.sqrt((1.0 - r) / r) for sd, r in
                 ((sds[0], model.phq9_reliability), (sds[1], model.gad7_reliability))]
    with_therapist = draws.with_therapist_u < model.share_last_with_therapist
    demand = -model.demand_shift_points * with_therapist
    hello = model.hello_goodbye_points
    nan, f32 = np.float32(np.nan), np.float32
    phq_last = _observe(last[0], error_sds[0], draws.error_z[1], demand, PHQ9.score_max)
    gad_last = _observe(last[1], error_sds[1], draws.error_z[3], demand, GAD7.score_max)
    return {
        "phq9_first": _observe(first[0], error_sds[0], draws.error_z[0], hello,
                               PHQ9.score_max).astype(f32),
        "phq9_last": np.where(has_last, phq_last, nan).astype(f32),
        "gad7_first": _observe(first[1], error_sds[1], draws.error_z[2], hello,
                               GAD7.score_max).astype(f32),
        "gad7_last": np.where(has_last, gad_last, nan).astype(f32),
        "assessed_with_therapist": with_therapist,
        "assessed_with_therapist_present": has_last,
    }


def episode_ids(n: int) -> np.ndarray:
    """Episode ids ``R0000001``, ``R0000002``, ... built without a Python loop (fixed width).

    >>> episode_ids(2).tolist()
    ['R0000001', 'R0000002']
    """
    width = max(7, len(str(n)))
    numbers = np.arange(1, n + 1, dtype=np.int64)
    codes = np.empty((n, width + 1), dtype=np.uint32)
    codes[:, 0] = ord("R")
    for place in range(width):  # a loop over digit places, not rows
        codes[:, width - place] = ord("0") + (numbers // 10**place) % 10
    return codes.view(f"<U{width + 1}").ravel()


def to_frame(columns: dict[str, np.ndarray], ids: np.ndarray | pd.api.extensions.ExtensionArray
             ) -> pd.DataFrame:
    """Assemble :func:`generate` columns into the episode table.

    >>> to_frame({"treatment_contacts": np.array([0], dtype=np.int16)}, episode_ids(1)).columns.tolist()
    ['episode_id', 'treatment_contacts']
    """
    data: dict[str, Any] = {"episode_id": ids}
    masks = {"diagnosis_last": "diagnosis_last_present",
             "assessed_with_therapist": "assessed_with_therapist_present"}
    for name, values in columns.items():
        if name.endswith("_present"):
            continue
        if name in masks:
            data[name] = pd.arrays.BooleanArray(values, ~columns[masks[name]])
        else:
            data[name] = values
    return pd.DataFrame(data, copy=False)


def simulate(model: CohortModel, draws: Draws | None = None) -> pd.DataFrame:
    """One row per simulated referral: a valid episode table plus true-state columns.

    Columns: ``episode_id``, ``treatment_contacts`` (0 for referrals who never attend),
    ``phq9_first``/``_last``, ``gad7_first``/``_last`` (NaN where missing), ``diagnosis_first``,
    ``diagnosis_last`` (blind interview; missing without a treatment contact),
    ``assessed_with_therapist``, and ``true_phq9_first``/``_last``, ``true_gad7_first``/``_last``,
    ``true_diagnosis_first``/``_last`` (``_last`` at the final interview, which may come
    ``months_from_end_to_interview`` after the last contact), ``true_remitted``, ``true_weeks``,
    ``true_unseen_disorder_first``/``_last`` and ``true_relapsed``. ``draws`` (from
    ``draw(model.n, model.seed)``) lets callers reuse random numbers.

    >>> t = simulate(CohortModel(n=50, seed=3))
    >>> int((t["treatment_contacts"] == 0).sum()) > 0
    True
    """
    if draws is None:
        draws = draw(model.n, model.seed)
    elif (draws.n, draws.seed) != (model.n, model.seed):
        raise ParameterError(f"draws are for n={draws.n}, seed={draws.seed}; the model has "
                             f"n={model.n}, seed={model.seed}")
    return to_frame(generate(model, draws), episode_ids(model.n))


@dataclass(frozen=True)
class CalibrationTarget:
    """One figure :meth:`CohortModel.iapt_like` was calibrated to, named by its place in the data.

    The published value is ``numerator`` of ``year`` in the bundled dataset ``national_annual``
    (a percentage column becomes a proportion), divided by ``denominator`` of the same year when
    one is given (a ratio of two published counts, computed here). ``tolerance`` is the
    calibration's promise, tested in tests/test_simulate.py.
    """

    quantity: str
    year: str
    numerator: str
    denominator: str | None
    tolerance: float


#: The published figures ``iapt_like()`` was calibrated to, in :func:`calibration_table`'s order.
CALIBRATION_TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget("recovery rate (finished, paired, at caseness)", "2017-18",
                      "recovery_rate_pct", None, 0.02),
    CalibrationTarget("reliable improvement (finished, paired, at caseness)", "2017-18",
                      "reliable_improvement_rate_pct", None, 0.03),
    CalibrationTarget("finished a course / referrals", "2017-18", "finished_course",
                      "referrals_received", 0.02),
    CalibrationTarget("entered treatment / referrals", "2017-18", "entered_treatment",
                      "referrals_received", 0.02),
    CalibrationTarget("finishers at caseness / finishers", "2016-17", "finished_at_caseness",
                      "finished_course", 0.02),
    CalibrationTarget("mean treatment contacts among finishers", "2017-18",
                      "mean_treatment_sessions", None, 0.3),
)


def _published_cell(national: pd.DataFrame, units: dict[str, str], year: str, column: str
                    ) -> tuple[float, str]:
    """The one filled cell of ``column`` in ``year`` (as a proportion if in percent), and its citation."""
    rows = national[(national["year"] == year) & national[column].notna()]
    if len(rows) != 1:
        raise IaptlabError(f"national_annual has {len(rows)} filled {column!r} cells for {year}; "
                           "a calibration target needs exactly one")
    row = rows.iloc[0]
    value = float(row[column])
    shown = f"{value:g}%" if units[column] == "percent" else f"{value:,.10g}"
    cited = f"{year} {column} {shown} ({row['source']} [{row['confidence']}])"
    return (value / 100 if units[column] == "percent" else value), cited


def calibration_targets() -> pd.DataFrame:
    """Each calibration target's published value and where it comes from, read from ``data/``.

    >>> t = calibration_targets().set_index("quantity")
    >>> float(t.loc["recovery rate (finished, paired, at caseness)", "target"])
    0.508
    >>> t.loc["finished a course / referrals", "source"]
    'national_annual: 2017-18 finished_course 555,000 (nhsd_2017_18_release [C]) / 2017-18 referrals_received 1,440,000 (nhsd_2017_18_release [C]), ratio computed here'
    """
    national = datasets.load("national_annual")
    units = {column["name"]: column["unit"] for column in datasets.card("national_annual")["columns"]}
    rows = []
    for target in CALIBRATION_TARGETS:
        value, source = _published_cell(national, units, target.year, target.numerator)
        if target.denominator is not None:
            below, below_source = _published_cell(national, units, target.year, target.denominator)
            value, source = value / below, f"{source} / {below_source}, ratio computed here"
        rows.append((target.quantity, value, target.tolerance, "national_annual: " + source))
    return pd.DataFrame(rows, columns=["quantity", "target", "tolerance", "source"])


def calibration_table(model: CohortModel | None = None) -> pd.DataFrame:
    """Target vs simulated for each calibrated quantity, plus the interview rate (not a target).

    Rates are :func:`iaptlab.outcomes.rates` of the simulated cohort; reliable improvement is
    counted, like recovery, among finishers with paired scores at caseness at the start. The last
    row, loss of diagnosis on the blind interview (in the sample the model's
    ``interviewed_odds_ratio_still_ill`` selects), has no target on purpose: Scott's (2018) 9.2%
    (dataset ``claims``, row ``scott_2018_9_2_percent``) comes from 90 litigants, not a random
    sample, so ``iapt_like()`` is not tuned to it; :func:`iaptlab.reconcile.waterfall_table`
    explains how far it is from recovery, and ``critic_like()`` shows one set of assumptions
    that reproduces it.

    >>> t = calibration_table(CohortModel.iapt_like(n=5000))
    >>> t.columns.tolist()
    ['quantity', 'target', 'simulated', 'tolerance', 'within_tolerance', 'source']
    """
    model = CohortModel.iapt_like() if model is None else model
    classified = classify(simulate(model))
    contacts = classified["treatment_contacts"].to_numpy()
    finished = classified["finished"].to_numpy(dtype=bool)
    at_start = classified["caseness_first"].to_numpy(dtype=bool)
    at_caseness = rates(classified[at_start]).set_index("outcome")["rate"]
    share = funnel(classified).set_index("stage")["share_of_referrals"]
    simulated = (
        float(at_caseness["recovered"]),
        float(at_caseness["reliable_improvement"]),
        float(share["finished"]),
        float(share["entered_treatment"]),
        float(at_start[finished].mean()),
        float(contacts[finished].mean()),
    )
    targets = calibration_targets()
    rows = [(t.quantity, t.target, sim, t.tolerance, abs(sim - t.target) <= t.tolerance, t.source)
            for t, sim in zip(targets.itertuples(), simulated, strict=True)]
    claims = datasets.load("claims").set_index("claim_id")
    scott = claims.loc["scott_2018_9_2_percent"]
    rows.append(("lost diagnosis on blind interview (finished, met criteria at start; "
                 "interviewed as the model selects)", np.nan,
                 diagnosis_lost_rate(classified,
                                     odds_ratio_still_ill=model.interviewed_odds_ratio_still_ill),
                 np.nan, pd.NA,
                 f"not a target: Scott (2018) {scott['value']:g}% of 90 litigants (claims: "
                 f"scott_2018_9_2_percent, {scott['source']} [{scott['confidence']}])"))
    return pd.DataFrame(rows, columns=["quantity", "target", "simulated", "tolerance",
                                       "within_tolerance", "source"])
