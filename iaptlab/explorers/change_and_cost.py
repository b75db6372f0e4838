"""Lesson 08's explorer: what counts as a meaningful PHQ-9 change, and what each one costs.

Four published answers to "did this client improve?", all applied to the PHQ-9 alone:

* IAPT's reliable change threshold: a drop of 6 points or more (NHS Digital guide v2.1, [C]);
* Löwe et al.'s (2004) minimal clinically important difference: 5 points ([C]);
* a 20% reduction, the guide Kounali et al. (2022) suggest for moderately severe symptoms ([C]);
* crossing below caseness: from 10 or more to 9 or less (the PHQ-9 half of IAPT recovery).

The definitions are values (:data:`DEFINITIONS`), not ``if`` chains. :func:`change_counts`
tabulates the simulated cohort once: finishers (2+ treatment contacts, IAPT's rule) with both
PHQ-9 scores and a first PHQ-9 at caseness, counted by (first, last) score. A slider move then
only sums a 18 × 28 table, so each callback costs a few milliseconds.

Cost per outcome divides an annual staff cost (:class:`iaptlab.costs.StaffingModel`; by default
Scott's own estimate of 13,000 staff × £35,000 = £455m, **not an official figure**) by a
national-scale count: the cohort's share of finishers counted as improved × the national number
of finishers in 2016-17 (567,000, NHS Digital [C], read from ``national_annual``). That
projection assumes the nation's finishers resemble the simulated cohort's; it is arithmetic for
teaching, not an estimate of IAPT's costs.

>>> required_end_score(DEFINITIONS["reliable_change"], 18), required_end_score(DEFINITIONS["percent_20"], 18)
(12, 14)
>>> sorted(definitions_met(18, 12))
['mcid_5', 'percent_20', 'reliable_change']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from .. import datasets
from ..costs import SCOTT_ESTIMATE_LABEL, StaffingModel, cost_per_outcome
from ..errors import InputError, ParameterError, Problem
from ..instruments import PHQ9
from ..outcomes import IAPT
from ..schema import Validated
from ..widgets import Control, Result, defaults

#: The national year whose number of finishers scales the cohort's counts.
NATIONAL_YEAR = "2016-17"
#: National-scale counts are projections: shown to the nearest hundred, not to the person.
NATIONAL_ROUNDING = 100
#: PHQ-9 scores a finisher at caseness can start at, and end at.
FIRST_SCORES = np.arange(int(PHQ9.caseness), int(PHQ9.score_max) + 1)
LAST_SCORES = np.arange(int(PHQ9.score_min), int(PHQ9.score_max) + 1)


@dataclass(frozen=True)
class ChangeDefinition:
    """One answer to "did this PHQ-9 change count?": exactly one of the three rule fields is set.

    ``min_drop_points``: first − last ≥ this; ``min_drop_percent``: first − last ≥ this % of
    first; ``end_below``: last < this (the start is at caseness for everyone counted here).

    >>> ChangeDefinition("x", "X", "test", "none", min_drop_points=3).rule_words()
    'a drop of 3 points or more'
    """

    key: str
    label: str
    source_words: str
    source_key: str
    min_drop_points: int | None = None
    min_drop_percent: int | None = None
    end_below: int | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.min_drop_points, self.min_drop_percent, self.end_below) if v is not None]
        if len(given) != 1:
            raise ParameterError(f"definition {self.key}: set exactly one rule field, got {len(given)}")

    def rule_words(self) -> str:
        """The rule in plain words."""
        if self.min_drop_points is not None:
            return f"a drop of {self.min_drop_points} points or more"
        if self.min_drop_percent is not None:
            return f"a drop of {self.min_drop_percent}% of the starting score or more"
        return f"ending below {self.end_below} (from {self.end_below} or more)"


DEFINITIONS: dict[str, ChangeDefinition] = {
    "reliable_change": ChangeDefinition(
        "reliable_change", "IAPT reliable change (6 points)", "NHS Digital guide v2.1 [C]", "nhsd_guide_v21",
        min_drop_points=int(PHQ9.reliable_change)),
    "mcid_5": ChangeDefinition(
        "mcid_5", "Löwe MCID (5 points)", "Löwe et al., 2004 [C]", "lowe_2004", min_drop_points=5),
    "percent_20": ChangeDefinition(
        "percent_20", "20% reduction", "Kounali et al., 2022, guide for moderately severe symptoms [C]",
        "kounali_2022", min_drop_percent=20),
    "below_caseness": ChangeDefinition(
        "below_caseness", "crossing below caseness (10 → 9 or less)", "NHS Digital guide v2.1 [C]",
        "nhsd_guide_v21", end_below=int(PHQ9.caseness)),
}

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


def required_end_score(definition: ChangeDefinition, first: int | np.ndarray) -> int | np.ndarray:
    """The highest last PHQ-9 score that counts as improved for a client starting at ``first``.

    Integer arithmetic throughout, so "20% of 15" is exactly 3 points (last ≤ 12).

    >>> required_end_score(DEFINITIONS["percent_20"], 15), required_end_score(DEFINITIONS["below_caseness"], 27)
    (12, 9)
    """
    first = np.asarray(first, dtype=np.int64)
    if definition.min_drop_points is not None:
        end = first - definition.min_drop_points
    elif definition.min_drop_percent is not None:
        end = first * (100 - definition.min_drop_percent) // 100
    else:
        end = np.full_like(first, definition.end_below - 1)
    return int(end) if end.ndim == 0 else end


def definitions_met(first: int, last: int) -> set[str]:
    """Keys of the definitions a change from ``first`` to ``last`` (PHQ-9, first at caseness) meets.

    >>> sorted(definitions_met(12, 9))
    ['below_caseness', 'percent_20']
    """
    problems = [Problem(None, name, f"must be a whole PHQ-9 score {lo}-{hi}, got {value!r}")
                for name, value, lo, hi in (("first", first, FIRST_SCORES[0], FIRST_SCORES[-1]),
                                            ("last", last, LAST_SCORES[0], LAST_SCORES[-1]))
                if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi]
    if problems:
        raise InputError(problems)
    return {key for key, d in DEFINITIONS.items() if last <= required_end_score(d, first)}


@dataclass(frozen=True)
class ChangeCounts:
    """The cohort tabulated once: ``matrix[i, j]`` = finishers with first PHQ-9 FIRST_SCORES[i] and
    last LAST_SCORES[j]; ``finishers`` = all finishers; ``national_finishers`` = the scaling year's."""

    matrix: np.ndarray
    finishers: int
    referrals: int
    national_finishers: int
    national_year: str = NATIONAL_YEAR


def national_finishers(year: str = NATIONAL_YEAR) -> int:
    """Finished a course of treatment in ``year``, from the confirmed rows of ``national_annual``.

    >>> national_finishers("2016-17")
    567000
    """
    table = datasets.load("national_annual")
    rows = table[(table["year"] == year) & (table["confidence"] == "C") & table["finished_course"].notna()]
    if len(rows) != 1:
        raise ParameterError(f"no single confirmed count of finishers for {year!r} in national_annual")
    return int(rows["finished_course"].iloc[0])


def change_counts(cohort: Validated | pd.DataFrame, year: str = NATIONAL_YEAR) -> ChangeCounts:
    """Tabulate finishers (IAPT: 2+ treatment contacts) at PHQ-9 caseness with both PHQ-9 scores.

    >>> from iaptlab.explorers.cohort import lesson_cohort
    >>> counts = change_counts(lesson_cohort(2_000))
    >>> counts.matrix.shape, bool(counts.matrix.sum() <= counts.finishers)
    ((18, 28), True)
    """
    table = cohort.table if isinstance(cohort, Validated) else cohort
    contacts = table["treatment_contacts"].to_numpy(dtype=float, na_value=np.nan)
    first = table["phq9_first"].to_numpy(dtype=float, na_value=np.nan)
    last = table["phq9_last"].to_numpy(dtype=float, na_value=np.nan)
    finished = contacts >= IAPT.min_treatment_contacts
    keep = finished & np.isfinite(first) & np.isfinite(last) & (first >= FIRST_SCORES[0])
    if keep.any() and (np.any(first[keep] % 1) or np.any(last[keep] % 1)):
        raise InputError([Problem(None, "phq9_first/phq9_last", "PHQ-9 totals must be whole numbers")])
    rows = first[keep].astype(np.int64) - FIRST_SCORES[0]
    cols = last[keep].astype(np.int64) - LAST_SCORES[0]
    flat = np.bincount(rows * len(LAST_SCORES) + cols, minlength=len(FIRST_SCORES) * len(LAST_SCORES))
    return ChangeCounts(matrix=flat.reshape(len(FIRST_SCORES), len(LAST_SCORES)),
                        finishers=int(finished.sum()), referrals=len(table),
                        national_finishers=national_finishers(year), national_year=year)


def _met_matrix(definition: ChangeDefinition) -> np.ndarray:
    return LAST_SCORES[None, :] <= required_end_score(definition, FIRST_SCORES)[:, None]


_MET = {key: _met_matrix(d) for key, d in DEFINITIONS.items()}


def definition_table(counts: ChangeCounts, baseline_phq9: int, annual_cost: float) -> pd.DataFrame:
    """One row per definition: what it asks at the baseline, whom it counts, cost per outcome."""
    at_baseline = counts.matrix[baseline_phq9 - FIRST_SCORES[0]]
    starters = int(at_baseline.sum())
    keys = list(DEFINITIONS)
    counted_at_baseline = np.array([at_baseline[_MET[k][baseline_phq9 - FIRST_SCORES[0]]].sum() for k in keys])
    counted = np.array([counts.matrix[_MET[k]].sum() for k in keys])
    share = counted / counts.finishers if counts.finishers else np.full(len(keys), np.nan)
    national = (np.round(share * counts.national_finishers / NATIONAL_ROUNDING) * NATIONAL_ROUNDING).astype(np.int64)
    costs = cost_per_outcome(annual_cost, dict(zip(keys, national.tolist(), strict=True)))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_at_baseline = counted_at_baseline / starters if starters else np.full(len(keys), np.nan)
    return pd.DataFrame({
        "definition": [DEFINITIONS[k].label for k in keys],
        "key": keys,
        "end at or below": [required_end_score(DEFINITIONS[k], baseline_phq9) for k in keys],
        "counted at baseline": counted_at_baseline.astype(np.int64),
        "finishers at baseline": starters,
        "share at baseline": share_at_baseline,
        "counted in cohort": counted.astype(np.int64),
        "share of cohort finishers": share,
        f"national-scale count ({counts.national_year})": national,
        "cost per outcome (£)": costs["cost_per_outcome"].to_numpy(),
    })


def _money(value: float) -> str:
    return "undefined (none counted)" if not np.isfinite(value) else f"£{value:,.0f}"


def _pct(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{100 * value:.0f}%"


@lru_cache(maxsize=1)
def _chart_template():
    """Both panels without data, titles or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""
    import altair as alt

    from ..charts import PALETTE

    y = alt.Y("row:N", sort=alt.EncodingSortField("order", op="min", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=320))
    colour = alt.Color("shown:N", scale=alt.Scale(domain=["selected", "other"], range=[PALETTE[0], "#b8b8b8"]),
                       legend=None)

    def panel(value: str, x: alt.X):
        base = alt.Chart().transform_filter(alt.datum.panel == value).encode(y=y)
        bars = base.mark_bar().encode(x=x, color=colour,
                                      tooltip=[alt.Tooltip("row:N", title="definition"),
                                               alt.Tooltip("label:N", title="value")])
        text = base.mark_text(align="left", dx=4).encode(x=alt.X("value:Q"), text=alt.Text("label:N"))
        return alt.layer(bars, text).properties(width=330)

    share = panel("share", alt.X("value:Q", title="share of them counted as improved",
                                 scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", grid=False)))
    cost = panel("cost", alt.X("value:Q", title="cost per person counted (£)",
                               axis=alt.Axis(format=",.0f", grid=False)))
    return alt.vconcat(share, cost, spacing=24).resolve_scale(x="independent", y="independent")


def change_chart(table: pd.DataFrame, baseline_phq9: int, selected: str, cost_words: str, year: str):
    """Top: share of cohort finishers starting at the baseline counted under each definition (with
    the end score each requires); bottom: cost per outcome under each definition. The selected
    definition is coloured and labelled "(selected)", never told by colour alone."""
    import altair as alt

    from ..charts import refill

    selected_mask = table["key"].to_numpy() == selected
    mark = np.where(selected_mask, "  (selected)", "")
    share = table["share at baseline"].to_numpy(dtype=float)
    cost = table["cost per outcome (£)"].to_numpy(dtype=float)
    starters = int(table["finishers at baseline"].iloc[0])
    share_rows = [f"{d}: end at {end} or below" for d, end in zip(table["definition"], table["end at or below"],
                                                                    strict=True)]
    share_labels = [f"{_pct(s)} ({n:,} of {starters:,}){m}"
                    for s, n, m in zip(share, table["counted at baseline"], mark, strict=True)]
    cost_labels = [f"{_money(c)}{m}" for c, m in zip(cost, mark, strict=True)]
    shown = np.where(selected_mask, "selected", "other")
    order = np.arange(len(table))
    data = pd.concat([
        pd.DataFrame({"panel": "share", "row": share_rows, "order": order, "value": np.nan_to_num(share),
                      "label": share_labels, "shown": shown}),
        pd.DataFrame({"panel": "cost", "row": table["definition"], "order": order, "value": np.nan_to_num(cost),
                      "label": cost_labels, "shown": shown}),
    ], ignore_index=True)
    titles = [
        alt.Title(f"Cohort finishers who started at PHQ-9 {baseline_phq9}: who counts as improved?",
                  subtitle="simulated cohort; PHQ-9 only; finishers with both PHQ-9 scores", anchor="start"),
        alt.Title("Cost per person counted as improved, all cohort finishers",
                  subtitle=f"{cost_words}; counts scaled to the {year} national finishers", anchor="start")]
    description = (
        f"Top: of the cohort's finishers who started at PHQ-9 {baseline_phq9}, the share counted as improved: "
        + "; ".join(f"{r}: {lab}" for r, lab in zip(share_rows, share_labels, strict=True))
        + f". Bottom: cost per person counted ({cost_words}): "
        + "; ".join(f"{d}: {lab}" for d, lab in zip(table["definition"], cost_labels, strict=True)) + ".")
    return refill(_chart_template(), data, description=description, part_titles=titles)


def _staffing(staff: float, cost_per_staff: float, overhead_factor: float) -> tuple[StaffingModel, str]:
    is_scott = (staff, cost_per_staff, overhead_factor) == (
        STAFF_DEFAULTS.staff, STAFF_DEFAULTS.cost_per_staff, STAFF_DEFAULTS.overhead_factor)
    label = SCOTT_ESTIMATE_LABEL if is_scott else "your assumptions (staff × cost per staff × overheads)"
    model = StaffingModel(staff=staff, cost_per_staff=cost_per_staff, overhead_factor=overhead_factor, label=label)
    words = ("Scott's own estimate, not an official figure" if is_scott
             else f"your assumptions: {staff:,.0f} staff × £{cost_per_staff:,.0f} × {overhead_factor:g} for overheads")
    return model, words


def compute(counts: ChangeCounts, **controls) -> Result:
    """Table, two-panel chart and one sentence for the chosen baseline, definition and staffing.

    ``extra`` holds ``annual_cost``, ``rates`` (share of cohort finishers counted, per definition,
    in [0, 1]), ``national_count`` and ``cost_per_outcome`` for the selected definition.
    """
    unknown = sorted(set(controls) - {c.name for c in CONTROLS})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: {[c.name for c in CONTROLS]}")
    params = {**defaults(CONTROLS), **controls}
    baseline, selected = int(params["baseline_phq9"]), params["definition"]
    if selected not in DEFINITIONS:
        raise ParameterError(f"definition must be one of {list(DEFINITIONS)}, got {selected!r}")
    if not FIRST_SCORES[0] <= baseline <= FIRST_SCORES[-1]:
        raise ParameterError(f"baseline_phq9 must be {FIRST_SCORES[0]}-{FIRST_SCORES[-1]}, got {baseline}")
    model, cost_words = _staffing(params["staff"], params["cost_per_staff"], params["overhead_factor"])
    annual = model.annual_cost()
    table = definition_table(counts, baseline, annual)
    row = table.set_index("key").loc[selected]
    national_col = f"national-scale count ({counts.national_year})"
    definition = DEFINITIONS[selected]
    end = int(row["end at or below"])
    starters = int(row["finishers at baseline"])
    at_baseline = (f"{int(row['counted at baseline']):,} of the {starters:,} cohort finishers who started there "
                   f"({_pct(row['share at baseline'])}) did" if starters
                   else "no cohort finisher started there")
    drop = baseline - end
    sentence = (
        f"Under {definition.label} ({definition.rule_words()}), a client starting at PHQ-9 {baseline} must end "
        f"at {end} or below, a drop of {drop} points ({100 * drop / baseline:.0f}%): {at_baseline}. Across all "
        f"{counts.finishers:,} cohort finishers, {int(row['counted in cohort']):,} "
        f"({_pct(row['share of cohort finishers'])}) count; scaled to the {counts.national_finishers:,} "
        f"finishers of {counts.national_year} that is about {int(row[national_col]):,} people, so "
        f"£{annual:,.0f} a year ({cost_words}) comes to {_money(row['cost per outcome (£)'])} per person counted.")
    shown = table.drop(columns=["key", "finishers at baseline"]).rename(columns={
        "end at or below": f"start {baseline}: end at or below",
        "counted at baseline": f"counted, of {starters:,} who started at {baseline}",
        "share at baseline": f"% of those who started at {baseline}",
        "share of cohort finishers": "% of cohort finishers"})
    for column in (f"% of those who started at {baseline}", "% of cohort finishers"):
        shown[column] = (100 * shown[column]).round(1)
    shown["cost per outcome (£)"] = shown["cost per outcome (£)"].round(0)
    chart = change_chart(table, baseline, selected, cost_words, counts.national_year)
    return Result(table=shown, chart=chart, sentence=sentence, extra={
        "annual_cost": annual, "rates": dict(zip(table["key"], table["share of cohort finishers"], strict=True)),
        "national_count": int(row[national_col]), "cost_per_outcome": float(row["cost per outcome (£)"]),
        "end_score": end})


def explorer(cohort: Validated | None = None):
    """``compute`` bound to the tabulated lesson cohort (or ``cohort``), for :func:`iaptlab.widgets.show`."""
    from .cohort import lesson_cohort

    return partial(compute, change_counts(cohort if cohort is not None else lesson_cohort()))
