"""Lesson 08's explorer: what counts as a meaningful PHQ-9 change, and what each one costs.

Glue over :mod:`iaptlab.change_and_cost` (definitions, the cohort tabulated once, cost per outcome)
and :class:`iaptlab.costs.StaffingModel` (by default Scott's own estimate, **not an official figure**).
Its arithmetic is sums over that small table, so the page answers each move itself
(:data:`BROWSER_SCRIPT`, on :func:`browser_data`), with the two panels' titles set as Vega signals.

>>> from iaptlab.lesson_cohort import fresh_lesson_cohort
>>> compute(change_counts(fresh_lesson_cohort(2_000))).extra["end_score"]
9
"""

from __future__ import annotations

from ..change_and_cost import (
    DEFINITIONS,
    FIRST_SCORES,
    LAST_SCORES,
    NATIONAL_ROUNDING,
    ChangeCounts,
    change_counts,
    definition_table,
    shown_definition_table,
    staffing_model,
)
from ..charts.lessons import change_chart
from ..costs import StaffingModel
from ..errors import ParameterError
from ..format import money_text, percent_text
from ..lesson_cohort import LESSON_N, LESSON_SEED
from ..simulate import CohortModel, simulate
from ..widgets import Control, Result, settings

__all__ = ["BROWSER_SCRIPT", "CONTROLS", "browser_data", "compute", "prepare"]

STAFF_DEFAULTS = StaffingModel()

CONTROLS = (
    Control("baseline_phq9", "A client who starts at PHQ-9 score", "int", 15, int(FIRST_SCORES[0]),
            int(FIRST_SCORES[-1]),
            help="The chart's left panel shows what each definition asks of a client starting here, "
                 "and how many of the cohort's finishers who started here it counts."),
    Control("definition", "Meaningful change means", "choice", "reliable_change",
            options=tuple((key, d.label) for key, d in DEFINITIONS.items()),
            help="Which definition the sentence and the highlighted bars use."),
    Control("staff", "Staff employed (people)", "int", int(STAFF_DEFAULTS.staff), 1_000, 20_000, step=500,
            help="Scott's assumption: 13,000 (his reading of the IAPT Manual's 11,800-14,000)."),
    Control("cost_per_staff", "Cost per staff member per year (£)", "int", int(STAFF_DEFAULTS.cost_per_staff),
            15_000, 80_000, step=1_000, help="Scott's assumption: £35,000 per employee per year."),
    Control("overhead_factor", "Overheads: multiply staff cost by", "float", STAFF_DEFAULTS.overhead_factor,
            1.0, 2.5, step=0.05, help="1.0 = salaries only, as in Scott's estimate; he notes rent, phone "
                                       "lines and other overheads would add to it."),
)


def compute(counts: ChangeCounts, **controls) -> Result:
    """Table, two-panel chart and one sentence for the chosen baseline, definition and staffing.

    ``extra`` holds ``annual_cost``, ``rates`` (share of cohort finishers counted, per definition,
    in [0, 1]), ``national_count`` and ``cost_per_outcome`` for the selected definition.
    """
    params = settings(CONTROLS, controls)
    baseline, selected = int(params["baseline_phq9"]), params["definition"]
    if selected not in DEFINITIONS:
        raise ParameterError(f"definition must be one of {list(DEFINITIONS)}, got {selected!r}")
    if not FIRST_SCORES[0] <= baseline <= FIRST_SCORES[-1]:
        raise ParameterError(f"baseline_phq9 must be {FIRST_SCORES[0]}-{FIRST_SCORES[-1]}, got {baseline}")
    model, cost_words = staffing_model(params["staff"], params["cost_per_staff"], params["overhead_factor"])
    annual = model.annual_cost()
    table = definition_table(counts, baseline, annual)
    row = table.set_index("key").loc[selected]
    national_col = f"national-scale count ({counts.national_year})"
    definition = DEFINITIONS[selected]
    end = int(row["end at or below"])
    starters = int(row["finishers at baseline"])
    at_baseline = (f"{int(row['counted at baseline']):,} of the {starters:,} cohort finishers who started there "
                   f"({percent_text(row['share at baseline'], 0, missing='–')}) did" if starters
                   else "no cohort finisher started there")
    drop = baseline - end
    sentence = (
        f"Under {definition.label} ({definition.rule_words()}), a client starting at PHQ-9 {baseline} must end "
        f"at {end} or below, a drop of {drop} points ({100 * drop / baseline:.0f}%): {at_baseline}. Across all "
        f"{counts.finishers:,} cohort finishers, {int(row['counted in cohort']):,} "
        f"({percent_text(row['share of cohort finishers'], 0, missing='–')}) count; scaled to the {counts.national_finishers:,} "
        f"finishers of {counts.national_year} that is about {int(row[national_col]):,} people, so "
        f"£{annual:,.0f} a year ({cost_words}) comes to {money_text(row['cost per outcome (£)'])} per person counted.")
    chart = change_chart(table, baseline, selected, cost_words, counts.national_year)
    return Result(table=shown_definition_table(table, baseline), chart=chart, sentence=sentence, extra={
        "annual_cost": annual, "rates": dict(zip(table["key"], table["share of cohort finishers"], strict=True)),
        "national_count": int(row[national_col]), "cost_per_outcome": float(row["cost per outcome (£)"]),
        "end_score": end})


def prepare() -> ChangeCounts:
    """The lesson cohort tabulated once (:func:`iaptlab.change_and_cost.change_counts`).

    Only the 18 × 28 table of counts is kept: the cohort is built for it and dropped, not left in
    ``lesson_cohort``'s cache (its 100,000 rows would stay in a learner's kernel all lesson). The
    simulated table is counted as :func:`~iaptlab.simulate.simulate` makes it, without
    :func:`~iaptlab.schema.validate` (~0.07 s before lesson 08's first chart): a simulated cohort has
    no invalid row to exclude, so the counts are those of :func:`~iaptlab.lesson_cohort.fresh_lesson_cohort`
    (tests/test_explorer_prepare.py).
    """
    return change_counts(simulate(CohortModel.interview_sees_questionnaires(n=LESSON_N, seed=LESSON_SEED)))


#: The page's copy of :func:`compute` (``iaptlab/static/compute/change_and_cost.js``).
BROWSER_SCRIPT = "change_and_cost"


def browser_data(counts: ChangeCounts) -> dict:
    """What the page's :data:`BROWSER_SCRIPT` needs (JSON): the 18 × 28 table of counts, each
    definition's rule and words, the national scaling, Scott's staffing model, and the chart's
    structure with its two panels' titles taken out (the page sets them on every move).

    >>> data = browser_data(prepare())
    >>> len(data["matrix"]), len(data["matrix"][0]), [d["key"] for d in data["definitions"]][:2]
    (18, 28, ['reliable_change', 'mcid_5'])
    >>> [part.get("title") for part in data["specs"]["main"]["vconcat"]]
    [None, None]
    """
    from ..charts.live import chart_skeleton

    chart = compute(counts).chart
    skeleton = chart_skeleton(chart)
    for part in skeleton["vconcat"]:
        part.pop("title", None)
    share_title = chart.to_dict(validate=False)["vconcat"][0]["title"]
    scott = StaffingModel()
    return {
        "matrix": counts.matrix.astype(int).tolist(),
        "first_min": int(FIRST_SCORES[0]), "last_min": int(LAST_SCORES[0]),
        "finishers": int(counts.finishers), "national_finishers": int(counts.national_finishers),
        "national_year": counts.national_year, "national_rounding": NATIONAL_ROUNDING,
        "definitions": [{"key": d.key, "label": d.label, "rule_words": d.rule_words(),
                         "min_drop_points": d.min_drop_points, "min_drop_percent": d.min_drop_percent,
                         "end_below": d.end_below} for d in DEFINITIONS.values()],
        "scott": {"staff": scott.staff, "cost_per_staff": scott.cost_per_staff,
                  "overhead_factor": scott.overhead_factor},
        "scott_words": staffing_model(scott.staff, scott.cost_per_staff, scott.overhead_factor)[1],
        "share_subtitle": share_title["subtitle"],
        "defaults": {c.name: c.default for c in CONTROLS},
        "specs": {"main": skeleton},
    }
