"""Lesson 02 explorer timings on ``lesson_cohort()`` (the shared 100,000-referral cohort).

Both callbacks are timed over the sweep of their controls (every control's minimum, default and
maximum, the others at default), repeated to at least 20 calls: the threshold explorer
re-classifies the whole cohort on each move; the definitions explorer works from the cohort
classified once (``definitions.prepare``), so a move only recomputes Jacobson–Truax.
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers import definitions, thresholds
from iaptlab.explorers.cohort import lesson_cohort


def main() -> None:
    cohort = lesson_cohort()
    start = time.perf_counter()
    bound = definitions.explorer(cohort)
    print(f"definitions.prepare (once per lesson, not a callback): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    for name, callback, controls in (("thresholds", thresholds.explorer(cohort), thresholds.CONTROLS),
                                     ("definitions", bound, definitions.CONTROLS)):
        time_explorer(name, callback, controls)


if __name__ == "__main__":
    main()
