"""Lesson 05 answers for :func:`iaptlab.exercises.check` (regression to the mean, natural remission).

Entries made with ``python -m iaptlab.exercises add``; numbers XOR-obfuscated, choices and sets
salted hashes (see :mod:`iaptlab.exercises`). Where each answer comes from, without the answer:

* ``05.whiteford_200``: Whiteford et al. (2013), remission of untreated depression within 3
  months in adult primary-care samples (whiteford_2013 [C]; dataset ``natural_course``), applied to
  200 people.
* ``05.no_treatment_recovery``: ``explorers.regression_to_mean.compute`` at its default settings,
  scenario "no treatment, no remission" on the questionnaire with measurement error (the lesson
  cohort's size and seed; deterministic). Tolerance covers rounding of the displayed percentage.
* ``05.rtm_methods``: which of IAPT's fixed threshold, JT, EN and HLL estimate the true first score
  (or regress the last on the first) instead of using the raw first score: formulas in the R package
  clinicalsignificance_r_package [C] and :mod:`iaptlab.reliable_change`; "JT neglects regression to
  the mean" is the JCCP 1992 abstract (jt_revisited_1992 [C]).
* ``05.en_by_hand``: the Edwards-Nunnally formula (clinicalsignificance_r_package, jt_revisited_1992 [C]) applied to the lesson's
  fictional person; the notebook checks it against ``reliable_change.rci(method="EN")``.
* ``05.control_group``: the design argument of Streiner (2001) and Ostermann et al. (2008)
  (streiner_2001, ostermann_2008 [C]): only a comparable group without the treatment shows how much change would
  have happened anyway.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "05.whiteford_200": {
        "kind": "number", "salt": "83679e9cc647e52c",
        "hint": "Find the share of untreated adults in primary care who remit within 3 months in the "
                "natural_course dataset, then take that share of 200 people.",
        "secret": "d72de21679e45b02", "unit": "plain", "tolerance": 1.0,
    },
    "05.no_treatment_recovery": {
        "kind": "number", "salt": "49c0bf5420a6ad50",
        "hint": "Call the explorer's compute function at its default settings and read the rate of "
                "the 'no treatment, no remission' scenario measured with the noisy questionnaire "
                "(extra['rates'] holds the tidy table).",
        "secret": "9730c53d64bc2e05", "unit": "percent", "tolerance": 0.3,
    },
    "05.rtm_methods": {
        "kind": "set", "salt": "d35c3fb92b0d7cf8",
        "hint": "Look at each formula: does it compare the last score with the first score itself, "
                "or with an estimate that pulls the first score towards the group mean?",
        "hashes": ["bfdecaad14eb21263dbb9a6ef73825e58a79793a44579799c3afd3e6a23947e3"],
    },
    "05.en_by_hand": {
        "kind": "number", "salt": "2dcf3e11f626ab20",
        "hint": "First estimate the true first score: reliability times (first minus mean) plus "
                "mean. Then divide (last minus that estimate) by the standard error of measurement, "
                "SD times the square root of (1 minus reliability). Keep the sign: a fall is negative.",
        "secret": "cd3c231a80b144cb", "unit": "plain", "tolerance": 0.02,
    },
    "05.control_group": {
        "kind": "choice", "salt": "0be286802b5db451",
        "hint": "Ask what the before-after rate cannot tell you on its own: how many of the same "
                "people would have crossed the cut-off anyway.",
        "hashes": ["0641688a7ecd501223a8a7c216b52eeb2fdeb55cd52534ecb5dece84d13a6ba2"],
    },
}
