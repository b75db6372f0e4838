"""Lesson 01 explorer timings on ``lesson_cohort()`` (the shared 100,000-referral cohort).

The measurement-error explorer reads the cohort once (``first_score_counts``: how many referrals
gave each first score, about 50 rows), so a slider move only recomputes the SEM, the band and the
chart. Timed over the sweep of its controls (every control's minimum, default and maximum, the
others at default), repeated to at least 20 calls. Run: ``.venv/bin/python
benchmarks/bench_explorer_01.py``.
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers import measurement_error
from iaptlab.explorers.cohort import lesson_cohort


def main() -> None:
    cohort = lesson_cohort()
    start = time.perf_counter()
    callback = measurement_error.explorer(cohort)
    print(f"measurement_error.first_score_counts (once per lesson, not a callback): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    time_explorer("measurement_error", callback, measurement_error.CONTROLS)


if __name__ == "__main__":
    main()
