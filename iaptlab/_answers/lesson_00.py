"""Lesson 00 answers for :func:`iaptlab.exercises.check`: plain data, no answers in plain sight.

One entry per question id (``"NN.short_name"``, NN = lesson number). Create an entry with
``python -m iaptlab.exercises add ID --number X --unit percent --tolerance T --hint "..."`` (or
``--choice A --also-accept B``, or ``--set a,b,c``) and paste the printed line below. Numbers are
XOR-obfuscated and choices salted SHA-256 hashes: this deters casual peeking, not a determined
student (see the exercises module docstring).

Keep hints free of the answer. Where an answer is a fact about the world, cite its source here
(the dossier's section and confidence tag) without repeating the figure:

* ``00.recovery_claim``: the programme's recovery standard, NHS Talking Therapies manual v7.1
  quoted by the Strategy Unit [C]; national recovery rates near it in every year since 2017-18
  [C] (nhstt_manual_v71; dataset ``national_annual``).
* ``00.interview_claim``: Scott (2018), loss of diagnosis on a standardised interview in former
  clients, as reported on the author's blog [S, secondary]; the notebook must say so
  (scott_2018, scott_2021_blog; dataset ``claims``). Tolerance admits the unrounded figure the blog also gives.
* ``00.which_is_self_report``: definitional (a questionnaire the client completes vs an interview).
* ``00.example_denominator``: the IAPT recovery denominator (finished, paired, at caseness at the
  start; nhsd_guide_v21 and DESIGN section 4) applied by hand to the fictional
  ``data/example_episodes.csv``; the notebook checks the count against ``outcomes.rates()``.
* ``00.cutoff_8_recovered``: the same fictional file classified with the depression caseness
  cut-off lowered by two points (``explorers.example_cases.lesson_rules(8, 2)``), everything else
  IAPT.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "00.recovery_claim": {
        "kind": "number",
        "salt": "3eecc044bbcfc84a",
        "hint": "Look for the programme's own recovery standard: the share of people finishing a course of treatment who should recover.",
        "secret": "ac0fd4c8fb08c8b9",
        "unit": "percent",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "4946088fb3b1697b",
                "message": "that is the critic's loss-of-diagnosis figure: the question asks for the programme's own standard"
            }
        ],
    },
    "00.interview_claim": {
        "kind": "number",
        "salt": "53ef20a8fdbfc48b",
        "hint": "The critic re-assessed former clients with a standardised diagnostic interview: out of every hundred, roughly how many no longer met diagnostic criteria? (His figure is reported on his blog, a secondary source.)",
        "secret": "89455777e61e49ba",
        "unit": "percent",
        "also": [
            "8943311180782fdc"
        ],
        "decimals": 1,
        "wrong": [
            {
                "secret": "4c6e41e009fedcea",
                "message": "that is the programme's recovery standard: the question asks for the critic's interview figure"
            },
            {
                "secret": "4c71c1e009fedcea",
                "message": "90 is the number of former clients he interviewed, not a percentage"
            }
        ],
    },
    "00.which_is_self_report": {
        "kind": "choice",
        "salt": "89e05b66612ec03e",
        "hint": "Self-report means the person answers the questions themselves; a diagnostic interview is asked and scored by a trained assessor.",
        "options": {
            "a": [
                "PHQ-9",
                "PHQ9"
            ],
            "b": [
                "diagnostic interview",
                "interview",
                "standardised diagnostic interview"
            ]
        },
        "hashes": [
            "f35ded79b6df06f4df1cdd13c3386c5a9a48d71f4b3f416623d9de8243b0439a"
        ],
        "wrong": [
            {
                "hash": "a3c502f68b6b6cb64917ae56a3245e712dfcca63ea77cde67b4fb096e8115446",
                "message": "an interview is asked and scored by a trained assessor, so it is not self-report"
            }
        ],
    },
    "00.example_denominator": {
        "kind": "number",
        "salt": "9ff83999497292ea",
        "hint": "Go down the table one referral at a time. To count, a referral needs at least 2 treatment contacts, a first AND a last score on both the depression questionnaire and its anxiety measure (the note column says which measure), and at least one first score at or above its caseness cut-off.",
        "secret": "039e62fedc6586fa",
        "unit": "plain",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "0fbaed95d5ab4b8f",
                "message": "that is everyone referred: the rate counts only finishers with paired scores who started at caseness"
            },
            {
                "secret": "0fb0ed95d5ab4b8f",
                "message": "one of those has no last PHQ-9: without paired scores a referral leaves the denominator"
            },
            {
                "secret": "0fb6ed95d5ab4b8f",
                "message": "finishing needs at least 2 treatment contacts, and the scores must be paired and start at caseness"
            }
        ],
    },
    "00.cutoff_8_recovered": {
        "kind": "set",
        "salt": "77bffa6b5e1d7794",
        "hint": "Set the depression cut-off slider to 8 in the explorer (or use the lesson_rules helper with classify). A lower cut-off lets new people in as cases, and also makes it harder to end below caseness: check each last depression score.",
        "options": {
            "EX01": [],
            "EX02": [],
            "EX03": [],
            "EX04": [],
            "EX05": [],
            "EX06": [],
            "EX07": [],
            "EX08": [],
            "EX09": [],
            "EX10": [],
            "EX11": [],
            "EX12": []
        },
        "hashes": [
            "299da8b6e9d6f9bf2b01b508878634aea8dc45b36bfdbb593adcb8a721e9e741"
        ],
        "wrong": [
            {
                "hash": "b5d59e2f59139d1f36d1e3d63534a019d8d0892d64e1754999ac7f44b3f2a446",
                "message": "that is who recovers at the usual cut-off of 10: a cut-off of 8 also changes who is below caseness at the END"
            },
            {
                "hash": "4c298a23498edce65eeb22d3f4ce957b39ef7c8bc1ddeafc59467e06f8207c71",
                "message": "a lower cut-off is not simply 'more people': ending below caseness now means ending at 7 or less"
            }
        ],
    },
}
