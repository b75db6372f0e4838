"""The lessons' and explorers' own charts (built on the shared theme and :func:`refill`).

Explorer charts (each refills a template built once, :func:`iaptlab.charts.refill`):
:func:`stages_chart` (00), :func:`definitions_chart` (02), :func:`scenario_rates_chart` (05),
:func:`funnel_chart` (06), :func:`change_chart` (08). Lesson charts of published evidence:
:func:`trial_evidence_chart` (03, :func:`iaptlab.demand.trial_evidence`) and
:func:`observer_bias_chart` (04, :func:`iaptlab.predictive_values.observer_bias_table`). Every
chart's description states every number it draws.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ..demand import SHOWN as DEMAND_SHOWN
from ..example_cases import STAGES as EXAMPLE_STAGES
from ..format import money_text, percent_text
from ..national import STAGES
from ..predictive_values import observer_bias_table
from .layout import refill
from .rates import rates_bar
from .theme import PALETTE

#: An axis ``labelExpr`` that puts the words after a label's first ": " on a second line.
_BREAK_AFTER_COLON = "split(replace(datum.label, ': ', ':\\n'), '\\n')"

__all__ = ["change_chart", "definitions_chart", "demand_chart", "funnel_chart", "observer_bias_chart", "scenario_rates_chart",
           "stages_chart", "trial_evidence_chart"]



def trial_evidence_chart(evidence: pd.DataFrame):
    """Each trial meta-analysis's difference in Hedges' g with its 95% CI, zero marked.

    ``evidence`` is :func:`trial_evidence`'s output; the chart's description states every number.
    """

    summary = "; ".join(f"{r.label}: {r.estimate:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})"
                        for r in evidence.itertuples())  # a handful of published rows, not episodes
    title = "In trials, clinician ratings show larger effects than self-report"
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=420))
    base = alt.Chart(evidence).encode(y=y)
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title="difference in Hedges' g (clinician-rated minus self-report)",
                scale=alt.Scale(domain=[-0.1, 0.5]), axis=alt.Axis(format=".1f", tickCount=6)),
        x2="ci_high:Q")
    point = base.mark_point(filled=True, size=90, shape="diamond", color=PALETTE[0],
                            opacity=1).encode(
        x="estimate:Q", tooltip=["study:N", "subset:N", "estimate:Q", "ci_low:Q", "ci_high:Q"])
    text = base.mark_text(dy=-10).encode(x="estimate:Q", text=alt.Text("estimate:Q", format=".2f"))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    return alt.layer(zero, interval, point, text).properties(
        width=420, title=alt.Title(title, subtitle="Source: dataset assessment_bias (95% CIs); "
                                   "right of the dashed line = larger effect on the clinician's rating"),
        description=f"{title}. Difference in Hedges' g, clinician-rated minus self-report, 95% CI. "
                    f"{summary}")


def observer_bias_chart(bias: pd.DataFrame | None = None):
    """Points with interval bars on a log scale, a line at 1 (no bias), design shown by shape."""
    data = observer_bias_table() if bias is None else bias
    summary = "; ".join(f"{r.label}: {r.estimate:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})"
                        for r in data.itertuples())
    x_scale = alt.Scale(type="log", domain=[0.3, 2])
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=420))
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", scale=x_scale, title="ratio of odds ratios (below 1 = unblinded "
                                                  "looks better for the treatment)"),
        x2="ci_high:Q")
    points = base.mark_point(size=110, filled=True).encode(
        x=alt.X("estimate:Q", scale=x_scale),
        shape=alt.Shape("design:N", legend=alt.Legend(orient="bottom", title=None, labelLimit=400)),
        color=alt.Color("design:N", legend=alt.Legend(orient="bottom", title=None, labelLimit=400)))
    labels = base.mark_text(align="left", dx=8, dy=-9).encode(
        x=alt.X("estimate:Q", scale=x_scale), text=alt.Text("estimate:Q", format=".2f"))
    no_bias = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="black").encode(
        x=alt.X("x:Q", scale=x_scale))
    title = "Blinding and treatment effects: within-trial vs between-trial evidence"
    return alt.layer(no_bias, bars, points, labels).properties(
        width=380, title=alt.Title(title, subtitle="Source: bundled dataset assessment_bias "
                                   "(Hróbjartsson et al. 2012; Moustgaard et al. 2020)"),
        description=f"{title}. Ratio of odds ratios with intervals, log scale, 1 = no difference. "
                    f"{summary}.")


@lru_cache(maxsize=8)
def _example_stages_template(referred: int):
    """The chart without data, title or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""

    base = alt.Chart().encode(
        y=alt.Y("stage:N", sort=list(EXAMPLE_STAGES), title=None,  # breaks after the colon, never cut
                axis=alt.Axis(labelLimit=0, labelExpr=_BREAK_AFTER_COLON)),
        tooltip=[alt.Tooltip("stage:N"), alt.Tooltip("count:Q")])
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("count:Q", title="referrals", scale=alt.Scale(domain=[0, max(referred, 1)]),
                axis=alt.Axis(tickMinStep=1, format="d", grid=False)))
    text = base.mark_text(align="left", dx=4).encode(x=alt.X("count:Q"), text=alt.Text("label:N"))
    return alt.layer(bars, text).properties(width=300)


def stages_chart(stages: pd.DataFrame, subtitle: str):
    """Bars of the funnel counts, each labelled; "recovered" is labelled as a share of the denominator.

    >>> from iaptlab.example_cases import case_table, example_episodes, stage_counts
    >>> from iaptlab.outcomes import classify
    >>> stages_chart(stage_counts(case_table(classify(example_episodes()))), "").to_dict()["description"][:46]
    'Who counts as recovered among the 12 example r'
    """

    count = stages["count"].to_numpy()
    referred, denominator, recovered = int(count[0]), int(count[3]), int(count[4])
    labels = [f"{c} of {referred}" for c in count[:-1]]
    labels.append(f"{recovered} of the {denominator} in the denominator = {recovered / denominator:.0%}"
                  if denominator else f"{recovered} (no denominator: no rate)")
    title = f"Who counts as recovered among the {referred} example referrals"
    description = f"{title}. " + "; ".join(
        f"{stage}: {label}" for stage, label in zip(stages["stage"], labels, strict=True))
    return refill(_example_stages_template(referred), stages.assign(label=labels),
                  title=alt.Title(title, subtitle=subtitle), description=description)


def definitions_chart(table: pd.DataFrame, *, n_referrals: int | None = None):
    """The table as labelled bars (``charts.rates_bar``), one per definition."""

    source = "simulated IAPT-like cohort" + (f" of {n_referrals:,} referrals" if n_referrals else "")
    return rates_bar(table.rename(columns={"definition": "outcome"}),
                            title="Same people, different definitions of recovery", source=source)


def demand_chart(tidy: pd.DataFrame, *, n_referrals: int):
    """:func:`iaptlab.demand.demand_rates` as grouped bars, without and with demand; the legend sits
    below, because the right-hand side holds the bar labels.

    >>> from iaptlab.demand import demand_inputs, demand_rates
    >>> demand_chart(demand_rates(demand_inputs(2_000)), n_referrals=2_000).to_dict()["config"]["legend"]
    {'orient': 'bottom'}
    """
    chart = rates_bar(
        tidy.assign(outcome=pd.Series([DEMAND_SHOWN.get(o) for o in tidy["outcome"].tolist()], dtype="str",
                                      index=tidy.index)),  # Series.map costs a move ~0.5 ms
        title="Same people, same true change: what the forms report",
        source=(f"simulated IAPT-like cohort of {n_referrals:,} referrals; demand settings are "
                "assumptions, not measurements"))
    return _legend_below(chart)


def _legend_below(chart, **legend):
    """``chart.configure_legend(orient="bottom", **legend)`` without its deep copy of every layer
    (a few ms a move, and the copy's layers are no longer the template's, so the live chart must
    serialise them to compare): ``chart`` is a fresh refilled copy, its config is its own."""
    chart.config = _legend_below_config(tuple(sorted(legend.items())))
    return chart


@lru_cache(maxsize=8)
def _legend_below_config(legend: tuple[tuple[str, object], ...]) -> alt.Config:
    """The config of :func:`_legend_below`, one object per legend (never changed once made): every
    move's chart then holds the very same config, which the live chart sees without comparing it."""
    return alt.Config(legend=alt.LegendConfig(orient="bottom", **dict(legend)))


def scenario_rates_chart(tidy: pd.DataFrame, title: str, source: str):
    """Grouped bars (:func:`iaptlab.charts.rates_bar`), legend below, a description stating every bar."""

    bars = [f"{g} {o}: {n:,}/{d:,} = {percent_text(r, missing='no one enters')}" for g, o, n, d, r in
            zip(*(tidy[c].tolist() for c in ("group", "outcome", "numerator", "denominator", "rate")), strict=True)]
    chart = rates_bar(tidy.drop(columns="scenario"), title=title, source=source,
                             description=f"{title}. " + "; ".join(bars))  # six bars, not episodes
    return _legend_below(chart, labelLimit=400)


@lru_cache(maxsize=4)
def _national_funnel_template(width: int = 320):
    """The chart without data, title or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""

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

    >>> from iaptlab.national import OFFICIAL, published_figures, year_stages
    >>> c = funnel_chart(year_stages(published_figures(), "2016-17"), "2016-17", OFFICIAL)
    >>> c.to_dict()["description"][:40]
    '2016-17: from referral to "recovered". r'
    """

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
    return refill(_national_funnel_template(), data, title=alt.Title(title, subtitle=subtitle),
                  description=f"{title}. {described}")


@lru_cache(maxsize=1)
def _change_cost_template():
    """Both panels without data, titles or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""

    # "definition: end at N or below" breaks after the colon, so a long row label is never cut
    y = alt.Y("row:N", sort=alt.EncodingSortField("order", op="min", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=0, labelExpr=_BREAK_AFTER_COLON))
    colour = alt.Color("shown:N", scale=alt.Scale(domain=["selected", "other"], range=[PALETTE[0], "#b8b8b8"]),
                       legend=None)

    def panel(value: str, x: alt.X):
        base = alt.Chart().transform_filter(alt.datum.panel == value).encode(y=y)
        bars = base.mark_bar().encode(x=x, color=colour,
                                      tooltip=[alt.Tooltip("row:N", title="definition"),
                                               alt.Tooltip("label:N", title="value")])
        text = base.mark_text(align="left", dx=4).encode(x=alt.X("value:Q"), text=alt.Text("label:N"))
        return alt.layer(bars, text).properties(width=330)

    share = panel("share", alt.X("value:Q", title="share of them counted as improved",
                                 scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", grid=False)))
    cost = panel("cost", alt.X("value:Q", title="cost per person counted (£)",
                               axis=alt.Axis(format=",.0f", grid=False)))
    return alt.vconcat(share, cost, spacing=24).resolve_scale(x="independent", y="independent")


def change_chart(table: pd.DataFrame, baseline_phq9: int, selected: str, cost_words: str, year: str):
    """Top: share of cohort finishers starting at the baseline counted under each definition (with
    the end score each requires); bottom: cost per outcome under each definition. The selected
    definition is coloured and labelled "(selected)", never told by colour alone."""

    selected_mask = table["key"].to_numpy() == selected
    mark = np.where(selected_mask, "  (selected)", "")
    share = table["share at baseline"].to_numpy(dtype=float)
    cost = table["cost per outcome (£)"].to_numpy(dtype=float)
    starters = int(table["finishers at baseline"].iloc[0])
    share_rows = [f"{d}: end at {end} or below" for d, end in zip(table["definition"], table["end at or below"],
                                                                    strict=True)]
    share_labels = [f"{percent_text(s, 0, missing='–')} ({n:,} of {starters:,}){m}"
                    for s, n, m in zip(share, table["counted at baseline"], mark, strict=True)]
    cost_labels = [f"{money_text(c)}{m}" for c, m in zip(cost, mark, strict=True)]
    shown = np.where(selected_mask, "selected", "other")
    order = np.arange(len(table))
    data = pd.concat([
        pd.DataFrame({"panel": "share", "row": share_rows, "order": order, "value": np.nan_to_num(share),
                      "label": share_labels, "shown": shown}),
        pd.DataFrame({"panel": "cost", "row": table["definition"], "order": order, "value": np.nan_to_num(cost),
                      "label": cost_labels, "shown": shown}),
    ], ignore_index=True)
    titles = [
        alt.Title(f"Cohort finishers who started at PHQ-9 {baseline_phq9}: who counts as improved?",
                  subtitle="simulated cohort; PHQ-9 only; finishers with both PHQ-9 scores", anchor="start"),
        alt.Title("Cost per person counted as improved, all cohort finishers",
                  subtitle=f"{cost_words}; counts scaled to the {year} national finishers", anchor="start")]
    description = (
        f"Top: of the cohort's finishers who started at PHQ-9 {baseline_phq9}, the share counted as improved: "
        + "; ".join(f"{r}: {lab}" for r, lab in zip(share_rows, share_labels, strict=True))
        + f". Bottom: cost per person counted ({cost_words}): "
        + "; ".join(f"{d}: {lab}" for d, lab in zip(table["definition"], cost_labels, strict=True)) + ".")
    return refill(_change_cost_template(), data, description=description, part_titles=titles)
