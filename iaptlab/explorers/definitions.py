"""Lesson 02's definitions explorer: one cohort, many definitions of "recovery", side by side.

Glue over :mod:`iaptlab.definitions`: the controls set the Jacobson–Truax cut-off, the labelled
teaching assumptions and what the simulated interview measures (an assumption the learner sees,
:data:`iaptlab.cohort_model.INTERVIEW_MEASURES`); every other number comes from the cohort,
classified once per choice.

>>> from iaptlab.lesson_cohort import lesson_cohort
>>> compute(definitions.prepare(lesson_cohort(3_000))).table["definition"].tolist()[:2]
['IAPT recovery', 'IAPT reliable improvement']
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import definitions
from ..charts.lessons import definitions_chart
from ..cohort_model import INTERVIEW_MEASURES
from ..definitions import (
    CUTOFF_WORDS,
    TEACHING_FUNCTIONAL_MEAN,
    TEACHING_FUNCTIONAL_SD,
    TEACHING_RELIABILITY,
)
from ..format import percent_text
from ..widgets import Control, Result, settings

__all__ = ["CONTROLS", "compute", "prepare"]

#: The explorer's data: the lesson cohort classified once per answer to "what does the interview
#: measure?" (:func:`iaptlab.definitions.prepare_by_interview`).
prepare = definitions.prepare_by_interview

_SAME = next(iter(INTERVIEW_MEASURES))  # "the same as the questionnaires" (the lesson cohort)

CONTROLS = (
    Control("interview_measures", "What the simulated interview measures", "choice", _SAME,
            options=tuple((key, key) for key in INTERVIEW_MEASURES),
            help="An assumption, not a finding. 'The same' = meets criteria when the true PHQ-9 or "
                 "GAD-7 is 10 or more, nothing else; 'also' gives half of referrals a disorder "
                 "the questionnaires miss (a teaching default). Only the loss-of-diagnosis row moves"),
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


def compute(prepared: definitions.Prepared | Mapping[str, definitions.Prepared], **controls) -> Result:
    """The definitions table, its chart and one sentence for the chosen settings.

    ``prepared`` is one cohort, or one per answer to "what the interview measures" (:func:`prepare`).
    """
    params = settings(CONTROLS, controls)
    if isinstance(prepared, Mapping):
        prepared = prepared[params["interview_measures"]]
    table = definitions.definitions_table(prepared, jt_cutoff=params["jt_cutoff"],
                              functional_mean=float(params["functional_mean"]),
                              functional_sd=float(params["functional_sd"]),
                              reliability=float(params["reliability"]), b_sd=params["b_sd"])
    names = table["definition"].tolist()
    numerators, denominators = table["numerator"].tolist(), table["denominator"].tolist()
    rates = table["rate"].tolist()

    def stated(i: int) -> str:
        return f"{numerators[i]:,} of {denominators[i]:,} ({percent_text(rates[i])})"

    sentence = f"IAPT recovery: {stated(0)}. {names[3]}: {stated(3)}."
    if len(names) > 4:
        sentence += f" Loss of diagnosis: {stated(4)}."
    shown = table[["definition", "numerator", "denominator", "rate", "denominator_description"]]
    return Result(table=shown, chart=definitions_chart(table, n_referrals=prepared.n_referrals),
                  sentence=sentence)
