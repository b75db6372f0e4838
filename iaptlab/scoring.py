"""Item responses to questionnaire totals, severity bands, caseness and the PHQ-9 item-9 flag.

Input is a wide table, one row per completed questionnaire, with item columns named
``<key>_1`` ... ``<key>_<n>`` (``phq9_1`` ... ``phq9_9``; ``gad7_1`` ... ``gad7_7``). Each item is
scored 0-3. Every invalid cell is reported with its row (spreadsheet numbering: header = row 1)
and column.

Missing items follow an explicit policy (``missing=``):

- ``"none"`` (default): any missing item makes the total missing. Nothing is guessed.
- ``"prorate"``: if exactly one item is missing it is replaced by the mean of the answered items,
  so the total is ``sum * n_items / (n_items - 1)``, rounded to the nearest whole point (halves
  up); two or more missing items make the total missing. This is the rule of the REEACT-2 trial
  (Brabyn et al., 2016, *Health Technology Assessment* 20(89)): "If one item was missing it was
  replaced with the mean of the other eight, but if two or more items were missing, then the
  whole questionnaire was treated as missing". The rounding is iaptlab's choice (the source does
  not say). No official IAPT rule for missing items was found (source id: brabyn_2016).

>>> import pandas as pd
>>> answers = pd.DataFrame([[1, 2, 1, 2, 1, 1, 1, 0, 1]], columns=[f"phq9_{i}" for i in range(1, 10)])
>>> row = score(answers, "PHQ-9").iloc[0]
>>> int(row["total"]), row["band"], bool(row["caseness"]), bool(row["item9_flag"])
(10, 'moderate', True, True)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from . import instruments
from .errors import InputError, Problem
from .instruments import Instrument

__all__ = ["MissingPolicy", "band", "caseness", "item_columns", "score", "totals"]

MissingPolicy = Literal["none", "prorate"]


def item_columns(instrument: Instrument | str) -> list[str]:
    """The item column names expected for ``instrument``.

    >>> item_columns("GAD-7")[:2]
    ['gad7_1', 'gad7_2']
    """
    inst = instruments.lookup(instrument)
    if not inst.items:
        raise InputError(Problem(None, None, f"{inst.name} has no item-level scoring in iaptlab"))
    return [f"{inst.key}_{i}" for i in range(1, len(inst.items) + 1)]


def _index_of(values: object) -> pd.Index | None:
    """The pandas index of a Series, or None for a list or array (whose ``.index`` is a method)."""
    return values.index if isinstance(values, pd.Series | pd.DataFrame) else None


def _shown(value: object) -> str:
    """A cell as a user would recognise it: text quoted, numbers plain."""
    return repr(value) if isinstance(value, str) else str(value)


def _check_items(responses: pd.DataFrame, inst: Instrument) -> np.ndarray:
    """Item values as floats (NaN = missing); raise InputError listing every bad cell."""
    expected = item_columns(inst)
    problems = [Problem(None, c, "item column is missing") for c in expected if c not in responses.columns]
    prefix = f"{inst.key}_"
    problems += [Problem(None, str(c), f"unexpected item column for {inst.name} (expected {expected[0]}"
                         f" ... {expected[-1]})")
                 for c in responses.columns if str(c).startswith(prefix) and c not in expected]
    if problems:
        raise InputError(problems)
    values = np.empty((len(responses), len(expected)))
    for j, col in enumerate(expected):
        raw = responses[col]
        numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        present = raw.notna().to_numpy(dtype=bool) & (raw.astype("string").str.strip() != "").fillna(False).to_numpy(dtype=bool)
        with np.errstate(invalid="ignore"):
            bad = present & (np.isnan(numbers) | (numbers < inst.item_min) | (numbers > inst.item_max)
                             | (numbers != np.round(numbers)))
        problems += [Problem(int(p) + 2, col, f"must be a whole number {inst.item_min}-{inst.item_max}, "
                             f"got {_shown(raw.iloc[p])}") for p in np.flatnonzero(bad)]
        values[:, j] = np.where(present, numbers, np.nan)
    if problems:
        problems.sort(key=lambda p: (p.row, expected.index(p.column)))
        raise InputError(problems)
    return values


def totals(responses: pd.DataFrame, instrument: Instrument | str, *,
           missing: MissingPolicy = "none") -> pd.Series:
    """Total score per row (nullable integer; missing under the chosen policy).

    >>> import pandas as pd
    >>> one_missing = pd.DataFrame([[3, 3, 3, 3, 3, 3, None]], columns=item_columns("GAD-7"))
    >>> totals(one_missing, "GAD-7").tolist(), totals(one_missing, "GAD-7", missing="prorate").tolist()
    ([<NA>], [21])
    """
    inst = instruments.lookup(instrument)
    values = _check_items(responses, inst)
    n_items = values.shape[1]
    n_missing = np.isnan(values).sum(axis=1)
    answered_sum = np.nansum(values, axis=1)
    if missing == "none":
        total = np.where(n_missing == 0, answered_sum, np.nan)
    elif missing == "prorate":
        prorated = np.floor(answered_sum * n_items / (n_items - 1) + 0.5)
        total = np.select([n_missing == 0, n_missing == 1], [answered_sum, prorated], np.nan)
    else:
        raise InputError(Problem(None, None, f"missing must be 'none' or 'prorate', got {missing!r}"))
    return pd.Series(total, index=responses.index, name="total").astype("Int64")


def band(total: pd.Series | np.ndarray, instrument: Instrument | str) -> pd.Series:
    """Severity band label for each total (missing stays missing; outside the scale is an error).

    >>> band(pd.Series([4, 5, 27]), "PHQ-9").tolist()
    ['minimal', 'mild', 'severe']
    """
    inst = instruments.lookup(instrument)
    values = pd.Series(total).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        outside = (values < inst.score_min) | (values > inst.score_max)
    if outside.any():
        raise InputError([Problem(int(p) + 2, "total", f"{inst.name} totals run from {inst.score_min:g} to "
                                  f"{inst.score_max:g}, got {values[p]:g}") for p in np.flatnonzero(outside)])
    lows = np.array([b.low for b in inst.bands])
    labels = np.array([b.label for b in inst.bands], dtype=object)
    idx = np.clip(np.searchsorted(lows, values, side="right") - 1, 0, len(lows) - 1)
    out = np.where(np.isnan(values), None, labels[idx])
    return pd.Series(out, index=_index_of(total), name="band", dtype="object")


def caseness(total: pd.Series | np.ndarray, instrument: Instrument | str) -> pd.Series:
    """At or above the instrument's IAPT caseness threshold (missing stays missing).

    >>> caseness(pd.Series([7, 8]), "GAD-7").tolist()
    [False, True]
    """
    inst = instruments.lookup(instrument)
    values = pd.Series(total).to_numpy(dtype=float, na_value=np.nan)
    op = np.greater if inst.caseness_comparison == ">" else np.greater_equal
    with np.errstate(invalid="ignore"):
        met = op(values, inst.caseness)
    out = pd.array(met, dtype="boolean")
    out[np.isnan(values)] = pd.NA
    return pd.Series(out, index=_index_of(total), name="caseness")


def score(responses: pd.DataFrame, instrument: Instrument | str, *,
          missing: MissingPolicy = "none") -> pd.DataFrame:
    """Total, band and caseness per row; for PHQ-9 also ``item9_flag``.

    ``item9_flag`` is True when item 9 ("thoughts that you would be better off dead or of hurting
    yourself") is above 0, whatever the total: a service must then assess risk (IAPT practice as an IAPT-using trial
    describes it: nct03062202).
    A missing item 9 gives a missing flag, never False.
    """
    inst = instruments.lookup(instrument)
    total = totals(responses, inst, missing=missing)
    out = pd.DataFrame({"total": total, "band": band(total, inst), "caseness": caseness(total, inst)},
                       index=responses.index)
    out["items_missing"] = np.isnan(_check_items(responses, inst)).sum(axis=1)
    if inst is instruments.PHQ9:
        item9 = pd.to_numeric(responses["phq9_9"], errors="coerce")
        flag = pd.array(item9.to_numpy(dtype=float, na_value=np.nan) > 0, dtype="boolean")
        flag[item9.isna().to_numpy()] = pd.NA
        out["item9_flag"] = flag
    return out
