"""The report's SVG charts (iaptlab.charts.report): one labelled image each, bars in proportion,
whole-number axes, labels never cut, nothing drawn that was not given, and no Altair on the way."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaptlab.charts.report import _count_axis, _text_width, bar_chart_svg, score_histogram_svg
from iaptlab.errors import ParameterError

PACKAGE = Path(__file__).resolve().parents[1] / "iaptlab"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML (HTML needs no namespace, so none is declared)


def _texts(svg: str) -> list[ET.Element]:
    return [e for e in _tree(svg).iter("text")]


def _bars(svg: str) -> list[ET.Element]:
    """Filled bars (not the white background, not a panel frame)."""
    return [e for e in _tree(svg).iter("rect") if e.get("fill") not in ("white", "none")]


def _bar(categories=("a", "b", "c"), lengths=(4, 1, 0), labels=("4", "1", "0"), **kw) -> str:
    return bar_chart_svg(list(categories), list(lengths), list(labels), title=kw.pop("title", "T"),
                         description=kw.pop("description", "a: 4; b: 1; c: 0"), **kw)


def test_a_chart_is_one_image_with_its_description():
    svg = _bar(description='a & "b" <c>: 4', id_prefix="c7")
    root = _tree(svg)
    assert root.tag == "svg" and root.get("role") == "img" and root.get("id") == "c7"
    assert root.get("aria-label") == 'a & "b" <c>: 4' and root[0].tag == "title" and root[0].text == 'a & "b" <c>: 4'
    assert svg.count("role=") == 1 and svg.count("aria-") == 1  # nothing inside has a role of its own
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width:g} {height:g}"


def test_bars_are_in_proportion_and_zero_or_missing_draws_no_bar():
    svg = _bar(categories=["a", "b", "c", "d"], lengths=[40, 10, 0, float("nan")], labels=["40", "10", "0", "*"])
    widths = [float(r.get("width")) for r in _bars(svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(4 * widths[1], rel=1e-3)
    texts = [t.text for t in _texts(svg)]
    assert {"a", "b", "c", "d", "40", "10", "0", "*"} <= set(texts)  # every label kept, bar or not


def test_percent_axis_runs_from_0_to_100_percent():
    svg = _bar(categories=["x", "y"], lengths=[1.0, 0.5], labels=["2/2", "1/2"], percent=True, axis_title="rate")
    ticks = [t.text for t in _texts(svg) if t.text and t.text.endswith("%")]
    assert ticks == [f"{p}%" for p in range(0, 101, 10)]
    full, half = (float(r.get("width")) for r in _bars(svg))
    assert full == pytest.approx(2 * half, rel=1e-3)
    with pytest.raises(ParameterError, match="between 0 and 1"):
        _bar(lengths=[1.01, 0, 0], percent=True)


@pytest.mark.parametrize(("lengths", "labels"), [([1, 2], ["1", "2", "3"]), ([1, 2, 3], ["1", "2"])])
def test_mismatched_inputs_are_refused(lengths, labels):
    with pytest.raises(ParameterError, match="same length"):
        bar_chart_svg(["a", "b", "c"], lengths, labels, title="T", description="d")


def test_negative_lengths_are_refused():
    with pytest.raises(ParameterError, match=">= 0"):
        _bar(lengths=[1, -1, 0])


@pytest.mark.parametrize(("top", "ticks"), [(0, [0, 1]), (1, [0, 1]), (2, [0, 1, 2]), (9, [0, 2, 4, 6, 8, 10]),
                                            (10, [0, 2, 4, 6, 8, 10]), (11, [0, 2, 4, 6, 8, 10, 12])])
def test_count_axis_ends_on_a_whole_tick_at_or_above_the_top(top, ticks):
    end, drawn = _count_axis(top, 5)
    assert drawn == ticks and end == ticks[-1]


@given(st.floats(min_value=0, max_value=1e8, allow_nan=False), st.integers(min_value=2, max_value=10))
def test_count_axis_ticks_are_whole_increasing_and_cover_the_top(top, count):
    end, ticks = _count_axis(top, count)
    assert ticks[0] == 0 and ticks[-1] == end >= top
    assert all(t == int(t) for t in ticks) and all(b > a for a, b in zip(ticks, ticks[1:], strict=False))
    assert len(ticks) <= 2 * count + 2  # a readable number of ticks
    step = ticks[1] - ticks[0]
    assert end - step < top or top == 0  # no empty tick step beyond the top


def _within(svg: str) -> None:
    """Every text element lies inside the image (estimated from its font size): nothing is cut."""
    root = _tree(svg)
    width = float(root.get("width"))
    for t in root.iter("text"):
        if t.get("transform"):
            continue  # rotated panel and axis names, placed at the left edge
        x, size, text = float(t.get("x")), float(t.get("font-size")), t.text or ""
        span = _text_width(text, size)
        start = {"start": x, "middle": x - span / 2, "end": x - span}[t.get("text-anchor", "start")]
        assert start >= -1 and start + span <= width + 1, (text, start, span, width)


def test_long_names_wrap_whole_and_long_labels_widen_the_chart():
    name = "reliably recovered (NHS Digital M192 denominator)"
    label = "1,234,567/1,234,567 (100.0%) and then some more words"
    svg = _bar(categories=[name, "other"], lengths=[1.0, 0.2], labels=[label, "x"], percent=True)
    lines = [t.text for t in _texts(svg) if t.text and len(t.text) > 5 and t.text in name]
    assert len(lines) == 2 and " ".join(lines) == name and all(len(line) <= 34 for line in lines)
    _within(svg)
    assert label in [t.text for t in _texts(svg)]


@given(st.lists(st.tuples(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                                  max_size=60),
                          st.floats(min_value=0, max_value=1e6, allow_nan=False)), min_size=1, max_size=8))
def test_any_names_and_counts_give_a_well_formed_image_with_nothing_cut(rows):
    svg = bar_chart_svg([n for n, _ in rows], [v for _, v in rows], [f"{v:,.0f}" for _, v in rows],
                        title="T", description="d")
    _within(svg)
    # nothing drawn that was not given: every text is a name line, a label, a tick, the title or axis
    given_texts = {f"{v:,.0f}" for _, v in rows} | {"T", "count"}
    for t in _texts(svg):
        text = t.text or ""
        assert text in given_texts or re.fullmatch(r"[\d,]+", text) or any(text in n for n, _ in rows), text


def _histogram(first=None, last=None, instrument="PHQ-9", **kw) -> str:
    first = [0.0] * 28 if first is None else first
    last = [0.0] * 28 if last is None else last
    return score_histogram_svg(first, last, instrument, title=kw.pop("title", "PHQ-9 scores"),
                               subtitle=kw.pop("subtitle", ""), description=kw.pop("description", "d"), **kw)


def test_histogram_draws_one_bar_per_score_with_episodes_in_each_panel():
    first = [0.0] * 28
    last = [0.0] * 28
    first[12], first[27], last[0], last[5] = 3, 1, 2, float("nan")  # NaN (suppressed) draws no bar
    svg = _histogram(first, last)
    bars = _bars(svg)
    assert [b.get("fill") for b in bars].count("#0072B2") == 2 and [b.get("fill") for b in bars].count("#E69F00") == 1
    texts = [t.text for t in _texts(svg)]
    assert "First" in texts and "Last" in texts  # panels are named, not told apart by colour alone
    assert texts.count("caseness ≥ 10") == 2 and "PHQ-9 score" in texts
    counts = [t for t in texts if re.fullmatch(r"[\d,]+", t or "") and t not in {str(s) for s in range(0, 29, 2)}]
    assert "3" in counts and not [t for t in texts if re.fullmatch(r"\d+\.\d+", t or "")]
    three, one = (float(b.get("height")) for b in bars if b.get("fill") == "#0072B2")
    assert three == pytest.approx(3 * one, rel=1e-3)


def test_histogram_caseness_sign_follows_the_instrument():
    assert "caseness ≥ 8" in _histogram([0.0] * 22, [0.0] * 22, "GAD-7")
    assert "caseness &gt;" not in _histogram()


@pytest.mark.parametrize(("first", "last"), [([0.0] * 27, [0.0] * 28), ([0.0] * 28, [0.0] * 29)])
def test_histogram_needs_one_count_per_score(first, last):
    with pytest.raises(ParameterError, match="28 counts"):
        _histogram(first, last)


def test_histogram_refuses_negative_counts():
    with pytest.raises(ParameterError, match=">= 0"):
        _histogram([-1.0] + [0.0] * 27)


def test_histogram_subtitle_wraps_whole_and_nothing_is_cut():
    subtitle = ("Dashed line: caseness ≥ 10; missing scores are in the table. Counts rounded to 5; bars of * "
                "(1-7 episodes, or hidden to protect another count) are not drawn.")
    svg = _histogram([5.0] * 28, [1_000_000.0] + [0.0] * 27, subtitle=subtitle)
    lines = [t.text for t in _texts(svg) if t.get("fill") == "#444"]
    assert len(lines) >= 2 and " ".join(lines) == subtitle
    _within(svg)
    assert "1,000,000" in [t.text for t in _texts(svg)]


def test_same_inputs_give_the_same_bytes():
    assert _histogram([1.0] * 28, [2.0] * 28) == _histogram([1.0] * 28, [2.0] * 28)
    assert _bar() == _bar()


def _module_imports(path: Path) -> set[str]:
    """Modules imported at the top level of ``path`` (not inside functions or TYPE_CHECKING)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize("module", ["charts/report.py", "charts/theme.py"])
def test_the_report_charts_import_no_altair(module):
    imports = _module_imports(PACKAGE / module)
    assert not {m for m in imports if m.split(".")[0] == "altair" or m in (".live", ".layout", ".inputs")}


def test_the_report_takes_only_the_svg_writer_from_charts():
    imports = _module_imports(PACKAGE / "report.py")
    assert {m for m in imports if "charts" in m} == {".charts.report"}


_EAGER_CHARTS = ".gap" in _module_imports(PACKAGE / "charts" / "__init__.py")


@pytest.mark.xfail(_EAGER_CHARTS, strict=True,
                   reason="iaptlab/charts/__init__.py still imports every chart module (and Altair) eagerly")
def test_writing_a_report_imports_no_altair():
    import subprocess
    import sys

    code = "import sys, iaptlab.report; print('altair' in sys.modules, 'vl_convert' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_long_title_widens_the_image_instead_of_being_cut():
    title = "Outcome rates of a service with a very long name, for a very long period of time"
    _within(_bar(title=title))
    _within(_histogram(title=title))
    assert float(_tree(_bar(title=title)).get("width")) > float(_tree(_bar()).get("width"))
