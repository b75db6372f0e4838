"""Lesson 03 explorer timing: the demand callback on the lesson cohort (100,000 referrals).

The precomputation (:func:`iaptlab.explorers.demand.demand_inputs`: simulate the lesson cohort
without demand, validate it, draw who is with the therapist, baseline rates for both rule sets)
runs once per kernel and is timed separately; every slider move then calls ``compute``, timed
here over the sweep of its controls (each control at its minimum, default and maximum).
"""

from __future__ import annotations

import statistics
import time

from iaptlab.explorers.demand import CONTROLS, demand_inputs, explorer
from iaptlab.widgets import sweep

MIN_CALLS = 20


def _times_ms(calls) -> list[float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return times


def main() -> None:
    """Print the precomputation time and the callback's median and max over the sweep."""
    start = time.perf_counter()
    inputs = demand_inputs.__wrapped__()  # uncached: the real first-call cost
    print(f"demand_inputs (once per kernel): {1000 * (time.perf_counter() - start):.0f} ms "
          f"for {len(inputs.episodes):,} referrals")
    callback = explorer(inputs)
    callback()  # warm-up: first Altair import and theme
    settings = list(sweep(CONTROLS))
    repeats = -(-MIN_CALLS // len(settings))  # ceiling division: at least MIN_CALLS calls
    times = _times_ms([lambda p=p: callback(**p) for _ in range(repeats) for p in settings])
    print(f"explorer demand: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
          f"(target ≤ 50 ms; {len(times)} calls)")


if __name__ == "__main__":
    main()
