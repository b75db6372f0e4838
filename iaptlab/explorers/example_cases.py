"""Lesson 00's explorer: the 12 fictional example referrals, and who counts as "recovered".

Two controls change the IAPT rules (defaults read from ``outcomes.IAPT``): the PHQ-9 caseness cut-off
and the number of treatment contacts that counts as a finished course. Glue over
:mod:`iaptlab.example_cases`; a slider move only re-applies the rules to 12 rows.

>>> result = compute(prepare())
>>> result.extra["denominator"], result.extra["recovered"]
(8, 4)
"""

from __future__ import annotations

import pandas as pd

from ..charts.lessons import stages_chart
from ..example_cases import STAGES, case_table, example_episodes, lesson_rules, stage_counts
from ..outcomes import IAPT, classify
from ..schema import Validated
from ..widgets import Control, Result, settings

__all__ = ["BROWSER_SCRIPT", "CONTROLS", "browser_data", "compute", "prepare"]

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


def compute(episodes: Validated, **controls) -> Result:
    """The 12 referrals under the chosen cut-off and contacts: table, funnel chart, sentence.

    ``extra`` holds ``denominator``, ``recovered`` (counts) and ``rate`` (NaN for 0/0).
    """
    params = settings(CONTROLS, controls)
    phq9_caseness, contacts = int(params["phq9_caseness"]), int(params["min_treatment_contacts"])
    table = case_table(classify(episodes, lesson_rules(phq9_caseness, contacts)))
    stages = stage_counts(table)
    chart = stages_chart(stages, f"Fictional example file. Rules: PHQ-9 caseness ≥ {phq9_caseness}; "
                                 f"finished = {contacts}+ treatment contacts")
    denominator, recovered = int(stages["count"].iloc[3]), int(stages["count"].iloc[4])
    rate = recovered / denominator if denominator else float("nan")
    return Result(table=table, chart=chart, sentence=_sentence(table, phq9_caseness, contacts),
                  extra={"denominator": denominator, "recovered": recovered, "rate": rate})


#: The page's copy of :func:`compute` (``iaptlab/static/compute/example_cases.js``).
BROWSER_SCRIPT = "example_cases"


def browser_data(episodes: Validated) -> dict:
    """What the page's :data:`BROWSER_SCRIPT` needs (JSON): each referral's columns as shown, and
    the flags Python's :func:`~iaptlab.outcomes.classify` gives at every slider position (finished
    per number of contacts; at caseness at the start and end per PHQ-9 cut-off), so the page never
    re-implements the IAPT rules: it only combines the flags and counts.

    >>> data = browser_data(prepare())
    >>> len(data["cases"]), sorted(map(int, data["finished"]))[:3], data["caseness"]["10"]["first"][:3]
    (12, [1, 2, 3], [True, True, True])
    """
    from ..charts.live import chart_skeleton

    slider = {c.name: c for c in CONTROLS}
    default = case_table(classify(episodes, lesson_rules(_PHQ9_CASENESS, IAPT.min_treatment_contacts)))
    cutoffs = range(int(slider["phq9_caseness"].minimum), int(slider["phq9_caseness"].maximum) + 1)
    contacts = range(int(slider["min_treatment_contacts"].minimum), int(slider["min_treatment_contacts"].maximum) + 1)
    caseness = {}
    for cut in cutoffs:
        flags = classify(episodes, lesson_rules(cut, IAPT.min_treatment_contacts))
        caseness[str(cut)] = {"first": [bool(x) for x in flags["caseness_first"]],
                              "last": [bool(x) for x in flags["caseness_last"]]}
    finished = {str(n): [bool(x) for x in classify(episodes, lesson_rules(_PHQ9_CASENESS, n))["finished"]]
                for n in contacts}
    cases = [{"referral": str(r), "contacts": int(k), "phq9": str(p), "anxiety_measure": str(m), "anxiety": str(a),
              "paired": p_flag == "yes"}
             for r, k, p, m, a, p_flag in zip(default["referral"], default["treatment contacts"],
                                              default["PHQ-9 first → last"], default["anxiety measure"],
                                              default["anxiety first → last"], default["paired scores"], strict=True)]
    return {"cases": cases, "columns": list(default.columns), "stages": list(STAGES), "caseness": caseness,
            "finished": finished, "defaults": {c.name: c.default for c in CONTROLS},
            "specs": {"main": chart_skeleton(compute(episodes).chart)}}
