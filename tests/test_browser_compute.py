"""The page's copies of the explorers' computations (``iaptlab/static/compute/*.js``) give the
numbers, table and sentence Python's ``compute`` gives, on a grid of settings.

Each explorer that answers in the page (``Explorer.browser()``) is run under node on every
control's minimum, default and maximum and interior points, every choice, and combinations;
the chart's rows must equal Python's (numbers exactly or to float64 rounding), and its title,
description and structure, the table's HTML and the sentence must be the same text. The
formatting helpers the scripts share are compared with Python's own formatting first.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import shutil
import subprocess

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaptlab.charts.live import chart_skeleton
from iaptlab.explorers import REGISTRY
from iaptlab.widgets import compute_script, table_html

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (.ci/run installs it): the page's "
                                                     "scripts cannot be run outside a browser")

#: Runs ``script`` under node on each of ``calls`` ([name, args]) and prints the results as JSON.
_RUNNER = r"""
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  // an explorer's script runs exactly as the page runs it (it returns its compute); helpers are named
  const scope = job.names.length ? new Function(job.script + "\nreturn {" + job.names.join(", ") + "};")()
    : {compute: new Function(job.script)()};
  const out = job.calls.map(([name, args]) => {
    try { return {value: scope[name](...args)}; } catch (error) { return {error: String(error.message)}; }
  });
  process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)));
});
"""


def _node(script: str, names: list[str], calls: list[list]) -> list:
    """Each call's result (or ``{"error": ...}``) of functions ``names`` defined by ``script``; with no
    ``names``, ``script`` is an explorer's and returns its ``compute`` (as in the page)."""
    job = json.dumps({"script": script, "names": names, "calls": calls})
    done = subprocess.run([NODE, "-e", _RUNNER], input=job, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _helpers(calls: list[list], *, errors: bool = False) -> list:
    script = compute_script("predictive_values").removesuffix("\nreturn compute;\n")
    results = _node(script, ["pyRound", "fixed", "general", "thousands", "floatColumnTexts", "tableHtml",
                             "escapeHtml", "erf", "normalCdf", "roundTo"], calls)
    if errors:
        return results
    assert all("error" not in r for r in results), [r for r in results if "error" in r][:3]
    return [r["value"] for r in results]


# ---- the shared formatting helpers against Python -------------------------------------------

#: Exact ties (x.5, x.125, ...), near-ties, negatives, zero, large and small values.
NUMBERS = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 2.675, 1.005, 0.045, 1e-7, 12.5, 99.5, 100.5,
           0.49999999999999994, 7.000000000000001, 5.55, 59.45945945945946, 1386000.0, 123456.789, -0.04,
           -1e-9, 8.1, 15.9]


def _sample_numbers(seed: int = 15, count: int = 300) -> list[float]:
    rng = random.Random(seed)
    drawn = [rng.uniform(-1000, 1000) for _ in range(count // 3)]
    drawn += [rng.randint(0, 20000) / 8 for _ in range(count // 3)]  # many exact ties at 1-3 digits
    drawn += [rng.randint(0, 2000) / 100 for _ in range(count // 3)]
    return NUMBERS + drawn


def _page_texts_as_python(script: str, prepared: dict, compute, prepared_python, grid: list[dict]) -> list:
    """Run the page's ``script`` at every setting of ``grid`` and check its table, sentence and chart
    description equal Python's ``compute(prepared_python, **values)``; return (values, page answer,
    Python's chart spec) for the caller's further checks."""
    results = _node(compute_script(script), [], [["compute", [prepared, values]] for values in grid])
    answers = []
    for values, page in zip(grid, results, strict=True):
        assert "error" not in page, (values, page)
        python = compute(prepared_python, **values)
        spec = python.chart.to_dict(validate=False)
        assert page["value"]["tableHtml"] == table_html(python.table), values
        assert page["value"]["sentence"] == python.sentence, values
        assert page["value"]["description"] == spec["description"], values
        answers.append((values, page, spec))
    return answers


def test_round_and_fixed_match_python_including_exact_ties():
    numbers = _sample_numbers()
    calls = [["pyRound", [x]] for x in numbers] + [["fixed", [x, d]] for x in numbers for d in (0, 1, 2, 3)]
    got = _helpers(calls)
    want = [round(x) for x in numbers] + [f"{x:.{d}f}" for x in numbers for d in (0, 1, 2, 3)]
    mismatches = [(call, g, w) for call, g, w in zip(calls, got, want, strict=True) if g != w]
    assert mismatches == []


def test_general_thousands_and_escaping_match_python():
    numbers = [x for x in _sample_numbers() if 1e-4 <= abs(x) < 1e6] + [0.0, 6.0, 6.5, 0.89, 12.0, 27.0]
    counts = [0, 7, 999, 1000, 1001, 965000, 1386000, 1234567]
    texts = ["plain", "a & b < c > d \"q\" 'a'", "≥ 10 → 6"]
    got = _helpers([["general", [x]] for x in numbers] + [["thousands", [n]] for n in counts]
                   + [["escapeHtml", [t]] for t in texts])
    import html

    want = [f"{x:g}" for x in numbers] + [f"{n:,}" for n in counts] + [html.escape(t) for t in texts]
    assert [(g, w) for g, w in zip(got, want, strict=True) if g != w] == []


@pytest.mark.parametrize("column", [[1.99, 8.1, 15.9, 5.5], [1.0, 2.0], [0.125, 3.0], [1e-6, 2.5], [0.000123, 2.5],
                                    [float("nan"), 1.25], [12.0, 0.5, 7.333333333]])
def test_table_html_matches_pandas(column):
    frame = pd.DataFrame({"quantity": ["a & b", "c < d", "e", "f", "g", "h"][: len(column)], "value": column})
    texts = _helpers([["floatColumnTexts", [[None if math.isnan(x) else x for x in column]]]])[0]
    texts = ["NaN" if math.isnan(x) else t for x, t in zip(column, texts, strict=True)]
    html_text = _helpers([["tableHtml", [list(frame.columns), [[q, t] for q, t in zip(frame["quantity"], texts,
                                                                                      strict=True)], "cap"]]])[0]
    assert html_text == table_html(frame, "cap")


def test_erf_and_normal_cdf_agree_with_python_to_a_few_ulps():
    from statistics import NormalDist

    rng = random.Random(15)
    points = [0.0, 1e-300, 1e-9, 0.5, 0.84375, 1.0, 2.5, 3.0, 5.9, 6.0, 7.0, 40.0] + [
        rng.uniform(-7, 7) for _ in range(400)]
    points += [-x for x in points]
    got = _helpers([["erf", [x]] for x in points] + [["normalCdf", [x]] for x in points])
    want = [math.erf(x) for x in points] + [NormalDist().cdf(x) for x in points]
    far = [(x, g, w) for x, g, w in zip(points + points, got, want, strict=True)
           if not math.isclose(g, w, rel_tol=1e-15, abs_tol=4.5e-16)]  # 2 ulps of 1
    assert far == []


def test_round_to_digits_matches_python_round():
    numbers = _sample_numbers()
    got = _helpers([["roundTo", [x, d]] for x in numbers for d in (1, 2)])
    assert [g for g, (x, d) in zip(got, [(x, d) for x in numbers for d in (1, 2)], strict=True)
            if g != round(x, d)] == []


def test_float_column_in_scientific_notation_is_refused_not_misprinted():
    assert pd.DataFrame({"v": [1e-7, 2.5]}).to_html().count("e-07") == 1  # pandas' switch, for the record
    results = _helpers([["floatColumnTexts", [[1e-7, 2.5]]], ["floatColumnTexts", [[1e16]]],
                        ["floatColumnTexts", [[0.0, 2.5]]]], errors=True)
    assert ["error" in r for r in results] == [True, True, False]


# ---- every explorer that answers in the page, against Python -----------------------------------

BROWSER_KEYS = [key for key, explorer in REGISTRY.items() if explorer.browser() is not None]


def _grid(key: str) -> list[dict]:
    """Settings to compare: one control at a time over min, default, max and interior points (every
    option of a choice), every combination of them where there are at most 400, every combination of
    the first three values per control, and 60 random combinations."""
    controls = REGISTRY[key].controls
    values = {}
    for c in controls:
        if c.kind == "choice":
            values[c.name] = [v for v, _ in c.options]
        elif c.kind == "bool":
            values[c.name] = [False, True]
        else:
            step = c.step or 1
            points = [c.minimum, c.default, c.maximum, c.minimum + step, c.maximum - step,
                      (c.minimum + c.maximum) / 2, c.minimum + (c.maximum - c.minimum) / 3]
            snapped = [c.minimum + round((p - c.minimum) / step) * step for p in points]
            values[c.name] = list(dict.fromkeys(int(p) if c.kind == "int" else round(p, 10) for p in snapped))
    base = {c.name: c.default for c in controls}
    grid = [{**base, name: v} for name, vs in values.items() for v in vs]
    if math.prod(len(vs) for vs in values.values()) <= 400:  # small enough: every combination
        grid += [dict(zip(values, combo, strict=True)) for combo in itertools.product(*values.values())]
    few = {name: vs[:3] for name, vs in values.items()}
    grid += [dict(zip(few, combo, strict=True)) for combo in itertools.product(*few.values())]
    rng = random.Random(15)
    grid += [{name: rng.choice(vs) for name, vs in values.items()} for _ in range(60)]
    unique = list({json.dumps(g, sort_keys=True): g for g in grid}.values())
    return unique


def _same_rows(page: list[dict], python: list[dict]) -> list[str]:
    """Differences between the page's chart rows and Python's (numbers to float64 rounding)."""
    if len(page) != len(python):
        return [f"{len(page)} rows in the page, {len(python)} in Python"]
    problems = []
    for index, (a, b) in enumerate(zip(page, python, strict=True)):
        if set(a) != set(b):
            problems.append(f"row {index}: columns {sorted(a)} vs {sorted(b)}")
            continue
        for column, want in b.items():
            got = a[column]
            if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
                if not math.isclose(got, want, rel_tol=4e-16, abs_tol=0):
                    problems.append(f"row {index} {column}: {got!r} vs {want!r}")
            elif got != want or type(got) is not type(want) and not (isinstance(want, int) and isinstance(got, int)):
                problems.append(f"row {index} {column}: {got!r} vs {want!r}")
    return problems


def _concat_parts(spec: dict) -> list[dict]:
    """The parts of a concatenated chart spec (vconcat, hconcat or concat), else []."""
    return next((spec[k] for k in ("vconcat", "hconcat", "concat") if isinstance(spec.get(k), list)), [])


def _compare(key: str, grid: list[dict]) -> int:
    """Run the page's script on every setting of ``grid`` under node; assert it equals Python."""
    explorer = REGISTRY[key]
    browser = explorer.browser()
    results = _node(browser.script, [], [["compute", [browser.data, values]] for values in grid])
    checked = 0
    for values, page in zip(grid, results, strict=True):
        python = explorer.run(**values)
        spec = python.chart.to_dict(validate=False)
        assert "error" not in page, (values, page)
        page = page["value"]
        where = f"{key} at {values}"
        assert page["sentence"] == python.sentence, where
        assert page["tableHtml"] == table_html(python.table), where
        assert page.get("title") == spec.get("title"), where
        assert page["description"] == spec["description"], where
        skeleton = chart_skeleton(python.chart)
        if "partTitles" in page:  # a concatenated chart whose parts' titles the page sets
            parts = _concat_parts(skeleton)
            assert page["partTitles"] == [part.pop("title", None) for part in parts], where
        assert browser.data["specs"][page["structure"]] == skeleton, where
        assert _same_rows(page["rows"], next(iter(spec["datasets"].values()))) == [], where
        checked += 1
    return checked


@pytest.mark.parametrize("key", BROWSER_KEYS)
def test_page_compute_equals_python_on_a_grid(key):
    grid = _grid(key)
    assert len(grid) >= 20
    assert _compare(key, grid) == len(grid)


def _setting(control) -> st.SearchStrategy:
    """Any value the control's widget can hold: an option, a boolean, or a point on the slider's steps."""
    if control.kind == "choice":
        return st.sampled_from([value for value, _ in control.options])
    if control.kind == "bool":
        return st.booleans()
    if control.kind == "int":
        return st.integers(int(control.minimum), int(control.maximum))
    steps = round((control.maximum - control.minimum) / control.step)
    return st.integers(0, steps).map(lambda k: round(control.minimum + k * control.step, 10))


@pytest.mark.parametrize("key", BROWSER_KEYS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_page_compute_equals_python_anywhere(key, data):
    """Property: at any settings the widgets allow, the page and Python show the same thing."""
    controls = REGISTRY[key].controls
    grid = data.draw(st.lists(st.fixed_dictionaries({c.name: _setting(c) for c in controls}), min_size=1,
                              max_size=12))
    assert _compare(key, grid) == len(grid)


def test_the_qualifying_explorers_answer_in_the_page():
    """Arithmetic on a small table answers in the page (the threshold explorer's cohort reduced to counts
    of people sharing every flag); whatever needs Python (a simulation per move) does not."""
    assert BROWSER_KEYS == ["00.example_cases", "01.measurement_error", "02.thresholds", "04.predictive_values",
                            "06.national", "08.change_and_cost"]


@pytest.mark.parametrize("key", BROWSER_KEYS)
def test_page_data_is_small_json(key):
    browser = REGISTRY[key].browser()
    text = json.dumps(browser.data, allow_nan=False)  # NaN is not JSON: missing values are null
    # the threshold explorer's cohort, packed: about 120 kB for 100,000 referrals
    assert len(text) < (250_000 if key == "02.thresholds" else 100_000)
    assert json.loads(text) == browser.data


# ---- the threshold explorer on small cohorts made to sit on every edge ---------------------------

def _threshold_cohort(rows: list[tuple]) -> object:
    from iaptlab.schema import validate

    columns = ["treatment_contacts", "phq9_first", "phq9_last", "gad7_first", "gad7_last", "diagnosis_first",
               "diagnosis_last"]
    frame = pd.DataFrame(rows, columns=columns).astype({"diagnosis_first": "boolean", "diagnosis_last": "boolean"})
    return validate(frame.assign(episode_id=[f"R{i}" for i in range(len(frame))]))


def _or_missing(top: int) -> st.SearchStrategy:
    """A score from 0 to ``top``, missing about one time in ten."""
    return st.integers(-3, top).map(lambda x: None if x < 0 else x)


_INTERVIEW = st.sampled_from([True, True, False, False, None])
_ROW = st.tuples(st.integers(0, 9), _or_missing(27), _or_missing(27), _or_missing(21), _or_missing(21),
                 _INTERVIEW, _INTERVIEW)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, min_size=1, max_size=40), data=st.data())
def test_threshold_page_equals_python_on_any_small_cohort(rows, data):
    """Property: for any cohort (missing scores and interviews, scores on and beside every
    threshold, people who never finish) at any settings, the page's counts equal Python's."""
    from iaptlab.explorers import thresholds

    cohort = _threshold_cohort(rows)
    controls = REGISTRY["02.thresholds"].controls
    grid = data.draw(st.lists(st.fixed_dictionaries({c.name: _setting(c) for c in controls}), min_size=1,
                              max_size=8))
    _page_texts_as_python("thresholds", thresholds.browser_data(cohort), thresholds.compute, cohort, grid)


def test_threshold_page_refuses_settings_off_its_sliders():
    browser = REGISTRY["02.thresholds"].browser()
    results = _node(browser.script, [], [["compute", [browser.data, values]] for values in (
        {"phq9_caseness": 21}, {"gad7_reliable_change": 0}, {"reliable_change_comparison": "<"},
        {"denominator": "everyone"}, {"min_treatment_contacts": 2.5}, {"phq9_caseness": 20})])
    assert ["error" in r for r in results] == [True] * 5 + [False]


def test_numpy_round_matches_numpy_not_python():
    """pandas' ``Series.round`` (numpy: scale, round half to even, scale back) differs from Python's
    ``round`` on some values; the page's ``npRound`` follows numpy on all of them."""
    import numpy as np

    rng = random.Random(15)
    numbers = _sample_numbers() + [100 * rng.randint(0, 5000) / rng.randint(1, 5000) for _ in range(3000)]
    digits = (0, 1, 2)
    calls = [["npRound", [x, d]] for d in digits for x in numbers]
    script = compute_script("change_and_cost").removesuffix("\nreturn compute;\n")
    got = [r["value"] for r in _node(script, ["npRound"], calls)]
    want = [float(np.round(x, d)) for d in digits for x in numbers]
    assert [(c, g, w) for c, g, w in zip(calls, got, want, strict=True) if g != w] == []
    assert any(float(np.round(x, 1)) != round(x, 1) for x in numbers)  # the grid holds values where they differ


# ---- the change-and-cost explorer on count tables made to sit on every edge -----------------------

def _change_counts(cells: dict[tuple[int, int], int], extra_finishers: int) -> object:
    """Counts with these cells (row: first score - 10, column: last score) and ``extra_finishers``
    finishers outside the table (not at caseness, or a score missing); at least one finisher."""
    import numpy as np

    from iaptlab.change_and_cost import FIRST_SCORES, LAST_SCORES, ChangeCounts

    matrix = np.zeros((len(FIRST_SCORES), len(LAST_SCORES)), dtype=np.int64)
    for (i, j), n in cells.items():
        matrix[i, j] = n
    return ChangeCounts(matrix=matrix, finishers=max(1, int(matrix.sum()) + extra_finishers), referrals=0,
                        national_finishers=567_000)


def _check_change_and_cost(counts, grid: list[dict]) -> None:
    from iaptlab.explorers import change_and_cost

    answers = _page_texts_as_python("change_and_cost", change_and_cost.browser_data(counts),
                                    change_and_cost.compute, counts, grid)
    for values, page, spec in answers:
        assert page["value"]["partTitles"] == [part["title"] for part in spec["vconcat"]], values
        assert _same_rows(page["value"]["rows"], next(iter(spec["datasets"].values()))) == [], values


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(st.tuples(st.integers(0, 17), st.integers(0, 27)), st.integers(0, 40), max_size=12),
       extra=st.integers(0, 200_000), data=st.data())
def test_change_and_cost_page_equals_python_on_any_count_table(cells, extra, data):
    """Property: for any table of counts (baselines no finisher started at, so shares of nothing;
    definitions counting so few that the national-scale count rounds to 0 and the cost per outcome
    is undefined), at any settings, the page shows what Python shows."""
    controls = REGISTRY["08.change_and_cost"].controls
    grid = data.draw(st.lists(st.fixed_dictionaries({c.name: _setting(c) for c in controls}), min_size=1,
                              max_size=6))
    _check_change_and_cost(_change_counts(cells, extra), grid)


def test_change_and_cost_page_equals_python_at_the_edges():
    """One finisher (first 15, last 9) among 100,000: at baseline 15 one of one starter counted by
    every definition but a national-scale count of 0 (cost undefined); at 16 no one started; an
    end score exactly at each definition's limit, and one point above it."""
    from iaptlab.change_and_cost import DEFINITIONS, required_end_score

    lonely = _change_counts({(5, 9): 1}, 99_999)
    _check_change_and_cost(lonely, [{"baseline_phq9": 15}, {"baseline_phq9": 16}, {"baseline_phq9": 27}])
    for definition in DEFINITIONS.values():
        for first in (10, 15, 27):
            end = int(required_end_score(definition, first))
            at_limit = _change_counts({(first - 10, end): 3, (first - 10, end + 1): 2}, 0)
            _check_change_and_cost(at_limit, [{"baseline_phq9": first, "definition": definition.key}])


def test_change_and_cost_page_refuses_what_python_refuses():
    browser = REGISTRY["08.change_and_cost"].browser()
    results = _node(browser.script, [], [["compute", [browser.data, values]] for values in (
        {"baseline_phq9": 9}, {"baseline_phq9": 28}, {"definition": "recovered"}, {"overhead_factor": 0.99},
        {"staff": -1}, {"baseline_phq9": 10}, {"baseline_phq9": 27, "overhead_factor": 1.0})])
    assert ["error" in r for r in results] == [True] * 5 + [False] * 2
    from iaptlab.errors import ParameterError

    for values in ({"baseline_phq9": 9}, {"baseline_phq9": 28}, {"definition": "recovered"},
                   {"overhead_factor": 0.99}, {"staff": -1}):
        with pytest.raises(ParameterError):
            REGISTRY["08.change_and_cost"].run(**values)
