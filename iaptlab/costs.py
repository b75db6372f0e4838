"""A staffing-cost model and the cost of one outcome under any definition of "outcome".

The default model reproduces the critique's arithmetic, 13,000 staff × £35,000 = £455m a year
(source id ``cbtwatch`` in ``data/sources.toml``). That is **Scott's own estimate on his blog (cbtwatch.com),
a secondary source [S], not an official figure**; the model labels itself so wherever it is shown.

>>> StaffingModel().annual_cost()
455000000.0
>>> cost_per_outcome(455e6, {"recovered": 259_000})["cost_per_outcome"].round(2).tolist()
[1756.76]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError, ParameterError, Problem

SCOTT_ESTIMATE_LABEL = (
    "Scott's own estimate (blog cbtwatch.com, 2021): about 13,000 staff at about £35,000 each, "
    "'approximately £0.5 billion per year'. Not an official figure (cbtwatch, [S])."
)

__all__ = ["SCOTT_ESTIMATE_LABEL", "ZERO_COUNT_NOTE", "StaffingModel", "cost_per_outcome",
           "count_outcomes"]

#: Note attached to a cost per outcome that cannot be computed because no outcome was counted.
ZERO_COUNT_NOTE = "no outcomes counted: cost per outcome undefined (NaN)"


def _number(name: str, value, *, minimum: float, inclusive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    value = float(value)
    below = value < minimum if inclusive else value <= minimum
    if not math.isfinite(value) or below:
        bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
        raise ParameterError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


@dataclass(frozen=True)
class StaffingModel:
    """Annual staff cost = staff × cost_per_staff × overhead_factor.

    ``overhead_factor`` (>= 1) scales salary cost up for employer on-costs, premises and
    management; 1.0 means salaries only, as in Scott's estimate.

    >>> StaffingModel(overhead_factor=1.25).annual_cost()
    568750000.0
    """

    staff: float = 13_000
    cost_per_staff: float = 35_000
    overhead_factor: float = 1.0
    label: str = SCOTT_ESTIMATE_LABEL

    def __post_init__(self) -> None:
        _number("staff", self.staff, minimum=0)
        _number("cost_per_staff", self.cost_per_staff, minimum=0)
        _number("overhead_factor", self.overhead_factor, minimum=1)
        if not isinstance(self.label, str) or not self.label.strip():
            raise ParameterError("label must say whose estimate this is")

    def annual_cost(self) -> float:
        """Cost per year in pounds."""
        return float(self.staff) * float(self.cost_per_staff) * float(self.overhead_factor)


def count_outcomes(classified: pd.DataFrame, outcomes: Sequence[str]) -> pd.Series:
    """Number of rows flagged True in each outcome column of a classified episode table.

    Flags must be boolean; a missing flag raises InputError (row + column) rather than being
    silently counted as False.

    >>> table = pd.DataFrame({"finished": [True, True, False], "recovered": [True, False, False]})
    >>> count_outcomes(table, ["finished", "recovered"]).tolist()
    [2, 1]
    """
    absent = [name for name in outcomes if name not in classified.columns]
    if absent:
        raise InputError([Problem(None, name, "outcome column not in the table") for name in absent])
    problems = []
    for name in outcomes:
        column = classified[name]
        missing = np.flatnonzero(column.isna().to_numpy())
        problems += [Problem(int(i) + 2, name, "outcome flag is missing") for i in missing]
        if not missing.size and not pd.api.types.is_bool_dtype(column):
            problems.append(Problem(None, name, f"must be a boolean flag, got dtype {column.dtype}"))
    if problems:
        raise InputError(problems)
    return pd.Series({name: int(classified[name].sum()) for name in outcomes}, name="count")


def cost_per_outcome(
    annual_cost: float | StaffingModel,
    counts: Mapping[str, float] | pd.Series | pd.DataFrame,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tidy table: outcome, count, cost_per_outcome (= annual_cost / count), note.

    ``counts`` maps outcome name -> count (a dict of published national numbers, or a Series), or
    is a classified episode table whose boolean ``outcomes`` columns are counted with
    :func:`count_outcomes`. A zero count gives NaN (not infinity, which charts cannot draw) and a
    note saying why. Cost and counts must cover the same people and year; this function cannot
    check that, and the example below mixes a 2021 cost estimate with 2016-17 counts only to
    illustrate the arithmetic.

    >>> # 2016-17 (nhsd_2016_17_release, [C]): 567,000 finished, 259,000 recovered
    >>> table = cost_per_outcome(StaffingModel(), {"finished": 567_000, "recovered": 259_000})
    >>> table[["outcome", "count", "cost_per_outcome"]].round(2)
         outcome   count  cost_per_outcome
    0   finished  567000            802.47
    1  recovered  259000           1756.76
    """
    if isinstance(annual_cost, StaffingModel):
        annual_cost = annual_cost.annual_cost()
    annual_cost = _number("annual_cost", annual_cost, minimum=0)
    if isinstance(counts, pd.DataFrame):
        if outcomes is None:
            raise ParameterError("outcomes (the flag columns to count) is needed with a table")
        counts = count_outcomes(counts, outcomes)
    elif outcomes is not None:
        counts = {name: counts[name] for name in outcomes}
    names = [str(name) for name in dict(counts)]
    given = list(dict(counts).values())
    count_array = pd.to_numeric(pd.Series(given, dtype=object), errors="coerce").to_numpy(float)
    bad = ~np.isfinite(count_array) | (count_array < 0) | [isinstance(v, bool) for v in given]
    if bad.any():
        raise InputError([
            Problem(None, names[i], f"count must be a finite number >= 0, got {given[i]!r}")
            for i in np.flatnonzero(bad)
        ])
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(count_array > 0, annual_cost / count_array, np.nan)
    return pd.DataFrame({
        "outcome": names,
        "count": count_array.astype(np.int64) if np.all(count_array % 1 == 0) else count_array,
        "cost_per_outcome": cost,
        "note": np.where(count_array > 0, "", ZERO_COUNT_NOTE),
    })
