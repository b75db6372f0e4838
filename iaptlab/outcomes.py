"""IAPT outcome rules as values, applied to a whole episode table at once.

``Rules`` holds every threshold and every comparison (``>=`` or ``>``) as data, because the
official guide is itself ambiguous (its prose says a change "greater than" the threshold; its
table and most sources say "6 or more"). ``classify`` adds boolean outcome flags; ``rates`` turns
them into numerators, denominators and rates, saying in words what the denominator is.

>>> import pandas as pd
>>> eps = pd.DataFrame({"episode_id": ["a"], "treatment_contacts": [6],
...                     "phq9_first": [16], "phq9_last": [7], "gad7_first": [12], "gad7_last": [5]})
>>> flags = classify(eps)
>>> bool(flags.loc[0, "recovered"]), bool(flags.loc[0, "reliable_recovery"])
(True, True)
>>> IAPT_STRICT.reliable_change["phq9"]
Threshold(value=6, comparison='>')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from . import instruments
from .episodes import CONTACT_RULES, ContactRules, yes_no
from .errors import InputError, ParameterError, Problem
from .instruments import Comparison
from .schema import EXCLUDED_REASON, ROW, Validated, validate

__all__ = ["COMPARE", "DENOMINATOR_DESCRIPTIONS", "FLAGS", "FUNNEL_STAGES", "IAPT", "IAPT_STRICT",
           "MEASURE_NAMES", "PRESETS", "RATE_DENOMINATORS", "TOLERANCE", "Denominator", "Rules",
           "Threshold", "classify", "first_scores_known", "flag_arrays", "funnel", "rate_counts",
           "rates"]

#: Scores such as the Mobility Inventory's are decimals: 3.0 - 2.27 is 0.72999... in binary
#: floating point, so a comparison allows this much rounding error (far below any real score step).
TOLERANCE = 1e-9
#: The comparisons a rule may use, as functions of (score - threshold) (rules are values, not ``if``
#: chains).
COMPARE = MappingProxyType({">=": lambda diff: diff >= -TOLERANCE, ">": lambda diff: diff > TOLERANCE})

Denominator = Literal["at_caseness", "finished_minus_not_at_caseness"]

#: The flag columns ``classify`` adds, in order.
FLAGS = ("finished", "paired", "caseness_first", "caseness_last", "recovered",
         "reliable_improvement", "reliable_deterioration", "no_reliable_change", "mixed_change",
         "reliable_recovery")

#: What each rate's denominator is, in words (``{n}`` = ``Rules.min_treatment_contacts``): the
#: ``denominator_description`` column of :func:`rates`.
DENOMINATOR_DESCRIPTIONS = MappingProxyType({
    "at_caseness": "finished a course (>= {n} treatment contacts) with paired scores, "
                   "at caseness on the first scores",
    "finished_minus_not_at_caseness": "all who finished a course (>= {n} treatment contacts) minus "
                                      "those known not to be at caseness on the first scores "
                                      "(NHS Digital measure M192)",
    "paired": "finished a course (>= {n} treatment contacts) with paired scores",
    "interviewed": "finished a course (>= {n} treatment contacts), meeting diagnostic criteria at "
                   "the first blind interview and interviewed again at the end",
})


@dataclass(frozen=True)
class Threshold:
    """A cut-off and how a score is compared with it.

    >>> Threshold(10, ">=").met(np.array([9, 10, 11]))
    array([False,  True,  True])
    """

    value: float
    comparison: Comparison = ">="

    def __post_init__(self) -> None:
        if self.comparison not in COMPARE:
            raise ParameterError(f"comparison must be '>=' or '>', got {self.comparison!r}")
        if not np.isfinite(self.value):
            raise ParameterError(f"threshold value must be a finite number, got {self.value!r}")

    def met(self, scores: np.ndarray) -> np.ndarray:
        """True where ``scores`` meet the threshold; NaN never does."""
        with np.errstate(invalid="ignore"):
            return COMPARE[self.comparison](np.asarray(scores, dtype=float) - self.value)


def _thresholds(kind: str, rc_comparison: Comparison | None = None) -> Mapping[str, Threshold]:
    out = {}
    for inst in instruments.ALL:
        if kind == "caseness":
            out[inst.key] = Threshold(inst.caseness, inst.caseness_comparison)
        else:
            cmp = inst.reliable_change_comparison if rc_comparison is None else rc_comparison
            out[inst.key] = Threshold(inst.reliable_change, cmp)
    return MappingProxyType(out)


@dataclass(frozen=True)
class Rules:
    """Every choice an outcome definition makes, as data.

    ``caseness`` and ``reliable_change`` map an instrument key (``"phq9"``, ``"gad7"``, ``"spin"``,
    ...) to a :class:`Threshold`. ``min_treatment_contacts`` defines "finished a course".
    ``denominator`` picks the recovery-rate denominator. ``use_adsm`` False ignores ADSMs and uses
    GAD-7 for everyone. ``contacts`` (:class:`~iaptlab.episodes.ContactRules`) holds the
    contact-level choices, with their defaults and sources: whether paired scores need two different
    contacts (applied here when the table has the provenance columns ``<measure>_first_contact`` /
    ``<measure>_last_contact`` that :func:`~iaptlab.episodes.from_contacts` writes), whether the
    assessment counts as a treatment contact and whether assessment scores are used. When the table
    has a ``referral_ended`` column, finished = ended and ``treatment_contacts >= min_treatment_contacts``.

    >>> IAPT.adjusted(phq9_caseness=12).caseness["phq9"].value
    12
    """

    name: str = "IAPT"
    caseness: Mapping[str, Threshold] = field(default_factory=lambda: _thresholds("caseness"))
    reliable_change: Mapping[str, Threshold] = field(default_factory=lambda: _thresholds("rc"))
    min_treatment_contacts: int = 2
    denominator: Denominator = "at_caseness"
    use_adsm: bool = True
    contacts: ContactRules = CONTACT_RULES

    def __post_init__(self) -> None:
        for attr in ("caseness", "reliable_change"):
            table = dict(getattr(self, attr))
            missing = [i.key for i in instruments.ALL if i.key not in table]
            if missing:
                raise ParameterError(f"Rules.{attr} has no threshold for {', '.join(missing)}")
            object.__setattr__(self, attr, MappingProxyType(table))
        if not (isinstance(self.min_treatment_contacts, int | np.integer) and self.min_treatment_contacts >= 0):
            raise ParameterError(
                f"min_treatment_contacts must be a whole number 0 or more, got {self.min_treatment_contacts!r}")
        if self.denominator not in ("at_caseness", "finished_minus_not_at_caseness"):
            raise ParameterError(
                "denominator must be 'at_caseness' or 'finished_minus_not_at_caseness', "
                f"got {self.denominator!r}")
        if not isinstance(self.contacts, ContactRules):
            raise ParameterError(f"contacts must be an episodes.ContactRules, got {self.contacts!r}")

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.caseness.items())),
                     tuple(sorted(self.reliable_change.items())), self.min_treatment_contacts,
                     self.denominator, self.use_adsm, self.contacts))

    def adjusted(self, *, name: str | None = None, phq9_caseness: float | None = None,
                 gad7_caseness: float | None = None, phq9_reliable_change: float | None = None,
                 gad7_reliable_change: float | None = None, caseness_comparison: Comparison | None = None,
                 reliable_change_comparison: Comparison | None = None,
                 min_treatment_contacts: int | None = None, denominator: Denominator | None = None,
                 use_adsm: bool | None = None) -> Rules:
        """A copy with the named choices changed (what the threshold explorer moves).

        A comparison given here applies to every instrument.
        """
        case = dict(self.caseness)
        rc = dict(self.reliable_change)
        for table, key, value in ((case, "phq9", phq9_caseness), (case, "gad7", gad7_caseness),
                                  (rc, "phq9", phq9_reliable_change), (rc, "gad7", gad7_reliable_change)):
            if value is not None:
                table[key] = Threshold(value, table[key].comparison)
        for table, cmp in ((case, caseness_comparison), (rc, reliable_change_comparison)):
            if cmp is not None:
                table.update({k: Threshold(t.value, cmp) for k, t in table.items()})
        changes = {"caseness": case, "reliable_change": rc, "name": name or f"{self.name} (adjusted)"}
        for attr, value in (("min_treatment_contacts", min_treatment_contacts),
                            ("denominator", denominator), ("use_adsm", use_adsm)):
            if value is not None:
                changes[attr] = value
        return replace(self, **changes)


#: The consensus reading: caseness ``>=`` (MI ``> 2.3``), reliable change ``drop >= threshold``
#: (PDSS ``> 5`` as the official table prints it).
IAPT = Rules()
#: The literal reading of the guide's prose: a reliable change must be strictly greater than the threshold.
IAPT_STRICT = Rules(name="IAPT (strict)", reliable_change=_thresholds("rc", rc_comparison=">"))
PRESETS = MappingProxyType({"iapt": IAPT, "iapt-strict": IAPT_STRICT})


def _adsm_groups(adsm: np.ndarray | None, use_adsm: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(instrument key, rows using it) for each ADSM that some row uses instead of GAD-7."""
    if adsm is None or not use_adsm.any():
        return []
    groups = [(inst.key, use_adsm & (adsm == inst.name)) for inst in instruments.ADSMS]
    return [(key, rows) for key, rows in groups if rows.any()]


def _anxiety_met(scores: np.ndarray, table: Mapping[str, Threshold],
                 groups: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """Anxiety-side threshold met: GAD-7's rule, then each ADSM's rule on its own rows."""
    met = table["gad7"].met(scores)
    for key, rows in groups:
        met[rows] = table[key].met(scores[rows])
    return met


def _check_rules(rules: object) -> None:
    if not isinstance(rules, Rules):
        raise ParameterError(f"rules must be a Rules value such as IAPT or IAPT_STRICT, got {rules!r}")


def classify(episodes: pd.DataFrame | Validated, rules: Rules = IAPT, *,
             on_invalid: Literal["raise", "exclude", "skip"] = "raise",
             caseness_first: np.ndarray | None = None) -> pd.DataFrame:
    """Add the outcome flags to every episode.

    ``episodes`` is an episode table (validated here) or a :class:`~iaptlab.schema.Validated`.
    With ``on_invalid="raise"`` any invalid row raises :class:`~iaptlab.errors.InputError` listing
    every problem; with ``"exclude"`` invalid rows are kept, flagged False, with their
    ``excluded_reason``; with ``"skip"`` only the valid rows are returned (the caller reports the
    others from the ``Validated``, e.g. ``invalid_rows``). Outcome flags are False unless the
    episode finished and is paired.

    ``caseness_first`` (one boolean per valid row) replaces "at caseness on the first scores" as
    the rule's starting condition, and with it every flag and denominator built on it; a
    simulation passes the true state at referral to see what selecting people on an error-laden
    first score does (:mod:`iaptlab.selection`). By default the first scores decide (IAPT).
    """
    _check_rules(rules)
    if on_invalid not in ("raise", "exclude", "skip"):
        raise ParameterError(f"on_invalid must be 'raise', 'exclude' or 'skip', got {on_invalid!r}")
    checked = episodes if isinstance(episodes, Validated) else validate(episodes)
    if on_invalid == "raise":
        checked.raise_if_invalid()
    flags = flag_arrays(checked.table, rules, caseness_first=caseness_first)
    out = pd.concat([checked.table, pd.DataFrame(flags, index=checked.table.index)], axis="columns")
    if on_invalid != "exclude":
        return out
    out[EXCLUDED_REASON] = ""
    if checked.excluded.empty:
        return out
    excluded = checked.excluded.copy()
    for name in flags:
        excluded[name] = None if name == "anxiety_measure" else False
    merged = pd.concat([out, excluded], ignore_index=True)
    return merged.sort_values(ROW, kind="stable").reset_index(drop=True)


def _column(table: pd.DataFrame | Mapping[str, np.ndarray], name: str) -> np.ndarray:
    """The column as floats, NaN where missing (for a float column, a read-only view: no copy)."""
    if isinstance(table, pd.DataFrame):
        if name in table.columns:
            values = table[name]
            if values.dtype == np.float64:
                return values.to_numpy()  # NaN already marks a missing value
            return values.to_numpy(dtype=float, na_value=np.nan)
        return np.full(len(table), np.nan)
    return (np.asarray(table[name], dtype=float) if name in table
            else np.full(len(next(iter(table.values()))), np.nan))


MEASURE_NAMES = (instruments.GAD7.name, *instruments.adsm_names())
_MEASURE_DTYPE = pd.CategoricalDtype(list(MEASURE_NAMES))


def _measure_used(adsm: np.ndarray | None, groups: list[tuple[str, np.ndarray]], n: int) -> pd.Categorical:
    """Which anxiety measure each row's outcome used, as a categorical (cheap at a million rows)."""
    codes = np.zeros(n, dtype=np.int8)
    for key, rows in groups:
        codes[rows] = MEASURE_NAMES.index(instruments.lookup(key).name)
    return pd.Categorical.from_codes(codes, dtype=_MEASURE_DTYPE)


def _has(table: pd.DataFrame | Mapping[str, np.ndarray], name: str) -> bool:
    return name in (table.columns if isinstance(table, pd.DataFrame) else table)


def _different_contacts(table: pd.DataFrame | Mapping[str, np.ndarray], measure: str) -> np.ndarray:
    """False where the provenance columns show first and last score came from the same contact."""
    first, last = f"{measure}_first_contact", f"{measure}_last_contact"
    if not (_has(table, first) and _has(table, last)):
        return np.ones(len(np.asarray(table["treatment_contacts"])), dtype=bool)
    return ~(_column(table, first) == _column(table, last))


def _ended(table: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
    """The ``referral_ended`` column as booleans; an empty or unreadable cell is an input error."""
    ended, missing, bad = yes_no(pd.Series(table["referral_ended"]))
    n = len(ended)
    rows = np.asarray(table[ROW]) if _has(table, ROW) else np.arange(n) + 2
    wrong = np.flatnonzero(missing | bad)
    if len(wrong):
        raise InputError([Problem(int(rows[p]), "referral_ended", "must be yes/no, true/false or 1/0")
                          for p in wrong])
    return ended


def _flags(table: pd.DataFrame | Mapping[str, np.ndarray], rules: Rules,
           at_start: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The flag arrays for a validated table or its columns (vectorised; no row loops)."""
    contacts = np.asarray(table["treatment_contacts"])
    phq_first, phq_last = _column(table, "phq9_first"), _column(table, "phq9_last")
    has_adsm = _has(table, "adsm") and rules.use_adsm
    adsm = np.asarray(table["adsm"], dtype=object) if has_adsm else None
    use_adsm = np.zeros(len(contacts), bool)
    if has_adsm:
        adsm_first, adsm_last = _column(table, "adsm_first"), _column(table, "adsm_last")
        use_adsm = ~np.isnan(adsm_first) & ~np.isnan(adsm_last)
    two_contacts = rules.contacts.paired_needs_two_contacts
    if two_contacts:
        use_adsm &= _different_contacts(table, "adsm")
    anx_first, anx_last = _column(table, "gad7_first"), _column(table, "gad7_last")
    if use_adsm.any():  # otherwise GAD-7 for everyone, without a copy
        anx_first, anx_last = np.where(use_adsm, adsm_first, anx_first), np.where(use_adsm, adsm_last, anx_last)

    finished = contacts >= rules.min_treatment_contacts
    if _has(table, "referral_ended"):
        finished &= _ended(table)
    paired = ~(np.isnan(phq_first) | np.isnan(phq_last) | np.isnan(anx_first) | np.isnan(anx_last))
    if two_contacts:
        paired &= _different_contacts(table, "phq9") & np.where(
            use_adsm, _different_contacts(table, "adsm"), _different_contacts(table, "gad7"))
    eligible = finished & paired
    groups = _adsm_groups(adsm, use_adsm)
    phq_case, phq_rc = rules.caseness["phq9"], rules.reliable_change["phq9"]
    caseness_first = phq_case.met(phq_first) | _anxiety_met(anx_first, rules.caseness, groups)
    if at_start is not None:
        caseness_first = at_start
    caseness_last = phq_case.met(phq_last) | _anxiety_met(anx_last, rules.caseness, groups)
    drop_phq, drop_anx = phq_first - phq_last, anx_first - anx_last
    reliable_drop = phq_rc.met(drop_phq) | _anxiety_met(drop_anx, rules.reliable_change, groups)
    reliable_rise = phq_rc.met(-drop_phq) | _anxiety_met(-drop_anx, rules.reliable_change, groups)
    recovered = eligible & caseness_first & ~caseness_last
    improvement = eligible & reliable_drop & ~reliable_rise
    flags = {
        "finished": finished,
        "paired": paired,
        "caseness_first": caseness_first,
        "caseness_last": caseness_last,
        "recovered": recovered,
        "reliable_improvement": improvement,
        "reliable_deterioration": eligible & reliable_rise & ~reliable_drop,
        "no_reliable_change": eligible & ~reliable_drop & ~reliable_rise,
        "mixed_change": eligible & reliable_drop & reliable_rise,
        "reliable_recovery": recovered & improvement,
        "anxiety_measure": _measure_used(adsm, groups, len(contacts)),
    }
    if _has(table, "diagnosis_first") and _has(table, "diagnosis_last"):
        before = pd.array(table["diagnosis_first"], dtype="boolean")
        after = pd.array(table["diagnosis_last"], dtype="boolean")
        flags["interviewed"] = finished & ~before.isna() & ~after.isna() \
            & before.to_numpy(dtype=bool, na_value=False)
        flags["diagnosis_lost"] = flags["interviewed"] & ~after.to_numpy(dtype=bool, na_value=True)
    return flags


def flag_arrays(table: pd.DataFrame | Mapping[str, np.ndarray], rules: Rules = IAPT, *,
                caseness_first: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """:func:`classify`'s flags of an already valid episode table, as arrays (no table is built).

    ``table`` may also be a mapping from column name to array (the table's columns, as
    :func:`iaptlab.simulate.episode_columns` makes them; a boolean column may hold missing values as a
    pandas ``BooleanArray``).

    For code that classifies thousands of small tables (the Shapley waterfall in
    :mod:`iaptlab.reconcile`); ``classify`` is this plus validation and the joined table.
    ``caseness_first`` as in :func:`classify`.

    >>> import pandas as pd
    >>> valid = pd.DataFrame({"treatment_contacts": [6], "phq9_first": [16.0], "phq9_last": [7.0],
    ...                       "gad7_first": [12.0], "gad7_last": [5.0]})
    >>> bool(flag_arrays(valid)["recovered"][0])
    True
    """
    if caseness_first is not None:
        rows = len(table["treatment_contacts"])
        caseness_first = np.asarray(caseness_first)
        if caseness_first.dtype != bool or caseness_first.shape != (rows,):
            raise ParameterError(f"caseness_first must be {rows} booleans (one per valid "
                                 f"row), got {caseness_first.dtype} of shape {caseness_first.shape}")
    return _flags(table, rules, caseness_first)


#: What ``rates`` reports: outcome flag -> which denominator it is counted against.
RATE_DENOMINATORS = MappingProxyType({
    "recovered": "recovery",
    "reliable_recovery": "recovery",
    "reliable_improvement": "paired",
    "no_reliable_change": "paired",
    "reliable_deterioration": "paired",
    "mixed_change": "paired",
    "diagnosis_lost": "interviewed",
})


def _denominator_mask(classified: pd.DataFrame | Mapping[str, np.ndarray], kind: str, rules: Rules
                      ) -> tuple[np.ndarray, str]:
    finished = np.asarray(classified["finished"], dtype=bool)
    paired = np.asarray(classified["paired"], dtype=bool)
    n = rules.min_treatment_contacts
    if kind == "paired":
        return finished & paired, DENOMINATOR_DESCRIPTIONS["paired"].format(n=n)
    if kind == "interviewed":
        return np.asarray(classified["interviewed"], dtype=bool), DENOMINATOR_DESCRIPTIONS["interviewed"].format(n=n)
    at_caseness = finished & paired & np.asarray(classified["caseness_first"], dtype=bool)
    if rules.denominator == "at_caseness":
        return at_caseness, DENOMINATOR_DESCRIPTIONS["at_caseness"].format(n=n)
    known_not_case = ~np.asarray(classified["caseness_first"], dtype=bool) & first_scores_known(
        classified, classified["anxiety_measure"])
    return finished & ~known_not_case, DENOMINATOR_DESCRIPTIONS["finished_minus_not_at_caseness"].format(n=n)


def first_scores_known(scores: pd.DataFrame | Mapping[str, np.ndarray], anxiety_measure) -> np.ndarray:
    """True where both first scores the caseness rule reads are present: the PHQ-9 and the anxiety
    measure used (``anxiety_measure``, as :func:`flag_arrays` names it: GAD-7 or an ADSM).

    The M192 denominator ("all finishers minus those known not at caseness") leaves out only
    people whose first scores are known and below caseness.

    >>> first_scores_known(pd.DataFrame({"phq9_first": [12, None, 9], "gad7_first": [8, 8, None]}),
    ...                    ["GAD-7", "GAD-7", "GAD-7"]).tolist()
    [True, False, False]
    """
    used_gad7 = np.asarray(pd.Series(anxiety_measure, copy=False) == instruments.GAD7.name, dtype=bool)
    anxiety_first = np.where(used_gad7, _column(scores, "gad7_first"), _column(scores, "adsm_first"))
    return ~np.isnan(_column(scores, "phq9_first")) & ~np.isnan(anxiety_first)


def _kept(classified: pd.DataFrame) -> pd.DataFrame:
    """The rows without an ``excluded_reason`` (the table itself, not a copy, when that is all of them)."""
    kept = (classified[EXCLUDED_REASON].fillna("").astype(str) == "").to_numpy(dtype=bool)
    return classified if kept.all() else classified[kept]


def rates(classified: pd.DataFrame, rules: Rules = IAPT) -> pd.DataFrame:
    """Numerator, denominator and rate of every outcome, with the denominator in words.

    ``classified`` is the output of :func:`classify` with the same ``rules``. Excluded rows (if
    any) count in no numerator and no denominator. A zero denominator gives a NaN rate.

    >>> import pandas as pd
    >>> eps = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [6, 1],
    ...                     "phq9_first": [16, 14], "phq9_last": [7, 14],
    ...                     "gad7_first": [12, 10], "gad7_last": [5, 10]})
    >>> r = rates(classify(eps)).set_index("outcome")
    >>> int(r.loc["recovered", "numerator"]), int(r.loc["recovered", "denominator"])
    (1, 1)
    """
    _check_rules(rules)
    if not isinstance(classified, pd.DataFrame):
        raise ParameterError(f"classified must be the DataFrame classify() returns, got {type(classified).__name__}")
    kept = classified
    if EXCLUDED_REASON in classified.columns:
        kept = _kept(classified)
    rows = []
    for outcome, kind in RATE_DENOMINATORS.items():
        if outcome not in kept.columns:
            continue
        mask, words = _denominator_mask(kept, kind, rules)
        numerator = int((kept[outcome].to_numpy(dtype=bool) & mask).sum())
        denominator = int(mask.sum())
        rate = numerator / denominator if denominator else float("nan")
        rows.append((outcome, numerator, denominator, rate, words))
    return pd.DataFrame(rows, columns=["outcome", "numerator", "denominator", "rate",
                                       "denominator_description"])


def rate_counts(classified: pd.DataFrame | Mapping[str, np.ndarray], outcome: str,
                rules: Rules = IAPT) -> tuple[int, int]:
    """Numerator and denominator of one outcome, counted as :func:`rates` counts it.

    ``classified`` is :func:`classify`'s table or :func:`flag_arrays`' flags (with the first
    scores added when ``rules`` uses the M192 denominator); excluded rows must be left out first.

    >>> import pandas as pd
    >>> eps = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [6, 1],
    ...                     "phq9_first": [16, 14], "phq9_last": [7, 14],
    ...                     "gad7_first": [12, 10], "gad7_last": [5, 10]})
    >>> rate_counts(classify(eps), "recovered")
    (1, 1)
    """
    if outcome not in RATE_DENOMINATORS:
        raise ParameterError(f"outcome must be one of {', '.join(RATE_DENOMINATORS)}, got {outcome!r}")
    mask, _ = _denominator_mask(classified, RATE_DENOMINATORS[outcome], rules)
    return int((np.asarray(classified[outcome], dtype=bool) & mask).sum()), int(mask.sum())


#: Stages of the attrition funnel, each a subset of the one before.
FUNNEL_STAGES = ("referred", "entered_treatment", "finished", "finished_paired",
                 "finished_paired_at_caseness", "recovered")


def funnel(classified: pd.DataFrame) -> pd.DataFrame:
    """Counts from referral to "recovered", with each stage as a share of referrals.

    >>> import pandas as pd
    >>> eps = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [6, 0],
    ...                     "phq9_first": [16, None], "phq9_last": [7, None],
    ...                     "gad7_first": [12, None], "gad7_last": [5, None]})
    >>> funnel(classify(eps))["count"].tolist()
    [2, 1, 1, 1, 1, 1]
    """
    kept = classified
    if EXCLUDED_REASON in classified.columns:
        kept = _kept(classified)
    finished = kept["finished"].to_numpy(dtype=bool)
    paired = finished & kept["paired"].to_numpy(dtype=bool)
    counts = [len(kept), int((kept["treatment_contacts"].to_numpy() >= 1).sum()), int(finished.sum()),
              int(paired.sum()), int((paired & kept["caseness_first"].to_numpy(dtype=bool)).sum()),
              int(kept["recovered"].to_numpy(dtype=bool).sum())]
    share = np.array(counts, dtype=float) / counts[0] if counts[0] else np.full(len(counts), np.nan)
    return pd.DataFrame({"stage": FUNNEL_STAGES, "count": counts, "share_of_referrals": share})


def __getattr__(name: str):
    """``DENOMINATOR_WORDS``, the old name of :data:`DENOMINATOR_DESCRIPTIONS` (deprecated)."""
    if name == "DENOMINATOR_WORDS":
        import warnings

        warnings.warn("iaptlab.outcomes.DENOMINATOR_WORDS is now DENOMINATOR_DESCRIPTIONS",
                      DeprecationWarning, stacklevel=2)
        return DENOMINATOR_DESCRIPTIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
