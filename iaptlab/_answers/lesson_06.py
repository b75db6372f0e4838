"""Lesson 06 answers (the national numbers) for :func:`iaptlab.exercises.check`.

Entries made with ``python -m iaptlab.exercises add``; numbers are obfuscated and choices hashed
(see :mod:`iaptlab.exercises`). Where each answer comes from, without the answer:

* ``06.recovered_of_referrals``: the 2016-17 NHS Digital news release (dataset ``national_annual``,
  row source ``nhsd_2016_17_release``, confidence C): recovered ÷ new referrals received, a
  derived [D] ratio of two confirmed counts (both rows of ``national_annual``). Tolerance
  admits the figure rounded to one decimal.
* ``06.recoveries_short_of_50``: half of 2016-17's finishers at caseness minus those who recovered
  (both in ``national_annual``, nhsd_2016_17_release [C], published rounded to the nearest
  thousand, so the difference is known only to within about a thousand); known wrong answers use
  the other stages of the same row as the denominator.
* ``06.comparable_pairs``: NHS Digital's comparability statements (``national_breaks``, C; guide
  v2.1 via the Strategy Unit: nhsd_guide_v21, strategy_unit_talking_therapies) applied to the five pairs listed in the
  notebook; each year's period is the ``comparability_period`` column of ``national_annual``.
* ``06.at_caseness_rate`` and ``06.m192_rate``: the heterosexual subgroup of the 2014-15 annual
  report (``national_2014_15_subgroup``, confidence S: the table itself was not read), recovered
  over finishers at caseness, and over NHS Digital's measure M192 (finishers minus those known
  not to be at caseness; nhsd_guide_v21). Tolerances keep the two answers apart.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "06.recoveries_short_of_50": {
        "kind": "number",
        "salt": "977d5506d513eecb",
        "hint": "The rate's denominator is finishers at caseness. Half of 2016-17's finishers at caseness, minus the number who recovered, both from national_annual.",
        "secret": "b1c28d94baf0f1bd",
        "unit": "plain",
        "also": [],
        "decimals": 0,
        "wrong": [
            {
                "secret": "0666ddc1cda485e7",
                "message": "that is the shortfall against half of ALL referrals: the recovery rate's denominator is finishers at caseness"
            },
            {
                "secret": "07ab4d81cda485e7",
                "message": "that uses everyone who finished a course: the recovery rate's denominator is finishers at caseness"
            },
            {
                "secret": "789ac6e7abc2e381",
                "message": "that is the gap in percentage points: the question asks for a number of people"
            }
        ]
    },
    "06.comparable_pairs": {
        "kind": "set",
        "salt": "01b9a09a3e1cb18d",
        "hint": "Look up each year's comparability_period in national_annual: a pair is safe only if both years fall in the same period, and a year that spans the January 2021 change is comparable with neither side.",
        "options": {
            "a": [],
            "b": [],
            "c": [],
            "d": [],
            "e": []
        },
        "hashes": [
            "ce1ff46032109238a462a1e63f075ec75fa0ea7fd67304d35c2e6cd85fad3226"
        ],
        "wrong": [
            {
                "hash": "9865b6daf4093491752c8fcf32cd70102c5cc4bfd30d7c5cb739e70b8976f38d",
                "message": "b crosses the January 2021 change"
            },
            {
                "hash": "6baf42e54cf443b5a1ba48368c9a6c3e9574f1a07a5f093625b66fff532d0dea",
                "message": "look at c again: both years are after January 2021"
            },
            {
                "hash": "efa2b7c8047e3a1c87b9e2143c37cdcc4abfadad53e041b406b69a85dc39448d",
                "message": "e crosses the April 2015 change"
            },
            {
                "hash": "1570b9cfb2a9829646fd9d1f533f8d5b0332f2e106d027f07b1229e2a6d0d4e8",
                "message": "d: 2020-21 spans the January 2021 change, so it is comparable with neither side"
            }
        ],
    },
    "06.recovered_of_referrals": {
        "kind": "number",
        "salt": "6f7c88ed91e99a3e",
        "hint": "Divide the number recovered in 2016-17 by the number of referrals received in the same year (both in national_annual).",
        "secret": "56fcce6a45c510c9",
        "unit": "percent",
        "also": [],
        "decimals": 1,
        "wrong": [
            {
                "secret": "1edcdc149546cf0c",
                "message": "that is the official recovery rate: the question divides by referrals RECEIVED"
            },
            {
                "secret": "1eaeac938d220e4b",
                "message": "that divides by those entering treatment: the question divides by referrals received"
            },
            {
                "secret": "1ed2ac9b13458bae",
                "message": "that divides by those finishing a course: the question divides by referrals received"
            }
        ],
    },
    "06.at_caseness_rate": {
        "kind": "number",
        "salt": "922148dd5957062c",
        "hint": "Recovered divided by the finishers who were at caseness at the start.",
        "secret": "0634fb8297133e31",
        "unit": "percent",
        "also": [],
        "decimals": 2,
        "wrong": [
            {
                "secret": "2954e2b7acfb1dec",
                "message": "that is the M192 denominator (finishers minus those known not at caseness): this exercise divides by finishers at caseness"
            },
            {
                "secret": "2959435dbb7f9720",
                "message": "that divides by all finishers: this exercise divides by finishers at caseness"
            }
        ],
    },
    "06.m192_rate": {
        "kind": "number",
        "salt": "ba63fb57fc3a7796",
        "hint": "M192's denominator is all finishers minus only those KNOWN not to be at caseness: finishers whose caseness was not recorded stay in it.",
        "secret": "c4f2155f81369785",
        "unit": "percent",
        "also": [],
        "decimals": 2,
        "wrong": [
            {
                "secret": "8ad8d65e6b8221e9",
                "message": "that is recovered ÷ finished at caseness: which denominator does M192 use?"
            },
            {
                "secret": "8ad5aaa4bd448f60",
                "message": "that divides by all finishers: M192 takes away only those KNOWN not to be at caseness"
            }
        ],
    },
    "06.what_moves_the_rate": {
        "kind": "set",
        "salt": "b506bd45bab7321e",
        "hint": ("For each option ask: does it change anyone's scores or true state? If not, does it"
                 " change which scores enter the rule, who is in the denominator, or which score "
                 "counts as the last? Reliable recovery is recovery AND a reliable improvement, so it "
                 "can never be the larger."),
        "options": {"a": [], "b": [], "c": [], "d": [], "e": []},
        "hashes": ["159cd0e1d247896b7e3c676cb7ad3884a46a3d21915bc59ac9927aa151beb376"],
        "wrong": [
            {"hash": "de1f964fdac14fbe210a704d6f859e558eb5d896aae6603cfaca0e071cc0ccd8",
             "message": ("(d) cannot raise the rate: reliable recovery is recovery AND a reliable "
                         "improvement, so it is never the larger of the two")},
            {"hash": "a598e68d9ac5de9ddb4208d0b1d99d3ebe0df47c4f1b43ed10402b32ac59954d",
             "message": ("look at (b) again: a finisher with unknown caseness sits in the M192 "
                         "denominator but can never recover")},
            {"hash": "37354fb1d31153befa74e084fa83a10e95070e109929c4c823d427218058242c",
             "message": "(e) changes what readers understand, not the number"},
        ],
    },
}
