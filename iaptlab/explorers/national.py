"""Lesson 06's explorer and helpers: the published national figures, and which denominator.

The national statistics publish, for some years, a chain of counts from referrals received to
"recovered". :func:`published_figures` turns ``national_annual`` (several rows per year, one per
source) into one figure per year and stage, each with its own source and confidence, and never
fills a gap. ``compute(figures, year=..., denominator=...)`` shows one year's chain as a chart,
the number recovered as a share of every stage, and a sentence; a stage that was not published is
said to be missing, not estimated.

The counts in one year are different cohorts (referrals *received* in the year, referrals
*ending* in the year), so a ratio of two stages is an approximation, as NHS Digital warns.

:func:`two_denominators` and :func:`subgroup_episodes` serve the 2014-15 denominator exercise:
the same recovered count over "finished at caseness" and over NHS Digital's measure M192
("finished minus those not at caseness"), by hand and through :mod:`iaptlab.outcomes`.

>>> result = compute(published_figures(), year="2016-17")
>>> round(100 * result.extra["share_of"]["referrals_received"], 1)
18.7
"""

from __future__ import annotations

from functools import lru_cache, partial
from types import MappingProxyType

import numpy as np
import pandas as pd

from .. import datasets
from ..errors import IaptlabError, ParameterError
from ..outcomes import IAPT, classify, rates
from ..widgets import Control, Result, defaults

#: The published chain of counts, in order, as (column in national_annual, words on the chart).
STAGES = MappingProxyType({
    "referrals_received": "referrals received",
    "entered_treatment": "entered treatment",
    "finished_course": "finished a course (2+ contacts)",
    "finished_at_caseness": "finished, at caseness at start",
    "recovered": "recovered",
})
#: The denominators a learner can choose (every stage but the numerator), official one first.
DENOMINATORS = ("finished_at_caseness", "finished_course", "entered_treatment", "referrals_received")
OFFICIAL = "finished_at_caseness"
RATE_COLUMN = "recovery_rate_pct"
#: Each denominator as a noun phrase, used in sentences ("49.3% of the 525,000 referrals that ...").
DENOMINATOR_WORDS = MappingProxyType({
    "finished_at_caseness": "referrals that finished a course at caseness",
    "finished_course": "referrals that finished a course",
    "entered_treatment": "referrals that entered treatment",
    "referrals_received": "referrals received",
})
#: Labels for the comparability breaks drawn on the by-year charts (dates as in national_breaks).
BREAK_LABELS = MappingProxyType({
    "2015-04": "Apr 2015",
    "2021-01": "v2.0, Jan 2021",
})


def financial_year(dates: pd.Series) -> pd.Series:
    """The April-to-March financial year ("2020-21") in which each "YYYY-MM" date falls.

    >>> financial_year(pd.Series(["2020-03", "2020-04", "2021-01"])).tolist()
    ['2019-20', '2020-21', '2020-21']
    """
    year = dates.str.slice(0, 4).astype(int)
    month = dates.str.slice(5, 7).astype(int)
    start = year - (month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


def breaks_by_year(breaks: pd.DataFrame | None = None) -> dict[str, str]:
    """``{financial year: label}`` for :data:`BREAK_LABELS`, read from ``national_breaks``.

    >>> breaks_by_year()
    {'2015-16': 'Apr 2015', '2020-21': 'v2.0, Jan 2021'}
    """
    table = datasets.load("national_breaks") if breaks is None else breaks
    chosen = table[table["date"].isin(list(BREAK_LABELS))]
    missing = sorted(set(BREAK_LABELS) - set(chosen["date"]))
    if missing:
        raise IaptlabError(f"national_breaks has no row for {missing}")
    years = financial_year(chosen["date"].astype(str))
    return dict(zip(years, chosen["date"].map(dict(BREAK_LABELS)), strict=True))


def published_figures(annual: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per year and published figure: ``year, measure, value, confidence, source``.

    Built from ``national_annual`` (or ``annual``), whose years may span several rows (one per
    source); a figure published on two rows of one year is an error, and a blank stays absent.

    >>> f = published_figures()
    >>> f[(f.year == "2016-17") & (f.measure == "recovered")][["value", "confidence"]].values.tolist()
    [[259000.0, 'C']]
    """
    table = datasets.load("national_annual") if annual is None else annual
    measures = [*STAGES, RATE_COLUMN]
    long = table.melt(id_vars=["year", "confidence", "source"], value_vars=measures,
                      var_name="measure", value_name="value")
    long["value"] = long["value"].astype("float64")
    long = long[long["value"].notna()]
    twice = long.duplicated(["year", "measure"], keep=False)
    if twice.any():
        where = sorted(set(zip(long.loc[twice, "year"], long.loc[twice, "measure"], strict=True)))
        raise IaptlabError(f"national_annual: a figure is filled on more than one row: {where}")
    return long[["year", "measure", "value", "confidence", "source"]].reset_index(drop=True)


def year_options(figures: pd.DataFrame) -> list[str]:
    """Years with a recovery figure (a published rate or a recovered count), in order.

    >>> year_options(published_figures())[:3]
    ['2012-13', '2014-15', '2015-16']
    """
    has = figures["measure"].isin(["recovered", RATE_COLUMN])
    return sorted(set(figures.loc[has, "year"]))


def year_stages(figures: pd.DataFrame, year: str) -> pd.DataFrame:
    """The chain of counts for one year, one row per stage in order; missing counts are NaN.

    >>> year_stages(published_figures(), "2014-15")["count"].isna().tolist()
    [False, True, True, False, False]
    """
    rows = figures[(figures["year"] == year) & figures["measure"].isin(list(STAGES))]
    rows = rows.set_index("measure").reindex(list(STAGES))
    return pd.DataFrame({"measure": list(STAGES), "stage": list(STAGES.values()),
                         "count": rows["value"].to_numpy(dtype=float),
                         "confidence": rows["confidence"].fillna("").to_numpy(dtype=object),
                         "source": rows["source"].fillna("").to_numpy(dtype=object)})


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def _published_rate(figures: pd.DataFrame, year: str) -> tuple[float, str, str]:
    row = figures[(figures["year"] == year) & (figures["measure"] == RATE_COLUMN)]
    if row.empty:
        return float("nan"), "", ""
    return float(row["value"].iloc[0]), str(row["confidence"].iloc[0]), str(row["source"].iloc[0])


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
        official = (f"the published recovery rate was {rate:.1f}% of {DENOMINATOR_WORDS[OFFICIAL]} "
                    f"({rate_confidence})" if not np.isnan(rate) else "no recovery rate was published")
        known = [f"{_thousands(count[m])} {DENOMINATOR_WORDS[m]}"
                 + (f" ({confidence[m]})" if confidence[m] != "C" else "")
                 for m in DENOMINATORS[::-1] if not np.isnan(count[m])]
        listed = f" Counts published: {'; '.join(known)}." if known else ""
        chosen = ("" if denominator == OFFICIAL else
                  f" Recovered as a share of {DENOMINATOR_WORDS[denominator]} cannot be worked out "
                  "from the published figures, and is not estimated here.")
        return (f"In {year}, the number of referrals that recovered was not published in the sources "
                f"read; {official}.{listed}{chosen}")
    wanted = list(dict.fromkeys([OFFICIAL, denominator, "referrals_received"]))
    shown = [m for m in wanted if not np.isnan(count[m])]
    missing = [m for m in wanted if np.isnan(count[m])]
    clauses = [f"{100 * recovered / count[m]:.1f}% of the {_thousands(count[m])} {DENOMINATOR_WORDS[m]}"
               + (" (the official denominator)" if m == OFFICIAL else "") for m in shown]
    text = f"In {year}, {_thousands(recovered)} referrals 'recovered'"
    if clauses:
        text += ": " + "; ".join(clauses)
    text += "."
    if not np.isnan(rate):
        text += f" The published rate was {rate:.1f}% ({rate_confidence})."
    if missing:
        text += (" Not worked out, because the count was not published in the sources read: recovered "
                 "as a share of " + " or of ".join(DENOMINATOR_WORDS[m] for m in missing) + ".")
    if len(shown) > 1:
        text += " Stages are different cohorts, so shares other than the official one are approximations."
    secondary = [STAGES[m] if m == "recovered" else DENOMINATOR_WORDS[m]
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
    published = _published_rate(figures, year)
    count = dict(zip(stages["measure"], stages["count"], strict=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_of = {m: count["recovered"] / count[m] for m in DENOMINATORS}
    return Result(table=stage_table(stages, denominator, published),
                  chart=funnel_chart(stages, year, denominator),
                  sentence=_sentence(year, stages, denominator, published),
                  extra={"counts": count, "share_of": share_of, "published_rate": published[0],
                         "chosen_share": share_of[denominator]})


def explorer(figures: pd.DataFrame | None = None):
    """``compute`` bound to the published figures, ready for :func:`iaptlab.widgets.show`."""
    return partial(compute, published_figures() if figures is None else figures)


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


# ---------------------------------------------------------------- the 2014-15 denominator exercise


def two_denominators(finished: int, at_caseness: int, not_at_caseness: int, recovered: int) -> pd.DataFrame:
    """Recovered over each recovery denominator, by plain arithmetic on published counts.

    ``at_caseness``: recovered ÷ finishers at caseness. ``finished_minus_not_at_caseness``
    (NHS Digital measure M192): recovered ÷ (finishers − those known not to be at caseness), which
    keeps finishers whose caseness is unknown.

    >>> two_denominators(10, 6, 2, 3)["rate"].round(3).tolist()
    [0.5, 0.375]
    """
    _check_counts(finished, at_caseness, not_at_caseness, recovered)
    denominators = np.array([at_caseness, finished - not_at_caseness])
    return pd.DataFrame({"denominator": ["at_caseness", "finished_minus_not_at_caseness"],
                         "numerator": [recovered, recovered], "denominator_count": denominators,
                         "rate": recovered / denominators})


def _check_counts(finished: int, at_caseness: int, not_at_caseness: int, recovered: int) -> None:
    named = {"finished": finished, "at_caseness": at_caseness, "not_at_caseness": not_at_caseness,
             "recovered": recovered}
    negative = [k for k, v in named.items() if v < 0]
    if negative:
        raise ParameterError(f"counts must be >= 0: {negative}")
    if at_caseness + not_at_caseness > finished:
        raise ParameterError("at_caseness + not_at_caseness must not exceed finished")
    if recovered > at_caseness or at_caseness == 0:
        raise ParameterError("recovered must not exceed at_caseness, and at_caseness must be > 0")


def subgroup_episodes(finished: int, at_caseness: int, not_at_caseness: int, recovered: int) -> pd.DataFrame:
    """An episode table with exactly these published counts, to run through :mod:`iaptlab.outcomes`.

    Every row finished a course (5 treatment contacts). At caseness: first PHQ-9 15, GAD-7 12;
    recovered ones end at 4 and 3, the rest at 14 and 12. Not at caseness: first 5 and 4, last 4
    and 3. Caseness unknown (the remainder): first PHQ-9 5 and no anxiety score.

    >>> rates(classify(subgroup_episodes(10, 6, 2, 3))).set_index("outcome").loc["recovered", "denominator"]
    np.int64(6)
    """
    _check_counts(finished, at_caseness, not_at_caseness, recovered)
    unknown = finished - at_caseness - not_at_caseness
    groups = np.array([recovered, at_caseness - recovered, not_at_caseness, unknown])
    #          phq9_first, gad7_first, phq9_last, gad7_last for: recovered, not recovered, not case, unknown
    scores = np.array([[15, 12, 4, 3], [15, 12, 14, 12], [5, 4, 4, 3], [5, np.nan, 4, np.nan]])
    values = np.repeat(scores, groups, axis=0)
    return pd.DataFrame({"episode_id": np.arange(finished).astype(str),
                         "treatment_contacts": np.full(finished, 5),
                         "phq9_first": values[:, 0], "gad7_first": values[:, 1],
                         "phq9_last": values[:, 2], "gad7_last": values[:, 3]})


def package_denominators(finished: int, at_caseness: int, not_at_caseness: int, recovered: int) -> pd.DataFrame:
    """The recovery rate under both denominators as :func:`iaptlab.outcomes.rates` computes it.

    >>> package_denominators(10, 6, 2, 3)["rate"].round(3).tolist()
    [0.5, 0.375]
    """
    episodes = subgroup_episodes(finished, at_caseness, not_at_caseness, recovered)
    rows = []
    for kind in ("at_caseness", "finished_minus_not_at_caseness"):
        rules = IAPT.adjusted(denominator=kind)
        row = rates(classify(episodes, rules), rules).set_index("outcome").loc["recovered"]
        rows.append((kind, int(row["numerator"]), int(row["denominator"]), float(row["rate"]),
                     str(row["denominator_description"])))
    return pd.DataFrame(rows, columns=["denominator", "numerator", "denominator_count", "rate",
                                       "denominator_description"])
