"""Item responses to totals, bands, caseness and the item-9 flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.errors import InputError
from iaptlab.instruments import GAD7, PHQ9, adsm_names, lookup
from iaptlab.scoring import band, caseness, item_columns, score, totals

PHQ = item_columns("PHQ-9")
GAD = item_columns("GAD-7")


def answers(rows, cols=PHQ) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=cols)


def test_instrument_data_matches_the_official_table():
    assert (PHQ9.score_min, PHQ9.score_max, len(PHQ9.items)) == (0, 27, 9)
    assert (GAD7.score_min, GAD7.score_max, len(GAD7.items)) == (0, 21, 7)
    assert [b.low for b in PHQ9.bands] == [0, 5, 10, 15, 20]
    assert [b.low for b in GAD7.bands] == [0, 5, 10, 15]
    assert adsm_names() == ("SPIN", "PDSS", "PCL-5", "OCI", "HAI", "MI")
    assert (lookup("MI").caseness, lookup("MI").caseness_comparison) == (2.3, ">")
    assert (lookup("PDSS").reliable_change, lookup("PDSS").reliable_change_comparison) == (5, ">")


@pytest.mark.parametrize(("total", "label"), [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"),
                                              (10, "moderate"), (14, "moderate"), (15, "moderately severe"),
                                              (19, "moderately severe"), (20, "severe"), (27, "severe")])
def test_phq9_bands_at_every_edge(total, label):
    assert band(pd.Series([total]), "PHQ-9").iloc[0] == label


@pytest.mark.parametrize(("total", "label"), [(4, "minimal"), (5, "mild"), (10, "moderate"), (14, "moderate"),
                                              (15, "severe"), (21, "severe")])
def test_gad7_bands(total, label):
    assert band(pd.Series([total]), "GAD-7").iloc[0] == label


@pytest.mark.parametrize(("inst", "below", "at"), [("PHQ-9", 9, 10), ("GAD-7", 7, 8)])
def test_caseness_edges(inst, below, at):
    assert caseness(pd.Series([below, at]), inst).tolist() == [False, True]


def test_missing_total_gives_missing_band_and_caseness():
    assert band(pd.Series([np.nan]), "PHQ-9").iloc[0] is None
    assert caseness(pd.Series([np.nan]), "PHQ-9").iloc[0] is pd.NA


def test_totals_sum_items():
    df = answers([[0] * 9, [3] * 9, [1, 2, 3, 0, 1, 2, 3, 0, 1]])
    assert totals(df, "PHQ-9").tolist() == [0, 27, 13]


def test_missing_policy_none_and_prorate():
    one_missing = [1, 1, 1, 1, 1, 1, 1, 1, None]   # 8 answered, sum 8 -> 8 * 9/8 = 9
    two_missing = [1, 1, 1, 1, 1, 1, 1, None, None]
    odd = [3, 3, 3, 3, 3, 3, 3, 2, None]            # sum 23 -> 23 * 9 / 8 = 25.875 -> 26
    df = answers([one_missing, two_missing, odd])
    assert totals(df, "PHQ-9").isna().all()
    assert totals(df, "PHQ-9", missing="prorate").tolist() == [9, pd.NA, 26]


def test_prorate_rounds_halves_up():
    # GAD-7 with one missing: sum * 7/6. Sum 3 -> 3.5 -> 4.
    df = answers([[1, 1, 1, 0, 0, 0, None]], GAD)
    assert totals(df, "GAD-7", missing="prorate").tolist() == [4]


def test_unknown_missing_policy():
    with pytest.raises(InputError, match="missing must be"):
        totals(answers([[0] * 9]), "PHQ-9", missing="impute")  # type: ignore[arg-type]


def test_every_bad_item_reported_with_row_and_column():
    df = answers([[0] * 9, [4, 0, 0, 0, 0, 0, 0, 0, -1], [0, "two", 0, 0, 0, 0, 0, 1.5, 0]])
    with pytest.raises(InputError) as err:
        totals(df, "PHQ-9")
    assert [str(p) for p in err.value.problems] == [
        "row 3, column phq9_1: must be a whole number 0-3, got 4",
        "row 3, column phq9_9: must be a whole number 0-3, got -1",
        "row 4, column phq9_2: must be a whole number 0-3, got 'two'",
        "row 4, column phq9_8: must be a whole number 0-3, got 1.5",
    ]


def test_wrong_item_columns():
    df = answers([[0] * 9]).rename(columns={"phq9_9": "phq9_10"})
    with pytest.raises(InputError) as err:
        totals(df, "PHQ-9")
    assert {p.column for p in err.value.problems} == {"phq9_9", "phq9_10"}


@pytest.mark.parametrize(("item9", "flag"), [(0, False), (1, True), (3, True), (None, pd.NA)])
def test_item9_flag_whatever_the_total(item9, flag):
    out = score(answers([[0, 0, 0, 0, 0, 0, 0, 0, item9]]), "PHQ-9", missing="prorate")
    got = out["item9_flag"].iloc[0]
    assert got is pd.NA if flag is pd.NA else bool(got) is flag


def test_gad7_has_no_item9_flag():
    assert "item9_flag" not in score(answers([[0] * 7], GAD), "GAD-7").columns


@given(st.lists(st.lists(st.integers(0, 3), min_size=9, max_size=9), min_size=1, max_size=20))
def test_total_in_range_and_prorate_equals_plain_when_complete(rows):
    df = answers(rows)
    plain = totals(df, "PHQ-9")
    assert plain.tolist() == totals(df, "PHQ-9", missing="prorate").tolist()
    assert plain.between(0, 27).all()
    assert plain.tolist() == [sum(r) for r in rows]


@pytest.mark.parametrize("values", [[31, 32], np.array([31, 32]), pd.Series([31, 32])])
def test_band_and_caseness_accept_lists_arrays_and_series(values):
    assert caseness(values, "PCL-5").tolist() == [False, True]
    assert band([v - 10 for v in values], "PHQ-9").tolist() == ["severe", "severe"]


def test_band_refuses_totals_outside_the_scale():
    with pytest.raises(InputError) as err:
        band(pd.Series([27, 28, -1]), "PHQ-9")
    assert [str(p) for p in err.value.problems] == [
        "row 3, column total: PHQ-9 totals run from 0 to 27, got 28",
        "row 4, column total: PHQ-9 totals run from 0 to 27, got -1"]
