"""Lesson 01 answers (the measures) for :func:`iaptlab.exercises.check`: plain data, not in sight.

Entries made with ``python -m iaptlab.exercises add``. Where each answer comes from:

* ``01.score_by_hand``: the sum of fictional client B's nine PHQ-9 item responses in the
  notebook; PHQ-9 items scored 0-3 and summed (Kroenke et al., 2001: kroenke_2001 [C]).
* ``01.band_choice``: that total placed in the PHQ-9 severity bands of Kroenke et al. (2001)
  (``instruments.PHQ9.bands``; kroenke_2001 [C]).
* ``01.caseness_set``: the fictional clients at IAPT caseness on either measure, PHQ-9 and GAD-7
  thresholds from NHS Digital's guide v2.1 (``instruments``; nhsd_guide_v21 [C]).
* ``01.prorated_total``: fictional client C's PHQ-9 under the REEACT-2 missing-item rule
  (Brabyn et al., 2016: brabyn_2016 [C]); the rounding to a whole point is iaptlab's choice, so
  the unrounded value is accepted too (tolerance).
* ``01.rc_threshold_gad7``: 1.96·√2·SD·√(1 − r) with an illustrative SD and reliability
  for the GAD-7 (formula jacobson_truax_1991; own arithmetic [D], not IAPT's documented derivation).
* ``01.bischoff_drop``: a fictional 5-point GAD-7 drop against IAPT's threshold (nhsd_guide_v21
  [C], "4 or more") and Bischoff et al.'s (2020) independent RCI (bischoff_2020 [C];
  ``datasets.load("meaningful_change")``).
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "01.score_by_hand": {
        "kind": "number",
        "salt": "ad0a6b461e352701",
        "hint": "Add up the nine item scores in client B's row: each answer is worth 0 (not at all) to 3 (nearly every day).",
        "secret": "201546050644831e",
        "unit": "plain",
        "also": [],
        "decimals": 0,
    },
    "01.band_choice": {
        "kind": "choice",
        "salt": "adbbcbb68efa509a",
        "hint": "Find the PHQ-9 band whose range (low to high, both included) holds client B's total: minimal, mild, moderate, moderately severe or severe.",
        "options": {
            "minimal": [],
            "mild": [],
            "moderate": [],
            "moderately severe": [],
            "severe": []
        },
        "hashes": [
            "5b0c8efed5329380992fdcfc1aeaa7a7efe7beeb748103c932dd03ed6c0a4fad"
        ],
        "wrong": [
            {
                "hash": "2fb06c773b86bcf6c603d49035dd0ac4080b9e86d7aeb45eaddde40a4e52b27e",
                "message": "bands include both ends: moderate is 10 to 14"
            },
            {
                "hash": "ca2e1f08ffec0973df4096e1e95cd5c20b06d87fc43bdd6b205bb78330c11be3",
                "message": "severe starts at 20"
            }
        ],
    },
    "01.caseness_set": {
        "kind": "set",
        "salt": "b37caa3ef402d561",
        "hint": "A client is at IAPT caseness if PHQ-9 is 10 or more OR GAD-7 is 8 or more. Check both totals for every client, and do not forget that a missing PHQ-9 total does not hide a GAD-7 at caseness.",
        "options": {
            "A": [],
            "B": [],
            "C": [],
            "D": [],
            "E": []
        },
        "hashes": [
            "2392aef4a8e65d4b28f287b464864e4028754e001925437db9b7ca347977361f"
        ],
        "wrong": [
            {
                "hash": "29394fc1c3de3608be04fb6ae614860fdb2a28f16182cd38fea8bbad7428e8b7",
                "message": "C's PHQ-9 total is missing, but its GAD-7 of 8 is at caseness (8 or more)"
            },
            {
                "hash": "39304bfdb7c879825ce70bf35eb94883d1335218be8edbb99ba1357f4efe2199",
                "message": "E scores 9 and 7: one point below both cut-offs"
            }
        ],
    },
    "01.prorated_total": {
        "kind": "number",
        "salt": "d1c619da9fe2d8c3",
        "hint": "Replace the one missing item by the mean of the eight answered items, i.e. total = (sum of the eight) x 9 / 8, then round.",
        "secret": "61dd825a0cc9b586",
        "unit": "plain",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "7aec6b34cf322899",
                "message": "that is the sum of the eight answered items: the blank must be replaced by their mean first"
            }
        ],
    },
    "01.rc_threshold_gad7": {
        "kind": "number",
        "salt": "100af7bd51016f10",
        "hint": "First SEM = SD x sqrt(1 - r); the reliable change threshold is 1.96 x sqrt(2) x SEM.",
        "secret": "6d0019a74dbcf091",
        "unit": "plain",
        "also": [],
        "decimals": 2,
        "wrong": [
            {
                "secret": "4c2a48936cd63c08",
                "message": "4 is IAPT's rounded threshold: compute the value from SD 5 and reliability 0.92"
            },
            {
                "secret": "4c3c64575de903b2",
                "message": "that is 1.96 x SEM: a difference of two scores has sqrt(2) times the SEM"
            },
            {
                "secret": "33cce80d0aa907c4",
                "message": "that is the SEM alone"
            },
            {
                "secret": "4c10dea747ed675d",
                "message": "you used sqrt(r) instead of sqrt(1 - r)"
            }
        ],
    },
    "01.bischoff_drop": {
        "kind": "choice",
        "salt": "669efb621b2cb83f",
        "hint": "A drop counts when it reaches the threshold: compare the 5-point drop with IAPT's 4 points (at least 4) and with Bischoff et al.'s index of 5.59 points.",
        "options": {
            "both": [],
            "IAPT only": [
                "iapt"
            ],
            "Bischoff only": [
                "bischoff"
            ],
            "neither": []
        },
        "hashes": [
            "b44f4e177b77c88c4f20978121a94f99536ac6571c6545a91962b0a13e664ce0"
        ],
        "wrong": [
            {
                "hash": "6a1c44ee7afa68d2e6f9cfd448803f516c8facba73f74ab0c69c53fb65c884d0",
                "message": "Bischoff et al.'s index is more than 5 points: a 5-point drop falls short of it"
            }
        ],
    },
}
