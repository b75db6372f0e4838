"""Lesson 05 answers for :func:`iaptlab.exercises.check` (regression to the mean, natural remission).

Entries made with ``python -m iaptlab.exercises add``; numbers XOR-obfuscated, choices and sets
salted hashes (see :mod:`iaptlab.exercises`). Where each answer comes from, without the answer:

* ``05.whiteford_200``: Whiteford et al. (2013), remission of untreated depression within 3
  months in adult primary-care samples (whiteford_2013 [C]; dataset ``natural_course``), applied to
  200 people.
* ``05.no_treatment_recovery``: ``explorers.regression_to_mean.compute`` at its default settings,
  scenario "no treatment, no remission" on the questionnaire with measurement error (the lesson
  cohort's size and seed; deterministic). Tolerance covers rounding of the displayed percentage.
* ``05.rtm_below_mean``: the Edwards-Nunnally estimate of the true first score, r(first - mean) +
  mean (clinicalsignificance_r_package, jt_revisited_1992 [C]), for a start below the group mean:
  the estimate moves up towards the mean, so last minus it is a larger fall than the raw change.
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
        "kind": "number",
        "salt": "83679e9cc647e52c",
        "hint": "Find the share of untreated adults in primary care who remit within 3 months in the natural_course dataset, then take that share of 200 people.",
        "secret": "d72de21679e45b02",
        "unit": "plain",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "8bb76dd874734af1",
                "message": "that uses the 12-month remission share: the question asks about 3 months"
            },
            {
                "secret": "8bbdedd874734af1",
                "message": "that uses the 6-month remission share: the question asks about 3 months"
            },
            {
                "secret": "8bdaedd874734af1",
                "message": "23 is the percentage: the question asks how many of the 200 people"
            }
        ],
    },
    "05.no_treatment_recovery": {
        "kind": "number",
        "salt": "49c0bf5420a6ad50",
        "hint": "Call the explorer's compute function at its default settings and read the rate of the 'no treatment, no remission' scenario measured with the noisy questionnaire (extra['rates'] holds the tidy table).",
        "secret": "973142083b699cbb",
        "unit": "percent",
        "also": [],
        "decimals": 1,
        "wrong": [
            {
                "secret": "36da5770df4a2e82",
                "message": "that is the error-free questionnaire: with measurement error, selection at caseness alone produces 'recovery'"
            },
            {
                "secret": "76e211a606303cf1",
                "message": "that is the natural-remission scenario: the question asks about no treatment AND no remission"
            },
            {
                "secret": "7692134d199c8a0f",
                "message": "that is the scenario with treatment: the question asks about no treatment and no remission"
            }
        ],
    },
    "05.control_group": {
        "kind": "choice",
        "salt": "0be286802b5db451",
        "hint": "Ask what the before-after rate cannot tell you on its own: how many of the same people would have crossed the cut-off anyway.",
        "options": {
            "a": [],
            "b": [],
            "c": [],
            "d": []
        },
        "hashes": [
            "0641688a7ecd501223a8a7c216b52eeb2fdeb55cd52534ecb5dece84d13a6ba2"
        ],
        "wrong": [
            {
                "hash": "3265310aa9a17b4ec01865aac825e0aad3c22ecb84b76c9fe67ff94a481b5c27",
                "message": "exaggeration would bias the rate, but even honest answers cannot show what would have happened without treatment"
            },
            {
                "hash": "2765619d12d9ee53681b260e3f15575855a2adc33309712705b08f60fce15cce",
                "message": "the national sample is very large: precision is not the problem"
            },
            {
                "hash": "26e616b04cbf6b43cf0a1225997d8b20d00151964b548e0a560566959a300054",
                "message": "any cut-off has this problem: the question is how many would have crossed it anyway"
            }
        ],
    },
    "05.en_by_hand": {
        "kind": "number",
        "salt": "2dcf3e11f626ab20",
        "hint": "First estimate the true first score: reliability times (first minus mean) plus mean. Then divide (last minus that estimate) by the standard error of measurement, SD times the square root of (1 minus reliability). Keep the sign: a fall is negative.",
        "secret": "cd3c231a80b144cb",
        "unit": "plain",
        "also": [],
        "decimals": 1,
        "wrong": [
            {
                "secret": "60b602933ddf13a8",
                "message": "that is Jacobson-Truax: EN first pulls the first score towards the mean"
            },
            {
                "secret": "9f485e2fdc87b703",
                "message": "keep the sign: a fall is negative"
            },
            {
                "secret": "1f4e4a553dc01917",
                "message": "that uses the raw first score: EN uses the estimated true first score, r x (first - mean) + mean"
            },
            {
                "secret": "60b3dbfdfd5f3b5d",
                "message": "EN divides by SE, not by sqrt(2) x SE"
            }
        ],
    },
    "05.rtm_below_mean": {
        "kind": "choice",
        "salt": "96c15909e9930ebd",
        "hint": "Edwards-Nunnally replaces the first score by its estimate of the true first score: r x (first - mean) + mean. Is that estimate above or below 9 when the mean is 13? Then compare last minus it with last minus 9.",
        "options": {
            "larger": [
                "a larger improvement",
                "bigger"
            ],
            "smaller": [
                "a smaller improvement"
            ],
            "same": [
                "unchanged",
                "the same"
            ]
        },
        "hashes": [
            "a1ebc06bf2bb5a2891c37f40a0db113df7329dd9b75d609099732f7a3b47d22a"
        ],
        "wrong": [
            {
                "hash": "d4811896e8fcd9c47938b50271ad45cfaa591a3d764acce066f1b21c29549266",
                "message": "that is what happens to someone who starts ABOVE the mean (exercise 4): the estimate of their true start moves down. Here the start is below the mean, so it moves up"
            },
            {
                "hash": "1709f0de8b22d9e707560d0a06479ede18f8cadd13e30a28fec569a2abd69bf8",
                "message": "only someone who starts exactly at the group mean is unchanged: a start of 9 is 4 below it, so the estimate moves towards 13"
            }
        ]
    },
}
