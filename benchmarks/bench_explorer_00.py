"""Lesson 00 explorer timings: the 12 fictional example referrals (``example_cases``).

The callback re-classifies the 12 example referrals and rebuilds the table, chart and sentence on
each move. It works on the example file, not on ``lesson_cohort()``, so its time does not depend
on the cohort's size. Timed over the sweep of its controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls.
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers import example_cases


def main() -> None:
    start = time.perf_counter()
    callback = example_cases.explorer()
    print(f"example_cases: read and validate the example file (once per lesson): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    time_explorer("example_cases", callback, example_cases.CONTROLS)


if __name__ == "__main__":
    main()
