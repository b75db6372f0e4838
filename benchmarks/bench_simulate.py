"""Benchmark: simulate a national year (1,800,000 referrals) and a waterfall on 100,000.

Targets: ``simulate`` of 1.8M referrals in <= 12 s and <= 2 GiB peak memory (``SIMULATE_SECONDS``, ``SIMULATE_GIB``) on
2 cores. (Issue 3 set 2 s and 1 GiB for the episode-level simulator; since issue 11 ``simulate``
is ``from_contacts`` of a session-by-session simulation of about 7.7 million contacts, so it
carries the contact simulation's cost, whose own target is 10 s, plus ``from_contacts``.)
``waterfall`` on 100,000 episodes in <= 5 s (issue 3; all 11 mechanisms, exact Shapley over 2^11
coalitions; also timed: the five-group waterfall and the sampled method with 64 antithetic pairs). Peak memory is measured twice: tracemalloc
(Python and numpy allocations made during the call) and the maximum resident set size of a fresh
process that only imports iaptlab and simulates once (everything, including the interpreter and
imported libraries; measured in a child process so that earlier benchmarks run by ``make bench``
in the same process do not count). Also prints the calibration table
and the waterfalls of ``CohortModel.interview_sees_questionnaires()`` and ``CohortModel.interview_sees_more()`` in numbers,
plus one interviewed sample of 90 under ``interview_sees_more()`` with its 95% interval.

Contact level (issue 11, item 7): ``simulate_contacts`` of 1.8M referrals (about 7 million contacts)
in <= 10 s on 2 cores (``--contacts-n``; ``--contacts-only`` runs just that part).

Lesson size (issue 15, item 7): the calls lessons make before their first chart, on the lesson
cohort's 100,000 referrals (``--lesson-only`` runs just that part): ``simulate`` (target <= 0.1 s,
``LESSON_SIMULATE_SECONDS``), ``calibration_table``, ``course_of`` and ``episode_columns`` of
``interview_sees_more()`` (a waterfall makes up to 8 courses and 2^k tables from them), each the
best of ``--repeats`` in wall and CPU seconds with the load average.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_simulate.py [--n 1800000]
[--contacts-n 1800000] [--contacts-only] [--lesson-only]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc

import pandas as pd

from iaptlab.reconcile import FIVE_GROUPS, waterfall_table
from iaptlab.selection import interviewed_sample
from iaptlab.simulate import (
    CohortModel,
    calibration_table,
    course_of,
    draw,
    episode_columns,
    simulate,
    simulate_contacts,
)

#: simulate(1.8M referrals): wall seconds (best of the repeats) and peak GiB (see the docstring).
SIMULATE_SECONDS, SIMULATE_GIB = 12.0, 2.0
#: simulate(the lesson cohort's 100,000 referrals): wall seconds, best of the repeats.
LESSON_SIMULATE_SECONDS = 0.1


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _cpu_timed(function, *args):
    """Wall and CPU seconds: on a shared machine CPU time shows the work when wall time is inflated."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - start, time.process_time() - cpu


def _fresh_process_max_rss(n: int) -> int:
    """Bytes of maximum resident memory of a new Python process that imports iaptlab and simulates n."""
    code = ("import resource; from iaptlab.simulate import CohortModel, simulate; "
            f"simulate(CohortModel.interview_sees_questionnaires(n={n}, seed=2024)); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) * 1024  # Linux reports KiB


def _bench_contacts(n: int, repeats: int) -> bool:
    """Time the contact-level simulation of ``n`` referrals; True when within 10 s."""
    model = CohortModel.interview_sees_questionnaires(n=n, seed=2024)
    contacts, first, first_cpu = _cpu_timed(simulate_contacts, model)
    rows, size = len(contacts), contacts.memory_usage(deep=False).sum()
    del contacts
    best = min([first] + [_timed(simulate_contacts, model)[1] for _ in range(max(repeats - 1, 0))])
    print(f"simulate_contacts({n:,} referrals -> {rows:,} contacts): first call {first:.2f} s wall "
          f"({first_cpu:.2f} s CPU); best of {max(repeats, 1)} {best:.2f} s (target <= 10 s); "
          f"table {size / 2**20:,.0f} MiB; load average {os.getloadavg()[0]:.1f}")
    return best <= 10.0


def _best(function, *args, repeats: int) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``repeats`` calls."""
    runs = [_cpu_timed(function, *args)[1:] for _ in range(max(repeats, 1))]
    return min(wall for wall, _ in runs), min(cpu for _, cpu in runs)


def _bench_lesson(n: int, repeats: int) -> bool:
    """Time the lesson-sized calls (see the docstring); True when simulate is within its target."""
    same = CohortModel.interview_sees_questionnaires(n=n, seed=2026)
    more = CohortModel.interview_sees_more(n=n, seed=2026)
    simulate(same)  # numpy warm-up
    draws = draw(n, 2026)
    course = course_of(more, draws)
    calls = {
        f"simulate({n:,}, interview_sees_questionnaires)": (simulate, same),
        f"calibration_table({n:,})": (calibration_table, same),
        f"course_of({n:,}, interview_sees_more)": (course_of, more, draws),
        f"episode_columns({n:,}, interview_sees_more, course given)": (episode_columns, more, draws, course),
    }
    timed = {name: _best(*call, repeats=repeats) for name, call in calls.items()}
    for name, (wall, cpu) in timed.items():
        print(f"{name}: best of {repeats} {1000 * wall:,.0f} ms wall, {1000 * cpu:,.0f} ms CPU")
    wall = next(iter(timed.values()))[0]
    print(f"  (target: simulate <= {1000 * LESSON_SIMULATE_SECONDS:.0f} ms; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return wall <= LESSON_SIMULATE_SECONDS


def main(argv: list[str] | None = None) -> int:
    """Print timings, peak memory, calibration tables and both presets' waterfalls.

    Returns 0 when every target is met, 1 otherwise (so ``make bench`` can fail loudly).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_800_000)
    parser.add_argument("--waterfall-n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--contacts-n", type=int, default=1_800_000)
    parser.add_argument("--contacts-only", action="store_true", help="only the contact-level timing")
    parser.add_argument("--lesson-n", type=int, default=100_000)
    parser.add_argument("--lesson-only", action="store_true", help="only the lesson-sized timings")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 70)
    lesson_ok = _bench_lesson(args.lesson_n, max(args.repeats, 5))
    if args.lesson_only:
        return 0 if lesson_ok else 1
    contacts_ok = _bench_contacts(args.contacts_n, args.repeats)
    if args.contacts_only:
        return 0 if contacts_ok else 1

    model = CohortModel.interview_sees_questionnaires(n=args.n, seed=2024)
    _, first = _timed(simulate, model)  # first call in this process: includes numpy warm-up
    times = [_timed(simulate, model)[1] for _ in range(args.repeats)]
    tracemalloc.start()
    table = simulate(model)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = _fresh_process_max_rss(args.n)
    frame_bytes = table.memory_usage(deep=True).sum()
    del table
    print(f"simulate({args.n:,} referrals): first call {first:.2f} s; best of {args.repeats} "
          f"{min(times):.2f} s (target <= {SIMULATE_SECONDS:g} s); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"  peak memory during simulate (tracemalloc): {traced_peak / 2**20:,.0f} MiB; "
          f"max RSS of a fresh process simulating once: {rss_peak / 2**20:,.0f} MiB (target <= {1024 * SIMULATE_GIB:,.0f} MiB); "
          f"frame itself: {frame_bytes / 2**20:,.0f} MiB")

    seconds = []
    for preset in ("interview_sees_questionnaires", "interview_sees_more"):
        small = getattr(CohortModel, preset)(n=args.waterfall_n, seed=2024)
        steps, took, cpu = _cpu_timed(waterfall_table, small)
        seconds.append(took)
        print(f"\n{preset}: waterfall({args.waterfall_n:,} referrals, {len(steps) - 3} mechanisms, "
              f"{steps.attrs['method']} Shapley): {took:.2f} s wall, {cpu:.2f} s CPU "
              f"(target <= 5 s)")
        shown = steps.assign(value=steps["value"].round(4),
                             points=steps["contribution_points"].round(2))
        print(shown[["component", "kind", "value", "points", "meaning"]].to_string(index=False))
        print(f"  gap = {100 * steps.attrs['gap']:.2f} points = sum of contributions "
              f"{steps['contribution_points'].sum():.2f}")
        grouped, took = _timed(lambda m: waterfall_table(m, groups=FIVE_GROUPS), small)
        seconds.append(took)
        print(f"  five groups (exact, 2^5 coalitions): {took:.2f} s")
        print(grouped.assign(points=grouped["contribution_points"].round(2))[
            ["component", "points"]].to_string(index=False))
        sampled, took = _timed(lambda m: waterfall_table(m, method="sampled", pairs=64), small)
        seconds.append(took)
        print(f"  sampled (64 antithetic pairs = 128 orders): {took:.2f} s; largest MC SE "
              f"{100 * sampled['standard_error'].max():.2f} points")

    critic = simulate(CohortModel.interview_sees_more(n=args.waterfall_n, seed=2024))
    sample = interviewed_sample(critic, 90, odds_ratio_still_ill=6.0, seed=1)
    print(f"\ninterview_sees_more: one interviewed sample of 90: {sample.lost} lost their diagnosis = "
          f"{100 * sample.rate:.1f}% (95% CI {100 * sample.ci_low:.1f} to {100 * sample.ci_high:.1f}); "
          f"expected under this selection {100 * sample.population_rate:.1f}%")

    calibration = calibration_table(CohortModel.interview_sees_questionnaires(n=200_000, seed=2024))
    print("\ncalibration of CohortModel.interview_sees_questionnaires() (n = 200,000):")
    print(calibration.round(3).to_string(index=False))
    critic_table = calibration_table(CohortModel.interview_sees_more(n=200_000, seed=2024))
    print("interview_sees_more() on the same rows (n = 200,000):")
    print(critic_table[["quantity", "simulated"]].round(3).to_string(index=False))

    ok = (min(times) <= SIMULATE_SECONDS and max(traced_peak, rss_peak) <= SIMULATE_GIB * 2**30
          and max(seconds) <= 5.0
          and contacts_ok and lesson_ok)
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
