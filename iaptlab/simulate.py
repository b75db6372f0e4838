"""A cohort of referrals simulated from explicit, switchable assumptions.

The workbook's central question is how "about 50% recover" (IAPT's questionnaire rule) and "about
10% lost their diagnosis" (an interview study of 90 former clients, Scott 2018, domain.md §4 [S])
can both be reported. :class:`CohortModel` states every assumption as a named parameter with a
default, an allowed range, a one-line meaning and, where one exists, a source in
``shared/research/domain.md``. :func:`simulate` turns a model into an episode table (one row per
referral) that :func:`iaptlab.outcomes.classify` reads unchanged, plus true-state columns
(``true_*``) and a blind diagnostic interview at the start and end (``diagnosis_first``/``_last``).

What happens to one simulated referral (the arithmetic is in ``_simulate_mechanisms.py``):

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
8. *Selection at caseness* is a property of the outcome rule, not of the data: IAPT admits to the
   recovery denominator only people whose *first questionnaire* is at caseness, so their first
   score carries the selection's luck (regression to the mean). ``select_on_first_measurement``
   records that choice; :mod:`iaptlab.reconcile` uses it (off = denominators chosen on the true
   state at referral instead of the error-laden first measurement).

>>> table = simulate(CohortModel(n=200, seed=1))
>>> len(table), table["episode_id"].is_unique
(200, True)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._simulate_mechanisms import Draws, draw, generate
from .errors import ParameterError

WHITEFORD = ("Whiteford et al. (2013) Psychol Med 43(8):1569-1585, adult primary-care samples "
             "(domain.md §9) [C]")
TEACHING = "teaching default (no sourced figure; change it and watch the outcomes move)"
CALIBRATED = "calibrated for iapt_like() (see iaptlab.reconcile.calibration_table)"


def _param(default: Any, low: float, high: float, doc: str, source: str = TEACHING,
           mechanism: str | None = None) -> Any:
    return field(default=default, metadata={"range": (low, high), "doc": doc, "source": source,
                                            "mechanism": mechanism})


@dataclass(frozen=True)
class CohortModel:
    """Every assumption of the simulated cohort; ``describe()`` lists them as a table.

    >>> CohortModel(n=1000).n
    1000
    >>> CohortModel(phq9_reliability=1.5)
    Traceback (most recent call last):
    ...
    iaptlab.errors.ParameterError: phq9_reliability = 1.5 is outside its allowed range 0.3 to 1.0 (test-retest reliability of the PHQ-9 total; 1 = no measurement error)
    """

    n: int = _param(10_000, 1, 10_000_000, "number of referrals simulated", "choice")
    seed: int = _param(0, 0, 2**63 - 1, "random seed (same seed, same cohort)", "choice")
    # 1. Severity at referral (true scores)
    phq9_mean_at_referral: float = _param(
        13.0, 0, 27, "mean true PHQ-9 score at referral", CALIBRATED + " to 92.6% of finishers "
        "at caseness (2016-17, domain.md §3 [D])")
    phq9_sd_at_referral: float = _param(4.5, 0.5, 15, "SD of true PHQ-9 scores at referral")
    gad7_mean_at_referral: float = _param(11.5, 0, 21, "mean true GAD-7 score at referral",
                                          CALIBRATED)
    gad7_sd_at_referral: float = _param(4.0, 0.5, 12, "SD of true GAD-7 scores at referral")
    phq9_gad7_correlation: float = _param(
        0.6, 0.0, 0.99, "correlation of true depression and anxiety severity at referral")
    # 2. Diagnosis as a function of true severity
    diagnostic_threshold_phq9: float = _param(
        10.0, 0, 27, "true PHQ-9 score at/above which a person meets criteria for depression",
        "PHQ-9 >= 10 best separates interview cases: Kroenke et al. 2001; Levis et al. 2019 "
        "(domain.md §2.3, §6) [C]")
    diagnostic_threshold_gad7: float = _param(
        10.0, 0, 21, "true GAD-7 score at/above which a person meets criteria for an anxiety "
        "disorder", "GAD-7 >= 10 validation cut point: Spitzer et al. 2006 (domain.md §2.3) [C]")
    # 4. Natural remission
    remission_by_3_months: float = _param(
        0.23, 0, 0.99, "share remitting without treatment within 3 months", WHITEFORD,
        "natural_remission")
    remission_by_6_months: float = _param(
        0.32, 0, 0.99, "share remitting without treatment within 6 months", WHITEFORD,
        "natural_remission")
    remission_by_12_months: float = _param(
        0.53, 0, 0.99, "share remitting without treatment within 12 months", WHITEFORD,
        "natural_remission")
    remitted_severity_fraction: float = _param(
        0.35, 0, 1, "share of referral severity a remitted person still has")
    weeks_waiting_before_treatment: float = _param(
        4.0, 0, 52, "weeks from the first questionnaire to the first treatment contact",
        TEACHING + "; the standard is 75% entering treatment within 6 weeks (domain.md §1.4 [C])")
    weeks_between_contacts: float = _param(1.0, 0.25, 8, "weeks between treatment contacts")
    # 5. Treatment
    treatment_effect_d: float = _param(
        0.85, 0, 3, "true improvement a full course causes, in referral SDs (0 = treatment does "
        "nothing)", CALIBRATED + " to 50.8% recovery (2017-18, domain.md §3 [C])",
        "treatment_effect")
    treatment_effect_variation: float = _param(
        2.0, 0, 3, "between-person coefficient of variation of the treatment effect (0 = same "
        "for everyone; a person's effect is never below zero)", CALIBRATED + " to 66.4% "
        "reliable improvement (2017-18, domain.md §3 [C])")
    contacts_for_full_effect: float = _param(
        6.0, 1, 40, "treatment contacts needed for the full effect (fewer give a pro-rata share)")
    # 6. Questionnaire measurement
    phq9_reliability: float = _param(
        0.9, 0.3, 1.0, "test-retest reliability of the PHQ-9 total; 1 = no measurement error",
        TEACHING + "; alpha 0.89 is only secondary (domain.md §2.3 [S])", "measurement_error")
    gad7_reliability: float = _param(
        0.9, 0.3, 1.0, "test-retest reliability of the GAD-7 total; 1 = no measurement error",
        TEACHING + "; r = .83 is only secondary (domain.md §2.3 [S])", "measurement_error")
    hello_goodbye_points: float = _param(
        0.5, 0, 10, "points added to the first PHQ-9 and GAD-7 (presenting badly to get help)",
        TEACHING + "; the effect is described, not measured (domain.md §5.1 [S])",
        "hello_goodbye")
    demand_shift_points: float = _param(
        0.5, 0, 10, "points taken off the last PHQ-9 and GAD-7 when completed with the therapist",
        TEACHING + "; no study of IAPT questionnaires in the therapist's presence was found "
        "(domain.md §5.1)", "demand")
    share_last_with_therapist: float = _param(
        0.8, 0, 1, "share of last questionnaires completed with the therapist present")
    # 3. Attendance and attrition
    share_entering_treatment: float = _param(
        0.70, 0, 1, "share of referrals with at least one treatment contact",
        "1.01m entered / 1.44m referrals, 2017-18 (domain.md §3 [C]; ratio [D])")
    share_of_entrants_finishing: float = _param(
        0.55, 0, 1, "share of those entering who attend a second contact (finish a course)",
        "555,000 finished / 1.01m entered, 2017-18 (domain.md §3 [C]; ratio [D])")
    mean_contacts_among_finishers: float = _param(
        6.6, 2, 40, "mean planned treatment contacts of a finisher", CALIBRATED + " so that the "
        "mean among finishers is 6.8 (2017-18, domain.md §3 [C]); attrition bias makes people "
        "with longer courses finish more often")
    finishing_odds_ratio_per_sd_improvement: float = _param(
        1.5, 0.1, 10, "odds ratio of finishing per referral SD of improvement the course would "
        "bring (1 = dropout unrelated to improvement)", TEACHING, "attrition_bias")
    share_finishers_with_paired_scores: float = _param(
        0.985, 0.5, 1, "share of finishers whose last scores are recorded",
        "outcome data on 98.5%: Clark 2018 (domain.md §3 [C])")
    # 7. Blind diagnostic interview
    interview_sensitivity: float = _param(
        0.90, 0.5, 1, "chance the interview finds criteria met when they truly are",
        TEACHING + "; Levis 2019's figures are the questionnaire's accuracy, not the "
        "interview's (domain.md §6)", "interview_error")
    interview_specificity: float = _param(
        0.90, 0.5, 1, "chance the interview finds criteria not met when they truly are not",
        TEACHING, "interview_error")
    # 8. Selection (a property of the outcome rule; used by iaptlab.reconcile)
    select_on_first_measurement: bool = field(default=True, metadata={
        "range": None, "source": "GUIDE21 recovery rule and M192 denominator (domain.md §1.3 [C])",
        "doc": "outcome denominators admit people on their first (error-laden) measurement; "
               "off = on their true state at referral", "mechanism": "selection"})

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value, bounds = getattr(self, f.name), f.metadata["range"]
            if bounds is None:
                if not isinstance(value, bool | np.bool_):
                    raise ParameterError(f"{f.name} = {value!r} must be True or False")
                continue
            if f.name in ("n", "seed") and not isinstance(value, int | np.integer):
                raise ParameterError(f"{f.name} = {value!r} must be a whole number")
            if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not (
                    bounds[0] <= value <= bounds[1]):
                raise ParameterError(
                    f"{f.name} = {value!r} is outside its allowed range {bounds[0]} to "
                    f"{bounds[1]} ({f.metadata['doc']})")
        steps = (self.remission_by_3_months, self.remission_by_6_months,
                 self.remission_by_12_months)
        if not steps[0] <= steps[1] <= steps[2]:
            raise ParameterError(
                f"remission_by_3_months <= remission_by_6_months <= remission_by_12_months "
                f"must hold (a share cannot fall with time); got {steps}")

    @classmethod
    def iapt_like(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """The calibrated default: IAPT's rules give about 50% recovery among finishers at caseness.

        What was matched and to which published figure is in
        :func:`iaptlab.reconcile.calibration_table` (2017-18 national figures).

        >>> CohortModel.iapt_like(n=100).treatment_effect_d == CohortModel().treatment_effect_d
        True
        """
        return cls(n=n, seed=seed)

    @classmethod
    def no_treatment_effect(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """``iapt_like()`` with a treatment that does nothing (everything else unchanged).

        >>> CohortModel.no_treatment_effect(n=100).treatment_effect_d
        0.0
        """
        return cls.iapt_like(n, seed).without("treatment_effect")

    @classmethod
    def no_measurement_artefacts(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """``iapt_like()`` with no demand, no hello-goodbye and error-free questionnaires.

        >>> m = CohortModel.no_measurement_artefacts(n=100)
        >>> (m.demand_shift_points, m.hello_goodbye_points, m.phq9_reliability)
        (0.0, 0.0, 1.0)
        """
        return cls.iapt_like(n, seed).without("demand", "hello_goodbye", "measurement_error")

    def without(self, *mechanisms: str) -> CohortModel:
        """A copy with each named mechanism switched off (its parameters set to their null value).

        >>> CohortModel().without("natural_remission").remission_by_12_months
        0.0
        """
        unknown = [m for m in mechanisms if m not in MECHANISMS]
        if unknown:
            raise ParameterError(f"unknown mechanism(s) {unknown}; known: {', '.join(MECHANISMS)}")
        changes = {name: value for m in mechanisms for name, value in MECHANISMS[m].items()}
        return dataclasses.replace(self, **changes)

    def is_on(self, mechanism: str) -> bool:
        """Whether ``mechanism`` does anything in this model.

        >>> CohortModel().without("demand").is_on("demand")
        False
        """
        return any(getattr(self, k) != v for k, v in MECHANISMS[mechanism].items())

    def describe(self) -> pd.DataFrame:
        """Every parameter: value, allowed range, meaning, source and mechanism it belongs to.

        >>> CohortModel().describe().set_index("parameter").loc["remission_by_3_months", "value"]
        0.23
        """
        rows = [{"parameter": f.name, "value": getattr(self, f.name),
                 "range": "True/False" if f.metadata["range"] is None
                 else f"{f.metadata['range'][0]} to {f.metadata['range'][1]}",
                 "meaning": f.metadata["doc"], "source": f.metadata["source"],
                 "mechanism": f.metadata["mechanism"] or ""}
                for f in dataclasses.fields(self)]
        return pd.DataFrame(rows)


#: Each switchable mechanism and the parameter values that switch it off.
MECHANISMS: dict[str, dict[str, Any]] = {
    "treatment_effect": {"treatment_effect_d": 0.0},
    "natural_remission": {"remission_by_3_months": 0.0, "remission_by_6_months": 0.0,
                          "remission_by_12_months": 0.0},
    "measurement_error": {"phq9_reliability": 1.0, "gad7_reliability": 1.0},
    "hello_goodbye": {"hello_goodbye_points": 0.0},
    "demand": {"demand_shift_points": 0.0},
    "attrition_bias": {"finishing_odds_ratio_per_sd_improvement": 1.0},
    "interview_error": {"interview_sensitivity": 1.0, "interview_specificity": 1.0},
    "selection": {"select_on_first_measurement": False},
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
    """Assemble :func:`_simulate_mechanisms.generate` columns into the episode table.

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
    ``true_diagnosis_first``/``_last``, ``true_remitted``, ``true_weeks``. ``draws`` (from
    ``_simulate_mechanisms.draw(model.n, model.seed)``) lets callers reuse random numbers.

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
