"""The offline site's explorers that move in the page: labelled controls, their data, the note.

The page itself (moving a control, the chart, table and sentence equal to Python's) is tested in
tests/browser/test_offline_site.py; here the HTML the site writes, and the page's number format
for the chart's data table run under node.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from fractions import Fraction
from importlib.resources import files

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import site
from iaptlab.explorers import REGISTRY
from iaptlab.widgets import Control

NODE = shutil.which("node")
IN_PAGE = site.in_page_explorers()
NEEDS_PYTHON = [key for key in REGISTRY if key not in IN_PAGE]


def _explorer_cell(key: str) -> nbformat.NotebookNode:
    """A ``show(key)`` cell with the outputs a kernel gives: chart, table, static default sentence."""
    spec = {"mark": "bar", "description": f"{key}: the default.", "data": {"values": [{"x": 1}]}}
    outputs = [
        {"output_type": "display_data", "metadata": {},
         "data": {"application/vnd.vegalite.v6+json": spec, "text/plain": "<chart>"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"text/html": '<table class="iaptlab-table"><caption>Default settings</caption>'
                               "<tr><td>1</td></tr></table>"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"text/html": '<p class="iaptlab-static-default"><strong>Default:</strong> one.</p>'}},
    ]
    cell = nbformat.v4.new_code_cell(f'show("{key}")')
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def _page(*keys: str, edition: str = "learner") -> str:
    cells = [nbformat.v4.new_markdown_cell("# 04 · A lesson"), *(_explorer_cell(k) for k in keys)]
    body, _, _ = site.render_lesson(nbformat.v4.new_notebook(cells=cells), "04_x.ipynb", edition=edition)
    return body


def _ids(body: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', body)


def _assert_every_reference_resolves(body: str) -> None:
    ids = _ids(body)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', body):
        assert target in ids, target
    for described in re.findall(r'aria-describedby="([^"]+)"', body):
        assert all(part in ids for part in described.split()), described


def test_the_in_page_explorers_are_the_registrys_with_a_browser_copy():
    assert set(IN_PAGE) == {k for k, e in REGISTRY.items() if e.browser() is not None}
    assert {"00.example_cases", "01.measurement_error", "04.predictive_values", "06.national"} <= set(IN_PAGE)
    assert NEEDS_PYTHON, "some explorer still needs Python (e.g. lesson 07's)"


@pytest.mark.parametrize("key", IN_PAGE)
def test_each_in_page_explorer_gets_a_labelled_control_per_control_spec(key):
    body = _page(key)
    section = re.search(r'<section class="explorer" id="([^"]+)" data-explorer="([^"]+)"', body)
    assert section and section.group(2) == key
    prefix = section.group(1)
    _assert_every_reference_resolves(body)
    assert f'<div class="explorer-live" id="{prefix}-controls" hidden>' in body  # shown by the page script
    for control in REGISTRY[key].controls:
        group = re.search(rf'<(div|fieldset) class="iaptlab-row control[^"]*" data-control="{control.name}"'
                          rf'.*?</\1>(?=<div class="iaptlab-row|<fieldset|<button)', body, re.S)
        assert group, control.name
        text = group.group(0)
        label = html.escape(control.label)
        if control.kind in ("int", "float"):
            field = re.search(r'<input type="range" id="([^"]+)"', text).group(1)
            assert f'<label for="{field}">{label}</label>' in text
            assert f'<label class="visually-hidden" for="{field}-box">{label} (type a value)</label>' in text
            assert f'type="number" id="{field}-box"' in text
            for name, value in (("min", control.minimum), ("max", control.maximum), ("value", control.default)):
                assert float(re.search(rf'id="{field}" [^>]*{name}="([^"]+)"', text).group(1)) == value
        elif control.kind == "choice":
            assert f"<legend>{label}</legend>" in text
            assert text.count('type="radio"') == len(control.options) and text.count(" checked") == 1
            default = [value for value, _ in control.options].index(control.default)
            assert re.search(rf'value="{default}" checked>', text)
            for _, option in control.options:
                assert f">{html.escape(option)}</label>" in text
        else:
            assert 'type="checkbox"' in text and f">{label}</label>" in text
            assert (" checked" in text) == bool(control.default)
        if control.help:
            assert 'aria-describedby="' in text and html.escape(control.help) in text
    assert body.count('<button type="button" class="explorer-reset">Reset to defaults</button>') == 1
    assert 'class="explorer-sentence" aria-live="polite"' in body
    assert body.index("explorer-live") < body.index('class="chart"') < body.index("explorer-table") \
        < body.index("explorer-sentence")  # controls, then the static default as the kernel showed it


@pytest.mark.parametrize("key", IN_PAGE)
def test_the_page_carries_the_explorers_script_and_data_as_json(key):
    body = _page(key)
    blob = re.search(r'<script type="application/json" id="explorer-[^"]+-data">(.*?)</script>', body, re.S)
    assert blob and "</" not in blob.group(1)  # nothing in it can close the script element
    data = json.loads(blob.group(1))
    browser = REGISTRY[key].browser()
    assert data["key"] == key and data["chart"] == "chart-1"
    assert data["script"] == browser.script and data["data"] == json.loads(json.dumps(browser.data))
    assert [c["name"] for c in data["controls"]] == [c.name for c in REGISTRY[key].controls]
    assert all(c["default"] == spec.default for c, spec in zip(data["controls"], REGISTRY[key].controls, strict=True))
    note = body[body.index('class="run-live"'):]
    assert "The controls above work in this page." in note and "To move the controls" not in body
    assert "Binder" in note and "iaptlab lab" in note


@pytest.mark.parametrize("key", NEEDS_PYTHON[:3])
def test_an_explorer_that_needs_python_gets_no_controls_and_the_run_live_note(key):
    body = _page(key)
    assert "explorer-live" not in body and "<input" not in body and 'section class="explorer"' not in body
    assert "To move the controls, run this lesson live." in body
    assert body.index("iaptlab-static-default") < body.index("run this lesson live")


def test_the_instructor_edition_gets_no_in_page_controls():
    body = _page(IN_PAGE[0], edition="instructor")
    assert "explorer-live" not in body and "To move the controls" in body


def test_two_explorers_on_one_page_and_the_same_one_twice_keep_ids_unique():
    body = _page(*IN_PAGE, IN_PAGE[0], NEEDS_PYTHON[0])
    _assert_every_reference_resolves(body)
    sections = re.findall(r'<section class="explorer" id="([^"]+)"', body)
    assert len(sections) == len(IN_PAGE) + 1 and len(set(sections)) == len(sections)
    charts = [json.loads(b)["chart"] for b in re.findall(r'type="application/json" id="[^"]+-data">(.*?)</script>',
                                                     body)]
    assert charts == [f"chart-{i + 1}" for i in range(len(IN_PAGE) + 1)]  # each its own chart


def test_an_explorer_cell_without_its_chart_keeps_the_static_default():
    cell = _explorer_cell(IN_PAGE[0])
    cell.outputs = cell.outputs[1:]  # no chart: nothing for the page to redraw
    body, _, _ = site.render_lesson(nbformat.v4.new_notebook(cells=[cell]), "04_x.ipynb")
    assert "explorer-live" not in body and "To move the controls" in body


def test_controls_of_every_kind_at_their_edges():
    controls = (Control("n", "A number", "float", 0.5, 0.0, 1.0),  # no step: a hundredth of the range
                Control("k", "A count", "int", 0, 0, 27, step=3),
                Control("c", "Pick", "choice", 2, options=((1, "one"), (2, "two <b>"))),
                Control("b", "Yes?", "bool", False, help="Say"))
    out = site.explorer_controls(controls, "p")
    _assert_every_reference_resolves(out)
    assert 'id="p-n" min="0" max="1" step="0.01" value="0.5"' in out
    assert 'id="p-k" min="0" max="27" step="3" value="0"' in out
    assert 'value="1" checked>' in out and 'value="0">' in out and "two &lt;b&gt;</label>" in out
    assert 'id="p-b" aria-describedby="p-b-help">' in out and "checked" not in out.split('id="p-b"')[1][:20]
    assert "aria-describedby" not in out.split('data-control="n"')[1].split("</div></div>")[0]  # no help, none


def test_the_print_stylesheet_hides_the_controls_and_the_page_script_unhides_them():
    css = (files("iaptlab") / "site_assets" / "site.css").read_text(encoding="utf-8")
    hidden = re.search(r"@media print \{\s*([^{]*)\{\s*display: none !important;", css).group(1)
    assert ".explorer-live" in hidden
    js = (files("iaptlab") / "site_assets" / "site.js").read_text(encoding="utf-8")
    assert "panel.hidden = false" in js and "fetch(" not in js and "import(" not in js


# ---------------------------------------------------------------- the data table's numbers, under node

_CELL_TEXT = re.search(r"function cellText[\s\S]*?\n  }\n[\s\S]*?function fourDigitsAsPython[\s\S]*?\n  }\n",
                       (files("iaptlab") / "site_assets" / "site.js").read_text(encoding="utf-8")).group(0)


def _cell_texts_in_python(values: list) -> list[str]:
    """The chart data table's cell texts the site writes (``chart_figure``) for ``values``."""
    figure = site.chart_figure({"mark": "bar", "data": {"values": [{"v": v} for v in values]}}, 1)
    return [html.unescape(t) for t in re.findall(r"<td>(.*?)</td>", figure)]


def _cell_texts_in_page(values: list) -> list[str]:
    script = _CELL_TEXT + "process.stdout.write(JSON.stringify(JSON.parse(require('fs').readFileSync(0, 'utf8')).map(cellText)));"
    run = subprocess.run([NODE, "-e", script], input=json.dumps(values), capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_pages_data_table_numbers_match_pythons_at_the_edges():
    values = [0.59459, 12345.6, 9999.95, 9999.94, 1.23456e-5, 0.0001, 0.00009999, -0.5, 20, 1234567, None, "a",
              -0.0, 0.1 + 0.2,
              # exact ties at the fifth digit: Python rounds them to the even digit, JavaScript up
              100.25, 100.75, 1234.5, 1235.5, 2.5625, -100.25, 9999.5, 9998.5, 0.0078125, -0.0078125]
    assert _cell_texts_in_page(values) == _cell_texts_in_python(values)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@settings(max_examples=5, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
                .filter(lambda x: not x.is_integer()), min_size=1, max_size=60))
def test_the_pages_data_table_numbers_match_pythons_for_any_fraction(values):
    # a whole-number float cannot be told from an int in JSON: the page writes it as Python's int
    assert _cell_texts_in_page(values) == _cell_texts_in_python(values)


def _exact_ties() -> st.SearchStrategy[float]:
    """Numbers whose binary value is exactly a five-digit decimal ending in 5 (100.25, 2.5625):
    rounding them to four digits is a tie, which Python breaks to the even digit."""
    def tie(digits: int, shift: int, negative: bool) -> float:
        value = digits / 10**shift
        return -value if negative else value
    return (st.builds(tie, st.integers(1000, 9999).map(lambda k: 10 * k + 5), st.integers(1, 4), st.booleans())
            .filter(lambda v: Fraction(v) == Fraction(repr(v))))


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@settings(max_examples=5, deadline=None)
@given(st.lists(_exact_ties(), min_size=1, max_size=30))
def test_the_pages_data_table_breaks_ties_as_python_does(values):
    assert _cell_texts_in_page(values) == _cell_texts_in_python(values)
