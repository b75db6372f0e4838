"""The arithmetic behind :func:`iaptlab.simulate.simulate` (private; read it to see each mechanism).

Two steps, kept apart so that :mod:`iaptlab.reconcile` can switch mechanisms on and off with
*common random numbers*:

1. :func:`draw` makes every random number a cohort of ``n`` referrals needs, once per
   ``(seed, n)``, from one independent stream per mechanism
   (``numpy.random.SeedSequence(seed).spawn``). Parameters never change what is drawn, only how
   the draws are used, so turning one mechanism off does not reshuffle the others.
2. :func:`generate` turns a model's parameters and those draws into numpy columns.

Everything is vectorised over referrals; nothing loops over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .instruments import GAD7, PHQ9

if TYPE_CHECKING:  # pragma: no cover
    from .simulate import CohortModel

#: Weeks in a calendar month (365.25 / 7 / 12), to put Whiteford et al.'s months on a week scale.
WEEKS_PER_MONTH = 365.25 / 7 / 12

#: The names of the independent random streams, one per mechanism (order fixes the spawn order).
STREAMS = (
    "severity", "remission", "attendance", "paired", "measurement_error", "demand", "interview",
    "treatment",
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
               sds: tuple[float, float], contacts: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """True severity at the last measurement after ``contacts``: remission, then treatment."""
    weeks = np.where(contacts > 0,
                     model.weeks_waiting_before_treatment
                     + contacts * model.weeks_between_contacts, 0.0)
    remitted = draws.remission_exposure < cumulative_remission_hazard(weeks, model)
    keep = np.where(remitted, model.remitted_severity_fraction, 1.0)
    dose = np.minimum(contacts / model.contacts_for_full_effect, 1.0)
    personal_d = np.maximum(model.treatment_effect_d * (
        1.0 + model.treatment_effect_variation * draws.treatment_z), 0.0)
    lasts = tuple(np.maximum(score * keep - personal_d * sd * dose, 0.0)
                  for score, sd in zip(first, sds, strict=True))
    return lasts[0], lasts[1], remitted, weeks


def _observe(true: np.ndarray, error_sd: float, error_z: np.ndarray, shift: np.ndarray | float,
             top: float) -> np.ndarray:
    """A questionnaire total: true score + shift + error, rounded and clipped to the scale."""
    return np.clip(np.rint(true + shift + error_sd * error_z), 0.0, top)


def _interview(true_dx: np.ndarray, u: np.ndarray, model: CohortModel) -> np.ndarray:
    """Interview verdict: a true case is found with the sensitivity, a non-case with the specificity."""
    return np.where(true_dx, u < model.interview_sensitivity,
                    u >= model.interview_specificity)


def generate(model: CohortModel, draws: Draws) -> dict[str, np.ndarray]:
    """Numpy columns of the episode table (without ``episode_id``) for ``model`` and ``draws``.

    Missing scores are NaN. ``diagnosis_last`` exists only for referrals with a treatment contact
    (mask ``diagnosis_last_present``) and ``assessed_with_therapist``
    only where a last questionnaire exists (mask ``assessed_with_therapist_present``): the table
    holds them as nullable booleans.

    >>> from iaptlab.simulate import CohortModel
    >>> cols = generate(CohortModel(n=5), draw(5, seed=0))
    >>> sorted(cols)[:3]
    ['assessed_with_therapist', 'assessed_with_therapist_present', 'diagnosis_first']
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
    recorded = draws.paired_u < model.share_finishers_with_paired_scores
    has_last = (contacts > 0) & ((contacts < 2) | recorded)

    error_sds = [sd * np.sqrt((1.0 - r) / r) for sd, r in
                 ((sds[0], model.phq9_reliability), (sds[1], model.gad7_reliability))]
    with_therapist = draws.with_therapist_u < model.share_last_with_therapist
    demand = -model.demand_shift_points * with_therapist
    hello = model.hello_goodbye_points
    nan = np.float32(np.nan)
    phq_last = _observe(true_phq_last, error_sds[0], draws.error_z[1], demand, PHQ9.score_max)
    gad_last = _observe(true_gad_last, error_sds[1], draws.error_z[3], demand, GAD7.score_max)

    true_dx_first = (true_phq_first >= model.diagnostic_threshold_phq9) | (
        true_gad_first >= model.diagnostic_threshold_gad7)
    true_dx_last = (true_phq_last >= model.diagnostic_threshold_phq9) | (
        true_gad_last >= model.diagnostic_threshold_gad7)
    f32 = np.float32
    return {
        "treatment_contacts": contacts,
        "phq9_first": _observe(true_phq_first, error_sds[0], draws.error_z[0], hello,
                               PHQ9.score_max).astype(f32),
        "phq9_last": np.where(has_last, phq_last, nan).astype(f32),
        "gad7_first": _observe(true_gad_first, error_sds[1], draws.error_z[2], hello,
                               GAD7.score_max).astype(f32),
        "gad7_last": np.where(has_last, gad_last, nan).astype(f32),
        "diagnosis_first": _interview(true_dx_first, draws.interview_u[0], model),
        "diagnosis_last": _interview(true_dx_last, draws.interview_u[1], model),
        "diagnosis_last_present": contacts > 0,
        "assessed_with_therapist": with_therapist,
        "assessed_with_therapist_present": has_last,
        "true_phq9_first": true_phq_first.astype(f32),
        "true_phq9_last": np.where(contacts > 0, true_phq_last, nan).astype(f32),
        "true_gad7_first": true_gad_first.astype(f32),
        "true_gad7_last": np.where(contacts > 0, true_gad_last, nan).astype(f32),
        # True states are numbers (1 = yes, 0 = no, NaN = no last measurement): the episode-table
        # contract (DESIGN.md §3) types every true_* column as float.
        "true_diagnosis_first": true_dx_first.astype(f32),
        "true_diagnosis_last": np.where(contacts > 0, true_dx_last, nan).astype(f32),
        "true_remitted": np.where(contacts > 0, remitted, nan).astype(f32),
        "true_weeks": weeks.astype(f32),
    }
