"""Lesson 03's demand explorer: shift the questionnaire scores, keep everyone's true state fixed.

Glue over :mod:`iaptlab.demand`: how often the last questionnaire is completed with the therapist,
and by how many points it moves, are **assumptions you set** (never measured in IAPT).

>>> compute(prepare(3_000)).table["outcome"].tolist()
['recovered', 'reliably improved']
"""

from __future__ import annotations

from types import MappingProxyType

from ..charts.lessons import demand_chart
from ..demand import BASELINE, SHOWN, WITH, DemandInputs, demand_inputs, demand_rates, demand_table
from ..format import percent_text
from ..widgets import Control, Result, settings

__all__ = ["CONTROLS", "compute", "prepare"]

#: The explorer's data: the lesson cohort without demand, and the seeded therapist draws (cached).
prepare = demand_inputs

#: How the sentence names each outcome's rate.
RATE_WORDS = MappingProxyType({"recovered": "the recovery rate",
                               "reliable_improvement": "the reliable-improvement rate"})

CONTROLS = (
    Control("last_shift", "Last score with the therapist present moves by (points; minus = looks better)",
            "int", -2, -6, 3,
            help="An assumption: no study has measured this in IAPT (see orne_1962 for the idea)"),
    Control("share_with_therapist_pct", "Share of last questionnaires completed with the therapist (%)",
            "int", 50, 0, 100,
            help="The critic says 'often' (Scott, 2021, blog); no count has been published"),
    Control("hello_points", "First scores inflated by (points; hello-goodbye)", "int", 0, 0, 4,
            help="Presenting in a bad light to get help: described, never measured in IAPT"),
    Control("rules", "Outcome rules applied to the forms", "choice", "iapt",
            options=(("iapt", "IAPT (a change of at least the threshold is reliable)"),
                     ("iapt-strict", "IAPT strict (a change must exceed the threshold)"))),
)


_NO_ONE = "n/a (no one in the denominator)"


def _direction_words(last_shift: float, share_pct: float, hello_points: float) -> str:
    if last_shift == 0 or share_pct == 0:
        last = "no last score moved by demand"
    else:
        way = "lower (better)" if last_shift < 0 else "higher (worse)"
        last = (f"{share_pct:g}% of last questionnaires completed with the therapist present, each "
                f"{abs(last_shift):g} point{'s' if abs(last_shift) != 1 else ''} {way}")
    first = (f"first scores {hello_points:g} point{'s' if hello_points != 1 else ''} higher "
             "(hello-goodbye)" if hello_points else "no hello-goodbye inflation")
    return f"{last}, and {first}"


def compute(inputs: DemandInputs, **controls) -> Result:
    """The table, chart and sentence for one setting of :data:`CONTROLS`."""
    params = settings(CONTROLS, controls)
    share_pct = float(params["share_with_therapist_pct"])
    tidy = demand_rates(inputs, last_shift=params["last_shift"], share_with_therapist=share_pct / 100,
                        hello_points=params["hello_points"], rules=params["rules"])
    table = demand_table(tidy)
    rate = dict(zip(zip(tidy["group"].tolist(), tidy["outcome"].tolist(), strict=True), tidy["rate"].tolist(), strict=True))
    change = dict(zip(SHOWN, table["change (percentage points)"].tolist(), strict=True))
    phrases = [f"{RATE_WORDS[o]} goes from {percent_text(rate[BASELINE, o], missing=_NO_ONE)} to "
               f"{percent_text(rate[WITH, o], missing=_NO_ONE)} ({change[o]:+.1f} points)" for o in SHOWN]
    rules_word = "IAPT" if params["rules"] == "iapt" else "strict IAPT"
    sentence = (f"With {_direction_words(params['last_shift'], share_pct, params['hello_points'])}, "
                f"under the {rules_word} rules {phrases[0]} and {phrases[1]}; nobody's true state "
                "changed, only what was written on the forms.")
    chart = demand_chart(tidy, n_referrals=len(inputs.episodes))
    return Result(table=table, chart=chart, sentence=sentence, extra={"rates": tidy})
