"""The episode table: its columns, and validation that accounts for every input row.

One row per referral. ``validate`` checks every cell it knows and returns a :class:`Validated`
with the valid rows (typed) and the excluded rows (each with its reasons). Nothing is dropped
silently: ``len(valid.table) + len(valid.excluded) == len(input)`` always holds. Rows are numbered
as a spreadsheet user sees them (header = row 1, first data row = row 2).

>>> import pandas as pd
>>> df = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [3, -1],
...                    "phq9_first": [15, 12], "phq9_last": [6, 30],
...                    "gad7_first": [12, 9], "gad7_last": [5, 4]})
>>> v = validate(df)
>>> len(v.table), len(v.excluded)
(1, 1)
>>> [str(p) for p in v.problems]  # doctest: +NORMALIZE_WHITESPACE
['row 3, column treatment_contacts: must be a whole number from 0 to 1,000, got -1',
 'row 3, column phq9_last: must be a whole number from 0 to 27, got 30']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from . import instruments
from .errors import InputError, Problem

#: Required columns and what each holds (DESIGN.md §3).
REQUIRED_COLUMNS = MappingProxyType({
    "episode_id": "unique identifier of the referral",
    "treatment_contacts": "attended treatment contacts (assessment and follow-up excluded), 0 or more",
    "phq9_first": "first PHQ-9 total, 0-27, may be empty",
    "phq9_last": "last PHQ-9 total, 0-27, may be empty",
    "gad7_first": "first GAD-7 total, 0-21, may be empty",
    "gad7_last": "last GAD-7 total, 0-21, may be empty",
})
#: Optional columns iaptlab reads when present.
OPTIONAL_COLUMNS = MappingProxyType({
    "adsm": "anxiety-disorder-specific measure used instead of GAD-7 ("
    + ", ".join(instruments.adsm_names()) + "), may be empty",
    "adsm_first": "first ADSM score, in that measure's range",
    "adsm_last": "last ADSM score, in that measure's range",
    "diagnosis_first": "meets diagnostic criteria on a blind standardised interview at the start (true/false)",
    "diagnosis_last": "meets diagnostic criteria on a blind standardised interview at the end (true/false)",
    "assessed_with_therapist": "last questionnaire completed with the therapist present (true/false)",
})
TRUE_STATE_PREFIX = "true_"
#: More attended treatment contacts than this in one referral is taken as a data-entry error.
MAX_TREATMENT_CONTACTS = 1_000
EXCLUDED_REASON = "excluded_reason"
ROW = "row"
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "missing", "-", "."})
_BOOL_TOKENS = MappingProxyType({
    "true": True, "t": True, "yes": True, "y": True, "1": True, "1.0": True,
    "false": False, "f": False, "no": False, "n": False, "0": False, "0.0": False,
})
_SCORE_COLUMNS = MappingProxyType({
    "phq9_first": instruments.PHQ9, "phq9_last": instruments.PHQ9,
    "gad7_first": instruments.GAD7, "gad7_last": instruments.GAD7,
})
_BOOL_COLUMNS = ("diagnosis_first", "diagnosis_last", "assessed_with_therapist")


@dataclass(frozen=True)
class Validated:
    """The result of :func:`validate`.

    ``table``: the valid rows with typed columns (scores float with NaN for missing, contacts int,
    ``adsm`` as its official name, booleans nullable) and a ``row`` column (spreadsheet row);
    ``excluded``: the invalid rows as given, with ``row`` and ``excluded_reason``;
    ``problems``: every problem found, in row order.
    """

    table: pd.DataFrame
    excluded: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when no row was excluded."""
        return not self.problems

    def raise_if_invalid(self) -> Validated:
        """Raise :class:`InputError` listing every problem; otherwise return ``self``."""
        if self.problems:
            raise InputError(list(self.problems))
        return self


def _is_missing(values: pd.Series) -> np.ndarray:
    """Missing cells: NA, or text that a spreadsheet uses for 'no value'."""
    missing = values.isna().to_numpy(dtype=bool).copy()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.astype("string").str.strip().str.lower()
        missing |= text.isin(MISSING_TOKENS).fillna(True).to_numpy(dtype=bool)
    return missing


def _to_number(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float values with NaN for missing, mask of cells present but not a number)."""
    missing = _is_missing(values)
    if pd.api.types.is_bool_dtype(values.dtype):
        numbers = np.full(len(values), np.nan)
        return numbers, ~missing
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
    numbers = np.where(missing, np.nan, numbers)
    not_a_number = ~missing & (np.isnan(numbers) | np.isinf(numbers))
    return np.where(not_a_number, np.nan, numbers), not_a_number


def _to_bool(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(nullable boolean values, mask of cells present but not a yes/no)."""
    missing = _is_missing(values)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), np.zeros(len(values), dtype=bool)
    text = values.astype("string").str.strip().str.lower()
    mapped = text.map(dict(_BOOL_TOKENS)).astype("boolean")
    mapped = mapped.mask(missing)
    bad = ~missing & mapped.isna().to_numpy()
    return mapped, bad


def _cell_text(values: pd.Series, positions: np.ndarray) -> list[str]:
    return [repr(v) if isinstance(v, str) else str(v) for v in values.iloc[positions]]


class _Collector:
    """Collects problems per row as (position, column, reason), vectorised by mask."""

    def __init__(self, n: int):
        self.n = n
        self.items: list[tuple[int, str, str]] = []

    def add(self, mask: np.ndarray, column: str, reason: str, shown: pd.Series | None = None) -> None:
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        if shown is None:
            self.items.extend((int(p), column, reason) for p in positions)
        else:
            texts = _cell_text(shown, positions)
            self.items.extend((int(p), column, f"{reason}, got {t}") for p, t in zip(positions, texts, strict=True))


def _check_score(col: str, values: pd.Series, inst: instruments.Instrument | np.ndarray,
                 problems: _Collector, lo=None, hi=None, integer=None, label: str = "") -> np.ndarray:
    numbers, bad = _to_number(values)
    problems.add(bad, col, "must be a number or empty", values)
    if isinstance(inst, instruments.Instrument):
        lo, hi, integer = inst.score_min, inst.score_max, inst.integer_scores
        label = f"from {inst.score_min:g} to {inst.score_max:g}"
    with np.errstate(invalid="ignore"):
        out = (numbers < lo) | (numbers > hi)
        frac = np.zeros(len(numbers), dtype=bool) if integer is None else (
            np.asarray(integer) & (numbers != np.round(numbers)))
    out &= ~np.isnan(numbers)
    frac &= ~np.isnan(numbers) & ~out
    kind = "a whole number" if integer is True else "a score"
    problems.add(out | frac, col, f"must be {kind} {label}".rstrip(), values)
    return np.where(out | frac, np.nan, numbers)


def validate(episodes: pd.DataFrame) -> Validated:
    """Check an episode table; return valid rows, excluded rows and every problem found.

    Missing required columns make the whole table unusable and raise :class:`InputError` at once.
    Cell-level problems never raise: the row goes to ``excluded`` with its reasons.

    >>> import pandas as pd
    >>> validate(pd.DataFrame({"episode_id": ["x"]})).table
    Traceback (most recent call last):
    ...
    iaptlab.errors.InputError: column treatment_contacts: required column is missing
    column phq9_first: required column is missing
    column phq9_last: required column is missing
    column gad7_first: required column is missing
    column gad7_last: required column is missing
    """
    if not isinstance(episodes, pd.DataFrame):
        raise InputError(Problem(None, None, f"expected a table (pandas DataFrame), got {type(episodes).__name__}"))
    names = [str(c).strip() for c in episodes.columns]
    file_problems = [Problem(None, c, "required column is missing") for c in REQUIRED_COLUMNS if c not in names]
    dupes = sorted({c for c in names if names.count(c) > 1})
    file_problems += [Problem(None, c, "column appears more than once") for c in dupes]
    if file_problems:
        raise InputError(file_problems)
    df = episodes.copy()
    df.columns = names
    n = len(df)
    problems = _Collector(n)
    typed: dict[str, object] = {}

    ids = df["episode_id"]
    id_missing = _is_missing(ids)
    problems.add(id_missing, "episode_id", "is empty")
    id_text = ids.astype("string").str.strip()
    dup = id_text.duplicated(keep=False).to_numpy(dtype=bool) & ~id_missing
    if dup.any():
        firsts = pd.Series(np.flatnonzero(dup), index=id_text[dup].to_numpy()).groupby(level=0).min() + 2
        where_first = firsts.reindex(id_text[dup].to_numpy()).to_numpy()
        problems.items.extend(
            (int(p), "episode_id", f"duplicate episode_id {v!r} (first seen on row {w})")
            for p, v, w in zip(np.flatnonzero(dup), id_text[dup], where_first, strict=True))
    typed["episode_id"] = id_text.astype(str)

    contacts, bad = _to_number(df["treatment_contacts"])
    empty = np.isnan(contacts) & ~bad
    problems.add(empty, "treatment_contacts", "is empty (0 if the referral never attended)")
    with np.errstate(invalid="ignore"):
        wrong = bad | (~np.isnan(contacts) & ((contacts < 0) | (contacts > MAX_TREATMENT_CONTACTS)
                                              | (contacts != np.round(contacts))))
    problems.add(wrong, "treatment_contacts", f"must be a whole number from 0 to {MAX_TREATMENT_CONTACTS:,}",
                 df["treatment_contacts"])
    typed["treatment_contacts"] = np.where(np.isnan(contacts) | wrong, 0, contacts).astype(np.int64)

    for col, inst in _SCORE_COLUMNS.items():
        typed[col] = _check_score(col, df[col], inst, problems)

    if "adsm" in df.columns:
        typed.update(_check_adsm(df, problems))
    elif "adsm_first" in df.columns or "adsm_last" in df.columns:
        for col in ("adsm_first", "adsm_last"):
            if col in df.columns:
                present = ~_is_missing(df[col])
                problems.add(present, col, "has a score but there is no adsm column naming the measure")
    for col in _BOOL_COLUMNS:
        if col in df.columns:
            values, bad = _to_bool(df[col])
            problems.add(bad, col, "must be true/false, yes/no, 1/0 or empty", df[col])
            typed[col] = values.mask(bad)
    for col in (c for c in df.columns if c.startswith(TRUE_STATE_PREFIX)):
        numbers, bad = _to_number(df[col])
        problems.add(bad, col, "must be a number or empty", df[col])
        typed[col] = numbers
    return _assemble(df, typed, problems)


def _check_adsm(df: pd.DataFrame, problems: _Collector) -> dict[str, object]:
    text = df["adsm"].astype("string").str.strip()
    missing = _is_missing(df["adsm"])
    canonical = {}
    for alias in set(text.dropna().str.lower().unique()):
        try:
            inst = instruments.lookup(alias)
        except Exception:
            continue
        if inst in instruments.ADSMS:
            canonical[alias] = inst.name
    names = text.str.lower().map(canonical)
    unknown = ~missing & names.isna().to_numpy()
    problems.add(unknown, "adsm", "unknown measure (known: " + ", ".join(instruments.adsm_names()) + ")", df["adsm"])
    names = names.mask(missing | unknown)
    lo = names.map({i.name: i.score_min for i in instruments.ADSMS}).to_numpy(dtype=float, na_value=np.nan)
    hi = names.map({i.name: i.score_max for i in instruments.ADSMS}).to_numpy(dtype=float, na_value=np.nan)
    integer = names.map({i.name: i.integer_scores for i in instruments.ADSMS}).fillna(False).to_numpy(dtype=bool)
    out: dict[str, object] = {"adsm": names.astype("object").where(names.notna(), None)}
    for col in ("adsm_first", "adsm_last"):
        if col not in df.columns:
            out[col] = np.full(len(df), np.nan)
            continue
        numbers, bad = _to_number(df[col])
        problems.add(bad, col, "must be a number or empty", df[col])
        no_name = missing & ~np.isnan(numbers)
        problems.add(no_name, col, "has a score but the adsm column is empty")
        with np.errstate(invalid="ignore"):
            wrong = ~np.isnan(numbers) & ~np.isnan(lo) & (
                (numbers < lo) | (numbers > hi) | (integer & (numbers != np.round(numbers))))
        positions = np.flatnonzero(wrong)
        problems.items.extend(
            (int(p), col, f"must be in {names.iloc[p]}'s range {lo[p]:g}-{hi[p]:g}"
             + (" (whole numbers)" if integer[p] else "") + f", got {df[col].iloc[p]}")
            for p in positions)
        out[col] = np.where(wrong | no_name | bad, np.nan, numbers)
    return out


def _assemble(df: pd.DataFrame, typed: dict[str, object], problems: _Collector) -> Validated:
    n = len(df)
    bad_rows = np.zeros(n, dtype=bool)
    reasons: dict[int, list[str]] = {}
    for pos, col, reason in sorted(problems.items, key=lambda t: (t[0], list(df.columns).index(t[1]))):
        bad_rows[pos] = True
        reasons.setdefault(pos, []).append(f"{col}: {reason}")
    rows = np.arange(n) + 2
    table = df.copy()
    for col, values in typed.items():
        table[col] = values
    table.insert(0, ROW, rows)
    valid = table.loc[~bad_rows].reset_index(drop=True)
    excluded = df.loc[bad_rows].copy()
    excluded.insert(0, ROW, rows[bad_rows])
    excluded[EXCLUDED_REASON] = pd.array(["; ".join(reasons[p]) for p in np.flatnonzero(bad_rows)],
                                         dtype="str")
    ordered = tuple(Problem(int(p) + 2, c, r) for p, c, r in
                    sorted(problems.items, key=lambda t: (t[0], list(df.columns).index(t[1]))))
    return Validated(valid, excluded.reset_index(drop=True), ordered)


def describe_columns(columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A table of the episode-table columns: name, required, meaning.

    >>> describe_columns().iloc[0]["column"]
    'episode_id'
    """
    rows = [(c, True, m) for c, m in REQUIRED_COLUMNS.items()]
    rows += [(c, False, m) for c, m in OPTIONAL_COLUMNS.items()]
    table = pd.DataFrame(rows, columns=["column", "required", "meaning"])
    return table if columns is None else table[table["column"].isin(list(columns))].reset_index(drop=True)
