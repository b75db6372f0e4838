"""The explorer registry: every explorer registered once, shown by a notebook, safe at every slider extreme."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from iaptlab.errors import ParameterError
from iaptlab.explorers import REGISTRY, Explorer, show
from iaptlab.widgets import Control, Result, sweep

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SHOW_CALL = re.compile(r"""\bshow\(\s*["']([^"']+)["']\s*\)""")


def _code(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def _shown_keys() -> dict[str, list[str]]:
    """Registry keys each lesson notebook passes to ``show("...")``."""
    return {path.name: [key for source in _code(path) for key in SHOW_CALL.findall(source)] for path in LESSONS}


def test_keys_are_lesson_and_name_and_match_their_record():
    assert REGISTRY, "the registry is empty"
    for key, explorer in REGISTRY.items():
        assert isinstance(explorer, Explorer)
        assert re.fullmatch(r"\d\d\.[a-z_]+", key), key
        assert explorer.key == key and explorer.lesson == key[:2]


def test_every_lesson_number_has_a_notebook():
    lessons = {path.name[:2] for path in LESSONS}
    assert lessons, "no lesson notebooks found"
    missing = {key for key, explorer in REGISTRY.items() if explorer.lesson not in lessons}
    assert not missing, f"no notebooks/NN_*.ipynb for {sorted(missing)}"


def test_registry_is_in_lesson_order():
    lessons = [explorer.lesson for explorer in REGISTRY.values()]
    assert lessons == sorted(lessons)


def test_notebooks_show_every_registered_explorer_and_nothing_else():
    shown = _shown_keys()
    every = [key for keys in shown.values() for key in keys]
    assert set(every) - set(REGISTRY) == set(), "a notebook shows a key that is not registered"
    assert set(REGISTRY) - set(every) == set(), "a registered explorer is shown by no notebook"
    for name, keys in shown.items():  # an explorer is shown in its own lesson
        assert all(key[:2] == name[:2] for key in keys), (name, keys)


def test_titles_and_questions_are_unique_and_typed_only_in_the_registry():
    titles = [explorer.title for explorer in REGISTRY.values()]
    questions = [explorer.question for explorer in REGISTRY.values()]
    assert len(set(titles)) == len(titles) and all(t.strip() for t in titles)
    assert len(set(questions)) == len(questions) and all(q.rstrip().endswith("?") for q in questions)
    dashboard = NOTEBOOKS / "present" / "workshop.ipynb"
    for path in [*LESSONS, dashboard]:
        sources = "\n".join(_code(path))
        typed = [title for title in titles if title in sources]
        assert not typed, f"{path.name} types a title again: {typed}"


def test_the_dashboard_loops_over_the_registry():
    sources = "\n".join(_code(NOTEBOOKS / "present" / "workshop.ipynb"))
    assert "REGISTRY" in sources and not SHOW_CALL.search(sources)


def test_every_control_is_a_labelled_control_spec():
    for key, explorer in REGISTRY.items():
        assert explorer.controls and all(isinstance(c, Control) for c in explorer.controls), key
        names = [c.name for c in explorer.controls]
        assert len(set(names)) == len(names) and all(c.label.strip() for c in explorer.controls), key


def test_prepare_is_built_once():
    explorer = REGISTRY["06.national"]
    assert explorer.prepare() is explorer.prepare()


def test_unknown_key_is_a_clear_error():
    with pytest.raises(ParameterError, match="no explorer '99.nothing'; known: 00.example_cases"):
        show("99.nothing")


SETTINGS = [pytest.param(key, params, id=f"{key}-{'-'.join(f'{k}={v}' for k, v in params.items())}"[:120])
            for key, explorer in REGISTRY.items() for params in sweep(explorer.controls)]


@pytest.mark.parametrize(("key", "params"), SETTINGS)
def test_every_control_extreme_gives_a_table_a_described_chart_and_a_sentence(key, params):
    explorer = REGISTRY[key]
    result = explorer.compute(explorer.prepare(), **params)
    assert isinstance(result, Result)
    assert isinstance(result.table, pd.DataFrame) and len(result.table) > 0
    description = result.chart.to_dict(validate=False).get("description", "")
    assert isinstance(description, str) and description.strip()
    assert isinstance(result.sentence, str) and len(result.sentence.split()) >= 5
    assert "nan" not in result.sentence.replace("finance", "").split()  # a missing number is put in words


def test_refilled_updates_equal_the_full_serialisation_for_every_explorer():
    """The fast path (rows only) sends exactly what serialising the whole chart would send."""
    from iaptlab.charts import live

    fast_explorers = []
    for key, explorer in REGISTRY.items():
        compute = explorer.bound()
        view = live.live_view(compute().chart)
        used = 0
        for params in sweep(explorer.controls):
            chart = compute(**params).chart
            fast = live.refilled_update(view, chart)
            if fast is None:
                continue
            used += 1
            full = chart.to_dict(validate=False)
            (rows,) = full["datasets"].values()
            assert list(fast["datasets"]) == list(view.spec["datasets"]), key
            assert next(iter(fast["datasets"].values())) == rows, (key, params)
            assert fast["description"] == full.get("description"), (key, params)
        if used:
            fast_explorers.append(key)
    # the fast path is really taken (not only skipped) where a builder refills one template
    assert {"02.thresholds", "04.predictive_values", "08.change_and_cost"} <= set(fast_explorers)
