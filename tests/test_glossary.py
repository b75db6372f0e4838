"""The glossary notebook is generated from the data, and every lesson link into it resolves."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from iaptlab import datasets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_glossary  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LINK = re.compile(r"\]\(glossary\.ipynb(?:#([^)\s]*))?\)")


def _links(path: Path) -> list[str | None]:
    nb = nbformat.read(path, as_version=4)
    return [m.group(1) for c in nb.cells if c.cell_type == "markdown" for m in LINK.finditer(c.source)]


def test_committed_glossary_matches_the_dataset():
    assert build_glossary.main(["--check"]) == 0, "run `python tools/build_glossary.py` and commit"


def test_glossary_has_one_anchored_entry_per_slug_in_dataset_order():
    nb = build_glossary.glossary_notebook()
    anchors = [re.match(r'<a id="([^"]+)"></a>', c.source).group(1) for c in nb.cells[1:]]
    assert anchors == datasets.load("glossary")["slug"].tolist()
    assert len(set(c["id"] for c in nb.cells)) == len(nb.cells)
    assert all(c.cell_type == "markdown" for c in nb.cells)  # nothing to execute


def test_see_also_links_point_to_entries_that_exist():
    slugs = set(datasets.load("glossary")["slug"])
    text = "\n".join(c.source for c in build_glossary.glossary_notebook().cells)
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets, "the glossary should cross-link related terms"
    assert targets <= slugs, f"see-also links to missing entries: {targets - slugs}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name[:2])
def test_every_glossary_link_in_a_lesson_names_an_existing_slug(path):
    slugs = set(datasets.load("glossary")["slug"])
    anchors = [a for a in _links(path) if a is not None]
    assert set(anchors) <= slugs, f"{path.name} links to missing glossary entries: {set(anchors) - slugs}"


def test_issue_16_jargon_and_core_terms_are_linked_somewhere():
    linked = {a for path in LESSONS for a in _links(path) if a}
    wanted = {"delta-g", "hedges-g", "wilson-interval", "monte-carlo-noise", "cis-r", "gln", "nk", "ha",
              "caseness", "paired-scores", "finished", "reliable-deterioration"}
    assert wanted <= linked, f"not linked from any lesson: {wanted - linked}"


def test_entry_markdown_renders_the_workbook_wording_and_a_real_reference():
    own = build_glossary.entry_markdown({"slug": "a", "term": "A", "definition": "d", "see_also": "",
                                         "source": "iaptlab"})
    assert own.endswith("*Source:* the workbook's own wording.")
    assert "See also" not in own
    cited = build_glossary.entry_markdown({"slug": "a", "term": "A", "definition": "d", "see_also": "b",
                                           "source": "kroenke_2001"})
    assert datasets.reference("kroenke_2001") in cited
    assert "[b](#b)" in cited
