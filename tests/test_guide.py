"""The instructor guide is generated from the notebooks and must never drift from them."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_guide  # noqa: E402


def test_committed_guide_matches_the_notebooks():
    assert build_guide.main(["--check"]) == 0, "run `make guide` and commit instructor/GUIDE.md"


def test_guide_has_every_lesson_with_objectives_exercises_and_notes():
    text = build_guide.guide()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        section = build_guide.lesson_section(path)
        assert section in text
        assert "**Learning objectives**" in section, path.name
        assert "**Exercises**" in section, path.name
        assert "**Notes for the instructor**" in section, path.name
        title = next(line for c in nbformat.read(path, 4).cells if c.cell_type == "markdown"
                     for line in c.source.splitlines() if line.startswith("# "))
        assert f"## {title[2:].strip()}" in section


def test_guide_has_the_three_delivery_plans():
    text = build_guide.guide()
    for plan in ("20-minute workshop demo", "1-hour seminar", "6-session module"):
        assert plan in text
