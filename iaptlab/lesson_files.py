"""The lessons and the workshop dashboard that ship with the package, found where it is installed.

The authored notebooks live in the repository's top-level ``notebooks/`` folder and are packaged
as ``iaptlab.lessons`` (see ``pyproject.toml``), so a checkout, an editable install and a wheel
all find them with ``importlib.resources.files("iaptlab.lessons")``, never with a path relative
to this file.

>>> [(lesson.number, lesson.file_name) for lesson in lesson_list()][:2]
[(0, '00_start_here.ipynb'), (1, '01_the_measures.ipynb')]
>>> lesson_list()[0].title
'00 · Start here'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from .errors import ParameterError

__all__ = ["LESSONS_PACKAGE", "Lesson", "lesson_list", "lesson_notebook", "lessons_folder",
           "workshop_notebook"]

#: The package that holds the lesson notebooks (the ``notebooks/`` folder of the repository).
LESSONS_PACKAGE = "iaptlab.lessons"
_LESSON_NAME = re.compile(r"^(\d{2})_\w+\.ipynb$")


@dataclass(frozen=True)
class Lesson:
    """One lesson: its number, its notebook's file name and its title (the first heading)."""

    number: int
    file_name: str
    title: str

    @property
    def notebook(self) -> Traversable:
        """The lesson's notebook file (open it with ``.open()`` or ``importlib.resources.as_file``)."""
        return lessons_folder() / self.file_name


def lessons_folder() -> Traversable:
    """The folder of lesson notebooks, wherever the package is installed.

    >>> (lessons_folder() / "present" / "workshop.ipynb").is_file()
    True
    """
    return files(LESSONS_PACKAGE)


def _first_heading(notebook: Traversable) -> str:
    """The text of the first Markdown heading in ``notebook``; its file name if there is none."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        heading = next((line for line in text.splitlines() if line.startswith("#")), None)
        if heading:
            return heading.lstrip("#").strip()
    return notebook.name


def lesson_list() -> list[Lesson]:
    """Every lesson notebook (``NN_name.ipynb``) in lesson order, with its title.

    >>> len(lesson_list()) >= 9
    True
    """
    found = [(int(match.group(1)), entry) for entry in lessons_folder().iterdir()
             if (match := _LESSON_NAME.match(entry.name)) and entry.is_file()]
    return [Lesson(number, entry.name, _first_heading(entry))
            for number, entry in sorted(found, key=lambda pair: (pair[0], pair[1].name))]


def lesson_notebook(number: int) -> Traversable:
    """The notebook of lesson ``number`` (0 is "Start here").

    >>> lesson_notebook(0).name
    '00_start_here.ipynb'
    """
    for lesson in lesson_list():
        if lesson.number == number:
            return lesson.notebook
    have = ", ".join(str(lesson.number) for lesson in lesson_list()) or "none"
    raise ParameterError(f"no lesson {number!r} (lessons: {have})")


def workshop_notebook() -> Traversable:
    """The presentation dashboard (``present/workshop.ipynb``) that ``iaptlab present`` serves.

    >>> workshop_notebook().name
    'workshop.ipynb'
    """
    return lessons_folder() / "present" / "workshop.ipynb"
