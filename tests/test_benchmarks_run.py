"""The command-line benchmarks run (at small sizes) and check what they assert: ``make bench`` is
not run by CI, so a benchmark broken by a change in the tool (the report's refusal to overwrite
without ``--force`` broke ``bench_report``'s second repeat) is caught here."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def benchmarks(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))


def test_bench_report_runs_every_repeat_of_both_modes(benchmarks):
    import bench_report

    figures = bench_report.main(n=300, repeats=2)
    assert figures["n"] == 300 and figures["plain_s"] > 0 and figures["disclosure_control_s"] > 0
    assert figures["plain_kb"] > 1 and figures["disclosure_control_kb"] > 1


def test_bench_outcomes_runs_and_states_its_ratios(benchmarks, capsys):
    import bench_outcomes

    figures = bench_outcomes.main(n=2_000, sample=200, repeats=1)
    assert figures and all(value == value for value in figures.values())  # no NaN
    assert "speed-up vs row-wise apply" in capsys.readouterr().out
