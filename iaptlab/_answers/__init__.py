"""Answer store for :func:`iaptlab.exercises.check`: one module per lesson, merged here.

Each ``lesson_NN.py`` defines ``ANSWERS = {question_id: entry}`` (entries made with
``python -m iaptlab.exercises add ...``); question ids start with the lesson number. Keeping one
file per lesson lets lessons be written side by side without touching each other's answers.

>>> all(qid[:2].isdigit() for qid in ANSWERS)
True
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def _collect() -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("lesson_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for question_id, entry in module.ANSWERS.items():
            if question_id in merged:
                raise ValueError(f"question id {question_id!r} is defined twice (again in {info.name})")
            merged[question_id] = entry
    return merged


ANSWERS: dict[str, dict[str, Any]] = _collect()
