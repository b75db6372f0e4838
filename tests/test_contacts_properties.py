"""Property tests for from_contacts: invariants, and agreement with a plain-Python reading of the rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab.episodes import CONTACT_TYPES, ContactRules, from_contacts, validate_contacts

MEASURES = ("phq9", "gad7")


@st.composite
def contact_tables(draw) -> pd.DataFrame:
    """Random valid contact tables: a few referrals, unique contact numbers, gaps and missing scores."""
    rows = []
    for ref in range(draw(st.integers(1, 5))):
        numbers = draw(st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True))
        ended = draw(st.booleans())
        for number in numbers:
            rows.append({
                "referral_id": f"R{ref}",
                "contact_number": number,
                "contact_type": draw(st.sampled_from(CONTACT_TYPES)),
                "attended": draw(st.booleans()),
                "phq9": draw(st.one_of(st.none(), st.integers(0, 27))),
                "gad7": draw(st.one_of(st.none(), st.integers(0, 21))),
                "referral_ended": ended,
            })
    table = pd.DataFrame(rows)
    for col in MEASURES:
        table[col] = table[col].astype(float)
    return table


def oracle(table: pd.DataFrame, rules: ContactRules) -> dict[str, dict[str, float]]:
    """The rules as a lecturer would write them on the board, one referral at a time."""
    usable_types = {"treatment"} | ({"assessment"} if rules.first_score_from_assessment else set())
    counted = {"treatment"} | ({"assessment"} if rules.assessment_counts_as_treatment else set())
    out = {}
    for ref, group in table.groupby("referral_id"):
        group = group.sort_values("contact_number")
        record = {"treatment_contacts": int((group["attended"] & group["contact_type"].isin(counted)).sum())}
        for measure in MEASURES:
            scored = [(r["contact_number"], r[measure]) for _, r in group.iterrows()
                      if r["attended"] and r["contact_type"] in usable_types and not math.isnan(r[measure])]
            first = scored[0] if scored else (math.nan, math.nan)
            last = scored[-1] if scored else (math.nan, math.nan)
            record.update({f"{measure}_first": first[1], f"{measure}_last": last[1],
                           f"{measure}_first_contact": first[0], f"{measure}_last_contact": last[0]})
        record["referral_ended"] = bool(group["referral_ended"].iloc[0])
        out[ref] = record
    return out


rules_strategy = st.builds(ContactRules, st.booleans(), st.booleans(), st.booleans())


def _as_float(value) -> float:
    return math.nan if pd.isna(value) else float(value)


@settings(max_examples=150, deadline=None)
@given(contact_tables(), rules_strategy)
def test_agrees_with_the_plain_reading_of_the_rules(table, rules):
    got = from_contacts(table, rules).set_index("episode_id")
    expected = oracle(table, rules)
    assert sorted(got.index) == sorted(expected)
    for ref, record in expected.items():
        for key, value in record.items():
            mine = got.loc[ref, key]
            if isinstance(value, bool):
                assert bool(mine) is value, (ref, key)
            else:
                assert (math.isnan(value) and pd.isna(mine)) or _as_float(mine) == value, (ref, key, mine, value)


@settings(max_examples=100, deadline=None)
@given(contact_tables(), rules_strategy, st.randoms(use_true_random=False))
def test_invariants_and_row_order_independence(table, rules, rng):
    episodes = from_contacts(table, rules)
    # one row per referral, ids unique
    assert episodes["episode_id"].is_unique and set(episodes["episode_id"]) == set(table["referral_id"])
    # treatment contacts <= attended contacts <= contacts
    sizes = table.groupby("referral_id").size().reindex(episodes["episode_id"]).to_numpy()
    assert (episodes["treatment_contacts"] <= episodes["attended_contacts"]).all()
    assert (episodes["attended_contacts"].to_numpy() <= sizes).all()
    usable_types = {"treatment"} | ({"assessment"} if rules.first_score_from_assessment else set())
    indexed = table.set_index(["referral_id", "contact_number"])
    for measure in MEASURES:
        first, last = episodes[f"{measure}_first_contact"], episodes[f"{measure}_last_contact"]
        both = first.notna() & last.notna()
        assert (first[both] <= last[both]).all()
        # a score is present exactly when its provenance is, and comes from that very contact,
        # which is attended and of a usable type
        for end in ("first", "last"):
            assert (episodes[f"{measure}_{end}"].notna() == episodes[f"{measure}_{end}_contact"].notna()).all()
            for ref, number, score in zip(episodes["episode_id"], episodes[f"{measure}_{end}_contact"],
                                          episodes[f"{measure}_{end}"], strict=True):
                if pd.isna(number):
                    continue
                contact = indexed.loc[(ref, int(number))]
                assert contact["attended"] and contact["contact_type"] in usable_types
                assert contact[measure] == score
    shuffled = table.sample(frac=1, random_state=rng.randrange(2 ** 32)).reset_index(drop=True)
    pd.testing.assert_frame_equal(from_contacts(shuffled, rules), episodes)


@settings(max_examples=60, deadline=None)
@given(contact_tables())
def test_text_cells_read_like_typed_ones(table):
    """The same table saved as text (as a CSV is read) gives the same episodes."""
    text = table.astype(object).where(table.notna(), "").astype(str)
    text["attended"] = np.where(table["attended"], "Yes", "no")
    text["contact_type"] = text["contact_type"].str.upper()
    assert validate_contacts(text).ok
    pd.testing.assert_frame_equal(from_contacts(text), from_contacts(table))
