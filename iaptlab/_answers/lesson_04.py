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
* ``04.pcl5_at_32``: the PCL-5 caseness threshold and its printed comparison in NHS Digital's
  guide v2.1 table (``iaptlab.instruments.PCL5``; nhsd_guide_v21 [C]).
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "04.sensitivity_by_hand": {
        "kind": "number",
        "salt": "a2b195ceef0ca428",
        "hint": "Sensitivity looks only at the people the interview says DO meet criteria: of "
                "them, what share did the questionnaire call a case?",
        "secret": "27818b2677d74fdc",
        "unit": "percent",
        "tolerance": 0.5,
    },
    "04.ppv_gad7_at_10pct": {
        "kind": "number",
        "salt": "684f5f4707ceb88b",
        "hint": "Imagine 1,000 people: 100 have GAD. How many of them score 8 or more "
                "(sensitivity)? How many of the 900 without GAD also score 8 or more "
                "(1 - specificity)? PPV = true positives / all positives.",
        "secret": "2ab954667e42b4cd",
        "unit": "percent",
        "tolerance": 1.0,
    },
    "04.kappa_meaning": {
        "kind": "choice",
        "salt": "174c34e674c4d205",
        "hint": "Kappa compares the observed agreement with the agreement two raters would reach "
                "by chance alone, given how often each says 'case'. 0 = no better than chance, "
                "1 = perfect.",
        "hashes": ["1ce71e334151ce5d291e5325dfb4d528a76523de358f30deb349557fe416f22d"],
    },
    "04.mr_x_missed": {
        "kind": "set",
        "salt": "49f66da33dc79bb8",
        "hint": "Read the nine PHQ-9 and seven GAD-7 items printed above. For each of Mr X's "
                "problems ask: is either questionnaire built to detect this problem, so that its "
                "caseness threshold would tell you whether it is still there? Use only the "
                "option names printed.",
        "hashes": ["6105206e9225a830d19911c28c0a1aee2338c5983000279524900b754eff0d71",
                   "912009c9e263d0e957c388e941a2d29056facf49136528b26337a9d7c382b1dd"],
    },
    "04.pcl5_at_32": {
        "kind": "choice",
        "salt": "1b06c00cce17af11",
        "hint": "Look at the PCL-5 row of the official threshold table: is the comparison "
                "'greater than' or 'at or above'?",
        "hashes": ["318914b693bf0b84a16c72671066cbb5fa6baef47547724cf8146955d3889834",
                   "5d7f4f76b704654ca99aabce6c74c6649a53f9f4d834583215d51c65f9014112"],
    },
}
