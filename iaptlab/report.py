"""A self-contained HTML report on a service's own episode file (``iaptlab report``).

The report holds counts, every outcome rate with its numerator and denominator, the attrition
funnel, the first and last score distributions, and what the data cannot show. Charts are inline
SVG (rendered offline by vl-convert) each with a data table beside it; there is no script and no
external resource, so the file opens with the network unplugged.

``disclosure_control=True`` applies small-number suppression and rounding to every count shown:
0 stays 0, 1-7 become ``*``, anything else is rounded to the nearest 5. Rates are computed from
the unrounded counts and suppressed when their numerator or denominator is.

>>> disclose([0, 1, 7, 8, 12, 13, 1_002_503])
['0', '*', '*', '10', '10', '15', '1,002,505']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import instruments
from .errors import InputError, ParameterError, Problem
from .outcomes import IAPT, Rules, classify, funnel, rates
from .schema import EXCLUDED_REASON, ROW, Validated

#: Counts from 1 to this value are suppressed (shown as ``*``) under disclosure control.
SUPPRESS_UP_TO = 7
#: Other counts are rounded to the nearest multiple of this.
ROUND_TO = 5
SUPPRESSED = "*"
#: The rule as the report states it.
DISCLOSURE_RULE = (
    f"Disclosure control is on: a count of 0 is shown as 0, counts from 1 to {SUPPRESS_UP_TO} are "
    f"shown as {SUPPRESSED}, and every other count is rounded to the nearest {ROUND_TO}. "
    "A whole number is never exactly halfway between two multiples of 5 (the halfway points end in "
    ".5), so no tie-breaking rule is needed. Percentages are computed from the unrounded counts and "
    f"shown as {SUPPRESSED} when their numerator or denominator is suppressed. Rounded counts may "
    "not add up to the rounded totals.")
#: How many excluded rows the report lists one by one.
EXCLUDED_LISTED = 50
#: Plain-language meaning of each outcome in the rates table.
OUTCOME_WORDS = {
    "recovered": "at caseness on a first score, below caseness on both last scores",
    "reliable_recovery": "recovered and reliably improved",
    "reliable_improvement": "a reliable drop on PHQ-9 or the anxiety measure, and no reliable rise",
    "no_reliable_change": "no reliable drop and no reliable rise",
    "reliable_deterioration": "a reliable rise on either measure, and no reliable drop",
    "mixed_change": "a reliable drop on one measure and a reliable rise on the other",
    "diagnosis_lost": "met diagnostic criteria at the first interview, not at the last",
}
M192_SUFFIX = " (M192 denominator)"
FUNNEL_WORDS = {
    "referred": "referrals",
    "entered_treatment": "had at least 1 treatment contact",
    "finished": "finished a course",
    "finished_paired": "finished, with paired scores",
    "finished_paired_at_caseness": "finished, paired, at caseness at first",
    "recovered": "recovered",
}


def _as_counts(counts: Sequence[int] | np.ndarray | pd.Series, name: str = "counts") -> np.ndarray:
    values = np.asarray(counts, dtype=float).ravel()
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError(f"{name} must be whole numbers 0 or more; item {i} is {values[i]!r}")
    return values.astype(np.int64)


def disclose(counts: Sequence[int] | np.ndarray | pd.Series) -> list[str]:
    """Counts as published-statistics text: 0 stays 0, 1-7 become ``*``, others nearest 5.

    Rounding is integer arithmetic, ``(count + 2) // 5 * 5``: remainders 1-2 round down and
    3-4 round up; a whole number never sits halfway between multiples of 5.

    >>> disclose([0, 7, 8, 12, 13])
    ['0', '*', '10', '10', '15']
    """
    values = _as_counts(counts)
    rounded = (values + ROUND_TO // 2) // ROUND_TO * ROUND_TO
    text = pd.Series(rounded).map("{:,}".format).to_numpy(dtype=object)
    text[(values >= 1) & (values <= SUPPRESS_UP_TO)] = SUPPRESSED
    return text.tolist()


def show_counts(counts: Sequence[int] | np.ndarray | pd.Series, disclosure_control: bool) -> list[str]:
    """Counts as text, with thousands separators, disclosed when ``disclosure_control`` is on.

    >>> show_counts([3, 1234], False), show_counts([3, 1234], True)
    (['3', '1,234'], ['*', '1,235'])
    """
    if disclosure_control:
        return disclose(counts)
    return pd.Series(_as_counts(counts)).map("{:,}".format).tolist()


def _suppressed(counts: np.ndarray) -> np.ndarray:
    return (counts >= 1) & (counts <= SUPPRESS_UP_TO)


def show_rates(numerators, denominators, disclosure_control: bool) -> list[str]:
    """Rates as percentages (one decimal) from unrounded counts; ``n/a`` for a 0 denominator.

    Under disclosure control a rate is ``*`` when its numerator or denominator is suppressed.

    >>> show_rates([1, 20], [2, 40], False), show_rates([1, 20], [2, 40], True)
    (['50.0%', '50.0%'], ['*', '50.0%'])
    """
    num, den = _as_counts(numerators, "numerators"), _as_counts(denominators, "denominators")
    if len(num) != len(den):
        raise ParameterError(f"numerators ({len(num)}) and denominators ({len(den)}) differ in length")
    if (num > den).any():
        i = int(np.flatnonzero(num > den)[0])
        raise ParameterError(f"numerator {num[i]} is larger than its denominator {den[i]} (item {i})")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(den > 0, num / np.maximum(den, 1), np.nan)
    text = pd.Series(rate * 100).map("{:.1f}%".format).to_numpy(dtype=object)
    text[den == 0] = "n/a"
    if disclosure_control:
        text[_suppressed(num) | _suppressed(den)] = SUPPRESSED
    return text.tolist()


def disclose_rates(table: pd.DataFrame, disclosure_control: bool = True) -> pd.DataFrame:
    """A :func:`~iaptlab.outcomes.rates` table with numerator, denominator and rate as text.

    >>> t = pd.DataFrame({"outcome": ["recovered"], "numerator": [5], "denominator": [52],
    ...                   "rate": [5 / 52], "denominator_description": ["finishers"]})
    >>> disclose_rates(t).iloc[0].tolist()
    ['recovered', '*', '50', '*', 'finishers']
    """
    missing = [c for c in ("outcome", "numerator", "denominator") if c not in table.columns]
    if missing:
        raise InputError([Problem(None, c, "required by disclose_rates() but missing") for c in missing])
    out = table.copy()
    out["rate"] = show_rates(table["numerator"], table["denominator"], disclosure_control)
    out["numerator"] = show_counts(table["numerator"], disclosure_control)
    out["denominator"] = show_counts(table["denominator"], disclosure_control)
    return out


def rules_table(rules: Rules) -> pd.DataFrame:
    """Every threshold of ``rules`` as rows: measure, caseness rule, reliable-change rule.

    >>> rules_table(IAPT).iloc[0].tolist()
    ['PHQ-9', 'score >= 10', 'change >= 6']
    """
    rows = [(instruments.lookup(key).name, f"score {t.comparison} {t.value:g}",
             f"change {rules.reliable_change[key].comparison} {rules.reliable_change[key].value:g}")
            for key, t in rules.caseness.items()]
    return pd.DataFrame(rows, columns=["measure", "caseness", "reliable change"])


def all_rates(classified: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every rate under ``rules``, plus recovery and reliable recovery on the M192 denominator.

    >>> eps = pd.DataFrame({"episode_id": ["a", "b"], "treatment_contacts": [6, 6],
    ...     "phq9_first": [16, 4], "phq9_last": [7, 3], "gad7_first": [12, 3], "gad7_last": [5, 2]})
    >>> all_rates(classify(eps), IAPT).set_index("outcome")["denominator"].to_dict()["recovered"]
    1
    """
    main = rates(classified, rules)
    other = "finished_minus_not_at_caseness" if rules.denominator == "at_caseness" else "at_caseness"
    alt_rules = dataclasses.replace(rules, denominator=other)
    extra = rates(classified, alt_rules)
    extra = extra[extra["outcome"].isin(["recovered", "reliable_recovery"])]
    suffix = M192_SUFFIX if other != "at_caseness" else " (at-caseness denominator)"
    extra = extra.assign(outcome=extra["outcome"] + suffix)
    position = int(np.flatnonzero(main["outcome"].eq("reliable_recovery"))[0]) + 1
    return pd.concat([main.iloc[:position], extra, main.iloc[position:]], ignore_index=True)


def score_counts(table: pd.DataFrame, instrument: instruments.Instrument) -> pd.DataFrame:
    """Episodes at each whole score, first and last (binned in pandas), plus a missing row.

    >>> t = pd.DataFrame({"phq9_first": [12.0, 12.0], "phq9_last": [4.0, float("nan")]})
    >>> score_counts(t, instruments.PHQ9).set_index("score").loc[["12", "4", "missing"]].to_numpy().tolist()
    [[2, 0], [0, 1], [0, 1]]
    """
    size = int(instrument.score_max) + 1
    columns = {}
    for occasion in ("first", "last"):
        scores = table[f"{instrument.key}_{occasion}"].to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(scores)
        counts = np.bincount(scores[present].astype(np.int64), minlength=size)
        columns[occasion] = np.append(counts, int((~present).sum()))
    labels = [str(s) for s in range(size)] + ["missing"]
    return pd.DataFrame({"score": labels, **columns})


@dataclasses.dataclass(frozen=True)
class ReportData:
    """Everything the HTML shows, computed once (counts unrounded; the page applies disclosure)."""

    title: str
    file_name: str
    generated: str
    rules: Rules
    disclosure_control: bool
    rows_read: int
    valid: pd.DataFrame
    excluded: pd.DataFrame
    rates: pd.DataFrame
    funnel: pd.DataFrame
    scores: dict[str, pd.DataFrame]
    therapist_present: tuple[int, int, int] | None
    interviewed: int | None


def report_data(checked: Validated, *, file_name: str, rules: Rules = IAPT,
                disclosure_control: bool = False, title: str | None = None,
                generated: str | dt.date | None = None) -> ReportData:
    """Classify a validated table and gather every number the report shows.

    >>> from iaptlab.schema import validate
    >>> eps = pd.DataFrame({"episode_id": ["a"], "treatment_contacts": [6],
    ...     "phq9_first": [16], "phq9_last": [7], "gad7_first": [12], "gad7_last": [5]})
    >>> report_data(validate(eps), file_name="a.csv", generated="2026-01-01").funnel["count"].tolist()
    [1, 1, 1, 1, 1, 1]
    """
    classified = classify(checked, rules, on_invalid="exclude")
    valid = classified[classified[EXCLUDED_REASON] == ""].reset_index(drop=True)
    stamp = generated if generated is not None else dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    eligible = (valid["finished"] & valid["paired"]).to_numpy(dtype=bool)
    therapist = None
    if "assessed_with_therapist" in valid.columns:
        flag = valid["assessed_with_therapist"].astype("boolean")[eligible]
        therapist = (int(flag.eq(True).sum()), int(flag.eq(False).sum()), int(flag.isna().sum()))
    interviewed = int(valid["interviewed"].sum()) if "interviewed" in valid.columns else None
    return ReportData(
        title=title or "Outcome report", file_name=file_name, generated=str(stamp), rules=rules,
        disclosure_control=disclosure_control, rows_read=len(checked.table) + len(checked.excluded),
        valid=valid, excluded=checked.excluded[[ROW, EXCLUDED_REASON]].reset_index(drop=True),
        rates=all_rates(valid, rules), funnel=funnel(valid),
        scores={inst.name: score_counts(valid, inst) for inst in (instruments.PHQ9, instruments.GAD7)},
        therapist_present=therapist, interviewed=interviewed)


def build_report(source: str | Path, *, rules: Rules = IAPT, skip_invalid: bool = False,
                 disclosure_control: bool = False, title: str | None = None,
                 generated: str | dt.date | None = None, columns: dict[str, str] | None = None) -> str:
    """Read, validate and classify an episode CSV; return the report as one HTML document.

    Invalid rows raise :class:`~iaptlab.errors.InputError` (every problem, with row and column)
    unless ``skip_invalid``, when they are listed in the report instead (a file with no valid row
    still raises). ``columns`` maps the file's column names to iaptlab's.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "e.csv"
    >>> _ = path.write_text("episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last\\n"
    ...                     "A,6,16,6,12,4\\n")
    >>> build_report(path, generated="2026-01-01").startswith("<!DOCTYPE html>")
    True
    """
    from ._report_html import render
    from .episode_files import read_episode_file
    from .schema import validate

    path = Path(source)
    loaded = read_episode_file(path, columns)
    checked = validate(loaded.frame, decimal_comma=loaded.decimal_comma, rows=loaded.rows)
    if not checked.ok and not skip_invalid:
        raise checked.error()
    if len(checked.table) == 0 and checked.invalid_rows:
        err = checked.error()
        raise InputError([*err.problems[:99], Problem(None, None, f"no valid rows: all {checked.invalid_rows:,} "
                                                      "rows have problems; there is nothing to report on")],
                         more=err.more)
    data = report_data(checked, file_name=path.name, rules=rules, disclosure_control=disclosure_control,
                       title=title, generated=generated)
    return render(data)
