"""Lesson 06 answers (the national numbers) for :func:`iaptlab.exercises.check`.

Entries made with ``python -m iaptlab.exercises add``; numbers are obfuscated and choices hashed
(see :mod:`iaptlab.exercises`). Where each answer comes from, without the answer:

* ``06.recovered_of_referrals``: the 2016-17 NHS Digital news release (dataset ``national_annual``,
  row source ``nhsd_2016_17_release``, confidence C): recovered ÷ new referrals received, a
  derived [D] ratio of two confirmed counts (both rows of ``national_annual``). Tolerance
  admits the figure rounded to one decimal.
* ``06.first_year_over_50``: the recovery rates by year in ``national_annual`` (C); the 2017-18
  release itself calls it the first financial year above 50 per cent (nhsd_2017_18_release).
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
    "06.recovered_of_referrals": {
        "kind": "number",
        "salt": "6f7c88ed91e99a3e",
        "hint": ("Divide the number recovered in 2016-17 by the number of referrals received in "
                 "the same year (both in national_annual), and give it as a percentage."),
        "secret": "56fcce63def3f58f",
        "unit": "percent",
        "tolerance": 0.1,
    },
    "06.first_year_over_50": {
        "kind": "choice",
        "salt": "67dc17558762ce3a",
        "hint": ("Look down the recovery_rate_pct column of the one-row-per-year table, oldest "
                 "year first; 50.0 itself is not above 50. Give the year as written, e.g. "
                 '"2013-14".'),
        "hashes": ["63ddebe891bdb41e60b1fa691c4246fd0fbe9049dfc74074bbb1999bab627f50"],
    },
    "06.comparable_pairs": {
        "kind": "set",
        "salt": "01b9a09a3e1cb18d",
        "hint": ("Look up each year's comparability_period in national_annual: a pair is safe only"
                 " if both years fall in the same period, and a year that spans the January 2021 "
                 "change is comparable with neither side."),
        "hashes": ["ce1ff46032109238a462a1e63f075ec75fa0ea7fd67304d35c2e6cd85fad3226"],
    },
    "06.at_caseness_rate": {
        "kind": "number",
        "salt": "922148dd5957062c",
        "hint": ("Recovered divided by the finishers who were at caseness at the start, as a "
                 "percentage."),
        "secret": "0634fbb0b3ab591f",
        "unit": "percent",
        "tolerance": 0.05,
    },
    "06.m192_rate": {
        "kind": "number",
        "salt": "ba63fb57fc3a7796",
        "hint": ("M192's denominator is all finishers minus only those KNOWN not to be at "
                 "caseness: finishers whose caseness was not recorded stay in it."),
        "secret": "c4f2157370936a88",
        "unit": "percent",
        "tolerance": 0.05,
    },
}
