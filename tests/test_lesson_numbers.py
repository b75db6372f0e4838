"""tools/lesson_numbers.py: which sentences' numbers changed between two runs of the lessons."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "tools" / "lesson_numbers.py"
_SPEC = importlib.util.spec_from_file_location("lesson_numbers", _PATH)
lesson_numbers = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(lesson_numbers)


def test_numbers_keep_order_and_drop_thousands_separators():
    assert lesson_numbers.numbers_in("1,440,000 referrals; 38.5% and -3 points") == ["1440000", "38.5", "-3"]
    assert lesson_numbers.numbers_in("PHQ9 no digits glued to words") == []


def test_a_changed_number_is_listed_and_an_unchanged_sentence_is_not():
    before = {"05_x.ipynb": {"c1": "Recovery is 51.2%. Same text 3.", "c2": "Unchanged 7."}}
    after = {"05_x.ipynb": {"c1": "Recovery is 49.8%. Same text 3.", "c2": "Unchanged 7."}}
    assert lesson_numbers.changes(before, after) == [
        ("05_x.ipynb", "c1", "Recovery is 51.2%.", "Recovery is 49.8%.")]


def test_reworded_sentence_with_the_same_numbers_is_not_a_change():
    before = {"n": {"c": "About 50% recover."}}
    after = {"n": {"c": "Roughly 50% recover."}}
    assert lesson_numbers.changes(before, after) == []


@pytest.mark.parametrize("side", ["before", "after"])
def test_cells_present_on_one_side_only_are_listed(side):
    full, empty = {"n": {"c": "Rate 10%."}}, {"n": {}}
    before, after = (full, empty) if side == "before" else (empty, full)
    rows = lesson_numbers.changes(before, after)
    assert len(rows) == 1 and rows[0][1] == "c"


def test_text_of_reads_svg_labels_and_drops_style_sheets():
    svg = '<svg><g aria-label="count: 12; stage: referred"></g></svg>'
    html = "<style>.x { width: 3px }</style><table><td>4</td></table>"
    assert lesson_numbers.text_of({"output_type": "display_data", "data": {"image/svg+xml": svg}}) == (
        "count: 12; stage: referred")
    assert lesson_numbers.text_of({"output_type": "execute_result", "data": {"text/html": html}}) == "4"


def test_markdown_table_escapes_pipes():
    table = lesson_numbers.markdown_table([("05_x.ipynb", "c", "a | 1", "a | 2")])
    assert "a \\| 1" in table and table.splitlines()[2].startswith("| 05 |")
