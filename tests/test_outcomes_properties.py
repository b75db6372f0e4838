"""Invariants of the outcome rules (hypothesis) and the published 2014-15 subgroup check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.outcomes import IAPT, IAPT_STRICT, classify, funnel, rates

score = lambda hi: st.one_of(st.none(), st.integers(0, hi))  # noqa: E731
episodes = st.lists(st.fixed_dictionaries({
    "treatment_contacts": st.integers(0, 12), "phq9_first": score(27), "phq9_last": score(27),
    "gad7_first": score(21), "gad7_last": score(21)}), min_size=1, max_size=40)


def frame(rows) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows)
    df.insert(0, "episode_id", [f"e{i}" for i in range(len(df))])
    return df


def b(df, col):
    return df[col].to_numpy(dtype=bool)


@given(episodes, st.sampled_from([IAPT, IAPT_STRICT]))
def test_subset_chain_and_disjoint_change_categories(rows, rules):
    out = classify(frame(rows), rules)
    eligible = b(out, "finished") & b(out, "paired")
    assert not (b(out, "reliable_recovery") & ~b(out, "recovered")).any()
    assert not (b(out, "recovered") & ~(eligible & b(out, "caseness_first"))).any()
    change = np.stack([b(out, c) for c in ("reliable_improvement", "reliable_deterioration",
                                           "no_reliable_change", "mixed_change")])
    assert (change.sum(axis=0) == eligible.astype(int)).all()  # exactly one category when eligible


@given(episodes)
def test_strict_reading_never_finds_more_reliable_improvement(rows):
    df = frame(rows)
    inclusive, strict = classify(df, IAPT), classify(df, IAPT_STRICT)
    assert not (b(strict, "reliable_improvement") & ~b(inclusive, "reliable_improvement")
                & ~b(inclusive, "mixed_change")).any()
    assert b(strict, "reliable_recovery").sum() <= b(inclusive, "reliable_recovery").sum() + \
        b(inclusive, "mixed_change").sum()


@given(episodes, st.integers(1, 26), st.integers(1, 26))
def test_recovery_denominator_shrinks_as_phq9_caseness_rises(rows, low, high):
    low, high = sorted((low, high))
    df = frame(rows)
    at_low = classify(df, IAPT.adjusted(phq9_caseness=low))
    at_high = classify(df, IAPT.adjusted(phq9_caseness=high))
    assert not (b(at_high, "caseness_first") & ~b(at_low, "caseness_first")).any()


@given(episodes, st.integers(1, 12), st.integers(1, 12))
def test_reliable_drop_monotone_in_threshold(rows, low, high):
    low, high = sorted((low, high))
    df = frame(rows)
    strict_more = classify(df, IAPT.adjusted(phq9_reliable_change=high, gad7_reliable_change=high))
    lenient = classify(df, IAPT.adjusted(phq9_reliable_change=low, gad7_reliable_change=low))
    moved = b(strict_more, "reliable_improvement") | b(strict_more, "mixed_change")
    assert not (moved & ~(b(lenient, "reliable_improvement") | b(lenient, "mixed_change"))).any()


@given(episodes, st.integers(2, 6))
def test_more_contacts_required_never_adds_finishers(rows, k):
    df = frame(rows)
    assert (b(classify(df, IAPT.adjusted(min_treatment_contacts=k)), "finished")
            <= b(classify(df, IAPT), "finished")).all()


@given(episodes)
def test_funnel_is_monotone_and_rates_bounded(rows):
    out = classify(frame(rows))
    counts = funnel(out)["count"].to_numpy()
    assert (np.diff(counts) <= 0).all()
    r = rates(out)
    assert ((r["numerator"] <= r["denominator"]) & (r["numerator"] >= 0)).all()


def published_subgroup_table() -> pd.DataFrame:
    """Episodes reproducing the published 2014-15 counts for heterosexual referrals.

    Published: finished 265,833; at caseness 238,253; not at caseness 26,282; recovered 126,891.
    The remaining 1,298 finishers have caseness unknown (no first anxiety score here).
    """
    finished, at_case, not_case, recovered = 265_833, 238_253, 26_282, 126_891
    unknown = finished - at_case - not_case
    n = finished
    phq_first = np.r_[np.full(at_case, 15), np.full(not_case, 5), np.full(unknown, 5)]
    gad_first = np.r_[np.full(at_case, 12), np.full(not_case, 4), np.full(unknown, np.nan)]
    phq_last = np.r_[np.full(recovered, 4), np.full(at_case - recovered, 14), np.full(not_case + unknown, 4)]
    gad_last = np.r_[np.full(recovered, 3), np.full(at_case - recovered, 12), np.full(not_case, 3),
                     np.full(unknown, np.nan)]
    return pd.DataFrame({"episode_id": np.arange(n).astype(str), "treatment_contacts": np.full(n, 5),
                         "phq9_first": phq_first, "phq9_last": phq_last,
                         "gad7_first": gad_first, "gad7_last": gad_last})


def test_published_2014_15_heterosexual_subgroup_both_denominators():
    df = published_subgroup_table()
    for rules, expected_den, expected_pct in (
            (IAPT, 238_253, 53.26), (IAPT.adjusted(denominator="finished_minus_not_at_caseness"),
                                     265_833 - 26_282, 52.97)):
        r = rates(classify(df, rules), rules).set_index("outcome").loc["recovered"]
        assert r["numerator"] == 126_891
        assert r["denominator"] == expected_den
        assert round(100 * r["rate"], 2) == pytest.approx(expected_pct)


@given(episodes, st.sampled_from([IAPT, IAPT_STRICT]), st.data())
def test_caseness_first_given_as_the_rules_compute_it_changes_nothing(rows, rules, data):
    from iaptlab.outcomes import flag_arrays, rate_counts
    from iaptlab.schema import validate

    table = frame(rows)
    plain = classify(table, rules)
    same = classify(table, rules, caseness_first=plain["caseness_first"].to_numpy(dtype=bool))
    pd.testing.assert_frame_equal(plain, same)
    # any other start: recovered is exactly finished, paired, at the given start, not at caseness last
    start = np.array(data.draw(st.lists(st.booleans(), min_size=len(table), max_size=len(table))),
                     dtype=bool)
    moved = classify(table, rules, caseness_first=start)
    expected = b(moved, "finished") & b(moved, "paired") & start & ~b(moved, "caseness_last")
    assert (b(moved, "recovered") == expected).all()
    assert (b(moved, "reliable_recovery") == (expected & b(moved, "reliable_improvement"))).all()
    # the array-level functions agree with the table-level ones
    arrays = flag_arrays(validate(table).table, rules)
    counted = rates(plain, rules).set_index("outcome")
    for outcome in ("recovered", "reliable_improvement", "reliable_recovery"):
        assert rate_counts(arrays, outcome, rules) == tuple(counted.loc[outcome, ["numerator",
                                                                                  "denominator"]])
