"""The ``iaptlab`` command.

``iaptlab outcomes INPUT.csv`` classifies a service's own episode file under the IAPT rules, writes
one row per episode with its flags, and prints every rate with its numerator and denominator.
Bad input never produces a traceback: exit code 2 and one line per problem, naming the row as a
spreadsheet shows it and the column.

>>> main(["outcomes", "/no/such/file.csv"])
2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import IaptlabError, InputError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS_FOUND", "OFFLINE_TEMPLATE",
           "build_parser", "format_rates", "main", "present_command",
           "write_offline_template"]

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 2, 1


def _print_problems(err: InputError) -> None:
    stream = sys.stderr
    for problem in err.problems:
        print(f"error: {problem}", file=stream)
    count = len(err.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", file=stream)


def _default_output(source: Path) -> Path:
    return source.with_name(f"{source.stem}_outcomes.csv")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


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


def _outcomes(args: argparse.Namespace) -> int:
    from .episode_files import read_episode_csv
    from .outcomes import PRESETS, classify, rates
    from .schema import EXCLUDED_REASON, validate

    source = Path(args.input)
    target = Path(args.output) if args.output else _default_output(source)
    if _same_file(source, target):
        raise InputError([_problem(f"{target}: refusing to overwrite the input file; choose another -o")])
    rules = PRESETS[args.rules]
    checked = validate(read_episode_csv(source))
    if not checked.ok and not args.skip_invalid:
        raise InputError(list(checked.problems))
    classified = classify(checked, rules, on_invalid="exclude")
    target.parent.mkdir(parents=True, exist_ok=True)
    classified.to_csv(target, index=False)
    table = rates(classified, rules)
    excluded = int((classified[EXCLUDED_REASON] != "").sum())
    if args.json:
        print(json.dumps({"rules": rules.name, "episodes": len(classified), "excluded": excluded,
                          "output": str(target), "rates": json.loads(table.to_json(orient="records"))},
                         indent=2))
    else:
        print(f"{len(classified):,} episodes read from {source}; rules: {rules.name}")
        print(format_rates(table))
        print(f"Per-episode flags written to {target}")
    if excluded:
        print(f"{excluded} row{'s' if excluded != 1 else ''} excluded (see the {EXCLUDED_REASON} column)",
              file=sys.stderr)
    return EXIT_OK


def _episodes(args: argparse.Namespace) -> int:
    from .episodes import from_contacts, read_contact_csv, validate_contacts

    source = Path(args.input)
    target = Path(args.output) if args.output else source.with_name(f"{source.stem}_episodes.csv")
    if _same_file(source, target):
        raise InputError([_problem(f"{target}: refusing to overwrite the input file; choose another -o")])
    checked = validate_contacts(read_contact_csv(source)).raise_if_invalid()
    episodes = from_contacts(checked)
    target.parent.mkdir(parents=True, exist_ok=True)
    episodes.to_csv(target, index=False)
    print(f"{len(checked.table):,} contacts read from {source}; {len(episodes):,} episodes "
          f"({int(episodes['referral_ended'].sum()):,} referrals ended) written to {target}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from .outcomes import PRESETS
    from .report import build_report

    source = Path(args.input)
    target = Path(args.output) if args.output else source.with_name(f"{source.stem}_report.html")
    if _same_file(source, target):
        raise InputError([_problem(f"{target}: refusing to overwrite the input file; choose another -o")])
    html = build_report(source, rules=PRESETS[args.rules], skip_invalid=args.skip_invalid,
                        disclosure_control=args.disclosure_control, title=args.title)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
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
        raise InputError([_problem("presentation mode needs Voila: pip install voila "
                                   "(or pip install -e '.[browser]' in the workbook folder)")])
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
    command = sub.add_parser(name, help=summary)
    command.add_argument("input", help="episode table as CSV (one row per referral)")
    command.add_argument("-o", "--output", help=f"where to write {output}")
    command.add_argument("--rules", choices=["iapt", "iapt-strict"], default="iapt",
                         help="iapt: reliable change = drop >= threshold; iapt-strict: drop > threshold")
    command.add_argument("--skip-invalid", action="store_true", help=skip)
    return command


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and for ``--help`` text)."""
    parser = argparse.ArgumentParser(prog="iaptlab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"iaptlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    out = _episode_command(sub, "outcomes", "classify an episode CSV under the IAPT rules and print the rates",
                           output="the per-episode table (default: INPUT_outcomes.csv)",
                           skip="classify the valid rows; keep invalid ones in the output with excluded_reason")
    out.add_argument("--json", action="store_true", help="print the rates as JSON")
    out.set_defaults(handler=_outcomes)
    eps = sub.add_parser("episodes", help="turn a contact CSV (one row per contact) into an episode CSV")
    eps.add_argument("input", help="contact table as CSV (one row per contact)")
    eps.add_argument("-o", "--output", help="where to write the episode table (default: INPUT_episodes.csv)")
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
    pres = sub.add_parser("present", help="the lesson explorers as a dashboard for a projector (Voila)")
    pres.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
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
        return args.handler(args)
    except InputError as err:
        _print_problems(err)
        return EXIT_BAD_INPUT
    except IaptlabError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"error: {err.filename or ''}: {err.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("IAPTLAB_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}. Please report it; set IAPTLAB_DEBUG=1 "
              "to see the details.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
