"""Lesson 03 answers (demand characteristics) for :func:`iaptlab.exercises.check`.

Entries made with ``python -m iaptlab.exercises add``; numbers are XOR-obfuscated and choices
salted hashes (see the exercises module docstring). Where each answer comes from:

* ``03.hand_shift``: applying the IAPT rules (NHS Digital guide v2.1: nhsd_guide_v21 [C]) by hand
  to the lesson's fictional person before and after a 2-point demand shift of both last scores;
  ``tests/test_lesson_03.py`` re-derives it by hand and through ``outcomes.classify``.
* ``03.recovery_shift_80``: the demand explorer (:mod:`iaptlab.explorers.demand`) on the lesson
  cohort (100,000 simulated referrals, seed 2026) with the settings the prompt names; a
  simulation result under stated assumptions, not a fact about IAPT. The test recomputes it with
  its own numpy implementation of the recovery rule. Also accepted: the explorer's shown change,
  the difference of the two rates after each is rounded to 1 decimal place (8.8 against the exact
  8.75 since the simulation became session by session). If the simulation's calibration changes,
  this entry must be regenerated.
* ``03.trial_direction``: Cuijpers et al. (2010) and Miguel et al. (2025), dataset
  ``assessment_bias`` (cuijpers_2010, miguel_2025 [C]): the sign of the self-report vs clinician-rated
  difference in Hedges' g, read with the dataset's interpretation column.
* ``03.why_trials_cannot_settle``: reasoning from the ``assessment_bias`` card's caveats (no
  study is of IAPT; IAPT has no clinician rating to compare with), Miguel et al. (2025)'s masked
  vs unmasked clinician estimates (§5.2 [C]), and the design point that a between-arm difference
  cancels a bias common to both arms whereas IAPT's rates are single-group before-after figures.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "03.hand_shift": {
        "kind": "set",
        "salt": "bcb51302dce815c2",
        "hint": "Work out each flag twice, before and after taking 2 points off both last scores. Caseness is PHQ-9 at least 10 or GAD-7 at least 8; a reliable drop is at least 6 (PHQ-9) or 4 (GAD-7); remember that reliable recovery needs two things at once. Give the flag names as a Python set, e.g. {\"recovered\"}.",
        "options": {
            "recovered": [],
            "reliable_improvement": [],
            "reliable_recovery": [],
            "reliable_deterioration": []
        },
        "hashes": [
            "1f895a5b1f3b046458b1be4f350461637443238e6326eae705099cdb48b6636a"
        ],
        "wrong": [
            {
                "hash": "e0b3ef4da53c152dfa956a806cee68d19beb64f87282579b246f6cab5af4810f",
                "message": "look at the GAD-7 drop after the shift (10 to 6): is it a reliable change, and what does recovered plus reliable improvement make?"
            },
            {
                "hash": "ee7e187e850deca660ec565edc4a66303c4b7b428079cb6bc31fec73c367bd98",
                "message": "recovered AND reliably improved together are a third flag: reliable recovery"
            }
        ],
    },
    "03.recovery_shift_80": {
        "kind": "number",
        "salt": "af63589eb59adad3",
        "hint": "Call compute(inputs, last_shift=-2, share_with_therapist_pct=80) (hello-goodbye 0, IAPT rules) and read the recovery row's change in percentage points (with demand minus baseline).",
        "secret": "87e5fed91f8d1ede",
        "unit": "points",
        "also": ["87e5189a9fa7d869"],
        "decimals": 1,
        "wrong": [
            {
                "secret": "62e2ba09adb26c1c",
                "message": "that is the recovery rate WITH demand: the question asks how far it rose above the baseline"
            },
            {
                "secret": "62864e7dd169b58d",
                "message": "that is the change in reliable improvement, not in recovery"
            },
            {
                "secret": "629cbb71efe211b7",
                "message": "that is the relative change (per cent of the baseline rate), not the difference in percentage points"
            }
        ],
    },
    "03.trial_direction": {
        "kind": "choice",
        "salt": "aec9e67e9d5b0c6d",
        "hint": "Read the interpretation column of the self-report vs clinician-rated rows: what does a positive difference in Hedges' g mean, and are the estimates positive?",
        "options": {
            "a": [
                "self-report",
                "self report"
            ],
            "b": [
                "clinician-rated",
                "clinician",
                "clinician rated",
                "clinician ratings"
            ],
            "c": [
                "no difference",
                "none"
            ]
        },
        "hashes": [
            "9bbc5db21e952f0c206ec904fb699c36a66da93bee4ef0c1b16d151bdda40eee"
        ],
        "wrong": [
            {
                "hash": "8e6656ad90d6ca95714c90053e2c812e3e9bea966e2dae3554dde6e32d64ae17",
                "message": "a positive difference in Hedges' g means the clinician-rated effect is the larger: read the interpretation column again"
            }
        ],
    },
    "03.why_trials_cannot_settle": {
        "kind": "set",
        "salt": "5262c04b46b76b36",
        "hint": "Keep every statement that limits what the trial evidence can tell us about IAPT; drop any statement that claims more than the evidence shows, in either direction. Four statements survive.",
        "options": {
            "A": [],
            "B": [],
            "C": [],
            "D": [],
            "E": [],
            "F": []
        },
        "hashes": [
            "e632a99a78dafa3cdc790d5680c7254829d4cad1310d6894b1d62ef5f52c37b2"
        ],
        "wrong": [
            {
                "hash": "ecc8e74fa8ead6ab3df7702f09e3fd6379fe82f363e747d3f837b70c7852b263",
                "message": "D claims more than the evidence shows: the trials compare measures, they do not show self-report cannot be inflated"
            },
            {
                "hash": "e87b8b467707fd34cff500e5db7b48965f6017ca94dafda6db2ada684f65c207",
                "message": "F claims more than the evidence shows: clinician ratings can be biased too, so they are no proof of an underestimate"
            }
        ],
    },
}
