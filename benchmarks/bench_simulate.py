"""Benchmark: simulate a national year (1,800,000 referrals) and a waterfall on 100,000.

Targets (issue 3, item 6): ``simulate`` of 1.8M episodes in <= 2 s and <= 1 GiB peak memory on
2 cores; ``waterfall`` on 100,000 episodes in <= 5 s. Peak memory is measured twice: tracemalloc
(Python and numpy allocations made during the call) and the process's maximum resident set size
(everything, including the interpreter and imported libraries). Also prints the calibration table
and the waterfall of ``CohortModel.iapt_like()`` in numbers.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_simulate.py [--n 1800000]``.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import pandas as pd

from iaptlab.reconcile import calibration_table, waterfall
from iaptlab.simulate import CohortModel, simulate


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Print timings, peak memory, the calibration table and the iapt_like() waterfall.

    Returns 0 when every target is met, 1 otherwise (so ``make bench`` can fail loudly).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_800_000)
    parser.add_argument("--waterfall-n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 70)

    model = CohortModel.iapt_like(n=args.n, seed=2024)
    _, first = _timed(simulate, model)  # first call in this process: includes numpy warm-up
    times = [_timed(simulate, model)[1] for _ in range(args.repeats)]
    tracemalloc.start()
    table = simulate(model)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    frame_bytes = table.memory_usage(deep=True).sum()
    del table
    print(f"simulate({args.n:,} referrals): first call {first:.2f} s; best of {args.repeats} "
          f"{min(times):.2f} s (target <= 2 s)")
    print(f"  peak memory during simulate (tracemalloc): {traced_peak / 2**20:,.0f} MiB; "
          f"process max RSS so far: {rss_peak / 2**20:,.0f} MiB (target <= 1024 MiB); "
          f"frame itself: {frame_bytes / 2**20:,.0f} MiB")

    small = CohortModel.iapt_like(n=args.waterfall_n, seed=2024)
    steps, seconds = _timed(waterfall, small)
    print(f"waterfall({args.waterfall_n:,} referrals, 8 mechanisms, exact Shapley over 256 "
          f"coalitions): {seconds:.2f} s (target <= 5 s)")
    shown = steps.assign(value=steps["value"].round(4), points=steps["contribution_points"].round(2))
    print(shown[["component", "kind", "value", "points", "meaning"]].to_string(index=False))
    print(f"  gap = {100 * steps.attrs['gap']:.2f} points = sum of contributions "
          f"{steps['contribution_points'].sum():.2f}")

    calibration = calibration_table(CohortModel.iapt_like(n=200_000, seed=2024))
    print("calibration of CohortModel.iapt_like() (n = 200,000):")
    print(calibration.round(3).to_string(index=False))

    ok = (min(times) <= 2.0 and max(traced_peak, rss_peak) <= 2**30 and seconds <= 5.0)
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
