"""A self-contained HTML report on a service's own episode file (``iaptlab report``).

The report opens with a headline box (recovery, reliable recovery, reliable improvement and
reliable deterioration with their numerators and denominators, a small-number caution when a
denominator is below :data:`~iaptlab.disclosure.SMALL_DENOMINATOR`, and what the rates cannot
show), then every outcome rate, the attrition funnel, the rows read, the first and last score
distributions, the rules and the limits. Outcome names are in words. Charts are inline SVG
written directly by :mod:`iaptlab.charts.report` (no Altair, no JavaScript), each one image with
a text alternative and its data table beside it; there is no script and no external resource, so
the file opens with the network unplugged; tables print in full and a print stylesheet sizes the page for A4.

``disclosure_control=True`` applies small-number suppression and rounding with secondary
suppression (:mod:`iaptlab.disclosure`) through :func:`published_counts`: every number on the
page, in tables, sentences, chart bars, labels and text alternatives alike, is built from the
published counts only, and rates are those of the published counts.

>>> rules_table(IAPT).iloc[0].tolist()
['PHQ-9', 'score >= 10', 'change >= 6']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, instruments
from .charts.report import bar_chart_svg, score_histogram_svg
from .datasets import reference
from .disclosure import (
    DISCLOSURE_RULE,
    DISCLOSURE_SOURCES,
    ROUND_TO,
    SMALL_DENOMINATOR,
    SUPPRESS_UP_TO,
    SUPPRESSED,
    protect,
    published_rates,
    published_texts,
)
from .episode_files import read_input_file
from .errors import InputError, Problem
from .format import FUNNEL_STAGE_LABELS, OUTCOME_MEANINGS, outcome_label
from .outcomes import DENOMINATOR_DESCRIPTIONS, IAPT, Rules, classify, funnel, rates
from .schema import EXCLUDED_REASON, ROW, Validated, validate

__all__ = [
    "CITED",
    "EXCLUDED_LISTED",
    "M192_SUFFIX",
    "STYLE",
    "ReportData",
    "all_rates",
    "build_report",
    "published_counts",
    "render",
    "report_data",
    "rules_table",
    "score_counts",
]

#: How many excluded rows the report lists one by one.
EXCLUDED_LISTED = 50
#: Added to an outcome's name for its rate on the other published recovery denominator.
M192_SUFFIX = " (M192 denominator)"
_AT_CASENESS_SUFFIX = " (at-caseness denominator)"
#: Sources the report cites, in the order listed.
CITED = ("nhsd_guide_v21", "strategy_unit_talking_therapies", "whiteford_2013")

STYLE = """
body{font-family:'Source Sans Pro','Segoe UI',Helvetica,Arial,sans-serif;line-height:1.45;color:#1a1a1a;
max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2.2rem}
.meta{color:#444;margin-top:0}
.notice,.caution{border-left:4px solid #D55E00;background:#fff4ec;padding:.6rem 1rem}
.headline{border:2px solid #0072B2;border-radius:6px;padding:0 1.2rem 1rem;background:#f4f8fc}
.headline h2{margin-top:1rem}
a{color:#005a8c}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.95rem;max-width:100%}
caption{text-align:left;font-weight:600;padding-bottom:.3rem}
th,td{border:1px solid #bbb;padding:.25rem .55rem;vertical-align:top;overflow-wrap:break-word}
th{background:#eef3f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start;margin:1rem 0}
figure svg{max-width:100%;height:auto}
figcaption{flex-basis:100%;color:#444;font-size:.9rem}
li{margin-bottom:.4rem}
@media print{
@page{size:A4;margin:15mm}
body{max-width:none;padding:0;font-size:10pt}
a{color:inherit;text-decoration:none}
.headline{break-after:page}
h2,h3{break-after:avoid}
figure{display:block}
figure svg{display:block;max-width:100%;height:auto;margin-bottom:4mm}
svg,tr,caption,.headline,.notice,.caution{break-inside:avoid}
table{break-inside:auto;width:100%}
thead{display:table-header-group}
}
"""


def rules_table(rules: Rules) -> pd.DataFrame:
    """Every threshold of ``rules`` as rows: measure, caseness rule, reliable-change rule.

    >>> rules_table(IAPT).iloc[0].tolist()
    ['PHQ-9', 'score >= 10', 'change >= 6']
    """
    rows = [(instruments.lookup(key).name, f"score {t.comparison} {t.value:g}",
             f"change {rules.reliable_change[key].comparison} {rules.reliable_change[key].value:g}")
            for key, t in rules.caseness.items()]
    return pd.DataFrame(rows, columns=["measure", "caseness", "reliable change"])


def all_rates(classified: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every rate under ``rules``, plus recovery and reliable recovery on the M192 denominator.

    >>> eps = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [6, 6],
    ...     "phq9_first": [16, 4], "phq9_last": [7, 3], "gad7_first": [12, 3], "gad7_last": [5, 2]})
    >>> from iaptlab.outcomes import classify
    >>> all_rates(classify(eps), IAPT).set_index("outcome")["denominator"].to_dict()["recovered"]
    1
    """
    main = rates(classified, rules)
    other = "finished_minus_not_at_caseness" if rules.denominator == "at_caseness" else "at_caseness"
    alt_rules = dataclasses.replace(rules, denominator=other)
    extra = rates(classified, alt_rules)
    extra = extra[extra["outcome"].isin(["recovered", "reliable_recovery"])]
    suffix = M192_SUFFIX if other != "at_caseness" else " (at-caseness denominator)"
    extra = extra.assign(outcome=extra["outcome"] + suffix)
    position = int(np.flatnonzero(main["outcome"].eq("reliable_recovery"))[0]) + 1
    return pd.concat([main.iloc[:position], extra, main.iloc[position:]], ignore_index=True)


def score_counts(table: pd.DataFrame, instrument: instruments.Instrument) -> pd.DataFrame:
    """Episodes at each whole score, first and last (binned in pandas), plus a missing row.

    >>> t = pd.DataFrame({"phq9_first": [12.0, 12.0], "phq9_last": [4.0, float("nan")]})
    >>> score_counts(t, instruments.PHQ9).set_index("score").loc[["12", "4", "missing"]].to_numpy().tolist()
    [[2, 0], [0, 1], [0, 1]]
    """
    size = int(instrument.score_max) + 1
    columns = {}
    for occasion in ("first", "last"):
        scores = table[f"{instrument.key}_{occasion}"].to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(scores)
        counts = np.bincount(scores[present].astype(np.int64), minlength=size)
        columns[occasion] = np.append(counts, int((~present).sum()))
    labels = [str(s) for s in range(size)] + ["missing"]
    return pd.DataFrame({"score": labels, **columns})


@dataclasses.dataclass(frozen=True)
class ReportData:
    """Everything the HTML shows, computed once (counts unrounded; the page applies disclosure).

    ``valid`` is the valid rows with their outcome flags; ``excluded`` the first
    :data:`EXCLUDED_LISTED` excluded rows (``row`` and ``excluded_reason``), of ``excluded_count``;
    ``excluded_by_column`` how many excluded rows have a problem in each column.
    """

    title: str
    file_name: str
    generated: str
    rules: Rules
    disclosure_control: bool
    rows_read: int
    valid: pd.DataFrame
    excluded: pd.DataFrame
    excluded_count: int
    excluded_by_column: pd.Series
    rates: pd.DataFrame
    funnel: pd.DataFrame
    scores: dict[str, pd.DataFrame]
    therapist_present: tuple[int, int, int] | None
    interviewed: int | None
    #: Finishers with paired scores by the anxiety measure used (name -> count > 0, by name).
    anxiety_used: pd.Series


def report_data(checked: Validated, *, file_name: str, rules: Rules = IAPT,
                disclosure_control: bool = False, title: str | None = None,
                generated: str | dt.date | None = None) -> ReportData:
    """Classify a validated table and gather every number the report shows.

    >>> from iaptlab.schema import validate
    >>> eps = pd.DataFrame({"episode_id": ["a"], "treatment_contacts": [6],
    ...     "phq9_first": [16], "phq9_last": [7], "gad7_first": [12], "gad7_last": [5]})
    >>> report_data(validate(eps), file_name="a.csv", generated="2026-01-01").funnel["count"].tolist()
    [1, 1, 1, 1, 1, 1]
    """
    # the valid rows and their flags only: excluded rows are counted and a few listed, never
    # merged back in row order and filtered out again by their (worded) reasons
    valid = classify(checked, rules, on_invalid="skip")
    stamp = generated if generated is not None else dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    eligible = (valid["finished"] & valid["paired"]).to_numpy(dtype=bool)
    therapist = None
    if "assessed_with_therapist" in valid.columns:
        flag = valid["assessed_with_therapist"].astype("boolean")[eligible]
        therapist = (int(flag.eq(True).sum()), int(flag.eq(False).sum()), int(flag.isna().sum()))
    interviewed = int(valid["interviewed"].sum()) if "interviewed" in valid.columns else None
    return ReportData(
        title=title or "Outcome report", file_name=file_name, generated=str(stamp), rules=rules,
        disclosure_control=disclosure_control, rows_read=len(checked.table) + checked.invalid_rows,
        valid=valid, excluded=checked.excluded_head(EXCLUDED_LISTED)[[ROW, EXCLUDED_REASON]].reset_index(drop=True),
        excluded_count=checked.invalid_rows,
        excluded_by_column=pd.Series(checked.problem_rows_by_column(), dtype=np.int64),
        rates=all_rates(valid, rules), funnel=funnel(valid),
        scores={inst.name: score_counts(valid, inst) for inst in (instruments.PHQ9, instruments.GAD7)},
        therapist_present=therapist, interviewed=interviewed, anxiety_used=_anxiety_counts(valid, eligible))


_CHANGE_OUTCOMES = ("reliable_improvement", "no_reliable_change", "reliable_deterioration", "mixed_change")
_HEADLINE = ("recovered", "reliable_recovery", "reliable_improvement", "reliable_deterioration")
#: Short words for each denominator in the headline box.
_WHO = {"recovered": "finishers at caseness", "reliable_recovery": "finishers at caseness",
        "reliable_improvement": "finishers with paired scores",
        "reliable_deterioration": "finishers with paired scores"}


def _outcome_words(outcome: str) -> str:
    """A rates-table outcome (code, maybe with a denominator suffix) in words."""
    for suffix, words in ((M192_SUFFIX, " (NHS Digital M192 denominator)"),
                          (_AT_CASENESS_SUFFIX, " (at-caseness denominator)")):
        if outcome.endswith(suffix):
            return outcome_label(outcome[: -len(suffix)]) + words
    return outcome_label(outcome)


def _code(outcome: str) -> str:
    return outcome.replace(M192_SUFFIX, "").replace(_AT_CASENESS_SUFFIX, "")


def _anxiety_counts(valid: pd.DataFrame, eligible: np.ndarray) -> pd.Series:
    """``eligible`` rows (finishers with paired scores) by the anxiety measure used (name -> count,
    counts > 0, by name)."""
    measure = valid["anxiety_measure"]
    if isinstance(measure.dtype, pd.CategoricalDtype):  # counted from the codes: no text per row
        codes = measure.cat.codes.to_numpy()[eligible]
        names = [str(c) for c in measure.cat.categories] + ["nan"]
        counts = np.bincount(np.where(codes < 0, len(names) - 1, codes), minlength=len(names))
        totals: dict[str, int] = {}
        for name, count in zip(names, counts.tolist(), strict=True):
            totals[name] = totals.get(name, 0) + count
        used = pd.Series(totals, dtype=np.int64)
    else:
        used = measure[eligible].astype(str).value_counts()
    return used.loc[lambda s: s > 0].sort_index()


def published_counts(d: ReportData) -> dict[str, float]:
    """Every count the page shows, by name, as published: exact, or disclosed (NaN = ``*``).

    Under disclosure control this is :func:`~iaptlab.disclosure.protect` with the groups of
    counts a reader can add up: rows read = valid + excluded; the four reliable-change outcomes,
    the anxiety measures and therapist present/absent/unknown each add up to the finishers with
    paired scores; each score table's column adds up to the valid rows. Everything the page
    shows (tables, sentences, charts and their labels) is built from these values alone.

    >>> from iaptlab.schema import validate
    >>> eps = pd.DataFrame({"episode_id": list("abcdefghij"), "treatment_contacts": [6] * 10,
    ...     "phq9_first": [16] * 10, "phq9_last": [7] * 10, "gad7_first": [12] * 10, "gad7_last": [5] * 10})
    >>> data = report_data(validate(eps), file_name="a.csv", generated="x", disclosure_control=True)
    >>> counts = published_counts(data)
    >>> counts["valid"], counts["funnel:recovered"], counts["PHQ-9:first:16"]
    (10.0, 10.0, 10.0)
    """
    counts: dict[str, int] = {"rows_read": d.rows_read, "valid": len(d.valid), "excluded": d.excluded_count}
    counts |= {f"funnel:{stage}": int(c) for stage, c in zip(d.funnel["stage"], d.funnel["count"], strict=True)}
    for i, (num, den) in enumerate(zip(d.rates["numerator"], d.rates["denominator"], strict=True)):
        counts |= {f"num:{i}": int(num), f"den:{i}": int(den)}
    for name, table in d.scores.items():
        for occasion in ("first", "last"):
            counts |= {f"{name}:{occasion}:{score}": int(c)
                       for score, c in zip(table["score"], table[occasion], strict=True)}
    counts |= {f"anxiety:{m}": int(c) for m, c in d.anxiety_used.items()}
    if d.therapist_present is not None:
        counts |= dict(zip(("therapist:yes", "therapist:no", "therapist:unknown"), d.therapist_present,
                           strict=True))
    if d.interviewed is not None:
        counts["interviewed"] = d.interviewed
    counts |= {f"excluded_column:{c}": int(n) for c, n in d.excluded_by_column.items()}
    if not d.disclosure_control:
        return {k: float(v) for k, v in counts.items()}
    paired = "funnel:finished_paired"
    change = [f"num:{i}" for i, o in enumerate(d.rates["outcome"]) if o in _CHANGE_OUTCOMES]
    groups = [("rows_read", ("valid", "excluded"), ("rows_read",)), (paired, tuple(change)),
              (paired, tuple(k for k in counts if k.startswith("anxiety:"))),
              (paired, tuple(k for k in counts if k.startswith("therapist:")))]
    groups += [("valid", tuple(k for k in counts if k.startswith(f"{name}:{occasion}:")))
               for name in d.scores for occasion in ("first", "last")]
    return protect(counts, [g for g in groups if g[1]])


def _texts(pub: dict[str, float], keys) -> list[str]:
    return published_texts([pub[k] for k in keys])


def _table(df: pd.DataFrame, caption: str, numeric: tuple[str, ...] = ()) -> str:
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in df.columns)
    body = []
    for row in df.itertuples(index=False):  # formatting a few dozen display rows, not data rows
        cells = "".join(f'<td class="n">{escape(str(v))}</td>' if c in numeric else f"<td>{escape(str(v))}</td>"
                        for c, v in zip(df.columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _figure(svg: str, table: str, caption: str) -> str:
    return f"<figure>{svg}{table}<figcaption>{escape(caption)}</figcaption></figure>"


def _rate_rows(d: ReportData, pub: dict[str, float]) -> pd.DataFrame:
    """The rates table as published: words, counts as text, rates of the published counts."""
    n = len(d.rates)
    num = np.array([pub[f"num:{i}"] for i in range(n)])
    den = np.array([pub[f"den:{i}"] for i in range(n)])
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return pd.DataFrame({"code": d.rates["outcome"].map(_code), "outcome": d.rates["outcome"].map(_outcome_words),
                         "num": num, "den": den, "rate": rate,
                         "numerator": published_texts(num), "denominator": published_texts(den),
                         "rate_text": published_rates(num, den),
                         "denominator in words": d.rates["denominator_description"]})


def _small(den: float, dc: bool) -> bool:
    """Whether a published denominator gets the small-number caution (a rounded 30 may be 28)."""
    return not np.isnan(den) and 0 < den and (den <= SMALL_DENOMINATOR if dc else den < SMALL_DENOMINATOR)


def _headline(d: ReportData, pub: dict[str, float]) -> str:
    dc = d.disclosure_control
    rows = _rate_rows(d, pub)
    rows = rows[rows["code"].isin(_HEADLINE) & ~d.rates["outcome"].str.endswith((M192_SUFFIX, _AT_CASENESS_SUFFIX))]
    rows = rows.set_index("code").reindex([c for c in _HEADLINE if c in set(rows["code"])]).reset_index()
    small = [_small(v, dc) for v in rows["den"]]
    table = pd.DataFrame({"outcome": rows["outcome"], "of whom": rows["code"].map(_WHO),
                          "people": rows["numerator"], "out of": rows["denominator"], "rate": rows["rate_text"],
                          "caution": ["small number" if s else "" for s in small]})
    parts = ["<section id='headline' class='headline' aria-labelledby='headline-title'>"
             "<h2 id='headline-title'>In one minute</h2>",
             _table(table, "The rates that matter (numerator out of denominator)", ("people", "out of", "rate"))]
    if any(small):
        limit = f"{SMALL_DENOMINATOR} or fewer (as rounded)" if dc else f"fewer than {SMALL_DENOMINATOR}"
        parts.append(
            f"<p class='caution'><strong>Small numbers.</strong> Where a denominator is {limit}, one "
            f"person more or fewer moves the rate by more than {100 / SMALL_DENOMINATOR:.1f} percentage "
            "points, and chance alone (which people happened to be referred this time) could shift it by "
            "far more: read those rates as rough, and do not compare them with other services.</p>")
    referred, judged = _texts(pub, ["funnel:referred", "funnel:finished_paired"])
    parts.append(
        "<h3>What these rates cannot show</h3><ul>"
        "<li><strong>No comparison group:</strong> nothing here says what would have happened without "
        "treatment; some people improve anyway, and people selected on a high first score tend to score "
        "lower next time.</li>"
        "<li><strong>Self-report:</strong> every outcome is a questionnaire score, often completed with the "
        "therapist present; none is a blind diagnostic interview.</li>"
        f"<li><strong>Who is missing:</strong> of {referred} referrals, {judged} finished a course with "
        "paired scores; everyone else (never started, left early, no last score) is in no rate.</li></ul>"
        "<p>Details: <a href='#rates'>all rates</a>, <a href='#funnel'>who dropped out where</a>, "
        "<a href='#limits'>what this report cannot show</a>.</p></section>")
    return "".join(parts)


def _rates_section(d: ReportData, pub: dict[str, float], ids: Iterator[str]) -> str:
    rows = _rate_rows(d, pub)
    words = d.rates["outcome"].map(_code).map(OUTCOME_MEANINGS).fillna("")
    table = pd.DataFrame({"outcome": rows["outcome"], "meaning": words, "numerator": rows["numerator"],
                          "denominator": rows["denominator"], "rate": rows["rate_text"],
                          "denominator in words": rows["denominator in words"]})
    label = rows["numerator"] + "/" + rows["denominator"] + " (" + rows["rate_text"] + ")"
    svg = bar_chart_svg(
        rows["outcome"].tolist(), rows["rate"].tolist(), label.tolist(), percent=True, axis_title="rate",
        title="Outcome rates", id_prefix=next(ids),
        description="Outcome rates. " + "; ".join(rows["outcome"] + ": " + rows["numerator"] + "/"
                                                  + rows["denominator"] + " = " + rows["rate_text"]))
    caption = ("Each bar is numerator / denominator. Recovery has two published denominators: finishers "
               "with paired scores at caseness at first (the iaptlab default), and NHS Digital measure M192, "
               "all finishers minus those known not to be at caseness at first.")
    return ("<section id='rates'><h2>Outcome rates</h2>"
            + _figure(svg, _table(table, "Outcome rates", ("numerator", "denominator", "rate")), caption)
            + "</section>")


def _funnel_section(d: ReportData, pub: dict[str, float], ids: Iterator[str]) -> str:
    keys = [f"funnel:{s}" for s in d.funnel["stage"]]
    values = np.array([pub[k] for k in keys])
    counts = published_texts(values)
    share = published_rates(values, np.full(len(values), values[0]))
    stages = d.funnel["stage"].map(FUNNEL_STAGE_LABELS)
    table = pd.DataFrame({"stage": stages, "count": counts, "% of referrals": share})
    if not values[0] > 0:
        return ("<section id='funnel'><h2>Attrition funnel</h2><p>No valid referrals, so no funnel.</p>"
                + _table(table, "Attrition funnel", ("count", "% of referrals")) + "</section>")
    labels = pd.Series([f"{c} ({s} of referrals)" for c, s in zip(counts, share, strict=True)])
    svg = bar_chart_svg(stages.tolist(), np.nan_to_num(values, nan=0.0).tolist(), labels.tolist(),
                        title="Attrition funnel", id_prefix=next(ids),
                        description="Attrition funnel. " + "; ".join(stages + ": " + labels))
    caption = ("Each stage is a subset of the one before. Only the last three stages enter an outcome "
               "rate; everyone else is in no numerator and no denominator.")
    return ("<section id='funnel'><h2>Attrition funnel</h2>"
            + _figure(svg, _table(table, "Attrition funnel", ("count", "% of referrals")), caption)
            + "</section>")


def _score_figure(d: ReportData, pub: dict[str, float], name: str, ids: Iterator[str]) -> str:
    inst = instruments.lookup(name)
    scores = d.scores[name]["score"]
    first = np.array([pub[f"{name}:first:{s}"] for s in scores])
    last = np.array([pub[f"{name}:last:{s}"] for s in scores])
    table = pd.DataFrame({"score": scores, "first": published_texts(first), "last": published_texts(last)})
    table_html = _table(table, f"{name}: episodes at each score", ("first", "last"))
    drawn = np.concatenate([first[:-1], last[:-1]])
    if not np.nansum(drawn) > 0 and not np.isnan(drawn).any():
        return f"<h3>{escape(name)}</h3><p>No {escape(name)} scores in the valid rows.</p>{table_html}"
    valid = published_texts([pub["valid"]])[0]
    miss_first, miss_last = table["first"].iloc[-1], table["last"].iloc[-1]
    sign = "≥" if inst.caseness_comparison == ">=" else ">"
    hidden = (" Counts rounded to 5; bars of * (1-7 episodes, or hidden to protect another count) are not "
              "drawn." if d.disclosure_control else "")
    svg = score_histogram_svg(  # NaN (suppressed) and 0 draw no bar
        first[:-1].tolist(), last[:-1].tolist(), inst, title=f"{name} scores, first vs last", id_prefix=next(ids),
        subtitle=f"Dashed line: caseness {sign} {inst.caseness:g}; missing scores are in the table."
        + hidden,
        description=(f"{name} scores, first vs last, of {valid} valid referrals. First: {miss_first} missing; "
                     f"Last: {miss_last} missing." + hidden + " Every count is in the table beside the chart."))
    caption = (f"{name} totals of the valid referrals: first score (top) and last score (bottom); "
               "the dashed line marks caseness. Missing scores are counted in the table.")
    return f"<h3>{escape(name)}</h3>" + _figure(svg, table_html, caption)


def _header(d: ReportData) -> str:
    notice = ""
    if d.disclosure_control:
        notice = (f"<p class='notice'>Disclosure control is on: counts from 1 to {SUPPRESS_UP_TO} are shown "
                  f"as {SUPPRESSED} and the rest are rounded to the nearest {ROUND_TO}. "
                  "<a href='#disclosure'>The rule and its sources</a>.</p>")
    return (f"<header><h1>{escape(d.title)}</h1><p class='meta'>File: <strong>{escape(d.file_name)}</strong>"
            f" · generated {escape(d.generated)} · iaptlab {escape(__version__)} · rules: "
            f"{escape(d.rules.name)}</p>{notice}</header>")


def _rows_section(d: ReportData, pub: dict[str, float]) -> str:
    read, valid, excluded = _texts(pub, ["rows_read", "valid", "excluded"])
    counts = pd.DataFrame({"rows": ["read from the file", "valid (used)", "excluded"],
                           "count": [read, valid, excluded]})
    parts = ["<section id='counts'><h2>Rows</h2>", _table(counts, "Rows read, used and excluded", ("count",))]
    if d.excluded_count:
        parts.append(_excluded(d, pub))
    used = d.anxiety_used
    if len(used):
        parts.append(_table(pd.DataFrame({"anxiety measure": used.index,
                                          "finished with paired scores": _texts(pub, [f"anxiety:{m}" for m in used.index])}),
                            "Anxiety measure used alongside PHQ-9", ("finished with paired scores",)))
    parts.append("</section>")
    return "".join(parts)


def _excluded(d: ReportData, pub: dict[str, float]) -> str:
    if d.disclosure_control:
        per = d.excluded_by_column
        return ("<p>Excluded rows are not listed one by one under disclosure control.</p>"
                + _table(pd.DataFrame({"column": per.index,
                                       "rows with a problem": _texts(pub, [f"excluded_column:{c}" for c in per.index])}),
                         "Excluded rows by column with a problem", ("rows with a problem",)))
    shown = d.excluded.head(EXCLUDED_LISTED)
    rest = d.excluded_count - len(shown)
    more = f"<p>… and {rest:,} more excluded rows not listed.</p>" if rest else ""
    return _table(shown.rename(columns={EXCLUDED_REASON: "reason"}),
                  f"Excluded rows (spreadsheet row numbers; first {EXCLUDED_LISTED})", ("row",)) + more


def _rules_section(d: ReportData) -> str:
    r = d.rules
    denominator = DENOMINATOR_DESCRIPTIONS[r.denominator].format(n=r.min_treatment_contacts)
    items = [f"Finished a course: at least {r.min_treatment_contacts} attended treatment contacts.",
             "Paired: first and last scores on PHQ-9 and on the anxiety measure used.",
             "At caseness at first: either first score meets its caseness rule; recovered: at caseness at "
             "first and both last scores below caseness.",
             "Reliable improvement: a drop meeting the reliable-change rule on either measure and no rise "
             "meeting it on either.",
             f"Recovery denominator used for 'recovered': {denominator}.",
             "Anxiety measure: " + ("an anxiety-disorder-specific measure (ADSM) when both its scores "
                                    "exist, otherwise GAD-7." if r.use_adsm else "GAD-7 for everyone.")]
    return ("<section id='rules'><h2>Rules used: " + escape(r.name) + "</h2><ul>"
            + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
            + _table(rules_table(r), "Thresholds")
            + "<p>For reliable change, a change is a drop (improvement) or a rise (deterioration).</p>" + "</section>")


def _limits_section(d: ReportData, pub: dict[str, float]) -> str:
    if d.interviewed is None:
        blind = ("<strong>No blind diagnostic assessment.</strong> The file holds questionnaire scores only. "
                 "Whether anyone still meets diagnostic criteria at the end would need a standardised "
                 "diagnostic interview by an assessor who does not know the treatment; "
                 "'recovery' here means questionnaire scores below a cut-off, a different thing.")
    else:
        blind = (f"<strong>Diagnostic interviews.</strong> The file has interview results for "
                 f"{_texts(pub, ['interviewed'])[0]} finishers who met criteria at the first interview; "
                 "their loss of diagnosis is in the rates table. Whether the interviewers were blind to "
                 "treatment cannot be checked from the file.")
    if d.therapist_present is None:
        present = ("<strong>Who was in the room is unknown.</strong> The file does not say whether the last "
                   "questionnaires were completed with the therapist present, so the effect of wanting "
                   "to please the therapist (demand characteristics) cannot be examined.")
    else:
        yes, no, unknown = _texts(pub, ["therapist:yes", "therapist:no", "therapist:unknown"])
        present = ("<strong>Therapist present.</strong> Among finishers with paired scores, the last "
                   f"questionnaire was completed with the therapist present for {yes}, without for {no}, "
                   f"and not recorded for {unknown}. A difference between these groups is not a causal "
                   "effect: they may differ in other ways.")
    items = [
        blind,
        "<strong>No comparison group.</strong> Nothing here says what would have happened without "
        "treatment. In adult primary-care samples with untreated major depression, about 23% remit "
        "within 3 months (Whiteford et al., 2013). And because 'recovery' requires a first score at or above a "
        "cut-off, people selected on a high score tend to score lower next time even without any change "
        "(regression to the mean). A rate here counts everyone whose scores fell, for whatever reason; "
        "it is not an estimate of what treatment added.",
        present,
        "<strong>Two questionnaires only.</strong> Outcomes use PHQ-9 and one anxiety measure; other "
        "problems, functioning and wellbeing are not measured.",
        "<strong>Only finishers with paired scores are judged.</strong> Referrals who never started, "
        "left after one contact or lack a last score are in no rate; the funnel shows how many.",
    ]
    return ("<section id='limits'><h2>What this report cannot show</h2><ul>"
            + "".join(f"<li>{i}</li>" for i in items) + "</ul></section>")


def _disclosure_section(d: ReportData) -> str:
    if not d.disclosure_control:
        return ""
    return ("<section id='disclosure'><h2>Disclosure control</h2>"
            f"<p>{escape(DISCLOSURE_RULE)}</p>"
            "<p>The thresholds (suppress 1 to 7, round the rest to the nearest 5) are those of OpenSAFELY's "
            "published disclosure control for NHS patient records (Dillingham, 2023). NHS Digital also "
            "suppresses low numbers in its IAPT publications (NHS Digital, 2019), but the thresholds it "
            "applies were not confirmed for this tool: check your organisation's own rule before "
            "publishing this report.</p></section>")


def _references(d: ReportData) -> str:
    cited = CITED + (DISCLOSURE_SOURCES if d.disclosure_control else ())
    return ("<section id='references'><h2>Sources</h2><ul>"
            + "".join(f"<li>{escape(reference(k))}</li>" for k in cited)
            + "<li>Outcome definitions (caseness, finishing, paired scores, recovery, reliable change, "
              "measure M192) follow the NHS Digital guide as quoted by The Strategy Unit.</li></ul></section>")


def render(d: ReportData) -> str:
    """The whole report as an HTML5 document (see :mod:`iaptlab.report`).

    The page opens with the headline box (the rates that matter, with their counts, cautions and
    limits), then the detail. Every count it shows comes from :func:`published_counts`.
    """
    pub = published_counts(d)
    ids = (f"c{i}" for i in itertools.count(1))
    body = [_headline(d, pub), _rates_section(d, pub, ids), _funnel_section(d, pub, ids),
            _rows_section(d, pub), "<section id='scores'><h2>First and last scores</h2>"]
    if len(d.valid):
        body += [_score_figure(d, pub, "PHQ-9", ids), _score_figure(d, pub, "GAD-7", ids)]
    else:
        body.append("<p>No valid referrals, so no score distributions.</p>")
    body += ["</section>", _rules_section(d), _limits_section(d, pub), _disclosure_section(d), _references(d)]
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(d.title)} – {escape(d.file_name)}</title><style>{STYLE}</style></head>"
            f"<body>{_header(d)}<main>{''.join(body)}</main>"
            f"<footer><p>Made with iaptlab {escape(__version__)}.</p></footer></body></html>\n")


def build_report(source: str | Path, *, rules: Rules = IAPT, skip_invalid: bool = False,
                 disclosure_control: bool = False, title: str | None = None,
                 generated: str | dt.date | None = None, columns: dict[str, str] | None = None) -> str:
    """Read, validate and classify an episode CSV (or a contact CSV, turned into episodes); return
    the report as one HTML document.

    Invalid rows raise :class:`~iaptlab.errors.InputError` (every problem, with row and column)
    unless ``skip_invalid``, when they are listed in the report instead (a file with no valid row
    still raises). ``columns`` maps the file's column names to iaptlab's.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "e.csv"
    >>> _ = path.write_text("episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last\\n"
    ...                     "A,6,16,6,12,4\\n")
    >>> build_report(path, generated="2026-01-01").startswith("<!DOCTYPE html>")
    True
    """
    path = Path(source)
    loaded = read_input_file(path, columns).table
    checked = validate(loaded.frame, decimal_comma=loaded.decimal_comma, rows=loaded.rows)
    if not checked.ok and not skip_invalid:
        raise checked.error()
    if len(checked.table) == 0 and checked.invalid_rows:
        err = checked.error()
        raise InputError([*err.problems[:99], Problem(None, None, f"no valid rows: all {checked.invalid_rows:,} "
                                                      "rows have problems; there is nothing to report on")],
                         more=err.more)
    data = report_data(checked, file_name=path.name, rules=rules, disclosure_control=disclosure_control,
                       title=title, generated=generated)
    return render(data)
