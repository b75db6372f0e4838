"""What a questionnaire "case" means: published accuracy, predictive values, agreement with an interview.

:func:`published_studies` reads the confirmed rows of ``instrument_accuracy``;
:func:`natural_frequencies` turns sensitivity, specificity and prevalence into whole people;
:func:`agreement_at_end` compares questionnaire caseness with a blind interview at the end of
treatment; :func:`observer_bias_table` holds the observer-bias estimates of ``assessment_bias``.

>>> natural_frequencies(0.88, 0.85, 0.20)["true_positive"]
176
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import datasets
from .accuracy import Agreement, agreement
from .errors import ParameterError

__all__ = ["DEFAULT_STUDY", "PEOPLE", "agreement_at_end", "agreement_summary", "natural_frequencies",
           "observer_bias_table", "published_studies", "short_citation", "times_in_100", "PREVALENCE_GRID", "accuracy_table"]


#: The study the explorer opens with: PHQ-9 >= 10 against semi-structured interviews.
DEFAULT_STUDY = "levis_2019|PHQ-9|10|semi-structured"


#: People per natural-frequency table ("out of 1,000 people ...").
PEOPLE = 1_000

#: Prevalences drawn as the predictive-value curves (1% to 99%).
PREVALENCE_GRID = np.round(np.arange(1, 100) / 100, 2)


def short_citation(key: str, known: dict[str, dict] | None = None) -> str:
    """'Levis et al. (2019)' from a sources.toml entry (``known``: :func:`iaptlab.datasets.sources`,
    where the caller has it already; read when not given).

    >>> short_citation("levis_2019")
    'Levis et al. (2019)'
    """
    entry = (datasets.sources() if known is None else known)[key]
    surnames = [name.split(",")[0] for name in entry["authors"]]
    if len(surnames) > 2 or entry.get("et_al"):
        who = f"{surnames[0]} et al."
    else:
        who = " & ".join(surnames)
    return f"{who} ({entry['year']})"


def published_studies(accuracy_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Confirmed ([C]) rows of ``instrument_accuracy`` with both sensitivity and specificity.

    Adds ``key`` (source|instrument|cut-off|interview type), ``label`` (for a menu),
    ``citation`` and ``sensitivity``/``specificity`` as proportions. Secondary ([S]) rows and
    rows without pooled values are left out: the explorer must not show them as fact.

    >>> studies = published_studies()
    >>> studies.set_index("key").loc[DEFAULT_STUDY, ["sensitivity", "specificity"]].tolist()
    [0.88, 0.85]
    """
    table = datasets.load("instrument_accuracy") if accuracy_table is None else accuracy_table
    usable = table[(table["confidence"] == "C") & table["sensitivity_pct"].notna()
                   & table["specificity_pct"].notna() & table["cut_off"].notna()].copy()
    cut_off = usable["cut_off"].astype(int).astype(str)
    usable["key"] = (usable["source"] + "|" + usable["instrument"] + "|" + cut_off + "|"
                     + usable["interview_type"])
    known = datasets.sources()  # read once (a deep copy each call), not once per study
    usable["citation"] = usable["source"].map(lambda key: short_citation(key, known))
    interview = usable["interview_type"].where(usable["interview_type"] != "not classified here",
                                               "interview")
    interview = interview.where(interview == "interview", interview + " interview")
    usable["label"] = (usable["instrument"] + " ≥ " + cut_off + " for " + usable["target_condition"]
                       + " vs " + interview + " — " + usable["citation"])
    usable["sensitivity"] = usable["sensitivity_pct"] / 100
    usable["specificity"] = usable["specificity_pct"] / 100
    columns = ["key", "label", "instrument", "cut_off", "target_condition", "reference_standard",
               "setting", "sensitivity", "specificity", "n_participants", "citation", "source"]
    return usable[columns].reset_index(drop=True)


def natural_frequencies(sensitivity: float, specificity: float, prevalence: float,
                        people: int = PEOPLE) -> dict[str, int]:
    """Expected true/false positives/negatives among ``people`` (whole people, totals exact).

    Cases = round(people x prevalence); true positives = round(cases x sensitivity); false
    positives = round(non-cases x (1 - specificity)); the rest follow by subtraction.

    >>> natural_frequencies(0.88, 0.85, 0.20)
    {'cases': 200, 'true_positive': 176, 'false_negative': 24, 'false_positive': 120, 'true_negative': 680}
    """
    for name, value in (("sensitivity", sensitivity), ("specificity", specificity),
                        ("prevalence", prevalence)):
        if not 0 <= value <= 1:
            raise ParameterError(f"{name} must be between 0 and 1, got {value!r}")
    cases = round(people * prevalence)
    true_positive = round(cases * sensitivity)
    false_positive = round((people - cases) * (1 - specificity))
    return {"cases": cases, "true_positive": true_positive, "false_negative": cases - true_positive,
            "false_positive": false_positive, "true_negative": people - cases - false_positive}


def times_in_100(proportion: float) -> str:
    """'about 59', or 'more than 99' / 'fewer than 1' where rounding would say 100 or 0 wrongly.

    >>> [times_in_100(p) for p in (0.5946, 0.998, 1.0, 0.004, 0.0)]
    ['about 59', 'more than 99', '100', 'fewer than 1', '0']
    """
    if proportion in (0, 1):
        return str(round(100 * proportion))
    rounded = round(100 * proportion)
    return {100: "more than 99", 0: "fewer than 1"}.get(rounded, f"about {rounded}")


def agreement_at_end(classified: pd.DataFrame, reference: str = "diagnosis_last") -> Agreement:
    """Questionnaire caseness at the last measurement vs ``reference``, among finished & paired.

    ``classified`` is the output of :func:`iaptlab.outcomes.classify`. The test is
    ``caseness_last`` (PHQ-9 or the anxiety measure at caseness); the reference is the blind
    interview (``diagnosis_last``) or, in a simulation, the true state (``true_diagnosis_last``).
    Only people who finished a course and have paired scores are used: the others have no last
    questionnaire to compare.

    >>> flags = pd.DataFrame({"finished": [True, True, True, False], "paired": [True] * 4,
    ...                       "caseness_last": [True, False, False, True],
    ...                       "diagnosis_last": [True, True, False, True]})
    >>> a = agreement_at_end(flags)
    >>> (a.tp, a.fp, a.fn, a.tn)
    (1, 0, 1, 1)
    """
    needed = ["finished", "paired", "caseness_last", reference]
    missing = [c for c in needed if c not in classified.columns]
    if missing:
        raise ParameterError(f"classified table lacks column(s) {missing}; pass the output of "
                             f"outcomes.classify (with a {reference!r} column)")
    used = classified.loc[classified["finished"] & classified["paired"], ["caseness_last", reference]]
    reference_values = used[reference]
    if reference_values.dtype.kind == "f":  # simulated true state is stored as 0.0/1.0/NaN
        reference_values = reference_values.astype("boolean")
    # a boolean column goes as it is (True/False or missing), not as 60,000 Python objects to check
    values = (reference_values.array if isinstance(reference_values.dtype, pd.BooleanDtype)
              else reference_values.to_numpy(dtype=object))
    return agreement(used["caseness_last"].to_numpy(), values)


def agreement_summary(result: Agreement) -> pd.DataFrame:
    """One row per statistic (as a percentage where it is a proportion) for display.

    >>> agreement_summary(agreement([1, 1, 0, 0], [1, 0, 0, 0]))["value"].tolist()[:2]
    [100.0, 66.7]
    """
    percentages = [("sensitivity (%)", result.sensitivity), ("specificity (%)", result.specificity),
                   ("PPV (%)", result.ppv), ("NPV (%)", result.npv),
                   ("prevalence on the reference (%)", result.prevalence)]
    kappas = [("Cohen's kappa", result.cohen_kappa),
              (f"kappa {result.confidence:.0%} CI, low", result.kappa_ci_low),
              (f"kappa {result.confidence:.0%} CI, high", result.kappa_ci_high)]
    table = pd.DataFrame([(name, round(100 * value, 1)) for name, value in percentages]
                         + [(name, round(value, 3)) for name, value in kappas],
                         columns=["statistic", "value"])
    return table


#: Short chart labels for the long ``subset`` descriptions of ``assessment_bias`` (others kept).
_SHORT_SUBSETS = {
    "same binary outcome assessed both ways within each trial": "assessor not blinded (same trials)",
    "lack of patient blinding; patient-reported outcomes": "patients not blinded, self-report",
    "lack of patient blinding; outcomes assessed by blinded observers":
        "patients not blinded, blinded observer",
    "lack of healthcare-provider blinding": "providers not blinded",
}


def observer_bias_table(assessment_bias: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ratio-of-odds-ratios rows of ``assessment_bias`` (within- vs between-trial designs).

    Below 1 means the unblinded comparison looked more favourable to the treatment.

    >>> observer_bias_table()["design"].unique().tolist()
    ['within trials (same outcome rated both ways)', 'between trials (meta-epidemiology)']
    """
    table = datasets.load("assessment_bias") if assessment_bias is None else assessment_bias
    rors = table[table["effect_measure"] == "ratio of odds ratios"].copy()
    within = rors["comparison"] == "non-blinded vs blinded assessor"
    rors["design"] = np.where(within, "within trials (same outcome rated both ways)",
                              "between trials (meta-epidemiology)")
    known = datasets.sources()  # read once, not once per row
    rors["citation"] = rors["source"].map(lambda key: short_citation(key, known))
    short = rors["subset"].map(_SHORT_SUBSETS).fillna(rors["subset"])
    rors["label"] = rors["citation"] + ": " + short
    return rors[["design", "label", "subset", "estimate", "ci_low", "ci_high", "interval",
                 "n_trials", "citation", "source"]].reset_index(drop=True)


def accuracy_table(sensitivity: float, specificity: float, prevalence_pct: int, ppv: float, npv: float,
                   counts: dict[str, int]) -> pd.DataFrame:
    """A questionnaire's accuracy at one prevalence as shown: percentages rounded to whole numbers,
    then :func:`natural_frequencies` ``counts`` per :data:`PEOPLE`.

    >>> counts = natural_frequencies(0.88, 0.85, 0.2)
    >>> accuracy_table(0.88, 0.85, 20, 0.595, 0.966, counts)["value"].tolist()[:5]
    [88, 85, 20, 60, 97]
    """
    return pd.DataFrame({
        "quantity": ["sensitivity (%)", "specificity (%)", "prevalence (%)",
                     "right when it says 'case' (PPV, %)", "right when it says 'not a case' (NPV, %)",
                     f"cases found, per {PEOPLE:,}", f"cases missed, per {PEOPLE:,}",
                     f"false alarms, per {PEOPLE:,}"],
        "value": [round(100 * sensitivity), round(100 * specificity), prevalence_pct,
                  round(100 * ppv), round(100 * npv), counts["true_positive"],
                  counts["false_negative"], counts["false_positive"]],
    })
