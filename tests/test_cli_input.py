"""`iaptlab outcomes` / `report` on hostile and awkward files: the right numbers or a clear refusal.

Each file under tests/data/bad/ is one failure from issue 13. Exit 2 with a message naming the row
or column, or exit 0 with the right numbers; never exit 1, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaptlab.cli import HELP_OPTIONAL, HELP_REQUIRED, build_parser, main
from iaptlab.errors import SHOWN_PROBLEMS
from iaptlab.schema import OPTIONAL_COLUMNS, OUTPUT_COLUMNS, REQUIRED_COLUMNS

BAD = Path(__file__).parent / "data" / "bad"
HEADER = "episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last"


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    return code, out, err


def outcomes(path: Path, tmp_path: Path, capsys, *extra):
    target = tmp_path / "out.csv"
    code, out, err = run(["outcomes", path, "-o", target, *extra], capsys)
    return code, out, err, target


def rates_of(out: str) -> dict[str, tuple[int, int]]:
    return {r["outcome"]: (r["numerator"], r["denominator"]) for r in json.loads(out)["rates"]}


@pytest.mark.parametrize(("name", "fragment"), [
    ("extra_field_first_row.csv", "error: row 2: 7 fields, the header has 6"),
    ("trailing_separator_every_row.csv", "error: row 3: 7 fields, the header has 6"),
    ("trailing_separator_header_too.csv", "column 7 of the header has no name (a separator at the end"),
    ("unquoted_decimal_comma.csv", "error: row 3: 7 fields, the header has 6 (an unquoted separator"),
    ("short_row.csv", "error: row 3: 5 fields, the header has 6 (a short row"),
    ("cut_off_mid_row.csv", "error: row 3: 3 fields, the header has 6 (the file ends in the middle"),
    ("duplicate_column.csv", "column phq9_first: column name appears twice (columns 3 and 7)"),
    ("blank_column_name.csv", "column 3 of the header has no name"),
    ("mixed_encoding.csv", "row 3: ", ),
    ("neither_utf8_nor_cp1252.csv", "row 3: "),
    ("decimal_comma_in_comma_file.csv", "decimal comma such as 3,5 is read only in a semicolon"),
    ("unmatched_quote.csv", "error: row 3: 1 field, the header has 6 (a short row; empty cells still need their separators, or an unmatched quote"),
    ("analyst_headers.csv", "column phq9_first: required column is missing (closest: 'PHQ9 first'"),
    ("binary_spreadsheet.csv", "this is not a CSV file"),
    ("empty.csv", "the file is empty"),
])
def test_bad_file_exit_2_with_message_and_nothing_written(name, fragment, tmp_path, capsys):
    code, out, err, target = outcomes(BAD / name, tmp_path, capsys)
    assert code == 2, err
    assert fragment in err
    assert not target.exists()
    assert not list(tmp_path.iterdir())  # no temporary file left behind either


def test_mixed_encoding_names_both_rows_and_never_writes_mojibake(tmp_path, capsys):
    code, _, err, _ = outcomes(BAD / "mixed_encoding.csv", tmp_path, capsys)
    assert code == 2 and "mixes two text encodings" in err and "row 2" in err and "row 3" in err


def test_clean_windows_1252_file_is_read_and_written_as_utf8(tmp_path, capsys):
    src = tmp_path / "cp.csv"
    src.write_bytes(f"{HEADER}\nAné1,6,16,6,12,4\n".encode("cp1252"))
    code, _, err, target = outcomes(src, tmp_path, capsys)
    assert code == 0, err
    assert "Ané1" in target.read_text(encoding="utf-8")


def test_missing_columns_list_what_was_found_and_mapping_fixes_it(tmp_path, capsys):
    code, _, err, _ = outcomes(BAD / "analyst_headers.csv", tmp_path, capsys)
    assert "columns found: 'Episode ID', 'Treatment contacts', 'PHQ9 first'" in err
    mapping = ("Episode ID=episode_id,Treatment contacts=treatment_contacts,PHQ9 first=phq9_first,"
               "PHQ9 last=phq9_last,GAD7 first=gad7_first,GAD7 last=gad7_last")
    code, out, err, target = outcomes(BAD / "analyst_headers.csv", tmp_path, capsys, "--columns", mapping, "--json")
    assert code == 0, err
    assert rates_of(out)["recovered"] == (1, 1)
    assert pd.read_csv(target)["phq9_first"].tolist() == [16]


def test_mapping_file(tmp_path, capsys):
    mapping = tmp_path / "map.csv"
    mapping.write_text("name_in_file,column\n" + "\n".join(
        f"{a},{b}" for a, b in zip(["Episode ID", "Treatment contacts", "PHQ9 first", "PHQ9 last", "GAD7 first",
                                    "GAD7 last"], REQUIRED_COLUMNS, strict=True)))
    code, _, err, _ = outcomes(BAD / "analyst_headers.csv", tmp_path, capsys, "--columns-file", mapping)
    assert code == 0, err


def test_mapping_naming_a_missing_column_is_refused(tmp_path, capsys):
    code, _, err, _ = outcomes(BAD / "analyst_headers.csv", tmp_path, capsys, "--columns", "PHQ 9 first=phq9_first")
    assert code == 2 and "column PHQ 9 first: the column mapping names it but the file has no such column" in err


@pytest.mark.parametrize("name", ["output_flag_columns.csv", "column_named_row.csv", "own_excluded_reason.csv"])
def test_columns_named_like_output_are_kept_renamed_and_never_mixed(name, tmp_path, capsys):
    code, out, err, target = outcomes(BAD / name, tmp_path, capsys, "--json")
    assert code == 0, err
    written = pd.read_csv(target, keep_default_na=False)
    assert len(written.columns) == len(set(written.columns))
    clashing = [c for c in pd.read_csv(BAD / name, nrows=0).columns if c in OUTPUT_COLUMNS]
    for column in clashing:
        assert f"input_{column}" in written.columns and f"kept as 'input_{column}'" in err
    assert json.loads(out)["episodes"] == len(written)
    assert all(d <= len(written) for _, d in rates_of(out).values())


def test_flag_named_columns_do_not_change_the_denominator(tmp_path, capsys):
    code, out, _, target = outcomes(BAD / "output_flag_columns.csv", tmp_path, capsys, "--json")
    assert code == 0
    assert rates_of(out)["recovered"] == (1, 1)  # A finished at caseness and recovered; B never finished
    assert pd.read_csv(target, keep_default_na=False)["excluded_reason"].tolist() == ["", ""]


def test_user_excluded_reason_is_kept(tmp_path, capsys):
    _, _, _, target = outcomes(BAD / "own_excluded_reason.csv", tmp_path, capsys)
    assert pd.read_csv(target, keep_default_na=False)["input_excluded_reason"].tolist() == ["checked by J"]


def test_own_output_read_back_gives_the_same_rates(tmp_path, capsys):
    src = tmp_path / "e.csv"
    src.write_text("\n".join([HEADER, "A,6,16,6,12,4", "B,1,15,,10,", "C,4,18,15,14,13", "D,3,12,3,9,2"]) + "\n")
    code, first, _ = run(["outcomes", src, "-o", tmp_path / "one.csv", "--json"], capsys)
    assert code == 0
    code, second, err = run(["outcomes", tmp_path / "one.csv", "-o", tmp_path / "two.csv", "--json"], capsys)
    assert code == 0, err
    assert rates_of(first) == rates_of(second)
    assert "input_recovered" in pd.read_csv(tmp_path / "two.csv", nrows=0).columns


def test_semicolon_file_with_decimal_commas_is_read(tmp_path, capsys):
    src = tmp_path / "eu.csv"
    src.write_text(HEADER.replace(",", ";") + ";adsm;adsm_first;adsm_last\nA;6;16;6;12;4;MI;3,5;2,1\n"
                   "B;6;16;6;12;4;MI;3,0;2,0\n", encoding="utf-8-sig")
    code, out, err, target = outcomes(src, tmp_path, capsys, "--json")
    assert code == 0, err
    written = pd.read_csv(target, sep=";", dtype=str)
    assert written["adsm_first"].tolist() == ["3,5", "3,0"]  # written as read, same separator
    assert written["anxiety_measure"].tolist() == ["MI", "MI"]
    # MI caseness is > 2.3: 2,1 and 2,0 are below it, so both recovered; the MI drops are 1.4 and 1.0
    assert rates_of(out)["recovered"] == (2, 2)


def test_scores_written_as_read_not_as_floats(tmp_path, capsys):
    src = tmp_path / "e.csv"
    src.write_text(f"{HEADER}\nA,6,18,6,12,\n")
    _, _, _, target = outcomes(src, tmp_path, capsys)
    row = target.read_text().splitlines()[1].split(",")
    assert row[1:7] == ["A", "6", "18", "6", "12", ""]


def test_formula_cells_are_neutralised_unless_raw(tmp_path, capsys):
    src = BAD / "formula_cells.csv"
    _, _, err, target = outcomes(src, tmp_path, capsys, "--skip-invalid")
    written = list(csv.reader(io.StringIO(target.read_text())))
    ids, notes = [r[1] for r in written[1:]], [r[7] for r in written[1:]]
    assert ids == ["'=HYPERLINK(\"http://x\")", "-5"]  # -5 is a plain number: left as it is
    assert notes == ["'@SUM(A1)", "'-x"]
    code, _, _ = run(["outcomes", src, "-o", tmp_path / "raw.csv", "--raw", "--skip-invalid"], capsys)
    raw = list(csv.reader(io.StringIO((tmp_path / "raw.csv").read_text())))
    assert code == 0 and raw[1][1] == '=HYPERLINK("http://x")' and raw[1][7] == "@SUM(A1)"


def test_newline_in_a_value_stays_on_one_line(tmp_path, capsys):
    code, _, err, _ = outcomes(BAD / "newline_in_value.csv", tmp_path, capsys)
    assert code == 2
    line = [x for x in err.splitlines() if "column adsm:" in x]
    assert line == ["error: row 2, column adsm: unknown measure (known: " + line[0].split("(known: ")[1]]
    assert "Mobility\\nInventory" in line[0]


def test_errors_are_bounded_with_counts_by_column_and_reason(tmp_path, capsys):
    src = tmp_path / "many.csv"
    rows = [f"E{i},6,31,6,12,{40 if i % 2 else 4}" for i in range(250)]
    src.write_text("\n".join([HEADER, *rows]) + "\n")
    code, _, err, _ = outcomes(src, tmp_path, capsys)
    lines = err.splitlines()
    assert code == 2
    assert len([x for x in lines if x.startswith("error: row")]) == SHOWN_PROBLEMS
    total = 250 + 125
    assert f"… and {total - SHOWN_PROBLEMS:,} more problems:" in err
    shown_phq = len([x for x in lines if "column phq9_first" in x and x.startswith("error")])
    assert f"  {250 - shown_phq:,} × column phq9_first: must be a whole number from 0 to 27" in lines
    assert lines[-1] == f"{total:,} problems found; nothing was written."


def test_skip_invalid_with_no_valid_row_exits_2(tmp_path, capsys):
    code, _, err, target = outcomes(BAD / "all_invalid.csv", tmp_path, capsys, "--skip-invalid")
    assert code == 2 and "no valid rows: all 2 rows have problems" in err and not target.exists()
    code, _, err = run(["report", BAD / "all_invalid.csv", "-o", tmp_path / "r.html", "--skip-invalid"], capsys)
    assert code == 2 and "no valid rows" in err


def test_existing_output_needs_force_and_missing_folder_is_refused(tmp_path, capsys):
    src = tmp_path / "e.csv"
    src.write_text(f"{HEADER}\nA,6,16,6,12,4\n")
    target = tmp_path / "out.csv"
    target.write_text("previous")
    code, _, err = run(["outcomes", src, "-o", target], capsys)
    assert code == 2 and "already exists; add --force" in err and target.read_text() == "previous"
    assert run(["outcomes", src, "-o", target, "--force"], capsys)[0] == 0
    assert target.read_text().startswith("row,episode_id")
    code, _, err = run(["outcomes", src, "-o", tmp_path / "nope" / "out.csv"], capsys)
    assert code == 2 and "does not exist; create it first" in err and not (tmp_path / "nope").exists()
    code, _, err = run(["report", src, "-o", target], capsys)
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize("kind", ["missing", "folder", "device", "loop"])
def test_unreadable_inputs_exit_2(kind, tmp_path, capsys):
    path = {"missing": tmp_path / "nope.csv", "folder": tmp_path, "device": Path("/dev/zero"),
            "loop": tmp_path / "loop.csv"}[kind]
    if kind == "loop":
        os.symlink(path, path)
    code, _, err = run(["outcomes", path, "-o", tmp_path / "o.csv"], capsys)
    expected = {"missing": "no such file", "folder": "is a folder", "device": "not a regular file",
                "loop": "a symbolic link that loops"}[kind]
    assert code == 2 and expected in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_permission_exit_2(tmp_path, capsys):
    src = tmp_path / "e.csv"
    src.write_text(f"{HEADER}\nA,6,16,6,12,4\n")
    src.chmod(0)
    code, _, err = run(["outcomes", src, "-o", tmp_path / "o.csv"], capsys)
    assert code == 2 and "Permission denied" in err


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))


def test_file_size_limit_keeps_previous_output_and_names_the_path(tmp_path):
    src = tmp_path / "e.csv"
    src.write_text("\n".join([HEADER, *(f"E{i},6,16,6,12,4" for i in range(50))]) + "\n")
    target = tmp_path / "out.csv"
    target.write_text("previous")
    proc = subprocess.run([sys.executable, "-m", "iaptlab.cli", "outcomes", str(src), "-o", str(target), "--force"],
                          capture_output=True, text=True, preexec_fn=_limit_file_size, check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"error: {target}: File too large" in proc.stderr
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "out.csv"]


def test_closed_pipe_after_success_exits_0_quietly(tmp_path):
    src = tmp_path / "e.csv"
    src.write_text("\n".join([HEADER, *(f"E{i},6,16,6,12,4" for i in range(20))]) + "\n")
    script = (f"{shlex_quote(sys.executable)} -m iaptlab.cli outcomes {shlex_quote(str(src))} -o "
              f"{shlex_quote(str(tmp_path / 'o.csv'))} --json | head -c 1")
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def test_help_lists_columns_and_top_level_help_is_a_description(capsys):
    assert set(HELP_REQUIRED) == set(REQUIRED_COLUMNS) and set(HELP_OPTIONAL) == set(OPTIONAL_COLUMNS)
    parser = build_parser()
    assert "The ``iaptlab`` command" not in parser.format_help()
    assert "psychological-therapy service" in parser.format_help()
    assert main(["outcomes", "--help"]) == 0
    text = capsys.readouterr().out
    for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        assert column in text
    for option in ("--force", "--raw", "--columns", "--skip-invalid", "input_<name>"):
        assert option in text


def test_output_columns_cover_everything_classify_adds():
    from iaptlab.outcomes import FLAGS, classify

    eps = pd.DataFrame({"episode_id": ["a"], "treatment_contacts": [6], "phq9_first": [16], "phq9_last": [7],
                        "gad7_first": [12], "gad7_last": [5], "diagnosis_first": [True], "diagnosis_last": [False]})
    added = set(classify(eps, on_invalid="exclude").columns) - set(eps.columns)
    assert added <= set(OUTPUT_COLUMNS) and set(FLAGS) <= set(OUTPUT_COLUMNS)


# --- property: exit 0 means every output row is an input row, else exit 2 naming rows --------------

cells = st.one_of(st.integers(0, 27).map(str), st.sampled_from(["", "x", "3,5", "-1", "=1", " 4 ", "NA"]))
ids = st.text(alphabet="AB1é,;\"\n =", min_size=1, max_size=4)


@st.composite
def csv_files(draw):
    sep = draw(st.sampled_from([",", ";"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    quote_all = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    rows = draw(st.lists(st.tuples(ids, st.lists(cells, min_size=5, max_size=5),
                                   st.sampled_from([0, 0, 0, 0, -1, 1])), min_size=1, max_size=6))

    def field(text: str) -> str:
        if quote_all or any(c in text for c in (sep, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    data = []
    for episode, scores, delta in rows:
        values = [episode, *scores]
        values = values[:len(values) + delta] if delta < 0 else values + ["9"] * delta
        data.append(values)
    text = newline.join([sep.join(HEADER.split(",")), *(sep.join(field(v) for v in r) for r in data)]) + newline
    return text.encode(encoding), data


def _shown(value: str) -> str:
    risky = value[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value)
    return "'" + value if risky else value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_files())
def test_any_csv_gives_exit_0_with_input_rows_or_exit_2_naming_rows(tmp_path_factory, capsys, generated):
    content, rows = generated
    folder = tmp_path_factory.mktemp("prop")
    src = folder / "in.csv"
    src.write_bytes(content)
    target = folder / "out.csv"
    code, _, err = run(["outcomes", src, "-o", target], capsys)
    assert code in (0, 2)
    if code == 2:
        assert re.search(r"row \d+|column ", err), err
        assert not target.exists()
        return
    with open(target, newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle, delimiter=";" if b";" in content.split(b"\n")[0] else ","))
    assert written[0][:7] == ["row", *HEADER.split(",")]
    for out_row in written[1:]:
        source = rows[int(out_row[0]) - 2]
        assert out_row[1:7] == [_shown(v) for v in source]
    shutil.rmtree(folder)


# --- the Python API names the parameter at fault --------------------------------------------------

def _episodes(**overrides):
    base = {"episode_id": ["a", "b"], "treatment_contacts": [6, 6], "phq9_first": [16, 12],
            "phq9_last": [6, 12], "gad7_first": [12, 9], "gad7_last": [4, 9]}
    return pd.DataFrame({**base, **overrides})


def test_classify_and_rates_refuse_rules_that_are_not_rules():
    from iaptlab.errors import ParameterError
    from iaptlab.outcomes import classify, rates

    with pytest.raises(ParameterError, match="rules must be a Rules"):
        classify(_episodes(), None)
    with pytest.raises(ParameterError, match="rules must be a Rules"):
        rates(classify(_episodes()), "iapt")


def test_complex_scores_are_refused_not_truncated():
    from iaptlab.errors import InputError
    from iaptlab.outcomes import classify
    from iaptlab.reliable_change import rci

    with pytest.raises(InputError, match="row 3, column phq9_first: must be a number or empty"):
        classify(_episodes(phq9_first=[16 + 0j, 12 + 1j]))
    with pytest.raises(InputError, match="row 2, column pre: must be a real number"):
        rci([20 + 1j], [12], sd_pre=5, reliability=0.8)


@pytest.mark.parametrize("name", ["m_pre", "m_post", "sd_post", "r_prepost"])
def test_rci_names_a_parameter_that_is_not_a_number(name):
    from iaptlab.errors import ParameterError
    from iaptlab.reliable_change import rci

    given = {"m_pre": 15.0, "m_post": 10.0, "sd_post": 5.0, "r_prepost": 0.5, name: "15"}
    with pytest.raises(ParameterError, match=f"{name} must be a number, got '15'"):
        rci([20], [12], method="HA", sd_pre=5, reliability=0.8, **given)


def test_reliable_change_threshold_refuses_lengths_that_differ():
    from iaptlab.errors import ParameterError
    from iaptlab.reliable_change import reliable_change_threshold

    with pytest.raises(ParameterError, match="sd has 3 values but reliability has 2"):
        reliable_change_threshold([5, 6, 7], [0.8, 0.9])
    assert reliable_change_threshold([5, 6], [0.8, 0.9]).shape == (2,)  # same lengths: fine
    assert reliable_change_threshold([5, 6], 0.8).shape == (2,)  # one value applies to all
    with pytest.raises(ParameterError, match="sd must be a number"):
        reliable_change_threshold("5", 0.8)


def test_rci_refuses_pandas_inputs_whose_indexes_differ():
    from iaptlab.errors import InputError
    from iaptlab.reliable_change import rci

    pre, post = pd.Series([20.0, 18.0], index=[1, 2]), pd.Series([12.0, 17.0], index=[2, 1])
    with pytest.raises(InputError, match="column post: its index differs from pre's"):
        rci(pre, post, sd_pre=5, reliability=0.8)
    aligned = rci(pre, post.reindex(pre.index), sd_pre=5, reliability=0.8)
    assert aligned.tolist() == rci([20.0, 18.0], [17.0, 12.0], sd_pre=5, reliability=0.8).tolist()


@pytest.mark.parametrize("command", ["outcomes", "report"])
def test_a_named_pipe_is_read_once_and_gives_the_file_s_results(tmp_path, capsys, command):
    """A pipe (``<(...)`` or a named pipe) can be read only once: the tool reads it once, looks
    for a contact table in what it read, and gives what the same file gives (it used to hang on a
    named pipe, or call ``<(...)`` empty)."""
    import threading

    text = f"{HEADER}\nA,6,16,6,12,4\nB,1,18,17,13,12\n"
    plain = tmp_path / "plain.csv"
    plain.write_text(text)
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text(text), daemon=True)
    writer.start()
    suffix = "csv" if command == "outcomes" else "html"
    code, out, err = run([command, pipe, "-o", tmp_path / f"from_pipe.{suffix}"], capsys)
    writer.join(timeout=10)
    assert code == 0, err
    code, plain_out, _ = run([command, plain, "-o", tmp_path / f"from_file.{suffix}"], capsys)
    assert code == 0
    def named_x(path: Path, source: Path) -> str:  # the report names its input file
        return path.read_text().replace(str(source), "X").replace(source.name, "X")

    assert named_x(tmp_path / f"from_pipe.{suffix}", pipe) == named_x(tmp_path / f"from_file.{suffix}", plain)
    assert out.replace(str(pipe), "X").replace(f"from_pipe.{suffix}", "Y") == \
        plain_out.replace(str(plain), "X").replace(f"from_file.{suffix}", "Y")


def test_an_empty_pipe_is_refused_naming_it(tmp_path, capsys):
    import threading

    pipe = tmp_path / "empty.csv"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text(""), daemon=True)
    writer.start()
    code, _, err = run(["outcomes", pipe, "-o", tmp_path / "o.csv"], capsys)
    writer.join(timeout=10)
    assert code == 2 and f"{pipe}: the file is empty" in err and not (tmp_path / "o.csv").exists()
