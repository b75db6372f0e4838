"""Errors raised by iaptlab.

Every problem with a user's data is reported with the row (as a spreadsheet user counts rows:
the header is row 1, the first data row is row 2) and the column, so a lecturer or a service
analyst can find it without reading a traceback.

>>> str(InputError([Problem(row=2, column="phq9_first", reason="must be 0-27, got 31")]))
'row 2, column phq9_first: must be 0-27, got 31'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IaptlabError", "InputError", "ParameterError", "Problem"]


class IaptlabError(Exception):
    """Base class for every error iaptlab raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem in the input: where it is and what is wrong.

    ``row`` is the spreadsheet row number (header = 1) or ``None`` when the problem concerns the
    whole file (for example a missing column).
    """

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class InputError(IaptlabError, ValueError):
    """The input has one or more problems; ``problems`` lists every one of them.

    >>> err = InputError([Problem(None, "episode_id", "required column is missing")])
    >>> err.problems[0].column
    'episode_id'
    """

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ParameterError(IaptlabError, ValueError):
    """A model or rule parameter is out of its allowed range; the message names the parameter."""
