"""`iaptlab outcomes`, `report` and `episodes` read a contact file (one row per contact) directly.

A contact file is recognised by its columns; it is read through the same CSV reader as an episode
file (row + column errors, bounded, exit 2) and turned into episodes by ``from_contacts``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from iaptlab.cli import main
from iaptlab.episode_files import is_contact_table, read_input_file
from iaptlab.report import build_report

HEADER = "referral_id,contact_number,contact_type,attended,phq9,gad7,referral_ended"
# R1 recovers (18/13 -> 8/6); R2 ended after one treatment contact (not finished);
# R3 has not ended (not finished even with 3 treatment contacts); R4 stays ill.
CONTACTS = [HEADER,
            "R1,1,assessment,yes,18,13,yes", "R1,2,treatment,yes,14,10,yes", "R1,3,treatment,yes,8,6,yes",
            "R2,1,assessment,yes,15,12,yes", "R2,2,treatment,yes,13,11,yes",
            "R3,1,assessment,yes,16,12,no", "R3,2,treatment,yes,9,6,no", "R3,3,treatment,yes,7,5,no",
            "R3,4,treatment,yes,5,4,no",
            "R4,1,assessment,yes,20,15,yes", "R4,2,treatment,yes,19,14,yes", "R4,3,treatment,no,2,1,yes",
            "R4,4,treatment,yes,18,14,yes"]


def write(tmp_path: Path, lines, name="contacts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_detection_by_either_contact_column():
    assert is_contact_table(HEADER.split(","))
    assert is_contact_table(["referral_id", "contact_type"]) and is_contact_table(["contact_number"])
    assert not is_contact_table(["referral_id", "episode_id", "treatment_contacts", "phq9", "gad7"])
    assert not is_contact_table([])


def test_outcomes_on_a_contact_file_equals_outcomes_on_its_episode_file(tmp_path, capsys):
    src = write(tmp_path, CONTACTS)
    assert main(["outcomes", str(src), "-o", str(tmp_path / "direct.csv"), "--json"]) == 0
    direct_json = json.loads(capsys.readouterr().out)
    assert direct_json["contacts"] == len(CONTACTS) - 1 and direct_json["episodes"] == 4
    assert main(["episodes", str(src), "-o", str(tmp_path / "eps.csv")]) == 0
    assert main(["outcomes", str(tmp_path / "eps.csv"), "-o", str(tmp_path / "via.csv"), "--json"]) == 0
    via_json = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert via_json["contacts"] is None
    assert direct_json["rates"] == via_json["rates"]
    direct = pd.read_csv(tmp_path / "direct.csv").set_index("episode_id")
    assert direct["finished"].to_dict() == {"R1": True, "R2": False, "R3": False, "R4": True}
    assert direct["recovered"].to_dict() == {"R1": True, "R2": False, "R3": False, "R4": False}
    # R4's unattended contact carries scores that are never used
    assert direct.loc["R4", "phq9_last"] == 18 and direct.loc["R4", "phq9_last_contact"] == 4
    # "row" is the spreadsheet row of each referral's first contact
    assert direct["row"].tolist() == [2, 5, 7, 11]


def test_contact_file_with_bad_cells_exit_2_row_and_column_nothing_written(tmp_path, capsys):
    lines = [*CONTACTS[:3], "R1,3,visit,yes,31,6,yes"]
    code = main(["outcomes", str(write(tmp_path, lines)), "-o", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out.csv").exists()
    assert "row 4, column contact_type" in err and "row 4, column phq9" in err
    assert "2 problems found; nothing was written." in err


def test_contact_file_errors_are_bounded(tmp_path, capsys):
    lines = [HEADER] + [f"R{i},1,assessment,yes,99,5,yes" for i in range(250)]
    assert main(["outcomes", str(write(tmp_path, lines))]) == 2
    err = capsys.readouterr().err.splitlines()
    assert sum(line.startswith("error: ") for line in err) == 100
    assert err[-1] == "250 problems found; nothing was written."


def test_contact_file_missing_a_required_contact_column_is_named(tmp_path, capsys):
    for column in ("referral_ended", "referral_id"):
        header = ",".join(c for c in HEADER.split(",") if c != column)
        lines = [header, "R1,1,assessment,yes,18,13"]
        assert main(["outcomes", str(write(tmp_path, lines))]) == 2
        err = capsys.readouterr().err
        assert f"column {column}: required column is missing" in err and "episode_id" not in err


def test_column_mapping_can_make_a_contact_file(tmp_path):
    lines = [CONTACTS[0].replace("referral_id", "Client")] + CONTACTS[1:]
    src = write(tmp_path, lines)
    read = read_input_file(src, {"Client": "referral_id"})
    assert read.contacts == len(CONTACTS) - 1
    assert read.table.frame["episode_id"].tolist() == ["R1", "R2", "R3", "R4"]


def test_report_on_a_contact_file_with_disclosure_control(tmp_path):
    src = write(tmp_path, CONTACTS)
    eps = tmp_path / "eps.csv"
    assert main(["episodes", str(src), "-o", str(eps)]) == 0
    for dc in (False, True):
        direct = build_report(src, disclosure_control=dc, generated="x")
        via = build_report(eps, disclosure_control=dc, generated="x")
        assert direct.replace("contacts.csv", "F") == via.replace("eps.csv", "F")
    assert "*" in build_report(src, disclosure_control=True, generated="x")


def test_episodes_command_is_atomic_and_needs_force(tmp_path, capsys):
    src = write(tmp_path, CONTACTS)
    target = tmp_path / "eps.csv"
    target.write_text("keep me")
    assert main(["episodes", str(src), "-o", str(target)]) == 2
    assert "add --force" in capsys.readouterr().err and target.read_text() == "keep me"
    assert main(["episodes", str(src), "-o", str(target), "--force"]) == 0
    assert pd.read_csv(target)["episode_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert main(["episodes", str(src), "-o", str(tmp_path / "no" / "such" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv", "eps.csv"]


def test_episodes_command_writes_whole_numbers_and_reads_semicolons(tmp_path):
    lines = [line.replace(",", ";") for line in CONTACTS]
    src = write(tmp_path, lines)
    assert main(["episodes", str(src), "-o", str(tmp_path / "e.csv")]) == 0
    text = (tmp_path / "e.csv").read_text()
    assert text.splitlines()[0].count(";") > 5 and ".0" not in text


def test_skip_invalid_does_not_skip_bad_contacts(tmp_path, capsys):
    lines = [*CONTACTS, "R5,1,assessment,maybe,12,9,yes"]
    assert main(["outcomes", str(write(tmp_path, lines)), "--skip-invalid"]) == 2
    assert "row 15, column attended" in capsys.readouterr().err
    assert not (tmp_path / "contacts_outcomes.csv").exists()
