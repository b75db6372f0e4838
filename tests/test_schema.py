"""Validation reports every problem with row and column and accounts for every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import episode, table
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.errors import InputError, ParameterError
from iaptlab.schema import REQUIRED_COLUMNS, Validated, describe_columns, validate


def reasons(df: pd.DataFrame) -> list[str]:
    return [str(p) for p in validate(df).problems]


def test_missing_required_columns_all_named_at_once():
    with pytest.raises(InputError) as err:
        validate(pd.DataFrame({"episode_id": ["a"], "phq9_first": [3]}))
    named = {p.column for p in err.value.problems}
    assert named == set(REQUIRED_COLUMNS) - {"episode_id", "phq9_first"}


def test_every_bad_cell_reported_with_spreadsheet_row():
    df = table(episode(), episode(phq9_first=28, gad7_last="seven"), episode(treatment_contacts=1.5))
    got = reasons(df)
    assert got == [
        "row 3, column phq9_first: must be a whole number from 0 to 27, got 28",
        "row 3, column gad7_last: must be a number or empty, got 'seven'",
        "row 4, column treatment_contacts: must be a whole number from 0 to 1,000, got 1.5",
    ]


@pytest.mark.parametrize(("column", "value", "ok"), [
    ("phq9_first", -1, False), ("phq9_first", 0, True), ("phq9_first", 27, True),
    ("phq9_first", 27.5, False), ("gad7_last", 21, True), ("gad7_last", 22, False),
    ("phq9_last", 9.0, True), ("phq9_last", "", True), ("phq9_last", "NA", True),
    ("treatment_contacts", 0, True), ("treatment_contacts", -1, False),
    ("treatment_contacts", "", False), ("phq9_first", float("inf"), False),
    ("treatment_contacts", 1000, True), ("treatment_contacts", 1001, False),
    ("treatment_contacts", 1e30, False), ("treatment_contacts", float("inf"), False)])
def test_ranges_at_their_edges(column, value, ok):
    assert validate(table(episode(**{column: value}))).ok is ok


def test_duplicate_ids_are_reported_on_every_occurrence():
    df = table(episode(episode_id="A"), episode(episode_id="B"), episode(episode_id="A"))
    got = reasons(df)
    assert got == ["row 2, column episode_id: duplicate episode_id 'A' (first seen on row 2)",
                   "row 4, column episode_id: duplicate episode_id 'A' (first seen on row 2)"]


def test_unknown_adsm_and_out_of_range_adsm_score():
    df = table(episode(adsm="BDI", adsm_first=10, adsm_last=5),
               episode(adsm="spin", adsm_first=69, adsm_last=5),
               episode(adsm="MI", adsm_first=0.5, adsm_last=1.2),
               episode(adsm="", adsm_first=3, adsm_last=None))
    got = reasons(df)
    assert got[0].startswith("row 2, column adsm: unknown measure")
    assert got[1] == "row 3, column adsm_first: must be in SPIN's range 0-68 (whole numbers), got 69.0"
    assert got[2] == "row 4, column adsm_first: must be in MI's range 1-5, got 0.5"
    assert got[3] == "row 5, column adsm_first: has a score but the adsm column is empty"


def test_adsm_names_are_case_insensitive_and_canonicalised():
    v = validate(table(episode(adsm="pcl5", adsm_first=40, adsm_last=20),
                       episode(adsm=" Pcl-5 ", adsm_first=40, adsm_last=20)))
    assert v.ok
    assert v.table["adsm"].tolist() == ["PCL-5", "PCL-5"]


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("No", False), ("1", True), (0, False),
                                                 ("TRUE", True), ("", None)])
def test_boolean_columns_accept_common_spellings(value, expected):
    v = validate(table(episode(diagnosis_first=value)))
    assert v.ok
    got = v.table["diagnosis_first"].iloc[0]
    assert (got is pd.NA) if expected is None else (bool(got) is expected)


def test_boolean_column_rejects_other_text():
    assert reasons(table(episode(assessed_with_therapist="maybe"))) == [
        "row 2, column assessed_with_therapist: must be true/false, yes/no, 1/0 or empty, got 'maybe'"]


def test_not_a_dataframe_is_a_clear_error():
    with pytest.raises(InputError, match="expected a table"):
        validate([1, 2, 3])  # type: ignore[arg-type]


def test_describe_columns_lists_required_first():
    cols = describe_columns()
    assert cols["required"].tolist()[:6] == [True] * 6
    assert set(REQUIRED_COLUMNS) <= set(cols["column"])


cells = st.one_of(st.integers(-5, 40), st.floats(allow_nan=True, allow_infinity=True, width=32),
                  st.sampled_from(["", "x", "3", " 12 ", "NA", None]))


@given(st.lists(st.fixed_dictionaries({
    "treatment_contacts": cells, "phq9_first": cells, "phq9_last": cells,
    "gad7_first": cells, "gad7_last": cells}), min_size=0, max_size=25))
def test_every_row_is_valid_or_excluded_with_a_reason(rows):
    df = pd.DataFrame.from_records(rows, columns=list(REQUIRED_COLUMNS)[1:])
    df.insert(0, "episode_id", [f"id{i}" for i in range(len(df))])
    v = validate(df.astype(object))
    assert len(v.table) + len(v.excluded) == len(df)
    assert sorted(v.table["row"].tolist() + v.excluded["row"].tolist()) == list(range(2, len(df) + 2))
    assert (v.excluded["excluded_reason"].str.len() > 0).all()
    assert {p.row for p in v.problems} == set(v.excluded["row"])
    for col in ("phq9_first", "phq9_last"):
        scores = v.table[col].to_numpy(dtype=float)
        assert np.all(np.isnan(scores) | ((scores >= 0) & (scores <= 27)))


def test_error_lists_the_first_100_and_counts_the_rest_by_column_and_reason():
    n = 1_000
    df = pd.DataFrame({"episode_id": [f"e{i}" for i in range(n)], "treatment_contacts": ["3"] * n,
                       "phq9_first": ["31"] * n, "phq9_last": [""] * n, "gad7_first": ["x"] * n,
                       "gad7_last": [""] * n})
    v = validate(df)
    err = v.error()
    assert len(err.problems) == 100 and err.total == 2 * n
    assert [p.row for p in err.problems[:2]] == [2, 2]  # row order, then column order
    assert err.more == {("phq9_first", "must be a whole number from 0 to 27"): n - 50,
                        ("gad7_first", "must be a number or empty"): n - 50}
    assert v.invalid_rows == n and len(v.problems) == 2 * n and len(v.excluded) == n


def test_decimal_comma_only_when_asked():
    df = table(episode(adsm="MI", adsm_first="3,5", adsm_last="2,1"))
    assert validate(df.astype(str), decimal_comma=True).ok
    got = reasons(df.astype(str))
    assert got[0].startswith("row 2, column adsm_first: must be a number or empty (a decimal comma")


def test_columns_named_like_output_are_renamed_with_input_prefix():
    df = table(episode()).assign(recovered=[True], row=[7])
    v = validate(df)
    assert v.ok and v.renamed == {"recovered": "input_recovered", "row": "input_row"}
    assert v.table["input_row"].tolist() == [7] and v.table["row"].tolist() == [2]
    with pytest.raises(InputError, match="input_row"):
        validate(df.assign(input_row=[1]))


def test_complex_column_is_refused_not_truncated():
    df = table(episode(), episode()).assign(phq9_first=[16 + 0j, 12 + 3j])
    assert [p.row for p in validate(df).problems] == [2, 3]


@given(st.lists(st.sampled_from(["A", "B", " A", "A ", "é", "AB", "BA", "ab", "E1", "E1 "]), max_size=12))
def test_duplicate_ids_in_pyarrow_text_match_plain_pandas(values):
    import pyarrow as pa

    n = len(values)
    df = pd.DataFrame({"episode_id": pd.Series(values, dtype=pd.ArrowDtype(pa.string())),
                       "treatment_contacts": [3] * n, "phq9_first": [1] * n, "phq9_last": [1] * n,
                       "gad7_first": [1] * n, "gad7_last": [1] * n})
    expected = pd.Series(values, dtype=object).str.strip().duplicated(keep=False).to_numpy()
    assert sorted({p.row for p in validate(df).problems}) == [i + 2 for i in np.flatnonzero(expected)]


@given(st.lists(st.sampled_from(["", " ", "NA", " n/a ", "\u00a0NA", "Missing", "-", ".", "none", "NULL", "x",
                                 "3", " 12 ", "-1", "nan", "NaN", "inf", "1e1", "3.0", "3.5", "\u2003"]),
                min_size=1, max_size=8))
def test_pyarrow_text_and_python_objects_give_the_same_problems(values):
    import pyarrow as pa

    n = len(values)
    columns = {"episode_id": [f"e{i}" for i in range(n)], "treatment_contacts": values,
               "phq9_first": values, "phq9_last": values[::-1], "gad7_first": values, "gad7_last": [""] * n}
    as_objects = pd.DataFrame(columns, dtype=object)
    as_arrow = pd.DataFrame(columns, dtype=pd.ArrowDtype(pa.string()))
    assert [str(p) for p in validate(as_arrow).problems] == [str(p) for p in validate(as_objects).problems]


@given(st.lists(st.fixed_dictionaries({
    "episode_id": st.sampled_from(["a", "b", "c", "", None]), "treatment_contacts": cells,
    "phq9_first": cells, "phq9_last": cells, "gad7_first": cells, "gad7_last": cells}), min_size=0, max_size=25),
    st.integers(min_value=0, max_value=30))
def test_problem_rows_by_column_and_excluded_head_agree_with_the_full_lists(rows, n):
    df = pd.DataFrame.from_records(rows, columns=list(REQUIRED_COLUMNS))
    v = validate(df.astype(object))
    by_column: dict[str, set[int]] = {}
    for p in v.problems:
        by_column.setdefault(p.column, set()).add(p.row)
    assert v.problem_rows_by_column() == {c: len(r) for c, r in sorted(by_column.items())}
    # each excluded row's reason is its problems, in the order problems lists them
    worded: dict[int, list[str]] = {}
    for p in v.problems:
        worded.setdefault(p.row, []).append(f"{p.column}: {p.reason}")
    assert v.excluded.set_index("row")["excluded_reason"].to_dict() == {r: "; ".join(w) for r, w in worded.items()}
    head = v.excluded_head(n)
    fresh = validate(df.astype(object))  # excluded_head before .excluded was ever built
    assert fresh.excluded_head(n).equals(head) and head.equals(v.excluded.head(n))


def test_problem_rows_count_a_row_once_per_column():
    v = validate(table(episode(phq9_first=30, phq9_last="x"), episode(phq9_first=31), episode()))
    assert v.problem_rows_by_column() == {"phq9_first": 2, "phq9_last": 1}
    assert validate(table(episode())).problem_rows_by_column() == {}


_ANY_TEXT = st.text(alphabet=st.sampled_from(list("x1' \"\\\t\n\u00e9\u00a0\x07\U0001f600,;")), min_size=1, max_size=5)


@given(st.lists(st.tuples(_ANY_TEXT, st.sampled_from(["12", "31", "-3", "x"])), min_size=1, max_size=20))
def test_excluded_reason_words_every_cell_as_the_problem_list_does(cells):
    """``excluded_reason`` (assembled by pyarrow for plain cells) reads exactly as the problems
    (worded one by one, with ``repr``) for any text: quotes, backslashes, control and non-ASCII."""
    text = pd.ArrowDtype(pa.string())
    n = len(cells)
    frame = pd.DataFrame({"episode_id": [f"E{i}" for i in range(n)], "treatment_contacts": ["2"] * n,
                          "phq9_first": [c for c, _ in cells], "phq9_last": [s for _, s in cells],
                          "gad7_first": ["5"] * n, "gad7_last": ["5"] * n}).astype(text)
    checked = validate(frame)
    by_row: dict[int, list[str]] = {}
    for problem in checked.problems:
        by_row.setdefault(problem.row, []).append(f"{problem.column}: {problem.reason}")
    assert dict(zip(checked.excluded["row"], checked.excluded["excluded_reason"], strict=True)) == \
        {row: "; ".join(words) for row, words in by_row.items()}
    reason_by_row = checked.excluded_reason_by_row().to_pylist()
    assert reason_by_row == ["; ".join(by_row.get(row, [])) for row in range(2, n + 2)]


def test_valid_mask_is_known_only_where_the_input_order_is():
    checked = validate(table(episode(), episode(phq9_first=28), episode(), episode(treatment_contacts=-1)))
    assert checked.valid_mask.tolist() == [True, False, True, False]
    assert checked.excluded_reason_by_row().to_pylist()[0::2] == ["", ""]
    assert Validated(checked.table).valid_mask.tolist() == [True, True]  # nothing excluded: every row valid
    with pytest.raises(ParameterError, match="validate"):
        _ = Validated(checked.table, checked.excluded).valid_mask
