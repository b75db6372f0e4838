"""Lesson 00 answers for :func:`iaptlab.exercises.check`: plain data, no answers in plain sight.

One entry per question id (``"NN.short_name"``, NN = lesson number). Create an entry with
``python -m iaptlab.exercises add ID --number X --unit percent --tolerance T --hint "..."`` (or
``--choice A --also-accept B``, or ``--set a,b,c``) and paste the printed line below. Numbers are
XOR-obfuscated and choices salted SHA-256 hashes: this deters casual peeking, not a determined
student (see the exercises module docstring).

Keep hints free of the answer. Where an answer is a fact about the world, cite its source here
(the dossier's section and confidence tag) without repeating the figure:

* ``00.half_of_referrals``: half of the 2016-17 referrals received (dataset ``national_annual``,
  nhsd_2016_17_release [C], published rounded to the nearest thousand); known wrong answers are
  half of the other stages of the same row. Reasoning: the standard (nhstt_manual_v71 [C]) is a
  share of finishers at caseness, not of referrals.
* ``00.denominators_9_2``: arithmetic on the critic's 9.2% (scott_2018 via scott_2021_blog [S];
  dataset ``claims``): every denominator d <= 90 for which some n/d rounds to 9.2% at 1 decimal.
* ``00.score_not_verdict``: definitional reasoning: demand and hello-goodbye act on how a client
  answers a questionnaire (orne_1962; hello_goodbye_definition [S]); the PHQ-9 has no items on
  trauma or phobias (kroenke_2001), so Mr X's PTSD symptoms and fire phobia (scott_2021_blog [S])
  move an interviewer's verdict, not the score.
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
    "00.half_of_referrals": {
        "kind": "number",
        "salt": "03bcdd03e8bc0eb2",
        "hint": "Find 2016-17's referrals received in the national_annual dataset and take half of them. The standard's own denominator (finishers at caseness) is much smaller.",
        "secret": "33a79ec0b05fcc4d",
        "unit": "plain",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "53cce24cace4792b",
                "message": "that is half of the finishers at caseness, the standard's own denominator: the question asks what half of all referrals would have been"
            },
            {
                "secret": "53cdaa6cace4792b",
                "message": "that is half of those who finished a course: the question asks for half of all referrals"
            },
            {
                "secret": "53c194ccace4792b",
                "message": "that is half of those who entered treatment: the question asks for half of all referrals"
            },
            {
                "secret": "53d37a1cace4792b",
                "message": "that is how many did recover: the question asks how many half of all referrals would have been"
            }
        ]
    },
    "00.denominators_9_2": {
        "kind": "set",
        "salt": "c1cba1a7ef64ae6f",
        "hint": "For every denominator d from 1 to 90 and every count n from 0 to d, compute 100 * n / d rounded to 1 decimal place, and keep each d for which some n gives 9.2.",
        "options": {
            "1": [],
            "2": [],
            "3": [],
            "4": [],
            "5": [],
            "6": [],
            "7": [],
            "8": [],
            "9": [],
            "10": [],
            "11": [],
            "12": [],
            "13": [],
            "14": [],
            "15": [],
            "16": [],
            "17": [],
            "18": [],
            "19": [],
            "20": [],
            "21": [],
            "22": [],
            "23": [],
            "24": [],
            "25": [],
            "26": [],
            "27": [],
            "28": [],
            "29": [],
            "30": [],
            "31": [],
            "32": [],
            "33": [],
            "34": [],
            "35": [],
            "36": [],
            "37": [],
            "38": [],
            "39": [],
            "40": [],
            "41": [],
            "42": [],
            "43": [],
            "44": [],
            "45": [],
            "46": [],
            "47": [],
            "48": [],
            "49": [],
            "50": [],
            "51": [],
            "52": [],
            "53": [],
            "54": [],
            "55": [],
            "56": [],
            "57": [],
            "58": [],
            "59": [],
            "60": [],
            "61": [],
            "62": [],
            "63": [],
            "64": [],
            "65": [],
            "66": [],
            "67": [],
            "68": [],
            "69": [],
            "70": [],
            "71": [],
            "72": [],
            "73": [],
            "74": [],
            "75": [],
            "76": [],
            "77": [],
            "78": [],
            "79": [],
            "80": [],
            "81": [],
            "82": [],
            "83": [],
            "84": [],
            "85": [],
            "86": [],
            "87": [],
            "88": [],
            "89": [],
            "90": []
        },
        "hashes": [
            "7c79beeb8b383ad327f1778faa6d79e1e7713d787176536b50d835e91c4bc166"
        ],
        "wrong": [
            {
                "hash": "0017dee129c333ebfd2dff3b4ba4b1d852c3bcebd363616f78a788e58602a792",
                "message": "8/90 is 8.9% and 9/90 is 10.0%: no whole number of 90 people gives 9.2%"
            },
            {
                "hash": "12543ea14ce33622d607a3d9dac44fa3b2fcc10e2d14f6c27745e2ad133180be",
                "message": "8 of 87 works, but so do 6 of 65 and 7 of 76: check every denominator"
            },
            {
                "hash": "8caef4e5adf01a29539c9117734989a16401dbbfc2c25dcfa77b77fef809847b",
                "message": "90 is not one: 8/90 is 8.9% and 9/90 is 10.0%"
            }
        ]
    },
    "00.score_not_verdict": {
        "kind": "set",
        "salt": "3fc853d7ffd87281",
        "hint": "For each, ask: does it change how the client answers the nine PHQ-9 questions, or what an interviewer asking about many disorders would find? The PHQ-9 has no questions about trauma or phobias.",
        "options": {
            "with_therapist": [
                "demand"
            ],
            "hello_goodbye": [],
            "ptsd": [],
            "fire_phobia": []
        },
        "hashes": [
            "6f1ddacaa78ab12967e3778e39831f19b05ba3ee24d0bd0ed9440787af49b0f9"
        ],
        "wrong": [
            {
                "hash": "c26775b879ab8f6b2c094bef88abd574e79c01eee27b1d4db602a3298fd30884",
                "message": "Mr X's PTSD symptoms and fire phobia work the other way: the PHQ-9 has no questions about them, so they move an interviewer's verdict and leave the PHQ-9 score alone"
            },
            {
                "hash": "d0a4ea001b07243e2fd31b7d1a7ab3e1eea187a510335f789a27ece476e3478c",
                "message": "the other way round: the PHQ-9 has no questions about trauma or phobias, so those move the interviewer's verdict, not the score"
            },
            {
                "hash": "963cb4e41b57122a6526368dd9c55ce44a355b37ff9e6370fed364ebee4d8437",
                "message": "hello-goodbye acts on the questionnaire too: presenting in the worst light at the start raises the first score"
            }
        ]
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
