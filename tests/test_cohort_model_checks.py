"""CohortModel's parameter checks: the quick path for in-range Python numbers accepts exactly what
the full check accepts (a reference written out here), whatever the value's type."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.cohort_model import CohortModel
from iaptlab.errors import ParameterError

FIELDS = {f.name: f for f in dataclasses.fields(CohortModel)}
WHOLE = ("n", "seed", "demand_last_sessions")


def accepted(name: str, value: object) -> bool:
    """Whether the value passes its field's own check (before the remission-order check)."""
    meta = FIELDS[name].metadata
    if "choices" in meta:
        return value in meta["choices"]
    if meta["range"] is None:
        return isinstance(value, bool | np.bool_)
    if name in WHOLE and not isinstance(value, int | np.integer):
        return False
    low, high = meta["range"]
    return (not isinstance(value, bool) and isinstance(value, int | float | np.number)
            and bool(low <= value <= high))


def near_the_range(name: str) -> st.SearchStrategy:
    bounds = FIELDS[name].metadata["range"] or (0, 1)
    low, high = bounds
    edges = [low, high, low - 1, high + 1, (low + high) / 2]
    return st.one_of(
        st.sampled_from(edges), st.sampled_from([int(low), int(high), int(high) + 1]),
        st.floats(allow_nan=True, allow_infinity=True), st.integers(-2, 2**63),
        st.sampled_from([True, False, np.bool_(True), None, "1", math.nan]),
        st.sampled_from(edges).map(np.float64), st.sampled_from([int(low), int(high)]).map(np.int64),
        st.sampled_from(edges).map(np.float32))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_parameter_is_refused_exactly_when_its_check_fails(data):
    name = data.draw(st.sampled_from(sorted(FIELDS)))
    value = data.draw(near_the_range(name))
    try:
        CohortModel(**{name: value})
        refused = None
    except ParameterError as error:
        refused = str(error)
    if not accepted(name, value):
        assert refused is not None and refused.startswith(f"{name} = "), (name, value, refused)
    else:  # accepted on its own: only the order of the three remission shares may still refuse it
        assert refused is None or (name.startswith("remission_by_") and "must hold" in refused), (name, value)


@pytest.mark.parametrize("value", [10, 10.0, np.int64(10), np.float64(10.0)])
def test_numpy_and_python_numbers_in_range_are_accepted_alike(value):
    assert CohortModel(phq9_mean_at_referral=value).phq9_mean_at_referral == 10


@pytest.mark.parametrize("value", [True, 1.5, np.float64(100.0), "100"])
def test_whole_number_fields_refuse_anything_but_whole_numbers(value):
    with pytest.raises(ParameterError, match="^n = "):
        CohortModel(n=value)
