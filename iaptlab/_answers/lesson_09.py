"""Lesson 09 answers (who is counted: attrition, missing scores and the last available score)
for :func:`iaptlab.exercises.check`.

Entries made with ``python -m iaptlab.exercises add``. Where each answer comes from:

* ``09.finished_clients``: the five simulated clients of
  :func:`iaptlab.attrition.five_clients`, chosen by kind (never entered; one treatment contact;
  stopped part-way; finished the planned course; missed an appointment and carried on), tested
  against IAPT's definition of finished: ended with two or more attended treatment contacts
  (NHS Digital guide v2.1: nhsd_guide_v21 [C]).
* ``09.itt_locf_rate``: arithmetic on fictional counts stated in the notebook (intention to treat
  with the last observation carried forward; glossary ``intention-to-treat``, ``locf``).
* ``09.mnar_scenarios``: four reasons for a missing score sorted by the missing-data mechanism
  (glossary ``mcar``, ``mar``, ``mnar``); the reasoning is in the notebook's instructor notes.
* ``09.controlled_d``: Wakefield et al.'s (2021) pre-post d of 0.87 on depression measures
  (``harm_and_function`` row ``iapt_meta_analysis_depression``, wakefield_2021 [C]) minus an
  untreated change of d = 0.50 that the notebook states as an assumption, not a finding.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "09.finished_clients": {
        "kind": "set",
        "salt": "f3604168160bd6f1",
        "hint": "Count each client's attended contacts of type treatment (not the assessment, not missed ones): finished means two or more, and every referral here has ended.",
        "options": {
            "A": [],
            "B": [],
            "C": [],
            "D": [],
            "E": []
        },
        "hashes": [
            "87604b34e19fdee4f9b64c3683a5d371b75bdc96e44551532e3e7087b54a868b"
        ],
        "wrong": [
            {
                "hash": "261ded8c38818299f842105776469cef53278974f8209637f355a01d19d4885d",
                "message": "C stopped before the planned end, but attended two or more treatment contacts and the referral ended: IAPT counts that as finished"
            },
            {
                "hash": "33f1bf27bacb1e5af865120f2c668ec846fcbf2ce004b394ae429f6ff09cac7b",
                "message": "B attended one treatment contact only; the assessment is not a treatment contact"
            },
            {
                "hash": "f16b6f714d42d1120cddf77b4732f9cf0da677a14a706532eb2ad70ec58827ee",
                "message": "E missed one appointment and carried on: a missed appointment does not stop a course from being finished"
            }
        ]
    },
    "09.itt_locf_rate": {
        "kind": "number",
        "salt": "07420b6019f96876",
        "hint": "ITT: everyone who entered (100) is the denominator. The numerator is the 30 finishers who recovered plus the 8 whose carried-forward scores were below caseness.",
        "secret": "804e006a357ae42e",
        "unit": "percent",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "d0ac335ba3e065ff",
                "message": "50% is recovery among the 60 finishers only (a completer-style rate); ITT keeps all 100 in the denominator"
            },
            {
                "secret": "d0db335ba3e065ff",
                "message": "that leaves out the 8 people whose carried-forward scores were below caseness"
            },
            {
                "secret": "d0d1335ba3e065ff",
                "message": "that is the 40 people with one treatment contact alone (8 of 40)"
            }
        ]
    },
    "09.mnar_scenarios": {
        "kind": "set",
        "salt": "ec2e2b482516cdb2",
        "hint": "MNAR means the reason for missing depends on something not recorded, such as how the person feels now. Ask of each: could the recorded data explain who is missing?",
        "options": {
            "a": [],
            "b": [],
            "c": [],
            "d": []
        },
        "hashes": [
            "5ec89eb668429bcd70eca6f385a374c8660b200a373b466de8987e9d9d886f53"
        ],
        "wrong": [
            {
                "hash": "b2e04bd5cc30555126ee65820e1cb860a56d9184e54ff8cbfcef803358928dbd",
                "message": "b depends on a score that was recorded: that is missing at random (MAR)"
            },
            {
                "hash": "f4ae39ba1e7a88f57319c6c21da875c1b746093930aca2614374dad9c6a0be75",
                "message": "d also depends on how the person is now, which no recorded score shows"
            },
            {
                "hash": "7ce99d67a001f0a4cefdd40ae9b1aa1423945db4823e0c3ec76a2850b706e52c",
                "message": "a lost server has nothing to do with the person: that is MCAR"
            }
        ]
    },
    "09.controlled_d": {
        "kind": "number",
        "salt": "817ca259217d0b23",
        "hint": "A controlled effect is the change in the treated group minus the change in a comparable untreated group, both as d.",
        "secret": "3725d5a7285ebedb",
        "unit": "plain",
        "also": [],
        "decimals": 2,
        "wrong": [
            {
                "secret": "651783cc8ec5527e",
                "message": "subtract the untreated group's change; do not add it"
            },
            {
                "secret": "6509bf43ad0da045",
                "message": "that is the uncontrolled pre-post d; subtract the change without treatment"
            },
            {
                "secret": "65026849907d0392",
                "message": "that is the change without treatment; subtract it from the pre-post d"
            }
        ]
    },
}
