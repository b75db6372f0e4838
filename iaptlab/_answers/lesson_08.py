"""Lesson 08 answers (what a change means, and what it costs) for :func:`iaptlab.exercises.check`.

Entries made with ``python -m iaptlab.exercises add``. Where each answer comes from:

* ``08.cost_per_recovered``: Scott's own staff-cost estimate (13,000 staff × £35,000 a year;
  ``claims`` row ``scott_staff_cost``, [S], his estimate, not an official figure;
  ``iaptlab.costs.StaffingModel()``) divided by the number recovered in 2016-17 (NHS Digital news
  release nhsd_2016_17_release, ``national_annual`` [C]). The tolerance accepts rounding to the pound.
* ``08.change_18_to_12``: a fictional PHQ-9 change tested against the four definitions of
  :data:`iaptlab.explorers.change_and_cost.DEFINITIONS`: IAPT's reliable change threshold (NHS
  Digital guide v2.1: nhsd_guide_v21 [C]), Löwe et al.'s (2004) MCID (lowe_2004), Kounali et al.'s
  (2022) 20% guide (kounali_2022 [C]) and PHQ-9 caseness (nhsd_guide_v21 [C]).
* ``08.caseness_needs_more``: arithmetic on the same caseness cut-off and reliable change
  threshold (nhsd_guide_v21 [C]).
* ``08.data_can_settle``: the notebook's six statements sorted into questions a measurement or
  study could answer and questions of value; the reasoning is in the notebook's instructor notes.
  A judgement for discussion, grounded in the care-assistant comparison (Scott, 2021, blog [S]).
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "08.change_18_to_12": {
        "kind": "set",
        "salt": "579c2e7b941115fc",
        "hint": "Work out the drop (first minus last) and the last score, then test each rule: a drop of at least 6; at least 5; at least 20% of the starting score; a last score of 9 or less.",
        "options": {
            "reliable_change": [],
            "mcid_5": [],
            "percent_20": [],
            "below_caseness": []
        },
        "hashes": [
            "9d7477bc3a78480d3adc08e996a6e87503d7b5ba2846cad6695d1c023de5d577"
        ],
        "wrong": [
            {
                "hash": "393469f91508b1162981b752ac2af6e3d6407781465ce736d026ee2d8f3cb9a2",
                "message": "12 is still at caseness (10 or more)"
            },
            {
                "hash": "354115e90cd73c9bd0d11c8021fc46529b07d7b8d1dcc59434f46f049493c719",
                "message": "check the other rules too: a drop of 5 and a drop of 20% of 18"
            }
        ],
    },
    "08.caseness_needs_more": {
        "kind": "number",
        "salt": "19763c87cc631006",
        "hint": "Crossing below caseness from a start s means ending at 9, a drop of s - 9 points. Find the smallest s for which s - 9 is more than 6.",
        "secret": "7b4eeea97bc9b21c",
        "unit": "plain",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "c7c4479ad6b1567c",
                "message": "15 to 9 is a drop of exactly 6: the same as reliable change, not more"
            },
            {
                "secret": "c7ce479ad6b1567c",
                "message": "from 10, ending at 9 needs only a 1-point drop"
            }
        ],
    },
    "08.cost_per_recovered": {
        "kind": "number",
        "salt": "b834647445c1f570",
        "hint": "Divide the annual staff cost (13,000 staff x £35,000) by the number of people who recovered in 2016-17 (the recovered column of national_annual), not by the number who finished.",
        "secret": "8671a84480ca9d0a",
        "unit": "pounds",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "8eaa0b97ca4359d9",
                "message": "that divides by everyone who finished: the question asks per person RECOVERED"
            },
            {
                "secret": "8ea80d0255538b6b",
                "message": "that divides by the recovery denominator: the question asks per person RECOVERED"
            },
            {
                "secret": "8e579cd176f5cc24",
                "message": "that divides by referrals: the question asks per person RECOVERED"
            }
        ],
    },
    "08.data_can_settle": {
        "kind": "set",
        "salt": "6af705546ef2999c",
        "hint": "Ask of each statement: could a measurement or a study, however expensive, answer it? Or does it need someone to decide what matters more, or whose outcomes count?",
        "options": {
            "a": [],
            "b": [],
            "c": [],
            "d": [],
            "e": [],
            "f": []
        },
        "hashes": [
            "3dcfcf0a3e38706389e5a10d300aa509c38d7022550c93e539336aa6f05c694d"
        ],
        "wrong": [
            {
                "hash": "a59f488a03d7cb4ba593b352f289def3128996c119be3913780ad8bc71784401",
                "message": "whether a change is WORTH a sum of money is a judgement of value, not a measurement"
            },
            {
                "hash": "49699522eb0922f33db75e9cdac07208068ed719aec373adb83839fedb10e7b5",
                "message": "b is hard to measure, but a comparison group could measure it"
            }
        ],
    },
}
