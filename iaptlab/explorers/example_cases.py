"""Lesson 00's explorer: the 12 fictional example referrals, and who counts as "recovered".

Two controls change the IAPT rules (defaults read from ``outcomes.IAPT``): the PHQ-9 caseness cut-off
and the number of treatment contacts that counts as a finished course. Glue over
:mod:`iaptlab.example_cases`; a slider move only re-applies the rules to 12 rows.

>>> result = compute(prepare())
>>> result.extra["denominator"], result.extra["recovered"]
(8, 4)
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..errors import ParameterError
from ..example_cases import STAGES, case_table, example_episodes, lesson_rules, stage_counts
from ..outcomes import IAPT, classify
from ..schema import Validated
from ..widgets import Control, Result, defaults

__all__ = ['CONTROLS', 'compute', 'prepare']

#: The explorer's data: the example file, read and validated once.
prepare = example_episodes

_PHQ9_CASENESS = int(IAPT.caseness["phq9"].value)

CONTROLS = (
    Control("phq9_caseness", "PHQ-9 caseness: a score at or above", "int", _PHQ9_CASENESS, 5, 20,
            help=f"IAPT uses {_PHQ9_CASENESS} (NHS Digital guide v2.1). It decides who starts 'as a case' and who "
                 "ends below caseness."),
    Control("min_treatment_contacts", "Finished a course: treatment contacts at least", "int",
            IAPT.min_treatment_contacts, 1, 12,
            help=f"IAPT uses {IAPT.min_treatment_contacts} attended treatment contacts; assessment does not count."),
)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _sentence(table: pd.DataFrame, phq9_caseness: int, min_treatment_contacts: int) -> str:
    rules = (f"With PHQ-9 caseness at {phq9_caseness} or more and a finished course meaning at least "
             f"{_plural(min_treatment_contacts, 'treatment contact', 'treatment contacts')}")
    denominator = int((table["in recovery denominator"] == "yes").sum())
    recovered = table.loc[table["recovered"] == "yes", "referral"].tolist()
    if denominator == 0:
        return f"{rules}, none of the {len(table)} referrals is in the recovery denominator: no rate."
    who = f": {', '.join(recovered)}" if recovered else ""
    return (f"{rules}, {denominator} of the {len(table)} referrals "
            f"{'is' if denominator == 1 else 'are'} in the recovery denominator and "
            f"{len(recovered)} of them {'counts' if len(recovered) == 1 else 'count'} as recovered "
            f"({100 * len(recovered) / denominator:.0f}%){who}.")


@lru_cache(maxsize=8)
def _chart_template(referred: int):
    """The chart without data, title or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""
    import altair as alt

    from ..charts import PALETTE

    base = alt.Chart().encode(
        y=alt.Y("stage:N", sort=list(STAGES), title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("stage:N"), alt.Tooltip("count:Q")])
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("count:Q", title="referrals", scale=alt.Scale(domain=[0, max(referred, 1)]),
                axis=alt.Axis(tickMinStep=1, format="d", grid=False)))
    text = base.mark_text(align="left", dx=4).encode(x=alt.X("count:Q"), text=alt.Text("label:N"))
    return alt.layer(bars, text).properties(width=300)


def stages_chart(stages: pd.DataFrame, subtitle: str):
    """Bars of the funnel counts, each labelled; "recovered" is labelled as a share of the denominator.

    >>> stages_chart(stage_counts(case_table(classify(example_episodes()))), "").to_dict()["description"][:46]
    'Who counts as recovered among the 12 example r'
    """
    import altair as alt

    from ..charts import refill

    count = stages["count"].to_numpy()
    referred, denominator, recovered = int(count[0]), int(count[3]), int(count[4])
    labels = [f"{c} of {referred}" for c in count[:-1]]
    labels.append(f"{recovered} of the {denominator} in the denominator = {recovered / denominator:.0%}"
                  if denominator else f"{recovered} (no denominator: no rate)")
    title = f"Who counts as recovered among the {referred} example referrals"
    description = f"{title}. " + "; ".join(
        f"{stage}: {label}" for stage, label in zip(stages["stage"], labels, strict=True))
    return refill(_chart_template(referred), stages.assign(label=labels),
                  title=alt.Title(title, subtitle=subtitle), description=description)


def compute(episodes: Validated, **controls) -> Result:
    """The 12 referrals under the chosen cut-off and contacts: table, funnel chart, sentence.

    ``extra`` holds ``denominator``, ``recovered`` (counts) and ``rate`` (NaN for 0/0).
    """
    unknown = sorted(set(controls) - {c.name for c in CONTROLS})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: {[c.name for c in CONTROLS]}")
    params = {**defaults(CONTROLS), **controls}
    phq9_caseness, contacts = int(params["phq9_caseness"]), int(params["min_treatment_contacts"])
    table = case_table(classify(episodes, lesson_rules(phq9_caseness, contacts)))
    stages = stage_counts(table)
    chart = stages_chart(stages, f"Fictional example file. Rules: PHQ-9 caseness ≥ {phq9_caseness}; "
                                 f"finished = {contacts}+ treatment contacts")
    denominator, recovered = int(stages["count"].iloc[3]), int(stages["count"].iloc[4])
    rate = recovered / denominator if denominator else float("nan")
    return Result(table=table, chart=chart, sentence=_sentence(table, phq9_caseness, contacts),
                  extra={"denominator": denominator, "recovered": recovered, "rate": rate})
