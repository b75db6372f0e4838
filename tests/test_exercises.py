"""Tests for iaptlab.exercises: precision edges, readings, known wrong answers, kinds, progress.

Every shipped question is judged on a table in tests/test_answer_cases.py; this file tests the
mechanics on questions registered here (``t.*``, ``p.*``), plus the lesson-00 ones the docs use.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iaptlab._answers as answers_module
from iaptlab import exercises as ex
from iaptlab.errors import ParameterError


@pytest.fixture(autouse=True)
def _fresh_progress_and_registry(monkeypatch):
    # questions registered here (t.*, p.*) must not leak into other test files' view
    monkeypatch.setattr(ex, "_REGISTRY", dict(ex._REGISTRY))
    ex.reset_progress()
    yield
    ex.reset_progress()


def _number(qid, value, **kw):
    kw.setdefault("decimals", 2)
    ex.register(qid, ex.make_entry(qid, value, kind="number", hint="h", salt="s", **kw), replace=True)


# ------------------------------------------------------------- precision


@pytest.mark.parametrize("answer, correct", [
    (52.9713, True), (52.97, True), ("52.97", True), (52.975, True), (52.9763, True),
    (52.9763001, False), (52.9663, True), (52.9662999, False), (52.9, False), (53, False),
    (52.98, False), (52.96, False)])
def test_two_decimals_means_half_a_hundredth_around_the_true_value(answer, correct):
    _number("t.two", 52.9713, unit="percent")
    assert ex.check("t.two", answer).correct is correct


@pytest.mark.parametrize("decimals, inside, outside", [(0, 7.5, 7.51), (1, 7.05, 7.06), (3, 7.0005, 7.0006)])
def test_tolerance_is_half_the_last_digit_asked_for_edges_included(decimals, inside, outside):
    _number("t.edge", 7, decimals=decimals)
    assert ex.check("t.edge", inside).correct and ex.check("t.edge", 14 - inside).correct
    assert not ex.check("t.edge", outside).correct and not ex.check("t.edge", 14 - outside).correct


def test_significant_figures():
    _number("t.sig", 1756.7567, decimals=None, sig=3)
    assert ex.precision_text("t.sig") == "to 3 significant figures"
    assert ex.check("t.sig", 1760).correct and ex.check("t.sig", 1755).correct
    assert not ex.check("t.sig", 1750).correct and not ex.check("t.sig", 1770).correct


def test_fewer_digits_than_asked_gets_the_precision_message():
    _number("t.coarse", 52.9713, unit="percent")
    for coarse in (53, "53", "53%", 53.0):
        feedback = ex.check("t.coarse", coarse)
        assert feedback.reason == "precision" and "2 decimal places" in feedback.text
    assert ex.check("t.coarse", 52.9).reason == "wrong"      # 1 decimal, but not 53.0 rounded
    assert ex.check("t.coarse", 54).reason == "wrong"        # not even the whole number


@pytest.mark.parametrize("unit, decimals, words", [
    ("percent", 2, "as a percentage to 2 decimal places"), ("percent", 1, "as a percentage to 1 decimal place"),
    ("percent", 0, "as a percentage to the nearest whole number"), ("plain", 0, "as a whole number"),
    ("plain", 2, "to 2 decimal places"), ("points", 1, "in percentage points to 1 decimal place"),
    ("pounds", 0, "in pounds to the nearest pound")])
def test_precision_text(unit, decimals, words):
    _number("t.words", 3, unit=unit, decimals=decimals)
    assert ex.precision_text("t.words") == words
    assert f"Give it {words}." in ex.check("t.words", ...).text


def test_precision_text_of_a_choice_is_empty():
    assert ex.precision_text("00.score_not_verdict") == ""


# ------------------------------------------------------------- readings


@pytest.mark.parametrize("text, value", [
    ("52.97", 52.97), (" 52.97 ", 52.97), ("-2.3", -2.3), ("\u22122.3", -2.3), ("\u20132.3", -2.3),
    ("2,345", 2345.0), ("1,234,567.5", 1234567.5), ("1e3", 1000.0), (".5", 0.5), (7, 7.0)])
def test_parse_number_readings(text, value):
    assert ex.parse_number(text) == [value]


@pytest.mark.parametrize("text", ["52,97", "1,23", "12,3456", "fifty", "5 0", "", "1.2.3", "nan", "inf",
                                  True, None, [50], "--2"])
def test_parse_number_refuses(text):
    assert ex.parse_number(text) == []


def test_percent_sign_only_for_percent_units_and_pound_only_for_pounds():
    assert ex.parse_number("52.97 %", "percent") == [52.97] == ex.parse_number("52.97%", "points")
    assert ex.parse_number("8.6 pp", "points") == [8.6] and ex.parse_number("8.6pp", "plain") == []
    assert ex.parse_number("5%", "plain") == [] and ex.parse_number("£5", "plain") == []
    assert ex.parse_number("£1,757", "pounds") == [1757.0]
    _number("t.plain", 3, decimals=0)
    feedback = ex.check("t.plain", "3%")
    assert not feedback.correct and "percentage" in feedback.text and feedback.reason == "unreadable"


def test_numpy_and_pandas_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    _number("t.np", 52.97, unit="percent")
    assert ex.check("t.np", np.float64(52.9703)).correct
    assert ex.check("t.np", pd.Series([52.97]).iloc[0]).correct
    assert ex.check("t.np", pd.NA).reason == "unanswered"
    assert ex.check("t.np", pd.Series([52.97])).reason == "unreadable"


@pytest.mark.parametrize("junk", ["fifty", "5 0 %x", [50], True, {"a": 1}])
def test_unreadable_number_says_so(junk):
    feedback = ex.check("02.denominator_m192", junk)
    assert not feedback.correct and feedback.reason == "unreadable" and "hint:" in feedback.text


# ------------------------------------------------------------- proportions and known wrong answers


def test_proportion_for_a_percentage_is_named_not_accepted():
    _number("t.pct", 52.97, unit="percent", wrong={53.26: "that is the other denominator"})
    feedback = ex.check("t.pct", 0.5297)
    assert not feedback.correct and feedback.reason == "proportion" and "proportion" in feedback.text
    both = ex.check("t.pct", 0.5326)  # a proportion AND a known wrong answer: both named
    assert "proportion" in both.text and "other denominator" in both.text
    assert ex.check("t.pct", "0.5297%").reason == "wrong"   # typed as a percentage: just wrong
    assert ex.check("t.pct", 0.4).reason == "proportion"     # any proportion-sized answer is flagged


def test_small_percentages_are_not_taken_for_proportions():
    _number("t.small", 0.8, unit="percent", decimals=1)
    assert ex.check("t.small", 0.8).correct and ex.check("t.small", "0.8%").correct


def test_known_wrong_answer_is_checked_at_the_question_precision():
    _number("t.wrong", 52.97, unit="percent", wrong={53.2589: "that is the at-caseness denominator"})
    for near in (53.26, 53.255, "53.26%"):
        feedback = ex.check("t.wrong", near)
        assert feedback.reason == "misconception" and "at-caseness" in feedback.text
        assert "hint:" in feedback.text
    assert ex.check("t.wrong", 53.27).reason == "wrong"


def test_a_known_wrong_answer_must_be_distinguishable_at_the_precision():
    with pytest.raises(ParameterError, match="cannot be told apart"):
        ex.make_entry("t.x", 52.97, kind="number", hint="h", decimals=0, wrong={53.26: "m"})
    ex.make_entry("t.x", 52.97, kind="number", hint="h", decimals=2, wrong={53.26: "m"})


def test_known_wrong_answers_are_not_stored_in_plain_text():
    entry = ex.make_entry("t.hide", 52.97, kind="number", hint="h", decimals=2,
                          wrong={53.26: "m"}, salt="x")
    text = str(entry)
    assert "52.97" not in text and "53.26" not in text
    choice = ex.make_entry("t.hidec", "b", kind="choice", hint="h", options=["a", "b", "elephant"],
                           wrong={"elephant": "too big"}, salt="x")
    assert "elephant" in str(choice["options"]) and "elephant" not in str(choice["wrong"])


# ------------------------------------------------------------- other kinds


@pytest.mark.parametrize("answer, correct", [
    ("2017-18", True), ("2017/18", True), ("2017-2018", True), ("2017\u201318", True), ("2017 to 2018", True),
    (" 2017 / 2018 ", True), ("2018-19", False), ("2016-17", False)])
def test_years(answer, correct):
    ex.register("t.year", ex.make_entry("t.year", "2017-18", kind="year", hint="h", salt="y"), replace=True)
    assert ex.check("t.year", answer).correct is correct


@pytest.mark.parametrize("answer", ["2017", "2017-19", "2017-2019", "17-18", "last year", 2017])
def test_a_year_that_is_not_a_financial_year_says_how_to_write_one(answer):
    ex.register("t.year", ex.make_entry("t.year", "2017-18", kind="year", hint="h", salt="y"), replace=True)
    feedback = ex.check("t.year", answer)
    assert feedback.reason == "unreadable" and '"2013-14"' in feedback.text


def test_century_boundary_year():
    ex.register("t.y2k", ex.make_entry("t.y2k", "1999-2000", kind="year", hint="h", salt="y"), replace=True)
    assert ex.check("t.y2k", "1999-00").correct and ex.check("t.y2k", "1999/2000").correct


@pytest.mark.parametrize("answer, correct", [
    ("y", True), ("Yes", True), (" YES ", True), (True, True), ("true", True), ("n", False),
    ("no", False), (False, False)])
def test_yes_no(answer, correct):
    ex.register("t.yn", ex.make_entry("t.yn", "yes", kind="yesno", hint="h", salt="y"), replace=True)
    assert ex.check("t.yn", answer).correct is correct


def test_yes_no_refuses_other_words():
    ex.register("t.yn", ex.make_entry("t.yn", "yes", kind="yesno", hint="h", salt="y"), replace=True)
    assert ex.check("t.yn", "maybe").reason == "unreadable"


def test_choice_outside_the_options_lists_them():
    ex.register("t.ch", ex.make_entry("t.ch", "b", kind="choice", hint="h", salt="c",
                                      options={"a": ["apple"], "b": ["banana"]}), replace=True)
    assert ex.check("t.ch", "Banana").correct and not ex.check("t.ch", "apple").correct
    feedback = ex.check("t.ch", "cherry")
    assert feedback.reason == "not_an_option" and '"a", "b"' in feedback.text
    assert ex.check("t.ch", ["b"]).reason == "unreadable"


def test_set_answers_in_any_order_and_form_and_unknown_items_named():
    entry = ex.make_entry("t.set", ["E2", "e5", "E1"], kind="set", hint="three ids", salt="x",
                          options=["E1", "E2", "E3", "E5", "E6"])
    ex.register("t.set", entry, replace=True)
    for answer in ("e1, e2, e5", ["E5", "E2", "E1"], {"e1", "e2", "e5"}, "E5;E1 E2", ("e1", "e1", "e2", "e5")):
        assert ex.check("t.set", answer).correct, answer
    for answer in ("e1, e2", "e1,e2,e5,e6", ["e1", "e2", "e3"]):
        assert ex.check("t.set", answer).reason == "wrong", answer
    feedback = ex.check("t.set", ["e1", "e9"])
    assert feedback.reason == "not_an_option" and "'e9'" in feedback.text and "'e1'" not in feedback.text


def test_items_per_item_feedback():
    entry = ex.make_entry("t.items", {"q1": ["Y", "PY"], "q2": ["N"]}, kind="items", hint="h", salt="i",
                          options={"Y": ["yes"], "PY": [], "N": ["no"]}, wrong={("q2", "Y"): "think again"})
    ex.register("t.items", entry, replace=True)
    assert ex.check("t.items", {"q1": "yes", "q2": "no"}).correct
    assert ex.check("t.items", "q1=PY; q2=N").correct
    partly = ex.check("t.items", {"q1": "Y", "q2": "Y"})
    assert partly.reason == "misconception" and "1 of 2" in partly.text and "q2: think again" in partly.text
    assert "missing q2" in ex.check("t.items", {"q1": "Y"}).text
    assert "no item q3" in ex.check("t.items", {"q1": "Y", "q2": "N", "q3": "N"}).text
    assert ex.check("t.items", {"q1": "Y", "q2": "perhaps"}).reason == "not_an_option"
    assert ex.check("t.items", ["Y", "N"]).reason == "unreadable"


# ------------------------------------------------------------- blanks, display, registry


@pytest.mark.parametrize("blank", [None, ..., "", "   ", float("nan"), [], set()])
def test_blank_answer_is_not_answered_yet_with_hint_not_an_exception(blank):
    feedback = ex.check("02.denominator_m192", blank)
    assert not feedback.correct and feedback.reason == "unanswered"
    assert feedback.text.startswith("○ Not answered yet") and "hint:" in feedback.text


def test_unknown_question_lists_close_ids():
    with pytest.raises(ex.UnknownQuestionError) as err:
        ex.check("02.denominator_m19", 50)
    assert "02.denominator_m192" in str(err.value)


def test_feedback_shows_symbol_and_words_not_colour_alone():
    good, bad = ex.check("02.denominator_m192", 52.97), ex.check("02.denominator_m192", 1)
    assert repr(good) == "✓ Correct" and str(bad).startswith("✗ Not yet — hint:")
    assert "✓ Correct" in good._repr_html_() and "Not yet" in bad._repr_html_()
    assert bool(good) and not bool(bad)


def test_make_entry_roundtrip_and_refusals():
    with pytest.raises(ParameterError, match="already exists"):
        ex.register("02.denominator_m192", {"kind": "number"})
    with pytest.raises(ParameterError, match="kind"):
        ex.register("t.bad", {"kind": "essay"})
    with pytest.raises(ParameterError, match="hint"):
        ex.make_entry("t.x", 1, kind="number", hint=" ", decimals=0)
    with pytest.raises(ParameterError, match="not a number"):
        ex.make_entry("t.x", "many", kind="number", hint="h", decimals=0)
    with pytest.raises(ParameterError, match="exactly one of decimals"):
        ex.make_entry("t.x", 1, kind="number", hint="h")
    with pytest.raises(ParameterError, match="exactly one of decimals"):
        ex.make_entry("t.x", 1, kind="number", hint="h", decimals=1, sig=2)
    with pytest.raises(ParameterError, match="not a valid choice"):
        ex.make_entry("t.x", "z", kind="choice", hint="h", options=["a", "b"])
    with pytest.raises(ParameterError, match="also accepted"):
        ex.make_entry("t.x", "a", kind="choice", hint="h", options=["a", "b"], wrong={"a": "m"})


def test_cli_add_prints_a_pasteable_entry(capsys):
    assert ex.main(["add", "t.cli", "--choice", "Yes", "--also-accept", "y", "--hint", "h",
                    "--salt", "ab"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('"t.cli": {') and "Yes" not in out and len(re.findall(r"[0-9a-f]{64}", out)) == 2
    assert ex.main(["add", "t.cli2", "--year", "2017/18", "--wrong", "2018-19=the highest", "--hint", "h"]) == 0
    assert "the highest" in capsys.readouterr().out


def test_every_shipped_entry_is_well_formed():
    for qid, entry in answers_module.ANSWERS.items():
        assert re.fullmatch(r"\d\d\.[a-z0-9_]+", qid)
        assert entry["kind"] in ex.KINDS and entry["hint"].strip()
        assert ("secret" in entry) == (entry["kind"] == "number")
        if entry["kind"] in ("choice", "set", "items"):
            assert entry["options"], qid


# ------------------------------------------------------------- progress


def test_progress_records_the_latest_check_and_never_shows_answers():
    assert ex.progress("00").done == 0
    ex.check("00.half_of_referrals", 693000)
    ex.check("00.denominators_9_2", {3})
    shown = ex.progress("00")
    assert shown.rows[0] == ("00.half_of_referrals", True) and shown.rows[1] == ("00.denominators_9_2", False)
    assert shown.done == 1 and "1 of 5" in str(shown) and "✓" in shown._repr_html_()
    assert "693" not in str(shown) and "not yet" in shown._repr_html_()
    ex.check("00.half_of_referrals", ...)  # answer removed again: the latest check counts
    assert ex.progress(0).done == 0


def test_progress_lists_questions_in_lesson_order():
    assert [q for q, _ in ex.progress("02").rows] == ex.question_ids("02")
    assert all(q.startswith("02.") for q in ex.question_ids("02"))


# ------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(value=st.floats(-1e5, 1e5, allow_nan=False), decimals=st.integers(0, 4),
       offset=st.floats(0, 0.999))
def test_number_within_half_a_unit_is_correct_and_outside_is_not(value, decimals, offset):
    _number("p.num", value, decimals=decimals)
    half = 0.5 * 10.0 ** -decimals
    assert ex.check("p.num", value + offset * half).correct
    assert ex.check("p.num", value - offset * half).correct
    outside = half * 1.001 + 1e-6 * max(1.0, abs(value))
    assert not ex.check("p.num", value + outside).correct
    assert not ex.check("p.num", value - outside).correct


@settings(max_examples=60, deadline=None)
@given(value=st.floats(1.5, 1e4, allow_nan=False), decimals=st.integers(0, 3))
def test_the_correctly_rounded_value_always_passes_and_a_proportion_never(value, decimals):
    _number("p.round", value, decimals=decimals, unit="percent")
    assert ex.check("p.round", f"{value:.{decimals}f}").correct
    assert ex.check("p.round", f"{value:.{decimals}f}%").correct
    assert not ex.check("p.round", value / 100).correct


@settings(max_examples=40, deadline=None)
@given(items=st.lists(st.text("abcXYZ019", min_size=1, max_size=4), min_size=1, max_size=5,
                      unique_by=str.casefold))
def test_set_is_order_and_case_free(items):
    ex.register("p.set", ex.make_entry("p.set", items, kind="set", hint="h", salt="q"), replace=True)
    assert ex.check("p.set", [i.upper() for i in reversed(items)]).correct
