"""Every assumption of the simulated cohort, as a named, ranged and sourced parameter.

:class:`CohortModel` states each assumption with a default, an allowed range, a one-line meaning
and a source (an id in ``data/sources.toml``) or the label "teaching default". :data:`MECHANISMS`
says which parameter values switch each of the eleven mechanisms off. The arithmetic that turns a
model into referrals is in :mod:`iaptlab.simulate`, which re-exports everything here.

>>> CohortModel(n=1000).without("demand").is_on("demand")
False
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["CRITIC_LIKE", "INTERVIEW_MEASURES", "INTERVIEW_SEES_MORE", "MECHANISMS", "OFF_BY_DEFAULT",
           "CohortModel"]

_WHITEFORD = ("Whiteford et al. (2013) Psychol Med 43(8):1569-1585, adult primary-care samples "
             "(whiteford_2013) [C]")
_TEACHING = "teaching default (no sourced figure; change it and watch the outcomes move)"
_CALIBRATED = "calibrated for the defaults, CohortModel() (see iaptlab.simulate.calibration_table)"
_UNSEEN = (_TEACHING + "; the critic's case of Mr X (depression treated; PTSD symptoms, fire phobia "
          "and binge eating not addressed; scott_2021_blog) is one example, "
          "not a prevalence. In IAPT an ADSM such as the PCL-5 replaces GAD-7 when the problem "
          "descriptor names such a disorder (nhsd_guide_v21 [C]); this model does not simulate "
          "ADSMs")


def _param(default: Any, low: float, high: float, doc: str, source: str = _TEACHING,
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
        13.0, 0, 27, "mean true PHQ-9 score at referral", _CALIBRATED + " to 92.6% of finishers "
        "at caseness (2016-17, nhsd_2016_17_release [C]; ratio [D])")
    phq9_sd_at_referral: float = _param(4.5, 0.5, 15, "SD of true PHQ-9 scores at referral")
    gad7_mean_at_referral: float = _param(11.5, 0, 21, "mean true GAD-7 score at referral",
                                          _CALIBRATED)
    gad7_sd_at_referral: float = _param(4.0, 0.5, 12, "SD of true GAD-7 scores at referral")
    phq9_gad7_correlation: float = _param(
        0.6, 0.0, 0.99, "correlation of true depression and anxiety severity at referral")
    # 2. Diagnosis as a function of true severity
    diagnostic_threshold_phq9: float = _param(
        10.0, 0, 27, "true PHQ-9 score at/above which a person meets criteria for depression",
        "PHQ-9 >= 10 best separates interview cases: Kroenke et al. 2001; Levis et al. 2019 "
        "(kroenke_2001, levis_2019) [C]")
    diagnostic_threshold_gad7: float = _param(
        10.0, 0, 21, "true GAD-7 score at/above which a person meets criteria for an anxiety "
        "disorder", "GAD-7 >= 10 validation cut point: Spitzer et al. 2006 (spitzer_2006) [C]")
    # 4. Natural remission
    remission_by_3_months: float = _param(
        0.23, 0, 0.99, "share remitting without treatment within 3 months", _WHITEFORD,
        "natural_remission")
    remission_by_6_months: float = _param(
        0.32, 0, 0.99, "share remitting without treatment within 6 months", _WHITEFORD,
        "natural_remission")
    remission_by_12_months: float = _param(
        0.53, 0, 0.99, "share remitting without treatment within 12 months", _WHITEFORD,
        "natural_remission")
    remitted_severity_fraction: float = _param(
        0.35, 0, 1, "share of referral severity a remitted person still has")
    weeks_waiting_before_treatment: float = _param(
        4.0, 0, 52, "weeks from the first questionnaire to the first treatment contact",
        _TEACHING + "; the standard is 75% entering treatment within 6 weeks (nhstt_manual_v71 [C])")
    weeks_between_contacts: float = _param(1.0, 0.25, 8, "weeks between treatment contacts")
    # 5. Treatment
    treatment_effect_d: float = _param(
        0.85, 0, 3, "true improvement a full course causes, in referral SDs (0 = treatment does "
        "nothing)", _CALIBRATED + " to 50.8% recovery (2017-18, nhsd_2017_18_release [C])",
        "treatment_effect")
    treatment_effect_variation: float = _param(
        2.0, 0, 3, "between-person coefficient of variation of the treatment effect (0 = same "
        "for everyone; a person's effect is never below zero)", _CALIBRATED + " to 66.4% "
        "reliable improvement (2017-18, nhsd_2017_18_release [C])")
    contacts_for_full_effect: float = _param(
        6.0, 1, 40, "treatment contacts needed for the full effect (fewer give a pro-rata share)")
    # 6. Questionnaire measurement
    phq9_reliability: float = _param(
        0.9, 0.3, 1.0, "test-retest reliability of the PHQ-9 total; 1 = no measurement error",
        _TEACHING + "; Kroenke et al.'s (2001) alpha 0.89 was read only in a secondary summary [S]", "measurement_error")
    gad7_reliability: float = _param(
        0.9, 0.3, 1.0, "test-retest reliability of the GAD-7 total; 1 = no measurement error",
        _TEACHING + "; Spitzer et al.'s (2006) test-retest r = .83 was read only in a secondary source [S]", "measurement_error")
    hello_goodbye_points: float = _param(
        0.5, 0, 10, "points added to the first PHQ-9 and GAD-7 (presenting badly to get help)",
        _TEACHING + "; the effect is described, not measured (hello_goodbye_definition [S])",
        "hello_goodbye")
    demand_shift_points: float = _param(
        0.5, 0, 10, "points taken off the last PHQ-9 and GAD-7 when completed with the therapist",
        _TEACHING + "; no study of IAPT questionnaires in the therapist's presence was found "
        "(demand characteristics: orne_1962)", "demand")
    share_last_with_therapist: float = _param(
        0.8, 0, 1, "share of last questionnaires completed with the therapist present")
    # 3. Attendance and attrition
    share_entering_treatment: float = _param(
        0.70, 0, 1, "share of referrals with at least one treatment contact",
        "1.01m entered / 1.44m referrals, 2017-18 (nhsd_2017_18_release [C]; ratio [D])")
    share_of_entrants_finishing: float = _param(
        0.55, 0, 1, "share of those entering who attend a second contact (finish a course)",
        "555,000 finished / 1.01m entered, 2017-18 (nhsd_2017_18_release [C]; ratio [D])")
    mean_contacts_among_finishers: float = _param(
        6.85, 2, 40, "sets the planned course length: the mean attended treatment contacts of a "
        "finisher if dropout were completely at random", _CALIBRATED + " so that the mean among "
        "finishers is 6.8 (2017-18, nhsd_2017_18_release [C]); attrition bias makes people with "
        "longer courses stop less often")
    finishing_odds_ratio_per_sd_improvement: float = _param(
        1.4, 0.1, 10, "odds ratio of carrying on after each treatment contact per referral SD of "
        "improvement the whole planned course would bring (1 = dropout unrelated to it): people "
        "whose course would help them less stop sooner", _TEACHING + "; the calibrated default "
        "needs it to reach the published recovery rate: an assumption, not a finding", "attrition_bias")
    share_finishers_with_paired_scores: float = _param(
        0.985, 0.5, 1, "share of referrals whose questionnaires are recorded at treatment contacts "
        "(the rest have no score after the assessment)",
        "outcome data on 98.5%: Clark 2018 (clark_2018 [C])")
    # 3b. Session by session
    dropout_mechanism: str = field(default="mcar", metadata={
        "range": None, "choices": ("mcar", "mar", "mnar"), "mechanism": None,
        "source": _TEACHING + "; the three are the usual missing-data mechanisms (MCAR, MAR, "
                  "MNAR: see the glossary)",
        "doc": "what stopping treatment depends on: mcar = nothing about the person's course "
               "(completely at random); mar = the last observed scores (at random given what was "
               "seen); mnar = the unobserved current state (not at random)"})
    dropout_odds_ratio_per_sd_better: float = _param(
        1.5, 0.1, 10, "odds ratio of stopping after a session per referral SD of improvement so "
        "far, on what the mechanism names (> 1: people who feel better stop coming; < 1: people "
        "who feel worse stop; 1 = no dependence; under mcar it acts on a random propensity that "
        "says nothing about the course)")
    dropout_per_session: float = _param(
        0.05, 0, 0.15, "chance of stopping after each attended treatment contact from the second "
        "on (stopping after the first is 1 - share_of_entrants_finishing)")
    share_sessions_attended: float = _param(
        0.9, 0.3, 1, "share of booked treatment appointments attended (the rest are 'did not "
        "attend' and push the course later)")
    share_scores_missing_per_contact: float = _param(
        0.02, 0, 0.5, "chance that an attended contact has no PHQ-9/GAD-7 recorded")
    demand_last_sessions: int = _param(
        1000, 0, 1000, "planned sessions at the end of a course on which demand "
        "(demand_shift_points, with the therapist present) acts. The default, 1000, is every "
        "session of any course: questionnaires are completed in session and any session may turn "
        "out to be the last, so every last score carries demand, as in the episode model of earlier "
        "versions. A small value (e.g. 2) makes demand a 'goodbye' at the planned end, which people "
        "who stop early never reach")
    # 7. Blind diagnostic interview
    interview_sensitivity: float = _param(
        0.90, 0.5, 1, "chance the interview finds criteria met when they truly are",
        _TEACHING + "; Levis 2019's figures are the questionnaire's accuracy, not the "
        "interview's (levis_2019)", "interview_error")
    interview_specificity: float = _param(
        0.90, 0.5, 1, "chance the interview finds criteria not met when they truly are not",
        _TEACHING, "interview_error")
    # 9. Disorders the questionnaires do not see (comorbidity)
    share_with_unseen_disorder: float = _param(
        0.0, 0, 1, "share of referrals who also meet criteria for a disorder the PHQ-9 and GAD-7 "
        "do not measure (e.g. PTSD, a phobia, an eating disorder, OCD); the interview finds it, "
        "the questionnaires cannot", _UNSEEN, "unseen_disorders")
    unseen_disorder_remission: float = _param(
        0.3, 0, 1, "chance an unseen disorder has gone by the final interview (its natural course "
        "plus whatever treatment aimed at depression and anxiety does for it)", _TEACHING,
        "unseen_disorders")
    # 10. Who the interviewer sees (sample selection)
    interviewed_odds_ratio_still_ill: float = _param(
        1.0, 0.01, 100, "how many times more likely someone who still meets criteria at the final "
        "interview is to be among the people interviewed than someone who does not (1 = a random "
        "sample of finishers)", _TEACHING + "; Scott (2018) interviewed 90 litigants as an expert "
        "witness, selection not reported (scott_2018 [S])", "interview_sample_selection")
    # 11. When the interview happens (follow-up and relapse)
    months_from_end_to_interview: float = _param(
        0.0, 0, 60, "months from the last treatment contact to the final blind interview (0 = at "
        "the last session); natural remission continues meanwhile",
        _TEACHING + "; timing relative to treatment unknown in Scott (2018) (scott_2018)",
        "interview_delay")
    relapse_within_12_months: float = _param(
        0.3, 0, 1, "share of people below criteria at the end of treatment who meet them again "
        "within 12 months (constant hazard)", _TEACHING + "; no confirmed relapse figure after IAPT "
        "treatment was found", "interview_delay")
    # 8. Selection (a property of the outcome rule; used by iaptlab.reconcile)
    select_on_first_measurement: bool = field(default=True, metadata={
        "range": None, "source": "recovery rule and M192 denominator (nhsd_guide_v21 [C])",
        "doc": "outcome denominators admit people on their first (error-laden) measurement; "
               "off = on their true state at referral", "mechanism": "selection"})

    def __post_init__(self) -> None:
        for f, plain, low, high in _field_checks(type(self)):
            value = getattr(self, f.name)
            if type(value) in plain and low <= value <= high:  # a Python number in range: the usual case
                continue
            bounds = f.metadata["range"]
            if "choices" in f.metadata:
                if value not in f.metadata["choices"]:
                    raise ParameterError(f"{f.name} = {value!r} must be one of "
                                         f"{', '.join(f.metadata['choices'])} ({f.metadata['doc']})")
                continue
            if bounds is None:
                if not isinstance(value, bool | np.bool_):
                    raise ParameterError(f"{f.name} = {value!r} must be True or False")
                continue
            if f.name in ("n", "seed", "demand_last_sessions") and not isinstance(value, int | np.integer):
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
    def interview_sees_questionnaires(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """The calibrated default, whose interview measures what the questionnaires measure.

        IAPT's rules give about 50% recovery among finishers at caseness (what was matched, and to
        which published figure, is in :func:`iaptlab.simulate.calibration_table`, 2017-18 national
        figures). The interview's "meets criteria" is a true PHQ-9 or GAD-7 of 10 or more and
        nothing else; it is given at the last session to a random sample of finishers. That is an
        assumption, not a finding: under it the two rates nearly agree *by construction*.

        >>> m = CohortModel.interview_sees_questionnaires(n=100)
        >>> m.treatment_effect_d == CohortModel().treatment_effect_d, m.is_on("unseen_disorders")
        (True, False)
        """
        return cls(n=n, seed=seed)

    @classmethod
    def interview_sees_more(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """ONE set of assumptions under which both headline numbers come out, not evidence for it.

        ``interview_sees_questionnaires()`` (so questionnaire recovery stays about 51%) plus the
        values in :data:`INTERVIEW_SEES_MORE`: the interview also sees disorders the questionnaires
        do not measure (half of referrals have one, and it goes by the interview for only 20%);
        it sees people 6 months after the last session, when half of those then free of
        depression/anxiety relapse within a year; it sees a selected sample (someone still meeting
        criteria is 6 times as likely to be interviewed); and it finds 95% of true cases. Loss of
        diagnosis in the interviewed sample is then about 10%, the figure Scott (2018) reported
        for 90 litigants (scott_2018 [S]; dataset ``claims``). Every value is a teaching default:
        no source says any of them is true of IAPT's clients or of Scott's sample. Other
        combinations give the same two numbers; lesson 07 asks which ones are plausible.

        >>> m = CohortModel.interview_sees_more(n=100)
        >>> m.is_on("unseen_disorders"), m.treatment_effect_d == CohortModel().treatment_effect_d
        (True, True)
        """
        return dataclasses.replace(cls.interview_sees_questionnaires(n, seed), **INTERVIEW_SEES_MORE)

    @classmethod
    def iapt_like(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """Deprecated name of :meth:`interview_sees_questionnaires` (it named a side, not an assumption).

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     same = CohortModel.iapt_like(n=100) == CohortModel.interview_sees_questionnaires(n=100)
        >>> same, caught[0].category.__name__
        (True, 'DeprecationWarning')
        """
        warnings.warn("CohortModel.iapt_like() is deprecated: use "
                      "CohortModel.interview_sees_questionnaires()", DeprecationWarning, stacklevel=2)
        return cls.interview_sees_questionnaires(n, seed)

    @classmethod
    def critic_like(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """Deprecated name of :meth:`interview_sees_more` (it named a side, not an assumption).

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     same = CohortModel.critic_like(n=100) == CohortModel.interview_sees_more(n=100)
        >>> same, caught[0].category.__name__
        (True, 'DeprecationWarning')
        """
        warnings.warn("CohortModel.critic_like() is deprecated: use CohortModel.interview_sees_more()",
                      DeprecationWarning, stacklevel=2)
        return cls.interview_sees_more(n, seed)

    @classmethod
    def no_treatment_effect(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """``interview_sees_questionnaires()`` with a treatment that does nothing (all else unchanged).

        >>> CohortModel.no_treatment_effect(n=100).treatment_effect_d
        0.0
        """
        return cls.interview_sees_questionnaires(n, seed).without("treatment_effect")

    @classmethod
    def no_measurement_artefacts(cls, n: int = 10_000, seed: int = 0) -> CohortModel:
        """``interview_sees_questionnaires()`` with no demand, no hello-goodbye, error-free questionnaires.

        >>> m = CohortModel.no_measurement_artefacts(n=100)
        >>> (m.demand_shift_points, m.hello_goodbye_points, m.phq9_reliability)
        (0.0, 0.0, 1.0)
        """
        return cls.interview_sees_questionnaires(n, seed).without("demand", "hello_goodbye",
                                                                  "measurement_error")

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
                 "range": " / ".join(f.metadata["choices"]) if "choices" in f.metadata
                 else "True/False" if f.metadata["range"] is None
                 else f"{f.metadata['range'][0]} to {f.metadata['range'][1]}",
                 "meaning": f.metadata["doc"], "source": f.metadata["source"],
                 "mechanism": f.metadata["mechanism"] or ""}
                for f in dataclasses.fields(self)]
        return pd.DataFrame(rows)


@functools.cache
def _field_checks(cls: type) -> tuple[tuple[dataclasses.Field, tuple[type, ...], Any, Any], ...]:
    """Each field of ``cls`` with the Python types that may skip :meth:`CohortModel.__post_init__`'s
    full check when in range (none for choices and switches; whole-number fields only ``int``).

    >>> [(f.name, plain) for f, plain, _, _ in _field_checks(CohortModel)][:2]
    [('n', (<class 'int'>,)), ('seed', (<class 'int'>,))]
    """
    checks = []
    for f in dataclasses.fields(cls):
        bounds = f.metadata["range"]
        if "choices" in f.metadata or bounds is None:
            checks.append((f, (), None, None))
        else:
            plain = (int,) if f.name in ("n", "seed", "demand_last_sessions") else (int, float)
            checks.append((f, plain, *bounds))
    return tuple(checks)


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
    "unseen_disorders": {"share_with_unseen_disorder": 0.0},
    "interview_sample_selection": {"interviewed_odds_ratio_still_ill": 1.0},
    "interview_delay": {"months_from_end_to_interview": 0.0},
}

#: What ``CohortModel.interview_sees_more()`` changes in ``interview_sees_questionnaires()``
#: (all teaching defaults).
INTERVIEW_SEES_MORE: dict[str, float] = {
    "share_with_unseen_disorder": 0.5,
    "unseen_disorder_remission": 0.2,
    "months_from_end_to_interview": 6.0,
    "relapse_within_12_months": 0.5,
    "interviewed_odds_ratio_still_ill": 6.0,
    "interview_sensitivity": 0.95,
}
#: Deprecated name of :data:`INTERVIEW_SEES_MORE` (kept so older code runs).
CRITIC_LIKE = INTERVIEW_SEES_MORE

#: What the interview measures, as a learner chooses it in the explorers: each choice sets the
#: unseen-disorder parameters (everything else about the interview is left alone).
INTERVIEW_MEASURES: dict[str, dict[str, float]] = {
    "the same as the questionnaires": {"share_with_unseen_disorder": 0.0},
    "also disorders the questionnaires don't see": {
        "share_with_unseen_disorder": INTERVIEW_SEES_MORE["share_with_unseen_disorder"],
        "unseen_disorder_remission": INTERVIEW_SEES_MORE["unseen_disorder_remission"]},
}

#: Mechanisms that are off in ``CohortModel()`` / ``interview_sees_questionnaires()`` (their
#: defaults are the null values): a random sample of finishers is interviewed at the last session
#: and has no disorder the questionnaires miss. ``interview_sees_more()`` switches them on.
OFF_BY_DEFAULT = ("unseen_disorders", "interview_sample_selection", "interview_delay")
