"""Lesson 10: judging how an outcome was measured, and designing a fairer evaluation.

The five signalling questions of RoB 2 domain 4, "Bias in measurement of the outcome" (Sterne et
al. 2019, BMJ 366:l4898; wording as on Cochrane's RoB 2 training pages), with the tool's response
options, and a menu of design features for the lesson's design exercise. :func:`rob2_answer`
turns a learner's ``{"4.1": "PN", ...}`` into the one string :func:`iaptlab.exercises.check`
compares, after checking every question is answered with a valid option.

RoB 2 was built for randomised trials; IAPT's routine data and the critic's interview study are
not trials, so the lesson borrows the questions as a structured lens and says so.

>>> rob2_answer({"4.1": "pn", "4.2": "Probably yes", "4.3": "Y", "4.4": "Y", "4.5": "NI"})
'4.1=PN; 4.2=PY; 4.3=Y; 4.4=Y; 4.5=NI'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .errors import ParameterError

#: RoB 2 domain 4 signalling questions (Sterne et al. 2019).
ROB2_DOMAIN4 = {
    "4.1": "Was the method of measuring the outcome inappropriate?",
    "4.2": "Could measurement or ascertainment of the outcome have differed between intervention "
           "groups?",
    "4.3": "Were outcome assessors aware of the intervention received by study participants?",
    "4.4": "Could assessment of the outcome have been influenced by knowledge of intervention "
           "received?",
    "4.5": "Is it likely that assessment of the outcome was influenced by knowledge of "
           "intervention received?",
}

#: The tool's response options.
RESPONSES = {"Y": "yes", "PY": "probably yes", "PN": "probably no", "N": "no",
             "NI": "no information"}

#: Design features for a fair evaluation (ids are what the learner answers with).
DESIGN_OPTIONS = {
    "therapist_administers": "the last questionnaire completed with the therapist present, so "
                             "it is never missing",
    "blind_interview": "outcome = a standardised diagnostic interview by an assessor who does "
                       "not know whether or how the person was treated",
    "comparison_group": "a comparison group, ideally randomised (e.g. treatment now vs later, "
                        "or usual care), assessed in the same way at the same times",
    "finishers_only": "analyse only people who finish a course, because only they received the "
                      "treatment",
    "follow_up": "assessments at fixed times after the end of treatment (e.g. 6 and 12 months),"
                 " not only at the last session",
    "litigants": "recruit people who are in litigation, because their records are complete and "
                 "an expert assesses them anyway",
    "preregistered": "the primary outcome, its threshold and the analysis registered before any"
                     " data are collected",
    "best_outcome_after": "choose, after seeing the data, whichever outcome shows the clearest "
                          "change",
    "meaning_to_users": "say what a change on the primary outcome means to service users, and "
                        "include outcomes they say matter",
    "assessor_knows_history": "an interviewer who knows each person's treatment history, to "
                              "tailor the questions",
    "everyone_counted": "count everyone referred or randomised, including those who drop out or"
                        " are not reached, not only people who finish",
}

_ALIASES = {"yes": "Y", "probablyyes": "PY", "probablyno": "PN", "no": "N",
            "noinformation": "NI"}


def rob2_table() -> pd.DataFrame:
    """The five questions as a table (question id and wording).

    >>> rob2_table()["question"].tolist()
    ['4.1', '4.2', '4.3', '4.4', '4.5']
    """
    return pd.DataFrame({"question": list(ROB2_DOMAIN4), "wording": list(ROB2_DOMAIN4.values())})


def design_table() -> pd.DataFrame:
    """The design options as a table (id and description), for the learner to choose from.

    >>> len(design_table()) == len(DESIGN_OPTIONS)
    True
    """
    return pd.DataFrame({"option": list(DESIGN_OPTIONS), "feature": list(DESIGN_OPTIONS.values())})


def _response(question: str, value: Any) -> str:
    text = "".join(ch for ch in str(value).casefold() if ch.isalnum())
    code = _ALIASES.get(text, text.upper())
    if code not in RESPONSES:
        raise ParameterError(f"answer to {question} is {value!r}; use one of "
                             f"{', '.join(RESPONSES)} ({', '.join(RESPONSES.values())})")
    return code


def rob2_answer(answers: Mapping[str, Any] | Any) -> str | Any:
    """One string for :func:`check` from a dict of the five answers (``...`` passes through).

    Keys are the question ids "4.1" to "4.5"; values are Y, PY, PN, N or NI (or the words, in any
    case). A missing or unknown question, or an unknown answer, raises a ParameterError naming it.

    >>> rob2_answer(...)
    Ellipsis
    >>> rob2_answer({"4.1": "N"})
    Traceback (most recent call last):
    ...
    iaptlab.errors.ParameterError: answer every question; missing: 4.2, 4.3, 4.4, 4.5
    """
    if answers is ... or answers is None:
        return answers
    if not isinstance(answers, Mapping):
        raise ParameterError('give the answers as a dict such as {"4.1": "PN", "4.2": "Y", ...}')
    keys = {str(k).strip(): v for k, v in answers.items()}
    unknown = sorted(set(keys) - set(ROB2_DOMAIN4))
    if unknown:
        raise ParameterError(f"unknown question(s) {', '.join(unknown)}; the questions are "
                             f"{', '.join(ROB2_DOMAIN4)}")
    missing = [q for q in ROB2_DOMAIN4 if q not in keys]
    if missing:
        raise ParameterError(f"answer every question; missing: {', '.join(missing)}")
    return "; ".join(f"{q}={_response(q, keys[q])}" for q in ROB2_DOMAIN4)
