"""Lesson 02's threshold explorer: move every choice the IAPT rules make and watch every rate.

``compute(cohort, **controls)`` is pure: the same cohort and settings always give the same table,
chart and sentence. The cohort is validated once (``lesson_cohort()``) so a slider move only
re-applies the rules. Every default is IAPT's own (``outcomes.IAPT``), read, not typed.

>>> result = compute(lesson_cohort(5_000))
>>> list(result.table.columns)
['outcome', 'numerator', 'denominator', 'rate', 'denominator_description']
"""

from __future__ import annotations

from ..format import OUTCOME_LABELS, percent_text
from ..lesson_cohort import lesson_cohort
from ..outcomes import IAPT, classify, rates
from ..schema import Validated
from ..widgets import Control, Result, settings

#: Outcomes shown, in order, with their words (:data:`iaptlab.format.OUTCOME_LABELS`).
SHOWN = {outcome: OUTCOME_LABELS[outcome] for outcome in (
    "recovered", "reliable_recovery", "reliable_improvement", "reliable_deterioration", "diagnosis_lost")}

__all__ = ["CONTROLS", "compute", "prepare"]

_CASE, _RC = ({k: int(t.value) for k, t in table.items()} for table in (IAPT.caseness, IAPT.reliable_change))
#: The explorer's data: the lesson cohort, validated once.
prepare = lesson_cohort

CONTROLS = (
    Control("phq9_caseness", "PHQ-9 caseness: score at or above", "int", _CASE["phq9"], 5, 20,
            help=f"IAPT: {_CASE['phq9']} (NHS Digital guide v2.1)"),
    Control("gad7_caseness", "GAD-7 caseness: score at or above", "int", _CASE["gad7"], 4, 15,
            help=f"IAPT: {_CASE['gad7']} (NHS Digital guide v2.1)"),
    Control("phq9_reliable_change", "PHQ-9 reliable change (points)", "int", _RC["phq9"], 1, 12,
            help=f"IAPT: {_RC['phq9']} (NHS Digital guide v2.1)"),
    Control("gad7_reliable_change", "GAD-7 reliable change (points)", "int", _RC["gad7"], 1, 10,
            help=f"IAPT: {_RC['gad7']} (NHS Digital guide v2.1)"),
    Control("reliable_change_comparison", "A reliable change is a change", "choice",
            IAPT.reliable_change["phq9"].comparison,
            options=((">=", "of at least the threshold (consensus)"),
                     (">", "greater than the threshold (guide's prose)"))),
    Control("min_treatment_contacts", "Finished a course: treatment contacts at least", "int",
            IAPT.min_treatment_contacts, 1, 6, help=f"IAPT: {IAPT.min_treatment_contacts} attended treatment contacts"),
    Control("denominator", "Recovery denominator", "choice", IAPT.denominator,
            options=(("at_caseness", "finished, paired, at caseness at the start"),
                     ("finished_minus_not_at_caseness", "all finishers minus those known not at caseness"))),
)


def compute(cohort: Validated, **controls) -> Result:
    """Every rate under the chosen rules, as a table, a bar chart and one sentence."""
    from .. import charts

    params = settings(CONTROLS, controls)
    rules = IAPT.adjusted(
        name="explorer", phq9_caseness=params["phq9_caseness"], gad7_caseness=params["gad7_caseness"],
        phq9_reliable_change=params["phq9_reliable_change"],
        gad7_reliable_change=params["gad7_reliable_change"],
        reliable_change_comparison=params["reliable_change_comparison"],
        min_treatment_contacts=int(params["min_treatment_contacts"]), denominator=params["denominator"])
    table = rates(classify(cohort, rules), rules)
    table = table[table["outcome"].isin(list(SHOWN))].reset_index(drop=True)
    shown = table.assign(outcome=table["outcome"].map(SHOWN))
    by_outcome = table.set_index("outcome")
    recovery, improved = by_outcome.loc["recovered"], by_outcome.loc["reliable_improvement"]
    sentence = (f"With these rules, {recovery['numerator']:,} of {recovery['denominator']:,} people in the "
                f"recovery denominator count as recovered ({percent_text(recovery['rate'])}), and "
                f"{improved['numerator']:,} of {improved['denominator']:,} finishers with paired scores "
                f"as reliably improved ({percent_text(improved['rate'])}).")
    if "diagnosis_lost" in by_outcome.index:
        lost = by_outcome.loc["diagnosis_lost"]
        sentence += (f" On the blind interview (which no questionnaire rule changes), {lost['numerator']:,} "
                     f"of {lost['denominator']:,} who met criteria at the start no longer do "
                     f"({percent_text(lost['rate'])}).")
    chart = charts.rates_bar(shown, title="Every rate under these rules",
                             source=f"simulated IAPT-like cohort of {len(cohort.table):,} referrals")
    return Result(table=shown, chart=chart, sentence=sentence)
