"""A learner's working folder: the workbook written from the packaged lessons, and JupyterLab on it.

``write_workbook(folder)`` writes the learner edition (or, with ``instructor=True``, the instructor
edition) of the lessons shipped with the package into ``folder``, with a README for the folder and
the JupyterLab settings that make the first screen quiet (no news pop-up, no update check, the
notebook's own kernel started without a "Select Kernel" dialog). It never overwrites a file the
learner has changed: a manifest in the folder (``.iaptlab-workbook.json``) records a hash of every
file it wrote (for a notebook, of its cells' sources: outputs and metadata do not count), and a
file that no longer matches is kept; the new version is written beside it (``02_x.new.ipynb``)
and the report says so. A notebook the learner only ran (same sources) is replaced.

``lab_command(folder, port)`` is the JupyterLab command line that serves ``folder`` on 127.0.0.1
with a login token and opens lesson 00 itself (not the Launcher), using the folder's settings
rather than the user's global JupyterLab profile.

>>> command = lab_command(Path("wb"), 8888, as_root=False, token="t0k")
>>> "--ServerApp.ip=127.0.0.1" in command and "--IdentityProvider.token=t0k" in command
True
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem

__all__ = [
    "DEFAULT_FOLDER", "FIRST_LESSON", "LAB_SETTINGS", "MANIFEST", "SETTINGS_DIR",
    "WorkbookReport", "lab_command", "lab_url", "lessons_source", "open_lab", "write_lab_settings",
    "write_workbook",
]

#: Where ``iaptlab workbook`` and ``iaptlab lab`` write when no folder is given.
DEFAULT_FOLDER = Path("iaptlab-workbook")
#: The lesson JupyterLab opens first.
FIRST_LESSON = "00_start_here.ipynb"
#: Hashes of the files this module wrote into a workbook folder (relative path -> sha256).
MANIFEST = ".iaptlab-workbook.json"
#: The folder's own JupyterLab user-settings directory (hidden from the file browser).
SETTINGS_DIR = Path(".iaptlab") / "lab-settings"
#: JupyterLab settings shipped with every workbook (file under the settings dir -> JSON), the one
#: source of them: the browser tests add their own test-only settings to these.
#: - no "Would you like to get notified about official Jupyter news?" pop-up, no update check;
#: - the notebook's preferred kernel (python3, set by the edition) starts without a
#:   "Select Kernel" dialog;
#: - widget messages go to the kernel's main shell, not to a subshell thread (JupyterLab >= 4.4
#:   with ipykernel 7 does that by default): a kernel-path explorer's move then takes ~15 ms less
#:   at the median and ~30 ms less at p95 (benchmarks/browser_latency.py, its no-work explorer).
#:   Explorers wait for a running cell again, as before subshells; those answered in the page never wait.
LAB_SETTINGS: dict[str, dict] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/kernels-settings.jupyterlab-settings":
        {"commsOverSubshells": "disabled"},
}
_WORKSPACES_DIR = Path(".iaptlab") / "workspaces"
_README = "README.md"


@dataclass(frozen=True)
class WorkbookReport:
    """What ``write_workbook`` did, path by path (all paths relative to ``folder``)."""

    folder: Path
    edition: str
    written: tuple[Path, ...] = ()
    updated: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    #: (the learner's file, kept as it is; where the new version was written instead)
    kept: tuple[tuple[Path, Path], ...] = field(default=())

    def summary(self) -> str:
        """The report in words, for the terminal.

        >>> print(WorkbookReport(Path("wb"), "learner", written=(Path("a.ipynb"),)).summary())
        learner edition in wb: 1 file written, 0 updated, 0 unchanged.
        """
        counts = (f"{self.edition} edition in {self.folder}: {len(self.written)} file"
                  f"{'s' if len(self.written) != 1 else ''} written, {len(self.updated)} updated, "
                  f"{len(self.unchanged)} unchanged.")
        lines = [counts]
        for mine, new in self.kept:
            lines.append(f"  kept your {mine} (you changed it); the new version is {new}")
        return "\n".join(lines)


def _fingerprint(rel: Path, data: bytes) -> str:
    """A hash of what the learner wrote: for a notebook, its cells' types and sources (running a
    cell, or JupyterLab adding kernel metadata on opening, changes nothing the learner wrote);
    for any other file, its bytes.

    >>> cell = '{"cells": [{"cell_type": "code", "source": ["x = 1"], "outputs": %s}]}'
    >>> _fingerprint(Path("a.ipynb"), (cell % "[]").encode()) == _fingerprint(
    ...     Path("a.ipynb"), (cell % '[{"text": "1"}]').encode())
    True
    """
    if rel.suffix == ".ipynb":
        try:
            cells = json.loads(data)["cells"]
            data = json.dumps([(c["cell_type"], "".join(c["source"])) for c in cells]).encode()
        except (ValueError, KeyError, TypeError):
            pass  # not a readable notebook: compare its bytes
    return hashlib.sha256(data).hexdigest()


def lessons_source():
    """The authored lessons shipped with the package (an ``importlib.resources`` Traversable).

    Raises InputError when the package was installed without them.
    """
    from importlib import resources

    try:
        source = resources.files("iaptlab.lessons")
    except ModuleNotFoundError:
        source = None
    if source is None or not source.joinpath(FIRST_LESSON).is_file():
        raise InputError([Problem(None, None, "the lessons are not installed with this copy of "
                                  "iaptlab (iaptlab.lessons); reinstall it: pip install iaptlab")])
    return source


def _default_builder(source, out_dir: Path, edition: str) -> list[Path]:
    from .editions import build_edition

    return build_edition(source, out_dir, edition=edition)


def _readme_text(edition: str) -> str:
    other = "learner" if edition == "instructor" else "instructor"
    flag = "" if edition == "learner" else " --instructor"
    return f"""# Your iaptlab workbook ({edition} edition)

This folder is yours: work through the lessons here, starting with `{FIRST_LESSON}`.
Nothing in it is part of the iaptlab repository, so saving never changes the project's own files.

- Open it again: `iaptlab lab{flag} <this folder>` (JupyterLab on 127.0.0.1 with a login token;
  the link with the token is printed in the terminal).
- Get the newest lessons: `iaptlab workbook{flag} <this folder>`. A notebook whose cells you have
  edited is never overwritten: yours is kept and the new version is written beside it as
  `NN_name.new.ipynb` (the command lists each one). Notebooks you have not edited (only run) are
  replaced by the new version; run them again to see their outputs.
- `{MANIFEST}` records what iaptlab wrote here (to tell your changes from its own);
  `.iaptlab/` holds this folder's JupyterLab settings and layout. Leave both in place.
- The {other} edition is written with `iaptlab workbook{'' if other == 'learner' else ' --instructor'} DIR`.
"""


def write_lab_settings(settings_dir: Path, extra: dict[str, dict] | None = None) -> list[Path]:
    """Write :data:`LAB_SETTINGS` (plus ``extra``, which wins) as JupyterLab user settings.

    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_lab_settings(folder)]
    ['notification.jupyterlab-settings', 'tracker.jupyterlab-settings', 'kernels-settings.jupyterlab-settings']
    """
    written = []
    for rel, value in {**LAB_SETTINGS, **(extra or {})}.items():
        target = settings_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
        written.append(target)
    return written


def _beside(rel: Path, folder: Path, manifest: dict[str, str]) -> Path:
    """Where the new version of a changed file goes: ``x.new.ipynb``, else ``x.new-2.ipynb``, ...
    (the first that does not exist or that the learner has not changed either)."""
    for number in range(1, 1000):
        tag = ".new" if number == 1 else f".new-{number}"
        candidate = rel.with_name(f"{rel.stem}{tag}{rel.suffix}")
        target = folder / candidate
        if not target.exists() or manifest.get(candidate.as_posix()) == _fingerprint(
                candidate, target.read_bytes()):
            return candidate
    raise InputError([Problem(None, None, f"{folder / rel}: too many .new copies beside it")])


def _read_manifest(folder: Path) -> dict[str, str]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError):
        raise InputError([Problem(None, None, f"{path}: not a workbook manifest; move it away "
                                  "and run again (every existing file will then be kept)")]) from None
    return {str(k): str(v) for k, v in files.items()}


def _place(folder: Path, files: Iterable[tuple[Path, bytes]], manifest: dict[str, str]):
    written, updated, unchanged, kept = [], [], [], []
    for rel, data in files:
        digest = _fingerprint(rel, data)
        target = folder / rel
        if not target.exists():
            written.append(rel)
        else:
            current = _fingerprint(rel, target.read_bytes())
            if current == digest:
                unchanged.append(rel)
                manifest[rel.as_posix()] = digest
                continue
            if manifest.get(rel.as_posix()) != current:  # changed by the learner (or not ours)
                new = _beside(rel, folder, manifest)
                kept.append((rel, new))
                rel, target = new, folder / new
            else:
                updated.append(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        manifest[rel.as_posix()] = digest
    return written, updated, unchanged, kept


def write_workbook(folder: Path | str = DEFAULT_FOLDER, instructor: bool = False, *, source=None,
                   builder: Callable[[object, Path, str], list[Path]] | None = None) -> WorkbookReport:
    """Write the learner (or instructor) edition of the lessons into ``folder``; return what was done.

    ``source`` is the authored lessons (default: the ones installed with the package);
    ``builder(source, out_dir, edition)`` writes an edition and returns the paths it wrote
    (default: ``iaptlab.editions.build_edition``). Files the learner changed are kept and the new
    version is written beside them; see the module docstring.

    >>> def two_lessons(source, out, edition):  # a stand-in for build_edition
    ...     paths = [out / "00_start_here.ipynb", out / "01_x.ipynb"]
    ...     for path in paths:
    ...         _ = path.write_text(edition)
    ...     return paths
    >>> folder = Path(tempfile.mkdtemp())
    >>> print(write_workbook(folder, source=".", builder=two_lessons).summary())  # doctest: +ELLIPSIS
    learner edition in ...: 3 files written, 0 updated, 0 unchanged.
    >>> _ = (folder / "01_x.ipynb").write_text("my answers")
    >>> print(write_workbook(folder, source=".", builder=two_lessons).summary())  # doctest: +ELLIPSIS
    learner edition in ...: 0 files written, 0 updated, 2 unchanged.
      kept your 01_x.ipynb (you changed it); the new version is 01_x.new.ipynb
    """
    folder = Path(folder)
    edition = "instructor" if instructor else "learner"
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem(None, None, f"{folder}: exists and is not a folder")])
    source = lessons_source() if source is None else source
    builder = builder or _default_builder
    manifest = _read_manifest(folder)
    with tempfile.TemporaryDirectory(prefix="iaptlab-edition-") as scratch:
        out = Path(scratch)
        paths = builder(source, out, edition)
        files = [(Path(p).resolve().relative_to(out.resolve()), Path(p).read_bytes())
                 for p in sorted(paths) if Path(p).is_file()]
    if not any(rel.as_posix() == FIRST_LESSON for rel, _ in files):
        raise InputError([Problem(None, None, f"the {edition} edition has no {FIRST_LESSON}; "
                                  "the installed lessons are incomplete")])
    files.append((Path(_README), _readme_text(edition).encode()))
    folder.mkdir(parents=True, exist_ok=True)
    written, updated, unchanged, kept = _place(folder, files, manifest)
    write_lab_settings(folder / SETTINGS_DIR)
    (folder / MANIFEST).write_text(json.dumps({"edition": edition, "files": dict(sorted(manifest.items()))},
                                              indent=1) + "\n", encoding="utf-8")
    return WorkbookReport(folder, edition, tuple(written), tuple(updated), tuple(unchanged), tuple(kept))


def lab_command(folder: Path, port: int, as_root: bool, token: str, *,
                notebook: str = FIRST_LESSON) -> list[str]:
    """The JupyterLab command line serving ``folder`` on 127.0.0.1 with login ``token``, opening
    ``notebook`` itself, with the folder's own settings and layout (not the user's global ones).

    >>> lab_command(Path("wb"), 8888, as_root=True, token="x")[-1]
    '--allow-root'
    """
    folder = Path(folder).resolve()
    command = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--ServerApp.root_dir={folder}",
               f"--IdentityProvider.token={token}",
               f"--LabApp.default_url=/lab/tree/{notebook}",
               f"--LabApp.user_settings_dir={folder / SETTINGS_DIR}",
               f"--LabApp.workspaces_dir={folder / _WORKSPACES_DIR}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    return command + (["--allow-root"] if as_root else [])


def lab_url(port: int, token: str, notebook: str = FIRST_LESSON) -> str:
    """The address that opens ``notebook`` in the server ``lab_command`` starts.

    >>> lab_url(8888, "x")
    'http://127.0.0.1:8888/lab/tree/00_start_here.ipynb?token=x'
    """
    return f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"


def open_lab(folder: Path | str = DEFAULT_FOLDER, *, instructor: bool = False, port: int = 8888,
             open_browser: bool = True) -> int:
    """Write (or update) the workbook in ``folder``, then run JupyterLab on it until Ctrl+C.

    Returns JupyterLab's exit code (0 after Ctrl+C).
    """
    import importlib.util
    import subprocess

    if importlib.util.find_spec("jupyterlab") is None:
        raise InputError([Problem(None, None, "JupyterLab is not installed: pip install jupyterlab")])
    report = write_workbook(folder, instructor=instructor)
    print(report.summary())
    token = secrets.token_urlsafe(24)
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    command = lab_command(Path(folder), port, as_root, token)
    if not open_browser:
        command.append("--no-browser")
    print(f"Opening {FIRST_LESSON} at {lab_url(port, token)} (stop with Ctrl+C)")
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0

