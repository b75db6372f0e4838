"""Tests for tools/build_notebooks.py on tiny synthetic notebooks written with nbformat."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

TOOL = Path(__file__).resolve().parent.parent / "tools" / "build_notebooks.py"
_spec = importlib.util.spec_from_file_location("build_notebooks", TOOL)
bn = importlib.util.module_from_spec(_spec)
sys.modules["build_notebooks"] = bn
_spec.loader.exec_module(bn)

SECRET = "SENTINEL_FORMULA_731"  # appears only inside solution code and instructor notes

SOLUTION_CELL = f'''# SOLUTION: compute the recovery rate
import math
def recovery_rate(recovered: int, eligible: int) -> float:
    """Share of eligible episodes that recovered."""
    {SECRET} = recovered / eligible
    return {SECRET}
rate = recovery_rate(5, 10)
low, high = math.floor(rate), math.ceil(rate)'''

HAND_STUB = '''# STUB
total = ...  # add up the counts
raise NotImplementedError("Exercise: add them up")'''


def _authored() -> nbformat.NotebookNode:
    shared = new_code_cell("x = 1")
    shared.outputs = [new_output("stream", name="stdout", text="old output\n")]
    shared.execution_count = 3
    nb = new_notebook(cells=[
        new_markdown_cell("# Lesson"),
        shared,
        new_code_cell(SOLUTION_CELL),
        new_markdown_cell(f"<!-- INSTRUCTOR -->\nTell them about {SECRET}."),
        new_code_cell(f"# INSTRUCTOR demo\nprint('{SECRET}')"),
        new_code_cell(HAND_STUB),
        new_code_cell(f"# SOLUTION: sum\ntotal = sum([1, 2])  # {SECRET}"),
        new_code_cell("print(rate)"),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


@pytest.fixture()
def built(tmp_path):
    src = tmp_path / "notebooks"
    (src / "img").mkdir(parents=True)
    (src / "img" / "figure.svg").write_text("<svg/>")
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "l-checkpoint.ipynb").write_text("{}")
    nbformat.write(_authored(), src / "01_lesson.ipynb")
    out = tmp_path / "build"
    assert bn.main(["--src", str(src), "--out", str(out)]) == 0
    return out


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_no_solution_or_instructor_text_in_student_build(built):
    raw = (built / "student" / "01_lesson.ipynb").read_text()
    assert SECRET not in raw
    assert "# SOLUTION" not in raw and "INSTRUCTOR" not in raw
    assert "sum([1, 2])" not in raw and "recovered / eligible" not in raw


def test_student_stub_is_faithful_and_raises(built):
    nb = _read(built / "student" / "01_lesson.ipynb")
    stub = nb.cells[2].source
    assert stub.startswith("# Your turn: compute the recovery rate")
    namespace: dict = {}
    with pytest.raises(NotImplementedError, match="compute the recovery rate"):
        exec(stub, namespace)
    # same top-level names as the solution, defined before the final raise
    assert {"math", "recovery_rate", "rate", "low", "high"} <= set(namespace)
    assert namespace["rate"] is Ellipsis
    assert namespace["recovery_rate"].__doc__ == "Share of eligible episodes that recovered."
    assert "recovered: int, eligible: int" in stub and "-> float" in stub
    with pytest.raises(NotImplementedError, match="recovery_rate"):
        namespace["recovery_rate"](1, 2)


def test_hand_written_stub_replaces_generated_one(built):
    nb = _read(built / "student" / "01_lesson.ipynb")
    sources = [c.source for c in nb.cells]
    assert sources[3].startswith("# Your turn:") and "add up the counts" in sources[3]
    with pytest.raises(NotImplementedError):
        exec(sources[3], {})
    # order: md, shared, stub, hand stub, print  (instructor cells and solutions gone)
    assert len(sources) == 5 and sources[4] == "print(rate)"


def test_outputs_and_widgets_cleared_in_both(built):
    for flavour in ("student", "instructor"):
        nb = _read(built / flavour / "01_lesson.ipynb")
        assert "widgets" not in nb.metadata
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_instructor_build_keeps_everything_but_the_student_stub(built):
    nb = _read(built / "instructor" / "01_lesson.ipynb")
    authored = _authored()
    kept = [c.source for c in authored.cells if not c.source.startswith("# STUB")]
    assert [c.source for c in nb.cells] == kept
    assert (built / "instructor" / "01_lesson.ipynb").read_text().count(SECRET) >= 4


def test_other_files_copied_checkpoints_skipped(built):
    for flavour in ("student", "instructor"):
        assert (built / flavour / "img" / "figure.svg").read_text() == "<svg/>"
        assert not (built / flavour / ".ipynb_checkpoints").exists()


def _one_notebook(tmp_path, *cells):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), src / "n.ipynb")
    return src


def test_unfaithful_hand_stub_fails_the_build(tmp_path, capsys):
    src = _one_notebook(tmp_path, "# STUB\nanswer = ...\nraise NotImplementedError('x')",
                        "# SOLUTION\nanswr = 42")
    assert bn.main(["--src", str(src), "--out", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "n.ipynb, cell 1" in err and "answer" in err and "answr" in err


def test_hand_stub_must_raise(tmp_path):
    src = _one_notebook(tmp_path, "# STUB\nanswer = ...", "# SOLUTION\nanswer = 42")
    with pytest.raises(bn.BuildError, match="NotImplementedError"):
        bn.build(src, tmp_path / "b")


def test_stub_without_following_solution_fails(tmp_path):
    src = _one_notebook(tmp_path, "# STUB\nraise NotImplementedError", "x = 1")
    with pytest.raises(bn.BuildError, match="directly before"):
        bn.build(src, tmp_path / "b")


def test_solution_with_syntax_error_names_the_cell(tmp_path):
    src = _one_notebook(tmp_path, "x = 1", "# SOLUTION\ndef broken(:\n    pass")
    with pytest.raises(bn.BuildError, match="cell 2: cannot parse"):
        bn.build(src, tmp_path / "b")


@pytest.mark.parametrize("first_line, role", [
    ("# SOLUTION", "solution"), ("#SOLUTION: do it", "solution"), ("# SOLUTIONS", "shared"),
    ("# solution", "shared"), ("x = 1  # SOLUTION", "shared"), ("# INSTRUCTOR", "instructor"),
    ("# STUB", "stub")])
def test_marker_must_be_the_first_line_and_exact(first_line, role):
    assert bn.cell_role(new_code_cell(f"\n{first_line}\nx = 1")) == role


def test_markdown_instructor_marker_only_on_markdown():
    assert bn.cell_role(new_markdown_cell("<!-- INSTRUCTOR -->\nnote")) == "instructor"
    assert bn.cell_role(new_markdown_cell("note\n<!-- INSTRUCTOR -->")) == "shared"
    assert bn.cell_role(new_markdown_cell("# SOLUTION")) == "shared"


@pytest.mark.parametrize("source, names", [
    ("a = b = 1", ["a", "b"]), ("x: int = 3", ["x"]), ("n += 1", ["n"]),
    ("import os.path as p\nfrom math import pi", ["p", "pi"]), ("import os.path", ["os"]),
    ("with open('f') as fh:\n    data = fh.read()", ["data", "fh"]),
    ("def f():\n    inner = 1", ["f"]), ("squares = [k * k for k in range(3)]", ["squares"]),
    ("try:\n    pass\nexcept ValueError as e:\n    msg = 1", ["e", "msg"]),
    ("class C:\n    attr = 1", ["C"]), ("df['col'] = 1", []),
])
def test_solution_names(source, names):
    assert bn.solution_names(source) == names


@pytest.mark.parametrize("source", [
    "# SOLUTION\na, (b, c) = 1, (2, 3)", "# SOLUTION\nfor i in range(3):\n    acc = i",
    "# SOLUTION\nclass Model:\n    def fit(self):\n        return 1",
    "# SOLUTION\nasync def go(x=1, *, y):\n    return x", "# SOLUTION\nprint('only a call')",
])
def test_generated_stub_is_faithful_for_many_shapes(source):
    stub = bn.make_stub(source)
    assert bn.solution_names(stub) == bn.solution_names(source)
    with pytest.raises(NotImplementedError):
        exec(stub, {})


def test_missing_source_folder_is_a_clear_error(tmp_path, capsys):
    assert bn.main(["--src", str(tmp_path / "none"), "--out", str(tmp_path / "b")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_run_student_notebook_allows_only_not_implemented(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1"),
                             new_code_cell(bn.make_stub("# SOLUTION\ny = x + 1")),
                             new_code_cell("raise ValueError('real bug')")])
    path = tmp_path / "s.ipynb"
    nbformat.write(nb, path)
    errors = bn.run_student_notebook(path, timeout=60)
    assert errors == ["s.ipynb, cell 3: ValueError: real bug"]
