"""``validate``'s duplicate-id check answers at once for ids in strictly increasing order (a simulated
cohort's, many exports'), and finds every repeat in any other order and text type (issue 15 item 7:
lessons 04 and 05 validate 100,000-referral cohorts before their first chart). Pandas' ``string[pyarrow]``
is pyarrow ``large_string`` (64-bit offsets): its ids were hashed as if 32-bit and repeats went unseen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.schema import _duplicated, _strictly_increasing, validate

_DTYPES = ["string[pyarrow]", pd.ArrowDtype(pa.large_string()), pd.ArrowDtype(pa.string()), object]
_ids = st.lists(st.one_of(st.text(alphabet="AB1é ", max_size=3), st.none()), max_size=30)


def _expected(values: list[str | None]) -> np.ndarray:
    """Every occurrence of a present value that occurs more than once (missing ids never count)."""
    series = pd.Series(values, dtype=object)
    return (series.duplicated(keep=False) & series.notna()).to_numpy()


@settings(max_examples=150, deadline=None)
@given(values=_ids, ordered=st.booleans(), dtype=st.sampled_from(_DTYPES))
def test_duplicates_are_found_in_any_order_and_text_type(values, ordered, dtype):
    if ordered:
        values = sorted(values, key=lambda v: (v is None, v or ""))
    text = pd.Series(values, dtype=dtype)
    present = pd.Series(values, dtype=object).notna().to_numpy()
    assert np.array_equal(_duplicated(text)[present], _expected(values)[present])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="AB1é", max_size=3), unique=True, min_size=2, max_size=30))
def test_distinct_sorted_ids_are_strictly_increasing_and_unsorted_or_repeated_ones_are_not(values):
    ordered = sorted(values, key=lambda v: v.encode())
    assert _strictly_increasing(pd.Series(ordered, dtype="string[pyarrow]"))
    assert not _strictly_increasing(pd.Series([*ordered, ordered[-1]], dtype="string[pyarrow]"))  # a repeat
    assert not _strictly_increasing(pd.Series(ordered[::-1], dtype="string[pyarrow]"))


@pytest.mark.parametrize("values", [[], ["A"], ["A", None, "B"], ["A", "B", None]])
def test_short_or_missing_ids_take_the_usual_path(values):
    assert not _strictly_increasing(pd.Series(values, dtype="string[pyarrow]"))
    assert not _strictly_increasing(pd.Series(["A", "B"], dtype=object))  # not pyarrow text


@pytest.mark.parametrize("ids", [["A", "B", "B", "C"], ["C", "B", "A", "B"]])  # sorted, then not
def test_a_repeated_pyarrow_id_excludes_both_rows_sorted_or_not(ids):
    table = pd.DataFrame({"episode_id": pd.Series(ids, dtype="string[pyarrow]"),
                          "treatment_contacts": [6] * 4, "phq9_first": [16.0] * 4, "phq9_last": [7.0] * 4,
                          "gad7_first": [12.0] * 4, "gad7_last": [5.0] * 4})
    checked = validate(table)
    assert checked.table["episode_id"].tolist() == [i for i in ids if i != "B"]
    assert len(checked.excluded) == 2
