"""Lesson 00's explorer: the 12 fictional example referrals, and who counts as "recovered".

Two controls change the IAPT rules: the PHQ-9 caseness cut-off and the number of treatment
contacts that counts as a finished course. ``compute(episodes, **controls)`` is pure and shows
every one of the 12 referrals with its flags, a funnel chart from "referred" to "recovered", and
one sentence naming who recovers. The example file is read and validated once
(:func:`example_episodes`); a slider move only re-applies the rules to 12 rows.

The file states no facts about the world: each case is made up to show one rule at work (its
``note`` column says which).

>>> result = compute(example_episodes())
>>> result.extra["denominator"], result.extra["recovered"]
(8, 4)
"""

from __future__ import annotations

import platform
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from .. import __version__
from ..episode_files import read_episode_csv
from ..errors import ParameterError
from ..outcomes import IAPT, Rules, classify
from ..schema import Validated, validate
from ..widgets import Control, Result, defaults

EXAMPLE_FILE = "example_episodes.csv"

CONTROLS = (
    Control("phq9_caseness", "PHQ-9 caseness: a score at or above", "int", 10, 5, 20,
            help="IAPT uses 10 (NHS Digital guide v2.1). It decides who starts 'as a case' and who "
                 "ends below caseness."),
    Control("min_treatment_contacts", "Finished a course: treatment contacts at least", "int", 2, 1, 12,
            help="IAPT uses 2 attended treatment contacts; assessment does not count."),
)

#: Funnel stages, each a subset of the one before (words shown on the chart).
STAGES = ("referred", "finished a course", "…with paired first and last scores",
          "…at caseness at the start: the denominator", "recovered")


@lru_cache(maxsize=1)
def example_episodes() -> Validated:
    """The 12 fictional referrals in ``iaptlab/data/example_episodes.csv``, validated once.

    >>> example_episodes().table["episode_id"].tolist()[:3]
    ['EX01', 'EX02', 'EX03']
    """
    from importlib.resources import files

    checked = validate(read_episode_csv(files("iaptlab.data") / EXAMPLE_FILE))
    checked.raise_if_invalid()
    return checked


def lesson_rules(phq9_caseness: int = 10, min_treatment_contacts: int = 2) -> Rules:
    """The IAPT rules with the two explorer settings changed (everything else as IAPT).

    >>> lesson_rules(12, 3).caseness["phq9"].value, lesson_rules(12, 3).min_treatment_contacts
    (12, 3)
    """
    return IAPT.adjusted(name=f"IAPT, PHQ-9 caseness {phq9_caseness}, {min_treatment_contacts}+ contacts",
                         phq9_caseness=int(phq9_caseness),
                         min_treatment_contacts=int(min_treatment_contacts))


def _yes_no(flags: pd.Series | np.ndarray) -> np.ndarray:
    return np.where(np.asarray(flags, dtype=bool), "yes", "no")


def _first_to_last(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """'18 → 6' with '–' for a missing score (vectorised string building)."""
    def text(values: np.ndarray) -> pd.Series:
        shown = pd.Series(values).round().astype("Int64").astype(str)
        return shown.where(~np.isnan(values), "–")
    return (text(first) + " → " + text(last)).to_numpy()


def case_table(classified: pd.DataFrame) -> pd.DataFrame:
    """One row per referral: its scores and, in words, each flag the recovery rate rests on.

    ``in_denominator`` is finished ∧ paired ∧ at caseness at the start (the IAPT denominator).

    >>> case_table(classify(example_episodes()))["in recovery denominator"].eq("yes").sum()
    np.int64(8)
    """
    uses_gad7 = classified["anxiety_measure"].astype(str).to_numpy() == "GAD-7"
    numbers = {name: classified[name].to_numpy(dtype=float, na_value=np.nan)
               for name in ("phq9_first", "phq9_last", "gad7_first", "gad7_last", "adsm_first", "adsm_last")}
    anxiety_first = np.where(uses_gad7, numbers["gad7_first"], numbers["adsm_first"])
    anxiety_last = np.where(uses_gad7, numbers["gad7_last"], numbers["adsm_last"])
    finished, paired, case_first = (classified[c].to_numpy(dtype=bool)
                                    for c in ("finished", "paired", "caseness_first"))
    return pd.DataFrame({
        "referral": classified["episode_id"].astype(str).to_numpy(),
        "treatment contacts": classified["treatment_contacts"].to_numpy(),
        "PHQ-9 first → last": _first_to_last(numbers["phq9_first"], numbers["phq9_last"]),
        "anxiety measure": classified["anxiety_measure"].astype(str).to_numpy(),
        "anxiety first → last": _first_to_last(anxiety_first, anxiety_last),
        "finished a course": _yes_no(finished),
        "paired scores": _yes_no(paired),
        "at caseness at start": _yes_no(case_first),
        "in recovery denominator": _yes_no(finished & paired & case_first),
        "recovered": _yes_no(classified["recovered"]),
    })


def stage_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Funnel counts from a :func:`case_table`: each stage a subset of the one before.

    >>> stage_counts(case_table(classify(example_episodes())))["count"].tolist()
    [12, 10, 9, 8, 4]
    """
    yes = {column: table[column].to_numpy() == "yes" for column in
           ("finished a course", "paired scores", "in recovery denominator", "recovered")}
    finished = yes["finished a course"]
    counts = [len(table), int(finished.sum()), int((finished & yes["paired scores"]).sum()),
              int(yes["in recovery denominator"].sum()), int(yes["recovered"].sum())]
    return pd.DataFrame({"stage": STAGES, "count": counts})


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _sentence(table: pd.DataFrame, phq9_caseness: int, min_treatment_contacts: int) -> str:
    rules = (f"With PHQ-9 caseness at {phq9_caseness} or more and a finished course meaning at least "
             f"{_plural(min_treatment_contacts, 'treatment contact', 'treatment contacts')}")
    denominator = int((table["in recovery denominator"] == "yes").sum())
    recovered = table.loc[table["recovered"] == "yes", "referral"].tolist()
    if denominator == 0:
        return f"{rules}, none of the {len(table)} referrals is in the recovery denominator: no rate."
    who = f": {', '.join(recovered)}" if recovered else ""
    return (f"{rules}, {denominator} of the {len(table)} referrals "
            f"{'is' if denominator == 1 else 'are'} in the recovery denominator and "
            f"{len(recovered)} of them {'counts' if len(recovered) == 1 else 'count'} as recovered "
            f"({100 * len(recovered) / denominator:.0f}%){who}.")


@lru_cache(maxsize=8)
def _chart_template(referred: int):
    """The chart without data, title or description: built once and refilled on every move
    (:func:`iaptlab.charts.refill`), because building Altair encodings is what costs time."""
    import altair as alt

    from ..charts import PALETTE

    base = alt.Chart().encode(
        y=alt.Y("stage:N", sort=list(STAGES), title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("stage:N"), alt.Tooltip("count:Q")])
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("count:Q", title="referrals", scale=alt.Scale(domain=[0, max(referred, 1)]),
                axis=alt.Axis(tickMinStep=1, format="d", grid=False)))
    text = base.mark_text(align="left", dx=4).encode(x=alt.X("count:Q"), text=alt.Text("label:N"))
    return alt.layer(bars, text).properties(width=300)


def stages_chart(stages: pd.DataFrame, subtitle: str):
    """Bars of the funnel counts, each labelled; "recovered" is labelled as a share of the denominator.

    >>> stages_chart(stage_counts(case_table(classify(example_episodes()))), "").to_dict()["description"][:46]
    'Who counts as recovered among the 12 example r'
    """
    import altair as alt

    from ..charts import refill

    count = stages["count"].to_numpy()
    referred, denominator, recovered = int(count[0]), int(count[3]), int(count[4])
    labels = [f"{c} of {referred}" for c in count[:-1]]
    labels.append(f"{recovered} of the {denominator} in the denominator = {recovered / denominator:.0%}"
                  if denominator else f"{recovered} (no denominator: no rate)")
    title = f"Who counts as recovered among the {referred} example referrals"
    description = f"{title}. " + "; ".join(
        f"{stage}: {label}" for stage, label in zip(stages["stage"], labels, strict=True))
    return refill(_chart_template(referred), stages.assign(label=labels),
                  title=alt.Title(title, subtitle=subtitle), description=description)


def compute(episodes: Validated, **controls) -> Result:
    """The 12 referrals under the chosen cut-off and contacts: table, funnel chart, sentence.

    ``extra`` holds ``denominator``, ``recovered`` (counts) and ``rate`` (NaN for 0/0).
    """
    unknown = sorted(set(controls) - {c.name for c in CONTROLS})
    if unknown:
        raise ParameterError(f"unknown control(s) {unknown}; known: {[c.name for c in CONTROLS]}")
    params = {**defaults(CONTROLS), **controls}
    phq9_caseness, contacts = int(params["phq9_caseness"]), int(params["min_treatment_contacts"])
    table = case_table(classify(episodes, lesson_rules(phq9_caseness, contacts)))
    stages = stage_counts(table)
    chart = stages_chart(stages, f"Fictional example file. Rules: PHQ-9 caseness ≥ {phq9_caseness}; "
                                 f"finished = {contacts}+ treatment contacts")
    denominator, recovered = int(stages["count"].iloc[3]), int(stages["count"].iloc[4])
    rate = recovered / denominator if denominator else float("nan")
    return Result(table=table, chart=chart, sentence=_sentence(table, phq9_caseness, contacts),
                  extra={"denominator": denominator, "recovered": recovered, "rate": rate})


def explorer(episodes: Validated | None = None):
    """``compute`` bound to the example file (or ``episodes``), ready for :func:`iaptlab.widgets.show`."""
    return partial(compute, episodes if episodes is not None else example_episodes())


def render_checklist(setup_status: str) -> str:
    """The plain-text checklist lesson 00's "does everything render?" cell prints.

    >>> print(render_checklist("iaptlab 0.1.0: charts render offline (svg renderer).").splitlines()[0])
    Checklist (copy this if you ask for help):
    """
    import altair
    import ipywidgets

    lines = [f"Python {platform.python_version()}", f"iaptlab {__version__}",
             f"pandas {pd.__version__}, altair {altair.__version__}, ipywidgets {ipywidgets.__version__}",
             f"setup(): {setup_status}"]
    return "\n".join(["Checklist (copy this if you ask for help):", *(f"  ✓ {line}" for line in lines)])
