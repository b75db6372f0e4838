"""Statistical disclosure control for published counts, and counts and rates as text.

With disclosure control on, 0 stays 0, counts from 1 to :data:`SUPPRESS_UP_TO` become ``*``, and
every other count is rounded to the nearest :data:`ROUND_TO` (the *primary* rule). Rates are
computed from the published (rounded) counts, so a rate never tells more than its counts do, and
are ``*`` when their numerator or denominator is. Where parts add up to a total the page also
shows, :func:`protect` suppresses more parts (*secondary* suppression) until no hidden part can be
worked out from the total and the other parts (:func:`group_is_safe`). Everything published
depends only on the primary-rounded counts, never on the exact ones.

>>> disclose([0, 1, 7, 8, 12, 13, 1_002_503])
['0', '*', '*', '10', '10', '15', '1,002,505']
>>> protect({"total": 20, "a": 3, "b": 9, "c": 8}, [("total", ("a", "b", "c"))])
{'total': 20.0, 'a': nan, 'b': nan, 'c': 10.0}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InputError, ParameterError, Problem
from .format import EMPTY_DENOMINATOR, count_texts, percent_text, percent_texts

__all__ = [
    "DISCLOSURE_RULE",
    "DISCLOSURE_SOURCES",
    "ROUND_TO",
    "SMALL_DENOMINATOR",
    "SUPPRESSED",
    "SUPPRESS_UP_TO",
    "Group",
    "disclose",
    "disclose_rates",
    "group_is_safe",
    "protect",
    "publish",
    "published_rates",
    "published_texts",
    "show_counts",
    "show_rates",
]

#: Counts from 1 to this value are suppressed (shown as ``*``) under disclosure control.
SUPPRESS_UP_TO = 7
#: Other counts are rounded to the nearest multiple of this.
ROUND_TO = 5
SUPPRESSED = "*"
#: A rate whose denominator is below this carries a small-number caution in the report: one
#: person more or fewer moves it by more than 100/30 = 3.3 percentage points, and its 95%
#: confidence interval is wider than about ±18 points at 50%.
SMALL_DENOMINATOR = 30
#: The source ids (``data/sources*.toml``) the rule is cited from.
DISCLOSURE_SOURCES = ("nhsd_iapt_guide_2019", "opensafely_ehrql_disclosure")
#: The rule in words, as the report states it.
DISCLOSURE_RULE = (
    f"Disclosure control is on: a count of 0 is shown as 0, counts from 1 to {SUPPRESS_UP_TO} are "
    f"shown as {SUPPRESSED}, and every other count is rounded to the nearest {ROUND_TO} (a whole "
    "number is never exactly halfway between two multiples of 5, so no tie-breaking rule is "
    "needed). Percentages are computed from the rounded counts as shown, and are "
    f"{SUPPRESSED} when their numerator or denominator is. Where parts add up to a total shown on "
    f"the page, further parts are shown as {SUPPRESSED} (secondary suppression) so that no hidden "
    f"count can be worked out by subtraction; so a {SUPPRESSED} can also hide a larger count. "
    "Charts are drawn from the same rounded counts. Rounded counts may not add up to the rounded "
    "totals.")

#: A total and the parts that add up to it, and optionally which cells may be suppressed to
#: protect a hidden part (default: the parts): ``(total, parts)`` or ``(total, parts, candidates)``.
Group = tuple


def _as_counts(counts: Sequence[int] | np.ndarray | pd.Series, name: str = "counts") -> np.ndarray:
    values = np.asarray(counts, dtype=float).ravel()
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError(f"{name} must be whole numbers 0 or more; item {i} is {values[i]!r}")
    return values.astype(np.int64)


def _suppressed(counts: np.ndarray) -> np.ndarray:
    return (counts >= 1) & (counts <= SUPPRESS_UP_TO)


def publish(counts: Sequence[int] | np.ndarray | pd.Series) -> np.ndarray:
    """The primary rule as numbers: 0 stays 0, 1-7 become NaN (suppressed), others nearest 5.

    Rounding is integer arithmetic, ``(count + 2) // 5 * 5``: remainders 1-2 round down and
    3-4 round up; a whole number never sits halfway between multiples of 5.

    >>> publish([0, 7, 8, 12, 13]).tolist()
    [0.0, nan, 10.0, 10.0, 15.0]
    """
    values = _as_counts(counts)
    rounded = ((values + ROUND_TO // 2) // ROUND_TO * ROUND_TO).astype(float)
    rounded[_suppressed(values)] = np.nan
    return rounded


def published_texts(values: Sequence[float] | np.ndarray | pd.Series) -> list[str]:
    """Published counts (NaN = suppressed) as text: ``*`` or the count with thousands separators.

    >>> published_texts([0.0, float("nan"), 1235.0])
    ['0', '*', '1,235']
    """
    shown = np.asarray(values, dtype=float).ravel()
    hidden = np.isnan(shown)
    text = np.array(count_texts(np.where(hidden, 0, shown).tolist()), dtype=object)
    text[hidden] = SUPPRESSED
    return text.tolist()


def published_rates(numerators, denominators) -> list[str]:
    """Rates as percentages (one decimal) of published counts; ``*`` when either is suppressed.

    The rate is worked out from the counts as shown, so it tells nothing they do not:
    10 of a published 10 is 100.0%, whatever the exact counts were.

    >>> published_rates([10.0, float("nan"), 0.0, 0.0], [10.0, 40.0, 10.0, 0.0])
    ['100.0%', '*', '0.0%', 'no one in the denominator']
    """
    num = np.asarray(numerators, dtype=float).ravel()
    den = np.asarray(denominators, dtype=float).ravel()
    if len(num) != len(den):
        raise ParameterError(f"numerators ({len(num)}) and denominators ({len(den)}) differ in length")
    out = []
    for n, d in zip(num.tolist(), den.tolist(), strict=True):
        if math.isnan(n) or math.isnan(d):
            out.append(SUPPRESSED)
        elif d == 0:
            out.append(EMPTY_DENOMINATOR)
        else:
            out.append(percent_text(n / d))
    return out


def disclose(counts: Sequence[int] | np.ndarray | pd.Series) -> list[str]:
    """Counts as published-statistics text: 0 stays 0, 1-7 become ``*``, others nearest 5.

    >>> disclose([0, 7, 8, 12, 13])
    ['0', '*', '10', '10', '15']
    """
    return published_texts(publish(counts))


def show_counts(counts: Sequence[int] | np.ndarray | pd.Series, disclosure_control: bool) -> list[str]:
    """Counts as text, with thousands separators, disclosed when ``disclosure_control`` is on.

    >>> show_counts([3, 1234], False), show_counts([3, 1234], True)
    (['3', '1,234'], ['*', '1,235'])
    """
    if disclosure_control:
        return disclose(counts)
    return count_texts(_as_counts(counts).tolist())


def show_rates(numerators, denominators, disclosure_control: bool) -> list[str]:
    """Rates as percentages (one decimal); 0/0 says no one was counted.

    Under disclosure control the rate is that of the published (rounded) counts, and ``*`` when
    the numerator or denominator is suppressed.

    >>> show_rates([1, 20, 0], [2, 40, 0], False)
    ['50.0%', '50.0%', 'no one in the denominator']
    >>> show_rates([1, 13, 9], [2, 40, 10], True)
    ['*', '37.5%', '100.0%']
    """
    num, den = _as_counts(numerators, "numerators"), _as_counts(denominators, "denominators")
    if len(num) != len(den):
        raise ParameterError(f"numerators ({len(num)}) and denominators ({len(den)}) differ in length")
    if (num > den).any():
        i = int(np.flatnonzero(num > den)[0])
        raise ParameterError(f"numerator {num[i]} is larger than its denominator {den[i]} (item {i})")
    if disclosure_control:
        return published_rates(publish(num), publish(den))
    rate = np.where(den > 0, num / np.maximum(den, 1), np.nan)
    return percent_texts(rate.tolist())


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


def _band(value: float) -> tuple[float, float]:
    """The exact counts a published value can stand for: 0 is 0, 10 is 8-12, 15 is 13-17."""
    if value == 0:
        return 0.0, 0.0
    return value - ROUND_TO // 2, value + ROUND_TO // 2


def group_is_safe(total: float, parts: Sequence[float]) -> bool:
    """Whether no suppressed part (NaN) of published ``parts`` adding up to ``total`` can be worked out.

    A reader knows each shown count to within its rounding band and each hidden one is at least
    1. With ``m`` hidden parts summing to at most ``S`` (the total's top minus the other parts'
    bottoms), each one lies between 1 and ``S - (m - 1)``; the group is safe when that range
    holds two values or more for each, and when no part is hidden alone. A hidden total hides
    the sum, so it is always safe.

    >>> nan = float("nan")
    >>> group_is_safe(20.0, [nan, 10.0, 10.0]), group_is_safe(20.0, [nan, nan, 10.0])
    (False, True)
    >>> group_is_safe(60.0, [10.0, 15.0, 20.0, 20.0, nan, nan, nan, nan, nan])  # all five are 1
    False
    """
    shown = np.asarray(parts, dtype=float)
    hidden = int(np.isnan(shown).sum())
    if hidden == 0 or math.isnan(total):
        return True
    if hidden == 1:
        return False
    lowest_others = sum(_band(v)[0] for v in shown[~np.isnan(shown)].tolist())
    most_hidden = _band(total)[1] - lowest_others
    return most_hidden - (hidden - 1) >= 2


def protect(counts: Mapping[str, int], groups: Sequence[Group] = ()) -> dict[str, float]:
    """Published values of named counts (NaN = ``*``): the primary rule, then secondary suppression.

    ``groups`` lists ``(total, parts)`` or ``(total, parts, candidates)`` by name: parts that add
    up to the total. While a group is not :func:`group_is_safe`, the smallest published non-zero
    candidate (the parts, unless named; the first on a tie) is suppressed too; if none is left,
    the total is. A name suppressed in one group is suppressed everywhere it is shown. Only the
    published values are looked at after the primary rule, so the result depends on nothing
    the page does not show.

    >>> protect({"total": 20, "a": 3, "b": 9, "c": 8}, [("total", ("a", "b", "c"))])
    {'total': 20.0, 'a': nan, 'b': nan, 'c': 10.0}
    >>> protect({"read": 30, "valid": 27, "excluded": 3}, [("read", ("valid", "excluded"), ("read",))])
    {'read': nan, 'valid': 25.0, 'excluded': nan}
    """
    names = list(counts)
    for group in groups:
        unknown = [n for n in (group[0], *group[1], *(group[2] if len(group) > 2 else ())) if n not in counts]
        if unknown:
            raise ParameterError(f"protect(): group names {unknown} are not among the counts")
    values = dict(zip(names, publish([counts[n] for n in names]).tolist(), strict=True))
    changed = True
    while changed:
        changed = False
        for group in groups:
            total, parts = group[0], tuple(group[1])
            if group_is_safe(values[total], [values[p] for p in parts]):
                continue
            candidates = tuple(group[2]) if len(group) > 2 else parts
            shown = [c for c in candidates if not math.isnan(values[c]) and values[c] > 0]
            pick = min(shown, key=lambda c: values[c]) if shown else total
            values[pick] = math.nan
            changed = True
    return values
