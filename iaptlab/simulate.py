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
:meth:`CohortModel.interview_sees_questionnaires` was calibrated to; each target is read from the bundled dataset
``national_annual`` by year and column (:data:`CALIBRATION_TARGETS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import datasets
from .cohort_model import INTERVIEW_SEES_MORE, MECHANISMS, OFF_BY_DEFAULT, CohortModel
from .episodes import CONTACT_TYPES
from .errors import IaptlabError, ParameterError
from .instruments import GAD7, PHQ9
from .outcomes import classify, funnel, rates
from .selection import diagnosis_lost_rate

__all__ = ["CALIBRATION_TARGETS", "INTERVIEW_SEES_MORE", "MECHANISMS", "NOT_IN_COURSE", "OFF_BY_DEFAULT",
           "QUESTIONNAIRE_COLUMNS", "STREAMS", "WEEKS_PER_MONTH", "CalibrationTarget",
           "CohortModel", "ContactCohort", "Draws", "calibration_table", "contact_cohort", "calibration_targets",
           "cumulative_remission_hazard", "draw", "episode_ids", "generate", "relapse_probability",
           "simulate", "simulate_contacts", "to_frame", "true_course"]

#: Weeks in a calendar month (365.25 / 7 / 12), to put Whiteford et al.'s months on a week scale.
WEEKS_PER_MONTH = 365.25 / 7 / 12

#: The names of the independent random streams, one per mechanism (order fixes the spawn order).
#: New streams are only ever appended: a spawned child depends on its position alone, so adding
#: a stream leaves every earlier stream (and every earlier cohort) unchanged.
STREAMS = (
    "severity", "remission", "attendance", "paired", "measurement_error", "demand", "interview",
    "treatment", "unseen_disorder", "relapse", "contacts",
)
_CONTACTS_STREAM = len(STREAMS) - 1


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
    """One figure :meth:`CohortModel.interview_sees_questionnaires` was calibrated to, named by its place in the data.

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


#: The published figures ``interview_sees_questionnaires()`` was calibrated to, in :func:`calibration_table`'s order.
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
    sample, so ``interview_sees_questionnaires()`` is not tuned to it; :func:`iaptlab.reconcile.waterfall_table`
    explains how far it is from recovery, and ``interview_sees_more()`` shows one set of assumptions
    that reproduces it.

    >>> t = calibration_table(CohortModel.interview_sees_questionnaires(n=5000))
    >>> t.columns.tolist()
    ['quantity', 'target', 'simulated', 'tolerance', 'within_tolerance', 'source']
    """
    model = CohortModel.interview_sees_questionnaires() if model is None else model
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


# --- Session by session: the contact table ----------------------------------------------------

@dataclass(frozen=True)
class ContactCohort:
    """:func:`contact_cohort`'s result: the contact table and what is true of each referral.

    ``contacts``: one row per contact (DESIGN §3b) plus ``week`` and the true severity at that
    contact (``true_phq9``, ``true_gad7``), in referral and contact order. ``referrals``: one row
    per referral (``episode_id``) with ``entered``, ``planned_contacts``, ``stopped_early``
    (stopped before the planned course ended), and the *complete-data* scores everyone who entered
    would have given had they been measured when their planned course was due to end
    (``phq9_if_measured``, ``gad7_if_measured``: true state then, measured with fresh error and
    no demand) with that true state (``true_phq9_end``, ``true_gad7_end``); NaN if not entered.
    """

    contacts: pd.DataFrame
    referrals: pd.DataFrame


def _true_first(model: CohortModel, draws: Draws) -> tuple[np.ndarray, np.ndarray]:
    """True PHQ-9 and GAD-7 severity at referral (the same draws as :func:`true_course`)."""
    sds = (model.phq9_sd_at_referral, model.gad7_sd_at_referral)
    rho = model.phq9_gad7_correlation
    anxiety_z = rho * draws.depression_z + np.sqrt(1.0 - rho**2) * draws.anxiety_noise_z
    return (np.clip(model.phq9_mean_at_referral + sds[0] * draws.depression_z, 0.0, PHQ9.score_max),
            np.clip(model.gad7_mean_at_referral + sds[1] * anxiety_z, 0.0, GAD7.score_max))


def _planned_treatment_sessions(model: CohortModel, course_u: np.ndarray) -> np.ndarray:
    """Planned treatment sessions: 2 + a geometric count, long enough that, after mid-course
    dropout at ``dropout_per_session`` (completely at random), finishers attend
    ``mean_contacts_among_finishers`` on average (the minimum of two geometric counts is geometric
    with the product of their continuation chances)."""
    extra_mean = model.mean_contacts_among_finishers - 2.0
    if extra_mean <= 0:
        return np.full(course_u.shape, 2, dtype=np.int32)
    stay_overall = extra_mean / (extra_mean + 1.0)
    stay_planned = min(stay_overall / (1.0 - model.dropout_per_session), 1.0 - 1e-9)
    extra = np.floor(np.log(course_u) / np.log(stay_planned))
    return (2 + np.minimum(extra, 200)).astype(np.int32)


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log(p / (1.0 - p)))


def _stop_chance(base: float, log_or: float, x: np.ndarray) -> np.ndarray:
    """P(stop) with log-odds ``logit(base) + log_or * (x - mean(x))`` (centred: about ``base`` overall)."""
    if base <= 0.0 or base >= 1.0 or not len(x):
        return np.full(len(x), base)
    logit = _logit(base) + log_or * (x - x.mean())
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -60.0, 60.0)))


def contact_cohort(model: CohortModel, draws: Draws | None = None) -> ContactCohort:
    """Simulate every referral session by session: the contact table and each referral's truth.

    Everyone referred has an assessment (contact 1, week 0) with a PHQ-9 and a GAD-7 — the same
    first scores as :func:`simulate` gives (same draws). A share ``share_entering_treatment``
    then has treatment appointments, one every ``weeks_between_contacts`` from
    ``weeks_waiting_before_treatment``; each is attended with chance ``share_sessions_attended``
    (a "did not attend" is a contact row with ``attended`` false). At each attended contact:

    - the true severity is the referral severity (times ``remitted_severity_fraction`` once
      natural remission has happened, at the same moment as in :func:`simulate`) minus the
      treatment effect built up so far: ``personal_d`` referral SDs times
      min(sessions attended / ``contacts_for_full_effect``, 1);
    - each questionnaire is the true score plus fresh measurement error, rounded and clipped;
      ``hello_goodbye_points`` are added at the assessment; ``demand_shift_points`` are taken off
      with the therapist present (``share_last_with_therapist``) in the last
      ``demand_last_sessions`` sessions of the planned course (someone who stops early may never
      reach them); with chance ``share_scores_missing_per_contact`` nothing is recorded.

    After each attended treatment contact the person stops coming with chance
    1 - ``share_of_entrants_finishing`` after the first and ``dropout_per_session`` after later
    ones, shifted on the log-odds scale by log(``dropout_odds_ratio_per_sd_better``) per referral
    SD of improvement (centred within each step, so the amount of dropout stays about the same)
    in what ``dropout_mechanism`` names: ``mcar`` a random propensity unrelated to the course;
    ``mar`` the improvement between the first and the last *recorded* scores; ``mnar`` the
    improvement in the *true* state at the next appointment, which nobody records. The course
    otherwise ends after its planned number of treatment sessions (see
    :func:`_planned_treatment_sessions`). Every referral has ended. Vectorised over referrals:
    the only loop is over appointment slots, on the referrals still attending.

    >>> c = contact_cohort(CohortModel(n=300, seed=2))
    >>> c.contacts["contact_type"].iloc[0], int(c.referrals["entered"].sum()) > 150
    ('assessment', True)
    """
    n = model.n
    if draws is None:
        draws = draw(n, model.seed)
    elif (draws.n, draws.seed) != (n, model.seed):
        raise ParameterError(f"draws are for n={draws.n}, seed={draws.seed}; the model has "
                             f"n={n}, seed={model.seed}")
    rng = np.random.default_rng(np.random.SeedSequence(model.seed).spawn(len(STREAMS))[_CONTACTS_STREAM])
    f32 = np.float32
    sds = np.array([model.phq9_sd_at_referral, model.gad7_sd_at_referral])
    tops = np.array([PHQ9.score_max, GAD7.score_max], dtype=float)
    error_sds = sds * np.sqrt([(1.0 - model.phq9_reliability) / model.phq9_reliability,
                               (1.0 - model.gad7_reliability) / model.gad7_reliability])
    first = np.stack(_true_first(model, draws))  # (2, n)
    entered = draws.enter_u < model.share_entering_treatment
    planned = np.where(entered, _planned_treatment_sessions(model, draws.course_u), 0)
    personal_d = np.maximum(model.treatment_effect_d * (
        1.0 + model.treatment_effect_variation * draws.treatment_z), 0.0)
    with_therapist = draws.with_therapist_u < model.share_last_with_therapist
    propensity = rng.standard_normal(n, dtype=f32)  # drawn always: same numbers for every mechanism
    log_or = float(np.log(model.dropout_odds_ratio_per_sd_better))
    wait, gap = model.weeks_waiting_before_treatment, model.weeks_between_contacts

    def true_at(idx: np.ndarray, week: float | np.ndarray, dose_sessions: np.ndarray) -> np.ndarray:
        remitted = draws.remission_exposure[idx] < cumulative_remission_hazard(
            np.broadcast_to(week, idx.shape), model)
        keep = np.where(remitted, model.remitted_severity_fraction, 1.0)
        dose = np.minimum(dose_sessions / model.contacts_for_full_effect, 1.0)
        return np.maximum(first[:, idx] * keep - personal_d[idx] * dose * sds[:, None], 0.0)

    leaving_mask = np.zeros(n, dtype=bool)

    def still_active(active: np.ndarray, leaving: np.ndarray) -> np.ndarray:
        leaving_mask[leaving] = True
        keep = ~leaving_mask[active]
        leaving_mask[leaving] = False
        return keep

    def observe(true: np.ndarray, shift: np.ndarray | float, z: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(true + shift + error_sds[:, None] * z), 0.0, tops[:, None])

    # Contact 1: the assessment, with the same first scores as simulate() gives.
    everyone = np.arange(n)
    first_seen = observe(first, model.hello_goodbye_points, draws.error_z[[0, 2]])
    steps = [(everyone, np.ones(n, bool), first_seen.astype(f32), np.zeros(n, dtype=f32), first.astype(f32))]
    last_seen = first_seen.copy()
    attended_count = np.zeros(n, dtype=np.int32)
    stopped_early = np.zeros(n, dtype=bool)
    active = np.flatnonzero(entered & (planned > 0))
    slot = 0
    while len(active):
        slot += 1
        week = wait + slot * gap
        here = rng.random(len(active), dtype=f32) < model.share_sessions_attended
        went = active[here]
        sessions = attended_count[went] + 1
        true = true_at(went, week, sessions)
        near_end = (planned[went] - sessions) < model.demand_last_sessions
        shift = -model.demand_shift_points * (near_end & with_therapist[went])
        seen = observe(true, shift, rng.standard_normal((2, len(went)), dtype=f32))
        recorded = rng.random(len(went), dtype=f32) >= model.share_scores_missing_per_contact
        seen[:, ~recorded] = np.nan
        last_seen[:, went[recorded]] = seen[:, recorded]
        attended_count[went] = sessions
        n_active = len(active)
        rows_seen = np.full((2, n_active), np.nan, dtype=f32)
        rows_true = np.full((2, n_active), np.nan, dtype=f32)
        rows_seen[:, here], rows_true[:, here] = seen, true
        steps.append((active, here, rows_seen, np.full(n_active, week, dtype=f32), rows_true))
        # Who stops: only people who attended, and have sessions left, decide.
        deciding = went[sessions < planned[went]]
        done_sessions = attended_count[deciding]
        if model.dropout_mechanism == "mcar":
            x = propensity[deciding]
        elif model.dropout_mechanism == "mar":
            x = 0.5 * ((first_seen[:, deciding] - last_seen[:, deciding]) / sds[:, None]).sum(axis=0)
        else:
            upcoming = true_at(deciding, week + gap, done_sessions)
            x = 0.5 * ((first[:, deciding] - upcoming) / sds[:, None]).sum(axis=0)
        stop = np.zeros(len(deciding), dtype=bool)
        for after_first in (True, False):
            part = (done_sessions == 1) == after_first
            base = 1.0 - model.share_of_entrants_finishing if after_first else model.dropout_per_session
            stop[part] = rng.random(int(part.sum()), dtype=f32) < _stop_chance(base, log_or, x[part])
        stopped_early[deciding[stop]] = True
        finished_course = went[sessions >= planned[went]]
        leaving = np.concatenate([deciding[stop], finished_course])
        active = active[still_active(active, leaving)]
    ids = episode_ids(n)
    return ContactCohort(_contact_frame(n, steps, ids), _referral_frame(
        model, draws, rng, entered, planned, stopped_early, attended_count, true_at, observe, ids))


def _contact_frame(n: int, steps: list[tuple], ids: np.ndarray) -> pd.DataFrame:
    """Put each slot's rows in referral-then-contact order (one scatter per column)."""
    counts = np.zeros(n, dtype=np.int64)
    for idx, *_ in steps:
        counts[idx] += 1
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    total = int(counts.sum())
    f32 = np.float32
    codes = np.repeat(np.arange(n, dtype=np.int32), counts)
    where = np.concatenate([offsets[idx] + slot for slot, (idx, *_) in enumerate(steps)])

    def placed(values: list[np.ndarray], dtype) -> np.ndarray:
        out = np.empty(total, dtype=dtype)
        out[where] = np.concatenate(values)
        return out

    number = placed([np.full(len(idx), slot + 1, dtype=np.int16) for slot, (idx, *_) in enumerate(steps)],
                    np.int16)
    attended = placed([went for _, went, *_ in steps], bool)
    week = placed([weeks for *_, weeks, _ in steps], f32)
    seen = [placed([scores[k] for _, _, scores, *_ in steps], f32) for k in (0, 1)]
    true = [placed([truth[k] for *_, truth in steps], f32) for k in (0, 1)]
    kind = pd.Categorical.from_codes((number > 1).astype(np.int8), categories=list(CONTACT_TYPES))
    return pd.DataFrame({
        "referral_id": pd.Categorical.from_codes(codes, categories=ids),
        "contact_number": number,
        "contact_type": kind,
        "attended": attended,
        "phq9": seen[0], "gad7": seen[1],
        "referral_ended": np.ones(total, dtype=bool),
        "week": week, "true_phq9": true[0], "true_gad7": true[1],
    }, copy=False)


def _referral_frame(model: CohortModel, draws: Draws, rng: np.random.Generator, entered: np.ndarray,
                    planned: np.ndarray, stopped_early: np.ndarray, attended_count: np.ndarray,
                    true_at, observe, ids: np.ndarray) -> pd.DataFrame:
    """Per referral: entered, planned course, stopped early, and the complete-data end state."""
    n = model.n
    idx = np.flatnonzero(entered)
    end_week = model.weeks_waiting_before_treatment + planned[idx] * model.weeks_between_contacts
    true_end = true_at(idx, end_week, attended_count[idx])
    seen_end = observe(true_end, 0.0, rng.standard_normal((2, len(idx)), dtype=np.float32))
    columns = {}
    for name, values in (("true_phq9_end", true_end[0]), ("true_gad7_end", true_end[1]),
                         ("phq9_if_measured", seen_end[0]), ("gad7_if_measured", seen_end[1])):
        full = np.full(n, np.nan, dtype=np.float32)
        full[idx] = values
        columns[name] = full
    return pd.DataFrame({"episode_id": ids, "entered": entered,
                         "planned_contacts": planned.astype(np.int16),
                         "attended_treatment_contacts": attended_count.astype(np.int16),
                         "stopped_early": stopped_early, **columns})


def simulate_contacts(model: CohortModel, draws: Draws | None = None) -> pd.DataFrame:
    """The contact table (one row per contact, DESIGN §3b) of :func:`contact_cohort`.

    ``from_contacts`` turns it into an episode table; the ``week``, ``true_phq9`` and
    ``true_gad7`` columns are the simulation's truth (a real contact file has none).

    >>> c = simulate_contacts(CohortModel(n=50, seed=4))
    >>> c.columns.tolist()[:7]
    ['referral_id', 'contact_number', 'contact_type', 'attended', 'phq9', 'gad7', 'referral_ended']
    """
    return contact_cohort(model, draws).contacts
