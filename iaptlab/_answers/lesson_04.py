"""Lesson 04 answers for :func:`iaptlab.exercises.check` (self-report vs blind assessment).

Entries made with ``python -m iaptlab.exercises add``; numbers are obfuscated and choices hashed
(see the exercises module). Where each answer comes from, without the answer:

* ``04.sensitivity_by_hand``: arithmetic on the notebook's fictional 2x2 table (definition of
  sensitivity; checked against ``iaptlab.accuracy.agreement`` in the notebook and the tests).
* ``04.ppv_gad7_at_10pct``: Bayes' rule applied to Plummer et al. (2016), GAD-7 cut-off 8
  against diagnostic interviews for GAD (dataset ``instrument_accuracy``; plummer_2016
  [C]), at the prevalence stated in the prompt. Tolerance one percentage point for rounding.
* ``04.kappa_meaning``: definition of Cohen's kappa (agreement beyond chance as a share of the
  maximum possible agreement beyond chance); no verbal benchmark is used.
* ``04.mr_x_missed``: Mr X as described by Scott (2021, blog; critique-source.md, "some details
  changed to protect confidentiality"), read against the PHQ-9 and GAD-7 item texts in
  ``iaptlab.instruments`` (kroenke_2001, spitzer_2006). Option ids are printed in the notebook; the
  bare "phobia" is also accepted for the fire phobia.
* ``04.mr_x_recovered_by_measure``: IAPT's recovery rule (both last scores below caseness) applied
  to fictional last scores (PHQ-9 8, GAD-7 6, PCL-5 33) with each anxiety measure's caseness
  threshold and comparison from NHS Digital's guide v2.1 table (``iaptlab.instruments``;
  nhsd_guide_v21 [C]; PCL-5 ">= 32").
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "04.sensitivity_by_hand": {
        "kind": "number",
        "salt": "a2b195ceef0ca428",
        "hint": "Sensitivity looks only at the people the interview says DO meet criteria: of them, what share did the questionnaire call a case?",
        "secret": "27818b2677d74fdc",
        "unit": "percent",
        "also": [],
        "decimals": 1,
        "wrong": [
            {
                "secret": "c6de22f3fea3c18a",
                "message": "that is the specificity: sensitivity looks only at the people who DO meet criteria on the interview"
            },
            {
                "secret": "c6da885954096b21",
                "message": "that is the positive predictive value (of those the questionnaire flags): sensitivity is of those who meet criteria"
            },
            {
                "secret": "c6d822f3fea3c18a",
                "message": "that is the overall agreement: sensitivity looks only at the people who meet criteria"
            }
        ],
    },
    "04.kappa_meaning": {
        "kind": "choice",
        "salt": "174c34e674c4d205",
        "hint": "Kappa compares the observed agreement with the agreement two raters would reach by chance alone, given how often each says 'case'. 0 = no better than chance, 1 = perfect.",
        "options": {
            "a": [],
            "b": [],
            "c": [],
            "d": []
        },
        "hashes": [
            "1ce71e334151ce5d291e5325dfb4d528a76523de358f30deb349557fe416f22d"
        ],
        "wrong": [
            {
                "hash": "9cff13b4532fed40efc3273bce137b1043aba9e46735ce47cad3fc8e8d25e1a6",
                "message": "41% is not the raw agreement: kappa takes away the agreement chance alone would give"
            },
            {
                "hash": "c989688dd4322d5dccf9b9effe312b24f93359ee3a4dc93b47ce9446f3de8618",
                "message": "that describes the positive predictive value, not kappa"
            },
            {
                "hash": "f8d762ac4b0af50212c2810b9556de3cce8b2e7c6364431ece2ef536481190b8",
                "message": "kappa says nothing about prevalence: it measures agreement beyond chance"
            }
        ],
    },
    "04.ppv_gad7_at_10pct": {
        "kind": "number",
        "salt": "684f5f4707ceb88b",
        "hint": "Imagine 1,000 people: 100 have GAD. How many of them score 8 or more (sensitivity)? How many of the 900 without GAD also score 8 or more (1 - specificity)? PPV = true positives / all positives.",
        "secret": "2ab954667e42b4c8",
        "unit": "percent",
        "also": [],
        "decimals": 1,
        "wrong": [
            {
                "secret": "aac00273c32bee92",
                "message": "that is the sensitivity (of those WITH GAD, how many score 8 or more): PPV asks of those who score 8 or more, how many have GAD"
            },
            {
                "secret": "aac1c273c32bee92",
                "message": "that is the specificity: PPV asks of those who score 8 or more, how many have GAD"
            },
            {
                "secret": "aab0c273c32bee92",
                "message": "that is the prevalence: PPV asks of those who score 8 or more, how many have GAD"
            }
        ],
    },
    "04.mr_x_missed": {
        "kind": "set",
        "salt": "49f66da33dc79bb8",
        "hint": "Read the nine PHQ-9 and seven GAD-7 items printed above. For each of Mr X's problems ask: is either questionnaire built to detect this problem, so that its caseness threshold would tell you whether it is still there? Use only the option names printed.",
        "options": {
            "depression": [],
            "ptsd": [],
            "fire_phobia": [
                "phobia",
                "fire phobia"
            ],
            "binge_eating": [
                "binge eating"
            ]
        },
        "hashes": [
            "912009c9e263d0e957c388e941a2d29056facf49136528b26337a9d7c382b1dd"
        ],
        "wrong": [
            {
                "hash": "71c86912a09e8266644007b7a24222fc24ca40b646cf710f85834dfbde21bba5",
                "message": "is either questionnaire built to detect binge eating?"
            },
            {
                "hash": "1138551cb737923a5b18ed31d34c8441aa8c687b5845a9bff039fdaa85f92698",
                "message": "the PHQ-9 is built to detect depression"
            }
        ],
    },
    "04.mr_x_recovered_by_measure": {
        "kind": "choice",
        "salt": "8cd943d234240471",
        "hint": "Recovery needs BOTH last scores below caseness: the PHQ-9 (caseness 10 or more) and the one anxiety measure the problem descriptor chooses. Look up each measure's caseness threshold AND its comparison (> or >=) in the table.",
        "options": {
            "both": [
                "recovered both ways"
            ],
            "pcl5_only": [
                "only with the PCL-5"
            ],
            "gad7_only": [
                "only with the GAD-7"
            ],
            "neither": [
                "not recovered either way"
            ]
        },
        "hashes": [
            "ff463b689bd8a811a30d429e2afc159d42069332c096b1e37f542c115e054ed2"
        ],
        "wrong": [
            {
                "hash": "8fb179adcdf1f3ce2d1184577de26f9d9dec99753fa8b4b1b80776b4b4248ae5",
                "message": "33 is at or above the PCL-5's caseness threshold (>= 32): with the PCL-5 as his measure he is still a case, so not recovered"
            },
            {
                "hash": "d71b524f8ec45dc69b2a6f73858f9d8bfc9ae828718fa4a62cd6fe1a6f10c2a6",
                "message": "the other way round: 33 is a PCL-5 case (>= 32), while GAD-7 6 is below its cut-off of 8"
            },
            {
                "hash": "530884b888c459e1b986d5d6133beeb9d24e68c7e2a8049e0b4d87d235612653",
                "message": "with the GAD-7 both last scores are below caseness (PHQ-9 8 < 10, GAD-7 6 < 8), so he counts as recovered"
            }
        ]
    },
}
