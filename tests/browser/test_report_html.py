"""The HTML report in Chromium, offline: axe-core finds no serious or critical violation, on screen
and in print emulation, and in print no table is clipped.

The page is opened from a file (``file://``) with every other request blocked and recorded;
axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``), injected
as a script tag, so nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iaptlab.report import build_report

HEADER = "episode_id,treatment_contacts,phq9_first,phq9_last,gad7_first,gad7_last,assessed_with_therapist"
ROWS = [f"A{i},6,{14 + i % 9},{3 + i % 11},{10 + i % 8},{2 + i % 9},{'yes' if i % 3 else 'no'}" for i in range(40)]
ROWS += [f"B{i},1,15,,10,," for i in range(6)] + [f"C{i},0,,,,," for i in range(4)] + ["D,3,30,5,10,4,yes"]


def _axe_script() -> Path:
    axe = pytest.importorskip("axe_playwright_python", reason="pip install -e '.[browser]'")
    return Path(axe.__file__).parent / "axe.min.js"


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "disclosure-control"])
def report_file(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    source = folder / "service.csv"
    source.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    target = folder / "report.html"
    target.write_text(build_report(source, skip_invalid=True, disclosure_control=request.param,
                                   generated="2026-01-02"), encoding="utf-8")
    return target


@pytest.fixture
def offline_page(browser):
    """A page that may load file:// URLs and nothing else; what else it tried is recorded."""
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def handle(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    tab = context.new_page()
    tab.blocked = blocked
    yield tab
    context.close()


def _serious(page) -> list[str]:
    page.add_script_tag(path=str(_axe_script()))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}) x{len(v['nodes'])}: {v['help']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _scroll_boxes(page) -> int:
    """How many elements scroll their content (an inner scroll box clips a table in print)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('*')).filter(e => {
        const s = getComputedStyle(e); return ['auto', 'scroll'].includes(s.overflowY) ||
                                             ['auto', 'scroll'].includes(s.overflowX); }).length""")


@pytest.mark.parametrize("media", ["screen", "print"])
def test_report_has_no_serious_accessibility_violation(offline_page, report_file, media):
    offline_page.emulate_media(media=media)
    offline_page.goto(report_file.as_uri())
    assert offline_page.locator("svg[role=img]").count() == 4
    assert _serious(offline_page) == []
    assert _scroll_boxes(offline_page) == 0
    assert offline_page.blocked == []


def test_report_prints_tables_in_full_and_headline_first(offline_page, report_file):
    offline_page.emulate_media(media="print")
    # the printable width of A4: 210 mm - 2 x 15 mm margins = 180 mm = 680 px at 96 dpi
    offline_page.set_viewport_size({"width": 680, "height": 1000})
    offline_page.goto(report_file.as_uri())
    clipped = offline_page.evaluate("""() => Array.from(document.querySelectorAll('table')).flatMap(t => {
        const boxes = [t, t.parentElement];
        return boxes.filter(b => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1
                                 && getComputedStyle(b).overflowY !== 'visible')
                    .map(b => (t.caption ? t.caption.textContent : '?') + ' in ' + b.tagName);
    })""")
    assert clipped == []
    assert _scroll_boxes(offline_page) == 0
    first = offline_page.evaluate("() => document.querySelector('main > section').id")
    assert first == "headline"
    # every chart fits the printable width, and keeps its proportions
    boxes = offline_page.evaluate("""() => Array.from(document.querySelectorAll('svg[role=img]')).map(s => {
        const r = s.getBoundingClientRect(), v = s.viewBox.baseVal;
        return [r.width, r.height, v.width, v.height]; })""")
    assert len(boxes) == 4
    for width, height, view_width, view_height in boxes:
        assert 0 < width <= 680 and abs(width / height - view_width / view_height) < 0.02
