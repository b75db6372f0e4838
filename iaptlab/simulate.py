"""A cohort of referrals simulated from explicit, switchable assumptions.

The workbook's central question is how "about 50% recover" (IAPT's questionnaire rule) and "about
10% lost their diagnosis" (an interview study of 90 former clients, Scott 2018: scott_2018 [S])
can both be reported. :class:`CohortModel` states every assumption as a named parameter with a
default, an allowed range, a one-line meaning and, where one exists, a source (an id in
``data/sources.toml``). :func:`simulate` turns a model into an episode table (one row per
referral) that :func:`iaptlab.outcomes.classify` reads unchanged, plus true-state columns
(``true_*``) and a blind diagnostic interview at the start and end (``diagnosis_first``/``_last``).
Referrals are simulated *session by session* (:func:`contact_cohort`, :func:`simulate_contacts`);
the episode table is :func:`iaptlab.episodes.from_contacts` of that contact table, as a service's
would be, joined to the truth.

What happens to one simulated referral (the assumptions are in :mod:`iaptlab.cohort_model`; the
arithmetic is below, in steps kept apart so that :mod:`iaptlab.reconcile` can switch mechanisms on
and off with *common random numbers*: :func:`draw` makes every per-referral random number once per
``(seed, n)``, one independent stream per mechanism; the contact loop's numbers are a
counter-based hash of (seed, referral, appointment slot), so they never depend on who else is
still attending; :func:`course_of` simulates attendance and the true state at each contact, and
:func:`episode_columns` / :func:`simulate` add the questionnaires and the interview):

1. *Severity at referral*: true PHQ-9-like and GAD-7-like scores, correlated normals clipped to
   each scale.
2. *Diagnosis*: meets diagnostic criteria when either true score is at or above its diagnostic
   threshold (a teaching simplification; defaults are the questionnaires' validation cut-offs).
3. *Attendance, session by session*: an assessment; then enters treatment or not; attends or
   misses each weekly appointment; after each attended treatment contact stops or carries on,
   until the planned course ends. With *attrition bias* (the calibrated default), people whose
   course would help them less are more likely to stop (:func:`contact_cohort`).
4. *Natural remission* over the weeks between the first questionnaire and each contact, with a piecewise-constant hazard that reproduces Whiteford et al.
   (2013) exactly; a remitted person keeps a fraction of their referral severity.
5. *Treatment effect*: the true score falls by ``treatment_effect_d`` referral SDs for a full
   course, building up pro rata with the sessions attended.
6. *Questionnaires*: observed total = round(true + shift + error), clipped to the scale. Error SD =
   SD_true * sqrt((1 - r) / r) from the reliability r; *hello-goodbye* adds points to the first
   score; *demand* takes points off the scores completed with the therapist present (by default
   at every session, so every last score carries it).
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

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import datasets
from .cohort_model import INTERVIEW_SEES_MORE, MECHANISMS, OFF_BY_DEFAULT, CohortModel
from .episodes import CONTACT_TYPES
from .errors import IaptlabError, ParameterError
from .instruments import GAD7, PHQ9
from .outcomes import classify, funnel, rates
from .selection import diagnosis_lost_rate

__all__ = ["CALIBRATION_TARGETS", "INTERVIEW_SEES_MORE", "MECHANISMS", "NOT_IN_COURSE", "OFF_BY_DEFAULT",
           "STREAMS", "WEEKS_PER_MONTH", "CalibrationTarget", "CohortModel", "ContactCohort", "Course",
           "Draws", "calibration_table", "calibration_targets", "contact_cohort", "course_of",
           "cumulative_remission_hazard", "draw", "episode_columns", "episode_id_column", "episode_ids", "not_in_course",
           "relapse_probability", "simulate", "simulate_contacts", "to_frame"]

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
    return_u: np.ndarray  # uniform: unused since the session-by-session model (kept: same streams)
    course_u: np.ndarray  # uniform in (0, 1]: planned course length (geometric by inversion)
    paired_u: np.ndarray  # uniform: scores are recorded at treatment contacts
    error_z: np.ndarray  # (4, n) standard normal: PHQ-9 first, (unused), GAD-7 first, (unused)
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


def _final_interview_state(model: CohortModel, draws: Draws, course: Course,
                           seen_at_end: np.ndarray) -> dict[str, np.ndarray]:
    """True state at the final interview: follow-up remission, relapse and unseen disorders.

    The interview comes ``months_from_end_to_interview`` after the last attended contact: natural
    remission keeps its hazard meanwhile (someone still ill at the last session may remit), the
    treatment effect, once had, is kept, and someone below criteria at the end relapses with
    :func:`relapse_probability`.
    """
    follow_weeks = model.months_from_end_to_interview * WEEKS_PER_MONTH
    if follow_weeks > 0:
        if follow_weeks not in course.later:  # the course fixes everything but the delay
            course.later[follow_weeks] = _true_given(
                model, draws.remission_exposure, course.first, course.personal_d, slice(None),
                cumulative_remission_hazard(course.last_week + follow_weeks, model), course.attended_count)
        later = course.later[follow_weeks]
        seen = _diagnosed(later[0], later[1], model)
    else:
        seen = seen_at_end
    relapsed = ~seen_at_end & (draws.relapse_u < relapse_probability(model))
    unseen_first = draws.unseen_u[0] < model.share_with_unseen_disorder
    unseen_last = unseen_first & (draws.unseen_u[1] >= model.unseen_disorder_remission)
    return {"seen": seen | relapsed, "relapsed": relapsed, "unseen_first": unseen_first,
            "unseen_last": unseen_last}


def _interview(true_dx: np.ndarray, u: np.ndarray, model: CohortModel) -> np.ndarray:
    """Interview verdict: a true case is found with the sensitivity, a non-case with the specificity."""
    return (true_dx & (u < model.interview_sensitivity)) | (~true_dx & (u >= model.interview_specificity))


#: Mechanisms whose parameters the course (attendance, dropout and the true state at each contact)
#: never reads when dropout does not depend on recorded scores (``dropout_mechanism`` ``mcar`` or
#: ``mnar``); under ``mar`` the measurement mechanisms move who stops, see :func:`not_in_course`.
NOT_IN_COURSE = ("measurement_error", "hello_goodbye", "demand", "interview_error", "selection",
                 "unseen_disorders", "interview_sample_selection", "interview_delay")
_MEASURED = ("measurement_error", "hello_goodbye", "demand")


def not_in_course(model: CohortModel) -> tuple[str, ...]:
    """The mechanisms that cannot change who attends which contact, or the true state there.

    >>> "demand" in not_in_course(CohortModel()), "demand" in not_in_course(CohortModel(dropout_mechanism="mar"))
    (True, False)
    """
    if model.dropout_mechanism == "mar":
        return tuple(m for m in NOT_IN_COURSE if m not in _MEASURED)
    return NOT_IN_COURSE


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


def episode_id_column(n: int, kept: np.ndarray | None = None) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The ``episode_id`` column ``simulate`` gives ``n`` referrals (its rows ``kept``, a boolean
    mask, if given): :func:`episode_ids` as pandas' text, built from their bytes when pandas keeps
    text in pyarrow (no Python string per referral).

    >>> episode_id_column(3, np.array([True, False, True])).tolist()
    ['R0000001', 'R0000003']
    """
    ids = episode_ids(n)
    return _id_column(ids if kept is None else ids[kept])


def to_frame(columns: dict[str, np.ndarray], ids: np.ndarray | pd.api.extensions.ExtensionArray
             ) -> pd.DataFrame:
    """Assemble episode columns (numpy arrays; ``<name>_present`` masks a nullable one) into a table.

    >>> to_frame({"treatment_contacts": np.array([0], dtype=np.int16)}, episode_ids(1)).columns.tolist()
    ['episode_id', 'treatment_contacts']
    """
    data: dict[str, Any] = {"episode_id": _id_column(ids)}
    for name, values in columns.items():
        if name.endswith("_present"):
            continue
        present = columns.get(f"{name}_present")
        data[name] = values if present is None else pd.arrays.BooleanArray(values, ~present)
    return pd.DataFrame(data, copy=False)


def _id_column(ids: np.ndarray | pd.api.extensions.ExtensionArray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Numpy text ``ids`` as the column pandas makes of them, built from their bytes when pandas
    keeps text in pyarrow (not one Python string per id); anything else unchanged.

    >>> _id_column(episode_ids(2)).tolist()
    ['R0000001', 'R0000002']
    """
    if not isinstance(ids, np.ndarray) or ids.dtype.kind != "U" or not len(ids):
        return ids
    inferred = pd.Series(ids[:1]).dtype
    if not (isinstance(inferred, pd.StringDtype) and inferred.storage == "pyarrow"):
        return ids
    width = ids.dtype.itemsize // 4
    chars = ids.view(np.uint32).reshape(len(ids), width)
    if not ((chars < 128).all() and (chars > 0).all()):  # fixed-width ASCII only (no padding)
        return ids
    offsets = np.arange(0, (len(ids) + 1) * width, width, dtype=np.int64)
    text = pa.LargeStringArray.from_buffers(len(ids), pa.py_buffer(offsets), pa.py_buffer(chars.astype(np.uint8)))
    return pd.array(text, dtype=inferred)


_ONE_OR_NAN = np.array([np.nan, 1.0], dtype=np.float32)


def _one_or_nan(mask: np.ndarray) -> np.ndarray:
    """float32 1 where ``mask`` holds, NaN elsewhere: a product with it keeps a value's bits (x * 1)
    or blanks it (a branch-free ``np.where(mask, x, nan)``).

    >>> (np.float32([2.0, -0.0, 3.0]) * _one_or_nan(np.array([True, True, False]))).tolist()
    [2.0, -0.0, nan]
    """
    return _ONE_OR_NAN.take(np.ascontiguousarray(mask, dtype=bool).view(np.uint8))


def _truth_columns(model: CohortModel, draws: Draws, course: Course) -> dict[str, np.ndarray]:
    """The interview, ``assessed_with_therapist`` and every ``true_*`` column of the episode table.

    The true state "at the end" is the one at the last attended contact; the final interview
    comes ``months_from_end_to_interview`` later (:func:`_final_interview_state`). Columns about
    the end exist only for referrals with a treatment contact (NaN, or masked by
    ``<name>_present``, otherwise).
    """
    attended = course.attended_count > 0
    last = course.last_true
    seen_at_end = _diagnosed(last[0], last[1], model)
    final = _final_interview_state(model, draws, course, seen_at_end)
    true_dx_first = _diagnosed(course.first[0], course.first[1], model) | final["unseen_first"]
    true_dx_last = final["seen"] | final["unseen_last"]
    f32 = np.float32
    treated = _one_or_nan(attended)

    def when_treated(values: np.ndarray) -> np.ndarray:
        """``values`` as float32 (1/0 for yes/no), NaN for referrals with no treatment contact."""
        return values.astype(f32) * treated

    return {
        "diagnosis_first": _interview(true_dx_first, draws.interview_u[0], model),
        "diagnosis_last": _interview(true_dx_last, draws.interview_u[1], model),
        "diagnosis_last_present": attended,
        "assessed_with_therapist": course.with_therapist,
        "assessed_with_therapist_present": attended,
        "true_phq9_first": course.first[0].astype(f32),
        "true_phq9_last": when_treated(last[0]),
        "true_gad7_first": course.first[1].astype(f32),
        "true_gad7_last": when_treated(last[1]),
        # True states are numbers (1 = yes, 0 = no, NaN = no last measurement): the episode-table
        # contract (DESIGN.md §3) types every true_* column as float.
        "true_diagnosis_first": true_dx_first.astype(f32),
        "true_diagnosis_last": when_treated(true_dx_last),
        "true_remitted": when_treated(course.remitted_at_last),
        "true_weeks": course.last_week.astype(f32),
        "true_unseen_disorder_first": final["unseen_first"].astype(f32),
        "true_unseen_disorder_last": when_treated(final["unseen_last"]),
        "true_relapsed": when_treated(final["relapsed"]),
    }


def _score_columns(model: CohortModel, course: Course) -> dict[str, np.ndarray]:
    """``treatment_contacts`` and first/last PHQ-9 and GAD-7 straight from the course (no table).

    The same numbers :func:`iaptlab.episodes.from_contacts` reads from :func:`simulate_contacts`
    (tested): the first score is the assessment's; the last is the last recorded score at an
    attended treatment contact, NaN when there is none (a last score from the first score's own
    contact is not a pair, ``ContactRules.paired_needs_two_contacts``). For
    :mod:`iaptlab.reconcile`, which needs them for many models that share one course.
    """
    first_seen = _assessment_seen(model, course.first, course.first_z)
    last = _seen(model, course.scored_true, course.scored_demand_due, course.scored_z).astype(np.float32)
    last *= _one_or_nan(course.has_scored)
    return {"treatment_contacts": course.attended_count.astype(np.int16),
            "phq9_first": first_seen[0].astype(np.float32), "phq9_last": last[0],
            "gad7_first": first_seen[1].astype(np.float32), "gad7_last": last[1]}


def episode_columns(model: CohortModel, draws: Draws, course: Course | None = None, *,
                    questionnaires: bool = True, interview: bool = True) -> dict[str, np.ndarray]:
    """Numpy columns of :func:`simulate`'s table (without ``episode_id`` and provenance columns).

    ``course`` is :func:`course_of` for ``model`` (or for a model differing only in the mechanisms
    :func:`not_in_course` names), to reuse it. ``questionnaires=False`` leaves out the score
    columns (for callers that only need the interview); ``interview=False`` leaves out everything
    but the scores, ``treatment_contacts`` and the true state at referral. Masks ``diagnosis_last_present`` and
    ``assessed_with_therapist_present`` say where those (nullable) columns hold a value.

    >>> cols = episode_columns(CohortModel(n=5), draw(5, seed=0))
    >>> sorted(cols)[:3]
    ['assessed_with_therapist', 'assessed_with_therapist_present', 'diagnosis_first']
    """
    if course is None:
        course = course_of(model, draws)
    scores = _score_columns(model, course) if questionnaires else {
        "treatment_contacts": course.attended_count.astype(np.int16)}
    if not interview:
        return {**scores, "true_phq9_first": course.first[0].astype(np.float32),
                "true_gad7_first": course.first[1].astype(np.float32)}
    return {**scores, **_truth_columns(model, draws, course)}


def simulate(model: CohortModel, draws: Draws | None = None) -> pd.DataFrame:
    """One row per simulated referral: ``from_contacts`` of the contact table, plus the truth.

    ``episode_id``, ``treatment_contacts`` (attended treatment contacts; 0 for referrals who never
    attend treatment), ``phq9_first``/``_last`` and ``gad7_first``/``_last`` are
    :func:`iaptlab.episodes.from_contacts` of :func:`simulate_contacts` (IAPT's contact rules: the
    first and last *available* scores), except that a last score from the first score's own
    contact (no pair: nothing recorded at any treatment contact) is left empty, a missing last
    measurement, so that the table needs no provenance columns and ``classify`` counts the same
    people as on ``from_contacts``' table. Joined to them: ``diagnosis_first``, ``diagnosis_last``
    (blind interview; missing without a treatment contact), ``assessed_with_therapist`` (the
    therapist was present for the end-of-course questionnaires), and ``true_phq9_first``/``_last``,
    ``true_gad7_first``/``_last`` (``_last`` at the last attended contact),
    ``true_diagnosis_first``/``_last`` (``_last`` at the final interview, which may come
    ``months_from_end_to_interview`` after the last contact), ``true_remitted``, ``true_weeks``
    (first questionnaire to last attended contact), ``true_unseen_disorder_first``/``_last`` and
    ``true_relapsed``. ``draws`` (from ``draw(model.n, model.seed)``) lets callers reuse random
    numbers. The scores are read straight from the course, without building the contact table:
    the same bits as ``from_contacts`` of it (tests/test_simulate_reference.py).

    >>> t = simulate(CohortModel(n=50, seed=3))
    >>> int((t["treatment_contacts"] == 0).sum()) > 0
    True
    """
    draws = _checked_draws(model, draws)
    # The scores straight from the course: the numbers from_contacts reads from the contact table
    # (tested: tests/test_simulate_contacts.py), without building that table of every contact.
    course, first_seen, last_seen = _course_of(model, draws, keep_steps=False, scores=True)
    last = last_seen.astype(np.float32) * _one_or_nan(course.has_scored)
    scores = {"treatment_contacts": course.attended_count.astype(np.int16),
              "phq9_first": first_seen[0].astype(np.float32), "phq9_last": last[0],
              "gad7_first": first_seen[1].astype(np.float32), "gad7_last": last[1]}
    return to_frame({**scores, **_truth_columns(model, draws, course)}, episode_ids(model.n))


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


def calibration_table(model: CohortModel | None = None, cohort: Any = None) -> pd.DataFrame:
    """Target vs simulated for each calibrated quantity, plus the interview rate (not a target).

    Rates are :func:`iaptlab.outcomes.rates` of the simulated cohort; reliable improvement is
    counted, like recovery, among finishers with paired scores at caseness at the start. The last
    row, loss of diagnosis on the blind interview (in the sample the model's
    ``interviewed_odds_ratio_still_ill`` selects), has no target on purpose: Scott's (2018) 9.2%
    (dataset ``claims``, row ``scott_2018_9_2_percent``) comes from 90 litigants, not a random
    sample, so ``interview_sees_questionnaires()`` is not tuned to it; :func:`iaptlab.reconcile.waterfall_table`
    explains how far it is from recovery, and ``interview_sees_more()`` shows one set of assumptions
    that reproduces it. ``cohort`` is ``simulate(model)`` (or its validated copy) when the caller has
    built it already: not simulated again.

    >>> t = calibration_table(CohortModel.interview_sees_questionnaires(n=5000))
    >>> t.columns.tolist()
    ['quantity', 'target', 'simulated', 'tolerance', 'within_tolerance', 'source']
    """
    model = CohortModel.interview_sees_questionnaires() if model is None else model
    if cohort is not None and len(getattr(cohort, "table", cohort)) != model.n:
        raise ParameterError(f"cohort has {len(getattr(cohort, 'table', cohort)):,} referrals; the model {model.n:,}")
    classified = classify(simulate(model) if cohort is None else cohort)  # ``cohort``: simulate(model), built already
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


# --- Session by session: the course and the contact table ------------------------------------

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


@dataclass(frozen=True)
class _Slot:
    """One appointment slot: who had an appointment, who attended, and where scores were recorded
    (the true state and the scores there are computed again from these, see :func:`_slot_contacts`)."""

    active: np.ndarray  # referrals with an appointment in this slot
    here: np.ndarray  # which of them attended (bool, len(active))
    week: float
    recorded: np.ndarray  # bool, one per attended contact: questionnaires recorded there


@dataclass(frozen=True)
class Course:
    """:func:`course_of`'s result: who attends which appointment and the true state there (no scores).

    Arrays are per referral unless said; ``steps`` holds one entry per appointment slot.
    """

    n: int
    key: int  # the contact loop's random-number key (see _contacts_key)
    first: np.ndarray  # (2, n) true PHQ-9 and GAD-7 at referral
    first_z: np.ndarray  # (2, n) measurement errors of the assessment questionnaires
    personal_d: np.ndarray  # each person's full-course treatment effect, in referral SDs
    entered: np.ndarray
    planned: np.ndarray  # planned treatment sessions (0 if not entered)
    with_therapist: np.ndarray
    attended_count: np.ndarray  # attended treatment contacts
    last_week: np.ndarray  # week of the last attended contact (0 = the assessment)
    last_true: np.ndarray  # (2, n) true state at the last attended contact
    stopped_early: np.ndarray
    # the last attended treatment contact with recorded scores: its truth, demand and errors
    scored_true: np.ndarray  # (2, n)
    scored_demand_due: np.ndarray
    scored_z: np.ndarray  # (2, n)
    has_scored: np.ndarray  # any treatment contact with recorded scores
    remitted_at_last: np.ndarray  # natural remission had happened by the last attended contact
    steps: tuple[_Slot, ...]
    #: true state at a later final interview, by weeks after the last contact (filled on demand)
    later: dict[float, np.ndarray] = field(default_factory=dict, compare=False, repr=False)


def _true_first(model: CohortModel, draws: Draws) -> tuple[np.ndarray, np.ndarray]:
    """True PHQ-9 and GAD-7 severity at referral: correlated normals clipped to each scale."""
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


def _stop_chance(base: float, shifts: list[tuple[float, np.ndarray]], size: int) -> np.ndarray:
    """P(stop) with log-odds ``logit(base) + sum(log_or * (x - mean(x)))`` over ``shifts``
    (centred: about ``base`` overall)."""
    if base <= 0.0 or base >= 1.0 or not size:
        return np.full(size, base)
    logit = np.full(size, _logit(base))
    for log_or, x in shifts:
        if log_or:
            logit += log_or * (x - x.mean())
    np.clip(logit, -60.0, 60.0, out=logit)
    np.exp(np.negative(logit, out=logit), out=logit)
    logit += 1.0
    return np.divide(1.0, logit, out=logit)


# Counter-based random numbers for the contact loop: the numbers for (referral, slot, purpose) are a
# hash of the cohort's key and those three, so they never depend on who else is still attending
# (switching a mechanism off changes nobody else's numbers: common random numbers survive).
_GOLDEN = 0x9E3779B97F4A7C15
_SLOT_UNIFORMS, _SLOT_ERRORS, _PROPENSITY, _END_ERRORS = range(4)
_U64 = np.uint64


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a uint64 array (wraps modulo 2**64; an array, never a numpy scalar,
    whose arithmetic would warn on the intended overflow)."""
    shifted = x >> _U64(30)
    x ^= shifted
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= np.right_shift(x, _U64(27), out=shifted)
    x *= _U64(0x94D049BB133111EB)
    x ^= np.right_shift(x, _U64(31), out=shifted)
    return x


def _hashes(key: int, slot: int | np.ndarray, purpose: int, idx: np.ndarray) -> np.ndarray:
    """One 64-bit hash per referral in ``idx`` for ``(slot, purpose)`` (splitmix64 of a counter);
    ``slot`` is one slot or one per referral."""
    code = (np.atleast_1d(slot).astype(_U64) << _U64(4)) | _U64(purpose)  # one slot broadcasts
    base = _mix64(_U64(key) ^ (code * _U64(_GOLDEN)))
    counter = idx.astype(_U64)
    counter *= _U64(_GOLDEN)
    counter += base
    return _mix64(counter)


_SCALE21 = np.float32(2.0**-21)


def _uniform21(h: np.ndarray, shift: int) -> np.ndarray:
    """Uniforms in (0, 1) from 21 bits of each hash, starting at bit ``shift`` (43, 22 and 1 give
    three independent ones per hash), float32."""
    return ((h >> _U64(shift)) & _U64(0x1FFFFF)).astype(np.float32) * _SCALE21 + _SCALE21 / 2


def _normals(key: int, slot: int | np.ndarray, purpose: int, idx: np.ndarray, *, both: bool = True) -> np.ndarray:
    """Two independent standard normals per referral (Box-Muller on two 32-bit halves): (2, len)
    float32; ``both=False``: only the first, (len,).

    >>> z = _normals(7, 1, _SLOT_ERRORS, np.arange(3))
    >>> z.shape, bool((_normals(7, 1, _SLOT_ERRORS, np.arange(3), both=False) == z[0]).all())
    ((2, 3), True)
    """
    h = _hashes(key, slot, purpose, idx)
    radius = (h >> _U64(32)).astype(np.float64)
    radius += 0.5
    radius *= 2.0**-32
    np.log(radius, out=radius)
    radius *= -2.0
    np.sqrt(radius, out=radius)
    angle = (h & _U64(0xFFFFFFFF)).astype(np.float64)
    angle += 0.5
    angle *= 2.0**-32
    angle *= 2.0 * np.pi
    z = np.empty((2 if both else 1, len(h)), dtype=np.float32)
    for row, wave in zip(z, (np.cos, np.sin), strict=False):  # float64 products, rounded to float32
        row[...] = radius * wave(angle)
    return z if both else z[0]


def _contacts_key(seed: int) -> int:
    """The cohort's 64-bit key for the contact loop, from the ``contacts`` stream of ``seed``."""
    child = np.random.SeedSequence(seed).spawn(len(STREAMS))[_CONTACTS_STREAM]
    return int(child.generate_state(1, dtype=np.uint64)[0])


def _checked_draws(model: CohortModel, draws: Draws | None) -> Draws:
    if draws is None:
        return draw(model.n, model.seed)
    if (draws.n, draws.seed) != (model.n, model.seed):
        raise ParameterError(f"draws are for n={draws.n}, seed={draws.seed}; the model has "
                             f"n={model.n}, seed={model.seed}")
    return draws


def _error_sds(model: CohortModel) -> np.ndarray:
    sds = np.array([model.phq9_sd_at_referral, model.gad7_sd_at_referral])
    return sds * np.sqrt([(1.0 - model.phq9_reliability) / model.phq9_reliability,
                          (1.0 - model.gad7_reliability) / model.gad7_reliability])


_TOPS = np.array([[PHQ9.score_max], [GAD7.score_max]], dtype=float)


def _seen(model: CohortModel, true: np.ndarray, demand_due: np.ndarray, z: np.ndarray,
          hello: bool = False) -> np.ndarray:
    """Questionnaire totals: true + shift + error, rounded and clipped to each scale ((2, k))."""
    shift = model.hello_goodbye_points if hello else -model.demand_shift_points * demand_due
    return np.clip(np.rint(true + shift + _error_sds(model)[:, None] * z), 0.0, _TOPS)


def _assessment_seen(model: CohortModel, first: np.ndarray, first_z: np.ndarray) -> np.ndarray:
    """The assessment's questionnaire totals ((2, n)): hello-goodbye added, never demand."""
    return _seen(model, first, np.zeros(first.shape[1], dtype=bool), first_z, hello=True)


def _true_at(model: CohortModel, draws: Draws, first: np.ndarray, personal_d: np.ndarray, idx: np.ndarray,
             week: float | np.ndarray, sessions: np.ndarray, first_rows: np.ndarray | None = None) -> np.ndarray:
    """True (PHQ-9, GAD-7) of referrals ``idx`` at ``week`` after ``sessions`` attended sessions.

    The referral severity (times ``remitted_severity_fraction`` once natural remission has
    happened) minus the treatment effect built up so far: ``personal_d`` referral SDs times
    min(sessions / ``contacts_for_full_effect``, 1), never below zero. ``first_rows`` is
    ``first.T`` made contiguous, to gather from quickly.
    """
    if np.ndim(week) == 0:  # one week for everyone: its hazard once (a float64 scalar, compared as float64)
        hazard = cumulative_remission_hazard(np.array([week]), model)[0]
    else:
        hazard = cumulative_remission_hazard(np.broadcast_to(week, idx.shape), model)
    return _true_given(model, draws.remission_exposure, first, personal_d, idx, hazard, sessions, first_rows)


def _true_given(model: CohortModel, exposure: np.ndarray, first: np.ndarray, personal_d: np.ndarray,
                idx: np.ndarray | slice, hazard: np.floating | np.ndarray, sessions: np.ndarray,
                first_rows: np.ndarray | None = None) -> np.ndarray:
    """:func:`_true_at` given the cumulative remission hazard (float64: one, or one per referral).

    The result is laid out in memory as ``first[:, idx]`` lays it out (referral-major): where
    questionnaire totals are clipped from it, numpy's clip keeps or drops the sign of a negative
    zero depending on the layout, and the same layout gives the same bits as before.

    >>> m, x = CohortModel(remitted_severity_fraction=0.5), np.array([[10.0], [8.0]], dtype=np.float32)
    >>> _true_given(m, np.float32([0.1]), x, np.float32([0.0]), slice(None), np.float64(0.2), np.int32([3]))
    array([[5.],
           [4.]])
    """
    sds = np.array([[model.phq9_sd_at_referral], [model.gad7_sd_at_referral]])
    every = isinstance(idx, slice)
    remitted = (exposure[idx] if every else exposure.take(idx)) < hazard
    keep = np.where(remitted, model.remitted_severity_fraction, 1.0)
    dose = np.minimum(sessions / model.contacts_for_full_effect, 1.0)
    start = first[:, idx] if every or first_rows is None else first_rows.take(idx, axis=0).T
    true = start * keep
    true -= (personal_d[idx] if every else personal_d.take(idx)) * dose * sds
    return np.maximum(true, 0.0, out=true)


def _hazard_by(values: np.ndarray, weeks_of: np.ndarray, model: CohortModel) -> np.ndarray:
    """``cumulative_remission_hazard(weeks_of[values])``, computed once per distinct week (``values``
    index the small table ``weeks_of``: a slot, or a planned course length)."""
    return cumulative_remission_hazard(weeks_of, model)[values]


def course_of(model: CohortModel, draws: Draws | None = None) -> Course:
    """Simulate who attends which appointment and the true state there (see :func:`contact_cohort`).

    >>> c = course_of(CohortModel(n=300, seed=2))
    >>> int(c.entered.sum()) > 150, bool((c.attended_count <= c.planned).all())
    (True, True)
    """
    return _course_of(model, _checked_draws(model, draws), keep_steps=True)[0]


def _course_of(model: CohortModel, draws: Draws, *, keep_steps: bool, scores: bool = False
               ) -> tuple[Course, np.ndarray | None, np.ndarray | None]:
    """:func:`course_of` (``steps`` empty unless ``keep_steps``) and, with ``scores``, the
    questionnaire totals at the assessment and at the last contact with recorded scores ((2, n)
    each; the assessment's where there is none), as the contact table holds them.

    The loop over appointment slots keeps only who attends and who decides; the true state at the
    last contact and at the last scored one is computed once at the end (the same arithmetic on the
    same numbers), and per slot only when recorded scores move who stops (``mar``, whose totals
    are then computed as :func:`_contact_frame` computes them); otherwise the last totals come
    after the loop (:func:`_last_scores`).
    """
    n = model.n
    key = _contacts_key(model.seed)
    sds = np.array([model.phq9_sd_at_referral, model.gad7_sd_at_referral])
    first = np.stack(_true_first(model, draws))  # (2, n)
    first_rows = np.ascontiguousarray(first.T)  # (n, 2): one referral's two scores side by side
    exposure = draws.remission_exposure
    entered = draws.enter_u < model.share_entering_treatment
    planned = np.where(entered, _planned_treatment_sessions(model, draws.course_u), 0)
    personal_d = np.maximum(model.treatment_effect_d * (
        1.0 + model.treatment_effect_variation * draws.treatment_z), 0.0)
    with_therapist = draws.with_therapist_u < model.share_last_with_therapist
    # 1 - share_finishers_with_paired_scores of referrals have no questionnaire recorded at any
    # treatment contact (outcome data missing for the whole course)
    scores_kept = draws.paired_u < model.share_finishers_with_paired_scores
    wait, gap = model.weeks_waiting_before_treatment, model.weeks_between_contacts
    log_or = float(np.log(model.dropout_odds_ratio_per_sd_better))
    log_bias = float(np.log(model.finishing_odds_ratio_per_sd_improvement))
    if log_bias:  # the improvement the whole planned course would bring (nobody records it)
        lengths = np.arange(int(planned.max(initial=0)) + 1, dtype=planned.dtype)
        at_end = _true_given(model, exposure, first, personal_d, slice(None),
                             _hazard_by(planned, wait + lengths * gap, model), planned)
        potential = 0.5 * ((first - at_end) / sds[:, None]).sum(axis=0)
    mar = model.dropout_mechanism == "mar"
    if model.dropout_mechanism == "mcar":  # a random propensity per referral, unrelated to the course
        propensity = _normals(key, 0, _PROPENSITY, np.arange(n), both=False)
    first_z = draws.error_z[[0, 2]]  # the assessment's errors: the same first scores as before
    if mar or scores:
        first_seen = _assessment_seen(model, first, first_z)
        last_seen = first_seen.copy()
    if scores and not mar:  # where each referral's last scored contact sits in its slot's arrays
        went_sizes, scored_pos = [], np.zeros(n, dtype=np.int32)
    attended_count = np.zeros(n, dtype=np.int32)
    last_slot = np.zeros(n, dtype=np.int32)  # 0: the assessment
    scored_slot = np.zeros(n, dtype=np.int32)  # 0: no treatment contact with recorded scores
    scored_sessions = np.zeros(n, dtype=np.int32)
    stopped_early = np.zeros(n, dtype=bool)
    weeks = [0.0]  # the week of each slot (0: the assessment)
    steps = []
    active = np.flatnonzero(entered & (planned > 0)).astype(np.int32)  # int32: half the memory
    slot = 0
    while len(active):
        slot += 1
        week = wait + slot * gap
        weeks.append(week)
        h = _hashes(key, slot, _SLOT_UNIFORMS, active)  # three uniforms: attends, scores recorded, stops
        here = _uniform21(h, 43) < model.share_sessions_attended
        went, h = active[here], h[here]
        sessions = attended_count[went] + 1
        attended_count[went] = sessions
        last_slot[went] = slot
        recorded = (_uniform21(h, 22) >= model.share_scores_missing_per_contact) & scores_kept[went]
        scored = went[recorded]
        scored_slot[scored], scored_sessions[scored] = slot, sessions[recorded]
        if scores and not mar:
            went_sizes.append(len(went))
            scored_pos[scored] = np.flatnonzero(recorded)
        if mar:  # the measurement errors are drawn here only when recorded scores move who stops
            true = _true_at(model, draws, first, personal_d, went, week, sessions, first_rows).astype(np.float32)
            demand_due = ((planned[went] - sessions) < model.demand_last_sessions) & with_therapist[went]
            seen = _seen(model, true, demand_due, _normals(key, slot, _SLOT_ERRORS, went))
            last_seen[0, scored], last_seen[1, scored] = seen[0, recorded], seen[1, recorded]
        if keep_steps:
            steps.append(_Slot(active, here, week, recorded))
        # Who stops: only people who attended, and have sessions left, decide.
        deciding_mask = sessions < planned[went]
        deciding = went[deciding_mask]
        done = sessions[deciding_mask]
        if model.dropout_mechanism == "mcar":
            x = propensity[deciding]
        elif mar:
            x = 0.5 * ((first_seen[:, deciding] - last_seen[:, deciding]) / sds[:, None]).sum(axis=0)
        else:
            upcoming = _true_at(model, draws, first, personal_d, deciding, week + gap, done, first_rows)
            x = 0.5 * ((first[:, deciding] - upcoming) / sds[:, None]).sum(axis=0)
        stop_u = _uniform21(h[deciding_mask], 1)
        stop = np.empty(len(deciding), dtype=bool)
        after_first = done == 1
        for part, base in ((after_first, 1.0 - model.share_of_entrants_finishing),
                           (~after_first, model.dropout_per_session)):
            shifts = [(log_or, x[part])] + ([(-log_bias, potential[deciding[part]])] if log_bias else [])
            stop[part] = stop_u[part] < _stop_chance(base, shifts, int(part.sum()))
        stopped_early[deciding[stop]] = True
        # Who has an appointment next slot: whoever missed this one, and whoever attended, had
        # sessions left and did not stop (the planned course is over for the others).
        carry_on = deciding_mask.copy()
        carry_on[deciding_mask] = ~stop
        stays = ~here
        stays[here] = carry_on
        active = active[stays]
    slot_weeks = np.array(weeks, dtype=np.float64)
    last_week = slot_weeks[last_slot]
    _, last_true = _at_slots(model, exposure, first, first_rows, personal_d, slot_weeks, last_slot, attended_count)
    # the last scored contact is mostly the last contact: its true state is already known
    has_scored = scored_slot > 0
    elsewhere = np.where(scored_slot == last_slot, 0, scored_slot)
    _, scored_true = _at_slots(model, exposure, first, first_rows, personal_d, slot_weeks, elsewhere, scored_sessions)
    same = np.flatnonzero(has_scored & (elsewhere == 0))
    scored_true[0, same], scored_true[1, same] = last_true[0, same], last_true[1, same]
    scored = np.flatnonzero(has_scored)
    scored_demand_due = np.zeros(n, dtype=bool)
    scored_demand_due[scored] = (((planned[scored] - scored_sessions[scored]) < model.demand_last_sessions)
                                 & with_therapist[scored])
    scored_z = np.zeros((2, n), dtype=np.float32)
    scored_z[:, scored] = _normals(key, scored_slot[scored], _SLOT_ERRORS, scored)
    course = Course(n=n, key=key, first=first, first_z=first_z,
                    personal_d=personal_d, entered=entered, planned=planned,
                    with_therapist=with_therapist, attended_count=attended_count,
                    last_week=last_week, last_true=last_true, stopped_early=stopped_early,
                    scored_true=scored_true, scored_demand_due=scored_demand_due, scored_z=scored_z,
                    has_scored=has_scored, steps=tuple(steps),
                    remitted_at_last=exposure < _hazard_by(last_slot, slot_weeks, model))
    if scores and not mar:
        _last_scores(model, course, last_seen, went_sizes, scored_slot, scored_pos)
    return (course, first_seen, last_seen) if scores else (course, None, None)


def _last_scores(model: CohortModel, course: Course, last_seen: np.ndarray, went_sizes: list[int],
                 scored_slot: np.ndarray, scored_pos: np.ndarray) -> None:
    """Write into ``last_seen`` each referral's questionnaire totals at their last scored contact.

    The totals are clipped as :func:`_contact_frame` clips them, slot by slot, in arrays of the
    slot's size and layout: numpy's clip keeps or drops the sign of a negative zero (a total
    rounded up to zero) depending on the array's size and memory layout, so this gives the
    contact table's bits exactly. Only the referrals whose last scored contact is in the slot carry
    their numbers (true state, demand, errors: the course's); the rest of each array is zeros.
    """
    scored = np.flatnonzero(course.has_scored)
    if not len(scored):
        return
    slots = scored_slot[scored].astype(np.uint16 if len(went_sizes) < 2**16 else np.int64)
    order = np.argsort(slots, kind="stable")  # a radix sort on 16 bits
    scored, slots = scored[order], slots[order]
    starts = np.flatnonzero(np.diff(slots, prepend=0))
    for start, end in zip(starts, [*starts[1:], len(slots)], strict=True):
        members, size = scored[start:end], went_sizes[slots[start] - 1]
        pos = scored_pos[members]
        true = np.zeros((size, 2), dtype=np.float32).T  # referral-major, as each slot's true state
        true[:, pos] = course.scored_true[:, members]
        demand_due = np.zeros(size, dtype=bool)
        demand_due[pos] = course.scored_demand_due[members]
        z = np.zeros((2, size), dtype=np.float32)
        z[:, pos] = course.scored_z[:, members]
        last_seen[:, members] = _seen(model, true, demand_due, z)[:, pos]


def _at_slots(model: CohortModel, exposure: np.ndarray, first: np.ndarray, first_rows: np.ndarray,
              personal_d: np.ndarray, slot_weeks: np.ndarray, slots: np.ndarray, sessions: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Who has a slot (``slots`` > 0), and the true state there ((2, n) float32; ``first`` elsewhere)."""
    has = slots > 0
    at = np.flatnonzero(has)
    true = first.copy()
    there = _true_given(model, exposure, first, personal_d, at, _hazard_by(slots[at], slot_weeks, model),
                        sessions[at], first_rows).astype(np.float32)  # as each slot's true state was kept
    true[0, at], true[1, at] = there
    return has, true


def _slot_contacts(model: CohortModel, draws: Draws, course: Course
                   ) -> Iterator[tuple[int, _Slot, np.ndarray, np.ndarray]]:
    """Each slot, the referrals who attended it, their true state ((2, len(went)) float32) and
    questionnaire totals there ((2, len(went)) float32, NaN if not recorded)."""
    count = np.zeros(course.n, dtype=np.int32)
    for slot, step in enumerate(course.steps, start=1):
        went = step.active[step.here]
        sessions = count[went] + 1
        count[went] = sessions
        true = _true_at(model, draws, course.first, course.personal_d, went, step.week, sessions).astype(np.float32)
        demand_due = ((course.planned[went] - sessions) < model.demand_last_sessions) & course.with_therapist[went]
        seen = _seen(model, true, demand_due, _normals(course.key, slot, _SLOT_ERRORS, went)).astype(np.float32)
        seen[:, ~step.recorded] = np.nan
        yield slot, step, true, seen


def contact_cohort(model: CohortModel, draws: Draws | None = None) -> ContactCohort:
    """Simulate every referral session by session: the contact table and each referral's truth.

    Everyone referred has an assessment (contact 1, week 0) with a PHQ-9 and a GAD-7 (with
    ``hello_goodbye_points`` added). A share ``share_entering_treatment`` then has treatment
    appointments, one every ``weeks_between_contacts`` from ``weeks_waiting_before_treatment``;
    each is attended with chance ``share_sessions_attended`` (a "did not attend" is a contact row
    with ``attended`` false). At each attended contact:

    - the true severity is the referral severity (times ``remitted_severity_fraction`` once
      natural remission has happened) minus the treatment effect built up so far:
      ``personal_d`` referral SDs times min(sessions attended / ``contacts_for_full_effect``, 1);
    - each questionnaire is the true score plus fresh measurement error, rounded and clipped;
      ``demand_shift_points`` are taken off with the therapist present
      (``share_last_with_therapist``) in the last ``demand_last_sessions`` sessions of the planned
      course (by default every session, so that every last score carries demand; with a small
      value someone who stops early may never reach them); with chance
      ``share_scores_missing_per_contact`` nothing is recorded, and for a share
      1 - ``share_finishers_with_paired_scores`` of referrals nothing is recorded at any treatment
      contact (a course without outcome data).

    After each attended treatment contact the person stops coming with chance
    1 - ``share_of_entrants_finishing`` after the first and ``dropout_per_session`` after later
    ones, shifted on the log-odds scale (centred within each step, so the amount of dropout stays
    about the same) by two terms:

    - *attrition bias* (the calibrated default's assumption, carried over from the episode model
      of earlier versions; a teaching assumption, not a finding): log(1 /
      ``finishing_odds_ratio_per_sd_improvement``) per referral SD of the improvement the whole
      planned course would bring them, which nobody records: people whose course would help them
      less stop sooner;
    - log(``dropout_odds_ratio_per_sd_better``) per referral SD of improvement *so far* in what
      ``dropout_mechanism`` names: ``mcar`` a random propensity unrelated to the course; ``mar``
      the improvement between the first and the last *recorded* scores; ``mnar`` the improvement
      in the *true* state at the next appointment, which nobody records.

    The course otherwise ends after its planned number of treatment sessions (see
    :func:`_planned_treatment_sessions`). Every referral has ended. Vectorised over referrals: the
    only loop is over appointment slots, on the referrals still attending; each referral's random
    numbers in a slot are a counter-based hash of (seed, referral, slot), so they do not depend on
    who else is still attending.

    >>> c = contact_cohort(CohortModel(n=300, seed=2))
    >>> c.contacts["contact_type"].iloc[0], int(c.referrals["entered"].sum()) > 150
    ('assessment', True)
    """
    draws = _checked_draws(model, draws)
    course = _course_of(model, draws, keep_steps=True)[0]
    ids = _id_column(episode_ids(model.n))
    return ContactCohort(_contact_frame(model, draws, course, ids), _referral_frame(model, draws, course, ids))


def _contact_frame(model: CohortModel, draws: Draws, course: Course, ids: np.ndarray | pd.api.extensions.ExtensionArray,
                   *, truth: bool = True) -> pd.DataFrame:
    """Put each slot's rows in referral-then-contact order (written slot by slot into each column);
    ``truth=False`` leaves out ``week``, ``true_phq9`` and ``true_gad7``."""
    n = course.n
    f32 = np.float32
    counts = np.ones(n, dtype=np.int64)  # the assessment
    for step in course.steps:
        counts[step.active] += 1
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    total = int(counts.sum())
    number = np.empty(total, dtype=np.int16)
    attended = np.empty(total, dtype=bool)
    week = np.empty(total if truth else 0, dtype=f32)
    seen = np.full((2, total), np.nan, dtype=f32)
    true = np.full((2, total if truth else 0), np.nan, dtype=f32)
    number[offsets], attended[offsets] = 1, True
    seen[:, offsets] = _assessment_seen(model, course.first, course.first_z)
    if truth:
        week[offsets], true[:, offsets] = 0.0, course.first
    for slot, step, true_here, scores in _slot_contacts(model, draws, course):
        at = offsets[step.active] + slot
        number[at], attended[at] = slot + 1, step.here
        went = at[step.here]
        seen[:, went] = scores
        if truth:
            week[at], true[:, went] = step.week, true_here
    kind = pd.Categorical.from_codes((number > 1).astype(np.int8), categories=list(CONTACT_TYPES))
    truth_columns = {"week": week, "true_phq9": true[0], "true_gad7": true[1]} if truth else {}
    return pd.DataFrame({
        "referral_id": pd.Categorical.from_codes(np.repeat(np.arange(n, dtype=np.int32), counts),
                                                 categories=ids),
        "contact_number": number,
        "contact_type": kind,
        "attended": attended,
        "phq9": seen[0], "gad7": seen[1],
        "referral_ended": np.ones(total, dtype=bool),
        **truth_columns,
    }, copy=False)


def _referral_frame(model: CohortModel, draws: Draws, course: Course, ids: np.ndarray) -> pd.DataFrame:
    """Per referral: entered, planned course, stopped early, and the complete-data end state."""
    n = model.n
    idx = np.flatnonzero(course.entered)
    end_week = model.weeks_waiting_before_treatment + course.planned[idx] * model.weeks_between_contacts
    true_end = _true_at(model, draws, course.first, course.personal_d, idx, end_week, course.attended_count[idx])
    z = _normals(course.key, 0, _END_ERRORS, idx)
    seen_end = _seen(model, true_end, np.zeros(len(idx), dtype=bool), z)
    columns = {}
    for name, values in (("true_phq9_end", true_end[0]), ("true_gad7_end", true_end[1]),
                         ("phq9_if_measured", seen_end[0]), ("gad7_if_measured", seen_end[1])):
        full = np.full(n, np.nan, dtype=np.float32)
        full[idx] = values
        columns[name] = full
    return pd.DataFrame({"episode_id": ids, "entered": course.entered,
                         "planned_contacts": course.planned.astype(np.int16),
                         "attended_treatment_contacts": course.attended_count.astype(np.int16),
                         "stopped_early": course.stopped_early, **columns})


def simulate_contacts(model: CohortModel, draws: Draws | None = None) -> pd.DataFrame:
    """The contact table (one row per contact, DESIGN §3b) of :func:`contact_cohort`.

    ``from_contacts`` turns it into an episode table; the ``week``, ``true_phq9`` and
    ``true_gad7`` columns are the simulation's truth (a real contact file has none).

    >>> c = simulate_contacts(CohortModel(n=50, seed=4))
    >>> c.columns.tolist()[:7]
    ['referral_id', 'contact_number', 'contact_type', 'attended', 'phq9', 'gad7', 'referral_ended']
    """
    draws = _checked_draws(model, draws)
    return _contact_frame(model, draws, _course_of(model, draws, keep_steps=True)[0],
                          _id_column(episode_ids(model.n)))
