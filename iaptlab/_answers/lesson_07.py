"""Lesson 07 answers for :func:`iaptlab.exercises.check` (reconciling 50% and 10%).

Entries made with ``python -m iaptlab.exercises add`` (or ``make_entry``); numbers are obfuscated
and choices hashed (see the exercises module). Where each answer comes from, without the answer:

* ``07.shapley_by_hand``: the two-player Shapley value (average of a player's marginal effect
  over both orders) applied to the four fictional coalition gaps printed in the prompt;
  tolerance 0.05 points for rounding.
* ``07.both_true``: the scenarios in ``iaptlab.explorers.reconcile_gap.SCENARIOS`` whose
  simulated recovery (IAPT rule) and loss of diagnosis (interviewed sample) both fall inside the
  bands stated in the prompt, computed with ``scenario_rates`` on the lesson's seed; the tests
  recompute both rates for every scenario and check each is at least 1.5 points inside or outside
  its band.
* ``07.interview_measures``: a reasoning item on the model's own definitions (cohort_model:
  the unseen disorders add to the interview's verdict and never to a questionnaire score); the
  tests recompute both rates with and without them on the explorer's cohort.

RoB 2 and the fair design moved to lesson 10 (``_answers/lesson_10.py``) with the section that
asks them.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "07.shapley_by_hand": {
        "kind": "number",
        "salt": "050f9ec69550cef6",
        "hint": "Average mechanism A's marginal effect over the two orders: switched on first (gap with only A minus gap with neither) and switched on second (gap with both minus gap with only B).",
        "secret": "9ea64b83f7e03c26",
        "unit": "plain",
        "also": [],
        "decimals": 1,
        "wrong": [
            {
                "secret": "70a0dba1862d6793",
                "message": "that is A's effect in one order only (A first): Shapley averages over both orders"
            },
            {
                "secret": "7098dba1862d6793",
                "message": "that is A's effect in one order only (A second): Shapley averages over both orders"
            },
            {
                "secret": "70aadba1862d6793",
                "message": "that splits the whole gap equally: Shapley averages A's marginal effect over the orders"
            },
            {
                "secret": "70a4dba1862d6793",
                "message": "that is B's contribution"
            }
        ],
    },
    "07.both_true": {
        "kind": "set",
        "salt": "a5ffdba50ad1c945",
        "hint": "Compute both rates for every scenario (reconcile_gap.scenario_rates) and keep each one whose recovery is between 45% and 55% AND whose loss of diagnosis is between 5% and 15%. More than one scenario qualifies, and they do not share one story.",
        "options": {
            "a": [],
            "b": [],
            "c": [],
            "d": [],
            "e": [],
            "f": [],
            "g": [],
            "h": []
        },
        "hashes": [
            "fd0ffdc566c6b08aafbdb0505b405749896283045cacd40b1b059d595483bf3f"
        ],
    },
    "07.interview_measures": {
        "kind": "choice",
        "salt": "c3cedb127c287069",
        "hint": "Which of the two rates is computed from questionnaire scores, and can a disorder the questionnaires do not measure change a questionnaire score? Someone who still has such a disorder at the final interview: do they meet criteria on the interview?",
        "options": {
            "a": [
                "loss of diagnosis falls, recovery stays"
            ],
            "b": [
                "both fall"
            ],
            "c": [
                "loss of diagnosis rises, recovery stays"
            ],
            "d": [
                "recovery falls, loss of diagnosis stays"
            ]
        },
        "hashes": [
            "290e7924503f744a35b2d0042eb86e5120a6f2d464c6feaaf641a0dcdf376169"
        ],
        "wrong": [
            {
                "hash": "32068fc506b1d053e43d40fed6823a2615b9fb6989b2199ee8270f5a4e69c238",
                "message": "the questionnaires cannot see those disorders, so the same people have the same questionnaire scores: recovery cannot move"
            },
            {
                "hash": "12a3ad5d389b0e3a22d37300b684b74bd725e38146f4b6ec661f1842abb4e7c7",
                "message": "someone whose unseen disorder is still there at the interview still meets criteria: fewer, not more, lose their diagnosis"
            },
            {
                "hash": "d85d68d14fe259346b9ca41f2a1fef59d72f54910dd8a03e9f508631b66d9f0c",
                "message": "recovery is computed from questionnaire scores, which a disorder the questionnaires do not measure leaves unchanged; it is the interview's verdict that changes"
            }
        ]
    },

}
