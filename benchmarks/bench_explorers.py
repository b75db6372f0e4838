"""Every explorer's callback timings, one registry entry after another (``iaptlab.explorers.REGISTRY``).

For each explorer: the time ``prepare()`` takes (once per kernel; data shared with an earlier
explorer, such as the lesson cohort, is already cached), the first call (it builds the chart
template), then the callback over the sweep of its controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls. A few figures the lessons compute
once, outside any callback, follow. ``python benchmarks/bench_explorers.py 02.`` times only keys
that contain "02.".
"""

from __future__ import annotations

import os
import sys
import time

from _timing import MIN_CALLS, report, time_calls, time_explorer

from iaptlab import national, predictive_values
from iaptlab.explorers import REGISTRY
from iaptlab.lesson_cohort import LESSON_N, LESSON_SEED, lesson_cohort
from iaptlab.outcomes import classify
from iaptlab.reconcile import forget_computed
from iaptlab.reconcile_gap import five_group_waterfall, five_group_waterfalls
from iaptlab.simulate import CohortModel


def _ms(start: float) -> str:
    return f"{1000 * (time.perf_counter() - start):.0f} ms"


def time_registry(keys: list[str]) -> None:
    """Prepare, first call and the sweep of every explorer in ``keys``."""
    for key in keys:
        explorer = REGISTRY[key]
        start = time.perf_counter()
        callback = explorer.bound()
        print(f"{key}: prepare (once per kernel): {_ms(start)}")
        start = time.perf_counter()
        callback()
        print(f"{key}: first call, chart template built: {_ms(start)}")
        time_explorer(key, callback, explorer.controls)


def time_lesson_figures() -> None:
    """Figures the lessons compute once per lesson, not on a slider move."""
    own = REGISTRY["04.predictive_values"].bound()
    fresh = [{"study": "own", "own_sensitivity_pct": 50 + i, "own_specificity_pct": 99 - i}
             for i in range(MIN_CALLS)]  # "your own" values never seen before: new curves every call
    report("04.predictive_values (new 'your own' values)", time_calls([lambda p=p: own(**p) for p in fresh]))
    classified = classify(lesson_cohort())
    report("agreement_at_end on lesson_cohort (once per lesson, not a callback)",
           time_calls([lambda: predictive_values.agreement_at_end(classified)] * MIN_CALLS))
    start = time.perf_counter()
    national.package_denominators(finished=265_833, at_caseness=238_253, not_at_caseness=26_282,
                                  recovered=126_891)
    print(f"national: 2014-15 subgroup through outcomes.rates, both denominators (notebook cell): {_ms(start)}")
    presets = (("interview sees questionnaires", CohortModel.interview_sees_questionnaires(LESSON_N, LESSON_SEED)),
               ("interview sees more", CohortModel.interview_sees_more(LESSON_N, LESSON_SEED)))
    for name, model in presets:
        forget_computed()
        wall, cpu = time_calls([lambda m=model: five_group_waterfall(m)])
        print(f"static five-group waterfall, {name}, {LESSON_N:,} referrals: {wall[0]:.0f} ms "
              f"(CPU {cpu[0]:.0f} ms; once per lesson, not a callback)")
    forget_computed()
    wall, cpu = time_calls([lambda: five_group_waterfalls(*(model for _, model in presets))])
    print(f"both presets together, as lesson 07 computes them (shared courses): {wall[0]:.0f} ms "
          f"(CPU {cpu[0]:.0f} ms; once per lesson, before its first chart)")


def main() -> None:
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    wanted = [arg for arg in sys.argv[1:] if "." in arg]
    keys = [key for key in REGISTRY if not wanted or any(w in key for w in wanted)]
    time_registry(keys)
    if not wanted:
        time_lesson_figures()


if __name__ == "__main__":
    main()
