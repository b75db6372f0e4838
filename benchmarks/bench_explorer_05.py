"""Lesson 05 explorer timings: regression to the mean (``regression_to_mean``).

The three scenario cohorts (the lesson cohort's size and seed) are simulated and validated once
per lesson (:func:`scenario_inputs`); each move then redraws the PHQ-9 of every finisher in three
scenarios from their true scores and fixed errors, counts "recovery" and rebuilds the table,
chart and sentence. Timed over the sweep of its controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls.
"""

from __future__ import annotations

import statistics
import time

from iaptlab.explorers import regression_to_mean
from iaptlab.widgets import sweep

MIN_CALLS = 20


def _times_ms(callback, controls) -> list[float]:
    settings = list(sweep(controls))
    repeats = -(-MIN_CALLS // len(settings))  # ceiling division: at least MIN_CALLS calls
    times = []
    for _ in range(repeats):
        for params in settings:
            start = time.perf_counter()
            callback(**params)
            times.append(1000 * (time.perf_counter() - start))
    return times


def main() -> None:
    start = time.perf_counter()
    inputs = regression_to_mean.scenario_inputs()
    print(f"regression_to_mean: simulate and validate three cohorts of "
          f"{len(inputs.cohorts['treatment'].table):,} referrals (once per lesson): "
          f"{1000 * (time.perf_counter() - start):.0f} ms; {len(inputs.true_first):,} finishers")
    callback = regression_to_mean.explorer(inputs)
    callback()  # warm-up: first Altair import, theme and chart template
    times = _times_ms(callback, regression_to_mean.CONTROLS)
    print(f"explorer regression_to_mean: median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms (target ≤ 50 ms; {len(times)} calls)")


if __name__ == "__main__":
    main()
