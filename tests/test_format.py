"""iaptlab.format: one wording for every percentage, count and empty denominator."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.errors import ParameterError
from iaptlab.format import (
    EMPTY_DENOMINATOR,
    FUNNEL_STAGE_LABELS,
    OUTCOME_LABELS,
    OUTCOME_MEANINGS,
    chance_text,
    count_text,
    count_texts,
    counts_of_texts,
    fraction_text,
    money_text,
    outcome_label,
    percent_text,
    percent_texts,
    points_text,
)
from iaptlab.outcomes import FLAGS, classify, funnel


@pytest.mark.parametrize(("rate", "digits", "text"), [
    (0.506, 1, "50.6%"), (0.5, 1, "50.0%"), (1.0, 1, "100.0%"), (0.0, 1, "0.0%"),
    (0.5064, 0, "51%"), (0.5064, 2, "50.64%"),
    # halves: 0.125 and 0.375 are exact in binary, so the half goes to the even digit
    (0.125, 0, "12%"), (0.375, 0, "38%"), (0.00125, 1, "0.1%"),
    (-0.256, 1, "-25.6%"), (-0.0001, 1, "0.0%"), (-0.0004, 3, "-0.040%"),
    (1.5, 1, "150.0%"), (np.float64(0.25), 1, "25.0%"),
])
def test_percent_text(rate, digits, text):
    assert percent_text(rate, digits) == text


@pytest.mark.parametrize("missing", [float("nan"), np.nan, None, pd.NA])
def test_every_missing_rate_says_no_one_is_in_the_denominator(missing):
    assert percent_text(missing) == EMPTY_DENOMINATOR == "no one in the denominator"


@pytest.mark.parametrize("digits", [-1, 1.5, True])
def test_digits_must_be_a_whole_number_zero_or_more(digits):
    with pytest.raises(ParameterError, match="digits"):
        percent_text(0.5, digits)


def test_percent_texts_keeps_order_and_length():
    rates = pd.Series([0.5, np.nan, 1 / 3, 0.0])
    assert percent_texts(rates) == ["50.0%", EMPTY_DENOMINATOR, "33.3%", "0.0%"]
    assert percent_texts(np.array([0.2, 0.8]), digits=0) == ["20%", "80%"]
    assert percent_texts([]) == []


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_percent_of_a_fraction_is_within_half_a_unit_of_the_exact_value(num, den):
    text = percent_text(num / den, digits=1)
    assert text.endswith("%") and not text.startswith("-")
    assert abs(float(text[:-1]) - 100 * num / den) <= 0.05 + 1e-9


def test_count_text():
    assert count_text(0) == "0"
    assert count_text(999) == "999" and count_text(1000) == "1,000"
    assert count_text(1_002_503.0) == "1,002,503" and count_text(np.int64(-12345)) == "-12,345"
    assert count_texts(pd.Series([3, 1234])) == ["3", "1,234"]
    for bad in (float("nan"), 1.5, math.inf, None):
        with pytest.raises(ParameterError):
            count_text(bad)


def test_fraction_text():
    assert fraction_text(5, 10) == "5/10 (50.0%)"
    assert fraction_text(1234, 5678, digits=0) == "1,234/5,678 (22%)"
    assert fraction_text(0, 0) == f"0/0 ({EMPTY_DENOMINATOR})"
    assert fraction_text(0, 7) == "0/7 (0.0%)" and fraction_text(7, 7) == "7/7 (100.0%)"
    with pytest.raises(ParameterError, match="denominator above 0"):
        fraction_text(3, 0)
    with pytest.raises(ParameterError, match="0 or more"):
        fraction_text(-1, 5)


def test_points_text():
    assert points_text(0.05) == "+5.0 points" and points_text(-0.2) == "-20.0 points"
    assert points_text(0.0) == "+0.0 points" and points_text(-0.0004) == "+0.0 points"
    assert points_text(-0.0006) == "-0.1 points" and points_text(0.123, digits=0) == "+12 points"
    with pytest.raises(ParameterError):
        points_text(float("nan"))


def test_not_a_number_is_a_clear_error():
    with pytest.raises(ParameterError, match="not a number: 'half'"):
        percent_text("half")


def test_label_tables_cover_every_outcome_and_funnel_stage():
    outcomes = {f for f in FLAGS if f not in {"finished", "paired", "caseness_first", "caseness_last"}}
    assert outcomes | {"diagnosis_lost"} == set(OUTCOME_LABELS) == set(OUTCOME_MEANINGS)
    episodes = pd.DataFrame({"episode_id": ["a"], "treatment_contacts": [6], "phq9_first": [16],
                             "phq9_last": [7], "gad7_first": [12], "gad7_last": [5]})
    assert set(funnel(classify(episodes))["stage"]) == set(FUNNEL_STAGE_LABELS)
    assert outcome_label("reliable_recovery") == "reliably recovered"
    assert outcome_label("something_new") == "something new"
    with pytest.raises(TypeError):
        OUTCOME_LABELS["recovered"] = "x"  # read-only: one table, changed in one place


def test_format_imports_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, iaptlab.format; "
            "sys.exit(any(m in sys.modules for m in ('pandas', 'numpy', 'altair')))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the wording of a missing rate, money and model chances (used by explorers and charts) ---

@pytest.mark.parametrize("missing_rate", [float("nan"), None, np.nan, pd.NA])
def test_percent_text_words_a_missing_rate_as_asked(missing_rate):
    assert percent_text(missing_rate, missing="–") == "–"
    assert percent_text(missing_rate) == EMPTY_DENOMINATOR
    assert percent_texts([0.5, missing_rate], missing="no one enters") == ["50.0%", "no one enters"]


@given(st.floats(min_value=-2, max_value=2, allow_nan=False), st.integers(0, 3))
def test_missing_wording_never_changes_a_known_rate(rate, digits):
    assert percent_text(rate, digits, missing="–") == percent_text(rate, digits)


@pytest.mark.parametrize(("pounds", "text"), [
    (0, "£0"), (1234.4, "£1,234"), (1234.6, "£1,235"), (455_000_000, "£455,000,000"),
])
def test_money_text_whole_pounds_with_separators(pounds, text):
    assert money_text(pounds) == text


@pytest.mark.parametrize("not_finite", [float("inf"), float("-inf"), float("nan"), None])
def test_money_text_says_when_a_cost_cannot_be_worked_out(not_finite):
    assert money_text(not_finite) == "undefined (none counted)"
    assert money_text(not_finite, missing="–") == "–"


@pytest.mark.parametrize(("probability", "text"), [
    (0.0, "less than 1%"), (0.004, "less than 1%"), (0.005, "less than 1%"), (0.0051, "1%"),
    (0.42, "42%"), (0.9949, "99%"), (0.995, "more than 99%"), (1.0, "more than 99%"),
])
def test_chance_text_never_says_impossible_or_certain(probability, text):
    assert chance_text(probability) == text


@given(st.floats(min_value=0, max_value=1))
def test_chance_text_is_never_zero_or_a_hundred_percent(probability):
    assert chance_text(probability) not in {"0%", "100%"}


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), None])
def test_chance_text_rejects_what_is_not_a_probability(bad):
    with pytest.raises(ParameterError, match="probability"):
        chance_text(bad)


def test_counts_of_texts_pairs_each_count_with_its_denominator():
    assert counts_of_texts([0, 1234], [0, 1_000_000]) == ["0 of 0", "1,234 of 1,000,000"]
    with pytest.raises(ValueError):
        counts_of_texts([1, 2], [3])
    with pytest.raises(ParameterError, match="whole number"):
        counts_of_texts([1.5], [3])
