"""Lesson 04 explorer timings: the predictive-value callback and the cohort agreement.

The explorer's callback does not read the cohort (it works from published sensitivity and
specificity), so it is timed over the sweep of its controls; the lesson's agreement between
questionnaire caseness and the blind interview at the end is timed on ``lesson_cohort()`` (the
shared 100,000-referral cohort) for comparison, although it runs once per lesson, not per move.
"""

from __future__ import annotations

import time

from _timing import MIN_CALLS, report, sweep_calls, time_calls

from iaptlab.explorers.cohort import lesson_cohort
from iaptlab.explorers.predictive_values import CONTROLS, agreement_at_end, explorer
from iaptlab.outcomes import classify


def main() -> None:
    start = time.perf_counter()
    callback = explorer()
    callback()  # first call builds the chart template once (Altair import, theme, encode)
    print(f"explorer predictive_values: first call {1000 * (time.perf_counter() - start):.0f} ms (once)")
    report("predictive_values (sweep of every control)", time_calls(sweep_calls(callback, CONTROLS)))
    # "your own" values never seen before: new curves every call
    fresh = [{"study": "own", "own_sensitivity_pct": 50 + i, "own_specificity_pct": 99 - i}
             for i in range(MIN_CALLS)]
    report("predictive_values (new 'your own' values)", time_calls([lambda p=p: callback(**p) for p in fresh]))
    classified = classify(lesson_cohort())
    report("agreement_at_end on lesson_cohort (once per lesson, not a callback)",
           time_calls([lambda: agreement_at_end(classified)] * MIN_CALLS))


if __name__ == "__main__":
    main()
