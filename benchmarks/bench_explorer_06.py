"""Lesson 06 explorer timings: the published national figures (``national``).

The callback picks one year's published counts and rebuilds the table, chart and sentence. It
works on the bundled ``national_annual`` figures (a few dozen numbers), not on
``lesson_cohort()``, so its time does not depend on the cohort's size. Timed over the sweep of its
controls (every year and every denominator, the other control at default), repeated to at least
20 calls. Also times the lesson's one heavier step: the 2014-15 subgroup (265,833 synthetic
referrals) classified under both recovery denominators.
"""

from __future__ import annotations

import time

from _timing import time_explorer

from iaptlab.explorers import national


def main() -> None:
    start = time.perf_counter()
    callback = national.explorer()
    print(f"national: load and reshape national_annual (once per lesson): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")
    time_explorer("national", callback, national.CONTROLS)
    start = time.perf_counter()
    national.package_denominators(finished=265_833, at_caseness=238_253, not_at_caseness=26_282,
                                  recovered=126_891)
    print(f"national: 2014-15 subgroup through outcomes.rates, both denominators (notebook cell): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")


if __name__ == "__main__":
    main()
