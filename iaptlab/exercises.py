"""Self-check exercises: ``check(question_id, answer)`` teaches, and never gives the answer away.

Answers live in :mod:`iaptlab._answers` as plain-data entries (one per question), not in sight:

* ``choice``, ``set``, ``year``, ``yesno`` and ``items`` answers are salted SHA-256 hashes of the
  normalised answer (case, spaces and punctuation ignored; a set in any order);
* ``number`` answers are the answer's 8 IEEE-754 bytes XORed with a key derived from the entry's
  salt, written as hex, so ``grep 52.97`` finds nothing. Known wrong answers are stored the same way.

This deters casual peeking only: anyone who reads this module can decode a number, and a
choice with few options can be brute-forced. It is a study aid, not an exam system.

**Precision.** Every number question states the precision it asks for (``decimals`` or ``sig``)
and is judged at it: an answer is correct when it lies within *half a unit of the last digit
asked for* of the true, unrounded value (edges included). So with 2 decimals the correctly
rounded value always passes (52.97 for 52.9703), a more precise value passes, and a value given
to fewer digits (53, 52.9) does not: it gets a message asking for the stated precision.
:func:`precision_text` words the precision; the hint and the notebook's prompt use the same words.

**Known wrong answers** (``wrong``) are checked first: each names the misconception it reveals.
A percentage given as a proportion (0.53 for 53 %) is never correct and is told so.

**Progress.** Every check is recorded for this kernel session; :func:`progress` shows a lesson's
questions as ✓ or "not yet" (never the answers).

Authoring (not used at run time): :func:`make_entry` or ``python -m iaptlab.exercises add ...``
prints an entry to paste into ``_answers/lesson_NN.py``.

>>> check("02.denominator_m192", "52.97%").correct
True
>>> print(check("02.denominator_m192", 0.5297))  # doctest: +ELLIPSIS
✗ Not yet — 0.5297 is a proportion: this question asks for a percentage (× 100)...
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import html
import json
import math
import numbers
import re
import secrets
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._answers import ANSWERS
from .errors import IaptlabError, ParameterError

__all__ = ["KINDS", "UNITS", "Feedback", "Progress", "UnknownQuestionError", "check",
           "make_entry", "normalise_choice", "normalise_set", "parse_number", "precision_text",
           "progress", "question_entry", "question_ids", "register", "reset_progress", "main"]

KINDS = ("number", "choice", "set", "year", "yesno", "items")
UNITS = ("plain", "percent", "points", "pounds")
_REGISTRY: dict[str, dict[str, Any]] = dict(ANSWERS)
_PROGRESS: dict[str, bool] = {}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_MINUS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"
_YEAR = re.compile(r"^(\d{4})\s*(?:[-/\u2010-\u2015]|to)\s*(\d{2}|\d{4})$")
_YES = {"y", "yes", "true", "t", "1"}
_NO = {"n", "no", "false", "f", "0"}


class UnknownQuestionError(IaptlabError, LookupError):
    """No question has this id; the message lists the closest ids."""


@dataclass(frozen=True)
class Feedback:
    """The result of one check: ``correct``, a message, and why (``reason``); shows as ✓/✗ text.

    ``reason`` is one of "correct", "unanswered", "unreadable", "misconception", "proportion",
    "precision", "not_an_option" or "wrong".

    >>> Feedback("q", True, "").text
    '✓ Correct'
    >>> bool(Feedback("q", False, "hint: look again"))
    False
    """

    question_id: str
    correct: bool
    message: str
    reason: str = ""

    @property
    def text(self) -> str:
        if self.correct:
            head = "✓ Correct"
        else:
            head = "○ Not answered yet" if self.reason == "unanswered" else "✗ Not yet"
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
    return "|".join(sorted(set(_set_items(answer)) - {""}))


def _set_items(answer: object) -> list[str]:
    items = re.split(r"[,;\s]+", answer) if isinstance(answer, str) else list(answer)  # type: ignore[call-overload]
    return [normalise_choice(i) for i in items]


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


@dataclass(frozen=True)
class _Reading:
    value: float
    decimals: int | None  # digits after the point as given; None if unknown (exponent)
    percent_sign: bool
    pound_sign: bool


def _decimals_of_float(value: float) -> int | None:
    text = repr(float(value))
    if "e" in text or "E" in text:
        return None
    fraction = text.partition(".")[2].rstrip("0")
    return len(fraction)


def _read_number(answer: object) -> _Reading | str:
    """A reading of ``answer`` as a number, or a sentence saying why it cannot be read."""
    if isinstance(answer, bool) or not isinstance(answer, str | numbers.Real):
        if isinstance(answer, Iterable):
            return "give one number, not a list or a table"
        return "give a number"
    if isinstance(answer, numbers.Real):
        value = float(answer)
        if not math.isfinite(value):
            return "give a finite number"
        decimals = 0 if isinstance(answer, numbers.Integral) else _decimals_of_float(value)
        return _Reading(value, decimals, False, False)
    text = answer.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if text[:1] in _MINUS:
        text = "-" + text[1:]
    percent = text.endswith(("%", "pp"))  # "8.6 pp": percentage points
    text = text.removesuffix("%").removesuffix("pp").rstrip()
    pound = text.startswith(("£", "-£"))
    text = text.replace("£", "", 1)
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif "," in text:
        return "write decimals with a point, and commas only between groups of three digits (1,234.5)"
    if not _NUMBER.match(text):
        return "give a number"
    mantissa, _, exponent = text.lower().partition("e")
    decimals = None if exponent else len(mantissa.partition(".")[2])
    value = float(text)
    if not math.isfinite(value):
        return "give a finite number"
    return _Reading(value, decimals, percent, pound)


def parse_number(answer: object, unit: str = "plain") -> list[float]:
    """The number ``answer`` stands for in ``unit``; empty if it cannot be read as one.

    Accepts numbers and text such as "52.97", "52.97%", "52.97 %", "−2.3" (a Unicode minus),
    "1,234.5" (commas only between groups of three digits) and "£1,757" (unit ``pounds``). A "%"
    sign is only read for ``percent`` and ``points``; a proportion is *not* turned into a
    percentage (``check`` says so instead).

    >>> parse_number("52.97 %", "percent"), parse_number("\u22122.3"), parse_number("2,345")
    ([52.97], [-2.3], [2345.0])
    >>> parse_number("52,97"), parse_number("5%", "plain")
    ([], [])
    """
    reading = _read_number(answer)
    if isinstance(reading, str) or _unit_problem(reading, unit):
        return []
    return [reading.value]


def _unit_problem(reading: _Reading, unit: str) -> str:
    if reading.percent_sign and unit not in ("percent", "points"):
        return "this question does not ask for a percentage: leave out the % sign"
    if reading.pound_sign and unit != "pounds":
        return "this question does not ask for an amount of money: leave out the £ sign"
    return ""


def precision_text(question_id: str) -> str:
    """The precision a number question asks for, in words (the notebook prompt uses the same).

    >>> precision_text("02.denominator_m192")
    'as a percentage to 2 decimal places'
    >>> precision_text("08.caseness_needs_more")
    'as a whole number'
    """
    entry = _entry(question_id)
    if entry["kind"] != "number":
        return ""
    return _precision_words(entry.get("unit", "plain"), entry.get("decimals"), entry.get("sig"))


def _precision_words(unit: str, decimals: int | None, sig: int | None) -> str:
    if sig is not None:
        digits = f"to {sig} significant figure{'s' if sig != 1 else ''}"
    elif decimals == 0:
        digits = "to the nearest pound" if unit == "pounds" else "to the nearest whole number"
    else:
        digits = f"to {decimals} decimal place{'s' if decimals != 1 else ''}"
    prefix = {"percent": "as a percentage ", "points": "in percentage points ",
              "pounds": "in pounds "}.get(unit, "")
    if unit == "plain" and decimals == 0:
        return "as a whole number"
    return prefix + digits


def _half_unit(value: float, decimals: int | None, sig: int | None) -> float:
    """Half a unit in the last digit asked for, around ``value``."""
    if sig is not None:
        exponent = math.floor(math.log10(abs(value))) if value else 0
        return 0.5 * 10.0 ** (exponent - sig + 1)
    return 0.5 * 10.0 ** -(decimals or 0)


def _close(x: float, target: float, decimals: int | None, sig: int | None) -> bool:
    slack = 1e-9 * max(1.0, abs(target))  # floating-point noise only
    return abs(x - target) <= _half_unit(target, decimals, sig) + slack


# ---------------------------------------------------------------- options and canonical answers


def _option_lookup(entry: Mapping[str, Any]) -> dict[str, str]:
    """normalised label or alias -> normalised label."""
    lookup: dict[str, str] = {}
    for label, aliases in (entry.get("options") or {}).items():
        for name in (label, *aliases):
            lookup[normalise_choice(name)] = normalise_choice(label)
    return lookup


def _options_text(entry: Mapping[str, Any]) -> str:
    return ", ".join(f'"{label}"' for label in entry.get("options") or {})


def _canonical_year(answer: object) -> str | None:
    text = str(answer).strip()
    match = _YEAR.match(text)
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if (second != first + 1) if second >= 1000 else (second != (first + 1) % 100):
        return None
    return f"{first}-{(first + 1) % 100:02d}"


def _canonical_yesno(answer: object) -> str | None:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    norm = normalise_choice(answer)
    return "yes" if norm in _YES else "no" if norm in _NO else None


_RESPONSE_WORDS = {"yes": "y", "probablyyes": "py", "probablyno": "pn", "no": "n",
                   "noinformation": "ni"}


def _parse_items(answer: object) -> dict[str, str] | None:
    if isinstance(answer, Mapping):
        pairs = answer.items()
    elif isinstance(answer, str):
        pairs = [part.partition("=")[::2] for part in answer.split(";") if part.strip()]
        if any(not value for _, value in pairs):
            return None
    else:
        return None
    items: dict[str, str] = {}
    for key, value in pairs:
        norm = normalise_choice(value)
        items[str(key).strip()] = _RESPONSE_WORDS.get(norm, norm)
    return items


# ---------------------------------------------------------------- authoring (dev only)


def make_entry(question_id: str, answer: object, *, kind: str, hint: str, unit: str = "plain",
               decimals: int | None = None, sig: int | None = None,
               also_accept: Iterable[object] = (),
               wrong: Mapping[Any, str] | Iterable[tuple[Any, str]] = (),
               options: Mapping[str, Iterable[str]] | Iterable[str] | None = None,
               salt: str | None = None) -> dict[str, Any]:
    """Build an ``_answers`` entry from a plaintext answer (an authoring tool, not run time).

    ``wrong`` maps known wrong answers to the misconception each reveals. A number question
    needs ``decimals`` or ``sig``; a wrong number must differ from every accepted one at that
    precision. ``options`` (choice and set) maps each label to its aliases (or lists labels);
    ``items`` takes ``answer={item: [accepted codes]}`` and ``wrong={(item, code): message}``.

    >>> e = make_entry("x.demo", 3, kind="number", hint="count them", decimals=0, salt="00",
    ...                wrong={4: "you counted the header"})
    >>> sorted(e), len(e["wrong"])
    (['also', 'decimals', 'hint', 'kind', 'salt', 'secret', 'unit', 'wrong'], 1)
    """
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {KINDS}, got {kind!r}")
    if unit not in UNITS:
        raise ParameterError(f"unit must be one of {UNITS}, got {unit!r}")
    if not hint.strip():
        raise ParameterError("hint must not be empty: a wrong answer always gets a hint")
    salt = salt or secrets.token_hex(8)
    entry: dict[str, Any] = {"kind": kind, "salt": salt, "hint": hint}
    wrong_pairs = list(wrong.items()) if isinstance(wrong, Mapping) else list(wrong)
    if options is not None:
        entry["options"] = ({str(k): [str(a) for a in v] for k, v in options.items()}
                            if isinstance(options, Mapping) else {str(k): [] for k in options})
    if kind == "number":
        _make_number(entry, question_id, answer, unit, decimals, sig, also_accept, wrong_pairs)
    elif kind == "items":
        _make_items(entry, question_id, answer, wrong_pairs)
    else:
        canon = _canonical_for(entry, kind)
        accepted = [canon(a) for a in (answer, *also_accept)]
        if None in accepted or "" in accepted:
            raise ParameterError(f"an accepted answer of {question_id} is not a valid {kind} answer")
        entry["hashes"] = sorted({_digest(salt, question_id, a) for a in accepted})
        wrongs = []
        for value, message in wrong_pairs:
            norm = canon(value)
            if norm is None or norm in accepted:
                raise ParameterError(f"known wrong answer {value!r} of {question_id} is invalid "
                                     "or also accepted")
            wrongs.append({"hash": _digest(salt, f"{question_id}\x1fwrong", norm), "message": message})
        if wrongs:
            entry["wrong"] = wrongs
    return entry


def _make_number(entry: dict[str, Any], question_id: str, answer: object, unit: str,
                 decimals: int | None, sig: int | None, also_accept: Iterable[object],
                 wrong_pairs: list[tuple[Any, str]]) -> None:
    if (decimals is None) == (sig is None):
        raise ParameterError(f"{question_id}: give exactly one of decimals= or sig=")
    if (decimals is not None and decimals < 0) or (sig is not None and sig < 1):
        raise ParameterError(f"{question_id}: decimals must be >= 0 and sig >= 1")
    values = []
    for given in (answer, *also_accept):
        reading = _read_number(given)
        if isinstance(reading, str):
            raise ParameterError(f"answer {given!r} is not a number")
        values.append(reading.value)
    salt = entry["salt"]
    entry |= {"secret": _encode_number(values[0], salt, question_id), "unit": unit,
              "also": [_encode_number(v, salt, question_id) for v in values[1:]]}
    entry |= {"decimals": decimals} if decimals is not None else {"sig": sig}
    wrongs = []
    for value, message in wrong_pairs:
        reading = _read_number(value)
        if isinstance(reading, str):
            raise ParameterError(f"known wrong answer {value!r} is not a number")
        for right in values:  # must be told apart at the stated precision
            if abs(reading.value - right) < (_half_unit(right, decimals, sig)
                                             + _half_unit(reading.value, decimals, sig)):
                raise ParameterError(f"{question_id}: known wrong answer {value!r} cannot be told "
                                     "apart from an accepted answer at the stated precision")
        wrongs.append({"secret": _encode_number(reading.value, salt, question_id + "\x1fwrong"),
                       "message": message})
    if wrongs:
        entry["wrong"] = wrongs


def _make_items(entry: dict[str, Any], question_id: str, answer: object,
                wrong_pairs: list[tuple[Any, str]]) -> None:
    if not isinstance(answer, Mapping) or "options" not in entry:
        raise ParameterError(f"{question_id}: items need answer={{item: [codes]}} and options=")
    lookup = _option_lookup(entry)
    salt = entry["salt"]
    items: dict[str, list[str]] = {}
    for item, codes in answer.items():
        norms = [lookup.get(normalise_choice(c)) for c in codes]
        if None in norms:
            raise ParameterError(f"{question_id}: item {item} accepts a code not among the options")
        items[str(item)] = sorted({_digest(salt, f"{question_id}/{item}", n) for n in norms})
    entry["items"] = items
    wrongs = []
    for (item, code), message in wrong_pairs:
        norm = lookup.get(normalise_choice(code))
        if item not in items or norm is None:
            raise ParameterError(f"{question_id}: known wrong answer {item}={code} is invalid")
        if _digest(salt, f"{question_id}/{item}", norm) in items[item]:
            raise ParameterError(f"{question_id}: known wrong answer {item}={code} is also accepted")
        wrongs.append({"item": item, "hash": _digest(salt, f"{question_id}/{item}\x1fwrong", norm),
                       "message": message})
    if wrongs:
        entry["wrong"] = wrongs


def _canonical_for(entry: Mapping[str, Any], kind: str):  # noqa: ANN202 - a small dispatcher
    lookup = _option_lookup(entry)

    def choice(answer: object) -> str | None:
        norm = normalise_choice(answer)
        return lookup.get(norm) if lookup else (norm or None)

    def set_(answer: object) -> str | None:
        if isinstance(answer, str | Iterable) and not isinstance(answer, Mapping):
            items = _set_items(answer)
        else:
            return None
        if lookup:
            if any(i not in lookup for i in items if i):
                return None
            items = [lookup[i] for i in items if i]
        return "|".join(sorted(set(items) - {""}))

    return {"choice": choice, "set": set_, "year": _canonical_year,
            "yesno": _canonical_yesno}[kind]


def register(question_id: str, entry: Mapping[str, Any], *, replace: bool = False) -> None:
    """Add a question at run time (e.g. an instructor's own); lessons ship theirs in _answers.

    >>> register("x.doc", make_entry("x.doc", "yes", kind="yesno", hint="h", salt="1"),
    ...          replace=True)
    >>> check("x.doc", " Y ").correct
    True
    """
    if question_id in _REGISTRY and not replace:
        raise ParameterError(f"question {question_id!r} already exists; pass replace=True")
    if entry.get("kind") not in KINDS:
        raise ParameterError(f"entry kind must be one of {KINDS}, got {entry.get('kind')!r}")
    _REGISTRY[question_id] = dict(entry)


def question_ids(lesson: str | None = None) -> list[str]:
    """Registered question ids, in authoring order (one lesson's if ``lesson`` is given).

    >>> question_ids("00")[0]
    '00.half_of_referrals'
    """
    return [q for q in _REGISTRY if lesson is None or q.split(".")[0] == str(lesson)]


def question_entry(question_id: str) -> dict[str, Any]:
    """A copy of the stored (hashed, obfuscated) entry: what the offline site's checker needs.

    >>> sorted(question_entry("01.band_choice"))[:3]
    ['hashes', 'hint', 'kind']
    """
    return json.loads(json.dumps(_entry(question_id)))


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
    if answer is None or answer is Ellipsis or type(answer).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(answer, float) and math.isnan(answer):
        return True
    if isinstance(answer, str | list | tuple | set | frozenset | dict):
        return not (answer.strip() if isinstance(answer, str) else answer)
    return False


def _hint(entry: Mapping[str, Any], question_id: str) -> str:
    words = precision_text(question_id)
    return f"hint: {entry['hint']}" + (f" Give it {words}." if words else "")


def check(question_id: str, answer: object) -> Feedback:
    """Check ``answer`` to ``question_id``: ✓, or a message that teaches, plus the hint.

    Blank answers (``...``, None, "") say "not answered yet" and never raise, so Run All goes on.
    Numbers are judged at the precision the question states (see the module docstring).

    >>> check("02.denominator_m192", "52.97 %").correct, check("02.denominator_m192", 53).reason
    (True, 'precision')
    >>> print(check("02.denominator_m192", ...))  # doctest: +ELLIPSIS
    ○ Not answered yet — replace the ... in the answer cell with your answer, run it, then run this check again (hint: ...)
    """
    entry = _entry(question_id)
    feedback = _judge(question_id, entry, answer)
    _PROGRESS[question_id] = feedback.correct
    return feedback


def _judge(question_id: str, entry: Mapping[str, Any], answer: object) -> Feedback:
    hint = _hint(entry, question_id)
    if _is_blank(answer):
        return Feedback(question_id, False, "replace the ... in the answer cell with your answer, "
                        f"run it, then run this check again ({hint})", "unanswered")
    kind = entry["kind"]
    if kind == "number":
        correct, message, reason = _judge_number(question_id, entry, answer)
    elif kind == "items":
        correct, message, reason = _judge_items(question_id, entry, answer)
    else:
        correct, message, reason = _judge_hashed(question_id, entry, answer)
    if correct:
        return Feedback(question_id, True, "", "correct")
    return Feedback(question_id, False, f"{message} ({hint})" if message else hint, reason)


def _known_wrong_number(question_id: str, entry: Mapping[str, Any], x: float) -> str:
    for wrong in entry.get("wrong", ()):
        value = _decode_number(wrong["secret"], entry["salt"], question_id + "\x1fwrong")
        if _close(x, value, entry.get("decimals"), entry.get("sig")):
            return wrong["message"]
    return ""


def _judge_number(question_id: str, entry: Mapping[str, Any], answer: object
                  ) -> tuple[bool, str, str]:
    unit, decimals, sig = entry.get("unit", "plain"), entry.get("decimals"), entry.get("sig")
    reading = _read_number(answer)
    if isinstance(reading, str):
        return False, f"could not read {answer!r}: {reading}", "unreadable"
    problem = _unit_problem(reading, unit)
    if problem:
        return False, problem, "unreadable"
    x = reading.value
    salt = entry["salt"]
    targets = [_decode_number(s, salt, question_id) for s in (entry["secret"], *entry.get("also", ()))]
    misconception = _known_wrong_number(question_id, entry, x)
    if misconception:
        return False, misconception, "misconception"
    if any(_close(x, t, decimals, sig) for t in targets):
        return True, "", "correct"
    if unit in ("percent", "points") and not reading.percent_sign and abs(x) <= 1 and x:
        if (abs(x) < 1 and all(abs(t) > 1 for t in targets)) or any(
                _close(100 * x, t, decimals, sig) for t in targets):
            also = _known_wrong_number(question_id, entry, 100 * x)
            word = "percentage points" if unit == "points" else "a percentage"
            message = f"{x:g} is a proportion: this question asks for {word} (× 100)"
            return False, f"{message}; and {also}" if also else message, "proportion"
    given = reading.decimals
    if sig is None and given is not None and decimals is not None and given < decimals and any(
            abs(x - t) <= 0.5 * 10.0 ** -given + 1e-9 * max(1.0, abs(t)) for t in targets):
        return False, (f"{_format_given(answer)} is too coarse: this question asks for the value "
                       f"{_precision_words(unit, decimals, sig)}, and at fewer digits a right and a "
                       "wrong method can give the same number"), "precision"
    return False, "", "wrong"


def _format_given(answer: object) -> str:
    return repr(answer) if isinstance(answer, str) else f"{answer}"


def _judge_hashed(question_id: str, entry: Mapping[str, Any], answer: object
                  ) -> tuple[bool, str, str]:
    kind = entry["kind"]
    if kind == "choice" and not isinstance(answer, str | numbers.Real):
        return False, "give one option as text", "unreadable"
    norm = _canonical_for(entry, kind)(answer)
    if norm is None:
        if kind == "year":
            return False, (f"could not read {answer!r} as a financial year: give it like "
                           '"2013-14" (two consecutive years)'), "unreadable"
        if kind == "yesno":
            return False, 'answer "yes" or "no" ("y" and "n" work too)', "unreadable"
        given = _format_given(answer)
        if kind == "set" and isinstance(answer, str | Iterable) and not isinstance(answer, Mapping):
            lookup = _option_lookup(entry)
            unknown = [str(i) for i in (re.split(r"[,;\s]+", answer) if isinstance(answer, str)
                                        else answer) if normalise_choice(i) not in lookup]
            given = ", ".join(repr(i) for i in unknown) or given
        return False, f"{given}: not among the options {_options_text(entry)}", "not_an_option"
    if _digest(entry["salt"], question_id, norm) in entry["hashes"]:
        return True, "", "correct"
    wrong_hash = _digest(entry["salt"], f"{question_id}\x1fwrong", norm)
    for wrong in entry.get("wrong", ()):
        if wrong["hash"] == wrong_hash:
            return False, wrong["message"], "misconception"
    return False, "", "wrong"


def _judge_items(question_id: str, entry: Mapping[str, Any], answer: object
                 ) -> tuple[bool, str, str]:
    items = _parse_items(answer)
    expected = list(entry["items"])
    if items is None:
        return False, 'give a dict such as {"4.1": "N", ...}', "unreadable"
    missing = [i for i in expected if i not in items]
    extra = [i for i in items if i not in expected]
    if missing or extra:
        parts = ([f"answer every item (missing {', '.join(missing)})"] if missing else []) + (
            [f"there is no item {', '.join(extra)}"] if extra else [])
        return False, "; ".join(parts), "unreadable"
    lookup = _option_lookup(entry)
    bad = [i for i in expected if items[i] not in lookup]
    if bad:
        return False, (f"item {', '.join(bad)}: not among the options {_options_text(entry)}"), \
            "not_an_option"
    salt = entry["salt"]
    not_yet = [i for i in expected
               if _digest(salt, f"{question_id}/{i}", lookup[items[i]]) not in entry["items"][i]]
    if not not_yet:
        return True, "", "correct"
    notes = []
    for i in not_yet:
        wrong_hash = _digest(salt, f"{question_id}/{i}\x1fwrong", lookup[items[i]])
        notes += [f"{i}: {w['message']}" for w in entry.get("wrong", ())
                  if w["item"] == i and w["hash"] == wrong_hash]
    head = f"{len(expected) - len(not_yet)} of {len(expected)} items are defensible; look again at " \
           f"{', '.join(not_yet)}"
    return False, "; ".join([head, *notes]), "misconception" if notes else "wrong"


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    """One lesson's questions as ✓ (checked correct this session) or "not yet"; no answers.

    >>> reset_progress(); _ = check("00.half_of_referrals", 693000)
    >>> print(progress("00"))  # doctest: +ELLIPSIS
    Lesson 00: 1 of 5 answered correctly
      ✓ 00.half_of_referrals
      · 00.denominators_9_2: not yet
    ...
    """

    lesson: str
    rows: tuple[tuple[str, bool], ...]

    @property
    def done(self) -> int:
        return sum(ok for _, ok in self.rows)

    def __str__(self) -> str:
        lines = [f"Lesson {self.lesson}: {self.done} of {len(self.rows)} answered correctly"]
        lines += [f"  ✓ {q}" if ok else f"  · {q}: not yet" for q, ok in self.rows]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(q)}</td><td>{'✓' if ok else 'not yet'}</td></tr>"
                       for q, ok in self.rows)
        return (f"<p><strong>Lesson {html.escape(self.lesson)}: {self.done} of {len(self.rows)} "
                f"answered correctly</strong> (this session)</p><table><thead><tr><th>question</th>"
                f"<th>status</th></tr></thead><tbody>{rows}</tbody></table>")


def progress(lesson: str) -> Progress:
    """The lesson's questions, ✓ where ``check`` last judged the answer correct in this session.

    >>> progress("99").rows
    ()
    """
    lesson = str(lesson).zfill(2)
    return Progress(lesson, tuple((q, _PROGRESS.get(q, False)) for q in question_ids(lesson)))


def reset_progress() -> None:
    """Forget every recorded check (a fresh session).

    >>> reset_progress(); progress("00").done
    0
    """
    _PROGRESS.clear()


# ---------------------------------------------------------------- command line (authoring)


def main(argv: list[str] | None = None) -> int:
    """``python -m iaptlab.exercises add ID (--number X --decimals D | --choice A | ...) --hint H``.

    >>> main(["add", "x.cli", "--number", "3", "--decimals", "0", "--hint", "count",
    ...       "--salt", "ab", "--wrong", "4=counted the header"])  # doctest: +ELLIPSIS
    "x.cli": {...},
    0
    """
    parser = argparse.ArgumentParser(prog="python -m iaptlab.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="print an _answers entry for a plaintext answer")
    add.add_argument("question_id")
    given = add.add_mutually_exclusive_group(required=True)
    for kind in ("number", "choice", "set", "year", "yesno"):
        given.add_argument(f"--{kind}", dest=kind)
    add.add_argument("--also-accept", action="append", default=[])
    add.add_argument("--option", action="append", help="an option label (choice and set)")
    add.add_argument("--wrong", action="append", default=[], metavar="VALUE=MESSAGE")
    add.add_argument("--unit", default="plain", choices=UNITS)
    add.add_argument("--decimals", type=int)
    add.add_argument("--sig", type=int)
    add.add_argument("--hint", required=True)
    add.add_argument("--salt")
    args = parser.parse_args(argv)
    kind, answer = next((k, getattr(args, k)) for k in ("number", "choice", "set", "year", "yesno")
                        if getattr(args, k) is not None)
    wrong = [tuple(w.split("=", 1)) for w in args.wrong]
    entry = make_entry(args.question_id, answer, kind=kind, hint=args.hint, unit=args.unit,
                       decimals=args.decimals, sig=args.sig, also_accept=args.also_accept,
                       wrong=wrong, options=args.option, salt=args.salt)
    print(f"{json.dumps(args.question_id)}: {json.dumps(entry, ensure_ascii=False)},")
    return 0


if __name__ == "__main__":
    sys.exit(main())
