"""Lesson 08 explorer timings: what a change means and what it costs (``change_and_cost``).

The lesson cohort (``lesson_cohort()``, 100,000 simulated referrals) is tabulated once by first
and last PHQ-9 score; a control move then sums that 18 × 28 table, applies the staffing model and
swaps the data of a chart built once. Timed over the sweep of its controls (every control's
minimum, default and maximum, every definition), repeated to at least 20 calls.
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers import change_and_cost
from iaptlab.explorers.cohort import lesson_cohort


def main() -> None:
    start = time.perf_counter()
    cohort = lesson_cohort()
    print(f"change_and_cost: lesson cohort (cached per kernel): {1000 * (time.perf_counter() - start):.0f} ms")
    start = time.perf_counter()
    callback = change_and_cost.explorer(cohort)
    print(f"change_and_cost: tabulate the cohort (once per lesson): {1000 * (time.perf_counter() - start):.0f} ms")
    start = time.perf_counter()
    callback()  # first call builds the chart template
    print(f"change_and_cost: first call, chart template built: {1000 * (time.perf_counter() - start):.0f} ms")
    time_explorer("change_and_cost", callback, change_and_cost.CONTROLS)


if __name__ == "__main__":
    main()
