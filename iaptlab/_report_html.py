"""HTML for :mod:`iaptlab.report`: one document, one ``<style>``, inline SVG charts, no script.

Every chart comes from :mod:`iaptlab.charts`, rendered to SVG offline by vl-convert, labelled for
screen readers (``role="img"``, ``aria-label`` and ``<title>`` from the chart's description) and
placed beside a table of the same numbers. Under disclosure control the charts' data and labels
are replaced by the disclosed counts, so no chart shows a number the tables hide.

>>> _svg({"mark": "point", "data": {"values": [{"a": 1}]},
...       "encoding": {"x": {"field": "a", "type": "quantitative"}}}, "one point").count('role="img"')
1
"""

from __future__ import annotations

import itertools
import re
from html import escape

import numpy as np
import pandas as pd

from . import __version__, charts
from .datasets import reference
from .outcomes import DENOMINATOR_WORDS
from .report import (
    DISCLOSURE_RULE,
    EXCLUDED_LISTED,
    FUNNEL_WORDS,
    M192_SUFFIX,
    OUTCOME_WORDS,
    ReportData,
    disclose,
    disclose_rates,
    rules_table,
    show_counts,
    show_rates,
)
from .schema import EXCLUDED_REASON

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


def _svg(spec: dict, label: str, prefix: str = "c") -> str:
    """Render a Vega-Lite spec to inline SVG with a role, an ARIA label and a ``<title>``."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)  # inline SVG in HTML needs no namespaces
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)  # ids unique across the page
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    label_text = escape(label)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{label_text}"', 1)
    end = svg.index(">") + 1
    return svg[:end] + f"<title>{label_text}</title>" + svg[end:]


def _spec(chart) -> dict:
    spec = chart.to_dict()
    config = charts.theme_config()["config"]
    config["axis"] = {**config["axis"], "labelLimit": 320}  # long outcome names stay whole
    spec["config"] = {**config, **{k: v for k, v in spec.get("config", {}).items() if k != "view"}}
    return spec


def _replace_data(spec: dict, records: list[dict]) -> None:
    (name,) = spec["datasets"]
    spec["datasets"][name] = records


def _replace_label(spec: dict, expression: str) -> None:
    found = 0
    for layer in spec.get("layer", []):
        for step in layer.get("transform", []):
            if step.get("as") == "_label":
                step["calculate"] = expression
                found += 1
    if not found:
        raise RuntimeError("chart layout changed: no _label to replace under disclosure control")


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


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


def _rates_section(d: ReportData, ids) -> str:
    dc = d.disclosure_control
    shown = disclose_rates(d.rates, dc)
    words = d.rates["outcome"].str.replace(M192_SUFFIX, "", regex=False).str.replace(
        " (at-caseness denominator)", "", regex=False).map(OUTCOME_WORDS).fillna("")
    table = pd.DataFrame({"outcome": shown["outcome"], "meaning": words, "numerator": shown["numerator"],
                          "denominator": shown["denominator"], "rate": shown["rate"],
                          "denominator in words": shown["denominator_description"]})
    chart = charts.rates_bar(d.rates[["outcome", "numerator", "denominator", "rate"]],
                             title="Outcome rates")
    spec = _spec(chart)
    label = spec["description"]
    if dc:
        hidden = shown["rate"].eq("*").to_numpy()
        data = d.rates[["outcome", "numerator", "denominator", "rate"]].assign(
            numerator=np.nan, denominator=np.nan, rate=d.rates["rate"].where(~hidden),
            _shown=shown["numerator"] + "/" + shown["denominator"] + " (" + shown["rate"] + ")")
        _replace_data(spec, _records(data))
        _replace_label(spec, "datum._shown")
        label = "Outcome rates (disclosure control). " + "; ".join(
            table["outcome"] + ": " + table["numerator"] + "/" + table["denominator"] + " = " + table["rate"])
        spec["description"] = label
    caption = ("Each bar is numerator / denominator. Recovery has two published denominators: finishers "
               "with paired scores at caseness at first (the iaptlab default), and NHS Digital measure M192, "
               "all finishers minus those known not to be at caseness at first.")
    return ("<section id='rates'><h2>Outcome rates</h2>"
            + _figure(_svg(spec, label, next(ids)), _table(table, "Outcome rates", ("numerator", "denominator",
                                                                                    "rate")), caption)
            + "</section>")


def _funnel_section(d: ReportData, ids) -> str:
    dc = d.disclosure_control
    f = d.funnel
    counts = show_counts(f["count"], dc)
    share = show_rates(f["count"], np.full(len(f), f["count"].iloc[0]), dc)
    table = pd.DataFrame({"stage": f["stage"].map(FUNNEL_WORDS), "count": counts, "% of referrals": share})
    if f["count"].iloc[0] == 0:
        return ("<section id='funnel'><h2>Attrition funnel</h2><p>No valid referrals, so no funnel.</p>"
                + _table(table, "Attrition funnel", ("count", "% of referrals")) + "</section>")
    chart = charts.funnel(pd.DataFrame({"stage": table["stage"], "count": f["count"]}), title="Attrition funnel")
    spec = _spec(chart)
    label = spec["description"]
    if dc:
        rounded = np.array([0 if c in ("*",) else int(c.replace(",", "")) for c in counts])
        data = pd.DataFrame({"stage": table["stage"], "count": rounded,
                             "share": (f["count"] / f["count"].iloc[0]).where(np.array(share) != "*"),
                             "_shown": [f"{c} ({s} of referrals)" for c, s in zip(counts, share, strict=True)]})
        _replace_data(spec, _records(data))
        _replace_label(spec, "datum._shown")
        label = "Attrition funnel (disclosure control). " + "; ".join(data["stage"] + ": " + data["_shown"])
        spec["description"] = label
    caption = ("Each stage is a subset of the one before. Only the last three stages enter an outcome "
               "rate; everyone else is in no numerator and no denominator.")
    return ("<section id='funnel'><h2>Attrition funnel</h2>"
            + _figure(_svg(spec, label, next(ids)), _table(table, "Attrition funnel", ("count", "% of referrals")),
                      caption) + "</section>")


def _score_figure(d: ReportData, name: str, ids) -> str:
    from .instruments import lookup

    inst = lookup(name)
    counts = d.scores[name]
    dc = d.disclosure_control
    table = pd.DataFrame({"score": counts["score"], "first": show_counts(counts["first"], dc),
                          "last": show_counts(counts["last"], dc)})
    table_html = _table(table, f"{name}: episodes at each score", ("first", "last"), scroll=True)
    if counts["first"].iloc[:-1].sum() + counts["last"].iloc[:-1].sum() == 0:
        return f"<h3>{escape(name)}</h3><p>No {escape(name)} scores in the valid rows.</p>{table_html}"
    spec = _spec(charts.score_histogram(d.valid[[f"{inst.key}_first", f"{inst.key}_last"]], inst))
    label = spec["description"]
    if dc:
        scored = counts.iloc[:-1]
        long = pd.DataFrame({
            "occasion": np.repeat(["First", "Last"], len(scored)),
            "bin_start": np.tile(scored["score"].astype(float).to_numpy(), 2),
            "count": np.concatenate([scored["first"], scored["last"]])})
        shown = disclose(long["count"])
        long["count"] = [0 if s == "*" else int(s.replace(",", "")) for s in shown]
        long["bin_end"] = long["bin_start"] + 1
        _replace_data(spec, _records(long[long["count"] > 0]))
        n_first, n_last = show_counts([scored["first"].sum(), scored["last"].sum()], True)
        miss_first, miss_last = show_counts(counts["first"].iloc[-1:].tolist()
                                            + counts["last"].iloc[-1:].tolist(), True)
        label = (f"{name} scores, first vs last (disclosure control). First: n={n_first}, {miss_first} "
                 f"missing; Last: n={n_last}, {miss_last} missing. Bars of 1-7 episodes are not drawn.")
        spec["description"] = label
        spec["title"]["subtitle"] = "Counts rounded to 5; bins of 1-7 episodes not drawn"
    caption = (f"{name} totals of the valid referrals: first score (top) and last score (bottom); "
               "the dashed line marks caseness. Missing scores are counted in the table.")
    return f"<h3>{escape(name)}</h3>" + _figure(_svg(spec, label, next(ids)), table_html, caption)


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
