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
* ``07.rob_iapt`` and ``07.rob_critic``: judgements on RoB 2 domain 4 (Sterne et al. 2019; the
  questions in ``iaptlab.explorers.fair_evaluation``) for IAPT's routine questionnaire outcome
  (nhsd_guide_v21, clark_2018; the critic's description of questionnaires completed with the
  therapist present, scott_2021_blog) and for Scott (2018) as reported on his blog (scott_2018,
  scott_2021_blog [S]). Where the judgement is open (4.1, 4.5, and "probably" versus a firm answer)
  several answers are accepted; the reasons are in the lesson's instructor notes.
* ``07.fair_design``: the design features in ``fair_evaluation.DESIGN_OPTIONS`` that remove a
  bias found in the lesson (blind standardised assessment, a comparison group, follow-up,
  pre-registration, meaning to service users as Boyce et al. 2021 ask (as reported by Scott),
  counting everyone); the others add one.
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
    "07.rob_iapt": {
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
                "2f425ea88eac9d59e1cd3d4f08590a470b60229699b1e6f46ec27a51dd3edae9",
                "75175647d0a6f851ab33174dd2b0a3c3a0976cd6be0fcc0e5954878601a00d02"
            ],
            "4.2": [
                "0657e177a4f925372d8595d9c8aec1ada5298c17159e6dfa61dc98f2131cd605",
                "f47bb8a2698c189d276a9d6da90085bad692b7f226853a71e14b98c5e606eadf"
            ],
            "4.3": [
                "0c9ad712d772588d1adab73200bb74cd72d6f2bb62168e27a26e98f8f3c60912",
                "ce5a97d4198e0c2b94529db8e1cf02449e69f7df64a3253637a9496ac798e0f3"
            ],
            "4.4": [
                "85ace9e3698670df53e24837ce975571bd677eae56b77bef12ccd3532af96c35",
                "d8147b08f66f3e98903337c41a3516878451e8acbeb7e6da116643b8d20157d8"
            ],
            "4.5": [
                "64acdbc2212b7edd9f5cdd4be8c4048043f81092f85af5f2e67d2463b3ea2a94",
                "cfcfd0f58a4a5462713bacda5b57fcaef017caf1a79ccc98ca585d422296550b",
                "ff49e3a00dafcb463e3dcc195c76b8a39261ed435ffcbb821433d26639299b74"
            ]
        },
        "wrong": [
            {
                "item": "4.1",
                "hash": "11e581e4d7edd4e9239efff83db2a0f4b749dca86e694d95ab78946982261e63",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.1",
                "hash": "bda875d9902d3a071d7915ea92fc3e828732521b8a88f028f1aa67e68857109f",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.1",
                "hash": "87b7593c95d076f3d462921aebb3d4792679a1e7a52f927b2bbc875ead276bac",
                "message": "the method is reported (the PHQ-9 and GAD-7): there is information"
            },
            {
                "item": "4.3",
                "hash": "4841aad67e17d932614f5b4e09d761934e45a2fe5d66489fbbcb3bad96bc8826",
                "message": "the assessor is the client, who knows they were treated"
            },
            {
                "item": "4.2",
                "hash": "c84a37e6548dd494aafffe96dce2d34fac8015e32d05730d1938977c3fc4406a",
                "message": "the first and last questionnaires are completed on different occasions and, per the critic, often with the therapist present at the end"
            }
        ],
    },
    "07.rob_critic": {
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
                "6cd2aba656c5f35af3aac1a94e5b4487ed52912478fa19ebbd059e645a5cf556",
                "c5e7b6849db3d174a301b865d683e854e65fb17665534a6f0121d905d3bdc4aa",
                "e71a02798ede80eeb93e3a847cd8843089aef90a89fc2f429605b7869043d3b4"
            ],
            "4.2": [
                "e9520bc00e3a1c497a72b1cb687632d23c6fbc862b44ba2a394ed43d6151a4c3",
                "f79472fb27b34d30584c591680f9d3e6c1b8129b2a92d7651821b3f1dd623afc"
            ],
            "4.3": [
                "4f06afa4bd480d1ed470883eb2a2d3c06a8e2f58acb81c5a3205e3fb4ef93e81",
                "a39867ec57f343da1323e8f97d9ed99fd4c6a578e01fbdd73800d7747b6d9798"
            ],
            "4.4": [
                "c1f17bd46b0e54b9024dd292aa78cb5bac1eec37a92e1ea5fcdfa1226be52333",
                "f3bb08fda3bb3e5374f3c4ee79f7bf657f1c7bfff50ac7fcfe109c6d4eafe15b"
            ],
            "4.5": [
                "21b51ed0405573df15277dd0810a5a0c2b5b2f03440a11dbb211eccd81d0f0f5",
                "257b5c418fabb489219252aebc249bd91a741ac6e6e08878686b47ac74303b22",
                "e654687de8a301e22182cc94bde37eb656fae704651eb6f672b27572677fe4d2"
            ]
        },
        "wrong": [
            {
                "item": "4.1",
                "hash": "8be564470e7a3ecbf3a476d8d8814f1ee72ab1afe3a803d19cd25f2e6c165b3c",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.1",
                "hash": "b850ba5f1dc0d04989367c9e98c7d03f013e272994d37da01d1c064c217fa4a3",
                "message": "RoB 2 keeps Y/PY at 4.1 for a method that is insensitive or not valid for the outcome it reports; this measure is validated for what it measures. That the questionnaires and the interview measure different things is a problem of comparing the two numbers, not of either measurement"
            },
            {
                "item": "4.3",
                "hash": "b66f4d497cc8b7e968cda5f7c7562e70d51c5c991cc893f22f7c72b79524ab06",
                "message": "he knew his interviewees had been through IAPT"
            },
            {
                "item": "4.2",
                "hash": "5b17e428a06c72ca50bb35d244269e596f6a420840a3ed2d15386032cd79ddce",
                "message": "there is no interview before treatment in the same metric: the 'before' was measured differently"
            },
            {
                "item": "4.5",
                "hash": "5ff2e3e32a243ce3de00c7da220392e680ff76eda259a43200d3345094aa3f8d",
                "message": "N claims evidence that knowing did NOT influence the assessment: nothing reported shows that"
            }
        ],
    },
    "07.fair_design": {
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
            "925c514c6a262a6ce307c109e66453d31a4bcf70456f17732c741fdd9b7f356b"
        ],
        "wrong": [
            {
                "hash": "153ebd9ed5b419ec1153b9c46574958b75ccf2c26690aad1cdaac988c4011301",
                "message": "counting only finishers adds a bias (attrition): count everyone, finishers can be a secondary analysis"
            },
            {
                "hash": "ff81673d97dc1ed103243043099d06f555215127af464af6a1fae3539629373c",
                "message": "a therapist present at the last questionnaire adds demand"
            }
        ],
    },
}
