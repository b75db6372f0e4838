"""Lesson 02 explorer timings on ``lesson_cohort()`` (the shared 100,000-referral cohort).

Both callbacks are timed over the sweep of their controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls: the threshold explorer
re-classifies the whole cohort on each move; the definitions explorer works from the cohort
classified once (``definitions.prepare``), so a move only recomputes Jacobson–Truax.
"""

from __future__ import annotations

import statistics
import time

from iaptlab.explorers import definitions, thresholds
from iaptlab.explorers.cohort import lesson_cohort
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


def _report(name: str, times: list[float]) -> None:
    print(f"explorer {name}: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
          f"(target ≤ 50 ms; {len(times)} calls)")


def main() -> None:
    cohort = lesson_cohort()
    start = time.perf_counter()
    bound = definitions.explorer(cohort)
    print(f"definitions.prepare (once per lesson, not a callback): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    for name, callback, controls in (("thresholds", thresholds.explorer(cohort), thresholds.CONTROLS),
                                     ("definitions", bound, definitions.CONTROLS)):
        callback()  # warm-up: first Altair import and theme
        _report(name, _times_ms(callback, controls))


if __name__ == "__main__":
    main()
