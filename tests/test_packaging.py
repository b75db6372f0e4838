"""The wheel must contain every subpackage, data file and lesson, not only what the repo checkout has."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "iaptlab").rglob("__init__.py")}
    assert found - {"iaptlab.data"} <= listed
    assert config["package-dir"]["iaptlab.data"] == "data"
    assert (ROOT / "data" / "__init__.py").exists()


def test_data_files_match_package_data_patterns():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["iaptlab.data"]
    shipped = {p.name for pattern in patterns for p in (ROOT / "data").glob(pattern)}
    everything = {p.name for p in (ROOT / "data").iterdir() if p.is_file() and p.name != "__init__.py"}
    assert everything == shipped, f"data files the wheel would miss: {everything - shipped}"


# ------------------------------------------------------------------ lessons as package data

def test_lessons_are_package_data_from_the_notebooks_folder():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["iaptlab.lessons"] == "notebooks"
    assert (ROOT / "notebooks" / "__init__.py").exists()  # so an editable install finds it too
    patterns = config["package-data"]["iaptlab.lessons"]
    shipped = {p.relative_to(ROOT / "notebooks") for pattern in patterns
               for p in (ROOT / "notebooks").glob(pattern)}
    authored = {p.relative_to(ROOT / "notebooks") for p in (ROOT / "notebooks").rglob("*.ipynb")
                if ".ipynb_checkpoints" not in p.parts}
    assert authored == shipped, f"notebooks the wheel would miss: {authored - shipped}"


def test_lesson_list_matches_the_notebooks_folder():
    from iaptlab.lesson_files import lesson_list, lesson_notebook, workshop_notebook

    lessons = lesson_list()
    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [lesson.file_name for lesson in lessons] == names
    assert [lesson.number for lesson in lessons] == [int(name[:2]) for name in names]
    for lesson in lessons:  # the title is the notebook's first heading, "NN · ..."
        assert lesson.title.startswith(f"{lesson.number:02d} ") and lesson.notebook.is_file()
    assert lesson_notebook(0).name == "00_start_here.ipynb"
    assert workshop_notebook().read_bytes() == (ROOT / "notebooks/present/workshop.ipynb").read_bytes()


def test_an_unknown_lesson_is_a_clear_error():
    from iaptlab.errors import ParameterError
    from iaptlab.lesson_files import lesson_notebook

    with pytest.raises(ParameterError, match=r"no lesson 99 \(lessons: 0, 1"):
        lesson_notebook(99)


def test_a_notebook_without_a_heading_is_titled_by_its_file_name(tmp_path):
    from iaptlab.lesson_files import _first_heading

    path = tmp_path / "09_x.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "# not a heading"},
                                          {"cell_type": "markdown", "source": ["Text\n", "## Two\n"]}]}))
    assert _first_heading(path) == "Two"
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "no heading"}]}))
    assert _first_heading(path) == "09_x.ipynb"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of the sources (a stale build/ folder cannot leak in)."""
    source = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for folder in ("iaptlab", "data", "notebooks"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                    str(source)], check=True, timeout=300)
    (built,) = out.glob("iaptlab-*.whl")
    return built


def test_wheel_holds_every_module_lesson_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"iaptlab/{p.relative_to(ROOT / 'iaptlab').as_posix()}"
                for p in (ROOT / "iaptlab").rglob("*.py") if "__pycache__" not in p.parts}
    expected |= {f"iaptlab/lessons/{p.relative_to(ROOT / 'notebooks').as_posix()}"
                 for p in (ROOT / "notebooks").rglob("*") if p.is_file() and p.suffix in {".ipynb", ".py"}
                 and ".ipynb_checkpoints" not in p.parts}
    expected |= {f"iaptlab/data/{p.name}" for p in (ROOT / "data").iterdir() if p.is_file()}
    assert "iaptlab/lessons/present/workshop.ipynb" in expected
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"


def test_an_installed_wheel_finds_its_lessons(wheel):
    # The wheel on sys.path (as a zip, without site-packages or the editable install): the lessons
    # are found through importlib.resources, not through the repository's folders.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import iaptlab, iaptlab.lesson_files as lf; "
            "assert iaptlab.__file__.startswith(sys.argv[1]), iaptlab.__file__; "
            "print(len(lf.lesson_list()), lf.lesson_list()[0].title, lf.workshop_notebook().is_file())")
    done = subprocess.run([sys.executable, "-S", "-c", code, str(wheel)], capture_output=True,
                          text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    count, *title, workshop = done.stdout.split()
    assert int(count) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert " ".join(title) == "00 · Start here" and workshop == "True"
