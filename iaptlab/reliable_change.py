"""Reliable change, for any questionnaire (this module knows nothing of IAPT).

Cut-offs a/b/c and the clinical-significance categories that build on it live in
:mod:`iaptlab.clinical_significance`.

Formulas follow Jacobson & Truax (1991) and the regression-to-the-mean-aware variants as implemented
in the R package *clinicalsignificance* (GitHub pedscience/clinicalsignificance, files
``R/calc_rci_{jt,gln,hll,en,nk,ha}.R`` and ``R/rci-utils.R``; source ids ``jacobson_truax_1991``
and ``clinicalsignificance_r_package`` in ``data/sources.toml``). Every RCI here has the sign of ``post - pre``: on a
lower-is-better scale a negative RCI is a fall in symptoms.

>>> round(float(rci(20, 12, sd_pre=5, reliability=0.84)[0]), 4)  # -8 / (sqrt(2) * 5 * 0.4)
-2.8284
>>> change_category([-2.83, 0.5, 2.0], better="lower").tolist()
['improved', 'unchanged', 'deteriorated']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import Literal

import numpy as np
import pandas as pd

from .errors import InputError, ParameterError, Problem

__all__ = ["MISSING", "REQUIRED_PARAMETERS", "Direction", "Method", "change_category",
           "critical_value", "difference_reliability", "rci", "reliable_change_threshold"]

Direction = Literal["lower", "higher"]
Method = Literal["JT", "GLN", "HLL", "EN", "NK", "HA"]

#: Category label given to a person whose pre or post score (hence RCI) is missing.
MISSING = "missing"

#: The parameters each method needs beyond ``sd_pre`` and ``reliability`` (which all need).
REQUIRED_PARAMETERS: dict[str, tuple[str, ...]] = {
    "JT": (),
    "GLN": ("m_pre",),
    "HLL": ("m_pre", "m_post"),
    "EN": ("m_pre",),
    "NK": ("m_pre",),
    "HA": ("m_pre", "m_post", "sd_post", "r_prepost"),
}


def _scores(values, name: str) -> np.ndarray:
    """Array-like of scores -> float array (missing -> NaN); non-numeric, complex or infinite -> InputError."""
    if isinstance(values, str | bytes):
        raise InputError(Problem(None, name, f"must be numeric scores, got the text {values!r}"))
    raw = values.to_numpy() if isinstance(values, pd.Series | pd.Index) else np.asarray(values)
    if raw.dtype.kind == "c" or (raw.dtype == object and any(isinstance(v, complex) for v in raw.ravel())):
        flat = raw.ravel()
        bad = [i for i, v in enumerate(flat) if isinstance(v, complex | np.complexfloating)]
        raise InputError([Problem(i + 2, name, f"must be a real number, got {flat[i]} (a complex number)")
                          for i in bad])
    try:
        if isinstance(values, pd.Series | pd.Index):
            array = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(Problem(None, name, f"must be numeric scores ({exc})")) from exc
    array = np.atleast_1d(array)
    infinite = np.flatnonzero(np.isinf(array))
    if infinite.size:
        raise InputError([Problem(int(i) + 2, name, "score is infinite") for i in infinite])
    return array


def _paired(pre, post) -> tuple[np.ndarray, np.ndarray]:
    """Pre and post as float arrays of one shape. Two pandas inputs must share their index: pairs
    are matched by position, so differing indexes are refused rather than silently mismatched."""
    indexed = (pd.Series, pd.Index, pd.DataFrame)
    if isinstance(pre, indexed) and isinstance(post, indexed) and not isinstance(pre, pd.Index) \
            and not isinstance(post, pd.Index) and not pre.index.equals(post.index):
        raise InputError(Problem(None, "post", "its index differs from pre's, so the pairs are ambiguous; "
                                 "align them first, e.g. post.reindex(pre.index)"))
    pre_array, post_array = _scores(pre, "pre"), _scores(post, "post")
    if pre_array.shape != post_array.shape and 1 not in (pre_array.size, post_array.size):
        raise InputError(
            Problem(None, "post", f"has {post_array.size} scores but pre has {pre_array.size}")
        )
    return np.broadcast_arrays(pre_array, post_array)


def _number(name: str, value) -> float:
    """A finite real number, or ParameterError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    return float(value)


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _reliability(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    if not 0 <= value < 1:
        raise ParameterError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def _direction(better: str) -> int:
    """+1 when higher scores are better, -1 when lower scores are better."""
    signs = {"lower": -1, "higher": 1}
    if better not in signs:
        raise ParameterError(f"better must be 'lower' or 'higher', got {better!r}")
    return signs[better]


def _jt(pre, post, p):
    return (post - pre) / (math.sqrt(2) * p["se"])


def _gln(pre, post, p):
    r, m_pre = p["reliability"], p["m_pre"]
    return ((post - m_pre) - r * (pre - m_pre)) / (p["sd_pre"] * math.sqrt(1 - r**2))


def _hll(pre, post, p):
    r = p["reliability"]
    return ((post - p["m_post"]) - r * (pre - p["m_pre"])) / (p["sd_pre"] * math.sqrt(1 - r**2))


def _en(pre, post, p):
    pre_true = p["reliability"] * (pre - p["m_pre"]) + p["m_pre"]
    return (post - pre_true) / p["se"]


def _nk(pre, post, p):
    r_pre, sd = p["reliability"], p["sd_pre"]
    r_post = p["reliability"] if p["reliability_post"] is None else p["reliability_post"]
    pre_true = r_pre * (pre - p["m_pre"]) + p["m_pre"]
    return (post - pre_true) / math.sqrt(r_pre**2 * sd**2 * (1 - r_pre) + sd**2 * (1 - r_post))


def difference_reliability(sd_pre, reliability, sd_post, r_prepost, reliability_post=None) -> float:
    """Reliability of difference scores r_dd as Hageman & Arrindell (1999) define it.

    r_dd = (sd_pre² r_pre + sd_post² r_post − 2 sd_pre sd_post r_prepost)
           / (sd_pre² + sd_post² − 2 sd_pre sd_post r_prepost).
    When ``reliability_post`` is None it is derived as the R package does, keeping the standard
    error of measurement SE = sd_pre·√(1 − r) the same at both occasions: r_post = 1 − SE²/sd_post².

    >>> round(difference_reliability(5, 0.84, 5, 0.5), 6)  # (21 + 21 - 25) / (25 + 25 - 25)
    0.68
    """
    sd_pre, sd_post = _positive("sd_pre", sd_pre), _positive("sd_post", sd_post)
    reliability = _reliability("reliability", reliability)
    r_prepost = _number("r_prepost", r_prepost)
    if not -1 <= r_prepost <= 1:
        raise ParameterError(f"r_prepost must be in [-1, 1], got {r_prepost!r}")
    if reliability_post is None:
        reliability_post = 1 - sd_pre**2 * (1 - reliability) / sd_post**2
        if reliability_post < 0:
            raise ParameterError(
                f"sd_post={sd_post} is smaller than the standard error of measurement, so the "
                "derived post reliability is negative; give reliability_post"
            )
    reliability_post = _reliability("reliability_post", reliability_post)
    covariance = 2 * sd_pre * sd_post * r_prepost
    denominator = sd_pre**2 + sd_post**2 - covariance
    numerator = sd_pre**2 * reliability + sd_post**2 * reliability_post - covariance
    if denominator <= 0 or numerator <= 0:
        raise ParameterError(
            "r_prepost, sd_pre and sd_post leave the difference scores no reliable variance "
            f"(r_dd numerator {numerator:.4g}, denominator {denominator:.4g}); HA's RC is undefined"
        )
    return numerator / denominator


def _ha(pre, post, p):
    r_dd = difference_reliability(
        p["sd_pre"], p["reliability"], p["sd_post"], p["r_prepost"], p["reliability_post"]
    )
    mean_change = p["m_post"] - p["m_pre"]
    return ((post - pre) * r_dd + mean_change * (1 - r_dd)) / (
        math.sqrt(r_dd) * math.sqrt(2) * p["se"]
    )


_FORMULAS: dict[str, Callable] = {
    "JT": _jt, "GLN": _gln, "HLL": _hll, "EN": _en, "NK": _nk, "HA": _ha,
}


def rci(
    pre,
    post,
    *,
    method: Method = "JT",
    sd_pre: float,
    reliability: float,
    m_pre: float | None = None,
    m_post: float | None = None,
    sd_post: float | None = None,
    reliability_post: float | None = None,
    r_prepost: float | None = None,
) -> np.ndarray:
    """Reliable change index of each person, sign of ``post - pre``; NaN in gives NaN out.

    SE = sd_pre·√(1 − r) is the standard error of measurement. Methods (all as in the R package
    *clinicalsignificance*, files R/calc_rci_*.R; clinicalsignificance_r_package):

    - ``JT`` Jacobson & Truax (1991): (post − pre) / (√2·SE).
    - ``GLN`` Gulliksen–Lord–Novick (Hsu 1989, 1995): [(post − m_pre) − r(pre − m_pre)] /
      (sd_pre·√(1 − r²)).
    - ``HLL`` Hsu–Linn–Lord (Hsu 1989): [(post − m_post) − r(pre − m_pre)] / (sd_pre·√(1 − r²)),
      i.e. GLN with the post mean subtracted from post.
    - ``EN`` Edwards–Nunnally, Speer's (1992) reformulation: (post − pre_true) / SE with the
      true-score estimate pre_true = r(pre − m_pre) + m_pre.
    - ``NK`` Nunnally & Kotsch (1983): (post − pre_true) / √(r_pre²·sd_pre²·(1 − r_pre) +
      sd_pre²·(1 − r_post)), the standard error of the predicted-true-score difference;
      ``reliability_post`` defaults to ``reliability`` (as the package does).
    - ``HA`` Hageman & Arrindell (1999): [(post − pre)·r_dd + (m_post − m_pre)(1 − r_dd)] /
      (√r_dd·√2·SE), r_dd from :func:`difference_reliability`. The package judges HA one-sided
      (critical 1.645, see :func:`critical_value`).

    Required parameters per method are in ``REQUIRED_PARAMETERS``; a missing one raises
    ParameterError naming it and the method. Parameters a method does not use are ignored, so one
    set of keyword arguments can be passed to every method.

    >>> rci([20, 20], [12, float("nan")], sd_pre=5, reliability=0.84).round(3).tolist()
    [-2.828, nan]
    >>> float(rci(20, 12, method="GLN", sd_pre=5, reliability=0.6, m_pre=15)[0])  # (-3 - 3) / 4
    -1.5
    """
    if method not in _FORMULAS:
        raise ParameterError(f"method must be one of {sorted(_FORMULAS)}, got {method!r}")
    given = {
        "m_pre": m_pre, "m_post": m_post, "sd_post": sd_post,
        "r_prepost": r_prepost, "reliability_post": reliability_post,
    }
    for name in REQUIRED_PARAMETERS[method]:
        if given[name] is None:
            raise ParameterError(f"method {method} needs {name}, which was not given")
    sd_pre = _positive("sd_pre", sd_pre)
    reliability = _reliability("reliability", reliability)
    if method == "NK" and reliability_post is not None:
        _reliability("reliability_post", reliability_post)
    for name in ("m_pre", "m_post", "sd_post", "r_prepost", "reliability_post"):
        if given[name] is not None:
            given[name] = _number(name, given[name])
    pre_array, post_array = _paired(pre, post)
    parameters = {
        **given, "sd_pre": sd_pre, "reliability": reliability,
        "se": sd_pre * math.sqrt(1 - reliability),
    }
    return np.asarray(_FORMULAS[method](pre_array, post_array, parameters), dtype=float)


def critical_value(alpha: float = 0.05, *, sides: Literal[1, 2] = 2) -> float:
    """Standard-normal critical value for significance level ``alpha`` (two- or one-sided).

    >>> round(critical_value(0.05), 4), round(critical_value(0.05, sides=1), 4)
    (1.96, 1.6449)
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1), got {alpha!r}")
    if sides not in (1, 2):
        raise ParameterError(f"sides must be 1 or 2, got {sides!r}")
    return NormalDist().inv_cdf(1 - alpha / sides)


def change_category(
    rci,
    *,
    better: Direction = "lower",
    alpha: float = 0.05,
    critical: float | None = None,
    inclusive: bool = False,
) -> np.ndarray:
    """Label each RCI "improved", "unchanged" or "deteriorated"; a NaN RCI is labelled "missing".

    ``critical`` defaults to the two-sided normal quantile for ``alpha`` (1.96 for 0.05).
    ``inclusive=False`` (Jacobson & Truax's wording, the default) needs |RCI| > critical;
    ``inclusive=True`` accepts |RCI| >= critical. Returns an object array of strings.

    >>> change_category([-2.0, 2.0, float("nan")], critical=2.0, inclusive=True).tolist()
    ['improved', 'deteriorated', 'missing']
    >>> change_category([-2.0, 2.0], critical=2.0).tolist()
    ['unchanged', 'unchanged']
    """
    sign = _direction(better)
    if critical is None:
        critical = critical_value(alpha)
    critical = _positive("critical", critical)
    toward_better = sign * _scores(rci, "rci")
    beyond = np.greater_equal if inclusive else np.greater
    labels = np.select(
        [np.isnan(toward_better), beyond(toward_better, critical), beyond(-toward_better, critical)],
        [MISSING, "improved", "deteriorated"],
        default="unchanged",
    )
    return labels.astype(object)


def _parameter_array(name: str, values) -> np.ndarray:
    """A number or array-like of numbers as a float array, or ParameterError naming ``name``."""
    raw = np.asarray(values)
    if raw.dtype.kind not in "iuf" or raw.dtype == bool:
        raise ParameterError(f"{name} must be a number or numbers, got {values!r}")
    return raw.astype(float)


def reliable_change_threshold(sd, reliability, critical: float | None = None):
    """Smallest change in score points that is reliable: critical·√2·sd·√(1 − r).

    Vectorised over ``sd`` and ``reliability``; ``critical`` defaults to :func:`critical_value`
    (1.96, two-sided 5%). Jacobson & Truax's (1991) formula (jacobson_truax_1991); own
    arithmetic: SD 6, r .89 -> 5.52 points.

    >>> round(reliable_change_threshold(6, 0.89), 2), round(reliable_change_threshold(5, 0.92), 2)
    (5.52, 3.92)
    """
    sd_array = _parameter_array("sd", sd)
    r_array = _parameter_array("reliability", reliability)
    if sd_array.ndim and r_array.ndim and sd_array.shape != r_array.shape \
            and 1 not in (sd_array.size, r_array.size):
        raise ParameterError(f"sd has {sd_array.size} values but reliability has {r_array.size}; give one "
                             "value or the same number of values for each")
    if np.any(~(sd_array > 0)) or np.any(~np.isfinite(sd_array)):
        raise ParameterError(f"sd must be finite and > 0, got {sd!r}")
    if np.any(~((r_array >= 0) & (r_array < 1))):
        raise ParameterError(f"reliability must be in [0, 1), got {reliability!r}")
    critical = _positive("critical", critical_value() if critical is None else critical)
    threshold = critical * math.sqrt(2) * sd_array * np.sqrt(1 - r_array)
    return float(threshold) if threshold.ndim == 0 else threshold
