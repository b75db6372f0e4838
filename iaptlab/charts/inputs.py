"""Checks every chart builder runs on its input: the columns it needs, numbers in range, few rows.

A problem raises :class:`~iaptlab.errors.InputError` naming the column and the spreadsheet row
(header = row 1), so a user can find the cell.

>>> required_columns(pd.DataFrame({"a": [1]}), ["b"], "demo")
Traceback (most recent call last):
...
iaptlab.errors.InputError: column b: required by demo() but missing (columns: a)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import IaptlabError, InputError, Problem

__all__ = ["MAX_CHART_ROWS", "check_rows", "numeric_column", "required_columns"]

#: Altair refuses more rows than this by default; builders aggregate below it.
MAX_CHART_ROWS = 5000


def check_rows(df: pd.DataFrame, builder: str = "chart") -> None:
    """Raise if ``df`` has more rows than a chart may carry (aggregate it first).

    >>> check_rows(pd.DataFrame({"x": range(5000)}))
    """
    if len(df) > MAX_CHART_ROWS:
        raise IaptlabError(f"{builder}: {len(df)} rows is more than {MAX_CHART_ROWS}; "
                           "aggregate (count or bin) in pandas before plotting")


def required_columns(df: pd.DataFrame, columns: Sequence[str], builder: str,
                     limit_rows: bool = True) -> pd.DataFrame:
    """``df`` with a fresh 0..n-1 index, once it is a DataFrame holding ``columns``.

    ``limit_rows`` also refuses more than :data:`MAX_CHART_ROWS` rows.

    >>> required_columns(pd.DataFrame({"a": [1]}, index=[7]), ["a"], "demo").index.tolist()
    [0]
    """
    if not isinstance(df, pd.DataFrame):
        raise IaptlabError(f"{builder}() needs a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns)) or "none"
        raise InputError([Problem(None, c, f"required by {builder}() but missing (columns: {have})")
                          for c in missing])
    if limit_rows:
        check_rows(df, builder)
    return df.reset_index(drop=True)


def numeric_column(df: pd.DataFrame, column: str, *, low: float | None = None,
                   high: float | None = None, allow_missing: bool = False) -> pd.Series:
    """The column as floats; every non-numeric, missing or out-of-range cell is a Problem.

    >>> numeric_column(pd.DataFrame({"n": ["1", 2]}), "n").tolist()
    [1.0, 2.0]
    """
    raw = df[column]
    if raw.dtype.kind in "iuf":  # already numbers (the usual case): no parsing needed
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        bad_text = np.zeros(len(values), dtype=bool)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        bad_text = np.isnan(values) & raw.notna().to_numpy()
    bad_missing = np.isnan(values) & ~bad_text & (not allow_missing)
    with np.errstate(invalid="ignore"):
        out = ((values < low) if low is not None else False) | ((values > high) if high is not None else False)
    problems = [Problem(int(i) + 2, column, f"not a number: {raw.iloc[i]!r}") for i in np.flatnonzero(bad_text)]
    problems += [Problem(int(i) + 2, column, "missing") for i in np.flatnonzero(bad_missing)]
    problems += [Problem(int(i) + 2, column, f"must be between {low} and {high}, got {values[i]}")
                 for i in np.flatnonzero(np.asarray(out, dtype=bool))]
    if problems:
        raise InputError(problems)
    return pd.Series(values, index=raw.index, name=column)
