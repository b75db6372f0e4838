"""Lesson 02: one cohort, many definitions of "recovery", side by side.

:func:`definitions_table` applies six definitions to the same people: IAPT recovery, reliable
improvement and reliable recovery (NHS Digital guide v2.1: nhsd_guide_v21 [C]); Jacobson &
Truax's clinically significant change on the PHQ-9 with cut-off a, b or c (jacobson_truax_1991, clinicalsignificance_r_package); and
loss of diagnosis on a blind interview (simulation only). Each row says who is in its
denominator, because the definitions do not even count the same people.

Jacobson–Truax needs numbers the dossier does not give, so they are labelled assumptions:

* the *clinical* (dysfunctional) population's mean and SD are the first PHQ-9 scores of the
  people the definitions are applied to (finished a course, paired scores) -- computed, not
  assumed;
* the *functional* (non-clinical) population's mean and SD are **teaching assumptions**
  (:data:`TEACHING_FUNCTIONAL_MEAN`, :data:`TEACHING_FUNCTIONAL_SD`): no population norm for
  the PHQ-9 is recorded in the project's fact file;
* the reliability in the reliable change index is the simulation's own teaching value for the
  PHQ-9 (``CohortModel.phq9_reliability``), so the index matches the noise the simulation adds.

Cut-off b is two SDs above the functional mean. Jacobson & Truax describe the target as "within
the range of the functional population" (abstract, jacobson_truax_1991 [C]), i.e. the functional
SD; the R package *clinicalsignificance* uses the clinical SD (``b_sd="clinical"``). Both
are offered.

>>> from iaptlab.lesson_cohort import lesson_cohort
>>> table = definitions_table(lesson_cohort(5_000))
>>> table["definition"].tolist()[:3]
['IAPT recovery', 'IAPT reliable improvement', 'IAPT reliable recovery']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from .clinical_significance import Cutoffs, clinical_significance, cutoffs
from .cohort_model import INTERVIEW_MEASURES
from .errors import ParameterError
from .lesson_cohort import LESSON_N, LESSON_SEED, lesson_cohort
from .outcomes import IAPT, Rules, classify, rates
from .reliable_change import reliable_change_threshold
from .schema import Validated, validate
from .simulate import CohortModel, draw, episode_columns, simulate

__all__ = ["BSD", "CUTOFF_WORDS", "TEACHING_FUNCTIONAL_MEAN", "TEACHING_FUNCTIONAL_SD", "TEACHING_RELIABILITY",
           "JTCutoff", "Prepared", "definitions_table", "jt_cutoffs", "jt_parameters", "prepare", "prepare_by_interview"]


#: Functional (non-clinical) population's mean PHQ-9: a teaching assumption, not a sourced figure.
TEACHING_FUNCTIONAL_MEAN = 3.0


#: Functional population's PHQ-9 SD: a teaching assumption, not a sourced figure.
TEACHING_FUNCTIONAL_SD = 3.0


#: PHQ-9 reliability for the RCI: the simulation's own teaching value (no sourced test-retest figure).
TEACHING_RELIABILITY = float(CohortModel.interview_sees_questionnaires(n=1).phq9_reliability)


JTCutoff = Literal["a", "b", "c"]


BSD = Literal["functional", "clinical"]


CUTOFF_WORDS = {
    "a": "a: two clinical SDs better than the clinical mean (leaves the clinical range)",
    "b": "b: within two SDs of the functional mean (enters the functional range)",
    "c": "c: nearer the functional than the clinical mean (weighted by their SDs)",
}


@dataclass(frozen=True)
class Prepared:
    """What does not change with a control: IAPT rates, and the finishers' PHQ-9 pairs.

    PHQ-9 totals are whole numbers, so the pairs are stored once per distinct (first, last)
    pair with a count (at most 28 x 28 rows): a control move then costs microseconds, whatever
    the cohort's size. The clinical mean and SD are of every finisher's first score.
    """

    iapt_rates: pd.DataFrame
    pair_first: np.ndarray
    pair_last: np.ndarray
    pair_count: np.ndarray
    clinical_mean: float
    clinical_sd: float
    n_referrals: int
    min_treatment_contacts: int

    @classmethod
    def from_scores(cls, first, last, iapt_rates: pd.DataFrame | None = None, n_referrals: int = 0,
                    min_treatment_contacts: int = 2) -> Prepared:
        """Group paired first/last PHQ-9 scores; clinical mean and SD (n - 1) of ``first``.

        >>> p = Prepared.from_scores([25, 39, 25], [9, 9, 9])
        >>> p.pair_count.tolist(), round(p.clinical_mean, 2)
        ([2, 1], 29.67)
        """
        first, last = np.asarray(first, dtype=float), np.asarray(last, dtype=float)
        pairs, counts = np.unique(np.column_stack([first, last]), axis=0, return_counts=True)
        sd = float(first.std(ddof=1)) if first.size > 1 else float("nan")
        mean = float(first.mean()) if first.size else float("nan")
        return cls(pd.DataFrame() if iapt_rates is None else iapt_rates, pairs[:, 0], pairs[:, 1],
                   counts, mean, sd, n_referrals, min_treatment_contacts)

    @property
    def n_paired(self) -> int:
        """How many finishers with paired scores the JT rows are computed on."""
        return int(self.pair_count.sum())

    @cached_property
    def _official_rows(self) -> tuple[tuple, ...]:
        """The IAPT rows of :func:`definitions_table` (first the three IAPT definitions, then loss of
        diagnosis when the cohort has an interview): they do not change with any JT setting."""
        official = self.iapt_rates.set_index("outcome")
        rows = [(name, int(official.loc[outcome, "numerator"]), int(official.loc[outcome, "denominator"]),
                 measured_by, official.loc[outcome, "denominator_description"])
                for outcome, name, measured_by in _OFFICIAL_ROWS
                if outcome != "diagnosis_lost" or outcome in official.index]
        return tuple(rows)

    @cached_property
    def _improved_by_reliability(self) -> dict[float, np.ndarray]:
        """Per reliability, which pairs improved reliably (JT): filled by :func:`_reliably_improved`."""
        return {}


def prepare(cohort: Validated, rules: Rules = IAPT) -> Prepared:
    """Classify ``cohort`` once under ``rules``; keep the finished, paired PHQ-9 pairs.

    >>> from iaptlab.lesson_cohort import lesson_cohort
    >>> p = prepare(lesson_cohort(2_000))
    >>> 0 < len(p.pair_count) <= 28 * 28 and p.n_paired <= 2_000
    True
    """
    classified = classify(cohort, rules)
    base = (classified["finished"] & classified["paired"]).to_numpy(dtype=bool)
    first = classified["phq9_first"].to_numpy(dtype=float, na_value=np.nan)[base]
    last = classified["phq9_last"].to_numpy(dtype=float, na_value=np.nan)[base]
    return Prepared.from_scores(first, last, rates(classified, rules), len(classified),
                                rules.min_treatment_contacts)



def prepare_by_interview(n: int = LESSON_N, seed: int = LESSON_SEED) -> dict[str, Prepared]:
    """The lesson cohort :func:`prepare`-d once per answer to "what does the interview measure?"
    (:data:`iaptlab.cohort_model.INTERVIEW_MEASURES`).

    The first is the lesson cohort (``CohortModel.interview_sees_questionnaires()``); the second
    changes only the unseen-disorder parameters: the same people and questionnaire scores, with the
    blind interview of that model (:func:`_with_interview_of`, no second cohort built).

    >>> sorted(prepare_by_interview(2_000)) == sorted(INTERVIEW_MEASURES)
    True
    """
    same, more = INTERVIEW_MEASURES
    model = dataclasses.replace(CohortModel.interview_sees_questionnaires(n=n, seed=seed),
                                **INTERVIEW_MEASURES[more])
    cohort = lesson_cohort(n, seed)
    return {same: prepare(cohort), more: prepare(_with_interview_of(cohort, model))}


def _with_interview_of(cohort: Validated, model: CohortModel) -> Validated:
    """``cohort`` (``simulate`` of a model that differs from ``model`` only in what the blind interview
    sees, validated) with the interview columns ``simulate(model)`` would give it.

    Unseen disorders change neither who attends nor any questionnaire score (they are among
    :func:`~iaptlab.simulate.not_in_course`, and draw from their own random stream), so only
    ``diagnosis_first`` and ``diagnosis_last`` differ; they come from
    :func:`~iaptlab.simulate.episode_columns` without the scores, at a third of the time of a whole
    cohort, and without building its contact table (whose memory a kernel keeps as fragments).
    A cohort that is not one row per referral in order is simulated whole instead.
    """
    table = cohort.table
    in_order = (len(table) == model.n and len(cohort.excluded) == 0 and "row" in table.columns
                and bool((table["row"].to_numpy() == np.arange(2, model.n + 2)).all()))
    if not in_order:
        return validate(simulate(model))
    columns = episode_columns(model, draw(model.n, model.seed), questionnaires=False)
    table = table.assign(
        diagnosis_first=pd.array(columns["diagnosis_first"], dtype="boolean"),
        diagnosis_last=pd.arrays.BooleanArray(columns["diagnosis_last"], ~columns["diagnosis_last_present"]))
    return Validated(table, cohort.excluded, cohort.problems, renamed=cohort.renamed)


def jt_cutoffs(prepared: Prepared, functional_mean: float = TEACHING_FUNCTIONAL_MEAN,
               functional_sd: float = TEACHING_FUNCTIONAL_SD, b_sd: BSD = "functional") -> Cutoffs:
    """Cut-offs a, b, c from the cohort's clinical mean/SD and the assumed functional ones.

    >>> p = Prepared.from_scores([25, 39], [9, 9])
    >>> c = jt_cutoffs(p, 10, 7)  # clinical mean 32, SD 9.9: c = (7*32 + 9.9*10) / 16.9
    >>> round(c.c, 2)
    19.11
    """
    return cutoffs(prepared.clinical_mean, prepared.clinical_sd, functional_mean, functional_sd,
                   better="lower", b_sd=b_sd)


#: The rows :func:`definitions_table` takes from :func:`iaptlab.outcomes.rates`: (outcome, name, measured by).
_OFFICIAL_ROWS = (("recovered", "IAPT recovery", "PHQ-9 and GAD-7 (or ADSM)"),
                  ("reliable_improvement", "IAPT reliable improvement", "PHQ-9 and GAD-7 (or ADSM)"),
                  ("reliable_recovery", "IAPT reliable recovery", "PHQ-9 and GAD-7 (or ADSM)"),
                  ("diagnosis_lost", "loss of diagnosis (blind interview)", "blind diagnostic interview"))

#: How many reliabilities a :class:`Prepared` remembers the reliably improved pairs of.
_RELIABILITIES_KEPT = 128


def _reliably_improved(prepared: Prepared, reliability: float) -> np.ndarray:
    """Which of ``prepared``'s pairs changed reliably for the better (JT, after the check that the
    score moved that way): :func:`~iaptlab.clinical_significance.clinical_significance`'s
    ``change == "improved"``, which does not depend on the cut-off. Kept per reliability, so a
    move of a cut-off control costs a few comparisons over at most 28 x 28 pairs."""
    kept = prepared._improved_by_reliability
    improved = kept.get(reliability)
    if improved is None:
        change = clinical_significance(prepared.pair_first, prepared.pair_last, sd_pre=prepared.clinical_sd,
                                       reliability=reliability, cutoff=0.0)["change"]
        improved = change.to_numpy() == "improved"
        if len(kept) >= _RELIABILITIES_KEPT:
            del kept[next(iter(kept))]
        kept[reliability] = improved
    return improved


def _jt_counts(prepared: Prepared, cut: float, reliability: float) -> tuple[int, int]:
    """(recovered, in the denominator) for JT at cut-off ``cut``, counted over the grouped pairs.

    The same counts as :func:`~iaptlab.clinical_significance.clinical_significance`'s categories
    (lower is better, a score at the cut-off is dysfunctional): in the denominator when the first
    score is at or above ``cut``; recovered when also reliably improved and the last is below it.

    >>> # clinical SD 8.5, reliable change 9.4 points: only 25 -> 5 of the three starting at 10 or more
    >>> _jt_counts(Prepared.from_scores([25, 25, 12, 9], [5, 20, 5, 5]), 10.0, 0.84)
    (1, 3)
    """
    first, last, count = prepared.pair_first, prepared.pair_last, prepared.pair_count
    dysfunctional_first = first >= cut
    recovered = dysfunctional_first & ~(last >= cut) & _reliably_improved(prepared, reliability)
    return int(count[recovered].sum()), int(count[dysfunctional_first].sum())


def _jt_row(prepared: Prepared, cut: float, letter: str, b_sd: str, reliability: float) -> tuple:
    numerator, denominator = _jt_counts(prepared, cut, reliability)
    sd_words = f", set with the {b_sd} SD" if letter == "b" else ""
    return (f"JT recovered, cut-off {letter} = {cut:.1f}", numerator, denominator, "PHQ-9 only",
            f"finished a course (>= {prepared.min_treatment_contacts} treatment contacts) with paired "
            f"scores, first PHQ-9 at or above cut-off {letter} ({cut:.1f}{sd_words})")


def definitions_table(cohort: Validated | Prepared, *, jt_cutoff: JTCutoff = "c",
                      functional_mean: float = TEACHING_FUNCTIONAL_MEAN,
                      functional_sd: float = TEACHING_FUNCTIONAL_SD,
                      reliability: float = TEACHING_RELIABILITY, b_sd: BSD = "functional",
                      rules: Rules = IAPT) -> pd.DataFrame:
    """One row per definition: numerator, denominator, rate, what it measures and who is counted.

    ``cohort`` is a validated cohort or the :func:`prepare` output (``rules`` is used only for a
    cohort). The JT row uses cut-off ``jt_cutoff``; an episode is "recovered" in JT's sense when
    its PHQ-9 fell reliably (JT index beyond 1.96) from at/above the cut-off to below it. The
    loss-of-diagnosis row appears only when the cohort has a blind interview.

    >>> from iaptlab.lesson_cohort import lesson_cohort
    >>> t = definitions_table(lesson_cohort(3_000), jt_cutoff="a")
    >>> bool(((t["numerator"] <= t["denominator"]) & t["rate"].between(0, 1)).all())
    True
    """
    if jt_cutoff not in CUTOFF_WORDS:
        raise ParameterError(f"jt_cutoff must be 'a', 'b' or 'c', got {jt_cutoff!r}")
    prepared = cohort if isinstance(cohort, Prepared) else prepare(cohort, rules)
    if prepared.n_paired < 2:
        raise ParameterError("the cohort needs at least two finishers with paired scores for "
                             "Jacobson–Truax (a clinical SD)")
    official = prepared._official_rows
    cut = getattr(jt_cutoffs(prepared, functional_mean, functional_sd, b_sd), jt_cutoff)
    rows = [*official[:3], _jt_row(prepared, cut, jt_cutoff, b_sd, reliability), *official[3:]]
    # built by column from numpy (a slider move's table: pandas' per-call overhead would dominate)
    names, numerators, denominators, measured_by, described = (list(column) for column in zip(*rows, strict=True))
    numerator, denominator = np.asarray(numerators), np.asarray(denominators)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = numerator / np.where(denominator > 0, denominator, np.nan)
    return pd.DataFrame({"definition": names, "numerator": numerator, "denominator": denominator,
                         "rate": rate.astype(float), "measured_by": measured_by,
                         "denominator_description": described})


def jt_parameters(prepared: Prepared, *, functional_mean: float = TEACHING_FUNCTIONAL_MEAN,
                  functional_sd: float = TEACHING_FUNCTIONAL_SD,
                  reliability: float = TEACHING_RELIABILITY) -> pd.DataFrame:
    """Every number the JT rows use, where it comes from, and both versions of cut-off b.

    >>> p = Prepared.from_scores([25, 39], [9, 9])
    >>> jt_parameters(p, functional_mean=10, functional_sd=7).set_index("quantity").loc[
    ...     "cut-off b (clinical SD: R package)", "value"].round(2)
    np.float64(29.8)
    """
    by_functional = jt_cutoffs(prepared, functional_mean, functional_sd, "functional")
    by_clinical = jt_cutoffs(prepared, functional_mean, functional_sd, "clinical")
    rc_points = reliable_change_threshold(prepared.clinical_sd, reliability)
    rows = [
        ("clinical mean (first PHQ-9)", prepared.clinical_mean, "computed from the cohort"),
        ("clinical SD (first PHQ-9)", prepared.clinical_sd, "computed from the cohort"),
        ("functional mean", functional_mean, "teaching assumption"),
        ("functional SD", functional_sd, "teaching assumption"),
        ("reliability", reliability, "teaching assumption (the simulation's value)"),
        ("reliable change (points)", rc_points, "1.96 x sqrt(2) x clinical SD x sqrt(1 - reliability)"),
        ("cut-off a", by_functional.a, "clinical mean - 2 x clinical SD"),
        ("cut-off b (functional SD: Jacobson & Truax)", by_functional.b, "functional mean + 2 x functional SD"),
        ("cut-off b (clinical SD: R package)", by_clinical.b, "functional mean + 2 x clinical SD"),
        ("cut-off c", by_functional.c, "(SD_fun x M_clin + SD_clin x M_fun) / (SD_fun + SD_clin)"),
    ]
    return pd.DataFrame(rows, columns=["quantity", "value", "source"])
