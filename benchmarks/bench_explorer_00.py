"""Lesson 00 explorer timings: the 12 fictional example referrals (``example_cases``).

The callback re-classifies the 12 example referrals and rebuilds the table, chart and sentence on
each move. It works on the example file, not on ``lesson_cohort()``, so its time does not depend
on the cohort's size. Timed over the sweep of its controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls.
"""

from __future__ import annotations

import statistics
import time

from iaptlab.explorers import example_cases
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
    callback = example_cases.explorer()
    print(f"example_cases: read and validate the example file (once per lesson): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    callback()  # warm-up: first Altair import and theme
    times = _times_ms(callback, example_cases.CONTROLS)
    print(f"explorer example_cases: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
          f"(target ≤ 50 ms; {len(times)} calls)")


if __name__ == "__main__":
    main()
