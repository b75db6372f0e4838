"""``accuracy.agreement`` takes a numpy boolean array or a pandas boolean array (with missing values)
as it is, without checking every value as a Python object (lesson 04's first chart sooner, issue 15
item 7): the same table as from the same values given as Python objects."""

from __future__ import annotations

import math
from dataclasses import astuple

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.accuracy import agreement
from iaptlab.predictive_values import agreement_at_end

_maybe_bool = st.one_of(st.booleans(), st.none())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _maybe_bool), max_size=40))
def test_typed_arrays_give_the_agreement_of_the_same_values_as_objects(pairs):
    test = [t for t, _ in pairs]
    reference = [r for _, r in pairs]
    as_objects = agreement(test, reference)
    typed = agreement(np.array(test, dtype=bool), pd.array(reference, dtype="boolean"))
    for got, want in zip(astuple(typed), astuple(as_objects), strict=True):
        assert got == want or (math.isnan(got) and math.isnan(want))  # NaN where a denominator is 0


def test_a_missing_reference_is_left_out_and_counted_at_the_threshold_of_none_and_all():
    reference = pd.array([True, None, False, None], dtype="boolean")
    result = agreement(np.array([True, True, False, False]), reference)
    assert (result.tp, result.fp, result.fn, result.tn, result.n_excluded) == (1, 0, 0, 1, 2)
    every = agreement(np.array([True, False]), pd.array([None, None], dtype="boolean"))
    assert (every.n, every.n_excluded) == (0, 2)
    none_missing = agreement(np.array([True, False]), pd.array([True, True], dtype="boolean"))
    assert (none_missing.tp, none_missing.fn, none_missing.n_excluded) == (1, 1, 0)


def test_the_callers_array_is_not_changed_or_shared():
    test = np.array([True, False, True])
    agreement(test, pd.array([True, None, False], dtype="boolean"))
    assert test.tolist() == [True, False, True]


@pytest.mark.parametrize("dtype", ["boolean", "float"])
def test_agreement_at_end_reads_a_boolean_or_a_float_reference_as_the_same_values(dtype):
    values = [True, False, None, True, False]
    reference = (pd.array(values, dtype="boolean") if dtype == "boolean"
                 else pd.Series([np.nan if v is None else float(v) for v in values], dtype="float32"))
    classified = pd.DataFrame({"finished": [True, True, True, True, False], "paired": [True] * 5,
                               "caseness_last": [True, True, False, False, True], "ref": reference})
    result = agreement_at_end(classified, reference="ref")
    assert (result.tp, result.fp, result.fn, result.tn, result.n_excluded) == (1, 1, 1, 0, 1)
