"""The offline site in Debian's Chromium, from file:// with every other request blocked and counted.

The site is the one ``make site`` wrote (``IAPTLAB_SITE=build``: ``build/site`` and
``build/site-instructor``; ``make browser`` builds it first); without ``IAPTLAB_SITE`` both sites
are built into a temporary folder. Screenshots go to ``build/site-screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import harness
import pytest

from iaptlab.exercises import check, normalise_choice, question_entry, question_ids
from iaptlab.lesson_files import lesson_list
from iaptlab.site import build_site

SHOTS = harness.REPO / "build" / "site-screenshots"
PHONE = {"width": 390, "height": 844}

sys.path.insert(0, str(harness.REPO / "tests"))
import test_answer_cases as cases  # noqa: E402  (the tables of right and known wrong answers)


def _label(question: str, value: object) -> str:
    """The option label a select or check box sends for ``value`` (a label or one of its aliases)."""
    entry = question_entry(question)
    if entry["kind"] == "yesno":
        return "yes" if normalise_choice(value) in ("y", "yes", "true", "t", "1") else "no"
    for label, aliases in entry["options"].items():
        if normalise_choice(value) in {normalise_choice(n) for n in (label, *aliases)}:
            return label
    raise LookupError(f"{value!r} is not an option of {question}")


def _page_input(question: str, value: object) -> object:
    """What the page's control sends for ``value``: text, a label, labels in option order, codes."""
    kind = question_entry(question)["kind"]
    if kind in ("number", "year"):
        return str(value)
    if kind in ("choice", "yesno"):
        return _label(question, value)
    if kind == "set":
        chosen = {_label(question, v) for v in value}
        return [label for label in question_entry(question)["options"] if label in chosen]
    return {item: _label(question, code) for item, code in value.items()}


def _one_question_per_lesson() -> list[tuple[str, object, object, object]]:
    """(question, right, known wrong, proportion or None) per lesson, as the page takes them.

    A percentage question with a proportion case is preferred, then a number, then any kind.
    """
    chosen = []
    for lesson in lesson_list():
        ids = [q for q in question_ids(f"{lesson.number:02d}") if q in cases.RIGHT and q in cases.MISCONCEPTIONS]
        if not ids:
            continue
        kinds = {q: question_entry(q)["kind"] for q in ids}
        q = min(ids, key=lambda q: (q not in cases.PROPORTIONS, kinds[q] != "number"))
        right = next(a for a in cases.RIGHT[q] if kinds[q] in ("number", "year") or not isinstance(a, str)
                     or kinds[q] in ("choice", "yesno"))
        proportion = cases.PROPORTIONS.get(q)
        chosen.append((q, _page_input(q, right), _page_input(q, cases.MISCONCEPTIONS[q][0][0]),
                       None if proportion is None else str(proportion)))
    return chosen


QUESTIONS = _one_question_per_lesson()
# The other kinds of control, where a lesson has them: a select, check boxes, one select per item.
OTHER_CONTROLS = [next(((q, _page_input(q, next(a for a in cases.RIGHT[q] if not isinstance(a, str)
                                                or kind in ("choice", "yesno"))),
                         _page_input(q, cases.MISCONCEPTIONS[q][0][0]))
                        for q in cases.MISCONCEPTIONS if question_entry(q)["kind"] == kind), None)
                  for kind in ("choice", "set", "items")]
OTHER_CONTROLS = [case for case in OTHER_CONTROLS if case]


@dataclass
class FileOnlyGuard:
    """Lets file://, data: and blob: through; blocks and records every other request."""

    blocked: list[str] = field(default_factory=list)

    def handle(self, route) -> None:
        if urlsplit(route.request.url).scheme in ("file", "data", "blob", "about"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")


@pytest.fixture(scope="session")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = os.environ.get("IAPTLAB_SITE")
    base = (harness.REPO / root) if root else tmp_path_factory.mktemp("sites")
    found = {"learner": base / "site", "instructor": base / "site-instructor"}
    for edition, folder in found.items():
        if not (folder / "index.html").is_file():
            build_site(folder, edition)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return found


@pytest.fixture
def offline(browser):
    guard = FileOnlyGuard()
    context = browser.new_context(viewport=PHONE)
    context.route("**/*", guard.handle)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab, guard, errors
    context.close()


def _pages(sites: dict[str, Path]) -> list[tuple[str, Path]]:
    return [(edition, page) for edition, folder in sites.items() for page in sorted(folder.glob("*.html"))]


def _open(tab, path: Path) -> None:
    tab.goto(path.as_uri())
    tab.wait_for_load_state("load")
    tab.wait_for_function("""() => Array.from(document.querySelectorAll('.vega-chart'))
                             .every(box => box.querySelector('svg, canvas'))""", timeout=30_000)


_HEADINGS_JS = "() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1])"
_AXE = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


def test_every_page_loads_offline_draws_every_chart_and_passes_axe(sites, offline):
    tab, guard, errors = offline
    report = {}
    for edition, path in _pages(sites):
        _open(tab, path)
        charts = tab.evaluate("""() => Array.from(document.querySelectorAll('.vega-chart'))
                                 .map(box => !!box.querySelector('svg'))""")
        assert all(charts), (path.name, charts)
        levels = tab.evaluate(_HEADINGS_JS)
        assert levels[0] == 1 and levels.count(1) == 1, (path.name, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path.name, levels)
        # every chart has a text alternative: its description (caption) and, where it has data, a table
        captions = tab.evaluate("""() => Array.from(document.querySelectorAll('figure.chart'))
                                   .map(f => f.querySelector('figcaption').textContent.length)""")
        assert all(length > 20 for length in captions), (path.name, captions)
        assert errors == [], (path.name, errors)  # before axe, whose own requests are not the page's
        tab.add_script_tag(path=str(_AXE))
        violations = tab.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations'],
                                                                        preload: false}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.length + ' ' + v.nodes[0].html.slice(0, 120))""")
        assert violations == [], (path.name, violations)
        shot = SHOTS / f"{edition}-{path.stem}.png"
        tab.screenshot(path=str(shot), full_page=True)
        report[f"{edition}/{path.name}"] = {"charts": len(charts), "axe_serious_or_critical": 0,
                                            "screenshot": str(shot.relative_to(harness.REPO))}
    assert errors == [] and guard.blocked == []
    (SHOTS / "report.json").write_text(json.dumps(report, indent=2))
    assert len(report) >= 2 * 10


def test_the_learner_site_never_links_to_the_instructor_site_and_fits(sites):
    learner = sites["learner"]
    for page in learner.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "site-instructor" not in text and "guide.html" not in text, page.name
        hrefs = re.findall(r'(?:href|src)="([^"]+)"', text)
        local = [h for h in hrefs if not re.match(r"^(https?:|mailto:|#)", h)]
        assert all(not h.startswith(("/", "..")) for h in local), (page.name, local)
        assert all((learner / h.split("#")[0]).exists() for h in local), (page.name, local)
        assert page.stat().st_size <= 3_000_000, page.name
    total = sum(p.stat().st_size for p in learner.rglob("*") if p.is_file())
    assert total <= 25_000_000
    assert len(list((learner / "assets").glob("vega*.js"))) == 1  # one bundle for the whole site


def _answer(tab, question: str, answer) -> str:
    form = tab.locator(f'form[data-question="{question}"]')
    kind = question_entry(question)["kind"]
    if kind == "set":
        for box in form.locator('input[type="checkbox"]').all():
            box.set_checked(box.get_attribute("value") in answer)
    elif kind == "items":
        for item, code in answer.items():
            form.locator(f'select[data-item="{item}"]').select_option(code)
    elif kind in ("choice", "yesno"):
        form.locator("select").select_option(answer)
    else:
        form.locator('input[type="text"]').fill(answer)
    form.locator('button[type="submit"]').click()
    return form.locator('[role="status"]').inner_text()


def _page_of(sites, question: str) -> Path:
    return next(sites["learner"].glob(f"{question[:2]}_*.html"))


@pytest.mark.parametrize("question, right, wrong, proportion", QUESTIONS)
def test_self_checks_give_the_same_verdict_and_message_as_check(sites, offline, question, right, wrong,
                                                                proportion):
    tab, guard, errors = offline
    _open(tab, _page_of(sites, question))
    for answer in (right, wrong, proportion):
        if answer is None:
            continue
        assert _answer(tab, question, answer) == check(question, answer).text, answer
    assert check(question, right).correct and check(question, wrong).reason == "misconception"
    if proportion:
        assert check(question, proportion).reason == "proportion"
    assert errors == [] and guard.blocked == []


@pytest.mark.parametrize("question, right, wrong", OTHER_CONTROLS)
def test_selects_and_check_boxes_agree_with_check(sites, offline, question, right, wrong):
    tab, _, errors = offline
    _open(tab, _page_of(sites, question))
    assert _answer(tab, question, right) == check(question, right).text
    assert _answer(tab, question, wrong) == check(question, wrong).text
    assert check(question, wrong).reason == "misconception" and errors == []


def test_an_exercise_works_by_keyboard_alone_and_progress_shows_on_the_index(sites, offline):
    tab, _, _ = offline
    question = "02.denominator_m192"
    _open(tab, _page_of(sites, question))
    field_id = "answer-02-denominator_m192"
    for _ in range(400):  # Tab until the answer box has focus
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement.id") == field_id:
            break
    else:
        pytest.fail("the answer box cannot be reached with Tab")
    tab.keyboard.type("52.97 %")
    tab.keyboard.press("Enter")
    status = tab.locator(f'form[data-question="{question}"] [role="status"]')
    assert status.inner_text() == check(question, "52.97 %").text == "✓ Correct"
    other = tab.locator("form.iaptlab-check").first
    assert other.get_attribute("data-question") != question
    other.locator("button").focus()
    tab.keyboard.press("Enter")
    assert other.locator('[role="status"]').inner_text().startswith(
        "○ Not answered yet — type your answer above, then press Check (hint: ")
    tab.reload()  # the answer and its verdict come back
    assert status.inner_text() == "✓ Correct"
    tab.goto((sites["learner"] / "index.html").as_uri())
    progress = tab.locator(".lesson-progress").filter(has_text="").all()
    (line,) = [p for p in progress if question in json.loads(p.get_attribute("data-questions"))]
    total = len(json.loads(line.get_attribute("data-questions")))
    assert line.inner_text() == f"Your progress in this browser: 1 of {total} self-checks answered correctly."


def test_printing_gives_a_handout_charts_as_pictures_and_answer_lines(sites, offline):
    tab, _, _ = offline
    _open(tab, _page_of(sites, "02.denominator_m192"))
    tab.emulate_media(media="print")
    visible = tab.evaluate("""() => ({
        lines: Array.from(document.querySelectorAll('.answer-line')).filter(e => e.offsetParent).length,
        forms: document.querySelectorAll('form.iaptlab-check').length,
        buttons: Array.from(document.querySelectorAll('form button')).filter(e => e.offsetParent).length,
        charts: Array.from(document.querySelectorAll('.vega-chart svg')).filter(e => e.getBoundingClientRect().height > 50).length,
        code: Array.from(document.querySelectorAll('details.code')).filter(e => e.offsetParent).length})""")
    assert visible["lines"] == visible["forms"] > 0
    assert visible["buttons"] == 0 and visible["code"] == 0 and visible["charts"] > 0
    pdf = tab.pdf()
    assert pdf[:4] == b"%PDF"


# ---------------------------------------------------------------- explorers that move in the page

_ANSWERED_JS = "(id) => document.getElementById(id).dataset.answered || ''"
_SHOWN_JS = """async (id) => {
  const section = document.getElementById(id);
  const data = JSON.parse(document.getElementById(id + '-data').textContent);
  const box = document.getElementById(data.chart);
  const api = await box.iaptlabEmbed;
  const name = Object.keys(data.data.specs[Object.keys(data.data.specs)[0]].datasets)[0];
  const table = section.querySelector('.explorer-table table');
  let rows = null;  // the static default's chart has the kernel's dataset name
  try { rows = api.view.data(name).map(r => Object.assign({}, r)); } catch (e) { rows = null; }
  return {rows, titles: (CHART_TITLES)(box),
          caption: box.closest('figure').querySelector('figcaption').textContent,
          cells: Array.from(table.querySelectorAll('th, td')).map(c => c.textContent),
          tableCaption: table.caption ? table.caption.textContent : '',
          sentence: section.querySelector('.explorer-sentence').textContent,
          live: section.querySelector('.explorer-sentence').getAttribute('aria-live')};
}""".replace("CHART_TITLES", harness.CHART_TITLES_JS)


def _section_id(key: str) -> str:
    return "explorer-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def _python_answer(key: str, **values) -> dict:
    """What Python's ``compute`` shows at ``values``: chart rows and description, table cells, sentence."""
    from iaptlab.explorers import REGISTRY
    from iaptlab.widgets import table_html

    result = REGISTRY[key].run(**values)
    spec = result.chart.to_dict()
    (rows,) = spec["datasets"].values()
    cells = [html_unescape(c) for c in re.findall(r"<t[hd](?:\s[^>]*)?>(.*?)</t[hd]>", table_html(result.table), re.S)]
    return {"rows": rows, "description": spec["description"], "cells": cells, "sentence": result.sentence,
            "titles": harness.chart_titles(spec)}


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _wait_answered(tab, key: str, name: str, value) -> dict:
    section = _section_id(key)
    tab.wait_for_function(f"(id) => {{ const a = document.getElementById(id).dataset.answered; "
                          f"return a && JSON.parse(a)[{json.dumps(name)}] === {json.dumps(value)}; }}",
                          arg=section, timeout=10_000)
    return tab.evaluate(_SHOWN_JS, section)


def test_lesson_04_prevalence_moves_chart_table_and_sentence_to_pythons_answer(sites, offline):
    tab, guard, errors = offline
    key = "04.predictive_values"
    _open(tab, _page_of(sites, key))
    section = _section_id(key)
    before = tab.evaluate(_SHOWN_JS, section)
    assert before["sentence"].startswith("Default: ") and before["live"] == "polite"
    assert tab.evaluate(_ANSWERED_JS, section) == ""  # nothing moved yet: the static default
    slider = tab.locator(f"#{section}-prevalence-pct")
    slider.focus()
    for _ in range(5):  # by keyboard: 20 -> 25
        tab.keyboard.press("ArrowRight")
    shown = _wait_answered(tab, key, "prevalence_pct", 25)
    assert tab.locator(f"#{section}-prevalence-pct-box").input_value() == "25"
    expected = _python_answer(key, prevalence_pct=25)
    assert shown["rows"] == expected["rows"]
    assert re.fullmatch(r"Chart \d+\. ", shown["caption"].removesuffix(expected["description"]))
    assert shown["cells"] == expected["cells"] and shown["tableCaption"] == "At your settings"
    assert shown["sentence"] == "At your settings: " + expected["sentence"] != before["sentence"]
    # the number box: type a value; an impossible one is not taken
    box = tab.locator(f"#{section}-prevalence-pct-box")
    box.fill("63")
    shown = _wait_answered(tab, key, "prevalence_pct", 63)
    expected = _python_answer(key, prevalence_pct=63)
    assert shown["rows"] == expected["rows"] and shown["cells"] == expected["cells"]
    assert shown["sentence"] == "At your settings: " + expected["sentence"]
    box.fill("500")
    box.press("Tab")
    assert box.input_value() == "63" and slider.input_value() == "63"
    # reset: back to exactly the static default
    tab.locator(f"#{section} .explorer-reset").click()
    shown = _wait_answered(tab, key, "prevalence_pct", 20)
    assert shown["sentence"] == before["sentence"] and shown["cells"] == before["cells"]
    assert shown["tableCaption"] == "Default settings"
    assert errors == [] and guard.blocked == []


def _one_of_each_kind(controls) -> list:
    """The first control of each kind (number, choice, yes/no) an explorer has."""
    firsts: dict = {}
    for control in controls:
        firsts.setdefault("number" if control.kind in ("int", "float") else control.kind, control)
    return list(firsts.values())


def test_every_in_page_explorer_moves_and_the_others_keep_the_run_live_note(sites, offline):
    from iaptlab.explorers import REGISTRY
    from iaptlab.site import in_page_explorers

    tab, guard, errors = offline
    keys = in_page_explorers()
    assert len(keys) >= 4
    for key in keys:
        _open(tab, _page_of(sites, key))
        section = _section_id(key)
        assert tab.locator(f"#{section}-controls").is_visible()
        assert tab.evaluate("""() => { const ids = Array.from(document.querySelectorAll('[id]'), e => e.id);
                                       return ids.filter((id, i) => ids.indexOf(id) !== i); }""") == []
        values: dict = {}
        for control in _one_of_each_kind(REGISTRY[key].controls):
            field = f"#{section}-{control.name.replace('_', '-')}"
            if control.kind in ("int", "float"):  # typed into the number box: its maximum
                tab.locator(f"{field}-box").fill(str(control.maximum))
                value = int(control.maximum) if float(control.maximum).is_integer() else control.maximum
            elif control.kind == "choice":  # a click on the last option's label
                last = len(control.options) - 1
                tab.locator(f"label[for='{field[1:]}-{last}']").click()
                value = control.options[last][0]
            else:  # the check box, by keyboard
                tab.locator(field).focus()
                tab.keyboard.press("Space")
                value = not control.default
            values[control.name] = value
            shown = _wait_answered(tab, key, control.name, value)
            expected = _python_answer(key, **values)
            assert shown["sentence"] == "At your settings: " + expected["sentence"], (key, values)
            assert shown["cells"] == expected["cells"], (key, values)
            assert shown["titles"] == expected["titles"], (key, values)
            # the same rows; a curve from exp() may differ in the last bit (JavaScript's Math.exp)
            assert shown["rows"] == [{k: pytest.approx(v, rel=1e-12, abs=1e-300) if isinstance(v, float) else v
                                      for k, v in row.items()} for row in expected["rows"]], (key, values)
        assert values, key
    # an explorer that needs Python keeps its static default and the note, even on a page where
    # another explorer moves (lesson 02: thresholds moves, definitions does not)
    others = [key for key in REGISTRY if key not in keys]
    for key in others[:1]:
        _open(tab, _page_of(sites, key))
        assert tab.locator(f"section.explorer[data-explorer='{key}']").count() == 0
        assert tab.locator(f"#{_section_id(key)}-controls").count() == 0
        assert tab.get_by_text("To move the controls, run this lesson live.").count() >= 1
    assert errors == [] and guard.blocked == []


@pytest.mark.parametrize("width", [360, 1280, 1920])
def test_in_page_explorer_controls_fit_and_pass_axe(sites, browser, width):
    from iaptlab.site import in_page_explorers

    guard = FileOnlyGuard()
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", guard.handle)
    tab = context.new_page()
    try:
        for key in in_page_explorers():
            _open(tab, _page_of(sites, key))
            section = _section_id(key)
            tab.wait_for_selector(f"#{section}-controls:not([hidden])")
            assert harness.clipped_parts(tab, f"#{section}-controls") == [], (key, width)
            assert harness.axe_violations(tab, f"#{section}") == [], (key, width)
            tab.locator(f"#{section}").screenshot(path=str(SHOTS / f"{section}-{width}.png"))
    finally:
        context.close()
    assert guard.blocked == []


def test_printing_hides_the_explorer_controls(sites, offline):
    tab, _, _ = offline
    _open(tab, _page_of(sites, "04.predictive_values"))
    tab.wait_for_selector("section.explorer .explorer-live:not([hidden])")
    tab.emulate_media(media="print")
    assert tab.locator("section.explorer .explorer-live").is_hidden()
    assert tab.locator("section.explorer .vega-chart svg").count() == 1
