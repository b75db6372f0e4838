"""Build the student and instructor workbooks from one authored source per lesson.

Usage: ``python tools/build_notebooks.py --out build [--src notebooks]`` (``make student``).

Authoring markers (first non-blank line of a cell):

* ``# SOLUTION: <what to do>`` (code cell) -- the worked answer. The instructor build keeps it.
  The student build replaces it with a stub that defines the same top-level names: functions
  keep their signature and docstring with ``raise NotImplementedError``; other names become
  ``name = ...``; imports are kept; the cell ends with ``raise NotImplementedError("Exercise:
  <what to do>")`` so running it says plainly that it is the student's turn.
* ``# STUB`` (code cell) directly before a ``# SOLUTION`` cell -- a hand-written stub used
  instead of the generated one (student build only; dropped from the instructor build). It must
  raise NotImplementedError and define the same top-level names as its solution.
* ``<!-- INSTRUCTOR -->`` (markdown cell) or ``# INSTRUCTOR`` (code cell) -- instructor-only
  notes or demos, removed from the student build.

Both builds clear outputs and execution counts and strip ``metadata.widgets``. Other files under
the source folder (images, small data) are copied beside the notebooks, keeping relative paths.
The build fails (exit 1) if a stub is not faithful to its solution or if solution or instructor
text would leak into the student build.

>>> solution_names("import math\\ndef f(x):\\n    return x\\ny, z = 1, 2")
['f', 'math', 'y', 'z']
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

SOLUTION = re.compile(r"^#\s*SOLUTION\b[:\s-]*(?P<task>.*)$")
STUB = re.compile(r"^#\s*STUB\b")
INSTRUCTOR_CODE = re.compile(r"^#\s*INSTRUCTOR\b")
INSTRUCTOR_MD = re.compile(r"^<!--\s*INSTRUCTOR\s*-->")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


class BuildError(Exception):
    """A notebook cannot be built faithfully; the message names the notebook and cell."""


def _first_line(cell: dict) -> str:
    return next((line.strip() for line in cell.source.splitlines() if line.strip()), "")


def cell_role(cell: dict) -> str:
    """'solution', 'stub', 'instructor' or 'shared', from the cell's first non-blank line.

    >>> cell_role(nbformat.v4.new_code_cell("# SOLUTION\\nx = 1"))
    'solution'
    """
    first = _first_line(cell)
    if cell.cell_type == "code":
        if SOLUTION.match(first):
            return "solution"
        if STUB.match(first):
            return "stub"
        if INSTRUCTOR_CODE.match(first):
            return "instructor"
    elif cell.cell_type == "markdown" and INSTRUCTOR_MD.match(first):
        return "instructor"
    return "shared"


def _bound_names(node: ast.AST) -> set[str]:
    """Names a statement binds in the module scope (not inside functions or comprehensions)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    names: set[str] = set()
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.add(child.id)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(child.name)
        elif not isinstance(child, _SCOPES):
            stack.extend(ast.iter_child_nodes(child))
    return names


def solution_names(source: str) -> list[str]:
    """Sorted top-level names (functions, classes, variables, imports) that ``source`` defines.

    >>> solution_names("for i in range(3):\\n    total = i")
    ['i', 'total']
    """
    return sorted(set().union(*(_bound_names(s) for s in ast.parse(source).body)))


def _raises_not_implemented(source: str) -> bool:
    return any(isinstance(n, ast.Raise) and n.exc is not None
               and "NotImplementedError" in ast.unparse(n.exc) for n in ast.walk(ast.parse(source)))


def _stub_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    stub = copy.deepcopy(node)
    doc = ast.get_docstring(node, clean=False)
    message = ast.Constant(f"Exercise: write {node.name}()")
    raise_stmt = ast.Raise(exc=ast.Call(ast.Name("NotImplementedError", ast.Load()), [message], []))
    stub.body = ([ast.Expr(ast.Constant(doc))] if doc is not None else []) + [raise_stmt]
    return ast.unparse(ast.fix_missing_locations(stub))


def make_stub(source: str) -> str:
    """The student version of a ``# SOLUTION`` cell: same top-level names, no solution code.

    >>> print(make_stub("# SOLUTION: count them\\nn = len([1, 2])"))
    # Your turn: count them
    # Replace each ... with your code, then delete the last line.
    n = ...
    raise NotImplementedError('Exercise: count them')
    """
    first = next(line for line in source.splitlines() if line.strip())
    task = SOLUTION.match(first.strip()).group("task").strip() or "complete this cell"
    lines = [f"# Your turn: {task}", "# Replace each ... with your code, then delete the last line."]
    done: set[str] = set()
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            lines.append(ast.unparse(statement))
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            lines.append(_stub_function(statement))
        elif isinstance(statement, ast.ClassDef):
            lines.append(f"class {statement.name}:\n    ...  # your code here")
        else:
            lines += [f"{name} = ..." for name in sorted(_bound_names(statement) - done)]
        done |= _bound_names(statement)
    lines.append(f"raise NotImplementedError({f'Exercise: {task}'!r})")
    return "\n".join(lines)


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return nb


def _check_faithful(stub: str, solution: str, where: str) -> None:
    want, have = solution_names(solution), solution_names(stub)
    if want != have:
        raise BuildError(f"{where}: stub defines {have} but the solution defines {want}")
    if not _raises_not_implemented(stub):
        raise BuildError(f"{where}: stub must raise NotImplementedError")


def build_notebook(nb: nbformat.NotebookNode, name: str = "notebook"
                   ) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """(student, instructor) versions of one authored notebook; raises BuildError if unfaithful.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# SOLUTION\\nx = 2")])
    >>> student, instructor = build_notebook(nb)
    >>> "x = ..." in student.cells[0].source, instructor.cells[0].source
    (True, '# SOLUTION\\nx = 2')
    """
    student, instructor = copy.deepcopy(nb), copy.deepcopy(nb)
    roles = [cell_role(c) for c in nb.cells]
    student_cells, instructor_cells = [], []
    for i, (cell, role) in enumerate(zip(nb.cells, roles, strict=True)):
        where = f"{name}, cell {i + 1}"
        try:
            if role == "stub":
                if i + 1 >= len(nb.cells) or roles[i + 1] != "solution":
                    raise BuildError(f"{where}: a # STUB cell must come directly before its # SOLUTION")
                _check_faithful(cell.source, nb.cells[i + 1].source, where)
                stub = copy.deepcopy(cell)
                stub.source = STUB.sub("# Your turn:", cell.source.lstrip(), count=1)
                student_cells.append(stub)
            elif role == "solution":
                instructor_cells.append(copy.deepcopy(cell))
                if i == 0 or roles[i - 1] != "stub":
                    stub = copy.deepcopy(cell)
                    stub.source = make_stub(cell.source)
                    _check_faithful(stub.source, cell.source, where)
                    student_cells.append(stub)
            elif role == "instructor":
                instructor_cells.append(copy.deepcopy(cell))
            else:
                student_cells.append(copy.deepcopy(cell))
                instructor_cells.append(copy.deepcopy(cell))
        except SyntaxError as err:
            raise BuildError(f"{where}: cannot parse the code ({err.msg}, line {err.lineno})") from None
    student.cells, instructor.cells = student_cells, instructor_cells
    leaked = [c for c in student.cells if cell_role(c) in {"solution", "instructor"}]
    if leaked:
        raise BuildError(f"{name}: solution or instructor cells would leak into the student build")
    return _clean(student), _clean(instructor)


def build(src: Path, out: Path) -> list[Path]:
    """Write ``out/student`` and ``out/instructor`` from every ``*.ipynb`` in ``src``.

    Returns the notebooks written. Other files are copied; checkpoints and hidden files skipped.

    >>> build(Path("no-such-folder"), Path("build"))
    Traceback (most recent call last):
    ...
    build_notebooks.BuildError: source folder no-such-folder does not exist
    """
    if not src.is_dir():
        raise BuildError(f"source folder {src} does not exist")
    written: list[Path] = []
    files = sorted(p for p in src.rglob("*") if p.is_file() and not any(
        part.startswith(".") or part == "__pycache__" for part in p.relative_to(src).parts))
    for path in files:
        relative = path.relative_to(src)
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            versions = dict(zip(("student", "instructor"), build_notebook(nb, str(relative)),
                                strict=True))
        for flavour in ("student", "instructor"):
            target = out / flavour / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".ipynb":
                nbformat.write(versions[flavour], target)
                written.append(target)
            else:
                shutil.copy2(path, target)
    return written


def run_student_notebook(path: str | Path, timeout: int = 120) -> list[str]:
    """Execute a student notebook; return every error other than NotImplementedError.

    An empty list means the notebook runs top to bottom with only the expected "your turn"
    stubs failing. Needs nbclient and a python3 kernel.
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return [f"{path.name}, cell {i + 1}: {out.ename}: {out.evalue}"
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"
            and out.ename != "NotImplementedError"]


def main(argv: list[str] | None = None) -> int:
    """Command line: build both flavours; print what was written or why the build failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "notebooks")
    parser.add_argument("--out", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    try:
        written = build(args.src, args.out)
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        return 1
    lessons = len(written) // 2
    print(f"built {lessons} notebook{'s' if lessons != 1 else ''} into {args.out}/student and "
          f"{args.out}/instructor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
