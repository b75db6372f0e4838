"""Lesson 05 explorer timings: regression to the mean (``regression_to_mean``).

The three scenario cohorts (the lesson cohort's size and seed) are simulated and validated once
per lesson (:func:`scenario_inputs`); each move then redraws the PHQ-9 of every finisher in three
scenarios from their true scores and fixed errors, counts "recovery" and rebuilds the table,
chart and sentence. Timed over the sweep of its controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls.
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers import regression_to_mean


def main() -> None:
    start = time.perf_counter()
    inputs = regression_to_mean.scenario_inputs()
    print(f"regression_to_mean: simulate and validate three cohorts of "
          f"{len(inputs.cohorts['treatment'].table):,} referrals (once per lesson): "
          f"{1000 * (time.perf_counter() - start):.0f} ms; {len(inputs.true_first):,} finishers")
    callback = regression_to_mean.explorer(inputs)
    time_explorer("regression_to_mean", callback, regression_to_mean.CONTROLS)


if __name__ == "__main__":
    main()
