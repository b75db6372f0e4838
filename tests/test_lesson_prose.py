"""Issue 16's rules for the lessons' prose: model boxes, predictions before explorers, and times."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lesson_times  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SIMULATES = re.compile(r"\b(CohortModel|simulate\(|lesson_cohort\(|regression_to_mean\.|demand)\b")


def _cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def _learner_markdown(cells) -> list[str]:
    return [c.source for c in cells if c.cell_type == "markdown" and "<!-- INSTRUCTOR" not in c.source[:40]]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name[:2])
def test_a_lesson_that_runs_the_simulation_says_what_the_model_cannot_tell_you(path):
    cells = _cells(path)
    runs_model = any(c.cell_type == "code" and SIMULATES.search(c.source) for c in cells)
    box = [s for s in _learner_markdown(cells) if s.startswith("## What this model cannot tell you")]
    if runs_model:
        assert len(box) == 1, f"{path.name}: add one 'What this model cannot tell you' box"
        assert "teaching default" in box[0]
        shows_interview = any("loss of diagnosis" in t.lower() for t in _learner_markdown(cells))
        if shows_interview:
            assert "10 or more" in box[0] or "≥ 10" in box[0], "name what the interview is assumed to see"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name[:2])
def test_explorers_ask_for_a_prediction_before_showing_what_to_look_for(path):
    cells = _cells(path)
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and re.search(r"^show\(", cell.source, re.M):
            before = "\n".join(c.source for c in cells[max(0, i - 2):i] if c.cell_type == "markdown")
            assert re.search(r"predict", before, re.I), f"{path.name} cell {i}: ask for a prediction first"
    for text in _learner_markdown(cells):
        for found in re.finditer(r"(\*\*)?What to look for", text):
            collapsed = text[:found.start()].endswith("<summary>")
            a_question = found.group(1) is not None  # "**What to look for.**" followed by questions
            assert collapsed or a_question, f"{path.name}: collapse 'What to look for' behind <details>"


def test_no_simulation_output_is_listed_as_evidence_in_07():
    text = "\n".join(_learner_markdown(_cells(ROOT / "notebooks/07_reconciling_50_and_10.ipynb")))
    evidence = text.split("**Evidence against the critique's reading.**", 1)[1].split("### What the model shows", 1)[0]
    assert "IAPT-like assumptions" not in evidence
    assert "Scenario **g**" not in evidence


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name[:2])
def test_stated_time_is_at_most_an_hour_and_not_below_the_estimate(path):
    timing = lesson_times.lesson_time(path)
    assert timing.stated is not None, f"{path.name} states no time"
    assert timing.stated <= 60
    assert timing.estimate <= timing.stated, (path.name, round(timing.estimate, 1), timing.stated)


def test_going_further_blocks_are_not_counted_but_other_details_are():
    counted = lesson_times.words("<details><summary>What to look for</summary> one two </details>")
    skipped = lesson_times.words("<details><summary>Going further: x</summary> one two </details>")
    assert (counted, skipped) == (6, 0)
