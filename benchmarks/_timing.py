"""Shared timing helpers for the explorer benchmarks (``bench_explorers.py``).

Each explorer callback is timed over the sweep of its controls (every control's minimum, default
and maximum, the others at default), repeated to at least :data:`MIN_CALLS` calls. Wall-clock and
CPU time are both reported: CPU time is steadier when the machine is busy.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

from iaptlab.widgets import Control, sweep

MIN_CALLS = 20
TARGET_MS = 50


def time_calls(calls: Sequence[Callable[[], object]]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call."""
    wall, cpu = [], []
    for call in calls:
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    return wall, cpu


def sweep_calls(callback: Callable[..., object], controls: Sequence[Control],
                min_calls: int = MIN_CALLS) -> list[Callable[[], object]]:
    """Zero-argument calls covering the sweep of ``controls``, repeated to at least ``min_calls``."""
    settings = list(sweep(controls))
    repeats = -(-min_calls // len(settings))  # ceiling division
    return [lambda p=p: callback(**p) for _ in range(repeats) for p in settings]


def report(name: str, times: tuple[list[float], list[float]], target_ms: float = TARGET_MS) -> None:
    """Print one line: median and max wall time against the target, and CPU time."""
    wall, cpu = times
    print(f"explorer {name}: median {statistics.median(wall):.0f} ms, max {max(wall):.0f} ms "
          f"(target ≤ {target_ms:g} ms; {len(wall)} calls; CPU median {statistics.median(cpu):.0f} ms, "
          f"max {max(cpu):.0f} ms)")


def time_explorer(name: str, callback: Callable[..., object], controls: Sequence[Control]) -> None:
    """Warm the callback up once, then time and report it over the sweep of its controls."""
    callback()
    report(name, time_calls(sweep_calls(callback, controls)))
