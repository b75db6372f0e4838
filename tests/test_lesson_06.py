"""Lesson 06: the national-numbers explorer, its helpers, and the lesson's exercise answers.

Expected values are typed in by hand from the published releases as quoted in the dossier
(nhsd_2016_17_release and the national_annual card) or read from the raw CSV with the csv module, and the
arithmetic is done here, independently of ``iaptlab.explorers.national``.
"""

from __future__ import annotations

import csv
import math
import re
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab import datasets, national
from iaptlab.errors import IaptlabError, ParameterError
from iaptlab.exercises import check
from iaptlab.explorers import national as nat
from iaptlab.outcomes import IAPT, classify, rates
from iaptlab.widgets import sweep

# 2016-17 NHS Digital news release (nhsd_2016_17_release, C), typed in by hand.
RELEASE_2016_17 = {"referrals_received": 1_386_000, "entered_treatment": 965_000,
                   "finished_course": 567_000, "finished_at_caseness": 525_000, "recovered": 259_000}
# 2014-15 heterosexual subgroup (national_2014_15_subgroup, S).
HETERO = {"finished": 265_833, "at_caseness": 238_253, "not_at_caseness": 26_282, "recovered": 126_891}


def _raw_annual() -> list[dict[str, str]]:
    with (files("iaptlab.data") / "national_annual.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return national.published_figures()


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


# ------------------------------------------------------------------ the explorer at every extreme


@pytest.mark.parametrize("params", list(sweep(nat.CONTROLS)), ids=str)
def test_sweep_gives_sane_outputs(figures, params):
    result = nat.compute(figures, **params)
    shares = [v for v in result.extra["share_of"].values() if not math.isnan(v)]
    assert all(0 <= v <= 1 for v in shares)
    assert len(result.table) == len(national.STAGES) + 1
    description = result.chart.to_dict()["description"]
    assert description.startswith(f'{params["year"]}: from referral to "recovered"')
    assert params["year"] in result.sentence
    numbers = _numbers(result.sentence)
    in_sentence = ("recovered", "finished_at_caseness", "referrals_received", params["denominator"])
    for measure in in_sentence:
        value = result.extra["counts"][measure]
        if not math.isnan(value):
            assert value in numbers, (measure, result.sentence)
            assert f"{value:,.0f}" in description
            share = result.extra["share_of"].get(measure, math.nan)
            assert math.isnan(share) or round(100 * share, 1) in numbers
    if not math.isnan(result.extra["published_rate"]):
        assert result.extra["published_rate"] in numbers
    if math.isnan(result.extra["counts"]["recovered"]):
        assert "was not published" in result.sentence


def test_every_control_is_labelled_in_words():
    for control in nat.CONTROLS:
        assert len(control.label.split()) >= 3
        assert all(len(label.split()) >= 2 for _, label in control.options)


def test_year_options_are_exactly_the_years_with_a_recovery_figure():
    # From the raw CSV: years with a recovery rate or a recovered count on any row.
    expected = sorted({r["year"] for r in _raw_annual() if r["recovery_rate_pct"] or r["recovered"]})
    assert [v for v, _ in nat.CONTROLS[0].options] == expected
    assert "2013-14" not in expected  # 2013-14 has referrals but no recovery figure (UNCONFIRMED)


# ------------------------------------------------------------------ hand-checked values


def test_2016_17_chain_matches_the_release_and_hand_arithmetic(figures):
    result = nat.compute(figures, year="2016-17", denominator="referrals_received")
    assert result.extra["counts"] == {k: float(v) for k, v in RELEASE_2016_17.items()}
    # By hand: 259,000 / 1,386,000 = 0.18687; / 965,000 = 0.26839; / 567,000 = 0.45679;
    # / 525,000 = 0.49333 (published 49.3%).
    expected = {"referrals_received": 0.18687, "entered_treatment": 0.26839,
                "finished_course": 0.45679, "finished_at_caseness": 0.49333}
    for measure, share in expected.items():
        assert result.extra["share_of"][measure] == pytest.approx(share, abs=5e-5)
    assert result.extra["published_rate"] == 49.3
    assert "49.3% of the 525,000" in result.sentence and "18.7% of the 1,386,000" in result.sentence
    assert "approximations" in result.sentence
    table = result.table.set_index("stage")
    assert table.loc["referrals received ← chosen denominator", "recovered as % of this stage"] == "18.7%"
    assert (table["confidence"].iloc[:5] == "C").all()


def test_missing_stage_is_said_to_be_missing_never_filled(figures):
    # 2014-15: no entered-treatment or finished-course count in any source read.
    result = nat.compute(figures, year="2014-15", denominator="finished_course")
    assert math.isnan(result.extra["counts"]["finished_course"])
    assert math.isnan(result.extra["chosen_share"])
    assert "not published in the sources read" in result.sentence
    table = result.table.set_index("stage")
    assert table.loc["finished a course (2+ contacts) ← chosen denominator", "number"] == "not published"
    assert "cannot be worked out" in result.chart.to_dict()["description"]
    # What is there: 189,152 / 421,744 = 0.44850 (published 44.8%); / 1,267,193 = 0.14927.
    assert result.extra["share_of"]["finished_at_caseness"] == pytest.approx(0.44850, abs=5e-5)
    assert result.extra["share_of"]["referrals_received"] == pytest.approx(0.14927, abs=5e-5)


def test_year_without_recovered_count_gives_only_the_published_rate(figures):
    result = nat.compute(figures, year="2019-20", denominator="referrals_received")
    assert all(math.isnan(v) for v in result.extra["share_of"].values())
    assert "51.1%" in result.sentence and "cannot be worked out" in result.sentence
    assert "not estimated" in result.sentence


def test_secondary_counts_are_flagged(figures):
    # 2015-16 recovered and finishers are from therapymeetsnumbers (S); referrals are C.
    result = nat.compute(figures, year="2015-16", denominator="finished_course")
    assert "secondary source only (S)" in result.sentence
    assert "226,850 (S)" in result.chart.to_dict()["description"]
    # By hand: 226,850 / 537,131 = 0.42234.
    assert result.extra["chosen_share"] == pytest.approx(0.42234, abs=5e-5)


def test_published_figures_one_value_per_year_and_measure_and_no_blank_filled(figures):
    assert not figures.duplicated(["year", "measure"]).any()
    raw_filled = sum(1 for r in _raw_annual() for m in (*national.STAGES, national.RATE_COLUMN) if r[m])
    assert len(figures) == raw_filled


def test_a_figure_on_two_rows_is_an_error():
    annual = datasets.load("national_annual")
    doubled = pd.concat([annual, annual[annual["year"] == "2016-17"].head(1)], ignore_index=True)
    with pytest.raises(IaptlabError, match="2016-17"):
        national.published_figures(doubled)


def test_breaks_fall_in_the_right_financial_years():
    # April 2015 opens 2015-16; January 2021 falls in 2020-21 (April 2020 to March 2021).
    assert national.breaks_by_year() == {"2015-16": national.BREAK_LABELS["2015-04"],
                                    "2020-21": national.BREAK_LABELS["2021-01"]}


@pytest.mark.parametrize("date, year", [("2015-03", "2014-15"), ("2015-04", "2015-16"),
                                        ("1999-12", "1999-00"), ("2021-01", "2020-21")])
def test_financial_year_edges(date, year):
    assert national.financial_year(pd.Series([date])).tolist() == [year]


def test_unknown_control_year_or_denominator_is_an_error(figures):
    with pytest.raises(ParameterError, match="yaer"):
        nat.compute(figures, yaer="2016-17")
    with pytest.raises(ParameterError, match="1999-00"):
        nat.compute(figures, year="1999-00")
    with pytest.raises(ParameterError, match="everyone"):
        nat.compute(figures, denominator="everyone")


# ------------------------------------------------------------------ the denominator exercise


def test_two_denominators_by_hand_on_the_2014_15_subgroup():
    table = national.two_denominators(**HETERO).set_index("denominator")
    # 126,891 / 238,253 = 0.532585...; 126,891 / (265,833 - 26,282 = 239,551) = 0.529695...
    assert table.loc["at_caseness", "denominator_count"] == 238_253
    assert table.loc["finished_minus_not_at_caseness", "denominator_count"] == 239_551
    assert round(100 * table.loc["at_caseness", "rate"], 2) == 53.26
    assert round(100 * table.loc["finished_minus_not_at_caseness", "rate"], 2) == 52.97


def test_package_reproduces_both_denominators():
    by_package = national.package_denominators(**HETERO).set_index("denominator")
    assert by_package.loc["at_caseness", ["numerator", "denominator_count"]].tolist() == [126_891, 238_253]
    assert by_package.loc["finished_minus_not_at_caseness", "denominator_count"] == 239_551
    assert "M192" in by_package.loc["finished_minus_not_at_caseness", "denominator_description"]


@given(st.integers(1, 40), st.integers(0, 40), st.integers(0, 40), st.data())
def test_synthetic_episodes_reproduce_any_consistent_counts(at_caseness, not_at_caseness, unknown, data):
    recovered = data.draw(st.integers(0, at_caseness))
    counts = {"finished": at_caseness + not_at_caseness + unknown, "at_caseness": at_caseness,
              "not_at_caseness": not_at_caseness, "recovered": recovered}
    episodes = national.subgroup_episodes(**counts)
    assert len(episodes) == counts["finished"]
    by_hand = national.two_denominators(**counts)
    by_package = national.package_denominators(**counts)
    assert by_package["denominator_count"].tolist() == by_hand["denominator_count"].tolist()
    assert by_package["denominator_count"].tolist() == [at_caseness, at_caseness + unknown]
    assert np.allclose(by_package["rate"], by_hand["rate"])
    flags = classify(episodes, IAPT)
    assert int(flags["recovered"].sum()) == recovered
    assert rates(flags).set_index("outcome").loc["recovered", "numerator"] == recovered


@pytest.mark.parametrize("counts, word", [
    ({"finished": 5, "at_caseness": 4, "not_at_caseness": 2, "recovered": 1}, "exceed finished"),
    ({"finished": 5, "at_caseness": 2, "not_at_caseness": 1, "recovered": 3}, "recovered"),
    ({"finished": 5, "at_caseness": 0, "not_at_caseness": 1, "recovered": 0}, "at_caseness"),
    ({"finished": 5, "at_caseness": 2, "not_at_caseness": -1, "recovered": 0}, "not_at_caseness"),
])
def test_inconsistent_counts_are_refused(counts, word):
    with pytest.raises(ParameterError, match=word):
        national.two_denominators(**counts)


# ------------------------------------------------------------------ the lesson's exercise answers


def test_exercise_answers_checked_independently():
    raw = _raw_annual()
    row = next(r for r in raw if r["year"] == "2016-17" and r["recovered"])
    assert check("06.recovered_of_referrals", 100 * int(row["recovered"]) / int(row["referrals_received"])).correct
    assert check("06.recovered_of_referrals", "18.7%").correct
    # recoveries needed for 50% of finishers at caseness, minus those who recovered (2016-17)
    assert check("06.recoveries_short_of_50", int(row["finished_at_caseness"]) / 2 - int(row["recovered"])).correct
    # The five pairs in the notebook; safe = both years in one period that does not span a change.
    period = {r["year"]: r["comparability_period"] for r in raw}
    pairs = {"a": ("2016-17", "2018-19"), "b": ("2019-20", "2021-22"), "c": ("2021-22", "2023-24"),
             "d": ("2017-18", "2020-21"), "e": ("2014-15", "2016-17")}
    safe = [k for k, (x, y) in pairs.items() if period[x] == period[y] and not period[x].startswith("spans")]
    assert check("06.comparable_pairs", safe).correct
    assert check("06.at_caseness_rate", 100 * HETERO["recovered"] / HETERO["at_caseness"]).correct
    assert check("06.m192_rate",
                 100 * HETERO["recovered"] / (HETERO["finished"] - HETERO["not_at_caseness"])).correct


@pytest.mark.parametrize("question, wrong", [
    ("06.recovered_of_referrals", 49.3),     # the official rate
    ("06.recovered_of_referrals", 26.8),     # share of those entering treatment
    ("06.recoveries_short_of_50", 24500),    # all finishers as the denominator
    ("06.recoveries_short_of_50", 434000),   # all referrals as the denominator
    ("06.comparable_pairs", ["a", "b", "c"]),  # b crosses the January 2021 change
    ("06.comparable_pairs", ["a"]),
    ("06.at_caseness_rate", 52.97),          # the M192 rate
    ("06.m192_rate", 53.26),                 # the at-caseness rate
    ("06.m192_rate", 47.73),                 # recovered / all finishers
])
def test_likely_wrong_answers_get_a_hint(question, wrong):
    feedback = check(question, wrong)
    assert not feedback.correct and "hint:" in feedback.text


# ---------------------------------------------------------------- issue 16: the standard, variation, exercise 6


def test_april_2025_reliable_recovery_and_targets_keep_their_confidence():
    history = datasets.load("standard_history").set_index("event_id")
    april = history.loc["april_2025_reliable_recovery"]
    assert round(100 * april["numerator"] / april["denominator"], 1) == april["value_pct"] == 48.4
    assert april["confidence"] == "C" and april["measure"] == "reliable recovery"
    targets = history[history["kind"] == "target"]
    assert len(targets) >= 2 and set(targets["confidence"]) == {"S"}


def test_service_variation_range_brackets_england():
    variation = datasets.load("service_variation")
    ccgs = variation[variation["area_type"] == "CCG"]["recovery_rate_pct"]
    england = variation.loc[variation["area_type"] == "England", "recovery_rate_pct"].item()
    assert (ccgs.min(), ccgs.max()) == (18.8, 69.4)
    assert ccgs.min() < england < ccgs.max()


def test_exercise_6_answer_and_its_near_misses():
    assert check("06.what_moves_the_rate", {"a", "b", "c"}).correct
    for wrong in ({"a", "b"}, {"a", "b", "c", "d"}, {"a", "b", "c", "e"}, {"d"}):
        assert not check("06.what_moves_the_rate", wrong).correct


def test_exercise_6_option_b_recording_unknown_caseness_can_only_raise_m192():
    # Same recovered count; the 1,298-style unknown-caseness finishers either stay unknown (in the M192
    # denominator, never recovered) or are recorded as not at caseness (leaving it).
    unknown = national.package_denominators(finished=100, at_caseness=80, not_at_caseness=10, recovered=40)
    recorded = national.package_denominators(finished=100, at_caseness=80, not_at_caseness=20, recovered=40)
    m192 = {name: t.set_index("denominator").loc["finished_minus_not_at_caseness", "rate"]
            for name, t in (("unknown", unknown), ("recorded", recorded))}
    assert m192["unknown"] == pytest.approx(40 / 90) and m192["recorded"] == pytest.approx(40 / 80)
    assert m192["recorded"] > m192["unknown"]


def test_exercise_6_option_d_reliable_recovery_never_exceeds_recovery():
    from iaptlab.lesson_cohort import lesson_cohort

    table = rates(classify(lesson_cohort(5_000)), IAPT).set_index("outcome")
    assert table.loc["reliable_recovery", "numerator"] <= table.loc["recovered", "numerator"]
    assert table.loc["reliable_recovery", "denominator"] == table.loc["recovered", "denominator"]
