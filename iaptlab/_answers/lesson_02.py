"""Lesson 02 answers for :func:`iaptlab.exercises.check` (what counts as recovery).

Entries made with ``python -m iaptlab.exercises add``; hints never give the answer. Where each
answer comes from (without the answer):

* ``02.recovered_by_hand`` and ``02.reliably_improved_by_hand``: three fictional clients in the
  notebook, judged by the recovery and reliable-improvement rules of the NHS Digital guide v2.1
  as quoted by the Strategy Unit (nhsd_guide_v21, strategy_unit_talking_therapies [C]): finished = 2+
  treatment contacts, caseness PHQ-9 >= 10 / GAD-7 >= 8, reliable change 6 / 4 points.
* ``02.strict_changes``: which of the five outcomes the threshold explorer shows change when a
  reliable change must be *greater than* the threshold (the guide's prose) instead of *at least*
  it (the consensus): structural (only outcomes that use reliable change can move), checked on
  the lesson cohort in tests/test_lesson_02.py.
* ``02.denominator_m192``: the heterosexual 2014-15 subgroup of
  ``datasets.load("national_2014_15_subgroup")`` (confidence S: the table was not read), recovered
  divided by (finishers minus finishers known not to be at caseness), the M192 wording
  (nhsd_guide_v21 [C]); arithmetic [D].
* ``02.jt_cutoff_c``: Jacobson & Truax cut-off c (formula: jacobson_truax_1991, R package vignette clinicalsignificance_r_package [C])
  for the teaching numbers given in the notebook's prompt (not facts about any population).
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "02.recovered_by_hand": {
        "kind": "set",
        "salt": "e7b9e3a08ac3ec59",
        "hint": "Apply the four conditions in order for each client: finished (at least 2 treatment contacts)? at caseness at the start on either measure (PHQ-9 at least 10, GAD-7 at least 8)? BOTH last scores below caseness? A score equal to the cut-off is at caseness.",
        "options": {
            "A": [],
            "B": [],
            "C": []
        },
        "hashes": [
            "7a4a6053b1eba5bc5df8108a1640bbececcf664434e985f3338372370d6bc873"
        ],
        "wrong": [
            {
                "hash": "d2725cf292e643a0983262d71915678d6ecf86c4da3c058d32021e475c88b921",
                "message": "B's last GAD-7 is 8, which IS caseness (8 or more)"
            },
            {
                "hash": "20b7754f39b72eb2fb71d3b657e42ab87dd08c7d2dd44a825a8abc729d9267f3",
                "message": "C had one treatment contact: not a finished course, so not counted at all"
            },
            {
                "hash": "8c3002617783d7f830557ecbfc903b87a52d9aea9c0613b3ae4464759bfc3e41",
                "message": "A's first PHQ-9 of 10 is AT caseness, and both of A's last scores are below it"
            }
        ],
    },
    "02.reliably_improved_by_hand": {
        "kind": "set",
        "salt": "b229b31ca2aee74f",
        "hint": "Work out each drop (first minus last). Reliable improvement needs a finished course, a drop of at least 6 on PHQ-9 or at least 4 on GAD-7, and no rise that large on either. Whether the person ends below caseness does not matter here.",
        "options": {
            "A": [],
            "B": [],
            "C": []
        },
        "hashes": [
            "c08c0d4ed85e4d1b55e1c0840697f12734f65daeae73939f1af1101eb156791c"
        ],
        "wrong": [
            {
                "hash": "f811dc1a38c3b7c30a58ec7de9fb0afa533b079a6ccbc719f2a66477aef1c140",
                "message": "C has not finished a course (one treatment contact), so C is not assessed"
            }
        ],
    },
    "02.jt_cutoff_c": {
        "kind": "number",
        "salt": "538b311206f3f8ea",
        "hint": "c = (SD_functional x M_clinical + SD_clinical x M_functional) / (SD_functional + SD_clinical). Each mean is weighted by the OTHER population's SD.",
        "secret": "22399ea58a5b12f2",
        "unit": "plain",
        "also": [],
        "decimals": 2,
        "wrong": [
            {
                "secret": "bd29a3c164b41b2d",
                "message": "that is the plain midpoint of the two means: c weights each mean by the OTHER population's SD"
            },
            {
                "secret": "bd2ce3c164b41b2d",
                "message": "that weights each mean by its own SD: c weights each by the OTHER population's SD"
            }
        ],
    },
    "02.strict_changes": {
        "kind": "set",
        "salt": "7d784eb39e4373af",
        "hint": "The strict reading changes only the reliable-change comparison (a change must be greater than 6 or 4 points, not at least). Which outcomes use reliable change at all? Compare rates(classify(cohort, IAPT)) with IAPT_STRICT row by row.",
        "options": {
            "recovered": [],
            "reliable_recovery": [],
            "reliable_improvement": [],
            "reliable_deterioration": [],
            "diagnosis_lost": []
        },
        "hashes": [
            "7026ee1956d08e52f8f6a4b02157f18b2e20fda6dce736e58011ee42725dcd1e"
        ],
        "wrong": [
            {
                "hash": "19881cca16f8b4a8b0d675b119c10b3b961bc9fdf276f59157c8bfd9628e155c",
                "message": "recovery and loss of diagnosis do not use reliable change at all, so the strict reading cannot move them"
            }
        ],
    },
    "02.denominator_m192": {
        "kind": "number",
        "salt": "f637886cbac27002",
        "hint": "The M192-style denominator is all finishers minus those known NOT to be at caseness: finished_course minus finished_not_at_caseness. Divide the recovered count by it.",
        "secret": "4e4ac5d6fa65b0e6",
        "unit": "percent",
        "also": [],
        "decimals": 2,
        "wrong": [
            {
                "secret": "05cd78cfd39641a8",
                "message": "that is recovered ÷ finished at caseness: which denominator does M192 use?"
            },
            {
                "secret": "05c004350550ef21",
                "message": "that divides by all finishers: M192 takes away those KNOWN not to be at caseness"
            }
        ],
    },
}
