"""The latency benchmark runs (CI checks only that; `make bench-browser` gives the figures).

Its quick mode, on the session's JupyterLab: three key presses on lesson 02's threshold explorer,
each measured from the key event to the chart redrawn, with the path that answered.
"""

from __future__ import annotations

import sys

import harness

sys.path.insert(0, str(harness.REPO / "benchmarks"))
import browser_latency  # noqa: E402


def test_latency_benchmark_quick_mode_runs(lab_server, browser):
    result = browser_latency.bench(browser, lab_server, [harness.EXPLORER_KEY], 3)
    (row,) = result["rows"]
    assert row["explorer"] == harness.EXPLORER_KEY and row["moves"] == 3
    assert row["path"] in ("kernel", "browser")
    assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
    assert result["kernel_round_trip_ms"] > 0
    assert result["blocked_requests"] == 0
    assert harness.EXPLORER_KEY in browser_latency.table(result)
