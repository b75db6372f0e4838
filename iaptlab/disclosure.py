"""Statistical disclosure control for published counts, and counts and rates as text.

With disclosure control on, 0 stays 0, counts from 1 to :data:`SUPPRESS_UP_TO` become ``*``, and
every other count is rounded to the nearest :data:`ROUND_TO`. Rates are computed from the
unrounded counts and suppressed when their numerator or denominator is.

>>> disclose([0, 1, 7, 8, 12, 13, 1_002_503])
['0', '*', '*', '10', '10', '15', '1,002,505']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import InputError, ParameterError, Problem
from .format import count_texts, percent_texts

__all__ = [
    "DISCLOSURE_RULE",
    "ROUND_TO",
    "SUPPRESSED",
    "SUPPRESS_UP_TO",
    "disclose",
    "disclose_rates",
    "show_counts",
    "show_rates",
]

#: Counts from 1 to this value are suppressed (shown as ``*``) under disclosure control.
SUPPRESS_UP_TO = 7
#: Other counts are rounded to the nearest multiple of this.
ROUND_TO = 5
SUPPRESSED = "*"
#: The rule in words, as the report states it.
DISCLOSURE_RULE = (
    f"Disclosure control is on: a count of 0 is shown as 0, counts from 1 to {SUPPRESS_UP_TO} are "
    f"shown as {SUPPRESSED}, and every other count is rounded to the nearest {ROUND_TO}. "
    "A whole number is never exactly halfway between two multiples of 5 (the halfway points end in "
    ".5), so no tie-breaking rule is needed. Percentages are computed from the unrounded counts and "
    f"shown as {SUPPRESSED} when their numerator or denominator is suppressed. Rounded counts may "
    "not add up to the rounded totals.")


def _as_counts(counts: Sequence[int] | np.ndarray | pd.Series, name: str = "counts") -> np.ndarray:
    values = np.asarray(counts, dtype=float).ravel()
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError(f"{name} must be whole numbers 0 or more; item {i} is {values[i]!r}")
    return values.astype(np.int64)


def _suppressed(counts: np.ndarray) -> np.ndarray:
    return (counts >= 1) & (counts <= SUPPRESS_UP_TO)


def disclose(counts: Sequence[int] | np.ndarray | pd.Series) -> list[str]:
    """Counts as published-statistics text: 0 stays 0, 1-7 become ``*``, others nearest 5.

    Rounding is integer arithmetic, ``(count + 2) // 5 * 5``: remainders 1-2 round down and
    3-4 round up; a whole number never sits halfway between multiples of 5.

    >>> disclose([0, 7, 8, 12, 13])
    ['0', '*', '10', '10', '15']
    """
    values = _as_counts(counts)
    rounded = (values + ROUND_TO // 2) // ROUND_TO * ROUND_TO
    text = np.array(count_texts(rounded.tolist()), dtype=object)
    text[_suppressed(values)] = SUPPRESSED
    return text.tolist()


def show_counts(counts: Sequence[int] | np.ndarray | pd.Series, disclosure_control: bool) -> list[str]:
    """Counts as text, with thousands separators, disclosed when ``disclosure_control`` is on.

    >>> show_counts([3, 1234], False), show_counts([3, 1234], True)
    (['3', '1,234'], ['*', '1,235'])
    """
    if disclosure_control:
        return disclose(counts)
    return count_texts(_as_counts(counts).tolist())


def show_rates(numerators, denominators, disclosure_control: bool) -> list[str]:
    """Rates as percentages (one decimal) from unrounded counts; 0/0 says no one was counted.

    Under disclosure control a rate is ``*`` when its numerator or denominator is suppressed.

    >>> show_rates([1, 20, 0], [2, 40, 0], False)
    ['50.0%', '50.0%', 'no one in the denominator']
    >>> show_rates([1, 20], [2, 40], True)
    ['*', '50.0%']
    """
    num, den = _as_counts(numerators, "numerators"), _as_counts(denominators, "denominators")
    if len(num) != len(den):
        raise ParameterError(f"numerators ({len(num)}) and denominators ({len(den)}) differ in length")
    if (num > den).any():
        i = int(np.flatnonzero(num > den)[0])
        raise ParameterError(f"numerator {num[i]} is larger than its denominator {den[i]} (item {i})")
    rate = np.where(den > 0, num / np.maximum(den, 1), np.nan)
    text = np.array(percent_texts(rate.tolist()), dtype=object)
    if disclosure_control:
        text[_suppressed(num) | _suppressed(den)] = SUPPRESSED
    return text.tolist()


def disclose_rates(table: pd.DataFrame, disclosure_control: bool = True) -> pd.DataFrame:
    """A :func:`~iaptlab.outcomes.rates` table with numerator, denominator and rate as text.

    >>> t = pd.DataFrame({"outcome": ["recovered"], "numerator": [5], "denominator": [52],
    ...                   "rate": [5 / 52], "denominator_description": ["finishers"]})
    >>> disclose_rates(t).iloc[0].tolist()
    ['recovered', '*', '50', '*', 'finishers']
    """
    missing = [c for c in ("outcome", "numerator", "denominator") if c not in table.columns]
    if missing:
        raise InputError([Problem(None, c, "required by disclose_rates() but missing") for c in missing])
    out = table.copy()
    out["rate"] = show_rates(table["numerator"], table["denominator"], disclosure_control)
    out["numerator"] = show_counts(table["numerator"], disclosure_control)
    out["denominator"] = show_counts(table["denominator"], disclosure_control)
    return out
