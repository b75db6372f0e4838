"""A self-contained HTML report on a service's own episode file (``iaptlab report``).

The report holds counts, every outcome rate with its numerator and denominator, the attrition
funnel, the first and last score distributions, and what the data cannot show. Charts are inline
SVG (rendered offline by vl-convert, labelled for screen readers) each with a data table beside
it; there is no script and no external resource, so the file opens with the network unplugged.

``disclosure_control=True`` applies small-number suppression and rounding
(:mod:`iaptlab.disclosure`) to every count shown, in the tables and in the charts alike, so no
chart shows a number the tables hide.

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

from . import __version__, charts, instruments
from .datasets import reference
from .disclosure import DISCLOSURE_RULE, disclose, disclose_rates, show_counts, show_rates
from .episode_files import read_episode_file
from .errors import InputError, Problem
from .format import FUNNEL_STAGE_LABELS, OUTCOME_MEANINGS
from .outcomes import DENOMINATOR_WORDS, IAPT, Rules, classify, funnel, rates
from .schema import EXCLUDED_REASON, ROW, Validated, validate

__all__ = [
    "CITED",
    "EXCLUDED_LISTED",
    "M192_SUFFIX",
    "STYLE",
    "ReportData",
    "all_rates",
    "build_report",
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
.notice{border-left:4px solid #D55E00;background:#fff4ec;padding:.6rem 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.95rem}
caption{text-align:left;font-weight:600;padding-bottom:.3rem;white-space:nowrap}
th,td{border:1px solid #bbb;padding:.25rem .55rem;vertical-align:top}
th{background:#eef3f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start;margin:1rem 0}
figure svg{max-width:100%;height:auto}
figcaption{flex-basis:100%;color:#444;font-size:.9rem}
.scroll{max-height:34rem;overflow:auto}
li{margin-bottom:.4rem}
@media print{.scroll{max-height:none;overflow:visible}}
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
    """Everything the HTML shows, computed once (counts unrounded; the page applies disclosure)."""

    title: str
    file_name: str
    generated: str
    rules: Rules
    disclosure_control: bool
    rows_read: int
    valid: pd.DataFrame
    excluded: pd.DataFrame
    rates: pd.DataFrame
    funnel: pd.DataFrame
    scores: dict[str, pd.DataFrame]
    therapist_present: tuple[int, int, int] | None
    interviewed: int | None


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
    classified = classify(checked, rules, on_invalid="exclude")
    valid = classified[classified[EXCLUDED_REASON] == ""].reset_index(drop=True)
    stamp = generated if generated is not None else dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    eligible = (valid["finished"] & valid["paired"]).to_numpy(dtype=bool)
    therapist = None
    if "assessed_with_therapist" in valid.columns:
        flag = valid["assessed_with_therapist"].astype("boolean")[eligible]
        therapist = (int(flag.eq(True).sum()), int(flag.eq(False).sum()), int(flag.isna().sum()))
    interviewed = int(valid["interviewed"].sum()) if "interviewed" in valid.columns else None
    return ReportData(
        title=title or "Outcome report", file_name=file_name, generated=str(stamp), rules=rules,
        disclosure_control=disclosure_control, rows_read=len(checked.table) + len(checked.excluded),
        valid=valid, excluded=checked.excluded[[ROW, EXCLUDED_REASON]].reset_index(drop=True),
        rates=all_rates(valid, rules), funnel=funnel(valid),
        scores={inst.name: score_counts(valid, inst) for inst in (instruments.PHQ9, instruments.GAD7)},
        therapist_present=therapist, interviewed=interviewed)


def _table(df: pd.DataFrame, caption: str, numeric: tuple[str, ...] = (), scroll: bool = False) -> str:
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in df.columns)
    body = []
    for row in df.itertuples(index=False):  # formatting a few dozen display rows, not data rows
        cells = "".join(f'<td class="n">{escape(str(v))}</td>' if c in numeric else f"<td>{escape(str(v))}</td>"
                        for c, v in zip(df.columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    html = (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")
    return f'<div class="scroll">{html}</div>' if scroll else html


def _figure(svg: str, table: str, caption: str) -> str:
    return f"<figure>{svg}{table}<figcaption>{escape(caption)}</figcaption></figure>"


def _rates_section(d: ReportData, ids: Iterator[str]) -> str:
    dc = d.disclosure_control
    shown = disclose_rates(d.rates, dc)
    words = d.rates["outcome"].str.replace(M192_SUFFIX, "", regex=False).str.replace(
        _AT_CASENESS_SUFFIX, "", regex=False).map(OUTCOME_MEANINGS).fillna("")
    table = pd.DataFrame({"outcome": shown["outcome"], "meaning": words, "numerator": shown["numerator"],
                          "denominator": shown["denominator"], "rate": shown["rate"],
                          "denominator in words": shown["denominator_description"]})
    counts = d.rates[["outcome", "numerator", "denominator", "rate"]]
    if dc:  # bars and labels from the disclosed numbers; hidden counts are not drawn
        hidden = shown["rate"].eq("*").to_numpy()
        chart = charts.rates_bar_with_labels(
            counts.assign(numerator=np.nan, denominator=np.nan, rate=d.rates["rate"].where(~hidden),
                          label=shown["numerator"] + "/" + shown["denominator"] + " (" + shown["rate"] + ")"),
            title="Outcome rates",
            description="Outcome rates (disclosure control). " + "; ".join(
                table["outcome"] + ": " + table["numerator"] + "/" + table["denominator"] + " = "
                + table["rate"]))
    else:
        chart = charts.rates_bar(counts, title="Outcome rates")
    caption = ("Each bar is numerator / denominator. Recovery has two published denominators: finishers "
               "with paired scores at caseness at first (the iaptlab default), and NHS Digital measure M192, "
               "all finishers minus those known not to be at caseness at first.")
    return ("<section id='rates'><h2>Outcome rates</h2>"
            + _figure(charts.inline_svg(chart, next(ids)),
                      _table(table, "Outcome rates", ("numerator", "denominator", "rate")), caption)
            + "</section>")


def _funnel_section(d: ReportData, ids: Iterator[str]) -> str:
    dc = d.disclosure_control
    f = d.funnel
    counts = show_counts(f["count"], dc)
    share = show_rates(f["count"], np.full(len(f), f["count"].iloc[0]), dc)
    table = pd.DataFrame({"stage": f["stage"].map(FUNNEL_STAGE_LABELS), "count": counts,
                          "% of referrals": share})
    if f["count"].iloc[0] == 0:
        return ("<section id='funnel'><h2>Attrition funnel</h2><p>No valid referrals, so no funnel.</p>"
                + _table(table, "Attrition funnel", ("count", "% of referrals")) + "</section>")
    if dc:  # bars as long as the rounded counts, suppressed ones at 0
        labels = pd.Series([f"{c} ({s} of referrals)" for c, s in zip(counts, share, strict=True)])
        chart = charts.funnel_with_labels(
            pd.DataFrame({"stage": table["stage"],
                          "count": [0 if c == "*" else int(c.replace(",", "")) for c in counts],
                          "share": (f["count"] / f["count"].iloc[0]).where(np.array(share) != "*"),
                          "label": labels}),
            title="Attrition funnel",
            description="Attrition funnel (disclosure control). " + "; ".join(table["stage"] + ": " + labels))
    else:
        chart = charts.funnel(pd.DataFrame({"stage": table["stage"], "count": f["count"]}),
                              title="Attrition funnel")
    caption = ("Each stage is a subset of the one before. Only the last three stages enter an outcome "
               "rate; everyone else is in no numerator and no denominator.")
    return ("<section id='funnel'><h2>Attrition funnel</h2>"
            + _figure(charts.inline_svg(chart, next(ids)),
                      _table(table, "Attrition funnel", ("count", "% of referrals")), caption)
            + "</section>")


def _score_figure(d: ReportData, name: str, ids: Iterator[str]) -> str:
    inst = instruments.lookup(name)
    counts = d.scores[name]
    dc = d.disclosure_control
    table = pd.DataFrame({"score": counts["score"], "first": show_counts(counts["first"], dc),
                          "last": show_counts(counts["last"], dc)})
    table_html = _table(table, f"{name}: episodes at each score", ("first", "last"), scroll=True)
    if counts["first"].iloc[:-1].sum() + counts["last"].iloc[:-1].sum() == 0:
        return f"<h3>{escape(name)}</h3><p>No {escape(name)} scores in the valid rows.</p>{table_html}"
    if dc:  # bars of the rounded counts; bins of 1-7 episodes are not drawn
        scored = counts.iloc[:-1]
        long = pd.DataFrame({
            "occasion": np.repeat(["First", "Last"], len(scored)),
            "bin_start": np.tile(scored["score"].astype(float).to_numpy(), 2),
            "count": np.concatenate([scored["first"], scored["last"]])})
        long["count"] = [0 if s == "*" else int(s.replace(",", "")) for s in disclose(long["count"])]
        long["bin_end"] = long["bin_start"] + 1
        n_first, n_last = show_counts([scored["first"].sum(), scored["last"].sum()], True)
        miss_first, miss_last = show_counts([counts["first"].iloc[-1], counts["last"].iloc[-1]], True)
        chart = charts.score_histogram_from_counts(
            long[long["count"] > 0], inst,
            subtitle="Counts rounded to 5; bins of 1-7 episodes not drawn",
            description=(f"{name} scores, first vs last (disclosure control). First: n={n_first}, "
                         f"{miss_first} missing; Last: n={n_last}, {miss_last} missing. Bars of 1-7 "
                         "episodes are not drawn."))
    else:
        chart = charts.score_histogram(d.valid[[f"{inst.key}_first", f"{inst.key}_last"]], inst)
    caption = (f"{name} totals of the valid referrals: first score (top) and last score (bottom); "
               "the dashed line marks caseness. Missing scores are counted in the table.")
    return f"<h3>{escape(name)}</h3>" + _figure(charts.inline_svg(chart, next(ids)), table_html, caption)


def _header(d: ReportData) -> str:
    dc = d.disclosure_control
    read, valid, excluded = show_counts([d.rows_read, len(d.valid), len(d.excluded)], dc)
    notice = f"<p class='notice'>{escape(DISCLOSURE_RULE)}</p>" if dc else ""
    counts = pd.DataFrame({"rows": ["read from the file", "valid (used)", "excluded"],
                           "count": [read, valid, excluded]})
    parts = [f"<header><h1>{escape(d.title)}</h1><p class='meta'>File: <strong>{escape(d.file_name)}</strong>"
             f" · generated {escape(d.generated)} · iaptlab {escape(__version__)} · rules: "
             f"{escape(d.rules.name)}</p>{notice}</header>",
             "<section id='counts'><h2>Rows</h2>", _table(counts, "Rows read, used and excluded", ("count",))]
    if len(d.excluded):
        parts.append(_excluded(d))
    eligible = d.valid[(d.valid["finished"] & d.valid["paired"]).to_numpy(dtype=bool)]
    used = eligible["anxiety_measure"].value_counts().loc[lambda s: s > 0]
    if len(used):
        parts.append(_table(pd.DataFrame({"anxiety measure": used.index.astype(str),
                                          "finished with paired scores": show_counts(used.to_numpy(), dc)}),
                            "Anxiety measure used alongside PHQ-9", ("finished with paired scores",)))
    parts.append("</section>")
    return "".join(parts)


def _excluded(d: ReportData) -> str:
    if d.disclosure_control:
        columns = d.excluded[EXCLUDED_REASON].str.extractall(r"(?:^|; )([\w]+):")[0]
        per = columns.groupby(level=0).unique().explode().value_counts().sort_index()
        return ("<p>Excluded rows are not listed one by one under disclosure control.</p>"
                + _table(pd.DataFrame({"column": per.index, "rows with a problem": show_counts(per.to_numpy(), True)}),
                         "Excluded rows by column with a problem", ("rows with a problem",)))
    shown = d.excluded.head(EXCLUDED_LISTED)
    rest = len(d.excluded) - len(shown)
    more = f"<p>… and {rest:,} more excluded rows not listed.</p>" if rest else ""
    return _table(shown.rename(columns={EXCLUDED_REASON: "reason"}),
                  f"Excluded rows (spreadsheet row numbers; first {EXCLUDED_LISTED})", ("row",), scroll=True) + more


def _rules_section(d: ReportData) -> str:
    r = d.rules
    denominator = DENOMINATOR_WORDS[r.denominator].format(n=r.min_treatment_contacts)
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


def _limits_section(d: ReportData) -> str:
    dc = d.disclosure_control
    if d.interviewed is None:
        blind = ("<strong>No blind diagnostic assessment.</strong> The file holds questionnaire scores only. "
                 "Whether anyone still meets diagnostic criteria at the end would need a standardised "
                 "diagnostic interview by an assessor who does not know the treatment; "
                 "'recovery' here means questionnaire scores below a cut-off, a different thing.")
    else:
        blind = (f"<strong>Diagnostic interviews.</strong> The file has interview results for "
                 f"{show_counts([d.interviewed], dc)[0]} finishers who met criteria at the first interview; "
                 "their loss of diagnosis is in the rates table. Whether the interviewers were blind to "
                 "treatment cannot be checked from the file.")
    if d.therapist_present is None:
        present = ("<strong>Who was in the room is unknown.</strong> The file does not say whether the last "
                   "questionnaires were completed with the therapist present, so the effect of wanting "
                   "to please the therapist (demand characteristics) cannot be examined.")
    else:
        yes, no, unknown = show_counts(list(d.therapist_present), dc)
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


def _references() -> str:
    return ("<section id='references'><h2>Sources</h2><ul>"
            + "".join(f"<li>{escape(reference(k))}</li>" for k in CITED)
            + "<li>Outcome definitions (caseness, finishing, paired scores, recovery, reliable change, "
              "measure M192) follow the NHS Digital guide as quoted by The Strategy Unit.</li></ul></section>")


def render(d: ReportData) -> str:
    """The whole report as an HTML5 document (see :mod:`iaptlab.report`)."""
    ids = (f"c{i}" for i in itertools.count(1))
    body = [_header(d), _rules_section(d), _rates_section(d, ids), _funnel_section(d, ids),
            "<section id='scores'><h2>First and last scores</h2>"]
    if len(d.valid):
        body += [_score_figure(d, "PHQ-9", ids), _score_figure(d, "GAD-7", ids)]
    else:
        body.append("<p>No valid referrals, so no score distributions.</p>")
    body += ["</section>", _limits_section(d), _references(),
             f"<footer><p>Made with iaptlab {escape(__version__)}.</p></footer>"]
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(d.title)} – {escape(d.file_name)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def build_report(source: str | Path, *, rules: Rules = IAPT, skip_invalid: bool = False,
                 disclosure_control: bool = False, title: str | None = None,
                 generated: str | dt.date | None = None, columns: dict[str, str] | None = None) -> str:
    """Read, validate and classify an episode CSV; return the report as one HTML document.

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
    loaded = read_episode_file(path, columns)
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
