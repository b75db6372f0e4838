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
    "08.cost_per_recovered": {"kind": "number", "salt": "b834647445c1f570", "hint": "Divide the annual staff cost (13,000 staff x £35,000) by the number of people who recovered in 2016-17 (the recovered column of national_annual), not by the number who finished.", "secret": "8671a84480ca9d0a", "unit": "plain", "tolerance": 1.0},
    "08.change_18_to_12": {"kind": "set", "salt": "579c2e7b941115fc", "hint": "Work out the drop (first minus last) and the last score, then test each rule: a drop of at least 6; at least 5; at least 20% of the starting score; a last score of 9 or less.", "hashes": ["9d7477bc3a78480d3adc08e996a6e87503d7b5ba2846cad6695d1c023de5d577"]},
    "08.caseness_needs_more": {"kind": "number", "salt": "19763c87cc631006", "hint": "Crossing below caseness from a start s means ending at 9, a drop of s - 9 points. Find the smallest s for which s - 9 is more than 6.", "secret": "7b4eeea97bc9b21c", "unit": "plain", "tolerance": 0.0},
    "08.data_can_settle": {"kind": "set", "salt": "6af705546ef2999c", "hint": "Ask of each statement: could a measurement or a study, however expensive, answer it? Or does it need someone to decide what matters more, or whose outcomes count?", "hashes": ["3dcfcf0a3e38706389e5a10d300aa509c38d7022550c93e539336aa6f05c694d"]},
}
