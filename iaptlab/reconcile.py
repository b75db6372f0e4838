"""Reconciling "about 50% recover" with "about 10% lost their diagnosis", under stated assumptions.

:func:`waterfall` takes one :class:`~iaptlab.simulate.CohortModel` and splits the gap between two
rates (by default IAPT questionnaire *recovery* and *loss of diagnosis* on a blind interview)
into the contribution of each mechanism. Because mechanisms interact (measurement error only
produces regression to the mean when people are *selected* on the error-laden score), switching
them off one at a time in some order gives order-dependent answers. The attribution here is the
Shapley value: each mechanism's effect on the gap averaged over every order of switching the
mechanisms on, computed exactly over all 2^k coalitions, with common random numbers (the same
draws for every coalition) so that differences are not noise. The contributions plus the gap
left with every mechanism off sum to the total gap exactly.

Selection is a property of the rule, not of the data: with ``select_on_first_measurement`` on (as
IAPT does), a rate's denominator admits people on their first measurement (questionnaire
caseness for questionnaire outcomes; the first interview for loss of diagnosis); off, it admits
them on their true state at referral. The numerator is the same flag in both cases.

:func:`calibration_table` lists what :meth:`CohortModel.iapt_like` was calibrated to, the
published figure and its source (``shared/research/domain.md``), and what the model gives.

>>> from iaptlab.simulate import CohortModel
>>> w = waterfall(CohortModel(n=2000, seed=1), mechanisms=("demand", "treatment_effect"))
>>> bool(abs(w.attrs["gap"] - w["contribution"].sum()) < 1e-12)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from math import factorial

import numpy as np
import pandas as pd

from ._simulate_mechanisms import Draws, draw, generate
from .errors import ParameterError
from .outcomes import IAPT, Rules, classify
from .schema import Validated, validate
from .simulate import MECHANISMS, CohortModel, episode_ids, simulate, to_frame

#: What each mechanism means, in a sentence a student can read beside the chart.
MECHANISM_WORDS = {
    "treatment_effect": "treatment truly lowers symptoms",
    "natural_remission": "some people remit without treatment while they wait and attend",
    "measurement_error": "questionnaire totals wobble around the true score",
    "hello_goodbye": "first questionnaires are inflated to get help",
    "demand": "last questionnaires are lowered when completed with the therapist",
    "attrition_bias": "people who would improve more are more likely to finish",
    "interview_error": "the blind interview misclassifies some people",
    "selection": "denominators admit people on their first (error-laden) measurement",
}

#: Mechanisms that cannot change outcomes of each kind (structural facts of the simulator,
#: checked by tests); used only to avoid recomputing identical coalitions.
_CANNOT_CHANGE = {
    "questionnaire": ("interview_error",),
    "interview": ("measurement_error", "hello_goodbye", "demand"),
}


def _true_caseness(classified: pd.DataFrame, rules: Rules) -> np.ndarray:
    phq = classified["true_phq9_first"].to_numpy(dtype=float, na_value=np.nan)
    gad = classified["true_gad7_first"].to_numpy(dtype=float, na_value=np.nan)
    return rules.caseness["phq9"].met(phq) | rules.caseness["gad7"].met(gad)


def _flag(classified: pd.DataFrame, name: str) -> np.ndarray:
    return classified[name].to_numpy(dtype=bool)


def _questionnaire(numerator: Callable[[pd.DataFrame], np.ndarray]
                   ) -> Callable[[pd.DataFrame, bool, Rules], tuple[int, int]]:
    def rate(classified: pd.DataFrame, select: bool, rules: Rules) -> tuple[int, int]:
        entry = _flag(classified, "caseness_first") if select else _true_caseness(classified, rules)
        denominator = _flag(classified, "finished") & _flag(classified, "paired") & entry
        return int((denominator & numerator(classified)).sum()), int(denominator.sum())
    return rate


def _diagnosis_lost(classified: pd.DataFrame, select: bool, rules: Rules) -> tuple[int, int]:
    last = classified["diagnosis_last"].astype("boolean")
    if select:
        entry = classified["diagnosis_first"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        entry = classified["true_diagnosis_first"].to_numpy(dtype=float, na_value=np.nan) == 1.0
    denominator = _flag(classified, "finished") & last.notna().to_numpy(dtype=bool) & entry
    lost = ~last.fillna(True).to_numpy(dtype=bool)
    return int((denominator & lost).sum()), int(denominator.sum())


#: Outcomes the waterfall can compare: name -> (kind, rate function(classified, select, rules)).
#: Questionnaire outcomes count among finishers with paired scores at caseness on the first
#: scores (how NHS Digital reports them, domain.md §3); ``diagnosis_lost`` among finishers who met
#: criteria at the first interview and were interviewed again.
OUTCOMES: dict[str, tuple[str, Callable[[pd.DataFrame, bool, Rules], tuple[int, int]]]] = {
    "recovered": ("questionnaire", _questionnaire(lambda c: ~_flag(c, "caseness_last"))),
    "reliable_recovery": ("questionnaire", _questionnaire(
        lambda c: _flag(c, "reliable_improvement") & ~_flag(c, "caseness_last"))),
    "reliable_improvement": ("questionnaire", _questionnaire(
        lambda c: _flag(c, "reliable_improvement"))),
    "diagnosis_lost": ("interview", _diagnosis_lost),
}


#: The columns the outcome rates read (the waterfall classifies only these, for speed).
_RATE_COLUMNS = ("treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last",
                 "diagnosis_first", "diagnosis_last", "diagnosis_last_present",
                 "true_phq9_first", "true_gad7_first", "true_diagnosis_first")


def _classify_simulated(model: CohortModel, draws: Draws, ids: pd.api.extensions.ExtensionArray,
                        rules: Rules) -> pd.DataFrame:
    """Classify a simulated table; the simulator's tables are validated once by the caller."""
    columns = generate(model, draws)
    table = to_frame({name: columns[name] for name in _RATE_COLUMNS}, ids)
    return classify(Validated(table=table, excluded=table.iloc[:0], problems=()), rules)


def outcome_rate(classified: pd.DataFrame, outcome: str, *, select_on_first_measurement: bool = True,
                 rules: Rules = IAPT) -> float:
    """The rate of ``outcome`` in a classified simulated table (NaN if the denominator is empty).

    >>> from iaptlab.simulate import simulate
    >>> c = classify(simulate(CohortModel(n=3000)))
    >>> 0 < outcome_rate(c, "recovered") < 1
    True
    """
    if outcome not in OUTCOMES:
        raise ParameterError(f"unknown outcome {outcome!r}; known: {', '.join(OUTCOMES)}")
    numerator, denominator = OUTCOMES[outcome][1](classified, select_on_first_measurement, rules)
    return numerator / denominator if denominator else float("nan")


def shapley_weights(k: int) -> np.ndarray:
    """Weight of a coalition of size s (s = 0..k-1) in one player's Shapley value among k.

    >>> shapley_weights(2).tolist()
    [0.5, 0.5]
    """
    return np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])


def waterfall(model: CohortModel, from_outcome: str = "recovered",
              to_outcome: str = "diagnosis_lost", mechanisms: Iterable[str] | None = None,
              rules: Rules = IAPT) -> pd.DataFrame:
    """Each mechanism's exact Shapley contribution to the gap ``rate(from) - rate(to)``.

    Rows, in order: the ``from`` rate; one row per mechanism (``contribution`` > 0 means the
    mechanism widens the gap); ``all mechanisms off`` (the gap left when every listed mechanism is
    off: what the two definitions differ by on their own); the ``to`` rate. ``start``/``end``
    trace the waterfall from one rate to the other. ``attrs`` holds ``gap``, ``n`` and ``seed``.
    Mechanisms not listed stay as the model sets them. Rates are proportions (0-1).

    >>> w = waterfall(CohortModel(n=2000), mechanisms=("demand",))
    >>> w["kind"].tolist()
    ['rate', 'mechanism', 'residual', 'rate']
    """
    names = tuple(MECHANISMS) if mechanisms is None else tuple(mechanisms)
    unknown = [m for m in (from_outcome, to_outcome) if m not in OUTCOMES]
    if unknown:
        raise ParameterError(f"unknown outcome(s) {unknown}; known: {', '.join(OUTCOMES)}")
    bad = [m for m in names if m not in MECHANISMS]
    if bad or len(set(names)) != len(names) or not names:
        raise ParameterError(f"mechanisms must be distinct names from {', '.join(MECHANISMS)}; "
                             f"got {names}")
    draws, ids = draw(model.n, model.seed), pd.array(episode_ids(model.n), dtype="str")
    validate(to_frame(generate(model, draws), ids)).raise_if_invalid()
    cache: dict[CohortModel, pd.DataFrame] = {}

    def rate(outcome: str, coalition_model: CohortModel) -> float:
        kind, _ = OUTCOMES[outcome]
        key = coalition_model.without(*_CANNOT_CHANGE[kind], "selection")
        if key not in cache:
            cache[key] = _classify_simulated(key, draws, ids, rules)
        return outcome_rate(cache[key], outcome, rules=rules,
                            select_on_first_measurement=coalition_model.select_on_first_measurement)

    k = len(names)
    values = np.empty(2**k)
    for mask in range(2**k):  # a loop over coalitions of mechanisms, not over rows
        off = [m for bit, m in enumerate(names) if not mask >> bit & 1]
        coalition_model = model.without(*off)
        values[mask] = rate(from_outcome, coalition_model) - rate(to_outcome, coalition_model)
    weights = shapley_weights(k)
    sizes = np.array([bin(mask).count("1") for mask in range(2**k)])
    contributions = []
    for bit in range(k):
        without_me = np.array([mask for mask in range(2**k) if not mask >> bit & 1])
        gains = values[without_me | (1 << bit)] - values[without_me]
        contributions.append(float(np.sum(weights[sizes[without_me]] * gains)))
    rate_from = rate(from_outcome, model)
    rate_to = rate(to_outcome, model)
    steps = [(from_outcome, "rate", rate_from, f"{from_outcome} with every mechanism as set")]
    steps += [(m, "mechanism", c, MECHANISM_WORDS[m]) for m, c in zip(names, contributions,
                                                                        strict=True)]
    steps += [("all mechanisms off", "residual", float(values[0]),
               "gap left when every listed mechanism is off (the definitions themselves)")]
    steps += [(to_outcome, "rate", rate_to, f"{to_outcome} with every mechanism as set")]
    table = pd.DataFrame(steps, columns=["component", "kind", "value", "meaning"])
    is_step = table["kind"] != "rate"
    table["contribution"] = np.where(is_step, table["value"], 0.0)
    table["end"] = rate_from - table["contribution"].cumsum()
    table["start"] = table["end"] + table["contribution"]
    table.loc[table.index[-1], ["start", "end"]] = rate_to
    table["contribution_points"] = 100 * table["contribution"]
    table.attrs.update(gap=rate_from - rate_to, n=model.n, seed=model.seed,
                       from_outcome=from_outcome, to_outcome=to_outcome)
    return table[["component", "kind", "value", "contribution", "contribution_points", "start",
                  "end", "meaning"]]


#: Calibration targets of ``CohortModel.iapt_like()``: (quantity, published value, source,
#: tolerance). The tolerance is the calibration's promise, tested in tests/test_reconcile.py.
CALIBRATION_TARGETS = (
    ("recovery rate (finished, paired, at caseness)", 0.508,
     "2017-18 recovery 50.8% (domain.md §3 [C])", 0.02),
    ("reliable improvement (finished, paired, at caseness)", 0.664,
     "2017-18 reliable improvement 66.4% (domain.md §3 [C])", 0.03),
    ("finished a course / referrals", 0.385,
     "555,000 / 1.44m, 2017-18 (domain.md §3 [D])", 0.02),
    ("entered treatment / referrals", 0.701,
     "1.01m / 1.44m, 2017-18 (domain.md §3 [C]; ratio computed here)", 0.02),
    ("finishers at caseness / finishers", 0.926,
     "525,000 / 567,000, 2016-17 (domain.md §3 [D])", 0.02),
    ("mean treatment contacts among finishers", 6.8,
     "2017-18 mean sessions 6.8 (domain.md §3 [C])", 0.3),
)


def calibration_table(model: CohortModel | None = None) -> pd.DataFrame:
    """Target vs simulated for each calibrated quantity, plus the interview rate (not a target).

    The last row, loss of diagnosis on the blind interview, has no target on purpose: the
    9.2%/10% figure (Scott 2018, domain.md §4 [S]) comes from 90 litigants, not a random sample,
    so the model is not tuned to it; the waterfall explains how far it is from recovery.

    >>> t = calibration_table(CohortModel.iapt_like(n=5000))
    >>> t.columns.tolist()
    ['quantity', 'target', 'simulated', 'tolerance', 'within_tolerance', 'source']
    """
    model = CohortModel.iapt_like() if model is None else model
    classified = classify(simulate(model))
    contacts = classified["treatment_contacts"].to_numpy()
    finished = _flag(classified, "finished")
    simulated = (
        outcome_rate(classified, "recovered"),
        outcome_rate(classified, "reliable_improvement"),
        float(finished.mean()),
        float((contacts > 0).mean()),
        float(_flag(classified, "caseness_first")[finished].mean()),
        float(contacts[finished].mean()),
    )
    rows = [(q, target, sim, tol, abs(sim - target) <= tol, source)
            for (q, target, source, tol), sim in zip(CALIBRATION_TARGETS, simulated, strict=True)]
    rows.append(("lost diagnosis on blind interview (finished, met criteria at start)", np.nan,
                 outcome_rate(classified, "diagnosis_lost"), np.nan, pd.NA,
                 "not a target: Scott (2018) 9.2% of 90 litigants (domain.md §4 [S])"))
    return pd.DataFrame(rows, columns=["quantity", "target", "simulated", "tolerance",
                                       "within_tolerance", "source"])
