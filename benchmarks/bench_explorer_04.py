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


def _times_ms(calls) -> list[float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return times


def _report(name: str, times: list[float]) -> None:
    print(f"explorer {name}: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
          f"(target ≤ 50 ms; {len(times)} calls)")


def main() -> None:
    callback = explorer()
    callback()  # warm-up: first Altair import and theme
    settings = list(sweep(CONTROLS))
    repeats = -(-MIN_CALLS // len(settings))  # ceiling division: at least MIN_CALLS calls
    _report("predictive_values", _times_ms(
        [lambda p=p: callback(**p) for _ in range(repeats) for p in settings]))
    classified = classify(lesson_cohort())
    _report("agreement_at_end on lesson_cohort (once per lesson, not a callback)",
            _times_ms([lambda: agreement_at_end(classified)] * MIN_CALLS))


if __name__ == "__main__":
    main()
