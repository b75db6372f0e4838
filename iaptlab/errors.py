"""Errors raised by iaptlab.

Every problem with a user's data is reported with the row (as a spreadsheet user counts rows:
the header is row 1, the first data row is row 2) and the column, so a lecturer or a service
analyst can find it without reading a traceback. An :class:`InputError` holds at most
:data:`SHOWN_PROBLEMS` problems in full and counts the rest by column and reason, so two million
bad rows cost a few lines and a few kilobytes, not two million lines.

>>> str(InputError([Problem(row=2, column="phq9_first", reason="must be 0-27, got 31")]))
'row 2, column phq9_first: must be 0-27, got 31'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["SHOWN_PROBLEMS", "IaptlabError", "InputError", "ParameterError", "Problem", "one_line"]

#: How many problems an :class:`InputError` lists in full; the rest are counted.
SHOWN_PROBLEMS = 100


def one_line(text: object) -> str:
    """``text`` with line breaks and tabs escaped, so one problem is always one line.

    >>> one_line("Mobility\\nInventory")
    'Mobility\\\\nInventory'
    """
    return str(text).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")

__all__ = ["IaptlabError", "InputError", "ParameterError", "Problem"]


class IaptlabError(Exception):
    """Base class for every error iaptlab raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem in the input: where it is and what is wrong.

    ``row`` is the spreadsheet row number (header = 1) or ``None`` when the problem concerns the
    whole file (for example a missing column). ``kind`` is the reason without the cell's value
    (``"must be a whole number from 0 to 27"``); problems beyond the first
    :data:`SHOWN_PROBLEMS` are counted by (column, kind). It defaults to ``reason``.
    """

    row: int | None
    column: str | None
    reason: str
    kind: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")  # as the spreadsheet shows it: no separators
        if self.column is not None:
            where.append(f"column {one_line(self.column)}")
        prefix = ", ".join(where)
        reason = one_line(self.reason)
        return f"{prefix}: {reason}" if prefix else reason


class InputError(IaptlabError, ValueError):
    """The input has one or more problems.

    ``problems`` lists the first :data:`SHOWN_PROBLEMS` of them in full; ``more`` counts the rest by
    (column, kind); ``total`` is how many there are in all.

    >>> err = InputError([Problem(None, "episode_id", "required column is missing")])
    >>> err.problems[0].column, err.total
    ('episode_id', 1)
    >>> many = InputError([Problem(r, "phq9_last", f"must be 0-27, got {r}", "must be 0-27")
    ...                    for r in range(2, 105)])
    >>> len(many.problems), many.total, str(many).splitlines()[-1]
    (100, 103, '  3 × column phq9_last: must be 0-27')
    """

    def __init__(self, problems: Iterable[Problem] | Problem, *,
                 more: Mapping[tuple[str | None, str], int] | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        shown: list[Problem] = []
        counts: Counter[tuple[str | None, str]] = Counter()
        for problem in problems:
            if len(shown) < SHOWN_PROBLEMS:
                shown.append(problem)
            else:
                counts[(problem.column, problem.kind or problem.reason)] += 1
        for key, count in (more or {}).items():
            if count:
                counts[key] += int(count)
        self.problems: list[Problem] = shown
        self.more: dict[tuple[str | None, str], int] = dict(counts.most_common())
        self.total: int = len(shown) + sum(self.more.values())
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The message as lines: each listed problem, then the count of the rest by column and reason."""
        lines = [str(p) for p in self.problems]
        rest = self.total - len(self.problems)
        if rest:
            lines.append(f"… and {rest:,} more problem{'s' if rest != 1 else ''}:")
            for (column, kind), count in self.more.items():
                where = f"column {one_line(column)}: " if column is not None else ""
                lines.append(f"  {count:,} × {where}{one_line(kind)}")
        return lines


class ParameterError(IaptlabError, ValueError):
    """A model or rule parameter is out of its allowed range; the message names the parameter."""
