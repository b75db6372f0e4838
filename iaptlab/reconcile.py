"""Reconciling "about 50% recover" with "about 10% lost their diagnosis", under stated assumptions.

:func:`waterfall_table` takes one :class:`~iaptlab.simulate.CohortModel` and splits the gap between two
rates (by default IAPT questionnaire *recovery* and *loss of diagnosis* on a blind interview)
into the contribution of each mechanism (or group of mechanisms). Because mechanisms interact
(measurement error only produces regression to the mean when people are *selected* on the
error-laden score), switching them off one at a time in some order gives order-dependent answers.
The attribution here is the Shapley value: each mechanism's effect on the gap averaged over every
order of switching the mechanisms on, with common random numbers (the same draws for every
coalition) so that differences are not noise. It is exact over all 2^k coalitions for up to
:data:`EXACT_UP_TO` players; beyond that it samples orders (antithetic pairs, seeded) and reports
a Monte Carlo standard error. Either way the contributions plus the gap left with every mechanism
off sum to the total gap exactly.

Which side each mechanism can move (structural facts of the simulator, checked by tests):

=========================== ============= ========= =============================================
mechanism                   questionnaire interview how
=========================== ============= ========= =============================================
treatment_effect            yes           yes       true severity falls
natural_remission           yes           yes       true severity falls (and keeps falling until a
                                                    later interview)
attrition_bias              yes           yes       who finishes
measurement_error           yes           no        questionnaire totals only
hello_goodbye               yes           no        first questionnaire only
demand                      yes           no        last questionnaire only
selection                   yes           yes       who enters each denominator (below)
interview_error             no            yes       interview verdicts only
unseen_disorders            no            yes       a diagnosis the questionnaires cannot see
interview_sample_selection  no            yes       who is interviewed (below)
interview_delay             no            yes       the interview is later: remission and relapse
=========================== ============= ========= =============================================

How *selection* is defined on each side. ``selection`` (``select_on_first_measurement``) is a
property of the rule: on (as IAPT does), a denominator admits people on their first measurement
(questionnaire caseness for questionnaire outcomes; the first interview for loss of diagnosis);
off, on their true state at referral. ``interview_sample_selection`` acts on the interview side
only: the loss-of-diagnosis rate is the one expected in a sample of finishers in which someone
still meeting criteria (true state at the final interview) is ``interviewed_odds_ratio_still_ill``
times as likely to be included; 1 gives the rate among all eligible finishers. IAPT's
questionnaire figures cover (nearly) all finishers (outcome data on 98.5%, clark_2018), so the
questionnaire side has no sampling step. Both selections are :mod:`iaptlab.selection`'s; every
rate is :func:`iaptlab.outcomes.rates` of :func:`iaptlab.outcomes.classify`'s flags.
:func:`iaptlab.selection.interviewed_sample` draws one interviewed sample of ``k`` people (e.g.
90) and gives its rate with a 95% confidence interval; :func:`iaptlab.simulate.calibration_table`
lists what :meth:`CohortModel.interview_sees_questionnaires` was calibrated to.

>>> from iaptlab.simulate import CohortModel
>>> w = waterfall_table(CohortModel(n=2000, seed=1), mechanisms=("demand", "treatment_effect"))
>>> bool(abs(w.attrs["gap"] - w["contribution"].sum()) < 1e-12)
True
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._shapley import exact_shapley, sampled_shapley, shapley_weights
from .errors import ParameterError
from .outcomes import IAPT, Rules, rate_counts
from .schema import validate
from .selection import classify_selected, diagnosis_lost_rate, selected_flags
from .simulate import (
    MECHANISMS,
    CohortModel,
    course_of,
    draw,
    episode_columns,
    not_in_course,
    simulate,
)

__all__ = ["EXACT_UP_TO", "FIVE_GROUPS", "MECHANISM_WORDS", "NOT_READ_BY_COURSE", "OUTCOMES", "SIDES",
           "check_simulated_table", "forget_computed", "model_rates", "outcome_rate", "sharing_courses",
           "shapley_weights", "waterfall_table"]

#: What each mechanism means, in a sentence a student can read beside the chart.
MECHANISM_WORDS = {
    "treatment_effect": "treatment truly lowers symptoms",
    "natural_remission": "some people remit without treatment while they wait and attend",
    "measurement_error": "questionnaire totals wobble around the true score",
    "hello_goodbye": "first questionnaires are inflated to get help",
    "demand": "last questionnaires are lowered when completed with the therapist",
    "attrition_bias": "people whose course would help them less stop sooner",
    "interview_error": "the blind interview misclassifies some people",
    "selection": "denominators admit people on their first (error-laden) measurement",
    "unseen_disorders": "some people also have a disorder the questionnaires do not measure",
    "interview_sample_selection": "people still in difficulty are more likely to be interviewed",
    "interview_delay": "the interview comes months after treatment: some relapse, some remit",
}

#: Mechanisms that cannot change outcomes of each kind (structural facts of the simulator,
#: checked by tests); used only to avoid recomputing identical tables.
_CANNOT_CHANGE = {
    "questionnaire": ("interview_error", "unseen_disorders", "interview_sample_selection",
                      "interview_delay"),
    "interview": ("measurement_error", "hello_goodbye", "demand"),
}
#: Which side(s) each mechanism can move: "questionnaire", "interview" or "both".
SIDES = {m: ("interview" if m in _CANNOT_CHANGE["questionnaire"] else
             "questionnaire" if m in _CANNOT_CHANGE["interview"] else "both") for m in MECHANISMS}
#: Mechanisms applied when a rate is computed from a table, not when the table is made.
_AT_RATE_TIME = ("selection", "interview_sample_selection")

#: Up to this many players (mechanisms or groups) the waterfall is exact; beyond, it samples.
EXACT_UP_TO = 11

#: Five groups a lesson can pass as ``waterfall_table(..., groups=FIVE_GROUPS)`` for a five-bar chart.
FIVE_GROUPS = {
    "real change": ("treatment_effect", "natural_remission"),
    "who finishes": ("attrition_bias",),
    "questionnaire artefacts": ("measurement_error", "hello_goodbye", "demand", "selection"),
    "what the interview sees": ("interview_error", "unseen_disorders"),
    "who is interviewed, and when": ("interview_sample_selection", "interview_delay"),
}


#: Outcomes the waterfall can compare, and the side each is measured on. Questionnaire outcomes
#: are :func:`iaptlab.outcomes.rates` among finishers with paired scores at caseness at the start
#: (the recovery denominator, nhsd_guide_v21); ``diagnosis_lost`` is ``rates``' loss of diagnosis
#: among finishers who met criteria at the first interview and were interviewed again, as
#: expected in the interviewed sample (:func:`iaptlab.selection.diagnosis_lost_rate`).
OUTCOMES = MappingProxyType({
    "recovered": "questionnaire",
    "reliable_recovery": "questionnaire",
    "reliable_improvement": "questionnaire",
    "diagnosis_lost": "interview",
})

#: The columns each side's rates read (the waterfall classifies only these, for speed).
_SIDE_COLUMNS = {
    "questionnaire": ("treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last",
                      "true_phq9_first", "true_gad7_first"),
    "interview": ("treatment_contacts", "diagnosis_first", "diagnosis_last", "diagnosis_last_present",
                  "true_phq9_first", "true_gad7_first", "true_diagnosis_first", "true_diagnosis_last"),
}


#: What :func:`iaptlab.outcomes.rate_counts` reads besides the outcome's own flag (the first
#: scores and measure only for the M192 denominator).
_RATES_READ = ("finished", "paired", "caseness_first")
_M192_READ = ("anxiety_measure", "phq9_first", "gad7_first", "adsm_first")


#: Rates of tables already made, by everything they depend on (the model as switched, the model of
#: its course, side, selection, rules, outcome, odds): a waterfall asked again after one setting
#: has moved (an explorer) recomputes only the tables that setting changes. Bounded, oldest first out.
_RATES: dict[tuple, float] = {}
_RATES_KEPT = 4_000
#: Courses of small cohorts (an explorer's: ~0.6 MB each at 4,000 referrals, 4 per waterfall), by the
#: parameters they read; the 100,000-referral ones are not kept.
_COURSES: dict[tuple, Any] = {}
_COURSES_KEPT = 4  # ~1.7 MB (without per-slot arrays): the courses of the waterfall on screen (moves of the interview, relapse and selection settings reuse them); lesson 07 within 200 MB
_COURSE_KEPT_UP_TO_N = 4_000  # an explorer's cohort (reconcile_gap.EXPLORER_N); bigger ones are not kept


#: Waterfall tables already made, by every argument they depend on (a setting visited again returns a
#: copy at once); a few kilobytes each. Bounded, oldest first out.
_TABLES: dict[tuple, pd.DataFrame] = {}
_TABLES_KEPT = 64
#: Models whose simulated table ``waterfall_table(check_table=True)`` has validated (the table is a pure
#: function of the model, so once is enough); bounded, oldest first out.
_VALIDATED: dict[CohortModel, None] = {}
_VALIDATED_KEPT = 64
#: Courses of any size kept while :func:`sharing_courses` is open (None: closed).
_SHARED: dict[tuple, Any] | None = None


def forget_computed() -> None:
    """Drop the rates and courses :func:`waterfall_table` keeps between calls (memory back; the
    next waterfall computes everything afresh, with the same numbers).

    >>> forget_computed()
    """
    _RATES.clear()
    _COURSES.clear()
    _VALIDATED.clear()
    _TABLES.clear()
    _DRAWS.clear()


def check_simulated_table(model: CohortModel) -> None:
    """Validate ``simulate(model)``'s table (raise :class:`~iaptlab.errors.InputError` if invalid), once per
    model: the table is a pure function of the model, so a model checked before is not checked again.

    >>> check_simulated_table(CohortModel(n=300))
    """
    if model not in _VALIDATED:
        validate(simulate(model)).raise_if_invalid()
        _remember(_VALIDATED, model, None, _VALIDATED_KEPT)


@contextmanager
def sharing_courses() -> Iterator[None]:
    """Within the block, waterfalls of any cohort size share their courses (e.g. two models that differ
    only in interview parameters need the very same ones); they are dropped when it ends.

    Each 100,000-referral course kept is ~9 MB: use it around a few waterfalls computed together.

    >>> with sharing_courses():
    ...     shared = waterfall_table(CohortModel(n=5000), mechanisms=("treatment_effect",))
    >>> shared.equals(waterfall_table(CohortModel(n=5000), mechanisms=("treatment_effect",)))
    True
    """
    global _SHARED
    outer, _SHARED = _SHARED, ({} if _SHARED is None else _SHARED)
    try:
        yield
    finally:
        if outer is None:
            _SHARED.clear()
        _SHARED = outer


def _remember(store: dict, key: Any, value: Any, kept: int) -> Any:
    """Put ``value`` under ``key`` in ``store`` (dropping the oldest entry beyond ``kept``); return it."""
    store[key] = value
    if len(store) > kept:
        del store[next(iter(store))]
    return value


#: Parameters only the interview reads (``simulate``'s interview functions), never the course: two
#: models differing only in these have the same course (tested).
NOT_READ_BY_COURSE = ("relapse_within_12_months", "months_from_end_to_interview", "unseen_disorder_remission",
                      "share_with_unseen_disorder", "interview_sensitivity", "interview_specificity",
                      "interviewed_odds_ratio_still_ill")


#: The default of each interview-only parameter: questionnaire tables are kept under a model with these
#: (nothing a questionnaire rate reads can depend on them: tested), so moving an interview setting
#: recomputes no questionnaire table.
_INTERVIEW_ONLY_DEFAULTS = {f.name: f.default for f in dataclasses.fields(CohortModel) if f.name in NOT_READ_BY_COURSE}


#: The random draws of the last small cohort (an explorer's: ~0.3 MB at 4,000 referrals), by size and seed.
_DRAWS: dict[tuple[int, int], Any] = {}


def _draws(n: int, seed: int) -> Any:
    """``draw(n, seed)``; the last one of a small cohort is kept (every move of an explorer uses it)."""
    if n > _COURSE_KEPT_UP_TO_N:
        return draw(n, seed)
    if (n, seed) not in _DRAWS:
        drawn = draw(n, seed)
        for value in vars(drawn).values():  # shared between calls: nothing may change them
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
        _remember(_DRAWS, (n, seed), drawn, 1)
    return _DRAWS[n, seed]


def _course(model: CohortModel, draws: Any) -> Any:
    """``course_of(model, draws)`` without its per-slot arrays (``steps``: only the contact table reads
    them, ~40% of a course), kept for small cohorts by every parameter the course reads (a pure
    function of them: ``n`` and ``seed`` make ``draws``)."""
    if draws.n != model.n or draws.seed != model.seed:
        return dataclasses.replace(course_of(model, draws), steps=())
    key = tuple(getattr(model, f.name) for f in dataclasses.fields(model) if f.name not in NOT_READ_BY_COURSE)
    if model.n > _COURSE_KEPT_UP_TO_N:
        if _SHARED is None:
            return dataclasses.replace(course_of(model, draws), steps=())
        if key not in _SHARED:
            _SHARED[key] = dataclasses.replace(course_of(model, draws), steps=())
        return _SHARED[key]
    if key in _COURSES:  # used again: now the newest, the last to be dropped
        return _remember(_COURSES, key, _COURSES.pop(key), _COURSES_KEPT)
    return _remember(_COURSES, key, dataclasses.replace(course_of(model, draws), steps=()), _COURSES_KEPT)


def _table_columns(columns: Mapping[str, np.ndarray], names: Iterable[str]) -> dict[str, Any]:
    """:func:`~iaptlab.simulate.episode_columns` as the episode table holds them (the diagnosis at the end may be
    missing), without building the table: what :func:`iaptlab.selection.selected_flags` reads."""
    out: dict[str, Any] = {}
    for name in names:
        if name == "diagnosis_last":
            out[name] = pd.arrays.BooleanArray(columns[name], ~columns["diagnosis_last_present"])
        elif not name.endswith("_present"):
            out[name] = columns[name]
    return out


def _rate(flags: pd.DataFrame | Mapping[str, Any], outcome: str, rules: Rules, odds: float) -> float:
    """One outcome's rate from ``classify``'s flags (a table or :func:`selected_flags` arrays).

    Questionnaire outcomes are counted by :func:`iaptlab.outcomes.rate_counts` among the people at
    caseness at the start; loss of diagnosis by :func:`iaptlab.selection.diagnosis_lost_rate`.
    """
    if OUTCOMES[outcome] == "interview":
        return diagnosis_lost_rate(flags, odds_ratio_still_ill=odds, rules=rules)
    at_start = np.asarray(flags["caseness_first"], dtype=bool)
    read = (*_RATES_READ, outcome, *(_M192_READ if rules.denominator != "at_caseness" else ()))
    chosen = {name: np.asarray(flags[name])[at_start] for name in read if name in flags}
    numerator, denominator = rate_counts(chosen, outcome, rules)
    return numerator / denominator if denominator else float("nan")


def outcome_rate(classified: pd.DataFrame, outcome: str, *, select_on_first_measurement: bool = True,
                 rules: Rules = IAPT, interviewed_odds_ratio_still_ill: float = 1.0) -> float:
    """The rate of ``outcome`` in a classified simulated table (NaN if the denominator is empty).

    With ``select_on_first_measurement=False`` the table is classified again with the start
    judged on the true state at referral (:func:`iaptlab.selection.classify_selected`).
    ``interviewed_odds_ratio_still_ill`` (loss of diagnosis only) is the rate expected in an
    interviewed sample selected that way; 1 = all eligible finishers.

    >>> from iaptlab.outcomes import classify
    >>> from iaptlab.simulate import simulate
    >>> c = classify(simulate(CohortModel(n=3000)))
    >>> 0 < outcome_rate(c, "recovered") < 1
    True
    >>> outcome_rate(c, "diagnosis_lost", interviewed_odds_ratio_still_ill=5.0) < outcome_rate(
    ...     c, "diagnosis_lost")
    True
    """
    if outcome not in OUTCOMES:
        raise ParameterError(f"unknown outcome {outcome!r}; known: {', '.join(OUTCOMES)}")
    if not 0 < interviewed_odds_ratio_still_ill < math.inf:
        raise ParameterError(f"interviewed_odds_ratio_still_ill = "
                             f"{interviewed_odds_ratio_still_ill!r} must be a positive number")
    if not select_on_first_measurement:
        classified = classify_selected(classified, rules, select_on_first_measurement=False)
    return _rate(classified, outcome, rules, interviewed_odds_ratio_still_ill)


def model_rates(model: CohortModel, outcomes: Iterable[str] = ("recovered", "diagnosis_lost"),
                rules: Rules = IAPT) -> dict[str, float]:
    """Each outcome's rate (:data:`OUTCOMES`) in ``model``'s simulated cohort, with every mechanism as the
    model sets them: :func:`outcome_rate` of ``classify(simulate(model))``, selection and interview odds
    as the model has them, computed as :func:`waterfall_table` does (from the course's columns, without
    building the episode table: the same numbers in a fraction of the time and memory, tested).

    >>> r = model_rates(CohortModel.interview_sees_more(n=3000))
    >>> 0 < r["diagnosis_lost"] < r["recovered"] < 1
    True
    """
    wanted = tuple(dict.fromkeys(outcomes))
    unknown = [o for o in wanted if o not in OUTCOMES]
    if unknown:
        raise ParameterError(f"unknown outcome(s) {unknown}; known: {', '.join(OUTCOMES)}")
    draws = draw(model.n, model.seed)
    course = _course(model, draws)
    rates: dict[str, float] = {}
    for side in dict.fromkeys(OUTCOMES[o] for o in wanted):  # one or two sides
        columns = episode_columns(model, draws, course, questionnaires=side == "questionnaire",
                                  interview=side == "interview")
        flags = selected_flags(_table_columns(columns, _SIDE_COLUMNS[side]), rules,
                               select_on_first_measurement=model.select_on_first_measurement)
        odds = model.interviewed_odds_ratio_still_ill if side == "interview" else 1.0
        rates |= {o: _rate(flags, o, rules, odds) for o in wanted if OUTCOMES[o] == side}
    return {o: rates[o] for o in wanted}


def _players(mechanisms: Iterable[str] | None, groups: Mapping[str, Iterable[str]] | None
             ) -> list[tuple[str, tuple[str, ...]]]:
    """(player name, its mechanisms): each group, then every listed mechanism in no group."""
    names = tuple(MECHANISMS) if mechanisms is None else tuple(mechanisms)
    grouped = {name: tuple(members) for name, members in (groups or {}).items()}
    members = [m for group in grouped.values() for m in group]
    bad = [m for m in (*names, *members) if m not in MECHANISMS]
    if bad or len(set(names)) != len(names) or len(set(members)) != len(members):
        raise ParameterError(f"mechanisms must be distinct names from {', '.join(MECHANISMS)}; "
                             f"got {names}" + (f" and groups {grouped}" if grouped else ""))
    empty = [name for name, group in grouped.items() if not group]
    if empty or set(grouped) & set(MECHANISMS):
        raise ParameterError(f"each group needs a new name and at least one mechanism; got {grouped}")
    players = list(grouped.items()) + [(m, (m,)) for m in names if m not in members]
    if not players:
        raise ParameterError("waterfall needs at least one mechanism")
    return players


def _coalitions(k: int, sampled: bool, pairs: int, seed: int) -> list[int]:
    """The coalitions (bit masks) a waterfall of ``k`` players values, none and all among them: every
    one when exact; when sampled, those :func:`sampled_shapley`'s orders visit (drawn from the seed
    alone, so a first pass that only records them sees the very orders the real pass will).

    >>> _coalitions(2, False, 2, 0)
    [0, 1, 2, 3]
    """
    if not sampled:
        return list(range(2**k))
    seen: dict[int, None] = {0: None, 2**k - 1: None}
    sampled_shapley(lambda mask: seen.setdefault(mask) or 0.0, k, pairs, np.random.default_rng(seed))
    return list(seen)


def waterfall_table(model: CohortModel, from_outcome: str = "recovered",
              to_outcome: str = "diagnosis_lost", mechanisms: Iterable[str] | None = None,
              rules: Rules = IAPT, *, groups: Mapping[str, Iterable[str]] | None = None,
              method: Literal["auto", "exact", "sampled"] = "auto", pairs: int = 64,
              seed: int | None = None, check_table: bool = False) -> pd.DataFrame:
    """Each mechanism's (or group's) Shapley contribution to the gap ``rate(from) - rate(to)``.

    Rows, in order: the ``from`` rate; one row per player (``contribution`` > 0 means it widens
    the gap); ``all mechanisms off`` (the gap left when every listed mechanism is off: what the
    two definitions differ by on their own); the ``to`` rate. ``start``/``end`` trace the
    waterfall from one rate to the other. Rates are proportions (0-1); ``contribution_points``
    is in percentage points. Mechanisms not listed stay as the model sets them.

    ``groups`` (e.g. ``{"questionnaire artefacts": ["measurement_error", "hello_goodbye",
    "demand"]}``) makes each group one player, switched on and off as a whole; listed
    mechanisms in no group stay players of their own. ``method``: ``"exact"`` (all 2^k
    coalitions), ``"sampled"`` (``pairs`` random orders plus their reverses, seeded by ``seed``,
    default the model's seed) or ``"auto"`` (exact up to :data:`EXACT_UP_TO` players).
    ``check_table=True`` also validates ``simulate(model)``'s table (:func:`check_simulated_table`, once per
    model). It is off by default: the waterfall never reads that table (it classifies the same columns
    built from the course, :func:`~iaptlab.simulate.episode_columns`), the simulator's output is valid by
    construction and tested to be (for any valid model, and for lesson 07's own models at full size), and
    at 100,000 referrals the check took as long as a five-group waterfall and left ~4 MB of the kernel's
    memory fragmented. ``standard_error`` is the Monte Carlo SE of a sampled contribution (0 when exact). ``attrs``
    holds ``gap``, ``n``, ``seed``, ``method``, ``pairs``, ``from_outcome`` and ``to_outcome``.

    >>> w = waterfall_table(CohortModel(n=2000), mechanisms=("demand",))
    >>> w["kind"].tolist()
    ['rate', 'mechanism', 'residual', 'rate']
    """
    players = _players(mechanisms, groups)
    unknown = [m for m in (from_outcome, to_outcome) if m not in OUTCOMES]
    if unknown:
        raise ParameterError(f"unknown outcome(s) {unknown}; known: {', '.join(OUTCOMES)}")
    if method not in ("auto", "exact", "sampled"):
        raise ParameterError(f"method must be 'auto', 'exact' or 'sampled', got {method!r}")
    if not (isinstance(pairs, int | np.integer) and pairs >= 2):
        raise ParameterError(f"pairs = {pairs!r} must be a whole number, 2 or more")
    k = len(players)
    sampled = method == "sampled" or (method == "auto" and k > EXACT_UP_TO)
    drawn: list[Any] = []  # the model's random draws, made when a table is first needed (not when all are kept)

    def draws() -> Any:
        if not drawn:
            drawn.append(_draws(model.n, model.seed))
        return drawn[0]

    if check_table:
        check_simulated_table(model)
    made_key = (model, from_outcome, to_outcome, tuple(players), rules, sampled,
                (int(pairs), model.seed if seed is None else seed) if sampled else None)
    if made_key in _TABLES:  # asked before (an explorer's setting visited again): a copy of that table
        return _remember(_TABLES, made_key, _TABLES.pop(made_key), _TABLES_KEPT).copy()
    listed = [m for _, group in players for m in group]
    courses: dict[frozenset[str], Any] = {}
    cache: dict[tuple[str, frozenset[str], bool, float], float] = {}
    # Every rate the waterfall can ask of one table: the listed outcomes of its side, and for the
    # interview side the rate in the whole eligible sample as well as in the selected one.
    wanted = {side: [o for o in dict.fromkeys((from_outcome, to_outcome)) if OUTCOMES[o] == side]
              for side in ("questionnaire", "interview")}
    odds_values = tuple(dict.fromkeys((model.interviewed_odds_ratio_still_ill, 1.0)))

    models: dict[frozenset[str], CohortModel] = {}
    models_kept_as: dict[tuple[str, frozenset[str]], CohortModel] = {}

    def switched(off: frozenset[str]) -> CohortModel:
        """``model.without(*off)``, made once per set of mechanisms (each copy is validated)."""
        if off not in models:
            models[off] = model.without(*off)
        return models[off]

    def kept_as(off: frozenset[str], side: str) -> CohortModel:
        """The model a table's rates are kept under: for the questionnaire side, its interview-only
        parameters at their defaults (made once per set of mechanisms)."""
        if side == "interview":
            return switched(off)
        if (side, off) not in models_kept_as:
            models_kept_as[side, off] = dataclasses.replace(switched(off), **_INTERVIEW_ONLY_DEFAULTS)
        return models_kept_as[side, off]

    def fill(side: str, off: frozenset[str], selects: Iterable[bool]) -> None:
        """Every wanted rate of one side's table with the ``off`` mechanisms off, into ``cache``, for
        each selection in ``selects`` (one table, classified once per selection).

        The table (valid by construction) is made from its course, classified, read and dropped:
        only the rates are kept. Rates and courses already computed for the same models (by an
        earlier call) are reused.
        """
        course_key = off | frozenset(not_in_course(model))
        course_model, table_model = switched(course_key), switched(off)
        kept_table, kept_course = kept_as(off, side), kept_as(course_key, side)
        odds_here = odds_values if side == "interview" else (1.0,)
        columns = None
        for select in selects:  # one or both
            keys = {(outcome, odds): (kept_table, kept_course, side, select, rules, outcome, odds)
                    for outcome in wanted[side] for odds in odds_here}
            if all(key in _RATES for key in keys.values()):
                for (outcome, odds), key in keys.items():
                    cache[outcome, off, select, odds] = _RATES[key]
                continue
            if columns is None:
                if course_key not in courses:  # one session-by-session course per distinct course
                    courses[course_key] = _course(course_model, draws())
                columns = _table_columns(episode_columns(table_model, draws(), courses[course_key],
                                                         questionnaires=side == "questionnaire",
                                                         interview=side == "interview"), _SIDE_COLUMNS[side])
            flags = selected_flags(columns, rules, select_on_first_measurement=select)
            for (outcome, odds), key in keys.items():
                cache[outcome, off, select, odds] = _remember(_RATES, key, _rate(flags, outcome, rules, odds),
                                                              _RATES_KEPT)

    def where(outcome: str, off: frozenset[str]) -> tuple[str, frozenset[str], bool, float]:
        """(side, mechanisms off in its table, selection on, interview odds) of one rate."""
        side = OUTCOMES[outcome]
        select = model.select_on_first_measurement and "selection" not in off
        odds = (model.interviewed_odds_ratio_still_ill
                if side == "interview" and "interview_sample_selection" not in off else 1.0)
        return side, off | frozenset(_CANNOT_CHANGE[side]) | frozenset(_AT_RATE_TIME), select, odds

    def rate(outcome: str, off: frozenset[str]) -> float:
        side, table_off, select, odds = where(outcome, off)
        key = (outcome, table_off, select, odds)
        if key not in cache:
            fill(side, table_off, (select,))
        return cache[key]

    def switched_off(mask: int) -> frozenset[str]:
        on = {m for bit, (_, group) in enumerate(players) if mask >> bit & 1 for m in group}
        return frozenset(m for m in listed if m not in on)

    def value(mask: int) -> float:
        off = switched_off(mask)
        return rate(from_outcome, off) - rate(to_outcome, off)

    # Every table the coalitions need, made course by course: one 100,000-referral course (~9 MB)
    # alive at a time, not one per distinct course at once (8 for every mechanism: the peak).
    shapley_seed = model.seed if seed is None else seed
    tables: dict[frozenset[str], dict[tuple[str, frozenset[str]], dict[bool, None]]] = {}
    for mask in _coalitions(k, sampled, int(pairs), shapley_seed):
        off = switched_off(mask)
        for outcome in dict.fromkeys((from_outcome, to_outcome)):
            side, table_off, select, _ = where(outcome, off)
            of_course = tables.setdefault(table_off | frozenset(not_in_course(model)), {})
            of_course.setdefault((side, table_off), {})[select] = None
    for of_course in tables.values():  # a loop over a few courses, not over rows
        for (side, table_off), selects in of_course.items():
            fill(side, table_off, selects)
        courses.clear()

    if sampled:
        contributions, errors = sampled_shapley(value, k, int(pairs), np.random.default_rng(shapley_seed))
    else:
        contributions, errors = exact_shapley(value, k), np.zeros(k)
    rate_from, rate_to = rate(from_outcome, frozenset()), rate(to_outcome, frozenset())
    steps = [(from_outcome, "rate", rate_from, 0.0, f"{from_outcome} with every mechanism as set",
              "")]
    steps += [(name, "mechanism", c, se, "; ".join(MECHANISM_WORDS[m] for m in group),
               ", ".join(group))
              for (name, group), c, se in zip(players, contributions, errors, strict=True)]
    steps += [("all mechanisms off", "residual", value(0), 0.0,
               "gap left when every listed mechanism is off (the definitions themselves)", "")]
    steps += [(to_outcome, "rate", rate_to, 0.0, f"{to_outcome} with every mechanism as set", "")]
    table = pd.DataFrame(steps, columns=["component", "kind", "value", "standard_error", "meaning",
                                         "mechanisms"])
    is_step = table["kind"] != "rate"
    table["contribution"] = np.where(is_step, table["value"], 0.0)
    table["end"] = rate_from - table["contribution"].cumsum()
    table["start"] = table["end"] + table["contribution"]
    table.loc[table.index[-1], ["start", "end"]] = rate_to
    table["contribution_points"] = 100 * table["contribution"]
    table.attrs.update(gap=rate_from - rate_to, n=model.n, seed=model.seed,
                       from_outcome=from_outcome, to_outcome=to_outcome,
                       method="sampled" if sampled else "exact", pairs=int(pairs) if sampled else 0)
    table = table[["component", "kind", "value", "contribution", "contribution_points", "start",
                   "end", "standard_error", "meaning", "mechanisms"]]
    return _remember(_TABLES, made_key, table, _TABLES_KEPT).copy()


#: Names that moved, kept importable from here for one release (each warns once used).
_MOVED = {
    "waterfall": ("iaptlab.reconcile", "waterfall_table"),
    "calibration_table": ("iaptlab.simulate", "calibration_table"),
    "CALIBRATION_TARGETS": ("iaptlab.simulate", "CALIBRATION_TARGETS"),
    "wilson_interval": ("iaptlab.accuracy", "wilson_interval"),
    "interviewed_sample": ("iaptlab.selection", "interviewed_sample"),
    "SampleEstimate": ("iaptlab.selection", "SampleEstimate"),
}


def __getattr__(name: str) -> Any:
    """The old names of things that moved (deprecated): ``waterfall`` is ``waterfall_table``, ..."""
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    import warnings

    module, new = _MOVED[name]
    warnings.warn(f"iaptlab.reconcile.{name} is now {module}.{new}", DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(module), new)
