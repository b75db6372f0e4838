"""Published national figures: one figure per year and stage, and the 2014-15 denominator sums.

The national statistics publish, for some years, a chain of counts from referrals received to
"recovered". :func:`published_figures` turns ``national_annual`` (several rows per year, one per
source) into one figure per year and stage, each with its own source and confidence, and never
fills a gap; :func:`year_stages` gives one year's chain (a stage not published is NaN, never
estimated). The counts in one year are different cohorts (referrals *received* in the year,
referrals *ending* in the year), so a ratio of two stages is an approximation, as NHS Digital warns.

:func:`two_denominators` and :func:`subgroup_episodes` serve the 2014-15 denominator exercise:
the same recovered count over "finished at caseness" and over NHS Digital's measure M192
("finished minus those not at caseness"), by hand and through :mod:`iaptlab.outcomes`.

>>> year_stages(published_figures(), "2016-17")["count"].iloc[-1]
np.float64(259000.0)
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import datasets
from .errors import IaptlabError, ParameterError
from .format import count_text, percent_texts
from .outcomes import IAPT, classify, rates

__all__ = ["BREAK_LABELS", "DENOMINATORS", "OFFICIAL", "RATE_COLUMN", "STAGES", "STAGE_WORDS",
           "breaks_by_year", "financial_year", "national_finishers", "package_denominators",
           "published_figures", "published_rate", "stage_table", "subgroup_episodes",
           "two_denominators", "year_label", "year_options", "year_stages"]


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


#: Each stage as a noun phrase for a sentence ("49.3% of the 525,000 referrals that ..."; not
#: :data:`iaptlab.outcomes.DENOMINATOR_DESCRIPTIONS`, which describes a rule's denominator).
STAGE_WORDS = MappingProxyType({
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


def year_label(figures: pd.DataFrame, year: str) -> str:
    """``year`` with how much of its chain of counts was published (a choice's label).

    >>> year_label(published_figures(), "2016-17")
    '2016-17 (every stage published)'
    """
    counts = year_stages(figures, year)["count"].notna().sum()
    return f"{year} ({'every stage' if counts == len(STAGES) else f'{counts} of {len(STAGES)} counts'} published)"


def stage_table(stages: pd.DataFrame, denominator: str, published: tuple[float, str, str]) -> pd.DataFrame:
    """One year's chain as shown: each stage's count and recovered as a share of it, the chosen
    ``denominator`` marked, then the ``published`` rate (:func:`published_rate`) as its own row.

    A stage not published says so; a share of it "cannot be worked out" (never estimated).

    >>> t = stage_table(year_stages(published_figures(), "2016-17"), OFFICIAL, (49.3, "C", "x"))
    >>> t["recovered as % of this stage"].tolist()[:2]
    ['18.7%', '26.8%']
    """
    count = stages["count"].to_numpy(dtype=float)
    published_count = ~np.isnan(count)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = count[-1] / count
    shown_share = np.array(percent_texts(share, missing="cannot be worked out"), dtype=object)
    shown_share[-1] = "–"
    marker = np.where(stages["measure"].to_numpy() == denominator, " ← chosen denominator", "")
    number = np.full(len(count), "not published", dtype=object)
    number[published_count] = [count_text(v) for v in count[published_count]]
    rate, confidence, source = published
    table = pd.DataFrame({
        "stage": stages["stage"].to_numpy(dtype=object) + marker,
        "number": number,
        "recovered as % of this stage": shown_share,
        "confidence": np.where(published_count, stages["confidence"].to_numpy(dtype=object), "–"),
        "source": np.where(published_count, stages["source"].to_numpy(dtype=object), "–"),
    })
    official = pd.DataFrame({"stage": ["recovery rate as published (recovered ÷ finished at caseness)"],
                             "number": ["–"],
                             "recovered as % of this stage": ["not published" if np.isnan(rate) else f"{rate:.1f}%"],
                             "confidence": [confidence or "–"], "source": [source or "–"]})
    return pd.concat([table, official], ignore_index=True)


def published_rate(figures: pd.DataFrame, year: str) -> tuple[float, str, str]:
    """(recovery rate in percent, confidence, source) published for ``year``; NaN if none.

    >>> published_rate(published_figures(), "2016-17")[:2]
    (49.3, 'C')
    """
    row = figures[(figures["year"] == year) & (figures["measure"] == RATE_COLUMN)]
    if row.empty:
        return float("nan"), "", ""
    return float(row["value"].iloc[0]), str(row["confidence"].iloc[0]), str(row["source"].iloc[0])


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
    return pd.DataFrame({"episode_id": _text_ids(finished),
                         "treatment_contacts": np.full(finished, 5),
                         "phq9_first": values[:, 0], "gad7_first": values[:, 1],
                         "phq9_last": values[:, 2], "gad7_last": values[:, 3]})


def _text_ids(n: int) -> pd.Series:
    """Ids ``"0"`` ... ``str(n - 1)`` as a text column, made from bytes when pandas keeps text in
    pyarrow: no Python string per row (a 265,833-row table's ids would leave ~15 MB of the
    interpreter's small-object memory held for the rest of a lesson).

    >>> _text_ids(3).tolist()
    ['0', '1', '2']
    """
    numbers = np.arange(n)
    dtype = pd.Series(["0"]).dtype  # the text dtype pandas makes here
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.Series(pd.array(pc.cast(pa.array(numbers), pa.large_string()), dtype=dtype))
    return pd.Series(numbers.astype(str))


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


def national_finishers(year: str) -> int:
    """Finished a course of treatment in ``year``, from the confirmed rows of ``national_annual``.

    >>> national_finishers("2016-17")
    567000
    """
    table = datasets.load("national_annual")
    rows = table[(table["year"] == year) & (table["confidence"] == "C") & table["finished_course"].notna()]
    if len(rows) != 1:
        raise ParameterError(f"no single confirmed count of finishers for {year!r} in national_annual")
    return int(rows["finished_course"].iloc[0])
