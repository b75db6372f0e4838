"""Lesson 10 answers for :func:`iaptlab.exercises.check` (critique the critique, design a fair evaluation).

Entries made with ``python -m iaptlab.exercises add`` / ``make_entry`` (the RoB 2 and design
entries were lesson 07's, re-made under the new ids with the same salts and the same accepted and
known wrong answers; the question id is part of every hash). Where each answer comes from,
without the answer:

* ``10.rob_iapt`` and ``10.rob_critic``: judgements on RoB 2 domain 4 (Sterne et al. 2019; the
  questions in ``iaptlab.fair_evaluation``) for IAPT's routine questionnaire outcome
  (nhsd_guide_v21, clark_2018; the critic's description of questionnaires completed with the
  therapist present, scott_2021_blog) and for Scott (2018) as reported on his blog (scott_2018,
  scott_2021_blog [S]). Where the judgement is open (4.1, 4.5, and "probably" versus a firm answer)
  several answers are accepted; the reasons are in the lesson's instructor notes.
* ``10.fair_design``: the design features in ``fair_evaluation.DESIGN_OPTIONS`` that remove a
  bias found in lessons 07 and 10 (blind standardised assessment, a comparison group, follow-up,
  pre-registration, meaning to service users as Boyce et al. 2021 ask (as reported by Scott),
  counting everyone); the others add one.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "10.rob_iapt": {
        "kind": "items",
        "salt": "c9738d7490c1c810",
        "hint": "Who rates IAPT's outcome? The client, on a questionnaire. Does the client know they were treated? Where are the first and the last questionnaires completed, and with whom? For 4.1 ask whether the questionnaires measure severity of depression and anxiety validly at one time (RoB 2: most pre-specified outcomes get N or PN), and for 4.5 whether there is evidence either way.",
        "options": {
            "Y": [
                "yes"
            ],
            "PY": [
                "probably yes"
            ],
            "PN": [
                "probably no"
            ],
            "N": [
                "no"
            ],
            "NI": [
                "no information"
            ]
        },
        "items": {
            "4.1": [
                "5fc946984ce5197ee9adb1a50a4800b0da776de5bb1cc6462194279a5179ef31",
                "8625a1ee5df0033563f639b1fcbff1d7a336a72606ac0e68dab380ce6a1e96d7"
            ],
            "4.2": [
                "2cbc795b22015ac643ec3ee292a376a6e4504bbfd8e2def4f12b84fb676f718a",
                "2ea879142d1655ea229532c88ad77550e1fec46e4070ff066b098941c5f8a1c3"
            ],
            "4.3": [
                "214bc5d365bfa47c3f24ed4d524e9d0d0b43b1ef81998562be8e45edb69274cb",
                "74f7c2046dffde0c6cfc2afc9fbc327660b0488caaae323158f50046e4aa6323"
            ],
            "4.4": [
                "34a9f28ec04c7050ed01d4311974d00b68a8c635727e437365f8b342db7ef3f2",
                "e6691b3556a69a3e8751a91e9bdc1500bd602e507ea089968b887347bbedc9dd"
            ],
            "4.5": [
                "33078732e205da051f8812e3aa0c410d0a25bb58a0fc86704d872d6aec5a6823",
                "61d94eecc6eaa02b43b08b466b1cd2b45aa7e54dd33b305c896d21b66f748795",
                "bb12a22941cb9db893b415a11e645a5b941f4f9fee0525b1b04b9734ab560e21"
            ]
        },
        "wrong": [
            {
                "item": "4.1",
                "hash": "450db8a89d912e139459a31a434fb46815ac3b1cd82b7de8e2ac74f6dfb5b908",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.1",
                "hash": "089c2767bdb734bdc50d5a4a43ec6da0c40d88365d7b1de0a1b4d6dddee64d01",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.1",
                "hash": "e712479f8ae4b51f58cc580d1026045bdad009632eb4b97a32ff01fbc9106a60",
                "message": "the method is reported (the PHQ-9 and GAD-7): there is information"
            },
            {
                "item": "4.3",
                "hash": "b0012c500078d8f6206c9c745e88deca4d9294f93becc8a45f78102de2d8bc0d",
                "message": "the assessor is the client, who knows they were treated"
            },
            {
                "item": "4.2",
                "hash": "3e1a4cf9f250a32de81a6285939a966f71dae020b0c607f9ab0ca13ca5ba8b9e",
                "message": "the first and last questionnaires are completed on different occasions and, per the critic, often with the therapist present at the end"
            }
        ]
    },
    "10.rob_critic": {
        "kind": "items",
        "salt": "7d2d66d1af2a2b92",
        "hint": "Who assessed the 90 people, knowing what about them, and why (an expert witness in litigation)? Was there an interview before treatment in the same metric, and is the figure compared with one measured the same way? For 4.1, is a standardised diagnostic interview a suitable way to measure loss of diagnosis, and what do we know about which one was used?",
        "options": {
            "Y": [
                "yes"
            ],
            "PY": [
                "probably yes"
            ],
            "PN": [
                "probably no"
            ],
            "N": [
                "no"
            ],
            "NI": [
                "no information"
            ]
        },
        "items": {
            "4.1": [
                "21998ad5c50ee9b8d774d2b3587d4f77b4660be10d76ce37dc3bf0494b804105",
                "694ddba492a82001f49125c0d9bc54b79b15e9c6e85bc4bdfea751a4cfbf6b75",
                "e42d66f82f505e2a7294f4452e14b787e3c57b3af788bae3da63995e1726f0f6"
            ],
            "4.2": [
                "d73d889d79ac96cdd15b145c6c0f7ac268be60947af5d912dc7c7629bc9d27a7",
                "e68c2ddf64f075b85725bfe2a5eb47c8dbe379cee270dbb97474ff195e16b952"
            ],
            "4.3": [
                "3a5bcf86421b669a0906902cd5a78a8f0f5a1fc494bfad3b944880e225c0a168",
                "a5683cf451cd8d32f00d83284541d766a377e8d24921a301bb3c134c03c79dde"
            ],
            "4.4": [
                "4fb93a87a3ea317d0aec71eb4734075d47e99744a56bee1246a1b0051d496135",
                "8ec0e8e91dd8c5b0a12d3d0507c8c2be9bf4e347fefc0bda013cb8596f2bda5e"
            ],
            "4.5": [
                "002fab3f6b0bdea28bebb15e48ac29825978fa8ad5878de3292bd26053261718",
                "5f1eaed4f72f6bd63c8f83b1500becd0fc4b8c9270f2296111be9b220f2e229b",
                "7663249ebbc4fc77bd8999230b6bdd3e041701626f1c88cc89c71b55fa547d2b"
            ]
        },
        "wrong": [
            {
                "item": "4.1",
                "hash": "88be8d391c0b815b6a9c4fe22bb2801dfe772b81c78e84e774a818464d9d9936",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.1",
                "hash": "d25b766fc1ec95ebda120e671c544f8c622a4a94e00cbc1aa6f7fee279e34291",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.3",
                "hash": "5c0d86974e748af08e616589a00492b3a75e6b6c1d87a3f7b3a0e0a03276cfae",
                "message": "he knew his interviewees had been through IAPT"
            },
            {
                "item": "4.2",
                "hash": "885d071b4e73c3a7ccc74b133264c00ac3ab1ef60e3d4d0f766d77102ec7b875",
                "message": "there is no interview before treatment in the same metric: the 'before' was measured differently"
            },
            {
                "item": "4.5",
                "hash": "d8fd2fbdfe240cc4100d471df2ce0aed7c45584760f46e8f40e670ffa6087651",
                "message": "N claims evidence that knowing did NOT influence the assessment: nothing reported shows that"
            }
        ]
    },
    "10.fair_design": {
        "kind": "set",
        "salt": "01f00d99703be9c3",
        "hint": "Keep every feature that removes one of the biases this lesson found on either side (who rates, knowing what; no comparison; timing; choosing the outcome after the fact; what a change means; who is counted) and drop every feature that adds one.",
        "options": {
            "therapist_administers": [],
            "blind_interview": [],
            "comparison_group": [],
            "finishers_only": [],
            "follow_up": [],
            "litigants": [],
            "preregistered": [],
            "best_outcome_after": [],
            "meaning_to_users": [],
            "assessor_knows_history": [],
            "everyone_counted": []
        },
        "hashes": [
            "7a3beae2c89b2ad944d07e5a96dd6eb830bbc6efcd08f2c087142c71c668e261"
        ],
        "wrong": [
            {
                "hash": "577169197fa687fdc2b474eb4569fe01394337f8b2f97a8b573c1c271681002f",
                "message": "counting only finishers adds a bias (attrition): count everyone, finishers can be a secondary analysis"
            },
            {
                "hash": "f1cbbf6b8685615f88a334b4545b6f588632c6633aa09e1300d499c76c34394e",
                "message": "a therapist present at the last questionnaire adds demand"
            }
        ]
    },
}
