"""`iaptlab workbook` / `iaptlab lab`: the learner's own folder, never overwriting their work.

Most tests use a stand-in edition builder (two small notebooks whose text can change between
"releases"), so the folder logic is tested on its own. The tests against the real editions skip
only while ``iaptlab.editions`` is missing (it lands from another branch).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from iaptlab import workbook
from iaptlab.cli import main
from iaptlab.errors import InputError
from iaptlab.workbook import (
    FIRST_LESSON,
    LAB_SETTINGS,
    MANIFEST,
    SETTINGS_DIR,
    lab_command,
    write_lab_settings,
    write_workbook,
)

REPO = Path(__file__).resolve().parents[1]


class Release:
    """A stand-in for build_edition whose lesson text is ``version`` (bump it for a new release)."""

    def __init__(self, names=(FIRST_LESSON, "01_x.ipynb")):
        self.version, self.names, self.calls = "v1", names, []

    def __call__(self, source, out: Path, edition: str) -> list[Path]:
        self.calls.append((source, edition))
        paths = []
        for name in self.names:
            cell = nbformat.v4.new_markdown_cell(f"{name} {edition} {self.version}", id="intro")
            nb = nbformat.v4.new_notebook(cells=[cell])
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            paths.append(path)
        return paths


def write(folder: Path, release: Release, instructor: bool = False):
    return write_workbook(folder, instructor=instructor, source="authored", builder=release)


def test_first_run_writes_the_edition_readme_manifest_and_settings(tmp_path):
    release = Release()
    folder = tmp_path / "wb"
    report = write(folder, release)
    assert release.calls == [("authored", "learner")]
    assert set(report.written) == {Path(FIRST_LESSON), Path("01_x.ipynb"), Path("README.md")}
    assert report.kept == () and report.updated == () and report.unchanged == ()
    assert "v1" in (folder / "01_x.ipynb").read_text()
    readme = (folder / "README.md").read_text()
    assert "learner edition" in readme and FIRST_LESSON in readme and "iaptlab lab" in readme
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["edition"] == "learner"
    assert set(manifest["files"]) == {FIRST_LESSON, "01_x.ipynb", "README.md"}
    for rel, value in LAB_SETTINGS.items():
        assert json.loads((folder / SETTINGS_DIR / rel).read_text()) == value


def test_instructor_edition_is_asked_of_the_builder_and_named_in_the_readme(tmp_path):
    release = Release()
    report = write(tmp_path, release, instructor=True)
    assert release.calls[0][1] == "instructor" and report.edition == "instructor"
    assert "instructor edition" in (tmp_path / "README.md").read_text()


def test_second_run_with_nothing_changed_rewrites_nothing(tmp_path):
    release = Release()
    write(tmp_path, release)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.ipynb")}
    report = write(tmp_path, release)
    assert report.written == () and report.updated == () and report.kept == ()
    assert len(report.unchanged) == 3
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.ipynb")} == stamps
    assert not list(tmp_path.glob("*.new*"))


def test_a_new_release_replaces_notebooks_the_learner_did_not_touch(tmp_path):
    release = Release()
    write(tmp_path, release)
    release.version = "v2"
    report = write(tmp_path, release)
    assert set(report.updated) == {Path(FIRST_LESSON), Path("01_x.ipynb")}
    assert "v2" in (tmp_path / "01_x.ipynb").read_text()
    assert report.kept == ()


def test_a_changed_notebook_is_kept_and_the_new_version_written_beside_it(tmp_path):
    release = Release()
    write(tmp_path, release)
    mine = tmp_path / "01_x.ipynb"
    mine.write_text(mine.read_text().replace("v1", "my answer"))
    theirs = mine.read_bytes()
    release.version = "v2"
    report = write(tmp_path, release)
    assert mine.read_bytes() == theirs
    assert report.kept == ((Path("01_x.ipynb"), Path("01_x.new.ipynb")),)
    assert "v2" in (tmp_path / "01_x.new.ipynb").read_text()
    assert "kept your 01_x.ipynb" in report.summary() and "01_x.new.ipynb" in report.summary()
    assert report.updated == (Path(FIRST_LESSON),)  # the untouched one is still updated
    # a third run: the learner's file is still theirs; the untouched .new copy is refreshed
    release.version = "v3"
    again = write(tmp_path, release)
    assert mine.read_bytes() == theirs
    assert again.kept == ((Path("01_x.ipynb"), Path("01_x.new.ipynb")),)
    assert "v3" in (tmp_path / "01_x.new.ipynb").read_text()


def test_a_notebook_only_run_or_reopened_is_not_a_change_and_is_updated(tmp_path):
    release = Release()
    write(tmp_path, release)
    path = tmp_path / "01_x.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("", id="empty"))
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", text="ran")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11"}
    nb.cells.pop()  # outputs and kernel metadata only: the learner's cells are as written
    nb.metadata["widgets"] = {"state": {}}
    nbformat.write(nb, path)
    release.version = "v2"
    report = write(tmp_path, release)
    assert report.kept == () and Path("01_x.ipynb") in report.updated
    assert "v2" in path.read_text()


def test_an_edited_cell_source_is_a_change(tmp_path):
    release = Release()
    write(tmp_path, release)
    path = tmp_path / "01_x.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("answer = 53", id="mine"))
    nbformat.write(nb, path)
    release.version = "v2"
    assert write(tmp_path, release).kept == ((Path("01_x.ipynb"), Path("01_x.new.ipynb")),)
    assert "answer = 53" in path.read_text()


def test_a_new_copy_the_learner_edited_too_is_not_overwritten(tmp_path):
    release = Release()
    write(tmp_path, release)
    (tmp_path / "01_x.ipynb").write_text("mine")
    release.version = "v2"
    write(tmp_path, release)
    (tmp_path / "01_x.new.ipynb").write_text("mine as well")
    release.version = "v3"
    report = write(tmp_path, release)
    assert (tmp_path / "01_x.new.ipynb").read_text() == "mine as well"
    assert report.kept == ((Path("01_x.ipynb"), Path("01_x.new-2.ipynb")),)
    assert "v3" in (tmp_path / "01_x.new-2.ipynb").read_text()


def test_a_file_that_was_there_before_the_workbook_is_kept(tmp_path):
    (tmp_path / FIRST_LESSON).write_text("someone else's notebook")
    report = write(tmp_path, Release())
    assert (tmp_path / FIRST_LESSON).read_text() == "someone else's notebook"
    assert report.kept == ((Path(FIRST_LESSON), Path("00_start_here.new.ipynb")),)


def test_a_learner_file_equal_to_the_new_release_counts_as_unchanged(tmp_path):
    release = Release()
    write(tmp_path, release)
    release.version = "v2"
    other = tmp_path / "elsewhere"
    write(other, release)
    (tmp_path / "01_x.ipynb").write_bytes((other / "01_x.ipynb").read_bytes())
    report = write(tmp_path, release)
    assert Path("01_x.ipynb") in report.unchanged and report.kept == ()


def test_bad_folder_and_bad_manifest_and_incomplete_edition_are_clear_errors(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write(not_a_folder, Release())
    (tmp_path / "wb").mkdir()
    (tmp_path / "wb" / MANIFEST).write_text("{not json")
    with pytest.raises(InputError, match="not a workbook manifest"):
        write(tmp_path / "wb", Release())
    with pytest.raises(InputError, match=FIRST_LESSON):
        write(tmp_path / "other", Release(names=("01_x.ipynb",)))
    assert not (tmp_path / "other").exists()  # nothing half-written


@pytest.mark.parametrize("as_root", [False, True])
def test_lab_command_is_loopback_with_a_token_opening_lesson_00_with_the_folder_settings(tmp_path, as_root):
    command = lab_command(tmp_path, 9999, as_root=as_root, token="secret")
    assert command[1:3] == ["-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in command and "--ServerApp.port=9999" in command
    assert "--IdentityProvider.token=secret" in command
    assert f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}" in command
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert f"--LabApp.user_settings_dir={tmp_path.resolve() / SETTINGS_DIR}" in command
    assert ("--allow-root" in command) is as_root
    assert not any(part.startswith("--ip=0") or "0.0.0.0" in part for part in command)


def _schema(rel: str) -> dict | None:
    """JupyterLab's own schema for a settings file (``@scope/ext/plugin.jupyterlab-settings``)."""
    import jupyterlab
    from jupyter_core.paths import jupyter_path

    plugin = rel.removesuffix(".jupyterlab-settings") + ".json"
    places = [Path(p) / "lab" / "schemas" for p in jupyter_path()]
    places.append(Path(jupyterlab.__file__).parent / "schemas")
    for place in places:
        if (place / plugin).is_file():
            return json.loads((place / plugin).read_text())
    return None


@pytest.mark.parametrize("rel", sorted(LAB_SETTINGS))
def test_every_shipped_setting_is_a_real_jupyterlab_setting_of_the_right_type(rel):
    schema = _schema(rel)
    assert schema is not None, f"JupyterLab has no settings schema for {rel}"
    kinds = {"boolean": bool, "string": str}
    for key, value in LAB_SETTINGS[rel].items():
        assert key in schema["properties"], f"{rel}: JupyterLab has no setting {key!r}"
        expected = schema["properties"][key].get("type")
        if expected in kinds:
            assert isinstance(value, kinds[expected]), f"{rel}: {key} must be a {expected}"
        if "enum" in schema["properties"][key]:
            assert value in schema["properties"][key]["enum"]


def test_extra_settings_win_over_the_shipped_ones(tmp_path):
    rel = next(iter(LAB_SETTINGS))
    write_lab_settings(tmp_path, {rel: {"fetchNews": "true"}, "a/b.jupyterlab-settings": {"x": 1}})
    assert json.loads((tmp_path / rel).read_text()) == {"fetchNews": "true"}
    assert json.loads((tmp_path / "a/b.jupyterlab-settings").read_text()) == {"x": 1}


def test_cli_workbook_writes_the_folder_and_says_what_it_kept(tmp_path, capsys, monkeypatch):
    release = Release()
    monkeypatch.setattr(workbook, "lessons_source", lambda: "packaged")
    monkeypatch.setattr(workbook, "_default_builder", release)
    assert main(["workbook", str(tmp_path / "wb")]) == 0
    (tmp_path / "wb" / FIRST_LESSON).write_text("mine")
    assert main(["workbook", str(tmp_path / "wb"), "--instructor"]) == 0
    out = capsys.readouterr().out
    assert "learner edition" in out and "instructor edition" in out
    assert f"kept your {FIRST_LESSON}" in out
    assert release.calls == [("packaged", "learner"), ("packaged", "instructor")]


def test_cli_workbook_into_a_file_is_exit_2_without_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(workbook, "_default_builder", Release())
    monkeypatch.setattr(workbook, "lessons_source", lambda: "packaged")
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["workbook", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


# ---------------------------------------------------------------- against the real editions

def test_real_learner_workbook_has_every_lesson_no_solution_and_a_python3_kernel(tmp_path):
    authored = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    write_workbook(tmp_path / "learner", source=REPO / "notebooks")
    write_workbook(tmp_path / "instructor", instructor=True, source=REPO / "notebooks")
    learner = sorted(p.name for p in (tmp_path / "learner").glob("[0-9][0-9]_*.ipynb"))
    assert learner == authored
    for name in learner:
        nb = nbformat.read(tmp_path / "learner" / name, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3", name
        text = "\n".join(cell.source for cell in nb.cells)
        assert "# SOLUTION" not in text and "<!-- INSTRUCTOR -->" not in text, name
    instructor_text = "".join(p.read_text() for p in (tmp_path / "instructor").glob("[0-9][0-9]_*.ipynb"))
    assert "SOLUTION" in instructor_text


def test_open_lab_writes_the_workbook_then_runs_jupyterlab_and_prints_the_lesson_address(
        tmp_path, capsys, monkeypatch):
    import subprocess

    ran = []
    monkeypatch.setattr(workbook, "lessons_source", lambda: "packaged")
    monkeypatch.setattr(workbook, "_default_builder", Release())
    monkeypatch.setattr(subprocess, "call", lambda command: ran.append(command) or 0)
    assert main(["lab", str(tmp_path / "wb"), "--port", "9123"]) == 0
    out = capsys.readouterr().out
    (command,) = ran
    token = next(p.split("=", 1)[1] for p in command if p.startswith("--IdentityProvider.token="))
    assert len(token) >= 24
    assert f"http://127.0.0.1:9123/lab/tree/{FIRST_LESSON}?token={token}" in out
    assert (tmp_path / "wb" / FIRST_LESSON).is_file()
    assert "--ServerApp.port=9123" in command


def test_make_labs_working_folders_are_ignored_by_git_so_learning_never_changes_tracked_files():
    # `make lab` / `make lab-instructor` write the workbook inside the checkout; git must ignore it,
    # so autosave and executed outputs never show up as changes (tools/check_wheel_path.sh also
    # runs every learner notebook in place and checks `git status` is unchanged afterwards).
    import re
    import shutil
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    if shutil.which("git") is None or not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    makefile = (repo / "Makefile").read_text()
    folders = [re.search(rf"^{name} \?= (\S+)$", makefile, re.M).group(1)
               for name in ("WORKBOOK", "INSTRUCTOR_WORKBOOK")]
    for folder in folders:
        probe = f"{folder}/00_start_here.ipynb"
        result = subprocess.run(["git", "-C", str(repo), "check-ignore", "-q", probe], check=False)
        assert result.returncode == 0, f"{probe} would be tracked by git"
