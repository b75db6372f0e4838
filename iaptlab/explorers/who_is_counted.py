"""Lesson 09's explorer: who stops coming, and what recovery among finishers then says.

Glue over :func:`iaptlab.attrition.who_is_counted`: the dropout mechanism and its strength are
**assumptions you set**; every number is model output (``CohortModel.describe()``), not evidence.

>>> compute(prepare()).table.columns.tolist()[:2]
['who is counted', 'recovered (%)']
"""

from __future__ import annotations

import pandas as pd

from ..attrition import ATTRITION_N, ESTIMATES, MECHANISM_WORDS, counted_table, who_is_counted
from ..widgets import Control, Result, settings

__all__ = ["CONTROLS", "compute", "prepare"]


def prepare() -> int:
    """The cohort size (the simulation itself runs, cached, when a control moves)."""
    return ATTRITION_N


CONTROLS = (
    Control("mechanism", "Stopping treatment depends on", "choice", "mcar",
            options=(("mcar", "nothing about the course (MCAR)"),
                     ("mar", "the last recorded scores (MAR)"),
                     ("mnar", "how the person feels now, unrecorded (MNAR)")),
            help="Which of the three missing-data mechanisms drives dropout (an assumption)"),
    Control("odds_ratio", "Strength: odds of stopping per SD of improvement", "choice", 1.5,
            options=((0.25, "x0.25: people who feel worse stop (strong)"),
                     (0.5, "x0.5: people who feel worse stop"),
                     (1.0, "x1: no link"),
                     (1.5, "x1.5: people who feel better stop (weak, default)"),
                     (2.0, "x2: people who feel better stop"),
                     (4.0, "x4: people who feel better stop (strong)")),
            help="Teaching values: no published figure says how strong this is in IAPT"),
)


def compute(n: int, **controls) -> Result:
    """The table, chart and sentence for one setting of :data:`CONTROLS`."""
    from .. import charts

    params = settings(CONTROLS, controls)
    mechanism, odds_ratio = params["mechanism"], float(params["odds_ratio"])
    tidy = who_is_counted(mechanism, odds_ratio, n=n)
    table = counted_table(tidy)
    estimates = tidy["estimate"].tolist()
    rates = dict(zip(estimates, tidy["rate"].tolist(), strict=True))
    # the gap the table shows (a difference of the shown, rounded rates), so sentence and table agree
    gap = float(table["minus the truth (points)"].to_numpy()[estimates.index("finishers")])
    link = ("with no link to how they are doing" if odds_ratio == 1 or mechanism == "mcar"
            else f"with people who feel {'better' if odds_ratio > 1 else 'worse'} more likely to stop "
                 f"(odds x{odds_ratio:g} per SD)")
    sentence = (f"When who stops coming is decided {MECHANISM_WORDS[mechanism]}, {link}, recovery among "
                f"finishers is {100 * rates['finishers']:.1f}% against {100 * rates['truth']:.1f}% "
                f"among everyone who entered treatment had all been measured at the planned end "
                f"({gap:+.1f} points); carrying the last score forward for everyone gives "
                f"{100 * rates['itt_locf']:.1f}%. Model output under stated assumptions, not evidence.")
    shown = tidy.assign(outcome=pd.Series([ESTIMATES.get(e) for e in tidy["estimate"].tolist()], dtype="str",
                                         index=tidy.index))  # Series.map costs a move ~0.5 ms
    chart = charts.rates_bar(
        shown[["outcome", "numerator", "denominator", "rate"]],
        title="Recovery: who is counted, and which score is 'last'",
        source=(f"simulated IAPT-like cohort of {n:,} referrals, session by session; the dropout "
                "mechanism and strength are assumptions"))
    return Result(table=table, chart=chart, sentence=sentence, extra={"rates": tidy})
