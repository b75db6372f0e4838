"""The offline site (iaptlab.site): its checker agrees with check(), its forms, pages and build.

The full site (every lesson executed, in a real browser) is tested in tests/browser/test_offline_site.py;
here a one-lesson site is built from a tiny notebook, and the page logic is run under node.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

import nbformat
import pytest
import test_answer_cases as cases
from hypothesis import given, settings
from hypothesis import strategies as st

from iaptlab import exercises as ex
from iaptlab import site
from iaptlab.cli import main
from iaptlab.errors import ParameterError
from iaptlab.lesson_files import lesson_list

CHECKER = files("iaptlab") / "site_assets" / "checker.js"
NODE = shutil.which("node")

# Runs checker.js under node on [question id, tagged answer] pairs; prints [correct, reason, text].
_NODE_HARNESS = r"""
const c = require(process.argv[1]);
const data = JSON.parse(require("fs").readFileSync(0, "utf8"));
function untag(v) {
  if (Array.isArray(v)) return v.map(untag);
  if (v && typeof v === "object") {
    if ("$float" in v) return new c.PyFloat(v["$float"]);
    if ("$ellipsis" in v) return undefined;
    if ("$set" in v) return new Set(v["$set"].map(untag));
    if ("$dict" in v) return new Map(v["$dict"].map(kv => [kv[0], untag(kv[1])]));
  }
  return v;
}
const out = data.cases.map(([q, a]) => {
  const r = c.check(q, data.entries[q], untag(a), data.blank || undefined);
  return [r.correct, r.reason, r.text];
});
process.stdout.write(JSON.stringify(out));
"""


def _tag(value: object) -> object:
    """A Python answer as JSON the harness turns back into the same Python-like value."""
    if value is None or isinstance(value, bool | str):
        return value
    if value is Ellipsis:
        return {"$ellipsis": True}
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return {"$float": value} if value.is_integer() else value
    if isinstance(value, list | tuple):
        return [_tag(v) for v in value]
    if isinstance(value, set | frozenset):
        return {"$set": [_tag(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[k, _tag(v)] for k, v in value.items()]}
    raise TypeError(value)


def _run_js(pairs: list[tuple[str, object]], blank: str = "") -> list[list]:
    entries = {q: ex.question_entry(q) for q in ex.question_ids()}
    payload = json.dumps({"entries": entries, "cases": [[q, _tag(a)] for q, a in pairs], "blank": blank})
    done = subprocess.run([NODE, "-e", _NODE_HARNESS, str(CHECKER)], input=payload, capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _table_cases() -> list[tuple[str, object]]:
    pairs = [(q, a) for q, answers in cases.RIGHT.items() for a in answers]
    pairs += [(q, a) for q, wrong in cases.MISCONCEPTIONS.items() for a, _ in wrong]
    pairs += [(q, a) for q, answers in cases.WRONG.items() for a in answers]
    pairs += list(cases.PROPORTIONS.items()) + list(cases.NOT_AN_OPTION.items())
    pairs += [(q, a) for q, a, _ in cases.ISSUE_CASES]
    # what a learner types in the page: every number also as text
    pairs += [(q, str(a)) for q, a in list(pairs) if isinstance(a, int | float) and not isinstance(a, bool)]
    return pairs


# Inputs at the edges of every rule: blanks, unreadable text, signs, units, years, yes/no, lists.
_EDGES = ("", "   ", None, ..., "zzz", "1,5", "1,234.5", "5%", "5 pp", "£3", "-£3", "\u22123", "nan",
          "1e400", "1e-7", 0.5, -0.5, "0.5", 1, "1", 0, True, False, [], [1, 2], {"a": 1}, "2017-18",
          "2017/2019", "y", "no", "a, b", ",a", "4.1=Y; 4.2=N", "4.1=; 4.2=N", 1e16, 0.00001, 53.0)


@pytest.fixture(autouse=True)
def _node_for_checker_tests(request):
    """The checker tests need node; under CI (``CI`` set) its absence is a failure, not a skip."""
    if NODE is None and "page_checker" in request.node.name:
        if os.environ.get("CI"):
            pytest.fail("node is needed to run the page's checker under CI")
        pytest.skip("node is needed to run the page's checker")


def test_page_checker_agrees_with_check_on_every_question_table():
    pairs = _table_cases()
    judged = _run_js(pairs)
    assert len(judged) == len(pairs) > 400
    for (question, answer), (correct, reason, text) in zip(pairs, judged, strict=True):
        feedback = ex.check(question, answer)
        assert (correct, reason, text) == (feedback.correct, feedback.reason, feedback.text), (question, answer)
    reasons = {reason for _, reason, _ in judged}
    assert {"correct", "misconception", "proportion", "precision", "wrong", "not_an_option"} <= reasons


def test_page_checker_agrees_at_the_edges_for_every_question():
    pairs = [(q, a) for q in ex.question_ids() for a in _EDGES]
    for (question, answer), (correct, reason, text) in zip(pairs, _run_js(pairs), strict=True):
        feedback = ex.check(question, answer)
        assert (correct, reason, text) == (feedback.correct, feedback.reason, feedback.text), (question, answer)


def _format_g_in_page(values: list[float]) -> list[str]:
    script = "const c = require(process.argv[1]); process.stdout.write(JSON.stringify(" \
             "JSON.parse(require('fs').readFileSync(0, 'utf8')).map(c.formatG)));"
    run = subprocess.run([NODE, "-e", script, str(CHECKER)], input=json.dumps(values),
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def _ties_at_the_seventh_digit() -> st.SearchStrategy[float]:
    """Numbers whose binary value is exactly a seven-digit decimal ending in 5 (1000.125): to six
    digits a tie, which Python breaks to the even digit and JavaScript's toFixed away from zero."""
    return (st.builds(lambda digits, shift, sign: sign * digits / 10**shift,
                      st.integers(100_000, 999_999).map(lambda k: 10 * k + 5), st.integers(1, 6),
                      st.sampled_from([1, -1]))
            .filter(lambda v: Fraction(v) == Fraction(repr(v))))


def test_page_checker_formats_numbers_as_python_at_the_edges():
    values = [1000.125, -1000.125, 1000.375, 2.5, 123456.5, 1234567.5, 0.1 + 0.2, 1e-5, 12345678, 0.5,
              -0.0, 99999.95, 999999.5, 1e16, 5e-324]
    assert _format_g_in_page(values) == [format(v, "g") for v in values]


@settings(max_examples=5, deadline=None)
@given(st.lists(st.one_of(_ties_at_the_seventh_digit(), st.floats(allow_nan=False)), min_size=1, max_size=40))
def test_page_checker_formats_numbers_as_python_for_any_float(values):
    assert _format_g_in_page(values) == [format(v, "g") for v in values]


def test_page_checker_says_where_to_type_when_blank_and_keeps_the_hint():
    (correct, reason, text), = _run_js([("02.denominator_m192", "  ")], blank="type it above")
    assert (correct, reason) == (False, "unanswered")
    assert text.startswith("○ Not answered yet — type it above (hint: ")
    assert "answer cell" not in text and ex.precision_text("02.denominator_m192") in text


@pytest.mark.parametrize("question", ex.question_ids())
def test_every_question_gets_a_labelled_form_without_its_answer(question):
    entry = ex.question_entry(question)
    form = site.exercise_form(question, "do the task")
    assert f'<form class="iaptlab-check" data-question="{question}"' in form
    assert 'role="status"' in form and '<button type="submit">' in form
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form)
    assert ids, "no input or select"
    for field in ids:  # every control has a label (a set's boxes each have one; a legend names the group)
        assert f'for="{field}"' in form
    if entry["kind"] == "choice":
        assert "<select" in form
        assert all(f'value="{label}"' in form for label in entry["options"])
    if entry["kind"] == "set":
        assert form.count('type="checkbox"') == len(entry["options"]) and "<legend>" in form
    if entry["kind"] == "items":
        assert form.count('name="item"') == len(entry["items"])
    if entry["kind"] in ("number", "year"):
        assert 'type="text"' in form
    # the plain answer is in neither the form nor the entry the page carries (numbers and years)
    page_data = form + json.dumps(entry)
    if entry["kind"] == "number":
        right = cases.RIGHT[question][0]
        shown = f"{float(right):.{entry.get('decimals') or 0}f}" if entry.get("decimals") is not None else str(right)
        if len(shown.replace(".", "")) >= 3:
            assert shown not in re.sub(r"[0-9a-f]{16,}", "", page_data)
    if entry["kind"] == "year":
        assert cases.RIGHT[question][0] not in page_data


def test_every_lesson_has_objectives_and_a_time_for_the_index():
    for lesson in lesson_list():
        nb = nbformat.reads(lesson.notebook.read_text(encoding="utf-8"), as_version=4)
        objectives, minutes = site.lesson_summary(nb)
        assert len(objectives) >= 3, lesson.file_name
        assert re.search(r"\d+.*minutes", minutes), (lesson.file_name, minutes)
        assert all("**Time" not in o and not o.startswith("-") for o in objectives)


def _code(source: str, outputs=()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


_SPEC = {"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json", "mark": "bar",
         "description": "Recovery: 50%.", "data": {"values": [{"k": "recovered", "v": 50.0}]}}


def _lesson() -> nbformat.NotebookNode:
    widget = {"output_type": "display_data", "metadata": {},
              "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2,
                                                                     "version_minor": 0},
                       "text/plain": "VBox(children=...)"}}
    chart = {"output_type": "display_data", "metadata": {},
             "data": {"application/vnd.vegalite.v6+json": _SPEC, "text/plain": "<chart>"}}
    sentence = {"output_type": "display_data", "metadata": {},
                "data": {"text/html": '<table><tr><th></th><th>&nbsp;</th><th>rate</th></tr></table>'
                                      '<p class="iaptlab-static-default">Default: 50%.</p>'}}
    feedback = {"output_type": "execute_result", "metadata": {}, "execution_count": 3,
                "data": {"text/plain": "○ Not answered yet — ...", "text/html": '<div role="status">x</div>'}}
    cells = [nbformat.v4.new_markdown_cell("# 02 · A lesson\n\nSee [lesson 01](01_the_measures.ipynb)."),
             nbformat.v4.new_markdown_cell("#### Too deep\n\n## Back up"),
             _code('show("02.definitions")', [chart, sentence, widget]),
             _code("# Your turn: the M192 rate\nanswer_m192 = ..."),
             _code('check("02.denominator_m192", answer_m192)', [feedback])]
    return nbformat.v4.new_notebook(cells=cells)


def test_a_lesson_page_has_forms_charts_and_the_live_routes_but_no_widget():
    body, questions, charts = site.render_lesson(_lesson(), "02_x.ipynb", repo="jsmith/iaptlab")
    assert questions == ["02.denominator_m192"] and charts == 1
    assert "answer_m192" not in body and "Not answered yet" not in body  # placeholder and its output gone
    assert 'data-question="02.denominator_m192"' in body and "The M192 rate" in body
    assert "VBox" not in body and "widget-view" not in body
    note = body.index("run this lesson live")
    assert body.index("iaptlab-static-default") < note  # the routes follow the static default
    assert "https://mybinder.org/v2/gh/jsmith/iaptlab/HEAD?urlpath=lab/tree/workbook/02_x.ipynb" in body
    assert "<code>iaptlab lab</code>" in body
    assert "<figcaption" in body and "Recovery: 50%." in body and "<td>recovered</td>" in body
    assert 'href="01_the_measures.html"' in body
    levels = [int(h) for h in re.findall(r"<h([1-6])", body)]
    assert levels == [1, 2, 2]  # h4 straight after h1 is lifted to h2
    assert "<th></th>" not in body and "<th>&nbsp;</th>" not in body and "<td></td>" in body


def test_the_instructor_page_keeps_worked_answers_and_has_no_forms():
    body, questions, _ = site.render_lesson(_lesson(), "02_x.ipynb", edition="instructor")
    assert questions == [] and "iaptlab-check" not in body
    assert "answer_m192 = ..." in body and 'role="status"' in body


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory) -> site.SiteBuild:
    """A one-lesson site, executed in a real kernel: setup(), one chart, one exercise."""
    source = tmp_path_factory.mktemp("lessons")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 00 · Tiny\n\n**Learning objectives.** You can:\n\n- read a funnel\n"
                                      "- check a [rate](glossary.ipynb#rate)\n\n**Time:** about 5 minutes. **You need:** the "
                                      "[glossary](glossary.ipynb#rate)."),
        nbformat.v4.new_code_cell("from iaptlab.notebook import setup\nfrom iaptlab.exercises import check\n"
                                  "from iaptlab import charts\nimport pandas as pd\nprint(setup())"),
        nbformat.v4.new_code_cell('charts.funnel(pd.DataFrame({"stage": ["referred", "finished"], '
                                  '"count": [100, 40]}))'),
        nbformat.v4.new_code_cell("# SOLUTION: the M192 rate\nanswer = 52.97"),
        nbformat.v4.new_code_cell('check("02.denominator_m192", answer)')])
    nbformat.write(nb, source / "00_tiny.ipynb")
    glossary = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        '# Glossary\n\n<a id="rate"></a>\n### Rate\n\nA count divided by its denominator.')])
    nbformat.write(glossary, source / "glossary.ipynb")
    return site.build_site(tmp_path_factory.mktemp("site") / "site", source=source, repo="jsmith/iaptlab")


def test_a_built_site_is_self_contained(tiny_site):
    out = tiny_site.out_dir
    assert {p.name for p in tiny_site.pages} == {"index.html", "00_tiny.html", "glossary.html"}
    assert sorted(p.name for p in (out / "assets").iterdir()) == ["checker.js", "site.css", "site.js", "vega.js"]
    page = (out / "00_tiny.html").read_text(encoding="utf-8")
    assert page.count('<script src="assets/vega.js">') == 1 and page.count('class="vega-chart"') == 1
    assert "application/vnd.vegalite" not in page and "Attrition funnel" in page
    assert "charts render offline" not in page  # the kernel's renderer line is not shown
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|img|link|iframe)[^>]+(?:src|href)="([^"]+)"', text)
        assert loaded and all(not re.match(r"^[a-z]+:|^//", url) for url in loaded), (path.name, loaded)
        assert "site-instructor" not in text
    assert tiny_site.total_bytes < 25e6 and all(p.stat().st_size < 3e6 for p in tiny_site.pages)


def test_the_index_lists_objectives_time_and_progress(tiny_site):
    index = (tiny_site.out_dir / "index.html").read_text(encoding="utf-8")
    assert '<a href="00_tiny.html">00 · Tiny</a>' in index
    assert "<li>read a funnel</li>" in index and "about 5 minutes" in index
    assert '<li>check a <a href="glossary.html#rate">rate</a></li>' in index
    assert 'data-questions="[&quot;02.denominator_m192&quot;]"' in index
    assert '<h2>Also in this workbook</h2><ul><li><a href="glossary.html">Glossary</a></li></ul>' in index


def test_a_link_to_the_glossary_reaches_its_term(tiny_site):
    page = (tiny_site.out_dir / "00_tiny.html").read_text(encoding="utf-8")
    glossary = (tiny_site.out_dir / "glossary.html").read_text(encoding="utf-8")
    assert 'href="glossary.html#rate"' in page and '<a id="rate"></a>' in glossary
    assert '<a href="glossary.html">Glossary</a>' in page  # in the site navigation too
    assert 'rel="next"' not in glossary and "iaptlab-check" not in glossary


def test_the_entry_data_is_on_the_page_but_the_number_is_not(tiny_site):
    page = (tiny_site.out_dir / "00_tiny.html").read_text(encoding="utf-8")
    blob = re.search(r'<script type="application/json" id="iaptlab-questions">(.*?)</script>', page, re.S)
    assert json.loads(blob.group(1)) == {"02.denominator_m192": ex.question_entry("02.denominator_m192")}
    assert "answer = 52.97" not in page and "# SOLUTION" not in page and "52.97" not in page


def test_site_command_rejects_a_bad_repo_and_edition(tmp_path, capsys):
    assert main(["site", str(tmp_path / "s"), "--repo", "not a repo"]) == 2
    assert "OWNER/REPO" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
    with pytest.raises(ParameterError):
        site.build_site(tmp_path / "t", edition="student")


def test_page_path_and_placeholder_repo_match_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    binder = site.BINDER_URL.format(repo=site.PLACEHOLDER_REPO, notebook="00_start_here.ipynb")
    assert binder in readme
    assert site.page_path("00_start_here.ipynb") == "00_start_here.html"


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_stylesheet_colours_meet_wcag_aa_on_every_background_they_sit_on():
    css = (files("iaptlab") / "site_assets" / "site.css").read_text(encoding="utf-8")
    colour = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    backgrounds = ["#ffffff", colour["panel"], "#fff8e6"]  # page, panels and forms, the live note
    for name in ("ink", "muted", "link", "good", "bad"):
        for background in backgrounds:
            assert _contrast(colour[name], background) >= 4.5, (name, background)
    assert _contrast("#ffffff", colour["link"]) >= 4.5  # the Check button's label
    assert _contrast("#000000", "#000000") == 1.0 and round(_contrast("#000000", "#ffffff")) == 21


def test_every_lesson_check_becomes_a_form_with_its_task_as_label():
    from iaptlab.editions import render_edition
    from iaptlab.lesson_files import lessons_folder

    rendered = render_edition(lessons_folder(), "learner")
    for lesson in lesson_list():
        nb = nbformat.reads(rendered[lesson.file_name].decode("utf-8"), as_version=4)
        body, questions, _ = site.render_lesson(nb, lesson.file_name)
        assert questions == ex.question_ids(f"{lesson.number:02d}"), lesson.file_name
        assert "# Your turn" not in body  # no placeholder cell left to confuse
        assert body.count('<form class="iaptlab-check"') == len(questions)
        assert ">Your answer<" not in body  # each form is labelled with its task


def test_the_site_assets_ship_in_the_wheel():
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["iaptlab"]
    assets = [p for p in (files("iaptlab") / "site_assets").iterdir() if p.is_file()]
    assert sorted(p.name for p in assets) == ["checker.js", "site.css", "site.js"]
    assert all(any(Path("site_assets", p.name).match(pattern) for pattern in patterns) for p in assets)
