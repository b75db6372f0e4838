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

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import instruments
from .csv_files import edge_bytes
from .errors import SHOWN_PROBLEMS, InputError, ParameterError, Problem

__all__ = ["EXCLUDED_REASON", "INPUT_PREFIX", "MAX_TREATMENT_CONTACTS", "MISSING_TOKENS", "OPTIONAL_COLUMNS",
           "OUTPUT_COLUMNS", "REQUIRED_COLUMNS", "ROW", "TRUE_STATE_PREFIX", "Validated", "describe_columns",
           "validate"]

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


#: Every column ``validate`` and ``classify`` add to a table. An input column with one of these
#: names is renamed with :data:`INPUT_PREFIX` (``recovered`` -> ``input_recovered``), so the
#: tool's own output can be read back and input and output values are never mixed.
OUTPUT_COLUMNS = (ROW, "finished", "paired", "caseness_first", "caseness_last", "recovered",
                  "reliable_improvement", "reliable_deterioration", "no_reliable_change", "mixed_change",
                  "reliable_recovery", "anxiety_measure", "interviewed", "diagnosis_lost", EXCLUDED_REASON)
INPUT_PREFIX = "input_"
#: Rows whose ``excluded_reason`` is worded at a time (bounds the Python objects alive).
_REASON_BLOCK = 65_536


@dataclass(frozen=True)
class _Check:
    """One kind of problem found on many rows at once: where (mask), which column, what."""

    mask: np.ndarray
    column: str
    kind: str
    shown: pd.Series | None = None
    detail: Callable[[np.ndarray], list[str]] | None = None

    def reasons(self, positions: np.ndarray) -> list[str]:
        if self.detail is not None:
            return self.detail(positions)
        if self.shown is None:
            return [self.kind] * len(positions)
        return [f"{self.kind}, got {t}" for t in _cell_text(self.shown, positions)]


class Validated:
    """The result of :func:`validate`.

    ``table``: the valid rows with typed columns (scores float with NaN for missing, contacts int,
    ``adsm`` as its official name, booleans nullable) and a ``row`` column (spreadsheet row);
    ``excluded``: the invalid rows as given, with ``row`` and ``excluded_reason``;
    ``problems``: every problem found, in row order (built when first asked for: on a file of
    millions of bad rows prefer :meth:`error`, which lists the first 100 and counts the rest);
    ``renamed``: input columns renamed because they were named like an output column;
    :attr:`valid_mask` and :meth:`excluded_reason_by_row`: one value per input row, in its order
    (to lay the valid rows' results beside every input row without building :attr:`excluded`).
    """

    def __init__(self, table: pd.DataFrame, excluded: pd.DataFrame | None = None,
                 problems: Iterable[Problem] = (), *, renamed: dict[str, str] | None = None,
                 _source: pd.DataFrame | None = None, _checks: tuple[_Check, ...] = (),
                 _rows: np.ndarray | None = None):
        self.table = table
        self.renamed = dict(renamed or {})
        self._excluded = excluded
        self._problems = tuple(problems) if not _checks else None
        self._source, self._checks, self._rows = _source, _checks, _rows
        bad = np.zeros(0 if _source is None else len(_source), dtype=bool)
        for check in _checks:
            bad |= check.mask
        self._bad = bad
        self.invalid_rows = int(bad.sum()) if _checks else (0 if excluded is None else len(excluded))

    @property
    def ok(self) -> bool:
        """True when no row was excluded."""
        return self.invalid_rows == 0 and not (self._problems or ())

    def _ordered(self, positions: np.ndarray) -> list[tuple[int, int, int, str]]:
        """(position, column order, check order, reason) of every problem on rows ``positions``."""
        order = {c: i for i, c in enumerate(self._source.columns)} if self._source is not None else {}
        items = []
        for k, check in enumerate(self._checks):
            hit = positions[check.mask[positions]]
            if len(hit):
                items += [(int(p), order.get(check.column, 0), k, r)
                          for p, r in zip(hit, check.reasons(hit), strict=True)]
        return sorted(items)

    def _problem(self, item: tuple[int, int, int, str]) -> Problem:
        p, _, k, reason = item
        return Problem(int(self._rows[p]), self._checks[k].column, reason, self._checks[k].kind)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem, in row order (see :meth:`error` for a bounded summary)."""
        if self._problems is None:
            self._problems = tuple(self._problem(i) for i in self._ordered(np.flatnonzero(self._bad)))
        return self._problems

    def error(self) -> InputError:
        """An :class:`InputError` listing the first 100 problems and counting the rest by column and reason."""
        if not self._checks:
            return InputError(list(self.problems))
        first = self._ordered(np.flatnonzero(self._bad)[:SHOWN_PROBLEMS])[:SHOWN_PROBLEMS]
        shown_per_check = np.bincount([k for _, _, k, _ in first], minlength=len(self._checks))
        more = {}
        for k, check in enumerate(self._checks):
            rest = int(check.mask.sum()) - int(shown_per_check[k])
            if rest:
                more[(check.column, check.kind)] = more.get((check.column, check.kind), 0) + rest
        return InputError([self._problem(i) for i in first], more=more)

    @property
    def excluded(self) -> pd.DataFrame:
        """The invalid rows as given, with ``row`` and ``excluded_reason``."""
        if self._excluded is None:
            self._excluded = self._build_excluded()
        return self._excluded

    def excluded_head(self, n: int) -> pd.DataFrame:
        """The first ``n`` rows of :attr:`excluded`, built without the others (a report that
        lists a few of millions of excluded rows need not word every reason).

        >>> v = validate(pd.DataFrame({"episode_id": ["a", "b", "c"], "treatment_contacts": [1, -1, -2],
        ...     "phq9_first": [1, 2, 3], "phq9_last": [1, 2, 3], "gad7_first": [1, 2, 3], "gad7_last": [1, 2, 30]}))
        >>> v.excluded_head(1)[["row", "excluded_reason"]].values.tolist()
        [[3, 'treatment_contacts: must be a whole number from 0 to 1,000, got -1']]
        """
        if self._excluded is not None or self._source is None:
            return self.excluded.head(n)
        return self._build_excluded(np.flatnonzero(self._bad)[:max(n, 0)])

    def problem_rows_by_column(self) -> dict[str, int]:
        """How many rows have at least one problem in each column (columns with none left out), by
        column name: counted from the problems found, not by reading their wording back.

        >>> v = validate(pd.DataFrame({"episode_id": ["a", "a"], "treatment_contacts": [1, -1],
        ...     "phq9_first": [1, 2], "phq9_last": [1, 2], "gad7_first": [1, 2], "gad7_last": [1, 2]}))
        >>> v.problem_rows_by_column()
        {'episode_id': 2, 'treatment_contacts': 1}
        """
        if not self._checks:
            rows: dict[str, set] = {}
            for problem in self.problems:
                if problem.column is not None:
                    rows.setdefault(problem.column, set()).add(problem.row)
            return {c: len(r) for c, r in sorted(rows.items())}
        masks: dict[str, np.ndarray] = {}
        for check in self._checks:
            masks[check.column] = masks[check.column] | check.mask if check.column in masks else check.mask
        return {c: int(np.count_nonzero(m)) for c, m in sorted(masks.items())}

    @property
    def valid_mask(self) -> np.ndarray:
        """One boolean per row of the table given to :func:`validate`, in its order: True where the
        row is valid (is in :attr:`table`).

        >>> validate(pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [1, -1],
        ...     "phq9_first": [1, 2], "phq9_last": [1, 2], "gad7_first": [1, 2], "gad7_last": [1, 2]})).valid_mask
        array([ True, False])
        """
        if self._source is not None:
            return ~self._bad
        if self._excluded is None or self._excluded.empty:
            return np.ones(len(self.table), dtype=bool)
        raise ParameterError("valid_mask is known only for a Validated made by validate(): this one was "
                             "assembled from valid and excluded tables, without the input's row order")

    def excluded_reason_by_row(self) -> pa.ChunkedArray:
        """One text per row of the table given to :func:`validate`, in its order: the
        ``excluded_reason`` of an invalid row (as :attr:`excluded` words it), "" for a valid one.

        Built a block of rows at a time as pyarrow text (one chunk per block): no Python object per
        row is kept and nothing is copied into one long array, so a file of millions of invalid
        rows needs memory for their text only.

        >>> validate(pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [1, -1],
        ...     "phq9_first": [1, 2], "phq9_last": [1, 2], "gad7_first": [1, 2], "gad7_last": [1, 2]})
        ...     ).excluded_reason_by_row().to_pylist()
        ['', 'treatment_contacts: must be a whole number from 0 to 1,000, got -1']
        """
        valid = self.valid_mask
        blocks = []
        for start in range(0, len(valid), _REASON_BLOCK):
            block_valid = valid[start:start + _REASON_BLOCK]
            invalid = np.flatnonzero(~block_valid)
            if self._source is None or not len(invalid):
                blocks.append(pa.repeat(pa.scalar("", pa.string()), len(block_valid)))
                continue
            which = np.zeros(len(block_valid), dtype=np.int64)  # 0: the "" of a valid row; k: the k-th reason
            which[invalid] = np.arange(1, len(invalid) + 1)
            reasons = pa.concat_arrays([pa.array([""]), self._joined_reasons(invalid + start)])
            blocks.append(reasons.take(pa.array(which)))
        return pa.chunked_array(blocks, type=pa.string())

    def _build_excluded(self, positions: np.ndarray | None = None) -> pd.DataFrame:
        if self._source is None:
            return self.table.iloc[:0].assign(**{EXCLUDED_REASON: pd.Series(dtype="str")})
        if positions is None:
            positions = np.flatnonzero(self._bad)
        # no excluded rows (a clean file): an empty slice, not a take over millions of rows
        excluded = self._source.iloc[positions].copy() if len(positions) else self._source.iloc[:0].copy()
        excluded.insert(0, ROW, self._rows[positions])
        reasons = self._joined_reasons(positions).to_numpy(zero_copy_only=False)
        excluded[EXCLUDED_REASON] = pd.array(reasons, dtype="str")
        return excluded.reset_index(drop=True)

    def _joined_reasons(self, positions: np.ndarray) -> pa.Array:
        """Each row's problems as "column: reason", joined by "; " in the order of :meth:`problems`
        (column order, then check order), one check at a time: no object per problem is sorted."""
        order = {c: i for i, c in enumerate(self._source.columns)}
        keys = sorted(range(len(self._checks)), key=lambda k: (order.get(self._checks[k].column, 0), k))
        parts = []
        for k in keys:
            check = self._checks[k]
            where = np.flatnonzero(check.mask[positions])
            if len(where):
                worded = _worded(check, positions[where])
                scatter = np.full(len(positions), -1, dtype=np.int64)  # -1: no such problem on that row
                scatter[where] = np.arange(len(where))
                parts.append(worded.take(pa.array(scatter, mask=scatter < 0)))
        if not parts:
            return pa.array(np.full(len(positions), "", dtype=object), type=pa.string())
        return pc.binary_join_element_wise(*parts, "; ", null_handling="skip")

    def raise_if_invalid(self) -> Validated:
        """Raise :class:`InputError` (the first 100 problems, the rest counted); otherwise return ``self``."""
        if not self.ok:
            raise self.error()
        return self


def _arrow(values: pd.Series):
    """The pyarrow array behind a text column, or None when it is not pyarrow-backed text."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" or (
            isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)):
        return pa.chunked_array(values.array.__arrow_array__())
    return None


def _is_missing(values: pd.Series) -> np.ndarray:
    """Missing cells: NA, or text that a spreadsheet uses for 'no value'."""
    missing = values.isna().to_numpy(dtype=bool).copy()
    arrow = _arrow(values)
    if arrow is not None:
        first, _ = edge_bytes(arrow, last=False)  # only a cell starting like a token can be one: screen first
        candidates = np.flatnonzero(_TOKEN_START[first])
        if len(candidates):
            text = pc.utf8_lower(pc.utf8_trim_whitespace(arrow.take(pa.array(candidates))))
            token = pc.is_in(text, value_set=_MISSING_ARRAY).to_numpy(zero_copy_only=False).astype(bool)
            missing[candidates[token]] = True
        return missing
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.astype("string").str.strip().str.lower()
        missing |= text.isin(MISSING_TOKENS).fillna(True).to_numpy(dtype=bool)
    return missing


_MISSING_ARRAY = pa.array(sorted(MISSING_TOKENS))
#: First bytes a missing-value token can start with (blanks included: tokens are stripped first).
_TOKEN_STARTS = np.frombuffer(("".join(sorted({t[0] for t in MISSING_TOKENS if t}))
                               + "".join(sorted({t[0].upper() for t in MISSING_TOKENS if t}))
                               + " \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85").encode("ascii", "ignore")
                              + b"\x00\xc2\xe1\xe2\xe3", dtype=np.uint8)  # empty cell; UTF-8 blanks
_TOKEN_START = np.isin(np.arange(256), _TOKEN_STARTS)  # looked up per cell: cheaper than np.isin
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _fast_number(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(numbers, not-a-number mask) for pyarrow text holding only plain numbers and empty cells."""
    arrow = _arrow(values)
    if arrow is None:
        return None
    try:
        cast = pc.cast(arrow, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # one writeable array, made in one copy (a chunked array's to_numpy is read-only when it can be)
    numbers = np.empty(len(cast), dtype=float)
    start = 0
    for chunk in cast.chunks:
        numbers[start:start + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        start += len(chunk)
    if len(numbers) - np.count_nonzero(np.isfinite(numbers)) != arrow.null_count:
        return None  # 'nan', 'inf' and the like (not finite, yet not empty): the careful path decides
    return numbers, np.zeros(len(numbers), dtype=bool)


def _to_number(values: pd.Series, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(float values with NaN for missing, mask of cells present but not a number)."""
    if not decimal_comma:
        fast = _fast_number(values)
        if fast is not None:
            return fast
    missing = _is_missing(values)
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_complex_dtype(values.dtype):
        numbers = np.full(len(values), np.nan)
        return numbers, ~missing
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        arrow = _arrow(values)
        if arrow is None:
            arrow = pa.chunked_array([pa.array(values.astype("string").to_numpy(dtype=object, na_value=None),
                                               type=pa.string(), from_pandas=True)])
        text = pc.utf8_trim_whitespace(arrow)
        if decimal_comma:
            text = pc.replace_substring_regex(text, r"^([+-]?\d*),(\d+)$", r"\1.\2")
        plain = pc.match_substring_regex(text, _NUMBER)
        kept = pc.if_else(plain, text, pa.scalar(None, pa.string()))
        numbers = pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False)
        numbers = np.asarray(numbers, dtype=float)
    numbers = np.where(missing, np.nan, numbers)
    not_a_number = ~missing & (np.isnan(numbers) | np.isinf(numbers))
    return np.where(not_a_number, np.nan, numbers), not_a_number


def _stripped_text(values: pd.Series) -> pd.Series:
    """Text without surrounding blanks (pyarrow text is only copied when some cell has them)."""
    arrow = _arrow(values)
    if arrow is None:
        return values.astype("str").str.strip()
    first, last = edge_bytes(arrow)
    if _BLANK[first].any() or _BLANK[last].any():
        arrow = pc.utf8_trim_whitespace(arrow)
    return pd.Series(pd.arrays.ArrowExtensionArray(arrow), index=values.index)


_BLANK_BYTES = np.frombuffer(b" \t\r\n\x0b\x0c\xc2\xa0\xe3\x80", dtype=np.uint8)
_BLANK = np.isin(np.arange(256), _BLANK_BYTES)


def _duplicated(text: pd.Series) -> np.ndarray:
    """True for every occurrence of a value that occurs more than once.

    pyarrow text is hashed in numpy straight from its buffers (each cell's bytes folded into one
    64-bit number); only cells whose hashes collide are compared as text.
    """
    if _strictly_increasing(text):  # sorted ids (a simulated cohort's, many exports'): none repeats
        return np.zeros(len(text), dtype=bool)
    arrow = _arrow(text)
    if arrow is None:
        return text.duplicated(keep=False).to_numpy(dtype=bool)
    hashes = _hash_text(arrow)
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return np.zeros(len(hashes), dtype=bool)
    candidates = np.isin(hashes, repeated)
    positions = np.flatnonzero(candidates)
    subset = pd.Series(arrow.take(pa.array(positions)).to_numpy(zero_copy_only=False), dtype=object)
    out = np.zeros(len(arrow), dtype=bool)
    out[positions] = subset.duplicated(keep=False).to_numpy() & subset.notna().to_numpy()
    return out


def _strictly_increasing(text: pd.Series) -> bool:
    """True when ``text`` is pyarrow text (``string`` or ``large_string``) with no missing cell, each
    cell's bytes after the previous one's: then no value occurs twice. One vectorised comparison
    (~1 ms at 100,000 ids, against 20-60 ms hashing them); False for anything else (checked as usual).

    >>> _strictly_increasing(pd.Series(["R1", "R2", "R3"], dtype="string[pyarrow]"))
    True
    >>> _strictly_increasing(pd.Series(["R1", "R1", "R3"], dtype="string[pyarrow]"))
    False
    """
    array = text.array
    if len(text) < 2 or not hasattr(array, "__arrow_array__"):
        return False
    arrow = pa.chunked_array(array.__arrow_array__())
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)) or arrow.null_count:
        return False
    return bool(pc.all(pc.less(arrow[:-1], arrow[1:])).as_py())


def _hash_text(arrow: pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of each text cell (missing cells hash alike), vectorised over bytes."""
    parts = []
    for chunk in arrow.chunks:
        n = len(chunk)
        _, offsets_buffer, data_buffer = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32  # pandas' string[pyarrow]: large
        offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset:chunk.offset + n + 1].astype(np.int64)
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None and data_buffer.size else \
            np.zeros(1, np.uint8)
        lengths = offsets[1:] - offsets[:-1]
        h = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        longest = int(lengths.max()) if n else 0
        with np.errstate(over="ignore"):
            for j in range(longest):
                has = lengths > j
                if has.all():
                    byte = data[offsets[:-1] + j]
                    h = (h ^ byte.astype(np.uint64)) * np.uint64(0x100000001B3)
                else:
                    byte = data[np.minimum(offsets[:-1] + j, len(data) - 1)]
                    h = np.where(has, (h ^ byte.astype(np.uint64)) * np.uint64(0x100000001B3), h)
        parts.append(h)
    return np.concatenate(parts) if parts else np.zeros(0, np.uint64)


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


#: Text whose Python ``repr`` is the text in single quotes: printable ASCII without ' or \\.
_PLAIN_REPR = r"^[ -&(-\[\]-~]*$"


def _worded(check: _Check, positions: np.ndarray) -> pa.Array:
    """"column: reason" for each of ``positions`` (rows where ``check`` found its problem), as
    :meth:`_Check.reasons` words it. A reason quoting the cell ("..., got '31'") is assembled by
    pyarrow for every cell whose ``repr`` is the cell in single quotes (plain text); only the
    others are worded one by one in Python.

    >>> values = pd.Series(pd.array(["31", "é", "x"], dtype=pd.ArrowDtype(pa.string())))
    >>> check = _Check(np.ones(3, bool), "phq9_last", "out of range", values)
    >>> _worded(check, np.array([0, 1])).to_pylist()
    ["phq9_last: out of range, got '31'", "phq9_last: out of range, got 'é'"]
    """
    arrow = _arrow(check.shown) if check.shown is not None and check.detail is None else None
    if arrow is None:
        return pa.array([f"{check.column}: {r}" for r in check.reasons(positions)], type=pa.string())
    cells = arrow.take(pa.array(positions)).combine_chunks().cast(pa.string())  # pandas' own may be large
    plain = pc.fill_null(pc.match_substring_regex(cells, _PLAIN_REPR), False)
    worded = pc.binary_join_element_wise(f"{check.column}: {check.kind}, got '", cells, "'", "")
    other = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
    if not len(other):
        return worded
    spelled = worded.to_numpy(zero_copy_only=False).astype(object)
    spelled[other] = [f"{check.column}: {r}" for r in check.reasons(positions[other])]
    return pa.array(spelled, type=pa.string())


def _cell_text(values: pd.Series, positions: np.ndarray) -> list[str]:
    cells = values.iloc[positions].to_numpy(dtype=object)  # not the Series' element-wise iterator
    return [repr(v) if isinstance(v, str) else str(v) for v in cells]


class _Collector:
    """Collects problems as masks over rows (one :class:`_Check` per kind), never one object per cell."""

    def __init__(self, n: int):
        self.n = n
        self.checks: list[_Check] = []

    def add(self, mask: np.ndarray, column: str, reason: str, shown: pd.Series | None = None,
            detail: Callable[[np.ndarray], list[str]] | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.checks.append(_Check(mask, column, reason, shown, detail))


#: Bytes that can appear in the text of a whole number (digits, a sign, blanks).
_WHOLE_NUMBER_BYTES = np.isin(np.arange(256), np.frombuffer(b"0123456789+- \t", dtype=np.uint8))


def _whole_number_text(values: pd.Series) -> bool:
    """True when ``values`` is pyarrow text whose every byte can only belong to a whole number, so
    every number read from it is whole (a quick screen: False means "not known", not "fractional")."""
    arrow = _arrow(values)
    if arrow is None:
        return False
    for chunk in arrow.chunks:
        data = chunk.buffers()[2]
        if data is None or not data.size:
            continue
        as_bytes = pa.Array.from_buffers(pa.uint8(), data.size, [None, data])
        low, high = pc.min_max(as_bytes).values()
        if ord("0") <= low.as_py() and high.as_py() <= ord("9"):
            continue  # digits only: one vectorised pass, no lookup per byte
        if not _WHOLE_NUMBER_BYTES[np.frombuffer(data, dtype=np.uint8)].all():
            return False
    return True


def _in_range_already(numbers: np.ndarray, bad: np.ndarray, lo, hi, integer, values: pd.Series) -> bool:
    """True when no number is outside ``lo``..``hi`` and none needs the whole-number check: the
    common case of a clean file, found with two reductions instead of a mask per test."""
    if bad.any() or not len(numbers) or not isinstance(integer, bool | None):
        return False
    low, high = np.fmin.reduce(numbers), np.fmax.reduce(numbers)
    if np.isnan(low):
        return False
    return bool(low >= lo and high <= hi) and (not integer or _whole_number_text(values))


def _check_score(col: str, values: pd.Series, inst: instruments.Instrument | np.ndarray,
                 problems: _Collector, lo=None, hi=None, integer=None, label: str = "",
                 decimal_comma: bool = False, read: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The column's numbers, NaN where missing or invalid; its problems added to ``problems``.
    ``read``: what ``_to_number(values, decimal_comma)`` gives, when already known."""
    numbers, bad = _to_number(values, decimal_comma) if read is None else read
    problems.add(bad, col, _not_a_number(values, bad, decimal_comma), values)
    if isinstance(inst, instruments.Instrument):
        lo, hi, integer = inst.score_min, inst.score_max, inst.integer_scores
        label = f"from {inst.score_min:g} to {inst.score_max:g}"
    if _in_range_already(numbers, bad, lo, hi, integer, values):
        return numbers if numbers.flags.writeable else numbers.copy()
    with np.errstate(invalid="ignore"):
        out = (numbers < lo) | (numbers > hi)
        frac = np.zeros(len(numbers), dtype=bool) if integer is None else (
            np.asarray(integer) & (numbers != np.round(numbers)))
    out &= ~np.isnan(numbers)
    frac &= ~np.isnan(numbers) & ~out
    kind = "a whole number" if integer is True else "a score"
    problems.add(out | frac, col, f"must be {kind} {label}".rstrip(), values)
    return np.where(out | frac, np.nan, numbers)


def _not_a_number(values: pd.Series, bad: np.ndarray, decimal_comma: bool) -> str:
    """The reason for cells that are not numbers; names a decimal comma in a comma-separated file."""
    if decimal_comma or not bad.any() or not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return "must be a number or empty"
    sample = values.iloc[np.flatnonzero(bad)[:1000]].astype("string").str.strip()
    if sample.str.fullmatch(r"[+-]?\d*,\d+").fillna(False).any():
        return ("must be a number or empty (a decimal comma such as 3,5 is read only in a semicolon-"
                "separated file; write 3.5 here)")
    return "must be a number or empty"


def _reserved_renames(names: list[str]) -> dict[str, str]:
    renamed = {c: INPUT_PREFIX + c for c in names if c in OUTPUT_COLUMNS}
    clash = [new for new in renamed.values() if new in names]
    if clash:
        raise InputError([Problem(None, c, f"the table has this column and also {c[len(INPUT_PREFIX):]!r}, "
                                  f"which would be renamed to it (input columns named like output "
                                  f"columns get the prefix {INPUT_PREFIX!r}); rename one") for c in clash])
    return renamed


def validate(episodes: pd.DataFrame, *, decimal_comma: bool = False,
             rows: np.ndarray | None = None) -> Validated:
    """Check an episode table; return valid rows, excluded rows and every problem found.

    Missing required columns make the whole table unusable and raise :class:`InputError` at once.
    Cell-level problems never raise: the row goes to ``excluded`` with its reasons. A column
    named like one iaptlab adds (:data:`OUTPUT_COLUMNS`) is renamed ``input_<name>``.
    ``decimal_comma`` reads ``3,5`` as 3.5 (semicolon-separated files); ``rows`` gives each row's
    spreadsheet row number (default: 2, 3, ...).

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
    renamed = _reserved_renames(names)
    df = episodes.copy(deep=False)
    df.columns = [renamed.get(c, c) for c in names]
    n = len(df)
    row_numbers = np.arange(2, n + 2, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(row_numbers) != n:
        raise InputError(Problem(None, None, f"rows has {len(row_numbers)} numbers for {n} rows"))
    problems = _Collector(n)
    typed: dict[str, object] = {}

    ids = df["episode_id"]
    id_missing = _is_missing(ids)
    problems.add(id_missing, "episode_id", "is empty")
    id_text = _stripped_text(ids)
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing and sorting the ids release the GIL,
        duplicated = pool.submit(_duplicated, id_text)  # as do reading the numbers meanwhile
        numbers = {col: _to_number(df[col], decimal_comma) for col in ("treatment_contacts", *_SCORE_COLUMNS)}
        dup = duplicated.result() & ~id_missing
    if dup.any():
        firsts = pd.Series(row_numbers[dup], index=id_text[dup].to_numpy()).groupby(level=0).min()

        def first_seen(positions: np.ndarray) -> list[str]:
            values = id_text.iloc[positions]
            where = firsts.reindex(values.to_numpy()).to_numpy()
            return [f"duplicate episode_id {v!r} (first seen on row {w})" for v, w in zip(values, where, strict=True)]

        problems.add(dup, "episode_id", "duplicate episode_id", detail=first_seen)
    typed["episode_id"] = id_text

    contacts, bad = numbers["treatment_contacts"]
    if not np.isnan(contacts).any() and _in_range_already(contacts, bad, 0, MAX_TREATMENT_CONTACTS, True,
                                                          df["treatment_contacts"]):
        typed["treatment_contacts"] = contacts.astype(np.int64)  # none empty, none out of range: a clean file
    else:
        _check_contacts(contacts, bad, df["treatment_contacts"], problems, typed)

    for col, inst in _SCORE_COLUMNS.items():
        typed[col] = _check_score(col, df[col], inst, problems, decimal_comma=decimal_comma, read=numbers[col])

    if "adsm" in df.columns:
        typed.update(_check_adsm(df, problems, decimal_comma))
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
        numbers, bad = _to_number(df[col], decimal_comma)
        problems.add(bad, col, "must be a number or empty", df[col])
        typed[col] = numbers
    return _assemble(df, typed, problems, row_numbers, renamed)


def _check_contacts(contacts: np.ndarray, bad: np.ndarray, values: pd.Series, problems: _Collector,
                    typed: dict[str, object]) -> None:
    """Every treatment_contacts problem (empty, not a whole number in range); 0 where invalid."""
    empty = np.isnan(contacts) & ~bad
    problems.add(empty, "treatment_contacts", "is empty (0 if the referral never attended)")
    with np.errstate(invalid="ignore"):
        wrong = bad | (~np.isnan(contacts) & ((contacts < 0) | (contacts > MAX_TREATMENT_CONTACTS)
                                              | (contacts != np.round(contacts))))
    problems.add(wrong, "treatment_contacts", f"must be a whole number from 0 to {MAX_TREATMENT_CONTACTS:,}",
                 values)
    typed["treatment_contacts"] = np.where(np.isnan(contacts) | wrong, 0, contacts).astype(np.int64)


def _check_adsm(df: pd.DataFrame, problems: _Collector, decimal_comma: bool = False) -> dict[str, object]:
    text = pd.Series(df["adsm"].astype("string").str.strip().to_numpy(dtype=object, na_value=None),
                     index=df.index, dtype=object)
    missing = _is_missing(df["adsm"])
    canonical = {}
    for alias in set(text.dropna().str.lower()):
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
    integer = names.map({i.name: i.integer_scores for i in instruments.ADSMS}).to_numpy(dtype=object) == True  # noqa: E712
    out: dict[str, object] = {"adsm": names.astype("object").where(names.notna(), None)}
    for col in ("adsm_first", "adsm_last"):
        if col not in df.columns:
            out[col] = np.full(len(df), np.nan)
            continue
        numbers, bad = _to_number(df[col], decimal_comma)
        problems.add(bad, col, _not_a_number(df[col], bad, decimal_comma), df[col])
        no_name = missing & ~np.isnan(numbers)
        problems.add(no_name, col, "has a score but the adsm column is empty")
        with np.errstate(invalid="ignore"):
            wrong = ~np.isnan(numbers) & ~np.isnan(lo) & (
                (numbers < lo) | (numbers > hi) | (integer & (numbers != np.round(numbers))))

        def in_range(positions: np.ndarray, col=col) -> list[str]:
            return [f"must be in {names.iloc[p]}'s range {lo[p]:g}-{hi[p]:g}"
                    + (" (whole numbers)" if integer[p] else "") + f", got {df[col].iloc[p]}" for p in positions]

        problems.add(wrong, col, "must be in the measure's range", detail=in_range)
        out[col] = np.where(wrong | no_name | bad, np.nan, numbers)
    return out


def _assemble(df: pd.DataFrame, typed: dict[str, object], problems: _Collector, rows: np.ndarray,
              renamed: dict[str, str]) -> Validated:
    bad_rows = np.zeros(len(df), dtype=bool)
    for check in problems.checks:
        bad_rows |= check.mask
    table = df.copy(deep=False)
    for col, values in typed.items():  # arrays made here are wrapped, not copied (pandas copies a bare array)
        table[col] = pd.Series(values, index=table.index, copy=False) if isinstance(values, np.ndarray) else values
    table.insert(0, ROW, rows)
    valid = table.loc[~bad_rows].reset_index(drop=True) if bad_rows.any() else table
    return Validated(valid, None, (), renamed=renamed, _source=df, _checks=tuple(problems.checks), _rows=rows)


def describe_columns(columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A table of the episode-table columns: name, required, meaning.

    >>> describe_columns().iloc[0]["column"]
    'episode_id'
    """
    rows = [(c, True, m) for c, m in REQUIRED_COLUMNS.items()]
    rows += [(c, False, m) for c, m in OPTIONAL_COLUMNS.items()]
    table = pd.DataFrame(rows, columns=["column", "required", "meaning"])
    return table if columns is None else table[table["column"].isin(list(columns))].reset_index(drop=True)
