"""iaptlab: appraise how a psychological-therapy service (England's IAPT / NHS Talking Therapies)
measures its own success: classify a service's own episode file, write an offline report, open the
workbook, present it, or check the installation.

``iaptlab outcomes INPUT.csv`` classifies a service's own episode file under the IAPT rules, writes
one row per episode with its flags, and prints every rate with its numerator and denominator.
Bad input never produces a traceback: exit code 2 and one line per problem, naming the row as a
spreadsheet shows it and the column (the first 100 in full, the rest counted by column and reason).

>>> main(["outcomes", "/no/such/file.csv"])
2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import IaptlabError, InputError, Problem

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS_FOUND", "OFFLINE_TEMPLATE",
           "build_parser", "format_rates", "main", "present_command",
           "write_offline_template"]

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 2, 1
#: The episode-file columns, as ``outcomes --help`` lists them (a test keeps them equal to
#: ``iaptlab.schema``'s; not imported from there so that ``iaptlab --help`` stays instant).
HELP_REQUIRED = ("episode_id", "treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last")
HELP_OPTIONAL = ("adsm", "adsm_first", "adsm_last", "diagnosis_first", "diagnosis_last",
                 "assessed_with_therapist")
EPISODE_FILE_HELP = f"""\
The CSV needs one row per referral and the columns
  {", ".join(HELP_REQUIRED)}
(scores may be empty). Optional columns, read when present:
  adsm, adsm_first, adsm_last    an anxiety-disorder-specific measure (e.g. SPIN, PCL-5, MI)
                                 replacing GAD-7 when both its scores exist
  diagnosis_first, diagnosis_last    meets diagnostic criteria on a blind interview (true/false)
  assessed_with_therapist        last questionnaire completed with the therapist present
Other columns are kept as they are.

Reading: UTF-8 (with or without BOM) or Windows-1252; comma- or semicolon-separated (in a
semicolon file 3,5 is read as 3.5). Every row must have as many fields as the header; blank or
duplicate column names, and a file mixing encodings, are refused. Name your columns with
--columns "PHQ9 first=phq9_first,GAD7 first=gad7_first" or --columns-file map.csv (two columns,
name_in_file,column). An input column named like one iaptlab writes (row, excluded_reason, the
outcome flags such as recovered) is kept renamed input_<name>, so the tool's own output can be
read back.

Writing: the output goes to a temporary file beside the target, then is renamed into place, so a
full disk never leaves half a file. An existing output is not replaced without --force; a
missing folder is not created (exit 2). Bad input: exit 2, the first 100 problems one per line,
the rest counted by column and reason; nothing is written.

A contact file (one row per contact, with the columns referral_id, contact_number, contact_type,
attended, phq9, gad7, referral_ended) is recognised by its columns and turned into episodes first,
as `iaptlab episodes` does; a contact file with any problem is refused whole (--skip-invalid skips
episode rows, not contacts)."""

CONTACT_FILE_HELP = """\
The CSV needs one row per contact and the columns
  referral_id, contact_number, contact_type, attended, phq9, gad7, referral_ended
contact_type is assessment, treatment, follow_up, employment_support or other; attended and
referral_ended are yes/no (referral_ended the same on every row of a referral); scores may be empty.
Optional: adsm, adsm_score, wsas. First and last scores are the first and last available among
attended assessment and treatment contacts; the output says which contact each came from.
Reading and writing as for `iaptlab outcomes` (atomic write, --force, bad input exit 2)."""


def _print_problems(err: InputError) -> None:
    stream = sys.stderr
    lines = err.lines()
    for line in lines[:len(err.problems)]:
        print(f"error: {line}", file=stream)
    for line in lines[len(err.problems):]:
        print(line, file=stream)
    count = err.total
    print(f"{count:,} problem{'s' if count != 1 else ''} found; nothing was written.", file=stream)


def _default_output(source: Path) -> Path:
    return source.with_name(f"{source.stem}_outcomes.csv")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except (OSError, RuntimeError):  # RuntimeError: a symbolic-link loop (Python 3.11)
        return False


def _check_target(source: Path, target: Path, force: bool) -> None:
    """Refuse, before any work, an output that would overwrite the input, an existing file
    (without ``force``), a folder, or a path in a folder that does not exist."""
    if _same_file(source, target):
        raise InputError(Problem(None, None, f"{target}: refusing to overwrite the input file; choose another -o"))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(Problem(None, None, f"{target}: the folder {folder} does not exist; create it "
                                 "first (iaptlab does not create folders)"))
    if target.is_dir():
        raise InputError(Problem(None, None, f"{target}: is a folder; give a file name with -o"))
    if target.exists() and not force:
        raise InputError(Problem(None, None, f"{target}: already exists; add --force to replace it"))


def write_atomically(target: Path, write: Callable[[object], None]) -> None:
    """Call ``write(handle)`` on a temporary file beside ``target``, then rename it to ``target``.

    On any failure the temporary file is removed and ``target`` is left as it was; an
    :class:`OSError` names ``target``.

    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a.txt", lambda h: h.write(b"ok"))
    >>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'ok', ['a.txt'])
    """
    folder = target.parent if str(target.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{target.name}.", suffix=".part", delete=False)
    temp = Path(handle.name)
    try:
        with handle:
            write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException as err:
        temp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror or str(err), str(target)) from None
        raise


def format_rates(table) -> str:
    """The rates table as aligned plain text (for a terminal).

    >>> import pandas as pd
    >>> print(format_rates(pd.DataFrame({"outcome": ["recovered"], "numerator": [1], "denominator": [2],
    ...     "rate": [0.5], "denominator_description": ["finishers at caseness"]})))
    outcome    numerator  denominator   rate  denominator
    recovered          1            2  50.0%  finishers at caseness

    A rate with no one in its denominator says so (:data:`iaptlab.format.EMPTY_DENOMINATOR`).
    """
    from .format import count_text, percent_text

    rows = [("outcome", "numerator", "denominator", "rate", "denominator")]
    for r in table.itertuples(index=False):  # a dozen outcome rows for a terminal
        rows.append((r.outcome, count_text(r.numerator), count_text(r.denominator), percent_text(r.rate),
                     r.denominator_description))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"{o:<{widths[0]}}  {n:>{widths[1]}}  {d:>{widths[2]}}  {p:>{widths[3]}}  {w}"
             for o, n, d, p, w in rows]
    return "\n".join(line.rstrip() for line in lines)


def _column_map(args: argparse.Namespace) -> dict[str, str]:
    from .csv_files import parse_column_map, read_column_map

    mapping: dict[str, str] = {}
    if getattr(args, "columns_file", None):
        mapping.update(read_column_map(args.columns_file))
    if getattr(args, "columns", None):
        mapping.update(parse_column_map(args.columns))
    return mapping


def _no_valid_rows(checked) -> InputError:
    err = checked.error()
    note = Problem(None, None, f"no valid rows: all {checked.invalid_rows:,} rows have problems, so there is "
                   "nothing to classify (--skip-invalid skips invalid rows, it cannot make up valid ones)")
    return InputError([*err.problems[:99], note], more=err.more)


def _outcome_columns(loaded, checked, classified) -> dict[str, object]:
    """The output table, one row per input row in the file's order: row, the input columns as
    read, then every column classify added (``classified``: the valid rows only, as
    ``classify(..., on_invalid="skip")`` gives them) and ``excluded_reason``. An invalid row's
    flags are False and its measure empty, as ``classify(..., on_invalid="exclude")`` has them;
    they are scattered into whole columns, never a table of every row as Python objects."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from .schema import EXCLUDED_REASON, ROW

    valid = checked.valid_mask
    everyone = bool(valid.all())
    # for each input row: its position among the valid rows, -1 for an invalid row
    position = np.arange(len(valid)) if everyone else np.where(valid, np.cumsum(valid) - 1, -1)
    columns: dict[str, object] = {ROW: pa.array(loaded.rows)}
    for name in loaded.frame.columns:
        columns[name] = pa.chunked_array(loaded.frame[name].array.__arrow_array__())
    added = [c for c in classified.columns if c not in loaded.frame.columns and c != ROW and not
             c.startswith("true_")]
    for name in added:
        values = classified[name]
        if values.dtype == bool:
            flags = values.to_numpy(dtype=bool)
            columns[name] = flags if everyone else np.where(valid, flags[np.maximum(position, 0)], False)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy()
            full = codes if everyone else np.where(valid, codes[np.maximum(position, 0)], -1).astype(codes.dtype)
            columns[name] = pa.DictionaryArray.from_arrays(
                pa.array(full, mask=full < 0), pa.array([str(c) for c in values.cat.categories], pa.string()))
        else:
            text = pa.array(values.astype(object).where(values.notna(), None).to_numpy(dtype=object),
                            type=pa.string())
            columns[name] = text if everyone else text.take(pa.array(position, mask=position < 0))
    # one category "" when every row is valid: written like the text column, formatted with the flags
    columns[EXCLUDED_REASON] = (pa.DictionaryArray.from_arrays(np.zeros(len(valid), np.int8), pa.array([""]))
                                if everyone else checked.excluded_reason_by_row())
    return columns


def _numpy_for_one_pass() -> None:
    """Set numpy up for one pass over a big file, unless the user set these variables: one BLAS
    thread, and no transparent huge pages for its large arrays.

    ``outcomes``, ``episodes`` and ``report`` do no matrix algebra, and starting a BLAS thread per
    core cost ~40 ms of CPU time per run (``import numpy`` on 2 cores: 130 ms, 91 ms with one
    thread). numpy asks Linux for huge pages for arrays of 4 MB or more; each is cleared when first
    touched, and where the kernel makes them on demand (``madvise``) that cost ``outcomes`` on
    2,000,000 rows ~0.4 s of system time (0.69-0.84 s -> 0.32-0.43 s; same peak memory): these
    commands touch each array a few times, too few for huge pages to pay back.

    Only takes effect before numpy is first imported, as in a fresh ``iaptlab`` process; these
    commands start no other process that could inherit it."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


def _outcomes(args: argparse.Namespace) -> int:
    _numpy_for_one_pass()
    from .csv_files import write_csv
    from .episode_files import read_input_file
    from .outcomes import PRESETS, classify, rates
    from .schema import EXCLUDED_REASON, validate

    source = Path(args.input)
    target = Path(args.output) if args.output else _default_output(source)
    _check_target(source, target, args.force)
    rules = PRESETS[args.rules]
    read = read_input_file(source, _column_map(args))
    loaded = read.table
    checked = validate(loaded.frame, decimal_comma=loaded.decimal_comma, rows=loaded.rows)
    if not checked.ok and not args.skip_invalid:
        raise checked.error()
    if len(checked.table) == 0 and checked.invalid_rows:
        raise _no_valid_rows(checked)
    classified = classify(checked, rules, on_invalid="skip")
    columns = _outcome_columns(loaded, checked, classified)
    write_atomically(target, lambda handle: write_csv(columns, handle, separator=loaded.separator,
                                                      raw=args.raw))
    table = rates(classified, rules)
    excluded = checked.invalid_rows
    for original, new in loaded.renamed.items():
        if new.startswith("input_") and original == new[len("input_"):]:
            print(f"note: input column {original!r} is named like an output column; it is kept as {new!r}",
                  file=sys.stderr)
    if args.json:
        print(json.dumps({"rules": rules.name, "episodes": len(loaded.frame), "contacts": read.contacts,
                          "excluded": excluded,
                          "output": str(target), "rates": json.loads(table.to_json(orient="records"))},
                         indent=2))
    else:
        made = "" if read.contacts is None else f" (made from {read.contacts:,} contacts)"
        print(f"{len(loaded.frame):,} episodes{made} read from {source}; rules: {rules.name}")
        print(format_rates(table))
        print(f"Per-episode flags written to {target}")
    if excluded:
        print(f"{excluded:,} row{'s' if excluded != 1 else ''} excluded (see the {EXCLUDED_REASON} column)",
              file=sys.stderr)
    return EXIT_OK


def _episodes(args: argparse.Namespace) -> int:
    _numpy_for_one_pass()
    import pyarrow as pa

    from .csv_files import write_csv
    from .episode_files import read_contact_file

    source = Path(args.input)
    target = Path(args.output) if args.output else source.with_name(f"{source.stem}_episodes.csv")
    _check_target(source, target, args.force)
    loaded, n_contacts = read_contact_file(source, _column_map(args), reserved=())
    episodes = loaded.frame
    columns = {name: pa.chunked_array(episodes[name].array.__arrow_array__()) for name in episodes.columns}
    write_atomically(target, lambda handle: write_csv(columns, handle, separator=loaded.separator,
                                                      raw=args.raw))
    ended = int((episodes["referral_ended"] == "True").sum())
    print(f"{n_contacts:,} contacts read from {source}; {len(episodes):,} episodes "
          f"({ended:,} referrals ended) written to {target}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    _numpy_for_one_pass()
    from .outcomes import PRESETS
    from .report import build_report

    source = Path(args.input)
    target = Path(args.output) if args.output else source.with_name(f"{source.stem}_report.html")
    _check_target(source, target, args.force)
    html = build_report(source, rules=PRESETS[args.rules], skip_invalid=args.skip_invalid,
                        disclosure_control=args.disclosure_control, title=args.title,
                        columns=_column_map(args))
    write_atomically(target, lambda handle: handle.write(html.encode("utf-8")))
    print(f"Report written to {target}")
    return EXIT_OK


EXIT_PROBLEMS_FOUND = 1


def _workbook(args: argparse.Namespace) -> int:
    from .workbook import write_workbook

    print(write_workbook(Path(args.dir), instructor=args.instructor).summary())
    return EXIT_OK


def _packaged_or_given(given: str | None,
                       packaged: Callable[[], Traversable]) -> AbstractContextManager[Path]:
    """A context giving ``given`` as a Path, or else the packaged notebook as a file on disk."""
    from contextlib import nullcontext
    from importlib.resources import as_file

    return nullcontext(Path(given)) if given else as_file(packaged())


def _lab(args: argparse.Namespace) -> int:
    from .workbook import open_lab

    return open_lab(Path(args.dir), instructor=args.instructor, port=args.port)


def _doctor(args: argparse.Namespace) -> int:
    from . import doctor

    print(f"iaptlab {__version__} doctor: checking what the workbook needs (nothing is downloaded)")
    findings = doctor.run_checks(kernel=not args.no_kernel)
    print(doctor.findings_text(findings))
    return EXIT_OK if all(f.ok for f in findings) else EXIT_PROBLEMS_FOUND


OFFLINE_TEMPLATE = "iaptlab-offline"


def write_offline_template(data_dir: Path) -> Path:
    """Write a Voila template under ``data_dir`` (use it as ``JUPYTER_PATH``) that is Voila's
    ``lab`` template without its links to a web CDN (icon fonts). On a network that drops
    packets, such a stylesheet in the page head can hold the whole page blank until it times out.

    >>> import os, tempfile
    >>> fake = Path(tempfile.mkdtemp())  # a stand-in for Voila's own template folder
    >>> (fake / "voila" / "templates" / "lab").mkdir(parents=True)
    >>> _ = (fake / "voila" / "templates" / "lab" / "index.html.j2").write_text(
    ...     '<link rel="stylesheet" href="https://cdn.example.org/icons.css">\\n<body></body>')
    >>> saved = os.environ.get("JUPYTER_PATH")
    >>> os.environ["JUPYTER_PATH"] = str(fake)
    >>> folder = write_offline_template(Path(tempfile.mkdtemp()))
    >>> (folder / "index.html.j2").read_text()
    '<body></body>'
    >>> _ = os.environ.pop("JUPYTER_PATH") if saved is None else os.environ.update(JUPYTER_PATH=saved)
    """
    import re

    from jupyter_core.paths import jupyter_path

    source = next((Path(p) / "lab" / "index.html.j2" for p in jupyter_path("voila", "templates")
                   if (Path(p) / "lab" / "index.html.j2").is_file()), None)
    if source is None:
        raise InputError([_problem("Voila's lab template is not installed: pip install voila")])
    target = data_dir / "voila" / "templates" / OFFLINE_TEMPLATE
    target.mkdir(parents=True, exist_ok=True)
    text = re.sub(r'<link[^>]*href="https?://[^"]*"[^>]*>\s*', "", source.read_text())
    (target / "index.html.j2").write_text(text)
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    return target


def present_command(notebook: Path, port: int, open_browser: bool) -> list[str]:
    """The Voila command line that serves ``notebook`` as a dashboard on 127.0.0.1.

    >>> present_command(Path("w.ipynb"), 8866, False)[-5:]
    ['--port=8866', '--Voila.ip=127.0.0.1', '--theme=light', '--template=iaptlab-offline', '--no-browser']
    """
    command = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
               "--theme=light", f"--template={OFFLINE_TEMPLATE}"]
    return command + ([] if open_browser else ["--no-browser"])


def _present(args: argparse.Namespace) -> int:
    from .lesson_files import workshop_notebook

    with _packaged_or_given(args.notebook, workshop_notebook) as notebook:
        return _serve(notebook, args)


def _serve(notebook: Path, args: argparse.Namespace) -> int:
    import importlib.util
    import subprocess
    import tempfile

    if not notebook.is_file():
        raise InputError([_problem(f"{notebook}: no presentation notebook here; pass --notebook "
                                   "with a dashboard's .ipynb file")])
    if importlib.util.find_spec("voila") is None:
        raise InputError([_problem("presentation mode needs Voila: pip install 'iaptlab[present]' "
                                   "(or make present, in the workbook folder)")])
    with tempfile.TemporaryDirectory(prefix="iaptlab-present-") as data_dir:
        write_offline_template(Path(data_dir))
        paths = os.pathsep.join(filter(None, [data_dir, os.environ.get("JUPYTER_PATH", "")]))
        print(f"Serving {notebook.name} on http://127.0.0.1:{args.port}/ (code hidden). "
              "Stop with Ctrl+C.")
        try:
            return subprocess.call(present_command(notebook, args.port, not args.no_browser),
                                   env={**os.environ, "JUPYTER_PATH": paths})
        except KeyboardInterrupt:
            return EXIT_OK


def _site(args: argparse.Namespace) -> int:
    from .site import build_site

    built = build_site(args.out, "instructor" if args.instructor else "learner", repo=args.repo)
    print(f"Wrote {len(built.pages)} pages ({built.total_bytes / 1e6:.1f} MB) to {built.out_dir} "
          f"in {built.seconds:.0f} s; open {built.out_dir / 'index.html'} in a browser.")
    return EXIT_OK


def _problem(text: str):
    from .errors import Problem
    return Problem(None, None, text)


def _episode_command(sub, name: str, summary: str, *, output: str, skip: str) -> argparse.ArgumentParser:
    """A subcommand reading an episode CSV, with the options every such command shares."""
    command = sub.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}.",
                             epilog=EPISODE_FILE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("input", help="episode table as CSV (one row per referral)")
    command.add_argument("-o", "--output", help=f"where to write {output}; the folder must exist")
    command.add_argument("--force", action="store_true", help="replace the output file if it exists")
    command.add_argument("--rules", choices=["iapt", "iapt-strict"], default="iapt",
                         help="iapt: reliable change = drop >= threshold; iapt-strict: drop > threshold")
    command.add_argument("--skip-invalid", action="store_true", help=skip)
    command.add_argument("--columns", metavar="MAP",
                         help='the file\'s column names, e.g. "PHQ9 first=phq9_first,Contacts=treatment_contacts"')
    command.add_argument("--columns-file", metavar="CSV",
                         help="the same mapping as a CSV file with the columns name_in_file,column")
    return command


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and for ``--help`` text)."""
    parser = argparse.ArgumentParser(prog="iaptlab", description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--version", action="version", version=f"iaptlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    out = _episode_command(sub, "outcomes", "classify an episode CSV under the IAPT rules and print the rates",
                           output="the per-episode table (default: INPUT_outcomes.csv)",
                           skip="classify the valid rows; keep invalid ones in the output with excluded_reason "
                                "(a file with no valid row still exits 2; a row with the wrong number of "
                                "fields is never skipped: the file is refused)")
    out.add_argument("--json", action="store_true", help="print the rates as JSON")
    out.add_argument("--raw", action="store_true",
                     help="write cells as read; by default a text cell starting with = + - @, a tab or a "
                          "carriage return (and not a number) gets a leading ' so a spreadsheet does not "
                          "run it as a formula")
    out.set_defaults(handler=_outcomes)
    eps = sub.add_parser("episodes", help="turn a contact CSV (one row per contact) into an episode CSV",
                         description="Turn a contact CSV (one row per contact) into an episode CSV.",
                         epilog=CONTACT_FILE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    eps.add_argument("input", help="contact table as CSV (one row per contact)")
    eps.add_argument("-o", "--output", help="where to write the episode table (default: INPUT_episodes.csv); "
                     "the folder must exist")
    eps.add_argument("--force", action="store_true", help="replace the output file if it exists")
    eps.add_argument("--raw", action="store_true", help="write cells as read (no leading ' before formulas)")
    eps.add_argument("--columns", metavar="MAP", help='the file\'s column names, e.g. "Client=referral_id"')
    eps.add_argument("--columns-file", metavar="CSV",
                     help="the same mapping as a CSV file with the columns name_in_file,column")
    eps.set_defaults(handler=_episodes)
    rep = _episode_command(sub, "report", "write a self-contained HTML report on an episode CSV",
                           output="the HTML (default: INPUT_report.html)",
                           skip="report on the valid rows and list the invalid ones in the report")
    rep.add_argument("--disclosure-control", action="store_true",
                     help="show counts 1-7 as * and round other counts to the nearest 5")
    rep.add_argument("--title", help="title at the top of the report (default: Outcome report)")
    rep.set_defaults(handler=_report)
    doc = sub.add_parser("doctor", help="check that charts, sliders and a kernel work here; say what to fix")
    doc.add_argument("--no-kernel", action="store_true", help="skip starting a notebook kernel")
    doc.set_defaults(handler=_doctor)
    for name, summary, handler in (
            ("workbook", "write the lessons into a folder of your own (default ./iaptlab-workbook)", _workbook),
            ("lab", "write/update the workbook, then open lesson 00 in JupyterLab on 127.0.0.1", _lab)):
        command = sub.add_parser(name, help=summary)
        command.add_argument("dir", nargs="?", default="iaptlab-workbook",
                             help="the workbook folder (default: ./iaptlab-workbook)")
        command.add_argument("--instructor", action="store_true",
                             help="the instructor edition (worked answers and teaching notes)")
        if name == "lab":
            command.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
        command.set_defaults(handler=handler)
    site = sub.add_parser("site", help="write the workbook as an offline website (lessons run, charts, self-checks)")
    site.add_argument("out", nargs="?", default="build/site", help="the folder to write (default: build/site)")
    site.add_argument("--instructor", action="store_true",
                      help="the instructor site: the guide and the instructor edition (never link it from the learner site)")
    site.add_argument("--repo", default="OWNER/REPO", help="OWNER/REPO on GitHub, for the Binder links")
    site.set_defaults(handler=_site)
    pres = sub.add_parser("present", help="the lesson explorers as a dashboard for a projector (Voila; "
                          "http://127.0.0.1:8866, JupyterLab's `lab` stays on 8888)")
    pres.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866, as `make present`)")
    pres.add_argument("--notebook", help="dashboard notebook (default: the installed workshop dashboard)")
    pres.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    pres.set_defaults(handler=_present)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0) if stop.code in (0, None) else EXIT_BAD_INPUT
    try:
        code = args.handler(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except InputError as err:
        _print_problems(err)
        return EXIT_BAD_INPUT
    except IaptlabError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("error: not enough memory to read this file", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("IAPTLAB_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}. Please report it; set IAPTLAB_DEBUG=1 "
              "to see the details.", file=sys.stderr)
        return EXIT_INTERNAL


def _closed_pipe() -> int:
    """The reader of our standard output went away (``| head -1``) after the work was done: exit 0
    quietly, pointing stdout at /dev/null so the flush at interpreter exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
