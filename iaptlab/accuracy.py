"""Agreement between a test (e.g. questionnaire caseness) and a reference (e.g. a blind interview).

The 2×2 table, sensitivity, specificity, predictive values, accuracy, prevalence and Cohen's kappa
with a confidence interval; predictive values as functions of prevalence; and the published
accuracy of PHQ-9 and GAD-7 against diagnostic interviews (``shared/research/domain.md`` §2.3, §6,
figures marked [C] only).

>>> result = agreement([True, True, False, False], [True, False, False, False])
>>> (result.tp, result.fp, result.fn, result.tn), result.sensitivity, result.specificity
((1, 1, 0, 2), 1.0, 0.6666666666666666)
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType

import numpy as np
import pandas as pd

from .errors import InputError, ParameterError, Problem


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when the denominator is 0 (never an exception)."""
    return float(numerator / denominator) if denominator else float("nan")


def _booleans(values, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Array-like of booleans (0/1 allowed) -> (values, missing); anything else -> InputError."""
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


@dataclass(frozen=True)
class PublishedAccuracy:
    """Sensitivity and specificity of a questionnaire cut-off against an interview, as published."""

    instrument: str
    cutoff: int
    comparison: str
    reference_standard: str
    sensitivity: float
    specificity: float
    sensitivity_ci: tuple[float, float] | None
    specificity_ci: tuple[float, float] | None
    sample: str
    source: str


#: [C] figures from domain.md §2.3 and §6 only; keys are ``author_year_instrument_cutoff``.
PUBLISHED_ACCURACY = MappingProxyType({
    "levis2019_phq9_10": PublishedAccuracy(
        "PHQ-9", 10, ">=", "semi-structured diagnostic interviews (major depression)",
        0.88, 0.85, (0.83, 0.92), (0.82, 0.88),
        "individual-participant meta-analysis; 29 studies, 6,725 participants with "
        "semi-structured interviews",
        "Levis, Benedetti & Thombs for DEPRESSD (2019). BMJ 365:l1476",
    ),
    "kroenke2001_phq9_10": PublishedAccuracy(
        "PHQ-9", 10, ">=", "independent structured mental-health-professional interview "
        "(major depression)", 0.88, 0.88, None, None,
        "580 primary-care and obstetrics-gynaecology patients interviewed",
        "Kroenke, Spitzer & Williams (2001). J Gen Intern Med 16:606-613",
    ),
    "spitzer2006_gad7_10": PublishedAccuracy(
        "GAD-7", 10, ">=", "telephone mental-health-professional interview (GAD)",
        0.89, 0.82, None, None,
        "965 US primary-care patients interviewed",
        "Spitzer, Kroenke, Williams & Lowe (2006). Arch Intern Med 166:1092-1097",
    ),
    "plummer2016_gad7_8": PublishedAccuracy(
        "GAD-7", 8, ">=", "diagnostic interviews (GAD)",
        0.83, 0.84, (0.71, 0.91), (0.70, 0.92),
        "meta-analysis; 11 samples on GAD-7 for GAD (5,223 participants in 12 samples)",
        "Plummer, Manea, Trepel & McMillan (2016). Gen Hosp Psychiatry 39:24-31",
    ),
    "pmc2906530_phq9_10": PublishedAccuracy(
        "PHQ-9", 10, ">=", "CIDI (fully structured interview; major depression)",
        0.74, 0.91, None, None,
        "2,642 Auckland family-practice patients",
        "PMC2906530 (Auckland family practices vs CIDI; attribution to Arroll et al. 2010, "
        "Ann Fam Med, is unconfirmed)",
    ),
})


def published(name: str) -> PublishedAccuracy:
    """One published accuracy figure by key (case-insensitive); unknown key -> ParameterError.

    >>> published("levis2019_phq9_10").sensitivity
    0.88
    """
    key = name.lower()
    if key not in PUBLISHED_ACCURACY:
        raise ParameterError(f"name must be one of {sorted(PUBLISHED_ACCURACY)}, got {name!r}")
    return PUBLISHED_ACCURACY[key]
