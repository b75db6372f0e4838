"""One label table and one set of number formats, used by lessons, explorers, CLI, charts and report.

Labels: :data:`OUTCOME_LABELS` names each outcome flag in a few words (a chart axis, a
sentence), :data:`OUTCOME_MEANINGS` says what it means in full (a table's "meaning" column),
:data:`FUNNEL_STAGE_LABELS` names each stage of :func:`iaptlab.outcomes.funnel`.

Numbers: :func:`percent_text` (a rate as a percentage), :func:`count_text` (thousands
separators), :func:`fraction_text` (numerator/denominator and the percentage), :func:`points_text` (a change in percentage
points). A rate with no one
in its denominator (NaN, ``None``) is always worded :data:`EMPTY_DENOMINATOR`, never ``n/a``,
``nan%`` or a dash. Rounding is Python's own (the nearest value; an exact half goes to the even
digit, as in numpy), and a value that rounds to zero never shows a minus sign.

This module imports nothing heavier than :mod:`iaptlab.errors`, so every layer can use it.

>>> percent_text(0.506), count_text(1234567), fraction_text(5, 10)
('50.6%', '1,234,567', '5/10 (50.0%)')
>>> percent_text(float("nan"))
'no one in the denominator'
>>> OUTCOME_LABELS["reliable_recovery"]
'reliably recovered'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from types import MappingProxyType

from .errors import ParameterError

__all__ = [
    "EMPTY_DENOMINATOR",
    "FUNNEL_STAGE_LABELS",
    "OUTCOME_LABELS",
    "OUTCOME_MEANINGS",
    "chance_text",
    "count_text",
    "count_texts",
    "counts_of_texts",
    "fraction_text",
    "money_text",
    "outcome_label",
    "percent_text",
    "percent_texts",
    "points_text",
]

#: How every rate with an empty denominator (0/0) is worded.
EMPTY_DENOMINATOR = "no one in the denominator"

#: Each outcome flag of :func:`iaptlab.outcomes.classify` (and ``diagnosis_lost``) in a few words.
OUTCOME_LABELS = MappingProxyType({
    "recovered": "recovered",
    "reliable_recovery": "reliably recovered",
    "reliable_improvement": "reliably improved",
    "no_reliable_change": "no reliable change",
    "reliable_deterioration": "reliably deteriorated",
    "mixed_change": "mixed change",
    "diagnosis_lost": "lost their diagnosis (blind interview)",
})

#: What each outcome means, in full (the rules of :data:`iaptlab.outcomes.IAPT` in words).
OUTCOME_MEANINGS = MappingProxyType({
    "recovered": "at caseness on a first score, below caseness on both last scores",
    "reliable_recovery": "recovered and reliably improved",
    "reliable_improvement": "a reliable drop on PHQ-9 or the anxiety measure, and no reliable rise",
    "no_reliable_change": "no reliable drop and no reliable rise",
    "reliable_deterioration": "a reliable rise on either measure, and no reliable drop",
    "mixed_change": "a reliable drop on one measure and a reliable rise on the other",
    "diagnosis_lost": "met diagnostic criteria at the first interview, not at the last",
})

#: Each stage of :func:`iaptlab.outcomes.funnel` in words.
FUNNEL_STAGE_LABELS = MappingProxyType({
    "referred": "referrals",
    "entered_treatment": "had at least 1 treatment contact",
    "finished": "finished a course",
    "finished_paired": "finished, with paired scores",
    "finished_paired_at_caseness": "finished, paired, at caseness at first",
    "recovered": "recovered",
})


def outcome_label(outcome: str) -> str:
    """The words for an outcome flag; an unknown name is returned with spaces for underscores.

    >>> outcome_label("reliable_improvement"), outcome_label("diagnosis_kept")
    ('reliably improved', 'diagnosis kept')
    """
    return OUTCOME_LABELS.get(outcome, str(outcome).replace("_", " "))


def _as_float(value: object) -> float:
    """``value`` as a float; NaN for None, pandas' NA and anything else that is missing."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if value is None or str(value) in {"<NA>", "NaT"}:
            return math.nan
        raise ParameterError(f"not a number: {value!r}") from None


def _check_digits(digits: int) -> None:
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise ParameterError(f"digits must be a whole number 0 or more, got {digits!r}")


def percent_text(rate: float | None, digits: int = 1, missing: str = EMPTY_DENOMINATOR) -> str:
    """A rate (a proportion, 0.506) as a percentage with ``digits`` decimals ("50.6%").

    A missing rate (NaN or None: no one in its denominator) is worded ``missing``, by default
    :data:`EMPTY_DENOMINATOR`; a table cell may want a shorter word (``missing="–"``).

    >>> percent_text(0.5064), percent_text(0.5064, digits=0), percent_text(1.0)
    ('50.6%', '51%', '100.0%')
    >>> percent_text(-0.25), percent_text(-0.0001), percent_text(None)
    ('-25.0%', '0.0%', 'no one in the denominator')
    >>> percent_text(float("nan"), missing="–")
    '–'
    """
    _check_digits(digits)
    value = _as_float(rate)
    if math.isnan(value):
        return missing
    text = f"{100 * value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:  # -0.0001 rounds to "-0.0": no sign on zero
        text = text[1:]
    return text + "%"


def percent_texts(rates: Iterable[float | None], digits: int = 1,
                  missing: str = EMPTY_DENOMINATOR) -> list[str]:
    """:func:`percent_text` of each rate (a list, a numpy array or a pandas Series).

    >>> percent_texts([0.5, float("nan"), 0.125], digits=1)
    ['50.0%', 'no one in the denominator', '12.5%']
    """
    _check_digits(digits)
    return [percent_text(rate, digits, missing) for rate in rates]


def points_text(change: float, digits: int = 1) -> str:
    """A change in a rate (a difference of proportions) in signed percentage points.

    >>> points_text(0.05), points_text(-0.2), points_text(0.0), points_text(-0.00001)
    ('+5.0 points', '-20.0 points', '+0.0 points', '+0.0 points')
    """
    _check_digits(digits)
    value = _as_float(change)
    if math.isnan(value):
        raise ParameterError("a change in points cannot be missing")
    text = f"{100 * value:+.{digits}f}"
    if float(text) == 0:  # a change that rounds to zero is +0.0, never -0.0
        text = "+" + text[1:]
    return f"{text} points"


def count_text(count: float) -> str:
    """A whole number with thousands separators ("1,234").

    >>> count_text(1234), count_text(0), count_text(1_002_503.0)
    ('1,234', '0', '1,002,503')
    """
    value = _as_float(count)
    if not math.isfinite(value) or value != round(value):
        raise ParameterError(f"a count must be a whole number, got {count!r}")
    return f"{int(value):,}"


def money_text(pounds: float, missing: str = "undefined (none counted)") -> str:
    """An amount in whole pounds with thousands separators ("£1,234"); ``missing`` when it is not
    finite (a cost per outcome when no one is counted).

    >>> money_text(1234.4), money_text(float("inf")), money_text(float("nan"), missing="–")
    ('£1,234', 'undefined (none counted)', '–')
    """
    value = _as_float(pounds)
    return f"£{value:,.0f}" if math.isfinite(value) else missing


def count_texts(counts: Iterable[float]) -> list[str]:
    """:func:`count_text` of each count.

    >>> count_texts([3, 1234])
    ['3', '1,234']
    """
    return [count_text(count) for count in counts]


def counts_of_texts(numerators: Iterable[float], denominators: Iterable[float]) -> list[str]:
    """Each numerator "of" its denominator, with thousands separators (a table's people column).

    >>> counts_of_texts([3, 1234], [10, 5678])
    ['3 of 10', '1,234 of 5,678']
    """
    return [f"{count_text(n)} of {count_text(d)}" for n, d in zip(numerators, denominators, strict=True)]


def fraction_text(numerator: float, denominator: float, digits: int = 1) -> str:
    """"numerator/denominator (percent)", with thousands separators; 0/0 says no one was counted.

    >>> fraction_text(1234, 5678), fraction_text(0, 0)
    ('1,234/5,678 (21.7%)', '0/0 (no one in the denominator)')
    """
    num, den = _as_float(numerator), _as_float(denominator)
    if num < 0 or den < 0:
        raise ParameterError(f"numerator and denominator must be 0 or more, got {numerator}/{denominator}")
    if den == 0 and num != 0:
        raise ParameterError(f"a numerator of {numerator} needs a denominator above 0")
    rate = num / den if den > 0 else math.nan
    return f"{count_text(num)}/{count_text(den)} ({percent_text(rate, digits)})"


def chance_text(probability: float) -> str:
    """A model probability in words: a normal tail is never exactly 0 or 1, so never say so
    (a chance that would show as "0%" or "100%" is "less than 1%" or "more than 99%").

    >>> chance_text(0.0), chance_text(0.42), chance_text(1.0)
    ('less than 1%', '42%', 'more than 99%')
    """
    value = _as_float(probability)
    if not 0 <= value <= 1:
        raise ParameterError(f"a probability must be between 0 and 1, got {probability!r}")
    text = f"{100 * value:.0f}"
    if text == "0":
        return "less than 1%"
    if text == "100":
        return "more than 99%"
    return text + "%"
