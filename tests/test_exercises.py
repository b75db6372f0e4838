"""Tests for iaptlab.exercises: tolerance edges, equivalent forms, hints, and hidden answers.

The test knows the plaintext answers (the brief fixes them: 50 and 10 percent, "PHQ-9"); the
package must not show them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iaptlab._answers as answers_module
import iaptlab._answers.lesson_00 as lesson_00_answers
from iaptlab import exercises as ex
from iaptlab.errors import ParameterError

ANSWERS_FILE = Path(lesson_00_answers.__file__)


# ------------------------------------------------------------- the shipped lesson-00 questions


@pytest.mark.parametrize("answer", [50, 50.0, "50", "50%", " 50 % ", 0.5, "0.5", 49, 51, "49%", 0.51])
def test_recovery_claim_accepts_equivalent_forms_and_tolerance_edges(answer):
    # 50 percent with tolerance 1 point: 49 and 51 are exactly on the (inclusive) edges.
    assert ex.check("00.recovery_claim", answer).correct


@pytest.mark.parametrize("answer", [48.99, 51.01, "52%", 0.4899, 0.5101, 5, 500, "5000%"])
def test_recovery_claim_rejects_just_outside_tolerance(answer):
    feedback = ex.check("00.recovery_claim", answer)
    assert not feedback.correct
    assert "hint:" in feedback.text


@pytest.mark.parametrize("answer, correct", [(9, True), (11, True), (0.09, True), (0.11, True),
                                             ("9.2%", True), (8.99, False), (11.01, False),
                                             (0.0899, False), (0.1101, False)])
def test_interview_claim_edges_both_sides(answer, correct):
    # 10 percent +/- 1; 0.09 * 100 is 9.000000000000002 in floating point, still accepted.
    assert ex.check("00.interview_claim", answer).correct is correct


@pytest.mark.parametrize("answer", ["PHQ-9", "phq9", " Phq 9 ", "a", "(a)", "A"])
def test_choice_is_case_space_and_punctuation_tolerant(answer):
    assert ex.check("00.which_is_self_report", answer).correct


@pytest.mark.parametrize("answer", ["b", "GAD-7", "interview", "phq"])
def test_wrong_choice_gets_the_hint(answer):
    feedback = ex.check("00.which_is_self_report", answer)
    assert not feedback.correct
    assert ex._REGISTRY["00.which_is_self_report"]["hint"] in feedback.text


@pytest.mark.parametrize("blank", [None, ..., "", "   ", float("nan")])
def test_blank_answer_is_not_yet_with_hint_not_an_exception(blank):
    feedback = ex.check("00.recovery_claim", blank)
    assert not feedback.correct and "no answer yet" in feedback.text and "hint:" in feedback.text


@pytest.mark.parametrize("junk", ["fifty", "5 0 %x", [50], True])
def test_unreadable_number_says_so(junk):
    feedback = ex.check("00.recovery_claim", junk)
    assert not feedback.correct and "could not read" in feedback.text


def test_unknown_question_lists_close_ids():
    with pytest.raises(ex.UnknownQuestionError) as err:
        ex.check("00.recovery_claims", 50)
    assert "00.recovery_claim" in str(err.value)


def test_no_plaintext_answer_in_answers_file():
    text = ANSWERS_FILE.read_text(encoding="utf-8")
    for number in ("50", "10", "9.2", "0.5", "0.1"):
        assert not re.search(rf"(?<![\w.]){re.escape(number)}(?![\w])", text), number
    assert not re.search(r"phq", text, re.IGNORECASE)
    assert "percent" in text  # sanity: the file is the one holding the entries


# ------------------------------------------------------------- feedback display


def test_feedback_shows_symbol_and_words_not_colour_alone():
    good, bad = ex.check("00.recovery_claim", 50), ex.check("00.recovery_claim", 1)
    assert repr(good) == "✓ Correct" and str(bad).startswith("✗ Not yet — hint:")
    assert "✓ Correct" in good._repr_html_() and "Not yet" in bad._repr_html_()
    assert bool(good) and not bool(bad)


# ------------------------------------------------------------- authoring and registry


def test_make_entry_number_roundtrip_and_percent_unit():
    entry = ex.make_entry("t.num", "52.6%", kind="number", unit="percent", tolerance=0.05,
                          hint="h", salt="s1")
    ex.register("t.num", entry, replace=True)
    assert "52.6" not in str(entry)
    assert ex.check("t.num", 0.526).correct and ex.check("t.num", "52.65").correct
    assert not ex.check("t.num", 52.66).correct  # 0.06 > 0.05


def test_plain_unit_refuses_percent_sign():
    ex.register("t.plain", ex.make_entry("t.plain", 3, kind="number", hint="h", salt="s"),
                replace=True)
    assert ex.check("t.plain", "3").correct
    assert not ex.check("t.plain", "3%").correct
    assert not ex.check("t.plain", 0.03).correct  # no proportion reading without unit=percent


def test_zero_tolerance_is_exact():
    ex.register("t.exact", ex.make_entry("t.exact", 7, kind="number", hint="h", salt="s"),
                replace=True)
    assert ex.check("t.exact", 7.0).correct and not ex.check("t.exact", 7.001).correct


def test_set_answers_in_any_order_and_form():
    entry = ex.make_entry("t.set", ["E2", "e5", "E1"], kind="set", hint="three ids", salt="x")
    ex.register("t.set", entry, replace=True)
    for answer in ("e1, e2, e5", ["E5", "E2", "E1"], {"e1", "e2", "e5"}, "E5;E1 E2", ("e1", "e1", "e2", "e5")):
        assert ex.check("t.set", answer).correct, answer
    for answer in ("e1, e2", "e1,e2,e5,e6", ["e1", "e2", "e3"]):
        assert not ex.check("t.set", answer).correct, answer


def test_register_refuses_duplicates_and_bad_specs():
    with pytest.raises(ParameterError, match="already exists"):
        ex.register("00.recovery_claim", {"kind": "number"})
    with pytest.raises(ParameterError, match="kind"):
        ex.register("t.bad", {"kind": "essay"})
    with pytest.raises(ParameterError, match="hint"):
        ex.make_entry("t.x", 1, kind="number", hint=" ")
    with pytest.raises(ParameterError, match="not a number"):
        ex.make_entry("t.x", "many", kind="number", hint="h")
    with pytest.raises(ParameterError, match="tolerance"):
        ex.make_entry("t.x", 1, kind="number", hint="h", tolerance=-1)


def test_cli_add_prints_a_pasteable_entry(capsys):
    assert ex.main(["add", "t.cli", "--choice", "Yes", "--also-accept", "y", "--hint", "h",
                    "--salt", "ab"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('"t.cli": {') and "Yes" not in out and len(re.findall(r"[0-9a-f]{64}", out)) == 2


def test_every_shipped_entry_is_well_formed():
    for qid, entry in answers_module.ANSWERS.items():
        assert re.fullmatch(r"\d\d\.[a-z0-9_]+", qid)
        assert entry["kind"] in ex.KINDS and entry["hint"].strip()
        assert ("secret" in entry) == (entry["kind"] == "number")


# ------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(value=st.floats(-1e6, 1e6, allow_nan=False), tol=st.floats(0, 100),
       offset=st.floats(0, 1))
def test_number_within_tolerance_is_correct_and_outside_is_not(value, tol, offset):
    entry = ex.make_entry("p.num", value, kind="number", hint="h", tolerance=tol, salt="p")
    ex.register("p.num", entry, replace=True)
    assert ex.check("p.num", repr(value + offset * tol)).correct
    assert ex.check("p.num", repr(value - offset * tol)).correct
    outside = tol + 1e-6 * max(1.0, abs(value)) + 1e-3
    assert not ex.check("p.num", repr(value + outside)).correct
    assert not ex.check("p.num", repr(value - outside)).correct


@settings(max_examples=40, deadline=None)
@given(items=st.lists(st.text("abcXYZ019", min_size=1, max_size=4), min_size=1, max_size=5,
                      unique_by=str.casefold))
def test_set_is_order_and_case_free(items):
    ex.register("p.set", ex.make_entry("p.set", items, kind="set", hint="h", salt="q"), replace=True)
    assert ex.check("p.set", [i.upper() for i in reversed(items)]).correct
