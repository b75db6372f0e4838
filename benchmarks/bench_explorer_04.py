"""Lesson 04 explorer timings: the predictive-value callback and the cohort agreement.

The explorer's callback does not read the cohort (it works from published sensitivity and
specificity), so it is timed over the sweep of its controls; the lesson's agreement between
questionnaire caseness and the blind interview at the end is timed on ``lesson_cohort()`` (the
shared 100,000-referral cohort) for comparison, although it runs once per lesson, not per move.
"""

from __future__ import annotations

import statistics
import time

from iaptlab.explorers.cohort import lesson_cohort
from iaptlab.explorers.predictive_values import CONTROLS, agreement_at_end, explorer
from iaptlab.outcomes import classify
from iaptlab.widgets import sweep

MIN_CALLS = 20


def _times_ms(calls) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for call in calls:
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    return wall, cpu


def _report(name: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    print(f"explorer {name}: median {statistics.median(wall):.0f} ms, max {max(wall):.0f} ms "
          f"(target ≤ 50 ms; {len(wall)} calls; CPU median {statistics.median(cpu):.0f} ms, "
          f"max {max(cpu):.0f} ms)")


def main() -> None:
    start = time.perf_counter()
    callback = explorer()
    callback()  # first call builds the chart template once (Altair import, theme, encode)
    print(f"explorer predictive_values: first call {1000 * (time.perf_counter() - start):.0f} ms (once)")
    settings = list(sweep(CONTROLS))
    repeats = -(-MIN_CALLS // len(settings))  # ceiling division: at least MIN_CALLS calls
    _report("predictive_values (sweep of every control)", _times_ms(
        [lambda p=p: callback(**p) for _ in range(repeats) for p in settings]))
    # "your own" values never seen before: new curves every call
    fresh = [{"study": "own", "own_sensitivity_pct": 50 + i, "own_specificity_pct": 99 - i}
             for i in range(MIN_CALLS)]
    _report("predictive_values (new 'your own' values)",
            _times_ms([lambda p=p: callback(**p) for p in fresh]))
    classified = classify(lesson_cohort())
    _report("agreement_at_end on lesson_cohort (once per lesson, not a callback)",
            _times_ms([lambda: agreement_at_end(classified)] * MIN_CALLS))


if __name__ == "__main__":
    main()
