"""Lesson 07 explorer timings: the five-group waterfall callback, from both starting presets.

The explorer does not read ``lesson_cohort()``: each move re-simulates a cohort of
``reconcile_gap.EXPLORER_N`` referrals under the new assumptions and splits the gap exactly over
the five groups (32 coalitions). Each call below uses settings not seen before in this process
(every control's extremes, then new values), so no cache flatters the numbers. For comparison,
the lesson's static waterfalls on the 100,000-referral cohort are timed once each.
"""

from __future__ import annotations

import time

from _timing import MIN_CALLS, report, time_calls

from iaptlab.explorers import reconcile_gap as rg
from iaptlab.explorers.cohort import LESSON_N, LESSON_SEED
from iaptlab.simulate import CohortModel
from iaptlab.widgets import defaults, sweep


def main() -> None:
    for name, controls in (("reconcile_gap from IAPT-like", rg.CONTROLS),
                           ("reconcile_gap from critic-like", rg.CRITIC_CONTROLS)):
        start = time.perf_counter()
        callback = rg.explorer(controls)
        callback()  # first call builds the chart template once (Altair import, theme, encode)
        print(f"explorer {name}: precompute and first call {1000 * (time.perf_counter() - start):.0f}"
              f" ms (once per lesson)")
        settings = list(sweep(controls))
        base = defaults(controls)
        while len(settings) < MIN_CALLS:  # fresh treatment effects until there are enough calls
            settings.append({**base, "treatment_effect_d": 0.05 * len(settings) % 2.0})
        report(f"{name} ({len(settings)} settings, each control's extremes)",
               time_calls([lambda p=p, c=callback: c(**p) for p in settings]))
    for name, model in (("IAPT-like", CohortModel.iapt_like(LESSON_N, LESSON_SEED)),
                        ("critic-like", CohortModel.critic_like(LESSON_N, LESSON_SEED))):
        wall, cpu = time_calls([lambda m=model: rg.five_group_waterfall(m)])
        print(f"static five-group waterfall, {name}, {LESSON_N:,} referrals: {wall[0]:.0f} ms "
              f"(CPU {cpu[0]:.0f} ms; once per lesson, not a callback)")


if __name__ == "__main__":
    main()
