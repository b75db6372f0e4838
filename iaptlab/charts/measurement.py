"""Charts about measurement: first vs last score distributions, predictive values against
prevalence, and the band of observed scores around one true score (the SEM band).

>>> sem_band(12, 2).to_dict()["title"]["subtitle"]
'Shaded: 95% band (± 1.96 SEM)'
"""

from __future__ import annotations

import math
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..format import percent_texts
from ..instruments import Instrument, lookup
from .inputs import check_rows, numeric_column, required_columns
from .layout import chart_title, refill, summary_text
from .theme import PALETTE

__all__ = ["PV_NAMES", "predictive_values_chart", "score_histogram", "score_histogram_from_counts",
           "sem_band"]

#: The two panels of a score histogram, top to bottom.
_OCCASIONS = ("First", "Last")


def _percents(values: pd.Series) -> pd.Series:
    return pd.Series(percent_texts(values), index=values.index)


def _caseness_sign(inst: Instrument) -> str:
    return "≥" if inst.caseness_comparison == ">=" else ">"


@lru_cache(maxsize=16)
def _histogram_layout(inst: Instrument, bin_width: float, whole_counts: bool = False) -> alt.FacetChart:
    occasions = list(_OCCASIONS)
    # whole counts: no tick at half an episode (the lessons' histograms keep Vega's default axis)
    y_axis = alt.Axis(tickMinStep=1, format="d") if whole_counts else alt.Undefined
    x_scale = alt.Scale(domain=[inst.score_min, inst.score_max + bin_width])
    bars = alt.Chart().mark_bar(stroke="white").encode(
        x=alt.X("bin_start:Q", scale=x_scale, title=f"{inst.name} score"), x2="bin_end:Q",
        y=alt.Y("count:Q", title="episodes", axis=y_axis), y2=alt.datum(0),
        color=alt.Color("occasion:N", scale=alt.Scale(domain=occasions, range=list(PALETTE[:2])),
                        legend=None),
        tooltip=["occasion:N", "bin_start:Q", "bin_end:Q", "count:Q"])
    one_per_panel = alt.Chart().transform_aggregate(n="count()", groupby=["occasion"])
    rule = one_per_panel.mark_rule(strokeDash=[6, 3], color="black").encode(
        x=alt.datum(inst.caseness))
    text = one_per_panel.mark_text(align="left", dx=4, dy=2, baseline="top").encode(
        x=alt.datum(inst.caseness), y=alt.value(0),
        text=alt.value(f"caseness {_caseness_sign(inst)} {inst.caseness:g}"))
    no_rows = pd.DataFrame(columns=["occasion", "bin_start", "bin_end", "count"])  # facet wants data
    return alt.layer(bars, rule, text, data=no_rows).properties(height=160).facet(
        row=alt.Row("occasion:N", sort=occasions, title=None))


def score_histogram(scores_df: pd.DataFrame, instrument: Instrument | str = "PHQ-9", *,
                    first: str | None = None, last: str | None = None, bin_width: float = 1.0,
                    title: str | None = None, source: str | None = None,
                    description: str | None = None) -> alt.FacetChart:
    """First vs last score distributions (binned in pandas), one panel each, caseness marked.

    Reads ``{key}_first`` and ``{key}_last`` (e.g. ``phq9_first``) unless ``first``/``last``
    name other columns. Missing scores are counted and stated in the subtitle, never dropped
    silently; bins are half-open ``[start, start + bin_width)``.

    >>> df = pd.DataFrame({"phq9_first": [12, 15], "phq9_last": [4, None]})
    >>> score_histogram(df).to_dict()["description"][:60]
    'PHQ-9 scores, first vs last. First: n=2, mean 13.5, 2 at cas'
    """
    inst = lookup(instrument)
    first = first or f"{inst.key}_first"
    last = last or f"{inst.key}_last"
    if bin_width <= 0:
        raise ParameterError(f"bin_width must be > 0, got {bin_width}")
    # raw scores may be many rows: they are binned below, and the bins are checked instead
    df = required_columns(scores_df, [first, last], "score_histogram", limit_rows=False)
    occasions = dict(zip(_OCCASIONS, (first, last), strict=True))
    long = pd.concat({name: numeric_column(df, col, low=inst.score_min, high=inst.score_max,
                                           allow_missing=True) for name, col in occasions.items()},
                     names=["occasion", "row"]).rename("score").reset_index()
    n_missing = long["score"].isna().groupby(long["occasion"]).sum()
    scored = long.dropna(subset=["score"])
    start = inst.score_min + np.floor((scored["score"] - inst.score_min) / bin_width) * bin_width
    counts = (scored.assign(bin_start=start).groupby(["occasion", "bin_start"]).size()
              .rename("count").reset_index())
    counts["bin_end"] = counts["bin_start"] + bin_width
    check_rows(counts, "score_histogram")
    op = _caseness_sign(inst)
    at_case = (scored["score"] >= inst.caseness) if op == "≥" else (scored["score"] > inst.caseness)
    stats = pd.DataFrame({"n": scored.groupby("occasion").size(),
                          "mean": scored.groupby("occasion")["score"].mean().round(1),
                          "case": at_case.groupby(scored["occasion"]).sum()}).reindex(list(occasions))
    stats = stats.fillna(0)
    summary = summary_text(
        pd.Series(stats.index, index=stats.index) + ": n=" + stats["n"].astype(int).astype(str)
        + ", mean " + stats["mean"].astype(str) + ", " + stats["case"].astype(int).astype(str)
        + f" at caseness ({op} {inst.caseness:g})" + ", "
        + n_missing.reindex(list(occasions)).astype(int).astype(str) + " missing")
    name = title or f"{inst.name} scores, first vs last"
    subtitle = (f"{int(n_missing.sum())} missing scores not shown; dashed line: caseness "
                f"{op} {inst.caseness:g}" + (f". Source: {source}" if source else ""))
    return refill(_histogram_layout(inst, float(bin_width)), counts,
                  title=alt.Title(name, subtitle=subtitle),
                  description=description or f"{name}. {summary}")


def score_histogram_from_counts(counts_df: pd.DataFrame, instrument: Instrument | str = "PHQ-9", *,
                                bin_width: float = 1.0, title: str | None = None,
                                subtitle: str = "", description: str | None = None
                                ) -> alt.FacetChart:
    """:func:`score_histogram` drawn from counts already binned (e.g. rounded for disclosure).

    Columns: ``occasion`` ("First" or "Last"), ``bin_start``, ``bin_end``, ``count`` (>= 0).
    ``subtitle`` says how the counts were made; the description states each panel's total.
    The count axis has whole-number ticks only (no half an episode).

    >>> counts = pd.DataFrame({"occasion": ["First", "Last"], "bin_start": [12.0, 4.0],
    ...                        "bin_end": [13.0, 5.0], "count": [10, 15]})
    >>> score_histogram_from_counts(counts).to_dict()["description"]
    'PHQ-9 scores, first vs last. First: n=10; Last: n=15'
    """
    inst = lookup(instrument)
    if bin_width <= 0:
        raise ParameterError(f"bin_width must be > 0, got {bin_width}")
    df = required_columns(counts_df, ["occasion", "bin_start", "bin_end", "count"],
                          "score_histogram_from_counts")
    bad = ~df["occasion"].isin(_OCCASIONS)
    if bad.any():
        raise ParameterError(f"occasion must be 'First' or 'Last', got {df['occasion'][bad].iloc[0]!r}")
    count = numeric_column(df, "count", low=0)
    totals = count.groupby(df["occasion"]).sum().reindex(list(_OCCASIONS), fill_value=0)
    summary = summary_text(pd.Series(totals.index, index=totals.index) + ": n="
                           + totals.astype(int).astype(str))
    name = title or f"{inst.name} scores, first vs last"
    return refill(_histogram_layout(inst, float(bin_width), whole_counts=True), df,
                  title=alt.Title(name, subtitle=subtitle),
                  description=description or f"{name}. {summary}")
@lru_cache(maxsize=16)
def _pv_layout(last_prevalence: float, marked: bool, mark_values: bool) -> alt.LayerChart:
    metrics = list(PV_NAMES.values())
    pct = alt.Axis(format="%")
    enc = {"x": alt.X("prevalence:Q", axis=pct, scale=alt.Scale(domain=[0, 1])),
           "y": alt.Y("value:Q", axis=pct, scale=alt.Scale(domain=[0, 1]), title="predictive value"),
           "color": alt.Color("metric:N", scale=alt.Scale(domain=metrics, range=list(PALETTE[:2])),
                              legend=alt.Legend(orient="bottom", labelLimit=400, title=None)),
           "strokeDash": alt.StrokeDash("metric:N", scale=alt.Scale(domain=metrics,
                                                                      range=[[1, 0], [8, 4]]))}
    base = alt.Chart().encode(**enc)
    last = alt.datum.prevalence == last_prevalence
    if marked:  # the data also hold the marked prevalence's rows: curves read part "curve" only
        base = base.transform_filter(alt.datum.part == "curve")
    layers = [base.mark_line(strokeWidth=2.5),
              base.transform_filter(last).mark_text(align="right", dx=-4, dy=-8).transform_calculate(
                  short="slice(datum.metric, 0, 3)").encode(text="short:N", strokeDash=alt.value([]))]
    if not marked:
        return alt.layer(*layers)
    rule = alt.Chart().transform_filter(alt.datum.part == "rule").encode(x="prevalence:Q")
    # with the values marked, the rule's label sits at the foot so it never meets a value's label
    label_y = alt.value(alt.ExprRef(expr="height - 4")) if mark_values else alt.value(2)
    layers += [rule.mark_rule(color="black", strokeDash=[2, 2]),
               rule.mark_text(align="left", dx=4, baseline="bottom" if mark_values else "top")
               .encode(y=label_y, text="label:N")]
    if mark_values:
        values = alt.Chart().transform_filter(alt.datum.part == "value").encode(
            x="prevalence:Q", y="value:Q")
        layers += [values.mark_point(filled=True, size=70, color="black"),
                   *(values.transform_filter(alt.datum.above == above).mark_text(
                       align="left", dx=7, dy=-10 if above else 14, fontWeight="bold").encode(text="label:N")
                     for above in (True, False))]
    return alt.layer(*layers)


#: The two curves' names in :func:`predictive_values_chart` (legend and end labels).
PV_NAMES = {"ppv": "PPV (positive predictive value)", "npv": "NPV (negative predictive value)"}


def predictive_values_chart(pv_df: pd.DataFrame, *, prevalence: float | None = None,
                            mark_values: bool = False,
                            title: str = "Predictive values depend on prevalence",
                            source: str | None = None, description: str | None = None
                            ) -> alt.LayerChart:
    """PPV and NPV (y) against prevalence (x): distinct dash patterns, colours and end labels.

    Columns: ``prevalence``, ``ppv``, ``npv`` (all 0-1). ``prevalence`` draws a labelled rule;
    with ``mark_values`` the PPV and NPV there (from ``pv_df``'s row at that prevalence, which
    must exist) are marked with points and labels, the higher above, the lower below.

    >>> d = pd.DataFrame({"prevalence": [0.1, 0.5], "ppv": [0.3, 0.8], "npv": [0.97, 0.8]})
    >>> predictive_values_chart(d).to_dict()["description"][:70]
    'Predictive values depend on prevalence. At prevalence 10.0%: PPV 30.0%'
    """
    df = required_columns(pv_df, ["prevalence", "ppv", "npv"], "predictive_values_chart")
    cols = {c: numeric_column(df, c, low=0, high=1, allow_missing=c != "prevalence")
            for c in ("prevalence", "ppv", "npv")}
    data = pd.DataFrame(cols).sort_values("prevalence", kind="stable")
    ends = data.iloc[[0, -1]]
    summary = summary_text("At prevalence " + _percents(ends["prevalence"]) + ": PPV "
                           + _percents(ends["ppv"]) + ", NPV " + _percents(ends["npv"]))
    long = data.melt("prevalence", var_name="metric", value_name="value")
    long["metric"] = long["metric"].map(PV_NAMES)
    if prevalence is not None:
        if not 0 <= prevalence <= 1:
            raise ParameterError(f"prevalence must be between 0 and 1, got {prevalence}")
        marks = pd.DataFrame({"part": ["rule"], "prevalence": [prevalence],
                              "label": [f"prevalence {prevalence:.0%}"]})
        if mark_values:
            marks = pd.concat([marks, _values_at(data, prevalence)], ignore_index=True)
        long = pd.concat([long.assign(part="curve"), marks], ignore_index=True)
        summary += f". Marked prevalence {prevalence:.0%}"
    elif mark_values:
        raise ParameterError("mark_values needs a prevalence to mark")
    layout = _pv_layout(float(data["prevalence"].iloc[-1]), prevalence is not None, bool(mark_values))
    return refill(layout, long, title=chart_title(title, source),
                  description=description or f"{title}. {summary}")


def _values_at(data: pd.DataFrame, prevalence: float) -> pd.DataFrame:
    """Rows marking PPV and NPV at ``prevalence``: the higher labelled above, the lower below."""
    at = data[np.isclose(data["prevalence"], prevalence, rtol=0, atol=1e-12)]
    if at.empty:
        raise ParameterError(f"mark_values: pv_df has no row at prevalence {prevalence}")
    values = at.iloc[0][["ppv", "npv"]].to_numpy(dtype=float)
    above = np.array([values[0] >= values[1], values[1] > values[0]])  # equal: PPV above
    return pd.DataFrame({"part": "value", "prevalence": prevalence, "value": values,
                         "label": [f"PPV {values[0]:.0%}", f"NPV {values[1]:.0%}"],
                         "above": above})


@lru_cache(maxsize=16)
def _sem_layout(inst: Instrument) -> alt.LayerChart:
    scale = alt.Scale(domain=[inst.score_min, inst.score_max], nice=False)
    x = alt.X("score:Q", scale=scale, title=f"observed {inst.name} score")
    part = alt.datum.part
    band = alt.Chart().transform_filter(part == "band").mark_rect(
        color=PALETTE[5], opacity=0.35).encode(x=alt.X("lo:Q", scale=scale), x2="hi:Q")
    # relative height (1 at the most likely score) with room above the curve for the labels
    line = alt.Chart().transform_filter(part == "curve").mark_line(color=PALETTE[0]).encode(
        x=x, y=alt.Y("relative:Q", scale=alt.Scale(domain=[0, 1.6]), title="how often (relative)",
                     axis=alt.Axis(labels=False, ticks=False, grid=False)))
    rules = alt.Chart().transform_filter(part == "rule").mark_rule(color="black").encode(
        x=alt.X("score:Q", scale=scale), strokeDash=alt.StrokeDash(
            "dash:N", legend=None, scale=alt.Scale(domain=["true", "caseness"], range=[[1, 0], [6, 3]])))
    labels = [alt.Chart().transform_filter((part != "curve") & (alt.datum.side == side)).mark_text(
        align=side, dx=3 if side == "left" else -3, baseline="top").encode(
        x=alt.X("score:Q", scale=scale), y=alt.Y("y_px:Q", scale=None), text="label:N")
        for side in ("left", "right")]
    return alt.layer(band, line, rules, *labels)


def sem_band(true_score: float, sem: float, *, instrument: Instrument | str = "PHQ-9",
             z: float = 1.96, title: str | None = None, description: str | None = None
             ) -> alt.LayerChart:
    """The band of observed scores consistent with one true score (± z SEM), caseness marked.

    Draws how often each observed score would occur around ``true_score`` (a normal curve,
    relative to its peak, clipped to the instrument's range), shades ``true_score ± z·sem`` and
    labels both ends above the curve.

    >>> sem_band(12, 2).to_dict()["description"][:62]
    'Observed PHQ-9 scores for a true score of 12 (SEM 2): 95% fall'
    """
    inst = lookup(instrument)
    if not sem > 0 or not math.isfinite(sem):
        raise ParameterError(f"sem must be a positive number, got {sem}")
    if not z > 0:
        raise ParameterError(f"z must be > 0, got {z}")
    if not inst.score_min <= true_score <= inst.score_max:
        raise ParameterError(f"true_score must be within {inst.name}'s range "
                             f"{inst.score_min:g}-{inst.score_max:g}, got {true_score}")
    low = max(inst.score_min, true_score - z * sem)
    high = min(inst.score_max, true_score + z * sem)
    coverage = math.erf(z / math.sqrt(2))
    grid = np.linspace(max(inst.score_min, true_score - 4 * sem),
                       min(inst.score_max, true_score + 4 * sem), 161)
    op = _caseness_sign(inst)
    data = pd.concat([
        pd.DataFrame({"part": "curve", "score": grid, "relative": np.exp(-0.5 * ((grid - true_score) / sem) ** 2)}),
        pd.DataFrame({"part": ["band"], "lo": [low], "hi": [high]}),
        pd.DataFrame({"part": ["rule", "rule", "end", "end"], "score": [true_score, inst.caseness, low, high],
                      "label": [f"true score {true_score:g}", f"caseness {op} {inst.caseness:g}",
                                f"{low:.1f}", f"{high:.1f}"], "dash": ["true", "caseness", None, None],
                      "side": ["left", "left", "right", "left"],  # band ends label outwards
                      "y_px": [4, 22, 40, 40]})], ignore_index=True)  # staggered: labels never overlap
    name = title or f"Observed {inst.name} scores for a true score of {true_score:g} (SEM {sem:g})"
    summary = (f"{coverage:.0%} fall between {low:.1f} and {high:.1f} (± {z:g} SEM, clipped to "
               f"{inst.score_min:g}-{inst.score_max:g}); caseness {op} {inst.caseness:g}")
    return refill(_sem_layout(inst), data,
                  title=alt.Title(name, subtitle=f"Shaded: {coverage:.0%} band (± {z:g} SEM)"),
                  description=description or f"{name}: {summary}")
