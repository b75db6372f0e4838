"""The explorer glue: controls as data, sweeps over extremes, and the live widget's behaviour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

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


def _pandas_table_html(table: pd.DataFrame, caption: str = "") -> str:
    """table_html as pandas alone writes it (the reference for its own fast writer)."""
    import html
    import re

    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = table.to_html(index=False, border=0, classes="iaptlab-table", escape=True)
    return re.sub(r"<table[^>]*>", f'<table class="iaptlab-table">{cap}', body, count=1)


_CELL_TEXT = st.one_of(st.text(alphabet=st.sampled_from(list("ab <>&'\"% \t\n\r-1.é")), max_size=8),
                       st.sampled_from(["1  1", "a   b", " a  b ", "x\t  y"]))  # pairs of spaces: &nbsp;
_DECIMALS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-6, 9.99e-7, -1e-6, 1e6, 1e6 + 0.5, -1e6, 12.5, 0.1, 100.0, 2 / 3, 5e-7]),
    st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False).map(float))


@st.composite
def _small_tables(draw) -> pd.DataFrame:
    rows = draw(st.integers(0, 4))
    kinds = draw(st.lists(st.sampled_from(["str", "str_missing", "int", "bool", "float", "object"]),
                          min_size=1, max_size=4))
    columns = {}
    for i, kind in enumerate(kinds):
        name = draw(st.sampled_from(["rate (%)", "a<b & c", " who ", "x", "two  spaces"])) + str(i)
        if kind == "str":
            columns[name] = pd.array(draw(st.lists(_CELL_TEXT, min_size=rows, max_size=rows)), dtype="str")
        elif kind == "str_missing":
            columns[name] = pd.array(draw(st.lists(st.one_of(st.none(), _CELL_TEXT), min_size=rows,
                                                   max_size=rows)), dtype="str")
        elif kind == "int":
            columns[name] = np.array(draw(st.lists(st.integers(-10**9, 10**9), min_size=rows, max_size=rows)),
                                     dtype=np.int64)
        elif kind == "bool":
            columns[name] = np.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype=bool)
        elif kind == "float":
            columns[name] = np.array(draw(st.lists(_DECIMALS, min_size=rows, max_size=rows)), dtype=float)
        else:
            columns[name] = pd.Series(draw(st.lists(st.one_of(st.integers(), _CELL_TEXT), min_size=rows,
                                                    max_size=rows)), dtype=object)
    return pd.DataFrame(columns)


@settings_(max_examples=300, deadline=None)
@given(_small_tables())
def test_table_html_writes_what_pandas_writes(table):
    assert table_html(table, caption="c") == _pandas_table_html(table, caption="c")


@pytest.mark.parametrize("values", [[0.5, 0.25], [1.0, 2.0], [10.0, -0.0], [float("nan"), 3.0], [1e-6, 1.0],
                                    [9.99e-7, 1.0], [1e6, 1.0], [1e6 + 1, 1.0], [float("inf"), 1.0],
                                    [0.1234567, 2.0]])
def test_table_html_decimals_at_pandas_thresholds(values):
    table = pd.DataFrame({"rate": values, "who": ["a", "b"]})
    assert table_html(table) == _pandas_table_html(table)


def test_table_html_follows_pandas_display_options():
    table = pd.DataFrame({"rate": [0.123456789, 2.0]})
    with pd.option_context("display.precision", 3):
        assert table_html(table) == _pandas_table_html(table) and "0.123<" in table_html(table)
    with pd.option_context("display.float_format", "{:.2f}".format):
        assert table_html(table) == _pandas_table_html(table) and "2.00<" in table_html(table)


def test_explorer_tables_take_the_fast_writer():
    from iaptlab.widgets import _plain_table_html

    table = pd.DataFrame({"who": pd.array(["a", "b"], dtype="str"), "n": [1, 2], "rate (%)": [50.0, 12.5]})
    assert _plain_table_html(table) is not None
    assert _plain_table_html(table.assign(when=pd.to_datetime(["2020-01-01", "2020-01-02"]))) is None


def test_settings_fill_defaults_and_keep_given_values():
    controls = (Control("a", "A", "int", 1, 0, 2), Control("b", "B", "bool", True))
    assert settings(controls, {}) == {"a": 1, "b": True}
    assert settings(controls, {"b": False}) == {"a": 1, "b": False}
    assert settings(controls, {"a": 0, "b": False}) == {"a": 0, "b": False}


def test_settings_name_an_unknown_control():
    controls = (Control("a", "A", "int", 1, 0, 2),)
    with pytest.raises(ParameterError, match=r"unknown control\(s\) \['typo'\]; known: \['a'\]"):
        settings(controls, {"a": 2, "typo": 1})
