"""Lesson 05's explorer: regression to the mean, natural remission and a "recovery" rate.

Glue over :mod:`iaptlab.regression_to_mean`: three cohorts of the same referrals differing only in
their true change, each measured by a questionnaire of the chosen reliability and by an error-free
one, with the chosen entry cut-off (IAPT's PHQ-9 caseness by default, read from ``instruments``).

>>> compute(prepare(3_000)).table["scenario"].tolist()[0]
'no treatment, no remission'
"""

from __future__ import annotations

from types import MappingProxyType

from ..charts.lessons import scenario_rates_chart
from ..format import percent_text
from ..instruments import PHQ9
from ..regression_to_mean import (
    GROUPS,
    NOISY,
    RULES,
    SCENARIOS,
    ScenarioInputs,
    scenario_inputs,
    scenario_rates,
    scenario_table,
)
from ..widgets import Control, Result, settings

# NOISY and SCENARIOS: the group and the scenario names of ``extra["rates"]`` that lesson 05 reads
__all__ = ["CONTROLS", "NOISY", "SCENARIOS", "compute", "prepare"]

#: The explorer's data: three simulated cohorts and their finishers' true scores (cached).
prepare = scenario_inputs

#: How the sentence names each scenario.
SENTENCE_WORDS = MappingProxyType({"selection_only": "when no true score changes",
                                   "remission": "with natural remission only",
                                   "treatment": "with remission and treatment"})

CONTROLS = (
    Control("entry_cutoff", "Entry: first PHQ-9 at or above", "int", int(PHQ9.caseness), 5, 20,
            help=f"IAPT's caseness cut-off is {PHQ9.caseness:g}. People enter the count only if their first score "
                 "reaches it; they 'recover' if their last score is below it."),
    Control("reliability", "Reliability of the questionnaire (0.6 noisy, 0.99 almost exact)",
            "float", 0.9, 0.6, 0.99, step=0.01,
            help="The simulation's teaching default is 0.9 (no confirmed test-retest figure for the "
                 "PHQ-9; kroenke_2001, read in a secondary source [S])."),
    Control("rule", "What counts as 'recovered'", "choice", "recovery",
            options=tuple(RULES.items()),
            help="IAPT's recovery needs only the cut-off; reliable recovery also needs a reliable "
                 f"drop ({PHQ9.reliable_change:g} points on the PHQ-9; NHS Digital guide v2.1)."),
)


_NO_ONE = "no one enters"


def compute(inputs: ScenarioInputs, **controls) -> Result:
    """Table, grouped bar chart and sentence for one setting of :data:`CONTROLS`.

    ``extra["rates"]`` is the tidy :func:`scenario_rates` table.
    """
    params = settings(CONTROLS, controls)
    cutoff, reliability, rule = int(params["entry_cutoff"]), float(params["reliability"]), params["rule"]
    tidy = scenario_rates(inputs, entry_cutoff=cutoff, reliability=reliability, rule=rule)
    rate = dict(zip(zip(tidy["group"].tolist(), tidy["scenario"].tolist(), strict=True), tidy["rate"].tolist(), strict=True))
    noisy, exact = ({k: rate[g, k] for k in SCENARIOS} for g in GROUPS)
    table = scenario_table(tidy)
    what = "recover" if rule == "recovery" else "reliably recover"
    parts = [f"{percent_text(noisy[k], missing=_NO_ONE)} {words} (error-free: {percent_text(exact[k], missing=_NO_ONE)})"
             for k, words in SENTENCE_WORDS.items()]
    sentence = (f"Entering at a first PHQ-9 of {cutoff} or more, with reliability {reliability:.2f}, "
                f"the share of finishers who {what} on the questionnaire is {parts[0]}; "
                f"{parts[1]}; and {parts[2]}.")
    if rule == "recovery" and noisy["selection_only"] > 0:
        sentence += (" In the first group no one changed at all: every one of those recoveries is "
                     "measurement error plus selection on a high first score.")
    title = f"Who '{what}': same people, three kinds of true change"
    source = (f"simulated finishers of {inputs.models['treatment'].n:,} referrals; entry at "
              f"PHQ-9 ≥ {cutoff}; reliability {reliability:.2f}")
    chart = scenario_rates_chart(tidy, title, source)
    return Result(table=table, chart=chart, sentence=sentence, extra={"rates": tidy})
