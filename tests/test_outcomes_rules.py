"""Every IAPT rule at its edges (DESIGN.md §4; the NHS Digital guide v2.1, nhsd_guide_v21)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import episode, table

from iaptlab.errors import InputError, ParameterError
from iaptlab.outcomes import IAPT, IAPT_STRICT, Rules, Threshold, classify, rates


def one(rules=IAPT, **overrides) -> dict:
    row = classify(table(episode(**overrides)), rules).iloc[0]
    return {k: (bool(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in row.items()}


# --- caseness at the threshold -------------------------------------------------------------

@pytest.mark.parametrize(("phq9_first", "expected"), [(9, False), (10, True), (11, True)])
def test_phq9_caseness_is_inclusive_at_10(phq9_first, expected):
    assert one(phq9_first=phq9_first, gad7_first=3, gad7_last=1, phq9_last=0)["caseness_first"] is expected


@pytest.mark.parametrize(("gad7_first", "expected"), [(7, False), (8, True)])
def test_gad7_caseness_is_inclusive_at_8(gad7_first, expected):
    assert one(phq9_first=5, phq9_last=2, gad7_first=gad7_first, gad7_last=1)["caseness_first"] is expected


def test_caseness_on_either_measure_is_enough_at_start():
    assert one(phq9_first=9, gad7_first=8)["caseness_first"] is True
    assert one(phq9_first=10, gad7_first=7)["caseness_first"] is True
    assert one(phq9_first=9, gad7_first=7, phq9_last=2, gad7_last=2)["caseness_first"] is False


@pytest.mark.parametrize(("phq9_last", "gad7_last", "recovered"),
                         [(9, 7, True), (10, 7, False), (9, 8, False), (10, 8, False)])
def test_recovery_needs_both_last_scores_below_caseness(phq9_last, gad7_last, recovered):
    assert one(phq9_first=20, gad7_first=15, phq9_last=phq9_last, gad7_last=gad7_last)["recovered"] is recovered


def test_not_at_caseness_at_start_cannot_recover():
    flags = one(phq9_first=9, gad7_first=7, phq9_last=0, gad7_last=0)
    assert flags["recovered"] is False and flags["reliable_recovery"] is False
    assert flags["reliable_improvement"] is True  # a drop of 9 on PHQ-9 is still reliable


# --- reliable change at the threshold: inclusive vs strict ----------------------------------

@pytest.mark.parametrize(("drop", "inclusive", "strict"), [(5, False, False), (6, True, False), (7, True, True)])
def test_phq9_reliable_drop_6(drop, inclusive, strict):
    kw = {"phq9_first": 20, "phq9_last": 20 - drop, "gad7_first": 10, "gad7_last": 10}
    assert one(IAPT, **kw)["reliable_improvement"] is inclusive
    assert one(IAPT_STRICT, **kw)["reliable_improvement"] is strict


@pytest.mark.parametrize(("drop", "inclusive", "strict"), [(3, False, False), (4, True, False), (5, True, True)])
def test_gad7_reliable_drop_4(drop, inclusive, strict):
    kw = {"phq9_first": 12, "phq9_last": 12, "gad7_first": 15, "gad7_last": 15 - drop}
    assert one(IAPT, **kw)["reliable_improvement"] is inclusive
    assert one(IAPT_STRICT, **kw)["reliable_improvement"] is strict


@pytest.mark.parametrize(("rise", "expected"), [(5, False), (6, True)])
def test_reliable_deterioration_mirrors_improvement(rise, expected):
    flags = one(phq9_first=10, phq9_last=10 + rise, gad7_first=9, gad7_last=9)
    assert flags["reliable_deterioration"] is expected
    assert flags["reliable_improvement"] is False
    assert flags["no_reliable_change"] is (not expected)


def test_reliable_drop_on_one_and_rise_on_other_is_mixed_not_either():
    flags = one(phq9_first=20, phq9_last=10, gad7_first=5, gad7_last=12)
    assert flags["mixed_change"] is True
    assert flags["reliable_improvement"] is False
    assert flags["reliable_deterioration"] is False
    assert flags["no_reliable_change"] is False
    assert flags["reliable_recovery"] is False


def test_recovered_but_deteriorated_on_one_measure_is_possible():
    # The guide itself notes an episode can "show recovery but also deteriorate".
    flags = one(phq9_first=10, phq9_last=9, gad7_first=0, gad7_last=7)
    assert flags["recovered"] is True
    assert flags["reliable_deterioration"] is True
    assert flags["reliable_recovery"] is False


# --- finished and paired ---------------------------------------------------------------------

@pytest.mark.parametrize(("contacts", "finished"), [(0, False), (1, False), (2, True), (3, True)])
def test_finished_means_two_or_more_treatment_contacts(contacts, finished):
    flags = one(treatment_contacts=contacts)
    assert flags["finished"] is finished
    assert flags["recovered"] is finished


@pytest.mark.parametrize("missing", ["phq9_first", "phq9_last", "gad7_first", "gad7_last"])
def test_any_missing_score_means_unpaired_and_no_outcome(missing):
    flags = one(**{missing: None})
    assert flags["paired"] is False
    for name in ("recovered", "reliable_improvement", "reliable_deterioration", "no_reliable_change",
                 "mixed_change", "reliable_recovery"):
        assert flags[name] is False


def test_min_treatment_contacts_is_a_rule_value():
    rules = IAPT.adjusted(min_treatment_contacts=3)
    assert one(rules, treatment_contacts=2)["finished"] is False
    assert one(rules, treatment_contacts=3)["finished"] is True


# --- ADSMs ------------------------------------------------------------------------------------

def test_adsm_replaces_gad7_when_both_scores_exist():
    # GAD-7 says not recovered (last 9 >= 8) but SPIN says recovered (last 10 < 19).
    flags = one(gad7_first=15, gad7_last=9, adsm="spin", adsm_first=40, adsm_last=10)
    assert flags["anxiety_measure"] == "SPIN"
    assert flags["recovered"] is True


def test_adsm_with_missing_last_score_falls_back_to_gad7():
    flags = one(gad7_first=15, gad7_last=9, adsm="SPIN", adsm_first=40, adsm_last=None)
    assert flags["anxiety_measure"] == "GAD-7"
    assert flags["recovered"] is False


def test_mobility_inventory_caseness_is_strictly_above_2_3():
    at = one(phq9_first=5, phq9_last=2, adsm="MI", adsm_first=2.3, adsm_last=1.0)
    above = one(phq9_first=5, phq9_last=2, adsm="MI", adsm_first=2.31, adsm_last=1.0)
    assert at["caseness_first"] is False and above["caseness_first"] is True
    assert above["recovered"] is True


@pytest.mark.parametrize(("name", "case", "rc", "rc_strict"), [
    ("SPIN", 19, 10, False), ("PDSS", 8, 5, True), ("PCL-5", 32, 10, False),
    ("OCI", 40, 32, False), ("HAI", 18, 4, False)])
def test_each_adsm_caseness_and_reliable_change_edges(name, case, rc, rc_strict):
    base = {"phq9_first": 5, "phq9_last": 5, "adsm": name}
    assert one(**base, adsm_first=case - 1, adsm_last=0)["caseness_first"] is False
    assert one(**base, adsm_first=case, adsm_last=0)["caseness_first"] is True
    start = case + rc + 2
    exactly = one(**base, adsm_first=start, adsm_last=start - rc)["reliable_improvement"]
    assert exactly is (not rc_strict)  # PDSS prints "> 5" in the official table
    assert one(**base, adsm_first=start, adsm_last=start - rc - 1)["reliable_improvement"] is True
    assert one(**base, adsm_first=start, adsm_last=start - rc + 1)["reliable_improvement"] is False


def test_mi_reliable_change_of_0_73():
    base = {"phq9_first": 5, "phq9_last": 5, "adsm": "mi", "adsm_first": 3.0}
    assert one(**base, adsm_last=3.0 - 0.73)["reliable_improvement"] is True
    assert one(**base, adsm_last=3.0 - 0.72)["reliable_improvement"] is False


def test_use_adsm_false_uses_gad7_for_everyone():
    flags = one(IAPT.adjusted(use_adsm=False), gad7_first=15, gad7_last=9, adsm="SPIN",
                adsm_first=40, adsm_last=10)
    assert flags["anxiety_measure"] == "GAD-7" and flags["recovered"] is False


# --- rules as values --------------------------------------------------------------------------

def test_rules_are_frozen_hashable_values():
    assert hash(IAPT) == hash(Rules())
    assert IAPT == Rules()
    assert IAPT != IAPT_STRICT
    with pytest.raises(AttributeError):
        IAPT.min_treatment_contacts = 3  # type: ignore[misc]


def test_strict_preset_only_changes_reliable_change_comparisons():
    assert IAPT_STRICT.caseness == IAPT.caseness
    assert all(t.comparison == ">" for t in IAPT_STRICT.reliable_change.values())
    assert IAPT.reliable_change["phq9"] == Threshold(6, ">=")


@pytest.mark.parametrize("bad", [{"min_treatment_contacts": -1}, {"denominator": "everyone"},
                                 {"caseness": {"phq9": Threshold(10)}}])
def test_bad_rules_name_the_parameter(bad):
    with pytest.raises(ParameterError) as err:
        Rules(**bad)
    assert next(iter(bad)) in str(err.value)


def test_threshold_rejects_unknown_comparison():
    with pytest.raises(ParameterError):
        Threshold(10, "=>")  # type: ignore[arg-type]


def test_invalid_rows_raise_by_default_and_are_kept_when_excluding():
    df = table(episode(), episode(phq9_last=28))
    with pytest.raises(InputError) as err:
        classify(df)
    assert "row 3, column phq9_last" in str(err.value)
    out = classify(df, on_invalid="exclude")
    assert len(out) == 2
    assert out.loc[1, "excluded_reason"].startswith("phq9_last")
    assert not out.loc[1, "recovered"]
    r = rates(out).set_index("outcome")
    assert r.loc["recovered", "denominator"] == 1


def test_skipping_invalid_rows_gives_the_excluding_tables_valid_rows_and_rates():
    df = table(episode(), episode(phq9_last=28), episode(phq9_first=20, phq9_last=3))
    skipped = classify(df, on_invalid="skip")
    excluded = classify(df, on_invalid="exclude")
    kept = excluded[excluded["excluded_reason"] == ""].drop(columns="excluded_reason")
    assert len(skipped) == 2 and "excluded_reason" not in skipped.columns
    # the same cells (merging with excluded rows makes some columns object, so compare as objects)
    assert skipped.columns.tolist() == kept.columns.tolist()
    assert skipped.astype(object).values.tolist() == kept.astype(object).values.tolist()
    pd.testing.assert_frame_equal(rates(skipped), rates(excluded))


def test_unknown_on_invalid_and_non_rules_are_refused():
    with pytest.raises(ParameterError, match="'raise', 'exclude' or 'skip'"):
        classify(table(episode()), on_invalid="drop")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="Rules value"):
        classify(table(episode()), None, on_invalid="skip")  # type: ignore[arg-type]


def test_zero_denominator_gives_nan_rate_not_an_error():
    r = rates(classify(table(episode(treatment_contacts=0)))).set_index("outcome")
    assert r.loc["recovered", "denominator"] == 0
    assert math.isnan(r.loc["recovered", "rate"])


@pytest.mark.parametrize("start", [round(x, 2) for x in np.arange(1.73, 5.0, 0.07)])
def test_decimal_mi_drop_of_exactly_0_73_is_reliable_despite_float_rounding(start):
    base = {"phq9_first": 5, "phq9_last": 5, "adsm": "MI", "adsm_first": start}
    last = round(start - 0.73, 2)
    assert one(**base, adsm_last=last)["reliable_improvement"] is True
    assert one(IAPT_STRICT, **base, adsm_last=last)["reliable_improvement"] is False
