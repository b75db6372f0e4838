"""The `iaptlab outcomes` command: good input, bad input, Excel files, never overwriting input."""

from __future__ import annotations

import csv as csv_module
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaptlab.cli import main
from iaptlab.episode_files import read_episode_file
from iaptlab.outcomes import FLAGS, classify, rates
from iaptlab.schema import validate

HEADER = "episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last"
GOOD = [HEADER, "A,6,16,6,12,4", "B,1,15,,10,", "C,4,18,15,14,13"]


def write(tmp_path: Path, lines, name="episodes.csv", encoding="utf-8", newline="\n") -> Path:
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_good_file_writes_flags_and_prints_rates(tmp_path, capsys):
    src = write(tmp_path, GOOD)
    code, out, err = run(["outcomes", src, "-o", tmp_path / "out.csv"], capsys)
    assert code == 0, err
    written = pd.read_csv(tmp_path / "out.csv")
    assert written["episode_id"].tolist() == ["A", "B", "C"]
    assert written["recovered"].tolist() == [True, False, False]
    assert "recovered" in out and "50.0%" in out  # 1 of 2 finishers at caseness


def test_default_output_is_beside_input_and_input_untouched(tmp_path, capsys):
    src = write(tmp_path, GOOD)
    before = src.read_bytes()
    assert run(["outcomes", src], capsys)[0] == 0
    assert (tmp_path / "episodes_outcomes.csv").exists()
    assert src.read_bytes() == before


def test_refuses_to_overwrite_input(tmp_path, capsys):
    src = write(tmp_path, GOOD)
    before = src.read_bytes()
    code, _, err = run(["outcomes", src, "-o", src], capsys)
    assert code == 2 and "refusing to overwrite the input" in err
    assert src.read_bytes() == before


def test_excel_utf8_bom_and_crlf_just_work(tmp_path, capsys):
    src = write(tmp_path, GOOD, encoding="utf-8-sig", newline="\r\n")
    code, _, err = run(["outcomes", src, "-o", tmp_path / "o.csv"], capsys)
    assert code == 0, err
    assert pd.read_csv(tmp_path / "o.csv")["recovered"].tolist() == [True, False, False]


def test_semicolon_separated_excel_file(tmp_path, capsys):
    src = write(tmp_path, [line.replace(",", ";") for line in GOOD])
    assert run(["outcomes", src, "-o", tmp_path / "o.csv"], capsys)[0] == 0


@pytest.mark.parametrize(("lines", "expected"), [
    ([HEADER, "A,6,16,6,12,4", "B,2,31,6,12,4"], "error: row 3, column phq9_first: must be a whole number from 0 to 27, got '31'"),
    ([HEADER, "A,6,x,6,12,4"], "error: row 2, column phq9_first: must be a number or empty, got 'x'"),
    ([HEADER, "A,6,16,6,12,4", "A,6,16,6,12,4"], "error: row 3, column episode_id: duplicate episode_id 'A'"),
    ([HEADER + ",adsm,adsm_first,adsm_last", "A,6,16,6,12,4,BAI,20,10"], "error: row 2, column adsm: unknown measure"),
    (["episode_id,phq9_first", "A,3"], "error: column treatment_contacts: required column is missing"),
])
def test_bad_input_exit_2_one_line_per_problem_no_traceback(tmp_path, capsys, lines, expected):
    code, out, err = run(["outcomes", write(tmp_path, lines), "-o", tmp_path / "o.csv"], capsys)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out
    assert not (tmp_path / "o.csv").exists()


def test_every_problem_listed_not_just_the_first(tmp_path, capsys):
    lines = [HEADER, "A,6,31,6,12,4", "B,-2,16,6,12,40"]
    code, _, err = run(["outcomes", write(tmp_path, lines)], capsys)
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        "error: row 2, column phq9_first: must be a whole number from 0 to 27, got '31'",
        "error: row 3, column treatment_contacts: must be a whole number from 0 to 1,000, got '-2'",
        "error: row 3, column gad7_last: must be a whole number from 0 to 21, got '40'",
    ]


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty"), (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
    (b"just one column\nvalue\n", "found only one column")])
def test_empty_or_non_csv_file(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, _, err = run(["outcomes", path], capsys)
    assert code == 2 and expected in err


def test_missing_file(tmp_path, capsys):
    code, _, err = run(["outcomes", tmp_path / "nope.csv"], capsys)
    assert code == 2 and "no such file" in err


def test_skip_invalid_keeps_invalid_rows_with_reason(tmp_path, capsys):
    lines = [HEADER, "A,6,16,6,12,4", "B,2,31,6,12,4"]
    code, out, err = run(["outcomes", write(tmp_path, lines), "-o", tmp_path / "o.csv", "--skip-invalid"], capsys)
    assert code == 0
    written = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)
    assert written["episode_id"].tolist() == ["A", "B"]
    assert written["excluded_reason"].tolist()[0] == ""
    assert "phq9_first" in written["excluded_reason"].tolist()[1]
    assert "1 row excluded" in err


def test_json_output_and_strict_rules(tmp_path, capsys):
    lines = [HEADER, "A,6,16,10,12,12"]  # PHQ-9 drop of exactly 6
    src = write(tmp_path, lines)
    inclusive = json.loads(run(["outcomes", src, "-o", tmp_path / "a.csv", "--json"], capsys)[1])
    strict = json.loads(run(["outcomes", src, "-o", tmp_path / "b.csv", "--json", "--rules", "iapt-strict"],
                            capsys)[1])
    pick = lambda d: {r["outcome"]: r["numerator"] for r in d["rates"]}  # noqa: E731
    assert pick(inclusive)["reliable_improvement"] == 1
    assert pick(strict)["reliable_improvement"] == 0


def test_unknown_option_is_exit_2(capsys):
    assert main(["outcomes", "x.csv", "--rulez", "iapt"]) == 2


def test_console_script_runs_without_traceback(tmp_path):
    lines = [HEADER, "A,6,31,6,12,4"]
    proc = subprocess.run([sys.executable, "-m", "iaptlab.cli", "outcomes", str(write(tmp_path, lines))],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "row 2, column phq9_first" in proc.stderr and "Traceback" not in proc.stderr


def test_present_opens_the_packaged_dashboard_by_default(monkeypatch, capsys):
    # from any folder (not only a checkout): the dashboard comes from importlib.resources
    from iaptlab.lesson_files import workshop_notebook

    called = []
    monkeypatch.setattr(subprocess, "call", lambda command, **kw: called.append(command) or 0)
    monkeypatch.chdir("/")
    pytest.importorskip("voila")
    assert main(["present", "--no-browser"]) == 0
    served = called[-1][called[-1].index("voila") + 1]
    assert Path(served).read_bytes() == workshop_notebook().read_bytes()
    assert "Serving workshop.ipynb" in capsys.readouterr().out


def test_format_rates_words_an_empty_denominator():
    from iaptlab.cli import format_rates
    from iaptlab.format import EMPTY_DENOMINATOR

    table = pd.DataFrame({"outcome": ["recovered", "reliable_improvement"], "numerator": [0, 1234],
                          "denominator": [0, 5678], "rate": [float("nan"), 1234 / 5678],
                          "denominator_description": ["at caseness", "paired"]})
    lines = format_rates(table).splitlines()
    assert EMPTY_DENOMINATOR in lines[1] and "n/a" not in lines[1]
    assert "1,234" in lines[2] and "5,678" in lines[2] and "21.7%" in lines[2]


# --- --skip-invalid: the output table scattered from the valid rows' flags -----------------------

#: Valid cells, then cells that make a row invalid, for each column of the generated files.
_CELLS = {"treatment_contacts": (["0", "1", "2", "6"], ["-1", "x", ""]),
          "phq9_first": (["3", "10", "16", "27", ""], ["31", "1.5"]), "phq9_last": (["2", "9", "10", ""], ["28"]),
          "gad7_first": (["4", "8", "15", ""], ["22"]), "gad7_last": (["1", "7", "8", ""], ["x,y"]),
          "adsm": (["", "SPIN", "MI"], ["nope"]), "adsm_first": (["", "2.5", "40"], ["99"]),
          "adsm_last": (["", "1", "20"], []), "diagnosis_first": (["", "yes", "no"], ["maybe"]),
          "diagnosis_last": (["", "yes", "no"], [])}


@st.composite
def _mixed_files(draw):
    """An episode CSV of up to 30 rows, about a third of them with a problem (a bad cell, an empty or
    repeated id)."""
    names = list(_CELLS)[:5] + draw(st.sampled_from([[], ["adsm", "adsm_first", "adsm_last"], ["adsm"],
                                                     ["diagnosis_first", "diagnosis_last"]]))
    lines = ["episode_id," + ",".join(names)]
    for i in range(draw(st.integers(min_value=1, max_value=30))):
        identifier, cells = f"E{i}", [draw(st.sampled_from(_CELLS[n][0])) for n in names]
        if draw(st.integers(0, 2)) == 0:  # a problem in one cell
            k = draw(st.integers(0, len(names)))
            if k == len(names):
                identifier = draw(st.sampled_from(["", "E0"]))
            elif _CELLS[names[k]][1]:
                cells[k] = draw(st.sampled_from(_CELLS[names[k]][1]))
        lines.append(",".join([identifier] + [f'"{c}"' if "," in c else c for c in cells]))
    return lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mixed_files())
def test_skip_invalid_output_is_every_row_in_order_with_classifys_flags(tmp_path, capsys, lines):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example: tmp_path is the test's
    src = write(folder, lines)
    target = folder / "o.csv"
    code, out, err = run(["outcomes", src, "-o", target, "--skip-invalid", "--json", "--raw"], capsys)
    loaded = read_episode_file(src)
    checked = validate(loaded.frame, rows=loaded.rows)
    if len(checked.table) == 0:
        assert code == 2 and "no valid rows" in err and not target.exists()
        return
    assert code == 0, err
    with open(target, newline="", encoding="utf-8") as handle:
        written = list(csv_module.DictReader(handle))
    given_rows = list(csv_module.DictReader(lines, skipinitialspace=False))
    assert [r["row"] for r in written] == [str(i) for i in range(2, len(given_rows) + 2)]
    assert [r["episode_id"] for r in written] == [r["episode_id"] for r in given_rows]
    reasons = dict(zip(checked.excluded["row"].tolist(), checked.excluded["excluded_reason"].tolist(), strict=True))
    flags = classify(checked, on_invalid="skip").set_index("row")
    names = [*FLAGS, *(["interviewed", "diagnosis_lost"] if "interviewed" in flags.columns else [])]
    for r in written:
        row = int(r["row"])
        assert r["excluded_reason"] == reasons.get(row, "")
        if row in reasons:
            assert [r[n] for n in names] == ["False"] * len(names) and r["anxiety_measure"] == ""
        else:
            assert [r[n] for n in names] == [str(bool(flags.loc[row, n])) for n in names]
            assert r["anxiety_measure"] == flags.loc[row, "anxiety_measure"]
    shown = json.loads(out)
    assert shown["episodes"] == len(given_rows) and shown["excluded"] == len(reasons)
    expected = rates(classify(checked, on_invalid="skip"))
    assert [(r["outcome"], r["numerator"], r["denominator"]) for r in shown["rates"]] == \
        list(zip(expected["outcome"], expected["numerator"], expected["denominator"], strict=True))
