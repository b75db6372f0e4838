"""Agreement between a test (e.g. questionnaire caseness) and a reference (e.g. a blind interview).

The 2×2 table, sensitivity, specificity, predictive values, accuracy, prevalence and Cohen's kappa
with a confidence interval; the Wilson interval of a proportion; predictive values as functions
of prevalence; and the published accuracy of PHQ-9 and GAD-7 against diagnostic interviews, read
from the bundled dataset ``instrument_accuracy`` (confirmed rows only; sources in its card).

>>> result = agreement([True, True, False, False], [True, False, False, False])
>>> (result.tp, result.fp, result.fn, result.tn), result.sensitivity, result.specificity
((1, 1, 0, 2), 1.0, 0.6666666666666666)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from types import MappingProxyType

import numpy as np
import pandas as pd

from . import datasets
from .errors import InputError, ParameterError, Problem

__all__ = ["Agreement", "PublishedAccuracy", "agreement", "predictive_values", "published",
           "published_accuracy", "wilson_interval"]


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when the denominator is 0 (never an exception)."""
    return float(numerator / denominator) if denominator else float("nan")


def _booleans(values, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Array-like of booleans (0/1 allowed) -> (values, missing); anything else -> InputError."""
    if isinstance(values, np.ndarray) and values.dtype == bool:  # nothing to check or miss
        return values.copy(), np.zeros(len(values), dtype=bool)
    if isinstance(values, pd.arrays.BooleanArray):  # True/False or missing by construction
        return values.to_numpy(dtype=bool, na_value=False), values.isna()
    series = pd.Series(list(values) if not hasattr(values, "__len__") else values, dtype=object)
    series = series.reset_index(drop=True)
    missing = series.isna().to_numpy()
    valid = series[~missing].isin([True, False]).to_numpy()
    if not valid.all():
        positions = np.flatnonzero(~missing)[~valid]
        raise InputError([
            Problem(int(i) + 2, name, f"must be True/False (or 1/0) or missing, got {series[i]!r}")
            for i in positions
        ])
    flags = np.zeros(len(series), dtype=bool)
    flags[~missing] = series[~missing].astype(bool).to_numpy()
    return flags, missing


@dataclass(frozen=True)
class Agreement:
    """A 2×2 agreement table and its summary statistics (NaN where a denominator is 0).

    Kappa's standard error is the large-sample (non-null) SE of Fleiss, Cohen & Everitt (1969),
    *Psychological Bulletin* 72:323–327; the CI is kappa ± z·SE with z the normal quantile for
    ``confidence`` (Wald interval, not truncated to [-1, 1]; unreliable for small n).
    """

    tp: int
    fp: int
    fn: int
    tn: int
    n_excluded: int
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    accuracy: float
    prevalence: float
    cohen_kappa: float
    kappa_se: float
    kappa_ci_low: float
    kappa_ci_high: float
    confidence: float = 0.95

    @property
    def n(self) -> int:
        """People in the table (after excluding those missing on either side)."""
        return self.tp + self.fp + self.fn + self.tn

    def table(self) -> pd.DataFrame:
        """The 2×2 table with totals, rows = test, columns = reference, for display.

        >>> agreement([True, False], [True, True]).table()
                reference +  reference -  total
        test +            1            0      1
        test -            1            0      1
        total             2            0      2
        """
        counts = np.array([[self.tp, self.fp], [self.fn, self.tn]])
        with_totals = np.vstack([np.column_stack([counts, counts.sum(axis=1)]),
                                 np.append(counts.sum(axis=0), counts.sum())])
        return pd.DataFrame(with_totals, index=["test +", "test -", "total"],
                            columns=["reference +", "reference -", "total"])


def _kappa_with_se(tp: int, fp: int, fn: int, tn: int) -> tuple[float, float]:
    """Cohen's kappa and its Fleiss–Cohen–Everitt (1969) large-sample SE for a 2×2 table.

    With cell proportions p_ij (i = test, j = reference), margins p_i. and p_.j, p_o = Σ p_ii,
    p_e = Σ p_i. p_.i and κ = (p_o − p_e)/(1 − p_e):
    Var(κ) = [Σ_i p_ii (1 − (p_i. + p_.i)(1 − κ))² + (1 − κ)² Σ_{i≠j} p_ij (p_.i + p_j.)²
              − (κ − p_e(1 − κ))²] / (n (1 − p_e)²).
    """
    n = tp + fp + fn + tn
    if n == 0:
        return float("nan"), float("nan")
    p = np.array([[tp, fp], [fn, tn]], dtype=float) / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o, p_e = np.trace(p), float(rows @ cols)
    if p_e == 1:
        return float("nan"), float("nan")
    kappa = (p_o - p_e) / (1 - p_e)
    diagonal = np.sum(np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2)
    off_weights = (cols[:, None] + rows[None, :]) ** 2  # (p_.i + p_j.)² for cell (i, j)
    off_diagonal = (1 - kappa) ** 2 * np.sum((p * off_weights)[~np.eye(2, dtype=bool)])
    variance = (diagonal + off_diagonal - (kappa - p_e * (1 - kappa)) ** 2) / (n * (1 - p_e) ** 2)
    return float(kappa), float(np.sqrt(max(variance, 0.0)))


def agreement(test, reference, *, confidence: float = 0.95) -> Agreement:
    """Cross-tabulate a binary test against a binary reference standard.

    People missing on either side are left out and counted in ``n_excluded``. Values must be
    True/False (or 1/0); anything else raises InputError naming the row (header = row 1) and
    whether it is the ``test`` or ``reference`` column.

    >>> a = agreement([1, 1, 0, 0, None], [1, 0, 0, 0, 1])
    >>> a.n, a.n_excluded, round(a.cohen_kappa, 3)  # po = 3/4, pe = (2*1 + 2*3)/16 = .5
    (4, 1, 0.5)
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be in (0, 1), got {confidence!r}")
    test_flags, test_missing = _booleans(test, "test")
    reference_flags, reference_missing = _booleans(reference, "reference")
    if len(test_flags) != len(reference_flags):
        raise InputError(Problem(None, "reference", f"has {len(reference_flags)} values but test "
                                                    f"has {len(test_flags)}"))
    used = ~(test_missing | reference_missing)
    t, r = test_flags[used], reference_flags[used]
    tp, fp = int(np.sum(t & r)), int(np.sum(t & ~r))
    fn, tn = int(np.sum(~t & r)), int(np.sum(~t & ~r))
    n = tp + fp + fn + tn
    kappa, se = _kappa_with_se(tp, fp, fn, tn)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return Agreement(
        tp=tp, fp=fp, fn=fn, tn=tn, n_excluded=int(np.sum(~used)),
        sensitivity=_ratio(tp, tp + fn), specificity=_ratio(tn, tn + fp),
        ppv=_ratio(tp, tp + fp), npv=_ratio(tn, tn + fn),
        accuracy=_ratio(tp + tn, n), prevalence=_ratio(tp + fn, n),
        cohen_kappa=kappa, kappa_se=se, kappa_ci_low=kappa - z * se, kappa_ci_high=kappa + z * se,
        confidence=confidence,
    )


def _probability(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number in [0, 1], got {value!r}") from exc
    if not np.all((array >= 0) & (array <= 1)):
        raise ParameterError(f"{name} must be in [0, 1], got {value!r}")
    return array


def predictive_values(sensitivity: float, specificity: float, prevalence) -> pd.DataFrame:
    """PPV and NPV implied by a test's sensitivity and specificity at each prevalence (Bayes).

    PPV = se·p / (se·p + (1 − sp)(1 − p)); NPV = sp(1 − p) / (sp(1 − p) + (1 − se)p);
    NaN where a denominator is 0 (e.g. PPV of a test that never says "yes").

    >>> predictive_values(0.88, 0.85, [0.1, 0.5]).round(3)
       prevalence    ppv    npv
    0         0.1  0.395  0.985
    1         0.5  0.854  0.876
    """
    se = _probability("sensitivity", sensitivity)
    sp = _probability("specificity", specificity)
    p = np.atleast_1d(_probability("prevalence", prevalence))
    true_positive, false_positive = se * p, (1 - sp) * (1 - p)
    true_negative, false_negative = sp * (1 - p), (1 - se) * p
    with np.errstate(divide="ignore", invalid="ignore"):
        ppv = true_positive / (true_positive + false_positive)
        npv = true_negative / (true_negative + false_negative)
    return pd.DataFrame({"prevalence": p, "ppv": ppv, "npv": npv})


def wilson_interval(successes: int, k: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / k`` (95% by default).

    >>> [round(x, 3) for x in wilson_interval(9, 90)]
    [0.054, 0.179]
    >>> wilson_interval(0, 10)[0]
    0.0
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be in (0, 1), got {confidence!r}")
    if not (isinstance(k, int | np.integer) and k >= 1 and 0 <= successes <= k):
        raise ParameterError(f"need 0 <= successes <= k and k >= 1, got successes={successes!r}, "
                             f"k={k!r}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p, z2 = successes / k, z * z
    centre = (p + z2 / (2 * k)) / (1 + z2 / k)
    half = z / (1 + z2 / k) * math.sqrt(p * (1 - p) / k + z2 / (4 * k * k))
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exactly 0 and 1 at the edges,
    high = 1.0 if successes == k else min(1.0, centre + half)  # not 1e-17 of rounding error
    return low, high


@dataclass(frozen=True)
class PublishedAccuracy:
    """Sensitivity and specificity of a questionnaire cut-off against an interview, as published.

    One confirmed row of the bundled dataset ``instrument_accuracy`` (proportions, not percent);
    ``source`` is its id in ``data/sources.toml``.
    """

    instrument: str
    cutoff: int
    comparison: str
    reference_standard: str
    sensitivity: float
    specificity: float
    sensitivity_ci: tuple[float, float] | None
    specificity_ci: tuple[float, float] | None
    setting: str
    n_participants: int | None
    source: str


def _interval(low: float, high: float) -> tuple[float, float] | None:
    return None if pd.isna(low) or pd.isna(high) else (low / 100, high / 100)


@cache
def published_accuracy() -> Mapping[str, PublishedAccuracy]:
    """Every confirmed [C] pooled sensitivity and specificity in the dataset ``instrument_accuracy``.

    Keys are ``source_instrument_cutoff`` (e.g. ``"levis_2019_phq9_10"``); rows without a pooled
    value, or not confirmed in the primary source, are left out. Read from ``data/`` once.

    >>> sorted(published_accuracy())[:2]
    ['arroll_2010_phq2_2', 'arroll_2010_phq2_3']
    """
    rows = datasets.load("instrument_accuracy")
    rows = rows[(rows["confidence"] == "C") & rows["sensitivity_pct"].notna()
                & rows["specificity_pct"].notna() & rows["cut_off"].notna()]
    figures = {}
    for row in rows.itertuples(index=False):
        key = f"{row.source}_{row.instrument.lower().replace('-', '')}_{int(row.cut_off)}"
        if key in figures:
            raise ParameterError(f"instrument_accuracy has two confirmed rows for {key}")
        figures[key] = PublishedAccuracy(
            instrument=row.instrument, cutoff=int(row.cut_off), comparison=">=",
            reference_standard=row.reference_standard,
            sensitivity=row.sensitivity_pct / 100, specificity=row.specificity_pct / 100,
            sensitivity_ci=_interval(row.sensitivity_ci_low_pct, row.sensitivity_ci_high_pct),
            specificity_ci=_interval(row.specificity_ci_low_pct, row.specificity_ci_high_pct),
            setting=row.setting,
            n_participants=None if pd.isna(row.n_participants) else int(row.n_participants),
            source=row.source)
    return MappingProxyType(figures)


def published(name: str) -> PublishedAccuracy:
    """One published accuracy figure by key (case-insensitive); unknown key -> ParameterError.

    >>> published("levis_2019_phq9_10").sensitivity
    0.88
    """
    figures = published_accuracy()
    key = name.lower()
    if key not in figures:
        raise ParameterError(f"name must be one of {sorted(figures)}, got {name!r}")
    return figures[key]
