"""Lesson 06's explorer: one year's published chain of counts, and recovered as a share of which stage.

Glue over :mod:`iaptlab.national`: a stage that was not published is said to be missing, never
estimated; a ratio of two stages is an approximation (they are different cohorts).

>>> result = compute(prepare(), year="2016-17")
>>> round(100 * result.extra["share_of"]["referrals_received"], 1)
18.7
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..national import (
    DENOMINATORS,
    OFFICIAL,
    STAGE_WORDS,
    STAGES,
    published_figures,
    published_rate,
    year_options,
    year_stages,
)
from ..widgets import Control, Result, defaults

__all__ = ["CONTROLS", "compute", "prepare"]

#: The explorer's data: every published national figure (``iaptlab.national.published_figures``).
prepare = published_figures


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def stage_table(stages: pd.DataFrame, denominator: str, published: tuple[float, str, str]) -> pd.DataFrame:
    """What the explorer's table shows: each stage's count and recovered as a share of it.

    >>> t = stage_table(year_stages(published_figures(), "2016-17"), OFFICIAL, (49.3, "C", "x"))
    >>> t["recovered as % of this stage"].tolist()[:2]
    ['18.7%', '26.8%']
    """
    count = stages["count"].to_numpy(dtype=float)
    recovered = count[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = recovered / count
    shown_share = np.array([f"{100 * v:.1f}%" if not np.isnan(v) else "cannot be worked out"
                            for v in share], dtype=object)  # five stages, not rows of data
    shown_share[-1] = "–"
    marker = np.where(stages["measure"].to_numpy() == denominator, " ← chosen denominator", "")
    rate, confidence, source = published
    table = pd.DataFrame({
        "stage": stages["stage"].to_numpy(dtype=object) + marker,
        "number": np.where(np.isnan(count), "not published", pd.Series(count).map(_thousands).to_numpy()),
        "recovered as % of this stage": shown_share,
        "confidence": np.where(np.isnan(count), "–", stages["confidence"].to_numpy(dtype=object)),
        "source": np.where(np.isnan(count), "–", stages["source"].to_numpy(dtype=object)),
    })
    official = pd.DataFrame({"stage": ["recovery rate as published (recovered ÷ finished at caseness)"],
                             "number": ["–"],
                             "recovered as % of this stage": ["not published" if np.isnan(rate) else f"{rate:.1f}%"],
                             "confidence": [confidence or "–"], "source": [source or "–"]})
    return pd.concat([table, official], ignore_index=True)


def _sentence(year: str, stages: pd.DataFrame, denominator: str, published: tuple[float, str, str]) -> str:
    count = dict(zip(stages["measure"], stages["count"], strict=True))
    confidence = dict(zip(stages["measure"], stages["confidence"], strict=True))
    rate, rate_confidence, _ = published
    recovered = count["recovered"]
    if np.isnan(recovered):
        official = (f"the published recovery rate was {rate:.1f}% of {STAGE_WORDS[OFFICIAL]} "
                    f"({rate_confidence})" if not np.isnan(rate) else "no recovery rate was published")
        known = [f"{_thousands(count[m])} {STAGE_WORDS[m]}"
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
    clauses = [f"{100 * recovered / count[m]:.1f}% of the {_thousands(count[m])} {STAGE_WORDS[m]}"
               + (" (the official denominator)" if m == OFFICIAL else "") for m in shown]
    text = f"In {year}, {_thousands(recovered)} referrals 'recovered'"
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


@lru_cache(maxsize=4)
def _chart_template(width: int = 320):
    """The chart without data, title or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""
    import altair as alt

    from ..charts import PALETTE

    base = alt.Chart().encode(
        y=alt.Y("stage:N", sort=list(STAGES.values()), title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("stage:N"), alt.Tooltip("label:N", title="published")])
    bars = base.mark_bar().encode(
        x=alt.X("count:Q", title="referrals (as published, rounded)", axis=alt.Axis(format="~s")),
        color=alt.Color("role:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["stage", "chosen denominator", "recovered"],
                                        range=[PALETTE[5], PALETTE[0], PALETTE[1]])))
    text = base.mark_text(align="left", dx=4).encode(x=alt.X("label_at:Q"), text=alt.Text("label:N"))
    return alt.layer(bars, text).properties(width=width)


def funnel_chart(stages: pd.DataFrame, year: str, denominator: str):
    """One year's published chain as bars; the chosen denominator and "recovered" are labelled.

    Missing stages have no bar and the label "not published".

    >>> c = funnel_chart(year_stages(published_figures(), "2016-17"), "2016-17", OFFICIAL)
    >>> c.to_dict()["description"][:40]
    '2016-17: from referral to "recovered". r'
    """
    import altair as alt

    from ..charts import refill

    count = stages["count"].to_numpy(dtype=float)
    measure = stages["measure"].to_numpy()
    recovered, chosen = count[-1], count[list(STAGES).index(denominator)]
    confidence = stages["confidence"].to_numpy(dtype=object)
    labels = np.array([f"{c:,.0f}" + (f" ({k})" if k != "C" else "") if not np.isnan(c) else "not published"
                       for c, k in zip(count, confidence, strict=True)], dtype=object)  # five stages
    labels[measure == denominator] += " ← chosen denominator"
    if not np.isnan(recovered):
        labels[-1] += (f" = {100 * recovered / chosen:.1f}% of the chosen denominator" if not np.isnan(chosen)
                       else " (÷ chosen denominator: cannot be worked out)")
    role = np.where(measure == denominator, "chosen denominator",
                    np.where(measure == "recovered", "recovered", "stage"))
    data = pd.DataFrame({"stage": stages["stage"], "count": count, "label": labels,
                         "label_at": np.nan_to_num(count), "role": role})
    title = f'{year}: from referral to "recovered"'
    subtitle = ["Published national figures (NHS Digital/HSCIC; rounded as published).",
                "Stages are different cohorts of referrals: ratios are approximations."]
    described = "; ".join(f"{s}: {lab}" for s, lab in zip(data["stage"], labels, strict=True))
    return refill(_chart_template(), data, title=alt.Title(title, subtitle=subtitle),
                  description=f"{title}. {described}")


def compute(figures: pd.DataFrame, **controls) -> Result:
    """One year's published chain, recovered as a share of each stage, and a sentence.

    ``extra``: ``counts`` and ``share_of`` (dicts by stage column; NaN where not published),
    ``published_rate`` (percent, NaN if none) and ``chosen_share`` (recovered ÷ chosen denominator).
    """
    unknown = sorted(set(controls) - {c.name for c in CONTROLS})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: {[c.name for c in CONTROLS]}")
    params = {**defaults(CONTROLS), **controls}
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



def _year_label(figures: pd.DataFrame, year: str) -> str:
    counts = year_stages(figures, year)["count"].notna().sum()
    return f"{year} ({'every stage' if counts == len(STAGES) else f'{counts} of {len(STAGES)} counts'} published)"


_FIGURES = published_figures()
CONTROLS = (
    Control("year", "Financial year (April to March)", "choice", "2016-17",
            options=tuple((y, _year_label(_FIGURES, y)) for y in year_options(_FIGURES)),
            help="Years with a published recovery figure. 2016-17 is the one year with every stage "
                 "confirmed in an official release."),
    Control("denominator", "Recovered as a share of", "choice", OFFICIAL,
            options=(("finished_at_caseness", "finished a course, at caseness at the start (official)"),
                     ("finished_course", "everyone who finished a course"),
                     ("entered_treatment", "everyone who entered treatment"),
                     ("referrals_received", "all referrals received"))),
)
