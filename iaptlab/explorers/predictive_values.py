"""Lesson 04's explorer: published sensitivity and specificity -> predictive values at any prevalence.

Glue over :mod:`iaptlab.predictive_values` and :func:`iaptlab.accuracy.predictive_values`, with
natural frequencies per 1,000 people. Also the lesson's observer-bias chart.

>>> round(compute(prepare(), prevalence_pct=20).extra["ppv"], 3)  # Levis 2019: 0.88*0.2 / (0.88*0.2 + 0.15*0.8)
0.595
"""

from __future__ import annotations

import pandas as pd

from ..accuracy import predictive_values
from ..errors import ParameterError
from ..predictive_values import (
    DEFAULT_STUDY,
    PEOPLE,
    PREVALENCE_GRID,
    accuracy_table,
    natural_frequencies,
    published_studies,
    times_in_100,
)
from ..widgets import Control, Result, settings

__all__ = ["BROWSER_SCRIPT", "CONTROLS", "browser_data", "compute", "prepare"]

#: The choice that uses the two "your own" sliders instead of a published study.
OWN_VALUES = "own"


def _study_options(studies: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    return (*zip(studies["key"], studies["label"], strict=True),
            (OWN_VALUES, "your own sensitivity and specificity (sliders below)"))


_STUDIES = published_studies()


def prepare() -> pd.DataFrame:
    """The explorer's data: the confirmed published studies (``instrument_accuracy``), as read for
    :data:`CONTROLS`' menu when this module was imported (a copy: not read and parsed again)."""
    return _STUDIES.copy()


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

def compute(studies: pd.DataFrame, **controls) -> Result:
    """PPV and NPV at every prevalence, the chosen prevalence marked, a table and a sentence."""
    from .. import charts

    params = settings(CONTROLS, controls)
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
    table = accuracy_table(sensitivity, specificity, params["prevalence_pct"], ppv, npv, counts)
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


#: The page's copy of :func:`compute` (``iaptlab/static/compute/predictive_values.js``).
BROWSER_SCRIPT = "predictive_values"


def browser_data(studies: pd.DataFrame) -> dict:
    """What the page's :data:`BROWSER_SCRIPT` needs (JSON): each study's published figures, the
    prevalence grid, the chart's structure; the page then answers every move without the kernel.

    >>> data = browser_data(prepare())
    >>> data["defaults"]["prevalence_pct"], list(data["specs"])
    (20, ['main'])
    """
    from ..charts.live import chart_skeleton
    from ..charts.measurement import PV_NAMES

    columns = ["key", "instrument", "cut_off", "target_condition", "citation", "reference_standard",
               "sensitivity", "specificity"]
    records = studies[columns].astype({"cut_off": int}).astype(object).to_dict(orient="records")
    return {"studies": [{k: (str(v) if isinstance(v, str) else v) for k, v in row.items()} for row in records],
            "own": OWN_VALUES, "people": PEOPLE, "grid": [float(p) for p in PREVALENCE_GRID],
            "pv_names": dict(PV_NAMES), "defaults": {c.name: c.default for c in CONTROLS},
            "specs": {"main": chart_skeleton(compute(studies).chart)}}
