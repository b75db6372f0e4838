"""Contact records -> episode table: the cases issue 11 names, rule edges, validation and the CLI.

Expected values are worked out by hand from the contacts written in each test.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iaptlab.cli import main
from iaptlab.episodes import (
    CONTACT_RULES,
    ContactRules,
    from_contacts,
    read_contact_csv,
    validate_contacts,
)
from iaptlab.errors import InputError, ParameterError
from iaptlab.outcomes import IAPT, classify

COLUMNS = ["referral_id", "contact_number", "contact_type", "attended", "phq9", "gad7", "referral_ended"]


def contacts(*rows, ended="yes", **extra) -> pd.DataFrame:
    """rows: (referral, number, type, attended, phq9, gad7); referral_ended the same on every row."""
    table = pd.DataFrame([(*r, ended) for r in rows], columns=COLUMNS)
    for name, values in extra.items():
        table[name] = values
    return table


def one(table: pd.DataFrame, rules=CONTACT_RULES) -> pd.Series:
    out = from_contacts(table, rules)
    assert len(out) == 1
    return out.iloc[0]


def problems(table: pd.DataFrame) -> list[str]:
    return [str(p) for p in validate_contacts(table).problems]


# --- the cases the issue names -------------------------------------------------------------

def test_scores_only_at_assessment_give_first_equal_last_from_one_contact_and_no_pair():
    table = contacts(("R", 1, "assessment", "yes", 16, 12), ("R", 2, "treatment", "yes", None, None),
                     ("R", 3, "treatment", "yes", None, None))
    ep = one(table)
    assert (ep["phq9_first"], ep["phq9_last"]) == (16, 16)
    assert ep["phq9_first_contact"] == ep["phq9_last_contact"] == 1
    assert ep["treatment_contacts"] == 2
    flags = classify(from_contacts(table))
    assert bool(flags.loc[0, "finished"]) and not bool(flags.loc[0, "paired"])
    lenient = replace(IAPT, contacts=ContactRules(paired_needs_two_contacts=False))
    assert bool(classify(from_contacts(table), lenient).loc[0, "paired"])


def test_missing_score_at_the_last_session_uses_the_last_available_score():
    ep = one(contacts(("R", 1, "assessment", "yes", 18, 14), ("R", 2, "treatment", "yes", 12, 9),
                      ("R", 3, "treatment", "yes", None, 7)))
    assert (ep["phq9_last"], ep["phq9_last_contact"]) == (12, 2)
    assert (ep["gad7_last"], ep["gad7_last_contact"]) == (7, 3)


def test_unattended_contact_carrying_a_score_is_ignored_and_not_counted():
    ep = one(contacts(("R", 1, "assessment", "yes", 18, 14), ("R", 2, "treatment", "yes", 12, 9),
                      ("R", 3, "treatment", "no", 3, 2)))
    assert (ep["phq9_last"], ep["gad7_last"], ep["phq9_last_contact"]) == (12, 9, 2)
    assert ep["treatment_contacts"] == 1 and ep["attended_contacts"] == 2


def test_follow_up_and_employment_support_after_the_end_are_neither_scores_nor_treatment():
    ep = one(contacts(("R", 1, "assessment", "yes", 18, 14), ("R", 2, "treatment", "yes", 12, 9),
                      ("R", 3, "treatment", "yes", 9, 7), ("R", 4, "follow_up", "yes", 2, 1),
                      ("R", 5, "employment_support", "yes", 1, 1), ("R", 6, "other", "yes", 0, 0)))
    assert (ep["phq9_last"], ep["gad7_last"], ep["phq9_last_contact"]) == (9, 7, 3)
    assert ep["treatment_contacts"] == 2 and ep["attended_contacts"] == 6


def test_adsm_recorded_only_from_the_third_contact():
    table = contacts(("R", 1, "assessment", "yes", 18, 14), ("R", 2, "treatment", "yes", 15, 12),
                     ("R", 3, "treatment", "yes", 12, 10), ("R", 4, "treatment", "yes", 8, 9),
                     adsm=["", "", "spin", "SPIN"], adsm_score=["", "", 40, 15])
    ep = one(table)
    assert ep["adsm"] == "SPIN"
    assert (ep["adsm_first"], ep["adsm_last"]) == (40, 15)
    assert (ep["adsm_first_contact"], ep["adsm_last_contact"]) == (3, 4)
    flags = classify(from_contacts(table))
    assert flags.loc[0, "anxiety_measure"] == "SPIN"
    # GAD-7 last 9 >= 8 would block recovery; SPIN 15 < 19 and PHQ-9 8 < 10 do not
    assert bool(flags.loc[0, "recovered"])


def test_a_referral_that_has_not_ended_has_not_finished():
    table = contacts(*[("R", k, "treatment", "yes", 15 - k, 10 - k) for k in range(1, 6)], ended="no")
    ep = from_contacts(table)
    assert not ep.loc[0, "referral_ended"] and ep.loc[0, "treatment_contacts"] == 5
    assert not bool(classify(ep).loc[0, "finished"])
    assert bool(classify(ep.drop(columns="referral_ended")).loc[0, "finished"])


# --- rule edges, both directions ----------------------------------------------------------

@pytest.mark.parametrize(("treatments", "finished"), [(1, False), (2, True), (3, True)])
def test_finished_needs_at_least_two_attended_treatment_contacts(treatments, finished):
    rows = [("R", 1, "assessment", "yes", 16, 12)]
    rows += [("R", 1 + k, "treatment", "yes", 10, 9) for k in range(1, treatments + 1)]
    ep = from_contacts(contacts(*rows))
    assert ep.loc[0, "treatment_contacts"] == treatments
    assert bool(classify(ep).loc[0, "finished"]) is finished


def test_assessment_counts_as_treatment_only_when_the_rule_says_so():
    table = contacts(("R", 1, "assessment", "yes", 16, 12), ("R", 2, "treatment", "yes", 8, 6))
    assert one(table)["treatment_contacts"] == 1
    assert one(table, ContactRules(assessment_counts_as_treatment=True))["treatment_contacts"] == 2
    clark = replace(IAPT, contacts=ContactRules(assessment_counts_as_treatment=True))
    assert not bool(classify(from_contacts(table)).loc[0, "recovered"])
    assert bool(classify(from_contacts(table, clark)).loc[0, "recovered"])
    assert one(table, clark)["treatment_contacts"] == 2  # a Rules is accepted (its .contacts is used)


def test_first_score_from_assessment_rule():
    table = contacts(("R", 1, "assessment", "yes", 16, 12), ("R", 2, "treatment", "yes", 13, 10),
                     ("R", 3, "treatment", "yes", 8, 6))
    assert (one(table)["phq9_first"], one(table)["phq9_first_contact"]) == (16, 1)
    strict = one(table, ContactRules(first_score_from_assessment=False))
    assert (strict["phq9_first"], strict["phq9_first_contact"], strict["phq9_last"]) == (13, 2, 8)


def test_paired_needs_different_contacts_on_both_measures():
    table = contacts(("R", 1, "assessment", "yes", 16, 12), ("R", 2, "treatment", "yes", 8, None),
                     ("R", 3, "treatment", "yes", None, None))
    ep = from_contacts(table)
    assert ep.loc[0, "phq9_last_contact"] == 2 and ep.loc[0, "gad7_last_contact"] == 1
    assert not bool(classify(ep).loc[0, "paired"])
    assert bool(classify(ep.drop(columns=["gad7_first_contact", "gad7_last_contact"])).loc[0, "paired"])


def test_single_adsm_score_falls_back_to_gad7_under_the_two_contact_rule():
    table = contacts(("R", 1, "assessment", "yes", 16, 12), ("R", 2, "treatment", "yes", 12, 9),
                     ("R", 3, "treatment", "yes", 8, 6), adsm=["", "", "PDSS"], adsm_score=["", "", 4])
    flags = classify(from_contacts(table))
    assert flags.loc[0, "anxiety_measure"] == "GAD-7" and bool(flags.loc[0, "paired"])
    lenient = replace(IAPT, contacts=ContactRules(paired_needs_two_contacts=False))
    assert classify(from_contacts(table), lenient).loc[0, "anxiety_measure"] == "PDSS"


def test_missing_scores_everywhere_give_empty_scores_and_provenance():
    ep = one(contacts(("R", 1, "assessment", "yes", None, ""), ("R", 2, "treatment", "yes", "", None)))
    assert np.isnan(ep["phq9_first"]) and np.isnan(ep["gad7_last"])
    assert pd.isna(ep["phq9_first_contact"]) and pd.isna(ep["gad7_last_contact"])
    assert not bool(classify(from_contacts(contacts(("R", 1, "treatment", "yes", "", "")))).loc[0, "paired"])


def test_contact_types_and_yes_no_are_case_insensitive():
    table = contacts(("R", 1, " Assessment", "Yes", 16, 12), ("R", 2, "TREATMENT", "TRUE", 12, 9),
                     ("R", 3, "Follow-Up", "1", 3, 2), ("R", 4, "Employment Support", "y", 1, 1),
                     ("R", 5, "treatment", "No", 0, 0), ended="YES")
    ep = one(table)
    assert (ep["treatment_contacts"], ep["attended_contacts"], ep["phq9_last"]) == (1, 4, 12)
    assert ep["referral_ended"]


def test_one_row_per_referral_in_id_order_whatever_the_row_order():
    table = contacts(("B", 2, "treatment", "yes", 9, 7), ("A", 1, "assessment", "yes", 20, 15),
                     ("B", 1, "assessment", "yes", 14, 11), ("A", 2, "treatment", "yes", 11, 8))
    ep = from_contacts(table)
    assert ep["episode_id"].tolist() == ["A", "B"]
    assert ep["phq9_first"].tolist() == [20, 14] and ep["phq9_last"].tolist() == [11, 9]
    assert ep["phq9_last_contact"].tolist() == [2, 2]


def test_invalid_rules_are_refused():
    with pytest.raises(ParameterError, match="hold one as .contacts"):
        from_contacts(contacts(("R", 1, "treatment", "yes", 1, 1)), rules="iapt")
    with pytest.raises(ParameterError, match="contacts must be"):
        replace(IAPT, contacts=True)


def test_classify_refuses_an_unreadable_referral_ended_naming_row():
    eps = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [3, 3], "phq9_first": [15, 15],
                        "phq9_last": [5, 5], "gad7_first": [10, 10], "gad7_last": [3, 3],
                        "referral_ended": ["yes", "perhaps"]})
    with pytest.raises(InputError, match="row 3, column referral_ended"):
        classify(eps)
    eps.loc[1, "referral_ended"] = "no"
    assert classify(eps)["finished"].tolist() == [True, False]


# --- validation: every problem, with row and column ---------------------------------------

def test_missing_required_columns_are_reported_together():
    with pytest.raises(InputError) as caught:
        validate_contacts(pd.DataFrame({"referral_id": ["R"], "phq9": [3]}))
    assert {p.column for p in caught.value.problems} == {
        "contact_number", "contact_type", "attended", "gad7", "referral_ended"}


def test_duplicate_contact_number_within_a_referral_names_both_rows():
    found = problems(contacts(("R", 1, "assessment", "yes", 1, 1), ("R", 2, "treatment", "yes", 1, 1),
                              ("S", 2, "treatment", "yes", 1, 1), ("R", 2, "treatment", "yes", 1, 1)))
    assert found == ["row 5, column contact_number: contact 2 appears more than once in referral 'R' "
                     "(first on row 3)"]


def test_disagreeing_referral_ended_is_an_error_on_the_odd_row():
    table = contacts(("R", 1, "assessment", "yes", 1, 1), ("R", 2, "treatment", "yes", 1, 1),
                     ("R", 3, "treatment", "yes", 1, 1))
    table["referral_ended"] = ["yes", "yes", "no"]
    found = problems(table)
    assert len(found) == 1 and found[0].startswith("row 4, column referral_ended: referral 'R'")
    with pytest.raises(InputError):
        from_contacts(table)


def test_two_adsms_in_one_referral_name_the_referral_and_rows():
    table = contacts(("R", 1, "assessment", "yes", 1, 1), ("R", 2, "treatment", "yes", 1, 1),
                     ("R", 3, "treatment", "yes", 1, 1), adsm=["SPIN", "", "pdss"], adsm_score=[30, "", 9])
    assert problems(table) == ["row 2, column adsm: referral 'R' names two different ADSMs "
                               "(SPIN on row 2; PDSS on row 4); a referral has one anxiety-disorder-specific measure"]


@pytest.mark.parametrize(("column", "value", "message"), [
    ("contact_number", 0, "must be a whole number 1 or more, got 0"),
    ("contact_number", "1.5", "must be a whole number 1 or more, got '1.5'"),
    ("contact_number", "x", "must be a whole number 1 or more, got 'x'"),
    ("contact_number", "", "is empty"),
    ("contact_type", "group", "must be assessment, treatment, follow_up, employment_support or other"),
    ("contact_type", "", "is empty"),
    ("attended", "maybe", "must be yes/no, true/false or 1/0, got 'maybe'"),
    ("attended", "", "is empty"),
    ("phq9", 28, "must be a whole number from 0 to 27, got 28"),
    ("phq9", -1, "must be a whole number from 0 to 27, got -1"),
    ("phq9", "12.5", "must be a whole number from 0 to 27"),
    ("gad7", 22, "must be a whole number from 0 to 21, got 22"),
    ("gad7", "lots", "must be a number or empty, got 'lots'"),
    ("referral_ended", "", "is empty"),
    ("referral_id", "", "is empty"),
])
def test_bad_cells_are_named_by_row_and_column(column, value, message):
    table = contacts(("R", 1, "assessment", "yes", 27, 21), ("R", 2, "treatment", "yes", 0, 0))
    table[column] = table[column].astype(object)
    table.loc[1, column] = value
    found = [p for p in problems(table) if p.startswith(f"row 3, column {column}:")]
    assert found and message in found[0], problems(table)


@pytest.mark.parametrize(("adsm", "score", "ok"), [
    ("MI", 2.5, True), ("MI", 5.0, True), ("MI", 5.01, False), ("MI", 0.9, False),
    ("SPIN", 68, True), ("SPIN", 69, False), ("SPIN", 19.5, False), ("PCL-5", 80, True),
])
def test_adsm_score_range_per_measure(adsm, score, ok):
    table = contacts(("R", 1, "assessment", "yes", 1, 1), adsm=[adsm], adsm_score=[score])
    found = problems(table)
    assert (found == []) is ok, found
    if not ok:
        assert found[0].startswith("row 2, column adsm_score: must be in")


@pytest.mark.parametrize(("value", "ok"), [(40, True), (0, True), (41, False), (-1, False)])
def test_wsas_range_edges(value, ok):
    table = contacts(("R", 1, "assessment", "yes", 1, 1), ("R", 2, "treatment", "yes", 1, 1),
                     wsas=[30, value])
    assert (problems(table) == []) is ok
    if ok:
        ep = one(table)
        assert (ep["wsas_first"], ep["wsas_last"], ep["wsas_last_contact"]) == (30, value, 2)


def test_other_adsm_problems():
    unknown = contacts(("R", 1, "assessment", "yes", 1, 1), adsm=["BAI"], adsm_score=[3])
    assert problems(unknown)[0].startswith("row 2, column adsm: unknown measure")
    nameless = contacts(("R", 1, "assessment", "yes", 1, 1), ("R", 2, "treatment", "yes", 1, 1),
                        adsm=["SPIN", ""], adsm_score=[20, 12])
    assert problems(nameless) == ["row 3, column adsm_score: has a score but the adsm column is empty on this row"]
    with pytest.raises(InputError, match="no adsm column"):
        validate_contacts(contacts(("R", 1, "assessment", "yes", 1, 1), adsm_score=[3]))


def test_an_empty_row_is_reported_once_and_the_rest_still_checked():
    table = contacts(("R", 1, "assessment", "yes", 1, 1), ("", "", "", "", "", ""),
                     ("R", 2, "treatment", "maybe", 1, 1))
    table.loc[1, "referral_ended"] = ""
    assert problems(table) == ["row 3: the row is empty",
                               "row 4, column attended: must be yes/no, true/false or 1/0, got 'maybe'"]


def test_every_row_is_kept_in_the_validated_table():
    table = contacts(("R", 1, "assessment", "yes", 1, 1), ("R", 1, "treatment", "nope", 99, 1))
    checked = validate_contacts(table)
    assert len(checked.table) == len(table) and checked.table["row"].tolist() == [2, 3]
    assert sorted(checked.order.tolist()) == [0, 1]
    assert not checked.ok and len(checked.problems) == 3


# --- CSV and the command line ---------------------------------------------------------------

HEADER = ",".join(COLUMNS)
GOOD = [HEADER, "R1,1,assessment,yes,18,13,yes", "R1,2,treatment,yes,14,10,yes",
        "R1,3,Treatment,yes,8,6,yes", "R2,1,assessment,yes,15,12,no"]


def write(tmp_path: Path, lines, name="contacts.csv", encoding="utf-8", newline="\n") -> Path:
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def test_cli_writes_the_episode_table_that_outcomes_reads(tmp_path, capsys):
    src = write(tmp_path, GOOD, encoding="utf-8-sig", newline="\r\n")
    assert main(["episodes", str(src), "-o", str(tmp_path / "eps.csv")]) == 0
    out = capsys.readouterr().out
    assert "4 contacts" in out and "2 episodes" in out
    written = pd.read_csv(tmp_path / "eps.csv")
    assert written["episode_id"].tolist() == ["R1", "R2"]
    assert written["treatment_contacts"].tolist() == [2, 0]
    assert written["phq9_last_contact"].tolist() == [3, 1]
    assert main(["outcomes", str(tmp_path / "eps.csv"), "-o", str(tmp_path / "flags.csv")]) == 0
    flags = pd.read_csv(tmp_path / "flags.csv")
    assert flags["recovered"].tolist() == [True, False]
    assert flags["paired"].tolist() == [True, False]  # R2: one contact only


def test_cli_default_output_and_refusal_to_overwrite(tmp_path, capsys):
    src = write(tmp_path, GOOD)
    before = src.read_bytes()
    assert main(["episodes", str(src)]) == 0
    assert (tmp_path / "contacts_episodes.csv").exists()
    assert main(["episodes", str(src), "-o", str(src)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert src.read_bytes() == before


def test_cli_bad_input_exit_2_one_line_per_problem(tmp_path, capsys):
    lines = [HEADER, "R1,1,assessment,yes,18,13,yes", "R1,1,treatment,yes,31,10,yes", "",
             "R2,1,visit,perhaps,15,12,no"]
    code = main(["episodes", str(write(tmp_path, lines)), "-o", str(tmp_path / "eps.csv")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "eps.csv").exists()
    assert err.splitlines() == [
        "error: row 3, column contact_number: contact 1 appears more than once in referral 'R1' (first on row 2)",
        "error: row 3, column phq9: must be a whole number from 0 to 27, got '31'",
        "error: row 4: the row is empty",
        "error: row 5, column contact_type: must be assessment, treatment, follow_up, employment_support "
        "or other, got 'visit'",
        "error: row 5, column attended: must be yes/no, true/false or 1/0, got 'perhaps'",
        "5 problems found; nothing was written.",
    ]


def test_cli_missing_column_and_missing_file(tmp_path, capsys):
    assert main(["episodes", str(write(tmp_path, ["referral_id,phq9", "R1,3"]))]) == 2
    assert "column contact_number: required column is missing" in capsys.readouterr().err
    assert main(["episodes", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_semicolon_file_and_trailing_blank_lines(tmp_path):
    src = write(tmp_path, [line.replace(",", ";") for line in GOOD] + [";;;;;;", ""])
    table = read_contact_csv(src)
    assert len(table) == 4 and list(table.columns) == COLUMNS
    assert validate_contacts(table).ok


def test_benchmark_runs_small_and_agrees_with_its_hand_written_numpy(monkeypatch):
    """bench_contacts checks from_contacts against its hand-written numpy before timing (asserts)."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import bench_contacts

    figures = bench_contacts.main(3_000)
    assert figures["contacts"] == 3_000 and 300 <= figures["referrals"] <= 420
    assert 0 < figures["peak_gb"] < 1
