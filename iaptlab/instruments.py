"""The questionnaires, as data: one place for every range, band, cut-off and threshold.

Nothing here computes. Thresholds come from NHS Digital's *A guide to IAPT data and publications*
v2.1 (table of caseness and reliable-change thresholds; source id ``nhsd_guide_v21`` in
``data/sources.toml``, read as quoted by ``strategy_unit_talking_therapies``); bands from Kroenke et al. (2001) and Spitzer et al. (2006). The comparison that goes
with each threshold is stored next to it, exactly as the official table prints it where it prints
one (MI caseness ``> 2.3``; PDSS reliable change ``> 5``; PCL-5 ``>= 32`` and ``>= 10``); where the
table gives a bare number, the consensus reading ``>=`` is stored and ``outcomes.Rules`` may
override it.

>>> PHQ9.caseness, PHQ9.caseness_comparison, PHQ9.reliable_change
(10, '>=', 6)
>>> lookup("mi").caseness_comparison
'>'
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from .errors import IaptlabError

Comparison = Literal[">=", ">"]

#: The official source of every threshold below.
GUIDE_IAPT_V21 = (
    "NHS Digital (2021). A guide to IAPT data and publications, v2.1. Table of caseness and "
    "reliable change thresholds."
)

__all__ = ["ADSMS", "ALL", "GAD7", "GUIDE_IAPT_V21", "HAI", "ITEM_RESPONSES", "MI", "OCI", "PCL5",
           "PDSS", "PHQ9", "SPIN", "Band", "Comparison", "Instrument", "adsm_names", "lookup"]


@dataclass(frozen=True)
class Band:
    """A severity band: scores from ``low`` to ``high`` inclusive are called ``label``."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Instrument:
    """One questionnaire. Scores are "lower is better" for every instrument iaptlab knows."""

    key: str  # column-friendly identifier, e.g. "phq9"
    name: str  # as printed in the official table, e.g. "PHQ-9"
    full_name: str
    measures: str
    score_min: float
    score_max: float
    integer_scores: bool
    caseness: float
    caseness_comparison: Comparison
    reliable_change: float
    reliable_change_comparison: Comparison
    source: str
    better: Literal["lower", "higher"] = "lower"
    items: tuple[str, ...] = ()
    item_min: int = 0
    item_max: int = 3
    bands: tuple[Band, ...] = ()
    comparison_as_printed: bool = False  # True where the official table itself prints > or >=


ITEM_RESPONSES = MappingProxyType(
    {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"}
)

PHQ9 = Instrument(
    key="phq9",
    name="PHQ-9",
    full_name="Patient Health Questionnaire, 9 items",
    measures="depression",
    score_min=0,
    score_max=27,
    integer_scores=True,
    caseness=10,
    caseness_comparison=">=",
    reliable_change=6,
    reliable_change_comparison=">=",
    source=f"Kroenke, Spitzer & Williams (2001); {GUIDE_IAPT_V21}",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed; or the opposite, "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
)

GAD7 = Instrument(
    key="gad7",
    name="GAD-7",
    full_name="Generalized Anxiety Disorder scale, 7 items",
    measures="generalised anxiety",
    score_min=0,
    score_max=21,
    integer_scores=True,
    caseness=8,
    caseness_comparison=">=",
    reliable_change=4,
    reliable_change_comparison=">=",
    source=f"Spitzer, Kroenke, Williams & Löwe (2006); {GUIDE_IAPT_V21}",
    items=(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
)


def _adsm(key: str, name: str, full_name: str, measures: str, lo: float, hi: float,
          case: float, case_cmp: Comparison, rc: float, rc_cmp: Comparison,
          integer: bool = True, printed: bool = False) -> Instrument:
    return Instrument(
        key=key, name=name, full_name=full_name, measures=measures, score_min=lo, score_max=hi,
        integer_scores=integer, caseness=case, caseness_comparison=case_cmp, reliable_change=rc,
        reliable_change_comparison=rc_cmp, source=GUIDE_IAPT_V21, comparison_as_printed=printed,
    )


#: Anxiety-disorder-specific measures (ADSMs), used instead of GAD-7 when both scores exist.
SPIN = _adsm("spin", "SPIN", "Social Phobia Inventory", "social anxiety", 0, 68, 19, ">=", 10, ">=")
PDSS = _adsm("pdss", "PDSS", "Panic Disorder Severity Scale", "panic disorder", 0, 28, 8, ">=",
             5, ">", printed=True)
PCL5 = _adsm("pcl5", "PCL-5", "PTSD Checklist for DSM-5", "PTSD", 0, 80, 32, ">=", 10, ">=",
             printed=True)
OCI = _adsm("oci", "OCI", "Obsessive Compulsive Inventory", "OCD", 0, 168, 40, ">=", 32, ">=")
HAI = _adsm("hai", "HAI", "Health Anxiety Inventory (short week)", "health anxiety", 0, 54, 18,
            ">=", 4, ">=")
MI = _adsm("mi", "MI", "Mobility Inventory (agoraphobia)", "agoraphobia", 1.0, 5.0, 2.3, ">",
           0.73, ">=", integer=False, printed=True)

ADSMS: tuple[Instrument, ...] = (SPIN, PDSS, PCL5, OCI, HAI, MI)
ALL: tuple[Instrument, ...] = (PHQ9, GAD7, *ADSMS)

_BY_NAME = MappingProxyType(
    {alias: inst for inst in ALL for alias in {inst.key, inst.name.lower(), inst.name.lower().replace("-", "")}}
)


def lookup(name: str | Instrument) -> Instrument:
    """The instrument called ``name`` (case-insensitive; "PCL-5", "pcl5" and "pcl-5" all work).

    An :class:`Instrument` is returned as it is, so functions can accept either.

    >>> lookup("Pcl-5").name
    'PCL-5'
    >>> lookup(GAD7) is GAD7
    True
    """
    if isinstance(name, Instrument):
        return name
    try:
        return _BY_NAME[str(name).strip().lower()]
    except KeyError:
        known = ", ".join(i.name for i in ALL)
        raise IaptlabError(f"unknown instrument {name!r}; known: {known}") from None


def adsm_names() -> tuple[str, ...]:
    """The ADSM names accepted in an episode table's ``adsm`` column, as printed officially.

    >>> adsm_names()
    ('SPIN', 'PDSS', 'PCL-5', 'OCI', 'HAI', 'MI')
    """
    return tuple(i.name for i in ADSMS)
