"""Lesson 06's explorer: one year's published chain of counts, and recovered as a share of which stage.

Glue over :mod:`iaptlab.national`: a stage that was not published is said to be missing, never
estimated; a ratio of two stages is an approximation (they are different cohorts).

>>> result = compute(prepare(), year="2016-17")
>>> round(100 * result.extra["share_of"]["referrals_received"], 1)
18.7
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..charts.lessons import funnel_chart
from ..errors import ParameterError
from ..format import count_text
from ..national import (
    DENOMINATORS,
    OFFICIAL,
    STAGE_WORDS,
    STAGES,
    published_figures,
    published_rate,
    stage_table,
    year_label,
    year_options,
    year_stages,
)
from ..widgets import Control, Result, settings

__all__ = ["BROWSER_SCRIPT", "CONTROLS", "browser_data", "compute", "prepare"]

#: The explorer's data: every published national figure (``iaptlab.national.published_figures``).
prepare = published_figures


def _sentence(year: str, stages: pd.DataFrame, denominator: str, published: tuple[float, str, str]) -> str:
    count = dict(zip(stages["measure"], stages["count"], strict=True))
    confidence = dict(zip(stages["measure"], stages["confidence"], strict=True))
    rate, rate_confidence, _ = published
    recovered = count["recovered"]
    if np.isnan(recovered):
        official = (f"the published recovery rate was {rate:.1f}% of {STAGE_WORDS[OFFICIAL]} "
                    f"({rate_confidence})" if not np.isnan(rate) else "no recovery rate was published")
        known = [f"{count_text(count[m])} {STAGE_WORDS[m]}"
                 + (f" ({confidence[m]})" if confidence[m] != "C" else "")
                 for m in DENOMINATORS[::-1] if not np.isnan(count[m])]
        listed = f" Counts published: {'; '.join(known)}." if known else ""
        chosen = ("" if denominator == OFFICIAL else
                  f" Recovered as a share of {STAGE_WORDS[denominator]} cannot be worked out "
                  "from the published figures, and is not estimated here.")
        return (f"In {year}, the number of referrals that recovered was not published in the sources "
                f"read; {official}.{listed}{chosen}")
    wanted = list(dict.fromkeys([OFFICIAL, denominator, "referrals_received"]))
    shown = [m for m in wanted if not np.isnan(count[m])]
    missing = [m for m in wanted if np.isnan(count[m])]
    clauses = [f"{100 * recovered / count[m]:.1f}% of the {count_text(count[m])} {STAGE_WORDS[m]}"
               + (" (the official denominator)" if m == OFFICIAL else "") for m in shown]
    text = f"In {year}, {count_text(recovered)} referrals 'recovered'"
    if clauses:
        text += ": " + "; ".join(clauses)
    text += "."
    if not np.isnan(rate):
        text += f" The published rate was {rate:.1f}% ({rate_confidence})."
    if missing:
        text += (" Not worked out, because the count was not published in the sources read: recovered "
                 "as a share of " + " or of ".join(STAGE_WORDS[m] for m in missing) + ".")
    if len(shown) > 1:
        text += " Stages are different cohorts, so shares other than the official one are approximations."
    secondary = [STAGES[m] if m == "recovered" else STAGE_WORDS[m]
                 for m in ("recovered", *shown) if confidence[m] == "S"]
    if secondary:
        text += f" From a secondary source only (S): the count of {' and of '.join(secondary)}."
    return text


def compute(figures: pd.DataFrame, **controls) -> Result:
    """One year's published chain, recovered as a share of each stage, and a sentence.

    ``extra``: ``counts`` and ``share_of`` (dicts by stage column; NaN where not published),
    ``published_rate`` (percent, NaN if none) and ``chosen_share`` (recovered ÷ chosen denominator).
    """
    params = settings(CONTROLS, controls)
    year, denominator = str(params["year"]), str(params["denominator"])
    if denominator not in DENOMINATORS:
        raise ParameterError(f"denominator must be one of {DENOMINATORS}, got {denominator!r}")
    if year not in set(figures["year"]):
        raise ParameterError(f"year {year!r}: no published figures; years: {sorted(set(figures['year']))}")
    stages = year_stages(figures, year)
    published = published_rate(figures, year)
    count = dict(zip(stages["measure"], stages["count"], strict=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_of = {m: count["recovered"] / count[m] for m in DENOMINATORS}
    return Result(table=stage_table(stages, denominator, published),
                  chart=funnel_chart(stages, year, denominator),
                  sentence=_sentence(year, stages, denominator, published),
                  extra={"counts": count, "share_of": share_of, "published_rate": published[0],
                         "chosen_share": share_of[denominator]})


_FIGURES = published_figures()
CONTROLS = (
    Control("year", "Financial year (April to March)", "choice", "2016-17",
            options=tuple((y, year_label(_FIGURES, y)) for y in year_options(_FIGURES)),
            help="Years with a published recovery figure. 2016-17 is the one year with every stage "
                 "confirmed in an official release."),
    Control("denominator", "Recovered as a share of", "choice", OFFICIAL,
            options=(("finished_at_caseness", "finished a course, at caseness at the start (official)"),
                     ("finished_course", "everyone who finished a course"),
                     ("entered_treatment", "everyone who entered treatment"),
                     ("referrals_received", "all referrals received"))),
)


#: The page's copy of :func:`compute` (``iaptlab/static/compute/national.js``).
BROWSER_SCRIPT = "national"


def browser_data(figures: pd.DataFrame) -> dict:
    """What the page's :data:`BROWSER_SCRIPT` needs (JSON): each offered year's chain of counts
    (None where not published) and published rate, the stage words, and the chart's structure.

    >>> data = browser_data(prepare())
    >>> data["years"]["2016-17"]["published"][:2], data["denominators"][0]
    ([49.3, 'C'], 'finished_at_caseness')
    """
    from ..charts.live import chart_skeleton

    def number(value: float) -> float | None:
        return None if np.isnan(value) else float(value)

    years = {}
    for year in year_options(figures):
        stages = year_stages(figures, year)
        rate, confidence, source = published_rate(figures, year)
        years[year] = {
            "stages": [{"measure": str(m), "stage": str(st), "count": number(c), "confidence": str(k), "source": str(so)}
                       for m, st, c, k, so in zip(stages["measure"], stages["stage"], stages["count"],
                                                  stages["confidence"], stages["source"], strict=True)],
            "published": [number(rate), confidence, source]}
    chart = compute(figures).chart
    return {"years": years, "denominators": list(DENOMINATORS), "official": OFFICIAL,
            "stage_words": dict(STAGE_WORDS), "stages_names": dict(STAGES),
            "subtitle": chart.to_dict(validate=False)["title"]["subtitle"],
            "defaults": {c.name: c.default for c in CONTROLS}, "specs": {"main": chart_skeleton(chart)}}
