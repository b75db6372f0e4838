"""Estimate how long each lesson takes, and read the time the lesson states.

Usage: ``python tools/lesson_times.py`` prints a table (a test keeps every lesson within 60 minutes
and its stated time at or above the estimate).

The estimate (issue 16): learner-facing Markdown read at 130 words a minute (instructor cells and
``<details><summary>Going further`` blocks are optional and not counted; other ``<details>`` blocks,
such as "What to look for", are counted), plus ``MINUTES_PER_EXERCISE`` for every ``check(...)``
cell and ``MINUTES_PER_EXPLORER`` for every ``show(...)`` explorer. Code cells' own text is not
counted. ``high`` uses 5 minutes an exercise, the top of the 3-5 minute range.

>>> words("Read **this** <b>now</b>: 50% of 10.")
6
>>> words("Hi <details><summary>Going further</summary> skipped words </details> there")
2
>>> stated_minutes("**Time needed:** about 55 minutes.")
55
>>> stated_minutes("**Time:** 45–50 minutes (opener)")
50
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_MINUTE = 130
MINUTES_PER_EXERCISE = 4
MINUTES_PER_EXPLORER = 5
_INSTRUCTOR = re.compile(r"^\s*<!--\s*INSTRUCTOR")
_GOING_FURTHER = re.compile(r"<details>\s*<summary>\s*Going further.*?</details>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.,%–-]*")
_STATED = re.compile(r"\*\*Time(?: needed)?:\*\*\s*([^*\n]*?)minutes", re.I)


def words(markdown: str) -> int:
    """Words a learner reads in ``markdown`` (HTML tags and optional blocks removed)."""
    text = _TAG.sub(" ", _GOING_FURTHER.sub("", markdown))
    return len(_WORD.findall(text))


def stated_minutes(markdown: str) -> int | None:
    """The upper end of the time a lesson states ("about 55", "45–50"), or None if it states none."""
    found = _STATED.search(markdown)
    if not found:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", found.group(1))]
    return max(numbers) if numbers else None


@dataclass(frozen=True)
class LessonTime:
    """One lesson's reading load and time estimate."""

    name: str
    words: int
    exercises: int
    explorers: int
    stated: int | None

    @property
    def estimate(self) -> float:
        return (self.words / WORDS_PER_MINUTE + MINUTES_PER_EXERCISE * self.exercises
                + MINUTES_PER_EXPLORER * self.explorers)

    @property
    def high(self) -> float:
        return self.words / WORDS_PER_MINUTE + 5 * self.exercises + MINUTES_PER_EXPLORER * self.explorers


def lesson_time(path: Path) -> LessonTime:
    """Count a lesson notebook's learner prose, exercises and explorers."""
    nb = nbformat.read(path, as_version=4)
    text = [c.source for c in nb.cells if c.cell_type == "markdown" and not _INSTRUCTOR.match(c.source)]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    stated = next((m for s in text for m in [stated_minutes(s)] if m is not None), None)
    return LessonTime(path.name, sum(words(s) for s in text),
                      sum(len(re.findall(r"^check\(", s, re.M)) for s in code),
                      sum(len(re.findall(r"^show\(", s, re.M)) for s in code), stated)


def main() -> int:
    print(f"{'lesson':<42}{'words':>6}{'prose':>7}{'ex':>4}{'expl':>5}{'est.':>7}{'high':>7}{'stated':>8}")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        t = lesson_time(path)
        print(f"{t.name:<42}{t.words:>6}{t.words / WORDS_PER_MINUTE:>7.1f}{t.exercises:>4}{t.explorers:>5}"
              f"{t.estimate:>7.1f}{t.high:>7.1f}{t.stated!s:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
