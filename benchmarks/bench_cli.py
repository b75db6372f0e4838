"""Benchmark: ``iaptlab outcomes`` and ``iaptlab report`` on a 2,000,000-row episode CSV (issue 13).

Targets: each command within 3x a plain ``pandas.read_csv`` of the same file, with peak memory
<= 1 GB; ``outcomes`` on an all-invalid file of the same size within 2x the valid one (it exits 2
with the first 100 problems and counts for the rest); ``outcomes --skip-invalid`` on a file where
90% of the rows are invalid (each written out with its excluded_reason) within 1 GB. Every figure is a separate process started
the same way (``python -c "import pandas; pandas.read_csv(f)"`` for the baseline, ``python -m
iaptlab.cli ...`` for the commands), timed wall-clock, best of ``repeats``, with its own peak
resident memory from ``os.wait4``. Files are generated (seeded) in a temporary folder by a child
process: Linux carries a parent's peak resident memory over to every child it starts (fork keeps
the high-water mark, exec does not reset it), so a parent that had held the generated tables would
lift every child's reported peak to its own. The load average is printed: wall times on a shared
machine depend on it. Both
commands are also timed on a 10-row file: their fixed cost (interpreter start-up, imports and,
for the report, drawing its charts), which no per-row speed-up can remove.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_cli.py [--n 2000000] [--repeats 2]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

TARGET_RATIO, TARGET_INVALID_RATIO, TARGET_MB = 3.0, 2.0, 1024
#: Share of invalid rows in the file ``outcomes --skip-invalid`` is measured on.
SKIPPED_SHARE = 0.9
#: Rows of the small file whose timings show each command's fixed cost (not a target).
SMALL_ROWS = 10


def write_episodes(path: Path, n: int, seed: int = 1, invalid: float = 0.0) -> None:
    """n synthetic episodes (seeded) as CSV: whole-number scores, about 10% of last scores empty.
    ``invalid``: the share of rows whose phq9_last is 31 (out of range, so the row is invalid);
    1 makes every row invalid."""
    rng = np.random.default_rng(seed)
    phq_first = rng.integers(0, 28, n)
    gad_first = rng.integers(0, 22, n)
    phq_last = np.clip(phq_first - rng.normal(5, 6, n).round(), 0, 27).astype(np.int64)
    gad_last = np.clip(gad_first - rng.normal(4, 5, n).round(), 0, 21).astype(np.int64)
    if invalid:
        phq_last = np.where(rng.random(n) < invalid, 31, phq_last) if invalid < 1 else np.full(n, 31)
    table = pa.table({
        "episode_id": pa.array(np.char.add("E", np.arange(n).astype(str))),
        "treatment_contacts": pa.array(rng.poisson(4, n)),
        "phq9_first": pa.array(phq_first),
        "phq9_last": pa.array(phq_last, mask=rng.random(n) < 0.1),
        "gad7_first": pa.array(gad_first),
        "gad7_last": pa.array(gad_last, mask=rng.random(n) < 0.1),
    })
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="none"))


def measure(command: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak resident MB, exit code) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


def best(command: list[str], repeats: int, expect: int) -> tuple[float, float, float]:
    """(best wall seconds, CPU seconds of that run, highest peak MB) over ``repeats`` runs."""
    runs = [measure(command) for _ in range(repeats)]
    for *_, code in runs:
        assert code == expect, f"{' '.join(command)} exited {code}, expected {expect}"
    fastest = min(runs, key=lambda r: r[0])
    return fastest[0], fastest[1], max(r[2] for r in runs)


def main(n: int = 2_000_000, repeats: int = 2) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench_cli_"))
    try:
        valid, invalid, small = folder / "episodes.csv", folder / "invalid.csv", folder / "small.csv"
        mixed = folder / "mixed.csv"
        python = sys.executable
        subprocess.run([python, __file__, "--n", str(n), "--write-to", str(folder)], check=True)
        load = os.getloadavg()
        cli = [python, "-m", "iaptlab.cli"]
        figures: dict[str, float] = {"n": n, "csv_mb": valid.stat().st_size / 1e6, "load_before": load[0]}
        runs = {
            "read_csv": ([python, "-c", f"import pandas; pandas.read_csv({str(valid)!r})"], 0),
            "outcomes": ([*cli, "outcomes", str(valid), "-o", str(folder / "out.csv"), "--force"], 0),
            "outcomes_invalid": ([*cli, "outcomes", str(invalid), "-o", str(folder / "bad.csv")], 2),
            "outcomes_skip": ([*cli, "outcomes", str(mixed), "-o", str(folder / "skip.csv"), "--force",
                               "--skip-invalid"], 0),
            "report": ([*cli, "report", str(valid), "-o", str(folder / "r.html"), "--force"], 0),
            "outcomes_small": ([*cli, "outcomes", str(small), "-o", str(folder / "s.csv"), "--force"], 0),
            "report_small": ([*cli, "report", str(small), "-o", str(folder / "s.html"), "--force"], 0),
        }
        for name, (command, expect) in runs.items():
            seconds, cpu, peak = best(command, repeats, expect)
            figures[f"{name}_s"], figures[f"{name}_cpu_s"], figures[f"{name}_mb"] = seconds, cpu, peak
        base = figures["read_csv_s"]
        figures["outcomes_ratio"] = figures["outcomes_s"] / base
        figures["report_ratio"] = figures["report_s"] / base
        figures["invalid_ratio"] = figures["outcomes_invalid_s"] / figures["outcomes_s"]
        figures["outcomes_cpu_ratio"] = figures["outcomes_cpu_s"] / figures["read_csv_cpu_s"]
        figures["load_after"] = os.getloadavg()[0]
        print(f"{n:,}-row episode CSV ({figures['csv_mb']:.0f} MB); each a fresh process, best of {repeats}; "
              "wall time (CPU time in brackets: steadier on a busy machine); "
              f"load average {figures['load_before']:.2f} before, {figures['load_after']:.2f} after "
              f"({os.cpu_count()} cores)")
        print(f"pandas.read_csv:             {base:5.2f} s ({figures['read_csv_cpu_s']:4.1f})  "
              f"{figures['read_csv_mb']:5.0f} MB peak")
        for name, label, ratio, target in (
                ("outcomes", "iaptlab outcomes", "outcomes_ratio", TARGET_RATIO),
                ("report", "iaptlab report", "report_ratio", TARGET_RATIO)):
            print(f"{label + ':':28} {figures[f'{name}_s']:5.2f} s ({figures[f'{name}_cpu_s']:4.1f})  "
                  f"{figures[f'{name}_mb']:5.0f} MB peak  "
                  f"{figures[ratio]:.2f}x read_csv (target <= {target:g}x, <= {TARGET_MB} MB)")
        print(f"{'outcomes, all rows invalid:':28} {figures['outcomes_invalid_s']:5.2f} s "
              f"({figures['outcomes_invalid_cpu_s']:4.1f})  "
              f"{figures['outcomes_invalid_mb']:5.0f} MB peak  {figures['invalid_ratio']:.2f}x the valid file "
              f"(target <= {TARGET_INVALID_RATIO:g}x)")
        print(f"{'outcomes --skip-invalid:':28} {figures['outcomes_skip_s']:5.2f} s "
              f"({figures['outcomes_skip_cpu_s']:4.1f})  {figures['outcomes_skip_mb']:5.0f} MB peak  "
              f"({SKIPPED_SHARE:.0%} of rows invalid, each written with its reason; target <= {TARGET_MB} MB)")
        print(f"CPU-time ratio, outcomes / read_csv: {figures['outcomes_cpu_ratio']:.2f}x")
        print(f"Fixed cost (a {SMALL_ROWS}-row file: start-up, imports, for the report its charts): "
              f"outcomes {figures['outcomes_small_s']:.2f} s ({figures['outcomes_small_cpu_s']:.1f}), "
              f"report {figures['report_small_s']:.2f} s ({figures['report_small_cpu_s']:.1f}) = "
              f"{figures['report_small_s'] / base:.2f}x read_csv")
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--write-to", type=Path, help=argparse.SUPPRESS)  # the child that writes the files
    args = parser.parse_args()
    if args.write_to:
        write_episodes(args.write_to / "episodes.csv", args.n)
        write_episodes(args.write_to / "invalid.csv", args.n, invalid=1)
        write_episodes(args.write_to / "mixed.csv", args.n, invalid=SKIPPED_SHARE)
        write_episodes(args.write_to / "small.csv", SMALL_ROWS)
    else:
        main(args.n, args.repeats)
