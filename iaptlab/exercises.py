"""Self-check exercises: ``check(question_id, answer)`` gives feedback and a hint, never the answer.

Answers live in :mod:`iaptlab._answers` as plain-data entries, not in plain sight:

* ``choice`` and ``set`` answers are stored as salted SHA-256 hashes of the normalised answer
  (case, spaces and punctuation ignored; a set in any order);
* ``number`` answers are stored as the answer's 8 IEEE-754 bytes XORed with a key derived from the
  entry's salt, written as hex, so ``grep 52.6`` finds nothing.

This deters casual peeking only: anyone who reads this module can decode a number, and a
choice with few options can be brute-forced. It is a study aid, not an exam system.

Authoring (not used at run time): ``make_entry(...)`` or
``python -m iaptlab.exercises add 01.example --number 52.6 --unit percent --tolerance 0.1
--hint "..."`` prints an entry to paste into ``_answers/lesson_NN.py``.

>>> check("00.recovery_claim", "50%").correct
True
>>> print(check("00.recovery_claim", 20))
✗ Not yet — hint: Look for the programme's own recovery standard: the share of people finishing a course of treatment who should recover.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import html
import json
import math
import re
import secrets
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._answers import ANSWERS
from .errors import IaptlabError, ParameterError

KINDS = ("number", "choice", "set")
UNITS = ("plain", "percent")
_REGISTRY: dict[str, dict[str, Any]] = dict(ANSWERS)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class UnknownQuestionError(IaptlabError, LookupError):
    """No question has this id; the message lists the closest ids."""


@dataclass(frozen=True)
class Feedback:
    """The result of one check: ``correct`` plus a message; shows as ✓/✗ text in a notebook.

    >>> Feedback("q", True, "").text
    '✓ Correct'
    >>> bool(Feedback("q", False, "hint: look again"))
    False
    """

    question_id: str
    correct: bool
    message: str

    @property
    def text(self) -> str:
        head = "✓ Correct" if self.correct else "✗ Not yet"
        return f"{head} — {self.message}" if self.message else head

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.correct else "#D55E00"  # Okabe–Ito; the ✓/✗ word carries it too
        return (f'<div role="status" style="border-left:4px solid {colour};padding:2px 8px">'
                f"<strong>{html.escape(self.text)}</strong></div>")


# ---------------------------------------------------------------- normalising and encoding


def normalise_choice(answer: object) -> str:
    """Lower-case, letters and digits only: " PHQ-9 " and "phq9" are the same choice.

    >>> normalise_choice(" (A) PHQ-9 ")
    'aphq9'
    """
    return "".join(ch for ch in str(answer).casefold() if ch.isalnum())


def normalise_set(answer: object) -> str:
    """A canonical string for a collection of ids: normalised, de-duplicated, sorted.

    Accepts a list/tuple/set or a string separated by commas, semicolons or whitespace.

    >>> normalise_set("b, A ,a") == normalise_set(["a", "B"])
    True
    """
    items = re.split(r"[,;\s]+", answer) if isinstance(answer, str) else list(answer)  # type: ignore[call-overload]
    return "|".join(sorted({normalise_choice(i) for i in items} - {""}))


def _digest(salt: str, question_id: str, normalised: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{question_id}\x1f{normalised}".encode()).hexdigest()


def _key(salt: str, question_id: str) -> bytes:
    return hashlib.sha256(f"number\x1f{salt}\x1f{question_id}".encode()).digest()[:8]


def _encode_number(value: float, salt: str, question_id: str) -> str:
    raw = struct.pack(">d", float(value))
    return bytes(a ^ b for a, b in zip(raw, _key(salt, question_id), strict=True)).hex()


def _decode_number(secret: str, salt: str, question_id: str) -> float:
    raw = bytes(a ^ b for a, b in zip(bytes.fromhex(secret), _key(salt, question_id), strict=True))
    return struct.unpack(">d", raw)[0]


def parse_number(answer: object, unit: str = "plain") -> list[float]:
    """Every reading of ``answer`` as a number in ``unit``; empty if it is not a number.

    For ``unit="percent"``: "52.6%" and 52.6 read as 52.6; a bare number from 0 to 1 may also be
    a proportion, so 0.526 reads as 0.526 or 52.6. Commas in "1,234" are thousands separators.

    >>> parse_number("52.6%", "percent"), parse_number(0.526, "percent")
    ([52.6], [0.526, 52.6])
    """
    if isinstance(answer, bool) or answer is None or answer is Ellipsis:
        return []
    text = str(answer).strip().replace(",", "").replace(" ", "")
    is_percent = text.endswith("%")
    text = text.removesuffix("%")
    if not _NUMBER.match(text):
        return []
    value = float(text)
    if not math.isfinite(value) or (is_percent and unit != "percent"):
        return []
    if unit == "percent" and not is_percent and 0 <= value <= 1:
        return [value, value * 100]
    return [value]


# ---------------------------------------------------------------- authoring (dev only)


def make_entry(question_id: str, answer: object, *, kind: str, hint: str, unit: str = "plain",
               tolerance: float = 0.0, also_accept: Iterable[object] = (),
               salt: str | None = None) -> dict[str, Any]:
    """Build an ``_answers.py`` entry from a plaintext answer (an authoring tool, not run time).

    >>> e = make_entry("x.demo", 3, kind="number", hint="count them", salt="00")
    >>> sorted(e)
    ['hint', 'kind', 'salt', 'secret', 'tolerance', 'unit']
    """
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {KINDS}, got {kind!r}")
    if unit not in UNITS:
        raise ParameterError(f"unit must be one of {UNITS}, got {unit!r}")
    if tolerance < 0:
        raise ParameterError(f"tolerance must be >= 0, got {tolerance}")
    if not hint.strip():
        raise ParameterError("hint must not be empty: a wrong answer always gets a hint")
    salt = salt or secrets.token_hex(8)
    entry: dict[str, Any] = {"kind": kind, "salt": salt, "hint": hint}
    if kind == "number":
        values = parse_number(answer, unit)
        if not values:
            raise ParameterError(f"answer {answer!r} is not a number")
        entry |= {"secret": _encode_number(values[-1], salt, question_id), "unit": unit,
                  "tolerance": float(tolerance)}
    else:
        norm = normalise_choice if kind == "choice" else normalise_set
        accepted = [norm(a) for a in (answer, *also_accept)]
        if "" in accepted:
            raise ParameterError("an accepted answer is empty after normalising")
        entry["hashes"] = sorted({_digest(salt, question_id, a) for a in accepted})
    return entry


def register(question_id: str, entry: Mapping[str, Any], *, replace: bool = False) -> None:
    """Add a question at run time (e.g. an instructor's own); lessons ship theirs in _answers.py.

    >>> register("x.doc", make_entry("x.doc", "yes", kind="choice", hint="h", salt="1"),
    ...          replace=True)
    >>> check("x.doc", " YES ").correct
    True
    """
    if question_id in _REGISTRY and not replace:
        raise ParameterError(f"question {question_id!r} already exists; pass replace=True")
    if entry.get("kind") not in KINDS:
        raise ParameterError(f"entry kind must be one of {KINDS}, got {entry.get('kind')!r}")
    _REGISTRY[question_id] = dict(entry)


def question_ids() -> list[str]:
    """All registered question ids, sorted.

    >>> "00.recovery_claim" in question_ids()
    True
    """
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- checking


def _entry(question_id: str) -> dict[str, Any]:
    try:
        return _REGISTRY[question_id]
    except KeyError:
        close = difflib.get_close_matches(str(question_id), _REGISTRY, n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownQuestionError(f"no question {question_id!r}{hint} "
                                   f"(known ids: iaptlab.exercises.question_ids())") from None


def _is_blank(answer: object) -> bool:
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, float) and math.isnan(answer):
        return True
    return isinstance(answer, str) and not answer.strip()


def check(question_id: str, answer: object) -> Feedback:
    """Check ``answer`` to ``question_id``; a wrong or unreadable answer gets the question's hint.

    Numbers count as correct within the question's tolerance (inclusive at both edges);
    percentages may be given as "52.6%", 52.6 or 0.526 where the question's unit is percent.

    >>> check("00.interview_claim", "10 %").correct, check("00.interview_claim", 0.10).correct
    (True, True)
    """
    entry = _entry(question_id)
    hint = f"hint: {entry['hint']}"
    if _is_blank(answer):
        return Feedback(question_id, False, f"no answer yet; replace the ... with yours ({hint})")
    if entry["kind"] == "number":
        unit = entry.get("unit", "plain")
        readings = parse_number(answer, unit)
        if not readings:
            wanted = "a number (a percentage is fine)" if unit == "percent" else "a plain number"
            return Feedback(question_id, False, f"could not read {answer!r} as {wanted} ({hint})")
        target = _decode_number(entry["secret"], entry["salt"], question_id)
        allowed = entry.get("tolerance", 0.0) + 1e-9 * max(1.0, abs(target))  # float slack only
        correct = any(abs(value - target) <= allowed for value in readings)
    else:
        norm = normalise_choice if entry["kind"] == "choice" else normalise_set
        if not isinstance(answer, str | int | float) and entry["kind"] == "choice":
            return Feedback(question_id, False, f"give one option as text ({hint})")
        correct = _digest(entry["salt"], question_id, norm(answer)) in entry["hashes"]
    return Feedback(question_id, correct, "" if correct else hint)


# ---------------------------------------------------------------- command line (authoring)


def main(argv: list[str] | None = None) -> int:
    """``python -m iaptlab.exercises add ID (--number X | --choice A | --set A,B) --hint H``.

    >>> main(["add", "x.cli", "--number", "3", "--hint", "count", "--salt", "ab"])  # doctest: +ELLIPSIS
    "x.cli": {...},
    0
    """
    parser = argparse.ArgumentParser(prog="python -m iaptlab.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="print an _answers.py entry for a plaintext answer")
    add.add_argument("question_id")
    given = add.add_mutually_exclusive_group(required=True)
    given.add_argument("--number")
    given.add_argument("--choice")
    given.add_argument("--set", dest="set_")
    add.add_argument("--also-accept", action="append", default=[])
    add.add_argument("--unit", default="plain", choices=UNITS)
    add.add_argument("--tolerance", type=float, default=0.0)
    add.add_argument("--hint", required=True)
    add.add_argument("--salt")
    args = parser.parse_args(argv)
    kind, answer = next((k, v) for k, v in (("number", args.number), ("choice", args.choice),
                                            ("set", args.set_)) if v is not None)
    entry = make_entry(args.question_id, answer, kind=kind, hint=args.hint, unit=args.unit,
                       tolerance=args.tolerance, also_accept=args.also_accept, salt=args.salt)
    print(f"{json.dumps(args.question_id)}: {json.dumps(entry, ensure_ascii=False)},")
    return 0


if __name__ == "__main__":
    sys.exit(main())
