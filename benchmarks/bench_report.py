"""Benchmark: ``iaptlab report`` on a 100,000-row episode CSV (target <= 10 s, issue 6).

The CSV is written by ``simulate(CohortModel.interview_sees_questionnaires(n=100_000))``; the timing covers the whole
command as a user runs it (reading, validation, classification, charts rendered to SVG, writing
the HTML), measured through :func:`iaptlab.cli.main` in this process, best of ``repeats``.
It also checks the page is self-contained (no ``<script``, no ``http`` in any src/href).

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_report.py [--n 100000]``.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from iaptlab.cli import main as cli_main
from iaptlab.simulate import CohortModel, simulate

TARGET_S = 10.0


def main(n: int = 100_000, repeats: int = 2) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench_report_"))
    source = folder / "episodes.csv"
    simulate(CohortModel.interview_sees_questionnaires(n=n)).to_csv(source, index=False)
    figures: dict[str, float] = {"n": n, "csv_mb": source.stat().st_size / 1e6}
    for mode, flags in (("plain", []), ("disclosure_control", ["--disclosure-control"])):
        target = folder / f"report_{mode}.html"
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            code = cli_main(["report", str(source), "-o", str(target), "--force", *flags])
            times.append(time.perf_counter() - start)
            assert code == 0, f"iaptlab report exited with {code}"
        html = target.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?:""", html, re.IGNORECASE)
        figures[f"{mode}_s"] = min(times)
        figures[f"{mode}_kb"] = len(html.encode()) / 1e3
        print(f"iaptlab report, {n:,} rows, {mode}: {min(times):.2f} s (best of {repeats}; "
              f"target <= {TARGET_S:.0f} s), {figures[f'{mode}_kb']:.0f} kB of HTML")
    print(f"CSV: {figures['csv_mb']:.1f} MB in {folder}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    main(args.n, args.repeats)
