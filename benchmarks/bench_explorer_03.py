"""Lesson 03 explorer timing: the demand callback on the lesson cohort (100,000 referrals).

The precomputation (:func:`iaptlab.explorers.demand.demand_inputs`: simulate the lesson cohort
without demand, validate it, draw who is with the therapist, baseline rates for both rule sets)
runs once per kernel and is timed separately; every slider move then calls ``compute``, timed
here over the sweep of its controls (each control at its minimum, default and maximum).
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers.demand import CONTROLS, demand_inputs, explorer


def main() -> None:
    """Print the precomputation time and the callback's median and max over the sweep."""
    start = time.perf_counter()
    inputs = demand_inputs.__wrapped__()  # uncached: the real first-call cost
    print(f"demand_inputs (once per kernel): {1000 * (time.perf_counter() - start):.0f} ms "
          f"for {len(inputs.episodes):,} referrals")
    callback = explorer(inputs)
    time_explorer("demand", callback, CONTROLS)


if __name__ == "__main__":
    main()
