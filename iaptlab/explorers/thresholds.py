"""Lesson 02's threshold explorer: move every choice the IAPT rules make and watch every rate.

``compute(cohort, **controls)`` is pure: the same cohort and settings always give the same table,
chart and sentence. The cohort is validated once (``lesson_cohort()``) so a slider move only
re-applies the rules. Every default is IAPT's own (``outcomes.IAPT``), read, not typed.

>>> result = compute(lesson_cohort(5_000))
>>> list(result.table.columns)
['outcome', 'numerator', 'denominator', 'rate', 'denominator_description']
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..format import OUTCOME_LABELS, percent_text
from ..lesson_cohort import LESSON_N, LESSON_SEED, lesson_cohort
from ..outcomes import (
    DENOMINATOR_DESCRIPTIONS,
    IAPT,
    classify,
    first_scores_known,
    flag_arrays,
    rates,
)
from ..schema import ROW, Validated
from ..widgets import Control, Result, settings

#: Outcomes shown, in order, with their words (:data:`iaptlab.format.OUTCOME_LABELS`).
SHOWN = {outcome: OUTCOME_LABELS[outcome] for outcome in (
    "recovered", "reliable_recovery", "reliable_improvement", "reliable_deterioration", "diagnosis_lost")}

__all__ = ["BROWSER_SCRIPT", "CONTROLS", "browser_data", "compute", "prepare"]

_CASE, _RC = ({k: int(t.value) for k, t in table.items()} for table in (IAPT.caseness, IAPT.reliable_change))

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


#: The page's copy of :func:`compute` (``iaptlab/static/compute/thresholds.js``).
BROWSER_SCRIPT = "thresholds"

#: A threshold no score or change reaches: moving one measure's threshold while the other's is
#: this isolates the moved measure's part of a flag (every either-measure rule is an "or").
_NEVER = 1e6


#: The columns :func:`~iaptlab.outcomes.flag_arrays` may read (the others never change a flag).
_READ = ("treatment_contacts", "referral_ended", "phq9_first", "phq9_last", "gad7_first", "gad7_last", "adsm",
         "adsm_first", "adsm_last", "diagnosis_first", "diagnosis_last", *(
             f"{m}_{end}_contact" for m in ("phq9", "gad7", "adsm") for end in ("first", "last")))


def prepare(n: int = LESSON_N, seed: int = LESSON_SEED) -> Validated:
    """The explorer's data: the lesson cohort (:func:`~iaptlab.lesson_cohort.lesson_cohort`) cut to
    the columns the rules read (:data:`_READ`) and the spreadsheet row; the rows all kept, so every
    rate is the full cohort's. Columns taken from a cohort are shared with it, not copied, and the
    true-state columns (half its size) are not held by the explorer for the rest of the lesson.

    >>> sorted(prepare(2_000).table.columns)[:3]
    ['diagnosis_first', 'diagnosis_last', 'gad7_first']
    """
    cohort = lesson_cohort(n, seed)
    return Validated(cohort.table[[c for c in cohort.table.columns if c in _READ or c == ROW]],
                     cohort.excluded, cohort.problems, renamed=cohort.renamed)


def _masks(flags: list[np.ndarray]) -> np.ndarray:
    """Bit ``i`` of each row's integer is ``flags[i]`` of that row."""
    bits = np.zeros(len(flags[0]), dtype=np.int64)
    for i, flag in enumerate(flags):
        bits |= np.asarray(flag, dtype=np.int64) << i
    return bits


def _states(*masks: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """The distinct combinations of ``masks`` (one list per mask) and each row's index into them."""
    distinct, index = np.unique(np.stack(masks, axis=1), axis=0, return_inverse=True)
    return [distinct[:, j].tolist() for j in range(distinct.shape[1])], index.reshape(-1)


def _distinct(cohort: Validated, most_contacts: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct rows of the columns the rules read (contacts capped at ``most_contacts``: no
    slider asks for more) and how many people each stands for."""
    table = cohort.table[[c for c in _READ if c in cohort.table.columns]]
    table = table.assign(treatment_contacts=table["treatment_contacts"].clip(upper=most_contacts))
    counted = table.value_counts(dropna=False, sort=False).reset_index()
    return counted.drop(columns="count"), counted["count"].to_numpy(dtype=np.int64)


def _packed(keys: np.ndarray, people: np.ndarray) -> str:
    """Sorted non-negative ``keys`` and their counts as base64 of unsigned LEB128 varints: each key's
    gap from the one before, then its count (small numbers take one byte)."""
    gaps = np.diff(keys, prepend=0)
    out = bytearray()
    for number in np.column_stack([gaps, people]).ravel().tolist():
        while number >= 0x80:
            out.append(number & 0x7F | 0x80)
            number >>= 7
        out.append(number)
    return base64.b64encode(bytes(out)).decode("ascii")


def browser_data(cohort: Validated) -> dict:
    """What the page's :data:`BROWSER_SCRIPT` needs (JSON): the cohort reduced to counts of people
    who share every flag Python's :func:`~iaptlab.outcomes.flag_arrays` gives at every slider
    position, so the page never re-applies a threshold: it only combines the flags and counts.

    Each measure's flags come from its own calls (the other measure's threshold out of reach), as
    bit masks over the slider's values: caseness at the start and at the end per cut-off (bit
    ``value - minimum``), a reliable drop and rise per threshold and comparison (bit
    ``2 * (value - minimum) + index of the comparison``). The page joins the two measures with
    "or", exactly as :func:`~iaptlab.outcomes.classify` does. Per number of contacts ``n`` (the
    largest slider value at which they finished a course), ``finished``, ``interviewed`` and
    ``lost`` count people; ``paired`` (finished with paired scores) and ``unpaired`` (finished,
    first scores known, last not) are packed (:func:`_packed`) keys
    ``(n * PHQ-9 states + PHQ-9 state) * GAD-7 states + GAD-7 state`` with their counts.

    >>> data = browser_data(lesson_cohort(2_000))
    >>> sum(data["finished"]) <= 2_000, sorted(data["phq9"])
    (True, ['drop', 'first', 'last', 'rise'])
    """
    from ..charts.live import chart_skeleton

    slider = {c.name: c for c in CONTROLS}
    span = {name: range(int(c.minimum), int(c.maximum) + 1) for name, c in slider.items() if c.kind == "int"}
    comparisons = [value for value, _ in slider["reliable_change_comparison"].options]
    table, people = _distinct(cohort, span["min_treatment_contacts"][-1])
    base = IAPT.adjusted(name="explorer")
    finished = [flag_arrays(table, base.adjusted(min_treatment_contacts=n))["finished"]
                for n in span["min_treatment_contacts"]]
    if any((later & ~earlier).any() for earlier, later in zip(finished, finished[1:], strict=False)):
        raise ParameterError("finishing a course must need no more at a lower contacts threshold")
    contacts = np.zeros(len(table), dtype=np.int64)
    for n, flag in zip(span["min_treatment_contacts"], finished, strict=True):
        contacts = np.where(flag, n, contacts)
    everyone = flag_arrays(table, base.adjusted(min_treatment_contacts=0))
    paired = np.asarray(everyone["paired"], dtype=bool)
    measures = {}
    for measure, other in (("phq9", "gad7"), ("gad7", "phq9")):
        cutoffs = [flag_arrays(table, base.adjusted(**{f"{measure}_caseness": c, f"{other}_caseness": _NEVER}))
                   for c in span[f"{measure}_caseness"]]
        changes = [flag_arrays(table, base.adjusted(
            min_treatment_contacts=0, reliable_change_comparison=cmp,
            **{f"{measure}_reliable_change": v, f"{other}_reliable_change": _NEVER}))
            for v in span[f"{measure}_reliable_change"] for cmp in comparisons]
        measures[measure] = _states(
            _masks([f["caseness_first"] for f in cutoffs]), _masks([f["caseness_last"] for f in cutoffs]),
            _masks([f["reliable_improvement"] | f["mixed_change"] for f in changes]),
            _masks([f["reliable_deterioration"] | f["mixed_change"] for f in changes]))
    known = first_scores_known(table, everyone["anxiety_measure"])  # as the M192 denominator reads them
    diagnosis = "diagnosis_lost" in everyone
    levels = [0, *span["min_treatment_contacts"]]
    by_contacts = {"finished": np.ones(len(table), dtype=bool)}
    if diagnosis:
        by_contacts |= {"interviewed": everyone["interviewed"], "lost": everyone["diagnosis_lost"]}
    phq_states, gad_states = len(measures["phq9"][0][0]), len(measures["gad7"][0][0])
    key = (contacts * phq_states + measures["phq9"][1]) * gad_states + measures["gad7"][1]
    packed = {}
    for name, rows in (("paired", paired), ("unpaired", ~paired & known)):
        rows = rows & (contacts > 0)
        keys = pd.Series(people[rows]).groupby(key[rows]).sum()
        packed[name] = _packed(keys.index.to_numpy(dtype=np.int64), keys.to_numpy(dtype=np.int64))
    default = compute(cohort)
    return {
        **{name: [int(people[(contacts == n) & np.asarray(flag, dtype=bool)].sum()) for n in levels]
           for name, flag in by_contacts.items()},
        **packed, "states": [phq_states, gad_states],
        **{m: dict(zip(("first", "last", "drop", "rise"), measures[m][0], strict=True)) for m in measures},
        "minimum": {name: int(slider[name].minimum) for name in span},
        "maximum": {name: int(slider[name].maximum) for name in span},
        "comparisons": comparisons, "diagnosis": bool(diagnosis), "labels": dict(SHOWN),
        "denominator_descriptions": dict(DENOMINATOR_DESCRIPTIONS),
        "title": default.chart.to_dict(validate=False)["title"],
        "defaults": {c.name: c.default for c in CONTROLS},
        "specs": {"main": chart_skeleton(default.chart)},
    }

