"""Tests for iaptlab.editions (and its thin wrapper tools/build_notebooks.py) on tiny notebooks."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from iaptlab import editions as ed

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
total = ...  # add up the counts'''


def _authored() -> nbformat.NotebookNode:
    shared = new_code_cell("x = 1")
    shared.outputs = [new_output("stream", name="stdout", text="old output\n")]
    shared.execution_count = 3
    nb = new_notebook(cells=[
        new_markdown_cell("# Lesson"),
        shared,
        new_code_cell(SOLUTION_CELL),
        new_code_cell("check('t.q', rate)"),
        new_markdown_cell(f"<!-- INSTRUCTOR -->\nTell them about {SECRET}."),
        new_code_cell(f"# INSTRUCTOR demo\nprint('{SECRET}')"),
        new_code_cell(HAND_STUB),
        new_code_cell(f"# SOLUTION: sum\ntotal = sum([1, 2])  # {SECRET}"),
        new_code_cell("print(x)"),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["kernelspec"] = {"name": "something-else", "display_name": "Old"}
    return nb


@pytest.fixture()
def src(tmp_path):
    src = tmp_path / "notebooks"
    (src / "img").mkdir(parents=True)
    (src / "img" / "figure.svg").write_text("<svg/>")
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "l-checkpoint.ipynb").write_text("{}")
    (src / "__pycache__").mkdir()
    (src / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (src / "__init__.py").write_text("")
    nbformat.write(_authored(), src / "01_lesson.ipynb")
    return src


@pytest.fixture()
def built(src, tmp_path):
    out = tmp_path / "build"
    assert bn.main(["--src", str(src), "--out", str(out)]) == 0
    return out


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_no_solution_or_instructor_text_in_learner_edition(built):
    raw = (built / "student" / "01_lesson.ipynb").read_text()
    assert SECRET not in raw
    assert "# SOLUTION" not in raw and "INSTRUCTOR" not in raw
    assert "sum([1, 2])" not in raw and "recovered / eligible" not in raw


def test_placeholder_is_faithful_and_never_raises(built):
    nb = _read(built / "student" / "01_lesson.ipynb")
    stub = nb.cells[2].source
    assert stub.startswith("# Your turn: compute the recovery rate")
    namespace: dict = {}
    exec(stub, namespace)  # runs: Run All goes on
    assert {"math", "recovery_rate", "rate", "low", "high"} <= set(namespace)
    assert namespace["rate"] is Ellipsis and namespace["low"] is Ellipsis
    assert namespace["recovery_rate"].__doc__ == "Share of eligible episodes that recovered."
    assert "recovered: int, eligible: int" in stub and "-> float" in stub
    assert namespace["recovery_rate"](1, 2) is Ellipsis
    assert "raise" not in stub


def test_hand_written_stub_replaces_generated_one(built):
    nb = _read(built / "student" / "01_lesson.ipynb")
    sources = [c.source for c in nb.cells]
    assert sources[4].startswith("# Your turn:") and "add up the counts" in sources[4]
    exec(sources[4], {})
    # order: md, shared, placeholder, check, hand stub, print (instructor cells and solutions gone)
    assert len(sources) == 6 and sources[5] == "print(x)"


def test_outputs_widgets_cleared_and_kernelspec_set_in_both(built):
    for flavour in ("student", "instructor"):
        nb = _read(built / flavour / "01_lesson.ipynb")
        assert "widgets" not in nb.metadata
        assert nb.metadata["kernelspec"] == ed.KERNELSPEC
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_instructor_edition_keeps_everything_but_the_learner_stub(built):
    nb = _read(built / "instructor" / "01_lesson.ipynb")
    kept = [c.source for c in _authored().cells if not c.source.startswith("# STUB")]
    assert [c.source for c in nb.cells] == kept
    assert (built / "instructor" / "01_lesson.ipynb").read_text().count(SECRET) >= 4


def test_cell_ids_are_kept(built):
    authored = {c.source: c.id for c in _authored().cells}
    nb = _read(built / "instructor" / "01_lesson.ipynb")
    assert all(len(c.id) > 0 for c in nb.cells) and nb.cells[0].id != nb.cells[1].id
    assert set(authored) >= {c.source for c in nb.cells}


def test_other_files_copied_checkpoints_caches_and_init_skipped(built):
    for flavour in ("student", "instructor"):
        assert (built / flavour / "img" / "figure.svg").read_text() == "<svg/>"
        assert not (built / flavour / ".ipynb_checkpoints").exists()
        assert not (built / flavour / "__pycache__").exists()
        assert not (built / flavour / "__init__.py").exists()


def test_build_edition_returns_written_paths_and_reads_a_traversable(src, tmp_path):
    # A zip file's root is an importlib.resources Traversable, like files("iaptlab.lessons").
    archive = tmp_path / "lessons.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in src.rglob("*"):
            if path.is_file():
                zf.write(path, path.relative_to(src).as_posix())
    from_zip = ed.render_edition(zipfile.Path(archive), "learner")
    from_dir = ed.render_edition(src, "learner")
    assert from_zip == from_dir and set(from_dir) == {"01_lesson.ipynb", "img/figure.svg"}
    written = ed.build_edition(zipfile.Path(archive), tmp_path / "w", edition="instructor")
    assert sorted(p.relative_to(tmp_path / "w").as_posix() for p in written) == sorted(from_dir)


def test_unknown_edition_is_refused(src):
    with pytest.raises(ed.BuildError, match="edition"):
        ed.render_edition(src, "teacher")


def _one_notebook(tmp_path, *cells):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), src / "n.ipynb")
    return src


def test_unfaithful_hand_stub_fails_the_build(tmp_path, capsys):
    src = _one_notebook(tmp_path, "# STUB\nanswer = ...", "# SOLUTION\nanswr = 42")
    assert bn.main(["--src", str(src), "--out", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "n.ipynb, cell 1" in err and "answer" in err and "answr" in err


def test_hand_stub_must_not_raise(tmp_path):
    src = _one_notebook(tmp_path, "# STUB\nanswer = ...\nraise NotImplementedError", "# SOLUTION\nanswer = 42")
    with pytest.raises(ed.BuildError, match="must not raise"):
        ed.build_edition(src, tmp_path / "b")


def test_stub_without_following_solution_fails(tmp_path):
    src = _one_notebook(tmp_path, "# STUB\nx = ...", "x = 1")
    with pytest.raises(ed.BuildError, match="directly before"):
        ed.build_edition(src, tmp_path / "b")


def test_solution_with_syntax_error_names_the_cell(tmp_path):
    src = _one_notebook(tmp_path, "x = 1", "# SOLUTION\ndef broken(:\n    pass")
    with pytest.raises(ed.BuildError, match="cell 2: cannot parse"):
        ed.build_edition(src, tmp_path / "b")


@pytest.mark.parametrize("later", [
    "print(answer + 1)", "y = [answer for _ in range(2)]", "f(answer)", "check('q', answer)\nprint(answer)"])
def test_a_later_cell_that_needs_the_answer_fails_the_build(tmp_path, later):
    src = _one_notebook(tmp_path, "# SOLUTION\nanswer = 42", later)
    with pytest.raises(ed.BuildError, match=r"cell 2: uses \['answer'\].*cell\(s\) \[1\]"):
        ed.build_edition(src, tmp_path / "b")


@pytest.mark.parametrize("later", [
    "check('q', answer)", "check('q', wrap(answer))", "answer = 3\nprint(answer)", "print('answer')",
    "def f(answer):\n    return answer"])
def test_a_later_cell_may_pass_the_answer_to_check_or_rebind_it(tmp_path, later):
    src = _one_notebook(tmp_path, "# SOLUTION\nanswer = 42", later)
    ed.build_edition(src, tmp_path / "b")


def test_a_solution_that_rebinds_a_shared_name_used_later_fails(tmp_path):
    src = _one_notebook(tmp_path, "row = 1", "# SOLUTION\nrow = 2\nanswer = row", "print(row)")
    with pytest.raises(ed.BuildError, match=r"cell 3: uses \['row'\]"):
        ed.build_edition(src, tmp_path / "b")


@pytest.mark.parametrize("first_line, role", [
    ("# SOLUTION", "solution"), ("#SOLUTION: do it", "solution"), ("# SOLUTIONS", "shared"),
    ("# solution", "shared"), ("x = 1  # SOLUTION", "shared"), ("# INSTRUCTOR", "instructor"),
    ("# STUB", "stub")])
def test_marker_must_be_the_first_line_and_exact(first_line, role):
    assert ed.cell_role(new_code_cell(f"\n{first_line}\nx = 1")) == role


def test_markdown_instructor_marker_only_on_markdown():
    assert ed.cell_role(new_markdown_cell("<!-- INSTRUCTOR -->\nnote")) == "instructor"
    assert ed.cell_role(new_markdown_cell("note\n<!-- INSTRUCTOR -->")) == "shared"
    assert ed.cell_role(new_markdown_cell("# SOLUTION")) == "shared"


@pytest.mark.parametrize("source, names", [
    ("a = b = 1", ["a", "b"]), ("x: int = 3", ["x"]), ("n += 1", ["n"]),
    ("import os.path as p\nfrom math import pi", ["p", "pi"]), ("import os.path", ["os"]),
    ("with open('f') as fh:\n    data = fh.read()", ["data", "fh"]),
    ("def f():\n    inner = 1", ["f"]), ("squares = [k * k for k in range(3)]", ["squares"]),
    ("try:\n    pass\nexcept ValueError as e:\n    msg = 1", ["e", "msg"]),
    ("class C:\n    attr = 1", ["C"]), ("df['col'] = 1", []), ("%matplotlib inline\nz = 1", ["z"]),
])
def test_solution_names(source, names):
    assert ed.solution_names(source) == names


@pytest.mark.parametrize("source", [
    "# SOLUTION\na, (b, c) = 1, (2, 3)", "# SOLUTION\nfor i in range(3):\n    acc = i",
    "# SOLUTION\nclass Model:\n    def fit(self):\n        return 1",
    "# SOLUTION\nasync def go(x=1, *, y):\n    return x", "# SOLUTION\nprint('only a call')",
])
def test_generated_placeholder_is_faithful_for_many_shapes(source):
    stub = ed.make_placeholder(source)
    assert ed.solution_names(stub) == ed.solution_names(source)
    exec(stub, {})


def test_missing_source_folder_is_a_clear_error(tmp_path, capsys):
    assert bn.main(["--src", str(tmp_path / "none"), "--out", str(tmp_path / "b")]) == 1
    assert "does not exist" in capsys.readouterr().err
