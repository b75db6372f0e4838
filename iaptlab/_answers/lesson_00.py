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
        "hint": "Look for the programme's own recovery standard: the share of people finishing "
                "a course of treatment who should recover.",
        "secret": "ac0fd4c8fb08c8b9",
        "unit": "percent",
        "tolerance": 1.0,
    },
    "00.interview_claim": {
        "kind": "number",
        "salt": "53ef20a8fdbfc48b",
        "hint": "The critic re-assessed former clients with a standardised diagnostic interview: "
                "out of every hundred, roughly how many no longer met diagnostic criteria? (His "
                "figure is reported on his blog, a secondary source.)",
        "secret": "89455777e61e49ba",
        "unit": "percent",
        "tolerance": 1.0,
    },
    "00.which_is_self_report": {
        "kind": "choice",
        "salt": "89e05b66612ec03e",
        "hint": "Self-report means the person answers the questions themselves; a diagnostic "
                "interview is asked and scored by a trained assessor.",
        "hashes": [
            "619da8224bebd32b21cee5d5274aa52dfb8bc09f2e60423c38a941f9581960b7",
            "f35ded79b6df06f4df1cdd13c3386c5a9a48d71f4b3f416623d9de8243b0439a",
        ],
    },
    "00.example_denominator": {
        "kind": "number",
        "salt": "9ff83999497292ea",
        "hint": "Go down the table one referral at a time. To count, a referral needs at least 2 "
                "treatment contacts, a first AND a last score on both the depression questionnaire "
                "and its anxiety measure (the note column says which measure), and at least one "
                "first score at or above its caseness cut-off.",
        "secret": "039e62fedc6586fa",
        "unit": "plain",
        "tolerance": 0.0,
    },
    "00.cutoff_8_recovered": {
        "kind": "set",
        "salt": "77bffa6b5e1d7794",
        "hint": "Set the depression cut-off slider to 8 in the explorer (or use "
                "the lesson_rules helper with classify). A lower cut-off lets new people in as "
                "cases, and also makes it harder to end below caseness: check each last depression score.",
        "hashes": ["299da8b6e9d6f9bf2b01b508878634aea8dc45b36bfdbb593adcb8a721e9e741"],
    },
}
