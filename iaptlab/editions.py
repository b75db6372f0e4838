"""Build the learner and instructor editions of the workbook from one authored source per lesson.

``build_edition(source, out_dir, edition="learner")`` reads every notebook under ``source`` (a
folder, or an :mod:`importlib.resources` Traversable such as ``files("iaptlab.lessons")``) and
writes one edition into ``out_dir``; :func:`render_edition` returns the files without writing
them (so a caller can decide what to do with a file a learner has changed).

Authoring markers (first non-blank line of a cell):

* ``# SOLUTION: <what to do>`` (code cell): the worked answer, kept in the instructor edition.
  The learner edition replaces it with a *placeholder* that defines the same top-level names:
  ``name = ...`` (Ellipsis), functions keep their signature and docstring and ``return ...``,
  imports are kept. It never raises, so Run All goes on; ``check()`` then says "not answered yet".
* ``# STUB`` (code cell) directly before a ``# SOLUTION`` cell: a hand-written placeholder used
  instead of the generated one (learner edition only). It must define the same top-level names
  as its solution and must not raise.
* ``<!-- INSTRUCTOR -->`` (markdown) or ``# INSTRUCTOR`` (code): notes or demos for the
  instructor edition only.

Both editions clear outputs and execution counts, strip ``metadata.widgets`` and set the
``python3`` kernelspec (so JupyterLab never asks "Select Kernel"). A build fails with
:class:`BuildError` if a placeholder is not faithful to its solution, if a later cell depends on a
solution's names (other than inside a ``check(...)`` call), or if solution or instructor text
would leak into the learner edition. Other files are copied beside the notebooks.

>>> solution_names("import math\\ndef f(x):\\n    return x\\ny, z = 1, 2")
['f', 'math', 'y', 'z']
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path

import nbformat

from .errors import IaptlabError

__all__ = ["EDITIONS", "KERNELSPEC", "BuildError", "build_edition", "build_notebook", "cell_role",
           "make_placeholder", "render_edition", "solution_names"]

EDITIONS = ("learner", "instructor")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SOLUTION = re.compile(r"^#\s*SOLUTION\b[:\s-]*(?P<task>.*)$")
STUB = re.compile(r"^#\s*STUB\b")
INSTRUCTOR_CODE = re.compile(r"^#\s*INSTRUCTOR\b")
INSTRUCTOR_MD = re.compile(r"^<!--\s*INSTRUCTOR\s*-->")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SKIP_FILES = {"__init__.py"}


class BuildError(IaptlabError):
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


def _parse(source: str) -> ast.Module:
    """Parse a code cell, ignoring IPython magics and shell lines."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    return ast.parse("\n".join(lines))


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
    return sorted(set().union(*(_bound_names(s) for s in _parse(source).body)))


def _loads(node: ast.AST) -> set[str]:
    """Free names a node reads, except inside ``check(...)`` calls and a function's own names."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check":
        return set()
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    loaded = set().union(*(_loads(child) for child in ast.iter_child_nodes(node)))
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        arguments = node.args
        own = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
        own |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
        body = node.body if isinstance(node.body, list) else [node.body]
        own |= set().union(*(_bound_names(b) for b in body))
        loaded -= own
    return loaded


def _loaded_outside_check(source: str) -> set[str]:
    """Names a cell reads before binding them itself, except inside ``check(...)`` calls."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for statement in _parse(source).body:
        loaded |= _loads(statement) - bound
        bound |= _bound_names(statement)
    return loaded


def _raises(source: str) -> bool:
    return any(isinstance(n, ast.Raise) for n in _parse(source).body)


def _placeholder_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    stub = copy.deepcopy(node)
    doc = ast.get_docstring(node, clean=False)
    body: list[ast.stmt] = [ast.Expr(ast.Constant(doc))] if doc is not None else []
    stub.body = [*body, ast.Return(ast.Constant(...))]
    return ast.unparse(ast.fix_missing_locations(stub))


def make_placeholder(source: str) -> str:
    """The learner version of a ``# SOLUTION`` cell: the same top-level names, no solution code.

    >>> print(make_placeholder("# SOLUTION: count them\\nn = len([1, 2])"))
    # Your turn: count them
    # Replace each ... with your answer, then run this cell and the check below.
    n = ...
    """
    first = next(line for line in source.splitlines() if line.strip())
    task = SOLUTION.match(first.strip()).group("task").strip() or "complete this cell"
    lines = [f"# Your turn: {task}",
             "# Replace each ... with your answer, then run this cell and the check below."]
    done: set[str] = set()
    for statement in _parse(source).body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            lines.append(ast.unparse(statement))
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            lines.append(_placeholder_function(statement))
        elif isinstance(statement, ast.ClassDef):
            lines.append(f"class {statement.name}:\n    ...  # your code here")
        else:
            lines += [f"{name} = ..." for name in sorted(_bound_names(statement) - done)]
        done |= _bound_names(statement)
    return "\n".join(lines)


def _check_faithful(placeholder: str, solution: str, where: str) -> None:
    want, have = solution_names(solution), solution_names(placeholder)
    if want != have:
        raise BuildError(f"{where}: placeholder defines {have} but the solution defines {want}")
    if _raises(placeholder):
        raise BuildError(f"{where}: a placeholder must not raise (Run All would stop here); "
                         "leave ... for the learner to replace")


def _check_no_dependency(cells: list, roles: list[str], name: str) -> None:
    """A later cell may use a solution's names only inside ``check(...)``."""
    binder: dict[str, tuple[str, int]] = {}
    for i, (cell, role) in enumerate(zip(cells, roles, strict=True)):
        if cell.cell_type != "code" or role in ("instructor", "stub"):
            continue
        try:
            loaded = _loaded_outside_check(cell.source)
        except SyntaxError as err:
            raise BuildError(f"{name}, cell {i + 1}: cannot parse the code ({err.msg}, line "
                             f"{err.lineno})") from None
        used = sorted(n for n in loaded if binder.get(n, ("", 0))[0] == "solution")
        if used and role != "solution":
            cells_from = sorted({binder[n][1] + 1 for n in used})
            raise BuildError(f"{name}, cell {i + 1}: uses {used}, defined only by the solution in "
                             f"cell(s) {cells_from}; compute them in a shared cell so the learner "
                             "edition runs without the answer")
        for bound in solution_names(cell.source):  # parsed above, so no SyntaxError here
            binder[bound] = (role, i)


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return nb


def build_notebook(nb: nbformat.NotebookNode, name: str = "notebook"
                   ) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """(learner, instructor) editions of one authored notebook; raises BuildError if unfaithful.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# SOLUTION\\nx = 2")])
    >>> learner, instructor = build_notebook(nb)
    >>> "x = ..." in learner.cells[0].source, instructor.cells[0].source
    (True, '# SOLUTION\\nx = 2')
    """
    learner, instructor = copy.deepcopy(nb), copy.deepcopy(nb)
    learner_cells, instructor_cells = [], []
    try:
        roles = [cell_role(c) for c in nb.cells]
        for i, (cell, role) in enumerate(zip(nb.cells, roles, strict=True)):
            where = f"{name}, cell {i + 1}"
            if role == "stub":
                if i + 1 >= len(nb.cells) or roles[i + 1] != "solution":
                    raise BuildError(f"{where}: a # STUB cell must come directly before its # SOLUTION")
                _check_faithful(cell.source, nb.cells[i + 1].source, where)
                stub = copy.deepcopy(cell)
                stub.source = STUB.sub("# Your turn:", cell.source.lstrip(), count=1)
                learner_cells.append(stub)
            elif role == "solution":
                instructor_cells.append(copy.deepcopy(cell))
                if i == 0 or roles[i - 1] != "stub":
                    stub = copy.deepcopy(cell)
                    stub.source = make_placeholder(cell.source)
                    _check_faithful(stub.source, cell.source, where)
                    learner_cells.append(stub)
            elif role == "instructor":
                instructor_cells.append(copy.deepcopy(cell))
            else:
                learner_cells.append(copy.deepcopy(cell))
                instructor_cells.append(copy.deepcopy(cell))
        _check_no_dependency(nb.cells, roles, name)
    except SyntaxError as err:
        raise BuildError(f"{name}, cell {i + 1}: cannot parse the code ({err.msg}, line "
                         f"{err.lineno})") from None
    learner.cells, instructor.cells = learner_cells, instructor_cells
    if any(cell_role(c) in {"solution", "instructor"} for c in learner.cells):
        raise BuildError(f"{name}: solution or instructor cells would leak into the learner edition")
    return _clean(learner), _clean(instructor)


def _walk(folder: Traversable, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Traversable]]:
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.startswith(".") or item.name == "__pycache__":
            continue
        if item.is_dir():
            yield from _walk(item, (*prefix, item.name))
        elif item.is_file() and item.name not in _SKIP_FILES and not item.name.endswith(".pyc"):
            yield "/".join((*prefix, item.name)), item


def render_edition(source: str | Path | Traversable, edition: str = "learner") -> dict[str, bytes]:
    """Every file of one edition, ``{relative posix path: content}``, without writing anything.

    >>> render_edition("no-such-folder")
    Traceback (most recent call last):
    ...
    iaptlab.editions.BuildError: source folder no-such-folder does not exist
    """
    if edition not in EDITIONS:
        raise BuildError(f"edition must be one of {EDITIONS}, got {edition!r}")
    folder = Path(source) if isinstance(source, str | Path) else source
    if not folder.is_dir():
        raise BuildError(f"source folder {source} does not exist")
    files: dict[str, bytes] = {}
    for relative, item in _walk(folder):
        if relative.endswith(".ipynb"):
            nb = nbformat.reads(item.read_text(encoding="utf-8"), as_version=4)
            learner, instructor = build_notebook(nb, relative)
            chosen = learner if edition == "learner" else instructor
            files[relative] = (nbformat.writes(chosen) + "\n").encode("utf-8")
        else:
            files[relative] = item.read_bytes()
    return files


def build_edition(source: str | Path | Traversable, out_dir: str | Path,
                  edition: str = "learner") -> list[Path]:
    """Write one edition of every notebook under ``source`` into ``out_dir``; return the paths.

    Notebooks are built (see the module docstring); other files are copied keeping relative
    paths; hidden files, ``__pycache__`` and ``__init__.py`` are skipped. Existing files in
    ``out_dir`` are overwritten.

    >>> import tempfile
    >>> src = Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "# SOLUTION: add\\nanswer = 1 + 1")]), src / "01_demo.ipynb")
    >>> [p.name for p in build_edition(src, src / "out")]
    ['01_demo.ipynb']
    """
    out = Path(out_dir)
    written: list[Path] = []
    for relative, content in render_edition(source, edition).items():
        target = out.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written
