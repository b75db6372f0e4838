"""Jacobson & Truax cut-offs a/b/c and clinical-significance categories, for any questionnaire.

Builds on :mod:`iaptlab.reliable_change` (the RCI); sources as recorded there: Jacobson & Truax
(1991) (jacobson_truax_1991) and the R package *clinicalsignificance* (clinicalsignificance_r_package).

>>> c = cutoffs(32, 7, 10, 7)
>>> (c.a, c.b, c.c)
(18.0, 24.0, 21.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .errors import ParameterError
from .reliable_change import (
    MISSING,
    Direction,
    Method,
    _direction,
    _number,
    _paired,
    _positive,
    change_category,
    rci,
)

__all__ = ["Cutoffs", "clinical_significance", "cutoffs"]


@dataclass(frozen=True)
class Cutoffs:
    """Jacobson & Truax cut-offs a, b, c (None where the inputs do not allow one)."""

    a: float | None
    b: float | None
    c: float | None
    better: Direction
    b_sd: Literal["functional", "clinical"]


def cutoffs(
    m_clin: float,
    sd_clin: float,
    m_func: float | None = None,
    sd_func: float | None = None,
    *,
    better: Direction = "lower",
    b_sd: Literal["functional", "clinical"] = "functional",
) -> Cutoffs:
    """Cut-offs between the dysfunctional (clinical) and functional populations.

    For lower-is-better scores: a = M_clin − 2·SD_clin (leaving the clinical range),
    b = M_func + 2·SD (entering the functional range), c = (SD_func·M_clin + SD_clin·M_func) /
    (SD_func + SD_clin) (nearer the functional mean, weighting by spread). For higher-is-better
    scores the signs of a and b flip; c is unchanged. ``b_sd="functional"`` uses SD_func for b, as
    Jacobson & Truax define it; ``b_sd="clinical"`` uses SD_clin, reproducing the current R package
    (``.calc_cutoff_jt`` in R/calc_cutoff.R, and its vignette; an older package version used SD_func).

    >>> cutoffs(32, 7, 10, 7)  # the R package's vignette example (clinicalsignificance_r_package)
    Cutoffs(a=18.0, b=24.0, c=21.0, better='lower', b_sd='functional')
    """
    sign = _direction(better)
    if b_sd not in ("functional", "clinical"):
        raise ParameterError(f"b_sd must be 'functional' or 'clinical', got {b_sd!r}")
    sd_clin = _positive("sd_clin", sd_clin)
    m_clin = _number("m_clin", m_clin)
    if m_func is not None:
        m_func = _number("m_func", m_func)
    if sd_func is not None:
        sd_func = _positive("sd_func", sd_func)
    if m_func is not None and (not math.isfinite(m_func) or sign * (m_func - m_clin) <= 0):
        side = "below" if better == "lower" else "above"
        raise ParameterError(
            f"m_func must be {side} m_clin when better={better!r}; got m_func={m_func}, "
            f"m_clin={m_clin}"
        )
    a = m_clin + sign * 2 * sd_clin
    sd_for_b = sd_clin if b_sd == "clinical" else sd_func
    b = None if m_func is None or sd_for_b is None else m_func - sign * 2 * sd_for_b
    c = None
    if m_func is not None and sd_func is not None:
        c = (sd_func * m_clin + sd_clin * m_func) / (sd_func + sd_clin)
    return Cutoffs(a=float(a), b=None if b is None else float(b),
                   c=None if c is None else float(c), better=better, b_sd=b_sd)


def clinical_significance(
    pre,
    post,
    *,
    sd_pre: float,
    reliability: float,
    cutoff: float,
    better: Direction = "lower",
    method: Method = "JT",
    alpha: float = 0.05,
    critical: float | None = None,
    inclusive: bool = False,
    at_cutoff: Literal["dysfunctional", "functional"] = "dysfunctional",
    **method_parameters,
) -> pd.DataFrame:
    """Jacobson–Truax categories: recovered, improved, unchanged, deteriorated, harmed (or missing).

    - recovered: reliable improvement AND dysfunctional before AND functional after;
    - improved: reliable improvement without that crossing;
    - deteriorated: reliable worsening without crossing into the dysfunctional range;
    - harmed: reliable worsening AND functional before AND dysfunctional after;
    - unchanged: no reliable change; missing: pre or post missing.

    A score exactly at ``cutoff`` counts as dysfunctional by default (``at_cutoff``), like
    caseness "PHQ-9 >= 10". Reliable change comes from :func:`rci` (``method`` and
    ``method_parameters`` such as ``m_pre``) and :func:`change_category`. The observed score must
    also have moved the same way: nobody whose score got worse is called improved, even where a
    regression-to-the-mean-aware RCI points the other way (for JT the two always agree). Nothing
    is divided by the baseline, so a baseline of 0 is fine and a rise from 0 can only be
    "unchanged", "deteriorated" or "harmed".

    >>> clinical_significance([20, 12, 3], [8, 10, 13], sd_pre=5, reliability=0.84,
    ...                       cutoff=10)["category"].tolist()
    ['recovered', 'unchanged', 'harmed']
    """
    sign = _direction(better)
    if at_cutoff not in ("dysfunctional", "functional"):
        raise ParameterError(f"at_cutoff must be 'dysfunctional' or 'functional', got {at_cutoff!r}")
    if isinstance(cutoff, bool) or not isinstance(cutoff, int | float | np.number) \
            or not math.isfinite(cutoff):
        raise ParameterError(f"cutoff must be a finite number, got {cutoff!r}")
    pre_array, post_array = _paired(pre, post)
    index = pre.index if isinstance(pre, pd.Series) and len(pre) == len(pre_array) else None
    index_values = rci(pre_array, post_array, method=method, sd_pre=sd_pre,
                       reliability=reliability, **method_parameters)
    change = change_category(index_values, better=better, alpha=alpha, critical=critical,
                             inclusive=inclusive)
    observed = sign * (post_array - pre_array)  # > 0: the score moved the better way
    change = np.where((change == "improved") & ~(observed > 0), "unchanged", change)
    change = np.where((change == "deteriorated") & ~(observed < 0), "unchanged", change)

    worse_than_cutoff = np.less_equal if at_cutoff == "dysfunctional" else np.less
    dysfunctional_pre = worse_than_cutoff(sign * pre_array, sign * cutoff)
    dysfunctional_post = worse_than_cutoff(sign * post_array, sign * cutoff)
    category = np.select(
        [change == MISSING,
         (change == "improved") & dysfunctional_pre & ~dysfunctional_post,
         (change == "deteriorated") & ~dysfunctional_pre & dysfunctional_post],
        [MISSING, "recovered", "harmed"],
        default=change,
    )
    missing_pre, missing_post = np.isnan(pre_array), np.isnan(post_array)
    return pd.DataFrame(
        {
            "pre": pre_array,
            "post": post_array,
            "rci": index_values,
            "change": change.astype(object),
            "dysfunctional_pre": pd.array(np.where(missing_pre, None, dysfunctional_pre),
                                          dtype="boolean"),
            "dysfunctional_post": pd.array(np.where(missing_post, None, dysfunctional_post),
                                           dtype="boolean"),
            "category": category.astype(object),
        },
        index=index,
    )
