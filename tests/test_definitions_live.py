"""Lesson 02's definitions explorer on the kernel path: the JT counts kept per reliability equal
clinical_significance's categories, and what the page shows after any run of moves (a changeset,
new label lookups through their signals) equals the chart built whole for the same settings."""

from __future__ import annotations

import copy
import json
import re
from functools import partial

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaptlab import definitions
from iaptlab.charts import live
from iaptlab.clinical_significance import clinical_significance
from iaptlab.definitions import Prepared, _jt_counts
from iaptlab.explorers import definitions as explorer
from iaptlab.widgets import build

SMALL_N = 4_000


@pytest.fixture(scope="module")
def prepared():
    return definitions.prepare_by_interview(SMALL_N)


@pytest.fixture
def jupyter_renderer():
    before, options = alt.renderers.active, dict(alt.renderers.options)
    alt.renderers.enable("jupyter", offline=True)
    yield
    alt.renderers.enable(before, **options)


# ---------------------------------------------------------------- JT counts over grouped pairs


def _counts_by_categories(first, last, cut, reliability) -> tuple[int, int]:
    """The JT row as it was counted: every person classified by clinical_significance."""
    first, last = np.asarray(first, dtype=float), np.asarray(last, dtype=float)
    result = clinical_significance(first, last, sd_pre=float(first.std(ddof=1)), reliability=reliability,
                                   cutoff=cut)
    recovered = result["category"].to_numpy() == "recovered"
    denominator = result["dysfunctional_pre"].to_numpy(dtype=bool, na_value=False)
    return int(recovered.sum()), int(denominator.sum())


scores = st.integers(0, 27)


@given(st.lists(st.tuples(scores, scores), min_size=2, max_size=60),
       st.one_of(scores.map(float), st.floats(0, 27, allow_nan=False)), st.floats(0.5, 0.99))
def test_jt_counts_equal_clinical_significance(pairs, cut, reliability):
    first, last = zip(*pairs, strict=True)
    if np.std(first) == 0:  # no clinical SD: clinical_significance refuses, and so does the table
        return
    assert _jt_counts(Prepared.from_scores(first, last), cut, reliability) == \
        _counts_by_categories(first, last, cut, reliability)


@pytest.mark.parametrize(("cut", "expected"), [
    (10.0, (1, 2)),   # 27 -> 10 ends AT the cut-off: still dysfunctional, not recovered
    (10.5, (2, 2)),   # ... and just below one a little higher: recovered
    (20.0, (2, 2)),   # 20 starts AT the cut-off: dysfunctional, in the denominator
    (20.5, (1, 1)),   # ... and out of it when the cut-off is a little higher
    (5.0, (1, 3)),    # 5 -> 5 starts at the cut-off (denominator) but never changed reliably
])
def test_jt_counts_at_the_cut_off_both_ways(cut, expected):
    # clinical SD of (20, 27, 5) = 11.2; reliability 0.9: reliable change 9.8 points (both drops are)
    first, last = [20, 27, 5], [0, 10, 5]
    assert _jt_counts(Prepared.from_scores(first, last), cut, 0.9) == expected
    assert _counts_by_categories(first, last, cut, 0.9) == expected


def test_missing_last_score_is_in_the_denominator_but_never_recovered():
    first, last = [25, 20, 12], [np.nan, 2, 11]
    assert _jt_counts(Prepared.from_scores(first, last), 10.0, 0.84) == \
        _counts_by_categories(first, last, 10.0, 0.84) == (1, 3)


def test_reliabilities_kept_are_bounded_and_give_the_same_counts_again():
    prepared = Prepared.from_scores([25, 20, 12, 27], [2, 15, 11, 9])
    first = [_jt_counts(prepared, 10.0, 0.5 + i / 1000) for i in range(300)]
    assert len(prepared._improved_by_reliability) == definitions._RELIABILITIES_KEPT
    assert [_jt_counts(prepared, 10.0, 0.5 + i / 1000) for i in range(300)] == first


def test_bad_reliability_is_refused_and_not_kept():
    prepared = Prepared.from_scores([25, 20], [2, 15])
    with pytest.raises(Exception, match="reliability"):
        _jt_counts(prepared, 10.0, 1.5)
    assert 1.5 not in prepared._improved_by_reliability


# ---------------------------------------------------------------- what the page shows after moves


class _Page:
    """What the page holds: the embedded spec, then each update applied as live_chart.js applies it."""

    def __init__(self, view) -> None:
        self.view = view
        self.embed({"new": view.spec})
        view.observe(self.embed, names="spec")
        view.observe(self.apply, names="update")

    def embed(self, change) -> None:
        self.spec = copy.deepcopy(change["new"])
        self.labels: dict[str, object] = {}  # lookup JSON as embedded -> the lookup its signal holds now

    def apply(self, change) -> None:
        update = change["new"]
        for name, rows in (update.get("datasets") or {}).items():
            assert name in self.spec["datasets"]
            self.spec["datasets"][name] = rows
        if update.get("description") is not None:
            self.spec["description"] = update["description"]
        if update.get("title") is not None:
            self.spec["title"] = {**self.spec["title"], **update["title"]}
        for embedded, lookup in update.get("label_maps") or []:
            assert f"({embedded})[datum.label] || datum.label" in _label_expressions(self.spec)
            self.labels[embedded] = lookup

    def shown(self) -> dict:
        """The spec the page draws, its one dataset named "data", lookups as their signals hold them."""
        text = json.dumps({k: v for k, v in self.spec.items() if k != "datasets"})
        for embedded, lookup in self.labels.items():
            old = json.dumps(f"({embedded})[datum.label] || datum.label")
            text = text.replace(old, json.dumps(f"({json.dumps(lookup)})[datum.label] || datum.label"))
        return _named(json.loads(text), self.spec["datasets"])


def _label_expressions(node) -> list[str]:
    if isinstance(node, dict):
        return [text for key, value in node.items()
                for text in ([value] if key == "labelExpr" else _label_expressions(value))]
    if isinstance(node, list):
        return [text for value in node for text in _label_expressions(value)]
    return []


def _named(spec: dict, datasets: dict) -> dict:
    (name, rows), = datasets.items()
    spec = json.loads(json.dumps(spec).replace(json.dumps(name), '"data"'))
    return {**spec, "datasets": {"data": rows}}


def _built_whole(prepared, params) -> dict:
    spec = explorer.compute(prepared, **params).chart.to_dict()
    return _named({k: v for k, v in spec.items() if k != "datasets"}, spec["datasets"])


moves = st.one_of(
    st.tuples(st.just("functional_mean"), st.sampled_from([0.0, 9.0, 3.0, 4.5]) | st.floats(0, 9).map(
        lambda v: round(v, 2))),
    st.tuples(st.just("functional_sd"), st.sampled_from([1.0, 6.0, 3.0]) | st.floats(1, 6).map(lambda v: round(v, 2))),
    st.tuples(st.just("reliability"), st.sampled_from([0.5, 0.99]) | st.floats(0.5, 0.99).map(lambda v: round(v, 3))),
    st.tuples(st.just("jt_cutoff"), st.sampled_from("abc")),
    st.tuples(st.just("b_sd"), st.sampled_from(["functional", "clinical"])),
    st.tuples(st.just("interview_measures"), st.sampled_from(list(explorer.CONTROLS[0].options)).map(lambda o: o[0])),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(moves, min_size=1, max_size=6))
def test_page_after_kernel_moves_equals_the_chart_built_whole(jupyter_renderer, prepared, sequence):
    box = build(partial(explorer.compute, prepared), explorer.CONTROLS)
    view = box.chart_slot.chart_widget
    page = _Page(view)
    embedded = view.spec
    for name, value in sequence:
        box.controls[name].value = value
        params = {key: widget.value for key, widget in box.controls.items()}
        assert page.shown() == _built_whole(prepared, params), (name, value)
    assert view.spec is embedded  # every move went through a changeset, never a new embed


def test_a_move_that_changes_a_label_sends_the_new_lookup_not_the_spec(jupyter_renderer, prepared):
    box = build(partial(explorer.compute, prepared), explorer.CONTROLS)
    view = box.chart_slot.chart_widget
    embedded = view.spec
    (expression,) = {layer["encoding"]["y"]["axis"]["labelExpr"] for layer in embedded["layer"]}
    before = re.match(r"^\((\{.*\})\)\[datum\.label\]", expression).group(1)
    box.controls["functional_mean"].value = 5.0  # moves cut-off c, which the JT bar's label states
    ((key, lookup),) = view.update["label_maps"]
    assert key == before and lookup != json.loads(before)
    jt_label = next(label for label in lookup if label.startswith("JT recovered, cut-off c = "))
    (rows,) = view.update["datasets"].values()
    assert rows[3]["outcome"] == jt_label and view.spec is embedded  # rows and lookup in one message


class _View:
    def __init__(self, embedded, shown):
        self.embedded_lookups, self.shown_lookups = embedded, shown


def test_label_maps_refuse_what_signals_cannot_show():
    # a lookup shown twice that changes in one place only
    assert live._label_maps(_View(["a", "a"], ["a", "a"]), [("a", '{"x": 1}')]) is None
    # a lookup shown now by two different embedded signals
    assert live._label_maps(_View(["a", "b"], ["c", "c"]), [("c", '{"x": 1}'), ("c", '{"x": 1}')]) is None
    # one old lookup becoming two different ones
    assert live._label_maps(_View(["a", "a"], ["a", "a"]), [("a", '{"x": 1}'), ("a", '{"x": 2}')]) is None
    # not known (a view made elsewhere)
    assert live._label_maps(object(), [("a", "{}")]) is None
    # both places change: keyed by the embedded lookup, shown ones replaced
    assert live._label_maps(_View(["e", "e"], ["a", "a"]), [("a", '{"x": 1}'), ("a", '{"x": 1}')]) == \
        ([["e", {"x": 1}]], ['{"x": 1}', '{"x": 1}'])


# ---------------------------------------------------------------- the second interview, no second cohort


def _more_model(n: int, seed: int):
    import dataclasses

    from iaptlab.cohort_model import INTERVIEW_MEASURES
    from iaptlab.simulate import CohortModel

    more = list(INTERVIEW_MEASURES)[1]
    return dataclasses.replace(CohortModel.interview_sees_questionnaires(n=n, seed=seed), **INTERVIEW_MEASURES[more])


def _same_prepared(a: Prepared, b: Prepared) -> bool:
    return (a.iapt_rates.equals(b.iapt_rates) and a.n_referrals == b.n_referrals
            and (a.clinical_mean, a.clinical_sd) == (b.clinical_mean, b.clinical_sd)
            and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("pair_first", "pair_last", "pair_count")))


@pytest.mark.parametrize(("n", "seed"), [(3_000, 2026), (1_500, 7)])
def test_interview_columns_swapped_in_equal_the_cohort_simulated_whole(n, seed):
    from iaptlab.lesson_cohort import lesson_cohort
    from iaptlab.schema import validate
    from iaptlab.simulate import simulate

    model = _more_model(n, seed)
    whole = validate(simulate(model)).table
    swapped = definitions._with_interview_of(lesson_cohort(n, seed), model).table
    observed = [c for c in whole.columns if not c.startswith("true_")]  # what classify may read
    pd.testing.assert_frame_equal(swapped[observed], whole[observed], check_dtype=False, check_exact=True)
    assert not swapped["diagnosis_last"].equals(lesson_cohort(n, seed).table["diagnosis_last"])  # it did change
    more = definitions.prepare_by_interview(n, seed)[list(definitions.INTERVIEW_MEASURES)[1]]
    assert _same_prepared(more, definitions.prepare(validate(simulate(model))))


def test_a_cohort_not_in_referral_order_is_simulated_whole():
    from iaptlab.lesson_cohort import lesson_cohort
    from iaptlab.schema import Validated, validate
    from iaptlab.simulate import simulate

    model = _more_model(800, 3)
    cohort = lesson_cohort(800, 3)
    shuffled = Validated(cohort.table.iloc[::-1].reset_index(drop=True), cohort.excluded, cohort.problems)
    got = definitions._with_interview_of(shuffled, model)
    assert got.table.equals(validate(simulate(model)).table)
