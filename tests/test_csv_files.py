"""Writing CSV cells a spreadsheet would evaluate: the vectorised screen against a plain reading of
the rule, on whole, chunked and sliced pyarrow text."""

from __future__ import annotations

import io
import re

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.csv_files import FORMULA_START, neutralise_formulas, write_csv

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _reference(cell: str | None) -> str | None:
    """OWASP's rule as the docs state it: a cell starting =, +, -, @, tab or CR that is not a plain
    number gets a leading apostrophe."""
    if cell is None or not cell.startswith(FORMULA_START) or _NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


cells = st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r0123456789.eE aé,", max_size=6)), max_size=30)


@given(cells, st.integers(min_value=0, max_value=5), st.integers(min_value=1, max_value=4))
def test_neutralised_cells_follow_the_rule_on_any_layout(values, cut, parts):
    expected = [_reference(v) for v in values]
    whole = pa.array(values, type=pa.string())
    assert neutralise_formulas(whole).to_pylist() == expected
    # a slice keeps the bytes of cells outside it in its buffer: they must not change the answer
    start = min(cut, len(values))
    assert neutralise_formulas(whole.slice(start)).to_pylist() == expected[start:]
    size = max(1, len(values) // parts)
    chunked = pa.chunked_array([whole.slice(i, size) for i in range(0, len(values), size)] or [whole],
                               type=pa.string())
    assert neutralise_formulas(chunked).to_pylist() == expected


def test_a_formula_byte_inside_a_cell_is_not_a_formula():
    values = pa.array(["AB-123", "a=b", "x@y.org", "=1+1", "-3", "-x"])
    assert neutralise_formulas(values).to_pylist() == ["AB-123", "a=b", "x@y.org", "'=1+1", "-3", "'-x"]


def test_text_without_any_formula_byte_is_returned_as_it_is():
    values = pa.array(["E1", "E2", None, ""])
    assert neutralise_formulas(values) is values


def test_written_file_neutralises_cells_and_keeps_numbers():
    out = io.BytesIO()
    write_csv({"id": pa.array(["=cmd|' /C calc'!A0", "@SUM(1)", "B"]), "score": pa.array(["-3", "12", None]),
               "flag": np.array([True, False, True])}, out)
    lines = out.getvalue().decode().splitlines()
    assert lines[1:] == ["'=cmd|' /C calc'!A0,-3,True", "'@SUM(1),12,False", "B,,True"]
