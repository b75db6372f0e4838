"""Writing CSV cells a spreadsheet would evaluate: the vectorised screen against a plain reading of
the rule, on whole, chunked and sliced pyarrow text."""

from __future__ import annotations

import io
import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.csv_files import FORMULA_START, neutralise_formulas, read_csv_table, write_csv

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


# --- the joining writer against pyarrow's own CSV writer (an independent formatter) ---------------

def _pyarrow_written(columns: dict, separator: str, raw: bool) -> bytes:
    """What pyarrow's CSV writer writes for ``columns`` after the documented conversions:
    booleans True/False (missing as False), integers and categories as text, text neutralised
    unless ``raw``; every cell quoted when some text cell or category name holds a separator, quote
    or line break."""
    import csv

    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    texts, names_of_categories = [], []
    for values in columns.values():
        values = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
        if pa.types.is_dictionary(values.type):
            names_of_categories += values.dictionary.to_pylist()
        if pa.types.is_boolean(values.type):
            values = pc.if_else(pc.fill_null(values, False), "True", "False")
        elif not pa.types.is_string(values.type):
            values = pc.cast(values, pa.string())
        elif not raw:
            values = neutralise_formulas(values)
        texts.append(values)
    cells = [cell for t in texts for cell in t.to_pylist()] + names_of_categories
    special = any(any(c in cell for c in f'"\n\r{separator}') for cell in cells if cell)
    names = list(columns) if raw else neutralise_formulas(pa.array(list(columns))).to_pylist()
    header = io.StringIO()
    csv.writer(header, delimiter=separator, lineterminator="\n").writerow(names)
    body = pa.BufferOutputStream()
    pa_csv.write_csv(pa.table(texts, names=[f"c{i}" for i in range(len(texts))]), body,
                     pa_csv.WriteOptions(include_header=False, delimiter=separator,
                                         quoting_style="needed" if special else "none"))
    return header.getvalue().encode() + body.getvalue().to_pybytes()


def _layouts(draw, values: list, kind: pa.DataType):
    """``values`` as one array, a slice of a longer one, or a chunked array (as a CSV reader gives)."""
    layout = draw(st.sampled_from(["whole", "sliced", "chunked"]))
    if layout == "sliced":
        return pa.array([None, *values, None], type=kind).slice(1, len(values))
    if layout == "chunked" and len(values) > 1:
        cut = draw(st.integers(min_value=1, max_value=len(values) - 1))
        return pa.chunked_array([pa.array(values[:cut], type=kind), pa.array(values[cut:], type=kind)])
    return pa.array(values, type=kind)


@st.composite
def _tables(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    text = st.one_of(st.none(), st.text(alphabet='ab=-@ 1é,;"\n', max_size=4))
    columns = {}
    for i in range(draw(st.integers(min_value=1, max_value=7))):
        kind = draw(st.sampled_from(["text", "int", "bool", "numpy_bool", "category"]))
        if kind == "text":
            values = _layouts(draw, draw(st.lists(text, min_size=n, max_size=n)), pa.string())
        elif kind == "int":
            cells = st.one_of(st.none(), st.integers(min_value=-10**12, max_value=10**12))
            values = _layouts(draw, draw(st.lists(cells, min_size=n, max_size=n)), pa.int64())
        elif kind == "bool":
            values = _layouts(draw, draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
                              pa.bool_())
        elif kind == "numpy_bool":
            values = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        else:
            names = draw(st.lists(st.text(alphabet='GAD-7;"x', min_size=1, max_size=5), min_size=1, max_size=4,
                                  unique=True))
            codes = draw(st.lists(st.one_of(st.none(), st.integers(0, len(names) - 1)), min_size=n, max_size=n))
            values = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(names))
        columns[f"{kind}{i}"] = values
    return columns


@given(_tables(), st.sampled_from([",", ";"]), st.booleans(), st.integers(min_value=1, max_value=5))
def test_written_bytes_are_pyarrows_for_any_mix_of_columns(columns, separator, raw, batch_rows):
    out = io.BytesIO()
    write_csv(columns, out, separator=separator, raw=raw, batch_rows=batch_rows)
    assert out.getvalue() == _pyarrow_written(columns, separator, raw)


def test_more_flag_combinations_than_one_coded_piece_holds_are_written_alike():
    rng = np.random.default_rng(5)
    columns = {"id": pa.array([f"E{i}" for i in range(3000)]),
               **{f"flag{i}": rng.random(3000) < 0.5 for i in range(20)}}  # up to 2**20 combinations
    out = io.BytesIO()
    write_csv(columns, out, batch_rows=1000)
    assert out.getvalue() == _pyarrow_written(columns, ",", False)


def test_a_column_the_joining_writer_does_not_format_goes_to_pyarrows_writer():
    columns = {"id": pa.array(["A", "B"]), "score": pa.array([1.5, None]), "flag": np.array([True, False])}
    out = io.BytesIO()
    write_csv(columns, out)
    assert out.getvalue().decode().splitlines() == ["id,score,flag", "A,1.5,True", "B,,False"]


def test_a_category_with_several_dictionaries_is_written_as_its_text():
    values = pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([0, None], pa.int8()), pa.array(["GAD-7"])),
                               pa.DictionaryArray.from_arrays(pa.array([0], pa.int8()), pa.array(["SPIN"]))])
    columns = {"id": pa.array(["A", "B", "C"]), "anxiety_measure": values}
    out = io.BytesIO()
    write_csv(columns, out)
    assert out.getvalue().decode().splitlines() == ["id,anxiety_measure", "A,GAD-7", "B,", "C,SPIN"]


@pytest.mark.parametrize(("raw", "expected"), [
    (b'"id","score"\r\nA,1\r\nB,2\r\n', {"id": ["A", "B"], "score": ["1", "2"]}),  # a quoted header only
    (b'"i\nd",score\nA,1\nB,2\n', {"i\nd": ["A", "B"], "score": ["1", "2"]}),  # a line break in the header
    (b'"i\nd",score\nA,"1\n2"\nB,2\n', {"i\nd": ["A", "B"], "score": ["1\n2", "2"]}),  # and in a value
    (b'id,score\nA,"1\r\n2"\n', {"id": ["A"], "score": ["1\r\n2"]}),  # a quote after a plain header
])
def test_a_quoted_header_does_not_change_how_rows_are_read(raw, expected):
    table = read_csv_table(raw, required=[])
    assert table.frame.to_dict("list") == expected
    assert table.rows.tolist() == list(range(2, len(expected["score"]) + 2))


def test_a_category_with_as_many_names_as_its_codes_can_hold_keeps_its_missing_cells_empty():
    names = pa.array([f"m{i}" for i in range(128)])  # int8 codes: 0..127, so "missing" needs a wider code
    values = pa.DictionaryArray.from_arrays(pa.array([127, None, 0], pa.int8()), names)
    out = io.BytesIO()
    write_csv({"id": pa.array(["A", "B", "C"]), "measure": values}, out)
    assert out.getvalue().decode().splitlines() == ["id,measure", "A,m127", "B,", "C,m0"]


def test_a_small_file_is_read_under_a_memory_limit_below_the_largest_file(tmp_path):
    """Reading never asks for MAX_BYTES (4 GB) at once: under a 3.5 GB address-space limit (a small
    machine, a container) a 10-row file is read, where asking for 4 GB gave "not enough memory"."""
    import resource
    import subprocess
    import sys

    source = tmp_path / "e.csv"
    source.write_text("episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last\nA,6,16,6,12,4\n")
    limit = int(3.5 * 1024**3)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = ("import sys; from iaptlab.csv_files import read_csv_table; "
            "print(len(read_csv_table(sys.argv[1], required=[]).frame))")
    done = subprocess.run([sys.executable, "-c", code, str(source)], capture_output=True, text=True,
                          preexec_fn=limited, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
