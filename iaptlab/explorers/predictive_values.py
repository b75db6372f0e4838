"""Lesson 04: what a questionnaire "case" means, against an interview and as prevalence changes.

The explorer (``CONTROLS`` and a pure ``compute``) turns a published sensitivity and specificity
(bundled dataset ``instrument_accuracy``, confirmed rows only) into positive and negative
predictive values at any prevalence, with natural frequencies per 1,000 people. The other
functions are the lesson's logic: agreement between questionnaire caseness and a blind interview
at the end of treatment, natural frequencies, and a chart of the observer-bias estimates in the
bundled dataset ``assessment_bias``.

>>> result = compute(published_studies(), prevalence_pct=20)
>>> round(result.extra["ppv"], 3)  # Levis 2019: 0.88*0.2 / (0.88*0.2 + 0.15*0.8)
0.595
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from .. import datasets
from ..accuracy import Agreement, agreement, predictive_values
from ..errors import ParameterError
from ..widgets import Control, Result, defaults

#: The choice that uses the two "your own" sliders instead of a published study.
OWN_VALUES = "own"
#: The study the explorer opens with: PHQ-9 >= 10 against semi-structured interviews.
DEFAULT_STUDY = "levis_2019|PHQ-9|10|semi-structured"
#: People per natural-frequency table ("out of 1,000 people ...").
PEOPLE = 1_000


def _short_citation(key: str) -> str:
    """'Levis et al. (2019)' from a sources.toml entry."""
    entry = datasets.sources()[key]
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
    usable["citation"] = usable["source"].map(_short_citation)
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


def _study_options(studies: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    return (*zip(studies["key"], studies["label"], strict=True),
            (OWN_VALUES, "your own sensitivity and specificity (sliders below)"))


_STUDIES = published_studies()

CONTROLS = (
    Control("study", "Questionnaire and published accuracy", "choice", DEFAULT_STUDY,
            options=_study_options(_STUDIES),
            help="Confirmed figures from the bundled dataset instrument_accuracy"),
    Control("prevalence_pct", "How many in 100 people have the condition (prevalence, %)", "int",
            20, 1, 90, help="The share of the people tested who truly meet diagnostic criteria"),
    Control("own_sensitivity_pct", "Your own sensitivity (%), used only with 'your own'", "int",
            80, 50, 100, help="Share of true cases the questionnaire calls 'case'"),
    Control("own_specificity_pct", "Your own specificity (%), used only with 'your own'", "int",
            80, 50, 100, help="Share of non-cases the questionnaire calls 'not a case'"),
)

#: Prevalences drawn as the chart's curves (1% to 99%).
PREVALENCE_GRID = np.round(np.arange(1, 100) / 100, 2)


def compute(studies: pd.DataFrame, **controls) -> Result:
    """PPV and NPV at every prevalence, the chosen prevalence marked, a table and a sentence."""
    from .. import charts

    params = {**defaults(CONTROLS), **controls}
    prevalence = params["prevalence_pct"] / 100
    if params["study"] == OWN_VALUES:
        sensitivity = params["own_sensitivity_pct"] / 100
        specificity = params["own_specificity_pct"] / 100
        test, condition, source = "the questionnaire", "the condition", "your own values"
    else:
        chosen = studies.set_index("key")
        if params["study"] not in chosen.index:
            raise ParameterError(f"study must be one of {list(chosen.index)} or {OWN_VALUES!r}, "
                                 f"got {params['study']!r}")
        row = chosen.loc[params["study"]]
        sensitivity, specificity = float(row["sensitivity"]), float(row["specificity"])
        test = f"a {row['instrument']} score of {int(row['cut_off'])} or more"
        condition = str(row["target_condition"])
        source = f"{row['citation']}, {row['reference_standard']}"
    at_prevalence = predictive_values(sensitivity, specificity, prevalence).iloc[0]
    ppv, npv = float(at_prevalence["ppv"]), float(at_prevalence["npv"])
    counts = natural_frequencies(sensitivity, specificity, prevalence)
    table = pd.DataFrame({
        "quantity": ["sensitivity (%)", "specificity (%)", "prevalence (%)",
                     "right when it says 'case' (PPV, %)", "right when it says 'not a case' (NPV, %)",
                     f"cases found, per {PEOPLE:,}", f"cases missed, per {PEOPLE:,}",
                     f"false alarms, per {PEOPLE:,}"],
        "value": [round(100 * sensitivity), round(100 * specificity), params["prevalence_pct"],
                  round(100 * ppv), round(100 * npv), counts["true_positive"],
                  counts["false_negative"], counts["false_positive"]],
    })
    sentence = (
        f"If {params['prevalence_pct']} in 100 people tested have {condition}, {test} is right "
        f"{times_in_100(ppv)} times in 100 when it says 'case' and {times_in_100(npv)} times in "
        f"100 when it says 'not a case'. Out of {PEOPLE:,} people it finds "
        f"{counts['true_positive']} of the {counts['cases']} cases, misses {counts['false_negative']} "
        f"and raises {counts['false_positive']} false alarms "
        f"(sensitivity {round(100 * sensitivity)}%, specificity {round(100 * specificity)}%).")
    chart = charts.predictive_values_chart(
        predictive_values(sensitivity, specificity, PREVALENCE_GRID), prevalence=prevalence,
        mark_values=True, source=source, description=f"Predictive values against prevalence for {test}. "
                                                     f"{sentence}",
        title=(f"Same questionnaire, different prevalence (sensitivity {round(100 * sensitivity)}%, "
               f"specificity {round(100 * specificity)}%)"))
    return Result(table=table, chart=chart, sentence=sentence,
                  extra={"ppv": ppv, "npv": npv, "sensitivity": sensitivity,
                         "specificity": specificity, "counts": counts})


def explorer(studies: pd.DataFrame | None = None):
    """The compute function bound to the published studies, ready for :func:`widgets.show`."""
    return partial(compute, _STUDIES if studies is None else studies)


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
    used = classified[classified["finished"] & classified["paired"]]
    reference_values = used[reference]
    if reference_values.dtype.kind == "f":  # simulated true state is stored as 0.0/1.0/NaN
        reference_values = reference_values.astype("boolean")
    return agreement(used["caseness_last"].to_numpy(), reference_values.to_numpy(dtype=object))


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
    rors["citation"] = rors["source"].map(_short_citation)
    short = rors["subset"].map(_SHORT_SUBSETS).fillna(rors["subset"])
    rors["label"] = rors["citation"] + ": " + short
    return rors[["design", "label", "subset", "estimate", "ci_low", "ci_high", "interval",
                 "n_trials", "citation", "source"]].reset_index(drop=True)


def observer_bias_chart(bias: pd.DataFrame | None = None):
    """Points with interval bars on a log scale, a line at 1 (no bias), design shown by shape."""
    import altair as alt

    data = observer_bias_table() if bias is None else bias
    summary = "; ".join(f"{r.label}: {r.estimate:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})"
                        for r in data.itertuples())
    x_scale = alt.Scale(type="log", domain=[0.3, 2])
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=420))
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", scale=x_scale, title="ratio of odds ratios (below 1 = unblinded "
                                                  "looks better for the treatment)"),
        x2="ci_high:Q")
    points = base.mark_point(size=110, filled=True).encode(
        x=alt.X("estimate:Q", scale=x_scale),
        shape=alt.Shape("design:N", legend=alt.Legend(orient="bottom", title=None, labelLimit=400)),
        color=alt.Color("design:N", legend=alt.Legend(orient="bottom", title=None, labelLimit=400)))
    labels = base.mark_text(align="left", dx=8, dy=-9).encode(
        x=alt.X("estimate:Q", scale=x_scale), text=alt.Text("estimate:Q", format=".2f"))
    no_bias = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="black").encode(
        x=alt.X("x:Q", scale=x_scale))
    title = "Blinding and treatment effects: within-trial vs between-trial evidence"
    return alt.layer(no_bias, bars, points, labels).properties(
        width=380, title=alt.Title(title, subtitle="Source: bundled dataset assessment_bias "
                                   "(Hróbjartsson et al. 2012; Moustgaard et al. 2020)"),
        description=f"{title}. Ratio of odds ratios with intervals, log scale, 1 = no difference. "
                    f"{summary}.")
