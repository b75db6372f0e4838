"""Lesson 02's definitions explorer: one cohort, many definitions of "recovery", side by side.

Glue over :mod:`iaptlab.definitions`: the controls set the Jacobson–Truax cut-off and the labelled
teaching assumptions; every other number comes from the cohort, classified once.

>>> compute(definitions.prepare(lesson_cohort(3_000))).table["definition"].tolist()[:2]
['IAPT recovery', 'IAPT reliable improvement']
"""

from __future__ import annotations

import numpy as np

from .. import definitions
from ..charts.lessons import definitions_chart
from ..definitions import (
    CUTOFF_WORDS,
    TEACHING_FUNCTIONAL_MEAN,
    TEACHING_FUNCTIONAL_SD,
    TEACHING_RELIABILITY,
)
from ..lesson_cohort import lesson_cohort
from ..widgets import Control, Result, defaults

__all__ = ["CONTROLS", "compute", "prepare"]

CONTROLS = (
    Control("jt_cutoff", "Jacobson–Truax cut-off", "choice", "c",
            options=tuple((key, words) for key, words in CUTOFF_WORDS.items())),
    Control("b_sd", "Cut-off b uses the SD of", "choice", "functional",
            options=(("functional", "the functional population (Jacobson & Truax)"),
                     ("clinical", "the clinical population (R package clinicalsignificance)")),
            help="Only cut-off b depends on this choice"),
    Control("functional_mean", "Non-clinical population: mean PHQ-9 (assumed)", "float",
            TEACHING_FUNCTIONAL_MEAN, 0.0, 9.0, step=0.5,
            help="Teaching assumption: no population norm is in the workbook's fact file"),
    Control("functional_sd", "Non-clinical population: PHQ-9 SD (assumed)", "float",
            TEACHING_FUNCTIONAL_SD, 1.0, 6.0, step=0.5, help="Teaching assumption"),
    Control("reliability", "PHQ-9 reliability used for reliable change (assumed)", "float",
            TEACHING_RELIABILITY, 0.5, 0.99, step=0.01,
            help="Teaching value, the same as the simulation's"),
)


def compute(prepared: definitions.Prepared, **controls) -> Result:
    """The definitions table, its chart and one sentence for the chosen JT settings."""
    params = {**defaults(CONTROLS), **controls}
    table = definitions.definitions_table(prepared, jt_cutoff=params["jt_cutoff"],
                              functional_mean=float(params["functional_mean"]),
                              functional_sd=float(params["functional_sd"]),
                              reliability=float(params["reliability"]), b_sd=params["b_sd"])
    rows = table.set_index("definition")
    iapt, jt = rows.iloc[0], rows.iloc[3]
    sentence = (f"IAPT recovery: {iapt['numerator']:,} of {iapt['denominator']:,} "
                f"({_percent(iapt['rate'])}). {rows.index[3]}: {jt['numerator']:,} of "
                f"{jt['denominator']:,} ({_percent(jt['rate'])}).")
    if len(rows) > 4:
        lost = rows.iloc[4]
        sentence += (f" Loss of diagnosis: {lost['numerator']:,} of {lost['denominator']:,} "
                     f"({_percent(lost['rate'])}).")
    shown = table[["definition", "numerator", "denominator", "rate", "denominator_description"]]
    return Result(table=shown, chart=definitions_chart(table, n_referrals=prepared.n_referrals),
                  sentence=sentence)


def _percent(rate: float) -> str:
    return "no one in the denominator" if np.isnan(rate) else f"{100 * rate:.1f}%"


def prepare() -> definitions.Prepared:
    """The lesson cohort classified once (:func:`iaptlab.definitions.prepare`)."""
    return definitions.prepare(lesson_cohort())
