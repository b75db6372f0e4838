"""Contact records (one row per contact) -> the episode table (one row per referral).

In NHS Talking Therapies data every attended contact can carry a PHQ-9, a GAD-7 and an
anxiety-disorder-specific measure (ADSM). The episode table that every outcome rule reads
(DESIGN §3) is made from those contacts by :func:`from_contacts`:

- ``treatment_contacts`` = attended contacts of type ``treatment`` (the guide counts "attended
  treatment care contacts"; follow-up and employment-support contacts do not count);
- ``phq9_first``/``phq9_last`` (and GAD-7, ADSM, WSAS) = the first and the last *available* score
  among attended ``assessment`` and ``treatment`` contacts, in ``contact_number`` order; scores on
  unattended, follow-up, employment-support and other contacts are never used;
- provenance columns (``phq9_first_contact``, ``phq9_last_contact``, ...) give the
  ``contact_number`` each score came from, so a learner can see where "first" and "last" are;
- ``referral_ended``: :func:`iaptlab.outcomes.classify` counts a referral as finished only when it
  has ended *and* has enough treatment contacts.

The choices on which practice varies are fields of :class:`ContactRules` (defaults and sources in
its docstring). ``outcomes.Rules`` holds one as ``Rules.contacts``; this module does not import
``outcomes`` (layer 3), so the arrows point down: :func:`from_contacts` takes a
:class:`ContactRules`, or any rules object that holds one as ``.contacts`` (such as
``outcomes.IAPT``).

The contact table (DESIGN §3b) is checked by :func:`validate_contacts`: every problem is reported
with its spreadsheet row (header = row 1) and column, and nothing is dropped silently.

>>> import pandas as pd
>>> contacts = pd.DataFrame({
...     "referral_id": ["R1"] * 4, "contact_number": [1, 2, 3, 4],
...     "contact_type": ["assessment", "treatment", "Treatment", "follow_up"],
...     "attended": ["yes", "yes", "yes", "yes"], "phq9": [18, 14, 8, 3], "gad7": [13, 10, 6, 2],
...     "referral_ended": ["yes"] * 4})
>>> ep = from_contacts(contacts)
>>> ep[["episode_id", "treatment_contacts", "phq9_first", "phq9_last", "phq9_last_contact"]]
  episode_id  treatment_contacts  phq9_first  phq9_last  phq9_last_contact
0         R1                   2        18.0        8.0                  3
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import numpy as np
import pandas as pd

from . import instruments
from .errors import IaptlabError, InputError, ParameterError, Problem
from .schema import MISSING_TOKENS

__all__ = [
    "CONTACT_TYPES", "CONTACT_RULES", "REQUIRED_CONTACT_COLUMNS", "OPTIONAL_CONTACT_COLUMNS",
    "YES_NO", "ContactRules", "ValidatedContacts", "validate_contacts", "from_contacts",
    "read_contact_csv", "yes_no",
]

#: The contact types, in the order of their codes.
CONTACT_TYPES = ("assessment", "treatment", "follow_up", "employment_support", "other")
_ASSESSMENT, _TREATMENT = 0, 1

#: Required columns of the contact table and what each holds (DESIGN §3b).
REQUIRED_CONTACT_COLUMNS = MappingProxyType({
    "referral_id": "identifier of the referral the contact belongs to",
    "contact_number": "order of the contact within its referral: a whole number 1 or more, unique "
                      "within the referral",
    "contact_type": "assessment, treatment, follow_up, employment_support or other (any case)",
    "attended": "yes/no, true/false or 1/0",
    "phq9": "PHQ-9 total given at this contact, 0-27, may be empty",
    "gad7": "GAD-7 total given at this contact, 0-21, may be empty",
    "referral_ended": "yes/no: has the referral ended? The same on every row of a referral",
})
#: Optional columns read when present.
OPTIONAL_CONTACT_COLUMNS = MappingProxyType({
    "adsm": "the anxiety-disorder-specific measure given (" + ", ".join(instruments.adsm_names())
            + "), may be empty; at most one per referral",
    "adsm_score": "its score at this contact, in that measure's range, may be empty",
    "wsas": "Work and Social Adjustment Scale total at this contact, 0-40, may be empty",
})
#: Yes/no cells: what each accepted spelling means (compared in lower case, spaces trimmed).
YES_NO = MappingProxyType({
    "yes": True, "y": True, "true": True, "t": True, "1": True, "1.0": True,
    "no": False, "n": False, "false": False, "f": False, "0": False, "0.0": False,
})
#: Work and Social Adjustment Scale: five items scored 0-8 (Mundt et al. 2002).
WSAS_MAX = 40
_ROW_OFFSET = 2  # spreadsheet row of the first data row (the header is row 1)


@dataclass(frozen=True)
class ContactRules:
    """The choices that turn contacts into first/last scores, paired scores and contact counts.

    ``paired_needs_two_contacts`` (default True): a measure is paired only when its first and last
    scores come from different contacts. The guide defines paired scores as "two or more PHQ-9
    scores and two or more ADSM scores" (source ``nhsd_guide_v21``); the year-one analysis kept
    patients who "had at least two outcomes scores" (``gyani_2013``). Applied by
    :func:`iaptlab.outcomes.classify` through the provenance columns.

    ``assessment_counts_as_treatment`` (default False): whether an attended assessment counts
    towards ``treatment_contacts``. The guide counts "attended treatment care contacts"
    (``nhsd_guide_v21``); the demonstration sites counted patients "who had attended at least
    twice (including the assessment interview)" (``clark_2009``).

    ``first_score_from_assessment`` (default True): whether scores given at an attended assessment
    are used (in practice as the first score). The guide compares "first scores" with "last
    scores" without restricting them to treatment contacts (``nhsd_guide_v21``); that the national
    dataset takes the first score from the assessment contact is UNCONFIRMED. False: assessment
    scores are not used at all, so the first score is the first treatment contact's.

    >>> ContactRules().paired_needs_two_contacts
    True
    >>> ContactRules(assessment_counts_as_treatment="yes")
    Traceback (most recent call last):
    ...
    iaptlab.errors.ParameterError: ContactRules.assessment_counts_as_treatment must be True or False, got 'yes'
    """

    paired_needs_two_contacts: bool = True
    assessment_counts_as_treatment: bool = False
    first_score_from_assessment: bool = True

    def __post_init__(self) -> None:
        for name in ("paired_needs_two_contacts", "assessment_counts_as_treatment",
                     "first_score_from_assessment"):
            value = getattr(self, name)
            if not isinstance(value, bool | np.bool_):
                raise ParameterError(f"ContactRules.{name} must be True or False, got {value!r}")


#: The defaults above (what ``outcomes.IAPT.contacts`` holds).
CONTACT_RULES = ContactRules()


class _HoldsContactRules(Protocol):
    contacts: ContactRules


@dataclass(frozen=True)
class ValidatedContacts:
    """The result of :func:`validate_contacts`.

    ``table``: every input row, typed (``referral_id`` categorical, ``contact_type`` categorical of
    :data:`CONTACT_TYPES`, ``attended``/``referral_ended`` bool, scores float with NaN for missing,
    ``adsm`` as its official name) with a ``row`` column (spreadsheet row); cells with problems are
    NaN/False. ``order``: row positions sorted by referral and contact number (computed once, used
    by :func:`from_contacts`). ``problems``: every problem found, in row order.
    """

    table: pd.DataFrame
    order: np.ndarray
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def raise_if_invalid(self) -> ValidatedContacts:
        """Raise :class:`InputError` listing every problem; otherwise return ``self``."""
        if self.problems:
            raise InputError(list(self.problems))
        return self


class _Problems:
    """Problems as (position, column, reason); positions become spreadsheet rows at the end."""

    def __init__(self, values: pd.DataFrame):
        self.frame = values
        self.items: list[tuple[int, str | None, str]] = []

    def add(self, mask: np.ndarray, column: str, reason: str, show: bool = True) -> None:
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        if not show:
            self.items.extend((int(p), column, reason) for p in positions)
            return
        cells = self.frame[column].iloc[positions]
        self.items.extend((int(p), column, f"{reason}, got {v!r}" if isinstance(v, str) else f"{reason}, got {v}")
                          for p, v in zip(positions, cells, strict=True))

    def sorted(self, columns: list[str]) -> tuple[Problem, ...]:
        rank = {c: i for i, c in enumerate(columns)}
        items = sorted(self.items, key=lambda t: (t[0], rank.get(t[1], -1)))
        return tuple(Problem(p + _ROW_OFFSET, c, r) for p, c, r in items)


def _text_uniques(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(codes, unique cells as trimmed text); code -1 = NA. Parsing then touches each value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, pd.Index(np.asarray(uniques, dtype=object)).astype(str).str.strip()


def _by_uniques(values: pd.Series, parse: Callable[[pd.Index], tuple[np.ndarray, np.ndarray, np.ndarray]],
                fill) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``parse`` (text -> values, missing, bad) to the distinct cells, then spread it out."""
    codes, text = _text_uniques(values)
    parsed, missing, bad = parse(text)
    na = codes < 0
    safe = np.where(na, 0, codes)
    if len(text):
        out, miss, wrong = parsed[safe], missing[safe] | na, bad[safe] & ~na
    else:
        out, miss, wrong = np.full(len(values), fill), na, np.zeros(len(values), bool)
    return np.where(miss | wrong, fill, out), miss, wrong


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(floats with NaN where missing or unreadable, missing mask, not-a-number mask)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        na = values.isna().to_numpy(dtype=bool)
        return np.full(len(values), np.nan), na, ~na
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(numbers)
        return np.where(bad, np.nan, numbers), np.isnan(numbers), bad

    def parse(text: pd.Index):
        missing = text.str.lower().isin(MISSING_TOKENS)
        numbers = pd.to_numeric(pd.Series(text).where(~missing), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        return numbers, missing, ~missing & ~np.isfinite(numbers)

    return _by_uniques(values, parse, np.nan)


def yes_no(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(True/False per cell, missing mask, unreadable mask) for a yes/no column.

    Accepts booleans, 1/0 and the spellings in :data:`YES_NO` in any case.

    >>> truth, missing, bad = yes_no(pd.Series(["Yes", "no", "", "maybe", "TRUE", "0"]))
    >>> truth.tolist(), missing.tolist(), bad.tolist()
    ([True, False, False, False, True, False], [False, False, True, False, False, False], \
[False, False, False, True, False, False])
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        na = values.isna().to_numpy(dtype=bool)
        return values.fillna(False).to_numpy(dtype=bool), na, np.zeros(len(values), bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        na = np.isnan(numbers)
        bad = ~na & (numbers != 0) & (numbers != 1)
        return numbers == 1, na, bad

    def parse(text: pd.Index):
        lower = text.str.lower()
        mapped = pd.Series(lower).map(dict(YES_NO))
        missing = lower.isin(MISSING_TOKENS)
        return mapped.fillna(False).to_numpy(dtype=bool), missing, ~missing & mapped.isna().to_numpy()

    return _by_uniques(values, parse, False)


def _contact_types(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(type codes into CONTACT_TYPES, -1 where missing or unknown; missing; unknown)."""
    def parse(text: pd.Index):
        key = text.str.lower().str.replace("-", "_").str.replace(" ", "_")
        codes = pd.Series(key).map({t: i for i, t in enumerate(CONTACT_TYPES)})
        missing = text.str.lower().isin(MISSING_TOKENS)
        return codes.fillna(-1).to_numpy(dtype=np.int8), missing, ~missing & codes.isna().to_numpy()

    return _by_uniques(values, parse, -1)


def _adsm_names(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes into instruments.ADSMS, -1 where none; missing; unknown)."""
    def parse(text: pd.Index):
        codes = np.full(len(text), -1, dtype=np.int8)
        for i, name in enumerate(text):
            try:
                inst = instruments.lookup(name)
            except IaptlabError:
                continue
            if inst in instruments.ADSMS:
                codes[i] = instruments.ADSMS.index(inst)
        missing = text.str.lower().isin(MISSING_TOKENS)
        return codes, missing, ~missing & (codes < 0)

    return _by_uniques(values, parse, -1)


def _referral_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """(codes into the sorted referral ids, the ids, missing mask)."""
    codes, text = _text_uniques(values)
    missing_text = text.str.lower().isin(MISSING_TOKENS) | (text == "")
    ids, pos = np.unique(np.asarray(text, dtype=object)[~missing_text].astype(str), return_inverse=True)
    remap = np.full(len(text), -1, dtype=np.int64)
    remap[np.flatnonzero(~missing_text)] = pos
    out = np.where(codes < 0, -1, remap[np.where(codes < 0, 0, codes)]) if len(text) else codes.astype(np.int64)
    return out, pd.Index(ids, dtype=object), out < 0


def _check_range(numbers: np.ndarray, lo, hi, integer) -> np.ndarray:
    """Present values outside [lo, hi] or not whole where ``integer``."""
    with np.errstate(invalid="ignore"):
        wrong = (numbers < lo) | (numbers > hi) | (np.asarray(integer) & (numbers != np.round(numbers)))
    return wrong & ~np.isnan(numbers)


def _sorted_order(codes: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Row positions sorted by referral code, then contact number (stable; O(n) if already sorted)."""
    top = int(numbers.max()) + 1 if len(numbers) else 1
    if len(codes) and (int(codes.max()) + 2) * top < 2 ** 62:
        key = (codes + 1) * top + numbers
        if np.all(key[1:] >= key[:-1]):
            return np.arange(len(key))
        return np.argsort(key, kind="stable")
    return np.lexsort((numbers, codes))


def validate_contacts(contacts: pd.DataFrame) -> ValidatedContacts:
    """Check a contact table; return it typed, sorted once, with every problem found.

    Missing required columns (or duplicated column names) raise :class:`InputError` at once;
    cell-level problems are collected in ``problems`` (raise them with ``raise_if_invalid()``).

    >>> df = pd.DataFrame({"referral_id": ["A", "A"], "contact_number": [1, 1],
    ...                    "contact_type": ["assessment", "group"], "attended": ["yes", "yes"],
    ...                    "phq9": [12, 30], "gad7": [9, ""], "referral_ended": ["yes", "no"]})
    >>> for p in validate_contacts(df).problems:
    ...     print(p)
    row 3, column contact_number: contact 1 appears more than once in referral 'A' (first on row 2)
    row 3, column contact_type: must be assessment, treatment, follow_up, employment_support or other, got 'group'
    row 3, column phq9: must be a whole number from 0 to 27, got 30
    row 3, column referral_ended: referral 'A' has referral_ended 'no' here but 'yes' on row 2 (it must be the same on every row of a referral)
    """
    if not isinstance(contacts, pd.DataFrame):
        raise InputError(Problem(None, None, f"expected a table (pandas DataFrame), got {type(contacts).__name__}"))
    names = [str(c).strip() for c in contacts.columns]
    file_problems = [Problem(None, c, "required column is missing")
                     for c in REQUIRED_CONTACT_COLUMNS if c not in names]
    file_problems += [Problem(None, c, "column appears more than once") for c in sorted({c for c in names if names.count(c) > 1})]
    if "adsm_score" in names and "adsm" not in names:
        file_problems.append(Problem(None, "adsm_score", "there is no adsm column naming the measure"))
    if file_problems:
        raise InputError(file_problems)
    df = contacts.set_axis(names, axis="columns")
    n = len(df)
    problems = _Problems(df)
    typed: dict[str, object] = {"row": np.arange(n) + _ROW_OFFSET}

    codes, ids, id_missing = _referral_codes(df["referral_id"])
    blank = id_missing.copy()  # a row is empty when every cell is: look only where the id is
    for col in df.columns:
        if not blank.any():
            break
        at = np.flatnonzero(blank)
        cells = df[col].iloc[at]
        blank[at] = (cells.isna() | cells.astype(str).str.strip().eq("")).to_numpy(dtype=bool)
    problems.items.extend((int(p), None, "the row is empty") for p in np.flatnonzero(blank))
    live = ~blank
    problems.add(id_missing & live, "referral_id", "is empty", show=False)

    number, missing, bad = _numbers(df["contact_number"])
    problems.add(missing & live, "contact_number", "is empty (number the contacts 1, 2, 3, ... within each referral)",
                 show=False)
    wrong = bad | _check_range(number, 1, np.inf, True)
    problems.add(wrong, "contact_number", "must be a whole number 1 or more")
    number = np.where(wrong | missing, 0, number).astype(np.int64)
    known = ~(id_missing | missing | wrong)
    order = _sorted_order(np.where(known, codes, -1), np.where(known, number, 0))
    _duplicate_contacts(codes, number, known, order, ids, problems)

    type_codes, missing, bad = _contact_types(df["contact_type"])
    problems.add(missing & live, "contact_type", "is empty", show=False)
    problems.add(bad, "contact_type", "must be " + ", ".join(CONTACT_TYPES[:-1]) + f" or {CONTACT_TYPES[-1]}")
    typed["contact_type"] = pd.Categorical.from_codes(type_codes, categories=list(CONTACT_TYPES))

    for col in ("attended", "referral_ended"):
        truth, missing, bad = yes_no(df[col])
        problems.add(missing & live, col, "is empty (yes or no)", show=False)
        problems.add(bad, col, "must be yes/no, true/false or 1/0")
        typed[col] = truth
        if col == "referral_ended":
            _disagreements(codes, truth, ~(missing | bad | id_missing), ids, df[col], problems)

    scores = {"phq9": (instruments.PHQ9.score_min, instruments.PHQ9.score_max),
              "gad7": (instruments.GAD7.score_min, instruments.GAD7.score_max)}
    if "wsas" in df.columns:
        scores["wsas"] = (0, WSAS_MAX)
    for col, (lo, hi) in scores.items():
        values, _, bad = _numbers(df[col])
        problems.add(bad, col, "must be a number or empty")
        wrong = _check_range(values, lo, hi, True)
        problems.add(wrong, col, f"must be a whole number from {lo:g} to {hi:g}")
        typed[col] = np.where(wrong, np.nan, values)
    if "adsm" in df.columns:
        typed.update(_check_adsm(df, codes, ids, problems))

    typed["referral_id"] = pd.Categorical.from_codes(codes, categories=ids) if len(ids) else \
        pd.Categorical(np.full(n, np.nan), categories=pd.Index([], dtype=object))
    typed["contact_number"] = number
    # typed columns replace the text ones; any other column is carried along as given
    table = pd.DataFrame({col: typed[col] if col in typed else df[col] for col in ["row", *names]},
                         index=df.index)
    return ValidatedContacts(table, order, problems.sorted(names))


def _duplicate_contacts(codes, number, known, order, ids, problems: _Problems) -> None:
    """A contact number used twice in one referral: a problem on every repeat, naming the first."""
    c, k, ok = codes[order], number[order], known[order]
    same = ok[1:] & ok[:-1] & (c[1:] == c[:-1]) & (k[1:] == k[:-1])
    if not same.any():
        return
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = same
    start = np.flatnonzero(~repeat)  # each run of equal (referral, number) begins at a non-repeat
    run_first = start[np.searchsorted(start, np.arange(len(order)), side="right") - 1]
    first_row = order[run_first] + _ROW_OFFSET
    for at in np.flatnonzero(repeat):
        pos = order[at]
        if pos + _ROW_OFFSET == first_row[at]:
            continue
        problems.items.append((int(pos), "contact_number",
                               f"contact {number[pos]} appears more than once in referral "
                               f"{ids[codes[pos]]!r} (first on row {first_row[at]})"))


def _first_rows(codes: np.ndarray, rows: np.ndarray, n_ids: int) -> np.ndarray:
    """The first (lowest) row position of each referral among ``rows`` (len n_ids, -1 if none)."""
    first = np.full(n_ids, np.iinfo(np.int64).max)
    np.minimum.at(first, codes[rows], rows)
    return np.where(first == np.iinfo(np.int64).max, -1, first)


def _disagreements(codes, truth, usable, ids, shown: pd.Series, problems: _Problems) -> None:
    """referral_ended must be the same on every row of a referral."""
    if not len(ids):
        return
    rows = np.flatnonzero(usable)
    yes = np.bincount(codes[rows], weights=truth[rows], minlength=len(ids))
    all_ = np.bincount(codes[rows], minlength=len(ids))
    mixed = (yes > 0) & (yes < all_)
    if not mixed.any():
        return
    rows = rows[mixed[codes[rows]]]
    first = _first_rows(codes, rows, len(ids))
    for pos in rows:
        ref = codes[pos]
        head = first[ref]
        if truth[pos] != truth[head]:
            problems.items.append((int(pos), "referral_ended",
                                   f"referral {ids[ref]!r} has referral_ended {shown.iloc[pos]!r} here but "
                                   f"{shown.iloc[head]!r} on row {head + _ROW_OFFSET} (it must be the same "
                                   "on every row of a referral)"))


def _check_adsm(df: pd.DataFrame, codes, ids, problems: _Problems) -> dict[str, object]:
    adsm, missing, bad = _adsm_names(df["adsm"])
    problems.add(bad, "adsm", "unknown measure (known: " + ", ".join(instruments.adsm_names()) + ")")
    named = adsm >= 0
    if len(ids) and named.any():
        rows = np.flatnonzero(named & (codes >= 0))
        pairs = np.unique(codes[rows] * len(instruments.ADSMS) + adsm[rows])
        counts = np.bincount(pairs // len(instruments.ADSMS), minlength=len(ids))
        for ref in np.flatnonzero(counts > 1):
            where = rows[codes[rows] == ref]
            listed = "; ".join(
                f"{inst.name} on row{'s' if (adsm[where] == i).sum() > 1 else ''} "
                + ", ".join(str(p + _ROW_OFFSET) for p in where[adsm[where] == i])
                for i, inst in enumerate(instruments.ADSMS) if (adsm[where] == i).any())
            problems.items.append((int(where[0]), "adsm",
                                   f"referral {ids[ref]!r} names two different ADSMs ({listed}); a "
                                   "referral has one anxiety-disorder-specific measure"))
    out: dict[str, object] = {"adsm": pd.Categorical.from_codes(
        adsm, categories=list(instruments.adsm_names()))}
    if "adsm_score" not in df.columns:
        out["adsm_score"] = np.full(len(df), np.nan)
        return out
    score, _, not_number = _numbers(df["adsm_score"])
    problems.add(not_number, "adsm_score", "must be a number or empty")
    no_name = missing & ~np.isnan(score)
    problems.add(no_name, "adsm_score", "has a score but the adsm column is empty on this row", show=False)
    safe = np.where(named, adsm, 0)
    lo = np.array([i.score_min for i in instruments.ADSMS])[safe]
    hi = np.array([i.score_max for i in instruments.ADSMS])[safe]
    integer = np.array([i.integer_scores for i in instruments.ADSMS])[safe]
    wrong = named & _check_range(score, lo, hi, integer)
    for pos in np.flatnonzero(wrong):
        inst = instruments.ADSMS[adsm[pos]]
        whole = " (whole numbers)" if inst.integer_scores else ""
        problems.items.append((int(pos), "adsm_score", f"must be in {inst.name}'s range "
                               f"{inst.score_min:g}-{inst.score_max:g}{whole}, got {df['adsm_score'].iloc[pos]!r}"))
    out["adsm_score"] = np.where(wrong | no_name | ~named, np.nan, score)
    return out


def _contact_rules(rules: ContactRules | _HoldsContactRules) -> ContactRules:
    found = rules if isinstance(rules, ContactRules) else getattr(rules, "contacts", None)
    if not isinstance(found, ContactRules):
        raise ParameterError(f"rules must be a ContactRules or hold one as .contacts, got {type(rules).__name__}")
    return found


def _first_last(codes_sorted: np.ndarray, order: np.ndarray, usable_sorted: np.ndarray,
                scores: np.ndarray, numbers: np.ndarray, n_refs: int) -> dict[str, np.ndarray]:
    """First/last available score of each referral and the contact number each came from."""
    present = usable_sorted & ~np.isnan(scores[order])
    at = np.flatnonzero(present)
    group = codes_sorted[at]
    starts = np.ones(len(at), dtype=bool)
    starts[1:] = group[1:] != group[:-1]
    ends = np.ones(len(at), dtype=bool)
    ends[:-1] = starts[1:]
    out = {}
    for name, mask in (("first", starts), ("last", ends)):
        rows = order[at[mask]]
        value = np.full(n_refs, np.nan)
        value[group[mask]] = scores[rows]
        contact = np.zeros(n_refs, dtype=np.int64)
        contact[group[mask]] = numbers[rows]
        out[name] = value
        out[f"{name}_contact"] = pd.arrays.IntegerArray(contact, np.isnan(value))
    return out


def from_contacts(contacts: pd.DataFrame | ValidatedContacts,
                  rules: ContactRules | _HoldsContactRules = CONTACT_RULES) -> pd.DataFrame:
    """The episode table (DESIGN §3), one row per referral in ``referral_id`` order.

    ``contacts`` is a contact table (validated here; any problem raises :class:`InputError`
    listing every one) or a :class:`ValidatedContacts`. ``rules`` is a :class:`ContactRules` or
    ``outcomes.Rules`` (its ``.contacts`` is used).

    Columns: ``episode_id`` (the referral id), ``treatment_contacts``, ``attended_contacts`` (any
    type), ``phq9_first``, ``phq9_last``, ``gad7_first``, ``gad7_last``; with an ``adsm`` column
    also ``adsm`` (empty when none is named), ``adsm_first``, ``adsm_last``; with ``wsas`` also
    ``wsas_first``, ``wsas_last``; then ``referral_ended`` and the provenance columns
    ``<measure>_first_contact`` / ``<measure>_last_contact`` (the ``contact_number`` each score
    came from; empty when there is none).

    >>> contacts = pd.DataFrame({"referral_id": ["B", "B", "A"], "contact_number": [2, 1, 1],
    ...     "contact_type": ["treatment", "assessment", "assessment"], "attended": [1, 1, 1],
    ...     "phq9": [9, 15, 20], "gad7": [7, 11, 16], "referral_ended": ["no", "no", "yes"]})
    >>> from_contacts(contacts)[["episode_id", "treatment_contacts", "phq9_first", "phq9_last",
    ...                          "referral_ended"]]
      episode_id  treatment_contacts  phq9_first  phq9_last  referral_ended
    0          A                   0        20.0       20.0            True
    1          B                   1        15.0        9.0           False
    """
    chosen = _contact_rules(rules)
    checked = contacts if isinstance(contacts, ValidatedContacts) else validate_contacts(contacts)
    checked.raise_if_invalid()
    table, order = checked.table, checked.order
    ids = table["referral_id"].cat.categories
    codes = table["referral_id"].cat.codes.to_numpy().astype(np.int64, copy=False)
    n_refs = len(ids)
    kind = table["contact_type"].cat.codes.to_numpy()
    attended = table["attended"].to_numpy(dtype=bool)
    numbers = table["contact_number"].to_numpy()

    treatment = attended & (kind == _TREATMENT)
    if chosen.assessment_counts_as_treatment:
        treatment |= attended & (kind == _ASSESSMENT)
    usable = attended & (kind == _TREATMENT)
    if chosen.first_score_from_assessment:
        usable |= attended & (kind == _ASSESSMENT)
    codes_sorted = codes[order]
    usable_sorted = usable[order]

    out: dict[str, object] = {
        "episode_id": np.asarray(ids, dtype=object),
        "treatment_contacts": np.bincount(codes[treatment], minlength=n_refs),
        "attended_contacts": np.bincount(codes[attended], minlength=n_refs),
    }
    measures = ["phq9", "gad7"]
    if "adsm_score" in table.columns:
        measures.append("adsm")
    if "wsas" in table.columns:
        measures.append("wsas")
    provenance: dict[str, object] = {}
    for measure in measures:
        column = "adsm_score" if measure == "adsm" else measure
        found = _first_last(codes_sorted, order, usable_sorted, table[column].to_numpy(dtype=float),
                            numbers, n_refs)
        if measure == "adsm":
            named = table["adsm"].cat.codes.to_numpy()
            which = np.full(n_refs, -1, dtype=np.int8)
            which[codes[named >= 0]] = named[named >= 0]
            out["adsm"] = pd.Categorical.from_codes(which, categories=list(instruments.adsm_names()))
        out[f"{measure}_first"], out[f"{measure}_last"] = found["first"], found["last"]
        provenance[f"{measure}_first_contact"] = found["first_contact"]
        provenance[f"{measure}_last_contact"] = found["last_contact"]
    ended = np.zeros(n_refs, dtype=bool)
    ended[codes] = table["referral_ended"].to_numpy(dtype=bool)
    out["referral_ended"] = ended
    out.update(provenance)
    return pd.DataFrame(out)


def read_contact_csv(path: str | Path) -> pd.DataFrame:
    """Read a contact CSV as text cells (validation, not the reader, decides what is wrong).

    UTF-8 (with or without Excel's byte-order mark) or Windows-1252; comma- or semicolon-separated.
    Blank lines in the middle are kept so row numbers match the spreadsheet (header = row 1).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_bytes(b"\\xef\\xbb\\xbfreferral_id;contact_number\\r\\nR1;1\\r\\n")
    >>> read_contact_csv(path).to_dict("list")
    {'referral_id': ['R1'], 'contact_number': ['1']}
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(None, None, f"{path}: no such file"))
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(Problem(None, None, f"{path}: the file is empty"))
    if b"\x00" in raw[:4096] or raw[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF"):
        raise InputError(Problem(None, None, f"{path}: this is not a CSV file; save it from your "
                                 "spreadsheet as 'CSV UTF-8'"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    header = text.splitlines()[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            index_col=False, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error, pd.errors.EmptyDataError) as err:
        detail = str(err).replace("\n", " ")
        raise InputError(Problem(None, None, f"{path}: not a well-formed CSV file ({detail})")) from None
    table.columns = [str(c).strip() for c in table.columns]
    blank = (table.apply(lambda col: col.str.strip()) == "").all(axis="columns").to_numpy()
    keep = len(blank) - int(np.argmin(blank[::-1])) if not blank.all() else 0
    return table.iloc[:keep]
