"""The explorer glue: controls as data, sweeps over extremes, and the live widget's behaviour."""

from __future__ import annotations

import pandas as pd
import pytest

from iaptlab.errors import ParameterError
from iaptlab.widgets import Control, Result, build, defaults, settings, sweep, table_html

CONTROLS = (
    Control("cut", "Cut-off", "int", 10, 0, 27),
    Control("share", "Share", "float", 0.5, 0.0, 1.0, step=0.1),
    Control("rule", "Rule", "choice", ">=", options=((">=", "at least"), (">", "more than"))),
    Control("strict", "Strict", "bool", False),
)


def compute(cut=10, share=0.5, rule=">=", strict=False) -> Result:
    if cut == 13:
        raise ValueError("thirteen is not allowed here")
    table = pd.DataFrame({"setting": ["cut", "share"], "value": [str(cut), f"{share:.1f}"]})
    return Result(table, chart=None, sentence=f"cut {cut}, share {share:.1f}, rule {rule}, strict {strict}")


def test_control_checks_its_default():
    with pytest.raises(ParameterError, match="cut"):
        Control("cut", "Cut-off", "int", 30, 0, 27)
    with pytest.raises(ParameterError, match="not an option"):
        Control("rule", "Rule", "choice", "=", options=((">=", "a"),))
    with pytest.raises(ParameterError, match="unknown kind"):
        Control("x", "X", "text", "a")  # type: ignore[arg-type]


def test_sweep_moves_one_control_at_a_time_over_its_extremes():
    runs = list(sweep(CONTROLS))
    base = defaults(CONTROLS)
    assert base in runs
    for params in runs:
        assert sum(params[k] != base[k] for k in base) <= 1
    assert {p["cut"] for p in runs} == {0, 10, 27}
    assert {p["share"] for p in runs} == {0.0, 0.5, 1.0}
    assert {p["rule"] for p in runs} == {">=", ">"}
    assert {p["strict"] for p in runs} == {False, True}
    assert len(runs) == len({tuple(sorted(p.items())) for p in runs})  # no duplicates


def test_live_widget_updates_sentence_and_table_and_resets():
    box = build(compute, CONTROLS, title="Demo")
    assert "cut 10" in box.sentence.value
    box.controls["cut"].value = 20
    assert "cut 20" in box.sentence.value and "<td>20</td>" in box.table.value
    box.controls["rule"].value = ">"
    assert "rule &gt;" in box.sentence.value
    reset = next(c for c in box.children if getattr(c, "description", "") == "Reset to defaults")
    reset.click()
    assert "cut 10, share 0.5, rule &gt;=, strict False" in box.sentence.value


def test_slider_and_number_box_are_linked_and_labelled():
    box = build(compute, CONTROLS)
    slider = box.controls["cut"]
    row = next(c for c in box.children if hasattr(c, "children") and slider in c.children)
    number = next(c for c in row.children if c is not slider)
    number.value = 7
    assert slider.value == 7 and "cut 7" in box.sentence.value
    assert slider.description == "Cut-off"
    assert all(w.description for w in box.controls.values())


def test_error_in_compute_is_shown_in_words_not_raised():
    box = build(compute, CONTROLS)
    box.controls["cut"].value = 13
    def alerts():
        return [c.value for c in box.children if isinstance(getattr(c, "value", None), str)
                and 'role="alert"' in c.value]

    assert alerts() and "thirteen is not allowed" in alerts()[0]
    box.controls["cut"].value = 12
    assert not alerts()


def test_table_html_has_caption_and_escapes():
    out = table_html(pd.DataFrame({"a<b": ["<script>"]}), caption="Default & more")
    assert "<caption>Default &amp; more</caption>" in out
    assert "<script>" not in out


def test_settings_fill_defaults_and_keep_given_values():
    controls = (Control("a", "A", "int", 1, 0, 2), Control("b", "B", "bool", True))
    assert settings(controls, {}) == {"a": 1, "b": True}
    assert settings(controls, {"b": False}) == {"a": 1, "b": False}
    assert settings(controls, {"a": 0, "b": False}) == {"a": 0, "b": False}


def test_settings_name_an_unknown_control():
    controls = (Control("a", "A", "int", 1, 0, 2),)
    with pytest.raises(ParameterError, match=r"unknown control\(s\) \['typo'\]; known: \['a'\]"):
        settings(controls, {"a": 2, "typo": 1})
